/* The link's bookkeeping as plain calls (remote-proto/resume.h): what the
 * host keeps of a channel's output and gives back from an offset, what the
 * desk keeps of what it sent and sends again after the host's place (no
 * frame lost or doubled), and the heartbeat's and redial's timers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "resume.h"
#include "rp.h"
#include "unit.h"

/* Bytes [from, end) of a stream where byte i is (i * 7 + i / 251) & 0xff. */
static uint8_t byte_at(uint64_t i)
{
	return (uint8_t)((i * 7 + i / 251) & 0xff);
}

static void feed(struct rp_outkeep *k, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	for (size_t i = 0; i < n; i++)
		b[i] = byte_at(k->end + i);
	rp_outkeep_add(k, b, n);
	free(b);
}

/* The bytes since from are exactly the stream's. */
static bool since_ok(const struct rp_outkeep *k, uint64_t from)
{
	const uint8_t *p1, *p2;
	size_t n1, n2;

	if (rp_outkeep_since(k, from, &p1, &n1, &p2, &n2) < 0)
		return false;
	if (n1 + n2 != k->end - from)
		return false;
	for (size_t i = 0; i < n1; i++)
		if (p1[i] != byte_at(from + i))
			return false;
	for (size_t i = 0; i < n2; i++)
		if (p2[i] != byte_at(from + n1 + i))
			return false;
	return true;
}

static void outkeep_gives_back_exactly(void)
{
	struct rp_outkeep k;
	const uint8_t *p1, *p2;
	size_t n1, n2;

	rp_outkeep_init(&k, 10000);
	CHECK_EQ(rp_outkeep_since(&k, 0, &p1, &n1, &p2, &n2), 0);
	CHECK_EQ(n1 + n2, 0);
	feed(&k, 100);
	CHECK(since_ok(&k, 0));
	CHECK(since_ok(&k, 37));
	CHECK(since_ok(&k, 100));
	CHECK_EQ(rp_outkeep_since(&k, 101, &p1, &n1, &p2, &n2), -ERANGE);
	/* Grown past its first size, then wrapped many times in odd steps. */
	for (int i = 0; i < 300; i++)
		feed(&k, (size_t)(i * 37 % 1500));
	CHECK_EQ(k.len, 10000);
	CHECK(since_ok(&k, k.end - 10000));
	CHECK(since_ok(&k, k.end - 9999));
	CHECK(since_ok(&k, k.end - 1));
	CHECK(since_ok(&k, k.end));
	CHECK_EQ(rp_outkeep_since(&k, k.end - 10001, &p1, &n1, &p2, &n2), -ERANGE);
	/* More than it keeps at once: the last max bytes. */
	feed(&k, 25000);
	CHECK(since_ok(&k, k.end - 10000));
	CHECK_EQ(rp_outkeep_since(&k, k.end - 10001, &p1, &n1, &p2, &n2), -ERANGE);
	/* A redraw: nothing before it is offered, the offset goes on. */
	uint64_t end = k.end;
	rp_outkeep_forget(&k);
	CHECK_EQ(k.end, end);
	CHECK_EQ(rp_outkeep_since(&k, end - 1, &p1, &n1, &p2, &n2), -ERANGE);
	feed(&k, 10);
	CHECK(since_ok(&k, end));
	rp_outkeep_finish(&k);
}

/* fn for rp_inlog_since: the frames' first bytes in order. */
struct got {
	uint8_t first[64];
	int n;
};

static int collect(void *ctx, const void *frame, size_t n)
{
	struct got *g = ctx;
	if (n && g->n < 64)
		g->first[g->n++] = *(const uint8_t *)frame;
	return 0;
}

static void add(struct rp_inlog *l, uint32_t seq, uint32_t after, uint8_t tag)
{
	uint8_t f[8] = {tag};
	CHECK_EQ(rp_inlog_add(l, (struct rp_inpos){seq, after}, f, sizeof f, false), 0);
}

static void inlog_sends_again_exactly_the_rest(void)
{
	struct rp_inlog l;
	struct got g = {0};
	bool gap;

	rp_inlog_init(&l);
	/* INPUT 1, ECHO, ECHO, INPUT 2, SIGNAL, INPUT 3 */
	add(&l, 1, 0, 'a');
	add(&l, 1, 1, 'b');
	add(&l, 1, 2, 'c');
	add(&l, 2, 0, 'd');
	add(&l, 2, 1, 'e');
	add(&l, 3, 0, 'f');
	/* The host took INPUT 1 and one ECHO after it: b is not sent again. */
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){1, 1}, collect, &g, &gap), 4);
	CHECK(!gap);
	CHECK(g.n == 4 && !memcmp(g.first, "cdef", 4));
	/* It took nothing: all of them. */
	g.n = 0;
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){0, 0}, collect, &g, &gap), 6);
	/* Everything: none. */
	g.n = 0;
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){3, 0}, collect, &g, &gap), 0);
	/* OUTPUT acked INPUT 2: what came before it and it go; the SIGNAL
	 * after it stays (its fate is not known). */
	rp_inlog_acked(&l, 2);
	g.n = 0;
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){2, 0}, collect, &g, &gap), 2);
	CHECK(g.n == 2 && !memcmp(g.first, "ef", 2));
	CHECK(!gap);
	/* A PONG proved the host took the SIGNAL after INPUT 2 too. */
	rp_inlog_taken(&l, (struct rp_inpos){2, 1});
	g.n = 0;
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){2, 0}, collect, &g, &gap), 1);
	CHECK(g.n == 1 && g.first[0] == 'f');
	rp_inlog_acked(&l, 3);
	CHECK_EQ(rp_inlog_bytes(&l), 0);
	rp_inlog_finish(&l);
}

/* rp_inlog_since: each frame's length, and its header's. */
static int lengths(void *ctx, const void *frame, size_t n)
{
	struct got *g = ctx;
	const uint8_t *f = frame;

	if (g->n < 64)
		g->first[g->n++] = (uint8_t)(n * 16 + f[7]);
	return 0;
}

/* INPUT frames whose keys went otherwise (typed again after a switch to
 * canonical) are sent again with their seq and no bytes; ECHO and the
 * INPUT frames outside the range stay whole. */
static void inlog_voided_input_sent_empty(void)
{
	struct rp_inlog l;
	struct got g = {0};
	bool gap;
	uint8_t in[RP_HDR_SIZE + 6], echo[RP_HDR_SIZE + 2];

	rp_inlog_init(&l);
	/* Headers: type, flags, channel 1, the payload's length. */
	memcpy(in, (const uint8_t[]){RP_INPUT, 0, 0, 1, 0, 0, 0, 6}, RP_HDR_SIZE);
	memcpy(echo, (const uint8_t[]){RP_ECHO, 0, 0, 1, 0, 0, 0, 2}, RP_HDR_SIZE);
	for (uint32_t seq = 1; seq <= 3; seq++) {
		rp_inlog_add(&l, (struct rp_inpos){seq, 0}, in, sizeof in, false);
		rp_inlog_add(&l, (struct rp_inpos){seq, 1}, echo, sizeof echo, false);
	}
	rp_inlog_void_input(&l, 1, 2);
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){0, 0}, lengths, &g, &gap), 6);
	/* (length, header's length): 14/6, 10/2, 12/4 (emptied), 10/2, 14/6, 10/2 */
	static const uint8_t want[] = {14 * 16 + 6, 10 * 16 + 2, 12 * 16 + 4,
				       10 * 16 + 2, 14 * 16 + 6, 10 * 16 + 2};
	CHECK(g.n == 6 && !memcmp(g.first, want, 6));
	rp_inlog_finish(&l);
}

static void inlog_across_the_seq_wrap(void)
{
	struct rp_inlog l;
	struct got g = {0};
	bool gap;

	rp_inlog_init(&l);
	add(&l, 0xfffffffeu, 0, 'x');
	add(&l, 0xffffffffu, 0, 'y');
	add(&l, 0, 0, 'z');
	add(&l, 1, 0, 'w');
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){0xffffffffu, 0}, collect, &g, &gap), 2);
	CHECK(g.n == 2 && !memcmp(g.first, "zw", 2));
	rp_inlog_acked(&l, 0);
	g.n = 0;
	CHECK_EQ(rp_inlog_since(&l, (struct rp_inpos){0xfffffff0u, 0}, collect, &g, &gap), 1);
	CHECK(g.n == 1 && g.first[0] == 'w');
	rp_inlog_finish(&l);
}

static void inlog_bounded(void)
{
	struct rp_inlog l;
	static uint8_t big[60000];
	uint32_t seq = 0;
	bool gap;
	struct got g = {0};

	rp_inlog_init(&l);
	/* Full while the link is down: refused, nothing let go. */
	while (rp_inlog_add(&l, (struct rp_inpos){++seq, 0}, big, sizeof big, false) == 0)
		;
	CHECK(rp_inlog_bytes(&l) <= RP_INLOG_BYTES);
	CHECK(rp_inlog_bytes(&l) > RP_INLOG_BYTES - sizeof big - 64);
	CHECK(!l.lost);
	seq--;
	/* While up: the oldest make room, and a resume from before them says
	 * frames were lost. */
	CHECK_EQ(rp_inlog_add(&l, (struct rp_inpos){++seq, 0}, big, sizeof big, true), 0);
	CHECK(l.lost);
	CHECK(rp_inlog_since(&l, (struct rp_inpos){0, 0}, collect, &g, &gap) > 0);
	CHECK(gap);
	CHECK(rp_inlog_since(&l, (struct rp_inpos){seq - 1, 0}, collect, &g, &gap) == 1);
	CHECK(!gap);
	CHECK_EQ(rp_inlog_add(&l, (struct rp_inpos){++seq, 0}, big, RP_INLOG_BYTES, true), -EMSGSIZE);
	rp_inlog_finish(&l);
}

static void link_heartbeat_and_rtt(void)
{
	struct rp_link l;
	long t = 1000;

	rp_link_init(&l, t, 0);
	/* A PING at once, then one a second. */
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_SEND_PING);
	uint64_t s = rp_link_ping_stamp(&l, 5000000, t);
	CHECK_EQ(rp_link_tick(&l, t + 10, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_pong(&l, s + 1, 5020000, t + 20), 0); /* not the one awaited */
	CHECK_EQ(rp_link_pong(&l, s, 5020000, t + 20), 1);
	CHECK_EQ(rp_link_rtt_us(&l), 20000);
	CHECK_EQ(rp_link_wait(&l, t + 20), RP_LINK_PING_MS - 20);
	CHECK_EQ(rp_link_tick(&l, t + RP_LINK_PING_MS, 0), RP_LINK_SEND_PING);
	s = rp_link_ping_stamp(&l, 6000000, t + RP_LINK_PING_MS);
	rp_link_pong(&l, s, 6040000, t + RP_LINK_PING_MS + 40);
	CHECK(rp_link_rtt_us(&l) > 20000 && rp_link_rtt_us(&l) < 40000);
}

static void link_dead_when_nothing_answers(void)
{
	struct rp_link l;
	long t = 0;

	rp_link_init(&l, t, 0);
	/* A round trip measured (20 ms), then a PING that gets no PONG. */
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_SEND_PING);
	CHECK_EQ(rp_link_pong(&l, rp_link_ping_stamp(&l, 1000, t), 21000, t + 20), 1);
	t = RP_LINK_PING_MS;
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(&l, 1000000, t);
	/* Output still flowing: not dead, whatever the PONG does. */
	for (t += 100; t < 5000; t += 100) {
		rp_link_heard(&l, t);
		CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_NOTHING);
	}
	/* Then silence: dead after the floor. */
	CHECK_EQ(rp_link_tick(&l, t + RP_LINK_DEAD_MIN_MS - 200, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(&l, t + RP_LINK_DEAD_MIN_MS, 0), RP_LINK_DEAD);
	CHECK_EQ(l.state, RP_LINK_DOWN);
	/* The first redial at once. */
	CHECK_EQ(rp_link_wait(&l, t + RP_LINK_DEAD_MIN_MS), 0);
}

/* l, just made at 0, whose first PONG comes rtt after its PING, past the
 * floor: that PONG is taken (the link not given up at the floor, nor
 * 1 ms before it comes); the next judgement goes by what it measured, a
 * few such round trips, past the first bound too. Returns when that
 * judgement gave the link up. */
static long slow_first_pong(struct rp_link *l, long floor, long rtt, long first)
{
	long t = 0;

	CHECK_EQ(rp_link_tick(l, t, 0), RP_LINK_SEND_PING);
	uint64_t s = rp_link_ping_stamp(l, 1000000, t);
	CHECK_EQ(rp_link_tick(l, t + floor, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(l, t + rtt - 1, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_pong(l, s, 1000000 + (uint64_t)rtt * 1000, t + rtt), 1);
	CHECK_EQ(rp_link_rtt_us(l), rtt * 1000);
	t += rtt;
	CHECK_EQ(rp_link_tick(l, t + RP_LINK_PING_MS, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(l, 20000000, t + RP_LINK_PING_MS);
	t += RP_LINK_PING_MS;
	CHECK_EQ(rp_link_tick(l, t + first, 0), RP_LINK_NOTHING);
	long dead = RP_LINK_DEAD_RTTS * (rtt + 4 * (rtt / 2));
	CHECK_EQ(rp_link_wait(l, t), dead);
	CHECK_EQ(rp_link_tick(l, t + dead - 1, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(l, t + dead, 0), RP_LINK_DEAD);
	return t + dead;
}

/* l, just made at 0, never answered and nothing heard: given up at the
 * first bound. */
static void never_answered(struct rp_link *l, long first)
{
	CHECK_EQ(rp_link_tick(l, 0, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(l, 1000, 0);
	CHECK_EQ(rp_link_wait(l, 0), first);
	CHECK_EQ(rp_link_tick(l, first - 1, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(l, first, 0), RP_LINK_DEAD);
}

/* The desk's first judgement waits for a measured round trip (or
 * RP_LINK_FIRST_DEAD_MS): a link whose round trip is 2.5 s is not given
 * up at the 2 s floor before its first PONG (it was, on every
 * connection, and never measured); later judgements go by what was
 * measured, after a redial too; a link that never answers is given up at
 * the bound. */
static void link_first_rtt(void)
{
	struct rp_link l;
	long rtt = RP_LINK_DEAD_MIN_MS + 500;

	rp_link_init(&l, 0, 0);
	long t = slow_first_pong(&l, RP_LINK_DEAD_MIN_MS, rtt, RP_LINK_FIRST_DEAD_MS);
	rp_link_up(&l, t);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(&l, 40000000, t);
	CHECK_EQ(rp_link_wait(&l, t), RP_LINK_DEAD_RTTS * (rtt + 4 * (rtt / 2)));

	rp_link_init(&l, 0, 0);
	never_answered(&l, RP_LINK_FIRST_DEAD_MS);
}

/* The host's view of a desk: the same rules with a floor of its own, and
 * a desk that never answers PING (an older one) but sends its own frames
 * is never taken for dead. */
static void link_host_floor(void)
{
	struct rp_link l;
	long t = 0;

	rp_link_init(&l, t, 0);
	rp_link_set_dead_min(&l, 6000);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(&l, 1000, t);
	for (t = 1000; t < 20000; t += 1000) { /* its own PING each second */
		rp_link_heard(&l, t);
		CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_NOTHING);
	}
	t -= 1000;
	CHECK_EQ(rp_link_tick(&l, t + RP_LINK_DEAD_MIN_MS, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_wait(&l, t), 6000);
	CHECK_EQ(rp_link_tick(&l, t + 5999, 0), RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(&l, t + 6000, 0), RP_LINK_DEAD);
}

/* The host's first judgement of a desk waits for a round trip measured
 * (or RP_LINK_HOST_FIRST_DEAD_MS): a link whose round trip is 7 s is not
 * dropped at the 6 s floor before its first PONG; later judgements go by
 * what was measured; a link that never answers is dropped at the bound. */
static void link_host_first_rtt(void)
{
	struct rp_link l;
	uint64_t s;

	rp_link_init_host(&l, 0);
	slow_first_pong(&l, RP_LINK_HOST_DEAD_MIN_MS, RP_LINK_HOST_DEAD_MIN_MS + 1000,
			RP_LINK_HOST_FIRST_DEAD_MS);

	/* Measured fast: back to the floor, not the first bound. */
	rp_link_init_host(&l, 0);
	CHECK_EQ(rp_link_tick(&l, 0, 0), RP_LINK_SEND_PING);
	s = rp_link_ping_stamp(&l, 1000, 0);
	CHECK_EQ(rp_link_pong(&l, s, 21000, 20), 1);
	CHECK_EQ(rp_link_tick(&l, RP_LINK_PING_MS, 0), RP_LINK_SEND_PING);
	rp_link_ping_stamp(&l, 2000000, RP_LINK_PING_MS);
	CHECK_EQ(rp_link_tick(&l, RP_LINK_PING_MS + RP_LINK_HOST_DEAD_MIN_MS - 1, 0),
		 RP_LINK_NOTHING);
	CHECK_EQ(rp_link_tick(&l, RP_LINK_PING_MS + RP_LINK_HOST_DEAD_MIN_MS, 0), RP_LINK_DEAD);

	rp_link_init_host(&l, 0);
	never_answered(&l, RP_LINK_HOST_FIRST_DEAD_MS);
}

static void link_wake_from_suspend(void)
{
	struct rp_link l;

	rp_link_init(&l, 0, 100);
	CHECK_EQ(rp_link_tick(&l, 10, 100), RP_LINK_SEND_PING);
	rp_link_ping_stamp(&l, 1, 10);
	rp_link_pong(&l, 1, 300, 10);
	/* CLOCK_BOOTTIME went on while CLOCK_MONOTONIC stood still. */
	CHECK_EQ(rp_link_tick(&l, 20, 100 + RP_LINK_SUSPEND_MS + 1), RP_LINK_DEAD);
	CHECK_EQ(rp_link_tick(&l, 20, 100 + RP_LINK_SUSPEND_MS + 1), RP_LINK_DIAL);
}

static void link_redial_backoff(void)
{
	struct rp_link l;
	long t = 0, prev = 0;

	rp_link_init(&l, t, 0);
	rp_link_down(&l, t);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_NOTHING); /* one dial at a time */
	/* Doubling from the least to the most while freshly lost. */
	for (int i = 0; i < 10; i++) {
		rp_link_dial_failed(&l, t);
		long w = rp_link_wait(&l, t);
		CHECK(w >= RP_LINK_RETRY_MIN_MS && w <= RP_LINK_RETRY_MAX_MS);
		CHECK(w >= prev);
		prev = w;
		t += w;
		CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	}
	CHECK_EQ(prev, RP_LINK_RETRY_MAX_MS);
	/* Long down: slower. */
	t += RP_LINK_PATIENT_MS;
	rp_link_dial_failed(&l, t);
	rp_link_tick(&l, t + rp_link_wait(&l, t), 0);
	rp_link_dial_failed(&l, t);
	CHECK_EQ(rp_link_wait(&l, t), RP_LINK_RETRY_SLOW_MS);
	/* ~r: at once. */
	rp_link_retry_now(&l, t);
	CHECK_EQ(rp_link_wait(&l, t), 0);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	rp_link_up(&l, t + 5);
	CHECK_EQ(l.state, RP_LINK_UP);
	CHECK_EQ(rp_link_tick(&l, t + 5, 0), RP_LINK_SEND_PING);
}

/* The network's news brings a waiting redial forward, at most once in
 * RP_LINK_NEWS_MIN_MS however many messages come, and keeps the backoff:
 * a host whose routing messages never stop does not redial at each. */
static void link_net_news_bounded(void)
{
	struct rp_link l;
	long t = 0;

	rp_link_init(&l, t, 0);
	rp_link_down(&l, t);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	/* Down a long while: redials every RP_LINK_RETRY_SLOW_MS. */
	t += RP_LINK_PATIENT_MS + 1;
	rp_link_dial_failed(&l, t);
	t += rp_link_wait(&l, t);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	rp_link_dial_failed(&l, t);
	CHECK_EQ(rp_link_wait(&l, t), RP_LINK_RETRY_SLOW_MS);
	/* News while nothing is dialled: now. */
	rp_link_net_news(&l, t + 10);
	CHECK_EQ(rp_link_wait(&l, t + 10), 0);
	CHECK_EQ(rp_link_tick(&l, t + 10, 0), RP_LINK_DIAL);
	rp_link_dial_failed(&l, t + 20);
	CHECK_EQ(rp_link_wait(&l, t + 20), RP_LINK_RETRY_SLOW_MS); /* the backoff kept */
	/* A storm of news within the second: the backoff holds. */
	for (long u = t + 30; u < t + 10 + RP_LINK_NEWS_MIN_MS; u += 50) {
		rp_link_net_news(&l, u);
		CHECK(rp_link_wait(&l, u) > 0);
		CHECK_EQ(rp_link_tick(&l, u, 0), RP_LINK_NOTHING);
	}
	/* Past it, the next news is heard again. */
	t += 10 + RP_LINK_NEWS_MIN_MS;
	rp_link_net_news(&l, t);
	CHECK_EQ(rp_link_tick(&l, t, 0), RP_LINK_DIAL);
	/* Up: news means nothing. */
	rp_link_up(&l, t + 5);
	rp_link_net_news(&l, t + 6);
	CHECK_EQ(l.state, RP_LINK_UP);
}

/* A RESUME's answer is awaited a few measured round trips, within its
 * floor and ceiling; the ceiling until one is measured. */
static void link_answer_bounded(void)
{
	struct rp_link l;
	uint64_t s;

	rp_link_init(&l, 0, 0);
	CHECK_EQ(rp_link_answer_ms(&l), RP_LINK_ANSWER_MAX_MS);
	/* 1 ms round trips: the floor. */
	rp_link_tick(&l, 0, 0);
	s = rp_link_ping_stamp(&l, 1000, 0);
	CHECK_EQ(rp_link_pong(&l, s, 2000, 1), 1);
	CHECK_EQ(rp_link_answer_ms(&l), RP_LINK_ANSWER_MIN_MS);
	/* 400 ms: eight of them with their spread. */
	rp_link_init(&l, 0, 0);
	rp_link_tick(&l, 0, 0);
	s = rp_link_ping_stamp(&l, 1000, 0);
	CHECK_EQ(rp_link_pong(&l, s, 401000, 400), 1);
	CHECK_EQ(rp_link_answer_ms(&l), RP_LINK_ANSWER_RTTS * (400 + 4 * 200));
	CHECK(rp_link_answer_ms(&l) > RP_LINK_ANSWER_MIN_MS);
	CHECK(rp_link_answer_ms(&l) < RP_LINK_ANSWER_MAX_MS);
	/* 3 s (a satellite hop under load): the ceiling. */
	rp_link_init(&l, 0, 0);
	rp_link_tick(&l, 0, 0);
	s = rp_link_ping_stamp(&l, 1000, 0);
	CHECK_EQ(rp_link_pong(&l, s, 3001000, 3000), 1);
	CHECK_EQ(rp_link_answer_ms(&l), RP_LINK_ANSWER_MAX_MS);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"outkeep-gives-back-exactly", outkeep_gives_back_exactly},
		{"inlog-sends-again-exactly-the-rest", inlog_sends_again_exactly_the_rest},
		{"inlog-across-the-seq-wrap", inlog_across_the_seq_wrap},
		{"inlog-voided-input-sent-empty", inlog_voided_input_sent_empty},
		{"inlog-bounded", inlog_bounded},
		{"link-heartbeat-and-rtt", link_heartbeat_and_rtt},
		{"link-dead-when-nothing-answers", link_dead_when_nothing_answers},
		{"link-first-rtt", link_first_rtt},
		{"link-host-floor", link_host_floor},
		{"link-host-first-rtt", link_host_first_rtt},
		{"link-wake-from-suspend", link_wake_from_suspend},
		{"link-redial-backoff", link_redial_backoff},
		{"link-net-news-bounded", link_net_news_bounded},
		{"link-answer-bounded", link_answer_bounded},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
