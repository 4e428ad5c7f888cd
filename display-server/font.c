/* Fonts: fontconfig finds the face and its bold, italic and bold italic
 * (slanted or emboldened by hand where the family has none), freetype
 * renders each glyph once into an a8 image kept in pixman's glyph cache
 * (keyed by style and codepoint) and composites a row's worth in one call.
 *
 * A codepoint the face lacks is looked up in fontconfig's list of fonts
 * for the pattern (FcFontSort, trimmed to the fonts that add coverage):
 * the first that has it is opened and kept (at most DS_FONT_FALLBACK_MAX,
 * the least recently used closed first), its glyph scaled down to fit the
 * cell(s) when it is larger. A colour font's glyph (emoji as BGRA
 * bitmaps) is kept apart as an a8r8g8b8 image the caller composites as it
 * is. A codepoint no font has is a box. */
#include <errno.h>
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_OUTLINE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds_int.h"

/* Fallback faces kept open at once. */
#define DS_FONT_FALLBACK_MAX 8
/* Colour glyphs kept (an emoji at a cell's size is a few KiB). */
#define DS_FONT_COLOR_MAX 64
/* The glyph images inserted since the cache was last emptied; past this
 * it is emptied before the next frame (pixman bounds only the count). */
#define DS_FONT_CACHE_BYTES (32u << 20)
/* A synthetic italic: x += y * 0.2 (16.16), about 11 degrees. */
#define SLANT_SHEAR_16_16 0x3333

enum { STYLE_N = 4 };

struct style {
	FT_Face face;
	bool owned;    /* this style opened it (else it borrows another's) */
	bool slant;    /* the family has no italic: slant the outline */
	bool embolden; /* the family has no bold: embolden the outline */
};

struct fallback {
	FT_Face face; /* NULL: a free slot */
	FcCharSet *charset;
	char *file;
	int index;
	unsigned long used;
};

struct color_glyph {
	uintptr_t key; /* codepoint and width, 0: a free slot */
	pixman_image_t *img;
	int x, y;
	unsigned long used;
};

struct ds_font {
	FcConfig *fc; /* our own: fontconfig's default one is process-wide */
	FT_Library ft;
	struct style style[STYLE_N]; /* DS_FONT_BOLD | DS_FONT_ITALIC */
	FcFontSet *sorted;           /* fallback candidates, best first */
	struct fallback fb[DS_FONT_FALLBACK_MAX];
	struct color_glyph color[DS_FONT_COLOR_MAX];
	int px, cell_w, cell_h, ascent, strike_y, line_h;
	pixman_glyph_cache_t *cache;
	size_t cache_bytes;
	int frozen;
	unsigned long tick;
	char style_key[STYLE_N]; /* their addresses are pixman's font keys */
};

static int set_size(FT_Face face, int px)
{
	int best = -1;

	if (FT_IS_SCALABLE(face))
		return FT_Set_Pixel_Sizes(face, 0, (FT_UInt)px) ? -1 : 0;
	/* A bitmap font (colour emoji): the smallest strike at least px
	 * high, else the largest; glyphs are scaled down to the cell. */
	for (int i = 0; i < face->num_fixed_sizes; i++) {
		int h = face->available_sizes[i].height;
		int b = best < 0 ? 0 : face->available_sizes[best].height;
		if (best < 0 || (b < px && h > b) || (h >= px && h < b))
			best = i;
	}
	return best < 0 || FT_Select_Size(face, best) ? -1 : 0;
}

/* The face fontconfig gives for pattern in a weight and slant; *bold and
 * *italic say whether it is one. */
static int find_face(FcConfig *fc, FT_Library ft, const char *pattern, bool bold, bool italic,
		     int px, FT_Face *out, bool *is_bold, bool *is_italic, char *err, size_t errn)
{
	FcPattern *pat = FcNameParse((const FcChar8 *)pattern), *match;
	FcResult res;
	FcChar8 *file = NULL;
	int index = 0, weight = FC_WEIGHT_REGULAR, slant = FC_SLANT_ROMAN, rc = -1;
	FcBool synth = FcFalse;
	FcMatrix *mat;

	if (!pat) {
		snprintf(err, errn, "bad font pattern '%s'", pattern);
		return -1;
	}
	FcPatternAddInteger(pat, FC_WEIGHT, bold ? FC_WEIGHT_BOLD : FC_WEIGHT_REGULAR);
	FcPatternAddInteger(pat, FC_SLANT, italic ? FC_SLANT_ITALIC : FC_SLANT_ROMAN);
	FcPatternAddInteger(pat, FC_SPACING, FC_MONO);
	FcConfigSubstitute(fc, pat, FcMatchPattern);
	FcDefaultSubstitute(pat);
	match = FcFontMatch(fc, pat, &res);
	if (!match || FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch) {
		snprintf(err, errn, "no font matches '%s' (is fonts-dejavu-core installed?)", pattern);
		goto out;
	}
	FcPatternGetInteger(match, FC_INDEX, 0, &index);
	FcPatternGetInteger(match, FC_WEIGHT, 0, &weight);
	FcPatternGetInteger(match, FC_SLANT, 0, &slant);
	/* fontconfig's 90-synthetic.conf calls a regular face bold or
	 * italic, and asks whoever draws to embolden or slant it: that is
	 * ours to do, it is not the family's face. */
	*is_bold = weight >= FC_WEIGHT_DEMIBOLD &&
		   !(FcPatternGetBool(match, FC_EMBOLDEN, 0, &synth) == FcResultMatch && synth);
	*is_italic = slant != FC_SLANT_ROMAN &&
		     FcPatternGetMatrix(match, FC_MATRIX, 0, &mat) != FcResultMatch;
	if (FT_New_Face(ft, (const char *)file, index, out)) {
		snprintf(err, errn, "cannot load font %s", (const char *)file);
		goto out;
	}
	if (set_size(*out, px) < 0) {
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

/* Bold, italic and bold italic: the family's own face where it has one,
 * else the nearest one made bold or slanted by hand. */
static void find_styles(struct ds_font *f, const char *pattern)
{
	char err[200];

	for (int s = 1; s < STYLE_N; s++) {
		bool bold = s & DS_FONT_BOLD, italic = s & DS_FONT_ITALIC, is_b = false, is_i = false;
		FT_Face face;
		struct style *st = &f->style[s];
		int base = italic ? s & DS_FONT_BOLD : 0;

		if (find_face(f->fc, f->ft, pattern, bold, italic, f->px, &face, &is_b, &is_i, err,
			      sizeof err) == 0) {
			/* For bold italic, the family's italic emboldened is
			 * closer than its bold slanted. */
			if (italic == is_i && (bold == is_b || (bold && italic))) {
				*st = (struct style){face, true, false, bold && !is_b};
				continue;
			}
			FT_Done_Face(face); /* nothing the faces above lack */
		}
		/* Borrow the face without the missing part, add it by hand. */
		*st = f->style[base];
		st->owned = false;
		st->slant |= italic;
		st->embolden |= bold && !(base & DS_FONT_BOLD);
	}
}

struct ds_font *ds_font_create(const char *pattern, int px, char *err, size_t errn)
{
	struct ds_font *f = calloc(1, sizeof *f);
	FT_Size_Metrics *m;
	bool is_b, is_i;
	FcPattern *pat;
	FcResult res;

	if (!f) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	if (px < 4 || px > 256) {
		snprintf(err, errn, "font size %d px is out of range (4-256)", px);
		goto fail;
	}
	f->px = px;
	f->fc = FcInitLoadConfigAndFonts();
	if (!f->fc || FT_Init_FreeType(&f->ft)) {
		snprintf(err, errn, "cannot initialise fontconfig/freetype");
		goto fail_fc;
	}
	if (find_face(f->fc, f->ft, pattern, false, false, px, &f->style[0].face, &is_b, &is_i, err,
		      errn) < 0)
		goto fail_ft;
	f->style[0].owned = true;
	find_styles(f, pattern);
	m = &f->style[0].face->size->metrics;
	f->ascent = (int)((m->ascender + 63) >> 6);
	f->cell_h = (int)((m->height + 63) >> 6);
	if (FT_Load_Char(f->style[0].face, 'M', FT_LOAD_DEFAULT) == 0)
		f->cell_w = (int)((f->style[0].face->glyph->advance.x + 63) >> 6);
	if (f->cell_w <= 0)
		f->cell_w = (int)((m->max_advance + 63) >> 6);
	if (f->cell_w <= 0 || f->cell_h <= 0 || f->cell_w > 4 * px || f->cell_h > 4 * px) {
		snprintf(err, errn, "font '%s' has no usable metrics", pattern);
		goto fail_face;
	}
	/* Strikethrough through the middle of the x height. */
	f->strike_y = f->ascent - (px + 2) / 4;
	if (FT_Load_Char(f->style[0].face, 'x', FT_LOAD_DEFAULT) == 0) {
		long xh = f->style[0].face->glyph->metrics.horiBearingY >> 6;
		if (xh > 0 && xh <= f->ascent)
			f->strike_y = f->ascent - (int)(xh + 1) / 2;
	}
	f->line_h = 1;
	if (FT_IS_SCALABLE(f->style[0].face)) {
		long t = FT_MulFix(f->style[0].face->underline_thickness, m->y_scale) >> 6;
		f->line_h = t < 1 ? 1 : t > f->cell_h / 4 + 1 ? f->cell_h / 4 + 1 : (int)t;
	}
	if (f->strike_y < 0 || f->strike_y + f->line_h > f->cell_h)
		f->strike_y = (f->cell_h - f->line_h) / 2;
	/* The fallback candidates; none is an error only for fallback. */
	pat = FcNameParse((const FcChar8 *)pattern);
	if (pat) {
		FcConfigSubstitute(f->fc, pat, FcMatchPattern);
		FcDefaultSubstitute(pat);
		f->sorted = FcFontSort(f->fc, pat, FcTrue, NULL, &res);
		FcPatternDestroy(pat);
	}
	f->cache = pixman_glyph_cache_create();
	if (!f->cache) {
		snprintf(err, errn, "out of memory");
		goto fail_face;
	}
	return f;

fail_face:
	if (f->sorted)
		FcFontSetDestroy(f->sorted);
	for (int s = STYLE_N - 1; s >= 0; s--)
		if (f->style[s].owned)
			FT_Done_Face(f->style[s].face);
fail_ft:
	FT_Done_FreeType(f->ft);
fail_fc:
	if (f->fc)
		FcConfigDestroy(f->fc);
fail:
	free(f);
	return NULL;
}

static void fallback_close(struct fallback *fb)
{
	if (!fb->face)
		return;
	FT_Done_Face(fb->face);
	FcCharSetDestroy(fb->charset);
	free(fb->file);
	memset(fb, 0, sizeof *fb);
}

void ds_font_destroy(struct ds_font *f)
{
	if (!f)
		return;
	pixman_glyph_cache_destroy(f->cache);
	for (int i = 0; i < DS_FONT_COLOR_MAX; i++)
		if (f->color[i].img)
			pixman_image_unref(f->color[i].img);
	for (int i = 0; i < DS_FONT_FALLBACK_MAX; i++)
		fallback_close(&f->fb[i]);
	if (f->sorted)
		FcFontSetDestroy(f->sorted);
	for (int s = STYLE_N - 1; s >= 0; s--)
		if (f->style[s].owned)
			FT_Done_Face(f->style[s].face);
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

void ds_font_strike(const struct ds_font *f, int *y, int *h)
{
	*y = f->strike_y;
	*h = f->line_h;
}

pixman_glyph_cache_t *ds_font_cache(struct ds_font *f)
{
	return f->cache;
}

pixman_glyph_cache_t *ds_font_begin(struct ds_font *f)
{
	if (!f->frozen && f->cache_bytes > DS_FONT_CACHE_BYTES) {
		pixman_glyph_cache_t *fresh = pixman_glyph_cache_create();
		if (fresh) {
			pixman_glyph_cache_destroy(f->cache);
			f->cache = fresh;
			f->cache_bytes = 0;
		}
	}
	f->frozen++;
	pixman_glyph_cache_freeze(f->cache);
	return f->cache;
}

void ds_font_end(struct ds_font *f)
{
	pixman_glyph_cache_thaw(f->cache);
	f->frozen--;
}

/* The open fallback face that has cp, else the first of fontconfig's
 * candidates that has it, opened in a free slot or the least recently
 * used one's; color: only colour fonts. NULL: no such font has it. */
static FT_Face fallback_find(struct ds_font *f, uint32_t cp, bool color)
{
	struct fallback *slot = &f->fb[0];

	for (int i = 0; i < DS_FONT_FALLBACK_MAX; i++) {
		struct fallback *fb = &f->fb[i];
		if (fb->face && (!color || FT_HAS_COLOR(fb->face)) &&
		    FcCharSetHasChar(fb->charset, cp)) {
			fb->used = ++f->tick;
			return fb->face;
		}
		if (!fb->face || (slot->face && fb->used < slot->used))
			slot = fb;
	}
	for (int i = 0; f->sorted && i < f->sorted->nfont; i++) {
		FcPattern *p = f->sorted->fonts[i];
		FcCharSet *cs;
		FcChar8 *file;
		int index = 0;
		FT_Face face;
		bool open = false;
		FcBool has_color = FcFalse;

		if (color && (FcPatternGetBool(p, FC_COLOR, 0, &has_color) != FcResultMatch ||
			      !has_color))
			continue;
		if (FcPatternGetCharSet(p, FC_CHARSET, 0, &cs) != FcResultMatch ||
		    !FcCharSetHasChar(cs, cp) ||
		    FcPatternGetString(p, FC_FILE, 0, &file) != FcResultMatch)
			continue;
		FcPatternGetInteger(p, FC_INDEX, 0, &index);
		/* Its charset says it has cp, and it is open: the font's cmap
		 * disagrees, nothing more to find. */
		for (int j = 0; j < DS_FONT_FALLBACK_MAX; j++)
			open |= f->fb[j].face && f->fb[j].index == index &&
				!strcmp(f->fb[j].file, (const char *)file);
		if (open)
			continue;
		if (FT_New_Face(f->ft, (const char *)file, index, &face))
			continue;
		if (set_size(face, f->px) < 0) {
			FT_Done_Face(face);
			continue;
		}
		fallback_close(slot);
		slot->file = strdup((const char *)file);
		slot->charset = FcCharSetCopy(cs);
		if (!slot->file || !slot->charset) {
			free(slot->file);
			if (slot->charset)
				FcCharSetDestroy(slot->charset);
			memset(slot, 0, sizeof *slot);
			FT_Done_Face(face);
			return NULL;
		}
		slot->face = face;
		slot->index = index;
		slot->used = ++f->tick;
		return face;
	}
	return NULL;
}

static FT_Face fallback_face(struct ds_font *f, uint32_t cp)
{
	/* Emoji look like emoji where a colour font has them, as in other
	 * terminals, even when a monochrome font comes first in the list. */
	bool emoji = cp >= 0x1f000 && cp < 0x1fb00;
	FT_Face face = emoji ? fallback_find(f, cp, true) : NULL;

	return face ? face : fallback_find(f, cp, false);
}

/* A rendered glyph: its image and its top left from the cell's. */
struct rendered {
	pixman_image_t *img;
	int x, y;
};

static pixman_image_t *scale_down(pixman_image_t *src, pixman_format_code_t fmt, int sw, int sh,
				  int dw, int dh)
{
	pixman_image_t *dst = pixman_image_create_bits(fmt, dw, dh, NULL, 0);
	pixman_fixed_t sx = pixman_double_to_fixed((double)sw / dw);
	pixman_fixed_t sy = pixman_double_to_fixed((double)sh / dh);
	pixman_transform_t t;
	pixman_fixed_t *params;
	int n = 0;

	if (!dst)
		return NULL;
	pixman_transform_init_scale(&t, sx, sy);
	pixman_image_set_transform(src, &t);
	/* A box filter over the pixels each one covers, as cairo does when
	 * it shrinks; plain bilinear would drop most of them. */
	params = pixman_filter_create_separable_convolution(&n, sx, sy, PIXMAN_KERNEL_BOX,
							    PIXMAN_KERNEL_BOX, PIXMAN_KERNEL_BOX,
							    PIXMAN_KERNEL_BOX, 2, 2);
	if (params) {
		pixman_image_set_filter(src, PIXMAN_FILTER_SEPARABLE_CONVOLUTION, params, n);
		free(params);
	} else {
		pixman_image_set_filter(src, PIXMAN_FILTER_BILINEAR, NULL, 0);
	}
	pixman_image_composite32(PIXMAN_OP_SRC, src, NULL, dst, 0, 0, 0, 0, 0, 0, dw, dh);
	return dst;
}

/* The bitmap in face's glyph slot as an image (a8, or a8r8g8b8 for a
 * colour one); fit: shrink it into box_w x cell_h and keep it inside. */
static bool take_bitmap(struct ds_font *f, FT_GlyphSlot slot, bool fit, int box_w,
			struct rendered *out)
{
	FT_Bitmap *bm = &slot->bitmap;
	bool color = bm->pixel_mode == FT_PIXEL_MODE_BGRA;
	pixman_format_code_t fmt = color ? PIXMAN_a8r8g8b8 : PIXMAN_a8;
	int w = (int)bm->width, h = (int)bm->rows, left = slot->bitmap_left, top = slot->bitmap_top;
	pixman_image_t *img;
	uint8_t *data;
	int stride;

	if (bm->pixel_mode != FT_PIXEL_MODE_GRAY && bm->pixel_mode != FT_PIXEL_MODE_MONO && !color)
		return false;
	if (w <= 0 || h <= 0) { /* a blank: an empty image, cached all the same */
		w = h = 1;
		left = 0;
		top = f->ascent;
	}
	img = pixman_image_create_bits(fmt, w, h, NULL, 0);
	if (!img)
		return false;
	data = (uint8_t *)pixman_image_get_data(img);
	stride = pixman_image_get_stride(img);
	for (unsigned y = 0; y < bm->rows && bm->width; y++) {
		const uint8_t *src = bm->buffer + (long)y * bm->pitch;
		uint8_t *dst = data + (size_t)y * (size_t)stride;
		if (bm->pixel_mode == FT_PIXEL_MODE_MONO) {
			for (unsigned x = 0; x < bm->width; x++)
				dst[x] = src[x / 8] & (0x80 >> (x % 8)) ? 0xff : 0;
		} else {
			/* BGRA, premultiplied, is a8r8g8b8 in a little-endian word. */
			memcpy(dst, src, (size_t)bm->width * (color ? 4 : 1));
		}
	}
	if (fit && (w > box_w || h > f->cell_h)) {
		double s = (double)box_w / w < (double)f->cell_h / h ? (double)box_w / w
								       : (double)f->cell_h / h;
		int dw = (int)(w * s), dh = (int)(h * s);
		pixman_image_t *small;
		dw = dw < 1 ? 1 : dw > box_w ? box_w : dw;
		dh = dh < 1 ? 1 : dh > f->cell_h ? f->cell_h : dh;
		small = scale_down(img, fmt, w, h, dw, dh);
		pixman_image_unref(img);
		if (!small)
			return false;
		img = small;
		left = (int)(left * s);
		top = (int)(top * s);
		w = dw;
		h = dh;
	}
	out->img = img;
	out->x = left;
	out->y = f->ascent - top;
	if (fit) {
		out->x = out->x < 0 ? 0 : out->x > box_w - w ? box_w - w : out->x;
		out->y = out->y < 0 ? 0 : out->y > f->cell_h - h ? f->cell_h - h : out->y;
	}
	return true;
}

/* A hollow box over the cell(s): what a codepoint no font has looks like. */
static bool box_glyph(struct ds_font *f, int box_w, struct rendered *out)
{
	int h = f->cell_h, inset = h / 8, t = f->line_h;
	pixman_image_t *img = pixman_image_create_bits(PIXMAN_a8, box_w, h, NULL, 0);
	pixman_color_t on = {0, 0, 0, 0xffff};
	pixman_box32_t b[4] = {
		{1, inset, box_w - 1, inset + t},
		{1, h - inset - t, box_w - 1, h - inset},
		{1, inset, 1 + t, h - inset},
		{box_w - 1 - t, inset, box_w - 1, h - inset},
	};

	if (!img)
		return false;
	pixman_image_fill_boxes(PIXMAN_OP_SRC, img, &on, 4, b);
	out->img = img;
	out->x = out->y = 0;
	return true;
}

static bool render(struct ds_font *f, uint32_t cp, unsigned style, int cells, struct rendered *out)
{
	const struct style *st = &f->style[style];
	FT_Face face = st->face;
	bool slant = st->slant, embolden = st->embolden, fit = false;
	int box_w = cells * f->cell_w;
	FT_UInt index = FT_Get_Char_Index(face, cp);
	FT_GlyphSlot slot;

	if (!index && face != f->style[0].face) {
		/* The italic or bold face lacks it, the regular one may not. */
		face = f->style[0].face;
		slant = style & DS_FONT_ITALIC;
		embolden = style & DS_FONT_BOLD;
		index = FT_Get_Char_Index(face, cp);
	}
	if (!index) {
		face = fallback_face(f, cp);
		if (!face)
			return box_glyph(f, box_w, out);
		slant = style & DS_FONT_ITALIC;
		embolden = style & DS_FONT_BOLD;
		index = FT_Get_Char_Index(face, cp);
		fit = true;
	}
	if (!index || FT_Load_Glyph(face, index,
				    FT_LOAD_DEFAULT | FT_LOAD_TARGET_NORMAL |
					    (FT_HAS_COLOR(face) ? FT_LOAD_COLOR : 0)))
		return box_glyph(f, box_w, out);
	slot = face->glyph;
	if (slot->format == FT_GLYPH_FORMAT_OUTLINE) {
		if (embolden)
			FT_Outline_Embolden(&slot->outline,
					    FT_MulFix(face->units_per_EM, face->size->metrics.y_scale) /
						    24);
		if (slant) {
			FT_Matrix shear = {0x10000, SLANT_SHEAR_16_16, 0, 0x10000};
			FT_Outline_Transform(&slot->outline, &shear);
		}
	}
	if (slot->format != FT_GLYPH_FORMAT_BITMAP && FT_Render_Glyph(slot, FT_RENDER_MODE_NORMAL))
		return box_glyph(f, box_w, out);
	if (slot->bitmap.pixel_mode == FT_PIXEL_MODE_BGRA)
		fit = true; /* a colour bitmap font's strike is rarely the cell's size */
	return take_bitmap(f, slot, fit, box_w, out) || box_glyph(f, box_w, out);
}

static struct color_glyph *color_find(struct ds_font *f, uintptr_t key)
{
	for (int i = 0; i < DS_FONT_COLOR_MAX; i++) {
		if (f->color[i].key == key) {
			f->color[i].used = ++f->tick;
			return &f->color[i];
		}
	}
	return NULL;
}

bool ds_font_lookup(struct ds_font *f, uint32_t cp, unsigned style, int cells, struct ds_glyph *g)
{
	/* Keys: the style's address, and the codepoint and width + 1
	 * (pixman's keys are pointers, NULL is not one). */
	uintptr_t key;
	void *fkey;
	struct color_glyph *c;
	struct rendered r;

	style &= STYLE_N - 1;
	cells = cells > 1 ? 2 : 1;
	if (cp >= 0x110000)
		cp = 0xfffd;
	key = ((uintptr_t)cp << 1 | (cells > 1)) + 1;
	fkey = &f->style_key[style];
	memset(g, 0, sizeof *g);
	g->mono = pixman_glyph_cache_lookup(f->cache, fkey, (void *)key);
	if (g->mono)
		return true;
	c = color_find(f, key);
	if (!c) {
		if (!render(f, cp, style, cells, &r))
			return false;
		if (PIXMAN_FORMAT_TYPE(pixman_image_get_format(r.img)) == PIXMAN_TYPE_A) {
			/* The origin is the pen position (the baseline) in the image. */
			f->cache_bytes += (size_t)pixman_image_get_stride(r.img) *
					  (size_t)pixman_image_get_height(r.img);
			g->mono = pixman_glyph_cache_insert(f->cache, fkey, (void *)key, -r.x,
							    f->ascent - r.y, r.img);
			pixman_image_unref(r.img);
			return g->mono != NULL;
		}
		c = &f->color[0];
		for (int i = 1; i < DS_FONT_COLOR_MAX; i++)
			if (f->color[i].used < c->used)
				c = &f->color[i];
		if (c->img)
			pixman_image_unref(c->img);
		*c = (struct color_glyph){key, r.img, r.x, r.y, ++f->tick};
	}
	g->color = c->img;
	g->x = c->x;
	g->y = c->y;
	return true;
}
