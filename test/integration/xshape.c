/* xshape: a shaped X program for the shape tests (X SHAPE).
 *
 *   xshape LOG FIFO [keep]    (on $DISPLAY)
 *
 * A 200x150 window titled "xshape", red, whose bounding and input shapes
 * are a cross: the 50x50 squares at its corners are cut away. Every
 * button press is appended to LOG as "button-press N X Y" (X, Y in the
 * window), so a test sees which clicks reached it. Lines read from FIFO
 * change its shape: "unshape" (the whole rectangle again, both shapes),
 * "shape" (the cross again). keep: it takes WM_DELETE_WINDOW but keeps
 * its window (as a program asking "save?" does), appending "close asked"
 * to LOG each time.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xcb/shape.h>
#include <xcb/xcb.h>

#include "xatom.h"

#define XSHAPE_W 200
#define XSHAPE_H 150
#define XSHAPE_RED 0xc04020u

static void cross(xcb_connection_t *c, xcb_window_t w, int on)
{
	static const xcb_rectangle_t r[2] = {{50, 0, 100, XSHAPE_H}, {0, 50, XSHAPE_W, 50}};

	for (int k = 0; k < 2; k++) {
		uint8_t kind = k ? XCB_SHAPE_SK_INPUT : XCB_SHAPE_SK_BOUNDING;
		if (on)
			xcb_shape_rectangles(c, XCB_SHAPE_SO_SET, kind, XCB_CLIP_ORDERING_UNSORTED, w,
					     0, 0, 2, r);
		else
			xcb_shape_mask(c, XCB_SHAPE_SO_SET, kind, w, 0, 0, XCB_PIXMAP_NONE);
	}
	xcb_flush(c);
}

int main(int argc, char **argv)
{
	char line[64];
	size_t have = 0;
	FILE *log;
	int fifo;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "keep"))) {
		fprintf(stderr, "usage: xshape LOG FIFO [keep]\n");
		return 2;
	}
	if (!(log = fopen(argv[1], "a"))) {
		perror(argv[1]);
		return 1;
	}
	/* Read and write: the FIFO never reads as ended between writers. */
	if ((fifo = open(argv[2], O_RDWR | O_NONBLOCK)) < 0) {
		perror(argv[2]);
		return 1;
	}
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xshape: cannot open the display\n");
		return 1;
	}
	xcb_screen_t *s = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_window_t w = xcb_generate_id(c);
	uint32_t vals[] = {XSHAPE_RED, XCB_EVENT_MASK_BUTTON_PRESS};
	xcb_create_window(c, XCB_COPY_FROM_PARENT, w, s->root, 60, 50, XSHAPE_W, XSHAPE_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, s->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, vals);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, 6,
			    "xshape");
	xcb_atom_t del = atom(c, "WM_DELETE_WINDOW");
	if (argc == 4)
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, atom(c, "WM_PROTOCOLS"),
				    XCB_ATOM_ATOM, 32, 1, &del);
	cross(c, w, 1);
	xcb_map_window(c, w);
	xcb_flush(c);
	for (;;) {
		struct pollfd p[2] = {{xcb_get_file_descriptor(c), POLLIN, 0}, {fifo, POLLIN, 0}};
		xcb_generic_event_t *e;
		if (poll(p, 2, -1) < 0)
			continue;
		while ((e = xcb_poll_for_event(c))) {
			if ((e->response_type & 0x7f) == XCB_BUTTON_PRESS) {
				xcb_button_press_event_t *b = (xcb_button_press_event_t *)e;
				fprintf(log, "button-press %u %d %d\n", b->detail, b->event_x,
					b->event_y);
				fflush(log);
			} else if ((e->response_type & 0x7f) == XCB_CLIENT_MESSAGE &&
				   ((xcb_client_message_event_t *)e)->data.data32[0] == del) {
				fprintf(log, "close asked\n");
				fflush(log);
			}
			free(e);
		}
		if (xcb_connection_has_error(c))
			return 0;
		ssize_t n = read(fifo, line + have, sizeof line - 1 - have);
		if (n <= 0)
			continue;
		have += (size_t)n;
		line[have] = 0;
		char *nl;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			if (!strcmp(line, "unshape"))
				cross(c, w, 0);
			else if (!strcmp(line, "shape"))
				cross(c, w, 1);
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
		}
		if (have == sizeof line - 1)
			have = 0; /* a line too long: dropped */
	}
}
