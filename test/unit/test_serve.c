/* The daemon's own logic as plain calls, with no listening socket: the
 * session table, dispatch of each message (good and malformed) to its
 * handler with the answer a desk would read, the console's one writer and
 * takeover, the viewer drop policy. A connection is a socketpair (the
 * daemon's end given to conn_add as accept would); sessions are a kind
 * made here (struct session_ops), or a console whose backend is down.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "serve/serve.h"
#include "unit.h"
#include "vmc.h"

/* ---- a kind of session that records what reached it ---- */

struct fake {
	struct session s;
	char in[512];
	size_t in_len;
	int inputs, sig, kills, stops, resizes, reaps;
	bool flush, stall;
};

static int fakes_destroyed;

static struct fake *fk(struct session *s)
{
	return (struct fake *)s;
}

static size_t fake_read(struct session *s)
{
	(void)s;
	return 0;
}

static int fake_input(struct session *s, struct chan *v, const struct rp_data *d)
{
	struct fake *f = fk(s);

	if (f->stall)
		return FRAME_STALL;
	if (f->in_len + d->n <= sizeof f->in) {
		memcpy(f->in + f->in_len, d->p, d->n);
		f->in_len += d->n;
	}
	f->inputs++;
	v->written_seq = d->seq;
	return FRAME_DONE;
}

static int fake_signal(struct session *s, int sig, bool flush, char *err, size_t errn)
{
	(void)err;
	(void)errn;
	fk(s)->sig = sig;
	fk(s)->flush = flush;
	return 0;
}

static void fake_resize(struct session *s, const struct kpty_winsize *ws)
{
	(void)ws;
	fk(s)->resizes++;
}

static int fake_kill(struct session *s, bool stop, char *err, size_t errn)
{
	(void)err;
	(void)errn;
	if (stop)
		fk(s)->stops++;
	else
		fk(s)->kills++;
	return 0;
}

static void fake_reap(struct session *s)
{
	fk(s)->reaps++;
}

static void fake_describe(struct session *s, char *cmd, size_t n, pid_t *pid)
{
	snprintf(cmd, n, "fake %s", s->name);
	*pid = 4242;
}

static void fake_destroy(struct session *s, struct fdm *fdm)
{
	(void)fdm;
	fakes_destroyed++;
	free(s);
}

static const struct session_ops fake_ops = {
	.kind = "fake",
	.read = fake_read,
	.input = fake_input,
	.signal = fake_signal,
	.resize = fake_resize,
	.kill = fake_kill,
	.reap = fake_reap,
	.describe = fake_describe,
	.destroy = fake_destroy,
};

static struct fake *fake_add(struct server *srv, const char *name)
{
	char err[100];
	struct session *s = session_alloc(srv, sizeof(struct fake), &fake_ops, name, err, sizeof err);

	if (!s)
		return NULL;
	s->sb_lines = 10;
	s->sb_bytes = 4096;
	session_insert(srv, s);
	return fk(s);
}

/* ---- a daemon, and desks on socketpairs ---- */

struct fixture {
	char dir[64];
	struct server *srv;
};

static void fixture_init(struct fixture *fx)
{
	const struct telly_serve_opts o = {.log_cap = TELLY_LOG_CAP_DEFAULT};
	char path[128];

	snprintf(fx->dir, sizeof fx->dir, "/tmp/telly-unit-serve.XXXXXX");
	CHECK(mkdtemp(fx->dir) != NULL);
	snprintf(path, sizeof path, "%s/logs", fx->dir); /* as serve_main makes it */
	CHECK_EQ(mkdir(path, 0700), 0);
	fx->srv = server_create(fx->dir, &o);
	CHECK(fx->srv != NULL);
	snprintf(path, sizeof path, "%s/audit.log", fx->dir);
	fx->srv->audit_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	snprintf(fx->srv->token, sizeof fx->srv->token, "%s",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
}

static void fixture_finish(struct fixture *fx)
{
	char cmd[128];

	if (fx->srv->audit_fd >= 0)
		close(fx->srv->audit_fd);
	server_destroy(fx->srv);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
	CHECK(system(cmd) == 0);
}

/* The audit log as text (at most n - 1 bytes). */
static const char *audit(struct fixture *fx, char *out, size_t n)
{
	char path[128];
	FILE *f;
	size_t got = 0;

	snprintf(path, sizeof path, "%s/audit.log", fx->dir);
	if ((f = fopen(path, "r"))) {
		got = fread(out, 1, n - 1, f);
		fclose(f);
	}
	out[got] = 0;
	return out;
}

struct desk {
	struct conn *c;
	int peer;
	/* What the desk read: frames parsed from buf. */
	uint8_t buf[512 << 10];
	size_t len;
	int n;
	struct rp_hdr h[256];
	const uint8_t *p[256];
};

static struct desk *desk_new(struct server *srv, bool tcp)
{
	struct desk *d = calloc(1, sizeof *d);
	int sv[2];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};

	if (!d || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		free(d);
		return NULL;
	}
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	conn_add(srv, sv[0], tcp, (struct sockaddr *)&a, sizeof a);
	d->c = srv->conns; /* the newest is first */
	d->peer = sv[1];
	return d;
}

static void desk_free(struct desk *d)
{
	if (!d)
		return;
	close(d->peer);
	free(d);
}

/* A frame from the desk, handed to the daemon as its loop would. */
static int send_frame(struct server *srv, struct desk *d, const void *frame, long n)
{
	struct rp_hdr h;

	CHECK(n >= RP_HDR_SIZE);
	CHECK_EQ(rp_hdr_decode(frame, (size_t)n, &h), 0);
	return dispatch_frame(srv, d->c, &h, (const uint8_t *)frame + RP_HDR_SIZE);
}

/* Everything the daemon queued for the desk, written and read back. */
static void take(struct desk *d)
{
	d->len = 0;
	d->n = 0;
	for (;;) {
		int r = rp_conn_flush(d->c->rc);
		ssize_t got = recv(d->peer, d->buf + d->len, sizeof d->buf - d->len, 0);
		if (got > 0)
			d->len += (size_t)got;
		if (r <= 0 && got <= 0)
			break;
		if (d->len == sizeof d->buf)
			break;
	}
	for (size_t off = 0; off + RP_HDR_SIZE <= d->len && d->n < 256;) {
		struct rp_hdr *h = &d->h[d->n];
		if (rp_hdr_decode(d->buf + off, d->len - off, h) != 0 ||
		    off + RP_HDR_SIZE + h->len > d->len)
			break;
		d->p[d->n++] = d->buf + off + RP_HDR_SIZE;
		off += RP_HDR_SIZE + h->len;
	}
}

/* The index of the first frame of type (on chan, if chan >= 0), or -1. */
static int find(const struct desk *d, uint8_t type, int chan)
{
	for (int i = 0; i < d->n; i++)
		if (d->h[i].type == type && (chan < 0 || d->h[i].chan == chan))
			return i;
	return -1;
}

/* The loop's rounds as serve's run makes them (descriptors, the reaping
 * its SIGCHLD asks, the sessions' timed work) until d is sent a frame of
 * type (0: any), or ms passed: what d read last is in d. */
static bool loop_until(struct fixture *fx, struct desk *d, uint8_t type, long ms)
{
	long until = base_now_ms() + ms;

	do {
		fdm_wait(fx->srv->fdm, 10);
		for (struct session *s = fx->srv->sessions, *next; s; s = next) {
			next = s->next;
			session_reap(s);
		}
		for (struct session *s = fx->srv->sessions; s; s = s->next)
			session_tick(s, base_now_ms());
		take(d);
		if (type ? find(d, type, -1) >= 0 : d->n > 0)
			return true;
	} while (base_now_ms() < until);
	return false;
}

static int count(const struct desk *d, uint8_t type)
{
	int n = 0;

	for (int i = 0; i < d->n; i++)
		n += d->h[i].type == type;
	return n;
}

/* The code of the first ERROR read (0: none), its fatal flag and text. */
static int error_code(const struct desk *d, bool *fatal, char *msg, size_t n)
{
	int i = find(d, RP_ERROR, -1);
	struct rp_error e;

	if (i < 0 || rp_error_decode(d->p[i], d->h[i].len, &e) < 0)
		return 0;
	if (fatal)
		*fatal = d->h[i].flags & RP_F_FATAL;
	if (msg)
		snprintf(msg, n, "%.*s", (int)e.msg.n, e.msg.p);
	return e.code;
}

/* Every NOTICE read, one a line. */
static const char *notices(const struct desk *d, char *out, size_t n)
{
	size_t o = 0;

	out[0] = 0;
	for (int i = 0; i < d->n; i++) {
		struct rp_str t;
		if (d->h[i].type == RP_NOTICE && rp_notice_decode(d->p[i], d->h[i].len, &t) == 0)
			o += (size_t)snprintf(out + o, o < n ? n - o : 0, "%.*s\n", (int)t.n, t.p);
	}
	return out;
}

static void hello(struct server *srv, struct desk *d, uint32_t caps, const char *token,
		  const char *name)
{
	uint8_t f[256];

	send_frame(srv, d, f, rp_hello_frame(f, sizeof f, caps, token, name));
	take(d);
}

static long open_frame(uint8_t *f, size_t cap, uint32_t req, uint8_t flags, const char *name)
{
	const struct kpty_winsize ws = {.ws_row = 30, .ws_col = 100};

	return rp_open_frame(f, cap, req, flags, name, "", "", &ws, NULL, 0);
}

/* OPEN name attach (read-only if ro); the channel, or 0. */
static int attach(struct server *srv, struct desk *d, const char *name, bool ro)
{
	uint8_t f[512];
	int i;

	send_frame(srv, d, f,
		   open_frame(f, sizeof f, 7, RP_OPEN_ATTACH | (ro ? RP_OPEN_READONLY : 0), name));
	take(d);
	i = find(d, RP_OK, -1);
	return i < 0 ? 0 : d->h[i].chan;
}

static long simple(uint8_t *f, size_t cap, uint8_t type, uint16_t chan, const void *p, size_t n)
{
	struct rp_enc e;

	rp_enc_begin(&e, f, cap, type, 0, chan);
	rp_put_bytes(&e, p, n);
	return rp_enc_end(&e);
}

static long input_frame(uint8_t *f, size_t cap, uint16_t chan, uint32_t seq, const char *keys)
{
	struct rp_enc e;

	rp_enc_begin(&e, f, cap, RP_INPUT, 0, chan);
	rp_put_u32(&e, seq);
	rp_put_bytes(&e, keys, strlen(keys));
	return rp_enc_end(&e);
}

static long req_frame(uint8_t *f, size_t cap, uint8_t type, uint32_t req, const char *name)
{
	struct rp_enc e;

	rp_enc_begin(&e, f, cap, type, 0, 0);
	rp_put_u32(&e, req);
	if (name)
		rp_put_str(&e, name, strlen(name));
	return rp_enc_end(&e);
}

/* ---- the session table ---- */

static void test_table(void)
{
	struct fixture fx;
	struct fake *a, *b;
	char name[RP_MAX_NAME + 1];

	fixture_init(&fx);
	CHECK(session_find(fx.srv, "0", 1) == NULL);
	session_pick_name(fx.srv, name, sizeof name);
	CHECK(!strcmp(name, "0"));
	a = fake_add(fx.srv, "0");
	b = fake_add(fx.srv, "2");
	CHECK_EQ(fx.srv->nsessions, 2);
	CHECK(session_find(fx.srv, "0", 1) == &a->s);
	CHECK(session_find(fx.srv, "2", 1) == &b->s);
	CHECK(session_find(fx.srv, "20", 2) == NULL);
	CHECK(session_find(fx.srv, "2x", 1) == &b->s); /* by length */
	session_pick_name(fx.srv, name, sizeof name);
	CHECK(!strcmp(name, "1")); /* the lowest free number */
	fake_add(fx.srv, "1");
	session_pick_name(fx.srv, name, sizeof name);
	CHECK(!strcmp(name, "3"));
	/* The end: gone from the table, the kind destroys it. */
	fakes_destroyed = 0;
	session_end(fx.srv, &a->s, 0);
	CHECK_EQ(fakes_destroyed, 1);
	CHECK_EQ(fx.srv->nsessions, 2);
	CHECK(session_find(fx.srv, "0", 1) == NULL);
	session_pick_name(fx.srv, name, sizeof name);
	CHECK(!strcmp(name, "0"));
	fixture_finish(&fx);
}

/* A new program past MAX_SESSIONS is refused with LIMIT before anything
 * is started. */
static void test_session_limit(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char name[16], msg[200];

	fixture_init(&fx);
	for (int i = 0; i < MAX_SESSIONS; i++) {
		snprintf(name, sizeof name, "s%d", i);
		CHECK(fake_add(fx.srv, name) != NULL);
	}
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f, open_frame(f, sizeof f, 9, RP_OPEN_CREATE | RP_OPEN_ATTACH, "new"));
	take(d);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_LIMIT);
	CHECK(strstr(msg, "too many sessions") != NULL);
	CHECK_EQ(fx.srv->nsessions, MAX_SESSIONS);
	/* A program after NAME=VALUE words (env's, which runs it: PATH= among
	 * them says where it is) passes the PATH check: refused here only for
	 * the limit (it was refused as "cannot run LANG=C"). */
	{
		const struct kpty_winsize ws = {.ws_row = 30, .ws_col = 100};
		char *argv[] = {"LANG=C", "PATH=/telly-test-dir", "telly-test-only-there"};
		send_frame(fx.srv, d, f,
			   rp_open_frame(f, sizeof f, 10, RP_OPEN_CREATE, "env", "", "", &ws, argv, 3));
		take(d);
		CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_LIMIT);
		CHECK(strstr(msg, "too many sessions") != NULL);
	}
	desk_free(d);
	fixture_finish(&fx);
}

/* ---- dispatch ---- */

/* recvmsg calls made in this process (the daemon's connection reads,
 * counted here: this definition is the one its objects are linked with). */
static unsigned recvmsgs;

ssize_t recvmsg(int fd, struct msghdr *m, int flags)
{
	recvmsgs++;
	return syscall(SYS_recvmsg, fd, m, flags);
}

/* A connection whose frame is all its socket has is read once when it
 * wakes the loop: the read took less than it asked, so the socket was
 * empty. Before, the daemon read again to find it empty (EAGAIN): one
 * more syscall for each key a desk typed and each XACK. */
static void test_one_read_a_wakeup(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[256];

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	long n = rp_hello_frame(f, sizeof f, 0, "", "me");
	CHECK(n > 0 && write(d->peer, f, (size_t)n) == n);
	unsigned before = recvmsgs;
	CHECK(conn_readable(fx.srv, d->c));
	CHECK_EQ(recvmsgs - before, 1u);
	CHECK(d->c->hello);
	take(d);
	CHECK(find(d, RP_HELLO, 0) >= 0);
	desk_free(d);
	fixture_finish(&fx);
}

static void test_hello(void)
{
	struct fixture fx;
	struct desk *d, *e, *t;
	uint8_t f[256];
	bool fatal = false;
	char msg[200];

	fixture_init(&fx);
	/* Anything before HELLO: told, closed. */
	d = desk_new(fx.srv, false);
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_LIST, 1, NULL));
	take(d);
	CHECK_EQ(error_code(d, &fatal, msg, sizeof msg), RP_E_PROTO);
	CHECK(fatal);
	CHECK(strstr(msg, "expected HELLO first") != NULL);
	CHECK(d->c->closing_at != 0);
	/* A good one: answered with HELLO, logged in, capabilities kept. */
	e = desk_new(fx.srv, false);
	hello(fx.srv, e, RP_CAP_LZ4 | RP_CAP_TIMING, "", "me");
	CHECK(find(e, RP_HELLO, 0) >= 0);
	CHECK(e->c->hello && e->c->lz4 && e->c->timing);
	CHECK(!strncmp(e->c->name, "me", 3));
	/* A second HELLO is malformed. */
	hello(fx.srv, e, 0, "", "me");
	CHECK_EQ(error_code(e, &fatal, msg, sizeof msg), RP_E_PROTO);
	CHECK(strstr(msg, "malformed HELLO") != NULL);
	/* Over TCP the token decides. */
	t = desk_new(fx.srv, true);
	CHECK(t->c->need_token);
	hello(fx.srv, t, 0, "wrong", "x");
	CHECK_EQ(error_code(t, &fatal, NULL, 0), RP_E_AUTH);
	CHECK(!t->c->hello);
	desk_free(t);
	t = desk_new(fx.srv, true);
	hello(fx.srv, t, 0, fx.srv->token, "x");
	CHECK(find(t, RP_HELLO, 0) >= 0);
	CHECK(t->c->hello);
	CHECK_EQ(fx.srv->ntcp_pending, 0);
	desk_free(d);
	desk_free(e);
	desk_free(t);
	fixture_finish(&fx);
}

static void test_list(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[256];
	uint32_t req;
	uint16_t n;
	size_t off = 0;
	struct rp_session_info info;
	int i;

	fixture_init(&fx);
	fake_add(fx.srv, "one");
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_LIST, 77, NULL));
	take(d);
	i = find(d, RP_LIST_REPLY, 0);
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_EQ(rp_list_reply_decode(d->p[i], d->h[i].len, &req, &n, &off), 0);
		CHECK_EQ(req, 77);
		CHECK_EQ(n, 1);
		CHECK_EQ(rp_list_entry_decode(d->p[i], d->h[i].len, &off, &info), 0);
		CHECK(info.name.n == 3 && !memcmp(info.name.p, "one", 3));
		CHECK(info.cmd.n == 8 && !memcmp(info.cmd.p, "fake one", 8)); /* the kind's describe */
		CHECK_EQ(info.pid, 4242);
	}
	/* Malformed: a LIST without its request number. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_LIST, 0, "", 0));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_PROTO);
	CHECK(d->c->closing_at != 0);
	desk_free(d);
	fixture_finish(&fx);
}

static void test_open(void)
{
	struct fixture fx;
	struct desk *d;
	struct fake *s;
	uint8_t f[512];
	int chan;

	fixture_init(&fx);
	s = fake_add(fx.srv, "a");
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	/* Attach: OK on the new channel, then the screen (TERMIOS, SNAPSHOT),
	 * and the writer's window sets the size. */
	chan = attach(fx.srv, d, "a", false);
	CHECK_EQ(chan, 1);
	CHECK(find(d, RP_TERMIOS, 1) >= 0);
	CHECK(find(d, RP_SNAPSHOT, 1) >= 0);
	CHECK_EQ(s->s.nviewers, 1);
	CHECK_EQ(s->s.ws.ws_row, 30);
	CHECK_EQ(s->resizes, 1);
	/* A read-only one does not resize. */
	CHECK_EQ(attach(fx.srv, d, "a", true), 2);
	CHECK_EQ(s->resizes, 1);
	/* No such session, no create. */
	send_frame(fx.srv, d, f, open_frame(f, sizeof f, 3, RP_OPEN_ATTACH, "b"));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_NOENT);
	/* No name and no create. */
	send_frame(fx.srv, d, f, open_frame(f, sizeof f, 3, RP_OPEN_ATTACH, ""));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_NOENT);
	/* Exclusive on one that exists. */
	send_frame(fx.srv, d, f, open_frame(f, sizeof f, 3, RP_OPEN_CREATE | RP_OPEN_EXCL, "a"));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_EXIST);
	/* A program PATH does not have: refused, nothing made (it was a
	 * session that ended at its start, its creator told OK), once its
	 * exec says so. */
	{
		const struct kpty_winsize ws = {.ws_row = 30, .ws_col = 100};
		char *argv[] = {"telly-test-no-such-program", "arg"};
		char msg[200];
		unsigned before = fx.srv->nsessions;
		send_frame(fx.srv, d, f,
			   rp_open_frame(f, sizeof f, 3, RP_OPEN_CREATE, "np", "", "", &ws, argv, 2));
		CHECK(loop_until(&fx, d, RP_ERROR, 10000));
		CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_SPAWN);
		CHECK(!strcmp(msg, "cannot run telly-test-no-such-program: No such file or directory"));
		CHECK_EQ(fx.srv->nsessions, before);
	}
	/* Malformed: cut short. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_OPEN, 0, "\0\0\0\1", 4));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_PROTO);
	CHECK(d->c->closing_at != 0);
	desk_free(d);
	fixture_finish(&fx);
}

/* ---- a program's start, as its exec says ---- */

/* Looks at paths in this process (the daemon's loop; its children are
 * other processes) under HUNG_DIR, a PATH entry made to stand for one on
 * a hung mount: any of them would hold every session. */
#define HUNG_DIR "/telly-test-hung-mount"
static unsigned hung_looks;

static void hung_look(const char *path)
{
	if (path && !strncmp(path, HUNG_DIR, strlen(HUNG_DIR)))
		hung_looks++;
}

int stat(const char *path, struct stat *st)
{
	hung_look(path);
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

int lstat(const char *path, struct stat *st)
{
	hung_look(path);
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

int fstatat(int dir, const char *path, struct stat *st, int flags)
{
	hung_look(path);
	return (int)syscall(SYS_newfstatat, dir, path, st, flags);
}

int access(const char *path, int mode)
{
	hung_look(path);
	return (int)syscall(SYS_faccessat, AT_FDCWD, path, mode);
}

int faccessat(int dir, const char *path, int mode, int flags)
{
	hung_look(path);
	return (int)(flags ? syscall(SYS_faccessat2, dir, path, mode, flags)
			   : syscall(SYS_faccessat, dir, path, mode));
}

/* A child slow to exec: execvp of SLOW_PROG waits (before its exec, in
 * the daemon's child) for a byte on the FIFO slow_gate names (opened by
 * its path: the child keeps no descriptor of the daemon's but its exec
 * pipe; the test holds it open for writing), then fails with ENOENT;
 * any other program is exec'd. */
#define SLOW_PROG "telly-test-slow-exec"
/* The same wait, then sleep 30 exec'd: a program slow to start that runs. */
#define SLOW_RUNS "telly-test-slow-runs"
static char slow_gate[64];

int execvp(const char *file, char *const argv[])
{
	char c;
	int fd;
	char *const sleeps[] = {"sleep", "30", NULL};

	if (strcmp(file, SLOW_PROG) && strcmp(file, SLOW_RUNS))
		return execvpe(file, argv, environ);
	if ((fd = open(slow_gate, O_RDONLY)) >= 0)
		while (read(fd, &c, 1) < 0 && errno == EINTR)
			;
	if (!strcmp(file, SLOW_RUNS))
		return execvpe("sleep", sleeps, environ);
	errno = ENOENT;
	return -1;
}

/* The FIFO the slow programs wait on, made in dir; its fd held open for
 * writing (a byte lets one of them go). */
static int slow_gate_open(char *dir)
{
	int gate;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(slow_gate, sizeof slow_gate, "%s/gate", dir);
	CHECK_EQ(mkfifo(slow_gate, 0600), 0);
	gate = open(slow_gate, O_RDWR); /* a writer there: the child's open returns */
	CHECK(gate >= 0);
	return gate;
}

static void slow_gate_close(int gate, const char *dir)
{
	close(gate);
	unlink(slow_gate);
	rmdir(dir);
	slow_gate[0] = 0;
}

/* Session name killed and run through the loop until it is gone. */
static void kill_until_gone(struct fixture *fx, struct desk *d, const char *name)
{
	struct session *s = session_find(fx->srv, name, strlen(name));
	char msg[200];

	if (s)
		session_kill(s, false, msg, sizeof msg);
	for (long until = base_now_ms() + 10000;
	     session_find(fx->srv, name, strlen(name)) && base_now_ms() < until;)
		loop_until(fx, d, RP_EXIT, 20);
	CHECK(session_find(fx->srv, name, strlen(name)) == NULL);
}

/* The gate opened: the OPEN of "late" that waited, holding channel 1 of
 * d, is answered OK on it, attached; then "late" is killed. */
static void late_attached(struct fixture *fx, struct desk *d, int gate)
{
	struct session *s;
	int i;

	CHECK(write(gate, "g", 1) == 1);
	CHECK(loop_until(fx, d, RP_OK, 10000));
	i = find(d, RP_OK, -1);
	CHECK(i >= 0 && d->h[i].chan == 1);
	CHECK(find(d, RP_ERROR, -1) < 0);
	s = session_find(fx->srv, "late", 4);
	CHECK_EQ(s ? s->nviewers : 0, 1);
	kill_until_gone(fx, d, "late");
}

static long open_program(uint8_t *f, size_t cap, uint32_t req, uint8_t flags, const char *name,
			 char **argv, unsigned argc)
{
	const struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};

	return rp_open_frame(f, cap, req, RP_OPEN_CREATE | flags, name, "", "", &ws, argv, argc);
}

/* An OPEN's program is looked for by its exec, in the child, never in
 * the daemon's loop: a name PATH lacks is refused with the exec's words
 * once its exec pipe says, and no path under PATH's folders was looked
 * at here (it was: stat and access of each PATH entry in the loop, where
 * one on a hung mount held every session). */
static void test_open_no_lookup(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char msg[200], path[PATH_MAX + 64];
	const char *old = getenv("PATH");
	char *argv[] = {"telly-test-no-such-program"};

	snprintf(path, sizeof path, "%s:%s", HUNG_DIR, old ? old : "/bin:/usr/bin");
	setenv("PATH", path, 1);
	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	hung_looks = 0;
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 4, 0, "np", argv, 1));
	CHECK(loop_until(&fx, d, RP_ERROR, 10000));
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_SPAWN);
	CHECK(!strcmp(msg, "cannot run telly-test-no-such-program: No such file or directory"));
	CHECK_EQ(hung_looks, 0u);
	CHECK(session_find(fx.srv, "np", 2) == NULL);
	desk_free(d);
	fixture_finish(&fx);
	setenv("PATH", old ? old : "/bin:/usr/bin", 1);
}

/* While an OPEN's program has not exec'd, its answer waits and the
 * daemon serves the others: OPEN returns at once (before, it waited up to 2 s
 * for the exec, in the loop); another desk's LIST is answered; the
 * answer comes when the exec says, and a desk that went meanwhile is
 * answered by nobody (no crash, nothing kept: the ASan run). A program
 * that runs is answered OK and attached. */
static void test_open_waits_for_exec(void)
{
	struct fixture fx;
	struct desk *d, *other, *gone;
	uint8_t f[512];
	char msg[200];
	int gate;
	char *slow[] = {SLOW_PROG};
	char dir[] = "/tmp/telly-unit-gate.XXXXXX";

	gate = slow_gate_open(dir);
	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	other = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	hello(fx.srv, other, 0, "", "o");
	long t0 = base_now_ms();
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 5, 0, "slow", slow, 1));
	CHECK(base_now_ms() - t0 < 1000);
	take(d);
	CHECK_EQ(d->n, 0);
	CHECK(!loop_until(&fx, d, 0, 300));
	send_frame(fx.srv, other, f, req_frame(f, sizeof f, RP_LIST, 6, NULL));
	take(other);
	CHECK(find(other, RP_LIST_REPLY, 0) >= 0);
	CHECK(write(gate, "g", 1) == 1);
	CHECK(loop_until(&fx, d, RP_ERROR, 10000));
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_SPAWN);
	CHECK(!strcmp(msg, "cannot run " SLOW_PROG ": No such file or directory"));
	CHECK(session_find(fx.srv, "slow", 4) == NULL);

	/* Its desk goes before the exec says. */
	gone = desk_new(fx.srv, false);
	hello(fx.srv, gone, 0, "", "g");
	send_frame(fx.srv, gone, f, open_program(f, sizeof f, 7, RP_OPEN_ATTACH, "slow2", slow, 1));
	conn_destroy(fx.srv, gone->c);
	desk_free(gone);
	CHECK(write(gate, "g", 1) == 1);
	for (long until = base_now_ms() + 10000;
	     session_find(fx.srv, "slow2", 5) && base_now_ms() < until;)
		loop_until(&fx, d, RP_ERROR, 20);
	CHECK(session_find(fx.srv, "slow2", 5) == NULL);

	/* One that runs: OK and attached once it has exec'd. */
	char *runs[] = {"sleep", "30"};
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 8, RP_OPEN_ATTACH, "runs", runs, 2));
	CHECK(loop_until(&fx, d, RP_OK, 10000));
	CHECK(find(d, RP_OK, 1) >= 0);
	struct session *s = session_find(fx.srv, "runs", 4);
	CHECK(s != NULL);
	CHECK_EQ(s ? s->nviewers : 0, 1);
	kill_until_gone(&fx, d, "runs");
	desk_free(other);
	desk_free(d);
	fixture_finish(&fx);
	slow_gate_close(gate, dir);
}

/* An exec that has not returned is no start, however long it takes (a
 * program on a hung mount, as ssh waits for its command): its OPEN is
 * not answered while it waits, even long past the bound the daemon had
 * (OPEN_ANSWER_MS, 5 s from the spawn: then it was answered OK, and
 * telly new said the session's name and exited 0 for a program that
 * never started); LIST says it is starting; the answer is what its exec
 * says, when it says it. */
static void test_open_no_false_start(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char msg[200];
	char *slow[] = {SLOW_PROG};
	char dir[] = "/tmp/telly-unit-gate.XXXXXX";
	int gate = slow_gate_open(dir);
	struct session *s;

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 5, RP_OPEN_ATTACH, "hung", slow, 1));
	CHECK((s = session_find(fx.srv, "hung", 4)) != NULL);
	/* Its timed work, as if ten minutes had passed. */
	if (s)
		session_tick(s, base_now_ms() + 600000);
	take(d);
	CHECK_EQ(d->n, 0);
	CHECK_EQ(s ? s->nviewers : 1u, 0u);
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_LIST, 6, NULL));
	take(d);
	{
		int i = find(d, RP_LIST_REPLY, 0);
		uint32_t req;
		uint16_t n = 0;
		size_t off;
		struct rp_session_info info = {0};
		CHECK(i >= 0);
		if (i >= 0) {
			CHECK_EQ(rp_list_reply_decode(d->p[i], d->h[i].len, &req, &n, &off), 0);
			CHECK_EQ(n, 1);
			CHECK_EQ(rp_list_entry_decode(d->p[i], d->h[i].len, &off, &info), 0);
		}
		snprintf(msg, sizeof msg, "%.*s", (int)info.cmd.n, info.cmd.p);
		CHECK(!strcmp(msg, SLOW_PROG " (starting)"));
	}
	CHECK(write(gate, "g", 1) == 1);
	CHECK(loop_until(&fx, d, RP_ERROR, 10000));
	CHECK(find(d, RP_OK, -1) < 0);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_SPAWN);
	CHECK(!strcmp(msg, "cannot run " SLOW_PROG ": No such file or directory"));
	CHECK(session_find(fx.srv, "hung", 4) == NULL);

	/* Killed while its exec has not returned (telly kill): the end of
	 * its exec pipe came with its death, not an exec; it is no start
	 * (before, its OPEN was answered OK, and telly new printed the name
	 * of a session that never ran). */
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 7, 0, "killed", slow, 1));
	CHECK((s = session_find(fx.srv, "killed", 6)) != NULL);
	if (s)
		session_kill(s, false, msg, sizeof msg);
	bool ok_seen = false, error_seen = false;
	for (long until = base_now_ms() + 10000; !error_seen && base_now_ms() < until;) {
		loop_until(&fx, d, 0, 20);
		ok_seen |= find(d, RP_OK, -1) >= 0;
		error_seen = find(d, RP_ERROR, -1) >= 0;
	}
	CHECK(!ok_seen);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_NOENT);
	/* SIGHUP, or SIGKILL after the grace if the hangup came while the
	 * child ignored it (as it takes its terminal) */
	CHECK(!strncmp(msg, SLOW_PROG " ended at its start: killed by signal ",
		       strlen(SLOW_PROG " ended at its start: killed by signal ")));
	CHECK(session_find(fx.srv, "killed", 6) == NULL);
	desk_free(d);
	fixture_finish(&fx);
	slow_gate_close(gate, dir);
}

/* A program that ran, however soon a signal ends it (one that kills
 * itself, one that crashes at once), did start: its OPEN is answered OK,
 * every time. Its exec pipe's end and its death come together, and the
 * loop may see either first; it was answered "PROG ended at its start:
 * killed by signal 9" (NOENT: telly new exited 1 printing no name) as
 * often as not, a judgement kept for a program killed in its exec. */
static void ran_then_killed(const char *prog, unsigned rounds)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char msg[200], name[16];
	char *argv[] = {(char *)prog, "-c", "kill -9 $$"};

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	for (unsigned i = 0; i < rounds; i++) {
		snprintf(name, sizeof name, "k%u", i);
		send_frame(fx.srv, d, f, open_program(f, sizeof f, 5 + i, 0, name, argv, 3));
		bool answered = false;
		for (long until = base_now_ms() + 10000; !answered && base_now_ms() < until;) {
			loop_until(&fx, d, 0, 20);
			answered = find(d, RP_OK, -1) >= 0 || find(d, RP_ERROR, -1) >= 0;
		}
		msg[0] = 0;
		if (find(d, RP_ERROR, -1) >= 0)
			error_code(d, NULL, msg, sizeof msg);
		if (msg[0])
			fprintf(stderr, "%s: %s\n", name, msg);
		CHECK(!msg[0]);
		CHECK(find(d, RP_OK, -1) >= 0);
		kill_until_gone(&fx, d, name);
	}
	desk_free(d);
	fixture_finish(&fx);
}

static void test_open_ran_then_killed(void)
{
	ran_then_killed("/bin/sh", 12);
}

/* A program that ran and was killed at once, reached by a link named
 * name: whether a dead child had reached its exec is read from its name. */
static void ran_then_killed_named(const char *name, unsigned rounds)
{
	char dir[] = "/tmp/telly-unit-name.XXXXXX", link[64];

	CHECK(mkdtemp(dir) != NULL);
	snprintf(link, sizeof link, "%s/%s", dir, name);
	CHECK(symlink("/bin/sh", link) == 0);
	ran_then_killed(link, rounds);
	unlink(link);
	rmdir(dir);
}

/* The same, for a program that bears the daemon's own name (a shell
 * reached by a link named so): the daemon's own name stood for "not yet",
 * so that one was "ended at its start". The fork names the child apart
 * (KPTY_FORK_NAME). */
static void test_open_ran_named_as_daemon(void)
{
	char self[16] = "";

	prctl(PR_GET_NAME, self, 0, 0, 0);
	self[sizeof self - 1] = 0;
	ran_then_killed_named(self, 6);
}

/* And for one named as the fork named its children before, a name a file
 * can bear: it was judged not started. KPTY_FORK_NAME holds a '/', which
 * no exec gives. */
static void test_open_ran_named_as_fork(void)
{
	ran_then_killed_named("telly:forked", 6);
}

static void count_ready(struct fdm *fdm, int fd, int events, void *data)
{
	char b[8];

	(void)fdm;
	(void)events;
	(void)!read(fd, b, sizeof b);
	(*(int *)data)++;
}

/* A number that was one holder's, its descriptor closed and the number
 * taken by another's (a program's exec pipe where the X display's
 * displayfd pipe was): the first's late delete leaves the second's
 * registration. With fdm_del it was dropped, and the program's OPEN was
 * never answered (telly new --x11 waited for ever). */
static void test_fdm_del_if_reused(void)
{
	struct fdm *f = fdm_create();
	int a[2], b[2], first = 0, second = 0;

	CHECK(f != NULL);
	CHECK(pipe(a) == 0);
	CHECK_EQ(fdm_add(f, a[0], POLLIN, count_ready, &first), 0);
	close(a[0]);
	close(a[1]);
	CHECK(pipe(b) == 0);
	CHECK_EQ(b[0], a[0]); /* the lowest free number */
	CHECK_EQ(fdm_add(f, b[0], POLLIN, count_ready, &second), 0);
	fdm_del_if(f, a[0], count_ready, &first);
	close(b[1]); /* end of file: ready */
	for (int i = 0; i < 10 && !second; i++)
		fdm_wait(f, 100);
	CHECK_EQ(second, 1);
	CHECK_EQ(first, 0);
	close(b[0]);
	fdm_destroy(f);
}

/* A desk that does not draw X windows (no X11 in its HELLO) asking to
 * create an X session and attach to it is refused, as its attach to one
 * that exists is; it made the session and was attached to its channel,
 * where X frames it cannot read would come. */
static void test_open_x11_needs_x_desk(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char msg[200];
	char *argv[] = {"/bin/true"};

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f,
		   open_program(f, sizeof f, 5, RP_OPEN_ATTACH | RP_OPEN_X11, "xn", argv, 1));
	take(d);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_PROTO);
	CHECK(!strcmp(msg, "session xn is an X display: telly view --x11 xn shows it"));
	CHECK(session_find(fx.srv, "xn", 2) == NULL);
	desk_free(d);
	fixture_finish(&fx);
}

/* An OPEN that creates and attaches holds its channel from the moment it
 * is taken: a connection that fills its other channels meanwhile is told
 * it has none left, and the answer attaches the new session (before, the
 * slot was looked for at the answer: "too many channels", and the session
 * ran on, listed but attached to nobody). A program that cannot run lets
 * its slot go. */
static void test_open_holds_its_channel(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[512];
	char msg[200];
	char *runs[] = {SLOW_RUNS}, *fails[] = {SLOW_PROG};
	char dir[] = "/tmp/telly-unit-gate.XXXXXX";
	int gate = slow_gate_open(dir), i;

	fixture_init(&fx);
	fake_add(fx.srv, "a");
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 5, RP_OPEN_ATTACH, "late", runs, 1));
	take(d);
	CHECK_EQ(d->n, 0);
	for (i = 0; i < MAX_CHANS - 1; i++)
		CHECK_EQ(attach(fx.srv, d, "a", true), i + 2);
	CHECK_EQ(attach(fx.srv, d, "a", true), 0);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_LIMIT);
	late_attached(&fx, d, gate);

	/* Its channel is free once more (the session ended): held again by
	 * an OPEN whose program cannot run, and let go with its answer. */
	send_frame(fx.srv, d, f, open_program(f, sizeof f, 6, RP_OPEN_ATTACH, "nope", fails, 1));
	CHECK_EQ(attach(fx.srv, d, "a", true), 0);
	CHECK(write(gate, "g", 1) == 1);
	CHECK(loop_until(&fx, d, RP_ERROR, 10000));
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_SPAWN);
	CHECK_EQ(attach(fx.srv, d, "a", true), 1);
	desk_free(d);
	fixture_finish(&fx);
	slow_gate_close(gate, dir);
}

static void test_kill_stop(void)
{
	struct fixture fx;
	struct desk *d;
	struct fake *a, *b;
	uint8_t f[256];

	fixture_init(&fx);
	a = fake_add(fx.srv, "a");
	b = fake_add(fx.srv, "b");
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_KILL, 5, "a"));
	take(d);
	CHECK(find(d, RP_OK, 0) >= 0);
	CHECK_EQ(a->kills, 1);
	CHECK_EQ(b->kills, 0);
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_KILL, 5, "nope"));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_NOENT);
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_STOP, 6, NULL));
	take(d);
	CHECK(find(d, RP_OK, 0) >= 0);
	CHECK(fx.srv->stopping);
	CHECK_EQ(a->stops, 1);
	CHECK_EQ(b->stops, 1);
	/* Malformed: KILL with a name that is no name. */
	send_frame(fx.srv, d, f, req_frame(f, sizeof f, RP_KILL, 5, "a/b"));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_PROTO);
	desk_free(d);
	fixture_finish(&fx);
}

static void test_channel_messages(void)
{
	struct fixture fx;
	struct desk *d, *w;
	struct fake *s;
	uint8_t f[256];
	struct kpty_winsize ws = {.ws_row = 40, .ws_col = 120};
	struct rp_enc e;
	struct rp_data out;
	int i, ro;

	fixture_init(&fx);
	s = fake_add(fx.srv, "a");
	d = desk_new(fx.srv, false);
	w = desk_new(fx.srv, false);
	hello(fx.srv, d, 0, "", "t");
	hello(fx.srv, w, 0, "", "w");
	CHECK_EQ(attach(fx.srv, d, "a", false), 1);
	ro = attach(fx.srv, d, "a", true);
	CHECK_EQ(attach(fx.srv, w, "a", true), 1);
	take(w);
	/* INPUT reaches the kind. */
	CHECK_EQ(send_frame(fx.srv, d, f, input_frame(f, sizeof f, 1, 1, "ls\r")), FRAME_DONE);
	CHECK_EQ(s->inputs, 1);
	CHECK(s->in_len == 3 && !memcmp(s->in, "ls\r", 3));
	/* The kind cannot take it yet: the frame is held, not lost. */
	s->stall = true;
	CHECK_EQ(send_frame(fx.srv, d, f, input_frame(f, sizeof f, 1, 2, "x")), FRAME_STALL);
	s->stall = false;
	/* On a channel not attached: told, not fatal. */
	send_frame(fx.srv, d, f, input_frame(f, sizeof f, 9, 3, "x"));
	take(d);
	bool fatal = true;
	CHECK_EQ(error_code(d, &fatal, NULL, 0), RP_E_CHANNEL);
	CHECK(!fatal);
	/* From a read-only channel: refused. */
	send_frame(fx.srv, d, f, input_frame(f, sizeof f, (uint16_t)ro, 3, "x"));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_READONLY);
	CHECK_EQ(s->inputs, 1);
	/* ECHO: shown to the other viewers, not back to its sender. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_ECHO, 1, "hey", 3));
	take(d);
	take(w);
	CHECK_EQ(find(d, RP_OUTPUT, 1), -1);
	CHECK(find(d, RP_OUTPUT, ro) >= 0);
	i = find(w, RP_OUTPUT, 1);
	CHECK(i >= 0);
	if (i >= 0) {
		CHECK_EQ(rp_data_decode(w->p[i], w->h[i].len, &out), 0);
		CHECK(out.n == 3 && !memcmp(out.p, "hey", 3));
	}
	/* SIGNAL: to the kind, with its flush. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_SIGNAL, 1, "\x02\x01", 2));
	CHECK_EQ(s->sig, SIGINT);
	CHECK(s->flush);
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_SIGNAL, 1, "\x02", 1));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_PROTO);
	CHECK(d->c->closing_at != 0);
	d->c->closing_at = 0; /* go on with this desk */
	/* WINSIZE from the writer; a read-only one's is ignored. */
	rp_enc_begin(&e, f, sizeof f, RP_WINSIZE, 0, 1);
	rp_put_winsize(&e, &ws);
	send_frame(fx.srv, d, f, rp_enc_end(&e));
	CHECK_EQ(s->s.ws.ws_row, 40);
	CHECK_EQ(s->s.ws.ws_col, 120);
	ws.ws_row = 10;
	rp_enc_begin(&e, f, sizeof f, RP_WINSIZE, 0, (uint16_t)ro);
	rp_put_winsize(&e, &ws);
	send_frame(fx.srv, d, f, rp_enc_end(&e));
	CHECK_EQ(s->s.ws.ws_row, 40);
	/* A window past the limits is clamped. */
	ws.ws_row = 60000;
	ws.ws_col = 60000;
	rp_enc_begin(&e, f, sizeof f, RP_WINSIZE, 0, 1);
	rp_put_winsize(&e, &ws);
	send_frame(fx.srv, d, f, rp_enc_end(&e));
	CHECK_EQ(s->s.ws.ws_row, RP_MAX_ROWS);
	CHECK_EQ(s->s.ws.ws_col, RP_MAX_COLS);
	/* BREAK and TAKEOVER: not for this kind. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_BREAK, 1, "", 0));
	take(d);
	CHECK_EQ(error_code(d, &fatal, NULL, 0), RP_E_PROTO);
	CHECK(!fatal);
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_TAKEOVER, 1, "x", 1));
	take(d);
	CHECK_EQ(error_code(d, &fatal, NULL, 0), RP_E_PROTO);
	CHECK(fatal); /* with a payload: malformed */
	d->c->closing_at = 0;
	/* An unknown type: told, not fatal. */
	send_frame(fx.srv, d, f, simple(f, sizeof f, 99, 0, "", 0));
	take(d);
	CHECK_EQ(error_code(d, &fatal, NULL, 0), RP_E_UNKNOWN);
	CHECK(!fatal);
	/* DETACH: the channel goes. */
	CHECK_EQ(s->s.nviewers, 3);
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_DETACH, 1, "", 0));
	CHECK_EQ(s->s.nviewers, 2);
	CHECK(d->c->chans[0] == NULL);
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_DETACH, 1, "", 0));
	take(d);
	CHECK_EQ(error_code(d, NULL, NULL, 0), RP_E_CHANNEL);
	/* The session ends: its viewers get EXIT with the status. */
	session_end(fx.srv, &s->s, 3 << 8);
	take(w);
	i = find(w, RP_EXIT, 1);
	CHECK(i >= 0);
	if (i >= 0) {
		int32_t st;
		CHECK_EQ(rp_exit_decode(w->p[i], w->h[i].len, &st), 0);
		CHECK_EQ(st, 3);
	}
	CHECK(w->c->chans[0] == NULL);
	desk_free(d);
	desk_free(w);
	fixture_finish(&fx);
}

/* HANDOFF must come first, alone, with two descriptors. */
static void test_handoff_malformed(void)
{
	struct fixture fx;
	struct desk *d;
	uint8_t f[64];
	char msg[200];

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	send_frame(fx.srv, d, f, simple(f, sizeof f, RP_HANDOFF, 0, "", 0));
	take(d);
	CHECK_EQ(error_code(d, NULL, msg, sizeof msg), RP_E_PROTO);
	CHECK(strstr(msg, "got 0") != NULL);
	desk_free(d);
	fixture_finish(&fx);
}

/* ---- the viewer drop policy ---- */

static void test_drop_then_snapshot(void)
{
	struct fixture fx;
	struct desk *slow, *fast;
	struct fake *s;
	char chunk[4000];
	size_t shown = 0, got = 0;
	int snaps = 0;

	fixture_init(&fx);
	s = fake_add(fx.srv, "a");
	slow = desk_new(fx.srv, false);
	fast = desk_new(fx.srv, false);
	hello(fx.srv, slow, 0, "", "slow");
	hello(fx.srv, fast, 0, "", "fast");
	CHECK_EQ(attach(fx.srv, slow, "a", true), 1);
	CHECK_EQ(attach(fx.srv, fast, "a", true), 1);
	memset(chunk, 'x', sizeof chunk);
	/* The slow desk reads nothing while 2 MiB are shown; the fast one
	 * takes each show at once. */
	while (shown < 2 * VIEWER_QUEUE_BYTES) {
		session_show(&s->s, chunk, sizeof chunk, NULL, true);
		shown += sizeof chunk;
		take(fast);
		CHECK_EQ(count(fast, RP_OUTPUT), 1);
	}
	CHECK(slow->c->snapshots_due);
	CHECK(slow->c->chans[0]->snapshot_due);
	CHECK(!fast->c->snapshots_due);
	/* Now it reads: what was queued, then the screen. */
	for (int round = 0; round < 1000 && (slow->c->snapshots_due || !snaps); round++) {
		take(slow);
		for (int i = 0; i < slow->n; i++) {
			struct rp_data out;
			if (slow->h[i].type == RP_OUTPUT &&
			    rp_data_decode(slow->p[i], slow->h[i].len, &out) == 0)
				got += out.n;
			snaps += slow->h[i].type == RP_SNAPSHOT;
		}
		conn_writable(fx.srv, slow->c);
	}
	take(slow);
	for (int i = 0; i < slow->n; i++)
		snaps += slow->h[i].type == RP_SNAPSHOT;
	CHECK(!slow->c->snapshots_due);
	CHECK_EQ(snaps, 1);
	/* What it had not started to receive was dropped, not sent late:
	 * it got the screen's replay, not the megabyte it missed. */
	CHECK(got < VIEWER_QUEUE_BYTES / 4);
	desk_free(slow);
	desk_free(fast);
	fixture_finish(&fx);
}

/* ---- the link: a channel outlives its connection ---- */

/* The OUTPUT bytes d read, added to *off; what they were, into out. */
static void outputs(const struct desk *d, uint64_t *off, char *out, size_t n)
{
	size_t o = 0;

	for (int i = 0; i < d->n; i++) {
		struct rp_data x;
		if (d->h[i].type != RP_OUTPUT || rp_data_decode(d->p[i], d->h[i].len, &x) < 0)
			continue;
		*off += x.n;
		if (out && o + x.n < n) {
			memcpy(out + o, x.p, x.n);
			o += x.n;
		}
	}
	if (out)
		out[o] = 0;
}

/* RESUME; with ahead (RP_CAP_AHEAD) the desk's frames follow on that
 * channel, the first at place first. */
static long resume_ahead_frame(uint8_t *f, size_t cap, uint32_t req, const char *name,
			       const uint8_t *token, uint64_t offset, uint32_t seq, uint16_t ahead,
			       struct rp_inpos first)
{
	struct rp_enc e;

	rp_enc_begin(&e, f, cap, RP_RESUME, 0, 0);
	rp_put_u32(&e, req);
	rp_put_str(&e, name, strlen(name));
	rp_put_bytes(&e, token, RP_TOKEN_BYTES);
	rp_put_u64(&e, offset);
	rp_put_u32(&e, seq);
	if (ahead) {
		rp_put_u16(&e, ahead);
		rp_put_u32(&e, first.seq);
		rp_put_u32(&e, first.after);
	}
	return rp_enc_end(&e);
}

static long resume_frame(uint8_t *f, size_t cap, uint32_t req, const char *name,
			 const uint8_t *token, uint64_t offset, uint32_t seq)
{
	return resume_ahead_frame(f, cap, req, name, token, offset, seq, 0, (struct rp_inpos){0, 0});
}

/* A RESUME desk attached to session name: the host's HELLO has caps
 * want, and the channel's TOKEN (after OK, before the replay) in token. */
static struct desk *resumable_desk(struct server *srv, const char *name, uint32_t want,
				   uint8_t token[RP_TOKEN_BYTES])
{
	struct desk *a = desk_new(srv, false);
	struct rp_hello hi;
	const uint8_t *tok;
	int i;

	hello(srv, a, RP_CAP_RESUME, "", "a");
	i = find(a, RP_HELLO, 0);
	CHECK(i >= 0 && rp_hello_decode(a->p[i], a->h[i].len, &hi) == 0 &&
	      (hi.caps & want) == want);
	CHECK_EQ(attach(srv, a, name, false), 1);
	i = find(a, RP_TOKEN, 1);
	CHECK(i >= 0 && i < find(a, RP_TERMIOS, 1));
	CHECK(i >= 0 && rp_token_decode(a->p[i], a->h[i].len, &tok) == 0);
	if (i >= 0)
		memcpy(token, tok, RP_TOKEN_BYTES);
	return a;
}

static void test_resume(void)
{
	struct fixture fx;
	struct desk *a, *b, *c;
	struct fake *s;
	uint8_t f[512], token[RP_TOKEN_BYTES], wrong[RP_TOKEN_BYTES] = {0};
	struct rp_resumed m;
	uint64_t got = 0, got2 = 0;
	char out[256];
	bool fatal;
	int i;

	fixture_init(&fx);
	s = fake_add(fx.srv, "r");
	a = resumable_desk(fx.srv, "r", RP_CAP_RESUME, token);
	outputs(a, &got, NULL, 0);
	session_show(&s->s, "hello", 5, NULL, true);
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 1, "k1"));
	take(a);
	outputs(a, &got, NULL, 0);
	/* The connection goes: the channel waits, output goes on being kept. */
	conn_destroy(fx.srv, a->c);
	CHECK_EQ(fx.srv->norphans, 1);
	CHECK_EQ(s->s.nviewers, 0);
	session_show(&s->s, " world", 6, NULL, true);
	/* A wrong token, or a desk without the cap: refused, not fatal. */
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", wrong, got, 2));
	take(b);
	CHECK_EQ(error_code(b, &fatal, NULL, 0), RP_E_NOENT);
	CHECK(!fatal);
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got + 100, 2));
	take(b);
	CHECK_EQ(error_code(b, &fatal, NULL, 0), RP_E_PROTO); /* more output than was sent */
	CHECK(!fatal);
	c = desk_new(fx.srv, false);
	hello(fx.srv, c, 0, "", "c");
	send_frame(fx.srv, c, f, resume_frame(f, sizeof f, 9, "r", token, got, 2));
	take(c);
	CHECK_EQ(error_code(c, NULL, NULL, 0), RP_E_PROTO);
	CHECK_EQ(fx.srv->norphans, 1);
	/* The right one: RESUMED says input 1 was taken, and exactly the
	 * output missed follows. */
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got, 2));
	take(b);
	i = find(b, RP_RESUMED, -1);
	CHECK(i >= 0 && rp_resumed_decode(b->p[i], b->h[i].len, &m) == 0);
	CHECK_EQ(m.req, 9);
	CHECK_EQ(m.seq, 1);
	CHECK_EQ(m.after, 0);
	CHECK_EQ(m.offset, got);
	CHECK(i >= 0 && b->h[i].chan == 1);
	CHECK_EQ(count(b, RP_SNAPSHOT), 0);
	outputs(b, &got2, out, sizeof out);
	CHECK(!strcmp(out, " world"));
	CHECK_EQ(fx.srv->norphans, 0);
	CHECK_EQ(s->s.nviewers, 1);
	/* Missed more than was kept (here: from before what is kept): a
	 * redraw, after SYNC. */
	conn_destroy(fx.srv, b->c);
	CHECK_EQ(fx.srv->norphans, 1);
	desk_free(b);
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	rp_outkeep_forget(&s->s.orphans->kept);
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 10, "r", token, got, 2));
	take(b);
	i = find(b, RP_RESUMED, -1);
	CHECK(i >= 0 && rp_resumed_decode(b->p[i], b->h[i].len, &m) == 0);
	CHECK(m.offset > got);
	CHECK(find(b, RP_SYNC, 1) >= 0);
	CHECK_EQ(count(b, RP_SNAPSHOT), 1);
	/* DETACH leaves no orphan; the session's end takes any with it. */
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_DETACH, 1, NULL, 0));
	conn_destroy(fx.srv, b->c);
	CHECK_EQ(fx.srv->norphans, 0);
	desk_free(a);
	desk_free(b);
	desk_free(c);
	fixture_finish(&fx);
}

/* The loop's link rounds until d is sent a PING: its stamp. */
static uint64_t ping_of(struct server *srv, struct desk *d)
{
	uint64_t stamp = 0;
	long now = base_now_ms();
	int i = -1;

	for (long t = now; t < now + 5000 && i < 0; t += 100) {
		links_tick(srv, t, -1);
		take(d);
		i = find(d, RP_PING, 0);
	}
	CHECK(i >= 0 && rp_u64_decode(d->p[i], d->h[i].len, &stamp) == 0);
	return stamp;
}

static void pong(struct server *srv, struct desk *d, uint64_t stamp)
{
	uint8_t f[64], st8[8];

	for (int k = 0; k < 8; k++)
		st8[k] = (uint8_t)(stamp >> (56 - 8 * k));
	send_frame(srv, d, f, simple(f, sizeof f, RP_PONG, 0, st8, 8));
}

/* Session "r", its desk's channel waiting as its connection went (after
 * got bytes of output), ended with 7 after printing "last words": the
 * desk, whose channel's token is in token. */
static struct desk *ended_while_down(struct server *srv, uint8_t token[RP_TOKEN_BYTES],
				     uint64_t *got)
{
	struct fake *s = fake_add(srv, "r");
	struct desk *a = resumable_desk(srv, "r", RP_CAP_RESUME, token);

	outputs(a, got, NULL, 0);
	conn_destroy(srv, a->c);
	session_show(&s->s, "last words", 10, NULL, true);
	session_end(srv, &s->s, 7 << 8);
	return a;
}

/* A session that ends while its channel waits for its desk: the channel
 * keeps what the desk missed and the status, out of the session (whose
 * name is free at once), until its wait ends; its RESUME gets RESUMED,
 * the rest of the output, EXIT with the status, and nothing waits after.
 * A viewer whose EXIT went on a connection that may be lost waits too,
 * until the PONG of a PING sent after it, its desk's close at the end of
 * the stream having taken all, or the wait's end. */
/* The daemon closes a desk's connection in order, in its loop: the desk
 * reads the end of the stream, and a PING it sends then (its heartbeat,
 * on its way) is read and dropped, not left to reset the connection
 * (which the desk would take for a lost link); once the desk ends its
 * side the connection is closed, and it read no reset. A link the
 * heartbeat found dead is closed at once. */
static void test_close_in_order(void)
{
	struct fixture fx;
	struct desk *d;
	char b[64];
	int err = -1;
	socklen_t n = sizeof err;

	fixture_init(&fx);
	d = desk_new(fx.srv, false);
	hello(fx.srv, d, RP_CAP_RESUME, "", "d");
	conn_destroy(fx.srv, d->c);
	CHECK_EQ(fx.srv->nclosing, 1);
	while (read(d->peer, b, sizeof b) > 0) /* what it was sent, then the end */
		;
	CHECK_EQ(read(d->peer, b, sizeof b), 0);
	CHECK_EQ(send(d->peer, "PING", 4, MSG_NOSIGNAL), 4);
	CHECK_EQ(shutdown(d->peer, SHUT_WR), 0);
	conns_closing_end(fx.srv); /* (the loop would: its fd is readable) */
	CHECK_EQ(fx.srv->nclosing, 0);
	CHECK_EQ(read(d->peer, b, sizeof b), 0);
	CHECK(getsockopt(d->peer, SOL_SOCKET, SO_ERROR, &err, &n) == 0);
	CHECK_EQ(err, 0);
	desk_free(d);

	d = desk_new(fx.srv, false);
	hello(fx.srv, d, RP_CAP_RESUME, "", "d");
	ping_of(fx.srv, d); /* never answered: dropped in a minute at most */
	for (long t = base_now_ms(), end = t + 60000; t < end && fx.srv->nconns; t += 100)
		links_tick(fx.srv, t, -1);
	CHECK_EQ(fx.srv->nconns, 0);
	CHECK_EQ(fx.srv->nclosing, 0);
	desk_free(d);
	fixture_finish(&fx);
}

static void test_resume_ended(void)
{
	struct fixture fx;
	struct desk *a, *b, *d;
	struct fake *s;
	uint8_t f[512], token[RP_TOKEN_BYTES], t2[RP_TOKEN_BYTES];
	struct rp_resumed m;
	uint64_t got = 0, got2 = 0;
	int32_t st = -1;
	char out[256];
	int i;

	fixture_init(&fx);
	a = ended_while_down(fx.srv, token, &got);
	CHECK_EQ(fx.srv->norphans, 1);
	CHECK(fx.srv->ended_chans != NULL);
	/* The name is a new session's; the RESUME still finds its channel. */
	s = fake_add(fx.srv, "r");
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got, 0));
	take(b);
	i = find(b, RP_RESUMED, -1);
	CHECK(i >= 0 && rp_resumed_decode(b->p[i], b->h[i].len, &m) == 0);
	CHECK_EQ(m.offset, got);
	outputs(b, &got2, out, sizeof out);
	CHECK(!strcmp(out, "last words"));
	i = find(b, RP_EXIT, -1);
	CHECK(i > find(b, RP_OUTPUT, -1) && rp_exit_decode(b->p[i], b->h[i].len, &st) == 0);
	CHECK_EQ(st, 7);
	CHECK_EQ(s->s.nviewers, 0); /* not the new session's */
	CHECK_EQ(fx.srv->norphans, 1); /* until its desk is known to have them */
	close(b->peer);
	b->peer = -1;
	CHECK(!conn_readable(fx.srv, b->c));
	CHECK_EQ(fx.srv->norphans, 0);
	CHECK(fx.srv->ended_chans == NULL);
	/* Its desk does not come back: let go at the wait's end. */
	d = resumable_desk(fx.srv, "r", RP_CAP_RESUME, t2);
	conn_destroy(fx.srv, d->c);
	session_end(fx.srv, &s->s, 0);
	CHECK_EQ(fx.srv->norphans, 1);
	links_tick(fx.srv, base_now_ms() + RESUME_GRACE_MS - 1000, -1);
	CHECK_EQ(fx.srv->norphans, 1);
	links_tick(fx.srv, base_now_ms() + RESUME_GRACE_MS, -1);
	CHECK_EQ(fx.srv->norphans, 0);
	CHECK(fx.srv->ended_chans == NULL);
	desk_free(d);

	/* A viewer on its link: EXIT; a PING after it, then its PONG, and
	 * it is let go. */
	s = fake_add(fx.srv, "q");
	d = resumable_desk(fx.srv, "q", RP_CAP_RESUME, t2);
	session_end(fx.srv, &s->s, 3 << 8);
	take(d);
	CHECK(find(d, RP_EXIT, 1) >= 0);
	CHECK_EQ(fx.srv->norphans, 1);
	uint64_t stamp = ping_of(fx.srv, d);
	CHECK_EQ(fx.srv->norphans, 1);
	pong(fx.srv, d, stamp);
	CHECK_EQ(fx.srv->norphans, 0);
	conn_destroy(fx.srv, d->c);
	desk_free(d);
	/* Its desk closes having taken all: let go. */
	s = fake_add(fx.srv, "q");
	d = resumable_desk(fx.srv, "q", RP_CAP_RESUME, t2);
	session_end(fx.srv, &s->s, 0);
	take(d);
	CHECK_EQ(fx.srv->norphans, 1);
	close(d->peer);
	d->peer = -1;
	CHECK(!conn_readable(fx.srv, d->c));
	CHECK_EQ(fx.srv->norphans, 0);
	desk_free(d);
	/* The same with a PING queued after the EXIT, not yet written when
	 * the end of the stream is read (the heartbeat's, in that turn of
	 * the loop): let go, the PING was not its. Its EXIT still queued
	 * then: it waits. */
	for (int queued_exit = 0; queued_exit < 2; queued_exit++) {
		s = fake_add(fx.srv, "q");
		d = resumable_desk(fx.srv, "q", RP_CAP_RESUME, t2);
		session_end(fx.srv, &s->s, 0);
		if (!queued_exit) {
			take(d);
			CHECK(find(d, RP_EXIT, 1) >= 0);
			long now = base_now_ms();
			for (long t = now; t < now + 5000 && !rp_conn_queued(d->c->rc); t += 100)
				links_tick(fx.srv, t, -1);
			CHECK(rp_conn_queued(d->c->rc) > 0);
		}
		close(d->peer);
		d->peer = -1;
		CHECK(!conn_readable(fx.srv, d->c));
		CHECK_EQ(fx.srv->norphans, queued_exit);
		desk_free(d);
	}
	links_tick(fx.srv, base_now_ms() + RESUME_GRACE_MS, -1);
	CHECK_EQ(fx.srv->norphans, 0);
	/* Its connection lost (not closed by its desk): it waits. */
	s = fake_add(fx.srv, "q");
	d = resumable_desk(fx.srv, "q", RP_CAP_RESUME, t2);
	session_end(fx.srv, &s->s, 0);
	conn_destroy(fx.srv, d->c);
	CHECK_EQ(fx.srv->norphans, 1);
	desk_free(a);
	desk_free(b);
	desk_free(d);
	fixture_finish(&fx); /* (it is freed with the daemon) */
}

/* A channel of an ended session holds its number on its connection until
 * its desk has the EXIT (the PONG of a PING after it): another session
 * opened on that connection meanwhile gets another number, and the keys
 * its desk typed for the ended one before it knew go nowhere. So for a
 * viewer whose session ends, and for one resumed after its session ended
 * while it waited (which waits on as the first until then). */
static void test_ended_number(void)
{
	struct fixture fx;
	struct desk *a, *b, *d;
	struct fake *s, *o;
	uint8_t f[512], token[RP_TOKEN_BYTES];

	fixture_init(&fx);
	o = fake_add(fx.srv, "other");
	s = fake_add(fx.srv, "q");
	d = resumable_desk(fx.srv, "q", RP_CAP_RESUME, token);
	session_end(fx.srv, &s->s, 3 << 8);
	take(d);
	CHECK(find(d, RP_EXIT, 1) >= 0);
	CHECK_EQ(attach(fx.srv, d, "other", false), 2);
	send_frame(fx.srv, d, f, input_frame(f, sizeof f, 1, 9, "for q"));
	take(d);
	CHECK_EQ(o->in_len, 0);
	CHECK_EQ(count(d, RP_ERROR), 0); /* (unread as its desk leaves, it would reset) */
	uint64_t stamp = ping_of(fx.srv, d);
	CHECK_EQ(attach(fx.srv, d, "other", false), 3); /* (the PONG not come yet) */
	pong(fx.srv, d, stamp);
	CHECK_EQ(fx.srv->norphans, 0);
	CHECK_EQ(attach(fx.srv, d, "other", false), 1);

	/* Resumed after its session ended: RESUMED and EXIT on 1, which it
	 * holds until its desk has them, or its connection ends. */
	for (int k = 0; k < 2; k++) {
		uint64_t got = 0, got2 = 0;
		char out[64];
		a = ended_while_down(fx.srv, token, &got);
		desk_free(a);
		b = desk_new(fx.srv, false);
		hello(fx.srv, b, RP_CAP_RESUME, "", "b");
		send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got, 0));
		take(b);
		CHECK(find(b, RP_RESUMED, 1) >= 0 && find(b, RP_EXIT, 1) >= 0);
		outputs(b, &got2, out, sizeof out);
		CHECK(!strcmp(out, "last words"));
		CHECK(fx.srv->ended_chans && !fx.srv->ended_chans->snext);
		CHECK_EQ(attach(fx.srv, b, "other", false), 2);
		send_frame(fx.srv, b, f, input_frame(f, sizeof f, 1, 1, "for r"));
		CHECK_EQ(o->in_len, 0);
		if (k == 0)
			pong(fx.srv, b, ping_of(fx.srv, b));
		else
			conn_destroy(fx.srv, b->c); /* (lost, or reset as its desk left) */
		CHECK(fx.srv->ended_chans == NULL);
		if (k == 0)
			CHECK_EQ(attach(fx.srv, b, "other", false), 1);
		desk_free(b);
	}
	desk_free(d);
	fixture_finish(&fx);
}

/* A terminal desk that missed more of an ended session's output than
 * its channel kept: RESUMED at the oldest byte kept, a NOTICE of how many
 * were lost, those kept, then EXIT with the status. */
static void test_resume_ended_lost(void)
{
	struct fixture fx;
	struct desk *a, *b;
	struct fake *s;
	uint8_t f[512], token[RP_TOKEN_BYTES];
	struct rp_resumed m;
	uint64_t got = 0, got2 = 0;
	int32_t st = -1;
	char out[256], said[512];
	int i;

	fixture_init(&fx);
	s = fake_add(fx.srv, "r");
	a = resumable_desk(fx.srv, "r", RP_CAP_RESUME, token);
	outputs(a, &got, NULL, 0);
	conn_destroy(fx.srv, a->c);
	session_show(&s->s, "lost to the bound", 17, NULL, true);
	rp_outkeep_forget(&s->s.orphans->kept); /* (as past RP_KEEP_OUTPUT_BYTES) */
	session_show(&s->s, "last words", 10, NULL, true);
	session_end(fx.srv, &s->s, 7 << 8);
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got, 0));
	take(b);
	i = find(b, RP_RESUMED, 1);
	CHECK(i >= 0 && rp_resumed_decode(b->p[i], b->h[i].len, &m) == 0);
	CHECK_EQ(m.offset, got + 17);
	notices(b, said, sizeof said);
	CHECK(strstr(said, "r ended; 17 bytes of its output before the last 10 were lost") != NULL);
	CHECK(find(b, RP_NOTICE, 1) > i && find(b, RP_NOTICE, 1) < find(b, RP_OUTPUT, 1));
	outputs(b, &got2, out, sizeof out);
	CHECK(!strcmp(out, "last words"));
	i = find(b, RP_EXIT, 1);
	CHECK(i > find(b, RP_OUTPUT, 1) && rp_exit_decode(b->p[i], b->h[i].len, &st) == 0);
	CHECK_EQ(st, 7);
	desk_free(a);
	desk_free(b);
	fixture_finish(&fx);
}

/* A RESUME ahead (RP_CAP_AHEAD, which the host's HELLO says): the desk's
 * kept frames right behind it, on the channel number it names. Those the
 * channel took before its link went (an INPUT by its seq, an ECHO by its
 * place after the frame before) are dropped, the rest handled, once each;
 * a frame of another kind ends the run. Behind a refused RESUME they are
 * dropped without a word (keys for a session that is not there), and a
 * number in use is refused whole. */
static void test_resume_ahead(void)
{
	struct fixture fx;
	struct desk *a, *b, *c;
	struct fake *s;
	uint8_t f[512], token[RP_TOKEN_BYTES], wrong[RP_TOKEN_BYTES] = {0};
	struct rp_resumed m;
	uint64_t got = 0;
	bool fatal;
	int i;

	fixture_init(&fx);
	s = fake_add(fx.srv, "r");
	a = resumable_desk(fx.srv, "r", RP_CAP_RESUME | RP_CAP_AHEAD, token);
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 1, "k1"));
	send_frame(fx.srv, a, f, simple(f, sizeof f, RP_ECHO, 1, "e1", 2));
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 2, "k2"));
	take(a);
	outputs(a, &got, NULL, 0);
	conn_destroy(fx.srv, a->c);
	CHECK_EQ(fx.srv->norphans, 1);
	CHECK(s->in_len == 4 && !memcmp(s->in, "k1k2", 4));

	/* Refused: the frames behind it go nowhere, and say nothing. */
	c = desk_new(fx.srv, false);
	hello(fx.srv, c, RP_CAP_RESUME, "", "c");
	send_frame(fx.srv, c, f,
		   resume_ahead_frame(f, sizeof f, 8, "r", wrong, got, 3, 2, (struct rp_inpos){1, 0}));
	send_frame(fx.srv, c, f, input_frame(f, sizeof f, 2, 3, "zz"));
	take(c);
	CHECK_EQ(error_code(c, &fatal, NULL, 0), RP_E_NOENT);
	CHECK_EQ(count(c, RP_ERROR), 1);
	CHECK_EQ(s->inputs, 2);

	/* Taken: everything kept goes again on channel 3, from INPUT 1. */
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	send_frame(fx.srv, b, f,
		   resume_ahead_frame(f, sizeof f, 9, "r", token, got, 3, 3, (struct rp_inpos){1, 0}));
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 3, 1, "k1"));
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_ECHO, 3, "e1", 2));
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 3, 2, "k2"));
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 3, 3, "k3"));
	take(b);
	i = find(b, RP_RESUMED, -1);
	CHECK(i >= 0 && rp_resumed_decode(b->p[i], b->h[i].len, &m) == 0);
	CHECK(i >= 0 && b->h[i].chan == 3);
	CHECK(m.req == 9 && m.seq == 2 && m.after == 0);
	CHECK_EQ(count(b, RP_ERROR), 0);
	CHECK(s->in_len == 6 && !memcmp(s->in, "k1k2k3", 6));
	/* The run is over (a PING): a frame sent again now is taken as
	 * any would be. */
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_PING, 0, "\0\0\0\0\0\0\0\1", 8));
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 3, 4, "k4"));
	CHECK(s->in_len == 8 && !memcmp(s->in, "k1k2k3k4", 8));

	/* A number in use: refused, and the connection with it. */
	conn_destroy(fx.srv, b->c);
	desk_free(b);
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	CHECK_EQ(attach(fx.srv, b, "r", false), 1);
	send_frame(fx.srv, b, f,
		   resume_ahead_frame(f, sizeof f, 10, "r", token, 0, 4, 1, (struct rp_inpos){5, 0}));
	take(b);
	CHECK_EQ(error_code(b, &fatal, NULL, 0), RP_E_PROTO);
	CHECK(fatal);
	desk_free(a);
	desk_free(b);
	desk_free(c);
	fixture_finish(&fx);
}

/* The last TERMIOS d read: its long form's seq and mark (-1: none). */
static int last_termios(const struct desk *d, struct rp_termios_at *at)
{
	struct kpty_termios t;
	int last = -1;

	for (int i = 0; i < d->n; i++)
		if (d->h[i].type == RP_TERMIOS &&
		    rp_termios_at_decode(d->p[i], d->h[i].len, &t, at) == 0)
			last = i;
	return last;
}

/* A RESUME on a connection whose OPEN waits for its program's exec finds
 * that OPEN's channel held: with every other channel in use it is told
 * there is none left (the channel waits on for another connection), and
 * the OPEN's answer still attaches. Had the RESUME taken the held one,
 * the OPEN would be answered "too many channels" and its session would
 * run attached to nobody. */
static void test_resume_skips_held(void)
{
	struct fixture fx;
	struct desk *a, *b;
	uint8_t f[512], token[RP_TOKEN_BYTES];
	char *runs[] = {SLOW_RUNS};
	char dir[] = "/tmp/telly-unit-gate.XXXXXX";
	int gate = slow_gate_open(dir), i;
	uint64_t got = 0;

	fixture_init(&fx);
	fake_add(fx.srv, "r");
	fake_add(fx.srv, "a");
	a = resumable_desk(fx.srv, "r", RP_CAP_RESUME, token);
	outputs(a, &got, NULL, 0);
	conn_destroy(fx.srv, a->c);
	CHECK_EQ(fx.srv->norphans, 1);
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, RP_CAP_RESUME, "", "b");
	send_frame(fx.srv, b, f, open_program(f, sizeof f, 5, RP_OPEN_ATTACH, "late", runs, 1));
	take(b);
	CHECK_EQ(b->n, 0);
	for (i = 0; i < MAX_CHANS - 1; i++)
		CHECK_EQ(attach(fx.srv, b, "a", true), i + 2);
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "r", token, got, 1));
	take(b);
	CHECK(find(b, RP_RESUMED, -1) < 0);
	CHECK_EQ(error_code(b, NULL, NULL, 0), RP_E_LIMIT);
	CHECK_EQ(fx.srv->norphans, 1);
	late_attached(&fx, b, gate);
	desk_free(b);
	desk_free(a);
	fixture_finish(&fx);
	slow_gate_close(gate, dir);
}

/* A RETYPE desk's keys let go under a mark it never got (the link lost
 * with that TERMIOS on its way): each TERMIOS after says that mark's seq,
 * not the last INPUT taken, and the first after a RESUMED is marked
 * even where the program is raw again, so the desk types them again
 * and its TERMIOS_SEEN ends the letting go. */
static void test_resume_mark_lost(void)
{
	const uint32_t caps = RP_CAP_RESUME | RP_CAP_RETYPE;
	struct fixture fx;
	struct desk *a, *b;
	struct fake *s;
	struct rp_termios_at at;
	uint8_t token[RP_TOKEN_BYTES] = {0};
	const uint8_t *tok;
	uint8_t f[512];
	struct rp_enc e;
	uint64_t got = 0;
	struct chan *v;
	int i;

	fixture_init(&fx);
	s = fake_add(fx.srv, "m");
	a = desk_new(fx.srv, false);
	hello(fx.srv, a, caps, "", "a");
	CHECK_EQ(attach(fx.srv, a, "m", false), 1);
	i = find(a, RP_TOKEN, 1);
	CHECK(i >= 0 && rp_token_decode(a->p[i], a->h[i].len, &tok) == 0);
	if (i >= 0)
		memcpy(token, tok, sizeof token);
	outputs(a, &got, NULL, 0);
	/* Canonical under EXTPROC: marked, INPUT 0 taken. */
	s->s.termios.c_lflag |= KPTY_EXTPROC | KPTY_ICANON;
	session_termios_changed(&s->s);
	take(a);
	CHECK(last_termios(a, &at) >= 0 && at.has && at.mark != 0);
	CHECK_EQ(at.seq, 0);
	/* A key typed raw reaches it after: let go, and taken. */
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 1, "x"));
	v = s->s.viewers;
	CHECK(v != NULL && chan_letting_go(v) && v->taken.seq == 1);
	/* Raw again before the desk said it saw the mark: the TERMIOS says
	 * the mark's seq still. */
	s->s.termios.c_lflag &= ~KPTY_ICANON;
	session_termios_changed(&s->s);
	take(a);
	outputs(a, &got, NULL, 0);
	CHECK(last_termios(a, &at) >= 0 && at.mark == 0);
	CHECK_EQ(at.seq, 0);
	/* The link goes with all that on its way; the desk comes back. */
	conn_destroy(fx.srv, a->c);
	b = desk_new(fx.srv, false);
	hello(fx.srv, b, caps, "", "b");
	send_frame(fx.srv, b, f, resume_frame(f, sizeof f, 9, "m", token, got, 1));
	take(b);
	CHECK(find(b, RP_RESUMED, -1) >= 0);
	CHECK(last_termios(b, &at) >= 0 && at.has && at.mark != 0);
	CHECK_EQ(at.seq, 0);
	/* Its TERMIOS_SEEN: what it sends from now on is taken. */
	rp_enc_begin(&e, f, sizeof f, RP_TERMIOS_SEEN, 0, 1);
	rp_put_u32(&e, at.mark);
	send_frame(fx.srv, b, f, rp_enc_end(&e));
	v = s->s.viewers;
	CHECK(v != NULL && !chan_letting_go(v));
	desk_free(a);
	desk_free(b);
	fixture_finish(&fx);
}

/* ---- consoles: one writer, takeover ---- */

static struct session *console_down(struct fixture *fx, const char *name)
{
	struct vmc_config cfg = {0};
	char arg[200], err[300];
	struct session *s = NULL;

	snprintf(arg, sizeof arg, "%s=unix:%s/no-such-socket", name, fx->dir);
	CHECK_EQ(vmc_config_add_arg(&cfg, arg, err, sizeof err), 0);
	if (cfg.n == 1 && console_create(fx->srv, &cfg.specs[0], err, sizeof err) == 0)
		s = session_find(fx->srv, name, strlen(name));
	if (!s)
		fprintf(stderr, "console: %s\n", err);
	vmc_config_finish(&cfg);
	return s;
}

static void test_console_writer(void)
{
	struct fixture fx;
	struct desk *a, *b, *r;
	struct session *s;
	uint8_t f[256];
	char text[2000];

	fixture_init(&fx);
	s = console_down(&fx, "vm");
	CHECK(s != NULL);
	if (!s) {
		fixture_finish(&fx);
		return;
	}
	a = desk_new(fx.srv, false);
	b = desk_new(fx.srv, false);
	r = desk_new(fx.srv, false);
	hello(fx.srv, a, 0, "", "alice");
	hello(fx.srv, b, 0, "", "bob");
	hello(fx.srv, r, 0, "", "ro");
	/* The first to attach writes; the next watches. */
	CHECK_EQ(attach(fx.srv, a, "vm", false), 1);
	CHECK(strstr(notices(a, text, sizeof text), "you are writing") != NULL);
	CHECK_EQ(attach(fx.srv, b, "vm", false), 1);
	CHECK(strstr(notices(b, text, sizeof text), "alice is writing; you are watching") != NULL);
	CHECK_EQ(attach(fx.srv, r, "vm", true), 1);
	CHECK(strstr(notices(r, text, sizeof text), "read-only") != NULL);
	/* A watcher's keys are dropped, and it is told once. */
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 1, 1, "x"));
	take(b);
	CHECK(strstr(notices(b, text, sizeof text), "your keys are dropped") != NULL);
	send_frame(fx.srv, b, f, input_frame(f, sizeof f, 1, 2, "x"));
	take(b);
	CHECK_EQ(count(b, RP_NOTICE), 0);
	CHECK_EQ(error_code(b, NULL, NULL, 0), 0);
	/* The writer's keys reach a console that is down: told so. */
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 1, "x"));
	take(a);
	CHECK_EQ(error_code(a, NULL, text, sizeof text), RP_E_NOENT);
	CHECK(strstr(text, "is down") != NULL);
	/* A read-only viewer cannot write or take over. */
	send_frame(fx.srv, r, f, simple(f, sizeof f, RP_TAKEOVER, 1, "", 0));
	take(r);
	CHECK_EQ(error_code(r, NULL, NULL, 0), RP_E_READONLY);
	/* No signals on a raw line. */
	send_frame(fx.srv, a, f, simple(f, sizeof f, RP_SIGNAL, 1, "\x02\x00", 2));
	take(a);
	CHECK_EQ(error_code(a, NULL, text, sizeof text), RP_E_PROTO);
	CHECK(strstr(text, "console takes no signals") != NULL);
	/* Takeover: both told. */
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_TAKEOVER, 1, "", 0));
	take(a);
	take(b);
	CHECK(strstr(notices(b, text, sizeof text), "you are writing now") != NULL);
	CHECK(strstr(notices(a, text, sizeof text), "bob took over") != NULL);
	/* Now alice watches (told again, once). */
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 3, "x"));
	take(a);
	CHECK(strstr(notices(a, text, sizeof text), "bob is writing; your keys are dropped") != NULL);
	/* A break goes from the writer only (the console is down). */
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_BREAK, 1, "", 0));
	take(b);
	CHECK(strstr(notices(b, text, sizeof text), "break not sent: it is down") != NULL);
	/* The writer leaves: the next to type writes. */
	send_frame(fx.srv, b, f, simple(f, sizeof f, RP_DETACH, 1, "", 0));
	send_frame(fx.srv, a, f, input_frame(f, sizeof f, 1, 4, "x"));
	take(a);
	CHECK_EQ(count(a, RP_NOTICE), 0);
	CHECK_EQ(error_code(a, NULL, NULL, 0), RP_E_NOENT); /* writing, to a console that is down */
	/* KILL does not end a console; STOP does, by the next round. */
	send_frame(fx.srv, a, f, req_frame(f, sizeof f, RP_KILL, 8, "vm"));
	take(a);
	CHECK_EQ(error_code(a, NULL, text, sizeof text), RP_E_NOENT);
	CHECK(strstr(text, "is a console") != NULL);
	server_stop(fx.srv);
	CHECK_EQ(fx.srv->nsessions, 1);
	session_tick(s, 0);
	CHECK_EQ(fx.srv->nsessions, 0);
	take(a);
	CHECK(find(a, RP_EXIT, 1) >= 0);
	/* What people did is in the audit log. */
	audit(&fx, text, sizeof text);
	CHECK(strstr(text, "attach writing") != NULL);
	CHECK(strstr(text, "takeover from alice") != NULL);
	CHECK(strstr(text, "detach (was writing)") != NULL);
	CHECK(strstr(text, "writing (nobody was)") != NULL);
	desk_free(a);
	desk_free(b);
	desk_free(r);
	fixture_finish(&fx);
}

/* A reload keeps a console running when only who may use it changed, and
 * makes it again when its backend or log did. */
static void test_reload_spec_same(void)
{
	struct vmc_config cfg = {0};
	struct vmc_spec a, b;
	char err[300] = "";

	CHECK_EQ(vmc_config_add_arg(&cfg, "vm=unix:/run/vm.sock", err, sizeof err), 0);
	if (cfg.n != 1) {
		vmc_config_finish(&cfg);
		return;
	}
	a = b = cfg.specs[0];
	CHECK(console_spec_same(&a, &b));
	b.nusers = 1;
	snprintf(b.users[0].pattern, sizeof b.users[0].pattern, "alice");
	b.users[0].right = VMC_RW;
	CHECK(console_spec_same(&a, &b)); /* the front door's business */
	snprintf(b.target, sizeof b.target, "/run/vm2.sock");
	CHECK(!console_spec_same(&a, &b));
	b = a;
	b.kind = VMC_PTY;
	CHECK(!console_spec_same(&a, &b));
	b = a;
	b.log_cap = a.log_cap * 2;
	CHECK(!console_spec_same(&a, &b));
	b = a;
	b.log_keep = a.log_keep + 1;
	CHECK(!console_spec_same(&a, &b));
	b = a;
	snprintf(b.log, sizeof b.log, "/var/log/telly/vm.log");
	CHECK(!console_spec_same(&a, &b));
	vmc_config_finish(&cfg);
}

/* A SIGHUP reads the command line's consoles again, in its order: the
 * values of other options are not taken for options, a file with an
 * error is named with its line, and without a --consoles FILE there is
 * nothing to reload. */
static void test_reload_consoles_load(void)
{
	char dir[] = "/tmp/telly-unit-reload.XXXXXX", path[128], err[400] = "";
	char *argv[] = {"telly", "--ssh-keys", "--console", "--console", "a=exec:true",
			"--consoles", path, "--listen", "--consoles", NULL};
	int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
	struct vmc_config cfg = {0};
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/consoles.conf", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fputs("[b]\nbackend = exec:true\n[c]\nbackend = tcp:127.0.0.1:4000\n", f);
	fclose(f);
	CHECK_EQ(serve_consoles_load(argc, argv, true, &cfg, err, sizeof err), 1);
	CHECK_EQ(cfg.n, 3);
	if (cfg.n == 3) {
		CHECK(!strcmp(cfg.specs[0].name, "a"));
		CHECK(!strcmp(cfg.specs[1].name, "b"));
		CHECK(!strcmp(cfg.specs[2].name, "c"));
	}
	vmc_config_finish(&cfg);
	/* --console alone: nothing for a SIGHUP, something for a start. */
	memset(&cfg, 0, sizeof cfg);
	CHECK_EQ(serve_consoles_load(5, argv, true, &cfg, err, sizeof err), 0);
	vmc_config_finish(&cfg);
	memset(&cfg, 0, sizeof cfg);
	CHECK_EQ(serve_consoles_load(5, argv, false, &cfg, err, sizeof err), 1);
	vmc_config_finish(&cfg);
	/* A malformed file: its name and line. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("[b]\nbackend = exec:true\n[c\n", f);
		fclose(f);
	}
	memset(&cfg, 0, sizeof cfg);
	CHECK_EQ(serve_consoles_load(argc, argv, true, &cfg, err, sizeof err), -1);
	CHECK(strstr(err, "consoles.conf:3") != NULL);
	vmc_config_finish(&cfg);
	unlink(path);
	rmdir(dir);
}

/* An X program reaped before the loop read its exec's pipe: the pipe is
 * taken then, and a first program whose exec said why it cannot run (a
 * missing #! interpreter) had its OPEN told OK after all, since its death
 * under the daemon's name made its start "unsure" (x11-start-held failed
 * so under load: telly new --x11 exited 0). What it said wins. */
static void test_x11_start_of(void)
{
	int exited127 = 127 << 8, exited0 = 0, killed = SIGKILL;

	CHECK_EQ(x11_start_of(true, true, exited127), X11_START_TOLD);
	CHECK_EQ(x11_start_of(true, true, killed), X11_START_TOLD);
	CHECK_EQ(x11_start_of(true, false, exited127), X11_START_TOLD);
	CHECK_EQ(x11_start_of(false, true, killed), X11_START_KILLED);
	CHECK_EQ(x11_start_of(false, true, exited0), X11_START_RAN);
	CHECK_EQ(x11_start_of(false, false, exited0), X11_START_TOLD);
}

/* An X session whose programs ended (sh -c 'xclock &'): it stays while
 * a client that showed a window or holds a copy (xclip -i) remains; one
 * that shows none (a D-Bus launcher) keeps it 5 s at most from when it
 * was first counted (or the programs' end); with none, what the programs
 * left running is waited for 5 s at most; a server that cannot count
 * ends it with its programs. */
static void test_x11_linger_of(void)
{
	/* keep (showed a window, or holds a copy), unshown_ms, lingered_ms, left */
	CHECK_EQ(x11_linger_of(1, -1, 0, false), X11_LINGER_STAY);
	CHECK_EQ(x11_linger_of(3, 600000, 600000, true), X11_LINGER_STAY);
	/* Only clients that show nothing: 5 s from the newest's first count. */
	CHECK_EQ(x11_linger_of(0, 0, 0, false), X11_LINGER_SOON);
	CHECK_EQ(x11_linger_of(0, 4999, 4999, false), X11_LINGER_SOON);
	CHECK_EQ(x11_linger_of(0, 5000, 5000, false), X11_LINGER_DOWN);
	CHECK_EQ(x11_linger_of(0, 600000, 600000, false), X11_LINGER_DOWN);
	/* one that came late (a launcher's slow child) has its own 5 s */
	CHECK_EQ(x11_linger_of(0, 1000, 9000, false), X11_LINGER_SOON);
	/* a stale one does not hide what was left, within its 5 s */
	CHECK_EQ(x11_linger_of(0, 5000, 100, true), X11_LINGER_SOON);
	/* None yet: what was left is waited for 5 s at most. */
	CHECK_EQ(x11_linger_of(0, -1, 100, true), X11_LINGER_SOON);
	CHECK_EQ(x11_linger_of(0, -1, 4999, true), X11_LINGER_SOON);
	CHECK_EQ(x11_linger_of(0, -1, 5000, true), X11_LINGER_DOWN);
	CHECK_EQ(x11_linger_of(0, -1, 100, false), X11_LINGER_DOWN);
	CHECK_EQ(x11_linger_of(-1, 0, 0, true), X11_LINGER_DOWN);
}

/* A process's environment (/proc/PID/environ) has an entry only whole:
 * not a longer one it begins (DISPLAY=:10 for DISPLAY=:1), not one cut
 * short at the end of what was read. */
static void test_x11_env_has(void)
{
	static const char env[] = "HOME=/root\0DISPLAY=:10\0XAUTHORITY=/r/x11-a.auth\0DISPLAY=:1";

	CHECK(x11_env_has(env, sizeof env - 1, "HOME=/root"));
	CHECK(x11_env_has(env, sizeof env - 1, "DISPLAY=:10"));
	CHECK(x11_env_has(env, sizeof env - 1, "XAUTHORITY=/r/x11-a.auth"));
	CHECK(!x11_env_has(env, sizeof env - 1, "DISPLAY=:1"));
	CHECK(x11_env_has(env, sizeof env, "DISPLAY=:1"));
	CHECK(!x11_env_has(env, sizeof env, "XAUTHORITY=/r/x11-a"));
	CHECK(!x11_env_has(env, 0, "HOME=/root"));
	CHECK(!x11_env_has(env, 6, "HOME=/root"));
}

/* A look at the processes that hangs, as one on a process stuck on a
 * hung mount does: it waits for the gate's write end to close. */
struct look_gate {
	int fd[2];
	atomic_bool answer;
};

static bool gated_look(void *arg, const char *dpy, const char *xauth)
{
	struct look_gate *g = arg;
	char c;

	(void)dpy, (void)xauth;
	while (read(g->fd[0], &c, 1) < 0 && errno == EINTR)
		;
	return atomic_load(&g->answer);
}

static bool looks_end(struct x11_looks *ls)
{
	for (long until = base_now_ms() + 5000; x11_looks_alive(ls) && base_now_ms() < until;)
		usleep(1000);
	return x11_looks_alive(ls) == 0;
}

/* Looks that hang do not pile up: a session lingering again and again
 * while its look hangs starts no other (it had one stuck thread more at
 * each linger), sessions together stop at X11_LOOKS_MAX and say maybe;
 * a look of an earlier linger that ends is not this linger's answer. */
static void test_x11_looks_bounded(void)
{
	struct look_gate g;
	struct x11_reach r = {0}, many[X11_LOOKS_MAX + 3] = {{0}};
	const char *dpy = "DISPLAY=:9", *xa = "XAUTHORITY=/r/x11-9.auth";

	CHECK(pipe(g.fd) == 0);
	atomic_init(&g.answer, false);
	struct x11_looks *ls = x11_looks_create(gated_look, &g);
	CHECK(ls);
	for (int linger = 0; linger < 5; linger++) {
		x11_reach_again(&r);
		CHECK(x11_reach_maybe(&r, ls, dpy, xa));
		CHECK_EQ(x11_looks_alive(ls), 1);
	}
	for (unsigned i = 0; i < sizeof many / sizeof *many; i++) {
		x11_reach_again(&many[i]);
		CHECK(x11_reach_maybe(&many[i], ls, dpy, xa));
	}
	CHECK_EQ(x11_looks_alive(ls), X11_LOOKS_MAX);
	close(g.fd[1]); /* every look answers no now */
	CHECK(looks_end(ls));
	/* r's look was its first linger's: still maybe, and looked again. */
	CHECK(x11_reach_maybe(&r, ls, dpy, xa));
	CHECK(!x11_reach_maybe(&many[0], ls, dpy, xa));
	CHECK(looks_end(ls));
	CHECK(!x11_reach_maybe(&r, ls, dpy, xa));
	/* Those past the bound look now. */
	unsigned last = sizeof many / sizeof *many - 1;
	CHECK(x11_reach_maybe(&many[last], ls, dpy, xa));
	CHECK(looks_end(ls));
	CHECK(!x11_reach_maybe(&many[last], ls, dpy, xa));
	x11_reach_finish(&r);
	for (unsigned i = 0; i <= last; i++)
		x11_reach_finish(&many[i]);
	x11_looks_put(ls);
	close(g.fd[0]);
}

/* An X window's reads (session_x11.c's pacing, on a clock of the test's):
 * the first damage after an input is read at once, damage without input
 * a frame after the last read. */
#define MS 1000000ull
static void test_x11_pace(void)
{
	struct x11_pace p = {0};
	uint64_t t = 1000 * MS;

	CHECK_EQ(x11_pace_wait(&p, t), 0); /* never read */
	x11_pace_read(&p, t);
	CHECK(!x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, t + 1 * MS), 15 * MS); /* an animation: a frame apart */
	CHECK_EQ(x11_pace_wait(&p, t + 16 * MS), 0);
	x11_pace_input(&p, t + 5 * MS);
	CHECK(x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, t + 5 * MS + 300000), 0); /* its answer: at once */
	x11_pace_read(&p, t + 6 * MS + 200000);
	CHECK(!x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, t + 40 * MS), 0);

	/* A key drawn in two pieces (its text, then its cursor) whose first
	 * read was a millisecond after the input: the second piece is read
	 * at once too, not a frame after the first. */
	t = 2000 * MS;
	x11_pace_read(&p, t);
	x11_pace_input(&p, t + 100000);
	CHECK_EQ(x11_pace_wait(&p, t + 1 * MS), 0);
	x11_pace_read(&p, t + 1 * MS + 500000);
	CHECK(!x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, t + 3 * MS), 0);
	/* An animation typed into is not read faster than its frames for
	 * long: X11_ANSWER_READS reads at once in all, then a frame apart. */
	for (int i = 1; i < X11_ANSWER_READS; i++) {
		CHECK_EQ(x11_pace_wait(&p, t + (3 + (uint64_t)i) * MS), 0);
		x11_pace_read(&p, t + (3 + (uint64_t)i) * MS);
	}
	uint64_t last = t + (2 + (uint64_t)X11_ANSWER_READS) * MS;
	CHECK_EQ(x11_pace_wait(&p, last + 1 * MS), 15 * MS);
	/* Nor past X11_ANSWER_US after the input. */
	t = 3000 * MS;
	x11_pace_input(&p, t);
	x11_pace_read(&p, t + 1 * MS);
	uint64_t late = t + (uint64_t)X11_ANSWER_US * 1000 + 1000;
	CHECK_EQ(x11_pace_wait(&p, late), t + 1 * MS + 16 * MS - late);
	/* A new input opens its own answer. */
	x11_pace_input(&p, late);
	CHECK(x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, late), 0);

	/* The pointer moved over a window that animates (damage every ms),
	 * a motion every ms for a second: the first motion's damage read at
	 * once, but the window no faster than its frames (each motion an
	 * input as a key is, it was read every ms). */
	t = 5000 * MS;
	p = (struct x11_pace){0};
	x11_pace_read(&p, t);
	x11_pace_motion(&p, t + 20 * MS);
	CHECK(x11_pace_answering(&p));
	CHECK_EQ(x11_pace_wait(&p, t + 20 * MS + 300000), 0);
	unsigned reads = 0;
	for (uint64_t ms = 20; ms < 1020; ms++) {
		uint64_t now = t + ms * MS + 500000;
		x11_pace_motion(&p, t + ms * MS);
		if (x11_pace_wait(&p, now) == 0) {
			x11_pace_read(&p, now);
			reads++;
		}
	}
	CHECK(reads >= 1000 / X11_FRAME_MS - 2);
	CHECK(reads <= 2 * (1000 / X11_FRAME_MS) + 2);
	/* A key after it is answered at once. */
	x11_pace_input(&p, t + 1021 * MS);
	CHECK_EQ(x11_pace_wait(&p, t + 1021 * MS + 100000), 0);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"session-table", test_table},
		{"session-limit", test_session_limit},
		{"dispatch-hello", test_hello},
		{"conn-one-read-a-wakeup", test_one_read_a_wakeup},
		{"dispatch-list", test_list},
		{"dispatch-open", test_open},
		{"dispatch-open-no-lookup", test_open_no_lookup},
		{"dispatch-open-waits-for-exec", test_open_waits_for_exec},
		{"dispatch-open-no-false-start", test_open_no_false_start},
		{"dispatch-open-holds-its-channel", test_open_holds_its_channel},
		{"dispatch-open-x11-needs-x-desk", test_open_x11_needs_x_desk},
		{"dispatch-open-ran-then-killed", test_open_ran_then_killed},
		{"dispatch-open-ran-named-as-daemon", test_open_ran_named_as_daemon},
		{"dispatch-open-ran-named-as-fork", test_open_ran_named_as_fork},
		{"fdm-del-if-reused", test_fdm_del_if_reused},
		{"dispatch-kill-stop", test_kill_stop},
		{"dispatch-channel-messages", test_channel_messages},
		{"dispatch-handoff-malformed", test_handoff_malformed},
		{"viewer-drop-then-snapshot", test_drop_then_snapshot},
		{"link-resume", test_resume},
		{"close-in-order", test_close_in_order},
		{"link-resume-ended", test_resume_ended},
		{"link-ended-number", test_ended_number},
		{"link-resume-ended-lost", test_resume_ended_lost},
		{"link-resume-ahead", test_resume_ahead},
		{"link-resume-mark-lost", test_resume_mark_lost},
		{"link-resume-skips-held", test_resume_skips_held},
		{"console-writer-takeover", test_console_writer},
		{"reload-spec-same", test_reload_spec_same},
		{"reload-consoles-load", test_reload_consoles_load},
		{"x11-pace", test_x11_pace},
		{"x11-start-said-wins", test_x11_start_of},
		{"x11-linger", test_x11_linger_of},
		{"x11-env-has", test_x11_env_has},
		{"x11-looks-bounded", test_x11_looks_bounded},
	};

	signal(SIGPIPE, SIG_IGN);
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
