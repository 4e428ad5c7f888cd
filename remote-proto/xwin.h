/* remote-proto, X windows: the messages of an X session's channel and the
 * pixel codec both ends share.
 *
 * A desk that said HELLO with RP_CAP_X11 and opened (OPEN + ATTACH) an X
 * session gets one channel for the whole display: XWIN for every window
 * that is mapped (and again whenever its geometry, stacking or names
 * change), XGONE when it goes, XPIXELS for what changed in its pixels.
 * The desk sends keys as keycodes (after XKEYMAP), pointer events, and
 * requests (move/resize/raise, close politely, focus).
 *
 * Pixels: each window has a pixel buffer on the desk (x8r8g8b8 in host
 * byte order as pixman's PIXMAN_x8r8g8b8, width*height, stride w*4). An
 * update is a run of XPIXELS frames for one window; each frame carries
 * ops applied in order to that buffer (copy: a scroll of pixels the desk
 * has; fill: a solid rectangle; lz4/zstd/raw: a rectangle of pixels;
 * palette: a rectangle of few colours as indices into them, zstd);
 * the frame with RP_XPIX_LAST ends the update: the desk shows it then,
 * never half of one. An update's size (w, h) is the window's: when it
 * differs from the buffer the desk has, the buffer is resized first
 * (kept pixels at the top left, the rest black) and the host follows
 * with what changed.
 *
 * The encoder (host) keeps a shadow of what every desk has and sends only
 * what differs from it, so each update is encoded once and the same
 * frames go to every viewer; a viewer that is new or fell behind gets a
 * keyframe of the shadow (rp_xenc_keyframe) and then the shared updates.
 *
 * Bounds (PROTOCOL.md "X windows"): window sizes RP_XWIN_MAX_DIM, ops
 * within the window, an op's decompressed pixels at most
 * RP_XPIX_MAX_OP_PIXELS, strings RP_MAX_STR, a keymap RP_XKEYMAP_MAX_BYTES,
 * a clipboard text RP_XCLIP_MAX_BYTES, a cursor RP_XCURSOR_MAX_DIM square,
 * a shape RP_XSHAPE_MAX_RECTS rectangles inside its window.
 */
#ifndef RP_XWIN_H
#define RP_XWIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp.h"

#define RP_CAP_X11 0x40 /* HELLO: the desk draws X windows */

#define RP_XWIN_MAX_DIM 8192	     /* a window's width or height */
#define RP_XPIX_MAX_OP_PIXELS 65536  /* pixels of one lz4/zstd/raw op, decompressed */
#define RP_XKEYMAP_MAX_BYTES (1u << 20) /* a keymap's text, all its chunks */
#define RP_XCLIP_MAX_BYTES (16u << 20)	/* a selection's text, all its chunks */
#define RP_XCURSOR_MAX_DIM 256
/* A host sends a window's updates to a desk with fewer than this many of
 * them not yet acknowledged (XACK; PROTOCOL.md "Pacing"). */
#define RP_XUNACKED_MAX 3

/* XWIN flags */
#define RP_XWIN_OVERRIDE 0x01  /* override-redirect: a menu, tooltip; no frame */
#define RP_XWIN_TRANSIENT 0x02 /* a dialog of transient_for */
#define RP_XWIN_FOCUSED 0x04   /* has the host's input focus */
#define RP_XWIN_HINTS 0x08     /* min/max/inc/base are set (WM_NORMAL_HINTS) */
#define RP_XWIN_CAN_CLOSE 0x10 /* takes WM_DELETE_WINDOW (else XCLOSE kills the client) */
/* Whether its program asked for its place (WM_NORMAL_HINTS' USPosition or
 * PPosition): POSITIONED, x, y are its own; WM_PLACES, the desk's window
 * manager places it. A host sends one of them for a window that is not
 * override-redirect; neither (a host before them): the desk guesses. */
#define RP_XWIN_POSITIONED 0x20
#define RP_XWIN_WM_PLACES 0x40
/* The host does not read its pixels: its picture would pass the host's
 * bound of pixels held (xdisplay's XD_PIXELS_SCREENS), until others close
 * or shrink. Told again without it when it is read again. A desk before
 * it ignores the bit (and shows an empty window). */
#define RP_XWIN_OVER_BOUND 0x80
/* Its program asked for the full screen (_NET_WM_STATE_FULLSCREEN): the
 * host spans its screen with it, and a seamless desk asks its window
 * manager for the same. A desk before it ignores the bit (the window
 * comes at the host's screen's size, framed). */
#define RP_XWIN_FULLSCREEN 0x100
/* Its program asked to be maximized (_NET_WM_STATE_MAXIMIZED_VERT and
 * _HORZ): as FULLSCREEN, the desk's window manager asked to maximize it. */
#define RP_XWIN_MAXIMIZED 0x200
/* Its program asked for no decorations (_MOTIF_WM_HINTS: it draws its own
 * title bar, a GTK header bar, or none): a seamless desk asks its window
 * manager for none too. A desk before it ignores the bit (two title bars). */
#define RP_XWIN_UNDECORATED 0x400
/* HELLO, both ways: each window of LIST_REPLY's X part ends with u16
 * flags, its XWIN's (RP_XWIN_OVER_BOUND: telly ls says so), when both
 * said it. */
#define RP_CAP_XBOUND 0x10000
/* HELLO, both ways: the desk wants what the X session's first program
 * writes to its stdout and stderr (XOUTPUT), as ssh -X prints it; a host
 * with it sends XOUTPUT to such a desk. */
#define RP_CAP_XOUTPUT 0x40000
/* HELLO, both ways: the desk weighs the host's selections against its
 * own when it attaches or resumes (XCLIPAGE before each XCLIP then). */
#define RP_CAP_XCLIPAGE 0x80000
/* HELLO, both ways: the host tells the desk (XLASTS) whether the X
 * session now lasts only because the desk views it (its programs ended,
 * a client of theirs holds a copy and this is its only view), so that
 * telly x says the truth when it leaves. */
#define RP_CAP_XLASTS 0x200000
/* HELLO, both ways: the desk takes XMOVERESIZE (a program's drag of its
 * own window, EWMH's _NET_WM_MOVERESIZE: a GTK header bar's), and has
 * its window manager move or resize the window. */
#define RP_CAP_XMOVERESIZE 0x400000
#define RP_XMOVERESIZE_MAX_DIR 10 /* EWMH's directions: 0..7 edges, 8 move, 9, 10 by keyboard */
/* HELLO, both ways: XKEY carries the desk's locked modifiers (CapsLock,
 * NumLock) and locked layout group at that key, and the host makes its
 * display's the same before it puts the key in (RP_XKEY_LOCKS). */
#define RP_CAP_XLOCKS 0x800000

/* A window's size hints (its program's WM_NORMAL_HINTS), in pixels;
 * 0: not set. XWIN carries them; the seamless desk gives them to its
 * window manager as they are. */
struct rp_xhints {
	uint16_t min_w, min_h, max_w, max_h, inc_w, inc_h, base_w, base_h;
};

/* XWIN: a mapped window, its place and names (host→desk). */
struct rp_xwin {
	uint32_t id;		/* the host's X window id; never 0 */
	uint32_t transient_for; /* 0: none */
	uint32_t above;		/* stacked right above this one; 0: at the bottom */
	int16_t x, y;		/* on the host's screen */
	uint16_t w, h;		/* 1..RP_XWIN_MAX_DIM */
	uint16_t flags;
	struct rp_xhints size;
	struct rp_str title, wm_class, icon_name; /* UTF-8, any may be empty */
};

/* XPIXELS ops */
enum rp_xop {
	RP_XOP_COPY = 1, /* sx, sy, x, y, w, h: pixels already in the buffer move */
	RP_XOP_FILL = 2, /* x, y, w, h, u32 pixel */
	RP_XOP_LZ4 = 3,	 /* x, y, w, h, u32 len, len bytes: one lz4 block of w*h*4 */
	RP_XOP_ZSTD = 4, /* x, y, w, h, u32 len, len bytes: one zstd frame of w*h*4 */
	RP_XOP_RAW = 5,	 /* x, y, w, h, then w*h*4 bytes */
	RP_XOP_JPEG = 6, /* x, y, w, h, u32 len, len bytes: a baseline JPEG of w x h (lossy) */
	/* x, y, w, h, u8 n-1, n u32 pixels, u32 len, len bytes: one zstd
	 * frame of w x h indices into the n colours, rows packed MSB first
	 * at 1, 2, 4 or 8 bits (n up to 2, 4, 16, 256), each row whole bytes */
	RP_XOP_PALETTE = 7,
};
#define RP_CAP_XLOSSY 0x100 /* HELLO: the desk takes RP_XOP_JPEG (video-like regions) */
#define RP_CAP_XPALETTE 0x200 /* HELLO: the desk takes RP_XOP_PALETTE */

#define RP_XPIX_LAST 0x01 /* XPIXELS flags: this frame ends the update */

/* XPIXELS head (then ops to the end of the payload). */
struct rp_xpix {
	uint32_t id;	/* window */
	uint32_t frame; /* update number, per window, from 1 */
	uint32_t ack;	/* last XKEY/XPOINTER seq injected before these pixels were read */
	uint16_t w, h;	/* the window's size in this update */
	uint8_t flags;
};

/* XKEY / XPOINTER (desk→host). */
#define RP_XPTR_MOTION 0
#define RP_XPTR_PRESS 1
#define RP_XPTR_RELEASE 2
#define RP_XKEY_GROUP_MAX 3 /* XKB has 4 layout groups, 0..3 */
struct rp_xkey {
	uint32_t seq, id; /* id: the window the key was typed into (focus follows) */
	uint8_t keycode;  /* in the desk's keymap (XKEYMAP) */
	bool pressed;
	/* RP_CAP_XLOCKS: the desk's locked state at this key, sent (and
	 * decoded) only when locks is true; the masks are the keymap's. */
	bool locks;
	uint8_t locked_mods;  /* XKB's locked modifier mask */
	uint8_t locked_group; /* 0..RP_XKEY_GROUP_MAX */
};
struct rp_xpointer {
	uint32_t seq, id;
	int16_t x, y;	/* window-relative */
	uint8_t kind;	/* RP_XPTR_* */
	uint8_t button; /* 1..9 (4/5 wheel up/down, 6/7 left/right); 0 for motion */
};

/* XCONFIGURE (desk→host): the desk moved, resized or raised a window. */
#define RP_XCONF_MOVE 0x01
#define RP_XCONF_SIZE 0x02
#define RP_XCONF_RAISE 0x04
struct rp_xconfigure {
	uint32_t id;
	uint8_t what; /* RP_XCONF_* */
	int16_t x, y;
	uint16_t w, h;
};

/* XCURSOR (host→desk): the pointer's shape, ARGB premultiplied, raw. */
struct rp_xcursor {
	uint32_t serial; /* XFixes cursor serial: the desk may cache by it */
	uint16_t w, h, xhot, yhot;
	const uint8_t *argb; /* w*h*4 bytes, in the frame */
};

/* XSHAPE (host→desk, to a desk with RP_CAP_XSHAPE): a window's bounding
 * shape (what of it is drawn) or input shape (where it takes the
 * pointer), as rectangles inside w x h, the window's size when the shape
 * was read. Not shaped: the whole window, no rectangles (a window that
 * unshapes goes back to its rectangle). Shaped with no rectangles: none
 * of it (an input shape that lets every click through). */
#define RP_XSHAPE_BOUNDING 0
#define RP_XSHAPE_INPUT 1
#define RP_XSHAPE_MAX_RECTS 4096 /* more: the host sends the bounding box */
struct rp_xshape_rect {
	uint16_t x, y, w, h; /* w, h >= 1, x + w <= the window's w, y + h <= its h */
};
struct rp_xshape {
	uint32_t id;
	uint8_t kind; /* RP_XSHAPE_* */
	bool shaped;
	uint16_t w, h;
	uint16_t n; /* 0..RP_XSHAPE_MAX_RECTS; 0 when not shaped */
	const struct rp_xshape_rect *rects; /* encoder: n of them */
	const uint8_t *wire;		    /* decoder: n x 8 bytes, in the frame (rp_xshape_rect_at) */
};

/* XCLIP (both ways) and XKEYMAP (desk→host): text in chunks; the first
 * chunk says the total, the one that completes it is acted on. */
#define RP_XSEL_CLIPBOARD 0
#define RP_XSEL_PRIMARY 1
struct rp_xchunk {
	uint8_t sel;	/* XCLIP: RP_XSEL_*; XKEYMAP: 0 */
	uint32_t total; /* bytes of the whole text */
	uint32_t off;	/* where this chunk goes */
	const uint8_t *p;
	uint32_t n;
};

/* XTIMING (host→desk, to a desk with RP_CAP_TIMING): where one input's
 * time went on the host (CLOCK_MONOTONIC ns). */
struct rp_xtiming {
	uint32_t seq, id;
	uint64_t t_input, t_injected, t_damage, t_read, t_encoded, t_sent;
};

/* XOUTPUT (host→desk, to a desk with RP_CAP_XOUTPUT): bytes the session's
 * first program wrote to one of its streams, in order, at offset: the
 * bytes of that stream before them on this channel (from 0 at its OK).
 * A desk prints each byte once: what it has is not printed again (a
 * resume sends what may have been lost on the way), and a gap is bytes
 * the host let go (rp_xoutput_place). */
#define RP_XOUT_STDOUT 1
#define RP_XOUT_STDERR 2
#define RP_XOUTPUT_MAX 16384 /* bytes of one XOUTPUT */
struct rp_xoutput {
	uint8_t stream; /* RP_XOUT_* */
	uint64_t offset;
	const uint8_t *p;
	uint32_t n; /* 0..RP_XOUTPUT_MAX */
};
/* A desk that has *got bytes of m's stream (printed, or told let go):
 * how many of m's bytes it had already (skip them; at most m->n), and in
 * *gap how many before m it never got (the host let them go: said as
 * such); *got then counts m's too. A resume's RESUME says the sum of
 * both streams' got (PROTOCOL.md). */
uint32_t rp_xoutput_place(uint64_t *got, const struct rp_xoutput *m, uint64_t *gap);

/* Decoders: 0 or -EPROTO (a field overruns, a bound is broken, bytes
 * left over). Strings and byte runs point into the frame. */
int rp_xwin_decode(const uint8_t *p, size_t n, struct rp_xwin *m);
int rp_xid_decode(const uint8_t *p, size_t n, uint32_t *id); /* XGONE, XCLOSE, XFOCUS */
int rp_xpix_decode(const uint8_t *p, size_t n, struct rp_xpix *m, size_t *ops_off);
int rp_xkey_decode(const uint8_t *p, size_t n, struct rp_xkey *m);
int rp_xpointer_decode(const uint8_t *p, size_t n, struct rp_xpointer *m);
int rp_xconfigure_decode(const uint8_t *p, size_t n, struct rp_xconfigure *m);
int rp_xcursor_decode(const uint8_t *p, size_t n, struct rp_xcursor *m);
int rp_xchunk_decode(const uint8_t *p, size_t n, uint32_t max_total, struct rp_xchunk *m);
int rp_xack_decode(const uint8_t *p, size_t n, uint32_t *id, uint32_t *frame); /* XACK */
int rp_xtiming_decode(const uint8_t *p, size_t n, struct rp_xtiming *m);
int rp_xshape_decode(const uint8_t *p, size_t n, struct rp_xshape *m);
/* Rectangle i (< m->n) of a decoded XSHAPE (checked by the decoder). */
struct rp_xshape_rect rp_xshape_rect_at(const struct rp_xshape *m, uint16_t i);
int rp_xoutput_decode(const uint8_t *p, size_t n, struct rp_xoutput *m);
/* XCLIPAGE: selection 0 or 1, age_ms any. */
int rp_xclipage_decode(const uint8_t *p, size_t n, uint8_t *sel, uint32_t *age_ms);
/* XLASTS: ends 0 or 1 (1: the session ends when this desk leaves, with
 * status, an exit code or 128 + signal; 0: it does not, status 0). */
int rp_xlasts_decode(const uint8_t *p, size_t n, bool *ends, int32_t *status);
/* XMOVERESIZE: id not 0, direction 0..RP_XMOVERESIZE_MAX_DIR, button 1..5. */
int rp_xmoveresize_decode(const uint8_t *p, size_t n, uint32_t *id, uint8_t *dir, uint8_t *button);
/* XSCREEN: any sizes (the host checks RP_X_SCREEN_MIN..MAX: ERROR LIMIT). */
int rp_xscreen_decode(const uint8_t *p, size_t n, uint16_t *w, uint16_t *h);

/* Encoders: the whole frame into buf; its length or -EMSGSIZE. */
long rp_xwin_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xwin *m);
long rp_xid_frame(uint8_t *buf, size_t cap, uint8_t type, uint16_t chan, uint32_t id);
long rp_xkey_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xkey *m);
long rp_xpointer_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xpointer *m);
long rp_xconfigure_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xconfigure *m);
long rp_xcursor_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xcursor *m);
/* XCLIP or XKEYMAP chunks of text: calls send for each frame in turn;
 * 0, or the first negative send returned. */
int rp_xchunks_send(uint8_t type, uint16_t chan, uint8_t sel, const void *text, uint32_t n,
		    int (*send)(void *ctx, const uint8_t *frame, size_t len), void *ctx);
long rp_xack_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t id, uint32_t frame);
long rp_xtiming_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xtiming *m);
long rp_xoutput_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xoutput *m);
long rp_xscreen_frame(uint8_t *buf, size_t cap, uint16_t chan, uint16_t w, uint16_t h);
long rp_xclipage_frame(uint8_t *buf, size_t cap, uint16_t chan, uint8_t sel, uint32_t age_ms);
long rp_xlasts_frame(uint8_t *buf, size_t cap, uint16_t chan, bool ends, int32_t status);
long rp_xmoveresize_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t id, uint8_t dir,
			  uint8_t button);
/* -EINVAL for a shape the decoder would refuse. */
long rp_xshape_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xshape *m);

/* Reassembling chunked text (XCLIP, XKEYMAP) on the receiving side. */
struct rp_xtext {
	uint8_t *buf;
	uint32_t total, got;
	uint8_t sel;
};
/* 1 when the text is whole (t->buf, t->total: it; the caller takes buf and
 * zeroes t), 0 when more is to come, -EPROTO for a chunk out of order or
 * out of bounds (t is reset), -ENOMEM. */
int rp_xtext_add(struct rp_xtext *t, const struct rp_xchunk *c);
void rp_xtext_finish(struct rp_xtext *t);

/* ---- the pixel codec ---- */

/* Apply one XPIXELS frame's ops (p, n: the payload after the head,
 * ops_off on) to a window's pixels (w x h, stride in bytes, as the head
 * said). 0, or -EPROTO with what was wrong in err (an op outside the
 * window, a block that does not decompress to exactly w*h*4, an unknown
 * op); ops before the bad one stay applied. */
int rp_xpix_apply(const uint8_t *ops, size_t n, uint32_t *pixels, uint16_t w, uint16_t h,
		  size_t stride, char *err, size_t errn);

/* What a desk keeps from one update to the next to apply them: zstd's
 * decoder and a block's buffer, made when first needed rather than for
 * every frame (a fresh zstd context costs more than decoding the few
 * hundred bytes of a keystroke's answer). One serves any number of
 * windows, one frame at a time. */
struct rp_xdec;
struct rp_xdec *rp_xdec_create(void);
void rp_xdec_destroy(struct rp_xdec *d); /* takes NULL */
/* rp_xpix_apply with d's context (NULL: one for this call alone). */
int rp_xpix_apply_with(struct rp_xdec *d, const uint8_t *ops, size_t n, uint32_t *pixels,
		       uint16_t w, uint16_t h, size_t stride, char *err, size_t errn);

/* The host's encoder of one window. */
struct rp_xenc;

/* One XPIXELS payload (no header: each viewer's goes before the same
 * bytes, rp_hdr_encode(RP_XPIXELS, 0, its channel, len)); at most
 * RP_MAX_PAYLOAD bytes. */
typedef int (*rp_xenc_emit_fn)(void *ctx, const uint8_t *payload, size_t len);

struct rp_xenc *rp_xenc_create(uint32_t id, uint16_t w, uint16_t h);
void rp_xenc_destroy(struct rp_xenc *e); /* takes NULL */

/* Encode what changed: pixels is the window's whole picture now (w x h,
 * stride bytes a row; w, h may differ from the last call: a resize);
 * damage is where it may have changed (nrects boxes x, y, w, h; NULL:
 * anywhere). Compares 64x64 tiles by hash against the shadow, detects
 * vertical scrolls (sent as COPY), solid tiles (FILL), sends the rest
 * as PALETTE when it has at most 256 colours (text: the changed tiles of
 * a column of rows in one op), else lz4 (small areas) or zstd (large).
 * Emits XPIXELS payloads, the last with RP_XPIX_LAST; nothing if
 * nothing changed, but for the window's first update, which always goes
 * (a picture all black, as the shadow starts, as an update of no ops). ack: the input these pixels answer. Returns frames
 * emitted, or a negative emit's result / -ENOMEM. PALETTE only once
 * rp_xenc_palette turned it on. */
struct rp_xrect {
	int32_t x, y, w, h;
};
int rp_xenc_update(struct rp_xenc *e, const uint32_t *pixels, uint16_t w, uint16_t h,
		   size_t stride, const struct rp_xrect *damage, size_t nrects, uint32_t ack,
		   rp_xenc_emit_fn emit, void *ctx);
/* The whole shadow as one update, for a desk that is new or fell behind. */
int rp_xenc_keyframe(struct rp_xenc *e, uint32_t ack, rp_xenc_emit_fn emit, void *ctx);

/* Lossy for video: quality 1..100 lets tiles that change like video
 * (several changes in a row, 10 a second or more, many colours: never
 * text) go as JPEG; 0 (the default) never. Only for windows whose every
 * desk said RP_CAP_XLOSSY. rp_xenc_clock gives the encoder the time
 * (ms, any origin, wrapping) before each update. A tile sent lossy is
 * sent again losslessly once still for a while: rp_xenc_refresh_in says
 * in how many ms (-1: nothing owed), rp_xenc_refresh sends what is due
 * (frames emitted, 0 for none). The encoder keeps the earliest due time
 * as tiles go lossy, change and are refreshed: asking costs no scan of
 * the tiles, save once after the oldest lossy tiles all went (then it
 * looks for the next oldest, counted in stats' due_scans). */
void rp_xenc_lossy(struct rp_xenc *e, int quality);
/* PALETTE ops (few colours: text, flat UI) on or off (the default): only
 * for windows whose every desk said RP_CAP_XPALETTE; off, those regions
 * go as lz4/zstd. */
void rp_xenc_palette(struct rp_xenc *e, bool on);
void rp_xenc_clock(struct rp_xenc *e, uint32_t now_ms);
long rp_xenc_refresh_in(struct rp_xenc *e, uint32_t now_ms);
/* The same found by looking at every tile (what tests compare with). */
long rp_xenc_refresh_in_scan(const struct rp_xenc *e, uint32_t now_ms);
int rp_xenc_refresh(struct rp_xenc *e, uint32_t now_ms, uint32_t ack, rp_xenc_emit_fn emit,
		    void *ctx);

/* What the encoder did (bench and tests). */
struct rp_xenc_stats {
	uint64_t updates, frames, bytes;
	uint64_t tiles_same, tiles_fill, tiles_copy, tiles_lz4, tiles_zstd, tiles_raw;
	uint64_t tiles_jpeg, refreshes, tiles_palette;
	uint64_t due_scans; /* rp_xenc_refresh_in looked at every tile */
	/* bytes of each kind of op, its code and fields included (what is
	 * left of bytes: the frames' heads) */
	uint64_t bytes_op[RP_XOP_PALETTE + 1];
};
void rp_xenc_stats(const struct rp_xenc *e, struct rp_xenc_stats *out);

#endif
