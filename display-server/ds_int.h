/* display-server internals shared by its files. */
#ifndef DS_INT_H
#define DS_INT_H

#include "ds.h"

/* font.c */
pixman_glyph_cache_t *ds_font_cache(struct ds_font *f);
int ds_font_ascent(const struct ds_font *f);
/* The cached glyph of codepoint cp (NULL if the font has nothing to
 * draw). Call between pixman_glyph_cache_freeze and _thaw. */
const void *ds_font_glyph(struct ds_font *f, uint32_t cp, bool bold);

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
