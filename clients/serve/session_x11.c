/* X sessions: a private X display (xdisplay's xd: Xvfb, telly as its
 * window manager) with programs in it. A desk with RP_CAP_X11 attached to
 * one gets XWIN for every window, a keyframe of each, then updates: on
 * damage the window's changed pixels are read, encoded once
 * (rp_xenc_update) and the same payload is queued to every viewer behind
 * its own header. An update that answers an input is read at once (what
 * is drawn within X11_ANSWER_US of it too: x11_pace_wait); otherwise a
 * window is read at most once a frame (X11_FRAME_MS), and
 * only for viewers with fewer than X11_UNACKED_MAX updates not yet
 * acknowledged (XACK); a viewer past that, or whose queue overflowed,
 * gets a keyframe when it catches up, never a backlog.
 *
 * The session lasts while a program it started runs (one started
 * without a program lasts until killed), then while an X client of its
 * own that showed a window remains on its display (a launcher's
 * backgrounded window: sh -c 'xclock &'), as ssh -X's lasts while its X
 * channels do, or one that holds a copy while a desk views it (xclip
 * -i); what shows no window (dbus-launch), and what the programs left
 * on its way to the display, keep it X11_LINGER_START_MS at most
 * (on_clients; clients/serve/README.md, "How long an X session
 * lasts"). Clients are counted by X-Resource, telly's own connection
 * not counted; a server without it ends with the programs. The display
 * ends with the session.
 * Windows keep their place while nobody looks: they are the X server's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "kpty_os.h"
#include "serve.h"
#include "xd.h"
#include "xd_prop.h"
#include "xwin.h"

#define X11_JPEG_QUALITY 75  /* video-like regions, for windows whose desks all take JPEG */
#define X11_UNACKED_MAX RP_XUNACKED_MAX /* a viewer has at most this many updates unacknowledged */
#define X11_MAX_PROGRAMS 64  /* programs started in one display */
/* What the first program printed before a desk that prints it attached, kept for it. */
#define X11_EARLY_OUTPUT_BYTES (64u << 10)
/* A session whose OPEN said a view follows (telly x's, which attaches
 * by name once the OPEN is answered) is not put down before that view
 * attached, for this long at most from the answer: a telly x that died
 * in between (its view could not start, it was killed) does not keep
 * the session longer. */
#define X11_VIEW_WAIT_MS 10000
/* Its programs gone, the display's clients are counted again this
 * often (and when a window goes) while one that showed a window
 * remains; sooner while it lasts for what shows none: a client that has
 * not shown a window yet (X11_LINGER_START_MS at most from the programs'
 * end or from when it was first counted, whichever is later), or, none
 * connected, what the programs left running (a launcher's child on its
 * way to the display: X11_LINGER_START_MS at most from their end). */
#define X11_CLIENTS_MS 1000
#define X11_CLIENTS_SOON_MS 100
#define X11_LINGER_START_MS 5000
/* What of a process's environment is read for the session's display
 * (reachers_left): the rest is not looked at. */
#define X11_ENV_READ_BYTES (128u << 10)
/* A server that does not answer the count for this long (stopped, or
 * grabbed) is put down as it would have been without X-Resource. */
#define X11_CLIENTS_ANSWER_MS 5000
#define X11_MAX_WINDOWS XD_MAX_WINDOWS
#define X11_XWIN_FRAME_BYTES (3 * (2 + XD_TITLE_MAX_BYTES) + 128)
/* A cursor's pixels in one XCURSOR frame (its serial, size and hot spot
 * first): a larger one (128x128 and up) is made smaller to fit. */
#define X11_CURSOR_MAX_PX ((RP_MAX_PAYLOAD - 12) / 4)

struct x11;
struct xprog {
	struct x11 *x;
	pid_t pid;
	char **argv; /* waiting for the display; NULL once started */
	/* What its exec says if it fails ("telly: cannot run PROG: WHY\n"),
	 * read as it comes and closed at the end of file, which comes at the
	 * exec when it runs: no descriptor held for a program's life; and
	 * the telly run waiting for its answer (exec.ask) until then (a
	 * child slow to exec: answered whenever it says, never waited for). */
	struct exec_watch exec;
	bool first; /* the session's own program: its status is the session's */
	/* Its exec pipe ended as it died: whether that was its exec is its
	 * reap's to say (program_ended). */
	bool start_unsure;
	char name[48];
};

struct xwindow {
	struct xwindow *next;
	uint32_t id;
	struct rp_xwin m; /* as last told, strings in the buffers below */
	char title[XD_TITLE_MAX_BYTES + 1], wm_class[XD_TITLE_MAX_BYTES + 1],
		icon[XD_TITLE_MAX_BYTES + 1];
	struct rp_xenc *enc;
	bool has_pixels; /* the encoder's shadow holds a picture */
	bool went_lossy; /* logged: a region of it changed like video */
	bool dirty;	 /* damaged since last read */
	struct x11_pace pace; /* when its next read may be (x11_pace_wait) */
	bool read_for_input;  /* the read under way answers an input: written at once */
	uint64_t t_damage; /* ns: the first damage after an input */
	/* Its shapes as last told (bounding, input; kind: RP_XSHAPE_*), for
	 * desks that attach later; rects NULL: never shaped, or not now. */
	struct x11_shape {
		bool shaped;
		uint16_t w, h, n;
		struct rp_xshape_rect *rects;
	} shape[2];
};

/* What one viewer has of one window. */
struct xvwin {
	uint32_t id, sent, acked;
	bool key_due;
};

struct xview {
	struct xview *next;
	struct chan *v;
	struct xvwin *w;
	unsigned nw, capw;
	struct rp_xtext keymap, clip;
	/* Its desk's keymap (NULL: none came): its keys are read in it.
	 * km_had: the display had it at keymap generation km_had_gen
	 * (xd_keymap_gen): the next key need not compare its text again. */
	char *km;
	size_t km_len;
	bool km_had;
	unsigned long km_had_gen;
	/* XTIMING: the input it times, when it was handled and when it was
	 * written to the display (0: not yet). A press (what the desk times)
	 * is not replaced by a release or a motion after it, which would
	 * lend it their later times (the press's time on the host counted
	 * as its wire to host); a later press replaces it (an earlier one
	 * that changed nothing, a Shift, is answered by no pixels). */
	uint32_t t_seq, t_id;
	uint64_t t_input, t_injected;
	/* The input a window's damage came after (seq 0: none), with its
	 * damage time: what the read that takes that damage answers. */
	struct rp_xtiming ans;
	bool started; /* XWINs sent */
	bool ends_told; /* told (XLASTS) that the session ends when it leaves */
	/* Keys (by keycode) and buttons (bit N: button N) it pressed and has
	 * not released: let go when it goes (x11_detached), or the display
	 * keeps them down for everyone after. */
	uint8_t keys_down[32];
	uint16_t buttons_down;
};

struct x11 {
	struct session s;
	struct xd *xd;
	int fd; /* as registered */
	unsigned fd_gen; /* xd_fd_gen when fd was added: the same number may be another */
	/* Wakes the loop when xcb holds work the display's descriptor will
	 * not tell of (settle). */
	int kick_fd;
	bool kick_registered, dispatching;
	bool input_due; /* injected input not flushed yet (x11_input_done) */
	bool told_hold_full; /* said that a desk waits for a keymap's load */
	bool told_dropping;  /* desks told that their input to the display is dropped */
	char cmd[LIST_CMD_MAX + 1];
	char log[300];
	/* The first program's stdout and stderr (read ends; -1: none or
	 * ended), read into the log (out_log) and to the desks that asked
	 * for them (RP_CAP_XOUTPUT), as ssh -X prints them. */
	int out_fd[2], out_log;
	bool out_registered[2];
	/* What it printed before a desk that asked for it attached (telly
	 * x's view attaches once the program runs): kept for the first such
	 * desk, as records (u8 stream, u16 length, bytes), up to
	 * X11_EARLY_OUTPUT_BYTES, the rest counted (early_dropped). */
	uint8_t *early;
	size_t early_len;
	uint32_t early_dropped[2];
	bool early_given;
	/* The view its OPEN said follows (RP_OPEN_MORE_VIEW, view_wait):
	 * until one that takes the output attaches, or X11_VIEW_WAIT_MS from
	 * the OPEN's answer (view_by; 0: not answered yet), the display is
	 * not put down when its programs' end would put it down (down_due:
	 * done once the view came or the time is over), so a program that
	 * ended before it came leaves its output and its status to it. */
	bool view_wait, down_due;
	long view_by;
	char end_note[400]; /* its first program's end as its views were told, for it */
	char down_why[160]; /* what put the display down, for serve.log */
	/* The display's selections (CLIPBOARD, PRIMARY; at most
	 * XD_SEL_MAX_BYTES each) as its programs or a desk last copied them,
	 * counted (sel_gen, against each channel's xsel_gen) and when
	 * (sel_at, ms): for a desk that was behind, that attaches, or that
	 * resumes. */
	char *sel_text[2];
	size_t sel_len[2];
	uint32_t sel_gen[2];
	long sel_at[2];
	char home[1024];
	struct xprog progs[X11_MAX_PROGRAMS];
	unsigned nprogs;
	bool started_any, killing, stopped, more;
	/* A program could not be forked: no child of it to reap, so its
	 * reap's work (programs_idle) is done by the next tick. */
	bool spawn_failed;
	long kill_at; /* ms: SIGKILL to the programs (the server's is xd's); 0: none due */
	/* Its programs ended and X clients of its own may remain (lingering,
	 * since linger_since ms): counted at clients_at (others, of which
	 * shown showed a window; -1 before the first answer; told_holding,
	 * told_unshown: said that only one holding a copy, or only some that
	 * show nothing, remain); no_xres: the server cannot count them. The
	 * process groups of ended programs with members left (left_groups):
	 * a launcher's child may not have reached the display yet, and is
	 * hung up with the rest. */
	bool lingering, no_xres, told_holding, told_unshown, told_held_past;
	/* At the last count only a copy held kept it, for its views, or it
	 * did and they all left since (views_keep): the only one is told
	 * (XLASTS) that it ends with it. */
	bool views_keep;
	int others, shown;
	long linger_since, clients_at, answer_by;
	pid_t left_groups[X11_MAX_PROGRAMS];
	unsigned nleft;
	/* Processes that carry its display (reachers_maybe). */
	struct x11_reach reach;
	/* The server ended (its status kept): the session ends once its
	 * programs and xd's processes are reaped too, never waiting for them. */
	bool server_gone;
	int server_status;
	/* The first program's wait status once it ended, as ssh -X gives
	 * the program's: the session's when its programs end it. */
	int first_status;
	/* The OPEN that made the session (telly new --x11, telly x),
	 * answered once its display is up and its program's exec says it
	 * runs (has_first; without one, once the display is up), or with why
	 * not (first_fail, or the display's end_why) once the session is gone
	 * (x11_destroy), so that it fails with no session left, as a
	 * terminal's, or once the first program is reaped while telly run's
	 * keep the session (x11_reap). A program that ran and ended at once, status 0, is a
	 * success: its exec said so before its end is taken. */
	struct open_ask made;
	bool has_first;
	char first_fail[END_WHY_MAX];
	/* Its ERROR's code: SPAWN for a program that cannot run (127), NOENT
	 * for one killed before its exec returned (it did not start, as a
	 * terminal's: PROTOCOL.md). */
	uint16_t first_fail_code;
	struct xwindow *wins;
	unsigned nwins;
	struct xview *views;
	uint32_t last_seq; /* the last input injected (any viewer's) */
	struct rp_xcursor cursor; /* the pointer's shape now (argb: x->cursor_px), for new desks */
	uint8_t *cursor_px;
	long wake_at;	   /* ms: a window is due to be read */
	unsigned want_w, want_h; /* a desk's screen, asked before the display was up */
	/* The size last asked of the display for a desk (0: none yet), and
	 * the count of desks' uses (each channel's xused). */
	unsigned scr_w, scr_h;
	uint32_t use_seq;
};

static const struct session_ops x11_ops;
static void settle(struct x11 *x);

static struct x11 *xs(struct session *s)
{
	return (struct x11 *)s;
}

struct x11 *x11_session(struct session *s)
{
	return s && s->ops == &x11_ops ? xs(s) : NULL;
}

static struct xwindow *win_find(struct x11 *x, uint32_t id)
{
	for (struct xwindow *w = x->wins; w; w = w->next)
		if (w->id == id)
			return w;
	return NULL;
}

static void win_free(struct xwindow *w)
{
	rp_xenc_destroy(w->enc);
	free(w->shape[0].rects);
	free(w->shape[1].rects);
	free(w);
}

static struct xview *view_of(struct x11 *x, struct chan *v, bool make)
{
	struct xview *xv;

	for (xv = x->views; xv; xv = xv->next)
		if (xv->v == v)
			return xv;
	if (!make || !(xv = calloc(1, sizeof *xv)))
		return NULL;
	xv->v = v;
	if (v->xkm) {
		/* A channel that resumed has the keymap it had again: its
		 * keys are read in it, though its desk does not send it
		 * again (cap XKEPT). */
		serve_log("session %s: a desk resumed with the keymap it had (%zu bytes)",
			  x->s.name, v->xkm_len);
		xv->km = v->xkm;
		xv->km_len = v->xkm_len;
		v->xkm = NULL;
		v->xkm_len = 0;
	}
	xv->next = x->views;
	x->views = xv;
	return xv;
}

static struct xvwin *vw_of(struct xview *xv, uint32_t id, bool make)
{
	for (unsigned i = 0; i < xv->nw; i++)
		if (xv->w[i].id == id)
			return &xv->w[i];
	if (!make)
		return NULL;
	if (xv->nw == xv->capw) {
		unsigned cap = xv->capw ? xv->capw * 2 : 8;
		struct xvwin *n = realloc(xv->w, cap * sizeof *n);
		if (!n)
			return NULL;
		xv->w = n;
		xv->capw = cap;
	}
	xv->w[xv->nw] = (struct xvwin){.id = id};
	return &xv->w[xv->nw++];
}

static void vw_forget(struct xview *xv, uint32_t id)
{
	for (unsigned i = 0; i < xv->nw; i++)
		if (xv->w[i].id == id) {
			xv->w[i] = xv->w[--xv->nw];
			return;
		}
}

/* ---- sending ---- */

/* The viewer fell behind (its queue is full): what it has not started
 * to receive goes, for every channel of the connection, and each gets a
 * snapshot (here: every window told again and keyframes) once the link
 * has drained, as chan_output. */
static void fell_behind(struct chan *v)
{
	rp_conn_drop_queued(v->conn->rc);
	for (int i = 0; i < MAX_CHANS; i++)
		if (v->conn->chans[i])
			v->conn->chans[i]->snapshot_due = true;
	v->conn->snapshots_due = true;
}

/* Whether a frame that is not droppable (XWIN, XGONE, XCURSOR, XCLIP)
 * may be queued for v now: not while it waits for a snapshot (which
 * says it all again), nor past the queue's bound (then it falls behind):
 * a program that renames a window, or changes its cursor, in a loop
 * costs a stopped desk no more than its queue. */
static bool may_queue(struct chan *v)
{
	if (v->snapshot_due || v->conn->closing_at)
		return false;
	if (rp_conn_queued(v->conn->rc) > VIEWER_QUEUE_BYTES) {
		fell_behind(v);
		return false;
	}
	return true;
}

static void send_xwin(struct chan *v, const struct xwindow *w)
{
	uint8_t buf[X11_XWIN_FRAME_BYTES];
	long n = may_queue(v) ? rp_xwin_frame(buf, sizeof buf, v->id, &w->m) : -1;

	if (n > 0)
		rp_conn_send(v->conn->rc, buf, (size_t)n);
}

/* Shape k of w, to a desk that takes it (an older one shows rectangles). */
static void send_shape(struct chan *v, const struct xwindow *w, int k)
{
	const struct x11_shape *sh = &w->shape[k];
	struct rp_xshape m = {.id = w->id, .kind = (uint8_t)k, .shaped = sh->shaped,
			      .w = sh->w, .h = sh->h, .n = sh->n, .rects = sh->rects};
	size_t cap = RP_HDR_SIZE + 16 + (size_t)sh->n * sizeof *sh->rects;
	uint8_t *buf;
	long n;

	if (!v->conn->xshape || !sh->w || !may_queue(v) || !(buf = malloc(cap)))
		return;
	n = rp_xshape_frame(buf, cap, v->id, &m);
	if (n > 0)
		rp_conn_send(v->conn->rc, buf, (size_t)n);
	free(buf);
}

static bool send_gone(struct chan *v, uint32_t id)
{
	uint8_t buf[32];
	long n = may_queue(v) ? rp_xid_frame(buf, sizeof buf, RP_XGONE, v->id, id) : -1;

	if (n > 0)
		rp_conn_send(v->conn->rc, buf, (size_t)n);
	return n > 0;
}

struct emit {
	struct x11 *x;
	struct xwindow *w;
	struct xview *only; /* a keyframe for one viewer; NULL: every viewer that takes it */
	uint64_t t_encoded;
	bool pushed; /* (a keyframe) it went into the viewer's queue */
};

static bool takes_update(struct xview *xv, struct xvwin *vw)
{
	return xv->started && !vw->key_due && !xv->v->snapshot_due && !xv->v->conn->closing_at &&
	       vw->sent - vw->acked < X11_UNACKED_MAX;
}

static bool push_pixels(struct xview *xv, struct xwindow *w, struct rp_buf *b,
			const struct rp_xpix *m)
{
	uint8_t h[RP_HDR_SIZE];
	struct xvwin *vw = vw_of(xv, w->id, true);

	if (!vw)
		return false;
	rp_hdr_encode(h, RP_XPIXELS, 0, xv->v->id, b->len);
	if (rp_conn_push(xv->v->conn->rc, h, sizeof h, b, true) < 0) {
		fell_behind(xv->v);
		return false;
	}
	vw->sent = m->frame;
	return true;
}

static int emit_fn(void *ctx, const uint8_t *payload, size_t len)
{
	struct emit *e = ctx;
	struct rp_xpix m;
	size_t off;
	struct rp_buf *b;

	if (rp_xpix_decode(payload, len, &m, &off) < 0)
		return -EPROTO; /* the encoder's own output: cannot happen */
	if (!(b = rp_buf_create(len)))
		return -ENOMEM;
	memcpy(b->data, payload, len);
	if (e->only) {
		e->pushed |= push_pixels(e->only, e->w, b, &m);
	} else {
		for (struct xview *xv = e->x->views; xv; xv = xv->next) {
			struct xvwin *vw = vw_of(xv, e->w->id, true);
			/* An update goes whole or not at all: its first frame
			 * decides (sent moves on with it). A viewer that misses
			 * one is owed a keyframe once it catches up. */
			if (!vw)
				continue;
			if (vw->sent == m.frame || takes_update(xv, vw))
				push_pixels(xv, e->w, b, &m);
			else if (xv->started)
				vw->key_due = true;
		}
	}
	rp_buf_unref(b);
	return 0;
}

/* PALETTE only where every desk watching decodes it (RP_CAP_XPALETTE). */
static bool all_take_palette(const struct x11 *x)
{
	for (const struct xview *xv = x->views; xv; xv = xv->next)
		if (!xv->v->conn->xpalette)
			return false;
	return x->views != NULL;
}

static void keyframe(struct x11 *x, struct xview *xv, struct xwindow *w)
{
	struct xvwin *vw = vw_of(xv, w->id, true);
	struct emit e = {x, w, xv, 0, false};

	if (!vw || !w->enc || !w->has_pixels)
		return;
	vw->key_due = false;
	rp_xenc_palette(w->enc, all_take_palette(x));
	if (rp_xenc_keyframe(w->enc, x->last_seq, emit_fn, &e) < 0)
		serve_log("session %s: window 0x%x: no keyframe (out of memory)", x->s.name, w->id);
	/* A keyframe starts the count afresh: it is the one unacknowledged. */
	if (e.pushed)
		vw->acked = vw->sent - 1;
}

static void send_timing(struct x11 *x, struct xwindow *w, uint64_t t_read, uint64_t t_encoded)
{
	/* A read that began before the input's damage came (the damage
	 * arrived during it) does not answer it: the next read does. */
	if (!w->t_damage)
		return;
	for (struct xview *xv = x->views; xv; xv = xv->next) {
		if (!xv->ans.seq || !xv->v->conn->timing || xv->ans.id != w->id)
			continue;
		struct rp_xtiming t = xv->ans;
		t.t_read = t_read;
		t.t_encoded = t_encoded;
		t.t_sent = base_now_ns();
		uint8_t buf[128];
		long n = rp_xtiming_frame(buf, sizeof buf, xv->v->id, &t);
		if (n > 0)
			rp_conn_send(xv->v->conn->rc, buf, (size_t)n);
		if (xv->t_seq == xv->ans.seq)
			xv->t_seq = 0;
		xv->ans.seq = 0;
	}
	w->t_damage = 0;
}

/* ---- reading windows: when ---- */

/* JPEG only where every desk watching decodes it (RP_CAP_XLOSSY). */
static bool all_take_jpeg(const struct x11 *x)
{
	for (const struct xview *xv = x->views; xv; xv = xv->next)
		if (!xv->v->conn->xlossy)
			return false;
	return x->views != NULL;
}

static bool anyone_takes(struct x11 *x, struct xwindow *w)
{
	for (struct xview *xv = x->views; xv; xv = xv->next) {
		struct xvwin *vw = vw_of(xv, w->id, false);
		if (!xv->started)
			continue;
		if (!vw || vw->key_due || vw->sent - vw->acked < X11_UNACKED_MAX)
			return true;
	}
	return false;
}

/* The pacing of a window's reads, a plain function of the clock
 * (test_serve.c). A program's answer to an input is read at once, its
 * first damage and what it draws soon after (a key's text, then its
 * cursor: the second piece waited up to a frame, X11_FRAME_MS, which made
 * the slowest keys). Soon: within X11_ANSWER_US of the input, at most
 * X11_ANSWER_READS reads; past either, reads are a frame apart again, so
 * an animating program (or one typed into) never reads faster than the
 * frame clock allows for long. */
void x11_pace_input(struct x11_pace *p, uint64_t now_ns)
{
	p->input_ns = now_ns;
	p->answers = 0;
	p->may = X11_ANSWER_READS;
}

/* (Each motion an input as a key is: the pointer moved over a window
 * that animates had it read at every damage, past the frame clock, for
 * as long as it moved.) */
void x11_pace_motion(struct x11_pace *p, uint64_t now_ns)
{
	if (p->input_ns && now_ns - p->input_ns < (uint64_t)X11_FRAME_MS * 1000000)
		return; /* a frame's motion is answered once: the rest on the clock */
	p->input_ns = now_ns;
	p->answers = 0;
	p->may = 1;
}

void x11_pace_read(struct x11_pace *p, uint64_t now_ns)
{
	if (p->input_ns && p->answers < p->may)
		p->answers++;
	p->read_ns = now_ns;
}

bool x11_pace_answering(const struct x11_pace *p)
{
	return p->input_ns && !p->answers;
}

bool x11_pace_for_input(const struct x11_pace *p, uint64_t now_ns)
{
	return x11_pace_answering(p) ||
	       (p->input_ns && p->answers < p->may &&
		now_ns - p->input_ns < (uint64_t)X11_ANSWER_US * 1000);
}

uint64_t x11_pace_wait(const struct x11_pace *p, uint64_t now_ns)
{
	uint64_t due = p->read_ns + (uint64_t)X11_FRAME_MS * 1000000;

	if (x11_pace_for_input(p, now_ns) || now_ns >= due)
		return 0;
	return due - now_ns;
}

/* Read w now if it is due: damaged, somebody takes it, and it answers an
 * input or its frame's time has come; else x->wake_at says when. */
static void maybe_read(struct x11 *x, struct xwindow *w)
{
	uint64_t now_ns = base_now_ns(), wait;

	if (!w->dirty || !anyone_takes(x, w) || xd_busy(x->xd, w->id))
		return;
	if (!(wait = x11_pace_wait(&w->pace, now_ns))) {
		bool for_input = x11_pace_for_input(&w->pace, now_ns);
		if (xd_capture(x->xd, w->id, !w->has_pixels)) {
			w->dirty = false;
			w->read_for_input = for_input;
			x11_pace_read(&w->pace, now_ns);
		}
		return;
	}
	long at = (long)((now_ns + wait + 999999) / 1000000);
	if (!x->wake_at || at < x->wake_at)
		x->wake_at = at;
}

/* ---- what the display says (xd_ops) ---- */

static void start_programs(struct x11 *x);
static void clients_ask(struct x11 *x);
static void linger_stop(struct x11 *x);

static void on_ready(void *ctx, int display)
{
	struct x11 *x = ctx;

	serve_log("session %s: X display :%d ready (%s pid %d)", x->s.name, display,
		  xd_server_name(x->xd), (int)xd_server_pid(x->xd));
	/* A desk that attached while it started asked for its size. */
	if (x->want_w)
		xd_screen_size(x->xd, x->want_w, x->want_h);
	x->want_w = x->want_h = 0;
	start_programs(x);
	if (!x->has_first)
		open_answer(x->s.srv, &x->made, &x->s, NULL);
}

static void on_window(void *ctx, const struct xd_window *d)
{
	struct x11 *x = ctx;
	struct xwindow *w = win_find(x, d->id);

	if (!w) {
		if (x->nwins >= X11_MAX_WINDOWS || !(w = calloc(1, sizeof *w)))
			return;
		w->id = d->id;
		if (!(w->enc = rp_xenc_create(d->id, d->w, d->h))) {
			free(w);
			return;
		}
		w->next = x->wins;
		x->wins = w;
		x->nwins++;
	}
	snprintf(w->title, sizeof w->title, "%s", d->title);
	snprintf(w->wm_class, sizeof w->wm_class, "%s", d->wm_class);
	snprintf(w->icon, sizeof w->icon, "%s", d->icon_name);
	/* (Whether it is read is not the display's report: kept.) */
	uint16_t kept = w->m.flags & RP_XWIN_OVER_BOUND;
	struct rp_xwin m = {
		.id = d->id,
		.transient_for = d->transient_for,
		.above = d->above,
		.x = d->x,
		.y = d->y,
		.w = d->w,
		.h = d->h,
		.flags = (uint16_t)((d->override_redirect ? RP_XWIN_OVERRIDE : 0) |
				    (d->transient_for ? RP_XWIN_TRANSIENT : 0) |
				    (d->focused ? RP_XWIN_FOCUSED : 0) | (d->hints ? RP_XWIN_HINTS : 0) |
				    (d->can_close ? RP_XWIN_CAN_CLOSE : 0) |
				    (d->fullscreen ? RP_XWIN_FULLSCREEN : 0) |
				    (d->maximized ? RP_XWIN_MAXIMIZED : 0) |
				    (d->undecorated ? RP_XWIN_UNDECORATED : 0) |
				    (d->override_redirect ? 0
				     : d->positioned	  ? RP_XWIN_POSITIONED
							  : RP_XWIN_WM_PLACES) | kept),
		/* xd's struct, not XWIN's (xdisplay needs no remote-proto) */
		.size = {.min_w = d->size.min_w, .min_h = d->size.min_h,
			 .max_w = d->size.max_w, .max_h = d->size.max_h,
			 .inc_w = d->size.inc_w, .inc_h = d->size.inc_h,
			 .base_w = d->size.base_w, .base_h = d->size.base_h},
		.title = {w->title, (uint16_t)strlen(w->title)},
		.wm_class = {w->wm_class, (uint16_t)strlen(w->wm_class)},
		.icon_name = {w->icon, (uint16_t)strlen(w->icon)},
	};
	w->m = m;
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started)
			send_xwin(xv->v, w);
}

/* The display does not read w (over its pixels' bound) or reads it again:
 * its desks are told (XWIN's OVER_BOUND), so they say why it is empty. */
static void on_over_bound(void *ctx, uint32_t id, bool over)
{
	struct x11 *x = ctx;
	struct xwindow *w = win_find(x, id);

	if (!w || !!(w->m.flags & RP_XWIN_OVER_BOUND) == over)
		return;
	w->m.flags ^= RP_XWIN_OVER_BOUND;
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started)
			send_xwin(xv->v, w);
}

/* Window id's program asks to be dragged (a GTK header bar's) while a
 * desk holds button down in it: that desk's window manager does it
 * (XMOVERESIZE), and the button, which its window manager then has, is
 * let go here (its release comes to no window of the desk). A desk that
 * cannot, or none holding it: nothing moves. */
static void on_moveresize(void *ctx, uint32_t id, int direction, int button)
{
	struct x11 *x = ctx;
	uint8_t buf[RP_HDR_SIZE + 8];
	long n;

	for (struct xview *xv = x->views; xv; xv = xv->next) {
		if (!xv->started || !xv->v->conn->xmoveresize || xv->v->readonly ||
		    !(xv->buttons_down & (1u << button)))
			continue;
		n = rp_xmoveresize_frame(buf, sizeof buf, xv->v->id, id, (uint8_t)direction,
					 (uint8_t)button);
		if (n > 0)
			rp_conn_send(xv->v->conn->rc, buf, (size_t)n);
		xv->buttons_down &= (uint16_t)~(1u << button);
		xd_button_up(x->xd, button);
		settle(x);
		return;
	}
}

static void on_gone(void *ctx, uint32_t id)
{
	struct x11 *x = ctx;
	struct xwindow **pp, *w;

	for (pp = &x->wins; (w = *pp) && w->id != id; pp = &w->next)
		;
	if (!w)
		return;
	*pp = w->next;
	x->nwins--;
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (!xv->started || send_gone(xv->v, id))
			vw_forget(xv, id); /* else its snapshot says it is gone */
	win_free(w);
	if (x->lingering) /* maybe its last client's */
		clients_ask(x);
}

static void on_damaged(void *ctx, uint32_t id)
{
	struct x11 *x = ctx;
	struct xwindow *w = win_find(x, id);

	if (!w)
		return;
	w->dirty = true;
	/* A damage time from before the last read was asked is that
	 * read's; it is left only by a read that found nothing (its pixels
	 * went in the read before), and would date this input's damage
	 * before the input. */
	if (x11_pace_answering(&w->pace) && (!w->t_damage || w->t_damage < w->pace.read_ns)) {
		uint64_t now = base_now_ns();
		/* It answers the input before it: keys typed after, while
		 * it waits to be read, have their damage in the same read
		 * but no time of their own (this one is before them). A
		 * damage no input waits for (the rest of a change a read
		 * already answered) dates nothing: taken as the first
		 * damage, it left the next key's damage without a time. */
		for (struct xview *xv = x->views; xv; xv = xv->next)
			if (xv->t_seq && xv->t_injected && xv->t_id == w->id) {
				w->t_damage = now;
				xv->ans = (struct rp_xtiming){.seq = xv->t_seq,
							      .id = w->id,
							      .t_input = xv->t_input,
							      .t_injected = xv->t_injected,
							      .t_damage = now};
			}
	}
	maybe_read(x, w);
}

static void on_pixels(void *ctx, uint32_t id, const uint32_t *pix, uint16_t wd, uint16_t ht,
		      size_t stride, const struct xd_rect *rects, size_t n)
{
	_Static_assert(sizeof(struct xd_rect) == sizeof(struct rp_xrect), "the same boxes");
	struct x11 *x = ctx;
	struct xwindow *w = win_find(x, id);
	uint64_t t_read = base_now_ns();
	struct emit e;
	int r;

	if (!w)
		return;
	e = (struct emit){x, w, NULL, 0, false};
	rp_xenc_lossy(w->enc, all_take_jpeg(x) ? X11_JPEG_QUALITY : 0);
	rp_xenc_palette(w->enc, all_take_palette(x));
	rp_xenc_clock(w->enc, (uint32_t)base_now_ms());
	r = rp_xenc_update(w->enc, pix, wd, ht, stride, (const struct rp_xrect *)rects, n,
			   x->last_seq, emit_fn, &e);
	if (r < 0) {
		serve_log("session %s: window 0x%x: encoding failed (%s)", x->s.name, id,
			  strerror(-r));
		return;
	}
	w->has_pixels = true;
	if (!w->went_lossy && rp_xenc_refresh_in(w->enc, (uint32_t)base_now_ms()) >= 0) {
		w->went_lossy = true;
		serve_log("session %s: window 0x%x: a region changes like video: sent lossy "
			  "(JPEG) while it does, losslessly once it stops", x->s.name, id);
	}
	/* Viewers owed a keyframe get it now that the shadow is current. */
	for (struct xview *xv = x->views; xv; xv = xv->next) {
		struct xvwin *vw = vw_of(xv, id, false);
		if (xv->started && vw && vw->key_due && vw->sent - vw->acked < X11_UNACKED_MAX)
			keyframe(x, xv, w);
	}
	send_timing(x, w, t_read, base_now_ns());
	/* An answer to an input goes on the wire now, not once the rest of
	 * the display's events and answers are taken (another read asked,
	 * the next damage): the loop's flush comes after those. A failure
	 * is that flush's to tell. */
	if (w->read_for_input)
		for (struct xview *xv = x->views; xv; xv = xv->next)
			if (xv->started && !xv->v->conn->closing_at)
				rp_conn_flush(xv->v->conn->rc);
}

/* Lossy pixels still for a while go again losslessly (nothing stays
 * blurred): now, or the ms until the next is due (-1: none owed). */
static long refresh_lossy(struct x11 *x, struct xwindow *w, long now)
{
	long in = rp_xenc_refresh_in(w->enc, (uint32_t)now);
	struct emit e = {x, w, NULL, 0, false};

	if (in != 0)
		return in;
	if (!anyone_takes(x, w) || xd_busy(x->xd, w->id))
		return X11_FRAME_MS;
	rp_xenc_palette(w->enc, all_take_palette(x));
	if (rp_xenc_refresh(w->enc, (uint32_t)now, x->last_seq, emit_fn, &e) < 0)
		serve_log("session %s: window 0x%x: encoding failed", x->s.name, w->id);
	return rp_xenc_refresh_in(w->enc, (uint32_t)now);
}

static void send_cursor(struct x11 *x, struct chan *v)
{
	size_t cap = (size_t)x->cursor.w * x->cursor.h * 4 + 64;
	uint8_t *buf;
	long n;

	if (!x->cursor_px || !may_queue(v) || !(buf = malloc(cap)))
		return;
	n = rp_xcursor_frame(buf, cap, v->id, &x->cursor);
	if (n > 0) /* (a cursor too large for a frame is not sent: PROTOCOL.md) */
		rp_conn_send(v->conn->rc, buf, (size_t)n);
	free(buf);
}

/* The pointer's shape changed: kept (a desk that attaches later gets
 * it) and told to every desk; one too large for a frame made smaller
 * (before, it was not sent, and the desk kept the shape before it). */
static void on_cursor(void *ctx, const struct xd_cursor *c)
{
	struct x11 *x = ctx;
	struct xd_prop_cursor pc = {c->w, c->h, c->xhot, c->yhot};
	size_t n = (size_t)c->w * c->h;
	uint32_t *px = malloc((n < X11_CURSOR_MAX_PX ? n : X11_CURSOR_MAX_PX) * 4);

	if (!px)
		return;
	if (!xd_prop_cursor_fit(&pc, c->argb, X11_CURSOR_MAX_PX, px))
		memcpy(px, c->argb, n * 4);
	free(x->cursor_px);
	x->cursor_px = (uint8_t *)px;
	x->cursor = (struct rp_xcursor){c->serial, pc.w, pc.h, pc.xhot, pc.yhot, (uint8_t *)px};
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started)
			send_cursor(x, xv->v);
}

/* A window's shape changed: kept (a desk that attaches later gets it) and
 * told to every desk that takes it. */
static void on_shape(void *ctx, const struct xd_shape *s)
{
	_Static_assert(RP_XSHAPE_MAX_RECTS == XD_SHAPE_MAX_RECTS, "a shape fits its message");
	struct x11 *x = ctx;
	struct xwindow *w = win_find(x, s->id);
	struct x11_shape *sh;
	struct rp_xshape_rect *r = NULL;
	int k = s->kind == XD_SHAPE_INPUT ? RP_XSHAPE_INPUT : RP_XSHAPE_BOUNDING;

	if (!w || s->n > RP_XSHAPE_MAX_RECTS)
		return;
	if (s->n && !(r = malloc(s->n * sizeof *r)))
		return;
	for (size_t i = 0; i < s->n; i++)
		r[i] = (struct rp_xshape_rect){(uint16_t)s->rects[i].x, (uint16_t)s->rects[i].y,
					       (uint16_t)s->rects[i].w, (uint16_t)s->rects[i].h};
	sh = &w->shape[k];
	free(sh->rects);
	*sh = (struct x11_shape){s->shaped, s->w, s->h, (uint16_t)s->n, r};
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started)
			send_shape(xv->v, w, k);
}

static void programs_signal(struct x11 *x, int sig)
{
	for (unsigned i = 0; i < x->nprogs; i++)
		if (x->progs[i].pid > 0)
			kpty_os_signal_session(x->progs[i].pid, sig);
	for (unsigned i = 0; i < x->nleft; i++)
		kill(-x->left_groups[i], sig);
}

/* Whether what ended programs left in their process groups still runs
 * (those emptied are forgotten: their number is free again). */
static bool groups_left(struct x11 *x)
{
	unsigned n = 0;

	for (unsigned i = 0; i < x->nleft; i++)
		if (kill(-x->left_groups[i], 0) == 0 || errno == EPERM)
			x->left_groups[n++] = x->left_groups[i];
	x->nleft = n;
	return n > 0;
}

/* The environment entries that let a program reach the display: what
 * the session's programs are given (spawn), and what is looked for in
 * what they left (reachers_left). */
static void display_env(struct x11 *x, char dpy[static 32], char xauth[static 600])
{
	snprintf(dpy, 32, "DISPLAY=:%d", xd_display(x->xd));
	snprintf(xauth, 600, "XAUTHORITY=%s", xd_auth_path(x->xd));
}

bool x11_env_has(const char *env, size_t n, const char *entry)
{
	size_t len = strlen(entry);

	for (size_t at = 0; at < n;) {
		const char *end = memchr(env + at, '\0', n - at);
		if (!end)
			return false; /* cut short: not a whole entry */
		size_t el = (size_t)(end - (env + at));
		if (el == len && !memcmp(env + at, entry, len))
			return true;
		at += el + 1;
	}
	return false;
}

/* Whether some process carries the display (its entries dpy and xauth)
 * in its environment (the first X11_ENV_READ_BYTES of it, as it was at
 * its exec): what the programs left that is not in their process
 * groups, a launcher's child that made a session of its own (setsid, a
 * daemon's double fork), may still be on its way to the display. Only
 * the daemon's user's processes can be read (all of them as root). */
static bool reachers_left(const char *dpy, const char *xauth)
{
	char path[40];
	DIR *d = opendir("/proc");
	char *env = malloc(X11_ENV_READ_BYTES);
	bool found = false;
	struct dirent *e;

	while (d && env && !found && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof path, "/proc/%ld/environ", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		size_t n = 0;
		ssize_t r;
		while (n < X11_ENV_READ_BYTES &&
		       (r = read(fd, env + n, X11_ENV_READ_BYTES - n)) > 0)
			n += (size_t)r;
		close(fd);
		found = x11_env_has(env, n, dpy) && x11_env_has(env, n, xauth);
	}
	if (d)
		closedir(d);
	free(env);
	return found;
}

/* Looks for processes that carry the display (reachers_left), each in
 * a thread of its own: reading a process's environment takes its memory
 * map's lock, which a process stuck in a page fault on a hung mount may
 * hold (or wait for) as long as it is stuck, and the loop never waits on
 * that. A look that never ends leaves its thread stuck: a session starts
 * no other while it is (its next linger waits for it, its answer not
 * taken), and the daemon X11_LOOKS_MAX at most; a session that cannot
 * look waits X11_LINGER_START_MS, as for what was left. */
struct x11_looks {
	atomic_int refs;  /* the server's and each look thread's */
	atomic_int alive; /* look threads not ended */
	bool (*look)(void *arg, const char *dpy, const char *xauth);
	void *arg;
};

struct reach_look {
	atomic_int refs; /* the thread's and the session's */
	atomic_bool done;
	bool found; /* (written before done) */
	struct x11_looks *ls;
	char dpy[32], xauth[600];
};

struct x11_looks *x11_looks_create(bool (*look)(void *arg, const char *dpy, const char *xauth),
				   void *arg)
{
	struct x11_looks *ls = calloc(1, sizeof *ls);

	if (!ls)
		return NULL;
	atomic_init(&ls->refs, 1);
	atomic_init(&ls->alive, 0);
	ls->look = look;
	ls->arg = arg;
	return ls;
}

void x11_looks_put(struct x11_looks *ls)
{
	if (ls && atomic_fetch_sub(&ls->refs, 1) == 1)
		free(ls);
}

int x11_looks_alive(struct x11_looks *ls)
{
	return atomic_load(&ls->alive);
}

static void look_put(struct reach_look *l)
{
	if (l && atomic_fetch_sub(&l->refs, 1) == 1)
		free(l);
}

static void *look_thread(void *arg)
{
	struct reach_look *l = arg;
	struct x11_looks *ls = l->ls;

	l->found = ls->look(ls->arg, l->dpy, l->xauth);
	atomic_store(&l->done, true);
	look_put(l);
	atomic_fetch_sub(&ls->alive, 1);
	x11_looks_put(ls);
	return NULL;
}

void x11_reach_again(struct x11_reach *r)
{
	r->stale = r->look != NULL;
	r->reach = -1;
}

bool x11_reach_maybe(struct x11_reach *r, struct x11_looks *ls, const char *dpy, const char *xauth)
{
	struct reach_look *l = r->look;

	if (l && atomic_load(&l->done)) {
		if (!r->stale)
			r->reach = l->found;
		r->stale = false;
		look_put(l);
		r->look = l = NULL;
	}
	if (r->reach == 0 || l || !ls)
		return r->reach != 0;
	/* One thread more only within the bound: counted here, before it
	 * starts, and by itself as it ends. */
	if (atomic_fetch_add(&ls->alive, 1) < X11_LOOKS_MAX && (l = calloc(1, sizeof *l))) {
		snprintf(l->dpy, sizeof l->dpy, "%s", dpy);
		snprintf(l->xauth, sizeof l->xauth, "%s", xauth);
		atomic_init(&l->refs, 2);
		l->ls = ls;
		atomic_fetch_add(&ls->refs, 1);
		if (base_thread_detached(look_thread, l, 256 << 10) == 0) {
			r->look = l;
			return true;
		}
		atomic_fetch_sub(&ls->refs, 1);
		free(l);
	}
	atomic_fetch_sub(&ls->alive, 1); /* (no look: maybe, then) */
	return true;
}

void x11_reach_finish(struct x11_reach *r)
{
	look_put(r->look);
	r->look = NULL;
}

static bool look_proc(void *arg, const char *dpy, const char *xauth)
{
	(void)arg;
	return reachers_left(dpy, xauth);
}

/* Whether what the programs left may still reach the display: the last
 * look's answer (maybe, before the first), and a new look asked for the
 * next count while it is not no. */
static bool reachers_maybe(struct x11 *x)
{
	struct server *srv = x->s.srv;
	char dpy[32], xauth[600];

	if (!srv->x11_looks)
		srv->x11_looks = x11_looks_create(look_proc, NULL);
	display_env(x, dpy, xauth);
	return x11_reach_maybe(&x->reach, srv->x11_looks, dpy, xauth);
}

static void x11_register_fds(struct session *s, struct fdm *fdm);
static void tell_views(struct x11 *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void on_lost(void *ctx, const char *why)
{
	struct x11 *x = ctx;

	x->lingering = false; /* nothing left to count */
	/* A display telly stopped is no breakage: say what happened. */
	if (x->killing)
		serve_log("session %s: killed: its X display was stopped", x->s.name);
	else if (x->stopped)
		serve_log("session %s: %s", x->s.name,
			  x->down_why[0] ? x->down_why : "its X display was stopped");
	else
		serve_log("session %s: %s", x->s.name, why);
	/* Why the session goes, to its views and to whoever opens it
	 * next (telly new --x11 waits for its display: no X server); not
	 * when it went because telly stopped it (its programs ended). */
	if (!x->stopped && !x->killing) {
		tell_views(x, "%s", why);
		if (!x->s.end_why[0])
			snprintf(x->s.end_why, sizeof x->s.end_why, "%s", why);
	}
	/* A start that failed closed what was polled (not always in a
	 * dispatch, after which the descriptor is looked at anyway). */
	x11_register_fds(&x->s, x->s.srv->fdm);
	programs_signal(x, SIGHUP);
	xd_stop(x->xd);
	if (!x->kill_at)
		x->kill_at = base_now_ms() + KILL_GRACE_MS;
}

static int send_clip(void *ctx, const uint8_t *frame, size_t len)
{
	return rp_conn_send(ctx, frame, len);
}

static void clip_send(struct x11 *x, struct xview *xv, int sel)
{
	xv->v->xsel_gen[sel] = x->sel_gen[sel];
	rp_xchunks_send(RP_XCLIP, xv->v->id, (uint8_t)sel, x->sel_text[sel],
			(uint32_t)x->sel_len[sel], send_clip, xv->v->conn->rc);
}

/* Whether desk v has not got the latest of selection sel. */
static bool clip_owed(const struct x11 *x, const struct chan *v, int sel)
{
	return x->sel_text[sel] && v->xsel_gen[sel] != x->sel_gen[sel] && !v->conn->closing_at;
}

/* Selection sel of the display is now text: a program in it copied
 * (from NULL), or desk from did. Only the latest is kept; every other
 * desk gets it (a desk's copy is the host's newest as much as a
 * program's), one past its queue's bound once it has caught up
 * (x11_snapshot). */
static void sel_changed(struct x11 *x, int sel, const char *text, size_t n, struct chan *from)
{
	char *t = malloc(n ? n : 1);

	free(x->sel_text[sel]);
	x->sel_text[sel] = t;
	x->sel_len[sel] = t ? n : 0;
	x->sel_gen[sel]++;
	x->sel_at[sel] = base_now_ms();
	if (!t) { /* (none offered rather than an older one) */
		serve_log("session %s: a copy of %zu bytes: out of memory", x->s.name, n);
		return;
	}
	memcpy(t, text, n);
	if (from)
		from->xsel_gen[sel] = x->sel_gen[sel];
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started && xv->v != from && may_queue(xv->v))
			clip_send(x, xv, sel);
}

/* A program in the display copied. */
static void on_selection(void *ctx, int sel, const char *text, size_t n)
{
	if (sel >= 0 && sel <= 1 && n <= XD_SEL_MAX_BYTES)
		sel_changed(ctx, sel, text, n, NULL);
}

/* A program in the display copied more than is passed on: its desks are
 * told, as the host tells a desk's copy over the bound (x11_clip). */
static void on_selection_too_big(void *ctx, int sel)
{
	tell_views(ctx, "XCLIP: a text over %u bytes copied on the host (%s) is not passed on",
		   XD_SEL_MAX_BYTES, sel ? "PRIMARY" : "CLIPBOARD");
}

static void x11_register_fds(struct session *s, struct fdm *fdm);

static void on_xfd(struct fdm *fdm, int fd, int events, void *data);

/* x-server auto: Xorg did not start, Xvfb runs instead. Its displayfd is
 * a new pipe, which may have the old one's number: added anew. */
static void on_fell_back(void *ctx, const char *why)
{
	struct x11 *x = ctx;

	serve_log("session %s: %s", x->s.name, why);
	fdm_del_if(x->s.srv->fdm, x->fd, on_xfd, &x->s);
	x->fd = -1;
	x11_register_fds(&x->s, x->s.srv->fdm);
}

static void on_clients(void *ctx, const struct xd_clients *c);

static const struct xd_ops xd_ops = {
	.fell_back = on_fell_back,
	.selection = on_selection,
	.selection_too_big = on_selection_too_big,
	.ready = on_ready,
	.window = on_window,
	.gone = on_gone,
	.damaged = on_damaged,
	.pixels = on_pixels,
	.cursor = on_cursor,
	.over_bound = on_over_bound,
	.moveresize = on_moveresize,
	.shape = on_shape,
	.lost = on_lost,
	.clients = on_clients,
};

/* ---- programs ---- */

/* Said to everyone viewing the session (in their view, not only in
 * serve.log): what became of a program they started. */
static void tell_views(struct x11 *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell_views(struct x11 *x, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	for (struct xview *xv = x->views; xv; xv = xv->next)
		chan_notice(xv->v, "%s", msg);
}

/* A program's end told to the views; the first's kept too for the view
 * its OPEN said follows, if it has not come (x11_attached): it is told
 * as it would have been, however quick the program. */
static void tell_end(struct x11 *x, bool first, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void tell_end(struct x11 *x, bool first, const char *fmt, ...)
{
	char msg[sizeof x->end_note];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	tell_views(x, "%s", msg);
	if (first && x->view_wait)
		snprintf(x->end_note, sizeof x->end_note, "%s", msg);
}

static void free_argv(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static void out_close(int out[2][2])
{
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 2; k++) {
			if (out[i][k] >= 0)
				close(out[i][k]);
			out[i][k] = -1;
		}
}

/* The child's failure to exec goes to the log (its stderr) and to a
 * close-on-exec pipe (*say_fd, its read end, which on_said reads), so
 * the person who asked for the program is told why it did not run. */
static pid_t spawn(struct x11 *x, char **argv, int *say_fd, bool first)
{
	char dpy[32], xauth[600], sess[100];
	int say[2] = {-1, -1}, out[2][2] = {{-1, -1}, {-1, -1}};
	pid_t pid;

	display_env(x, dpy, xauth);
	snprintf(sess, sizeof sess, "TELLY_SESSION=%s", x->s.name);
	/* The environment made here: the child only makes system calls (the
	 * daemon has threads; a lock one held at the fork stays held). */
	const char *edits[] = {dpy, xauth, sess, "NOTIFY_SOCKET", "WAYLAND_DISPLAY", NULL};
	char **envp = base_env_edit(environ, edits);
	int bound = base_fd_bound();
	if (!envp)
		return -1;
	if (pipe2(say, O_CLOEXEC | O_NONBLOCK) < 0)
		say[0] = say[1] = -1; /* only the log is told then */
	/* Its output through the daemon (only the log without them). */
	if (first && (pipe2(out[0], O_CLOEXEC) < 0 || pipe2(out[1], O_CLOEXEC) < 0))
		out_close(out);
	pid = kpty_os_fork(); /* signals held until the child's own are set */
	if (pid != 0) {
		free(envp);
		for (int i = 0; i < 2 && out[i][0] >= 0; i++) {
			close(out[i][1]);
			if (pid > 0 && fcntl(out[i][0], F_SETFL, O_NONBLOCK) == 0)
				x->out_fd[i] = out[i][0];
			else
				close(out[i][0]);
		}
		if (say[1] >= 0)
			close(say[1]);
		if (pid < 0 && say[0] >= 0) {
			close(say[0]);
			say[0] = -1;
		}
		*say_fd = say[0];
		return pid;
	}
	kpty_os_child_signals();
	setsid();
	base_child_stdio(x->log);
	if (out[0][1] >= 0 && (dup2(out[0][1], 1) < 0 || dup2(out[1][1], 2) < 0))
		_exit(127);
	/* Fd 3, close-on-exec: seen only if the exec fails. */
	if (say[1] >= 0 && (say[1] == 3 ? fcntl(3, F_SETFD, FD_CLOEXEC) : dup3(say[1], 3, O_CLOEXEC)) < 0)
		say[1] = -1;
	base_child_closefrom(say[1] >= 0 ? 4 : 3, bound);
	if (chdir(x->home) < 0 && chdir("/") < 0)
		_exit(127);
	execvpe(argv[0], argv, envp);
	int e = errno;
	kpty_os_child_exec_failed();
	base_child_say_failed(2, argv[0], e);
	if (say[1] >= 0)
		base_child_say_failed(3, argv[0], e);
	_exit(127);
}

/* What a program's failed exec said ("telly: cannot run PROG: WHY\n"),
 * only its own bytes, cut and made printable; 0 if it said nothing. */
static size_t said_text(const struct xprog *p, char *text, size_t n)
{
	const char *said = p->exec.said;
	size_t len = p->exec.nsaid, skip = strlen("telly: ");

	if (!len)
		return 0;
	while (len && said[len - 1] == '\n')
		len--;
	if (len > skip && !memcmp(said, "telly: ", skip))
		len -= skip;
	else
		skip = 0;
	base_log_escape(said + skip, len, false, text, n);
	return len;
}

/* The OPEN waiting for p's exec: the session's own for its first. */
static struct open_ask *ask_of(struct xprog *p)
{
	return p->first ? &p->x->made : &p->exec.ask;
}

/* A program's exec said (the pipe's end of file): it runs, or why not,
 * told to the OPEN waiting. */
static void prog_said(struct exec_watch *w, void *ctx)
{
	struct xprog *p = ctx;
	char text[300];
	size_t n = said_text(p, text, sizeof text);

	if (!n && (p->start_unsure || exec_child_died_in_exec(p->pid)))
		p->start_unsure = true; /* its death may have ended the pipe: its reap says */
	else if (!n)
		open_answer(w->srv, ask_of(p), &p->x->s, NULL);
	else if (p->first) /* its session ends: told then */
		snprintf(p->x->first_fail, sizeof p->x->first_fail, "%s", text);
	else
		open_answer(w->srv, ask_of(p), &p->x->s, text);
}

static void start_programs(struct x11 *x)
{
	if (xd_display(x->xd) < 0)
		return;
	for (unsigned i = 0; i < x->nprogs; i++) {
		struct xprog *p = &x->progs[i];
		if (!p->argv)
			continue;
		const char *base = strrchr(p->argv[0], '/');
		snprintf(p->name, sizeof p->name, "%s", base && base[1] ? base + 1 : p->argv[0]);
		int say_fd = -1;
		if (p->first && x->out_log < 0)
			x->out_log = open(x->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		p->pid = spawn(x, p->argv, &say_fd, p->first && x->out_log >= 0);
		/* No pipe to say (the log still says it): as before. */
		if (exec_watch_add(x->s.srv, &p->exec, say_fd, prog_said, p) < 0 && p->pid > 0)
			open_answer(x->s.srv, ask_of(p), &x->s, NULL);
		if (p->pid < 0) {
			int e = errno;
			char text[300];
			serve_log("session %s: cannot start %s: %s", x->s.name, p->argv[0],
				  strerror(e));
			tell_views(x, "cannot start %s: %s", p->name, strerror(e));
			snprintf(text, sizeof text, "cannot start %s: %s", p->name, strerror(e));
			if (p->first)
				snprintf(x->first_fail, sizeof x->first_fail, "%s", text);
			else
				open_answer(x->s.srv, ask_of(p), &x->s, text);
			x->spawn_failed = true;
			if (p->first) {
				x->first_status = 127 << 8;
				snprintf(x->s.end_why, sizeof x->s.end_why, "cannot start %s: %s",
					 p->name, strerror(e));
			}
		}
		else
			serve_log("session %s: started %s (pid %d) on :%d", x->s.name, p->argv[0],
				  (int)p->pid, xd_display(x->xd));
		x11_register_fds(&x->s, x->s.srv->fdm); /* its output's pipes (errno read above) */
		x->started_any = true;
		free_argv(p->argv);
		p->argv = NULL;
	}
}

/* A program to run in the display (now, or once it is ready). */
static int add_program(struct x11 *x, const struct rp_open *m, bool first,
		       struct conn *ask, char *err, size_t errn)
{
	const struct rp_str *args = m->argv;
	unsigned argc = m->argc;
	char **argv;
	unsigned slot;

	for (slot = 0; slot < x->nprogs && (x->progs[slot].pid > 0 || x->progs[slot].argv); slot++)
		;
	if (slot == X11_MAX_PROGRAMS) {
		snprintf(err, errn, "too many programs in one X session (at most %d)",
			 X11_MAX_PROGRAMS);
		return RP_E_LIMIT;
	}
	if (argc == 0 || !(argv = calloc(argc + 1, sizeof *argv)))
		goto nomem;
	for (unsigned i = 0; i < argc; i++)
		if (!(argv[i] = strndup(args[i].p, args[i].n))) {
			free_argv(argv);
			goto nomem;
		}
	x->progs[slot] = (struct xprog){.x = x, .argv = argv, .exec.fd = -1, .first = first};
	open_ask_hold(&x->progs[slot].exec.ask, ask, m);
	if (slot == x->nprogs)
		x->nprogs++;
	linger_stop(x); /* counted again once the programs have all ended */
	start_programs(x);
	return 0;
nomem:
	snprintf(err, errn, argc ? "out of memory" : "no program given");
	return argc ? RP_E_LIMIT : RP_E_SPAWN;
}

/* ---- session_ops ---- */

static void xout_pump(struct chan *v, bool all);

/* Only at the session's end: the output its desks were not sent yet
 * goes before their status, past the queue's bound (what is kept is
 * bounded). */
static size_t x11_read(struct session *s)
{
	for (struct chan *v = s->viewers; v; v = v->snext)
		xout_pump(v, true);
	return 0;
}

static int x11_input(struct session *s, struct chan *v, const struct rp_data *d)
{
	(void)d;
	rp_conn_error(v->conn->rc, v->id, RP_E_PROTO, 0, false,
		      "INPUT on an X session: keys go as XKEY");
	(void)s;
	return FRAME_DONE;
}

static int x11_signal(struct session *s, int sig, bool flush, char *err, size_t errn)
{
	(void)s;
	(void)sig;
	(void)flush;
	snprintf(err, errn, "an X session takes no signals");
	return -ENOTSUP;
}

/* A desk's text size means nothing to a display (windows have their
 * own, XCONFIGURE); listings show none. */
static void x11_resize(struct session *s, const struct kpty_winsize *ws)
{
	(void)ws;
	s->ws = (struct kpty_winsize){0};
}

static int x11_kill(struct session *s, bool stop, char *err, size_t errn)
{
	struct x11 *x = xs(s);

	(void)err;
	(void)errn;
	if (x->killing)
		return 0;
	x->killing = true;
	linger_stop(x); /* (its display goes now: no count, no second put-down) */
	/* Its views told why it goes (telly x, as telly attach is told its
	 * terminal's status): not the program's own end. (Not named here: a
	 * view names the session its notice is of, and `no session NAME: it
	 * ended ... (WHY)` names it.) */
	if (!stop) {
		snprintf(s->end_why, sizeof s->end_why, "killed by telly kill");
		tell_views(x, "%s", s->end_why);
	}
	/* Programs first (a hangup, as a terminal's), then the display once
	 * they are gone or the grace is over. */
	programs_signal(x, SIGHUP);
	programs_signal(x, SIGTERM); /* what X programs expect (xterm holds on to SIGHUP) */
	programs_signal(x, SIGCONT);
	x->kill_at = base_now_ms() + KILL_GRACE_MS;
	bool any = false;
	for (unsigned i = 0; i < x->nprogs; i++)
		any |= x->progs[i].pid > 0;
	if (!any) {
		xd_stop(x->xd);
		x->stopped = true;
	}
	return 0;
}

enum x11_start x11_start_of(bool said, bool unsure, int status)
{
	if (said || !unsure)
		return X11_START_TOLD;
	return WIFSIGNALED(status) ? X11_START_KILLED : X11_START_RAN;
}

/* A program's end told to its views: why it did not run (what its exec
 * wrote), or a status other than 0; a hangup or kill the session gave
 * it is no news. */
static void out_drain(struct x11 *x);

static void program_ended(struct x11 *x, struct xprog *p, int status, bool in_exec)
{
	char text[300];
	size_t n;

	/* Reaped with its pipe not read yet: its end came with the death,
	 * in its exec (in_exec) or after it (then it ran: prog_said). */
	p->start_unsure |= in_exec;
	exec_watch_take(&p->exec); /* its exit came before the loop read the pipe */
	n = said_text(p, text, sizeof text);
	/* Killed before its exec was known to return (telly kill of one whose
	 * path is on a hung mount): it never started, and its OPEN is not
	 * told OK; one that ran and ended at once is; one whose exec said why
	 * it could not run was told that (prog_said, from the take above). */
	enum x11_start st = x11_start_of(n > 0, p->start_unsure, status);
	if (st == X11_START_KILLED) {
		snprintf(text, sizeof text, "%s ended at its start: killed by signal %d", p->name,
			 WTERMSIG(status));
		if (p->first) {
			snprintf(x->first_fail, sizeof x->first_fail, "%s", text);
			x->first_fail_code = RP_E_NOENT;
		} else {
			open_answer_code(x->s.srv, ask_of(p), NULL, RP_E_NOENT, text);
		}
	} else if (st == X11_START_RAN) {
		open_answer(x->s.srv, ask_of(p), &x->s, NULL);
	}
	p->start_unsure = false;
	p->exec.nsaid = 0;
	if (p->first) {
		x->first_status = status;
		out_drain(x);
	}
	if (n > 0) {
		tell_end(x, p->first, "%s", text);
		if (p->first)
			snprintf(x->s.end_why, sizeof x->s.end_why, "%s", text);
	} else if (!x->killing && !x->server_gone && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		char text[END_WHY_MAX];
		if (WIFSIGNALED(status))
			snprintf(text, sizeof text, "%s (pid %d) was killed by signal %d", p->name,
				 (int)p->pid, WTERMSIG(status));
		else
			snprintf(text, sizeof text, "%s (pid %d) ended with status %d", p->name,
				 (int)p->pid, WEXITSTATUS(status));
		/* Said on a desk that may be another machine: the log is
		 * this host's. */
		char host[HOST_NAME_MAX + 1] = "";
		if (gethostname(host, sizeof host) < 0)
			host[0] = '\0';
		host[HOST_NAME_MAX] = '\0';
		tell_end(x, p->first, "%s; what it printed is in %s%s%s", text,
			 x->log[0] ? x->log : "no log", x->log[0] && host[0] ? " on " : "",
			 x->log[0] ? host : "");
		if (p->first)
			snprintf(x->s.end_why, sizeof x->s.end_why, "%s", text);
	}
}

/* The display's clients counted (on_clients), answered in time. */
static void clients_ask(struct x11 *x)
{
	if (!x->answer_by)
		x->answer_by = base_now_ms() + X11_CLIENTS_ANSWER_MS;
	xd_clients_ask(x->xd);
}

/* Whether the session ends when a desk leaves, to each desk that takes
 * it (XLASTS), when that changes: so when only a copy held keeps it and
 * the desk is its only view (telly x, left, says the session ends with
 * it, not that it runs on), with the status it would end with. */
static void tell_lasts(struct x11 *x)
{
	/* (A desk whose link is down may come back: not alone beside it.) */
	bool alone = x->views && !x->views->next && !x->s.orphans;

	if (x->stopped)
		return; /* (the session ends now) */
	for (struct xview *xv = x->views; xv; xv = xv->next) {
		bool ends = x->views_keep && alone;
		uint8_t buf[RP_HDR_SIZE + 5];
		long len;
		if (!xv->started || !xv->v->conn->xlasts || ends == xv->ends_told)
			continue;
		int32_t st = WIFEXITED(x->first_status) ? WEXITSTATUS(x->first_status)
							 : 128 + WTERMSIG(x->first_status);
		if ((len = rp_xlasts_frame(buf, sizeof buf, xv->v->id, ends, st)) > 0 &&
		    rp_conn_send(xv->v->conn->rc, buf, (size_t)len) == 0)
			xv->ends_told = ends;
	}
}

/* No more counting of the display's clients: its display put down, or a
 * program runs again (telly run's). The count asked meanwhile is still
 * answered, and not taken (on_clients): left due, it put the display
 * down 5 s later as one whose server did not answer. */
static void linger_stop(struct x11 *x)
{
	x->lingering = false;
	x->down_due = false;
	x->clients_at = x->answer_by = 0;
	x->views_keep = false;
	tell_lasts(x);
}

/* The display put down: the session ends once everything is reaped. */
static void display_down(struct x11 *x)
{
	linger_stop(x);
	programs_signal(x, SIGHUP); /* what the programs left in the background */
	xd_stop(x->xd);
	x->stopped = true;
	if (!x->kill_at)
		x->kill_at = base_now_ms() + KILL_GRACE_MS;
}

/* Its OPEN said a view follows, answered OK (a failed one waits for the
 * session's end: no view comes), and none came yet, within the time:
 * and a display to keep for it. */
static bool view_awaited(const struct x11 *x)
{
	return x->view_wait && !x->made.conn && !x->first_fail[0] && !x->killing &&
	       !x->server_gone && xd_display(x->xd) >= 0;
}

/* The display put down as its programs' end says (why: for serve.log),
 * now, or once the view its OPEN said follows attached (x11_tick): a
 * decision taken, not counted again meanwhile. */
static void put_down(struct x11 *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_down(struct x11 *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->down_why, sizeof x->down_why, fmt, ap);
	va_end(ap);
	if (!view_awaited(x)) {
		display_down(x);
		return;
	}
	linger_stop(x);
	x->down_due = true;
	serve_log("session %s: its programs ended before the view its OPEN said follows "
		  "attached: its display waits for it, %d s at most from the OPEN's answer",
		  x->s.name, X11_VIEW_WAIT_MS / 1000);
}

/* A program runs or waits for the display. */
static bool programs_any(const struct x11 *x)
{
	bool any = false;

	for (unsigned i = 0; i < x->nprogs; i++)
		any |= x->progs[i].pid > 0 || x->progs[i].argv;
	return any;
}

/* After programs ended (reaped, or never forked): the OPEN that made the
 * session told why its first could not run, and the display put down
 * with the last, or once the X clients they left are gone. */
static void programs_idle(struct x11 *x)
{
	bool any = programs_any(x);

	while (x->nprogs && x->progs[x->nprogs - 1].pid <= 0 && !x->progs[x->nprogs - 1].argv)
		x->nprogs--;
	/* Its first program could not run while others (telly run's) keep
	 * the session: the OPEN that made it is told now, not when they end. */
	if (any && x->first_fail[0])
		open_answer_code(x->s.srv, &x->made, NULL, x->first_fail_code, x->first_fail);
	if (any)
		linger_stop(x);
	/* The last program gone: the display goes with it, or once the X
	 * clients it left are gone (on_clients). */
	if (!any && (x->started_any || x->killing) && !x->stopped && !x->down_due) {
		if (x->killing || x->no_xres || x->server_gone || xd_display(x->xd) < 0) {
			put_down(x, "its programs ended: its X display was stopped%s",
				 x->no_xres ? " (its X server cannot count the clients they left)" : "");
		} else if (!x->lingering) {
			x->lingering = true;
			x->told_holding = x->told_unshown = x->told_held_past = false;
			x11_reach_again(&x->reach); /* (a look under way is an earlier linger's) */
			x->others = x->shown = -1;
			x->linger_since = base_now_ms();
			x->clients_at = x->linger_since + X11_CLIENTS_SOON_MS;
			clients_ask(x);
		}
	}
}

/* The display's clients besides telly's (xd_clients_ask), its programs
 * gone: it lives while one that showed a window or holds a copy remains;
 * one that shows none, or what the programs left on its way to the
 * display, keeps it X11_LINGER_START_MS at most (x11_linger_of). */
static void on_clients(void *ctx, const struct xd_clients *c)
{
	struct x11 *x = ctx;
	long now = base_now_ms();

	if (!x->lingering || x->stopped || programs_any(x))
		return; /* (a program started meanwhile: telly run's) */
	if (!c) {
		serve_log("session %s: its X server cannot count its clients (no X-Resource "
			  "extension): the session ends with its programs, not with their windows",
			  x->s.name);
		x->no_xres = true;
		put_down(x, "its programs ended: its X display was stopped (its X server cannot "
			    "count the clients they left)");
		return;
	}
	if (c->shown > 0 && x->shown != c->shown)
		serve_log("session %s: its programs ended; %d X client%s of theirs remain%s on its "
			  "display: it lasts while they do", x->s.name, c->shown,
			  c->shown == 1 ? "" : "s", c->shown == 1 ? "s" : "");
	/* A copy held (xclip -i) is on the desks that view the session, and
	 * theirs only while it lasts (telly x held it): it keeps the session
	 * while one views it, with no window to close; the views are told
	 * why (telly x does not return) and what ends it. A desk whose link
	 * is down views it still: it may resume (RESUME_GRACE_MS), and the
	 * copy is still its own. */
	bool viewed = x->views || x->s.orphans;
	int holding = viewed ? c->holding : 0;
	/* It kept it for its views at the last count, and the last left on
	 * purpose (DETACH) or its wait for its desk ran out: it ends now, as
	 * that view was told (XLASTS), the copy not waited for as one that
	 * shows no window is. */
	bool kept_gone = x->views_keep && !viewed && !c->shown && c->holding;
	int waiting = c->unshown + (kept_gone ? 0 : c->holding - holding); /* (X11_LINGER_START_MS at most) */
	if (!c->shown && holding && !x->told_holding) {
		serve_log("session %s: its programs ended; an X client of theirs holds a copy "
			  "(CLIPBOARD or PRIMARY): it lasts while it does and a desk views it",
			  x->s.name);
		tell_views(x, "its programs ended; an X client of theirs (xclip?) holds a copy, "
			      "yours to paste: the session lasts while it does and you view it");
	} else if (!c->shown && !holding && waiting && !x->told_unshown)
		serve_log("session %s: its programs ended; %d X client%s of theirs that show%s no "
			  "window remain%s on its display: it lasts %d s at most unless one shows "
			  "one", x->s.name, waiting, waiting == 1 ? "" : "s", waiting == 1 ? "s" : "",
			  waiting == 1 ? "s" : "", X11_LINGER_START_MS / 1000);
	x->told_holding |= !c->shown && holding;
	x->told_unshown |= !c->shown && !holding && waiting;
	/* Once the last view left, the copy stays kept for none at every
	 * count until the session goes: a client that shows no window (an
	 * xkbcomp a resumed desk's keymap ran, say) counted beside it at the
	 * first count after the DETACH keeps the display up to 5 s, and at
	 * the next count the copy was a client that shows no window too,
	 * counted from when it took the copy, so the session went "after
	 * 5 s" as though waited for, not as its last view was told. */
	x->views_keep = (!c->shown && holding) || kept_gone;
	tell_lasts(x);
	x->others = c->shown + c->holding + c->unshown;
	x->shown = c->shown;
	x->answer_by = 0;
	/* The groups pruned at each answer, not only once no client is left:
	 * a group emptied while clients stay for hours would keep its number
	 * listed, and that number may come back as another's group, whom the
	 * display's put-down would then hang up. */
	bool groups = groups_left(x);
	long since = c->unshown_since > x->linger_since ? c->unshown_since : x->linger_since;
	long unshown_ms = waiting ? now - since : -1;
	long lingered = now - x->linger_since;
	/* What shows no window would have been let go by now: said, so
	 * that the copy's keep is seen at its moment (the session stays). */
	if (!c->shown && holding && !x->told_held_past && now - since >= X11_LINGER_START_MS) {
		serve_log("session %s: its programs ended; the X client of theirs that holds a copy "
			  "stayed past %d s: it keeps the session while a desk views it",
			  x->s.name, X11_LINGER_START_MS / 1000);
		x->told_held_past = true;
	}
	/* Processes' environments are read only when that decides. */
	int keep = c->shown + holding;
	bool left = !kept_gone && (groups || (!keep && !waiting && lingered < X11_LINGER_START_MS &&
						  reachers_maybe(x)));
	switch (x11_linger_of(keep, unshown_ms, lingered, left)) {
	case X11_LINGER_STAY:
		x->clients_at = now + X11_CLIENTS_MS;
		break;
	case X11_LINGER_SOON:
		x->clients_at = now + X11_CLIENTS_SOON_MS;
		break;
	case X11_LINGER_DOWN:
		/* Said as it is: clients that show no window may be left. */
		if (waiting)
			put_down(x, "its programs ended; %d X client%s of theirs that show%s no window "
				    "stayed %d s: its X display was stopped", waiting,
				 waiting == 1 ? "" : "s", waiting == 1 ? "s" : "",
				 X11_LINGER_START_MS / 1000);
		else if (kept_gone)
			put_down(x, "its programs ended; the X client of theirs that holds a copy "
				    "kept it for its views, and the last one left: its X display was "
				    "stopped");
		else if (left)
			put_down(x, "its programs ended; what they left running did not reach the "
				    "display in %d s: its X display was stopped",
				 X11_LINGER_START_MS / 1000);
		else
			put_down(x, "its programs ended and left no X client: its X display was "
				    "stopped");
		break;
	}
}

enum x11_linger x11_linger_of(int keep, long unshown_ms, long lingered_ms, bool left)
{
	if (keep > 0)
		return X11_LINGER_STAY;
	if (keep < 0)
		return X11_LINGER_DOWN;
	if (unshown_ms >= 0 && unshown_ms < X11_LINGER_START_MS)
		return X11_LINGER_SOON;
	if (left && lingered_ms < X11_LINGER_START_MS)
		return X11_LINGER_SOON;
	return X11_LINGER_DOWN;
}

static void x11_reap(struct session *s)
{
	struct x11 *x = xs(s);
	int status;

	for (unsigned i = 0; i < x->nprogs; i++) {
		struct xprog *p = &x->progs[i];
		/* Dead with its exec not said yet: in its exec or after (its
		 * name tells, gone once it is reaped). */
		bool in_exec = p->pid > 0 && exec_watch_waiting(&p->exec) &&
			       exec_child_dead_in_exec(p->pid);
		if (p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == p->pid) {
			serve_log("session %s: program pid %d ended (status %d)", s->name, (int)p->pid,
				  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			program_ended(x, p, status, in_exec);
			/* What it left running in its group (sh -c 'xclock &'). */
			if (x->nleft < X11_MAX_PROGRAMS && kill(-p->pid, 0) == 0)
				x->left_groups[x->nleft++] = p->pid;
			p->pid = 0;
		}
	}
	programs_idle(x);
	if (!x->server_gone && xd_reap(x->xd, &status)) {
		x->server_gone = true;
		x->server_status = status;
		/* Its programs lost their display: a hangup, SIGKILL after the
		 * grace (x11_tick) for one that holds on. */
		programs_signal(x, SIGHUP);
		programs_signal(x, SIGCONT);
		if (!x->kill_at)
			x->kill_at = base_now_ms() + KILL_GRACE_MS;
	} else if (x->server_gone)
		xd_reap(x->xd, NULL); /* what else it put down */
	if (x->server_gone) {
		bool running = false;
		for (unsigned i = 0; i < x->nprogs; i++)
			running |= x->progs[i].pid > 0;
		/* Gone from the list once nothing of it runs: what it started
		 * is reaped here, by the loop, never waited for. */
		if (!running && !xd_processes(x->xd))
			/* Killed: hung up, as a terminal's program is (129), whatever
			 * its programs made of it (telly x exits with it). */
			session_end(s->srv, s,
				    x->killing	 ? SIGHUP
				    : x->stopped ? x->first_status
						 : x->server_status);
		return;
	}
	settle(x); /* keys held for a keymap may have gone in */
}

static void x11_describe(struct session *s, char *cmd, size_t n, pid_t *pid)
{
	struct x11 *x = xs(s);
	int d = xd_display(x->xd);
	bool starting = false;

	/* Its program's exec has not returned (a path on a hung mount): not
	 * running yet, and its OPEN not answered, as a terminal's. */
	for (unsigned i = 0; i < x->nprogs; i++)
		starting |= x->progs[i].first && x->progs[i].pid > 0 &&
			    exec_watch_waiting(&x->progs[i].exec);
	/* What runs now: the first program, else the newest of the others
	 * (telly run's), else the X clients they left (on_clients). */
	const char *what = x->cmd;
	char now[80];
	int first = -1, newest = -1, nrun = 0;
	for (unsigned i = 0; i < x->nprogs; i++)
		if (x->progs[i].pid > 0) {
			nrun++;
			newest = (int)i;
			if (x->progs[i].first)
				first = (int)i;
		}
	if (first < 0 && newest >= 0) {
		snprintf(now, sizeof now, nrun > 1 ? "%s (+%d more)" : "%s", x->progs[newest].name,
			 nrun - 1);
		what = now;
	} else if (first < 0 && x->down_due) {
		what = "(programs ended; it waits for its view)";
	} else if (first < 0 && x->lingering && x->others > 0) {
		snprintf(now, sizeof now, "(programs ended; %d X client%s left)", x->others,
			 x->others == 1 ? "" : "s");
		what = now;
	}
	if (d >= 0) {
		const char *tag = starting ? " (starting)" : "";
		int at = snprintf(cmd, n, "X :%d ", d);
		int room = (int)n - 1 - at - (int)strlen(tag); /* the tag kept whole */
		if (at > 0 && (size_t)at < n)
			snprintf(cmd + at, n - (size_t)at, "%.*s%s", room > 0 ? room : 0, what, tag);
	} else
		snprintf(cmd, n, "X (starting) %s", x->cmd);
	*pid = xd_server_pid(x->xd);
}

static void on_xfd(struct fdm *fdm, int fd, int events, void *data);
static void on_kick(struct fdm *fdm, int fd, int events, void *data);

static void out_keep(struct x11 *x, int i, const uint8_t *data, size_t n);
static bool out_held(const struct x11 *x);
static void out_watch(struct x11 *x);
static void on_out(struct fdm *fdm, int fd, int events, void *data);
static void xout_add(struct chan *v, int i, const uint8_t *data, size_t n);

/* Each channel of a desk that prints the output, its orphans' too (their
 * link lost: a desk that resumes gets what it missed). */
static void out_each(struct x11 *x, int i, const uint8_t *data, size_t n)
{
	for (struct chan *v = x->s.viewers; v; v = v->snext)
		if (v->xout) {
			xout_add(v, i, data, n);
			xout_pump(v, false);
		}
	for (struct chan *v = x->s.orphans; v; v = v->snext)
		if (v->xout)
			xout_add(v, i, data, n);
}

/* One read of the first program's stream i (bounded): into the log and
 * to every desk that asked for it (kept for it until it has it). 1:
 * bytes came, 0: nothing now, -1: it ended (closed): each desk is sent
 * an empty XOUTPUT at the stream's end, so that bytes let go after the
 * last it got are said too. */
static int out_read(struct x11 *x, int i)
{
	uint8_t data[RP_XOUTPUT_MAX];

	if (out_held(x))
		return 0;
	ssize_t n = read(x->out_fd[i], data, sizeof data);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		if (x->out_registered[i])
			fdm_del(x->s.srv->fdm, x->out_fd[i]);
		x->out_registered[i] = false;
		close(x->out_fd[i]);
		x->out_fd[i] = -1;
		if (x->early_given)
			out_each(x, i, data, 0);
		return -1;
	}
	if (x->out_log >= 0)
		base_write_all(x->out_log, data, (size_t)n, 0);
	if (!x->early_given)
		out_keep(x, i, data, (size_t)n);
	out_each(x, i, data, (size_t)n);
	out_watch(x);
	return 1;
}

/* What it prints waits in its pipe, unread, while the view its OPEN said
 * follows is expected and what is kept for it cannot take another read:
 * the program blocks on its write, as under ssh -X, and none of it is
 * let go; once the view came (and has what was kept) or its wait ran
 * out, it is read again (x11_tick). */
static bool out_held(const struct x11 *x)
{
	return !x->early_given && x->view_wait && !x->killing &&
	       x->early_len + 3 + RP_XOUTPUT_MAX > X11_EARLY_OUTPUT_BYTES;
}

/* The output's pipes watched or not, as out_held says. */
static void out_watch(struct x11 *x)
{
	bool held = out_held(x);

	for (int i = 0; i < 2; i++) {
		if (x->out_fd[i] < 0)
			continue;
		if (held && x->out_registered[i]) {
			fdm_del(x->s.srv->fdm, x->out_fd[i]);
			x->out_registered[i] = false;
		} else if (!held && !x->out_registered[i] &&
			   fdm_add(x->s.srv->fdm, x->out_fd[i], POLLIN, on_out, &x->s) == 0) {
			x->out_registered[i] = true;
		}
	}
}

/* Kept for the first desk that asks (x->early). */
static void out_keep(struct x11 *x, int i, const uint8_t *data, size_t n)
{
	if (!x->early && !(x->early = malloc(X11_EARLY_OUTPUT_BYTES))) {
		x->early_dropped[i] += (uint32_t)n;
		return;
	}
	if (x->early_len + 3 + n > X11_EARLY_OUTPUT_BYTES) {
		x->early_dropped[i] = n > UINT32_MAX - x->early_dropped[i] ? UINT32_MAX
									 : x->early_dropped[i] + (uint32_t)n;
		return;
	}
	x->early[x->early_len] = (uint8_t)(i + 1);
	x->early[x->early_len + 1] = (uint8_t)(n & 0xff);
	x->early[x->early_len + 2] = (uint8_t)(n >> 8);
	memcpy(x->early + x->early_len + 3, data, n);
	x->early_len += 3 + n;
}

#define XOUT_FRAME_BYTES (RP_HDR_SIZE + 9 + RP_XOUTPUT_MAX)

/* n bytes of stream i made an XOUTPUT of v's, kept until its desk has
 * it (out of memory, or past the bound: let go, its desk then sees the
 * gap in the stream's offsets and says so). */
static void xout_add(struct chan *v, int i, const uint8_t *data, size_t n)
{
	uint8_t buf[XOUT_FRAME_BYTES];
	struct rp_xoutput o = {.stream = (uint8_t)(i + 1), .offset = v->xout_off[i], .p = data,
			       .n = (uint32_t)n};
	long len = rp_xoutput_frame(buf, sizeof buf, v->id, &o);
	struct rp_inpos last = v->xout_log.last;

	v->xout_off[i] += n;
	struct rp_inpos pos = {(uint32_t)(v->xout_off[0] + v->xout_off[1]), 0};
	if (!n) /* after what ends at the same count (after 0, or none) */
		pos.after = (pos.seq == last.seq ? last.after : 0) + 1;
	if (len > 0)
		rp_inlog_add(&v->xout_log, pos, buf, (size_t)len, true);
}

struct xout_put {
	struct chan *v;
	bool all;
};

/* rp_inlog_since_at: one kept XOUTPUT to v's desk, while its queue takes
 * it (all: at the session's end, whatever it holds, as far as it takes
 * frames), on the channel's number now. */
static int xout_put(void *ctx, struct rp_inpos pos, const void *frame, size_t n)
{
	struct xout_put *p = ctx;
	struct rp_conn *rc = p->v->conn->rc;
	uint8_t buf[XOUT_FRAME_BYTES];

	if (n > sizeof buf || (!p->all && (rp_conn_queued(rc) > VIEWER_QUEUE_BYTES ||
					   rp_conn_queued_frames(rc) >= VIEWER_QUEUE_ENTRIES / 2)))
		return -ENOBUFS;
	memcpy(buf, frame, n);
	buf[2] = (uint8_t)(p->v->id >> 8);
	buf[3] = (uint8_t)p->v->id;
	if (rp_conn_send(rc, buf, n) < 0)
		return -ENOBUFS;
	p->v->xout_sent = pos;
	return 0;
}

/* What v's desk was not sent yet goes, as far as its queue's bound (what
 * waits goes as it drains: x11_tick). While a snapshot is due it waits
 * for the snapshot (at the session's end, goes now), after what was sent
 * before: a queue dropped as its desk fell behind keeps every XOUTPUT
 * (they are not droppable), so what was sent is on its way still and
 * goes on from there, never twice. */
static void xout_pump(struct chan *v, bool all)
{
	struct xout_put p = {v, all};

	if (!v->xout || !v->conn || !v->conn->xoutput || v->conn->closing_at ||
	    (v->snapshot_due && !all))
		return;
	if (!rp_inpos_before(v->xout_sent, v->xout_log.last))
		return;
	rp_inlog_since_at(&v->xout_log, v->xout_sent, xout_put, &p);
}

void x11_output_resume(struct chan *v, uint64_t got)
{
	uint64_t made = v->xout_off[0] + v->xout_off[1];
	struct rp_inpos from = {(uint32_t)got, 0};

	/* (what it has the desk does not print again: the place is only
	 * where sending again begins) */
	if (made - got >= (1ull << 31) && rp_inlog_first(&v->xout_log, &from)) {
		from.seq--; /* before all that is kept */
		from.after = 0;
	}
	v->xout_sent = v->xout_ping = from;
}

void x11_output_last(struct chan *v, uint64_t got)
{
	x11_output_resume(v, got);
	xout_pump(v, true);
}

void x11_output_ping(struct chan *v)
{
	v->xout_ping = v->xout_sent;
}

void x11_output_pong(struct chan *v)
{
	rp_inlog_taken(&v->xout_log, v->xout_ping);
}

/* The first desk that asks for the output gets what came before it
 * (what was let go of it: a jump of its offsets, which the desk says). */
static void out_give_early(struct x11 *x, struct chan *v)
{
	size_t off = 0;

	x->early_given = true;
	while (off + 3 <= x->early_len) {
		size_t n = x->early[off + 1] | (size_t)x->early[off + 2] << 8;
		xout_add(v, x->early[off] - 1, x->early + off + 3, n);
		off += 3 + n;
	}
	for (int i = 0; i < 2; i++) {
		static const uint8_t none[1];
		/* what was let go is said now, not with bytes that may never
		 * come; so is the end of a stream that ended before it came */
		v->xout_off[i] += x->early_dropped[i];
		if (x->early_dropped[i] || x->out_fd[i] < 0)
			xout_add(v, i, none, 0);
	}
	free(x->early);
	x->early = NULL;
	x->early_len = 0;
}

static void on_out(struct fdm *fdm, int fd, int events, void *data)
{
	struct x11 *x = data;

	(void)fdm;
	(void)events;
	for (int i = 0; i < 2; i++)
		if (x->out_fd[i] == fd)
			out_read(x, i);
}

/* What the first program wrote before its end, read before its status
 * goes out (its desks print it first, as ssh -X does); at most 1 MiB a
 * stream, the rest read as it comes. */
static void out_drain(struct x11 *x)
{
	for (int i = 0; i < 2; i++)
		for (int k = 0; k < 64 && x->out_fd[i] >= 0 && out_read(x, i) > 0; k++)
			;
}

/* The keys and pointer a connection's frames brought go out in one
 * write: a press and its release read together wake the display once. */
static void x11_input_done(struct session *s)
{
	struct x11 *x = xs(s);

	if (!x->input_due)
		return;
	x->input_due = false;
	/* XTIMING's injected: when the input is written, after the rest of
	 * the frames read with it were handled (stamped at xd_key, that time
	 * was counted as the program's). */
	uint64_t now = base_now_ns();
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->t_seq && !xv->t_injected)
			xv->t_injected = now;
	settle(x);
}

static void x11_register_fds(struct session *s, struct fdm *fdm)
{
	struct x11 *x = xs(s);
	int fd = xd_fd(x->xd);
	unsigned gen = xd_fd_gen(x->xd);

	if (!x->kick_registered && fdm_add(fdm, x->kick_fd, POLLIN, on_kick, s) == 0)
		x->kick_registered = true;
	for (int i = 0; i < 2; i++)
		if (x->out_fd[i] >= 0 && !x->out_registered[i] && !out_held(x) &&
		    fdm_add(fdm, x->out_fd[i], POLLIN, on_out, s) == 0)
			x->out_registered[i] = true;
	/* The same number is not always the same descriptor: the displayfd
	 * pipe is closed just before the display's connection opens, which
	 * takes its number when no lower one is free (a desk attached while
	 * the display started, as telly x's does). epoll dropped the pipe
	 * when it closed: the connection is added anew, or the display is
	 * heard only when something else wakes the loop. */
	if (fd == x->fd && gen == x->fd_gen)
		return;
	/* Only if the number is still ours: the displayfd pipe's, closed,
	 * may be a program's exec pipe by now (start_programs runs within
	 * the dispatch that saw the display come up), whose OPEN was then
	 * never answered. */
	fdm_del_if(fdm, x->fd, on_xfd, s);
	x->fd = -1;
	if (fd >= 0 && fdm_add(fdm, fd, POLLIN, on_xfd, s) == 0) {
		x->fd = fd;
		x->fd_gen = gen;
	}
}

static void tell_dropping(struct x11 *x);

static void dispatch(struct x11 *x)
{
	if (x->dispatching)
		return; /* (an xd callback's own work: the dispatch under way takes it) */
	x->dispatching = true;
	x->more = xd_dispatch(x->xd) > 0;
	x->dispatching = false;
	x11_register_fds(&x->s, x->s.srv->fdm);
	/* (a display that does not read is looked at again on a timer, here:
	 * whether anyone types or not, the desks hear of it) */
	tell_dropping(x);
}

/* A display that does not read drops desks' input (xd.h,
 * XD_BACKLOG_WAIT_MS) and its window changes and copies wait: the people
 * viewing it are told, in their view, not only serve.log, and told again
 * once it reads. */
static void tell_dropping(struct x11 *x)
{
	bool dropping = xd_backlog(x->xd) == 2;

	if (dropping == x->told_dropping)
		return;
	x->told_dropping = dropping;
	for (struct xview *xv = x->views; xv; xv = xv->next)
		if (xv->started)
			chan_notice(xv->v,
				    dropping ? "display :%d does not read what it is sent (its X server "
					       "is stopped, or a program grabbed it): your input to it is "
					       "dropped until it reads again; your moves, sizes, focus and "
					       "copies wait for it"
					     : "display :%d reads what it is sent again: your input goes in",
				    xd_display(x->xd));
}

/* After anything that talked to the display outside x11_tick: xcb
 * may have read answers and events while it flushed, which the display's
 * descriptor no longer shows, and the loop may be about to sleep on it
 * (a snapshot made while the connections are flushed comes after this
 * session's wait time). Taken now; past the dispatch's bound, the kick
 * wakes the loop for the rest. */
static void settle(struct x11 *x)
{
	if (xd_display(x->xd) < 0 || x->dispatching)
		return;
	dispatch(x);
	if (x->more) {
		uint64_t one = 1;
		if (write(x->kick_fd, &one, sizeof one) < 0 && errno != EAGAIN)
			serve_log("session %s: cannot wake the loop: %s", x->s.name, strerror(errno));
	}
}

static void on_kick(struct fdm *fdm, int fd, int events, void *data)
{
	uint64_t n;

	(void)fdm;
	(void)events;
	if (read(fd, &n, sizeof n) < 0 && errno != EAGAIN)
		return;
	settle(data);
}

static void on_xfd(struct fdm *fdm, int fd, int events, void *data)
{
	(void)fdm;
	(void)fd;
	(void)events;
	dispatch(data);
}

/* The display takes w x h now, or once it is up. */
static int screen_size(struct x11 *x, unsigned w, unsigned h)
{
	int r;

	x->scr_w = w;
	x->scr_h = h;
	if ((r = xd_screen_size(x->xd, w, h)) == -EAGAIN) {
		x->want_w = w; /* starting: on_ready asks */
		x->want_h = h;
		return 0;
	}
	if (r == 0)
		settle(x);
	return r;
}

/* The desk of v's list (viewers or orphans) last in use, or in_use. */
static struct chan *last_used(struct chan *v, struct chan *in_use)
{
	for (; v; v = v->snext)
		if (v->xscr_w && (!in_use || (int32_t)(v->xused - in_use->xused) > 0))
			in_use = v;
	return in_use;
}

/* The display has the size of the desk in use, as tmux's window-size
 * latest: of the desks that gave a screen (not read-only ones), the one
 * that last attached, said its screen changed, or pressed a key or a
 * button; when that one goes, the one in use before it. A desk whose
 * link is down counts until it is let go (it comes back at its size: a
 * blip would resize the display twice). Two desks of different sizes on
 * one session (a plain telly view beside a seamless one) so no longer
 * leave the display at the size of whichever attached last, after it
 * went too: what programs maximize or centre by fits the desk being
 * used. */
static void screen_follow(struct x11 *x)
{
	struct chan *in_use = last_used(x->s.orphans, last_used(x->s.viewers, NULL));

	if (in_use && (in_use->xscr_w != x->scr_w || in_use->xscr_h != x->scr_h))
		screen_size(x, in_use->xscr_w, in_use->xscr_h);
}

/* Desk v's person pressed a key or a button. */
static void screen_used(struct x11 *x, struct chan *v)
{
	if (!v->xscr_w || v->xused == x->use_seq)
		return; /* (the one in use already) */
	v->xused = ++x->use_seq;
	screen_follow(x);
}

static long x11_tick(struct session *s, long now)
{
	struct x11 *x = xs(s);
	long wait = -1, w;

	if (x->spawn_failed) {
		x->spawn_failed = false;
		programs_idle(x);
	}
	/* A desk gone (detached, or let go after its link was lost): the
	 * one in use before it. (Here, not at the detach: an orphan let go
	 * when its wait ran out tells the session nothing.) */
	screen_follow(x);
	/* Output that waited for a desk's queue to drain (the loop comes
	 * round as it is written out). */
	for (struct chan *v = s->viewers; v; v = v->snext)
		xout_pump(v, false);
	if (x->lingering && x->answer_by && now >= x->answer_by) {
		put_down(x, "its X server did not say within %d ms which clients remain: its "
			    "display was stopped", X11_CLIENTS_ANSWER_MS);
	}
	if (x->lingering && x->clients_at && now >= x->clients_at) {
		x->clients_at = now + X11_CLIENTS_MS; /* (again, if unanswered) */
		clients_ask(x);
	}
	/* The grace is over: SIGKILL to the programs, and the display put
	 * down (xd sends its server SIGKILL after its own grace: before, the
	 * server's SIGKILL here could never come, as kill_at moved on). */
	if (x->kill_at && now >= x->kill_at) {
		programs_signal(x, SIGKILL);
		if (!x->stopped) {
			xd_stop(x->xd);
			x->stopped = true;
		}
		x->kill_at = 0;
	}
	/* The view its OPEN said follows: X11_VIEW_WAIT_MS from the answer
	 * at most (telly x may have died since), then what its programs'
	 * end decided is done. */
	if (x->view_wait && !x->view_by && !x->made.conn)
		x->view_by = now + X11_VIEW_WAIT_MS;
	if (x->view_wait && x->view_by && now >= x->view_by) {
		x->view_wait = false;
		if (x->down_due)
			serve_log("session %s: the view its OPEN said follows did not attach within "
				  "%d s of the answer", x->s.name, X11_VIEW_WAIT_MS / 1000);
	}
	out_watch(x); /* (the view came, or its wait ran out) */
	if (x->down_due && !view_awaited(x)) {
		out_drain(x); /* what waited in its pipes, before its status */
		display_down(x);
	}
	if (x->kill_at)
		wait = x->kill_at - now;
	if ((x->down_due || out_held(x)) && x->view_by && (wait < 0 || x->view_by - now < wait))
		wait = x->view_by - now;
	if (x->lingering && x->clients_at && (wait < 0 || x->clients_at - now < wait))
		wait = x->clients_at - now;
	if (x->lingering && x->answer_by && (wait < 0 || x->answer_by - now < wait))
		wait = x->answer_by - now;
	if ((w = xd_wait_time(x->xd, now)) >= 0 && (wait < 0 || w < wait))
		wait = w;
	/* Windows damaged while another was being read, or whose frame has
	 * come: read now (maybe_read does nothing for the others). */
	x->wake_at = 0;
	for (struct xwindow *xw = x->wins; xw; xw = xw->next) {
		maybe_read(x, xw);
		if (xw->has_pixels && (w = refresh_lossy(x, xw, now)) >= 0 &&
		    (!x->wake_at || now + w < x->wake_at))
			x->wake_at = now + w;
	}
	/* Last, as the loop is about to sleep on the display's descriptor:
	 * what the reads asked goes out, and what xcb read in while writing
	 * (here or anywhere since) is taken. */
	if (xd_display(x->xd) >= 0)
		dispatch(x);
	if (x->wake_at && (wait < 0 || x->wake_at - now < wait))
		wait = x->wake_at - now;
	if (x->more)
		wait = 0;
	return wait;
}

/* Every window told and drawn afresh (attach, or fallen behind). */
static void x11_snapshot(struct session *s, struct chan *v)
{
	struct x11 *x = xs(s);
	struct xview *xv = view_of(x, v, true);
	struct xwindow *order[X11_MAX_WINDOWS];
	unsigned n = 0;

	if (!xv)
		return;
	/* A desk that attaches or resumes is offered the selections it has
	 * not got, the latest of each, and told first how old they are
	 * (XCLIPAGE, before any window it could focus): it keeps its own
	 * when that is newer, so the newest copy wins. A desk before
	 * XCLIPAGE is offered none, as before. */
	for (int k = 0; k < 2 && !xv->started; k++) {
		uint8_t buf[RP_HDR_SIZE + 5];
		long age = base_now_ms() - x->sel_at[k], len;
		if (!v->conn->xclipage)
			v->xsel_gen[k] = x->sel_gen[k];
		else if (clip_owed(x, v, k) &&
			 (len = rp_xclipage_frame(buf, sizeof buf, v->id, (uint8_t)k,
						  age > UINT32_MAX ? UINT32_MAX : (uint32_t)age)) > 0)
			rp_conn_send(v->conn->rc, buf, (size_t)len);
	}
	xv->started = true;
	/* Bottom to top, as the display stacks them (each XWIN names the one
	 * below it, which the desk knows by then). */
	for (struct xwindow *w = x->wins; w && n < X11_MAX_WINDOWS; w = w->next)
		order[n++] = w;
	/* Windows it knew that went while it was behind. */
	for (unsigned i = 0; i < xv->nw;) {
		uint32_t id = xv->w[i].id;
		if (win_find(x, id)) {
			i++;
			continue;
		}
		send_gone(v, id);
		vw_forget(xv, id);
	}
	for (unsigned i = n; i-- > 0;) {
		send_xwin(v, order[i]);
		/* (Unshaped too, if ever shaped: a desk that resumes may
		 * have kept the shape it had.) */
		for (int k = 0; k < 2; k++)
			send_shape(v, order[i], k);
	}
	send_cursor(x, v);
	/* Copies it is owed (behind, attached, resumed): the link has
	 * drained, so both go (at most twice XD_SEL_MAX_BYTES), not one per
	 * catch-up. */
	for (int k = 0; k < 2; k++)
		if (clip_owed(x, v, k))
			clip_send(x, xv, k);
	/* The output that waited for this (what was sent is still queued). */
	xout_pump(v, false);
	for (unsigned i = n; i-- > 0;) {
		struct xwindow *w = order[i];
		struct xvwin *vw = vw_of(xv, w->id, true);
		if (!vw)
			continue;
		vw->key_due = true;
		vw->acked = vw->sent;
		/* The shadow now, even if damage is on its way: what changed
		 * comes after it as updates, which this viewer takes from the
		 * shadow on. A keyframe left for the next read waited for
		 * ever when that read found nothing new (the damage had gone
		 * in the read before) and the window then stayed still. */
		if (w->has_pixels)
			keyframe(x, xv, w);
		else
			w->dirty = true; /* never read: read whole, then the keyframe */
		maybe_read(x, w);
	}
	settle(x);
	tell_lasts(x); /* (it, and one that was alone before it) */
}

static void x11_attached(struct session *s, struct chan *v)
{
	struct x11 *x = xs(s);
	struct xview *xv;

	/* A desk that prints the first program's output (telly x's): its
	 * view now, so none of it is missed, with what came before it if it
	 * is the first. (A resumed channel has it already.) */
	if (v->conn->xoutput && !v->xout && (xv = view_of(x, v, true))) {
		v->xout = true;
		x->view_wait = false; /* come: the display goes as its programs said (x11_tick) */
		if (!x->early_given)
			out_give_early(x, v);
		xout_pump(v, false);
		if (x->end_note[0])
			chan_notice(v, "%s", x->end_note);
		x->end_note[0] = '\0';
	}
}

/* What a desk that went held down (a script ended between key-down and
 * key-up, a view killed mid-press, a link dropped) is let go, unless
 * another desk holds it too: the program sees the release, and the next
 * desk's typing is not shifted. */
static void let_go(struct x11 *x, struct xview *xv)
{
	uint8_t keys[32] = {0};
	uint16_t buttons = 0;

	for (struct xview *o = x->views; o; o = o->next) {
		if (o == xv)
			continue;
		for (unsigned i = 0; i < sizeof keys; i++)
			keys[i] |= o->keys_down[i];
		buttons |= o->buttons_down;
	}
	for (unsigned k = 8; k < 256; k++)
		if ((xv->keys_down[k / 8] & ~keys[k / 8]) & (1u << (k % 8)))
			xd_key(x->xd, 0, (uint8_t)k, false);
	for (int b = 1; b <= 9; b++)
		if ((xv->buttons_down & ~buttons) & (1u << b))
			xd_button_up(x->xd, b);
	memset(xv->keys_down, 0, sizeof xv->keys_down);
	xv->buttons_down = 0;
	settle(x); /* the releases go now */
}

/* An orphan's too (its link lost): a desk that resumes presses again
 * what was down at the place the host took (view_x11.c, xlink_resumed).
 * Its keymap stays with the channel (whole ones only) until it resumes
 * or is freed: an orphan's is bounded by the orphan's own lifetime. */
static void x11_detached(struct session *s, struct chan *v)
{
	struct x11 *x = xs(s);
	struct xview **pp, *xv;

	for (pp = &x->views; (xv = *pp) && xv->v != v; pp = &xv->next)
		;
	if (!xv)
		return;
	let_go(x, xv);
	*pp = xv->next;
	tell_lasts(x); /* one left alone with it */
	/* What its programs left counted again now, not at the next count:
	 * a copy kept for this view only ends with it (on_clients). */
	if (x->lingering && !x->stopped && x->views_keep && !x->views && !x->s.orphans) {
		x->clients_at = base_now_ms() + X11_CLIENTS_MS;
		clients_ask(x);
	}
	rp_xtext_finish(&xv->keymap);
	free(v->xkm);
	v->xkm = xv->km;
	v->xkm_len = xv->km_len;
	rp_xtext_finish(&xv->clip);
	free(xv->w);
	free(xv);
}

static void x11_destroy(struct session *s, struct fdm *fdm)
{
	struct x11 *x = xs(s);

	fdm_del_if(fdm, x->fd, on_xfd, s);
	x11_reach_finish(&x->reach);
	if (x->kick_registered)
		fdm_del(fdm, x->kick_fd);
	close(x->kick_fd);
	for (int i = 0; i < 2; i++) {
		if (x->out_registered[i])
			fdm_del(fdm, x->out_fd[i]);
		if (x->out_fd[i] >= 0)
			close(x->out_fd[i]);
	}
	if (x->out_log >= 0)
		close(x->out_log);
	free(x->early);
	free(x->sel_text[0]);
	free(x->sel_text[1]);
	x->stopped = true; /* (nobody is told of a last view now) */
	while (x->views)
		x11_detached(s, x->views->v);
	while (x->wins) {
		struct xwindow *w = x->wins;
		x->wins = w->next;
		win_free(w);
	}
	xd_destroy(x->xd);
	free(x->cursor_px);
	for (unsigned i = 0; i < x->nprogs; i++) {
		/* (only when the daemon ends under it: x11_reap ends the
		 * session once they are reaped; never waited for here) */
		if (x->progs[i].pid > 0)
			kpty_os_signal_session(x->progs[i].pid, SIGKILL);
		open_answer(x->s.srv, &x->progs[i].exec.ask, NULL, "its session ended");
		exec_watch_drop(&x->progs[i].exec);
		free_argv(x->progs[i].argv);
	}
	/* The OPEN that made it, still waiting: why its program could not
	 * run (127), or why its display did not come up or went before its
	 * program was known to run (not a program's failure: NOENT, the
	 * session is gone). */
	if (x->first_fail[0])
		open_answer_code(x->s.srv, &x->made, NULL, x->first_fail_code, x->first_fail);
	else
		open_answer_code(x->s.srv, &x->made, NULL, RP_E_NOENT,
				 s->end_why[0] ? s->end_why : "its session ended at its start");
	free(x);
}

static const struct session_ops x11_ops = {
	.kind = "x11",
	.read = x11_read,
	.input = x11_input,
	.signal = x11_signal,
	.resize = x11_resize,
	.kill = x11_kill,
	.reap = x11_reap,
	.describe = x11_describe,
	.register_fds = x11_register_fds,
	.tick = x11_tick,
	.snapshot = x11_snapshot,
	.input_done = x11_input_done,
	.attached = x11_attached,
	.detached = x11_detached,
	.destroy = x11_destroy,
};

/* ---- made by OPEN ---- */

int x11_create(struct server *srv, const struct rp_open *m, const char *name,
	       struct conn *c, char *err, size_t errn)
{
	struct x11 *x;
	struct session *s;
	const char *home = getenv("HOME");
	int r;

#ifdef TELLY_FUZZ_DISPATCH
	/* The fuzzer forks nothing (serve.h): no X server either. */
	(void)m;
	(void)name;
	(void)c;
	(void)home;
	(void)r;
	(void)x;
	(void)s;
	snprintf(err, errn, "no X sessions in the fuzzer");
	return RP_E_SPAWN;
#endif
	if (srv->nsessions >= MAX_SESSIONS) {
		snprintf(err, errn, "too many sessions (at most %d)", MAX_SESSIONS);
		return RP_E_LIMIT;
	}
	if ((m->flags & RP_OPEN_SCREEN) &&
	    (m->ws.ws_xpixel < RP_X_SCREEN_MIN || m->ws.ws_xpixel > RP_X_SCREEN_MAX ||
	     m->ws.ws_ypixel < RP_X_SCREEN_MIN || m->ws.ws_ypixel > RP_X_SCREEN_MAX)) {
		snprintf(err, errn, "an X display of %ux%u pixels: each side must be %d to %d",
			 (unsigned)m->ws.ws_xpixel, (unsigned)m->ws.ws_ypixel, RP_X_SCREEN_MIN,
			 RP_X_SCREEN_MAX);
		return RP_E_LIMIT;
	}
	if (!(s = session_alloc(srv, sizeof *x, &x11_ops, name, err, errn)))
		return RP_E_LIMIT;
	x = xs(s);
	x->fd = -1;
	x->out_fd[0] = x->out_fd[1] = x->out_log = -1;
	if ((x->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
		snprintf(err, errn, "eventfd: %s", strerror(errno));
		free(x);
		return RP_E_NOENT; /* no display: as one that went at its start (x11_destroy) */
	}
	s->ws = (struct kpty_winsize){0};
	if (!home || !*home) {
		const struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : "/";
	}
	snprintf(x->home, sizeof x->home, "%s", home);
	{
		size_t o = 0;
		for (unsigned i = 0; i < m->argc && o < sizeof x->cmd - 1; i++)
			o += (size_t)snprintf(x->cmd + o, sizeof x->cmd - o, "%s%.*s", i ? " " : "",
					      (int)m->argv[i].n, m->argv[i].p);
		for (char *q = x->cmd; *q; q++)
			if ((unsigned char)*q < 0x20 || *q == 0x7f)
				*q = '?';
	}
	char logs[300];
	snprintf(logs, sizeof logs, "%s/logs", srv->o.log_dir);
	mkdir(logs, 0700);
	snprintf(x->log, sizeof x->log, "%s/%s.x11.log", logs, name);
	struct xd_config cfg = {.dir = srv->dir, .name = name, .log = x->log,
				.server = srv->o.x_server == TELLY_X_SERVER_XORG   ? XD_SERVER_XORG
					  : srv->o.x_server == TELLY_X_SERVER_XVFB ? XD_SERVER_XVFB
										   : XD_SERVER_AUTO};
	if (m->flags & RP_OPEN_SCREEN) {
		cfg.width = m->ws.ws_xpixel;
		cfg.height = m->ws.ws_ypixel;
	}
	if ((r = xd_create(&cfg, &xd_ops, x, &x->xd, err, errn)) < 0) {
		close(x->kick_fd);
		free(x);
		/* Not a program that cannot run (SPAWN, 127): the code of a
		 * display that went at its start (x11_destroy). */
		return RP_E_NOENT;
	}
	/* Its OPEN is answered once the display is up and the first
	 * program's exec says (it starts once the display is up): telly new
	 * --x11 and telly x are told why it did not come up, or why their
	 * program cannot run. */
	open_ask_hold(&x->made, c, m);
	x->has_first = m->argc > 0;
	x->view_wait = (m->more & RP_OPEN_MORE_VIEW) != 0;
	x->first_fail_code = RP_E_SPAWN;
	if (m->argc && (r = add_program(x, m, true, NULL, err, errn)) != 0) {
		open_ask_drop(srv, &x->made); /* answered now, by the caller */
		xd_destroy(x->xd);
		close(x->kick_fd);
		free(x);
		return r;
	}
	session_insert(srv, s);
	serve_log("session %s started: an X display (%s pid %d) of %ux%u%s%s", s->name,
		  xd_server_name(x->xd), (int)xd_server_pid(x->xd),
		  cfg.width ? cfg.width : XD_SCREEN_W, cfg.height ? cfg.height : XD_SCREEN_H,
		  x->cmd[0] ? " for " : "", x->cmd);
	return 0;
}

int x11_screen(struct session *s, struct chan *v, unsigned w, unsigned h)
{
	struct x11 *x = x11_session(s);

	if (!x || x->killing)
		return -ENOENT;
	/* The size this desk gave already is no change and no use: a desk
	 * whose link came back says it again (an XSCREEN may have been lost
	 * with the link), maybe after another desk was used meanwhile, whose
	 * size the display keeps. */
	if (v->xscr_w == w && v->xscr_h == h) {
		screen_follow(x);
		return 0;
	}
	v->xscr_w = (uint16_t)w;
	v->xscr_h = (uint16_t)h;
	v->xused = ++x->use_seq;
	/* (asked again even at the size it has: Xvfb's refusal is said) */
	return screen_size(x, w, h);
}

int x11_run(struct session *s, const struct rp_open *m, struct conn *c, char *err, size_t errn)
{
	struct x11 *x = x11_session(s);

	if (!x) {
		snprintf(err, errn, "session %s is not an X session", s->name);
		return RP_E_NOENT;
	}
	if (x->killing) {
		snprintf(err, errn, "session %s is ending", s->name);
		return RP_E_NOENT;
	}
	return add_program(x, m, false, c, err, errn);
}

int x11_env(struct server *srv, const char *name, size_t n, char *display, size_t dn,
	    char *xauth, size_t xn, char *err, size_t errn)
{
	struct session *s = session_find(srv, name, n);
	struct x11 *x = x11_session(s);

	if (!x) {
		snprintf(err, errn, "no X session %.*s", (int)n, name);
		return RP_E_NOENT;
	}
	if (xd_display(x->xd) < 0) {
		snprintf(err, errn, "the X session %.*s is still starting", (int)n, name);
		return RP_E_NOENT;
	}
	snprintf(display, dn, "DISPLAY=:%d", xd_display(x->xd));
	snprintf(xauth, xn, "XAUTHORITY=%s", xd_auth_path(x->xd));
	return 0;
}

int x11_files_again(struct session *s, char *err, size_t errn)
{
	struct x11 *x = x11_session(s);

	return x ? xd_files_again(x->xd, err, errn) : 0;
}

int x11_list(struct session *s, struct rp_enc *e, size_t room, bool flags)
{
	struct x11 *x = x11_session(s);
	size_t count_at, nn = strlen(s->name);
	uint16_t count = 0;

	if (!x || e->len + 2 + nn + 6 > room)
		return 0;
	rp_put_str(e, s->name, nn);
	/* 0: starting (the display is not up) */
	rp_put_u32(e, (uint32_t)(xd_display(x->xd) + 1));
	count_at = e->len;
	rp_put_u16(e, 0);
	for (struct xwindow *w = x->wins; w; w = w->next) {
		size_t tn = strnlen(w->title, X11_LIST_TITLE_BYTES);
		if (e->len + 14 + tn + (flags ? 2 : 0) > room)
			break;
		rp_put_u32(e, w->id);
		rp_put_u16(e, (uint16_t)w->m.x);
		rp_put_u16(e, (uint16_t)w->m.y);
		rp_put_u16(e, w->m.w);
		rp_put_u16(e, w->m.h);
		rp_put_str(e, w->title, tn);
		if (flags)
			rp_put_u16(e, w->m.flags);
		count++;
	}
	if (!e->over) {
		e->buf[count_at] = (uint8_t)(count >> 8);
		e->buf[count_at + 1] = (uint8_t)count;
	}
	return 1;
}

/* ---- the desk's X messages (dispatch.c decodes; here they act) ---- */

static void note_input(struct x11 *x, struct chan *v, uint32_t seq, uint32_t id, uint64_t t_in,
		       bool press, bool motion)
{
	struct xview *xv = view_of(x, v, false);
	uint64_t now = base_now_ns();

	x->last_seq = seq;
	for (struct xwindow *w = x->wins; w; w = w->next)
		if (motion)
			x11_pace_motion(&w->pace, now);
		else
			x11_pace_input(&w->pace, now);
	if (xv && v->conn->timing && (press || !xv->t_seq)) {
		xv->t_seq = seq;
		xv->t_id = id;
		xv->t_input = t_in;
		xv->t_injected = 0; /* written with the frames read with it: x11_input_done */
	}
}

/* A desk's input cannot go in yet: the frame is offered again later and
 * its connection waits (said once until input goes in again: it may stop
 * a desk's terminals too for as long). Either the input held while a
 * keymap loads is full (XD_HELD_KEYS_MAX), or it is full once the keymap
 * is in because the display does not read what was held (the rest of
 * the input is held behind it), or (other_keymap) the desk's key waits,
 * nothing of its own held, for the display to be done with another
 * desk's keymap before its own is loaded. */
static int hold_full(struct x11 *x, struct chan *v, bool other_keymap)
{
	if (!x->told_hold_full && other_keymap)
		serve_log("session %s: connection %u's key waits (and the connection with it) "
			  "until the display has loaded another desk's keymap; its own is loaded "
			  "then", x->s.name, v->conn->id);
	else if (!x->told_hold_full && xd_keymap_loads(x->xd))
		serve_log("session %s: %d inputs wait for the desk's keymap to load: connection "
			  "%u waits for it", x->s.name, XD_HELD_KEYS_MAX, v->conn->id);
	else if (!x->told_hold_full)
		serve_log("session %s: %d inputs wait for the display to read them: connection "
			  "%u waits for it", x->s.name, XD_HELD_KEYS_MAX, v->conn->id);
	x->told_hold_full = true;
	return -EBUSY;
}

/* The display has, or is about to have, keymap km of a desk: loaded
 * (logged). */
static void load_keymap(struct x11 *x, const char *km, size_t n)
{
	char err[200];

	if (xd_keymap_is(x->xd, km, n))
		return;
	if (xd_keymap(x->xd, km, n, err, sizeof err) == 0)
		serve_log("session %s: loading a desk's keymap (%zu bytes)", x->s.name, n);
	else
		serve_log("session %s: a desk's keymap is not loaded: %s", x->s.name, err);
}

/* A key is read in the keymap of the desk that typed it: another desk's
 * is loaded for it once the display is done with those asked before
 * (the keys held for them go in with theirs); until then -EBUSY, the
 * frame offered again (its connection waits, as for a full hold). */
static int key_keymap(struct x11 *x, struct xview *xv)
{
	unsigned long gen = xd_keymap_gen(x->xd);

	if (!xv || !xv->km || (xv->km_had && xv->km_had_gen == gen))
		return 0;
	/* Compared once, not at every key: cold, its 64 KB were a good part
	 * of the host's time from reading a key to writing it. */
	if (xd_keymap_is(x->xd, xv->km, xv->km_len)) {
		xv->km_had = true;
		xv->km_had_gen = gen;
		return 0;
	}
	if (xd_keymap_busy(x->xd))
		return -EBUSY;
	load_keymap(x, xv->km, xv->km_len);
	return 0;
}

int x11_key(struct session *s, struct chan *v, const struct rp_xkey *k, char *err, size_t errn)
{
	struct x11 *x = xs(s);
	uint64_t t = base_now_ns();
	struct xview *xv = view_of(x, v, false);
	int r = key_keymap(x, xv);

	if (r == -EBUSY) /* another desk's keymap first: not taken, offered again */
		return hold_full(x, v, true);
	r = xd_key_locks(x->xd, k->id, k->keycode, k->pressed,
			 k->locks ? k->locked_mods | k->locked_group << 8 : -1);
	if (r == -EBUSY) /* held input for a keymap is full: as above */
		return hold_full(x, v, false);
	if (r == -ENOBUFS) /* the display does not read (xd logs it): as above */
		return -EBUSY;
	x->told_hold_full = false;
	v->taken.seq = k->seq; /* handled: a RESUME does not send it again (link.c) */

	if (r < 0) {
		snprintf(err, errn, "XKEY: %s", r == -EINVAL ? "keycodes start at 8"
								 : "the display is not running");
		return r;
	}
	if ((xv = view_of(x, v, true))) {
		if (k->pressed)
			xv->keys_down[k->keycode / 8] |= (uint8_t)(1u << (k->keycode % 8));
		else
			xv->keys_down[k->keycode / 8] &= (uint8_t)~(1u << (k->keycode % 8));
		if (k->pressed)
			screen_used(x, v);
	}
	note_input(x, v, k->seq, k->id, t, k->pressed, false);
	x->input_due = x->s.srv->input_due = true; /* sent with the frames read with it (x11_input_done) */
	return 0;
}

int x11_pointer(struct session *s, struct chan *v, const struct rp_xpointer *p, char *err,
		size_t errn)
{
	struct x11 *x = xs(s);
	uint64_t t = base_now_ns();
	int r = xd_pointer(x->xd, p->id, p->x, p->y, p->kind, p->button);
	struct xview *xv;

	if (r == -EBUSY) /* as XKEY's */
		return hold_full(x, v, false);
	if (r == -ENOBUFS)
		return -EBUSY;
	x->told_hold_full = false;
	v->taken.seq = p->seq; /* as XKEY's */
	if (r == -ENOENT && p->kind == RP_XPTR_RELEASE && p->button >= 1 && p->button <= 9)
		r = xd_button_up(x->xd, p->button); /* pressed in a window that went since */
	else if (r == -ENOENT)
		return 0; /* the window went while this was on its way */
	if (r == -ENOBUFS)
		return -EBUSY;
	if (r < 0) {
		snprintf(err, errn, "XPOINTER: %s", r == -EINVAL ? "buttons are 1 to 9"
								   : "the display is not running");
		return r;
	}
	if (p->kind != RP_XPTR_MOTION && (xv = view_of(x, v, true))) {
		if (p->kind == RP_XPTR_PRESS)
			xv->buttons_down |= (uint16_t)(1u << p->button);
		else
			xv->buttons_down &= (uint16_t)~(1u << p->button);
		if (p->kind == RP_XPTR_PRESS)
			screen_used(x, v);
	}
	note_input(x, v, p->seq, p->id, t, p->kind == RP_XPTR_PRESS, p->kind == RP_XPTR_MOTION);
	x->input_due = x->s.srv->input_due = true; /* as XKEY's */
	return 0;
}

/* (-EBUSY would offer it again: xd takes these even from a display that
 * does not read, and sends them once it does, xd.h) */
int x11_configure(struct session *s, const struct rp_xconfigure *c)
{
	int r = xd_configure(xs(s)->xd, c->id, c->what, c->x, c->y, c->w, c->h);

	settle(xs(s));
	return r == -ENOBUFS ? -EBUSY : 0;
}

int x11_close(struct session *s, uint32_t id)
{
	int r = xd_close(xs(s)->xd, id);

	settle(xs(s));
	return r == -ENOBUFS ? -EBUSY : 0;
}

int x11_focus(struct session *s, uint32_t id)
{
	int r = xd_focus(xs(s)->xd, id);

	settle(xs(s));
	return r == -ENOBUFS ? -EBUSY : 0;
}

void x11_ack(struct session *s, struct chan *v, uint32_t id, uint32_t frame)
{
	struct x11 *x = xs(s);
	struct xview *xv = view_of(x, v, false);
	struct xvwin *vw = xv ? vw_of(xv, id, false) : NULL;
	struct xwindow *w = win_find(x, id);

	if (!vw || !w)
		return;
	/* Frames count up; an ack from before a keyframe's reset is old news. */
	if (frame - vw->acked <= vw->sent - vw->acked)
		vw->acked = frame;
	if (vw->key_due && vw->sent - vw->acked < X11_UNACKED_MAX && w->has_pixels)
		keyframe(x, xv, w);
	maybe_read(x, w);
	settle(x);
}

int x11_keymap(struct session *s, struct chan *v, const struct rp_xchunk *c, char *err,
	       size_t errn)
{
	struct x11 *x = xs(s);
	struct xview *xv = view_of(x, v, true);
	int r;

	if (!xv) {
		snprintf(err, errn, "out of memory");
		return -ENOMEM;
	}
	r = rp_xtext_add(&xv->keymap, c);
	if (r < 0) {
		snprintf(err, errn, "XKEYMAP: %s", r == -ENOMEM ? "out of memory"
								  : "a chunk out of order");
		return r;
	}
	if (r == 0)
		return 0;
	if (!xv->keymap.total || memchr(xv->keymap.buf, 0, xv->keymap.total)) {
		rp_xtext_finish(&xv->keymap);
		snprintf(err, errn, "XKEYMAP: a keymap is text of 1 byte or more, with no NUL");
		return -EINVAL;
	}
	free(xv->km);
	xv->km = (char *)xv->keymap.buf; /* taken: the chunks' buffer is the text */
	xv->km_len = xv->keymap.total;
	xv->km_had = false;
	serve_log("session %s: a desk sent its keymap (%zu bytes)", x->s.name, xv->km_len);
	xv->keymap.buf = NULL;
	rp_xtext_finish(&xv->keymap);
	/* Loaded now, unless the display is busy with keys typed with
	 * another (this desk's earlier one too): then by its first key. */
	if (!xd_keymap_busy(x->xd))
		load_keymap(x, xv->km, xv->km_len);
	return 0;
}

int x11_clip(struct session *s, struct chan *v, const struct rp_xchunk *c, char *err, size_t errn)
{
	struct x11 *x = xs(s);
	struct xview *xv = view_of(x, v, true);
	int r;

	if (!xv) {
		snprintf(err, errn, "out of memory");
		return -ENOMEM;
	}
	if (c->total > XD_SEL_MAX_BYTES) { /* said once, at its first chunk */
		snprintf(err, errn, "XCLIP: a text over %u bytes is not taken", XD_SEL_MAX_BYTES);
		return c->off == 0 ? -EMSGSIZE : 0;
	}
	r = rp_xtext_add(&xv->clip, c);
	if (r < 0) {
		snprintf(err, errn, "XCLIP: %s", r == -ENOMEM ? "out of memory" : "a chunk out of order");
		return r;
	}
	if (r == 0)
		return 0;
	r = xd_selection_set(x->xd, xv->clip.sel, (const char *)xv->clip.buf, xv->clip.total);
	if (r == 0)
		sel_changed(x, xv->clip.sel, (const char *)xv->clip.buf, xv->clip.total, v);
	rp_xtext_finish(&xv->clip);
	settle(x);
	if (r < 0)
		snprintf(err, errn, "XCLIP: %s", strerror(-r));
	return r;
}
