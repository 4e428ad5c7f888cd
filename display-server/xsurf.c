/* An X window surface: the pixels of one window of a host's X display.
 *
 * Updates arrive as runs of XPIXELS frames (remote-proto/xwin.h). Their
 * ops go into a back buffer as they come; the picture shown (the front
 * image, what the compositor draws) changes only when an update's last
 * frame is in, so a person never sees half of one. Showing an update
 * compares the back buffer with the front only where the ops wrote
 * (their rectangles, read from the frame after rp_xpix_apply took it:
 * PROTOCOL.md's op layout), a 64x64 tile at a time, and copies only what
 * differs: in each tile the box of the pixels that changed is the damage
 * the compositor repaints (or the seamless desk puts), so a keystroke
 * that changed one glyph repaints that glyph, whatever the host sent,
 * and costs what the glyph costs, whatever the window's size.
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
		/* A PALETTE op's head runs on past its colours: 1 + 8 + 1,
		 * then n colours and the block's u32 length. */
		size_t head = op == RP_XOP_RAW ? 9 : op == RP_XOP_PALETTE ? 10 : 13;
		uint32_t x, y, w, h, len = 0;
		if (op < RP_XOP_COPY || op > RP_XOP_PALETTE || n - off < head)
			goto all;
		const uint8_t *f = p + off + 1 + (op == RP_XOP_COPY ? 4 : 0);
		x = be16(f);
		y = be16(f + 2);
		w = be16(f + 4);
		h = be16(f + 6);
		if (op == RP_XOP_PALETTE) {
			size_t colours = ((size_t)f[8] + 1) * 4;
			head += colours + 4;
			if (n - off < head)
				goto all;
			f += colours + 1; /* f[8..11]: the block's length, as LZ4's */
		}
		if (op == RP_XOP_LZ4 || op == RP_XOP_ZSTD || op == RP_XOP_JPEG ||
		    op == RP_XOP_PALETTE)
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
	const pixman_box32_t *b;
	int nb;

	/* Each written box (a region: no pixel twice), tile by tile: only
	 * its own pixels are read, and the box of those that differ in
	 * each tile is the damage. A keystroke's glyph is a few hundred
	 * pixels of its tile: reading or repainting the rest of the tile
	 * cost far more than the glyph (memory the view had not touched
	 * since the last key). */
	pixman_region32_intersect_rect(&s->written, &s->written, 0, 0, (unsigned)s->w,
				       (unsigned)s->h);
	b = pixman_region32_rectangles(&s->written, &nb);
	for (int i = 0; i < nb; i++) {
		for (int ty = b[i].y1, y2; ty < b[i].y2; ty = y2) {
			y2 = (ty / TILE_PX + 1) * TILE_PX; /* the tile's end, or the box's */
			y2 = y2 < b[i].y2 ? y2 : b[i].y2;
			for (int tx = b[i].x1, x2; tx < b[i].x2; tx = x2) {
				x2 = (tx / TILE_PX + 1) * TILE_PX;
				x2 = x2 < b[i].x2 ? x2 : b[i].x2;
				int dx1 = x2, dx2 = tx, dy1 = y2, dy2 = ty;
				for (int y = ty; y < y2; y++) {
					const uint32_t *bk = s->back + (size_t)y * (size_t)s->w;
					uint32_t *fr = fp + (size_t)y * (size_t)s->w;
					int l = tx, r = x2;
					if (!memcmp(fr + l, bk + l, (size_t)(r - l) * 4))
						continue;
					while (fr[l] == bk[l])
						l++;
					while (fr[r - 1] == bk[r - 1])
						r--;
					memcpy(fr + l, bk + l, (size_t)(r - l) * 4);
					dx1 = l < dx1 ? l : dx1;
					dx2 = r > dx2 ? r : dx2;
					dy1 = y < dy1 ? y : dy1;
					dy2 = y + 1;
				}
				if (dx2 <= dx1)
					continue;
				pixman_region32_union_rect(&s->damage, &s->damage, dx1, dy1,
							   (unsigned)(dx2 - dx1), (unsigned)(dy2 - dy1));
				changed = true;
			}
		}
	}
	pixman_region32_clear(&s->written);
	if (changed)
		s->changes++;
	return 0;
}

int ds_xsurf_update(struct ds_xsurf *s, const uint8_t *payload, size_t n, char *err, size_t errn)
{
	return ds_xsurf_update_with(s, NULL, payload, n, err, errn);
}

int ds_xsurf_update_with(struct ds_xsurf *s, struct rp_xdec *dec, const uint8_t *payload, size_t n,
			 char *err, size_t errn)
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
	r = rp_xpix_apply_with(dec, payload + off, n - off, s->back, m.w, m.h, (size_t)m.w * 4, err,
			       errn);
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
