/* An X window surface: the pixels of one window of a host's X display.
 *
 * Updates arrive as runs of XPIXELS frames (remote-proto/xwin.h). Their
 * ops go into a back buffer as they come; the picture shown (the front
 * image, what the compositor draws) changes only when an update's last
 * frame is in, so a person never sees half of one. Showing an update
 * compares the back buffer with the front by tiles, only where the ops
 * wrote (their rectangles, read from the frame after rp_xpix_apply took
 * it: PROTOCOL.md's op layout), and copies only the tiles that differ:
 * those are the damage the compositor repaints, so a keystroke that
 * changed one glyph repaints one tile, whatever the host sent, and costs
 * what that tile costs, whatever the window's size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"
#include "xwin.h"

#define TILE_PX 64

struct ds_xsurf {
	uint32_t id;
	int w, h;	/* the back buffer's size: the current update's */
	uint32_t *back; /* w * h, stride w * 4 */
	pixman_image_t *front;
	pixman_region32_t damage;  /* front pixels changed, not yet taken */
	pixman_region32_t written; /* where this update's ops wrote, so far */
	uint32_t frame, ack;	  /* of the last update shown */
	uint64_t updates, changes;
};

static uint32_t *alloc_px(int w, int h)
{
	return calloc((size_t)w * (size_t)h, 4);
}

struct ds_xsurf *ds_xsurf_create(uint32_t id, int w, int h)
{
	struct ds_xsurf *s;

	if (w < 1 || h < 1 || w > RP_XWIN_MAX_DIM || h > RP_XWIN_MAX_DIM)
		return NULL;
	s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->id = id;
	s->w = w;
	s->h = h;
	s->back = alloc_px(w, h);
	s->front = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, w * 4);
	if (!s->back || !s->front) {
		if (s->front)
			pixman_image_unref(s->front);
		free(s->back);
		free(s);
		return NULL;
	}
	pixman_region32_init(&s->damage);
	pixman_region32_init(&s->written);
	return s;
}

void ds_xsurf_destroy(struct ds_xsurf *s)
{
	if (!s)
		return;
	pixman_image_unref(s->front);
	pixman_region32_fini(&s->damage);
	pixman_region32_fini(&s->written);
	free(s->back);
	free(s);
}

/* A new size for the back buffer: what fits stays at the top left, the
 * rest is black (the host sends what changed next). */
static int resize_back(struct ds_xsurf *s, int w, int h)
{
	uint32_t *n = alloc_px(w, h);
	int cw = w < s->w ? w : s->w, ch = h < s->h ? h : s->h;

	if (!n)
		return -ENOMEM;
	for (int y = 0; y < ch; y++)
		memcpy(n + (size_t)y * (size_t)w, s->back + (size_t)y * (size_t)s->w, (size_t)cw * 4);
	free(s->back);
	s->back = n;
	s->w = w;
	s->h = h;
	return 0;
}

static uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* Add the rectangles a frame's ops wrote (already applied, so well
 * formed) to s->written; anything unexpected: the whole window. */
static void note_written(struct ds_xsurf *s, const uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off < n) {
		uint8_t op = p[off];
		size_t head = op == RP_XOP_COPY ? 13 : op == RP_XOP_RAW ? 9 : 9 + 4;
		uint32_t x, y, w, h, len = 0;
		if (op < RP_XOP_COPY || op > RP_XOP_RAW || n - off < head)
			goto all;
		const uint8_t *f = p + off + 1 + (op == RP_XOP_COPY ? 4 : 0);
		x = be16(f);
		y = be16(f + 2);
		w = be16(f + 4);
		h = be16(f + 6);
		if (op == RP_XOP_LZ4 || op == RP_XOP_ZSTD)
			len = (uint32_t)f[8] << 24 | (uint32_t)f[9] << 16 | (uint32_t)f[10] << 8 | f[11];
		else if (op == RP_XOP_RAW)
			len = w * h * 4;
		if (len > n - off - head)
			goto all;
		pixman_region32_union_rect(&s->written, &s->written, (int)x, (int)y, w, h);
		off += head + len;
	}
	return;
all:
	pixman_region32_union_rect(&s->written, &s->written, 0, 0, (unsigned)s->w, (unsigned)s->h);
}

/* The update is whole: the front takes the tiles of the back that differ
 * where the ops wrote. */
static int show(struct ds_xsurf *s)
{
	int fw = pixman_image_get_width(s->front), fh = pixman_image_get_height(s->front);
	bool changed = false;

	if (fw != s->w || fh != s->h) {
		pixman_image_t *f = pixman_image_create_bits(PIXMAN_x8r8g8b8, s->w, s->h, NULL,
							     s->w * 4);
		if (!f)
			return -ENOMEM;
		pixman_image_unref(s->front);
		s->front = f;
		memcpy(pixman_image_get_data(f), s->back, (size_t)s->w * (size_t)s->h * 4);
		pixman_region32_clear(&s->written);
		/* The old picture's area too: the compositor clears what it left. */
		pixman_region32_union_rect(&s->damage, &s->damage, 0, 0,
					   (unsigned)(s->w > fw ? s->w : fw),
					   (unsigned)(s->h > fh ? s->h : fh));
		s->changes++;
		return 0;
	}
	uint32_t *fp = pixman_image_get_data(s->front);
	pixman_region32_t tiles;
	const pixman_box32_t *b;
	int nb;

	/* The written boxes grown to whole tiles (a region: no tile twice). */
	pixman_region32_init(&tiles);
	b = pixman_region32_rectangles(&s->written, &nb);
	for (int i = 0; i < nb; i++) {
		int x1 = b[i].x1 / TILE_PX * TILE_PX, y1 = b[i].y1 / TILE_PX * TILE_PX;
		int x2 = (b[i].x2 + TILE_PX - 1) / TILE_PX * TILE_PX;
		int y2 = (b[i].y2 + TILE_PX - 1) / TILE_PX * TILE_PX;
		pixman_region32_union_rect(&tiles, &tiles, x1, y1, (unsigned)(x2 - x1),
					   (unsigned)(y2 - y1));
	}
	pixman_region32_intersect_rect(&tiles, &tiles, 0, 0, (unsigned)s->w, (unsigned)s->h);
	pixman_region32_clear(&s->written);
	b = pixman_region32_rectangles(&tiles, &nb);
	for (int i = 0; i < nb; i++) {
		for (int ty = b[i].y1; ty < b[i].y2; ty += TILE_PX) {
			int th = b[i].y2 - ty < TILE_PX ? b[i].y2 - ty : TILE_PX;
			for (int tx = b[i].x1; tx < b[i].x2; tx += TILE_PX) {
				int tw = b[i].x2 - tx < TILE_PX ? b[i].x2 - tx : TILE_PX;
				size_t bytes = (size_t)tw * 4;
				bool dirty = false;
				for (int y = 0; y < th; y++) {
					size_t o = (size_t)(ty + y) * (size_t)s->w + (size_t)tx;
					if (!memcmp(fp + o, s->back + o, bytes))
						continue;
					memcpy(fp + o, s->back + o, bytes);
					dirty = true;
				}
				if (!dirty)
					continue;
				pixman_region32_union_rect(&s->damage, &s->damage, tx, ty,
							   (unsigned)tw, (unsigned)th);
				changed = true;
			}
		}
	}
	pixman_region32_fini(&tiles);
	if (changed)
		s->changes++;
	return 0;
}

int ds_xsurf_update(struct ds_xsurf *s, const uint8_t *payload, size_t n, char *err, size_t errn)
{
	struct rp_xpix m;
	size_t off;
	int r;

	if (rp_xpix_decode(payload, n, &m, &off) < 0) {
		snprintf(err, errn, "malformed XPIXELS head");
		return -EPROTO;
	}
	if (m.id != s->id) {
		snprintf(err, errn, "XPIXELS for window 0x%x given to window 0x%x", m.id, s->id);
		return -EPROTO;
	}
	if (m.w < 1 || m.h < 1 || m.w > RP_XWIN_MAX_DIM || m.h > RP_XWIN_MAX_DIM) {
		snprintf(err, errn, "XPIXELS size %ux%u is out of bounds", m.w, m.h);
		return -EPROTO;
	}
	if ((m.w != s->w || m.h != s->h) && resize_back(s, m.w, m.h) < 0) {
		snprintf(err, errn, "out of memory for a %ux%u window", m.w, m.h);
		return -ENOMEM;
	}
	r = rp_xpix_apply(payload + off, n - off, s->back, m.w, m.h, (size_t)m.w * 4, err, errn);
	if (r < 0) {
		/* Ops before the bad one were applied: compare it all next time. */
		pixman_region32_union_rect(&s->written, &s->written, 0, 0, (unsigned)s->w,
					   (unsigned)s->h);
		return r;
	}
	note_written(s, payload + off, n - off);
	if (!(m.flags & RP_XPIX_LAST))
		return 0;
	if (show(s) < 0) {
		snprintf(err, errn, "out of memory for a %ux%u window", m.w, m.h);
		return -ENOMEM;
	}
	s->frame = m.frame;
	s->ack = m.ack;
	s->updates++;
	return 1;
}

pixman_image_t *ds_xsurf_image(const struct ds_xsurf *s)
{
	return s->front;
}

void ds_xsurf_size(const struct ds_xsurf *s, int *w, int *h)
{
	*w = pixman_image_get_width(s->front);
	*h = pixman_image_get_height(s->front);
}

bool ds_xsurf_dirty(const struct ds_xsurf *s)
{
	return pixman_region32_not_empty((pixman_region32_t *)&s->damage);
}

void ds_xsurf_take_damage(struct ds_xsurf *s, pixman_region32_t *out)
{
	pixman_region32_union(out, out, &s->damage);
	pixman_region32_clear(&s->damage);
}

void ds_xsurf_shown(const struct ds_xsurf *s, uint32_t *frame, uint32_t *ack, uint64_t *changes)
{
	if (frame)
		*frame = s->frame;
	if (ack)
		*ack = s->ack;
	if (changes)
		*changes = s->changes;
}

uint64_t ds_xsurf_updates(const struct ds_xsurf *s)
{
	return s->updates;
}
