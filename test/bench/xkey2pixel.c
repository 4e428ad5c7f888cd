/* xkey2pixel: keystroke-to-pixel and scrolling frame rate of an X program
 * as the desk sees it, whatever carries it there (drawn straight, ssh -X,
 * xpra, VNC, telly). Runs against the desk's X display ($DISPLAY).
 *
 *   xkey2pixel keys --name TITLE [--count N] [--gap MIN_MS:MAX_MS]
 *              [--reset return|backspace] [--reset-every N] [--timeout S]
 *      finds the viewable window whose title contains TITLE, focuses it,
 *      waits until it has drawn what it had to (its first picture, the
 *      focus: see await_answer) and rests, then N times: injects a printable key with XTEST (a and b in turn)
 *      and times until the window's pixels change (Damage says when
 *      something was drawn, a read of the damaged pixels confirms that
 *      they differ from before). Keys are spaced like a typist's (a random
 *      gap, default 60:140 ms, after the window is quiet again). Every
 *      --reset-every keys, untimed: one Return (an xterm running cat) or
 *      as many BackSpaces as keys (a text entry), so lines never fill.
 *      Each key's whole answer is timed too: until the last change before
 *      the gap is over (a character, then its cursor, drawn apart).
 *      Prints "samples MS MS ..." and "whole-samples MS ...", then
 *      "keys P50_MS P99_MS N" and "whole P50_MS P99_MS N".
 *
 *   xkey2pixel scroll --name TITLE --seconds S [--bytes FILE]
 *              [--proc LABEL=PID,PID...]...
 *      counts the frames the window shows in S seconds (a frame: a batch
 *      of drawing whose pixels differ from the last picture), and for
 *      the same interval the bytes a delay-proxy counted (its count file:
 *      "UP DOWN") and the CPU time of each labelled set of processes.
 *      Prints "scroll frames N seconds S bytes B cpu LABEL=SEC ...".
 *
 *   xkey2pixel wait --name TITLE [--timeout S]
 *      until such a window is viewable; prints its id and geometry.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/damage.h>
#include <xcb/xcb.h>
#include <xcb/xtest.h>

#define MAX_KEYS 100000
#define MAX_PROCS 64
#define MAX_SETS 8
#define KEY_TIMEOUT_MS 5000
#define QUIET_MS 40		/* no drawing this long: the window is settled */
#define SETTLE_MAX_MS 3000	/* a window that never rests is taken as it is */
#define ANSWER_MAX_MS 3000	/* a window that ignores a sent Expose: see await_answer */
#define FIND_TIMEOUT_S 30
#define FRAME_COALESCE_MS 1.0	/* drawing closer than this is one frame */
#define XK_a 0x61
#define XK_b 0x62
#define XK_Return 0xff0d
#define XK_BackSpace 0xff08

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1e3), .tv_nsec = (long)(((long long)(ms * 1e6)) % 1000000000LL)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

struct win {
	xcb_connection_t *c;
	xcb_window_t root, id;
	uint8_t damage_ev;
	xcb_damage_damage_t damage;
	uint16_t w, h;
	uint8_t *pix; /* the last picture, w*h*4 */
};

/* A window's title (WM_NAME or _NET_WM_NAME) contains `want`. */
static bool title_has(xcb_connection_t *c, xcb_window_t w, xcb_atom_t net_name, const char *want)
{
	xcb_atom_t atoms[2] = {XCB_ATOM_WM_NAME, net_name};

	for (int i = 0; i < 2; i++) {
		if (atoms[i] == XCB_NONE)
			continue;
		xcb_get_property_reply_t *r = xcb_get_property_reply(
			c, xcb_get_property(c, 0, w, atoms[i], XCB_GET_PROPERTY_TYPE_ANY, 0, 1024), NULL);
		if (!r)
			continue;
		int len = xcb_get_property_value_length(r);
		bool hit = len > 0 && r->format == 8 && memmem(xcb_get_property_value(r), (size_t)len, want, strlen(want));
		free(r);
		if (hit)
			return true;
	}
	return false;
}

static bool viewable(xcb_connection_t *c, xcb_window_t w)
{
	xcb_get_window_attributes_reply_t *a = xcb_get_window_attributes_reply(c, xcb_get_window_attributes(c, w), NULL);
	bool v = a && a->map_state == XCB_MAP_STATE_VIEWABLE;

	free(a);
	return v;
}

/* The first viewable top-level window (a child of the root, or its child
 * under a reparenting window manager) whose title contains `want`. */
static xcb_window_t find_in(xcb_connection_t *c, xcb_window_t parent, xcb_atom_t net_name, const char *want, int depth)
{
	xcb_query_tree_reply_t *t = xcb_query_tree_reply(c, xcb_query_tree(c, parent), NULL);
	xcb_window_t found = XCB_NONE;

	if (!t)
		return XCB_NONE;
	xcb_window_t *kids = xcb_query_tree_children(t);
	int n = xcb_query_tree_children_length(t);
	for (int i = n - 1; i >= 0 && found == XCB_NONE; i--) { /* topmost first */
		if (!viewable(c, kids[i]))
			continue;
		if (title_has(c, kids[i], net_name, want))
			found = depth == 0 ? kids[i] : parent;
		else if (depth == 0)
			found = find_in(c, kids[i], net_name, want, 1) != XCB_NONE ? kids[i] : XCB_NONE;
	}
	free(t);
	return found;
}

static xcb_atom_t atom(xcb_connection_t *c, const char *name)
{
	xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name), NULL);
	xcb_atom_t a = r ? r->atom : XCB_NONE;

	free(r);
	return a;
}

static int find_window(struct win *w, const char *title, double timeout_s)
{
	xcb_atom_t net_name = atom(w->c, "_NET_WM_NAME");
	double end = now_ms() + timeout_s * 1e3;

	do {
		w->id = find_in(w->c, w->root, net_name, title, 0);
		if (w->id != XCB_NONE) {
			xcb_get_geometry_reply_t *g = xcb_get_geometry_reply(w->c, xcb_get_geometry(w->c, w->id), NULL);
			if (g && g->width > 1 && g->height > 1) {
				w->w = g->width;
				w->h = g->height;
				free(g);
				return 0;
			}
			free(g);
		}
		sleep_ms(50);
	} while (now_ms() < end);
	fprintf(stderr, "xkey2pixel: no viewable window titled \"%s\" within %g s\n", title, timeout_s);
	return -1;
}

/* Reads a rectangle of the window; 4 bytes a pixel (depth 24/32). */
static uint8_t *grab(struct win *w, int x, int y, int cw, int ch)
{
	xcb_get_image_reply_t *r = xcb_get_image_reply(
		w->c, xcb_get_image(w->c, XCB_IMAGE_FORMAT_Z_PIXMAP, w->id, (int16_t)x, (int16_t)y, (uint16_t)cw, (uint16_t)ch, ~0u),
		NULL);

	if (r && xcb_get_image_data_length(r) < cw * ch * 4) {
		free(r);
		return NULL;
	}
	return (uint8_t *)r;
}

/* Compares a rectangle with the last picture and keeps the new pixels;
 * true if any differ. A window that changed size starts a new picture. */
static bool changed(struct win *w, int x, int y, int cw, int ch)
{
	if (x < 0)
		cw += x, x = 0;
	if (y < 0)
		ch += y, y = 0;
	if (x + cw > w->w)
		cw = w->w - x;
	if (y + ch > w->h)
		ch = w->h - y;
	if (cw <= 0 || ch <= 0)
		return false;
	xcb_get_image_reply_t *r = (xcb_get_image_reply_t *)grab(w, x, y, cw, ch);
	if (!r)
		return true; /* the window went or changed size: something changed */
	const uint8_t *src = xcb_get_image_data(r);
	bool diff = false;
	for (int row = 0; row < ch; row++) {
		uint8_t *dst = w->pix + ((size_t)(y + row) * w->w + (size_t)x) * 4;
		const uint8_t *s = src + (size_t)row * (size_t)cw * 4;
		if (memcmp(dst, s, (size_t)cw * 4)) {
			diff = true;
			memcpy(dst, s, (size_t)cw * 4);
		}
	}
	free(r);
	return diff;
}

/* Waits for drawing on the window until `until_ms`; returns the time the
 * first damage of a batch whose pixels changed arrived, or -1 at the end.
 * With `coalesce_ms`, events closer than that are read as one batch. */
static double next_change(struct win *w, double until_ms, double coalesce_ms)
{
	int fd = xcb_get_file_descriptor(w->c);

	for (;;) {
		xcb_generic_event_t *ev = xcb_poll_for_event(w->c);
		double t;
		if (!ev) {
			double left = until_ms - now_ms();
			if (left <= 0)
				return -1;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			poll(&p, 1, (int)left + 1);
			if (xcb_connection_has_error(w->c)) {
				fprintf(stderr, "xkey2pixel: lost the X connection\n");
				exit(1);
			}
			continue;
		}
		t = now_ms();
		int x0 = w->w, y0 = w->h, x1 = 0, y1 = 0;
		bool any = false;
		double coalesce_end = t + coalesce_ms;
		for (;;) {
			if ((ev->response_type & 0x7f) == w->damage_ev + XCB_DAMAGE_NOTIFY) {
				xcb_damage_notify_event_t *d = (xcb_damage_notify_event_t *)ev;
				any = true;
				if (d->area.x < x0)
					x0 = d->area.x;
				if (d->area.y < y0)
					y0 = d->area.y;
				if (d->area.x + d->area.width > x1)
					x1 = d->area.x + d->area.width;
				if (d->area.y + d->area.height > y1)
					y1 = d->area.y + d->area.height;
			}
			free(ev);
			ev = xcb_poll_for_event(w->c);
			while (!ev && now_ms() < coalesce_end) {
				sleep_ms(0.1);
				ev = xcb_poll_for_event(w->c);
			}
			if (!ev)
				break;
		}
		if (any && changed(w, x0, y0, x1 - x0, y1 - y0))
			return t;
	}
}

static int keycode_of(xcb_connection_t *c, uint32_t keysym)
{
	const xcb_setup_t *s = xcb_get_setup(c);
	int first = s->min_keycode, count = s->max_keycode - s->min_keycode + 1, code = -1;
	xcb_get_keyboard_mapping_reply_t *m = xcb_get_keyboard_mapping_reply(
		c, xcb_get_keyboard_mapping(c, (xcb_keycode_t)first, (uint8_t)count), NULL);

	if (!m)
		return -1;
	xcb_keysym_t *syms = xcb_get_keyboard_mapping_keysyms(m);
	for (int i = 0; i < count && code < 0; i++)
		if (syms[i * m->keysyms_per_keycode] == keysym)
			code = first + i;
	free(m);
	return code;
}

static void press(struct win *w, int code)
{
	xcb_test_fake_input(w->c, XCB_KEY_PRESS, (uint8_t)code, XCB_CURRENT_TIME, w->root, 0, 0, 0);
	xcb_test_fake_input(w->c, XCB_KEY_RELEASE, (uint8_t)code, XCB_CURRENT_TIME, w->root, 0, 0, 0);
	xcb_flush(w->c);
}

/* Until nothing was drawn for QUIET_MS (and at least until `not_before`),
 * for at most SETTLE_MAX_MS more. Returns the time of the last change
 * before `not_before` (-1: none). */
static double settle(struct win *w, double not_before)
{
	double give_up = (not_before > now_ms() ? not_before : now_ms()) + SETTLE_MAX_MS, last = -1;

	for (;;) {
		double t = now_ms(), until = t + QUIET_MS, c;
		if (t >= give_up)
			return last;
		if (until < not_before)
			until = not_before;
		if ((c = next_change(w, until, 0)) < 0)
			return last;
		if (c < not_before)
			last = c;
	}
}

/* Until the window has handled every event it was sent so far (its
 * first Expose, the focus just given), at most ANSWER_MAX_MS: a window
 * that draws for those may be slow to (a loaded machine), and its
 * drawing must not be taken for a key's. A client handles its events in
 * order, so an Expose of the window's last pixel, sent now to it and its
 * children, is repainted after all that: its damage is the answer. A
 * program that ignores a sent Expose costs ANSWER_MAX_MS once. The
 * pictures of what it drew meanwhile are kept (no change is lost). */
static void await_answer(struct win *w)
{
	int fd = xcb_get_file_descriptor(w->c);
	double give_up = now_ms() + ANSWER_MAX_MS;
	xcb_window_t targets[1 + 16] = {w->id};
	int n = 1;
	xcb_query_tree_reply_t *tree = xcb_query_tree_reply(w->c, xcb_query_tree(w->c, w->id), NULL);

	/* What the server drew itself before now (a new Damage reports the
	 * whole window) is not the answer: a round trip puts it in the queue,
	 * taken in here. */
	free(xcb_get_input_focus_reply(w->c, xcb_get_input_focus(w->c), NULL));
	for (xcb_generic_event_t *ev; (ev = xcb_poll_for_queued_event(w->c)); free(ev))
		if ((ev->response_type & 0x7f) == w->damage_ev + XCB_DAMAGE_NOTIFY) {
			xcb_damage_notify_event_t *d = (xcb_damage_notify_event_t *)ev;
			changed(w, d->area.x, d->area.y, d->area.width, d->area.height);
		}
	if (tree) {
		xcb_window_t *kids = xcb_query_tree_children(tree);
		for (int i = 0; i < xcb_query_tree_children_length(tree) && n < 1 + 16; i++)
			targets[n++] = kids[i];
		free(tree);
	}
	for (int i = 0; i < n; i++) {
		xcb_translate_coordinates_reply_t *t = xcb_translate_coordinates_reply(
			w->c, xcb_translate_coordinates(w->c, w->id, targets[i], (int16_t)(w->w - 1), (int16_t)(w->h - 1)), NULL);
		if (!t)
			continue;
		xcb_expose_event_t ev = {.response_type = XCB_EXPOSE, .window = targets[i],
					 .x = (uint16_t)t->dst_x, .y = (uint16_t)t->dst_y, .width = 1, .height = 1};
		free(t);
		xcb_send_event(w->c, 0, targets[i], XCB_EVENT_MASK_EXPOSURE, (const char *)&ev);
	}
	xcb_flush(w->c);
	for (;;) {
		xcb_generic_event_t *ev = xcb_poll_for_event(w->c);
		if (!ev) {
			double left = give_up - now_ms();
			if (left <= 0)
				return;
			struct pollfd p = {.fd = fd, .events = POLLIN};
			poll(&p, 1, (int)left + 1);
			if (xcb_connection_has_error(w->c))
				return;
			continue;
		}
		bool answer = false;
		if ((ev->response_type & 0x7f) == w->damage_ev + XCB_DAMAGE_NOTIFY) {
			xcb_damage_notify_event_t *d = (xcb_damage_notify_event_t *)ev;
			changed(w, d->area.x, d->area.y, d->area.width, d->area.height);
			answer = d->area.x + d->area.width >= w->w && d->area.y + d->area.height >= w->h;
		}
		free(ev);
		if (answer)
			return;
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int open_window(struct win *w, const char *title, double timeout_s)
{
	int screen_no;

	w->c = xcb_connect(NULL, &screen_no);
	if (xcb_connection_has_error(w->c)) {
		fprintf(stderr, "xkey2pixel: cannot open the display $DISPLAY\n");
		return -1;
	}
	xcb_screen_iterator_t it = xcb_setup_roots_iterator(xcb_get_setup(w->c));
	for (int i = 0; i < screen_no; i++)
		xcb_screen_next(&it);
	w->root = it.data->root;
	if (find_window(w, title, timeout_s) < 0)
		return -1;
	const xcb_query_extension_reply_t *dx = xcb_get_extension_data(w->c, &xcb_damage_id);
	const xcb_query_extension_reply_t *tx = xcb_get_extension_data(w->c, &xcb_test_id);
	if (!dx || !dx->present || !tx || !tx->present) {
		fprintf(stderr, "xkey2pixel: the display lacks the DAMAGE or XTEST extension\n");
		return -1;
	}
	w->damage_ev = dx->first_event;
	xcb_damage_query_version_reply_t *v = xcb_damage_query_version_reply(w->c, xcb_damage_query_version(w->c, 1, 1), NULL);
	free(v);
	w->damage = xcb_generate_id(w->c);
	xcb_damage_create(w->c, w->damage, w->id, XCB_DAMAGE_REPORT_LEVEL_RAW_RECTANGLES);
	w->pix = calloc((size_t)w->w * w->h, 4);
	if (!w->pix)
		return -1;
	changed(w, 0, 0, w->w, w->h);
	return 0;
}

static int cmd_keys(struct win *w, int count, double gap_min, double gap_max, uint32_t reset_sym, int reset_every)
{
	int codes[2] = {keycode_of(w->c, XK_a), keycode_of(w->c, XK_b)};
	int reset = reset_sym ? keycode_of(w->c, reset_sym) : -1;
	double *lat = calloc((size_t)count, sizeof *lat), *whole = calloc((size_t)count, sizeof *whole);
	unsigned rnd = 12345;

	if (codes[0] < 0 || codes[1] < 0 || (reset_sym && reset < 0) || !lat || !whole) {
		fprintf(stderr, "xkey2pixel: the desk's keymap has no a, b or reset key\n");
		free(lat);
		free(whole);
		return 1;
	}
	/* Focus the window and put the pointer in it: keys go where a user's would. */
	xcb_set_input_focus(w->c, XCB_INPUT_FOCUS_POINTER_ROOT, w->id, XCB_CURRENT_TIME);
	xcb_warp_pointer(w->c, XCB_NONE, w->id, 0, 0, 0, 0, (int16_t)(w->w / 2), (int16_t)(w->h / 2));
	xcb_flush(w->c);
	await_answer(w);
	settle(w, now_ms() + 300);
	for (int k = 0; k < count; k++) {
		double t0 = now_ms();
		press(w, codes[k % 2]);
		double t1 = next_change(w, t0 + KEY_TIMEOUT_MS, 0);
		if (t1 < 0) {
			fprintf(stderr, "xkey2pixel: key %d changed no pixel within %d ms\n", k, KEY_TIMEOUT_MS);
			free(lat);
			free(whole);
			return 1;
		}
		lat[k] = t1 - t0;
		rnd = rnd * 1103515245u + 12345u;
		double gap = gap_min + (gap_max - gap_min) * (double)((rnd >> 8) % 1000) / 1000.0;
		/* Its whole answer (xterm's character, then its cursor): the
		 * last change before the gap is over. */
		double last = settle(w, t1 + gap);
		whole[k] = (last > t1 ? last : t1) - t0;
		if (reset >= 0 && reset_every > 0 && (k + 1) % reset_every == 0) {
			int times = reset_sym == XK_Return ? 1 : reset_every;
			for (int i = 0; i < times; i++)
				press(w, reset);
			settle(w, now_ms() + 100);
		}
	}
	printf("samples");
	for (int k = 0; k < count; k++)
		printf(" %.3f", lat[k]);
	printf("\nwhole-samples");
	for (int k = 0; k < count; k++)
		printf(" %.3f", whole[k]);
	printf("\n");
	qsort(lat, (size_t)count, sizeof *lat, cmp);
	qsort(whole, (size_t)count, sizeof *whole, cmp);
	printf("keys %.3f %.3f %d\n", lat[count / 2], lat[(size_t)((count - 1) * 0.99)], count);
	printf("whole %.3f %.3f %d\n", whole[count / 2], whole[(size_t)((count - 1) * 0.99)], count);
	free(lat);
	free(whole);
	return 0;
}

struct procset {
	char label[32];
	int pids[MAX_PROCS];
	int n;
};

/* CPU seconds (user + system) the set's processes have used so far. */
static double cpu_s(const struct procset *s)
{
	double sum = 0;
	long hz = sysconf(_SC_CLK_TCK);

	for (int i = 0; i < s->n; i++) {
		char path[64], buf[1024];
		snprintf(path, sizeof path, "/proc/%d/stat", s->pids[i]);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = 0;
		char *p = strrchr(buf, ')'); /* the command may hold spaces */
		unsigned long ut = 0, st = 0;
		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) == 2)
			sum += (double)(ut + st) / (double)hz;
	}
	return sum;
}

static double proxy_bytes(const char *file)
{
	double up = 0, down = 0;
	FILE *f = file ? fopen(file, "r") : NULL;

	if (!f)
		return 0;
	if (fscanf(f, "%lf %lf", &up, &down) != 2)
		up = down = 0;
	fclose(f);
	return up + down;
}

static int parse_procset(struct procset *s, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof s->label) {
		fprintf(stderr, "xkey2pixel: --proc wants LABEL=PID,PID... not \"%s\"\n", arg);
		return -1;
	}
	memcpy(s->label, arg, (size_t)(eq - arg));
	s->label[eq - arg] = 0;
	s->n = 0;
	for (const char *p = eq + 1; *p && s->n < MAX_PROCS;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p) {
			p++;
			continue;
		}
		if (v > 0)
			s->pids[s->n++] = (int)v;
		p = end;
	}
	return 0;
}

static int cmd_scroll(struct win *w, double seconds, const char *bytes_file, struct procset *sets, int nsets)
{
	double cpu0[MAX_SETS], b0, t0, end;
	long frames = 0;

	/* No wait for quiet: a scrolling window never rests. open_window
	 * took the first picture. */
	for (int i = 0; i < nsets; i++)
		cpu0[i] = cpu_s(&sets[i]);
	b0 = proxy_bytes(bytes_file);
	t0 = now_ms();
	end = t0 + seconds * 1e3;
	while (next_change(w, end, FRAME_COALESCE_MS) >= 0)
		frames++;
	double el = (now_ms() - t0) / 1e3;
	printf("scroll frames %ld seconds %.3f bytes %.0f cpu", frames, el, proxy_bytes(bytes_file) - b0);
	for (int i = 0; i < nsets; i++)
		printf(" %s=%.3f", sets[i].label, cpu_s(&sets[i]) - cpu0[i]);
	printf("\n");
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: xkey2pixel keys|scroll|wait --name TITLE [--count N] [--gap MIN_MS:MAX_MS]\n"
			"       [--reset return|backspace] [--reset-every N] [--seconds S] [--bytes FILE]\n"
			"       [--proc LABEL=PID,...] [--timeout S]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *title = NULL, *bytes_file = NULL;
	int count = 100, reset_every = 0, nsets = 0;
	double gap_min = 60, gap_max = 140, seconds = 5, timeout_s = FIND_TIMEOUT_S;
	uint32_t reset_sym = 0;
	struct procset sets[MAX_SETS];
	struct win w = {0};

	if (argc < 2)
		return usage();
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--name"))
			title = v;
		else if (!strcmp(a, "--count"))
			count = atoi(v);
		else if (!strcmp(a, "--gap") && sscanf(v, "%lf:%lf", &gap_min, &gap_max) == 2)
			;
		else if (!strcmp(a, "--reset"))
			reset_sym = !strcmp(v, "return") ? XK_Return : !strcmp(v, "backspace") ? XK_BackSpace : 1;
		else if (!strcmp(a, "--reset-every"))
			reset_every = atoi(v);
		else if (!strcmp(a, "--seconds"))
			seconds = atof(v);
		else if (!strcmp(a, "--timeout"))
			timeout_s = atof(v);
		else if (!strcmp(a, "--bytes"))
			bytes_file = v;
		else if (!strcmp(a, "--proc") && nsets < MAX_SETS) {
			if (parse_procset(&sets[nsets++], v) < 0)
				return 2;
		} else {
			fprintf(stderr, "xkey2pixel: bad option %s %s\n", a, v);
			return usage();
		}
	}
	if (!title || count < 1 || count > MAX_KEYS || reset_sym == 1 || gap_min < 0 || gap_max < gap_min ||
	    seconds <= 0 || timeout_s <= 0)
		return usage();
	int rc = 0;
	if (open_window(&w, title, timeout_s) < 0) {
		rc = 1;
		goto out;
	}
	if (!strcmp(argv[1], "keys"))
		rc = cmd_keys(&w, count, gap_min, gap_max, reset_sym, reset_every);
	else if (!strcmp(argv[1], "scroll"))
		rc = cmd_scroll(&w, seconds, bytes_file, sets, nsets);
	else if (!strcmp(argv[1], "wait"))
		printf("window 0x%x %dx%d\n", w.id, w.w, w.h);
	else
		rc = usage();
out:
	free(w.pix);
	if (w.c)
		xcb_disconnect(w.c);
	return rc;
}
