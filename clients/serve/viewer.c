/* Viewers: a connection's channel on a session. Output read once becomes
 * one shared rp_buf queued to every viewer behind the viewer's own
 * header (its ack); a viewer whose queue passes its bound loses what it
 * had not started to receive and gets a fresh snapshot once its link
 * drains (the drop policy). TIMING for desks that ask, termios, notices.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "serve.h"

static void send_frame(struct conn *c, struct rp_enc *e)
{
	conn_send(c, e);
}

/* OUTPUT's bytes as OUTPUT_LZ4's body (u32 length, one lz4 block), made
 * once per read and shared by every viewer that takes it like the bytes
 * themselves; NULL where compressing does not pay, and for a few bytes
 * (a key's echo: not worth the time on the keystroke's path). */
struct rp_buf *lz4_body(const struct rp_buf *b)
{
	struct rp_buf *z = b->len >= LZ4_MIN_BYTES ? rp_buf_create(rp_lz4_bound(b->len)) : NULL;
	size_t n = z ? rp_lz4_pack(b->data, b->len, z->data) : 0;

	if (!n) {
		rp_buf_unref(z);
		return NULL;
	}
	z->len = (uint32_t)n;
	return z;
}

/* Queues b as OUTPUT, or z (lz4_body(b), if any) as OUTPUT_LZ4 for a desk
 * that takes it, behind this viewer's own header (its ack). */
static int push_output(struct chan *v, struct rp_buf *b, struct rp_buf *z, bool droppable)
{
	uint8_t h[RP_HDR_SIZE + 4];

	if (!v->conn->lz4)
		z = NULL;
	if (v->resumable) /* kept even if dropped: a redraw and SYNC follow */
		rp_outkeep_add(&v->kept, b->data, b->len);
	rp_output_hdr_encode(h, z != NULL, v->id, v->written_seq, (z ? z : b)->len);
	return rp_conn_push(v->conn->rc, h, sizeof h, z ? z : b, droppable);
}

void chan_termios(struct chan *v)
{
	const uint32_t canon = KPTY_EXTPROC | KPTY_ICANON;
	uint8_t buf[64];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, v->id);
	rp_put_termios(&e, &v->s->termios);
	if (v->conn->retype) {
		/* Raw keys the desk sent before it knew of a switch to
		 * canonical reach the program after it: written, they would
		 * be read as a line nobody echoed or edited. From here until
		 * the desk says it has this TERMIOS, its INPUT is let go and
		 * it types those keys again, canonically, itself. */
		bool now = (v->s->termios.c_lflag & canon) == canon;
		bool going = chan_letting_go(v);
		uint32_t mark = 0;
		if (!++v->termios_mark)
			v->termios_mark = 1;
		/* Keys let go under a mark the desk has not said it saw stay
		 * its to type again: each TERMIOS says that mark's seq, and
		 * after a resume (the marked TERMIOS may have been lost with
		 * the link) a new mark says so even where the program is raw
		 * again, else they were lost and every key after them let go. */
		if ((now && !v->canon_told) || (going && v->remark)) {
			mark = v->canon_mark = v->termios_mark;
			if (!going)
				v->canon_seq = v->taken.seq;
		}
		v->remark = false;
		v->canon_told = now;
		rp_put_u32(&e, going || mark ? v->canon_seq : v->taken.seq);
		rp_put_u32(&e, mark);
	}
	send_frame(v->conn, &e);
}

bool chan_letting_go(const struct chan *v)
{
	return v->conn->retype && v->canon_mark && (int32_t)(v->seen_mark - v->canon_mark) < 0;
}

/* The screen as it is, instead of the output the viewer missed. */
void chan_snapshot(struct chan *v)
{
	struct screen_bytes snap = {0};
	uint8_t buf[64];
	struct rp_enc e;

	v->snapshot_due = false;
	if (v->s->ops->snapshot) {
		v->s->ops->snapshot(v->s, v);
		return;
	}
	if (v->resumable) { /* the redraw's first byte's offset */
		rp_enc_begin(&e, buf, sizeof buf, RP_SYNC, 0, v->id);
		rp_put_u64(&e, v->kept.end);
		send_frame(v->conn, &e);
	}
	chan_termios(v);
	rp_enc_begin(&e, buf, sizeof buf, RP_SNAPSHOT, 0, v->id);
	rp_put_u16(&e, v->s->ws.ws_row);
	rp_put_u16(&e, v->s->ws.ws_col);
	send_frame(v->conn, &e);
	if (!session_snapshot(v->s, &snap))
		return; /* out of memory: no replay */
	for (size_t off = 0; off < snap.len && !snap.err;) {
		size_t n = snap.len - off;
		if (n > RP_MAX_OUTPUT)
			n = RP_MAX_OUTPUT;
		struct rp_buf *b = rp_buf_create(n), *z;
		if (!b)
			break;
		memcpy(b->data, snap.p + off, n);
		z = v->conn->lz4 ? lz4_body(b) : NULL;
		push_output(v, b, z, false);
		rp_buf_unref(z);
		rp_buf_unref(b);
		off += n;
	}
	screen_bytes_finish(&snap);
}

void chan_output(struct chan *v, struct rp_buf *b, struct rp_buf *z)
{
	if (v->snapshot_due || v->conn->closing_at)
		return;
	if (push_output(v, b, z, true) == 0) {
		if (v->timing_seq && v->t_written && v->written_seq == v->timing_seq) {
			/* This output is the first that answers the key. */
			struct rp_timing t = {v->timing_seq, v->t_input, v->t_written, v->s->t_read,
					      base_now_ns()};
			uint8_t buf[64];
			struct rp_enc e;
			rp_enc_begin(&e, buf, sizeof buf, RP_TIMING, 0, v->id);
			rp_put_timing(&e, &t);
			send_frame(v->conn, &e);
			v->timing_seq = 0;
		}
		return;
	}
	/* Fallen behind: what it has not started to receive is dropped for
	 * every channel of the connection, and each gets a snapshot once the
	 * link has drained. */
	rp_conn_drop_queued(v->conn->rc);
	for (int i = 0; i < MAX_CHANS; i++)
		if (v->conn->chans[i])
			v->conn->chans[i]->snapshot_due = true;
	v->conn->snapshots_due = true;
}

void chan_notice(struct chan *v, const char *fmt, ...)
{
	char msg[300];
	uint8_t buf[400];
	struct rp_enc e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	rp_enc_begin(&e, buf, sizeof buf, RP_NOTICE, 0, v->id);
	rp_put_str(&e, msg, strlen(msg));
	send_frame(v->conn, &e);
}

void chan_exit(struct chan *v, int code)
{
	uint8_t buf[32];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_EXIT, 0, v->id);
	rp_put_u32(&e, (uint32_t)code);
	send_frame(v->conn, &e);
}

struct chan *chan_attach(struct server *srv, struct conn *c, struct session *s, int slot,
			 bool readonly)
{
	struct chan *v = calloc(1, sizeof *v);

	if (!v)
		return NULL;
	v->conn = c;
	v->s = s;
	v->id = (uint16_t)(slot + 1);
	v->readonly = readonly;
	v->serial = ++srv->next_serial;
	rp_outkeep_init(&v->kept, RP_KEEP_OUTPUT_BYTES);
	c->chans[slot] = v;
	v->snext = s->viewers;
	s->viewers = v;
	s->nviewers++;
	return v;
}

void chan_remove(struct server *srv, struct chan *v)
{
	struct chan **pp;

	(void)srv;
	session_detached(v->s, v);
	for (pp = &v->s->viewers; *pp; pp = &(*pp)->snext) {
		if (*pp == v) {
			*pp = v->snext;
			break;
		}
	}
	v->s->nviewers--;
	v->conn->chans[v->id - 1] = NULL;
	rp_outkeep_finish(&v->kept);
	rp_inlog_finish(&v->xout_log);
	free(v->xkm);
	free(v);
}
