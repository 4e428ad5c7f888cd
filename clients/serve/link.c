/* The link, host side (HELLO cap RP_CAP_RESUME): PING answered with PONG;
 * a channel that outlives its connection. A resumable channel keeps its
 * recent output numbered by byte offset (rp_outkeep) and the place of the
 * last input it took; when its connection goes it becomes an orphan of its
 * session for RESUME_GRACE_MS, still keeping what it is sent. RESUME on a
 * new connection (the token given at OPEN) puts it back: the host says what
 * it took (RESUMED), resends exactly the output the desk missed, or a
 * redraw when that is more than it kept. A DETACH and a stopping daemon
 * leave no orphans; a session that ends leaves its orphans waiting out
 * of it, with what their desks missed and its status, which a RESUME
 * gets before EXIT (orphans_end, resume_ended).
 *
 * The host watches such a desk's link too (rp_link, as the desk does):
 * PING to it, and a connection that has sent no frame, answered no PING
 * and taken none of its queued output for a few round trips (at least
 * RP_LINK_HOST_DEAD_MIN_MS, and RP_LINK_HOST_FIRST_DEAD_MS before one is
 * measured) is dropped, so that its channels wait as orphans
 * at once rather than when TCP gives up, or the desk comes back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base.h"
#include "serve.h"
#include "xwin.h"

void chan_resumable(struct chan *v)
{
	uint8_t buf[RP_HDR_SIZE + RP_TOKEN_BYTES];
	struct rp_enc e;

	if (!v->conn->resume ||
	    getrandom(v->token, sizeof v->token, 0) != (ssize_t)sizeof v->token)
		return;
	v->resumable = true;
	rp_enc_begin(&e, buf, sizeof buf, RP_TOKEN, 0, v->id);
	rp_put_bytes(&e, v->token, sizeof v->token);
	conn_send(v->conn, &e);
}

static void unlink_chan(struct chan **list, struct chan *v)
{
	for (struct chan **pp = list; *pp; pp = &(*pp)->snext) {
		if (*pp == v) {
			*pp = v->snext;
			return;
		}
	}
}

/* Out of the session's viewers and its connection's channels (as
 * chan_remove does, but kept), into list to (NULL: none) before the kind
 * is told: an X session counts its orphans as desks that may come back
 * (a copy kept for its views lasts while one waits). */
static void unview(struct chan *v, struct chan **to)
{
	struct session *s = v->s;

	unlink_chan(&s->viewers, v);
	s->nviewers--;
	v->conn->chans[v->id - 1] = NULL;
	if (to) {
		v->snext = *to;
		*to = v;
	}
	session_detached(s, v);
}

/* v, of session s ending with code, is its own now, in the server's
 * ended list: its desk is owed what it was not sent (a terminal's kept
 * output, an X channel's XOUTPUT) and the status, until its wait ends;
 * what it kept for the session (an X desk's keymap) goes. The session's
 * name is free: a RESUME finds it by that name and its token. */
static void to_ended(struct server *srv, struct chan *v, struct session *s, int code)
{
	free(v->xkm);
	v->xkm = NULL;
	v->xkm_len = 0;
	v->s = NULL;
	v->ended_x11 = x11_session(s) != NULL;
	v->ended_code = code;
	v->ended_pinged = false;
	snprintf(v->ended_name, sizeof v->ended_name, "%s", s->name);
	v->snext = srv->ended_chans;
	srv->ended_chans = v;
}

bool chan_orphan(struct server *srv, struct chan *v)
{
	if (!v->resumable || srv->stopping || srv->norphans >= MAX_ORPHANS)
		return false;
	serve_log("connection %u: lost; its channel on %s waits %ld s for its desk", v->conn->id,
		  v->s->name, RESUME_GRACE_MS / 1000);
	v->orphan_until = base_now_ms() + RESUME_GRACE_MS;
	srv->norphans++;
	unview(v, &v->s->orphans);
	v->conn = NULL;
	return true;
}

/* v's number on its connection, free for another channel (hold) or not:
 * that of a channel whose session ended stays its own until its desk has
 * the EXIT, so that another session opened on that connection meanwhile
 * gets none of the frames the desk sent on it before it knew. */
static void ended_hold(struct chan *v, bool hold)
{
	uint32_t bit = 1u << (v->id - 1);

	if (hold)
		v->conn->held |= bit;
	else
		v->conn->held &= ~bit;
}

static void orphan_free(struct server *srv, struct chan *v)
{
	if (v->conn && !v->s)
		ended_hold(v, false);
	rp_outkeep_finish(&v->kept);
	rp_inlog_finish(&v->xout_log);
	free(v->xkm);
	free(v);
	srv->norphans--;
}

void orphans_show(struct session *s, const void *buf, size_t n)
{
	for (struct chan *v = s->orphans; v; v = v->snext)
		rp_outkeep_add(&v->kept, buf, n);
}

/* Those of list whose wait is over are freed; the least of wait and
 * the time to the next one's end. */
static long expire(struct server *srv, struct chan **list, long now, long wait)
{
	for (struct chan **pp = list; *pp;) {
		struct chan *v = *pp;
		if (now >= v->orphan_until) {
			serve_log("session %s%s: a channel's desk did not come back within %ld s",
				  v->s ? v->s->name : v->ended_name, v->s ? "" : " (ended)",
				  RESUME_GRACE_MS / 1000);
			*pp = v->snext;
			orphan_free(srv, v);
			continue;
		}
		if (wait < 0 || v->orphan_until - now < wait)
			wait = v->orphan_until - now;
		pp = &v->snext;
	}
	return wait;
}

long orphans_tick(struct session *s, long now)
{
	return expire(s->srv, &s->orphans, now, -1);
}

void orphans_end(struct server *srv, struct session *s, int code)
{
	while (s->orphans) {
		struct chan *v = s->orphans;
		s->orphans = v->snext;
		if (srv->stopping) {
			orphan_free(srv, v);
			continue;
		}
		serve_log("session %s: its channel waiting for its desk keeps the session's last "
			  "output and its status for it, %ld s more at most", s->name,
			  (v->orphan_until - base_now_ms()) / 1000);
		to_ended(srv, v, s, code);
	}
}

bool chan_keep_ended(struct server *srv, struct chan *v, int code)
{
	if (!v->resumable || srv->stopping || srv->norphans >= MAX_ORPHANS)
		return false;
	unview(v, NULL);
	ended_hold(v, true);
	v->ended_mark = rp_conn_mark(v->conn->rc); /* (its EXIT queued: chan_exit) */
	v->orphan_until = base_now_ms() + RESUME_GRACE_MS;
	srv->norphans++;
	to_ended(srv, v, v->s, code);
	return true;
}

void ended_conn_gone(struct server *srv, struct conn *c, bool taken)
{
	for (struct chan *v = srv->ended_chans, *next; v; v = next) {
		next = v->snext;
		if (v->conn != c)
			continue;
		/* Its desk closed having been written all up to the EXIT: what
		 * was queued after (a heartbeat's PING in the same turn of the
		 * loop as the end of the stream) is not its. */
		bool took = taken && rp_conn_went(c->rc, v->ended_mark);
		v->conn = NULL;
		if (took || v->ended_resumed) {
			unlink_chan(&srv->ended_chans, v);
			orphan_free(srv, v);
		} else {
			serve_log("connection %u: lost; its channel on %s, which ended, waits %ld s for "
				  "its desk with the last output and the status", c->id, v->ended_name,
				  (v->orphan_until - base_now_ms()) / 1000);
		}
	}
}

/* A PING went on c (pinged), or its PONG came: the channels whose EXIT
 * went on c before that PING are let go, their desk has all. */
static void ended_ping(struct server *srv, struct conn *c, bool pinged)
{
	for (struct chan *v = srv->ended_chans, *next; v; v = next) {
		next = v->snext;
		if (v->conn != c)
			continue;
		if (pinged) {
			v->ended_pinged = true;
		} else if (v->ended_pinged) {
			unlink_chan(&srv->ended_chans, v);
			orphan_free(srv, v);
		}
	}
}

void ended_chans_free(struct server *srv)
{
	while (srv->ended_chans) {
		struct chan *v = srv->ended_chans;
		srv->ended_chans = v->snext;
		orphan_free(srv, v);
	}
}

/* One desk's link, at now: false when it was dropped. */
static bool link_check(struct server *srv, struct conn *c, long now, long *wait)
{
	size_t queued = rp_conn_queued(c->rc);
	uint8_t buf[RP_HDR_SIZE + 8];
	struct rp_enc e;
	long w;

	if (!c->link_on) {
		rp_link_init_host(&c->link, now);
		c->link_on = true;
		c->link_frames = c->frames;
		c->link_queued = queued;
	}
	/* Heard: a frame came, or the desk took some of what waits for it
	 * (its PONG may be behind that output), or the loop is holding its
	 * frames back itself (a program that does not read). */
	if (c->frames != c->link_frames || queued < c->link_queued || c->stalled)
		rp_link_heard(&c->link, now);
	c->link_frames = c->frames;
	c->link_queued = queued;
	switch (rp_link_tick(&c->link, now, 0)) {
	case RP_LINK_SEND_PING:
		rp_enc_begin(&e, buf, sizeof buf, RP_PING, 0, 0);
		rp_put_u64(&e, rp_link_ping_stamp(&c->link, base_now_ns() / 1000, now));
		conn_send(c, &e);
		for (int i = 0; i < MAX_CHANS; i++) /* (its PONG proves what went before) */
			if (c->chans[i] && c->chans[i]->xout)
				x11_output_ping(c->chans[i]);
		ended_ping(srv, c, true);
		break;
	case RP_LINK_DEAD:
		serve_log("connection %u: no answer from its desk for %ld ms: dropped, its channels "
			  "wait for it", c->id, now - c->link.heard_ms);
		rp_conn_lost(c->rc); /* (no orderly close: nobody answers) */
		conn_destroy(srv, c);
		return false;
	default:
		break;
	}
	w = rp_link_wait(&c->link, now);
	if (w >= 0 && w < *wait)
		*wait = w;
	return true;
}

long links_tick(struct server *srv, long now, long wait)
{
	struct conn *next;

	for (struct conn *c = srv->conns; c; c = next) {
		next = c->next;
		if (c->resume && c->hello && !c->closing_at)
			link_check(srv, c, now, &wait);
	}
	return expire(srv, &srv->ended_chans, now, wait);
}

int link_pong(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint64_t stamp;

	if (rp_u64_decode(p, h->len, &stamp) < 0) {
		conn_fatal(srv, c, RP_E_PROTO, "malformed PONG frame (%u bytes of payload)", h->len);
		return FRAME_DONE;
	}
	if (c->link_on && rp_link_pong(&c->link, stamp, base_now_ns() / 1000, base_now_ms()) > 0) {
		for (int i = 0; i < MAX_CHANS; i++) /* the desk has what went before the PING */
			if (c->chans[i] && c->chans[i]->xout)
				x11_output_pong(c->chans[i]);
		ended_ping(srv, c, false);
	}
	return FRAME_DONE;
}

int link_ping(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint8_t buf[RP_HDR_SIZE + 8];
	struct rp_enc e;
	uint64_t stamp;

	if (rp_u64_decode(p, h->len, &stamp) < 0) {
		conn_fatal(srv, c, RP_E_PROTO, "malformed PING frame (%u bytes of payload)", h->len);
		return FRAME_DONE;
	}
	rp_enc_begin(&e, buf, sizeof buf, RP_PONG, 0, 0);
	rp_put_u64(&e, stamp);
	conn_send(c, &e);
	return FRAME_DONE;
}

/* Tokens compared in time that does not depend on where they differ. */
static bool token_eq(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < RP_TOKEN_BYTES; i++)
		d |= a[i] ^ b[i];
	return d == 0;
}

static struct chan *find(struct chan *list, const uint8_t *token)
{
	for (struct chan *v = list; v; v = v->snext)
		if (v->resumable && token_eq(v->token, token))
			return v;
	return NULL;
}

/* The channel of token on session name: of the session of that name (a
 * viewer whose connection has not noticed it is lost, or an orphan), or
 * one whose session ended while it waited (the name may be another
 * session's by now). */
static struct chan *find_named(struct server *srv, struct session *s, const struct rp_str *name,
			       const uint8_t *token)
{
	struct chan *v = s ? find(s->orphans, token) : NULL;

	if (!v && s)
		v = find(s->viewers, token);
	for (struct chan *e = srv->ended_chans; e && !v; e = e->snext)
		if (strlen(e->ended_name) == name->n && !memcmp(e->ended_name, name->p, name->n) &&
		    e->resumable && token_eq(e->token, token))
			v = e;
	return v;
}

/* The output the desk missed, as OUTPUT frames (not kept again). */
static void resend(struct chan *v, const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = n > RP_MAX_OUTPUT ? RP_MAX_OUTPUT : n;
		struct rp_buf *b = rp_buf_create(k), *z;
		uint8_t hdr[RP_HDR_SIZE + 4];
		if (!b)
			return;
		memcpy(b->data, p, k);
		z = v->conn->lz4 ? lz4_body(b) : NULL;
		rp_output_hdr_encode(hdr, z != NULL, v->id, v->written_seq, (z ? z : b)->len);
		rp_conn_push(v->conn->rc, hdr, sizeof hdr, z ? z : b, false);
		rp_buf_unref(z);
		rp_buf_unref(b);
		p += k;
		n -= k;
	}
}

static void send_resumed(struct chan *v, uint32_t req, uint32_t after, uint64_t offset)
{
	uint8_t buf[64];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_RESUMED, 0, v->id);
	rp_put_u32(&e, req);
	rp_put_u32(&e, v->taken.seq);
	rp_put_u32(&e, after);
	rp_put_u64(&e, offset);
	conn_send(v->conn, &e);
}

/* A RESUME of a channel whose session ended while it waited, on slot of
 * c: RESUMED, what its desk was not sent (a terminal's output from its
 * offset, or from the oldest byte kept, the bytes lost said before it;
 * an X channel's XOUTPUT from its count), then EXIT with the session's
 * status, as its desk would have had them on a link that held; then it
 * holds that number, as a viewer whose EXIT just went (chan_keep_ended),
 * until its desk has them or c ends. Input sent behind the RESUME is
 * dropped: it was typed for a program that is gone. */
static void resume_ended(struct conn *c, struct chan *v, const struct rp_resume *m, int slot)
{
	uint64_t from = m->offset;

	if (v->conn) /* (an old connection not known to be lost yet) */
		ended_hold(v, false);
	c->ahead.took = false;
	v->conn = c;
	v->id = (uint16_t)(slot + 1);
	ended_hold(v, true);
	v->ended_pinged = false;
	v->ended_resumed = true;
	v->snapshot_due = false;
	if (v->ended_x11) {
		send_resumed(v, m->req, 0, m->offset);
		if (v->xout)
			x11_output_last(v, m->offset);
	} else {
		const uint8_t *p1, *p2;
		size_t n1, n2;
		if (rp_outkeep_since(&v->kept, from, &p1, &n1, &p2, &n2) < 0) {
			from = v->kept.end - v->kept.len;
			rp_outkeep_since(&v->kept, from, &p1, &n1, &p2, &n2);
		}
		send_resumed(v, m->req, v->taken.after, from);
		if (from != m->offset)
			chan_notice(v, "%s ended; %llu bytes of its output before the last %zu were "
				       "lost with the link", v->ended_name,
				    (unsigned long long)(from - m->offset), n1 + n2);
		resend(v, p1, n1);
		resend(v, p2, n2);
	}
	chan_exit(v, v->ended_code);
	serve_log("connection %u: resumed its channel on %s, which ended meanwhile: its last output "
		  "and status %d sent", c->id, v->ended_name, v->ended_code);
}

/* The run behind a RESUME ahead is over: said in the log, so what a
 * desk sent ahead of the host's answer can be seen. */
static void ahead_over(struct conn *c)
{
	if (c->ahead.chan && c->ahead.took)
		serve_log("connection %u: %u frames came behind the RESUME of channel %u, %u of "
			  "them taken before", c->id, c->ahead.came, c->ahead.chan, c->ahead.dropped);
	c->ahead.chan = 0;
}

int link_resume(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_resume m;
	struct session *s;
	struct chan *v;
	char msg[200];
	int slot;

	if (rp_resume_decode(p, h->len, &m) < 0) {
		conn_fatal(srv, c, RP_E_PROTO, "malformed RESUME frame (%u bytes of payload)", h->len);
		return FRAME_DONE;
	}
	ahead_over(c);
	if (m.ahead) {
		/* The frames behind it are on that number: it must be free. */
		if (m.ahead > MAX_CHANS || c->chans[m.ahead - 1] ||
		    (c->held & (1u << (m.ahead - 1)))) { /* an OPEN's, answered later */
			conn_fatal(srv, c, RP_E_PROTO, "RESUME ahead on channel %u, %s", m.ahead,
				   m.ahead > MAX_CHANS ? "past the last one" : "which is in use");
			return FRAME_DONE;
		}
		c->ahead.chan = m.ahead;
		c->ahead.took = false;
		c->ahead.came = c->ahead.dropped = 0;
		c->ahead.at = (struct rp_inpos){m.first_seq, m.first_after - 1};
	}
	if (!c->resume) {
		rp_conn_error(c->rc, 0, RP_E_PROTO, m.req, false, "RESUME needs HELLO cap RESUME");
		return FRAME_DONE;
	}
	s = session_find(srv, m.name.p, m.name.n);
	if (!(v = find_named(srv, s, &m.name, m.token))) {
		if (!s)
			snprintf(msg, sizeof msg, "no session %.*s: it ended", (int)m.name.n, m.name.p);
		else
			snprintf(msg, sizeof msg,
				 "no channel to resume on %s (detached, or waited over %ld s)", s->name,
				 RESUME_GRACE_MS / 1000);
		rp_conn_error(c->rc, 0, RP_E_NOENT, m.req, false, msg);
		return FRAME_DONE;
	}
	/* The desk cannot have got more than was sent, nor sent less than
	 * was taken. */
	bool x = v->s ? x11_session(v->s) != NULL : v->ended_x11;
	uint64_t sent = x ? v->xout_off[0] + v->xout_off[1] : v->kept.end;
	if (m.offset > sent || (int32_t)(m.seq - v->taken.seq) < 0) {
		rp_conn_error(c->rc, 0, RP_E_PROTO, m.req, false,
			      "RESUME names more output or less input than there was");
		return FRAME_DONE;
	}
	slot = m.ahead ? m.ahead - 1 : conn_slot_free(c);
	if (slot < 0) {
		snprintf(msg, sizeof msg, "too many channels on one connection (at most %d)",
			 MAX_CHANS);
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m.req, false, msg);
		return FRAME_DONE;
	}
	if (!v->s) {
		resume_ended(c, v, &m, slot);
		return FRAME_DONE;
	}
	if (v->conn) {
		/* Its old connection has not noticed that it is gone. */
		serve_log("connection %u: its channel on %s resumed elsewhere", v->conn->id,
			  s->name);
		unview(v, NULL);
		v->conn = NULL;
	} else {
		unlink_chan(&s->orphans, v);
		srv->norphans--;
	}
	c->ahead.took = m.ahead != 0;
	v->conn = c;
	v->id = (uint16_t)(slot + 1);
	c->chans[slot] = v;
	v->snext = s->viewers;
	s->viewers = v;
	s->nviewers++;
	v->snapshot_due = false;
	v->timing_seq = 0;
	v->told_watching = false;

	const uint8_t *p1, *p2;
	size_t n1, n2;
	bool exact = rp_outkeep_since(&v->kept, m.offset, &p1, &n1, &p2, &n2) == 0;
	if (x) {
		/* An X display's channel: its input resumes exactly (taken.seq
		 * is the last XKEY or XPOINTER handled), its pictures do not:
		 * every window and a keyframe of each, as on attaching; its
		 * program's output (XOUTPUT) goes again from the desk's count. */
		send_resumed(v, m.req, 0, m.offset);
		if (v->xout)
			x11_output_resume(v, m.offset);
		chan_snapshot(v);
		serve_log("connection %u: resumed its channel on X session %s (input from seq %u)",
			  c->id, s->name, v->taken.seq + 1);
		session_attached(s, v);
		return FRAME_DONE;
	}
	send_resumed(v, m.req, v->taken.after, exact ? m.offset : v->kept.end);
	/* What the desk sends again may be raw keys for a program that reads
	 * lines now: the TERMIOS that follows is a switch for it. */
	v->canon_told = false;
	v->remark = true;
	if (exact) {
		chan_termios(v);
		resend(v, p1, n1);
		resend(v, p2, n2);
	} else {
		chan_snapshot(v);
	}
	serve_log("connection %u: resumed its channel on %s (%s, %llu bytes of output again)",
		  c->id, s->name, exact ? "exact" : "redrawn",
		  exact ? (unsigned long long)(n1 + n2) : 0ULL);
	session_attached(s, v);
	return FRAME_DONE;
}

bool link_ahead(struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_inpos pos;
	struct rp_data d;

	struct rp_xkey k;
	struct rp_xpointer m;
	bool x = h->type == RP_XKEY || h->type == RP_XPOINTER || h->type == RP_XKEYMAP;

	if (!c->ahead.chan)
		return false;
	if (h->chan != c->ahead.chan || (h->type != RP_INPUT && h->type != RP_ECHO &&
					 h->type != RP_SIGNAL && h->type != RP_TERMIOS_SEEN && !x)) {
		ahead_over(c);
		return false;
	}
	struct chan *v = c->ahead.took ? c->chans[h->chan - 1] : NULL;
	/* An X channel's keymap (RP_CAP_XAHEAD) is not input: handled as it
	 * comes, for the keys behind it, unless the RESUME was refused. */
	if (h->type == RP_XKEYMAP)
		return !v;
	/* Its place as the desk counted it: an INPUT's, XKEY's or XPOINTER's
	 * seq, the others one after the frame before (an input the session
	 * could not take yet comes here again: its place is its own). */
	if (h->type == RP_INPUT) {
		if (rp_data_decode(p, h->len, &d) < 0)
			return false; /* malformed: said as any */
		pos = (struct rp_inpos){d.seq, 0};
	} else if (h->type == RP_XKEY) {
		if (rp_xkey_decode(p, h->len, &k) < 0)
			return false;
		pos = (struct rp_inpos){k.seq, 0};
	} else if (h->type == RP_XPOINTER) {
		if (rp_xpointer_decode(p, h->len, &m) < 0)
			return false;
		pos = (struct rp_inpos){m.seq, 0};
	} else {
		pos = (struct rp_inpos){c->ahead.at.seq, c->ahead.at.after + 1};
	}
	c->ahead.at = pos;
	if (!v)
		return true;
	c->ahead.came++;
	if (rp_inpos_before(v->taken, pos))
		return false;
	c->ahead.dropped++;
	return true;
}
