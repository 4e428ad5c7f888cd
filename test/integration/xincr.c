/* xincr: an X program that owns CLIPBOARD and, asked for its text, sends
 * it in pieces (ICCCM INCR) that never end: a piece each time the
 * requestor deletes the property, for ever. For the tests that a reader
 * gives up past its bound.
 *
 *   xincr PIECE-BYTES OUTFILE     (on $DISPLAY)
 *
 * Once no piece has been taken for 2 s after the first was asked for, it
 * writes "stalled after N bytes" to OUTFILE and ends. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>

#include "xatom.h"

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int main(int argc, char **argv)
{
	xcb_connection_t *c;
	xcb_screen_t *scr;
	xcb_window_t win, req = 0;
	xcb_atom_t clip, incr, utf8, prop = 0;
	size_t piece, sent = 0;
	char *buf;
	long last = 0;

	if (argc != 3 || !(piece = strtoul(argv[1], NULL, 0)) || piece > (1u << 20)) {
		fprintf(stderr, "usage: xincr PIECE-BYTES OUTFILE\n");
		return 2;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xincr: cannot open the display\n");
		xcb_disconnect(c);
		return 1;
	}
	buf = malloc(piece);
	memset(buf, 'a', piece);
	scr = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
	win = xcb_generate_id(c);
	xcb_create_window(c, XCB_COPY_FROM_PARENT, win, scr->root, 0, 0, 1, 1, 0,
			  XCB_WINDOW_CLASS_INPUT_ONLY, scr->root_visual, 0, NULL);
	clip = atom(c, "CLIPBOARD");
	incr = atom(c, "INCR");
	utf8 = atom(c, "UTF8_STRING");
	xcb_set_selection_owner(c, win, clip, XCB_CURRENT_TIME);
	xcb_flush(c);
	for (;;) {
		struct pollfd p = {.fd = xcb_get_file_descriptor(c), .events = POLLIN};
		xcb_generic_event_t *e;
		if (last && now_ms() - last > 2000)
			break;
		poll(&p, 1, 100);
		while ((e = xcb_poll_for_event(c))) {
			int type = e->response_type & 0x7f;
			if (type == XCB_SELECTION_REQUEST && !req) {
				xcb_selection_request_event_t *r = (void *)e;
				xcb_selection_notify_event_t n = {.response_type = XCB_SELECTION_NOTIFY,
								  .time = r->time,
								  .requestor = r->requestor,
								  .selection = r->selection,
								  .target = r->target,
								  .property = r->property};
				uint32_t size = 1u << 30;
				const uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
				req = r->requestor;
				prop = r->property;
				xcb_change_window_attributes(c, req, XCB_CW_EVENT_MASK, &mask);
				xcb_change_property(c, XCB_PROP_MODE_REPLACE, req, prop, incr, 32, 1, &size);
				xcb_send_event(c, 0, req, 0, (const char *)&n);
				last = now_ms();
			} else if (type == XCB_PROPERTY_NOTIFY && req) {
				xcb_property_notify_event_t *pn = (void *)e;
				if (pn->window == req && pn->atom == prop &&
				    pn->state == XCB_PROPERTY_DELETE) {
					xcb_change_property(c, XCB_PROP_MODE_REPLACE, req, prop, utf8, 8,
							    (uint32_t)piece, buf);
					sent += piece;
					last = now_ms();
				}
			}
			free(e);
		}
		xcb_flush(c);
		if (xcb_connection_has_error(c))
			break;
	}
	FILE *f = fopen(argv[2], "w");
	if (f) {
		fprintf(f, "stalled after %zu bytes\n", sent);
		fclose(f);
	}
	free(buf);
	xcb_disconnect(c);
	return 0;
}
