/* clients/termmodes.c: the modes followed through a terminal's output,
 * and the bytes that undo them. */
#include <stdio.h>
#include <string.h>

#include "termmodes.h"
#include "unit.h"

/* vim-like and more: alternate screen, cursor keys, keypad, mouse, paste,
 * hidden cursor, colours, a region, origin mode, line drawing, focus
 * reports, synchronized output, modifyOtherKeys, kitty keys, cursor
 * style, autowrap off. */
static const char everything[] =
	"\033[?1049h\033[?1h\033=\033[?1002h\033[?1006h\033[?2004h\033[?25l\033[1;31m"
	"\033[3;10r\033[?6h\033(0\016\033[?1004h\033[?2026h\033[>4;2m\033[>1u\033[5 q\033[?7l";

static const char *const resets[] = {
	"\033[?1049l", "\033[?1l",   "\033>",	 "\033[?1002l", "\033[?1006l", "\033[?2004l",
	"\033[?25h",   "\033[m",     "\033[r",	 "\033[?6l",	"\033(B",      "\017",
	"\033[?1004l", "\033[?2026l", "\033[>4m", "\033[<1u",	"\033[0 q",    "\033[?7h",
};

static void feed(struct telly_modes *m, const char *s)
{
	telly_modes_feed(m, s, strlen(s));
}

static size_t undo(const struct telly_modes *m, char *out)
{
	return telly_modes_reset(m, out, TELLY_MODES_RESET_BYTES);
}

/* Every mode set is undone, and the undoing, read back, leaves nothing. */
static void test_everything_undone(void)
{
	struct telly_modes m;
	char out[TELLY_MODES_RESET_BYTES];
	size_t n;

	telly_modes_init(&m);
	feed(&m, everything);
	CHECK(telly_modes_any(&m));
	CHECK_EQ(m.alt, 1049);
	n = undo(&m, out);
	CHECK(n > 0 && n < sizeof out && strlen(out) == n);
	for (size_t i = 0; i < sizeof resets / sizeof resets[0]; i++)
		if (!strstr(out, resets[i])) {
			fprintf(stderr, "reset %zu missing\n", i);
			CHECK(0);
		}
	/* the alternate screen is left after the region's reset (which
	 * homes the cursor), so the primary screen keeps its cursor */
	CHECK(strstr(out, "\033[r") < strstr(out, "\033[?1049l"));
	telly_modes_feed(&m, out, n);
	CHECK(!telly_modes_any(&m));
	CHECK_EQ(undo(&m, out), 0);
}

/* Split anywhere, byte by byte: the same. */
static void test_split_across_writes(void)
{
	struct telly_modes whole, bytes;
	char a[TELLY_MODES_RESET_BYTES], b[TELLY_MODES_RESET_BYTES];

	telly_modes_init(&whole);
	telly_modes_init(&bytes);
	feed(&whole, everything);
	for (size_t i = 0; everything[i]; i++)
		telly_modes_feed(&bytes, everything + i, 1);
	CHECK_EQ(undo(&whole, a), undo(&bytes, b));
	CHECK(!strcmp(a, b));
}

/* A program that puts back what it set leaves nothing to undo. */
static void test_program_cleaned_up(void)
{
	struct telly_modes m;
	char out[TELLY_MODES_RESET_BYTES];

	telly_modes_init(&m);
	feed(&m, "\033[?1049h\033[?1h\033=\033[?1000;1006h\033[?25l\033[1mhello\033[m\033[?1000;1006l"
		 "\033[?25h\033>\033[?1l\033[?1049l\033[r");
	CHECK(!telly_modes_any(&m));
	CHECK_EQ(undo(&m, out), 0);
	/* a primary-screen region is reset with the cursor kept */
	feed(&m, "\033[2;5r");
	undo(&m, out);
	CHECK(!strcmp(out, "\0337\033[r\0338"));
}

/* Colours: a 0 inside a colour's own numbers is not a reset; 0 is. */
static void test_sgr(void)
{
	struct telly_modes m;

	telly_modes_init(&m);
	feed(&m, "\033[38;5;0m");
	CHECK(m.sgr);
	feed(&m, "\033[1;0m");
	CHECK(!m.sgr);
	feed(&m, "\033[48;2;0;0;0m");
	CHECK(m.sgr);
	feed(&m, "\033[m");
	CHECK(!m.sgr);
}

/* Bounded: a CSI longer than its room is skipped, not half read; strings
 * are skipped to their end, whatever they hold; the next sequence counts. */
static void test_bounded(void)
{
	struct telly_modes m;
	char big[400];

	telly_modes_init(&m);
	memset(big, 0, sizeof big);
	memcpy(big, "\033[?", 3);
	memset(big + 3, '1', 300);
	big[303] = 'h';
	feed(&m, big);
	CHECK(!telly_modes_any(&m));
	feed(&m, "\033]0;title [?1049h\a\033P$q[?25l\033\\\033_x[?2004h\233?1h\033\\");
	CHECK(!telly_modes_any(&m));
	/* an ESC inside one ends it, as a terminal has it, and counts */
	feed(&m, "\033]0;title\033[?1049h");
	CHECK_EQ(m.alt, 1049);
	telly_modes_init(&m);
	feed(&m, "\033[?2004h");
	CHECK(telly_modes_any(&m));
	/* CAN aborts a sequence; ESC starts another */
	telly_modes_init(&m);
	feed(&m, "\033[?10\030" "49h\033[?1\033[?25l");
	CHECK_EQ(m.alt, 0);
	CHECK(telly_modes_any(&m)); /* the cursor hidden */
}

/* RIS puts the terminal back; DECSTR most of it; kitty pushes pop. */
static void test_resets(void)
{
	struct telly_modes m;

	telly_modes_init(&m);
	feed(&m, everything);
	feed(&m, "\033c");
	CHECK(!telly_modes_any(&m));
	feed(&m, "\033[?1h\033=\033[?25l\033[1m\033[!p");
	CHECK(!telly_modes_any(&m));
	feed(&m, "\033[>1u\033[>3u\033[>9u\033[<2u");
	CHECK_EQ(m.kitty, 1);
	feed(&m, "\033[<5u");
	CHECK_EQ(m.kitty, 0);
}

static const struct unit_case cases[] = {
	{"everything-undone", test_everything_undone},
	{"split-across-writes", test_split_across_writes},
	{"program-cleaned-up", test_program_cleaned_up},
	{"sgr", test_sgr},
	{"bounded", test_bounded},
	{"resets", test_resets},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
