/* display-server: the desk's compositor, terminal surfaces and backends.
 *
 * A backend (ds_backend_impl: x11, headless) owns the framebuffer and
 * turns the user's devices into ds_events. The compositor (ds_comp) keeps
 * one pixman image per window, collects damage in screen coordinates and
 * repaints only damage ∩ window − what covers it, in winmgr's stacking
 * order. A terminal surface (ds_term) is libvterm's screen drawn row by
 * row with glyphs from a freetype cache (ds_font).
 */
#ifndef DS_H
#define DS_H

#include <pixman.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vterm.h>

#include "wm.h"
#include "xwin.h"

enum ds_event_type {
	DS_EV_KEY,     /* keysym, mods (WM_MOD_*), codepoint (0: none), pressed */
	DS_EV_MOTION,  /* a relative pointer delta dx, dy */
	DS_EV_POINTER, /* an absolute pointer position x, y */
	DS_EV_BUTTON,  /* button, pressed, mods (WM_MOD_*) */
	DS_EV_RESIZE,  /* the output is now w x h (the framebuffer was remade) */
	DS_EV_CLOSE,   /* the user closed the output */
	DS_EV_KEYMAP,  /* the display's keyboard layout changed (backend->keymap is the new one) */
	DS_EV_BLUR,    /* the output lost the keyboard focus: the releases of keys held go elsewhere */
	DS_EV_FOCUS,   /* the output took the keyboard focus (x11.c: telly's desktop came back) */
};

struct ds_event {
	enum ds_event_type type;
	uint64_t time_us; /* CLOCK_MONOTONIC */
	uint32_t keysym, mods, codepoint;
	uint32_t keycode; /* KEY: the display's (X) keycode; 0 from a script */
	int locks;	  /* KEY from an X display: its locks at the key (ds_x_locks); else -1 */
	bool pressed;
	double dx, dy;
	int x, y, button, w, h;
};

/* An X key event's state as the desk's locks at that key: the locked
 * modifiers a core state shows (Lock, and Mod2 where NumLock is) | the
 * layout group << 8, for XKEY's locks (RP_CAP_XLOCKS). The core state
 * holds no more of XKB's: another locked modifier, or a latched group,
 * is not told. */
static inline int ds_x_locks(uint16_t state)
{
	return (state & (0x02 | 0x10)) | ((state >> 13) & 3) << 8;
}

typedef void (*ds_event_fn)(void *ctx, const struct ds_event *ev);

struct ds_backend;

struct ds_backend_impl {
	const char *name;
	/* A descriptor to poll for input, or -1. */
	int (*get_fd)(struct ds_backend *b);
	/* Handle what is there without blocking; events go to fn. 0, or a
	 * negative errno when the output is gone. */
	int (*dispatch)(struct ds_backend *b, ds_event_fn fn, void *ctx);
	/* The image the compositor draws into (x8r8g8b8, w x h). */
	pixman_image_t *(*framebuffer)(struct ds_backend *b);
	/* Show the damaged part of the framebuffer. */
	int (*present)(struct ds_backend *b, pixman_region32_t *damage);
	void (*destroy)(struct ds_backend *b);
};

struct ds_backend {
	const struct ds_backend_impl *impl;
	int w, h;
	/* The compositor draws the pointer (the window system does not). */
	bool soft_cursor;
	/* The window system accelerated the deltas already. */
	bool accelerated;
	/* The display's keyboard layout (x11), NULL without one (headless). */
	struct xkb_keymap *keymap;
};

struct ds_backend *ds_headless_create(int w, int h, char *err, size_t errn);
/* The headless backend's keyboard (telly view --key-fd): lines read from
 * fd, each a `type "TEXT"` or `key [MOD+]NAME` step (ds_step_parse), are
 * key presses as if typed on the desk, stamped when read. A line of more
 * than DS_KEY_LINE_MAX bytes, or another step, is skipped with a message
 * on stderr; the end of fd is DS_EV_CLOSE (the window closed). fd is
 * made non-blocking and close-on-exec; the backend does not close it.
 * b must be headless (-EINVAL else). */
#define DS_KEY_LINE_MAX 1100
int ds_headless_keys(struct ds_backend *b, int fd);
/* display NULL: $DISPLAY. */
struct ds_backend *ds_x11_create(const char *display, int w, int h, const char *title,
				 char *err, size_t errn);
void ds_backend_destroy(struct ds_backend *b); /* takes NULL */

/* PNG of an image (x8r8g8b8). 0 or -errno. */
int ds_png_write(pixman_image_t *img, const char *path);

/* A monospace font through fontconfig (pattern such as "monospace") at
 * px pixels, with its bold face, and a glyph cache. */
struct ds_font;
struct ds_font *ds_font_create(const char *pattern, int px, char *err, size_t errn);
void ds_font_destroy(struct ds_font *f);
void ds_font_cell(const struct ds_font *f, int *w, int *h);

/* A terminal surface: libvterm fed with the session's output, keys
 * encoded by libvterm and handed to out(). */
struct ds_term;
typedef void (*ds_term_out_fn)(void *ctx, const char *bytes, size_t n);
struct ds_term *ds_term_create(struct ds_font *f, int rows, int cols, ds_term_out_fn out,
			       void *ctx);
void ds_term_destroy(struct ds_term *t);
void ds_term_write(struct ds_term *t, const void *bytes, size_t n);
void ds_term_key(struct ds_term *t, uint32_t keysym, uint32_t mods, uint32_t codepoint);
void ds_term_resize(struct ds_term *t, int rows, int cols);
void ds_term_size(const struct ds_term *t, int *rows, int *cols);
/* Predicted cells (telly view's predictions, predict/predict.h) drawn over
 * the live screen at composite time, and the cursor where the keys typed
 * will put it; none with n 0 and cursor false. Copied; the rows they
 * touch, before and after, are drawn again. */
struct ds_predicted {
	int row, col, width; /* width 1 or 2 */
	uint32_t cp;
	/* Drawn in attrs, fg and bg (less's page, as the program drew it),
	 * never underlined as a flag; else plain over the line's colours,
	 * underlined with the flag. */
	bool pen;
	VTermScreenCellAttrs attrs;
	VTermColor fg, bg;
};
void ds_term_predict(struct ds_term *t, const struct ds_predicted *cells, int n, bool cursor,
		     int row, int col, bool underline);
/* A window title: what the program set with OSC 0 or 2, cleaned (see
 * ds_title_clean); NULL while it set none. */
#define DS_TITLE_MAX_BYTES 256
const char *ds_term_title(const struct ds_term *t);
/* Copy n bytes of untrusted text into out (outn >= 1) as a title: valid
 * UTF-8 only (a bad sequence becomes U+FFFD), no C0/C1 controls or DEL,
 * cut at a character boundary to at most DS_TITLE_MAX_BYTES bytes and
 * outn - 1. Returns the length written. */
size_t ds_title_clean(const char *in, size_t n, char *out, size_t outn);
/* The same for a line of untrusted text of any length (a host's message
 * on the desk's terminal): cut only to outn - 1 bytes. */
size_t ds_text_clean(const char *in, size_t n, char *out, size_t outn);
/* Mouse reporting the program asked for (xterm modes 1000, 1002, 1003;
 * the encoding, X10 or SGR 1006, is libvterm's to follow). */
enum ds_mouse_mode { DS_MOUSE_NONE, DS_MOUSE_CLICK, DS_MOUSE_DRAG, DS_MOUSE_MOVE };
enum ds_mouse_mode ds_term_mouse_wanted(const struct ds_term *t);
/* A pointer event at a cell (0-based, clamped to the grid), encoded as
 * the program asked and handed to out() like a key. button 0: a move;
 * 1-3 press or release; 4, 5 the wheel (presses only). Nothing when the
 * program asked for no reporting. mods: WM_MOD_*. */
void ds_term_mouse(struct ds_term *t, int row, int col, int button, bool pressed, uint32_t mods);
/* Is text (UTF-8) anywhere on the screen? */
bool ds_term_has_text(const struct ds_term *t, const char *text);
/* Text of one row as shown (scrolled back or not; UTF-8, trailing blanks
 * dropped). */
size_t ds_term_row_text(const struct ds_term *t, int row, char *buf, size_t n);
/* What the next repaint draws at row, col (0-based, as shown: scrolled
 * back or not, predictions over the live screen included): a codepoint,
 * 0 for a blank, (uint32_t)-1 for the right half of a wide character; 0
 * outside the grid. And where the cursor is drawn (the predicted one's
 * place if any); false when it is hidden or off the rows shown (row, col
 * set still). For telly view --paint-fd. */
uint32_t ds_term_shown(const struct ds_term *t, int row, int col);
bool ds_term_shown_cursor(const struct ds_term *t, int *row, int *col);

/* Scrollback: the lines that scrolled off the top of the primary screen
 * (what the host's snapshot printed included), at most
 * DS_SCROLLBACK_LINES and DS_SCROLLBACK_BYTES of them (the oldest go
 * first). Shown in place of the screen's top while scrolled back; new
 * output keeps the shown lines where they are; a key that reaches the
 * program (ds_term_key, ds_term_paste) returns to the live screen.
 * shift+Page_Up / shift+Page_Down (ds_term_key) scroll a page less a
 * line and send nothing. */
#define DS_SCROLLBACK_LINES 2000
#define DS_SCROLLBACK_BYTES (4u << 20)
#define DS_WHEEL_LINES 3
/* Scroll lines up into the history (negative: down), clamped. */
void ds_term_scroll(struct ds_term *t, int lines);
/* Lines of history shown (0: the live screen), lines kept. */
int ds_term_scrolled(const struct ds_term *t);
int ds_term_history(const struct ds_term *t);
/* Forget the history (a snapshot follows with the host's). */
void ds_term_history_clear(struct ds_term *t);

/* Selection, at the cells as shown (row, col 0-based, clamped to the
 * grid); it stays on its text as lines scroll. CHAR: from the anchor to
 * the end; WORD: whole words (letters, digits and -#%&+,./:=?@_~, or
 * one other character); LINE: whole lines. */
enum ds_sel_unit { DS_SEL_CHAR, DS_SEL_WORD, DS_SEL_LINE };
void ds_term_select(struct ds_term *t, int row, int col, enum ds_sel_unit unit);
void ds_term_select_to(struct ds_term *t, int row, int col);
void ds_term_select_clear(struct ds_term *t);
/* The selected text (UTF-8, lines joined by \n, trailing blanks of each
 * dropped, at most DS_SELECTION_MAX_BYTES), malloc'd; NULL with none (or
 * an empty one). */
#define DS_SELECTION_MAX_BYTES (4u << 20)
char *ds_term_selection(const struct ds_term *t, size_t *n);

/* Paste text as typed (returns to the live screen): bracketed
 * (ESC[200~ ... ESC[201~) when the program asked for it (mode 2004);
 * ESC and other C0/C1 controls but tab and newlines dropped (a paste
 * cannot end the bracket or run a sequence), newlines sent as CR, as
 * xterm does; at most DS_PASTE_MAX_BYTES of it. */
#define DS_PASTE_MAX_BYTES (64u << 10)
void ds_term_paste(struct ds_term *t, const char *text, size_t n);
/* The same in pieces (a long paste paced by its caller, who cuts it at
 * characters and never between CR and LF, and keeps to
 * DS_PASTE_MAX_BYTES): first opens the bracket, last closes it. */
void ds_term_paste_part(struct ds_term *t, const char *text, size_t n, bool first, bool last);

/* OSC 52 (a program setting the clipboard): with fn set, a write
 * ("52;c;BASE64", c or p/s for PRIMARY) is handed to fn decoded; with
 * none (the default) it is ignored. Reads ("52;c;?") are never answered.
 * An OSC is at most KPTY_VTFILTER_STR_BYTES (about 760 bytes of text). */
enum ds_clip_sel { DS_CLIP_PRIMARY, DS_CLIP_CLIPBOARD };
typedef void (*ds_term_clip_fn)(void *ctx, enum ds_clip_sel sel, const char *text, size_t n);
void ds_term_set_osc52(struct ds_term *t, ds_term_clip_fn fn, void *ctx);

/* The desk's X selections, UTF-8 text in and out (clip.c), for terminal
 * windows and X windows alike. A connection of its own to the display:
 * poll ds_clip_fd and call ds_clip_dispatch when it is readable and once
 * a loop (xcb may have queued events during a round trip). Text over
 * DS_CLIP_CHUNK_BYTES goes by INCR; at most DS_CLIP_MAX_BYTES is held or
 * fetched (more is cut); DS_CLIP_TRANSFERS INCR transfers at once; a peer
 * silent for DS_CLIP_TIMEOUT_MS is given up. */
#define DS_CLIP_MAX_BYTES (16u << 20)
#define DS_CLIP_CHUNK_BYTES (64u << 10)
#define DS_CLIP_TRANSFERS 8
#define DS_CLIP_TIMEOUT_MS 5000
struct ds_clip;
/* display NULL: $DISPLAY. NULL with err filled if it cannot be opened. */
struct ds_clip *ds_clip_create(const char *display, char *err, size_t errn);
void ds_clip_destroy(struct ds_clip *c); /* takes NULL */
int ds_clip_fd(const struct ds_clip *c);
/* Answer requests for what we own, take answers to ds_clip_get, give up
 * on silent peers. 0, or -EPIPE once the display is gone. */
int ds_clip_dispatch(struct ds_clip *c);
/* Own sel with a copy of text (n bytes of UTF-8). 0, -ENOMEM, or -EBUSY
 * if the server did not make us the owner. */
int ds_clip_set(struct ds_clip *c, enum ds_clip_sel sel, const char *text, size_t n);
/* What we own of sel (NULL: another client owns it, or nobody). */
const char *ds_clip_owned(const struct ds_clip *c, enum ds_clip_sel sel, size_t *n);
/* Ask for sel's text: fn(ctx, text, n) is called once, at once if we own
 * it, else from a later ds_clip_dispatch; text NULL when there is none
 * (no owner, refused, timed out). text is valid during the call only.
 * Gets of a selection while one is in flight share its answer (at most
 * DS_CLIP_WAITERS; one more is answered NULL at once). */
#define DS_CLIP_WAITERS 4
typedef void (*ds_clip_text_fn)(void *ctx, const char *text, size_t n);
void ds_clip_get(struct ds_clip *c, enum ds_clip_sel sel, ds_clip_text_fn fn, void *ctx);
/* How long ago sel was copied on the desk: fn(ctx, sel, age_ms) once, at
 * once if we own it, else from a later ds_clip_dispatch, with -1 when it
 * is not known: no owner, or one that does not say when it took it
 * (ICCCM's TIMESTAMP target: xclip does not; GTK, Qt, xterm, xsel do),
 * or says CurrentTime, or is silent for DS_CLIP_TIMEOUT_MS, and it was
 * not seen taking it (XFixes, or the note: ds_clip_note_load). One ask at a
 * time a selection: a second while one is in flight takes its answer
 * instead of the first. */
typedef void (*ds_clip_age_fn)(void *ctx, enum ds_clip_sel sel, long age_ms);
void ds_clip_age(struct ds_clip *c, enum ds_clip_sel sel, ds_clip_age_fn fn, void *ctx);
/* fn(ctx, sel) when another client takes a selection: one we owned, or,
 * on a display with XFixes, whoever owned it (a desk program copied). */
typedef void (*ds_clip_owner_fn)(void *ctx, enum ds_clip_sel sel);
void ds_clip_watch(struct ds_clip *c, ds_clip_owner_fn fn, void *ctx);
/* What is known of the desk's selections (each one's owner, since when),
 * kept at path between runs: an owner that does not say when it copied
 * (xclip) and took the selection while no run watched counts as having
 * copied when the last run ended (note_save, at its end), and one the
 * last run saw keeps the time it saw. A note of another X server, or of
 * one that restarted since (its clock and the wall clock parted), is
 * not taken. save: 0 or -errno. */
int ds_clip_note_save(struct ds_clip *c, const char *path);
void ds_clip_note_load(struct ds_clip *c, const char *path);

/* The compositor. */
struct ds_comp;
struct ds_comp *ds_comp_create(struct ds_backend *b, struct ds_font *f);
void ds_comp_destroy(struct ds_comp *c);
/* A window with a terminal in its client area (the compositor does not
 * own the terminal). */
int ds_comp_add(struct ds_comp *c, uint32_t id, const char *title, struct ds_term *term);
void ds_comp_remove(struct ds_comp *c, uint32_t id);
/* A window's title bar text changed (cut to DS_TITLE_MAX_BYTES). */
void ds_comp_set_title(struct ds_comp *c, uint32_t id, const char *title);
/* The window manager changed something: boxes, focus, stacking. */
void ds_comp_sync(struct ds_comp *c, const struct wm *wm);
void ds_comp_cursor(struct ds_comp *c, int x, int y);
/* The framebuffer was remade (a backend resize): damage it all. */
void ds_comp_reset(struct ds_comp *c);
/* The rows and columns that fit a window's client area. */
void ds_comp_grid(const struct ds_comp *c, const struct wm *wm, const struct wm_box *outer,
		  int *rows, int *cols);
/* Is there damage to repaint (terminal rows, moves, the cursor)? */
bool ds_comp_dirty(const struct ds_comp *c);
/* Draw what changed and present it. Returns the number of pixels
 * repainted (0: nothing was due). */
long ds_comp_repaint(struct ds_comp *c, const struct wm *wm);
pixman_image_t *ds_comp_framebuffer(struct ds_comp *c);

/* X window surfaces (xsurf.c): one window of a host's X display. XPIXELS
 * payloads go into a back buffer; the picture shown changes only when an
 * update's last frame is in, and only the tiles that changed are damage. */
struct ds_xsurf;
struct ds_xsurf *ds_xsurf_create(uint32_t id, int w, int h);
void ds_xsurf_destroy(struct ds_xsurf *s); /* takes NULL */
/* One XPIXELS payload (head and ops). 1 when it ended an update (now
 * shown), 0 when more is to come, -EPROTO (err says what was wrong) or
 * -ENOMEM. */
int ds_xsurf_update(struct ds_xsurf *s, const uint8_t *payload, size_t n, char *err, size_t errn);
/* The same with a decoder's context kept from one update to the next
 * (rp_xdec_create; NULL: as ds_xsurf_update). */
struct rp_xdec;
int ds_xsurf_update_with(struct ds_xsurf *s, struct rp_xdec *dec, const uint8_t *payload, size_t n,
			 char *err, size_t errn);
pixman_image_t *ds_xsurf_image(const struct ds_xsurf *s);
void ds_xsurf_size(const struct ds_xsurf *s, int *w, int *h);
bool ds_xsurf_dirty(const struct ds_xsurf *s);
/* Add what changed since the last call (window coordinates) to out. */
void ds_xsurf_take_damage(struct ds_xsurf *s, pixman_region32_t *out);
/* The last update shown: its number, the input it answers, and how many
 * shown updates changed a pixel so far. */
void ds_xsurf_shown(const struct ds_xsurf *s, uint32_t *frame, uint32_t *ack, uint64_t *changes);
uint64_t ds_xsurf_updates(const struct ds_xsurf *s);

/* The compositor's X windows. Framed: a window of winmgr's (id as in
 * ds_comp_add), the X pixels in its client area. Unframed (menus,
 * tooltips): not winmgr's; drawn above every framed window at the box
 * ds_comp_place gives, the last placed on top. The compositor does not
 * own the surface. */
int ds_comp_add_x(struct ds_comp *c, uint32_t id, const char *title, struct ds_xsurf *x,
		  bool framed);
void ds_comp_place(struct ds_comp *c, uint32_t id, int x, int y);
/* An X window's notice: a line of text drawn in its client area (an
 * unframed one's box, on black) in place of its pixels (why the host
 * sends none); NULL or "": none, its pixels again. */
void ds_comp_set_notice(struct ds_comp *c, uint32_t id, const char *text);
/* The pointer's shape: ARGB premultiplied (pixman's a8r8g8b8), w x h,
 * its hot spot at xhot, yhot; argb NULL: the desk's arrow. */
int ds_comp_cursor_shape(struct ds_comp *c, const uint32_t *argb, int w, int h, int xhot,
			 int yhot);
/* A shape kept apart from the message it came in: a heap copy of region
 * (NULL on no memory, said by the caller as "no shape"), and its free
 * (takes NULL). */
pixman_region32_t *ds_region_dup(const pixman_region32_t *region);
void ds_region_free(pixman_region32_t *r);
/* X window id's bounding shape (region, in its pixels; NULL: the whole
 * window): only that of its picture is drawn, what is below it shows
 * through the rest (its frame, if framed, stays whole). */
int ds_comp_x_shape(struct ds_comp *c, uint32_t id, const pixman_region32_t *region);

/* The seamless backend (seamless.c): each X window a native window of
 * the desk's X display (display NULL: $DISPLAY). Its framebuffer is a
 * token one; the windows are the output. What the person does to them
 * goes to ops (ids are the caller's): keys as the display's keycodes
 * with the modifiers (WM_MOD_*) the desk held as they came, the pointer window-relative (kind 0 motion, 1 press, 2 release), a
 * move or resize by the desk's window manager (the corner on the root),
 * WM_DELETE_WINDOW, the focus. */
struct ds_seamless_ops {
	void (*key)(void *ctx, uint32_t id, uint8_t keycode, uint32_t mods, bool pressed,
		    int locks);
	void (*pointer)(void *ctx, uint32_t id, int x, int y, int button, int kind);
	void (*configure)(void *ctx, uint32_t id, int x, int y, int w, int h);
	void (*close)(void *ctx, uint32_t id);
	/* Another program destroyed the window on the desk (xdotool
	 * windowclose): it is made again at once where it was (NULL: not
	 * wanted). */
	void (*destroyed)(void *ctx, uint32_t id);
	void (*focus)(void *ctx, uint32_t id);
	/* The desk restacked its windows (its window manager, a program
	 * there): the framed ones, bottom to top. */
	void (*restacked)(void *ctx, const uint32_t *ids, unsigned n);
	/* The desk display's screen is now w x h (RANDR; NULL: not wanted). */
	void (*screen)(void *ctx, int w, int h);
};
struct ds_seamless_win {
	uint32_t id, transient_for; /* the caller's ids; 0: none */
	bool override;		    /* override-redirect: placed by its parent */
	int x, y, w, h;		    /* on the host */
	bool positioned; /* its program asked for x, y; else the desk's window manager places it */
	/* Its program asked for the full screen, or to be maximized: asked
	 * of the desk's window manager. */
	bool fullscreen, maximized;
	bool undecorated; /* its program asked for no decorations: asked of the desk's window manager */
	struct rp_xhints size; /* as XWIN carries them */
	const char *title, *wm_class, *icon_name;
	const char *machine; /* the host's name (WM_CLIENT_MACHINE); NULL, "": none */
};
struct ds_backend *ds_seamless_create(const char *display, char *err, size_t errn);
bool ds_seamless(const struct ds_backend *b); /* is b the seamless backend? */
/* The size in pixels of display's screen (NULL: $DISPLAY), for a host
 * display made to match it; false when it cannot be reached. */
bool ds_seamless_screen_size(const char *display, unsigned *w, unsigned *h);
/* The same for the display a seamless backend shows windows on. */
void ds_seamless_size(const struct ds_backend *b, unsigned *w, unsigned *h);
void ds_seamless_set_ops(struct ds_backend *b, const struct ds_seamless_ops *ops, void *ctx);
/* Make the window (shown at once) or change its names, hints, size; its
 * pixels come from surf (not owned), drawn where it has damage. */
int ds_seamless_map(struct ds_backend *b, const struct ds_seamless_win *m, struct ds_xsurf *surf);
void ds_seamless_unmap(struct ds_backend *b, uint32_t id);
void ds_seamless_draw(struct ds_backend *b, uint32_t id);
/* On top of the desk's windows (a window manager may refuse): the
 * host's stacking, raised in turn from the bottom. */
void ds_seamless_raise(struct ds_backend *b, uint32_t id);
/* ms until a dispatch has something to do with no event to read (the
 * desk's restacking, held while it carries out ds_seamless_raise, is
 * then told); -1: nothing. */
long ds_seamless_wait_ms(struct ds_backend *b);
/* The host's pointer shape (ARGB premultiplied, w x h, hot spot) on every
 * window; argb NULL: the desk's own. -ENOTSUP without Render. */
int ds_seamless_cursor(struct ds_backend *b, const uint32_t *argb, int w, int h, int xhot,
		       int yhot);
/* Window id's bounding shape (input: its input shape) as region, in its
 * pixels; NULL: the whole window again. Nothing on a display without
 * SHAPE. */
void ds_seamless_shape(struct ds_backend *b, uint32_t id, bool input,
		       const pixman_region32_t *region);
/* Window id's program drags it (EWMH's _NET_WM_MOVERESIZE direction,
 * button): asked of the desk's window manager where the pointer is, if
 * button is still down (else it would follow the pointer unasked). */
void ds_seamless_moveresize(struct ds_backend *b, uint32_t id, int direction, int button);
/* The desk's X window of id (0: none), for tests and tools. */
uint32_t ds_seamless_window(struct ds_backend *b, uint32_t id);

/* The keyboard layout a desk sends an X session (keymap.c): the
 * backend's own (x11) or the default one xkbcommon makes from its names
 * (headless, XKB_DEFAULT_LAYOUT and friends apply). */
struct ds_keymap;
struct ds_keymap *ds_keymap_create(struct ds_backend *b, char *err, size_t errn);
void ds_keymap_destroy(struct ds_keymap *k); /* takes NULL */
/* The keymap as xkb text (NUL-terminated, owned by k). */
const char *ds_keymap_text(const struct ds_keymap *k, size_t *n);
/* The keycodes to press, in order, to type keysym with mods (WM_MOD_*)
 * held: the modifier keys first, the key last; release in reverse.
 * Returns how many (at most max), 0 when no key types it. */
int ds_keymap_keys(const struct ds_keymap *k, uint32_t keysym, uint32_t mods, uint8_t *codes,
		   int max);
/* The modifier (WM_MOD_*) keycode's key holds (Shift, Control, Alt or
 * Meta, Super or Hyper at its first level); 0: none of them. */
uint32_t ds_keymap_key_mod(const struct ds_keymap *k, uint8_t keycode);
/* Scripted input (`telly view --input FILE`), one step a line:
 *   type "TEXT"          keys for each character (\n Return, \t Tab, \e Esc)
 *   key [MOD+]...NAME    one key: xkb keysym name, ctrl/shift/alt/super
 *   move DX DY           a relative pointer motion
 *   key-down [MOD+]...NAME / key-up [MOD+]...NAME   the key's press (modifier
 *                        keys first) or release (them last) alone, into the
 *                        focused X window, no binding looked at; on a terminal
 *                        key-down is key and key-up does nothing
 *   click [MOD+][BUTTON] press and release (default 1; 4, 5 the wheel, 6, 7
 *                        left and right; shift+1 a shift+click)
 *   press [MOD+][BUTTON] / release [MOD+][BUTTON]   a button down or up alone
 *   wait "TEXT" [SECS] [row N]   until TEXT is on the focused window (default
 *                        20 s); with row, on its row N (1 the top, -1 the bottom;
 *                        the row's trailing blanks are not part of it)
 *   screenshot FILE      the frame as PNG
 *   wait-window "TITLE" [SECS]   until a window whose title contains TITLE
 *                        is drawn (default 20 s); it is then raised and focused
 *   wait-update [SECS]   until the focused X window (or its menus) shows
 *                        pixels changed by the last input (default 20 s)
 *   click-window X Y [MOD+][BUTTON]   the pointer to X, Y from the focused
 *                        window's client corner (may be outside it), a click
 * Blank lines and lines starting with # are skipped. */
#define DS_STEP_TEXT_MAX 1024
enum ds_step_type {
	DS_STEP_TYPE, DS_STEP_KEY, DS_STEP_MOVE, DS_STEP_CLICK, DS_STEP_PRESS,
	DS_STEP_RELEASE, DS_STEP_WAIT, DS_STEP_SCREENSHOT,
	DS_STEP_WAIT_WINDOW, DS_STEP_WAIT_UPDATE, DS_STEP_CLICK_WINDOW,
	DS_STEP_KEY_DOWN, DS_STEP_KEY_UP,
};
struct ds_step {
	enum ds_step_type type;
	int line;
	char text[DS_STEP_TEXT_MAX]; /* TYPE, WAIT, SCREENSHOT, WAIT_WINDOW */
	uint32_t keysym, mods;       /* KEY, KEY_DOWN, KEY_UP; mods also CLICK, PRESS, RELEASE, CLICK_WINDOW */
	double dx, dy;               /* MOVE; CLICK_WINDOW: X, Y (whole pixels) */
	int button;                  /* CLICK, PRESS, RELEASE, CLICK_WINDOW */
	int timeout_ms;              /* WAIT, WAIT_WINDOW, WAIT_UPDATE */
	int row;                     /* WAIT: 1.. from the top, -1.. from the bottom; 0 any */
};
/* 1 with *out filled, 0 for a blank or comment line, -EINVAL with err
 * saying what is wrong. */
int ds_step_parse(const char *line, int lineno, struct ds_step *out, char *err, size_t errn);
/* The keysym that types codepoint cp, and the character a keysym types
 * (0: none). */
uint32_t ds_keysym_for(uint32_t cp);
uint32_t ds_codepoint_of(uint32_t keysym);
/* Decode one UTF-8 character of s (at most n bytes): its length, or 1
 * with U+FFFD for a bad byte. */
int ds_utf8_next(const char *s, size_t n, uint32_t *cp);

/* The frame timer for output: a repaint is due now if the last one was
 * at least DS_FRAME_NS ago, else at last + DS_FRAME_NS (a burst is drawn
 * once a frame). What answers a key is drawn at once (the caller knows). */
#define DS_FRAME_NS 8000000ull
static inline uint64_t ds_frame_due(uint64_t last_ns, uint64_t now_ns)
{
	return now_ns - last_ns >= DS_FRAME_NS ? now_ns : last_ns + DS_FRAME_NS;
}

#endif
