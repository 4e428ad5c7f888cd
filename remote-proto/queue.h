/* Shared output buffers and per-peer send queues.
 *
 * Output read once from a pty becomes one rp_buf, and every viewer's queue
 * holds a reference to it, with only the small frame header its own (the
 * way one sk_buff is shared between layers). A queue is bounded in bytes:
 * when a push of droppable data would pass the bound, the owner drops what
 * has not started to go out and sends a fresh screen instead, so a slow
 * viewer costs bounded memory and never slows the others. Pure: the owner
 * writes the iovecs and reports how much went.
 */
#ifndef RP_QUEUE_H
#define RP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "rp.h"

struct rp_buf {
	uint32_t refs, len;
	uint8_t data[];
};

struct rp_buf *rp_buf_create(size_t len);
struct rp_buf *rp_buf_ref(struct rp_buf *b);
void rp_buf_unref(struct rp_buf *b); /* takes NULL */

struct rp_qent {
	uint8_t hdr[RP_HDR_SIZE + 4]; /* frame header (+ a u32 field) */
	uint8_t hdr_len;
	bool droppable;
	struct rp_buf *buf; /* may be NULL: the header is the whole frame */
	uint32_t sent;      /* bytes of hdr+buf already written */
	uint64_t seq;       /* pushes before it (rp_queue_gone) */
};

struct rp_queue {
	struct rp_qent *ring;
	unsigned cap, head, count;
	size_t bytes, limit; /* bytes queued and not yet written; bound for droppable data */
	uint64_t pushed;     /* entries ever pushed */
};

int rp_queue_init(struct rp_queue *q, unsigned entries, size_t limit);
void rp_queue_finish(struct rp_queue *q);
/* Queue hdr (1..RP_HDR_SIZE+4 bytes) followed by buf (a reference is taken).
 * Returns 0, or -ENOBUFS when a droppable push would pass the byte limit or
 * the ring is full (the owner then drops and snapshots). A non-droppable
 * push passes the byte limit but not the ring. */
int rp_queue_push(struct rp_queue *q, const void *hdr, size_t hdr_len, struct rp_buf *buf,
		  bool droppable);
/* Drop every droppable entry that has not started to go out. */
void rp_queue_drop(struct rp_queue *q);
/* Up to max iovecs of what is queued, in order. Returns the count. */
int rp_queue_iov(const struct rp_queue *q, struct iovec *iov, int max);
/* n bytes went out. */
void rp_queue_consume(struct rp_queue *q, size_t n);
/* Whether every entry of the first mark pushed (q->pushed then) is gone:
 * written whole or dropped. Entries leave in order but for drops, so the
 * oldest one left says it. */
bool rp_queue_gone(const struct rp_queue *q, uint64_t mark);

#endif
