/* The modes a session's output switched on in the desk's own terminal
 * (alternate screen, application cursor keys and keypad, mouse reporting,
 * bracketed paste, a hidden cursor, colours, a scroll region, ...), so that
 * `telly attach`, when it leaves (detach, a lost link, the session's end),
 * puts the terminal back as tmux, screen and mosh do, before it prints its
 * last line.
 *
 * A scanner over the bytes written to the terminal: it keeps only the
 * state of the sequence it is in (sequences split across writes are
 * followed), at most TELLY_MODES_PARAM_BYTES of a CSI's parameters (a
 * longer one is skipped, not guessed at), and no string (OSC, DCS, ...)
 * content at all.
 */
#ifndef TELLY_TERMMODES_H
#define TELLY_TERMMODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TELLY_MODES_PARAM_BYTES 64
#define TELLY_MODES_RESET_BYTES 512 /* room for every reset at once */

struct telly_modes {
	/* the scanner */
	uint8_t state;
	char prefix; /* CSI's private marker: '?', '>', '<', '=' or 0 */
	char inter;  /* the last intermediate byte, or 0 */
	bool overflow;
	uint8_t len;
	char params[TELLY_MODES_PARAM_BYTES];
	/* what is set now, unlike a terminal's defaults */
	uint32_t dec;	/* bit per entry of termmodes.c's DEC private mode table */
	uint16_t alt;	/* 47, 1047 or 1049 while on the alternate screen; 0 not */
	bool keypad;	/* DECKPAM (ESC =) */
	bool sgr;	/* colours or attributes other than the defaults */
	bool region;	/* a scroll region (DECSTBM) */
	bool cursor_style; /* DECSCUSR other than the default */
	bool g0_special;   /* ESC ( 0: line drawing in G0 */
	bool shifted;	   /* SO: G1 in use */
	bool modify_keys;  /* xterm modifyOtherKeys (CSI > 4 ; n m) */
	uint8_t kitty;	   /* kitty keyboard flags pushed (CSI > n u) */
};

void telly_modes_init(struct telly_modes *m);
/* Bytes on their way to the terminal. */
void telly_modes_feed(struct telly_modes *m, const void *buf, size_t n);
/* True if anything is set that telly_modes_reset would undo. */
bool telly_modes_any(const struct telly_modes *m);
/* The bytes that undo every mode set (leaving the alternate screen with
 * the cursor where the program left it on the primary one); their length
 * (0: nothing to undo). cap should be TELLY_MODES_RESET_BYTES. */
size_t telly_modes_reset(const struct telly_modes *m, char *out, size_t cap);

#endif
