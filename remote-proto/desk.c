/* The desk side of the protocol (see desk.h): reaching a daemon here (the
 * caller's way), through ssh (`ssh HOST telly serve --stdio`) or over TCP
 * with a token; HELLO; requests answered in order; what a desk sends. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "desk.h"
#include "direct.h"

#define DESK_QUEUE_ENTRIES 4096
#define DESK_QUEUE_BYTES (8u << 20)
#define HELLO_TIMEOUT_MS 30000 /* ssh may ask for a passphrase */
#define TOKEN_MAX_BYTES 128
#define SSH_EXIT_WAIT_MS 2000 /* ssh that closed its end is about to exit */
#define DIRECT_HANDSHAKE_MS 10000 /* the direct transport's handshake, once connected */
#define DIRECT_REFUSED_AGAIN_MS 10000 /* refused this long: ssh for a new secret */
/* A default direct connection's first try, connect and handshake each: a
 * port dropped by a firewall costs this, then ssh is used. */
#define DIRECT_FIRST_MS 3000
#define DIRECT_STDERR_BYTES 4096 /* what the bootstrap's ssh says on stderr, kept */

/* Quote s for /bin/sh in single quotes. */
static void shell_quote(char *out, size_t n, const char *s)
{
	size_t o = 0;

	if (o < n - 1)
		out[o++] = '\'';
	for (; *s && o < n - 5; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	if (o < n - 1)
		out[o++] = '\'';
	out[o] = 0;
}

/* The token: the first line of the file. 0, or -1 with err said. */
static int read_token(const char *path, char *out, size_t n, char *err, size_t errn)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errn, "token file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(out, (int)n, f)) {
		snprintf(err, errn, "token file %s is empty", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = 0;
	return 0;
}

/* Who, for a console's notices and audit log ("telly:alice"). */
static void who_am_i(char *me, size_t n)
{
	const char *user = getenv("USER");
	const struct passwd *pw = user && *user ? NULL : getpwuid(getuid());

	if (pw)
		user = pw->pw_name;
	snprintf(me, n, "telly:%s", user && *user ? user : "?");
}

/* HELLO, and d's first frames right behind it in the same write, then
 * the host's HELLO awaited, d's more sent as they come meanwhile (d
 * NULL: neither). */
static int hello_first(struct rp_conn *c, uint32_t caps, const char *token, const char *who,
		       const struct rp_dest *d, int timeout_ms, struct rp_hdr *h,
		       const uint8_t **p, char *err, size_t errn)
{
	size_t first_n = 0;
	const uint8_t *first = !d		 ? NULL
			       : d->take_first ? d->take_first(d->more_ctx, &first_n)
					       : d->first;

	if (d && !d->take_first && first)
		first_n = d->first_n;
	uint8_t buf[RP_HDR_SIZE + 16 + TOKEN_MAX_BYTES + 256];
	struct rp_hdr hh;
	const uint8_t *pp;
	struct rp_hello hello;
	long n = rp_hello_frame(buf, sizeof buf, caps, token, who);
	int r;

	if (!h)
		h = &hh;
	if (!p)
		p = &pp;
	if (n < 0 || rp_conn_send(c, buf, (size_t)n) < 0 ||
	    (first_n && rp_conn_send(c, first, first_n) < 0)) {
		snprintf(err, errn, "cannot say HELLO (token or name too long, or out of memory)");
		return n < 0 ? (int)n : -ENOMEM;
	}
	r = rp_conn_next_frame_or(c, h, p, timeout_ms, d && d->more.fn ? &d->more : NULL,
				  d ? d->more_ctx : NULL);
	if (r < 0) {
		snprintf(err, errn, "no answer from the server: %s", strerror(-r));
		return r;
	}
	if (h->type == RP_ERROR) {
		struct rp_error m;
		if (rp_error_decode(*p, h->len, &m) < 0)
			goto malformed;
		snprintf(err, errn, "server: %.*s", (int)m.msg.n, m.msg.p);
		return -EREMOTEIO;
	}
	if (h->type != RP_HELLO || rp_hello_decode(*p, h->len, &hello) < 0)
		goto malformed;
	if (hello.version != RP_VERSION) {
		snprintf(err, errn, "server speaks protocol version %u, this is %u", hello.version,
			 RP_VERSION);
		return -EPROTO;
	}
	rp_conn_set_peer_caps(c, hello.caps);
	/* "telly serve HOSTNAME" (before: "telly serve", no name). */
	if (hello.name.n > sizeof RP_HELLO_HOST_PREFIX - 1 &&
	    !memcmp(hello.name.p, RP_HELLO_HOST_PREFIX, sizeof RP_HELLO_HOST_PREFIX - 1))
		rp_conn_set_host_name(c, (const char *)hello.name.p + sizeof RP_HELLO_HOST_PREFIX - 1,
				      hello.name.n - (sizeof RP_HELLO_HOST_PREFIX - 1));
	return 0;
malformed:
	snprintf(err, errn, "the server's HELLO was malformed");
	return -EPROTO;
}

int rp_desk_hello(struct rp_conn *c, uint32_t caps, const char *token, const char *who,
		  int timeout_ms, struct rp_hdr *h, const uint8_t **p, char *err, size_t errn)
{
	return hello_first(c, caps, token, who, NULL, timeout_ms, h, p, err, errn);
}

/* How ssh (pid) ended, waiting up to SSH_EXIT_WAIT_MS for it: its exit
 * status (0-255), 256 + the signal that ended it, or -1 if it has not. The
 * child is left for the transport to reap (WNOWAIT). */
static int ssh_exit(pid_t pid)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd p = {.fd = pfd, .events = POLLIN};
	siginfo_t si;

	memset(&si, 0, sizeof si);
	if (pfd >= 0) {
		poll(&p, 1, SSH_EXIT_WAIT_MS);
		close(pfd);
	}
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid != pid)
		return -1;
	return si.si_code == CLD_EXITED ? si.si_status : 256 + si.si_status;
}

/* ssh ended, or closed its end, before the daemon said HELLO (status:
 * ssh_exit's): what its exit status says. ssh's own 255 (the host could
 * not be resolved, reached or logged in to; ssh printed why on stderr) is
 * not the shell's 127 there (no telly in its PATH). */
static void ssh_failed(const struct rp_dest *d, int status, int r, char *err, size_t errn)
{
	const char *server = d->server ? d->server : "telly";

	if (status < 0) {
		snprintf(err, errn, "no answer from %s through ssh (%s)", d->host, strerror(-r));
	} else if (status > 255) {
		snprintf(err, errn, "ssh to %s ended by signal %d before %s answered", d->host,
			 status - 256, server);
	} else if (status == 255) {
		snprintf(err, errn,
			 "ssh could not reach or log in to %s (ssh's exit status 255; its message "
			 "is above)",
			 d->host);
	} else if (status == 127) {
		snprintf(err, errn,
			 "'%s' was not found on %s (exit status 127): is telly installed there, in "
			 "the PATH of a non-interactive ssh session? (--server PATH names it)",
			 server, d->host);
	} else if (status == 126) {
		snprintf(err, errn, "'%s' on %s cannot be run (exit status 126)", server, d->host);
	} else {
		snprintf(err, errn, "'%s serve --stdio' on %s ended with status %d before answering",
			 server, d->host, status);
	}
}

/* The host part of [user@]host. */
static const char *dest_host(const char *dest)
{
	const char *at = strrchr(dest, '@');

	return at ? at + 1 : dest;
}

/* `TELLY DIRECT ADDR PORT SECRET` into dx; -1 if it is not that. */
static int direct_line(const char *line, struct rp_direct *dx)
{
	char addr[80], port[16], hex[2 * RP_DX_SECRET_BYTES + 2];
	int used = 0;

	if (sscanf(line, "TELLY DIRECT %79s %15s %65s%n", addr, port, hex, &used) != 3 ||
	    strlen(hex) != 2 * RP_DX_SECRET_BYTES || strspn(port, "0123456789") != strlen(port))
		return -1;
	for (int i = 0; i < RP_DX_SECRET_BYTES; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		dx->secret[i] = (uint8_t)v;
	}
	explicit_bzero(hex, sizeof hex);
	snprintf(dx->host, sizeof dx->host, "%s", addr);
	snprintf(dx->port, sizeof dx->port, "%s", port);
	return 0;
}

/* What the bootstrap's ssh says on stderr, kept to be passed on (bounded:
 * the rest is read and dropped, ssh blocks on a full pipe). */
struct said {
	int fd;
	size_t n;
	char buf[DIRECT_STDERR_BYTES];
};

/* Read what s->fd has, waiting up to ms for more; at its end it is closed
 * (fd -1). */
static void said_read(struct said *s, int ms)
{
	long deadline = base_now_ms() + ms;

	while (s->fd >= 0) {
		struct pollfd p = {.fd = s->fd, .events = POLLIN};
		long left = deadline - base_now_ms();
		char junk[512];
		bool room = s->n < sizeof s->buf;
		if (poll(&p, 1, left > 0 ? (int)left : 0) <= 0)
			return;
		ssize_t n = read(s->fd, room ? s->buf + s->n : junk,
				 room ? sizeof s->buf - s->n : sizeof junk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			close(s->fd);
			s->fd = -1;
		} else if (room) {
			s->n += (size_t)n;
		}
	}
}

/* --direct's first step: ssh runs `telly serve --direct-key` on the host
 * and its line is read from ssh's stdout (ssh then exits); where to
 * connect is worked out here. 0; -2 when the host's telly gave no line
 * (an older telly that does not know --direct-key: ssh got in, telly
 * ran and ended) or another one; -1 for the rest (ssh could not get in,
 * no telly there, no answer); err said. What ssh said on stderr is
 * passed on after, unless quiet_old and -2 (an older telly's usage is no
 * news to a person whose connection goes on over ssh). */
static int direct_bootstrap(const struct rp_dest *d, struct rp_direct *dx, bool quiet_old,
			    char *err, size_t errn)
{
	char cmd[2048], qhost[600], qbind[300] = "", line[512];
	struct said said = {.fd = -1};
	size_t got = 0;
	long deadline = base_now_ms() + HELLO_TIMEOUT_MS;
	struct rp_transport *t;
	int r = -ETIMEDOUT, ep[2], ret = -1;

	shell_quote(qhost, sizeof qhost, d->host);
	if (d->direct_bind) {
		char q[260];
		shell_quote(q, sizeof q, d->direct_bind);
		snprintf(qbind, sizeof qbind, " --direct-bind %s", q);
	}
	snprintf(cmd, sizeof cmd, "%s %s %s serve --direct-key%s", d->ssh ? d->ssh : "ssh", qhost,
		 d->server ? d->server : "telly", qbind);
	if (pipe2(ep, O_CLOEXEC) < 0) {
		snprintf(err, errn, "cannot make a pipe: %s", strerror(errno));
		return -1;
	}
	t = rp_transport_spawn_err(cmd, ep[1]);
	close(ep[1]);
	said.fd = ep[0];
	if (!t) {
		snprintf(err, errn, "cannot run %s: %s", cmd, strerror(errno));
		close(ep[0]);
		return -1;
	}
	while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
		struct pollfd p[2] = {{.fd = t->rfd, .events = POLLIN},
				      {.fd = said.fd, .events = POLLIN}};
		long left = deadline - base_now_ms();
		if (left <= 0)
			break;
		if (poll(p, said.fd < 0 ? 1 : 2, (int)left) < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (said.fd >= 0 && p[1].revents)
			said_read(&said, 0);
		if (!p[0].revents)
			continue;
		ssize_t n = read(t->rfd, line + got, sizeof line - 1 - got);
		if (n == 0) {
			r = -ECONNRESET;
			break;
		}
		if (n > 0)
			got += (size_t)n;
	}
	line[got] = 0;
	if (memchr(line, '\n', got) && direct_line(line, dx) == 0) {
		ret = 0;
		said_read(&said, 0); /* ssh's goodbye is not waited for */
	} else if (memchr(line, '\n', got)) {
		snprintf(err, errn, "%s on %s did not say TELLY DIRECT: an older one?",
			 d->server ? d->server : "telly", d->host);
		ret = -2;
		said_read(&said, SSH_EXIT_WAIT_MS);
	} else {
		/* Not ssh's 255 (it could not get in), nor the shell's 126
		 * or 127 (no telly to run): telly ran and did not know the
		 * option. */
		int status = ssh_exit(t->pid);
		said_read(&said, SSH_EXIT_WAIT_MS);
		if (status >= 0 && status < 126) {
			snprintf(err, errn, "%s on %s ended with status %d at --direct-key: an older one?",
				 d->server ? d->server : "telly", d->host, status);
			ret = -2;
		} else {
			ssh_failed(d, status, r, err, errn);
		}
	}
	explicit_bzero(line, sizeof line);
	rp_transport_destroy(t); /* ssh has said all; it exits */
	if (said.fd >= 0)
		close(said.fd);
	if (said.n && !(quiet_old && ret == -2)) {
		ssize_t w = write(STDERR_FILENO, said.buf, said.n);
		(void)w; /* nowhere to say it */
	}
	if (ret < 0)
		return ret;
	/* Where to connect: --direct-connect, else the host ssh was given
	 * (what the desk reaches it by), else the address the host said. */
	const char *to = d->direct_connect ? d->direct_connect : dest_host(d->host);
	char host[256];
	const char *port = NULL;
	if (d->direct_connect && rp_host_port(d->direct_connect, host, sizeof host, &port) == 0)
		to = host;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
	if (!d->direct_connect && getaddrinfo(to, dx->port, &hints, &res) != 0)
		to = dx->host; /* an ssh_config alias, say */
	else if (!d->direct_connect)
		freeaddrinfo(res);
	/* (not onto itself: a copy of dx->host into dx->host is undefined,
	 * and glibc's leaves it empty) */
	if (to != dx->host)
		snprintf(dx->host, sizeof dx->host, "%s", to);
	if (port && *port)
		snprintf(dx->port, sizeof dx->port, "%s", port);
	dx->have = true;
	return 0;
}

/* The direct transport to d->host (dx: what earlier connects learned).
 * NULL with err said; *fall when it was only the default and this is the
 * first connect (err then says why, for the note). */
/* Whether ssh reaches d->host through a ProxyJump or a ProxyCommand, as
 * `SSH -G HOST` says (it reads the config and connects nowhere). Such a
 * host (behind a bastion) seldom has a port the desk reaches, so where
 * direct is only the default, ssh is used at once rather than after a
 * connect's time and a second login. An --ssh whose -G fails says no. */
static bool ssh_proxied(const struct rp_dest *d)
{
	char cmd[2048], qhost[600], line[512];
	bool proxied = false, at_start = true;
	FILE *f;

	shell_quote(qhost, sizeof qhost, d->host);
	snprintf(cmd, sizeof cmd, "exec %s -G %s </dev/null 2>/dev/null", d->ssh ? d->ssh : "ssh",
		 qhost);
	if (!(f = popen(cmd, "re")))
		return false;
	/* One setting a line; a long line comes in pieces, only a line's
	 * first piece names its setting. */
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		if (at_start && (!strncmp(line, "proxyjump ", 10) || !strncmp(line, "proxycommand ", 13)))
			proxied |= strcmp(strchr(line, ' ') + 1, "none\n") != 0;
		at_start = n && line[n - 1] == '\n';
	}
	return pclose(f) == 0 && proxied;
}

static struct rp_transport *direct_connect(const struct rp_dest *d, struct rp_direct *dx,
					   bool *fall, char *err, size_t errn)
{
	bool may_fall = d->direct_default && !dx->connected, had = dx->have;
	int ms = may_fall ? DIRECT_FIRST_MS : DIRECT_HANDSHAKE_MS, r;
	struct rp_transport *t;

	if (!had && (r = direct_bootstrap(d, dx, may_fall, err, errn)) < 0) {
		*fall = may_fall && r == -2;
		return NULL;
	}
	t = rp_transport_direct_connect(dx->host, dx->port, dx->secret, ms, err, errn);
	if (!t && may_fall) {
		*fall = true;
		return NULL;
	}
	/* The host no longer knows the secret (it was forgotten, the daemon
	 * restarted), or nothing has listened there for a while (a daemon
	 * restarted on another port): ssh for a new one, once (a redial's
	 * ssh is in batch mode). A refusal for less long is a link's
	 * trouble: redials go on as they are. */
	int e = errno;
	long now = base_now_ms();
	if (t || e != ECONNREFUSED)
		dx->refused_since_ms = 0;
	else if (!dx->refused_since_ms)
		dx->refused_since_ms = now;
	if (!t && had &&
	    (e == EACCES ||
	     (e == ECONNREFUSED && now - dx->refused_since_ms >= DIRECT_REFUSED_AGAIN_MS))) {
		bool connected = dx->connected;
		explicit_bzero(dx, sizeof *dx);
		dx->connected = connected;
		if (direct_bootstrap(d, dx, false, err, errn) < 0)
			return NULL;
		t = rp_transport_direct_connect(dx->host, dx->port, dx->secret, ms, err, errn);
	}
	if (t)
		dx->connected = true;
	return t;
}

/* Not the direct transport: TCP with a token (read into token), ssh, or
 * this host's daemon. NULL with err said. */
static struct rp_transport *plain_transport(const struct rp_dest *d, bool start, char *token,
					    char *err, size_t errn)
{
	struct rp_transport *t = NULL;

	if (d->tcp) {
		char host[256];
		const char *port;
		if (rp_host_port(d->tcp, host, sizeof host, &port) < 0 || !d->token_file) {
			snprintf(err, errn, "tcp needs HOST:PORT and --token-file");
			return NULL;
		}
		if (read_token(d->token_file, token, TOKEN_MAX_BYTES, err, errn) < 0)
			return NULL;
		t = rp_transport_tcp_connect(host, port);
		if (!t)
			snprintf(err, errn, "cannot connect to %s: %s", d->tcp, strerror(errno));
	} else if (d->host) {
		char cmd[2048], qhost[600];
		shell_quote(qhost, sizeof qhost, d->host);
		snprintf(cmd, sizeof cmd, "%s %s %s serve --stdio", d->ssh ? d->ssh : "ssh", qhost,
			 d->server ? d->server : "telly");
		t = rp_transport_spawn(cmd);
		if (!t)
			snprintf(err, errn, "cannot run %s: %s", cmd, strerror(errno));
	} else if (d->connect_local) {
		t = d->connect_local(d->local_ctx, start, err, errn);
	} else {
		snprintf(err, errn, "no way to reach a daemon on this host");
	}
	return t;
}

/* A DEST ssh can be given: a host after the user@, if any, and no
 * blank or control character; one that starts with '-' would be an ssh
 * option. (ssh printed its usage for "@", and "user@" was an unknown
 * host "".) */
static bool dest_ok(const char *host)
{
	const char *at = strrchr(host, '@');

	if (!*host || *host == '-' || (at && !at[1]))
		return false;
	for (const char *p = host; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

struct rp_conn *rp_desk_connect(const struct rp_dest *d, bool start, char *err, size_t errn)
{
	struct rp_transport *t = NULL;
	struct rp_conn *c;
	char token[TOKEN_MAX_BYTES] = "", me[80];
	struct rp_direct once = {0};
	bool direct = d->direct && !(d->dx && d->dx->over_ssh);
	int r;

	if (d->host && !d->tcp && !dest_ok(d->host)) {
		snprintf(err, errn, "'%.100s' is not a destination: [user@]host, as ssh takes it",
			 d->host);
		return NULL;
	}
	if (direct && !d->host) {
		snprintf(err, errn, "--direct needs DEST, the host ssh reaches");
		return NULL;
	}
	if (direct && d->direct_default && !(d->dx && d->dx->have) && ssh_proxied(d)) {
		if (d->dx)
			d->dx->over_ssh = true; /* (redials too) */
		direct = false;
	}
	if (direct) {
		struct rp_direct *dx = d->dx ? d->dx : &once;
		bool fall = false;
		t = direct_connect(d, dx, &fall, err, errn);
		if (dx == &once)
			explicit_bzero(&once, sizeof once);
		if (fall) {
			/* Said once: redials stay on ssh. */
			fprintf(stderr, "%s: no direct connection (%s); going over ssh\n",
				d->prog ? d->prog : "telly", err);
			if (d->dx) {
				explicit_bzero(d->dx, sizeof *d->dx);
				d->dx->over_ssh = true;
			}
			direct = false;
		}
	}
	if (!direct)
		t = plain_transport(d, start, token, err, errn);
	if (!t)
		return NULL;
	c = rp_conn_create(t, DESK_QUEUE_ENTRIES, DESK_QUEUE_BYTES);
	if (!c) {
		rp_transport_destroy(t);
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	who_am_i(me, sizeof me);
	/* Output compressed where the bytes cross ssh or a network; on this
	 * host the copy through the socket costs less than lz4. */
	bool lz4 = d->compress > 0 || (!d->compress && (d->host || d->tcp));
	r = hello_first(c, RP_CAP_LINEMODE | d->caps | (lz4 ? RP_CAP_LZ4 : 0), token, me, d,
			HELLO_TIMEOUT_MS, NULL, NULL, err, errn);
	explicit_bzero(token, sizeof token);
	if (r < 0 && r != -EREMOTEIO && r != -EPROTO && d->host && !direct && t->pid > 0)
		ssh_failed(d, ssh_exit(t->pid), r, err, errn);
	if (r < 0) {
		rp_conn_destroy(c);
		return NULL;
	}
	return c;
}

int rp_desk_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req, struct rp_hdr *h,
		 const uint8_t **payload, int timeout_ms, char *err, size_t errn)
{
	if (rp_conn_send(c, frame, n) < 0) {
		snprintf(err, errn, "cannot queue the request");
		return -ENOBUFS;
	}
	return rp_desk_wait(c, req, h, payload, timeout_ms, err, errn);
}

int rp_desk_wait(struct rp_conn *c, uint32_t req, struct rp_hdr *h, const uint8_t **payload,
		 int timeout_ms, char *err, size_t errn)
{
	long deadline = base_now_ms() + timeout_ms;
	int r;

	for (;;) {
		r = rp_conn_next_frame(c, h, payload, (int)(deadline - base_now_ms()));
		if (r < 0) {
			snprintf(err, errn, "no answer from the server: %s", strerror(-r));
			return r;
		}
		/* The host measures the link from its first PING on; one
		 * left unanswered here would leave it unmeasured, and a dead
		 * desk taken for one only after RP_LINK_HOST_FIRST_DEAD_MS. */
		r = rp_desk_answer_ping(c, h, *payload);
		if (r < 0) {
			snprintf(err, errn, "malformed PING from the server");
			return r;
		}
		if (r > 0)
			continue;
		if (h->type == RP_ERROR) {
			struct rp_error m;
			if (rp_error_decode(*payload, h->len, &m) < 0) {
				snprintf(err, errn, "malformed ERROR from the server");
				return -EPROTO;
			}
			if (m.req != req && !(h->flags & RP_F_FATAL))
				continue;
			snprintf(err, errn, "%.*s", (int)m.msg.n, m.msg.p);
			return -EREMOTEIO;
		}
		uint32_t got;
		struct rp_str name;
		uint16_t count;
		size_t off;
		if ((h->type == RP_OK && rp_req_str_decode(*payload, h->len, &got, &name) == 0) ||
		    (h->type == RP_LIST_REPLY &&
		     rp_list_reply_decode(*payload, h->len, &got, &count, &off) == 0)) {
			if (got == req)
				return 0;
		}
	}
}

int rp_dest_option(int argc, char **argv, int *i, struct rp_dest *d)
{
	const char *o = argv[*i];

	if (!strcmp(o, "--compress") || !strcmp(o, "--no-compress")) {
		d->compress = o[2] == 'c' ? 1 : -1;
		return 1;
	}
	if (!strcmp(o, "--direct") || !strcmp(o, "--no-direct")) {
		d->direct = o[2] == 'd';
		d->direct_opt = d->direct ? 1 : -1;
		return 1;
	}
	const char **slot = !strcmp(o, "--ssh")          ? &d->ssh
			    : !strcmp(o, "--server")     ? &d->server
			    : !strcmp(o, "--tcp")        ? &d->tcp
			    : !strcmp(o, "--token-file") ? &d->token_file
			    : !strcmp(o, "--direct-bind") ? &d->direct_bind
			    : !strcmp(o, "--direct-connect") ? &d->direct_connect
							 : NULL;

	if (!slot)
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*slot = argv[++*i];
	return 1;
}

int rp_dest_args(int npos, char **pos, struct rp_dest *d, const char **name, char *hostbuf,
		 size_t hostn)
{
	if (npos > 2)
		return -1;
	if (npos == 2) {
		d->host = pos[0];
		*name = pos[1];
	} else if (npos == 1) {
		const char *colon = strchr(pos[0], ':');
		if (colon) {
			snprintf(hostbuf, hostn, "%.*s", (int)(colon - pos[0]), pos[0]);
			d->host = hostbuf;
			if (colon[1])
				*name = colon + 1;
		} else if (strchr(pos[0], '@')) {
			d->host = pos[0];
		} else {
			*name = pos[0];
		}
	}
	return 0;
}

long rp_desk_open_frame(uint8_t *frame, size_t cap, uint32_t req, uint8_t flags, const char *name,
			const char *term, const char *cwd, const struct kpty_winsize *ws, char **cmd,
			int ncmd)
{
	char here[1024] = "";

	if (!cwd)
		cwd = getcwd(here, sizeof here) ? here : "";
	return rp_open_frame(frame, cap, req, flags, name, term, cwd, ws, cmd, ncmd);
}

int rp_desk_send_data(struct rp_conn *c, uint8_t type, uint16_t chan, uint32_t *seq,
		      const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		uint8_t frame[RP_MAX_FRAME];
		size_t chunk = n > RP_MAX_PAYLOAD - 4 ? RP_MAX_PAYLOAD - 4 : n;
		struct rp_enc e;
		long len;
		int r;

		rp_enc_begin(&e, frame, sizeof frame, type, 0, chan);
		if (seq)
			rp_put_u32(&e, ++*seq);
		rp_put_bytes(&e, p, chunk);
		len = rp_enc_end(&e);
		if (len < 0)
			return (int)len;
		r = rp_conn_send(c, frame, (size_t)len);
		if (r < 0)
			return r;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

int rp_desk_send_signal(struct rp_conn *c, uint16_t chan, int sig, bool flush)
{
	uint8_t buf[16];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_SIGNAL, 0, chan);
	rp_put_u8(&e, (uint8_t)sig);
	rp_put_u8(&e, flush);
	n = rp_enc_end(&e);
	return n < 0 ? (int)n : rp_conn_send(c, buf, (size_t)n);
}

int rp_desk_send_winsize(struct rp_conn *c, uint16_t chan, const struct kpty_winsize *ws)
{
	uint8_t buf[32];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_WINSIZE, 0, chan);
	rp_put_winsize(&e, ws);
	n = rp_enc_end(&e);
	return n < 0 ? (int)n : rp_conn_send(c, buf, (size_t)n);
}

int rp_desk_send_empty(struct rp_conn *c, uint8_t type, uint16_t chan)
{
	uint8_t hdr[RP_HDR_SIZE];

	rp_hdr_encode(hdr, type, 0, chan, 0);
	return rp_conn_send(c, hdr, sizeof hdr);
}
