/* Unit tests of remote-proto's X windows (xwin.c): every message through
 * its encoder and decoder, each decoder refusing truncated, oversized and
 * out-of-bounds input, chunked text reassembled, the ops applied to a
 * window's pixels as a naive reference does them, and the encoder's
 * output applied to a desk's buffer giving back the picture exactly
 * (random pictures, partial damage, scrolls, resizes, keyframes).
 */
#include <errno.h>
#include <lz4.h>
#include <turbojpeg.h>
#include <stdlib.h>
#include <zstd.h>

#include "unit.h"
#include "xwin.h"

#define MASK 0x00ffffffu

static uint64_t rng_state = 0x12345678;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static uint8_t frame[RP_MAX_FRAME];

/* The header of a frame the encoders made, and its payload. */
static const uint8_t *payload_of(long len, uint8_t type, size_t *n)
{
	struct rp_hdr h;

	CHECK(len >= RP_HDR_SIZE);
	if (len < RP_HDR_SIZE)
		return NULL;
	CHECK_EQ(rp_hdr_decode(frame, (size_t)len, &h), 0);
	CHECK_EQ(h.type, type);
	CHECK_EQ(h.chan, 7);
	CHECK_EQ(h.len, len - RP_HDR_SIZE);
	*n = h.len;
	return frame + RP_HDR_SIZE;
}

static bool str_is(struct rp_str s, const char *want)
{
	return s.n == strlen(want) && !memcmp(s.p, want, s.n);
}

static void messages_round_trip(void)
{
	struct rp_xwin w = {.id = 0x400001, .transient_for = 0x400002, .above = 9, .x = -5,
			    .y = 30000, .w = 800, .h = RP_XWIN_MAX_DIM,
			    .flags = RP_XWIN_TRANSIENT | RP_XWIN_HINTS, .size = {1, 2, 3, 4, 5, 6, 7, 8},
			    .title = {"xterm — ä", sizeof "xterm — ä" - 1}, .wm_class = {"XTerm", 5}};
	struct rp_xwin w2;
	const uint8_t *p;
	size_t n;

	p = payload_of(rp_xwin_frame(frame, sizeof frame, 7, &w), RP_XWIN, &n);
	CHECK_EQ(rp_xwin_decode(p, n, &w2), 0);
	CHECK_EQ(w2.id, w.id);
	CHECK_EQ(w2.transient_for, w.transient_for);
	CHECK_EQ(w2.above, 9);
	CHECK_EQ(w2.x, -5);
	CHECK_EQ(w2.y, 30000);
	CHECK_EQ(w2.w, 800);
	CHECK_EQ(w2.h, RP_XWIN_MAX_DIM);
	CHECK_EQ(w2.flags, w.flags);
	CHECK_EQ(w2.size.min_w + w2.size.min_h + w2.size.max_w + w2.size.max_h, 10);
	CHECK_EQ(w2.size.inc_w * 1000 + w2.size.inc_h * 100 + w2.size.base_w * 10 + w2.size.base_h,
		 5678);
	CHECK(str_is(w2.title, "xterm — ä"));
	CHECK(str_is(w2.wm_class, "XTerm"));
	CHECK_EQ(w2.icon_name.n, 0);

	uint32_t id = 0;
	p = payload_of(rp_xid_frame(frame, sizeof frame, RP_XGONE, 7, 0xabcdef), RP_XGONE, &n);
	CHECK_EQ(rp_xid_decode(p, n, &id), 0);
	CHECK_EQ(id, 0xabcdef);

	struct rp_xkey k = {.seq = 41, .id = 3, .keycode = 38, .pressed = true}, k2;
	p = payload_of(rp_xkey_frame(frame, sizeof frame, 7, &k), RP_XKEY, &n);
	CHECK_EQ(rp_xkey_decode(p, n, &k2), 0);
	CHECK_EQ(k2.seq, 41);
	CHECK_EQ(k2.id, 3);
	CHECK_EQ(k2.keycode, 38);
	CHECK(k2.pressed);
	CHECK(!k2.locks);
	CHECK_EQ(n, 10); /* a desk without RP_CAP_XLOCKS: as before */

	/* With the desk's locks: CapsLock and NumLock (Mod2), its 2nd layout */
	k.locks = true;
	k.locked_mods = 0x12;
	k.locked_group = 1;
	p = payload_of(rp_xkey_frame(frame, sizeof frame, 7, &k), RP_XKEY, &n);
	CHECK_EQ(n, 12);
	CHECK_EQ(rp_xkey_decode(p, n, &k2), 0);
	CHECK_EQ(k2.keycode, 38);
	CHECK(k2.locks);
	CHECK_EQ(k2.locked_mods, 0x12);
	CHECK_EQ(k2.locked_group, 1);

	struct rp_xpointer pt = {.seq = 0xffffffff, .id = 3, .x = -1, .y = 500,
				 .kind = RP_XPTR_PRESS, .button = 5},
			   pt2;
	p = payload_of(rp_xpointer_frame(frame, sizeof frame, 7, &pt), RP_XPOINTER, &n);
	CHECK_EQ(rp_xpointer_decode(p, n, &pt2), 0);
	CHECK_EQ(pt2.seq, 0xffffffff);
	CHECK_EQ(pt2.x, -1);
	CHECK_EQ(pt2.y, 500);
	CHECK_EQ(pt2.kind, RP_XPTR_PRESS);
	CHECK_EQ(pt2.button, 5);

	struct rp_xconfigure c = {.id = 3, .what = RP_XCONF_MOVE | RP_XCONF_SIZE, .x = -10,
				  .y = 20, .w = 640, .h = 480},
			     c2;
	p = payload_of(rp_xconfigure_frame(frame, sizeof frame, 7, &c), RP_XCONFIGURE, &n);
	CHECK_EQ(rp_xconfigure_decode(p, n, &c2), 0);
	CHECK_EQ(c2.what, c.what);
	CHECK_EQ(c2.x, -10);
	CHECK_EQ(c2.w, 640);
	CHECK_EQ(c2.h, 480);

	uint8_t argb[16 * 16 * 4];
	for (size_t i = 0; i < sizeof argb; i++)
		argb[i] = (uint8_t)i;
	struct rp_xcursor cu = {.serial = 77, .w = 16, .h = 16, .xhot = 3, .yhot = 15,
				.argb = argb},
			  cu2;
	p = payload_of(rp_xcursor_frame(frame, sizeof frame, 7, &cu), RP_XCURSOR, &n);
	CHECK_EQ(rp_xcursor_decode(p, n, &cu2), 0);
	CHECK_EQ(cu2.serial, 77);
	CHECK_EQ(cu2.yhot, 15);
	CHECK(cu2.argb && !memcmp(cu2.argb, argb, sizeof argb));
	/* a cursor too big for one frame is refused by its encoder */
	static uint8_t big[256 * 256 * 4];
	struct rp_xcursor cb = {.serial = 1, .w = 256, .h = 256, .argb = big};
	CHECK_EQ(rp_xcursor_frame(frame, sizeof frame, 7, &cb), -EMSGSIZE);

	uint32_t fr = 0;
	p = payload_of(rp_xack_frame(frame, sizeof frame, 7, 3, 99), RP_XACK, &n);
	CHECK_EQ(rp_xack_decode(p, n, &id, &fr), 0);
	CHECK_EQ(id, 3);
	CHECK_EQ(fr, 99);

	struct rp_xtiming t = {.seq = 5, .id = 3, .t_input = 1ull << 40, .t_injected = 2,
			       .t_damage = 3, .t_read = 4, .t_encoded = 5, .t_sent = UINT64_MAX},
			  t2;
	p = payload_of(rp_xtiming_frame(frame, sizeof frame, 7, &t), RP_XTIMING, &n);
	CHECK_EQ(rp_xtiming_decode(p, n, &t2), 0);
	CHECK(!memcmp(&t, &t2, sizeof t));
}

/* Every decoder, on a good payload cut short at each length and with a
 * byte too many. */
static int decode_any(uint8_t type, const uint8_t *p, size_t n)
{
	union {
		struct rp_xwin w;
		struct rp_xpix x;
		struct rp_xkey k;
		struct rp_xpointer pt;
		struct rp_xconfigure c;
		struct rp_xcursor cu;
		struct rp_xchunk ch;
		struct rp_xtiming t;
	} m;
	uint32_t a, b;
	size_t off;

	switch (type) {
	case RP_XWIN:
		return rp_xwin_decode(p, n, &m.w);
	case RP_XGONE:
		return rp_xid_decode(p, n, &a);
	case RP_XPIXELS:
		return rp_xpix_decode(p, n, &m.x, &off);
	case RP_XKEY:
		return rp_xkey_decode(p, n, &m.k);
	case RP_XPOINTER:
		return rp_xpointer_decode(p, n, &m.pt);
	case RP_XCONFIGURE:
		return rp_xconfigure_decode(p, n, &m.c);
	case RP_XCURSOR:
		return rp_xcursor_decode(p, n, &m.cu);
	case RP_XCLIP:
		return rp_xchunk_decode(p, n, RP_XCLIP_MAX_BYTES, &m.ch);
	case RP_XACK:
		return rp_xack_decode(p, n, &a, &b);
	case RP_XTIMING:
		return rp_xtiming_decode(p, n, &m.t);
	case RP_XSCREEN: {
		uint16_t w, h;
		return rp_xscreen_decode(p, n, &w, &h);
	}
	case RP_XSHAPE: {
		struct rp_xshape s;
		return rp_xshape_decode(p, n, &s);
	}
	case RP_XCLIPAGE: {
		uint8_t sel;
		uint32_t age;
		return rp_xclipage_decode(p, n, &sel, &age);
	}
	case RP_XLASTS: {
		bool ends;
		int32_t status;
		return rp_xlasts_decode(p, n, &ends, &status);
	}
	case RP_XMOVERESIZE: {
		uint32_t id;
		uint8_t dir, button;
		return rp_xmoveresize_decode(p, n, &id, &dir, &button);
	}
	}
	return -EINVAL;
}

static void truncated_and_long(uint8_t type, long len)
{
	size_t n = (size_t)len - RP_HDR_SIZE;
	static uint8_t copy[RP_MAX_FRAME + 1];

	CHECK(len > RP_HDR_SIZE);
	memcpy(copy, frame + RP_HDR_SIZE, n);
	if (decode_any(type, copy, n) != 0) {
		fprintf(stderr, "%s: the good payload is refused\n", rp_type_name(type));
		failures++;
	}
	/* XPIXELS and XCLIP run to the end of the payload: any length of
	 * their tail is a frame of its own; their heads are checked. */
	size_t fixed = type == RP_XPIXELS ? 17 : type == RP_XCLIP ? 9 : n;
	for (size_t k = 0; k < fixed; k++)
		if (decode_any(type, copy, k) != -EPROTO) {
			fprintf(stderr, "%s cut to %zu bytes of %zu: not refused\n",
				rp_type_name(type), k, n);
			failures++;
		}
	copy[n] = 0;
	if (type != RP_XPIXELS && type != RP_XCLIP && decode_any(type, copy, n + 1) != -EPROTO) {
		fprintf(stderr, "%s with a byte too many: not refused\n", rp_type_name(type));
		failures++;
	}
}

/* Overwrite a big-endian field of the last frame's payload. */
static void poke16(size_t off, uint16_t v)
{
	frame[RP_HDR_SIZE + off] = (uint8_t)(v >> 8);
	frame[RP_HDR_SIZE + off + 1] = (uint8_t)v;
}

static void poke32(size_t off, uint32_t v)
{
	poke16(off, (uint16_t)(v >> 16));
	poke16(off + 2, (uint16_t)v);
}

static int redecode(uint8_t type, long len)
{
	return decode_any(type, frame + RP_HDR_SIZE, (size_t)len - RP_HDR_SIZE);
}

static void decoders_refuse(void)
{
	struct rp_xwin w = {.id = 1, .w = 10, .h = 10, .title = {"t", 1}};
	long len;

	len = rp_xwin_frame(frame, sizeof frame, 7, &w);
	truncated_and_long(RP_XWIN, len);
	poke32(0, 0); /* id 0 */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	len = rp_xwin_frame(frame, sizeof frame, 7, &w);
	poke16(16, 0); /* w 0 */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	poke16(16, RP_XWIN_MAX_DIM + 1);
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	poke16(16, 10);
	poke16(18, RP_XWIN_MAX_DIM + 1); /* h */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	poke16(18, 10);
	poke32(4, 1); /* transient for itself */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	poke32(4, 0);
	poke16(38, RP_MAX_STR + 1); /* the title's length */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);
	poke16(38, 2); /* overruns into the next string's length */
	CHECK_EQ(redecode(RP_XWIN, len), -EPROTO);

	len = rp_xid_frame(frame, sizeof frame, RP_XGONE, 7, 5);
	truncated_and_long(RP_XGONE, len);
	poke32(0, 0);
	CHECK_EQ(redecode(RP_XGONE, len), -EPROTO);

	struct rp_xkey k = {.seq = 1, .id = 2, .keycode = 8, .pressed = false};
	len = rp_xkey_frame(frame, sizeof frame, 7, &k);
	truncated_and_long(RP_XKEY, len);
	frame[RP_HDR_SIZE + 8] = 7; /* not an X keycode */
	CHECK_EQ(redecode(RP_XKEY, len), -EPROTO);
	frame[RP_HDR_SIZE + 8] = 8;
	frame[RP_HDR_SIZE + 9] = 2; /* pressed is 0 or 1 */
	CHECK_EQ(redecode(RP_XKEY, len), -EPROTO);

	/* With the locks: 12 bytes or 10 (the old form), nothing else */
	k.locks = true;
	k.locked_mods = 0xff;
	k.locked_group = RP_XKEY_GROUP_MAX;
	len = rp_xkey_frame(frame, sizeof frame, 7, &k);
	CHECK_EQ(len, RP_HDR_SIZE + 12);
	CHECK_EQ(redecode(RP_XKEY, len), 0);
	CHECK_EQ(redecode(RP_XKEY, len - 1), -EPROTO); /* half the locks */
	CHECK_EQ(redecode(RP_XKEY, len - 2), 0);      /* none: the old form */
	frame[len] = 0;
	CHECK_EQ(redecode(RP_XKEY, len + 1), -EPROTO);
	frame[RP_HDR_SIZE + 11] = RP_XKEY_GROUP_MAX + 1; /* XKB has 4 groups */
	CHECK_EQ(redecode(RP_XKEY, len), -EPROTO);

	struct rp_xpointer pt = {.seq = 1, .id = 2, .kind = RP_XPTR_RELEASE, .button = 9};
	len = rp_xpointer_frame(frame, sizeof frame, 7, &pt);
	truncated_and_long(RP_XPOINTER, len);
	frame[RP_HDR_SIZE + 13] = 10; /* button */
	CHECK_EQ(redecode(RP_XPOINTER, len), -EPROTO);
	frame[RP_HDR_SIZE + 13] = 0;
	CHECK_EQ(redecode(RP_XPOINTER, len), -EPROTO);
	frame[RP_HDR_SIZE + 12] = RP_XPTR_MOTION; /* motion takes button 0 only */
	CHECK_EQ(redecode(RP_XPOINTER, len), 0);
	frame[RP_HDR_SIZE + 13] = 1;
	CHECK_EQ(redecode(RP_XPOINTER, len), -EPROTO);
	frame[RP_HDR_SIZE + 12] = 3; /* kind */
	CHECK_EQ(redecode(RP_XPOINTER, len), -EPROTO);

	struct rp_xconfigure c = {.id = 2, .what = RP_XCONF_SIZE, .w = 1, .h = 1};
	len = rp_xconfigure_frame(frame, sizeof frame, 7, &c);
	truncated_and_long(RP_XCONFIGURE, len);
	poke16(9, 0); /* w 0 with SIZE */
	CHECK_EQ(redecode(RP_XCONFIGURE, len), -EPROTO);
	frame[RP_HDR_SIZE + 4] = RP_XCONF_RAISE; /* then no size is needed */
	CHECK_EQ(redecode(RP_XCONFIGURE, len), 0);
	frame[RP_HDR_SIZE + 4] = 0;
	CHECK_EQ(redecode(RP_XCONFIGURE, len), -EPROTO);
	frame[RP_HDR_SIZE + 4] = 0x80;
	CHECK_EQ(redecode(RP_XCONFIGURE, len), -EPROTO);

	uint8_t argb[4 * 3 * 4] = {0};
	struct rp_xcursor cu = {.serial = 1, .w = 4, .h = 3, .xhot = 3, .yhot = 2, .argb = argb};
	len = rp_xcursor_frame(frame, sizeof frame, 7, &cu);
	truncated_and_long(RP_XCURSOR, len);
	poke16(8, 4); /* xhot outside */
	CHECK_EQ(redecode(RP_XCURSOR, len), -EPROTO);
	poke16(8, 0);
	poke16(4, 0); /* w 0 */
	CHECK_EQ(redecode(RP_XCURSOR, len), -EPROTO);
	poke16(4, RP_XCURSOR_MAX_DIM + 1);
	CHECK_EQ(redecode(RP_XCURSOR, len), -EPROTO);
	poke16(4, 5); /* more pixels than the frame has */
	CHECK_EQ(redecode(RP_XCURSOR, len), -EPROTO);

	len = rp_xack_frame(frame, sizeof frame, 7, 1, 1);
	truncated_and_long(RP_XACK, len);
	poke32(0, 0);
	CHECK_EQ(redecode(RP_XACK, len), -EPROTO);

	struct rp_xtiming t = {.id = 1};
	len = rp_xtiming_frame(frame, sizeof frame, 7, &t);
	truncated_and_long(RP_XTIMING, len);

	/* XSCREEN: any sizes decode (the host checks the bounds: LIMIT). */
	len = rp_xscreen_frame(frame, sizeof frame, 7, 1920, 1080);
	truncated_and_long(RP_XSCREEN, len);
	uint16_t sw, sh;
	CHECK_EQ(rp_xscreen_decode(frame + RP_HDR_SIZE, 4, &sw, &sh), 0);
	CHECK_EQ(sw, 1920);
	CHECK_EQ(sh, 1080);
	len = rp_xscreen_frame(frame, sizeof frame, 7, 0, 65535);
	CHECK_EQ(redecode(RP_XSCREEN, len), 0);

	/* XCLIPAGE: a selection and any age; a third selection is refused. */
	len = rp_xclipage_frame(frame, sizeof frame, 7, RP_XSEL_PRIMARY, 0xfffffffe);
	truncated_and_long(RP_XCLIPAGE, len);
	uint8_t asel;
	uint32_t age;
	CHECK_EQ(rp_xclipage_decode(frame + RP_HDR_SIZE, 5, &asel, &age), 0);
	CHECK_EQ(asel, RP_XSEL_PRIMARY);
	CHECK_EQ(age, 0xfffffffe);
	frame[RP_HDR_SIZE] = 2;
	CHECK_EQ(redecode(RP_XCLIPAGE, len), -EPROTO);

	/* XLASTS: ends with a status, or not with none; another ends, or a
	 * status with "not", is refused. */
	len = rp_xlasts_frame(frame, sizeof frame, 7, true, 130);
	truncated_and_long(RP_XLASTS, len);
	bool ends;
	int32_t lstatus;
	CHECK_EQ(rp_xlasts_decode(frame + RP_HDR_SIZE, 5, &ends, &lstatus), 0);
	CHECK(ends);
	CHECK_EQ(lstatus, 130);
	len = rp_xlasts_frame(frame, sizeof frame, 7, false, 130);
	CHECK_EQ(rp_xlasts_decode(frame + RP_HDR_SIZE, 5, &ends, &lstatus), 0);
	CHECK(!ends);
	CHECK_EQ(lstatus, 0);
	frame[RP_HDR_SIZE] = 2;
	CHECK_EQ(redecode(RP_XLASTS, len), -EPROTO);
	frame[RP_HDR_SIZE] = 0;
	frame[RP_HDR_SIZE + 4] = 1;
	CHECK_EQ(redecode(RP_XLASTS, len), -EPROTO);

	/* XMOVERESIZE: a window, EWMH's direction and a button 1..5; id 0,
	 * a direction past 10 (11, EWMH's cancel, is not sent) or button 0
	 * is refused. */
	len = rp_xmoveresize_frame(frame, sizeof frame, 7, 0x400007, 8, 1);
	truncated_and_long(RP_XMOVERESIZE, len);
	uint32_t mid;
	uint8_t mdir, mbutton;
	CHECK_EQ(rp_xmoveresize_decode(frame + RP_HDR_SIZE, 6, &mid, &mdir, &mbutton), 0);
	CHECK_EQ(mid, 0x400007u);
	CHECK_EQ(mdir, 8);
	CHECK_EQ(mbutton, 1);
	frame[RP_HDR_SIZE + 4] = 11;
	CHECK_EQ(redecode(RP_XMOVERESIZE, len), -EPROTO);
	frame[RP_HDR_SIZE + 4] = 8;
	frame[RP_HDR_SIZE + 5] = 0;
	CHECK_EQ(redecode(RP_XMOVERESIZE, len), -EPROTO);
	len = rp_xmoveresize_frame(frame, sizeof frame, 7, 0, 8, 1);
	CHECK_EQ(redecode(RP_XMOVERESIZE, len), -EPROTO);

	/* XSHAPE: rectangles inside the window, at most RP_XSHAPE_MAX_RECTS,
	 * none when not shaped. */
	struct rp_xshape_rect sr[2] = {{0, 0, 10, 5}, {2, 5, 8, 3}};
	struct rp_xshape s = {.id = 9, .kind = RP_XSHAPE_INPUT, .shaped = true, .w = 10, .h = 8,
			      .n = 2, .rects = sr};
	len = rp_xshape_frame(frame, sizeof frame, 7, &s);
	truncated_and_long(RP_XSHAPE, len);
	poke16(12 + 8 + 4, 9); /* the second rectangle's w: 2 + 9 > 10 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(12 + 8 + 4, 0); /* w 0 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(12 + 8 + 4, 8);
	poke16(12 + 8 + 2, 4); /* y 4 + h 3 ≤ 8: fine */
	CHECK_EQ(redecode(RP_XSHAPE, len), 0);
	poke16(12 + 8 + 2, 6); /* y 6 + h 3 > 8 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(12 + 8 + 2, 5);
	poke16(10, 3); /* more rectangles than the frame has */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(10, RP_XSHAPE_MAX_RECTS + 1); /* too many */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(10, 2);
	frame[RP_HDR_SIZE + 5] = 0; /* not shaped, yet rectangles */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	frame[RP_HDR_SIZE + 5] = 2; /* shaped is 0 or 1 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	frame[RP_HDR_SIZE + 5] = 1;
	frame[RP_HDR_SIZE + 4] = 2; /* kind */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	frame[RP_HDR_SIZE + 4] = RP_XSHAPE_BOUNDING;
	CHECK_EQ(redecode(RP_XSHAPE, len), 0);
	poke16(6, 0); /* window w 0 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	poke16(6, 10);
	poke32(0, 0); /* id 0 */
	CHECK_EQ(redecode(RP_XSHAPE, len), -EPROTO);
	/* the encoder refuses what the decoder would */
	sr[1].x = 3;
	CHECK_EQ(rp_xshape_frame(frame, sizeof frame, 7, &s), -EINVAL);
	s.n = RP_XSHAPE_MAX_RECTS + 1;
	CHECK_EQ(rp_xshape_frame(frame, sizeof frame, 7, &s), -EINVAL);
	s.n = 1;
	s.shaped = false;
	CHECK_EQ(rp_xshape_frame(frame, sizeof frame, 7, &s), -EINVAL);

	/* XPIXELS' head: the window's size and its flags. */
	uint8_t px[17] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 10, 0, 10, RP_XPIX_LAST};
	struct rp_xpix x;
	size_t off;
	CHECK_EQ(rp_xpix_decode(px, sizeof px, &x, &off), 0);
	CHECK_EQ(off, 17);
	CHECK_EQ(x.flags, RP_XPIX_LAST);
	for (size_t k2 = 0; k2 < sizeof px; k2++)
		CHECK_EQ(rp_xpix_decode(px, k2, &x, &off), -EPROTO);
	px[16] = 2; /* unknown flag */
	CHECK_EQ(rp_xpix_decode(px, sizeof px, &x, &off), -EPROTO);
	px[16] = 0;
	px[13] = 0; /* w 0 */
	CHECK_EQ(rp_xpix_decode(px, sizeof px, &x, &off), -EPROTO);
	px[12] = 0x20;
	px[13] = 1; /* 8193 */
	CHECK_EQ(rp_xpix_decode(px, sizeof px, &x, &off), -EPROTO);
	px[12] = 0;
	px[13] = 10;
	px[3] = 0; /* id 0 */
	CHECK_EQ(rp_xpix_decode(px, sizeof px, &x, &off), -EPROTO);

	/* XCLIP's chunk: within its total, the total within the bound. */
	uint8_t ch[12] = {RP_XSEL_PRIMARY, 0, 0, 0, 5, 0, 0, 0, 2, 'a', 'b', 'c'};
	struct rp_xchunk c1;
	CHECK_EQ(rp_xchunk_decode(ch, sizeof ch, 100, &c1), 0);
	CHECK_EQ(c1.off, 2);
	CHECK_EQ(c1.n, 3);
	CHECK(c1.p == ch + 9);
	CHECK_EQ(rp_xchunk_decode(ch, sizeof ch, 4, &c1), -EPROTO); /* total over the bound */
	ch[8] = 3;						    /* 3 + 3 > 5 */
	CHECK_EQ(rp_xchunk_decode(ch, sizeof ch, 100, &c1), -EPROTO);
	ch[8] = 2;
	CHECK_EQ(rp_xchunk_decode(ch, 9, 100, &c1), -EPROTO); /* no bytes, not an empty text */
	ch[0] = 2;					      /* no such selection */
	CHECK_EQ(rp_xchunk_decode(ch, sizeof ch, 100, &c1), -EPROTO);
	uint8_t empty[9] = {0};
	CHECK_EQ(rp_xchunk_decode(empty, sizeof empty, 100, &c1), 0);
	CHECK_EQ(c1.total, 0);
	for (size_t k2 = 0; k2 < 9; k2++)
		CHECK_EQ(rp_xchunk_decode(ch, k2, 100, &c1), -EPROTO);
}

struct chunks {
	struct rp_xtext t;
	int frames, done, errors;
	uint8_t type;
	uint8_t *whole;
	uint32_t whole_n;
};

static int take_chunk(void *ctx, const uint8_t *f, size_t len)
{
	struct chunks *c = ctx;
	struct rp_hdr h;
	struct rp_xchunk ch;

	CHECK(len <= RP_MAX_FRAME);
	CHECK_EQ(rp_hdr_decode(f, len, &h), 0);
	CHECK_EQ(h.type, c->type);
	CHECK_EQ(h.len + RP_HDR_SIZE, len);
	c->frames++;
	if (rp_xchunk_decode(f + RP_HDR_SIZE, h.len,
			     c->type == RP_XCLIP ? RP_XCLIP_MAX_BYTES : RP_XKEYMAP_MAX_BYTES, &ch)) {
		c->errors++;
		return 0;
	}
	int r = rp_xtext_add(&c->t, &ch);
	if (r == 1) {
		c->done++;
		c->whole = c->t.buf;
		c->whole_n = c->t.total;
		memset(&c->t, 0, sizeof c->t);
	} else if (r < 0) {
		c->errors++;
	}
	return 0;
}

static int refuse_send(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx;
	(void)f;
	(void)len;
	return -EPIPE;
}

static void chunks_reassemble(void)
{
	uint32_t n = 200000;
	uint8_t *text = malloc(n);
	struct chunks c = {.type = RP_XCLIP};

	for (uint32_t i = 0; i < n; i++)
		text[i] = (uint8_t)rnd();
	CHECK_EQ(rp_xchunks_send(RP_XCLIP, 7, RP_XSEL_PRIMARY, text, n, take_chunk, &c), 0);
	CHECK_EQ(c.frames, 4); /* 200000 bytes at 65527 a frame */
	CHECK_EQ(c.done, 1);
	CHECK_EQ(c.errors, 0);
	CHECK_EQ(c.whole_n, n);
	CHECK(c.whole && !memcmp(c.whole, text, n));
	free(c.whole);

	/* an empty selection is one frame */
	struct chunks e = {.type = RP_XKEYMAP};
	CHECK_EQ(rp_xchunks_send(RP_XKEYMAP, 7, 0, "", 0, take_chunk, &e), 0);
	CHECK_EQ(e.frames, 1);
	CHECK_EQ(e.done, 1);
	CHECK_EQ(e.whole_n, 0);
	CHECK(e.whole && e.whole[0] == 0);
	free(e.whole);

	/* the bounds, and a send that fails stops it */
	CHECK_EQ(rp_xchunks_send(RP_XKEYMAP, 7, 0, text, RP_XKEYMAP_MAX_BYTES + 1, take_chunk, &e),
		 -EMSGSIZE);
	CHECK_EQ(rp_xchunks_send(RP_XKEY, 7, 0, text, 1, take_chunk, &e), -EINVAL);
	CHECK_EQ(rp_xchunks_send(RP_XCLIP, 7, 0, text, n, refuse_send, NULL), -EPIPE);

	/* out of order: a chunk that skips, or a second start, resets */
	struct rp_xtext t = {0};
	struct rp_xchunk a = {.sel = 0, .total = 10, .off = 0, .p = text, .n = 4};
	struct rp_xchunk b = {.sel = 0, .total = 10, .off = 5, .p = text, .n = 5};
	CHECK_EQ(rp_xtext_add(&t, &a), 0);
	CHECK_EQ(rp_xtext_add(&t, &b), -EPROTO);
	CHECK(t.buf == NULL);
	CHECK_EQ(rp_xtext_add(&t, &b), -EPROTO); /* not a start */
	CHECK_EQ(rp_xtext_add(&t, &a), 0);
	b.off = 4;
	b.n = 6;
	b.sel = 1; /* the other selection's chunk in the middle */
	CHECK_EQ(rp_xtext_add(&t, &b), -EPROTO);
	CHECK_EQ(rp_xtext_add(&t, &a), 0);
	b.sel = 0;
	CHECK_EQ(rp_xtext_add(&t, &b), 1);
	CHECK_EQ(t.total, 10);
	CHECK(!memcmp(t.buf, text, 4) && !memcmp(t.buf + 4, text, 6));
	rp_xtext_finish(&t);
	CHECK(t.buf == NULL);
	free(text);
}

/* ---- ops ---- */

struct ops {
	uint8_t b[RP_MAX_PAYLOAD];
	size_t n;
};

static void o8(struct ops *o, uint32_t v)
{
	o->b[o->n++] = (uint8_t)v;
}

static void o16(struct ops *o, uint32_t v)
{
	o8(o, v >> 8);
	o8(o, v);
}

static void o32(struct ops *o, uint32_t v)
{
	o16(o, v >> 16);
	o16(o, v);
}

static void orect(struct ops *o, unsigned op, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	o8(o, op);
	o16(o, x);
	o16(o, y);
	o16(o, w);
	o16(o, h);
}

static void ocopy(struct ops *o, uint32_t sx, uint32_t sy, uint32_t x, uint32_t y, uint32_t w,
		  uint32_t h)
{
	o8(o, RP_XOP_COPY);
	o16(o, sx);
	o16(o, sy);
	o16(o, x);
	o16(o, y);
	o16(o, w);
	o16(o, h);
}

/* The reference: a copy through a separate buffer. */
static void ref_copy(uint32_t *px, size_t stride, uint32_t sx, uint32_t sy, uint32_t x,
		     uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t *tmp = malloc((size_t)w * h * 4);
	for (uint32_t j = 0; j < h; j++)
		memcpy(tmp + (size_t)j * w, px + (size_t)(sy + j) * stride + sx, (size_t)w * 4);
	for (uint32_t j = 0; j < h; j++)
		memcpy(px + (size_t)(y + j) * stride + x, tmp + (size_t)j * w, (size_t)w * 4);
	free(tmp);
}

static void apply_matches_reference(void)
{
	enum { W = 100, H = 80, S = 104 }; /* a stride wider than the window */
	static uint32_t a[S * H], r[S * H];
	static uint32_t blk[40 * 30];
	static uint8_t z[1 << 17];
	struct ops o = {0};
	char err[200];

	for (size_t i = 0; i < S * H; i++)
		a[i] = r[i] = rnd();
	/* copies that overlap their source in each direction, and apart */
	const uint32_t cp[][6] = {{0, 0, 0, 5, 100, 70},   {0, 9, 0, 0, 100, 71},
				  {3, 2, 0, 2, 97, 50},	   {0, 2, 7, 4, 90, 60},
				  {10, 10, 12, 13, 40, 40}, {50, 40, 0, 0, 50, 40},
				  {99, 79, 0, 0, 1, 1}};
	for (size_t i = 0; i < sizeof cp / sizeof cp[0]; i++) {
		ocopy(&o, cp[i][0], cp[i][1], cp[i][2], cp[i][3], cp[i][4], cp[i][5]);
		ref_copy(r, S, cp[i][0], cp[i][1], cp[i][2], cp[i][3], cp[i][4], cp[i][5]);
	}
	orect(&o, RP_XOP_FILL, 5, 6, 20, 10);
	o32(&o, 0x00abcdef);
	for (int j = 0; j < 10; j++)
		for (int i = 0; i < 20; i++)
			r[(6 + j) * S + 5 + i] = 0x00abcdef;
	/* a block of 40x30, raw, lz4 and zstd at three places */
	for (size_t i = 0; i < 40 * 30; i++)
		blk[i] = (i % 7) ? 0x00102030 : rnd(); /* little-endian hosts: as on the wire */
	orect(&o, RP_XOP_RAW, 60, 50, 40, 30);
	memcpy(o.b + o.n, blk, sizeof blk);
	o.n += sizeof blk;
	int zn = LZ4_compress_default((const char *)blk, (char *)z, sizeof blk, sizeof z);
	orect(&o, RP_XOP_LZ4, 0, 0, 40, 30);
	o32(&o, (uint32_t)zn);
	memcpy(o.b + o.n, z, (size_t)zn);
	o.n += (size_t)zn;
	size_t zs = ZSTD_compress(z, sizeof z, blk, sizeof blk, 3);
	orect(&o, RP_XOP_ZSTD, 30, 40, 40, 30);
	o32(&o, (uint32_t)zs);
	memcpy(o.b + o.n, z, zs);
	o.n += zs;
	for (int j = 0; j < 30; j++) {
		memcpy(r + (50 + j) * S + 60, blk + j * 40, 160);
		memcpy(r + j * S, blk + j * 40, 160);
		memcpy(r + (40 + j) * S + 30, blk + j * 40, 160);
	}
	CHECK_EQ(rp_xpix_apply(o.b, o.n, a, W, H, S * 4, err, sizeof err), 0);
	CHECK_EQ(err[0], 0);
	for (size_t i = 0; i < S * H; i++)
		if (a[i] != r[i]) {
			fprintf(stderr, "pixel %zu,%zu: %08x, expected %08x\n", i % S, i / S, a[i],
				r[i]);
			failures++;
			break;
		}
}

static void apply_refuses(void)
{
	enum { W = 64, H = 32 };
	static uint32_t px[W * H], blk[16 * 16];
	static uint8_t z[4096];
	struct ops o = {0};
	char err[200];
	int zn;

	/* a good stream, cut inside each op: refused where it is cut, what
	 * came before applied */
	orect(&o, RP_XOP_FILL, 0, 0, W, H);
	o32(&o, 0x00111111);
	ocopy(&o, 0, 0, 1, 1, 10, 10);
	for (size_t i = 0; i < 16 * 16; i++)
		blk[i] = i & 1 ? 0x00ff0000 : 0x000000ff;
	zn = LZ4_compress_default((const char *)blk, (char *)z, sizeof blk, sizeof z);
	orect(&o, RP_XOP_LZ4, 3, 3, 16, 16);
	o32(&o, (uint32_t)zn);
	memcpy(o.b + o.n, z, (size_t)zn);
	o.n += (size_t)zn;
	size_t good = o.n;
	CHECK_EQ(rp_xpix_apply(o.b, good, px, W, H, W * 4, err, sizeof err), 0);
	for (size_t k = 1; k < good; k++) {
		if (k == 13 || k == 26)
			continue; /* ends of whole ops */
		err[0] = 0;
		if (rp_xpix_apply(o.b, k, px, W, H, W * 4, err, sizeof err) != -EPROTO || !err[0]) {
			fprintf(stderr, "ops cut to %zu bytes: not refused\n", k);
			failures++;
		}
	}
	px[0] = 0;
	CHECK_EQ(rp_xpix_apply(o.b, 14, px, W, H, W * 4, err, sizeof err), -EPROTO);
	CHECK_EQ(px[0], 0x00111111); /* the FILL before the cut one stays */
	fprintf(stderr, "(a cut op: %s)\n", err);

	/* one op at a time */
	struct {
		const char *what;
		struct ops o;
	} bad[12];
	size_t nb = 0;
	memset(bad, 0, sizeof bad);
#define BAD(w) (bad[nb].what = (w), &bad[nb++].o)
	orect(BAD("fill outside"), RP_XOP_FILL, 60, 0, 5, 1);
	o32(&bad[nb - 1].o, 0);
	orect(BAD("fill empty"), RP_XOP_FILL, 0, 0, 0, 1);
	o32(&bad[nb - 1].o, 0);
	orect(BAD("fill below"), RP_XOP_FILL, 0, 32, 1, 1);
	o32(&bad[nb - 1].o, 0);
	ocopy(BAD("copy from outside"), 60, 0, 0, 0, 5, 1);
	ocopy(BAD("copy to outside"), 0, 0, 0, 30, 1, 3);
	o8(BAD("unknown op"), 9);
	o8(BAD("op 0"), 0);
	orect(BAD("lz4 of another size"), RP_XOP_LZ4, 0, 0, 16, 15);
	o32(&bad[nb - 1].o, (uint32_t)zn);
	memcpy(bad[nb - 1].o.b + bad[nb - 1].o.n, z, (size_t)zn);
	bad[nb - 1].o.n += (size_t)zn;
	orect(BAD("zstd garbage"), RP_XOP_ZSTD, 0, 0, 16, 16);
	o32(&bad[nb - 1].o, 4);
	o32(&bad[nb - 1].o, 0x28b52ffd);
	orect(BAD("raw beyond the frame"), RP_XOP_RAW, 0, 0, 2, 2);
	o32(&bad[nb - 1].o, 0);
	orect(BAD("lz4 of no bytes"), RP_XOP_LZ4, 0, 0, 1, 1);
	o32(&bad[nb - 1].o, 0);
	orect(BAD("lz4 longer than the frame"), RP_XOP_LZ4, 0, 0, 1, 1);
	o32(&bad[nb - 1].o, 1000);
	o8(&bad[nb - 1].o, 0);
	for (size_t i = 0; i < nb; i++) {
		err[0] = 0;
		int r = rp_xpix_apply(bad[i].o.b, bad[i].o.n, px, W, H, W * 4, err, sizeof err);
		if (r != -EPROTO || !err[0]) {
			fprintf(stderr, "%s: %d, not refused\n", bad[i].what, r);
			failures++;
		} else {
			fprintf(stderr, "(%s: %s)\n", bad[i].what, err);
		}
	}
	/* more pixels than an op may have, on a window big enough */
	static uint32_t wide[300 * 300];
	struct ops m = {0};
	orect(&m, RP_XOP_ZSTD, 0, 0, 300, 220); /* 66000 > 65536 */
	o32(&m, 4);
	o32(&m, 0);
	CHECK_EQ(rp_xpix_apply(m.b, m.n, wide, 300, 300, 300 * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "65536") != NULL);
	/* the window itself */
	CHECK_EQ(rp_xpix_apply(o.b, good, px, W, H, W * 4 - 4, err, sizeof err), -EPROTO);
	CHECK_EQ(rp_xpix_apply(o.b, good, px, 0, H, W * 4, err, sizeof err), -EPROTO);
	/* no ops: nothing to do */
	CHECK_EQ(rp_xpix_apply(o.b, 0, px, W, H, W * 4, NULL, 0), 0);
}

/* ---- the encoder against a desk ---- */

struct desk {
	uint32_t *px;
	uint16_t w, h;
	uint32_t id, frame, ack;
	bool open;	 /* frames of an update came, not its LAST */
	int updates, frames, errors;
	size_t bytes, max_payload;
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

	d->frames++;
	d->bytes += n;
	if (n > d->max_payload)
		d->max_payload = n;
	if (n > RP_MAX_PAYLOAD || rp_xpix_decode(p, n, &x, &off)) {
		fprintf(stderr, "a payload of %zu bytes: not an XPIXELS\n", n);
		d->errors++;
		return 0;
	}
	if (x.id != d->id || (d->open && x.frame != d->frame)) {
		fprintf(stderr, "frame %u of window %x in the middle of update %u\n", x.frame, x.id,
			d->frame);
		d->errors++;
	}
	d->frame = x.frame;
	d->ack = x.ack;
	if (x.w != d->w || x.h != d->h)
		desk_resize(d, x.w, x.h);
	if (rp_xpix_apply(p + off, n - off, d->px, d->w, d->h, (size_t)d->w * 4, err, sizeof err)) {
		fprintf(stderr, "apply: %s\n", err);
		d->errors++;
	}
	d->open = !(x.flags & RP_XPIX_LAST);
	if (!d->open)
		d->updates++;
	return 0;
}

static bool same_picture(const struct desk *d, const uint32_t *px, uint16_t w, uint16_t h,
			 size_t stride)
{
	if (d->w != w || d->h != h) {
		fprintf(stderr, "the desk has %ux%u, the host %ux%u\n", d->w, d->h, w, h);
		return false;
	}
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if ((px[y * stride + x] & MASK) != d->px[(size_t)y * w + x]) {
				fprintf(stderr, "pixel %u,%u: %08x on the desk, %08x on the host\n", x,
					y, d->px[(size_t)y * w + x], px[y * stride + x] & MASK);
				return false;
			}
	return true;
}

/* A picture like a terminal's: a background, lines of glyph-like runs. */
static void draw_text(uint32_t *px, size_t stride, uint16_t w, uint16_t h, uint32_t first_line)
{
	for (uint32_t y = 0; y < h; y++) {
		uint32_t line = first_line + y / 16, row = y % 16;
		for (uint32_t x = 0; x < w; x++) {
			uint32_t col = x / 8, cx = x % 8;
			uint32_t ch = (line * 2654435761u + col * 40503u) >> 7;
			bool ink = col < 20 + (line * 7) % 60 && (ch % 5) && row > 2 && row < 14 &&
				   ((ch >> (cx + row % 4)) & 1);
			px[y * stride + x] = (ink ? 0x00d0d0d0 : 0x00101820) | (rnd() & 0xff000000);
		}
	}
}

static void draw_noise(uint32_t *px, size_t stride, uint32_t x0, uint32_t y0, uint32_t w,
		       uint32_t h)
{
	for (uint32_t y = y0; y < y0 + h; y++)
		for (uint32_t x = x0; x < x0 + w; x++)
			px[y * stride + x] = rnd();
}

static void encoder_round_trip(void)
{
	uint16_t w = 300, h = 200;
	size_t stride = 320;
	uint32_t *pic = calloc(stride * 2000, 4);
	struct rp_xenc *e = rp_xenc_create(5, w, h);
	struct desk d = {.id = 5};
	struct rp_xenc_stats st;

	desk_resize(&d, w, h);
	CHECK(e != NULL);
	rp_xenc_palette(e, true);
	CHECK(rp_xenc_create(0, w, h) == NULL);
	CHECK(rp_xenc_create(5, 0, h) == NULL);
	/* the first picture, all of it */
	draw_text(pic, stride, w, h, 0);
	CHECK(rp_xenc_update(e, pic, w, h, stride * 4, NULL, 0, 1, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, w, h, stride));
	CHECK_EQ(d.frame, 1);
	CHECK_EQ(d.ack, 1);
	/* the same again: nothing */
	int before = d.frames;
	CHECK_EQ(rp_xenc_update(e, pic, w, h, stride * 4, NULL, 0, 2, desk_take, &d), 0);
	CHECK_EQ(d.frames, before);
	/* damage outside the window or empty: nothing */
	struct rp_xrect out[] = {{-50, -50, 40, 40}, {300, 0, 10, 10}, {5, 5, 0, 9}};
	CHECK_EQ(rp_xenc_update(e, pic, w, h, stride * 4, out, 3, 2, desk_take, &d), 0);

	for (int round = 0; round < 200; round++) {
		struct rp_xrect dmg[4];
		size_t nd = 1 + rnd() % 4;
		for (size_t i = 0; i < nd; i++) {
			/* boxes that may reach past the window's edges */
			dmg[i].x = (int32_t)(rnd() % (w + 20)) - 10;
			dmg[i].y = (int32_t)(rnd() % (h + 20)) - 10;
			dmg[i].w = 1 + (int32_t)(rnd() % w);
			dmg[i].h = 1 + (int32_t)(rnd() % h);
			struct rp_xrect c = dmg[i];
			if (c.x < 0) {
				c.w += c.x;
				c.x = 0;
			}
			if (c.y < 0) {
				c.h += c.y;
				c.y = 0;
			}
			if (c.x + c.w > w)
				c.w = w - c.x;
			if (c.y + c.h > h)
				c.h = h - c.y;
			if (c.w <= 0 || c.h <= 0)
				continue;
			switch (rnd() % 5) {
			case 0:
				draw_noise(pic, stride, (uint32_t)c.x, (uint32_t)c.y, (uint32_t)c.w,
					   (uint32_t)c.h);
				break;
			case 1: {
				uint32_t v = rnd();
				for (int y = c.y; y < c.y + c.h; y++)
					for (int x = c.x; x < c.x + c.w; x++)
						pic[y * stride + x] = v;
				break;
			}
			case 2: /* a scroll of the whole text */
				draw_text(pic, stride, w, h, (uint32_t)round);
				dmg[i] = (struct rp_xrect){0, 0, w, h};
				break;
			case 4: { /* a few colours, up to a palette's most and past it */
				uint32_t pal[300], n = 1 + rnd() % 300;
				for (uint32_t k = 0; k < n; k++)
					pal[k] = rnd();
				for (int y = c.y; y < c.y + c.h; y++)
					for (int x = c.x; x < c.x + c.w; x++)
						pic[y * stride + x] = pal[rnd() % n];
				break;
			}
			default: /* only the top byte changes: nothing to send there */
				for (int y = c.y; y < c.y + c.h; y++)
					for (int x = c.x; x < c.x + c.w; x++)
						pic[y * stride + x] ^= 0x5a000000;
			}
		}
		if (round % 37 == 36) { /* resized, up or down */
			w = (uint16_t)(40 + rnd() % 280);
			h = (uint16_t)(1 + rnd() % 1900);
			draw_text(pic, stride, w, h, (uint32_t)round);
		}
		int r = rp_xenc_update(e, pic, w, h, stride * 4, dmg, nd, (uint32_t)round, desk_take,
				       &d);
		CHECK(r >= 0);
		if (!same_picture(&d, pic, w, h, stride)) {
			fprintf(stderr, "round %d\n", round);
			failures++;
			break;
		}
		CHECK(!d.open);
	}
	CHECK_EQ(d.errors, 0);
	CHECK(d.max_payload <= RP_MAX_PAYLOAD);
	rp_xenc_stats(e, &st);
	CHECK_EQ(st.updates, (uint64_t)d.updates);
	CHECK_EQ(st.frames, (uint64_t)d.frames);
	CHECK_EQ(st.bytes, (uint64_t)d.bytes);
	CHECK(st.tiles_fill > 0);
	CHECK(st.tiles_raw > 0);
	CHECK(st.tiles_same > 0);
	CHECK(st.tiles_palette > 0);
	fprintf(stderr, "%llu updates, %llu frames, %llu bytes; tiles same %llu fill %llu copy %llu "
			"lz4 %llu zstd %llu raw %llu\n",
		(unsigned long long)st.updates, (unsigned long long)st.frames,
		(unsigned long long)st.bytes, (unsigned long long)st.tiles_same,
		(unsigned long long)st.tiles_fill, (unsigned long long)st.tiles_copy,
		(unsigned long long)st.tiles_lz4, (unsigned long long)st.tiles_zstd,
		(unsigned long long)st.tiles_raw);

	/* a desk that comes late, with anything in its buffer: the keyframe */
	struct desk late = {.id = 5};
	desk_resize(&late, w, h);
	for (size_t i = 0; i < (size_t)w * h; i++)
		late.px[i] = rnd();
	uint32_t frame_now = d.frame;
	CHECK(rp_xenc_keyframe(e, 9, desk_take, &late) > 0);
	CHECK(same_picture(&late, pic, w, h, stride));
	CHECK_EQ(late.frame, frame_now);
	CHECK_EQ(late.ack, 9);
	CHECK_EQ(late.errors, 0);
	/* and then it follows the shared updates with the others */
	draw_noise(pic, stride, 0, 0, 10, 10);
	struct rp_xrect one = {0, 0, 10, 10};
	CHECK(rp_xenc_update(e, pic, w, h, stride * 4, &one, 1, 10, desk_take, &late) > 0);
	CHECK(same_picture(&late, pic, w, h, stride));
	CHECK_EQ(late.frame, frame_now + 1);

	free(late.px);
	free(d.px);
	free(pic);
	rp_xenc_destroy(e);
	rp_xenc_destroy(NULL);
}

/* A terminal scrolled by a line: a COPY and the new line, not the screen. */
static void encoder_scroll(void)
{
	enum { W = 640, H = 384 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(9, W, H);
	struct desk d = {.id = 9};
	struct rp_xenc_stats s0, s1;
	struct rp_xrect all = {0, 0, W, H};

	desk_resize(&d, W, H);
	draw_text(pic, W, W, H, 0);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, 0, desk_take, &d) > 0);
	rp_xenc_stats(e, &s0);
	for (uint32_t line = 1; line <= 10; line++) {
		draw_text(pic, W, W, H, line);
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, line, desk_take, &d) > 0);
		CHECK(same_picture(&d, pic, W, H, W));
	}
	rp_xenc_stats(e, &s1);
	CHECK(s1.tiles_copy > 0);
	/* a scroll costs about its new line: ten of them less than the first
	 * picture's 24 lines (each would be most of it, sent as tiles) */
	fprintf(stderr, "first picture %llu bytes, ten scrolls %llu bytes, copied tiles %llu\n",
		(unsigned long long)s0.bytes, (unsigned long long)(s1.bytes - s0.bytes),
		(unsigned long long)s1.tiles_copy);
	CHECK(s1.bytes - s0.bytes < s0.bytes * 10 / 16);
	/* scrolling back the other way too */
	draw_text(pic, W, W, H, 4);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, 11, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	/* a line changed alone (the shadow's rows it keeps are stale there),
	 * then the scroll that moves it */
	struct rp_xrect line = {0, 100, W / 2, 16};
	draw_noise(pic, W, 0, 100, W / 2, 16);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &line, 1, 12, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	memmove(pic, pic + 16 * W, (size_t)(H - 16) * W * 4);
	draw_noise(pic, W, 0, H - 16, W, 16);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, 13, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	/* a small change the scroll search does not look at, then a scroll
	 * that brings back the rows as they were before it: the shadow's
	 * rows there are not what they were */
	static uint32_t saved[16 * W];
	struct rp_xrect small = {0, 200, 8, 8};
	memcpy(saved, pic + 200 * W, sizeof saved);
	draw_noise(pic, W, 0, 200, 8, 8);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &small, 1, 13, desk_take, &d) > 0);
	memmove(pic, pic + 16 * W, (size_t)(H - 16) * W * 4);
	memcpy(pic + 184 * W, saved, sizeof saved);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, 13, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	/* two boxes with a gap between them, then a scroll */
	struct rp_xrect two[2] = {{0, 0, W, 16}, {0, H - 16, W, 16}};
	draw_noise(pic, W, 0, 0, W, 16);
	draw_noise(pic, W, 0, H - 16, W, 16);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, two, 2, 14, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	memmove(pic + 32 * W, pic, (size_t)(H - 32) * W * 4);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, 15, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK_EQ(d.errors, 0);
	free(d.px);
	rp_xenc_destroy(e);
}

/* A big window of noise: frames split at the payload's bound, no op
 * beyond its pixels, and what is solid costs a fill. */
static void encoder_big_and_solid(void)
{
	enum { W = 1920, H = 1080 };
	uint32_t *pic = malloc((size_t)W * H * 4);
	struct rp_xenc *e = rp_xenc_create(2, 100, 100);
	struct desk d = {.id = 2};
	struct rp_xenc_stats st;

	desk_resize(&d, 100, 100);
	draw_noise(pic, W, 0, 0, W, H);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d) > 1);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK(d.max_payload <= RP_MAX_PAYLOAD);
	CHECK(d.frames > W * H * 3 / RP_MAX_PAYLOAD); /* noise hardly compresses */
	/* a photo: gradients with noisy low bits compress, but 16 tiles of
	 * it are more than a frame: the ops are cut to fit */
	for (size_t y = 0; y < H; y++)
		for (size_t x = 0; x < W; x++)
			pic[y * W + x] = (uint32_t)((x & 255) << 16 | (y & 255) << 8 |
						    ((x + y) & 255)) ^ (rnd() & 0x070707);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d) > 1);
	CHECK(same_picture(&d, pic, W, H, W));
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_zstd > 0);
	for (size_t i = 0; i < (size_t)W * H; i++)
		pic[i] = 0x00336699;
	size_t b0 = d.bytes;
	CHECK_EQ(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d), 1);
	CHECK(same_picture(&d, pic, W, H, W));
	rp_xenc_stats(e, &st);
	CHECK_EQ(st.tiles_fill, (uint64_t)30 * 17);
	CHECK_EQ(d.bytes - b0, 17 + 13); /* one fill */
	CHECK_EQ(d.errors, 0);
	free(d.px);
	free(pic);
	rp_xenc_destroy(e);
}

/* A character typed: what goes is about its cell, not its tile. */
static void encoder_small_change(void)
{
	enum { W = 640, H = 384 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(9, W, H);
	struct desk d = {.id = 9};
	struct rp_xrect cell = {80, 32, 8, 16};

	desk_resize(&d, W, H);
	draw_text(pic, W, W, H, 0);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d) > 0);
	for (int y = 32; y < 48; y++)
		for (int x = 80; x < 88; x++)
			pic[y * W + x] = (x ^ y) & 1 ? 0x00ffffff : 0x00101820;
	size_t b0 = d.bytes;
	CHECK_EQ(rp_xenc_update(e, pic, W, H, W * 4, &cell, 1, 1, desk_take, &d), 1);
	CHECK(same_picture(&d, pic, W, H, W));
	fprintf(stderr, "a typed cell: %zu bytes\n", d.bytes - b0);
	CHECK(d.bytes - b0 < 17 + 13 + 8 * 16 * 4);
	/* the same without damage: found by the tiles' hashes */
	pic[40 * W + 600] = 0x00ff0000;
	b0 = d.bytes;
	CHECK_EQ(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 2, desk_take, &d), 1);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK(d.bytes - b0 < 17 + 13 + 4 + 20);
	CHECK_EQ(d.errors, 0);
	free(d.px);
	rp_xenc_destroy(e);
}

/* Typing into a terminal: updates damaging a glyph and the cursor (the
 * encoder compares and sends just those), among scrolls, whole-window
 * compares, damage that changed nothing, a tile of noise and bursts of
 * quick keys into one tile (with JPEG allowed: never text's, but a
 * streak), palette on and off: the desk has the host's picture after
 * every one, a late desk after a keyframe too, and a typed glyph costs
 * about its own pixels. */
static int both_take(void *ctx, const uint8_t *p, size_t n)
{
	struct desk **d = ctx;

	desk_take(d[0], p, n);
	return desk_take(d[1], p, n);
}

/* A window whose first picture is all black, as the encoder's shadow
 * starts: its first update goes all the same (before, nothing went, and a
 * desk never drew the window), whole or damaged in a small box, and the
 * next one equal to it sends nothing. */
static void encoder_first_black(void)
{
	static const uint16_t sizes[][2] = {{300, 200}, {40, 30}};

	for (unsigned i = 0; i < 2; i++) {
		uint16_t w = sizes[i][0], h = sizes[i][1];
		uint32_t *pic = calloc((size_t)w * h, 4);
		struct rp_xenc *e = rp_xenc_create(8, w, h);
		struct desk d = {.id = 8};
		struct rp_xrect all = {0, 0, w, h};

		CHECK(e != NULL && pic != NULL);
		CHECK_EQ(rp_xenc_update(e, pic, w, h, (size_t)w * 4, i ? &all : NULL, i, 1,
					desk_take, &d),
			 1);
		CHECK_EQ(d.updates, 1);
		CHECK_EQ(d.errors, 0);
		CHECK(same_picture(&d, pic, w, h, w));
		CHECK_EQ(rp_xenc_update(e, pic, w, h, (size_t)w * 4, &all, 1, 2, desk_take, &d), 0);
		CHECK_EQ(d.updates, 1);
		rp_xenc_destroy(e);
		free(d.px);
		free(pic);
	}
}

static void encoder_small_updates(void)
{
	enum { W = 484, H = 316, CW = 6, CH = 13 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(3, W, H);
	struct desk d = {.id = 3}, late = {.id = 3};
	struct rp_xenc_stats st;
	uint32_t now = 1000;
	size_t glyph_bytes = 0, glyphs = 0;

	desk_resize(&d, W, H);
	desk_resize(&late, W, H);
	draw_text(pic, W, W, H, 0);
	rp_xenc_lossy(e, 70);
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d) > 0);
	for (int round = 0; round < 600 && !failures; round++) {
		uint32_t k = rnd() % 100, col = rnd() % (W / CW - 1), row = rnd() % (H / CH);
		struct rp_xrect dmg[2] = {{(int32_t)(col * CW), (int32_t)(row * CH), CW, CH},
					  {(int32_t)((col + 1) * CW), (int32_t)(row * CH), CW, CH}};
		size_t nd = 2, b0 = d.bytes;
		bool glyph = false;

		rp_xenc_palette(e, round % 200 < 120);
		now += k < 30 ? 15 : 120; /* bursts of quick keys, and pauses */
		rp_xenc_clock(e, now);
		if (k < 60) { /* a glyph and the cursor after it */
			uint32_t ink = rnd() & 0xffffff;
			if (k < 30) { /* the quick ones into the window's first tile */
				dmg[0] = (struct rp_xrect){0, 0, CW, CH};
				dmg[1] = (struct rp_xrect){CW, 0, CW, CH};
			}
			for (int y = 0; y < CH; y++)
				for (int x = 0; x < CW; x++) {
					pic[(dmg[0].y + y) * W + dmg[0].x + x] = rnd() % 3 ? 0x00101820 : ink;
					pic[(dmg[1].y + y) * W + dmg[1].x + x] = 0x00d0d0d0;
				}
			glyph = true;
		} else if (k < 70) { /* damage where nothing changed */
		} else if (k < 78) { /* a scroll: the whole window */
			draw_text(pic, W, W, H, (uint32_t)round);
			nd = 0;
		} else if (k < 84) { /* a tile's worth of noise, its damage just fits */
			dmg[0] = (struct rp_xrect){(int32_t)(rnd() % (W - 64)), (int32_t)(rnd() % (H - 64)),
						   64, 64};
			draw_noise(pic, W, (uint32_t)dmg[0].x, (uint32_t)dmg[0].y, 64, 64);
			nd = 1;
		} else if (k < 92) { /* a glyph, damage the whole line (too big for the small path) */
			for (int y = 0; y < CH; y++)
				for (int x = 0; x < CW; x++)
					pic[(dmg[0].y + y) * W + dmg[0].x + x] ^= 0x00ffffff;
			dmg[0] = (struct rp_xrect){0, (int32_t)(row * CH), W, CH};
			nd = 1;
		} else { /* the cursor off at the line's end, told with damage past the edge */
			dmg[1].x = (W / CW - 1) * CW;
			dmg[1].w = CW + 30;
			for (int y = 0; y < CH; y++)
				for (int x = 0; x < CW; x++)
					pic[(dmg[1].y + y) * W + dmg[1].x + x] = 0x00101820;
		}
		struct desk *both[2] = {&d, &late};
		int r = rp_xenc_update(e, pic, W, H, W * 4, nd ? dmg : NULL, nd, (uint32_t)round,
				       round > 300 ? both_take : desk_take,
				       round > 300 ? (void *)both : (void *)&d);
		CHECK(r >= 0);
		if (!same_picture(&d, pic, W, H, W) ||
		    (round > 300 && !same_picture(&late, pic, W, H, W))) {
			fprintf(stderr, "round %d (kind %u)\n", round, k);
			failures++;
		}
		if (glyph && k >= 30 && round <= 300) {
			glyph_bytes += d.bytes - b0;
			glyphs++;
		}
		if (round == 300) { /* a desk comes late: a keyframe, then the shared updates */
			CHECK(rp_xenc_keyframe(e, 0, desk_take, &late) > 0);
			CHECK(same_picture(&late, pic, W, H, W));
		}
	}
	CHECK_EQ(d.errors, 0);
	CHECK_EQ(late.errors, 0);
	CHECK(glyphs > 0);
	/* two cells' pixels raw would be 624 bytes and their frame's head */
	if (glyphs)
		CHECK(glyph_bytes / glyphs < 17 + 2 * (13 + 2 * CW * CH * 4));
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_palette > 0 && st.tiles_lz4 + st.tiles_raw > 0 && st.tiles_same > 0);
	free(d.px);
	free(late.px);
	rp_xenc_destroy(e);
}

struct failing {
	struct desk d;
	int left; /* frames taken before the sends fail */
};

static int fail_after(void *ctx, const uint8_t *p, size_t n)
{
	struct failing *f = ctx;

	if (f->left-- <= 0)
		return -EPIPE;
	return desk_take(&f->d, p, n);
}

/* A send that fails mid-update: the error comes back, the number is not
 * used again, and a keyframe gives a desk the picture. */
static void encoder_emit_fails(void)
{
	enum { W = 512, H = 512 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(3, W, H);
	struct failing f = {.d = {.id = 3}, .left = 1};
	struct desk late = {.id = 3};

	desk_resize(&f.d, W, H);
	draw_noise(pic, W, 0, 0, W, H); /* 1 MiB: many frames */
	CHECK_EQ(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 1, fail_after, &f), -EPIPE);
	CHECK_EQ(f.d.frames, 1);
	CHECK_EQ(f.d.frame, 1);
	f.left = 1000;
	f.d.open = false; /* the host sends this desk a keyframe next: not tested here */
	f.d.errors = 0;
	pic[0] ^= 1;
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 2, fail_after, &f) > 0);
	CHECK_EQ(f.d.frame, 2);
	desk_resize(&late, W, H);
	CHECK(rp_xenc_keyframe(e, 2, desk_take, &late) > 0);
	CHECK(same_picture(&late, pic, W, H, W));
	CHECK_EQ(late.frame, 2);
	free(late.px);
	free(f.d.px);
	rp_xenc_destroy(e);
}


/* A video-like picture for frame n: smooth colour with grain (many
 * colours: a photograph's, never text's). */
static void draw_video(uint32_t *px, size_t stride, uint32_t x0, uint32_t y0, uint32_t w,
		       uint32_t h, uint32_t n)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t r = (x * 2 + n * 9) & 0xff, g = (y * 2 + n * 5) & 0xff;
			uint32_t b = ((x + y) + n * 3 + (rnd() & 7)) & 0xff;
			px[(y0 + y) * stride + x0 + x] = r << 16 | g << 8 | b;
		}
}

/* Whether the desk has the host's pixels exactly inside a rectangle. */
static bool same_rect(const struct desk *d, const uint32_t *px, size_t stride, uint32_t x0,
		      uint32_t y0, uint32_t w, uint32_t h)
{
	for (uint32_t y = y0; y < y0 + h; y++)
		for (uint32_t x = x0; x < x0 + w; x++)
			if ((px[y * stride + x] & MASK) != d->px[(size_t)y * d->w + x])
				return false;
	return true;
}

/* A region that changes like video goes lossy (JPEG) after a few
 * frames, in fewer bytes than lossless; the text around it stays exact
 * all the while; once still, a refresh makes every pixel exact again,
 * also after the lossy pixels were scrolled elsewhere. */
static void encoder_video_lossy(void)
{
	enum { W = 448, H = 320, VX = 64, VY = 64, VW = 256, VH = 192 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(7, W, H);
	struct desk d = {.id = 7};
	struct rp_xrect video = {VX, VY, VW, VH};
	struct rp_xenc_stats st;
	size_t lossless = 0, lossy = 0, b0;
	uint32_t now = 1000;

	desk_resize(&d, W, H);
	rp_xenc_lossy(e, 70);
	draw_text(pic, W, W, H, 0);
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 0, desk_take, &d) > 0);
	CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
	for (uint32_t n = 0; n < 12; n++) {
		now += 40; /* 25 frames a second */
		draw_video(pic, W, VX, VY, VW, VH, n);
		rp_xenc_clock(e, now);
		b0 = d.bytes;
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, &video, 1, n, desk_take, &d) > 0);
		if (n < 4)
			lossless += d.bytes - b0;
		else if (n >= 8)
			lossy += d.bytes - b0;
		/* text never lossy: outside the video, exact */
		CHECK(same_rect(&d, pic, W, 0, 0, W, VY));
		CHECK(same_rect(&d, pic, W, 0, VY + VH, W, H - VY - VH));
	}
	rp_xenc_stats(e, &st);
	fprintf(stderr, "video: %zu bytes a frame lossless, %zu lossy; %llu JPEG tiles\n",
		lossless / 4, lossy / 4, (unsigned long long)st.tiles_jpeg);
	CHECK(st.tiles_jpeg > 0);
	CHECK(lossy / 4 < lossless / 4 / 2);
	CHECK(!same_rect(&d, pic, W, VX, VY, VW, VH)); /* it is lossy now */

	/* still: nothing due at once; due after the refresh delay */
	long in = rp_xenc_refresh_in(e, now);
	CHECK(in > 0);
	CHECK_EQ(rp_xenc_refresh(e, now, 20, desk_take, &d), 0);
	now += (uint32_t)in;
	CHECK_EQ(rp_xenc_refresh_in(e, now), 0);
	CHECK(rp_xenc_refresh(e, now, 20, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
	CHECK_EQ(d.ack, 20);

	/* lossy again, then the window scrolls up by 32 rows: the lossy
	 * pixels moved with the COPY are refreshed too */
	for (uint32_t n = 0; n < 10; n++) {
		now += 40;
		draw_video(pic, W, VX, VY, VW, VH, 100 + n);
		rp_xenc_clock(e, now);
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, &video, 1, 30 + n, desk_take, &d) > 0);
	}
	CHECK(rp_xenc_refresh_in(e, now) >= 0);
	memmove(pic, pic + 32 * W, (size_t)(H - 32) * W * 4);
	draw_text(pic + (H - 32) * W, W, W, 32, 99);
	now += 40;
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, 50, desk_take, &d) > 0);
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_copy > 0);
	now += 1000;
	CHECK(rp_xenc_refresh(e, now, 51, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
	CHECK_EQ(d.errors, 0);
	free(d.px);
	rp_xenc_destroy(e);
}

/* rp_xenc_refresh_in as kept (the oldest lossy tile's time) against a
 * scan of every tile, at now and later, after each step of: two videos
 * going lossy at different times, a refresh of the older one only, text
 * over part of the newer, a scroll moving lossy pixels, then a refresh of
 * all. Asked again and again while nothing changes, it scans no tile. */
static bool due_right(struct rp_xenc *e, uint32_t now)
{
	static const uint32_t later[] = {0, 1, 40, 199, 200, 500};
	bool ok = true;

	for (size_t i = 0; i < sizeof later / sizeof later[0]; i++) {
		long kept = rp_xenc_refresh_in(e, now + later[i]);
		long scan = rp_xenc_refresh_in_scan(e, now + later[i]);
		if (kept != scan) {
			fprintf(stderr, "refresh_in at now+%u: %ld, the scan says %ld\n", later[i],
				kept, scan);
			ok = false;
		}
	}
	return ok;
}

static void encoder_refresh_due(void)
{
	enum { W = 448, H = 320 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(9, W, H);
	struct desk d = {.id = 9};
	struct rp_xrect a = {64, 64, 128, 128}, b = {256, 64, 128, 128};
	struct rp_xenc_stats st;
	uint32_t now = 0xfffff000u; /* the clock wraps on the way */
	uint32_t seq = 0;

	desk_resize(&d, W, H);
	rp_xenc_lossy(e, 70);
	draw_text(pic, W, W, H, 0);
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, seq++, desk_take, &d) > 0);
	CHECK(due_right(e, now));
	CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
	/* video in a, then in b while a is still */
	for (uint32_t n = 0; n < 20; n++) {
		now += 40;
		struct rp_xrect *r = n < 10 ? &a : &b;
		draw_video(pic, W, r->x, r->y, r->w, r->h, n);
		rp_xenc_clock(e, now);
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, r, 1, seq++, desk_take, &d) > 0);
		CHECK(due_right(e, now));
	}
	rp_xenc_stats(e, &st);
	CHECK(st.tiles_jpeg > 0);
	/* a is due, b not yet: the refresh sends a, and b's time is next */
	long in = rp_xenc_refresh_in(e, now);
	CHECK_EQ(in, 0);
	CHECK(rp_xenc_refresh(e, now, seq++, desk_take, &d) > 0);
	CHECK(due_right(e, now));
	CHECK(rp_xenc_refresh_in(e, now) > 0);
	/* text over b's top row of tiles: those go lossless */
	now += 20;
	draw_text(pic + (size_t)b.y * W + b.x, W, (uint16_t)b.w, 32, 7);
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, &b, 1, seq++, desk_take, &d) > 0);
	CHECK(due_right(e, now));
	/* more video in b, then a scroll that moves its lossy pixels */
	for (uint32_t n = 0; n < 8; n++) {
		now += 40;
		draw_video(pic, W, b.x, b.y + 32, b.w, b.h - 32, 50 + n);
		rp_xenc_clock(e, now);
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, &b, 1, seq++, desk_take, &d) > 0);
		CHECK(due_right(e, now));
	}
	memmove(pic, pic + 32 * W, (size_t)(H - 32) * W * 4);
	draw_text(pic + (H - 32) * W, W, W, 32, 99);
	now += 40;
	rp_xenc_clock(e, now);
	CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, seq++, desk_take, &d) > 0);
	CHECK(due_right(e, now));
	/* idle: asking costs no scan of the tiles */
	rp_xenc_refresh_in(e, now);
	rp_xenc_stats(e, &st);
	uint64_t scans = st.due_scans;
	for (uint32_t k = 0; k < 1000; k++)
		rp_xenc_refresh_in(e, now + k % 300);
	rp_xenc_stats(e, &st);
	CHECK_EQ(st.due_scans, scans);
	/* all refreshed once due */
	now += 1000;
	CHECK(due_right(e, now));
	CHECK(rp_xenc_refresh(e, now, seq++, desk_take, &d) > 0);
	CHECK(same_picture(&d, pic, W, H, W));
	CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
	CHECK(due_right(e, now));
	CHECK_EQ(d.errors, 0);
	free(d.px);
	rp_xenc_destroy(e);
}

/* Never lossy: text that changes fast (a key held, a flood), and video
 * in a window whose desks did not all say they take JPEG. */
static void encoder_lossy_never(void)
{
	enum { W = 320, H = 256 };
	static uint32_t pic[W * H];
	struct rp_xenc_stats st;
	uint32_t now = 5;

	for (int round = 0; round < 2; round++) {
		struct rp_xenc *e = rp_xenc_create(8, W, H);
		struct desk d = {.id = 8};

		desk_resize(&d, W, H);
		rp_xenc_lossy(e, round == 0 ? 70 : 0);
		for (uint32_t n = 0; n < 30; n++) {
			now += 16; /* 60 a second */
			if (round == 0)
				draw_text(pic, W, W, H, n * 3 + 1); /* new text, every tile */
			else
				draw_video(pic, W, 0, 0, W, H, n);
			rp_xenc_clock(e, now);
			CHECK(rp_xenc_update(e, pic, W, H, W * 4, NULL, 0, n, desk_take, &d) > 0);
			CHECK(same_picture(&d, pic, W, H, W));
		}
		rp_xenc_stats(e, &st);
		CHECK_EQ(st.tiles_jpeg, 0);
		CHECK_EQ(rp_xenc_refresh_in(e, now), -1);
		CHECK_EQ(d.errors, 0);
		free(d.px);
		rp_xenc_destroy(e);
	}
}

/* JPEG ops the desk refuses: not a JPEG, and a JPEG of another size
 * than the op says. */
static void apply_refuses_jpeg(void)
{
	enum { W = 64, H = 64 };
	static uint32_t px[W * H], blk[32 * 32];
	struct ops o = {0};
	unsigned char *jpg = NULL;
	unsigned long jn = 0;
	char err[200];
	tjhandle tj = tjInitCompress();

	for (size_t i = 0; i < 32 * 32; i++)
		blk[i] = rnd() & MASK;
	CHECK(tj && tjCompress2(tj, (unsigned char *)blk, 32, 32 * 4, 32, TJPF_BGRX, &jpg, &jn,
				 TJSAMP_420, 80, 0) == 0);
	/* a good one applies */
	orect(&o, RP_XOP_JPEG, 8, 8, 32, 32);
	o32(&o, (uint32_t)jn);
	memcpy(o.b + o.n, jpg, jn);
	o.n += jn;
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), 0);
	/* said to be 16x16 */
	o.n = 0;
	orect(&o, RP_XOP_JPEG, 8, 8, 16, 16);
	o32(&o, (uint32_t)jn);
	memcpy(o.b + o.n, jpg, jn);
	o.n += jn;
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "JPEG") != NULL);
	fprintf(stderr, "(%s)\n", err);
	/* cut in its middle */
	o.n = 0;
	orect(&o, RP_XOP_JPEG, 8, 8, 32, 32);
	o32(&o, (uint32_t)jn / 2);
	memcpy(o.b + o.n, jpg, jn / 2);
	o.n += jn / 2;
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	/* garbage */
	o.n = 0;
	orect(&o, RP_XOP_JPEG, 0, 0, 32, 32);
	o32(&o, 100);
	for (int i = 0; i < 100; i++)
		o.b[o.n++] = (uint8_t)rnd();
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	tjFree(jpg);
	tjDestroy(tj);
}

/* ---- PALETTE ops ---- */

/* A PALETTE op of w x h indices (idx, one byte each) into n colours,
 * packed at the bits n takes, as PROTOCOL.md says. */
static void opalette(struct ops *o, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		     const uint32_t *pal, uint32_t n, const uint8_t *idx)
{
	unsigned bits = n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
	size_t rowb = (w * bits + 7) / 8;
	static uint8_t packed[65536], z[1 << 17];

	memset(packed, 0, rowb * h);
	for (uint32_t j = 0; j < h; j++)
		for (uint32_t i = 0; i < w; i++)
			packed[j * rowb + i * bits / 8] |=
				(uint8_t)(idx[j * w + i] << (8 - bits - (i * bits) % 8));
	size_t zn = ZSTD_compress(z, sizeof z, packed, rowb * h, 1);
	orect(o, RP_XOP_PALETTE, x, y, w, h);
	o8(o, n - 1);
	for (uint32_t k = 0; k < n; k++)
		o32(o, pal[k]);
	o32(o, (uint32_t)zn);
	memcpy(o->b + o->n, z, zn);
	o->n += zn;
}

/* Indices at 1, 2, 4 and 8 bits, rows of widths that end inside a byte,
 * applied as the reference puts the colours. */
static void apply_palette(void)
{
	enum { W = 90, H = 70, S = 96 };
	static uint32_t a[S * H], r[S * H];
	static uint8_t idx[W * H];
	static uint32_t pal[256];
	const uint32_t ns[] = {1, 2, 3, 4, 5, 16, 17, 200, 256};
	char err[200];

	for (size_t i = 0; i < S * H; i++)
		a[i] = r[i] = rnd();
	for (size_t t = 0; t < sizeof ns / sizeof ns[0]; t++) {
		struct ops o = {0};
		uint32_t n = ns[t], x = rnd() % 20, y = rnd() % 20;
		uint32_t w = 1 + rnd() % (W - x), h = 1 + rnd() % (H - y);
		for (uint32_t k = 0; k < n; k++)
			pal[k] = rnd() & MASK;
		for (uint32_t i = 0; i < w * h; i++)
			idx[i] = (uint8_t)(rnd() % n);
		opalette(&o, x, y, w, h, pal, n, idx);
		for (uint32_t j = 0; j < h; j++)
			for (uint32_t i = 0; i < w; i++)
				r[(y + j) * S + x + i] = pal[idx[j * w + i]];
		CHECK_EQ(rp_xpix_apply(o.b, o.n, a, W, H, S * 4, err, sizeof err), 0);
		if (memcmp(a, r, sizeof a)) {
			fprintf(stderr, "%u colours, %ux%u at %u,%u: not the reference's pixels\n",
				n, w, h, x, y);
			failures++;
		}
	}
}

static void apply_refuses_palette(void)
{
	enum { W = 64, H = 32 };
	static uint32_t px[W * H];
	static uint8_t idx[W * H];
	const uint32_t pal[5] = {0x00ffffff, 0, 0x00ff0000, 0x0000ff00, 0x000000ff};
	struct ops o = {0};
	char err[200];

	/* an index past the colours (3 colours take 2 bits: 3 is not one) */
	for (size_t i = 0; i < 16 * 16; i++)
		idx[i] = i == 77 ? 3 : (uint8_t)(i % 3);
	px[0] = 0x00123456;
	opalette(&o, 0, 0, 16, 16, pal, 3, idx);
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "index 3 of 3") != NULL);
	CHECK_EQ(px[0], 0x00123456); /* checked before a pixel is written */
	fprintf(stderr, "(%s)\n", err);
	/* said to be another size than its block */
	o.n = 0;
	idx[77] = 0;
	opalette(&o, 0, 0, 16, 16, pal, 3, idx);
	o.b[8] = 15; /* h */
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "decompress") != NULL);
	/* cut anywhere: in the head, the colours, the length, the block */
	o.b[8] = 16;
	for (size_t k = 1; k < o.n; k++)
		if (rp_xpix_apply(o.b, k, px, W, H, W * 4, err, sizeof err) != -EPROTO) {
			fprintf(stderr, "a PALETTE op cut to %zu bytes: not refused\n", k);
			failures++;
		}
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), 0);
	/* outside the window, an empty block, too many pixels */
	o.n = 0;
	opalette(&o, 60, 0, 16, 16, pal, 3, idx);
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	o.n = 0;
	orect(&o, RP_XOP_PALETTE, 0, 0, 4, 4);
	o8(&o, 0);
	o32(&o, 0);
	o32(&o, 0);
	CHECK_EQ(rp_xpix_apply(o.b, o.n, px, W, H, W * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "empty") != NULL);
	static uint32_t wide[300 * 300];
	o.n = 0;
	orect(&o, RP_XOP_PALETTE, 0, 0, 300, 220);
	o8(&o, 0);
	o32(&o, 0);
	o32(&o, 4);
	o32(&o, 0x28b52ffd);
	CHECK_EQ(rp_xpix_apply(o.b, o.n, wide, 300, 300, 300 * 4, err, sizeof err), -EPROTO);
	CHECK(strstr(err, "65536") != NULL);
}

/* xterm's picture: black glyphs on white in 6x13 cells, lines that
 * differ in a few cells (a counter), scrolled several lines an update:
 * every update exact, and the text sent as indices into its two colours
 * (a tenth of what the same tiles cost as lz4 of their pixels). */
static void encoder_text_palette(void)
{
	enum { W = 484, H = 316, CW = 6, CH = 13, COLS = 80, ROWS = 24 };
	static uint32_t pic[W * H];
	struct rp_xenc *e = rp_xenc_create(3, W, H);
	struct desk d = {.id = 3};
	struct rp_xenc_stats s0, s1;
	struct rp_xrect all = {0, 0, W, H};
	uint32_t first = 0;

	desk_resize(&d, W, H);
	rp_xenc_palette(e, true);
	for (int round = 0; round <= 30; round++) {
		for (size_t i = 0; i < (size_t)W * H; i++)
			pic[i] = 0x00ffffff | (rnd() & 0xff000000);
		for (uint32_t row = 0; row < ROWS; row++)
			for (uint32_t col = 0; col < COLS; col++) {
				/* the line's number in its cells 5..12, the rest
				 * the same glyph on every line */
				uint32_t line = first + row, ch = col;
				if (col >= 5 && col < 13) {
					uint32_t div = 1;
					for (uint32_t k = col; k < 12; k++)
						div *= 10;
					ch = 100 + (line / div) % 10;
				}
				for (uint32_t y = 0; y < CH; y++)
					for (uint32_t x = 0; x < CW; x++) {
						uint32_t bits = (ch * 2654435761u) >> (y % 8 * 3);
						if (y > 1 && y < 11 && x && ((bits >> x) & 1))
							pic[(2 + row * CH + y) * W + 2 + col * CW + x] = 0;
					}
			}
		CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, (uint32_t)round, desk_take, &d) >
		      0);
		if (!same_picture(&d, pic, W, H, W)) {
			fprintf(stderr, "round %d\n", round);
			failures++;
			break;
		}
		if (round == 0)
			rp_xenc_stats(e, &s0);
		first += 1 + rnd() % 20;
	}
	rp_xenc_stats(e, &s1);
	fprintf(stderr, "xterm-like text: first picture %llu bytes, 30 updates %llu bytes, "
			"palette tiles %llu\n",
		(unsigned long long)s0.bytes, (unsigned long long)(s1.bytes - s0.bytes),
		(unsigned long long)s1.tiles_palette);
	CHECK(s1.tiles_palette > 0);
	CHECK(s1.bytes_op[RP_XOP_LZ4] + s1.bytes_op[RP_XOP_ZSTD] + s1.bytes_op[RP_XOP_RAW] == 0);
	CHECK(s1.bytes - s0.bytes < 30 * 400);
	CHECK_EQ(d.errors, 0);
	free(d.px);
	rp_xenc_destroy(e);
}

/* PALETTE only for desks that said RP_CAP_XPALETTE: with it off (the
 * default) text goes as lz4/zstd, no op 7 at all, and the desk's picture
 * is the same; on, the same updates use it. */
static void encoder_palette_needs_cap(void)
{
	enum { W = 300, H = 200 };
	static uint32_t pic[W * H];
	struct rp_xrect all = {0, 0, W, H};

	for (int on = 0; on <= 1; on++) {
		struct rp_xenc *e = rp_xenc_create(7, W, H);
		struct desk d = {.id = 7};
		struct rp_xenc_stats st;

		CHECK(e != NULL);
		desk_resize(&d, W, H);
		if (on)
			rp_xenc_palette(e, true);
		for (uint32_t round = 0; round < 10; round++) {
			draw_text(pic, W, W, H, round * 3);
			CHECK(rp_xenc_update(e, pic, W, H, W * 4, &all, 1, round, desk_take, &d) > 0);
			CHECK(same_picture(&d, pic, W, H, W));
		}
		rp_xenc_keyframe(e, 10, desk_take, &d);
		CHECK(same_picture(&d, pic, W, H, W));
		rp_xenc_stats(e, &st);
		if (on) {
			CHECK(st.tiles_palette > 0);
			CHECK(st.bytes_op[RP_XOP_PALETTE] > 0);
		} else {
			CHECK_EQ(st.tiles_palette, 0);
			CHECK_EQ(st.bytes_op[RP_XOP_PALETTE], 0);
			CHECK(st.bytes_op[RP_XOP_LZ4] + st.bytes_op[RP_XOP_ZSTD] > 0);
		}
		CHECK_EQ(d.errors, 0);
		free(d.px);
		rp_xenc_destroy(e);
	}
}

/* XOUTPUT: both streams round trip with their offset, anything else
 * and too many bytes are refused; a desk prints each byte once: bytes it
 * has (sent again by a resume) are skipped, a gap is counted. */
static void xoutput(void)
{
	static uint8_t big[RP_XOUTPUT_MAX + 1];
	struct rp_xoutput o = {.stream = RP_XOUT_STDERR, .offset = 0x123456789ull,
			       .p = (const uint8_t *)"err\n", .n = 4},
			  o2;
	const uint8_t *p;
	size_t n;

	p = payload_of(rp_xoutput_frame(frame, sizeof frame, 7, &o), RP_XOUTPUT, &n);
	CHECK_EQ(rp_xoutput_decode(p, n, &o2), 0);
	CHECK_EQ(o2.stream, RP_XOUT_STDERR);
	CHECK(o2.offset == 0x123456789ull);
	CHECK(o2.n == 4 && !memcmp(o2.p, "err\n", 4));
	o = (struct rp_xoutput){.stream = RP_XOUT_STDOUT, .p = big, .n = RP_XOUTPUT_MAX};
	p = payload_of(rp_xoutput_frame(frame, sizeof frame, 7, &o), RP_XOUTPUT, &n);
	CHECK_EQ(rp_xoutput_decode(p, n, &o2), 0);
	CHECK_EQ(o2.n, RP_XOUTPUT_MAX);
	for (size_t k = 0; k < 9; k++) /* cut in its head */
		CHECK_EQ(rp_xoutput_decode(p, k, &o2), -EPROTO);
	o.n = RP_XOUTPUT_MAX + 1;
	CHECK_EQ(rp_xoutput_frame(frame, sizeof frame, 7, &o), -EINVAL);
	o.n = 0;
	o.stream = 3;
	CHECK_EQ(rp_xoutput_frame(frame, sizeof frame, 7, &o), -EINVAL);
	uint8_t bad[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 'x'};
	CHECK_EQ(rp_xoutput_decode(bad, sizeof bad, &o2), -EPROTO);
	bad[0] = 3;
	CHECK_EQ(rp_xoutput_decode(bad, sizeof bad, &o2), -EPROTO);
	static uint8_t over[9 + RP_XOUTPUT_MAX + 1] = {RP_XOUT_STDOUT};
	CHECK_EQ(rp_xoutput_decode(over, sizeof over - 1, &o2), 0);
	CHECK_EQ(rp_xoutput_decode(over, sizeof over, &o2), -EPROTO); /* a byte past the bound */

	/* Placing: in order, again (whole and in part), after a gap. */
	uint64_t got = 0, gap = 99;
	o = (struct rp_xoutput){.stream = RP_XOUT_STDOUT, .offset = 0, .p = big, .n = 10};
	CHECK_EQ(rp_xoutput_place(&got, &o, &gap), 0);
	CHECK(got == 10 && gap == 0);
	CHECK_EQ(rp_xoutput_place(&got, &o, &gap), 10); /* all had: none printed */
	CHECK(got == 10 && gap == 0);
	o.offset = 4;
	CHECK_EQ(rp_xoutput_place(&got, &o, &gap), 6); /* its first 6 had */
	CHECK(got == 14 && gap == 0);
	o.offset = 20;
	o.n = 0; /* the stream's end, after bytes let go */
	CHECK_EQ(rp_xoutput_place(&got, &o, &gap), 0);
	CHECK(got == 20 && gap == 6);
	o.offset = UINT64_MAX; /* garbage: nothing printed past it */
	o.n = 5;
	CHECK_EQ(rp_xoutput_place(&got, &o, &gap), 5);
	CHECK(got == 20);
}

static const struct unit_case cases[] = {
	{"xoutput", xoutput},
	{"messages-round-trip", messages_round_trip},
	{"decoders-refuse", decoders_refuse},
	{"chunks-reassemble", chunks_reassemble},
	{"apply-matches-reference", apply_matches_reference},
	{"apply-refuses", apply_refuses},
	{"encoder-round-trip", encoder_round_trip},
	{"encoder-scroll", encoder_scroll},
	{"encoder-big-and-solid", encoder_big_and_solid},
	{"encoder-small-change", encoder_small_change},
	{"encoder-small-updates", encoder_small_updates},
	{"encoder-first-black", encoder_first_black},
	{"encoder-emit-fails", encoder_emit_fails},
	{"encoder-video-lossy", encoder_video_lossy},
	{"encoder-lossy-never", encoder_lossy_never},
	{"encoder-refresh-due", encoder_refresh_due},
	{"apply-refuses-jpeg", apply_refuses_jpeg},
	{"apply-palette", apply_palette},
	{"apply-refuses-palette", apply_refuses_palette},
	{"encoder-text-palette", encoder_text_palette},
	{"encoder-palette-needs-cap", encoder_palette_needs_cap},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
