/* A terminal surface: libvterm's screen layer holds the cells; this file
 * draws the rows it reports damaged, one row at a time: the background
 * as runs of boxes, the glyphs as one pixman_composite_glyphs call per
 * run of one colour (colour glyphs, emoji, as they come), then
 * underlines, strikethrough and the cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

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
};

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
	mark(user, rect.start_row, rect.end_row);
	return 1;
}

static int on_movecursor(VTermPos pos, VTermPos old, int visible, void *user)
{
	struct ds_term *t = user;

	mark(t, old.row, old.row + 1);
	mark(t, pos.row, pos.row + 1);
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
		mark(t, t->cursor.row, t->cursor.row + 1);
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

static const VTermScreenCallbacks screen_cbs = {
	.damage = on_damage, .movecursor = on_movecursor, .settermprop = on_prop,
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

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
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
	vterm_screen_enable_altscreen(t->screen, 1);
	vterm_screen_set_damage_merge(t->screen, VTERM_DAMAGE_CELL);
	vterm_screen_reset(t->screen, 1);
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
	free(t->glyphs);
	free(t->dirty);
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
	/* libvterm 0.1.4 clamps neither the margins nor the saved cursor on
	 * a shrink and later goes outside its line table (screen_resize
	 * says more): margins back to the whole screen, the cursor put
	 * back where it was and saved there. */
	{
		VTermPos cur;
		char fix[64];
		vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &cur);
		snprintf(fix, sizeof fix, "\033[r\033[s\033[%d;%dH\0337",
			 (cur.row < rows ? cur.row : rows - 1) + 1,
			 (cur.col < cols ? cur.col : cols - 1) + 1);
		vterm_input_write(t->vt, fix, strlen(fix));
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
	static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t o = 0, max = outn - 1 < DS_TITLE_MAX_BYTES ? outn - 1 : DS_TITLE_MAX_BYTES;

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

	for (size_t i = 0; i < sizeof keymap / sizeof keymap[0]; i++) {
		if (keymap[i].sym == keysym) {
			if (keysym == 0xfe20)
				m |= VTERM_MOD_SHIFT;
			vterm_keyboard_key(t->vt, keymap[i].key, m);
			return;
		}
	}
	if (keysym >= 0xffbe && keysym <= 0xffc9) { /* F1 .. F12 */
		vterm_keyboard_key(t->vt, VTERM_KEY_FUNCTION(keysym - 0xffbe + 1), m);
		return;
	}
	if (cp && cp < 0x110000)
		vterm_keyboard_unichar(t->vt, cp, m);
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
	VTermRect r = {.start_row = row, .end_row = row + 1, .start_col = 0, .end_col = t->cols};
	size_t len;

	if (!n)
		return 0;
	if (row < 0 || row >= t->rows) {
		buf[0] = 0;
		return 0;
	}
	len = vterm_screen_get_text(t->screen, buf, n - 1, r);
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

static void render_row(struct ds_term *t, pixman_image_t *dst, int x0, int y0, int r,
		       bool focused)
{
	int y = y0 + r * t->ch, base = y + ds_font_ascent(t->font), n = 0;
	uint32_t run_fg = 0;
	bool cursor_here = t->cursor_visible && t->cursor.row == r;
	int strike_y, strike_h;

	ds_font_strike(t->font, &strike_y, &strike_h);
	ds_fill(dst, t->reverse ? DEFAULT_FG : DEFAULT_BG, x0, y, t->cols * t->cw, t->ch);
	for (int col = 0; col < t->cols;) {
		VTermScreenCell cell;
		VTermPos pos = {r, col};
		uint32_t fg, bg, tmp;
		int w, x = x0 + col * t->cw;
		bool rev;

		vterm_screen_get_cell(t->screen, pos, &cell);
		w = cell.width > 1 ? 2 : 1;
		fg = rgb_of(t, cell.fg, true);
		bg = rgb_of(t, cell.bg, false);
		rev = cell.attrs.reverse ^ t->reverse ^ (cursor_here && focused && col == t->cursor.col);
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
	if (cursor_here && !focused && t->cursor.col < t->cols) {
		int x = x0 + t->cursor.col * t->cw;
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
