/* telly view's X side: see view_x11.h.
 *
 * Where windows go: the host's screen is the desk's, offset by the
 * decoration, so a framed window's outer box stands where the host has
 * the window (its client area a border and a title bar lower). A view
 * started again finds every window where it was, because the host keeps
 * the places; moving a window on the desk moves it on the host
 * (XCONFIGURE). Override-redirect windows (menus, tooltips) keep their
 * place relative to their parent: the parent's offset between host and
 * desk applies to them, so a menu opens under its button even when the
 * desk clamped the parent elsewhere.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "clients.h"
#include "resume.h"
#include "view_x11.h"
#include "xd_prop.h"
#include "xwin.h"

#define VX_SESSIONS 16
#define VX_LISTED 64 /* X sessions a list names that are known as X */
#define VX_WINDOWS 48 /* X windows drawn at once, below WM_MAX_WINDOWS with terminals */
/* Pixels of all X windows drawn at once (each costs 8 bytes: the shown
 * picture and the one being updated): a host cannot make the desk hold
 * more than 256 MiB of them; a window past it is not drawn. */
#define VX_PIXELS_MAX (32u << 20)
#define VX_PROBES 256
#define VX_HELD_MAX 4096 /* X input events kept while the link is down */
#define VX_CONF_MAX 16	 /* windows whose latest XCONFIGURE is kept (xlink_conf) */
#define VX_KEYMAPS_MAX 8 /* keymaps a session's input not proven taken was typed with */
/* Input sent again after a resume goes while the connection's queue
 * holds fewer frames than this (of its 4096), the rest as it drains:
 * frames, not bytes, so a keymap queued before it (some 64 KiB in a few
 * chunks) does not hold it back until that is written. */
#define VX_AGAIN_QUEUED_MAX 1024
#define VX_SAMPLES_MAX 100000
#define VX_PROBE_MAX_AGE_NS 5000000000ull /* an input nothing visible answered */
/* A painted input waits this long for the host's XTIMING (a seamless
 * desk paints its answer before the frame after it, the timing, is read). */
#define VX_TIMING_WAIT_NS 1000000000ull
/* The desk's new screen size goes to the host once it has not changed
 * for this long: a drag resizes the host display once, not at every
 * motion (each is a RANDR mode and every maximized window refitted). */
#define VX_SCREEN_REST_MS 100
/* A sparse update (vx_ack_may_wait: a key's answer) is acknowledged with
 * the window's next, or once this many are shown and not acknowledged:
 * fewer than the host's window of RP_XUNACKED_MAX, so the host never waits
 * for one, and typed keys cost the link, the host's loop and a delay proxy
 * one wakeup for an XACK every second key, not one a key. */
#define VX_ACK_EVERY 2
/* Updates at least this far apart, and two round trips, are sparse; this
 * far until a round trip is measured. */
#define VX_ACK_SPARSE_MS 33
#define VX_ACK_SPARSE_UNMEASURED_MS 100
_Static_assert(VX_ACK_EVERY < RP_XUNACKED_MAX, "the host never waits for an ack");
/* That XACK, once due, is not written as the answer is drawn: it rides
 * with the next input sent, or goes alone this long after. Written with
 * the drawing, it woke the link, a delay proxy and the host's loop while
 * the desk's X server drew the answer. Shorter than VX_ACK_SPARSE_MS: the
 * next sparse update finds it gone, so at most VX_ACK_EVERY wait. */
#define VX_ACK_HOLD_MS 30
_Static_assert(VX_ACK_HOLD_MS < VX_ACK_SPARSE_MS, "a held XACK is gone before the next sparse update");
#define VX_PLACE_ECHO_MS 2000

struct xsess {
	uint16_t chan; /* 0 while the OPEN is pending */
	uint32_t req;
	char name[RP_MAX_NAME + 1];
	uint32_t seq;	  /* the last XKEY/XPOINTER sent */
	uint32_t key_seq; /* an input not answered yet: its update paints at once */
	bool keymap_sent;
	uint16_t listed_windows; /* how many the host's last list said it has */
	/* Read-only --seamless: the host's windows the person closed on the
	 * desk, shown no more in this view (the host's program is not
	 * asked: a watcher's close means "stop showing me this"). */
	uint32_t hidden[VX_WINDOWS];
	unsigned nhidden;
	struct rp_xtext clip;
	/* What each selection (RP_XSEL_*) last held on either side, hashed:
	 * the same text is not sent back where it came from. */
	uint64_t sel_hash[2];
	/* The host's selection that comes next is offered, not told
	 * (XCLIPAGE: this view attached or resumed): copied at offer_at
	 * (ms, ours: its age when it said so taken from then). */
	bool offered[2];
	long offer_at[2];
	/* The channel (re)started and what the host offers is not known
	 * yet: it says it (XCLIPAGE) before any XWIN, XCURSOR or XCLIP. A
	 * window took the focus (clip_follow), or a copy not proven sent was
	 * due again, meanwhile or while an offer's text had not come: the
	 * desk's selections go once that is weighed, if they are newer
	 * (offer_settle), never before. */
	bool offers_due, offer_follow;
	/* The host said (XLASTS) the session now lasts only because this
	 * view looks at it (a copy its programs left): it ends when this
	 * view leaves, with ends_status. Told anew when the channel starts. */
	bool ends_with;
	int ends_status;
	/* The link (the host gave a TOKEN; xlink_*): each XKEY and XPOINTER
	 * is kept until a PONG proves the host had it; a RESUME's answer
	 * says which the host took, and the rest go again. */
	bool resumable, resuming;
	/* Its RESUME (request req) went in a redial's first flight
	 * (vx_resume_flight): vx_relink sends none. */
	bool in_flight;
	/* That RESUME went ahead (RP_CAP_XAHEAD) on channel number ahead,
	 * the input kept up to seq ahead_upto right behind it, each after
	 * the keymap it was typed with (the last of them: km ahead_km, -1
	 * none); ahead_closed: another RESUME followed it in the flight, so
	 * input typed since waits for RESUMED. 0: a plain RESUME. */
	uint16_t ahead;
	uint32_t ahead_upto;
	int ahead_km;
	bool ahead_closed;
	/* Asked for again on a new connection (its RESUME, or the OPEN after
	 * a refused one) and not answered yet: the link is not back. */
	bool relinking;
	uint8_t token[RP_TOKEN_BYTES];
	struct rp_inlog log;
	uint32_t sent_seq; /* the last input written to a connection */
	bool backlog;	   /* input after sent_seq waits in the log (xlink_flush) */
	bool dropped;	   /* input dropped while down (the log was full) */
	/* Keys as the inputs given a seq leave them: the window each was
	 * pressed in, 0 when up (the host releases a channel's keys when its
	 * link goes; xlink_resumed presses again those down at its place). */
	uint32_t kdown[256];
	uint32_t ping_seq; /* sent_seq when the PING awaited went */
	/* The latest state asked of the host not yet proven taken, sent
	 * again once attached again (gen: vx's when asked; 0: none). */
	struct {
		uint32_t gen;
		struct rp_xconfigure m;
	} conf[VX_CONF_MAX];
	unsigned nconf;
	uint32_t focus_id, focus_gen, raise_id, raise_gen, clip_gen;
	/* The keymaps the input kept was typed with, oldest first: km[i] is
	 * that of the inputs after seq km[i].seq (until km[i + 1].seq); the
	 * last is the desk's now. A keymap goes to the host right before
	 * the first input typed with it (km_sent: the one this connection
	 * was sent last, -1: none), so a key is always read in the layout it
	 * was typed with, also when keys kept while the link was down go
	 * after the layout changed. */
	struct {
		uint32_t seq;
		char *text;
		size_t n;
	} km[VX_KEYMAPS_MAX];
	unsigned nkm;
	int km_sent;
	/* A host that keeps a channel's keymap while it waits as an orphan
	 * (RP_CAP_XKEPT, host_keeps) is proven to have km_proven whole: the
	 * last sent (ping_km) before a PING it answered. The link lost with
	 * no keymap sent after that one, the host keeps it (km_kept) and a
	 * RESUME sends it not again (-1: none, each). */
	bool host_keeps;
	int km_proven, ping_km, km_kept;
	/* The desk size the host was last given (OPEN's SCREEN, XSCREEN);
	 * 0: none, or not known to have arrived (a resumed link). */
	uint16_t screen_w, screen_h;
	/* Bytes of its program's stdout and stderr got on this channel
	 * (XOUTPUT's offsets; printed, or said let go): none is printed
	 * twice, and a RESUME says their sum, from which the host sends
	 * again what it kept. */
	uint64_t out_got[2];
};

struct xw {
	struct xsess *s;
	uint32_t id;  /* the host's */
	uint32_t wid; /* winmgr's and the compositor's */
	struct ds_xsurf *surf;
	bool overlay, can_close;
	/* The host does not send its pixels: over its bound of pixels held
	 * (XWIN's OVER_BOUND); its frame says so instead. */
	bool over_bound;
	/* The window the host has right below it (XWIN's above); unsure: that
	 * one was not known when it came, so it went on top until it comes. */
	uint32_t above;
	bool above_unsure;
	uint32_t transient_for;
	int hx, hy, hw, hh; /* on the host, as it last said */
	/* Placed by the desk when it came (ms; 0: not): until the host says
	 * it is at place_x, place_y, or VX_PLACE_ECHO_MS pass, XWINs that
	 * say where it was before are on their way from before the move. */
	long place_until;
	int place_x, place_y;
	char title[DS_TITLE_MAX_BYTES + 1];
	uint32_t acked;	  /* the last update shown */
	uint32_t ack_sent; /* the last acknowledged to the host (XACK) */
	uint64_t update_ns; /* when the last update came (0: none yet) */
	bool ack_may_wait;  /* it was sparse: its XACK may wait (vx_ack_may_wait) */
	bool ack_due;
	long ack_hold_until; /* ms: its due XACK rides with the next input until then (0: none) */
	uint64_t changes;
	/* Its bounding and input shapes (XSHAPE; RP_XSHAPE_*), in its
	 * pixels, on telly's desktop (seamless: the desk's server has them);
	 * NULL: the whole window. A click outside either goes below. */
	pixman_region32_t *shape[2];
};

struct xprobe {
	uint16_t chan;
	uint32_t seq;
	uint64_t t_key, t_sent, t_recv, t_shown, t_painted;
	bool host;
	struct rp_xtiming h;
};

enum { XS_DESK, XS_REMOTE, XS_APPLY, XS_PAINT, XS_TOTAL, XS_N };
_Static_assert(VX_SPLIT_N == 7, "one per stage of the host's split");

struct vx {
	struct vx_ctx c;
	long rtt_us; /* the link's measured round trip (0: not yet) */
	/* The seamless desk display's screen (0: not known): read once, then
	 * as the backend tells its changes (RANDR). */
	unsigned seamless_w, seamless_h;
	long screen_due; /* ms: the desk's new size has rested then (0: none due) */
	struct ds_keymap *keymap;
	struct xsess *sess[VX_SESSIONS];
	unsigned nsess;
	struct xw *win[VX_WINDOWS];
	unsigned nwin;
	/* The X sessions the host's last list named (opened or not). */
	char listed[VX_LISTED][RP_MAX_NAME + 1];
	unsigned nlisted;
	bool list_known; /* listed names every X session of the last list */
	bool told_watching; /* read-only: said at the first key or click */
	bool told_hidden;   /* read-only: said at the first window closed */
	bool told_destroyed; /* a desk window destroyed by another program: said */
	bool all_hidden;    /* read-only: the person closed every window shown */
	uint32_t next_wid;
	const struct ds_event *key; /* the key a WM_ACT_KEY came from */
	/* Keys pressed into X windows, to release where they went: by the
	 * host's window id, kept when the window goes or the link is lost
	 * (the release must still go), dropped with their session only. */
	struct {
		uint8_t code;
		struct xsess *s;
		uint32_t id;
	} down[32];
	unsigned ndown;
	/* Modifier keys let go on the host while the desk may hold them
	 * still (their window went, the desk's window lost the focus): the
	 * desk's next key, if its state says one is still down, has it
	 * pressed again first where it goes (carry_mods), so Ctrl held
	 * across a window's close still makes the next W a Ctrl+W. */
	uint8_t lifted[8];
	unsigned nlifted;
	/* The pointer: buttons held in a window (the grab), where it was. */
	struct xw *grab;
	unsigned held;
	struct xw *under;
	int px, py;
	bool cursor_x; /* the host's shape is shown */
	struct rp_xdec *dec; /* every window's updates are applied with it */
	uint32_t *cursor;
	int cur_w, cur_h, cur_hx, cur_hy;
	bool paint_now, applying_host;
	bool flush_due; /* a press is queued: written at the end of the desk's batch (vx_flush_input) */
	bool seamless; /* each window a native one of the desk (seamless.c) */
	uint16_t clip_chan[2]; /* the session a selection fetch is for, by RP_XSEL_* */
	/* The X window the person gave the focus (its wid; 0: none, or the
	 * desk's focus left the view since): a desk copy made while it has
	 * it goes to its host at once (vx_desk_copied). */
	uint32_t focus_wid;
	/* telly's desktop window has the desk's focus (from its FocusIn to
	 * its FocusOut): an X window its window manager focuses then, one the
	 * host maps or raises too, is the one the person types into. */
	bool desk_focused;
	/* A host selection offered (by RP_XSEL_*) while the desk's own is
	 * asked how old it is (ds_clip_age): taken only if the desk's is not
	 * newer. Meanwhile that session's selections do not go to it
	 * (follow: they go once this is settled). */
	struct {
		char *text; /* NULL: none */
		size_t n;
		uint16_t chan;
		long copied_at; /* ms, ours */
		bool follow;
	} offer[2];
	/* wait-update: the last input and whether pixels changed since. */
	uint16_t mark_chan;
	uint32_t mark_seq;
	bool mark_changed;
	/* --stats */
	struct xprobe await[VX_PROBES];
	unsigned nawait;
	uint64_t *samples[XS_N], *split[VX_SPLIT_N];
	size_t nsamples, nsplit;
	char why[300];
	int last_exit; /* the status the last session to end gave (-1: none yet) */
	bool refused; /* a session named could not be opened */
	/* The link (vx_link_down): keys and pointer input held while it is
	 * down, sent in order once their session is attached again. */
	bool link_down, told_held_full;
	struct held {
		struct xsess *s;
		bool key;
		struct rp_xkey k;
		struct rp_xpointer m;
	} queued[VX_HELD_MAX];
	unsigned nqueued;
	uint32_t gen, ping_gen; /* state asked (xsess.conf...), and at the PING awaited */
	bool ping_out;
	struct vx_out out[2]; /* the program's stdout, stderr (XOUTPUT): fds 1, 2 */
	/* --stats: the XOUTPUT bytes that came, and those of them it had
	 * (sent again: a resume's from the desk's count, more is waste) */
	uint64_t out_came, out_again;
};

/* A flight being made: frames appended, on channel chan (their own
 * number replaced); err sticky. */
struct xrun {
	uint8_t *buf;
	size_t n, cap;
	uint16_t chan;
	int err;
};

static int xlink_send(struct vx *x, struct xsess *s, const uint8_t *frame, size_t n,
		      uint32_t seq);
static int ahead_since(struct xsess *s, struct xrun *r, uint32_t from);
static void xlink_conf(struct vx *x, struct xsess *s, const struct rp_xconfigure *m);
static void xlink_resume(struct vx *x, struct xsess *s);
static int xlink_resumed(struct vx *x, const struct rp_hdr *h, const uint8_t *p);
static void xlink_release_stray(struct vx *x, struct xsess *s);
static void xlink_press_again(struct vx *x, struct xsess *s, uint32_t seq);
static void xlink_refused(struct vx *x, struct xsess *s);
static void km_drop(struct xsess *s, unsigned n);
static void km_before(struct vx *x, struct xsess *s, uint32_t seq);

/* Input for an X window while the link is down: kept (its seq given
 * when it goes). False: not down. */
static bool hold(struct vx *x, struct xsess *s, const struct rp_xkey *k,
		 const struct rp_xpointer *m)
{
	if (!x->link_down)
		return false;
	if (x->nqueued == VX_HELD_MAX) {
		if (!x->told_held_full)
			fprintf(stderr, "%s: the link is down and more was done in X windows "
					"than is kept (%d events): the rest is dropped\n",
					x->c.prog, VX_HELD_MAX);
		x->told_held_full = true;
		return true;
	}
	struct held *h = &x->queued[x->nqueued++];
	*h = (struct held){.s = s, .key = k != NULL};
	if (k)
		h->k = *k;
	else
		h->m = *m;
	return true;
}

/* Session s is attached again: what was held for it goes, in order. */
static void send_held(struct vx *x, struct xsess *s)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < x->nqueued; i++) {
		struct held *h = &x->queued[i];
		uint8_t buf[RP_HDR_SIZE + 16];
		long n;
		if (h->s != s) {
			x->queued[kept++] = *h;
			continue;
		}
		if (h->key) {
			h->k.seq = ++s->seq;
			n = rp_xkey_frame(buf, sizeof buf, s->chan, &h->k);
		} else {
			h->m.seq = ++s->seq;
			n = rp_xpointer_frame(buf, sizeof buf, s->chan, &h->m);
		}
		if (n > 0)
			xlink_send(x, s, buf, (size_t)n, s->seq);
	}
	x->nqueued = kept;
}

/* ---- the wire ---------------------------------------------------------- */

static int send_frame(void *ctx, const uint8_t *frame, size_t len)
{
	struct vx *x = ctx;

	return rp_conn_send(x->c.c, frame, len);
}

static uint16_t screen_side(unsigned v)
{
	return (uint16_t)(v < RP_X_SCREEN_MIN ? RP_X_SCREEN_MIN : v > RP_X_SCREEN_MAX ? RP_X_SCREEN_MAX : v);
}

/* The desk's screen, which an X session's display takes (OPEN's SCREEN),
 * into ws's pixels, within what a display may be: seamless, the desk
 * display's; else the view's own desktop as it is now. false: not known. */
static bool desk_size(const struct vx *x, struct kpty_winsize *ws)
{
	unsigned w = x->seamless_w, h = x->seamless_h;

	if (!x->seamless && x->c.wm && x->c.wm->cfg.screen_w > 0 && x->c.wm->cfg.screen_h > 0) {
		w = (unsigned)x->c.wm->cfg.screen_w;
		h = (unsigned)x->c.wm->cfg.screen_h;
	}
	if (!w || !h)
		return false;
	ws->ws_xpixel = screen_side(w);
	ws->ws_ypixel = screen_side(h);
	return true;
}

static void send_open(struct vx *x, struct xsess *s)
{
	uint8_t *frame = malloc(RP_MAX_FRAME);
	long len;

	if (!frame)
		return;
	s->req = ++*x->c.req;
	/* The display takes this desk's screen size, unless it only watches. */
	struct kpty_winsize ws = {0};
	bool screen = !x->c.readonly && desk_size(x, &ws);
	len = rp_open_frame(frame, RP_MAX_FRAME, s->req,
			    (uint8_t)(RP_OPEN_ATTACH | (x->c.readonly ? RP_OPEN_READONLY : 0) |
				      (screen ? RP_OPEN_SCREEN : 0)),
			    s->name, "", "", &ws, NULL, 0);
	/* The size counts as given only if the OPEN went: else an XSCREEN
	 * gives it once the session is attached. */
	bool sent = len > 0 && rp_conn_send(x->c.c, frame, (size_t)len) == 0;
	free(frame);
	s->screen_w = screen && sent ? ws.ws_xpixel : 0;
	s->screen_h = screen && sent ? ws.ws_ypixel : 0;
}

/* The desk's size now, to s's display if the host was not given it yet
 * (XSCREEN): s attached, the link up, this view not read-only. false:
 * it was due but not sent (the connection's queue full): the rest timer
 * is armed again, so that it goes once the queue drains. */
static bool screen_send(struct vx *x, struct xsess *s)
{
	struct kpty_winsize ws = {0};
	uint8_t buf[RP_HDR_SIZE + 4];
	long n;

	if (x->c.readonly || x->link_down || !s->chan || !desk_size(x, &ws) ||
	    (ws.ws_xpixel == s->screen_w && ws.ws_ypixel == s->screen_h))
		return true;
	n = rp_xscreen_frame(buf, sizeof buf, s->chan, ws.ws_xpixel, ws.ws_ypixel);
	if (n <= 0)
		return true;
	if (rp_conn_send(x->c.c, buf, (size_t)n) != 0) {
		if (!x->screen_due)
			x->screen_due = base_now_ms() + VX_SCREEN_REST_MS;
		return false;
	}
	s->screen_w = ws.ws_xpixel;
	s->screen_h = ws.ws_ypixel;
	return true;
}

void vx_desk_resized(struct vx *x)
{
	x->screen_due = base_now_ms() + VX_SCREEN_REST_MS;
}

/* ---- the program's output (XOUTPUT) ------------------------------------ */

static void out_marker(struct vx_out *o)
{
	/* Only on an empty buffer: it always fits. */
	int k = snprintf((char *)o->buf, VX_OUT_MAX, "[%llu bytes of output dropped]\n",
			 (unsigned long long)o->dropped);
	o->off = 0;
	o->n = (size_t)k;
	o->dropped = 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

void vx_out_put(struct vx_out *o, const uint8_t *p, size_t n, uint64_t host_dropped)
{
	if (o->gone)
		return;
	o->dropped = add_sat(o->dropped, host_dropped);
	if (!o->buf && !(o->buf = malloc(VX_OUT_MAX)))
		o->gone = true; /* (nothing to write with: dropped, as a reader gone) */
	/* Once dropping, every byte is until the reader has taken what is
	 * kept: the marker then says how many, before the next ones. */
	if (o->gone || (o->dropped && o->n) || n > VX_OUT_MAX - o->n) {
		o->dropped = add_sat(o->dropped, n);
		return;
	}
	if (o->dropped) {
		out_marker(o);
		if (n > VX_OUT_MAX - o->n) {
			o->dropped = n;
			return;
		}
	}
	if (o->off + o->n + n > VX_OUT_MAX) {
		memmove(o->buf, o->buf + o->off, o->n);
		o->off = 0;
	}
	if (n) /* (a count alone comes with none: p may be NULL) */
		memcpy(o->buf + o->off + o->n, p, n);
	o->n += n;
}

bool vx_out_pending(const struct vx_out *o)
{
	return !o->gone && (o->n || o->dropped);
}

void vx_out_finish(struct vx_out *o)
{
	free(o->buf);
	*o = (struct vx_out){0};
}

/* Writes what fd takes now without waiting: at most PIPE_BUF at a time
 * once poll says it has room, which a pipe, a socket and a terminal not
 * stopped take without blocking (fd's O_NONBLOCK is not ours to set: it
 * is the shell's terminal's too). */
void vx_out_flush(struct vx_out *o, int fd)
{
	while (vx_out_pending(o)) {
		struct pollfd pf = {.fd = fd, .events = POLLOUT};
		ssize_t w;

		if (!o->n)
			out_marker(o); /* drained: the bytes dropped are said now */
		if (poll(&pf, 1, 0) <= 0)
			return;
		if (!(pf.revents & POLLOUT) && !(pf.revents & (POLLERR | POLLNVAL | POLLHUP)))
			return;
		w = write(fd, o->buf + o->off, o->n < PIPE_BUF ? o->n : PIPE_BUF);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		if (w <= 0) { /* the reader is gone (EPIPE): nothing more to say */
			o->gone = true;
			return;
		}
		o->off += (size_t)w;
		o->n -= (size_t)w;
		if (!o->n)
			o->off = 0;
	}
}

/* Kept and not written, and let go and not said yet: 0 once its reader
 * is gone (nobody to print it for). */
static uint64_t out_unprinted(const struct vx_out *o)
{
	return o->gone ? 0 : add_sat(o->n, o->dropped);
}

uint64_t vx_flush_output(struct vx *x, int idle_ms)
{
	uint64_t left = 0, was = UINT64_MAX;
	long idle_until = 0;

	for (;;) {
		struct pollfd pf[2];
		nfds_t k = 0;

		left = 0;
		for (int i = 0; i < 2; i++) {
			vx_out_flush(&x->out[i], 1 + i);
			left = add_sat(left, out_unprinted(&x->out[i]));
			if (vx_out_pending(&x->out[i]))
				pf[k++] = (struct pollfd){.fd = 1 + i, .events = POLLOUT};
		}
		if (left < was) /* the reader took some: it is given time again */
			idle_until = base_now_ms() + idle_ms;
		was = left;
		long wait = idle_until - base_now_ms();
		if (!k || wait <= 0)
			return k ? left : 0;
		if (poll(pf, k, (int)wait) < 0 && errno != EINTR)
			return left;
	}
}

void vx_out_unprinted(const char *prog, const char *program, uint64_t n, int idle_ms)
{
	char msg[300];
	struct pollfd pf = {.fd = 2, .events = POLLOUT};
	int k = snprintf(msg, sizeof msg,
			 "%s: %llu bytes of %s's output not printed: its reader took none for %d "
			 "s\n",
			 prog, (unsigned long long)n, program, idle_ms / 1000);

	/* (stderr may be the reader that does not read: not waited for; a
	 * line within PIPE_BUF goes whole once it has room) */
	if (k > 0 && (size_t)k < sizeof msg && poll(&pf, 1, 0) == 1 && (pf.revents & POLLOUT)) {
		ssize_t w = write(2, msg, (size_t)k);
		(void)w;
	}
}

void vx_out_poll(const struct vx *x, struct pollfd pf[2])
{
	for (int i = 0; i < 2; i++)
		pf[i] = (struct pollfd){.fd = vx_out_pending(&x->out[i]) ? 1 + i : -1,
					.events = POLLOUT};
}

long vx_wait_ms(const struct vx *x, long now)
{
	long due = x->screen_due;

	for (unsigned i = 0; i < x->nwin && !x->link_down; i++) /* (held for the link: vx_relink) */
		if (x->win[i]->ack_hold_until && (!due || x->win[i]->ack_hold_until < due))
			due = x->win[i]->ack_hold_until;
	if (!due)
		return -1;
	return due > now ? due - now : 0;
}

static void send_held_acks(struct vx *x, long now);

void vx_tick(struct vx *x, long now)
{
	vx_out_flush(&x->out[0], 1);
	vx_out_flush(&x->out[1], 2);
	if (!x->link_down)
		send_held_acks(x, now);
	if (!x->screen_due || now < x->screen_due)
		return;
	x->screen_due = 0;
	/* A session not attached now (opening, the link down) is given the
	 * size once it is: the OPEN carries it, RESUMED sends it. */
	for (unsigned i = 0; i < x->nsess; i++)
		screen_send(x, x->sess[i]);
}

static void send_id(struct vx *x, uint8_t type, struct xw *w)
{
	uint8_t buf[RP_HDR_SIZE + 8];
	long n = rp_xid_frame(buf, sizeof buf, type, w->s->chan, w->id);

	if (type == RP_XFOCUS && w->s->resumable) { /* sent again if the link drops */
		w->s->focus_id = w->id;
		w->s->focus_gen = ++x->gen;
	}
	if (n > 0 && !x->link_down && w->s->chan)
		rp_conn_send(x->c.c, buf, (size_t)n);
}

/* The person did something (a read-only view too): from now on, any
 * change counts for wait-update until what is sent narrows it. */
static void mark_reset(struct vx *x)
{
	x->mark_chan = 0;
	x->mark_seq = 0;
	x->mark_changed = false;
}

/* Sent: a change counts once it answers this (an update's ack). */
static void mark_input(struct vx *x, struct xsess *s)
{
	x->mark_chan = s->chan;
	x->mark_seq = s->seq;
	x->mark_changed = false;
}

/* A key to s's window id (which may be gone: the host looks a window
 * up only for a press, so a release still lets the key go). */
static void send_key_to(struct vx *x, struct xsess *s, uint32_t id, uint8_t code, bool pressed,
			int locks, uint64_t t_key)
{
	uint8_t buf[RP_HDR_SIZE + 16];
	struct rp_xkey k = {.id = id, .keycode = code, .pressed = pressed};

	/* The host's display keeps its own locks: a press says the desk's
	 * (CapsLock, NumLock, the layout group) to a host that takes them. */
	if (pressed && locks >= 0 && x->c.c && (rp_conn_peer_caps(x->c.c) & RP_CAP_XLOCKS)) {
		k.locks = true;
		k.locked_mods = (uint8_t)locks;
		k.locked_group = (uint8_t)(locks >> 8 & RP_XKEY_GROUP_MAX);
	}

	if (!s->resumable && hold(x, s, &k, NULL))
		return;
	k.seq = ++s->seq;
	long n = rp_xkey_frame(buf, sizeof buf, s->chan, &k);

	if (n <= 0 || xlink_send(x, s, buf, (size_t)n, k.seq) < 0)
		return;
	if (!x->link_down)
		send_held_acks(x, 0);
	s->kdown[code] = pressed ? id : 0;
	/* A release seldom changes a pixel: the host reads the window only
	 * on damage, so an update that answers the release (acks its seq)
	 * may never come when the press's damage was read before the
	 * release went in. The press is what a change answers. */
	if (!pressed)
		return;
	s->key_seq = k.seq;
	mark_input(x, s);
	/* Presses are what a person waits to see answered. */
	if (x->c.stats && pressed) {
		if (x->nawait == VX_PROBES)
			memmove(&x->await[0], &x->await[1], (VX_PROBES - 1) * sizeof x->await[0]);
		else
			x->nawait++;
		x->await[x->nawait - 1] = (struct xprobe){
			.chan = s->chan, .seq = k.seq, .t_key = t_key, .t_sent = base_now_ns()};
	}
	/* On the wire at the end of the batch of desk events it came in
	 * (vx_flush_input), not after the rest of the loop's turn (the
	 * clipboard, timers, a repaint): the press is where the person's
	 * wait starts. Not at once either: when its release was read
	 * with it (the view was busy while the desk's X server sent
	 * both), sent apart it woke every process on the way, the host's
	 * X server included, a second time while the press's answer was
	 * being drawn. */
	x->flush_due = true;
}

void vx_flush_input(struct vx *x)
{
	if (!x->flush_due)
		return;
	x->flush_due = false;
	/* A failure is the loop's flush's to tell: the frames stay queued. */
	if (!x->link_down && x->c.c)
		rp_conn_flush(x->c.c);
}

static void send_key(struct vx *x, struct xw *w, uint8_t code, bool pressed, int locks,
		     uint64_t t_key)
{
	send_key_to(x, w->s, w->id, code, pressed, locks, t_key);
}

/* Key code went down into w: its release goes there too, wherever the
 * desk sends it, and goes when the desk's window loses the focus. */
static void note_down(struct vx *x, struct xw *w, uint8_t code)
{
	if (x->ndown < sizeof x->down / sizeof x->down[0]) {
		x->down[x->ndown].code = code;
		x->down[x->ndown].s = w->s;
		x->down[x->ndown++].id = w->id;
	}
}

/* The key of down[i] released where its press went. */
static void up_at(struct vx *x, unsigned i)
{
	send_key_to(x, x->down[i].s, x->down[i].id, x->down[i].code, false, -1, 0);
	x->down[i] = x->down[--x->ndown];
}

/* down[i] let go on the host while the desk may hold it still: a
 * modifier is noted to be pressed again with the desk's next key. */
static void lift_at(struct vx *x, unsigned i)
{
	uint8_t code = x->down[i].code;
	unsigned j = 0;

	while (j < x->nlifted && x->lifted[j] != code)
		j++;
	if (j == x->nlifted && x->keymap && ds_keymap_key_mod(x->keymap, code) &&
	    x->nlifted < sizeof x->lifted)
		x->lifted[x->nlifted++] = code;
	up_at(x, i);
}

static void unlift(struct vx *x, unsigned j)
{
	x->lifted[j] = x->lifted[--x->nlifted];
}

/* Key key pressed on the desk into w with mods (WM_MOD_*) held: the
 * modifier keys the view let go that the desk still holds go down in w
 * first, noted as down so the desk's release lets them go; those it no
 * longer holds (released where the view did not see) are forgotten. */
static void carry_mods(struct vx *x, struct xw *w, uint8_t key, uint32_t mods, uint64_t t_key)
{
	for (unsigned j = 0; j < x->nlifted;) {
		uint8_t code = x->lifted[j];
		bool down = code == key || !x->keymap;
		for (unsigned i = 0; i < x->ndown; i++)
			down |= x->down[i].code == code;
		if (!down && (ds_keymap_key_mod(x->keymap, code) & mods)) {
			send_key(x, w, code, true, -1, t_key);
			note_down(x, w, code);
		}
		unlift(x, j);
	}
}

/* Key code is up on the desk: released where its press went (none
 * went from here when it was pressed before the view had the focus). */
static void key_up(struct vx *x, uint8_t code)
{
	for (unsigned j = 0; j < x->nlifted; j++)
		if (x->lifted[j] == code) {
			unlift(x, j);
			break;
		}
	for (unsigned i = 0; i < x->ndown; i++)
		if (x->down[i].code == code) {
			up_at(x, i);
			return;
		}
}

static void send_pointer(struct vx *x, struct xw *w, int px, int py, uint8_t kind, int button)
{
	uint8_t buf[RP_HDR_SIZE + 16];
	struct rp_xpointer m = {.id = w->id, .kind = kind, .button = (uint8_t)button,
				.x = (int16_t)(px < -32768 ? -32768 : px > 32767 ? 32767 : px),
				.y = (int16_t)(py < -32768 ? -32768 : py > 32767 ? 32767 : py)};

	if (!w->s->resumable && hold(x, w->s, NULL, &m))
		return;
	/* Down, motion is not kept: a press and release carry their place,
	 * and keys and buttons keep the room (a full log drops input). */
	if (kind == RP_XPTR_MOTION && (x->link_down || w->s->resuming))
		return;
	m.seq = ++w->s->seq;
	long n = rp_xpointer_frame(buf, sizeof buf, w->s->chan, &m);

	if (n <= 0 || xlink_send(x, w->s, buf, (size_t)n, m.seq) < 0)
		return;
	if (!x->link_down)
		send_held_acks(x, 0);
	/* As a key's (send_key): a release seldom changes a pixel, and when
	 * the press's damage was read before the release went in, no update
	 * answering the release ever comes. The press is what a click's
	 * change answers. */
	if (kind == RP_XPTR_RELEASE)
		return;
	if (kind == RP_XPTR_PRESS)
		w->s->key_seq = m.seq;
	mark_input(x, w->s);
}

static void win_move(struct vx *x, struct xw *w, struct xw *below, bool top);

/* A size for XCONFIGURE: 1..RP_XWIN_MAX_DIM, whatever the desk (its
 * window manager, any program that sizes a window of ours, a screen wider
 * than that) gave; past it the host takes the frame for malformed and
 * drops the connection. */
static uint16_t xconf_dim(int v)
{
	return (uint16_t)(v < 1 ? 1 : v > RP_XWIN_MAX_DIM ? RP_XWIN_MAX_DIM : v);
}

static void send_configure(struct vx *x, struct xw *w, uint8_t what, const struct wm_box *b)
{
	struct wm_box in = wm_client_box(x->c.wm, b);
	uint8_t buf[RP_HDR_SIZE + 16];
	struct rp_xconfigure m = {.id = w->id, .what = what, .x = (int16_t)b->x, .y = (int16_t)b->y,
				  .w = xconf_dim(in.w), .h = xconf_dim(in.h)};
	long n;

	if (x->c.readonly)
		return;
	xlink_conf(x, w->s, &m);
	if (x->link_down || !w->s->chan)
		return; /* the latest goes once attached again */
	n = rp_xconfigure_frame(buf, sizeof buf, w->s->chan, &m);
	if (n > 0 && rp_conn_send(x->c.c, buf, (size_t)n) == 0 && (what & RP_XCONF_SIZE))
		mark_input(x, w->s);
	/* On top of the host's order already: an XWIN that repeats the
	 * old order before the host raised it moves nothing back. */
	if (what & RP_XCONF_RAISE)
		win_move(x, w, NULL, true);
	if (what & RP_XCONF_MOVE) {
		w->hx = b->x;
		w->hy = b->y;
	}
	if (what & RP_XCONF_SIZE) {
		w->hw = m.w;
		w->hh = m.h;
	}
}

/* ---- sessions and windows ---------------------------------------------- */

static const struct ds_seamless_ops seamless_ops;

struct vx *vx_create(const struct vx_ctx *ctx, char *err, size_t errn)
{
	struct vx *x = calloc(1, sizeof *x);

	if (!x) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	x->c = *ctx;
	x->next_wid = VX_ID_BASE;
	x->last_exit = -1;
	if (!(x->dec = rp_xdec_create()))
		goto oom;
	x->seamless = ds_seamless(ctx->b);
	if (x->seamless)
		ds_seamless_set_ops(ctx->b, &seamless_ops, x);
	if (x->seamless) /* its own connection's: no second one to ask */
		ds_seamless_size(ctx->b, &x->seamless_w, &x->seamless_h);
	if (x->c.stats) {
		for (int k = 0; k < XS_N; k++)
			if (!(x->samples[k] = calloc(VX_SAMPLES_MAX, sizeof(uint64_t))))
				goto oom;
		for (int k = 0; k < VX_SPLIT_N; k++)
			if (!(x->split[k] = calloc(VX_SAMPLES_MAX, sizeof(uint64_t))))
				goto oom;
	}
	return x;
oom:
	snprintf(err, errn, "out of memory");
	vx_destroy(x);
	return NULL;
}

static void win_free(struct xw *w)
{
	ds_xsurf_destroy(w->surf);
	ds_region_free(w->shape[0]);
	ds_region_free(w->shape[1]);
	free(w);
}

void vx_destroy(struct vx *x)
{
	if (!x)
		return;
	for (unsigned i = 0; i < x->nwin; i++)
		win_free(x->win[i]);
	for (int k = 0; k < 2; k++)
		free(x->offer[k].text);
	for (unsigned i = 0; i < x->nsess; i++) {
		rp_xtext_finish(&x->sess[i]->clip);
		rp_inlog_finish(&x->sess[i]->log);
		km_drop(x->sess[i], x->sess[i]->nkm);
		free(x->sess[i]);
	}
	ds_keymap_destroy(x->keymap);
	rp_xdec_destroy(x->dec);
	for (int k = 0; k < XS_N; k++)
		free(x->samples[k]);
	for (int k = 0; k < VX_SPLIT_N; k++)
		free(x->split[k]);
	free(x->cursor);
	vx_out_finish(&x->out[0]);
	vx_out_finish(&x->out[1]);
	free(x);
}

const char *vx_why(const struct vx *x)
{
	return x->why;
}

int vx_last_exit(const struct vx *x)
{
	return !x ? -1 : x->last_exit >= 0 ? x->last_exit : x->refused ? 1 : -1;
}

int vx_ends_with_view(const struct vx *x)
{
	for (unsigned i = 0; x && i < x->nsess; i++)
		if (x->sess[i]->chan && x->sess[i]->ends_with)
			return x->sess[i]->ends_status;
	return -1;
}

void vx_detach(struct vx *x)
{
	uint8_t hdr[RP_HDR_SIZE];

	for (unsigned i = 0; x && !x->link_down && x->c.c && i < x->nsess; i++) {
		if (!x->sess[i]->chan)
			continue; /* (being opened, or asked again on a new link) */
		rp_hdr_encode(hdr, RP_DETACH, 0, x->sess[i]->chan, 0);
		rp_conn_send(x->c.c, hdr, sizeof hdr);
	}
}

bool vx_refused(const struct vx *x)
{
	return x && x->refused;
}

static struct xsess *sess_by_name(const struct vx *x, const char *name, size_t n)
{
	for (unsigned i = 0; i < x->nsess; i++)
		if (strlen(x->sess[i]->name) == n && !memcmp(x->sess[i]->name, name, n))
			return x->sess[i];
	return NULL;
}

static struct xsess *sess_by_chan(const struct vx *x, uint16_t chan)
{
	for (unsigned i = 0; chan && i < x->nsess; i++)
		if (x->sess[i]->chan == chan)
			return x->sess[i];
	return NULL;
}

int vx_open(struct vx *x, const char *name, size_t n)
{
	struct xsess *s;

	if (!rp_name_valid(name, n))
		return -EINVAL;
	if (sess_by_name(x, name, n))
		return 0;
	if (x->nsess == VX_SESSIONS)
		return -ENOSPC;
	s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	memcpy(s->name, name, n);
	s->km_sent = s->ahead_km = s->km_proven = s->ping_km = s->km_kept = -1;
	x->sess[x->nsess++] = s;
	send_open(x, s);
	return 0;
}

int vx_list(struct vx *x, const uint8_t *p, size_t n, size_t off)
{
	uint16_t nx;
	/* (each window's flags: the view says RP_CAP_XBOUND, so the host
	 * sends them when it knows them) */
	bool flags = rp_conn_peer_caps(x->c.c) & RP_CAP_XBOUND;

	if (off == n)
		return 0; /* a host that lists no X part */
	if (rp_list_x_decode(p, n, &off, &nx) < 0)
		return -EPROTO;
	x->nlisted = 0;
	x->list_known = false;
	for (uint16_t i = 0; i < nx; i++) {
		struct rp_list_xsess xs;
		struct rp_list_xwin xw;
		if (rp_list_xsess_decode(p, n, &off, &xs) < 0)
			return -EPROTO;
		for (uint16_t k = 0; k < xs.nwin; k++)
			if (rp_list_xwin_decode(p, n, &off, flags, &xw) < 0)
				return -EPROTO;
		const char *name = xs.name.n ? xs.name.p : "";
		uint16_t nn = xs.name.n;
		uint16_t nw = xs.nwin;
		if (x->nlisted < VX_LISTED) {
			memcpy(x->listed[x->nlisted], name, nn);
			x->listed[x->nlisted++][nn] = 0;
		}
		if (!x->c.only_named && !sess_by_name(x, name, nn) && rp_name_valid(name, nn))
			vx_open(x, name, nn);
		struct xsess *ls = sess_by_name(x, name, nn);
		if (ls)
			ls->listed_windows = nw;
	}
	x->list_known = nx <= VX_LISTED;
	return off == n ? 0 : -EPROTO;
}

int vx_listed(const struct vx *x, const char *name, size_t n)
{
	for (unsigned i = 0; i < x->nlisted; i++)
		if (strlen(x->listed[i]) == n && !memcmp(x->listed[i], name, n))
			return 1;
	return x->list_known ? 0 : -1;
}

bool vx_has(const struct vx *x, const char *name, size_t n)
{
	return vx_listed(x, name, n) == 1 || sess_by_name(x, name, n) != NULL;
}

unsigned vx_sessions(const struct vx *x, unsigned *opening)
{
	unsigned att = 0, op = 0;

	for (unsigned i = 0; i < x->nsess; i++)
		if (x->sess[i]->chan)
			att++;
		else
			op++;
	if (opening)
		*opening = op;
	return att;
}

static struct xw *win_by_id(const struct vx *x, const struct xsess *s, uint32_t id)
{
	for (unsigned i = 0; i < x->nwin; i++)
		if (x->win[i]->s == s && x->win[i]->id == id)
			return x->win[i];
	return NULL;
}

static struct xw *win_by_wid(const struct vx *x, uint32_t wid)
{
	for (unsigned i = 0; i < x->nwin; i++)
		if (x->win[i]->wid == wid)
			return x->win[i];
	return NULL;
}

static void apply_own(struct vx *x, struct wm_actions *o)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->a[i].window >= VX_ID_BASE || o->a[i].type == WM_ACT_CURSOR)
			vx_action(x, &o->a[i], NULL);
	o->n = 0;
	ds_comp_sync(x->c.comp, x->c.wm);
}

/* The offset from the host's screen to the desk's for a window's
 * contents: its client area's corner minus the host's place of it. */
static void offset_of(const struct vx *x, const struct xw *w, int *dx, int *dy)
{
	const struct wm_window *ww = w && !w->overlay ? wm_find(x->c.wm, w->wid) : NULL;

	if (ww) {
		struct wm_box in = wm_client_box(x->c.wm, &ww->box);
		*dx = in.x - w->hx;
		*dy = in.y - w->hy;
		return;
	}
	/* As a window the desk did not have to move. */
	*dx = x->c.wm->cfg.border;
	*dy = x->c.wm->cfg.border + x->c.wm->cfg.title_h;
}

/* An override-redirect window's corner on the desk: its parent's offset
 * (the framed window it is transient for, else the focused window of its
 * session). */
static void overlay_origin(const struct vx *x, const struct xw *w, int *ox, int *oy)
{
	const struct xw *p = w->transient_for ? win_by_id(x, w->s, w->transient_for) : NULL;
	int dx, dy;

	/* A chain longer than the windows is a loop (a host's word: a
	 * hostile program's windows transient for each other): no parent. */
	for (unsigned hops = 0; p && p->overlay && p->transient_for; hops++)
		p = hops < x->nwin ? win_by_id(x, p->s, p->transient_for) : NULL;
	if (!p || p->overlay) {
		const struct xw *f = win_by_wid(x, x->c.wm->focus);
		p = f && f->s == w->s ? f : NULL;
	}
	offset_of(x, p, &dx, &dy);
	*ox = w->hx + dx;
	*oy = w->hy + dy;
}

static void place_overlay(struct vx *x, struct xw *w)
{
	int ox, oy;

	overlay_origin(x, w, &ox, &oy);
	ds_comp_place(x->c.comp, w->wid, ox, oy);
}

static void replace_overlays(struct vx *x, struct xsess *s)
{
	for (unsigned i = 0; i < x->nwin; i++)
		if (x->win[i]->s == s && x->win[i]->overlay &&
		    (ds_xsurf_updates(x->win[i]->surf) || x->win[i]->over_bound))
			place_overlay(x, x->win[i]);
}

/* Whether a window's program asked for its place (XWIN's POSITIONED or
 * WM_PLACES). From a host before those flags: a window not at 0,0 was
 * placed (a program that asks for none maps there, every window on the
 * others). */
static bool vx_positioned(const struct rp_xwin *m)
{
	if (m->flags & RP_XWIN_POSITIONED)
		return true;
	if (m->flags & RP_XWIN_WM_PLACES)
		return false;
	return m->x || m->y;
}

static struct wm_box outer_for(const struct vx *x, int hx, int hy, int w, int h)
{
	int bw = x->c.wm->cfg.border, th = x->c.wm->cfg.title_h;

	return (struct wm_box){hx, hy, w + 2 * bw, h + 2 * bw + th};
}

/* An XWIN from before the host took the place the desk gave the window
 * when it came (place_until): its old position, not to be taken. */
static bool place_stale(struct xw *w, const struct rp_xwin *m)
{
	if (!w->place_until)
		return false;
	if ((m->x == w->place_x && m->y == w->place_y) || base_now_ms() >= w->place_until) {
		w->place_until = 0;
		return false;
	}
	return true;
}

/* The title a frame or a desk window shows: the host's, marked in a
 * read-only view (cut to leave the mark room, at a character). */
static const char *title_shown(const struct vx *x, const char *title, char *buf, size_t n)
{
	if (!x->c.readonly)
		return title;
	size_t k = ds_title_clean(title, strlen(title), buf, n - (sizeof VX_READONLY_MARK - 1));
	snprintf(buf + k, n - k, "%s", VX_READONLY_MARK);
	return buf;
}

bool vx_watching(struct vx *x)
{
	if (!x || !x->c.readonly)
		return false;
	if (!x->told_watching)
		fprintf(stderr, "%s: read-only (-r): this view only watches; your keys and clicks "
				"go nowhere\n",
			x->c.prog);
	x->told_watching = true;
	return true;
}

/* X's modifier keysyms: Shift_L .. Hyper_R (Caps_Lock, Meta, Alt,
 * Super among them), ISO_Level3_Shift, ISO_Level5_Shift, Mode_switch,
 * Num_Lock. */
static const uint32_t vx_modifiers[] = {0xffe1, 0xffe2, 0xffe3, 0xffe4, 0xffe5, 0xffe6,
					0xffe7, 0xffe8, 0xffe9, 0xffea, 0xffeb, 0xffec,
					0xffed, 0xffee, 0xfe03, 0xfe11, 0xff7e, 0xff7f};

/* A read-only view's key press: a modifier alone (Alt of the desk's
 * Alt+F4, Shift before a click) goes nowhere unsaid, as it types
 * nothing; another key says once that the view only watches. keysym 0:
 * known by keycode only (a seamless desk's), looked up in the desk's
 * keymap (a modifier not found there: said, as before). */
static bool key_watching(struct vx *x, uint32_t keysym, uint8_t keycode)
{
	char err[200];

	if (!x->c.readonly)
		return false;
	if (x->told_watching)
		return true;
	/* (a read-only view makes none to send with: made to look up) */
	if (!keysym && !x->keymap)
		x->keymap = ds_keymap_create(x->c.b, err, sizeof err);
	for (size_t i = 0; i < sizeof vx_modifiers / sizeof *vx_modifiers; i++) {
		uint8_t codes[8];
		int n = 0;
		if (!keysym && keycode && x->keymap)
			n = ds_keymap_keys(x->keymap, vx_modifiers[i], 0, codes, 8);
		if (keysym ? keysym == vx_modifiers[i] : n > 0 && codes[n - 1] == keycode)
			return true;
	}
	return vx_watching(x);
}

/* What a window the host does not read (XWIN's OVER_BOUND) shows in
 * its frame instead, or after its title. */
#define VX_OVER_BOUND "too large for the host's pixel budget"

/* m's OVER_BOUND taken by w: said once as it comes (on stderr; the frame
 * or the title says it for as long as it lasts). */
static void take_over_bound(struct vx *x, struct xsess *s, struct xw *w, const struct rp_xwin *m)
{
	bool over = m->flags & RP_XWIN_OVER_BOUND;

	if (over && !w->over_bound)
		fprintf(stderr, "%s: %s: window 0x%x \"%s\" (%ux%u) not shown: " VX_OVER_BOUND
				" (until its other windows close or shrink)\n",
			x->c.prog, s->name, m->id, w->title, m->w, m->h);
	w->over_bound = over;
}

/* Seamless: the desk's own window, made or told what changed. */
static void seamless_xwin(struct vx *x, struct xsess *s, struct xw *w, const struct rp_xwin *m,
			  const char *title)
{
	char cls[DS_TITLE_MAX_BYTES + 1], icon[DS_TITLE_MAX_BYTES + 1];
	char shown[DS_TITLE_MAX_BYTES + 1], marked[DS_TITLE_MAX_BYTES + 1];
	const struct xw *t = m->transient_for ? win_by_id(x, s, m->transient_for) : NULL;

	if (!w) {
		if (x->nwin == VX_WINDOWS || !(w = calloc(1, sizeof *w)))
			return;
		if (!(w->surf = ds_xsurf_create(m->id, m->w, m->h))) {
			free(w);
			return;
		}
		w->s = s;
		w->id = m->id;
		w->wid = x->next_wid;
		x->next_wid += VX_ID_BASE;
		w->overlay = m->flags & RP_XWIN_OVERRIDE;
		x->win[x->nwin++] = w;
	}
	w->hx = m->x;
	w->hy = m->y;
	w->hw = m->w;
	w->hh = m->h;
	w->transient_for = m->transient_for;
	snprintf(w->title, sizeof w->title, "%s", title);
	take_over_bound(x, s, w, m);
	/* (the desk's window has no frame of ours to say it in) */
	snprintf(shown, sizeof shown, w->over_bound ? "%s (not shown: " VX_OVER_BOUND ": %ux%u)" : "%s",
		 title, m->w, m->h);
	ds_title_clean(m->wm_class.p, m->wm_class.n, cls, sizeof cls);
	ds_title_clean(m->icon_name.p, m->icon_name.n, icon, sizeof icon);
	struct ds_seamless_win sw = {
		.id = w->wid, .transient_for = t ? t->wid : 0, .override = w->overlay,
		.x = m->x, .y = m->y, .w = m->w, .h = m->h, .positioned = vx_positioned(m),
		.fullscreen = m->flags & RP_XWIN_FULLSCREEN,
		.maximized = m->flags & RP_XWIN_MAXIMIZED,
		.undecorated = m->flags & RP_XWIN_UNDECORATED,
		.title = title_shown(x, shown, marked, sizeof marked), .wm_class = cls,
		.icon_name = icon[0] ? icon : title,
		.machine = rp_conn_host_name(x->c.c)};
	if (m->flags & RP_XWIN_HINTS)
		sw.size = m->size;
	if (ds_seamless_map(x->c.b, &sw, w->surf) < 0)
		fprintf(stderr, "%s: window 0x%x of %s not shown\n", x->c.prog, m->id, s->name);
}

/* Would the windows' pixels stay within VX_PIXELS_MAX with w (NULL: a
 * new one) at w x h? */
static bool pixels_fit(const struct vx *x, const struct xw *w, uint32_t ww, uint32_t wh)
{
	uint64_t total = (uint64_t)ww * wh;
	int sw, sh;

	for (unsigned i = 0; i < x->nwin; i++) {
		if (x->win[i] == w)
			continue;
		ds_xsurf_size(x->win[i]->surf, &sw, &sh);
		total += (uint64_t)sw * (uint64_t)sh;
	}
	return total <= VX_PIXELS_MAX;
}

/* ---- stacking --------------------------------------------------------- *
 *
 * x->win is kept in the host's stacking order, bottom first (an order
 * within each session; sessions are not stacked against each other). An
 * XWIN names the window right below its own: the window moves right above
 * it, every window that was waiting for it follows it, and the desk's
 * stack of the session's windows is made that order. Only what the host
 * says changed moves anything: an XWIN that repeats a window's place
 * (its title changed, say) does not undo a raise on the desk the host
 * has not answered yet. */

static unsigned win_index(const struct vx *x, const struct xw *w)
{
	unsigned i = 0;

	while (i < x->nwin && x->win[i] != w)
		i++;
	return i;
}

/* w out of x->win and back right above below (NULL: at the bottom, or
 * on top when top). */
static void win_move(struct vx *x, struct xw *w, struct xw *below, bool top)
{
	unsigned i = win_index(x, w), j;

	if (i == x->nwin)
		return;
	memmove(&x->win[i], &x->win[i + 1], (x->nwin - i - 1) * sizeof x->win[0]);
	x->nwin--;
	j = top ? x->nwin : below ? win_index(x, below) + 1 : 0;
	memmove(&x->win[j + 1], &x->win[j], (x->nwin - j) * sizeof x->win[0]);
	x->win[j] = w;
	x->nwin++;
}

/* A session's windows, bottom first (framed only, or all): how many. */
static unsigned sess_order(const struct vx *x, const struct xsess *s, bool framed,
			   struct xw **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < x->nwin; i++)
		if (x->win[i]->s == s && (!framed || !x->win[i]->overlay))
			out[n++] = x->win[i];
	return n;
}

/* The host says w is right above its window above (0: at the bottom).
 * Those waiting for w come right above it, and those waiting for them
 * above them. */
static void host_stack(struct vx *x, struct xw *w, uint32_t above, bool created)
{
	struct xw *todo[VX_WINDOWS], *b;
	unsigned n = 0;

	if (!created && !w->above_unsure && w->above == above)
		return;
	w->above = above;
	b = above ? win_by_id(x, w->s, above) : NULL;
	w->above_unsure = above && (!b || b == w);
	if (b == w)
		b = NULL;
	win_move(x, w, b, w->above_unsure);
	todo[n++] = w;
	while (n) {
		struct xw *t = todo[--n];
		for (unsigned i = 0; i < x->nwin; i++) {
			struct xw *u = x->win[i];
			if (u->s == t->s && u->above_unsure && u->above == t->id && n < VX_WINDOWS) {
				u->above_unsure = false;
				win_move(x, u, t, false);
				todo[n++] = u;
			}
		}
	}
}

/* The desk's stack made the host's order for the session's framed
 * windows, in the places they take in it (terminals stay where they
 * are). When one of them had the focus on top, the new top takes it. */
static void restack(struct vx *x, struct xsess *s)
{
	struct wm *wm = x->c.wm;
	struct xw *order[VX_WINDOWS];
	struct wm_window moved[VX_WINDOWS];
	unsigned slot[VX_WINDOWS], n = 0, k = 0, norder = sess_order(x, s, true, order);
	uint32_t top = wm->n ? wm->win[wm->n - 1].id : 0;
	bool focused_top = top && top == wm->focus;
	const struct wm_window *ww;

	for (unsigned i = 0; i < wm->n && n < VX_WINDOWS; i++) {
		const struct xw *w = wm->win[i].id >= VX_ID_BASE ? win_by_wid(x, wm->win[i].id) : NULL;
		if (w && w->s == s && !w->overlay)
			slot[n++] = i;
	}
	for (unsigned i = 0; i < norder && k < n; i++)
		if ((ww = wm_find(wm, order[i]->wid)))
			moved[k++] = *ww;
	if (k != n)
		return;
	for (unsigned i = 0; i < n; i++)
		wm->win[slot[i]] = moved[i];
	uint32_t now_top = wm->n ? wm->win[wm->n - 1].id : 0;
	if (focused_top && now_top != top && now_top >= VX_ID_BASE) {
		struct wm_actions o = {0};
		x->applying_host = true;
		wm_focus(wm, now_top, &o);
		apply_own(x, &o);
		x->applying_host = false;
	}
	ds_comp_sync(x->c.comp, wm);
}

/* An XWIN's stacking taken: the desk follows where the order changed.
 * Seamless: the desk's windows from the first that moved up are raised
 * in turn (before was the order the desk had, w on top when new). */
static void take_stacking(struct vx *x, struct xw *w, uint32_t above, bool created)
{
	struct xw *before[VX_WINDOWS], *after[VX_WINDOWS];
	unsigned n = sess_order(x, w->s, false, before), d = 0;

	host_stack(x, w, above, created);
	sess_order(x, w->s, false, after);
	while (d < n && before[d] == after[d])
		d++;
	if (d == n)
		return;
	if (!x->seamless) {
		restack(x, w->s);
		return;
	}
	for (unsigned i = d; i < n; i++)
		ds_seamless_raise(x->c.b, after[i]->wid);
}

static bool is_hidden(const struct xsess *s, uint32_t id)
{
	for (unsigned i = 0; i < s->nhidden; i++)
		if (s->hidden[i] == id)
			return true;
	return false;
}

static void on_xwin(struct vx *x, struct xsess *s, const struct rp_xwin *m)
{
	struct xw *w = win_by_id(x, s, m->id), *w2;
	char title[DS_TITLE_MAX_BYTES + 1], marked[DS_TITLE_MAX_BYTES + 1];
	const struct wm_window *ww0;
	struct wm_actions o = {0};
	bool created = false, stale = false;

	if (!w && is_hidden(s, m->id))
		return;
	ds_title_clean(m->title.p, m->title.n, title, sizeof title);
	if (!title[0])
		ds_title_clean(m->wm_class.p, m->wm_class.n, title, sizeof title);
	if (!w && !pixels_fit(x, NULL, m->w, m->h)) {
		fprintf(stderr, "%s: %s: window 0x%x (%ux%u) not shown: the X windows'"
				" pixels would pass %u\n",
				x->c.prog, s->name, m->id, m->w, m->h, VX_PIXELS_MAX);
		return;
	}
	if (x->seamless) {
		seamless_xwin(x, s, w, m, title);
		if ((w2 = win_by_id(x, s, m->id)))
			take_stacking(x, w2, m->above, !w);
		return;
	}
	if (!w) {
		bool overlay = m->flags & RP_XWIN_OVERRIDE;
		created = true;
		if (x->nwin == VX_WINDOWS)
			return; /* not drawn; the host keeps it */
		w = calloc(1, sizeof *w);
		if (!w || !(w->surf = ds_xsurf_create(m->id, m->w, m->h))) {
			free(w);
			return;
		}
		w->s = s;
		w->id = m->id;
		w->wid = x->next_wid;
		x->next_wid += VX_ID_BASE;
		w->overlay = overlay;
		if (ds_comp_add_x(x->c.comp, w->wid, title_shown(x, title, marked, sizeof marked),
				  w->surf, !overlay) < 0) {
			win_free(w);
			return;
		}
		x->win[x->nwin++] = w;
		w->hx = m->x;
		w->hy = m->y;
		w->hw = m->w;
		w->hh = m->h;
		if (!overlay) {
			struct wm_box b = outer_for(x, m->x, m->y, m->w, m->h);
			const struct wm_config *cfg = &x->c.wm->cfg;
			/* Where the host has it, if the desk shows it whole there
			 * and its program asked for that place; else where winmgr
			 * puts a new window, as a terminal's, and the host is
			 * asked to follow (a view started again finds it there,
			 * and one the person moved where they put it). */
			bool fits = vx_positioned(m) && b.x >= 0 && b.y >= 0 &&
				    b.x + b.w <= cfg->screen_w && b.y + b.h <= cfg->screen_h;
			const struct wm_window *ww;
			x->applying_host = true;
			if (fits)
				wm_manage_at(x->c.wm, w->wid, b, &o);
			else
				wm_manage(x->c.wm, w->wid, b.w, b.h, &o);
			apply_own(x, &o);
			x->applying_host = false;
			/* (Not when that is where the host has it already: a move
			 * another desk asked meanwhile would be undone.) */
			if (!fits && (ww = wm_find(x->c.wm, w->wid)) &&
			    (ww->box.x != b.x || ww->box.y != b.y)) {
				send_configure(x, w, RP_XCONF_MOVE, &ww->box);
				w->place_until = base_now_ms() + VX_PLACE_ECHO_MS;
				w->place_x = ww->box.x;
				w->place_y = ww->box.y;
			}
		}
	} else if (!w->overlay && (stale = place_stale(w, m))) {
		; /* where it was before the desk placed it: not taken */
	} else if (!w->overlay && (m->x != w->hx || m->y != w->hy || m->w != w->hw ||
				   m->h != w->hh) &&
		   !((ww0 = wm_find(x->c.wm, w->wid)) && ww0->maximized)) {
		/* (A window maximized on the desk keeps the desk's box, as a
		 * window manager's does: the host's word may be the echo of
		 * a size the desk asked before its desktop changed again,
		 * and taking it would un-maximize the window.) */
		x->applying_host = true;
		wm_set_box(x->c.wm, w->wid, outer_for(x, m->x, m->y, m->w, m->h), &o);
		apply_own(x, &o);
		x->applying_host = false;
	}
	if (!created && !stale && (w->overlay || !x->c.wm->drag)) {
		w->hx = m->x;
		w->hy = m->y;
		w->hw = m->w;
		w->hh = m->h;
	}
	w->transient_for = m->transient_for;
	w->can_close = m->flags & RP_XWIN_CAN_CLOSE;
	if (strcmp(title, w->title)) {
		memcpy(w->title, title, sizeof title);
		ds_comp_set_title(x->c.comp, w->wid, title_shown(x, title, marked, sizeof marked));
	}
	take_over_bound(x, s, w, m);
	char notice[DS_TITLE_MAX_BYTES + 1];
	snprintf(notice, sizeof notice, "window " VX_OVER_BOUND ": %ux%u", m->w, m->h);
	ds_comp_set_notice(x->c.comp, w->wid, w->over_bound ? notice : NULL);
	/* (an unframed one is placed once drawn, or to say why it is not) */
	if (w->overlay && (ds_xsurf_updates(w->surf) || w->over_bound))
		place_overlay(x, w);
	else if (!w->overlay)
		replace_overlays(x, s);
	take_stacking(x, w, m->above, created);
}

static void remove_win(struct vx *x, struct xw *w)
{
	struct wm_actions o = {0};

	for (unsigned i = 0; i < x->nwin; i++)
		if (x->win[i] == w) {
			memmove(&x->win[i], &x->win[i + 1], (x->nwin - i - 1) * sizeof x->win[0]);
			x->nwin--;
			break;
		}
	if (x->grab == w) {
		x->grab = NULL;
		x->held = 0;
	}
	if (x->under == w)
		x->under = NULL;
	/* Its keys held go up on the host now: the desk's releases go to the
	 * window the desk focuses next, which may not be the view's. */
	for (unsigned i = 0; i < x->ndown;)
		if (x->down[i].s == w->s && x->down[i].id == w->id)
			lift_at(x, i);
		else
			i++;
	if (x->seamless) {
		ds_seamless_unmap(x->c.b, w->wid);
		win_free(w);
		return;
	}
	ds_comp_remove(x->c.comp, w->wid);
	if (!w->overlay) {
		wm_unmanage(x->c.wm, w->wid, &o);
		apply_own(x, &o);
	}
	win_free(w);
}

static void remove_sess(struct vx *x, struct xsess *s)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < x->nqueued; i++) /* its held input goes nowhere */
		if (x->queued[i].s != s)
			x->queued[kept++] = x->queued[i];
	x->nqueued = kept;
	for (unsigned i = 0; i < x->ndown;) /* nor do its keys' releases */
		if (x->down[i].s == s)
			x->down[i] = x->down[--x->ndown];
		else
			i++;
	for (unsigned i = x->nwin; i-- > 0;)
		if (x->win[i]->s == s)
			remove_win(x, x->win[i]);
	for (unsigned i = 0; i < x->nsess; i++)
		if (x->sess[i] == s) {
			x->sess[i] = x->sess[--x->nsess];
			break;
		}
	rp_xtext_finish(&s->clip);
	rp_inlog_finish(&s->log);
	km_drop(s, s->nkm);
	free(s);
}

/* ---- frames from the host ---------------------------------------------- */

static void probes_shown(struct vx *x, struct xsess *s, uint32_t ack, uint64_t t_recv)
{
	uint64_t now = base_now_ns();

	for (unsigned i = 0; i < x->nawait; i++) {
		struct xprobe *p = &x->await[i];
		if (p->chan == s->chan && !p->t_shown && (int32_t)(ack - p->seq) >= 0) {
			p->t_recv = t_recv;
			p->t_shown = now;
		}
	}
}

bool vx_ack_may_wait(uint64_t gap_ns, long rtt_us)
{
	uint64_t sparse_ns = (uint64_t)VX_ACK_SPARSE_MS * 1000000;

	if (rtt_us <= 0)
		sparse_ns = (uint64_t)VX_ACK_SPARSE_UNMEASURED_MS * 1000000;
	else if ((uint64_t)rtt_us * 2000 > sparse_ns)
		sparse_ns = (uint64_t)rtt_us * 2000;
	return gap_ns >= sparse_ns;
}

void vx_set_rtt(struct vx *x, long rtt_us)
{
	x->rtt_us = rtt_us;
}

/* w's update frame is shown: acknowledged to the host, but for a sparse
 * one, which waits until VX_ACK_EVERY of the window's are shown and not
 * acknowledged, or the next one that is not sparse (a read-only view
 * acknowledges nothing). The one left unacknowledged costs the host
 * nothing: it reads for a viewer with fewer than RP_XUNACKED_MAX. */
static void send_ack(struct vx *x, struct xw *w)
{
	uint8_t buf[RP_HDR_SIZE + 8];
	long n = rp_xack_frame(buf, sizeof buf, w->s->chan, w->id, w->acked);

	if (n > 0)
		rp_conn_send(x->c.c, buf, (size_t)n);
	w->ack_sent = w->acked;
	w->ack_hold_until = 0;
}

static void shown(struct vx *x, struct xw *w, uint32_t frame)
{
	w->acked = frame;
	w->ack_due = false;
	if (x->c.readonly || (w->ack_may_wait && frame - w->ack_sent < VX_ACK_EVERY))
		return;
	if (w->ack_may_wait) { /* (VX_ACK_HOLD_MS) */
		if (!w->ack_hold_until)
			w->ack_hold_until = base_now_ms() + VX_ACK_HOLD_MS;
		return;
	}
	send_ack(x, w);
}

/* The XACKs held (VX_ACK_HOLD_MS) whose time has come, or all (now 0:
 * an input goes, and they with it). */
static void send_held_acks(struct vx *x, long now)
{
	for (unsigned i = 0; i < x->nwin; i++) {
		struct xw *w = x->win[i];
		if (w->ack_hold_until && (!now || now >= w->ack_hold_until))
			send_ack(x, w);
	}
}

static int on_pixels(struct vx *x, struct xsess *s, const uint8_t *p, uint32_t len,
		     uint64_t t_recv)
{
	struct rp_xpix head;
	size_t off;
	struct xw *w;
	uint64_t changes;
	uint32_t frame, ack;
	char err[200];
	int r;

	if (rp_xpix_decode(p, len, &head, &off) < 0)
		return -EPROTO;
	w = win_by_id(x, s, head.id);
	if (!w)
		return 0; /* one we do not draw */
	w->ack_may_wait = !w->update_ns || vx_ack_may_wait(t_recv - w->update_ns, x->rtt_us);
	w->update_ns = t_recv;
	if (!pixels_fit(x, w, head.w, head.h)) {
		fprintf(stderr, "%s: %s: window 0x%x grew to %ux%u: not shown any more\n",
				x->c.prog,
			s->name, head.id, head.w, head.h);
		remove_win(x, w);
		return 0;
	}
	r = ds_xsurf_update_with(w->surf, x->dec, p, len, err, sizeof err);
	if (r < 0) {
		snprintf(x->why, sizeof x->why, "bad pixels for window 0x%x of %s: %s", head.id,
			 s->name, err);
		return -EPROTO;
	}
	if (r == 0)
		return 0;
	ds_xsurf_shown(w->surf, &frame, &ack, &changes);
	if (changes != w->changes) {
		w->changes = changes;
		if (!x->mark_chan || (s->chan == x->mark_chan && (int32_t)(ack - x->mark_seq) >= 0))
			x->mark_changed = true;
		if (x->c.stats)
			probes_shown(x, s, ack, t_recv);
	}
	if (s->key_seq && (int32_t)(ack - s->key_seq) >= 0) {
		s->key_seq = 0;
		x->paint_now = true;
	}
	if (x->seamless) {
		/* Drawn now: acknowledged and timed here (no compositor). */
		ds_seamless_draw(x->c.b, w->wid);
		w->ack_due = true;
		vx_painted(x);
		return 0;
	} else if (w->overlay && ds_xsurf_updates(w->surf) == 1)
		place_overlay(x, w);
	/* Drawn when the compositor next paints; nothing to paint: drawn. */
	w->ack_due = true;
	if (!ds_xsurf_dirty(w->surf))
		shown(x, w, frame);
	return 0;
}

static void on_cursor(struct vx *x, const struct rp_xcursor *m)
{
	uint32_t *px = malloc((size_t)m->w * m->h * 4);

	if (!px)
		return;
	for (size_t i = 0; i < (size_t)m->w * m->h; i++) {
		const uint8_t *b = m->argb + i * 4; /* little-endian words */
		px[i] = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			(uint32_t)b[3] << 24;
	}
	free(x->cursor);
	x->cursor = px;
	x->cur_w = m->w;
	x->cur_h = m->h;
	x->cur_hx = m->xhot;
	x->cur_hy = m->yhot;
	if (x->seamless)
		ds_seamless_cursor(x->c.b, x->cursor, x->cur_w, x->cur_h, x->cur_hx, x->cur_hy);
	else if (x->cursor_x)
		ds_comp_cursor_shape(x->c.comp, x->cursor, x->cur_w, x->cur_h, x->cur_hx,
				     x->cur_hy);
}

static void probes_finish(struct vx *x, uint64_t now, bool painting, bool all);

static void on_timing(struct vx *x, struct xsess *s, const struct rp_xtiming *t)
{
	/* The host times one input, the press it answers (a release or a
	 * motion after it does not take its place: session_x11.c): its
	 * stages are that input's only. Given to the presses before it that
	 * the same pixels answer, they counted the time the host held the
	 * timed one (or the gap between two keys) as wire to host. */
	for (unsigned i = 0; i < x->nawait; i++)
		if (x->await[i].chan == s->chan && !x->await[i].host && x->await[i].seq == t->seq) {
			x->await[i].host = true;
			x->await[i].h = *t;
		}
	probes_finish(x, base_now_ns(), false, false);
}

bool vx_timing_split(uint32_t seq, uint64_t t_sent, uint64_t t_recv, const struct rp_xtiming *h,
		     uint64_t out[VX_SPLIT_N])
{
	/* Only the input it times, and only when the host's instants fall
	 * inside ours: one clock. */
	if (h->seq != seq || t_sent > h->t_input || h->t_input > h->t_injected ||
	    h->t_injected > h->t_damage || h->t_damage > h->t_read || h->t_read > h->t_encoded ||
	    h->t_encoded > h->t_sent || h->t_sent > t_recv)
		return false;
	const uint64_t sp[VX_SPLIT_N] = {h->t_input - t_sent,	     h->t_injected - h->t_input,
					 h->t_damage - h->t_injected, h->t_read - h->t_damage,
					 h->t_encoded - h->t_read,    h->t_sent - h->t_encoded,
					 t_recv - h->t_sent};
	memcpy(out, sp, sizeof sp);
	return true;
}

static uint64_t text_hash(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h ^ n;
}

/* The desk's selection, fetched when an X window took the focus: to the
 * host, if it is not what the host has. */
static void clip_to_host(struct vx *x, uint8_t sel, const char *text, size_t n)
{
	struct xsess *s = sess_by_chan(x, x->clip_chan[sel]);
	uint64_t h;
	char *utf8;

	if (!s || !text || !n || n > RP_XCLIP_MAX_BYTES || x->c.readonly)
		return;
	/* Any desk program's bytes (asked as UTF8_STRING, STRING's Latin-1
	 * from an old one): XCLIP's text is UTF-8, up to a NUL. */
	if (!(utf8 = xd_prop_desk_text((const uint8_t *)text, n, &n)))
		return;
	h = text_hash((const uint8_t *)utf8, n);
	if (n && n <= RP_XCLIP_MAX_BYTES && h != s->sel_hash[sel]) {
		s->sel_hash[sel] = h;
		s->clip_gen = ++x->gen; /* fetched again if the link drops */
		rp_xchunks_send(RP_XCLIP, s->chan, sel, utf8, (uint32_t)n, send_frame, x);
	}
	free(utf8);
}

static void got_clipboard(void *ctx, const char *text, size_t n)
{
	clip_to_host(ctx, RP_XSEL_CLIPBOARD, text, n);
}

static void got_primary(void *ctx, const char *text, size_t n)
{
	clip_to_host(ctx, RP_XSEL_PRIMARY, text, n);
}

/* The person went to an X window: what the desk's selections hold now
 * goes to its session (the clipboard follows the focus, as a paste there
 * comes after it). */
static void clip_follow(struct vx *x, struct xsess *s)
{
	struct ds_clip *clip = x->c.clip ? *x->c.clip : NULL;

	if (!clip || x->c.readonly)
		return;
	if (s->offers_due || s->offered[0] || s->offered[1]) {
		s->offer_follow = true;
		return;
	}
	for (int k = 0; k < 2; k++)
		if (x->offer[k].text && x->offer[k].chan == s->chan) {
			x->offer[k].follow = true; /* the newer of the two goes */
			return;
		}
	x->clip_chan[RP_XSEL_CLIPBOARD] = x->clip_chan[RP_XSEL_PRIMARY] = s->chan;
	ds_clip_get(clip, DS_CLIP_CLIPBOARD, got_clipboard, x);
	ds_clip_get(clip, DS_CLIP_PRIMARY, got_primary, x);
}

/* telly's desktop, having the desk's focus, focused X window w as the
 * host showed or raised it: the desk's copy goes to its session, as when
 * the person focuses it (once a session: a copy made while it keeps the
 * focus goes at once, vx_desk_copied). The host is not told the focus. */
static void focus_shown(struct vx *x, struct xw *w)
{
	struct xw *had = x->focus_wid ? win_by_wid(x, x->focus_wid) : NULL;

	if (x->seamless || !x->desk_focused || w->overlay || x->c.readonly ||
	    w->wid == x->focus_wid)
		return;
	x->focus_wid = w->wid;
	if (!had || had->s != w->s)
		clip_follow(x, w->s);
}

void vx_focus_back(struct vx *x)
{
	struct xw *w = x->seamless ? NULL : win_by_wid(x, x->c.wm->focus);

	x->desk_focused = !x->seamless;
	/* (seamless: its window's own focus is sl_focus) */
	if (!w || w->overlay || x->c.readonly)
		return;
	x->focus_wid = w->wid;
	clip_follow(x, w->s);
}

void vx_desk_copied(struct vx *x, enum ds_clip_sel sel)
{
	struct ds_clip *clip = x->c.clip ? *x->c.clip : NULL;
	struct xw *w = x->focus_wid ? win_by_wid(x, x->focus_wid) : NULL;
	uint8_t rsel = sel == DS_CLIP_PRIMARY ? RP_XSEL_PRIMARY : RP_XSEL_CLIPBOARD;

	/* The newest copy now: a host's one offered meanwhile is not taken
	 * over it (what waited for the offer goes). */
	if (x->offer[rsel].text) {
		struct xsess *s = sess_by_chan(x, x->offer[rsel].chan);
		bool follow = x->offer[rsel].follow;
		free(x->offer[rsel].text);
		x->offer[rsel].text = NULL;
		if (s && follow)
			clip_follow(x, s);
	}
	/* On telly's desktop the window must still be the one it focuses
	 * (the person may have gone to a terminal window since). */
	if (!clip || !w || x->c.readonly || (!x->seamless && x->c.wm->focus != w->wid))
		return;
	x->clip_chan[rsel] = w->s->chan;
	ds_clip_get(clip, sel, sel == DS_CLIP_PRIMARY ? got_primary : got_clipboard, x);
}

/* The desk's selection is age_ms old (-1: not known): the host's offer
 * is taken unless the desk's is newer (the newest copy wins; one whose
 * age is not known counts as older). A newer one of the desk's goes to
 * the host, as one copied meanwhile or a focus that came does. */
static void offer_settle(void *ctx, enum ds_clip_sel dsel, long age_ms)
{
	struct vx *x = ctx;
	uint8_t sel = dsel == DS_CLIP_PRIMARY ? RP_XSEL_PRIMARY : RP_XSEL_CLIPBOARD;
	struct ds_clip *clip = x->c.clip ? *x->c.clip : NULL;
	struct xsess *s = sess_by_chan(x, x->offer[sel].chan);
	char *text = x->offer[sel].text;
	size_t n = x->offer[sel].n;
	bool follow = x->offer[sel].follow;

	if (!text)
		return;
	x->offer[sel].text = NULL;
	if (s && clip && (age_ms < 0 || age_ms >= base_now_ms() - x->offer[sel].copied_at)) {
		s->sel_hash[sel] = text_hash((const uint8_t *)text, n);
		ds_clip_set(clip, dsel, text, n);
	} else {
		follow = true;
	}
	free(text);
	if (s && follow)
		clip_follow(x, s);
}

/* s's channel (re)started: the host's offers are told anew (an offer of
 * the channel before whose text never came is not awaited), and whether
 * the session ends with this view. */
static void offers_await(struct xsess *s)
{
	s->offered[0] = s->offered[1] = false;
	s->offers_due = true;
	s->ends_with = false;
}

/* A frame that comes after the host's offers to s (XCLIPAGE) came, or
 * an offer's text was taken: the desk's selections go if a focus waited
 * for that and nothing is left to weigh. */
static void offers_known(struct vx *x, struct xsess *s)
{
	s->offers_due = false;
	if (s->offer_follow && !s->offered[0] && !s->offered[1]) {
		s->offer_follow = false;
		clip_follow(x, s);
	}
}

/* The host offered text as selection sel of s (at attach or resume):
 * weighed against the desk's own once its age is known. */
static void offer_weigh(struct vx *x, struct xsess *s, uint8_t sel, char *text, size_t n)
{
	struct ds_clip *clip = *x->c.clip;
	bool follow = (x->offer[sel].text && x->offer[sel].follow) || s->offer_follow;

	s->offer_follow = false;
	free(x->offer[sel].text);
	x->offer[sel].text = text;
	x->offer[sel].n = n;
	x->offer[sel].chan = s->chan;
	x->offer[sel].copied_at = s->offer_at[sel];
	x->offer[sel].follow = follow;
	ds_clip_age(clip, sel == RP_XSEL_PRIMARY ? DS_CLIP_PRIMARY : DS_CLIP_CLIPBOARD, offer_settle,
		    x);
}

/* Where keymap i of s is once the first n are dropped (-1: gone). */
static int km_shift(int i, unsigned n)
{
	return i < (int)n ? -1 : i - (int)n;
}

/* The keymaps of s: the first n (the oldest) are no longer needed. */
static void km_drop(struct xsess *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(s->km[i].text);
	memmove(&s->km[0], &s->km[n], (s->nkm - n) * sizeof s->km[0]);
	s->nkm -= n;
	s->km_sent = km_shift(s->km_sent, n);
	s->ahead_km = km_shift(s->ahead_km, n);
	s->km_proven = km_shift(s->km_proven, n);
	s->ping_km = km_shift(s->ping_km, n);
	s->km_kept = km_shift(s->km_kept, n);
}

/* The desk's keymap now is that of s's inputs from the next seq on. */
static void km_note(struct vx *x, struct xsess *s)
{
	size_t n;
	const char *text;
	char *copy;
	char err[200];

	/* Made with the first X session: a terminal-only view needs none. */
	if (!x->keymap && !(x->keymap = ds_keymap_create(x->c.b, err, sizeof err))) {
		fprintf(stderr, "%s: %s: keys cannot be sent: %s\n", x->c.prog, s->name, err);
		return;
	}
	text = ds_keymap_text(x->keymap, &n);
	if (n > RP_XKEYMAP_MAX_BYTES)
		return;
	if (s->nkm && s->km[s->nkm - 1].n == n && !memcmp(s->km[s->nkm - 1].text, text, n))
		return;
	if (!(copy = malloc(n ? n : 1)))
		return;
	memcpy(copy, text, n);
	/* No input typed with the last one (or none kept to send again): it
	 * is replaced. */
	if (s->nkm && (s->km[s->nkm - 1].seq == s->seq || !s->resumable)) {
		int *at[] = {&s->km_sent, &s->ahead_km, &s->km_proven, &s->ping_km, &s->km_kept};
		for (unsigned i = 0; i < sizeof at / sizeof at[0]; i++)
			if (*at[i] == (int)s->nkm - 1)
				*at[i] = -1;
		free(s->km[--s->nkm].text);
	}
	if (s->nkm == VX_KEYMAPS_MAX) {
		fprintf(stderr, "%s: %s: the keymap changed more than %d times while the "
				"link was down: keys typed with the oldest are read with the next\n",
				x->c.prog,
			s->name, VX_KEYMAPS_MAX);
		km_drop(s, 1);
	}
	s->km[s->nkm].seq = s->seq;
	s->km[s->nkm].text = copy;
	s->km[s->nkm++].n = n;
}

/* s's keymap i to the host, unless it was the last one sent there. */
static void km_send(struct vx *x, struct xsess *s, int i)
{
	if (i < 0 || i >= (int)s->nkm || i == s->km_sent || x->c.readonly)
		return;
	if (rp_xchunks_send(RP_XKEYMAP, s->chan, 0, s->km[i].text, (uint32_t)s->km[i].n,
			    send_frame, x) == 0)
		s->km_sent = i;
}

/* Input seq of s goes: the keymap it was typed with goes first. */
static void km_before(struct vx *x, struct xsess *s, uint32_t seq)
{
	int i = (int)s->nkm - 1;

	while (i > 0 && (int32_t)(seq - s->km[i].seq) <= 0)
		i--;
	km_send(x, s, i);
}

/* The desk's keymap, noted; sent now unless input typed with another
 * waits to go first (its keymap goes before it, this one after). */
static void send_keymap(struct vx *x, struct xsess *s)
{
	if (x->c.readonly)
		return;
	km_note(x, s);
	if (!x->link_down && s->chan && !s->resuming && !s->backlog)
		km_send(x, s, (int)s->nkm - 1);
}

/* A window's shape (XSHAPE): the desk's own window takes it (seamless:
 * bounding and input, its X server does the rest), or telly's desktop
 * draws only what of it is inside its bounding shape, and what is below
 * shows through; a click (and the focus it gives) outside either shape
 * goes to what is below (winmgr's wm_at asks wm_lets_through). */
/* A point of w (in it) that its shapes let through to what is below:
 * outside its bounding or its input shape, as X takes a click. */
static bool shape_lets_through(const struct xw *w, int px, int py)
{
	for (int k = 0; k < 2; k++)
		if (w->shape[k] && !pixman_region32_contains_point(w->shape[k], px, py, NULL))
			return true;
	return false;
}

static bool wm_lets_through(void *ctx, uint32_t wid, int px, int py)
{
	struct xw *w = win_by_wid(ctx, wid);

	return w && shape_lets_through(w, px, py);
}

/* Shape kind of w kept for telly's desktop's clicks (r NULL: none). */
static void keep_shape(struct vx *x, struct xw *w, int kind, const pixman_region32_t *r)
{
	pixman_region32_t *k = r ? ds_region_dup(r) : NULL;

	ds_region_free(w->shape[kind]);
	w->shape[kind] = k;
	wm_set_through(x->c.wm, wm_lets_through, x);
}

static void on_shape(struct vx *x, struct xsess *s, const struct rp_xshape *m)
{
	struct xw *w = win_by_id(x, s, m->id);
	pixman_box32_t *boxes = NULL;
	pixman_region32_t r;

	if (!w || (m->n && !(boxes = malloc(m->n * sizeof *boxes))))
		return;
	for (uint16_t i = 0; i < m->n; i++) {
		struct rp_xshape_rect b = rp_xshape_rect_at(m, i);
		boxes[i] = (pixman_box32_t){b.x, b.y, b.x + b.w, b.y + b.h};
	}
	pixman_region32_init_rects(&r, boxes, m->n);
	if (x->seamless) {
		ds_seamless_shape(x->c.b, w->wid, m->kind == RP_XSHAPE_INPUT, m->shaped ? &r : NULL);
	} else {
		if (m->kind == RP_XSHAPE_BOUNDING)
			ds_comp_x_shape(x->c.comp, w->wid, m->shaped ? &r : NULL);
		keep_shape(x, w, m->kind == RP_XSHAPE_INPUT, m->shaped ? &r : NULL);
	}
	pixman_region32_fini(&r);
	free(boxes);
}

/* Does a host's text about s name s already: a notice that starts with
 * "NAME:" (as a terminal session's do), an answer that says "session
 * NAME" ("no session NAME: it ended 3 s ago ...")? */
static bool names_sess(const struct xsess *s, const char *t, size_t n)
{
	size_t k = strlen(s->name);
	char phrase[RP_MAX_NAME + 16];

	if (n > k && !memcmp(t, s->name, k) && t[k] == ':')
		return true;
	int pn = snprintf(phrase, sizeof phrase, "session %s", s->name);
	for (const char *at = t, *end = t + n;
	     (at = memmem(at, (size_t)(end - at), phrase, (size_t)pn)) != NULL; at++) {
		const char *after = at + pn;
		if (after == end || (*after && strchr(" :,)", *after)))
			return true;
	}
	return false;
}

/* The host's words about s, on stderr: the session named once (a view
 * shows several, so it is named when the host did not). */
static void say_host(const struct vx *x, const struct xsess *s, const char *raw, size_t rn)
{
	/* Cleaned as titles are: the host's words must not retitle or
	 * redraw the desk's terminal (an escape sequence). */
	char t[VX_HOST_WORDS_MAX];
	size_t n = ds_text_clean(raw, rn, t, sizeof t);

	if (names_sess(s, t, n))
		fprintf(stderr, "%s: %s\n", x->c.prog, t);
	else
		fprintf(stderr, "%s: %s: %s\n", x->c.prog, s->name, t);
}

static int on_chan_frame(struct vx *x, struct xsess *s, const struct rp_hdr *h, const uint8_t *p)
{
	uint64_t t_recv = base_now_ns();
	uint32_t id;

	switch (h->type) {
	case RP_XWIN: {
		struct rp_xwin m;
		if (rp_xwin_decode(p, h->len, &m) < 0)
			return -EPROTO;
		if (s->offers_due)
			offers_known(x, s);
		/* The keymap once the display runs (a window shows it does):
		 * keys only ever go to windows. */
		if (!s->keymap_sent) {
			s->keymap_sent = true;
			send_keymap(x, s);
			send_held(x, s); /* after the keymap they need */
		}
		on_xwin(x, s, &m);
		return 1;
	}
	case RP_XGONE: {
		struct xw *w;
		if (rp_xid_decode(p, h->len, &id) < 0)
			return -EPROTO;
		if ((w = win_by_id(x, s, id)))
			remove_win(x, w);
		for (unsigned i = 0; i < s->nhidden; i++)
			if (s->hidden[i] == id)
				s->hidden[i--] = s->hidden[--s->nhidden];
		return 1;
	}
	case RP_XPIXELS:
		return on_pixels(x, s, p, h->len, t_recv) < 0 ? -EPROTO : 1;
	case RP_XCURSOR: {
		struct rp_xcursor m;
		if (rp_xcursor_decode(p, h->len, &m) < 0)
			return -EPROTO;
		if (s->offers_due)
			offers_known(x, s);
		on_cursor(x, &m);
		return 1;
	}
	case RP_XSHAPE: {
		struct rp_xshape m;
		if (rp_xshape_decode(p, h->len, &m) < 0)
			return -EPROTO;
		on_shape(x, s, &m);
		return 1;
	}
	case RP_XOUTPUT: {
		/* What the session's first program printed (telly x asks for
		 * it, RP_CAP_XOUTPUT): on our own stdout or stderr, as ssh -X
		 * prints it; a slow reader holds none of the view (vx_out_put). */
		struct rp_xoutput m;
		uint64_t gap;
		if (rp_xoutput_decode(p, h->len, &m) < 0)
			return -EPROTO;
		int i = m.stream == RP_XOUT_STDERR;
		/* Once each: what a resume sends again that it had is skipped. */
		uint32_t skip = rp_xoutput_place(&s->out_got[i], &m, &gap);
		x->out_came += m.n;
		x->out_again += skip;
		vx_out_put(&x->out[i], m.p + skip, m.n - skip, gap);
		vx_out_flush(&x->out[i], 1 + i);
		return 1;
	}
	case RP_XTIMING: {
		struct rp_xtiming m;
		if (rp_xtiming_decode(p, h->len, &m) < 0)
			return -EPROTO;
		on_timing(x, s, &m);
		return 1;
	}
	case RP_XCLIP: {
		struct rp_xchunk c;
		int r;
		if (rp_xchunk_decode(p, h->len, RP_XCLIP_MAX_BYTES, &c) < 0 || c.sel > RP_XSEL_PRIMARY)
			return -EPROTO;
		r = rp_xtext_add(&s->clip, &c);
		if (r == -EPROTO)
			return -EPROTO;
		if (r == 1) {
			/* The host's selection changed: the desk's takes it. */
			struct ds_clip *clip = x->c.clip ? *x->c.clip : NULL;
			uint8_t sel = s->clip.sel;
			size_t n;
			/* Given to desk programs as UTF8_STRING: only as valid
			 * UTF-8, whatever the host sent. */
			char *utf8 = xd_prop_sel_text(s->clip.buf, s->clip.total, XD_SEL_UTF8, &n);
			uint64_t hash = utf8 ? text_hash((const uint8_t *)utf8, n) : 0;
			bool offered = s->offered[sel];
			s->offered[sel] = false;
			if (!clip || !utf8 || !offered) {
				s->sel_hash[sel] = hash;
				if (clip && utf8)
					ds_clip_set(clip, sel == RP_XSEL_PRIMARY ? DS_CLIP_PRIMARY
										 : DS_CLIP_CLIPBOARD,
						    utf8, n);
				free(utf8);
			} else if (hash != s->sel_hash[sel]) {
				offer_weigh(x, s, sel, utf8, n); /* takes utf8 */
			} else {
				free(utf8); /* what it has */
			}
			free(s->clip.buf);
			memset(&s->clip, 0, sizeof s->clip);
			offers_known(x, s);
		}
		return 1;
	}
	case RP_XCLIPAGE: {
		uint8_t sel;
		uint32_t age;
		if (rp_xclipage_decode(p, h->len, &sel, &age) < 0)
			return -EPROTO;
		s->offered[sel] = true;
		s->offer_at[sel] = base_now_ms() - (long)age;
		return 1;
	}
	case RP_TOKEN: {
		const uint8_t *tok;
		if (rp_token_decode(p, h->len, &tok) < 0)
			return -EPROTO;
		memcpy(s->token, tok, sizeof s->token);
		s->resumable = true;
		s->host_keeps = rp_conn_peer_caps(x->c.c) & RP_CAP_XKEPT;
		return 1;
	}
	case RP_XMOVERESIZE: {
		/* Its program drags its window (a GTK header bar): this
		 * desk's window manager does it; telly's desktop does not. */
		struct xw *w;
		uint8_t dir, button;
		if (rp_xmoveresize_decode(p, h->len, &id, &dir, &button) < 0)
			return -EPROTO;
		if (x->seamless && (w = win_by_id(x, s, id)) && !w->overlay)
			ds_seamless_moveresize(x->c.b, w->wid, dir, button);
		return 1;
	}
	case RP_XLASTS: {
		bool ends;
		int32_t status;
		if (rp_xlasts_decode(p, h->len, &ends, &status) < 0)
			return -EPROTO;
		s->ends_with = ends;
		s->ends_status = status < 0 || status > 255 ? 255 : status;
		return 1;
	}
	case RP_EXIT: {
		int32_t status;
		if (rp_exit_decode(p, h->len, &status) == 0)
			x->last_exit = status < 0 || status > 255 ? 255 : status;
		remove_sess(x, s);
		return 1;
	}
	case RP_NOTICE: {
		struct rp_str t;
		if (rp_notice_decode(p, h->len, &t) == 0)
			say_host(x, s, t.p, t.n);
		return 1;
	}
	case RP_ERROR: {
		struct rp_error e;
		if (rp_error_decode(p, h->len, &e) < 0)
			return -EPROTO;
		say_host(x, s, e.msg.p, e.msg.n);
		if (h->flags & RP_F_FATAL)
			remove_sess(x, s);
		return 1;
	}
	default:
		return 1; /* a newer host's; nothing here needs it */
	}
}

int vx_frame(struct vx *x, const struct rp_hdr *h, const uint8_t *p)
{
	struct xsess *s = sess_by_chan(x, h->chan);
	uint32_t req;
	struct rp_str name;
	struct rp_error e;
	int r;

	if (s) {
		r = on_chan_frame(x, s, h, p);
		if (r < 0 && !x->why[0])
			snprintf(x->why, sizeof x->why, "malformed %s frame from the server",
				 rp_type_name(h->type));
		return r;
	}
	if (h->type == RP_RESUMED)
		return xlink_resumed(x, h, p);
	if (h->type == RP_OK && rp_req_str_decode(p, h->len, &req, &name) == 0) {
		for (unsigned i = 0; i < x->nsess; i++) {
			s = x->sess[i];
			if (!s->chan && s->req == req && h->chan) {
				s->chan = h->chan;
				s->req = 0;
				s->relinking = false;
				s->out_got[0] = s->out_got[1] = 0; /* (numbered anew) */
				offers_await(s);
				screen_send(x, s); /* the desk changed while it opened */
				return 1;
			}
		}
	}
	if (h->type == RP_ERROR && !h->chan && rp_error_decode(p, h->len, &e) == 0 && e.req) {
		for (unsigned i = 0; i < x->nsess; i++) {
			s = x->sess[i];
			if (!s->chan && s->req == e.req) {
				say_host(x, s, e.msg.p, e.msg.n);
				x->refused |= !s->resuming;
				/* It ended before this view came (a program that could
				 * not run, in telly x's race): its status is ours. */
				if (!s->resuming && e.code >= RP_E_ENDED && e.code <= RP_E_ENDED + 255)
					x->last_exit = e.code - RP_E_ENDED;
				if (s->resuming)
					xlink_refused(x, s);
				else
					remove_sess(x, s);
				return 1;
			}
		}
	}
	return 0;
}

/* ---- what the person does ---------------------------------------------- */

void vx_action(struct vx *x, const struct wm_action *a, const struct ds_event *key)
{
	struct xw *w = a->window >= VX_ID_BASE ? win_by_wid(x, a->window) : NULL;

	switch (a->type) {
	case WM_ACT_GEOMETRY:
		if (!w || x->applying_host)
			break;
		{
			struct wm_box in = wm_client_box(x->c.wm, &a->box);
			uint8_t what = 0;
			if (a->box.x != w->hx || a->box.y != w->hy)
				what |= RP_XCONF_MOVE;
			if (in.w != w->hw || in.h != w->hh)
				what |= RP_XCONF_SIZE;
			if (what)
				send_configure(x, w, what, &a->box);
			replace_overlays(x, w->s);
		}
		break;
	case WM_ACT_FOCUS:
		/* Only the person's focus goes to the host: a window shown as
		 * it is (a view starting) must not take the focus from, say, an
		 * open menu, which would close it. The desk's copy follows it
		 * all the same while the desktop has the desk's focus: a view
		 * started on one X window has the focus before the window comes,
		 * and the person then types into it without focusing anything. */
		if (w && x->applying_host)
			focus_shown(x, w);
		if (!w || x->c.readonly || x->applying_host)
			break;
		send_id(x, RP_XFOCUS, w);
		x->focus_wid = w->wid;
		clip_follow(x, w->s);
		{
			const struct wm_window *ww = wm_find(x->c.wm, w->wid);
			if (ww)
				send_configure(x, w, RP_XCONF_RAISE, &ww->box);
		}
		/* A dialog stays above the window it belongs to. */
		for (unsigned i = 0; i < x->nwin; i++) {
			struct xw *t = x->win[i];
			if (t->s == w->s && !t->overlay && t->transient_for == w->id) {
				struct wm_actions o = {0};
				wm_focus(x->c.wm, t->wid, &o);
				apply_own(x, &o);
				break;
			}
		}
		break;
	case WM_ACT_KEY: {
		uint8_t codes[8];
		int n;
		if (w)
			mark_reset(x);
		if (!w || (key ? key_watching(x, key->keysym, (uint8_t)key->keycode) : vx_watching(x)) ||
		    !key || !x->keymap)
			break;
		uint64_t t_key = key->time_us ? key->time_us * 1000 : base_now_ns();
		if (key->keycode) {
			carry_mods(x, w, (uint8_t)key->keycode, key->mods, t_key);
			send_key(x, w, (uint8_t)key->keycode, true, key->locks, t_key);
			note_down(x, w, (uint8_t)key->keycode);
			break;
		}
		/* From a script: press and release, modifiers around. */
		n = ds_keymap_keys(x->keymap, key->keysym, key->mods, codes, 8);
		for (int i = 0; i < n; i++)
			send_key(x, w, codes[i], true, -1, t_key);
		for (int i = n; i-- > 0;)
			send_key(x, w, codes[i], false, -1, t_key);
		break;
	}
	case WM_ACT_CLOSE:
		if (w && !x->c.readonly)
			send_id(x, RP_XCLOSE, w);
		break;
	default:
		break; /* the desk's own (new terminal, copy, paste...) */
	}
}

void vx_keymap_changed(struct vx *x)
{
	ds_keymap_destroy(x->keymap);
	x->keymap = NULL; /* made again from the backend's new one */
	for (unsigned i = 0; i < x->nsess; i++) /* noted while the link is down too */
		if (x->sess[i] && x->sess[i]->nkm)
			send_keymap(x, x->sess[i]);
}

void vx_key_release(struct vx *x, const struct ds_event *ev)
{
	key_up(x, (uint8_t)ev->keycode);
}

void vx_blur(struct vx *x)
{
	x->focus_wid = 0;
	x->desk_focused = false;
	while (x->ndown)
		lift_at(x, 0);
	vx_flush_input(x);
}

void vx_script_key(struct vx *x, uint32_t wid, uint32_t keysym, uint32_t mods, bool down)
{
	struct xw *w = wid >= VX_ID_BASE ? win_by_wid(x, wid) : NULL;
	uint8_t codes[8];
	int n;

	if (w && down)
		mark_reset(x);
	if (!w || (down && vx_watching(x)) || x->c.readonly || !x->keymap)
		return;
	n = ds_keymap_keys(x->keymap, keysym, mods, codes, 8);
	if (down)
		for (int i = 0; i < n; i++)
			send_key(x, w, codes[i], true, -1, base_now_ns());
	else
		for (int i = n; i-- > 0;)
			send_key(x, w, codes[i], false, -1, 0);
}

/* The X window under the pointer and the point in it: a button's grab,
 * else the topmost menu, else a framed window's client area. */
static struct xw *target(struct vx *x, int *rx, int *ry)
{
	int px = (int)x->c.wm->cx, py = (int)x->c.wm->cy, ox, oy, w, h;
	struct xw *best = x->grab;
	const struct wm_window *ww;
	enum wm_part part;

	/* Menus above everything; the newest on top. */
	for (unsigned i = 0; !x->grab && i < x->nwin; i++) {
		if (!x->win[i]->overlay || !ds_xsurf_updates(x->win[i]->surf))
			continue;
		overlay_origin(x, x->win[i], &ox, &oy);
		ds_xsurf_size(x->win[i]->surf, &w, &h);
		if (px >= ox && py >= oy && px < ox + w && py < oy + h &&
		    !shape_lets_through(x->win[i], px - ox, py - oy))
			best = x->win[i];
	}
	if (!best) {
		ww = wm_at(x->c.wm, px, py, &part, NULL);
		if (!ww || ww->id < VX_ID_BASE || part != WM_PART_CLIENT)
			return NULL;
		best = win_by_wid(x, ww->id);
		if (!best)
			return NULL;
	}
	if (best->overlay) {
		overlay_origin(x, best, &ox, &oy);
	} else {
		if (!(ww = wm_find(x->c.wm, best->wid)))
			return NULL;
		struct wm_box in = wm_client_box(x->c.wm, &ww->box);
		ox = in.x;
		oy = in.y;
	}
	*rx = px - ox;
	*ry = py - oy;
	return best;
}

static void show_cursor(struct vx *x, bool host)
{
	if (host == x->cursor_x || (host && !x->cursor))
		return;
	x->cursor_x = host;
	if (host)
		ds_comp_cursor_shape(x->c.comp, x->cursor, x->cur_w, x->cur_h, x->cur_hx, x->cur_hy);
	else
		ds_comp_cursor_shape(x->c.comp, NULL, 0, 0, 0, 0);
}

void vx_pointer(struct vx *x)
{
	int rx, ry;
	struct xw *w = x->c.wm->drag ? NULL : target(x, &rx, &ry);

	show_cursor(x, w != NULL);
	x->under = w;
	if (!w || x->c.readonly || (w == x->under && rx == x->px && ry == x->py && !x->held))
		return;
	x->px = rx;
	x->py = ry;
	send_pointer(x, w, rx, ry, RP_XPTR_MOTION, 0);
}

bool vx_button(struct vx *x, const struct ds_event *ev)
{
	unsigned bit = ev->button >= 1 && ev->button <= 9 ? 1u << ev->button : 0;
	int rx, ry;
	struct xw *w;

	if (!bit)
		return false;
	if (!ev->pressed && !(x->held & bit))
		return false; /* its press was the desk's */
	w = target(x, &rx, &ry);
	if (!w)
		return false;
	/* A release starts nothing new to wait for: its press did. */
	if (ev->pressed)
		mark_reset(x);
	if (ev->pressed && !w->overlay && x->c.wm->focus != w->wid) {
		struct wm_actions o = {0};
		wm_focus(x->c.wm, w->wid, &o);
		apply_own(x, &o);
	}
	if (ev->pressed) {
		x->held |= bit;
		x->grab = w;
	} else {
		x->held &= ~bit;
		if (!x->held)
			x->grab = NULL;
	}
	if (!(ev->pressed ? vx_watching(x) : x->c.readonly))
		send_pointer(x, w, rx, ry, ev->pressed ? RP_XPTR_PRESS : RP_XPTR_RELEASE,
			     ev->button);
	return true;
}

/* ---- seamless: what the person does to the desk's own windows ---- */

static void sl_key(void *ctx, uint32_t id, uint8_t keycode, uint32_t mods, bool pressed,
		   int locks)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);

	if (!pressed) {
		key_up(x, keycode); /* where the press went, if it went */
		return;
	}
	if (w && !key_watching(x, 0, keycode)) {
		uint64_t t_key = base_now_ns();
		carry_mods(x, w, keycode, mods, t_key);
		send_key(x, w, keycode, pressed, locks, t_key);
		note_down(x, w, keycode);
	}
}

static void sl_pointer(void *ctx, uint32_t id, int px, int py, int button, int kind)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);

	/* Buttons past 9 (a mouse's extra ones) are not XPOINTER's: sent, the
	 * host would take the frame for malformed and drop the connection. */
	if (!w || (kind == 1 && vx_watching(x)) || x->c.readonly ||
	    (kind && (button < 1 || button > 9)))
		return;
	/* A click raises the window, on the desk (as most desks do; with no
	 * window manager, this does) and on the host, which keeps the order
	 * for a view attached again. A wheel turn does not. */
	if (kind == 1 && button >= 1 && button <= 3 && !w->overlay) {
		struct xw *order[VX_WINDOWS];
		unsigned n = sess_order(x, w->s, false, order);
		ds_seamless_raise(x->c.b, w->wid);
		if (n && order[n - 1] != w)
			send_configure(x, w, RP_XCONF_RAISE, &(struct wm_box){w->hx, w->hy, 1, 1});
	}
	send_pointer(x, w, px, py,
		     kind == 1 ? RP_XPTR_PRESS : kind == 2 ? RP_XPTR_RELEASE : RP_XPTR_MOTION,
		     kind ? button : 0);
}

static void sl_configure(void *ctx, uint32_t id, int cx, int cy, int cw, int ch)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);
	uint8_t buf[RP_HDR_SIZE + 16], what = 0;
	long n;

	if (!w || w->overlay || x->c.readonly)
		return;
	if (cx != w->hx || cy != w->hy)
		what |= RP_XCONF_MOVE;
	if (xconf_dim(cw) != w->hw || xconf_dim(ch) != w->hh)
		what |= RP_XCONF_SIZE;
	if (!what)
		return;
	struct rp_xconfigure m = {.id = w->id, .what = what, .x = (int16_t)cx, .y = (int16_t)cy,
				  .w = xconf_dim(cw), .h = xconf_dim(ch)};
	n = rp_xconfigure_frame(buf, sizeof buf, w->s->chan, &m);
	if (n > 0)
		rp_conn_send(x->c.c, buf, (size_t)n);
	w->hx = cx;
	w->hy = cy;
	w->hw = m.w;
	w->hh = m.h;
}

/* A read-only view's window closed on the desk: the watcher's "stop
 * showing me this". Hidden in this view only (its menus and dialogs
 * too), said once; every window closed, the view has nothing the person
 * wants shown and ends (vx_all_hidden). */
static void hide_win(struct vx *x, struct xw *w)
{
	struct xsess *s = w->s;
	uint32_t id = w->id;

	if (s->nhidden < VX_WINDOWS)
		s->hidden[s->nhidden++] = id;
	remove_win(x, w);
	for (unsigned i = 0; i < x->nwin;) /* (each removal may take others) */
		if (x->win[i]->s == s && x->win[i]->transient_for == id) {
			hide_win(x, x->win[i]);
			i = 0;
		} else
			i++;
	if (!x->told_hidden)
		fprintf(stderr, "%s: read-only (-r): a window closed here is hidden in this view "
				"only; its program runs on\n",
			x->c.prog);
	x->told_hidden = true;
	x->all_hidden = true;
	for (unsigned i = 0; i < x->nwin; i++)
		if (!x->win[i]->overlay)
			x->all_hidden = false;
}

bool vx_all_hidden(const struct vx *x)
{
	return x && x->all_hidden;
}

static void sl_close(void *ctx, uint32_t id)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);

	if (w && !x->c.readonly)
		send_id(x, RP_XCLOSE, w);
	else if (w && !w->overlay)
		hide_win(x, w);
}

/* Another program destroyed a window on the desk (xdotool windowclose;
 * the backend has made it again): the desk's strongest close. Under
 * ssh -X the program loses its window and ends; here it is asked as the
 * window manager's close asks (a program that keeps its window, to ask
 * "save?", keeps it on the desk too), and a watcher's is hidden. Said
 * once: nobody at the desk may have closed it. */
static void sl_destroyed(void *ctx, uint32_t id)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);

	if (!w || w->overlay)
		return;
	/* (a watcher's is hidden, which hide_win says) */
	if (!x->told_destroyed && !x->c.readonly)
		fprintf(stderr, "%s: %s: window \"%s\" destroyed on the desk by another program: "
				"its program is asked to close it\n",
			x->c.prog, w->s->name, w->title);
	x->told_destroyed = true;
	sl_close(ctx, id);
}

static void sl_focus(void *ctx, uint32_t id)
{
	struct vx *x = ctx;
	struct xw *w = win_by_wid(x, id);

	if (w && !w->overlay && !x->c.readonly) {
		send_id(x, RP_XFOCUS, w);
		x->focus_wid = w->wid;
		clip_follow(x, w->s);
	}
}

/* The desk restacked its windows (ids: bottom to top): each session's
 * host follows, raised in turn from the first window whose place differs
 * from the host's order. The host's own restacking, which the desk
 * followed, leaves the two orders equal and sends nothing back. */
static void sl_restacked(void *ctx, const uint32_t *ids, unsigned n)
{
	struct vx *x = ctx;
	struct xsess *done[VX_SESSIONS];
	unsigned ndone = 0;

	if (x->c.readonly)
		return;
	for (unsigned i = 0; i < n; i++) {
		struct xw *w = win_by_wid(x, ids[i]), *desk[VX_WINDOWS], *host[VX_WINDOWS];
		unsigned nd = 0, nh = 0, d = 0, k;
		if (!w || w->overlay)
			continue;
		for (k = 0; k < ndone && done[k] != w->s; k++)
			;
		if (k < ndone || ndone == VX_SESSIONS)
			continue;
		done[ndone++] = w->s;
		for (unsigned j = i; j < n; j++) {
			struct xw *o = win_by_wid(x, ids[j]);
			if (o && o->s == w->s && !o->overlay)
				desk[nd++] = o;
		}
		/* The host's order of the same windows. */
		for (unsigned j = 0; j < x->nwin; j++)
			for (k = 0; k < nd; k++)
				if (x->win[j] == desk[k]) {
					host[nh++] = x->win[j];
					break;
				}
		while (d < nd && d < nh && desk[d] == host[d])
			d++;
		for (; d < nd; d++)
			send_configure(x, desk[d], RP_XCONF_RAISE,
				       &(struct wm_box){desk[d]->hx, desk[d]->hy, 1, 1});
	}
}

/* The desk display's screen changed (RANDR): the host's follows. */
static void sl_screen(void *ctx, int w, int h)
{
	struct vx *x = ctx;

	if (w <= 0 || h <= 0)
		return;
	x->seamless_w = (unsigned)w;
	x->seamless_h = (unsigned)h;
	vx_desk_resized(x);
}

static const struct ds_seamless_ops seamless_ops = {
	.key = sl_key, .pointer = sl_pointer, .configure = sl_configure, .close = sl_close,
	.destroyed = sl_destroyed, .focus = sl_focus, .restacked = sl_restacked, .screen = sl_screen,
};

bool vx_take_paint_now(struct vx *x)
{
	bool r = x->paint_now;

	x->paint_now = false;
	return r;
}

void vx_painted(struct vx *x)
{
	uint64_t now = base_now_ns();

	for (unsigned i = 0; i < x->nwin; i++) {
		struct xw *w = x->win[i];
		uint32_t frame;
		if (!w->ack_due || ds_xsurf_dirty(w->surf))
			continue;
		ds_xsurf_shown(w->surf, &frame, NULL, NULL);
		shown(x, w, frame);
	}
	if (x->c.stats)
		probes_finish(x, now, true, false);
}

/* Inputs whose answer is painted become samples, with the host's
 * stages once its XTIMING came (or it waited VX_TIMING_WAIT_NS for
 * them, or the view ends: all). painting: the shown ones were painted now. */
static void probes_finish(struct vx *x, uint64_t now, bool painting, bool all)
{
	for (unsigned i = 0; i < x->nawait;) {
		struct xprobe *p = &x->await[i];
		if (!p->t_shown) {
			if (now - p->t_sent > VX_PROBE_MAX_AGE_NS)
				goto drop;
			i++;
			continue;
		}
		if (painting && !p->t_painted)
			p->t_painted = now;
		if (!p->t_painted ||
		    (!p->host && !all && now - p->t_painted < VX_TIMING_WAIT_NS)) {
			i++;
			continue;
		}
		if (x->nsamples < VX_SAMPLES_MAX) {
			uint64_t st[XS_N] = {p->t_sent - p->t_key, p->t_recv - p->t_sent,
					     p->t_shown - p->t_recv, p->t_painted - p->t_shown,
					     p->t_painted - p->t_key};
			for (int k = 0; k < XS_N; k++)
				x->samples[k][x->nsamples] = st[k];
			x->nsamples++;
		}
		uint64_t sp[VX_SPLIT_N];
		if (p->host && x->nsplit < VX_SAMPLES_MAX &&
		    vx_timing_split(p->seq, p->t_sent, p->t_recv, &p->h, sp)) {
			for (int k = 0; k < VX_SPLIT_N; k++)
				x->split[k][x->nsplit] = sp[k];
			x->nsplit++;
		}
	drop:
		*p = x->await[--x->nawait];
	}
}

bool vx_drawn(const struct vx *x)
{
	for (unsigned i = 0; i < x->nsess; i++) {
		const struct xsess *s = x->sess[i];
		unsigned drawn = 0;
		if (!s->chan)
			return false;
		for (unsigned k = 0; k < x->nwin; k++)
			drawn += x->win[k]->s == s && (ds_xsurf_updates(x->win[k]->surf) > 0 ||
							x->win[k]->over_bound); /* its notice */
		if (drawn < s->listed_windows)
			return false;
	}
	return true;
}

uint32_t vx_find(const struct vx *x, const char *text)
{
	for (unsigned i = x->nwin; i-- > 0;) {
		const struct xw *w = x->win[i];
		if (!w->overlay && ds_xsurf_updates(w->surf) && strstr(w->title, text))
			return w->wid;
	}
	return 0;
}

bool vx_not_shown(const struct vx *x, const char *text, char *why, size_t n)
{
	for (unsigned i = x->nwin; i-- > 0;) {
		const struct xw *w = x->win[i];
		if (!w->overlay && w->over_bound && !ds_xsurf_updates(w->surf) &&
		    strstr(w->title, text)) {
			snprintf(why, n, "window 0x%x \"%s\" of %s (%dx%d) is not shown: " VX_OVER_BOUND,
				 w->id, w->title, w->s->name, w->hw, w->hh);
			return true;
		}
	}
	return false;
}

bool vx_updated(const struct vx *x)
{
	return x->mark_changed;
}

const char *vx_title(const struct vx *x, uint32_t id)
{
	const struct xw *w = id >= VX_ID_BASE ? win_by_wid(x, id) : NULL;

	return w ? w->title : NULL;
}

static void print_pct(const char *name, uint64_t *s, size_t n)
{
	telly_sort_u64(s, n);
	fprintf(stderr, "  %-22s p50 %8.1f  p90 %8.1f  p99 %8.1f\n", name, telly_pct_us(s, n, 0.5),
		telly_pct_us(s, n, 0.9), telly_pct_us(s, n, 0.99));
}

void vx_print_stats(struct vx *x)
{
	static const char *const names[XS_N] = {
		"input to XKEY", "wire+host+wire", "pixels applied", "composite", "total",
	};
	static const char *const split_names[VX_SPLIT_N] = {
		"  wire to host", "  host to injected", "  program to damage", "  capture",
		"  encode", "  queued", "  wire back",
	};

	probes_finish(x, base_now_ns(), false, true); /* painted, their timing or not */
	if (x->out_came)
		fprintf(stderr, "%s: the program's output: %llu bytes came, %llu of them again\n",
			x->c.prog, (unsigned long long)x->out_came, (unsigned long long)x->out_again);
	if (!x->nsamples) {
		if (x->nsess)
			fprintf(stderr, "%s: X keystroke-to-pixel: no samples\n", x->c.prog);
		return;
	}
	fprintf(stderr, "%s: X keystroke-to-pixel, %zu keys (us):\n", x->c.prog, x->nsamples);
	for (int k = 0; k < XS_N; k++) {
		print_pct(names[k], x->samples[k], x->nsamples);
		if (k == XS_REMOTE && x->nsplit) {
			fprintf(stderr, "   (split by the host's clock for %zu keys:)\n", x->nsplit);
			for (int j = 0; j < VX_SPLIT_N; j++)
				print_pct(split_names[j], x->split[j], x->nsplit);
		}
	}
}

/* The link was lost and is back on c: each X session attached again, its
 * windows made anew from what the host sends on attaching (XWIN and a
 * keyframe of each); a session whose channel has a TOKEN resumes its
 * input exactly (xlink_*), the others send what was held. */
void vx_link_down(struct vx *x)
{
	x->link_down = true;
	x->ping_out = false;
	/* What the host keeps for each channel: the keymap it was proven to
	 * have, if none went after it (on this connection: sent, or in the
	 * run behind a RESUME). */
	for (unsigned i = 0; i < x->nsess; i++) {
		struct xsess *s = x->sess[i];
		bool same = s->km_sent >= 0 && s->km_proven == s->km_sent &&
			    (!s->ahead || s->ahead_km == s->km_sent);
		s->km_kept = s->host_keeps && same ? s->km_sent : -1;
	}
}

void vx_relink(struct vx *x, struct rp_conn *c)
{
	x->c.c = c;
	x->link_down = false;
	x->told_held_full = false;
	for (unsigned i = x->nwin; i-- > 0;)
		remove_win(x, x->win[i]);
	x->ping_out = false;
	for (unsigned i = 0; i < x->nsess; i++) {
		struct xsess *s = x->sess[i];
		s->chan = 0;
		s->key_seq = 0;
		s->keymap_sent = false;
		s->km_sent = s->km_kept; /* the host's view of the desk kept it, or none */
		s->relinking = true;
		s->screen_w = s->screen_h = 0; /* an XSCREEN may have been lost with the link */
		if (s->resumable) {
			if (s->in_flight) /* sent behind the HELLO */
				s->resuming = true;
			else
				xlink_resume(x, s);
			s->in_flight = false;
			continue;
		}
		s->seq = 0;
		send_open(x, s);
	}
}

/* ---- the link: X input resumed exactly ---------------------------------
 *
 * A session whose channel got a TOKEN keeps each XKEY and XPOINTER it
 * sent (rp_inlog, at its seq) until the PONG of a later PING proves the
 * host had it (the host handles a connection's frames in order). While
 * the link is down input goes on into the log, unsent. Once redialed,
 * RESUME names the channel and the last seq given; RESUMED says the last
 * one the host took, and exactly those after it go again, in order, with
 * their seqs, on the channel's new number. Then the latest window places
 * and sizes, raise, focus and selection asked and not proven taken: state
 * goes once, as it is now, never as a backlog. Pixels are not resumed:
 * the host sends every window and a keyframe of each, as on attaching.
 */

/* An XKEY or XPOINTER frame of s at seq: kept if s resumes, sent if the
 * link is up. -ENOBUFS: down and the log full (dropped, the person told). */
static int xlink_send(struct vx *x, struct xsess *s, const uint8_t *frame, size_t n,
		      uint32_t seq)
{
	bool up = !x->link_down && s->chan && !s->resuming && !s->backlog;

	if (!s->resumable) {
		km_before(x, s, seq);
		return rp_conn_send(x->c.c, frame, n);
	}
	if (rp_inlog_add(&s->log, (struct rp_inpos){seq, 0}, frame, n, up) < 0) {
		if (!x->told_held_full)
			fprintf(stderr, "%s: the link is down and more was done in X windows "
					"than is kept (%u bytes): the rest is dropped\n",
					x->c.prog, RP_INLOG_BYTES);
		x->told_held_full = true;
		s->dropped = true;
		s->seq = seq - 1;
		return -ENOBUFS;
	}
	if (!up)
		return 0;
	km_before(x, s, seq);
	if (rp_conn_send(x->c.c, frame, n) < 0) { /* kept: it goes as the queue drains */
		s->backlog = true;
		return 0;
	}
	s->sent_seq = seq;
	return 0;
}

/* A window's place or size asked, or a raise: the latest kept until
 * taken (a newer ask of the same window replaces it, bit by bit). */
static void xlink_conf(struct vx *x, struct xsess *s, const struct rp_xconfigure *m)
{
	const uint8_t place = RP_XCONF_MOVE | RP_XCONF_SIZE;
	unsigned i;

	if (!s->resumable)
		return;
	if (m->what & RP_XCONF_RAISE) {
		s->raise_id = m->id;
		s->raise_gen = ++x->gen;
	}
	if (!(m->what & place))
		return;
	for (i = 0; i < s->nconf && s->conf[i].m.id != m->id; i++)
		;
	if (i == s->nconf) {
		if (s->nconf == VX_CONF_MAX) { /* the oldest ask goes */
			memmove(&s->conf[0], &s->conf[1], (VX_CONF_MAX - 1) * sizeof s->conf[0]);
			i = --s->nconf;
		}
		s->conf[i].m = (struct rp_xconfigure){.id = m->id};
		s->nconf++;
	}
	if (m->what & RP_XCONF_MOVE) {
		s->conf[i].m.x = m->x;
		s->conf[i].m.y = m->y;
	}
	if (m->what & RP_XCONF_SIZE) {
		s->conf[i].m.w = m->w;
		s->conf[i].m.h = m->h;
	}
	s->conf[i].m.what |= m->what & place;
	s->conf[i].gen = ++x->gen;
}

/* State asked of the host and not proven taken, once more on s's new
 * channel: it is the latest, so sending it twice does no harm. */
static void xlink_state(struct vx *x, struct xsess *s)
{
	uint8_t buf[RP_HDR_SIZE + 16];
	long n;

	for (unsigned i = 0; i < s->nconf; i++) {
		n = rp_xconfigure_frame(buf, sizeof buf, s->chan, &s->conf[i].m);
		if (n > 0)
			rp_conn_send(x->c.c, buf, (size_t)n);
		s->conf[i].gen = ++x->gen;
	}
	if (s->raise_gen) {
		struct rp_xconfigure m = {.id = s->raise_id, .what = RP_XCONF_RAISE};
		n = rp_xconfigure_frame(buf, sizeof buf, s->chan, &m);
		if (n > 0)
			rp_conn_send(x->c.c, buf, (size_t)n);
		s->raise_gen = ++x->gen;
	}
	if (s->focus_gen) {
		n = rp_xid_frame(buf, sizeof buf, RP_XFOCUS, s->chan, s->focus_id);
		if (n > 0)
			rp_conn_send(x->c.c, buf, (size_t)n);
		s->focus_gen = ++x->gen;
	}
	if (s->clip_gen) { /* fetched again and sent, whatever was sent before */
		s->clip_gen = 0;
		s->sel_hash[0] = s->sel_hash[1] = 0;
		clip_follow(x, s);
	}
}

#define XLINK_RESUME_BYTES (RP_HDR_SIZE + 64 + RP_MAX_NAME)

static int run_put(void *ctx, const uint8_t *frame, size_t len)
{
	struct xrun *r = ctx;
	uint8_t *b;

	if (r->err)
		return r->err;
	if (len < RP_HDR_SIZE) {
		r->err = -EINVAL;
		return r->err;
	}
	if (r->n + len > r->cap) {
		size_t cap = r->cap ? r->cap : 4096;
		while (cap < r->n + len)
			cap *= 2;
		if (!(b = realloc(r->buf, cap))) {
			r->err = -ENOMEM;
			return r->err;
		}
		r->buf = b;
		r->cap = cap;
	}
	memcpy(r->buf + r->n, frame, len);
	r->buf[r->n + 2] = (uint8_t)(r->chan >> 8);
	r->buf[r->n + 3] = (uint8_t)r->chan;
	r->n += len;
	return 0;
}

/* The seq of an XKEY or XPOINTER frame kept; false: not one. */
static bool input_seq(const uint8_t *frame, size_t n, uint32_t *seq, struct rp_xkey *key)
{
	struct rp_hdr h;
	struct rp_xkey k;
	struct rp_xpointer m;

	if (n < RP_HDR_SIZE || rp_hdr_decode(frame, n, &h) < 0 || n != RP_HDR_SIZE + h.len)
		return false;
	if (h.type == RP_XKEY && rp_xkey_decode(frame + RP_HDR_SIZE, h.len, &k) == 0) {
		*seq = k.seq;
		if (key)
			*key = k;
		return true;
	}
	if (h.type == RP_XPOINTER && rp_xpointer_decode(frame + RP_HDR_SIZE, h.len, &m) == 0) {
		*seq = m.seq;
		if (key)
			key->keycode = 0; /* not a key */
		return true;
	}
	return false;
}

/* The keymap input seq of s was typed with (as km_before picks it). */
static int km_of(const struct xsess *s, uint32_t seq)
{
	int i = (int)s->nkm - 1;

	while (i > 0 && (int32_t)(seq - s->km[i].seq) <= 0)
		i--;
	return i;
}

/* rp_inlog_since: a kept input into a run ahead, after the keymap it was
 * typed with when that is not the last one put there. */
struct ahead_ctx {
	struct xsess *s;
	struct xrun *r;
	int km;
	uint32_t upto;
};

static int ahead_frame(void *ctx, const void *frame, size_t n)
{
	struct ahead_ctx *a = ctx;
	uint32_t seq;
	int k;

	if (!input_seq(frame, n, &seq, NULL))
		return -EINVAL;
	k = km_of(a->s, seq);
	if (k >= 0 && k != a->km) {
		int r = rp_xchunks_send(RP_XKEYMAP, a->r->chan, 0, a->s->km[k].text,
					(uint32_t)a->s->km[k].n, run_put, a->r);
		if (r < 0)
			return r;
		a->km = k;
		/* A run may reach the host though its dial fails: what the
		 * host keeps may be this one, a later RESUME sends it again. */
		if (a->s->km_kept != k)
			a->s->km_kept = -1;
	}
	a->upto = seq;
	return run_put(a->r, frame, n);
}

/* The input s kept after seq from into r, each behind its keymap: 0, or
 * -errno (r then holds part of them). */
static int ahead_since(struct xsess *s, struct xrun *r, uint32_t from)
{
	struct ahead_ctx a = {s, r, s->ahead_km, s->ahead_upto};
	bool gap;
	int n = rp_inlog_since(&s->log, (struct rp_inpos){from, 0}, ahead_frame, &a, &gap);

	if (n < 0 || r->err)
		return n < 0 ? n : r->err;
	s->ahead_km = a.km;
	s->ahead_upto = a.upto;
	return 0;
}

/* rp_inlog_since: the kept inputs' seqs, and what each did to a key
 * (keycode 0: a pointer's). */
struct key_ev {
	uint32_t seq;
	uint8_t code;
	bool pressed;
};

struct key_walk {
	struct key_ev *ev;
	size_t n, cap;
};

static int key_walk(void *ctx, const void *frame, size_t n)
{
	struct key_walk *w = ctx;
	struct rp_xkey k = {0};
	uint32_t seq;

	if (!input_seq(frame, n, &seq, &k))
		return 0;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		struct key_ev *e = realloc(w->ev, cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		w->ev = e;
		w->cap = cap;
	}
	w->ev[w->n++] = (struct key_ev){seq, k.keycode, k.pressed};
	return 0;
}

/* At a place where keys are down (ndown of them), the input after it
 * goes right without pressing them again only if the next frame is the
 * release of the one key down: pressed again, it would only be typed
 * twice; else a key held while more is done (a Shift), or held still. */
static bool place_needs_press(const struct key_walk *w, size_t next, const bool *down,
			      unsigned ndown)
{
	if (!ndown)
		return false;
	if (ndown > 1 || next >= w->n)
		return true;
	const struct key_ev *e = &w->ev[next];
	return !(e->code >= 8 && !e->pressed && down[e->code]);
}

bool vx_needs_place(const struct rp_inlog *log, const uint32_t kdown[256], uint32_t sent_seq)
{
	struct key_walk w = {0};
	struct rp_inpos first;
	bool down[256], gap, needs = false;
	unsigned ndown = 0;

	for (unsigned c = 0; c < 256; c++)
		ndown += (down[c] = kdown[c] != 0);
	if (!rp_inlog_first(log, &first))
		return ndown > 0; /* the host's place is the last seq given */
	if (rp_inlog_since(log, (struct rp_inpos){first.seq - 1, 0}, key_walk, &w, &gap) < 0) {
		free(w.ev);
		return true; /* not known: as if it did */
	}
	/* Backwards from now: before each key's event it was as that event
	 * says it was not (xlink_press_again's rule), at each place the host
	 * may have taken (at most the last sent, at least before the oldest
	 * kept). */
	for (size_t i = w.n; i-- > 0 && !needs;) {
		struct key_ev *e = &w.ev[i];
		if ((int32_t)(e->seq - sent_seq) <= 0)
			needs = place_needs_press(&w, i + 1, down, ndown);
		if (e->code >= 8 && down[e->code] != !e->pressed) {
			down[e->code] = !e->pressed;
			ndown = e->pressed ? ndown - 1 : ndown + 1;
		}
	}
	if (!needs)
		needs = place_needs_press(&w, 0, down, ndown);
	free(w.ev);
	return needs;
}

/* The RESUME of s as a new request, appended to r (its length, or
 * -errno), with the input it kept behind it on number ahead (0: none,
 * a plain RESUME). The seq it names only grows while the link is down,
 * which the host takes: it may go in a flight made before the dial. */
static long xlink_resume_frame(struct vx *x, struct xsess *s, uint16_t ahead, struct xrun *r)
{
	uint8_t buf[XLINK_RESUME_BYTES];
	struct rp_inpos first;
	struct rp_enc e;
	size_t at = r->n;
	long n;

	s->req = ++*x->c.req;
	if (!rp_inlog_first(&s->log, &first))
		first = (struct rp_inpos){s->seq + 1, 0}; /* none follow yet */
	rp_enc_begin(&e, buf, sizeof buf, RP_RESUME, 0, 0);
	rp_put_u32(&e, s->req);
	rp_put_str(&e, s->name, strlen(s->name));
	rp_put_bytes(&e, s->token, sizeof s->token);
	rp_put_u64(&e, s->out_got[0] + s->out_got[1]); /* its XOUTPUT's; no OUTPUT */
	rp_put_u32(&e, s->seq);
	if (ahead) {
		rp_put_u16(&e, ahead);
		rp_put_u32(&e, first.seq);
		rp_put_u32(&e, 0);
	}
	if ((n = rp_enc_end(&e)) < 0)
		return n;
	r->chan = 0;
	if (run_put(r, buf, (size_t)n) < 0)
		return r->err;
	s->ahead = ahead;
	s->ahead_km = s->km_kept;
	s->ahead_upto = first.seq - 1;
	if (ahead) {
		r->chan = ahead;
		if (ahead_since(s, r, first.seq - 1) < 0) {
			s->ahead = 0;
			return r->err ? r->err : -ENOMEM;
		}
	}
	return (long)(r->n - at);
}

static void xlink_resume(struct vx *x, struct xsess *s)
{
	struct xrun r = {0};

	long n = xlink_resume_frame(x, s, 0, &r);

	s->resuming = true;
	if (n > 0)
		rp_conn_send(x->c.c, r.buf, (size_t)n);
	free(r.buf);
}

/* Whether s's input may go behind its RESUME: it does not need the
 * host's place to be sent right (no key that matters may be down there,
 * which xlink_press_again would press again before it: vx_needs_place),
 * and is not a paste into a dead link. */
static bool xlink_may_go_ahead(const struct vx *x, const struct xsess *s)
{
	return !x->c.readonly && rp_inlog_bytes(&s->log) <= RP_DESK_AHEAD_BYTES &&
	       !vx_needs_place(&s->log, s->kdown, s->sent_seq);
}

long vx_resume_flight(struct vx *x, uint16_t first, uint32_t focus, bool last, uint8_t **out,
		      unsigned *count)
{
	struct xsess *order[VX_SESSIONS];
	struct xw *fw = focus >= VX_ID_BASE ? win_by_wid(x, focus) : NULL;
	struct xrun r = {0};
	unsigned n = 0;

	*out = NULL;
	*count = 0;
	for (unsigned i = 0; i < x->nsess; i++) {
		struct xsess *s = x->sess[i];
		s->in_flight = false;
		s->ahead = 0;
		if (s->resumable && (!fw || s != fw->s))
			order[n++] = s;
	}
	if (fw && fw->s->resumable) /* last: its keys typed while it dials ride behind */
		order[n++] = fw->s;
	for (unsigned i = 0; i < n; i++) {
		struct xsess *s = order[i];
		unsigned place = first + *count;
		uint16_t ahead = first && place <= RP_DESK_AHEAD_CHANS &&
					 xlink_may_go_ahead(x, s) ? (uint16_t)place : 0;
		size_t at = r.n;
		if (xlink_resume_frame(x, s, ahead, &r) < 0) {
			r.n = at; /* vx_relink sends it, or says why not */
			r.err = 0;
			continue;
		}
		s->in_flight = true;
		s->ahead_closed = !last || i + 1 < n;
		++*count;
	}
	if (!r.buf && !(r.buf = malloc(1)))
		return -ENOMEM;
	*out = r.buf;
	return (long)r.n;
}

/* The input s kept since its flight's run was made, if that run is
 * still open (nothing followed its RESUME), to push (0: they went). */
static void ahead_more(struct xsess *s, int (*push)(void *ctx, const void *p, size_t n),
		       void *ctx)
{
	struct xrun r = {.chan = s->ahead};
	uint32_t upto = s->ahead_upto;
	int km = s->ahead_km;

	if (!s->in_flight || !s->ahead || s->ahead_closed || s->seq == s->ahead_upto)
		return;
	if (ahead_since(s, &r, s->ahead_upto) < 0 || !r.n || push(ctx, r.buf, r.n) != 0) {
		s->ahead_upto = upto; /* they go after RESUMED */
		s->ahead_km = km;
	}
	free(r.buf);
}

bool vx_ahead_waits(const struct vx *x)
{
	for (unsigned i = 0; i < x->nsess; i++) {
		const struct xsess *s = x->sess[i];
		if (s->in_flight && s->ahead && s->ahead_closed && s->seq != s->ahead_upto)
			return true;
	}
	return false;
}

void vx_ahead_push(struct vx *x, int (*push)(void *ctx, const void *p, size_t n), void *ctx)
{
	for (unsigned i = 0; i < x->nsess; i++)
		ahead_more(x->sess[i], push, ctx);
}

static int conn_push(void *ctx, const void *p, size_t n)
{
	return rp_conn_send(ctx, p, n) < 0 ? -ENOBUFS : 0;
}

void vx_flight_sent(struct vx *x, struct rp_conn *c)
{
	for (unsigned i = 0; i < x->nsess; i++)
		ahead_more(x->sess[i], conn_push, c);
}

struct again {
	struct vx *x;
	struct xsess *s;
	unsigned n;
};

/* rp_inlog_since: an input sent again, on the channel's new number;
 * -EAGAIN once the connection's queue is long (the rest goes as it
 * drains). */
static int send_again(void *ctx, const void *frame, size_t n)
{
	struct again *a = ctx;
	uint8_t f[64];
	uint32_t seq;

	if (n > sizeof f || !input_seq(frame, n, &seq, NULL))
		return -EINVAL;
	memcpy(f, frame, n);
	if (rp_conn_queued_frames(a->x->c.c) >= VX_AGAIN_QUEUED_MAX)
		return -EAGAIN;
	km_before(a->x, a->s, seq);
	f[2] = (uint8_t)(a->s->chan >> 8);
	f[3] = (uint8_t)a->s->chan;
	if (rp_conn_send(a->x->c.c, f, n) < 0)
		return -EAGAIN;
	a->s->sent_seq = seq;
	a->n++;
	return 0;
}

/* The input s kept after sent_seq, as much as the queue takes now. */
static void xlink_flush(struct vx *x, struct xsess *s)
{
	struct again a = {x, s, 0};
	bool gap;
	int r = rp_inlog_since(&s->log, (struct rp_inpos){s->sent_seq, 0}, send_again, &a, &gap);

	s->backlog = r == -EAGAIN;
	if (!s->backlog) /* all went: the desk's keymap now, for what comes */
		km_send(x, s, (int)s->nkm - 1);
	if (r < 0 && r != -EAGAIN) /* never: only XKEY and XPOINTER are kept */
		fprintf(stderr, "%s: %s: X input kept could not be sent again\n",
				x->c.prog, s->name);
}

static int count_frame(void *ctx, const void *frame, size_t n)
{
	(void)ctx;
	(void)frame;
	(void)n;
	return 0;
}

void vx_send_backlog(struct vx *x)
{
	if (x->link_down || !x->c.c)
		return;
	for (unsigned i = 0; i < x->nsess; i++) {
		struct xsess *s = x->sess[i];
		if (s->backlog && s->chan && !s->resuming)
			xlink_flush(x, s);
	}
}

static int xlink_resumed(struct vx *x, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_resumed m;
	struct xsess *s = NULL;
	bool gap = false;
	int todo = 0;

	if (rp_resumed_decode(p, h->len, &m) < 0 || !h->chan) {
		snprintf(x->why, sizeof x->why, "malformed RESUMED frame from the server");
		return -EPROTO;
	}
	for (unsigned i = 0; i < x->nsess && !s; i++)
		if (x->sess[i]->resuming && x->sess[i]->req == m.req)
			s = x->sess[i];
	if (!s)
		return 1; /* a session that went meanwhile */
	if (s->ahead && h->chan != s->ahead) {
		snprintf(x->why, sizeof x->why, "RESUMED on channel %u, not %u that its input went on",
			 h->chan, s->ahead);
		return -EPROTO;
	}
	if (x->mark_chan && !sess_by_chan(x, x->mark_chan))
		x->mark_chan = h->chan; /* wait-update's input: its channel's new number */
	s->resuming = s->relinking = false;
	s->req = 0;
	s->chan = h->chan;
	offers_await(s); /* (before xlink_state's copy) */
	/* A PONG for a PING sent before this answer proves only what the
	 * host took, not what goes again below. */
	s->ping_seq = m.seq;
	s->ping_km = s->km_kept;
	s->keymap_sent = true;
	/* As on attaching (another desk may have changed it), but the keymap
	 * the input sent again was typed with: each later one goes before
	 * the first input typed with it (xlink_flush), never before. */
	/* the run ahead's, handled as it came; else the one the host kept */
	s->km_sent = s->ahead ? s->ahead_km : s->km_kept;
	if (!s->nkm && !x->c.readonly)
		km_note(x, s);
	/* The host's place is before what went ahead (it answered the RESUME
	 * first), which it took or dropped as it came, and a key down at any
	 * place it could have taken was let go right after it, so is not
	 * pressed again (xlink_may_go_ahead): what was typed since goes now. */
	uint32_t from = m.seq;
	if (s->ahead && (int32_t)(m.seq - s->ahead_upto) < 0)
		from = s->ahead_upto;
	if (!s->ahead || from == m.seq)
		km_before(x, s, m.seq + 1);
	if (!s->ahead)
		xlink_press_again(x, s, m.seq);
	s->ahead = 0;
	if ((int32_t)(s->seq - m.seq) < 0) {
		fprintf(stderr, "%s: %s: the server took X input up to %u, the view sent up "
				"to %u\n", x->c.prog, s->name, m.seq, s->seq);
		s->sent_seq = s->seq;
		s->backlog = false;
	} else {
		todo = rp_inlog_since(&s->log, (struct rp_inpos){m.seq, 0}, count_frame, NULL, &gap);
		s->sent_seq = from;
		xlink_flush(x, s); /* the rest as the queue drains (vx_send_backlog) */
	}
	if (gap)
		fprintf(stderr, "%s: %s: more was done in its X windows than could be kept "
				"while the link was down: some input was lost\n",
				x->c.prog, s->name);
	send_held(x, s);
	if (gap || s->dropped) /* a release may be among what was lost */
		xlink_release_stray(x, s);
	s->dropped = false;
	xlink_state(x, s);
	screen_send(x, s);
	/* In a person's words: what was typed and clicked while the link was
	 * down went in (whether it rode with the RESUME is serve.log's). */
	if (todo > 0)
		fprintf(stderr, "%s: %s: X session resumed; %d key and pointer events made while "
				"the link was down were sent\n", x->c.prog, s->name, todo);
	else
		fprintf(stderr, "%s: %s: X session resumed\n", x->c.prog, s->name);
	return 1;
}

struct refused {
	struct vx *x;
	struct xsess *s;
	bool unsent; /* the frames since sent_seq: dropped, counted */
	uint32_t pressed[256]; /* by keycode: the window the log last pressed it in; 0: none */
	unsigned sent, dropped;
};

/* Keys the log of s pressed (r->pressed, from every frame kept) that
 * are not down on the desk now: false when c is not one. */
static bool key_stray(const struct vx *x, const struct xsess *s, const struct refused *r,
		      unsigned c)
{
	if (!r->pressed[c])
		return false;
	for (unsigned i = 0; i < x->ndown; i++)
		if (x->down[i].code == c && x->down[i].s == s)
			return false;
	return true;
}

/* rp_inlog_since, after a refused RESUME: what was never sent is
 * counted, to be dropped; keys the log pressed are noted. */
static int refused_frame(void *ctx, const void *frame, size_t n)
{
	struct refused *r = ctx;
	const uint8_t *f = frame;
	struct rp_hdr h;
	struct held hd = {.s = r->s};

	if (rp_hdr_decode(f, n, &h) < 0 || n != RP_HDR_SIZE + h.len)
		return 0;
	if (h.type == RP_XKEY && rp_xkey_decode(f + RP_HDR_SIZE, h.len, &hd.k) == 0) {
		hd.key = true;
		if (hd.k.pressed)
			r->pressed[hd.k.keycode] = hd.k.id; /* never 0 (the codec refuses it) */
	} else if (h.type != RP_XPOINTER || rp_xpointer_decode(f + RP_HDR_SIZE, h.len, &hd.m) < 0) {
		return 0;
	}
	if (!r->unsent)
		r->sent++;
	else
		r->dropped++;
	return 0;
}

/* The host no longer has the channel (its wait ran out, or the daemon
 * restarted): the session is opened anew. Input never sent is dropped:
 * a program of the same name on the new channel may be another one (a
 * restarted daemon's), and keys typed for the old one (a password) must
 * not go to it. Input sent on the lost link may or may not have been
 * taken, so it is not sent again either (the person is told how much of
 * each), and every
 * key it pressed that is not down on the desk now is released after it,
 * so no key stays down on the host (releasing a key that is up does
 * nothing). */
static void xlink_refused(struct vx *x, struct xsess *s)
{
	struct refused r = {.x = x, .s = s};
	bool gap;

	/* Every frame kept (a place far before the oldest), then those after
	 * sent_seq counted apart. */
	rp_inlog_since(&s->log, (struct rp_inpos){s->seq - 0x40000000u, 0}, refused_frame, &r,
		       &gap);
	r.unsent = true;
	rp_inlog_since(&s->log, (struct rp_inpos){s->sent_seq, 0}, refused_frame, &r, &gap);
	for (unsigned c = 8; c < 256; c++) {
		if (!key_stray(x, s, &r, c) || x->nqueued == VX_HELD_MAX)
			continue;
		x->queued[x->nqueued++] = (struct held){
			.s = s, .key = true, .k = {.id = r.pressed[c], .keycode = (uint8_t)c, .pressed = 0}};
		s->kdown[c] = 0;
	}
	r.sent -= r.dropped; /* the first pass counted them too */
	fprintf(stderr, "%s: %s attached anew, %u X input events not resent: its channel "
			"was gone\n", x->c.prog, s->name, r.sent);
	if (r.dropped)
		fprintf(stderr, "%s: %s: %u X input events done while the link was down "
				"dropped: the session there now may be another program of that name\n",
				x->c.prog,
			s->name, r.dropped);
	rp_inlog_finish(&s->log);
	rp_inlog_init(&s->log);
	s->resumable = s->resuming = s->backlog = false; /* until the new channel's TOKEN */
	s->ahead = 0; /* what went behind its RESUME the host dropped */
	s->km_sent = s->km_proven = s->ping_km = s->km_kept = -1; /* a new channel has none */
	s->seq = s->sent_seq = 0;
	if (s->nkm) { /* the desk's keymap now, from the new channel's first input */
		km_drop(s, s->nkm - 1);
		s->km[0].seq = 0;
	}
	s->nconf = 0;
	s->focus_gen = s->raise_gen = s->clip_gen = 0;
	send_open(x, s);
}

/* After input was lost (the log was full): every key the log pressed
 * that is not down on the desk now is released, after what was sent
 * again, so no key stays down on the host. */
static void xlink_release_stray(struct vx *x, struct xsess *s)
{
	struct refused r = {.x = x, .s = s};
	uint8_t buf[RP_HDR_SIZE + 16];
	bool gap;

	rp_inlog_since(&s->log, (struct rp_inpos){s->seq - 0x40000000u, 0}, refused_frame, &r,
		       &gap);
	for (unsigned c = 8; c < 256; c++) {
		if (!key_stray(x, s, &r, c))
			continue;
		struct rp_xkey k = {.seq = s->seq + 1, .id = r.pressed[c], .keycode = (uint8_t)c};
		long n = rp_xkey_frame(buf, sizeof buf, s->chan, &k);
		if (n > 0 && xlink_send(x, s, buf, (size_t)n, k.seq) == 0) {
			s->seq = k.seq;
			s->kdown[c] = 0;
		}
	}
}

struct at_place {
	uint32_t id[256]; /* by keycode: down at the host's place (its window), 0: up */
	bool seen[256];
};

/* rp_inlog_since: a key's first event after the host's place says how it
 * was there (a press: up; a release: down). */
static int key_at_place(void *ctx, const void *frame, size_t n)
{
	struct at_place *a = ctx;
	const uint8_t *f = frame;
	struct rp_hdr h;
	struct rp_xkey k;

	if (rp_hdr_decode(f, n, &h) < 0 || n != RP_HDR_SIZE + h.len || h.type != RP_XKEY ||
	    rp_xkey_decode(f + RP_HDR_SIZE, h.len, &k) < 0 || a->seen[k.keycode])
		return 0;
	a->seen[k.keycode] = true;
	a->id[k.keycode] = k.pressed ? 0 : k.id;
	return 0;
}

/* The host released this channel's keys when its link went: those down
 * at the place it took (seq) are pressed again, numbered seq (its place
 * does not move), before the input after it goes again. */
static void xlink_press_again(struct vx *x, struct xsess *s, uint32_t seq)
{
	struct at_place *a = calloc(1, sizeof *a);
	uint8_t buf[RP_HDR_SIZE + 16];
	bool gap;

	if (!a)
		return;
	rp_inlog_since(&s->log, (struct rp_inpos){seq, 0}, key_at_place, a, &gap);
	for (unsigned c = 8; c < 256; c++) {
		uint32_t id = a->seen[c] ? a->id[c] : s->kdown[c];
		struct rp_xkey k = {.seq = seq, .id = id, .keycode = (uint8_t)c, .pressed = 1};
		long n;
		if (!id || (n = rp_xkey_frame(buf, sizeof buf, s->chan, &k)) <= 0)
			continue;
		rp_conn_send(x->c.c, buf, (size_t)n);
	}
	free(a);
}

void vx_ping(struct vx *x)
{
	x->ping_gen = x->gen;
	x->ping_out = !x->link_down;
	for (unsigned i = 0; i < x->nsess; i++) {
		x->sess[i]->ping_seq = x->sess[i]->sent_seq;
		x->sess[i]->ping_km = x->sess[i]->km_sent;
	}
}

/* Only sessions attached on this connection when the PING went: one
 * still resuming kept what it sent on the lost one. */
void vx_pong(struct vx *x)
{
	if (!x->ping_out)
		return;
	x->ping_out = false;
	for (unsigned i = 0; i < x->nsess; i++) {
		struct xsess *s = x->sess[i];
		unsigned kept = 0;
		if (!s->resumable || s->resuming || !s->chan)
			continue;
		rp_inlog_acked(&s->log, s->ping_seq);
		/* Said with --stats: a resume will not send this keymap again
		 * (and tests await it, not the heartbeat that proves it). */
		if (x->c.stats && s->host_keeps && s->ping_km >= 0 && s->ping_km < (int)s->nkm &&
		    s->ping_km != s->km_proven)
			fprintf(stderr, "%s: %s: the host has the desk's keymap (%zu bytes) and keeps "
					"it over a lost link\n",
				x->c.prog, s->name, s->km[s->ping_km].n);
		s->km_proven = s->ping_km;
		unsigned old = 0; /* keymaps of input taken only */
		while (old + 1 < s->nkm && (int32_t)(s->ping_seq - s->km[old + 1].seq) >= 0)
			old++;
		km_drop(s, old);
		for (unsigned j = 0; j < s->nconf; j++)
			if ((int32_t)(s->conf[j].gen - x->ping_gen) > 0)
				s->conf[kept++] = s->conf[j];
		s->nconf = kept;
		if ((int32_t)(s->raise_gen - x->ping_gen) <= 0)
			s->raise_gen = 0;
		if ((int32_t)(s->focus_gen - x->ping_gen) <= 0)
			s->focus_gen = 0;
		if ((int32_t)(s->clip_gen - x->ping_gen) <= 0)
			s->clip_gen = 0;
	}
}

bool vx_input_kept(const struct vx *x)
{
	for (unsigned i = 0; i < x->nsess; i++)
		if (x->sess[i]->resumable && rp_inlog_bytes(&x->sess[i]->log))
			return true;
	return false;
}

bool vx_input_owed(const struct vx *x)
{
	for (unsigned i = 0; i < x->nqueued; i++)
		if (x->link_down || x->queued[i].s->relinking)
			return true;
	/* Kept while down, or resumed and waiting in its log for the queue
	 * to drain (vx_send_backlog: a keymap went before it). */
	for (unsigned i = 0; i < x->nsess; i++) {
		const struct xsess *s = x->sess[i];
		if (s->resumable && (s->backlog || ((x->link_down || s->resuming) &&
						    s->seq != s->sent_seq)))
			return true;
	}
	return false;
}

bool vx_awaiting(const struct vx *x)
{
	for (unsigned i = 0; i < x->nsess; i++)
		if (x->sess[i]->relinking && !x->sess[i]->chan)
			return true;
	return false;
}

bool vx_resumable(const struct vx *x)
{
	for (unsigned i = 0; i < x->nsess; i++)
		if (x->sess[i]->resumable)
			return true;
	return false;
}
