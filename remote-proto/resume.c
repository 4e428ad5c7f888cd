/* The link's bookkeeping (see resume.h): the host's recent output, the
 * desk's frames not yet known taken, the heartbeat and redial timers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resume.h"
#include "rp.h"

/* ---- rp_outkeep ---- */

#define OUTKEEP_FIRST_BYTES 4096

void rp_outkeep_init(struct rp_outkeep *k, size_t max)
{
	memset(k, 0, sizeof *k);
	k->max = max;
}

void rp_outkeep_finish(struct rp_outkeep *k)
{
	free(k->buf);
	k->buf = NULL;
	k->cap = k->len = k->start = 0;
}

void rp_outkeep_forget(struct rp_outkeep *k)
{
	k->start = k->len = 0;
}

/* Room for need bytes (at most max): the ring grows by doubling, its
 * bytes laid out from 0 again. */
static bool outkeep_grow(struct rp_outkeep *k, size_t need)
{
	size_t want = k->cap ? k->cap : OUTKEEP_FIRST_BYTES;
	uint8_t *nb;

	if (need > k->max)
		need = k->max;
	while (want < need)
		want *= 2;
	if (want > k->max)
		want = k->max;
	if (want <= k->cap)
		return true;
	nb = malloc(want);
	if (!nb)
		return false;
	if (k->len) {
		size_t first = k->len < k->cap - k->start ? k->len : k->cap - k->start;
		memcpy(nb, k->buf + k->start, first);
		memcpy(nb + first, k->buf, k->len - first);
	}
	free(k->buf);
	k->buf = nb;
	k->cap = want;
	k->start = 0;
	return true;
}

void rp_outkeep_add(struct rp_outkeep *k, const void *p, size_t n)
{
	const uint8_t *src = p;

	k->end += n;
	if (!n || !k->max)
		return;
	if (!outkeep_grow(k, k->len + n)) {
		rp_outkeep_forget(k);
		return;
	}
	if (n >= k->cap) {
		memcpy(k->buf, src + n - k->cap, k->cap);
		k->start = 0;
		k->len = k->cap;
		return;
	}
	if (k->len + n > k->cap) { /* the oldest make room */
		size_t drop = k->len + n - k->cap;
		k->start = (k->start + drop) % k->cap;
		k->len -= drop;
	}
	size_t w = (k->start + k->len) % k->cap;
	size_t first = n < k->cap - w ? n : k->cap - w;
	memcpy(k->buf + w, src, first);
	memcpy(k->buf, src + first, n - first);
	k->len += n;
}

int rp_outkeep_since(const struct rp_outkeep *k, uint64_t from, const uint8_t **p1, size_t *n1,
		     const uint8_t **p2, size_t *n2)
{
	uint64_t begin = k->end - k->len;

	*p1 = *p2 = NULL;
	*n1 = *n2 = 0;
	if (from < begin || from > k->end)
		return -ERANGE;
	if (from == k->end)
		return 0;
	size_t pos = (k->start + (size_t)(from - begin)) % k->cap;
	size_t cnt = (size_t)(k->end - from);
	*p1 = k->buf + pos;
	*n1 = cnt < k->cap - pos ? cnt : k->cap - pos;
	if (cnt > *n1) {
		*p2 = k->buf;
		*n2 = cnt - *n1;
	}
	return 0;
}

/* ---- rp_inlog ---- */

#define REC_HDR_BYTES 12

struct rec {
	struct rp_inpos pos;
	uint32_t len;
};

static struct rec rec_at(const struct rp_inlog *l, size_t off)
{
	uint32_t v[3];
	memcpy(v, l->buf + off, sizeof v);
	return (struct rec){{v[0], v[1]}, v[2]};
}

bool rp_inpos_before(struct rp_inpos a, struct rp_inpos b)
{
	int32_t d = (int32_t)(b.seq - a.seq);

	return d > 0 || (d == 0 && a.after < b.after);
}

void rp_inlog_init(struct rp_inlog *l)
{
	memset(l, 0, sizeof *l);
}

void rp_inlog_finish(struct rp_inlog *l)
{
	free(l->buf);
	memset(l, 0, sizeof *l);
}

size_t rp_inlog_bytes(const struct rp_inlog *l)
{
	return l->tail - l->head;
}

static void inlog_pop(struct rp_inlog *l)
{
	l->head += REC_HDR_BYTES + rec_at(l, l->head).len;
	if (l->head == l->tail)
		l->head = l->tail = 0;
}

int rp_inlog_add(struct rp_inlog *l, struct rp_inpos pos, const void *frame, size_t n, bool evict)
{
	size_t need = REC_HDR_BYTES + n;
	uint32_t v[3] = {pos.seq, pos.after, (uint32_t)n};

	if (need > RP_INLOG_BYTES)
		return -EMSGSIZE;
	if (!l->buf) {
		if (!(l->buf = malloc(RP_INLOG_BYTES)))
			return -ENOMEM;
		l->cap = RP_INLOG_BYTES;
	}
	if (l->tail - l->head + need > l->cap) {
		if (!evict)
			return -ENOBUFS;
		while (l->tail - l->head + need > l->cap)
			inlog_pop(l);
		l->lost = true;
	}
	if (l->tail + need > l->cap) {
		memmove(l->buf, l->buf + l->head, l->tail - l->head);
		l->tail -= l->head;
		l->head = 0;
	}
	memcpy(l->buf + l->tail, v, sizeof v);
	memcpy(l->buf + l->tail + REC_HDR_BYTES, frame, n);
	l->tail += need;
	l->last = pos;
	return 0;
}

void rp_inlog_taken(struct rp_inlog *l, struct rp_inpos pos)
{
	while (l->head < l->tail && !rp_inpos_before(pos, rec_at(l, l->head).pos))
		inlog_pop(l);
}

void rp_inlog_acked(struct rp_inlog *l, uint32_t seq)
{
	rp_inlog_taken(l, (struct rp_inpos){seq, 0});
}

void rp_inlog_void_input(struct rp_inlog *l, uint32_t after, uint32_t upto)
{
	for (size_t off = l->head; off < l->tail;) {
		struct rec r = rec_at(l, off);
		uint8_t *f = l->buf + off + REC_HDR_BYTES;
		if (!r.pos.after && (int32_t)(r.pos.seq - after) > 0 &&
		    (int32_t)(r.pos.seq - upto) <= 0 && r.len >= RP_HDR_SIZE + 4 && f[0] == RP_INPUT)
			memcpy(f + 4, (const uint8_t[]){0, 0, 0, 4}, 4); /* the length: seq only */
		off += REC_HDR_BYTES + r.len;
	}
}

/* b comes right after a: nothing sent between them. */
static bool inpos_next(struct rp_inpos a, struct rp_inpos b)
{
	return (b.seq == a.seq && b.after == a.after + 1) || (b.seq == a.seq + 1 && b.after == 0);
}

bool rp_inlog_gap(const struct rp_inlog *l, struct rp_inpos taken)
{
	if (l->head == l->tail)
		return l->lost && rp_inpos_before(taken, l->last);
	struct rec first = rec_at(l, l->head);
	return l->lost && rp_inpos_before(taken, first.pos) && !inpos_next(taken, first.pos);
}

bool rp_inlog_first(const struct rp_inlog *l, struct rp_inpos *pos)
{
	if (l->head == l->tail)
		return false;
	*pos = rec_at(l, l->head).pos;
	return true;
}

int rp_inlog_since_at(const struct rp_inlog *l, struct rp_inpos taken, rp_inlog_at_fn fn,
		      void *ctx)
{
	int count = 0;

	for (size_t off = l->head; off < l->tail;) {
		struct rec r = rec_at(l, off);
		if (rp_inpos_before(taken, r.pos)) {
			const uint8_t *f = l->buf + off + REC_HDR_BYTES;
			/* An INPUT emptied (rp_inlog_void_input) is shorter than
			 * its record. */
			size_t n = r.len >= RP_HDR_SIZE && f[0] == RP_INPUT
					   ? RP_HDR_SIZE + ((size_t)f[4] << 24 | (size_t)f[5] << 16 |
							    (size_t)f[6] << 8 | f[7])
					   : r.len;
			int e = fn(ctx, r.pos, f, n < r.len ? n : r.len);
			if (e < 0)
				return e;
			count++;
		}
		off += REC_HDR_BYTES + r.len;
	}
	return count;
}

struct since {
	rp_inlog_fn fn;
	void *ctx;
};

static int since_fn(void *ctx, struct rp_inpos pos, const void *frame, size_t n)
{
	struct since *s = ctx;

	(void)pos;
	return s->fn(s->ctx, frame, n);
}

int rp_inlog_since(const struct rp_inlog *l, struct rp_inpos taken, rp_inlog_fn fn, void *ctx,
		   bool *gap)
{
	struct since s = {fn, ctx};

	*gap = rp_inlog_gap(l, taken);
	return rp_inlog_since_at(l, taken, since_fn, &s);
}

/* ---- rp_link ---- */

void rp_link_init(struct rp_link *l, long now_ms, long sleep_gap_ms)
{
	memset(l, 0, sizeof *l);
	l->state = RP_LINK_UP;
	l->heard_ms = now_ms;
	l->ping_at_ms = now_ms; /* the first round trip measured at once */
	l->backoff_ms = RP_LINK_RETRY_MIN_MS;
	l->sleep_gap_ms = sleep_gap_ms;
	l->dead_min_ms = RP_LINK_DEAD_MIN_MS;
	l->dead_first_ms = RP_LINK_FIRST_DEAD_MS;
}

void rp_link_set_dead_min(struct rp_link *l, long ms)
{
	l->dead_min_ms = ms;
	l->dead_first_ms = 0;
}

void rp_link_init_host(struct rp_link *l, long now_ms)
{
	rp_link_init(l, now_ms, 0);
	l->dead_min_ms = RP_LINK_HOST_DEAD_MIN_MS;
	l->dead_first_ms = RP_LINK_HOST_FIRST_DEAD_MS;
}

/* How long without a PONG, and without anything else, a link is given:
 * a few round trips, never less than a floor (a busy host, a slow hop),
 * and before any round trip is measured the first judgement's floor. */
static long dead_after_ms(const struct rp_link *l)
{
	long rtts = RP_LINK_DEAD_RTTS * (l->srtt_us + 4 * l->rttvar_us) / 1000;
	long floor = l->dead_min_ms;

	if (!l->srtt_us && l->dead_first_ms > floor)
		floor = l->dead_first_ms;
	return rtts > floor ? rtts : floor;
}

void rp_link_down(struct rp_link *l, long now_ms)
{
	l->state = RP_LINK_DOWN;
	l->down_ms = now_ms;
	l->ping_us = 0;
	l->retry_ms = now_ms; /* the first redial at once */
	l->backoff_ms = RP_LINK_RETRY_MIN_MS;
	l->tries = 0;
}

enum rp_link_todo rp_link_tick(struct rp_link *l, long now_ms, long sleep_gap_ms)
{
	bool slept = sleep_gap_ms - l->sleep_gap_ms > RP_LINK_SUSPEND_MS;

	l->sleep_gap_ms = sleep_gap_ms;
	switch (l->state) {
	case RP_LINK_UP:
		if (slept) {
			rp_link_down(l, now_ms);
			return RP_LINK_DEAD;
		}
		if (l->ping_us) {
			long t = dead_after_ms(l);
			if (now_ms - l->ping_sent_ms >= t && now_ms - l->heard_ms >= t) {
				rp_link_down(l, now_ms);
				return RP_LINK_DEAD;
			}
			return RP_LINK_NOTHING;
		}
		return now_ms >= l->ping_at_ms ? RP_LINK_SEND_PING : RP_LINK_NOTHING;
	case RP_LINK_DOWN:
		if (slept)
			rp_link_retry_now(l, now_ms);
		if (now_ms < l->retry_ms)
			return RP_LINK_NOTHING;
		l->state = RP_LINK_DIALING;
		l->tries++;
		return RP_LINK_DIAL;
	case RP_LINK_DIALING:
		break;
	}
	return RP_LINK_NOTHING;
}

long rp_link_wait(const struct rp_link *l, long now_ms)
{
	long at;

	switch (l->state) {
	case RP_LINK_UP:
		if (l->ping_us) {
			long t = dead_after_ms(l);
			at = l->ping_sent_ms + t > l->heard_ms + t ? l->ping_sent_ms + t
								   : l->heard_ms + t;
		} else {
			at = l->ping_at_ms;
		}
		break;
	case RP_LINK_DOWN:
		at = l->retry_ms;
		break;
	default:
		return -1;
	}
	return at > now_ms ? at - now_ms : 0;
}

uint64_t rp_link_ping_stamp(struct rp_link *l, uint64_t now_us, long now_ms)
{
	l->ping_us = now_us ? now_us : 1;
	l->ping_sent_ms = now_ms;
	l->ping_at_ms = now_ms + RP_LINK_PING_MS;
	return l->ping_us;
}

void rp_link_heard(struct rp_link *l, long now_ms)
{
	l->heard_ms = now_ms;
}

int rp_link_pong(struct rp_link *l, uint64_t stamp, uint64_t now_us, long now_ms)
{
	l->heard_ms = now_ms;
	if (!l->ping_us || stamp != l->ping_us || now_us < stamp)
		return 0;
	long r = (long)(now_us - stamp);
	if (!l->srtt_us) {
		l->srtt_us = r ? r : 1;
		l->rttvar_us = r / 2;
	} else {
		long d = l->srtt_us > r ? l->srtt_us - r : r - l->srtt_us;
		l->rttvar_us = (3 * l->rttvar_us + d) / 4;
		l->srtt_us = (7 * l->srtt_us + r) / 8;
		if (!l->srtt_us)
			l->srtt_us = 1;
	}
	l->ping_us = 0;
	return 1;
}

void rp_link_dial_failed(struct rp_link *l, long now_ms)
{
	long cap = now_ms - l->down_ms > RP_LINK_PATIENT_MS ? RP_LINK_RETRY_SLOW_MS
							    : RP_LINK_RETRY_MAX_MS;

	l->state = RP_LINK_DOWN;
	l->retry_ms = now_ms + l->backoff_ms;
	l->backoff_ms = l->backoff_ms * 2 > cap ? cap : l->backoff_ms * 2;
	if (l->backoff_ms < cap && cap == RP_LINK_RETRY_SLOW_MS)
		l->backoff_ms = cap;
}

void rp_link_up(struct rp_link *l, long now_ms)
{
	l->state = RP_LINK_UP;
	l->heard_ms = now_ms;
	l->ping_us = 0;
	l->ping_at_ms = now_ms; /* a round trip on the new path at once */
	l->backoff_ms = RP_LINK_RETRY_MIN_MS;
	l->tries = 0;
}

void rp_link_retry_now(struct rp_link *l, long now_ms)
{
	if (l->state != RP_LINK_DOWN)
		return;
	l->retry_ms = now_ms;
	l->backoff_ms = RP_LINK_RETRY_MIN_MS;
}

void rp_link_net_news(struct rp_link *l, long now_ms)
{
	if (l->state != RP_LINK_DOWN || now_ms >= l->retry_ms)
		return;
	if (l->news_ms && now_ms - l->news_ms < RP_LINK_NEWS_MIN_MS)
		return;
	l->news_ms = now_ms;
	l->retry_ms = now_ms;
}

long rp_link_rtt_us(const struct rp_link *l)
{
	return l->srtt_us;
}

long rp_link_answer_ms(const struct rp_link *l)
{
	long t = RP_LINK_ANSWER_RTTS * (l->srtt_us + 4 * l->rttvar_us) / 1000;

	if (!l->srtt_us || t > RP_LINK_ANSWER_MAX_MS)
		return RP_LINK_ANSWER_MAX_MS;
	return t < RP_LINK_ANSWER_MIN_MS ? RP_LINK_ANSWER_MIN_MS : t;
}
