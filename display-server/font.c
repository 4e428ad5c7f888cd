/* Fonts: fontconfig finds the face, freetype renders each glyph once into
 * an a8 image, pixman's glyph cache keeps them (keyed by face and
 * codepoint) and composites a row's worth in one call. */
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

struct ds_font {
	FcConfig *fc; /* our own: fontconfig's default one is process-wide */
	FT_Library ft;
	FT_Face face[2]; /* regular, bold (the regular one again if none) */
	int cell_w, cell_h, ascent;
	pixman_glyph_cache_t *cache;
};

static int find_face(FcConfig *fc, FT_Library ft, const char *pattern, bool bold, int px, FT_Face *out,
		     char *err, size_t errn)
{
	FcPattern *pat = FcNameParse((const FcChar8 *)pattern), *match;
	FcResult res;
	FcChar8 *file = NULL;
	int index = 0, rc = -1;

	if (!pat) {
		snprintf(err, errn, "bad font pattern '%s'", pattern);
		return -1;
	}
	FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
	FcPatternAddInteger(pat, FC_SPACING, FC_MONO);
	FcConfigSubstitute(fc, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	match = FcFontMatch(fc, pat, &res);
	if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch) {
		snprintf(err, errn, "no font matches '%s' (is fonts-dejavu-core installed?)", pattern);
		goto out;
	}
	FcPatternGetInteger(match, FC_INDEX, 0, &index);
	if (FT_New_Face(ft, (const char *)file, index, out)) {
		snprintf(err, errn, "cannot load font %s", (const char *)file);
		goto out;
	}
	if (FT_Set_Pixel_Sizes(*out, 0, (FT_UInt)px)) {
		snprintf(err, errn, "font %s has no size %d px", (const char *)file, px);
		FT_Done_Face(*out);
		goto out;
	}
	rc = 0;
out:
	if (match)
		FcPatternDestroy(match);
	FcPatternDestroy(pat);
	return rc;
}

struct ds_font *ds_font_create(const char *pattern, int px, char *err, size_t errn)
{
	struct ds_font *f = calloc(1, sizeof *f);
	FT_Size_Metrics *m;

	if (!f) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	if (px < 4 || px > 256) {
		snprintf(err, errn, "font size %d px is out of range (4-256)", px);
		goto fail;
	}
	f->fc = FcInitLoadConfigAndFonts();
	if (!f->fc || FT_Init_FreeType(&f->ft)) {
		snprintf(err, errn, "cannot initialise fontconfig/freetype");
		goto fail_fc;
	}
	if (find_face(f->fc, f->ft, pattern, false, px, &f->face[0], err, errn) < 0)
		goto fail_ft;
	if (find_face(f->fc, f->ft, pattern, true, px, &f->face[1], err, errn) < 0)
		f->face[1] = NULL;
	m = &f->face[0]->size->metrics;
	f->ascent = (int)((m->ascender + 63) >> 6);
	f->cell_h = (int)((m->height + 63) >> 6);
	if (FT_Load_Char(f->face[0], 'M', FT_LOAD_DEFAULT) == 0)
		f->cell_w = (int)((f->face[0]->glyph->advance.x + 63) >> 6);
	if (f->cell_w <= 0)
		f->cell_w = (int)((m->max_advance + 63) >> 6);
	if (f->cell_w <= 0 || f->cell_h <= 0) {
		snprintf(err, errn, "font '%s' has no usable metrics", pattern);
		goto fail_face;
	}
	f->cache = pixman_glyph_cache_create();
	if (!f->cache) {
		snprintf(err, errn, "out of memory");
		goto fail_face;
	}
	return f;

fail_face:
	if (f->face[1])
		FT_Done_Face(f->face[1]);
	FT_Done_Face(f->face[0]);
fail_ft:
	FT_Done_FreeType(f->ft);
fail_fc:
	if (f->fc)
		FcConfigDestroy(f->fc);
fail:
	free(f);
	return NULL;
}

void ds_font_destroy(struct ds_font *f)
{
	if (!f)
		return;
	pixman_glyph_cache_destroy(f->cache);
	if (f->face[1])
		FT_Done_Face(f->face[1]);
	FT_Done_Face(f->face[0]);
	FT_Done_FreeType(f->ft);
	FcConfigDestroy(f->fc);
	free(f);
}

void ds_font_cell(const struct ds_font *f, int *w, int *h)
{
	*w = f->cell_w;
	*h = f->cell_h;
}

int ds_font_ascent(const struct ds_font *f)
{
	return f->ascent;
}

pixman_glyph_cache_t *ds_font_cache(struct ds_font *f)
{
	return f->cache;
}

const void *ds_font_glyph(struct ds_font *f, uint32_t cp, bool bold)
{
	FT_Face face = bold && f->face[1] ? f->face[1] : f->face[0];
	/* Keys: the face and codepoint + 1 (pixman's keys are pointers). */
	void *fkey = face, *gkey = (void *)(uintptr_t)(cp + 1);
	const void *g = pixman_glyph_cache_lookup(f->cache, fkey, gkey);
	pixman_image_t *img;
	FT_Bitmap *bm;
	uint8_t *row;
	int stride;

	if (g)
		return g;
	if (FT_Load_Char(face, cp, FT_LOAD_RENDER | FT_LOAD_TARGET_NORMAL))
		return NULL;
	bm = &face->glyph->bitmap;
	if (bm->pixel_mode != FT_PIXEL_MODE_GRAY || !bm->width || !bm->rows)
		return NULL;
	img = pixman_image_create_bits(PIXMAN_a8, (int)bm->width, (int)bm->rows, NULL, 0);
	if (!img)
		return NULL;
	row = (uint8_t *)pixman_image_get_data(img);
	stride = pixman_image_get_stride(img);
	for (unsigned y = 0; y < bm->rows; y++)
		memcpy(row + (size_t)y * (size_t)stride, bm->buffer + (long)y * bm->pitch, bm->width);
	/* The origin is the pen position inside the image. */
	g = pixman_glyph_cache_insert(f->cache, fkey, gkey, -face->glyph->bitmap_left,
				      face->glyph->bitmap_top, img);
	pixman_image_unref(img);
	return g;
}
