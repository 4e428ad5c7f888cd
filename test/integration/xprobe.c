/* xprobe: a desk for the X session tests, without a display of its own.
 *
 *   xprobe SOCKET NAME STATEDIR   attach to X session NAME and draw its windows
 *                                 in memory; commands on standard input
 *   xprobe --compare A.ppm B.xwd  exit 0 if the pictures are equal pixel for
 *                                 pixel (the first difference said otherwise)
 *
 * While attached it keeps STATEDIR/windows: a line a window, bottom to top,
 * "ID X Y W H FLAGS UPDATES TITLE" (ID in hex as 0x...; UPDATES: whole
 * updates drawn), rewritten whole (rename) on every change, and acknowledges
 * each update (XACK). Commands, a line each:
 *
 *   dump ID FILE        the window's pixels as a PPM, written whole (rename)
 *   keymap              send the desk's keymap (xkbcommon's "us", or the layout
 *                       XPROBE_LAYOUT names) as XKEYMAP
 *   type ID TEXT        keys for TEXT (\n is Return) as XKEY, keycodes of that
 *                       keymap
 *   key ID KEYCODE      one keycode pressed and released
 *   click ID X Y [BTN]  pointer to X,Y in the window, button pressed, released
 *   move ID X Y W H     XCONFIGURE (move and size)
 *   acks off|on         stop acknowledging updates (XACK), as a desk that
 *                       has stopped drawing; on: each window's last update
 *                       acknowledged, and the ones after as they come
 *   close ID            XCLOSE
 *   focus ID            XFOCUS
 *   clip SEL TEXT       XCLIP: TEXT (\n a newline) as selection SEL (0, 1)
 *   clipfile SEL PATH   XCLIP: the file's bytes (at most RP_XCLIP_MAX_BYTES)
 *   raw TYPE HEX        a frame of TYPE with payload HEX on the X channel
 *   quit
 *
 * The host's selections (XCLIP) are written to STATEDIR/clip-SEL as they come,
 * the pointer's shape (XCURSOR) to STATEDIR/cursor as "SERIAL WxH". With
 * XPROBE_TIMING=1 in the environment it asks for TIMING and appends each
 * XTIMING to STATEDIR/timing: "SEQ ID" and its six instants (ns). With
 * XPROBE_LOSSY=1 it says it takes JPEG (RP_CAP_XLOSSY); it takes PALETTE
 * (RP_CAP_XPALETTE) unless XPROBE_PALETTE=0. With XPROBE_SHAPE=1 it says it
 * takes XSHAPE (RP_CAP_XSHAPE); every XSHAPE that comes (with or without)
 * is appended to STATEDIR/shapes: "ID KIND SHAPED N". STATEDIR/pixel-bytes
 * says how many bytes of XPIXELS payloads came, rewritten at each whole
 * update.
 * Errors from the host are printed on standard error as they come.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xkbcommon/xkbcommon.h>

#include "rp.h"
#include "rp_io.h"
#include "xwin.h"

#define MAX_WINS 256
#define PROBE_QUEUE_FRAMES (1 << 17) /* frames queued for the daemon, at most */

struct win {
	uint32_t id;
	struct rp_xwin m;
	char title[RP_MAX_STR + 1];
	uint32_t *px;
	uint16_t w, h;
	unsigned updates;
	uint32_t frame; /* of the last update drawn */
	bool used;
};

struct probe {
	struct rp_conn *c;
	uint16_t chan;
	const char *state;
	struct win w[MAX_WINS];
	unsigned order[MAX_WINS]; /* indexes, bottom to top */
	unsigned n;
	uint32_t seq;
	struct xkb_context *kctx;
	struct xkb_keymap *km;
	uint8_t shift;
	struct rp_xtext clip;
	bool noack; /* acks off */
	unsigned long long pixel_bytes; /* of XPIXELS payloads */
};

static struct win *find(struct probe *p, uint32_t id)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->w[p->order[i]].id == id)
			return &p->w[p->order[i]];
	return NULL;
}

static void write_state(struct probe *p)
{
	char tmp[600], path[600];
	FILE *f;

	snprintf(path, sizeof path, "%s/windows", p->state);
	snprintf(tmp, sizeof tmp, "%s/.windows.tmp", p->state);
	if (!(f = fopen(tmp, "w")))
		return;
	for (unsigned i = 0; i < p->n; i++) {
		struct win *w = &p->w[p->order[i]];
		fprintf(f, "0x%x %d %d %u %u %u %u %s\n", w->id, w->m.x, w->m.y, w->m.w, w->m.h,
			w->m.flags, w->updates, w->title);
	}
	fclose(f);
	rename(tmp, path);
	snprintf(path, sizeof path, "%s/pixel-bytes", p->state);
	snprintf(tmp, sizeof tmp, "%s/.pixel-bytes.tmp", p->state);
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "%llu\n", p->pixel_bytes);
	fclose(f);
	rename(tmp, path);
}

static void on_xwin(struct probe *p, const struct rp_xwin *m)
{
	struct win *w = find(p, m->id);
	unsigned i, at = p->n;

	if (!w) {
		for (i = 0; i < MAX_WINS && p->w[i].used; i++)
			;
		if (i == MAX_WINS)
			return;
		w = &p->w[i];
		memset(w, 0, sizeof *w);
		w->used = true;
		w->id = m->id;
		p->order[p->n++] = i;
	}
	/* Restack: right above m->above (0: the bottom). */
	for (i = 0; i < p->n; i++)
		if (&p->w[p->order[i]] == w)
			at = i;
	unsigned idx = p->order[at];
	memmove(p->order + at, p->order + at + 1, (p->n - at - 1) * sizeof p->order[0]);
	p->n--;
	unsigned pos = 0;
	for (i = 0; i < p->n; i++)
		if (p->w[p->order[i]].id == m->above)
			pos = i + 1;
	memmove(p->order + pos + 1, p->order + pos, (p->n - pos) * sizeof p->order[0]);
	p->order[pos] = idx;
	p->n++;
	w->m = *m;
	snprintf(w->title, sizeof w->title, "%.*s", (int)m->title.n, m->title.p);
	for (char *q = w->title; *q; q++)
		if ((unsigned char)*q < 0x20)
			*q = ' ';
	w->m.title.p = w->m.wm_class.p = w->m.icon_name.p = NULL;
	write_state(p);
}

static void on_gone(struct probe *p, uint32_t id)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct win *w = &p->w[p->order[i]];
		if (w->id != id)
			continue;
		free(w->px);
		w->used = false;
		memmove(p->order + i, p->order + i + 1, (p->n - i - 1) * sizeof p->order[0]);
		p->n--;
		break;
	}
	write_state(p);
}

/* A frame to the daemon. A test's desk may send thousands of clicks in a
 * burst to a daemon that reads them slowly (its display stopped): the
 * queue holds them all (PROBE_QUEUE_FRAMES), and one that does not fit
 * ends the probe loudly rather than being dropped unseen. */
static void conn_put(struct rp_conn *c, const uint8_t *f, size_t len)
{
	int r = rp_conn_send(c, f, len);

	if (r < 0) {
		fprintf(stderr, "xprobe: cannot queue a frame for the daemon: %s\n", strerror(-r));
		exit(1);
	}
}

static void send_ack(struct probe *p, const struct win *w)
{
	uint8_t f[64];
	long len = rp_xack_frame(f, sizeof f, p->chan, w->id, w->frame);

	if (len > 0)
		conn_put(p->c, f, (size_t)len);
}

static void on_pixels(struct probe *p, const uint8_t *b, size_t n)
{
	struct rp_xpix m;
	size_t off;
	char err[200];
	struct win *w;

	p->pixel_bytes += n;
	if (rp_xpix_decode(b, n, &m, &off) < 0) {
		fprintf(stderr, "xprobe: malformed XPIXELS\n");
		exit(1);
	}
	if (!(w = find(p, m.id)))
		return;
	if (m.w != w->w || m.h != w->h) {
		/* Kept pixels at the top left, the rest black (xwin.h). */
		uint32_t *px = calloc((size_t)m.w * m.h, 4);
		if (!px)
			exit(1);
		for (unsigned y = 0; y < m.h && y < w->h; y++)
			memcpy(px + (size_t)y * m.w, w->px + (size_t)y * w->w,
			       (size_t)(m.w < w->w ? m.w : w->w) * 4);
		free(w->px);
		w->px = px;
		w->w = m.w;
		w->h = m.h;
	}
	if (rp_xpix_apply(b + off, n - off, w->px, w->w, w->h, (size_t)w->w * 4, err, sizeof err) <
	    0) {
		fprintf(stderr, "xprobe: XPIXELS refused: %s\n", err);
		exit(1);
	}
	if (m.flags & RP_XPIX_LAST) {
		w->frame = m.frame;
		if (!p->noack)
			send_ack(p, w);
		w->updates++;
		write_state(p);
	}
}

static void dump(struct probe *p, uint32_t id, const char *file)
{
	struct win *w = find(p, id);
	char tmp[600];
	FILE *f;

	if (!w || !w->px) {
		fprintf(stderr, "xprobe: no pixels of window 0x%x\n", id);
		return;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	if (!(f = fopen(tmp, "wb")))
		return;
	fprintf(f, "P6\n%u %u\n255\n", w->w, w->h);
	for (size_t i = 0; i < (size_t)w->w * w->h; i++) {
		uint8_t rgb[3] = {(uint8_t)(w->px[i] >> 16), (uint8_t)(w->px[i] >> 8),
				  (uint8_t)w->px[i]};
		fwrite(rgb, 1, 3, f);
	}
	fclose(f);
	rename(tmp, file);
}

static int send_chunk(void *ctx, const uint8_t *frame, size_t len)
{
	conn_put(ctx, frame, len);
	return 0;
}

static void send_file(struct probe *p, uint8_t sel, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = malloc(RP_XCLIP_MAX_BYTES);
	size_t n = f && text ? fread(text, 1, RP_XCLIP_MAX_BYTES, f) : 0;

	if (!f || !text)
		fprintf(stderr, "xprobe: cannot read %s\n", path);
	else
		rp_xchunks_send(RP_XCLIP, p->chan, sel, text, (uint32_t)n, send_chunk, p->c);
	if (f)
		fclose(f);
	free(text);
}

static void keymap_load(struct probe *p)
{
	const char *layout = getenv("XPROBE_LAYOUT");
	struct xkb_rule_names names = {.rules = "evdev", .model = "pc105",
				       .layout = layout && *layout ? layout : "us"};

	p->kctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
	p->km = p->kctx ? xkb_keymap_new_from_names(p->kctx, &names, 0) : NULL;
	if (!p->km) {
		fprintf(stderr, "xprobe: no keymap for layout %s (xkbcommon)\n", names.layout);
		exit(1);
	}
	p->shift = (uint8_t)xkb_keymap_key_by_name(p->km, "LFSH");
}

static void send_key(struct probe *p, uint32_t id, uint8_t kc, bool down)
{
	struct rp_xkey k = {.seq = ++p->seq, .id = id, .keycode = kc, .pressed = down};
	uint8_t f[64];
	long len = rp_xkey_frame(f, sizeof f, p->chan, &k);

	if (len > 0)
		conn_put(p->c, f, (size_t)len);
}

/* The keycode and shift level of ch in the desk's keymap. */
static bool keycode_of(struct probe *p, uint32_t ch, uint8_t *kc, bool *shift)
{
	xkb_keysym_t want = ch == '\n' ? XKB_KEY_Return : xkb_utf32_to_keysym(ch);

	for (xkb_keycode_t k = 8; k < 256; k++)
		for (xkb_level_index_t l = 0; l < 2; l++) {
			const xkb_keysym_t *syms;
			int n = xkb_keymap_key_get_syms_by_level(p->km, k, 0, l, &syms);
			if (n == 1 && syms[0] == want) {
				*kc = (uint8_t)k;
				*shift = l == 1;
				return true;
			}
		}
	return false;
}

static void type(struct probe *p, uint32_t id, const char *text)
{
	for (const char *s = text; *s; s++) {
		uint32_t ch = (unsigned char)*s;
		uint8_t kc;
		bool shift;
		if (ch == '\\' && s[1] == 'n') {
			ch = '\n';
			s++;
		}
		if (!keycode_of(p, ch, &kc, &shift)) {
			fprintf(stderr, "xprobe: no key for '%c'\n", (int)ch);
			continue;
		}
		if (shift)
			send_key(p, id, p->shift, true);
		send_key(p, id, kc, true);
		send_key(p, id, kc, false);
		if (shift)
			send_key(p, id, p->shift, false);
	}
}

static void pointer(struct probe *p, uint32_t id, int x, int y, uint8_t kind, uint8_t button)
{
	struct rp_xpointer m = {++p->seq, id, (int16_t)x, (int16_t)y, kind, button};
	uint8_t f[64];
	long len = rp_xpointer_frame(f, sizeof f, p->chan, &m);

	if (len > 0)
		conn_put(p->c, f, (size_t)len);
}

static void command(struct probe *p, char *line)
{
	char what[32] = "", a[512] = "";
	unsigned id = 0;
	int x, y, w, h, n;

	line[strcspn(line, "\n")] = 0;
	if (sscanf(line, "%31s", what) != 1)
		return;
	if (!strcmp(what, "quit")) {
		rp_conn_flush_wait(p->c, 2000);
		exit(0);
	} else if (!strcmp(what, "dump") && sscanf(line, "%*s %x %511s", &id, a) == 2) {
		dump(p, id, a);
	} else if (!strcmp(what, "keymap")) {
		char *text = xkb_keymap_get_as_string(p->km, XKB_KEYMAP_FORMAT_TEXT_V1);
		if (text)
			rp_xchunks_send(RP_XKEYMAP, p->chan, 0, text, (uint32_t)strlen(text), send_chunk,
					p->c);
		free(text);
	} else if (!strcmp(what, "type") && sscanf(line, "%*s %x %n", &id, &n) == 1) {
		type(p, id, line + n);
	} else if (!strcmp(what, "key") && sscanf(line, "%*s %x %d", &id, &x) == 2) {
		send_key(p, id, (uint8_t)x, true);
		send_key(p, id, (uint8_t)x, false);
	} else if (!strcmp(what, "click") && sscanf(line, "%*s %x %d %d", &id, &x, &y) == 3) {
		int b = 1;
		sscanf(line, "%*s %*x %*d %*d %d", &b);
		pointer(p, id, x, y, RP_XPTR_MOTION, 0);
		pointer(p, id, x, y, RP_XPTR_PRESS, (uint8_t)b);
		pointer(p, id, x, y, RP_XPTR_RELEASE, (uint8_t)b);
	} else if (!strcmp(what, "move") &&
		   sscanf(line, "%*s %x %d %d %d %d", &id, &x, &y, &w, &h) == 5) {
		struct rp_xconfigure m = {id, RP_XCONF_MOVE | RP_XCONF_SIZE, (int16_t)x, (int16_t)y,
					  (uint16_t)w, (uint16_t)h};
		uint8_t f[64];
		long len = rp_xconfigure_frame(f, sizeof f, p->chan, &m);
		if (len > 0)
			conn_put(p->c, f, (size_t)len);
	} else if (!strcmp(what, "acks") && sscanf(line, "%*s %511s", a) == 1) {
		p->noack = strcmp(a, "on") != 0;
		for (unsigned i = 0; i < p->n && !p->noack; i++)
			if (p->w[p->order[i]].updates)
				send_ack(p, &p->w[p->order[i]]);
	} else if ((!strcmp(what, "close") || !strcmp(what, "focus")) &&
		   sscanf(line, "%*s %x", &id) == 1) {
		uint8_t f[64];
		long len = rp_xid_frame(f, sizeof f, what[0] == 'c' ? RP_XCLOSE : RP_XFOCUS,
					p->chan, id);
		if (len > 0)
			conn_put(p->c, f, (size_t)len);
	} else if (!strcmp(what, "clip") && sscanf(line, "%*s %u %n", &id, &n) == 1) {
		char text[1024];
		size_t k = 0;
		for (const char *q = line + n; *q && k < sizeof text - 1; q++) {
			if (q[0] == '\\' && q[1] == 'n') {
				text[k++] = '\n';
				q++;
			} else {
				text[k++] = *q;
			}
		}
		rp_xchunks_send(RP_XCLIP, p->chan, (uint8_t)id, text, (uint32_t)k, send_chunk, p->c);
	} else if (!strcmp(what, "clipfile") && sscanf(line, "%*s %u %511s", &id, a) == 2) {
		send_file(p, (uint8_t)id, a);
	} else if (!strcmp(what, "raw") && sscanf(line, "%*s %d %511s", &x, a) >= 1) {
		uint8_t f[RP_HDR_SIZE + 256];
		size_t len = 0;
		for (char *q = a; q[0] && q[1] && len < 256; q += 2)
			sscanf(q, "%2hhx", &f[RP_HDR_SIZE + len++]);
		rp_hdr_encode(f, (uint8_t)x, 0, p->chan, (uint32_t)len);
		conn_put(p->c, f, RP_HDR_SIZE + len);
	} else {
		fprintf(stderr, "xprobe: bad command: %s\n", line);
	}
}

static int frame(struct probe *p, const struct rp_hdr *h, const uint8_t *b)
{
	struct rp_xwin m;
	struct rp_error e;
	uint32_t id;

	switch (h->type) {
	case RP_XWIN:
		if (rp_xwin_decode(b, h->len, &m) < 0)
			return fprintf(stderr, "xprobe: malformed XWIN\n"), -1;
		on_xwin(p, &m);
		break;
	case RP_XGONE:
		if (rp_xid_decode(b, h->len, &id) < 0)
			return fprintf(stderr, "xprobe: malformed XGONE\n"), -1;
		on_gone(p, id);
		break;
	case RP_XPIXELS:
		on_pixels(p, b, h->len);
		break;
	case RP_XTIMING: {
		struct rp_xtiming t;
		char path[600];
		if (rp_xtiming_decode(b, h->len, &t) < 0)
			return fprintf(stderr, "xprobe: malformed XTIMING\n"), -1;
		snprintf(path, sizeof path, "%s/timing", p->state);
		FILE *f = fopen(path, "a");
		if (f) {
			fprintf(f, "%u 0x%x %llu %llu %llu %llu %llu %llu\n", t.seq, t.id,
				(unsigned long long)t.t_input, (unsigned long long)t.t_injected,
				(unsigned long long)t.t_damage, (unsigned long long)t.t_read,
				(unsigned long long)t.t_encoded, (unsigned long long)t.t_sent);
			fclose(f);
		}
		break;
	}
	case RP_XSHAPE: {
		struct rp_xshape m;
		char path[600];
		if (rp_xshape_decode(b, h->len, &m) < 0)
			return fprintf(stderr, "xprobe: malformed XSHAPE\n"), -1;
		snprintf(path, sizeof path, "%s/shapes", p->state);
		FILE *f = fopen(path, "a");
		if (f) {
			fprintf(f, "0x%x %u %d %u\n", m.id, m.kind, m.shaped, m.n);
			fclose(f);
		}
		break;
	}
	case RP_XCURSOR: {
		struct rp_xcursor c;
		char path[600], tmp[600];
		if (rp_xcursor_decode(b, h->len, &c) < 0)
			return fprintf(stderr, "xprobe: malformed XCURSOR\n"), -1;
		snprintf(path, sizeof path, "%s/cursor", p->state);
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%u %ux%u\n", c.serial, c.w, c.h);
			fclose(f);
			rename(tmp, path);
		}
		break;
	}
	case RP_XCLIP: {
		struct rp_xchunk c;
		if (rp_xchunk_decode(b, h->len, RP_XCLIP_MAX_BYTES, &c) < 0 ||
		    rp_xtext_add(&p->clip, &c) < 0)
			return fprintf(stderr, "xprobe: malformed XCLIP\n"), -1;
		if (p->clip.buf && p->clip.got == p->clip.total) {
			char path[600], tmp[600];
			snprintf(path, sizeof path, "%s/clip-%u", p->state, p->clip.sel);
			snprintf(tmp, sizeof tmp, "%s.tmp", path);
			FILE *f = fopen(tmp, "wb");
			if (f) {
				fwrite(p->clip.buf, 1, p->clip.total, f);
				fclose(f);
				rename(tmp, path);
			}
			rp_xtext_finish(&p->clip);
		}
		break;
	}
	case RP_ERROR:
		if (rp_error_decode(b, h->len, &e) == 0) {
			fprintf(stderr, "xprobe: error %u: %.*s\n", e.code, (int)e.msg.n, e.msg.p);
			fflush(stderr);
			if (h->flags & RP_F_FATAL)
				return -1;
		}
		break;
	case RP_EXIT:
		fprintf(stderr, "xprobe: the session ended\n");
		return -1;
	case RP_NOTICE: {
		struct rp_str t;
		if (rp_notice_decode(b, h->len, &t) == 0) {
			fprintf(stderr, "xprobe: notice: %.*s\n", (int)t.n, t.p);
			fflush(stderr);
		}
		break;
	}
	default:
		break; /* XCURSOR, XTIMING, ... */
	}
	return 0;
}

static int compare(const char *ppm, const char *xwd)
{
	FILE *a = fopen(ppm, "rb"), *b = fopen(xwd, "rb");
	unsigned aw, ah, maxv;
	uint8_t hd[100];

	if (!a || !b || fscanf(a, "P6 %u %u %u", &aw, &ah, &maxv) != 3 || fgetc(a) == EOF ||
	    fread(hd, 1, sizeof hd, b) != sizeof hd) {
		fprintf(stderr, "xprobe: cannot read %s or %s\n", ppm, xwd);
		return 2;
	}
#define BE32(o) ((uint32_t)hd[o] << 24 | (uint32_t)hd[o + 1] << 16 | (uint32_t)hd[o + 2] << 8 | hd[o + 3])
	uint32_t hsize = BE32(0), bw = BE32(16), bh = BE32(20), order = BE32(28), bpp = BE32(44),
		 bpl = BE32(48), ncolors = BE32(76);
	if (bpp != 32 || bw != aw || bh != ah || bpl < bw * 4) {
		fprintf(stderr, "xprobe: %s is %ux%u (%u bits), %s is %ux%u\n", xwd, bw, bh, bpp, ppm,
			aw, ah);
		return 1;
	}
	fseek(b, (long)hsize + (long)ncolors * 12, SEEK_SET);
	uint8_t *row = malloc(bpl);
	unsigned diff = 0;
	for (unsigned y = 0; y < bh; y++) {
		if (fread(row, 1, bpl, b) != bpl) {
			fprintf(stderr, "xprobe: %s is short\n", xwd);
			return 2;
		}
		for (unsigned x = 0; x < bw; x++) {
			uint8_t rgb[3];
			if (fread(rgb, 1, 3, a) != 3) {
				fprintf(stderr, "xprobe: %s is short\n", ppm);
				return 2;
			}
			const uint8_t *q = row + x * 4;
			uint32_t v = order ? (uint32_t)q[0] << 24 | q[1] << 16 | q[2] << 8 | q[3]
					   : (uint32_t)q[3] << 24 | q[2] << 16 | q[1] << 8 | q[0];
			uint32_t ours = (uint32_t)rgb[0] << 16 | rgb[1] << 8 | rgb[2];
			if ((v & 0xffffff) != ours && diff++ == 0)
				fprintf(stderr, "xprobe: first difference at %u,%u: %06x here, %06x in %s\n",
					x, y, ours, v & 0xffffff, xwd);
		}
	}
	free(row);
	fclose(a);
	fclose(b);
	if (diff)
		fprintf(stderr, "xprobe: %u pixels differ\n", diff);
	return diff != 0;
}

int main(int argc, char **argv)
{
	static struct probe p;
	struct rp_transport *t;
	uint8_t buf[RP_MAX_FRAME];
	struct rp_hdr h;
	const uint8_t *b;
	long n;
	char line[1024];
	size_t have = 0;

	if (argc == 4 && !strcmp(argv[1], "--compare"))
		return compare(argv[2], argv[3]);
	if (argc != 4) {
		fprintf(stderr, "usage: xprobe SOCKET NAME STATEDIR | --compare A.ppm B.xwd\n");
		return 2;
	}
	p.state = argv[3];
	keymap_load(&p);
	if (!(t = rp_transport_unix_connect(argv[1])) || !(p.c = rp_conn_create(t, PROBE_QUEUE_FRAMES, 64u << 20))) {
		perror("xprobe: connect");
		return 1;
	}
	const char *tm = getenv("XPROBE_TIMING"), *lossy = getenv("XPROBE_LOSSY"),
		   *pal = getenv("XPROBE_PALETTE"), *shape = getenv("XPROBE_SHAPE");
	n = rp_hello_frame(buf, sizeof buf,
			   RP_CAP_LINEMODE | RP_CAP_X11 | (tm && *tm == '1' ? RP_CAP_TIMING : 0) |
				   (lossy && *lossy == '1' ? RP_CAP_XLOSSY : 0) |
				   (pal && *pal == '0' ? 0 : RP_CAP_XPALETTE) |
				   (shape && *shape == '1' ? RP_CAP_XSHAPE : 0), "",
			   "xprobe");
	rp_conn_send(p.c, buf, (size_t)n);
	if (rp_conn_next_frame(p.c, &h, &b, 5000) != 1 || h.type != RP_HELLO) {
		fprintf(stderr, "xprobe: no HELLO\n");
		return 1;
	}
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	n = rp_open_frame(buf, sizeof buf, 1, RP_OPEN_ATTACH, argv[2], "", "", &ws, NULL, 0);
	rp_conn_send(p.c, buf, (size_t)n);
	if (rp_conn_next_frame(p.c, &h, &b, 5000) != 1 || h.type != RP_OK) {
		struct rp_error e;
		if (h.type == RP_ERROR && rp_error_decode(b, h.len, &e) == 0)
			fprintf(stderr, "xprobe: %.*s\n", (int)e.msg.n, e.msg.p);
		else
			fprintf(stderr, "xprobe: OPEN not answered\n");
		return 1;
	}
	p.chan = h.chan;
	write_state(&p);
	/* What came with the answer, already read. */
	while (rp_conn_frame(p.c, &h, &b) == 1)
		if (frame(&p, &h, b) < 0)
			return 1;
	for (;;) {
		struct pollfd pf[2] = {{rp_conn_fd(p.c), (short)(POLLIN | rp_conn_wevents(p.c)), 0},
				       {0, POLLIN, 0}};
		if (poll(pf, 2, 1000) < 0 && errno != EINTR)
			return 1;
		if (pf[0].revents & POLLOUT)
			rp_conn_flush(p.c);
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = rp_conn_read(p.c);
			if (r == 0 || (r < 0 && r != -EAGAIN)) {
				fprintf(stderr, "xprobe: connection closed\n");
				return 1;
			}
			int fr;
			while ((fr = rp_conn_frame(p.c, &h, &b)) == 1)
				if (frame(&p, &h, b) < 0)
					return 1;
			if (fr < 0)
				return 1;
		}
		if (pf[1].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(0, line + have, sizeof line - 1 - have);
			if (r <= 0) {
				rp_conn_flush_wait(p.c, 2000);
				return 0;
			}
			have += (size_t)r;
			line[have] = 0;
			char *nl;
			while ((nl = strchr(line, '\n'))) {
				*nl = 0;
				command(&p, line);
				have -= (size_t)(nl + 1 - line);
				memmove(line, nl + 1, have + 1);
			}
			if (have == sizeof line - 1)
				have = 0;
		}
		rp_conn_flush(p.c);
	}
}
