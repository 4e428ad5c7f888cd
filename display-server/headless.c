/* The headless backend: a framebuffer in memory and no devices; input
 * comes from a script (clients/view.c) and frames leave as PNG files. */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>

#include "ds_int.h"

#define MAX_SIDE 8192

struct headless {
	struct ds_backend base;
	pixman_image_t *fb;
};

static int hl_fd(struct ds_backend *b)
{
	(void)b;
	return -1;
}

static int hl_dispatch(struct ds_backend *b, ds_event_fn fn, void *ctx)
{
	(void)b;
	(void)fn;
	(void)ctx;
	return 0;
}

static pixman_image_t *hl_framebuffer(struct ds_backend *b)
{
	return ((struct headless *)b)->fb;
}

static int hl_present(struct ds_backend *b, pixman_region32_t *damage)
{
	(void)b;
	(void)damage;
	return 0;
}

static void hl_destroy(struct ds_backend *b)
{
	struct headless *h = (struct headless *)b;

	pixman_image_unref(h->fb);
	free(h);
}

static const struct ds_backend_impl headless_impl = {
	.name = "headless", .get_fd = hl_fd, .dispatch = hl_dispatch,
	.framebuffer = hl_framebuffer, .present = hl_present, .destroy = hl_destroy,
};

struct ds_backend *ds_headless_create(int w, int h, char *err, size_t errn)
{
	struct headless *hl;

	if (w < 64 || h < 64 || w > MAX_SIDE || h > MAX_SIDE) {
		snprintf(err, errn, "size %dx%d is out of range (64x64 to %dx%d)", w, h, MAX_SIDE,
			 MAX_SIDE);
		return NULL;
	}
	hl = calloc(1, sizeof *hl);
	if (!hl || !(hl->fb = pixman_image_create_bits(PIXMAN_x8r8g8b8, w, h, NULL, 0))) {
		free(hl);
		snprintf(err, errn, "out of memory for a %dx%d framebuffer", w, h);
		return NULL;
	}
	hl->base.impl = &headless_impl;
	hl->base.w = w;
	hl->base.h = h;
	hl->base.soft_cursor = true;
	return &hl->base;
}

void ds_backend_destroy(struct ds_backend *b)
{
	if (b)
		b->impl->destroy(b);
}

int ds_png_write(pixman_image_t *img, const char *path)
{
	int w = pixman_image_get_width(img), h = pixman_image_get_height(img);
	int stride = pixman_image_get_stride(img) / 4;
	const uint32_t *px = pixman_image_get_data(img);
	png_structp png = NULL;
	png_infop info = NULL;
	uint8_t *row = NULL;
	FILE *f;
	volatile int rc = -EIO;

	f = fopen(path, "wb");
	if (!f)
		return -errno;
	row = malloc((size_t)w * 3);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	if (!row || !png || !(info = png_create_info_struct(png)))
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_init_io(png, f);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
		     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 1);
	png_write_info(png, info);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			uint32_t p = px[y * stride + x];
			row[x * 3] = (uint8_t)(p >> 16);
			row[x * 3 + 1] = (uint8_t)(p >> 8);
			row[x * 3 + 2] = (uint8_t)p;
		}
		png_write_row(png, row);
	}
	png_write_end(png, info);
	rc = 0;
out:
	png_destroy_write_struct(&png, info ? &info : NULL);
	free(row);
	if (fclose(f) != 0 && rc == 0)
		rc = -errno;
	return rc;
}
