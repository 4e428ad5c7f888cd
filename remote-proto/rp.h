/* remote-proto: the wire format between the desk and the host.
 *
 * The codec is pure: it reads and writes caller buffers and does no I/O, so
 * both sides share it and the fuzzer drives it directly. Every frame is an
 * 8-byte header (type, flags, channel, payload length; big-endian) and at
 * most RP_MAX_PAYLOAD bytes of payload. A decoder checks every length
 * before it reads. PROTOCOL.md is the specification; this is its code.
 */
#ifndef RP_H
#define RP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kpty.h"

#define RP_VERSION 1
#define RP_HDR_SIZE 8
#define RP_MAX_PAYLOAD 65536
#define RP_MAX_FRAME (RP_HDR_SIZE + RP_MAX_PAYLOAD)
#define RP_MAX_STR 4096 /* any string field */
#define RP_MAX_ARGS 64  /* argv of a new session */
#define RP_MAX_NAME 64  /* session names */
/* A window's size in cells, on the wire and on every pty telly sets: a
 * screen model costs memory in proportion (a 2000x2000 desk took the host
 * daemon from 15 MB to 202 MB), so anything larger is clamped. */
#define RP_MAX_ROWS 500
#define RP_MAX_COLS 1000

enum rp_type {
	RP_HELLO = 1,
	RP_ERROR = 2,
	RP_OK = 3,
	RP_LIST = 4,
	RP_LIST_REPLY = 5,
	RP_OPEN = 6,
	RP_KILL = 7,
	RP_STOP = 8,
	RP_INPUT = 16,
	RP_OUTPUT = 17,
	RP_TERMIOS = 18,
	RP_WINSIZE = 19,
	RP_SIGNAL = 20,
	RP_ECHO = 21,
	RP_SNAPSHOT = 22,
	RP_EXIT = 23,
	RP_DETACH = 24,
	RP_HANDOFF = 25,
	RP_TIMING = 26,
	RP_BREAK = 27,    /* desk→host: a serial break on a console */
	RP_TAKEOVER = 28, /* desk→host: become the console's writer */
	RP_NOTICE = 29,   /* host→desk: a line for the person (writer changes, ...) */
	RP_OUTPUT_LZ4 = 30, /* host→desk: OUTPUT with its bytes lz4-compressed (cap LZ4) */
	RP_CONTEXT = 31,  /* host→desk: termios bits and foreground program (cap CONTEXT) */
	RP_CONSUMED = 32, /* host→desk: input up to seq read, the program waits again (cap CONTEXT) */
	RP_DIRECT = 33,	  /* desk→host: a one-time secret for the direct transport, answered by OK */
	/* The link (cap RESUME): heartbeat, and channels resumed on a new connection */
	RP_PING = 34,	 /* desk→host: u64 stamp, answered at once by PONG */
	RP_PONG = 35,	 /* host→desk: the PING's stamp */
	RP_TOKEN = 36,	 /* host→desk: the channel's resume token, after OK */
	RP_RESUME = 37,	 /* desk→host: a channel again, from what the desk got and sent */
	RP_RESUMED = 38, /* host→desk: what the host took, and where output goes on */
	RP_SYNC = 39,	 /* host→desk: the offset of the next output byte (a redraw follows) */
	/* X windows (xwin.h; a desk with RP_CAP_X11 on an X session's channel) */
	RP_XWIN = 40,	    /* host→desk: a window is mapped, or its place or names changed */
	RP_XGONE = 41,	    /* host→desk: a window is gone */
	RP_XPIXELS = 42,    /* host→desk: ops on one window's pixels */
	RP_XCURSOR = 43,    /* host→desk: the pointer's shape */
	RP_XCLIP = 44,	    /* both ways: a selection's text, in chunks */
	RP_XKEY = 45,	    /* desk→host: a key as a keycode of the desk's keymap */
	RP_XPOINTER = 46,   /* desk→host: motion, button press or release */
	RP_XCONFIGURE = 47, /* desk→host: move, resize or raise a window */
	RP_XCLOSE = 48,	    /* desk→host: close a window politely */
	RP_XKEYMAP = 49,    /* desk→host: the desk's xkb keymap, as text, in chunks */
	RP_XACK = 50,	    /* desk→host: an update drawn (frame pacing) */
	RP_XTIMING = 51,    /* host→desk: where one input's time went */
	RP_XFOCUS = 52,	    /* desk→host: give a window the input focus */
	RP_XSCREEN = 53,    /* desk→host: the desk's screen changed: the display's new size */
	RP_TERMIOS_SEEN = 54, /* desk→host: a marked TERMIOS taken (cap RETYPE) */
	RP_XSHAPE = 55,	      /* host→desk: a window's shape (X SHAPE), cap XSHAPE */
	RP_XOUTPUT = 56,      /* host→desk: what the first program printed, cap XOUTPUT */
	RP_XCLIPAGE = 57,     /* host→desk: how old the host's selection that follows is, cap XCLIPAGE */
	RP_XLASTS = 58,	      /* host→desk: whether the session ends when this desk leaves, cap XLASTS */
	RP_XMOVERESIZE = 59,  /* host→desk: a window's program asks to be moved by the pointer, cap XMOVERESIZE */
};

/* Header flags. */
#define RP_F_FATAL 0x01 /* ERROR: the sender closes the connection after it */

/* Capabilities (HELLO). */
#define RP_CAP_LINEMODE 0x01 /* the desk runs the discipline under EXTPROC */
#define RP_CAP_TIMING 0x02   /* the desk wants TIMING after each answered key */
#define RP_CAP_LZ4 0x04      /* the desk takes OUTPUT_LZ4 */
#define RP_CAP_CONTEXT 0x08  /* the desk predicts: CONTEXT and CONSUMED */
#define RP_CAP_RESUME 0x10   /* PING/PONG, channels that outlive their connection */
/* The desk types again the raw keys that reach the host after the program
 * went canonical (TERMIOS carries seq and mark; TERMIOS_SEEN). */
#define RP_CAP_RETYPE 0x400
/* The desk takes ERROR RP_E_ENDED + status for a session that just ended
 * (else NOENT): `telly x` exits with its program's status, as ssh -X. */
#define RP_CAP_ENDED 0x800
/* RESUME may carry the desk's kept frames right behind it, on a channel
 * number it names; the host takes those it did not take before the link
 * went and drops the rest (PROTOCOL.md, "RESUME ahead"). */
#define RP_CAP_AHEAD 0x1000
/* The host answers an OPEN that creates a session once its program's exec
 * said it runs, and an X session's once its display is up as well (an
 * older host answered an X session's OPEN at once: telly new --x11 asks
 * it LIST until the display is up). */
#define RP_CAP_STARTED 0x2000
/* With AHEAD: behind an X channel's RESUME ahead the run carries its
 * XKEY and XPOINTER frames (placed by their seq, as an INPUT is) and the
 * XKEYMAP chunks they were typed with (always handled, never placed);
 * an older host would end the run at the first of them and take them
 * all, those it had taken before too. */
#define RP_CAP_XAHEAD 0x4000
/* The host keeps an X channel's keymap while the channel waits for its
 * desk (an orphan): a desk that resumes it with the keymap the host is
 * proven to have whole need not send it again; an older host forgets it
 * with the link and would read the keys in the display's. */
#define RP_CAP_XKEPT 0x8000
/* The desk takes XSHAPE: windows that are not rectangles (X SHAPE: xeyes,
 * splash screens) are shaped on it; an older desk shows the rectangle. */
#define RP_CAP_XSHAPE 0x20000
/* The host reads OPEN's more flags (RP_OPEN_MORE_*), a u8 after every
 * other field; an older host refuses an OPEN longer than its fields. */
#define RP_CAP_OPENMORE 0x100000

/* The most bytes for the screen one OUTPUT carries (after its u32 ack). */
#define RP_MAX_OUTPUT (RP_MAX_PAYLOAD - 4)

/* OPEN flags. */
#define RP_OPEN_CREATE 0x01   /* create the session if it does not exist */
#define RP_OPEN_EXCL 0x02     /* fail if it exists (telly new) */
#define RP_OPEN_ATTACH 0x04   /* attach a channel to it */
#define RP_OPEN_READONLY 0x08 /* the channel may not send input */
#define RP_OPEN_X11 0x10     /* with CREATE: an X session (a display) running argv */
#define RP_OPEN_RUN 0x20     /* start argv in the X session name (no channel) */
#define RP_OPEN_DISPLAY 0x40 /* with CREATE: a str follows argv, the X session whose display it gets */
#define RP_OPEN_SCREEN 0x80  /* with X11: the winsize's pixels are the display's size */
/* OPEN's more flags (the u8 after every other field, to a host with
 * RP_CAP_OPENMORE). VIEW with X11 and CREATE: a view follows (telly x),
 * its output kept for it: the session waits for it before it ends. */
#define RP_OPEN_MORE_VIEW 0x01
#define RP_X_SCREEN_MIN 64   /* an X display's width and height, in pixels */
#define RP_X_SCREEN_MAX 8192

/* ERROR codes. */
enum rp_err {
	RP_E_PROTO = 1,   /* malformed frame */
	RP_E_VERSION = 2, /* no common version */
	RP_E_AUTH = 3,    /* missing or wrong token */
	RP_E_UNKNOWN = 4, /* unknown message type (not fatal) */
	RP_E_NOENT = 5,   /* no such session */
	RP_E_EXIST = 6,   /* session exists */
	RP_E_READONLY = 7,
	RP_E_SPAWN = 8,   /* the program could not be started */
	RP_E_LIMIT = 9,   /* too many sessions, channels, ... */
	RP_E_CHANNEL = 10, /* no such channel */
	/* no such session: it ended with status code - RP_E_ENDED (0-255),
	 * to a desk with RP_CAP_ENDED; others get NOENT */
	RP_E_ENDED = 0x100
};

/* No such session, whether or not its end is known. */
static inline bool rp_err_noent(uint16_t code)
{
	return code == RP_E_NOENT || (code >= RP_E_ENDED && code <= RP_E_ENDED + 255);
}

struct rp_hdr {
	uint8_t type, flags;
	uint16_t chan;
	uint32_t len;
};

/* A string field: length-prefixed (u16), not NUL-terminated on the wire.
 * Decoded strings point into the frame. */
struct rp_str {
	const char *p;
	uint16_t n;
};

struct rp_hello {
	uint16_t version;
	uint32_t caps;
	struct rp_str token, name;
};

struct rp_error {
	uint16_t code;
	uint32_t req;
	struct rp_str msg;
};

struct rp_open {
	uint32_t req;
	uint8_t flags;
	struct rp_str name, term, cwd; /* empty term, cwd: the host's default */
	struct kpty_winsize ws;
	uint16_t argc;
	struct rp_str argv[RP_MAX_ARGS];
	struct rp_str display; /* RP_OPEN_DISPLAY: an X session's name */
	uint8_t more;	       /* RP_OPEN_MORE_* (0: none said) */
};

struct rp_session_info {
	struct rp_str name, cmd;
	uint32_t pid;
	uint16_t rows, cols, viewers;
};

/* Payload views of the per-channel messages. */
struct rp_data {
	uint32_t seq; /* INPUT: its sequence number; OUTPUT: last input written before it */
	const uint8_t *p;
	uint32_t n;
};

/* TIMING: where the host spent the time of one key (CLOCK_MONOTONIC ns
 * of the host): the INPUT frame handled, its bytes written into the pty,
 * the pty read that brought the answer, the OUTPUT queued. */
struct rp_timing {
	uint32_t seq;
	uint64_t t_input, t_written, t_read, t_sent;
};

/* The link (RP_CAP_RESUME): a channel's token, RESUME and RESUMED. */
#define RP_TOKEN_BYTES 16
struct rp_resume {
	uint32_t req;
	struct rp_str name;		/* the session */
	const uint8_t *token;		/* RP_TOKEN_BYTES, into the frame */
	uint64_t offset;		/* bytes of OUTPUT received on the channel */
	uint32_t seq;			/* the last INPUT sent */
	/* RP_CAP_AHEAD: the frames behind it are on channel ahead (0: none
	 * follow, an older RESUME), the first of them at place first_seq,
	 * first_after (as rp_inpos). */
	uint16_t ahead;
	uint32_t first_seq, first_after;
};
struct rp_resumed {
	uint32_t req;
	uint32_t seq;	 /* the last INPUT the host took */
	uint32_t after;	 /* ECHO and SIGNAL frames it took after that INPUT */
	uint64_t offset; /* of the next OUTPUT byte (RESUME's: the missed output follows) */
};

/* CONTEXT: what the host knows of the program reading the pty, sent when
 * it changes (each change an epoch for the desk's predictions). */
#define RP_MAX_COMM 64 /* a program's name (Linux's comm is at most 15) */
#define RP_CTX_ICANON 0x01
#define RP_CTX_ECHO 0x02
#define RP_CTX_ISIG 0x04
#define RP_CTX_IEXTEN 0x08
#define RP_CTX_OPOST 0x10
#define RP_CTX_ICRNL 0x20
#define RP_CTX_ALL 0x3f
struct rp_context {
	uint32_t seq;	/* the last INPUT of the channel written before the change */
	uint32_t flags; /* RP_CTX_*: the pty's termios */
	uint32_t pgid;	/* its foreground process group; 0: none or unknown */
	struct rp_str comm; /* that group's leader's program name; empty: unknown */
};

/* Header. Returns 0 with *h filled, 1 if more bytes are needed, or -EPROTO
 * / -EMSGSIZE for a header no valid peer sends. */
int rp_hdr_decode(const uint8_t *buf, size_t n, struct rp_hdr *h);
void rp_hdr_encode(uint8_t out[RP_HDR_SIZE], uint8_t type, uint8_t flags, uint16_t chan,
		   uint32_t len);

/* Payload decoders: 0, or -EPROTO when a field overruns the payload, a
 * length is out of bounds, or bytes are left over. */
int rp_hello_decode(const uint8_t *p, size_t n, struct rp_hello *m);
int rp_error_decode(const uint8_t *p, size_t n, struct rp_error *m);
int rp_req_decode(const uint8_t *p, size_t n, uint32_t *req); /* LIST, STOP */
int rp_req_str_decode(const uint8_t *p, size_t n, uint32_t *req, struct rp_str *str); /* OK */
int rp_kill_decode(const uint8_t *p, size_t n, uint32_t *req, struct rp_str *name);
int rp_open_decode(const uint8_t *p, size_t n, struct rp_open *m);
int rp_data_decode(const uint8_t *p, size_t n, struct rp_data *m); /* INPUT, OUTPUT */
/* OUTPUT or OUTPUT_LZ4 (type): the bytes for the screen, decompressed into
 * out (RP_MAX_OUTPUT bytes) when they came compressed. */
int rp_output_decode(uint8_t type, const uint8_t *p, size_t n, struct rp_data *m, uint8_t *out);
/* OUTPUT_LZ4's body after the ack: u32 length, then n bytes of src as one
 * lz4 block, into out (rp_lz4_bound(n) bytes). Returns its length, or 0
 * when it would not be shorter than n (send OUTPUT then). */
size_t rp_lz4_bound(size_t n);
size_t rp_lz4_pack(const uint8_t *src, size_t n, uint8_t *out);
int rp_termios_decode(const uint8_t *p, size_t n, struct kpty_termios *t);
/* TERMIOS as a desk with RP_CAP_RETYPE may get it: the termios, then
 * (from a host that knows the cap) u32 seq, the last INPUT of the channel
 * the host had taken, and u32 mark: 0, or the host lets go of every INPUT
 * of the channel that comes before a TERMIOS_SEEN of this mark or a later
 * one (at has false: the short form, seq and mark 0). */
struct rp_termios_at {
	bool has;
	uint32_t seq, mark;
};
int rp_termios_at_decode(const uint8_t *p, size_t n, struct kpty_termios *t,
			 struct rp_termios_at *at);
int rp_winsize_decode(const uint8_t *p, size_t n, struct kpty_winsize *ws);
int rp_signal_decode(const uint8_t *p, size_t n, uint8_t *sig, bool *flush);
int rp_exit_decode(const uint8_t *p, size_t n, int32_t *status);
int rp_timing_decode(const uint8_t *p, size_t n, struct rp_timing *t);
/* CONTEXT (comm: at most RP_MAX_COMM printable ASCII bytes; flags: only
 * RP_CTX_* bits) and CONSUMED. */
int rp_context_decode(const uint8_t *p, size_t n, struct rp_context *m);
int rp_consumed_decode(const uint8_t *p, size_t n, uint32_t *seq);
/* TERMIOS_SEEN: the mark of the TERMIOS taken. */
int rp_termios_seen_decode(const uint8_t *p, size_t n, uint32_t *mark);
/* A whole CONTEXT frame (comm cut to RP_MAX_COMM, anything but printable
 * ASCII in it made '?'); its length or -EMSGSIZE. */
long rp_context_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t seq, uint32_t flags,
		      uint32_t pgid, const char *comm, size_t n);
/* PING, PONG, SYNC: one u64. TOKEN: RP_TOKEN_BYTES (*token into p). */
int rp_u64_decode(const uint8_t *p, size_t n, uint64_t *v);
int rp_token_decode(const uint8_t *p, size_t n, const uint8_t **token);
int rp_resume_decode(const uint8_t *p, size_t n, struct rp_resume *m);
int rp_resumed_decode(const uint8_t *p, size_t n, struct rp_resumed *m);
int rp_notice_decode(const uint8_t *p, size_t n, struct rp_str *text);
/* LIST_REPLY: the request id and count, then entries one at a time. */
int rp_list_reply_decode(const uint8_t *p, size_t n, uint32_t *req, uint16_t *count,
			 size_t *off);
int rp_list_entry_decode(const uint8_t *p, size_t n, size_t *off, struct rp_session_info *e);
/* LIST_REPLY's X part, after the entries (PROTOCOL.md): u16 count, then
 * each X session: str name (at most RP_MAX_NAME bytes), u32 display + 1
 * (0: starting), u16 windows, each u32 id, i16 x, i16 y, u16 w, u16 h,
 * str title, and u16 flags (RP_XWIN_*) when both sides said
 * RP_CAP_XBOUND. The count at *off, then each session and its nwin
 * windows in turn, *off moved past what was read: 0, or -EPROTO (a
 * field overruns, a name is too long). A part that ends before *off
 * does not: it is whole when *off == n after the last. */
struct rp_list_xsess {
	struct rp_str name;
	uint32_t dpy;
	uint16_t nwin;
};
struct rp_list_xwin {
	uint32_t id;
	int16_t x, y;
	uint16_t w, h, flags;
	struct rp_str title;
};
int rp_list_x_decode(const uint8_t *p, size_t n, size_t *off, uint16_t *count);
int rp_list_xsess_decode(const uint8_t *p, size_t n, size_t *off, struct rp_list_xsess *s);
int rp_list_xwin_decode(const uint8_t *p, size_t n, size_t *off, bool flags,
			struct rp_list_xwin *w);

/* A session name is 1..RP_MAX_NAME bytes of [A-Za-z0-9._-], not starting
 * with a dot (it names files in the runtime directory). */
bool rp_name_valid(const char *p, size_t n);

/* Encoder: appends fields to a frame in a caller buffer. rp_enc_begin()
 * reserves the header, rp_enc_end() fills it in and returns the frame's
 * length, or -EMSGSIZE if any field did not fit the buffer or the payload
 * limit. */
struct rp_enc {
	uint8_t *buf;
	size_t cap, len;
	bool over;
	uint8_t type, flags;
	uint16_t chan;
};

void rp_enc_begin(struct rp_enc *e, void *buf, size_t cap, uint8_t type, uint8_t flags,
		  uint16_t chan);
void rp_put_u8(struct rp_enc *e, uint8_t v);
void rp_put_u16(struct rp_enc *e, uint16_t v);
void rp_put_u32(struct rp_enc *e, uint32_t v);
void rp_put_bytes(struct rp_enc *e, const void *p, size_t n);
void rp_put_str(struct rp_enc *e, const char *p, size_t n); /* u16 length + bytes */
void rp_put_termios(struct rp_enc *e, const struct kpty_termios *t);
void rp_put_winsize(struct rp_enc *e, const struct kpty_winsize *ws);
void rp_put_timing(struct rp_enc *e, const struct rp_timing *t);
void rp_put_u64(struct rp_enc *e, uint64_t v); /* high word first */
long rp_enc_end(struct rp_enc *e);
/* Whole frames every side sends: HELLO; OPEN (argc at most RP_MAX_ARGS,
 * else -EMSGSIZE). Return the frame's length or -EMSGSIZE. */
long rp_hello_frame(uint8_t *buf, size_t cap, uint32_t caps, const char *token, const char *name);
long rp_open_frame(uint8_t *buf, size_t cap, uint32_t req, uint8_t flags, const char *name,
		   const char *term, const char *cwd, const struct kpty_winsize *ws, char *const *argv,
		   int argc);
/* An OPEN frame of n bytes (its length, or negative: passed on) with
 * bytes after its fields (RP_OPEN_DISPLAY's str, then more flags); the
 * new length, or -EMSGSIZE. */
long rp_open_append(uint8_t *buf, size_t cap, long n, const void *p, size_t len);
/* "HOST:PORT" or "[V6]:PORT" into host (brackets gone) and *port (in s).
 * -EINVAL if either part is missing or host is longer than hn - 1. */
int rp_host_port(const char *s, char *host, size_t hn, const char **port);

const char *rp_type_name(uint8_t type);

#endif
