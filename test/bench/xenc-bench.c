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
 *   xterm     x11-bench's scrolling xterm: 80x24 (484x316 pixels) in
 *             xterm's own font (misc-fixed 6x13, its glyphs captured from a
 *             real xterm with xwd), black on white, printing ticker's
 *             lines ("line NNNNNNNN xxx..."), 16 a frame (1000 lines/s at
 *             60 frames/s)
 *   xterm40   the same, 40 lines a frame (1000 lines/s at 25 frames/s)
 *
 * For each: bytes a frame, the encoder's speed (frames/s, and MB/s of
 * window pixels), the desk's apply speed; the same for the naive peers;
 * and the ratio of their bytes to telly's. The encoder's output is
 * applied to a desk buffer and checked against the picture at the end.
 *
 *   xenc-bench [FRAMES [WORK]]   (default 300, all of them) */
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

/* ---- an xterm, in its own pixels ---- */

#define XT_W 484 /* 80 x 6 and a border of 2 each side */
#define XT_H 316 /* 24 x 13 and the border */
#define XT_CW 6
#define XT_CH 13
#define XT_COLS 80
#define XT_ROWS 24
#define XT_BORDER 2

/* xterm's default font, glyphs ' '..'~': 13 rows of 6 bits (bit 5 the
 * leftmost pixel), as an xwd dump of a real xterm has them. */
static const char *const xterm_font[95] = {
	"00000000000000000000000000", "00000808080808080800080000", "00001414140000000000000000", "00000014143e143e1414000000",
	"0000081e28281c0a0a3c080000", "0000122a14040810142a240000", "000000102828102826241a0000", "00000808080000000000000000",
	"00040808101010101008080400", "00100808040404040408081000", "0000082a1c2a08000000000000", "0000000008083e080800000000",
	"0000000000000000000c081000", "0000000000003e000000000000", "000000000000000000081c0800", "00000202040408101020200000",
	"00000814222222222214080000", "000008182808080808083e0000", "00001c222202040810203e0000", "00003e0204081c0202221c0000",
	"000004040c1414243e04040000", "00003e20202c320202221c0000", "00001c2220203c2222221c0000", "00003e02040408081010100000",
	"00001c2222221c2222221c0000", "00001c2222221e0202221c0000", "00000000081c080000081c0800", "00000000081c0800000c081000",
	"00000204081020100804020000", "00000000003e00003e00000000", "00002010080402040810200000", "00001c22220204080800080000",
	"00001c2222262a2a2c201e0000", "000008142222223e2222220000", "00003c1212121c1212123c0000", "00001c222020202020221c0000",
	"00003c121212121212123c0000", "00003e2020203c2020203e0000", "00003e2020203c202020200000", "00001c222020202622221c0000",
	"0000222222223e222222220000", "00001c080808080808081c0000", "00000e04040404040424180000", "00002222242830282422220000",
	"000020202020202020203e0000", "00002222362a2a222222220000", "00002232322a2a262622220000", "00001c222222222222221c0000",
	"00003c2222223c202020200000", "00001c2222222222222a1c0200", "00003c2222223c282422220000", "00001c2220201c0202221c0000",
	"00003e08080808080808080000", "000022222222222222221c0000", "00002222222214141408080000", "0000222222222a2a2a2a140000",
	"00002222141408141422220000", "00002222141408080808080000", "00003e020404081010203e0000", "001c1010101010101010101c00",
	"00002020101008040402020000", "001c0404040404040404041c00", "00000814220000000000000000", "00000000000000000000003e00",
	"00080400000000000000000000", "00000000001c021e22261a0000", "00002020203c222222223c0000", "00000000001c222020221c0000",
	"00000202021e222222221e0000", "00000000001c223e20221c0000", "00000c1210103c101010100000", "00000000001c2222221e02221c",
	"00002020202c32222222220000", "000000080018080808081c0000", "00000004000c04040404242418", "00002020202428302824220000",
	"000018080808080808081c0000", "0000000000342a2a2a2a220000", "00000000002c32222222220000", "00000000001c222222221c0000",
	"00000000003c2222223c202020", "00000000001e2222221e020202", "00000000002c32202020200000", "00000000001c221804221c0000",
	"00000010103c101010120c0000", "000000000022222222261a0000", "00000000002222221414080000", "000000000022222a2a2a140000",
	"00000000002214080814220000", "0000000000222222261a02221c", "00000000003e040810203e0000", "00060808080830080808080600",
	"00000808080808080808080000", "00300808080806080808083000", "0000122a240000000000000000",
};

static char xt_text[XT_ROWS][XT_COLS + 1];
static unsigned long xt_line;

static void xt_cell(uint32_t *px, int row, int col, bool cursor)
{
	int c = (unsigned char)xt_text[row][col];
	const char *g = xterm_font[c >= ' ' && c <= '~' ? c - ' ' : 0];

	for (int y = 0; y < XT_CH; y++) {
		unsigned bits = (unsigned)strtoul((char[3]){g[2 * y], g[2 * y + 1], 0}, NULL, 16);
		uint32_t *p = px + (size_t)(XT_BORDER + row * XT_CH + y) * XT_W + XT_BORDER + col * XT_CW;
		for (int x = 0; x < XT_CW; x++)
			p[x] = ((bits >> (5 - x)) & 1) != cursor ? 0x00000000 : 0x00ffffff;
	}
}

/* The bottom row is where the cursor waits, after the newline. */
static void xt_screen(uint32_t *px)
{
	for (int i = 0; i < XT_W * XT_H; i++)
		px[i] = 0x00ffffff;
	for (int r = 0; r < XT_ROWS; r++) {
		if (r < XT_ROWS - 1)
			snprintf(xt_text[r], sizeof xt_text[r], "line %08lu %s", ++xt_line,
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		else
			memset(xt_text[r], ' ', XT_COLS);
		for (int c = 0; c < XT_COLS; c++)
			xt_cell(px, r, c, r == XT_ROWS - 1 && c == 0);
	}
}

/* n lines printed: the text moves up n rows (a copy, as xterm's scroll
 * is), the new lines and the cursor's row are drawn. */
static void xt_scroll(uint32_t *px, int n)
{
	int keep = n < XT_ROWS - 1 ? XT_ROWS - 1 - n : 0;

	if (keep)
		memmove(px + (size_t)XT_BORDER * XT_W,
			px + (size_t)(XT_BORDER + (XT_ROWS - 1 - keep) * XT_CH) * XT_W,
			(size_t)keep * XT_CH * XT_W * 4);
	memmove(xt_text[0], xt_text[XT_ROWS - 1 - keep], sizeof xt_text[0] * (size_t)keep);
	xt_line += (unsigned long)(n - (XT_ROWS - 1 - keep));
	for (int r = keep; r < XT_ROWS; r++) {
		if (r < XT_ROWS - 1)
			snprintf(xt_text[r], sizeof xt_text[r], "line %08lu %s", ++xt_line,
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		else
			memset(xt_text[r], ' ', XT_COLS);
		for (int c = 0; c < XT_COLS; c++)
			xt_cell(px, r, c, r == XT_ROWS - 1 && c == 0);
	}
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

enum work { SCROLL, JUMP, TYPING, PHOTO, XTERM, XTERM40 };
static const char *const work_name[] = {"scroll", "jump", "typing", "photo", "xterm", "xterm40"};

struct naive {
	size_t bytes;
	double enc_s, dec_s;
};

static void naive(struct naive *nv, const uint32_t *px, size_t raw, uint8_t *buf, size_t cap,
		  uint32_t *back, bool zstd, ZSTD_CCtx *zc, ZSTD_DCtx *zd)
{
	size_t z;
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
	bool xt = work == XTERM || work == XTERM40;
	int w = xt ? XT_W : W, h = xt ? XT_H : H;
	struct rp_xenc *e = rp_xenc_create(1, (uint16_t)w, (uint16_t)h);
	struct desk d = {.px = calloc((size_t)w * h, 4), .w = (uint16_t)w, .h = (uint16_t)h};
	struct naive lz = {0}, zs = {0};
	struct rp_xenc_stats st;
	double enc_s = 0;
	size_t first_bytes;

	if (!buf || !zc || !zd || !e || !d.px) {
		fprintf(stderr, "xenc-bench: out of memory\n");
		exit(1);
	}
	rp_xenc_palette(e, true); /* as for telly view, which says RP_CAP_XPALETTE */
	for (int r = 0; r < ROWS; r++)
		random_line(text[r], &tcolor[r]);
	draw_screen(px);
	if (xt)
		xt_screen(px);
	if (work == PHOTO)
		draw_photo(px, 0);
	cur_row = ROWS - 1;
	cur_col = 0;
	memset(text[cur_row], ' ', COLS);
	for (int c = 0; c < COLS && !xt; c++)
		draw_cell(px, cur_row, c);
	/* the first picture is a keyframe's worth, not what is measured */
	rp_xenc_update(e, px, (uint16_t)w, (uint16_t)h, (size_t)w * 4, NULL, 0, 0, desk_take, &d);
	first_bytes = d.bytes;
	d.bytes = 0;
	d.frames = 0;
	d.apply_s = 0;
	for (int f = 1; f <= frames; f++) {
		struct rp_xrect dmg = {0, 0, w, h};
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
		case XTERM:
			xt_scroll(px, 16);
			break;
		case XTERM40:
			xt_scroll(px, 40);
			break;
		}
		double t0 = now_s();
		if (rp_xenc_update(e, px, (uint16_t)w, (uint16_t)h, (size_t)w * 4, &dmg, 1, (uint32_t)f,
				   desk_take, &d) < 0) {
			fprintf(stderr, "xenc-bench: the encoder failed\n");
			exit(1);
		}
		enc_s += now_s() - t0;
		naive(&lz, px, (size_t)w * h * 4, buf, cap, back, false, zc, zd);
		naive(&zs, px, (size_t)w * h * 4, buf, cap, back, true, zc, zd);
	}
	enc_s -= d.apply_s; /* the desk applied inside the emit callback */
	if (memcmp(d.px, px, (size_t)w * h * 4) || d.errors) {
		fprintf(stderr, "xenc-bench: %s: the desk's picture differs (%d errors)\n",
			work_name[work], d.errors);
		exit(1);
	}
	rp_xenc_stats(e, &st);
	double mb = (double)w * h * 4 * frames / 1e6;
	double per = (double)d.bytes / frames, lzper = (double)lz.bytes / frames,
	       zsper = (double)zs.bytes / frames;
	printf("xenc-bench %-6s %dx%d, %d frames (first picture %zu bytes):\n", work_name[work], w,
	       h, frames, first_bytes);
	printf("  telly       %9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  apply %7.0f "
	       "frames/s\n",
	       per, frames / enc_s, mb / enc_s, frames / d.apply_s);
	printf("  lz4 whole   %9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  decode %6.0f "
	       "frames/s  ratio %.1fx telly's bytes\n",
	       lzper, frames / lz.enc_s, mb / lz.enc_s, frames / lz.dec_s, lzper / per);
	printf("  zstd-1 whole%9.0f bytes/frame  encode %7.0f frames/s %8.0f MB/s  decode %6.0f "
	       "frames/s  ratio %.1fx telly's bytes\n",
	       zsper, frames / zs.enc_s, mb / zs.enc_s, frames / zs.dec_s, zsper / per);
	printf("  tiles: same %llu copy %llu fill %llu lz4 %llu zstd %llu raw %llu palette %llu; "
	       "%.2f XPIXELS frames an update\n",
	       (unsigned long long)st.tiles_same, (unsigned long long)st.tiles_copy,
	       (unsigned long long)st.tiles_fill, (unsigned long long)st.tiles_lz4,
	       (unsigned long long)st.tiles_zstd, (unsigned long long)st.tiles_raw,
	       (unsigned long long)st.tiles_palette, (double)d.frames / frames);
	uint64_t ops = 0;
	for (int k = 0; k <= RP_XOP_PALETTE; k++)
		ops += st.bytes_op[k];
	printf("  bytes/frame by op: copy %.0f fill %.0f lz4 %.0f zstd %.0f raw %.0f jpeg %.0f "
	       "palette %.0f heads %.0f\n",
	       (double)st.bytes_op[RP_XOP_COPY] / frames, (double)st.bytes_op[RP_XOP_FILL] / frames,
	       (double)st.bytes_op[RP_XOP_LZ4] / frames, (double)st.bytes_op[RP_XOP_ZSTD] / frames,
	       (double)st.bytes_op[RP_XOP_RAW] / frames, (double)st.bytes_op[RP_XOP_JPEG] / frames,
	       (double)st.bytes_op[RP_XOP_PALETTE] / frames, (double)(st.bytes - ops) / frames);
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
		fprintf(stderr, "usage: xenc-bench [FRAMES [scroll|jump|typing|photo|xterm|xterm40]]\n");
		return 2;
	}
	make_font();
	for (int w = SCROLL; w <= XTERM40; w++)
		if (argc < 3 || !strcmp(argv[2], work_name[w]))
			run((enum work)w, frames);
	return 0;
}
