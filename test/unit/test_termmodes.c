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

/* ---- the terminal's DECRQM 2026 answer among the keys ---- */

#define ANSWER "\033[?2026;2$y"

/* The keys telly_sync_keys gives for s read at now (as a string). */
static const char *sync_keys(struct telly_sync *s, const char *in, long now)
{
	static char out[256];
	size_t n = telly_sync_keys(s, (const uint8_t *)in, strlen(in), (uint8_t *)out, now);

	out[n] = 0;
	return out;
}

static const char *sync_due(struct telly_sync *s, long now)
{
	static char out[TELLY_SYNC_ANSWER_BYTES + 1];
	size_t n = telly_sync_due(s, (uint8_t *)out, now);

	out[n] = 0;
	return out;
}

/* Whole answers are taken out of the keys, wherever they are, twice too;
 * only 1 and 2 say the terminal has the mode. */
static void test_sync_whole(void)
{
	struct telly_sync s;

	telly_sync_init(&s);
	telly_sync_asked(&s, 1000);
	CHECK(!strcmp(sync_keys(&s, "ab\033[?2026;0$ycd", 1001), "abcd"));
	CHECK(!s.has);
	CHECK(!strcmp(sync_keys(&s, "x" ANSWER "\033[A" ANSWER "y", 1002), "x\033[Ay"));
	CHECK(s.has);
	CHECK_EQ(telly_sync_wait_ms(&s, 1002), -1);
	/* not an answer: passed on as it is */
	CHECK(!strcmp(sync_keys(&s, "\033[?2026;$y\033[?2026;123$y", 1003),
		      "\033[?2026;$y\033[?2026;123$y"));
}

/* Split between two reads at every place: nothing of it is a key, and
 * the keys around it come in order. */
static void test_sync_split_anywhere(void)
{
	const char answer[] = ANSWER;

	for (size_t cut = 1; cut < sizeof answer - 1; cut++) {
		struct telly_sync s;
		char first[64], second[64];
		snprintf(first, sizeof first, "a%.*s", (int)cut, answer);
		snprintf(second, sizeof second, "%sb", answer + cut);
		telly_sync_init(&s);
		telly_sync_asked(&s, 1000);
		CHECK(!strcmp(sync_keys(&s, first, 1010), "a"));
		CHECK_EQ(telly_sync_wait_ms(&s, 1010), TELLY_SYNC_PARTIAL_MS);
		CHECK(!strcmp(sync_keys(&s, second, 1020), "b"));
		CHECK(s.has);
		CHECK_EQ(telly_sync_wait_ms(&s, 1020), -1);
	}
	/* in three pieces */
	struct telly_sync s;
	telly_sync_init(&s);
	CHECK(!strcmp(sync_keys(&s, "\033[?20", 5000), ""));
	CHECK(!strcmp(sync_keys(&s, "26;", 5001), ""));
	CHECK(!strcmp(sync_keys(&s, "1$y", 5002), ""));
	CHECK(s.has);
}

/* A partial answer whose rest does not come is keys after all: once its
 * time is up, or when what follows is not the rest, in order. */
static void test_sync_partial_gives_up(void)
{
	struct telly_sync s;

	telly_sync_init(&s);
	telly_sync_asked(&s, 1000);
	/* a real Escape, while an answer is awaited: kept, then passed on */
	CHECK(!strcmp(sync_keys(&s, "\033", 1010), ""));
	CHECK(!strcmp(sync_due(&s, 1010 + TELLY_SYNC_PARTIAL_MS - 1), ""));
	CHECK_EQ(telly_sync_wait_ms(&s, 1010 + TELLY_SYNC_PARTIAL_MS - 1), 1);
	CHECK(!strcmp(sync_due(&s, 1010 + TELLY_SYNC_PARTIAL_MS), "\033"));
	CHECK_EQ(telly_sync_wait_ms(&s, 1010 + TELLY_SYNC_PARTIAL_MS), -1);
	/* an arrow key split after ESC [: what follows is not an answer */
	CHECK(!strcmp(sync_keys(&s, "x\033[", 1300), "x"));
	CHECK(!strcmp(sync_keys(&s, "Ay", 1301), "\033[Ay"));
	/* kept, then more keys after its time: it goes first */
	CHECK(!strcmp(sync_keys(&s, "\033[?2", 1400), ""));
	CHECK(!strcmp(sync_keys(&s, "026;2$y", 1400 + TELLY_SYNC_PARTIAL_MS), "\033[?2026;2$y"));
	CHECK(!s.has);
	/* a partial that turns wrong in its middle */
	CHECK(!strcmp(sync_keys(&s, "\033[?2026;1", 1700), ""));
	CHECK(!strcmp(sync_keys(&s, "x", 1701), "\033[?2026;1x"));
	CHECK(!s.has);
}

/* Once answers are no longer awaited, an Escape or an arrow key at the
 * end of a read goes at once; ESC [ ? is still kept (no key sends it). */
static void test_sync_escape_at_once(void)
{
	struct telly_sync s;

	telly_sync_init(&s); /* never asked */
	CHECK(!strcmp(sync_keys(&s, "\033", 10), "\033"));
	telly_sync_asked(&s, 1000);
	CHECK(!strcmp(sync_keys(&s, "\033", 1000 + TELLY_SYNC_AWAIT_MS), "\033"));
	CHECK(!strcmp(sync_keys(&s, "\033[", 1000 + TELLY_SYNC_AWAIT_MS), "\033["));
	CHECK(!strcmp(sync_keys(&s, "\033[?", 1000 + TELLY_SYNC_AWAIT_MS), ""));
	CHECK(!strcmp(sync_keys(&s, "2026;2$y", 1000 + TELLY_SYNC_AWAIT_MS + 1), ""));
	CHECK(s.has);
}

static const struct unit_case cases[] = {
	{"everything-undone", test_everything_undone},
	{"split-across-writes", test_split_across_writes},
	{"program-cleaned-up", test_program_cleaned_up},
	{"sgr", test_sgr},
	{"bounded", test_bounded},
	{"resets", test_resets},
	{"sync-whole", test_sync_whole},
	{"sync-split-anywhere", test_sync_split_anywhere},
	{"sync-partial-gives-up", test_sync_partial_gives_up},
	{"sync-escape-at-once", test_sync_escape_at_once},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
