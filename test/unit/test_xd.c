/* xdisplay against a real X server (skipped, 77, without one): a
 * window's changed pixels are read in one trip to the X server (the
 * damage's subtract and the MIT-SHM reads go out together, the
 * rectangles known from the damage events), and they are the right
 * pixels; the display's size changed through RANDR (Xorg), and Xvfb's
 * refusal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xcb/randr.h>
#include <xcb/xcb.h>
#include <xcb/shape.h>
#include <xcb/xfixes.h>

#include "base.h"
#include "unit.h"
#include "xd.h"

#define TEST_DEADLINE_MS 10000
#define WIN_W 200
#define WIN_H 100

struct t {
	int display;
	uint32_t win; /* the client's window, once xd reports it */
	bool damaged;
	unsigned pictures;
	uint32_t at_in, at_out; /* pixels at (35,45) and (5,5), from the last read */
	struct xd_rect last[8];
	size_t nlast;
	bool lost;
	/* Each window's first report and its latest (placed-first-report). */
	struct seen {
		uint32_t id;
		bool positioned, last_positioned;
		char title[32], last_title[32];
		uint32_t last_above; /* the mapped window right below it, last told */
		unsigned reports;
	} seen[4];
	size_t nseen;
	/* Each kind's shape (XD_SHAPE_*) as last told for the window: its
	 * first rectangles, how many, and how many times told. */
	struct {
		bool shaped;
		size_t n;
		struct xd_rect r[4];
		unsigned told;
	} shape[2];
	unsigned shapes_any; /* bounding shapes told shaped, of any window */
	uint32_t cursor_serial; /* the pointer's shape last told */
	uint16_t cursor_w, cursor_h;
	/* Set: a damaged window is read at once, in the damage's own turn
	 * (as the daemon may), not before the next dispatch. */
	struct xd *read_at_once;
	/* Each selection's text as last told (selections-both-incr): its
	 * length, and whether every byte is the one its owner wrote. */
	size_t sel_len[2];
	bool sel_same[2];
	unsigned sel_told[2];
	/* The display's clients as last counted (clients-shown), and how
	 * many counts came. */
	struct xd_clients clients;
	unsigned counts;
};

static void on_ready(void *ctx, int display)
{
	((struct t *)ctx)->display = display;
}

static void on_window(void *ctx, const struct xd_window *w)
{
	struct t *t = ctx;

	if (w->w == WIN_W && w->h == WIN_H)
		t->win = w->id;
	size_t i;
	for (i = 0; i < t->nseen && t->seen[i].id != w->id; i++)
		;
	if (i == t->nseen && t->nseen < 4) {
		t->seen[t->nseen++] = (struct seen){.id = w->id, .positioned = w->positioned};
		snprintf(t->seen[i].title, sizeof t->seen[i].title, "%s", w->title);
	}
	if (i < t->nseen) {
		snprintf(t->seen[i].last_title, sizeof t->seen[i].last_title, "%s", w->title);
		t->seen[i].last_positioned = w->positioned;
		t->seen[i].last_above = w->above;
		t->seen[i].reports++;
	}
}

static void on_damaged(void *ctx, uint32_t id)
{
	struct t *t = ctx;

	if (id == t->win)
		t->damaged = true;
	if (id == t->win && t->read_at_once && xd_capture(t->read_at_once, id, false))
		t->damaged = false;
}

static void on_pixels(void *ctx, uint32_t id, const uint32_t *pix, uint16_t w, uint16_t h,
		      size_t stride, const struct xd_rect *rects, size_t n)
{
	struct t *t = ctx;

	if (id != t->win || w < WIN_W || h < WIN_H)
		return;
	t->pictures++;
	t->at_in = pix[45 * (stride / 4) + 35] & 0xffffff;
	t->at_out = pix[5 * (stride / 4) + 5] & 0xffffff;
	t->nlast = n < 8 ? n : 8;
	memcpy(t->last, rects, t->nlast * sizeof *rects);
}

static void on_lost(void *ctx, const char *why)
{
	fprintf(stderr, "display lost: %s\n", why);
	((struct t *)ctx)->lost = true;
}

static void on_cursor(void *ctx, const struct xd_cursor *c)
{
	struct t *t = ctx;

	t->cursor_serial = c->serial;
	t->cursor_w = c->w;
	t->cursor_h = c->h;
}

static void on_shape(void *ctx, const struct xd_shape *s)
{
	struct t *t = ctx;

	if (s->kind == XD_SHAPE_BOUNDING && s->shaped)
		t->shapes_any++;
	if (s->id != t->win || s->kind < 0 || s->kind > 1)
		return;
	t->shape[s->kind].shaped = s->shaped;
	t->shape[s->kind].n = s->n;
	memcpy(t->shape[s->kind].r, s->rects, (s->n < 4 ? s->n : 4) * sizeof *s->rects);
	t->shape[s->kind].told++;
}

static void on_selection(void *ctx, int sel, const char *text, size_t n)
{
	struct t *t = ctx;
	const char want = sel ? 'p' : 'f';
	size_t k = 0;

	if (sel < 0 || sel > 1)
		return;
	while (k < n && text[k] == want)
		k++;
	t->sel_len[sel] = n;
	t->sel_same[sel] = k == n;
	t->sel_told[sel]++;
}

static void on_clients(void *ctx, const struct xd_clients *c)
{
	struct t *t = ctx;

	if (c)
		t->clients = *c;
	t->counts++;
}

static const struct xd_ops ops = {
	.clients = on_clients,
	.selection = on_selection,
	.cursor = on_cursor,
	.shape = on_shape,
	.ready = on_ready,
	.window = on_window,
	.damaged = on_damaged,
	.pixels = on_pixels,
	.lost = on_lost,
};

/* Runs xd's side until cond holds (or the deadline): true if it did.
 * A damaged window is read at once, as the daemon does for an input. */
static bool until(struct xd *xd, struct t *t, bool (*cond)(const struct t *))
{
	long end = base_now_ms() + TEST_DEADLINE_MS;

	while (!cond(t) && !t->lost && base_now_ms() < end) {
		if (t->damaged && t->win && xd_capture(xd, t->win, false))
			t->damaged = false;
		int r;
		while ((r = xd_dispatch(xd)) == 1)
			;
		if (r < 0 || cond(t))
			break;
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		poll(&p, 1, 50);
	}
	return cond(t);
}

static bool is_ready(const struct t *t)
{
	return t->display >= 0;
}

static bool has_window(const struct t *t)
{
	return t->win && t->pictures > 0 && t->at_in == 0xffffff;
}

static bool rect_read(const struct t *t)
{
	return t->at_in == 0;
}

/* A display of the server kind asked (skipped, 77, without one) in a new
 * folder dir, ready (checked), its name in dpy and its cookie in
 * XAUTHORITY: NULL if it did not start. */
static struct xd *ready_display_ring(char *dir, struct t *t, enum xd_server server,
				     unsigned ring_max, char *dpy, size_t n)
{
	struct xd_config cfg = {.dir = dir, .name = "t", .width = 640, .height = 480,
				.server = server, .ring_max = ring_max};
	struct xd *xd = NULL;
	char err[300];

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return NULL;
	}
	if (xd_create(&cfg, &ops, t, &xd, err, sizeof err) < 0) {
		printf("no Xvfb: %s\n", err);
		rmdir(dir);
		exit(77);
	}
	CHECK(until(xd, t, is_ready));
	snprintf(dpy, n, ":%d", t->display);
	setenv("XAUTHORITY", xd_auth_path(xd), 1);
	return xd;
}

static struct xd *ready_display(char *dir, struct t *t, enum xd_server server, char *dpy,
				size_t n)
{
	return ready_display_ring(dir, t, server, 0, dpy, n);
}

/* A client of the display (checked): NULL if it cannot connect. */
static xcb_connection_t *client_of(const char *dpy)
{
	xcb_connection_t *c = xcb_connect(dpy, NULL);

	CHECK(c && !xcb_connection_has_error(c));
	if (c && xcb_connection_has_error(c)) {
		xcb_disconnect(c);
		c = NULL;
	}
	return c;
}

static bool three_seen(const struct t *t)
{
	return t->nseen >= 3;
}

static const struct seen *seen_of(const struct t *t, uint32_t id)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (t->seen[i].id == id)
			return &t->seen[i];
	return NULL;
}

static uint32_t moved_id;
static bool moved_positioned(const struct t *t)
{
	const struct seen *s = seen_of(t, moved_id);
	return s && s->last_positioned;
}

/* A window is told once its properties are in: its first report has its
 * title and whether its program asked for its place (USPosition), also
 * for one whose hints are cut short (none asked); one a desk moved is
 * told as placed from then on. Before, the first report came at the
 * map, with no title yet. */
static void placed_first_report(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = ready_display(dir, &t, XD_SERVER_XVFB, dpy, sizeof dpy);
	static const char *const titles[3] = {"asked", "none", "cut"};
	uint32_t win[3];

	if (!xd)
		return;
	xcb_connection_t *c = client_of(dpy);
	if (!c)
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	for (int i = 0; i < 3; i++) {
		uint32_t hints[18] = {i == 0 ? 1u : 16u, 0, 0, 0, 0, 10, 10}; /* USPosition; PMinSize */
		win[i] = xcb_generate_id(c);
		xcb_create_window(c, XCB_COPY_FROM_PARENT, win[i], s->root, (int16_t)(50 + 40 * i),
				  60, 80, 60, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0,
				  NULL);
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win[i], XCB_ATOM_WM_NAME,
				    XCB_ATOM_STRING, 8, (uint32_t)strlen(titles[i]), titles[i]);
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win[i], XCB_ATOM_WM_NORMAL_HINTS,
				    XCB_ATOM_WM_SIZE_HINTS, 32, i == 2 ? 5 : 18, hints);
		xcb_map_window(c, win[i]);
	}
	xcb_flush(c);
	CHECK(until(xd, &t, three_seen));
	for (int i = 0; i < 3; i++) {
		const struct seen *w = seen_of(&t, win[i]);
		CHECK(w != NULL);
		if (!w)
			continue;
		CHECK(!strcmp(w->title, titles[i]));
		CHECK_EQ(w->positioned, i == 0);
	}
	/* Moved by a desk: placed from then on. */
	moved_id = win[1];
	CHECK_EQ(xd_configure(xd, win[1], 1, 300, 200, 0, 0), 0);
	CHECK(until(xd, &t, moved_positioned));
	xcb_disconnect(c);
out:
	xd_destroy(xd);
	rmdir(dir);
}

static void client_sync(xcb_connection_t *c);
static bool win_told(const struct t *t)
{
	return t->win != 0;
}

static unsigned counts_want;
static bool counted(const struct t *t)
{
	return t->counts >= counts_want;
}

/* The display's clients counted (xd_clients_ask), once answered. */
static struct xd_clients count_clients(struct xd *xd, struct t *t)
{
	counts_want = t->counts + 1;
	xd_clients_ask(xd);
	CHECK(until(xd, t, counted));
	return t->clients;
}

/* A client counts as showing a window once one of its was mapped, as
 * long as that window exists (unmapped again: still); one that holds
 * CLIPBOARD with no window shown is told apart (xclip -i); one with
 * neither counts as showing nothing (dbus-launch: a window never
 * mapped), since the first count that found it so. */
static void clients_shown(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = ready_display(dir, &t, XD_SERVER_XVFB, dpy, sizeof dpy);
	xcb_connection_t *a = NULL, *b = NULL;

	if (!xd)
		return;
	if (!(a = client_of(dpy)) || !(b = client_of(dpy)))
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(a)).data;
	uint32_t wa = xcb_generate_id(a), wb = xcb_generate_id(b);
	xcb_create_window(a, XCB_COPY_FROM_PARENT, wa, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_create_window(b, XCB_COPY_FROM_PARENT, wb, s->root, 0, 0, 1, 1, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_intern_atom_reply_t *clip =
		xcb_intern_atom_reply(b, xcb_intern_atom(b, 0, 9, "CLIPBOARD"), NULL);
	CHECK(clip != NULL);
	if (!clip)
		goto out;
	xcb_set_selection_owner(b, wb, clip->atom, XCB_CURRENT_TIME);
	free(clip);
	client_sync(a);
	client_sync(b);
	struct xd_clients c = count_clients(xd, &t);
	CHECK_EQ(c.shown, 0);
	CHECK_EQ(c.holding, 1);
	CHECK_EQ(c.unshown, 1);
	CHECK(c.unshown_since > 0);
	long first = c.unshown_since;
	/* Mapped: a's window shows. */
	xcb_map_window(a, wa);
	xcb_flush(a);
	CHECK(until(xd, &t, win_told));
	c = count_clients(xd, &t);
	CHECK_EQ(c.shown, 1);
	CHECK_EQ(c.holding, 1);
	CHECK_EQ(c.unshown, 0);
	/* Unmapped (withdrawn): it showed one, which still exists. */
	xcb_unmap_window(a, wa);
	client_sync(a);
	c = count_clients(xd, &t);
	CHECK_EQ(c.shown, 1);
	/* Destroyed: a shows nothing now, from this count on (its window
	 * went: a new one has its time to come), and keeps that time. */
	xcb_destroy_window(a, wa);
	client_sync(a);
	c = count_clients(xd, &t);
	CHECK_EQ(c.shown, 0);
	CHECK_EQ(c.unshown, 1);
	CHECK(c.unshown_since >= first); /* (the same ms, on a fast server) */
	first = c.unshown_since;
	c = count_clients(xd, &t);
	CHECK_EQ(c.unshown_since, first);
	/* b gone: nothing holds a copy (a count may come while the server
	 * lets it go: it lists b a moment after its copy went). */
	xcb_disconnect(b);
	b = NULL;
	for (long end = base_now_ms() + TEST_DEADLINE_MS; base_now_ms() < end;) {
		c = count_clients(xd, &t);
		if (!c.holding && c.unshown == 1)
			break;
	}
	CHECK_EQ(c.holding, 0);
	CHECK_EQ(c.unshown, 1);
out:
	if (a)
		xcb_disconnect(a);
	if (b)
		xcb_disconnect(b);
	xd_destroy(xd);
	rmdir(dir);
}

/* A ready display (XD_SERVER_AUTO) in a new folder dir and a client of
 * it: NULL (xd destroyed, dir removed) if either did not come. */
static xcb_connection_t *display_client(char *dir, struct t *t, struct xd **xd)
{
	char dpy[32];
	xcb_connection_t *c;

	if (!(*xd = ready_display(dir, t, XD_SERVER_AUTO, dpy, sizeof dpy)))
		return NULL;
	if (!(c = client_of(dpy))) {
		xd_destroy(*xd);
		rmdir(dir);
	}
	return c;
}

static void read_one_trip(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct t t = {.display = -1};
	struct xd_counts before, after;
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);

	if (!c)
		return;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	uint32_t win = xcb_generate_id(c), gc = xcb_generate_id(c);
	uint32_t white = s->white_pixel, black = s->black_pixel;
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, XCB_CW_BACK_PIXEL, &white);
	xcb_create_gc(c, gc, win, XCB_GC_FOREGROUND, &black);
	xcb_map_window(c, win);
	xcb_flush(c);
	CHECK(until(xd, &t, has_window));

	/* A small change: the damage says where; one trip reads it. */
	xd_counts(xd, &before);
	xcb_rectangle_t r = {30, 40, 20, 10};
	xcb_poly_fill_rectangle(c, win, gc, 1, &r);
	xcb_flush(c);
	CHECK(until(xd, &t, rect_read));
	xd_counts(xd, &after);
	CHECK(after.reads > before.reads);
	CHECK_EQ(after.read_trips - before.read_trips, after.reads - before.reads);
	CHECK_EQ(t.at_out, 0xffffff); /* the rest of the picture kept */
	/* Only the change was read, not the window. */
	for (size_t i = 0; i < t.nlast; i++)
		CHECK(t.last[i].w * t.last[i].h < WIN_W * WIN_H / 4);
	xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

static uint32_t last_cursor;
static bool last_cursor_told(const struct t *t)
{
	return t->cursor_serial == last_cursor;
}

/* A program that changes its cursor 500 times at once: the shape is read
 * once a question is answered, not once a change (each a question and an
 * image of up to 256 KiB, hundreds in one turn of the daemon's loop), and
 * the last one is told. */
static void cursor_coalesced(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct t t = {.display = -1};
	struct xd_counts before, after;
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);

	if (!c)
		return;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_font_t font = xcb_generate_id(c);
	free(xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 5, 0), NULL));
	xcb_open_font(c, font, 6, "cursor");
	CHECK(until(xd, &t, is_ready)); /* (the first shape told) */
	xd_counts(xd, &before);
	for (unsigned i = 0; i < 500; i++) {
		xcb_cursor_t cur = xcb_generate_id(c);
		xcb_create_glyph_cursor(c, cur, font, font, (uint16_t)(2 * (i % 70)),
					(uint16_t)(2 * (i % 70) + 1), 0, 0, 0, 0xffff, 0xffff, 0xffff);
		xcb_change_window_attributes(c, s->root, XCB_CW_CURSOR, &cur);
		xcb_free_cursor(c, cur);
	}
	xcb_xfixes_get_cursor_image_reply_t *img =
		xcb_xfixes_get_cursor_image_reply(c, xcb_xfixes_get_cursor_image(c), NULL);
	CHECK(img != NULL);
	last_cursor = img ? img->cursor_serial : 0;
	free(img);
	CHECK(until(xd, &t, last_cursor_told));
	xd_counts(xd, &after);
	printf("500 cursor changes: %llu shapes read\n",
	       (unsigned long long)(after.cursor_reads - before.cursor_reads));
	CHECK(after.cursor_reads - before.cursor_reads < 100);
	xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

static void settle(struct xd *xd);

static bool bounding_two(const struct t *t)
{
	return t->shape[XD_SHAPE_BOUNDING].shaped && t->shape[XD_SHAPE_BOUNDING].n == 2;
}

static bool input_none(const struct t *t)
{
	return t->shape[XD_SHAPE_INPUT].shaped && t->shape[XD_SHAPE_INPUT].n == 0;
}

static bool bounding_box(const struct t *t)
{
	return t->shape[XD_SHAPE_BOUNDING].shaped && t->shape[XD_SHAPE_BOUNDING].n == 1;
}

static bool bounding_none(const struct t *t)
{
	return !t->shape[XD_SHAPE_BOUNDING].shaped;
}

/* A shaped window (X SHAPE): its bounding and input shapes are told as
 * rectangles of the window; one of more than XD_SHAPE_MAX_RECTS as its
 * bounding box; a window that unshapes is told so. 300 changes at once
 * are told far fewer times (only the latest shape is read), and the last
 * one told is the last set. An unshaped window is told nothing. */
static void shape_told(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct t t = {.display = -1};
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);

	if (!c)
		return;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	uint32_t win = xcb_generate_id(c), white = s->white_pixel;
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, XCB_CW_BACK_PIXEL, &white);
	xcb_map_window(c, win);
	xcb_flush(c);
	CHECK(until(xd, &t, has_window));
	settle(xd);
	CHECK_EQ(t.shape[0].told + t.shape[1].told, 0);

	/* Two rectangles, one reaching past the window: cut to it. */
	xcb_rectangle_t two[2] = {{0, 0, 50, 20}, {150, 80, 100, 100}};
	xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING, XCB_CLIP_ORDERING_UNSORTED,
			     win, 0, 0, 2, two);
	xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_INPUT, XCB_CLIP_ORDERING_UNSORTED,
			     win, 0, 0, 0, NULL);
	xcb_flush(c);
	CHECK(until(xd, &t, bounding_two));
	CHECK(until(xd, &t, input_none));
	const struct xd_rect *r = t.shape[XD_SHAPE_BOUNDING].r;
	CHECK(r[0].x == 0 && r[0].y == 0 && r[0].w == 50 && r[0].h == 20);
	CHECK(r[1].x == 150 && r[1].y == 80 && r[1].w == 50 && r[1].h == 20);

	/* 300 changes at once, the last one a single rectangle. */
	unsigned before = t.shape[XD_SHAPE_BOUNDING].told;
	for (int i = 0; i < 300; i++) {
		xcb_rectangle_t one[2] = {{0, 0, (uint16_t)(1 + i % 100), 10}, {0, 50, 5, 5}};
		xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING,
				     XCB_CLIP_ORDERING_UNSORTED, win, 0, 0, i == 299 ? 1 : 2, one);
	}
	xcb_flush(c);
	CHECK(until(xd, &t, bounding_box));
	settle(xd);
	printf("300 shape changes: told %u times\n", t.shape[XD_SHAPE_BOUNDING].told - before);
	CHECK(t.shape[XD_SHAPE_BOUNDING].told - before < 100);
	CHECK(bounding_box(&t) && r[0].w == 100 && r[0].h == 10);

	/* A checkerboard 10 px in: 7200 rectangles, told as their bounding
	 * box (one that is the whole window would be told unshaped). */
	static xcb_rectangle_t many[WIN_W * WIN_H / 2];
	size_t n = 0;
	for (int y = 10; y < WIN_H - 10; y++)
		for (int x = 10 + y % 2; x < WIN_W - 10; x += 2)
			many[n++] = (xcb_rectangle_t){(int16_t)x, (int16_t)y, 1, 1};
	xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING, XCB_CLIP_ORDERING_UNSORTED,
			     win, 0, 0, (uint32_t)n, many);
	xcb_flush(c);
	t.shape[XD_SHAPE_BOUNDING].n = 0;
	CHECK(until(xd, &t, bounding_box));
	CHECK(r[0].x == 10 && r[0].y == 10 && r[0].w == WIN_W - 20 && r[0].h == WIN_H - 20);

	/* Unshaped: told so. */
	xcb_shape_mask(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING, win, 0, 0, XCB_PIXMAP_NONE);
	xcb_flush(c);
	CHECK(until(xd, &t, bounding_none));
	CHECK_EQ(t.shape[XD_SHAPE_BOUNDING].n, 0);
	xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

/* Windows whose shapes are of many rectangles, all changed at once: one
 * xd_dispatch takes at most about XD_ANSWER_BYTES_PER_DISPATCH (1 MiB)
 * of the answers, and says to be called again, so that the daemon's
 * loop serves its other sessions and desks between them. Before, it
 * took every answer the server had for it in one call: here 48 shapes
 * of 8192 rectangles, 3 MiB (80 of 16128, 10 MiB, took 50-107 ms of the
 * loop's time). Every window is still told its shape. */
#define SHAPES_WINDOWS 48
#define SHAPES_W 512
#define SHAPES_H 33
static bool shapes_all_told(const struct t *t)
{
	return t->shapes_any >= SHAPES_WINDOWS;
}

static void shapes_answers_bounded(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct t t = {.display = -1};
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);
	static xcb_rectangle_t board[SHAPES_W * SHAPES_H / 2];
	uint32_t win[SHAPES_WINDOWS];
	struct xd_counts counts;
	size_t n = 0;

	if (!c)
		return;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	for (int y = 1; y < SHAPES_H; y++) /* (row 0 left out: a shape, not the whole window) */
		for (int x = y % 2; x < SHAPES_W; x += 2)
			board[n++] = (xcb_rectangle_t){(int16_t)x, (int16_t)y, 1, 1};
	for (int i = 0; i < SHAPES_WINDOWS; i++) {
		win[i] = xcb_generate_id(c);
		xcb_create_window(c, XCB_COPY_FROM_PARENT, win[i], s->root, (int16_t)(4 * i), 0,
				  SHAPES_W, SHAPES_H, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
				  s->root_visual, 0, NULL);
		xcb_map_window(c, win[i]);
	}
	client_sync(c);
	settle(xd);
	/* Under a grab, xd's questions about the new shapes wait; once it
	 * ends, the server answers them together. */
	xcb_grab_server(c);
	client_sync(c);
	for (int i = 0; i < SHAPES_WINDOWS; i++)
		xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, XCB_SHAPE_SK_BOUNDING,
				     XCB_CLIP_ORDERING_YX_BANDED, win[i], 0, 0, (uint32_t)n, board);
	client_sync(c);
	for (int i = 0; i < 4; i++) { /* the notices taken, the questions sent */
		while (xd_dispatch(xd) == 1)
			;
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		poll(&p, 1, 50);
	}
	xcb_ungrab_server(c);
	client_sync(c);
	CHECK(until(xd, &t, shapes_all_told));
	xd_counts(xd, &counts);
	printf("%d shapes of %zu rectangles: one dispatch took at most %llu bytes of answers\n",
	       SHAPES_WINDOWS, n, (unsigned long long)counts.dispatch_answer_bytes_max);
	CHECK(counts.dispatch_answer_bytes_max <= (3u << 19)); /* the budget and one answer */
	xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

/* The client's requests done by the server (a round trip). */
static void client_sync(xcb_connection_t *c)
{
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}

/* Root's cursor made a glyph of the cursor font (the server's own shape
 * for it): its serial, as the server tells it. */
static uint32_t root_cursor_glyph(xcb_connection_t *c, xcb_window_t root, xcb_font_t font,
				  uint16_t glyph)
{
	xcb_cursor_t cur = xcb_generate_id(c);
	xcb_create_glyph_cursor(c, cur, font, font, glyph, (uint16_t)(glyph + 1), 0, 0, 0, 0xffff,
				0xffff, 0xffff);
	xcb_change_window_attributes(c, root, XCB_CW_CURSOR, &cur);
	xcb_free_cursor(c, cur);
	xcb_xfixes_get_cursor_image_reply_t *img =
		xcb_xfixes_get_cursor_image_reply(c, xcb_xfixes_get_cursor_image(c), NULL);
	uint32_t serial = img ? img->cursor_serial : 0;
	free(img);
	return serial;
}

/* xd's side run until its descriptor has been quiet for a moment: what
 * the server sent it so far is taken. */
static void settle(struct xd *xd)
{
	for (int i = 0; i < 100; i++) {
		while (xd_dispatch(xd) == 1)
			;
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		if (poll(&p, 1, 100) <= 0)
			return;
	}
}

/* Window win titled prefix and i. */
static void name_window(xcb_connection_t *c, uint32_t win, const char *prefix, int i)
{
	char name[16];

	snprintf(name, sizeof name, "%s%d", prefix, i);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    (uint32_t)strlen(name), name);
}

/* n windows of 20x20 side by side, each titled prefix and its index
 * (prefix NULL: none), mapped under a grab the caller ends: xd's
 * questions about them wait unanswered, and its ring of answers fills. */
static void grab_and_map(struct xd *xd, xcb_connection_t *c, xcb_screen_t *s, uint32_t *win,
			 int n, bool override, const char *prefix)
{
	uint32_t on = 1;

	xcb_grab_server(c);
	client_sync(c);
	for (int i = 0; i < n; i++) {
		win[i] = xcb_generate_id(c);
		xcb_create_window(c, XCB_COPY_FROM_PARENT, win[i], s->root, (int16_t)(30 * i), 0,
				  20, 20, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual,
				  override ? XCB_CW_OVERRIDE_REDIRECT : 0, override ? &on : NULL);
		if (prefix)
			name_window(c, win[i], prefix, i);
		xcb_map_window(c, win[i]);
	}
	client_sync(c);
	settle(xd);
}

/* The pointer's shape changed while the ring of answers awaited was full
 * (a grabbed server answers nothing; the ring is made small here, as a
 * display that maps windows by the hundred fills the full one): it is
 * asked once the ring has room, and the desk gets the shape now. Before,
 * the change was lost: the shape before it stayed until the program
 * changed it again. */
static void cursor_ring_full(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = ready_display_ring(dir, &t, XD_SERVER_XVFB, 24, dpy, sizeof dpy);

	if (!xd)
		return;
	xcb_connection_t *c = client_of(dpy);
	if (!c)
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_font_t font = xcb_generate_id(c);
	free(xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 5, 0), NULL));
	xcb_open_font(c, font, 6, "cursor");
	last_cursor = root_cursor_glyph(c, s->root, font, 2);
	CHECK(until(xd, &t, last_cursor_told));

	/* Grabbed: windows mapped, each an answer per property asked, none
	 * answered: the ring fills. Then the shape changes. */
	uint32_t win[4];
	grab_and_map(xd, c, s, win, 4, true, NULL);
	last_cursor = root_cursor_glyph(c, s->root, font, 60);
	settle(xd);
	xcb_ungrab_server(c);
	xcb_flush(c);
	CHECK(until(xd, &t, last_cursor_told));
	xcb_disconnect(c);
out:
	xd_destroy(xd);
	rmdir(dir);
}

static bool titles_renamed(const struct t *t)
{
	unsigned n = 0;

	for (size_t i = 0; i < t->nseen; i++)
		n += t->seen[i].last_title[0] == 'v';
	return n == 4;
}

/* Windows mapped and titled while the reply ring is full (a grab holds
 * every answer): each title is told once there is room. Before, a
 * property asked while the ring was full was never asked again: the
 * last windows kept no title (their desk frames said nothing). */
static void props_ring_full(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = ready_display_ring(dir, &t, XD_SERVER_XVFB, 24, dpy, sizeof dpy);

	if (!xd)
		return;
	xcb_connection_t *c = client_of(dpy);
	if (!c)
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	uint32_t win[4];
	grab_and_map(xd, c, s, win, 4, false, "w");
	/* Renamed while the ring is still full: the change is owed too. */
	for (int i = 0; i < 4; i++)
		name_window(c, win[i], "v", i);
	client_sync(c);
	settle(xd);
	xcb_ungrab_server(c);
	xcb_flush(c);
	CHECK(until(xd, &t, titles_renamed));
	for (int i = 0; i < 4; i++) {
		const struct seen *w = seen_of(&t, win[i]);
		char want[8];
		snprintf(want, sizeof want, "v%d", i);
		CHECK(w && !strcmp(w->last_title, want));
	}
	xcb_disconnect(c);
out:
	xd_destroy(xd);
	rmdir(dir);
}

static bool large_cursor_told(const struct t *t)
{
	return t->cursor_serial == last_cursor && t->cursor_w == 300;
}

/* A cursor larger than 256 a side (300x280) is told, whole, for the
 * daemon to make it smaller (xd_prop_cursor_fit); one past
 * XD_CURSOR_MAX_DIM is not. Before, anything over 256 was dropped: the
 * desk kept the shape before it. */
/* Whether the file at path holds text (what the test's stderr logged). */
static bool log_has(const char *path, const char *text)
{
	char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, text) != NULL;
}

static void cursor_large(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", logf[64];
	struct t t = {.display = -1};
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);

	if (!c)
		return;
	/* The log (stderr) kept apart, read below; shown again at the end. */
	snprintf(logf, sizeof logf, "%s/log", dir);
	int saved = dup(2), lf = open(logf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	CHECK(saved >= 0 && lf >= 0 && dup2(lf, 2) == 2);
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	free(xcb_xfixes_query_version_reply(c, xcb_xfixes_query_version(c, 5, 0), NULL));
	uint32_t sides[2][2] = {{300, 280}, {XD_CURSOR_MAX_DIM + 1, 8}};
	uint32_t serials[2] = {0};
	for (int k = 0; k < 2; k++) {
		xcb_pixmap_t bm = xcb_generate_id(c);
		xcb_gcontext_t gc = xcb_generate_id(c);
		xcb_cursor_t cur = xcb_generate_id(c);
		uint32_t one = 1;
		xcb_create_pixmap(c, 1, bm, s->root, (uint16_t)sides[k][0], (uint16_t)sides[k][1]);
		xcb_create_gc(c, gc, bm, XCB_GC_FOREGROUND, &one);
		xcb_rectangle_t all = {0, 0, (uint16_t)sides[k][0], (uint16_t)sides[k][1]};
		xcb_poly_fill_rectangle(c, bm, gc, 1, &all);
		xcb_create_cursor(c, cur, bm, bm, 0, 0, 0, 0xffff, 0xffff, 0xffff, 5, 5);
		xcb_change_window_attributes(c, s->root, XCB_CW_CURSOR, &cur);
		xcb_free_cursor(c, cur);
		xcb_free_gc(c, gc);
		xcb_free_pixmap(c, bm);
		xcb_xfixes_get_cursor_image_reply_t *img =
			xcb_xfixes_get_cursor_image_reply(c, xcb_xfixes_get_cursor_image(c), NULL);
		CHECK(img && img->width == sides[k][0] && img->height == sides[k][1]);
		serials[k] = img ? img->cursor_serial : 0;
		free(img);
		if (k == 0) {
			last_cursor = serials[0];
			CHECK(until(xd, &t, large_cursor_told));
			CHECK_EQ(t.cursor_h, 280);
		}
	}
	/* Past the bound: not told (the one before stays), and said in the
	 * log, once (before, nothing said why the desk's pointer was
	 * wrong). */
	settle(xd);
	CHECK(t.cursor_serial != serials[1]);
	CHECK(log_has(logf, "past 1024 a side or malformed: its desks keep the shape before"));
	xcb_disconnect(c);
	xd_destroy(xd);
	if (saved >= 0)
		dup2(saved, 2);
	if (saved >= 0)
		close(saved);
	if (lf >= 0)
		close(lf);
	FILE *f = fopen(logf, "r");
	for (int ch; f && (ch = fgetc(f)) != EOF;)
		fputc(ch, stderr);
	if (f)
		fclose(f);
	unlink(logf);
	rmdir(dir);
}

static unsigned pictures_before;
static bool new_picture(const struct t *t)
{
	return t->pictures > pictures_before;
}

static bool old_picture(const struct t *t)
{
	return t->win && t->pictures > 0 && t->at_in == 0x336699;
}

/* A window destroyed while it is read, and its id given at once to a
 * new window (a program names its windows as it likes): the new one's
 * first picture is its own. The program grabs the server so that the old
 * read's answer and the new window's damage reach xd together, and the
 * new window is read in its damage's turn. Before, the old read's answer
 * was taken as the new read's (the same window id): the new window was
 * shown with the old one's pixels, and its own read's answers were lost. */
static void read_id_reused(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct t t = {.display = -1};
	struct xd *xd;
	xcb_connection_t *c = display_client(dir, &t, &xd);

	if (!c)
		return;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	uint32_t win = xcb_generate_id(c), old_px = 0x336699, v[2] = {s->white_pixel, 1};
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, XCB_CW_BACK_PIXEL, &old_px);
	xcb_map_window(c, win);
	xcb_flush(c);
	CHECK(until(xd, &t, old_picture));

	xcb_grab_server(c);
	client_sync(c);
	CHECK(xd_capture(xd, win, true)); /* sent; the server reads it only after the grab */
	xcb_destroy_window(c, win);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT, v);
	xcb_map_window(c, win);
	client_sync(c);
	settle(xd); /* the old window gone, the new one mapped */
	CHECK(!xd_busy(xd, win));
	pictures_before = t.pictures;
	t.damaged = false;
	t.read_at_once = xd;
	xcb_ungrab_server(c);
	client_sync(c);
	/* The old read's answer and the new window's damage (the first
	 * words of its properties' answers after them) in xd's socket. */
	long end = base_now_ms() + TEST_DEADLINE_MS;
	int queued = 0;
	while (base_now_ms() < end && ioctl(xd_socket(xd), FIONREAD, &queued) == 0 && queued < 320) {
		struct pollfd p = {.fd = xd_socket(xd), .events = POLLIN};
		poll(&p, 1, 10);
	}
	CHECK(queued >= 320);
	CHECK(until(xd, &t, new_picture));
	CHECK_EQ(t.at_in, 0xffffff);
	xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

static uint32_t late_id;
static bool late_told(const struct t *t)
{
	return seen_of(t, late_id) != NULL;
}

static uint32_t under_id;
static bool late_under(const struct t *t)
{
	const struct seen *l = seen_of(t, late_id), *u = seen_of(t, under_id);
	return l && u && u->last_above == late_id;
}

/* The root's children bottom to top: whether id is the lowest. */
static bool lowest(xcb_connection_t *c, xcb_window_t root, xcb_window_t id)
{
	xcb_query_tree_reply_t *r = xcb_query_tree_reply(c, xcb_query_tree(c, root), NULL);
	bool low = r && xcb_query_tree_children_length(r) > 0 && xcb_query_tree_children(r)[0] == id;

	free(r);
	return low;
}

/* A window mapped while the display tracked XD_MAX_WINDOWS is shown once
 * another goes, though it is not mapped again: the root's children are
 * looked at when there is room. Before, it stayed unshown until its
 * program mapped it again. With `above` unmapped windows not tracked
 * above it and a small ring (ring_max), each look asks about a few of
 * them and the next one goes on below them, until it is found. Stacked:
 * it is lowered to the bottom, below a mapped window ("under", tracked),
 * and is stacked there once found (before, it was put on top). */
static void untracked_mapped_at(unsigned ring_max, unsigned above, bool stacked)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = ready_display_ring(dir, &t, XD_SERVER_AUTO, ring_max, dpy, sizeof dpy);
	uint32_t fill[XD_MAX_WINDOWS + 8];

	if (!xd)
		return;
	xcb_connection_t *c = client_of(dpy);
	if (!c)
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	under_id = xcb_generate_id(c);
	if (stacked) {
		xcb_create_window(c, XCB_COPY_FROM_PARENT, under_id, s->root, 0, 0, WIN_W, WIN_H, 0,
				  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
		xcb_map_window(c, under_id);
	}
	for (size_t i = 0; i < sizeof fill / sizeof fill[0]; i++) {
		fill[i] = xcb_generate_id(c);
		xcb_create_window(c, XCB_COPY_FROM_PARENT, fill[i], s->root, 0, 0, 10, 10, 0,
				  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	}
	late_id = xcb_generate_id(c);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, late_id, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_map_window(c, late_id);
	const uint32_t bottom = XCB_STACK_MODE_BELOW;
	if (stacked)
		xcb_configure_window(c, late_id, XCB_CONFIG_WINDOW_STACK_MODE, &bottom);
	for (unsigned i = 0; i < above; i++)
		xcb_create_window(c, XCB_COPY_FROM_PARENT, xcb_generate_id(c), s->root, 0, 0, 10, 10,
				  0, XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_flush(c);
	/* Mapped (xd granted it, not tracking it): its MapNotify is before
	 * the DestroyNotify below in what xd reads. */
	long end = base_now_ms() + TEST_DEADLINE_MS;
	bool viewable = false;
	while (!viewable && base_now_ms() < end) {
		settle(xd);
		xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(
			c, xcb_get_window_attributes(c, late_id), NULL);
		viewable = a && a->map_state == XCB_MAP_STATE_VIEWABLE &&
			   (!stacked || lowest(c, s->root, late_id));
		free(a);
	}
	CHECK(viewable);
	settle(xd);
	CHECK(!stacked || seen_of(&t, under_id));
	CHECK(!late_told(&t));
	xcb_destroy_window(c, fill[0]);
	xcb_flush(c);
	CHECK(until(xd, &t, late_told));
	if (stacked) {
		settle(xd);
		CHECK_EQ(seen_of(&t, late_id)->last_above, 0);
		CHECK(until(xd, &t, late_under));
	}
	xcb_disconnect(c);
out:
	xd_destroy(xd);
	rmdir(dir);
}

static void untracked_mapped(void)
{
	untracked_mapped_at(0, 0, false);
}

static void untracked_mapped_below(void)
{
	untracked_mapped_at(24, 100, false);
}

static void untracked_mapped_stacked(void)
{
	untracked_mapped_at(0, 0, true);
}

/* The server's SIGALRM handler (/proc's SigCgt): the smart scheduler's,
 * whose interval timer is armed at each of its wakeups and disarmed
 * before each sleep, two setitimer calls a wakeup of the display. */
static bool catches_sigalrm(pid_t pid)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return true;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "SigCgt: %llx", &mask) == 1)
			break;
	fclose(f);
	return mask & (1ull << (SIGALRM - 1));
}

/* Both servers run without the smart scheduler's timer (XD_SERVER_SCHED):
 * a key typed costs the display no setitimer calls. Before, each had the
 * handler (and armed the timer at every wakeup). */
static void server_no_sched_timer(void)
{
	enum xd_server kinds[] = {XD_SERVER_XVFB, XD_SERVER_XORG};

	for (size_t i = 0; i < 2; i++) {
		char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
		struct t t = {.display = -1};
		if (kinds[i] == XD_SERVER_XORG &&
		    (access("/usr/lib/xorg/Xorg", X_OK) ||
		     access("/usr/lib/xorg/modules/drivers/dummy_drv.so", R_OK))) {
			printf("no Xorg with the dummy driver: Xvfb only\n");
			continue;
		}
		struct xd *xd = ready_display(dir, &t, kinds[i], dpy, sizeof dpy);
		if (!xd)
			continue;
		CHECK(xd_server_pid(xd) > 0);
		CHECK(!catches_sigalrm(xd_server_pid(xd)));
		xd_destroy(xd);
		rmdir(dir);
	}
}

/* ---- the display's size (xd_screen_size) ---- */

struct sz {
	int display;
	bool lost;
	struct xd_window win[4]; /* as last reported, by the order first seen */
	unsigned n;
	uint32_t want_id; /* a window waited for */
	int16_t want_x, want_y;
	uint16_t want_w, want_h;
	struct xd *xd;
	unsigned want_sw, want_sh;
	xcb_connection_t *c; /* the test's own connection to the display */
};

static void sz_ready(void *ctx, int display)
{
	((struct sz *)ctx)->display = display;
}

static void sz_window(void *ctx, const struct xd_window *w)
{
	struct sz *t = ctx;
	unsigned i;

	for (i = 0; i < t->n && t->win[i].id != w->id; i++)
		;
	if (i == t->n && t->n < 4)
		t->n++;
	if (i < 4) {
		t->win[i] = *w;
		t->win[i].title = t->win[i].wm_class = t->win[i].icon_name = NULL;
	}
}

static void sz_lost(void *ctx, const char *why)
{
	fprintf(stderr, "display lost: %s\n", why);
	((struct sz *)ctx)->lost = true;
}

static const struct xd_ops sz_ops = {.ready = sz_ready, .window = sz_window, .lost = sz_lost};

static bool sz_until(struct sz *t, bool (*cond)(const struct sz *))
{
	long end = base_now_ms() + TEST_DEADLINE_MS;

	while (!cond(t) && !t->lost && base_now_ms() < end) {
		int r;
		while ((r = xd_dispatch(t->xd)) == 1)
			;
		if (r < 0 || cond(t))
			break;
		struct pollfd p = {.fd = xd_fd(t->xd), .events = POLLIN};
		poll(&p, 1, 50);
	}
	return cond(t);
}

static bool sz_ready_cond(const struct sz *t)
{
	return t->display >= 0;
}

static bool sz_two(const struct sz *t)
{
	return t->n >= 2;
}

/* The window wanted is where it is wanted, and the screen has its size. */
static bool sz_placed(const struct sz *t)
{
	unsigned w, h;

	xd_screen(t->xd, &w, &h);
	if (w != t->want_sw || h != t->want_sh)
		return false;
	for (unsigned i = 0; i < t->n; i++)
		if (t->win[i].id == t->want_id)
			return t->win[i].x == t->want_x && t->win[i].y == t->want_y &&
			       t->win[i].w == t->want_w && t->win[i].h == t->want_h;
	return false;
}

static const struct xd_window *sz_win(const struct sz *t, uint32_t id)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->win[i].id == id)
			return &t->win[i];
	return NULL;
}

static bool sz_wait(struct sz *t, uint32_t id, int x, int y, int w, int h, unsigned sw, unsigned sh)
{
	t->want_id = id;
	t->want_x = (int16_t)x;
	t->want_y = (int16_t)y;
	t->want_w = (uint16_t)w;
	t->want_h = (uint16_t)h;
	t->want_sw = sw;
	t->want_sh = sh;
	return sz_until(t, sz_placed);
}

/* How many modes named *-telly the server has (the last one's name in
 * last). */
static int sz_modes(const struct sz *t, char *last, size_t lastn)
{
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(t->c)).data;
	xcb_randr_get_screen_resources_reply_t *rs = xcb_randr_get_screen_resources_reply(
		t->c, xcb_randr_get_screen_resources(t->c, s->root), NULL);
	int ours = 0;

	if (!rs)
		return -1;
	const xcb_randr_mode_info_t *m = xcb_randr_get_screen_resources_modes(rs);
	const uint8_t *names = xcb_randr_get_screen_resources_names(rs);
	int n = xcb_randr_get_screen_resources_modes_length(rs);
	for (int i = 0; i < n; names += m[i].name_len, i++)
		if (m[i].name_len > 6 && !memcmp(names + m[i].name_len - 6, "-telly", 6)) {
			ours++;
			if (last && m[i].name_len < lastn) {
				memcpy(last, names, m[i].name_len);
				last[m[i].name_len] = 0;
			}
		}
	free(rs);
	return ours;
}

/* Only the mode of the size in use is left of xd's. */
static bool sz_one_mode(const struct sz *t)
{
	char last[64] = "";

	return sz_modes(t, last, sizeof last) == 1 && !strcmp(last, "1003x703-telly");
}

/* Skips the case (77) without X.Org and its dummy driver; else makes
 * the case's folder from the template dir (false: it could not). */
static bool xorg_dir(char *dir)
{
	if (access("/usr/lib/xorg/Xorg", X_OK) || access("/usr/lib/xorg/modules/drivers/dummy_drv.so", R_OK)) {
		printf("no Xorg with the dummy driver\n");
		exit(77);
	}
	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return false;
	}
	return true;
}

/* Xorg (dummy driver): the display takes a size; a window that filled the
 * screen fills the new one, one that would stand off it is moved inside,
 * one that fits stays. Xvfb: it cannot, and says so. */
static void screen_size(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300], dpy[32];
	struct sz t = {.display = -1};
	unsigned w, h;

	if (!xorg_dir(dir))
		return;
	struct xd_config cfg = {.dir = dir, .name = "s", .width = 640, .height = 480,
				.server = XD_SERVER_XORG};
	CHECK_EQ(xd_create(&cfg, &sz_ops, &t, &t.xd, err, sizeof err), 0);
	if (!t.xd)
		goto out;
	CHECK_EQ(xd_screen_size(t.xd, 800, 600), -EAGAIN); /* not up yet */
	CHECK(sz_until(&t, sz_ready_cond));
	xd_screen(t.xd, &w, &h);
	CHECK_EQ(w, 640u);
	CHECK_EQ(h, 480u);
	CHECK(!strcmp(xd_server_name(t.xd), "Xorg"));
	snprintf(dpy, sizeof dpy, ":%d", t.display);
	setenv("XAUTHORITY", xd_auth_path(t.xd), 1);
	xcb_connection_t *c = client_of(dpy);
	if (!c)
		goto out_xd;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	CHECK_EQ(s->width_in_pixels, 640); /* the size asked, before anyone came */
	uint32_t full = xcb_generate_id(c), side = xcb_generate_id(c);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, full, s->root, 0, 0, 640, 480, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, side, s->root, 500, 400, 100, 50, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
	xcb_map_window(c, full);
	xcb_map_window(c, side);
	xcb_flush(c);
	CHECK(sz_until(&t, sz_two));

	CHECK_EQ(xd_screen_size(t.xd, 800, 600), 0);
	CHECK(sz_wait(&t, full, 0, 0, 800, 600, 800, 600));
	const struct xd_window *sw = sz_win(&t, side);
	CHECK(sw && sw->x == 500 && sw->y == 400 && sw->w == 100 && sw->h == 50);

	/* Smaller: the side window would stand off it and is moved inside. */
	CHECK_EQ(xd_screen_size(t.xd, 320, 240), 0);
	CHECK(sz_wait(&t, side, 220, 190, 100, 50, 320, 240));
	CHECK(sz_wait(&t, full, 0, 0, 320, 240, 320, 240));
	xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(c, xcb_get_geometry(c, s->root), NULL);
	CHECK(g && g->width == 320 && g->height == 240);
	free(g);

	/* Two asked at once: the newest wins. */
	CHECK_EQ(xd_screen_size(t.xd, 1000, 700), 0);
	CHECK_EQ(xd_screen_size(t.xd, 1280, 720), 0);
	CHECK(sz_wait(&t, full, 0, 0, 1280, 720, 1280, 720));

	/* Sizes no server has a mode for: xd makes each, and of those only
	 * the one in use is left. */
	CHECK_EQ(xd_screen_size(t.xd, 1001, 701), 0);
	CHECK(sz_wait(&t, full, 0, 0, 1001, 701, 1001, 701));
	CHECK_EQ(xd_screen_size(t.xd, 1003, 703), 0);
	CHECK(sz_wait(&t, full, 0, 0, 1003, 703, 1003, 703));
	t.c = c;
	CHECK(sz_until(&t, sz_one_mode));
	CHECK_EQ(sz_modes(&t, NULL, 0), 1);

	CHECK_EQ(xd_screen_size(t.xd, 63, 600), -EINVAL);
	CHECK_EQ(xd_screen_size(t.xd, 800, 8193), -EINVAL);
	xcb_disconnect(c);
out_xd:
	xd_destroy(t.xd);

	/* Xvfb keeps its size, and says why. */
	t = (struct sz){.display = -1};
	cfg.server = XD_SERVER_XVFB;
	CHECK_EQ(xd_create(&cfg, &sz_ops, &t, &t.xd, err, sizeof err), 0);
	if (t.xd && sz_until(&t, sz_ready_cond)) {
		CHECK(!strcmp(xd_server_name(t.xd), "Xvfb"));
		CHECK_EQ(xd_screen_size(t.xd, 800, 600), -ENOTSUP);
		CHECK_EQ(xd_screen_size(t.xd, 800, 600), -ENOTSUP);
		xd_screen(t.xd, &w, &h);
		CHECK_EQ(w, 640u);
	}
	xd_destroy(t.xd);
out:
	rmdir(dir);
}

static void fb_fell_back(void *ctx, const char *why)
{
	fprintf(stderr, "fell back: %s\n", why);
	((struct sz *)ctx)->lost = true;
}

/* x-server auto, stopped while its Xorg still starts: the server's end is
 * the session's, so no Xvfb takes its place and the server is reaped. */
static void stop_while_starting(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300];
	static const struct xd_ops fb_ops = {.ready = sz_ready, .lost = sz_lost,
					     .fell_back = fb_fell_back};
	struct sz t = {.display = -1};
	int status = 0;
	bool gone = false;

	if (!xorg_dir(dir))
		return;
	struct xd_config cfg = {.dir = dir, .name = "s", .width = 640, .height = 480,
				.server = XD_SERVER_AUTO};
	CHECK_EQ(xd_create(&cfg, &fb_ops, &t, &t.xd, err, sizeof err), 0);
	if (!t.xd)
		goto out;
	CHECK(!strcmp(xd_server_name(t.xd), "Xorg"));
	xd_stop(t.xd);
	long end = base_now_ms() + TEST_DEADLINE_MS;
	while (!(gone = xd_reap(t.xd, &status)) && base_now_ms() < end)
		poll(NULL, 0, 10);
	CHECK(gone);
	CHECK(!t.lost); /* neither fell back nor lost */
	CHECK(!strcmp(xd_server_name(t.xd), "Xorg"));
	xd_destroy(t.xd);
out:
	rmdir(dir);
}

/* ---- a server that stops answering while the display starts ---- */

struct stuck {
	int display;
	char why[300];
};

static void stuck_ready(void *ctx, int display)
{
	((struct stuck *)ctx)->display = display;
}

static void stuck_lost(void *ctx, const char *why)
{
	fprintf(stderr, "display lost: %s\n", why);
	snprintf(((struct stuck *)ctx)->why, sizeof ((struct stuck *)ctx)->why, "%s", why);
}

/* An Xvfb display (skipped, 77, without Xvfb) in a new folder dir. */
static struct xd *stuck_xvfb(char *dir, struct stuck *t)
{
	static const struct xd_ops ops = {.ready = stuck_ready, .lost = stuck_lost};
	struct xd_config cfg = {.dir = dir, .name = "t", .width = 640, .height = 480,
				.server = XD_SERVER_XVFB};
	struct xd *xd = NULL;
	char err[300];

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return NULL;
	}
	if (xd_create(&cfg, &ops, t, &xd, err, sizeof err) < 0) {
		printf("no Xvfb: %s\n", err);
		rmdir(dir);
		exit(77);
	}
	return xd;
}

/* An owner that ignores SIGTERM (and blocks it, as a signalfd does)
 * stops its display the moment the server is forked, 20 times: each
 * server ends by that SIGTERM, well within the grace, never by the
 * SIGKILL after it. Before, the child unblocked its signals before it
 * reset them: the SIGTERM held meanwhile met the owner's "ignore" and was
 * dropped, Xvfb started and was killed 2 s later ('round N: ended after
 * 2000 ms'). The fork's child does not always run before the SIGTERM:
 * hence the rounds. */
static void stop_at_fork(void)
{
	sigset_t term;

	signal(SIGTERM, SIG_IGN);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	for (int round = 0; round < 20; round++) {
		char dir[] = "/tmp/telly-xd.XXXXXX";
		struct stuck t = {.display = -1};
		struct xd *xd = stuck_xvfb(dir, &t);
		if (!xd)
			return;
		long t0 = base_now_ms(), end = t0 + TEST_DEADLINE_MS;
		xd_stop(xd);
		while (!xd_reap(xd, NULL) && base_now_ms() < end) {
			long wait = xd_wait_time(xd, base_now_ms());
			poll(NULL, 0, wait < 0 || wait > 10 ? 10 : (int)wait);
		}
		long took = base_now_ms() - t0;
		if (took >= XD_STOP_GRACE_MS / 2)
			fprintf(stderr, "round %d: ended after %ld ms\n", round, took);
		CHECK(took < XD_STOP_GRACE_MS / 2);
		xd_destroy(xd);
		rmdir(dir);
		if (took >= XD_STOP_GRACE_MS / 2)
			return;
	}
}

/* The owner's loop, once: what is ready handled, then a wait (50 ms at
 * most) for more or xd's timed work. */
static void stuck_turn(struct xd *xd)
{
	xd_dispatch(xd);
	long wait = xd_wait_time(xd, base_now_ms());
	struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
	poll(&p, xd_fd(xd) >= 0 ? 1 : 0, wait < 0 || wait > 50 ? 50 : (int)wait);
}

/* A desk's keymap (us), as xkbcomp reads it. */
static const char km[] = "xkb_keymap {\n"
			 "\txkb_keycodes { include \"evdev\" };\n"
			 "\txkb_types { include \"complete\" };\n"
			 "\txkb_compat { include \"complete\" };\n"
			 "\txkb_symbols { include \"pc+us\" };\n"
			 "};\n";

/* Another desk's keymap (de). */
static const char km_de[] = "xkb_keymap {\n"
			    "\txkb_keycodes { include \"evdev\" };\n"
			    "\txkb_types { include \"complete\" };\n"
			    "\txkb_compat { include \"complete\" };\n"
			    "\txkb_symbols { include \"pc+de\" };\n"
			    "};\n";

/* The display is ready (checked). */
static bool stuck_ready_wait(struct xd *xd, struct stuck *t)
{
	long end = base_now_ms() + TEST_DEADLINE_MS;

	while (t->display < 0 && !t->why[0] && base_now_ms() < end)
		stuck_turn(xd);
	CHECK(t->display >= 0);
	return t->display >= 0;
}

/* The display ready, its server stopped (SIGSTOP): its pid, 0 if it
 * did not become ready (checked). */
static pid_t stop_when_ready(struct xd *xd, struct stuck *t)
{
	if (!stuck_ready_wait(xd, t))
		return 0;
	pid_t server = xd_server_pid(xd);
	kill(server, SIGSTOP);
	return server;
}

/* As the owner's loop does: xd_stop, then xd_reap (no call waits) until
 * none of xd's processes is left, at most XD_STOP_GRACE_MS and a second. */
static bool put_down(struct xd *xd)
{
	long end = base_now_ms() + XD_STOP_GRACE_MS + 1000, worst = 0;

	xd_stop(xd);
	while (xd_processes(xd) && base_now_ms() < end) {
		long before = base_now_ms();
		xd_reap(xd, NULL);
		long wait = xd_wait_time(xd, base_now_ms());
		if (base_now_ms() - before > worst)
			worst = base_now_ms() - before;
		poll(NULL, 0, wait < 0 || wait > 10 ? 10 : (int)wait);
	}
	CHECK(worst < 500);
	return xd_processes(xd) == 0;
}

/* Xvfb stopped (SIGSTOP) as soon as it said its display, while xd
 * connects (steps 1: its fd_gen moved once), or once xd's handshake is
 * done (steps 3: named, the handshake's thread, connected): no call into xd
 * waits for it (the owner's loop serves everyone else), the start fails
 * after its bound with why, and the display goes at once, its server too.
 * Connected, the display's descriptor is no longer polled once lost:
 * before, the connection stayed xd_fd while xd_dispatch read nothing of
 * it, and once the server went on (as xd_stop has it, SIGCONT after
 * SIGTERM) and answered, the owner's loop woke at once, over and over,
 * until the server was reaped. */
static void stopped_server_at(unsigned steps)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct stuck t = {.display = -1};
	struct xd *xd = stuck_xvfb(dir, &t);
	long worst = 0, lost_at = 0, named_at = 0;

	if (!xd)
		return;
	pid_t server = xd_server_pid(xd);
	unsigned gen0 = xd_fd_gen(xd);
	long end = base_now_ms() + TEST_DEADLINE_MS + XD_START_MS;
	while (!t.why[0] && t.display < 0 && base_now_ms() < end) {
		long before = base_now_ms();
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		if (!named_at && steps > 1 && xd_fd_gen(xd) - gen0 >= 2) {
			/* The handshake's thread runs: stopped once it is done,
			 * before xd hears of it (no dispatch in between: the
			 * start's steps may all be done in one). */
			if (poll(&p, 1, 50) != 1)
				continue;
			kill(server, SIGSTOP);
			named_at = base_now_ms();
		} else if (!named_at && steps == 1 && xd_fd_gen(xd) != gen0) {
			kill(server, SIGSTOP); /* named: it stops before it is set up */
			named_at = base_now_ms();
		}
		xd_dispatch(xd);
		long wait = xd_wait_time(xd, base_now_ms());
		if (base_now_ms() - before > worst)
			worst = base_now_ms() - before;
		p.fd = xd_fd(xd);
		poll(&p, p.fd >= 0 ? 1 : 0, wait < 0 || wait > 50 ? 50 : (int)wait);
	}
	lost_at = base_now_ms();
	CHECK(named_at > 0);
	CHECK_EQ(t.display, -1); /* never ready */
	CHECK(strstr(t.why, "did not answer within") != NULL);
	CHECK(lost_at - named_at <= XD_START_MS + 2000);
	CHECK(worst < 500); /* no call waited for the server */
	if (steps > 1) {
		CHECK(!strstr(t.why, "not even")); /* connected, then not answered */
		kill(server, SIGCONT); /* it answers what the start asked */
		unsigned turns = 0;
		long until = base_now_ms() + 500;
		while (base_now_ms() < until) {
			stuck_turn(xd); /* 50 ms at most, less when woken */
			turns++;
		}
		CHECK(turns < 40);
	}
	CHECK(put_down(xd)); /* stopped, it ends at once all the same */
	xd_destroy(xd);
	CHECK(kill(server, 0) < 0);
	rmdir(dir);
}

static void stopped_server(void)
{
	stopped_server_at(1);
}

static void lost_start_quiet(void)
{
	stopped_server_at(3);
}

static void blocked(int sig)
{
	(void)sig;
	static const char msg[] = "a call into xd waited for a server that does not read\n";
	if (write(2, msg, sizeof msg - 1) < 0) {
		/* (dying anyway) */
	}
	_exit(1);
}

/* keymap text loaded (by xkbcomp, while the server runs): checked. */
static bool keymap_loaded(struct xd *xd, const char *text, size_t n)
{
	char err[300];
	long end = base_now_ms() + TEST_DEADLINE_MS;

	CHECK_EQ(xd_keymap(xd, text, n, err, sizeof err), 0);
	while (xd_keymap_busy(xd) && base_now_ms() < end) {
		xd_reap(xd, NULL);
		stuck_turn(xd);
	}
	CHECK(xd_keymap_is(xd, text, n));
	return xd_keymap_is(xd, text, n);
}

/* A desk's keymap loaded into a stopped server: xkbcomp (its client)
 * waits for it; past XD_XKBCOMP_MS it is killed and said, the keymap not
 * taken as refused (the next key of its desk asks again), and the key
 * held for it goes in. No call into xd waits meanwhile. The keymap the
 * display had before (another desk's) no longer counts as its own: the
 * killed xkbcomp may have loaded its keymap before the kill (before,
 * that desk typed on with whatever the display had), so it is loaded
 * again at that desk's next key.
 * full: the hold is full (1024 keys and 512 more releases): they go in
 * only as far as the stopped server's socket takes them without filling
 * (one write more would wait in xcb, holding the owner's loop: before,
 * the 55 KiB went in one go and the next write waited, for good); the
 * rest stay held, and go in once the server reads again. */
static void keymap_stopped(bool full)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300];
	struct stuck t = {.display = -1};
	struct xd *xd = stuck_xvfb(dir, &t);
	long worst = 0;

	if (!xd)
		return;
	if (!stuck_ready_wait(xd, &t) || !keymap_loaded(xd, km_de, sizeof km_de - 1))
		goto out;
	pid_t server = xd_server_pid(xd);
	kill(server, SIGSTOP);
	CHECK_EQ(xd_keymap(xd, km, sizeof km - 1, err, sizeof err), 0);
	CHECK(xd_keymap_busy(xd));
	int keys = full ? XD_HELD_KEYS_MAX : 2;
	for (int i = 0; i < keys; i++)
		CHECK_EQ(xd_key(xd, 0, 38, i % 2 == 0), 0); /* held for the keymap */
	if (full) {
		CHECK_EQ(xd_key(xd, 0, 38, true), -EBUSY); /* full: offered again */
		for (int i = 0; i < XD_HELD_RELEASE_ROOM; i++)
			CHECK_EQ(xd_key(xd, 0, 38, false), 0);
	}
	signal(SIGALRM, blocked);
	alarm((XD_XKBCOMP_MS + TEST_DEADLINE_MS) / 1000);
	long start = base_now_ms();
	long end = start + (full ? XD_XKBCOMP_MS + 1000 : XD_XKBCOMP_MS + TEST_DEADLINE_MS);
	while ((full || xd_keymap_busy(xd)) && base_now_ms() < end) {
		long before = base_now_ms();
		long wait = xd_wait_time(xd, base_now_ms());
		xd_reap(xd, NULL);
		xd_dispatch(xd);
		if (base_now_ms() - before > worst)
			worst = base_now_ms() - before;
		poll(NULL, 0, wait < 0 || wait > 50 ? 50 : (int)wait);
	}
	/* Killed, reaped; the held keys gone in (full: what the socket takes). */
	CHECK(xd_keymap_busy(xd) == full);
	CHECK(base_now_ms() - start >= XD_XKBCOMP_MS - 100);
	CHECK(!xd_keymap_is(xd, km, sizeof km - 1)); /* not taken as refused */
	CHECK(!xd_keymap_is(xd, km_de, sizeof km_de - 1)); /* unknown: loaded again */
	CHECK(worst < 500);
	CHECK(!t.why[0]);
	/* What xd writes next does not wait either. */
	struct pollfd p = {.fd = xd_socket(xd), .events = POLLOUT};
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT));
	kill(server, SIGCONT);
	end = base_now_ms() + TEST_DEADLINE_MS;
	while (xd_keymap_busy(xd) && base_now_ms() < end)
		stuck_turn(xd);
	CHECK(!xd_keymap_busy(xd)); /* it reads: the held input gone in */
	alarm(0);
	keymap_loaded(xd, km_de, sizeof km_de - 1);
out:
	xd_destroy(xd);
	rmdir(dir);
}

/* A stopped server, a desk typing on: its keys go in until the socket
 * is an eighth full, then wait (-ENOBUFS); its releases are taken all
 * the same (owed: sent once the server reads), and are not written. The
 * socket keeps the room left for xd's own requests: before, releases
 * went in while it could be written at all, until it could not (a
 * quarter full), and xd's next request of its own (a desk's size, a
 * read, a selection) waited in xcb for good. */
static void releases_owed(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX";
	struct stuck t = {.display = -1};
	struct xd *xd = stuck_xvfb(dir, &t);
	int r = 0, n = 0;

	if (!xd)
		return;
	pid_t server = stop_when_ready(xd, &t);
	if (!server)
		goto out;
	while (n < 100000 && (r = xd_key(xd, 0, (uint8_t)(8 + n % 200), true)) == 0)
		n++;
	CHECK_EQ(r, -ENOBUFS);
	for (int k = 0; k < 1000; k++)
		CHECK_EQ(xd_key(xd, 0, (uint8_t)(8 + k % 200), false), 0); /* taken */
	struct pollfd p = {.fd = xd_socket(xd), .events = POLLOUT};
	CHECK(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT));
	kill(server, SIGCONT);
	long end = base_now_ms() + TEST_DEADLINE_MS;
	while (xd_key(xd, 0, 38, true) != 0 && base_now_ms() < end)
		stuck_turn(xd); /* it reads: keys go in again, after the releases */
	CHECK(base_now_ms() < end);
out:
	xd_destroy(xd);
	rmdir(dir);
}

/* A program grabs the server (it then reads no other client) and makes
 * the window manager busy meanwhile: it maps 1000 windows and titles each
 * 8 times (each a request xd makes in answer), while the owner moves and
 * sizes a window, focuses it, reads it, sets a 1 MiB selection and
 * types. No call into xd waits (before, xd's answers filled the socket
 * and xcb waited to write, for good: the alarm ends the test); xd stops
 * taking the display's events (xd_fd none) and says so (xd_backlog). Once
 * the grab ends, the window has the last place and size asked, and xd
 * owns the selection. */
static void grabbed_server(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32];
	struct t t = {.display = -1};
	long worst = 0;
	bool paused = false;
	struct xd *xd = ready_display(dir, &t, XD_SERVER_XVFB, dpy, sizeof dpy);

	if (!xd)
		return;
	xcb_connection_t *c = xcb_connect(dpy, NULL), *g = xcb_connect(dpy, NULL);
	CHECK(!xcb_connection_has_error(c) && !xcb_connection_has_error(g));
	if (xcb_connection_has_error(c) || xcb_connection_has_error(g))
		goto out;
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	uint32_t win = xcb_generate_id(c), white = s->white_pixel;
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, s->root, 10, 10, WIN_W, WIN_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, XCB_CW_BACK_PIXEL, &white);
	xcb_map_window(c, win);
	xcb_flush(c);
	CHECK(until(xd, &t, has_window));

	xcb_grab_server(g);
	free(xcb_get_input_focus_reply(g, xcb_get_input_focus(g), NULL)); /* grabbed */
	for (int i = 0; i < 1000; i++) {
		uint32_t w = xcb_generate_id(g);
		xcb_create_window(g, XCB_COPY_FROM_PARENT, w, s->root, 0, 0, 20, 20, 0,
				  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual, 0, NULL);
		xcb_map_window(g, w);
		for (int k = 0; k < 8; k++)
			xcb_change_property(g, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME,
					    XCB_ATOM_STRING, 8, 5, "title");
	}
	free(xcb_get_input_focus_reply(g, xcb_get_input_focus(g), NULL)); /* all done */

	size_t big = 1u << 20;
	char *text = malloc(big);
	CHECK(text != NULL);
	if (!text)
		goto out;
	memset(text, 'x', big);
	signal(SIGALRM, blocked);
	alarm(TEST_DEADLINE_MS / 1000);
	long end = base_now_ms() + 2500;
	for (int i = 0; base_now_ms() < end; i++) {
		long before = base_now_ms();
		CHECK_EQ(xd_configure(xd, t.win, 1 | 2, 20 + i % 50, 30 + i % 40, 150 + i % 30,
				      80 + i % 20), 0);
		CHECK_EQ(xd_focus(xd, t.win), 0);
		xd_capture(xd, t.win, i % 2);
		if (i % 10 == 0)
			CHECK_EQ(xd_selection_set(xd, 0, text, big), 0);
		int r = xd_key(xd, t.win, 38, true);
		CHECK(r == 0 || r == -ENOBUFS);
		xd_key(xd, t.win, 38, false); /* a release: taken, owed */
		stuck_turn(xd);
		paused |= xd_fd(xd) < 0 && xd_backlog(xd) > 0;
		if (base_now_ms() - before > worst)
			worst = base_now_ms() - before;
	}
	CHECK_EQ(xd_configure(xd, t.win, 1 | 2, 33, 44, 171, 91), 0); /* the last */
	CHECK(paused);
	CHECK(worst < 500);
	alarm(0);

	xcb_ungrab_server(g);
	xcb_flush(g);
	end = base_now_ms() + TEST_DEADLINE_MS;
	bool placed = false, owned = false;
	while (!(placed && owned) && base_now_ms() < end) {
		stuck_turn(xd);
		xcb_get_geometry_reply_t *gr = xcb_get_geometry_reply(c, xcb_get_geometry(c, win), NULL);
		placed = gr && gr->x == 33 && gr->y == 44 && gr->width == 171 && gr->height == 91;
		free(gr);
		xcb_intern_atom_reply_t *a =
			xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, 9, "CLIPBOARD"), NULL);
		xcb_get_selection_owner_reply_t *o =
			a ? xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, a->atom), NULL)
			  : NULL;
		owned = o && o->owner != XCB_NONE;
		free(o);
		free(a);
	}
	CHECK(placed);
	CHECK(owned);
	CHECK_EQ(xd_backlog(xd), 0);
	CHECK(xd_fd(xd) >= 0);
	free(text);
out:
	if (g)
		xcb_disconnect(g);
	if (c)
		xcb_disconnect(c);
	xd_destroy(xd);
	rmdir(dir);
}

static void keymap_stopped_server(void)
{
	keymap_stopped(false);
}

static void keymap_stopped_full_hold(void)
{
	keymap_stopped(true);
}

/* ---- keymaps refused: known again by a digest a desk cannot collide with ---- */

/* Two keymaps of one length with one FNV-1a 64-bit digest, found in
 * minutes (Pollard's rho over 10-byte strings: 7 bits of the digest a
 * byte, the high bit set). */
static const char collide_a[] = "\xd3\xb4\xe4\xa4\xea\xf4\x8a\xc3\xba\x80";
static const char collide_b[] = "\xc8\x88\xe9\xb9\xce\xc0\xf0\xc2\xad\x81";

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
	return h;
}

/* A program name running script, first in PATH: written in folder dir
 * (made). false: checked, nothing left. *saved: PATH before, which
 * fake_program_undo puts back. */
static bool fake_program(char *dir, const char *name, const char *script, char *bin,
			 size_t binn, char **saved)
{
	char path[4096];
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return false;
	}
	snprintf(bin, binn, "%s/%s", dir, name);
	if (!(f = fopen(bin, "w"))) {
		CHECK(!"fopen");
		rmdir(dir);
		return false;
	}
	fputs(script, f);
	fclose(f);
	chmod(bin, 0700);
	const char *old = getenv("PATH");
	*saved = old ? strdup(old) : NULL;
	snprintf(path, sizeof path, "%s:%s", dir, old ? old : "/usr/bin:/bin");
	setenv("PATH", path, 1);
	return true;
}

static void fake_program_undo(char *dir, const char *bin, char *saved)
{
	if (saved)
		setenv("PATH", saved, 1);
	free(saved);
	unlink(bin);
	rmdir(dir);
}

/* xkbcomp refuses a desk's keymap (here every one): that keymap is not
 * tried again, but another desk's keymap is, even one made to share the
 * refused one's FNV-1a digest and length (before, refused keymaps were
 * known by those: a desk could have another desk's keymap taken as
 * refused, never loaded). */
static void refused_digest(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", bindir[] = "/tmp/telly-xdbin.XXXXXX";
	char err[300], bin[64], *saved;
	struct stuck t = {.display = -1};
	struct xd *xd = NULL;

	CHECK_EQ(sizeof collide_a, sizeof collide_b);
	CHECK(memcmp(collide_a, collide_b, sizeof collide_a) != 0);
	CHECK_EQ(fnv1a(collide_a, sizeof collide_a - 1), fnv1a(collide_b, sizeof collide_b - 1));
	if (!fake_program(bindir, "xkbcomp", "#!/bin/sh\necho 'xkbcomp (test): refused' >&2\nexit 1\n",
			  bin, sizeof bin, &saved))
		return;
	if (!(xd = stuck_xvfb(dir, &t)))
		goto out;
	if (!stuck_ready_wait(xd, &t))
		goto done;
	CHECK_EQ(xd_keymap(xd, collide_a, sizeof collide_a - 1, err, sizeof err), 0);
	long end = base_now_ms() + TEST_DEADLINE_MS;
	while (xd_keymap_busy(xd) && base_now_ms() < end) {
		xd_reap(xd, NULL);
		stuck_turn(xd);
	}
	CHECK(!xd_keymap_busy(xd));
	CHECK(xd_keymap_is(xd, collide_a, sizeof collide_a - 1)); /* refused: not tried again */
	CHECK(!xd_keymap_is(xd, collide_b, sizeof collide_b - 1)); /* another: not refused */
	CHECK_EQ(xd_keymap(xd, collide_b, sizeof collide_b - 1, err, sizeof err), 0);
	CHECK(xd_keymap_busy(xd)); /* it loads */
	end = base_now_ms() + TEST_DEADLINE_MS;
	while (xd_keymap_busy(xd) && base_now_ms() < end) {
		xd_reap(xd, NULL);
		stuck_turn(xd);
	}
done:
	xd_destroy(xd);
	rmdir(dir);
out:
	fake_program_undo(bindir, bin, saved);
}

/* xd_keymap_gen stands still while nothing changes what xd_keymap_is
 * answers (keys typed, the answer asked again: a desk's next key does
 * not compare its 64 KB keymap again) and moves when it may change: a
 * keymap asked (the display is about to have it, the one before no
 * longer counts), also while another loads, then loaded. */
static void keymap_gen(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300];
	struct stuck t = {.display = -1};
	struct xd *xd = stuck_xvfb(dir, &t);
	unsigned long g;

	if (!xd)
		return;
	if (!stuck_ready_wait(xd, &t))
		goto out;
	/* Another asked while xkbcomp loads the first: it waits, and the
	 * first no longer counts as the display's to be. */
	g = xd_keymap_gen(xd);
	CHECK_EQ(xd_keymap(xd, km, sizeof km - 1, err, sizeof err), 0);
	CHECK(xd_keymap_gen(xd) != g);
	CHECK(xd_keymap_busy(xd));
	g = xd_keymap_gen(xd);
	CHECK(xd_keymap_is(xd, km, sizeof km - 1));
	CHECK_EQ(xd_keymap(xd, km_de, sizeof km_de - 1, err, sizeof err), 0);
	CHECK(xd_keymap_gen(xd) != g);
	CHECK(!xd_keymap_is(xd, km, sizeof km - 1));
	if (!keymap_loaded(xd, km_de, sizeof km_de - 1))
		goto out;
	g = xd_keymap_gen(xd);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(xd_key(xd, 0, 38, i % 2 == 0), 0);
		CHECK(xd_keymap_is(xd, km_de, sizeof km_de - 1));
		stuck_turn(xd);
		xd_reap(xd, NULL);
	}
	CHECK_EQ(xd_keymap_gen(xd), g);
	/* The same keymap asked again: nothing to do, nothing moves. */
	CHECK_EQ(xd_keymap(xd, km_de, sizeof km_de - 1, err, sizeof err), 0);
	CHECK_EQ(xd_keymap_gen(xd), g);
	CHECK_EQ(xd_keymap(xd, km, sizeof km - 1, err, sizeof err), 0);
	CHECK(xd_keymap_gen(xd) != g);
	CHECK(!xd_keymap_is(xd, km_de, sizeof km_de - 1));
	g = xd_keymap_gen(xd);
	long end = base_now_ms() + TEST_DEADLINE_MS;
	while (xd_keymap_busy(xd) && base_now_ms() < end) {
		xd_reap(xd, NULL);
		stuck_turn(xd);
	}
	CHECK(xd_keymap_is(xd, km, sizeof km - 1));
	CHECK(xd_keymap_gen(xd) != g); /* loaded: xkbcomp reaped */
out:
	CHECK(!t.why[0]);
	xd_destroy(xd);
	rmdir(dir);
}

/* ---- x-server auto: an Xorg that dies once connected, not yet set up ---- */

struct fb {
	int display;
	char why[600];
	bool lost;
};

static void fb2_ready(void *ctx, int display)
{
	((struct fb *)ctx)->display = display;
}

static void fb2_lost(void *ctx, const char *why)
{
	fprintf(stderr, "display lost: %s\n", why);
	((struct fb *)ctx)->lost = true;
}

static void fb2_fell_back(void *ctx, const char *why)
{
	fprintf(stderr, "fell back: %s\n", why);
	snprintf(((struct fb *)ctx)->why, sizeof ((struct fb *)ctx)->why, "%s", why);
}

/* The "Xorg" x-server auto finds first in PATH is Xvfb under that name
 * (it takes Xorg's -auth): it says its display, xd connects, and it is
 * killed before the start's next step. Xvfb takes its place (once), said
 * why, and the display is ready on it. */
static void xorg_dies_connected(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300], bin[64], *saved;
	static const struct xd_ops ops = {.ready = fb2_ready, .lost = fb2_lost,
					  .fell_back = fb2_fell_back};
	struct fb t = {.display = -1};
	struct xd *xd = NULL;
	bool killed = false;

	if (access("/usr/lib/xorg/modules/drivers/dummy_drv.so", R_OK)) {
		printf("no dummy driver: auto would not choose Xorg\n");
		exit(77);
	}
	if (!fake_program(dir, "Xorg",
			  "#!/bin/sh\n"
			  "while [ $# -gt 0 ]; do [ \"$1\" = -auth ] && auth=$2; shift; done\n"
			  "exec Xvfb -displayfd 3 -auth \"$auth\" -nolisten tcp -noreset -screen 0 "
			  "640x480x24 +extension COMPOSITE +extension DAMAGE +extension XFIXES "
			  "+extension XTEST +extension MIT-SHM +extension RANDR\n",
			  bin, sizeof bin, &saved))
		return;
	signal(SIGPIPE, SIG_IGN); /* as the daemon: a write to the dead server fails */
	struct xd_config cfg = {.dir = dir, .name = "t", .width = 640, .height = 480,
				.server = XD_SERVER_AUTO};
	CHECK_EQ(xd_create(&cfg, &ops, &t, &xd, err, sizeof err), 0);
	if (!xd)
		goto out;
	CHECK(!strcmp(xd_server_name(xd), "Xorg"));
	unsigned gen0 = xd_fd_gen(xd);
	pid_t server = xd_server_pid(xd);
	long end = base_now_ms() + 2 * TEST_DEADLINE_MS;
	while (t.display < 0 && !t.lost && base_now_ms() < end) {
		xd_dispatch(xd);
		/* Named (+1), the handshake's thread (+1): once the thread is
		 * done (its descriptor readable), and before xd hears of it,
		 * the server dies. (Killed once xd had the connection, a
		 * loaded machine could let the whole start end in one
		 * dispatch first.) */
		if (!killed && xd_fd_gen(xd) - gen0 >= 2) {
			struct pollfd done = {.fd = xd_fd(xd), .events = POLLIN};
			CHECK_EQ(poll(&done, 1, TEST_DEADLINE_MS), 1);
			CHECK_EQ(xd_display(xd), -1); /* connected, not ready */
			kill(server, SIGKILL);
			killed = true;
		}
		xd_reap(xd, NULL);
		long wait = xd_wait_time(xd, base_now_ms());
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		poll(&p, xd_fd(xd) >= 0 ? 1 : 0, wait < 0 || wait > 20 ? 20 : (int)wait);
	}
	CHECK(killed);
	CHECK(t.display >= 0);
	CHECK(!t.lost);
	CHECK(!strcmp(xd_server_name(xd), "Xvfb"));
	CHECK(strstr(t.why, "before it was set up") != NULL);
	CHECK(strstr(t.why, "Xvfb instead") != NULL);
	xd_destroy(xd);
out:
	fake_program_undo(dir, bin, saved);
}

/* An Xorg under auto that says a display nobody answers on and ignores
 * SIGTERM: Xvfb takes its place at once, beside it, and it is put down
 * (SIGKILL after XD_STOP_GRACE_MS on xd's timer) and reaped by xd_reap
 * when it ends (before, xd sent it SIGKILL and waited in waitpid for it:
 * a server the kernel held froze the owner's loop). */
static void put_down_no_wait(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300], bin[64], script[300], *saved;
	static const struct xd_ops ops = {.ready = fb2_ready, .lost = fb2_lost,
					  .fell_back = fb2_fell_back};
	struct fb t = {.display = -1};
	struct xd *xd = NULL;

	if (access("/usr/lib/xorg/modules/drivers/dummy_drv.so", R_OK)) {
		printf("no dummy driver: auto would not choose Xorg\n");
		exit(77);
	}
	snprintf(script, sizeof script,
		 "#!/bin/sh\ntrap '' TERM\necho %d >&3\nexec sleep 60\n", 5000 + getpid() % 1000);
	if (!fake_program(dir, "Xorg", script, bin, sizeof bin, &saved))
		return;
	struct xd_config cfg = {.dir = dir, .name = "p", .width = 640, .height = 480,
				.server = XD_SERVER_AUTO};
	CHECK_EQ(xd_create(&cfg, &ops, &t, &xd, err, sizeof err), 0);
	if (!xd)
		goto out;
	pid_t old = xd_server_pid(xd);
	long end = base_now_ms() + 2 * TEST_DEADLINE_MS;
	while (t.display < 0 && !t.lost && base_now_ms() < end) {
		xd_dispatch(xd);
		xd_reap(xd, NULL);
		long wait = xd_wait_time(xd, base_now_ms());
		struct pollfd p = {.fd = xd_fd(xd), .events = POLLIN};
		poll(&p, xd_fd(xd) >= 0 ? 1 : 0, wait < 0 || wait > 20 ? 20 : (int)wait);
	}
	CHECK(t.display >= 0);
	CHECK(!strcmp(xd_server_name(xd), "Xvfb"));
	CHECK(strstr(t.why, "Xvfb instead") != NULL);
	/* The old one runs still (it ignored SIGTERM), not waited for. */
	CHECK_EQ(kill(old, 0), 0);
	CHECK_EQ(xd_processes(xd), 2u);
	end = base_now_ms() + 2 * TEST_DEADLINE_MS;
	while (xd_processes(xd) > 1 && base_now_ms() < end) {
		xd_dispatch(xd);
		xd_reap(xd, NULL);
		long wait = xd_wait_time(xd, base_now_ms());
		poll(NULL, 0, wait < 0 || wait > 20 ? 20 : (int)wait);
	}
	CHECK_EQ(xd_processes(xd), 1u); /* the Xvfb */
	CHECK(kill(old, 0) < 0 && errno == ESRCH); /* SIGKILLed and reaped */
	xd_stop(xd);
	end = base_now_ms() + 2 * TEST_DEADLINE_MS;
	while (xd_processes(xd) && base_now_ms() < end) {
		xd_reap(xd, NULL);
		long wait = xd_wait_time(xd, base_now_ms());
		poll(NULL, 0, wait < 0 || wait > 20 ? 20 : (int)wait);
	}
	CHECK_EQ(xd_processes(xd), 0u);
	xd_destroy(xd);
out:
	fake_program_undo(dir, bin, saved);
}

#define SEL_BOTH_BYTES 3000000u

static bool both_told(const struct t *t)
{
	return t->sel_told[0] && t->sel_told[1];
}

/* xclip owning selection sel of the display with SEL_BOTH_BYTES of its
 * letter (once read, it ends): its pid, -1 when it cannot start. */
static pid_t xclip_owner(const char *dpy, int sel, const char *file)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(file, O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(127);
		setenv("DISPLAY", dpy, 1);
		execlp("xclip", "xclip", "-selection", sel ? "primary" : "clipboard", "-i", "-loops",
		       "1", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Two programs take both selections at once, each with 3 MB, sent in
 * pieces (INCR): xclip sends its next piece on any PropertyDelete on its
 * requestor's window. xd read both into properties of one window, so
 * deleting one's property could ask the other's owner for a piece too
 * early; each now has a window of its own, and each text comes whole. */
static void selections_both_incr(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", dpy[32], file[2][64];
	struct t t = {.display = -1};
	pid_t pid[2] = {-1, -1};

	if (system("command -v xclip >/dev/null 2>&1") != 0) {
		printf("no xclip: skipped\n");
		return;
	}
	struct xd *xd = ready_display(dir, &t, XD_SERVER_XVFB, dpy, sizeof dpy);
	if (!xd)
		return;
	for (int i = 0; i < 2; i++) {
		snprintf(file[i], sizeof file[i], "%s/sel%d", dir, i);
		char *text = malloc(SEL_BOTH_BYTES);
		CHECK(text != NULL);
		if (!text)
			goto out;
		memset(text, i ? 'p' : 'f', SEL_BOTH_BYTES);
		int fd = open(file[i], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		CHECK(fd >= 0 && base_write_all(fd, text, SEL_BOTH_BYTES, 1000) == SEL_BOTH_BYTES);
		if (fd >= 0)
			close(fd);
		free(text);
	}
	for (int i = 0; i < 2; i++)
		CHECK((pid[i] = xclip_owner(dpy, i, file[i])) > 0);
	CHECK(until(xd, &t, both_told));
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(t.sel_len[i], (size_t)SEL_BOTH_BYTES);
		CHECK(t.sel_same[i]);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (pid[i] > 0) {
			kill(pid[i], SIGTERM);
			waitpid(pid[i], NULL, 0);
		}
		unlink(file[i]);
	}
	xd_destroy(xd);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"read-one-trip", read_one_trip},
		{"placed-first-report", placed_first_report},
		{"clients-shown", clients_shown},
		{"server-no-sched-timer", server_no_sched_timer},
		{"screen-size", screen_size},
		{"stop-while-starting", stop_while_starting},
		{"stopped-server", stopped_server},
		{"lost-start-quiet", lost_start_quiet},
		{"keymap-stopped-server", keymap_stopped_server},
		{"keymap-stopped-full-hold", keymap_stopped_full_hold},
		{"releases-owed", releases_owed},
		{"grabbed-server", grabbed_server},
		{"keymap-refused-digest", refused_digest},
		{"keymap-gen", keymap_gen},
		{"xorg-dies-connected", xorg_dies_connected},
		{"put-down-no-wait", put_down_no_wait},
		{"stop-at-fork", stop_at_fork},
		{"cursor-coalesced", cursor_coalesced},
		{"shape-told", shape_told},
		{"shapes-answers-bounded", shapes_answers_bounded},
		{"cursor-ring-full", cursor_ring_full},
		{"props-ring-full", props_ring_full},
		{"cursor-large", cursor_large},
		{"read-id-reused", read_id_reused},
		{"untracked-mapped", untracked_mapped},
		{"untracked-mapped-below", untracked_mapped_below},
		{"untracked-mapped-stacked", untracked_mapped_stacked},
		{"selections-both-incr", selections_both_incr},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
