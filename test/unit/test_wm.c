/* winmgr as plain function calls: hit testing at overlaps, focus after
 * close, key routing and bindings, drags, acceleration curve values,
 * resize limits. */
#include <errno.h>
#include <math.h>

#include "unit.h"
#include "wm.h"

static const struct wm_config CFG = {
	.screen_w = 800, .screen_h = 600, .title_h = 20, .border = 4,
	.min_w = 100, .min_h = 80, .profile = WM_ACCEL_FLAT, .speed = 0,
};

static const struct wm_action *find_act(const struct wm_actions *o, enum wm_action_type t)
{
	for (unsigned i = 0; i < o->n; i++)
		if (o->a[i].type == t)
			return &o->a[i];
	return NULL;
}

/* Windows 1, 2, 3 of 300x200, cascaded 32 px apart; 3 on top. */
static void three(struct wm *wm)
{
	wm_init(wm, &CFG);
	for (uint32_t id = 1; id <= 3; id++)
		CHECK_EQ(wm_manage(wm, id, 300, 200, NULL), 0);
}

static uint32_t top(const struct wm *wm)
{
	return wm->win[wm->n - 1].id;
}

static void manage_places_and_focuses(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	wm_init(&wm, &CFG);
	CHECK_EQ(wm_manage(&wm, 7, 300, 200, &o), 0);
	a = find_act(&o, WM_ACT_GEOMETRY);
	CHECK(a && a->window == 7 && a->box.w == 300 && a->box.h == 200);
	a = find_act(&o, WM_ACT_FOCUS);
	CHECK(a && a->window == 7);
	CHECK_EQ(wm.focus, 7);
	CHECK_EQ(wm_manage(&wm, 7, 300, 200, NULL), -EEXIST);
	CHECK_EQ(wm_manage(&wm, 8, 300, 200, NULL), 0);
	/* The second one is offset, so the first one's title stays visible. */
	CHECK(wm_find(&wm, 8)->box.x > wm_find(&wm, 7)->box.x);
	CHECK(wm_find(&wm, 8)->box.y >= wm_find(&wm, 7)->box.y + CFG.title_h);
	/* One with a place of its own is there, and takes no step of the
	 * cascade: the next one goes where it would have. */
	{
		struct wm w2;
		wm_init(&w2, &CFG);
		CHECK_EQ(wm_manage_at(&w2, 1, (struct wm_box){400, 300, 200, 100}, NULL), 0);
		CHECK(wm_find(&w2, 1)->box.x == 400 && wm_find(&w2, 1)->box.y == 300);
		CHECK_EQ(wm_manage_at(&w2, 1, (struct wm_box){0, 0, 200, 100}, NULL), -EEXIST);
		CHECK_EQ(w2.focus, 1);
		CHECK_EQ(wm_manage(&w2, 2, 300, 200, NULL), 0);
		CHECK(wm_find(&w2, 2)->box.x == 0 && wm_find(&w2, 2)->box.y == 0);
	}
	/* Bigger than the screen: clamped to it. */
	CHECK_EQ(wm_manage(&wm, 9, 5000, 5000, NULL), 0);
	CHECK_EQ(wm_find(&wm, 9)->box.w, 800);
	CHECK_EQ(wm_find(&wm, 9)->box.h, 600);
	for (uint32_t id = 10; id < 10 + WM_MAX_WINDOWS - 3; id++)
		CHECK_EQ(wm_manage(&wm, id, 200, 100, NULL), 0);
	CHECK_EQ(wm_manage(&wm, 999, 200, 100, NULL), -ENOSPC);
	for (unsigned i = 0; i < wm.n; i++) {
		const struct wm_box *b = &wm.win[i].box;
		CHECK(b->x >= 0 && b->y >= 0 && b->x + b->w <= 800 && b->y + b->h <= 600);
	}
}

static void hit_test_overlaps(void)
{
	struct wm wm;
	enum wm_part part;
	unsigned edges;
	const struct wm_window *w;

	three(&wm);
	/* 1 at (0,0), 2 at (32,32), 3 at (64,64), each 300x200. */
	w = wm_at(&wm, 10, 10, &part, &edges);
	CHECK(w && w->id == 1 && part == WM_PART_TITLE && edges == 0);
	w = wm_at(&wm, 100, 75, &part, &edges);
	CHECK(w && w->id == 3 && part == WM_PART_TITLE); /* 3 covers 1 and 2 there */
	w = wm_at(&wm, 100, 200, &part, NULL);
	CHECK(w && w->id == 3 && part == WM_PART_CLIENT);
	w = wm_at(&wm, 40, 45, &part, NULL);
	CHECK(w && w->id == 2 && part == WM_PART_TITLE);
	w = wm_at(&wm, 64, 100, &part, &edges);
	CHECK(w && w->id == 3 && part == WM_PART_BORDER && edges == WM_EDGE_LEFT);
	w = wm_at(&wm, 363, 263, &part, &edges);
	CHECK(w && w->id == 3 && edges == (WM_EDGE_RIGHT | WM_EDGE_BOTTOM));
	w = wm_at(&wm, 364, 100, &part, NULL); /* one past 3's right edge (2 ends at 332) */
	CHECK(w == NULL && part == WM_PART_NONE);
	w = wm_at(&wm, 700, 500, &part, NULL);
	CHECK(w == NULL);
	/* The client box is inside title and borders. */
	{
		struct wm_box c = wm_client_box(&wm, &wm_find(&wm, 3)->box);
		CHECK_EQ(c.x, 68);
		CHECK_EQ(c.y, 88);
		CHECK_EQ(c.w, 292);
		CHECK_EQ(c.h, 172);
	}
}

/* Window 3's client area lets its left half through (an X window's input
 * shape), in its own coordinates. */
static bool left_half_through(void *ctx, uint32_t id, int x, int y)
{
	(void)ctx;
	(void)y;
	return id == 3 && x < 146;
}

/* A point that a window lets through is the one's below: hit, click and
 * focus; its title, borders and the rest of its client area are its. */
static void through_goes_below(void)
{
	struct wm wm;
	enum wm_part part;
	const struct wm_window *w;

	three(&wm);
	wm_set_through(&wm, left_half_through, NULL);
	/* 3's client area starts at 68,88 (292x172): 100,150 is its left half. */
	w = wm_at(&wm, 100, 150, &part, NULL);
	CHECK(w && w->id == 2 && part == WM_PART_CLIENT);
	w = wm_at(&wm, 300, 150, &part, NULL);
	CHECK(w && w->id == 3 && part == WM_PART_CLIENT);
	w = wm_at(&wm, 100, 75, &part, NULL); /* its title */
	CHECK(w && w->id == 3 && part == WM_PART_TITLE);
	w = wm_at(&wm, 65, 150, &part, NULL); /* its left border */
	CHECK(w && w->id == 3 && part == WM_PART_BORDER);
	w = wm_at(&wm, 100, 250, &part, NULL); /* through 3, with nothing below: the desktop */
	CHECK(w == NULL && part == WM_PART_NONE);
	wm_warp(&wm, 100, 150, NULL);
	wm_button(&wm, 1, true, NULL);
	wm_button(&wm, 1, false, NULL);
	CHECK_EQ(wm.focus, 2);
	CHECK_EQ(top(&wm), 2);
}

static void click_focuses_topmost_under_cursor(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	three(&wm);
	wm_warp(&wm, 10, 40, NULL); /* 1's client area, visible above 2 */
	wm_button(&wm, 1, true, &o);
	wm_button(&wm, 1, false, &o);
	a = find_act(&o, WM_ACT_FOCUS);
	CHECK(a && a->window == 1);
	CHECK_EQ(wm.focus, 1);
	CHECK_EQ(top(&wm), 1);
	/* Now 1 is on top: the same overlap hits 1. */
	CHECK_EQ(wm_at(&wm, 100, 150, NULL, NULL)->id, 1);
	/* Clicking the focused window again emits nothing. */
	o.n = 0;
	wm_button(&wm, 1, true, &o);
	wm_button(&wm, 1, false, &o);
	CHECK(find_act(&o, WM_ACT_FOCUS) == NULL);
	/* Other buttons and the desktop do not change focus. */
	wm_warp(&wm, 700, 500, NULL);
	wm_button(&wm, 1, true, &o);
	wm_button(&wm, 3, true, &o);
	CHECK_EQ(wm.focus, 1);
}

static void keys_go_to_focused_only(void)
{
	struct wm wm;
	struct wm_actions o = {0};

	wm_init(&wm, &CFG);
	wm_key(&wm, 'a', 0, &o);
	CHECK_EQ(o.n, 0); /* no window: nowhere to go */
	wm_manage(&wm, 1, 300, 200, NULL);
	wm_manage(&wm, 2, 300, 200, NULL);
	wm_key(&wm, 'a', WM_MOD_CTRL, &o);
	CHECK_EQ(o.n, 1);
	CHECK(o.a[0].type == WM_ACT_KEY && o.a[0].window == 2 && o.a[0].keysym == 'a' &&
	      o.a[0].mods == WM_MOD_CTRL);
	wm_focus(&wm, 1, NULL);
	o.n = 0;
	wm_key(&wm, 'b', 0, &o);
	CHECK(o.n == 1 && o.a[0].window == 1);
}

static void bindings(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const uint32_t cs = WM_MOD_CTRL | WM_MOD_SHIFT;

	three(&wm);
	wm_key(&wm, WM_KEY_RETURN, cs, &o);
	CHECK(o.n == 1 && o.a[0].type == WM_ACT_NEW_TERMINAL);
	o.n = 0;
	wm_key(&wm, 'W', cs, &o); /* shift makes the keysym upper case */
	CHECK(o.n == 1 && o.a[0].type == WM_ACT_CLOSE && o.a[0].window == 3);
	o.n = 0;
	wm_key(&wm, 'R', cs, &o); /* the link: redial now, whatever has the focus */
	CHECK(o.n == 1 && o.a[0].type == WM_ACT_RECONNECT);
	CHECK(wm_bind_lookup("reconnect") == WM_BIND_RECONNECT);
	/* Next: the bottom one comes up; around the whole stack. */
	wm_key(&wm, 'J', cs, NULL);
	CHECK_EQ(wm.focus, 1);
	wm_key(&wm, 'J', cs, NULL);
	CHECK_EQ(wm.focus, 2);
	wm_key(&wm, 'J', cs, NULL);
	CHECK_EQ(wm.focus, 3);
	/* Previous walks back the same way. */
	wm_key(&wm, 'K', cs, NULL);
	CHECK_EQ(wm.focus, 2);
	wm_key(&wm, 'K', cs, NULL);
	CHECK_EQ(wm.focus, 1);
	CHECK_EQ(top(&wm), wm.focus);
	/* With alt as well it is no binding: the key goes to the window. */
	o.n = 0;
	wm_key(&wm, 'j', cs | WM_MOD_ALT, &o);
	CHECK(o.n == 1 && o.a[0].type == WM_ACT_KEY);
	/* Maximize and back. */
	{
		struct wm_box before = wm_find(&wm, 1)->box;
		wm_key(&wm, 'M', cs, NULL);
		CHECK_EQ(wm_find(&wm, 1)->box.w, 800);
		CHECK_EQ(wm_find(&wm, 1)->box.h, 600);
		wm_key(&wm, 'M', cs, NULL);
		CHECK(!memcmp(&wm_find(&wm, 1)->box, &before, sizeof before));
	}
}

static void focus_after_close_is_history(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	three(&wm);
	wm_focus(&wm, 1, NULL); /* history: 1 3 2 */
	wm_focus(&wm, 2, NULL); /* history: 2 1 3; stack 3 1 2 */
	wm_unmanage(&wm, 2, &o);
	a = find_act(&o, WM_ACT_FOCUS);
	CHECK(a && a->window == 1); /* used before 2, although 3 is higher... */
	CHECK_EQ(top(&wm), 1);
	o.n = 0;
	wm_unmanage(&wm, 3, &o); /* not focused: focus stays */
	CHECK(find_act(&o, WM_ACT_FOCUS) == NULL);
	CHECK_EQ(wm.focus, 1);
	o.n = 0;
	wm_unmanage(&wm, 1, &o);
	a = find_act(&o, WM_ACT_FOCUS);
	CHECK(a && a->window == 0);
	CHECK_EQ(wm.n, 0);
	wm_unmanage(&wm, 42, &o); /* unknown: nothing */
}

static void title_drag_moves(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	three(&wm);
	wm_warp(&wm, 100, 70, NULL); /* 3's title */
	wm_button(&wm, 1, true, NULL);
	wm_motion(&wm, 50, 30, 1000, &o);
	a = find_act(&o, WM_ACT_GEOMETRY);
	CHECK(a && a->window == 3 && a->box.x == 114 && a->box.y == 94 && a->box.w == 300);
	wm_motion(&wm, -10, 0, 200000, NULL);
	CHECK_EQ(wm_find(&wm, 3)->box.x, 104);
	wm_button(&wm, 1, false, NULL);
	o.n = 0;
	wm_motion(&wm, 40, 40, 400000, &o);
	CHECK(find_act(&o, WM_ACT_GEOMETRY) == NULL); /* released: no drag */
	/* Dragged far off the screen: the title stays reachable. */
	wm_warp(&wm, wm_find(&wm, 3)->box.x + 50, wm_find(&wm, 3)->box.y + 10, NULL);
	wm_button(&wm, 1, true, NULL);
	wm_warp(&wm, 799, 599, NULL);
	{
		const struct wm_box *b = &wm_find(&wm, 3)->box;
		CHECK(b->x <= 800 - 32);
		CHECK(b->y <= 600 - CFG.title_h - CFG.border);
	}
	wm_warp(&wm, 0, 0, NULL);
	CHECK(wm_find(&wm, 3)->box.y >= 0);
	CHECK(wm_find(&wm, 3)->box.x + wm_find(&wm, 3)->box.w >= 32);
}

static void border_drag_resizes_within_limits(void)
{
	struct wm wm;
	struct wm_box b;

	three(&wm);
	/* Bottom-right corner of 3 (64,64 300x200). */
	wm_warp(&wm, 362, 262, NULL);
	wm_button(&wm, 1, true, NULL);
	wm_warp(&wm, 462, 312, NULL);
	b = wm_find(&wm, 3)->box;
	CHECK(b.x == 64 && b.y == 64 && b.w == 400 && b.h == 250);
	/* Past the minimum: stops at it. */
	wm_warp(&wm, 0, 0, NULL);
	b = wm_find(&wm, 3)->box;
	CHECK(b.x == 64 && b.y == 64 && b.w == CFG.min_w && b.h == CFG.min_h);
	/* Past the screen: stops at its edge. */
	wm_warp(&wm, 799, 599, NULL);
	b = wm_find(&wm, 3)->box;
	CHECK_EQ(b.x + b.w, 800);
	CHECK_EQ(b.y + b.h, 600);
	wm_button(&wm, 1, false, NULL);
	/* Left edge: the right edge stays put. */
	wm_warp(&wm, 64, 150, NULL);
	wm_button(&wm, 1, true, NULL);
	wm_warp(&wm, 30, 150, NULL);
	b = wm_find(&wm, 3)->box;
	CHECK_EQ(b.x, 30);
	CHECK_EQ(b.x + b.w, 800); /* the right edge stayed */
	wm_warp(&wm, 790, 150, NULL); /* left edge past the right one: minimum width */
	b = wm_find(&wm, 3)->box;
	CHECK_EQ(b.w, CFG.min_w);
	wm_button(&wm, 1, false, NULL);
}

static void resize_keeps_right_edge(void)
{
	struct wm wm;
	struct wm_box b0, b;

	three(&wm);
	b0 = wm_find(&wm, 3)->box;
	wm_warp(&wm, b0.x, b0.y + 100, NULL); /* left border */
	wm_button(&wm, 1, true, NULL);
	wm_warp(&wm, b0.x - 40, b0.y + 100, NULL);
	b = wm_find(&wm, 3)->box;
	CHECK_EQ(b.x, b0.x - 40);
	CHECK_EQ(b.x + b.w, b0.x + b0.w);
	CHECK_EQ(b.y, b0.y);
	CHECK_EQ(b.h, b0.h);
	/* Top edge, the same for the bottom. */
	wm_button(&wm, 1, false, NULL);
	wm_warp(&wm, b.x + 100, b.y, NULL);
	wm_button(&wm, 1, true, NULL);
	wm_warp(&wm, b.x + 100, b.y + 30, NULL);
	CHECK_EQ(wm_find(&wm, 3)->box.y, b0.y + 30);
	CHECK_EQ(wm_find(&wm, 3)->box.y + wm_find(&wm, 3)->box.h, b0.y + b0.h);
}

static void cursor_clamped_to_screen(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	wm_init(&wm, &CFG);
	CHECK_EQ((int)wm.cx, 400);
	wm_motion(&wm, -5000, -5000, 1000, &o);
	a = find_act(&o, WM_ACT_CURSOR);
	CHECK(a && a->x == 0 && a->y == 0);
	wm_motion(&wm, 5000, 5000, 200000, NULL);
	CHECK_EQ((int)wm.cx, 799);
	CHECK_EQ((int)wm.cy, 599);
	/* A motion that stays inside the same pixel emits nothing. */
	o.n = 0;
	wm_motion(&wm, 10, 10, 400000, &o);
	CHECK_EQ(o.n, 0);
	/* Fractions add up. */
	wm_warp(&wm, 100, 100, NULL);
	for (int i = 0; i < 4; i++)
		wm_motion(&wm, 0.25, 0, 1000000 + (uint64_t)i * 200000, NULL);
	CHECK_EQ((int)wm.cx, 101);
	/* A smaller screen moves the cursor in. */
	wm_set_screen(&wm, 50, 40, NULL);
	CHECK(wm.cx <= 49 && wm.cy <= 39);
}

static int near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void accel_curves(void)
{
	struct wm_config c = CFG;

	c.profile = WM_ACCEL_FLAT;
	c.speed = 0;
	CHECK(near(wm_accel_factor(&c, 0.1), 1.0));
	CHECK(near(wm_accel_factor(&c, 10), 1.0));
	c.speed = 0.5;
	CHECK(near(wm_accel_factor(&c, 3), 1.5));
	c.speed = 7; /* clamped to 1 */
	CHECK(near(wm_accel_factor(&c, 3), 2.0));

	c.profile = WM_ACCEL_ADAPTIVE;
	c.speed = 0;
	CHECK(near(wm_accel_factor(&c, 0.1), 1.0));  /* slow: the base */
	CHECK(near(wm_accel_factor(&c, 0.4), 1.0));  /* at the threshold */
	CHECK(near(wm_accel_factor(&c, 0.9), 1.55)); /* 1 + 1.1 * 0.5 */
	CHECK(near(wm_accel_factor(&c, 50), 2.0));   /* the ceiling */
	/* Monotonic in velocity, and in speed at a given velocity. */
	for (double v = 0; v < 5; v += 0.05)
		CHECK(wm_accel_factor(&c, v + 0.05) >= wm_accel_factor(&c, v));
	for (double s = -1; s < 1; s += 0.1) {
		struct wm_config lo = c, hi = c;
		lo.speed = s;
		hi.speed = s + 0.1;
		CHECK(wm_accel_factor(&hi, 1.0) >= wm_accel_factor(&lo, 1.0));
	}
	c.speed = -1; /* no acceleration at all */
	CHECK(near(wm_accel_factor(&c, 0.1), 0.5));
	CHECK(near(wm_accel_factor(&c, 100), 0.5));
	c.speed = 1;
	CHECK(near(wm_accel_factor(&c, 100), 4.5));
}

static void motion_uses_velocity(void)
{
	struct wm wm;
	struct wm_config c = CFG;

	c.profile = WM_ACCEL_ADAPTIVE;
	wm_init(&wm, &c);
	wm_warp(&wm, 100, 100, NULL);
	/* Slow: 4 px in 40 ms (0.1 px/ms), factor 1. */
	wm_motion(&wm, 4, 0, 1000000, NULL);
	wm_motion(&wm, 4, 0, 1040000, NULL);
	CHECK_EQ((int)wm.cx, 108);
	/* Fast: 40 px in 10 ms (4 px/ms), the ceiling, 2. */
	wm_motion(&wm, 40, 0, 1050000, NULL);
	CHECK_EQ((int)wm.cx, 188);
}

/* A box the far side says a window has (an X window its program moved):
 * taken within the limits, not while the person drags that window. */
static void set_box_from_far_side(void)
{
	struct wm wm;
	struct wm_actions o = {0};
	const struct wm_action *a;

	three(&wm);
	wm_set_box(&wm, 2, (struct wm_box){200, 150, 320, 240}, &o);
	a = find_act(&o, WM_ACT_GEOMETRY);
	CHECK(a && a->window == 2 && a->box.x == 200 && a->box.y == 150 && a->box.w == 320 &&
	      a->box.h == 240);
	CHECK_EQ(top(&wm), 3); /* no raise, no focus */
	CHECK(find_act(&o, WM_ACT_FOCUS) == NULL);
	o.n = 0;
	wm_set_box(&wm, 2, (struct wm_box){200, 150, 320, 240}, &o);
	CHECK_EQ(o.n, 0); /* the same: nothing */
	/* Too small, and far off the screen: within limits, title reachable. */
	wm_set_box(&wm, 2, (struct wm_box){5000, -40, 10, 10}, NULL);
	{
		const struct wm_box *b = &wm_find(&wm, 2)->box;
		CHECK(b->w == CFG.min_w && b->h == CFG.min_h);
		CHECK(b->x <= 800 - 32 && b->y == 0);
	}
	/* While it is dragged, the person's drag wins. */
	wm_warp(&wm, wm_find(&wm, 3)->box.x + 50, wm_find(&wm, 3)->box.y + 10, NULL);
	wm_button(&wm, 1, true, NULL);
	o.n = 0;
	wm_set_box(&wm, 3, (struct wm_box){0, 0, 400, 300}, &o);
	CHECK_EQ(o.n, 0);
	wm_set_box(&wm, 99, (struct wm_box){0, 0, 400, 300}, &o); /* unknown: nothing */
	CHECK_EQ(o.n, 0);
}

static const struct unit_case cases[] = {
	{"manage-places-and-focuses", manage_places_and_focuses},
	{"hit-test-overlaps", hit_test_overlaps},
	{"click-focuses-topmost-under-cursor", click_focuses_topmost_under_cursor},
	{"through-goes-below", through_goes_below},
	{"keys-go-to-focused-only", keys_go_to_focused_only},
	{"bindings", bindings},
	{"focus-after-close-is-history", focus_after_close_is_history},
	{"title-drag-moves", title_drag_moves},
	{"border-drag-resizes-within-limits", border_drag_resizes_within_limits},
	{"resize-keeps-right-edge", resize_keeps_right_edge},
	{"cursor-clamped-to-screen", cursor_clamped_to_screen},
	{"accel-curves", accel_curves},
	{"motion-uses-velocity", motion_uses_velocity},
	{"set-box-from-far-side", set_box_from_far_side},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
