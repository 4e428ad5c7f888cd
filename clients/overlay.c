/* telly attach's predictions over the person's terminal (see overlay.h).
 *
 * The terminal and the screen model (the pred's) get the same bytes, so
 * what the terminal shows under the overlay is always what the model
 * holds: taking the overlay off is repainting those cells from the model.
 */
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "overlay.h"

#define SYNC_BEGIN "\033[?2026h"
#define SYNC_END "\033[?2026l"

struct telly_overlay {
	struct pred *p;
	telly_overlay_put *put;
	void *ctx;
	int rows, cols;
	/* What is on the terminal now over the true screen. */
	int drawn_n, drawn_cap;
	struct pred_cell *drawn; /* drawn_cap: a screen of them (less's page) */
	bool drawn_cursor, drawn_underline;
	int drawn_row, drawn_col;
	bool sync_open;
	bool held; /* an answer held whole: the synchronized update stays open */
	/* Modes the program set that cursor addressing and writing depend on,
	 * followed from its output: insert mode (IRM) and origin mode (DECOM). */
	bool irm, decom;
	/* Where the overlay's own writes left the terminal's cursor and pen
	 * within one update (at_row -1, at_sgr_n 0: not known; the program's
	 * output moves them in between), so a run of cells (a line of less's
	 * page) goes without a cursor move and a pen for each. */
	int at_row, at_col;
	char at_sgr[96];
	size_t at_sgr_n;
	uint8_t st; /* scanner: 0 text, 1 ESC, 2 CSI */
	bool priv;
	unsigned param, params[8], np;
};

static void put(struct telly_overlay *o, const void *buf, size_t n)
{
	o->put(o->ctx, buf, n);
}

static void puts_(struct telly_overlay *o, const char *s)
{
	put(o, s, strlen(s));
}

static void forget_at(struct telly_overlay *o)
{
	o->at_row = -1;
	o->at_sgr_n = 0;
}

/* A pen, unless it is the one the terminal has. */
static void put_sgr(struct telly_overlay *o, const char *b, size_t n)
{
	if (n == o->at_sgr_n && !memcmp(b, o->at_sgr, n))
		return;
	put(o, b, n);
	if (n <= sizeof o->at_sgr) {
		memcpy(o->at_sgr, b, n);
		o->at_sgr_n = n;
	} else
		o->at_sgr_n = 0;
}

/* The cursor after a glyph of width w written at it: at the last column
 * a wrap is pending, which no cell-to-cell step may count on. */
static void advance(struct telly_overlay *o, int w)
{
	if (o->at_row < 0)
		return;
	o->at_col += w;
	if (o->at_col >= o->cols)
		o->at_row = -1;
}

static void sync_begin(struct telly_overlay *o)
{
	if (!o->sync_open)
		puts_(o, SYNC_BEGIN);
	o->sync_open = true;
}

struct telly_overlay *telly_overlay_create(int rows, int cols, enum pred_policy policy,
					   telly_overlay_put *putf, void *ctx)
{
	struct telly_overlay *o = calloc(1, sizeof *o);

	if (!o)
		return NULL;
	o->put = putf;
	o->ctx = ctx;
	o->rows = rows, o->cols = cols;
	o->at_row = -1;
	o->p = pred_create(rows, cols, policy);
	if (o->p)
		pred_size(o->p, &o->rows, &o->cols);
	o->drawn_cap = o->rows * o->cols;
	o->drawn = calloc((size_t)(o->drawn_cap > 2 ? o->drawn_cap : 2), sizeof *o->drawn);
	if (!o->p || !o->drawn) {
		telly_overlay_destroy(o);
		return NULL;
	}
	return o;
}

void telly_overlay_destroy(struct telly_overlay *o)
{
	if (!o)
		return;
	pred_destroy(o->p);
	free(o->drawn);
	free(o);
}

/* ---- SGR for a cell or the pen, from the model ---- */

static size_t color_sgr(char *b, size_t n, const VTermColor *c, bool fg)
{
	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(c) : VTERM_COLOR_IS_DEFAULT_BG(c))
		return (size_t)snprintf(b, n, ";%d", fg ? 39 : 49);
	if (VTERM_COLOR_IS_INDEXED(c)) {
		int i = c->indexed.idx;
		if (i < 8)
			return (size_t)snprintf(b, n, ";%d", (fg ? 30 : 40) + i);
		if (i < 16)
			return (size_t)snprintf(b, n, ";%d", (fg ? 90 : 100) + i - 8);
		return (size_t)snprintf(b, n, ";%d;5;%d", fg ? 38 : 48, i);
	}
	return (size_t)snprintf(b, n, ";%d;2;%d;%d;%d", fg ? 38 : 48, c->rgb.red, c->rgb.green,
				c->rgb.blue);
}

static void sgr(struct telly_overlay *o, bool bold, int underline, bool italic, bool blink,
		bool reverse, bool strike, const VTermColor *fg, const VTermColor *bg)
{
	char b[96];
	size_t n = (size_t)snprintf(b, sizeof b, "\033[0");

	if (bold)
		n += (size_t)snprintf(b + n, sizeof b - n, ";1");
	if (italic)
		n += (size_t)snprintf(b + n, sizeof b - n, ";3");
	if (underline)
		n += (size_t)snprintf(b + n, sizeof b - n, underline == 2 ? ";21" : ";4");
	if (blink)
		n += (size_t)snprintf(b + n, sizeof b - n, ";5");
	if (reverse)
		n += (size_t)snprintf(b + n, sizeof b - n, ";7");
	if (strike)
		n += (size_t)snprintf(b + n, sizeof b - n, ";9");
	n += color_sgr(b + n, sizeof b - n, fg, true);
	n += color_sgr(b + n, sizeof b - n, bg, false);
	n += (size_t)snprintf(b + n, sizeof b - n, "m");
	put_sgr(o, b, n < sizeof b ? n : sizeof b - 1);
}

/* The program's pen, as it left it. */
static void pen(struct telly_overlay *o)
{
	VTermState *st = pred_state(o->p);
	VTermValue v[8];
	static const VTermAttr a[8] = {VTERM_ATTR_BOLD,	   VTERM_ATTR_UNDERLINE, VTERM_ATTR_ITALIC,
				       VTERM_ATTR_BLINK,   VTERM_ATTR_REVERSE,	 VTERM_ATTR_STRIKE,
				       VTERM_ATTR_FOREGROUND, VTERM_ATTR_BACKGROUND};

	for (int i = 0; i < 8; i++)
		vterm_state_get_penattr(st, a[i], &v[i]);
	sgr(o, v[0].boolean, v[1].number, v[2].boolean, v[3].boolean, v[4].boolean, v[5].boolean,
	    &v[6].color, &v[7].color);
}

static void cup(struct telly_overlay *o, int row, int col)
{
	char b[32];
	int n;

	if (row == o->at_row && col == o->at_col)
		return;
	n = snprintf(b, sizeof b, "\033[%d;%dH", row + 1, col + 1);
	put(o, b, (size_t)n);
	o->at_row = row, o->at_col = col;
}

static void put_utf8(struct telly_overlay *o, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80)
		b[0] = (char)cp, n = 1;
	else if (cp < 0x800)
		b[0] = (char)(0xc0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	else if (cp < 0x10000)
		b[0] = (char)(0xe0 | cp >> 12), b[1] = (char)(0x80 | (cp >> 6 & 0x3f)),
		b[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	else
		b[0] = (char)(0xf0 | cp >> 18), b[1] = (char)(0x80 | (cp >> 12 & 0x3f)),
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f)), b[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	put(o, b, n);
}

/* The true cell at row, col as the model has it (a wide one's left half
 * for its right). */
static void repaint(struct telly_overlay *o, int row, int col)
{
	VTermScreenCell c;

	vterm_screen_get_cell(pred_screen(o->p), (VTermPos){row, col}, &c);
	if (c.chars[0] == (uint32_t)-1)
		return; /* the right half: its left half paints it */
	cup(o, row, col);
	sgr(o, c.attrs.bold, c.attrs.underline, c.attrs.italic, c.attrs.blink, c.attrs.reverse,
	    c.attrs.strike, &c.fg, &c.bg);
	if (!c.chars[0])
		puts_(o, "\033[X"); /* erased, as it was (not a space); the cursor stays */
	for (int i = 0; i < VTERM_MAX_CHARS_PER_CELL && c.chars[i]; i++)
		put_utf8(o, c.chars[i]);
	if (c.chars[0])
		advance(o, c.width > 0 ? c.width : 1);
}

static bool is_right_half(struct telly_overlay *o, int row, int col)
{
	VTermScreenCell c;

	return col > 0 && vterm_screen_get_cell(pred_screen(o->p), (VTermPos){row, col}, &c) &&
	       c.chars[0] == (uint32_t)-1;
}

/* Off: the true cells, cursor and pen back. */
static void take_off(struct telly_overlay *o)
{
	VTermPos cur;

	if (!o->drawn_n && !o->drawn_cursor)
		return;
	forget_at(o);
	sync_begin(o);
	if (o->irm) /* repainting must not push the line */
		puts_(o, "\033[4l");
	for (int i = 0; i < o->drawn_n; i++) {
		const struct pred_cell *c = &o->drawn[i];
		int from = c->col - (is_right_half(o, c->row, c->col) ? 1 : 0);
		for (int x = from; x < c->col + c->width && x < o->cols; x++)
			repaint(o, c->row, x);
	}
	if (o->irm)
		puts_(o, "\033[4h");
	vterm_state_get_cursorpos(pred_state(o->p), &cur);
	cup(o, cur.row, cur.col);
	pen(o);
	o->drawn_n = 0;
	o->drawn_cursor = false;
}

/* Follows the modes overlay drawing depends on (IRM, DECOM) in what the
 * program prints; anything else is left to the model. */
static void scan(struct telly_overlay *o, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = b[i];
		if (o->st == 0) {
			if (c == 0x1b)
				o->st = 1;
		} else if (o->st == 1) {
			o->st = c == '[' ? 2 : 0;
			o->priv = false;
			o->param = 0;
			o->np = 0;
		} else if (c >= '0' && c <= '9') {
			o->param = o->param * 10 + (c - '0');
			if (o->param > 99999)
				o->param = 99999;
		} else if (c == ';') {
			if (o->np < 8)
				o->params[o->np++] = o->param;
			o->param = 0;
		} else if (c == '?') {
			o->priv = true;
		} else if (c >= 0x40 && c <= 0x7e) {
			if (o->np < 8)
				o->params[o->np++] = o->param;
			if (c == 'h' || c == 'l')
				for (unsigned k = 0; k < o->np; k++) {
					if (!o->priv && o->params[k] == 4)
						o->irm = c == 'h';
					if (o->priv && o->params[k] == 6)
						o->decom = c == 'h';
				}
			o->st = 0;
		} else if (c == 0x1b) {
			o->st = 1;
		} else if (c < 0x20 || c > 0x7e) {
			o->st = 0; /* C0 inside a sequence, or something else: out */
		}
	}
}

void telly_overlay_output_begin(struct telly_overlay *o)
{
	take_off(o);
}

void telly_overlay_output_end(struct telly_overlay *o, const void *buf, size_t n)
{
	scan(o, buf, n);
	pred_output(o->p, buf, n);
}

void telly_overlay_output(struct telly_overlay *o, const void *buf, size_t n)
{
	telly_overlay_output_begin(o);
	telly_overlay_output_end(o, buf, n);
}

void telly_overlay_hold(struct telly_overlay *o, bool on)
{
	if (on)
		sync_begin(o);
	o->held = on;
}

bool telly_overlay_holding(const struct telly_overlay *o)
{
	return o->held;
}

bool telly_overlay_syncing(const struct telly_overlay *o)
{
	return o->sync_open;
}

bool telly_overlay_showing(const struct telly_overlay *o, long now_ms)
{
	return pred_showing(o->p, now_ms);
}

int telly_overlay_srtt_ms(const struct telly_overlay *o)
{
	return pred_srtt_ms(o->p);
}

static bool same_as_drawn(const struct telly_overlay *o, const struct pred_overlay *ov)
{
	if (ov->n != o->drawn_n || ov->cursor != o->drawn_cursor)
		return false;
	if (ov->cursor && (ov->row != o->drawn_row || ov->col != o->drawn_col ||
			   ov->underline != o->drawn_underline))
		return false;
	for (int i = 0; i < ov->n; i++)
		if (memcmp(&ov->cells[i], &o->drawn[i], sizeof ov->cells[i]))
			return false;
	return true;
}

bool telly_overlay_show(struct telly_overlay *o, long now_ms)
{
	static const struct pred_overlay none;
	const struct pred_overlay *ov;
	bool changed;

	pred_update(o->p, now_ms);
	ov = o->decom ? &none : pred_overlay(o->p);
	if (ov->n > o->drawn_cap)
		ov = &none;
	changed = !same_as_drawn(o, ov);
	if (changed) {
		take_off(o);
		if (ov->cursor) {
			sync_begin(o);
			forget_at(o);
			if (o->irm)
				puts_(o, "\033[4l");
			for (int i = 0; i < ov->n; i++) {
				const struct pred_cell *c = &ov->cells[i];
				const struct pred_pen *pp = &c->pen;
				const char *u = ov->underline ? "\033[0;4m" : "\033[0m";
				cup(o, c->row, c->col);
				if (pp->page) /* less's page: in its own pen, never flagged */
					sgr(o, pp->attrs & PRED_BOLD, pp->attrs & PRED_UNDERLINE ? 1 : 0,
					    pp->attrs & PRED_ITALIC, pp->attrs & PRED_BLINK,
					    pp->attrs & PRED_REVERSE, pp->attrs & PRED_STRIKE, &pp->fg,
					    &pp->bg);
				else
					put_sgr(o, u, strlen(u));
				puts_(o, c->utf8);
				advance(o, c->width > 0 ? c->width : 1);
			}
			if (o->irm)
				puts_(o, "\033[4h");
			cup(o, ov->row, ov->col);
			pen(o);
			memcpy(o->drawn, ov->cells, (size_t)ov->n * sizeof *ov->cells);
			o->drawn_n = ov->n;
			o->drawn_cursor = true;
			o->drawn_row = ov->row, o->drawn_col = ov->col;
			o->drawn_underline = ov->underline;
		}
	}
	if (o->sync_open && !o->held)
		puts_(o, SYNC_END), o->sync_open = false;
	return changed;
}

void telly_overlay_repaint_row(struct telly_overlay *o, int row)
{
	VTermPos cur;

	if (row < 0)
		row += o->rows;
	if (row < 0 || row >= o->rows)
		return;
	take_off(o);
	sync_begin(o);
	forget_at(o);
	if (o->irm)
		puts_(o, "\033[4l");
	cup(o, row, 0);
	puts_(o, "\033[0m\033[2K"); /* nothing of what was over it left, attributes neither */
	o->at_sgr_n = 0;
	for (int x = 0; x < o->cols; x++)
		repaint(o, row, x); /* a wide cell's right half with its left */
	if (o->irm)
		puts_(o, "\033[4h");
	vterm_state_get_cursorpos(pred_state(o->p), &cur);
	cup(o, cur.row, cur.col);
	pen(o);
	if (!o->held)
		puts_(o, SYNC_END), o->sync_open = false;
}

void telly_overlay_hide(struct telly_overlay *o)
{
	o->held = false;
	take_off(o);
	if (o->sync_open)
		puts_(o, SYNC_END);
	o->sync_open = false;
}

void telly_overlay_resize(struct telly_overlay *o, int rows, int cols)
{
	struct pred_cell *d;

	/* What was drawn is the terminal's to reflow: it is forgotten, and the
	 * host redraws (a shell's prompt, a full-screen program). */
	o->drawn_n = 0;
	o->drawn_cursor = false;
	pred_resize(o->p, rows, cols);
	pred_size(o->p, &o->rows, &o->cols);
	d = calloc((size_t)o->rows * (size_t)o->cols, sizeof *d);
	if (d) {
		free(o->drawn);
		o->drawn = d;
		o->drawn_cap = o->rows * o->cols;
	} /* else the old one: an overlay bigger than it is not drawn */
}

void telly_overlay_keys(struct telly_overlay *o, uint32_t seq, const void *buf, size_t n,
			long now_ms)
{
	pred_keys(o->p, seq, buf, n, now_ms);
}

void telly_overlay_ack(struct telly_overlay *o, uint32_t seq, long now_ms)
{
	pred_ack(o->p, seq, now_ms);
}

void telly_overlay_context(struct telly_overlay *o, const struct rp_context *c)
{
	struct pred_context pc = {.flags = c->flags, .pgid = c->pgid};

	_Static_assert(PRED_CTX_ICANON == RP_CTX_ICANON && PRED_CTX_ECHO == RP_CTX_ECHO &&
			       PRED_CTX_ISIG == RP_CTX_ISIG && PRED_CTX_IEXTEN == RP_CTX_IEXTEN &&
			       PRED_CTX_OPOST == RP_CTX_OPOST && PRED_CTX_ICRNL == RP_CTX_ICRNL &&
			       PRED_COMM_BYTES >= RP_MAX_COMM,
		       "the wire's context bits are the predictor's");
	memcpy(pc.comm, c->comm.p, c->comm.n);
	pc.comm[c->comm.n] = 0;
	pred_context(o->p, c->seq, &pc);
}

void telly_overlay_consumed(struct telly_overlay *o, uint32_t seq)
{
	pred_consumed(o->p, seq);
}

void telly_overlay_let_go(struct telly_overlay *o, uint32_t seq, uint32_t upto)
{
	pred_let_go(o->p, seq, upto);
}

void telly_overlay_print_stats(const struct telly_overlay *o, FILE *f)
{
	const struct pred_stats *s = pred_stats(o->p);

	fprintf(f,
		"telly: predictions: %lu keys, %lu shown before the answer, %lu right, %lu wrong "
		"(%lu of them shown), round trip %d ms\n",
		s->keys, s->shown, s->right, s->wrong, s->shown_wrong, pred_srtt_ms(o->p));
}
