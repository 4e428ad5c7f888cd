/* libFuzzer target for the X windows' codec (remote-proto/xwin.c).
 *
 * The input's first byte chooses:
 *   even: the input (after it) is a payload from a peer: every X decoder
 *         reads it (whatever they decode lies inside it), and it is
 *         applied as XPIXELS ops to a small window whose size and stride
 *         the next three bytes give; the padding beyond each row must stay
 *         untouched;
 *   odd:  the input is a script of drawings (fills, noise, a scroll,
 *         resizes) made to a picture, each followed by an encoder update
 *         with its damage; the encoder's payloads are decoded and applied
 *         to a desk's buffer, which must then equal the picture; at the
 *         end a keyframe brings a desk full of garbage to it too. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xwin.h"

#define PAD_WORD 0xa5a5a5a5u

static void in_range(const uint8_t *base, size_t n, const void *p, size_t len)
{
	const uint8_t *q = p;

	assert(len == 0 || (q >= base && q + len <= base + n));
}

static void decoders(const uint8_t *p, size_t n)
{
	struct rp_xwin w;
	struct rp_xpix x;
	struct rp_xkey k;
	struct rp_xpointer pt;
	struct rp_xconfigure c;
	struct rp_xcursor cu;
	struct rp_xchunk ch;
	struct rp_xtiming t;
	uint32_t a, b;
	size_t off;

	if (rp_xwin_decode(p, n, &w) == 0) {
		assert(w.id && w.w >= 1 && w.w <= RP_XWIN_MAX_DIM && w.h >= 1 &&
		       w.h <= RP_XWIN_MAX_DIM);
		in_range(p, n, w.title.p, w.title.n);
		in_range(p, n, w.wm_class.p, w.wm_class.n);
		in_range(p, n, w.icon_name.p, w.icon_name.n);
	}
	if (rp_xid_decode(p, n, &a) == 0)
		assert(a && n == 4);
	if (rp_xpix_decode(p, n, &x, &off) == 0)
		assert(off <= n && x.w >= 1 && x.h >= 1 && x.w <= RP_XWIN_MAX_DIM &&
		       x.h <= RP_XWIN_MAX_DIM);
	if (rp_xkey_decode(p, n, &k) == 0)
		assert(k.keycode >= 8);
	if (rp_xpointer_decode(p, n, &pt) == 0)
		assert(pt.kind <= RP_XPTR_RELEASE && pt.button <= 9);
	if (rp_xconfigure_decode(p, n, &c) == 0)
		assert(c.what && !(c.what & ~(RP_XCONF_MOVE | RP_XCONF_SIZE | RP_XCONF_RAISE)));
	if (rp_xcursor_decode(p, n, &cu) == 0) {
		assert(cu.w >= 1 && cu.h >= 1 && cu.xhot < cu.w && cu.yhot < cu.h);
		in_range(p, n, cu.argb, (size_t)cu.w * cu.h * 4);
	}
	if (rp_xchunk_decode(p, n, 1000, &ch) == 0) {
		assert(ch.total <= 1000 && ch.off + ch.n <= ch.total);
		in_range(p, n, ch.p, ch.n);
		/* the reassembly of one text from chunks of this one */
		struct rp_xtext text = {0};
		int r = rp_xtext_add(&text, &ch);
		assert(r == -EPROTO ? ch.off != 0 : r == (ch.n == ch.total));
		if (r == 1)
			assert(text.buf && text.total == ch.total);
		rp_xtext_finish(&text);
	}
	rp_xack_decode(p, n, &a, &b);
	rp_xtiming_decode(p, n, &t);
	struct rp_xoutput o;
	if (rp_xoutput_decode(p, n, &o) == 0) {
		assert((o.stream == RP_XOUT_STDOUT || o.stream == RP_XOUT_STDERR) &&
		       o.n <= RP_XOUTPUT_MAX && o.n + 9 == n);
		in_range(p, n, o.p, o.n);
		/* placed after what a desk got: never more skipped than it has */
		uint64_t got = n > 12 ? o.offset + p[12] - 64 : o.offset, gap;
		assert(rp_xoutput_place(&got, &o, &gap) <= o.n);
	}
	uint16_t sw, sh;
	if (rp_xscreen_decode(p, n, &sw, &sh) == 0)
		assert(n == 4);
	uint8_t asel;
	uint32_t age;
	if (rp_xclipage_decode(p, n, &asel, &age) == 0)
		assert(n == 5 && asel <= RP_XSEL_PRIMARY);
	bool ends;
	int32_t lstatus;
	if (rp_xlasts_decode(p, n, &ends, &lstatus) == 0)
		assert(n == 5 && (ends || !lstatus));
	uint32_t mid;
	uint8_t mdir, mbutton;
	if (rp_xmoveresize_decode(p, n, &mid, &mdir, &mbutton) == 0)
		assert(n == 6 && mid && mdir <= RP_XMOVERESIZE_MAX_DIR && mbutton >= 1 && mbutton <= 5);
	struct rp_xshape sp;
	if (rp_xshape_decode(p, n, &sp) == 0) {
		assert(sp.n <= RP_XSHAPE_MAX_RECTS && (sp.shaped || !sp.n));
		in_range(p, n, sp.wire, (size_t)sp.n * 8);
		for (uint16_t i = 0; i < sp.n; i++) {
			struct rp_xshape_rect r = rp_xshape_rect_at(&sp, i);
			assert(r.w && r.h && r.x + r.w <= sp.w && r.y + r.h <= sp.h);
		}
	}
}

static void apply(const uint8_t *data, size_t size)
{
	if (size < 3)
		return;
	uint16_t w = (uint16_t)(1 + data[0] % 64), h = (uint16_t)(1 + data[1] % 64);
	size_t sp = w + data[2] % 4, n = sp * h;
	uint32_t *px = malloc(n * 4);
	char err[200];

	for (size_t i = 0; i < n; i++)
		px[i] = PAD_WORD;
	int r = rp_xpix_apply(data + 3, size - 3, px, w, h, sp * 4, err, sizeof err);
	assert(r == 0 || (r == -EPROTO && err[0]));
	for (size_t y = 0; y < h; y++)
		for (size_t x = w; x < sp; x++)
			assert(px[y * sp + x] == PAD_WORD);
	free(px);
}

/* ---- encoder round trip ---- */

struct desk {
	uint32_t *px;
	uint16_t w, h;
	uint32_t frame;
	bool open;
	int fail_in; /* frames taken before the sends fail; < 0: they do not */
};

static void desk_resize(struct desk *d, uint16_t w, uint16_t h)
{
	uint32_t *n = calloc((size_t)w * h, 4);

	for (uint32_t j = 0; j < h && j < d->h; j++)
		memcpy(n + (size_t)j * w, d->px + (size_t)j * d->w, (size_t)(w < d->w ? w : d->w) * 4);
	free(d->px);
	d->px = n;
	d->w = w;
	d->h = h;
}

static int desk_take(void *ctx, const uint8_t *p, size_t n)
{
	struct desk *d = ctx;
	struct rp_xpix x;
	size_t off;
	char err[200];

	if (d->fail_in == 0)
		return -EPIPE;
	if (d->fail_in > 0)
		d->fail_in--;
	assert(n <= RP_MAX_PAYLOAD);
	assert(rp_xpix_decode(p, n, &x, &off) == 0);
	assert(!d->open || x.frame == d->frame);
	d->frame = x.frame;
	if (x.w != d->w || x.h != d->h)
		desk_resize(d, x.w, x.h);
	if (rp_xpix_apply(p + off, n - off, d->px, d->w, d->h, (size_t)d->w * 4, err, sizeof err)) {
		fprintf(stderr, "the encoder's ops refused: %s\n", err);
		abort();
	}
	d->open = !(x.flags & RP_XPIX_LAST);
	return 0;
}

static void same(const struct desk *d, const uint32_t *pic, uint16_t w, uint16_t h, size_t sp)
{
	assert(d->w == w && d->h == h && !d->open);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if ((pic[y * sp + x] & 0x00ffffff) != d->px[(size_t)y * w + x]) {
				fprintf(stderr, "pixel %u,%u: desk %08x, host %08x\n", x, y,
					d->px[(size_t)y * w + x], pic[y * sp + x]);
				abort();
			}
}

struct script {
	const uint8_t *p;
	size_t n, off;
};

static uint32_t next(struct script *s, unsigned bytes)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | (s->off < s->n ? s->p[s->off++] : 0);
	return v;
}

#define PIC_W 136
#define PIC_H 100
#define PIC_SP 140

static void encoder(const uint8_t *data, size_t size)
{
	static uint32_t pic[PIC_SP * PIC_H];
	struct script s = {data, size, 0};
	uint16_t w = (uint16_t)(1 + next(&s, 1) % PIC_W), h = (uint16_t)(1 + next(&s, 1) % PIC_H);
	struct rp_xenc *e = rp_xenc_create(7, w, h);
	struct desk d = {.fail_in = -1};

	assert(e);
	memset(pic, 0, sizeof pic);
	desk_resize(&d, w, h);
	for (int steps = 0; steps < 16 && s.off < s.n; steps++) {
		struct rp_xrect dmg[4];
		size_t nd = 0;
		unsigned ops = 1 + next(&s, 1) % 4;
		for (unsigned o = 0; o < ops; o++) {
			uint32_t kind = next(&s, 1) % 5;
			int32_t x = (int32_t)(next(&s, 1) % w), y = (int32_t)(next(&s, 1) % h);
			int32_t rw = 1 + (int32_t)(next(&s, 1) % (uint32_t)(w - x));
			int32_t rh = 1 + (int32_t)(next(&s, 1) % (uint32_t)(h - y));
			uint32_t v = next(&s, 4);
			switch (kind) {
			case 0: /* a solid box */
			case 1: /* a box of a few colours from the input */
				for (int32_t j = y; j < y + rh; j++)
					for (int32_t i = x; i < x + rw; i++)
						pic[j * PIC_SP + i] =
							kind == 0 ? v
								  : v ^ ((uint32_t)(i * 31 + j * 17) *
									 (v | 1)) >> 24;
				dmg[nd++] = (struct rp_xrect){x, y, rw, rh};
				break;
			case 2: { /* the rows of a box move up or down */
				int32_t dy = (int32_t)(v % 33) - 16;
				for (int32_t k = 0; k < rh; k++) {
					int32_t j = dy > 0 ? y + rh - 1 - k : y + k;
					if (j - dy < 0 || j - dy >= h)
						continue;
					memmove(pic + j * PIC_SP + x, pic + (j - dy) * PIC_SP + x,
						(size_t)rw * 4);
				}
				dmg[nd++] = (struct rp_xrect){x, y, rw, rh};
				break;
			}
			case 3: /* a resize */
				w = (uint16_t)(1 + v % PIC_W);
				h = (uint16_t)(1 + (v >> 8) % PIC_H);
				o = ops; /* the rest of this step's bytes are unused */
				break;
			default: /* damage that reaches out of the window */
				dmg[nd++] = (struct rp_xrect){(int32_t)(v & 0xff) - 128,
							      (int32_t)((v >> 8) & 0xff) - 128,
							      (int32_t)((v >> 16) & 0xff),
							      (int32_t)(v >> 24)};
			}
			if (nd == 4)
				break;
		}
		uint32_t how = next(&s, 1);
		/* bit 7: the sends fail after 0..3 frames; then the desk gets a
		 * keyframe, as the host sends one */
		d.fail_in = how & 0x80 ? (int)(how >> 5 & 3) : -1;
		int r = rp_xenc_update(e, pic, w, h, PIC_SP * 4, how & 1 ? NULL : dmg, nd,
				       (uint32_t)steps, desk_take, &d);
		if (r == -EPIPE) {
			d.fail_in = -1;
			d.open = false;
			desk_resize(&d, w, h);
			assert(rp_xenc_keyframe(e, 0, desk_take, &d) > 0);
			same(&d, pic, w, h, PIC_SP);
			continue;
		}
		d.fail_in = -1;
		assert(r >= 0);
		if (d.w == w && d.h == h)
			same(&d, pic, w, h, PIC_SP);
		else
			assert(r == 0); /* nothing sent: no resize either */
	}
	/* a desk that comes late, with garbage in its buffer */
	struct desk late = {.fail_in = -1};
	desk_resize(&late, d.w, d.h);
	for (size_t i = 0; i < (size_t)d.w * d.h; i++)
		late.px[i] = (uint32_t)i * 2654435761u;
	assert(rp_xenc_keyframe(e, 0, desk_take, &late) > 0);
	assert(late.frame == d.frame);
	for (size_t i = 0; i < (size_t)d.w * d.h; i++)
		assert(late.px[i] == d.px[i]);
	free(late.px);
	free(d.px);
	rp_xenc_destroy(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		encoder(data + 1, size - 1);
	} else {
		decoders(data + 1, size - 1);
		apply(data + 1, size - 1);
	}
	return 0;
}
