/* telly view: every session of a host as a window on the desk.
 *
 * One connection to the daemon carries a channel per session. The host's
 * session list is polled (LIST every LIST_POLL_MS); a session not shown
 * yet is attached, one that ended (EXIT) goes. Each window is a terminal
 * surface (libvterm) behind the same desk-side line discipline as `telly
 * attach`, so typing in canonical mode echoes here at once.
 *
 * Events come from the backend (x11) or a script (headless), go through
 * winmgr, which answers with actions; the compositor repaints on the
 * frame timer: what answers a key (its echo, here or from the host) at
 * once, other output once a frame, so a burst is drawn at the frame rate
 * and a keystroke never waits for a frame.
 *
 * "Drawn": after attaching, the host sends the snapshot before anything
 * else it answers on this connection, so the reply to a LIST sent after
 * the OK means the window has its first screen.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "config.h"
#include "ds.h"
#include "predict.h"
#include "resume.h"
#include "view_x11.h"
#include "vtfilter.h"
#include "xwin.h"

#define LIST_POLL_MS 500
#define PENDING_OPENS 16
#define DEFAULT_W 1024
#define DEFAULT_H 768
#define DEFAULT_COLS 80
#define DEFAULT_ROWS 24
#define TITLE_PAD_PX 6
#define BORDER_PX 3
#define SCRIPT_MAX_STEPS 100000
#define PROBES 256
#define SAMPLES_MAX 100000
#define TERM_NAME "xterm-256color"
#define MULTICLICK_MS 400 /* a second click this soon on the same cell: a word, a third a line */
/* A paste goes out a piece at a time, the next once the connection's queue
 * is empty: in canonical mode every pasted line is a frame (and its echo
 * another), and the queue holds 4096. */
#define PASTE_PIECE_BYTES 512
/* The link (over ssh and TCP, as telly attach's): a new connection that
 * does not answer RESUME (a terminal's or an X session's) within
 * rp_link_answer_ms is lost; the titles count the seconds down. */
#define LINK_STATUS_EVERY_MS 1000
#define LINK_TITLE_BYTES (DS_TITLE_MAX_BYTES + 300)
#define PAINT_STALL_MS 2000 /* --paint-fd's reader may lag this long */
/* What the view says as it leaves (its DETACHes; telly x, the host's
 * word on whether the session ends with it) is written and heard within. */
#define VIEW_LEAVE_MS 1000
#define VIEW_EXIT_SIGNAL 128 /* + the signal that left telly x with its program running */

struct view;

struct win {
	struct view *v;
	/* The window's id for winmgr and the compositor: its first channel
	 * number. wire: its channel number on the connection now (0 while
	 * the link is down or its RESUME is unanswered). */
	uint16_t chan, wire;
	uint32_t resume_req; /* RESUME sent, its answer awaited; 0: none */
	uint32_t flight_req; /* its RESUME is in the redial's first flight; 0: not */
	uint32_t reopen_req; /* OPEN after a refused RESUME (win_reopen); 0: none */
	/* Said in the title bar (win_show_title): attached anew until the
	 * person types in it; gone: the session ended while the link was
	 * down, and the window stays with its last screen until closed. */
	char note[160];
	bool gone;
	char name[RP_MAX_NAME + 1];
	char cmd[DS_TITLE_MAX_BYTES + 1]; /* what runs, from the host's list ("": not known yet) */
	struct ds_term *term;
	struct rp_desk_chan *ch;
	uint32_t key_seq; /* the last key sent, until output answers it (0: none) */
	bool echoed;
	uint32_t drawn_req; /* the LIST whose answer says it is drawn; 0: none sent */
	struct pred *pred; /* what keys will show, drawn at composite time; NULL: none */
	/* An answer to a key composited whole (predict.h, pred_held): its
	 * bytes wait there until the program waits again. */
	struct pred_held held;
	/* Keys typed while the program is cooked for a moment (pred_cook):
	 * kept, not echoed, until the host says where they go. */
	struct pred_cook cook;
	bool drawn, told_full;
	bool told_wait; /* said that what is kept for the host is full */
	char *paste; /* a paste on its way out: paste_off of paste_n sent */
	size_t paste_n, paste_off;
	int record_fd; /* --record: what it is sent, as sent; -1: not */
	char shown[LINK_TITLE_BYTES]; /* the title bar's text (win_show_title) */
};

/* A keystroke on its way to the pixel (--stats, --bench-keys). */
struct probe {
	uint16_t chan;
	uint32_t seq;
	uint64_t t_key, t_ld, t_recv, t_vt;
	bool host;          /* the host's TIMING came */
	struct rp_timing h; /* its clock: comparable with ours on one machine */
};

enum { ST_LD, ST_REMOTE, ST_VT, ST_PAINT, ST_TOTAL, ST_N };
/* The remote stage split by the host's TIMING, when its clock is ours. */
enum { SP_WIRE_OUT, SP_HOST_IN, SP_PTY, SP_HOST_OUT, SP_WIRE_BACK, SP_N };

struct view {
	/* The command the person typed, in its messages: "telly view", or
	 * "telly x" (its argv[0]: "view", "x"). */
	char prog[24];
	struct rp_dest dest;
	struct rp_direct dx; /* --direct: the secret learned once, for redials */
	struct rp_conn *c;
	struct ds_backend *b;
	struct ds_font *font;
	struct ds_comp *comp;
	struct wm wm;
	struct vx *x;		    /* the X sessions (view_x11.c) */
	const struct ds_event *key; /* the key being handled */
	struct win *wins[WM_MAX_WINDOWS];
	unsigned nwins;
	uint32_t req;
	struct {
		uint32_t req;
		char name[RP_MAX_NAME + 1];
	} opening[PENDING_OPENS];
	unsigned nopening;
	bool listed, ready, done, readonly;
	enum pred_policy predict;
	long cook_max_ms; /* each window's pred_cook cap, read at start */
	bool seamless; /* X windows as the desk's own; no terminals */
	bool lossless; /* --lossless: never RP_CAP_XLOSSY */
	bool exit_status; /* --exit-status: the last X session's status is ours */
	const char *program; /* --program: its name, in what is said of its output */
	bool all_ended;	  /* done: the last session ended (why says so) */
	const char *xname; /* the one X session shown (--x11, DEST NAME), or NULL */
	bool x_seen;	   /* an X session was opened or attached */
	bool x_attached;   /* ... and one was attached */
	int signo;	   /* left by this signal (^C: SIGINT), the sessions still there */
	bool left;	   /* left (a signal, the display gone) with the sessions there */
	int rc;
	char why[300];
	uint64_t list_due_ns, last_frame_ns;
	uint32_t key_cp;
	bool paint_now; /* what changed answers a key: no frame wait */
	/* Buttons (bit 1 << button, 1-3) pressed in a program's window that
	 * asked for the mouse: their drag and release go to it too. */
	unsigned mouse_held;
	uint16_t mouse_chan;
	/* Selecting with button 1 in sel_chan's window; the last click, to
	 * count double and triple ones. */
	bool selecting;
	uint16_t sel_chan, click_chan;
	int clicks, click_row, click_col;
	uint64_t click_ms;
	/* The desk's X selections (NULL headless: own[] stands for them),
	 * and where what is known of them is kept between runs (empty: not
	 * kept; ds_clip_note_save). */
	struct ds_clip *clip;
	char clip_note[256];
	char *own[2];
	size_t own_n[2];
	bool osc52_write; /* programs may set the clipboard (OSC 52) */
	struct telly_config cfg; /* the config file (its strings are dest's) */
	/* Script. */
	struct ds_step *steps;
	size_t nsteps, step;
	uint64_t wait_deadline_ns;
	const char *screenshot;
	const char *record; /* --record DIR */
	/* --key-fd (the headless backend reads it) and --paint-fd: a bench
	 * or a test types as a person does and reads what the compositor
	 * painted (paint_report). paint_fd -1: off, nothing done. */
	int key_fd, paint_fd;
	char *paint_buf[2]; /* the record being made, the last one written */
	size_t paint_n[2], paint_cap;
	/* Keystroke-to-pixel. */
	bool stats;
	long bench_keys, bench_sent;
	struct probe await_out[PROBES], await_paint[PROBES];
	unsigned nout, npaint;
	uint64_t *samples[ST_N];
	size_t nsamples;
	uint64_t *split[SP_N];
	size_t nsplit;
	uint64_t frames, t_start, pixels;
	struct probe cur; /* the key being handled */
	bool cur_live;
	/* The link: with RP_CAP_RESUME (over ssh and TCP) the terminals'
	 * channels outlive a lost connection (c NULL while it is down). */
	struct rp_dest redial; /* the same way again, never starting a daemon */
	struct rp_link link;
	struct rp_dialer *dialer;
	struct rp_conn *xc; /* the connection the X side holds (kept for it until a redial) */
	bool ahead;	    /* the last host said RP_CAP_AHEAD: keys kept ride behind RESUMEs */
	bool xahead;	    /* ... and RP_CAP_XAHEAD: X input kept too */
	int netfd;	    /* rp_netwatch: the network may be back; -1: none */
	/* The requests of the windows' RESUMEs in the last flight: one
	 * answered for a window closed meanwhile is detached. 0: none. */
	uint32_t flight_lo, flight_hi;
	long resume_sent_ms, status_at_ms;
	char link_err[200];
	/* The link is to go (link_gone), found while its frames are handled:
	 * it goes once they are done (the drain loop still reads c). */
	const char *gone_due;
	/* The terminal focused when the X sessions were attached again: their
	 * windows, made anew, do not take the focus from it (until they are
	 * all back, or the person clicks). 0: none. */
	uint32_t keep_focus;
};

static void fail(struct view *v, const char *msg)
{
	if (!v->done)
		snprintf(v->why, sizeof v->why, "%s", msg);
	v->done = true;
	v->rc = 1;
}

static struct win *win_by_chan(struct view *v, uint16_t chan)
{
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->chan == chan)
			return v->wins[i];
	return NULL;
}

/* The window whose channel on the connection now is chan. */
static struct win *win_by_wire(struct view *v, uint16_t chan)
{
	for (unsigned i = 0; chan && i < v->nwins; i++)
		if (v->wins[i]->wire == chan)
			return v->wins[i];
	return NULL;
}

static struct win *win_by_name(struct view *v, const char *name, size_t n)
{
	for (unsigned i = 0; i < v->nwins; i++)
		if (strlen(v->wins[i]->name) == n && !memcmp(v->wins[i]->name, name, n))
			return v->wins[i];
	return NULL;
}

/* What the title bar says: the program's own title (OSC 0/2), else what
 * runs there, else the session's name. */
static const char *win_title(const struct win *w)
{
	const char *t = ds_term_title(w->term);

	return t ? t : w->cmd[0] ? w->cmd : w->name;
}

/* The title as drawn: while the link is down it says so, and what is
 * being done about it. */
static void win_show_title(struct win *w)
{
	struct view *v = w->v;
	char t[LINK_TITLE_BYTES];

	if (w->gone || (v->c && !w->resume_req && !w->reopen_req && w->wire)) {
		snprintf(w->shown, sizeof w->shown, "%s%s%s", w->note, w->note[0] ? " " : "",
			 win_title(w));
		ds_comp_set_title(v->comp, w->chan, w->shown);
		return;
	}
	snprintf(t, sizeof t, "[link down %ld s, %s%s%.80s; ctrl+shift+R retries] %s",
		 (base_now_ms() - v->link.down_ms) / 1000,
		 v->link.state == RP_LINK_DIALING ? "reconnecting" : "retrying",
		 v->link_err[0] ? ": " : "", v->link_err, win_title(w));
	snprintf(w->shown, sizeof w->shown, "%s", t);
	ds_comp_set_title(v->comp, w->chan, t);
}

/* --- keys for a window ------------------------------------------------ */

/* What the window's predictions are now, to its terminal surface: drawn
 * over its cells when the compositor next paints, at once after a key. */
static bool win_predict(struct win *w)
{
	struct ds_predicted *cells;
	const struct pred_overlay *o;
	int n = 0;

	if (!pred_update(w->pred, base_now_ms()))
		return false;
	o = pred_overlay(w->pred);
	/* A row's cells, or a page of them (less's). */
	cells = malloc((size_t)(o->n ? o->n : 1) * sizeof *cells);
	for (int i = 0; cells && i < o->n; i++) {
		const struct pred_pen *pp = &o->cells[i].pen;
		uint32_t cp = 0;
		ds_utf8_next(o->cells[i].utf8, strlen(o->cells[i].utf8), &cp);
		cells[n++] = (struct ds_predicted){
			o->cells[i].row, o->cells[i].col, o->cells[i].width, cp, .pen = pp->page,
			.attrs = {.bold = !!(pp->attrs & PRED_BOLD),
				  .underline = pp->attrs & PRED_UNDERLINE ? VTERM_UNDERLINE_SINGLE : 0,
				  .italic = !!(pp->attrs & PRED_ITALIC),
				  .blink = !!(pp->attrs & PRED_BLINK),
				  .reverse = !!(pp->attrs & PRED_REVERSE),
				  .strike = !!(pp->attrs & PRED_STRIKE)},
			.fg = pp->fg, .bg = pp->bg};
	}
	ds_term_predict(w->term, cells, n, cells && o->cursor, o->row, o->col, o->underline);
	free(cells);
	w->v->paint_now = true;
	return true;
}

static void win_show(struct win *w, const void *buf, size_t n, bool echo);

/* pred_held: the answer held is composited, its acks, then its bytes. */
static void held_ack(void *ctx, uint32_t seq)
{
	struct win *w = ctx;

	pred_ack(w->pred, seq, base_now_ms());
}

static void held_show(void *ctx, const void *buf, size_t n)
{
	win_show(ctx, buf, n, false);
}

static void held_released(void *ctx)
{
	struct win *w = ctx;

	if (w->pred)
		win_predict(w);
	w->v->paint_now = true;
}

static const struct pred_held_ops win_held_ops = {held_ack, held_show, held_released};

/* Keys for the session, now. */
static void win_type(struct win *w, const char *bytes, size_t n)
{
	uint32_t seq0 = rp_desk_chan_seq(w->ch);
	int r = rp_desk_chan_keys(w->ch, bytes, n);


	if (r == -ENOSPC) { /* the link is down and what it keeps is full */
		if (!w->told_full)
			fprintf(stderr, "%s: %s: the link is down and more was typed "
					"than is kept: keys dropped\n", w->v->prog,
				w->name);
		w->told_full = true;
	} else if (r < 0) {
		fail(w->v, "the server is not reading input");
	}
	if (rp_desk_chan_seq(w->ch) != seq0)
		w->key_seq = rp_desk_chan_seq(w->ch);
	/* What is kept for the host is full (a program that does not read,
	 * a link gone silent): said in the title and the log, once a time;
	 * keys typed on are kept while it lasts only as far as it goes. */
	if (rp_desk_chan_keys_wait(w->ch) != w->told_wait) {
		w->told_wait = !w->told_wait;
		if (w->told_wait) {
			snprintf(w->note, sizeof w->note,
				 "[telly: %zu KiB typed that the server has not taken yet]",
				 rp_desk_chan_kept(w->ch) >> 10);
			fprintf(stderr, "%s: %s: %s\n", w->v->prog, w->name, w->note);
		} else {
			w->note[0] = 0;
		}
		win_show_title(w);
	}
	if (w->pred && rp_desk_chan_seq(w->ch) != seq0) {
		pred_cook_sent(&w->cook, rp_desk_chan_seq(w->ch), bytes, n, base_now_ms());
		pred_keys(w->pred, rp_desk_chan_seq(w->ch), bytes, n, base_now_ms());
		/* Its prediction drawn shows at once, the answer held with it. */
		if (win_predict(w))
			pred_held_release(&w->held);
	}
}

/* pred_cook: the keys kept while the program was cooked for a moment go
 * now, in the mode the line discipline is in now. */
static void cook_keys(void *ctx, const void *buf, size_t n)
{
	win_type(ctx, buf, n);
}

static const struct pred_cook_ops win_cook_ops = {cook_keys};

/* Keys for the session, kept while pred_cook waits. */
static void win_keys(struct win *w, const char *bytes, size_t n)
{
	if (w->pred)
		pred_cook_type(&w->cook, bytes, n, base_now_ms());
	else
		win_type(w, bytes, n);
}

/* Raw keys the host let go at a switch to canonical: typed again, as
 * keys typed now are. */
static void win_retype(void *ctx, const void *buf, size_t n)
{
	win_keys(ctx, buf, n);
}

/* The INPUTs that carried them: their predictions go (predict.h). */
static void win_let_go(void *ctx, uint32_t seq, uint32_t upto)
{
	struct win *w = ctx;

	if (w->pred) {
		pred_let_go(w->pred, seq, upto);
		win_predict(w);
	}
}

/* libvterm encoded a key (or a paste) for this window. */
static void term_out(void *ctx, const char *bytes, size_t n)
{
	struct win *w = ctx;

	if (w->v->readonly) {
		vx_watching(w->v->x);
		return;
	}
	if (w->note[0] && !w->gone) { /* the person has read it */
		w->note[0] = 0;
		win_show_title(w);
	}
	win_keys(w, bytes, n);
}

/* --- requests ---------------------------------------------------------- */

static void send_list(struct view *v)
{
	uint8_t buf[16];
	struct rp_enc e;
	long n;

	if (!v->c) { /* the link is down: asked again once it is back */
		v->list_due_ns = base_now_ns() + LIST_POLL_MS * 1000000ull;
		return;
	}
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, ++v->req);
	n = rp_enc_end(&e);
	if (n > 0)
		rp_conn_send(v->c, buf, (size_t)n);
	for (unsigned i = 0; i < v->nwins; i++)
		if (!v->wins[i]->drawn && !v->wins[i]->drawn_req)
			v->wins[i]->drawn_req = v->req;
	v->list_due_ns = base_now_ns() + LIST_POLL_MS * 1000000ull;
}

static struct kpty_winsize winsize_for(struct view *v, int rows, int cols)
{
	int cw, ch;

	ds_font_cell(v->font, &cw, &ch);
	return (struct kpty_winsize){.ws_row = (uint16_t)rows, .ws_col = (uint16_t)cols,
				     .ws_xpixel = (uint16_t)(cols * cw),
				     .ws_ypixel = (uint16_t)(rows * ch)};
}

/* Attach to session name (empty with create: a new one, named by the
 * host). */
static void send_open(struct view *v, const char *name, size_t n, bool create)
{
	uint8_t *frame;
	char nm[RP_MAX_NAME + 1];
	struct kpty_winsize ws = winsize_for(v, DEFAULT_ROWS, DEFAULT_COLS);
	long len;

	if (!v->c || v->nopening == PENDING_OPENS || n > RP_MAX_NAME)
		return;
	frame = malloc(RP_MAX_FRAME);
	if (!frame)
		return;
	memcpy(nm, name, n);
	nm[n] = 0;
	/* A new terminal on a far host starts in its default directory. */
	len = rp_desk_open_frame(frame, RP_MAX_FRAME, ++v->req,
				 (uint8_t)(RP_OPEN_ATTACH | (create ? RP_OPEN_CREATE : 0) |
					   (v->readonly ? RP_OPEN_READONLY : 0)),
				 nm, TERM_NAME, v->dest.host ? "" : NULL, &ws, NULL, 0);
	if (len > 0 && rp_conn_send(v->c, frame, (size_t)len) == 0) {
		v->opening[v->nopening].req = v->req;
		snprintf(v->opening[v->nopening].name, sizeof v->opening[0].name, "%s", nm);
		v->nopening++;
	}
	free(frame);
}

static void send_kill(struct view *v, const char *name)
{
	uint8_t buf[16 + RP_MAX_NAME];
	struct rp_enc e;
	long n;

	if (!v->c)
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_KILL, 0, 0);
	rp_put_u32(&e, ++v->req);
	rp_put_str(&e, name, strlen(name));
	n = rp_enc_end(&e);
	if (n > 0)
		rp_conn_send(v->c, buf, (size_t)n);
}

static bool opening_take(struct view *v, uint32_t req)
{
	for (unsigned i = 0; i < v->nopening; i++) {
		if (v->opening[i].req == req) {
			v->opening[i] = v->opening[--v->nopening];
			return true;
		}
	}
	return false;
}

static bool opening_name(struct view *v, const char *name, size_t n)
{
	for (unsigned i = 0; i < v->nopening; i++)
		if (strlen(v->opening[i].name) == n && !memcmp(v->opening[i].name, name, n))
			return true;
	return false;
}

/* --- window manager actions ------------------------------------------- */

static void apply(struct view *v, struct wm_actions *o);
static void link_retry(struct view *v);
static void link_gone(struct view *v, const char *why, bool dead);
static void remove_window(struct view *v, struct win *w);
static void copy(struct view *v, struct win *w, enum ds_clip_sel sel);
static void paste(struct view *v, struct win *w, enum ds_clip_sel sel);

static void resized(struct view *v, struct win *w, const struct wm_box *box)
{
	int rows, cols, r0, c0;
	struct kpty_winsize ws;

	ds_comp_grid(v->comp, &v->wm, box, &rows, &cols);
	ds_term_size(w->term, &r0, &c0);
	if (rows == r0 && cols == c0)
		return;
	ds_term_resize(w->term, rows, cols);
	if (w->pred)
		pred_resize(w->pred, rows, cols);
	ws = winsize_for(v, rows, cols);
	if (!v->readonly)
		rp_desk_chan_winsize(w->ch, &ws);
}

static void key_to(struct view *v, struct win *w, const struct wm_action *a)
{
	w->echoed = false;
	uint32_t seq0 = rp_desk_chan_seq(w->ch);

	ds_term_key(w->term, a->keysym, a->mods, v->key_cp);
	if (!v->cur_live)
		return;
	v->cur.chan = w->chan;
	v->cur.t_ld = base_now_ns();
	if (w->echoed && v->npaint < PROBES) {
		v->cur.t_recv = v->cur.t_vt = v->cur.t_ld;
		v->await_paint[v->npaint++] = v->cur;
	} else if (rp_desk_chan_seq(w->ch) != seq0 && v->nout < PROBES) {
		v->cur.seq = rp_desk_chan_seq(w->ch);
		v->await_out[v->nout++] = v->cur;
	}
	v->cur_live = false;
}

static void apply(struct view *v, struct wm_actions *o)
{
	for (unsigned i = 0; i < o->n; i++) {
		const struct wm_action *a = &o->a[i];
		struct win *w = a->window ? win_by_chan(v, (uint16_t)a->window) : NULL;
		if (a->window >= VX_ID_BASE) {
			vx_action(v->x, a, v->key);
			continue;
		}
		switch (a->type) {
		case WM_ACT_GEOMETRY:
			if (w)
				resized(v, w, &a->box);
			break;
		case WM_ACT_KEY:
			if (w)
				key_to(v, w, a);
			break;
		case WM_ACT_NEW_TERMINAL:
			if (!v->readonly)
				send_open(v, "", 0, true);
			break;
		case WM_ACT_CLOSE:
			if (w && w->gone) /* nothing on the host to close */
				remove_window(v, w);
			else if (w && !v->readonly)
				send_kill(v, w->name);
			break;
		case WM_ACT_CURSOR:
			ds_comp_cursor(v->comp, a->x, a->y);
			break;
		case WM_ACT_COPY:
			if (w)
				copy(v, w, DS_CLIP_CLIPBOARD);
			break;
		case WM_ACT_PASTE:
		case WM_ACT_PASTE_PRIMARY:
			if (w)
				paste(v, w, a->type == WM_ACT_PASTE ? DS_CLIP_CLIPBOARD : DS_CLIP_PRIMARY);
			break;
		case WM_ACT_RECONNECT:
			link_retry(v);
			break;
		case WM_ACT_FOCUS:
			break;
		}
	}
	o->n = 0;
	ds_comp_sync(v->comp, &v->wm);
}

/* --- the mouse for programs that ask for it (xterm 1000/1002/1003) ---- */

static struct win *focused(struct view *v);

/* The cell of w under the pointer (0-based); false when the pointer is
 * not on w's cells (its decoration, the spare pixels past the grid,
 * another window on top). */
static bool cell_at(struct view *v, struct win *w, int *row, int *col)
{
	const struct wm_window *ww = wm_find(&v->wm, w->chan);
	enum wm_part part;
	struct wm_box in;
	int cw, ch, rows, cols, x, y;

	if (!ww)
		return false;
	in = wm_client_box(&v->wm, &ww->box);
	ds_font_cell(v->font, &cw, &ch);
	ds_term_size(w->term, &rows, &cols);
	x = (int)v->wm.cx - in.x;
	y = (int)v->wm.cy - in.y;
	*col = x < 0 ? -1 : x / cw;
	*row = y < 0 ? -1 : y / ch;
	return x >= 0 && y >= 0 && *col < cols && *row < rows &&
	       wm_at(&v->wm, (int)v->wm.cx, (int)v->wm.cy, &part, NULL) == ww &&
	       part == WM_PART_CLIENT;
}

/* A button for the program under the pointer: true if it took it.
 * Shift+click stays the desk's, as in xterm; so does a click that
 * focuses a window. */
static bool mouse_button(struct view *v, const struct ds_event *ev)
{
	unsigned bit = ev->button >= 1 && ev->button <= 3 ? 1u << ev->button : 0;
	struct win *w;
	int row, col;

	if (!ev->pressed) {
		if (!(v->mouse_held & bit))
			return ev->button == 4 || ev->button == 5;
		v->mouse_held &= ~bit;
		w = win_by_chan(v, v->mouse_chan);
		if (w) {
			cell_at(v, w, &row, &col);
			ds_term_mouse(w->term, row, col, ev->button, false, ev->mods);
		}
		return true;
	}
	if (v->wm.drag || (ev->mods & WM_MOD_SHIFT))
		return false;
	w = focused(v);
	if (!w || !ds_term_mouse_wanted(w->term) || !cell_at(v, w, &row, &col))
		return false;
	if (v->mouse_held && v->mouse_chan != w->chan)
		return true; /* a button is held in another window still */
	v->mouse_chan = w->chan;
	v->mouse_held |= bit;
	ds_term_mouse(w->term, row, col, ev->button, true, ev->mods);
	return true;
}

/* The pointer moved: the program whose button is held, or the focused
 * one under the pointer, hears of it if its mode says so (libvterm
 * decides: drag with a button held, or any move). */
static void mouse_motion(struct view *v)
{
	struct win *w = v->mouse_held ? win_by_chan(v, v->mouse_chan) : focused(v);
	int row, col;

	if (!w) {
		v->mouse_held = 0;
		return;
	}
	if (v->wm.drag || !ds_term_mouse_wanted(w->term))
		return;
	if (cell_at(v, w, &row, &col) || v->mouse_held)
		ds_term_mouse(w->term, row, col, 0, false, 0);
}

/* --- selection, clipboard, scrollback: what the desk does with the mouse - */

/* Text for a selection of the desk (PRIMARY or CLIPBOARD). */
static void clip_set(struct view *v, enum ds_clip_sel sel, const char *text, size_t n)
{
	char *copy;

	if (v->clip) {
		ds_clip_set(v->clip, sel, text, n);
		return;
	}
	if (!(copy = malloc(n + 1)))
		return;
	memcpy(copy, text, n);
	copy[n] = 0;
	free(v->own[sel]);
	v->own[sel] = copy;
	v->own_n[sel] = n;
}

static void paste_pump(struct view *v);

/* A selection's text came: typed into the window that asked, a piece at
 * a time (paste_pump). */
static void pasted(void *ctx, const char *text, size_t n)
{
	struct view *v = ctx;
	struct win *w = win_by_chan(v, v->sel_chan);

	if (!w || !text || v->readonly)
		return;
	if (w->paste) /* the one before is cut short: its bracket closes */
		ds_term_paste_part(w->term, "", 0, false, true);
	free(w->paste);
	w->paste_off = 0;
	w->paste_n = n > DS_PASTE_MAX_BYTES ? DS_PASTE_MAX_BYTES : n;
	while (w->paste_n < n && w->paste_n && (text[w->paste_n] & 0xc0) == 0x80)
		w->paste_n--; /* cut at a character */
	if (!(w->paste = malloc(w->paste_n ? w->paste_n : 1)))
		return;
	memcpy(w->paste, text, w->paste_n);
	paste_pump(v);
}

/* The next piece of each window's paste, if what went before has left. */
static void paste_pump(struct view *v)
{
	for (unsigned i = 0; i < v->nwins; i++) {
		struct win *w = v->wins[i];
		size_t k;
		if (!w->paste || !rp_desk_chan_up(w->ch) || rp_conn_queued(v->c))
			continue;
		k = w->paste_n - w->paste_off;
		if (k > PASTE_PIECE_BYTES) {
			k = PASTE_PIECE_BYTES;
			/* Never inside a character, nor between CR and LF. */
			while (k > 1 && ((w->paste[w->paste_off + k] & 0xc0) == 0x80 ||
					 (w->paste[w->paste_off + k] == '\n' &&
					  w->paste[w->paste_off + k - 1] == '\r')))
				k--;
		}
		ds_term_paste_part(w->term, w->paste + w->paste_off, k, w->paste_off == 0,
				   w->paste_off + k == w->paste_n);
		w->paste_off += k;
		if (w->paste_off == w->paste_n) {
			free(w->paste);
			w->paste = NULL;
		}
	}
}

/* Keys that did not fit in the connection's queue (a link gone silent,
 * not yet known dead) wait in their channel's log: sent once it drained. */
static void keys_pump(struct view *v)
{
	for (unsigned i = 0; v->c && i < v->nwins; i++)
		if (v->wins[i]->ch)
			rp_desk_chan_pump(v->wins[i]->ch);
}

static bool keys_waiting(const struct view *v)
{
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->ch && rp_desk_chan_backlog(v->wins[i]->ch))
			return true;
	return false;
}

static bool pasting(const struct view *v)
{
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->paste && rp_desk_chan_up(v->wins[i]->ch))
			return true;
	return false;
}

static void paste(struct view *v, struct win *w, enum ds_clip_sel sel)
{
	v->sel_chan = w->chan;
	if (v->clip)
		ds_clip_get(v->clip, sel, pasted, v);
	else if (v->own[sel])
		pasted(v, v->own[sel], v->own_n[sel]);
}

static void copy(struct view *v, struct win *w, enum ds_clip_sel sel)
{
	size_t n;
	char *text = ds_term_selection(w->term, &n);

	if (text)
		clip_set(v, sel, text, n);
	free(text);
}

/* A desk program copied: an X window with the focus takes it at once. */
static void desk_copied(void *ctx, enum ds_clip_sel sel)
{
	struct view *v = ctx;

	if (v->x)
		vx_desk_copied(v->x, sel);
}

/* A program set the clipboard (OSC 52; only with --osc52-write). */
static void osc52(void *ctx, enum ds_clip_sel sel, const char *text, size_t n)
{
	clip_set(((struct win *)ctx)->v, sel, text, n);
}

static void select_motion(struct view *v)
{
	struct win *w = v->selecting ? win_by_chan(v, v->sel_chan) : NULL;
	int row, col;

	if (w) {
		cell_at(v, w, &row, &col);
		ds_term_select_to(w->term, row, col);
	}
}

/* A button the program did not take: the wheel scrolls the history of
 * the window under the pointer, button 1 on the cells selects (twice a
 * word, three times a line) and the release makes it PRIMARY, button 2
 * pastes PRIMARY. */
static void desk_button(struct view *v, const struct ds_event *ev)
{
	enum wm_part part;
	const struct wm_window *ww = wm_at(&v->wm, (int)v->wm.cx, (int)v->wm.cy, &part, NULL);
	struct win *w = ww ? win_by_chan(v, (uint16_t)ww->id) : NULL;
	uint64_t now = ev->time_us / 1000;
	int row, col;

	if (!ev->pressed) {
		if (ev->button == 1 && v->selecting) {
			select_motion(v);
			v->selecting = false;
			if ((w = win_by_chan(v, v->sel_chan)))
				copy(v, w, DS_CLIP_PRIMARY);
		}
		return;
	}
	if (!w || v->wm.drag)
		return;
	if (ev->button == 4 || ev->button == 5) {
		ds_term_scroll(w->term, ev->button == 4 ? DS_WHEEL_LINES : -DS_WHEEL_LINES);
		return;
	}
	if (part != WM_PART_CLIENT)
		return;
	cell_at(v, w, &row, &col);
	if (ev->button == 1) {
		if (v->click_chan == w->chan && row == v->click_row && col == v->click_col &&
		    now - v->click_ms <= MULTICLICK_MS)
			v->clicks = v->clicks % 3 + 1;
		else
			v->clicks = 1;
		v->click_chan = w->chan;
		v->click_row = row;
		v->click_col = col;
		v->click_ms = now;
		for (unsigned i = 0; i < v->nwins; i++)
			ds_term_select_clear(v->wins[i]->term);
		ds_term_select(w->term, row, col,
			       v->clicks == 1 ? DS_SEL_CHAR : v->clicks == 2 ? DS_SEL_WORD : DS_SEL_LINE);
		v->selecting = true;
		v->sel_chan = w->chan;
	} else if (ev->button == 2) {
		paste(v, w, DS_CLIP_PRIMARY);
	}
}

static bool paint_write(struct view *v, const char *buf, size_t n);

static void on_event(void *ctx, const struct ds_event *ev)
{
	struct view *v = ctx;
	struct wm_actions o = {0};

	if (ev->type == DS_EV_BUTTON)
		v->keep_focus = 0; /* the person clicks: the focus is theirs */
	switch (ev->type) {
	case DS_EV_KEY:
		if (!ev->pressed) {
			/* X programs hear releases (terminals do not), in the
			 * window the key went to. */
			vx_key_release(v->x, ev);
			return;
		}
		if (v->paint_fd >= 0) { /* the key as the view got it, for --paint-fd's reader */
			char k[64];
			snprintf(k, sizeof k, "key %llu %x\n", (unsigned long long)ev->time_us,
				 ev->keysym);
			paint_write(v, k, strlen(k));
		}
		v->key_cp = ev->codepoint;
		v->cur_live = v->stats;
		if (v->stats)
			v->cur = (struct probe){.t_key = base_now_ns()};
		v->key = ev;
		wm_key(&v->wm, ev->keysym, ev->mods, &o);
		apply(v, &o);
		v->key = NULL;
		v->cur_live = false;
		return;
	case DS_EV_MOTION:
		wm_motion(&v->wm, ev->dx, ev->dy, ev->time_us, &o);
		apply(v, &o);
		mouse_motion(v);
		select_motion(v);
		vx_pointer(v->x);
		return;
	case DS_EV_POINTER:
		wm_warp(&v->wm, ev->x, ev->y, &o);
		apply(v, &o);
		mouse_motion(v);
		select_motion(v);
		vx_pointer(v->x);
		return;
	case DS_EV_BUTTON:
		if (vx_button(v->x, ev) || mouse_button(v, ev))
			return;
		wm_button(&v->wm, ev->button, ev->pressed, &o);
		apply(v, &o);
		desk_button(v, ev);
		return;
	case DS_EV_RESIZE:
		wm_set_screen(&v->wm, ev->w, ev->h, &o);
		ds_comp_reset(v->comp);
		vx_desk_resized(v->x); /* the X displays follow the desktop */
		break;
	case DS_EV_CLOSE:
		v->done = true;
		return;
	case DS_EV_KEYMAP: /* terminals' keys come with the new keysyms; X sessions need it */
		vx_keymap_changed(v->x);
		return;
	case DS_EV_BLUR:
		vx_blur(v->x);
		return;
	case DS_EV_FOCUS:
		vx_focus_back(v->x);
		return;
	}
	apply(v, &o);
}

/* --- what a window's channel hands us ----------------------------------- */

static void remove_window(struct view *v, struct win *w);

static void win_show(struct win *w, const void *buf, size_t n, bool echo)
{
	ds_term_write(w->term, buf, n);
	if (w->pred) {
		pred_output(w->pred, buf, n);
		win_predict(w);
	}
	win_show_title(w);
	if (echo) {
		w->echoed = true;
		w->v->paint_now = true;
	}
}

static void win_output(void *ctx, const void *buf, size_t n, bool echo)
{
	struct win *w = ctx;

	if (w->record_fd >= 0)
		base_write_all(w->record_fd, buf, n, -1);
	/* A key's echo, or an answer too big to keep, shows at once, after
	 * what was kept. */
	if (pred_held_output(&w->held, buf, n, echo) == PRED_HELD_KEPT)
		return;
	win_show(w, buf, n, echo);
}

static void win_ack(void *ctx, uint32_t ack)
{
	struct win *w = ctx;
	struct view *v = w->v;
	long now = base_now_ms();

	if (w->pred) {
		if (pred_held_ack(&w->held, ack, pred_srtt_ms(w->pred), now)) /* else with the bytes */
			pred_ack(w->pred, ack, now);
	}
	if (w->key_seq && (int32_t)(ack - w->key_seq) >= 0) {
		w->key_seq = 0;
		v->paint_now = true;
	}
}

static void win_timing(void *ctx, const struct rp_timing *tm)
{
	struct win *w = ctx;
	struct view *v = w->v;

	for (unsigned i = 0; i < v->npaint; i++) {
		if (v->await_paint[i].chan == w->chan && v->await_paint[i].seq == tm->seq) {
			v->await_paint[i].host = true;
			v->await_paint[i].h = *tm;
		}
	}
}

static void win_context(void *ctx, const struct rp_context *c)
{
	struct win *w = ctx;
	struct pred_context pc = {.flags = c->flags, .pgid = c->pgid};

	if (!w->pred)
		return;
	memcpy(pc.comm, c->comm.p, c->comm.n < PRED_COMM_BYTES ? c->comm.n : PRED_COMM_BYTES);
	pred_held_context(&w->held, c->pgid);
	pred_cook_context(&w->cook, c->pgid); /* a host that says CONSUMED */
	pred_context(w->pred, c->seq, &pc);
	win_predict(w);
}

/* The host's termios, the line discipline already following it. */
static void win_termios(void *ctx, const struct kpty_termios *t)
{
	struct win *w = ctx;

	(void)t;
	if (w->pred)
		pred_cook_mode(&w->cook, rp_desk_chan_local(w->ch), base_now_ms());
}

static void win_consumed(void *ctx, uint32_t seq)
{
	struct win *w = ctx;

	if (!w->pred)
		return;
	pred_cook_consumed(&w->cook, seq); /* a canonical read: echoed here now */
	pred_held_consumed(&w->held, seq); /* the answer is whole: composited */
	pred_consumed(w->pred, seq);
	win_predict(w);
}

/* Answers held past PRED_HOLD_MAX_MS (the program did not wait again)
 * composited, and keys kept past PRED_COOK_MAX_MS typed; returns the ms
 * until the next one is due (-1: none). */
static long holds_due(struct view *v)
{
	long now = base_now_ms(), wait = -1;

	for (unsigned i = 0; i < v->nwins; i++) {
		struct win *w = v->wins[i];
		long h, k;
		pred_held_due(&w->held, now);
		pred_cook_due(&w->cook, now);
		h = pred_held_wait_ms(&w->held, now);
		k = pred_cook_wait_ms(&w->cook, now);
		if (h >= 0 && (wait < 0 || h < wait))
			wait = h;
		if (k >= 0 && (wait < 0 || k < wait))
			wait = k;
	}
	return wait;
}

static void win_exit(void *ctx, int32_t status)
{
	struct win *w = ctx;

	(void)status;
	remove_window(w->v, w);
}

/* A host's message as the desk's terminal may take it: cleaned as titles
 * are (no escape sequence of the host's retitles or redraws it). */
static const char *host_words(const struct rp_str *m, char *buf, size_t n)
{
	ds_text_clean(m->p, m->n, buf, n);
	return buf;
}

static void on_error(struct view *v, const struct rp_error *err, bool fatal)
{
	char msg[VX_HOST_WORDS_MAX];

	if (fatal) {
		snprintf(v->why, sizeof v->why, "server closed the connection: %s",
			 host_words(&err->msg, msg, sizeof msg));
		v->done = true;
		v->rc = 1;
	} else if (opening_take(v, err->req) && !rp_err_noent(err->code)) {
		fprintf(stderr, "%s: %s\n", v->prog, host_words(&err->msg, msg, sizeof msg));
	}
}

static void win_error(void *ctx, const struct rp_error *err, bool fatal)
{
	struct win *w = ctx;

	on_error(w->v, err, fatal);
}

static void link_up(struct view *v);

/* The host took the channel back (RESUMED): what it missed follows, and
 * the keys it did not take went again. */
static void win_resumed(void *ctx, bool exact, bool keys_lost)
{
	struct win *w = ctx;

	(void)exact; /* not exact: the redraw that follows is the screen */
	w->resume_req = 0;
	w->wire = rp_desk_chan_id(w->ch);
	w->told_full = false;
	if (keys_lost)
		fprintf(stderr, "%s: %s: more was typed than could be kept while the "
				"link was down: some keys were lost\n", w->v->prog,
			w->name);
	link_up(w->v);
	win_show_title(w);
}

/* The host no longer has the channel (its wait ran out, or the daemon
 * was restarted): the session is asked for again by name, into the same
 * window (its place, size, stacking and focus stay), as telly attach
 * does; the answer comes to win_reopened. */
static void win_reopen(struct win *w, const struct rp_error *e)
{
	struct view *v = w->v;
	uint8_t *frame = malloc(RP_MAX_FRAME);
	int rows, cols;
	long n = -ENOMEM;

	ds_term_size(w->term, &rows, &cols);
	struct kpty_winsize ws = winsize_for(v, rows, cols);
	if (frame)
		n = rp_desk_open_frame(frame, RP_MAX_FRAME, ++v->req,
				       (uint8_t)(RP_OPEN_ATTACH | (v->readonly ? RP_OPEN_READONLY : 0)),
				       w->name, TERM_NAME, v->dest.host ? "" : NULL, &ws, NULL, 0);
	if (n < 0 || rp_conn_send(v->c, frame, (size_t)n) < 0) {
		free(frame);
		v->gone_due = "cannot ask to attach again";
		return;
	}
	free(frame);
	w->resume_req = 0; /* answered */
	w->reopen_req = v->req;
	v->resume_sent_ms = base_now_ms(); /* its answer is timed from now */
	char msg[VX_HOST_WORDS_MAX];
	fprintf(stderr, "%s: %s: attaching again (%s)\n", w->v->prog, w->name,
		host_words(&e->msg, msg, sizeof msg));
}

/* OK or ERROR for win_reopen's OPEN: the window's channel is back, with
 * the redraw of any attach, or its session is gone. False: not one. */
static bool win_reopened(struct view *v, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_error e;
	struct rp_str got;
	struct win *w = NULL;
	uint32_t req = 0;
	char msg[VX_HOST_WORDS_MAX];

	if (h->type == RP_ERROR && !h->chan && rp_error_decode(p, h->len, &e) == 0)
		req = e.req;
	else if (h->type != RP_OK || !h->chan || rp_req_str_decode(p, h->len, &req, &got) < 0)
		return false;
	for (unsigned i = 0; req && !w && i < v->nwins; i++)
		if (v->wins[i]->reopen_req == req)
			w = v->wins[i];
	if (!w)
		return false;
	w->reopen_req = 0;
	if (h->type == RP_ERROR) {
		if (rp_err_noent(e.code))
			snprintf(w->note, sizeof w->note,
				 "[telly: session %s is gone: it ended, or its server was restarted, "
				 "while the link was down]", w->name);
		else
			snprintf(w->note, sizeof w->note, "[telly: could not attach to %s again: %s]",
				 w->name, host_words(&e.msg, msg, sizeof msg));
		w->gone = true;
	} else {
		size_t lost = rp_desk_chan_reattached(w->ch, v->c, h->chan);
		char keys[64] = "";
		w->wire = h->chan;
		w->gone = false; /* a gone one's name listed again (on_list) */
		w->told_full = false;
		w->key_seq = 0;
		if (lost)
			snprintf(keys, sizeof keys, ", %zu key bytes not resent", lost);
		snprintf(w->note, sizeof w->note, "[telly: %s attached anew%s: its channel was gone]",
			 w->name, keys);
	}
	fprintf(stderr, "%s: %s\n", v->prog, w->note);
	link_up(v);
	win_show_title(w);
	return true;
}

/* The host would not take it back: with no channel of that token (its
 * wait ran out, the daemon restarted) it is attached anew in place;
 * otherwise the window goes, as at the session's end. */
static void win_refused(void *ctx, const struct rp_error *e)
{
	struct win *w = ctx;

	if (rp_err_noent(e->code) && w->v->c && !w->gone) {
		win_reopen(w, e);
		return;
	}
	char msg[VX_HOST_WORDS_MAX];
	fprintf(stderr, "%s: could not resume %s after the link was lost: %s\n", w->v->prog,
		w->name, host_words(&e->msg, msg, sizeof msg));
	remove_window(w->v, w);
}

static const struct rp_desk_chan_ops win_chan_ops = {
	.output = win_output, .ack = win_ack, .termios = win_termios, .timing = win_timing,
	.context = win_context, .consumed = win_consumed, .exit = win_exit,
	.error = win_error, .resumed = win_resumed, .refused = win_refused,
	.retype = win_retype, .let_go = win_let_go,
};

/* --- windows come and go ---------------------------------------------- */

static void win_destroy(struct win *w)
{
	if (!w)
		return;
	rp_desk_chan_destroy(w->ch);
	if (w->record_fd >= 0)
		close(w->record_fd);
	ds_term_destroy(w->term);
	pred_destroy(w->pred);
	pred_held_finish(&w->held);
	free(w->paste);
	free(w);
}

static void add_window(struct view *v, uint16_t chan, const char *name, size_t n)
{
	struct win *w;
	struct wm_actions o = {0};
	int cw, ch, bw = v->wm.cfg.border;

	if (v->nwins == WM_MAX_WINDOWS || win_by_wire(v, chan))
		return;
	w = calloc(1, sizeof *w);
	if (!w)
		return;
	w->v = v;
	w->record_fd = -1;
	w->wire = chan;
	pred_held_init(&w->held, &win_held_ops, w);
	pred_cook_init(&w->cook, &win_cook_ops, w);
	pred_cook_set_max_ms(&w->cook, v->cook_max_ms);
	/* Its id: the channel number, unless a window resumed on another
	 * number keeps it as its id. */
	w->chan = chan;
	while (win_by_chan(v, w->chan))
		w->chan = (uint16_t)(w->chan % (VX_ID_BASE - 1) + 1);
	snprintf(w->name, sizeof w->name, "%.*s", (int)n, name);
	w->term = ds_term_create(v->font, DEFAULT_ROWS, DEFAULT_COLS, term_out, w);
	if (v->dest.caps & RP_CAP_CONTEXT) /* none: no predictions, the window goes on */
		w->pred = pred_create(DEFAULT_ROWS, DEFAULT_COLS, v->predict);
	/* --record: a name that is a file name in DIR (never a path). */
	if (v->record && n && name[0] != '.' && !memchr(name, '/', n)) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", v->record, w->name);
		w->record_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (w->record_fd < 0)
			fprintf(stderr, "%s: --record: %s: %s\n", v->prog, path, strerror(errno));
	}
	if (w->term && v->osc52_write)
		ds_term_set_osc52(w->term, osc52, w);
	w->ch = rp_desk_chan_create(v->c, chan,
				    RP_DESK_LINEMODE | (v->readonly ? RP_DESK_READONLY : 0),
				    &win_chan_ops, w);
	if (!w->term || !w->ch || ds_comp_add(v->comp, chan, w->name, w->term) < 0) {
		win_destroy(w);
		return;
	}
	v->wins[v->nwins++] = w;
	ds_font_cell(v->font, &cw, &ch);
	wm_manage(&v->wm, chan, DEFAULT_COLS * cw + 2 * bw,
		  DEFAULT_ROWS * ch + 2 * bw + v->wm.cfg.title_h, &o);
	apply(v, &o);
	v->list_due_ns = base_now_ns(); /* a LIST now says when it is drawn */
}

static void remove_window(struct view *v, struct win *w)
{
	struct wm_actions o = {0};

	for (unsigned i = 0; i < v->nwins; i++) {
		if (v->wins[i] == w) {
			v->wins[i] = v->wins[--v->nwins];
			break;
		}
	}
	ds_comp_remove(v->comp, w->chan);
	wm_unmanage(&v->wm, w->chan, &o);
	apply(v, &o);
	win_destroy(w);
}

/* --- frames from the host ---------------------------------------------- */

static void probes_answered(struct view *v, uint16_t chan, uint32_t ack, uint64_t t_recv)
{
	for (unsigned i = 0; i < v->nout;) {
		struct probe *p = &v->await_out[i];
		if (p->chan == chan && (int32_t)(ack - p->seq) >= 0) {
			p->t_recv = t_recv;
			p->t_vt = base_now_ns();
			if (v->npaint < PROBES)
				v->await_paint[v->npaint++] = *p;
			*p = v->await_out[--v->nout];
		} else {
			i++;
		}
	}
}

static void on_list(struct view *v, const uint8_t *p, uint32_t len)
{
	uint32_t req;
	uint16_t count;
	size_t off;
	struct rp_session_info s;

	if (rp_list_reply_decode(p, len, &req, &count, &off) < 0) {
		fail(v, "malformed LIST_REPLY from the server");
		return;
	}
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->drawn_req && (int32_t)(req - v->wins[i]->drawn_req) >= 0)
			v->wins[i]->drawn = true;
	struct rp_str names[PENDING_OPENS];
	unsigned nnew = 0;
	size_t xoff = off;

	/* The X sessions (listed after all of them) are the X side's. */
	for (uint16_t i = 0; i < count; i++)
		if (rp_list_entry_decode(p, len, &xoff, &s) < 0)
			break;
	if (vx_list(v->x, p, len, xoff) < 0) {
		fail(v, "malformed X part of LIST_REPLY from the server");
		return;
	}
	/* The X session named is listed, but not as one: a terminal or a
	 * console (a text size; an X session has none, and the X part may
	 * not hold every one of them), whose channel the X side would wait
	 * on for good. */
	for (size_t at = off, i = 0; v->xname && i < count; i++) {
		if (rp_list_entry_decode(p, len, &at, &s) < 0)
			break;
		if (strlen(v->xname) == s.name.n && !memcmp(v->xname, s.name.p, s.name.n) &&
		    (s.rows || s.cols) && vx_listed(v->x, s.name.p, s.name.n) != 1) {
			char msg[RP_MAX_NAME + 80];
			snprintf(msg, sizeof msg, "session %s is not an X session: telly attach shows it",
				 v->xname);
			fail(v, msg);
			return;
		}
	}
	if (v->seamless) { /* X windows only */
		v->listed = true;
		return;
	}
	for (uint16_t i = 0; i < count; i++) {
		if (rp_list_entry_decode(p, len, &off, &s) < 0) {
			fail(v, "malformed LIST_REPLY from the server");
			return;
		}
		struct win *w = win_by_name(v, s.name.p, s.name.n);
		if (vx_has(v->x, s.name.p, s.name.n))
			continue;
		if (w && w->gone && !w->reopen_req && v->c) {
			/* A session of its name again (started since): attached in
			 * place, or the name would be blocked while it is shown. */
			static const char again[] = "a session of that name is listed again";
			ds_title_clean(s.cmd.p, s.cmd.n, w->cmd, sizeof w->cmd);
			win_reopen(w, &(struct rp_error){.msg = {again, sizeof again - 1}});
		} else if (w) {
			ds_title_clean(s.cmd.p, s.cmd.n, w->cmd, sizeof w->cmd);
			win_show_title(w);
		} else if (!opening_name(v, s.name.p, s.name.n) && nnew < PENDING_OPENS) {
			names[nnew++] = s.name;
		}
	}
	/* The host lists the newest first; opened oldest first, the newest
	 * ends on top with the focus. The rest come with the next LIST. */
	while (nnew--)
		send_open(v, names[nnew].p, names[nnew].n, false);
	/* Nothing to show on a first look: start a shell, as tmux does. */
	if (!v->listed && !count && !v->nopening && !v->readonly)
		send_open(v, "", 0, true);
	v->listed = true;
}

static void on_frame(struct view *v, const struct rp_hdr *h, const uint8_t *p)
{
	struct win *w = h->chan ? win_by_wire(v, h->chan) : NULL;
	struct rp_error err;
	struct rp_str name;
	uint32_t req;
	bool output = h->type == RP_OUTPUT || h->type == RP_OUTPUT_LZ4;
	uint64_t t = w && output && v->nout ? base_now_ns() : 0;
	int r;
	uint64_t stamp;

	if (h->type == RP_PONG && !h->chan && rp_u64_decode(p, h->len, &stamp) == 0) {
		if (rp_link_pong(&v->link, stamp, base_now_ns() / 1000, base_now_ms())) {
			for (unsigned i = 0; i < v->nwins; i++)
				rp_desk_chan_set_rtt(v->wins[i]->ch, rp_link_rtt_us(&v->link));
			vx_set_rtt(v->x, rp_link_rtt_us(&v->link));
			vx_pong(v->x); /* the X input sent before its PING was taken */
			for (unsigned i = 0; i < v->nwins; i++) /* and the keys */
				rp_desk_chan_pong(v->wins[i]->ch);
		}
		return;
	}
	if (rp_desk_answer_ping(v->c, h, p) > 0) /* the host's heartbeat */
		return;
	if (win_reopened(v, h, p))
		return;
	if (h->type == RP_RESUMED || (h->type == RP_ERROR && !h->chan)) {
		/* The answer to a window's RESUME, by its request. */
		struct rp_resumed m;
		uint32_t rq = 0;
		if (h->type == RP_RESUMED && rp_resumed_decode(p, h->len, &m) == 0)
			rq = m.req;
		else if (h->type == RP_ERROR && rp_error_decode(p, h->len, &err) == 0)
			rq = err.req;
		for (unsigned i = 0; rq && i < v->nwins; i++) {
			if (v->wins[i]->resume_req == rq) {
				if (rp_desk_chan_frame(v->wins[i]->ch, h, p) < 0)
					goto malformed;
				return;
			}
		}
		/* A window closed while its RESUME was on the way: the host
		 * has its channel back, which nobody shows. */
		if (h->type == RP_RESUMED && rq && rq >= v->flight_lo && rq <= v->flight_hi) {
			rp_desk_send_empty(v->c, RP_DETACH, h->chan);
			return;
		}
		/* Not a window's: an X session's, or one that went meanwhile
		 * (vx_frame takes every RESUMED). */
	}
	if (w && h->type == RP_SNAPSHOT)
		ds_term_history_clear(w->term); /* the snapshot prints the host's again */
	r = w ? rp_desk_chan_frame(w->ch, h, p) : 0; /* EXIT removes w */
	uint32_t focus = v->wm.focus;
	if (!w && (r = vx_frame(v->x, h, p)) != 0) {
		if (v->keep_focus && v->wm.focus != focus && v->wm.focus >= VX_ID_BASE &&
		    wm_find(&v->wm, v->keep_focus)) {
			struct wm_actions o = {0};
			wm_focus(&v->wm, v->keep_focus, &o);
			apply(v, &o);
		}
		if (vx_drawn(v->x))
			v->keep_focus = 0; /* every X window is back */
		if (v->link.state == RP_LINK_DIALING && v->c && !v->dialer && !vx_awaiting(v->x))
			link_up(v); /* the X sessions' answers came */
		if (r < 0) {
			snprintf(v->why, sizeof v->why, "%s", vx_why(v->x));
			v->done = true;
			v->rc = 1;
		} else if (vx_take_paint_now(v->x)) {
			v->paint_now = true;
		}
		return;
	}

	if (r > 0) {
		/* Received at t, through libvterm by now. */
		if (t)
			probes_answered(v, w->chan, rp_desk_chan_acked(w->ch), t);
		return;
	}
	if (r < 0)
		goto malformed;
	switch (h->type) {
	case RP_LIST_REPLY:
		on_list(v, p, h->len);
		return;
	case RP_OK:
		if (rp_req_str_decode(p, h->len, &req, &name) < 0)
			goto malformed;
		if (opening_take(v, req) && h->chan)
			add_window(v, h->chan, name.p, name.n);
		return;
	case RP_ERROR:
		if (rp_error_decode(p, h->len, &err) < 0)
			goto malformed;
		on_error(v, &err, h->flags & RP_F_FATAL);
		return;
	default:
		return; /* a window that went, or newer servers' frames */
	}
malformed:
	snprintf(v->why, sizeof v->why, "malformed %s frame from the server",
		 rp_type_name(h->type));
	v->done = true;
	v->rc = 1;
}

/* --- repaint, screenshots, keystroke-to-pixel -------------------------- */

static struct win *focused(struct view *v);

/* A record for --paint-fd; false once it could not be written (the
 * reader gone, or stuck for PAINT_STALL_MS): no more are. */
static bool paint_write(struct view *v, const char *buf, size_t n)
{
	if (base_write_all(v->paint_fd, buf, n, PAINT_STALL_MS) == n)
		return true;
	fprintf(stderr, "%s: --paint-fd: %s: no more paints reported\n", v->prog, strerror(errno));
	v->paint_fd = -1;
	return false;
}

/* --paint-fd: what the repaint at t_ns drew of the focused terminal
 * window, when it differs from the last record:
 *   paint T_US ROWS COLS CURSOR_ROW CURSOR_COL CURSOR_SHOWN
 * then ROWS lines, each row's cells as drawn (predictions included, an
 * answer held not yet: ds_term_shown) in UTF-8, a blank a space, the
 * right half of a wide character nothing, trailing blanks dropped. */
static void paint_report(struct view *v, uint64_t t_ns)
{
	struct win *w = focused(v);
	int rows, cols, crow, ccol;
	bool shown;
	size_t need, o;
	char head[96], *b;

	if (!w)
		return;
	ds_term_size(w->term, &rows, &cols);
	need = 64 + (size_t)rows * ((size_t)cols * 4 + 1);
	if (need > v->paint_cap) {
		for (int i = 0; i < 2; i++) {
			char *n = realloc(v->paint_buf[i], need);
			if (!n)
				return;
			v->paint_buf[i] = n;
		}
		v->paint_cap = need;
	}
	b = v->paint_buf[0];
	shown = ds_term_shown_cursor(w->term, &crow, &ccol);
	o = (size_t)snprintf(b, 64, "%d %d %d %d %d\n", rows, cols, crow, ccol, shown);
	for (int r = 0; r < rows; r++) {
		size_t end = o;
		for (int c = 0; c < cols; c++) {
			uint32_t cp = ds_term_shown(w->term, r, c);
			if (cp == (uint32_t)-1)
				continue;
			o += base_utf8_encode(!cp ? ' ' : cp < 0x110000 ? cp : 0xfffd, (uint8_t *)b + o);
			if (cp && cp != ' ')
				end = o;
		}
		o = end;
		b[o++] = '\n';
	}
	if (o == v->paint_n[1] && !memcmp(b, v->paint_buf[1], o))
		return;
	snprintf(head, sizeof head, "paint %llu ", (unsigned long long)(t_ns / 1000));
	if (!paint_write(v, head, strlen(head)) || !paint_write(v, b, o))
		return;
	v->paint_buf[0] = v->paint_buf[1];
	v->paint_buf[1] = b;
	v->paint_n[1] = o;
}

static void repaint(struct view *v)
{
	uint64_t t;

	long px = ds_comp_repaint(v->comp, &v->wm);

	vx_painted(v->x);

	t = base_now_ns();
	if (v->paint_fd >= 0 && px > 0)
		paint_report(v, t);
	v->paint_now = false;
	if (px > 0) {
		v->frames++;
		v->pixels += (uint64_t)px;
	}
	v->last_frame_ns = t;
	for (unsigned i = 0; i < v->npaint; i++) {
		struct probe *p = &v->await_paint[i];
		uint64_t st[ST_N] = {p->t_ld - p->t_key, p->t_recv - p->t_ld, p->t_vt - p->t_recv,
				     t - p->t_vt, t - p->t_key};
		const struct rp_timing *h = &p->h;
		if (v->nsamples < SAMPLES_MAX) {
			for (int k = 0; k < ST_N; k++)
				v->samples[k][v->nsamples] = st[k];
			v->nsamples++;
		}
		/* Only when the host's instants fall inside ours: one clock. */
		if (p->host && h->t_input >= p->t_ld && h->t_input <= h->t_written &&
		    h->t_written <= h->t_read && h->t_read <= h->t_sent && h->t_sent <= p->t_recv &&
		    v->nsplit < SAMPLES_MAX) {
			uint64_t sp[SP_N] = {h->t_input - p->t_ld, h->t_written - h->t_input,
					     h->t_read - h->t_written, h->t_sent - h->t_read,
					     p->t_recv - h->t_sent};
			for (int k = 0; k < SP_N; k++)
				v->split[k][v->nsplit] = sp[k];
			v->nsplit++;
		}
	}
	v->npaint = 0;
}

static void print_pct(const char *name, uint64_t *s, size_t n)
{
	telly_sort_u64(s, n);
	fprintf(stderr, "  %-22s p50 %8.1f  p90 %8.1f  p99 %8.1f\n", name, telly_pct_us(s, n, 0.5),
		telly_pct_us(s, n, 0.9), telly_pct_us(s, n, 0.99));
}

static void print_stats(struct view *v)
{
	static const char *const names[ST_N] = {
		"input+discipline", "wire+host+pty+wire", "libvterm", "composite", "total",
	};
	static const char *const split_names[SP_N] = {
		"  wire to host", "  host to pty write", "  pty+program", "  host to OUTPUT",
		"  wire back",
	};
	size_t n = v->nsamples;
	double secs = (double)(base_now_ns() - v->t_start) / 1e9;

	fprintf(stderr, "%s: %llu frames in %.2f s (%.1f/s), %.1f Mpixel drawn\n", v->prog,
		(unsigned long long)v->frames, secs, (double)v->frames / secs, (double)v->pixels / 1e6);
	if (!n) {
		fprintf(stderr, "%s: keystroke-to-pixel: no samples\n", v->prog);
		return;
	}
	fprintf(stderr, "%s: keystroke-to-pixel, %zu keys (us):\n", v->prog, n);
	for (int k = 0; k < ST_N; k++) {
		print_pct(names[k], v->samples[k], n);
		if (k == ST_REMOTE && v->nsplit) {
			fprintf(stderr, "   (split by the host's clock for %zu keys:)\n", v->nsplit);
			for (int j = 0; j < SP_N; j++)
				print_pct(split_names[j], v->split[j], v->nsplit);
		}
	}
}

/* --stats: each terminal window's predictions (as telly attach --stats
 * says them), for the windows open at the end. */
static void print_pred_stats(struct view *v)
{
	for (unsigned i = 0; i < v->nwins; i++) {
		const struct win *w = v->wins[i];
		const struct pred_stats *s = w->pred ? pred_stats(w->pred) : NULL;
		if (s)
			fprintf(stderr,
				"%s: %s: predictions: %lu keys, %lu shown before the answer, "
				"%lu right, %lu wrong (%lu of them shown), round trip %d ms\n",
				v->prog,
				w->name, s->keys, s->shown, s->right, s->wrong, s->shown_wrong,
				pred_srtt_ms(w->pred));
	}
}

static struct win *focused(struct view *v)
{
	return v->wm.focus ? win_by_chan(v, (uint16_t)v->wm.focus) : NULL;
}

static int screenshot(struct view *v, const char *path)
{
	int cw, ch, r;

	repaint(v);
	r = ds_png_write(ds_comp_framebuffer(v->comp), path);
	if (r < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", v->prog, path, strerror(-r));
		return r;
	}
	/* A legend, so a script can find the cells in the picture. */
	ds_font_cell(v->font, &cw, &ch);
	printf("screenshot %s %dx%d cell %dx%d\n", path, v->b->w, v->b->h, cw, ch);
	for (unsigned i = 0; i < v->wm.n; i++) {
		const struct wm_window *ww = &v->wm.win[i];
		struct win *w = win_by_chan(v, (uint16_t)ww->id);
		struct wm_box cells;
		int rows, cols;
		if (!w && vx_title(v->x, ww->id)) {
			cells = wm_client_box(&v->wm, &ww->box);
			printf("xwindow %u box %d %d %d %d client %d %d %d %d title \"",
			       ww->id / VX_ID_BASE, ww->box.x, ww->box.y, ww->box.w, ww->box.h, cells.x,
			       cells.y, cells.w, cells.h);
			for (const char *t = vx_title(v->x, ww->id); *t; t++)
				printf(*t == '"' || *t == '\\' ? "\\%c" : "%c", *t);
			printf("\"%s\n", ww->id == v->wm.focus ? " focused" : "");
			continue;
		}
		if (!w)
			continue;
		cells = wm_client_box(&v->wm, &ww->box); /* the cells start at its corner */
		ds_term_size(w->term, &rows, &cols);
		printf("window %s box %d %d %d %d cells %d %d grid %d %d title \"", w->name, ww->box.x,
		       ww->box.y, ww->box.w, ww->box.h, cells.x, cells.y, cols, rows);
		/* Quoted: a title has no controls, but may have quotes. */
		for (const char *t = win_title(w); *t; t++)
			printf(*t == '"' || *t == '\\' ? "\\%c" : "%c", *t);
		printf("\"%s\n", ww->id == v->wm.focus ? " focused" : "");
	}
	fflush(stdout);
	return 0;
}

/* --- the script --------------------------------------------------------- */

static void type_text(struct view *v, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		uint32_t cp;
		int k = ds_utf8_next(s, n, &cp);
		struct ds_event ev = {.type = DS_EV_KEY, .pressed = true, .time_us = base_now_ns() / 1000,
				      .keysym = ds_keysym_for(cp), .codepoint = cp};
		on_event(v, &ev);
		s += k;
		n -= (size_t)k;
	}
}

static void button(struct view *v, int b, uint32_t mods, bool pressed)
{
	struct ds_event ev = {.type = DS_EV_BUTTON, .button = b, .pressed = pressed, .mods = mods,
			      .time_us = base_now_ns() / 1000};
	on_event(v, &ev);
}

/* A wait's text: anywhere, or on one row (from the bottom if negative:
 * after a resize, the last row shows the program drew at the new size). */
static bool has_text(const struct ds_term *t, const char *text, int row)
{
	char buf[DS_STEP_TEXT_MAX * 4];
	int rows, cols;

	if (!row)
		return ds_term_has_text(t, text);
	ds_term_size(t, &rows, &cols);
	row = row > 0 ? row - 1 : rows + row;
	if (row < 0 || row >= rows)
		return false;
	ds_term_row_text(t, row, buf, sizeof buf);
	return strstr(buf, text) != NULL;
}

/* A window whose title contains text and that has drawn: an X window,
 * or a terminal (0: none yet). */
static uint32_t window_titled(struct view *v, const char *text)
{
	uint32_t id = vx_find(v->x, text);

	for (unsigned i = 0; !id && i < v->nwins; i++)
		if (v->wins[i]->drawn &&
		    strstr(v->wins[i]->shown[0] ? v->wins[i]->shown : win_title(v->wins[i]), text))
			id = v->wins[i]->chan;
	return id;
}

/* A step that waits for ok: true to go on, false to come back later (or
 * the view ends, its deadline past, saying what did not happen). */
static bool step_waits(struct view *v, const struct ds_step *s, bool ok, const char *what)
{
	if (ok) {
		v->wait_deadline_ns = 0;
		return true;
	}
	if (!v->wait_deadline_ns)
		v->wait_deadline_ns = base_now_ns() + (uint64_t)s->timeout_ms * 1000000u;
	if (base_now_ns() < v->wait_deadline_ns)
		return false;
	snprintf(v->why, sizeof v->why, "input line %d: %s%s%s%s after %.1f s", s->line, what,
		 s->text[0] ? " \"" : "", s->text, s->text[0] ? "\"" : "", s->timeout_ms / 1000.0);
	v->done = true;
	v->rc = 1;
	return false;
}

/* Run steps until one has to wait. */
static bool keys_owed(const struct view *v);

static void run_script(struct view *v)
{
	while (!v->done && v->step < v->nsteps) {
		const struct ds_step *s = &v->steps[v->step];
		switch (s->type) {
		case DS_STEP_TYPE:
			type_text(v, s->text);
			break;
		case DS_STEP_KEY: {
			struct ds_event ev = {.type = DS_EV_KEY, .pressed = true, .keysym = s->keysym,
					      .mods = s->mods, .time_us = base_now_ns() / 1000,
					      .codepoint = ds_codepoint_of(s->keysym)};
			on_event(v, &ev);
			break;
		}
		case DS_STEP_KEY_DOWN:
		case DS_STEP_KEY_UP:
			/* An X window hears one half alone; a terminal, presses. */
			if (v->wm.focus >= VX_ID_BASE) {
				vx_script_key(v->x, v->wm.focus, s->keysym, s->mods,
					      s->type == DS_STEP_KEY_DOWN);
			} else if (s->type == DS_STEP_KEY_DOWN) {
				struct ds_event ev = {.type = DS_EV_KEY, .pressed = true,
						      .keysym = s->keysym, .mods = s->mods,
						      .time_us = base_now_ns() / 1000,
						      .codepoint = ds_codepoint_of(s->keysym)};
				on_event(v, &ev);
			}
			break;
		case DS_STEP_MOVE: {
			struct ds_event ev = {.type = DS_EV_MOTION, .dx = s->dx, .dy = s->dy,
					      .time_us = base_now_ns() / 1000};
			on_event(v, &ev);
			break;
		}
		case DS_STEP_CLICK:
			button(v, s->button, s->mods, true);
			button(v, s->button, s->mods, false);
			break;
		case DS_STEP_PRESS:
		case DS_STEP_RELEASE:
			button(v, s->button, s->mods, s->type == DS_STEP_PRESS);
			break;
		case DS_STEP_WAIT: {
			struct win *w = focused(v);
			/* Drawn too: the host's list named what runs there. */
			if (!w || !w->drawn || !has_text(w->term, s->text, s->row)) {
				if (!v->wait_deadline_ns)
					v->wait_deadline_ns = base_now_ns() + (uint64_t)s->timeout_ms * 1000000u;
				if (base_now_ns() < v->wait_deadline_ns)
					return;
				snprintf(v->why, sizeof v->why,
					 "input line %d: \"%s\" not on the focused window after %.1f s",
					 s->line, s->text, s->timeout_ms / 1000.0);
				v->done = true;
				v->rc = 1;
				return;
			}
			v->wait_deadline_ns = 0;
			break;
		}
		case DS_STEP_SCREENSHOT:
			if (screenshot(v, s->text) < 0) {
				v->done = true;
				v->rc = 1;
				return;
			}
			break;
		case DS_STEP_WAIT_WINDOW: {
			uint32_t id = window_titled(v, s->text);
			char why[400];
			/* One the host will not send until others go: said now,
			 * not at the end of the wait. */
			if (!id && vx_not_shown(v->x, s->text, why, sizeof why)) {
				snprintf(v->why, sizeof v->why, "input line %d: %s", s->line, why);
				v->done = true;
				v->rc = 1;
				return;
			}
			if (!step_waits(v, s, id != 0, "no window titled"))
				return;
			struct wm_actions o = {0};
			wm_focus(&v->wm, id, &o);
			apply(v, &o);
			break;
		}
		case DS_STEP_WAIT_UPDATE:
			if (!step_waits(v, s, v->wm.focus >= VX_ID_BASE && vx_updated(v->x),
					"the focused X window did not change"))
				return;
			break;
		case DS_STEP_CLICK_WINDOW: {
			const struct wm_window *ww = wm_find(&v->wm, v->wm.focus);
			struct wm_box in;
			if (!ww) {
				snprintf(v->why, sizeof v->why, "input line %d: no window is focused",
					 s->line);
				v->done = true;
				v->rc = 1;
				return;
			}
			in = wm_client_box(&v->wm, &ww->box);
			struct ds_event ev = {.type = DS_EV_POINTER, .x = in.x + (int)s->dx,
					      .y = in.y + (int)s->dy, .time_us = base_now_ns() / 1000};
			on_event(v, &ev);
			button(v, s->button, s->mods, true);
			button(v, s->button, s->mods, false);
			break;
		}
		}
		v->step++;
	}
	if (v->step == v->nsteps && !v->bench_keys && v->key_fd < 0) {
		if (keys_owed(v))
			return; /* its end waits for them to reach the host */
		if (v->screenshot && screenshot(v, v->screenshot) < 0)
			v->rc = 1;
		v->done = true;
	}
}

/* --bench-keys: one key at a time into the focused window, the next
 * once the previous one's echo is on the framebuffer. */
static void run_bench(struct view *v)
{
	static const char keys[] = "abcdefghijklmnopqrstuvwxyz";

	if (v->nout || v->npaint || !focused(v))
		return;
	if (v->bench_sent == v->bench_keys) {
		v->done = true;
		return;
	}
	char s[2] = {keys[v->bench_sent % 26], 0};
	v->bench_sent++;
	type_text(v, s);
}

static int load_script(struct view *v, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[DS_STEP_TEXT_MAX + 64], err[200];
	int lineno = 0;

	if (!f) {
		fprintf(stderr, "%s: cannot open %s: %s\n", v->prog, path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		struct ds_step st;
		int r;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "%s: %s:%d: line too long\n", v->prog, path, lineno);
			goto bad;
		}
		r = ds_step_parse(line, lineno, &st, err, sizeof err);
		if (r < 0) {
			fprintf(stderr, "%s: %s:%d: %s\n", v->prog, path, lineno, err);
			goto bad;
		}
		if (!r)
			continue;
		if (v->nsteps == SCRIPT_MAX_STEPS) {
			fprintf(stderr, "%s: %s: more than %d steps\n",
					v->prog, path, SCRIPT_MAX_STEPS);
			goto bad;
		}
		if (!(v->nsteps & 63)) {
			struct ds_step *n = realloc(v->steps, (v->nsteps + 64) * sizeof *n);
			if (!n)
				goto bad;
			v->steps = n;
		}
		v->steps[v->nsteps++] = st;
	}
	fclose(f);
	return 0;
bad:
	fclose(f);
	return -1;
}

/* --- the link ------------------------------------------------------------ */

/* Over ssh and TCP a lost connection does not end the view when the host
 * gave its terminals' channels TOKENs: the windows stay with what they
 * show, keys are edited and kept, the host is redialed with backoff and
 * each channel resumed where it was (resume.h, chan.c), as telly attach. */
static bool link_resumes(const struct view *v)
{
	if (!(v->dest.caps & RP_CAP_RESUME))
		return false;
	if (vx_resumable(v->x))
		return true;
	for (unsigned i = 0; i < v->nwins; i++)
		if (rp_desk_chan_resumable(v->wins[i]->ch))
			return true;
	return false;
}

/* Keys typed while the link is down, kept for a window not resumed yet:
 * an --input script that ends then does not end the view with them
 * unsent; it ends once their window is resumed (they then go with, or
 * right behind, its RESUME), or is known gone. */
static bool keys_owed(const struct view *v)
{
	if (!link_resumes(v))
		return false;
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->ch && !v->wins[i]->wire && !v->wins[i]->gone &&
		    rp_desk_chan_resumable(v->wins[i]->ch) && rp_desk_chan_kept(v->wins[i]->ch))
			return true;
	return vx_input_owed(v->x); /* an X session's, until it is back or known gone */
}

/* The titles say how the link is, counting the seconds. */
static void link_status(struct view *v, long now)
{
	for (unsigned i = 0; i < v->nwins; i++)
		win_show_title(v->wins[i]);
	v->status_at_ms = now + LINK_STATUS_EVERY_MS;
}

/* The connection is gone (dead: rp_link_tick has said so already): the
 * windows wait, the view goes on. */
static void link_gone(struct view *v, const char *why, bool dead)
{
	long now = base_now_ms();

	if (v->link.state == RP_LINK_UP || dead)
		fprintf(stderr, "%s: the link is down (%s); reconnecting\n", v->prog, why);
	for (unsigned i = 0; i < v->nwins; i++) {
		rp_desk_chan_link_down(v->wins[i]->ch);
		v->wins[i]->wire = 0;
		v->wins[i]->resume_req = v->wins[i]->reopen_req = v->wins[i]->flight_req = 0;
	}
	v->nopening = 0; /* their answers will not come */
	vx_link_down(v->x); /* X input held until its sessions are back */
	if (dead && v->c) /* (closed without waiting for its end) */
		rp_conn_lost(v->c);
	if (v->c != v->xc) /* the X side holds its own until the end */
		rp_conn_destroy(v->c);
	v->c = NULL;
	if (!dead) {
		if (v->link.state == RP_LINK_UP)
			rp_link_down(&v->link, now);
		else
			rp_link_dial_failed(&v->link, now);
	}
	snprintf(v->link_err, sizeof v->link_err, "%s", why);
	link_status(v, now);
}

static void link_retry(struct view *v)
{
	if (!link_resumes(v)) {
		fprintf(stderr, "%s: this server does not resume channels: nothing to "
				"reconnect\n", v->prog);
		return;
	}
	if (v->link.state == RP_LINK_UP)
		link_gone(v, "reconnecting (ctrl+shift+R)", false);
	rp_link_retry_now(&v->link, base_now_ms());
}

static void link_up(struct view *v)
{
	if (v->link.state == RP_LINK_UP)
		return;
	rp_link_up(&v->link, base_now_ms());
	v->link_err[0] = 0;
	fprintf(stderr, "%s: the link is back\n", v->prog);
}

static bool handle_frames(struct view *v);

static int push_to_dialer(void *dialer, const void *p, size_t n)
{
	return rp_dialer_add(dialer, p, n);
}

/* A redial, its first flight right behind HELLO (no round trip of its
 * own): the RESUME of each terminal window and each X session, where the
 * last host said AHEAD (and XAHEAD, for X input) with the input it kept
 * behind it on the number of its place in the flight, so no number is
 * named twice nor one the host gave a plain RESUME before it. The
 * focused window's goes last: the keys typed in it while the dial goes
 * ride behind too (an X window's session, or a terminal window after the
 * X sessions, unless their input goes in the flight: then it goes before
 * them, not behind their keymaps, some 64 KiB that a fresh connection
 * takes round trips to carry). Its length (*out malloc'd), or -errno. */
static long make_flight(struct view *v, uint8_t **out)
{
	struct rp_desk_chan *chs[WM_MAX_WINDOWS];
	const char *names[WM_MAX_WINDOWS];
	uint32_t reqs[WM_MAX_WINDOWS];
	struct win *fw[WM_MAX_WINDOWS], *last = NULL;
	unsigned n = 0, nx = 0;
	uint8_t *xf = NULL, *tf = NULL, *lf = NULL, *all = NULL;
	long xn, tn = 0, ln = 0, r = -ENOMEM;

	v->flight_lo = v->req + 1;
	for (unsigned i = 0; i < v->nwins; i++) {
		struct win *w = v->wins[i];
		w->flight_req = 0;
		if (w->gone || !rp_desk_chan_resumable(w->ch))
			continue; /* a gone one says so until closed; one without a TOKEN goes */
		if (w->chan == v->wm.focus)
			last = w;
		else
			fw[n++] = w;
	}
	if (last && v->ahead && v->xahead && vx_input_kept(v->x)) {
		fw[n++] = last; /* the last of the terminal windows */
		last = NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		chs[i] = fw[i]->ch;
		names[i] = fw[i]->name;
		reqs[i] = fw[i]->flight_req = ++v->req;
	}
	if (last)
		last->flight_req = ++v->req;
	v->flight_hi = v->req; /* the X sessions' come after */
	if (n)
		tn = rp_desk_chans_resume_flight(chs, names, reqs, n, v->ahead ? 1 : 0, &tf);
	xn = vx_resume_flight(v->x, v->ahead && v->xahead ? (uint16_t)(n + 1) : 0, v->wm.focus,
			      !last, &xf, &nx);
	if (tn > 0 && (last || nx))
		rp_desk_chan_ahead_close(fw[n - 1]->ch); /* more RESUMEs follow it */
	const char *lname = last ? last->name : NULL;
	if (last && tn >= 0 && xn >= 0)
		ln = rp_desk_chans_resume_flight(&last->ch, &lname, &last->flight_req, 1,
						 v->ahead ? (uint16_t)(n + nx + 1) : 0, &lf);
	if (xn >= 0 && tn >= 0 && ln >= 0 && (all = malloc((size_t)(xn + tn + ln) + 1))) {
		if (tn) /* (a piece not made is NULL) */
			memcpy(all, tf, (size_t)tn);
		if (xn)
			memcpy(all + tn, xf, (size_t)xn);
		if (ln)
			memcpy(all + tn + xn, lf, (size_t)ln);
		r = xn + tn + ln;
	} else if (tn < 0 || xn < 0 || ln < 0) {
		r = tn < 0 ? tn : xn < 0 ? xn : ln;
	}
	free(tf);
	free(xf);
	free(lf);
	*out = all;
	return r;
}

static long remake_flight(void *v, uint8_t **out)
{
	return make_flight(v, out);
}

/* The redial, its first flight right behind HELLO. NULL: errno. */
static struct rp_dialer *dial(struct view *v)
{
	uint8_t *f;
	long n = make_flight(v, &f);
	struct rp_dialer *dl = NULL;
	int e = n < 0 ? (int)-n : 0;

	if (n >= 0 && !(dl = rp_dialer_start_first(&v->redial, f, (size_t)n)))
		e = errno;
	free(f);
	errno = e;
	return dl;
}

/* While the dial has not written its flight: keys typed in a window whose
 * run in it is over (another RESUME follows its own: not the focused
 * one's, or the focus moved) make it anew, so they go behind their own
 * window's RESUME too, not after its RESUMED. */
static void flight_keys(struct view *v)
{
	bool behind = vx_ahead_waits(v->x);

	for (unsigned i = 0; !behind && i < v->nwins; i++)
		behind = v->wins[i]->flight_req && rp_desk_chan_ahead_waits(v->wins[i]->ch);
	if (behind)
		rp_dialer_remake_first(v->dialer, remake_flight, v); /* -EALREADY: after RESUMED */
	for (unsigned i = 0; i < v->nwins; i++) /* the last one's, right behind it */
		rp_desk_chan_ahead_push(v->wins[i]->ch, push_to_dialer, v->dialer);
	vx_ahead_push(v->x, push_to_dialer, v->dialer);
}

/* The redial's thread is done: what it reached has the RESUMEs it sent
 * behind HELLO, and their answers may have come with the HELLO's. */
static void dialed(struct view *v)
{
	char err[300] = "";
	long now = base_now_ms();

	v->c = rp_dialer_finish(v->dialer, err, sizeof err);
	v->dialer = NULL;
	if (!v->c) {
		rp_link_dial_failed(&v->link, now);
		snprintf(v->link_err, sizeof v->link_err, "%s", err);
		link_status(v, now);
		return;
	}
	v->ahead = rp_conn_peer_caps(v->c) & RP_CAP_AHEAD; /* for the next redial */
	v->xahead = rp_conn_peer_caps(v->c) & RP_CAP_XAHEAD;
	vx_flight_sent(v->x, v->c); /* the last X session's run, if it is */
	for (unsigned i = 0; i < v->nwins;) {
		struct win *w = v->wins[i];
		uint32_t req = w->flight_req;
		if (w->gone) { /* it says so until closed */
			i++;
			continue;
		}
		if (!rp_desk_chan_resumable(w->ch)) { /* no TOKEN: it cannot come back */
			remove_window(v, w);
			continue;
		}
		/* The flight's first: the keys typed behind the last one's. */
		int r = req ? rp_desk_chan_resume_sent(w->ch, v->c, req)
			    : rp_desk_chan_resume(w->ch, v->c, req = ++v->req, w->name);
		if (r < 0) {
			link_gone(v, "cannot ask to resume", false);
			return;
		}
		w->resume_req = req;
		w->flight_req = 0;
		i++;
	}
	/* The X sessions come back fresh on it: their old connection goes. */
	if (v->xc != v->c) {
		v->keep_focus = v->wm.focus < VX_ID_BASE ? v->wm.focus : 0;
		vx_relink(v->x, v->c);
		rp_conn_destroy(v->xc);
		v->xc = v->c;
	}
	v->resume_sent_ms = now;
	v->list_due_ns = base_now_ns(); /* sessions started meanwhile */
	if (!v->nwins && !vx_awaiting(v->x)) /* else once an answer comes */
		link_up(v);
	handle_frames(v); /* the answers that came with the HELLO */
}

/* Whether a RESUME (or the OPEN after a refused one) sent on the
 * connection just dialed still waits for its answer. */
static bool answers_awaited(const struct view *v)
{
	if (!v->c || v->dialer)
		return false;
	for (unsigned i = 0; i < v->nwins; i++)
		if (v->wins[i]->resume_req || v->wins[i]->reopen_req)
			return true;
	return vx_awaiting(v->x);
}

/* A PING, and what each channel sent before it, which its PONG proves
 * taken. */
static void send_ping(struct view *v, long now)
{
	if (rp_desk_send_ping(v->c, rp_link_ping_stamp(&v->link, base_now_ns() / 1000, now)) < 0)
		return;
	vx_ping(v->x);
	for (unsigned i = 0; i < v->nwins; i++)
		rp_desk_chan_ping(v->wins[i]->ch);
}

/* Heartbeat, dead links, sleeps, redials, the titles: what is due. */
static void link_work(struct view *v)
{
	long now = base_now_ms();
	bool waiting;

	if (!link_resumes(v))
		return;
	switch (rp_link_tick(&v->link, now, rp_desk_sleep_gap_ms())) {
	case RP_LINK_SEND_PING:
		if (v->c)
			send_ping(v, now);
		break;
	case RP_LINK_DEAD: /* no answer, or the desk slept */
		link_gone(v, "no answer from the server", true);
		break;
	case RP_LINK_DIAL:
		v->dialer = dial(v);
		if (!v->dialer) {
			rp_link_dial_failed(&v->link, now);
			snprintf(v->link_err, sizeof v->link_err, "cannot redial: %s",
				 strerror(errno));
		}
		link_status(v, now);
		break;
	case RP_LINK_NOTHING:
		break;
	}
	/* Much kept for a program that says nothing (no OUTPUT acks it): a
	 * PING now, whose PONG lets it go, rather than at the next beat. */
	for (unsigned i = 0; v->c && v->link.state == RP_LINK_UP && !v->link.ping_us &&
			     i < v->nwins; i++)
		if (rp_desk_chan_wants_pong(v->wins[i]->ch))
			send_ping(v, now);
	waiting = answers_awaited(v);
	if (waiting && now - v->resume_sent_ms > rp_link_answer_ms(&v->link)) {
		/* Taken as a lost link: redialed with backoff (link_gone). */
		fprintf(stderr, "%s: no answer to RESUME in %ld ms; reconnecting\n", v->prog,
			now - v->resume_sent_ms);
		link_gone(v, "no answer to RESUME", false);
	}
	if ((!v->c || waiting) && now >= v->status_at_ms)
		link_status(v, now);
}

/* How long poll may wait for the link's sake (-1: as long as it likes). */
static long link_wait(struct view *v)
{
	long now = base_now_ms(), w;

	if (!link_resumes(v))
		return -1;
	w = rp_link_wait(&v->link, now);
	if (answers_awaited(v)) {
		long d = v->resume_sent_ms + rp_link_answer_ms(&v->link) + 1 - now;
		if (d < 0)
			d = 0;
		if (w < 0 || d < w)
			w = d;
	}
	if (v->link.state != RP_LINK_UP) {
		long s = v->status_at_ms > now ? v->status_at_ms - now : 0;
		if (w < 0 || s < w)
			w = s;
	}
	return w;
}

/* --- the loop ------------------------------------------------------------ */

static bool all_drawn(struct view *v)
{
	unsigned xopening, xs = vx_sessions(v->x, &xopening);

	if (!v->listed || v->nopening || xopening || !vx_drawn(v->x))
		return false;
	for (unsigned i = 0; i < v->nwins; i++)
		if (!v->wins[i]->drawn)
			return false;
	return v->nwins > 0 || xs > 0;
}

static void after_frames(struct view *v)
{
	if (!v->ready && all_drawn(v)) {
		v->ready = true;
		if (!v->steps && !v->bench_keys && v->screenshot) {
			if (screenshot(v, v->screenshot) < 0)
				v->rc = 1;
			v->done = true;
		}
	}
	if (v->ready && v->steps)
		run_script(v);
	if (v->ready && v->bench_keys && (!v->steps || v->step == v->nsteps))
		run_bench(v);
}

static int timeout_ms(struct view *v, uint64_t now)
{
	uint64_t due = v->list_due_ns;

	if (ds_comp_dirty(v->comp)) {
		uint64_t f = v->paint_now ? now : ds_frame_due(v->last_frame_ns, now);
		if (f < due)
			due = f;
	}
	if (v->wait_deadline_ns && v->wait_deadline_ns < due)
		due = v->wait_deadline_ns;
	if (due <= now)
		return 0;
	return (int)((due - now + 999999) / 1000000);
}

/* The frames in the connection's buffer. false: the link went (or the
 * view ends), nothing more of it to handle now. */
static bool handle_frames(struct view *v)
{
	struct rp_hdr h;
	const uint8_t *fp;
	int r = 0;

	while (!v->done && v->c && !v->gone_due && (r = rp_conn_frame(v->c, &h, &fp)) == 1)
		on_frame(v, &h, fp);
	if (v->gone_due) {
		const char *why = v->gone_due;
		v->gone_due = NULL;
		if (v->c)
			link_gone(v, why, false);
		return false;
	}
	if (r < 0)
		fail(v, "bad frame header from the server");
	return true;
}

/* How the person named this view's host on a command line, followed by a
 * space: "HOST ", "--tcp HOST:PORT ", or "" for this host. */
static const char *dest_words(const struct view *v, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s%s", v->dest.host ? "" : v->dest.tcp ? "--tcp " : "",
		 v->dest.host ? v->dest.host : v->dest.tcp ? v->dest.tcp : "",
		 v->dest.host || v->dest.tcp ? " " : "");
	return buf;
}

/* Why the view ends with nothing left to show: nothing was there (a
 * seamless view shows X sessions only), what was named was refused (said
 * already, with why), or the last session ended. */
static void none_left(struct view *v)
{
	char d[200];

	if (v->seamless && !v->x_seen && !v->xname) {
		snprintf(v->why, sizeof v->why, "no X sessions %s%s(`telly x %s-- PROGRAM` starts one)",
			 v->dest.host || v->dest.tcp ? "on " : "on this host ", dest_words(v, d, sizeof d),
			 d);
		v->rc = 1; /* as tmux attach with no session */
	} else if (vx_refused(v->x) && !v->x_attached)
		v->why[0] = 0;
	else
		snprintf(v->why, sizeof v->why, "no sessions left");
}

/* A lone word given as DEST that could not be reached names a session of
 * this host (as `telly attach NAME` reads it): the command that shows it.
 * This host's daemon is asked only if it runs (none is started for it). */
static void say_session_here(const struct view *v, const char *word)
{
	struct rp_dest here = {.caps = 0};
	uint8_t buf[64];
	char err[300];
	struct rp_enc e;
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_conn *c;
	uint32_t req;
	uint16_t count;
	size_t off;
	long n;

	if (!word || strpbrk(word, "@:.") || !rp_name_valid(word, strlen(word)) ||
	    !(c = telly_client_connect(&here, false, err, sizeof err)))
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, 1);
	n = rp_enc_end(&e);
	if (n > 0 && rp_desk_call(c, buf, (size_t)n, 1, &h, &p, 2000, err, sizeof err) == 0 &&
	    h.type == RP_LIST_REPLY && rp_list_reply_decode(p, h.len, &req, &count, &off) == 0) {
		for (unsigned i = 0; i < count; i++) {
			struct rp_session_info s;
			if (rp_list_entry_decode(p, h.len, &off, &s) < 0)
				break;
			if (s.name.n != strlen(word) || memcmp(s.name.p, word, s.name.n))
				continue;
			/* (an X session has no text size) */
			if (!s.rows && !s.cols)
				fprintf(stderr, "%s: %s was taken for a host (a lone word is one); this "
						"host's X session %s: `telly view%s --x11 %s` shows it\n",
					v->prog, word, word, v->seamless ? " --seamless" : "", word);
			else
				fprintf(stderr, "%s: %s was taken for a host (a lone word is one); this "
						"host's session %s: `telly attach %s` shows it\n",
					v->prog, word, word, word);
			break;
		}
	}
	rp_conn_destroy(c);
}

/* Where what is known of the desk display's selections is kept between
 * runs (ds_clip_note_*): the runtime directory, a file per display
 * (its name as DISPLAY gives it, made a file name). false: none. */
static bool clip_note_path(char *out, size_t n)
{
	const char *d = getenv("DISPLAY");
	char dir[128], err[200], name[64];
	size_t k = 0;

	if (!d || !*d || telly_rundir(dir, sizeof dir, err, sizeof err) < 0)
		return false;
	for (; d[k] && k < sizeof name - 1; k++)
		name[k] = (d[k] >= 'a' && d[k] <= 'z') || (d[k] >= 'A' && d[k] <= 'Z') ||
				  (d[k] >= '0' && d[k] <= '9') || d[k] == '.' || d[k] == '-'
			  ? d[k]
			  : '_';
	name[k] = 0;
	return snprintf(out, n, "%s/desk-selections-%s", dir, name) < (int)n;
}

/* telly x left while its program runs (^C, SIGTERM, SIGHUP; its display
 * closing its connection: xkill, the desk's X server ending): unlike
 * ssh -X's, the program runs on; how to see it again and how to end it. */
static bool runs_on(const struct view *v)
{
	unsigned opening = 0;

	/* (Still opening counts: ^C right after telly x started it, or
	 * while the link is down.) */
	return v->left && v->exit_status && v->xname && !v->all_ended && v->x &&
	       !vx_all_hidden(v->x) &&
	       (vx_sessions(v->x, &opening) || opening) && vx_last_exit(v->x) < 0;
}

/* telly x left while its session lasted only for it (XLASTS: its
 * programs ended, a client of theirs holds a copy, this is the only
 * view): the session ends with it, which is not "runs on"; the status
 * the host said it ends with, -1 if not so. */
static int ends_with_view(const struct view *v)
{
	return runs_on(v) ? vx_ends_with_view(v->x) : -1;
}

static void say_runs_on(const struct view *v)
{
	char d[200];

	if (vx_all_hidden(v->x)) {
		char cmd[400];
		int n = snprintf(cmd, sizeof cmd, "telly view --seamless -r %s%s%s",
				 dest_words(v, d, sizeof d), v->xname ? "--x11 " : "",
				 v->xname ? v->xname : "");
		while (n > 0 && (size_t)n < sizeof cmd && cmd[n - 1] == ' ')
			cmd[--n] = 0;
		fprintf(stderr, "%s: every window closed in this read-only view; `%s` shows them "
				"again%s%s%s%s\n",
			v->prog, cmd, v->xname ? ", `telly kill " : "", v->xname ? d : "",
			v->xname ? v->xname : "", v->xname ? "` ends the session" : "");
		return;
	}
	if (!runs_on(v))
		return;
	if (ends_with_view(v) >= 0) {
		fprintf(stderr, "%s: %s ends with this view: its programs ended and left only a copy "
				"(CLIPBOARD or PRIMARY), which goes with it\n",
			v->prog, v->xname);
		return;
	}
	dest_words(v, d, sizeof d);
	fprintf(stderr,
		"%s: %s runs on: `telly view --seamless %s--x11 %s` shows it again, "
		"`telly kill %s%s` ends it\n",
		v->prog, v->xname, d, v->xname, d, v->xname);
}

/* The view ends (a signal, its window or display closed, every window
 * closed, the script's end, an error): each channel on a link that is up
 * is told (DETACH), as attach's ~. does, so the host frees it at once
 * rather than keeping it an hour (RESUME_GRACE_MS) for a RESUME that no
 * process will send, and a session kept only for this view ends now. A
 * link that is down tells nothing: its channels wait out their grace. */
static void detach_all(struct view *v)
{
	if (!v->c)
		return;
	for (unsigned i = 0; i < v->nwins; i++) {
		struct win *w = v->wins[i];
		if (w->wire && !w->gone && !w->resume_req && !w->reopen_req)
			rp_desk_chan_send_empty(w->ch, RP_DETACH);
	}
	vx_detach(v->x);
}

/* telly x left while its session runs on, with a host that says
 * XLASTS: what the host sent before it took our DETACH is read, up to
 * the PONG of a PING sent behind it, until by (ms). A view that left
 * just before this one left it the session's only view, and the host
 * said so (XLASTS) before it took this one's DETACH: of two views that
 * leave at once, the one whose DETACH came second says the session ends
 * with it, and it does. */
static void detach_heard(struct view *v, long by)
{
	uint64_t stamp = base_now_ns() | 1, got;
	struct rp_hdr h;
	const uint8_t *p;
	long left;

	if (!v->c || !runs_on(v) || !(rp_conn_peer_caps(v->c) & RP_CAP_XLASTS) ||
	    rp_desk_send_ping(v->c, stamp) < 0)
		return;
	while ((left = by - base_now_ms()) > 0 &&
	       rp_conn_next_frame(v->c, &h, &p, (int)left) == 1) {
		if (h.type == RP_PONG && !h.chan && rp_u64_decode(p, h.len, &got) == 0 && got == stamp)
			return;
		if (h.type == RP_XLASTS && vx_frame(v->x, &h, p) < 0)
			return;
	}
}

static void loop(struct view *v, int sigfd)
{
	while (!v->done) {
		uint64_t now = base_now_ns();
		int bfd = v->b->impl->get_fd(v->b);
		struct pollfd p[8] = {
			{.fd = -1, .events = POLLIN},
			{.fd = sigfd, .events = POLLIN},
			{.fd = bfd, .events = POLLIN},
			{.fd = v->clip ? ds_clip_fd(v->clip) : -1, .events = POLLIN},
			{.fd = -1, .events = POLLIN},
			{.fd = v->netfd, .events = POLLIN},
			/* p[6], p[7]: our stdout and stderr while telly x's
			 * program's output waits for them (vx_out_poll) */
		};
		int wait_ms;
		long lw;

		if (now >= v->list_due_ns)
			send_list(v);
		if (ds_comp_dirty(v->comp) &&
		    (v->paint_now || ds_frame_due(v->last_frame_ns, now) <= now))
			repaint(v);
		after_frames(v);
		/* A frame's round trip may have read the display's events
		 * into xcb's queue, where poll() cannot see them: take them
		 * now (a key, the window destroyed). */
		if (v->clip && ds_clip_dispatch(v->clip) < 0) {
			ds_clip_destroy(v->clip); /* the display went: no clipboard, the view goes on */
			v->clip = NULL;
		}
		if (bfd >= 0 && !v->done && v->b->impl->dispatch(v->b, on_event, v) < 0) {
			snprintf(v->why, sizeof v->why, "the display closed the connection");
			v->done = true;
		}
		if (vx_all_hidden(v->x))
			v->done = v->left = true; /* a watcher closed every window */
		if (v->done)
			break;
		if (v->c)
			vx_flush_input(v->x);
		paste_pump(v);
		if (v->c)
			vx_send_backlog(v->x);
		vx_tick(v->x, base_now_ms());
		keys_pump(v);
		if (v->dialer) /* typed while it dials */
			flight_keys(v);
		if (v->c && rp_conn_flush(v->c) < 0) {
			if (link_resumes(v)) {
				link_gone(v, "the connection broke", false);
				continue;
			}
			fail(v, "lost the connection to the server");
			break;
		}
		if (v->c) {
			p[0].fd = rp_conn_fd(v->c);
			p[0].events = (short)(POLLIN | rp_conn_wevents(v->c));
		}
		p[3].fd = v->clip ? ds_clip_fd(v->clip) : -1; /* poll skips -1 */
		p[4].fd = v->dialer ? rp_dialer_fd(v->dialer) : -1;
		/* A paste's next piece is due as soon as the queue is empty. */
		wait_ms = (pasting(v) || keys_waiting(v)) && !rp_conn_queued(v->c)
				  ? 0
				  : timeout_ms(v, base_now_ns());
		lw = link_wait(v);
		if (lw >= 0 && lw < wait_ms)
			wait_ms = (int)lw;
		/* The desk's restacking told once its own raises are done
		 * (the dispatch above tells it), with no event to wait for. */
		lw = ds_seamless(v->b) ? ds_seamless_wait_ms(v->b) : -1;
		if (lw >= 0 && lw < wait_ms)
			wait_ms = (int)lw;
		lw = holds_due(v);
		if (lw >= 0 && lw < wait_ms)
			wait_ms = (int)lw;
		lw = vx_wait_ms(v->x, base_now_ms());
		if (lw >= 0 && lw < wait_ms)
			wait_ms = (int)lw;
		vx_out_poll(v->x, p + 6); /* (written by vx_tick, above, once they take it) */
		if (poll(p, 8, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[4].revents)
			dialed(v);
		/* An address, a route or a link came: a redial waiting out its
		 * backoff goes now (link_work, below). */
		if ((p[5].revents & POLLIN) && rp_netwatch_read(v->netfd) && link_resumes(v))
			rp_link_net_news(&v->link, base_now_ms());
		/* The desk's input before the link's frames: a key typed while
		 * pixels pour in goes out before they are decoded and drawn. */
		if (bfd >= 0 && (p[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			int r = v->b->impl->dispatch(v->b, on_event, v);
			/* The keys of this batch of events go out now, in one
			 * write, not after the repaint at the loop's top. */
			if (v->c)
				vx_flush_input(v->x);
			/* The display closed the connection (xkill, the X
			 * server ending): the window is gone, as if closed;
			 * the sessions run on. */
			if (r < 0) {
				if (!v->done) {
					snprintf(v->why, sizeof v->why, "the display closed the connection");
					v->left = true;
				}
				v->done = true;
				break;
			}
		}
		if (v->c && p[0].fd == rp_conn_fd(v->c) &&
		    (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			ssize_t n = rp_conn_read(v->c);
			if ((n == 0 || (n < 0 && n != -EAGAIN)) && link_resumes(v)) {
				link_gone(v, n == 0 ? "the connection closed" : strerror((int)-n), false);
				continue;
			}
			if (n > 0)
				rp_link_heard(&v->link, base_now_ms());
			if (n == 0 || (n < 0 && n != -EAGAIN)) {
				if (v->nwins)
					fail(v, "lost the connection to the server");
				else
					v->done = true; /* the last session ended: the daemon went */
				break;
			}
			if (!handle_frames(v))
				continue;
			unsigned xopening, xattached = vx_sessions(v->x, &xopening);
			v->x_seen |= xattached || xopening;
			v->x_attached |= xattached > 0;
			if (v->listed && !v->nwins && !v->nopening && !v->steps && !xattached &&
			    !xopening) {
				none_left(v);
				v->all_ended = true;
				v->done = true;
			}
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sigfd, &si, sizeof si) == sizeof si) {
				v->done = v->left = true;
				v->signo = (int)si.ssi_signo;
			}
		}
		link_work(v);
	}
}

static void view_usage(FILE *f)
{
	fputs("usage: telly view [options] [DEST [NAME]]\n"
	      "\n"
	      "Show every session of this host, or of [user@]host through ssh, as a\n"
	      "window: in an X window on $DISPLAY, or headless in memory. With no\n"
	      "session yet, one is started. The windows of X sessions (telly new --x11)\n"
	      "are windows of the desktop too: click, move and resize them, and the\n"
	      "host follows. NAME: only that X session (DEST \"\" for this host; a lone\n"
	      "word is a DEST: --x11 NAME for one of this host).\n"
	      "\n"
	      "  --headless          no display: an in-memory framebuffer\n"
	      "  --seamless          each X window a window of $DISPLAY itself, managed by\n"
	      "                      its own window manager (no terminals)\n"
	      "  --x11 NAME          only X session NAME\n"
	      "  --size WxH          output size (default 1024x768)\n"
	      "  --input FILE        scripted input (with either output), one step a line:\n"
	      "                        type \"TEXT\"   key [ctrl+|shift+|alt+|super+]NAME\n"
	      "                        move DX DY    click|press|release [BUTTON]\n"
	      "                        wait \"TEXT\" [SECS] [row N]   screenshot FILE\n"
	      "                        wait-window \"TITLE\" [SECS]   wait-update [SECS]\n"
	      "                        click-window X Y [BUTTON]\n"
	      "  --screenshot FILE   write the frame (PNG) and exit once the input is done\n"
	      "                      (without --input: once every window has drawn)\n"
	      "  --font PATTERN      fontconfig pattern (default: monospace)\n"
	      "  --font-size PX      (default 16)\n"
	      "  --accel flat|adaptive   pointer acceleration (default: adaptive for\n"
	      "                      relative pointers)\n"
	      "  --speed S           acceleration speed, -1 to 1 (default 0)\n"
	      "  -r                  read-only: watch, do not type (X windows' titles\n"
	      "                      end \"(read-only)\")\n"
	      "  --osc52-write       programs may set the clipboard (OSC 52; reads are\n"
	      "                      never answered)\n"
	      "  --predict=WHEN      draw what keys will show before the host answers:\n"
	      "                      adaptive (default), always, never (as telly attach)\n"
	      "  --record DIR        append what each terminal is sent to DIR/NAME (its\n"
	      "                      session's name), as sent: for tests and bug reports\n"
	      "  --lossless          X windows: never lossy (else regions that change like\n"
	      "                      video go as JPEG, and losslessly once they stop)\n"
	      "  --exit-status       when the last session ends, exit with the status its\n"
	      "                      program gave, as ssh does (telly x gives it)\n"
	      "  --program NAME      the X session's program, as said when some of its\n"
	      "                      output was not printed at exit (telly x gives it)\n"
	      "  --stats             print keystroke-to-pixel latency by stage at exit, and\n"
	      "                      each terminal window's predictions (as telly attach);\n"
	      "                      say when the host keeps an X session's keymap\n"
	      "  --bench-keys N      type N keys into the focused window, one at a time,\n"
	      "                      each once the last one's echo is drawn; then exit\n"
	      "  --key-fd FD         (headless) keys read from FD, one step a line: type \"TEXT\"\n"
	      "                      or key NAME, as if typed on the desk; its end closes the view\n"
	      "                      (and an --input script's end does not)\n"
	      "  --paint-fd FD       (headless) after each repaint, what it drew of the focused\n"
	      "                      terminal window, to FD: \"paint T_US ROWS COLS CROW CCOL\n"
	      "                      SHOWN\" then a line per row (predictions included); each\n"
	      "                      key as it came: \"key T_US KEYSYM\" (for benches and tests)\n"
	      "  --ssh CMD, --server CMD, --tcp HOST:PORT, --token-file F,\n"
	      "  --compress, --no-compress, --direct, --no-direct, --direct-bind ADDR[:PORT],\n"
	      "  --direct-connect HOST[:PORT]: as telly attach\n"
	      "\n"
	      "Keys (ctrl+shift+): Return new terminal, J/Tab next window, K previous,\n"
	      "W close (ends the session), M maximize, C copy, V paste, R reconnect now\n"
	      "(the link is down, or seems stuck); shift+Insert pastes the primary\n"
	      "selection. Drag a title bar to move a window, a\n"
	      "border to resize it; click a window to focus it. Drag over text to\n"
	      "select it (double click: a word, triple: a line; shift when the program\n"
	      "takes the mouse), middle click pastes it. The wheel and\n"
	      "shift+PgUp/PgDn scroll the history; a key returns to the live screen.\n",
	      f);
}

/* An open file descriptor given as a number; -1 if not. */
static int parse_fd(const char *s)
{
	char *end;
	long fd = strtol(s, &end, 10);

	if (!*s || *end || fd < 0 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0)
		return -1;
	return (int)fd;
}

static bool parse_size(const char *s, int *w, int *h)
{
	char x;

	return sscanf(s, "%d%c%d", w, &x, h) == 3 && (x == 'x' || x == 'X');
}

int telly_view(int argc, char **argv)
{
	struct view *v = calloc(1, sizeof *v);
	char *pos[2], err[300] = "";
	const char *input = NULL, *font = "monospace", *xname = NULL;
	int npos = 0, w = DEFAULT_W, h = DEFAULT_H, font_px = 16, sigfd = -1, rc = 1, cw, ch;
	bool headless = false;
	struct wm_config cfg = {.profile = WM_ACCEL_ADAPTIVE};
	bool accel_set = false;

	if (!v)
		return 1;
	snprintf(v->prog, sizeof v->prog, "telly %.12s", argc > 0 ? argv[0] : "view");
	v->predict = PRED_ADAPTIVE;
	v->cook_max_ms = telly_cook_max_ms();
	v->key_fd = v->paint_fd = -1;
	/* The config file's defaults; the options below override them. */
	if (telly_config_load(&v->cfg, err, sizeof err) < 0) {
		fprintf(stderr, "%s: %s\n", v->prog, err);
		free(v);
		return 2;
	}
	telly_config_dest(&v->cfg, &v->dest);
	v->dest.prog = v->prog;
	if (v->cfg.font[0])
		font = v->cfg.font;
	if (v->cfg.font_size)
		font_px = v->cfg.font_size;
	v->osc52_write = v->cfg.osc52_write > 0;
	memcpy(cfg.bind, v->cfg.bind, sizeof cfg.bind);
	cfg.nbind = v->cfg.nbind;
	for (int i = 1; i < argc; i++) {
		int r = rp_dest_option(argc, argv, &i, &v->dest);
		const char *a = argv[i];
		if (r < 0)
			goto missing;
		if (r)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			view_usage(stdout);
			free(v);
			return 0;
		} else if (!strcmp(a, "--headless")) {
			headless = true;
		} else if (!strcmp(a, "--seamless")) {
			v->seamless = true;
		} else if (!strcmp(a, "-r")) {
			v->readonly = true;
		} else if (!strncmp(a, "--predict=", 10)) {
			if (!pred_policy_parse(a + 10, &v->predict)) {
				fprintf(stderr, "%s: --predict wants adaptive, always or never\n",
						v->prog);
				goto usage;
			}
		} else if (!strcmp(a, "--stats")) {
			v->stats = true;
		} else if (!strcmp(a, "--lossless")) {
			v->lossless = true;
		} else if (!strcmp(a, "--exit-status")) {
			v->exit_status = true;
		} else if (!strcmp(a, "--osc52-write")) {
			v->osc52_write = true;
		} else if (i + 1 >= argc && (!strcmp(a, "--size") || !strcmp(a, "--input") ||
					     !strcmp(a, "--screenshot") || !strcmp(a, "--font") ||
					     !strcmp(a, "--font-size") || !strcmp(a, "--accel") ||
					     !strcmp(a, "--speed") || !strcmp(a, "--bench-keys") ||
					     !strcmp(a, "--x11") || !strcmp(a, "--record") ||
					     !strcmp(a, "--program") ||
					     !strcmp(a, "--key-fd") || !strcmp(a, "--paint-fd"))) {
			goto missing;
		} else if (!strcmp(a, "--x11")) {
			xname = argv[++i];
		} else if (!strcmp(a, "--size")) {
			if (!parse_size(argv[++i], &w, &h)) {
				fprintf(stderr, "%s: --size wants WxH, such as 1024x768\n",
						v->prog);
				goto usage;
			}
		} else if (!strcmp(a, "--key-fd") || !strcmp(a, "--paint-fd")) {
			int fd = parse_fd(argv[++i]);
			if (fd < 0) {
				fprintf(stderr, "%s: %s wants an open file descriptor\n",
						v->prog, a);
				goto usage;
			}
			*(!strcmp(a, "--key-fd") ? &v->key_fd : &v->paint_fd) = fd;
		} else if (!strcmp(a, "--record")) {
			v->record = argv[++i];
		} else if (!strcmp(a, "--program")) {
			v->program = argv[++i];
		} else if (!strcmp(a, "--input")) {
			input = argv[++i];
		} else if (!strcmp(a, "--screenshot")) {
			v->screenshot = argv[++i];
		} else if (!strcmp(a, "--font")) {
			font = argv[++i];
		} else if (!strcmp(a, "--font-size")) {
			font_px = atoi(argv[++i]);
		} else if (!strcmp(a, "--accel")) {
			const char *p = argv[++i];
			accel_set = true;
			if (!strcmp(p, "flat"))
				cfg.profile = WM_ACCEL_FLAT;
			else if (!strcmp(p, "adaptive"))
				cfg.profile = WM_ACCEL_ADAPTIVE;
			else {
				fprintf(stderr, "%s: --accel is flat or adaptive\n", v->prog);
				goto usage;
			}
		} else if (!strcmp(a, "--speed")) {
			char *end;
			cfg.speed = strtod(argv[++i], &end);
			if (*end || !(cfg.speed >= -1 && cfg.speed <= 1)) {
				fprintf(stderr, "%s: --speed is a number from -1 to 1\n", v->prog);
				goto usage;
			}
		} else if (!strcmp(a, "--bench-keys")) {
			v->bench_keys = atol(argv[++i]);
			if (v->bench_keys < 1 || v->bench_keys > SAMPLES_MAX) {
				fprintf(stderr, "%s: --bench-keys is 1 to %d\n",
						v->prog, SAMPLES_MAX);
				goto usage;
			}
			v->stats = true;
		} else if (a[0] == '-') {
			fprintf(stderr, "%s: unknown option '%s'\n", v->prog, a);
			view_usage(stderr);
			goto usage;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			npos++;
		}
	}
	if (npos > 2) {
		fprintf(stderr, "%s: DEST and NAME at most ([user@]host X-SESSION)\n", v->prog);
		goto usage;
	}
	/* DEST "": this host. */
	if (npos && pos[0][0])
		v->dest.host = pos[0];
	if (npos == 2)
		xname = pos[1];
	v->xname = xname;
	telly_config_direct(&v->cfg, &v->dest);
	if (v->seamless && headless) {
		fprintf(stderr, "%s: --seamless shows windows on $DISPLAY; not with --headless\n",
				v->prog);
		goto usage;
	}
	if (!headless && (v->key_fd >= 0 || v->paint_fd >= 0)) {
		fprintf(stderr, "%s: --key-fd and --paint-fd are for --headless\n", v->prog);
		goto usage;
	}
	if (!headless && !getenv("DISPLAY")) {
		fprintf(stderr, "%s: no $DISPLAY; use --headless (see --help)\n", v->prog);
		goto usage;
	}
	if (input && load_script(v, input) < 0)
		goto out;
	if (v->stats) {
		for (int k = 0; k < ST_N; k++)
			if (!(v->samples[k] = calloc(SAMPLES_MAX, sizeof(uint64_t))))
				goto out;
		for (int k = 0; k < SP_N; k++)
			if (!(v->split[k] = calloc(SAMPLES_MAX, sizeof(uint64_t))))
				goto out;
		v->dest.caps |= RP_CAP_TIMING;
	}
	if (v->predict != PRED_NEVER && !v->readonly)
		v->dest.caps |= RP_CAP_CONTEXT;
	if (!v->readonly) /* keys that miss a switch to canonical are typed again */
		v->dest.caps |= RP_CAP_RETYPE;
	v->font = ds_font_create(font, font_px, err, sizeof err);
	if (!v->font) {
		fprintf(stderr, "%s: %s\n", v->prog, err);
		goto out;
	}
	v->b = headless	     ? ds_headless_create(w, h, err, sizeof err)
	       : v->seamless ? ds_seamless_create(NULL, err, sizeof err)
			     : ds_x11_create(NULL, w, h,
							      v->readonly ? "telly view" VX_READONLY_MARK
									  : "telly view",
							      err, sizeof err);
	if (!v->b) {
		fprintf(stderr, "%s: %s\n", v->prog, err);
		goto out;
	}
	if (v->key_fd >= 0 && ds_headless_keys(v->b, v->key_fd) < 0) {
		fprintf(stderr, "%s: --key-fd %d: %s\n", v->prog, v->key_fd, strerror(errno));
		goto out;
	}
	/* A reader that lags is waited for PAINT_STALL_MS at most. */
	if (v->paint_fd >= 0 && (fcntl(v->paint_fd, F_SETFL,
				       fcntl(v->paint_fd, F_GETFL) | O_NONBLOCK) < 0 ||
				 fcntl(v->paint_fd, F_SETFD, FD_CLOEXEC) < 0)) {
		fprintf(stderr, "%s: --paint-fd %d: %s\n", v->prog, v->paint_fd, strerror(errno));
		goto out;
	}
	v->comp = ds_comp_create(v->b, v->font);
	if (!v->comp)
		goto out;
	/* The desk's selections, on its display; without one (headless) the
	 * view keeps its own. */
	if (!headless && !(v->clip = ds_clip_create(NULL, err, sizeof err)))
		fprintf(stderr, "%s: no clipboard: %s\n", v->prog, err);
	else if (v->clip)
		ds_clip_watch(v->clip, desk_copied, v);
	if (v->clip && clip_note_path(v->clip_note, sizeof v->clip_note))
		ds_clip_note_load(v->clip, v->clip_note);
	ds_font_cell(v->font, &cw, &ch);
	cfg.screen_w = v->b->w;
	cfg.screen_h = v->b->h;
	cfg.title_h = ch + TITLE_PAD_PX;
	cfg.border = BORDER_PX;
	cfg.min_w = 10 * cw + 2 * BORDER_PX;
	cfg.min_h = 2 * ch + cfg.title_h + 2 * BORDER_PX;
	/* A window system accelerates its pointer already. */
	if (v->b->accelerated && !accel_set)
		cfg.profile = WM_ACCEL_FLAT;
	wm_init(&v->wm, &cfg);
	v->dest.caps |= RP_CAP_X11 | RP_CAP_XPALETTE | (v->lossless ? 0 : RP_CAP_XLOSSY) |
			RP_CAP_ENDED | RP_CAP_XBOUND | RP_CAP_XSHAPE | RP_CAP_XCLIPAGE | RP_CAP_XLASTS |
			RP_CAP_XMOVERESIZE | RP_CAP_XLOCKS;
	/* telly x prints what its program prints, as ssh -X; another view
	 * leaves it to the terminal that started it (and the host's log). */
	if (v->exit_status)
		v->dest.caps |= RP_CAP_XOUTPUT;
	/* Over ssh and TCP the terminals outlive a lost link; on this host
	 * the link is lost only with the daemon, and the sessions with it. */
	if (v->dest.host || v->dest.tcp)
		v->dest.caps |= RP_CAP_RESUME;
	v->dest.dx = &v->dx;
	v->c = telly_client_connect(&v->dest, !v->readonly, err, sizeof err);
	if (!v->c) {
		fprintf(stderr, "%s: %s\n", v->prog, err);
		if (npos == 1)
			say_session_here(v, v->dest.host);
		goto out;
	}
	v->xc = v->c;
	v->ahead = rp_conn_peer_caps(v->c) & RP_CAP_AHEAD;
	v->xahead = rp_conn_peer_caps(v->c) & RP_CAP_XAHEAD;
	v->redial = v->dest; /* for a redial: the same way, never starting a daemon */
	telly_client_dest(&v->redial);
	rp_link_init(&v->link, base_now_ms(), rp_desk_sleep_gap_ms());
	v->x = vx_create(&(struct vx_ctx){.prog = v->prog, .c = v->c, .comp = v->comp,
					  .wm = &v->wm, .b = v->b,
					  .req = &v->req, .readonly = v->readonly,
					  .stats = v->stats, .only_named = xname != NULL,
					  .clip = &v->clip},
			 err, sizeof err);
	if (!v->x) {
		fprintf(stderr, "%s: %s\n", v->prog, err);
		goto out;
	}
	if (xname && vx_open(v->x, xname, strlen(xname)) < 0) {
		fprintf(stderr, "%s: '%s' is not a session name\n", v->prog, xname);
		goto out;
	}
	sigfd = base_signalfd((const int[]){SIGTERM, SIGINT, SIGHUP, 0});
	v->t_start = base_now_ns();
	v->netfd = v->dest.caps & RP_CAP_RESUME ? rp_netwatch_open() : -1;
	loop(v, sigfd);
	if (v->netfd >= 0)
		close(v->netfd);
	detach_all(v);
	long leave_by = base_now_ms() + VIEW_LEAVE_MS;
	if (v->c)
		rp_conn_flush_wait(v->c, VIEW_LEAVE_MS);
	detach_heard(v, leave_by);
	/* With --exit-status (telly x) the status says the program ended,
	 * as ssh's does: no words for it. */
	if (v->why[0] && !(v->all_ended && v->exit_status && v->x && vx_last_exit(v->x) >= 0))
		fprintf(stderr, "%s: %s\n", v->prog, v->why);
	say_runs_on(v);
	if (v->stats) {
		if (!v->seamless) /* (no frames of its own, no terminals) */
			print_stats(v);
		print_pred_stats(v);
		vx_print_stats(v->x);
	}
	rc = v->rc;
	if (!rc && v->exit_status && v->x && vx_last_exit(v->x) >= 0)
		rc = vx_last_exit(v->x);
	/* Left with no status of its program's, which runs on: never 0, or
	 * `a=$(telly x -- zenity --entry) && use "$a"` would go on with no
	 * answer. A signal's 128+N, as a shell gives ssh -X killed by it;
	 * the display gone, 1, as an X program's own exit when its display
	 * goes under ssh -X. */
	else if (!rc && ends_with_view(v) >= 0)
		rc = ends_with_view(v); /* its program's, as if it had waited for the end */
	else if (!rc && runs_on(v))
		rc = v->signo ? VIEW_EXIT_SIGNAL + v->signo : 1;
	else if (!rc && vx_refused(v->x))
		rc = 1; /* as `tmux attach -t` a session that is not there */
out:
	if (sigfd >= 0)
		close(sigfd);
	while (v->nwins)
		win_destroy(v->wins[--v->nwins]);
	/* The program's last output, kept for a slow reader: written for as
	 * long as it takes some every 2 s; a reader that never reads does
	 * not hold our exit (ssh's would), and what it did not take is said,
	 * and fails us if the program did not. */
	if (v->x) {
		uint64_t lost = vx_flush_output(v->x, VX_OUT_EXIT_IDLE_MS);
		if (lost) {
			const char *of = v->program ? v->program : v->xname ? v->xname : "the program";
			vx_out_unprinted(v->prog, of, lost, VX_OUT_EXIT_IDLE_MS);
			if (!rc)
				rc = 1;
		}
	}
	vx_destroy(v->x);
	if (v->clip && v->clip_note[0])
		ds_clip_note_save(v->clip, v->clip_note); /* (failed: the one before stays) */
	if (v->dialer) { /* its thread ends within ssh's ConnectTimeout */
		char e[300];
		rp_conn_destroy(rp_dialer_finish(v->dialer, e, sizeof e));
	}
	if (v->xc != v->c)
		rp_conn_destroy(v->xc);
	rp_conn_destroy(v->c);
	ds_comp_destroy(v->comp);
	ds_clip_destroy(v->clip);
	free(v->own[0]);
	free(v->own[1]);
	ds_backend_destroy(v->b);
	ds_font_destroy(v->font);
	for (int k = 0; k < ST_N; k++)
		free(v->samples[k]);
	for (int k = 0; k < SP_N; k++)
		free(v->split[k]);
	free(v->steps);
	free(v->paint_buf[0]);
	free(v->paint_buf[1]);
	free(v);
	return rc;

missing:
	fprintf(stderr, "%s: %s needs a value\n", v->prog, argv[argc - 1]);
usage:
	free(v->steps);
	free(v);
	return 2;
}
