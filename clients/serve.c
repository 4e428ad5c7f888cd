/* telly serve: the host's daemon. One per user and host.
 *
 * Sessions are programs on real Linux ptys in EXTPROC packet mode, so the
 * desk runs the line discipline and the host learns every termios change.
 * For each session the daemon keeps the screen (rp_screen: libvterm plus a
 * bounded scrollback) and appends the output to a capped, rotated log.
 *
 * One poll loop: listeners, the signalfd, each session's pty master, each
 * connection. Output read once from a pty becomes one shared rp_buf queued
 * to every viewer; a viewer whose queue passes its bound loses what it had
 * not started to receive and gets a fresh snapshot once its link drains.
 * A peer that sends a malformed frame is told why and disconnected; the
 * daemon and everyone else go on.
 *
 * A console (vmconsole) is a session too, with a vmc_console where a
 * program's pty would be: two poll slots (its backend, its exposed pty),
 * its own timestamped log, and one writer at a time among its viewers
 * (the others watch until they take over). The SSH front door is a child
 * process that reaches the consoles through the unix socket like any
 * client; what each connection does to a console goes to the audit log
 * with the connection's name.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "kpty_os.h"
#include "screen.h"
#include "slog.h"
#include "vmc.h"

#define MAX_SESSIONS 256
/* Connections: the owner's (the unix socket) and the network's (TCP) are
 * counted apart, so strangers never take the owner's places; of the TCP
 * ones, those that have not logged in yet (no HELLO with the token) are
 * held to fewer, and fewer again from one address. */
#define MAX_UNIX_CONNS 256
#define MAX_TCP_CONNS 256
#define MAX_TCP_PENDING 64
#define MAX_PENDING_PER_SOURCE 8
#define MAX_CONNS (MAX_UNIX_CONNS + MAX_TCP_CONNS)
#define MAX_SOURCES 256 /* TCP addresses remembered (backoff, counts) */
#define HELLO_TIMEOUT_MS 10000 /* from connecting to HELLO (--hello-timeout) */
#define FRAME_TIMEOUT_MS 30000 /* from a frame's first byte to its last (--frame-timeout) */
#define TIMEOUT_MAX_MS 3600000
/* Past a few wrong tokens in a row from one address (a person who
 * mistypes tries again at once), each makes the next wrong one from there
 * be refused for this long, doubling with each up to the cap; a wrong
 * one after that long without any starts afresh. */
#define TOKEN_FREE_TRIES 3
#define TOKEN_BACKOFF_MS 100
#define TOKEN_BACKOFF_MAX_MS 10000
/* Refusals before login are logged a line an address, at most this many
 * lines an interval, the rest summed up at the interval's end. */
#define STRANGER_LOG_MS 60000
#define STRANGER_LOG_LINES 10
#define ACCEPTS_PER_WAKEUP 16
#define ACCEPT_PAUSE_MS 250 /* a listener out of descriptors rests this long */
/* Descriptors the limits above need: a session's pty master and slave,
 * its pump's two eventfds and its log; a connection's socket, or a relay's
 * socket and the two pipes it handed over. */
#define FDS_PER_SESSION 5
#define FDS_PER_CONN 3
#define FDS_SPARE 64
#define MAX_CHANS 32 /* per connection */
#define PTY_READ_BYTES 4096   /* what Linux gives a pty read at most */
#define PTY_FRAME_BYTES 65532 /* reads shown together, one frame */
#define PTY_READS_PER_WAKEUP 64
#define WORK_PER_SHOW_CELLS (1u << 20)	 /* drawing one show may cost this much */
#define WORK_PER_WAKEUP_CELLS (4u << 20) /* a session's share of a round */
#define READ_CAP_MIN_BYTES 16
#define READ_CAP_START_BYTES 4096  /* doubled while output is cheap to draw */
#define SKIPPED_TELL_BYTES (1u << 20) /* a log line each time this many more */
#define PUMP_BYTES (256u << 10) /* a session's output read ahead of the loop */
#define SESSION_END_READS 8	/* wakeups' worth read when a session ends */
#define LZ4_MIN_BYTES 256 /* shorter output goes to lz4 desks as it is */
#define CONN_READS_PER_WAKEUP 4
#define VIEWER_QUEUE_BYTES (1u << 20)
#define VIEWER_QUEUE_ENTRIES 2048
#define PACE_POLL_MS 1
#define SB_LINES 2000
#define SB_BYTES (4u << 20)
#define SNAPSHOT_SB_LINES 1000
/* A console's screen is made when it first prints or is first watched
 * (an idle one costs no grid), with a smaller ring: its log keeps all. */
#define CONSOLE_SB_LINES 24
#define CONSOLE_SB_BYTES (1u << 20)
#define KILL_GRACE_MS 2000    /* SIGHUP, then SIGKILL after this */
#define CLOSE_GRACE_MS 2000   /* a closing peer gets this long to take its error */
#define FIRST_CLIENT_MS 10000 /* a daemon nobody reaches exits after this */
#define HANDOFF_ANSWER_MS 5000 /* serve --stdio waits this long for the daemon */
#define SETTLE_MS 50	      /* output paused this long: the screen is drawn */
#define LIST_CMD_MAX 100

#ifdef TELLY_FUZZ_DISPATCH
/* Built for test/fuzz/dispatch.c (hooks at the end of this file): a new
 * session's "program" is a pty whose slave only the fuzzer reads (nothing
 * is forked), with no reader thread and no log; fewer sessions, smaller
 * screens, scrollback and viewer queues (a 500x1000 screen takes 0.3 s
 * under ASan, 4 MiB of scrollback 25 ms: the limits are what is tested,
 * not memset; a small queue is soon full, and its snapshot path taken). */
static int fuzz_pty(struct kpty_os_child *c, const struct kpty_winsize *ws);
#define kpty_os_spawn(c, argv, ws, flags) ((void)(argv), (void)(flags), fuzz_pty(c, ws))
#define kpty_os_pump_create_tee(m, n, tee, ctx) \
	((void)(m), (void)(n), (void)(tee), (void)(ctx), errno = ENOSYS, (struct kpty_os_pump *)NULL)
#define telly_slog_start(dir, name, cap, what) \
	((void)(dir), (void)(name), (void)(cap), (void)(what), (struct telly_slog *)NULL)
#undef MAX_SESSIONS
#define MAX_SESSIONS 8
#undef RP_MAX_ROWS
#define RP_MAX_ROWS 40
#undef RP_MAX_COLS
#define RP_MAX_COLS 120
#undef SB_LINES
#define SB_LINES 20
#undef SB_BYTES
#define SB_BYTES (64u << 10)
#undef VIEWER_QUEUE_BYTES
#define VIEWER_QUEUE_BYTES (16u << 10)
#undef VIEWER_QUEUE_ENTRIES
#define VIEWER_QUEUE_ENTRIES 32
struct server;
struct server *telly_fuzz_server(void);
int telly_fuzz_connect(struct server *srv, int fd, bool tcp);
unsigned telly_fuzz_step(struct server *srv);
void telly_fuzz_server_destroy(struct server *srv);
#endif

struct conn;

enum { FRAME_DONE, FRAME_STALL };

struct chan {
	struct chan *snext; /* the session's viewers */
	struct conn *conn;
	struct session *s;
	uint16_t id;
	bool readonly, snapshot_due;
	uint32_t serial;      /* tags this viewer's input in the session queue */
	uint32_t written_seq; /* its last input written into the pty */
	/* TIMING (a desk that asked): the last key, when its frame was
	 * handled and when it went into the pty (ns; 0: not yet). */
	uint32_t timing_seq;
	uint64_t t_input, t_written;
	bool told_watching; /* a console's spectator, told its keys are dropped */
};

/* A console's descriptor in the daemon's epoll set (see run()). */
struct ep_slot {
	struct session *s;
	int fd;
	short events;
};

struct session {
	struct session *next;
	int pfi; /* its slot in this round's poll set, or -1 */
	struct vmc_console *con; /* a console, not a program */
	struct chan *writer;     /* a console's one writer, or NULL */
	struct ep_slot ep[2];    /* a console's: backend, exposed pty */
	char name[RP_MAX_NAME + 1];
	char cmd[LIST_CMD_MAX + 1];
	struct kpty_os_child child;
	struct kpty_os_pump *pump; /* drains child.master; NULL: read directly */
	struct rp_screen *screen;
	struct kpty_termios termios;
	struct kpty_winsize ws;
	struct kpty_os_inq inq;
	struct chan *viewers;
	unsigned nviewers;
	/* A program's log, written by its pump's thread as it reads (NULL
	 * for a console, which keeps its own, timestamped). */
	struct telly_slog *log;
	long kill_at; /* ms: SIGKILL then, if it still runs; 0: not killed */
	long settle_at; /* ms: draw the screen's kept output then; 0: none kept */
	uint64_t t_read; /* ns: the first pty read of the output being shown */
	size_t read_cap; /* bytes shown at once: fewer while they cost much */
	uint64_t skipped_told; /* screen bytes not drawn, as last logged */
};

/* A TCP peer's address, remembered while it has connections that have
 * not logged in or refusals to sum up, and for its backoff. */
struct source {
	char addr[64]; /* numeric; "": a free slot */
	unsigned pending; /* its connections without HELLO */
	unsigned fails;   /* wrong tokens in a row */
	long retry_at;    /* ms: a wrong token of its before this is refused */
	long wrong_at;    /* ms: its last wrong token */
	long used_at;     /* ms: the least recent is taken for a new address */
	bool told;        /* it had its line in this interval */
	unsigned wrong, backoff, over, other; /* refusals not logged yet */
};

struct conn {
	struct conn *next;
	struct rp_conn *rc;
	unsigned id;
	int pfr, pfw; /* its slots in this round's poll set (read, write), or -1 */
	bool tcp;
	struct source *src; /* TCP before HELLO: where it came from; else NULL */
	long hello_by;	    /* ms: closed if it has not said HELLO by then */
	long frame_by;	    /* ms: closed if the frame begun is not whole then; 0: none */
	unsigned long frames; /* handled so far */
	bool hello, need_token, stalled, timing;
	bool lz4; /* the desk takes OUTPUT_LZ4 */
	char who[200]; /* for the audit log: its HELLO name and its peer */
	char name[64]; /* for notices: its HELLO name, short */
	/* Some channel fell behind and is owed a snapshot once the queue has
	 * drained. Kept here and not only on the channels because a drop can
	 * leave the queue empty: then nothing else would ask to write. */
	bool snapshots_due;
	/* The socket of a `telly serve --stdio` that handed its stdin and
	 * stdout over (HANDOFF): the protocol runs on those now, and closing
	 * this with the connection lets that relay exit. */
	struct rp_transport *relay;
	long closing_at; /* ms: destroy then even if not flushed; 0: open */
	struct chan *chans[MAX_CHANS];
};

struct server {
	char dir[256], sock_path[300];
	int listen_unix, listen_tcp, sigfd;
	struct session *sessions;
	unsigned nsessions;
	struct conn *conns;
	unsigned nconns, nunix, ntcp, ntcp_pending, next_conn_id;
	struct source src[MAX_SOURCES];
	long stranger_at;	     /* ms: this interval of refusals began */
	unsigned stranger_lines;     /* lines of them said in it */
	unsigned long unsummed;      /* refusals counted, not logged yet */
	unsigned long forgotten;     /* of them, of addresses no longer remembered */
	unsigned long unix_refused;  /* the owner's, over MAX_UNIX_CONNS */
	long unix_told_at;
	long rest_until[2];	     /* ms: the unix [0], TCP [1] listener rests */
	unsigned long accept_fails;  /* since the last accept that worked */
	bool accept_told;
	uint32_t next_serial;
	struct telly_serve_opts o;
	char token[65];
	bool stopping, served;
	long started_ms;
	int audit_fd;    /* consoles' audit log, or -1 */
	int epfd;        /* consoles' descriptors, or -1 */
	pid_t sshd_pid;  /* the SSH front door, or 0 */
	int sshd_pipe;   /* its end closes when we exit */
};

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_vlog("telly serve", fmt, ap);
	va_end(ap);
}

/* ---- frames out ---- */

static void send_frame(struct conn *c, struct rp_enc *e)
{
	long n = rp_enc_end(e);

	if (n < 0 || rp_conn_send(c->rc, e->buf, (size_t)n) < 0)
		logf_("connection %u: a reply did not fit; dropped", c->id);
}

enum refusal { REFUSED_WRONG, REFUSED_BACKOFF, REFUSED_OVER, REFUSED_OTHER };
static void stranger(struct server *srv, struct source *src, enum refusal why, const char *what);
static bool token_ok(struct server *srv, struct conn *c, const struct rp_str *token);
static void conn_logged_in(struct server *srv, struct conn *c);
static void conn_unpend(struct server *srv, struct conn *c);
static void conn_destroy(struct server *srv, struct conn *c);

static void conn_fatal(struct server *srv, struct conn *c, uint16_t code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void conn_fatal(struct server *srv, struct conn *c, uint16_t code, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (c->closing_at)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->src) /* a stranger's: summed up, not a line each */
		stranger(srv, c->src,
			 code == RP_E_AUTH    ? REFUSED_WRONG
			 : code == RP_E_LIMIT ? REFUSED_BACKOFF
					      : REFUSED_OTHER,
			 msg);
	else
		logf_("connection %u: closed: %s", c->id, msg);
	rp_conn_error(c->rc, 0, code, 0, true, msg);
	c->closing_at = base_now_ms() + CLOSE_GRACE_MS;
	conn_unpend(srv, c); /* on its way out: it waits to log in no more */
}

static void chan_output(struct chan *v, struct rp_buf *b, struct rp_buf *z);

static struct rp_screen *screen_of(struct session *s)
{
	if (!s->screen && s->con)
		s->screen = rp_screen_create(s->ws.ws_row, s->ws.ws_col, CONSOLE_SB_LINES,
					     CONSOLE_SB_BYTES);
	return s->screen;
}

/* A viewer's own header for a shared OUTPUT payload of n bytes: the frame
 * header and the ack of this viewer's last input written to the pty. */
/* OUTPUT's bytes as OUTPUT_LZ4's body (u32 length, one lz4 block), made
 * once per read and shared by every viewer that takes it like the bytes
 * themselves; NULL where compressing does not pay, and for a few bytes
 * (a key's echo: not worth the time on the keystroke's path). */
static struct rp_buf *lz4_body(const struct rp_buf *b)
{
	struct rp_buf *z = b->len >= LZ4_MIN_BYTES ? rp_buf_create(rp_lz4_bound(b->len)) : NULL;
	size_t n = z ? rp_lz4_pack(b->data, b->len, z->data) : 0;

	if (!n) {
		rp_buf_unref(z);
		return NULL;
	}
	z->len = (uint32_t)n;
	return z;
}

/* Queues b as OUTPUT, or z (lz4_body(b), if any) as OUTPUT_LZ4 for a desk
 * that takes it, behind this viewer's own header (its ack). */
static int push_output(struct chan *v, struct rp_buf *b, struct rp_buf *z, bool droppable)
{
	uint8_t h[RP_HDR_SIZE + 4];

	if (!v->conn->lz4)
		z = NULL;
	rp_hdr_encode(h, z ? RP_OUTPUT_LZ4 : RP_OUTPUT, 0, v->id, (uint32_t)(4 + (z ? z : b)->len));
	h[8] = (uint8_t)(v->written_seq >> 24);
	h[9] = (uint8_t)(v->written_seq >> 16);
	h[10] = (uint8_t)(v->written_seq >> 8);
	h[11] = (uint8_t)v->written_seq;
	return rp_queue_push(&v->conn->rc->q, h, sizeof h, z ? z : b, droppable);
}

static void send_termios(struct chan *v)
{
	uint8_t buf[64];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, v->id);
	rp_put_termios(&e, &v->s->termios);
	send_frame(v->conn, &e);
}

/* The screen as it is, instead of the output the viewer missed. */
static void chan_snapshot(struct chan *v)
{
	struct rp_bytes snap = {0};
	uint8_t buf[64];
	struct rp_enc e;

	v->snapshot_due = false;
	send_termios(v);
	rp_enc_begin(&e, buf, sizeof buf, RP_SNAPSHOT, 0, v->id);
	rp_put_u16(&e, v->s->ws.ws_row);
	rp_put_u16(&e, v->s->ws.ws_col);
	send_frame(v->conn, &e);
	if (!screen_of(v->s))
		return; /* out of memory: no replay */
	rp_screen_snapshot(v->s->screen, SNAPSHOT_SB_LINES, &snap);
	for (size_t off = 0; off < snap.len && !snap.err;) {
		size_t n = snap.len - off;
		if (n > RP_MAX_OUTPUT)
			n = RP_MAX_OUTPUT;
		struct rp_buf *b = rp_buf_create(n), *z;
		if (!b)
			break;
		memcpy(b->data, snap.p + off, n);
		z = v->conn->lz4 ? lz4_body(b) : NULL;
		push_output(v, b, z, false);
		rp_buf_unref(z);
		rp_buf_unref(b);
		off += n;
	}
	rp_bytes_finish(&snap);
}

static void chan_output(struct chan *v, struct rp_buf *b, struct rp_buf *z)
{
	struct rp_queue *q = &v->conn->rc->q;

	if (v->snapshot_due || v->conn->closing_at)
		return;
	if (push_output(v, b, z, true) == 0) {
		if (v->timing_seq && v->t_written && v->written_seq == v->timing_seq) {
			/* This output is the first that answers the key. */
			struct rp_timing t = {v->timing_seq, v->t_input, v->t_written, v->s->t_read,
					      telly_now_ns()};
			uint8_t buf[64];
			struct rp_enc e;
			rp_enc_begin(&e, buf, sizeof buf, RP_TIMING, 0, v->id);
			rp_put_timing(&e, &t);
			send_frame(v->conn, &e);
			v->timing_seq = 0;
		}
		return;
	}
	/* Fallen behind: what it has not started to receive is dropped for
	 * every channel of the connection, and each gets a snapshot once the
	 * link has drained. */
	rp_queue_drop(q);
	for (int i = 0; i < MAX_CHANS; i++)
		if (v->conn->chans[i])
			v->conn->chans[i]->snapshot_due = true;
	v->conn->snapshots_due = true;
}

/* ---- sessions ---- */

static struct session *find_session(struct server *srv, const char *p, size_t n)
{
	for (struct session *s = srv->sessions; s; s = s->next)
		if (strlen(s->name) == n && !memcmp(s->name, p, n))
			return s;
	return NULL;
}

static void send_notice(struct chan *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* What happened to the session's log since the last look, told once: in
 * the daemon's log and to the people watching. */
static void session_log_events(struct session *s)
{
	int err;
	unsigned long long lost;
	unsigned ev = s->log ? telly_slog_events(s->log, &err, &lost) : 0;
	const char *path = ev ? telly_slog_path(s->log) : "";

	if (ev & TELLY_SLOG_FAILED) {
		logf_("session %s: log %s: %s; its output is not logged, tried again every %d s",
		      s->name, path, strerror(err), TELLY_SLOG_RETRY_MS / 1000);
		for (struct chan *v = s->viewers; v; v = v->snext)
			send_notice(v, "%s: its log stopped: %s (tried again every %d s)", s->name,
				    strerror(err), TELLY_SLOG_RETRY_MS / 1000);
	}
	if (ev & TELLY_SLOG_RECOVERED) {
		logf_("session %s: log %s works again; %llu bytes were not logged", s->name, path,
		      lost);
		for (struct chan *v = s->viewers; v; v = v->snext)
			send_notice(v, "%s: its log works again (%llu bytes were not logged)", s->name,
				    lost);
	}
	if (ev & TELLY_SLOG_REMADE)
		logf_("session %s: log %s was deleted or moved: made again", s->name, path);
}

/* Bytes that are now on the session's screen: the program's output, or a
 * viewer's local echo (from is that viewer, which has them already).
 * logged: the pump's thread put them in the log as it read them. */
static void session_show(struct session *s, const void *buf, size_t n, struct chan *from,
			 bool logged)
{
	struct rp_buf *b, *z = NULL;
	bool packed = false;

	if (screen_of(s))
		rp_screen_feed(s->screen, buf, n);
	s->settle_at = base_now_ms() + SETTLE_MS;
	if (s->log && !logged)
		telly_slog_write(s->log, buf, n);
	b = rp_buf_create(n);
	if (!b)
		return;
	memcpy(b->data, buf, n);
	for (struct chan *v = s->viewers; v; v = v->snext) {
		if (v == from)
			continue;
		if (v->conn->lz4 && !packed) {
			z = lz4_body(b);
			packed = true;
		}
		chan_output(v, b, z);
	}
	rp_buf_unref(z);
	rp_buf_unref(b);
}

static void session_termios(struct session *s)
{
	if (kpty_os_get_termios(s->child.master, &s->termios) < 0)
		return;
	for (struct chan *v = s->viewers; v; v = v->snext)
		if (!v->snapshot_due)
			send_termios(v);
}

/* Reads until the pty (its pump's ring, if it has one) is empty, a frame
 * is full or the wakeup's budget is spent, and shows what it read as one
 * frame: Linux hands out at most 4 KiB a read, and every frame costs a
 * write on each hop to the viewer. Returns the bytes shown. */
static uint64_t session_work(const struct session *s)
{
	return s->screen ? rp_screen_work(s->screen) : 0;
}

/* Output is paced by what it costs to draw, not by its bytes: a byte
 * can cost a whole screen (three bytes of insert-line at the top of a
 * 500x1000 screen move half a million cells), and the screen is drawn
 * on the loop every session shares. Bytes that cost much are shown a
 * few at a time, and a session stops being read for the round once it
 * used its share; what it printed waits in the pump (and then the pty),
 * so the program is slowed, not the daemon, and nothing is lost. */
static void pace(struct session *s, size_t n, uint64_t cost)
{
	if (cost > WORK_PER_SHOW_CELLS) {
		size_t fit = (size_t)((uint64_t)n * WORK_PER_SHOW_CELLS / cost);
		s->read_cap = fit < READ_CAP_MIN_BYTES ? READ_CAP_MIN_BYTES : fit;
	} else if (cost < WORK_PER_SHOW_CELLS / 4 && n >= s->read_cap) {
		s->read_cap = s->read_cap > PTY_FRAME_BYTES / 2 ? PTY_FRAME_BYTES : s->read_cap * 2;
	}
}

static size_t session_read(struct session *s, const struct pollfd *pf)
{
	_Static_assert(PTY_FRAME_BYTES <= RP_MAX_PAYLOAD - 4, "one frame");
	uint8_t buf[PTY_FRAME_BYTES];
	size_t have = 0, shown = 0;
	uint64_t spent = 0, before;

	if (!s->read_cap || s->read_cap > sizeof buf)
		s->read_cap = READ_CAP_START_BYTES;
	if (s->con) {
		have = vmc_console_service(s->con, pf, base_now_ms(), buf, s->read_cap);
		if (have) {
			s->t_read = telly_now_ns();
			before = session_work(s);
			session_show(s, buf, have, NULL, false);
			pace(s, have, session_work(s) - before);
		}
		return have;
	}
	for (int i = 0; i < PTY_READS_PER_WAKEUP && spent < WORK_PER_WAKEUP_CELLS; i++) {
		uint8_t status;
		size_t cap = s->read_cap;
		long n = s->pump ? kpty_os_pump_read(s->pump, buf + have, cap - have, &status)
				 : kpty_os_read(s->child.master, buf + have, cap - have, &status);
		if (n > 0 && !have)
			s->t_read = telly_now_ns();
		if (n > 0)
			have += (size_t)n;
		if (have && (n <= 0 || cap - have < (cap < PTY_READ_BYTES ? 1 : PTY_READ_BYTES))) {
			before = session_work(s);
			session_show(s, buf, have, NULL, s->pump != NULL);
			spent += session_work(s) - before;
			pace(s, have, session_work(s) - before);
			shown += have;
			have = 0;
		}
		if (n == 0 && (status & KPTY_PKT_IOCTL))
			session_termios(s);
		else if (n < 0)
			break;
	}
	if (have)
		session_show(s, buf, have, NULL, s->pump != NULL);
	session_log_events(s);
	if (s->screen && rp_screen_skipped(s->screen) >= s->skipped_told + SKIPPED_TELL_BYTES) {
		s->skipped_told = rp_screen_skipped(s->screen);
		logf_("session %s: output too costly to draw at once; the host's copy of its screen "
		      "skipped %llu bytes so far (viewers and the log have them all)",
		      s->name, (unsigned long long)s->skipped_told);
	}
	return shown + have;
}

static bool session_paced(const struct session *s)
{
	return (s->termios.c_lflag & (KPTY_EXTPROC | KPTY_ICANON)) ==
	       (KPTY_EXTPROC | KPTY_ICANON);
}

static void input_written(void *ctx, uint64_t tag)
{
	struct session *s = ctx;

	for (struct chan *v = s->viewers; v; v = v->snext) {
		if (v->serial != (uint32_t)(tag >> 32))
			continue;
		v->written_seq = (uint32_t)tag;
		if (v->timing_seq == (uint32_t)tag)
			v->t_written = telly_now_ns();
	}
}

static void session_feed(struct session *s)
{
	int r = kpty_os_inq_feed(&s->inq, &s->child, session_paced(s), input_written, s);

	if (r < 0 && r != -EIO)
		logf_("session %s: writing input: %s", s->name, strerror(-r));
}

static void console_audit(struct server *srv, const struct chan *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void chan_remove(struct server *srv, struct chan *v)
{
	struct chan **pp;

	if (v->s->con) {
		console_audit(srv, v, "detach%s", v->s->writer == v ? " (was writing)" : "");
		if (v->s->writer == v)
			v->s->writer = NULL;
	}
	for (pp = &v->s->viewers; *pp; pp = &(*pp)->snext) {
		if (*pp == v) {
			*pp = v->snext;
			break;
		}
	}
	v->s->nviewers--;
	v->conn->chans[v->id - 1] = NULL;
	free(v);
}

static void session_end(struct server *srv, struct session *s, int status)
{
	uint8_t buf[32];
	struct rp_enc e;
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	/* What it printed last: the pump's ring and what the pty holds (a
	 * bound, since the program's children may print on). */
	kpty_os_pump_stop(s->pump);
	for (int i = 0; i < SESSION_END_READS && session_read(s, NULL); i++)
		;
	logf_("session %s ended (status %d)", s->name, code);
	if (s->log) {
		char why[64];
		if (WIFSIGNALED(status))
			snprintf(why, sizeof why, "killed by signal %d (status %d)", WTERMSIG(status),
				 code);
		else
			snprintf(why, sizeof why, "status %d", code);
		telly_slog_end(s->log, why);
		session_log_events(s);
	}
	while (s->viewers) {
		struct chan *v = s->viewers;
		rp_enc_begin(&e, buf, sizeof buf, RP_EXIT, 0, v->id);
		rp_put_u32(&e, (uint32_t)code);
		send_frame(v->conn, &e);
		chan_remove(srv, v);
	}
	for (struct session **pp = &srv->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	srv->nsessions--;
	if (s->con) {
		vmc_console_destroy(s->con);
	} else {
		kpty_os_pump_destroy(s->pump);
		kpty_os_close(&s->child);
	}
	rp_screen_destroy(s->screen);
	telly_slog_destroy(s->log); /* after the pump, which writes it */
	free(s);
}

static void session_kill(struct session *s)
{
	if (s->con) {
		s->kill_at = base_now_ms(); /* ended by the loop, which may remove it */
		return;
	}
	if (s->child.pid <= 0 || s->kill_at)
		return;
	/* As a hangup does: the whole session's process group. */
	kill(-s->child.pid, SIGHUP);
	kill(-s->child.pid, SIGCONT);
	s->kill_at = base_now_ms() + KILL_GRACE_MS;
}

/* The pump's thread logs each read as it makes it. */
static void log_tee(void *ctx, const void *buf, size_t n)
{
	telly_slog_write(ctx, buf, n);
}

/* A window larger than telly sets is clamped: a screen model costs memory
 * in proportion to its cells. */
static void clamp_winsize(struct kpty_winsize *ws)
{
	if (ws->ws_row > RP_MAX_ROWS)
		ws->ws_row = RP_MAX_ROWS;
	if (ws->ws_col > RP_MAX_COLS)
		ws->ws_col = RP_MAX_COLS;
}

static void pick_name(struct server *srv, char *out, size_t n)
{
	for (unsigned i = 0;; i++) {
		snprintf(out, n, "%u", i);
		if (!find_session(srv, out, strlen(out)))
			return;
	}
}

static int session_create(struct server *srv, const struct rp_open *m, const char *name,
			  struct session **out, char *err, size_t errn)
{
	struct session *s;
	char *argv[RP_MAX_ARGS + 8];
	char *strs[RP_MAX_ARGS + 3];
	int argc = 0, nstr = 0, r;
	const char *shell = getenv("SHELL");

	if (srv->nsessions >= MAX_SESSIONS) {
		snprintf(err, errn, "too many sessions (at most %d)", MAX_SESSIONS);
		return RP_E_LIMIT;
	}
	s = calloc(1, sizeof *s);
	if (!s)
		goto nomem;
	s->pfi = -1;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->ws = m->ws;
	if (s->ws.ws_row == 0 || s->ws.ws_col == 0)
		s->ws = (struct kpty_winsize){.ws_row = 24, .ws_col = 80};
	clamp_winsize(&s->ws);
	s->screen = rp_screen_create(s->ws.ws_row, s->ws.ws_col, SB_LINES, SB_BYTES);
	if (!s->screen)
		goto nomem_s;

	/* env sets the program's TERM, working directory and session name
	 * and then execs it, so the pid we hold is the program's. */
#define STR(p, n) (strs[nstr] = strndup((p), (n)), strs[nstr] ? strs[nstr++] : NULL)
	argv[argc++] = "env";
	if (m->cwd.n) {
		argv[argc++] = "-C";
		if (!(argv[argc++] = STR(m->cwd.p, m->cwd.n)))
			goto nomem_argv;
	}
	char term[80], sess[100];
	snprintf(term, sizeof term, "TERM=%.*s", m->term.n ? (int)m->term.n : 14,
		 m->term.n ? m->term.p : "xterm-256color");
	snprintf(sess, sizeof sess, "TELLY_SESSION=%s", name);
	argv[argc++] = term;
	argv[argc++] = sess;
	if (m->argc == 0) {
		argv[argc++] = (char *)(shell && *shell ? shell : "/bin/sh");
	} else {
		for (unsigned i = 0; i < m->argc; i++)
			if (!(argv[argc++] = STR(m->argv[i].p, m->argv[i].n)))
				goto nomem_argv;
	}
	argv[argc] = NULL;
#undef STR
	{
		size_t o = 0;
		int first = m->cwd.n ? 5 : 3;
		for (int i = first; i < argc && o < sizeof s->cmd - 1; i++)
			o += (size_t)snprintf(s->cmd + o, sizeof s->cmd - o, "%s%s", i > first ? " " : "",
					      argv[i]);
	}
	r = kpty_os_spawn(&s->child, argv, &s->ws, KPTY_OS_EXTPROC);
	for (int i = 0; i < nstr; i++)
		free(strs[i]);
	if (r < 0) {
		snprintf(err, errn, "cannot start %s: %s", s->cmd, strerror(-r));
		rp_screen_destroy(s->screen);
		free(s);
		return RP_E_SPAWN;
	}
	kpty_os_get_termios(s->child.master, &s->termios);
	{
		char logs[300], what[LIST_CMD_MAX + 40];
		snprintf(logs, sizeof logs, "%s/logs", srv->dir);
		snprintf(what, sizeof what, "%s (pid %d)", s->cmd, (int)s->child.pid);
		/* Appended to, never truncated: a run before this one, even one
		 * that a crash ended, stays on record above it. */
		s->log = telly_slog_start(logs, s->name, srv->o.log_cap, what);
	}
	if (!(s->pump = kpty_os_pump_create_tee(s->child.master, PUMP_BYTES, s->log ? log_tee : NULL,
						s->log)))
		logf_("session %s: no pty reader thread (%s): reading in the loop", name,
		      strerror(errno));
	session_log_events(s);
	s->next = srv->sessions;
	srv->sessions = s;
	srv->nsessions++;
	logf_("session %s started: %s (pid %d)", s->name, s->cmd, (int)s->child.pid);
	*out = s;
	return 0;
nomem_argv:
	for (int i = 0; i < nstr; i++)
		free(strs[i]);
	rp_screen_destroy(s->screen);
nomem_s:
	free(s);
nomem:
	snprintf(err, errn, "out of memory");
	return RP_E_LIMIT;
}

static void set_winsize(struct session *s, const struct kpty_winsize *asked)
{
	struct kpty_winsize ws = *asked;

	if (ws.ws_row == 0 || ws.ws_col == 0)
		return;
	clamp_winsize(&ws);
	s->ws = ws;
	/* A serial line has no size to tell: only our copy of the screen. */
	if (!s->con)
		kpty_os_set_winsize(s->child.master, &ws); /* SIGWINCH only on change */
	if (s->screen)
		rp_screen_resize(s->screen, ws.ws_row, ws.ws_col);
}

/* ---- consoles ---- */

static void console_audit(struct server *srv, const struct chan *v, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	vmc_audit(srv->audit_fd, v->s->name, v->conn->who, "%s", what);
}

static void send_notice(struct chan *v, const char *fmt, ...)
{
	char msg[300];
	uint8_t buf[400];
	struct rp_enc e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rp_enc_begin(&e, buf, sizeof buf, RP_NOTICE, 0, v->id);
	rp_put_str(&e, msg, strlen(msg));
	send_frame(v->conn, &e);
}

static void console_sync(struct server *srv, struct session *s);

static int console_create(struct server *srv, const struct vmc_spec *spec, char *err, size_t errn)
{
	struct session *s = calloc(1, sizeof *s);

	if (!s) {
		snprintf(err, errn, "out of memory");
		return -ENOMEM;
	}
	if (find_session(srv, spec->name, strlen(spec->name))) {
		snprintf(err, errn, "console %s: a session of that name exists", spec->name);
		free(s);
		return -EEXIST;
	}
	snprintf(s->name, sizeof s->name, "%s", spec->name);
	s->pfi = -1;
	s->ws = (struct kpty_winsize){.ws_row = 24, .ws_col = 80};
	s->child.master = s->child.slave = -1;
	/* A serial line is raw: desks pass keys straight through. */
	s->termios.c_cflag = KPTY_CS8 | KPTY_CREAD;
	if (!(s->con = vmc_console_create(spec, srv->dir, err, errn))) {
		free(s);
		return -ENOMEM;
	}
	vmc_console_describe(s->con, s->cmd, sizeof s->cmd);
	s->ep[0].fd = s->ep[1].fd = -1;
	console_sync(srv, s);
	s->next = srv->sessions;
	srv->sessions = s;
	srv->nsessions++;
	logf_("console %s: %s, pty %s", s->name, s->cmd, vmc_console_pty(s->con));
	return 0;
}

/* Consoles are polled through one epoll set, itself one slot of the
 * loop's poll(): hundreds of ptys and sockets in every poll() call cost
 * the kernel a tty_poll each per wakeup (the larger part of the CPU with
 * 200 busy consoles), while epoll only hears from the ones that changed.
 * Called after anything that may change what a console waits for. */
static void console_sync(struct server *srv, struct session *s)
{
	struct pollfd pf[2];

	vmc_console_pollfds(s->con, pf);
	for (int i = 0; i < 2; i++) {
		struct ep_slot *e = &s->ep[i];
		struct epoll_event ev = {.events = (uint32_t)pf[i].events, .data.ptr = e};
		if (e->fd == pf[i].fd && e->events == pf[i].events)
			continue;
		if (e->fd >= 0 && e->fd != pf[i].fd)
			epoll_ctl(srv->epfd, EPOLL_CTL_DEL, e->fd, NULL); /* gone if closed */
		if (pf[i].fd >= 0 &&
		    (e->fd != pf[i].fd || epoll_ctl(srv->epfd, EPOLL_CTL_MOD, pf[i].fd, &ev) < 0) &&
		    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, pf[i].fd, &ev) < 0 && errno == EEXIST)
			epoll_ctl(srv->epfd, EPOLL_CTL_MOD, pf[i].fd, &ev);
		e->s = s;
		e->fd = pf[i].fd;
		e->events = pf[i].events;
	}
}

/* The consoles epoll says are ready, serviced (a bounded number a wakeup). */
static void consoles_ready(struct server *srv)
{
	struct epoll_event evs[64];
	int n = epoll_wait(srv->epfd, evs, 64, 0);

	for (int i = 0; i < n; i++) {
		struct ep_slot *e = evs[i].data.ptr;
		struct session *s = e->s;
		struct pollfd pf[2];
		vmc_console_pollfds(s->con, pf);
		pf[0].revents = pf[1].revents = 0;
		pf[e == &s->ep[1]].revents = (short)evs[i].events;
		session_read(s, pf);
		console_sync(srv, s);
	}
}

/* One writer at a time; the others watch until they take over. */
static void console_attached(struct server *srv, struct chan *v)
{
	struct session *s = v->s;

	if (v->readonly) {
		console_audit(srv, v, "attach read-only");
		send_notice(v, "%s: read-only, you are watching", s->name);
	} else if (!s->writer) {
		s->writer = v;
		console_audit(srv, v, "attach writing");
		send_notice(v, "%s: attached, you are writing (~? for help)", s->name);
	} else {
		console_audit(srv, v, "attach watching (%s writes)", s->writer->conn->name);
		send_notice(v, "%s: %s is writing; you are watching (~f takes over)", s->name,
			    s->writer->conn->name);
	}
}

/* May v write now? Becomes the writer if nobody is. */
static bool console_may_write(struct server *srv, struct chan *v)
{
	struct session *s = v->s;

	if (s->writer == v)
		return true;
	if (!s->writer) {
		s->writer = v;
		console_audit(srv, v, "writing (nobody was)");
		return true;
	}
	if (!v->told_watching) {
		send_notice(v, "%s: %s is writing; your keys are dropped (~f takes over)", s->name,
			    s->writer->conn->name);
		v->told_watching = true;
	}
	return false;
}

static int console_input(struct server *srv, struct chan *v, const struct rp_data *d)
{
	int r;

	if (!console_may_write(srv, v))
		return FRAME_DONE;
	r = vmc_console_write(v->s->con, d->p, d->n);
	console_sync(srv, v->s); /* it may wait to write now */
	if (r == -EAGAIN)
		return FRAME_STALL; /* the guest is slow: hold the rest back */
	if (r == -ENOTCONN) {
		char msg[120];
		snprintf(msg, sizeof msg, "%s is down: input dropped", v->s->name);
		rp_conn_error(v->conn->rc, v->id, RP_E_NOENT, 0, false, msg);
		return FRAME_DONE;
	}
	v->written_seq = d->seq;
	return FRAME_DONE;
}

static void console_takeover(struct server *srv, struct chan *v)
{
	struct chan *was = v->s->writer;

	if (was == v)
		return;
	v->s->writer = v;
	v->told_watching = false;
	console_audit(srv, v, "takeover%s%s", was ? " from " : "", was ? was->conn->name : "");
	send_notice(v, "%s: you are writing now", v->s->name);
	if (was) {
		was->told_watching = false;
		send_notice(was, "%s: %s took over; you are watching (~f takes it back)", v->s->name,
			    v->conn->name);
	}
}

static void console_break(struct server *srv, struct chan *v)
{
	int r;

	if (!console_may_write(srv, v))
		return;
	r = vmc_console_break(v->s->con);
	console_audit(srv, v, "break%s", r < 0 ? " (not sent)" : "");
	if (r == -ENOTSUP)
		send_notice(v, "%s: its backend cannot send a break (only pty: can)", v->s->name);
	else if (r < 0)
		send_notice(v, "%s: break not sent: %s", v->s->name,
			    r == -ENOTCONN ? "it is down" : strerror(-r));
	else
		send_notice(v, "%s: break sent", v->s->name);
}

/* ---- requests ---- */

static void reply_ok(struct conn *c, uint16_t chan, uint32_t req, const char *name)
{
	uint8_t buf[128];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, chan);
	rp_put_u32(&e, req);
	rp_put_str(&e, name, strlen(name));
	send_frame(c, &e);
}

static void reply_list(struct server *srv, struct conn *c, uint32_t req)
{
	_Static_assert(MAX_SESSIONS * (2 + RP_MAX_NAME + 2 + LIST_CMD_MAX + 10) + 16 <=
			      RP_MAX_PAYLOAD,
		      "a listing fits one frame");
	uint8_t *buf = malloc(RP_MAX_FRAME);
	struct rp_enc e;

	if (!buf)
		return;
	rp_enc_begin(&e, buf, RP_MAX_FRAME, RP_LIST_REPLY, 0, 0);
	rp_put_u32(&e, req);
	rp_put_u16(&e, (uint16_t)srv->nsessions);
	for (struct session *s = srv->sessions; s; s = s->next) {
		if (s->con)
			vmc_console_describe(s->con, s->cmd, sizeof s->cmd);
		rp_put_str(&e, s->name, strlen(s->name));
		rp_put_str(&e, s->cmd, strlen(s->cmd));
		rp_put_u32(&e, (uint32_t)s->child.pid);
		rp_put_u16(&e, s->ws.ws_row);
		rp_put_u16(&e, s->ws.ws_col);
		rp_put_u16(&e, (uint16_t)s->nviewers);
	}
	send_frame(c, &e);
	free(buf);
}

static void do_open(struct server *srv, struct conn *c, const struct rp_open *m)
{
	char name[RP_MAX_NAME + 1], err[300];
	struct session *s;
	struct chan *v;
	int slot, code;

	if (m->name.n) {
		snprintf(name, sizeof name, "%.*s", (int)m->name.n, m->name.p);
	} else if (m->flags & RP_OPEN_CREATE) {
		pick_name(srv, name, sizeof name);
	} else {
		rp_conn_error(c->rc, 0, RP_E_NOENT, m->req, false, "no session name given");
		return;
	}
	s = find_session(srv, name, strlen(name));
	if (s && (m->flags & RP_OPEN_EXCL)) {
		snprintf(err, sizeof err, "session %s already exists", name);
		rp_conn_error(c->rc, 0, RP_E_EXIST, m->req, false, err);
		return;
	}
	if (!s && !(m->flags & RP_OPEN_CREATE)) {
		snprintf(err, sizeof err, "no session %s", name);
		rp_conn_error(c->rc, 0, RP_E_NOENT, m->req, false, err);
		return;
	}
	if (srv->stopping) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m->req, false, "the server is stopping");
		return;
	}
	for (slot = 0; slot < MAX_CHANS && c->chans[slot]; slot++)
		;
	if ((m->flags & RP_OPEN_ATTACH) && slot == MAX_CHANS) {
		snprintf(err, sizeof err, "too many channels on one connection (at most %d)",
			 MAX_CHANS);
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m->req, false, err);
		return;
	}
	if (!s && (code = session_create(srv, m, name, &s, err, sizeof err)) != 0) {
		rp_conn_error(c->rc, 0, (uint16_t)code, m->req, false, err);
		return;
	}
	if (!(m->flags & RP_OPEN_ATTACH)) {
		reply_ok(c, 0, m->req, name);
		return;
	}
	v = calloc(1, sizeof *v);
	if (!v) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m->req, false, "out of memory");
		return;
	}
	v->conn = c;
	v->s = s;
	v->id = (uint16_t)(slot + 1);
	v->readonly = (m->flags & RP_OPEN_READONLY) != 0;
	v->serial = ++srv->next_serial;
	c->chans[slot] = v;
	v->snext = s->viewers;
	s->viewers = v;
	s->nviewers++;
	reply_ok(c, v->id, m->req, name);
	/* The newest writer's window decides the size, as tmux's "latest". */
	if (!v->readonly)
		set_winsize(s, &m->ws);
	chan_snapshot(v);
	logf_("connection %u: attached to %s%s%s", c->id, name, v->readonly ? " (read-only)" : "",
	      c->lz4 ? " (lz4 output)" : "");
	if (s->con)
		console_attached(srv, v);
}

static struct chan *frame_chan(struct conn *c, const struct rp_hdr *h, bool write)
{
	struct chan *v = h->chan >= 1 && h->chan <= MAX_CHANS ? c->chans[h->chan - 1] : NULL;
	char msg[80];

	if (!v) {
		/* Not fatal: the session may have ended while this was on its way. */
		snprintf(msg, sizeof msg, "%s on channel %u, which is not attached",
			 rp_type_name(h->type), h->chan);
		rp_conn_error(c->rc, h->chan, RP_E_CHANNEL, 0, false, msg);
		return NULL;
	}
	if (write && v->readonly) {
		rp_conn_error(c->rc, h->chan, RP_E_READONLY, 0, false,
			      "this viewer is read-only: input ignored");
		return NULL;
	}
	return v;
}

/* `telly serve --stdio` passes its stdin and stdout (ssh's pipes) with a
 * HANDOFF frame, so the desk's bytes skip a copy through that process. It
 * must come first and alone, with exactly two descriptors. */
static int handoff(struct server *srv, struct conn *c, const struct rp_hdr *h)
{
	struct rp_transport *pipes;
	int fds[2], n = rp_transport_take_fds(c->rc->t, fds);
	uint8_t ack[RP_HDR_SIZE];

	if (n != 2 || c->hello || c->relay || h->len || c->rc->rx_len != c->rc->rx_off) {
		for (int i = 0; i < n; i++)
			close(fds[i]);
		conn_fatal(srv, c, RP_E_PROTO, "HANDOFF must come first and alone, with 2 descriptors (got %d)",
			   n);
		return FRAME_DONE;
	}
	pipes = rp_transport_fds(fds[0], fds[1]);
	if (!pipes) {
		close(fds[0]);
		close(fds[1]);
		conn_fatal(srv, c, RP_E_LIMIT, "cannot take the handed-over descriptors: %s",
			   strerror(errno));
		return FRAME_DONE;
	}
	/* The answer goes on the socket, which has nothing else queued. */
	rp_hdr_encode(ack, RP_HANDOFF, 0, 0, 0);
	if (send(c->rc->t->wfd, ack, sizeof ack, MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof ack) {
		rp_transport_destroy(pipes);
		conn_fatal(srv, c, RP_E_PROTO, "HANDOFF: cannot answer");
		return FRAME_DONE;
	}
	c->relay = c->rc->t;
	c->rc->t = pipes;
	logf_("connection %u: speaks on the stdin/stdout of telly serve --stdio", c->id);
	return FRAME_DONE;
}

static int handle_frame(struct server *srv, struct conn *c, const struct rp_hdr *h,
			const uint8_t *p)
{
	struct rp_hello hello;
	struct rp_open *open;
	struct rp_data d;
	struct rp_str name;
	struct kpty_winsize ws;
	struct chan *v;
	struct session *s;
	uint32_t req;
	uint8_t sig;
	bool flush;
	const char *what = rp_type_name(h->type);

	if (h->type == RP_HANDOFF)
		return handoff(srv, c, h);
	if (!c->hello && h->type != RP_HELLO) {
		conn_fatal(srv, c, RP_E_PROTO, "expected HELLO first, got %s (type %u)", what, h->type);
		return FRAME_DONE;
	}
	switch (h->type) {
	case RP_HELLO:
		if (c->hello || rp_hello_decode(p, h->len, &hello) < 0)
			goto malformed;
		if (hello.version != RP_VERSION) {
			conn_fatal(srv, c, RP_E_VERSION, "protocol version %u not supported (this is %u)",
				   hello.version, RP_VERSION);
			return FRAME_DONE;
		}
		if (c->need_token && !token_ok(srv, c, &hello.token))
			return FRAME_DONE;
		c->hello = true;
		conn_logged_in(srv, c);
		c->timing = hello.caps & RP_CAP_TIMING;
		c->lz4 = hello.caps & RP_CAP_LZ4;
		{
			char peer[sizeof c->who];
			snprintf(peer, sizeof peer, "%s", c->who);
			snprintf(c->who, sizeof c->who, "%.*s (%s)", hello.name.n > 120 ? 120 : (int)hello.name.n,
				 hello.name.p, peer);
			for (char *q = c->who; *q; q++)
				if ((unsigned char)*q < 0x20 || *q == '"' || *q == 0x7f)
					*q = '?'; /* one audit line, quotes balanced */
			snprintf(c->name, sizeof c->name, "%.*s", (int)strcspn(c->who, " "), c->who);
		}
		srv->served = true; /* only a peer that got in counts for the lifetime */
		{
			uint8_t buf[64];
			long n = rp_hello_frame(buf, sizeof buf, RP_CAP_LINEMODE, "", "telly serve");
			if (n < 0 || rp_conn_send(c->rc, buf, (size_t)n) < 0)
				logf_("connection %u: a reply did not fit; dropped", c->id);
		}
		return FRAME_DONE;
	case RP_LIST:
		if (rp_req_decode(p, h->len, &req) < 0)
			goto malformed;
		reply_list(srv, c, req);
		return FRAME_DONE;
	case RP_OPEN:
		open = malloc(sizeof *open);
		if (!open)
			return FRAME_DONE;
		if (rp_open_decode(p, h->len, open) < 0) {
			free(open);
			goto malformed;
		}
		do_open(srv, c, open);
		free(open);
		return FRAME_DONE;
	case RP_KILL:
		if (rp_kill_decode(p, h->len, &req, &name) < 0)
			goto malformed;
		s = find_session(srv, name.p, name.n);
		if (!s || s->con) {
			char msg[160];
			snprintf(msg, sizeof msg,
				 s ? "%.*s is a console: it goes with the daemon (telly stop)"
				   : "no session %.*s",
				 (int)name.n, name.p);
			rp_conn_error(c->rc, 0, RP_E_NOENT, req, false, msg);
			return FRAME_DONE;
		}
		session_kill(s);
		reply_ok(c, 0, req, s->name);
		return FRAME_DONE;
	case RP_STOP:
		if (rp_req_decode(p, h->len, &req) < 0)
			goto malformed;
		logf_("connection %u: stop", c->id);
		srv->stopping = true;
		for (s = srv->sessions; s; s = s->next)
			session_kill(s);
		reply_ok(c, 0, req, "");
		return FRAME_DONE;
	case RP_INPUT:
		if (rp_data_decode(p, h->len, &d) < 0)
			goto malformed;
		if (!(v = frame_chan(c, h, true)))
			return FRAME_DONE;
		if (v->s->con)
			return console_input(srv, v, &d);
		if (!kpty_os_inq_push(&v->s->inq, d.p, d.n, (uint64_t)v->serial << 32 | d.seq))
			return FRAME_STALL; /* the program is not reading: hold the rest back */
		if (c->timing) {
			v->timing_seq = d.seq;
			v->t_input = telly_now_ns();
			v->t_written = 0;
		}
		session_feed(v->s);
		return FRAME_DONE;
	case RP_ECHO:
		if (!(v = frame_chan(c, h, true)))
			return FRAME_DONE;
		if (!h->len) /* nothing to show (and p may be NULL) */
			return FRAME_DONE;
		session_show(v->s, p, h->len, v, false);
		return FRAME_DONE;
	case RP_SIGNAL:
		if (rp_signal_decode(p, h->len, &sig, &flush) < 0)
			goto malformed;
		if (!(v = frame_chan(c, h, true)))
			return FRAME_DONE;
		if (v->s->con) {
			rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false,
				      "a console takes no signals (its line is raw: keys go as typed)");
			return FRAME_DONE;
		}
		if (sig != SIGINT && sig != SIGQUIT && sig != SIGTSTP) {
			rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false,
				      "only SIGINT, SIGQUIT and SIGTSTP can be sent");
			return FRAME_DONE;
		}
		if (flush) {
			kpty_os_inq_clear(&v->s->inq);
			kpty_os_flush_input(&v->s->child);
		}
		kpty_os_signal(v->s->child.master, sig);
		return FRAME_DONE;
	case RP_WINSIZE:
		if (rp_winsize_decode(p, h->len, &ws) < 0)
			goto malformed;
		if (!(v = frame_chan(c, h, false)))
			return FRAME_DONE;
		if (!v->readonly)
			set_winsize(v->s, &ws);
		return FRAME_DONE;
	case RP_BREAK:
	case RP_TAKEOVER:
		if (h->len != 0)
			goto malformed;
		if (!(v = frame_chan(c, h, true)))
			return FRAME_DONE;
		if (!v->s->con) {
			rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false,
				      "BREAK and TAKEOVER are for consoles");
			return FRAME_DONE;
		}
		if (h->type == RP_BREAK)
			console_break(srv, v);
		else
			console_takeover(srv, v);
		return FRAME_DONE;
	case RP_DETACH:
		if (h->len != 0)
			goto malformed;
		if ((v = frame_chan(c, h, false)) != NULL) {
			logf_("connection %u: detached from %s", c->id, v->s->name);
			chan_remove(srv, v);
		}
		return FRAME_DONE;
	case RP_ERROR:
		/* A client's complaint about us: note it. */
		return FRAME_DONE;
	default: {
		char msg[80];
		snprintf(msg, sizeof msg, "unknown message type %u", h->type);
		rp_conn_error(c->rc, h->chan, RP_E_UNKNOWN, 0, false, msg);
		return FRAME_DONE;
	}
	}
malformed:
	conn_fatal(srv, c, RP_E_PROTO, "malformed %s frame (%u bytes of payload)", what, h->len);
	return FRAME_DONE;
}

static void process_frames(struct server *srv, struct conn *c)
{
	struct rp_hdr h;
	const uint8_t *p;
	int r;

	while (!c->closing_at && (r = rp_conn_frame(c->rc, &h, &p)) == 1) {
		c->frames++;
		if (handle_frame(srv, c, &h, p) == FRAME_STALL) {
			rp_conn_unread(c->rc, &h); /* take it again later */
			c->stalled = true;
			return;
		}
	}
	if (!c->closing_at && r < 0) {
		if (r == -EMSGSIZE)
			conn_fatal(srv, c, RP_E_PROTO, "frame of %u bytes is over the limit of %u", h.len,
				   RP_MAX_PAYLOAD);
		else
			conn_fatal(srv, c, RP_E_PROTO, "malformed frame header (type 0)");
	}
}

/* ---- connections ---- */

/* The remembered address addr (a free slot, or the one used least
 * recently with no connection waiting to log in, if it is new). */
static struct source *source_get(struct server *srv, const char *addr, long now)
{
	struct source *old = NULL;

	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *src = &srv->src[i];
		if (!strcmp(src->addr, addr)) {
			src->used_at = now;
			return src;
		}
		if (!src->pending && (!old || (old->addr[0] && (!src->addr[0] || src->used_at < old->used_at))))
			old = src;
	}
	/* One is free of pending connections: at most MAX_TCP_PENDING are. */
	srv->forgotten += old->wrong + old->backoff + old->over + old->other;
	*old = (struct source){.used_at = now};
	snprintf(old->addr, sizeof old->addr, "%s", addr);
	return old;
}

/* Refusals of the interval so far, one line an address (at most
 * STRANGER_LOG_LINES, the rest in one), and a new interval. */
static void strangers_summed(struct server *srv, long now)
{
	unsigned long more = srv->forgotten, from = 0;

	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *src = &srv->src[i];
		unsigned n = src->wrong + src->backoff + src->over + src->other;
		if (n && srv->stranger_lines < STRANGER_LOG_LINES) {
			logf_("tcp %s: refused %u time%s in the last %ld s: %u wrong token%s, %u while "
			      "backing off, %u over the connection limits, %u other (no HELLO in "
			      "time, malformed)",
			      src->addr, n, n == 1 ? "" : "s", (now - srv->stranger_at) / 1000,
			      src->wrong, src->wrong == 1 ? "" : "s", src->backoff, src->over,
			      src->other);
			srv->stranger_lines++;
		} else if (n) {
			more += n;
			from++;
		}
		src->wrong = src->backoff = src->over = src->other = 0;
		src->told = false;
	}
	if (more)
		logf_("and %lu more refusals before login from %lu other address%s", more,
		      from, from == 1 ? "" : "es");
	srv->forgotten = srv->unsummed = 0;
	srv->stranger_lines = 0;
	srv->stranger_at = now;
}

/* A refusal before login: an address's first in an interval is a line of
 * the log (while the interval has lines left), the rest are counted and
 * summed up when it ends. A guesser's thousands of tries cost the log a
 * few lines a minute. */
static void stranger(struct server *srv, struct source *src, enum refusal why, const char *what)
{
	long now = base_now_ms();

	if (now - srv->stranger_at >= STRANGER_LOG_MS)
		strangers_summed(srv, now);
	if (!src->told && srv->stranger_lines < STRANGER_LOG_LINES) {
		logf_("tcp %s: %s (more from there are summed up every %d s)", src->addr, what,
		      STRANGER_LOG_MS / 1000);
		src->told = true;
		srv->stranger_lines++;
		return;
	}
	srv->unsummed++;
	switch (why) {
	case REFUSED_WRONG:
		src->wrong++;
		break;
	case REFUSED_BACKOFF:
		src->backoff++;
		break;
	case REFUSED_OVER:
		src->over++;
		break;
	case REFUSED_OTHER:
		src->other++;
		break;
	}
}

/* Logged in, or gone: it no longer counts as waiting. */
static void conn_unpend(struct server *srv, struct conn *c)
{
	if (!c->src)
		return;
	c->src->pending--;
	srv->ntcp_pending--;
	c->src = NULL;
}

static void conn_logged_in(struct server *srv, struct conn *c)
{
	conn_unpend(srv, c);
	c->frame_by = 0;
}

/* The token, always compared, in time that does not depend on where it
 * differs, and a right one always gets in: the listener is loopback-only
 * by default, so every local user and the owner's ssh -L tunnel come
 * from the same address, and a guesser's backoff must not lock the owner
 * out. The backoff only costs the guesser: while its address backs off a
 * wrong token is refused as such (summed up in the log, and not counted
 * towards a longer wait). Guessing is held off by the token's 256 bits. */
static bool token_ok(struct server *srv, struct conn *c, const struct rp_str *token)
{
	struct source *src = c->src;
	long now = base_now_ms();
	size_t want = strlen(srv->token);
	unsigned diff = token->n != want;

	for (size_t i = 0; i < want; i++)
		diff |= (unsigned)(uint8_t)srv->token[i] ^ (i < token->n ? (uint8_t)token->p[i] : 0u);
	/* A right token leaves the address's backoff as it was: whoever
	 * guesses from the same address would start afresh at each of the
	 * owner's logins. It ends after a quiet spell instead. */
	if (diff == 0)
		return true;
	if (src && now - src->wrong_at >= TOKEN_BACKOFF_MAX_MS)
		src->fails = 0;
	if (src)
		src->wrong_at = now;
	if (src && now < src->retry_at) {
		conn_fatal(srv, c, RP_E_LIMIT, "too many failed logins from %s: try again in %ld ms",
			   src->addr, src->retry_at - now);
		return false;
	}
	if (src && ++src->fails >= TOKEN_FREE_TRIES) {
		unsigned shift = src->fails - TOKEN_FREE_TRIES;
		long wait = (long)TOKEN_BACKOFF_MS << (shift < 16 ? shift : 16);
		src->retry_at = now + (wait < TOKEN_BACKOFF_MAX_MS ? wait : TOKEN_BACKOFF_MAX_MS);
	}
	conn_fatal(srv, c, RP_E_AUTH, "missing or wrong token");
	return false;
}

/* Room for a new connection not logged in yet: real clients send HELLO at
 * once, so the oldest of those waiting (from src, else from anywhere) is
 * the likeliest to be a squatter; it is closed, not the newcomer, so that
 * silent connections re-opened as fast as they time out cannot keep the
 * owner out. */
static void conn_evict_pending(struct server *srv, struct source *src)
{
	struct conn *old = NULL;
	char what[160];

	for (struct conn *c = srv->conns; c; c = c->next)
		if (c->src && !c->closing_at && (!src || c->src == src) && (!old || c->id < old->id))
			old = c;
	if (!old)
		return;
	snprintf(what, sizeof what,
		 "connection closed without HELLO: a newer one came (%u not logged in, %u of them "
		 "from there)",
		 srv->ntcp_pending, old->src->pending);
	stranger(srv, old->src, REFUSED_OVER, what);
	/* Gone now, not after a grace: a stream of newcomers must not fill
	 * the TCP budget with connections on their way out. */
	rp_conn_error(old->rc, 0, RP_E_LIMIT, 0, true, what);
	rp_conn_flush(old->rc);
	conn_destroy(srv, old);
}

static void conn_add(struct server *srv, int fd, bool tcp, const struct sockaddr *a, socklen_t al)
{
	struct rp_transport *t;
	struct conn *c;
	struct source *src = NULL;
	long now = base_now_ms();
	char host[64] = "?", port[16] = "?";

	if (tcp) {
		getnameinfo(a, al, host, sizeof host, port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
		src = source_get(srv, host, now);
		if (src->pending >= MAX_PENDING_PER_SOURCE)
			conn_evict_pending(srv, src);
		else if (srv->ntcp_pending >= MAX_TCP_PENDING)
			conn_evict_pending(srv, NULL);
		if (srv->ntcp >= MAX_TCP_CONNS) {
			char what[160];
			snprintf(what, sizeof what,
				 "connection refused: over the limit (%u over TCP, %u not logged in, "
				 "%u of them from there)",
				 srv->ntcp, srv->ntcp_pending, src->pending);
			stranger(srv, src, REFUSED_OVER, what);
			close(fd);
			return;
		}
	} else if (srv->nunix >= MAX_UNIX_CONNS) {
		/* The owner's own programs: a line a minute says it. */
		srv->unix_refused++;
		if (!srv->unix_told_at || now - srv->unix_told_at >= STRANGER_LOG_MS) {
			logf_("refusing connections on the unix socket: %u already (%lu refused)",
			      srv->nunix, srv->unix_refused);
			srv->unix_told_at = now;
			srv->unix_refused = 0;
		}
		close(fd);
		return;
	}
	t = rp_transport_socket(fd);
	c = t ? calloc(1, sizeof *c) : NULL;
	if (!c || !(c->rc = rp_conn_create(t, VIEWER_QUEUE_ENTRIES, VIEWER_QUEUE_BYTES))) {
		logf_("refusing a connection: out of memory");
		free(c);
		rp_transport_destroy(t);
		return;
	}
	if (tcp) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	c->id = ++srv->next_conn_id;
	c->need_token = c->tcp = tcp;
	c->pfr = c->pfw = -1;
	c->hello_by = now + srv->o.hello_ms;
	if (tcp) {
		snprintf(c->who, sizeof c->who, "tcp %s port %s", host, port);
		c->src = src;
		src->pending++;
		srv->ntcp_pending++;
		srv->ntcp++;
	} else {
		struct ucred cr;
		socklen_t cl = sizeof cr;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
			snprintf(c->who, sizeof c->who, "uid %u pid %d", (unsigned)cr.uid, (int)cr.pid);
		srv->nunix++;
	}
	c->next = srv->conns;
	srv->conns = c;
	srv->nconns++;
}

static void conn_destroy(struct server *srv, struct conn *c)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (c->chans[i])
			chan_remove(srv, c->chans[i]);
	for (struct conn **pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	conn_unpend(srv, c);
	if (c->tcp)
		srv->ntcp--;
	else
		srv->nunix--;
	srv->nconns--;
	rp_conn_destroy(c->rc);
	rp_transport_destroy(c->relay);
	free(c);
}

/* A frame begun must be whole in time: its deadline starts with its first
 * byte (a peer that stalls mid-frame would hold its place for ever). Not
 * while the connection waits on us (a program that does not read). */
static void conn_frame_deadline(struct server *srv, struct conn *c, unsigned long frames_before,
				long now)
{
	if (c->stalled || c->rc->rx_len == c->rc->rx_off)
		c->frame_by = 0;
	else if (!c->frame_by || c->frames != frames_before)
		c->frame_by = now + srv->o.frame_ms;
}

/* Returns false when the connection is gone. */
static bool conn_readable(struct server *srv, struct conn *c)
{
	unsigned long frames = c->frames;

	for (int i = 0; i < CONN_READS_PER_WAKEUP && !c->stalled && !c->closing_at; i++) {
		ssize_t r = rp_conn_read(c->rc);
		if (r == -EAGAIN)
			break;
		if (r <= 0) {
			conn_destroy(srv, c);
			return false;
		}
		process_frames(srv, c);
	}
	conn_frame_deadline(srv, c, frames, base_now_ms());
	return true;
}

static bool conn_writable(struct server *srv, struct conn *c)
{
	int r = rp_conn_flush(c->rc);

	if (r < 0 || (r == 0 && c->closing_at)) {
		conn_destroy(srv, c);
		return false;
	}
	if (r == 0 && c->snapshots_due) {
		/* Drained: channels that fell behind get the screen now. */
		c->snapshots_due = false;
		for (int i = 0; i < MAX_CHANS; i++)
			if (c->chans[i] && c->chans[i]->snapshot_due)
				chan_snapshot(c->chans[i]);
		rp_conn_flush(c->rc);
	}
	return true;
}

/* Out of descriptors (or memory), accept fails and the listener stays
 * readable: polled on, the loop would spin. It rests a while instead,
 * and the log says so once until an accept works again. */
static void accept_failed(struct server *srv, bool tcp, int err)
{
	struct rlimit rl = {0};

	srv->rest_until[tcp] = base_now_ms() + ACCEPT_PAUSE_MS;
	srv->accept_fails++;
	if (srv->accept_told)
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	logf_("cannot accept connections: %s (%u connections, %u sessions, at most %lu "
	      "descriptors); trying again every %d ms",
	      strerror(err), srv->nconns, srv->nsessions, (unsigned long)rl.rlim_cur,
	      ACCEPT_PAUSE_MS);
	srv->accept_told = true;
}

static void accept_all(struct server *srv, bool tcp)
{
	int lfd = tcp ? srv->listen_tcp : srv->listen_unix;

	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		struct sockaddr_storage a;
		socklen_t al = sizeof a;
		int fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_failed(srv, tcp, errno);
			return;
		}
		if (srv->accept_told) {
			logf_("accepting connections again (%lu tries failed)", srv->accept_fails);
			srv->accept_told = false;
		}
		srv->accept_fails = 0;
		conn_add(srv, fd, tcp, (struct sockaddr *)&a, al);
	}
}

/* ---- the TCP listener ---- */

static int load_token(struct server *srv, char *err, size_t errn)
{
	char path[300];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/token", srv->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		uint8_t rnd[32];
		int r = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (r < 0 || read(r, rnd, sizeof rnd) != sizeof rnd) {
			snprintf(err, errn, "cannot read /dev/urandom");
			if (r >= 0)
				close(r);
			return -1;
		}
		close(r);
		for (int i = 0; i < 32; i++)
			snprintf(srv->token + 2 * i, 3, "%02x", rnd[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, srv->token, 64) != 64) {
			snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	n = read(fd, srv->token, 64);
	close(fd);
	if (n != 64) {
		snprintf(err, errn, "%s: expected 64 hex digits", path);
		return -1;
	}
	srv->token[64] = 0;
	return 0;
}

static int tcp_listen(struct server *srv, char *err, size_t errn)
{
	char why[300];
	int fd = rp_tcp_listen(srv->o.listen, !srv->o.allow_remote, why, sizeof why);

	if (fd == -EADDRNOTAVAIL) {
		snprintf(err, errn,
			 "--listen %s; add --allow-remote to listen beyond this host (the token is "
			 "then all that guards your sessions)",
			 why);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errn, "--listen %s", why);
		return -1;
	}
	if (load_token(srv, err, errn) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- the loop ---- */

static void reap(struct server *srv)
{
	struct session *s, *next;
	int status;

	for (s = srv->sessions; s; s = next) {
		next = s->next;
		if (s->con) {
			vmc_console_reap(s->con); /* its exec command, if it ended */
			session_read(s, NULL);
			console_sync(srv, s);
		} else if (kpty_os_reap(&s->child, &status)) {
			session_end(srv, s, status);
		}
	}
	if (srv->sshd_pid > 0 && waitpid(srv->sshd_pid, &status, WNOHANG) == srv->sshd_pid) {
		logf_("the SSH front door exited (status %d); consoles stay reachable here",
		      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		srv->sshd_pid = 0;
	}
}

static bool should_exit(struct server *srv, long now)
{
	if (srv->nsessions)
		return false;
	if (srv->stopping)
		return true;
	/* Like tmux's server: gone with its last session (once its clients
	 * have left), or if nobody came. */
	if (!srv->served)
		return now - srv->started_ms > FIRST_CLIENT_MS;
	return srv->nconns == 0;
}

static int run(struct server *srv)
{
	/* Only live descriptors go in (a slot of -1 still counts against
	 * RLIMIT_NOFILE, and poll fails with EINVAL past it). */
	struct pollfd *pf = calloc(4 + MAX_SESSIONS + 2 * MAX_CONNS, sizeof *pf);
	bool poll_told = false;

	if (!pf)
		return 1;
	srv->started_ms = srv->stranger_at = base_now_ms();
	for (;;) {
		long now = base_now_ms(), timeout = 1000;
		nfds_t n = 0;
		int i_unix = -1, i_tcp = -1, i_ep = -1;
		struct session *s, *snext;
		struct conn *c, *cnext;

		for (s = srv->sessions; s; s = snext) {
			snext = s->next;
			if (s->con && s->kill_at) {
				session_end(srv, s, 0);
				continue;
			}
			if (s->con) {
				long t = vmc_console_timeout_ms(s->con, now);
				if (t == 0) {
					session_read(s, NULL); /* a reconnect is due */
					console_sync(srv, s);
				}
				else if (t > 0 && t < timeout)
					timeout = t;
			}
			if (s->kill_at && now >= s->kill_at) {
				kill(-s->child.pid, SIGKILL);
				s->kill_at = now + KILL_GRACE_MS;
			}
			if (s->settle_at && now >= s->settle_at) {
				if (s->screen)
					rp_screen_settle(s->screen);
				s->settle_at = 0;
			} else if (s->settle_at && s->settle_at - now < timeout) {
				timeout = s->settle_at - now;
			}
			if (s->inq.count) {
				session_feed(s);
				if (s->inq.count)
					timeout = PACE_POLL_MS;
			}
		}
		for (c = srv->conns; c; c = cnext) {
			cnext = c->next;
			if (c->closing_at && now >= c->closing_at) {
				conn_destroy(srv, c);
				continue;
			}
			if (c->stalled) {
				unsigned long frames = c->frames;
				c->stalled = false;
				process_frames(srv, c);
				if (c->stalled)
					timeout = PACE_POLL_MS;
				conn_frame_deadline(srv, c, frames, now);
			}
			/* Deadlines: HELLO from connecting, a frame from its
			 * first byte. */
			if (c->closing_at) {
				if (c->closing_at - now < timeout)
					timeout = c->closing_at - now;
				continue;
			}
			/* Judged on what the peer sent, not on what this loop
			 * took in: after a stall of ours (a slow disk, a stop)
			 * its HELLO or its frame's end may be waiting in the
			 * socket. */
			if (((!c->hello && now >= c->hello_by) || (c->frame_by && now >= c->frame_by)) &&
			    !conn_readable(srv, c))
				continue;
			if (c->closing_at) {
				if (c->closing_at - now < timeout)
					timeout = c->closing_at - now;
				continue;
			}
			if (!c->hello && now >= c->hello_by)
				conn_fatal(srv, c, RP_E_PROTO, "no HELLO within %ld ms", srv->o.hello_ms);
			else if (c->frame_by && now >= c->frame_by)
				conn_fatal(srv, c, RP_E_PROTO,
					   "no whole frame within %ld ms (%zu bytes of one came)",
					   srv->o.frame_ms, c->rc->rx_len - c->rc->rx_off);
			if (!c->closing_at && !c->hello && c->hello_by - now < timeout)
				timeout = c->hello_by - now;
			if (!c->closing_at && c->frame_by && c->frame_by - now < timeout)
				timeout = c->frame_by - now;
		}
		if (srv->unsummed) {
			long left = srv->stranger_at + STRANGER_LOG_MS - now;
			if (left <= 0)
				strangers_summed(srv, now);
			else if (left < timeout)
				timeout = left;
		}
		if (should_exit(srv, now))
			break;

		pf[n++] = (struct pollfd){.fd = srv->sigfd, .events = POLLIN};
		for (int tcp = 0; tcp < 2; tcp++) {
			int fd = tcp ? srv->listen_tcp : srv->listen_unix;
			long rest = srv->rest_until[tcp] - now;
			if (fd < 0)
				continue;
			if (rest > 0) { /* out of descriptors: see accept_failed */
				if (rest < timeout)
					timeout = rest;
				continue;
			}
			*(tcp ? &i_tcp : &i_unix) = (int)n;
			pf[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
		}
		if (srv->epfd >= 0) {
			i_ep = (int)n;
			pf[n++] = (struct pollfd){.fd = srv->epfd, .events = POLLIN};
		}
		for (s = srv->sessions; s; s = s->next) {
			s->pfi = -1;
			if (s->con) /* consoles are in the epoll set */
				continue;
			s->pfi = (int)n;
			pf[n++] = (struct pollfd){.fd = s->pump ? kpty_os_pump_fd(s->pump) : s->child.master,
						  .events = POLLIN};
		}
		for (c = srv->conns; c; c = c->next) {
			/* Handed-over pipes read and write on two descriptors. */
			const struct rp_transport *t = c->rc->t;
			short wev = rp_conn_wevents(c->rc) | (c->snapshots_due ? POLLOUT : 0);
			short rev = !c->stalled && !c->closing_at ? POLLIN : 0;
			c->pfr = (int)n;
			c->pfw = -1;
			if (t->wfd == t->rfd) {
				pf[n++] = (struct pollfd){.fd = t->rfd, .events = rev | wev};
			} else {
				pf[n++] = (struct pollfd){.fd = t->rfd, .events = rev};
				c->pfw = (int)n;
				pf[n++] = (struct pollfd){.fd = t->wfd, .events = wev};
			}
		}
		if (poll(pf, n, (int)(timeout > 0 ? timeout : 0)) < 0) {
			if (errno != EINTR && !poll_told) {
				logf_("poll: %s", strerror(errno));
				poll_told = true;
			}
			if (errno != EINTR)
				poll(NULL, 0, ACCEPT_PAUSE_MS); /* no spinning on it */
			continue;
		}

		if (i_ep >= 0 && (pf[i_ep].revents & POLLIN))
			consoles_ready(srv);
		for (s = srv->sessions; s; s = s->next)
			if (s->pfi >= 0 && pf[s->pfi].revents)
				session_read(s, &pf[s->pfi]);
		for (c = srv->conns; c; c = cnext) {
			cnext = c->next;
			short rr = c->pfr >= 0 ? pf[c->pfr].revents : 0;
			short wr = c->pfw >= 0 ? pf[c->pfw].revents : 0;
			if (wr & (POLLERR | POLLHUP)) { /* its reader is gone */
				conn_destroy(srv, c);
				continue;
			}
			if ((rr & (POLLIN | POLLHUP | POLLERR)) && !conn_readable(srv, c))
				continue;
			if (((rr | wr) & POLLOUT) || rp_conn_wevents(c->rc) || c->snapshots_due)
				conn_writable(srv, c);
		}
		if (i_unix >= 0 && (pf[i_unix].revents & POLLIN))
			accept_all(srv, false);
		if (i_tcp >= 0 && (pf[i_tcp].revents & POLLIN))
			accept_all(srv, true);
		if (pf[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(srv->sigfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
					logf_("signal %d: stopping", (int)si.ssi_signo);
					srv->stopping = true;
					for (s = srv->sessions; s; s = s->next)
						session_kill(s);
				}
			}
			reap(srv);
		}
	}
	if (srv->unsummed)
		strangers_summed(srv, base_now_ms());
	/* Let the last frames (EXIT, OK to stop) reach their readers. */
	for (struct conn *c = srv->conns; c; c = c->next)
		rp_conn_flush_wait(c->rc, 500);
	while (srv->conns)
		conn_destroy(srv, srv->conns);
	free(pf);
	return 0;
}

/* The SSH front door runs as a child process: libssh parses what strangers
 * send in its own address space, and each connection gets its own process
 * below it (vmc_sshd_run), as sshd does. */
static int start_sshd(struct server *srv)
{
	int p[2];
	pid_t pid;
	struct vmc_sshd_opts so = {
		.listen = srv->o.ssh_listen, .keys_file = srv->o.ssh_keys,
		.host_key = srv->o.ssh_host_key, .daemon_sock = srv->sock_path,
		.cfg = srv->o.consoles, .listen_fd = srv->o.ssh_fd,
	};

	if (pipe2(p, O_CLOEXEC) < 0) {
		logf_("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		logf_("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		close(srv->listen_unix);
		so.parent_fd = p[0];
		_exit(vmc_sshd_run(&so));
	}
	close(p[0]);
	close(srv->o.ssh_fd);
	srv->sshd_pipe = p[1];
	srv->sshd_pid = pid;
	return 0;
}

static int start_consoles(struct server *srv)
{
	char path[320], err[400];

	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (srv->epfd < 0) {
		logf_("epoll: %s", strerror(errno));
		return -1;
	}
	/* Beside logs/, not in it: no session or console name reaches it. */
	snprintf(path, sizeof path, "%s/audit.log", srv->dir);
	srv->audit_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (srv->audit_fd < 0)
		logf_("audit log %s: %s", path, strerror(errno));
	for (unsigned i = 0; i < srv->o.consoles->n; i++) {
		if (console_create(srv, &srv->o.consoles->specs[i], err, sizeof err) < 0) {
			logf_("%s", err);
			return -1;
		}
	}
	return 0;
}

/* Enough descriptors for every session and connection the limits let
 * in, if the hard limit allows (a default soft limit of 1024 does not). */
static void raise_fd_limit(void)
{
	const rlim_t need = FDS_SPARE + MAX_SESSIONS * FDS_PER_SESSION + MAX_CONNS * FDS_PER_CONN;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need)
		logf_("at most %lu file descriptors (the hard limit): the limits of %d sessions and "
		      "%d connections need %lu",
		      (unsigned long)rl.rlim_cur, MAX_SESSIONS, MAX_CONNS, (unsigned long)need);
}

static int serve_main(int listen_unix, const char *dir, const struct telly_serve_opts *o)
{
	struct server *srv = calloc(1, sizeof *srv);
	char err[300] = "", logs[300];
	int rc = 1;

	if (!srv)
		return 1;
	srv->o = *o;
	if (!srv->o.hello_ms)
		srv->o.hello_ms = HELLO_TIMEOUT_MS;
	if (!srv->o.frame_ms)
		srv->o.frame_ms = FRAME_TIMEOUT_MS;
	raise_fd_limit();
	srv->listen_unix = listen_unix;
	srv->listen_tcp = -1;
	srv->audit_fd = srv->sshd_pipe = srv->epfd = -1;
	snprintf(srv->dir, sizeof srv->dir, "%s", dir);
	snprintf(srv->sock_path, sizeof srv->sock_path, "%s/serve.sock", dir);
	snprintf(logs, sizeof logs, "%s/logs", dir);
	mkdir(logs, 0700);
	{
		int dead = telly_slog_recover(logs);
		if (dead)
			logf_("%d session%s ended when the daemon before died; marked in %s", dead,
			      dead == 1 ? "" : "s", logs);
	}
	/* The front door first, so it holds none of the consoles' fds. */
	if (o->ssh_listen && start_sshd(srv) < 0)
		goto out;
	/* SIGXFSZ: a file size limit makes a log write fail (EFBIG), which
	 * the log reports, rather than kill the daemon. Blocked, not ignored,
	 * so the programs it starts get the default back (kpty_os_spawn). */
	srv->sigfd = base_signalfd((const int[]){SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGXFSZ, 0});
	if (srv->sigfd < 0) {
		logf_("signalfd: %s", strerror(-srv->sigfd));
		goto out;
	}
	if (o->listen && (srv->listen_tcp = tcp_listen(srv, err, sizeof err)) < 0) {
		logf_("%s", err);
		goto out_sig;
	}
	if (o->consoles && start_consoles(srv) < 0)
		goto out_consoles;
	logf_("serving on %s%s%s%s%s (pid %d)", srv->sock_path, o->listen ? " and tcp " : "",
	      o->listen ? o->listen : "", o->ssh_listen ? ", ssh on " : "",
	      o->ssh_listen ? o->ssh_listen : "", (int)getpid());
	rc = run(srv);
	logf_("exiting");
out_consoles:
	while (srv->sessions) /* consoles that were made before one failed */
		session_end(srv, srv->sessions, 0);
	if (srv->audit_fd >= 0)
		close(srv->audit_fd);
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->listen_tcp >= 0)
		close(srv->listen_tcp);
out_sig:
	close(srv->sigfd);
out:
	if (srv->sshd_pipe >= 0)
		close(srv->sshd_pipe); /* the front door sees EOF and leaves */
	if (srv->sshd_pid > 0)
		waitpid(srv->sshd_pid, NULL, 0);
	unlink(srv->sock_path);
	close(listen_unix);
	free(srv);
	return rc;
}

int telly_serve_spawn(int listen_fd, const char *dir, const struct telly_serve_opts *o,
		      char *err, size_t errn)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		snprintf(err, errn, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char log[300];
		int fd;
		/* Detach from the starter's session and terminal. */
		setsid();
		if (fork() != 0)
			_exit(0);
		snprintf(log, sizeof log, "%s/serve.log", dir);
		fd = open("/dev/null", O_RDWR);
		dup2(fd, 0);
		dup2(fd, 1);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		if (chdir("/") < 0)
			_exit(1);
		_exit(serve_main(listen_fd, dir, o));
	}
	waitpid(pid, &status, 0);
	close(listen_fd);
	return 0;
}

/* `telly serve --stdio` when the daemon does not take stdin/stdout
 * (hand_over): carry the protocol between them and the daemon's socket. */
static int relay(struct rp_transport *t)
{
	char up[65536], down[65536];
	size_t up_len = 0, down_len = 0;
	bool in_eof = false, sock_eof = false;

	signal(SIGPIPE, SIG_IGN);
	while (!(sock_eof && down_len == 0) && !(in_eof && up_len == 0)) {
		struct pollfd p[3] = {
			{.fd = 0, .events = (!in_eof && up_len == 0) ? POLLIN : 0},
			{.fd = t->rfd,
			 .events = (short)((!sock_eof && down_len == 0 ? POLLIN : 0) |
					   (up_len ? POLLOUT : 0))},
			{.fd = 1, .events = down_len ? POLLOUT : 0},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents) {
			ssize_t r = read(0, up, sizeof up);
			if (r > 0)
				up_len = (size_t)r;
			else if (r == 0 || errno != EAGAIN)
				in_eof = true;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && down_len == 0 && !sock_eof) {
			ssize_t r = recv(t->rfd, down, sizeof down, 0);
			if (r > 0)
				down_len = (size_t)r;
			else if (r == 0 || errno != EAGAIN)
				sock_eof = true;
		}
		if (up_len && (p[1].revents & POLLOUT)) {
			ssize_t w = send(t->rfd, up, up_len, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN)
				return 1;
			if (w > 0) {
				memmove(up, up + w, up_len - (size_t)w);
				up_len -= (size_t)w;
			}
		}
		if (down_len && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(1, down, down_len);
			if (w < 0 && errno != EAGAIN)
				return 1;
			if (w > 0) {
				memmove(down, down + w, down_len - (size_t)w);
				down_len -= (size_t)w;
			}
		}
		if (in_eof && up_len == 0)
			shutdown(t->rfd, SHUT_WR);
	}
	return 0;
}

/* `telly serve --stdio`, first choice: give the daemon our stdin and
 * stdout (ssh's pipes) and wait until it is done with them, as tmux's
 * client gives its server the terminal. Returns -1 if the daemon did not
 * take them (nothing was read from stdin: relay() can still take over). */
static int hand_over(struct rp_transport *t)
{
	const int fds[2] = {STDIN_FILENO, STDOUT_FILENO};
	uint8_t hdr[RP_HDR_SIZE];
	struct rp_hdr h;
	struct pollfd p = {.fd = t->rfd, .events = POLLIN};
	size_t got = 0;

	rp_hdr_encode(hdr, RP_HANDOFF, 0, 0, 0);
	if (rp_transport_send_fds(t, hdr, sizeof hdr, fds, 2) < 0)
		return -1;
	while (got < sizeof hdr) {
		ssize_t r;
		if (poll(&p, 1, HANDOFF_ANSWER_MS) <= 0)
			return -1;
		r = recv(t->rfd, hdr + got, sizeof hdr - got, 0);
		if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR)))
			return -1;
		got += r > 0 ? (size_t)r : 0;
	}
	if (rp_hdr_decode(hdr, sizeof hdr, &h) != 0 || h.type != RP_HANDOFF)
		return -1;
	/* Ours to keep open no longer; the daemon closes the socket when the
	 * connection ends, and ssh sees this process exit. */
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	for (;;) {
		char sink[64];
		ssize_t r;
		p.revents = 0;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return 1;
		r = recv(t->rfd, sink, sizeof sink, 0);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			return 0;
	}
}

static void serve_usage(FILE *f)
{
	fputs("usage: telly serve [--stdio] [--listen HOST:PORT [--allow-remote]]\n"
	      "                   [--log-cap BYTES] [--hello-timeout MS] [--frame-timeout MS]\n"
	      "                   [--consoles FILE] [--console NAME=BACKEND]...\n"
	      "                   [--ssh-listen ADDR:PORT --ssh-keys FILE [--ssh-host-key FILE]]\n"
	      "\n"
	      "Run this user's telly daemon in the foreground. It holds the sessions\n"
	      "(programs on ptys), their screens and logs, and listens on a unix socket\n"
	      "in the runtime directory ($TELLY_DIR, else $XDG_RUNTIME_DIR/telly, else\n"
	      "/tmp/telly-UID). Clients start it by themselves when needed; it exits\n"
	      "with its last session.\n"
	      "\n"
	      "  --stdio            speak the protocol on stdin/stdout, joining the\n"
	      "                     running daemon or starting it (what `telly attach\n"
	      "                     user@host` runs through ssh)\n"
	      "  --listen HOST:PORT also listen on TCP; clients must present the token\n"
	      "                     kept in the runtime directory's 'token' file (0600).\n"
	      "                     Only loopback addresses unless --allow-remote\n"
	      "  --log-cap BYTES    rotate a session's log past this size (default 8M)\n"
	      "  --hello-timeout MS close a connection that has not said HELLO (logged\n"
	      "                     in) this long after connecting (default 10000)\n"
	      "  --frame-timeout MS close a connection whose frame, once begun, is not\n"
	      "                     whole this long after (default 30000)\n"
	      "\n"
	      "Consoles (VM serial consoles and the like; see vmconsole/README.md):\n"
	      "  --consoles FILE    the consoles to serve, one [NAME] section each\n"
	      "  --console NAME=BACKEND  one more: unix:PATH (a QEMU socket chardev),\n"
	      "                     pty:PATH, tcp:HOST:PORT or exec:COMMAND\n"
	      "  --ssh-listen ADDR:PORT  an SSH server for them: `ssh -p PORT NAME@HOST`\n"
	      "                     attaches to console NAME, `ssh -p PORT HOST` lists\n"
	      "  --ssh-keys FILE    authorized_keys whose lines say consoles=\"GLOB:rw,...\"\n"
	      "  --ssh-host-key FILE  kept here, made once (default\n"
	      "                     $XDG_STATE_HOME/telly/ssh_host_ed25519_key)\n"
	      "Each console is a session (telly attach NAME, telly view), a pty linked\n"
	      "at RUNDIR/consoles/NAME (for picocom or screen), and a timestamped log\n"
	      "in RUNDIR/logs/NAME.log; who attached, took over or sent a break is in\n"
	      "RUNDIR/audit.log.\n",
	      f);
}

static int load_consoles(struct vmc_config *cfg, const char *path, char *err, size_t errn)
{
	size_t n;
	char *text = vmc_read_file(path, &n, err, errn);
	int r;

	if (!text)
		return -1;
	r = vmc_config_parse(cfg, text, n, path, err, errn);
	free(text);
	return r;
}

/* The keys file is read again for each connection (edits apply without a
 * restart, as sshd's authorized_keys); here it is only checked. */
static int check_keys(const char *path, char *err, size_t errn)
{
	size_t n;
	char *text = vmc_read_file(path, &n, err, errn);
	struct vmc_key *keys;
	int r;

	if (!text)
		return -1;
	r = vmc_keys_parse(text, n, path, &keys, err, errn);
	free(text);
	if (r >= 0)
		vmc_keys_free(keys, r);
	return r < 0 ? -1 : 0;
}

static void default_host_key(char *out, size_t n)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state && *state)
		snprintf(out, n, "%s/telly/ssh_host_ed25519_key", state);
	else
		snprintf(out, n, "%s/.local/state/telly/ssh_host_ed25519_key",
			 home && *home ? home : "/tmp");
}

int telly_serve(int argc, char **argv)
{
	struct telly_serve_opts o = {.log_cap = TELLY_LOG_CAP_DEFAULT, .ssh_fd = -1};
	struct vmc_config cfg = {0};
	bool stdio = false;
	char dir[256], err[400] = "", host_key[300];
	int listen_fd, rc;
	struct rp_transport *t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stdio")) {
			stdio = true;
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			o.listen = argv[++i];
		} else if (!strcmp(argv[i], "--allow-remote")) {
			o.allow_remote = true;
		} else if (!strcmp(argv[i], "--consoles") && i + 1 < argc) {
			if (load_consoles(&cfg, argv[++i], err, sizeof err) < 0)
				goto bad_consoles;
			o.consoles = &cfg;
		} else if (!strcmp(argv[i], "--console") && i + 1 < argc) {
			if (vmc_config_add_arg(&cfg, argv[++i], err, sizeof err) < 0)
				goto bad_consoles;
			o.consoles = &cfg;
		} else if (!strcmp(argv[i], "--ssh-listen") && i + 1 < argc) {
			o.ssh_listen = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-keys") && i + 1 < argc) {
			o.ssh_keys = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-host-key") && i + 1 < argc) {
			o.ssh_host_key = argv[++i];
		} else if (!strcmp(argv[i], "--log-cap") && i + 1 < argc) {
			if (base_parse_size(argv[++i], &o.log_cap) < 0) {
				fprintf(stderr, "telly serve: --log-cap wants a size of at least 4096 "
						"bytes (suffix K, M or G), got '%s'\n",
					argv[i]);
				return 2;
			}
		} else if ((!strcmp(argv[i], "--hello-timeout") || !strcmp(argv[i], "--frame-timeout")) &&
			   i + 1 < argc) {
			char *end;
			long ms = strtol(argv[i + 1], &end, 10);
			if (*end || end == argv[i + 1] || ms < 1 || ms > TIMEOUT_MAX_MS) {
				fprintf(stderr, "telly serve: %s wants milliseconds from 1 to %d, got '%s'\n",
					argv[i], TIMEOUT_MAX_MS, argv[i + 1]);
				return 2;
			}
			*(argv[i][2] == 'h' ? &o.hello_ms : &o.frame_ms) = ms;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			serve_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "telly serve: unknown option '%s'\n", argv[i]);
			serve_usage(stderr);
			return 2;
		}
	}
	if ((o.ssh_listen || o.ssh_keys) && !(o.ssh_listen && o.ssh_keys && o.consoles)) {
		fprintf(stderr, "telly serve: the SSH front door wants --ssh-listen ADDR:PORT, "
				"--ssh-keys FILE and consoles (--consoles FILE or --console)\n");
		vmc_config_finish(&cfg);
		return 2;
	}
	if (stdio && o.consoles) {
		fprintf(stderr, "telly serve: consoles are served by a daemon run in the foreground "
				"(telly serve --consoles FILE), not with --stdio\n");
		vmc_config_finish(&cfg);
		return 2;
	}
	if (o.ssh_listen) {
		if (!o.ssh_host_key) {
			default_host_key(host_key, sizeof host_key);
			o.ssh_host_key = host_key;
		}
		if (check_keys(o.ssh_keys, err, sizeof err) < 0 ||
		    vmc_sshd_host_key(o.ssh_host_key, err, sizeof err) < 0) {
			fprintf(stderr, "telly serve: %s\n", err);
			vmc_config_finish(&cfg);
			return 2;
		}
	}
	if (stdio) {
		t = telly_daemon_connect(true, &o, err, sizeof err);
		if (!t) {
			fprintf(stderr, "telly serve: %s\n", err);
			return 1;
		}
		rc = hand_over(t);
		if (rc < 0) { /* a daemon that does not take them: copy */
			rp_transport_destroy(t);
			t = telly_daemon_connect(true, &o, err, sizeof err);
			if (!t) {
				fprintf(stderr, "telly serve: %s\n", err);
				return 1;
			}
			rc = relay(t);
		}
		rp_transport_destroy(t);
		return rc;
	}
	listen_fd = telly_daemon_claim(dir, sizeof dir, &t, err, sizeof err);
	if (t) {
		rp_transport_destroy(t);
		fprintf(stderr, "telly serve: a server is already running in %s\n", dir);
		return 1;
	}
	if (listen_fd < 0) {
		fprintf(stderr, "telly serve: %s\n", err);
		vmc_config_finish(&cfg);
		return 1;
	}
	if (o.ssh_listen && (o.ssh_fd = vmc_sshd_listen(o.ssh_listen, err, sizeof err)) < 0) {
		fprintf(stderr, "telly serve: %s\n", err);
		close(listen_fd);
		vmc_config_finish(&cfg);
		return 1;
	}
	rc = serve_main(listen_fd, dir, &o);
	vmc_config_finish(&cfg);
	return rc;
bad_consoles:
	fprintf(stderr, "telly serve: %s\n", err);
	vmc_config_finish(&cfg);
	return 2;
}

#ifdef TELLY_FUZZ_DISPATCH
/* ---- test/fuzz/dispatch.c: the loop's work, without poll() ---- */
#include <sys/ioctl.h>
#include <termios.h>

/* What kpty_os_spawn() makes, less the child: packet mode, EXTPROC. */
static int fuzz_pty(struct kpty_os_child *c, const struct kpty_winsize *ws)
{
	struct termios t;
	int on = 1, err;

	c->pid = 0; /* nothing to signal or wait for (session_kill leaves it) */
	c->slave = -1;
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0)
		return -errno;
	if (grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
	    (c->slave = open(ptsname(c->master), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
	    fcntl(c->master, F_SETFL, O_NONBLOCK) < 0 || kpty_os_set_winsize(c->master, ws) < 0 ||
	    tcgetattr(c->slave, &t) < 0)
		goto fail;
	t.c_lflag |= EXTPROC;
	if (tcsetattr(c->slave, TCSANOW, &t) < 0 || ioctl(c->master, TIOCPKT, &on) < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	kpty_os_close(c);
	return -err;
}

/* A daemon with no listeners, no signals, no consoles. */
struct server *telly_fuzz_server(void)
{
	struct server *srv = calloc(1, sizeof *srv);

	if (!srv)
		return NULL;
	srv->o.log_cap = TELLY_LOG_CAP_DEFAULT;
	srv->o.hello_ms = HELLO_TIMEOUT_MS;
	srv->o.frame_ms = FRAME_TIMEOUT_MS;
	srv->listen_unix = srv->listen_tcp = srv->sigfd = -1;
	srv->audit_fd = srv->sshd_pipe = srv->epfd = -1;
	snprintf(srv->token, sizeof srv->token, "%s",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	srv->started_ms = srv->stranger_at = base_now_ms();
	return srv;
}

/* fd as accept() hands it over: the owner's (unix socket) or, with tcp, a
 * stranger's from 127.0.0.1 that must log in with the token. 0, or -1 if
 * refused (fd closed). */
int telly_fuzz_connect(struct server *srv, int fd, bool tcp)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	unsigned before = srv->nconns;

	conn_add(srv, fd, tcp, (struct sockaddr *)&a, sizeof a);
	return srv->nconns > before ? 0 : -1;
}

/* One round of run()'s work as if every descriptor were ready: each
 * session's "program" reads its input (the slave drained), the pty's
 * output shown, input written; each connection read, its frames
 * dispatched, its replies flushed. Returns the connections left. */
unsigned telly_fuzz_step(struct server *srv)
{
	struct conn *c, *cnext;

	for (struct session *s = srv->sessions; s; s = s->next) {
		char sink[4096];
		struct pollfd pf = {.fd = s->child.slave, .events = POLLIN};
		poll(&pf, 1, 0); /* runs the pty's pending work: see kpty_os_input_queued */
		while (read(s->child.slave, sink, sizeof sink) > 0)
			;
		session_read(s, NULL);
		if (s->settle_at && s->screen)
			rp_screen_settle(s->screen);
		s->settle_at = 0;
		if (s->inq.count)
			session_feed(s);
	}
	for (c = srv->conns; c; c = cnext) {
		cnext = c->next;
		if (c->stalled) {
			c->stalled = false;
			process_frames(srv, c);
		}
		if (!c->stalled && !c->closing_at && !conn_readable(srv, c))
			continue;
		conn_writable(srv, c);
	}
	return srv->nconns;
}

void telly_fuzz_server_destroy(struct server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_destroy(srv, srv->conns);
	while (srv->sessions)
		session_end(srv, srv->sessions, 0);
	free(srv);
}
#endif
