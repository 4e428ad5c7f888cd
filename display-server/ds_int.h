/* display-server internals shared by its files. */
#ifndef DS_INT_H
#define DS_INT_H

#include <xcb/xcb.h>
#include <xkbcommon/xkbcommon.h>

#include "ds.h"

/* x11.c, also for seamless.c */
xcb_atom_t ds_x_atom(xcb_connection_t *c, const char *name);
/* An X display's keyboard through XKB: its keymap, and XKB's events for
 * the core keyboard selected (from their first code), so that a change of
 * layout (setxkbmap, xmodmap, a new keyboard) is followed. */
struct ds_xkb {
	struct xkb_context *ctx;
	struct xkb_keymap *keymap;
	int32_t dev;   /* the core keyboard's xkb device */
	uint8_t event; /* XKB's event code; 0: its changes are not followed */
};
int ds_xkb_init(struct ds_xkb *k, xcb_connection_t *c, char *err, size_t errn);
void ds_xkb_finish(struct ds_xkb *k);
/* e, one of XKB's events: the display's new keymap when it says the
 * layout changed (the caller's to install), else or if that cannot be read
 * NULL. */
struct xkb_keymap *ds_xkb_changed(const struct ds_xkb *k, xcb_connection_t *c,
				  const xcb_generic_event_t *e);

/* font.c */
pixman_glyph_cache_t *ds_font_cache(struct ds_font *f);
int ds_font_ascent(const struct ds_font *f);
/* The strikethrough line: its top from the cell's and its thickness. */
void ds_font_strike(const struct ds_font *f, int *y, int *h);
/* Glyphs are looked up between these two (the cache is frozen, and
 * emptied first when it has grown past its bound). */
pixman_glyph_cache_t *ds_font_begin(struct ds_font *f);
void ds_font_end(struct ds_font *f);
enum { DS_FONT_BOLD = 1, DS_FONT_ITALIC = 2 };
struct ds_glyph {
	/* In the glyph cache, drawn in the text's colour at the pen
	 * position (the cell's left, on the baseline)... */
	const void *mono;
	/* ...or a colour image (emoji) composited as it is with its top
	 * left at x, y from the cell's; valid until the next lookup. */
	pixman_image_t *color;
	int x, y;
};
/* The glyph of codepoint cp in a style (DS_FONT_*) over cells (1 or 2)
 * columns: the font's own, a fallback font's scaled into the cells, or a
 * box if no font has it. false: nothing to draw (out of memory). */
bool ds_font_lookup(struct ds_font *f, uint32_t cp, unsigned style, int cells, struct ds_glyph *g);

/* term.c: draw the rows that changed into dst with the cells' top left
 * at x, y; add what was drawn to damage (dst coordinates). all: every
 * row. focused: a solid cursor, else a hollow one. */
void ds_term_render(struct ds_term *t, pixman_image_t *dst, int x, int y, bool all,
		    bool focused, pixman_region32_t *damage);
bool ds_term_dirty(const struct ds_term *t);
/* Fill a box with one colour (0xRRGGBB). */
void ds_fill(pixman_image_t *dst, uint32_t rgb, int x, int y, int w, int h);
/* Draw UTF-8 text in one colour from x, y (top of the cell); the
 * compositor's title bars. */
void ds_draw_text(struct ds_font *f, pixman_image_t *dst, int x, int y, int max_w,
		  const char *text, uint32_t rgb);

#endif
