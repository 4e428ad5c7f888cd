/* The headless backend: a framebuffer in memory and, for devices, at
 * most a keyboard on a descriptor (ds_headless_keys: a bench or a test
 * typing as a person does); other input comes from a script
 * (clients/view.c) and frames leave as PNG files. */
#include <errno.h>
#include <fcntl.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "ds_int.h"

#define MAX_SIDE 8192

struct headless {
	struct ds_backend base;
	pixman_image_t *fb;
	/* The keyboard (-1: none): a line at a time, kept in line[]. */
	int key_fd;
	char line[DS_KEY_LINE_MAX + 1];
	size_t line_n;
	bool too_long; /* the line being read is past DS_KEY_LINE_MAX: skipped */
	int lineno;
};

static int hl_fd(struct ds_backend *b)
{
	return ((struct headless *)b)->key_fd;
}

static void key_event(ds_event_fn fn, void *ctx, uint32_t keysym, uint32_t mods, uint32_t cp)
{
	struct ds_event ev = {.type = DS_EV_KEY, .pressed = true, .time_us = base_now_ns() / 1000,
			      .keysym = keysym, .mods = mods, .codepoint = cp,
			      .locks = -1};

	fn(ctx, &ev);
}

/* One line of the keyboard: its key presses. */
static void key_line(struct headless *h, ds_event_fn fn, void *ctx)
{
	struct ds_step st;
	char err[200];
	int r;

	h->line[h->line_n] = 0;
	r = ds_step_parse(h->line, ++h->lineno, &st, err, sizeof err);
	if (r > 0 && st.type == DS_STEP_KEY) {
		key_event(fn, ctx, st.keysym, st.mods, ds_codepoint_of(st.keysym));
	} else if (r > 0 && st.type == DS_STEP_TYPE) {
		size_t n = strlen(st.text);
		for (const char *s = st.text; n;) {
			uint32_t cp;
			int k = ds_utf8_next(s, n, &cp);
			key_event(fn, ctx, ds_keysym_for(cp), 0, cp);
			s += k;
			n -= (size_t)k;
		}
	} else if (r) {
		fprintf(stderr, "keyboard line %d: %s\n", h->lineno,
			r < 0 ? err : "not a key (type \"TEXT\" or key NAME)");
	}
}

static int hl_dispatch(struct ds_backend *b, ds_event_fn fn, void *ctx)
{
	struct headless *h = (struct headless *)b;
	char buf[4096];
	ssize_t n;

	if (h->key_fd < 0)
		return 0;
	/* A bounded helping each time: the loop's other work goes on. */
	n = read(h->key_fd, buf, sizeof buf);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0) { /* the keyboard is gone: as the window closed */
		h->key_fd = -1;
		fn(ctx, &(struct ds_event){.type = DS_EV_CLOSE, .time_us = base_now_ns() / 1000});
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			if (h->too_long)
				fprintf(stderr, "keyboard line %d: longer than %d bytes: skipped\n",
					++h->lineno, DS_KEY_LINE_MAX);
			else
				key_line(h, fn, ctx);
			h->line_n = 0;
			h->too_long = false;
		} else if (h->line_n < DS_KEY_LINE_MAX) {
			h->line[h->line_n++] = buf[i];
		} else {
			h->too_long = true;
		}
	}
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
	hl->key_fd = -1;
	return &hl->base;
}

int ds_headless_keys(struct ds_backend *b, int fd)
{
	struct headless *h = (struct headless *)b;
	int fl = fcntl(fd, F_GETFL);

	if (b->impl != &headless_impl || fl < 0)
		return fl < 0 ? -errno : -EINVAL;
	if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	h->key_fd = fd;
	return 0;
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
