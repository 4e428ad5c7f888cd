/* OS adapter: real programs on real Linux ptys (see kpty_os.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "base.h"
#include "kpty_os.h"

_Static_assert(ICANON == KPTY_ICANON && EXTPROC == KPTY_EXTPROC && IUTF8 == KPTY_IUTF8 &&
	       ECHOCTL == KPTY_ECHOCTL && OPOST == KPTY_OPOST && VEOL2 == KPTY_VEOL2 &&
	       TIOCPKT_IOCTL == KPTY_PKT_IOCTL && SIGTSTP == KPTY_SIGTSTP,
	       "kpty's flag values are Linux's");

static void to_kpty(const struct termios *lt, struct kpty_termios *t)
{
	t->c_iflag = lt->c_iflag;
	t->c_oflag = lt->c_oflag;
	t->c_cflag = lt->c_cflag;
	t->c_lflag = lt->c_lflag;
	memcpy(t->c_cc, lt->c_cc, KPTY_NCCS);
}

static void to_linux(const struct kpty_termios *t, struct termios *lt)
{
	lt->c_iflag = t->c_iflag;
	lt->c_oflag = t->c_oflag;
	lt->c_cflag = t->c_cflag;
	lt->c_lflag = t->c_lflag;
	memcpy(lt->c_cc, t->c_cc, KPTY_NCCS);
}

int kpty_os_get_termios(int master, struct kpty_termios *t)
{
	struct termios lt;

	if (tcgetattr(master, &lt) < 0)
		return -errno;
	to_kpty(&lt, t);
	return 0;
}

int kpty_os_set_termios(int master, const struct kpty_termios *t)
{
	struct termios lt;

	if (tcgetattr(master, &lt) < 0)
		return -errno;
	to_linux(t, &lt);
	return tcsetattr(master, TCSANOW, &lt) < 0 ? -errno : 0;
}

int kpty_os_set_winsize(int master, const struct kpty_winsize *ws)
{
	struct winsize w = {ws->ws_row, ws->ws_col, ws->ws_xpixel, ws->ws_ypixel};

	return ioctl(master, TIOCSWINSZ, &w) < 0 ? -errno : 0;
}

int kpty_os_get_winsize(int fd, struct kpty_winsize *ws)
{
	struct winsize w;

	if (ioctl(fd, TIOCGWINSZ, &w) < 0)
		return -errno;
	*ws = (struct kpty_winsize){w.ws_row, w.ws_col, w.ws_xpixel, w.ws_ypixel};
	return 0;
}

int kpty_os_signal(int master, int sig)
{
	return ioctl(master, TIOCSIG, sig) < 0 ? -errno : 0;
}

long kpty_os_read(int master, void *buf, size_t n, uint8_t *status)
{
	unsigned char pkt[4097];
	ssize_t r;

	if (n > sizeof pkt - 1)
		n = sizeof pkt - 1;
	r = read(master, pkt, n + 1);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -EIO;
	if (pkt[0] != TIOCPKT_DATA) {
		*status = pkt[0];
		return 0;
	}
	*status = 0;
	memcpy(buf, pkt + 1, (size_t)r - 1);
	return r - 1;
}

void kpty_os_child_signals(void)
{
	base_child_signals();
}

pid_t kpty_os_fork(void)
{
	pid_t pid = base_fork_held();

	if (pid == 0)
		prctl(PR_SET_NAME, KPTY_FORK_NAME, 0, 0, 0);
	return pid;
}

void kpty_os_signal_session(pid_t pid, int sig)
{
	if (pid <= 0)
		return;
	kill(pid, sig);
	kill(-pid, sig);
}

void kpty_os_child_exec_failed(void)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};

	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);
}

/* In the child, between fork and exec: only async-signal-safe calls
 * (the environment and argv are the caller's, made before the fork;
 * glibc's execvp searches PATH, read from environ, in stack buffers).
 * fd_bound: base_fd_bound, taken in the parent. */
static void child(int slave, const struct kpty_os_prog *p, int say, int fd_bound)
{
	struct kpty_os_said rec;
	int err;

	setsid();
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		goto fail;
	if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		goto fail;
	if (slave > 2)
		close(slave);
	/* Nothing the daemon has open goes to the program (a daemon run in
	 * the foreground may have been handed descriptors it never made):
	 * the exec pipe moved to 3, still closed on exec, and all above. */
	if (say >= 0 && say != 3) {
		if (dup3(say, 3, O_CLOEXEC) < 0)
			goto fail;
		say = 3;
	}
	base_child_closefrom(say >= 0 ? 4 : 3, fd_bound);
	kpty_os_child_signals();
	for (int i = 0; p->dirs && p->dirs[i]; i++) {
		if (chdir(p->dirs[i]) < 0)
			continue;
		rec = (struct kpty_os_said){KPTY_OS_SAID_DIR, i};
		if (i && say >= 0 && write(say, &rec, sizeof rec) < 0)
			say = -1;
		break;
	}
	if (p->envp)
		environ = (char **)p->envp;
	execvp(p->argv[0], p->argv);
fail:
	err = errno;
	kpty_os_child_exec_failed(); /* then the words on the terminal */
	rec = (struct kpty_os_said){KPTY_OS_SAID_EXEC, err};
	if (say >= 0 && write(say, &rec, sizeof rec) == (ssize_t)sizeof rec)
		_exit(127);
	/* Nobody reads a pipe: said on the terminal, as a shell would. */
	const char *why = strerrordesc_np(err);
	const char *parts[] = {"cannot run ", p->argv[0], ": ", why ? why : "unknown error", "\r\n"};
	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
		if (write(2, parts[i], strlen(parts[i])) < 0)
			break;
	_exit(127);
}

int kpty_os_spawn_prog(struct kpty_os_child *c, const struct kpty_os_prog *p,
		       const struct kpty_winsize *ws, unsigned flags, int *exec_fd)
{
	int master, slave = -1, say[2] = {-1, -1}, err = 0, on = 1, fd_bound = base_fd_bound();
	struct termios lt;
	pid_t pid;

	if (exec_fd)
		*exec_fd = -1;
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return -errno;
	if (grantpt(master) < 0 || unlockpt(master) < 0)
		goto fail_errno;
	slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		goto fail_errno;
	if (ws && kpty_os_set_winsize(master, ws) < 0)
		goto fail_errno;
	/* IUTF8: telly speaks UTF-8 end to end, so an erase takes back a
	 * whole character on the host's discipline as on the desk's (Linux
	 * starts a pty without it, and an erase after é would leave a byte
	 * the user no longer sees). */
	if (tcgetattr(slave, &lt) < 0)
		goto fail_errno;
	if (flags & KPTY_OS_RAW)
		cfmakeraw(&lt);
	lt.c_iflag |= IUTF8;
	if (flags & KPTY_OS_EXTPROC) {
		lt.c_lflag |= EXTPROC;
		flags |= KPTY_OS_PACKET;
	}
	if (tcsetattr(slave, TCSANOW, &lt) < 0)
		goto fail_errno;
	if ((flags & KPTY_OS_PACKET) && ioctl(master, TIOCPKT, &on) < 0)
		goto fail_errno;
	if (exec_fd && pipe2(say, O_CLOEXEC | O_NONBLOCK) < 0)
		goto fail_errno;
	pid = kpty_os_fork();
	if (pid < 0)
		goto fail_errno;
	if (pid == 0) {
		close(master);
		if (say[0] >= 0)
			close(say[0]);
		child(slave, p, say[1], fd_bound);
	}
	/* Never waited for here: the caller reads the pipe when it is
	 * ready (its end of file comes at the exec). */
	if (say[1] >= 0)
		close(say[1]);
	if (exec_fd)
		*exec_fd = say[0];
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	c->master = master;
	c->slave = slave;
	c->pid = pid;
	return 0;

fail_errno:
	err = errno;
	if (say[0] >= 0)
		close(say[0]);
	if (say[1] >= 0)
		close(say[1]);
	if (slave >= 0)
		close(slave);
	close(master);
	return -err;
}

int kpty_os_spawn(struct kpty_os_child *c, char *const argv[], const struct kpty_winsize *ws,
		  unsigned flags)
{
	const struct kpty_os_prog p = {.argv = argv};

	return kpty_os_spawn_prog(c, &p, ws, flags, NULL);
}

void kpty_os_said_parse(const void *buf, size_t n, int *dir, int *exec_err)
{
	struct kpty_os_said rec;

	*dir = 0;
	*exec_err = 0;
	for (size_t off = 0; off + sizeof rec <= n; off += sizeof rec) {
		memcpy(&rec, (const char *)buf + off, sizeof rec);
		if (rec.what == KPTY_OS_SAID_DIR && rec.val > 0)
			*dir = rec.val;
		else if (rec.what == KPTY_OS_SAID_EXEC)
			*exec_err = rec.val > 0 ? rec.val : EIO;
	}
	if (n % sizeof rec) /* cut short: it did not run as asked */
		*exec_err = EIO;
}

int kpty_os_input_queued(const struct kpty_os_child *c)
{
	struct pollfd pf = {.fd = c->slave, .events = POLLIN};
	int n = 0;

	/* Bytes written to the master reach the slave's discipline from a
	 * work queue; until then FIONREAD says 0. A poll() on a slave with
	 * nothing to read runs that pending work first (n_tty_poll). */
	poll(&pf, 1, 0);
	if (ioctl(c->slave, FIONREAD, &n) < 0)
		return -errno;
	return n;
}

int kpty_os_flush_input(const struct kpty_os_child *c)
{
	return tcflush(c->slave, TCIFLUSH) < 0 ? -errno : 0;
}

int kpty_os_reap(struct kpty_os_child *c, int *status)
{
	pid_t r;

	if (c->pid <= 0)
		return 1;
	do
		r = waitpid(c->pid, status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return 0;
	c->pid = 0;
	return 1;
}

void kpty_os_close(struct kpty_os_child *c)
{
	if (c->slave >= 0)
		close(c->slave);
	if (c->master >= 0)
		close(c->master);
	c->slave = c->master = -1;
}

bool kpty_os_inq_push(struct kpty_os_inq *q, const void *buf, size_t n, uint64_t tag)
{
	if (n == 0)
		return true;
	if (q->count == KPTY_OS_INQ_CHUNKS || n > sizeof q->buf - q->len)
		return false;
	memcpy(q->buf + q->len, buf, n);
	q->len += n;
	q->chunk[q->count].end = q->len;
	q->chunk[q->count].tag = tag;
	q->count++;
	return true;
}

bool kpty_os_inq_mark(struct kpty_os_inq *q, uint64_t tag)
{
	if (!q->count || q->count == KPTY_OS_INQ_CHUNKS)
		return false;
	q->chunk[q->count].end = q->len;
	q->chunk[q->count].tag = tag;
	q->count++;
	return true;
}

void kpty_os_inq_clear(struct kpty_os_inq *q)
{
	q->len = q->written = 0;
	q->count = 0;
}

static void inq_pop(struct kpty_os_inq *q)
{
	size_t n = q->chunk[0].end;

	memmove(q->buf, q->buf + n, q->len - n);
	q->len -= n;
	q->written = 0;
	q->count--;
	memmove(q->chunk, q->chunk + 1, q->count * sizeof q->chunk[0]);
	for (unsigned i = 0; i < q->count; i++)
		q->chunk[i].end -= n;
}

int kpty_os_inq_feed(struct kpty_os_inq *q, const struct kpty_os_child *c, bool paced,
		     void (*done)(void *ctx, uint64_t tag), void *ctx)
{
	while (q->count) {
		size_t end = q->chunk[0].end;

		/* A mark (no bytes) is done once everything before it is. */
		if (end > 0) {
			if (paced && q->written == 0 && kpty_os_input_queued(c) != 0)
				return 1;
			ssize_t w = write(c->master, q->buf + q->written, end - q->written);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return errno == EAGAIN ? 1 : -errno;
			}
			q->written += (size_t)w;
			if (q->written < end)
				return 1;
		}
		uint64_t tag = q->chunk[0].tag;
		inq_pop(q);
		if (done)
			done(ctx, tag);
	}
	return 0;
}
