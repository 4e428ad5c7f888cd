/* libFuzzer target: the desk's prediction engine (predict/) given what a
 * program prints (through its screen model: the output filter, then
 * libvterm built from its source), cut anywhere, with resizes, keys,
 * acks, consumed reports and context changes between the pieces, as
 * telly attach and telly view drive it. The overlay it returns must stay
 * within the screen. A hang is a finding (-timeout).
 *
 * Input: vt_ops.h; 13 keys (a length byte, then the keys), 14 ack,
 * consumed or context (a byte says which and what), 15 update and check
 * the overlay. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "predict.h"
#include "vt_ops.h"

struct fz {
	struct pred *p;
	uint32_t seq;
	long now_ms;
};

static void feed(void *t, const uint8_t *p, size_t n)
{
	pred_output(((struct fz *)t)->p, p, n);
}

static void resize(void *t, int rows, int cols)
{
	pred_resize(((struct fz *)t)->p, rows, cols);
}

static void check_overlay(struct fz *z)
{
	const struct pred_overlay *o = pred_overlay(z->p);
	int rows, cols;

	pred_size(z->p, &rows, &cols);
	for (int i = 0; i < o->n; i++) {
		const struct pred_cell *c = &o->cells[i];
		if (c->row < 0 || c->row >= rows || c->col < 0 || c->width < 1 || c->width > 2 ||
		    c->col + c->width > cols || !memchr(c->utf8, 0, sizeof c->utf8))
			abort();
	}
}

static void other(void *t, uint8_t op, int rows, const uint8_t **p, size_t *n)
{
	struct fz *z = t;

	(void)rows;
	z->now_ms += op >> 4;
	if (op % 16 == 13) {
		size_t k = *n ? (size_t)**p % 16 + 1 : 0;
		if (*n)
			(*p)++, (*n)--;
		if (k > *n)
			k = *n;
		pred_keys(z->p, ++z->seq, *p, k, z->now_ms);
		*p += k, *n -= k;
	} else if (op % 16 == 14) {
		uint8_t b = *n ? **p : 0;
		if (*n)
			(*p)++, (*n)--;
		uint32_t seq = z->seq - (b >> 2 & 3);
		if ((b & 3) == 0) {
			pred_ack(z->p, seq, z->now_ms);
		} else if ((b & 3) == 1) {
			pred_consumed(z->p, seq);
		} else if ((b & 3) == 3 && (b & 0x10)) {
			pred_let_go(z->p, seq, z->seq); /* the host let go of the last ones */
		} else {
			struct pred_context c = {.flags = b >> 4, .pgid = b & 3 ? 100u + (b >> 6) : 0};
			strcpy(c.comm, b & 0x80 ? "bash" : b & 0x40 ? "less" : "vim");
			pred_context(z->p, seq, &c);
		}
	} else {
		pred_update(z->p, z->now_ms);
		check_overlay(z);
		(void)pred_wait_ms(z->p, z->now_ms);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	static const struct vt_fuzz_ops ops = {feed, resize, other};
	struct fz z = {0};
	int rows, cols;

	if (n < 3)
		return 0;
	vt_fuzz_size(p, &rows, &cols);
	z.p = pred_create(rows, cols, p[2] % 3 == 0 ? PRED_ALWAYS : PRED_ADAPTIVE);
	if (!z.p)
		return 0;
	z.now_ms = 1000;
	vt_fuzz_run(&z, &ops, rows, p + 3, n - 3);
	pred_update(z.p, z.now_ms);
	check_overlay(&z);
	pred_destroy(z.p);
	return 0;
}
