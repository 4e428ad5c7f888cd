/* The x11 backend: one window on the user's display through xcb. Frames
 * go out with MIT-SHM (the framebuffer is the shared segment; a put is
 * followed by a round trip so the next frame does not draw into memory the
 * server is still reading); without SHM, plain PutImage in strips. Keys
 * through xkbcommon-x11 with the user's keymap; the pointer as deltas
 * between motion events (the X server has accelerated them), drawn by the
 * compositor, the X cursor hidden inside the window. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <xcb/xkb.h>
#include <xkbcommon/xkbcommon-compose.h>
#include <xkbcommon/xkbcommon-x11.h>

#include "base.h"
#include "ds_int.h"

#define MAX_SIDE 8192
#define PUT_STRIP_BYTES (256 * 1024) /* under any server's request limit */

struct x11 {
	struct ds_backend base;
	xcb_connection_t *conn;
	xcb_window_t win;
	xcb_gcontext_t gc;
	uint8_t depth;
	xcb_atom_t wm_delete, wm_protocols;
	bool shm;
	xcb_shm_seg_t seg;
	void *mem;
	pixman_image_t *fb;
	struct ds_xkb xkb;
	struct xkb_state *state;
	/* Dead keys and Multi_key sequences, from the locale's compose
	 * table (none: keys as they are). */
	struct xkb_compose_table *compose_table;
	struct xkb_compose_state *compose;
	bool have_pos;
	int px, py;
	bool gone; /* the window was destroyed: nothing more to draw */
};

static void free_fb(struct x11 *x)
{
	if (x->fb)
		pixman_image_unref(x->fb);
	x->fb = NULL;
	if (x->shm && x->mem) {
		xcb_shm_detach(x->conn, x->seg);
		shmdt(x->mem);
	} else {
		free(x->mem);
	}
	x->mem = NULL;
}

static int make_fb(struct x11 *x, int w, int h)
{
	size_t size = (size_t)w * (size_t)h * 4;

	if (x->shm) {
		int id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
		xcb_generic_error_t *e;
		if (id < 0)
			return -errno;
		x->mem = shmat(id, NULL, 0);
		if (x->mem == (void *)-1) {
			x->mem = NULL;
			shmctl(id, IPC_RMID, NULL);
			return -errno;
		}
		x->seg = xcb_generate_id(x->conn);
		e = xcb_request_check(x->conn, xcb_shm_attach_checked(x->conn, x->seg, (uint32_t)id, 0));
		/* Marked for removal now: it goes when both sides detach, even
		 * if this process dies. */
		shmctl(id, IPC_RMID, NULL);
		if (e) {
			free(e);
			shmdt(x->mem);
			x->mem = NULL;
			x->shm = false;
		}
	}
	if (!x->mem && !(x->mem = malloc(size)))
		return -ENOMEM;
	x->fb = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, x->mem, w * 4);
	if (!x->fb) {
		free_fb(x);
		return -ENOMEM;
	}
	x->base.w = w;
	x->base.h = h;
	return 0;
}

static int x_fd(struct ds_backend *b)
{
	return xcb_get_file_descriptor(((struct x11 *)b)->conn);
}

static void key_event(struct x11 *x, xcb_key_press_event_t *k, bool pressed, ds_event_fn fn,
		      void *ctx)
{
	struct ds_event ev = {.type = DS_EV_KEY, .pressed = pressed, .time_us = base_now_ns() / 1000,
			      .locks = ds_x_locks(k->state)};
	uint32_t locked = k->state & (XCB_MOD_MASK_LOCK | XCB_MOD_MASK_2);

	/* The event's modifier state stands for xkb's: latches are rare
	 * enough in a terminal that this keeps the code to one call. */
	xkb_state_update_mask(x->state, k->state & ~locked, 0, locked, 0, 0,
			      (k->state >> 13) & 3);
	ev.keysym = xkb_state_key_get_one_sym(x->state, k->detail);
	ev.keycode = k->detail; /* X windows take keys as the display's keycodes */
	ev.codepoint = xkb_keysym_to_utf32(ev.keysym);
	/* A dead key or a compose sequence types nothing until it ends,
	 * then its character; the keysym stays the key's own (an X window
	 * on a host composes for itself from its keycodes). */
	if (pressed && x->compose &&
	    xkb_compose_state_feed(x->compose, ev.keysym) == XKB_COMPOSE_FEED_ACCEPTED) {
		switch (xkb_compose_state_get_status(x->compose)) {
		case XKB_COMPOSE_COMPOSING:
			ev.codepoint = 0;
			break;
		case XKB_COMPOSE_COMPOSED:
			ev.codepoint = xkb_keysym_to_utf32(xkb_compose_state_get_one_sym(x->compose));
			xkb_compose_state_reset(x->compose);
			break;
		case XKB_COMPOSE_CANCELLED: /* the key that broke the sequence is dropped, as GTK does */
			ev.codepoint = 0;
			xkb_compose_state_reset(x->compose);
			break;
		case XKB_COMPOSE_NOTHING:
			break;
		}
	}
	ev.mods = k->state & (WM_MOD_SHIFT | WM_MOD_CTRL | WM_MOD_ALT | WM_MOD_SUPER);
	if (ev.keysym != XKB_KEY_NoSymbol)
		fn(ctx, &ev);
}

/* The display's layout changed: its keymap and state read again (the old
 * ones kept if that fails). */
static void xkb_event(struct x11 *x, xcb_generic_event_t *e, ds_event_fn fn, void *ctx)
{
	struct xkb_keymap *km = ds_xkb_changed(&x->xkb, x->conn, e);
	struct xkb_state *st = km ? xkb_x11_state_new_from_device(km, x->conn, x->xkb.dev) : NULL;

	if (!st) {
		xkb_keymap_unref(km);
		return;
	}
	xkb_state_unref(x->state);
	xkb_keymap_unref(x->xkb.keymap);
	x->xkb.keymap = km;
	x->state = st;
	x->base.keymap = km;
	fn(ctx, &(struct ds_event){.type = DS_EV_KEYMAP, .time_us = base_now_ns() / 1000});
}

static void motion(struct x11 *x, int px, int py, ds_event_fn fn, void *ctx)
{
	struct ds_event ev = {.time_us = base_now_ns() / 1000};

	if (!x->have_pos) {
		ev.type = DS_EV_POINTER;
		ev.x = px;
		ev.y = py;
	} else {
		ev.type = DS_EV_MOTION;
		ev.dx = px - x->px;
		ev.dy = py - x->py;
	}
	x->have_pos = true;
	x->px = px;
	x->py = py;
	fn(ctx, &ev);
}

static int x_dispatch(struct ds_backend *b, ds_event_fn fn, void *ctx)
{
	struct x11 *x = (struct x11 *)b;
	xcb_generic_event_t *e;

	while ((e = xcb_poll_for_event(x->conn))) {
		switch (e->response_type & 0x7f) {
		case XCB_KEY_PRESS:
		case XCB_KEY_RELEASE:
			key_event(x, (xcb_key_press_event_t *)e,
				  (e->response_type & 0x7f) == XCB_KEY_PRESS, fn, ctx);
			break;
		case XCB_MOTION_NOTIFY: {
			xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)e;
			motion(x, m->event_x, m->event_y, fn, ctx);
			break;
		}
		case XCB_FOCUS_OUT:
		case XCB_FOCUS_IN: {
			/* Out: the keys held are released where the focus went.
			 * In: the desktop's focused window has the person again. */
			xcb_focus_out_event_t *f = (xcb_focus_out_event_t *)e;
			if (f->detail != XCB_NOTIFY_DETAIL_INFERIOR &&
			    f->detail != XCB_NOTIFY_DETAIL_POINTER)
				fn(ctx, &(struct ds_event){.type = (e->response_type & 0x7f) ==
										   XCB_FOCUS_IN
									   ? DS_EV_FOCUS
									   : DS_EV_BLUR,
							   .time_us = base_now_ns() / 1000});
			break;
		}
		case XCB_ENTER_NOTIFY: {
			xcb_enter_notify_event_t *m = (xcb_enter_notify_event_t *)e;
			x->have_pos = false; /* it came back somewhere else */
			motion(x, m->event_x, m->event_y, fn, ctx);
			break;
		}
		case XCB_BUTTON_PRESS:
		case XCB_BUTTON_RELEASE: {
			xcb_button_press_event_t *bp = (xcb_button_press_event_t *)e;
			struct ds_event ev = {.type = DS_EV_BUTTON, .button = bp->detail,
					      .pressed = (e->response_type & 0x7f) == XCB_BUTTON_PRESS,
					      .mods = bp->state & (WM_MOD_SHIFT | WM_MOD_CTRL | WM_MOD_ALT | WM_MOD_SUPER),
					      .time_us = base_now_ns() / 1000};
			motion(x, bp->event_x, bp->event_y, fn, ctx);
			fn(ctx, &ev);
			break;
		}
		case XCB_CONFIGURE_NOTIFY: {
			xcb_configure_notify_event_t *c = (xcb_configure_notify_event_t *)e;
			if ((c->width != b->w || c->height != b->h) && c->width > 0 && c->height > 0 &&
			    c->width <= MAX_SIDE && c->height <= MAX_SIDE) {
				free_fb(x);
				if (make_fb(x, c->width, c->height) < 0) {
					free(e);
					return -ENOMEM;
				}
				fn(ctx, &(struct ds_event){.type = DS_EV_RESIZE, .w = b->w, .h = b->h});
			}
			break;
		}
		case XCB_EXPOSE:
			fn(ctx, &(struct ds_event){.type = DS_EV_RESIZE, .w = b->w, .h = b->h});
			break;
		case XCB_DESTROY_NOTIFY:
			/* Destroyed under us (xdotool windowclose, a window
			 * manager): the same as the user closing it. */
			if (((xcb_destroy_notify_event_t *)e)->window == x->win) {
				x->gone = true;
				fn(ctx, &(struct ds_event){.type = DS_EV_CLOSE});
			}
			break;
		case XCB_CLIENT_MESSAGE: {
			xcb_client_message_event_t *cm = (xcb_client_message_event_t *)e;
			/* Only WM_PROTOCOLS' WM_DELETE_WINDOW (any desk
			 * program can send a message to any window). */
			if (cm->type == x->wm_protocols && cm->format == 32 &&
			    cm->data.data32[0] == x->wm_delete)
				fn(ctx, &(struct ds_event){.type = DS_EV_CLOSE});
			break;
		}
		default:
			if (x->xkb.event && (e->response_type & 0x7f) == x->xkb.event)
				xkb_event(x, e, fn, ctx);
			break;
		}
		free(e);
	}
	return xcb_connection_has_error(x->conn) ? -EPIPE : 0;
}

static pixman_image_t *x_framebuffer(struct ds_backend *b)
{
	return ((struct x11 *)b)->fb;
}

static int x_present(struct ds_backend *b, pixman_region32_t *damage)
{
	struct x11 *x = (struct x11 *)b;
	int n;
	const pixman_box32_t *r = pixman_region32_rectangles(damage, &n);

	if (x->gone)
		return 0;
	for (int i = 0; i < n; i++) {
		uint16_t w = (uint16_t)(r[i].x2 - r[i].x1), h = (uint16_t)(r[i].y2 - r[i].y1);
		if (x->shm) {
			xcb_shm_put_image(x->conn, x->win, x->gc, (uint16_t)b->w, (uint16_t)b->h,
					  (uint16_t)r[i].x1, (uint16_t)r[i].y1, w, h, (int16_t)r[i].x1,
					  (int16_t)r[i].y1, x->depth, XCB_IMAGE_FORMAT_Z_PIXMAP, 0, x->seg,
					  0);
			continue;
		}
		/* Whole rows in strips: PutImage takes a contiguous block. */
		int rows = PUT_STRIP_BYTES / (b->w * 4) ? PUT_STRIP_BYTES / (b->w * 4) : 1;
		for (int y = r[i].y1; y < r[i].y2; y += rows) {
			int hh = y + rows > r[i].y2 ? r[i].y2 - y : rows;
			xcb_put_image(x->conn, XCB_IMAGE_FORMAT_Z_PIXMAP, x->win, x->gc, (uint16_t)b->w,
				      (uint16_t)hh, 0, (int16_t)y, 0, x->depth,
				      (uint32_t)(b->w * 4 * hh),
				      (const uint8_t *)x->mem + (size_t)y * (size_t)b->w * 4);
		}
	}
	/* A round trip: the server has read the segment when it answers. */
	free(xcb_get_input_focus_reply(x->conn, xcb_get_input_focus(x->conn), NULL));
	return xcb_connection_has_error(x->conn) ? -EPIPE : 0;
}

static void x_destroy(struct ds_backend *b)
{
	struct x11 *x = (struct x11 *)b;

	free_fb(x);
	xkb_state_unref(x->state);
	xkb_compose_state_unref(x->compose);
	xkb_compose_table_unref(x->compose_table);
	ds_xkb_finish(&x->xkb);
	xcb_disconnect(x->conn);
	free(x);
}

static const struct ds_backend_impl x11_impl = {
	.name = "x11", .get_fd = x_fd, .dispatch = x_dispatch,
	.framebuffer = x_framebuffer, .present = x_present, .destroy = x_destroy,
};

/* A round trip: for the few atoms a backend names at its start. */
xcb_atom_t ds_x_atom(xcb_connection_t *c, const char *name)
{
	xcb_intern_atom_reply_t *r =
		xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_NONE;

	free(r);
	return a;
}

/* XKB's word that the keyboard's layout changed: a new keyboard (its
 * keycodes), or a new map (setxkbmap, xmodmap, xdotool's remapping). */
static void listen_keyboard(struct ds_xkb *k, xcb_connection_t *c)
{
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(c, &xcb_xkb_id);
	uint16_t map = XCB_XKB_MAP_PART_KEY_TYPES | XCB_XKB_MAP_PART_KEY_SYMS |
		       XCB_XKB_MAP_PART_MODIFIER_MAP | XCB_XKB_MAP_PART_EXPLICIT_COMPONENTS |
		       XCB_XKB_MAP_PART_KEY_ACTIONS | XCB_XKB_MAP_PART_VIRTUAL_MODS |
		       XCB_XKB_MAP_PART_VIRTUAL_MOD_MAP;
	xcb_xkb_select_events_details_t details = {
		.affectNewKeyboard = XCB_XKB_NKN_DETAIL_KEYCODES,
		.newKeyboardDetails = XCB_XKB_NKN_DETAIL_KEYCODES,
	};

	if (!ext || !ext->present)
		return;
	k->event = ext->first_event;
	xcb_xkb_select_events_aux(c, (xcb_xkb_device_spec_t)k->dev,
				  XCB_XKB_EVENT_TYPE_NEW_KEYBOARD_NOTIFY | XCB_XKB_EVENT_TYPE_MAP_NOTIFY,
				  0, 0, map, map, &details);
}

/* The compose table of the locale that says how text is encoded
 * (LC_ALL, LC_CTYPE, LANG as xkbcommon reads them); with none, or C, the
 * UTF-8 one. NULL: no composing. */
static struct xkb_compose_table *compose_table(struct xkb_context *ctx)
{
	const char *env[] = {"LC_ALL", "LC_CTYPE", "LANG"};
	const char *loc = NULL;
	struct xkb_compose_table *t = NULL;

	for (size_t i = 0; i < 3 && !loc; i++)
		if (getenv(env[i]) && *getenv(env[i]))
			loc = getenv(env[i]);
	if (loc && strcmp(loc, "C") && strcmp(loc, "POSIX"))
		t = xkb_compose_table_new_from_locale(ctx, loc, XKB_COMPOSE_COMPILE_NO_FLAGS);
	if (!t)
		t = xkb_compose_table_new_from_locale(ctx, "C.UTF-8", XKB_COMPOSE_COMPILE_NO_FLAGS);
	if (!t)
		t = xkb_compose_table_new_from_locale(ctx, "en_US.UTF-8", XKB_COMPOSE_COMPILE_NO_FLAGS);
	return t;
}

int ds_xkb_init(struct ds_xkb *k, xcb_connection_t *c, char *err, size_t errn)
{
	*k = (struct ds_xkb){.dev = -1};
	if (!xkb_x11_setup_xkb_extension(c, XKB_X11_MIN_MAJOR_XKB_VERSION,
					 XKB_X11_MIN_MINOR_XKB_VERSION,
					 XKB_X11_SETUP_XKB_EXTENSION_NO_FLAGS, NULL, NULL, NULL, NULL)) {
		snprintf(err, errn, "the X server has no XKB extension");
		return -1;
	}
	if (!(k->ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS)) ||
	    (k->dev = xkb_x11_get_core_keyboard_device_id(c)) < 0 ||
	    !(k->keymap = xkb_x11_keymap_new_from_device(k->ctx, c, k->dev,
							 XKB_KEYMAP_COMPILE_NO_FLAGS))) {
		snprintf(err, errn, "cannot read the X server's keymap");
		ds_xkb_finish(k);
		return -1;
	}
	listen_keyboard(k, c);
	return 0;
}

void ds_xkb_finish(struct ds_xkb *k)
{
	xkb_keymap_unref(k->keymap);
	xkb_context_unref(k->ctx);
	*k = (struct ds_xkb){.dev = -1};
}

struct xkb_keymap *ds_xkb_changed(const struct ds_xkb *k, xcb_connection_t *c,
				  const xcb_generic_event_t *e)
{
	const struct {
		uint8_t response_type, xkb_type;
		uint16_t sequence;
		xcb_timestamp_t time;
		uint8_t device;
	} *any = (const void *)e;

	if (any->device != k->dev)
		return NULL;
	if (any->xkb_type == XCB_XKB_NEW_KEYBOARD_NOTIFY) {
		const xcb_xkb_new_keyboard_notify_event_t *n = (const void *)e;
		if (!(n->changed & XCB_XKB_NKN_DETAIL_KEYCODES))
			return NULL;
	} else if (any->xkb_type != XCB_XKB_MAP_NOTIFY) {
		return NULL;
	}
	return xkb_x11_keymap_new_from_device(k->ctx, c, k->dev, XKB_KEYMAP_COMPILE_NO_FLAGS);
}

static int setup_keyboard(struct x11 *x, char *err, size_t errn)
{
	if (ds_xkb_init(&x->xkb, x->conn, err, errn) < 0)
		return -1;
	if (!(x->state = xkb_x11_state_new_from_device(x->xkb.keymap, x->conn, x->xkb.dev))) {
		snprintf(err, errn, "cannot read the X server's keymap");
		return -1;
	}
	x->compose_table = compose_table(x->xkb.ctx);
	if (x->compose_table)
		x->compose = xkb_compose_state_new(x->compose_table, XKB_COMPOSE_STATE_NO_FLAGS);
	return 0;
}

struct ds_backend *ds_x11_create(const char *display, int w, int h, const char *title,
				 char *err, size_t errn)
{
	struct x11 *x = calloc(1, sizeof *x);
	const xcb_setup_t *setup;
	xcb_screen_t *scr;
	int num;
	const xcb_query_extension_reply_t *shm;
	xcb_pixmap_t blank;
	xcb_cursor_t cursor;

	if (!x) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	if (w < 64 || h < 64 || w > MAX_SIDE || h > MAX_SIDE) {
		snprintf(err, errn, "size %dx%d is out of range (64x64 to %dx%d)", w, h, MAX_SIDE,
			 MAX_SIDE);
		free(x);
		return NULL;
	}
	x->conn = xcb_connect(display, &num);
	if (xcb_connection_has_error(x->conn)) {
		snprintf(err, errn, "cannot open X display '%s'",
			 display ? display : getenv("DISPLAY") ? getenv("DISPLAY") : "");
		goto fail;
	}
	setup = xcb_get_setup(x->conn);
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(setup);
	for (; it.rem && num > 0; num--)
		xcb_screen_next(&it);
	scr = it.data;
	if (!scr || scr->root_depth != 24) {
		snprintf(err, errn, "the X screen is not 24-bit TrueColor (depth %d)",
			 scr ? scr->root_depth : 0);
		goto fail;
	}
	x->depth = scr->root_depth;
	if (setup_keyboard(x, err, errn) < 0)
		goto fail;
	shm = xcb_get_extension_data(x->conn, &xcb_shm_id);
	x->shm = shm && shm->present;
	x->win = xcb_generate_id(x->conn);
	uint32_t values[] = {
		scr->black_pixel,
		XCB_EVENT_MASK_KEY_PRESS | XCB_EVENT_MASK_KEY_RELEASE | XCB_EVENT_MASK_BUTTON_PRESS |
			XCB_EVENT_MASK_BUTTON_RELEASE | XCB_EVENT_MASK_POINTER_MOTION |
			XCB_EVENT_MASK_ENTER_WINDOW | XCB_EVENT_MASK_STRUCTURE_NOTIFY |
			XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_FOCUS_CHANGE,
	};
	xcb_create_window(x->conn, XCB_COPY_FROM_PARENT, x->win, scr->root, 0, 0, (uint16_t)w,
			  (uint16_t)h, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values);
	xcb_change_property(x->conn, XCB_PROP_MODE_REPLACE, x->win, XCB_ATOM_WM_NAME,
			    XCB_ATOM_STRING, 8, (uint32_t)strlen(title), title);
	x->wm_delete = ds_x_atom(x->conn, "WM_DELETE_WINDOW");
	x->wm_protocols = ds_x_atom(x->conn, "WM_PROTOCOLS");
	xcb_change_property(x->conn, XCB_PROP_MODE_REPLACE, x->win, x->wm_protocols, XCB_ATOM_ATOM,
			    32, 1, &x->wm_delete);
	/* An empty cursor: the compositor draws the pointer. */
	blank = xcb_generate_id(x->conn);
	xcb_create_pixmap(x->conn, 1, blank, x->win, 1, 1);
	cursor = xcb_generate_id(x->conn);
	xcb_create_cursor(x->conn, cursor, blank, blank, 0, 0, 0, 0, 0, 0, 0, 0);
	xcb_change_window_attributes(x->conn, x->win, XCB_CW_CURSOR, &cursor);
	xcb_free_cursor(x->conn, cursor);
	xcb_free_pixmap(x->conn, blank);
	x->gc = xcb_generate_id(x->conn);
	xcb_create_gc(x->conn, x->gc, x->win, 0, NULL);
	if (make_fb(x, w, h) < 0) {
		snprintf(err, errn, "cannot make a %dx%d framebuffer", w, h);
		goto fail;
	}
	xcb_map_window(x->conn, x->win);
	xcb_flush(x->conn);
	x->base.impl = &x11_impl;
	x->base.soft_cursor = true;
	x->base.accelerated = true;
	x->base.keymap = x->xkb.keymap;
	return &x->base;

fail:
	xkb_state_unref(x->state);
	xkb_compose_state_unref(x->compose);
	xkb_compose_table_unref(x->compose_table);
	ds_xkb_finish(&x->xkb);
	xcb_disconnect(x->conn);
	free(x);
	return NULL;
}
