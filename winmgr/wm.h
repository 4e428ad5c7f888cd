/* winmgr: pure window-management logic.
 *
 * It takes events (pointer deltas, buttons, keys, windows coming and going)
 * and returns actions (focus this, this window's box is now that, this key
 * goes to that window, run a new terminal, close that). No I/O, no X, no
 * allocation: the display server does what the actions say, and the tests
 * are plain function calls.
 *
 * Coordinates are screen pixels, y down. A window's box is its outer box:
 * title bar and borders included; the client area is what is inside them.
 */
#ifndef WM_H
#define WM_H

#include <stdbool.h>
#include <stdint.h>

#define WM_MAX_WINDOWS 64
#define WM_MAX_ACTIONS 8

/* Modifier bits, the X core protocol's (so backends pass them through). */
#define WM_MOD_SHIFT 0x01
#define WM_MOD_CTRL 0x04
#define WM_MOD_ALT 0x08
#define WM_MOD_SUPER 0x40

/* The few keysyms the bindings name (X keysym values, as xkbcommon's). */
#define WM_KEY_RETURN 0xff0d
#define WM_KEY_TAB 0xff09
#define WM_KEY_ISO_LEFT_TAB 0xfe20
#define WM_KEY_INSERT 0xff63

enum wm_accel_profile {
	WM_ACCEL_FLAT,     /* factor 1 + speed, whatever the velocity */
	WM_ACCEL_ADAPTIVE, /* factor grows with velocity (libinput's shape) */
};

/* What a key binding does. */
enum wm_bind_action {
	WM_BIND_NONE, /* the key goes to the focused window after all */
	WM_BIND_NEW_TERMINAL,
	WM_BIND_NEXT,
	WM_BIND_PREV,
	WM_BIND_CLOSE,
	WM_BIND_MAXIMIZE,
	WM_BIND_COPY,          /* the selection to the clipboard */
	WM_BIND_PASTE,         /* the clipboard into the focused window */
	WM_BIND_PASTE_PRIMARY, /* the primary selection into it */
	WM_BIND_RECONNECT,     /* the link is down or stuck: redial now */
	WM_BIND_N
};

/* A key binding: exactly these modifiers (WM_MOD_*) and this keysym (a
 * letter in lower case: shift's upper case matches it). */
struct wm_binding {
	uint32_t mods, keysym;
	enum wm_bind_action action;
};
#define WM_MAX_BINDINGS 32

struct wm_config {
	int screen_w, screen_h;
	int title_h, border; /* decoration, pixels */
	int min_w, min_h;    /* the smallest outer box */
	enum wm_accel_profile profile;
	double speed; /* -1 .. 1, as libinput's accel speed */
	/* The bindings, first match wins; none (nbind 0): wm_default_bindings. */
	struct wm_binding bind[WM_MAX_BINDINGS];
	unsigned nbind;
};

/* The bindings of a terminal emulator's kind: ctrl+shift+Return new
 * terminal, J/Tab next, K previous, W close, M maximize, C copy, V paste,
 * R reconnect; shift+Insert pastes the primary selection. Fills b (WM_MAX_BINDINGS),
 * returns how many. */
unsigned wm_default_bindings(struct wm_binding *b);
/* The name of an action as a config file says it ("new-terminal",
 * "next", ...), and back (WM_BIND_N: none such). */
const char *wm_bind_name(enum wm_bind_action a);
enum wm_bind_action wm_bind_lookup(const char *name);

struct wm_box {
	int x, y, w, h;
};

struct wm_window {
	uint32_t id;
	struct wm_box box;
	struct wm_box restore; /* the box before maximizing */
	bool maximized;
};

enum wm_part {
	WM_PART_NONE,   /* the desktop */
	WM_PART_CLIENT, /* inside the decoration */
	WM_PART_TITLE,
	WM_PART_BORDER,
};

/* Edges of a border grab. */
#define WM_EDGE_LEFT 1
#define WM_EDGE_RIGHT 2
#define WM_EDGE_TOP 4
#define WM_EDGE_BOTTOM 8

enum wm_action_type {
	WM_ACT_FOCUS,        /* window is focused and on top (0: nothing is) */
	WM_ACT_GEOMETRY,     /* window's box changed (move, resize, maximize) */
	WM_ACT_KEY,          /* key goes to window */
	WM_ACT_NEW_TERMINAL, /* the user asked for a new terminal */
	WM_ACT_CLOSE,        /* the user asked to close window */
	WM_ACT_CURSOR,       /* the cursor moved to x, y */
	WM_ACT_COPY,         /* copy window's selection to the clipboard */
	WM_ACT_PASTE,        /* paste the clipboard into window */
	WM_ACT_PASTE_PRIMARY, /* paste the primary selection into window */
	WM_ACT_RECONNECT,    /* the user asked to redial the host now */
};

struct wm_action {
	enum wm_action_type type;
	uint32_t window;
	struct wm_box box;
	uint32_t keysym, mods;
	int x, y;
};

struct wm_actions {
	unsigned n;
	struct wm_action a[WM_MAX_ACTIONS];
};

struct wm {
	struct wm_config cfg;
	/* Stacking order, bottom first. */
	struct wm_window win[WM_MAX_WINDOWS];
	unsigned n;
	/* Focus history, most recent first (ids). */
	uint32_t history[WM_MAX_WINDOWS];
	unsigned nhistory;
	uint32_t focus;
	/* The cursor, with the fraction a delta left over. */
	double cx, cy;
	uint64_t last_motion_us;
	/* A drag in progress: which window, what part, from where. */
	uint32_t drag;
	unsigned drag_edges; /* 0: a move */
	struct wm_box drag_box;
	double drag_x, drag_y;
	unsigned next_place;
	/* Points of a window's client area that go to what is below (an X
	 * window's input shape: wm_set_through); NULL: none. */
	bool (*through)(void *ctx, uint32_t id, int x, int y);
	void *through_ctx;
};

void wm_init(struct wm *wm, const struct wm_config *cfg);
/* A new window of outer size w x h, placed in a cascade, on top and
 * focused. Returns 0, or -ENOSPC (too many) / -EEXIST. */
int wm_manage(struct wm *wm, uint32_t id, int w, int h, struct wm_actions *out);
/* The same for a window that has a place of its own (an X window the
 * host has there): at b, kept on the screen; the cascade goes on as if it
 * had not come. */
int wm_manage_at(struct wm *wm, uint32_t id, struct wm_box b, struct wm_actions *out);
/* A window went away: the one focused before it gets the focus back. */
void wm_unmanage(struct wm *wm, uint32_t id, struct wm_actions *out);
void wm_set_screen(struct wm *wm, int w, int h, struct wm_actions *out);

/* A relative pointer motion at time_us (monotonic), accelerated by the
 * profile and clamped to the screen; a drag moves or resizes its window. */
void wm_motion(struct wm *wm, double dx, double dy, uint64_t time_us, struct wm_actions *out);
/* An absolute position (a pointer that is not relative). */
void wm_warp(struct wm *wm, int x, int y, struct wm_actions *out);
void wm_button(struct wm *wm, int button, bool pressed, struct wm_actions *out);
void wm_key(struct wm *wm, uint32_t keysym, uint32_t mods, struct wm_actions *out);

/* Focus the next (dir 1) or previous (-1) window in stacking order. */
void wm_cycle(struct wm *wm, int dir, struct wm_actions *out);
void wm_focus(struct wm *wm, uint32_t id, struct wm_actions *out);
void wm_toggle_maximize(struct wm *wm, uint32_t id, struct wm_actions *out);
/* Put a window at a box the far side says it has (an X window moved or
 * resized by its program), kept within the limits and the screen as a
 * drag would be; not during the window's own drag. */
void wm_set_box(struct wm *wm, uint32_t id, struct wm_box box, struct wm_actions *out);

/* fn(ctx, id, x, y): whether the point x, y of window id's client area
 * (in it) goes to what is below it, for wm_at and the clicks and focus
 * that go by it (NULL: no point does). Kept until wm_init. */
void wm_set_through(struct wm *wm, bool (*fn)(void *ctx, uint32_t id, int x, int y), void *ctx);
/* The topmost window at x, y and which part of it (NULL: the desktop);
 * a point its window lets through (wm_set_through) is the one's below. */
const struct wm_window *wm_at(const struct wm *wm, int x, int y, enum wm_part *part,
			      unsigned *edges);
const struct wm_window *wm_find(const struct wm *wm, uint32_t id);
/* The client area inside a window's box. */
struct wm_box wm_client_box(const struct wm *wm, const struct wm_box *outer);
/* The acceleration factor at a velocity in pixels per millisecond. */
double wm_accel_factor(const struct wm_config *cfg, double velocity);

#endif
