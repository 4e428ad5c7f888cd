/* Unit tests of the daemon's copy of each session's screen
 * (clients/serve/screen.c): snapshots (a snapshot fed to a fresh screen
 * reproduces the text, colours and cursor), bounded scrollback and costly
 * output; the screen checked against libvterm's own screen layer, and its
 * plain-text path against its libvterm path, on random streams of text and
 * sequences; a lazy screen against an eager one.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "screen.h"
#include "vtfilter.h"
#include "unit.h"

static void snapshot_reproduces_screen(void)
{
	struct screen *a = screen_create(5, 20, 100, 1 << 16);
	struct screen *b = screen_create(5, 20, 100, 1 << 16);
	struct screen_bytes snap = {0};
	const char *out = "old 1\r\nold 2\r\nold 3\r\n\033[1;31mred\033[0m plain "
			  "\033[38;2;1;2;3mrgb\033[0m\r\n\xe2\x82\xac\xe6\x97\xa5 wide\r\nlast\033[2;3H";
	char ta[64], tb[64];

	screen_feed(a, out, strlen(out));
	screen_snapshot(a, 100, &snap);
	CHECK_EQ(snap.err, 0);
	screen_feed(b, snap.p, snap.len);
	for (int y = 0; y < 5; y++) {
		screen_row_text(a, y, ta, sizeof ta);
		screen_row_text(b, y, tb, sizeof tb);
		if (strcmp(ta, tb)) {
			fprintf(stderr, "row %d: '%s' became '%s'\n", y, ta, tb);
			failures++;
		}
	}
	screen_row_text(b, 0, tb, sizeof tb);
	CHECK(!strcmp(tb, "old 2"));
	screen_row_text(b, 2, tb, sizeof tb);
	CHECK(!strcmp(tb, "red plain rgb"));
	/* attributes come along: SGR 1;31 and the truecolour are in it */
	CHECK(memmem(snap.p, snap.len, "\033[0;1;38;5;1mred", 16) != NULL);
	CHECK(memmem(snap.p, snap.len, ";38;2;1;2;3m", 12) != NULL);
	/* the lines scrolled off are printed first, for the terminal's history */
	CHECK(memmem(snap.p, snap.len, "old 1", 5) != NULL);
	/* and the cursor ends where it was */
	CHECK(memmem(snap.p, snap.len, "\033[2;3H\033[?25h", 12) != NULL);
	screen_bytes_finish(&snap);
	screen_destroy(a);
	screen_destroy(b);
	screen_destroy(NULL);
}

static void scrollback_bounded(void)
{
	struct screen *s = screen_create(3, 10, 4, 1 << 16);
	struct screen_bytes snap = {0};
	char line[32];

	for (int i = 0; i < 50; i++) {
		int n = snprintf(line, sizeof line, "L%d\r\n", i);
		screen_feed(s, line, (size_t)n);
	}
	screen_snapshot(s, 100, &snap);
	/* 4 lines of scrollback kept: L44..L47 (L48, L49 and a blank on screen) */
	CHECK(memmem(snap.p, snap.len, "L43", 3) == NULL);
	CHECK(memmem(snap.p, snap.len, "L44", 3) != NULL);
	screen_bytes_finish(&snap);
	screen_destroy(s);
}

/* A terminal fed a snapshot has the same history as the screen it came
 * from, line for line: a screen fed it gives the same snapshot again
 * (with fewer lines of history than rows, and with more). */
static void snapshot_history_exact(void)
{
	for (int lines = 2; lines <= 40; lines += 19) {
		struct screen *a = screen_create(5, 20, 100, 1 << 16);
		struct screen *b = screen_create(5, 20, 100, 1 << 16);
		struct screen_bytes sa = {0}, sb = {0};
		char line[32];

		for (int i = 0; i < lines + 4; i++) {
			int n = snprintf(line, sizeof line, "L%d.\r\n", i);
			screen_feed(a, line, (size_t)n);
		}
		screen_snapshot(a, 100, &sa);
		screen_feed(b, sa.p, sa.len);
		screen_snapshot(b, 100, &sb);
		if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
			fprintf(stderr, "%d lines: the snapshot of a snapshot differs (%zu, %zu bytes)\n",
				lines, sa.len, sb.len);
			failures++;
		}
		screen_bytes_finish(&sa);
		screen_bytes_finish(&sb);
		screen_destroy(a);
		screen_destroy(b);
	}
}

/* A session's scrollback bound is megabytes, and most never fill it: the
 * room is made as lines scroll in, with every line kept up to the bound
 * (on the plain path, which skips what cannot show, and off it), and a
 * screen made smaller keeps every line it pushes into its history. */
static void scrollback_made_as_used(void)
{
#ifndef __SANITIZE_ADDRESS__ /* ASan's allocations are not in mallinfo */
	{
		struct mallinfo2 before = mallinfo2(), after;
		struct screen *s[16];
		for (int i = 0; i < 16; i++)
			s[i] = screen_create(24, 80, 2000, 4u << 20);
		after = mallinfo2();
		/* 2000 lines of 80 cells: 3.8 MB each when made at once */
		CHECK(after.uordblks + after.hblkhd - before.uordblks - before.hblkhd < 16u << 20);
		for (int i = 0; i < 16; i++)
			screen_destroy(s[i]);
	}
#endif
	for (int fast = 0; fast < 2; fast++) {
		struct screen *s = screen_create(24, 80, 2000, 4u << 20);
		struct screen_bytes snap = {0}, in = {0};
		char line[32];

		screen_set_fast(s, fast);
		screen_feed(s, "\033[24;1H", 7); /* from the bottom row: each line scrolls */
		screen_row_text(s, 0, line, sizeof line);
		for (int i = 0; i < 3000; i++) {
			int n = snprintf(line, sizeof line, "L%d\r\n", i);
			screen_bytes_put(&in, line, (size_t)n);
		}
		screen_feed(s, in.p, in.len);
		screen_snapshot(s, 5000, &snap);
		/* L2977-L2999 on the screen, the 2000 lines before them kept */
		CHECK(memmem(snap.p, snap.len, "L976", 4) == NULL);
		CHECK(memmem(snap.p, snap.len, "L977", 4) != NULL);
		CHECK(memmem(snap.p, snap.len, "L2500", 5) != NULL);
		screen_bytes_finish(&snap);
		screen_bytes_finish(&in);
		screen_destroy(s);
	}
	{
		struct screen *s = screen_create(24, 80, 2000, 4u << 20);
		struct screen_bytes snap = {0};
		char line[32];

		for (int i = 0; i < 30; i++) {
			int n = snprintf(line, sizeof line, "L%d\r\n", i);
			screen_feed(s, line, (size_t)n);
		}
		/* 7 lines in the history; 19 more pushed into it by the shrink */
		screen_resize(s, 5, 80);
		screen_snapshot(s, 100, &snap);
		CHECK(memmem(snap.p, snap.len, "L0", 2) != NULL);
		CHECK(memmem(snap.p, snap.len, "L25", 3) != NULL);
		screen_bytes_finish(&snap);
		screen_destroy(s);
	}
}

/* A byte can cost a whole screen (insert-line at the top moves every
 * row): whatever is fed, one call draws a bounded amount, skips and
 * counts the rest, and the screen goes on drawing what comes after. */
static void costly_output_bounded(void)
{
	struct screen *s = screen_create(500, 1000, 10, 1 << 20);
	static char flood[3 * 20000];
	char row[64];

	for (size_t i = 0; i < sizeof flood; i += 3)
		memcpy(flood + i, "\033[L", 3);
	for (int round = 0; round < 3; round++) {
		uint64_t before = screen_work(s);
		screen_feed(s, flood, sizeof flood);
		screen_settle(s);
		/* 20000 insert-lines would move 10^10 cells */
		CHECK(screen_work(s) - before < (uint64_t)200 << 20);
	}
	CHECK(screen_skipped(s) > 0);
	screen_feed(s, "\033[Hafter", 8);
	screen_row_text(s, 0, row, sizeof row);
	CHECK(!strcmp(row, "after"));
	screen_destroy(s);
}

/* Pieces of terminal output: plain lines and text, the sequences that
 * change how plain text is drawn, and others. */
static const char *const pieces[] = {
	"\r\n", "\n", "\r", "\t", "\b", "hello", "a longer line of plain text that wraps",
	"\033[1;31m", "\033[0m", "\033[38;5;200m", "\033[48;2;1;2;3m", "\033[4m\033[7m",
	"\033[5;10H", "\033[H", "\033[3;6r", "\033[r", "\033[4h", "\033[4l", "\033[20h",
	"\033[20l", "\033(B", "\016", "\017", "\033[?7l", "\033[?7h", "\0337",
	"\0338", "\033]2;a title\007", "\033P+q544e\033\\", "\xc3\xa9", "e\xcc\x81",
	"\xe4\xb8\xad", "\033[2J", "\033[K", "\033[1\"q", "\033[0\"q", "\033[?2J",
	"\033#6", "\033#5", "\033[?1049h", "\033[?1049l", "\033[?69h\033[3;9s", "\033[?69l",
	"\033[2L", "\033[3M", "\033[2@", "\033[P", "\033[S", "\033[T", "\033M", "\033[!p",
	"\033[31", "\033", "\033]0;x", "\030",
	/* Last, left out of the streams compared with libvterm's screen,
	 * where libvterm's result depends on how its writes were cut: a
	 * UTF-8 character cut short, and DEC graphics (which libvterm does
	 * not apply to ASCII written in the same write as a UTF-8 character). */
	"\033(0", "\xe4",
};

/* Text streams: source code and logs (plain lines with tabs and UTF-8:
 * the ends of the ranges the plain path draws itself, a line separator),
 * with what changes how they are drawn: tab stops, colours, cursor moves,
 * a reset; and, with quirks, a character cut short. Combining marks and
 * wide characters just past the ranges are left to
 * characters-match-libvterm. */
static const char *const utf8_samples[] = {
	"\u00a0", "\u00e9", "\u02ff", "\u0370", "\u0482", "\u048a", "\u052f", "\u2010",
	"\u2027", "\u2028", "\u2030", "\u205e", "\u2190", "\u22ff", "\u2500", "\u259f",
};
static const char *const text_pieces[] = {
	"\r\n", "\t", "\033H", "\033[3g", "\033[g", "\033[1;31m", "\033[0m", "\033[5;10H",
	"\033[H", "\033[2J", "\033[K", "\u00e9", "\n", "\r", "\033c", "\xe4",
};

static void random_stream(unsigned seed, bool quirks, int plain_pct, bool text,
			  struct screen_bytes *out)
{
	size_t npieces = sizeof pieces / sizeof pieces[0] - (quirks ? 0 : 2);

	if (text)
		npieces = sizeof text_pieces / sizeof text_pieces[0] - (quirks ? 0 : 1);
	srand(seed);
	for (int i = 0; i < 3000; i++) {
		int r = rand() % 100;
		if (r < plain_pct && text) {
			char line[256];
			int n = rand() % 60, len = 0;
			for (int k = 0; k < n; k++) {
				int x = rand() % 30;
				const char *u = utf8_samples[(size_t)rand() % (sizeof utf8_samples /
									  sizeof utf8_samples[0])];
				if (x == 0) {
					line[len++] = '\t';
				} else if (x == 1) {
					memcpy(line + len, u, strlen(u));
					len += (int)strlen(u);
				} else {
					line[len++] = (char)(' ' + rand() % 95);
				}
			}
			screen_bytes_put(out, line, (size_t)len);
			screen_bytes_put(out, "\r\n", 2);
		} else if (r < plain_pct) { /* plain lines dominate real output */
			char line[128];
			int n = rand() % 60;
			for (int k = 0; k < n; k++)
				line[k] = (char)(' ' + rand() % 95);
			screen_bytes_put(out, line, (size_t)n);
			screen_bytes_put(out, "\r\n", 2);
		} else if (r == 99 && rand() % 8 == 0) {
			screen_bytes_put(out, "\033c", 2);
		} else {
			const char *p = text ? text_pieces[(size_t)rand() % npieces]
					     : pieces[(size_t)rand() % npieces];
			screen_bytes_put(out, p, strlen(p));
		}
	}
}

static void text_of(VTermScreen *vs, int y, int cols, char *buf, size_t n)
{
	VTermRect r = {.start_row = y, .end_row = y + 1, .start_col = 0, .end_col = cols};
	size_t len = vterm_screen_get_text(vs, buf, n - 1, r);

	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
}

/* How many bytes at the end of p[0..n) start a UTF-8 character that is
 * not complete: libvterm's own screen is only given whole characters
 * (it mangles one cut between two writes; struct screen holds it back). */
static size_t cut_utf8(const char *p, size_t n)
{
	for (size_t i = 1; i <= 3 && i <= n; i++) {
		unsigned char c = (unsigned char)p[n - i];
		if ((c & 0xc0) == 0x80)
			continue;
		return c >= 0xc0 && (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u) > i ? i : 0;
	}
	return 0;
}

static void to_vterm(void *ctx, const void *p, size_t n)
{
	vterm_input_write(ctx, p, n);
}

/* The same stream, cut into random chunks (some of a byte or two),
 * through our screen with the plain-text path and without it: the two
 * must give the same snapshot byte for byte (attributes, scrollback,
 * cursor, modes) and the same rows all along. Without quirks (below) the
 * rows must also be those of libvterm's own screen layer; with them, the
 * stream has what libvterm renders differently depending on where its
 * writes were cut, and resizes (where libvterm 0.1.4's own screen layer
 * can overrun its buffer). Batched: mostly plain lines in large chunks,
 * looked at only now and then, so the screen draws batches longer than
 * its ring (where the plain path skips what would scroll out of it). */
static void compare_screens(bool quirks, bool batched, bool text)
{
	for (unsigned seed = 1; seed <= 40; seed++) {
		struct screen_bytes in = {0}, sa = {0}, sb = {0};
		int rows = 6 + (int)seed % 5, cols = 12 + (int)seed % 30;
		struct screen *a = screen_create(rows, cols, 30, 1 << 20);
		struct screen *b = screen_create(rows, cols, 30, 1 << 20);
		VTerm *vt = quirks ? NULL : vterm_new(rows, cols);
		VTermScreen *vs = vt ? vterm_obtain_screen(vt) : NULL;
		struct kpty_vtfilter ref; /* libvterm is given what struct screen lets through */
		size_t ref_off = 0;
		int bad = 0;

		if (vt) {
			CHECK(kpty_vtfilter_init(&ref, to_vterm, vt));
			kpty_vtfilter_set_cols(&ref, cols);
			vterm_set_utf8(vt, 1);
			vterm_screen_enable_altscreen(vs, 1);
			vterm_screen_reset(vs, 1);
		}
		screen_set_fast(b, false);
		random_stream(seed, quirks, batched ? (text ? 99 : 97) : 40, text, &in);
		for (size_t off = 0; off < in.len && !bad;) {
			size_t k = rand() % 4 ? 1 + (size_t)rand() % (batched ? 20000 : 300)
					      : 1 + (size_t)rand() % 3;
			if (k > in.len - off)
				k = in.len - off;
			screen_feed(a, in.p + off, k);
			screen_feed(b, in.p + off, k);
			off += k;
			if (vt) {
				k = off - cut_utf8(in.p, off) - ref_off;
				kpty_vtfilter_feed(&ref, in.p + ref_off, k);
				ref_off += k;
			} else if (rand() % 40 == 0) {
				rows = 4 + rand() % 8, cols = 10 + rand() % 40;
				screen_resize(a, rows, cols);
				screen_resize(b, rows, cols);
			}
			if (batched && rand() % 8)
				continue;
			if (batched) { /* scrollback too: what the plain path skipped */
				screen_snapshot(a, 100, &sa);
				screen_snapshot(b, 100, &sb);
				if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
					fprintf(stderr, "seed %u, %zu bytes in: snapshots differ\n", seed, off);
					bad = 1;
				}
				screen_bytes_finish(&sa);
				screen_bytes_finish(&sb);
			}
			for (int y = 0; y < rows; y++) {
				char ta[512], tb[512], tv[512] = "";
				screen_row_text(a, y, ta, sizeof ta);
				screen_row_text(b, y, tb, sizeof tb);
				if (vt)
					text_of(vs, y, cols, tv, sizeof tv);
				if (strcmp(ta, tb) || (vt && strcmp(tb, tv))) {
					fprintf(stderr, "seed %u, %zu bytes in, row %d:\n plain path '%s'\n"
						" libvterm path '%s'\n libvterm's screen '%s'\n",
						seed, off, y, ta, tb, tv);
					bad = 1;
					break;
				}
			}
		}
		screen_snapshot(a, 100, &sa);
		screen_snapshot(b, 100, &sb);
		if (!bad && (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len))) {
			fprintf(stderr, "seed %u: snapshots differ\n", seed);
			bad = 1;
		}
		failures += bad;
		screen_bytes_finish(&in);
		screen_bytes_finish(&sa);
		screen_bytes_finish(&sb);
		screen_destroy(a);
		screen_destroy(b);
		if (vt) {
			vterm_free(vt);
			kpty_vtfilter_finish(&ref);
		}
	}
}

static void screen_matches_libvterm(void)
{
	compare_screens(false, false, false);
}

static void text_matches_libvterm(void)
{
	compare_screens(false, false, true);
	compare_screens(false, true, true);
}

static void text_path_matches_with_quirks(void)
{
	compare_screens(true, false, true);
}

/* Every character from U+00A0 to U+25FF, sixteen to a line, each after a
 * space (for the combining marks), as libvterm draws them: the plain path
 * takes those it knows to be narrow. */
static void characters_match_libvterm(void)
{
	struct screen *a = screen_create(4, 60, 10, 1 << 16);
	struct screen *b = screen_create(4, 60, 10, 1 << 16);
	VTerm *vt = vterm_new(4, 60);
	VTermScreen *vs = vterm_obtain_screen(vt);

	screen_set_fast(b, false);
	vterm_set_utf8(vt, 1);
	vterm_screen_reset(vs, 1);
	for (uint32_t c = 0xa0; c < 0x2600; c += 16) {
		char line[96], ta[256], tv[256];
		size_t n = 0;
		for (uint32_t k = c; k < c + 16; k++) {
			if (k >= 0xd800 && k < 0xe000)
				continue;
			n += k < 0x800 ? (size_t)sprintf(line + n, " %c%c", 0xc0 | k >> 6, 0x80 | (k & 63))
				       : (size_t)sprintf(line + n, " %c%c%c", 0xe0 | k >> 12,
							 0x80 | ((k >> 6) & 63), 0x80 | (k & 63));
		}
		n += (size_t)sprintf(line + n, "x\r\n");
		struct screen_bytes sa = {0}, sb = {0};
		/* then a bar at column 50 on that line: the blanks before it
		 * say how many cells the characters took */
		static const char bar[] = "\033[A\033[50G|\r\n";
		screen_feed(a, line, n);
		screen_feed(b, line, n);
		vterm_input_write(vt, line, n);
		screen_feed(a, bar, sizeof bar - 1);
		screen_feed(b, bar, sizeof bar - 1);
		vterm_input_write(vt, bar, sizeof bar - 1);
		screen_row_text(a, 2, ta, sizeof ta);
		text_of(vs, 2, 60, tv, sizeof tv);
		screen_snapshot(a, 0, &sa);
		screen_snapshot(b, 0, &sb);
		bool same = sa.len == sb.len && !memcmp(sa.p, sb.p, sa.len);
		screen_bytes_finish(&sa);
		screen_bytes_finish(&sb);
		if (strcmp(ta, tv) || !same) {
			fprintf(stderr, "U+%04X..: '%s', libvterm '%s'%s\n", (unsigned)c, ta, tv,
				same ? "" : ", snapshots differ");
			failures++;
			break;
		}
	}
	screen_destroy(a);
	screen_destroy(b);
	vterm_free(vt);
}

/* Where a line that fills its row leaves a pending wrap, and what ends
 * it, as libvterm has it: a line feed that scrolls keeps it (the next
 * character starts a new row), one that moves the cursor down cancels it,
 * as do CR and a line feed in newline mode; a tab at the last column keeps
 * it. Each stream's first line (through libvterm) puts the cursor in
 * column 0; the rest is plain text. */
static void wraps_match_libvterm(void)
{
	static const char *const streams[] = {
		"\033[1;1H\n123456789\nab\r\n",	 "\033[3;1H\n123456789\nab\r\n",
		"\033[20h\033[1;1H\n123456789\nab\r\n", "\033[20h\033[3;1H\n123456789\nab\r\n",
		"\033[3;1H\n1234567\t\nab\r\n",	 "\033[3;1H\n123456789\tab\r\n",
		"\033[3;1H\n123456789\rab\r\n",	 "\033[1;1H\n123456789\n\nab\r\n",
	};
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		struct screen *a = screen_create(4, 9, 10, 1 << 16);
		struct screen *b = screen_create(4, 9, 10, 1 << 16);
		VTerm *vt = vterm_new(4, 9);
		VTermScreen *vs = vterm_obtain_screen(vt);
		struct screen_bytes sa = {0}, sb = {0};
		size_t n = strlen(streams[i]);

		screen_set_fast(b, false);
		vterm_set_utf8(vt, 1);
		vterm_screen_reset(vs, 1);
		screen_feed(a, streams[i], n);
		screen_feed(b, streams[i], n);
		vterm_input_write(vt, streams[i], n);
		for (int y = 0; y < 4; y++) {
			char ta[64], tv[64];
			screen_row_text(a, y, ta, sizeof ta);
			text_of(vs, y, 9, tv, sizeof tv);
			if (strcmp(ta, tv)) {
				fprintf(stderr, "stream %zu, row %d: '%s', libvterm '%s'\n", i, y, ta, tv);
				failures++;
			}
		}
		screen_snapshot(a, 100, &sa);
		screen_snapshot(b, 100, &sb);
		if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
			fprintf(stderr, "stream %zu: snapshots differ\n", i);
			failures++;
		}
		screen_bytes_finish(&sa);
		screen_bytes_finish(&sb);
		screen_destroy(a);
		screen_destroy(b);
		vterm_free(vt);
	}
}

/* Lines much longer than the ring, drawn with the plain path (which drops
 * the lines that would scroll out of the ring as they come, and skips
 * them when it draws) and by libvterm: the same screen and scrollback,
 * whatever the lines (tabs, UTF-8, wraps, FF; bold and wide characters,
 * which the plain path leaves to libvterm), however the output is cut
 * into feeds, and with a bare line feed (the next line starts where it
 * left the column) or a form feed at each distance from the end. */
static void skipped_lines_keep_scrollback(void)
{
	static const char *const forms[] = {
		"L%03d\r\n", "L%03d\t\t\txy\r\n", "L%03d \u00e9\u2500\tx\r\n",
		"L%03d abcdefghijklmnopqrstuvwxyz0123456789\r\n", "L%03d\t\u00e9\t\u00e9\t\u00e9\r\n",
		"L%03d\fx\r\n", "L%03d \033[1mbold\033[m\r\n", "L%03d \u4e2d\r\n",
	};
	for (int cols = 9; cols <= 33; cols += 4) {
		for (unsigned mix = 0; mix < 6 * 16; mix++) {
			struct screen *a = screen_create(3, cols, 5, 1 << 20);
			struct screen *b = screen_create(3, cols, 5, 1 << 20);
			struct screen_bytes in = {0}, sa = {0}, sb = {0};
			int at = (int)mix / 6; /* a bare LF or an FF this far from the end */
			char row[128];
			screen_set_fast(b, false);
			screen_feed(a, "\033[3;1H", 6); /* the bottom row */
			screen_feed(b, "\033[3;1H", 6);
			screen_row_text(a, 0, row, sizeof row);
			screen_row_text(b, 0, row, sizeof row);
			for (int i = 0; i < 200; i++) {
				char line[80];
				unsigned f = (i * 7 + mix % 6 * (unsigned)i / 3) % 5;
				if (mix % 6 > 2 && i % (int)(mix % 6 * 11) == 0) /* now and then */
					f = 5 + (unsigned)i % 3;
				if (at && i == 200 - at && mix % 3 == 1)
					f = 5;
				int n = snprintf(line, sizeof line, forms[f], i);
				if (at && i == 200 - at && mix % 3 == 0)
					line[n - 2] = '\n', n--;
				screen_bytes_put(&in, line, (size_t)n);
			}
			/* in feeds of 1 to 300 bytes, or all at once */
			for (size_t off = 0, k; off < in.len; off += k) {
				k = mix % 2 ? in.len : 1 + (off * 7 + mix) % 300;
				if (k > in.len - off)
					k = in.len - off;
				screen_feed(a, in.p + off, k);
				screen_feed(b, in.p + off, k);
			}
			screen_snapshot(a, 100, &sa);
			screen_snapshot(b, 100, &sb);
			if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
				fprintf(stderr, "%d columns, mix %u, %d lines from the end: "
					"snapshots differ\n", cols, mix % 6, at);
				failures++;
			}
			screen_bytes_finish(&in);
			screen_bytes_finish(&sa);
			screen_bytes_finish(&sb);
			screen_destroy(a);
			screen_destroy(b);
		}
	}
}

static void batched_plain_matches_libvterm(void)
{
	compare_screens(false, true, false);
}

static void plain_path_matches_with_quirks(void)
{
	compare_screens(true, false, false);
}

/* Feeds out to an eager and a lazy screen in the same random pieces, with
 * the same size changes, and compares their snapshots now and then: the
 * lazy one, built from the output it kept, must give the same bytes. */
static void lazy_against_eager(const struct screen_bytes *out, size_t keep, unsigned seed,
			       int resizes)
{
	struct screen *e = screen_create(24, 80, 24, 1 << 20);
	struct screen *l = screen_create_lazy(24, 80, 24, 1 << 20, keep);
	int compared = 0;

	srand(seed);
	for (size_t off = 0; off < out->len;) {
		size_t n = 1 + (size_t)rand() % 3000;
		int r = rand() % 100;
		if (n > out->len - off)
			n = out->len - off;
		screen_feed(e, out->p + off, n);
		screen_feed(l, out->p + off, n);
		off += n;
		if (r < 10)
			screen_settle(e);
		if (r >= 90 && resizes) {
			int rows = 5 + rand() % 40, cols = 10 + rand() % 150;
			screen_resize(e, rows, cols);
			screen_resize(l, rows, cols);
		}
		if (r % 7 == 0 || off == out->len) {
			struct screen_bytes a = {0}, b = {0};
			screen_snapshot(e, 1000, &a);
			screen_snapshot(l, 1000, &b);
			if (a.len != b.len || memcmp(a.p, b.p, a.len)) {
				size_t i = 0;
				while (i < a.len && i < b.len && a.p[i] == b.p[i])
					i++;
				fprintf(stderr, "seed %u, at %zu of %zu: snapshots differ from byte %zu "
					"(%zu and %zu bytes)\n", seed, off, out->len, i, a.len, b.len);
				failures++;
				off = out->len;
			}
			compared++;
			screen_bytes_finish(&a);
			screen_bytes_finish(&b);
		}
	}
	CHECK(compared > 0);
	screen_destroy(e);
	screen_destroy(l);
}

/* Everything kept: whatever the output and the size changes, a lazy
 * screen's snapshot is an eager one's. */
static void lazy_screen_matches_eager(void)
{
	for (unsigned seed = 1; seed <= 6; seed++) {
		struct screen_bytes out = {0};
		random_stream(seed, seed > 3, 60, seed % 2, &out);
		lazy_against_eager(&out, out.len + 1, seed, seed % 3);
		screen_bytes_finish(&out);
	}
}

/* A console's boot: coloured lines (more than the lazy screen keeps) and
 * a prompt, with the window changing size now and then: the lines kept
 * fill the screen and its scrollback, so the snapshot is the eager one's. */
static void lazy_screen_keeps_recent_lines(void)
{
	static const char *const tags[] = {"\033[0;32m  OK  \033[0m", "\033[0;1;31mFAILED\033[0m",
					   "\033[0;1;39mDEPEND\033[0m"};
	for (unsigned seed = 1; seed <= 4; seed++) {
		struct screen_bytes out = {0};
		char line[160];
		srand(seed);
		for (int i = 0; i < 2000; i++) {
			int n = snprintf(line, sizeof line, "[%s] Started unit number %d of the %s.\r\n",
					 tags[rand() % 3], i, seed % 2 ? "boot" : "b\u00f6\u00f6t\tlog");
			screen_bytes_put(&out, line, (size_t)n);
			if (rand() % 300 == 0)
				screen_bytes_put(&out, "\033[H\033[2J", 7);
		}
		screen_bytes_put(&out, "\r\nhost login: ", 14);
		lazy_against_eager(&out, 8192 * seed, seed, 1);
		screen_bytes_finish(&out);
	}
}

/* The output kept starts at a line: the oldest line a lazy screen shows
 * is whole, not the end of one cut in the middle. And size changes past
 * what it keeps a record of let go of the output before them, not of
 * the sizes: with the lines since then on screen, the snapshot is still
 * the eager one's. */
static void lazy_screen_replays_whole_lines(void)
{
	struct screen *l = screen_create_lazy(24, 80, 24, 1 << 20, 800);
	struct screen *e = screen_create(24, 80, 24, 1 << 20);
	struct screen *m = screen_create_lazy(24, 80, 24, 1 << 20, 1 << 20);
	struct screen_bytes a = {0}, b = {0};
	char line[64], row[128];

	srand(7);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof line, "line %03d, 36 bytes and its CR LF: 38\r\n", i);
		for (int off = 0; off < n;) {
			int k = 1 + rand() % 17;
			k = k < n - off ? k : n - off;
			screen_feed(l, line + off, (size_t)k);
			off += k;
		}
	}
	/* 800 bytes: 21 lines of 38 bytes and the end of one, left out */
	screen_row_text(l, 0, row, sizeof row);
	CHECK(!strcmp(row, "line 079, 36 bytes and its CR LF: 38"));
	screen_row_text(l, 20, row, sizeof row);
	CHECK(!strcmp(row, "line 099, 36 bytes and its CR LF: 38"));
	/* A feed longer than the room left, cut right after a line: that
	 * line's successor is the first kept, whatever came before. */
	{
		struct screen *k = screen_create_lazy(24, 80, 24, 1 << 20, 64);
		char feed[104 + 1];
		memset(feed, 'x', 38);
		snprintf(feed + 38, sizeof feed - 38, "\r\nfirst kept\r\n%s",
			 "second line 0123456\r\nthird line 0123456\r\nfourth 89\r\n");
		CHECK_EQ(strlen(feed), 104);
		screen_feed(k, "abc", 3);
		screen_feed(k, feed, 104);
		screen_row_text(k, 0, row, sizeof row);
		CHECK(!strcmp(row, "first kept"));
		screen_destroy(k);
	}
	for (int seg = 0; seg < 12; seg++) {
		screen_resize(e, seg % 2 ? 30 : 24, seg % 2 ? 100 : 80);
		screen_resize(m, seg % 2 ? 30 : 24, seg % 2 ? 100 : 80);
		for (int i = 0; i < 60; i++) {
			int n = snprintf(line, sizeof line, "segment %d line %d\r\n", seg, i);
			screen_feed(e, line, (size_t)n);
			screen_feed(m, line, (size_t)n);
		}
	}
	screen_snapshot(e, 1000, &a);
	screen_snapshot(m, 1000, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	CHECK(memmem(b.p, b.len, "segment 11 line 59", 18) != NULL);
	screen_bytes_finish(&a);
	screen_bytes_finish(&b);
	screen_destroy(l);
	screen_destroy(e);
	screen_destroy(m);
}

/* A program that asked for mouse reports in SGR (1006, as vim and htop
 * do) gets them so from a desk that attaches later: the snapshot sets the
 * encoding with the mode, for eager and lazy screens, and forgets it when
 * the program resets it or the terminal. */
static void snapshot_keeps_mouse_encoding(void)
{
	static const struct {
		const char *out, *want, *not;
	} t[] = {
		{"\033[?1002h\033[?1006h", "\033[?1002h\033[?1006h", NULL},
		{"\033[?1000;1015h", "\033[?1015h", "\033[?1006h"},
		{"\033[?1000h\033[?1006h\033[?1006l", "\033[?1000h", "\033[?1006h"},
		{"\033[?1003h\033[?1005h\033[?1006h", "\033[?1006h", "\033[?1005h"},
		{"\033[?1000h\033[?1006h\033c", NULL, "\033[?1006h"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		for (int lazy = 0; lazy < 2; lazy++) {
			struct screen *s = lazy ? screen_create_lazy(5, 20, 10, 1 << 16, 4096)
						: screen_create(5, 20, 10, 1 << 16);
			struct screen_bytes snap = {0};

			screen_feed(s, t[i].out, strlen(t[i].out));
			screen_snapshot(s, 10, &snap);
			CHECK_EQ(snap.err, 0);
			if (t[i].want && !memmem(snap.p, snap.len, t[i].want, strlen(t[i].want))) {
				fprintf(stderr, "case %zu%s: no %s\n", i, lazy ? " (lazy)" : "", t[i].want + 1);
				failures++;
			}
			if (t[i].not && memmem(snap.p, snap.len, t[i].not, strlen(t[i].not))) {
				fprintf(stderr, "case %zu%s: has %s\n", i, lazy ? " (lazy)" : "", t[i].not + 1);
				failures++;
			}
			screen_bytes_finish(&snap);
			screen_destroy(s);
		}
	}
}

/* A program that restores the cursor (DECRC, or leaving the alternate
 * screen with 1049) before it ever saved it gets the cursor the screen
 * started with, as in xterm: libvterm 0.1.4 starts with a saved cursor
 * of zeros, and restored it hidden, writing black on black. The same
 * text with the restore and without it makes the same snapshot. */
static void restore_before_save(void)
{
	static const char *const restores[] = {"\0338", "\033[?1049l", "\033[?1048l"};

	for (size_t i = 0; i < sizeof restores / sizeof restores[0]; i++) {
		for (int lazy = 0; lazy < 2; lazy++) {
			struct screen *a = lazy ? screen_create_lazy(5, 20, 10, 1 << 16, 4096)
						: screen_create(5, 20, 10, 1 << 16);
			struct screen *b = screen_create(5, 20, 10, 1 << 16);
			struct screen_bytes sa = {0}, sb = {0};

			screen_feed(a, restores[i], strlen(restores[i]));
			screen_feed(a, "x", 1);
			screen_feed(b, "x", 1);
			screen_snapshot(a, 10, &sa);
			screen_snapshot(b, 10, &sb);
			if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
				fprintf(stderr, "%s%s: the snapshot differs\n", restores[i] + 1,
					lazy ? " (lazy)" : "");
				failures++;
			}
			screen_bytes_finish(&sa);
			screen_bytes_finish(&sb);
			screen_destroy(a);
			screen_destroy(b);
		}
	}
}

/* A program's saved cursor outlives a resize, as in xterm, whichever
 * way it was saved: the shell's prompt after a full-screen program the
 * window was resized under comes where the program was started (it came
 * where that program's cursor was at the resize), and a cursor saved
 * outside a smaller screen is restored at its edge, or where it was once
 * the screen is large again. */
static void saved_cursor_survives_resize(void)
{
	for (int lazy = 0; lazy < 2; lazy++) {
		struct screen *s = lazy ? screen_create_lazy(10, 20, 10, 1 << 16, 4096)
					: screen_create(10, 20, 10, 1 << 16);
		const char *vim = "$ ls\r\nfile\r\n$ vim\r\n\033[?1049h\033[H\033[2Jvim\033[9;1H:wq";
		const char *out = "\033[?1049l$ next";
		char t[64];

		screen_feed(s, vim, strlen(vim));
		screen_resize(s, 8, 20);
		screen_feed(s, out, strlen(out));
		screen_row_text(s, 3, t, sizeof t);
		CHECK(!strcmp(t, "$ next"));
		screen_feed(s, "\033[2J\033[8;15H\0337\033[H", 16);
		screen_resize(s, 4, 10);
		screen_feed(s, "\0338x", 3);
		screen_row_text(s, 3, t, sizeof t);
		CHECK(!strcmp(t, "         x"));
		screen_resize(s, 10, 20);
		screen_feed(s, "\0338y", 3);
		screen_row_text(s, 7, t, sizeof t);
		CHECK(!strcmp(t, "              y"));
		screen_destroy(s);
	}
}

static const struct unit_case cases[] = {
	{"snapshot-reproduces-screen", snapshot_reproduces_screen},
	{"scrollback-bounded", scrollback_bounded},
	{"snapshot-history-exact", snapshot_history_exact},
	{"scrollback-made-as-used", scrollback_made_as_used},
	{"costly-output-bounded", costly_output_bounded},
	{"screen-matches-libvterm", screen_matches_libvterm},
	{"plain-path-matches-with-quirks", plain_path_matches_with_quirks},
	{"batched-plain-matches-libvterm", batched_plain_matches_libvterm},
	{"characters-match-libvterm", characters_match_libvterm},
	{"wraps-match-libvterm", wraps_match_libvterm},
	{"skipped-lines-keep-scrollback", skipped_lines_keep_scrollback},
	{"text-matches-libvterm", text_matches_libvterm},
	{"text-path-matches-with-quirks", text_path_matches_with_quirks},
	{"lazy-screen-matches-eager", lazy_screen_matches_eager},
	{"lazy-screen-keeps-recent-lines", lazy_screen_keeps_recent_lines},
	{"lazy-screen-replays-whole-lines", lazy_screen_replays_whole_lines},
	{"snapshot-keeps-mouse-encoding", snapshot_keeps_mouse_encoding},
	{"restore-before-save", restore_before_save},
	{"saved-cursor-survives-resize", saved_cursor_survives_resize},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
