/* What X programs hand a window manager and a clipboard, read as plain
 * functions (xd_prop.h). */
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "xd_prop.h"

/* X11's configure value mask bits, in the order of their values. */
enum { CFG_X = 1, CFG_Y = 2, CFG_W = 4, CFG_H = 8, CFG_BW = 16, CFG_SIBLING = 32, CFG_STACK = 64 };

/* The length of the valid UTF-8 sequence at s[0] (n > 0 bytes there) and
 * its code point, or 0: not one (overlong, a surrogate, past U+10FFFF,
 * cut short). */
static size_t utf8_one(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t c = s[0];
	size_t need = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3
		     : c >= 0xf0 && c < 0xf5 ? 4 : 0;
	uint32_t v = need == 1 ? c : need == 2 ? c & 0x1fu : need == 3 ? c & 0x0fu : c & 0x07u;

	if (!need || need > n)
		return 0;
	for (size_t k = 1; k < need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[k] & 0x3fu);
	}
	if ((need == 3 && v < 0x800) || (need == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return need;
}

/* Whether s[0..n) is a valid UTF-8 sequence's beginning cut by the end. */
static bool utf8_cut(const uint8_t *s, size_t n)
{
	size_t need = s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
		     : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;

	if (!need || n >= need)
		return false;
	for (size_t k = 1; k < n; k++)
		if ((s[k] & 0xc0) != 0x80)
			return false;
	return true;
}

size_t xd_prop_text(char *dst, size_t cap, const uint8_t *s, size_t n, unsigned flags)
{
	size_t o = 0;

	if (!cap)
		return 0;
	for (size_t i = 0; i < n && s[i];) {
		uint32_t cp = s[i];
		size_t len = 1;
		if (!(flags & XD_TEXT_LATIN1) && cp >= 0x80) {
			if ((flags & XD_TEXT_CUT) && utf8_cut(s + i, n - i))
				break; /* the rest of it was not read */
			if (!(len = utf8_one(s + i, n - i, &cp))) {
				len = 1;
				cp = '?';
			}
		}
		i += len;
		if (!(flags & XD_TEXT_KEEP_CTL) && (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)))
			cp = ' ';
		uint8_t out[4];
		size_t k = base_utf8_encode(cp, out);
		if (o + k >= cap)
			break;
		memcpy(dst + o, out, k);
		o += k;
	}
	dst[o] = 0;
	return o;
}

bool xd_prop_utf8_valid(const uint8_t *s, size_t n)
{
	for (size_t i = 0, k; i < n; i += k) {
		uint32_t cp;
		if (!s[i] || !(k = utf8_one(s + i, n - i, &cp)))
			return false;
	}
	return true;
}

/* An 8-bit property's bytes, or none. */
static size_t bytes8(const struct xd_prop *p, const uint8_t **v)
{
	*v = p ? p->value : NULL;
	return p && p->value && p->format == 8 && p->type ? p->len : 0;
}

/* A format 32 property's words of type (0: any type). */
static size_t words32(const struct xd_prop *p, uint32_t type)
{
	if (!p || !p->value || p->format != 32 || !p->type || (type && p->type != type))
		return 0;
	return p->len / 4;
}

static uint32_t word(const struct xd_prop *p, size_t i)
{
	uint32_t w;
	memcpy(&w, (const uint8_t *)p->value + 4 * i, 4);
	return w;
}

size_t xd_prop_name(char *dst, size_t cap, const struct xd_prop *p, const struct xd_prop_atoms *a,
		    bool net)
{
	const uint8_t *v;
	size_t n = bytes8(p, &v);
	bool utf8 = n && a->utf8_string && p->type == a->utf8_string;
	bool latin1 = n && !net &&
		      (p->type == XD_ATOM_STRING || (a->text && p->type == a->text) ||
		       (a->compound_text && p->type == a->compound_text));
	unsigned cut = p && p->truncated ? XD_TEXT_CUT : 0;

	if (!cap)
		return 0;
	if (!utf8 && !latin1) {
		dst[0] = 0;
		return 0;
	}
	return xd_prop_text(dst, cap, v, n, (latin1 ? XD_TEXT_LATIN1 : 0) | cut);
}

size_t xd_prop_class(char *dst, size_t cap, const struct xd_prop *p)
{
	const uint8_t *v;
	size_t n = bytes8(p, &v);
	const uint8_t *nul = n ? memchr(v, 0, n) : NULL;
	const uint8_t *cls = nul && (size_t)(nul - v) + 1 < n ? nul + 1 : NULL;

	if (!cap)
		return 0;
	if (cls && *cls)
		return xd_prop_text(dst, cap, cls, n - (size_t)(cls - v), XD_TEXT_LATIN1);
	return xd_prop_text(dst, cap, v, n, XD_TEXT_LATIN1);
}

bool xd_prop_size_hints(const struct xd_prop *p, uint16_t max_dim, struct xd_size_hints *h)
{
	/* flags, x, y, w, h (obsolete), min, max, inc, min and max aspect,
	 * base, gravity: 18 words; 15 before ICCCM 1.0. */
	size_t n = words32(p, 0);
	uint32_t f;

	*h = (struct xd_size_hints){0};
	if (n < 15)
		return false;
	f = word(p, 0);
#define DIM(i) ((int32_t)word(p, i) < 0 ? 0 : word(p, i) > max_dim ? max_dim : (uint16_t)word(p, i))
	if (f & XD_P_MIN_SIZE) {
		h->size.min_w = DIM(5);
		h->size.min_h = DIM(6);
	}
	if (f & XD_P_MAX_SIZE) {
		h->size.max_w = DIM(7);
		h->size.max_h = DIM(8);
	}
	if (f & XD_P_RESIZE_INC) {
		h->size.inc_w = DIM(9);
		h->size.inc_h = DIM(10);
	}
	if ((f & XD_P_BASE_SIZE) && n >= 17) {
		h->size.base_w = DIM(15);
		h->size.base_h = DIM(16);
	}
#undef DIM
	/* A maximum below the minimum (a program's mistake) is the minimum:
	 * the window has that size, not none. */
	if (h->size.max_w && h->size.max_w < h->size.min_w)
		h->size.max_w = h->size.min_w;
	if (h->size.max_h && h->size.max_h < h->size.min_h)
		h->size.max_h = h->size.min_h;
	h->sizes = (f & (XD_P_MIN_SIZE | XD_P_MAX_SIZE | XD_P_RESIZE_INC | XD_P_BASE_SIZE)) != 0;
	h->positioned = (f & (XD_US_POSITION | XD_P_POSITION)) != 0;
	return true;
}

uint32_t xd_prop_window(const struct xd_prop *p)
{
	return words32(p, XD_ATOM_WINDOW) ? word(p, 0) : 0;
}

bool xd_prop_undecorated(const struct xd_prop *p)
{
	return words32(p, 0) >= 3 && (word(p, 0) & 2) && word(p, 2) == 0;
}

bool xd_prop_has_atom(const struct xd_prop *p, uint32_t atom, size_t max)
{
	size_t n = words32(p, XD_ATOM_ATOM);

	for (size_t i = 0; atom && i < n && i < max; i++)
		if (word(p, i) == atom)
			return true;
	return false;
}

size_t xd_prop_pairs(const struct xd_prop *p, const struct xd_prop_atoms *a, uint32_t *pairs)
{
	size_t n = p && (p->type == XD_ATOM_ATOM || (a->atom_pair && p->type == a->atom_pair)) &&
				   !p->truncated
			   ? words32(p, 0)
			   : 0;

	if (!n || n % 2 || n > 2 * XD_PROP_PAIRS_MAX)
		return 0;
	memcpy(pairs, p->value, n * 4);
	return n;
}

enum xd_sel_kind xd_prop_sel_kind(const struct xd_prop *p, const struct xd_prop_atoms *a)
{
	if (!p || !p->type)
		return XD_SEL_REFUSED;
	if (a->incr && p->type == a->incr)
		return XD_SEL_INCR;
	if (p->format != 8)
		return XD_SEL_REFUSED;
	if (a->utf8_string && p->type == a->utf8_string)
		return XD_SEL_UTF8;
	if (p->type == XD_ATOM_STRING || (a->text && p->type == a->text) ||
	    (a->compound_text && p->type == a->compound_text))
		return XD_SEL_LATIN1;
	return XD_SEL_REFUSED;
}

char *xd_prop_sel_text(const uint8_t *s, size_t n, enum xd_sel_kind kind, size_t *out_n)
{
	/* Latin-1 takes up to two bytes a character in UTF-8; from UTF-8,
	 * a bad byte becomes one ('?'), a valid character its own. */
	size_t cap = kind == XD_SEL_LATIN1 ? n * 2 + 1 : n + 1;
	char *t;

	*out_n = 0;
	if (n > (SIZE_MAX - 1) / 2 || !(t = malloc(cap)))
		return NULL;
	*out_n = xd_prop_text(t, cap, s, n,
			      XD_TEXT_KEEP_CTL | (kind == XD_SEL_LATIN1 ? XD_TEXT_LATIN1 : 0));
	return t;
}

char *xd_prop_desk_text(const uint8_t *s, size_t n, size_t *out_n)
{
	return xd_prop_sel_text(s, n, xd_prop_utf8_valid(s, n) ? XD_SEL_UTF8 : XD_SEL_LATIN1,
				out_n);
}

bool xd_prop_cursor(uint32_t w, uint32_t h, uint32_t xhot, uint32_t yhot, size_t n,
		    uint16_t max_dim, struct xd_prop_cursor *out)
{
	if (!w || !h || w > max_dim || h > max_dim || n != (size_t)w * h)
		return false;
	out->w = (uint16_t)w;
	out->h = (uint16_t)h;
	out->xhot = xhot < w ? (uint16_t)xhot : 0;
	out->yhot = yhot < h ? (uint16_t)yhot : 0;
	return true;
}

bool xd_prop_cursor_fit(struct xd_prop_cursor *c, const uint32_t *argb, size_t max_px,
			uint32_t *dst)
{
	size_t w = c->w, h = c->h, dw = w, dh = h;

	if (!w || !h || w * h <= max_px || !max_px)
		return false;
	/* The largest size of the same shape that fits: each side scaled by
	 * the same fraction, rounded down, at least 1. */
	while (dw * dh > max_px) {
		if ((dw * h >= dh * w && dw > 1) || dh == 1) /* (the wider side first) */
			dw--;
		else
			dh--;
	}
	for (size_t y = 0; y < dh; y++) {
		size_t y0 = y * h / dh, y1 = (y + 1) * h / dh;
		for (size_t x = 0; x < dw; x++) {
			size_t x0 = x * w / dw, x1 = (x + 1) * w / dw;
			uint64_t sum[4] = {0}, n = (uint64_t)(x1 - x0) * (y1 - y0);
			for (size_t sy = y0; sy < y1; sy++)
				for (size_t sx = x0; sx < x1; sx++) {
					uint32_t p = argb[sy * w + sx];
					for (int k = 0; k < 4; k++)
						sum[k] += p >> (8 * k) & 0xffu;
				}
			uint32_t o = 0;
			for (int k = 0; k < 4; k++)
				o |= (uint32_t)((sum[k] + n / 2) / n) << (8 * k);
			dst[y * dw + x] = o;
		}
	}
	c->xhot = (uint16_t)(c->xhot * dw / w);
	c->yhot = (uint16_t)(c->yhot * dh / h);
	c->w = (uint16_t)dw;
	c->h = (uint16_t)dh;
	return true;
}

uint16_t xd_prop_configure(const struct xd_cfg_req *r, uint16_t max_dim, uint32_t v[7])
{
	uint16_t mask = 0;
	int n = 0;
	bool stack = (r->mask & CFG_STACK) && r->stack_mode <= 4;

	/* Granted as asked: the program knows its size best; the desk
	 * follows (XWIN), and its own resizes come back as XCONFIGURE. */
	if (r->mask & CFG_X) {
		mask |= CFG_X;
		v[n++] = (uint32_t)(int32_t)r->x;
	}
	if (r->mask & CFG_Y) {
		mask |= CFG_Y;
		v[n++] = (uint32_t)(int32_t)r->y;
	}
	if (r->mask & CFG_W) {
		mask |= CFG_W;
		v[n++] = r->w < 1 ? 1 : r->w > max_dim ? max_dim : r->w;
	}
	if (r->mask & CFG_H) {
		mask |= CFG_H;
		v[n++] = r->h < 1 ? 1 : r->h > max_dim ? max_dim : r->h;
	}
	/* (No border: the desk draws the frame.) A sibling without a stack
	 * mode is BadMatch, a stack mode past Opposite BadValue. */
	if (stack && (r->mask & CFG_SIBLING) && r->sibling) {
		mask |= CFG_SIBLING;
		v[n++] = r->sibling;
	}
	if (stack) {
		mask |= CFG_STACK;
		v[n++] = r->stack_mode;
	}
	return mask;
}

unsigned xd_prop_xres_clients(const xcb_res_query_clients_reply_t *r, uint32_t own,
			      struct xd_xres_client *out, unsigned max)
{
	xcb_res_client_iterator_t it = xcb_res_query_clients_clients_iterator(r);
	unsigned others = 0;

	/* xcb takes the count as the server says it, not bounded by the
	 * reply's length; a client is 2 units of it. */
	if (it.rem < 0 || (uint32_t)it.rem > r->length / 2)
		it.rem = (int)(r->length / 2);
	for (; it.rem > 0; xcb_res_client_next(&it)) {
		if (!it.data->resource_base || it.data->resource_base == own)
			continue;
		if (out && others < max)
			out[others] = (struct xd_xres_client){.base = it.data->resource_base,
							       .mask = it.data->resource_mask};
		others++;
	}
	return others;
}

static int by_base(const void *a, const void *b)
{
	uint32_t x = ((const struct xd_xres_client *)a)->base;
	uint32_t y = ((const struct xd_xres_client *)b)->base;

	return x < y ? -1 : x > y;
}

void xd_prop_xres_sort(struct xd_xres_client *c, unsigned n)
{
	qsort(c, n, sizeof *c, by_base);
}

int xd_prop_xres_maker(const struct xd_xres_client *c, unsigned n, uint32_t id)
{
	unsigned lo = 0, hi = n;

	/* Its maker's base is the greatest not above it, if the id is
	 * within that client's mask. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (c[mid].base <= id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && (id & ~c[lo - 1].mask) == c[lo - 1].base ? (int)lo - 1 : -1;
}
