/* xkeys: the keys an X server has down now, for the tests that check a
 * view let go of what it pressed.
 *
 *   xkeys    (on $DISPLAY)
 *
 * Prints the keycodes QueryKeymap reports down, in decimal, one line,
 * space-separated (an empty line: none). Exit 1 when the display does
 * not answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <xcb/xcb.h>

int main(void)
{
	xcb_connection_t *c = xcb_connect(NULL, NULL);
	xcb_query_keymap_reply_t *r;
	const char *sep = "";

	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xkeys: cannot open the display\n");
		return 1;
	}
	r = xcb_query_keymap_reply(c, xcb_query_keymap(c), NULL);
	if (!r) {
		fprintf(stderr, "xkeys: QueryKeymap failed\n");
		xcb_disconnect(c);
		return 1;
	}
	for (unsigned k = 8; k < 256; k++)
		if (r->keys[k / 8] & (1u << (k % 8))) {
			printf("%s%u", sep, k);
			sep = " ";
		}
	printf("\n");
	free(r);
	xcb_disconnect(c);
	return 0;
}
