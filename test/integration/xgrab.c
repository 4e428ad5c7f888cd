/* xgrab: grab the X server (no other client is read meanwhile) and hold
 * it until told, for the tests of a display that does not read
 * (x11-grab.sh). While it holds the grab it keeps the window manager
 * busy, as programs do that map windows and set titles: each window it
 * maps is a MapRequest the manager answers, each title a PropertyNotify
 * it reads. The server reads none of those answers until the grab ends.
 *
 *   xgrab READY-FILE RELEASE-FILE [WINDOWS]
 *
 * On $DISPLAY: grabs, maps WINDOWS windows (default 400) and retitles each
 * 8 times, writes READY-FILE once the server has done all that, then waits
 * (polling every 20 ms) until RELEASE-FILE exists, lets go, and exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

int main(int argc, char **argv)
{
	xcb_connection_t *c;
	xcb_screen_t *scr;
	unsigned n = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 400;
	struct timespec tick = {0, 20 * 1000 * 1000};
	FILE *f;

	if (argc < 3 || argc > 4 || n > 4096) {
		fprintf(stderr, "usage: xgrab READY-FILE RELEASE-FILE [WINDOWS (<= 4096)]\n");
		return 2;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xgrab: cannot open the display\n");
		return 1;
	}
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	xcb_grab_server(c);
	for (unsigned i = 0; i < n; i++) {
		xcb_window_t w = xcb_generate_id(c);
		xcb_create_window(c, XCB_COPY_FROM_PARENT, w, scr->root, (int16_t)(i % 50),
				  (int16_t)(i % 40), 20, 20, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
				  scr->root_visual, 0, NULL);
		xcb_map_window(c, w);
		for (int k = 0; k < 8; k++) {
			char title[32];
			int len = snprintf(title, sizeof title, "xgrab %u.%d", i, k);
			xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME,
					    XCB_ATOM_STRING, 8, (uint32_t)len, title);
		}
	}
	/* The server has done it all once it answers this. */
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xgrab: the display broke\n");
		return 1;
	}
	if (!(f = fopen(argv[1], "w")) || fclose(f) != 0) {
		perror("xgrab: the ready file");
		return 1;
	}
	while (access(argv[2], F_OK) != 0)
		nanosleep(&tick, NULL);
	xcb_ungrab_server(c);
	free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
	xcb_disconnect(c);
	return 0;
}
