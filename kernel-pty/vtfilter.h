/* kpty_vtfilter: what a program or a VM guest prints, made safe for libvterm.
 *
 * Terminal output is untrusted input, and libvterm 0.1.4 (Debian 12's)
 * trusts it: a 17th CSI argument is written past its array, REP after
 * nothing printed loops forever, a character of width -1 (a C1 control
 * sent as UTF-8) walks the cursor backwards, a run of combining marks
 * grows a buffer without bound and costs time quadratic in its length,
 * and it puts four bytes per byte written on its stack. The filter sits
 * in front of every libvterm telly feeds (the host's screen model, the
 * desk's terminal surfaces) and passes only well-formed, bounded
 * sequences, rewritten in one canonical form so that what libvterm
 * parses is exactly what the filter checked:
 *
 * - text: strict UTF-8 (malformed input becomes U+FFFD, as libvterm
 *   shows it), no C1 code points, at most KPTY_VTFILTER_MARKS combining
 *   marks on one character; NUL and DEL are dropped (libvterm ignores
 *   them);
 * - CSI: at most KPTY_VTFILTER_PARAMS arguments, each at most
 *   KPTY_VTFILTER_PARAM_MAX, one leader, two intermediates; REP is done
 *   here (the last character, repeated up to a row's width) and never
 *   reaches libvterm;
 * - ESC: at most two intermediates;
 * - a restore of the cursor (DECRC, DEC modes 1048 and 1049 reset) is
 *   followed by a CSI that keeps the cursor inside the screen;
 * - OSC: kept whole up to KPTY_VTFILTER_STR_BYTES and passed complete;
 *   longer ones are dropped. DCS: only the status requests libvterm
 *   answers (any other DECRQSS crashes it). SOS, PM and APC strings are
 *   dropped (libvterm would print their contents);
 * - C0 controls pass at once, where they stand, as libvterm runs them
 *   even inside a sequence.
 *
 * A sequence refused is counted, never half passed. Output comes out in
 * pieces of at most KPTY_VTFILTER_CHUNK bytes, each ending between
 * characters. Pure logic, no I/O, no allocation.
 */
#ifndef KPTY_VTFILTER_H
#define KPTY_VTFILTER_H

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KPTY_VTFILTER_PARAMS 16	   /* libvterm 0.1.4 keeps 16 and writes a 17th past them */
#define KPTY_VTFILTER_PARAM_MAX 65535 /* xterm's own bound on an argument */
#define KPTY_VTFILTER_MARKS 4	   /* combining marks kept on one character */
#define KPTY_VTFILTER_STR_BYTES 1024 /* an OSC or DCS kept whole up to this */
#define KPTY_VTFILTER_CHUNK 4096	   /* the most handed over at once */
#define KPTY_VTFILTER_MARK_CACHE 64  /* characters whose class is remembered */

typedef void (*kpty_vtfilter_out_fn)(void *ctx, const void *bytes, size_t n);

struct kpty_vtfilter {
	kpty_vtfilter_out_fn out;
	void *ctx;
	locale_t utf8; /* for wcwidth: which characters are combining marks */
	/* The answers for recent characters: code point, and bit 31 set for a
	 * mark (0 never matches: U+0000 is not text here). */
	uint32_t mark_cache[KPTY_VTFILTER_MARK_CACHE];
	uint8_t state; /* enum in vtfilter.c */
	/* A UTF-8 character being read. */
	uint32_t cp, cp_min;
	uint8_t utf8_left;
	/* The last character printed (with its marks), for REP; valid
	 * while nothing but text followed it. */
	uint8_t last[4 * (1 + KPTY_VTFILTER_MARKS)];
	uint8_t last_len, marks;
	bool last_ok;
	unsigned rep_max; /* a row's width */
	/* The sequence being read. */
	uint8_t leader, ninter, inter[2], str_kind;
	bool bad;  /* refused: read to its end, then dropped */
	uint8_t nparam;
	bool param_set[KPTY_VTFILTER_PARAMS];
	uint8_t sep[KPTY_VTFILTER_PARAMS]; /* ';' or ':' after each */
	uint32_t param[KPTY_VTFILTER_PARAMS];
	size_t str_len;
	uint8_t str[KPTY_VTFILTER_STR_BYTES];
	/* Output staged for out(). */
	size_t out_len;
	uint8_t obuf[KPTY_VTFILTER_CHUNK];
	uint64_t refused; /* sequences and characters dropped, for reports */
};

/* false (with errno) when no UTF-8 locale could be made. */
bool kpty_vtfilter_init(struct kpty_vtfilter *f, kpty_vtfilter_out_fn out, void *ctx);
void kpty_vtfilter_finish(struct kpty_vtfilter *f);
/* The width REP may fill (the terminal's columns). */
void kpty_vtfilter_set_cols(struct kpty_vtfilter *f, int cols);
/* libvterm 0.1.4 starts with a saved cursor of zeros: a program that
 * restores the cursor (DECRC, or leaving the alternate screen) before it
 * ever saved one gets it hidden, writing black on black, with a cursor
 * shape of 0 (a DECRQSS of the shape then answers from an uninitialised
 * int). Written into a new libvterm right after its reset, these bytes
 * save the cursor it starts with, which such a restore then gets, as in
 * xterm (home, default colours, visible). */
#define KPTY_VTFILTER_START "\0337"
/* libvterm 0.1.4 clamps neither the scroll margins nor the saved cursor
 * (DECSC, and the alternate screen's) when it shrinks, and later reads
 * and writes outside its line table (a program sets a margin or saves
 * the cursor low on the screen, the window gets smaller, one newline).
 * Written into the libvterm right after vterm_set_size, these bytes
 * (at most KPTY_VTFILTER_RESIZE_FIX) put the margins back to the whole
 * screen, as xterm does on a resize, and the cursor (cur_row, cur_col,
 * 0-based, read from libvterm after the resize) back where it was. The
 * saved cursor is left as the program saved it (as in xterm: its shell
 * prompt comes back where it was after a full-screen program): the
 * filter follows each restore with a sequence that brings the cursor
 * inside the screen. Returns the length. */
#define KPTY_VTFILTER_RESIZE_FIX 48
size_t kpty_vtfilter_resize_fix(char *out, int rows, int cols, int cur_row, int cur_col);
/* Passes what may pass of bytes to out(), and holds an unfinished
 * character or sequence for the next feed. */
void kpty_vtfilter_feed(struct kpty_vtfilter *f, const void *bytes, size_t n);


#endif
