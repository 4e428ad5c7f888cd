/* One handler a message, and a short switch that picks it, in the manner
 * of tmux's server_client_dispatch. Each handler decodes its payload
 * (malformed: the connection is told why and closed), finds its channel
 * and session, and answers. Handlers return FRAME_DONE, or FRAME_STALL
 * when the session cannot take the frame yet (it is offered again).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "serve.h"
#include "xwin.h"

static int malformed(struct server *srv, struct conn *c, const struct rp_hdr *h)
{
	conn_fatal(srv, c, RP_E_PROTO, "malformed %s frame (%u bytes of payload)",
		   rp_type_name(h->type), h->len);
	return FRAME_DONE;
}

void dispatch_reply_ok(struct conn *c, uint16_t chan, uint32_t req, const char *name)
{
	uint8_t buf[128];
	struct rp_enc e;

	rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, chan);
	rp_put_u32(&e, req);
	rp_put_str(&e, name, strlen(name));
	conn_send(c, &e);
}

/* The channel a frame is for; NULL (the peer told) if none is attached
 * there, or, for write, if it is read-only. */
static struct chan *frame_chan(struct conn *c, const struct rp_hdr *h, bool write)
{
	struct chan *v = h->chan >= 1 && h->chan <= MAX_CHANS ? c->chans[h->chan - 1] : NULL;
	char msg[80];

	if (!v) {
		/* Not fatal: the session may have ended while this was on its
		 * way. Not said on a number still held by a channel whose
		 * session ended (until its desk has the EXIT: link.c): the
		 * desk sent it before it knew, and an answer it leaves unread
		 * would reset its connection, which then does not count as
		 * its clean close. */
		if (h->chan >= 1 && h->chan <= MAX_CHANS && (c->held & (1u << (h->chan - 1))))
			return NULL;
		snprintf(msg, sizeof msg, "%s on channel %u, which is not attached",
			 rp_type_name(h->type), h->chan);
		rp_conn_error(c->rc, h->chan, RP_E_CHANNEL, 0, false, msg);
		return NULL;
	}
	if (write && v->readonly) {
		rp_conn_error(c->rc, h->chan, RP_E_READONLY, 0, false,
			      "this viewer is read-only: input ignored");
		return NULL;
	}
	return v;
}

/* `telly serve --stdio` passes its stdin and stdout (ssh's pipes) with a
 * HANDOFF frame, so the desk's bytes skip a copy through that process. It
 * must come first and alone, with exactly two descriptors. */
static int on_handoff(struct server *srv, struct conn *c, const struct rp_hdr *h,
		      const uint8_t *p)
{
	struct rp_transport *pipes;
	int fds[2], n = rp_conn_take_fds(c->rc, fds);
	uint8_t ack[RP_HDR_SIZE + 1];

	(void)p;
	if (n != 2 || c->hello || c->relay || h->len || rp_conn_rx_partial(c->rc)) {
		for (int i = 0; i < n; i++)
			close(fds[i]);
		conn_fatal(srv, c, RP_E_PROTO,
			   "HANDOFF must come first and alone, with 2 descriptors (got %d)", n);
		return FRAME_DONE;
	}
	for (int i = 0; i < 2; i++) {
		struct stat st;
		/* ssh's pipes or a socket: epoll watches them, and making them
		 * non-blocking touches nobody else. A file cannot be watched; a
		 * terminal (serve --stdio typed by hand) would be left
		 * non-blocking under its shell. serve --stdio relays those. */
		if (fstat(fds[i], &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
			close(fds[0]);
			close(fds[1]);
			conn_fatal(srv, c, RP_E_PROTO,
				   "HANDOFF: its %s is not a pipe or a socket: relayed instead",
				   i ? "stdout" : "stdin");
			return FRAME_DONE;
		}
	}
	pipes = rp_transport_fds(fds[0], fds[1]);
	if (!pipes) {
		close(fds[0]);
		close(fds[1]);
		conn_fatal(srv, c, RP_E_LIMIT, "cannot take the handed-over descriptors: %s",
			   strerror(errno));
		return FRAME_DONE;
	}
	/* The answer goes on the socket, which has nothing else queued. */
	rp_hdr_encode(ack, RP_HANDOFF, 0, 0, 1);
	ack[RP_HDR_SIZE] = HANDOFF_MARKS_END;
	if (rp_conn_send_now(c->rc, ack, sizeof ack) != sizeof ack) {
		rp_transport_destroy(pipes);
		conn_fatal(srv, c, RP_E_PROTO, "HANDOFF: cannot answer");
		return FRAME_DONE;
	}
	c->relay = rp_conn_swap_transport(c->rc, pipes);
	conn_register(srv, c);
	serve_log("connection %u: speaks on the stdin/stdout of telly serve --stdio", c->id);
	return FRAME_DONE;
}

static int on_hello(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_hello hello;
	char peer[sizeof c->who];
	uint8_t buf[RP_HDR_SIZE + 32 + RP_HOST_NAME_MAX];
	long n;

	if (c->hello || rp_hello_decode(p, h->len, &hello) < 0)
		return malformed(srv, c, h);
	if (hello.version != RP_VERSION) {
		conn_fatal(srv, c, RP_E_VERSION, "protocol version %u not supported (this is %u)",
			   hello.version, RP_VERSION);
		return FRAME_DONE;
	}
	if (c->need_token && !conn_token_ok(srv, c, &hello.token))
		return FRAME_DONE;
	c->hello = true;
	conn_logged_in(srv, c);
	c->timing = hello.caps & RP_CAP_TIMING;
	c->lz4 = hello.caps & RP_CAP_LZ4;
	c->xlossy = hello.caps & RP_CAP_XLOSSY;
	c->xpalette = hello.caps & RP_CAP_XPALETTE;
	c->xbound = hello.caps & RP_CAP_XBOUND;
	c->xshape = hello.caps & RP_CAP_XSHAPE;
	c->xoutput = hello.caps & RP_CAP_XOUTPUT;
	c->xclipage = hello.caps & RP_CAP_XCLIPAGE;
	c->xlasts = hello.caps & RP_CAP_XLASTS;
	c->xmoveresize = hello.caps & RP_CAP_XMOVERESIZE;
	c->resume = hello.caps & RP_CAP_RESUME;
	c->ended = hello.caps & RP_CAP_ENDED;
	c->x11 = hello.caps & RP_CAP_X11;
	c->context = hello.caps & RP_CAP_CONTEXT;
	c->retype = hello.caps & RP_CAP_RETYPE;
	snprintf(peer, sizeof peer, "%s", c->who);
	snprintf(c->who, sizeof c->who, "%.*s (%s)", hello.name.n > 120 ? 120 : (int)hello.name.n,
		 hello.name.p, peer);
	for (char *q = c->who; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == '"' || *q == 0x7f)
			*q = '?'; /* one audit line, quotes balanced */
	snprintf(c->name, sizeof c->name, "%.*s", (int)strcspn(c->who, " "), c->who);
	srv->served = true; /* only a peer that got in counts for the lifetime */
	/* Its name too: the desk's windows of its X programs say where
	 * they run (WM_CLIENT_MACHINE), as ssh -X's do. */
	char me[sizeof RP_HELLO_HOST_PREFIX + RP_HOST_NAME_MAX + 1] = RP_HELLO_HOST_PREFIX;
	if (gethostname(me + sizeof RP_HELLO_HOST_PREFIX - 1, RP_HOST_NAME_MAX + 1) < 0)
		snprintf(me, sizeof me, "telly serve");
	me[sizeof me - 1] = 0;
	n = rp_hello_frame(buf, sizeof buf,
			   RP_CAP_LINEMODE | RP_CAP_RESUME | RP_CAP_RETYPE | RP_CAP_AHEAD |
				   RP_CAP_STARTED | RP_CAP_XAHEAD | RP_CAP_XKEPT | RP_CAP_XBOUND |
				   RP_CAP_XOUTPUT | RP_CAP_XCLIPAGE | RP_CAP_OPENMORE |
				   RP_CAP_XLASTS | RP_CAP_XMOVERESIZE |
				   RP_CAP_XLOCKS,
			   "", me);
	if (n < 0 || rp_conn_send(c->rc, buf, (size_t)n) < 0)
		serve_log("connection %u: a reply did not fit; dropped", c->id);
	return FRAME_DONE;
}

static int on_list(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	_Static_assert(MAX_SESSIONS * (2 + RP_MAX_NAME + 2 + LIST_CMD_MAX + 10) + 16 <=
			       RP_MAX_PAYLOAD,
		       "a listing fits one frame");
	uint32_t req;
	uint8_t *buf;
	struct rp_enc e;

	if (rp_req_decode(p, h->len, &req) < 0)
		return malformed(srv, c, h);
	if (!(buf = malloc(RP_MAX_FRAME)))
		return FRAME_DONE;
	rp_enc_begin(&e, buf, RP_MAX_FRAME, RP_LIST_REPLY, 0, 0);
	rp_put_u32(&e, req);
	rp_put_u16(&e, (uint16_t)srv->nsessions);
	for (struct session *s = srv->sessions; s; s = s->next) {
		char cmd[LIST_CMD_MAX + 1];
		pid_t pid;
		session_describe(s, cmd, sizeof cmd, &pid);
		rp_put_str(&e, s->name, strlen(s->name));
		rp_put_str(&e, cmd, strlen(cmd));
		rp_put_u32(&e, (uint32_t)pid);
		rp_put_u16(&e, s->ws.ws_row);
		rp_put_u16(&e, s->ws.ws_col);
		rp_put_u16(&e, (uint16_t)s->nviewers);
	}
	/* Then the X sessions' displays and windows, as far as the frame
	 * holds them (a desk that does not know this part reads no further). */
	size_t nx_at = e.len;
	uint16_t nx = 0;
	rp_put_u16(&e, 0);
	for (struct session *s = srv->sessions; s && !e.over; s = s->next)
		nx += x11_list(s, &e, RP_MAX_FRAME, c->xbound);
	if (!e.over) {
		buf[nx_at] = (uint8_t)(nx >> 8);
		buf[nx_at + 1] = (uint8_t)nx;
	}
	conn_send(c, &e);
	free(buf);
	return FRAME_DONE;
}

static void open_ok(struct server *srv, struct conn *c, struct session *s, uint8_t flags,
		    const struct kpty_winsize *ws, uint32_t req);

/* A free channel slot of c, + 1; 0 (c told) if it has none. */
static int chan_slot(struct conn *c, uint32_t req)
{
	char err[80];
	int slot = conn_slot_free(c);

	if (slot >= 0)
		return slot + 1;
	snprintf(err, sizeof err, "too many channels on one connection (at most %d)", MAX_CHANS);
	rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, err);
	return 0;
}

static void do_open(struct server *srv, struct conn *c, const struct rp_open *m)
{
	char name[RP_MAX_NAME + 1], err[300];
	struct session *s;
	int code;

	if (m->name.n) {
		snprintf(name, sizeof name, "%.*s", (int)m->name.n, m->name.p);
	} else if (m->flags & RP_OPEN_CREATE) {
		session_pick_name(srv, name, sizeof name);
	} else {
		rp_conn_error(c->rc, 0, RP_E_NOENT, m->req, false, "no session name given");
		return;
	}
	s = session_find(srv, name, strlen(name));
	if (s && (m->flags & RP_OPEN_EXCL)) {
		snprintf(err, sizeof err, "session %s already exists", name);
		rp_conn_error(c->rc, 0, RP_E_EXIST, m->req, false, err);
		return;
	}
	if (!s && !(m->flags & RP_OPEN_CREATE)) {
		uint16_t code = session_no_such(srv, c, name, strlen(name), err, sizeof err);
		rp_conn_error(c->rc, 0, code, m->req, false, err);
		return;
	}
	if (srv->stopping) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m->req, false, "the server is stopping");
		return;
	}
	if (s && (m->flags & RP_OPEN_RUN)) { /* telly run: a program in an X session */
		if ((code = x11_run(s, m, c, err, sizeof err)) != 0)
			rp_conn_error(c->rc, 0, (uint16_t)code, m->req, false, err);
		return;
	}
	if (s && (m->flags & RP_OPEN_ATTACH) && (m->flags & RP_OPEN_SCREEN) &&
	    !(m->flags & RP_OPEN_READONLY) && x11_session(s) &&
	    (m->ws.ws_xpixel < RP_X_SCREEN_MIN || m->ws.ws_xpixel > RP_X_SCREEN_MAX ||
	     m->ws.ws_ypixel < RP_X_SCREEN_MIN || m->ws.ws_ypixel > RP_X_SCREEN_MAX)) {
		snprintf(err, sizeof err, "a desk screen of %ux%u pixels: each side must be %d to %d",
			 (unsigned)m->ws.ws_xpixel, (unsigned)m->ws.ws_ypixel, RP_X_SCREEN_MIN,
			 RP_X_SCREEN_MAX);
		rp_conn_error(c->rc, 0, RP_E_LIMIT, m->req, false, err);
		return;
	}
	/* A desk that does not draw X windows is never attached to an X
	 * session's channel, one it would make no more than one there is. */
	if ((m->flags & RP_OPEN_ATTACH) && !c->x11 &&
	    (s ? x11_session(s) != NULL : (m->flags & RP_OPEN_X11) != 0)) {
		snprintf(err, sizeof err, "session %s is an X display: telly view --x11 %s shows it",
			 name, name);
		rp_conn_error(c->rc, 0, RP_E_PROTO, m->req, false, err);
		return;
	}
	if ((m->flags & RP_OPEN_ATTACH) && !chan_slot(c, m->req))
		return;
	/* A new session: answered once its program's exec says (open_answer). */
	if (!s) {
		if ((code = (m->flags & RP_OPEN_X11 ? x11_create : program_create)(
			     srv, m, name, c, err, sizeof err)) != 0)
			rp_conn_error(c->rc, 0, (uint16_t)code, m->req, false, err);
		return;
	}
	open_ok(srv, c, s, m->flags, &m->ws, m->req);
}

/* OK to an OPEN of s, and what it asked done: attached. */
static void open_ok(struct server *srv, struct conn *c, struct session *s, uint8_t flags,
		    const struct kpty_winsize *ws, uint32_t req)
{
	struct chan *v;
	int slot;

	if (!(flags & RP_OPEN_ATTACH)) {
		dispatch_reply_ok(c, 0, req, s->name);
		return;
	}
	if (!(slot = chan_slot(c, req)))
		return;
	if (!(v = chan_attach(srv, c, s, slot - 1, (flags & RP_OPEN_READONLY) != 0))) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, "out of memory");
		return;
	}
	dispatch_reply_ok(c, v->id, req, s->name);
	chan_resumable(v);
	/* The newest writer's window decides the size, as tmux's "latest". */
	if (!v->readonly)
		session_set_winsize(s, ws);
	/* An X display takes the screen of the desk in use, first the
	 * newest that may write (xpra's way): what programs maximize or
	 * centre by fits it. */
	if (!v->readonly && (flags & RP_OPEN_SCREEN) && x11_session(s))
		x11_screen(s, v, ws->ws_xpixel, ws->ws_ypixel);
	chan_snapshot(v);
	serve_log("connection %u: attached to %s%s%s", c->id, s->name,
		  v->readonly ? " (read-only)" : "", c->lz4 ? " (lz4 output)" : "");
	session_attached(s, v);
}

void open_answer(struct server *srv, struct open_ask *a, struct session *s, const char *fail)
{
	open_answer_code(srv, a, s, RP_E_SPAWN, fail);
}

void open_answer_code(struct server *srv, struct open_ask *a, struct session *s, uint16_t code,
		      const char *fail)
{
	struct conn *c = a->conn ? conn_by_id(srv, a->conn) : NULL;

	open_ask_drop(srv, a); /* its slot free again: open_ok takes it */
	if (!c || c->closing_at)
		return; /* it went meanwhile: nobody to tell */
	if (fail || !s)
		rp_conn_error(c->rc, 0, code, a->req, false, fail ? fail : "its session ended");
	else
		open_ok(srv, c, s, a->flags, &a->ws, a->req);
}

void open_ask_drop(struct server *srv, struct open_ask *a)
{
	struct conn *c = a->conn ? conn_by_id(srv, a->conn) : NULL;

	if (c && a->slot)
		c->held &= ~(1u << (a->slot - 1));
	a->conn = 0;
	a->slot = 0;
}

static int on_open(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_open *open = malloc(sizeof *open);

	if (!open)
		return FRAME_DONE;
	if (rp_open_decode(p, h->len, open) < 0) {
		free(open);
		return malformed(srv, c, h);
	}
	do_open(srv, c, open);
	free(open);
	return FRAME_DONE;
}

static int on_kill(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint32_t req;
	struct rp_str name;
	struct session *s;
	char msg[360];

	if (rp_kill_decode(p, h->len, &req, &name) < 0)
		return malformed(srv, c, h);
	if (!(s = session_find(srv, name.p, name.n))) {
		uint16_t code = session_no_such(srv, c, name.p, name.n, msg, sizeof msg);
		rp_conn_error(c->rc, 0, code, req, false, msg);
		return FRAME_DONE;
	}
	if (session_kill(s, false, msg, sizeof msg) < 0) {
		rp_conn_error(c->rc, 0, RP_E_NOENT, req, false, msg);
		return FRAME_DONE;
	}
	dispatch_reply_ok(c, 0, req, s->name);
	return FRAME_DONE;
}

static int on_stop(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint32_t req;

	if (rp_req_decode(p, h->len, &req) < 0)
		return malformed(srv, c, h);
	serve_log("connection %u: stop", c->id);
	server_stop(srv);
	dispatch_reply_ok(c, 0, req, "");
	return FRAME_DONE;
}

static int on_input(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_data d;
	struct chan *v;

	if (rp_data_decode(p, h->len, &d) < 0)
		return malformed(srv, c, h);
	if (!(v = frame_chan(c, h, true)))
		return FRAME_DONE;
	if (session_input(v->s, v, &d) == FRAME_STALL)
		return FRAME_STALL;
	v->taken = (struct rp_inpos){d.seq, 0}; /* what a RESUME needs not send again */
	return FRAME_DONE;
}

static int on_echo(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct chan *v;

	(void)srv;
	if (!(v = frame_chan(c, h, true)))
		return FRAME_DONE;
	v->taken.after++;
	if (!h->len) /* nothing to show (and p may be NULL) */
		return FRAME_DONE;
	session_show(v->s, p, h->len, v, false);
	return FRAME_DONE;
}

static int on_signal(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint8_t sig;
	bool flush;
	struct chan *v;
	char err[120];

	if (rp_signal_decode(p, h->len, &sig, &flush) < 0)
		return malformed(srv, c, h);
	if (!(v = frame_chan(c, h, true)))
		return FRAME_DONE;
	v->taken.after++;
	if (session_signal(v->s, sig, flush, err, sizeof err) < 0)
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, err);
	return FRAME_DONE;
}

/* TERMIOS_SEEN: the desk has the TERMIOS of this mark, and what it sends
 * from now on was typed knowing it (RP_CAP_RETYPE). A mark the host never
 * sent is refused; an older one (sent again after a resume) changes
 * nothing. It counts in the host's place as ECHO does. */
static int on_termios_seen(struct server *srv, struct conn *c, const struct rp_hdr *h,
			   const uint8_t *p)
{
	uint32_t mark;
	struct chan *v;

	if (rp_termios_seen_decode(p, h->len, &mark) < 0)
		return malformed(srv, c, h);
	if (!(v = frame_chan(c, h, true)))
		return FRAME_DONE;
	v->taken.after++; /* kept in order with the desk's input, as ECHO is */
	if (!mark || (int32_t)(mark - v->termios_mark) > 0) {
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false,
			      "TERMIOS_SEEN of a TERMIOS not sent");
		return FRAME_DONE;
	}
	if ((int32_t)(mark - v->seen_mark) > 0)
		v->seen_mark = mark;
	return FRAME_DONE;
}

static int on_winsize(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct kpty_winsize ws;
	struct chan *v;

	if (rp_winsize_decode(p, h->len, &ws) < 0)
		return malformed(srv, c, h);
	if (!(v = frame_chan(c, h, false)))
		return FRAME_DONE;
	if (!v->readonly)
		session_set_winsize(v->s, &ws);
	return FRAME_DONE;
}

/* BREAK and TAKEOVER: for the kinds that have them (consoles). */
static int on_console_op(struct server *srv, struct conn *c, const struct rp_hdr *h,
			 const uint8_t *p)
{
	struct chan *v;
	int r;

	(void)p;
	if (h->len != 0)
		return malformed(srv, c, h);
	if (!(v = frame_chan(c, h, true)))
		return FRAME_DONE;
	r = h->type == RP_BREAK ? session_break(v->s, v) : session_takeover(v->s, v);
	if (r == -ENOTSUP)
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false,
			      "BREAK and TAKEOVER are for consoles");
	return FRAME_DONE;
}

static int on_detach(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct chan *v;

	(void)p;
	if (h->len != 0)
		return malformed(srv, c, h);
	if ((v = frame_chan(c, h, false)) != NULL) {
		serve_log("connection %u: detached from %s", c->id, v->s->name);
		chan_remove(srv, v);
	}
	return FRAME_DONE;
}

/* ---- an X session's channel: the desk's X messages (session_x11.c acts) ---- */

/* The channel of an X frame; NULL (the desk told) if there is none or its
 * session is not an X display. */
static struct chan *x_chan(struct conn *c, const struct rp_hdr *h, bool write)
{
	struct chan *v = frame_chan(c, h, write);
	char msg[120];

	if (v && !x11_session(v->s)) {
		snprintf(msg, sizeof msg, "%s is for X sessions; %s is not one", rp_type_name(h->type),
			 v->s->name);
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, msg);
		return NULL;
	}
	return v;
}

static int on_xkey(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_xkey k;
	struct chan *v;
	char err[120];
	int r;

	if (rp_xkey_decode(p, h->len, &k) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, true)) && (r = x11_key(v->s, v, &k, err, sizeof err)) < 0) {
		if (r == -EBUSY) /* a keymap loads and its hold is full: this desk waits */
			return FRAME_STALL;
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, err);
	}
	return FRAME_DONE;
}

static int on_xpointer(struct server *srv, struct conn *c, const struct rp_hdr *h,
		       const uint8_t *p)
{
	struct rp_xpointer m;
	struct chan *v;
	char err[120];
	int r;

	if (rp_xpointer_decode(p, h->len, &m) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, true)) && (r = x11_pointer(v->s, v, &m, err, sizeof err)) < 0) {
		if (r == -EBUSY) /* as XKEY's */
			return FRAME_STALL;
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, err);
	}
	return FRAME_DONE;
}

static int on_xconfigure(struct server *srv, struct conn *c, const struct rp_hdr *h,
			 const uint8_t *p)
{
	struct rp_xconfigure m;
	struct chan *v;

	if (rp_xconfigure_decode(p, h->len, &m) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, true)) && x11_configure(v->s, &m) == -EBUSY)
		return FRAME_STALL; /* the display does not read: offered again */
	return FRAME_DONE;
}

/* XCLOSE, XFOCUS: a window's id. */
static int on_xid(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint32_t id;
	struct chan *v;

	if (rp_xid_decode(p, h->len, &id) < 0)
		return malformed(srv, c, h);
	if (!(v = x_chan(c, h, true)))
		return FRAME_DONE;
	if ((h->type == RP_XCLOSE ? x11_close(v->s, id) : x11_focus(v->s, id)) == -EBUSY)
		return FRAME_STALL; /* as XCONFIGURE's */
	return FRAME_DONE;
}

static int on_xack(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint32_t id, frame;
	struct chan *v;

	if (rp_xack_decode(p, h->len, &id, &frame) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, false)))
		x11_ack(v->s, v, id, frame);
	return FRAME_DONE;
}

/* XSCREEN: the desk's screen changed while it views (a view window
 * resized, the desk display's RANDR): the display takes it, as OPEN's
 * SCREEN. Outside RP_X_SCREEN_MIN..MAX: ERROR LIMIT, nothing changed. */
static int on_xscreen(struct server *srv, struct conn *c, const struct rp_hdr *h,
		      const uint8_t *p)
{
	uint16_t w, hh;
	struct chan *v;
	char err[120];

	if (rp_xscreen_decode(p, h->len, &w, &hh) < 0)
		return malformed(srv, c, h);
	if (!(v = x_chan(c, h, true)))
		return FRAME_DONE;
	if (w < RP_X_SCREEN_MIN || w > RP_X_SCREEN_MAX || hh < RP_X_SCREEN_MIN ||
	    hh > RP_X_SCREEN_MAX) {
		snprintf(err, sizeof err, "XSCREEN of %ux%u pixels: each side must be %d to %d",
			 (unsigned)w, (unsigned)hh, RP_X_SCREEN_MIN, RP_X_SCREEN_MAX);
		rp_conn_error(c->rc, h->chan, RP_E_LIMIT, 0, false, err);
		return FRAME_DONE;
	}
	x11_screen(v->s, v, w, hh);
	return FRAME_DONE;
}

static int on_xkeymap(struct server *srv, struct conn *c, const struct rp_hdr *h,
		      const uint8_t *p)
{
	struct rp_xchunk m;
	struct chan *v;
	char err[160];

	if (rp_xchunk_decode(p, h->len, RP_XKEYMAP_MAX_BYTES, &m) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, true)) && x11_keymap(v->s, v, &m, err, sizeof err) < 0)
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, err);
	return FRAME_DONE;
}

static int on_xclip(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_xchunk m;
	struct chan *v;

	char err[160];

	if (rp_xchunk_decode(p, h->len, RP_XCLIP_MAX_BYTES, &m) < 0)
		return malformed(srv, c, h);
	if ((v = x_chan(c, h, true)) && x11_clip(v->s, v, &m, err, sizeof err) < 0)
		rp_conn_error(c->rc, h->chan, RP_E_PROTO, 0, false, err);
	return FRAME_DONE;
}

static int on_unknown(struct server *srv, struct conn *c, const struct rp_hdr *h,
		      const uint8_t *p)
{
	char msg[80];

	(void)srv;
	(void)p;
	snprintf(msg, sizeof msg, "unknown message type %u", h->type);
	rp_conn_error(c->rc, h->chan, RP_E_UNKNOWN, 0, false, msg);
	return FRAME_DONE;
}

int dispatch_frame(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	if (h->type == RP_HANDOFF)
		return on_handoff(srv, c, h, p);
	if (!c->hello && h->type != RP_HELLO) {
		conn_fatal(srv, c, RP_E_PROTO, "expected HELLO first, got %s (type %u)",
			   rp_type_name(h->type), h->type);
		return FRAME_DONE;
	}
	if (link_ahead(c, h, p))
		return FRAME_DONE; /* sent again behind a RESUME, taken before */
	switch (h->type) {
	case RP_HELLO:
		return on_hello(srv, c, h, p);
	case RP_LIST:
		return on_list(srv, c, h, p);
	case RP_OPEN:
		return on_open(srv, c, h, p);
	case RP_KILL:
		return on_kill(srv, c, h, p);
	case RP_STOP:
		return on_stop(srv, c, h, p);
	case RP_INPUT:
		return on_input(srv, c, h, p);
	case RP_ECHO:
		return on_echo(srv, c, h, p);
	case RP_SIGNAL:
		return on_signal(srv, c, h, p);
	case RP_WINSIZE:
		return on_winsize(srv, c, h, p);
	case RP_TERMIOS_SEEN:
		return on_termios_seen(srv, c, h, p);
	case RP_BREAK:
	case RP_TAKEOVER:
		return on_console_op(srv, c, h, p);
	case RP_DETACH:
		return on_detach(srv, c, h, p);
	case RP_PING:
		return link_ping(srv, c, h, p);
	case RP_PONG:
		return link_pong(srv, c, h, p);
	case RP_RESUME:
		return link_resume(srv, c, h, p);
	case RP_DIRECT:
		return on_direct(srv, c, h, p);
	case RP_XKEY:
		return on_xkey(srv, c, h, p);
	case RP_XPOINTER:
		return on_xpointer(srv, c, h, p);
	case RP_XCONFIGURE:
		return on_xconfigure(srv, c, h, p);
	case RP_XCLOSE:
	case RP_XFOCUS:
		return on_xid(srv, c, h, p);
	case RP_XACK:
		return on_xack(srv, c, h, p);
	case RP_XKEYMAP:
		return on_xkeymap(srv, c, h, p);
	case RP_XSCREEN:
		return on_xscreen(srv, c, h, p);
	case RP_XCLIP:
		return on_xclip(srv, c, h, p);
	case RP_ERROR:
		return FRAME_DONE; /* a client's complaint about us: nothing to answer */
	default:
		return on_unknown(srv, c, h, p);
	}
}
