/* telly attach's overlay (clients/overlay.h) against a terminal: the
 * bytes it writes and the program's output go into one libvterm (the
 * person's terminal), the program's output alone into another (the
 * truth). With predictions drawn the terminal shows them at the cursor;
 * once they are taken off it equals the truth cell for cell, attributes,
 * cursor and pen included. */
#include <stdio.h>
#include <string.h>
#include <vterm.h>

#include "overlay.h"
#include "unit.h"

#define ROWS 6
#define COLS 40
#define RAW_ECHOING (RP_CTX_ISIG | RP_CTX_IEXTEN | RP_CTX_OPOST | RP_CTX_ICRNL)

struct fx {
	VTerm *term, *truth;
	struct telly_overlay *o;
	uint32_t seq;
	long now;
	char sent[4096]; /* the overlay's own bytes, the last ones kept */
	size_t nsent;
	size_t total; /* the overlay's own bytes, all */
};

static void to_term(void *ctx, const void *buf, size_t n)
{
	struct fx *f = ctx;

	vterm_input_write(f->term, buf, n);
	f->total += n;
	if (n > sizeof f->sent - 1)
		n = sizeof f->sent - 1;
	if (f->nsent + n > sizeof f->sent - 1)
		f->nsent = 0;
	memcpy(f->sent + f->nsent, buf, n);
	f->nsent += n;
	f->sent[f->nsent] = 0;
}

static VTerm *vt(void)
{
	VTerm *v = vterm_new(ROWS, COLS);
	vterm_set_utf8(v, 1);
	vterm_screen_reset(vterm_obtain_screen(v), 1);
	return v;
}

/* Output of the program as attach gives it: overlay off, to the
 * terminal, then to the model; to the truth. */
static void out(struct fx *f, const char *s)
{
	telly_overlay_output_begin(f->o);
	vterm_input_write(f->term, s, strlen(s));
	telly_overlay_output_end(f->o, s, strlen(s));
	vterm_input_write(f->truth, s, strlen(s));
}

static void show(struct fx *f)
{
	telly_overlay_show(f->o, f->now);
}

static void type(struct fx *f, const char *s)
{
	telly_overlay_keys(f->o, ++f->seq, s, strlen(s), f->now);
	show(f);
}

static void answer(struct fx *f, const char *echo)
{
	f->now += 200;
	telly_overlay_ack(f->o, f->seq, f->now);
	out(f, echo);
	telly_overlay_consumed(f->o, f->seq);
	show(f);
}

static void setup(struct fx *f)
{
	struct rp_context c = {.flags = RAW_ECHOING, .pgid = 9, .comm = {"bash", 4}};

	memset(f, 0, sizeof *f);
	f->term = vt();
	f->truth = vt();
	f->o = telly_overlay_create(ROWS, COLS, PRED_ALWAYS, to_term, f);
	f->now = 1000;
	out(f, "$ ");
	telly_overlay_context(f->o, &c);
	show(f);
	/* "$ aaa": three keys, at least what proves a context */
	_Static_assert(3 >= PRED_PROVE_RIGHT, "setup proves the context");
	for (int i = 0; i < 3; i++) {
		type(f, "a");
		answer(f, "a");
	}
}

static void teardown(struct fx *f)
{
	telly_overlay_destroy(f->o);
	vterm_free(f->term);
	vterm_free(f->truth);
}

static VTermScreenCell cell(VTerm *v, int row, int col)
{
	VTermScreenCell c;

	vterm_screen_get_cell(vterm_obtain_screen(v), (VTermPos){row, col}, &c);
	return c;
}

static VTermPos cursor(VTerm *v)
{
	VTermPos p;

	vterm_state_get_cursorpos(vterm_obtain_state(v), &p);
	return p;
}

/* The terminal shows exactly the truth: every cell, its attributes and
 * colours, the cursor and the pen. */
static bool same_as_truth(struct fx *f)
{
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++) {
			VTermScreenCell a = cell(f->term, r, c), b = cell(f->truth, r, c);
			if (a.chars[0] != b.chars[0] || a.width != b.width ||
			    memcmp(&a.attrs, &b.attrs, sizeof a.attrs) ||
			    !vterm_color_is_equal(&a.fg, &b.fg) || !vterm_color_is_equal(&a.bg, &b.bg)) {
				fprintf(stderr, "cell %d,%d: %x/%d vs %x/%d\n", r, c, a.chars[0], a.width, b.chars[0], b.width);
				return false;
			}
		}
	VTermPos a = cursor(f->term), b = cursor(f->truth);
	if (a.row != b.row || a.col != b.col) {
		fprintf(stderr, "cursor %d,%d vs %d,%d\n", a.row, a.col, b.row, b.col);
		return false;
	}
	VTermValue x, y;
	vterm_state_get_penattr(vterm_obtain_state(f->term), VTERM_ATTR_FOREGROUND, &x);
	vterm_state_get_penattr(vterm_obtain_state(f->truth), VTERM_ATTR_FOREGROUND, &y);
	return vterm_color_is_equal(&x.color, &y.color);
}

static uint32_t char_at(VTerm *v, int row, int col)
{
	return cell(v, row, col).chars[0];
}

/* Drawn: the predicted character at the cursor, the cursor after it;
 * answered: the terminal is the truth again. */
static void test_drawn_then_answered(void)
{
	struct fx f;

	setup(&f);
	type(&f, "b");
	CHECK_EQ(char_at(f.term, 0, 5), 'b');
	CHECK_EQ(cursor(f.term).col, 6);
	CHECK_EQ(char_at(f.truth, 0, 5), 0);
	answer(&f, "b");
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* less on the alternate screen showing page (its prompt context known). */
static void less_open(struct fx *f, const char *page)
{
	struct rp_context c = {.flags = RP_CTX_ISIG | RP_CTX_OPOST, .pgid = 12, .comm = {"less", 4}};

	memset(f, 0, sizeof *f);
	f->term = vt();
	f->truth = vt();
	f->o = telly_overlay_create(ROWS, COLS, PRED_ALWAYS, to_term, f);
	f->now = 1000;
	out(f, "\033[?1049h");
	out(f, page);
	telly_overlay_context(f->o, &c);
	show(f);
}

/* less's back one line: a page of cells drawn (every row moved down,
 * the top one seen before), all of it the truth once less answers. */
static void test_less_page(void)
{
	struct fx f;

	less_open(&f, "\033[H\033[2Jline 1\r\nline 2\r\nline 3\r\nline 4\r\nline 5\r\n:");
	type(&f, "j");
	answer(&f, "\033[H\033[2Jline 2\r\nline 3\r\nline 4\r\nline 5\r\nline 6\r\n:");
	type(&f, "k");
	CHECK_EQ(char_at(f.term, 0, 5), '1');
	CHECK_EQ(char_at(f.term, 4, 5), '5');
	CHECK_EQ(char_at(f.truth, 0, 5), '2');
	answer(&f, "\033[H\033[2Jline 1\r\nline 2\r\nline 3\r\nline 4\r\nline 5\r\n:");
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* less's page drawn in the pen it was kept in: a bold row bold, a red
 * one red, none of it underlined though the round trip (200 ms) flags
 * typed characters; before, plain and all underlined. */
static void test_less_page_pen(void)
{
	struct fx f;
	VTermScreenCell c;

	less_open(&f, "\033[H\033[2J\033[1mline 1\033[m\r\n\033[31mline 2\033[m\r\nline 3\r\n"
		      "line 4\r\nline 5\r\n:");
	type(&f, "j");
	answer(&f, "\033[H\033[2J\033[31mline 2\033[m\r\nline 3\r\nline 4\r\nline 5\r\nline 6\r\n:");
	type(&f, "k");
	CHECK_EQ(char_at(f.term, 0, 5), '1');
	c = cell(f.term, 0, 0);
	CHECK(c.attrs.bold && !c.attrs.underline);
	CHECK(VTERM_COLOR_IS_DEFAULT_FG(&c.fg));
	c = cell(f.term, 1, 5);
	CHECK_EQ(c.chars[0], '2');
	CHECK(!c.attrs.bold && !c.attrs.underline);
	CHECK(VTERM_COLOR_IS_INDEXED(&c.fg) && c.fg.indexed.idx == 1);
	c = cell(f.term, 4, 5);
	CHECK_EQ(c.chars[0], '5');
	CHECK(!c.attrs.underline && VTERM_COLOR_IS_DEFAULT_FG(&c.fg));
	answer(&f, "\033[H\033[2J\033[1mline 1\033[m\r\n\033[31mline 2\033[m\r\nline 3\r\nline 4\r\n"
		   "line 5\r\n:");
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* less's page drawn as runs: a cursor move and a pen a row, not a cell
 * (a page of 50x200 cost 64 KB to draw and 94 KB to take off before),
 * and the true page back after, as the program drew it. */
static void page_of(char *b, int top)
{
	b += sprintf(b, "\033[H\033[2J");
	for (int r = 0; r < ROWS - 1; r++) {
		b += sprintf(b, "row %d ", top + r);
		for (int i = 0; i < 30; i++)
			*b++ = (char)('a' + (top + r + i) % 26);
		b += sprintf(b, "\r\n");
	}
	sprintf(b, ":");
}

static void test_less_page_in_runs(void)
{
	char page[ROWS * (COLS + 16)];
	struct fx f;
	size_t drawn, taken_off;

	page_of(page, 1);
	less_open(&f, page);
	type(&f, "j");
	page_of(page, 2);
	answer(&f, page);
	f.total = 0;
	type(&f, "k");
	drawn = f.total;
	CHECK_EQ(char_at(f.term, 0, 4), '1');
	CHECK_EQ(char_at(f.truth, 0, 4), '2');
	/* The answer comes: the page taken off before it. */
	page_of(page, 1);
	f.now += 200;
	telly_overlay_ack(f.o, f.seq, f.now);
	f.total = 0;
	out(&f, page);
	taken_off = f.total;
	telly_overlay_consumed(f.o, f.seq);
	show(&f);
	CHECK(same_as_truth(&f));
	/* Each of the page's rows is 36 cells that changed. */
	CHECK(drawn < (size_t)(ROWS - 1) * (36 + 24) + 64);
	CHECK(taken_off < (size_t)(ROWS - 1) * (36 + 24) + 64);
	teardown(&f);
}

/* Wrong: what the program showed instead, and nothing of the guess. */
static void test_wrong_rolled_back(void)
{
	struct fx f;

	setup(&f);
	type(&f, "bc");
	CHECK_EQ(char_at(f.term, 0, 6), 'c');
	answer(&f, "X");
	CHECK_EQ(char_at(f.term, 0, 5), 'X');
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* The program's pen and colours under the overlay come back: its next
 * character is in its colour, the cells repainted in theirs. */
static void test_pen_and_cells_restored(void)
{
	struct fx f;

	setup(&f);
	out(&f, "\033[1;31mR\033[44m");
	show(&f);
	type(&f, "q"); /* drawn in the overlay's own pen */
	CHECK_EQ(char_at(f.term, 0, 6), 'q');
	out(&f, "Z"); /* output before the answer: the overlay comes off */
	CHECK(same_as_truth(&f));
	show(&f);
	telly_overlay_hide(f.o);
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* Insert mode (IRM) on in the program: the overlay's cells do not push
 * the line right. Origin mode on: nothing drawn. */
static void test_irm_and_decom(void)
{
	struct fx f;

	setup(&f);
	type(&f, "\033[D");
	answer(&f, "\b");
	type(&f, "X");
	answer(&f, "\033[1@X"); /* it inserts: learned */
	out(&f, "\033[4h");
	show(&f);
	type(&f, "Y");
	CHECK_EQ(char_at(f.term, 0, 5), 'Y');
	CHECK_EQ(char_at(f.term, 0, 6), 'a');
	CHECK_EQ(char_at(f.term, 0, 7), 0);
	answer(&f, "Y");
	CHECK(same_as_truth(&f));
	out(&f, "\033[4l\033[?6h");
	show(&f);
	type(&f, "c");
	CHECK(same_as_truth(&f)); /* nothing drawn */
	teardown(&f);
}

/* Wide characters: drawn two columns wide, and a wide one under the
 * overlay repainted whole. */
static void test_wide(void)
{
	struct fx f;

	setup(&f);
	type(&f, "\xe5\xad\x97");
	CHECK_EQ(char_at(f.term, 0, 5), 0x5b57);
	CHECK_EQ(cursor(f.term).col, 7);
	answer(&f, "\xe5\xad\x97");
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* Something else drawn over the last row (the link's status line, in
 * reverse video, the cursor saved and put back around it): the row
 * repainted from the model is the program's again, coloured cells, wide
 * ones and erased ones alike, with a prediction drawn or not. */
static void test_status_row_repainted(void)
{
	static const char status[] = "\0337\033[999;1H\033[0;7m[telly: link down 3 s, retrying]"
				     "\033[0m\033[K\0338";
	struct fx f;

	setup(&f);
	out(&f, "\033[6;1H\033[32mgreen\033[0m \xe4\xb8\xad wide\033[6;30Hend\033[1;3H");
	show(&f);
	vterm_input_write(f.term, status, sizeof status - 1);
	CHECK_EQ(char_at(f.term, ROWS - 1, 1), 't');
	telly_overlay_repaint_row(f.o, -1);
	CHECK(same_as_truth(&f));
	type(&f, "x"); /* a prediction drawn, then the status line over it all */
	vterm_input_write(f.term, status, sizeof status - 1);
	telly_overlay_repaint_row(f.o, ROWS - 1);
	show(&f);
	telly_overlay_hide(f.o);
	CHECK(same_as_truth(&f));
	telly_overlay_repaint_row(f.o, ROWS); /* out of the screen: nothing */
	telly_overlay_repaint_row(f.o, -ROWS - 1);
	CHECK(same_as_truth(&f));
	teardown(&f);
}

/* An answer held whole on a terminal with synchronized updates: the
 * update stays open across the overlay's drawing and a status row, and
 * the next show once the hold ends closes it. */
static void test_hold_keeps_update_open(void)
{
	struct fx f;

	setup(&f);
	f.nsent = 0;
	telly_overlay_hold(f.o, true);
	CHECK(strstr(f.sent, "\033[?2026h") != NULL);
	CHECK(telly_overlay_holding(f.o) && telly_overlay_syncing(f.o));
	out(&f, "x");
	type(&f, "b");
	telly_overlay_repaint_row(f.o, -1);
	CHECK(strstr(f.sent, "\033[?2026l") == NULL);
	telly_overlay_hold(f.o, false);
	show(&f);
	CHECK(strstr(f.sent, "\033[?2026l") != NULL);
	CHECK(!telly_overlay_syncing(f.o));
	teardown(&f);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"drawn-then-answered", test_drawn_then_answered},
		{"less-page", test_less_page},
		{"less-page-in-runs", test_less_page_in_runs},
		{"less-page-pen", test_less_page_pen},
		{"wrong-rolled-back", test_wrong_rolled_back},
		{"pen-and-cells-restored", test_pen_and_cells_restored},
		{"irm-and-decom", test_irm_and_decom},
		{"wide", test_wide},
		{"status-row-repainted", test_status_row_repainted},
		{"hold-keeps-update-open", test_hold_keeps_update_open},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
