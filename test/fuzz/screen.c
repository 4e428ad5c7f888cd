/* libFuzzer target: the host's screen model (struct screen: the output
 * filter, libvterm's parser and state, telly's cells and scrollback)
 * given what a program or a VM guest prints, cut anywhere, with resizes,
 * settles and snapshots between the pieces. libvterm is built from its
 * source for this (scripts/vterm-source.sh), so that ASan, UBSan and the
 * fuzzer's coverage reach into it. A hang is a finding (-timeout).
 *
 * An input runs on an eager screen (a program's session) or, when the
 * top bit of its first byte is set, on a lazy one (a console's: output
 * kept raw in a ring of 1 to 16 KiB, the size taken from the input, and
 * replayed for each snapshot and row read). Running every input on both
 * halved the executions a second for no path the fuzzer cannot reach by
 * flipping that bit; a lazy screen's reads are capped per input for the
 * same reason (each replays the whole ring: an input of reads was a
 * hundred replays, and found nothing a few do not).
 *
 * Input: vt_ops.h; 13 settles, 14 snapshots and reads the rows, 15
 * turns the plain-text path on or off. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <locale.h>
#include <stdlib.h>

#include "screen.h"
#include "vt_ops.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static locale_t utf8;

	(void)argc, (void)argv;
	/* Each screen's output filter makes a C.UTF-8 locale; glibc loads
	 * its files anew unless one is alive, as in the daemon, whose
	 * sessions hold theirs (without this, a third of a run was spent
	 * opening and mapping them). */
	utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!utf8)
		abort();
	return 0;
}

/* Reads of a lazy screen per input (see above). */
#define FZ_LAZY_READS_MAX 4

struct fz {
	struct screen *s;
	bool lazy;
	unsigned reads;
};

static void feed(void *t, const uint8_t *p, size_t n)
{
	screen_feed(((struct fz *)t)->s, p, n);
}

static void resize(void *t, int rows, int cols)
{
	screen_resize(((struct fz *)t)->s, rows, cols);
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

	struct fz *z = t;

	(void)p, (void)n;
	if (z->lazy && op % 16 != 15 && z->reads++ >= FZ_LAZY_READS_MAX)
		return;
	if (op % 16 == 13) {
		screen_settle(z->s);
	} else if (op % 16 == 14) {
		snapshot(z->s, op >> 4);
		/* A lazy screen replays its ring for each read, the same
		 * each time: one row (the first or the last) after the
		 * snapshot reaches that path; the eager one reads them all. */
		if (z->lazy)
			screen_row_text(z->s, op & 0x20 ? rows - 1 : 0, row, sizeof row);
		else
			for (int y = 0; y < rows; y++)
				screen_row_text(z->s, y, row, sizeof row);
	} else {
		screen_set_fast(z->s, op & 0x10);
	}
}

static void run(const uint8_t *p, size_t n, bool lazy)
{
	static const struct vt_fuzz_ops ops = {feed, resize, other};
	struct screen *s;
	struct fz z;
	int rows, cols;

	vt_fuzz_size(p, &rows, &cols);
	if (lazy)
		s = screen_create_lazy(rows, cols, 1 + (unsigned)(rows * 3), 1 << 16,
				       (size_t)(1 + (p[0] ^ p[1]) % 16) << 10);
	else
		s = screen_create(rows, cols, 1 + (unsigned)(rows * 3), 1 << 16);
	if (!s)
		return;
	z = (struct fz){s, lazy, 0};
	vt_fuzz_run(&z, &ops, rows, p + 2, n - 2);
	snapshot(s, 1000);
	screen_destroy(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	if (n < 2)
		return 0;
	run(p, n, p[0] & 0x80);
	return 0;
}
