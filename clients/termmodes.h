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

/* ---- the terminal's answer: does it have synchronized updates? ----
 *
 * DECRQM for mode 2026 (TELLY_SYNC_QUERY) is answered CSI ? 2026 ; Ps $ y:
 * Ps 1 or 2 (set, reset), the terminal has them; 0 or 4, or no answer, it
 * has not. The answer comes in among the keys, maybe twice (a terminal
 * made of two, libvterm under a window, may answer twice) and maybe split
 * across reads (ssh, tmux, a busy terminal). The scanner takes every
 * answer out of the keys, and keeps a partial one at the end of a read
 * for the next, at most TELLY_SYNC_ANSWER_BYTES for TELLY_SYNC_PARTIAL_MS;
 * after that it was keys and goes on as keys, so a real Escape still
 * works. A lone ESC or ESC [ (how an Escape or an arrow key begins) is
 * kept only while an answer is awaited (TELLY_SYNC_AWAIT_MS after the
 * query); ESC [ ? comes from no key. Pure: the caller passes the time. */
#define TELLY_SYNC_QUERY "\033[?2026$p"
#define TELLY_SYNC_ANSWER_BYTES 13 /* ESC [ ? 2 0 2 6 ; N N $ y */
#define TELLY_SYNC_PARTIAL_MS 200  /* a partial answer's rest awaited this long */
#define TELLY_SYNC_AWAIT_MS 2000   /* answers awaited this long after the query */

struct telly_sync {
	uint8_t kept[TELLY_SYNC_ANSWER_BYTES]; /* a partial answer, from the last read */
	uint8_t nkept;
	long kept_ms;	     /* when it was kept */
	long await_until_ms; /* answers awaited until then; 0: not asked */
	bool has;	     /* an answer said the terminal has them */
};

void telly_sync_init(struct telly_sync *s);
/* TELLY_SYNC_QUERY was written to the terminal at now_ms. */
void telly_sync_asked(struct telly_sync *s, long now_ms);
/* n bytes read from the terminal at now_ms: the keys among them (the
 * partial answer kept before, if it turned out to be keys, first) go to
 * out, room for n + TELLY_SYNC_ANSWER_BYTES; returns how many. */
size_t telly_sync_keys(struct telly_sync *s, const uint8_t *in, size_t n, uint8_t *out,
		       long now_ms);
/* The partial answer kept, once its time is up, goes to out (room for
 * TELLY_SYNC_ANSWER_BYTES) as keys; returns how many (0: none due). */
size_t telly_sync_due(struct telly_sync *s, uint8_t *out, long now_ms);
/* ms until telly_sync_due has keys to give (-1: nothing kept). */
long telly_sync_wait_ms(const struct telly_sync *s, long now_ms);

#endif
