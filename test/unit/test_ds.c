/* display-server as function calls: the input script's parser (a table of
 * lines and what they mean or why they are refused), and the compositor
 * on the headless backend: it repaints only damage ∩ window − what covers
 * it, and draws a terminal's cells where they belong. */
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <stdlib.h>
#include <unistd.h>

#include "ds_int.h" /* ds_term_render */
#include "unit.h"

static const struct {
	const char *line;
	int rc;
	enum ds_step_type type;
	const char *text_or_err; /* the text of a step, or a piece of the error */
} script_table[] = {
	{"type \"ls -l\\n\"", 1, DS_STEP_TYPE, "ls -l\n"},
	{"  type \"a\\\"b\\x41\\e\"", 1, DS_STEP_TYPE, "a\"bA\033"},
	{"wait \"$ \"", 1, DS_STEP_WAIT, "$ "},
	{"wait \"x\" 2.5", 1, DS_STEP_WAIT, "x"},
	{"wait \"x\" 2.5 row -1", 1, DS_STEP_WAIT, "x"},
	{"wait \"x\" row 3", 1, DS_STEP_WAIT, "x"},
	{"wait \"x\" row 0", -EINVAL, 0, "row wants a row"},
	{"wait \"x\" row", -EINVAL, 0, "row wants a row"},
	{"wait \"x\" row 2 3", -EINVAL, 0, "unexpected '3'"},
	{"wait \"x\" 2 3", -EINVAL, 0, "unexpected '3'"},
	{"screenshot /tmp/a.png", 1, DS_STEP_SCREENSHOT, "/tmp/a.png"},
	{"screenshot \"/tmp/a b.png\"", 1, DS_STEP_SCREENSHOT, "/tmp/a b.png"},
	{"click", 1, DS_STEP_CLICK, ""},
	{"press 3", 1, DS_STEP_PRESS, ""},
	{"release", 1, DS_STEP_RELEASE, ""},
	{"move -5 7.5", 1, DS_STEP_MOVE, ""},
	{"key ctrl+shift+Return", 1, DS_STEP_KEY, ""},
	{"key-down shift+a", 1, DS_STEP_KEY_DOWN, ""},
	{"key-up a", 1, DS_STEP_KEY_UP, ""},
	{"key-down", -EINVAL, 0, "key-down needs a name"},
	{"key-up NoSuchKey", -EINVAL, 0, "unknown key name 'NoSuchKey'"},
	{"key-down a b", -EINVAL, 0, "unexpected 'b'"},
	{"key-sideways a", -EINVAL, 0, "unknown step 'key-sideways'"},
	{"click 7", 1, DS_STEP_CLICK, ""},
	{"", 0, 0, ""},
	{"   # comment", 0, 0, ""},
	{"jump 1 2", -EINVAL, 0, "unknown step 'jump'"},
	{"type hello", -EINVAL, 0, "expected a \"quoted string\""},
	{"type \"open", -EINVAL, 0, "no closing quote"},
	{"type \"\"", -EINVAL, 0, "non-empty"},
	{"type \"\\q\"", -EINVAL, 0, "unknown escape \\q"},
	{"type \"\\x4\"", -EINVAL, 0, "two hex digits"},
	{"type \"a\" extra", -EINVAL, 0, "unexpected 'extra'"},
	{"wait \"x\" -1", -EINVAL, 0, "wait timeout '-1'"},
	{"wait \"x\" soon", -EINVAL, 0, "wait timeout 'soon'"},
	{"key", -EINVAL, 0, "key needs a name"},
	{"key hyper+a", -EINVAL, 0, "unknown modifier 'hyper'"},
	{"key ctrl+", -EINVAL, 0, "key needs a name"},
	{"key NoSuchKey", -EINVAL, 0, "unknown key name 'NoSuchKey'"},
	{"move 1", -EINVAL, 0, "move wants DX DY"},
	{"move 1 x", -EINVAL, 0, "two numbers"},
	{"move 1e9 0", -EINVAL, 0, "two numbers"},
	{"click 0", -EINVAL, 0, "button '0' is not 1-9"},
	{"click left", -EINVAL, 0, "button 'left'"},
	{"screenshot", -EINVAL, 0, "needs a file name"},
	{"wait-window \"xterm\"", 1, DS_STEP_WAIT_WINDOW, "xterm"},
	{"wait-window \"Save as\" 5", 1, DS_STEP_WAIT_WINDOW, "Save as"},
	{"wait-window xterm", -EINVAL, 0, "expected a \"quoted string\""},
	{"wait-window \"\"", -EINVAL, 0, "non-empty title"},
	{"wait-window \"x\" never", -EINVAL, 0, "wait-window timeout 'never'"},
	{"wait-window \"x\" 2 3", -EINVAL, 0, "unexpected '3'"},
	{"wait-update", 1, DS_STEP_WAIT_UPDATE, ""},
	{"wait-update 2.5", 1, DS_STEP_WAIT_UPDATE, ""},
	{"wait-update 0", -EINVAL, 0, "wait-update timeout '0'"},
	{"wait-update \"x\"", -EINVAL, 0, "wait-update timeout"},
	{"click-window 10 20", 1, DS_STEP_CLICK_WINDOW, ""},
	{"click-window -5 300 shift+3", 1, DS_STEP_CLICK_WINDOW, ""},
	{"click-window 10", -EINVAL, 0, "click-window wants X Y"},
	{"click-window 1.5 2", -EINVAL, 0, "two whole numbers"},
	{"click-window 40000 2", -EINVAL, 0, "two whole numbers"},
	{"click-window 1 2 0", -EINVAL, 0, "button '0' is not 1-9"},
	{"click-window 1 2 3 4", -EINVAL, 0, "unexpected '4'"},
};

static void script_parse_table(void)
{
	for (size_t i = 0; i < sizeof script_table / sizeof script_table[0]; i++) {
		struct ds_step s;
		char err[200] = "";
		int rc = ds_step_parse(script_table[i].line, 7, &s, err, sizeof err);
		if (rc != script_table[i].rc) {
			fprintf(stderr, "line '%s': rc %d, expected %d (%s)\n", script_table[i].line,
				rc, script_table[i].rc, err);
			failures++;
			continue;
		}
		if (rc < 0 && !strstr(err, script_table[i].text_or_err)) {
			fprintf(stderr, "line '%s': error '%s' lacks '%s'\n", script_table[i].line, err,
				script_table[i].text_or_err);
			failures++;
		}
		if (rc == 1) {
			CHECK(s.type == script_table[i].type);
			CHECK_EQ(s.line, 7);
			if (s.type == DS_STEP_TYPE || s.type == DS_STEP_WAIT ||
			    s.type == DS_STEP_SCREENSHOT)
				CHECK(!strcmp(s.text, script_table[i].text_or_err));
		}
	}
}

static void script_values(void)
{
	struct ds_step s;
	char err[100];

	CHECK_EQ(ds_step_parse("key ctrl+shift+Return", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.keysym, 0xff0d);
	CHECK_EQ(s.mods, WM_MOD_CTRL | WM_MOD_SHIFT);
	CHECK_EQ(ds_step_parse("key alt+super+F1", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.keysym, 0xffbe);
	CHECK_EQ(s.mods, WM_MOD_ALT | WM_MOD_SUPER);
	CHECK_EQ(ds_step_parse("key-down ctrl+c", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.keysym, 'c');
	CHECK_EQ(s.mods, WM_MOD_CTRL);
	CHECK_EQ(ds_step_parse("key-up ctrl+c", 1, &s, err, sizeof err), 1);
	CHECK(s.type == DS_STEP_KEY_UP && s.keysym == 'c' && s.mods == WM_MOD_CTRL);
	CHECK_EQ(ds_step_parse("key return", 1, &s, err, sizeof err), 1); /* any case */
	CHECK_EQ(s.keysym, 0xff0d);
	CHECK_EQ(ds_step_parse("wait \"x\" 2.5", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.timeout_ms, 2500);
	CHECK_EQ(ds_step_parse("wait \"x\"", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.timeout_ms, 20000);
	CHECK_EQ(s.row, 0);
	CHECK_EQ(ds_step_parse("wait \"x\" 3 row -1", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.timeout_ms, 3000);
	CHECK_EQ(s.row, -1);
	CHECK_EQ(ds_step_parse("wait \"x\" row 7", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.row, 7);
	CHECK_EQ(s.timeout_ms, 20000);
	CHECK_EQ(ds_step_parse("press 3", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.button, 3);
	CHECK_EQ(ds_step_parse("click", 1, &s, err, sizeof err), 1);
	CHECK_EQ(s.button, 1);
	CHECK_EQ(ds_step_parse("move -5 7.5", 1, &s, err, sizeof err), 1);
	CHECK(s.dx == -5 && s.dy == 7.5);
	/* A string as long as the limit is refused, not cut. */
	{
		char line[DS_STEP_TEXT_MAX + 20];
		memset(line, 'a', sizeof line);
		memcpy(line, "type \"", 6);
		line[sizeof line - 2] = '"';
		line[sizeof line - 1] = 0;
		CHECK_EQ(ds_step_parse(line, 1, &s, err, sizeof err), -EINVAL);
		CHECK(strstr(err, "longer than") != NULL);
	}
	CHECK_EQ(ds_keysym_for('\n'), 0xff0d);
	CHECK_EQ(ds_keysym_for('a'), 'a');
	CHECK_EQ(ds_codepoint_of('a'), 'a');
	{
		uint32_t cp;
		CHECK_EQ(ds_utf8_next("\xc3\xa9", 2, &cp), 2);
		CHECK_EQ(cp, 0xe9);
		CHECK_EQ(ds_utf8_next("\xc3", 1, &cp), 1); /* cut short */
		CHECK_EQ(cp, 0xfffd);
		CHECK_EQ(ds_utf8_next("\xe2\x82\xac", 3, &cp), 3);
		CHECK_EQ(cp, 0x20ac);
	}
}

/* Two 20x4 terminals in a 400x300 headless output, window 2 on top of 1. */
struct scene {
	struct ds_backend *b;
	struct ds_font *f;
	struct ds_comp *c;
	struct ds_term *t[2];
	struct wm wm;
	int cw, ch;
};

static bool scene_init(struct scene *s)
{
	char err[200];
	struct wm_config cfg = {.screen_w = 400, .screen_h = 300, .title_h = 20, .border = 2};

	memset(s, 0, sizeof *s);
	s->b = ds_headless_create(400, 300, err, sizeof err);
	s->f = ds_font_create("monospace", 12, err, sizeof err);
	if (!s->b || !s->f) {
		fprintf(stderr, "scene: %s\n", err);
		failures++;
		return false;
	}
	ds_font_cell(s->f, &s->cw, &s->ch);
	s->c = ds_comp_create(s->b, s->f);
	wm_init(&s->wm, &cfg);
	for (int i = 0; i < 2; i++) {
		s->t[i] = ds_term_create(s->f, 4, 20, NULL, NULL);
		ds_comp_add(s->c, (uint32_t)i + 1, i ? "two" : "one", s->t[i]);
		wm_manage(&s->wm, (uint32_t)i + 1, 20 * s->cw + 4, 4 * s->ch + 24, NULL);
	}
	ds_comp_sync(s->c, &s->wm);
	return true;
}

static void scene_finish(struct scene *s)
{
	ds_comp_destroy(s->c);
	for (int i = 0; i < 2; i++)
		ds_term_destroy(s->t[i]);
	ds_font_destroy(s->f);
	ds_backend_destroy(s->b);
}

static uint32_t pixel(struct scene *s, int x, int y)
{
	pixman_image_t *fb = ds_comp_framebuffer(s->c);
	uint32_t *px = pixman_image_get_data(fb);

	return px[y * (pixman_image_get_stride(fb) / 4) + x] & 0xffffff;
}

static void repaint_only_damage(void)
{
	struct scene s;
	long full, n;

	if (!scene_init(&s))
		return;
	full = ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(full, 400 * 300);
	CHECK(!ds_comp_dirty(s.c));
	CHECK_EQ(ds_comp_repaint(s.c, &s.wm), 0); /* nothing changed: nothing drawn */

	/* One row of the top window: exactly that row's cells. */
	ds_term_write(s.t[1], "hello", 5);
	n = ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(n, 20L * s.cw * s.ch);

	/* Row 0 of the bottom window is half covered by the top one (offset
	 * by 32 px): only its visible part is repainted... */
	ds_term_write(s.t[0], "x", 1);
	n = ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(n, 20L * s.cw * s.ch);
	/* ...but copied to the framebuffer only where the top window does
	 * not cover it: the top window's pixels there did not change. */
	{
		const struct wm_window *top = wm_find(&s.wm, 2);
		struct wm_box in = wm_client_box(&s.wm, &top->box);
		uint32_t before = pixel(&s, in.x + 1, in.y + 1);
		static const char text[] = "\r\n\r\n\r\nzzzzzzzzzzzzzzzzzzzz";
		ds_term_write(s.t[0], text, sizeof text - 1);
		ds_comp_repaint(s.c, &s.wm);
		CHECK_EQ(pixel(&s, in.x + 1, in.y + 1), before);
	}

	/* Moving a window damages where it was and where it is. */
	{
		struct wm_actions o = {0};
		wm_warp(&s.wm, 100, 40, NULL); /* the top window's title bar */
		wm_button(&s.wm, 1, true, &o);
		wm_warp(&s.wm, 110, 40, &o);
		wm_button(&s.wm, 1, false, &o);
		ds_comp_sync(s.c, &s.wm);
		n = ds_comp_repaint(s.c, &s.wm);
		const struct wm_box *b = &wm_find(&s.wm, 2)->box;
		CHECK_EQ(n, (long)(b->w + 10) * b->h); /* old ∪ new box */
	}
	scene_finish(&s);
}

/* An X window's bounding shape: outside it, the desktop shows where its
 * client area is, inside its (black) picture; unshaped, the picture all
 * over again; with a notice in its picture's place, the client area
 * whole (the notice is not cut). */
static void x_shape_shows_below(void)
{
	struct scene s;
	struct ds_xsurf *x = ds_xsurf_create(3, 100, 80);
	pixman_region32_t r;

	if (!x || !scene_init(&s)) {
		ds_xsurf_destroy(x);
		return;
	}
	CHECK_EQ(ds_comp_add_x(s.c, 3, "x", x, true), 0);
	CHECK_EQ(wm_manage_at(&s.wm, 3, (struct wm_box){250, 150, 104, 102}, NULL), 0);
	ds_comp_sync(s.c, &s.wm);
	ds_comp_repaint(s.c, &s.wm);
	struct wm_box in = wm_client_box(&s.wm, &wm_find(&s.wm, 3)->box);
	CHECK_EQ(pixel(&s, in.x + 1, in.y + 1), 0);
	pixman_region32_init_rect(&r, 20, 20, 60, 40);
	CHECK_EQ(ds_comp_x_shape(s.c, 3, &r), 0);
	pixman_region32_fini(&r);
	ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(pixel(&s, in.x + 1, in.y + 1), 0x2e3436);
	CHECK_EQ(pixel(&s, in.x + 30, in.y + 30), 0);
	CHECK_EQ(pixel(&s, in.x + in.w - 1, in.y + in.h - 1), 0x2e3436);
	ds_comp_set_notice(s.c, 3, "too large");
	ds_comp_repaint(s.c, &s.wm);
	CHECK(pixel(&s, in.x + 1, in.y + 1) != 0x2e3436);
	ds_comp_set_notice(s.c, 3, "");
	ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(pixel(&s, in.x + 1, in.y + 1), 0x2e3436);
	CHECK_EQ(ds_comp_x_shape(s.c, 3, NULL), 0);
	ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(pixel(&s, in.x + 1, in.y + 1), 0);
	CHECK_EQ(ds_comp_x_shape(s.c, 1, NULL), -ENOENT); /* a terminal has none */
	ds_comp_remove(s.c, 3);
	scene_finish(&s);
	ds_xsurf_destroy(x);
}

/* Pixels of libvterm's red in the first n cells of window two's top row. */
static int red_pixels(struct scene *s, int n)
{
	const struct wm_window *w = wm_find(&s->wm, 2);
	struct wm_box in = wm_client_box(&s->wm, &w->box);
	int red = 0;

	for (int y = in.y; y < in.y + s->ch; y++)
		for (int x = in.x; x < in.x + n * s->cw; x++)
			red += pixel(s, x, y) == 0xe00000;
	return red;
}

/* Predicted cells of less's page drawn in their own pen (a red
 * background here, every pixel of it), never underlined as the typed
 * characters' flag is on; before, in the line's colours and underlined. */
static void predicted_page_in_its_pen(void)
{
	struct scene s;
	struct ds_predicted cells[2];

	if (!scene_init(&s))
		return;
	for (int i = 0; i < 2; i++) {
		cells[i] = (struct ds_predicted){.row = 0, .col = i, .width = 1, .cp = 'x', .pen = true};
		vterm_color_indexed(&cells[i].fg, 1);
		vterm_color_indexed(&cells[i].bg, 1); /* red on red: every pixel red */
	}
	ds_term_predict(s.t[1], cells, 2, true, 0, 2, true);
	ds_comp_repaint(s.c, &s.wm);
	CHECK_EQ(red_pixels(&s, 2), 2 * s.cw * s.ch);
	scene_finish(&s);
}

static void cells_drawn_in_colour(void)
{
	struct scene s;
	int red = 0, other = 0;

	if (!scene_init(&s))
		return;
	static const char text[] = "\033[41m  \033[0m\033[31mRR";
	ds_term_write(s.t[1], text, sizeof text - 1);
	ds_comp_repaint(s.c, &s.wm);
	{
		const struct wm_window *w = wm_find(&s.wm, 2);
		struct wm_box in = wm_client_box(&s.wm, &w->box);
		/* Cells 0-1: red background, every pixel (libvterm's red). */
		CHECK_EQ(red_pixels(&s, 2), 2 * s.cw * s.ch);
		/* Cells 2-3: red glyphs on the default background. */
		for (int y = in.y; y < in.y + s.ch; y++) {
			for (int x = in.x + 2 * s.cw; x < in.x + 4 * s.cw; x++) {
				uint32_t p = pixel(&s, x, y);
				red += (p >> 16) > 0x80 && (p & 0xffff) < 0x4040;
				other += p != 0x1c1c1c && !((p >> 16) > (p >> 8 & 0xff));
			}
		}
		CHECK(red > s.cw);
		CHECK_EQ(other, 0);
	}
	scene_finish(&s);
}

/* Pixels of cell (row, col) of the top window that are not the
 * terminal's background. */
static int cell_ink(struct scene *s, int row, int col)
{
	struct wm_box in = wm_client_box(&s->wm, &wm_find(&s->wm, 2)->box);
	int n = 0;

	for (int y = in.y + row * s->ch; y < in.y + (row + 1) * s->ch; y++)
		for (int x = in.x + col * s->cw; x < in.x + (col + 1) * s->cw; x++)
			n += pixel(s, x, y) != 0x1c1c1c;
	return n;
}

/* Characters DejaVu Sans Mono lacks: each is drawn in every cell it takes
 * (a fallback font's glyph, scaled to fit, or a box when no font has it)
 * and nowhere else. */
static const struct {
	const char *what, *text;
	int cells;
} fallback_table[] = {
	{"CJK (a CJK font)", "\xe6\x97\xa5\xe6\x9c\xac", 4},            /* 日本 */
	{"kana", "\xe3\x81\x8b\xe3\x81\xaa", 4},                            /* かな */
	{"hangul", "\xed\x95\x9c", 2},                                      /* 한 */
	{"a narrow symbol (DejaVu Sans)", "\xe2\x81\x82", 1},               /* ⁂ */
	{"a wide emoji", "\xf0\x9f\x98\x80", 2},                            /* 😀 */
	{"unassigned: a box", "\xcd\xb8", 1},                               /* U+0378 */
	{"unassigned wide: a box over both cells", "\xf0\xaf\xbf\xbd", 2}, /* U+2FFFD */
};

static void fallback_fills_cells(void)
{
	struct scene s;

	if (!scene_init(&s))
		return;
	for (size_t i = 0; i < sizeof fallback_table / sizeof fallback_table[0]; i++) {
		static const char clear[] = "\033[?25l\033[H\033[2J";
		ds_term_write(s.t[1], clear, sizeof clear - 1);
		ds_term_write(s.t[1], fallback_table[i].text, strlen(fallback_table[i].text));
		ds_comp_repaint(s.c, &s.wm);
		for (int col = 0; col <= fallback_table[i].cells; col++) {
			int ink = cell_ink(&s, 0, col), below = cell_ink(&s, 1, col);
			bool want = col < fallback_table[i].cells;
			if ((ink > 2) != want || below) {
				fprintf(stderr, "%s: cell %d has %d pixels drawn (%s), %d below it\n",
					fallback_table[i].what, col, ink, want ? "wanted" : "none wanted",
					below);
				failures++;
			}
		}
	}
	scene_finish(&s);
}

static void italic_differs(void)
{
	struct scene s;
	int same = 0;

	if (!scene_init(&s))
		return;
	static const char text[] = "\033[?25labcd\r\n\033[3mabcd";
	ds_term_write(s.t[1], text, sizeof text - 1);
	ds_comp_repaint(s.c, &s.wm);
	{
		struct wm_box in = wm_client_box(&s.wm, &wm_find(&s.wm, 2)->box);
		for (int y = 0; y < s.ch; y++)
			for (int x = 0; x < 4 * s.cw; x++)
				same += pixel(&s, in.x + x, in.y + y) ==
					pixel(&s, in.x + x, in.y + s.ch + y);
	}
	for (int col = 0; col < 4; col++)
		CHECK(cell_ink(&s, 1, col) > 2);
	CHECK(same < 4 * s.cw * s.ch);
	scene_finish(&s);
}

/* A struck cell, blank or not, has a row of the text's colour across it
 * in the middle half of the cell; plain ones have none. */
static void strikethrough_line(void)
{
	struct scene s;

	if (!scene_init(&s))
		return;
	static const char text[] = "\033[?25l\033[9m  x\033[29m  x";
	ds_term_write(s.t[1], text, sizeof text - 1);
	ds_comp_repaint(s.c, &s.wm);
	{
		struct wm_box in = wm_client_box(&s.wm, &wm_find(&s.wm, 2)->box);
		for (int col = 0; col < 6; col++) {
			int line = -1;
			for (int y = 0; y < s.ch && line < 0; y++) {
				int fg = 0;
				for (int x = 0; x < s.cw; x++)
					fg += pixel(&s, in.x + col * s.cw + x, in.y + y) == 0xe5e5e5;
				if (fg == s.cw)
					line = y;
			}
			if (col < 3) {
				CHECK(line >= s.ch / 4 && line < s.ch * 3 / 4);
			} else {
				CHECK_EQ(line, -1);
			}
		}
	}
	scene_finish(&s);
}

/* An emoji a colour font has (Noto Color Emoji) is drawn in its colours,
 * scaled into its two cells; without such a font there is nothing to
 * see (the fallback table above holds it to being drawn at all). */
static void emoji_in_colour(void)
{
	FcConfig *fc = FcInitLoadConfigAndFonts();
	FcPattern *pat = FcPatternCreate();
	FcCharSet *cs = FcCharSetCreate();
	FcObjectSet *os = FcObjectSetBuild(FC_FILE, NULL);
	FcFontSet *fonts;
	struct scene s;
	int coloured = 0;

	FcCharSetAddChar(cs, 0x1f389);
	FcPatternAddCharSet(pat, FC_CHARSET, cs);
	FcPatternAddBool(pat, FC_COLOR, FcTrue);
	fonts = FcFontList(fc, pat, os);
	/* make deps installs one (fonts-noto-color-emoji): without it this
	 * checks nothing, so it fails. */
	if (!fonts || !fonts->nfont)
		fprintf(stderr, "no colour font has U+1F389 (make deps installs fonts-noto-color-emoji)\n");
	CHECK(fonts && fonts->nfont);
	if (fonts && fonts->nfont && scene_init(&s)) {
		static const char text[] = "\033[?25l\xf0\x9f\x8e\x89"; /* 🎉 */
		ds_term_write(s.t[1], text, sizeof text - 1);
		ds_comp_repaint(s.c, &s.wm);
		struct wm_box in = wm_client_box(&s.wm, &wm_find(&s.wm, 2)->box);
		for (int y = in.y; y < in.y + s.ch; y++) {
			for (int x = in.x; x < in.x + 2 * s.cw; x++) {
				uint32_t p = pixel(&s, x, y);
				int r = p >> 16, g = p >> 8 & 0xff, b = p & 0xff;
				coloured += abs(r - g) > 40 || abs(g - b) > 40 || abs(r - b) > 40;
			}
		}
		CHECK(coloured > s.cw);
		CHECK_EQ(cell_ink(&s, 0, 2) + cell_ink(&s, 1, 0) + cell_ink(&s, 1, 1), 0);
		scene_finish(&s);
	}
	if (fonts)
		FcFontSetDestroy(fonts);
	FcObjectSetDestroy(os);
	FcCharSetDestroy(cs);
	FcPatternDestroy(pat);
	FcConfigDestroy(fc);
}

/* Italic, bold and bold italic look unlike upright text and unlike each
 * other: from the family's own faces (DejaVu Sans Mono has all four), or
 * made by hand where it has none (WenQuanYi Micro Hei Mono has one face;
 * fontconfig then only asks the drawer to embolden or slant it). */
static void styles_differ(void)
{
	static const char *const patterns[] = {"monospace", "WenQuanYi Micro Hei Mono"};
	/* Rows: plain, bold, italic, bold italic. */
	static const char text[] = "\033[?25labcd\r\n\033[1mabcd\r\n\033[22;3mabcd\r\n\033[1mabcd";

	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		char err[200];
		struct ds_font *f = ds_font_create(patterns[i], 14, err, sizeof err);
		struct ds_term *t = f ? ds_term_create(f, 4, 4, NULL, NULL) : NULL;
		pixman_image_t *img;
		uint32_t *px;
		int cw, ch, stride;

		if (!t) {
			fprintf(stderr, "%s: %s\n", patterns[i], f ? "no terminal" : err);
			failures++;
			ds_font_destroy(f);
			continue;
		}
		ds_font_cell(f, &cw, &ch);
		img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 4 * cw, 4 * ch, NULL, 0);
		ds_term_write(t, text, sizeof text - 1);
		ds_term_render(t, img, 0, 0, true, true, NULL);
		px = pixman_image_get_data(img);
		stride = pixman_image_get_stride(img) / 4;
		for (int a = 0; a < 4; a++) {
			for (int b = a + 1; b < 4; b++) {
				int same = 0;
				for (int y = 0; y < ch; y++)
					for (int x = 0; x < 4 * cw; x++)
						same += px[(a * ch + y) * stride + x] ==
							px[(b * ch + y) * stride + x];
				if (same == 4 * cw * ch) {
					fprintf(stderr, "%s: style rows %d and %d look the same\n",
						patterns[i], a, b);
					failures++;
				}
			}
		}
		pixman_image_unref(img);
		ds_term_destroy(t);
		ds_font_destroy(f);
	}
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, rss = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * 4;
}

/* 6000 different CJK glyphs at 128 px are about 110 MB of images, fewer
 * than pixman's glyph cache holds by count: the font's own bound (32 MiB
 * between emptyings) keeps the memory they take well under that. */
static void glyph_cache_bounded(void)
{
	char err[200];
	struct ds_font *f = ds_font_create("monospace", 128, err, sizeof err);
	struct ds_term *t = f ? ds_term_create(f, 1, 80, NULL, NULL) : NULL;
	pixman_image_t *img;
	long before, grew;
	int cw, ch;

	if (!t) {
		fprintf(stderr, "%s\n", f ? "no terminal" : err);
		failures++;
		ds_font_destroy(f);
		return;
	}
	ds_font_cell(f, &cw, &ch);
	img = pixman_image_create_bits(PIXMAN_x8r8g8b8, 80 * cw, ch, NULL, 0);
	before = rss_kib();
	for (uint32_t cp = 0x4e00; cp < 0x4e00 + 6000; cp += 40) {
		char row[40 * 3 + 8] = "\r";
		size_t n = 1;
		for (uint32_t c = cp; c < cp + 40; c++) {
			row[n++] = (char)(0xe0 | c >> 12);
			row[n++] = (char)(0x80 | (c >> 6 & 0x3f));
			row[n++] = (char)(0x80 | (c & 0x3f));
		}
		ds_term_write(t, row, n);
		ds_term_render(t, img, 0, 0, true, true, NULL);
	}
	grew = rss_kib() - before;
	fprintf(stderr, "memory grew by %ld KiB\n", grew);
#ifndef __SANITIZE_ADDRESS__ /* ASan keeps what is freed in quarantine */
	CHECK(grew < 72 * 1024);
#endif
	pixman_image_unref(img);
	ds_term_destroy(t);
	ds_font_destroy(f);
}

/* A program's OSC 2 title: kept as the program set it, cleaned of
 * controls and bad UTF-8, cut at a character to DS_TITLE_MAX_BYTES. */
static void title_from_osc(void)
{
	struct ds_font *f = ds_font_create("monospace", 16, NULL, 0);
	struct ds_term *t = f ? ds_term_create(f, 4, 20, NULL, NULL) : NULL;
	char buf[600], out[DS_TITLE_MAX_BYTES + 1];
	const char *osc = "\033]2;build \xe2\x82\xac ok\007";

	CHECK(t);
	CHECK(ds_term_title(t) == NULL);
	ds_term_write(t, osc, strlen(osc));
	CHECK(ds_term_title(t) && !strcmp(ds_term_title(t), "build \xe2\x82\xac ok"));
	ds_term_write(t, "\033]0;x\007", 6);
	CHECK(!strcmp(ds_term_title(t), "x"));
	/* Controls go, bad bytes become U+FFFD, overlong forms too. */
	CHECK_EQ(ds_title_clean("a\tb\x1b[1m\xc2\x85" "c\x7f\xff\xc0\xaf" "d", 15, out, sizeof out), 13);
	CHECK(!strcmp(out, "ab[1mc\xef\xbf\xbd\xef\xbf\xbd" "d"));
	/* 300 bytes of euro signs: cut to whole characters within 256. */
	for (int i = 0; i < 100; i++)
		memcpy(buf + 3 * i, "\xe2\x82\xac", 3);
	CHECK_EQ(ds_title_clean(buf, 300, out, sizeof out), 255);
	CHECK_EQ(ds_title_clean(buf, 300, out, 8), 6);
	ds_term_destroy(t);
	ds_font_destroy(f);
}

/* Mouse reporting: nothing until the program asks; then libvterm's
 * encoding of what it asked for (X10, SGR 1006) at 1-based cells, the
 * wheel without a release, drags only in 1002, shift as a modifier. */
struct mouse_out {
	char buf[256];
	size_t n;
};

static void mouse_collect(void *ctx, const char *bytes, size_t n)
{
	struct mouse_out *o = ctx;

	if (o->n + n < sizeof o->buf) {
		memcpy(o->buf + o->n, bytes, n);
		o->n += n;
	}
	o->buf[o->n] = 0;
}

static bool mouse_got(struct mouse_out *o, const char *want)
{
	bool same = o->n == strlen(want) && !memcmp(o->buf, want, o->n);

	if (!same)
		fprintf(stderr, "mouse: got %zu bytes '%s', want '%s'\n", o->n, o->buf + (o->n > 0),
			want + 1);
	o->n = 0;
	o->buf[0] = 0;
	return same;
}

static void mouse_encoding(void)
{
	struct ds_font *f = ds_font_create("monospace", 16, NULL, 0);
	struct mouse_out o = {{0}, 0};
	struct ds_term *t = f ? ds_term_create(f, 24, 80, mouse_collect, &o) : NULL;

	CHECK(t);
	CHECK_EQ(ds_term_mouse_wanted(t), DS_MOUSE_NONE);
	ds_term_mouse(t, 2, 5, 1, true, 0);
	ds_term_mouse(t, 2, 5, 1, false, 0);
	CHECK(mouse_got(&o, ""));
	ds_term_write(t, "\033[?1000h\033[?1006h", 16);
	CHECK_EQ(ds_term_mouse_wanted(t), DS_MOUSE_CLICK);
	ds_term_mouse(t, 2, 5, 1, true, 0);
	CHECK(mouse_got(&o, "\033[<0;6;3M"));
	ds_term_mouse(t, 2, 7, 0, false, 0); /* no drag reports in 1000 */
	CHECK(mouse_got(&o, ""));
	ds_term_mouse(t, 2, 7, 1, false, 0);
	CHECK(mouse_got(&o, "\033[<0;8;3m"));
	ds_term_mouse(t, 2, 7, 4, true, 0);
	ds_term_mouse(t, 2, 7, 4, false, 0);
	ds_term_mouse(t, 2, 7, 5, true, 0);
	CHECK(mouse_got(&o, "\033[<64;8;3M\033[<65;8;3M"));
	ds_term_mouse(t, 9, 0, 3, true, WM_MOD_SHIFT);
	CHECK(mouse_got(&o, "\033[<6;1;10M"));
	ds_term_mouse(t, 9, 0, 3, false, 0);
	o.n = 0;
	/* Past the grid: clamped to its last cell. */
	ds_term_mouse(t, 500, 500, 1, true, 0);
	CHECK(mouse_got(&o, "\033[<0;80;24M"));
	ds_term_mouse(t, 500, 500, 1, false, 0);
	o.n = 0;
	ds_term_write(t, "\033[?1002h", 8);
	CHECK_EQ(ds_term_mouse_wanted(t), DS_MOUSE_DRAG);
	ds_term_mouse(t, 0, 0, 1, true, 0);
	ds_term_mouse(t, 0, 1, 0, false, 0);
	ds_term_mouse(t, 0, 1, 1, false, 0);
	ds_term_mouse(t, 0, 2, 0, false, 0); /* no button held: nothing */
	CHECK(mouse_got(&o, "\033[<0;1;1M\033[<32;2;1M\033[<0;2;1m"));
	/* X10, the default encoding: ESC [ M, then button, col, row + 32. */
	ds_term_write(t, "\033[?1006l\033[?1000h", 16);
	ds_term_mouse(t, 2, 5, 1, true, 0);
	CHECK(mouse_got(&o, "\033[M &#"));
	ds_term_mouse(t, 2, 5, 1, false, 0);
	o.n = 0;
	ds_term_write(t, "\033[?1000l", 8);
	CHECK_EQ(ds_term_mouse_wanted(t), DS_MOUSE_NONE);
	ds_term_mouse(t, 1, 1, 1, true, 0);
	CHECK(mouse_got(&o, ""));
	ds_term_destroy(t);
	ds_font_destroy(f);
}

/* A program that restores the cursor before it ever saved it gets the
 * cursor the terminal started with (libvterm 0.1.4 restored a hidden
 * cursor of shape 0, and answered a DECRQSS of the shape from an
 * uninitialised int): a blinking block, as xterm's. */
static void restore_before_save(void)
{
	struct ds_font *f = ds_font_create("monospace", 16, NULL, 0);
	struct mouse_out o = {{0}, 0};
	struct ds_term *t = f ? ds_term_create(f, 4, 20, mouse_collect, &o) : NULL;
	const char *ask = "\0338\033P$q q\033\\";

	CHECK(t);
	ds_term_write(t, ask, strlen(ask));
	CHECK(mouse_got(&o, "\033P1$r1 q\033\\"));
	ds_term_destroy(t);
	ds_font_destroy(f);
}

/* The X windows' steps carry their values: a title and a timeout, a
 * point in the window and a button. */
static void script_x_values(void)
{
	struct ds_step st;
	char err[200] = "";

	CHECK_EQ(ds_step_parse("wait-window \"Save as\" 5", 3, &st, err, sizeof err), 1);
	CHECK(!strcmp(st.text, "Save as") && st.timeout_ms == 5000 && st.line == 3);
	CHECK_EQ(ds_step_parse("wait-window \"a\"", 1, &st, err, sizeof err), 1);
	CHECK_EQ(st.timeout_ms, 20000);
	CHECK_EQ(ds_step_parse("wait-update 0.5", 1, &st, err, sizeof err), 1);
	CHECK_EQ(st.timeout_ms, 500);
	CHECK_EQ(ds_step_parse("click-window -5 300 shift+3", 1, &st, err, sizeof err), 1);
	CHECK(st.dx == -5 && st.dy == 300 && st.button == 3 && st.mods == WM_MOD_SHIFT);
	CHECK_EQ(ds_step_parse("click-window 7 8", 1, &st, err, sizeof err), 1);
	CHECK(st.dx == 7 && st.dy == 8 && st.button == 1 && st.mods == 0);
}

/* The script's buttons take modifiers: shift+1 is a shift+click. */
static void script_click_mods(void)
{
	struct ds_step st;
	char err[200] = "";

	CHECK_EQ(ds_step_parse("click shift+4", 1, &st, err, sizeof err), 1);
	CHECK(st.type == DS_STEP_CLICK && st.button == 4 && st.mods == WM_MOD_SHIFT);
	CHECK_EQ(ds_step_parse("press ctrl+alt+2", 1, &st, err, sizeof err), 1);
	CHECK(st.button == 2 && st.mods == (WM_MOD_CTRL | WM_MOD_ALT));
	CHECK_EQ(ds_step_parse("click 3", 1, &st, err, sizeof err), 1);
	CHECK(st.button == 3 && st.mods == 0);
	CHECK_EQ(ds_step_parse("click hyper+1", 1, &st, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "unknown modifier 'hyper'"));
	CHECK_EQ(ds_step_parse("click shift+", 1, &st, err, sizeof err), -EINVAL);
	CHECK(strstr(err, "is not 1-9"));
}

/* Bytes a terminal hands out (keys, pastes, answers). */
struct sink {
	char buf[512];
	size_t n;
};

static void sink_out(void *ctx, const char *bytes, size_t n)
{
	struct sink *k = ctx;

	if (k->n + n < sizeof k->buf) {
		memcpy(k->buf + k->n, bytes, n);
		k->n += n;
	}
	k->buf[k->n] = 0;
}

static void row_is(const struct ds_term *t, int row, const char *want)
{
	char got[128];

	ds_term_row_text(t, row, got, sizeof got);
	if (strcmp(got, want)) {
		fprintf(stderr, "row %d: '%s', not '%s'\n", row, got, want);
		failures++;
	}
}

/* Lines scrolled off are history: shown scrolled back, selected across
 * it and the screen, given back when the window grows; shift+PgUp sends
 * nothing, a typed key returns to the live screen. */
static void scrollback_and_selection(void)
{
	char err[200];
	struct ds_font *f = ds_font_create("monospace", 12, err, sizeof err);
	struct sink k = {0};
	struct ds_term *t = f ? ds_term_create(f, 4, 20, sink_out, &k) : NULL;
	char *sel;
	size_t n;

	if (!t) {
		fprintf(stderr, "%s\n", err);
		failures++;
		ds_font_destroy(f);
		return;
	}
	ds_term_write(t, "l1\r\nl2\r\nl3\r\nfoo-bar.baz qux\r\nl5\r\nl6", 36);
	CHECK_EQ(ds_term_history(t), 2); /* l1, l2 */
	row_is(t, 0, "l3");
	ds_term_scroll(t, 5);
	CHECK_EQ(ds_term_scrolled(t), 2);
	row_is(t, 0, "l1");
	row_is(t, 2, "l3");
	/* From l2 (history) to "foo" (the screen). */
	ds_term_select(t, 1, 0, DS_SEL_CHAR);
	ds_term_select_to(t, 3, 2);
	sel = ds_term_selection(t, &n);
	CHECK(sel && !strcmp(sel, "l2\nl3\nfoo") && n == 9);
	free(sel);
	/* New output keeps what is shown and the selection on its text. */
	ds_term_write(t, "\r\nl7", 4);
	CHECK_EQ(ds_term_scrolled(t), 3);
	row_is(t, 0, "l1");
	sel = ds_term_selection(t, &n);
	CHECK(sel && !strcmp(sel, "l2\nl3\nfoo"));
	free(sel);
	/* A word, a line. */
	ds_term_select(t, 3, 5, DS_SEL_WORD);
	sel = ds_term_selection(t, &n);
	CHECK(sel && !strcmp(sel, "foo-bar.baz"));
	free(sel);
	ds_term_select(t, 3, 13, DS_SEL_LINE);
	sel = ds_term_selection(t, &n);
	CHECK(sel && !strcmp(sel, "foo-bar.baz qux"));
	free(sel);
	/* A click is no selection. */
	ds_term_select(t, 0, 0, DS_SEL_CHAR);
	CHECK(ds_term_selection(t, &n) == NULL);
	/* Keys: shift+PgDn scrolls, a lone shift keeps, a letter returns
	 * live and is the only thing sent. */
	ds_term_key(t, 0xff56, WM_MOD_SHIFT, 0);
	CHECK_EQ(ds_term_scrolled(t), 0);
	ds_term_key(t, 0xff55, WM_MOD_SHIFT, 0);
	CHECK_EQ(ds_term_scrolled(t), 3);
	ds_term_key(t, 0xffe1, WM_MOD_SHIFT, 0);
	CHECK_EQ(ds_term_scrolled(t), 3);
	CHECK_EQ(k.n, 0);
	ds_term_key(t, 'x', 0, 'x');
	CHECK_EQ(ds_term_scrolled(t), 0);
	CHECK(!strcmp(k.buf, "x"));
	/* Taller: the newest history lines come back to the screen. */
	ds_term_resize(t, 6, 20);
	CHECK_EQ(ds_term_history(t), 1);
	row_is(t, 0, "l2");
	ds_term_history_clear(t);
	CHECK_EQ(ds_term_history(t), 0);
	ds_term_destroy(t);
	ds_font_destroy(f);
}

/* A paste cannot run a sequence or close the bracket; newlines go as CR;
 * bracketed only when the program asked (2004). */
static void paste_cleaned(void)
{
	char err[200];
	struct ds_font *f = ds_font_create("monospace", 12, err, sizeof err);
	struct sink k = {0};
	struct ds_term *t = f ? ds_term_create(f, 4, 20, sink_out, &k) : NULL;
	static const char text[] = "a\033[201~b\nc\r\nd\xc2\x9b\te\xc3\xa9";

	if (!t) {
		failures++;
		ds_font_destroy(f);
		return;
	}
	ds_term_paste(t, text, sizeof text - 1);
	CHECK(!strcmp(k.buf, "a[201~b\rc\rd\te\xc3\xa9"));
	k.n = 0;
	ds_term_write(t, "\033[?2004h", 8);
	ds_term_paste(t, "x\ny", 3);
	CHECK(!strcmp(k.buf, "\033[200~x\ry\033[201~"));
	ds_term_destroy(t);
	ds_font_destroy(f);
}

struct clipped {
	enum ds_clip_sel sel;
	char text[64];
	int calls;
};

static void on_osc52(void *ctx, enum ds_clip_sel sel, const char *text, size_t n)
{
	struct clipped *c = ctx;

	c->sel = sel;
	snprintf(c->text, sizeof c->text, "%.*s", (int)n, text);
	c->calls++;
}

/* OSC 52: writes only to a callback that was set, PRIMARY for p/s;
 * reads never answered. */
/* What a repaint draws, read back (telly view --paint-fd): the live
 * cells, a prediction over them, its wide character's right half, and
 * the cursor at the predicted place. */
static void shown_with_predictions(void)
{
	char err[200];
	struct ds_font *f = ds_font_create("monospace", 16, err, sizeof err);
	struct ds_term *t = f ? ds_term_create(f, 4, 20, NULL, NULL) : NULL;
	int row, col;

	if (!t) {
		fprintf(stderr, "%s\n", f ? "no terminal" : err);
		failures++;
		ds_font_destroy(f);
		return;
	}
	ds_term_write(t, "P> ab", 5);
	CHECK_EQ(ds_term_shown(t, 0, 3), 'a');
	CHECK_EQ(ds_term_shown(t, 0, 5), 0);
	CHECK(ds_term_shown_cursor(t, &row, &col));
	CHECK_EQ(row, 0);
	CHECK_EQ(col, 5);
	struct ds_predicted p[] = {{.row = 0, .col = 5, .width = 1, .cp = 'c'},
				   {.row = 0, .col = 6, .width = 2, .cp = 0x4e2d}};
	ds_term_predict(t, p, 2, true, 0, 8, true);
	CHECK_EQ(ds_term_shown(t, 0, 4), 'b');
	CHECK_EQ(ds_term_shown(t, 0, 5), 'c');
	CHECK_EQ(ds_term_shown(t, 0, 6), 0x4e2d);
	CHECK_EQ(ds_term_shown(t, 0, 7), (uint32_t)-1);
	CHECK(ds_term_shown_cursor(t, &row, &col));
	CHECK_EQ(col, 8);
	/* A narrow prediction over a live wide character's left half: its
	 * right half is drawn blank. */
	ds_term_write(t, "\r\n\xe4\xb8\xad", 5);
	CHECK_EQ(ds_term_shown(t, 1, 0), 0x4e2d);
	CHECK_EQ(ds_term_shown(t, 1, 1), (uint32_t)-1);
	struct ds_predicted q = {.row = 1, .col = 0, .width = 1, .cp = 'x'};
	ds_term_predict(t, &q, 1, true, 0, 8, true);
	CHECK_EQ(ds_term_shown(t, 1, 0), 'x');
	CHECK_EQ(ds_term_shown(t, 1, 1), 0);
	CHECK_EQ(ds_term_shown(t, 0, 6), 0); /* the wide prediction is gone */
	CHECK_EQ(ds_term_shown(t, 4, 0), 0); /* past the grid */
	CHECK_EQ(ds_term_shown(t, 0, 20), 0);
	ds_term_write(t, "\033[?25l", 6); /* hidden: where it is, not shown */
	CHECK(!ds_term_shown_cursor(t, &row, &col));
	ds_term_predict(t, NULL, 0, false, 0, 0, false);
	CHECK_EQ(ds_term_shown(t, 0, 5), 0);
	CHECK_EQ(col, 8);
	ds_term_shown_cursor(t, &row, &col); /* the live one: after the wide character */
	CHECK_EQ(row, 1);
	CHECK_EQ(col, 2);
	ds_term_destroy(t);
	/* A page of them (less's back one line) on a 24x100 screen: more
	 * than a row's worth, every one drawn (before, the first 1000);
	 * then a row's alone, the page's gone. */
	static struct ds_predicted page[24 * 100];
	t = ds_term_create(f, 24, 100, NULL, NULL);
	CHECK(t != NULL);
	for (int i = 0; t && i < 24 * 100; i++)
		page[i] = (struct ds_predicted){
			.row = i / 100, .col = i % 100, .width = 1, .cp = 'a' + (uint32_t)(i % 26)};
	if (t) {
		ds_term_predict(t, page, 24 * 100, true, 23, 1, false);
		CHECK_EQ(ds_term_shown(t, 0, 0), 'a');
		CHECK_EQ(ds_term_shown(t, 22, 99), 'a' + (22 * 100 + 99) % 26);
		CHECK_EQ(ds_term_shown(t, 23, 99), 'a' + (23 * 100 + 99) % 26);
		ds_term_predict(t, &q, 1, true, 0, 8, true);
		CHECK_EQ(ds_term_shown(t, 1, 0), 'x');
		CHECK_EQ(ds_term_shown(t, 22, 99), 0);
		ds_term_destroy(t);
	}
	ds_font_destroy(f);
}

struct key_log {
	int n, closed;
	struct ds_event ev[16];
};

static void log_event(void *ctx, const struct ds_event *ev)
{
	struct key_log *l = ctx;

	if (ev->type == DS_EV_CLOSE)
		l->closed++;
	else if (l->n < 16)
		l->ev[l->n++] = *ev;
}

/* The headless keyboard (telly view --key-fd): type and key lines as key
 * presses, a line cut across reads, a bad or too long line skipped, the
 * end a close. */
static void headless_keyboard(void)
{
	char err[200], big[DS_KEY_LINE_MAX + 20];
	struct ds_backend *b = ds_headless_create(64, 64, err, sizeof err);
	struct key_log l = {0};
	int p[2];

	if (!b || pipe(p) < 0) {
		failures++;
		ds_backend_destroy(b);
		return;
	}
	CHECK_EQ(b->impl->get_fd(b), -1);
	CHECK_EQ(ds_headless_keys(b, p[0]), 0);
	CHECK_EQ(b->impl->get_fd(b), p[0]);
	CHECK_EQ(b->impl->dispatch(b, log_event, &l), 0); /* nothing yet */
	CHECK_EQ(l.n, 0);
	const char *in = "type \"a\xc3\xa9\"\nkey ctrl+a\nwait \"x\"\nkey BackSp";
	CHECK(write(p[1], in, strlen(in)) == (ssize_t)strlen(in));
	CHECK_EQ(b->impl->dispatch(b, log_event, &l), 0);
	CHECK_EQ(l.n, 3);
	CHECK_EQ(l.ev[0].keysym, 'a');
	CHECK_EQ(l.ev[1].codepoint, 0xe9);
	CHECK(l.ev[1].pressed && l.ev[1].type == DS_EV_KEY && l.ev[1].time_us > 0);
	CHECK_EQ(l.ev[2].keysym, 'a');
	CHECK_EQ(l.ev[2].mods, WM_MOD_CTRL);
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\n';
	CHECK(write(p[1], "ace\n", 4) == 4);
	CHECK(write(p[1], big, sizeof big) == (ssize_t)sizeof big);
	CHECK(write(p[1], "key Left\n", 9) == 9);
	for (int i = 0; i < 4; i++)
		b->impl->dispatch(b, log_event, &l);
	CHECK_EQ(l.n, 5);
	CHECK_EQ(l.ev[3].keysym, 0xff08); /* BackSpace, cut across two reads */
	CHECK_EQ(l.ev[4].keysym, 0xff51); /* Left, after the long line */
	close(p[1]);
	CHECK_EQ(b->impl->dispatch(b, log_event, &l), 0);
	CHECK_EQ(l.closed, 1);
	CHECK_EQ(b->impl->get_fd(b), -1);
	close(p[0]);
	ds_backend_destroy(b);
}

static void osc52_policy(void)
{
	char err[200];
	struct ds_font *f = ds_font_create("monospace", 12, err, sizeof err);
	struct sink k = {0};
	struct ds_term *t = f ? ds_term_create(f, 4, 20, sink_out, &k) : NULL;
	struct clipped c = {0};

	if (!t) {
		failures++;
		ds_font_destroy(f);
		return;
	}
	ds_term_write(t, "\033]52;c;aGVsbG8=\a", 17); /* off: nothing */
	ds_term_set_osc52(t, on_osc52, &c);
	CHECK_EQ(c.calls, 0);
	ds_term_write(t, "\033]52;c;aGVsbG8=\a", 17);
	CHECK(c.calls == 1 && c.sel == DS_CLIP_CLIPBOARD && !strcmp(c.text, "hello"));
	ds_term_write(t, "\033]52;p;d29ybGQ=\033\\", 18);
	CHECK(c.calls == 2 && c.sel == DS_CLIP_PRIMARY && !strcmp(c.text, "world"));
	ds_term_write(t, "\033]52;c;?\a", 10);
	ds_term_write(t, "\033]52;c;!!!\a", 12); /* not base64 */
	CHECK_EQ(c.calls, 2);
	CHECK_EQ(k.n, 0);
	ds_term_destroy(t);
	ds_font_destroy(f);
}

static const struct unit_case cases[] = {
	{"title-from-osc", title_from_osc},
	{"script-parse-table", script_parse_table},
	{"script-values", script_values},
	{"repaint-only-damage", repaint_only_damage},
		{"x-shape-shows-below", x_shape_shows_below},
	{"cells-drawn-in-colour", cells_drawn_in_colour},
	{"predicted-page-in-its-pen", predicted_page_in_its_pen},
	{"fallback-fills-cells", fallback_fills_cells},
	{"italic-differs", italic_differs},
	{"strikethrough-line", strikethrough_line},
	{"emoji-in-colour", emoji_in_colour},
	{"styles-differ", styles_differ},
	{"glyph-cache-bounded", glyph_cache_bounded},
	{"mouse-encoding", mouse_encoding},
	{"restore-before-save", restore_before_save},
	{"script-click-mods", script_click_mods},
	{"script-x-values", script_x_values},
	{"scrollback-and-selection", scrollback_and_selection},
	{"paste-cleaned", paste_cleaned},
	{"osc52-policy", osc52_policy},
	{"shown-with-predictions", shown_with_predictions},
	{"headless-keyboard", headless_keyboard},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
