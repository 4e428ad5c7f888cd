/* xpaste: paste the CLIPBOARD as UTF8_STRING, as a program does, and say
 * how it came: "whole" (one property) or "incr PIECES LARGEST" (ICCCM
 * INCR, pieces and the largest piece in bytes) on stderr; the text on
 * stdout. Exit 1 when no text came within 20 s.
 *
 *   xpaste [multiple]    (on $DISPLAY)
 *
 * multiple: asked through MULTIPLE (ICCCM 2.6.2) with three pairs,
 * UTF8_STRING, TARGETS and a target nobody gives; says "multiple ok"
 * first when the owner answered the first two (TARGETS naming
 * UTF8_STRING) and refused the third (its property None), else exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xcb.h>

#include "xatom.h"

#define WAIT_MS 20000

/* The next event of a type (others are dropped), NULL on a dead link. */
static xcb_generic_event_t *next(xcb_connection_t *c, uint8_t type)
{
	xcb_generic_event_t *ev;

	while ((ev = xcb_wait_for_event(c))) {
		if ((ev->response_type & 0x7f) == type)
			return ev;
		free(ev);
	}
	return NULL;
}

/* Reads and deletes the property; its value's length, -1 on failure. */
static long take(xcb_connection_t *c, xcb_window_t w, xcb_atom_t p, xcb_atom_t *type)
{
	xcb_get_property_reply_t *r =
		xcb_get_property_reply(c, xcb_get_property(c, 1, w, p, XCB_GET_PROPERTY_TYPE_ANY, 0,
							   (64u << 20) / 4),
				       NULL);
	long n;

	if (!r)
		return -1;
	*type = r->type;
	n = xcb_get_property_value_length(r);
	fwrite(xcb_get_property_value(r), 1, (size_t)n, stdout);
	free(r);
	return n;
}

/* MULTIPLE's answer: the pairs written back, the TARGETS converted. */
static int check_multiple(xcb_connection_t *c, xcb_window_t w, xcb_atom_t multi,
			  const xcb_atom_t pairs[6], xcb_atom_t utf8)
{
	xcb_get_property_reply_t *r = xcb_get_property_reply(
		c, xcb_get_property(c, 1, w, multi, XCB_GET_PROPERTY_TYPE_ANY, 0, 16), NULL);
	const uint32_t *v;
	int ok = 0;

	if (r && r->format == 32 && xcb_get_property_value_length(r) == 24) {
		v = xcb_get_property_value(r);
		ok = v[0] == pairs[0] && v[1] == pairs[1] && v[2] == pairs[2] && v[3] == pairs[3] &&
		     v[4] == pairs[4] && v[5] == XCB_NONE;
	}
	free(r);
	if (!ok) {
		fprintf(stderr, "xpaste: MULTIPLE's pairs came back wrong\n");
		return -1;
	}
	r = xcb_get_property_reply(
		c, xcb_get_property(c, 1, w, pairs[3], XCB_ATOM_ATOM, 0, 64), NULL);
	ok = 0;
	if (r && r->format == 32) {
		v = xcb_get_property_value(r);
		for (int k = 0; k < xcb_get_property_value_length(r) / 4; k++)
			ok |= v[k] == utf8;
	}
	free(r);
	if (!ok) {
		fprintf(stderr, "xpaste: MULTIPLE's TARGETS did not name UTF8_STRING\n");
		return -1;
	}
	fprintf(stderr, "multiple ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	int multiple = argc > 1 && !strcmp(argv[1], "multiple");
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	const xcb_setup_t *s;
	xcb_window_t w;
	xcb_atom_t clip, utf8, prop, incr, type;
	xcb_generic_event_t *ev;
	long n, pieces = 0, largest = 0;

	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xpaste: cannot open the display\n");
		return 1;
	}
	s = xcb_get_setup(c);
	w = xcb_generate_id(c);
	const uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
	xcb_create_window(c, 0, w, xcb_setup_roots_iterator(s).data->root, 0, 0, 1, 1, 0,
			  XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT, XCB_CW_EVENT_MASK, &mask);
	clip = atom(c, "CLIPBOARD");
	utf8 = atom(c, "UTF8_STRING");
	prop = atom(c, "XPASTE");
	incr = atom(c, "INCR");
	xcb_atom_t multi = atom(c, "XPASTE_MULTIPLE");
	const xcb_atom_t pairs[6] = {utf8,		       prop, atom(c, "TARGETS"),
				     atom(c, "XPASTE_TARGETS"), atom(c, "XPASTE_NOBODY_GIVES"),
				     atom(c, "XPASTE_NONE")};
	if (multiple) {
		xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, multi, atom(c, "ATOM_PAIR"), 32, 6,
				    pairs);
		xcb_convert_selection(c, w, clip, atom(c, "MULTIPLE"), multi, XCB_CURRENT_TIME);
	} else {
		xcb_convert_selection(c, w, clip, utf8, prop, XCB_CURRENT_TIME);
	}
	xcb_flush(c);
	if (!(ev = next(c, XCB_SELECTION_NOTIFY)))
		return 1;
	if (((xcb_selection_notify_event_t *)ev)->property == XCB_NONE) {
		fprintf(stderr, "xpaste: no text\n");
		return 1;
	}
	free(ev);
	if (multiple && check_multiple(c, w, multi, pairs, utf8) < 0)
		return 1;
	/* An INCR property is 4 bytes: it is not the text, so not written. */
	xcb_get_property_reply_t *r = xcb_get_property_reply(
		c, xcb_get_property(c, 0, w, prop, XCB_GET_PROPERTY_TYPE_ANY, 0, 1), NULL);
	if (!r)
		return 1;
	type = r->type;
	free(r);
	if (type != incr) {
		if (take(c, w, prop, &type) < 0)
			return 1;
		fprintf(stderr, "whole\n");
		return 0;
	}
	xcb_delete_property(c, w, prop); /* asks for the first piece */
	xcb_flush(c);
	for (;;) {
		if (!(ev = next(c, XCB_PROPERTY_NOTIFY)))
			return 1;
		xcb_property_notify_event_t *p = (void *)ev;
		int fresh = p->atom == prop && p->state == XCB_PROPERTY_NEW_VALUE;
		free(ev);
		if (!fresh)
			continue;
		if ((n = take(c, w, prop, &type)) < 0)
			return 1;
		xcb_flush(c);
		if (n == 0)
			break;
		pieces++;
		largest = n > largest ? n : largest;
	}
	fprintf(stderr, "incr %ld %ld\n", pieces, largest);
	xcb_disconnect(c);
	return 0;
}
