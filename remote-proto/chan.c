/* The desk-side channel (see desk.h).
 *
 * The line discipline (kpty_lm) has three ways out, and the channel is
 * their one context. Bytes for the screen come from two places: keys typed
 * here (their echo) and the host's output; each entry point says which it
 * is by the origin it sets for the time of its call, so the ops are told
 * explicitly (output's echo) and need no state of their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "linemode.h"
#include "resume.h"

enum origin { FROM_HOST, FROM_KEYS };

struct rp_desk_chan {
	struct rp_conn *c;
	uint16_t chan;
	unsigned flags;
	const struct rp_desk_chan_ops *ops;
	void *ctx;
	struct kpty_lm *lm; /* NULL without RP_DESK_LINEMODE */
	enum origin origin; /* of the bytes the discipline gives the screen now */
	uint32_t seq, acked;
	int broken; /* 0, or the error that filled the queue (sticky) */
	uint8_t *unpacked; /* RP_MAX_OUTPUT: an OUTPUT_LZ4's bytes; made at the first */
	/* The link (the host gave a TOKEN): what was sent is kept until the
	 * host has it, output received is counted, and while the link is
	 * down (c NULL) keys wait in the log. */
	bool resumable, full; /* full: keys typed while down did not fit */
	uint8_t token[RP_TOKEN_BYTES];
	uint64_t received;    /* bytes of OUTPUT on this channel */
	struct rp_inlog log;
	uint32_t after;	      /* ECHO and SIGNAL frames sent since the last INPUT */
	uint32_t resume_req;  /* RESUME sent, its answer awaited; 0: none */
	struct rp_conn *pending; /* where it was sent */
	/* RESUME ahead (RP_CAP_AHEAD): the frames kept went behind it on
	 * channel ahead, those up to place ahead_upto; 0: a plain RESUME. */
	uint16_t ahead;
	struct rp_inpos ahead_upto;
	/* Another channel's RESUME went behind its run (a flight of
	 * several): keys typed since wait for RESUMED. */
	bool ahead_closed;
	struct kpty_winsize ws; /* the last size asked (sent again after RESUME) */
	long rtt_us;
	/* The connection's queue was full (a link gone silent and not yet
	 * known dead, or keys faster than it drains): frames after place
	 * backlog_after wait in the log only, never let go for room, until
	 * the queue is empty again (rp_desk_chan_pump) or RESUMED sends them. */
	bool backlog;
	struct rp_inpos backlog_after;
	/* A PING went on the connection after the frames up to ping_pos:
	 * its PONG proves the host took them (it handles a connection's
	 * frames in order), for a program that reads and says nothing, whose
	 * OUTPUT would never ack them. */
	bool ping_out;
	struct rp_inpos ping_pos;
	/* A host that lets go of raw keys reaching it after a switch to
	 * canonical (its TERMIOS says the INPUT it took, and marks such a
	 * switch): the INPUT sent and not known taken, a record each (seq,
	 * raw or a finished line, bytes), so that those after a marked
	 * TERMIOS's seq are typed again (raw keys) or sent again (lines);
	 * seqs up to retyped were handled so already. */
	bool host_retypes;
	struct {
		uint8_t *buf;
		size_t len, cap;
	} sent;
	uint32_t retyped;
};

/* A record of sent: u32 seq, u8 raw, u32 n (host order), n bytes. */
#define SENT_HDR_BYTES 9

static uint32_t sent_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof v);
	return v;
}

/* Records up to seq upto are taken by the host: let go. */
static void sent_trim(struct rp_desk_chan *ch, uint32_t upto)
{
	size_t off = 0;

	while (off < ch->sent.len && (int32_t)(sent_u32(ch->sent.buf + off) - upto) <= 0)
		off += SENT_HDR_BYTES + sent_u32(ch->sent.buf + off + 5);
	if (!off)
		return; /* nothing to let go (buf may be NULL) */
	memmove(ch->sent.buf, ch->sent.buf + off, ch->sent.len - off);
	ch->sent.len -= off;
}

/* INPUT seq carried these bytes. Past RP_INLOG_BYTES the oldest go (a
 * host that has not acked that much for so long: a switch then may lose
 * them, as a resume would). */
static void sent_add(struct rp_desk_chan *ch, uint32_t seq, bool raw, const void *buf, size_t n)
{
	size_t need = SENT_HDR_BYTES + n;
	uint32_t len = (uint32_t)n;

	if (!n || need > RP_INLOG_BYTES)
		return;
	while (ch->sent.len + need > RP_INLOG_BYTES)
		sent_trim(ch, sent_u32(ch->sent.buf));
	if (ch->sent.len + need > ch->sent.cap) {
		size_t cap = ch->sent.cap ? ch->sent.cap : 4096;
		while (cap < ch->sent.len + need)
			cap *= 2;
		uint8_t *b = realloc(ch->sent.buf, cap);
		if (!b)
			return;
		ch->sent.buf = b;
		ch->sent.cap = cap;
	}
	uint8_t *r = ch->sent.buf + ch->sent.len;
	memcpy(r, &seq, 4);
	r[4] = raw;
	memcpy(r + 5, &len, 4);
	memcpy(r + SENT_HDR_BYTES, buf, n);
	ch->sent.len += need;
}

/* A resumable channel's INPUT (seq: its number), ECHO or SIGNAL: kept at
 * its place in what was sent, and sent unless the link is down. */
static int send_kept(struct rp_desk_chan *ch, struct rp_enc *e, bool input)
{
	struct rp_inpos pos = input ? (struct rp_inpos){ch->seq + 1, 0}
				    : (struct rp_inpos){ch->seq, ch->after + 1};
	struct rp_inpos prev = {ch->seq, ch->after};
	bool queue = ch->c && !ch->backlog;
	long n = rp_enc_end(e);
	int r;

	if (n < 0)
		return (int)n;
	/* Only what went into the queue may make room for more. */
	r = rp_inlog_add(&ch->log, pos, e->buf, (size_t)n, queue);
	if (r < 0) {
		ch->full = true; /* down or stalled, and more typed than is kept */
		return 0;
	}
	ch->seq = pos.seq;
	ch->after = pos.after;
	if (queue && rp_conn_send(ch->c, e->buf, (size_t)n) < 0) {
		/* The queue is full: this frame and the ones after it wait
		 * in the log. */
		ch->backlog = true;
		ch->backlog_after = prev;
	}
	return 0;
}

static int resume_answer(struct rp_desk_chan *ch, const struct rp_hdr *h, const uint8_t *p);

static int send_data_kept(struct rp_desk_chan *ch, uint8_t type, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		uint8_t frame[RP_MAX_FRAME];
		size_t chunk = n > RP_MAX_PAYLOAD - 4 ? RP_MAX_PAYLOAD - 4 : n;
		struct rp_enc e;
		int r;

		rp_enc_begin(&e, frame, sizeof frame, type, 0, ch->chan);
		if (type == RP_INPUT)
			rp_put_u32(&e, ch->seq + 1);
		rp_put_bytes(&e, p, chunk);
		if ((r = send_kept(ch, &e, type == RP_INPUT)) < 0)
			return r;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

static void send_input(struct rp_desk_chan *ch, const void *buf, size_t n)
{
	uint32_t seq0 = ch->seq;
	bool raw = !(ch->lm && kpty_lm_local(ch->lm));
	int r;

	if (ch->broken)
		return;
	if (ch->resumable)
		r = send_data_kept(ch, RP_INPUT, buf, n);
	else
		r = rp_desk_send_data(ch->c, RP_INPUT, ch->chan, &ch->seq, buf, n);
	if (r < 0)
		ch->broken = -ENOBUFS;
	if (!ch->host_retypes)
		return;
	/* A frame a seq, as they were cut. */
	for (const uint8_t *p = buf; seq0 != ch->seq && n; seq0++) {
		size_t chunk = n > RP_MAX_PAYLOAD - 4 ? RP_MAX_PAYLOAD - 4 : n;
		sent_add(ch, seq0 + 1, raw, p, chunk);
		p += chunk;
		n -= chunk;
	}
}

/* kpty_lm: bytes for the far program. */
static void lm_to_far(void *ctx, const void *buf, size_t n)
{
	send_input(ctx, buf, n);
}

/* kpty_lm: bytes for the person's screen; while keys are being handled,
 * their echo, which the host is told about too (its screen and the other
 * viewers see what this desk shows). */
static void lm_to_screen(void *ctx, const void *buf, size_t n)
{
	struct rp_desk_chan *ch = ctx;
	bool echo = ch->origin == FROM_KEYS;

	if (echo && !ch->broken &&
	    (ch->resumable ? send_data_kept(ch, RP_ECHO, buf, n)
			   : rp_desk_send_data(ch->c, RP_ECHO, ch->chan, NULL, buf, n)) < 0)
		ch->broken = -ENOBUFS;
	ch->ops->output(ch->ctx, buf, n, echo);
}

/* A frame of a few bytes (e, begun): kept at its place when the channel
 * resumes, else queued; an INPUT takes the next seq. */
static void send_small(struct rp_desk_chan *ch, struct rp_enc *e, bool input)
{
	long n;

	if (ch->resumable) {
		if (send_kept(ch, e, input) < 0)
			ch->broken = -ENOBUFS;
		return;
	}
	n = rp_enc_end(e);
	if (n < 0 || rp_conn_send(ch->c, e->buf, (size_t)n) < 0)
		ch->broken = -ENOBUFS;
	else if (input)
		ch->seq++;
}

/* An INPUT of no bytes: the host writes it in its turn, after what came
 * before it, so its ack and CONSUMED say that all before it was handled. */
static void send_empty_input(struct rp_desk_chan *ch)
{
	uint8_t buf[16];
	struct rp_enc e;

	if (ch->broken)
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_INPUT, 0, ch->chan);
	rp_put_u32(&e, ch->seq + 1);
	send_small(ch, &e, true);
}

static void lm_signal(void *ctx, int sig, bool flush)
{
	struct rp_desk_chan *ch = ctx;

	if (ch->resumable && !ch->broken) {
		uint8_t buf[16];
		struct rp_enc e;
		rp_enc_begin(&e, buf, sizeof buf, RP_SIGNAL, 0, ch->chan);
		rp_put_u8(&e, (uint8_t)sig);
		rp_put_u8(&e, flush);
		if (send_kept(ch, &e, false) < 0)
			ch->broken = -ENOBUFS;
	} else if (!ch->broken && rp_desk_send_signal(ch->c, ch->chan, sig, flush) < 0) {
		ch->broken = -ENOBUFS;
	}
	/* A CONSUMED the host sent before it had the signal may be on its
	 * way and says nothing of it; one that covers this INPUT does (a
	 * host that knows RETYPE writes an empty one in its turn). */
	if (ch->host_retypes)
		send_empty_input(ch);
}

/* TERMIOS_SEEN, in order with the INPUT around it (kept like ECHO). */
static void send_seen(struct rp_desk_chan *ch, uint32_t mark)
{
	uint8_t buf[16];
	struct rp_enc e;

	if (ch->broken)
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS_SEEN, 0, ch->chan);
	rp_put_u32(&e, mark);
	send_small(ch, &e, false);
}

/* Keys the host let go (a marked TERMIOS: the program went canonical
 * before they reached it): every INPUT after seq taken, and after those
 * handled so already, in the order sent: raw keys typed again (the
 * owner's way, else into the discipline, canonical now: edited and
 * echoed here), lines the discipline had finished sent again as they
 * were. A resume must not send the first ones again: emptied in the log. */
static void retype(struct rp_desk_chan *ch, uint32_t taken)
{
	uint32_t from = (int32_t)(ch->retyped - taken) > 0 ? ch->retyped : taken;
	size_t off = 0, n;
	uint8_t *copy;

	while (off < ch->sent.len && (int32_t)(sent_u32(ch->sent.buf + off) - from) <= 0)
		off += SENT_HDR_BYTES + sent_u32(ch->sent.buf + off + 5);
	n = ch->sent.len - off;
	if (ch->resumable)
		rp_inlog_void_input(&ch->log, from, ch->seq);
	if ((int32_t)(ch->seq - from) > 0 && ch->ops->let_go)
		ch->ops->let_go(ch->ctx, from, ch->seq);
	ch->retyped = ch->seq;
	if (!n)
		return;
	copy = malloc(n);
	if (!copy)
		return;
	memcpy(copy, ch->sent.buf + off, n);
	ch->sent.len = off;
	for (size_t o = 0; o < n;) {
		uint32_t len = sent_u32(copy + o + 5);
		const uint8_t *b = copy + o + SENT_HDR_BYTES;
		if (!copy[o + 4]) {
			send_input(ch, b, len);
		} else if (ch->ops->retype) {
			ch->ops->retype(ch->ctx, b, len);
		} else if (ch->lm) {
			ch->origin = FROM_KEYS;
			kpty_lm_keys(ch->lm, b, len);
			ch->origin = FROM_HOST;
		} else {
			send_input(ch, b, len);
		}
		o += SENT_HDR_BYTES + len;
	}
	free(copy);
}

static const struct kpty_lm_ops chan_lm_ops = {
	.to_far = lm_to_far, .to_screen = lm_to_screen, .signal = lm_signal,
};

struct rp_desk_chan *rp_desk_chan_create(struct rp_conn *c, uint16_t chan, unsigned flags,
					 const struct rp_desk_chan_ops *ops, void *ctx)
{
	struct rp_desk_chan *ch = calloc(1, sizeof *ch);

	if (!ch)
		return NULL;
	ch->c = c;
	ch->chan = chan;
	ch->flags = flags;
	ch->ops = ops;
	ch->ctx = ctx;
	if (flags & RP_DESK_LINEMODE) {
		ch->lm = kpty_lm_create(&chan_lm_ops, ch);
		if (!ch->lm) {
			free(ch);
			return NULL;
		}
	}
	return ch;
}

void rp_desk_chan_destroy(struct rp_desk_chan *ch)
{
	if (!ch)
		return;
	kpty_lm_destroy(ch->lm);
	rp_inlog_finish(&ch->log);
	free(ch->sent.buf);
	free(ch->unpacked);
	free(ch);
}

static int on_output(struct rp_desk_chan *ch, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_data d;

	if (h->type == RP_OUTPUT_LZ4 && !ch->unpacked && !(ch->unpacked = malloc(RP_MAX_OUTPUT)))
		return -ENOMEM;
	if (rp_output_decode(h->type, p, h->len, &d, ch->unpacked) < 0)
		return -EPROTO;
	/* Acks only go forward (seq wraps: compared as a difference). */
	if ((int32_t)(d.seq - ch->acked) > 0)
		ch->acked = d.seq;
	ch->received += d.n;
	if (ch->resumable)
		rp_inlog_acked(&ch->log, ch->acked); /* written: the host has it */
	sent_trim(ch, ch->acked);
	if (ch->ops->ack)
		ch->ops->ack(ch->ctx, d.seq);
	if (!d.n)
		return 1;
	ch->origin = FROM_HOST;
	if (ch->lm)
		kpty_lm_output(ch->lm, d.p, d.n);
	else
		ch->ops->output(ch->ctx, d.p, d.n, false);
	return 1;
}

int rp_desk_chan_frame(struct rp_desk_chan *ch, const struct rp_hdr *h, const uint8_t *p)
{
	struct kpty_termios t;
	struct rp_timing tm;
	struct rp_str text;
	struct rp_error err;
	int32_t status;

	if (ch->resume_req)
		return resume_answer(ch, h, p);
	if (h->chan != ch->chan &&
	    !(h->chan == 0 && h->type == RP_ERROR && (ch->flags & RP_DESK_CONN_ERRORS)))
		return 0;
	switch (h->type) {
	case RP_OUTPUT:
	case RP_OUTPUT_LZ4:
		return on_output(ch, h, p);
	case RP_TERMIOS: {
		struct rp_termios_at at;
		if (rp_termios_at_decode(p, h->len, &t, &at) < 0)
			return -EPROTO;
		ch->origin = FROM_HOST;
		if (at.has) {
			ch->host_retypes = true;
			sent_trim(ch, at.seq);
		}
		/* Said first: what is sent from now on, the keys typed again
		 * too, the host takes. */
		if (at.mark && !(ch->flags & RP_DESK_READONLY))
			send_seen(ch, at.mark);
		if (ch->lm)
			kpty_lm_set_termios(ch->lm, &t);
		if (ch->ops->termios)
			ch->ops->termios(ch->ctx, &t);
		if (at.mark && !(ch->flags & RP_DESK_READONLY))
			retype(ch, at.seq);
		return 1;
	}
	case RP_SNAPSHOT:
		return 1; /* the screen that follows is plain OUTPUT */
	case RP_TOKEN: {
		const uint8_t *tok;
		if (rp_token_decode(p, h->len, &tok) < 0)
			return -EPROTO;
		memcpy(ch->token, tok, sizeof ch->token);
		ch->resumable = true;
		return 1;
	}
	case RP_SYNC:
		if (rp_u64_decode(p, h->len, &ch->received) < 0)
			return -EPROTO;
		return 1;
	case RP_TIMING:
		if (rp_timing_decode(p, h->len, &tm) < 0)
			return -EPROTO;
		if (ch->ops->timing)
			ch->ops->timing(ch->ctx, &tm);
		return 1;
	case RP_CONTEXT: {
		struct rp_context c;
		if (rp_context_decode(p, h->len, &c) < 0)
			return -EPROTO;
		if (ch->ops->context)
			ch->ops->context(ch->ctx, &c);
		return 1;
	}
	case RP_CONSUMED: {
		uint32_t seq;
		if (rp_consumed_decode(p, h->len, &seq) < 0)
			return -EPROTO;
		if (ch->ops->consumed)
			ch->ops->consumed(ch->ctx, seq);
		return 1;
	}
	case RP_NOTICE:
		if (rp_notice_decode(p, h->len, &text) < 0)
			return -EPROTO;
		if (ch->ops->notice)
			ch->ops->notice(ch->ctx, text.p, text.n);
		return 1;
	case RP_EXIT:
		if (rp_exit_decode(p, h->len, &status) < 0)
			return -EPROTO;
		if (ch->ops->exit)
			ch->ops->exit(ch->ctx, status); /* may destroy ch */
		return 1;
	case RP_ERROR:
		if (rp_error_decode(p, h->len, &err) < 0)
			return -EPROTO;
		if (ch->ops->error)
			ch->ops->error(ch->ctx, &err, h->flags & RP_F_FATAL); /* may destroy ch */
		return 1;
	default:
		return 0; /* newer hosts may send more; nothing here needs it */
	}
}

int rp_desk_chan_keys(struct rp_desk_chan *ch, const void *buf, size_t n)
{
	if (ch->flags & RP_DESK_READONLY)
		return -EROFS;
	ch->full = false;
	rp_desk_chan_pump(ch); /* what waits goes first, if there is room now */
	if (ch->lm) {
		ch->origin = FROM_KEYS;
		kpty_lm_keys(ch->lm, buf, n);
		ch->origin = FROM_HOST;
	} else {
		send_input(ch, buf, n);
	}
	return ch->broken ? ch->broken : ch->full ? -ENOSPC : 0;
}

int rp_desk_chan_winsize(struct rp_desk_chan *ch, const struct kpty_winsize *ws)
{
	if (ch->flags & RP_DESK_READONLY)
		return 0;
	ch->ws = *ws;
	if (!ch->c)
		return 0; /* sent after RESUME */
	return rp_desk_send_winsize(ch->c, ch->chan, ws);
}

int rp_desk_chan_send_empty(struct rp_desk_chan *ch, uint8_t type)
{
	if ((ch->flags & RP_DESK_READONLY) && type != RP_DETACH)
		return -EROFS;
	if (!ch->c)
		return -ENOTCONN; /* the link is down */
	return rp_desk_send_empty(ch->c, type, ch->chan);
}

uint16_t rp_desk_chan_id(const struct rp_desk_chan *ch)
{
	return ch->chan;
}

uint32_t rp_desk_chan_seq(const struct rp_desk_chan *ch)
{
	return ch->seq;
}

uint32_t rp_desk_chan_acked(const struct rp_desk_chan *ch)
{
	return ch->acked;
}

bool rp_desk_chan_local(const struct rp_desk_chan *ch)
{
	return ch->lm && kpty_lm_local(ch->lm);
}

/* ---- the link ---- */

bool rp_desk_chan_resumable(const struct rp_desk_chan *ch)
{
	return ch->resumable;
}

void rp_desk_chan_link_down(struct rp_desk_chan *ch)
{
	ch->c = NULL;
	ch->resume_req = 0;
	ch->ping_out = false;
}

void rp_desk_chan_ping(struct rp_desk_chan *ch)
{
	ch->ping_out = ch->c && ch->resumable;
	/* Frames waiting in the log behind a full queue go after the PING. */
	ch->ping_pos = ch->backlog ? ch->backlog_after : (struct rp_inpos){ch->seq, ch->after};
}

void rp_desk_chan_pong(struct rp_desk_chan *ch)
{
	if (!ch->ping_out)
		return;
	ch->ping_out = false;
	rp_inlog_taken(&ch->log, ch->ping_pos);
	/* Taken: written, or let go under a mark whose TERMIOS came before
	 * this PONG and was handled (its keys typed again already). */
	sent_trim(ch, ch->ping_pos.seq);
}

bool rp_desk_chan_keys_wait(const struct rp_desk_chan *ch)
{
	return ch->resumable && rp_inlog_bytes(&ch->log) + RP_DESK_KEEP_SLACK > RP_INLOG_BYTES;
}

bool rp_desk_chan_wants_pong(const struct rp_desk_chan *ch)
{
	return ch->resumable && ch->c && rp_inlog_bytes(&ch->log) > RP_INLOG_BYTES / 4;
}

size_t rp_desk_chan_kept(const struct rp_desk_chan *ch)
{
	return rp_inlog_bytes(&ch->log);
}

/* Frames sent again go packed, consecutive ones in one entry of the
 * connection's queue (its bytes are written as they are): one each could
 * pass its 4096 entries and lose the rest. */
#define AGAIN_PACK_BYTES (4 * RP_MAX_FRAME)

struct again {
	struct rp_conn *c; /* where a full pack goes; NULL: buf holds them all */
	uint16_t chan;	   /* the number they go on */
	uint8_t *buf;
	size_t n, cap;
};

static int again_flush(struct again *a)
{
	int r = a->n && a->c ? rp_conn_send(a->c, a->buf, a->n) : 0;

	a->n = 0;
	return r < 0 ? -ENOBUFS : 0;
}

/* rp_inlog_since: a frame sent again, on the channel's new number. */
static int send_again(void *ctx, const void *frame, size_t n)
{
	struct again *a = ctx;
	uint8_t *f;

	if (n < RP_HDR_SIZE || n > RP_MAX_FRAME)
		return -EINVAL;
	if (a->n + n > a->cap && (!a->c || again_flush(a) < 0))
		return -ENOBUFS;
	f = a->buf + a->n;
	memcpy(f, frame, n);
	f[2] = (uint8_t)(a->chan >> 8);
	f[3] = (uint8_t)a->chan;
	a->n += n;
	return 0;
}

/* The frames kept after place from, on c as channel chan, packed. */
static int send_kept_since(struct rp_desk_chan *ch, struct rp_conn *c, uint16_t chan,
			   struct rp_inpos from)
{
	struct again a = {c, chan, malloc(AGAIN_PACK_BYTES), 0, AGAIN_PACK_BYTES};
	bool gap;
	int r = a.buf ? rp_inlog_since(&ch->log, from, send_again, &a, &gap) : -ENOMEM;

	if (r >= 0)
		r = again_flush(&a);
	free(a.buf);
	return r < 0 ? r : 0;
}

long rp_desk_chan_resume_flight(struct rp_desk_chan *ch, uint32_t req, const char *name,
				uint16_t ahead, uint8_t **out)
{
	size_t kept = rp_inlog_bytes(&ch->log);
	struct rp_inpos first;
	struct again a = {0};
	struct rp_enc e;
	long n;

	*out = NULL;
	if (!ch->resumable || !req)
		return -EINVAL;
	if (kept > RP_DESK_AHEAD_BYTES)
		ahead = 0; /* a paste into a dead link: after RESUMED, as it fits */
	a.cap = RP_DESK_RESUME_FRAME_BYTES + (ahead ? kept : 0);
	if (!(a.buf = malloc(a.cap)))
		return -ENOMEM;
	if (!rp_inlog_first(&ch->log, &first))
		first = (struct rp_inpos){ch->seq, ch->after + 1}; /* none follow */
	rp_enc_begin(&e, a.buf, RP_DESK_RESUME_FRAME_BYTES, RP_RESUME, 0, 0);
	rp_put_u32(&e, req);
	rp_put_str(&e, name, strlen(name));
	rp_put_bytes(&e, ch->token, sizeof ch->token);
	rp_put_u64(&e, ch->received);
	rp_put_u32(&e, ch->seq);
	if (ahead) {
		rp_put_u16(&e, ahead);
		rp_put_u32(&e, first.seq);
		rp_put_u32(&e, first.after);
	}
	n = rp_enc_end(&e);
	if (n < 0) {
		free(a.buf);
		return n;
	}
	a.n = (size_t)n;
	a.chan = ahead;
	/* Every frame kept: from the place just before the oldest. */
	struct rp_inpos before = first.after ? (struct rp_inpos){first.seq, first.after - 1}
					     : (struct rp_inpos){first.seq - 1, UINT32_MAX};
	bool gap;
	if (ahead && rp_inlog_since(&ch->log, before, send_again, &a, &gap) < 0) {
		free(a.buf);
		return -ENOBUFS;
	}
	ch->ahead = ahead;
	ch->ahead_upto = (struct rp_inpos){ch->seq, ch->after};
	ch->ahead_closed = false;
	*out = a.buf;
	return (long)a.n;
}

long rp_desk_chans_resume_flight(struct rp_desk_chan *const *chs, const char *const *names,
				 const uint32_t *reqs, unsigned n, uint16_t first, uint8_t **out)
{
	uint8_t *all = NULL, *f, *grown;
	size_t len = 0;

	*out = NULL;
	for (unsigned i = 0; i < n; i++) {
		/* Its place in the flight: a plain RESUME before it took a
		 * number at most its own place, so this one is free. */
		uint16_t ahead = first && first + i <= RP_DESK_AHEAD_CHANS ? (uint16_t)(first + i) : 0;
		long k = rp_desk_chan_resume_flight(chs[i], reqs[i], names[i], ahead, &f);
		if (k < 0 || !(grown = realloc(all, len + (size_t)k))) {
			free(f);
			free(all);
			return k < 0 ? k : -ENOMEM;
		}
		all = grown;
		memcpy(all + len, f, (size_t)k);
		len += (size_t)k;
		free(f);
		/* The host's run behind it ends at the next RESUME. */
		chs[i]->ahead_closed = i + 1 < n;
	}
	*out = all;
	return (long)len;
}

void rp_desk_chan_ahead_close(struct rp_desk_chan *ch)
{
	ch->ahead_closed = true;
}

bool rp_desk_chan_ahead_waits(const struct rp_desk_chan *ch)
{
	struct rp_inpos now = {ch->seq, ch->after};

	return ch->ahead && ch->ahead_closed && memcmp(&now, &ch->ahead_upto, sizeof now);
}

void rp_desk_chan_ahead_push(struct rp_desk_chan *ch,
			     int (*push)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct rp_inpos now = {ch->seq, ch->after};
	struct again a = {NULL, ch->ahead, NULL, 0, rp_inlog_bytes(&ch->log)};
	bool gap;

	if (!ch->ahead || ch->ahead_closed || !memcmp(&now, &ch->ahead_upto, sizeof now) ||
	    !(a.buf = malloc(a.cap)))
		return;
	if (rp_inlog_since(&ch->log, ch->ahead_upto, send_again, &a, &gap) >= 0 && a.n &&
	    push(ctx, a.buf, a.n) == 0)
		ch->ahead_upto = now;
	free(a.buf);
}

int rp_desk_chan_resume_sent(struct rp_desk_chan *ch, struct rp_conn *c, uint32_t req)
{
	if (!ch->resumable || !req)
		return -EINVAL;
	ch->c = NULL; /* nothing sent on c before RESUMED... */
	ch->resume_req = req;
	ch->broken = 0;
	ch->pending = c;
	if (ch->ahead && !ch->ahead_closed) {
		/* ...but the keys typed while the flight was on its way, right
		 * behind it: the host reads them as more of it. */
		if (send_kept_since(ch, c, ch->ahead, ch->ahead_upto) < 0)
			ch->broken = -ENOBUFS;
		ch->ahead_upto = (struct rp_inpos){ch->seq, ch->after};
	}
	return 0;
}

int rp_desk_chan_resume(struct rp_desk_chan *ch, struct rp_conn *c, uint32_t req, const char *name)
{
	uint8_t *buf;
	long n = rp_desk_chan_resume_flight(ch, req, name, 0, &buf);
	int r = n < 0 ? (int)n : rp_conn_send(c, buf, (size_t)n) < 0 ? -ENOBUFS : 0;

	free(buf);
	return r < 0 ? r : rp_desk_chan_resume_sent(ch, c, req);
}

/* While a RESUME waits: its RESUMED (on the channel's new number), or an
 * ERROR that names its request; nothing else is this channel's. */
static int resume_answer(struct rp_desk_chan *ch, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_resumed m;
	struct rp_error err;
	bool gap, exact;

	if (h->type == RP_ERROR && h->chan == 0) {
		if (rp_error_decode(p, h->len, &err) < 0)
			return -EPROTO;
		if (err.req != ch->resume_req)
			return 0;
		ch->resume_req = 0;
		ch->pending = NULL;
		ch->ahead = 0; /* the host dropped what went behind it */
		if (ch->ops->refused)
			ch->ops->refused(ch->ctx, &err);
		return 1;
	}
	if (h->type != RP_RESUMED)
		return 0;
	if (rp_resumed_decode(p, h->len, &m) < 0 || h->chan == 0)
		return -EPROTO;
	if (m.req != ch->resume_req)
		return 0;
	if (ch->ahead && h->chan != ch->ahead)
		return -EPROTO; /* its frames went on that number */
	/* The host cannot have taken what was never sent. */
	if (rp_inpos_before((struct rp_inpos){ch->seq, ch->after}, (struct rp_inpos){m.seq, m.after}))
		return -EPROTO;
	ch->resume_req = 0;
	ch->c = ch->pending;
	ch->pending = NULL;
	ch->chan = h->chan;
	ch->ping_out = false;
	ch->backlog = false; /* the host's place is where sending starts again */
	exact = m.offset == ch->received;
	ch->received = m.offset;
	/* The host's place is before what went ahead (it answered the
	 * RESUME first), which it took or dropped as it came: what was
	 * typed since goes now. */
	struct rp_inpos place = {m.seq, m.after}, from = place;
	if (ch->ahead && rp_inpos_before(place, ch->ahead_upto))
		from = ch->ahead_upto;
	ch->ahead = 0;
	gap = rp_inlog_gap(&ch->log, place);
	if (send_kept_since(ch, ch->c, ch->chan, from) < 0)
		ch->broken = -ENOBUFS;
	if (ch->ws.ws_row && !(ch->flags & RP_DESK_READONLY))
		rp_desk_send_winsize(ch->c, ch->chan, &ch->ws);
	if (ch->ops->resumed)
		ch->ops->resumed(ch->ctx, exact, gap);
	return 1;
}

int rp_desk_chan_pump(struct rp_desk_chan *ch)
{
	int r;

	if (!ch->backlog || !ch->c || rp_conn_queued(ch->c))
		return 0;
	/* Packed: at most RP_INLOG_BYTES / AGAIN_PACK_BYTES + 1 entries,
	 * and the queue is empty. */
	r = send_kept_since(ch, ch->c, ch->chan, ch->backlog_after);
	ch->backlog = false;
	if (r < 0) { /* said by the next keys; a resume would still send them */
		ch->broken = -ENOBUFS;
		return r;
	}
	return 1;
}

bool rp_desk_chan_backlog(const struct rp_desk_chan *ch)
{
	return ch->backlog && ch->c;
}

void rp_desk_chan_set_rtt(struct rp_desk_chan *ch, long us)
{
	ch->rtt_us = us;
}

long rp_desk_chan_rtt_us(const struct rp_desk_chan *ch)
{
	return ch->rtt_us;
}

/* rp_inlog_since: the bytes of keys (INPUT) among the frames let go. */
static int count_keys(void *ctx, const void *frame, size_t n)
{
	size_t *bytes = ctx;

	if (n >= RP_HDR_SIZE + 4 && ((const uint8_t *)frame)[0] == RP_INPUT)
		*bytes += n - RP_HDR_SIZE - 4;
	return 0;
}

size_t rp_desk_chan_reattached(struct rp_desk_chan *ch, struct rp_conn *c, uint16_t chan)
{
	size_t keys = 0;
	bool gap;

	ch->ahead = 0;
	/* Whether the old channel's host took them is not known: sending
	 * them to the new one could take them twice, or give them to
	 * another program of the same name. */
	rp_inlog_since(&ch->log, (struct rp_inpos){ch->acked, 0}, count_keys, &keys, &gap);
	rp_inlog_finish(&ch->log);
	rp_inlog_init(&ch->log);
	ch->c = c;
	ch->chan = chan;
	ch->resume_req = 0;
	ch->pending = NULL;
	ch->broken = 0;
	ch->full = false;
	ch->backlog = false;
	ch->ping_out = false;
	ch->received = 0; /* the new channel's output is numbered from 0 */
	ch->resumable = false; /* until its own TOKEN */
	ch->after = 0;
	ch->sent.len = 0; /* let go, not sent: the new channel's seq goes on */
	ch->retyped = ch->seq;
	if (ch->ws.ws_row && !(ch->flags & RP_DESK_READONLY))
		rp_desk_send_winsize(c, chan, &ch->ws);
	return keys;
}

uint64_t rp_desk_chan_received(const struct rp_desk_chan *ch)
{
	return ch->received;
}

bool rp_desk_chan_up(const struct rp_desk_chan *ch)
{
	return ch->c != NULL;
}
