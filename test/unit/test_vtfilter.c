/* The output filter in front of libvterm: a table of what a program
 * prints and what libvterm may be given, the same whichever way the
 * output is cut, bounded pieces, and the filter's idea of a combining
 * mark held against libvterm's. */
#include <stdlib.h>
#include <vterm.h>

#include "base.h"
#include "rp.h"
#include "unit.h"
#include "vtfilter.h"

struct sink {
	char buf[1 << 16];
	size_t len;
	size_t pieces, longest;
	bool cut_char; /* a piece ended inside a UTF-8 character */
};

static void collect(void *ctx, const void *p, size_t n)
{
	struct sink *k = ctx;
	const unsigned char *b = p;

	if (n > sizeof k->buf - k->len)
		n = sizeof k->buf - k->len;
	memcpy(k->buf + k->len, p, n);
	k->len += n;
	k->pieces++;
	if (n > k->longest)
		k->longest = n;
	/* the last lead byte must have all its continuation bytes */
	for (size_t i = 1; i <= 3 && i <= n; i++) {
		unsigned char c = b[n - i];
		if ((c & 0xc0) == 0x80)
			continue;
		if (c >= 0xc0 && (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u) > i)
			k->cut_char = true;
		break;
	}
}

/* Feeds in pieces of `step` bytes (0: all at once). */
static void run(const char *in, size_t n, size_t step, int cols, struct sink *k)
{
	struct kpty_vtfilter f;

	memset(k, 0, sizeof *k);
	if (!kpty_vtfilter_init(&f, collect, k)) {
		CHECK(!"filter init");
		return;
	}
	kpty_vtfilter_set_cols(&f, cols);
	for (size_t off = 0; off < n;) {
		size_t m = step && step < n - off ? step : n - off;
		kpty_vtfilter_feed(&f, in + off, m);
		off += m;
	}
	kpty_vtfilter_finish(&f);
}

#define S(x) x, sizeof x - 1
static const struct {
	const char *in;
	size_t in_len;
	const char *want;
	size_t want_len;
} table[] = {
	/* REP: nothing printed before it (libvterm loops forever) */
	{S("\033[b"), S("")},
	{S("\033[5b"), S("")},
	{S("a\033[3b"), S("aaaa")},
	{S("a\033[b"), S("aa")},
	{S("a\033[0b"), S("aa")},
	{S("a\r\033[2b"), S("a\r")},	     /* not straight after the character */
	{S("a\033[1m\033[2b"), S("a\033[1m")}, /* nor after a sequence */
	{S("\xc3\xa9\033[2b"), S("\xc3\xa9\xc3\xa9\xc3\xa9")},
	{S("e\xcc\x81\033[1b"), S("e\xcc\x81""e\xcc\x81")}, /* with its mark */
	{S("x\033[99999b"), S("xxxxxxxxxxx")},	/* at most a row (10 here) */
	{S("a\033[?2b"), S("a\033[?2b")},	/* not REP: passed as it is */
	{S("\033[5ma\033[b"), S("\033[5maa")},	/* no count: one, whatever came before */
	/* CSI arguments: 16 at most (libvterm writes the 17th past its array) */
	{S("\033[::::::::::::::::2J"), S("")},
	{S("\033[;;;;;;;;;;;;;;;;m"), S("")},
	{S("\033[:::::::::::::::2J"), S("\033[:::::::::::::::2J")},
	{S("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16m"),
	 S("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16m")},
	{S("\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17mX"), S("X")},
	{S("\033[99999999999999999999H"), S("\033[65535H")},
	{S("\033[007;0010H"), S("\033[7;10H")},
	{S("\033[;5H"), S("\033[;5H")},
	{S("\033[38:2::1:2:3m"), S("\033[38:2::1:2:3m")},
	{S("\033[?1049h"), S("\033[?1049h")},
	{S("\033[?>1h"), S("")},		/* two leaders */
	{S("\033[1 \"!q"), S("")},		/* three intermediates */
	{S("\033[1\"q"), S("\033[1\"q")},
	{S("\033[1?hX"), S("hX")},		/* a leader late ends it, as in libvterm */
	{S("\033[1\n2H"), S("\n\033[12H")},	/* C0 runs where it stands */
	{S("\033[12\030x"), S("x")},		/* CAN cancels */
	{S("\033[12\033[3m"), S("\033[3m")},	/* ESC starts again */
	/* text */
	{S("a\0b\177c"), S("abc")},
	{S("\xc2\x85\xc2\x9b"), S("")},		/* C1 as UTF-8: width -1 in libvterm */
	{S("\xc2\xa0"), S("\xc2\xa0")},
	{S("\xc3" "A"), S("\xef\xbf\xbd" "A")},
	{S("\xc0\xaf"), S("\xef\xbf\xbd\xef\xbf\xbd")},	/* overlong */
	{S("\xed\xa0\x80"), S("\xef\xbf\xbd")},		/* a surrogate */
	{S("\xf4\x90\x80\x80"), S("\xef\xbf\xbd")},	/* past U+10FFFF */
	{S("\xf0\x9f\x98\x80"), S("\xf0\x9f\x98\x80")},
	{S("\xe4\xb8\xad\xe6\x96\x87"), S("\xe4\xb8\xad\xe6\x96\x87")},
	{S("\x80"), S("\xef\xbf\xbd")},
	{S("\xe4\xb8\033[m"), S("\xef\xbf\xbd\033[m")},	/* cut short by a sequence */
	/* combining marks: a few, and only on a character just printed */
	{S("e\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86"),
	 S("e\xcc\x81\xcc\x82\xcc\x83\xcc\x84")},
	{S("\xcc\x81"), S("")},
	{S("e\033[1m\xcc\x81"), S("e\033[1m")},
	{S("e\r\xcc\x81"), S("e\r")},
	/* strings */
	{S("\033]2;a title\007"), S("\033]2;a title\033\\")},
	{S("\033]2;a title\033\\"), S("\033]2;a title\033\\")},
	{S("\033P+q544e\033\\"), S("")},		/* DCS: only what libvterm answers */
	{S("\033P$qm\033\\"), S("\033P$qm\033\\")},
	{S("\033P$q q\007"), S("\033P$q q\033\\")},
	{S("\033P$qx\033\\"), S("")},		/* libvterm 0.1.4 crashes on it */
	{S("\033]2;cut\033[1m"), S("\033[1m")},	/* ESC not ST: string dropped */
	{S("\033]2;a\nb\007"), S("\n\033]2;ab\033\\")},
	{S("\033_kitty graphics\033\\x"), S("x")},	/* APC, PM, SOS: dropped */
	{S("\033^private\007y"), S("y")},
	{S("\033Xsos\033\\z"), S("z")},
	/* ESC */
	{S("\033(0"), S("\033(0")},
	{S("\033#8"), S("\033#8")},
	/* a restore of the cursor, then a CSI that only bounds it (libvterm
	 * 0.1.4 keeps a saved cursor past a smaller screen's edge) */
	{S("\0337\0338"), S("\0337\0338\033[0n")},
	{S("\033[?1049l"), S("\033[?1049l\033[0n")},
	{S("\033[?1048;25l"), S("\033[?1048;25l\033[0n")},
	{S("\033[?25;1049l"), S("\033[?25;1049l")}, /* libvterm acts on the first only */
	{S("\033[1049l"), S("\033[1049l")},
	{S("\033[?1049h"), S("\033[?1049h")},
	{S("\033c"), S("\033c")},
	{S("\033M"), S("\033M")},
	{S("\033 #(A"), S("")},
	{S("\033-[2;;;;;;;;;;;;;;;;;;r"), S("2;;;;;;;;;;;;;;;;;;r")}, /* libvterm: a CSI */
	{S("\033(]x"), S("x")},
	{S("\033\xc3\xa9"), S("\xc3\xa9")},
};

static void filter_table(void)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		for (size_t step = 0; step <= 3; step++) {
			struct sink k;
			run(table[i].in, table[i].in_len, step, 10, &k);
			if (k.len != table[i].want_len || memcmp(k.buf, table[i].want, k.len)) {
				fprintf(stderr, "case %zu (step %zu): got '", i, step);
				for (size_t j = 0; j < k.len; j++)
					fprintf(stderr, k.buf[j] >= 0x20 && k.buf[j] < 0x7f ? "%c" : "\\x%02x",
						(unsigned char)k.buf[j]);
				fprintf(stderr, "'\n");
				failures++;
			}
		}
	}
}

/* A random stream gives the same output whichever way it is cut, in
 * pieces of at most KPTY_VTFILTER_CHUNK that never end inside a
 * character; and the output passes the filter unchanged (it is already
 * in the one form the filter writes). */
static void filter_cuts(void)
{
	static const char *const bits[] = {
		"\033", "[", "]", "P", "_", "\\", "\007", ";", ":", "1", "9", "?", " ", "m",
		"b", "H", "\030", "\r", "\n", "\xc3", "\xa9", "\xcc\x81", "\xe4\xb8\xad",
		"\x9b", "\xff", "x", "\xf0\x9f\x98\x80", "(", "#", "0",
	};
	static char in[1 << 15];
	static struct sink whole, cut, again;

	for (unsigned seed = 1; seed <= 200; seed++) {
		size_t n = 0;
		srand(seed);
		while (n < sizeof in - 8) {
			const char *b = bits[(size_t)rand() % (sizeof bits / sizeof bits[0])];
			size_t m = strlen(b);
			memcpy(in + n, b, m);
			n += m;
		}
		run(in, n, 0, 80, &whole);
		run(in, n, 1 + (size_t)rand() % 7, 80, &cut);
		CHECK(whole.len == cut.len && !memcmp(whole.buf, cut.buf, cut.len));
		CHECK(whole.longest <= KPTY_VTFILTER_CHUNK);
		CHECK(!whole.cut_char && !cut.cut_char);
		run(whole.buf, whole.len, 0, 80, &again);
		CHECK(again.len == whole.len && !memcmp(again.buf, whole.buf, whole.len));
		if (failures) {
			fprintf(stderr, "seed %u\n", seed);
			return;
		}
	}
	/* A long run of text comes out in bounded pieces. */
	memset(in, 'a', sizeof in);
	run(in, sizeof in, 0, 80, &whole);
	CHECK_EQ(whole.len, sizeof in);
	CHECK(whole.longest <= KPTY_VTFILTER_CHUNK);
}

/* libvterm merges a mark into the character before it; the filter must
 * call the same characters marks, or a run of what libvterm merges
 * would grow its buffer without bound. Every code point, both ways
 * (the filter may call more characters marks than libvterm: it then
 * keeps at most a few of them in a row, which libvterm draws as
 * characters of their own). */
static struct {
	uint32_t chars[8];
	int n;
} last_glyph;

static int on_glyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	(void)pos;
	(void)user;
	last_glyph.n = 0;
	for (int i = 0; i < 8 && info->chars[i]; i++)
		last_glyph.chars[last_glyph.n++] = info->chars[i];
	return 1;
}

static void marks_match_libvterm(void)
{
	struct kpty_vtfilter f;
	static struct sink k;
	static const VTermStateCallbacks cb = {.putglyph = on_glyph};
	VTerm *vt = vterm_new(5, 40);
	VTermState *st = vterm_obtain_state(vt);
	unsigned missed = 0;

	vterm_set_utf8(vt, 1);
	vterm_state_set_callbacks(st, &cb, NULL);
	vterm_state_reset(st, 1);
	CHECK(kpty_vtfilter_init(&f, collect, &k));
	for (uint32_t c = 0xa0; c <= 0x10ffff; c++) {
		char u[4], in[32] = "\ra";
		size_t n = 2, len = 0;
		bool merged, kept;

		if (c >= 0xd800 && c < 0xe000)
			continue;
		if (c < 0x800) {
			u[len++] = (char)(0xc0 | c >> 6);
		} else if (c < 0x10000) {
			u[len++] = (char)(0xe0 | c >> 12);
			u[len++] = (char)(0x80 | (c >> 6 & 0x3f));
		} else {
			u[len++] = (char)(0xf0 | c >> 18);
			u[len++] = (char)(0x80 | (c >> 12 & 0x3f));
			u[len++] = (char)(0x80 | (c >> 6 & 0x3f));
		}
		u[len++] = (char)(0x80 | (c & 0x3f));
		memcpy(in + n, u, len);
		vterm_input_write(vt, in, n + len);
		merged = last_glyph.n == 2 && last_glyph.chars[1] == c;
		/* the filter calls it a mark when it keeps fewer than six in a row */
		for (int i = 0; i < 6; i++, n += len)
			memcpy(in + n, u, len);
		k.len = 0;
		kpty_vtfilter_feed(&f, in, n);
		kept = k.len == n;
		if (merged && kept && missed++ < 20)
			fprintf(stderr, "U+%04X: libvterm merges it, the filter does not count it\n", c);
	}
	CHECK_EQ(missed, 0);
	kpty_vtfilter_finish(&f);
	vterm_free(vt);
}

/* Whatever the filter passes, libvterm draws within the row: no glyph
 * (a character and the marks it keeps) wider than the narrowest row a
 * screen is given (2 columns), for every code point as a mark on a
 * narrow and on a wide character. The term fuzzer found U+302A (a mark
 * libvterm counts 2 wide) on one character making it 3 wide: libvterm's
 * screen wrote past the row's end. */
static unsigned too_wide;

static int glyph_fits(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	(void)user;
	if (pos.col + info->width > 2 && too_wide++ < 20)
		fprintf(stderr, "U+%04X with %d more: %d wide at column %d of 2\n", info->chars[0],
			info->chars[1] ? 1 : 0, info->width, pos.col);
	return 1;
}

/* A narrow row scrolls: libvterm calls these without checking them. */
static int moved(VTermRect dest, VTermRect src, void *user)
{
	(void)dest, (void)src, (void)user;
	return 1;
}

static int erased(VTermRect rect, int selective, void *user)
{
	(void)rect, (void)selective, (void)user;
	return 1;
}

static void glyphs_fit_the_row(void)
{
	static struct sink k;
	static const VTermStateCallbacks cb = {
		.putglyph = glyph_fits, .moverect = moved, .erase = erased};
	struct kpty_vtfilter f;
	VTerm *vt = vterm_new(3, 2);
	VTermState *st = vterm_obtain_state(vt);

	vterm_set_utf8(vt, 1);
	vterm_state_set_callbacks(st, &cb, NULL);
	vterm_state_reset(st, 1);
	CHECK(kpty_vtfilter_init(&f, collect, &k));
	kpty_vtfilter_set_cols(&f, 2);
	too_wide = 0;
	for (uint32_t c = 0x300; c <= 0x10ffff; c++) {
		char in[64];
		uint8_t u[4];
		size_t len, n;

		if (c >= 0xd800 && c < 0xe000)
			continue;
		len = base_utf8_encode(c, u);
		for (int base = 0; base < 2; base++) {
			n = 0;
			in[n++] = '\r';
			if (base)
				memcpy(in + n, "\xe4\xb8\x80", 3), n += 3; /* U+4E00, wide */
			else
				in[n++] = 'a';
			for (int i = 0; i < 6; i++, n += len)
				memcpy(in + n, u, len);
			k.len = 0;
			kpty_vtfilter_feed(&f, in, n);
			vterm_input_write(vt, k.buf, k.len);
		}
	}
	CHECK_EQ(too_wide, 0);
	kpty_vtfilter_finish(&f);
	vterm_free(vt);
}

static const struct unit_case cases[] = {
	{"glyphs-fit-the-row", glyphs_fit_the_row},
	{"filter-table", filter_table},
	{"filter-cuts", filter_cuts},
	{"marks-match-libvterm", marks_match_libvterm},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
