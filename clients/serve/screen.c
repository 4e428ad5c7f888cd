/* The host's copy of a session's screen (see screen.h).
 *
 * libvterm's state layer parses the output; the cells live here, not in
 * libvterm's screen layer, because a session's output is mostly lines
 * scrolling by and that layer moves every cell of the screen for each line
 * (and converts each line again to hand it to the scrollback). Here the
 * screen and its scrollback are one ring of lines: a line scrolling off
 * the top is a change of the ring's origin and nothing is copied or
 * encoded until somebody asks for a snapshot.
 *
 * Cells are turned back into bytes with one SGR sequence per change of
 * attributes, colours kept as the program set them (default, indexed or
 * truecolour), so a snapshot redraws what the program drew rather than an
 * approximation.
 *
 * That emulator (struct term) is a screen's whole self, or, for a lazy
 * screen (a console: hundreds of them, printing for days, looked at now
 * and then), built only while a reader runs: such a screen keeps its
 * last output as it came, in a ring cut at line starts, with the size
 * changes in it, and replays that through the same filter and emulator
 * when somebody looks. Output then costs a copy, not a parse, and an
 * unwatched screen its ring, not its cells (about 140 KiB at 24x80 with
 * 24 lines of scrollback, with libvterm's own state).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "base.h"
#include "rp.h"
#include "screen.h"
#include "vtfilter.h"
#include "vtscan.h"

enum {
	A_BOLD = 1 << 0,
	A_ITALIC = 1 << 1,
	A_BLINK = 1 << 2,
	A_REVERSE = 1 << 3,
	A_STRIKE = 1 << 4,
	A_PROTECTED = 1 << 5,
	A_UL_SHIFT = 8, /* two bits: none, single, double, curly */
	A_UL_MASK = 3 << A_UL_SHIFT,
};

#define CELL_CHARS 3 /* a base character and two combining marks */

struct cell {
	uint32_t ch[CELL_CHARS]; /* ch[0] == 0: never written (a blank) */
	VTermColor fg, bg;
	uint16_t attrs;
	uint8_t width; /* 0 on the right half of a wide character */
	uint8_t pad;
};

/* A ring of lines of cap_cols cells. Screen row y is line (top + y) mod
 * nlines; the sb_count lines before top are the scrollback (the primary
 * screen's grid has room for up to sb_cap_for() of them, made as lines
 * scroll into it: see sb_grow; the alternate screen's has none). */
struct grid {
	struct cell *cells;
	unsigned nlines, top, sb_count;
};

struct term {
	VTerm *vt;
	VTermState *st;
	int rows, cols, cap_cols;
	struct grid grid[2], *cur; /* primary, alternate */
	unsigned sb_lines;	   /* as asked for */
	size_t sb_bytes;
	struct cell pen; /* the attributes new glyphs are drawn with */
	bool cursor_visible, reverse;
	int mouse, cursor_shape;
	bool cursor_blink;
	char title[256];
	/* What the program prints passes here before anything parses it. */
	struct kpty_vtfilter filter;
	/* The plain-text path (see term_feed). */
	struct vtscan scan;
	bool fast;	/* allowed at all (tests compare with and without) */
	bool modes_ok; /* libvterm said: autowrap, no margins, whole-screen region */
	uint8_t carry[4]; /* a UTF-8 character cut at the end of a read */
	unsigned carry_len;
	/* Output not yet drawn (see term_feed). */
	uint8_t *pend;
	size_t pend_len, pend_cap;
	size_t plain_end;   /* pend up to here is plain lines (plain_len) */
	bool plain_blocked; /* and what follows is not */
	size_t compact_at;  /* pend_len at which pend_scan cuts or draws it */
	uint64_t work;	    /* cells drawn, moved or cleared (screen_work) */
	uint64_t work_from; /* work when this call in from outside began */
	uint64_t skipped;   /* bytes not drawn: they would have cost too much */
};

/* Output is drawn in batches of up to this much: in a batch of plain text
 * longer than the ring (screen and scrollback) most lines would scroll
 * out of the ring before the batch ends and need not be drawn at all. */
#define PEND_MAX ((size_t)1 << 20)
#define NONPLAIN_KEPT_BYTES 1024
/* A write to libvterm costs at most about this many cells (a byte can
 * cost the whole screen: a line feed in a scroll region moves it), and a
 * call in from outside at most DRAW_WORK_MAX_CELLS: the rest of what it
 * was to draw is skipped and counted, so a flood of such bytes costs one
 * session's screen its exactness, never the daemon its time. */
#define WRITE_WORK_CELLS (4u << 20)
#define DRAW_WORK_MAX_CELLS (64u << 20)
/* libvterm 0.1.4 puts the cursor in column -1 of a double-width line
 * one column wide (and a wide character past a one-column row). */
#define MIN_COLS 2

void screen_bytes_put(struct screen_bytes *b, const void *p, size_t n)
{
	if (b->err)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->err = -ENOMEM;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void screen_bytes_printf(struct screen_bytes *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		screen_bytes_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void screen_bytes_finish(struct screen_bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

/* ---- the grid ---- */

static struct cell *grid_line(const struct term *s, const struct grid *g, unsigned i)
{
	return g->cells + (size_t)(i % g->nlines) * (size_t)s->cap_cols;
}

/* Screen row y of the grid in use; y is in range (callers check). */
static struct cell *row(const struct term *s, int y)
{
	const struct grid *g = s->cur;
	unsigned i = g->top + (unsigned)y; /* both below nlines: no division */

	if (i >= g->nlines)
		i -= g->nlines;
	return g->cells + (size_t)i * (size_t)s->cap_cols;
}

static struct cell blank_cell(const struct term *s)
{
	/* As libvterm's screen erases: the pen's colours, no attributes. */
	return (struct cell){.fg = s->pen.fg, .bg = s->pen.bg, .width = 1};
}

static void fill(struct cell *c, int n, const struct cell *v)
{
	/* Doubling copies: a line is cleared for every line that scrolls. */
	if (n <= 0)
		return;
	c[0] = *v;
	for (int k = 1; k < n; k *= 2)
		memcpy(c + k, c, (size_t)(k < n - k ? k : n - k) * sizeof *c);
}

static bool rect_ok(const struct term *s, VTermRect r)
{
	return r.start_row >= 0 && r.start_col >= 0 && r.end_row <= s->rows &&
	       r.end_col <= s->cols && r.start_row < r.end_row && r.start_col < r.end_col;
}

static unsigned sb_cap_for(const struct term *s, int cap_cols)
{
	size_t fit = s->sb_bytes / ((size_t)cap_cols * sizeof(struct cell));

	return fit < s->sb_lines ? (unsigned)fit : s->sb_lines;
}

/* The lines grid g holds once its scrollback is full. */
static unsigned ring_lines(const struct term *s, const struct grid *g)
{
	return g == &s->grid[0] ? (unsigned)s->rows + sb_cap_for(s, s->cap_cols) : g->nlines;
}

static int regrid(const struct term *s, const struct grid *g, struct grid *out, int rows,
		  int cap_cols, unsigned sb_cap, unsigned first);

/* The primary screen's scrollback is given room as lines scroll into it,
 * doubling up to its bound, rather than all at once: most screens never
 * fill theirs (a session's bound is megabytes), and a console's screen is
 * made anew for each read of it. Called when the room is full. */
static void sb_grow(struct term *s)
{
	struct grid *g = &s->grid[0], ng;
	unsigned have = g->nlines - (unsigned)s->rows, max = sb_cap_for(s, s->cap_cols);
	unsigned want = have < (unsigned)s->rows ? (unsigned)s->rows : have > max / 2 ? max : 2 * have;

	if (have >= max)
		return;
	/* No memory: the oldest line goes, as at the bound. */
	if (regrid(s, g, &ng, s->rows, s->cap_cols, want < max ? want : max, g->sb_count))
		return;
	free(g->cells);
	*g = ng;
}

/* ---- libvterm state callbacks ---- */

static int putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	struct term *s = user;
	struct cell *c;

	s->work++;
	if (pos.row < 0 || pos.row >= s->rows || pos.col < 0 || pos.col >= s->cols)
		return 1;
	c = row(s, pos.row) + pos.col;
	*c = s->pen;
	for (int i = 0; i < CELL_CHARS && info->chars[i]; i++)
		c->ch[i] = info->chars[i];
	if (info->protected_cell)
		c->attrs |= A_PROTECTED;
	if (info->width > 1 && pos.col + 1 < s->cols) {
		c->width = 2;
		/* Only marked, as libvterm's screen does: the cell keeps its
		 * old pen and protection (a selective erase may clear it). */
		memset(c[1].ch, 0, sizeof c[1].ch);
		c[1].width = 0;
	}
	return 1;
}

/* Scrolls up of full-width regions that start at the top move the ring's
 * origin: the lines going off the top become scrollback (on the primary
 * screen) and the line slots they free are reused, cleared, at the bottom
 * of the region. Anything else is left to libvterm, which falls back on
 * moverect and erase. */
static int scrollrect(VTermRect r, int down, int right, void *user)
{
	struct term *s = user;
	struct grid *g = s->cur;
	struct cell b = blank_cell(s);
	int n;

	if (right || down <= 0 || r.start_row != 0 || r.start_col != 0 || r.end_col != s->cols ||
	    !rect_ok(s, r))
		return 0;
	n = down < r.end_row ? down : r.end_row;
	s->work += (uint64_t)n * (uint64_t)(s->rows - r.end_row + 1) * (uint64_t)s->cap_cols;
	for (int i = 0; i < n; i++) {
		if (g == &s->grid[0] && g->sb_count == g->nlines - (unsigned)s->rows)
			sb_grow(s);
		g->top = (g->top + 1) % g->nlines;
		if (g->sb_count < g->nlines - (unsigned)s->rows)
			g->sb_count++;
		/* Rows below the region stay where they were. */
		for (int y = s->rows - 1; y >= r.end_row; y--)
			memcpy(row(s, y), row(s, y - 1), (size_t)s->cap_cols * sizeof(struct cell));
		fill(row(s, r.end_row - 1), s->cap_cols, &b);
	}
	return 1;
}

static int moverect(VTermRect dest, VTermRect src, void *user)
{
	struct term *s = user;
	int h = src.end_row - src.start_row;
	size_t w = (size_t)(src.end_col - src.start_col) * sizeof(struct cell);

	if (!rect_ok(s, src) || !rect_ok(s, dest) || dest.end_row - dest.start_row != h ||
	    dest.end_col - dest.start_col != src.end_col - src.start_col)
		return 1;
	s->work += (uint64_t)h * (uint64_t)(src.end_col - src.start_col);
	if (dest.start_row <= src.start_row) {
		for (int y = 0; y < h; y++)
			memmove(row(s, dest.start_row + y) + dest.start_col,
				row(s, src.start_row + y) + src.start_col, w);
	} else {
		for (int y = h - 1; y >= 0; y--)
			memmove(row(s, dest.start_row + y) + dest.start_col,
				row(s, src.start_row + y) + src.start_col, w);
	}
	return 1;
}

static int erase(VTermRect r, int selective, void *user)
{
	struct term *s = user;
	struct cell b = blank_cell(s);

	if (!rect_ok(s, r))
		return 1;
	s->work += (uint64_t)(r.end_row - r.start_row) * (uint64_t)(r.end_col - r.start_col);
	for (int y = r.start_row; y < r.end_row; y++) {
		struct cell *c = row(s, y);
		if (!selective) { /* every new screen and each clear: copied, not looped */
			fill(c + r.start_col, r.end_col - r.start_col, &b);
			continue;
		}
		for (int x = r.start_col; x < r.end_col; x++)
			if (!(c[x].attrs & A_PROTECTED))
				c[x] = b;
	}
	return 1;
}

static void set_attr(struct cell *pen, unsigned bit, bool on)
{
	pen->attrs = (uint16_t)(on ? pen->attrs | bit : pen->attrs & ~bit);
}

static int setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	struct cell *pen = &((struct term *)user)->pen;

	switch (attr) {
	case VTERM_ATTR_BOLD:
		set_attr(pen, A_BOLD, val->boolean);
		break;
	case VTERM_ATTR_UNDERLINE:
		pen->attrs = (uint16_t)((pen->attrs & ~A_UL_MASK) |
					(((unsigned)val->number & 3) << A_UL_SHIFT));
		break;
	case VTERM_ATTR_ITALIC:
		set_attr(pen, A_ITALIC, val->boolean);
		break;
	case VTERM_ATTR_BLINK:
		set_attr(pen, A_BLINK, val->boolean);
		break;
	case VTERM_ATTR_REVERSE:
		set_attr(pen, A_REVERSE, val->boolean);
		break;
	case VTERM_ATTR_STRIKE:
		set_attr(pen, A_STRIKE, val->boolean);
		break;
	case VTERM_ATTR_FOREGROUND:
		pen->fg = val->color;
		break;
	case VTERM_ATTR_BACKGROUND:
		pen->bg = val->color;
		break;
	default:
		break;
	}
	return 1;
}

static int settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct term *s = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		s->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_CURSORBLINK:
		s->cursor_blink = val->boolean;
		break;
	case VTERM_PROP_CURSORSHAPE:
		s->cursor_shape = val->number;
		break;
	case VTERM_PROP_REVERSE:
		s->reverse = val->boolean;
		break;
	case VTERM_PROP_ALTSCREEN:
		s->cur = &s->grid[val->boolean ? 1 : 0];
		/* The alternate screen starts blank each time, as xterm's. */
		if (val->boolean)
			erase((VTermRect){0, s->rows, 0, s->cols}, 0, s);
		break;
	case VTERM_PROP_MOUSE:
		s->mouse = val->number;
		break;
	case VTERM_PROP_TITLE:
		snprintf(s->title, sizeof s->title, "%s", val->string ? val->string : "");
		break;
	default:
		break;
	}
	return 1;
}

/* Builds in `out` a copy of grid g as a ring whose screen row 0 is g's
 * logical line `first` (0 being g's oldest scrollback line), with up to
 * sb_cap lines of scrollback before it; lines past g's are blank. g is
 * left as it was, so that a failure changes nothing. */
static int regrid(const struct term *s, const struct grid *g, struct grid *out, int rows,
		  int cap_cols, unsigned sb_cap, unsigned first)
{
	unsigned old_total = g->sb_count + (unsigned)s->rows;
	unsigned sb = first < sb_cap ? first : sb_cap;
	unsigned nlines = (unsigned)rows + sb_cap;
	struct cell b = blank_cell(s);
	struct cell *cells = malloc((size_t)nlines * (size_t)cap_cols * sizeof *cells);
	int keep = cap_cols < s->cap_cols ? cap_cols : s->cap_cols;

	if (!cells)
		return -ENOMEM;
	for (unsigned i = 0; i < nlines; i++) {
		struct cell *dst = cells + (size_t)i * (size_t)cap_cols;
		unsigned l = first - sb + i;

		if (i < sb + (unsigned)rows && l < old_total) {
			memcpy(dst, grid_line(s, g, g->top + g->nlines - g->sb_count + l),
			       (size_t)keep * sizeof *dst);
			fill(dst + keep, cap_cols - keep, &b);
		} else {
			fill(dst, cap_cols, &b);
		}
	}
	*out = (struct grid){.cells = cells, .nlines = nlines, .top = sb, .sb_count = sb};
	return 0;
}

static bool row_blank(const struct term *s, int y)
{
	const struct cell *c = row(s, y);

	for (int x = 0; x < s->cols; x++)
		if (c[x].ch[0]) /* a space written is not blank, as for libvterm */
			return false;
	return true;
}

/* As libvterm's screen: fewer rows push lines off the top into the
 * scrollback only as far as the cursor needs (blank rows below it go
 * first); more rows bring scrollback lines back. */
static int resize(int rows, int cols, VTermPos *delta, void *user)
{
	struct term *s = user;
	struct grid *pri = &s->grid[0], *alt = &s->grid[1], npri, nalt;
	bool on_alt = s->cur == alt;
	int cap_cols = cols > s->cap_cols ? cols : s->cap_cols;
	unsigned sb_max = sb_cap_for(s, cap_cols), sb_cap = pri->nlines - (unsigned)s->rows;
	unsigned first = pri->sb_count;
	VTermPos cur;

	if (rows < 1 || cols < 1)
		return 1;
	vterm_state_get_cursorpos(s->st, &cur);
	if (!on_alt && rows < s->rows) {
		int y = s->rows - 1;
		while (y >= rows && row_blank(s, y) && y != cur.row)
			y--;
		if (y + 1 > rows) {
			first += (unsigned)(y + 1 - rows);
			delta->row -= y + 1 - rows;
		}
	} else if (!on_alt && rows > s->rows) {
		unsigned pop = (unsigned)(rows - s->rows);
		if (pop > pri->sb_count)
			pop = pri->sb_count;
		first -= pop;
		delta->row += (int)pop;
	}
	/* Room for what is kept (sb_grow makes more), as much as before. */
	sb_cap = sb_cap > first ? sb_cap : first;
	sb_cap = sb_cap < sb_max ? sb_cap : sb_max;
	if (regrid(s, alt, &nalt, rows, cap_cols, 0, 0))
		return 1; /* out of memory: the old size stays (callbacks check bounds) */
	if (regrid(s, pri, &npri, rows, cap_cols, sb_cap, first)) {
		free(nalt.cells);
		return 1;
	}
	free(alt->cells);
	free(pri->cells);
	*alt = nalt;
	*pri = npri;
	s->cap_cols = cap_cols;
	/* Cells right of a narrower screen would come back stale if it widens
	 * again; scrollback keeps them, since its lines are redrawn whole. */
	if (cols < s->cols) {
		struct cell b = blank_cell(s);
		for (int g = 0; g < 2; g++)
			for (int y = 0; y < rows; y++)
				fill(grid_line(s, &s->grid[g], s->grid[g].top + (unsigned)y) + cols,
				     cap_cols - cols, &b);
	}
	s->rows = rows;
	s->cols = cols;
	return 1;
}

/* A line becoming double-width keeps its left half, as libvterm's screen
 * does; the cells it would draw beyond the middle are erased. (The old
 * line info is not looked at: libvterm 0.1.4 may pass it from beyond its
 * array after a resize.) */
static int setlineinfo(int y, const VTermLineInfo *now, const VTermLineInfo *was, void *user)
{
	struct term *s = user;

	(void)was;
	if (now->doublewidth && y >= 0 && y < s->rows)
		erase((VTermRect){y, y + 1, s->cols / 2, s->cols}, 0, s);
	return 1;
}

static const VTermStateCallbacks state_cb = {
	.setlineinfo = setlineinfo,
	.putglyph = putglyph,
	.scrollrect = scrollrect,
	.moverect = moverect,
	.erase = erase,
	.setpenattr = setpenattr,
	.settermprop = settermprop,
	.resize = resize,
};

/* ---- turning cells back into bytes ---- */

static size_t utf8(uint32_t c, char *o)
{
	return base_utf8_encode(c > 0x10ffff ? 0xfffd : c, (uint8_t *)o);
}

static void put_color(struct screen_bytes *b, const VTermColor *c, bool fg)
{
	if (VTERM_COLOR_IS_INDEXED(c))
		screen_bytes_printf(b, ";%d;5;%u", fg ? 38 : 48, c->indexed.idx);
	else
		screen_bytes_printf(b, ";%d;2;%u;%u;%u", fg ? 38 : 48, c->rgb.red, c->rgb.green,
				c->rgb.blue);
}

static bool same_color(const VTermColor *a, const VTermColor *b)
{
	if (a->type != b->type)
		return false;
	if (VTERM_COLOR_IS_DEFAULT_FG(a) || VTERM_COLOR_IS_DEFAULT_BG(a))
		return true;
	if (VTERM_COLOR_IS_INDEXED(a))
		return a->indexed.idx == b->indexed.idx;
	return a->rgb.red == b->rgb.red && a->rgb.green == b->rgb.green &&
	       a->rgb.blue == b->rgb.blue;
}

static bool same_pen(const struct cell *a, const struct cell *b)
{
	return ((a->attrs ^ b->attrs) & ~A_PROTECTED) == 0 && same_color(&a->fg, &b->fg) &&
	       same_color(&a->bg, &b->bg);
}

static void put_pen(struct screen_bytes *b, const struct cell *c)
{
	static const struct {
		unsigned mask, value;
		const char *sgr;
	} attr[] = {
		{A_BOLD, A_BOLD, ";1"},
		{A_ITALIC, A_ITALIC, ";3"},
		{A_UL_MASK, 1 << A_UL_SHIFT, ";4"},
		{A_UL_MASK, 2 << A_UL_SHIFT, ";21"},
		{A_UL_MASK, 3 << A_UL_SHIFT, ";4:3"},
		{A_BLINK, A_BLINK, ";5"},
		{A_REVERSE, A_REVERSE, ";7"},
		{A_STRIKE, A_STRIKE, ";9"},
	};

	screen_bytes_put(b, "\033[0", 3);
	for (size_t i = 0; i < sizeof attr / sizeof attr[0]; i++)
		if ((c->attrs & attr[i].mask) == attr[i].value)
			screen_bytes_put(b, attr[i].sgr, strlen(attr[i].sgr));
	if (!VTERM_COLOR_IS_DEFAULT_FG(&c->fg))
		put_color(b, &c->fg, true);
	if (!VTERM_COLOR_IS_DEFAULT_BG(&c->bg))
		put_color(b, &c->bg, false);
	screen_bytes_put(b, "m", 1);
}

static bool blank(const struct cell *c)
{
	return (c->ch[0] == 0 || c->ch[0] == ' ') && !(c->attrs & (A_REVERSE | A_UL_MASK)) &&
	       VTERM_COLOR_IS_DEFAULT_BG(&c->bg);
}

/* One line of cells as bytes: attributes as SGR, trailing blanks left out
 * and the rest of the line erased in the default pen. */
static void encode_cells(const struct cell *cells, int ncols, struct screen_bytes *b)
{
	int end = ncols;
	const struct cell *pen = NULL;
	char u[4];

	while (end > 0 && blank(&cells[end - 1]))
		end--;
	for (int x = 0; x < end;) {
		const struct cell *c = &cells[x];
		if (!pen || !same_pen(pen, c))
			put_pen(b, c);
		pen = c;
		if (c->ch[0] == 0 || c->width == 0) {
			screen_bytes_put(b, " ", 1);
		} else {
			for (int i = 0; i < CELL_CHARS && c->ch[i]; i++)
				screen_bytes_put(b, u, utf8(c->ch[i], u));
		}
		x += c->width == 2 ? 2 : 1;
	}
	screen_bytes_put(b, "\033[0m\033[K", 7);
}

/* ---- the emulator ---- */

static void keep(void *ctx, const void *buf, size_t n);

/* A size as a new screen has it. */
static void create_size(int *rows, int *cols)
{
	if (*rows < 1 || *cols < 1)
		*rows = 24, *cols = 80;
	*rows = *rows > RP_MAX_ROWS ? RP_MAX_ROWS : *rows;
	*cols = *cols > RP_MAX_COLS ? RP_MAX_COLS : *cols < MIN_COLS ? MIN_COLS : *cols;
}

/* The size a term would have after term_resize(rows, cols) from
 * (*r, *c): false when it would not change. */
static bool resize_to(int rows, int cols, int *r, int *c)
{
	rows = rows > RP_MAX_ROWS ? RP_MAX_ROWS : rows;
	cols = cols > RP_MAX_COLS ? RP_MAX_COLS : cols < 1 ? cols : cols < MIN_COLS ? MIN_COLS : cols;
	if (rows < 1 || cols < 1 || (rows == *r && cols == *c))
		return false;
	*r = rows;
	*c = cols;
	return true;
}

static struct term *term_create(int rows, int cols, unsigned sb_lines, size_t sb_bytes)
{
	struct term *s = calloc(1, sizeof *s);
	VTermColor fg, bg;

	if (!s)
		return NULL;
	create_size(&rows, &cols);
	if (!kpty_vtfilter_init(&s->filter, keep, s))
		goto fail_filter;
	kpty_vtfilter_set_cols(&s->filter, cols);
	s->sb_lines = sb_lines;
	s->sb_bytes = sb_bytes;
	s->cap_cols = cols;
	s->vt = vterm_new(rows, cols);
	if (!s->vt)
		goto fail_vt;
	s->st = vterm_obtain_state(s->vt);
	vterm_set_utf8(s->vt, 1);
	vterm_state_get_default_colors(s->st, &fg, &bg);
	s->pen = (struct cell){.fg = fg, .bg = bg, .width = 1};
	/* Before any line exists, "the old screen" is zero rows of nothing. */
	if (regrid(s, &s->grid[0], &s->grid[0], rows, cols, 0, 0)) /* sb_grow */
		goto fail_pri;
	if (regrid(s, &s->grid[1], &s->grid[1], rows, cols, 0, 0))
		goto fail_alt;
	s->rows = rows;
	s->cols = cols;
	s->cur = &s->grid[0];
	s->cursor_visible = true;
	s->fast = true;
	vtscan_init(&s->scan);
	vterm_state_set_callbacks(s->st, &state_cb, s);
	vterm_state_reset(s->st, 1);
	vterm_input_write(s->vt, KPTY_VTFILTER_START, strlen(KPTY_VTFILTER_START));
	return s;
fail_alt:
	free(s->grid[0].cells);
fail_pri:
	vterm_free(s->vt);
fail_vt:
	kpty_vtfilter_finish(&s->filter);
fail_filter:
	free(s);
	return NULL;
}

static void term_destroy(struct term *s)
{
	if (!s)
		return;
	vterm_free(s->vt);
	kpty_vtfilter_finish(&s->filter);
	free(s->pend);
	free(s->grid[0].cells);
	free(s->grid[1].cells);
	free(s);
}

/* libvterm answers a mode query (DECRQM, DECRQSS) into its output
 * buffer; the answer is compared with the one wanted. */
static bool vt_answers(struct term *s, const char *query, const char *want)
{
	char a[64];
	size_t n;

	while (vterm_output_get_buffer_current(s->vt))
		vterm_output_read(s->vt, a, sizeof a);
	vterm_input_write(s->vt, query, strlen(query));
	n = vterm_output_read(s->vt, a, sizeof a - 1);
	a[n] = 0;
	return !strcmp(a, want);
}

/* Whether plain text arriving now may be drawn by fast_draw: the scanner
 * says the stream is plain, libvterm's cursor is at the start of a line
 * (so no wrap is pending and no earlier glyph can take a combining mark),
 * autowrap is on, there are no margins and no double-width lines. */
static bool fast_ready(struct term *s)
{
	VTermPos cur;

	if (!s->fast || !vtscan_plain(&s->scan) || s->cols < 2)
		return false;
	vterm_state_get_cursorpos(s->st, &cur);
	if (cur.col != 0 || cur.row < 0 || cur.row >= s->rows)
		return false;
	if (s->scan.modes_changed) {
		char region[32];
		snprintf(region, sizeof region, "\033P1$r1;%dr\033\\", s->rows);
		s->modes_ok = vt_answers(s, "\033[?7$p", "\033[?7;1$y") &&
			      !vt_answers(s, "\033[?69$p", "\033[?69;1$y") &&
			      vt_answers(s, "\033P$qr\033\\", region);
		s->scan.modes_changed = false;
	}
	if (!s->modes_ok)
		return false;
	for (int y = 0; y < s->rows; y++) {
		const VTermLineInfo *li = vterm_state_get_lineinfo(s->st, y);
		if (li && (li->doublewidth || li->doubleheight))
			return false;
	}
	return true;
}

/* Whether a character is one libvterm draws in one cell with nothing to
 * combine: ranges of Latin, Greek, Cyrillic, punctuation, arrows, maths
 * and box drawing (the unit tests hold each range against libvterm). */
static bool narrow_char(uint32_t c)
{
	static const uint32_t ranges[][2] = {
		{0xa0, 0x2ff},	   {0x370, 0x482},   {0x48a, 0x52f},   {0x2010, 0x2027},
		{0x2030, 0x205e}, {0x2190, 0x22ff}, {0x2500, 0x259f},
	};

	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (c >= ranges[i][0] && c <= ranges[i][1])
			return true;
	return false;
}

/* Bytes of the UTF-8 character at p when it is well formed and narrow
 * (above), with its code point in *c; 0 otherwise. */
static size_t narrow_utf8(const uint8_t *p, size_t n, uint32_t *c)
{
	if (n >= 2 && p[0] >= 0xc2 && p[0] < 0xe0 && (p[1] & 0xc0) == 0x80) {
		*c = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return narrow_char(*c) ? 2 : 0;
	}
	if (n >= 3 && (p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80) {
		*c = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		return *c >= 0x800 && narrow_char(*c) ? 3 : 0; /* not overlong */
	}
	return 0;
}

/* Bytes at the start of p that are printable ASCII, eight at a time (no
 * byte below 0x20, none above 0x7e: the word tests of "Bit Twiddling
 * Hacks"); stops at most 7 bytes short of the first other byte. */
static size_t printable_words(const uint8_t *p, size_t n)
{
	const uint64_t ones = ~(uint64_t)0 / 255, highs = ones * 0x80;
	size_t i = 0;

	for (; n - i >= 8; i += 8) {
		uint64_t x;
		memcpy(&x, p + i, 8);
		if ((((x - ones * 0x20) & ~x) | ((x + ones) | x)) & highs)
			break;
	}
	return i;
}

static size_t utf8_len(uint8_t lead)
{
	return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

/* How much of p fast_draw may take: plain text (printable ASCII, narrow
 * UTF-8 characters, tabs with the default stops, CR, LF, and VT and FF,
 * which libvterm takes as LF) up to the last
 * line feed that leaves the cursor in column 0. *blocked (if asked) says
 * whether a byte it cannot take stopped it, rather than the end of p. */
static size_t plain_len(const struct term *s, const uint8_t *p, size_t n, bool *blocked)
{
	size_t end = 0;
	uint32_t cp;

	for (size_t i = 0; i < n; i++) {
		uint8_t c;
		i += printable_words(p + i, n - i);
		if (i == n)
			break;
		c = p[i];
		if (c == '\n') {
			if (i == 0 || p[i - 1] == '\r' || s->scan.lnm)
				end = i + 1;
		} else if (c >= 0x80) {
			size_t k = s->scan.utf8_broken ? 0 : narrow_utf8(p + i, n - i, &cp);
			if (!k) {
				if (blocked) /* not a character cut by the end of p */
					*blocked = s->scan.utf8_broken || c < 0xc0 ||
						   n - i >= utf8_len(c);
				break;
			}
			i += k - 1;
		} else if (c == '\t' ? s->scan.tabs_set
				     : c != '\r' && c != '\v' && c != '\f' && (c < 0x20 || c == 0x7f)) {
			if (blocked)
				*blocked = true;
			break;
		}
	}
	return end;
}

/* Where HT takes the cursor from column x with the default stops (every 8
 * columns), as libvterm does: to the next stop or the last column (where
 * a pending wrap stays pending). */
static int tab_col(const struct term *s, int x)
{
	int to = (x / 8 + 1) * 8;

	return to < s->cols - 1 ? to : s->cols - 1;
}

/* Rows a line of plain text takes from column 0 on the bottom row when it
 * is printable characters and tabs and one CR LF at its end (most output):
 * one, and one more for each wrap, VT and FF (line feeds, which keep the
 * column and a pending wrap there). Sets *len to its length with the CR
 * LF; 0 for any other line (a CR inside). */
static size_t simple_rows(const struct term *s, const uint8_t *p, size_t n, size_t *len)
{
	const uint8_t *lf = memchr(p, '\n', n);
	size_t chars, rows = 1;
	int x = 0;
	bool wrap = false;

	if (!lf || lf == p || lf[-1] != '\r')
		return 0;
	chars = (size_t)(lf - p) - 1;
	*len = chars + 2;
	size_t i = printable_words(p, chars);
	while (i < chars && p[i] >= 0x20 && p[i] < 0x7f)
		i++;
	if (i == chars)
		return chars ? 1 + (chars - 1) / (size_t)s->cols : 1;
	/* Tabs or UTF-8 (plain_len let only narrow characters by) */
	for (i = 0; i < chars; i++) {
		if (p[i] == '\r')
			return 0;
		if (p[i] == '\v' || p[i] == '\f') { /* a line feed (on the bottom row) */
			rows++;
			continue;
		}
		if (p[i] == '\t') {
			x = tab_col(s, x);
			continue;
		}
		if ((p[i] & 0xc0) == 0x80)
			continue; /* the rest of a character */
		if (wrap) {
			rows++;
			x = 0;
			wrap = false;
		}
		if (x == s->cols - 1)
			wrap = true;
		else
			x++;
	}
	return rows;
}

/* With the cursor on the bottom row, each row of text scrolls the whole
 * screen once. When the last lines of a batch take at least the ring's
 * worth of rows, every line of the ring is scrolled in (cleared) again
 * while they are drawn, and they fill the scrollback to its bound: what
 * came before them cannot show and is not drawn at all (nor is the row
 * the first of them starts on: it scrolls out too). Only the cursor
 * matters: on the bottom row, in column 0 after the CR LF that ends the
 * lines skipped. The lines kept are found from the end, so a batch costs
 * the rows it keeps, not the rows it has. Returns the bytes skipped. */
static size_t fast_skip(struct term *s, const uint8_t *p, size_t n)
{
	const struct grid *g = s->cur;
	size_t tail = 0, off = n, len;
	VTermPos cur;

	if (n / 2 <= ring_lines(s, g)) /* a line is at least CR LF */
		return 0;
	vterm_state_get_cursorpos(s->st, &cur);
	if (cur.row != s->rows - 1)
		return 0;
	while (tail < ring_lines(s, g)) {
		const uint8_t *lf = off > 1 ? memrchr(p, '\n', off - 1) : NULL;
		size_t start = lf ? (size_t)(lf - p) + 1 : 0, r;
		if (!start || !(r = simple_rows(s, p + start, off - start, &len)))
			return 0; /* too few lines, or one that is not simple */
		tail += r;
		off = start;
	}
	if (off < 2 || p[off - 2] != '\r')
		return 0; /* a bare line feed keeps its column */
	return off;
}

/* What libvterm would do with plain text (checked by fast_ready), done
 * directly on the grid; libvterm is then told where the cursor went. */
static void fast_draw(struct term *s, const uint8_t *p, size_t n)
{
	const VTermRect all = {0, s->rows, 0, s->cols};
	struct cell pen = s->pen;
	VTermPos cur;
	size_t off;
	int y, x = 0;
	bool wrap = false;
	struct cell *line;
	char cup[32];

	if (s->scan.protect)
		pen.attrs |= A_PROTECTED;
	off = fast_skip(s, p, n);
	p += off;
	n -= off;
	vterm_state_get_cursorpos(s->st, &cur);
	y = cur.row;
	line = row(s, y);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '\r') {
			x = 0;
			wrap = false;
			continue;
		}
		if (c == '\v' || c == '\f')
			c = '\n'; /* as libvterm has them */
		if (c == '\t') { /* a pending wrap stays pending */
			x = tab_col(s, x);
			continue;
		}
		if (c == '\n' || wrap) {
			/* libvterm keeps a pending wrap unless the cursor moves:
			 * a line feed that scrolls keeps it. */
			bool moved = y < s->rows - 1 || (c == '\n' && s->scan.lnm && x);
			if (y == s->rows - 1)
				scrollrect(all, 1, 0, s);
			else
				y++;
			line = row(s, y);
			if (c == '\n') {
				if (s->scan.lnm)
					x = 0;
				wrap = wrap && !moved;
				continue;
			}
			x = 0;
			wrap = false;
		}
		uint32_t ch = c;
		if (c >= 0x80) /* a narrow character: plain_len checked it */
			i += narrow_utf8(p + i, n - i, &ch) - 1;
		line[x] = pen;
		line[x].ch[0] = ch;
		if (x == s->cols - 1)
			wrap = true;
		else
			x++;
	}
	snprintf(cup, sizeof cup, "\033[%d;%dH", y + 1, x + 1);
	vterm_input_write(s->vt, cup, strlen(cup));
}

/* How many bytes at the end of p are the start of a UTF-8 character that
 * is not complete yet. */
static size_t cut_tail(const uint8_t *p, size_t n)
{
	for (size_t i = 1; i <= 3 && i <= n; i++) {
		uint8_t b = p[n - i];
		if ((b & 0xc0) == 0x80)
			continue;
		return b >= 0xc0 && utf8_len(b) > i ? i : 0;
	}
	return 0;
}

/* Floods of plain lines (a log, `cat` of a file) skip libvterm's
 * per-character work: its state layer costs about three times the rest
 * of the daemon's per-byte work. Everything else goes through libvterm, a
 * line at a time so that the plain path can take over at the next one. */
static size_t write_bytes(const struct term *s)
{
	size_t k = WRITE_WORK_CELLS / ((size_t)s->rows * (size_t)s->cols);

	return k < 16 ? 16 : k > KPTY_VTFILTER_CHUNK ? KPTY_VTFILTER_CHUNK : k;
}

static void feed_part(struct term *s, const uint8_t *p, size_t n)
{
	while (n) {
		size_t k;

		if (s->work - s->work_from > DRAW_WORK_MAX_CELLS) {
			/* CAN: libvterm drops a sequence it was reading */
			vterm_input_write(s->vt, "\030", 1);
			vtscan_feed(&s->scan, (const uint8_t *)"\030", 1);
			s->skipped += n;
			return;
		}
		k = fast_ready(s) ? plain_len(s, p, n, NULL) : 0;

		if (k) {
			fast_draw(s, p, k);
		} else {
			const uint8_t *lf = memchr(p, '\n', n);
			k = lf ? (size_t)(lf - p) + 1 : n;
			/* libvterm puts four bytes a byte written on its stack;
			 * the filter's output breaks between characters. */
			if (k > write_bytes(s)) {
				k = write_bytes(s);
				while (k > 1 && (p[k] & 0xc0) == 0x80)
					k--;
			}
			vterm_input_write(s->vt, (const char *)p, k);
			vtscan_feed(&s->scan, p, k);
		}
		p += k;
		n -= k;
	}
}

/* A UTF-8 character cut between two reads is held back and given to
 * libvterm whole: libvterm 0.1.4 turns a character split across two
 * writes into U+FFFD, and its decoder stays confused after. */
static void feed_now(struct term *s, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t hold;

	if (s->carry_len) {
		size_t want = utf8_len(s->carry[0]);
		while (s->carry_len < want && n && (*p & 0xc0) == 0x80) {
			s->carry[s->carry_len++] = *p++;
			n--;
		}
		if (s->carry_len < want && !n)
			return;
		if (s->carry_len < want) /* never finished: shown as U+FFFD */
			feed_part(s, (const uint8_t *)"\xef\xbf\xbd", 3);
		else
			feed_part(s, s->carry, s->carry_len);
		s->carry_len = 0;
	}
	hold = cut_tail(p, n);
	feed_part(s, p, n - hold);
	memcpy(s->carry, p + n - hold, hold);
	s->carry_len = (unsigned)hold;
	/* Answers to the program's queries come from the viewers' own
	 * terminals; the host's copy only watches. */
	while (vterm_output_get_buffer_current(s->vt)) {
		char sink[256];
		vterm_output_read(s->vt, sink, sizeof sink);
	}
}

/* Twice the ring's cells: how much the kept output grows between cuts. */
static size_t compact_step(const struct term *s)
{
	return 2 * (size_t)ring_lines(s, s->cur) * (size_t)s->cap_cols;
}

static void settle(struct term *s)
{
	if (s->pend_len)
		feed_now(s, s->pend, s->pend_len);
	s->pend_len = 0;
	s->plain_end = 0;
	s->plain_blocked = false;
	s->compact_at = compact_step(s);
}

/* Draws the whole lines kept; the last one, cut by the end of a read,
 * stays (so that the next batch starts in column 0). */
static void settle_lines(struct term *s)
{
	const uint8_t *lf = s->pend_len ? memrchr(s->pend, '\n', s->pend_len) : NULL;
	size_t upto = lf ? (size_t)(lf - s->pend) + 1 : 0;

	if (!upto)
		return;
	feed_now(s, s->pend, upto);
	memmove(s->pend, s->pend + upto, s->pend_len - upto);
	s->pend_len -= upto;
	s->plain_end = 0;
	s->plain_blocked = false;
}

/* While plain lines pour in, the output kept is cut to the lines that can
 * still show: from the state at its start (where the plain path would
 * begin), fast_skip says which lines drawing it would skip, and they are
 * dropped now. Each feed scans only what it added, and every time the
 * output kept grows by compact_step() it is cut. What the plain path
 * cannot take (an escape sequence, a control, a batch starting in the
 * middle of a line) is drawn with the lines before it: at once when
 * nothing plain comes before it, else at the next cut. A flood of text
 * thus costs a scan of each byte and no drawing until somebody looks or
 * it pauses, and no feed does much more work than its own bytes need
 * (the daemon reads its pty between feeds, and a pty buffers only about
 * 20 KiB: a long pause stops the program). */
static void pend_scan(struct term *s)
{
	size_t off;

	for (int pass = 0; pass < 2; pass++) {
		bool blocked = false;
		if (s->plain_blocked || (!s->plain_end && !fast_ready(s)))
			blocked = true;
		else
			s->plain_end += plain_len(s, s->pend + s->plain_end,
						  s->pend_len - s->plain_end, &blocked);
		s->plain_blocked = blocked;
		if (!blocked || s->plain_end || pass)
			break;
		settle_lines(s);
	}
	/* What the plain path cannot take is never kept long: drawing a
	 * byte of it can cost a whole screen (an insert-line moves every
	 * row below), so the owner can only pace a program's output by
	 * its cost if each feed draws about its own bytes. */
	if (s->plain_blocked && s->pend_len - s->plain_end > NONPLAIN_KEPT_BYTES) {
		settle(s);
		return;
	}
	if (s->pend_len < s->compact_at)
		return;
	if (!s->plain_blocked && (off = fast_skip(s, s->pend, s->plain_end))) {
		memmove(s->pend, s->pend + off, s->pend_len - off);
		s->pend_len -= off;
		s->plain_end -= off;
	} else { /* or the cursor is not on the bottom row yet */
		settle_lines(s);
	}
	s->compact_at = s->pend_len + compact_step(s);
}

/* Nobody looks at the host's screen until a snapshot, a resize or a test
 * asks, so output is only kept until then, or until a batch is full, or
 * the owner settles it (when output pauses); plain lines that could no
 * longer show are dropped from it as it grows (pend_scan). */
static void keep(void *ctx, const void *buf, size_t n)
{
	struct term *s = ctx;
	const uint8_t *p = buf;

	while (n) {
		if (s->pend_len == s->pend_cap) {
			size_t cap = s->pend_cap ? s->pend_cap * 2 : 16384;
			uint8_t *np = s->pend_cap < PEND_MAX ? realloc(s->pend, cap) : NULL;
			if (np) {
				s->pend = np;
				s->pend_cap = cap;
			} else {
				settle(s);
				if (!s->pend_cap) { /* no memory for a batch at all */
					feed_now(s, p, n);
					return;
				}
			}
		}
		size_t k = s->pend_cap - s->pend_len < n ? s->pend_cap - s->pend_len : n;
		memcpy(s->pend + s->pend_len, p, k);
		s->pend_len += k;
		p += k;
		n -= k;
	}
	if (s->fast)
		pend_scan(s);
}

static void term_feed(struct term *s, const void *buf, size_t n)
{
	s->work_from = s->work;
	kpty_vtfilter_feed(&s->filter, buf, n);
}

static void term_settle(struct term *s)
{
	s->work_from = s->work;
	settle(s);
	free(s->pend);
	s->pend = NULL;
	s->pend_cap = 0;
}

static void term_set_fast(struct term *s, bool on)
{
	s->work_from = s->work;
	settle(s);
	s->fast = on;
}

static void term_resize(struct term *s, int rows, int cols)
{
	s->work_from = s->work;
	settle(s);
	{
		int r = s->rows, c = s->cols;
		if (!resize_to(rows, cols, &r, &c))
			return;
		rows = r;
		cols = c;
	}
	kpty_vtfilter_set_cols(&s->filter, cols);
	vterm_set_size(s->vt, rows, cols);
	{
		VTermPos cur;
		char fix[KPTY_VTFILTER_RESIZE_FIX];
		vterm_state_get_cursorpos(s->st, &cur);
		vterm_input_write(s->vt, fix, kpty_vtfilter_resize_fix(fix, rows, cols, cur.row, cur.col));
	}
	s->scan.modes_changed = true; /* the scroll region follows the size */
}

static void put_rows(const struct term *s, const struct grid *g, struct screen_bytes *out)
{
	screen_bytes_put(out, "\033[H\033[2J", 7);
	for (int y = 0; y < s->rows; y++) {
		screen_bytes_printf(out, "\033[%d;1H", y + 1);
		encode_cells(grid_line(s, g, g->top + (unsigned)y), s->cols, out);
	}
}

static void term_snapshot(struct term *s, unsigned sb_max, struct screen_bytes *out)
{
	const struct grid *pri = &s->grid[0];
	unsigned n;
	VTermPos cur;

	s->work_from = s->work;
	settle(s);
	n = pri->sb_count < sb_max ? pri->sb_count : sb_max;

	/* Main screen, default pen, cleared; scrollback lines are printed
	 * and then pushed into the terminal's own history: exactly n lines
	 * (the last one printed stays on the cursor's row, so newlines from
	 * the bottom row push the min(n, rows) still on the screen and no
	 * blank one). */
	screen_bytes_put(out, "\033[?1049l\033[0m\033[H\033[2J", 19);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			screen_bytes_put(out, "\r\n", 2);
		encode_cells(grid_line(s, pri, pri->top + pri->nlines - n + i), s->cap_cols, out);
	}
	if (n) {
		screen_bytes_printf(out, "\033[%d;1H", s->rows);
		for (unsigned i = 0; i < n && i < (unsigned)s->rows; i++)
			screen_bytes_put(out, "\n", 1);
	}
	/* The primary screen is drawn even under the alternate one, so that
	 * it is right when the program leaves the alternate screen. */
	put_rows(s, pri, out);
	if (s->cur == &s->grid[1]) {
		screen_bytes_put(out, "\033[?1049h", 8);
		put_rows(s, &s->grid[1], out);
	}
	if (s->title[0])
		screen_bytes_printf(out, "\033]2;%s\a", s->title);
	if (s->mouse)
		screen_bytes_printf(out, "\033[?%dh", s->mouse == VTERM_PROP_MOUSE_CLICK  ? 1000
						  : s->mouse == VTERM_PROP_MOUSE_DRAG ? 1002
										      : 1003);
	if (s->scan.mouse_enc) /* SGR (1006) and the others: X10 breaks past column 223 */
		screen_bytes_printf(out, "\033[?%uh", (unsigned)s->scan.mouse_enc);
	if (s->reverse)
		screen_bytes_put(out, "\033[?5h", 5);
	if (s->cursor_shape)
		screen_bytes_printf(out, "\033[%d q",
				(s->cursor_shape == VTERM_PROP_CURSORSHAPE_UNDERLINE  ? 3
				 : s->cursor_shape == VTERM_PROP_CURSORSHAPE_BAR_LEFT ? 5
										      : 1) +
					!s->cursor_blink);
	vterm_state_get_cursorpos(s->st, &cur);
	screen_bytes_printf(out, "\033[%d;%dH\033[?25%c", cur.row + 1, cur.col + 1,
			s->cursor_visible ? 'h' : 'l');
}

static size_t term_row_text(struct term *s, int y, char *buf, size_t n)
{
	size_t len = 0;
	const struct cell *c;

	s->work_from = s->work;
	settle(s);
	if (!n || y < 0 || y >= s->rows)
		return 0;
	c = row(s, y);
	for (int x = 0; x < s->cols; x++) {
		const uint32_t space = ' ', *ch = c[x].ch[0] ? c[x].ch : &space;
		char u[4];

		if (c[x].width == 0)
			continue;
		for (int i = 0; i < (ch == &space ? 1 : CELL_CHARS) && ch[i]; i++) {
			size_t k = utf8(ch[i], u);
			if (len + k >= n)
				goto done;
			memcpy(buf + len, u, k);
			len += k;
		}
	}
done:
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
	return len;
}

/* ---- the screen: an emulator, or recent output and one built on demand ---- */

/* A lazy screen's change of size, at a point of its output. */
struct size_at {
	uint64_t at; /* bytes of output before it */
	int rows, cols;
};

/* Size changes kept with a lazy screen's output; at more, the output
 * before the oldest is let go. A console changes size when a writer
 * attaches: a few in the time it prints its keep_bytes. */
#define LAZY_SIZES_MAX 8

struct screen {
	struct term *t; /* eager: always; lazy: only while a reader runs */
	bool lazy, fast;
	unsigned sb_lines;
	size_t sb_bytes;
	uint64_t work, skipped; /* lazy: summed over the readers' builds */
	/* Lazy: the last output, a ring of keep_max bytes (allocated when
	 * the first comes) that starts at a line, and the sizes: rows, cols
	 * at the start of what is kept, then each change within it. */
	uint8_t *keep;
	size_t keep_max, head, len;
	uint64_t fed; /* bytes of output so far */
	int rows, cols;
	struct size_at sizes[LAZY_SIZES_MAX];
	unsigned nsizes;
};

struct screen *screen_create(int rows, int cols, unsigned sb_lines, size_t sb_bytes)
{
	struct screen *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->t = term_create(rows, cols, sb_lines, sb_bytes);
	if (!s->t) {
		free(s);
		return NULL;
	}
	return s;
}

struct screen *screen_create_lazy(int rows, int cols, unsigned sb_lines, size_t sb_bytes,
					size_t keep_bytes)
{
	struct screen *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	create_size(&rows, &cols);
	s->lazy = true;
	s->fast = true;
	s->sb_lines = sb_lines;
	s->sb_bytes = sb_bytes;
	s->keep_max = keep_bytes ? keep_bytes : 1;
	s->rows = rows;
	s->cols = cols;
	return s;
}

void screen_destroy(struct screen *s)
{
	if (!s)
		return;
	term_destroy(s->t);
	free(s->keep);
	free(s);
}

/* The size changes at or before the start of what is kept become the
 * size it starts at. */
static void lazy_sizes(struct screen *s)
{
	uint64_t start = s->fed - s->len;

	while (s->nsizes && s->sizes[0].at <= start) {
		s->rows = s->sizes[0].rows;
		s->cols = s->sizes[0].cols;
		memmove(s->sizes, s->sizes + 1, --s->nsizes * sizeof s->sizes[0]);
	}
}

/* Lets go of the first n (at most len) bytes kept, and then of the rest
 * of the line they cut: the replay starts at a line. Returns whether
 * what is kept now starts at one (when it is all gone: whether the last
 * byte that went ended a line). */
static bool lazy_drop(struct screen *s, size_t n)
{
	bool line = true;

	if (n) {
		while (n < s->len && s->keep[(s->head + n - 1) % s->keep_max] != '\n')
			n++;
		line = s->keep[(s->head + n - 1) % s->keep_max] == '\n';
	}
	s->head = (s->head + n) % s->keep_max;
	s->len -= n;
	lazy_sizes(s);
	return line;
}

/* Keeps output: copied, nothing is parsed. */
static void lazy_keep(struct screen *s, const uint8_t *p, size_t n)
{
	size_t over = s->len + n > s->keep_max ? s->len + n - s->keep_max : 0, tail, k;
	bool line = true;

	if (!n)
		return;
	if (!s->keep && !(s->keep = malloc(s->keep_max))) {
		s->fed += n; /* no memory: no replay, for now */
		lazy_sizes(s);
		return;
	}
	if (over > s->len) { /* the old output goes, and the start of this */
		size_t cut = over - s->len;
		line = p[cut - 1] == '\n';
		p += cut;
		n -= cut;
		s->fed += cut;
		s->head = s->len = 0;
	} else if (over) {
		line = lazy_drop(s, over);
	}
	if (!line) { /* the replay starts at a line */
		const uint8_t *lf = memchr(p, '\n', n);
		size_t skip = lf ? (size_t)(lf - p) + 1 : 0;
		p += skip;
		n -= skip;
		s->fed += skip;
	}
	tail = (s->head + s->len) % s->keep_max;
	k = n < s->keep_max - tail ? n : s->keep_max - tail;
	memcpy(s->keep + tail, p, k);
	memcpy(s->keep, p + k, n - k);
	s->len += n;
	s->fed += n;
	lazy_sizes(s);
}

static void lazy_resize(struct screen *s, int rows, int cols)
{
	struct size_at *last = s->nsizes ? &s->sizes[s->nsizes - 1] : NULL;
	int r = last ? last->rows : s->rows, c = last ? last->cols : s->cols;

	if (!resize_to(rows, cols, &r, &c))
		return;
	if (!s->len) { /* nothing kept: the size to start from */
		s->rows = r;
		s->cols = c;
		return;
	}
	if (last && last->at == s->fed) {
		last->rows = r;
		last->cols = c;
		return;
	}
	if (s->nsizes == LAZY_SIZES_MAX)
		lazy_drop(s, (size_t)(s->sizes[0].at - (s->fed - s->len)));
	s->sizes[s->nsizes++] = (struct size_at){s->fed, r, c};
	if (!s->len) { /* all dropped: the size is all there is to keep */
		s->rows = r;
		s->cols = c;
		s->nsizes = 0;
	}
}

/* Feeds the kept output from offset `from`, n bytes, to t. */
static void lazy_replay(const struct screen *s, struct term *t, size_t from, size_t n)
{
	size_t at, k;

	if (!n) /* nothing kept yet: the ring is not even allocated */
		return;
	at = (s->head + from) % s->keep_max;
	k = n < s->keep_max - at ? n : s->keep_max - at;

	kpty_vtfilter_feed(&t->filter, s->keep + at, k);
	if (n > k)
		kpty_vtfilter_feed(&t->filter, s->keep, n - k);
}

/* The screen the kept output draws, as an eager screen fed the same
 * output and sizes would have it: one call in from outside, bounded as
 * any (DRAW_WORK_MAX_CELLS). */
static struct term *lazy_build(struct screen *s)
{
	struct term *t = term_create(s->rows, s->cols, s->sb_lines, s->sb_bytes);
	uint64_t start = s->fed - s->len;
	size_t done = 0;

	if (!t)
		return NULL;
	term_set_fast(t, s->fast);
	t->work_from = t->work;
	for (unsigned i = 0; i <= s->nsizes; i++) {
		size_t upto = i < s->nsizes ? (size_t)(s->sizes[i].at - start) : s->len;
		uint64_t from = t->work_from;
		lazy_replay(s, t, done, upto - done);
		done = upto;
		if (i < s->nsizes) {
			term_resize(t, s->sizes[i].rows, s->sizes[i].cols);
			t->work_from = from;
		}
	}
	return t;
}

static void lazy_done(struct screen *s, struct term *t)
{
	s->work += t->work;
	s->skipped += t->skipped;
	term_destroy(t);
}

void screen_feed(struct screen *s, const void *buf, size_t n)
{
	if (s->lazy)
		lazy_keep(s, buf, n);
	else
		term_feed(s->t, buf, n);
}

uint64_t screen_skipped(const struct screen *s)
{
	return s->lazy ? s->skipped : s->t->skipped;
}

uint64_t screen_work(const struct screen *s)
{
	return s->lazy ? s->work : s->t->work;
}

void screen_settle(struct screen *s)
{
	if (!s->lazy)
		term_settle(s->t);
}

void screen_set_fast(struct screen *s, bool on)
{
	if (s->lazy)
		s->fast = on;
	else
		term_set_fast(s->t, on);
}

void screen_resize(struct screen *s, int rows, int cols)
{
	if (s->lazy)
		lazy_resize(s, rows, cols);
	else
		term_resize(s->t, rows, cols);
}

void screen_snapshot(struct screen *s, unsigned sb_max, struct screen_bytes *out)
{
	struct term *t;

	if (!s->lazy) {
		term_snapshot(s->t, sb_max, out);
		return;
	}
	t = lazy_build(s);
	if (!t) { /* out of memory: a blank screen */
		screen_bytes_put(out, "\033[?1049l\033[0m\033[H\033[2J", 19);
		return;
	}
	term_snapshot(t, sb_max, out);
	lazy_done(s, t);
}

size_t screen_row_text(struct screen *s, int y, char *buf, size_t n)
{
	struct term *t;
	size_t len;

	if (!s->lazy)
		return term_row_text(s->t, y, buf, n);
	t = lazy_build(s);
	if (!t) {
		if (n)
			buf[0] = 0;
		return 0;
	}
	len = term_row_text(t, y, buf, n);
	lazy_done(s, t);
	return len;
}
