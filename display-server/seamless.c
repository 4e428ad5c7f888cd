/* The seamless backend: every X window of a host a native window of the
 * desk's own X display, managed by the desk's window manager, the way
 * ssh -X and xpra show them. Behind the backend ops for the view's loop
 * (get_fd, dispatch; its framebuffer is a token one, nothing composites
 * into it); its windows through ds_seamless_*.
 *
 * Each window carries the host's names (WM_NAME and _NET_WM_NAME,
 * WM_CLASS, WM_ICON_NAME), size hints (WM_NORMAL_HINTS, with the host's
 * place as the program's own), WM_TRANSIENT_FOR (the desk window of its
 * parent) and WM_DELETE_WINDOW; an override-redirect window (a menu, a
 * tooltip) is mapped override-redirect at its parent's place on the desk
 * plus its offset from the parent on the host. Pixels go out with
 * PutImage (in strips) from the window's surface, only where it changed.
 * Keys leave as the desk display's keycodes (its keymap is what the host
 * is given), the pointer window-relative, a move or resize by the desk's
 * window manager as configure, WM_DELETE_WINDOW as close.
 *
 * Stacking: the desk's own order of these windows (its window manager
 * raised one, a program activated it, a click) is watched on the root's
 * children (a window manager's frame stands for the window it holds) and
 * told whole, bottom to top, through ops->restacked once the events at
 * hand are taken; the owner compares it with the host's and raises what
 * differs there. The desk raising windows to follow the host
 * (ds_seamless_raise) tells nothing for DS_SEAMLESS_OWN_RESTACK_MS: a
 * window manager that is still carrying out those raises would otherwise
 * send a half-done order back to the host. A restack of the desk's own
 * made meanwhile is told when that time is up (ds_seamless_wait_ms gives
 * the owner's loop its deadline), not at the desk's next event.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/render.h>
#include <xcb/shape.h>
#include <xcb/xcb.h>
#include <xcb/xkb.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "base.h"
#include "ds_int.h"

#define SEAMLESS_WINDOWS 256
#define PUT_STRIP_BYTES (256 * 1024) /* under any server's request limit */
#define TOKEN_FB_PX 64
#define DS_SEAMLESS_OWN_RESTACK_MS 250
#define SEAMLESS_FRAME_DEPTH 8 /* a window manager's frames in frames, at most */

/* WM_SIZE_HINTS flags (ICCCM 4.1.2.3) */
#define US_POSITION (1 << 0)
#define P_POSITION (1 << 2)
#define P_MIN_SIZE (1 << 4)
#define P_MAX_SIZE (1 << 5)
#define P_RESIZE_INC (1 << 6)
#define P_BASE_SIZE (1 << 8)
#define P_WIN_GRAVITY (1 << 9)
#define STATIC_GRAVITY 10

struct swin {
	uint32_t id; /* the caller's */
	xcb_window_t xw;
	struct ds_xsurf *surf;
	bool override, mapped;
	bool placing; /* mapped, not yet seen in a decorated frame: frame_on_screen */
	bool wm_places; /* asked for no place, not yet framed: the desk's window manager places it */
	int x, y, w, h; /* on the desk, as last configured */
	int hx, hy;	/* on the host */
	/* The host's last size asked of the desk's server (resize_seq: that
	 * request's number, resizing: not yet seen done). A ConfigureNotify
	 * made before it (an older request's, a window manager's) is not the
	 * desk's word: taken as one, the host's two quick sizes came back to
	 * it as the desk's, out of date, and each answer made two more (a
	 * window flipping between two sizes for ever, two desks of different
	 * screens on one display). */
	uint32_t resize_seq;
	bool resizing;
	/* The full screen and maximized last asked of the desk's window
	 * manager (the window's size is its to give meanwhile). */
	bool fullscreen, maximized;
	/* One of them given up, and the window not yet seen at another size
	 * than it had in it (leave_w x leave_h): the window manager's moves
	 * on the way (openbox puts the frame back first, the window still at
	 * that size) are not the desk's word, which the host would take for
	 * the window's new size. */
	bool leaving;
	int leave_w, leave_h;
	uint32_t transient_for;
	/* What it was last mapped with (ds_seamless_map), its strings kept:
	 * a desk window another program destroyed is made again from it. */
	struct ds_seamless_win m;
	char title[DS_TITLE_MAX_BYTES + 1], wm_class[DS_TITLE_MAX_BYTES + 1];
	char icon_name[DS_TITLE_MAX_BYTES + 1], machine[DS_TITLE_MAX_BYTES + 1];
	/* Its bounding and input shapes as last given (ds_seamless_shape;
	 * NULL: none), which a window made again takes at once: the host
	 * sends a shape only when it changes. */
	xcb_rectangle_t *shape[2];
	uint32_t nshape[2];
	/* The root's child that holds it (itself, or a window manager's
	 * frame), the sibling that child was last seen right above, and its
	 * place and size then. */
	xcb_window_t top, top_above;
	int16_t top_x, top_y;
	uint16_t top_w, top_h;
};

struct seamless {
	struct ds_backend base;
	xcb_connection_t *conn;
	xcb_screen_t *scr;
	xcb_gcontext_t gc;
	xcb_atom_t wm_protocols, wm_delete, net_wm_name, net_wm_icon_name, utf8;
	xcb_atom_t net_wm_state, net_wm_state_fullscreen, net_wm_state_max_vert, net_wm_state_max_horz;
	xcb_atom_t net_wm_moveresize, motif_wm_hints;
	int16_t press_x, press_y; /* the last button press, on the root */
	struct ds_xkb xkb;
	pixman_image_t *fb;
	const struct ds_seamless_ops *ops;
	void *ctx;
	struct swin *win[SEAMLESS_WINDOWS];
	unsigned n;
	xcb_cursor_t cursor; /* the host's pointer shape, on every window; 0: the desk's */
	xcb_render_pictformat_t argb32; /* 0: not looked up yet, or none */
	bool no_render;
	int8_t shape_ok; /* the display has SHAPE: 1, 0 not, -1 not asked yet */
	bool restacked;	 /* the desk's order of these windows changed: tell it */
	long own_until;	 /* ms: the desk is carrying out ds_seamless_raise until then */
};

static struct seamless *to_s(struct ds_backend *b)
{
	return (struct seamless *)b;
}

static struct swin *by_id(struct seamless *s, uint32_t id)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->win[i]->id == id)
			return s->win[i];
	return NULL;
}

static struct swin *by_xw(struct seamless *s, xcb_window_t xw)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->win[i]->xw == xw)
			return s->win[i];
	return NULL;
}

static void make_xw(struct seamless *s, struct swin *w, int x, int y, int ww, int wh);
static void swin_free(struct seamless *s, struct swin *w);
static void apply_shape(struct seamless *s, struct swin *w, int k);

static int s_fd(struct ds_backend *b)
{
	return xcb_get_file_descriptor(to_s(b)->conn);
}

/* Send the surface's pixels in box (window coordinates) to the window. */
static void put(struct seamless *s, struct swin *w, int x, int y, int bw, int bh)
{
	pixman_image_t *img = ds_xsurf_image(w->surf);
	int iw = pixman_image_get_width(img), ih = pixman_image_get_height(img);
	int stride = pixman_image_get_stride(img);
	const uint8_t *data = (const uint8_t *)pixman_image_get_data(img);

	if (x < 0) {
		bw += x;
		x = 0;
	}
	if (y < 0) {
		bh += y;
		y = 0;
	}
	if (x + bw > iw)
		bw = iw - x;
	if (y + bh > ih)
		bh = ih - y;
	if (bw <= 0 || bh <= 0)
		return;
	/* Rows of the box in strips; each row of a strip copied tight. */
	int rows = PUT_STRIP_BYTES / (bw * 4) ? PUT_STRIP_BYTES / (bw * 4) : 1;
	uint8_t *buf = malloc((size_t)bw * 4 * (size_t)(rows < bh ? rows : bh));
	if (!buf)
		return;
	for (int yy = y; yy < y + bh; yy += rows) {
		int hh = yy + rows > y + bh ? y + bh - yy : rows;
		for (int r = 0; r < hh; r++)
			memcpy(buf + (size_t)r * bw * 4, data + (size_t)(yy + r) * stride + (size_t)x * 4,
			       (size_t)bw * 4);
		xcb_put_image(s->conn, XCB_IMAGE_FORMAT_Z_PIXMAP, w->xw, s->gc, (uint16_t)bw,
			      (uint16_t)hh, (int16_t)x, (int16_t)yy, 0, 24, (uint32_t)(bw * 4 * hh), buf);
	}
	free(buf);
}

/* Where the desk's window manager has a window: its corner on the root. */
static void root_pos(struct seamless *s, struct swin *w)
{
	xcb_translate_coordinates_reply_t *r = xcb_translate_coordinates_reply(
		s->conn, xcb_translate_coordinates(s->conn, w->xw, s->scr->root, 0, 0), NULL);

	if (r) {
		w->x = r->dst_x;
		w->y = r->dst_y;
		free(r);
	}
}

/* The desk's layout changed (setxkbmap, a layout switch): its keymap read
 * again, the old one kept if that fails, and the caller told (DS_EV_KEYMAP:
 * keys leave as this display's keycodes, so the host needs the new one). */
static void keymap_event(struct seamless *s, xcb_generic_event_t *e, ds_event_fn fn, void *ctx)
{
	struct xkb_keymap *km = ds_xkb_changed(&s->xkb, s->conn, e);

	if (!km)
		return;
	xkb_keymap_unref(s->xkb.keymap);
	s->xkb.keymap = km;
	s->base.keymap = km;
	if (fn)
		fn(ctx, &(struct ds_event){.type = DS_EV_KEYMAP, .time_us = base_now_ns() / 1000});
}

/* The root's child that holds xw: itself, or a window manager's frame
 * (its parent, or further up). Round trips, only when it is reparented. */
static xcb_window_t top_of(struct seamless *s, xcb_window_t xw)
{
	for (int depth = 0; depth < SEAMLESS_FRAME_DEPTH; depth++) {
		xcb_query_tree_reply_t *r = xcb_query_tree_reply(s->conn,
								 xcb_query_tree(s->conn, xw), NULL);
		if (!r)
			return xw;
		xcb_window_t parent = r->parent;
		free(r);
		if (parent == s->scr->root || parent == XCB_NONE)
			return xw;
		xw = parent;
	}
	return xw;
}

/* w was just framed where the host has it (static gravity): a frame
 * whose corner would be off the screen (a title bar above its top, for a
 * window the host has at 0,0) is moved in, its window with it; the move
 * is told to the host as any other. The frame's borders are where the
 * window sits in it: looked at until the window manager has put it there
 * (it may frame it first and decorate after), then never again, so a
 * window the person moves partly off the screen stays there. A window
 * asked for the full screen has no title bar to bring in (moved, it was
 * told to the host below and right of the screen's corner). */
static void frame_on_screen(struct seamless *s, struct swin *w)
{
	xcb_translate_coordinates_reply_t *r;

	if (!w->placing || w->top == w->xw || w->fullscreen)
		return;
	r = xcb_translate_coordinates_reply(
		s->conn, xcb_translate_coordinates(s->conn, w->xw, w->top, 0, 0), NULL);
	if (!r)
		return;
	if (r->dst_x > 0 || r->dst_y > 0) {
		w->placing = false;
		if (w->x < r->dst_x || w->y < r->dst_y) {
			uint32_t v[] = {(uint32_t)(w->x < r->dst_x ? r->dst_x : w->x),
					(uint32_t)(w->y < r->dst_y ? r->dst_y : w->y)};
			xcb_configure_window(s->conn, w->xw,
					     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y, v);
		}
	}
	free(r);
}

/* A child of the root was configured (c) or circulated (c NULL): one
 * that holds a window of ours and moved in the stack makes the order
 * worth telling. It moved when the sibling below it changed, or when
 * nothing else did (raised back above the same sibling after another
 * window went between). */
static void child_restacked(struct seamless *s, xcb_window_t child,
			    const xcb_configure_notify_event_t *c)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct swin *w = s->win[i];
		if (w->override || w->top != child)
			continue;
		if (!c || w->top_above != c->above_sibling ||
		    (w->top_x == c->x && w->top_y == c->y && w->top_w == c->width &&
		     w->top_h == c->height))
			s->restacked = true;
		if (c) {
			w->top_above = c->above_sibling;
			w->top_x = c->x;
			w->top_y = c->y;
			w->top_w = c->width;
			w->top_h = c->height;
		}
		return;
	}
}

/* The desk's order of our framed windows, bottom to top, to the owner. */
static void tell_stacking(struct seamless *s)
{
	uint32_t ids[SEAMLESS_WINDOWS];
	unsigned n = 0;
	xcb_query_tree_reply_t *r;

	if (!s->restacked || !s->ops || !s->ops->restacked || base_now_ms() < s->own_until)
		return;
	s->restacked = false;
	r = xcb_query_tree_reply(s->conn, xcb_query_tree(s->conn, s->scr->root), NULL);
	if (!r)
		return;
	xcb_window_t *kids = xcb_query_tree_children(r);
	int nk = xcb_query_tree_children_length(r);
	for (int k = 0; k < nk && n < SEAMLESS_WINDOWS; k++)
		for (unsigned i = 0; i < s->n; i++)
			if (!s->win[i]->override && s->win[i]->top == kids[k]) {
				/* as it is now: events of others' moves may have
				 * left it stale */
				s->win[i]->top_above = k ? kids[k - 1] : XCB_NONE;
				ids[n++] = s->win[i]->id;
				break;
			}
	free(r);
	s->ops->restacked(s->ctx, ids, n);
}

static int s_dispatch(struct ds_backend *b, ds_event_fn fn, void *ctx)
{
	struct seamless *s = to_s(b);
	xcb_generic_event_t *e;

	while ((e = xcb_poll_for_event(s->conn))) {
		uint8_t type = e->response_type & 0x7f;
		struct swin *w = NULL;
		if (s->xkb.event && type == s->xkb.event) {
			keymap_event(s, e, fn, ctx);
			free(e);
			continue;
		}
		switch (type) {
		case XCB_KEY_PRESS:
		case XCB_KEY_RELEASE: {
			xcb_key_press_event_t *k = (xcb_key_press_event_t *)e;
			if ((w = by_xw(s, k->event)) && s->ops && s->ops->key)
				s->ops->key(s->ctx, w->id, k->detail,
					    k->state & (WM_MOD_SHIFT | WM_MOD_CTRL | WM_MOD_ALT |
							WM_MOD_SUPER),
					    type == XCB_KEY_PRESS, ds_x_locks(k->state));
			break;
		}
		case XCB_BUTTON_PRESS:
		case XCB_BUTTON_RELEASE: {
			xcb_button_press_event_t *bp = (xcb_button_press_event_t *)e;
			if (type == XCB_BUTTON_PRESS) {
				s->press_x = bp->root_x;
				s->press_y = bp->root_y;
			}
			if ((w = by_xw(s, bp->event)) && s->ops && s->ops->pointer)
				s->ops->pointer(s->ctx, w->id, bp->event_x, bp->event_y, bp->detail,
						type == XCB_BUTTON_PRESS ? 1 : 2);
			break;
		}
		case XCB_MOTION_NOTIFY: {
			xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)e;
			if ((w = by_xw(s, m->event)) && s->ops && s->ops->pointer)
				s->ops->pointer(s->ctx, w->id, m->event_x, m->event_y, 0, 0);
			break;
		}
		case XCB_CONFIGURE_NOTIFY: {
			xcb_configure_notify_event_t *c = (xcb_configure_notify_event_t *)e;
			if (c->event != c->window) { /* a child of the root (SubstructureNotify) */
				child_restacked(s, c->window, c);
				break;
			}
			if (c->window == s->scr->root) { /* the screen's new size */
				/* Kept where windows are placed by it (xcb's copy
				 * of the setup is ours to read, never re-read). */
				s->scr->width_in_pixels = c->width;
				s->scr->height_in_pixels = c->height;
				if (s->ops && s->ops->screen)
					s->ops->screen(s->ctx, c->width, c->height);
				break;
			}
			if (!(w = by_xw(s, c->window)) || w->override)
				break;
			if (w->resizing && (int32_t)(e->full_sequence - w->resize_seq) < 0)
				break; /* from before the host's size: a later one comes */
			w->resizing = false;
			if (w->leaving && c->width == w->leave_w && c->height == w->leave_h)
				break;
			w->leaving = false;
			int ox = w->x, oy = w->y, ow = w->w, oh = w->h;
			w->w = c->width;
			w->h = c->height;
			root_pos(s, w);
			frame_on_screen(s, w);
			if ((ox != w->x || oy != w->y || ow != w->w || oh != w->h) && s->ops &&
			    s->ops->configure)
				s->ops->configure(s->ctx, w->id, w->x, w->y, w->w, w->h);
			break;
		}
		case XCB_DESTROY_NOTIFY: {
			/* Another program destroyed one (xdotool windowclose; a
			 * window ours destroys is out of the list first): it is
			 * made again where it was, as the host still has it,
			 * and the owner told; it decides what that means. */
			xcb_destroy_notify_event_t *d = (xcb_destroy_notify_event_t *)e;
			if (d->event != d->window || !(w = by_xw(s, d->window)))
				break;
			w->wm_places = false;
			w->placing = !w->override;
			w->resizing = false;
			w->top_above = 0;
			make_xw(s, w, w->x, w->y, w->w, w->h);
			s->restacked = true;
			if (s->ops && s->ops->destroyed)
				s->ops->destroyed(s->ctx, w->id);
			break;
		}
		case XCB_CIRCULATE_NOTIFY: {
			xcb_circulate_notify_event_t *c = (xcb_circulate_notify_event_t *)e;
			child_restacked(s, c->window, NULL);
			break;
		}
		case XCB_REPARENT_NOTIFY: {
			/* A window manager framed it (or let it go): its frame is
			 * what the root's stack has. */
			xcb_reparent_notify_event_t *r = (xcb_reparent_notify_event_t *)e;
			if (r->event == r->window && (w = by_xw(s, r->window)) && !w->override) {
				w->top = r->parent == s->scr->root ? w->xw : top_of(s, w->xw);
				w->top_above = 0;
				s->restacked = true;
				/* (one the window manager places is not moved after) */
				w->placing = w->placing && !w->wm_places;
				w->wm_places = false;
				frame_on_screen(s, w);
			}
			break;
		}
		case XCB_EXPOSE: {
			xcb_expose_event_t *x = (xcb_expose_event_t *)e;
			if ((w = by_xw(s, x->window)))
				put(s, w, x->x, x->y, x->width, x->height);
			break;
		}
		case XCB_FOCUS_IN: {
			xcb_focus_in_event_t *f = (xcb_focus_in_event_t *)e;
			if (f->mode == XCB_NOTIFY_MODE_NORMAL && (w = by_xw(s, f->event)) && s->ops &&
			    s->ops->focus)
				s->ops->focus(s->ctx, w->id);
			break;
		}
		case XCB_FOCUS_OUT: {
			/* A grab (the desk's window manager's Alt+F4, Alt+Tab)
			 * or another window took the keyboard: the keys held
			 * are released there, never here. */
			xcb_focus_out_event_t *f = (xcb_focus_out_event_t *)e;
			if (f->detail != XCB_NOTIFY_DETAIL_INFERIOR &&
			    f->detail != XCB_NOTIFY_DETAIL_POINTER && by_xw(s, f->event))
				fn(ctx, &(struct ds_event){.type = DS_EV_BLUR,
							   .time_us = base_now_ns() / 1000});
			break;
		}
		case XCB_CLIENT_MESSAGE: {
			xcb_client_message_event_t *cm = (xcb_client_message_event_t *)e;
			if (cm->type == s->wm_protocols && cm->format == 32 &&
			    cm->data.data32[0] == s->wm_delete &&
			    (w = by_xw(s, cm->window)) && s->ops && s->ops->close)
				s->ops->close(s->ctx, w->id);
			break;
		}
		default:
			break;
		}
		free(e);
	}
	tell_stacking(s);
	xcb_flush(s->conn);
	return xcb_connection_has_error(s->conn) ? -EPIPE : 0;
}

static pixman_image_t *s_framebuffer(struct ds_backend *b)
{
	return to_s(b)->fb;
}

static int s_present(struct ds_backend *b, pixman_region32_t *damage)
{
	(void)b;
	(void)damage;
	return 0; /* the windows are the output */
}

static void s_destroy(struct ds_backend *b)
{
	struct seamless *s = to_s(b);

	for (unsigned i = 0; i < s->n; i++)
		swin_free(s, s->win[i]);
	if (s->cursor)
		xcb_free_cursor(s->conn, s->cursor);
	if (s->fb)
		pixman_image_unref(s->fb);
	ds_xkb_finish(&s->xkb);
	xcb_disconnect(s->conn);
	free(s);
}

static const struct ds_backend_impl seamless_impl = {
	.name = "seamless", .get_fd = s_fd, .dispatch = s_dispatch,
	.framebuffer = s_framebuffer, .present = s_present, .destroy = s_destroy,
};

bool ds_seamless_screen_size(const char *display, unsigned *w, unsigned *h)
{
	int num;
	xcb_connection_t *c = xcb_connect(display, &num);
	bool ok = false;

	if (!xcb_connection_has_error(c)) {
		xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(c));
		for (; it.rem && num > 0; num--)
			xcb_screen_next(&it);
		if (it.data) {
			*w = it.data->width_in_pixels;
			*h = it.data->height_in_pixels;
			ok = true;
		}
	}
	xcb_disconnect(c);
	return ok;
}

struct ds_backend *ds_seamless_create(const char *display, char *err, size_t errn)
{
	struct seamless *s = calloc(1, sizeof *s);
	int num;

	if (!s) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	s->conn = xcb_connect(display, &num);
	if (xcb_connection_has_error(s->conn)) {
		snprintf(err, errn, "cannot open X display '%s'",
			 display ? display : getenv("DISPLAY") ? getenv("DISPLAY") : "");
		goto fail;
	}
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(s->conn));
	for (; it.rem && num > 0; num--)
		xcb_screen_next(&it);
	s->scr = it.data;
	if (!s->scr || s->scr->root_depth != 24) {
		snprintf(err, errn, "the X screen is not 24-bit TrueColor (depth %d)",
			 s->scr ? s->scr->root_depth : 0);
		goto fail;
	}
	if (ds_xkb_init(&s->xkb, s->conn, err, errn) < 0)
		goto fail;
	/* The root's children restacked: the desk's order of our windows;
	 * the root itself resized: the screen's size changed (RANDR). */
	uint32_t sub = XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY | XCB_EVENT_MASK_STRUCTURE_NOTIFY;
	xcb_change_window_attributes(s->conn, s->scr->root, XCB_CW_EVENT_MASK, &sub);
	s->wm_protocols = ds_x_atom(s->conn, "WM_PROTOCOLS");
	s->wm_delete = ds_x_atom(s->conn, "WM_DELETE_WINDOW");
	s->net_wm_name = ds_x_atom(s->conn, "_NET_WM_NAME");
	s->net_wm_icon_name = ds_x_atom(s->conn, "_NET_WM_ICON_NAME");
	s->utf8 = ds_x_atom(s->conn, "UTF8_STRING");
	s->net_wm_state = ds_x_atom(s->conn, "_NET_WM_STATE");
	s->net_wm_state_fullscreen = ds_x_atom(s->conn, "_NET_WM_STATE_FULLSCREEN");
	s->net_wm_state_max_vert = ds_x_atom(s->conn, "_NET_WM_STATE_MAXIMIZED_VERT");
	s->net_wm_state_max_horz = ds_x_atom(s->conn, "_NET_WM_STATE_MAXIMIZED_HORZ");
	s->net_wm_moveresize = ds_x_atom(s->conn, "_NET_WM_MOVERESIZE");
	s->motif_wm_hints = ds_x_atom(s->conn, "_MOTIF_WM_HINTS");
	s->gc = xcb_generate_id(s->conn);
	xcb_create_gc(s->conn, s->gc, s->scr->root, 0, NULL);
	s->fb = pixman_image_create_bits(PIXMAN_x8r8g8b8, TOKEN_FB_PX, TOKEN_FB_PX, NULL, 0);
	if (!s->fb) {
		snprintf(err, errn, "out of memory");
		goto fail;
	}
	s->shape_ok = -1;
	xcb_prefetch_extension_data(s->conn, &xcb_shape_id);
	s->base.impl = &seamless_impl;
	s->base.w = s->base.h = TOKEN_FB_PX;
	s->base.keymap = s->xkb.keymap;
	return &s->base;
fail:
	if (s->fb)
		pixman_image_unref(s->fb);
	ds_xkb_finish(&s->xkb);
	xcb_disconnect(s->conn);
	free(s);
	return NULL;
}

bool ds_seamless(const struct ds_backend *b)
{
	return b && b->impl == &seamless_impl;
}

void ds_seamless_size(const struct ds_backend *b, unsigned *w, unsigned *h)
{
	const struct seamless *s = (const struct seamless *)b;

	*w = s->scr->width_in_pixels;
	*h = s->scr->height_in_pixels;
}

void ds_seamless_set_ops(struct ds_backend *b, const struct ds_seamless_ops *ops, void *ctx)
{
	to_s(b)->ops = ops;
	to_s(b)->ctx = ctx;
}

static void set_text(struct seamless *s, xcb_window_t xw, xcb_atom_t prop, xcb_atom_t type,
		     const char *text, size_t n)
{
	xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, xw, prop, type, 8, (uint32_t)n, text);
}

/* m's props kept in w (each string cut to DS_TITLE_MAX_BYTES) */
static void keep_props(struct swin *w, const struct ds_seamless_win *m)
{
	w->m = *m;
	snprintf(w->title, sizeof w->title, "%s", m->title);
	snprintf(w->wm_class, sizeof w->wm_class, "%s", m->wm_class);
	snprintf(w->icon_name, sizeof w->icon_name, "%s", m->icon_name);
	snprintf(w->machine, sizeof w->machine, "%s", m->machine ? m->machine : "");
	w->m.title = w->title;
	w->m.wm_class = w->wm_class;
	w->m.icon_name = w->icon_name;
	w->m.machine = w->machine;
}

static void set_props(struct seamless *s, struct swin *w)
{
	const struct ds_seamless_win *m = &w->m;
	/* WM_CLASS "instance\0class\0": the host names the class; the
	 * instance is its lower case (XTerm's is xterm). */
	char cls[2 * DS_TITLE_MAX_BYTES + 4];
	size_t cn = strnlen(m->wm_class, DS_TITLE_MAX_BYTES);

	set_text(s, w->xw, XCB_ATOM_WM_NAME, s->utf8, m->title, strlen(m->title));
	set_text(s, w->xw, s->net_wm_name, s->utf8, m->title, strlen(m->title));
	set_text(s, w->xw, XCB_ATOM_WM_ICON_NAME, s->utf8, m->icon_name, strlen(m->icon_name));
	set_text(s, w->xw, s->net_wm_icon_name, s->utf8, m->icon_name, strlen(m->icon_name));
	if (m->machine && m->machine[0])
		set_text(s, w->xw, XCB_ATOM_WM_CLIENT_MACHINE, XCB_ATOM_STRING, m->machine,
			 strlen(m->machine));
	if (cn) {
		for (size_t i = 0; i < cn; i++)
			cls[i] = m->wm_class[i] >= 'A' && m->wm_class[i] <= 'Z'
					 ? (char)(m->wm_class[i] + 32)
					 : m->wm_class[i];
		cls[cn] = 0;
		memcpy(cls + cn + 1, m->wm_class, cn);
		cls[2 * cn + 1] = 0;
		set_text(s, w->xw, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING, cls, 2 * cn + 2);
	}
	uint32_t hints[18] = {0};
	/* Static gravity: the place is the window's own, not its frame's. A
	 * window manager that frames it (openbox, xfwm4) would otherwise put
	 * the frame's corner there, and the window, told back to the host,
	 * would creep down by a title bar at each view that shows it. */
	/* A window whose program asked for no place (no USPosition nor
	 * PPosition in its WM_NORMAL_HINTS): the desk's window manager
	 * places it, as it does ssh -X's, rather than every such window on
	 * one another where the host mapped it; where it went is told to
	 * the host, and kept from then on. */
	hints[0] = w->wm_places ? P_WIN_GRAVITY : US_POSITION | P_POSITION | P_WIN_GRAVITY;
	hints[1] = (uint32_t)w->x; /* where it is on this desk */
	hints[2] = (uint32_t)w->y;
	hints[17] = STATIC_GRAVITY;
	hints[3] = (uint32_t)m->w;
	hints[4] = (uint32_t)m->h;
	if (m->size.min_w || m->size.min_h) {
		hints[0] |= P_MIN_SIZE;
		hints[5] = m->size.min_w;
		hints[6] = m->size.min_h;
	}
	if (m->size.max_w || m->size.max_h) {
		hints[0] |= P_MAX_SIZE;
		hints[7] = m->size.max_w ? m->size.max_w : 32767;
		hints[8] = m->size.max_h ? m->size.max_h : 32767;
	}
	if (m->size.inc_w > 1 || m->size.inc_h > 1) {
		hints[0] |= P_RESIZE_INC;
		hints[9] = m->size.inc_w ? m->size.inc_w : 1;
		hints[10] = m->size.inc_h ? m->size.inc_h : 1;
	}
	if (m->size.base_w || m->size.base_h) {
		hints[0] |= P_BASE_SIZE;
		hints[15] = m->size.base_w;
		hints[16] = m->size.base_h;
	}
	xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, w->xw, XCB_ATOM_WM_NORMAL_HINTS,
			    XCB_ATOM_WM_SIZE_HINTS, 32, 18, hints);
	struct swin *t = m->transient_for ? by_id(s, m->transient_for) : NULL;
	if (t)
		xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, w->xw, XCB_ATOM_WM_TRANSIENT_FOR,
				    XCB_ATOM_WINDOW, 32, 1, &t->xw);
	xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, w->xw, s->wm_protocols, XCB_ATOM_ATOM,
			    32, 1, &s->wm_delete);
	/* No decorations, as its program asked (a GTK header bar is its
	 * title bar; framed, it had two), else the window manager's own. */
	const uint32_t motif[5] = {2, 0, 0, 0, 0}; /* flags: decorations; decorations: none */
	if (m->undecorated && !w->override)
		xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, w->xw, s->motif_wm_hints,
				    s->motif_wm_hints, 32, 5, motif);
	else
		xcb_delete_property(s->conn, w->xw, s->motif_wm_hints);
}

/* w's desk window made, at x, y, w x h on the root, and mapped. */
static void make_xw(struct seamless *s, struct swin *w, int x, int y, int ww, int wh)
{
	uint32_t values[] = {
		s->scr->black_pixel,
		w->override ? 1u : 0u,
		XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE |
			XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_BUTTON_RELEASE |
			XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_STRUCTURE_NOTIFY |
			XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_FOCUS_CHANGE,
		s->cursor,
	};

	w->xw = xcb_generate_id(s->conn);
	w->top = w->xw;
	xcb_create_window(s->conn, XCB_COPY_FROM_PARENT, w->xw, s->scr->root, (int16_t)x, (int16_t)y,
			  (uint16_t)ww, (uint16_t)wh, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
			  s->scr->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK |
				  (s->cursor ? XCB_CW_CURSOR : 0),
			  values);
	set_props(s, w);
	for (int k = 0; k < 2; k++)
		if (w->shape[k])
			apply_shape(s, w, k);
	/* The full screen or maximized its program asked the host for,
	 * asked of the desk's window manager as ssh -X's program would
	 * (EWMH: the state before the mapping, a message to the root after). */
	w->fullscreen = w->m.fullscreen && !w->override;
	w->maximized = w->m.maximized && !w->override;
	xcb_atom_t st[3];
	uint32_t n = 0;
	if (w->fullscreen)
		st[n++] = s->net_wm_state_fullscreen;
	if (w->maximized) {
		st[n++] = s->net_wm_state_max_vert;
		st[n++] = s->net_wm_state_max_horz;
	}
	if (n)
		xcb_change_property(s->conn, XCB_PROP_MODE_REPLACE, w->xw, s->net_wm_state,
				    XCB_ATOM_ATOM, 32, n, st);
	xcb_map_window(s->conn, w->xw);
	w->mapped = true;
}

static void swin_free(struct seamless *s, struct swin *w)
{
	xcb_destroy_window(s->conn, w->xw);
	free(w->shape[0]);
	free(w->shape[1]);
	free(w);
}

/* An EWMH message of w's to the desk's window manager (the root). */
static void send_wm(struct seamless *s, struct swin *w, xcb_atom_t type, const uint32_t d[5])
{
	xcb_client_message_event_t ev = {0};

	ev.response_type = XCB_CLIENT_MESSAGE;
	ev.format = 32;
	ev.window = w->xw;
	ev.type = type;
	memcpy(ev.data.data32, d, sizeof ev.data.data32);
	xcb_send_event(s->conn, 0, s->scr->root,
		       XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT | XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY,
		       (const char *)&ev);
}

/* _NET_WM_STATE's message for a mapped window: add or remove one or two
 * states, as a program's request (source 1). */
static void send_state(struct seamless *s, struct swin *w, bool add, xcb_atom_t a1, xcb_atom_t a2)
{
	send_wm(s, w, s->net_wm_state, (const uint32_t[5]){add ? 1 : 0, a1, a2, 1, 0});
}

void ds_seamless_moveresize(struct ds_backend *b, uint32_t id, int direction, int button)
{
	struct seamless *s = to_s(b);
	struct swin *w = by_id(s, id);
	xcb_query_pointer_reply_t *p;

	if (!w || w->override || button < 1 || button > 5)
		return;
	p = xcb_query_pointer_reply(s->conn, xcb_query_pointer(s->conn, s->scr->root), NULL);
	if (!p)
		return;
	/* (by keyboard, 9 and 10, no button need be down) */
	if (direction <= 8 && !(p->mask & (XCB_BUTTON_MASK_1 << (button - 1)))) {
		free(p);
		return;
	}
	/* The window manager grabs the pointer: ours, from the press in
	 * the window, would keep it from it. It is told where the press
	 * was, as the program told the host: the drag came after it, and
	 * from where the pointer is now, the window would lag behind it. */
	xcb_ungrab_pointer(s->conn, XCB_CURRENT_TIME);
	send_wm(s, w, s->net_wm_moveresize,
		(const uint32_t[5]){(uint32_t)(int32_t)s->press_x, (uint32_t)(int32_t)s->press_y,
				    (uint32_t)direction, (uint32_t)button, 1});
	free(p);
	xcb_flush(s->conn);
}

/* A mapped window's full screen or maximized changed on the host: asked
 * of the desk's window manager, before the host's new size (that of the
 * screen, or its own again) is asked of the window. */
static void ask_states(struct seamless *s, struct swin *w, bool fs, bool max)
{
	if (w->override || (w->fullscreen == fs && w->maximized == max))
		return;
	if ((w->fullscreen && !fs) || (w->maximized && !max)) {
		w->leaving = true;
		w->leave_w = w->w;
		w->leave_h = w->h;
	}
	if (w->fullscreen != fs)
		send_state(s, w, fs, s->net_wm_state_fullscreen, 0);
	if (w->maximized != max)
		send_state(s, w, max, s->net_wm_state_max_vert, s->net_wm_state_max_horz);
	w->fullscreen = fs;
	w->maximized = max;
}

/* An override-redirect window's place: its parent's corner on the desk
 * plus its offset from the parent on the host. */
static void override_place(struct seamless *s, struct swin *w, int *x, int *y)
{
	struct swin *p = w->transient_for ? by_id(s, w->transient_for) : NULL;

	/* A chain longer than the windows is a loop (windows transient for
	 * each other, as a host said): no parent, the host's place kept. */
	for (unsigned hops = 0; p && p->override && p->transient_for; hops++)
		p = hops < s->n ? by_id(s, p->transient_for) : NULL;
	*x = w->hx;
	*y = w->hy;
	if (p && !p->override) {
		*x = p->x + (w->hx - p->hx);
		*y = p->y + (w->hy - p->hy);
	}
}

int ds_seamless_map(struct ds_backend *b, const struct ds_seamless_win *m, struct ds_xsurf *surf)
{
	struct seamless *s = to_s(b);
	struct swin *w = by_id(s, m->id);
	int x, y;

	if (!w) {
		if (s->n == SEAMLESS_WINDOWS)
			return -ENOSPC;
		if (!(w = calloc(1, sizeof *w)))
			return -ENOMEM;
		w->id = m->id;
		w->override = m->override;
		w->transient_for = m->transient_for;
		w->surf = surf;
		w->hx = m->x;
		w->hy = m->y;
		w->w = m->w;
		w->h = m->h;
		w->x = m->x;
		w->y = m->y;
		w->placing = !m->override;
		w->wm_places = !m->override && !m->positioned;
		bool moved = false;
		if (w->override) {
			override_place(s, w, &x, &y);
		} else {
			/* A dialog comes by its window where the desk has that
			 * one: the host's place of it may be another's (a move
			 * on another desk, which this one does not follow), and
			 * the dialog showed there, away from it. */
			const struct swin *p = m->transient_for ? by_id(s, m->transient_for) : NULL;
			int dx = p && !p->override ? p->x - p->hx : 0;
			int dy = p && !p->override ? p->y - p->hy : 0;
			/* Shown whole on this screen: a window the host has
			 * beyond it comes in, and the host is told. */
			int sw = s->scr->width_in_pixels, sh = s->scr->height_in_pixels;
			x = m->x + dx + m->w > sw ? sw - m->w : m->x + dx;
			y = m->y + dy + m->h > sh ? sh - m->h : m->y + dy;
			x = x < 0 ? 0 : x;
			y = y < 0 ? 0 : y;
			moved = x != m->x + dx || y != m->y + dy;
			w->x = x;
			w->y = y;
		}
		s->win[s->n++] = w;
		keep_props(w, m);
		make_xw(s, w, x, y, m->w, m->h);
		xcb_flush(s->conn);
		if (moved && s->ops && s->ops->configure)
			s->ops->configure(s->ctx, w->id, x, y, w->w, w->h);
		return 0;
	}
	/* The host moved or resized it (its program did). */
	w->transient_for = m->transient_for;
	w->hx = m->x;
	w->hy = m->y;
	keep_props(w, m);
	set_props(s, w);
	ask_states(s, w, m->fullscreen, m->maximized);
	if (w->override) {
		override_place(s, w, &x, &y);
		uint32_t v[] = {(uint32_t)x, (uint32_t)y, m->w, m->h};
		xcb_configure_window(s->conn, w->xw,
				     XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y | XCB_CONFIG_WINDOW_WIDTH |
					     XCB_CONFIG_WINDOW_HEIGHT,
				     v);
	} else if (!w->fullscreen && !w->maximized && (m->w != w->w || m->h != w->h)) {
		/* (Full screen or maximized, the size is the desk's window
		 * manager's: a size asked then, openbox kept for after, and
		 * the window came back from the full screen at the screen's
		 * size.) */
		uint32_t v[] = {m->w, m->h};
		w->w = m->w;
		w->h = m->h;
		w->resize_seq = xcb_configure_window(s->conn, w->xw,
						     XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v)
					.sequence;
		w->resizing = true;
	}
	xcb_flush(s->conn);
	return 0;
}

void ds_seamless_unmap(struct ds_backend *b, uint32_t id)
{
	struct seamless *s = to_s(b);

	for (unsigned i = 0; i < s->n; i++) {
		if (s->win[i]->id != id)
			continue;
		swin_free(s, s->win[i]);
		s->win[i] = s->win[--s->n];
		xcb_flush(s->conn);
		return;
	}
}

void ds_seamless_draw(struct ds_backend *b, uint32_t id)
{
	struct seamless *s = to_s(b);
	struct swin *w = by_id(s, id);
	pixman_region32_t d;
	const pixman_box32_t *r;
	int n;

	if (!w)
		return;
	pixman_region32_init(&d);
	ds_xsurf_take_damage(w->surf, &d);
	r = pixman_region32_rectangles(&d, &n);
	for (int i = 0; i < n; i++)
		put(s, w, r[i].x1, r[i].y1, r[i].x2 - r[i].x1, r[i].y2 - r[i].y1);
	pixman_region32_fini(&d);
	xcb_flush(s->conn);
}

void ds_seamless_raise(struct ds_backend *b, uint32_t id)
{
	struct seamless *s = to_s(b);
	struct swin *w = by_id(s, id);
	uint32_t above = XCB_STACK_MODE_ABOVE;

	if (!w)
		return;
	s->own_until = base_now_ms() + DS_SEAMLESS_OWN_RESTACK_MS;
	/* A window manager gets it as a ConfigureRequest and decides. */
	xcb_configure_window(s->conn, w->xw, XCB_CONFIG_WINDOW_STACK_MODE, &above);
	xcb_flush(s->conn);
}

long ds_seamless_wait_ms(struct ds_backend *b)
{
	struct seamless *s = to_s(b);
	long now = base_now_ms();

	if (!s->restacked || !s->ops || !s->ops->restacked) /* as tell_stacking */
		return -1;
	return s->own_until > now ? s->own_until - now : 0;
}

uint32_t ds_seamless_window(struct ds_backend *b, uint32_t id)
{
	struct swin *w = by_id(to_s(b), id);

	return w ? w->xw : 0;
}

/* Shape kind k of w (1: input) as kept: its rectangles, or none. */
static void apply_shape(struct seamless *s, struct swin *w, int k)
{
	uint8_t kind = k ? XCB_SHAPE_SK_INPUT : XCB_SHAPE_SK_BOUNDING;

	if (w->shape[k])
		xcb_shape_rectangles(s->conn, XCB_SHAPE_SO_SET, kind, XCB_CLIP_ORDERING_YX_BANDED,
				     w->xw, 0, 0, w->nshape[k], w->shape[k]);
	else /* no mask: the window's own rectangle again */
		xcb_shape_mask(s->conn, XCB_SHAPE_SO_SET, kind, w->xw, 0, 0, XCB_PIXMAP_NONE);
}

void ds_seamless_shape(struct ds_backend *b, uint32_t id, bool input,
		       const pixman_region32_t *region)
{
	struct seamless *s = to_s(b);
	struct swin *w = by_id(s, id);
	const pixman_box32_t *r;
	xcb_rectangle_t *rects = NULL;
	int k = input ? 1 : 0, n = 0;

	if (!w)
		return;
	if (s->shape_ok < 0) {
		const xcb_query_extension_reply_t *ext = xcb_get_extension_data(s->conn, &xcb_shape_id);
		s->shape_ok = ext && ext->present;
	}
	if (!s->shape_ok)
		return;
	if (region) {
		r = pixman_region32_rectangles((pixman_region32_t *)region, &n);
		if (!(rects = malloc((size_t)(n ? n : 1) * sizeof *rects)))
			return; /* (the shape it had stays) */
		for (int i = 0; i < n; i++)
			rects[i] = (xcb_rectangle_t){(int16_t)r[i].x1, (int16_t)r[i].y1,
						     (uint16_t)(r[i].x2 - r[i].x1),
						     (uint16_t)(r[i].y2 - r[i].y1)};
	}
	free(w->shape[k]);
	w->shape[k] = rects;
	w->nshape[k] = (uint32_t)n;
	apply_shape(s, w, k);
	xcb_flush(s->conn);
}

/* Render's 32-bit ARGB picture format (a8r8g8b8), for cursors. */
static xcb_render_pictformat_t argb32(struct seamless *s)
{
	xcb_render_query_pict_formats_reply_t *r;
	xcb_render_pictforminfo_iterator_t it;

	if (s->argb32 || s->no_render)
		return s->argb32;
	r = xcb_render_query_pict_formats_reply(s->conn, xcb_render_query_pict_formats(s->conn),
						 NULL);
	s->no_render = true;
	if (!r)
		return 0;
	for (it = xcb_render_query_pict_formats_formats_iterator(r); it.rem;
	     xcb_render_pictforminfo_next(&it)) {
		const xcb_render_pictforminfo_t *f = it.data;
		if (f->depth == 32 && f->type == XCB_RENDER_PICT_TYPE_DIRECT &&
		    f->direct.alpha_mask == 0xff && f->direct.alpha_shift == 24 &&
		    f->direct.red_shift == 16 && f->direct.green_shift == 8 &&
		    f->direct.blue_shift == 0) {
			s->argb32 = f->id;
			s->no_render = false;
			break;
		}
	}
	free(r);
	return s->argb32;
}

int ds_seamless_cursor(struct ds_backend *b, const uint32_t *argb, int w, int h, int xhot,
		       int yhot)
{
	struct seamless *s = to_s(b);
	xcb_cursor_t cur = 0;

	if (argb) {
		xcb_render_pictformat_t fmt = argb32(s);
		xcb_pixmap_t pm;
		xcb_gcontext_t gc;
		xcb_render_picture_t pic;
		if (!fmt || w < 1 || h < 1 || w > 1024 || h > 1024 || (size_t)w * h * 4 > 256 * 1024)
			return -ENOTSUP;
		pm = xcb_generate_id(s->conn);
		xcb_create_pixmap(s->conn, 32, pm, s->scr->root, (uint16_t)w, (uint16_t)h);
		gc = xcb_generate_id(s->conn);
		xcb_create_gc(s->conn, gc, pm, 0, NULL);
		xcb_put_image(s->conn, XCB_IMAGE_FORMAT_Z_PIXMAP, pm, gc, (uint16_t)w, (uint16_t)h, 0,
			      0, 0, 32, (uint32_t)(w * h * 4), (const uint8_t *)argb);
		pic = xcb_generate_id(s->conn);
		xcb_render_create_picture(s->conn, pic, pm, fmt, 0, NULL);
		cur = xcb_generate_id(s->conn);
		xcb_render_create_cursor(s->conn, cur, pic, (uint16_t)(xhot < 0 ? 0 : xhot),
					 (uint16_t)(yhot < 0 ? 0 : yhot));
		xcb_render_free_picture(s->conn, pic);
		xcb_free_gc(s->conn, gc);
		xcb_free_pixmap(s->conn, pm);
	}
	for (unsigned i = 0; i < s->n; i++)
		xcb_change_window_attributes(s->conn, s->win[i]->xw, XCB_CW_CURSOR,
					     &(uint32_t){cur});
	if (s->cursor)
		xcb_free_cursor(s->conn, s->cursor);
	s->cursor = cur;
	xcb_flush(s->conn);
	return 0;
}
