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
};

static void send_input(struct rp_desk_chan *ch, const void *buf, size_t n)
{
	int r;

	if (ch->broken)
		return;
	r = rp_desk_send_data(ch->c, RP_INPUT, ch->chan, &ch->seq, buf, n);
	if (r < 0)
		ch->broken = -ENOBUFS;
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
	    rp_desk_send_data(ch->c, RP_ECHO, ch->chan, NULL, buf, n) < 0)
		ch->broken = -ENOBUFS;
	ch->ops->output(ch->ctx, buf, n, echo);
}

static void lm_signal(void *ctx, int sig, bool flush)
{
	struct rp_desk_chan *ch = ctx;

	if (!ch->broken && rp_desk_send_signal(ch->c, ch->chan, sig, flush) < 0)
		ch->broken = -ENOBUFS;
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

	if (h->chan != ch->chan &&
	    !(h->chan == 0 && h->type == RP_ERROR && (ch->flags & RP_DESK_CONN_ERRORS)))
		return 0;
	switch (h->type) {
	case RP_OUTPUT:
	case RP_OUTPUT_LZ4:
		return on_output(ch, h, p);
	case RP_TERMIOS:
		if (rp_termios_decode(p, h->len, &t) < 0)
			return -EPROTO;
		ch->origin = FROM_HOST;
		if (ch->lm)
			kpty_lm_set_termios(ch->lm, &t);
		if (ch->ops->termios)
			ch->ops->termios(ch->ctx, &t);
		return 1;
	case RP_SNAPSHOT:
		return 1; /* the screen that follows is plain OUTPUT */
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
	if (ch->lm) {
		ch->origin = FROM_KEYS;
		kpty_lm_keys(ch->lm, buf, n);
		ch->origin = FROM_HOST;
	} else {
		send_input(ch, buf, n);
	}
	return ch->broken;
}

int rp_desk_chan_winsize(struct rp_desk_chan *ch, const struct kpty_winsize *ws)
{
	if (ch->flags & RP_DESK_READONLY)
		return 0;
	return rp_desk_send_winsize(ch->c, ch->chan, ws);
}

int rp_desk_chan_send_empty(struct rp_desk_chan *ch, uint8_t type)
{
	if ((ch->flags & RP_DESK_READONLY) && type != RP_DETACH)
		return -EROFS;
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
