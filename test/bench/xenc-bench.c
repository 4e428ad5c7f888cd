/* The X windows' pixel encoder (remote-proto/xwin.c) on synthetic
 * workloads, beside the naive peer in the same run: each whole frame
 * compressed with lz4, and with zstd at level 1, as a sender that does
 * not look at what changed would.
 *
 *   scroll    a 1024x768 terminal (8x16 cells, 128x48) printing a line a
 *             frame: everything moves up a line (xterm damages it all)
 *   jump      the same, 6 lines a frame (jump scroll under fast output)
 *   typing    a character typed a frame (its cell damaged)
 *   photo     a 640x360 region of a 1024x768 window changing every frame
 *             like video (smooth gradients, noisy low bits)
 *
 * For each: bytes a frame, the encoder's speed (frames/s, and MB/s of
 * window pixels), the desk's apply speed; the same for the naive peers;
 * and the ratio of their bytes to telly's. The encoder's output is
 * applied to a desk buffer and checked against the picture at the end.
 *
 *   xenc-bench [FRAMES [WORK]]   (default 300, all four) */
#include <lz4.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "xwin.h"

#define W 1024
#define H 768
#define CW 8
#define CH 16
#define COLS (W / CW)
#define ROWS (H / CH)
#define MASK 0x00ffffffu

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- a terminal's picture ---- */

static uint16_t glyph[96][CH]; /* 8 bits a row in the low byte */
static char text[ROWS][COLS + 1];
static uint8_t tcolor[ROWS];
static int cur_row, cur_col;

static void make_font(void)
{
	for (int c = 1; c < 96; c++)
		for (int r = 3; r < 13; r++)
			glyph[c][r] = (uint16_t)(rnd() & rnd() & 0x7e);
}

static void random_line(char *line, uint8_t *color)
{
	int n = (int)(rnd() % COLS), i = 0;

	while (i < n) {
		int word = 1 + (int)(rnd() % 10);
		for (int k = 0; k < word && i < n; k++)
			line[i++] = (char)('!' + rnd() % 94);
		if (i < n)
			line[i++] = ' ';
	}
	memset(line + i, ' ', (size_t)(COLS - i));
	line[COLS] = 0;
	*color = (uint8_t)(rnd() % 4 == 0);
}

static void draw_cell(uint32_t *px, int row, int col)
{
	static const uint32_t fg[2] = {0x00d0d0d0, 0x005fd7ff};
	const uint16_t *g = glyph[(unsigned char)text[row][col] - ' '];

	for (int y = 0; y < CH; y++) {
		uint32_t *p = px + (size_t)(row * CH + y) * W + col * CW;
		for (int x = 0; x < CW; x++)
			p[x] = (g[y] >> (7 - x)) & 1 ? fg[tcolor[row]] : 0x00101820;
	}
}

static void draw_screen(uint32_t *px)
{
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++)
			draw_cell(px, r, c);
}

static void scroll_lines(uint32_t *px, int n)
{
	memmove(text[0], text[n], sizeof text[0] * (size_t)(ROWS - n));
	memmove(tcolor, tcolor + n, (size_t)(ROWS - n));
	for (int r = ROWS - n; r < ROWS; r++)
		random_line(text[r], &tcolor[r]);
	/* as the X server does it: the pixels move, the new lines are drawn */
	memmove(px, px + (size_t)n * CH * W, (size_t)(ROWS - n) * CH * W * 4);
	for (int r = ROWS - n; r < ROWS; r++)
		for (int c = 0; c < COLS; c++)
			draw_cell(px, r, c);
}

/* ---- a photo-like region ---- */

#define PX 200
#define PY 150
#define PW 640
#define PH 360

static void draw_photo(uint32_t *px, int frame)
{
	for (int y = 0; y < PH; y++)
		for (int x = 0; x < PW; x++) {
			int r = (x + frame * 3) & 255, g = (y * 2 + frame) & 255,
			    b = ((x + y) / 2 + frame * 5) & 255;
			uint32_t n = rnd();
			r = (r + (int)(n & 7)) & 255;
			g = (g + (int)((n >> 3) & 7)) & 255;
			b = (b + (int)((n >> 6) & 7)) & 255;
			px[(size_t)(PY + y) * W + PX + x] = (uint32_t)(r << 16 | g << 8 | b);
		}
}

/* ---- the desk ---- */

struct desk {
	uint32_t *px;
	uint16_t w, h;
	size_t bytes;
	int frames, errors;
	double apply_s;
};

static int desk_take(void *ctx, const uint8_t *p, size_t n)
{
	struct desk *d = ctx;
	struct rp_xpix x;
	size_t off;
	char err[160];
	double t0;

	d->bytes += n;
	d->frames++;
	if (rp_xpix_decode(p, n, &x, &off) || x.w != d->w || x.h != d->h) {
		d->errors++;
		return 0;
	}
	t0 = now_s();
	if (rp_xpix_apply(p + off, n - off, d->px, d->w, d->h, (size_t)d->w * 4, err, sizeof err)) {
		fprintf(stderr, "xenc-bench: apply: %s\n", err);
		d->errors++;
	}
	d->apply_s += now_s() - t0;
	return 0;
}

/* ---- the run ---- */

enum work { SCROLL, JUMP, TYPING, PHOTO };
static const char *const work_name[] = {"scroll", "jump", "typing", "photo"};

struct naive {
	size_t bytes;
	double enc_s, dec_s;
};

static void naive(struct naive *nv, const uint32_t *px, uint8_t *buf, size_t cap, uint32_t *back,
		  bool zstd, ZSTD_CCtx *zc, ZSTD_DCtx *zd)
{
	size_t raw = (size_t)W * H * 4, z;
	double t0 = now_s();

	if (zstd)
		z = ZSTD_compressCCtx(zc, buf, cap, px, raw, 1);
	else
		z = (size_t)LZ4_compress_default((const char *)px, (char *)buf, (int)raw, (int)cap);
	double t1 = now_s();
	if (zstd)
		ZSTD_decompressDCtx(zd, back, raw, buf, z);
	else
		LZ4_decompress_safe((const char *)buf, (char *)back, (int)z, (int)raw);
	nv->dec_s += now_s() - t1;
	nv->enc_s += t1 - t0;
	nv->bytes += z;
}

static void run(enum work work, int frames)
{
	static uint32_t px[W * H];
	static uint32_t back[W * H];
	size_t cap = ZSTD_compressBound((size_t)W * H * 4);
	uint8_t *buf = malloc(cap);
	ZSTD_CCtx *zc = ZSTD_createCCtx();
	ZSTD_DCtx *zd = ZSTD_createDCtx();
	struct rp_xenc *e = rp_xenc_create(1, W, H);
	struct desk d = {.px = calloc((size_t)W * H, 4), .w = W, .h = H};
	struct naive lz = {0}, zs = {0};
	struct rp_xenc_stats st;
	double enc_s = 0;
	size_t first_bytes;

	if (!buf || !zc || !zd || !e || !d.px) {
		fprintf(stderr, "xenc-bench: out of memory\n");
		exit(1);
	}
	for (int r = 0; r < ROWS; r++)
		random_line(text[r], &tcolor[r]);
	draw_screen(px);
	if (work == PHOTO)
		draw_photo(px, 0);
	cur_row = ROWS - 1;
	cur_col = 0;
	memset(text[cur_row], ' ', COLS);
	for (int c = 0; c < COLS; c++)
		draw_cell(px, cur_row, c);
	/* the first picture is a keyframe's worth, not what is measured */
	rp_xenc_update(e, px, W, H, W * 4, NULL, 0, 0, desk_take, &d);
	first_bytes = d.bytes;
	d.bytes = 0;
	d.frames = 0;
	d.apply_s = 0;
	for (int f = 1; f <= frames; f++) {
		struct rp_xrect dmg = {0, 0, W, H};
		switch (work) {
		case SCROLL:
			scroll_lines(px, 1);
			break;
		case JUMP:
			scroll_lines(px, 6);
			break;
		case TYPING:
			text[cur_row][cur_col] = (char)('!' + rnd() % 94);
			draw_cell(px, cur_row, cur_col);
			dmg = (struct rp_xrect){cur_col * CW, cur_row * CH, CW, CH};
			if (++cur_col == COLS) {
				cur_col = 0;
				scroll_lines(px, 1);
				memset(text[cur_row], ' ', COLS);
				for (int c = 0; c < COLS; c++)
					draw_cell(px, cur_row, c);
				dmg = (struct rp_xrect){0, 0, W, H};
			}
			break;
		case PHOTO:
			draw_photo(px, f);
			dmg = (struct rp_xrect){PX, PY, PW, PH};
			break;
		}
		double t0 = now_s();
		if (rp_xenc_update(e, px, W, H, W * 4, &dmg, 1, (uint32_t)f, desk_take, &d) < 0) {
			fprintf(stderr, "xenc-bench: the encoder failed\n");
			exit(1);
		}
		enc_s += now_s() - t0;
		naive(&lz, px, buf, cap, back, false, zc, zd);
		naive(&zs, px, buf, cap, back, true, zc, zd);
	}
	enc_s -= d.apply_s; /* the desk applied inside the emit callback */
	if (memcmp(d.px, px, sizeof px) || d.errors) {
		fprintf(stderr, "xenc-bench: %s: the desk's picture differs (%d errors)\n",
			work_name[work], d.errors);
		exit(1);
	}
	rp_xenc_stats(e, &st);
	double mb = (double)W * H * 4 * frames / 1e6;
	double per = (double)d.bytes / frames, lzper = (double)lz.bytes / frames,
	       zsper = (double)zs.bytes / frames;
	printf("xenc-bench %-6s %dx%d, %d frames (first picture %zu bytes):\n", work_name[work], W,
	       H, frames, first_bytes);
	printf("  telly       %9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  apply %7.0f "
	       "frames/s\n",
	       per, frames / enc_s, mb / enc_s, frames / d.apply_s);
	printf("  lz4 whole   %9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  decode %6.0f "
	       "frames/s  ratio %.1fx telly's bytes\n",
	       lzper, frames / lz.enc_s, mb / lz.enc_s, frames / lz.dec_s, lzper / per);
	printf("  zstd-1 whole%9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  decode %6.0f "
	       "frames/s  ratio %.1fx telly's bytes\n",
	       zsper, frames / zs.enc_s, mb / zs.enc_s, frames / zs.dec_s, zsper / per);
	printf("  tiles: same %llu copy %llu fill %llu lz4 %llu zstd %llu raw %llu; %.2f "
	       "XPIXELS frames an update\n",
	       (unsigned long long)st.tiles_same, (unsigned long long)st.tiles_copy,
	       (unsigned long long)st.tiles_fill, (unsigned long long)st.tiles_lz4,
	       (unsigned long long)st.tiles_zstd, (unsigned long long)st.tiles_raw,
	       (double)d.frames / frames);
	rp_xenc_destroy(e);
	ZSTD_freeCCtx(zc);
	ZSTD_freeDCtx(zd);
	free(buf);
	free(d.px);
}

int main(int argc, char **argv)
{
	int frames = argc > 1 ? atoi(argv[1]) : 300;

	if (frames < 1 || argc > 3) {
		fprintf(stderr, "usage: xenc-bench [FRAMES [scroll|jump|typing|photo]]\n");
		return 2;
	}
	make_font();
	for (int w = SCROLL; w <= PHOTO; w++)
		if (argc < 3 || !strcmp(argv[2], work_name[w]))
			run((enum work)w, frames);
	return 0;
}
