/* remote-proto, inside: the cursor every payload decoder reads fields
 * with (codec.c, xwin.c). An overrun is sticky and checked once, by
 * done(), which also refuses bytes left over. Big-endian, as the wire. */
#ifndef RP_RD_H
#define RP_RD_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rp.h"

struct rd {
	const uint8_t *p;
	size_t n, off;
	bool bad;
};

static inline void rd_init(struct rd *r, const uint8_t *p, size_t n)
{
	r->p = p;
	r->n = n;
	r->off = 0;
	r->bad = false;
}

static inline const uint8_t *take(struct rd *r, size_t n)
{
	if (r->bad || n > r->n - r->off) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *p = r->p + r->off;
	r->off += n;
	return p;
}

static inline uint8_t get_u8(struct rd *r)
{
	const uint8_t *p = take(r, 1);
	return p ? p[0] : 0;
}

static inline uint16_t get_u16(struct rd *r)
{
	const uint8_t *p = take(r, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t get_u32(struct rd *r)
{
	const uint8_t *p = take(r, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3] : 0;
}

static inline uint64_t get_u64(struct rd *r)
{
	uint64_t hi = get_u32(r);
	return hi << 32 | get_u32(r);
}

/* A string field (u16 length, at most RP_MAX_STR), pointing into the frame. */
static inline struct rp_str get_str(struct rd *r)
{
	struct rp_str s = {0};
	uint16_t n = get_u16(r);
	const uint8_t *p;

	if (n > RP_MAX_STR) {
		r->bad = true;
		return s;
	}
	p = take(r, n);
	if (p) {
		s.p = (const char *)p;
		s.n = n;
	}
	return s;
}

/* Every field read, nothing left over. */
static inline int done(const struct rd *r)
{
	return r->bad || r->off != r->n ? -EPROTO : 0;
}

#endif
