/* libFuzzer target: telly attach's scanner of the modes a program sets
 * (clients/termmodes.c), which reads everything a program prints on its
 * way to the user's terminal.
 *
 * Input: byte 0 the largest piece the stream is cut into (1 + byte 0),
 * the rest the stream. Fed whole and in pieces, the scanner must end in
 * the same state (a sequence split between reads is the same sequence);
 * the resets fit their documented room; and fed back through the scanner,
 * the resets leave nothing to undo. And the same bytes as keys, to the
 * scanner of the terminal's DECRQM answers (sync_scan). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "termmodes.h"

/* The same stream as keys read from the terminal while its DECRQM 2026
 * answer is awaited: the keys left, and what the answers said, are the
 * same whole and in pieces (a partial answer at a piece's end is kept for
 * the next); what a piece gives fits its room. */
static void sync_scan(const uint8_t *p, size_t n, size_t piece)
{
	static uint8_t a[(1 << 20) + TELLY_SYNC_ANSWER_BYTES], b[(1 << 20) + TELLY_SYNC_ANSWER_BYTES];
	struct telly_sync whole, cut;
	size_t na, nb = 0;

	if (n > 1 << 20)
		return;
	telly_sync_init(&whole);
	telly_sync_asked(&whole, 1000);
	cut = whole;
	na = telly_sync_keys(&whole, p, n, a, 1000);
	na += telly_sync_due(&whole, a + na, 1000 + TELLY_SYNC_PARTIAL_MS);
	for (size_t at = 0; at < n; at += piece) {
		size_t k = n - at < piece ? n - at : piece;
		size_t got = telly_sync_keys(&cut, p + at, k, b + nb, 1000);
		assert(got <= k + TELLY_SYNC_ANSWER_BYTES);
		nb += got;
	}
	nb += telly_sync_due(&cut, b + nb, 1000 + TELLY_SYNC_PARTIAL_MS);
	assert(na == nb && !memcmp(a, b, na));
	assert(whole.has == cut.has);
}

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
	sync_scan(p, n, piece);
	return 0;
}
