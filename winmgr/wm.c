/* winmgr: stacking, focus history, hit testing, pointer acceleration,
 * move/resize drags and key bindings, as plain functions over struct wm.
 *
 * Stacking and focus are kept apart on purpose (dwm does the same): the
 * stack says what covers what, the focus history says who gets the focus
 * back when a window goes, so closing a window returns to the one used
 * before it, not to whatever happens to be under it.
 */
#include "wm.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* A title bar stays this many pixels on screen, so it can be grabbed back. */
#define KEEP_VISIBLE_PX 32
/* Cascade step for new windows. */
#define PLACE_STEP_PX 32
/* Adaptive profile: velocities are pixels per millisecond. */
#define ACCEL_THRESHOLD 0.4 /* below it, the base factor */
#define ACCEL_INCLINE 1.1   /* factor gained per px/ms above it */
/* A pause longer than this starts a new motion (its velocity is low). */
#define MOTION_GAP_MS 100.0

static void emit(struct wm_actions *out, const struct wm_action *a)
{
	if (out && out->n < WM_MAX_ACTIONS)
		out->a[out->n++] = *a;
}

static int index_of(const struct wm *wm, uint32_t id)
{
	for (unsigned i = 0; i < wm->n; i++)
		if (wm->win[i].id == id)
			return (int)i;
	return -1;
}

const struct wm_window *wm_find(const struct wm *wm, uint32_t id)
{
	int i = index_of(wm, id);
	return i < 0 ? NULL : &wm->win[i];
}

void wm_init(struct wm *wm, const struct wm_config *cfg)
{
	memset(wm, 0, sizeof *wm);
	wm->cfg = *cfg;
	if (!wm->cfg.nbind || wm->cfg.nbind > WM_MAX_BINDINGS)
		wm->cfg.nbind = wm_default_bindings(wm->cfg.bind);
	if (wm->cfg.min_w < 2 * cfg->border + 1)
		wm->cfg.min_w = 2 * cfg->border + 1;
	if (wm->cfg.min_h < cfg->title_h + 2 * cfg->border + 1)
		wm->cfg.min_h = cfg->title_h + 2 * cfg->border + 1;
	wm->cx = cfg->screen_w / 2;
	wm->cy = cfg->screen_h / 2;
}

struct wm_box wm_client_box(const struct wm *wm, const struct wm_box *o)
{
	int b = wm->cfg.border, t = wm->cfg.title_h;
	struct wm_box c = {o->x + b, o->y + b + t, o->w - 2 * b, o->h - 2 * b - t};

	if (c.w < 0)
		c.w = 0;
	if (c.h < 0)
		c.h = 0;
	return c;
}

static void history_remove(struct wm *wm, uint32_t id)
{
	for (unsigned i = 0; i < wm->nhistory; i++) {
		if (wm->history[i] == id) {
			memmove(&wm->history[i], &wm->history[i + 1],
				(wm->nhistory - i - 1) * sizeof wm->history[0]);
			wm->nhistory--;
			return;
		}
	}
}

static void raise_index(struct wm *wm, int i)
{
	struct wm_window w = wm->win[i];

	memmove(&wm->win[i], &wm->win[i + 1], (wm->n - (unsigned)i - 1) * sizeof w);
	wm->win[wm->n - 1] = w;
}

void wm_focus(struct wm *wm, uint32_t id, struct wm_actions *out)
{
	int i = index_of(wm, id);

	if (i < 0)
		return;
	raise_index(wm, i);
	history_remove(wm, id);
	memmove(&wm->history[1], &wm->history[0], wm->nhistory * sizeof wm->history[0]);
	wm->history[0] = id;
	wm->nhistory++;
	if (wm->focus != id || (unsigned)i != wm->n - 1) {
		wm->focus = id;
		emit(out, &(struct wm_action){.type = WM_ACT_FOCUS, .window = id});
	}
}

/* Keep a box's size within limits and its title bar reachable. */
static struct wm_box clamp_box(const struct wm *wm, struct wm_box b)
{
	const struct wm_config *c = &wm->cfg;
	int keep = KEEP_VISIBLE_PX;

	if (b.w < c->min_w)
		b.w = c->min_w;
	if (b.h < c->min_h)
		b.h = c->min_h;
	if (keep > b.w)
		keep = b.w;
	if (b.x > c->screen_w - keep)
		b.x = c->screen_w - keep;
	if (b.x < keep - b.w)
		b.x = keep - b.w;
	if (b.y > c->screen_h - c->title_h - c->border)
		b.y = c->screen_h - c->title_h - c->border;
	if (b.y < 0)
		b.y = 0;
	return b;
}

static void set_box(struct wm_window *w, struct wm_box b, struct wm_actions *out)
{
	if (!memcmp(&w->box, &b, sizeof b))
		return;
	w->box = b;
	emit(out, &(struct wm_action){.type = WM_ACT_GEOMETRY, .window = w->id, .box = b});
}

/* A new window at b (clamped), on top and focused. */
static int add(struct wm *wm, uint32_t id, struct wm_box b, struct wm_actions *out)
{
	struct wm_window *win;

	if (index_of(wm, id) >= 0)
		return -EEXIST;
	if (wm->n == WM_MAX_WINDOWS)
		return -ENOSPC;
	win = &wm->win[wm->n++];
	memset(win, 0, sizeof *win);
	win->id = id;
	win->box = clamp_box(wm, b);
	emit(out, &(struct wm_action){.type = WM_ACT_GEOMETRY, .window = id, .box = win->box});
	wm_focus(wm, id, out);
	return 0;
}

int wm_manage_at(struct wm *wm, uint32_t id, struct wm_box b, struct wm_actions *out)
{
	return add(wm, id, b, out);
}

int wm_manage(struct wm *wm, uint32_t id, int w, int h, struct wm_actions *out)
{
	const struct wm_config *c = &wm->cfg;
	struct wm_box b;
	int span_x, span_y;

	if (index_of(wm, id) >= 0)
		return -EEXIST;
	if (wm->n == WM_MAX_WINDOWS)
		return -ENOSPC;
	if (w > c->screen_w)
		w = c->screen_w;
	if (h > c->screen_h)
		h = c->screen_h;
	/* A cascade that wraps before it leaves the screen. */
	span_x = c->screen_w - w;
	span_y = c->screen_h - h;
	b.x = (int)(wm->next_place * PLACE_STEP_PX);
	b.y = (int)(wm->next_place * PLACE_STEP_PX);
	if (b.x > span_x || b.y > span_y) {
		wm->next_place = 0;
		b.x = b.y = 0;
	}
	wm->next_place++;
	b.w = w;
	b.h = h;
	return add(wm, id, b, out);
}

void wm_unmanage(struct wm *wm, uint32_t id, struct wm_actions *out)
{
	int i = index_of(wm, id);

	if (i < 0)
		return;
	memmove(&wm->win[i], &wm->win[i + 1], (wm->n - (unsigned)i - 1) * sizeof wm->win[0]);
	wm->n--;
	history_remove(wm, id);
	if (wm->drag == id)
		wm->drag = 0;
	if (wm->focus != id)
		return;
	wm->focus = 0;
	if (wm->nhistory)
		wm_focus(wm, wm->history[0], out);
	else
		emit(out, &(struct wm_action){.type = WM_ACT_FOCUS, .window = 0});
}

void wm_set_screen(struct wm *wm, int w, int h, struct wm_actions *out)
{
	wm->cfg.screen_w = w;
	wm->cfg.screen_h = h;
	for (unsigned i = 0; i < wm->n; i++) {
		struct wm_window *win = &wm->win[i];
		struct wm_box b = win->maximized ? (struct wm_box){0, 0, w, h} : win->box;
		if (b.w > w)
			b.w = w;
		if (b.h > h)
			b.h = h;
		set_box(win, clamp_box(wm, b), out);
	}
	wm_warp(wm, (int)wm->cx, (int)wm->cy, out);
}

void wm_set_through(struct wm *wm, bool (*fn)(void *ctx, uint32_t id, int x, int y), void *ctx)
{
	wm->through = fn;
	wm->through_ctx = ctx;
}

const struct wm_window *wm_at(const struct wm *wm, int x, int y, enum wm_part *part,
			      unsigned *edges)
{
	int bw = wm->cfg.border, th = wm->cfg.title_h;

	for (unsigned k = wm->n; k-- > 0;) {
		const struct wm_window *w = &wm->win[k];
		const struct wm_box *b = &w->box;
		unsigned e = 0;
		if (x < b->x || y < b->y || x >= b->x + b->w || y >= b->y + b->h)
			continue;
		if (x < b->x + bw)
			e |= WM_EDGE_LEFT;
		if (x >= b->x + b->w - bw)
			e |= WM_EDGE_RIGHT;
		if (y < b->y + bw)
			e |= WM_EDGE_TOP;
		if (y >= b->y + b->h - bw)
			e |= WM_EDGE_BOTTOM;
		bool client = !e && y >= b->y + bw + th;
		if (client && wm->through &&
		    wm->through(wm->through_ctx, w->id, x - b->x - bw, y - b->y - bw - th))
			continue;
		if (edges)
			*edges = e;
		if (part)
			*part = e ? WM_PART_BORDER : client ? WM_PART_CLIENT : WM_PART_TITLE;
		return w;
	}
	if (part)
		*part = WM_PART_NONE;
	if (edges)
		*edges = 0;
	return NULL;
}

double wm_accel_factor(const struct wm_config *cfg, double v)
{
	double s = cfg->speed < -1 ? -1 : cfg->speed > 1 ? 1 : cfg->speed;
	double base, threshold, max, f;

	if (cfg->profile == WM_ACCEL_FLAT)
		return 1 + s;
	/* As libinput's adaptive profile: a constant factor for slow, precise
	 * motion, then a linear rise with velocity up to a ceiling. A higher
	 * speed raises the base, lowers the threshold and raises the ceiling;
	 * at -1 there is no acceleration at all. */
	base = 1 + s / 2;
	threshold = ACCEL_THRESHOLD - 0.2 * s;
	max = base * (2 + s);
	if (v <= threshold)
		return base;
	f = base + ACCEL_INCLINE * (v - threshold);
	return f > max ? max : f;
}

/* The left or top edge follows by d; the opposite edge stays put. */
static void move_start_edge(int *pos, int *len, int d, int min)
{
	int n = *len - d < min ? min : *len - d;

	*pos += *len - n;
	*len = n;
}

static void drag_to(struct wm *wm, struct wm_actions *out)
{
	int i = index_of(wm, wm->drag);
	struct wm_box b = wm->drag_box;
	int dx = (int)floor(wm->cx - wm->drag_x), dy = (int)floor(wm->cy - wm->drag_y);
	const struct wm_config *c = &wm->cfg;

	if (i < 0)
		return;
	if (!wm->drag_edges) {
		b.x += dx;
		b.y += dy;
		set_box(&wm->win[i], clamp_box(wm, b), out);
		return;
	}
	/* Resizing: the grabbed edges follow the cursor, the others stay. */
	if (wm->drag_edges & WM_EDGE_RIGHT)
		b.w += dx;
	if (wm->drag_edges & WM_EDGE_BOTTOM)
		b.h += dy;
	if (wm->drag_edges & WM_EDGE_LEFT)
		move_start_edge(&b.x, &b.w, dx, c->min_w);
	if (wm->drag_edges & WM_EDGE_TOP)
		move_start_edge(&b.y, &b.h, dy, c->min_h);
	if (b.w < c->min_w)
		b.w = c->min_w;
	if (b.h < c->min_h)
		b.h = c->min_h;
	if (b.x < 0) {
		b.w += b.x;
		b.x = 0;
	}
	if (b.y < 0) {
		b.h += b.y;
		b.y = 0;
	}
	if (b.x + b.w > c->screen_w)
		b.w = c->screen_w - b.x;
	if (b.y + b.h > c->screen_h)
		b.h = c->screen_h - b.y;
	wm->win[i].maximized = false;
	set_box(&wm->win[i], b, out);
}

static void moved(struct wm *wm, double x, double y, struct wm_actions *out)
{
	int ox = (int)wm->cx, oy = (int)wm->cy;
	double maxx = wm->cfg.screen_w - 1, maxy = wm->cfg.screen_h - 1;

	wm->cx = x < 0 ? 0 : x > maxx ? maxx : x;
	wm->cy = y < 0 ? 0 : y > maxy ? maxy : y;
	if ((int)wm->cx == ox && (int)wm->cy == oy)
		return;
	emit(out, &(struct wm_action){.type = WM_ACT_CURSOR, .x = (int)wm->cx, .y = (int)wm->cy});
	if (wm->drag)
		drag_to(wm, out);
}

void wm_motion(struct wm *wm, double dx, double dy, uint64_t time_us, struct wm_actions *out)
{
	double dt = wm->last_motion_us && time_us > wm->last_motion_us
			    ? (double)(time_us - wm->last_motion_us) / 1000.0
			    : MOTION_GAP_MS;
	double f;

	if (dt > MOTION_GAP_MS)
		dt = MOTION_GAP_MS;
	if (dt < 1)
		dt = 1;
	wm->last_motion_us = time_us;
	f = wm_accel_factor(&wm->cfg, hypot(dx, dy) / dt);
	moved(wm, wm->cx + dx * f, wm->cy + dy * f, out);
}

void wm_warp(struct wm *wm, int x, int y, struct wm_actions *out)
{
	moved(wm, x, y, out);
}

void wm_button(struct wm *wm, int button, bool pressed, struct wm_actions *out)
{
	const struct wm_window *w;
	enum wm_part part;
	unsigned edges;

	if (button != 1)
		return;
	if (!pressed) {
		wm->drag = 0;
		return;
	}
	w = wm_at(wm, (int)wm->cx, (int)wm->cy, &part, &edges);
	if (!w)
		return;
	wm_focus(wm, w->id, out);
	w = wm_find(wm, wm->focus);
	if (part == WM_PART_TITLE || part == WM_PART_BORDER) {
		wm->drag = w->id;
		wm->drag_edges = part == WM_PART_BORDER ? edges : 0;
		wm->drag_box = w->box;
		wm->drag_x = wm->cx;
		wm->drag_y = wm->cy;
	}
}

void wm_cycle(struct wm *wm, int dir, struct wm_actions *out)
{
	int i = index_of(wm, wm->focus), j;

	if (wm->n < 2 || i < 0)
		return;
	/* The focused window is on top; the stack rotates: "next" brings the
	 * bottom one up, "previous" sends the top one to the bottom. */
	if (dir < 0) {
		struct wm_window top = wm->win[wm->n - 1];
		memmove(&wm->win[1], &wm->win[0], (wm->n - 1) * sizeof top);
		wm->win[0] = top;
	}
	j = dir > 0 ? 0 : (int)wm->n - 1;
	wm_focus(wm, wm->win[j].id, out);
}

void wm_toggle_maximize(struct wm *wm, uint32_t id, struct wm_actions *out)
{
	int i = index_of(wm, id);
	struct wm_window *w;

	if (i < 0)
		return;
	w = &wm->win[i];
	if (w->maximized) {
		w->maximized = false;
		set_box(w, clamp_box(wm, w->restore), out);
	} else {
		w->restore = w->box;
		w->maximized = true;
		set_box(w, (struct wm_box){0, 0, wm->cfg.screen_w, wm->cfg.screen_h}, out);
	}
}

static const char *const bind_names[WM_BIND_N] = {
	[WM_BIND_NONE] = "none",	 [WM_BIND_NEW_TERMINAL] = "new-terminal",
	[WM_BIND_NEXT] = "next",	 [WM_BIND_PREV] = "previous",
	[WM_BIND_CLOSE] = "close",	 [WM_BIND_MAXIMIZE] = "maximize",
	[WM_BIND_COPY] = "copy",	 [WM_BIND_PASTE] = "paste",
	[WM_BIND_PASTE_PRIMARY] = "paste-primary", [WM_BIND_RECONNECT] = "reconnect",
};

const char *wm_bind_name(enum wm_bind_action a)
{
	return a < WM_BIND_N ? bind_names[a] : "?";
}

enum wm_bind_action wm_bind_lookup(const char *name)
{
	for (int a = 0; a < WM_BIND_N; a++)
		if (!strcmp(bind_names[a], name))
			return (enum wm_bind_action)a;
	return WM_BIND_N;
}

unsigned wm_default_bindings(struct wm_binding *b)
{
	/* ctrl+shift+KEY, as terminal emulators' own: keys a terminal
	 * program never sees distinctly anyway. */
	static const struct wm_binding def[] = {
		{WM_MOD_CTRL | WM_MOD_SHIFT, WM_KEY_RETURN, WM_BIND_NEW_TERMINAL},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'j', WM_BIND_NEXT},
		{WM_MOD_CTRL | WM_MOD_SHIFT, WM_KEY_TAB, WM_BIND_NEXT},
		{WM_MOD_CTRL | WM_MOD_SHIFT, WM_KEY_ISO_LEFT_TAB, WM_BIND_NEXT},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'k', WM_BIND_PREV},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'w', WM_BIND_CLOSE},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'm', WM_BIND_MAXIMIZE},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'c', WM_BIND_COPY},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'v', WM_BIND_PASTE},
		{WM_MOD_CTRL | WM_MOD_SHIFT, 'r', WM_BIND_RECONNECT},
		{WM_MOD_SHIFT, WM_KEY_INSERT, WM_BIND_PASTE_PRIMARY},
	};

	memcpy(b, def, sizeof def);
	return sizeof def / sizeof def[0];
}

void wm_set_box(struct wm *wm, uint32_t id, struct wm_box box, struct wm_actions *out)
{
	int i = index_of(wm, id);

	if (i < 0 || wm->drag == id)
		return;
	wm->win[i].maximized = false;
	set_box(&wm->win[i], clamp_box(wm, box), out);
}

void wm_key(struct wm *wm, uint32_t keysym, uint32_t mods, struct wm_actions *out)
{
	uint32_t k = keysym >= 'A' && keysym <= 'Z' ? keysym + 32 : keysym;
	uint32_t m = mods & (WM_MOD_CTRL | WM_MOD_SHIFT | WM_MOD_ALT | WM_MOD_SUPER);
	enum wm_bind_action act = WM_BIND_NONE;

	for (unsigned i = 0; i < wm->cfg.nbind; i++) {
		if (wm->cfg.bind[i].keysym == k && wm->cfg.bind[i].mods == m) {
			act = wm->cfg.bind[i].action;
			break;
		}
	}
	switch (act) {
	case WM_BIND_NEW_TERMINAL:
		emit(out, &(struct wm_action){.type = WM_ACT_NEW_TERMINAL});
		return;
	case WM_BIND_NEXT:
		wm_cycle(wm, 1, out);
		return;
	case WM_BIND_PREV:
		wm_cycle(wm, -1, out);
		return;
	case WM_BIND_CLOSE:
		if (wm->focus)
			emit(out, &(struct wm_action){.type = WM_ACT_CLOSE, .window = wm->focus});
		return;
	case WM_BIND_MAXIMIZE:
		wm_toggle_maximize(wm, wm->focus, out);
		return;
	case WM_BIND_RECONNECT:
		emit(out, &(struct wm_action){.type = WM_ACT_RECONNECT});
		return;
	case WM_BIND_COPY:
	case WM_BIND_PASTE:
	case WM_BIND_PASTE_PRIMARY:
		if (wm->focus)
			emit(out, &(struct wm_action){
					  .type = act == WM_BIND_COPY    ? WM_ACT_COPY
						  : act == WM_BIND_PASTE ? WM_ACT_PASTE
									 : WM_ACT_PASTE_PRIMARY,
					  .window = wm->focus});
		return;
	case WM_BIND_NONE:
	case WM_BIND_N:
		break;
	}
	if (wm->focus)
		emit(out, &(struct wm_action){.type = WM_ACT_KEY, .window = wm->focus,
					      .keysym = keysym, .mods = mods});
}
