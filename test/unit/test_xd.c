/* xdisplay's reads against a real Xvfb (skipped, 77, without one): a
 * window's changed pixels are read in one trip to the X server (the
 * damage's subtract and the MIT-SHM reads go out together, the
 * rectangles known from the damage events), and they are the right
 * pixels. */
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xcb/xcb.h>

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
}

static void on_damaged(void *ctx, uint32_t id)
{
	struct t *t = ctx;

	if (id == t->win)
		t->damaged = true;
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

static const struct xd_ops ops = {
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

static void read_one_trip(void)
{
	char dir[] = "/tmp/telly-xd.XXXXXX", err[300], dpy[32];
	struct t t = {.display = -1};
	struct xd *xd = NULL;
	struct xd_counts before, after;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	struct xd_config cfg = {.dir = dir, .name = "t", .width = 640, .height = 480};
	if (xd_create(&cfg, &ops, &t, &xd, err, sizeof err) < 0) {
		printf("no Xvfb: %s\n", err);
		rmdir(dir);
		exit(77);
	}
	CHECK(until(xd, &t, is_ready));
	snprintf(dpy, sizeof dpy, ":%d", t.display);
	setenv("XAUTHORITY", xd_auth_path(xd), 1);
	xcb_connection_t *c = xcb_connect(dpy, NULL);
	CHECK(c && !xcb_connection_has_error(c));
	if (!c || xcb_connection_has_error(c))
		goto out;
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
out:
	xd_destroy(xd);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"read-one-trip", read_one_trip},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
