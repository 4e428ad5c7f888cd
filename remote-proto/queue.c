/* Shared buffers and bounded send queues (see queue.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "queue.h"

struct rp_buf *rp_buf_create(size_t len)
{
	struct rp_buf *b;

	if (len > UINT32_MAX)
		return NULL;
	b = malloc(sizeof *b + len);
	if (!b)
		return NULL;
	b->refs = 1;
	b->len = (uint32_t)len;
	return b;
}

struct rp_buf *rp_buf_ref(struct rp_buf *b)
{
	b->refs++;
	return b;
}

void rp_buf_unref(struct rp_buf *b)
{
	if (b && --b->refs == 0)
		free(b);
}

int rp_queue_init(struct rp_queue *q, unsigned entries, size_t limit)
{
	memset(q, 0, sizeof *q);
	q->ring = calloc(entries, sizeof *q->ring);
	if (!q->ring)
		return -ENOMEM;
	q->cap = entries;
	q->limit = limit;
	return 0;
}

void rp_queue_finish(struct rp_queue *q)
{
	for (unsigned i = 0; i < q->count; i++)
		rp_buf_unref(q->ring[(q->head + i) % q->cap].buf);
	free(q->ring);
	memset(q, 0, sizeof *q);
}

static size_t ent_len(const struct rp_qent *e)
{
	return e->hdr_len + (e->buf ? e->buf->len : 0);
}

int rp_queue_push(struct rp_queue *q, const void *hdr, size_t hdr_len, struct rp_buf *buf,
		  bool droppable)
{
	struct rp_qent *e;
	size_t len = hdr_len + (buf ? buf->len : 0);

	if (hdr_len == 0 || hdr_len > sizeof e->hdr)
		return -EINVAL;
	/* A droppable push leaves a quarter of the ring for control frames. */
	if (q->count == q->cap || (droppable && q->count >= q->cap - q->cap / 4))
		return -ENOBUFS;
	if (droppable && q->bytes + len > q->limit)
		return -ENOBUFS;
	e = &q->ring[(q->head + q->count) % q->cap];
	memcpy(e->hdr, hdr, hdr_len);
	e->hdr_len = (uint8_t)hdr_len;
	e->droppable = droppable;
	e->buf = buf ? rp_buf_ref(buf) : NULL;
	e->sent = 0;
	e->seq = q->pushed++;
	q->count++;
	q->bytes += len;
	return 0;
}

void rp_queue_drop(struct rp_queue *q)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < q->count; i++) {
		struct rp_qent *e = &q->ring[(q->head + i) % q->cap];
		if (e->droppable && e->sent == 0) {
			q->bytes -= ent_len(e);
			rp_buf_unref(e->buf);
			continue;
		}
		/* Compact in place: kept <= i, so this never overwrites an
		 * entry not yet visited. */
		q->ring[(q->head + kept) % q->cap] = *e;
		kept++;
	}
	q->count = kept;
}

int rp_queue_iov(const struct rp_queue *q, struct iovec *iov, int max)
{
	int n = 0;

	for (unsigned i = 0; i < q->count && n < max; i++) {
		const struct rp_qent *e = &q->ring[(q->head + i) % q->cap];
		size_t skip = e->sent;
		if (skip < e->hdr_len) {
			iov[n].iov_base = (void *)(e->hdr + skip);
			iov[n].iov_len = e->hdr_len - skip;
			n++;
			skip = 0;
		} else {
			skip -= e->hdr_len;
		}
		if (e->buf && skip < e->buf->len && n < max) {
			iov[n].iov_base = e->buf->data + skip;
			iov[n].iov_len = e->buf->len - skip;
			n++;
		}
	}
	return n;
}

void rp_queue_consume(struct rp_queue *q, size_t n)
{
	while (n && q->count) {
		struct rp_qent *e = &q->ring[q->head];
		size_t left = ent_len(e) - e->sent;
		if (n < left) {
			e->sent += (uint32_t)n;
			q->bytes -= n;
			return;
		}
		n -= left;
		q->bytes -= left;
		rp_buf_unref(e->buf);
		e->buf = NULL;
		q->head = (q->head + 1) % q->cap;
		q->count--;
	}
}

bool rp_queue_gone(const struct rp_queue *q, uint64_t mark)
{
	return !q->count || q->ring[q->head].seq >= mark;
}
