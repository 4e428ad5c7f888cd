/* A terminal surface: libvterm's screen layer holds the cells; this file
 * draws the rows it reports damaged, one row at a time: the background
 * as runs of boxes, the glyphs as one pixman_composite_glyphs call per
 * run of one colour (colour glyphs, emoji, as they come), then
 * underlines, strikethrough and the cursor. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "base.h"
#include "ds_int.h"
#include "rp.h"
#include "vtfilter.h"

#define DEFAULT_FG 0xe5e5e5u
#define DEFAULT_BG 0x1c1c1cu
#define MAX_ROWS RP_MAX_ROWS
#define MAX_COLS RP_MAX_COLS
/* A wide character needs two: libvterm 0.1.4's screen layer writes its
 * right half past a one-column row. */
#define MIN_COLS 2

struct ds_term {
	VTerm *vt;
	VTermScreen *screen;
	struct ds_font *font;
	int rows, cols, cw, ch;
	uint8_t *dirty; /* one per row */
	bool any_dirty, reverse;
	VTermPos cursor;
	bool cursor_visible;
	ds_term_out_fn out;
	void *ctx;
	pixman_glyph_t *glyphs; /* a row's worth */
	/* The session's output passes here before libvterm parses it. */
	struct kpty_vtfilter filter;
	bool filter_ok;
	char title[DS_TITLE_MAX_BYTES + 1];
	bool has_title;
	enum ds_mouse_mode mouse; /* what the program asked for (1000/1002/1003) */
	/* Scrollback: lines libvterm pushed off the primary screen, a ring
	 * of DS_SCROLLBACK_LINES (made at the first), newest at head - 1. */
	struct sb_line **sb;
	unsigned sb_head, sb_n;
	size_t sb_bytes;
	int scroll; /* lines of history shown above the screen (0: live) */
	/* The number of lines above the screen's top row since the start
	 * (pushed less popped): lines are numbered top_abs + row, so a
	 * selection stays on its text as lines scroll off. */
	int64_t top_abs;
	struct {
		bool on;
		enum ds_sel_unit unit;
		int64_t a_line, b_line; /* anchor and end, as the pointer went */
		int a_col, b_col;
		int64_t s_line, e_line; /* from s to e inclusive, unit applied */
		int s_col, e_col;
	} sel;
	ds_term_clip_fn osc52;
	void *osc52_ctx;
	/* Predictions over the live screen (ds_term_predict). */
	struct {
		int n, cap;
		struct ds_predicted *cells; /* cap of them */
		/* Which cell is predicted at row * at_cols + col (its index + 1;
		 * 0: none): a page of them (less's) is looked up cell by cell. */
		uint32_t *at_cell;
		int at_rows, at_cols;
		bool cursor, underline;
		VTermPos at;
	} pv;
};

/* A cell of history: what drawing it takes, in 16 bytes instead of
 * libvterm's 40 (combining marks are not kept). */
enum { SB_BOLD = 1, SB_ITALIC = 2, SB_UNDERLINE = 4, SB_REVERSE = 8, SB_STRIKE = 16 };
struct sb_cell {
	uint32_t ch;
	VTermColor fg, bg;
	uint8_t attrs, width;
};
struct sb_line {
	uint32_t n; /* cells kept: trailing blanks are not */
	struct sb_cell c[];
};

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void mark(struct ds_term *t, int start, int end)
{
	if (start < 0)
		start = 0;
	if (end > t->rows)
		end = t->rows;
	for (int r = start; r < end; r++)
		t->dirty[r] = 1;
	if (start < end)
		t->any_dirty = true;
}

static int on_damage(VTermRect rect, void *user)
{
	struct ds_term *t = user;

	/* Scrolled back, the screen's rows are shown scroll rows lower. */
	mark(t, rect.start_row + t->scroll, rect.end_row + t->scroll);
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	struct ds_term *t = user;

	mark(t, old.row + t->scroll, old.row + t->scroll + 1);
	mark(t, pos.row + t->scroll, pos.row + t->scroll + 1);
	t->cursor = pos;
	t->cursor_visible = visible;
	return 1;
}

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
	struct ds_term *t = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		t->cursor_visible = val->boolean;
		mark(t, t->cursor.row + t->scroll, t->cursor.row + t->scroll + 1);
		return 1;
	case VTERM_PROP_REVERSE:
		t->reverse = val->boolean;
		mark(t, 0, t->rows);
		return 1;
	case VTERM_PROP_MOUSE:
		t->mouse = val->number == VTERM_PROP_MOUSE_CLICK  ? DS_MOUSE_CLICK
			   : val->number == VTERM_PROP_MOUSE_DRAG ? DS_MOUSE_DRAG
			   : val->number == VTERM_PROP_MOUSE_MOVE ? DS_MOUSE_MOVE
								  : DS_MOUSE_NONE;
		return 1;
	case VTERM_PROP_TITLE:
		/* The program's text on the desk's title bar: cleaned here. */
		if (val->string) {
			ds_title_clean(val->string, strlen(val->string), t->title, sizeof t->title);
			t->has_title = true;
		}
		return 1;
	default:
		return 1;
	}
}

/* --- scrollback --------------------------------------------------------- */

static size_t sb_line_bytes(const struct sb_line *l)
{
	return sizeof *l + l->n * sizeof l->c[0];
}

/* History line i, 0 the newest. */
static const struct sb_line *sb_at(const struct ds_term *t, unsigned i)
{
	return t->sb[(t->sb_head + DS_SCROLLBACK_LINES - 1 - i) % DS_SCROLLBACK_LINES];
}

static void sb_drop_oldest(struct ds_term *t)
{
	unsigned i = (t->sb_head + DS_SCROLLBACK_LINES - t->sb_n) % DS_SCROLLBACK_LINES;

	t->sb_bytes -= sb_line_bytes(t->sb[i]);
	free(t->sb[i]);
	t->sb[i] = NULL;
	t->sb_n--;
	if (t->scroll > (int)t->sb_n)
		t->scroll = (int)t->sb_n;
}

static bool cell_blank(const VTermScreenCell *c)
{
	return (!c->chars[0] || c->chars[0] == ' ') && VTERM_COLOR_IS_DEFAULT_BG(&c->bg) &&
	       !c->attrs.reverse && !c->attrs.underline && !c->attrs.strike;
}

static int on_sb_push(int cols, const VTermScreenCell *cells, void *user)
{
	struct ds_term *t = user;
	struct sb_line *l;
	size_t bytes;
	int n = cols < 0 ? 0 : cols > MAX_COLS ? MAX_COLS : cols;

	while (n && cell_blank(&cells[n - 1]))
		n--;
	bytes = sizeof *l + (size_t)n * sizeof l->c[0];
	if (!t->sb && !(t->sb = calloc(DS_SCROLLBACK_LINES, sizeof *t->sb)))
		return 0;
	if (!(l = malloc(bytes)))
		return 0; /* out of memory: the line is lost, not the terminal */
	l->n = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		const VTermScreenCell *c = &cells[i];
		l->c[i] = (struct sb_cell){
			.ch = c->chars[0], .fg = c->fg, .bg = c->bg,
			.width = (uint8_t)(c->width == 2 ? 2 : 1),
			.attrs = (uint8_t)((c->attrs.bold ? SB_BOLD : 0) | (c->attrs.italic ? SB_ITALIC : 0) |
					   (c->attrs.underline ? SB_UNDERLINE : 0) |
					   (c->attrs.reverse ? SB_REVERSE : 0) |
					   (c->attrs.strike ? SB_STRIKE : 0)),
		};
	}
	while (t->sb_n && (t->sb_n == DS_SCROLLBACK_LINES || t->sb_bytes + bytes > DS_SCROLLBACK_BYTES))
		sb_drop_oldest(t);
	t->sb[t->sb_head] = l;
	t->sb_head = (t->sb_head + 1) % DS_SCROLLBACK_LINES;
	t->sb_n++;
	t->sb_bytes += bytes;
	t->top_abs++;
	/* Scrolled back, the lines shown stay: one more line above them. */
	if (t->scroll) {
		if (t->scroll < (int)t->sb_n)
			t->scroll++;
		mark(t, 0, t->rows);
	}
	return 1;
}

static void sb_cell_get(const struct sb_line *l, int col, VTermScreenCell *c)
{
	memset(c, 0, sizeof *c);
	c->width = 1;
	if (col >= (int)l->n) {
		c->fg.type = VTERM_COLOR_DEFAULT_FG;
		c->bg.type = VTERM_COLOR_DEFAULT_BG;
		return;
	}
	const struct sb_cell *s = &l->c[col];
	c->chars[0] = s->ch;
	c->width = (char)s->width;
	c->fg = s->fg;
	c->bg = s->bg;
	c->attrs.bold = !!(s->attrs & SB_BOLD);
	c->attrs.italic = !!(s->attrs & SB_ITALIC);
	c->attrs.underline = (s->attrs & SB_UNDERLINE) ? VTERM_UNDERLINE_SINGLE : 0;
	c->attrs.reverse = !!(s->attrs & SB_REVERSE);
	c->attrs.strike = !!(s->attrs & SB_STRIKE);
}

/* libvterm wants the newest line back: the screen grew taller. */
static int on_sb_pop(int cols, VTermScreenCell *cells, void *user)
{
	struct ds_term *t = user;
	unsigned i;
	struct sb_line *l;

	if (!t->sb_n)
		return 0;
	i = (t->sb_head + DS_SCROLLBACK_LINES - 1) % DS_SCROLLBACK_LINES;
	l = t->sb[i];
	for (int c = 0; c < cols; c++) {
		sb_cell_get(l, c, &cells[c]);
		/* libvterm steps by the width: never 0, never past the row. */
		if (cells[c].width != 1 && (cells[c].width != 2 || c == cols - 1))
			cells[c].width = 1;
		if (cells[c].chars[0] == (uint32_t)-1)
			cells[c].chars[0] = 0;
	}
	t->sb_bytes -= sb_line_bytes(l);
	free(l);
	t->sb[i] = NULL;
	t->sb_head = i;
	t->sb_n--;
	t->top_abs--;
	if (t->scroll > (int)t->sb_n)
		t->scroll = (int)t->sb_n;
	return 1;
}

void ds_term_history_clear(struct ds_term *t)
{
	while (t->sb_n)
		sb_drop_oldest(t);
	t->sb_head = 0;
	if (t->scroll) {
		t->scroll = 0;
		mark(t, 0, t->rows);
	}
}

void ds_term_scroll(struct ds_term *t, int lines)
{
	long s = (long)t->scroll + lines;

	s = s < 0 ? 0 : s > (long)t->sb_n ? (long)t->sb_n : s;
	if (s != t->scroll) {
		t->scroll = (int)s;
		mark(t, 0, t->rows);
	}
}

int ds_term_scrolled(const struct ds_term *t)
{
	return t->scroll;
}

int ds_term_history(const struct ds_term *t)
{
	return (int)t->sb_n;
}

/* The cell of line L (top_abs + row for the screen's rows, less for the
 * history); a blank one past what is kept. */
static void line_cell(const struct ds_term *t, int64_t line, int col, VTermScreenCell *c)
{
	if (line >= t->top_abs && line - t->top_abs < t->rows && col < t->cols) {
		vterm_screen_get_cell(t->screen, (VTermPos){(int)(line - t->top_abs), col}, c);
		return;
	}
	if (line < t->top_abs && t->top_abs - 1 - line < t->sb_n) {
		sb_cell_get(sb_at(t, (unsigned)(t->top_abs - 1 - line)), col, c);
		return;
	}
	memset(c, 0, sizeof *c);
	c->width = 1;
	c->fg.type = VTERM_COLOR_DEFAULT_FG;
	c->bg.type = VTERM_COLOR_DEFAULT_BG;
}

/* The line shown at row r. */
static int64_t row_line(const struct ds_term *t, int r)
{
	return t->top_abs - t->scroll + r;
}

/* --- selection ----------------------------------------------------------- */

static bool word_char(uint32_t c)
{
	if (c >= 0x80)
		return c != 0xa0 && c != 0x3000 && c != (uint32_t)-1;
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("-#%&+,./:=?@_~", (int)c));
}

static uint32_t char_at(const struct ds_term *t, int64_t line, int col)
{
	VTermScreenCell c;

	line_cell(t, line, col, &c);
	return c.chars[0] == (uint32_t)-1 ? (uint32_t)-1 : c.chars[0] ? c.chars[0] : ' ';
}

/* Widen [s, e] of one line to the words at its ends. */
static void word_bounds(const struct ds_term *t, int64_t line, int *col, int dir)
{
	uint32_t c = char_at(t, line, *col);
	bool w = word_char(c);

	if (!w && c != (uint32_t)-1)
		return; /* one character */
	while (*col + dir >= 0 && *col + dir < t->cols) {
		uint32_t n = char_at(t, line, *col + dir);
		if (n != (uint32_t)-1 && !word_char(n))
			break;
		*col += dir;
	}
}

static void sel_update(struct ds_term *t)
{
	bool fwd = t->sel.a_line < t->sel.b_line ||
		   (t->sel.a_line == t->sel.b_line && t->sel.a_col <= t->sel.b_col);

	t->sel.s_line = fwd ? t->sel.a_line : t->sel.b_line;
	t->sel.s_col = fwd ? t->sel.a_col : t->sel.b_col;
	t->sel.e_line = fwd ? t->sel.b_line : t->sel.a_line;
	t->sel.e_col = fwd ? t->sel.b_col : t->sel.a_col;
	if (t->sel.unit == DS_SEL_WORD) {
		word_bounds(t, t->sel.s_line, &t->sel.s_col, -1);
		word_bounds(t, t->sel.e_line, &t->sel.e_col, 1);
	} else if (t->sel.unit == DS_SEL_LINE) {
		t->sel.s_col = 0;
		t->sel.e_col = t->cols - 1;
	}
	mark(t, 0, t->rows);
}

void ds_term_select(struct ds_term *t, int row, int col, enum ds_sel_unit unit)
{
	row = clamp(row, 0, t->rows - 1);
	col = clamp(col, 0, t->cols - 1);
	t->sel.on = true;
	t->sel.unit = unit;
	t->sel.a_line = t->sel.b_line = row_line(t, row);
	t->sel.a_col = t->sel.b_col = col;
	sel_update(t);
}

void ds_term_select_to(struct ds_term *t, int row, int col)
{
	if (!t->sel.on)
		return;
	t->sel.b_line = row_line(t, clamp(row, 0, t->rows - 1));
	t->sel.b_col = clamp(col, 0, t->cols - 1);
	sel_update(t);
}

void ds_term_select_clear(struct ds_term *t)
{
	if (t->sel.on) {
		t->sel.on = false;
		mark(t, 0, t->rows);
	}
}

static bool selected(const struct ds_term *t, int64_t line, int col)
{
	if (!t->sel.on || line < t->sel.s_line || line > t->sel.e_line)
		return false;
	if (t->sel.unit == DS_SEL_CHAR && t->sel.s_line == t->sel.e_line &&
	    t->sel.s_col == t->sel.e_col)
		return false; /* a click, not a selection */
	return (line > t->sel.s_line || col >= t->sel.s_col) &&
	       (line < t->sel.e_line || col <= t->sel.e_col);
}

char *ds_term_selection(const struct ds_term *t, size_t *n)
{
	size_t cap = 4096, len = 0;
	char *buf;

	*n = 0;
	if (!t->sel.on || (t->sel.unit == DS_SEL_CHAR && t->sel.s_line == t->sel.e_line &&
			   t->sel.s_col == t->sel.e_col))
		return NULL;
	if (!(buf = malloc(cap)))
		return NULL;
	for (int64_t line = t->sel.s_line; line <= t->sel.e_line; line++) {
		int c0 = line == t->sel.s_line ? t->sel.s_col : 0;
		int c1 = line == t->sel.e_line ? t->sel.e_col : t->cols - 1;
		size_t start = len;
		if (line > t->sel.s_line)
			buf[len++] = '\n';
		for (int col = c0; col <= c1; col++) {
			VTermScreenCell c;
			line_cell(t, line, col, &c);
			if (c.chars[0] == (uint32_t)-1)
				continue; /* the right half of a wide character */
			if (len + 4 * VTERM_MAX_CHARS_PER_CELL + 2 > cap) {
				char *nb;
				if (cap >= DS_SELECTION_MAX_BYTES)
					goto full;
				cap *= 2;
				if (!(nb = realloc(buf, cap)))
					goto full;
				buf = nb;
			}
			if (!c.chars[0]) {
				buf[len++] = ' ';
				continue;
			}
			for (int k = 0; k < VTERM_MAX_CHARS_PER_CELL && c.chars[k]; k++)
				len += base_utf8_encode(c.chars[k] < 0x110000 ? c.chars[k] : 0xfffd, (uint8_t *)buf + len);
		}
		while (len > start + (line > t->sel.s_line) && buf[len - 1] == ' ')
			len--;
	}
full:
	buf[len] = 0;
	if (!len) {
		free(buf);
		return NULL;
	}
	*n = len;
	return buf;
}

/* --- paste and OSC 52 ------------------------------------------------------ */

void ds_term_paste(struct ds_term *t, const char *text, size_t n)
{
	ds_term_paste_part(t, text, n > DS_PASTE_MAX_BYTES ? DS_PASTE_MAX_BYTES : n, true, true);
}

void ds_term_paste_part(struct ds_term *t, const char *text, size_t n, bool first, bool last)
{
	char out[256];
	size_t o = 0;

	if (!t->out)
		return;
	if (first) {
		ds_term_scroll(t, INT_MIN / 2);
		vterm_keyboard_start_paste(t->vt);
	}
	while (n) {
		uint32_t cp;
		int k = ds_utf8_next(text, n, &cp);
		bool crlf = cp == '\r' && n > 1 && text[1] == '\n';
		text += k;
		n -= (size_t)k;
		if (crlf)
			continue; /* its \n is the newline */
		if (cp == '\n')
			cp = '\r';
		if ((cp < 0x20 && cp != '\t' && cp != '\r') || (cp >= 0x7f && cp < 0xa0))
			continue;
		if (o + 4 > sizeof out) {
			t->out(t->ctx, out, o);
			o = 0;
		}
		o += base_utf8_encode(cp, (uint8_t *)out + o);
	}
	if (o)
		t->out(t->ctx, out, o);
	if (last)
		vterm_keyboard_end_paste(t->vt);
}

void ds_term_set_osc52(struct ds_term *t, ds_term_clip_fn fn, void *ctx)
{
	t->osc52 = fn;
	t->osc52_ctx = ctx;
}

static int b64(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
	       : c >= '0' && c <= '9' ? c - '0' + 52 : c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* OSC 52;SEL;DATA: DATA in base64 sets the selection, "?" asks for it
 * (never answered: a program must not read the desk's clipboard). */
static int on_osc(const char *cmd, size_t n, void *user)
{
	struct ds_term *t = user;
	char text[KPTY_VTFILTER_STR_BYTES];
	size_t i = 3, o = 0;
	unsigned acc = 0, bits = 0;
	enum ds_clip_sel sel = DS_CLIP_CLIPBOARD;

	if (n < 3 || memcmp(cmd, "52;", 3))
		return 0;
	if (i < n && cmd[i] != ';' && !strchr("cpqs01234567", cmd[i]))
		return 1;
	if (i < n && (cmd[i] == 'p' || cmd[i] == 's'))
		sel = DS_CLIP_PRIMARY;
	while (i < n && cmd[i] != ';')
		i++;
	if (i++ == n || !t->osc52 || (i < n && cmd[i] == '?'))
		return 1;
	for (; i < n && cmd[i] != '='; i++) {
		int v = b64((unsigned char)cmd[i]);
		if (v < 0)
			return 1; /* not base64: nothing set */
		acc = acc << 6 | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o < sizeof text)
				text[o++] = (char)(acc >> bits & 0xff);
		}
	}
	t->osc52(t->osc52_ctx, sel, text, o);
	return 1;
}

static const VTermParserCallbacks fallbacks = {.osc = on_osc};

static const VTermScreenCallbacks screen_cbs = {
	.damage = on_damage, .movecursor = on_movecursor, .settermprop = on_prop,
	.sb_pushline = on_sb_push, .sb_popline = on_sb_pop,
};

static void on_output(const char *s, size_t len, void *user)
{
	struct ds_term *t = user;

	if (t->out)
		t->out(t->ctx, s, len);
}

static void parse(void *ctx, const void *bytes, size_t n)
{
	struct ds_term *t = ctx;

	vterm_input_write(t->vt, bytes, n);
}

struct ds_term *ds_term_create(struct ds_font *f, int rows, int cols, ds_term_out_fn out,
			       void *ctx)
{
	struct ds_term *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->rows = clamp(rows, 1, MAX_ROWS);
	t->cols = clamp(cols, MIN_COLS, MAX_COLS);
	t->font = f;
	ds_font_cell(f, &t->cw, &t->ch);
	t->out = out;
	t->ctx = ctx;
	t->dirty = calloc(MAX_ROWS, 1);
	t->glyphs = calloc(MAX_COLS, sizeof *t->glyphs);
	t->vt = vterm_new(t->rows, t->cols);
	t->filter_ok = kpty_vtfilter_init(&t->filter, parse, t);
	if (!t->dirty || !t->glyphs || !t->vt || !t->filter_ok) {
		ds_term_destroy(t);
		return NULL;
	}
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, on_output, t);
	t->screen = vterm_obtain_screen(t->vt);
	vterm_screen_set_callbacks(t->screen, &screen_cbs, t);
	vterm_screen_set_unrecognised_fallbacks(t->screen, &fallbacks, t);
	vterm_screen_enable_altscreen(t->screen, 1);
	vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_CELL);
	vterm_screen_reset(t->screen, 1);
	vterm_input_write(t->vt, KPTY_VTFILTER_START, strlen(KPTY_VTFILTER_START));
	kpty_vtfilter_set_cols(&t->filter, t->cols);
	t->cursor_visible = true;
	mark(t, 0, t->rows);
	return t;
}

void ds_term_destroy(struct ds_term *t)
{
	if (!t)
		return;
	if (t->vt)
		vterm_free(t->vt);
	if (t->filter_ok)
		kpty_vtfilter_finish(&t->filter);
	if (t->sb)
		ds_term_history_clear(t);
	free(t->sb);
	free(t->glyphs);
	free(t->dirty);
	free(t->pv.cells);
	free(t->pv.at_cell);
	free(t);
}

void ds_term_write(struct ds_term *t, const void *bytes, size_t n)
{
	kpty_vtfilter_feed(&t->filter, bytes, n);
}

void ds_term_resize(struct ds_term *t, int rows, int cols)
{
	rows = clamp(rows, 1, MAX_ROWS);
	cols = clamp(cols, MIN_COLS, MAX_COLS);
	if (rows == t->rows && cols == t->cols)
		return;
	t->rows = rows;
	t->cols = cols;
	vterm_set_size(t->vt, rows, cols);
	kpty_vtfilter_set_cols(&t->filter, cols);
	{
		VTermPos cur;
		char fix[KPTY_VTFILTER_RESIZE_FIX];
		vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &cur);
		vterm_input_write(t->vt, fix, kpty_vtfilter_resize_fix(fix, rows, cols, cur.row, cur.col));
	}
	mark(t, 0, rows);
}

int ds_utf8_next(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	int len = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
				   : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
	uint32_t c;

	if (!len || (size_t)len > n) {
		*cp = 0xfffd;
		return 1;
	}
	c = len == 1 ? s[0] : s[0] & (0x7f >> len);
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

const char *ds_term_title(const struct ds_term *t)
{
	return t->has_title ? t->title : NULL;
}

size_t ds_title_clean(const char *in, size_t n, char *out, size_t outn)
{
	return ds_text_clean(in, n, out, outn < DS_TITLE_MAX_BYTES + 1 ? outn : DS_TITLE_MAX_BYTES + 1);
}

size_t ds_text_clean(const char *in, size_t n, char *out, size_t outn)
{
	static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t o = 0, max = outn - 1;

	while (n) {
		uint32_t cp;
		int k = ds_utf8_next(in, n, &cp);
		const char *src = in;
		size_t len = (size_t)k;
		/* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
		if ((k == 2 && cp < 0x80) || (k == 3 && cp < 0x800) || (k == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			cp = 0xfffd;
		in += k;
		n -= (size_t)k;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			continue;
		if (cp == 0xfffd) {
			src = repl;
			len = 3;
		}
		if (o + len > max)
			break;
		memcpy(out + o, src, len);
		o += len;
	}
	out[o] = 0;
	return o;
}

void ds_term_size(const struct ds_term *t, int *rows, int *cols)
{
	*rows = t->rows;
	*cols = t->cols;
}

bool ds_term_dirty(const struct ds_term *t)
{
	return t->any_dirty;
}

/* X keysyms without a character, and libvterm's names for them. */
static const struct {
	uint32_t sym;
	VTermKey key;
} keymap[] = {
	{0xff0d, VTERM_KEY_ENTER},    {0xff8d, VTERM_KEY_KP_ENTER}, {0xff09, VTERM_KEY_TAB},
	{0xfe20, VTERM_KEY_TAB},      {0xff08, VTERM_KEY_BACKSPACE}, {0xff1b, VTERM_KEY_ESCAPE},
	{0xff52, VTERM_KEY_UP},       {0xff54, VTERM_KEY_DOWN},     {0xff51, VTERM_KEY_LEFT},
	{0xff53, VTERM_KEY_RIGHT},    {0xff63, VTERM_KEY_INS},      {0xffff, VTERM_KEY_DEL},
	{0xff50, VTERM_KEY_HOME},     {0xff57, VTERM_KEY_END},      {0xff55, VTERM_KEY_PAGEUP},
	{0xff56, VTERM_KEY_PAGEDOWN},
};

/* The window manager's modifiers as libvterm's, for keys and the mouse. */
static VTermModifier vterm_mods(uint32_t mods)
{
	VTermModifier m = VTERM_MOD_NONE;

	if (mods & WM_MOD_SHIFT)
		m |= VTERM_MOD_SHIFT;
	if (mods & WM_MOD_CTRL)
		m |= VTERM_MOD_CTRL;
	if (mods & WM_MOD_ALT)
		m |= VTERM_MOD_ALT;
	return m;
}

void ds_term_key(struct ds_term *t, uint32_t keysym, uint32_t mods, uint32_t cp)
{
	VTermModifier m = vterm_mods(mods);

	/* shift+Page_Up/Down page through the history, as in xterm; the
	 * program hears nothing of them. */
	if ((keysym == 0xff55 || keysym == 0xff56) &&
	    (mods & (WM_MOD_SHIFT | WM_MOD_CTRL | WM_MOD_ALT | WM_MOD_SUPER)) == WM_MOD_SHIFT) {
		int page = t->rows > 1 ? t->rows - 1 : 1;
		ds_term_scroll(t, keysym == 0xff55 ? page : -page);
		return;
	}
	for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++) {
		if (keymap[i].sym == keysym) {
			if (keysym == 0xfe20)
				m |= VTERM_MOD_SHIFT;
			ds_term_scroll(t, INT_MIN / 2);
			vterm_keyboard_key(t->vt, keymap[i].key, m);
			return;
		}
	}
	if (keysym >= 0xffbe && keysym <= 0xffc9) { /* F1 .. F12 */
		ds_term_scroll(t, INT_MIN / 2);
		vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION(keysym - 0xffbe + 1), m);
		return;
	}
	/* A modifier alone types nothing and keeps the history shown. */
	if (cp && cp < 0x110000) {
		ds_term_scroll(t, INT_MIN / 2);
		vterm_keyboard_unichar(t->vt, cp, m);
	}
}

enum ds_mouse_mode ds_term_mouse_wanted(const struct ds_term *t)
{
	return t->mouse;
}

void ds_term_mouse(struct ds_term *t, int row, int col, int button, bool pressed, uint32_t mods)
{
	VTermModifier m = vterm_mods(mods);

	if (!t->mouse)
		return;
	/* libvterm reports motion itself when the mode wants it (a drag
	 * with a button held, or any move), once per cell. */
	vterm_mouse_move(t->vt, clamp(row, 0, t->rows - 1), clamp(col, 0, t->cols - 1), m);
	/* The wheel (4, 5) has no release in xterm's protocols: libvterm
	 * 0.1.4 would send one. */
	if (button >= 1 && button <= 3)
		vterm_mouse_button(t->vt, button, pressed, m);
	else if ((button == 4 || button == 5) && pressed)
		vterm_mouse_button(t->vt, button, true, m);
}

size_t ds_term_row_text(const struct ds_term *t, int row, char *buf, size_t n)
{
	VTermRect r = {.start_row = row - t->scroll, .end_row = row - t->scroll + 1, .start_col = 0,
		       .end_col = t->cols};
	size_t len = 0;

	if (!n)
		return 0;
	if (row < 0 || row >= t->rows) {
		buf[0] = 0;
		return 0;
	}
	if (row < t->scroll) { /* a line of history */
		const struct sb_line *l = sb_at(t, (unsigned)(t->scroll - 1 - row));
		for (uint32_t c = 0; c < l->n && len + 4 < n; c++)
			if (l->c[c].ch != (uint32_t)-1)
				len += base_utf8_encode(!l->c[c].ch ? ' ' : l->c[c].ch < 0x110000 ? l->c[c].ch : 0xfffd,
							(uint8_t *)buf + len);
	} else {
		len = vterm_screen_get_text(t->screen, buf, n - 1, r);
	}
	if (len > n - 1)
		len = n - 1;
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
	return len;
}

bool ds_term_has_text(const struct ds_term *t, const char *text)
{
	char row[MAX_COLS * 4 + 1];

	for (int r = 0; r < t->rows; r++) {
		ds_term_row_text(t, r, row, sizeof row);
		if (strstr(row, text))
			return true;
	}
	return false;
}

static uint32_t rgb_of(const struct ds_term *t, VTermColor c, bool fg)
{
	if (fg && VTERM_COLOR_IS_DEFAULT_FG(&c))
		return DEFAULT_FG;
	if (!fg && VTERM_COLOR_IS_DEFAULT_BG(&c))
		return DEFAULT_BG;
	vterm_screen_convert_color_to_rgb(t->screen, &c);
	return (uint32_t)c.rgb.red << 16 | (uint32_t)c.rgb.green << 8 | c.rgb.blue;
}

static pixman_color_t pcolor(uint32_t rgb)
{
	return (pixman_color_t){(uint16_t)((rgb >> 16 & 0xff) * 257),
				(uint16_t)((rgb >> 8 & 0xff) * 257), (uint16_t)((rgb & 0xff) * 257),
				0xffff};
}

void ds_fill(pixman_image_t *dst, uint32_t rgb, int x, int y, int w, int h)
{
	pixman_color_t c = pcolor(rgb);
	pixman_box32_t b = {x, y, x + w, y + h};

	pixman_image_fill_boxes(PIXMAN_OP_SRC, dst, &c, 1, &b);
}

/* A run of glyphs of one colour: one composite for the run. */
static void draw_glyphs(struct ds_font *f, pixman_image_t *dst, uint32_t rgb,
			const pixman_glyph_t *g, int n)
{
	pixman_color_t c = pcolor(rgb);
	pixman_image_t *src;
	pixman_glyph_cache_t *cache = ds_font_cache(f);

	if (!n)
		return;
	src = pixman_image_create_solid_fill(&c);
	if (!src)
		return;
	pixman_composite_glyphs_no_mask(PIXMAN_OP_OVER, src, dst, 0, 0, 0, 0, cache, n, g);
	pixman_image_unref(src);
}

void ds_term_predict(struct ds_term *t, const struct ds_predicted *cells, int n, bool cursor,
		     int row, int col, bool underline)
{
	int most = t->rows * t->cols;

	if (n > most)
		n = most;
	if (n > t->pv.cap) {
		struct ds_predicted *c = realloc(t->pv.cells, (size_t)n * sizeof *c);
		if (!c)
			return;
		t->pv.cells = c, t->pv.cap = n;
	}
	if (t->pv.at_rows != t->rows || t->pv.at_cols != t->cols) {
		free(t->pv.at_cell);
		t->pv.at_cell = calloc((size_t)most, sizeof *t->pv.at_cell);
		t->pv.at_rows = t->pv.at_cell ? t->rows : 0, t->pv.at_cols = t->cols;
	}
	/* What was drawn, and what will be, are drawn again. */
	for (int i = 0; i < t->pv.n; i++) {
		const struct ds_predicted *c = &t->pv.cells[i];
		mark(t, c->row, c->row + 1);
		if (t->pv.at_rows && c->row < t->pv.at_rows && c->col < t->pv.at_cols)
			t->pv.at_cell[c->row * t->pv.at_cols + c->col] = 0;
	}
	if (t->pv.cursor)
		mark(t, t->pv.at.row, t->pv.at.row + 1);
	mark(t, t->cursor.row, t->cursor.row + 1);
	t->pv.n = 0;
	for (int i = 0; i < n && t->pv.n < t->pv.cap; i++) {
		const struct ds_predicted *c = &cells[i];
		if (c->row < 0 || c->row >= t->rows || c->col < 0 || c->col + c->width > t->cols ||
		    (c->width != 1 && c->width != 2))
			continue;
		t->pv.cells[t->pv.n++] = *c;
		if (t->pv.at_rows)
			t->pv.at_cell[c->row * t->pv.at_cols + c->col] = (uint32_t)t->pv.n;
		mark(t, c->row, c->row + 1);
	}
	t->pv.cursor = cursor && row >= 0 && row < t->rows && col >= 0 && col < t->cols;
	t->pv.at = (VTermPos){row, col};
	t->pv.underline = underline;
	if (t->pv.cursor)
		mark(t, row, row + 1);
}

/* The predicted cell at r, col of the live screen, if any. */
static const struct ds_predicted *predicted(const struct ds_term *t, int r, int col)
{
	if (t->scroll || !t->pv.n)
		return NULL;
	if (t->pv.at_rows == t->rows && t->pv.at_cols == t->cols) {
		uint32_t i = r >= 0 && r < t->rows && col >= 0 && col < t->cols
				     ? t->pv.at_cell[r * t->cols + col]
				     : 0;
		return i ? &t->pv.cells[i - 1] : NULL;
	}
	for (int i = 0; i < t->pv.n; i++)
		if (t->pv.cells[i].row == r && t->pv.cells[i].col == col)
			return &t->pv.cells[i];
	return NULL;
}

/* The cell drawn at row r, col: the line shown there, a prediction over
 * it (render_row and ds_term_shown alike: what is read is what is drawn). */
static void shown_cell(const struct ds_term *t, int r, int col, VTermScreenCell *cell)
{
	const struct ds_predicted *pc = predicted(t, r, col);

	line_cell(t, row_line(t, r), col, cell);
	if (pc) {
		memset(&cell->attrs, 0, sizeof cell->attrs);
		if (pc->pen)
			cell->attrs = pc->attrs, cell->fg = pc->fg, cell->bg = pc->bg;
		else
			cell->attrs.underline = t->pv.underline;
		cell->chars[0] = pc->cp;
		cell->chars[1] = 0;
		cell->width = (char)pc->width;
	}
}

/* Where the cursor is drawn: the predicted one's place on the live screen. */
static VTermPos shown_cursor(const struct ds_term *t)
{
	return t->pv.cursor && !t->scroll ? t->pv.at : t->cursor;
}

uint32_t ds_term_shown(const struct ds_term *t, int row, int col)
{
	VTermScreenCell cell, left;

	if (row < 0 || row >= t->rows || col < 0 || col >= t->cols)
		return 0;
	/* A right half is one when render_row drew a wide character left of
	 * it (a prediction's, whatever the live screen has there); the live
	 * screen's right half under a narrow prediction is drawn blank. */
	if (col > 0)
		shown_cell(t, row, col - 1, &left);
	if (col > 0 && left.width == 2 && left.chars[0] != (uint32_t)-1)
		return (uint32_t)-1;
	shown_cell(t, row, col, &cell);
	return cell.chars[0] == (uint32_t)-1 ? 0 : cell.chars[0];
}

bool ds_term_shown_cursor(const struct ds_term *t, int *row, int *col)
{
	VTermPos cur = shown_cursor(t);

	*row = cur.row + t->scroll;
	*col = cur.col;
	return t->cursor_visible && *row < t->rows && cur.col < t->cols;
}

static void render_row(struct ds_term *t, pixman_image_t *dst, int x0, int y0, int r,
		       bool focused)
{
	int y = y0 + r * t->ch, base = y + ds_font_ascent(t->font), n = 0;
	uint32_t run_fg = 0;
	VTermPos cur = shown_cursor(t);
	bool cursor_here = t->cursor_visible && cur.row + t->scroll == r;
	int64_t line = row_line(t, r);
	int strike_y, strike_h;

	ds_font_strike(t->font, &strike_y, &strike_h);
	ds_fill(dst, t->reverse ? DEFAULT_FG : DEFAULT_BG, x0, y, t->cols * t->cw, t->ch);
	for (int col = 0; col < t->cols;) {
		VTermScreenCell cell;
		uint32_t fg, bg, tmp;
		int w, x = x0 + col * t->cw;
		bool rev;

		shown_cell(t, r, col, &cell);
		w = cell.width > 1 ? 2 : 1;
		fg = rgb_of(t, cell.fg, true);
		bg = rgb_of(t, cell.bg, false);
		rev = cell.attrs.reverse ^ t->reverse ^ (cursor_here && focused && col == cur.col) ^
		      selected(t, line, col);
		if (rev) {
			tmp = fg;
			fg = bg;
			bg = tmp;
		}
		if (bg != DEFAULT_BG || t->reverse)
			ds_fill(dst, bg, x, y, w * t->cw, t->ch);
		if (n && fg != run_fg) {
			draw_glyphs(t->font, dst, run_fg, t->glyphs, n);
			n = 0;
		}
		if (cell.chars[0] && cell.chars[0] != ' ' && cell.chars[0] != (uint32_t)-1) {
			struct ds_glyph g;
			unsigned style = (cell.attrs.bold ? DS_FONT_BOLD : 0) |
					 (cell.attrs.italic ? DS_FONT_ITALIC : 0);
			bool found = ds_font_lookup(t->font, cell.chars[0], style, w, &g);
			if (found && g.mono) {
				t->glyphs[n++] = (pixman_glyph_t){x, base, g.mono};
				run_fg = fg;
			} else if (found) {
				/* Its own colours, now: the image is the font's
				 * until the next lookup. */
				pixman_image_composite32(PIXMAN_OP_OVER, g.color, NULL, dst, 0, 0, 0, 0,
							 x + g.x, y + g.y,
							 pixman_image_get_width(g.color),
							 pixman_image_get_height(g.color));
			}
		}
		if (cell.attrs.underline)
			ds_fill(dst, fg, x, base + 1, w * t->cw, 1);
		if (cell.attrs.strike)
			ds_fill(dst, fg, x, y + strike_y, w * t->cw, strike_h);
		col += w;
	}
	draw_glyphs(t->font, dst, run_fg, t->glyphs, n);
	if (cursor_here && !focused && cur.col < t->cols) {
		int x = x0 + cur.col * t->cw;
		ds_fill(dst, DEFAULT_FG, x, y, t->cw, 1);
		ds_fill(dst, DEFAULT_FG, x, y + t->ch - 1, t->cw, 1);
		ds_fill(dst, DEFAULT_FG, x, y, 1, t->ch);
		ds_fill(dst, DEFAULT_FG, x + t->cw - 1, y, 1, t->ch);
	}
}

void ds_term_render(struct ds_term *t, pixman_image_t *dst, int x, int y, bool all,
		    bool focused, pixman_region32_t *damage)
{
	if (!all && !t->any_dirty)
		return;
	ds_font_begin(t->font);
	for (int r = 0; r < t->rows; r++) {
		if (!all && !t->dirty[r])
			continue;
		t->dirty[r] = 0;
		render_row(t, dst, x, y, r, focused);
		if (damage)
			pixman_region32_union_rect(damage, damage, x, y + r * t->ch,
						   (unsigned)(t->cols * t->cw), (unsigned)t->ch);
	}
	ds_font_end(t->font);
	t->any_dirty = false;
}

void ds_draw_text(struct ds_font *f, pixman_image_t *dst, int x, int y, int max_w,
		  const char *text, uint32_t rgb)
{
	pixman_glyph_t g[DS_TITLE_MAX_BYTES];
	int cw, ch, n = 0, col = 0, base = y + ds_font_ascent(f);
	size_t left = strlen(text);

	ds_font_cell(f, &cw, &ch);
	ds_font_begin(f);
	/* A title is UTF-8 (ds_title_clean); one cell a character, colour
	 * glyphs left out (titles are one colour). */
	for (const char *p = text; left && n < DS_TITLE_MAX_BYTES && (col + 1) * cw <= max_w; col++) {
		uint32_t cp;
		int k = ds_utf8_next(p, left, &cp);
		struct ds_glyph gl;
		p += k;
		left -= (size_t)k;
		if (cp != ' ' && ds_font_lookup(f, cp, DS_FONT_BOLD, 1, &gl) && gl.mono)
			g[n++] = (pixman_glyph_t){x + col * cw, base, gl.mono};
	}
	draw_glyphs(f, dst, rgb, g, n);
	ds_font_end(f);
}
