/* libFuzzer target: what X programs hand telly's window manager and
 * clipboards (xdisplay/xd_prop.c): window properties, selection data,
 * MULTIPLE's pairs, cursor images, configure requests; and a desk
 * program's clipboard text.
 *
 * Input: byte 0 the property's format (its low two bits: 8, 16, 32, or
 * a bad one), byte 1 its type (its low three bits: one of the atoms the
 * readers know, or another), byte 2 bit 0 whether it was cut by the read;
 * the rest its value (a format 32 or 16 value is the bytes as they come,
 * a length not a multiple of the unit included). The same bytes go to
 * every reader. Checks beyond the sanitizers: every text handed on is
 * valid UTF-8 within its room, and a name has no controls; sizes within
 * their bound; a window or atom named is one of the value's words;
 * pairs are an even number of the value's words; a cursor kept is 1..max
 * a side with its hot spot inside; a configure grants only the bits and
 * values allowed; the bytes as an X-Resource QueryClients reply (its
 * length set to what they hold, as xcb's is) count no more clients than
 * it holds. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xd.h"
#include "xd_prop.h"

static const struct xd_prop_atoms at = {
	.utf8_string = 300, .compound_text = 301, .text = 302, .incr = 303,
	.atom_pair = 304,
};

static void name_ok(const char *s, size_t n, size_t cap, bool ctl)
{
	assert(n < cap && strlen(s) == n);
	assert(xd_prop_utf8_valid((const uint8_t *)s, n));
	for (size_t i = 0; !ctl && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		assert(c >= 0x20 && c != 0x7f);
		assert(!(c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] < 0xa0));
	}
}

static bool has_word(const struct xd_prop *p, uint32_t w)
{
	for (size_t i = 0; i + 4 <= p->len; i += 4)
		if (!memcmp((const uint8_t *)p->value + i, &w, 4))
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t formats[4] = {8, 16, 32, 7};
	static const uint32_t types[8] = {300, XD_ATOM_STRING, 301, 302, 303, 304,
					  XD_ATOM_ATOM, XD_ATOM_WINDOW};
	char t[257];
	size_t n;

	if (size < 3)
		return 0;
	/* A copy of the value alone: a read past it is ASan's to see. */
	size_t vn = size - 3;
	uint8_t *v = malloc(vn ? vn : 1);
	memcpy(v, data + 3, vn);
	struct xd_prop p = {.type = data[1] & 8 ? XD_ATOM_WM_SIZE_HINTS : types[data[1] & 7],
			    .format = formats[data[0] & 3],
			    .value = v,
			    .len = vn,
			    .truncated = data[2] & 1};
	if (data[1] & 16)
		p.type = data[1]; /* another atom, or None */

	for (int net = 0; net < 2; net++) {
		n = xd_prop_name(t, sizeof t, &p, &at, net);
		name_ok(t, n, sizeof t, false);
	}
	n = xd_prop_class(t, sizeof t, &p);
	name_ok(t, n, sizeof t, false);
	for (unsigned f = 0; f < 8; f++) {
		char small[7];
		n = xd_prop_text(small, sizeof small, v, vn, f);
		name_ok(small, n, sizeof small, f & XD_TEXT_KEEP_CTL);
	}

	struct xd_size_hints h;
	if (xd_prop_size_hints(&p, 8192, &h)) {
		assert(p.format == 32 && p.len >= 60);
		assert(h.size.min_w <= 8192 && h.size.min_h <= 8192 && h.size.max_w <= 8192 && h.size.max_h <= 8192);
		assert(h.size.inc_w <= 8192 && h.size.inc_h <= 8192 && h.size.base_w <= 8192 && h.size.base_h <= 8192);
		assert(!h.size.max_w || h.size.max_w >= h.size.min_w);
		assert(!h.size.max_h || h.size.max_h >= h.size.min_h);
	} else {
		assert(!h.sizes && !h.positioned && !h.size.min_w && !h.size.max_h && !h.size.base_w);
	}
	if (xd_prop_undecorated(&p))
		assert(p.format == 32 && p.len >= 12 && (v[0] & 2) && !v[8] && !v[9] && !v[10] && !v[11]);
	uint32_t win = xd_prop_window(&p);
	assert(!win || (p.format == 32 && has_word(&p, win)));
	if (vn >= 4) {
		uint32_t a;
		memcpy(&a, v + (size_t)(data[2] >> 1) % (vn / 4) * 4, 4);
		if (xd_prop_has_atom(&p, a, XD_PROP_PROTOCOLS_MAX))
			assert(a && p.format == 32 && p.type == XD_ATOM_ATOM && has_word(&p, a));
	}

	static uint32_t pairs[2 * XD_PROP_PAIRS_MAX];
	n = xd_prop_pairs(&p, &at, pairs);
	assert(n % 2 == 0 && n <= 2 * XD_PROP_PAIRS_MAX && n * 4 <= p.len);
	assert(!n || !memcmp(pairs, v, n * 4));

	enum xd_sel_kind kind = xd_prop_sel_kind(&p, &at);
	assert(kind != XD_SEL_UTF8 || (p.format == 8 && p.type == 300));
	if (kind == XD_SEL_UTF8 || kind == XD_SEL_LATIN1) {
		char *s = xd_prop_sel_text(v, vn, kind, &n);
		assert(s);
		name_ok(s, n, kind == XD_SEL_LATIN1 ? 2 * vn + 1 : vn + 1, true);
		free(s);
	}
	char *d = xd_prop_desk_text(v, vn, &n);
	assert(d);
	name_ok(d, n, 2 * vn + 1, true);
	if (xd_prop_utf8_valid(v, vn))
		assert(n == vn && !memcmp(d, v, vn));
	free(d);

	/* The first 16 bytes as a cursor's and a configure request's fields. */
	uint8_t f[16] = {0};
	memcpy(f, v, vn < sizeof f ? vn : sizeof f);
	uint32_t cw = (uint32_t)f[0] << 8 | f[1], ch = (uint32_t)f[2] << 8 | f[3];
	size_t cn = data[0] & 4 ? (size_t)cw * ch : (size_t)f[4] << 8 | f[5];
	struct xd_prop_cursor c;
	if (xd_prop_cursor(cw, ch, f[6], f[7], cn, XD_CURSOR_MAX_DIM, &c)) {
		assert(c.w >= 1 && c.w <= XD_CURSOR_MAX_DIM && c.h >= 1 &&
		       c.h <= XD_CURSOR_MAX_DIM && c.xhot < c.w && c.yhot < c.h &&
		       cn == (size_t)c.w * c.h);
		/* Made smaller to fit max pixels: within it, the hot spot on it;
		 * the image is the value's words, repeated. */
		static uint32_t img[XD_CURSOR_MAX_DIM * XD_CURSOR_MAX_DIM],
			fit[XD_CURSOR_MAX_DIM * XD_CURSOR_MAX_DIM];
		size_t max = 1 + ((size_t)f[8] << 8 | f[9]) % cn;
		for (size_t i = 0; i < cn; i++)
			img[i] = vn >= 4 ? (uint32_t)v[i % (vn - 3)] << 24 | v[(i + 1) % vn] : (uint32_t)i;
		struct xd_prop_cursor s = c;
		if (xd_prop_cursor_fit(&s, img, max, fit))
			assert(s.w >= 1 && s.h >= 1 && (size_t)s.w * s.h <= max && s.w <= c.w &&
			       s.h <= c.h && s.xhot < s.w && s.yhot < s.h);
		else
			assert(cn <= max);
	}
	struct xd_cfg_req r;
	memcpy(&r.mask, f, 2);
	memcpy(&r.x, f + 2, 2);
	memcpy(&r.y, f + 4, 2);
	memcpy(&r.w, f + 6, 2);
	memcpy(&r.h, f + 8, 2);
	memcpy(&r.bw, f + 10, 2);
	memcpy(&r.sibling, f + 12, 4);
	r.stack_mode = data[2] >> 4;
	uint32_t cv[7];
	uint16_t m = xd_prop_configure(&r, 8192, cv);
	assert(!(m & ~0x6fu) && !(m & ~r.mask));
	int k = 0;
	if (m & 1)
		assert(cv[k++] == (uint32_t)(int32_t)r.x);
	if (m & 2)
		assert(cv[k++] == (uint32_t)(int32_t)r.y);
	if (m & 4)
		assert(cv[k] >= 1 && cv[k] <= 8192), k++;
	if (m & 8)
		assert(cv[k] >= 1 && cv[k] <= 8192), k++;
	if (m & 32)
		assert((m & 64) && cv[k++] == r.sibling);
	if (m & 64)
		assert(cv[k] <= 4), k++;
	/* The same bytes as X-Resource's QueryClients reply, as xcb hands
	 * it (its length the units past 32 the bytes hold; its count as they
	 * say): no more clients counted than it holds, none read past it. */
	if (size >= 32) {
		uint32_t units = (uint32_t)((size - 32) / 4);
		xcb_res_query_clients_reply_t *xr = malloc(32 + 4 * (size_t)units);
		assert(xr);
		memcpy(xr, data, 32 + 4 * (size_t)units);
		xr->length = units;
		struct xd_xres_client cl[8];
		unsigned nc = xd_prop_xres_clients(xr, 0x200000, cl, 8);
		assert(nc <= units / 2);
		uint32_t ids[16];
		unsigned nids = size / 4 < 16 ? (unsigned)(size / 4) : 16;
		memcpy(ids, data, nids * 4);
		unsigned kept = nc < 8 ? nc : 8;
		xd_prop_xres_sort(cl, kept);
		for (unsigned i = 1; i < kept; i++)
			assert(cl[i - 1].base <= cl[i].base);
		for (unsigned k = 0; k < nids; k++) {
			int at = xd_prop_xres_maker(cl, kept, ids[k]);
			assert(at < (int)kept);
			assert(at < 0 || (ids[k] & ~cl[at].mask) == cl[at].base);
		}
		free(xr);
	}
	free(v);
	return 0;
}
