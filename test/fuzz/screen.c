/* libFuzzer target: the host's screen model (rp_screen: the output
 * filter, libvterm's parser and state, telly's cells and scrollback)
 * given what a program or a VM guest prints, cut anywhere, with resizes,
 * settles and snapshots between the pieces. libvterm is built from its
 * source for this (scripts/vterm-source.sh), so that ASan, UBSan and the
 * fuzzer's coverage reach into it. A hang is a finding (-timeout).
 *
 * Input: two bytes of size, then operations: a byte saying what, and
 * for output a length byte and that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "screen.h"

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct rp_screen *s;
	char row[4096];
	int rows, cols;

	if (n < 2)
		return 0;
	rows = 1 + p[0] % 25;
	cols = 1 + p[1] % 90;
	p += 2, n -= 2;
	s = rp_screen_create(rows, cols, 1 + (unsigned)(rows * 3), 1 << 16);
	if (!s)
		return 0;
	while (n) {
		uint8_t op = *p++;
		n--;
		switch (op % 16) {
		case 12: /* resize */
			if (n >= 2) {
				rows = 1 + p[0] % 25;
				cols = 1 + p[1] % 90;
				rp_screen_resize(s, rows, cols);
				p += 2, n -= 2;
			}
			break;
		case 13:
			rp_screen_settle(s);
			break;
		case 14: {
			struct rp_bytes snap = {0};
			rp_screen_snapshot(s, op >> 4, &snap);
			rp_bytes_finish(&snap);
			for (int y = 0; y < rows; y++)
				rp_screen_row_text(s, y, row, sizeof row);
			break;
		}
		case 15:
			rp_screen_set_fast(s, op & 0x10);
			break;
		default: { /* output: a length, then that much */
			size_t k = n ? (size_t)*p + 1 : 0;
			if (n) {
				p++, n--;
			}
			if (k > n)
				k = n;
			rp_screen_feed(s, p, k);
			p += k, n -= k;
		}
		}
	}
	{
		struct rp_bytes snap = {0};
		rp_screen_snapshot(s, 1000, &snap);
		rp_bytes_finish(&snap);
	}
	rp_screen_destroy(s);
	return 0;
}
