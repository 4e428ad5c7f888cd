/* The input format the terminal fuzzers share (screen.c, term.c): two
 * bytes of size, then operations, each a byte saying what: 0-11 output
 * (a length byte, then that many bytes), 12 resize (two size bytes),
 * 13-15 the target's own (given the op byte and the rest of the input,
 * which they may take from). Sizes stay small: the bugs live there, and
 * large screens cost most of a run in allocation. */
#ifndef TELLY_FUZZ_VT_OPS_H
#define TELLY_FUZZ_VT_OPS_H

#include <stddef.h>
#include <stdint.h>

#define VT_FUZZ_ROWS 25
#define VT_FUZZ_COLS 90

struct vt_fuzz_ops {
	void (*feed)(void *t, const uint8_t *p, size_t n);
	void (*resize)(void *t, int rows, int cols);
	void (*other)(void *t, uint8_t op, int rows, const uint8_t **p, size_t *n);
};

static inline void vt_fuzz_size(const uint8_t *p, int *rows, int *cols)
{
	*rows = 1 + p[0] % VT_FUZZ_ROWS;
	*cols = 1 + p[1] % VT_FUZZ_COLS;
}

static inline void vt_fuzz_run(void *t, const struct vt_fuzz_ops *ops, int rows,
			       const uint8_t *p, size_t n)
{
	while (n) {
		uint8_t op = *p++;
		n--;
		if (op % 16 == 12) {
			if (n >= 2) {
				int cols;
				vt_fuzz_size(p, &rows, &cols);
				ops->resize(t, rows, cols);
				p += 2, n -= 2;
			}
		} else if (op % 16 > 12) {
			ops->other(t, op, rows, &p, &n);
		} else {
			size_t k = n ? (size_t)*p + 1 : 0;
			if (n)
				p++, n--;
			if (k > n)
				k = n;
			ops->feed(t, p, k);
			p += k, n -= k;
		}
	}
}

#endif
