/* The desk-side channel (remote-proto/desk.h) on its own: frames from a
 * host built here and handed to it, what it sends read back from the other
 * end of a socketpair. No daemon. */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "desk.h"
#include "resume.h"
#include "unit.h"

#define CHAN 3
#define WAIT_MS 2000

/* What the ops were handed. */
struct seen {
	char out[8192];
	size_t out_len, echo_len;
	int outputs, acks, termios, notices, exits, errors, timings, contexts, consumeds;
	uint32_t ctx_seq, ctx_flags, ctx_pgid, consumed;
	char comm[80];
	uint32_t last_ack;
	struct kpty_termios t;
	int32_t status;
	uint16_t code;
	uint32_t req;
	bool fatal;
	char text[128];
	int resumes, refusals;
	bool exact, keys_lost;
	uint32_t let_go_seq, let_go_upto; /* the last let_go */
};

static void on_output(void *ctx, const void *buf, size_t n, bool echo)
{
	struct seen *s = ctx;

	s->outputs++;
	if (echo)
		s->echo_len += n;
	if (n > sizeof s->out - s->out_len)
		n = sizeof s->out - s->out_len;
	memcpy(s->out + s->out_len, buf, n);
	s->out_len += n;
}

static void on_ack(void *ctx, uint32_t ack)
{
	struct seen *s = ctx;

	s->acks++;
	s->last_ack = ack;
}

static void on_termios(void *ctx, const struct kpty_termios *t)
{
	struct seen *s = ctx;

	s->termios++;
	s->t = *t;
}

static void on_timing(void *ctx, const struct rp_timing *t)
{
	struct seen *s = ctx;

	(void)t;
	s->timings++;
}

static void on_notice(void *ctx, const char *text, size_t n)
{
	struct seen *s = ctx;

	s->notices++;
	snprintf(s->text, sizeof s->text, "%.*s", (int)n, text);
}

static void on_exit_status(void *ctx, int32_t status)
{
	struct seen *s = ctx;

	s->exits++;
	s->status = status;
}

static void on_error(void *ctx, const struct rp_error *e, bool fatal)
{
	struct seen *s = ctx;

	s->errors++;
	s->code = e->code;
	s->req = e->req;
	s->fatal = fatal;
	snprintf(s->text, sizeof s->text, "%.*s", (int)e->msg.n, e->msg.p);
}

static void on_context(void *ctx, const struct rp_context *c)
{
	struct seen *s = ctx;

	s->contexts++;
	s->ctx_seq = c->seq;
	s->ctx_flags = c->flags;
	s->ctx_pgid = c->pgid;
	snprintf(s->comm, sizeof s->comm, "%.*s", (int)c->comm.n, c->comm.p);
}

static void on_consumed(void *ctx, uint32_t seq)
{
	struct seen *s = ctx;

	s->consumeds++;
	s->consumed = seq;
}

static void on_resumed(void *ctx, bool exact, bool keys_lost)
{
	struct seen *s = ctx;

	s->resumes++;
	s->exact = exact;
	s->keys_lost = keys_lost;
}

static void on_refused(void *ctx, const struct rp_error *e)
{
	struct seen *s = ctx;

	s->refusals++;
	s->code = e->code;
}

static void on_let_go(void *ctx, uint32_t seq, uint32_t upto)
{
	struct seen *s = ctx;

	s->let_go_seq = seq;
	s->let_go_upto = upto;
}

static const struct rp_desk_chan_ops ops = {
	.output = on_output, .ack = on_ack, .termios = on_termios, .timing = on_timing,
	.notice = on_notice, .exit = on_exit_status, .error = on_error,
	.context = on_context, .consumed = on_consumed, .resumed = on_resumed, .refused = on_refused,
	.let_go = on_let_go,
};

/* A desk's connection (desk) and the host's end of it (host). */
struct pair {
	struct rp_conn *desk, *host;
};

static void pair_open(struct pair *p, unsigned desk_entries)
{
	int fds[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
	p->desk = rp_conn_create(rp_transport_socket(fds[0]), desk_entries, 1u << 20);
	p->host = rp_conn_create(rp_transport_socket(fds[1]), 64, 1u << 20);
	CHECK(p->desk && p->host);
}

static void pair_close(struct pair *p)
{
	rp_conn_destroy(p->desk);
	rp_conn_destroy(p->host);
}

/* The next frame the host gets from the desk: 1, or what went wrong. */
static int host_frame(struct pair *p, struct rp_hdr *h, const uint8_t **payload)
{
	if (rp_conn_flush_wait(p->desk, WAIT_MS) < 0)
		return -ETIMEDOUT;
	return rp_conn_next_frame(p->host, h, payload, WAIT_MS);
}

/* Nothing more from the desk (what is queued is written first). */
static bool host_quiet(struct pair *p)
{
	struct rp_hdr h;
	const uint8_t *payload;

	rp_conn_flush_wait(p->desk, WAIT_MS);
	return rp_conn_next_frame(p->host, &h, &payload, 50) == -ETIMEDOUT;
}

/* Hand a frame built in buf to the channel, as one read from the wire. */
static int feed(struct rp_desk_chan *ch, const uint8_t *buf, long n)
{
	struct rp_hdr h;

	CHECK(n >= RP_HDR_SIZE);
	if (n < RP_HDR_SIZE || rp_hdr_decode(buf, (size_t)n, &h) != 0)
		return -999;
	CHECK_EQ(RP_HDR_SIZE + h.len, n);
	return rp_desk_chan_frame(ch, &h, buf + RP_HDR_SIZE);
}

static int feed_output(struct rp_desk_chan *ch, uint16_t chan, uint32_t ack, const char *text)
{
	uint8_t buf[256];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_OUTPUT, 0, chan);
	rp_put_u32(&e, ack);
	rp_put_bytes(&e, text, strlen(text));
	return feed(ch, buf, rp_enc_end(&e));
}

static int feed_termios(struct rp_desk_chan *ch, const struct kpty_termios *t)
{
	uint8_t buf[256];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, CHAN);
	rp_put_termios(&e, t);
	return feed(ch, buf, rp_enc_end(&e));
}

/* The far program reads in canonical mode with echo, under EXTPROC: the
 * desk edits. */
static void canonical(struct kpty_termios *t)
{
	kpty_termios_default(t);
	t->c_lflag |= KPTY_EXTPROC | KPTY_ICANON | KPTY_ECHO | KPTY_ECHOE | KPTY_ISIG;
	t->c_iflag |= KPTY_ICRNL;
}

/* The far program reads raw (vim, a shell's line editor). */
static void raw(struct kpty_termios *t)
{
	kpty_termios_default(t);
	t->c_lflag = KPTY_EXTPROC;
	t->c_iflag = 0;
}

static void output_and_termios_reach_ops(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	CHECK(ch != NULL);
	raw(&t);
	CHECK_EQ(feed_termios(ch, &t), 1);
	CHECK_EQ(s.termios, 1);
	CHECK_EQ(s.t.c_lflag, t.c_lflag);
	CHECK_EQ(feed_output(ch, CHAN, 0, "hello, desk"), 1);
	CHECK_EQ(s.out_len, strlen("hello, desk"));
	CHECK(!memcmp(s.out, "hello, desk", s.out_len));
	CHECK_EQ(s.echo_len, 0);
	/* Another channel's output is not ours, and nothing is handed on. */
	CHECK_EQ(feed_output(ch, CHAN + 1, 0, "not yours"), 0);
	CHECK_EQ(s.out_len, strlen("hello, desk"));
	/* Without the discipline, output goes straight through too. */
	rp_desk_chan_destroy(ch);
	memset(&s, 0, sizeof s);
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	CHECK_EQ(feed_output(ch, CHAN, 0, "plain"), 1);
	CHECK_EQ(s.out_len, 5);
	CHECK(!memcmp(s.out, "plain", 5));
	CHECK(!rp_desk_chan_local(ch));
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void input_gets_increasing_seq(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_data d;
	size_t big = RP_MAX_PAYLOAD + 100, got = 0;
	char *paste = malloc(big);

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	raw(&t);
	feed_termios(ch, &t);
	CHECK(!rp_desk_chan_local(ch));
	CHECK_EQ(rp_desk_chan_seq(ch), 0);
	CHECK_EQ(rp_desk_chan_keys(ch, "a", 1), 0);
	CHECK_EQ(rp_desk_chan_keys(ch, "b", 1), 0);
	for (uint32_t want = 1; want <= 2; want++) {
		CHECK_EQ(host_frame(&p, &h, &payload), 1);
		CHECK_EQ(h.type, RP_INPUT);
		CHECK_EQ(h.chan, CHAN);
		CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
		CHECK_EQ(d.seq, want);
		CHECK_EQ(d.n, 1);
		CHECK_EQ(d.p[0], want == 1 ? 'a' : 'b');
	}
	CHECK_EQ(rp_desk_chan_seq(ch), 2);
	CHECK_EQ(s.echo_len, 0); /* raw: the far side echoes */
	CHECK(host_quiet(&p));
	rp_desk_chan_destroy(ch);
	/* Without the discipline (a console's front door), more than a frame
	 * holds goes in several INPUTs, each the next number. */
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	memset(paste, 'x', big);
	CHECK_EQ(rp_desk_chan_keys(ch, paste, big), 0);
	for (uint32_t want = 1; got < big; want++) {
		CHECK_EQ(host_frame(&p, &h, &payload), 1);
		CHECK_EQ(h.type, RP_INPUT);
		CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
		CHECK_EQ(d.seq, want);
		CHECK(d.n > 0);
		if (d.n == 0)
			break;
		got += d.n;
	}
	CHECK_EQ(got, big);
	CHECK_EQ(rp_desk_chan_seq(ch), 2);
	CHECK(host_quiet(&p));
	free(paste);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void acks_are_taken(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	CHECK_EQ(rp_desk_chan_acked(ch), 0);
	CHECK_EQ(feed_output(ch, CHAN, 5, "x"), 1);
	CHECK_EQ(s.acks, 1);
	CHECK_EQ(s.last_ack, 5);
	CHECK_EQ(rp_desk_chan_acked(ch), 5);
	/* An older ack (output from before) does not go back. */
	CHECK_EQ(feed_output(ch, CHAN, 3, "y"), 1);
	CHECK_EQ(rp_desk_chan_acked(ch), 5);
	/* Numbers wrap: 2 comes after 0xfffffff0. */
	static const uint32_t steps[] = {0x40000000u, 0x80000000u, 0xc0000000u, 0xfffffff0u, 2};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		CHECK_EQ(feed_output(ch, CHAN, steps[i], ""), 1);
		CHECK_EQ(rp_desk_chan_acked(ch), steps[i]);
	}
	CHECK_EQ(feed_output(ch, CHAN, 0xfffffff8u, ""), 1); /* from before the wrap */
	CHECK_EQ(rp_desk_chan_acked(ch), 2);
	CHECK_EQ(s.acks, 8);
	CHECK_EQ(s.out_len, 2); /* empty output: acked, nothing shown */
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void exit_error_notice_reach_ops(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	uint8_t buf[256];
	struct rp_enc e;
	struct rp_timing tm = {.seq = 1};

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	rp_enc_begin(&e, buf, sizeof buf, RP_NOTICE, 0, CHAN);
	rp_put_str(&e, "you are writing", 15);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.notices, 1);
	CHECK(!strcmp(s.text, "you are writing"));

	rp_enc_begin(&e, buf, sizeof buf, RP_TIMING, 0, CHAN);
	rp_put_timing(&e, &tm);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.timings, 1);

	rp_enc_begin(&e, buf, sizeof buf, RP_ERROR, 0, CHAN);
	rp_put_u16(&e, RP_E_READONLY);
	rp_put_u32(&e, 0);
	rp_put_str(&e, "read-only", 9);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.errors, 1);
	CHECK_EQ(s.code, RP_E_READONLY);
	CHECK(!s.fatal);
	CHECK(!strcmp(s.text, "read-only"));

	/* The connection's ERROR (channel 0) is not a channel's unless it is
	 * the connection's only one. */
	rp_enc_begin(&e, buf, sizeof buf, RP_ERROR, RP_F_FATAL, 0);
	rp_put_u16(&e, RP_E_LIMIT);
	rp_put_u32(&e, 9);
	rp_put_str(&e, "stopping", 8);
	long n = rp_enc_end(&e);
	CHECK_EQ(feed(ch, buf, n), 0);
	CHECK_EQ(s.errors, 1);
	rp_desk_chan_destroy(ch);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_CONN_ERRORS, &ops, &s);
	CHECK_EQ(feed(ch, buf, n), 1);
	CHECK_EQ(s.errors, 2);
	CHECK(s.fatal);
	CHECK_EQ(s.req, 9);
	CHECK_EQ(s.code, RP_E_LIMIT);

	rp_enc_begin(&e, buf, sizeof buf, RP_EXIT, 0, CHAN);
	rp_put_u32(&e, (uint32_t)-7);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.exits, 1);
	CHECK_EQ(s.status, -7);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* What a predicting desk is told reaches its ops. */
static void context_and_consumed_reach_ops(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	uint8_t buf[256];
	struct rp_enc e;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	CHECK_EQ(feed(ch, buf, rp_context_frame(buf, sizeof buf, CHAN, 5, RP_CTX_ISIG, 77, "bash", 4)),
		 1);
	CHECK_EQ(s.contexts, 1);
	CHECK_EQ(s.ctx_seq, 5);
	CHECK_EQ(s.ctx_flags, RP_CTX_ISIG);
	CHECK_EQ(s.ctx_pgid, 77);
	CHECK(!strcmp(s.comm, "bash"));
	rp_enc_begin(&e, buf, sizeof buf, RP_CONSUMED, 0, CHAN);
	rp_put_u32(&e, 6);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.consumeds, 1);
	CHECK_EQ(s.consumed, 6);
	/* Another channel's is not this one's. */
	CHECK_EQ(feed(ch, buf, rp_context_frame(buf, sizeof buf, CHAN + 1, 5, 0, 1, "x", 1)), 0);
	CHECK_EQ(s.contexts, 1);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void malformed_frame_is_an_error(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	uint8_t buf[256];
	static const struct {
		uint8_t type;
		uint8_t len;
		uint8_t body[16];
	} bad[] = {
		{RP_OUTPUT, 2, {0, 0}},                         /* shorter than its ack */
		{RP_OUTPUT_LZ4, 4, {0, 0, 0, 1}},               /* no length, no block */
		{RP_OUTPUT_LZ4, 11, {0, 0, 0, 1, 0, 0, 0, 9, 0xff, 0xff, 0xff}}, /* not lz4 */
		{RP_TERMIOS, 3, {1, 2, 3}},
		{RP_EXIT, 0, {0}},
		{RP_EXIT, 5, {0, 0, 0, 0, 0}}, /* a byte left over */
		{RP_ERROR, 3, {0, 1, 0}},
		{RP_ERROR, 8, {0, 1, 0, 0, 0, 0, 0, 200}}, /* a message longer than the frame */
		{RP_NOTICE, 1, {5}},
		{RP_TIMING, 4, {0, 0, 0, 1}},
		{RP_CONTEXT, 14, {0, 0, 0, 1, 0, 0, 0, 0x80, 0, 0, 0, 1, 0, 0}}, /* unknown flag */
		{RP_CONTEXT, 15, {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 7}}, /* BEL in the name */
		{RP_CONSUMED, 5, {0, 0, 0, 1, 0}},
	};

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE | RP_DESK_CONN_ERRORS, &ops, &s);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		rp_hdr_encode(buf, bad[i].type, 0, CHAN, bad[i].len);
		memcpy(buf + RP_HDR_SIZE, bad[i].body, bad[i].len);
		int r = feed(ch, buf, RP_HDR_SIZE + bad[i].len);
		if (r != -EPROTO)
			fprintf(stderr, "bad frame %zu (%s): %d\n", i, rp_type_name(bad[i].type), r);
		CHECK_EQ(r, -EPROTO);
	}
	CHECK_EQ(s.outputs + s.acks + s.termios + s.notices + s.exits + s.errors + s.timings +
			 s.contexts + s.consumeds,
		 0);
	/* And the channel goes on working. */
	CHECK_EQ(feed_output(ch, CHAN, 1, "ok"), 1);
	CHECK_EQ(s.out_len, 2);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void canonical_line_edited_on_desk(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_data d;
	char echoed[256] = "";
	size_t echoed_len = 0;
	bool input = false;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	canonical(&t);
	CHECK_EQ(feed_termios(ch, &t), 1);
	CHECK(rp_desk_chan_local(ch));
	/* A typo, rubbed out, and the line finished. */
	CHECK_EQ(rp_desk_chan_keys(ch, "ecoh", 4), 0);
	CHECK_EQ(rp_desk_chan_keys(ch, "\x7f\x7fho hi\r", 8), 0);
	CHECK(s.echo_len > 0);
	CHECK_EQ(s.echo_len, s.out_len);
	CHECK_EQ(rp_desk_chan_seq(ch), 1); /* one INPUT: the finished line */
	/* The host gets ECHO frames (what the desk showed) and one INPUT. */
	while (!input && host_frame(&p, &h, &payload) == 1) {
		CHECK_EQ(h.chan, CHAN);
		if (h.type == RP_ECHO) {
			CHECK(echoed_len + h.len <= sizeof echoed);
			if (echoed_len + h.len > sizeof echoed)
				break;
			memcpy(echoed + echoed_len, payload, h.len);
			echoed_len += h.len;
			continue;
		}
		CHECK_EQ(h.type, RP_INPUT);
		CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
		CHECK_EQ(d.seq, 1);
		CHECK_EQ(d.n, 8);
		CHECK(d.n == 8 && !memcmp(d.p, "echo hi\n", 8));
		input = true;
	}
	CHECK(input);
	CHECK_EQ(echoed_len, s.echo_len);
	CHECK(!memcmp(echoed, s.out, echoed_len));
	CHECK(host_quiet(&p));
	/* The program's answer is output, not echo. */
	size_t before = s.echo_len;
	CHECK_EQ(feed_output(ch, CHAN, 1, "hi\r\n"), 1);
	CHECK_EQ(s.echo_len, before);
	CHECK_EQ(s.acks, 1);
	CHECK_EQ(s.last_ack, 1);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static void readonly_sends_nothing(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	struct rp_hdr h;
	const uint8_t *payload;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE | RP_DESK_READONLY, &ops, &s);
	CHECK_EQ(rp_desk_chan_keys(ch, "rm -rf /\r", 9), -EROFS);
	CHECK_EQ(rp_desk_chan_winsize(ch, &ws), 0);
	CHECK_EQ(rp_desk_chan_send_empty(ch, RP_TAKEOVER), -EROFS);
	CHECK_EQ(rp_desk_chan_send_empty(ch, RP_DETACH), 0);
	CHECK_EQ(host_frame(&p, &h, &payload), 1);
	CHECK_EQ(h.type, RP_DETACH); /* only that */
	CHECK(host_quiet(&p));
	CHECK_EQ(s.out_len, 0);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* A host that takes nothing: once the queue is full, keys say so (and
 * keep saying so) instead of being lost without a word. */
static void full_queue_is_told(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	int r = 0, i;

	pair_open(&p, 4);
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	for (i = 0; i < 16 && r == 0; i++)
		r = rp_desk_chan_keys(ch, "k", 1);
	CHECK_EQ(r, -ENOBUFS);
	CHECK(i > 1);
	CHECK_EQ(rp_desk_chan_keys(ch, "k", 1), -ENOBUFS);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

static const uint8_t chan_token[RP_TOKEN_BYTES] = "0123456789abcdef";

/* A channel on p in raw mode that the host gave a TOKEN (chan_token):
 * resumable. */
static struct rp_desk_chan *resumable_chan(struct pair *p, struct seen *s)
{
	struct rp_desk_chan *ch = rp_desk_chan_create(p->desk, CHAN, RP_DESK_LINEMODE, &ops, s);
	struct kpty_termios t;
	uint8_t buf[64];
	struct rp_enc e;

	raw(&t);
	feed_termios(ch, &t);
	CHECK(!rp_desk_chan_resumable(ch));
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, CHAN);
	rp_put_bytes(&e, chan_token, sizeof chan_token);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK(rp_desk_chan_resumable(ch));
	return ch;
}

/* RESUMED on chan for req: the host's place (seq, after 0) and offset. */
static long resumed_frame(uint8_t *buf, size_t n, uint16_t chan, uint32_t req, uint32_t seq,
			  uint64_t offset)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, n, RP_RESUMED, 0, chan);
	rp_put_u32(&e, req);
	rp_put_u32(&e, seq);
	rp_put_u32(&e, 0);
	rp_put_u64(&e, offset);
	return rp_enc_end(&e);
}

/* The link: a channel the host gave a TOKEN keeps what it sent; its
 * connection lost, keys wait; RESUME on a new one says what it got and
 * sent, and after RESUMED exactly what the host did not take goes again,
 * on the channel's new number. */
/* The next frame host reads is INPUT seq of text on chan: 1, else 0. */
static int host_next_input(struct rp_conn *host, uint16_t chan, uint32_t seq, const char *text)
{
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_data d = {0};

	CHECK_EQ(rp_conn_next_frame(host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_INPUT);
	CHECK_EQ(h.chan, chan);
	CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
	CHECK_EQ(d.seq, seq);
	CHECK(d.n == strlen(text) && !memcmp(d.p, text, d.n));
	return h.type == RP_INPUT && h.chan == chan && d.seq == seq;
}

static void expect_input(struct pair *p, uint16_t chan, uint32_t seq, const char *text)
{
	CHECK(rp_conn_flush_wait(p->desk, WAIT_MS) >= 0);
	host_next_input(p->host, chan, seq, text);
}

static void resume_sends_again_exactly(void)
{
	struct pair p, q;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_resume m;
	uint8_t buf[256];
	struct rp_enc e;

	pair_open(&p, 64);
	pair_open(&q, 64);
	ch = resumable_chan(&p, &s);
	rp_desk_chan_keys(ch, "abc", 3);
	rp_desk_chan_keys(ch, "de", 2);
	rp_desk_chan_keys(ch, "f", 1);
	expect_input(&p, CHAN, 1, "abc");
	expect_input(&p, CHAN, 2, "de");
	expect_input(&p, CHAN, 3, "f");
	CHECK_EQ(feed_output(ch, CHAN, 1, "xyz"), 1);
	CHECK_EQ(rp_desk_chan_received(ch), 3);
	/* The link goes: keys are taken, nothing is sent. */
	rp_desk_chan_link_down(ch);
	CHECK(!rp_desk_chan_up(ch));
	CHECK_EQ(rp_desk_chan_keys(ch, "gh", 2), 0);
	CHECK(host_quiet(&p));
	/* A new connection: RESUME names what came and went. */
	CHECK_EQ(rp_desk_chan_resume(ch, q.desk, 7, "s1"), 0);
	CHECK_EQ(host_frame(&q, &h, &payload), 1);
	CHECK_EQ(h.type, RP_RESUME);
	CHECK_EQ(rp_resume_decode(payload, h.len, &m), 0);
	CHECK_EQ(m.req, 7);
	CHECK(m.name.n == 2 && !memcmp(m.name.p, "s1", 2));
	CHECK(!memcmp(m.token, chan_token, sizeof chan_token));
	CHECK_EQ(m.offset, 3);
	CHECK_EQ(m.seq, 4);
	/* Frames for its old number are not its own while it waits. */
	CHECK_EQ(feed_output(ch, CHAN, 4, "not yet"), 0);
	/* The host took INPUT 2: 3 and 4 go again, on channel 5. */
	CHECK_EQ(feed(ch, buf, resumed_frame(buf, sizeof buf, 5, 7, 2, 3)), 1);
	CHECK_EQ(s.resumes, 1);
	CHECK(s.exact && !s.keys_lost);
	CHECK(rp_desk_chan_up(ch));
	CHECK_EQ(rp_desk_chan_id(ch), 5);
	expect_input(&q, 5, 3, "f");
	expect_input(&q, 5, 4, "gh");
	CHECK(host_quiet(&q));
	CHECK(host_quiet(&p));
	CHECK_EQ(rp_desk_chan_keys(ch, "i", 1), 0);
	expect_input(&q, 5, 5, "i");
	/* Once more, refused: the channel stays down and says so. */
	rp_desk_chan_link_down(ch);
	CHECK_EQ(rp_desk_chan_resume(ch, p.desk, 8, "s1"), 0);
	CHECK_EQ(host_frame(&p, &h, &payload), 1);
	CHECK_EQ(h.type, RP_RESUME);
	rp_enc_begin(&e, buf, sizeof buf, RP_ERROR, 0, 0);
	rp_put_u16(&e, RP_E_NOENT);
	rp_put_u32(&e, 8);
	rp_put_str(&e, "gone", 4);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK_EQ(s.refusals, 1);
	CHECK_EQ(s.code, RP_E_NOENT);
	CHECK(!rp_desk_chan_up(ch));
	rp_desk_chan_destroy(ch);
	pair_close(&p);
	pair_close(&q);
}

/* Handed-over pipes (a desk over ssh, as the daemon reads it): a read
 * that took less than it asked found the pipe empty, and says so
 * (drained), so the daemon's loop does not read again only to find
 * nothing. Before, each key over ssh cost that second read. */
static void pipes_say_drained(void)
{
	int in[2], out[2];
	uint8_t frame[RP_HDR_SIZE + 4];
	struct rp_hdr h;
	const uint8_t *payload;

	CHECK(pipe2(in, O_NONBLOCK | O_CLOEXEC) == 0 && pipe2(out, O_NONBLOCK | O_CLOEXEC) == 0);
	struct rp_conn *c = rp_conn_create(rp_transport_fds(in[0], out[1]), 64, 1u << 20);
	CHECK(c != NULL);
	rp_hdr_encode(frame, RP_INPUT, 0, 1, 4);
	memcpy(frame + RP_HDR_SIZE, "\0\0\0\1", 4);
	CHECK_EQ(write(in[1], frame, sizeof frame), (ssize_t)sizeof frame);
	CHECK_EQ(rp_conn_read(c), (ssize_t)sizeof frame);
	CHECK(rp_conn_drained(c));
	CHECK_EQ(rp_conn_frame(c, &h, &payload), 1);
	CHECK_EQ(h.type, RP_INPUT);
	rp_conn_destroy(c);
	close(in[1]);
	close(out[0]);
}

/* n bytes of netlink: a message of type, with an ifinfomsg of flags. */
static size_t nl_msg(uint8_t *buf, uint16_t type, unsigned flags)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = type};
	struct ifinfomsg i = {.ifi_flags = flags};

	memset(buf, 0, NLMSG_SPACE(sizeof i));
	memcpy(buf, &h, sizeof h);
	memcpy(buf + NLMSG_HDRLEN, &i, sizeof i);
	return NLMSG_SPACE(sizeof i);
}

/* What tells a desk the network may be back: an address or a route
 * added, a link up and running; not one going, nor a link that is up
 * with nothing on it, nor a message cut short or lying about its
 * length. */
static void netwatch_news(void)
{
	uint8_t buf[256];
	size_t n;

	CHECK(rp_netwatch_news(buf, nl_msg(buf, RTM_NEWADDR, 0)));
	CHECK(rp_netwatch_news(buf, nl_msg(buf, RTM_NEWROUTE, 0)));
	CHECK(!rp_netwatch_news(buf, nl_msg(buf, RTM_DELADDR, 0)));
	CHECK(!rp_netwatch_news(buf, nl_msg(buf, RTM_NEWLINK, IFF_UP)));
	CHECK(rp_netwatch_news(buf, nl_msg(buf, RTM_NEWLINK, IFF_UP | IFF_RUNNING)));
	n = nl_msg(buf, RTM_DELROUTE, 0);
	n += nl_msg(buf + n, RTM_NEWADDR, 0);
	CHECK(rp_netwatch_news(buf, n));
	n = nl_msg(buf, RTM_NEWADDR, 0);
	CHECK(!rp_netwatch_news(buf, NLMSG_HDRLEN - 1));
	CHECK(!rp_netwatch_news(buf, NLMSG_HDRLEN + 2));
	((struct nlmsghdr *)buf)->nlmsg_len = 3; /* shorter than its header */
	CHECK(!rp_netwatch_news(buf, n));
	((struct nlmsghdr *)buf)->nlmsg_len = 4096; /* longer than what came */
	CHECK(!rp_netwatch_news(buf, n));
}

/* A redial's connection, its desk end: the socket in ctx. */
static struct rp_transport *desk_end(void *ctx, bool start, char *err, size_t errn)
{
	(void)start;
	(void)err;
	(void)errn;
	return rp_transport_socket(*(int *)ctx);
}

static int push_to_dialer(void *dialer, const void *p, size_t n)
{
	return rp_dialer_add(dialer, p, n);
}

/* A redial whose first flight is flight (n bytes, freed here), dialing
 * the socket fds[0]; q->host is made on fds[1], the host's end. */
static struct rp_dialer *dial_flight(struct pair *q, int fds[2], uint8_t *flight, long n)
{
	CHECK(n > 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
	q->host = rp_conn_create(rp_transport_socket(fds[1]), 64, 1u << 20);
	CHECK(q->host != NULL);
	struct rp_dest d = {.connect_local = desk_end, .local_ctx = &fds[0]};
	struct rp_dialer *dl = rp_dialer_start_first(&d, flight, (size_t)n);
	free(flight);
	CHECK(dl != NULL);
	return dl;
}

/* The host's answers in one write: its HELLO (AHEAD said), then RESUMED
 * on chans[i] for reqs[i], its place seq (after 0) and offset; once
 * written, the dial is done. */
static void host_answers(struct pair *q, struct rp_dialer *dl, const uint16_t *chans,
			 const uint32_t *reqs, uint32_t seq, uint64_t offset, unsigned k)
{
	uint8_t buf[256];
	long n = rp_hello_frame(buf, sizeof buf, RP_CAP_LINEMODE | RP_CAP_RESUME | RP_CAP_AHEAD,
				"", "telly serve h");

	CHECK(n > 0);
	for (unsigned i = 0; i < k; i++)
		n += resumed_frame(buf + n, sizeof buf - (size_t)n, chans[i], reqs[i], seq, offset);
	CHECK_EQ(rp_conn_send(q->host, buf, (size_t)n), 0);
	CHECK(rp_conn_flush_wait(q->host, WAIT_MS) >= 0);
	struct pollfd pf = {.fd = rp_dialer_fd(dl), .events = POLLIN};
	CHECK_EQ(poll(&pf, 1, WAIT_MS), 1);
}

/* A redial's first flight, its HELLO (by the dialer) and RESUME, with
 * ahead (a channel number) the keys kept behind it on that number; the
 * host has said nothing before it has them all. Key "c" was typed while
 * the link was down, "d" while the dial waited for the host's answer
 * (pushed to it), "e" after that answer, before the connection was
 * handed over. */
static void redial_flight(uint16_t ahead)
{
	struct pair p, q;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_resume m;
	uint8_t *flight;
	char err[200];
	int fds[2];
	long n;
	uint16_t on = ahead ? ahead : 4; /* the channel's number on q */

	pair_open(&p, 64);
	ch = resumable_chan(&p, &s);
	rp_desk_chan_keys(ch, "ab", 2);
	expect_input(&p, CHAN, 1, "ab");
	CHECK_EQ(feed_output(ch, CHAN, 1, "ab"), 1);
	rp_desk_chan_link_down(ch);
	CHECK_EQ(rp_desk_chan_keys(ch, "c", 1), 0);

	n = rp_desk_chan_resume_flight(ch, 9, "s1", ahead, &flight);
	struct rp_dialer *dl = dial_flight(&q, fds, flight, n);
	CHECK_EQ(rp_desk_chan_keys(ch, "d", 1), 0);
	rp_desk_chan_ahead_push(ch, push_to_dialer, dl);
	/* The host has said nothing, and has HELLO, RESUME (and "c", "d"). */
	CHECK_EQ(rp_conn_next_frame(q.host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_HELLO);
	CHECK_EQ(rp_conn_next_frame(q.host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_RESUME);
	CHECK_EQ(rp_resume_decode(payload, h.len, &m), 0);
	CHECK_EQ(m.req, 9);
	CHECK(!memcmp(m.token, chan_token, sizeof chan_token));
	CHECK_EQ(m.offset, 2);
	CHECK_EQ(m.seq, 2);
	CHECK_EQ(m.ahead, ahead);
	if (ahead) {
		CHECK(m.first_seq == 2 && m.first_after == 0);
		CHECK_EQ(host_next_input(q.host, ahead, 2, "c"), 1);
		CHECK_EQ(host_next_input(q.host, ahead, 3, "d"), 1);
	}
	/* Its answers in one write: HELLO, RESUMED (INPUT 1 taken). */
	host_answers(&q, dl, &on, (const uint32_t[]){9}, 1, 2, 1);
	/* Too late for the dialer: "e" goes once the channel has c. */
	CHECK_EQ(rp_desk_chan_keys(ch, "e", 1), 0);
	rp_desk_chan_ahead_push(ch, push_to_dialer, dl);
	q.desk = rp_dialer_finish(dl, err, sizeof err);
	CHECK(q.desk != NULL);
	CHECK(rp_conn_peer_caps(q.desk) & RP_CAP_AHEAD);
	CHECK_EQ(rp_desk_chan_resume_sent(ch, q.desk, 9), 0);
	if (ahead)
		expect_input(&q, ahead, 4, "e");
	CHECK(host_quiet(&q));
	/* RESUMED came with the HELLO: in the buffer, no read needed. */
	CHECK_EQ(rp_conn_frame(q.desk, &h, &payload), 1);
	CHECK_EQ(h.type, RP_RESUMED);
	CHECK_EQ(rp_desk_chan_frame(ch, &h, payload), 1);
	CHECK_EQ(s.resumes, 1);
	CHECK(s.exact && !s.keys_lost);
	CHECK(rp_desk_chan_up(ch));
	/* Plain, what the host did not take goes now; ahead, it went. */
	if (!ahead) {
		expect_input(&q, on, 2, "c");
		expect_input(&q, on, 3, "d");
		expect_input(&q, on, 4, "e");
	}
	CHECK(host_quiet(&q));
	CHECK_EQ(rp_desk_chan_keys(ch, "f", 1), 0);
	expect_input(&q, on, 5, "f");
	rp_desk_chan_destroy(ch);
	pair_close(&p);
	pair_close(&q);
}

/* A redial's RESUME goes behind its HELLO, before the host has said a
 * thing (one round trip for both, not two), and a RESUMED that came with
 * the host's HELLO is in the connection handed over: the channel is back
 * with no more reading, and sends again what the host did not take. */
static void redial_resume_rides_behind_hello(void)
{
	redial_flight(0);
}

/* To a host that said RP_CAP_AHEAD, the keys kept go behind the RESUME
 * too, on the number it names, and those typed while the dial was on its
 * way right after it: the host answers them with the RESUMED, and nothing
 * is sent twice. */
static void redial_keys_ride_behind_resume(void)
{
	redial_flight(5);
}

/* A RESUME on the host's end of q: of request req, ahead on that number
 * (0: plain), its first kept frame seq (ahead only). */
static void host_resume(struct pair *q, uint32_t req, uint16_t ahead, uint32_t first_seq)
{
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_resume m;

	CHECK_EQ(rp_conn_next_frame(q->host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_RESUME);
	CHECK_EQ(rp_resume_decode(payload, h.len, &m), 0);
	CHECK_EQ(m.req, req);
	CHECK_EQ(m.ahead, ahead);
	if (ahead)
		CHECK(m.first_seq == first_seq && m.first_after == 0);
}

/* Two resumable channels on a new pair p, the link down, "a" typed in
 * the first and "b" in the second. */
static void two_down(struct pair *p, struct rp_desk_chan **chs, struct seen *sa, struct seen *sb)
{
	pair_open(p, 64);
	chs[0] = resumable_chan(p, sa);
	chs[1] = resumable_chan(p, sb);
	rp_desk_chan_link_down(chs[0]);
	rp_desk_chan_link_down(chs[1]);
	CHECK_EQ(rp_desk_chan_keys(chs[0], "a", 1), 0);
	CHECK_EQ(rp_desk_chan_keys(chs[1], "b", 1), 0);
}

/* telly view's redial: one flight for several channels, behind one
 * X session's plain RESUME (first 2: the host numbers that one 1). Each
 * channel's RESUME with the keys it kept behind it on the number of its
 * place, so none is named twice; keys typed during the dial ride only
 * behind the last one (the host's run ends at the next RESUME), the
 * first channel's go after its RESUMED, and nothing goes twice. With
 * first 0 (a host that did not say AHEAD), plain RESUMEs in one flight
 * and every key after RESUMED, on the numbers the host gave. */
static void redial_flight_chans(uint16_t first)
{
	struct pair p, q;
	struct seen sa = {0}, sb = {0};
	struct rp_desk_chan *chs[2];
	const char *names[2] = {"s1", "s2"};
	const uint32_t reqs[2] = {10, 11};
	struct rp_hdr h;
	const uint8_t *payload;
	uint8_t *flight;
	char err[200];
	int fds[2];
	long n;
	uint16_t na = first ? first : 1, nb = first ? first + 1 : 2; /* their numbers on q */

	two_down(&p, chs, &sa, &sb);

	n = rp_desk_chans_resume_flight(chs, names, reqs, 2, first, &flight);
	struct rp_dialer *dl = dial_flight(&q, fds, flight, n);
	/* Typed while the dial waits: the last channel's rides behind. */
	CHECK_EQ(rp_desk_chan_keys(chs[0], "x", 1), 0);
	CHECK_EQ(rp_desk_chan_keys(chs[1], "y", 1), 0);
	rp_desk_chan_ahead_push(chs[0], push_to_dialer, dl);
	rp_desk_chan_ahead_push(chs[1], push_to_dialer, dl);
	CHECK_EQ(rp_conn_next_frame(q.host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_HELLO);
	host_resume(&q, 10, first ? na : 0, 1);
	if (first)
		CHECK_EQ(host_next_input(q.host, na, 1, "a"), 1);
	host_resume(&q, 11, first ? nb : 0, 1);
	if (first) {
		CHECK_EQ(host_next_input(q.host, nb, 1, "b"), 1);
		CHECK_EQ(host_next_input(q.host, nb, 2, "y"), 1);
	}
	host_answers(&q, dl, (const uint16_t[]){na, nb}, reqs, 0, 0, 2);
	/* After the answer, before the hand-over: the last channel's go
	 * first thing, the other's wait. */
	CHECK_EQ(rp_desk_chan_keys(chs[0], "z", 1), 0);
	CHECK_EQ(rp_desk_chan_keys(chs[1], "w", 1), 0);
	q.desk = rp_dialer_finish(dl, err, sizeof err);
	CHECK(q.desk != NULL);
	CHECK_EQ(rp_desk_chan_resume_sent(chs[0], q.desk, 10), 0);
	CHECK_EQ(rp_desk_chan_resume_sent(chs[1], q.desk, 11), 0);
	if (first)
		expect_input(&q, nb, 3, "w");
	CHECK(host_quiet(&q));
	/* The RESUMEDs came with the HELLO. */
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(rp_conn_frame(q.desk, &h, &payload), 1);
		CHECK_EQ(h.type, RP_RESUMED);
		CHECK_EQ(rp_desk_chan_frame(chs[i], &h, payload), 1);
	}
	CHECK(sa.resumes == 1 && sb.resumes == 1);
	CHECK(rp_desk_chan_up(chs[0]) && rp_desk_chan_up(chs[1]));
	if (!first) {
		expect_input(&q, na, 1, "a");
		expect_input(&q, na, 2, "x");
		expect_input(&q, na, 3, "z");
		expect_input(&q, nb, 1, "b");
		expect_input(&q, nb, 2, "y");
		expect_input(&q, nb, 3, "w");
	} else { /* what went ahead does not go again */
		expect_input(&q, na, 2, "x");
		expect_input(&q, na, 3, "z");
	}
	CHECK(host_quiet(&q));
	rp_desk_chan_destroy(chs[0]);
	rp_desk_chan_destroy(chs[1]);
	pair_close(&p);
	pair_close(&q);
}

/* A dial held in its connect (an ssh login) until its gate opens. */
struct gated {
	int fd, gate;
};

static struct rp_transport *gated_end(void *ctx, bool start, char *err, size_t errn)
{
	struct gated *g = ctx;
	char c;

	(void)start;
	(void)err;
	(void)errn;
	CHECK_EQ(read(g->gate, &c, 1), 1);
	return rp_transport_socket(g->fd);
}

struct remake {
	struct rp_desk_chan **chs;
	const char *const *names;
	const uint32_t *reqs;
	int calls;
};

static long remake(void *ctx, uint8_t **out)
{
	struct remake *m = ctx;

	m->calls++;
	return rp_desk_chans_resume_flight(m->chs, m->names, m->reqs, 2, 1, out);
}

/* Keys typed during the dial in a channel whose run in the flight is
 * over (another RESUME follows its own) ride behind its own RESUME too
 * while the dial has not written the flight: it is made anew. Once it
 * is written, it is not (-EALREADY), and they go after RESUMED. */
static void redial_flight_remade_until_sent(void)
{
	struct pair p, q;
	struct seen sa = {0}, sb = {0};
	struct rp_desk_chan *chs[2];
	const char *names[2] = {"s1", "s2"};
	const uint32_t reqs[2] = {10, 11};
	struct remake m = {chs, names, reqs, 0};
	struct rp_hdr h;
	const uint8_t *payload;
	uint8_t *flight;
	char err[200];
	int fds[2], gate[2];
	long n;

	two_down(&p, chs, &sa, &sb);
	n = rp_desk_chans_resume_flight(chs, names, reqs, 2, 1, &flight);
	CHECK(n > 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
	CHECK(pipe(gate) == 0);
	q.host = rp_conn_create(rp_transport_socket(fds[1]), 64, 1u << 20);
	struct gated g = {fds[0], gate[0]};
	struct rp_dest d = {.connect_local = gated_end, .local_ctx = &g};
	struct rp_dialer *dl = rp_dialer_start_first(&d, flight, (size_t)n);
	free(flight);
	CHECK(dl != NULL);
	/* Typed in the first channel while the dial is held: its run is over. */
	CHECK_EQ(rp_desk_chan_keys(chs[0], "x", 1), 0);
	CHECK(rp_desk_chan_ahead_waits(chs[0]));
	CHECK(!rp_desk_chan_ahead_waits(chs[1]));
	CHECK_EQ(rp_dialer_remake_first(dl, remake, &m), 0);
	CHECK_EQ(m.calls, 1);
	CHECK(!rp_desk_chan_ahead_waits(chs[0]));
	CHECK_EQ(write(gate[1], "g", 1), 1);
	CHECK_EQ(rp_conn_next_frame(q.host, &h, &payload, WAIT_MS), 1);
	CHECK_EQ(h.type, RP_HELLO);
	host_resume(&q, 10, 1, 1);
	CHECK_EQ(host_next_input(q.host, 1, 1, "a"), 1);
	CHECK_EQ(host_next_input(q.host, 1, 2, "x"), 1); /* behind its own RESUME */
	host_resume(&q, 11, 2, 1);
	CHECK_EQ(host_next_input(q.host, 2, 1, "b"), 1);
	/* Written: no more made anew. */
	CHECK_EQ(rp_desk_chan_keys(chs[0], "z", 1), 0);
	CHECK_EQ(rp_dialer_remake_first(dl, remake, &m), -EALREADY);
	CHECK_EQ(m.calls, 1);
	host_answers(&q, dl, (const uint16_t[]){1, 2}, reqs, 0, 0, 2);
	q.desk = rp_dialer_finish(dl, err, sizeof err);
	CHECK(q.desk != NULL);
	CHECK_EQ(rp_desk_chan_resume_sent(chs[0], q.desk, 10), 0);
	CHECK_EQ(rp_desk_chan_resume_sent(chs[1], q.desk, 11), 0);
	for (int i = 0; i < 2; i++) {
		CHECK_EQ(rp_conn_frame(q.desk, &h, &payload), 1);
		CHECK_EQ(h.type, RP_RESUMED);
		CHECK_EQ(rp_desk_chan_frame(chs[i], &h, payload), 1);
	}
	expect_input(&q, 1, 3, "z"); /* after its RESUMED */
	CHECK(host_quiet(&q));
	close(gate[0]);
	close(gate[1]);
	rp_desk_chan_destroy(chs[0]);
	rp_desk_chan_destroy(chs[1]);
	pair_close(&p);
	pair_close(&q);
}

/* telly view's windows in one flight, to a host that said AHEAD. */
static void redial_chans_ride_behind_resumes(void)
{
	redial_flight_chans(2);
}

/* The same to a host that did not: plain RESUMEs, all behind HELLO. */
static void redial_chans_resume_behind_hello(void)
{
	redial_flight_chans(0);
}

/* The host no longer has the channel and a new OPEN gave it another
 * number: the keys not known to be taken are let go and counted, never
 * sent there; its output is numbered afresh, keys go on the new number,
 * and it waits for a TOKEN of its own before it can be resumed again. */
static void refused_then_attached_anew(void)
{
	static const uint8_t token[RP_TOKEN_BYTES] = "0123456789abcdef";
	struct pair p, q;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;
	uint8_t buf[256];
	struct rp_enc e;

	pair_open(&p, 64);
	pair_open(&q, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	raw(&t);
	feed_termios(ch, &t);
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, CHAN);
	rp_put_bytes(&e, token, sizeof token);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	rp_desk_chan_keys(ch, "ab", 2);
	rp_desk_chan_keys(ch, "c", 1);
	expect_input(&p, CHAN, 1, "ab");
	expect_input(&p, CHAN, 2, "c");
	CHECK_EQ(feed_output(ch, CHAN, 1, "xyz"), 1); /* "ab" written; "c" unknown */
	rp_desk_chan_link_down(ch);
	rp_desk_chan_keys(ch, "de", 2); /* typed while down */
	CHECK_EQ(rp_desk_chan_reattached(ch, q.desk, 9), 3);
	CHECK(host_quiet(&q)); /* neither "c" nor "de" */
	CHECK(rp_desk_chan_up(ch));
	CHECK(!rp_desk_chan_resumable(ch));
	CHECK_EQ(rp_desk_chan_id(ch), 9);
	CHECK_EQ(rp_desk_chan_received(ch), 0);
	CHECK_EQ(feed_output(ch, CHAN, 1, "old"), 0); /* the old number is not its own */
	CHECK_EQ(feed_output(ch, 9, 0, "new"), 1);
	CHECK_EQ(rp_desk_chan_received(ch), 3);
	CHECK_EQ(rp_desk_chan_keys(ch, "f", 1), 0);
	expect_input(&q, 9, 4, "f");
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, 9);
	rp_put_bytes(&e, token, sizeof token);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK(rp_desk_chan_resumable(ch));
	CHECK(host_quiet(&p));
	rp_desk_chan_destroy(ch);
	pair_close(&p);
	pair_close(&q);
}

/* The host's heartbeat: its PING answered at once with PONG and the same
 * stamp; other frames and a malformed PING are not. */
/* ssh spawned by a caller whose signalfd blocks SIGTERM, SIGINT and SIGHUP
 * (the desk's loop, and the redial thread it starts): ssh keeps the mask
 * it is given (a SIGTERM never reaches one still connecting), so the
 * transport's end, which closes ssh's socket and then sends SIGTERM after
 * a grace of 1 s, waited for ssh to give up by itself. The command here,
 * like ssh, neither reads its socket nor touches its mask. */
static void spawn_ends_at_sigterm(void)
{
	sigset_t held;

	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigprocmask(SIG_BLOCK, &held, NULL);
	struct rp_transport *t = rp_transport_spawn("exec sleep 8");
	CHECK(t != NULL);
	if (!t)
		return;
	long t0 = base_now_ms();
	rp_transport_destroy(t);
	long took = base_now_ms() - t0;
	if (took >= 5000)
		fprintf(stderr, "the transport's end took %ld ms: its command kept SIGTERM blocked\n",
			took);
	CHECK(took < 5000);
}

static void host_ping_answered(void)
{
	struct pair p;
	struct rp_hdr h, got;
	const uint8_t *payload;
	uint8_t buf[32];
	struct rp_enc e;
	uint64_t stamp;

	pair_open(&p, 64);
	rp_enc_begin(&e, buf, sizeof buf, RP_PING, 0, 0);
	rp_put_u64(&e, 0x1122334455667788ull);
	long n = rp_enc_end(&e);
	CHECK_EQ(rp_hdr_decode(buf, (size_t)n, &h), 0);
	CHECK_EQ(rp_desk_answer_ping(p.desk, &h, buf + RP_HDR_SIZE), 1);
	CHECK_EQ(host_frame(&p, &got, &payload), 1);
	CHECK_EQ(got.type, RP_PONG);
	CHECK_EQ(got.chan, 0);
	CHECK_EQ(rp_u64_decode(payload, got.len, &stamp), 0);
	CHECK(stamp == 0x1122334455667788ull);
	h.len = 7; /* short */
	CHECK_EQ(rp_desk_answer_ping(p.desk, &h, buf + RP_HDR_SIZE), -EPROTO);
	h.type = RP_PONG;
	CHECK_EQ(rp_desk_answer_ping(p.desk, &h, buf + RP_HDR_SIZE), 0);
	CHECK(host_quiet(&p));
	pair_close(&p);
}

/* A resumable channel whose connection's queue is full (a link gone
 * silent, not yet known dead; keys faster than it drains) keeps the keys
 * that do not fit in its log: none lost, none out of order. Once the
 * queue drained, rp_desk_chan_pump sends them; or, the link lost, RESUMED
 * does. Before, the fifth key here failed and the channel was broken. */
static void full_queue_kept_when_resumable(void)
{
	static const uint8_t token[RP_TOKEN_BYTES] = "0123456789abcdef";
	struct pair p, q;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	uint8_t buf[256];
	struct rp_enc e;
	char k[2] = "a";

	pair_open(&p, 4);
	pair_open(&q, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, CHAN);
	rp_put_bytes(&e, token, sizeof token);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	for (int i = 0; i < 10; i++, k[0]++)
		CHECK_EQ(rp_desk_chan_keys(ch, k, 1), 0);
	CHECK(rp_desk_chan_backlog(ch));
	CHECK_EQ(rp_desk_chan_pump(ch), 0); /* the queue is not empty yet */
	k[0] = 'a';
	for (uint32_t i = 1; i <= 4; i++, k[0]++)
		expect_input(&p, CHAN, i, k);
	CHECK_EQ(rp_desk_chan_pump(ch), 1); /* drained: the rest, packed */
	CHECK(!rp_desk_chan_backlog(ch));
	for (uint32_t i = 5; i <= 10; i++, k[0]++)
		expect_input(&p, CHAN, i, k);
	CHECK_EQ(rp_desk_chan_keys(ch, "z", 1), 0);
	expect_input(&p, CHAN, 11, "z");
	CHECK(host_quiet(&p));

	/* Full again, and the link lost before it drained: the host took
	 * INPUT 12, and everything after it goes after RESUMED. */
	k[0] = 'A';
	for (int i = 0; i < 10; i++, k[0]++)
		CHECK_EQ(rp_desk_chan_keys(ch, k, 1), 0);
	CHECK(rp_desk_chan_backlog(ch));
	rp_desk_chan_link_down(ch);
	CHECK(!rp_desk_chan_backlog(ch));
	CHECK_EQ(rp_desk_chan_keys(ch, "Z", 1), 0);
	CHECK_EQ(rp_desk_chan_resume(ch, q.desk, 7, "s1"), 0);
	{
		struct rp_hdr h;
		const uint8_t *payload;
		CHECK_EQ(host_frame(&q, &h, &payload), 1);
		CHECK_EQ(h.type, RP_RESUME);
	}
	rp_enc_begin(&e, buf, sizeof buf, RP_RESUMED, 0, 5);
	rp_put_u32(&e, 7);
	rp_put_u32(&e, 12);
	rp_put_u32(&e, 0);
	rp_put_u64(&e, 0);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	CHECK(!s.keys_lost);
	k[0] = 'B';
	for (uint32_t i = 13; i <= 21; i++, k[0]++)
		expect_input(&q, 5, i, k);
	expect_input(&q, 5, 22, "Z");
	CHECK(host_quiet(&q));
	CHECK_EQ(rp_desk_chan_keys(ch, "!", 1), 0);
	expect_input(&q, 5, 23, "!");
	rp_desk_chan_destroy(ch);
	pair_close(&p);
	pair_close(&q);
}

/* What is kept for the host (a program that reads and says nothing: no
 * OUTPUT acks it) is let go by the PONG of a PING sent after it, not what
 * was sent after the PING; near RP_INLOG_BYTES keys wait (the owner reads
 * no more), a PING being wanted well before. */
static void pong_lets_kept_go_and_keys_wait(void)
{
	static const uint8_t token[RP_TOKEN_BYTES] = "0123456789abcdef";
	static char keys[4000];
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	uint8_t buf[256];
	struct rp_enc e;
	size_t sent = 0;

	memset(keys, 'k', sizeof keys);
	pair_open(&p, 4096);
	ch = rp_desk_chan_create(p.desk, CHAN, 0, &ops, &s);
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, CHAN);
	rp_put_bytes(&e, token, sizeof token);
	CHECK_EQ(feed(ch, buf, rp_enc_end(&e)), 1);
	rp_desk_chan_pong(ch); /* no PING went: nothing */
	CHECK(!rp_desk_chan_wants_pong(ch));
	while (!rp_desk_chan_keys_wait(ch) && sent < 2 * RP_INLOG_BYTES) {
		CHECK_EQ(rp_desk_chan_keys(ch, keys, sizeof keys), 0);
		sent += sizeof keys;
	}
	CHECK(rp_desk_chan_keys_wait(ch));
	CHECK(sent + RP_DESK_KEEP_SLACK >= RP_INLOG_BYTES - RP_DESK_KEEP_SLACK / 8);
	CHECK(rp_desk_chan_kept(ch) <= RP_INLOG_BYTES);
	CHECK(rp_desk_chan_wants_pong(ch));
	rp_desk_chan_ping(ch);
	CHECK_EQ(rp_desk_chan_keys(ch, "after", 5), 0); /* after the PING: kept */
	rp_desk_chan_pong(ch);
	CHECK(!rp_desk_chan_keys_wait(ch));
	CHECK(rp_desk_chan_kept(ch) > 0 && rp_desk_chan_kept(ch) < 64);
	/* A PING on a link gone down proves nothing. */
	rp_desk_chan_link_down(ch);
	rp_desk_chan_ping(ch);
	rp_desk_chan_pong(ch);
	CHECK(rp_desk_chan_kept(ch) > 0);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* A TERMIOS of the long form (RP_CAP_RETYPE's host): seq taken, mark. */
static int feed_termios_at(struct rp_desk_chan *ch, const struct kpty_termios *t, uint32_t seq,
			   uint32_t mark)
{
	uint8_t buf[256];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, CHAN);
	rp_put_termios(&e, t);
	rp_put_u32(&e, seq);
	rp_put_u32(&e, mark);
	return feed(ch, buf, rp_enc_end(&e));
}

/* The next frame from the desk is TERMIOS_SEEN of mark. */
static void expect_seen(struct pair *p, uint32_t mark)
{
	struct rp_hdr h;
	const uint8_t *payload;
	uint32_t m;

	CHECK_EQ(host_frame(p, &h, &payload), 1);
	CHECK_EQ(h.type, RP_TERMIOS_SEEN);
	CHECK_EQ(rp_termios_seen_decode(payload, h.len, &m), 0);
	CHECK_EQ(m, mark);
}

/* Past the ECHO frames of a line edited on the desk: its INPUT. */
static void expect_line(struct pair *p, uint32_t seq, const char *text)
{
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_data d;

	while (host_frame(p, &h, &payload) == 1 && h.type == RP_ECHO)
		;
	CHECK_EQ(h.type, RP_INPUT);
	CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
	CHECK_EQ(d.seq, seq);
	CHECK(d.n == strlen(text) && !memcmp(d.p, text, d.n));
}

/* Raw keys sent before the desk heard of a switch to canonical (a marked
 * TERMIOS) and not taken by the host then are typed again into the
 * discipline, now canonical: echoed here, edited with what is typed
 * after (a backspace erases one of them), and sent in the line; the keys
 * the host had taken are not. A later mark types none of them again. */
static void marked_termios_retypes_raw_keys(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;
	struct rp_hdr h;
	const uint8_t *payload;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	raw(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 0, 0), 1);
	CHECK(host_quiet(&p));
	CHECK_EQ(rp_desk_chan_keys(ch, "ab", 2), 0);
	CHECK_EQ(rp_desk_chan_keys(ch, "c", 1), 0);
	CHECK_EQ(rp_desk_chan_keys(ch, "d", 1), 0);
	expect_input(&p, CHAN, 1, "ab");
	expect_input(&p, CHAN, 2, "c");
	expect_input(&p, CHAN, 3, "d");
	CHECK_EQ(s.echo_len, 0);
	/* The host had taken "ab" when the program went canonical. */
	canonical(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 1, 9), 1);
	expect_seen(&p, 9);
	/* Told which INPUTs went (a predictor forgets their keys). */
	CHECK_EQ(s.let_go_seq, 1);
	CHECK_EQ(s.let_go_upto, 3);
	/* "cd" echoed here, not sent: the line is not finished. */
	CHECK(s.out_len == 2 && !memcmp(s.out, "cd", 2));
	CHECK_EQ(host_frame(&p, &h, &payload), 1);
	CHECK_EQ(h.type, RP_ECHO);
	CHECK_EQ(rp_desk_chan_seq(ch), 3);
	CHECK_EQ(rp_desk_chan_keys(ch, "\x7fx\r", 3), 0);
	expect_line(&p, 4, "cx\n");
	/* Raw again, then canonical again, marked, the host's seq short of
	 * the keys typed again at mark 9 (their originals, 2 and 3, were let
	 * go): none is typed again. */
	raw(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 1, 0), 1);
	canonical(&t);
	size_t before = s.out_len;
	CHECK_EQ(feed_termios_at(ch, &t, 3, 10), 1);
	expect_seen(&p, 10);
	CHECK_EQ(s.out_len, before);
	CHECK_EQ(s.let_go_seq, 3); /* the line's INPUT, 4, let go; not 2 and 3 again */
	CHECK_EQ(s.let_go_upto, 4);
	expect_input(&p, CHAN, 5, "cx\n"); /* the line, let go at mark 10 */
	CHECK(host_quiet(&p));
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* A line the discipline finished, let go by the host at a mark (it came
 * after the switch to canonical that followed a raw spell), is sent
 * again as it was: not echoed again. */
static void marked_termios_sends_lines_again(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	canonical(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 0, 1), 1);
	expect_seen(&p, 1);
	CHECK_EQ(rp_desk_chan_keys(ch, "ls\r", 3), 0);
	expect_line(&p, 1, "ls\n");
	size_t echoed = s.echo_len;
	/* The host went raw and canonical again before the line came. */
	raw(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 0, 0), 1);
	canonical(&t);
	CHECK_EQ(feed_termios_at(ch, &t, 0, 3), 1);
	expect_seen(&p, 3);
	expect_input(&p, CHAN, 2, "ls\n");
	CHECK_EQ(s.echo_len, echoed);
	CHECK(host_quiet(&p));
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* A signal key at a host that knows RETYPE: SIGNAL, then an INPUT of no
 * bytes, whose CONSUMED says the signal was handled; to an older host
 * (TERMIOS of the short form) the SIGNAL alone. */
static void signal_then_empty_input(void)
{
	struct pair p;
	struct seen s = {0};
	struct rp_desk_chan *ch;
	struct kpty_termios t;
	struct rp_hdr h;
	const uint8_t *payload;
	struct rp_data d;
	int signals = 0, inputs = 0;

	pair_open(&p, 64);
	ch = rp_desk_chan_create(p.desk, CHAN, RP_DESK_LINEMODE, &ops, &s);
	canonical(&t);
	CHECK_EQ(feed_termios(ch, &t), 1);
	CHECK_EQ(rp_desk_chan_keys(ch, "\x03", 1), 0);
	CHECK_EQ(rp_desk_chan_seq(ch), 0);
	CHECK_EQ(feed_termios_at(ch, &t, 0, 0), 1);
	CHECK_EQ(rp_desk_chan_keys(ch, "\x03", 1), 0);
	CHECK_EQ(rp_desk_chan_seq(ch), 1);
	/* The echo ("^C") aside: SIGNAL, SIGNAL, then the empty INPUT. */
	rp_conn_flush_wait(p.desk, WAIT_MS);
	while (rp_conn_next_frame(p.host, &h, &payload, 50) == 1) {
		if (h.type == RP_SIGNAL)
			signals++;
		if (h.type != RP_INPUT)
			continue;
		CHECK_EQ(signals, 2);
		CHECK_EQ(rp_data_decode(payload, h.len, &d), 0);
		CHECK(d.seq == 1 && d.n == 0);
		inputs++;
	}
	CHECK_EQ(signals, 2);
	CHECK_EQ(inputs, 1);
	rp_desk_chan_destroy(ch);
	pair_close(&p);
}

/* A DEST that is no host is refused before ssh is run: "@" made ssh
 * print its usage, "user@" look up the host "". */
static void bad_dest_refused(void)
{
	static const char *const bad[] = {"@", "user@", "-oProxyCommand=x", "a b", "h\tx"};
	char err[200];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rp_dest d = {.host = bad[i]};
		err[0] = 0;
		CHECK(rp_desk_connect(&d, false, err, sizeof err) == NULL);
		CHECK(strstr(err, "is not a destination") != NULL);
	}
}

/* The desk's HELLO answered by the host's, which says said: the host's
 * name the desk keeps is want. */
static void hello_name_is(const char *said, const char *want)
{
	struct pair p;
	uint8_t buf[256];
	char err[200];
	long n;

	pair_open(&p, 64);
	n = rp_hello_frame(buf, sizeof buf, RP_CAP_LINEMODE, "", said);
	CHECK(n > 0);
	CHECK_EQ(rp_conn_send(p.host, buf, (size_t)n), 0);
	CHECK(rp_conn_flush_wait(p.host, WAIT_MS) >= 0);
	CHECK_EQ(rp_desk_hello(p.desk, RP_CAP_LINEMODE, "", "telly:test", WAIT_MS, NULL, NULL, err,
			       sizeof err),
		 0);
	CHECK(!strcmp(rp_conn_host_name(p.desk), want));
	pair_close(&p);
}

/* The host's name comes with its HELLO ("telly serve NAME"); an older
 * host's plain "telly serve", or a name that is not one, gives none. */
static void host_name_from_hello(void)
{
	char long_name[120];

	hello_name_is("telly serve build-1.example", "build-1.example");
	hello_name_is("telly serve", "");
	hello_name_is("telly serve ", "");
	hello_name_is("telly serve two words", "");
	hello_name_is("telly serve bad\033]0;name", "");
	hello_name_is("other thing", "");
	/* Longer than a host name may be. */
	snprintf(long_name, sizeof long_name, "telly serve %0*d", RP_HOST_NAME_MAX + 1, 0);
	hello_name_is(long_name, "");
}

/* A connection closed with bytes from its peer unread (a desk that
 * leaves after its session's EXIT, the host's heartbeat PING come since)
 * ends the peer's stream: the host reads the end, not a reset, which it
 * takes for a lost link (keeping the ended channel, and itself, an hour). */
static void close_reads_end_not_reset(void)
{
	int fds[2];
	char b[8];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
	struct rp_conn *c = rp_conn_create(rp_transport_socket(fds[0]), 16, 1u << 16);
	CHECK(c != NULL);
	CHECK(write(fds[1], "PING", 4) == 4); /* never read by c */
	rp_conn_destroy(c);
	errno = 0;
	CHECK_EQ(read(fds[1], b, sizeof b), 0);
	CHECK_EQ(errno, 0);
	close(fds[1]);
}

/* The host's side of a desk that closes: it reads the end of the stream,
 * then its heartbeat PING goes (on its way as the desk closes), then it
 * ends its own side. 0: the connection ended cleanly; else the error
 * the host got (a reset: EPIPE or ECONNRESET). */
static int host_pings_at_the_end(int fd)
{
	char b[8];
	int err = 0;
	socklen_t n = sizeof err;

	if (read(fd, b, sizeof b) != 0)
		return 100;
	if (send(fd, "PING", 4, MSG_NOSIGNAL) != 4)
		return errno;
	shutdown(fd, SHUT_WR);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1)
		return 101;
	if (read(fd, b, sizeof b) < 0)
		return errno;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &n) < 0)
		return 102;
	return err;
}

/* A PING that comes after the desk's close began (after what the desk
 * had unread was dropped) is read too, not left to reset the connection:
 * the close is orderly (our end of the stream, the peer's bytes dropped
 * until its end). Over TCP, whose reset the host sees as EPIPE. */
static void close_waits_for_the_peers_end(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), d, h, st = -1;

	CHECK(l >= 0);
	CHECK(bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 1) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&a, &al) == 0);
	d = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK(d >= 0 && connect(d, (struct sockaddr *)&a, sizeof a) == 0);
	h = accept(l, NULL, NULL);
	CHECK(h >= 0);
	close(l);
	pid_t pid = fork();
	if (pid == 0) {
		close(d);
		_exit(host_pings_at_the_end(h));
	}
	close(h);
	CHECK(pid > 0);
	struct rp_conn *c = rp_conn_create(rp_transport_socket(d), 16, 1u << 16);
	CHECK(c != NULL);
	long t0 = base_now_ms();
	rp_conn_destroy(c);
	CHECK(base_now_ms() - t0 < RP_CLOSE_WAIT_MS); /* the host's end, not the bound */
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

/* A link known lost (no answer to the heartbeat) is closed at once:
 * nothing waits for a peer that does not answer. */
static void lost_link_closes_at_once(void)
{
	int fds[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
	struct rp_conn *c = rp_conn_create(rp_transport_socket(fds[0]), 16, 1u << 16);
	CHECK(c != NULL);
	long t0 = base_now_ms();
	rp_conn_lost(c);
	rp_conn_destroy(c);
	CHECK(base_now_ms() - t0 < RP_CLOSE_WAIT_MS / 2);
	close(fds[1]);
}

/* A mark is passed once all queued before it went, even when some of it
 * was dropped (the desk fell behind: output not yet started goes, a
 * snapshot follows): the host's ended channel whose EXIT went before its
 * desk closed is let go, not kept an hour for a RESUME. What is queued
 * after the mark, written or dropped, passes nothing. */
static void mark_went_past_drop(void)
{
	int fds[2];
	uint8_t h[RP_HDR_SIZE], end[RP_HDR_SIZE], sink[512];
	struct rp_buf *b = rp_buf_create(100);

	CHECK(b != NULL);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
	struct rp_conn *c = rp_conn_create(rp_transport_socket(fds[0]), 16, 1u << 16);
	CHECK(c != NULL);
	rp_hdr_encode(h, RP_OUTPUT, 0, 1, 100);
	rp_hdr_encode(end, RP_EXIT, 0, 2, 0);
	CHECK_EQ(rp_conn_push(c, h, sizeof h, b, true), 0); /* another channel's output */
	CHECK_EQ(rp_conn_send(c, end, sizeof end), 0);     /* (the EXIT) */
	uint64_t mark = rp_conn_mark(c);
	CHECK(!rp_conn_went(c, mark));
	CHECK_EQ(rp_conn_push(c, h, sizeof h, b, true), 0); /* after it */
	rp_conn_drop_queued(c);				     /* both outputs go */
	CHECK(!rp_conn_went(c, mark));
	CHECK_EQ(rp_conn_flush(c), 0);
	CHECK(rp_conn_went(c, mark));
	CHECK_EQ(read(fds[1], sink, sizeof sink), RP_HDR_SIZE);
	/* Queued before it and not written: not passed, whatever went after. */
	CHECK_EQ(rp_conn_send(c, end, sizeof end), 0);
	mark = rp_conn_mark(c);
	CHECK_EQ(rp_conn_push(c, h, sizeof h, b, true), 0);
	rp_conn_drop_queued(c);
	CHECK(!rp_conn_went(c, mark));
	rp_buf_unref(b);
	rp_conn_destroy(c);
	close(fds[1]);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"close-reads-end-not-reset", close_reads_end_not_reset},
		{"close-waits-for-the-peers-end", close_waits_for_the_peers_end},
		{"lost-link-closes-at-once", lost_link_closes_at_once},
		{"mark-went-past-drop", mark_went_past_drop},
		{"bad-dest-refused", bad_dest_refused},
		{"host-name-from-hello", host_name_from_hello},
		{"output-and-termios-reach-ops", output_and_termios_reach_ops},
		{"input-gets-increasing-seq", input_gets_increasing_seq},
		{"marked-termios-retypes-raw-keys", marked_termios_retypes_raw_keys},
		{"marked-termios-sends-lines-again", marked_termios_sends_lines_again},
		{"signal-then-empty-input", signal_then_empty_input},
		{"acks-are-taken", acks_are_taken},
		{"exit-error-notice-reach-ops", exit_error_notice_reach_ops},
		{"malformed-frame-is-an-error", malformed_frame_is_an_error},
		{"context-and-consumed-reach-ops", context_and_consumed_reach_ops},
		{"canonical-line-edited-on-desk", canonical_line_edited_on_desk},
		{"readonly-sends-nothing", readonly_sends_nothing},
		{"full-queue-is-told", full_queue_is_told},
		{"resume-sends-again-exactly", resume_sends_again_exactly},
		{"redial-resume-rides-behind-hello", redial_resume_rides_behind_hello},
		{"redial-keys-ride-behind-resume", redial_keys_ride_behind_resume},
		{"redial-chans-ride-behind-resumes", redial_chans_ride_behind_resumes},
		{"redial-flight-remade-until-sent", redial_flight_remade_until_sent},
		{"redial-chans-resume-behind-hello", redial_chans_resume_behind_hello},
		{"pipes-say-drained", pipes_say_drained},
		{"netwatch-news", netwatch_news},
		{"full-queue-kept-when-resumable", full_queue_kept_when_resumable},
		{"refused-then-attached-anew", refused_then_attached_anew},
		{"host-ping-answered", host_ping_answered},
		{"spawn-ends-at-sigterm", spawn_ends_at_sigterm},
		{"pong-lets-kept-go-and-keys-wait", pong_lets_kept_go_and_keys_wait},
	};
	return unit_main(cases, sizeof cases / sizeof *cases, argc, argv);
}
