/* telly attach: a session on the desk's terminal.
 *
 * The terminal goes raw and the desk runs the line discipline: the host's
 * pty is in EXTPROC mode and reports every termios change, kpty_lm mirrors
 * them, and while the program reads in canonical mode with echo, keys are
 * edited and echoed here at once; only finished lines and signals cross
 * the wire. The echo also goes to the host (ECHO) so its copy of the screen
 * and the other viewers see what this one sees. Outside canonical mode keys
 * go straight through, each INPUT numbered; OUTPUT names the last input the
 * host had written before it, which is how --stats measures echo latency.
 *
 * Escapes after a newline, as ssh's: ~. detach, ~? help, ~~ a literal ~,
 * ~r reconnect now; on a console also ~B (a serial break) and ~f (take
 * over writing). The scanner is vmconsole's, shared with its SSH front
 * door.
 *
 * The link: with a server that resumes (it gave the channel a TOKEN), a
 * lost connection (its end, an error, no PONG within a few round trips, a
 * wake from sleep) does not end attach: a status line on the last row
 * says so, keys go on (edited here in canonical mode) and wait, the
 * server is redialed with backoff (ssh in batch mode) in a thread, and the
 * channel resumed where it was: the output missed comes, the keys the
 * host did not take go again (resume.h, chan.c). A RESUME with no answer
 * within rp_link_answer_ms (a few round trips measured before the drop)
 * is a lost link too, redialed with backoff.
 *
 * Whatever ends it (~., the link lost, the session's end, end of input, a
 * signal), the modes the session's output set in this terminal are undone
 * (termmodes.h) before the last line is printed, and the exit status says
 * which it was (ATTACH_EXIT_...).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "config.h"
#include "kpty_os.h"
#include "resume.h"
#include "overlay.h"
#include "termmodes.h"
#include "vmc.h"

#define OPEN_TIMEOUT_MS 30000
#define PENDING_MAX 4096     /* remote-echo keys awaiting their answer */
#define SAMPLES_MAX 1000000
#define KEY_READ_BYTES 4096
#define LIST_TIMEOUT_MS 10000
#define STATUS_EVERY_MS 1000   /* the status line's count of seconds */
#define RESUME_REQ_FIRST 100   /* RESUME's request ids (1 and 2 are OPEN's, LIST's) */
#define NOTE_SHOWN_MS 5000     /* a note on the status line, unless output comes first */

/* Exit statuses (attach_usage lists them). */
enum {
	ATTACH_EXIT_LEFT = 0,	    /* detached with ~., or the session ended */
	ATTACH_EXIT_ERROR = 1,	    /* the server could not be reached, or was lost */
	ATTACH_EXIT_USAGE = 2,	    /* a bad option or argument */
	ATTACH_EXIT_NO_SESSION = 3, /* no such session, and --create not given */
	ATTACH_EXIT_END_OF_INPUT = 4, /* standard input ended: detached */
	ATTACH_EXIT_GONE = 5,	    /* the session ended, or its server restarted, while the link was down */
	ATTACH_EXIT_CANNOT_RUN = 127, /* --create's program cannot run (as ssh's shell, telly new) */
	ATTACH_EXIT_SIGNAL = 128,   /* + the signal that ended it: detached */
};

struct attach {
	struct rp_conn *c;
	struct rp_desk_chan *ch;
	uint16_t chan;
	char name[RP_MAX_NAME + 1];
	bool readonly;
	int in_fd, out_fd;
	struct vmc_esc esc;
	bool done, detached;
	int rc;
	char why[300];
	struct telly_modes modes; /* what the output set in this terminal */
	/* The link (a resumable channel) */
	struct rp_dest dest;
	struct rp_direct dx; /* --direct: the secret learned once, for redials */
	struct rp_link link;
	struct rp_dialer *dialer;
	uint32_t req;
	/* The last host said RP_CAP_AHEAD: a redial's RESUME carries the
	 * keys kept right behind it, on this channel number; 0: not. */
	uint16_t ahead;
	int netfd; /* rp_netwatch: the network may be back; -1: none */
	long resume_sent_ms, status_at_ms;
	bool status_shown, told_full;
	bool keys_held; /* what is kept for the host is full: the terminal is not read */
	char link_err[200];
	uint32_t reopen_req; /* OPEN after a refused RESUME, its answer awaited; 0: none */
	char note[300];	     /* for the status line once the link is back */
	long note_until_ms;  /* the note is shown until then; 0: none */
	struct telly_overlay *ov; /* predictions drawn over it; NULL: none */
	/* An answer to a key shown whole (predict.h, pred_held): on a
	 * terminal with synchronized updates its bytes go out at once inside
	 * one, closed when the hold ends; on others they wait there. */
	struct pred_held held;
	bool sync_asked;    /* DECRQM 2026 sent: its answers are not keys */
	bool sync_term;     /* the terminal has synchronized updates */
	struct telly_sync sync; /* its answers, taken out of the keys */
	/* Keys typed while the program is cooked for a moment (predict.h,
	 * pred_cook): kept here, not echoed, until the host says where they
	 * go. */
	struct pred_cook cook;
	struct {
		bool known;
		uint32_t flags, pgid;
		char comm[RP_MAX_COMM + 1];
	} hctx; /* the host's last CONTEXT, for --stats */
	enum pred_policy predict;
	/* --stats */
	bool stats, key_waiting, echoed;
	uint64_t key_t0;
	struct {
		uint32_t seq;
		uint64_t t0;
	} pending[PENDING_MAX];
	unsigned p_head, p_count;
	uint64_t *samples;
	size_t nsamples, nlocal;
	/* Output of the frames of one read, written to the terminal at once:
	 * a terminal write costs the same for 4 KiB as for 64 KiB. */
	bool batching, wrote_first; /* the batch's first output written at once */
	size_t out_len;
	uint8_t out[65536];
};

static void sample(struct attach *a, uint64_t t0)
{
	if (a->nsamples < SAMPLES_MAX)
		a->samples[a->nsamples++] = base_now_ns() - t0;
}

static void out_flush(struct attach *a)
{
	base_write_all(a->out_fd, a->out, a->out_len, -1);
	a->out_len = 0;
}

static void out_put(struct attach *a, const void *buf, size_t n)
{
	if (!a->batching || n > sizeof a->out) {
		out_flush(a);
		base_write_all(a->out_fd, buf, n, -1);
		return;
	}
	if (n > sizeof a->out - a->out_len)
		out_flush(a);
	memcpy(a->out + a->out_len, buf, n);
	a->out_len += n;
}

static void say(struct attach *a, const char *msg)
{
	out_put(a, "\r\n", 2);
	out_put(a, msg, strlen(msg));
	out_put(a, "\r\n", 2);
}

static void help(struct attach *a)
{
	char msg[480];

	snprintf(msg, sizeof msg,
		 "Supported escape sequences (after a newline):\r\n"
		 " %c.  detach from %s (the session goes on)\r\n"
		 " %cB  send a serial break (consoles)\r\n"
		 " %cf  take over writing (consoles)\r\n"
		 " %cr  reconnect now (when the link is down, or seems stuck)\r\n"
		 " %c?  this message\r\n"
		 " %c%c  send the escape character itself",
		 a->esc.ch, a->name, a->esc.ch, a->esc.ch, a->esc.ch, a->esc.ch, a->esc.ch,
		 a->esc.ch);
	/* A watched link's round trip: what the heartbeat's and a RESUME's
	 * deadlines are made of, and what tells a slow hop from a slow host. */
	if (a->ch && rp_desk_chan_resumable(a->ch)) {
		size_t n = strlen(msg);
		long us = rp_link_rtt_us(&a->link);
		if (us)
			snprintf(msg + n, sizeof msg - n, "\r\nthe link: round trip %ld.%ld ms",
				 us / 1000, us % 1000 / 100);
		else
			snprintf(msg + n, sizeof msg - n, "\r\nthe link: no round trip measured yet");
	}
	say(a, msg);
}

/* The host did not take what was sent for so long that the queue is full. */
static void not_reading(struct attach *a, size_t n)
{
	snprintf(a->why, sizeof a->why, "the server is not reading input; %zu bytes lost", n);
	a->done = true;
	a->rc = ATTACH_EXIT_ERROR;
}

/* Keys for the session; --stats times the one being handled, to its echo
 * here or to the host's answer. */
static void type_keys(struct attach *a, const uint8_t *buf, size_t n)
{
	uint32_t seq0 = rp_desk_chan_seq(a->ch);

	a->echoed = false;
	int r = rp_desk_chan_keys(a->ch, buf, n);
	if (r == -ENOSPC) {
		if (!a->told_full)
			say(a, "[telly: the link is down and more was typed than is kept: keys dropped]");
		a->told_full = true;
	} else if (r < 0) {
		not_reading(a, n);
		return;
	}
	/* On their way before the predictions are worked out, unless one
	 * is drawn for them: then the terminal is written first
	 * (terminal_keys sends them after), so that the person's terminal
	 * is woken before the link (ssh, a proxy, the daemon) takes the CPU
	 * with them (pred_showing). */
	if (a->c && !(a->ov && telly_overlay_showing(a->ov, base_now_ms())))
		rp_conn_flush(a->c);
	if (a->ov && rp_desk_chan_seq(a->ch) != seq0) {
		pred_cook_sent(&a->cook, rp_desk_chan_seq(a->ch), buf, n, base_now_ms());
		telly_overlay_keys(a->ov, rp_desk_chan_seq(a->ch), buf, n, base_now_ms());
	}
	if (!a->key_waiting)
		return;
	if (a->echoed) {
		sample(a, a->key_t0);
		a->nlocal++;
		a->key_waiting = false;
	} else if (rp_desk_chan_seq(a->ch) != seq0 && a->p_count < PENDING_MAX) {
		/* No echo here: the answer comes from the host. */
		unsigned i = (a->p_head + a->p_count++) % PENDING_MAX;
		a->pending[i].seq = seq0 + 1;
		a->pending[i].t0 = a->key_t0;
		a->key_waiting = false;
	}
}

static void link_retry(struct attach *a);
static void status_clear(struct attach *a);

/* pred_cook: the keys kept while the program was cooked for a moment go
 * now, in the mode the line discipline is in now. */
static void cook_keys(void *ctx, const void *buf, size_t n)
{
	type_keys(ctx, buf, n);
}

static const struct pred_cook_ops attach_cook_ops = {cook_keys};

/* Keys for the session, kept while pred_cook waits (a line's end typed
 * may begin a wait for the keys after it). */
static void session_keys(struct attach *a, const uint8_t *buf, size_t n)
{
	if (a->ov)
		pred_cook_type(&a->cook, buf, n, base_now_ms());
	else
		type_keys(a, buf, n);
}

/* Raw keys the host let go at a switch to canonical: typed again, as
 * keys typed now are. */
static void on_retype(void *ctx, const void *buf, size_t n)
{
	session_keys(ctx, buf, n);
}

/* The INPUTs that carried them: their predictions go (predict.h). */
static void on_let_go(void *ctx, uint32_t seq, uint32_t upto)
{
	struct attach *a = ctx;

	if (a->ov)
		telly_overlay_let_go(a->ov, seq, upto);
}

static void keys(struct attach *a, const uint8_t *buf, size_t n)
{
	uint8_t out[KEY_READ_BYTES + 1];

	while (n && !a->done) {
		size_t used, o;
		int cmd = vmc_esc_scan(&a->esc, ".?Bfr", buf, n, &used, out, &o);
		buf += used;
		n -= used;
		if (o && !a->readonly)
			session_keys(a, out, o);
		if (cmd == '.') {
			if (a->ov) /* what was typed before goes, as ssh's */
				pred_cook_release(&a->cook);
			a->done = a->detached = true;
			snprintf(a->why, sizeof a->why, "[detached from %s]", a->name);
		} else if (cmd == '?') {
			help(a);
		} else if (cmd == 'r') {
			link_retry(a);
		} else if (cmd && a->readonly) {
			say(a, "[telly: read-only: no break or takeover]");
		} else if (cmd) {
			rp_desk_chan_send_empty(a->ch, cmd == 'B' ? RP_BREAK : RP_TAKEOVER);
		}
	}
}

static void answered(struct attach *a, uint32_t ack)
{
	while (a->p_count && (int32_t)(ack - a->pending[a->p_head].seq) >= 0) {
		sample(a, a->pending[a->p_head].t0);
		a->p_head = (a->p_head + 1) % PENDING_MAX;
		a->p_count--;
	}
}

/* ---- predictions, drawn over the terminal (overlay.h) ---- */

static void overlay_put(void *ctx, const void *buf, size_t n)
{
	out_put(ctx, buf, n);
}

static bool overlay_draw(struct attach *a)
{
	return a->ov && telly_overlay_show(a->ov, base_now_ms());
}

/* Output for the terminal: written first, the models told after. At once
 * when it is the last of what was received (an echo), unless an overlay
 * or a hold keeps a synchronized update open; otherwise with the rest of
 * the batch (a page that came in several frames is written whole). */
static void show_output(struct attach *a, const void *buf, size_t n, bool echo)
{
	if (a->note_until_ms) /* the screen's own last row back first */
		status_clear(a);
	if (a->ov) /* the overlay off */
		telly_overlay_output_begin(a->ov);
	out_put(a, buf, n);
	if (a->batching && !a->wrote_first && !(a->ov && telly_overlay_syncing(a->ov)) &&
	    !(a->c && rp_conn_rx_partial(a->c))) {
		out_flush(a);
		a->wrote_first = true;
	}
	telly_modes_feed(&a->modes, buf, n);
	if (a->ov)
		telly_overlay_output_end(a->ov, buf, n);
	a->echoed |= echo;
}

/* pred_held: the answer held is shown, what waited (its acks, then its
 * bytes) or the synchronized update closed, with the overlay drawn anew. */
static void held_ack(void *ctx, uint32_t seq)
{
	struct attach *a = ctx;

	telly_overlay_ack(a->ov, seq, base_now_ms());
}

static void held_show(void *ctx, const void *buf, size_t n)
{
	show_output(ctx, buf, n, false);
}

static void held_released(void *ctx)
{
	struct attach *a = ctx;

	telly_overlay_hold(a->ov, false);
	overlay_draw(a);
}

static const struct pred_held_ops attach_held_ops = {held_ack, held_show, held_released};

/* The terminal said it has synchronized updates (telly_sync). An answer
 * that comes after a hold began in attach's own buffer: what is kept
 * there goes out before any output takes the new way, in order. */
static void sync_answered(struct attach *a)
{
	if (a->sync_term || !a->sync.has)
		return;
	a->sync_term = true;
	pred_held_through(&a->held, true);
}

static void overlay_resize(struct attach *a)
{
	struct kpty_winsize ws;

	if (a->ov && kpty_os_get_winsize(a->out_fd, &ws) == 0 && ws.ws_row && ws.ws_col)
		telly_overlay_resize(a->ov, ws.ws_row, ws.ws_col);
}

static void on_context(void *ctx, const struct rp_context *c)
{
	struct attach *a = ctx;

	a->hctx.known = true;
	a->hctx.flags = c->flags;
	a->hctx.pgid = c->pgid;
	snprintf(a->hctx.comm, sizeof a->hctx.comm, "%.*s", (int)c->comm.n, c->comm.p);
	pred_held_context(&a->held, c->pgid);
	if (a->ov) {
		pred_cook_context(&a->cook, c->pgid); /* a host that says CONSUMED */
		telly_overlay_context(a->ov, c);
	}
}

/* The host's termios, the line discipline already following it. */
static void on_termios(void *ctx, const struct kpty_termios *t)
{
	struct attach *a = ctx;

	(void)t;
	if (a->ov)
		pred_cook_mode(&a->cook, rp_desk_chan_local(a->ch), base_now_ms());
}

static void on_consumed(void *ctx, uint32_t seq)
{
	struct attach *a = ctx;

	if (!a->ov)
		return;
	pred_held_consumed(&a->held, seq); /* the answer is whole: shown */
	pred_cook_consumed(&a->cook, seq); /* a canonical read: echoed here now */
	telly_overlay_consumed(a->ov, seq);
}

/* ---- what the session's channel hands us ---- */

static void on_output(void *ctx, const void *buf, size_t n, bool echo)
{
	struct attach *a = ctx;

	if (a->ov) {
		switch (pred_held_output(&a->held, buf, n, echo)) {
		case PRED_HELD_KEPT:
			return;
		case PRED_HELD_THROUGH: /* out at once, shown at the hold's end */
			telly_overlay_hold(a->ov, true);
			break;
		case PRED_HELD_SHOW:
			break;
		}
	}
	show_output(a, buf, n, echo);
}

static void on_ack(void *ctx, uint32_t ack)
{
	struct attach *a = ctx;
	long now;

	answered(a, ack);
	if (!a->ov)
		return;
	now = base_now_ms();
	if (pred_held_ack(&a->held, ack, telly_overlay_srtt_ms(a->ov), now)) /* else with the bytes */
		telly_overlay_ack(a->ov, ack, now);
}

static void on_notice(void *ctx, const char *text, size_t n)
{
	char msg[300];

	snprintf(msg, sizeof msg, "[telly: %.*s]", (int)n, text);
	say(ctx, msg);
}

static void on_exit_status(void *ctx, int32_t status)
{
	struct attach *a = ctx;

	snprintf(a->why, sizeof a->why, "[%s exited with status %d]", a->name, (int)status);
	a->done = true;
}

static void on_error(void *ctx, const struct rp_error *err, bool fatal)
{
	struct attach *a = ctx;

	if (fatal) {
		snprintf(a->why, sizeof a->why, "[server closed the connection: %.*s]",
			 (int)err->msg.n, err->msg.p);
		a->done = true;
		a->rc = ATTACH_EXIT_ERROR;
	} else if (err->code != RP_E_READONLY) {
		char msg[200];
		snprintf(msg, sizeof msg, "[telly: server: %.*s]", (int)err->msg.n, err->msg.p);
		say(a, msg);
	}
}

/* ---- the link ---- */

/* The status line: the terminal's last row, drawn over what is there,
 * the cursor and its colours put back (DECSC, DECRC). */
/* text over the last row, cut to the terminal's width: a longer line
 * would wrap and scroll the person's screen. */
static void status_draw(struct attach *a, const char *text)
{
	struct kpty_winsize ws = {0};
	char msg[600];
	int cols = kpty_os_get_winsize(a->out_fd, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
	int n = snprintf(msg, sizeof msg, "\0337\033[999;1H\033[0;7m%.*s\033[0m\033[K\0338",
			 cols < 400 ? cols : 400, text);

	out_put(a, msg, n > 0 && (size_t)n < sizeof msg ? (size_t)n : 0);
	a->status_shown = true;
}

static void status(struct attach *a, long now)
{
	char msg[400];
	const struct rp_link *l = &a->link;
	long secs = (now - l->down_ms) / 1000;
	char hint[64] = "";
	if (a->keys_held) /* no key is read, not even an escape */
		snprintf(hint, sizeof hint, "; %zu KiB typed wait", rp_desk_chan_kept(a->ch) >> 10);
	else if (a->esc.ch >= 0) /* escapes on: how to act on it */
		snprintf(hint, sizeof hint, "; %cr retries now, %c. detaches", a->esc.ch, a->esc.ch);
	snprintf(msg, sizeof msg, "[telly: link down %ld s, %s%s%.80s%s]", secs,
		 l->state == RP_LINK_DIALING ? "reconnecting" : "retrying",
		 a->link_err[0] ? ": " : "", a->link_err, hint);
	status_draw(a, msg);
	out_flush(a);
	a->status_at_ms = now + STATUS_EVERY_MS;
}

/* The status line off: the row's true cells back from the screen model
 * (cleared only where there is none). */
static void status_clear(struct attach *a)
{
	static const char clear[] = "\0337\033[999;1H\033[0m\033[2K\0338";

	if (a->status_shown && a->ov)
		telly_overlay_repaint_row(a->ov, -1);
	else if (a->status_shown)
		out_put(a, clear, sizeof clear - 1);
	a->status_shown = false;
	a->note_until_ms = 0;
}

/* Keys wait while what is kept for the host is full (a program that does
 * not read, a link gone silent, a long paste while the link is down): the
 * terminal is not read, so the kernel holds the keys typed meanwhile and
 * none is let go unsent; the status line says so, each second (output
 * may scroll it away), and goes once the host took some. */
static bool keys_wait(struct attach *a)
{
	bool held = !a->readonly && rp_desk_chan_keys_wait(a->ch);
	long now = base_now_ms();
	char msg[160];

	if (held == a->keys_held && (!held || now < a->status_at_ms))
		return held;
	a->keys_held = held;
	if (a->link.state != RP_LINK_UP) {
		status(a, now);
		return held;
	}
	if (!held) {
		status_clear(a);
		out_flush(a);
		return held;
	}
	snprintf(msg, sizeof msg,
		 "[telly: %zu KiB typed that the server has not taken yet: more keys are read once "
		 "it takes them]", rp_desk_chan_kept(a->ch) >> 10);
	status_draw(a, msg);
	out_flush(a);
	a->status_at_ms = now + STATUS_EVERY_MS;
	return held;
}

/* A note on the status line once the link is back, until output comes,
 * a key is typed or NOTE_SHOWN_MS pass. */
static void note_show(struct attach *a, long now)
{
	status_draw(a, a->note);
	a->note_until_ms = now + NOTE_SHOWN_MS;
	a->note[0] = 0;
}

/* The connection is gone: the channel waits, attach goes on. */
static void link_lost(struct attach *a, const char *why)
{
	long now = base_now_ms();

	pred_held_release(&a->held); /* what came is shown */

	rp_desk_chan_link_down(a->ch);
	rp_conn_destroy(a->c);
	a->c = NULL;
	a->reopen_req = 0; /* its answer will not come */
	if (a->link.state == RP_LINK_UP)
		rp_link_down(&a->link, now);
	else
		rp_link_dial_failed(&a->link, now);
	snprintf(a->link_err, sizeof a->link_err, "%s", why);
	status(a, now);
}

static void link_retry(struct attach *a)
{
	long now = base_now_ms();

	if (!rp_desk_chan_resumable(a->ch)) {
		say(a, "[telly: this server does not resume channels: nothing to reconnect]");
		return;
	}
	if (a->link.state == RP_LINK_UP)
		link_lost(a, "reconnecting (~r)");
	rp_link_retry_now(&a->link, now);
}

static bool drain_frames(struct attach *a);

static int push_to_dialer(void *dialer, const void *p, size_t n)
{
	return rp_dialer_add(dialer, p, n);
}

/* A RESUME with the keys behind it goes on channel 1 of the new
 * connection (it has no other), to a host that said it takes them. */
static uint16_t ahead_chan(const struct rp_conn *c)
{
	return rp_conn_peer_caps(c) & RP_CAP_AHEAD ? 1 : 0;
}

/* The redial's thread is done: what it reached has the RESUME it sent
 * behind HELLO; its answer may have come with the HELLO's. false: attach
 * ends (a bad frame). */
static bool dialed(struct attach *a)
{
	char err[300] = "";
	long now = base_now_ms();

	a->c = rp_dialer_finish(a->dialer, err, sizeof err);
	a->dialer = NULL;
	if (!a->c) {
		rp_link_dial_failed(&a->link, now);
		snprintf(a->link_err, sizeof a->link_err, "%s", err);
		status(a, now);
		return true;
	}
	if (rp_desk_chan_resume_sent(a->ch, a->c, a->req) < 0) {
		link_lost(a, "cannot ask to resume");
		return true;
	}
	a->ahead = ahead_chan(a->c); /* for the next redial: this host's word */
	a->resume_sent_ms = now;
	return drain_frames(a);
}

/* A RESUME (or the OPEN after a refused one) sent on a fresh connection
 * and its answer not come yet. */
static bool resume_awaited(const struct attach *a)
{
	return a->link.state == RP_LINK_DIALING && a->c && !a->dialer;
}

/* A PING, and the channel's place at it: its PONG proves what was sent
 * before it taken. */
static void send_ping(struct attach *a, long now)
{
	if (rp_desk_send_ping(a->c, rp_link_ping_stamp(&a->link, base_now_ns() / 1000, now)) == 0)
		rp_desk_chan_ping(a->ch);
}

/* Heartbeat, dead links, sleeps, redials, the status line: what is due. */
static void link_work(struct attach *a)
{
	long now = base_now_ms();

	if (!rp_desk_chan_resumable(a->ch))
		return;
	switch (rp_link_tick(&a->link, now, rp_desk_sleep_gap_ms())) {
	case RP_LINK_SEND_PING:
		if (a->c)
			send_ping(a, now);
		break;
	case RP_LINK_DEAD: {
		/* No answer, or the desk slept: give the connection up. */
		rp_desk_chan_link_down(a->ch);
		rp_conn_lost(a->c); /* (closed without waiting for its end) */
		rp_conn_destroy(a->c);
		a->c = NULL;
		a->reopen_req = 0;
		snprintf(a->link_err, sizeof a->link_err, "no answer from the server");
		status(a, now);
		break;
	}
	case RP_LINK_DIAL: {
		/* The RESUME rides behind HELLO, and the keys kept behind it:
		 * the host's answer brings their echo, one round trip in all. */
		uint8_t *flight;
		if (!a->req)
			a->req = RESUME_REQ_FIRST;
		long n = rp_desk_chan_resume_flight(a->ch, ++a->req, a->name, a->ahead, &flight);
		a->dialer = n > 0 ? rp_dialer_start_first(&a->dest, flight, (size_t)n) : NULL;
		free(flight);
		if (!a->dialer) {
			rp_link_dial_failed(&a->link, now);
			snprintf(a->link_err, sizeof a->link_err, "cannot redial: %s",
				 n > 0 ? strerror(errno) : "the channel cannot be named");
		}
		status(a, now);
		break;
	}
	case RP_LINK_NOTHING:
		break;
	}
	/* Much kept for a program that says nothing (no OUTPUT acks it): a
	 * PING now, whose PONG lets it go, rather than at the next beat. */
	if (a->c && a->link.state == RP_LINK_UP && !a->link.ping_us &&
	    rp_desk_chan_wants_pong(a->ch))
		send_ping(a, now);
	if (resume_awaited(a) && now - a->resume_sent_ms > rp_link_answer_ms(&a->link)) {
		/* A host answers RESUME at once: one that greeted and then said
		 * nothing is taken for a lost link (redialed with backoff). */
		char why[80];

		snprintf(why, sizeof why, "no answer to RESUME in %ld ms", now - a->resume_sent_ms);
		link_lost(a, why);
	}
	if (a->link.state != RP_LINK_UP && now >= a->status_at_ms)
		status(a, now);
	if (a->note_until_ms && now >= a->note_until_ms)
		status_clear(a);
}

/* How long poll may wait for the link's sake (-1: as long as it likes). */
static int link_wait(struct attach *a)
{
	long now = base_now_ms(), w;

	if (!rp_desk_chan_resumable(a->ch))
		return -1;
	w = rp_link_wait(&a->link, now);
	if (resume_awaited(a)) {
		long d = a->resume_sent_ms + rp_link_answer_ms(&a->link) + 1 - now;
		if (d < 0)
			d = 0;
		if (w < 0 || d < w)
			w = d;
	}
	if (a->link.state != RP_LINK_UP || a->keys_held) {
		long s = a->status_at_ms > now ? a->status_at_ms - now : 0;
		if (w < 0 || s < w)
			w = s;
	}
	if (a->note_until_ms) {
		long s = a->note_until_ms > now ? a->note_until_ms - now : 0;
		if (w < 0 || s < w)
			w = s;
	}
	return (int)w;
}

/* How long poll may wait: the link's, a held answer's and a partial
 * terminal answer's time. */
static int loop_wait(struct attach *a)
{
	long now = base_now_ms(), w = link_wait(a);
	long h = pred_held_wait_ms(&a->held, now), k = telly_sync_wait_ms(&a->sync, now);
	long c = pred_cook_wait_ms(&a->cook, now);

	if (a->c && rp_desk_chan_backlog(a->ch) && !rp_conn_queued(a->c))
		return 0; /* keys wait in the channel's log, and the queue drained */

	if (h >= 0 && (w < 0 || h < w))
		w = h;
	if (c >= 0 && (w < 0 || c < w))
		w = c;
	if (k >= 0 && (w < 0 || k < w))
		w = k;
	return (int)w;
}

static void on_resumed(void *ctx, bool exact, bool keys_lost)
{
	struct attach *a = ctx;

	(void)exact; /* not exact: the redraw that follows is the screen */
	rp_link_up(&a->link, base_now_ms());
	a->link_err[0] = 0;
	a->told_full = false;
	status_clear(a);
	if (keys_lost)
		say(a, "[telly: more was typed than could be kept while the link was down: some "
		       "keys were lost]");
}

/* The host no longer has the channel (its wait ran out, or the server
 * was restarted): the session is asked for again by name, as a new attach
 * whose redraw is the screen; its answer comes to reopened. */
static void reopen(struct attach *a, const struct rp_error *e)
{
	uint8_t *frame = malloc(RP_MAX_FRAME);
	struct kpty_winsize ws = {0};
	long n = -ENOMEM;

	kpty_os_get_winsize(a->out_fd, &ws);
	if (frame)
		n = rp_desk_open_frame(frame, RP_MAX_FRAME, ++a->req,
				       (uint8_t)(RP_OPEN_ATTACH | (a->readonly ? RP_OPEN_READONLY : 0)),
				       a->name, getenv("TERM"), "", &ws, NULL, 0);
	if (n < 0 || rp_conn_send(a->c, frame, (size_t)n) < 0) {
		free(frame);
		link_lost(a, "cannot ask to attach again");
		return;
	}
	free(frame);
	a->reopen_req = a->req;
	a->resume_sent_ms = base_now_ms();
	snprintf(a->link_err, sizeof a->link_err, "attaching again: %.*s", (int)e->msg.n, e->msg.p);
	status(a, base_now_ms());
}

/* OK or ERROR for reopen's OPEN: the channel is back with a redraw, or
 * the session is gone. False: not its answer. */
static bool reopened(struct attach *a, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_error e;
	struct rp_str got;
	uint32_t req;

	if (h->type == RP_ERROR && h->chan == 0 && rp_error_decode(p, h->len, &e) == 0 &&
	    e.req == a->reopen_req) {
		a->reopen_req = 0;
		status_clear(a);
		if (rp_err_noent(e.code))
			snprintf(a->why, sizeof a->why,
				 "[telly: session %s is gone: it ended, or its server was restarted, "
				 "while the link was down (%.*s)]", a->name, (int)e.msg.n, e.msg.p);
		else
			snprintf(a->why, sizeof a->why,
				 "[could not attach to %s again after the link was lost: %.*s]",
				 a->name, (int)e.msg.n, e.msg.p);
		a->done = true;
		a->rc = rp_err_noent(e.code) ? ATTACH_EXIT_GONE : ATTACH_EXIT_ERROR;
		return true;
	}
	if (h->type != RP_OK || rp_req_str_decode(p, h->len, &req, &got) < 0 ||
	    req != a->reopen_req || h->chan == 0)
		return false;
	a->reopen_req = 0;
	a->chan = h->chan;
	size_t lost = rp_desk_chan_reattached(a->ch, a->c, h->chan);
	rp_link_up(&a->link, base_now_ms());
	a->told_full = false;
	/* Short: the status line is cut to the terminal's width. */
	char keys[64] = "";
	if (lost)
		snprintf(keys, sizeof keys, ", %zu key bytes not resent", lost);
	snprintf(a->note, sizeof a->note, "[telly: %s attached anew%s: its channel was gone]", a->name,
		 keys);
	a->link_err[0] = 0;
	return true;
}

static void on_refused(void *ctx, const struct rp_error *e)
{
	struct attach *a = ctx;

	if (rp_err_noent(e->code) && a->c) {
		reopen(a, e);
		return;
	}
	status_clear(a);
	snprintf(a->why, sizeof a->why, "[could not resume %s after the link was lost: %.*s]",
		 a->name, (int)e->msg.n, e->msg.p);
	a->done = true;
	a->rc = ATTACH_EXIT_ERROR;
}

static const struct rp_desk_chan_ops attach_chan_ops = {
	.output = on_output, .ack = on_ack, .termios = on_termios, .context = on_context,
	.consumed = on_consumed,
	.notice = on_notice, .exit = on_exit_status,
	.error = on_error, .resumed = on_resumed, .refused = on_refused,
	.retype = on_retype, .let_go = on_let_go,
};

static void on_frame(struct attach *a, const struct rp_hdr *h, const uint8_t *p)
{
	uint64_t stamp;

	if (a->reopen_req && reopened(a, h, p))
		return;
	if (rp_desk_answer_ping(a->c, h, p) > 0)
		return;
	if (h->type == RP_PONG && h->chan == 0 && rp_u64_decode(p, h->len, &stamp) == 0) {
		if (rp_link_pong(&a->link, stamp, base_now_ns() / 1000, base_now_ms())) {
			rp_desk_chan_set_rtt(a->ch, rp_link_rtt_us(&a->link));
			rp_desk_chan_pong(a->ch); /* what was sent before the PING was taken */
		}
		return;
	}
	if (rp_desk_chan_frame(a->ch, h, p) >= 0)
		return; /* frames for nobody here: newer servers may send more */
	snprintf(a->why, sizeof a->why, "[malformed %s frame from the server]",
		 rp_type_name(h->type));
	a->done = true;
	a->rc = ATTACH_EXIT_ERROR;
}

static void send_winsize(struct attach *a)
{
	struct kpty_winsize ws;

	if (kpty_os_get_winsize(a->out_fd, &ws) < 0)
		return;
	rp_desk_chan_winsize(a->ch, &ws);
}

static void print_stats(struct attach *a)
{
	size_t n = a->nsamples;

	if (!n) {
		fprintf(stderr, "telly: keystroke-to-echo: no samples\n");
		return;
	}
	telly_sort_u64(a->samples, n);
	fprintf(stderr,
		"telly: keystroke-to-echo: p50 %.1f us, p90 %.1f us, p99 %.1f us, count %zu "
		"(%zu echoed on the desk, %zu by the host)\n",
		telly_pct_us(a->samples, n, 0.50), telly_pct_us(a->samples, n, 0.90),
		telly_pct_us(a->samples, n, 0.99), n, a->nlocal, n - a->nlocal);
}

static void attach_usage(FILE *f)
{
	fputs("usage: telly attach [options] [DEST] [NAME]\n"
	      "       telly attach [options] HOST:[NAME]\n"
	      "\n"
	      "Attach this terminal to session NAME. Without a NAME, to main, created if\n"
	      "it does not exist; a NAME that does not exist is an error that lists the\n"
	      "sessions there, unless --create or a command (-- CMD...) is given. DEST is\n"
	      "[user@]host, reached with the system ssh running `telly serve --stdio`\n"
	      "there; without DEST, this host. One argument is a session NAME unless it\n"
	      "has an '@' or a ':'.\n"
	      "\n"
	      "  --create        create session NAME if it does not exist\n"
	      "  -c, --cwd DIR   the directory a created session starts in (default: here\n"
	      "                  on this host; the host user's home on another host; a\n"
	      "                  relative DIR is from that home there; one that does not\n"
	      "                  exist: the home, with a notice)\n"
	      "  -r              read-only: watch, do not type\n"
	      "  -e CHAR         escape character (default ~; 'none' to disable)\n"
	      "  --predict=WHEN  show what keys will do before the host answers: adaptive\n"
	      "                  (default: while the round trip is over 20 ms or a key\n"
	      "                  waited over 250 ms), always, or never; predictions are\n"
	      "                  underlined while the round trip is over 80 ms\n"
	      "  --stats         print keystroke-to-echo latency (p50/p90/p99) and\n"
	      "                  the predictions' counts at exit\n"
	      "  --ssh CMD       the ssh command line (default: ssh)\n"
	      "  --server CMD    the telly command on the host (default: telly)\n"
	      "  --tcp HOST:PORT reach a `telly serve --listen` daemon instead\n"
	      "  By default, DEST is reached by ssh only to learn a one-time secret and\n"
	      "  a port (`telly serve --direct-key` opens one on the host), then by TCP\n"
	      "  straight to the daemon, every byte sealed (ChaCha20-Poly1305), redials\n"
	      "  too; when that port cannot be reached (or the host's telly is older),\n"
	      "  plain ssh, said once.\n"
	      "  --direct        insist: no falling back to ssh\n"
	      "  --no-direct     plain ssh (`telly serve --stdio`), no port opened on the\n"
	      "                  host, whatever the config file says\n"
	      "  --direct-bind ADDR[:PORT]\n"
	      "                  where the host listens for it (default: the address\n"
	      "                  sshd was reached on, any free port)\n"
	      "  --direct-connect HOST[:PORT]\n"
	      "                  where to connect (default: DEST's host, the port the\n"
	      "                  host said; for a port forwarded through NAT)\n"
	      "  --token-file F  its token (the daemon's runtime directory 'token' file)\n"
	      "  --compress, --no-compress\n"
	      "                  lz4 for the output (default: on over ssh and TCP)\n"
	      "  -- CMD...       the program to run if the session is created\n"
	      "\n"
	      "Escapes, typed after a newline: ~. detach, ~? help, ~~ a literal ~;\n"
	      "on a console, ~B sends a serial break and ~f takes over writing.\n"
	      "\n"
	      "Leaving, the modes the session set in this terminal (alternate screen,\n"
	      "cursor keys, keypad, mouse, bracketed paste, hidden cursor, colours) are\n"
	      "undone. When standard input ends (it is not a terminal), attach detaches.\n"
	      "\n"
	      "Exit status: 0 detached (~.) or the session ended; 1 an error (the server\n"
	      "could not be reached, or the connection was lost); 2 a bad option or\n"
	      "argument; 3 no such session; 4 end of input; 5 the session was gone when\n"
	      "the link came back (it ended, or its server restarted); 128+N ended by\n"
	      "signal N (129 SIGHUP, 130 SIGINT, 143 SIGTERM).\n",
	      f);
}

/* The sessions there, for a name that is not one of them. */
static void list_sessions(struct attach *a, const char *name, const char *where)
{
	uint8_t buf[64];
	char err[300] = "";
	struct rp_enc e;
	struct rp_hdr h;
	const uint8_t *p;
	uint32_t req;
	uint16_t count;
	size_t off;
	long n;

	fprintf(stderr, "telly attach: no session %s on %s", name, where);
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, 2);
	n = rp_enc_end(&e);
	if (n < 0 || rp_desk_call(a->c, buf, (size_t)n, 2, &h, &p, LIST_TIMEOUT_MS, err,
				  sizeof err) < 0 ||
	    h.type != RP_LIST_REPLY || rp_list_reply_decode(p, h.len, &req, &count, &off) < 0) {
		fprintf(stderr, " (its sessions could not be listed: %s)\n", err[0] ? err : "malformed");
	} else if (!count) {
		fprintf(stderr, "; it has no sessions\n");
	} else {
		fprintf(stderr, "; its sessions:");
		for (unsigned i = 0; i < count; i++) {
			struct rp_session_info s;
			char safe[4 * RP_MAX_NAME + 1];
			if (rp_list_entry_decode(p, h.len, &off, &s) < 0)
				break;
			base_log_escape(s.name.p, s.name.n, false, safe, sizeof safe);
			fprintf(stderr, "%s %s", i ? "," : "", safe);
		}
		fputc('\n', stderr);
	}
	fprintf(stderr, "telly attach: --create %s creates it\n", name);
}

static int open_session(struct attach *a, const char *name, bool create, const char *cwd,
			const char *where, char **cmd, int ncmd)
{
	uint8_t *frame = malloc(RP_MAX_FRAME);
	char err[300] = "";
	struct kpty_winsize ws = {0};
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_str got;
	struct rp_error e;
	uint32_t req;
	long n;
	int r;

	if (!frame)
		return ATTACH_EXIT_ERROR;
	kpty_os_get_winsize(a->out_fd, &ws);
	n = rp_desk_open_frame(frame, RP_MAX_FRAME, 1,
			       (uint8_t)(RP_OPEN_ATTACH | (a->readonly ? RP_OPEN_READONLY : 0) |
					 (create ? RP_OPEN_CREATE : 0)),
			       name, getenv("TERM"), cwd, &ws, cmd, ncmd);
	if (n < 0) {
		fprintf(stderr, "telly attach: the command line is too long\n");
		free(frame);
		return ATTACH_EXIT_USAGE;
	}
	/* --create: answered once its program's exec says, as long as that
	 * takes (an attach is answered at once). */
	r = create ? telly_open_call(a->c, frame, (size_t)n, 1, &h, &p, "attach", cmd, ncmd, false,
				     err, sizeof err)
		   : rp_desk_call(a->c, frame, (size_t)n, 1, &h, &p, OPEN_TIMEOUT_MS, err,
				  sizeof err);
	free(frame);
	if (r == -EREMOTEIO && h.type == RP_ERROR && rp_error_decode(p, h.len, &e) == 0 &&
	    rp_err_noent(e.code) && !create) {
		list_sessions(a, name, where);
		return ATTACH_EXIT_NO_SESSION;
	}
	if (r < 0) {
		fprintf(stderr, "telly attach: %s\n", err);
		return r == -EREMOTEIO && h.type == RP_ERROR && rp_error_decode(p, h.len, &e) == 0 &&
				       e.code == RP_E_SPAWN
			       ? ATTACH_EXIT_CANNOT_RUN
			       : ATTACH_EXIT_ERROR;
	}
	if (rp_req_str_decode(p, h.len, &req, &got) < 0 || h.chan == 0) {
		fprintf(stderr, "telly attach: malformed answer from the server\n");
		return ATTACH_EXIT_ERROR;
	}
	snprintf(a->name, sizeof a->name, "%.*s", (int)got.n, got.p);
	a->chan = h.chan;
	return 0;
}

/* Handle every whole frame received so far. */
static bool drain_frames(struct attach *a)
{
	struct rp_hdr h;
	const uint8_t *fp;
	int r = 0;

	a->batching = true;
	a->wrote_first = false;
	while (!a->done && a->c && (r = rp_conn_frame(a->c, &h, &fp)) == 1)
		on_frame(a, &h, fp);
	if (a->note[0] && a->link.state == RP_LINK_UP)
		note_show(a, base_now_ms()); /* after the redraw, over it */
	overlay_draw(a);
	a->batching = false;
	out_flush(a);
	if (r < 0) {
		snprintf(a->why, sizeof a->why, "[bad frame header from the server]");
		a->rc = ATTACH_EXIT_ERROR;
		return false;
	}
	return true;
}

/* Keys read from the terminal. */
static void terminal_keys(struct attach *a, const uint8_t *buf, size_t n)
{
	a->key_t0 = base_now_ns();
	a->key_waiting = a->stats;
	a->batching = true; /* the echo, then the overlay: one write each */
	a->wrote_first = false;
	keys(a, buf, n);
	/* A key's prediction drawn shows at once: the answer held is shown
	 * with it. */
	if (overlay_draw(a))
		pred_held_release(&a->held);
	a->batching = false;
	out_flush(a);
	if (a->c) /* the keys, after what was drawn for them (type_keys) */
		rp_conn_flush(a->c);
	a->key_waiting = false;
}

static void loop(struct attach *a, int sigfd)
{
	/* The answer to OPEN may have brought the first frames with it. */
	if (!drain_frames(a))
		return;
	while (!a->done) {
		struct pollfd p[5] = {
			{.fd = keys_wait(a) ? -1 : a->in_fd, .events = POLLIN},
			{.fd = a->c ? rp_conn_fd(a->c) : -1,
			 .events = (short)(POLLIN | (a->c ? rp_conn_wevents(a->c) : 0))},
			{.fd = sigfd, .events = POLLIN},
			{.fd = a->dialer ? rp_dialer_fd(a->dialer) : -1, .events = POLLIN},
			{.fd = a->netfd, .events = POLLIN},
		};
		if (poll(p, 5, loop_wait(a)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			uint8_t buf[KEY_READ_BYTES], kb[KEY_READ_BYTES + TELLY_SYNC_ANSWER_BYTES];
			ssize_t n = read(a->in_fd, buf, sizeof buf);
			/* Answers may come in several reads (libvterm's and a
			 * window's), even split: looked for as long as attach
			 * runs. */
			if (n > 0 && a->sync_asked) {
				size_t k = telly_sync_keys(&a->sync, buf, (size_t)n, kb, base_now_ms());
				sync_answered(a);
				if (k)
					terminal_keys(a, kb, k);
			} else if (n > 0) {
				terminal_keys(a, buf, (size_t)n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				/* No more keys (a pipe ended, the terminal went
				 * away): a pipe's end stays readable, so watching
				 * on would only spin. What was typed is sent. */
				snprintf(a->why, sizeof a->why, "[end of input: detached from %s]",
					 a->name);
				if (a->ov)
					pred_cook_release(&a->cook);
				a->done = a->detached = true;
				a->rc = ATTACH_EXIT_END_OF_INPUT;
			}
		}
		if (a->c && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = rp_conn_read(a->c);
			if ((n == 0 || (n < 0 && n != -EAGAIN)) && rp_desk_chan_resumable(a->ch)) {
				link_lost(a, n == 0 ? "the connection closed" : strerror((int)-n));
				continue;
			}
			if (n > 0)
				rp_link_heard(&a->link, base_now_ms());
			if (n == 0 || (n < 0 && n != -EAGAIN)) {
				snprintf(a->why, sizeof a->why, "[lost the connection to the server]");
				a->rc = ATTACH_EXIT_ERROR;
				break;
			}
			if (!drain_frames(a))
				break;
		}
		if (p[2].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo == SIGWINCH) {
					pred_held_release(&a->held);
					send_winsize(a);
					overlay_resize(a);
				} else {
					snprintf(a->why, sizeof a->why,
						 "[%s: detached from %s]", strsignal((int)si.ssi_signo),
						 a->name);
					a->done = a->detached = true;
					a->rc = ATTACH_EXIT_SIGNAL + (int)si.ssi_signo;
				}
			}
		}
		if (p[3].revents && !dialed(a))
			break;
		/* An address, a route or a link came: a redial waiting out its
		 * backoff goes now (link_work, below). */
		if ((p[4].revents & POLLIN) && rp_netwatch_read(a->netfd))
			rp_link_net_news(&a->link, base_now_ms());
		if (a->sync_asked) { /* a partial answer that was keys after all */
			uint8_t kb[TELLY_SYNC_ANSWER_BYTES];
			size_t k = telly_sync_due(&a->sync, kb, base_now_ms());
			if (k)
				terminal_keys(a, kb, k);
		}
		if (pred_held_wait_ms(&a->held, base_now_ms()) == 0) { /* the program did not wait again */
			a->batching = a->wrote_first = true;
			pred_held_due(&a->held, base_now_ms());
			a->batching = false;
			out_flush(a);
		}
		if (a->ov && pred_cook_wait_ms(&a->cook, base_now_ms()) == 0) { /* the host never said */
			a->batching = true;
			a->wrote_first = false;
			pred_cook_due(&a->cook, base_now_ms());
			if (a->c)
				rp_conn_flush(a->c);
			a->batching = false;
			out_flush(a);
		}
		if (a->dialer) /* keys typed while it dials: right behind its RESUME */
			rp_desk_chan_ahead_push(a->ch, push_to_dialer, a->dialer);
		if (a->c) /* keys that did not fit in the queue, once it drained */
			rp_desk_chan_pump(a->ch);
		if (a->c && rp_conn_flush(a->c) < 0 && !a->done) {
			if (rp_desk_chan_resumable(a->ch)) {
				link_lost(a, "the connection broke");
				continue;
			}
			snprintf(a->why, sizeof a->why, "[lost the connection to the server]");
			a->rc = ATTACH_EXIT_ERROR;
			break;
		}
		link_work(a);
	}
}

int telly_attach(int argc, char **argv)
{
	struct telly_config cfg;
	struct rp_dest dest = {0};
	struct attach *a;
	char *pos[3], hostbuf[256], err[300] = "", where[300], here[4096];
	const char *name = NULL, *cwd = NULL;
	int npos = 0, ncmd = 0, sigfd, rc;
	char **cmd = NULL;
	struct termios saved, raw;
	bool tty, create = false;

	a = calloc(1, sizeof *a);
	if (!a)
		return 1;
	vmc_esc_init(&a->esc, '~');
	telly_sync_init(&a->sync);
	a->predict = PRED_ADAPTIVE;
	a->in_fd = STDIN_FILENO;
	a->out_fd = STDOUT_FILENO;
	/* The config file's defaults; the options below override them. */
	if (telly_config_load(&cfg, err, sizeof err) < 0) {
		fprintf(stderr, "telly attach: %s\n", err);
		free(a);
		return 2;
	}
	telly_config_dest(&cfg, &dest);
	dest.prog = "telly attach";
	if (cfg.escape != TELLY_CONFIG_ESCAPE_UNSET)
		vmc_esc_init(&a->esc, cfg.escape);
	for (int i = 1; i < argc; i++) {
		int r = rp_dest_option(argc, argv, &i, &dest);
		if (r < 0)
			goto missing;
		if (r)
			continue;
		if (!strcmp(argv[i], "--")) {
			cmd = argv + i + 1;
			ncmd = argc - i - 1;
			break;
		} else if (!strcmp(argv[i], "-r")) {
			a->readonly = true;
		} else if (!strcmp(argv[i], "--create")) {
			create = true;
		} else if (!strcmp(argv[i], "-c") || !strcmp(argv[i], "--cwd")) {
			if (++i >= argc)
				goto missing;
			if (!argv[i][0]) {
				fprintf(stderr, "telly attach: %s wants a directory\n", argv[i - 1]);
				goto usage;
			}
			cwd = argv[i];
		} else if (!strncmp(argv[i], "--predict", 9) && (argv[i][9] == '=' || !argv[i][9])) {
			const char *v = argv[i][9] ? argv[i] + 10 : ++i < argc ? argv[i] : NULL;
			if (!v)
				goto missing;
			if (!pred_policy_parse(v, &a->predict)) {
				fprintf(stderr, "telly attach: --predict wants adaptive, always or never\n");
				goto usage;
			}
		} else if (!strcmp(argv[i], "--stats")) {
			a->stats = true;
		} else if (!strcmp(argv[i], "-e")) {
			if (++i >= argc)
				goto missing;
			if (!strcmp(argv[i], "none"))
				vmc_esc_init(&a->esc, -1);
			else if (strlen(argv[i]) == 1)
				vmc_esc_init(&a->esc, (uint8_t)argv[i][0]);
			else if (argv[i][0] == '^' && strlen(argv[i]) == 2)
				vmc_esc_init(&a->esc, argv[i][1] & 0x1f);
			else {
				fprintf(stderr, "telly attach: -e wants one character, ^X or 'none'\n");
				goto usage;
			}
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			attach_usage(stdout);
			free(a);
			return 0;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "telly attach: unknown option '%s'\n", argv[i]);
			attach_usage(stderr);
			goto usage;
		} else if (npos < 3) {
			pos[npos++] = argv[i];
		} else {
			npos++;
		}
	}
	if (rp_dest_args(npos, pos, &dest, &name, hostbuf, sizeof hostbuf) < 0) {
		fprintf(stderr, "telly attach: too many arguments\n");
		attach_usage(stderr);
		goto usage;
	}
	telly_config_direct(&cfg, &dest);
	/* Only main is made without asking: a name typed wrong must not
	 * quietly become a new session. A command given is asking. */
	if (!name)
		name = "main", create = true;
	if (ncmd)
		create = true;
	if (!rp_name_valid(name, strlen(name))) {
		fprintf(stderr,
			"telly attach: bad session name '%s' (1-%d of A-Z a-z 0-9 . _ -, not starting "
			"with a dot)\n",
			name, RP_MAX_NAME);
		goto usage;
	}
	/* The working directory is this host's: another host gets its
	 * user's home (""), or -c DIR, resolved there. */
	if (dest.host || dest.tcp) {
		if (!cwd)
			cwd = "";
	} else if (cwd && cwd[0] != '/') {
		errno = 0;
		if (!getcwd(here, sizeof here) || strlen(here) + 1 + strlen(cwd) >= sizeof here) {
			fprintf(stderr, "telly attach: -c %s: %s\n", cwd,
				errno ? strerror(errno) : "too long");
			goto usage;
		}
		strcat(strcat(here, "/"), cwd);
		cwd = here;
	}
	snprintf(where, sizeof where, "%s", dest.host ? dest.host : dest.tcp ? dest.tcp : "this host");
	if (a->stats && !(a->samples = calloc(SAMPLES_MAX, sizeof *a->samples)))
		goto fail;
	if (a->predict != PRED_NEVER && !a->readonly)
		dest.caps |= RP_CAP_CONTEXT; /* the host tells what predicting needs */
	if (!a->readonly) /* keys that miss a switch to canonical are typed again */
		dest.caps |= RP_CAP_RETYPE;
	/* Over ssh and TCP the channel outlives a lost link; on this host the
	 * link is lost only with the daemon, and the session with it. */
	if (dest.host || dest.tcp)
		dest.caps |= RP_CAP_RESUME;
	dest.dx = &a->dx;
	a->c = telly_client_connect(&dest, !a->readonly, err, sizeof err);
	if (!a->c) {
		fprintf(stderr, "telly attach: %s\n", err);
		goto fail;
	}
	a->ahead = ahead_chan(a->c);
	if ((rc = open_session(a, name, create, cwd, where, cmd, ncmd)) != 0)
		goto fail_conn;
	a->ch = rp_desk_chan_create(a->c, a->chan,
				    RP_DESK_LINEMODE | RP_DESK_CONN_ERRORS |
					    (a->readonly ? RP_DESK_READONLY : 0),
				    &attach_chan_ops, a);
	if (!a->ch) {
		rc = ATTACH_EXIT_ERROR;
		goto fail_conn;
	}
	a->dest = dest; /* for a redial: the same way, never starting a daemon */
	telly_client_dest(&a->dest);
	rp_link_init(&a->link, base_now_ms(), rp_desk_sleep_gap_ms());

	/* The screen model: predictions are drawn over it, and the row the
	 * link's status line covers is repainted from it. */
	if (dest.caps & (RP_CAP_CONTEXT | RP_CAP_RESUME)) {
		struct kpty_winsize ws = {0};
		kpty_os_get_winsize(a->out_fd, &ws);
		a->ov = telly_overlay_create(ws.ws_row ? ws.ws_row : 24, ws.ws_col ? ws.ws_col : 80,
					     dest.caps & RP_CAP_CONTEXT ? a->predict : PRED_NEVER,
					     overlay_put, a);
		pred_held_init(&a->held, &attach_held_ops, a);
		pred_cook_init(&a->cook, &attach_cook_ops, a);
		pred_cook_set_max_ms(&a->cook, telly_cook_max_ms());
	}
	/* SIGINT too: a terminal in raw mode sends none (^C is a key for the
	 * program), but a shell's ^C does when standard input is not one, and
	 * kill -INT: detached, as the others, not left for the host to keep. */
	sigfd = base_signalfd((const int[]){SIGWINCH, SIGTERM, SIGHUP, SIGINT, 0});
	/* A resize between OPEN and the mask above raised a SIGWINCH that
	 * nobody caught: the size now, whatever it is. */
	send_winsize(a);
	tty = tcgetattr(a->in_fd, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(a->in_fd, TCSADRAIN, &raw); /* keys typed ahead are kept */
	}
	if (tty && a->ov && isatty(a->out_fd)) {
		/* Whether the terminal holds an update itself (DEC 2026). */
		base_write_all(a->out_fd, TELLY_SYNC_QUERY, sizeof TELLY_SYNC_QUERY - 1, -1);
		telly_sync_asked(&a->sync, base_now_ms());
		a->sync_asked = true;
	}
	a->netfd = dest.host || dest.tcp ? rp_netwatch_open() : -1;
	loop(a, sigfd);
	if (a->netfd >= 0)
		close(a->netfd);
	pred_held_release(&a->held);
	if (a->detached) /* tell the host, so it stops sending */
		rp_desk_chan_send_empty(a->ch, RP_DETACH);
	status_clear(a);
	out_flush(a);
	if (a->c)
		rp_conn_flush_wait(a->c, 1000);
	if (a->ov) { /* the true screen left behind */
		telly_overlay_hide(a->ov);
		out_flush(a);
	}
	{
		char undo[TELLY_MODES_RESET_BYTES];
		size_t n = telly_modes_reset(&a->modes, undo, sizeof undo);
		base_write_all(a->out_fd, undo, n, -1);
	}
	if (tty)
		tcsetattr(a->in_fd, TCSADRAIN, &saved);
	if (a->why[0])
		fprintf(stderr, "\r\n%s\r\n", a->why);
	if (a->stats)
		print_stats(a);
	if (a->stats && a->ov)
		telly_overlay_print_stats(a->ov, stderr);
	if (a->stats && a->hctx.known) /* what the predictions went by at the end */
		fprintf(stderr, "telly: the host's context: flags 0x%02x, group %u, program '%s'\n",
			(unsigned)a->hctx.flags, (unsigned)a->hctx.pgid, a->hctx.comm);
	close(sigfd);
	rc = a->rc;
	telly_overlay_destroy(a->ov);
	pred_held_finish(&a->held);
	rp_desk_chan_destroy(a->ch);
	rp_conn_destroy(a->c);
	free(a->samples);
	free(a);
	return rc;

missing:
	fprintf(stderr, "telly attach: %s needs a value\n", argv[argc - 1]);
usage:
	free(a);
	return ATTACH_EXIT_USAGE;
fail_conn:
	rp_conn_destroy(a->c);
	free(a->samples);
	free(a);
	return rc;
fail:
	free(a->samples);
	free(a);
	return ATTACH_EXIT_ERROR;
}
