/* libFuzzer target: the host's screen model (struct screen: the output
 * filter, libvterm's parser and state, telly's cells and scrollback)
 * given what a program or a VM guest prints, cut anywhere, with resizes,
 * settles and snapshots between the pieces. libvterm is built from its
 * source for this (scripts/vterm-source.sh), so that ASan, UBSan and the
 * fuzzer's coverage reach into it. A hang is a finding (-timeout).
 *
 * Input: vt_ops.h; 13 settles, 14 snapshots and reads the rows, 15
 * turns the plain-text path on or off. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "screen.h"
#include "vt_ops.h"

static void feed(void *t, const uint8_t *p, size_t n)
{
	screen_feed(t, p, n);
}

static void resize(void *t, int rows, int cols)
{
	screen_resize(t, rows, cols);
}

static void snapshot(struct screen *s, unsigned sb_max)
{
	struct screen_bytes snap = {0};

	screen_snapshot(s, sb_max, &snap);
	screen_bytes_finish(&snap);
}

static void other(void *t, uint8_t op, int rows, const uint8_t **p, size_t *n)
{
	char row[4096];

	(void)p, (void)n;
	if (op % 16 == 13) {
		screen_settle(t);
	} else if (op % 16 == 14) {
		snapshot(t, op >> 4);
		for (int y = 0; y < rows; y++)
			screen_row_text(t, y, row, sizeof row);
	} else {
		screen_set_fast(t, op & 0x10);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const struct vt_fuzz_ops ops = {feed, resize, other};
	struct screen *s;
	int rows, cols;

	if (n < 2)
		return 0;
	vt_fuzz_size(p, &rows, &cols);
	s = screen_create(rows, cols, 1 + (unsigned)(rows * 3), 1 << 16);
	if (!s)
		return 0;
	vt_fuzz_run(s, &ops, rows, p + 2, n - 2);
	snapshot(s, 1000);
	screen_destroy(s);
	return 0;
}
