/* X windows on the desk, with no daemon: the surfaces (display-server
 * xsurf.c) fed with updates the host's own encoder (rp_xenc) made, the
 * compositor drawing them, the keymap keys travel in, and telly view's X
 * side (clients/view_x11.c) against a fake host on a socketpair that
 * answers OPEN and sends XWIN, XPIXELS, XGONE. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clients.h"
#include "ds_int.h"
#include "resume.h"
#include "unit.h"
#include "view_x11.h"
#include "xwin.h"

#define WAIT_MS 2000
#define CHAN 7
#define SCREEN_W 800
#define SCREEN_H 600

/* view_x11.c's --stats sorts with the telly command's helper. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void telly_sort_u64(uint64_t *s, size_t n)
{
	qsort(s, n, sizeof *s, cmp_u64);
}

/* ---- an encoder's payloads, kept for feeding ---- */

struct payloads {
	uint8_t *p[64];
	size_t n[64];
	int count;
};

static int keep(void *ctx, const uint8_t *payload, size_t len)
{
	struct payloads *ps = ctx;

	if (ps->count == 64)
		return -ENOSPC;
	ps->p[ps->count] = malloc(len);
	memcpy(ps->p[ps->count], payload, len);
	ps->n[ps->count++] = len;
	return 0;
}

static void payloads_free(struct payloads *ps)
{
	for (int i = 0; i < ps->count; i++)
		free(ps->p[i]);
	ps->count = 0;
}

/* A picture no encoder can shrink much: several frames for one update. */
static uint32_t *noise(int w, int h, uint32_t seed)
{
	uint32_t *px = malloc((size_t)w * h * 4);

	for (int i = 0; i < w * h; i++) {
		seed = seed * 1103515245u + 12345u;
		px[i] = (seed >> 8) & 0xffffff;
	}
	return px;
}

static bool same_pixels(pixman_image_t *img, const uint32_t *px, int w, int h)
{
	const uint32_t *d = pixman_image_get_data(img);
	int stride = pixman_image_get_stride(img) / 4;

	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++)
			if ((d[y * stride + x] & 0xffffff) != (px[y * w + x] & 0xffffff))
				return false;
	return true;
}

/* An update is shown whole or not at all: before its last frame the
 * picture is the one before. */
static void xsurf_whole_updates(void)
{
	int w = 300, h = 200;
	uint32_t *a = noise(w, h, 1);
	struct rp_xenc *e = rp_xenc_create(5, w, h);
	struct ds_xsurf *s = ds_xsurf_create(5, w, h);
	struct payloads ps = {0};
	char err[200];

	CHECK(rp_xenc_update(e, a, w, h, (size_t)w * 4, NULL, 0, 0, keep, &ps) > 1);
	CHECK(ps.count > 1);
	for (int i = 0; i + 1 < ps.count; i++) {
		CHECK_EQ(ds_xsurf_update(s, ps.p[i], ps.n[i], err, sizeof err), 0);
		CHECK(!ds_xsurf_dirty(s)); /* nothing shown yet */
		CHECK_EQ(ds_xsurf_updates(s), 0);
	}
	CHECK(!same_pixels(ds_xsurf_image(s), a, w, h));
	CHECK_EQ(ds_xsurf_update(s, ps.p[ps.count - 1], ps.n[ps.count - 1], err, sizeof err), 1);
	CHECK(same_pixels(ds_xsurf_image(s), a, w, h));
	CHECK(ds_xsurf_dirty(s));
	CHECK_EQ(ds_xsurf_updates(s), 1);
	payloads_free(&ps);
	rp_xenc_destroy(e);
	ds_xsurf_destroy(s);
	free(a);
}

/* One pixel changed: the damage is that pixel, not its 64x64 tile. */
static void xsurf_damage_is_what_changed(void)
{
	int w = 300, h = 200, nb;
	uint32_t *a = noise(w, h, 2);
	struct rp_xenc *e = rp_xenc_create(9, w, h);
	struct ds_xsurf *s = ds_xsurf_create(9, w, h);
	struct payloads ps = {0};
	pixman_region32_t d;
	char err[200];
	uint32_t frame, ack;
	uint64_t changes;

	rp_xenc_update(e, a, w, h, (size_t)w * 4, NULL, 0, 0, keep, &ps);
	for (int i = 0; i < ps.count; i++)
		ds_xsurf_update(s, ps.p[i], ps.n[i], err, sizeof err);
	payloads_free(&ps);
	pixman_region32_init(&d);
	ds_xsurf_take_damage(s, &d);
	CHECK(!ds_xsurf_dirty(s));
	pixman_region32_clear(&d);

	a[150 * w + 290] ^= 0xffffff;
	struct rp_xrect r = {290, 150, 1, 1};
	CHECK_EQ(rp_xenc_update(e, a, w, h, (size_t)w * 4, &r, 1, 42, keep, &ps), 1);
	CHECK_EQ(ds_xsurf_update(s, ps.p[0], ps.n[0], err, sizeof err), 1);
	ds_xsurf_take_damage(s, &d);
	const pixman_box32_t *b = pixman_region32_rectangles(&d, &nb);
	CHECK_EQ(nb, 1);
	if (nb == 1) {
		CHECK_EQ(b->x1, 290);
		CHECK_EQ(b->y1, 150);
		CHECK_EQ(b->x2, 291);
		CHECK_EQ(b->y2, 151);
	}
	ds_xsurf_shown(s, &frame, &ack, &changes);
	CHECK_EQ(ack, 42);
	CHECK_EQ(frame, 2);
	CHECK_EQ(changes, 2);
	CHECK(same_pixels(ds_xsurf_image(s), a, w, h));
	pixman_region32_fini(&d);
	payloads_free(&ps);
	rp_xenc_destroy(e);
	ds_xsurf_destroy(s);
	free(a);
}

/* The host's window grew: the surface follows the update's size. */
static void xsurf_resized(void)
{
	uint32_t *a = noise(100, 50, 3), *b = noise(180, 120, 4);
	struct rp_xenc *e = rp_xenc_create(3, 100, 50);
	struct ds_xsurf *s = ds_xsurf_create(3, 100, 50);
	struct payloads ps = {0};
	char err[200];
	int w, h;

	rp_xenc_update(e, a, 100, 50, 400, NULL, 0, 0, keep, &ps);
	rp_xenc_update(e, b, 180, 120, 720, NULL, 0, 0, keep, &ps);
	for (int i = 0; i < ps.count; i++)
		CHECK(ds_xsurf_update(s, ps.p[i], ps.n[i], err, sizeof err) >= 0);
	ds_xsurf_size(s, &w, &h);
	CHECK_EQ(w, 180);
	CHECK_EQ(h, 120);
	CHECK(same_pixels(ds_xsurf_image(s), b, 180, 120));
	payloads_free(&ps);
	rp_xenc_destroy(e);
	ds_xsurf_destroy(s);
	free(a);
	free(b);
}

/* A scroll (the encoder sends COPY, then the new rows) and a change in
 * two far corners: the picture shown is the host's exactly, whatever ops
 * it took (only where the ops wrote is compared). */
static void xsurf_scroll_and_corners(void)
{
	int w = 320, h = 256;
	uint32_t *a = noise(w, h, 9), *b = noise(w, h, 10);
	struct rp_xenc *e = rp_xenc_create(4, w, h);
	struct ds_xsurf *s = ds_xsurf_create(4, w, h);
	struct payloads ps = {0};
	struct rp_xenc_stats st;
	char err[200];

	rp_xenc_update(e, a, w, h, (size_t)w * 4, NULL, 0, 0, keep, &ps);
	memmove(a, a + 10 * w, (size_t)(h - 10) * w * 4); /* up 10 rows */
	memcpy(a + (size_t)(h - 10) * w, b, (size_t)10 * w * 4);
	rp_xenc_update(e, a, w, h, (size_t)w * 4, NULL, 0, 0, keep, &ps);
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_copy > 0); /* the scroll went as COPY */
	a[0] ^= 0xffffff;
	a[(size_t)(h - 1) * w + w - 1] ^= 0xffffff;
	struct rp_xrect r[2] = {{0, 0, 1, 1}, {w - 1, h - 1, 1, 1}};
	rp_xenc_update(e, a, w, h, (size_t)w * 4, r, 2, 0, keep, &ps);
	for (int i = 0; i < ps.count; i++)
		CHECK(ds_xsurf_update(s, ps.p[i], ps.n[i], err, sizeof err) >= 0);
	CHECK_EQ(ds_xsurf_updates(s), 3);
	CHECK(same_pixels(ds_xsurf_image(s), a, w, h));
	payloads_free(&ps);
	rp_xenc_destroy(e);
	ds_xsurf_destroy(s);
	free(a);
	free(b);
}

/* Text-like blocks (two colours: PALETTE ops) in two far tiles and noise
 * in a third, one update, applied with one decoder kept for two windows:
 * both pictures are the host's exactly (each op's rectangle is read past
 * its colours, so the ops after a PALETTE are where they wrote); then
 * the blocks cleared: the damage is their two boxes. */
static void xsurf_palette_ops_placed(void)
{
	int w = 320, h = 192;
	uint32_t *a = malloc((size_t)w * h * 4), *n = noise(64, 64, 11);
	struct rp_xenc *e = rp_xenc_create(6, w, h);
	struct ds_xsurf *s = ds_xsurf_create(6, w, h), *s2 = ds_xsurf_create(6, w, h);
	struct rp_xdec *dec = rp_xdec_create();
	struct payloads ps = {0};
	struct rp_xenc_stats st;
	pixman_region32_t d;
	const pixman_box32_t *b;
	char err[200];
	int nb;

	for (int i = 0; i < w * h; i++)
		a[i] = 0xffffff;
	rp_xenc_palette(e, true);
	rp_xenc_update(e, a, w, h, (size_t)w * 4, NULL, 0, 0, keep, &ps);
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 48; x++) {
			a[(size_t)(8 + y) * w + 8 + x] = (x * 7 + y * 3) % 5 ? 0xffffff : 0;
			a[(size_t)(136 + y) * w + 264 + x] = (x * 5 + y) % 3 ? 0xffffff : 0x2040a0;
		}
	for (int y = 0; y < 64; y++)
		memcpy(a + (size_t)(128 + y) * w + 64, n + (size_t)y * 64, 64 * 4);
	struct rp_xrect r[3] = {{8, 8, 48, 48}, {264, 136, 48, 48}, {64, 128, 64, 64}};
	rp_xenc_update(e, a, w, h, (size_t)w * 4, r, 3, 0, keep, &ps);
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_palette >= 2);
	for (int i = 0; i < ps.count; i++) {
		CHECK(ds_xsurf_update_with(s, dec, ps.p[i], ps.n[i], err, sizeof err) >= 0);
		CHECK(ds_xsurf_update_with(s2, dec, ps.p[i], ps.n[i], err, sizeof err) >= 0);
	}
	CHECK_EQ(ds_xsurf_updates(s), 2);
	CHECK(same_pixels(ds_xsurf_image(s), a, w, h));
	CHECK(same_pixels(ds_xsurf_image(s2), a, w, h));
	pixman_region32_init(&d);
	ds_xsurf_take_damage(s, &d); /* the first update's whole window, and the three */
	pixman_region32_clear(&d);
	ds_xsurf_take_damage(s2, &d);
	pixman_region32_clear(&d);
	/* Once more, the blocks back to white: only the pixels that were not. */
	for (int y = 0; y < 48; y++)
		for (int x = 0; x < 48; x++) {
			a[(size_t)(8 + y) * w + 8 + x] = 0xffffff;
			a[(size_t)(136 + y) * w + 264 + x] = 0xffffff;
		}
	payloads_free(&ps);
	rp_xenc_update(e, a, w, h, (size_t)w * 4, r, 2, 0, keep, &ps);
	for (int i = 0; i < ps.count; i++)
		CHECK(ds_xsurf_update_with(s, dec, ps.p[i], ps.n[i], err, sizeof err) >= 0);
	CHECK(same_pixels(ds_xsurf_image(s), a, w, h));
	ds_xsurf_take_damage(s, &d);
	b = pixman_region32_rectangles(&d, &nb);
	CHECK_EQ(nb, 2);
	if (nb == 2) {
		CHECK(b[0].x1 == 8 && b[0].y1 == 8 && b[0].x2 == 56 && b[0].y2 == 56);
		CHECK(b[1].x1 == 264 && b[1].y1 == 136 && b[1].x2 == 312 && b[1].y2 == 184);
	}
	pixman_region32_fini(&d);
	payloads_free(&ps);
	rp_xdec_destroy(dec);
	rp_xenc_destroy(e);
	ds_xsurf_destroy(s);
	ds_xsurf_destroy(s2);
	free(a);
	free(n);
}

/* Malformed updates are refused with what was wrong. */
static void xsurf_refuses_bad(void)
{
	uint8_t buf[64] = {0};
	struct ds_xsurf *s = ds_xsurf_create(3, 10, 10);
	char err[200] = "";
	/* id 4, frame 1, ack 0, 10x10, last; then an op past the window. */
	static const uint8_t other[] = {0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, 0, 10, 0, 10, 1};
	static const uint8_t outside[] = {0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 10, 0, 10, 1,
					  RP_XOP_FILL, 0, 5, 0, 5, 0, 9, 0, 9, 0, 0, 0, 0};

	CHECK_EQ(ds_xsurf_update(s, buf, 3, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "XPIXELS"));
	CHECK_EQ(ds_xsurf_update(s, other, sizeof other, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "window 0x4"));
	err[0] = 0;
	CHECK_EQ(ds_xsurf_update(s, outside, sizeof outside, err, sizeof err), -EPROTO);
	CHECK(err[0]);
	CHECK_EQ(ds_xsurf_updates(s), 0);
	ds_xsurf_destroy(s);
}

/* The default keymap: keysyms become the keycodes (evdev) that type them,
 * with the modifier keys their level needs. */
static void keymap_keys(void)
{
	char err[200];
	struct ds_keymap *k;
	uint8_t c[8];
	size_t n;

	setenv("XKB_DEFAULT_LAYOUT", "us", 1);
	k = ds_keymap_create(NULL, err, sizeof err);
	CHECK(k != NULL);
	if (!k)
		return;
	CHECK(strstr(ds_keymap_text(k, &n), "xkb_keymap") != NULL);
	CHECK(n > 1000);
	CHECK_EQ(ds_keymap_keys(k, 'a', 0, c, 8), 1);
	CHECK_EQ(c[0], 38);
	CHECK_EQ(ds_keymap_keys(k, 'A', 0, c, 8), 2);
	CHECK_EQ(c[0], 50); /* Shift_L first */
	CHECK_EQ(c[1], 38);
	CHECK_EQ(ds_keymap_keys(k, 0xff0d /* Return */, 0, c, 8), 1);
	CHECK_EQ(c[0], 36);
	CHECK_EQ(ds_keymap_keys(k, 'c', WM_MOD_CTRL, c, 8), 2);
	CHECK_EQ(c[0], 37); /* Control_L */
	CHECK_EQ(c[1], 54);
	CHECK_EQ(ds_keymap_keys(k, 0x20ac /* EuroSign, not on us */, 0, c, 8), 0);
	ds_keymap_destroy(k);
}

/* ---- the view's X side against a fake host ---- */

struct desk {
	struct ds_font *font;
	struct ds_backend *b;
	struct ds_comp *comp;
	struct wm wm;
	struct rp_conn *c, *host;
	uint32_t req;
	struct vx *x;
};

static bool desk_open(struct desk *d, bool readonly)
{
	char err[200];
	int fds[2];
	int cw, ch;

	memset(d, 0, sizeof *d);
	d->font = ds_font_create("monospace", 14, err, sizeof err);
	if (!d->font) {
		fprintf(stderr, "no font: %s\n", err);
		return false;
	}
	d->b = ds_headless_create(SCREEN_W, SCREEN_H, err, sizeof err);
	d->comp = ds_comp_create(d->b, d->font);
	ds_font_cell(d->font, &cw, &ch);
	wm_init(&d->wm, &(struct wm_config){.screen_w = SCREEN_W, .screen_h = SCREEN_H,
					    .title_h = ch + 6, .border = 3, .min_w = 40,
					    .min_h = 40});
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
	d->c = rp_conn_create(rp_transport_socket(fds[0]), 4096, 64u << 20);
	d->host = rp_conn_create(rp_transport_socket(fds[1]), 4096, 64u << 20);
	d->x = vx_create(&(struct vx_ctx){.c = d->c, .comp = d->comp, .wm = &d->wm, .b = d->b,
					  .req = &d->req, .readonly = readonly},
			 err, sizeof err);
	CHECK(d->x != NULL);
	return d->x != NULL;
}

static void desk_close(struct desk *d)
{
	vx_destroy(d->x);
	rp_conn_destroy(d->c);
	rp_conn_destroy(d->host);
	ds_comp_destroy(d->comp);
	ds_backend_destroy(d->b);
	ds_font_destroy(d->font);
}

/* The next frame the host gets from the desk, of type (others skipped):
 * 1, or -ETIMEDOUT. */
static int host_next(struct desk *d, uint8_t type, struct rp_hdr *h, const uint8_t **p)
{
	for (;;) {
		if (rp_conn_flush_wait(d->c, WAIT_MS) < 0)
			return -ETIMEDOUT;
		int r = rp_conn_next_frame(d->host, h, p, WAIT_MS);
		if (r != 1)
			return r;
		if (h->type == type)
			return 1;
	}
}

/* Everything the host sent, through the desk's X side. */
static int desk_pump(struct desk *d)
{
	struct rp_hdr h;
	const uint8_t *p;
	int r, n = 0;

	rp_conn_flush_wait(d->host, WAIT_MS);
	for (int tries = 0; tries < 100; tries++) {
		ssize_t got = rp_conn_read(d->c);
		while ((r = rp_conn_frame(d->c, &h, &p)) == 1) {
			r = vx_frame(d->x, &h, p);
			if (r < 0)
				return r;
			n++;
		}
		if (got == -EAGAIN && rp_conn_queued(d->host) == 0)
			break;
	}
	return n;
}

static void host_send(struct desk *d, const uint8_t *frame, long n)
{
	CHECK(n > 0);
	if (n > 0)
		rp_conn_send(d->host, frame, (size_t)n);
}

static int host_pixels(void *ctx, const uint8_t *payload, size_t len)
{
	struct desk *d = ctx;
	uint8_t hdr[RP_HDR_SIZE];

	rp_hdr_encode(hdr, RP_XPIXELS, 0, CHAN, (uint32_t)len);
	uint8_t *f = malloc(RP_HDR_SIZE + len);
	memcpy(f, hdr, RP_HDR_SIZE);
	memcpy(f + RP_HDR_SIZE, payload, len);
	rp_conn_send(d->host, f, RP_HDR_SIZE + len);
	free(f);
	return 0;
}

/* OPEN answered with OK on CHAN. */
static void attach(struct desk *d)
{
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_open o;
	uint8_t buf[256];
	struct rp_enc e;

	CHECK_EQ(vx_open(d->x, "xs", 2), 0);
	CHECK_EQ(host_next(d, RP_OPEN, &h, &p), 1);
	CHECK_EQ(rp_open_decode(p, h.len, &o), 0);
	CHECK(o.flags & RP_OPEN_ATTACH);
	CHECK(o.name.n == 2 && !memcmp(o.name.p, "xs", 2));
	rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, CHAN);
	rp_put_u32(&e, o.req);
	rp_put_str(&e, "xs", 2);
	host_send(d, buf, rp_enc_end(&e));
	CHECK(desk_pump(d) >= 1);
	unsigned opening;
	CHECK_EQ(vx_sessions(d->x, &opening), 1);
	CHECK_EQ(opening, 0);
}

static void send_xwin(struct desk *d, uint32_t id, int x, int y, int w, int h, uint16_t flags,
		      uint32_t transient_for, const char *title)
{
	uint8_t buf[1024];
	struct rp_xwin m = {.id = id, .x = (int16_t)x, .y = (int16_t)y, .w = (uint16_t)w,
			    .h = (uint16_t)h, .flags = flags, .transient_for = transient_for,
			    .title = {title, (uint16_t)strlen(title)}};

	host_send(d, buf, rp_xwin_frame(buf, sizeof buf, CHAN, &m));
}

static uint32_t fb_pixel(struct desk *d, int x, int y)
{
	pixman_image_t *fb = ds_comp_framebuffer(d->comp);

	return pixman_image_get_data(fb)[y * pixman_image_get_stride(fb) / 4 + x] & 0xffffff;
}

/* A window of the host: framed where the host has it, its pixels drawn
 * in its client area, the keymap sent with the first window, the update acknowledged once
 * drawn; a key goes as keycodes, the pointer window-relative; XGONE
 * takes it away. */
static void view_draws_host_window(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	int w = 200, hh = 120;
	uint32_t *a;

	if (!desk_open(&d, false))
		return;
	attach(&d);
	a = noise(w, hh, 5);
	struct rp_xenc *e = rp_xenc_create(0x400001, w, hh);
	send_xwin(&d, 0x400001, 100, 80, w, hh, RP_XWIN_CAN_CLOSE, 0, "xterm");
	CHECK(rp_xenc_update(e, a, w, hh, (size_t)w * 4, NULL, 0, 0, host_pixels, &d) >= 1);
	CHECK(desk_pump(&d) >= 2);
	/* The keymap, whole, once the display has a window (it runs). */
	{
		struct rp_xtext t = {0};
		struct rp_xchunk c;
		int r = 0;
		while (r == 0 && host_next(&d, RP_XKEYMAP, &h, &p) == 1) {
			CHECK_EQ(rp_xchunk_decode(p, h.len, RP_XKEYMAP_MAX_BYTES, &c), 0);
			r = rp_xtext_add(&t, &c);
		}
		CHECK_EQ(r, 1);
		CHECK(t.buf && strstr((char *)t.buf, "xkb_keycodes"));
		free(t.buf);
	}
	CHECK_EQ(d.wm.n, 1);
	uint32_t wid = vx_find(d.x, "xterm");
	CHECK(vx_drawn(d.x));
	CHECK(wid >= VX_ID_BASE);
	const struct wm_window *ww = wm_find(&d.wm, wid);
	CHECK(ww != NULL);
	if (!ww)
		goto out;
	CHECK_EQ(ww->box.x, 100); /* the frame where the host has the window */
	CHECK_EQ(ww->box.y, 80);
	struct wm_box in = wm_client_box(&d.wm, &ww->box);
	CHECK_EQ(in.w, w);
	CHECK_EQ(in.h, hh);
	CHECK(ds_comp_repaint(d.comp, &d.wm) > 0);
	vx_painted(d.x);
	for (int y = 0; y < hh; y += 7)
		for (int x = 0; x < w; x += 13)
			if (fb_pixel(&d, in.x + x, in.y + y) != (a[y * w + x] & 0xffffff)) {
				CHECK(!"the host's pixel on the desk");
				y = hh;
				break;
			}
	/* A scripted 'A': shift and a, pressed and released, as keycodes. */
	{
		struct wm_actions o = {0};
		struct ds_event ev = {.type = DS_EV_KEY, .pressed = true, .keysym = 'A'};
		struct rp_xkey k;
		static const struct {
			uint8_t code;
			bool pressed;
		} want[] = {{50, true}, {38, true}, {38, false}, {50, false}};
		wm_key(&d.wm, ev.keysym, 0, &o);
		CHECK_EQ(o.n, 1);
		vx_action(d.x, &o.a[0], &ev);
		for (size_t i = 0; i < 4; i++) {
			CHECK_EQ(host_next(&d, RP_XKEY, &h, &p), 1);
			CHECK_EQ(rp_xkey_decode(p, h.len, &k), 0);
			CHECK_EQ(k.id, 0x400001);
			CHECK_EQ(k.keycode, want[i].code);
			CHECK_EQ(k.pressed, want[i].pressed);
		}
		/* The answer (ack = the last key's seq) changes pixels. */
		CHECK(!vx_updated(d.x));
		a[5 * w + 5] ^= 0xffffff;
		struct rp_xrect r = {5, 5, 1, 1};
		rp_xenc_update(e, a, w, hh, (size_t)w * 4, &r, 1, k.seq, host_pixels, &d);
		CHECK(desk_pump(&d) >= 1);
		CHECK(vx_updated(d.x));
		CHECK(vx_take_paint_now(d.x));
		/* The pixel repainted, not its tile nor the window. */
		CHECK_EQ(ds_comp_repaint(d.comp, &d.wm), 1);
		CHECK_EQ(fb_pixel(&d, in.x + 5, in.y + 5), a[5 * w + 5] & 0xffffff);
	}
	/* The pointer: relative to the window; a press there is its. */
	{
		struct wm_actions o = {0};
		struct rp_xpointer m;
		wm_warp(&d.wm, in.x + 10, in.y + 20, &o);
		vx_pointer(d.x);
		CHECK_EQ(host_next(&d, RP_XPOINTER, &h, &p), 1);
		CHECK_EQ(rp_xpointer_decode(p, h.len, &m), 0);
		CHECK(m.kind == RP_XPTR_MOTION && m.x == 10 && m.y == 20 && m.id == 0x400001);
		CHECK(vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1,
							.pressed = true}));
		CHECK_EQ(host_next(&d, RP_XPOINTER, &h, &p), 1);
		CHECK_EQ(rp_xpointer_decode(p, h.len, &m), 0);
		CHECK(m.kind == RP_XPTR_PRESS && m.button == 1 && m.x == 10 && m.y == 20);
		CHECK(vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1}));
		/* On the title bar: the desk's. */
		wm_warp(&d.wm, ww->box.x + 20, ww->box.y + 5, &o);
		vx_pointer(d.x);
		CHECK(!vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1,
							 .pressed = true}));
	}
	/* Dragged on the desk: the host is asked to move it there. */
	{
		struct wm_actions o = {0};
		struct rp_xconfigure m;
		wm_button(&d.wm, 1, true, &o);
		wm_warp(&d.wm, ww->box.x + 50, ww->box.y + 35, &o);
		wm_button(&d.wm, 1, false, &o);
		for (unsigned i = 0; i < o.n; i++)
			vx_action(d.x, &o.a[i], NULL);
		CHECK_EQ(host_next(&d, RP_XCONFIGURE, &h, &p), 1);
		CHECK_EQ(rp_xconfigure_decode(p, h.len, &m), 0);
		CHECK(m.what & RP_XCONF_MOVE);
		CHECK_EQ(m.x, 130);
		CHECK_EQ(m.y, 110);
	}
	/* Gone on the host, gone here. */
	{
		uint8_t buf[64];
		host_send(&d, buf, rp_xid_frame(buf, sizeof buf, RP_XGONE, CHAN, 0x400001));
		CHECK(desk_pump(&d) >= 1);
		CHECK_EQ(d.wm.n, 0);
		CHECK_EQ(vx_find(d.x, "xterm"), 0);
	}
out:
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* A menu (override-redirect) is drawn unframed, above its parent, at the
 * host's place relative to it, and takes the clicks on it. */
static void view_menu_at_parent(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	uint32_t *a = noise(300, 200, 6), *m = malloc(80 * 60 * 4);

	if (!desk_open(&d, false))
		goto out;
	attach(&d);
	for (int i = 0; i < 80 * 60; i++)
		m[i] = 0x00ff00;
	struct rp_xenc *e = rp_xenc_create(0x600001, 300, 200), *me = rp_xenc_create(0x600009, 80, 60);
	send_xwin(&d, 0x600001, 0, 0, 300, 200, 0, 0, "gtk");
	rp_xenc_update(e, a, 300, 200, 1200, NULL, 0, 0, host_pixels, &d);
	/* A menu at host (40, 30): 40, 30 into the parent's client area. */
	send_xwin(&d, 0x600009, 40, 30, 80, 60, RP_XWIN_OVERRIDE, 0x600001, "");
	rp_xenc_update(me, m, 80, 60, 320, NULL, 0, 0, host_pixels, &d);
	CHECK(desk_pump(&d) >= 4);
	CHECK_EQ(d.wm.n, 1); /* the menu is not winmgr's */
	const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "gtk"));
	CHECK(ww != NULL);
	if (!ww)
		goto done;
	struct wm_box in = wm_client_box(&d.wm, &ww->box);
	ds_comp_repaint(d.comp, &d.wm);
	CHECK_EQ(fb_pixel(&d, in.x + 40, in.y + 30), 0x00ff00);
	CHECK_EQ(fb_pixel(&d, in.x + 119, in.y + 89), 0x00ff00);
	CHECK_EQ(fb_pixel(&d, in.x + 39, in.y + 30), a[30 * 300 + 39] & 0xffffff);
	/* A click on its item goes to the menu, menu-relative. */
	{
		struct rp_xpointer pm;
		wm_warp(&d.wm, in.x + 50, in.y + 45, NULL);
		CHECK(vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1,
							.pressed = true}));
		CHECK_EQ(host_next(&d, RP_XPOINTER, &h, &p), 1);
		CHECK_EQ(rp_xpointer_decode(p, h.len, &pm), 0);
		CHECK_EQ(pm.id, 0x600009);
		CHECK_EQ(pm.x, 10);
		CHECK_EQ(pm.y, 15);
	}
	/* Gone: the parent shows there again. */
	{
		uint8_t buf[64];
		host_send(&d, buf, rp_xid_frame(buf, sizeof buf, RP_XGONE, CHAN, 0x600009));
		desk_pump(&d);
		ds_comp_repaint(d.comp, &d.wm);
		CHECK_EQ(fb_pixel(&d, in.x + 40, in.y + 30), a[30 * 300 + 40] & 0xffffff);
	}
done:
	rp_xenc_destroy(e);
	rp_xenc_destroy(me);
	desk_close(&d);
out:
	free(a);
	free(m);
}

/* Attached, and one window of the host drawn at 20, 20: its pixels *a
 * (noise of seed), its encoder *e. */
static void one_window(struct desk *d, uint32_t id, int w, int h, const char *title,
		       uint32_t seed, uint32_t **a, struct rp_xenc **e)
{
	attach(d);
	*a = noise(w, h, seed);
	*e = rp_xenc_create(id, w, h);
	send_xwin(d, id, 20, 20, w, h, 0, 0, title);
	rp_xenc_update(*e, *a, w, h, (size_t)w * 4, NULL, 0, 0, host_pixels, d);
	desk_pump(d);
}

/* Menus (override-redirect) of a host that says they are transient for
 * each other, a loop (a hostile program's windows; a host before it
 * dropped such links): each is drawn, where the host has it relative to
 * the focused window, and the view goes on. It looked for their parent
 * for ever. */
static void view_transient_loop(void)
{
	struct desk d;
	uint32_t *a = NULL, *m = malloc(40 * 30 * 4);
	struct rp_xenc *e = NULL, *e1 = rp_xenc_create(0x600011, 40, 30),
		       *e2 = rp_xenc_create(0x600012, 40, 30);

	if (!desk_open(&d, false))
		goto out;
	one_window(&d, 0x600001, 300, 200, "main", 5, &a, &e);
	for (int i = 0; i < 40 * 30; i++)
		m[i] = 0xff0000;
	send_xwin(&d, 0x600011, 10, 10, 40, 30, RP_XWIN_OVERRIDE, 0x600012, "");
	send_xwin(&d, 0x600012, 60, 10, 40, 30, RP_XWIN_OVERRIDE, 0x600011, "");
	rp_xenc_update(e1, m, 40, 30, 160, NULL, 0, 0, host_pixels, &d);
	rp_xenc_update(e2, m, 40, 30, 160, NULL, 0, 0, host_pixels, &d);
	CHECK(desk_pump(&d) >= 4);
	const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "main"));
	CHECK(ww != NULL);
	if (ww) {
		struct wm_box in = wm_client_box(&d.wm, &ww->box);
		ds_comp_repaint(d.comp, &d.wm);
		CHECK_EQ(fb_pixel(&d, in.x + 10, in.y + 10), 0xff0000);
		CHECK_EQ(fb_pixel(&d, in.x + 60, in.y + 10), 0xff0000);
	}
	desk_close(&d);
out:
	rp_xenc_destroy(e);
	rp_xenc_destroy(e1);
	rp_xenc_destroy(e2);
	free(a);
	free(m);
}

/* A click's answer is the update that acks its press: the host reads a
 * window on damage, and a program that draws on the press (a button's
 * look) changes nothing on the release, so no update acking the release
 * may ever come. wait-update (vx_updated) and paint-at-once
 * (vx_take_paint_now) must take the press's answer. */
static void view_click_answered_by_press(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_xpointer m;
	uint32_t press = 0, release = 0;

	uint32_t *a;
	struct rp_xenc *e;

	if (!desk_open(&d, false))
		return;
	one_window(&d, 0x800001, 100, 80, "clicky", 8, &a, &e);
	vx_take_paint_now(d.x);
	const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "clicky"));
	CHECK(ww != NULL);
	if (!ww)
		goto out;
	struct wm_box in = wm_client_box(&d.wm, &ww->box);
	wm_warp(&d.wm, in.x + 30, in.y + 40, NULL);
	vx_pointer(d.x);
	CHECK(vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1,
						.pressed = true}));
	CHECK(vx_button(d.x, &(struct ds_event){.type = DS_EV_BUTTON, .button = 1}));
	while (!release && host_next(&d, RP_XPOINTER, &h, &p) == 1) {
		CHECK_EQ(rp_xpointer_decode(p, h.len, &m), 0);
		if (m.kind == RP_XPTR_PRESS)
			press = m.seq;
		else if (m.kind == RP_XPTR_RELEASE)
			release = m.seq;
	}
	CHECK(press && release > press);
	CHECK(!vx_updated(d.x));
	/* The press's damage, read before the release went in. */
	a[40 * 100 + 30] ^= 0xffffff;
	struct rp_xrect r = {30, 40, 1, 1};
	rp_xenc_update(e, a, 100, 80, 400, &r, 1, press, host_pixels, &d);
	CHECK(desk_pump(&d) >= 1);
	CHECK(vx_updated(d.x));
	CHECK(vx_take_paint_now(d.x));
out:
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* A key's press and its release, read from the desk in one batch, go to
 * the host in one write: the press waits for the end of the batch
 * (vx_flush_input), not sent alone at once (which woke every process on
 * the way, the host's X server too, twice a key). */
/* The person types 'a' (keycode 38) into the focused window: pressed
 * and released. */
static void type_a(struct desk *d)
{
	struct wm_actions o = {0};
	struct ds_event ev = {.type = DS_EV_KEY, .pressed = true, .keysym = 'a', .keycode = 38};

	wm_key(&d->wm, ev.keysym, 0, &o);
	CHECK_EQ(o.n, 1);
	if (o.n == 1) {
		vx_action(d->x, &o.a[0], &ev);
		ev.pressed = false;
		vx_key_release(d->x, &ev);
	}
}

static void view_key_batch_one_write(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_xkey k;
	uint8_t peek[8];
	uint32_t *a;
	struct rp_xenc *e;

	if (!desk_open(&d, false))
		return;
	one_window(&d, 0x900001, 60, 40, "typed", 9, &a, &e);
	/* What the desk had to say before (its keymap, acks) is read. */
	CHECK_EQ(rp_conn_flush_wait(d.c, WAIT_MS), 0);
	while (rp_conn_next_frame(d.host, &h, &p, 100) == 1)
		;
	type_a(&d);
	/* Nothing written yet: both wait for the batch's end. */
	CHECK(recv(rp_conn_fd(d.host), peek, sizeof peek, MSG_PEEK | MSG_DONTWAIT) < 0 &&
	      errno == EAGAIN);
	vx_flush_input(d.x);
	CHECK_EQ(rp_conn_queued(d.c), 0);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(rp_conn_next_frame(d.host, &h, &p, WAIT_MS), 1);
		CHECK_EQ(h.type, RP_XKEY);
		CHECK_EQ(rp_xkey_decode(p, h.len, &k), 0);
		CHECK_EQ(k.keycode, 38);
		CHECK_EQ(k.pressed, i == 0);
	}
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* Ids of the desk's stack, bottom first, as "A B C" by title letter. */
static void stack_names(struct desk *d, const char *const *titles, const uint32_t *wids, int n,
			char *out)
{
	for (unsigned i = 0; i < d->wm.n; i++)
		for (int k = 0; k < n; k++)
			if (d->wm.win[i].id == wids[k])
				*out++ = titles[k][0];
	*out = 0;
}

/* Windows come back stacked as the host has them, whatever order their
 * XWINs come in (a view attaching gets them oldest first, each naming the
 * one below it); a restack on the host moves the desk's; an XWIN that
 * repeats a window's old place does not undo the person's raise the
 * host has not answered yet. */
static void view_stacked_as_host(void)
{
	struct desk d;
	static const char *const titles[] = {"A", "B", "C"};
	const uint32_t ids[] = {0x900001, 0x900002, 0x900003};
	uint32_t wids[3];
	char got[8];
	uint8_t buf[256];

	if (!desk_open(&d, false))
		return;
	attach(&d);
	/* The host: C at the bottom, B on it, A on top. */
	const uint32_t above[] = {ids[1], ids[2], 0};
	for (int i = 0; i < 3; i++) {
		struct rp_xwin m = {.id = ids[i], .above = above[i], .x = (int16_t)(20 + 30 * i),
				    .y = 30, .w = 100, .h = 80, .title = {titles[i], 1}};
		host_send(&d, buf, rp_xwin_frame(buf, sizeof buf, CHAN, &m));
	}
	CHECK(desk_pump(&d) >= 3);
	for (int i = 0; i < 3; i++) {
		wids[i] = 0;
		for (unsigned k = 0; k < d.wm.n; k++)
			if (!strcmp(vx_title(d.x, d.wm.win[k].id), titles[i]))
				wids[i] = d.wm.win[k].id;
		CHECK(wids[i] != 0);
	}
	stack_names(&d, titles, wids, 3, got);
	CHECK(!strcmp(got, "CBA"));
	CHECK_EQ(d.wm.focus, wids[0]); /* the top one has the focus */
	/* The host raises C: right above A. */
	{
		struct rp_xwin m = {.id = ids[2], .above = ids[0], .x = 80, .y = 30, .w = 100,
				    .h = 80, .title = {"C", 1}};
		host_send(&d, buf, rp_xwin_frame(buf, sizeof buf, CHAN, &m));
		desk_pump(&d);
		stack_names(&d, titles, wids, 3, got);
		CHECK(!strcmp(got, "BAC"));
	}
	/* The person raises B; before the host answers, C's XWIN repeats
	 * its place (its title changed): B stays on top. */
	{
		struct wm_actions o = {0};
		wm_focus(&d.wm, wids[1], &o);
		for (unsigned i = 0; i < o.n; i++)
			vx_action(d.x, &o.a[i], NULL);
		struct rp_xwin m = {.id = ids[2], .above = ids[0], .x = 80, .y = 30, .w = 100,
				    .h = 80, .title = {"C2", 2}};
		host_send(&d, buf, rp_xwin_frame(buf, sizeof buf, CHAN, &m));
		desk_pump(&d);
		stack_names(&d, titles, wids, 3, got);
		CHECK(!strcmp(got, "ACB"));
		CHECK_EQ(d.wm.focus, wids[1]);
	}
	desk_close(&d);
}

/* A read-only view sends no keys, pointer or keymap. */
static void view_readonly_silent(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;

	if (!desk_open(&d, true))
		return;
	attach(&d);
	uint32_t *a = noise(50, 50, 7);
	struct rp_xenc *e = rp_xenc_create(0x700001, 50, 50);
	send_xwin(&d, 0x700001, 10, 10, 50, 50, 0, 0, "ro");
	rp_xenc_update(e, a, 50, 50, 200, NULL, 0, 0, host_pixels, &d);
	desk_pump(&d);
	struct wm_actions o = {0};
	wm_key(&d.wm, 'a', 0, &o);
	for (unsigned i = 0; i < o.n; i++)
		vx_action(d.x, &o.a[i], &(struct ds_event){.type = DS_EV_KEY, .keysym = 'a'});
	const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "ro"));
	CHECK(ww != NULL);
	if (ww) {
		struct wm_box in = wm_client_box(&d.wm, &ww->box);
		wm_warp(&d.wm, in.x + 3, in.y + 3, NULL);
		vx_pointer(d.x);
	}
	rp_conn_flush_wait(d.c, WAIT_MS);
	CHECK_EQ(rp_conn_next_frame(d.host, &h, &p, 100), -ETIMEDOUT);
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* A host cannot make the desk hold unbounded pixels: windows past the
 * budget are not drawn, the others are. */
static void view_pixels_bounded(void)
{
	struct desk d;

	if (!desk_open(&d, true))
		return;
	attach(&d);
	send_xwin(&d, 0x900001, 0, 0, 8000, 8000, 0, 0, "huge"); /* 64 M pixels */
	send_xwin(&d, 0x900002, 0, 0, 5000, 5000, 0, 0, "big");  /* 25 M */
	send_xwin(&d, 0x900003, 0, 0, 4000, 4000, 0, 0, "more"); /* 16 M: past 32 M with big */
	send_xwin(&d, 0x900004, 0, 0, 100, 100, 0, 0, "small");
	CHECK(desk_pump(&d) >= 4);
	CHECK_EQ(d.wm.n, 2); /* big and small */
	desk_close(&d);
}

/* Pixels out of the window are a malformed frame: the view says so. */
static void view_bad_pixels(void)
{
	struct desk d;
	static const uint8_t bad[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 10, 0, 10, 1,
				      RP_XOP_FILL, 0, 5, 0, 5, 0, 9, 0, 9, 0, 0, 0, 0};
	uint8_t f[RP_HDR_SIZE + sizeof bad];

	if (!desk_open(&d, true))
		return;
	attach(&d);
	send_xwin(&d, 1, 0, 0, 10, 10, 0, 0, "t");
	rp_hdr_encode(f, RP_XPIXELS, 0, CHAN, sizeof bad);
	memcpy(f + RP_HDR_SIZE, bad, sizeof bad);
	host_send(&d, f, sizeof f);
	CHECK_EQ(desk_pump(&d), -EPROTO);
	CHECK(strstr(vx_why(d.x), "bad pixels for window 0x1"));
	desk_close(&d);
}

/* The host's pointer shape (XCURSOR) is the pointer over its windows,
 * at its hot spot; over the desktop the desk's own arrow again. */
static void view_cursor_shape(void)
{
	struct desk d;
	uint8_t buf[512], argb[4 * 4 * 4];
	uint32_t *black = calloc(100 * 80, 4);

	if (!desk_open(&d, false))
		goto out;
	attach(&d);
	for (int i = 0; i < 100 * 80; i++)
		black[i] = 0x000001; /* not the encoder's empty shadow: it sends it */
	for (int i = 0; i < 16; i++) { /* opaque red, little-endian words */
		argb[i * 4] = 0;
		argb[i * 4 + 1] = 0;
		argb[i * 4 + 2] = 0xff;
		argb[i * 4 + 3] = 0xff;
	}
	struct rp_xenc *e = rp_xenc_create(0x500001, 100, 80);
	send_xwin(&d, 0x500001, 200, 200, 100, 80, 0, 0, "cur");
	rp_xenc_update(e, black, 100, 80, 400, NULL, 0, 0, host_pixels, &d);
	struct rp_xcursor c = {.serial = 7, .w = 4, .h = 4, .xhot = 1, .yhot = 1, .argb = argb};
	host_send(&d, buf, rp_xcursor_frame(buf, sizeof buf, CHAN, &c));
	int n = desk_pump(&d);
	if (n < 3)
		fprintf(stderr, "pump %d: %s\n", n, vx_why(d.x));
	CHECK(n >= 3);
	const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "cur"));
	CHECK(ww != NULL);
	if (ww) {
		struct wm_box in = wm_client_box(&d.wm, &ww->box);
		int px = in.x + 50, py = in.y + 40;
		wm_warp(&d.wm, px, py, NULL);
		ds_comp_cursor(d.comp, px, py);
		vx_pointer(d.x);
		ds_comp_repaint(d.comp, &d.wm);
		CHECK_EQ(fb_pixel(&d, px - 1, py - 1), 0xff0000); /* the hot spot is 1,1 in */
		CHECK_EQ(fb_pixel(&d, px + 2, py + 2), 0xff0000);
		CHECK_EQ(fb_pixel(&d, px + 3, py + 3), 1);
		/* Over the desktop: the arrow, its tip at the pointer. */
		wm_warp(&d.wm, 20, 20, NULL);
		ds_comp_cursor(d.comp, 20, 20);
		vx_pointer(d.x);
		ds_comp_repaint(d.comp, &d.wm);
		CHECK_EQ(fb_pixel(&d, 20, 20), 0);	 /* the arrow's black outline */
		CHECK(fb_pixel(&d, px - 1, py - 1) != 0xff0000); /* the red one gone */
	}
	rp_xenc_destroy(e);
	desk_close(&d);
out:
	free(black);
}

/* The host's list names its X sessions after all sessions: each is
 * opened as X; a cut or overlong X part is refused. */
static void view_list_opens_x(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	uint8_t buf[512];
	struct rp_enc e;
	struct rp_open o;
	uint32_t req;
	uint16_t count;
	size_t off, at;
	struct rp_session_info si;

	if (!desk_open(&d, false))
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST_REPLY, 0, 0);
	rp_put_u32(&e, 9);
	rp_put_u16(&e, 2);
	const char *names[] = {"sh", "desk1"};
	for (int i = 0; i < 2; i++) {
		rp_put_str(&e, names[i], strlen(names[i]));
		rp_put_str(&e, "bash", 4);
		rp_put_u32(&e, 100);
		rp_put_u16(&e, 24);
		rp_put_u16(&e, 80);
		rp_put_u16(&e, 0);
	}
	rp_put_u16(&e, 1); /* one X session */
	rp_put_str(&e, "desk1", 5);
	rp_put_u32(&e, 3);
	rp_put_u16(&e, 1);
	rp_put_u32(&e, 0x200001);
	for (int i = 0; i < 4; i++)
		rp_put_u16(&e, 10);
	rp_put_str(&e, "xterm", 5);
	long n = rp_enc_end(&e);
	CHECK(n > 0);
	CHECK_EQ(rp_list_reply_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &req, &count, &off), 0);
	for (uint16_t i = 0; i < count; i++)
		CHECK_EQ(rp_list_entry_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &off, &si), 0);
	at = off;
	CHECK_EQ(vx_list(d.x, buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, at), 0);
	CHECK(vx_has(d.x, "desk1", 5));
	CHECK(!vx_has(d.x, "sh", 2));
	CHECK(!vx_drawn(d.x)); /* being opened, its listed window not drawn */
	CHECK_EQ(host_next(&d, RP_OPEN, &h, &p), 1);
	CHECK_EQ(rp_open_decode(p, h.len, &o), 0);
	CHECK(o.name.n == 5 && !memcmp(o.name.p, "desk1", 5));
	/* No X part at all (an older host): nothing. */
	CHECK_EQ(vx_list(d.x, buf + RP_HDR_SIZE, at, at), 0);
	/* Cut inside a window, or bytes after it: malformed. */
	CHECK_EQ(vx_list(d.x, buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE - 3, at), -EPROTO);
	buf[n] = 0;
	CHECK_EQ(vx_list(d.x, buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE + 1, at), -EPROTO);
	desk_close(&d);
}

/* --stats' split of a press by the host's clock takes the XTIMING that
 * times that press only. One that times a later input (the release that
 * came with it, a motion, the next key) has that input's arrival as
 * t_input: given to the press (before, to every press up to its seq), the
 * time the host held the press, and the gap between the two, was counted
 * as the press's wire to host. */
static void timing_split_own_input(void)
{
	uint64_t out[VX_SPLIT_N];
	/* The press: sent at 1000, arrives 1100, written 1150, damage 5000,
	 * read 5100, encoded 5300, queued 5350; its answer back at 5500. */
	struct rp_xtiming h = {.seq = 7, .id = 0x800001, .t_input = 1100, .t_injected = 1150,
			       .t_damage = 5000, .t_read = 5100, .t_encoded = 5300, .t_sent = 5350};

	CHECK(vx_timing_split(7, 1000, 5500, &h, out));
	CHECK_EQ(out[0], 100u); /* wire to host */
	CHECK_EQ(out[1], 50u);
	CHECK_EQ(out[2], 3850u);
	CHECK_EQ(out[3], 100u);
	CHECK_EQ(out[4], 200u);
	CHECK_EQ(out[5], 50u);
	CHECK_EQ(out[6], 150u); /* wire back */
	/* The same pixels timed by the release after it (seq 8, arrived at
	 * 4000 while the program drew): not the press's. */
	struct rp_xtiming rel = h;
	rel.seq = 8;
	rel.t_input = 4000;
	rel.t_injected = 4010;
	CHECK(!vx_timing_split(7, 1000, 5500, &rel, out));
	/* Another clock's instants (before the press was sent): no split. */
	h.t_input = 900;
	CHECK(!vx_timing_split(7, 1000, 5500, &h, out));
}

/* One update of a window, painted. */
static void paint_update(struct desk *d, struct rp_xenc *e, uint32_t *a, int w, int h, int k)
{
	struct rp_xrect r = {k, k, 1, 1};

	a[k * w + k] ^= 0xffffff;
	CHECK(rp_xenc_update(e, a, w, h, (size_t)w * 4, k ? &r : NULL, k ? 1 : 0, 0, host_pixels,
			     d) >= 1);
	CHECK(desk_pump(d) >= 1);
	CHECK(ds_comp_repaint(d->comp, &d->wm) > 0);
	vx_painted(d->x);
}

/* A desk attached to a window of 64x48 (id 0x400001, its pixels a),
 * on a link of 0.2 ms: updates 33 ms apart are sparse. */
static bool ack_desk(struct desk *d, struct rp_xenc **e, uint32_t **a)
{
	if (!desk_open(d, false))
		return false;
	attach(d);
	*a = noise(64, 48, 9);
	*e = rp_xenc_create(0x400001, 64, 48);
	send_xwin(d, 0x400001, 10, 10, 64, 48, 0, 0, "xterm");
	vx_set_rtt(d->x, 200);
	return true;
}

/* Sparse updates shown (a key's answer each) are acknowledged every
 * VX_ACK_EVERY (2): typed keys cost the host an XACK to read every second
 * key, and the host, which sends while fewer than RP_XUNACKED_MAX are
 * unacknowledged, never waits. Before, each update had its own XACK
 * (1, 2, 3, 4, 5 here). (Updates that stream are each acknowledged at
 * once: xack-may-wait.) */
static void view_acks_every_other_update(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	int w = 64, hh = 48;
	uint32_t acks[8], n = 0, id, frame, *a;
	struct rp_xenc *e;

	if (!ack_desk(&d, &e, &a))
		return;
	for (int k = 0; k < 5; k++) {
		paint_update(&d, e, a, w, hh, k);
		/* (the time between them is what is tested: sparse) */
		nanosleep(&(struct timespec){0, 40 * 1000000}, NULL);
		vx_tick(d.x, base_now_ms()); /* (a due XACK waits a while: view-ack-held) */
	}
	/* All the desk sent is in the socket: read without waiting. */
	CHECK_EQ(rp_conn_flush_wait(d.c, WAIT_MS), 0);
	while (n < 8 && rp_conn_next_frame(d.host, &h, &p, 50) == 1)
		if (h.type == RP_XACK && rp_xack_decode(p, h.len, &id, &frame) == 0 &&
		    id == 0x400001)
			acks[n++] = frame;
	CHECK_EQ(n, 2);
	CHECK_EQ(acks[0], 2);
	CHECK_EQ(acks[1], 4);
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* The XACK a sparse update owes (every second: a key's answer) is not
 * written as the answer is drawn, where it woke the link, a delay proxy
 * and the host's loop while the desk's X server drew that answer: it
 * goes right behind the next input the desk sends, or alone once
 * VX_ACK_HOLD_MS (30 ms) passed (vx_wait_ms says when, vx_tick sends it).
 * Before, it was in the socket as soon as the update was painted. */
static void view_ack_held(void)
{
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	int w = 64, hh = 48;
	uint32_t id, frame, *a;
	struct rp_xenc *e;
	long left;

	if (!ack_desk(&d, &e, &a))
		return;
	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < 2; k++) {
			paint_update(&d, e, a, w, hh, 2 * round + k);
			if (!k)
				nanosleep(&(struct timespec){0, 40 * 1000000}, NULL);
		}
		/* The second's XACK is due, and not sent yet (the rest the desk
		 * had to say, its keymap, is). */
		CHECK_EQ(rp_conn_flush_wait(d.c, WAIT_MS), 0);
		while (rp_conn_next_frame(d.host, &h, &p, 50) == 1)
			CHECK(h.type != RP_XACK);
		left = vx_wait_ms(d.x, base_now_ms());
		CHECK(left >= 0 && left <= 30);
		if (round == 0) {
			/* The pointer moved over the window: its XPOINTER, and
			 * the XACK right behind it. */
			struct wm_actions o = {0};
			const struct wm_window *ww = wm_find(&d.wm, vx_find(d.x, "xterm"));
			CHECK(ww != NULL);
			if (!ww)
				break;
			struct wm_box in = wm_client_box(&d.wm, &ww->box);
			wm_warp(&d.wm, in.x + 3, in.y + 3, &o);
			vx_pointer(d.x);
			CHECK_EQ(host_next(&d, RP_XPOINTER, &h, &p), 1);
			CHECK_EQ(rp_conn_next_frame(d.host, &h, &p, WAIT_MS), 1);
		} else {
			/* No input: alone, when vx_wait_ms said. */
			nanosleep(&(struct timespec){0, (left + 1) * 1000000}, NULL);
			vx_tick(d.x, base_now_ms());
			CHECK_EQ(host_next(&d, RP_XACK, &h, &p), 1);
		}
		CHECK_EQ(h.type, RP_XACK);
		CHECK(rp_xack_decode(p, h.len, &id, &frame) == 0 && id == 0x400001);
		CHECK_EQ(frame, 2u * round + 2);
		CHECK_EQ(vx_wait_ms(d.x, base_now_ms()), -1);
	}
	/* Held as the link goes: no deadline while it is down (the loop
	 * would spin), the windows are made anew once it is back. */
	nanosleep(&(struct timespec){0, 40 * 1000000}, NULL);
	paint_update(&d, e, a, w, hh, 4);
	nanosleep(&(struct timespec){0, 40 * 1000000}, NULL);
	paint_update(&d, e, a, w, hh, 5);
	CHECK(vx_wait_ms(d.x, base_now_ms()) >= 0);
	vx_link_down(d.x);
	CHECK_EQ(vx_wait_ms(d.x, base_now_ms()), -1);
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* An update's XACK waits only when updates are sparse: 33 ms apart and
 * two round trips (100 ms before one is measured). Within a scroll or an
 * animation they come closer (a frame apart, or, held by the host's
 * window of 3, a round trip at most), and each is acknowledged at once:
 * with every second one waiting, a scroll through a 50 ms link fell from
 * 58 to 39 frames a second. */
static void xack_may_wait(void)
{
	CHECK(!vx_ack_may_wait(16 * 1000000ull, 200));
	CHECK(!vx_ack_may_wait(32 * 1000000ull, 200));
	CHECK(vx_ack_may_wait(33 * 1000000ull, 200));
	CHECK(!vx_ack_may_wait(40 * 1000000ull, 0)); /* not measured: 100 ms */
	CHECK(vx_ack_may_wait(100 * 1000000ull, 0));
	CHECK(!vx_ack_may_wait(60 * 1000000ull, 50000)); /* two of 50 ms: 100 */
	CHECK(!vx_ack_may_wait(99 * 1000000ull, 50000));
	CHECK(vx_ack_may_wait(100 * 1000000ull, 50000));
	CHECK(vx_ack_may_wait(2000 * 1000000ull, 300000));
}

/* X input kept while the link is down rides behind its RESUME only when
 * it goes right whatever place the host took (vx_needs_place): a key
 * that is down at such a place and held while more is done (a Shift), or
 * down still, is pressed again after RESUMED, which says the place; one
 * let go right after it is not (pressed again it would be typed twice).
 * The places: at least before the oldest kept, at most the last sent. */
static void keep_key(struct rp_inlog *l, uint32_t seq, uint8_t code, bool pressed)
{
	uint8_t f[RP_HDR_SIZE + 16];
	struct rp_xkey k = {.seq = seq, .id = 5, .keycode = code, .pressed = pressed};
	long n = rp_xkey_frame(f, sizeof f, 3, &k);

	CHECK(n > 0 && rp_inlog_add(l, (struct rp_inpos){seq, 0}, f, (size_t)n, false) == 0);
}

static void xahead_needs_place(void)
{
	uint32_t kdown[256] = {0};
	struct rp_inlog l;
	enum { SHIFT = 50, A = 38, B = 56 };

	rp_inlog_init(&l); /* nothing kept: the place is the last seq given */
	CHECK(!vx_needs_place(&l, kdown, 0));
	kdown[SHIFT] = 5;
	CHECK(vx_needs_place(&l, kdown, 0)); /* held across the link's loss */
	kdown[SHIFT] = 0;
	/* Typed one key after another, sent and not proven taken: at each
	 * place a key is down its release comes next. */
	keep_key(&l, 1, A, true);
	keep_key(&l, 2, A, false);
	keep_key(&l, 3, B, true);
	keep_key(&l, 4, B, false);
	CHECK(!vx_needs_place(&l, kdown, 4));
	rp_inlog_finish(&l);
	/* Shift held while a is typed: at place 1 it is down and a press
	 * comes next. Sent: the host may be there. Never sent (typed while
	 * the link was down): its place is 0, where nothing is down. */
	rp_inlog_init(&l);
	keep_key(&l, 1, SHIFT, true);
	keep_key(&l, 2, A, true);
	keep_key(&l, 3, A, false);
	keep_key(&l, 4, SHIFT, false);
	CHECK(vx_needs_place(&l, kdown, 4));
	CHECK(vx_needs_place(&l, kdown, 1));
	CHECK(!vx_needs_place(&l, kdown, 0));
	rp_inlog_finish(&l);
	/* Keys rolled (b pressed before a is let go), and a key still down. */
	rp_inlog_init(&l);
	keep_key(&l, 7, A, true);
	keep_key(&l, 8, B, true);
	keep_key(&l, 9, A, false);
	keep_key(&l, 10, B, false);
	CHECK(vx_needs_place(&l, kdown, 10));
	CHECK(!vx_needs_place(&l, kdown, 6));
	keep_key(&l, 11, SHIFT, true);
	kdown[SHIFT] = 5;
	CHECK(!vx_needs_place(&l, kdown, 6)); /* pressed while down: it goes too */
	CHECK(vx_needs_place(&l, kdown, 11)); /* sent, down now, none after it */
	rp_inlog_finish(&l);
}

/* Input kept while the link is down goes again after a plain RESUMED,
 * behind the keymap it was typed with: all of it at once, not only the
 * first key. The queue's bound (VX_AGAIN_QUEUED_MAX) counts frames: the
 * keymap's few chunks, some 64 KiB, do not hold back the keys until
 * they are written. */
static void view_again_behind_keymap(void)
{
	enum { KEYS = 20 };
	struct desk d;
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_resume r;
	uint32_t *a;
	struct rp_xenc *e;
	uint8_t buf[256];
	struct rp_enc en;
	int fds[2];

	if (!desk_open(&d, false))
		return;
	one_window(&d, 0x900001, 60, 40, "typed", 9, &a, &e);
	memset(buf + 100, 0x5a, RP_TOKEN_BYTES);
	rp_enc_begin(&en, buf, 100, RP_TOKEN, 0, CHAN);
	rp_put_bytes(&en, buf + 100, RP_TOKEN_BYTES);
	host_send(&d, buf, rp_enc_end(&en));
	desk_pump(&d);
	CHECK(vx_resumable(d.x));
	vx_link_down(d.x);
	for (int i = 0; i < KEYS; i++)
		type_a(&d);
	vx_flush_input(d.x);
	/* The link comes back on a new connection. */
	rp_conn_destroy(d.c);
	rp_conn_destroy(d.host);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
	d.c = rp_conn_create(rp_transport_socket(fds[0]), 4096, 64u << 20);
	d.host = rp_conn_create(rp_transport_socket(fds[1]), 4096, 64u << 20);
	vx_relink(d.x, d.c);
	CHECK_EQ(host_next(&d, RP_RESUME, &h, &p), 1);
	CHECK_EQ(rp_resume_decode(p, h.len, &r), 0);
	CHECK_EQ(r.ahead, 0);
	rp_enc_begin(&en, buf, sizeof buf, RP_RESUMED, 0, CHAN);
	rp_put_u32(&en, r.req);
	rp_put_u32(&en, 0); /* the host took none of them */
	rp_put_u32(&en, 0);
	rp_put_u64(&en, 0);
	host_send(&d, buf, rp_enc_end(&en));
	rp_conn_flush_wait(d.host, WAIT_MS);
	for (int tries = 0; tries < 100 && rp_conn_read(d.c) != -EAGAIN; tries++)
		;
	while (rp_conn_frame(d.c, &h, &p) == 1)
		CHECK(vx_frame(d.x, &h, p) >= 0);
	/* What the RESUMED queued, before anything drains (no
	 * vx_send_backlog): the keymap, then every key. */
	CHECK_EQ(rp_conn_flush_wait(d.c, WAIT_MS), 0);
	size_t km = 0;
	int keys = 0;
	while (rp_conn_next_frame(d.host, &h, &p, 100) == 1) {
		if (h.type == RP_XKEYMAP)
			km += h.len;
		else if (h.type == RP_XKEY)
			keys++;
	}
	CHECK(km > 1024); /* a keymap past the bound, were it bytes */
	CHECK_EQ(keys, 2 * KEYS);
	rp_xenc_destroy(e);
	free(a);
	desk_close(&d);
}

/* A window the host does not read (XWIN's OVER_BOUND): its frame says so
 * where its pixels would be, a script's wait-window learns why at once,
 * and it counts as drawn (its notice is); told again without the flag and
 * sent its pixels, they are drawn and the notice goes. */
static void view_over_bound(void)
{
	struct desk d;
	int w = 300, hh = 120;
	char why[300];
	uint32_t *a = noise(w, hh, 9);

	if (!desk_open(&d, false))
		return;
	attach(&d);
	send_xwin(&d, 0x400001, 100, 80, w, hh, RP_XWIN_OVER_BOUND | RP_XWIN_POSITIONED, 0, "late");
	CHECK(desk_pump(&d) >= 1);
	CHECK_EQ(vx_find(d.x, "late"), 0);
	CHECK(vx_not_shown(d.x, "late", why, sizeof why));
	CHECK(strstr(why, "0x400001") && strstr(why, "300x120") && strstr(why, "too large"));
	CHECK(!vx_not_shown(d.x, "other", why, sizeof why));
	CHECK(vx_drawn(d.x));
	const struct wm_window *ww = d.wm.n == 1 ? &d.wm.win[0] : NULL;
	CHECK(ww != NULL);
	if (!ww)
		goto out;
	struct wm_box in = wm_client_box(&d.wm, &ww->box);
	int lit = 0;
	CHECK(ds_comp_repaint(d.comp, &d.wm) > 0);
	for (int y = 0; y < 40; y++)
		for (int x = 0; x < w; x++)
			lit += fb_pixel(&d, in.x + x, in.y + y) != 0;
	CHECK(lit > 50); /* the notice's text */
	/* Read again: its pixels, no notice. */
	struct rp_xenc *e = rp_xenc_create(0x400001, w, hh);
	send_xwin(&d, 0x400001, 100, 80, w, hh, RP_XWIN_POSITIONED, 0, "late");
	CHECK(rp_xenc_update(e, a, w, hh, (size_t)w * 4, NULL, 0, 0, host_pixels, &d) >= 1);
	CHECK(desk_pump(&d) >= 2);
	CHECK(!vx_not_shown(d.x, "late", why, sizeof why));
	CHECK(vx_find(d.x, "late") != 0);
	ds_comp_repaint(d.comp, &d.wm);
	CHECK_EQ(fb_pixel(&d, in.x + 5, in.y + 5), a[5 * w + 5] & 0xffffff);
	rp_xenc_destroy(e);
out:
	free(a);
	desk_close(&d);
}

/* The program's output for a reader that does not read: kept to the
 * bound, never written blocking, the bytes past it counted and said once
 * the reader has taken the rest, even with nothing printed after them. */
static void view_output_bounded(void)
{
	static uint8_t chunk[RP_XOUTPUT_MAX], got[2 * VX_OUT_MAX + 1];
	struct vx_out o = {0};
	int fds[2];
	size_t put = 0, n = 0;

	memset(chunk, 'y', sizeof chunk);
	CHECK_EQ(pipe(fds), 0);
	while (put < 2 * VX_OUT_MAX) { /* the pipe takes its 64 KiB, no more */
		vx_out_put(&o, chunk, sizeof chunk, 0);
		vx_out_flush(&o, fds[1]); /* (a blocking write would hang here) */
		put += sizeof chunk;
	}
	CHECK(vx_out_pending(&o));
	CHECK(o.n <= VX_OUT_MAX && o.dropped > 0);
	/* Dropping goes on until the reader has caught up: order kept. */
	uint64_t before = o.dropped;
	vx_out_put(&o, (const uint8_t *)"x", 1, 5);
	CHECK_EQ(o.dropped, before + 6);
	put += 6;
	while (vx_out_pending(&o) && n + 4096 < sizeof got) {
		ssize_t r = read(fds[0], got + n, 4096);
		CHECK(r > 0);
		if (r <= 0)
			break;
		n += (size_t)r;
		vx_out_flush(&o, fds[1]);
	}
	ssize_t r = read(fds[0], got + n, sizeof got - 1 - n); /* the marker's last write */
	n += r > 0 ? (size_t)r : 0;
	got[n] = 0;
	/* Last, with nothing after it: the count of every byte not written. */
	const char *m = strrchr((const char *)got, '[');
	size_t kept = m ? (size_t)(m - (const char *)got) : 0;
	CHECK(m && strcmp(m + strspn(m + 1, "0123456789") + 1, " bytes of output dropped]\n") == 0);
	CHECK_EQ(kept + (m ? strtoull(m + 1, NULL, 10) : 0), put);
	CHECK_EQ(strspn((const char *)got, "y"), kept);
	vx_out_finish(&o);
	/* A reader gone: nothing more kept (EPIPE: the view ignores SIGPIPE). */
	signal(SIGPIPE, SIG_IGN);
	close(fds[0]);
	vx_out_put(&o, chunk, 10, 0);
	vx_out_flush(&o, fds[1]);
	CHECK(!vx_out_pending(&o));
	vx_out_finish(&o);
	close(fds[1]);
}

/* XOUTPUT of stdout at offset, as the host sends it on CHAN. */
static void send_output(struct desk *d, uint64_t offset, const char *text)
{
	uint8_t buf[RP_HDR_SIZE + 64];
	struct rp_xoutput o = {.stream = RP_XOUT_STDOUT, .offset = offset,
			       .p = (const uint8_t *)text, .n = (uint32_t)strlen(text)};

	host_send(d, buf, rp_xoutput_frame(buf, sizeof buf, CHAN, &o));
	desk_pump(d);
}

/* Our stdout a pipe for the test (its read end returned, the old one in
 * *saved), full if full: its reader does not read. */
static int std_pipe(int fd, int *saved, bool full)
{
	int fds[2];
	char junk[4096] = {0};

	fflush(fd == 1 ? stdout : stderr);
	CHECK_EQ(pipe(fds), 0);
	*saved = dup(fd);
	dup2(fds[1], fd);
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	if (full) {
		fcntl(fd, F_SETFL, O_NONBLOCK);
		while (write(fd, junk, sizeof junk) > 0)
			;
		fcntl(fd, F_SETFL, 0);
	}
	return fds[0];
}

static int stdout_pipe(int *saved, bool full)
{
	return std_pipe(1, saved, full);
}

static void std_back(int fd, int saved, int rd)
{
	dup2(saved, fd);
	close(saved);
	close(rd);
}

static void stdout_back(int saved, int rd)
{
	std_back(1, saved, rd);
}

/* A host's NOTICE and ERROR are said on stderr cleaned as titles are:
 * no escape sequence of the host's reaches the desk's terminal (here one
 * that would retitle it, one that would clear it, a bell, a C1 CSI), the
 * words around them do. Before, they were printed as they came. */
static void view_host_words_clean(void)
{
	struct desk d;
	uint8_t buf[512];
	struct rp_enc e;
	char got[4096];
	int saved, rd;
	static const char words[] = "\x1b]0;pwned\x07hello\x1b[2J there\xc2\x9b\x07";

	if (!desk_open(&d, false))
		return;
	attach(&d);
	rd = std_pipe(2, &saved, false);
	rp_enc_begin(&e, buf, sizeof buf, RP_NOTICE, 0, CHAN);
	rp_put_str(&e, words, sizeof words - 1);
	host_send(&d, buf, rp_enc_end(&e));
	rp_enc_begin(&e, buf, sizeof buf, RP_ERROR, 0, CHAN);
	rp_put_u16(&e, RP_E_LIMIT);
	rp_put_u32(&e, 0);
	rp_put_str(&e, words, sizeof words - 1);
	host_send(&d, buf, rp_enc_end(&e));
	desk_pump(&d);
	ssize_t n = read(rd, got, sizeof got - 1);
	std_back(2, saved, rd);
	CHECK(n > 0);
	got[n > 0 ? n : 0] = 0;
	CHECK(!strpbrk(got, "\x1b\x07"));
	CHECK(!strstr(got, "\xc2\x9b"));
	const char *at = strstr(got, "]0;pwnedhello[2J there\n");
	CHECK(at != NULL);
	CHECK(at && strstr(at + 1, "]0;pwnedhello[2J there\n") != NULL);
	desk_close(&d);
}

/* The program's output waiting for a stdout that does not take it: the
 * view's loop waits on stdout for room (vx_out_poll), with no timer, and
 * writes it once the reader reads. Before, a 20 ms timer came round for
 * it, whether the reader read or not. */
static void view_output_polled(void)
{
	struct desk d;
	struct pollfd pf[2];
	char got[8192];
	int saved, rd;
	ssize_t n;

	if (!desk_open(&d, false))
		return;
	attach(&d);
	rd = stdout_pipe(&saved, true);
	send_output(&d, 0, "hello\n");
	CHECK_EQ(vx_wait_ms(d.x, base_now_ms()), -1); /* no timer for it */
	vx_out_poll(d.x, pf);
	CHECK(pf[0].fd == 1 && pf[0].events == POLLOUT);
	CHECK_EQ(pf[1].fd, -1); /* stderr: nothing waits */
	CHECK_EQ(poll(pf, 2, 0), 0); /* full */
	while ((n = read(rd, got, sizeof got)) > 0) /* the reader reads */
		;
	CHECK_EQ(poll(pf, 2, WAIT_MS), 1);
	CHECK(pf[0].revents & POLLOUT);
	vx_tick(d.x, base_now_ms());
	n = read(rd, got, sizeof got - 1);
	CHECK(n == 6 && !memcmp(got, "hello\n", 6));
	vx_out_poll(d.x, pf);
	CHECK_EQ(pf[0].fd, -1); /* nothing waits: not polled */
	stdout_back(saved, rd);
	desk_close(&d);
}

/* Each byte printed once: what a resume sends again that the view had
 * is skipped, in whole or in part; a gap (bytes the host let go) is said
 * where it was. */
static void view_output_once(void)
{
	struct desk d;
	char got[256];
	int saved, rd;
	ssize_t n;

	if (!desk_open(&d, false))
		return;
	attach(&d);
	rd = stdout_pipe(&saved, false);
	send_output(&d, 0, "ab");
	send_output(&d, 0, "ab");   /* again: nothing */
	send_output(&d, 0, "abcd"); /* again, and more: the more */
	send_output(&d, 10, "x\n"); /* 6 let go */
	vx_tick(d.x, base_now_ms());
	n = read(rd, got, sizeof got - 1);
	got[n > 0 ? n : 0] = 0;
	CHECK(!strcmp(got, "abcd[6 bytes of output dropped]\nx\n"));
	stdout_back(saved, rd);
	desk_close(&d);
}

static const struct unit_case cases[] = {
	{"xahead-needs-place", xahead_needs_place},
	{"xsurf-whole-updates", xsurf_whole_updates},
	{"xsurf-damage-is-what-changed", xsurf_damage_is_what_changed},
	{"xsurf-resized", xsurf_resized},
	{"xsurf-scroll-and-corners", xsurf_scroll_and_corners},
	{"xsurf-palette-ops-placed", xsurf_palette_ops_placed},
	{"xsurf-refuses-bad", xsurf_refuses_bad},
	{"keymap-keys", keymap_keys},
	{"timing-split-own-input", timing_split_own_input},
	{"view-draws-host-window", view_draws_host_window},
	{"view-menu-at-parent", view_menu_at_parent},
	{"view-transient-loop", view_transient_loop},
	{"view-readonly-silent", view_readonly_silent},
	{"view-stacked-as-host", view_stacked_as_host},
	{"view-click-answered-by-press", view_click_answered_by_press},
	{"view-key-batch-one-write", view_key_batch_one_write},
	{"view-again-behind-keymap", view_again_behind_keymap},
	{"view-acks-every-other-update", view_acks_every_other_update},
	{"view-ack-held", view_ack_held},
	{"xack-may-wait", xack_may_wait},
	{"view-bad-pixels", view_bad_pixels},
	{"view-pixels-bounded", view_pixels_bounded},
	{"view-list-opens-x", view_list_opens_x},
	{"view-cursor-shape", view_cursor_shape},
	{"view-over-bound", view_over_bound},
	{"view-output-bounded", view_output_bounded},
	{"view-output-polled", view_output_polled},
	{"view-output-once", view_output_once},
	{"view-host-words-clean", view_host_words_clean},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
