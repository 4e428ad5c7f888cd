/* remote-proto, the desk side: everything a desk (telly attach, telly
 * view, the SSH front door, ls/new/kill/stop) says to a daemon, written
 * once.
 *
 * desk.c  reaching a daemon (this host's, through ssh, over TCP with a
 *         token), HELLO, requests and their answers, the frames a desk
 *         sends.
 * chan.c  the desk-side channel: one attached session's channel number,
 *         INPUT sequence numbers and the host's acks, the line discipline
 *         (kpty_lm: canonical lines edited and echoed on the desk), and
 *         each frame for the channel decoded and handed to a small op.
 *
 * Nothing here reaches into a connection: rp_io.h's functions only.
 */
#ifndef RP_DESK_H
#define RP_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp.h"
#include "rp_io.h"

/* ---- reaching a daemon ---- */

/* What `telly serve --direct-key` printed through ssh: where the daemon
 * listens for the direct transport, and the secret (kept for redials). */
struct rp_direct {
	bool have;
	char host[256], port[16];
	uint8_t secret[32];
	long refused_since_ms; /* connections refused since then; 0: not */
	bool connected; /* a direct connection was made: no falling back to ssh */
	bool over_ssh;  /* direct was the default and could not be had: ssh from then on */
};

struct rp_dest {
	const char *prog;   /* who says what the connect says on stderr ("telly x"); NULL: "telly" */
	const char *host;   /* through ssh: `SSH HOST SERVER serve --stdio`; NULL: not */
	const char *ssh;    /* --ssh command line (default "ssh") */
	const char *server; /* --server: the host's telly (default "telly") */
	const char *tcp;    /* HOST:PORT of a --listen daemon, or NULL */
	const char *token_file;
	/* --direct: `SSH HOST SERVER serve --direct-key` once for a secret,
	 * then TCP straight to the daemon, sealed (direct.h); --direct-bind
	 * goes to the host, --direct-connect HOST[:PORT] is where to connect
	 * (default: HOST as given to ssh, else the address the host said; the
	 * port it said). dx: the caller's memory for what the first connect
	 * learned, which later ones (redials) reuse; NULL: learned each time. */
	bool direct;
	/* direct only because nothing said otherwise (not --direct, not a
	 * config's `direct yes`): if the host's telly does not do it or its
	 * port cannot be reached on the first connect, plain ssh instead,
	 * said once on stderr, and for every redial after. */
	bool direct_default;
	signed char direct_opt; /* 1 --direct, -1 --no-direct, 0 neither: a config may say */
	const char *direct_bind, *direct_connect;
	struct rp_direct *dx;
	uint32_t caps; /* HELLO capabilities beyond LINEMODE */
	int compress;  /* lz4 output: 1 --compress, -1 --no-compress, 0 over ssh and TCP */
	/* Neither host nor tcp: this host's daemon, reached the caller's way
	 * (the runtime directory and starting a daemon are the telly
	 * command's business, above this part); start: start one if none
	 * runs. NULL with err said. */
	struct rp_transport *(*connect_local)(void *ctx, bool start, char *err, size_t errn);
	void *local_ctx;
	/* Frames sent right behind HELLO, before its answer is awaited (a
	 * redial's RESUME: the host handles a connection's frames in order,
	 * so the RESUME needs no round trip of its own; its answer may then
	 * be in the connection's buffer already). NULL: none. */
	const uint8_t *first;
	size_t first_n;
	/* Instead of first (NULL: first): the frames to send behind HELLO,
	 * asked of take_first(more_ctx, &n) right before it is written, so
	 * that they may change until then (rp_dialer_remake_first). */
	const uint8_t *(*take_first)(void *ctx, size_t *n);
	/* While HELLO's answer is awaited, more behind first: more.fn when
	 * more.fd is readable (rp_conn_next_frame_or; more_ctx its ctx).
	 * more.fn NULL: none. */
	struct rp_conn_side more;
	void *more_ctx;
};

/* The connection, HELLO said and answered; NULL with err said. */
struct rp_conn *rp_desk_connect(const struct rp_dest *d, bool start, char *err, size_t errn);

/* Say HELLO (caps, the token or "", who: a name for notices and audit
 * logs) and wait up to timeout_ms for the daemon's. 0; -EREMOTEIO when it
 * refused (its ERROR's message in err; *h and *p, if given, are that frame
 * until the next read); -EPROTO for a HELLO that is malformed or of
 * another version; or -errno for no answer (err said). */
int rp_desk_hello(struct rp_conn *c, uint32_t caps, const char *token, const char *who,
		  int timeout_ms, struct rp_hdr *h, const uint8_t **p, char *err, size_t errn);

/* Send a frame and wait (up to timeout_ms) for the frame that answers
 * request req: OK, ERROR or LIST_REPLY. For requests made before a channel
 * is attached, so every frame that arrives answers one. An ERROR becomes
 * its message in err and -EREMOTEIO (*h, *payload: that ERROR). */
int rp_desk_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req, struct rp_hdr *h,
		 const uint8_t **payload, int timeout_ms, char *err, size_t errn);
/* The wait alone, for a request sent already (-ETIMEDOUT: it may still
 * come; wait again). */
int rp_desk_wait(struct rp_conn *c, uint32_t req, struct rp_hdr *h, const uint8_t **payload,
		 int timeout_ms, char *err, size_t errn);

/* Options every client command takes to reach a daemon (--ssh, --server,
 * --tcp, --token-file, --compress, --no-compress, --direct, --no-direct,
 * --direct-bind, --direct-connect). 1 if argv[*i] was one
 * (its value consumed), 0 if not, -1 for a missing value. */
int rp_dest_option(int argc, char **argv, int *i, struct rp_dest *d);
/* DEST and NAME from the positional arguments: `NAME`, `[user@]host`,
 * `HOST:[NAME]` or `DEST NAME`. -1 for more than two. */
int rp_dest_args(int npos, char **pos, struct rp_dest *d, const char **name, char *hostbuf,
		 size_t hostn);

/* An OPEN frame (cwd NULL: this process's; "": the host's default); its
 * length, or -EMSGSIZE (also for more than RP_MAX_ARGS words). */
long rp_desk_open_frame(uint8_t *frame, size_t cap, uint32_t req, uint8_t flags, const char *name,
			const char *term, const char *cwd, const struct kpty_winsize *ws, char **cmd,
			int ncmd);

/* ---- what a desk sends on a channel (queued; -errno if it cannot be) ---- */

/* INPUT (each frame takes the next of *seq) or ECHO (seq NULL); data
 * longer than a frame goes in several. */
int rp_desk_send_data(struct rp_conn *c, uint8_t type, uint16_t chan, uint32_t *seq,
		      const void *buf, size_t n);
int rp_desk_send_signal(struct rp_conn *c, uint16_t chan, int sig, bool flush);
int rp_desk_send_winsize(struct rp_conn *c, uint16_t chan, const struct kpty_winsize *ws);
/* A frame with no payload: DETACH, BREAK, TAKEOVER. */
int rp_desk_send_empty(struct rp_conn *c, uint8_t type, uint16_t chan);

/* ---- the desk-side channel ---- */

/* What the channel hands its owner. Only output is required. ops->exit and
 * ops->error may destroy the channel (nothing of it is used after them). */
struct rp_desk_chan_ops {
	/* Bytes for the person's screen: the far program's output (after
	 * the line discipline), or, with echo, what the desk echoed itself
	 * for keys typed here (already sent to the host as ECHO). */
	void (*output)(void *ctx, const void *buf, size_t n, bool echo);
	/* OUTPUT named ack as the last INPUT of this channel the host had
	 * written before it (called before its bytes reach output). */
	void (*ack)(void *ctx, uint32_t ack);
	void (*termios)(void *ctx, const struct kpty_termios *t);
	void (*timing)(void *ctx, const struct rp_timing *t);
	/* For a desk that said RP_CAP_CONTEXT (it predicts): the host's
	 * context (comm points into the frame), and CONSUMED. */
	void (*context)(void *ctx, const struct rp_context *c);
	void (*consumed)(void *ctx, uint32_t seq);
	void (*notice)(void *ctx, const char *text, size_t n);
	void (*exit)(void *ctx, int32_t status);
	/* An ERROR for this channel (or, with RP_DESK_CONN_ERRORS, for the
	 * connection: channel 0). */
	void (*error)(void *ctx, const struct rp_error *e, bool fatal);
	/* The link (rp_desk_chan_resume): the channel is back, the output
	 * missed to follow (exact) or a redraw; keys_lost: more was typed
	 * than was kept (RP_INLOG_BYTES) and the host took less. Or the
	 * host refused (e: its ERROR; NOENT: the session or the channel is
	 * gone); the channel stays down. */
	/* Raw keys the host let go: they reached it after the program went
	 * canonical, and are typed again now, before any typed after the
	 * TERMIOS that says so (rp_desk_chan_keys, through whatever keeps
	 * keys back). NULL: into the line discipline at once. */
	void (*retype)(void *ctx, const void *buf, size_t n);
	/* Said first: the INPUTs after seq up to upto were let go (a
	 * predictor forgets their keys; retype brings them again). NULL:
	 * not told. */
	void (*let_go)(void *ctx, uint32_t seq, uint32_t upto);
	void (*resumed)(void *ctx, bool exact, bool keys_lost);
	void (*refused)(void *ctx, const struct rp_error *e);
};

enum {
	RP_DESK_LINEMODE = 1,    /* the line discipline on the desk (kpty_lm) */
	RP_DESK_READONLY = 2,    /* watching: no keys, sizes, signals, breaks, takeovers */
	RP_DESK_CONN_ERRORS = 4, /* the connection's only channel: ERRORs on channel 0 too */
};

struct rp_desk_chan;

/* A channel the host answered OPEN with (chan), on c (not owned). NULL if
 * out of memory. */
struct rp_desk_chan *rp_desk_chan_create(struct rp_conn *c, uint16_t chan, unsigned flags,
					 const struct rp_desk_chan_ops *ops, void *ctx);
void rp_desk_chan_destroy(struct rp_desk_chan *ch); /* takes NULL */

/* A frame from the host. 1 taken; 0 not this channel's (another channel,
 * or a frame of the connection: OK, LIST_REPLY, ...); -EPROTO when it is
 * malformed (nothing was handed on). */
int rp_desk_chan_frame(struct rp_desk_chan *ch, const struct rp_hdr *h, const uint8_t *p);

/* Keys typed by the person: through the line discipline (echoed here and
 * sent as finished lines in canonical mode) or straight as INPUT. 0;
 * -EROFS on a read-only channel (nothing sent); -ENOBUFS once the host has
 * not taken what was sent for so long that the queue is full (from then
 * on, every call), on a channel that does not resume. One that resumes
 * keeps what does not fit in the queue in its log (up to RP_INLOG_BYTES;
 * past it -ENOSPC) and sends it with rp_desk_chan_pump. */
int rp_desk_chan_keys(struct rp_desk_chan *ch, const void *buf, size_t n);
/* A resumable channel whose frames did not fit in the connection's queue
 * (a link gone silent, not yet known dead; keys faster than it drains)
 * keeps them in its log, in order behind the first: once the queue is
 * empty, they go, packed (1); 0 nothing to do or no room yet; -errno.
 * Call it when the queue drained (rp_conn_flush said 0);
 * rp_desk_chan_backlog says whether it waits. After a lost link, RESUMED
 * sends them anyway. */
int rp_desk_chan_pump(struct rp_desk_chan *ch);
bool rp_desk_chan_backlog(const struct rp_desk_chan *ch);
/* WINSIZE (nothing on a read-only channel). */
int rp_desk_chan_winsize(struct rp_desk_chan *ch, const struct kpty_winsize *ws);
/* BREAK or TAKEOVER (-EROFS on a read-only channel), or DETACH. */
int rp_desk_chan_send_empty(struct rp_desk_chan *ch, uint8_t type);

uint16_t rp_desk_chan_id(const struct rp_desk_chan *ch);
/* The seq of the last INPUT sent (0: none yet) and the host's last ack. */
uint32_t rp_desk_chan_seq(const struct rp_desk_chan *ch);
uint32_t rp_desk_chan_acked(const struct rp_desk_chan *ch);
/* True while keys are edited and echoed here (canonical mode). */
bool rp_desk_chan_local(const struct rp_desk_chan *ch);

/* ---- the link (HELLO cap RP_CAP_RESUME; the bookkeeping is resume.h's) ---- */

/* The host gave this channel a resume token (TOKEN): it can outlive its
 * connection. Its INPUT, ECHO and SIGNAL frames are kept until the host
 * has them; rp_desk_chan_keys says -ENOSPC when keys typed while the link
 * is down did not fit (they are not sent). */
bool rp_desk_chan_resumable(const struct rp_desk_chan *ch);
/* Its connection is gone (the owner destroys it): keys go on being
 * handled (the line discipline too) and wait. */
void rp_desk_chan_link_down(struct rp_desk_chan *ch);
/* Ask for it again on c, a new connection (HELLO said): RESUME of session
 * name as request req (not 0). Its answer comes to rp_desk_chan_frame
 * (RESUMED on the channel's new number, or ERROR naming req), then
 * ops->resumed, which follows the host's place: what it did not take is
 * sent again, then the window size; or ops->refused. */
int rp_desk_chan_resume(struct rp_desk_chan *ch, struct rp_conn *c, uint32_t req,
			const char *name);
/* The same in two steps, for a RESUME that goes right behind the HELLO of
 * a connection not made yet (rp_dialer_start_first): the flight (*out,
 * malloc'd; its length, or -errno), then, once the connection is there,
 * the channel set to await its answer on c. The RESUME stays right while
 * the link is down: no output comes, and the seq it names only grows,
 * which the host takes. With ahead (a channel number: the host said
 * RP_CAP_AHEAD), every frame kept goes behind the RESUME on that number,
 * if they are at most RP_DESK_AHEAD_BYTES (else none: they go after
 * RESUMED): the host takes those it did not take before, and answers
 * them with the RESUMED; rp_desk_chan_resume_sent sends the ones kept
 * since right behind, and RESUMED what was typed after that. */
#define RP_DESK_RESUME_FRAME_BYTES (RP_HDR_SIZE + 64 + RP_MAX_NAME)
#define RP_DESK_AHEAD_BYTES (64u << 10)
long rp_desk_chan_resume_flight(struct rp_desk_chan *ch, uint32_t req, const char *name,
				uint16_t ahead, uint8_t **out);
/* While such a flight's dial is under way: the frames kept since it was
 * made (keys typed meanwhile), to push(ctx, frames, n) (rp_dialer_add),
 * which sends them right behind it; 0 from push: they went. */
void rp_desk_chan_ahead_push(struct rp_desk_chan *ch,
			     int (*push)(void *ctx, const void *p, size_t n), void *ctx);
int rp_desk_chan_resume_sent(struct rp_desk_chan *ch, struct rp_conn *c, uint32_t req);
/* The flight of several channels (telly view's windows): chs[i]'s RESUME
 * as request reqs[i] of session names[i], each with the frames it kept
 * behind it on number first + i (first 0: plain RESUMEs, as for a host
 * that did not say AHEAD). first is the RESUME's place in the whole
 * flight, counted from 1 (the host gives a plain RESUME the first number
 * free, at most its place, so the number named is free), and past
 * RP_DESK_AHEAD_CHANS (the host's channels on a connection) a RESUME is
 * plain. The host's run behind a RESUME ends at the next one: only the
 * last channel's keys typed during the dial go ahead (put the one
 * typed in last), the others' after their RESUMED. rp_desk_chan_resume_sent
 * for each once the connection is there, before anything else is sent. */
#define RP_DESK_AHEAD_CHANS 32
long rp_desk_chans_resume_flight(struct rp_desk_chan *const *chs, const char *const *names,
				 const uint32_t *reqs, unsigned n, uint16_t first, uint8_t **out);
/* Another RESUME follows this channel's in its flight (an X session's):
 * its run is over there, keys typed since wait for its RESUMED. */
void rp_desk_chan_ahead_close(struct rp_desk_chan *ch);
/* Its run is over so, and frames were kept since its flight was made:
 * they wait for RESUMED, unless the flight is made anew
 * (rp_dialer_remake_first). */
bool rp_desk_chan_ahead_waits(const struct rp_desk_chan *ch);
bool rp_desk_chan_up(const struct rp_desk_chan *ch); /* a connection, and no RESUME waiting */
/* A refused RESUME (the host no longer has the channel) answered by a new
 * OPEN of the session: the channel is chan on c now, its output numbered
 * afresh (a redraw follows), its TOKEN awaited again; the keys not known
 * to be taken by the old one are let go, not sent: the return is how many
 * bytes of keys that was. The window size goes again. */
size_t rp_desk_chan_reattached(struct rp_desk_chan *ch, struct rp_conn *c, uint16_t chan);
/* The owner's PING went on the channel's connection (rp_desk_chan_ping,
 * right after sending it), and its PONG came (rp_desk_chan_pong): the
 * host took every frame sent before it, which lets go of what was kept
 * for it even when no OUTPUT acks it (a program that reads and prints
 * nothing). rp_desk_chan_wants_pong: so much is kept (a quarter of
 * RP_INLOG_BYTES) that a PING is worth sending now, not at the next
 * heartbeat. */
void rp_desk_chan_ping(struct rp_desk_chan *ch);
void rp_desk_chan_pong(struct rp_desk_chan *ch);
bool rp_desk_chan_wants_pong(const struct rp_desk_chan *ch);
/* Keys wait: what is kept for the host is within RP_DESK_KEEP_SLACK of
 * RP_INLOG_BYTES, so the owner takes no more keys (stops reading its
 * terminal, as a terminal stops at a full line: the keys wait in the
 * kernel) until the host takes some (an ack, a PONG, a resume), and
 * none is let go unsent. The slack holds a read of keys and its echo, a
 * frame each at worst. rp_desk_chan_kept: the bytes kept. */
#define RP_DESK_KEEP_SLACK (256u << 10)
bool rp_desk_chan_keys_wait(const struct rp_desk_chan *ch);
size_t rp_desk_chan_kept(const struct rp_desk_chan *ch);
/* The round trip the owner measures (PING/PONG), in µs; 0: not yet. */
void rp_desk_chan_set_rtt(struct rp_desk_chan *ch, long us);
long rp_desk_chan_rtt_us(const struct rp_desk_chan *ch);
uint64_t rp_desk_chan_received(const struct rp_desk_chan *ch); /* bytes of OUTPUT */

/* A heartbeat on c: PING with stamp (answered by PONG on channel 0). */
int rp_desk_send_ping(struct rp_conn *c, uint64_t stamp);
/* The host's heartbeat: a frame h that is its PING answered with PONG on
 * c. 1 answered; 0 not a PING; -EPROTO malformed; -ENOBUFS c's queue is
 * full. */
int rp_desk_answer_ping(struct rp_conn *c, const struct rp_hdr *h, const uint8_t *p);
/* CLOCK_BOOTTIME - CLOCK_MONOTONIC in ms: grows while the machine sleeps. */
long rp_desk_sleep_gap_ms(void);

/* Redialing without stopping the person's typing: rp_desk_connect in a
 * thread of its own (ssh in batch mode, its messages to /dev/null). Poll
 * rp_dialer_fd for POLLIN, then rp_dialer_finish: the connection, or NULL
 * with err said. */
struct rp_dialer;
struct rp_dialer *rp_dialer_start(const struct rp_dest *d); /* NULL: errno */
/* The same, with first (n bytes, copied) sent right behind HELLO: d->first.
 * What answers it may be in the connection's buffer once it is handed
 * over: read it with rp_conn_frame before polling. rp_dialer_add: more
 * frames to send right behind first, if HELLO's answer has not come yet
 * (0; -EALREADY: too late, the caller sends them on the connection, or
 * -ENOSPC past RP_DESK_AHEAD_BYTES, -ENOMEM); a dial that could not
 * send what it took fails. */
struct rp_dialer *rp_dialer_start_first(const struct rp_dest *d, const void *first, size_t n);
int rp_dialer_add(struct rp_dialer *dl, const void *p, size_t n);
/* The first frames made anew, while the dial has not written them yet
 * (an ssh login, a TCP connect under way): make(ctx, &out) is called,
 * with the dial held until it returns, and what it made (its length, or
 * -errno: the first frames stay) replaces them and what was added; 0, or
 * -EALREADY (written: make not called), or make's -errno. So keys typed
 * meanwhile in a channel whose run in the flight is over (another RESUME
 * follows it) go behind its own RESUME still. */
int rp_dialer_remake_first(struct rp_dialer *dl, long (*make)(void *ctx, uint8_t **out),
			   void *ctx);

/* What tells a desk the network may be back: the kernel's word that an
 * address or a route was added or a link came up (NETLINK_ROUTE's groups,
 * which any user may read), so that a redial waiting out its backoff is
 * tried at once (rp_link_retry_now). rp_netwatch_open: the socket to poll
 * (non-blocking), or -1 (none here: the backoff alone then).
 * rp_netwatch_read: reads what came; true if it had such news.
 * rp_netwatch_news: the same of n bytes of netlink messages (pure). */
int rp_netwatch_open(void);
bool rp_netwatch_read(int fd);
bool rp_netwatch_news(const void *buf, size_t n);
int rp_dialer_fd(const struct rp_dialer *dl);
struct rp_conn *rp_dialer_finish(struct rp_dialer *dl, char *err, size_t errn);

#endif
