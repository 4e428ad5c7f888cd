/* png-probe: questions a test asks of a picture (PNG, or XWD from xwd).
 *
 *   png-probe FILE rgb X Y                  the pixel, as RRGGBB
 *   png-probe FILE count X Y W H RRGGBB [TOL]  pixels within TOL of a colour
 *   png-probe FILE other X Y W H RRGGBB     pixels that are not that colour
 *   png-probe FILE reddish X Y W H          pixels with r > 150, g and b < 90
 *   png-probe FILE diff X Y W H FILE2 X2 Y2  pixels of the box that differ from
 *                                           FILE2's box at X2, Y2 (outside either:
 *                                           differing)
 */
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pic {
	int w, h;
	uint32_t *px; /* 0xRRGGBB */
};

static int load_png(FILE *f, struct pic *p)
{
	png_image img = {.version = PNG_IMAGE_VERSION};

	if (!png_image_begin_read_from_stdio(&img, f))
		return -1;
	img.format = PNG_FORMAT_BGRA;
	p->w = (int)img.width;
	p->h = (int)img.height;
	p->px = malloc((size_t)p->w * (size_t)p->h * 4);
	if (!p->px || !png_image_finish_read(&img, NULL, p->px, 0, NULL))
		return -1;
	for (long i = 0; i < (long)p->w * p->h; i++)
		p->px[i] &= 0xffffff;
	return 0;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* XWD: a big-endian header of 25 CARD32s, the window name, the colormap,
 * then ZPixmap rows; only 32 bits per pixel is understood. */
static int load_xwd(FILE *f, struct pic *p)
{
	uint8_t h[100];
	uint32_t hsize, bpp, bpl, order, ncolors;

	if (fread(h, 1, sizeof h, f) != sizeof h)
		return -1;
	hsize = be32(h);
	p->w = (int)be32(h + 16);
	p->h = (int)be32(h + 20);
	order = be32(h + 28);
	bpp = be32(h + 44);
	bpl = be32(h + 48);
	ncolors = be32(h + 76);
	if (bpp != 32 || p->w <= 0 || p->h <= 0 || p->w > 16384 || p->h > 16384 || hsize < 100 ||
	    bpl < (uint32_t)p->w * 4)
		return -1;
	if (fseek(f, (long)hsize + (long)ncolors * 12, SEEK_SET) < 0)
		return -1;
	p->px = malloc((size_t)p->w * (size_t)p->h * 4);
	uint8_t *row = malloc(bpl);
	if (!p->px || !row)
		return -1;
	for (int y = 0; y < p->h; y++) {
		if (fread(row, 1, bpl, f) != bpl)
			return -1;
		for (int x = 0; x < p->w; x++) {
			const uint8_t *q = row + x * 4;
			p->px[y * p->w + x] = order ? (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3]
						    : (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
		}
	}
	free(row);
	return 0;
}

static int near(uint32_t a, uint32_t b, int tol)
{
	for (int s = 0; s < 24; s += 8) {
		int d = (int)(a >> s & 0xff) - (int)(b >> s & 0xff);
		if (d > tol || d < -tol)
			return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct pic p = {0};
	FILE *f;
	int x, y, w, h, r;
	long n = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: see the top of png-probe.c\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	r = strstr(argv[1], ".xwd") ? load_xwd(f, &p) : load_png(f, &p);
	fclose(f);
	if (r < 0) {
		fprintf(stderr, "%s: cannot read the picture\n", argv[1]);
		return 2;
	}
	x = atoi(argv[3]);
	y = atoi(argv[4]);
	if (!strcmp(argv[2], "rgb")) {
		r = x < 0 || y < 0 || x >= p.w || y >= p.h ? 2 : 0;
		if (!r)
			printf("%06x\n", p.px[y * p.w + x]);
		free(p.px);
		return r;
	}
	if (argc < 7) {
		free(p.px);
		return 2;
	}
	w = atoi(argv[5]);
	h = atoi(argv[6]);
	if (!strcmp(argv[2], "diff")) {
		struct pic q = {0};
		int x2 = argc == 10 ? atoi(argv[8]) : 0, y2 = argc == 10 ? atoi(argv[9]) : 0;
		if (argc != 10 || !(f = fopen(argv[7], "rb"))) {
			free(p.px);
			return 2;
		}
		r = strstr(argv[7], ".xwd") ? load_xwd(f, &q) : load_png(f, &q);
		fclose(f);
		if (r < 0) {
			fprintf(stderr, "%s: cannot read the picture\n", argv[7]);
			free(p.px);
			free(q.px);
			return 2;
		}
		for (int j = 0; j < h; j++)
			for (int i = 0; i < w; i++) {
				int ax = x + i, ay = y + j, bx = x2 + i, by = y2 + j;
				n += ax < 0 || ay < 0 || ax >= p.w || ay >= p.h || bx < 0 || by < 0 ||
				     bx >= q.w || by >= q.h || p.px[ay * p.w + ax] != q.px[by * q.w + bx];
			}
		printf("%ld\n", n);
		free(p.px);
		free(q.px);
		return 0;
	}
	for (int j = y; j < y + h && j < p.h; j++) {
		for (int i = x; i < x + w && i < p.w; i++) {
			uint32_t c = p.px[j * p.w + i];
			if (j < 0 || i < 0)
				continue;
			if (!strcmp(argv[2], "reddish"))
				n += (c >> 16 & 0xff) > 150 && (c >> 8 & 0xff) < 90 && (c & 0xff) < 90;
			else if (argc >= 8 && !strcmp(argv[2], "count"))
				n += near(c, (uint32_t)strtoul(argv[7], NULL, 16),
					  argc > 8 ? atoi(argv[8]) : 0);
			else if (argc >= 8 && !strcmp(argv[2], "other"))
				n += c != (uint32_t)strtoul(argv[7], NULL, 16);
			else {
				free(p.px);
				return 2;
			}
		}
	}
	printf("%ld\n", n);
	free(p.px);
	return 0;
}
