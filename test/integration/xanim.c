/* xanim: a window that plays "video" (a grainy moving gradient, many
 * colours a frame, 25 frames a second) until a file appears, then stands
 * still with the title "anim still": for the lossy-then-lossless test.
 *
 *   xanim STOPFILE     (on $DISPLAY)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

#define ANIM_W 320
#define ANIM_H 240
#define ANIM_FRAME_NS 40000000L /* 25 a second */

static void set_title(xcb_connection_t *c, xcb_window_t w, const char *t)
{
	xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8,
			    (uint32_t)strlen(t), t);
}

int main(int argc, char **argv)
{
	static uint32_t px[ANIM_W * ANIM_H];
	xcb_connection_t *c;
	const xcb_setup_t *setup;
	xcb_screen_t *scr;
	xcb_window_t w;
	xcb_gcontext_t gc;
	unsigned seed = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: xanim STOPFILE\n");
		return 2;
	}
	c = xcb_connect(NULL, NULL);
	if (xcb_connection_has_error(c)) {
		fprintf(stderr, "xanim: cannot open the display\n");
		return 1;
	}
	setup = xcb_get_setup(c);
	scr = xcb_setup_roots_iterator(setup).data;
	if (scr->root_depth != 24) {
		fprintf(stderr, "xanim: wants a 24-bit screen\n");
		return 1;
	}
	w = xcb_generate_id(c);
	xcb_create_window(c, 24, w, scr->root, 0, 0, ANIM_W, ANIM_H, 0,
			  XCB_WINDOW_CLASS_INPUT_OUTPUT, scr->root_visual, 0, NULL);
	set_title(c, w, "anim playing");
	gc = xcb_generate_id(c);
	xcb_create_gc(c, gc, w, 0, NULL);
	xcb_map_window(c, w);
	xcb_flush(c);
	for (unsigned n = 0; access(argv[1], F_OK) != 0; n++) {
		struct timespec ts = {0, ANIM_FRAME_NS};
		for (unsigned y = 0; y < ANIM_H; y++)
			for (unsigned x = 0; x < ANIM_W; x++) {
				seed = seed * 1103515245u + 12345u;
				px[y * ANIM_W + x] = ((x + n * 7) & 0xff) << 16 | ((y * 2 + n * 3) & 0xff) << 8 |
						     ((x + y + (seed >> 28)) & 0xff);
			}
		/* in bands: one request stays under the core size limit */
		for (unsigned y = 0; y < ANIM_H; y += 40)
			xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, w, gc, ANIM_W, 40, 0, (int16_t)y, 0,
				      24, ANIM_W * 40 * 4, (const uint8_t *)(px + y * ANIM_W));
		xcb_flush(c);
		if (xcb_connection_has_error(c))
			return 1;
		nanosleep(&ts, NULL); /* the frame clock of a player */
	}
	set_title(c, w, "anim still");
	xcb_flush(c);
	for (xcb_generic_event_t *ev; (ev = xcb_wait_for_event(c));)
		free(ev);
	xcb_disconnect(c);
	return 0;
}
