/* xpress: an X program for the view tests that answers presses only.
 *
 *   xpress LOG [TITLE]    (on $DISPLAY)
 *
 * A 200x150 window titled TITLE (default "xpress") that fills itself with another colour
 * on every ButtonPress and KeyPress and draws nothing on a release, as a
 * button's pressed look does: the test of a click's answer being the
 * press's. Every press and release is appended to LOG as it comes, a
 * line each: "button-press N X Y STATE", "button-release N X Y STATE",
 * "key-press KEYCODE STATE", "key-release KEYCODE STATE" (X, Y in the
 * window; STATE the modifier and button mask, in hex), so a test sees
 * which buttons (wheel 4-7 too) and keys reached the program, in order.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#define XPRESS_W 200
#define XPRESS_H 150

static const uint32_t colours[] = {0x2040c0, 0xc04020, 0x20c040, 0xc0c020, 0x8020c0};

static void fill(xcb_connection_t *c, xcb_window_t w, xcb_gcontext_t gc, unsigned k)
{
	uint32_t fg = colours[k % (sizeof colours / sizeof colours[0])];
	xcb_rectangle_t r = {0, 0, XPRESS_W, XPRESS_H};

	xcb_change_gc(c, gc, XCB_GC_FOREGROUND, &fg);
	xcb_poly_fill_rectangle(c, w, gc, 1, &r);
	xcb_flush(c);
}

int main(int argc, char **argv)
{
	xcb_connection_t *c;
	xcb_generic_event_t *e;
	FILE *log;
	unsigned presses = 0;

	const char *title = argc == 3 ? argv[2] : "xpress";

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: xpress LOG [TITLE]\n");
		return 2;
	}
	if (!(log = fopen(argv[1], "a"))) {
		perror(argv[1]);
		return 1;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xpress: cannot open the display\n");
		return 1;
	}
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_window_t w = xcb_generate_id(c);
	xcb_gcontext_t gc = xcb_generate_id(c);
	uint32_t vals[] = {s->black_pixel,
			   XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_BUTTON_PRESS |
				   XCB_EVENT_MASK_BUTTON_RELEASE | XCB_EVENT_MASK_KEY_PRESS |
				   XCB_EVENT_MASK_KEY_RELEASE};
	xcb_create_window(c, XCB_COPY_FROM_PARENT, w, s->root, 60, 50, XPRESS_W, XPRESS_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, vals);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    (uint32_t)strlen(title), title);
	xcb_create_gc(c, gc, w, 0, NULL);
	xcb_map_window(c, w);
	xcb_flush(c);
	while ((e = xcb_wait_for_event(c))) {
		switch (e->response_type & 0x7f) {
		case XCB_EXPOSE:
			fill(c, w, gc, presses);
			break;
		case XCB_BUTTON_PRESS:
		case XCB_BUTTON_RELEASE: {
			xcb_button_press_event_t *b = (xcb_button_press_event_t *)e;
			bool press = (e->response_type & 0x7f) == XCB_BUTTON_PRESS;
			fprintf(log, "button-%s %u %d %d %x\n", press ? "press" : "release", b->detail,
				b->event_x, b->event_y, b->state);
			fflush(log);
			if (press)
				fill(c, w, gc, ++presses);
			break;
		}
		case XCB_KEY_PRESS:
		case XCB_KEY_RELEASE: {
			xcb_key_press_event_t *k = (xcb_key_press_event_t *)e;
			bool press = (e->response_type & 0x7f) == XCB_KEY_PRESS;
			fprintf(log, "key-%s %u %x\n", press ? "press" : "release", k->detail, k->state);
			fflush(log);
			if (press)
				fill(c, w, gc, ++presses);
			break;
		}
		}
		free(e);
	}
	fclose(log);
	xcb_disconnect(c);
	return 0;
}
