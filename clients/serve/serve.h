/* telly serve, inside: what the daemon's files share (README.md here
 * says which file holds which concern). Not a public header: the rest of
 * the telly command sees telly_serve() and telly_daemon_connect() in
 * clients.h.
 */
#ifndef TELLY_SERVE_H
#define TELLY_SERVE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "clients.h"
#include "kpty_os.h"
#include "resume.h"
#include "rp_io.h"
#include "screen.h"

struct fdm;
struct server;
struct session;
struct chan;
struct conn;
struct telly_slog;

/* ---- limits (the README's "Limits in force") ---- */

#define MAX_SESSIONS 256
/* Connections: the owner's (the unix socket) and the network's (TCP) are
 * counted apart, so strangers never take the owner's places; of the TCP
 * ones, those that have not logged in yet (no HELLO with the token) are
 * held to fewer, and fewer again from one address. */
#define MAX_UNIX_CONNS 256
/* Connections closing in order at once (past it one closes without
 * waiting for its desk's end of the stream). */
#define MAX_CLOSING 64
#define MAX_TCP_CONNS 256
#define MAX_TCP_PENDING 64
#define MAX_PENDING_PER_SOURCE 8
#define MAX_CONNS (MAX_UNIX_CONNS + MAX_TCP_CONNS)
#define MAX_SOURCES 256 /* TCP addresses remembered (backoff, counts) */
#define HELLO_TIMEOUT_MS 10000 /* from connecting to HELLO (--hello-timeout) */
#define FRAME_TIMEOUT_MS 30000 /* from a frame's first byte to its last (--frame-timeout) */
#define TIMEOUT_MAX_MS 3600000
/* Past a few wrong tokens (or direct secrets: the same count) in a row
 * from one address (a person who
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
/* A console's screen is lazy (screen_create_lazy): nothing is parsed
 * as a guest prints, for days if nobody looks; its last output is kept
 * raw and replayed into a screen for each attach. Its log keeps all. */
#define CONSOLE_SB_LINES 24
#define CONSOLE_SB_BYTES (1u << 20)
#define CONSOLE_KEEP_BYTES (16u << 10) /* its last output, replayed on attach */
#define KILL_GRACE_MS 2000    /* SIGHUP, then SIGKILL after this */
#define CLOSE_GRACE_MS 2000   /* a closing peer gets this long to take its error */
#define FIRST_CLIENT_MS 10000 /* a daemon nobody reaches exits after this */
#define HANDOFF_ANSWER_MS 5000 /* serve --stdio waits this long for the daemon */
#define HANDOFF_ERROR_BYTES 512 /* the longest ERROR it reads for why it refused */
/* HANDOFF's answer is one byte of flags. MARKS_END: the daemon sends
 * one more HANDOFF header on the socket when the connection ends as it
 * should, so serve --stdio tells that from the daemon dying (an older
 * daemon's answer is empty: no mark to wait for). */
#define HANDOFF_MARKS_END 0x01
#define SETTLE_MS 50	      /* output paused this long: the screen is drawn */
#define LIST_CMD_MAX 100
#define IDLE_WAIT_MS 1000 /* the loop wakes at least this often */
/* The runtime directory's socket is looked at this often; gone (a /tmp
 * cleaner, rm -rf), the directory and socket are made again. */
#define RUNDIR_CHECK_MS 1000
/* The link (link.c): a resumable channel whose connection is lost waits
 * this long for its desk to come back (RESUME), keeping what it is sent
 * (RP_KEEP_OUTPUT_BYTES); at most this many wait at once. */
#define RESUME_GRACE_MS (60L * 60 * 1000)
#define MAX_ORPHANS 64
/* Sessions remembered after they end, so that asking for one then says
 * how it ended (a program that could not run before its view opened). */
#define ENDED_KEPT 16
#define ENDED_KEPT_MS (10L * 60 * 1000)
#define END_WHY_MAX 200
/* A daemon whose last session just ended stays this long (woken by the
 * rundir check), so a view opening it (telly x's) learns how it ended. */
#define ENDED_LINGER_MS 3000
/* The direct transport (direct.c): secrets out at once, forgotten this
 * long after they are made if unused; addresses listened on. */
#define MAX_DIRECT_SECRETS 64
#define DIRECT_UNUSED_MS 60000
#define MAX_DIRECT_LISTENERS 4
#define DIRECT_KEY_WAIT_MS 10000 /* serve --direct-key waits this long for the daemon */

#ifdef TELLY_FUZZ_DISPATCH
/* Built for test/fuzz/dispatch.c (hooks in loop.c and session_pty.c): a
 * new session's "program" is a pty whose slave only the fuzzer reads
 * (nothing is forked), with no reader thread and no log; fewer sessions,
 * smaller screens, scrollback and viewer queues (a 500x1000 screen takes
 * 0.3 s under ASan, 4 MiB of scrollback 25 ms: the limits are what is
 * tested, not memset; a small queue is soon full, and its snapshot path
 * taken). */
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
struct server *telly_fuzz_server(void);
int telly_fuzz_connect(struct server *srv, int fd, bool tcp);
unsigned telly_fuzz_step(struct server *srv);
void telly_fuzz_server_destroy(struct server *srv);
struct session;
void program_fuzz_round(struct session *s);
#endif

/* ---- fdm.c: the one fd manager (epoll) ---- */

/* Events are poll's bits (POLLIN, POLLOUT; POLLERR and POLLHUP always
 * come). A handler may delete any descriptor, its own included: events
 * already taken for a deleted one are not delivered. */
typedef void (*fdm_handler_fn)(struct fdm *fdm, int fd, int events, void *data);
/* Runs once an iteration, before the wait, in the order added: does the
 * component's timed work and returns how long it may wait (ms; -1: no
 * deadline), as mosh's wait_time. */
typedef long (*fdm_hook_fn)(struct fdm *fdm, long now_ms, void *data);

struct fdm *fdm_create(void);
void fdm_destroy(struct fdm *fdm); /* takes NULL; closes nothing */
int fdm_add(struct fdm *fdm, int fd, int events, fdm_handler_fn h, void *data);
void fdm_del(struct fdm *fdm, int fd); /* does not close it; takes -1 and fds not added */
/* fdm_del, only if fd is still the one h and data added: a number kept
 * after its descriptor closed may since be another's. */
void fdm_del_if(struct fdm *fdm, int fd, fdm_handler_fn h, void *data);
int fdm_event_add(struct fdm *fdm, int fd, int events);
int fdm_event_del(struct fdm *fdm, int fd, int events);
int fdm_events(const struct fdm *fdm, int fd); /* what fd waits for now, or -1 */
int fdm_hook_add(struct fdm *fdm, fdm_hook_fn h, void *data);
/* Every hook, then the least of their waits (IDLE_WAIT_MS at most). */
long fdm_hooks(struct fdm *fdm, long now_ms);
/* Wait up to timeout_ms and run the handlers of what is ready. */
int fdm_wait(struct fdm *fdm, long timeout_ms);

/* ---- sessions (session.c; kinds in session_pty.c, session_console.c) ---- */

enum { FRAME_DONE, FRAME_STALL };

/* What a kind of session does; the loop, the viewers and the message
 * handlers reach a kind only through these (the wrappers below), in the
 * manner of FreeBSD's ttydevsw. A new kind is one new file with one of
 * these. NULL members take the wrapper's default. */
struct session_ops {
	const char *kind;
	/* Show what it printed (bounded a call); the bytes shown. */
	size_t (*read)(struct session *s);
	/* Keys of viewer v: FRAME_DONE, or FRAME_STALL to be offered again. */
	int (*input)(struct session *s, struct chan *v, const struct rp_data *d);
	/* 0, or -errno with why in err (told to the viewer). */
	int (*signal)(struct session *s, int sig, bool flush, char *err, size_t errn);
	void (*resize)(struct session *s, const struct kpty_winsize *ws); /* s->ws set */
	int (*brk)(struct session *s, struct chan *v);	    /* NULL: not for this kind */
	int (*takeover)(struct session *s, struct chan *v); /* NULL: not for this kind */
	/* Asked by KILL (stop false) or by a stopping daemon: 0, or -errno with
	 * why in err. It ends later, by reap or tick. */
	int (*kill)(struct session *s, bool stop, char *err, size_t errn);
	void (*reap)(struct session *s); /* a child exited (SIGCHLD): may end s */
	void (*describe)(struct session *s, char *cmd, size_t n, pid_t *pid);
	/* Put its descriptors in fdm (again, after anything that may change
	 * what it waits for). */
	void (*register_fds)(struct session *s, struct fdm *fdm);
	/* Timed work due by now (may end s), the answers due included;
	 * ms until the next, -1: none. */
	long (*tick)(struct session *s, long now_ms);
	void (*attached)(struct session *s, struct chan *v);
	void (*detached)(struct session *s, struct chan *v);
	/* What a viewer that is new or fell behind gets instead of the
	 * screen (an X display: its windows); NULL: the screen. */
	void (*snapshot)(struct session *s, struct chan *v);
	/* A connection's frames read together are taken: input the kind kept
	 * to send in one go goes now. NULL: it sends each at once. */
	void (*input_done)(struct session *s);
	/* Frees the kind's part and s; its descriptors leave fdm first. */
	void (*destroy)(struct session *s, struct fdm *fdm);
};

/* What every kind shares. A kind's own state is a struct of its file
 * whose first member is this. */
struct session {
	struct session *next;
	const struct session_ops *ops;
	struct server *srv;
	char name[RP_MAX_NAME + 1];
	/* The host's copy of the screen: made by session_screen() when first
	 * needed, with the kind's scrollback. */
	struct screen *screen;
	unsigned sb_lines;
	size_t sb_bytes;
	struct kpty_termios termios;
	struct kpty_winsize ws;
	struct chan *viewers;
	unsigned nviewers;
	/* The log of what it printed, written as the kind reads it (NULL:
	 * none, or the kind keeps its own, as a console does). */
	struct telly_slog *log;
	long settle_at; /* ms: draw the screen's kept output then; 0: none kept */
	uint64_t t_read; /* ns: the first read of the output being shown */
	size_t read_cap; /* bytes shown at once: fewer while they cost much */
	uint64_t skipped_told; /* screen bytes not drawn, as last logged */
	struct chan *orphans; /* channels waiting for their desk (link.c), by snext */
	/* Why it ended, in the kind's words (its program could not run, ...),
	 * for session_no_such; empty: only the status is said. */
	char end_why[END_WHY_MAX];
};

struct ended {
	char name[RP_MAX_NAME + 1]; /* empty: a free slot */
	long at_ms;
	int code; /* exit code, or 128 + signal */
	char why[END_WHY_MAX];
};

static inline size_t session_read(struct session *s)
{
	return s->ops->read(s);
}

static inline int session_input(struct session *s, struct chan *v, const struct rp_data *d)
{
	return s->ops->input(s, v, d);
}

static inline int session_signal(struct session *s, int sig, bool flush, char *err, size_t errn)
{
	return s->ops->signal(s, sig, flush, err, errn);
}

static inline int session_break(struct session *s, struct chan *v)
{
	return s->ops->brk ? s->ops->brk(s, v) : -ENOTSUP;
}

static inline int session_takeover(struct session *s, struct chan *v)
{
	return s->ops->takeover ? s->ops->takeover(s, v) : -ENOTSUP;
}

static inline int session_kill(struct session *s, bool stop, char *err, size_t errn)
{
	return s->ops->kill(s, stop, err, errn);
}

static inline void session_reap(struct session *s)
{
	if (s->ops->reap)
		s->ops->reap(s);
}

static inline void session_describe(struct session *s, char *cmd, size_t n, pid_t *pid)
{
	s->ops->describe(s, cmd, n, pid);
}

static inline void session_register_fds(struct session *s, struct fdm *fdm)
{
	if (s->ops->register_fds)
		s->ops->register_fds(s, fdm);
}

static inline long session_kind_tick(struct session *s, long now_ms)
{
	return s->ops->tick ? s->ops->tick(s, now_ms) : -1;
}

static inline void session_attached(struct session *s, struct chan *v)
{
	if (s->ops->attached)
		s->ops->attached(s, v);
}

static inline void session_detached(struct session *s, struct chan *v)
{
	if (s->ops->detached)
		s->ops->detached(s, v);
}

/* session.c: the table and what every kind does alike. */
struct session *session_find(struct server *srv, const char *p, size_t n);
void session_pick_name(struct server *srv, char *out, size_t n);
/* A new session's shared part (the kind's struct of size bytes, zeroed),
 * not yet in the table. NULL with err said. */
struct session *session_alloc(struct server *srv, size_t size, const struct session_ops *ops,
			      const char *name, char *err, size_t errn);
void session_insert(struct server *srv, struct session *s);
/* The program ended with status (wait(2)'s), or the console goes: what
 * it printed last shown, its viewers told EXIT, gone from the table,
 * destroyed. */
void session_end(struct server *srv, struct session *s, int status);
/* "no session NAME", and how it ended if it ended lately, into msg. */
/* msg for a name that is no session, and the ERROR code for conn c:
 * RP_E_ENDED + its status when it ended lately and c takes that. */
uint16_t session_no_such(struct server *srv, const struct conn *c, const char *name, size_t n,
			 char *msg, size_t msgn);
struct screen *session_screen(struct session *s); /* made if need be; NULL: no memory */
/* Bytes now on its screen: its output (logged: the kind logged them) or a
 * viewer's echo (from: that viewer, which has them). */
void session_show(struct session *s, const void *buf, size_t n, struct chan *from, bool logged);
/* After a show of n bytes that cost cost cells to draw. */
void session_pace(struct session *s, size_t n, uint64_t cost);
uint64_t session_work(const struct session *s);
/* The screen as bytes that draw it (and some scrollback); false: no memory. */
bool session_snapshot(struct session *s, struct screen_bytes *snap);
void session_termios_changed(struct session *s);
void session_log_events(struct session *s);
void session_skipped_told(struct session *s);
void session_set_winsize(struct session *s, const struct kpty_winsize *asked);
void session_clamp_winsize(struct kpty_winsize *ws);
/* Shared timed work (the screen's settle), then the kind's. */
long session_tick(struct session *s, long now_ms);

/* A program's start, as its exec says (both kinds): the child's close-
 * on-exec pipe, read in the fd manager (never waited for) until its end
 * of file, which comes at the exec, or at the child's exit after it
 * wrote why the exec failed; then done(w, ctx), w->fd -1 and what the
 * pipe held in w->said. The OPEN that asked for the program (ask, its
 * connection's id: it may have gone since) is answered then, and only
 * then: an exec that has not returned (a program on a hung mount) is no
 * start, however long it takes, as ssh waits for its command; the desk
 * says it waits and may go (the session then starts or fails on its
 * own). An OPEN that attaches holds its channel's slot on its
 * connection from the start (conn's held), so that the answer finds one. */
#define EXEC_SAID_BYTES 200
struct open_ask {
	unsigned conn; /* 0: nobody waits */
	uint32_t req;
	uint8_t flags; /* the OPEN's */
	uint8_t slot;  /* its connection's channel slot held for it, + 1; 0: none */
	struct kpty_winsize ws;
};
struct exec_watch;
typedef void exec_done_fn(struct exec_watch *w, void *ctx);
struct exec_watch {
	struct server *srv;
	int fd; /* -1: none (said, or never made) */
	char said[EXEC_SAID_BYTES];
	size_t nsaid;
	exec_done_fn *done;
	void *ctx;
	struct open_ask ask;
};
/* fd (the pipe's read end, non-blocking) watched: 0, or -errno with fd
 * closed and w->fd -1 (nothing will be said). */
int exec_watch_add(struct server *srv, struct exec_watch *w, int fd, exec_done_fn *done,
		   void *ctx);
/* What is there read now; at the end of file, done. */
void exec_watch_take(struct exec_watch *w);
/* Closed without a word (its session goes). */
void exec_watch_drop(struct exec_watch *w);
/* Whether its exec has not said yet (the program is starting). */
static inline bool exec_watch_waiting(const struct exec_watch *w)
{
	return w->fd >= 0;
}
/* The exec pipe ends at the child's death too: whether child pid is
 * exiting, or has exited and is not reaped, before its exec replaced the
 * daemon's image (its name is still the daemon's: that end was no exec,
 * its reap tells why); false for one that ran, however soon it died. */
bool exec_child_died_in_exec(pid_t pid);
/* The same, read before a reap (which takes the name away): false unless
 * pid has ended (waitid's WNOWAIT: it is left to reap). */
bool exec_child_dead_in_exec(pid_t pid);
/* The OPEN m from c waits for its program's answer; one that attaches
 * holds a free channel slot of c (do_open saw there is one). */
void open_ask_hold(struct open_ask *a, struct conn *c, const struct rp_open *m);
/* dispatch.c: the OPEN a waits answered, once (nothing if its
 * connection went): fail, an ERROR SPAWN; else OK for session s, and
 * what the OPEN asked done (attached, on the slot it held). */
void open_answer(struct server *srv, struct open_ask *a, struct session *s, const char *fail);
/* The same, failed with code (not SPAWN: an X display that did not come
 * up is no program that cannot run, 127). */
void open_answer_code(struct server *srv, struct open_ask *a, struct session *s, uint16_t code,
		      const char *fail);
/* Forgotten, unanswered (the caller answers its OPEN now), its slot let go. */
void open_ask_drop(struct server *srv, struct open_ask *a);

/* session_pty.c: a program on a Linux pty (EXTPROC packet mode). OPEN
 * m from c: 0 once it is forked (c is answered when its exec says:
 * open_answer), else an RP_E_ code, err said, for c to be answered now. */
int program_create(struct server *srv, const struct rp_open *m, const char *name,
		   struct conn *c, char *err, size_t errn);
/* session_x11.c: an X display (xdisplay) with programs in it. */
struct rp_xkey;
struct rp_xpointer;
struct rp_xconfigure;
struct rp_xchunk;
#define X11_LIST_TITLE_BYTES 80
/* OPEN m from c: 0 once made (c is answered when its program's exec
 * says, as program_create's), else an RP_E_ code, err said. */
int x11_create(struct server *srv, const struct rp_open *m, const char *name,
	       struct conn *c, char *err, size_t errn);
struct x11 *x11_session(struct session *s); /* NULL: another kind */
/* OPEN with RP_OPEN_RUN from c: m's argv started in X session s, and c
 * answered (OK, or why it did not run) once its exec says (open_answer).
 * 0, or an RP_E_ code, err said, for c to be answered now. */
int x11_run(struct session *s, const struct rp_open *m, struct conn *c, char *err, size_t errn);
/* OPEN ATTACH|SCREEN or XSCREEN from desk v, which may write: its screen
 * is w x h (RP_X_SCREEN_MIN..MAX, checked), and the display takes it, as
 * tmux's window-size latest (then the size of whichever desk presses a
 * key or button, or of the one before when v goes: session_x11.c's
 * screen_follow); the size v gave already is not taken as a use (a
 * resumed desk says it again). 0 (asked, or kept for when the display is up),
 * -ENOTSUP (its server cannot; logged once), -ENOENT (not an X session). */
int x11_screen(struct session *s, struct chan *v, unsigned w, unsigned h);
/* "DISPLAY=:N" and "XAUTHORITY=PATH" of X session name, for a terminal
 * session made with --display. 0 or an RP_E_ code, err said. */
int x11_env(struct server *srv, const char *name, size_t n, char *display, size_t dn,
	    char *xauth, size_t xn, char *err, size_t errn);
/* LIST_REPLY's X part for s (nothing if not an X session), within room bytes of e. */
/* flags: each window's XWIN flags after its title (RP_CAP_XBOUND). */
int x11_list(struct session *s, struct rp_enc *e, size_t room, bool flags); /* 1: it is one */
/* Its cookie file written again in the runtime directory made again (an
 * X session; else nothing): 0 or -errno, err said. */
int x11_files_again(struct session *s, char *err, size_t errn);
/* The desk's X messages, decoded, on an X session's channel. */
int x11_key(struct session *s, struct chan *v, const struct rp_xkey *k, char *err, size_t errn);
int x11_pointer(struct session *s, struct chan *v, const struct rp_xpointer *p, char *err,
		size_t errn);
int x11_configure(struct session *s, const struct rp_xconfigure *c);
int x11_close(struct session *s, uint32_t id);
int x11_focus(struct session *s, uint32_t id);
void x11_ack(struct session *s, struct chan *v, uint32_t id, uint32_t frame);
/* An X channel's XOUTPUT kept for its desk (struct chan's xout): it
 * resumes having got bytes of both streams (RESUME's offset), and what
 * follows goes again with its snapshot; a PING to its desk went; its
 * PONG came (what was sent before the PING is let go). */
void x11_output_resume(struct chan *v, uint64_t got);
/* The same for a channel whose session ended: what follows goes now,
 * whatever its queue holds (what is kept is bounded), before its EXIT. */
void x11_output_last(struct chan *v, uint64_t got);
void x11_output_ping(struct chan *v);
void x11_output_pong(struct chan *v);
int x11_keymap(struct session *s, struct chan *v, const struct rp_xchunk *c, char *err,
	       size_t errn);
int x11_clip(struct session *s, struct chan *v, const struct rp_xchunk *c, char *err, size_t errn);
/* When a window's damage is read: a plain function of the clock (ns).
 * What a program draws this soon after an input is read at once, in at
 * most this many reads; the rest a frame apart (session_x11.c). */
#define X11_ANSWER_US 8000
#define X11_ANSWER_READS 4
#define X11_FRAME_MS 16 /* a frame: how far apart the other reads are */
struct x11_pace {
	uint64_t input_ns; /* the last input injected (0: none) */
	uint64_t read_ns;  /* the last read asked of the display (0: none) */
	unsigned answers;  /* reads since the input (its answer) */
	unsigned may;	   /* of which this many at once (X11_ANSWER_READS; a motion's 1) */
};
void x11_pace_input(struct x11_pace *p, uint64_t now_ns);
/* The pointer moved: an input whose first damage is read at once, but at
 * most once a frame (X11_FRAME_MS) and one read each, so that a stream of
 * motion over an animating window reads it no faster than its frames. */
void x11_pace_motion(struct x11_pace *p, uint64_t now_ns);
void x11_pace_read(struct x11_pace *p, uint64_t now_ns);
/* An input went in that no read since answers. */
bool x11_pace_answering(const struct x11_pace *p);
/* A read now would answer an input (read at once, not by the frame clock). */
bool x11_pace_for_input(const struct x11_pace *p, uint64_t now_ns);
/* 0: read now; else the ns until it is due (the frame clock). */
uint64_t x11_pace_wait(const struct x11_pace *p, uint64_t now_ns);
/* An X program reaped: what the OPEN waiting for its start is told.
 * said: its exec wrote why it could not run (told that already, or by its
 * session's end); unsure: its pipe's end came with its death, so whether
 * it ran is its status's to say: killed, it never started (NOENT); else it
 * ran and ended at once (OK). Neither: its exec's word told it already. */
enum x11_start { X11_START_TOLD, X11_START_KILLED, X11_START_RAN };
enum x11_start x11_start_of(bool said, bool unsure, int status);
/* An X session whose programs ended, lingered_ms ago, as the display's
 * count of its clients says: keep of them showed a window or hold a copy
 * (CLIPBOARD, PRIMARY; -1: it cannot count); unshown_ms: how long the
 * newest of the others has counted (from when it was first counted
 * showing none: it connected, or its last window was destroyed; or
 * from the programs' end if later; -1: none); left: what the programs
 * left still runs (their process groups, or a process that carries the
 * display in its environment). It stays while one that keeps it remains
 * (counted again in a second); for one of the others, or with none while
 * what was left runs (on its way to the display), it waits
 * X11_LINGER_START_MS at most, counted again sooner; else its display
 * goes. */
enum x11_linger { X11_LINGER_STAY, X11_LINGER_SOON, X11_LINGER_DOWN };
enum x11_linger x11_linger_of(int keep, long unshown_ms, long lingered_ms, bool left);
/* Whether env (n bytes of NUL-ended entries, as /proc/PID/environ) has
 * entry whole; one cut short at the end is not. */
bool x11_env_has(const char *env, size_t n, const char *entry);
/* Looks for processes that carry an X session's display in their
 * environment (session_x11.c), each in a thread that may stay stuck on a
 * hung process: a session has one alive at most, the daemon
 * X11_LOOKS_MAX (a session past it looks no more: what its programs
 * left keeps it X11_LINGER_START_MS at most). look answers whether one
 * carries dpy and xauth (the daemon's reads /proc; a test's its own). */
#define X11_LOOKS_MAX 16
struct x11_looks;
struct x11_looks *x11_looks_create(bool (*look)(void *arg, const char *dpy, const char *xauth),
				   void *arg);
/* The server's reference let go (each thread holds one while it runs). */
void x11_looks_put(struct x11_looks *ls);
/* Look threads that have not ended. */
int x11_looks_alive(struct x11_looks *ls);
/* One session's looks: the one under way (NULL: none; stale: asked for
 * an earlier linger, its answer not taken) and the last answer (1 yes,
 * 0 no, -1 none yet). Zeroed at first. */
struct reach_look;
struct x11_reach {
	struct reach_look *look;
	bool stale;
	int reach;
};
/* A new linger: no answer yet, a look under way is not the linger's. */
void x11_reach_again(struct x11_reach *r);
/* Whether a process may carry the display: the last answer (maybe, with
 * none), and another look started while it is not no, if none is under
 * way and ls has room. */
bool x11_reach_maybe(struct x11_reach *r, struct x11_looks *ls, const char *dpy, const char *xauth);
/* The session goes (a look under way ends on its own). */
void x11_reach_finish(struct x11_reach *r);
/* session_console.c: a VM's serial console (vmconsole). */
struct vmc_spec;
int console_create(struct server *srv, const struct vmc_spec *spec, char *err, size_t errn);
/* The spec console s runs, or NULL if s is another kind of session. */
const struct vmc_spec *console_spec(struct session *s);
/* Its pty's link in RUNDIR/consoles made again (a console; else nothing):
 * 0 or -errno. */
int console_relink(struct session *s);
/* Whether a console of spec b runs as one of spec a does (backend, log,
 * rotation): a reload keeps it running. Who may use it (users=) is the
 * front door's business and does not count. */
bool console_spec_same(const struct vmc_spec *a, const struct vmc_spec *b);
void console_audit(struct server *srv, const struct chan *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- viewer.c: channels, fan-out ---- */

struct chan {
	struct chan *snext; /* the session's viewers */
	struct conn *conn;
	struct session *s;
	uint16_t id;
	bool readonly, snapshot_due;
	uint32_t serial;      /* tags this viewer's input in the session's queue */
	uint32_t written_seq; /* its last input written into the session */
	/* TIMING (a desk that asked): the last key, when its frame was
	 * handled and when it went into the pty (ns; 0: not yet). */
	uint32_t timing_seq;
	uint64_t t_input, t_written;
	bool told_watching; /* a console's spectator, told its keys are dropped */
	/* The link (a desk with RP_CAP_RESUME; link.c): the channel outlives
	 * its connection, as an orphan, until orphan_until. */
	bool resumable;
	uint8_t token[RP_TOKEN_BYTES];
	struct rp_outkeep kept; /* its output, numbered by offset */
	struct rp_inpos taken;	/* the last INPUT taken, and ECHO/SIGNAL frames after it */
	long orphan_until;	/* ms */
	/* An X channel's desk keymap while it has no view of the session
	 * (session_x11.c): kept across its orphan period, so that a desk that
	 * resumes with the same keymap need not send it again (cap XKEPT);
	 * freed with the channel. */
	char *xkm;
	size_t xkm_len;
	/* An X channel whose desk prints the first program's output
	 * (RP_CAP_XOUTPUT, session_x11.c): each XOUTPUT made for it is kept
	 * (at most RP_INLOG_BYTES of them, the oldest let go past it) until
	 * a PONG proves the desk has it, placed at {the bytes of both streams
	 * up to its end, the empty ones at that count}; xout_off: each
	 * stream's bytes made. Sent (queued: never dropped from the queue)
	 * up to xout_sent, and up to xout_ping when the PING awaited went;
	 * sent again from the desk's count on a resume. */
	bool xout;
	struct rp_inlog xout_log;
	uint64_t xout_off[2];
	struct rp_inpos xout_sent, xout_ping;
	/* Which of the X session's selections (its sel_gen, by RP_XSEL_*)
	 * the desk last got or gave: one that resumes after it changed gets
	 * it again, only the latest. */
	uint32_t xsel_gen[2];
	/* Its desk's screen (OPEN's SCREEN, XSCREEN; 0: it gave none, as a
	 * read-only desk) and when it was last in use (the session's count
	 * of uses): the display has the size of the desk in use, an orphan's
	 * too while it may come back (session_x11.c's screen_follow). */
	uint16_t xscr_w, xscr_h;
	uint32_t xused;
	uint32_t consumed_sent; /* the last CONSUMED said to it (cap CONTEXT) */
	/* A desk that types keys again (RP_CAP_RETYPE): its TERMIOS frames
	 * are numbered (termios_mark) and say the INPUT taken; the INPUT that
	 * comes after one that turned canonical (canon_mark) and before the
	 * desk's TERMIOS_SEEN of it (seen_mark) was typed raw for a program
	 * that reads lines now: let go, the desk types it again into its
	 * line discipline (chan_letting_go). */
	uint32_t termios_mark, canon_mark, seen_mark;
	/* The INPUT taken when canon_mark was sent: while the desk has not
	 * said it saw it, each TERMIOS says this seq, not the last taken, so
	 * that a desk that never got that TERMIOS (the link lost on its way)
	 * types again the keys let go since. */
	uint32_t canon_seq;
	bool canon_told; /* the last TERMIOS it got said canonical (under EXTPROC) */
	/* Resumed: the next TERMIOS is marked while keys are let go under
	 * a mark the desk may never have got, canonical or not. */
	bool remark;
	/* Its session ended while it waited as an orphan (link.c): it is
	 * the channel's now, not the session's (s is NULL, the name free
	 * for a new session), in the server's ended list until orphan_until,
	 * holding what its desk was not sent (kept, or an X channel's
	 * xout_log) and the status, for a RESUME by the session's old name. */
	bool ended_x11;
	bool ended_pinged; /* its EXIT went before a PING (chan_keep_ended) */
	uint64_t ended_mark; /* rp_conn_mark after its EXIT was queued */
	bool ended_resumed; /* sent again on a RESUME: let go with that connection */
	int ended_code;
	char ended_name[RP_MAX_NAME + 1];
};

struct chan *chan_attach(struct server *srv, struct conn *c, struct session *s, int slot,
			 bool readonly);
void chan_remove(struct server *srv, struct chan *v);
void chan_snapshot(struct chan *v);
void chan_output(struct chan *v, struct rp_buf *b, struct rp_buf *z);
void chan_termios(struct chan *v);
/* Its INPUT now is let go, not written (RP_CAP_RETYPE, see struct chan). */
bool chan_letting_go(const struct chan *v);
void chan_notice(struct chan *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void chan_exit(struct chan *v, int code);
struct rp_buf *lz4_body(const struct rp_buf *b);

/* ---- link.c: channels that outlive their connection ---- */

/* After OK: a desk with RP_CAP_RESUME gets the channel's TOKEN. */
void chan_resumable(struct chan *v);
/* Its connection is gone: it waits for RESUME (false: it cannot; the
 * caller removes it). */
bool chan_orphan(struct server *srv, struct chan *v);
/* Output shown while they wait; the grace period's end; the session's. */
void orphans_show(struct session *s, const void *buf, size_t n);
long orphans_tick(struct session *s, long now_ms);
/* The session ends with code: its orphans wait on, out of it, with
 * what their desks were not sent and the code (freed when the daemon
 * stops). */
void orphans_end(struct server *srv, struct session *s, int code);
/* All of them freed (the daemon's end). */
void ended_chans_free(struct server *srv);
/* The session ends with code, its EXIT just sent to v on its connection,
 * which may be lost without the host knowing yet (a silent link): v
 * waits as one of the above until its desk is known to have it all (the
 * PONG of a PING sent after it, or the connection ended by its desk
 * once all up to the EXIT was written: ended_conn_gone), else as long as an orphan,
 * its number on the connection held (no other channel gets the frames
 * its desk sent on it before it had the EXIT). false: it cannot (not
 * resumable, too many wait, the daemon stops): the caller removes it. */
bool chan_keep_ended(struct server *srv, struct chan *v, int code);
/* Connection c is gone: the channels above whose EXIT went on it are let
 * go if taken (its desk ended it at the end of the stream) once all up
 * to their EXIT had been written on it (what was queued after, a PING,
 * is not theirs), else wait for their desk. */
void ended_conn_gone(struct server *srv, struct conn *c, bool taken);
int link_ping(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p);
int link_pong(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p);
/* The desks' links (RESUME): PING, and a dead one dropped; the wait. */
long links_tick(struct server *srv, long now_ms, long wait_ms);
int link_resume(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p);
/* A frame of the run behind a RESUME ahead that is not to be handled: one
 * the channel took before its link went (it was sent again), or one for
 * a RESUME refused (keys for a session that is not there). true: drop it;
 * false: handle it as any (a frame after the run ends it). */
bool link_ahead(struct conn *c, const struct rp_hdr *h, const uint8_t *p);

/* ---- conn.c: connections ---- */

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
	struct server *srv;
	struct rp_conn *rc;
	unsigned id;
	int rfd, wfd; /* as registered in the fd manager; -1: not */
	int events;   /* what they wait for, as registered */
	bool tcp;
	struct source *src; /* TCP before HELLO: where it came from; else NULL */
	long hello_by;	    /* ms: closed if it has not said HELLO by then */
	long frame_by;	    /* ms: closed if the frame begun is not whole then; 0: none */
	unsigned long frames; /* handled so far */
	bool hello, need_token, stalled, timing;
	bool lz4; /* the desk takes OUTPUT_LZ4 */
	bool resume; /* the desk's channels outlive this connection (RP_CAP_RESUME) */
	bool ended;  /* the desk takes ERROR RP_E_ENDED + status (RP_CAP_ENDED) */
	bool x11; /* the desk draws X windows (RP_CAP_X11) */
	bool xlossy; /* ... and takes JPEG for video-like regions (RP_CAP_XLOSSY) */
	bool xpalette; /* ... and takes PALETTE ops (RP_CAP_XPALETTE) */
	bool xbound; /* ... and reads each listed window's flags (RP_CAP_XBOUND) */
	bool xshape;   /* ... and takes XSHAPE (RP_CAP_XSHAPE): shaped windows */
	bool xoutput; /* ... and prints its X session's first program's output (RP_CAP_XOUTPUT) */
	bool xclipage; /* ... and weighs the host's selections at attach (RP_CAP_XCLIPAGE) */
	bool xlasts; /* ... and is told when the session would end with it (RP_CAP_XLASTS) */
	bool xmoveresize; /* ... and has its window manager drag a window (RP_CAP_XMOVERESIZE) */
	bool context; /* the desk predicts: it takes CONTEXT and CONSUMED */
	bool retype;  /* the desk types again what a switch to canonical let go */
	bool direct;  /* on a direct listener: sealed records, its secret its login */
	bool backing_off; /* its wrong secret came while its address backed off */
	/* Its desk ended it: the end of the stream (what was written before
	 * was taken: ended_conn_gone). */
	bool desk_closed;
	/* A RESUME desk's link, as the host sees it (link.c) */
	bool link_on;
	struct rp_link link;
	unsigned long link_frames; /* frames counted at the last look */
	size_t link_queued;	   /* bytes queued for it then */
	/* The run of a desk's frames right behind a RESUME ahead
	 * (RP_CAP_AHEAD), on channel chan (0: none now): took, the RESUME
	 * was; at, the place of the last of them (link_ahead). */
	struct {
		uint16_t chan;
		bool took;
		struct rp_inpos at;
		unsigned came, dropped; /* frames of the run; those taken before */
	} ahead;
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
	/* Slots held for OPENs that attach once their program's exec says
	 * (struct open_ask), and by channels of ended sessions until their
	 * desk has the EXIT (link.c, chan_keep_ended): bit i, chans[i]. */
	uint32_t held;
};
_Static_assert(MAX_CHANS <= 32, "a bit of conn's held a channel slot");

enum refusal { REFUSED_WRONG, REFUSED_BACKOFF, REFUSED_OVER, REFUSED_OTHER };

void conn_add(struct server *srv, int fd, bool tcp, const struct sockaddr *a, socklen_t al);
/* direct.c's: a connection on a direct listener (its handshake first). */
void conn_add_direct(struct server *srv, int fd, const struct sockaddr *a, socklen_t al);
/* direct.c: DIRECT answered; the handshake's lookup (rp_dx_lookup); a
 * direct connection ended; secrets forgotten and listeners closed in
 * time (the least of wait and its next deadline); all of it freed. */
int on_direct(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p);
int direct_lookup(void *ctx, const uint8_t id[16], uint8_t secret[32], char *why, size_t whyn);
void direct_conn_gone(struct server *srv, struct conn *c);
long direct_tick(struct server *srv, long now, long wait);
void direct_destroy(struct server *srv);
bool direct_waiting(struct server *srv); /* a secret out, not used yet */
void conn_destroy(struct server *srv, struct conn *c);
/* The connections still closing in order closed, each awaited at most
 * what is left of its RP_CLOSE_WAIT_MS (the daemon's exit). */
void conns_closing_end(struct server *srv);
/* A slot of c free for a channel (none there, none held), or -1. */
int conn_slot_free(const struct conn *c);
/* The connection of id (NULL: it went). */
struct conn *conn_by_id(struct server *srv, unsigned id);
void conn_fatal(struct server *srv, struct conn *c, uint16_t code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void conn_send(struct conn *c, struct rp_enc *e); /* rp_enc_end, queued */
void conn_logged_in(struct server *srv, struct conn *c);
bool conn_token_ok(struct server *srv, struct conn *c, const struct rp_str *token);
/* A wrong token or secret from src: 0 if it counts towards the backoff,
 * else the ms its address still backs off (then it does not count). */
long source_wrong(struct source *src, long now);
/* The descriptors it speaks on now (they change with HANDOFF). */
void conn_register(struct server *srv, struct conn *c);
/* Take frames in and hand each to dispatch_frame; false when it is gone. */
bool conn_readable(struct server *srv, struct conn *c);
void conn_process(struct server *srv, struct conn *c);
bool conn_writable(struct server *srv, struct conn *c);
/* The fd manager's hook for every connection: deadlines, stalls, closing,
 * what is queued written, POLLOUT armed while something is left. */
long conns_hook(struct fdm *fdm, long now_ms, void *srv);
/* What is queued written now (the loop calls it after the handlers too,
 * so output goes out in the round that made it); POLLOUT armed for what
 * is left. */
void conns_flush(struct server *srv);
void strangers_summed(struct server *srv, long now_ms);
void stranger(struct server *srv, struct source *src, enum refusal why, const char *what);
int load_token(struct server *srv, char *err, size_t errn);

/* ---- dispatch.c: one handler a message ---- */

int dispatch_frame(struct server *srv, struct conn *c, const struct rp_hdr *h,
		   const uint8_t *p);
void dispatch_reply_ok(struct conn *c, uint16_t chan, uint32_t req, const char *name);

/* ---- loop.c: the daemon ---- */

struct server {
	char dir[256], sock_path[300];
	int listen_unix, listen_tcp, sigfd;
	struct fdm *fdm;
	struct session *sessions;
	unsigned nsessions;
	struct conn *conns;
	unsigned nconns, nunix, ntcp, ntcp_pending, next_conn_id;
	/* Connections closing in order (conn_destroy): our end of the stream
	 * sent, what the desk sends read and dropped until its own end or
	 * RP_CLOSE_WAIT_MS (then closed), without holding the loop up. */
	struct closing {
		struct rp_conn *rc;
		int fd;
		long until;
	} closing[MAX_CLOSING];
	unsigned nclosing;
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
	unsigned norphans; /* channels waiting for their desk (link.c) */
	/* Of them, those whose session ended meanwhile (by snext): the
	 * daemon stays for them (link.c, orphans_end). */
	struct chan *ended_chans;
	/* A session took input that waits for its input_done: conn_process
	 * looks through the sessions only then, not at each keystroke. */
	bool input_due;
	struct telly_serve_opts o;
	char token[65];
	bool stopping, served;
	long started_ms;
	int audit_fd;    /* consoles' audit log, or -1 */
	pid_t sshd_pid;  /* the SSH front door, or 0 */
	int sshd_pipe;   /* its end closes when we exit */
	/* systemd's notification socket ($NOTIFY_SOCKET), or -1 */
	int notify_fd;
	struct sockaddr_storage notify_addr;
	socklen_t notify_len;
	/* The command line, read again for its consoles on SIGHUP, and the
	 * consoles as last reloaded (o.consoles points here once reloaded). */
	int argc;
	char **argv;
	struct vmc_config *reloaded;
	/* The socket's file as bound (loop.c's rundir_hook): another one at
	 * its path is another daemon's (rundir_lost: left alone). */
	dev_t sock_dev;
	ino_t sock_ino;
	long rundir_check_at;
	bool rundir_lost, rundir_told;
	bool log_in_rundir; /* stderr is RUNDIR/serve.log (a daemon a client started) */
	struct direct *direct; /* direct.c: secrets and listeners; NULL: none yet */
	struct x11_looks *x11_looks; /* session_x11.c's; NULL: none yet */
	struct ended ended[ENDED_KEPT]; /* a ring: the oldest is overwritten */
	unsigned ended_next;
};

/* A server with no listeners yet (srv->fdm made): NULL if out of memory. */
struct server *server_create(const char *dir, const struct telly_serve_opts *o);
/* Ends what is left (connections, sessions) and frees it. */
void server_destroy(struct server *srv);
/* Every session killed (STOP, SIGTERM): the daemon exits once they end. */
void server_stop(struct server *srv);
/* argc, argv: the command line whose --consoles/--console a SIGHUP reads
 * again (0, NULL: none, as for a daemon a client starts). */
int serve_main(int listen_unix, const char *dir, const struct telly_serve_opts *o, int argc,
	       char **argv);
/* loop.c: the consoles that argv's --console and --consoles options give,
 * in their order, into cfg (empty). 1 if there are any, 0 if there are
 * none, -1 with err ("FILE:LINE: ..."). files_only: 0 unless there is a
 * --consoles FILE (a SIGHUP reloads files, not arguments alone). */
int serve_consoles_load(int argc, char **argv, bool files_only, struct vmc_config *cfg, char *err,
			size_t errn);
/* loop.c: sd_notify's message (READY=1, ...) to systemd, if it listens. */
void serve_notify(struct server *srv, const char *msg);
void serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
