/* xdisplay/xd_prop.c: what X programs hand telly's window manager and
 * clipboards, good and malformed, read as plain functions. */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "xd_prop.h"

#define UTF8 300u
#define CTEXT 301u
#define TEXT 302u
#define INCR 303u
#define PAIR 304u
#define DELETE 306u
#define OTHER 400u

static const struct xd_prop_atoms at = {
	.utf8_string = UTF8, .compound_text = CTEXT, .text = TEXT, .incr = INCR,
	.atom_pair = PAIR,
};

static struct xd_prop p8(uint32_t type, const char *s, size_t n)
{
	return (struct xd_prop){.type = type, .format = 8, .value = s, .len = n};
}

static struct xd_prop p32(uint32_t type, const uint32_t *w, size_t words)
{
	return (struct xd_prop){.type = type, .format = 32, .value = w, .len = words * 4};
}

/* Whether s is valid UTF-8 with no controls (what a title may be). */
static bool clean(const char *s)
{
	if (!xd_prop_utf8_valid((const uint8_t *)s, strlen(s)))
		return false;
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c < 0x20 || *c == 0x7f || (c[0] == 0xc2 && c[1] >= 0x80 && c[1] < 0xa0))
			return false;
	return true;
}

static void test_text(void)
{
	static const struct {
		const char *in;
		size_t n;
		unsigned flags;
		const char *out;
	} cases[] = {
		{"plain", 5, 0, "plain"},
		{"caf\xc3\xa9", 5, 0, "caf\xc3\xa9"},
		{"caf\xe9", 4, 0, "caf?"},				 /* Latin-1 read as UTF-8 */
		{"caf\xe9", 4, XD_TEXT_LATIN1, "caf\xc3\xa9"},		 /* as Latin-1 */
		{"\xc0\xaf", 2, 0, "??"},				 /* overlong '/' */
		{"\xe0\x80\xaf", 3, 0, "???"},				 /* overlong, 3 bytes */
		{"\xed\xa0\x80", 3, 0, "???"},				 /* a surrogate */
		{"\xf4\x90\x80\x80", 4, 0, "????"},			 /* past U+10FFFF */
		{"\xf0\x9f\x98\x80", 4, 0, "\xf0\x9f\x98\x80"},		 /* an emoji */
		{"a\xe2\x82", 3, 0, "a??"},				 /* cut: bad */
		{"a\xe2\x82", 3, XD_TEXT_CUT, "a"},			 /* cut by the read: dropped */
		{"a\xe2\x82z", 4, XD_TEXT_CUT, "a??z"},			 /* bad inside */
		{"a\tb\nc\x1b[31m\x7f", 11, 0, "a b c [31m "},		 /* controls */
		{"a\tb\nc", 5, XD_TEXT_KEEP_CTL, "a\tb\nc"},
		{"\xc2\x85x", 3, 0, " x"},				 /* C1 */
		{"\x85x", 2, XD_TEXT_LATIN1, " x"},			 /* C1 in Latin-1 */
		{"ab\0cd", 5, 0, "ab"},					 /* a NUL ends it */
		{"", 0, 0, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		size_t n = xd_prop_text(out, sizeof out, (const uint8_t *)cases[i].in, cases[i].n,
					cases[i].flags);
		if (strcmp(out, cases[i].out))
			fprintf(stderr, "case %zu: '%s', expected '%s'\n", i, out, cases[i].out);
		CHECK(!strcmp(out, cases[i].out));
		CHECK_EQ(n, strlen(cases[i].out));
	}
	/* Never a character cut by the room: 3-byte characters into 8. */
	char out[8];
	const char *e = "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"; /* three euro signs */
	CHECK_EQ(xd_prop_text(out, sizeof out, (const uint8_t *)e, 9, 0), 6);
	CHECK(xd_prop_utf8_valid((const uint8_t *)out, strlen(out)));
	CHECK_EQ(xd_prop_text(out, 1, (const uint8_t *)"abc", 3, 0), 0);
	CHECK_EQ(out[0], 0);
}

static void test_name(void)
{
	char t[257];
	struct xd_prop p;

	p = p8(UTF8, "T\xc3\xa9rminal", 9);
	xd_prop_name(t, sizeof t, &p, &at, true);
	CHECK(!strcmp(t, "T\xc3\xa9rminal"));
	/* WM_NAME as STRING is Latin-1; as COMPOUND_TEXT its Latin-1 part. */
	p = p8(XD_ATOM_STRING, "T\xe9rminal", 8);
	xd_prop_name(t, sizeof t, &p, &at, false);
	CHECK(!strcmp(t, "T\xc3\xa9rminal"));
	p = p8(CTEXT, "x\x1b-Ay", 5);
	xd_prop_name(t, sizeof t, &p, &at, false);
	CHECK(clean(t));
	/* _NET_WM_NAME only as UTF8_STRING. */
	p = p8(XD_ATOM_STRING, "abc", 3);
	CHECK_EQ(xd_prop_name(t, sizeof t, &p, &at, true), 0);
	CHECK_EQ(t[0], 0);
	/* A title that is not UTF-8 in UTF8_STRING: made valid. */
	p = p8(UTF8, "\xff\xfe title \xc3", 11);
	xd_prop_name(t, sizeof t, &p, &at, true);
	CHECK(!strcmp(t, "?? title ?"));
	/* Format 16 or 32 where 8 is meant, another type, none: no name. */
	static const uint32_t words[2] = {0x41414141, 0x42424242};
	p = p32(UTF8, words, 2);
	CHECK_EQ(xd_prop_name(t, sizeof t, &p, &at, false), 0);
	p = (struct xd_prop){.type = UTF8, .format = 16, .value = words, .len = 8};
	CHECK_EQ(xd_prop_name(t, sizeof t, &p, &at, false), 0);
	p = p8(XD_ATOM_ATOM, "abcd", 4);
	CHECK_EQ(xd_prop_name(t, sizeof t, &p, &at, false), 0);
	p = (struct xd_prop){0};
	CHECK_EQ(xd_prop_name(t, sizeof t, &p, &at, false), 0);
	CHECK_EQ(xd_prop_name(t, sizeof t, NULL, &at, false), 0);
	/* A 1 MB title (read as its first 4 KiB, cut inside a character):
	 * bounded, valid, no '?' for the cut. */
	size_t big = 1u << 20;
	char *s = malloc(big);
	for (size_t i = 0; i + 1 < big; i += 2)
		memcpy(s + i, "\xc3\xa9", 2);
	p = p8(UTF8, s + 1, 4095); /* starts and ends inside a character */
	p.truncated = true;
	size_t n = xd_prop_name(t, sizeof t, &p, &at, true);
	CHECK(n <= 256);
	CHECK(clean(t));
	CHECK(t[0] == '?');
	CHECK(t[n - 1] != '?');
	p = p8(UTF8, s, big);
	CHECK(xd_prop_name(t, sizeof t, &p, &at, true) <= 256);
	CHECK(clean(t));
	free(s);
}

static void test_class(void)
{
	static const struct {
		const char *in;
		size_t n;
		const char *out;
	} cases[] = {
		{"xterm\0XTerm\0", 12, "XTerm"},
		{"xterm\0XTerm", 11, "XTerm"},  /* no last NUL */
		{"xterm\0", 6, "xterm"},	/* no class: the instance */
		{"xterm\0\0", 7, "xterm"},
		{"xterm", 5, "xterm"},
		{"\0\0", 2, ""},
		{"a\0b\xe9\x01", 5, "b\xc3\xa9 "}, /* Latin-1, a control */
		{"", 0, ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[64];
		struct xd_prop p = p8(XD_ATOM_STRING, cases[i].in, cases[i].n);
		xd_prop_class(out, sizeof out, &p);
		CHECK(!strcmp(out, cases[i].out));
	}
	static const uint32_t w[3] = {1, 2, 3};
	struct xd_prop p = p32(XD_ATOM_STRING, w, 3);
	char out[64];
	CHECK_EQ(xd_prop_class(out, sizeof out, &p), 0);
}

static void test_size_hints(void)
{
	struct xd_size_hints h;
	uint32_t w[18] = {0};
	struct xd_prop p;

	/* Min, max, inc, base, and the place asked (USPosition). */
	w[0] = XD_US_POSITION | XD_P_MIN_SIZE | XD_P_MAX_SIZE | XD_P_RESIZE_INC | XD_P_BASE_SIZE;
	w[5] = 100, w[6] = 50, w[7] = 800, w[8] = 600, w[9] = 6, w[10] = 13, w[15] = 4, w[16] = 2;
	p = p32(XD_ATOM_WM_SIZE_HINTS, w, 18);
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(h.sizes && h.positioned);
	CHECK(h.size.min_w == 100 && h.size.min_h == 50 && h.size.max_w == 800 && h.size.max_h == 600);
	CHECK(h.size.inc_w == 6 && h.size.inc_h == 13 && h.size.base_w == 4 && h.size.base_h == 2);
	/* PPosition is a place asked too; PSize alone sets no size hint. */
	w[0] = XD_P_POSITION | XD_P_SIZE;
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(h.positioned && !h.sizes && !h.size.min_w && !h.size.base_w);
	/* None asked: the window manager places it. */
	w[0] = XD_P_MIN_SIZE | XD_P_WIN_GRAVITY;
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(!h.positioned && h.sizes);
	/* Negative and huge sizes: not set, clamped; a max below the min
	 * is the min. */
	w[0] = XD_P_MIN_SIZE | XD_P_MAX_SIZE | XD_P_RESIZE_INC;
	w[5] = (uint32_t)-5, w[6] = 70000, w[7] = 10, w[8] = 0x7fffffff, w[9] = 0xffffffff,
	w[10] = 65536;
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(h.size.min_w == 0 && h.size.min_h == 8192 && h.size.max_w == 10 && h.size.max_h == 8192);
	CHECK(h.size.inc_w == 0 && h.size.inc_h == 8192);
	w[5] = 300, w[6] = 300, w[7] = 200, w[8] = 100;
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(h.size.max_w == 300 && h.size.max_h == 300);
	/* The 15 words of before ICCCM: no base size. */
	w[0] = XD_P_BASE_SIZE | XD_US_POSITION;
	w[15] = 10;
	p = p32(XD_ATOM_WM_SIZE_HINTS, w, 15);
	CHECK(xd_prop_size_hints(&p, 8192, &h));
	CHECK(h.positioned && !h.size.base_w);
	/* Truncated, format 16 or 8 where 32 is meant, none: no hints. */
	p = p32(XD_ATOM_WM_SIZE_HINTS, w, 14);
	CHECK(!xd_prop_size_hints(&p, 8192, &h));
	CHECK(!h.positioned && !h.sizes);
	p = (struct xd_prop){.type = XD_ATOM_WM_SIZE_HINTS, .format = 16, .value = w, .len = 72};
	CHECK(!xd_prop_size_hints(&p, 8192, &h));
	p = p8(XD_ATOM_WM_SIZE_HINTS, (const char *)w, 72);
	CHECK(!xd_prop_size_hints(&p, 8192, &h));
	p = (struct xd_prop){0};
	CHECK(!xd_prop_size_hints(&p, 8192, &h));
	CHECK(!xd_prop_size_hints(NULL, 8192, &h));
	/* A length not a multiple of 4: the whole words. */
	p = (struct xd_prop){.type = XD_ATOM_WM_SIZE_HINTS, .format = 32, .value = w, .len = 61};
	CHECK(xd_prop_size_hints(&p, 8192, &h));
}

static void test_window_and_atoms(void)
{
	uint32_t w[70];
	struct xd_prop p;

	w[0] = 0x400001;
	p = p32(XD_ATOM_WINDOW, w, 1);
	CHECK_EQ(xd_prop_window(&p), 0x400001);
	p = p32(XD_ATOM_CARDINAL, w, 1); /* not a WINDOW */
	CHECK_EQ(xd_prop_window(&p), 0);
	p = p32(XD_ATOM_WINDOW, w, 0);
	CHECK_EQ(xd_prop_window(&p), 0);
	p = (struct xd_prop){.type = XD_ATOM_WINDOW, .format = 32, .value = w, .len = 3};
	CHECK_EQ(xd_prop_window(&p), 0);
	p = (struct xd_prop){.type = XD_ATOM_WINDOW, .format = 16, .value = w, .len = 4};
	CHECK_EQ(xd_prop_window(&p), 0);
	/* WM_PROTOCOLS: junk atoms around it, at most 64 looked at. */
	for (int i = 0; i < 70; i++)
		w[i] = 0xdead0000u + (uint32_t)i;
	w[10] = DELETE;
	p = p32(XD_ATOM_ATOM, w, 70);
	CHECK(xd_prop_has_atom(&p, DELETE, XD_PROP_PROTOCOLS_MAX));
	w[10] = 1;
	w[65] = DELETE;
	CHECK(!xd_prop_has_atom(&p, DELETE, XD_PROP_PROTOCOLS_MAX));
	w[0] = DELETE;
	p = p32(XD_ATOM_INTEGER, w, 1);
	CHECK(!xd_prop_has_atom(&p, DELETE, XD_PROP_PROTOCOLS_MAX));
	p = p32(XD_ATOM_ATOM, w, 1);
	CHECK(!xd_prop_has_atom(&p, 0, XD_PROP_PROTOCOLS_MAX));
	p = (struct xd_prop){.type = XD_ATOM_ATOM, .format = 8, .value = w, .len = 4};
	CHECK(!xd_prop_has_atom(&p, DELETE, XD_PROP_PROTOCOLS_MAX));
}

static void test_pairs(void)
{
	uint32_t w[2 * XD_PROP_PAIRS_MAX + 2], out[2 * XD_PROP_PAIRS_MAX];
	struct xd_prop p;

	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		w[i] = 0x1000 + (uint32_t)i;
	p = p32(PAIR, w, 4);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 4);
	CHECK(!memcmp(out, w, 16));
	p = p32(XD_ATOM_ATOM, w, 2);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 2);
	p = p32(PAIR, w, 2 * XD_PROP_PAIRS_MAX);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 2 * XD_PROP_PAIRS_MAX);
	/* Odd, too many, cut by the read, empty, another type or format. */
	p = p32(PAIR, w, 3);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
	p = p32(PAIR, w, 2 * XD_PROP_PAIRS_MAX + 2);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
	p = p32(PAIR, w, 4);
	p.truncated = true;
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
	p = p32(PAIR, w, 0);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
	p = p32(OTHER, w, 4);
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
	p = (struct xd_prop){.type = PAIR, .format = 16, .value = w, .len = 16};
	CHECK_EQ(xd_prop_pairs(&p, &at, out), 0);
}

static void test_selection(void)
{
	static const struct {
		uint32_t type;
		uint8_t format;
		enum xd_sel_kind kind;
	} kinds[] = {
		{UTF8, 8, XD_SEL_UTF8},	      {XD_ATOM_STRING, 8, XD_SEL_LATIN1},
		{TEXT, 8, XD_SEL_LATIN1},     {CTEXT, 8, XD_SEL_LATIN1},
		{INCR, 32, XD_SEL_INCR},      {UTF8, 32, XD_SEL_REFUSED},
		{UTF8, 16, XD_SEL_REFUSED},   {XD_ATOM_ATOM, 32, XD_SEL_REFUSED}, /* TARGETS junk */
		{OTHER, 8, XD_SEL_REFUSED},   {0, 8, XD_SEL_REFUSED},
	};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct xd_prop p = {.type = kinds[i].type, .format = kinds[i].format,
				    .value = "abcd", .len = 4};
		CHECK_EQ(xd_prop_sel_kind(&p, &at), kinds[i].kind);
	}
	CHECK_EQ(xd_prop_sel_kind(NULL, &at), XD_SEL_REFUSED);

	/* Any bytes: valid UTF-8 out, newlines and tabs kept. */
	size_t n;
	char *t = xd_prop_sel_text((const uint8_t *)"a\nb\t\xff\xc3\xa9", 7, XD_SEL_UTF8, &n);
	CHECK(t && !strcmp(t, "a\nb\t?\xc3\xa9") && n == 7);
	free(t);
	t = xd_prop_sel_text((const uint8_t *)"\xe9\xff", 2, XD_SEL_LATIN1, &n);
	CHECK(t && !strcmp(t, "\xc3\xa9\xc3\xbf") && n == 4);
	free(t);
	t = xd_prop_sel_text((const uint8_t *)"", 0, XD_SEL_UTF8, &n);
	CHECK(t && n == 0 && !t[0]);
	free(t);
	/* All Latin-1 high bytes: twice as long, in the room given. */
	uint8_t hi[4096];
	memset(hi, 0xff, sizeof hi);
	t = xd_prop_sel_text(hi, sizeof hi, XD_SEL_LATIN1, &n);
	CHECK(t && n == 2 * sizeof hi && xd_prop_utf8_valid((const uint8_t *)t, n));
	free(t);
	/* A desk program's text: as it is when UTF-8, else Latin-1. */
	t = xd_prop_desk_text((const uint8_t *)"caf\xc3\xa9", 5, &n);
	CHECK(t && !strcmp(t, "caf\xc3\xa9"));
	free(t);
	t = xd_prop_desk_text((const uint8_t *)"caf\xe9", 4, &n);
	CHECK(t && !strcmp(t, "caf\xc3\xa9"));
	free(t);
	t = xd_prop_desk_text((const uint8_t *)"a\0b", 3, &n);
	CHECK(t && !strcmp(t, "a") && n == 1);
	free(t);
	CHECK(xd_prop_utf8_valid((const uint8_t *)"", 0));
	CHECK(!xd_prop_utf8_valid((const uint8_t *)"a\0", 2));
	CHECK(!xd_prop_utf8_valid((const uint8_t *)"\xc3", 1));
}

static void test_cursor(void)
{
	static const struct {
		uint32_t w, h, xhot, yhot;
		size_t n;
		bool ok;
		uint16_t ox, oy;
	} cases[] = {
		{16, 16, 3, 4, 256, true, 3, 4},
		{1, 1, 0, 0, 1, true, 0, 0},
		{256, 256, 255, 255, 65536, true, 255, 255},
		{16, 16, 16, 99, 256, true, 0, 0}, /* a hot spot outside: the corner */
		{0, 0, 0, 0, 0, false, 0, 0},
		{0, 16, 0, 0, 0, false, 0, 0},
		{65535, 65535, 0, 0, (size_t)65535 * 65535, false, 0, 0},
		{257, 1, 0, 0, 257, false, 0, 0},
		{16, 16, 0, 0, 255, false, 0, 0}, /* fewer pixels than it says */
		{16, 16, 0, 0, 257, false, 0, 0},
		{0x10000, 0x10000, 0, 0, 0, false, 0, 0}, /* w * h wraps in 32 bits */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct xd_prop_cursor c;
		bool ok = xd_prop_cursor(cases[i].w, cases[i].h, cases[i].xhot, cases[i].yhot,
					 cases[i].n, 256, &c);
		CHECK_EQ(ok, cases[i].ok);
		if (ok && cases[i].ok) {
			CHECK(c.w == cases[i].w && c.h == cases[i].h);
			CHECK(c.xhot == cases[i].ox && c.yhot == cases[i].oy);
		}
	}
}

/* A cursor too large for a frame (16381 pixels: 128x128 is not) made
 * smaller, its shape and colours kept, each pixel its block's average. */
static void test_cursor_fit(void)
{
	static uint32_t src[256 * 256], dst[16381];
	struct xd_prop_cursor c = {256, 256, 200, 100};

	for (size_t y = 0; y < 256; y++)
		for (size_t x = 0; x < 256; x++)
			src[y * 256 + x] = x < 128 ? 0xffff0000u : y < 128 ? 0xff0000ffu : 0x80008000u;
	CHECK(xd_prop_cursor_fit(&c, src, 16381, dst));
	CHECK_EQ(c.w, 127); /* (127x128: 128x128 is 3 pixels too many) */
	CHECK_EQ(c.h, 128);
	CHECK(c.xhot == 99 && c.yhot == 50);
	CHECK_EQ(dst[0], 0xffff0000u);				   /* red stays red */
	CHECK_EQ(dst[10 * 127 + 120], 0xff0000ffu);		   /* blue, top right */
	CHECK_EQ(dst[120 * 127 + 120], 0x80008000u);		   /* half green, bottom right */
	CHECK_EQ(dst[10 * 127 + 63] >> 24, 0xff);		   /* the seam: opaque */
	CHECK((dst[10 * 127 + 63] >> 16 & 0xff) > 0 && (dst[10 * 127 + 63] & 0xff) > 0);

	/* Another shape: 256x100 keeps about its ratio; one that fits is left. */
	c = (struct xd_prop_cursor){256, 100, 255, 99};
	CHECK(xd_prop_cursor_fit(&c, src, 16381, dst));
	CHECK((size_t)c.w * c.h <= 16381 && c.w > 190 && c.h > 75 && c.xhot < c.w && c.yhot < c.h);
	c = (struct xd_prop_cursor){128, 127, 5, 5};
	CHECK(!xd_prop_cursor_fit(&c, src, 16381, dst));
	CHECK(c.w == 128 && c.h == 127);
	c = (struct xd_prop_cursor){256, 1, 255, 0};
	CHECK(xd_prop_cursor_fit(&c, src, 3, dst));
	CHECK(c.w == 3 && c.h == 1 && c.xhot == 2);
}

static void test_configure(void)
{
	uint32_t v[7];
	struct xd_cfg_req r;

	/* Everything: x, y, sizes clamped, border dropped, sibling, mode. */
	r = (struct xd_cfg_req){.mask = 0x7f, .x = -20, .y = 30, .w = 0, .h = 60000, .bw = 9,
				.sibling = 0x600001, .stack_mode = 0};
	CHECK_EQ(xd_prop_configure(&r, 8192, v), 0x6f);
	CHECK(v[0] == (uint32_t)-20 && v[1] == 30 && v[2] == 1 && v[3] == 8192);
	CHECK(v[4] == 0x600001 && v[5] == 0);
	/* A sibling with no stack mode, a stack mode past Opposite: not sent. */
	r = (struct xd_cfg_req){.mask = 0x20 | 0x1, .x = 5, .sibling = 0x600001};
	CHECK_EQ(xd_prop_configure(&r, 8192, v), 0x1);
	CHECK_EQ(v[0], 5);
	r = (struct xd_cfg_req){.mask = 0x60, .sibling = 0x600001, .stack_mode = 5};
	CHECK_EQ(xd_prop_configure(&r, 8192, v), 0);
	r = (struct xd_cfg_req){.mask = 0x40, .stack_mode = 4};
	CHECK_EQ(xd_prop_configure(&r, 8192, v), 0x40);
	CHECK_EQ(v[0], 4);
	/* Bits past the seven: ignored. */
	r = (struct xd_cfg_req){.mask = 0xff80};
	CHECK_EQ(xd_prop_configure(&r, 8192, v), 0);
}

/* QueryClients' reply as xcb hands it: the server (base 0) and the asker
 * not counted; a count past the reply's length cut to it; those kept, as
 * many as there is room for. */
static void test_xres_clients(void)
{
	struct {
		xcb_res_query_clients_reply_t h;
		xcb_res_client_t c[4];
	} r = {.h = {.response_type = 1, .length = 4 * 2, .num_clients = 4},
	       .c = {{0, 0x1fffff}, {0x200000, 0x1fffff}, {0x400000, 0x1fffff}, {0x600000, 0x1fffff}}};
	struct xd_xres_client c[4];

	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x200000, NULL, 0), 2);
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x800000, c, 4), 3);
	CHECK_EQ(c[0].base, 0x200000);
	CHECK_EQ(c[2].base, 0x600000);
	CHECK_EQ(c[2].mask, 0x1fffff);
	c[1].base = 1;
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x200000, c, 1), 2); /* (only one kept) */
	CHECK_EQ(c[0].base, 0x400000);
	CHECK_EQ(c[1].base, 1);
	r.h.num_clients = 2; /* server, own */
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x200000, NULL, 0), 0);
	r.h.num_clients = 0;
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x200000, NULL, 0), 0);
	r.h.num_clients = 0xffffffff;
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x200000, NULL, 0), 2);
	r.h.num_clients = 4;
	r.h.length = 2 * 2 + 1; /* two clients and half of one */
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x800000, NULL, 0), 1);
	r.h.length = 0;
	CHECK_EQ(xd_prop_xres_clients(&r.h, 0x800000, NULL, 0), 0);
}

/* A window's maker: the client whose base is the greatest not above its
 * id, if the id is within its mask; clients come in any order. */
static void test_xres_maker(void)
{
	struct xd_xres_client c[4] = {{.base = 0x600000, .mask = 0x1fffff},
				      {.base = 0x200000, .mask = 0x1fffff},
				      {.base = 0x400000, .mask = 0x1fffff},
				      {.base = 0xa00000, .mask = 0x1fffff}};

	xd_prop_xres_sort(c, 4);
	CHECK_EQ(c[0].base, 0x200000);
	CHECK_EQ(c[3].base, 0xa00000);
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0x400001), 1);
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0x5fffff), 1);
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0x200000), 0);
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0xbfffff), 3);
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0x800003), -1); /* a client's gone */
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0x1), -1);	    /* the server's */
	CHECK_EQ(xd_prop_xres_maker(c, 4, 0xffffffff), -1);
	CHECK_EQ(xd_prop_xres_maker(c, 0, 0x400001), -1);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"text", test_text},
		{"name", test_name},
		{"class", test_class},
		{"size-hints", test_size_hints},
		{"window-and-atoms", test_window_and_atoms},
		{"pairs", test_pairs},
		{"selection", test_selection},
		{"cursor", test_cursor},
		{"cursor-fit", test_cursor_fit},
		{"configure", test_configure},
		{"xres-clients", test_xres_clients},
		{"xres-maker", test_xres_maker},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
