/* The host's copy of a session's screen (see screen.h).
 *
 * Cells are turned back into bytes with one SGR sequence per change of
 * attributes, colours kept as the program set them (default, indexed or
 * truecolour), so a snapshot redraws what the program drew rather than an
 * approximation. Scrollback lines are encoded once, when they scroll off.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "screen.h"

struct sb_line {
	char *p;
	size_t n;
};

struct rp_screen {
	VTerm *vt;
	VTermScreen *vs;
	int rows, cols;
	struct sb_line *sb; /* ring */
	unsigned sb_cap, sb_head, sb_count;
	size_t sb_bytes, sb_limit;
	bool cursor_visible, altscreen;
	int mouse;
	char title[256];
	VTermScreenCell *row; /* one row of cells, for encoding */
	struct rp_bytes scratch; /* a scrolled-off line being encoded */
};

void rp_bytes_put(struct rp_bytes *b, const void *p, size_t n)
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

void rp_bytes_printf(struct rp_bytes *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		rp_bytes_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void rp_bytes_finish(struct rp_bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

static size_t utf8(uint32_t c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c > 0x10ffff)
		c = 0xfffd;
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static void put_color(struct rp_bytes *b, const VTermColor *c, bool fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		rp_bytes_printf(b, ";%d", fg ? 39 : 49);
	else if (VTERM_COLOR_IS_INDEXED(c))
		rp_bytes_printf(b, ";%d;5;%u", fg ? 38 : 48, c->indexed.idx);
	else
		rp_bytes_printf(b, ";%d;2;%u;%u;%u", fg ? 38 : 48, c->rgb.red, c->rgb.green,
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

static bool same_pen(const VTermScreenCell *a, const VTermScreenCell *b)
{
	return a->attrs.bold == b->attrs.bold && a->attrs.underline == b->attrs.underline &&
	       a->attrs.italic == b->attrs.italic && a->attrs.blink == b->attrs.blink &&
	       a->attrs.reverse == b->attrs.reverse && a->attrs.strike == b->attrs.strike &&
	       same_color(&a->fg, &b->fg) && same_color(&a->bg, &b->bg);
}

static void put_pen(struct rp_bytes *b, const VTermScreenCell *c)
{
	const bool on[] = {c->attrs.bold,  c->attrs.italic,  c->attrs.underline,
			   c->attrs.blink, c->attrs.reverse, c->attrs.strike};
	static const char sgr[] = "134579";

	rp_bytes_put(b, "\033[0", 3);
	for (size_t i = 0; i < sizeof on / sizeof on[0]; i++)
		if (on[i])
			rp_bytes_printf(b, ";%c", sgr[i]);
	if (!VTERM_COLOR_IS_DEFAULT_FG(&c->fg))
		put_color(b, &c->fg, true);
	if (!VTERM_COLOR_IS_DEFAULT_BG(&c->bg))
		put_color(b, &c->bg, false);
	rp_bytes_put(b, "m", 1);
}

static bool blank(const VTermScreenCell *c)
{
	return (c->chars[0] == 0 || c->chars[0] == ' ') && !c->attrs.reverse &&
	       !c->attrs.underline && VTERM_COLOR_IS_DEFAULT_BG(&c->bg);
}

/* One line of cells as bytes: attributes as SGR, trailing blanks left out
 * and the rest of the line erased in the default pen. */
static void encode_cells(const VTermScreenCell *cells, int ncols, struct rp_bytes *b)
{
	int end = ncols;
	const VTermScreenCell *pen = NULL;
	char u[4];

	while (end > 0 && blank(&cells[end - 1]))
		end--;
	for (int x = 0; x < end;) {
		const VTermScreenCell *c = &cells[x];
		if (!pen || !same_pen(pen, c))
			put_pen(b, c);
		pen = c;
		if (c->chars[0] == 0) {
			rp_bytes_put(b, " ", 1);
		} else {
			for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c->chars[i]; i++)
				rp_bytes_put(b, u, utf8(c->chars[i], u));
		}
		x += c->width > 0 ? c->width : 1;
	}
	rp_bytes_put(b, "\033[0m\033[K", 7);
}

static void sb_drop_oldest(struct rp_screen *s)
{
	struct sb_line *l = &s->sb[s->sb_head];

	s->sb_bytes -= l->n;
	free(l->p);
	l->p = NULL;
	s->sb_head = (s->sb_head + 1) % s->sb_cap;
	s->sb_count--;
}

static int sb_pushline(int cols, const VTermScreenCell *cells, void *user)
{
	struct rp_screen *s = user;
	struct rp_bytes *b = &s->scratch;
	char *p;

	if (!s->sb_cap)
		return 0;
	/* Encoded in a reused buffer, kept in an allocation of its own size:
	 * the bound on sb_bytes is then the memory it takes. */
	b->len = 0;
	encode_cells(cells, cols, b);
	if (b->err || b->len > s->sb_limit || !(p = malloc(b->len)))
		return 0;
	memcpy(p, b->p, b->len);
	while (s->sb_count && (s->sb_count == s->sb_cap || s->sb_bytes + b->len > s->sb_limit))
		sb_drop_oldest(s);
	s->sb[(s->sb_head + s->sb_count) % s->sb_cap] = (struct sb_line){p, b->len};
	s->sb_count++;
	s->sb_bytes += b->len;
	return 1;
}

static int settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct rp_screen *s = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		s->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_ALTSCREEN:
		s->altscreen = val->boolean;
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

static const VTermScreenCallbacks screen_cb = {
	.settermprop = settermprop,
	.sb_pushline = sb_pushline,
};

struct rp_screen *rp_screen_create(int rows, int cols, unsigned sb_lines, size_t sb_bytes)
{
	struct rp_screen *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (rows < 1 || cols < 1)
		rows = 24, cols = 80;
	s->sb = sb_lines ? calloc(sb_lines, sizeof *s->sb) : NULL;
	if (sb_lines && !s->sb)
		goto fail_sb;
	s->row = calloc((size_t)cols, sizeof *s->row);
	if (!s->row)
		goto fail_row;
	s->vt = vterm_new(rows, cols);
	if (!s->vt)
		goto fail_vt;
	s->sb_cap = sb_lines;
	s->sb_limit = sb_bytes;
	s->rows = rows;
	s->cols = cols;
	s->cursor_visible = true;
	vterm_set_utf8(s->vt, 1);
	s->vs = vterm_obtain_screen(s->vt);
	vterm_screen_set_callbacks(s->vs, &screen_cb, s);
	vterm_screen_enable_altscreen(s->vs, 1);
	vterm_screen_reset(s->vs, 1);
	return s;
fail_vt:
	free(s->row);
fail_row:
	free(s->sb);
fail_sb:
	free(s);
	return NULL;
}

void rp_screen_destroy(struct rp_screen *s)
{
	if (!s)
		return;
	while (s->sb_count)
		sb_drop_oldest(s);
	vterm_free(s->vt);
	rp_bytes_finish(&s->scratch);
	free(s->sb);
	free(s->row);
	free(s);
}

void rp_screen_feed(struct rp_screen *s, const void *buf, size_t n)
{
	vterm_input_write(s->vt, buf, n);
	/* Answers to the program's queries come from the viewers' own
	 * terminals; the host's copy only watches. */
	while (vterm_output_get_buffer_current(s->vt)) {
		char sink[256];
		vterm_output_read(s->vt, sink, sizeof sink);
	}
}

void rp_screen_resize(struct rp_screen *s, int rows, int cols)
{
	VTermScreenCell *row;

	if (rows < 1 || cols < 1 || (rows == s->rows && cols == s->cols))
		return;
	row = realloc(s->row, (size_t)cols * sizeof *row);
	if (!row)
		return;
	s->row = row;
	s->rows = rows;
	s->cols = cols;
	vterm_set_size(s->vt, rows, cols);
}

static void fetch_row(struct rp_screen *s, int y)
{
	for (int x = 0; x < s->cols; x++) {
		VTermPos pos = {.row = y, .col = x};
		if (!vterm_screen_get_cell(s->vs, pos, &s->row[x]))
			memset(&s->row[x], 0, sizeof s->row[x]);
	}
}

void rp_screen_snapshot(struct rp_screen *s, unsigned sb_max, struct rp_bytes *out)
{
	VTermPos cur;
	unsigned first = s->sb_count > sb_max ? s->sb_count - sb_max : 0;

	/* Main screen, default pen, cleared; scrollback lines are printed
	 * and then pushed into the terminal's own history. */
	rp_bytes_put(out, "\033[?1049l\033[0m\033[H\033[2J", 19);
	for (unsigned i = first; i < s->sb_count; i++) {
		const struct sb_line *l = &s->sb[(s->sb_head + i) % s->sb_cap];
		rp_bytes_put(out, l->p, l->n);
		rp_bytes_put(out, "\r\n", 2);
	}
	if (s->sb_count > first) {
		rp_bytes_printf(out, "\033[%d;1H", s->rows);
		for (int i = 0; i < s->rows; i++)
			rp_bytes_put(out, "\n", 1);
	}
	if (s->altscreen)
		rp_bytes_put(out, "\033[?1049h", 8);
	rp_bytes_put(out, "\033[H\033[2J", 7);
	for (int y = 0; y < s->rows; y++) {
		fetch_row(s, y);
		rp_bytes_printf(out, "\033[%d;1H", y + 1);
		encode_cells(s->row, s->cols, out);
	}
	if (s->title[0])
		rp_bytes_printf(out, "\033]2;%s\a", s->title);
	if (s->mouse)
		rp_bytes_printf(out, "\033[?%dh", s->mouse == VTERM_PROP_MOUSE_CLICK  ? 1000
						  : s->mouse == VTERM_PROP_MOUSE_DRAG ? 1002
										      : 1003);
	vterm_state_get_cursorpos(vterm_obtain_state(s->vt), &cur);
	rp_bytes_printf(out, "\033[%d;%dH\033[?25%c", cur.row + 1, cur.col + 1,
			s->cursor_visible ? 'h' : 'l');
}

size_t rp_screen_row_text(struct rp_screen *s, int row, char *buf, size_t n)
{
	VTermRect r = {.start_row = row, .end_row = row + 1, .start_col = 0, .end_col = s->cols};
	size_t len;

	if (!n || row < 0 || row >= s->rows)
		return 0;
	len = vterm_screen_get_text(s->vs, buf, n - 1, r);
	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
	return len;
}
