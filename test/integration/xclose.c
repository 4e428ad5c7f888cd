/* xclose: ask an X window to close the polite way, as a window manager's
 * close button does (a WM_PROTOCOLS ClientMessage of WM_DELETE_WINDOW),
 * for the seamless tests: xdotool only destroys or kills.
 *
 *   xclose WINDOW-ID [TYPE]     (on $DISPLAY; 0x... or decimal)
 *
 * TYPE: the message's type instead of WM_PROTOCOLS (its first word still
 * WM_DELETE_WINDOW), a message a window must not take for a close.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "xatom.h"

int main(int argc, char **argv)
{
	xcb_connection_t *c;
	xcb_client_message_event_t ev = {.response_type = XCB_CLIENT_MESSAGE, .format = 32};
	char *end;
	int rc;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: xclose WINDOW-ID [TYPE]\n");
		return 2;
	}
	ev.window = (xcb_window_t)strtoul(argv[1], &end, 0);
	if (*end || !ev.window) {
		fprintf(stderr, "xclose: '%s' is not a window id\n", argv[1]);
		return 2;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xclose: cannot open the display\n");
		xcb_disconnect(c);
		return 1;
	}
	ev.type = atom(c, argc == 3 ? argv[2] : "WM_PROTOCOLS");
	ev.data.data32[0] = atom(c, "WM_DELETE_WINDOW");
	ev.data.data32[1] = XCB_CURRENT_TIME;
	xcb_generic_error_t *e = xcb_request_check(
		c, xcb_send_event_checked(c, 0, ev.window, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev));
	rc = e || xcb_connection_has_error(c) ? 1 : 0;
	if (e)
		fprintf(stderr, "xclose: the server refused it (error %d)\n", e->error_code);
	free(e);
	xcb_disconnect(c);
	return rc;
}
