/* xdisplay: a private X display that telly runs and manages.
 *
 * xd starts an X server (X.Org's with the dummy driver, which can change
 * its size through RANDR, else Xvfb; -displayfd, no TCP, an
 * MIT-MAGIC-COOKIE-1 in a 0600 file it is given with -auth), connects to
 * it with xcb and becomes its
 * window manager: map and configure requests are granted, top-level
 * windows are redirected (XComposite, manual: nothing is drawn on the
 * root, telly is the only compositor), each mapped window has an XDamage
 * object, and pixels are read from its named window pixmap through
 * MIT-SHM, only where it was damaged. Keys and the pointer go in through
 * XTEST; the cursor's shape comes from XFixes; a desk's keymap is loaded
 * with xkbcomp.
 *
 * Nothing here waits for the X server, from its start on: the owner's
 * loop polls xd_fd() and calls xd_dispatch(), which handles what is ready
 * (events, and replies to what xd asked, in order) up to a bound a call.
 * A server that says its display but does not answer (stopped, stuck)
 * fails the start after XD_START_MS; the owner's other work goes on.
 * A program inside the display may set any property to anything: every
 * string, hint and size read from the server is bounded and checked.
 *
 * xd reports through struct xd_ops; it knows nothing of its owner.
 */
#ifndef XD_H
#define XD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "xd_prop.h"

#define XD_TITLE_MAX_BYTES 256 /* a title, class or icon name, as reported */
#define XD_MAX_WINDOWS 1024    /* top-level windows tracked on one display */
#define XD_MAX_DIM 8192	       /* a window larger than this is reported clamped */
/* A pointer's shape is read up to this a side (4 MiB), and the daemon
 * makes one too large for a frame smaller (xd_prop_cursor_fit, at most
 * about 5 ms for this size); a larger one is not told. */
#define XD_CURSOR_MAX_DIM 1024
#define XD_SCREEN_W 4096
#define XD_SCREEN_H 2160
#define XD_SCREEN_MIN 64   /* a side of the display, in pixels (xd_screen_size) */
#define XD_SCREEN_MAX 8192
#define XD_START_MS 10000 /* the server says its display within this, then is set up within
			     this again, or it failed */
#define XD_SEL_MAX_BYTES (4u << 20) /* a selection's text, either way */
#define XD_XKBCOMP_MS 10000 /* xkbcomp has loaded a keymap within this, or it is killed */
#define XD_STOP_GRACE_MS 2000 /* a process put down: SIGTERM, then SIGKILL after this */

struct xd;

struct xd_rect {
	int32_t x, y, w, h;
};

/* A mapped top-level window as the display has it. */
struct xd_window {
	uint32_t id, transient_for, above; /* above: the mapped window right below it */
	int16_t x, y;
	uint16_t w, h;
	bool override_redirect, can_close, focused, hints;
	/* It asked for its place (WM_NORMAL_HINTS' USPosition or PPosition):
	 * else the desk's window manager places it. */
	bool positioned;
	/* Its program asked for the full screen (_NET_WM_STATE_FULLSCREEN),
	 * or to be maximized both ways (_NET_WM_STATE_MAXIMIZED_VERT and
	 * _HORZ): it spans the host's screen. */
	bool fullscreen, maximized;
	/* Its program asked for no decorations (_MOTIF_WM_HINTS: a GTK
	 * header bar draws its own title bar). */
	bool undecorated;
	struct xd_hints size; /* WM_NORMAL_HINTS' sizes */
	const char *title, *wm_class, *icon_name; /* valid UTF-8, no controls, bounded */
};

/* A window's shape (X SHAPE): its bounding shape (what of it is drawn)
 * or its input shape (where it takes the pointer), as rectangles inside
 * its outer size w x h then (xd_window's), at most XD_SHAPE_MAX_RECTS
 * (more, or one that cannot be read: its bounding box, logged once).
 * shaped false: the whole window again (n 0). */
#define XD_SHAPE_BOUNDING 0
#define XD_SHAPE_INPUT 1
#define XD_SHAPE_MAX_RECTS 4096
struct xd_shape {
	uint32_t id;
	int kind; /* XD_SHAPE_* */
	bool shaped;
	uint16_t w, h;
	const struct xd_rect *rects;
	size_t n;
};

struct xd_cursor {
	uint32_t serial;
	uint16_t w, h, xhot, yhot;
	const uint32_t *argb; /* w*h, premultiplied */
};

/* The display's clients (xd_clients_ask): those that have a window
 * that was shown (mapped at least once, not destroyed since: a withdrawn
 * or iconified one still counts); those that show none but hold a copy
 * (own CLIPBOARD or PRIMARY: xclip -i); and the others (a D-Bus
 * launcher, a program that has not shown its window yet); when the
 * newest of those that show none (holding or not) was first counted
 * showing none (base_now_ms; 0: none): it connected, or its last
 * window was destroyed, since the count before. Past
 * XD_CLIENTS_MAX clients the rest are not told apart: counted as the
 * others, seen long ago; a window past XD_MAX_WINDOWS (not tracked)
 * shows nothing either. */
#define XD_CLIENTS_MAX 256 /* the X server's own default bound (LimitClients) */
struct xd_clients {
	int shown, holding, unshown;
	long unshown_since;
};

struct xd_ops {
	/* The display answers (its number): programs may start in it. */
	void (*ready)(void *ctx, int display);
	/* A window was mapped, or its place, size, stacking or names changed. */
	void (*window)(void *ctx, const struct xd_window *w);
	void (*gone)(void *ctx, uint32_t id);
	/* Its pixels changed; xd_capture() reads them when the owner wants. */
	void (*damaged)(void *ctx, uint32_t id);
	/* What xd_capture() read: the window's whole picture (w x h, stride
	 * bytes a row, x8r8g8b8), rects where it changed (whole: n 1, the
	 * window). */
	void (*pixels)(void *ctx, uint32_t id, const uint32_t *pix, uint16_t w, uint16_t h,
		       size_t stride, const struct xd_rect *rects, size_t n);
	void (*cursor)(void *ctx, const struct xd_cursor *c);
	/* Window id is not read (over: true): its picture would pass the
	 * pixels' bound (XD_PIXELS_SCREENS screens' worth held), until
	 * others close or shrink, or it does (over: false, and it is read).
	 * Said on each change; NULL: logged only. */
	void (*over_bound)(void *ctx, uint32_t id, bool over);
	/* Window id's program asks to be moved or resized by the pointer
	 * with button held (EWMH's _NET_WM_MOVERESIZE, direction 0..10: a
	 * GTK header bar dragged), as of a window manager. NULL: let go. */
	void (*moveresize)(void *ctx, uint32_t id, int direction, int button);
	/* A shown window's shape changed (told after its window; a window
	 * never shaped is told none; only the latest of changes that come
	 * faster than they are read). */
	void (*shape)(void *ctx, const struct xd_shape *s);
	/* The connection to the X server broke (the server died): why. */
	void (*lost)(void *ctx, const char *why);
	/* A program in the display took selection sel (0 CLIPBOARD, 1
	 * PRIMARY): its text, valid UTF-8, at most XD_SEL_MAX_BYTES. */
	void (*selection)(void *ctx, int sel, const char *utf8, size_t n);
	/* A program in the display took selection sel with a text over
	 * XD_SEL_MAX_BYTES: not passed on. NULL: logged only. */
	void (*selection_too_big)(void *ctx, int sel);
	/* x-server auto: Xorg did not start (its config could not be
	 * written; it ended, broke the connection or did not answer before
	 * the display was set up, or not within XD_START_MS): Xvfb runs in
	 * its place (once), why says why and what Xorg last said. xd_fd()
	 * changed. NULL: logged. */
	void (*fell_back)(void *ctx, const char *why);
	/* What xd_clients_ask asked: the display's clients besides the
	 * server and xd's own connection (struct xd_clients), or NULL: the
	 * server cannot say (no X-Resource extension). */
	void (*clients)(void *ctx, const struct xd_clients *c);
};

struct xd_config {
	const char *dir;  /* where the cookie file goes (the runtime directory) */
	const char *name; /* names the cookie file: DIR/x11-NAME.auth */
	const char *log;  /* the server's output is appended here (NULL: /dev/null) */
	enum xd_server {
		XD_SERVER_AUTO, /* Xorg with the dummy driver if installed, else Xvfb */
		XD_SERVER_XORG, /* X.Org's server, dummy driver: it can change size */
		XD_SERVER_XVFB, /* Xvfb: it keeps the size it started with */
	} server;
	unsigned width, height; /* the screen (0: XD_SCREEN_W x XD_SCREEN_H) */
	/* Answers awaited at once, at most (0: the full ring, 4096): a test
	 * makes it small to fill it as a busy display fills the full one. */
	unsigned ring_max;
};

/* Start the server; it is not ready yet (ops->ready says when). 0, or
 * -errno with err said. */
int xd_create(const struct xd_config *cfg, const struct xd_ops *ops, void *ctx, struct xd **out,
	      char *err, size_t errn);
/* Kills the server if it runs (and waits for it), closes, removes the cookie. */
void xd_destroy(struct xd *xd); /* takes NULL */

/* What to poll (for reading): it changes as the server starts (its
 * -displayfd pipe, the connection's handshake, the connection), and
 * xd_fd_gen with it: the same number may be another descriptor. */
int xd_fd(const struct xd *xd);
unsigned xd_fd_gen(const struct xd *xd);
/* The connection's socket (-1 before it is made), polled or not: while
 * the server does not read what it is sent xd takes nothing from it and
 * xd_fd is none (xd_wait_time says when to look again). */
int xd_socket(const struct xd *xd);
/* Handles what is ready. 1 if it stopped at its bound with more to do
 * (call again soon), 0, or -errno once the display is lost or failed to
 * start (ops->lost said why). After 0, xcb holds nothing the descriptor
 * would not tell of. Every other call that talks to the server (input,
 * xd_capture...) flushes, and xcb may read while it flushes: the owner
 * calls xd_dispatch after them before it sleeps on the descriptor. */
int xd_dispatch(struct xd *xd);
/* ms until xd has timed work (its start's deadline, a SIGKILL after a
 * grace, xkbcomp's bound), or -1. */
long xd_wait_time(struct xd *xd, long now_ms);

int xd_display(const struct xd *xd); /* its number, -1 while starting */
const char *xd_server_name(const struct xd *xd); /* "Xorg", "Xvfb" */
/* The display takes the size w x h (XD_SCREEN_MIN..XD_SCREEN_MAX a side)
 * through RANDR: a mode of that size made if the server has none, given
 * to its output and its CRTC, the screen sized to it; in the background
 * (the newest size asked wins). Once the screen has it, windows that
 * spanned the old screen's width or height span the new one's (they were
 * maximized), and the others keep their place but are moved inside the
 * screen if they would stand off it. 0 (asked), -EINVAL (out of bounds),
 * -EAGAIN (not started yet), -ENOTSUP: the server cannot change its size
 * (Xvfb; logged once, the display keeps its size). */
int xd_screen_size(struct xd *xd, unsigned w, unsigned h);
/* Its size now. */
void xd_screen(const struct xd *xd, unsigned *w, unsigned *h);
const char *xd_auth_path(const struct xd *xd);
/* The files the display's clients need (its cookie) written again where
 * they were, if gone: the runtime directory was removed and made again.
 * 0 or -errno, err said. */
int xd_files_again(struct xd *xd, char *err, size_t errn);
pid_t xd_server_pid(const struct xd *xd);
/* Reaps what xd started that exited (its server, xkbcomp, an Xorg put
 * down for Xvfb), never waiting: true when the server is gone (its wait
 * status in *status). The owner calls it on SIGCHLD. */
bool xd_reap(struct xd *xd, int *status);
/* Asks how many clients the display has (ops->clients answers); nothing
 * while a question is under way or there is no room to send one: ask
 * again later. */
void xd_clients_ask(struct xd *xd);
/* SIGTERM to the server (its clients lose the display) and xkbcomp;
 * SIGKILL after XD_STOP_GRACE_MS (xd_wait_time asks to be called then).
 * Never waits: xd_reap collects them when they end. */
void xd_stop(struct xd *xd);
/* Processes of xd's not reaped yet (the server, xkbcomp, an Xorg put
 * down). The owner destroys xd once none is left: xd_destroy waits for
 * none, and sends SIGKILL to what is left, which nobody then reaps. */
unsigned xd_processes(const struct xd *xd);

/* Every mapped window, bottom to top, through ops->window. */
void xd_windows(struct xd *xd);
/* Read what changed in window id (its whole picture the first time, or
 * with whole) into ops->pixels. false: no such window, or a read of it
 * is under way (it is read again after, if damaged meanwhile). */
bool xd_capture(struct xd *xd, uint32_t id, bool whole);
bool xd_busy(const struct xd *xd, uint32_t id); /* a read of id is under way */
/* What reads cost: reads done, and the batches of requests they sent
 * that each waited for the answers to the one before (one per read is
 * the least: the answers come back together); the pointer's shapes read;
 * the most bytes of answers one xd_dispatch took. */
struct xd_counts {
	uint64_t reads, read_trips, cursor_reads;
	uint64_t dispatch_answer_bytes_max;
};
void xd_counts(const struct xd *xd, struct xd_counts *out);

/* Input through XTEST. A key for window id gives it the focus first.
 * While a desk's keymap loads (xd_keymap) input is held, at most
 * XD_HELD_KEYS_MAX events, and goes in once it is loaded (xd_reap): a key
 * typed meanwhile would be lost or read with the old layout (and the
 * pointer waits with the keys, to keep their order). Past that, a key
 * or pointer event is refused with -EBUSY, nothing taken: the caller
 * offers it again once the keymap is in (the daemon stops reading that
 * desk's connection meanwhile), so none is lost. A release (a key let
 * go, xd_button_up) is held past it, in XD_HELD_RELEASE_ROOM more, so
 * that one whose desk went (it cannot be offered again) still goes in.
 * What they inject goes out with the owner's next xd_dispatch, not at
 * once: a desk's key press and release, read together, reach the server
 * in one write (one wakeup of the server and of the program, not two);
 * past XD_INPUT_BATCH events at once, so that little waits unseen by the
 * check of the server's socket. */
#define XD_INPUT_BATCH 8
#define XD_HELD_KEYS_MAX 1024
#define XD_HELD_RELEASE_ROOM 512
/* A server that does not read what it is sent (stopped, or a program
 * grabbed it) is not written to once its socket nears the point where
 * xcb would wait to write (holding the owner's loop): xd takes none of
 * its events meanwhile, what xd asks of it waits (focus, configure,
 * close, a selection, a size, reads: the latest of each, taken, 0), and
 * keys and the pointer are refused with -ENOBUFS (nothing taken: offered
 * again) this long, then dropped (0) until it reads again. Said once in
 * the log. */
#define XD_BACKLOG_WAIT_MS 2000
/* What becomes of desks' input now, as the last input found the server:
 * 0 it goes in, 1 it waits (-ENOBUFS), 2 it is dropped. */
int xd_backlog(const struct xd *xd);
int xd_key(struct xd *xd, uint32_t id, uint8_t keycode, bool pressed);
/* As xd_key, typed with the desk's locks: locked modifiers (XKB's mask,
 * in the desk's keymap, which the display has) | locked group (0..3) <<
 * 8, or -1 for the display's own. A press sets the display's to them
 * first (on a server without XKB: its own). */
int xd_key_locks(struct xd *xd, uint32_t id, uint8_t keycode, bool pressed, int locks);
/* kind: 0 motion, 1 press, 2 release; x, y relative to window id. */
int xd_pointer(struct xd *xd, uint32_t id, int x, int y, int kind, int button);
/* Button 1..9 let go where the pointer is, whatever window it was
 * pressed in (that window may be gone): a desk that left it down went. */
int xd_button_up(struct xd *xd, int button);
/* These three never refuse for a server that does not read: what they
 * ask waits until it does (the latest focus; per window the latest place
 * and size, in the order asked). */
int xd_focus(struct xd *xd, uint32_t id);
/* The desk moved, resized or raised a window (what: 1 move, 2 size, 4 raise). */
int xd_configure(struct xd *xd, uint32_t id, unsigned what, int x, int y, unsigned w,
		 unsigned h);
/* WM_DELETE_WINDOW if it takes it, else its client is killed. */
int xd_close(struct xd *xd, uint32_t id);
/* The desk's selection sel (0 CLIPBOARD, 1 PRIMARY) becomes the
 * display's: xd owns it and gives programs the text (UTF8_STRING, STRING,
 * TEXT, TARGETS). 0 or -errno. */
int xd_selection_set(struct xd *xd, int sel, const char *utf8, size_t n);
/* Loads an xkb keymap (xkbcomp's text format) into the server, in the
 * background (xkbcomp runs; xd_reap collects it, then the keys held
 * meanwhile go in: the owner settles with xd_dispatch after). 0 or -errno. */
int xd_keymap(struct xd *xd, const char *text, size_t n, char *err, size_t errn);
/* The display has keymap text, or will once the loads asked are done (a
 * keymap xkbcomp refused counts as had: it is not tried again). After an
 * xkbcomp killed past its bound none is had until one is loaded: the
 * display may have taken the killed one's. */
bool xd_keymap_is(const struct xd *xd, const char *text, size_t n);
/* Moves whenever what xd_keymap_is answers may change (a keymap asked,
 * loaded, refused, gone with its server): a caller that found its text
 * had need not compare it again (a keymap is some 64 KB) while this
 * stands still. */
unsigned long xd_keymap_gen(const struct xd *xd);
/* A keymap loads, or input held for one waits to go in. */
bool xd_keymap_busy(const struct xd *xd);
/* A keymap loads (or waits to): false while held input waits only for
 * the server to read it. */
bool xd_keymap_loads(const struct xd *xd);

#endif
