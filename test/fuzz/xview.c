/* libFuzzer target for telly view's X side (clients/view_x11.c): what a
 * host sends a desk, as a sequence of frames, each handed to vx_frame as
 * the view's loop does, against a headless desk (winmgr, the compositor
 * drawing the windows' surfaces).
 *
 * The view opens one X session ("xs") and the host answers OK on channel
 * CHAN; then the input is frames, each: a byte choosing the type (one of
 * those the view handles, by index), a byte whose low bit says the
 * channel (CHAN, or another the view did not open), two bytes of length
 * (little-endian, cut to what is left) and the payload. A refused frame
 * ends the input, as it ends the view (a malformed frame from the host).
 * Every few frames the view's timers run and the desk is repainted; what
 * the view sends the host is read and dropped. The first input byte: bit
 * 0 a read-only view.
 *
 * The view's stdout and stderr (what the host's program printed, what
 * the host says) go to the fuzzer's: xview.options closes them.
 *
 * TELLY_XVIEW_SEEDS=DIR fuzz-xview writes the seeds of corpus/xview/
 * (sessions built with the codec's encoders) into DIR and exits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "ds.h"
#include "rp.h"
#include "view_x11.h"
#include "wm.h"
#include "xwin.h"

#define CHAN 7
#define SCREEN_W 320
#define SCREEN_H 240
#define REPAINT_EVERY 8 /* frames */

/* fontconfig keeps its configuration for the life of the process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

/* view_x11.c's --stats sorts with the telly command's helper. */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void telly_sort_u64(uint64_t *s, size_t n)
{
	qsort(s, n, sizeof *s, cmp_u64);
}

static const uint8_t types[] = {
	RP_XWIN,  RP_XGONE,   RP_XPIXELS, RP_XCURSOR, RP_XSHAPE, RP_XOUTPUT, RP_XTIMING,
	RP_XCLIP, RP_XCLIPAGE, RP_TOKEN,  RP_EXIT,    RP_NOTICE, RP_ERROR,   RP_OK,
	RP_RESUMED, RP_XLASTS, RP_XMOVERESIZE,
};

/* ---- seeds, by the codec's encoders ---- */

struct seed {
	uint8_t buf[1 << 16];
	size_t n;
};

static size_t type_index(uint8_t type)
{
	for (size_t i = 0; i < sizeof types; i++)
		if (types[i] == type)
			return i;
	abort();
}

/* A payload, as a frame of the input on CHAN. */
static void put(struct seed *s, uint8_t type, const uint8_t *p, size_t n)
{
	if (n > 0xffff || s->n + 4 + n > sizeof s->buf)
		abort();
	s->buf[s->n++] = (uint8_t)type_index(type);
	s->buf[s->n++] = 1;
	s->buf[s->n++] = (uint8_t)n;
	s->buf[s->n++] = (uint8_t)(n >> 8);
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

/* A whole frame an encoder made (its header dropped). */
static void put_frame(struct seed *s, uint8_t type, const uint8_t *f, long n)
{
	if (n < RP_HDR_SIZE)
		abort();
	put(s, type, f + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE);
}

static int put_pixels(void *ctx, const uint8_t *payload, size_t len)
{
	put(ctx, RP_XPIXELS, payload, len);
	return 0;
}

static int put_clip(void *ctx, const uint8_t *frame, size_t len)
{
	put_frame(ctx, RP_XCLIP, frame, (long)len);
	return 0;
}

static void put_xwin(struct seed *s, uint32_t id, int w, int h, uint16_t flags, uint32_t tf,
		     const char *title)
{
	uint8_t f[512];
	struct rp_xwin m = {.id = id, .x = 10, .y = 10, .w = (uint16_t)w, .h = (uint16_t)h,
			    .flags = flags, .transient_for = tf,
			    .title = {title, (uint16_t)strlen(title)}};
	put_frame(s, RP_XWIN, f, rp_xwin_frame(f, sizeof f, CHAN, &m));
}

static void write_seed(const char *dir, const char *name, const struct seed *s)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, s->buf, s->n) != (ssize_t)s->n)
		abort();
	close(fd);
}

static void write_seeds(const char *dir)
{
	static struct seed s;
	uint8_t f[4096];
	uint32_t px[64 * 48];

	/* A window drawn, shaped, with a cursor, a copy, a timing, then gone. */
	s.n = 0;
	s.buf[s.n++] = 0;
	put_xwin(&s, 1, 64, 48, 0, 0, "one");
	for (int i = 0; i < 64 * 48; i++)
		px[i] = (uint32_t)(i * 2654435761u) >> 8;
	struct rp_xenc *e = rp_xenc_create(1, 64, 48);
	rp_xenc_update(e, px, 64, 48, 64 * 4, NULL, 0, 0, put_pixels, &s);
	for (int i = 0; i < 16 * 48; i++)
		px[i] = 0xff0000;
	rp_xenc_update(e, px, 64, 48, 64 * 4, &(struct rp_xrect){0, 0, 64, 16}, 1, 3, put_pixels,
		       &s);
	rp_xenc_destroy(e);
	struct rp_xshape_rect r[2] = {{0, 0, 20, 10}, {30, 20, 34, 28}};
	put_frame(&s, RP_XSHAPE, f,
		  rp_xshape_frame(f, sizeof f, CHAN,
				  &(struct rp_xshape){.id = 1, .kind = RP_XSHAPE_BOUNDING,
						      .shaped = true, .w = 64, .h = 48, .n = 2,
						      .rects = r}));
	uint8_t argb[8 * 8 * 4];
	memset(argb, 0xff, sizeof argb);
	put_frame(&s, RP_XCURSOR, f,
		  rp_xcursor_frame(f, sizeof f, CHAN,
				   &(struct rp_xcursor){.serial = 5, .w = 8, .h = 8, .xhot = 1,
							.yhot = 1, .argb = argb}));
	put_frame(&s, RP_XTIMING, f,
		  rp_xtiming_frame(f, sizeof f, CHAN, &(struct rp_xtiming){.seq = 3, .id = 1}));
	rp_xchunks_send(RP_XCLIP, CHAN, RP_XSEL_CLIPBOARD, "copied", 6,
			put_clip, &s);
	put_frame(&s, RP_XLASTS, f, rp_xlasts_frame(f, sizeof f, CHAN, true, 3));
	put_frame(&s, RP_XMOVERESIZE, f, rp_xmoveresize_frame(f, sizeof f, CHAN, 1, 8, 1));
	put_frame(&s, RP_XGONE, f, rp_xid_frame(f, sizeof f, RP_XGONE, CHAN, 1));
	write_seed(dir, "window-life", &s);

	/* Dialogs: one transient for another, one for an unknown window,
	 * then more windows than a view draws. */
	s.n = 0;
	s.buf[s.n++] = 1; /* read-only */
	put_xwin(&s, 2, 200, 100, 0, 0, "main");
	put_xwin(&s, 3, 80, 40, RP_XWIN_TRANSIENT, 2, "dialog");
	put_xwin(&s, 4, 80, 40, RP_XWIN_TRANSIENT, 99, "lost");
	for (uint32_t id = 10; id < 70; id++)
		put_xwin(&s, id, 30, 20, 0, 0, "many");
	write_seed(dir, "windows", &s);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TELLY_XVIEW_SEEDS");

	(void)argc;
	(void)argv;
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

/* The host's frames to the desk: handed over as the view's loop does
 * (the payload in a buffer of its own length, so that a read past it is
 * seen). 0, or negative once the view refused one. */
static int feed(struct vx *x, uint8_t type, uint16_t chan, const uint8_t *p, size_t n)
{
	struct rp_hdr h = {.type = type, .chan = chan, .len = (uint32_t)n};
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	if (!copy)
		return -ENOMEM;
	memcpy(copy, p, n);
	r = vx_frame(x, &h, copy);
	free(copy);
	return r < 0 ? r : 0;
}

/* What the view sent the host, read and dropped. */
static void drain(struct rp_conn *c, struct rp_conn *host)
{
	struct rp_hdr h;
	const uint8_t *p;

	rp_conn_flush(c);
	while (rp_conn_read(host) > 0)
		while (rp_conn_frame(host, &h, &p) == 1)
			;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ds_font *font;
	char err[200];
	struct ds_backend *b = NULL;
	struct ds_comp *comp = NULL;
	struct rp_conn *c = NULL, *host = NULL;
	struct vx *x = NULL;
	struct wm wm;
	uint32_t req = 0;
	int fds[2], cw, ch;

	if (size < 1)
		return 0;
	if (!font && !(font = ds_font_create("monospace", 12, err, sizeof err)))
		abort(); /* (no font on this machine: nothing to fuzz) */
	if (!(b = ds_headless_create(SCREEN_W, SCREEN_H, err, sizeof err)) ||
	    !(comp = ds_comp_create(b, font)))
		goto out;
	ds_font_cell(font, &cw, &ch);
	wm_init(&wm, &(struct wm_config){.screen_w = SCREEN_W, .screen_h = SCREEN_H,
					 .title_h = ch + 6, .border = 3, .min_w = 40, .min_h = 40});
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
		goto out;
	c = rp_conn_create(rp_transport_socket(fds[0]), 4096, 64u << 20);
	host = rp_conn_create(rp_transport_socket(fds[1]), 4096, 64u << 20);
	if (!c || !host)
		goto out;
	x = vx_create(&(struct vx_ctx){.c = c, .comp = comp, .wm = &wm, .b = b, .req = &req,
				       .readonly = data[0] & 1},
		      err, sizeof err);
	if (!x || vx_open(x, "xs", 2) < 0)
		goto out;
	{
		/* The host's answer to the OPEN: the session on CHAN. */
		uint8_t ok[64];
		struct rp_enc e;
		rp_enc_begin(&e, ok, sizeof ok, RP_OK, 0, CHAN);
		rp_put_u32(&e, req);
		rp_put_str(&e, "xs", 2);
		long n = rp_enc_end(&e);
		if (n <= RP_HDR_SIZE || feed(x, RP_OK, CHAN, ok + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE) < 0)
			goto out;
	}
	size_t at = 1;
	for (unsigned k = 1; at + 4 <= size; k++) {
		uint8_t type = types[data[at] % sizeof types];
		uint16_t chan = data[at + 1] & 1 ? CHAN : data[at + 1] >> 1;
		size_t n = (size_t)data[at + 2] | (size_t)data[at + 3] << 8;
		at += 4;
		n = n < size - at ? n : size - at;
		if (feed(x, type, chan, data + at, n) < 0)
			break; /* the view ends: a malformed frame from the host */
		at += n;
		if (k % REPAINT_EVERY == 0) {
			vx_tick(x, base_now_ms());
			vx_take_paint_now(x); /* (the loop's question; it paints anyway here) */
			ds_comp_repaint(comp, &wm);
			vx_painted(x);
			drain(c, host);
		}
	}
	vx_tick(x, base_now_ms());
	ds_comp_repaint(comp, &wm);
	vx_painted(x);
out:
	vx_destroy(x);
	rp_conn_destroy(c);
	rp_conn_destroy(host);
	ds_comp_destroy(comp);
	ds_backend_destroy(b);
	return 0;
}
