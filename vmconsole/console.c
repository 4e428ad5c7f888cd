/* One console at the edge: its backend, its exposed pty, its log.
 *
 * Backends sit behind struct vmc_backend_ops, as a tty's hardware sits
 * behind FreeBSD's ttydevsw: open (connect, spawn), close, break. The
 * console above them does the rest the same way for all: a backend that
 * fails or goes away is closed and opened again after a backoff (200 ms,
 * doubling to 2 s; reset once a connection lasted 5 s), and the log and
 * the viewers are told once when it goes and once when it is back, with
 * how long it was gone.
 *
 * The exposed pty is a pty pair whose slave is set raw and kept open here
 * (so the master never sees a hangup and any number of picocom/screen runs
 * can come and go); the guest's bytes are written to the master, what is
 * typed on the slave is read from the master and goes to the guest. When
 * nobody reads the slave its buffer fills; then the oldest bytes are
 * flushed, as a serial line with nobody listening loses them. The log and
 * the session keep everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "kpty_os.h"
#include "rp.h"
#include "vmc.h"

#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 2000
#define BACKOFF_RESET_MS 5000 /* up this long: the next failure starts over */
#define TO_GUEST_BYTES 4096   /* keys waiting for a slow backend (held only then) */
#define NOTICE_ROOM 400       /* kept free in a service buffer for notices */
#define PTY_KEYS_BYTES 1024   /* typed on the exposed pty, per wakeup */
#define RESOLVE_MS 5000       /* a tcp: host name answered within this, or down */
#define CONNECT_MS 10000      /* a tcp: connect done within this, or down */

/* A tcp: host that is a name is resolved in a thread of its own: the
 * daemon's loop serves every session and must not wait for DNS. The
 * thread posts to efd when done; the console polls efd. Whoever lets go
 * last (the thread, or the console that stopped waiting) frees it, so a
 * console destroyed mid-answer leaves nothing behind. A console has at
 * most one: one that did not answer in time is waited for again at the
 * next retry rather than a second started (a dead resolver must not pile
 * up threads). */
struct resolve {
	atomic_int refs;
	atomic_bool done;
	int efd;
	int rc, err; /* getaddrinfo's, and errno for EAI_SYSTEM */
	struct addrinfo *res;
	char host[VMC_TARGET_MAX + 1], port[16];
};

struct vmc_console;

struct vmc_backend_ops {
	const char *scheme;
	/* 0 with c->fd set (c->connecting if not yet done), or -errno with
	 * c->why said. */
	int (*open)(struct vmc_console *c);
	void (*close)(struct vmc_console *c);
	int (*brk)(struct vmc_console *c);
};

struct vmc_console {
	struct vmc_spec spec;
	const struct vmc_backend_ops *ops;
	int fd; /* the backend; -1 while down */
	bool connecting, exited, said_down;
	/* tcp: a name being resolved (resolving while waited for), the
	 * addresses left to try, when the wait or the connect gives up. */
	struct resolve *res;
	bool resolving;
	struct addrinfo *ai, *ai_next;
	long deadline_ms;
	struct kpty_os_child child; /* exec */
	int exit_status;
	long up_since_ms, down_since_ms, retry_at_ms, backoff_ms;
	char why[160];
	uint8_t *to_guest; /* TO_GUEST_BYTES while keys wait; NULL when none do */
	size_t to_guest_len;
	int ptm, pts;
	char pty_path[64], link[VMC_PATH_MAX + 80];
	int log_fd;
	size_t log_bytes;
	char log_path[VMC_PATH_MAX + 1];
	struct vmc_stamp stamp;
	/* The stamp's date and time, formatted once a second (localtime and
	 * strftime per read of a busy console cost more than the write). */
	long long stamp_sec;
	char stamp_text[VMC_STAMP_LEN + 1];
};

static void why(struct vmc_console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct vmc_console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
}

static void set_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
}

/* ---- backends ---- */

static void fd_close(struct vmc_console *c)
{
	close(c->fd);
	c->fd = -1;
}

static int unix_open(struct vmc_console *c)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", c->spec.target);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		why(c, "%s", strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	c->fd = fd;
	return 0;
}

static void resolve_put(struct resolve *r)
{
	if (atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	if (r->res)
		freeaddrinfo(r->res);
	close(r->efd);
	free(r);
}

static void *resolve_thread(void *arg)
{
	struct resolve *r = arg;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	uint64_t one = 1;

	r->rc = getaddrinfo(r->host, r->port, &hints, &r->res);
	r->err = errno;
	atomic_store(&r->done, true);
	if (write(r->efd, &one, sizeof one) < 0) {
		/* An eventfd takes it; nobody waits if it did not. */
	}
	resolve_put(r);
	return NULL;
}

static struct resolve *resolve_start(const char *host, const char *port)
{
	struct resolve *r = calloc(1, sizeof *r);
	pthread_attr_t at;
	pthread_t t;
	sigset_t all, old;
	int e;

	if (!r)
		return NULL;
	snprintf(r->host, sizeof r->host, "%s", host);
	snprintf(r->port, sizeof r->port, "%s", port);
	atomic_init(&r->refs, 2);
	if ((r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		free(r);
		return NULL;
	}
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 << 10);
	/* Signals are the loop's (SIGCHLD, SIGTERM): the thread takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, &at, resolve_thread, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	if (e) {
		close(r->efd);
		free(r);
		errno = e;
		return NULL;
	}
	return r;
}

static void forget_addresses(struct vmc_console *c)
{
	if (c->ai)
		freeaddrinfo(c->ai);
	c->ai = c->ai_next = NULL;
}

/* Connects to the next address left: 0 (connecting), or -errno with why
 * said when none is left. */
static int tcp_connect_next(struct vmc_console *c)
{
	int e = ENOENT, one = 1;

	while (c->ai_next) {
		struct addrinfo *a = c->ai_next;
		int fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		c->ai_next = a->ai_next;
		if (fd >= 0 && (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS)) {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			c->fd = fd;
			c->connecting = true; /* done when it polls writable */
			c->deadline_ms = base_now_ms() + CONNECT_MS;
			return 0;
		}
		e = errno;
		if (fd >= 0)
			close(fd);
	}
	forget_addresses(c);
	why(c, "%s", strerror(e));
	return -e;
}

static int tcp_open(struct vmc_console *c)
{
	char host[VMC_TARGET_MAX + 1];
	const char *port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV | AI_NUMERICHOST};
	int r;

	if (rp_host_port(c->spec.target, host, sizeof host, &port) < 0) { /* checked when parsed */
		why(c, "'%s' is not HOST:PORT", c->spec.target);
		return -EINVAL;
	}
	forget_addresses(c);
	/* An address: no resolver to wait for. */
	if ((r = getaddrinfo(host, port, &hints, &c->ai)) == 0) {
		c->ai_next = c->ai;
		return tcp_connect_next(c);
	}
	c->ai = NULL;
	if (r != EAI_NONAME) {
		why(c, "cannot resolve %s: %s", host, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	if (!c->res && !(c->res = resolve_start(host, port))) {
		int e = errno;
		why(c, "cannot resolve %s: cannot start its resolver: %s", host, strerror(e));
		return -e;
	}
	c->resolving = true;
	c->deadline_ms = base_now_ms() + RESOLVE_MS;
	return 0;
}

/* The resolver answered: connect to what it said. */
static int tcp_resolved(struct vmc_console *c)
{
	struct resolve *r = c->res;
	int rc = r->rc;

	c->resolving = false;
	c->res = NULL;
	if (rc) {
		why(c, "cannot resolve %s: %s", r->host,
		    rc == EAI_SYSTEM ? strerror(r->err) : gai_strerror(rc));
		resolve_put(r);
		return -EHOSTUNREACH;
	}
	c->ai = c->ai_next = r->res;
	r->res = NULL;
	resolve_put(r);
	return tcp_connect_next(c);
}

static int pty_open(struct vmc_console *c)
{
	int fd = open(c->spec.target, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;
		why(c, "%s", strerror(e));
		return -e;
	}
	set_raw(fd);
	c->fd = fd;
	return 0;
}

static int pty_break(struct vmc_console *c)
{
	return tcsendbreak(c->fd, 0) < 0 ? -errno : 0;
}

static int exec_open(struct vmc_console *c)
{
	char *argv[] = {"/bin/sh", "-c", c->spec.target, NULL};
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	/* A console command talks to a machine, not to a person: no echo
	 * or editing between it and us. Raw before it runs: made raw after,
	 * it lost the modes it set itself at its start whenever it was
	 * quicker than us (stty icrnl: its read of a line never ended). */
	int r = kpty_os_spawn(&c->child, argv, &ws, KPTY_OS_RAW);

	if (r < 0) {
		why(c, "cannot start /bin/sh: %s", strerror(-r));
		return r;
	}
	c->fd = c->child.master;
	c->exited = false;
	return 0;
}

static void exec_close(struct vmc_console *c)
{
	if (c->child.pid > 0) {
		kpty_os_signal_session(c->child.pid, SIGHUP);
		kpty_os_signal_session(c->child.pid, SIGCONT);
		/* Reaped by vmc_console_reap when it has gone (SIGCHLD). */
	}
	close(c->child.master);
	if (c->child.slave >= 0)
		close(c->child.slave);
	c->child.master = c->child.slave = -1;
	c->fd = -1;
}

static int no_break(struct vmc_console *c)
{
	(void)c;
	return -ENOTSUP;
}

static const struct vmc_backend_ops backends[] = {
	[VMC_UNIX] = {"unix", unix_open, fd_close, no_break},
	[VMC_PTY] = {"pty", pty_open, fd_close, pty_break},
	[VMC_TCP] = {"tcp", tcp_open, fd_close, no_break},
	[VMC_EXEC] = {"exec", exec_open, exec_close, no_break},
};

/* ---- the log ---- */

static void log_rotate(struct vmc_console *c)
{
	base_log_rotate(c->log_path, c->spec.log_keep);
	close(c->log_fd);
	c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	c->log_bytes = 0;
}

static void log_write(struct vmc_console *c, const void *buf, size_t n)
{
	uint8_t out[8192];
	struct timespec ts;
	const uint8_t *p = buf;
	long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	if ((long long)ts.tv_sec != c->stamp_sec) {
		vmc_stamp_format(c->stamp_text, (long long)ts.tv_sec, 0);
		c->stamp_sec = (long long)ts.tv_sec;
	}
	ms = ts.tv_nsec / 1000000;
	c->stamp_text[20] = (char)('0' + ms / 100);
	c->stamp_text[21] = (char)('0' + ms / 10 % 10);
	c->stamp_text[22] = (char)('0' + ms % 10);
	while (n && c->log_fd >= 0) {
		size_t used, o = vmc_stamp_lines(&c->stamp, c->stamp_text, p, n, out, sizeof out, &used);
		if (c->log_bytes + o > c->spec.log_cap && c->log_bytes)
			log_rotate(c);
		if (c->log_fd >= 0 && write(c->log_fd, out, o) == (ssize_t)o)
			c->log_bytes += o;
		p += used;
		n -= used;
	}
}

/* A notice: on its own line in the log, and in buf for the viewers. */
static size_t notice(struct vmc_console *c, uint8_t *buf, size_t room, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t notice(struct vmc_console *c, uint8_t *buf, size_t room, const char *fmt, ...)
{
	char msg[NOTICE_ROOM - 8], line[NOTICE_ROOM];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof line, "%s[telly: %s: %s]\n", c->stamp.mid_line ? "\n" : "",
		     c->spec.name, msg);
	log_write(c, line, (size_t)n);
	n = snprintf(line, sizeof line, "\r\n[telly: %s: %s]\r\n", c->spec.name, msg);
	if ((size_t)n > room)
		return 0;
	memcpy(buf, line, (size_t)n);
	return (size_t)n;
}

/* ---- up and down ---- */

static size_t go_down(struct vmc_console *c, long now, uint8_t *buf, size_t room)
{
	size_t o = 0;

	if (c->fd >= 0)
		c->ops->close(c);
	c->connecting = c->resolving = false; /* a resolver still busy is waited for again */
	forget_addresses(c);
	c->to_guest_len = 0; /* keys for a machine that is gone */
	free(c->to_guest);
	c->to_guest = NULL;
	if (c->up_since_ms && now - c->up_since_ms >= BACKOFF_RESET_MS)
		c->backoff_ms = 0;
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
	c->retry_at_ms = now + c->backoff_ms;
	if (!c->said_down) {
		o = notice(c, buf, room, "%s:%s: %s; retrying", c->ops->scheme, c->spec.target, c->why);
		c->said_down = true;
		c->down_since_ms = now;
	}
	c->up_since_ms = 0;
	return o;
}

static size_t came_up(struct vmc_console *c, long now, uint8_t *buf, size_t room)
{
	size_t o = 0;

	c->connecting = false;
	c->up_since_ms = now;
	c->retry_at_ms = 0;
	if (c->said_down) {
		o = notice(c, buf, room, "%s:%s: connected again after %.1f s", c->ops->scheme,
			   c->spec.target, (double)(now - c->down_since_ms) / 1e3);
		c->said_down = false;
	} else {
		char line[NOTICE_ROOM];
		int n = snprintf(line, sizeof line, "%s[telly: %s: connected to %s:%s]\n",
				 c->stamp.mid_line ? "\n" : "", c->spec.name, c->ops->scheme,
				 c->spec.target);
		log_write(c, line, (size_t)n); /* the log only: nothing went wrong */
	}
	return o;
}

static size_t try_open(struct vmc_console *c, long now, uint8_t *buf, size_t room)
{
	if (c->ops->open(c) < 0)
		return go_down(c, now, buf, room);
	return c->connecting || c->resolving ? 0 : came_up(c, now, buf, room);
}

struct vmc_console *vmc_console_create(const struct vmc_spec *s, const char *rundir,
				       const char *logdir, char *err, size_t errn)
{
	struct vmc_console *c = calloc(1, sizeof *c);
	char dir[VMC_PATH_MAX + 20];
	const char *pts;
	struct stat st;
	uint8_t scratch[NOTICE_ROOM];

	if (!c) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	c->spec = *s;
	c->ops = &backends[s->kind];
	c->fd = c->child.master = c->child.slave = -1;
	c->ptm = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->ptm < 0 || grantpt(c->ptm) < 0 || unlockpt(c->ptm) < 0 || !(pts = ptsname(c->ptm))) {
		snprintf(err, errn, "console %s: cannot make its pty: %s", s->name, strerror(errno));
		goto fail_ptm;
	}
	snprintf(c->pty_path, sizeof c->pty_path, "%s", pts);
	c->pts = open(c->pty_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->pts < 0) {
		snprintf(err, errn, "console %s: cannot open %s: %s", s->name, c->pty_path,
			 strerror(errno));
		goto fail_ptm;
	}
	set_raw(c->pts);
	snprintf(dir, sizeof dir, "%s/consoles", rundir);
	mkdir(dir, 0700);
	snprintf(c->link, sizeof c->link, "%s/%s", dir, s->name);
	unlink(c->link);
	if (symlink(c->pty_path, c->link) < 0) {
		snprintf(err, errn, "console %s: cannot link %s: %s", s->name, c->link, strerror(errno));
		goto fail_pts;
	}
	if (s->log[0])
		snprintf(c->log_path, sizeof c->log_path, "%s", s->log);
	else
		snprintf(c->log_path, sizeof c->log_path, "%s/logs/%s.log", logdir, s->name);
	/* Appended to: a console's history outlives the daemon. */
	c->log_fd = open(c->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (c->log_fd < 0) {
		snprintf(err, errn, "console %s: log %s: %s", s->name, c->log_path, strerror(errno));
		goto fail_link;
	}
	if (fstat(c->log_fd, &st) == 0) {
		c->log_bytes = (size_t)st.st_size;
		c->stamp.mid_line = st.st_size > 0; /* a new start begins a new line */
	}
	try_open(c, base_now_ms(), scratch, sizeof scratch);
	return c;
fail_link:
	unlink(c->link);
fail_pts:
	close(c->pts);
fail_ptm:
	if (c->ptm >= 0)
		close(c->ptm);
	free(c);
	return NULL;
}

void vmc_console_destroy(struct vmc_console *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		c->ops->close(c);
	if (c->res)
		resolve_put(c->res); /* the thread frees it if still busy */
	forget_addresses(c);
	if (c->child.pid > 0)
		kpty_os_reap(&c->child, &c->exit_status);
	unlink(c->link);
	close(c->pts);
	close(c->ptm);
	if (c->log_fd >= 0)
		close(c->log_fd);
	free(c->to_guest);
	free(c);
}

void vmc_console_pollfds(const struct vmc_console *c, struct pollfd pf[2])
{
	short ev = c->connecting ? POLLOUT : (short)(POLLIN | (c->to_guest_len ? POLLOUT : 0));

	pf[0] = (struct pollfd){.fd = c->resolving ? c->res->efd : c->fd,
				.events = c->resolving ? POLLIN : ev};
	pf[1] = (struct pollfd){.fd = c->ptm, .events = POLLIN};
}

long vmc_console_timeout_ms(const struct vmc_console *c, long now)
{
	if (c->exited)
		return 0;
	if (c->resolving || c->connecting)
		return c->deadline_ms > now ? c->deadline_ms - now : 0;
	if (c->fd >= 0 || !c->retry_at_ms)
		return -1;
	return c->retry_at_ms > now ? c->retry_at_ms - now : 0;
}

static void flush_to_guest(struct vmc_console *c)
{
	ssize_t w;

	if (c->fd < 0 || c->connecting || !c->to_guest_len)
		return;
	w = write(c->fd, c->to_guest, c->to_guest_len);
	if (w > 0) {
		memmove(c->to_guest, c->to_guest + w, c->to_guest_len - (size_t)w);
		c->to_guest_len -= (size_t)w;
	}
	if (!c->to_guest_len) { /* keys mostly go at once: hundreds of consoles wait for none */
		free(c->to_guest);
		c->to_guest = NULL;
	}
}

int vmc_console_write(struct vmc_console *c, const void *buf, size_t n)
{
	if (c->fd < 0)
		return -ENOTCONN;
	if (c->to_guest_len + n > TO_GUEST_BYTES) {
		flush_to_guest(c);
		if (c->to_guest_len + n > TO_GUEST_BYTES)
			return -EAGAIN;
	}
	if (!c->to_guest && !(c->to_guest = malloc(TO_GUEST_BYTES)))
		return -EAGAIN; /* tried again as if the guest were slow */
	memcpy(c->to_guest + c->to_guest_len, buf, n);
	c->to_guest_len += n;
	flush_to_guest(c);
	return (int)n;
}

/* The guest's bytes: to the log and to whoever has the pty open. */
static void from_guest(struct vmc_console *c, const uint8_t *p, size_t n)
{
	log_write(c, p, n);
	if (write(c->ptm, p, n) < 0 && errno == EAGAIN) {
		tcflush(c->pts, TCIFLUSH);
		if (write(c->ptm, p, n) < 0) {
			/* Dropped for the pty only. */
		}
	}
}

/* Reads the backend until it is empty or buf is full. */
static size_t read_guest(struct vmc_console *c, long now, uint8_t *buf, size_t cap)
{
	size_t o = 0;

	while (c->fd >= 0 && o + NOTICE_ROOM < cap) {
		ssize_t r = read(c->fd, buf + o, cap - o - NOTICE_ROOM);
		if (r > 0) {
			from_guest(c, buf + o, (size_t)r);
			o += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN) {
			if (!c->exited)
				break;
			why(c, "the command exited (status %d)", c->exit_status);
		} else if (r == 0) {
			why(c, "%s", c->spec.kind == VMC_EXEC ? "the command closed its terminal"
							      : "closed by the other end");
		} else if (!(c->spec.kind == VMC_EXEC && errno == EIO)) {
			why(c, "%s", strerror(errno));
		} else {
			why(c, "the command exited");
		}
		o += go_down(c, now, buf + o, cap - o);
	}
	return o;
}

size_t vmc_console_service(struct vmc_console *c, const struct pollfd *pf, long now, uint8_t *buf,
			   size_t cap)
{
	size_t o = 0;

	if (c->fd < 0 && !c->resolving && c->retry_at_ms && now >= c->retry_at_ms)
		o += try_open(c, now, buf, cap);
	if (c->resolving && atomic_load(&c->res->done)) {
		if (tcp_resolved(c) < 0)
			o += go_down(c, now, buf + o, cap - o);
	} else if (c->resolving && now >= c->deadline_ms) {
		why(c, "cannot resolve %s: no answer within %d s", c->res->host, RESOLVE_MS / 1000);
		o += go_down(c, now, buf + o, cap - o);
	}
	if (c->fd >= 0 && c->connecting &&
	    ((pf && (pf[0].revents & (POLLOUT | POLLERR | POLLHUP))) || now >= c->deadline_ms)) {
		int e = 0;
		socklen_t el = sizeof e;
		bool late = !(pf && (pf[0].revents & (POLLOUT | POLLERR | POLLHUP)));
		if (late)
			e = ETIMEDOUT;
		else
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el);
		if (e) {
			/* The next address the name gave, if any, else down. */
			c->ops->close(c);
			c->connecting = false;
			if (!c->ai_next) {
				if (late)
					why(c, "no connection within %d s", CONNECT_MS / 1000);
				else
					why(c, "%s", strerror(e));
				o += go_down(c, now, buf + o, cap - o);
			} else if (tcp_connect_next(c) < 0) {
				o += go_down(c, now, buf + o, cap - o);
			}
		} else {
			forget_addresses(c);
			o += came_up(c, now, buf + o, cap - o);
		}
	} else if (c->fd >= 0 && !c->connecting) {
		if (pf && (pf[0].revents & POLLOUT))
			flush_to_guest(c);
		if (c->exited || (pf && (pf[0].revents & (POLLIN | POLLHUP | POLLERR))))
			o += read_guest(c, now, buf + o, cap - o);
	}
	if (pf && (pf[1].revents & POLLIN)) {
		uint8_t keys[PTY_KEYS_BYTES];
		ssize_t r = read(c->ptm, keys, sizeof keys);
		if (r > 0)
			vmc_console_write(c, keys, (size_t)r); /* dropped while down */
	}
	return o;
}

void vmc_console_reap(struct vmc_console *c)
{
	int status;

	if (c->spec.kind != VMC_EXEC || c->child.pid <= 0)
		return;
	if (!kpty_os_reap(&c->child, &status))
		return;
	c->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (c->fd >= 0)
		c->exited = true; /* service() reads what it left, then it is down */
}

int vmc_console_break(struct vmc_console *c)
{
	if (c->fd < 0 || c->connecting)
		return -ENOTCONN;
	return c->ops->brk(c);
}

bool vmc_console_up(const struct vmc_console *c)
{
	return c->fd >= 0 && !c->connecting;
}

const struct vmc_spec *vmc_console_spec(const struct vmc_console *c)
{
	return &c->spec;
}

const char *vmc_console_pty(const struct vmc_console *c)
{
	return c->pty_path;
}

int vmc_console_relink(struct vmc_console *c)
{
	char dir[sizeof c->link];
	char *slash;

	snprintf(dir, sizeof dir, "%s", c->link);
	if ((slash = strrchr(dir, '/')))
		*slash = 0;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	unlink(c->link);
	return symlink(c->pty_path, c->link) < 0 ? -errno : 0;
}

void vmc_console_describe(const struct vmc_console *c, char *out, size_t n)
{
	/* Once said down, why, until it is back (a retry in progress does
	 * not hide it). */
	if (vmc_console_up(c))
		snprintf(out, n, "console %s:%s (up)", c->ops->scheme, c->spec.target);
	else if (c->said_down)
		snprintf(out, n, "console %s:%s (down: %s)", c->ops->scheme, c->spec.target, c->why);
	else if (c->resolving)
		snprintf(out, n, "console %s:%s (resolving %s)", c->ops->scheme, c->spec.target,
			 c->res->host);
	else
		snprintf(out, n, "console %s:%s (%s)", c->ops->scheme, c->spec.target,
			 c->connecting ? "connecting" : "down");
}

char *vmc_read_file(const char *path, size_t *n, char *err, size_t errn)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (!f) {
		snprintf(err, errn, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(VMC_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	*n = fread(buf, 1, VMC_FILE_MAX + 1, f);
	fclose(f);
	if (*n > VMC_FILE_MAX) {
		snprintf(err, errn, "%s: larger than %u bytes", path, VMC_FILE_MAX);
		free(buf);
		return NULL;
	}
	return buf;
}

void vmc_audit(int fd, const char *console, const char *who, const char *fmt, ...)
{
	char event[1024], line[BASE_LOG_LINE_MAX], stamp[VMC_STAMP_LEN + 1];
	struct timespec ts;
	va_list ap;
	size_t o;
	int n;

	if (fd < 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	vmc_stamp_format(stamp, (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	n = vsnprintf(event, sizeof event, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Every field escaped (who in its quotes with " too): one event is
	 * one line, whatever a name or a client put in it. */
	o = (size_t)snprintf(line, sizeof line, "%sconsole=", stamp);
	o += base_log_escape(console, strlen(console), false, line + o, sizeof line - o);
	o += (size_t)snprintf(line + o, sizeof line - o, " who=\"");
	o += base_log_escape(who, strlen(who), true, line + o, sizeof line - o - 2);
	o += (size_t)snprintf(line + o, sizeof line - o, "\" ");
	o += base_log_escape(event, (size_t)n < sizeof event ? (size_t)n : sizeof event - 1, false,
			    line + o, sizeof line - o - 1);
	line[o++] = '\n';
	if (write(fd, line, o) < 0) {
		/* Nowhere to say it. */
	}
}
