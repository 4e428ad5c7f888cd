/* xhostile: an X program that does to its display what a broken or
 * hostile one may, for the tests of what the daemon takes from the X
 * server (x11-hostile*.sh). Each mode does its part, writes READY-FILE
 * once the server has done it, then stays (its windows with it) until
 * killed.
 *
 *   xhostile READY-FILE windows N W H [NAME]
 *                                      N windows of W x H mapped, each
 *                                      filled, titled "NAME I" ("hostile I")
 *   xhostile READY-FILE overrides N W H [NAME]
 *                                      the same, override-redirect (menus)
 *   xhostile READY-FILE reparent       a window "parent" with a child
 *                                      240x160, then the child reparented
 *                                      to the root, titled "torn", mapped
 *   xhostile READY-FILE transient      "ta" transient for "tb" and "tb"
 *                                      for "ta"; override-redirect "oa"
 *                                      and "ob" the same
 *   xhostile READY-FILE reuse N        a window "reuse" drawn, destroyed
 *                                      and made again with the same id,
 *                                      N times, the last one drawn green
 *   xhostile READY-FILE titles N       a window retitled N times at once
 *   xhostile READY-FILE cursors N      the root's cursor changed N times
 *   xhostile READY-FILE resize N       a window "resizer" resized N times,
 *                                      a millisecond apart
 *   xhostile READY-FILE bigcursor N S [H]
 *                                      the root's cursor an ARGB image of
 *                                      S x S (S x H), a new one N times
 *   xhostile READY-FILE offscreen      override-redirect windows of
 *                                      4000x4000 at -32000,-32000 ("far1")
 *                                      and 32000,32000 ("far2"), and
 *                                      "anchor", a window on the screen
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/render.h>
#include <xcb/xcb.h>


static xcb_connection_t *c;
static xcb_screen_t *scr;

static void title(xcb_window_t w, const char *t)
{
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    (uint32_t)strlen(t), t);
}

static xcb_window_t make(xcb_window_t id, xcb_window_t parent, int x, int y, unsigned w,
			 unsigned h, bool override, const char *t)
{
	uint32_t v[2] = {scr->black_pixel, override};

	if (!id)
		id = xcb_generate_id(c);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, id, parent, (int16_t)x, (int16_t)y, (uint16_t)w,
			  (uint16_t)h, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT, v);
	if (t)
		title(id, t);
	return id;
}

static void fill(xcb_window_t w, uint32_t rgb, unsigned wd, unsigned ht)
{
	xcb_gcontext_t gc = xcb_generate_id(c);
	xcb_rectangle_t r = {0, 0, (uint16_t)wd, (uint16_t)ht};

	xcb_create_gc(c, gc, w, XCB_GC_FOREGROUND, &rgb);
	xcb_poly_fill_rectangle(c, w, gc, 1, &r);
	xcb_free_gc(c, gc);
}

static void ms(long n)
{
	struct timespec t = {n / 1000, n % 1000 * 1000000};
	nanosleep(&t, NULL);
}

static void sync_(void)
{
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}

/* Until the window manager (telly) mapped it: drawing before is lost. */
static void viewable(xcb_window_t w)
{
	for (int i = 0; i < 2000; i++) {
		xcb_get_window_attributes_reply_t *a =
			xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, w), NULL);
		bool up = a && a->map_state == XCB_MAP_STATE_VIEWABLE;
		free(a);
		if (up)
			return;
		ms(1);
	}
}

static void transient(xcb_window_t a, xcb_window_t b)
{
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, a, XCB_ATOM_WM_TRANSIENT_FOR,
			    XCB_ATOM_WINDOW, 32, 1, &b);
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 3 ? strtoul(argv[3], NULL, 10) : 0;
	const char *mode = argc > 2 ? argv[2] : "";
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: xhostile READY-FILE MODE [ARGS]\n");
		return 2;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xhostile: cannot open the display\n");
		return 1;
	}
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	if ((!strcmp(mode, "windows") || !strcmp(mode, "overrides")) && (argc == 6 || argc == 7)) {
		bool override = mode[0] == 'o';
		unsigned w = (unsigned)strtoul(argv[4], NULL, 10), h = (unsigned)strtoul(argv[5], NULL, 10);
		xcb_window_t ids[64];
		for (unsigned long i = 0; i < n; i++) {
			char t[64];
			snprintf(t, sizeof t, "%s %lu", argc == 7 ? argv[6] : "hostile", i);
			xcb_window_t id = make(0, scr->root, (int)(i % 64) * 8, (int)(i % 48) * 8, w, h,
					       override, t);
			xcb_map_window(c, id);
			ids[i % 64] = id;
			if (i % 64 == 63 || i + 1 == n) {
				viewable(id);
				for (unsigned long k = 0; k <= i % 64; k++)
					fill(ids[k], 0x3060c0u + (uint32_t)(i - i % 64 + k), w, h);
				sync_();
			}
		}
	} else if (!strcmp(mode, "reparent")) {
		xcb_window_t p = make(0, scr->root, 50, 50, 400, 300, false, "parent");
		xcb_window_t ch = make(0, p, 10, 10, 240, 160, false, "torn");
		xcb_map_window(c, ch);
		xcb_map_window(c, p);
		sync_();
		ms(300); /* the manager tells "parent" first */
		xcb_reparent_window(c, ch, scr->root, 500, 100);
		xcb_map_window(c, ch);
		viewable(ch);
		fill(ch, 0x20c040u, 240, 160);
	} else if (!strcmp(mode, "transient")) {
		xcb_window_t a = make(0, scr->root, 10, 10, 200, 100, false, "ta");
		xcb_window_t b = make(0, scr->root, 30, 30, 200, 100, false, "tb");
		xcb_window_t oa = make(0, scr->root, 60, 60, 100, 50, true, "oa");
		xcb_window_t ob = make(0, scr->root, 80, 80, 100, 50, true, "ob");
		xcb_map_window(c, a);
		xcb_map_window(c, b);
		xcb_map_window(c, oa);
		xcb_map_window(c, ob);
		sync_();
		ms(300); /* all known to the manager before they name each other */
		transient(a, b);
		transient(b, a);
		transient(oa, ob);
		transient(ob, oa);
	} else if (!strcmp(mode, "reuse")) {
		xcb_window_t id = make(0, scr->root, 20, 20, 300, 200, false, "reuse");
		xcb_map_window(c, id);
		viewable(id);
		fill(id, 0xc02020u, 300, 200);
		sync_();
		for (unsigned long i = 0; i < n; i++) {
			ms(2);
			fill(id, 0x2020c0u + (uint32_t)i, 300, 200);
			xcb_destroy_window(c, id);
			make(id, scr->root, 20, 20, 300, 200, false, "reuse");
			xcb_map_window(c, id);
			if (i + 1 == n)
				viewable(id);
			fill(id, i + 1 == n ? 0x20c020u : 0xc0c020u, 300, 200);
			sync_();
		}
	} else if (!strcmp(mode, "titles")) {
		xcb_window_t id = make(0, scr->root, 20, 20, 200, 100, false, "titles");
		xcb_map_window(c, id);
		for (unsigned long i = 0; i < n; i++) {
			char t[40];
			snprintf(t, sizeof t, "title %lu", i + 1 == n ? 999999999ul : i);
			title(id, t);
		}
	} else if (!strcmp(mode, "cursors")) {
		xcb_font_t font = xcb_generate_id(c);
		xcb_open_font(c, font, 6, "cursor");
		for (unsigned long i = 0; i < n; i++) {
			xcb_cursor_t cur = xcb_generate_id(c);
			xcb_create_glyph_cursor(c, cur, font, font, (uint16_t)(2 * (i % 70)),
						(uint16_t)(2 * (i % 70) + 1), 0, 0, 0, 0xffff, 0xffff,
						0xffff);
			xcb_change_window_attributes(c, scr->root, XCB_CW_CURSOR, &cur);
			xcb_free_cursor(c, cur);
			if (i % 256 == 255)
				sync_();
		}
	} else if (!strcmp(mode, "resize")) {
		xcb_window_t id = make(0, scr->root, 20, 20, 200, 100, false, "resizer");
		xcb_map_window(c, id);
		sync_();
		for (unsigned long i = 0; i < n; i++) {
			uint32_t v[2] = {200 + (uint32_t)(i % 400), 100 + (uint32_t)(i % 300)};
			xcb_configure_window(c, id, XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT, v);
			fill(id, 0x808080u + (uint32_t)i, v[0], v[1]);
			xcb_flush(c);
			ms(1);
		}
	} else if (!strcmp(mode, "bigcursor") && (argc == 5 || argc == 6)) {
		unsigned sz = (unsigned)strtoul(argv[4], NULL, 10);
		unsigned ht = argc == 6 ? (unsigned)strtoul(argv[5], NULL, 10) : sz;
		xcb_render_query_pict_formats_reply_t *f =
			xcb_render_query_pict_formats_reply(c, xcb_render_query_pict_formats(c), NULL);
		xcb_render_pictformat_t fmt = 0;
		for (xcb_render_pictforminfo_iterator_t it =
			     xcb_render_query_pict_formats_formats_iterator(f);
		     it.rem && !fmt; xcb_render_pictforminfo_next(&it))
			if (it.data->depth == 32 && it.data->type == XCB_RENDER_PICT_TYPE_DIRECT &&
			    it.data->direct.alpha_mask == 0xff)
				fmt = it.data->id;
		free(f);
		xcb_pixmap_t pm = xcb_generate_id(c);
		xcb_render_picture_t pic = xcb_generate_id(c);
		xcb_create_pixmap(c, 32, pm, scr->root, (uint16_t)sz, (uint16_t)ht);
		xcb_render_create_picture(c, pic, pm, fmt, 0, NULL);
		for (unsigned long i = 0; i < n; i++) {
			xcb_render_color_t col = {(uint16_t)(i * 977), 0x8000, 0x4000, 0xffff};
			xcb_rectangle_t r = {0, 0, (uint16_t)sz, (uint16_t)ht};
			xcb_render_fill_rectangles(c, XCB_RENDER_PICT_OP_SRC, pic, col, 1, &r);
			xcb_cursor_t cur = xcb_generate_id(c);
			xcb_render_create_cursor(c, cur, pic, 0, 0);
			xcb_change_window_attributes(c, scr->root, XCB_CW_CURSOR, &cur);
			xcb_free_cursor(c, cur);
			if (i % 16 == 15)
				sync_();
		}
	} else if (!strcmp(mode, "offscreen")) {
		xcb_window_t a = make(0, scr->root, 100, 100, 300, 200, false, "anchor");
		xcb_window_t f1 = make(0, scr->root, -32000, -32000, 4000, 4000, true, "far1");
		xcb_window_t f2 = make(0, scr->root, 32000, 32000, 4000, 4000, true, "far2");
		xcb_map_window(c, a);
		xcb_map_window(c, f1);
		xcb_map_window(c, f2);
		viewable(a);
		fill(a, 0x20c040u, 300, 200);
		fill(f1, 0xc04020u, 4000, 4000);
		fill(f2, 0x4020c0u, 4000, 4000);
		transient(f1, a);
	} else {
		fprintf(stderr, "xhostile: no mode %s\n", mode);
		return 2;
	}
	sync_();
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xhostile: the display broke\n");
		return 1;
	}
	if (!(f = fopen(argv[1], "w")) || fclose(f) != 0) {
		perror("xhostile: the ready file");
		return 1;
	}
	for (;;)
		pause();
}
