/* xown: own the CLIPBOARD with a text as a toolkit program does (GTK, Qt,
 * xterm): taken at the server's time, not CurrentTime, and answering
 * TIMESTAMP (ICCCM 2.6.2: when it took it) besides TARGETS, UTF8_STRING
 * and STRING. Says "owned" on stdout once it owns it; ends when another
 * client takes it or after 60 s.
 *
 *   xown TEXT    (on $DISPLAY)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>

#include "xatom.h"

#define LIFE_S 60

int main(int argc, char **argv)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	xcb_generic_event_t *ev;
	xcb_timestamp_t owned_at = 0;
	time_t end = time(NULL) + LIFE_S;

	if (argc != 2 || xcb_connection_has_error(c)) {
		fprintf(stderr, "usage: xown TEXT (on a display)\n");
		return 1;
	}
	const char *text = argv[1];
	xcb_window_t w = xcb_generate_id(c);
	const uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
	xcb_create_window(c, 0, w, xcb_setup_roots_iterator(xcb_get_setup(c)).data->root, 0, 0, 1,
			  1, 0, XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, XCB_CW_EVENT_MASK,
			  &mask);
	xcb_atom_t clip = atom(c, "CLIPBOARD"), utf8 = atom(c, "UTF8_STRING"),
		   targets = atom(c, "TARGETS"), stamp = atom(c, "TIMESTAMP"),
		   now = atom(c, "XOWN_NOW");
	/* The server's time: a property change comes back with it. */
	xcb_change_property(c, XCB_PROP_MODE_APPEND, w, now, XCB_ATOM_INTEGER, 32, 0, NULL);
	xcb_flush(c);
	while (!owned_at && (ev = xcb_wait_for_event(c))) {
		if ((ev->response_type & 0x7f) == XCB_PROPERTY_NOTIFY)
			owned_at = ((xcb_property_notify_event_t *)ev)->time;
		free(ev);
	}
	xcb_set_selection_owner(c, w, clip, owned_at);
	xcb_get_selection_owner_reply_t *o =
		xcb_get_selection_owner_reply(c, xcb_get_selection_owner(c, clip), NULL);
	if (!o || o->owner != w) {
		fprintf(stderr, "xown: not the owner\n");
		return 1;
	}
	free(o);
	printf("owned\n");
	fflush(stdout);
	while (time(NULL) < end && (ev = xcb_wait_for_event(c))) {
		uint8_t type = ev->response_type & 0x7f;
		if (type == XCB_SELECTION_CLEAR) {
			free(ev);
			break;
		}
		if (type != XCB_SELECTION_REQUEST) {
			free(ev);
			continue;
		}
		xcb_selection_request_event_t *r = (void *)ev;
		xcb_selection_notify_event_t n = {.response_type = XCB_SELECTION_NOTIFY,
						  .time = r->time, .requestor = r->requestor,
						  .selection = r->selection, .target = r->target,
						  .property = r->property ? r->property : r->target};
		if (r->target == targets) {
			xcb_atom_t list[] = {targets, stamp, utf8, XCB_ATOM_STRING};
			xcb_change_property(c, XCB_PROP_MODE_REPLACE, r->requestor, n.property,
					    XCB_ATOM_ATOM, 32, 4, list);
		} else if (r->target == stamp) {
			xcb_change_property(c, XCB_PROP_MODE_REPLACE, r->requestor, n.property,
					    XCB_ATOM_INTEGER, 32, 1, &owned_at);
		} else if (r->target == utf8 || r->target == XCB_ATOM_STRING) {
			xcb_change_property(c, XCB_PROP_MODE_REPLACE, r->requestor, n.property,
					    r->target, 8, (uint32_t)strlen(text), text);
		} else {
			n.property = XCB_NONE;
		}
		xcb_send_event(c, 0, r->requestor, 0, (const char *)&n);
		xcb_flush(c);
		free(ev);
	}
	xcb_disconnect(c);
	return 0;
}
