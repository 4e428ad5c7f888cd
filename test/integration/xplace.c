/* xplace: an X program that maps a 200x100 window at X, Y and says in its
 * WM_NORMAL_HINTS whether it asked for that place, for the placement
 * tests; then waits until its window is closed or it is killed.
 *
 *   xplace TITLE X Y us|p|none|junk|keep [ID]    (on $DISPLAY)
 *
 * ID (hex): the window is a dialog of window ID (WM_TRANSIENT_FOR).
 * us: USPosition (as -geometry +X+Y gives), p: PPosition, none: no place
 * asked (a minimum size only), junk: no place asked, and its properties
 * as a broken or hostile program sets them: WM_NORMAL_HINTS cut short,
 * _NET_WM_NAME of a type that is not UTF8_STRING, a 1 MB WM_ICON_NAME
 * that is not text, WM_CLASS with no NUL, WM_PROTOCOLS of format 16,
 * WM_TRANSIENT_FOR naming the root; its title is WM_NAME's TITLE.
 * keep: as us, and it takes WM_DELETE_WINDOW but keeps its window (as a
 * program asking "save?" does), printing "xplace: close asked" each time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "xatom.h"

int main(int argc, char **argv)
{
	xcb_connection_t *c;
	xcb_screen_t *scr;
	xcb_window_t win;
	uint32_t hints[18] = {0};
	const char *mode;
	int x, y;

	if ((argc != 5 && argc != 6) || (strcmp(argv[4], "us") && strcmp(argv[4], "p") && strcmp(argv[4], "none") &&
			  strcmp(argv[4], "junk") && strcmp(argv[4], "keep"))) {
		fprintf(stderr, "usage: xplace TITLE X Y us|p|none|junk|keep [ID]\n");
		return 2;
	}
	x = atoi(argv[2]);
	y = atoi(argv[3]);
	mode = argv[4];
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xplace: cannot open the display\n");
		xcb_disconnect(c);
		return 1;
	}
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	win = xcb_generate_id(c);
	uint32_t values[2] = {scr->white_pixel, XCB_EVENT_MASK_STRUCTURE_NOTIFY};
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, scr->root, (int16_t)x, (int16_t)y, 200, 100,
			  0, XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual,
			  XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values);
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    (uint32_t)strlen(argv[1]), argv[1]);
	hints[0] = !strcmp(mode, "us") || !strcmp(mode, "keep") ? 1 : !strcmp(mode, "p") ? 4 : 16; /* USPosition, PPosition, PMinSize */
	hints[1] = (uint32_t)x;
	hints[2] = (uint32_t)y;
	hints[5] = hints[6] = 50;
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NORMAL_HINTS,
			    XCB_ATOM_WM_SIZE_HINTS, 32, strcmp(mode, "junk") ? 18 : 5, hints);
	if (!strcmp(mode, "junk")) {
		size_t big = 1u << 20;
		char *junk = malloc(big);
		for (size_t i = 0; junk && i < big; i++)
			junk[i] = (char)(0x80 | (i * 7 % 128)); /* never UTF-8, nor a NUL */
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, atom(c, "_NET_WM_NAME"),
				    XCB_ATOM_STRING, 8, 4, "junk");
		if (junk)
			xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_ICON_NAME,
					    atom(c, "UTF8_STRING"), 8, (uint32_t)big, junk);
		free(junk);
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_CLASS, XCB_ATOM_STRING,
				    8, 5, "xplac");
		uint16_t protos[3] = {1, 2, 3};
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, atom(c, "WM_PROTOCOLS"),
				    XCB_ATOM_ATOM, 16, 3, protos);
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_TRANSIENT_FOR,
				    XCB_ATOM_WINDOW, 32, 1, &scr->root);
	}
	if (argc == 6) {
		xcb_window_t owner = (xcb_window_t)strtoul(argv[5], NULL, 16);
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_TRANSIENT_FOR,
				    XCB_ATOM_WINDOW, 32, 1, &owner);
	}
	xcb_atom_t del = atom(c, "WM_DELETE_WINDOW");
	if (!strcmp(mode, "keep"))
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, atom(c, "WM_PROTOCOLS"),
				    XCB_ATOM_ATOM, 32, 1, &del);
	xcb_map_window(c, win);
	xcb_flush(c);
	xcb_generic_event_t *e;
	while ((e = xcb_wait_for_event(c))) {
		int type = e->response_type & 0x7f;
		if (type == XCB_CLIENT_MESSAGE &&
		    ((xcb_client_message_event_t *)e)->data.data32[0] == del) {
			printf("xplace: close asked\n");
			fflush(stdout);
		}
		free(e);
		if (type == XCB_DESTROY_NOTIFY)
			break;
	}
	xcb_disconnect(c);
	return 0;
}
