/* Connections: accepted sockets with the protocol on them (rp_conn),
 * HELLO's deadline and a frame's, the token for TCP, and what strangers
 * (TCP peers not logged in) may cost: counted per address, backed off
 * after wrong tokens, their refusals summed up in the log. A peer that
 * sends a malformed frame is told why and disconnected; the daemon and
 * everyone else go on.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base.h"
#include "serve.h"

static void conn_unpend(struct server *srv, struct conn *c);

void conn_send(struct conn *c, struct rp_enc *e)
{
	long n = rp_enc_end(e);

	if (n < 0 || rp_conn_send(c->rc, e->buf, (size_t)n) < 0)
		serve_log("connection %u: a reply did not fit; dropped", c->id);
}

void conn_fatal(struct server *srv, struct conn *c, uint16_t code, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (c->closing_at)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (c->src) /* a stranger's: summed up, not a line each */
		stranger(srv, c->src,
			 code == RP_E_AUTH    ? REFUSED_WRONG
			 : code == RP_E_LIMIT ? REFUSED_BACKOFF
					      : REFUSED_OTHER,
			 msg);
	else
		serve_log("connection %u: closed: %s", c->id, msg);
	rp_conn_error(c->rc, 0, code, 0, true, msg);
	c->closing_at = base_now_ms() + CLOSE_GRACE_MS;
	conn_unpend(srv, c); /* on its way out: it waits to log in no more */
}

/* ---- strangers ---- */

/* The remembered address addr (a free slot, or the one used least
 * recently with no connection waiting to log in, if it is new). */
static struct source *source_get(struct server *srv, const char *addr, long now)
{
	struct source *old = NULL;

	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *src = &srv->src[i];
		if (!strcmp(src->addr, addr)) {
			src->used_at = now;
			return src;
		}
		if (!src->pending && (!old || (old->addr[0] && (!src->addr[0] || src->used_at < old->used_at))))
			old = src;
	}
	/* One is free of pending connections: at most MAX_TCP_PENDING are. */
	srv->forgotten += old->wrong + old->backoff + old->over + old->other;
	*old = (struct source){.used_at = now};
	snprintf(old->addr, sizeof old->addr, "%s", addr);
	return old;
}

/* Refusals of the interval so far, one line an address (at most
 * STRANGER_LOG_LINES, the rest in one), and a new interval. */
void strangers_summed(struct server *srv, long now)
{
	unsigned long more = srv->forgotten, from = 0;

	for (int i = 0; i < MAX_SOURCES; i++) {
		struct source *src = &srv->src[i];
		unsigned n = src->wrong + src->backoff + src->over + src->other;
		if (n && srv->stranger_lines < STRANGER_LOG_LINES) {
			serve_log("tcp %s: refused %u time%s in the last %ld s: %u wrong token%s, %u "
				  "while backing off, %u over the connection limits, %u other (no "
				  "HELLO in time, malformed)",
				  src->addr, n, n == 1 ? "" : "s", (now - srv->stranger_at) / 1000,
				  src->wrong, src->wrong == 1 ? "" : "s", src->backoff, src->over,
				  src->other);
			srv->stranger_lines++;
		} else if (n) {
			more += n;
			from++;
		}
		src->wrong = src->backoff = src->over = src->other = 0;
		src->told = false;
	}
	if (more)
		serve_log("and %lu more refusals before login from %lu other address%s", more, from,
			  from == 1 ? "" : "es");
	srv->forgotten = srv->unsummed = 0;
	srv->stranger_lines = 0;
	srv->stranger_at = now;
}

/* A refusal before login: an address's first in an interval is a line of
 * the log (while the interval has lines left), the rest are counted and
 * summed up when it ends. A guesser's thousands of tries cost the log a
 * few lines a minute. */
void stranger(struct server *srv, struct source *src, enum refusal why, const char *what)
{
	long now = base_now_ms();

	if (now - srv->stranger_at >= STRANGER_LOG_MS)
		strangers_summed(srv, now);
	if (!src->told && srv->stranger_lines < STRANGER_LOG_LINES) {
		serve_log("tcp %s: %s (more from there are summed up every %d s)", src->addr, what,
			  STRANGER_LOG_MS / 1000);
		src->told = true;
		srv->stranger_lines++;
		return;
	}
	srv->unsummed++;
	switch (why) {
	case REFUSED_WRONG:
		src->wrong++;
		break;
	case REFUSED_BACKOFF:
		src->backoff++;
		break;
	case REFUSED_OVER:
		src->over++;
		break;
	case REFUSED_OTHER:
		src->other++;
		break;
	}
}

/* Logged in, or gone: it no longer counts as waiting. */
static void conn_unpend(struct server *srv, struct conn *c)
{
	if (!c->src)
		return;
	c->src->pending--;
	srv->ntcp_pending--;
	c->src = NULL;
}

void conn_logged_in(struct server *srv, struct conn *c)
{
	conn_unpend(srv, c);
	c->frame_by = 0;
}

/* The token, always compared, in time that does not depend on where it
 * differs, and a right one always gets in: the listener is loopback-only
 * by default, so every local user and the owner's ssh -L tunnel come
 * from the same address, and a guesser's backoff must not lock the owner
 * out. The backoff only costs the guesser: while its address backs off a
 * wrong token is refused as such (summed up in the log, and not counted
 * towards a longer wait). Guessing is held off by the token's 256 bits. */
bool conn_token_ok(struct server *srv, struct conn *c, const struct rp_str *token)
{
	struct source *src = c->src;
	long now = base_now_ms(), wait;
	size_t want = strlen(srv->token);
	unsigned diff = token->n != want;

	for (size_t i = 0; i < want; i++)
		diff |= (unsigned)(uint8_t)srv->token[i] ^ (i < token->n ? (uint8_t)token->p[i] : 0u);
	/* A right token leaves the address's backoff as it was: whoever
	 * guesses from the same address would start afresh at each of the
	 * owner's logins. It ends after a quiet spell instead. */
	if (diff == 0)
		return true;
	if (src && (wait = source_wrong(src, now))) {
		conn_fatal(srv, c, RP_E_LIMIT, "too many failed logins from %s: try again in %ld ms",
			   src->addr, wait);
		return false;
	}
	conn_fatal(srv, c, RP_E_AUTH, "missing or wrong token");
	return false;
}

long source_wrong(struct source *src, long now)
{
	if (now - src->wrong_at >= TOKEN_BACKOFF_MAX_MS)
		src->fails = 0;
	src->wrong_at = now;
	if (now < src->retry_at)
		return src->retry_at - now;
	if (++src->fails >= TOKEN_FREE_TRIES) {
		unsigned shift = src->fails - TOKEN_FREE_TRIES;
		long wait = (long)TOKEN_BACKOFF_MS << (shift < 16 ? shift : 16);
		src->retry_at = now + (wait < TOKEN_BACKOFF_MAX_MS ? wait : TOKEN_BACKOFF_MAX_MS);
	}
	return 0;
}

/* Room for a new connection not logged in yet: real clients send HELLO at
 * once, so the oldest of those waiting (from src, else from anywhere) is
 * the likeliest to be a squatter; it is closed, not the newcomer, so that
 * silent connections re-opened as fast as they time out cannot keep the
 * owner out. */
static void conn_evict_pending(struct server *srv, struct source *src)
{
	struct conn *old = NULL;
	char what[160];

	for (struct conn *c = srv->conns; c; c = c->next)
		if (c->src && !c->closing_at && (!src || c->src == src) && (!old || c->id < old->id))
			old = c;
	if (!old)
		return;
	snprintf(what, sizeof what,
		 "connection closed without HELLO: a newer one came (%u not logged in, %u of them "
		 "from there)",
		 srv->ntcp_pending, old->src->pending);
	stranger(srv, old->src, REFUSED_OVER, what);
	/* Gone now, not after a grace: a stream of newcomers must not fill
	 * the TCP budget with connections on their way out. */
	rp_conn_error(old->rc, 0, RP_E_LIMIT, 0, true, what);
	rp_conn_flush(old->rc);
	conn_destroy(srv, old);
}

/* ---- in the fd manager ---- */

static void on_conn(struct fdm *fdm, int fd, int events, void *data);

/* What it waits for: input unless it waits on us or is closing, POLLOUT
 * while something is queued. */
static void conn_sync_events(struct conn *c)
{
	struct fdm *fdm = c->srv->fdm;
	int rev = !c->stalled && !c->closing_at ? POLLIN : 0;
	int wev = rp_conn_wevents(c->rc);

	if (c->rfd == c->wfd) {
		fdm_event_del(fdm, c->rfd, (POLLIN | POLLOUT) & ~(rev | wev));
		fdm_event_add(fdm, c->rfd, rev | wev);
	} else {
		fdm_event_del(fdm, c->rfd, POLLIN & ~rev);
		fdm_event_add(fdm, c->rfd, rev);
		fdm_event_del(fdm, c->wfd, POLLOUT & ~wev);
		fdm_event_add(fdm, c->wfd, wev);
	}
}

static void conn_unregister(struct conn *c)
{
	fdm_del(c->srv->fdm, c->rfd);
	if (c->wfd != c->rfd)
		fdm_del(c->srv->fdm, c->wfd);
	c->rfd = c->wfd = -1;
}

void conn_register(struct server *srv, struct conn *c)
{
	int rfd, wfd;

	conn_unregister(c);
	rp_conn_fds(c->rc, &rfd, &wfd);
	/* Handed-over pipes read and write on two descriptors. */
	if (fdm_add(srv->fdm, rfd, POLLIN, on_conn, c) < 0 ||
	    (wfd != rfd && fdm_add(srv->fdm, wfd, 0, on_conn, c) < 0))
		serve_log("connection %u: cannot watch it: %s", c->id, strerror(errno));
	c->rfd = rfd;
	c->wfd = wfd;
	conn_sync_events(c);
}

static void conn_add_as(struct server *srv, int fd, bool tcp, bool direct,
			const struct sockaddr *a, socklen_t al);

void conn_add(struct server *srv, int fd, bool tcp, const struct sockaddr *a, socklen_t al)
{
	conn_add_as(srv, fd, tcp, false, a, al);
}

void conn_add_direct(struct server *srv, int fd, const struct sockaddr *a, socklen_t al)
{
	conn_add_as(srv, fd, true, true, a, al);
}

static void conn_add_as(struct server *srv, int fd, bool tcp, bool direct,
			const struct sockaddr *a, socklen_t al)
{
	struct rp_transport *t;
	struct conn *c;
	struct source *src = NULL;
	long now = base_now_ms();
	char host[64] = "?", port[16] = "?";

	if (tcp) {
		getnameinfo(a, al, host, sizeof host, port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
		src = source_get(srv, host, now);
		if (src->pending >= MAX_PENDING_PER_SOURCE)
			conn_evict_pending(srv, src);
		else if (srv->ntcp_pending >= MAX_TCP_PENDING)
			conn_evict_pending(srv, NULL);
		if (srv->ntcp >= MAX_TCP_CONNS) {
			char what[160];
			snprintf(what, sizeof what,
				 "connection refused: over the limit (%u over TCP, %u not logged in, "
				 "%u of them from there)",
				 srv->ntcp, srv->ntcp_pending, src->pending);
			stranger(srv, src, REFUSED_OVER, what);
			close(fd);
			return;
		}
	} else if (srv->nunix >= MAX_UNIX_CONNS) {
		/* The owner's own programs: a line a minute says it. */
		srv->unix_refused++;
		if (!srv->unix_told_at || now - srv->unix_told_at >= STRANGER_LOG_MS) {
			serve_log("refusing connections on the unix socket: %u already (%lu refused)",
				  srv->nunix, srv->unix_refused);
			srv->unix_told_at = now;
			srv->unix_refused = 0;
		}
		close(fd);
		return;
	}
	/* The handshake's lookup gets the connection: its address's backoff. */
	if (!(c = calloc(1, sizeof *c))) {
		serve_log("refusing a connection: out of memory");
		close(fd);
		return;
	}
	t = direct ? rp_transport_direct_accept(fd, direct_lookup, c) : rp_transport_socket(fd);
	if (!t || !(c->rc = rp_conn_create(t, VIEWER_QUEUE_ENTRIES, VIEWER_QUEUE_BYTES))) {
		serve_log("refusing a connection: out of memory");
		free(c);
		rp_transport_destroy(t);
		return;
	}
	if (tcp) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
	c->srv = srv;
	c->id = ++srv->next_conn_id;
	c->tcp = tcp;
	/* A direct connection's frames come only after its handshake proved
	 * the secret: that is its login. */
	c->need_token = tcp && !direct;
	c->direct = direct;
	c->rfd = c->wfd = -1;
	c->hello_by = now + srv->o.hello_ms;
	if (tcp) {
		snprintf(c->who, sizeof c->who, "%stcp %s port %s", direct ? "direct " : "", host,
			 port);
		c->src = src;
		src->pending++;
		srv->ntcp_pending++;
		srv->ntcp++;
	} else {
		struct ucred cr;
		socklen_t cl = sizeof cr;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
			snprintf(c->who, sizeof c->who, "uid %u pid %d", (unsigned)cr.uid, (int)cr.pid);
		srv->nunix++;
	}
	c->next = srv->conns;
	srv->conns = c;
	srv->nconns++;
	conn_register(srv, c);
}

int conn_slot_free(const struct conn *c)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (!c->chans[i] && !(c->held & (1u << i)))
			return i;
	return -1;
}

struct conn *conn_by_id(struct server *srv, unsigned id)
{
	struct conn *c = srv->conns;

	while (c && c->id != id)
		c = c->next;
	return c;
}

static void closing_done(struct server *srv, unsigned i)
{
	fdm_del(srv->fdm, srv->closing[i].fd);
	rp_conn_destroy(srv->closing[i].rc); /* (shut: no wait) */
	srv->closing[i] = srv->closing[--srv->nclosing];
}

static void on_closing(struct fdm *fdm, int fd, int events, void *data)
{
	struct server *srv = data;

	(void)fdm;
	(void)events;
	for (unsigned i = 0; i < srv->nclosing; i++)
		if (srv->closing[i].fd == fd) {
			if (rp_conn_drop_input(srv->closing[i].rc) == 0)
				closing_done(srv, i);
			return;
		}
}

/* rc closed in order without holding the loop up (rp_io.h's
 * rp_conn_shut): a desk's PING sent as we close is read, not left to
 * reset the connection, which the desk would take for a lost link. At
 * once when its desk ended the stream or the link is lost. */
static void conn_close(struct server *srv, struct rp_conn *rc)
{
	int rfd, wfd;

	if (srv->nclosing == MAX_CLOSING)
		rp_conn_lost(rc); /* (its destroy then does not wait) */
	if (srv->nclosing == MAX_CLOSING || rp_conn_shut(rc) < 0) {
		rp_conn_destroy(rc);
		return;
	}
	rp_conn_fds(rc, &rfd, &wfd);
	if (fdm_add(srv->fdm, rfd, POLLIN, on_closing, srv) < 0) {
		rp_conn_destroy(rc);
		return;
	}
	srv->closing[srv->nclosing++] =
		(struct closing){.rc = rc, .fd = rfd, .until = base_now_ms() + RP_CLOSE_WAIT_MS};
}

/* Those whose time is up closed; the wait until the next one's. */
static long closing_tick(struct server *srv, long now, long wait)
{
	for (unsigned i = 0; i < srv->nclosing;)
		if (now >= srv->closing[i].until) {
			closing_done(srv, i);
		} else {
			if (srv->closing[i].until - now < wait)
				wait = srv->closing[i].until - now;
			i++;
		}
	return wait;
}

void conns_closing_end(struct server *srv)
{
	while (srv->nclosing) {
		struct pollfd p = {.fd = srv->closing[0].fd, .events = POLLIN};
		long left = srv->closing[0].until - base_now_ms();
		if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR) ||
		    rp_conn_drop_input(srv->closing[0].rc) == 0)
			closing_done(srv, 0);
	}
}

void conn_destroy(struct server *srv, struct conn *c)
{
	for (int i = 0; i < MAX_CHANS; i++)
		if (c->chans[i] && !chan_orphan(srv, c->chans[i]))
			chan_remove(srv, c->chans[i]);
	ended_conn_gone(srv, c, c->desk_closed);
	for (struct conn **pp = &srv->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	conn_unpend(srv, c);
	direct_conn_gone(srv, c);
	if (c->tcp)
		srv->ntcp--;
	else
		srv->nunix--;
	srv->nconns--;
	conn_unregister(c);
	conn_close(srv, c->rc);
	if (c->relay) {
		/* The end mark (HANDOFF_MARKS_END): serve --stdio exits 0 on
		 * it, and 1 if the socket closes without it. The socket has
		 * nothing else queued: it fits. */
		uint8_t end[RP_HDR_SIZE];
		rp_hdr_encode(end, RP_HANDOFF, 0, 0, 0);
		if (send(rp_transport_read_fd(c->relay), end, sizeof end, MSG_NOSIGNAL | MSG_DONTWAIT) !=
			    (ssize_t)sizeof end &&
		    errno != EPIPE && errno != ECONNRESET) /* else it is gone already */
			serve_log("connection %u: cannot tell serve --stdio it ended: %s", c->id,
				  strerror(errno));
	}
	rp_transport_destroy(c->relay);
	free(c);
}

void conn_process(struct server *srv, struct conn *c)
{
	struct rp_hdr h;
	const uint8_t *p;
	int r;

	while (!c->closing_at && (r = rp_conn_frame(c->rc, &h, &p)) == 1) {
		c->frames++;
		if (dispatch_frame(srv, c, &h, p) == FRAME_STALL) {
			rp_conn_unread(c->rc, &h); /* take it again later */
			c->stalled = true;
			break;
		}
	}
	/* What the frames put in went out together (session_ops.input_done). */
	if (srv->input_due) {
		srv->input_due = false;
		for (struct session *s = srv->sessions, *next; s; s = next) {
			next = s->next;
			if (s->ops->input_done)
				s->ops->input_done(s);
		}
	}
	if (c->stalled)
		return;
	if (!c->closing_at && r < 0) {
		if (r == -EMSGSIZE)
			conn_fatal(srv, c, RP_E_PROTO, "frame of %u bytes is over the limit of %u", h.len,
				   RP_MAX_PAYLOAD);
		else
			conn_fatal(srv, c, RP_E_PROTO, "malformed frame header (type 0)");
	}
}

/* A frame begun must be whole in time: its deadline starts with its first
 * byte (a peer that stalls mid-frame would hold its place for ever). Not
 * while the connection waits on us (a program that does not read). */
static void conn_frame_deadline(struct server *srv, struct conn *c, unsigned long frames_before,
				long now)
{
	if (c->stalled || rp_conn_rx_partial(c->rc) == 0)
		c->frame_by = 0;
	else if (!c->frame_by || c->frames != frames_before)
		c->frame_by = now + srv->o.frame_ms;
}

/* A direct connection's transport refused its handshake or a record:
 * said in the log (before login, as other refusals are) and to the desk
 * in an ERROR sealed as ever (its records the other way still open; a
 * refused handshake sends nothing more, it said why in the clear). */
static void direct_failed(struct server *srv, struct conn *c)
{
	const char *why = rp_conn_why(c->rc);

	if (c->src)
		stranger(srv, c->src, c->backing_off ? REFUSED_BACKOFF : REFUSED_WRONG, why);
	else
		serve_log("connection %u (%s): %s", c->id, c->who, why);
	/* Harmless to one without the keys: it cannot open it. */
	rp_conn_error(c->rc, 0, RP_E_AUTH, 0, true, why);
	rp_conn_flush(c->rc);
}

bool conn_readable(struct server *srv, struct conn *c)
{
	unsigned long frames = c->frames;

	for (int i = 0; i < CONN_READS_PER_WAKEUP && !c->stalled && !c->closing_at; i++) {
		/* A direct link's records are handled as each is opened (a key's
		 * press goes in before its release, come in the same recv, is
		 * decrypted); the last read opens all it takes, as poll does
		 * not see what the transport keeps. */
		ssize_t r = i + 1 < CONN_READS_PER_WAKEUP ? rp_conn_read_record(c->rc)
							  : rp_conn_read(c->rc);
		if (r == -EAGAIN)
			break;
		if (r < 0 && c->direct && rp_conn_why(c->rc)[0])
			direct_failed(srv, c);
		if (r <= 0) {
			c->desk_closed = r == 0;
			conn_destroy(srv, c);
			return false;
		}
		conn_process(srv, c);
		if (rp_conn_drained(c->rc))
			break; /* (a read now would find nothing: the loop polls) */
	}
	conn_frame_deadline(srv, c, frames, base_now_ms());
	return true;
}

bool conn_writable(struct server *srv, struct conn *c)
{
	int r = rp_conn_flush(c->rc);

	if (r < 0 || (r == 0 && c->closing_at)) {
		conn_destroy(srv, c);
		return false;
	}
	if (r == 0 && c->snapshots_due) {
		/* Drained: channels that fell behind get the screen now. */
		c->snapshots_due = false;
		for (int i = 0; i < MAX_CHANS; i++)
			if (c->chans[i] && c->chans[i]->snapshot_due)
				chan_snapshot(c->chans[i]);
		rp_conn_flush(c->rc);
	}
	return true;
}

static void on_conn(struct fdm *fdm, int fd, int events, void *data)
{
	struct conn *c = data;
	struct server *srv = c->srv;

	(void)fdm;
	if (fd == c->wfd && c->wfd != c->rfd) {
		if (events & (POLLERR | POLLHUP)) { /* its reader is gone */
			conn_destroy(srv, c);
			return;
		}
	} else if ((events & (POLLIN | POLLHUP | POLLERR)) && !conn_readable(srv, c)) {
		return;
	}
	if ((events & POLLOUT) && !conn_writable(srv, c))
		return;
	conn_sync_events(c);
}

/* One connection's timed work; false when it is gone. */
static bool conn_tick(struct server *srv, struct conn *c, long now, long *wait)
{
	if (c->closing_at && now >= c->closing_at) {
		conn_destroy(srv, c);
		return false;
	}
	if (c->stalled) {
		unsigned long frames = c->frames;
		c->stalled = false;
		conn_process(srv, c);
		if (c->stalled)
			*wait = PACE_POLL_MS;
		conn_frame_deadline(srv, c, frames, now);
		/* Records its transport kept when it stalled: poll cannot see them. */
		if (!c->stalled && rp_conn_buffered(c->rc) && !conn_readable(srv, c))
			return false;
	}
	/* Deadlines: HELLO from connecting, a frame from its first byte. */
	if (c->closing_at) {
		if (c->closing_at - now < *wait)
			*wait = c->closing_at - now;
		return true;
	}
	/* Judged on what the peer sent, not on what this loop took in: after
	 * a stall of ours (a slow disk, a stop) its HELLO or its frame's end
	 * may be waiting in the socket. */
	if (((!c->hello && now >= c->hello_by) || (c->frame_by && now >= c->frame_by)) &&
	    !conn_readable(srv, c))
		return false;
	if (c->closing_at) {
		if (c->closing_at - now < *wait)
			*wait = c->closing_at - now;
		return true;
	}
	if (!c->hello && now >= c->hello_by)
		conn_fatal(srv, c, RP_E_PROTO, "no HELLO within %ld ms", srv->o.hello_ms);
	else if (c->frame_by && now >= c->frame_by)
		conn_fatal(srv, c, RP_E_PROTO, "no whole frame within %ld ms (%zu bytes of one came)",
			   srv->o.frame_ms, rp_conn_rx_partial(c->rc));
	if (!c->closing_at && !c->hello && c->hello_by - now < *wait)
		*wait = c->hello_by - now;
	if (!c->closing_at && c->frame_by && c->frame_by - now < *wait)
		*wait = c->frame_by - now;
	return true;
}

void conns_flush(struct server *srv)
{
	struct conn *c, *next;

	for (c = srv->conns; c; c = next) {
		next = c->next;
		if ((rp_conn_wevents(c->rc) || c->snapshots_due) && !conn_writable(srv, c))
			continue;
		conn_sync_events(c);
	}
}

long conns_hook(struct fdm *fdm, long now, void *data)
{
	struct server *srv = data;
	long wait = IDLE_WAIT_MS;
	struct conn *c, *next;

	(void)fdm;
	for (c = srv->conns; c; c = next) {
		next = c->next;
		conn_tick(srv, c, now, &wait);
	}
	wait = closing_tick(srv, now, wait);
	wait = links_tick(srv, now, wait); /* link.c: the desks' heartbeat */
	wait = direct_tick(srv, now, wait);  /* direct.c: secrets' and listeners' time */
	conns_flush(srv);
	if (srv->unsummed) {
		long left = srv->stranger_at + STRANGER_LOG_MS - now;
		if (left <= 0)
			strangers_summed(srv, now);
		else if (left < wait)
			wait = left;
	}
	return wait;
}

int load_token(struct server *srv, char *err, size_t errn)
{
	char path[300];
	int fd;
	ssize_t n;

	snprintf(path, sizeof path, "%s/token", srv->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		uint8_t rnd[32];
		int r = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (r < 0 || read(r, rnd, sizeof rnd) != sizeof rnd) {
			snprintf(err, errn, "cannot read /dev/urandom");
			if (r >= 0)
				close(r);
			return -1;
		}
		close(r);
		for (int i = 0; i < 32; i++)
			snprintf(srv->token + 2 * i, 3, "%02x", rnd[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, srv->token, 64) != 64) {
			snprintf(err, errn, "cannot write %s: %s", path, strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		close(fd);
		return 0;
	}
	n = read(fd, srv->token, 64);
	close(fd);
	if (n != 64) {
		snprintf(err, errn, "%s: expected 64 hex digits", path);
		return -1;
	}
	srv->token[64] = 0;
	return 0;
}
