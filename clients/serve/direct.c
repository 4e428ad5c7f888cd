/* The direct transport's host side (PROTOCOL.md "Direct transport"):
 * one-time secrets handed out on DIRECT (to `telly serve --direct-key`,
 * which ssh ran for `telly attach --direct`), the TCP listeners they name,
 * and the handshake's lookup. A secret not used within
 * DIRECT_UNUSED_MS is forgotten; once used it stays for reconnects while
 * a connection made with it lives and RESUME_GRACE_MS after the last one
 * ended (as long as its channels may wait to be resumed), but no longer
 * than some channel waits (none: nothing can be resumed with it). A
 * listener closes once no secret names it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base.h"
#include "direct.h"
#include "serve.h"

struct direct_secret {
	bool live;
	uint8_t id[RP_DX_ID_BYTES];
	uint8_t secret[RP_DX_SECRET_BYTES];
	int listener; /* index into listeners */
	long made_ms, idle_ms; /* idle_ms: the last connection with it ended; 0: never used */
	bool used;
	unsigned conns;
};

struct direct_listener {
	int fd; /* -1: free */
	char host[64];
	unsigned port;
};

struct direct {
	struct direct_secret s[MAX_DIRECT_SECRETS];
	struct direct_listener l[MAX_DIRECT_LISTENERS];
	long rest_until; /* ms: out of descriptors, the listeners rest; 0: not */
};

static struct direct *direct_get(struct server *srv)
{
	if (!srv->direct && (srv->direct = calloc(1, sizeof *srv->direct)))
		for (int i = 0; i < MAX_DIRECT_LISTENERS; i++)
			srv->direct->l[i].fd = -1;
	return srv->direct;
}

static void secret_forget(struct direct_secret *s)
{
	explicit_bzero(s, sizeof *s);
}

void direct_destroy(struct server *srv)
{
	struct direct *d = srv->direct;

	if (!d)
		return;
	for (int i = 0; i < MAX_DIRECT_LISTENERS; i++) {
		if (d->l[i].fd >= 0) {
			fdm_del(srv->fdm, d->l[i].fd);
			close(d->l[i].fd);
		}
	}
	explicit_bzero(d, sizeof *d);
	free(d);
	srv->direct = NULL;
}

static void on_direct_listener(struct fdm *fdm, int lfd, int events, void *data)
{
	struct server *srv = data;

	(void)events;
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		struct sockaddr_storage a;
		socklen_t al = sizeof a;
		int fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0 && errno != EAGAIN) {
			/* Out of descriptors: rest rather than spin (direct_tick). */
			for (int k = 0; k < MAX_DIRECT_LISTENERS; k++)
				if (srv->direct->l[k].fd >= 0)
					fdm_event_del(fdm, srv->direct->l[k].fd, POLLIN);
			srv->direct->rest_until = base_now_ms() + ACCEPT_PAUSE_MS;
		}
		if (fd < 0)
			return;
		conn_add_direct(srv, fd, (struct sockaddr *)&a, al);
	}
}

/* The listener on host (port: 0 any), opened if none is: its index, or -1
 * with err said. */
static int listener_for(struct server *srv, const char *host, unsigned port, char *err,
			size_t errn)
{
	struct direct *d = srv->direct;
	char hp[100];
	int fd, slot = -1;

	for (int i = 0; i < MAX_DIRECT_LISTENERS; i++) {
		if (d->l[i].fd < 0) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (!strcmp(d->l[i].host, host) && (!port || d->l[i].port == port))
			return i;
	}
	if (slot < 0) {
		snprintf(err, errn, "direct: already listening on %d addresses", MAX_DIRECT_LISTENERS);
		return -1;
	}
	snprintf(hp, sizeof hp, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host, port);
	fd = rp_tcp_listen(hp, false, err, errn);
	if (fd < 0)
		return -1;
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	char pbuf[16];
	if (getsockname(fd, (struct sockaddr *)&a, &al) < 0 ||
	    getnameinfo((struct sockaddr *)&a, al, NULL, 0, pbuf, sizeof pbuf, NI_NUMERICSERV) ||
	    fdm_add(srv->fdm, fd, POLLIN, on_direct_listener, srv) < 0) {
		snprintf(err, errn, "direct: cannot listen on %s: %s", hp, strerror(errno));
		close(fd);
		return -1;
	}
	d->l[slot].fd = fd;
	snprintf(d->l[slot].host, sizeof d->l[slot].host, "%s", host);
	d->l[slot].port = (unsigned)atoi(pbuf);
	serve_log("direct: listening on %s port %u", host, d->l[slot].port);
	return slot;
}

/* "HOST", "HOST:PORT" or "[V6]:PORT" into host and port (0: any). */
static int parse_bind(const struct rp_str *b, char *host, size_t hn, unsigned *port)
{
	char s[128];
	const char *colon;

	if (b->n == 0 || b->n >= sizeof s)
		return -1;
	memcpy(s, b->p, b->n);
	s[b->n] = 0;
	*port = 0;
	if (s[0] == '[') {
		char *end = strchr(s, ']');
		if (!end)
			return -1;
		*end = 0;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return -1;
		snprintf(host, hn, "%s", s + 1);
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) /* a bare IPv6 address */
			colon = NULL;
		snprintf(host, hn, "%.*s", colon ? (int)(colon - s) : (int)strlen(s), s);
	}
	if (colon) {
		char *e;
		unsigned long p = strtoul(colon + 1, &e, 10);
		if (*e || !colon[1] || p > 65535)
			return -1;
		*port = (unsigned)p;
	}
	/* An address, never a name: nothing is looked up. */
	struct in6_addr a6;
	return inet_pton(AF_INET, host, &a6) == 1 || inet_pton(AF_INET6, host, &a6) == 1 ? 0 : -1;
}

int on_direct(struct server *srv, struct conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint32_t req;
	struct rp_str bind;
	char host[80], msg[200], hex[2 * RP_DX_SECRET_BYTES + 1];
	unsigned port;
	struct direct *d;
	struct direct_secret *s = NULL;
	long now = base_now_ms();
	int li;

	if (rp_req_str_decode(p, h->len, &req, &bind) < 0)
	{
		conn_fatal(srv, c, RP_E_PROTO, "malformed DIRECT frame (%u bytes of payload)", h->len);
		return FRAME_DONE;
	}
	if (parse_bind(&bind, host, sizeof host, &port) < 0) {
		snprintf(msg, sizeof msg,
			 "direct: cannot listen on '%.*s': wants an IP address, ADDR:PORT or [V6]:PORT",
			 bind.n > 100 ? 100 : (int)bind.n, bind.p);
		rp_conn_error(c->rc, 0, RP_E_PROTO, req, false, msg);
		return FRAME_DONE;
	}
	if (!(d = direct_get(srv))) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, "direct: out of memory");
		return FRAME_DONE;
	}
	for (int i = 0; i < MAX_DIRECT_SECRETS && !s; i++)
		if (!d->s[i].live)
			s = &d->s[i];
	if (!s) {
		snprintf(msg, sizeof msg,
			 "direct: %d secrets are out already (each is forgotten %d s after it is "
			 "made if unused)",
			 MAX_DIRECT_SECRETS, DIRECT_UNUSED_MS / 1000);
		rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, msg);
		return FRAME_DONE;
	}
	if ((li = listener_for(srv, host, port, msg, sizeof msg)) < 0) {
		rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, msg);
		return FRAME_DONE;
	}
	if (getrandom(s->secret, sizeof s->secret, 0) != (ssize_t)sizeof s->secret ||
	    rp_dx_id(s->secret, s->id) < 0) {
		secret_forget(s);
		rp_conn_error(c->rc, 0, RP_E_LIMIT, req, false, "direct: cannot make a secret");
		return FRAME_DONE;
	}
	s->live = true;
	s->listener = li;
	s->made_ms = now;
	for (int i = 0; i < RP_DX_SECRET_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", s->secret[i]);
	/* The secret goes to the one who asked and nowhere else (not the log). */
	uint8_t buf[RP_HDR_SIZE + 4 + 2 + sizeof host + 8 + sizeof hex];
	struct rp_enc e;
	char text[sizeof host + 8 + sizeof hex + 4];
	int tn = snprintf(text, sizeof text, "%s %u %s", d->l[li].host, d->l[li].port, hex);
	rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, 0);
	rp_put_u32(&e, req);
	rp_put_str(&e, text, (size_t)tn);
	conn_send(c, &e);
	explicit_bzero(hex, sizeof hex);
	explicit_bzero(text, sizeof text);
	explicit_bzero(buf, sizeof buf);
	serve_log("connection %u: a direct secret made, for %s port %u (forgotten in %d s if "
		  "unused)",
		  c->id, d->l[li].host, d->l[li].port, DIRECT_UNUSED_MS / 1000);
	return FRAME_DONE;
}

static struct direct_secret *find(struct direct *d, const uint8_t id[RP_DX_ID_BYTES])
{
	struct direct_secret *hit = NULL;

	/* Every slot looked at, whatever matches. */
	for (int i = 0; d && i < MAX_DIRECT_SECRETS; i++) {
		unsigned diff = 0;
		for (int k = 0; k < RP_DX_ID_BYTES; k++)
			diff |= d->s[i].id[k] ^ id[k];
		if (d->s[i].live && !diff)
			hit = &d->s[i];
	}
	return hit;
}

/* ctx: the connection. A right secret always gets in, as a right token
 * does (conn_token_ok says why); a wrong one counts towards its address's
 * backoff, and while that lasts is refused as busy. */
int direct_lookup(void *ctx, const uint8_t id[16], uint8_t secret[32], char *why, size_t whyn)
{
	struct conn *c = ctx;
	struct server *srv = c->srv;
	struct direct_secret *s = find(srv->direct, id);
	long wait;

	if (!s && c->src && (wait = source_wrong(c->src, base_now_ms()))) {
		snprintf(why, whyn, "too many failed handshakes from %s: try again in %ld ms",
			 c->src->addr, wait);
		c->backing_off = true;
		return RP_DX_BUSY;
	}
	if (!s) {
		snprintf(why, whyn,
			 "no such secret (a wrong one, or one unused for %d s, or its sessions' "
			 "links gone for over an hour)",
			 DIRECT_UNUSED_MS / 1000);
		return RP_DX_UNKNOWN;
	}
	memcpy(secret, s->secret, RP_DX_SECRET_BYTES);
	serve_log("direct: a connection with the secret for port %u (%s; %u open with it)",
		  srv->direct->l[s->listener].port, s->used ? "again" : "its first",
		  s->conns + 1);
	s->used = true;
	s->conns++;
	return 0;
}

void direct_conn_gone(struct server *srv, struct conn *c)
{
	uint8_t id[RP_DX_ID_BYTES];
	struct direct_secret *s;

	if (!c->direct || !rp_conn_direct_id(c->rc, id) || !(s = find(srv->direct, id)) ||
	    !s->conns)
		return;
	if (--s->conns == 0)
		s->idle_ms = base_now_ms();
}

long direct_tick(struct server *srv, long now, long wait)
{
	struct direct *d = srv->direct;
	bool named[MAX_DIRECT_LISTENERS] = {false};

	if (!d)
		return wait;
	if (d->rest_until && now >= d->rest_until) {
		d->rest_until = 0;
		for (int i = 0; i < MAX_DIRECT_LISTENERS; i++)
			if (d->l[i].fd >= 0)
				fdm_event_add(srv->fdm, d->l[i].fd, POLLIN);
	} else if (d->rest_until && d->rest_until - now < wait) {
		wait = d->rest_until - now;
	}
	for (int i = 0; i < MAX_DIRECT_SECRETS; i++) {
		struct direct_secret *s = &d->s[i];
		long until;
		if (!s->live)
			continue;
		if (s->conns)
			until = now + IDLE_WAIT_MS;
		else if (!s->used)
			until = s->made_ms + DIRECT_UNUSED_MS;
		else if (!srv->norphans)
			/* Kept for a redial's RESUME only: with no channel
			 * waiting for its desk (a session's end ends them),
			 * none can come, and a daemon that lives on would
			 * otherwise run out of slots for new desks. */
			until = now;
		else
			until = s->idle_ms + RESUME_GRACE_MS;
		if (now >= until) {
			serve_log("direct: a secret for port %u forgotten (%s)", d->l[s->listener].port,
				  !s->used	    ? "unused"
				  : srv->norphans ? "its links gone for an hour"
						  : "its links gone, no channel waits to be resumed");
			secret_forget(s);
			continue;
		}
		named[s->listener] = true;
		if (until - now < wait)
			wait = until - now;
	}
	for (int i = 0; i < MAX_DIRECT_LISTENERS; i++) {
		if (d->l[i].fd >= 0 && !named[i]) {
			serve_log("direct: no secret names %s port %u: not listening there any more",
				  d->l[i].host, d->l[i].port);
			fdm_del(srv->fdm, d->l[i].fd);
			close(d->l[i].fd);
			d->l[i].fd = -1;
		}
	}
	return wait;
}

bool direct_waiting(struct server *srv)
{
	for (int i = 0; srv->direct && i < MAX_DIRECT_SECRETS; i++)
		if (srv->direct->s[i].live && !srv->direct->s[i].used)
			return true;
	return false;
}
