/* libFuzzer target: telly attach's scanner of the modes a program sets
 * (clients/termmodes.c), which reads everything a program prints on its
 * way to the user's terminal.
 *
 * Input: byte 0 the largest piece the stream is cut into (1 + byte 0),
 * the rest the stream. Fed whole and in pieces, the scanner must end in
 * the same state (a sequence split between reads is the same sequence);
 * the resets fit their documented room; and fed back through the scanner,
 * the resets leave nothing to undo. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "termmodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct telly_modes whole, cut;
	char out[TELLY_MODES_RESET_BYTES], out2[TELLY_MODES_RESET_BYTES];
	size_t piece, len, len2;

	if (n < 1)
		return 0;
	piece = 1 + (size_t)p[0];
	p++, n--;
	telly_modes_init(&whole);
	telly_modes_feed(&whole, p, n);
	telly_modes_init(&cut);
	for (size_t at = 0; at < n; at += piece)
		telly_modes_feed(&cut, p + at, n - at < piece ? n - at : piece);
	len = telly_modes_reset(&whole, out, sizeof out);
	len2 = telly_modes_reset(&cut, out2, sizeof out2);
	assert(len <= sizeof out);
	assert(len == len2 && !memcmp(out, out2, len));
	assert((len != 0) == telly_modes_any(&whole));
	/* The resets, seen by the scanner once the program's stream ends
	 * between sequences, undo everything. */
	telly_modes_feed(&whole, "\030", 1); /* CAN: end a sequence left open */
	telly_modes_feed(&whole, out, len);
	assert(!telly_modes_any(&whole));
	return 0;
}
