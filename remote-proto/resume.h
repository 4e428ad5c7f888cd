/* remote-proto, the link's bookkeeping (HELLO cap RP_CAP_RESUME), pure:
 * no I/O, no clock of its own (times are passed in), so each rule is a
 * plain function call in test/unit/test_resume.c.
 *
 * rp_outkeep  the host's copy of a channel's recent output, numbered by
 *             byte offset: what a desk that comes back missed.
 * rp_inlog    the desk's copy of the frames it sent on a channel that
 *             the host may not have taken (INPUT, ECHO, SIGNAL), each at
 *             its place (seq, after): what to send again, exactly; and
 *             the host's of an X channel's XOUTPUT, until the desk has it.
 * rp_link     the desk's view of the link: heartbeat (PING/PONG), the
 *             round-trip estimate, when it is dead, when to redial.
 */
#ifndef RP_RESUME_H
#define RP_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the host: recent output ---- */

/* What the host keeps of each resumable channel's output: a desk that
 * missed more gets a redraw instead. */
#define RP_KEEP_OUTPUT_BYTES (1u << 20)

struct rp_outkeep {
	uint8_t *buf;  /* a ring of cap bytes, grown up to max */
	size_t cap, max, start, len; /* the oldest byte kept is at buf[start] */
	uint64_t end;  /* the offset after the last byte kept */
};

void rp_outkeep_init(struct rp_outkeep *k, size_t max);
void rp_outkeep_finish(struct rp_outkeep *k);
/* n more bytes sent at offset end. Out of memory: what was kept is
 * forgotten (a desk that comes back gets a redraw), never a crash. */
void rp_outkeep_add(struct rp_outkeep *k, const void *p, size_t n);
/* The bytes from offset from to the end, as up to two pieces: 0, or
 * -ERANGE when from is before what is kept or past the end. */
int rp_outkeep_since(const struct rp_outkeep *k, uint64_t from, const uint8_t **p1, size_t *n1,
		     const uint8_t **p2, size_t *n2);
/* A redraw restarts the numbering's meaning: nothing before now is
 * offered again (the offset goes on). */
void rp_outkeep_forget(struct rp_outkeep *k);

/* ---- the desk: frames sent that the host may not have taken ---- */

/* Keys typed while the link is down wait here; past this the desk says
 * so and keeps no more. While the link is up the oldest make room. */
#define RP_INLOG_BYTES (1u << 20)

/* A place in what the desk sent on a channel: the INPUT seq, and how many
 * ECHO and SIGNAL frames came after that INPUT (0 for the INPUT itself). */
struct rp_inpos {
	uint32_t seq, after;
};

struct rp_inlog {
	uint8_t *buf; /* records: seq, after, len (u32 each, host order), frame */
	size_t cap, head, tail;
	struct rp_inpos last; /* of the newest frame added */
	bool lost;	      /* frames were let go before the host took them */
};

void rp_inlog_init(struct rp_inlog *l);
void rp_inlog_finish(struct rp_inlog *l);
/* A whole encoded frame at place pos (after the newest). evict: make room
 * by letting the oldest go (lost set); else -ENOBUFS when full. */
int rp_inlog_add(struct rp_inlog *l, struct rp_inpos pos, const void *frame, size_t n, bool evict);
/* The host has INPUT seq (written it, or taken it): it and everything
 * before it are let go. */
void rp_inlog_acked(struct rp_inlog *l, uint32_t seq);
/* The host took everything up to place pos (the PONG of a PING sent
 * after it): those frames are let go. */
void rp_inlog_taken(struct rp_inlog *l, struct rp_inpos pos);
/* The INPUT frames after seq after, up to seq upto, are emptied (their
 * keys go otherwise now): sent again, each carries its seq only. */
void rp_inlog_void_input(struct rp_inlog *l, uint32_t after, uint32_t upto);
/* The frames after place taken, oldest first, each to fn; the return is
 * how many. *gap: the host took less than the oldest kept (frames lost). */
typedef int (*rp_inlog_fn)(void *ctx, const void *frame, size_t n);
int rp_inlog_since(const struct rp_inlog *l, struct rp_inpos taken, rp_inlog_fn fn, void *ctx,
		   bool *gap);
/* The same walk, each frame with its place (a host's own frames kept
 * for a desk: what was sent, what goes again); the return is how many. */
typedef int (*rp_inlog_at_fn)(void *ctx, struct rp_inpos pos, const void *frame, size_t n);
int rp_inlog_since_at(const struct rp_inlog *l, struct rp_inpos taken, rp_inlog_at_fn fn,
		      void *ctx);
size_t rp_inlog_bytes(const struct rp_inlog *l);
/* rp_inlog_since's *gap alone: frames after taken were let go unsent. */
bool rp_inlog_gap(const struct rp_inlog *l, struct rp_inpos taken);
/* The place of the oldest frame kept: false when none is. */
bool rp_inlog_first(const struct rp_inlog *l, struct rp_inpos *pos);
/* a before b, seq compared across its wrap. */
bool rp_inpos_before(struct rp_inpos a, struct rp_inpos b);

/* ---- the desk: the link ---- */

#define RP_LINK_PING_MS 1000	 /* a heartbeat this often while up */
#define RP_LINK_DEAD_MIN_MS 2000 /* no PONG and nothing heard this long: dead */
/* ...once a round trip is measured; before, this long: a link whose round
 * trip is over the floor (a satellite hop, a queue filled by an upload)
 * would otherwise be given up before its first PONG could come, on every
 * connection, and never measured. */
#define RP_LINK_FIRST_DEAD_MS 10000
#define RP_LINK_DEAD_RTTS 4	 /* or this many round trips (with their spread), if longer */
#define RP_LINK_SUSPEND_MS 2000	 /* the clock stood still longer: the desk slept */
#define RP_LINK_RETRY_MIN_MS 50	 /* the first redial waits this, doubling... */
#define RP_LINK_RETRY_MAX_MS 200 /* ...up to this while the link is freshly lost */
#define RP_LINK_PATIENT_MS 60000 /* down longer than this: */
#define RP_LINK_RETRY_SLOW_MS 2000 /* redial this often */
/* The network's news (an address, a route, a link up: rp_netwatch) brings
 * the next redial forward at most this often: a host whose routing
 * messages never stop (a Wi-Fi driver's link events, containers' veths,
 * IPv6 refreshes) would otherwise redial, and run ssh, at each one. */
#define RP_LINK_NEWS_MIN_MS 1000
/* The host's view of a desk's link: a desk gives up after
 * RP_LINK_DEAD_MIN_MS and redials, so the host waits longer, so that on a
 * link that is only slow the desk is the one that redials. Until it has
 * measured a round trip it waits longer still: a link whose round trip is
 * over the floor (a satellite hop, a laptop's first seconds after a
 * suspend) would otherwise be dropped before its first PONG could come. */
#define RP_LINK_HOST_DEAD_MIN_MS 6000
#define RP_LINK_HOST_FIRST_DEAD_MS 30000
/* What a desk asks on a connection it has just dialed (RESUME, and the
 * OPEN after a refused one) is answered by the host at once, so the
 * answer is given this many measured round trips (with their spread),
 * never less than the floor (a busy host) nor more than the ceiling (a
 * daemon that greeted and then hung: the link is taken for lost and
 * redialed with backoff); until a round trip is measured, the ceiling. */
#define RP_LINK_ANSWER_RTTS 8
#define RP_LINK_ANSWER_MIN_MS 2000
#define RP_LINK_ANSWER_MAX_MS 10000

enum rp_link_state { RP_LINK_UP, RP_LINK_DOWN, RP_LINK_DIALING };

struct rp_link {
	enum rp_link_state state;
	long heard_ms;	    /* anything from the host */
	long ping_at_ms;    /* the next PING is due */
	uint64_t ping_us;   /* stamp of the PING awaiting its PONG; 0: none */
	long ping_sent_ms;
	long srtt_us, rttvar_us; /* RFC 6298; srtt 0: no sample yet */
	long down_ms;	    /* since when it is down */
	long retry_ms;	    /* the next redial */
	long backoff_ms;
	long news_ms;	    /* the network's last news that brought a redial forward */
	unsigned tries;
	long sleep_gap_ms;  /* CLOCK_BOOTTIME - CLOCK_MONOTONIC at the last look */
	long dead_min_ms;   /* the floor of the dead-link time (RP_LINK_DEAD_MIN_MS) */
	long dead_first_ms; /* the floor while no round trip is measured (0: dead_min_ms) */
};

enum rp_link_todo {
	RP_LINK_NOTHING,
	RP_LINK_SEND_PING, /* send PING with rp_link_ping_stamp() */
	RP_LINK_DEAD,	   /* give the connection up (rp_link_down done) */
	RP_LINK_DIAL,	   /* redial now (state is DIALING) */
};

void rp_link_init(struct rp_link *l, long now_ms, long sleep_gap_ms);
/* The host's view of a desk's link uses the same rules, with a floor of
 * its own (a desk gives up first and redials; the host only frees what
 * the channel held and lets it wait for RESUME); ms is the floor whether
 * a round trip is measured or not. */
void rp_link_set_dead_min(struct rp_link *l, long ms);
/* The host's link to a desk: floors RP_LINK_HOST_DEAD_MIN_MS, and
 * RP_LINK_HOST_FIRST_DEAD_MS until a PONG has measured a round trip. */
void rp_link_init_host(struct rp_link *l, long now_ms);
/* What is due at now_ms; sleep_gap_ms as read now (a jump: the desk slept,
 * and a link that slept is taken for dead). */
enum rp_link_todo rp_link_tick(struct rp_link *l, long now_ms, long sleep_gap_ms);
/* ms until rp_link_tick has something to do (-1: nothing). */
long rp_link_wait(const struct rp_link *l, long now_ms);
/* The PING to send now: its stamp (µs of the desk's clock, never 0). */
uint64_t rp_link_ping_stamp(struct rp_link *l, uint64_t now_us, long now_ms);
void rp_link_heard(struct rp_link *l, long now_ms);
/* A PONG with stamp: 1 a round trip measured, 0 not the PING awaited. */
int rp_link_pong(struct rp_link *l, uint64_t stamp, uint64_t now_us, long now_ms);
void rp_link_down(struct rp_link *l, long now_ms);	/* EOF, error, dead */
void rp_link_dial_failed(struct rp_link *l, long now_ms); /* try again later */
void rp_link_up(struct rp_link *l, long now_ms);
void rp_link_retry_now(struct rp_link *l, long now_ms); /* ~r */
/* The network may be back: a redial waiting out its backoff goes now, at
 * most once in RP_LINK_NEWS_MIN_MS; the backoff itself is kept. */
void rp_link_net_news(struct rp_link *l, long now_ms);
/* The smoothed round trip (µs; 0: not measured yet). */
long rp_link_rtt_us(const struct rp_link *l);
/* How long the answer to a RESUME sent on a fresh connection is awaited
 * (RP_LINK_ANSWER_*), in ms. */
long rp_link_answer_ms(const struct rp_link *l);

#endif
