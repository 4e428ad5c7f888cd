/* The direct transport (see rp_io.h, direct.h): TCP with the handshake
 * and every byte after it in sealed records. The desk's side does its
 * handshake while connecting (blocking, bounded); the daemon's does it in
 * its first reads, non-blocking, like everything the daemon reads.
 *
 * Reads take a record's length first and then exactly its body, and open
 * a record only into room the caller has (a frame's worth, which a record
 * never exceeds): nothing readable ever waits here unseen by poll, which
 * only knows the socket. Writes seal what the caller gives into one
 * record and say it all taken; the record's bytes the socket did not take
 * wait here (rp_transport_pending) and go first at the next write. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base.h"
#include "direct.h"
#include "rp_io.h"

/* Records come in through a buffer that holds the largest one and some
 * more: one recv takes what the socket has (a key's record whole, or a
 * run of small ones), where a header and then a body took two and a
 * third to find the socket empty. */
#define DX_IN_CAP (RP_DX_MAX_RECORD + 16384)

enum dx_state { DX_HELLO, DX_RECORDS, DX_FAILED };

struct dx {
	struct rp_transport t; /* first: the transport is this */
	enum dx_state state;
	rp_dx_lookup *lookup;
	void *lookup_ctx;
	uint8_t id[RP_DX_ID_BYTES];
	bool have_id;
	struct rp_dx_dir send, recv;
	uint8_t hs[RP_DX_HELLO_BYTES];
	size_t hs_len;
	uint8_t *in;	  /* records coming in: DX_IN_CAP */
	size_t in_len;
	uint8_t *out;	  /* a record going out: RP_DX_MAX_RECORD */
	uint8_t *plain;	  /* pieces gathered for it: RP_DX_MAX_PLAIN */
	size_t out_len, out_off;
	bool in_drained; /* x->in kept by a read by_record: all the socket had */
	bool rx_bad; /* a record failed: no more reads (writes go on, to say so) */
	char why[200];
};

static void dx_fail(struct dx *x, int err, const char *fmt, const char *arg)
{
	x->state = DX_FAILED;
	snprintf(x->why, sizeof x->why, fmt, arg);
	errno = err;
}

/* A record refused: no more reads. What opened before it in this call is
 * handed out first (got), the refusal at the next read. */
static ssize_t rx_fail(struct dx *x, int err, const char *what, size_t got)
{
	x->rx_bad = true;
	snprintf(x->why, sizeof x->why, "%s", what);
	errno = err;
	return got ? (ssize_t)got : -1;
}

/* The daemon's side of the handshake, from what the socket has. 1 done,
 * 0 more to come (or the peer left: *eof), -1 refused (errno, why). */
static int dx_serve_hello(struct dx *x, bool *eof)
{
	uint8_t csalt[RP_DX_SALT_BYTES], ssalt[RP_DX_SALT_BYTES], secret[RP_DX_SECRET_BYTES];
	uint8_t ans[RP_DX_ANSWER_MAX_BYTES];
	char why[RP_DX_WHY_MAX_BYTES + 1] = "";
	size_t an;
	int r;

	*eof = false;
	while (x->hs_len < RP_DX_HELLO_BYTES) {
		ssize_t n = recv(x->t.rfd, x->hs + x->hs_len, RP_DX_HELLO_BYTES - x->hs_len, 0);
		if (n == 0) {
			*eof = true;
			return 0;
		}
		if (n < 0)
			return errno == EINTR ? dx_serve_hello(x, eof) : (errno == EAGAIN ? 0 : -1);
		x->hs_len += (size_t)n;
	}
	r = rp_dx_hello_decode(x->hs, x->id, csalt);
	if (r == -EPROTONOSUPPORT) {
		an = rp_dx_answer_encode(ans, RP_DX_VERSION_BAD, NULL,
					 "this host speaks direct version 1 only");
		(void)!send(x->t.wfd, ans, an, MSG_NOSIGNAL | MSG_DONTWAIT);
		dx_fail(x, EPROTO, "%s", "direct handshake of another version");
		return -1;
	}
	if (r < 0) {
		dx_fail(x, EPROTO, "%s", "not a telly direct handshake");
		return -1;
	}
	x->have_id = true;
	r = x->lookup(x->lookup_ctx, x->id, secret, why, sizeof why);
	if (r != 0) {
		an = rp_dx_answer_encode(ans, (uint8_t)r, NULL, why);
		(void)!send(x->t.wfd, ans, an, MSG_NOSIGNAL | MSG_DONTWAIT);
		dx_fail(x, EACCES, "refused: %s", why);
		return -1;
	}
	if (getrandom(ssalt, sizeof ssalt, 0) != (ssize_t)sizeof ssalt ||
	    rp_dx_keys(secret, csalt, ssalt, true, &x->send, &x->recv) < 0) {
		explicit_bzero(secret, sizeof secret);
		dx_fail(x, EIO, "%s", "cannot make the connection's keys");
		return -1;
	}
	explicit_bzero(secret, sizeof secret);
	an = rp_dx_answer_encode(ans, RP_DX_OK, ssalt, NULL);
	/* A fresh socket's buffer takes 38 bytes whole. */
	if (send(x->t.wfd, ans, an, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)an) {
		dx_fail(x, EIO, "%s", "cannot answer the handshake");
		return -1;
	}
	x->state = DX_RECORDS;
	return 1;
}

/* What is left of x->in from off on (a record begun) moves to its start. */
static void dx_keep(struct dx *x, size_t off)
{
	if (off)
		memmove(x->in, x->in + off, x->in_len - off);
	x->in_len -= off;
}

/* A whole record (or a bad length, to be said) waits in x->in. */
static bool dx_buffered(const struct rp_transport *t)
{
	const struct dx *x = (const struct dx *)t;
	long want;

	if (x->state != DX_RECORDS || x->in_len < RP_DX_HDR_BYTES)
		return false;
	want = rp_dx_record_len(x->in);
	return want < 0 || x->in_len >= (size_t)want;
}

static ssize_t dx_read(struct rp_transport *t, void *buf, size_t cap)
{
	struct dx *x = (struct dx *)t;
	uint8_t *out = buf;
	size_t got = 0;

	if (x->state == DX_FAILED || x->rx_bad) {
		errno = EPROTO;
		return -1;
	}
	if (x->state == DX_HELLO) {
		bool eof;
		int r = dx_serve_hello(x, &eof);
		if (r < 0)
			return -1;
		if (eof)
			return 0;
		if (r == 0) {
			errno = EAGAIN;
			return -1;
		}
	}
	size_t off = 0; /* where the record being taken starts in x->in */
	/* A recv took less than it asked, all there was, and none since. */
	bool drained = x->in_drained;
	x->in_drained = false;
	for (;;) {
		size_t have = x->in_len - off;
		long want = have < RP_DX_HDR_BYTES ? RP_DX_HDR_BYTES : rp_dx_record_len(x->in + off);
		if (want < 0) {
			dx_keep(x, off);
			return rx_fail(x, EPROTO,
				       "a record's length is out of bounds (tampered?): connection "
				       "closed",
				       got);
		}
		if (have >= RP_DX_HDR_BYTES &&
		    (size_t)want - RP_DX_HDR_BYTES - RP_DX_TAG_BYTES > cap - got) {
			/* No room for it yet: the rest waits in the socket. */
			dx_keep(x, off);
			if (got)
				return (ssize_t)got;
			errno = ENOBUFS;
			return -1;
		}
		if (have >= (size_t)want) {
			long n = rp_dx_open(&x->recv, x->in + off, (size_t)want, out + got);
			if (n < 0) {
				char what[160];
				snprintf(what, sizeof what,
					 "record %llu failed authentication (tampered, replayed or "
					 "out of order): connection closed",
					 (unsigned long long)x->recv.seq);
				dx_keep(x, off);
				return rx_fail(x, EBADMSG, what, got);
			}
			got += (size_t)n;
			off += (size_t)want;
			if (t->by_record) {
				dx_keep(x, off);
				x->in_drained = drained;
				t->drained = drained && !dx_buffered(t);
				return (ssize_t)got;
			}
			continue;
		}
		dx_keep(x, off);
		off = 0;
		/* The socket had no more a moment ago: another recv would find
		 * it empty (a key's record, an update: one recv, not two). */
		if (drained) {
			t->drained = true;
			if (got)
				return (ssize_t)got;
			errno = EAGAIN;
			return -1;
		}
		/* As much as the socket has, in one recv, but never a whole
		 * record more than can be handed out now: one left here would
		 * wait where the caller's poll cannot see it. Records past the
		 * first cost a header and a tag each, so bytes up to what fits
		 * plus one record's framing hold no whole record that does not. */
		size_t bound = (cap - got) + RP_DX_HDR_BYTES + RP_DX_TAG_BYTES;
		if (bound > DX_IN_CAP)
			bound = DX_IN_CAP;
		if (bound <= x->in_len) /* (never: the record fits, so it is under bound) */
			return got ? (ssize_t)got : (errno = ENOBUFS, -1);
		ssize_t n = recv(t->rfd, x->in + x->in_len, bound - x->in_len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno == EAGAIN && got)
				return (ssize_t)got;
			return -1;
		}
		if (n == 0) {
			if (x->in_len)
				return rx_fail(x, EPROTO, "the link ended inside a record", got);
			return (ssize_t)got; /* 0: the end, when nothing came */
		}
		drained = (size_t)n < bound - x->in_len;
		x->in_len += (size_t)n;
	}
}

/* Write what waits of the record going out: 0 all gone, 1 some left, -1. */
static int dx_push(struct dx *x)
{
	while (x->out_off < x->out_len) {
		ssize_t w = send(x->t.wfd, x->out + x->out_off, x->out_len - x->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 1 : -1;
		}
		x->out_off += (size_t)w;
	}
	x->out_off = x->out_len = 0;
	return 0;
}

static ssize_t dx_writev(struct rp_transport *t, const struct iovec *iov, int n)
{
	struct dx *x = (struct dx *)t;
	const uint8_t *plain;
	size_t pn = 0;
	long len;
	int r;

	if (x->state != DX_RECORDS) {
		errno = x->state == DX_HELLO ? ENOTCONN : EPROTO;
		return -1;
	}
	r = dx_push(x);
	if (r != 0) {
		if (r > 0)
			errno = EAGAIN;
		return -1;
	}
	/* Gathered into one record, up to a frame's worth (a lone piece is
	 * sealed from where it is). */
	if (n == 1 || iov[0].iov_len >= RP_DX_MAX_PLAIN) {
		plain = iov[0].iov_base;
		pn = iov[0].iov_len < RP_DX_MAX_PLAIN ? iov[0].iov_len : RP_DX_MAX_PLAIN;
	} else {
		plain = x->plain;
		for (int i = 0; i < n && pn < RP_DX_MAX_PLAIN; i++) {
			size_t k = iov[i].iov_len;
			if (k > RP_DX_MAX_PLAIN - pn)
				k = RP_DX_MAX_PLAIN - pn;
			memcpy(x->plain + pn, iov[i].iov_base, k);
			pn += k;
		}
	}
	if (!pn)
		return 0;
	len = rp_dx_seal(&x->send, plain, pn, x->out);
	if (len < 0) {
		dx_fail(x, EIO, "%s", "cannot seal a record");
		return -1;
	}
	x->out_len = (size_t)len;
	x->out_off = 0;
	if (dx_push(x) < 0)
		return -1;
	return (ssize_t)pn;
}

static size_t dx_pending(struct rp_transport *t)
{
	struct dx *x = (struct dx *)t;

	if (x->out_len > x->out_off && dx_push(x) < 0)
		return 0; /* the next read or write says the error */
	return x->out_len - x->out_off;
}

static const char *dx_why(const struct rp_transport *t)
{
	return ((const struct dx *)t)->why;
}

static void dx_destroy(struct rp_transport *t)
{
	struct dx *x = (struct dx *)t;

	close(t->rfd);
	rp_dx_dir_finish(&x->send);
	rp_dx_dir_finish(&x->recv);
	free(x->in);
	free(x->out);
	free(x->plain);
	free(x);
}

static bool dx_direct_id(const struct rp_transport *t, uint8_t id[RP_DX_ID_BYTES]);

static const struct rp_transport_impl dx_impl = {
	.name = "direct", .read = dx_read, .writev = dx_writev, .destroy = dx_destroy,
	.pending = dx_pending, .why = dx_why, .direct_id = dx_direct_id,
	.buffered = dx_buffered,
};

static struct dx *dx_new(int fd)
{
	struct dx *x = calloc(1, sizeof *x);

	if (!x)
		return NULL;
	x->in = malloc(DX_IN_CAP);
	x->out = malloc(RP_DX_MAX_RECORD);
	x->plain = malloc(RP_DX_MAX_PLAIN);
	if (!x->in || !x->out || !x->plain) {
		free(x->in);
		free(x->out);
		free(x->plain);
		free(x);
		return NULL;
	}
	x->t.impl = &dx_impl;
	x->t.rfd = x->t.wfd = fd;
	return x;
}

struct rp_transport *rp_transport_direct_accept(int fd, rp_dx_lookup *lookup, void *ctx)
{
	struct dx *x;
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || !(x = dx_new(fd))) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	x->lookup = lookup;
	x->lookup_ctx = ctx;
	return &x->t;
}

static bool dx_direct_id(const struct rp_transport *t, uint8_t id[RP_DX_ID_BYTES])
{
	const struct dx *x = (const struct dx *)t;

	if (!x->have_id)
		return false;
	memcpy(id, x->id, RP_DX_ID_BYTES);
	return true;
}

struct rp_transport *rp_transport_direct_connect(const char *host, const char *port,
						 const uint8_t secret[RP_DX_SECRET_BYTES],
						 int timeout_ms, char *err, size_t errn)
{
	uint8_t id[RP_DX_ID_BYTES], csalt[RP_DX_SALT_BYTES], ssalt[RP_DX_SALT_BYTES];
	uint8_t hello[RP_DX_HELLO_BYTES], ans[RP_DX_ANSWER_MAX_BYTES];
	char why[RP_DX_WHY_MAX_BYTES + 1];
	long deadline = base_now_ms() + timeout_ms, len;
	struct rp_transport *t = rp_transport_tcp_connect_within(host, port, timeout_ms);
	struct dx *x;
	int r;

	if (!t) {
		int e = errno;
		snprintf(err, errn, "cannot connect to %s port %s: %s", host, port, strerror(e));
		errno = e;
		return NULL;
	}
	if (rp_dx_id(secret, id) < 0 || getrandom(csalt, sizeof csalt, 0) != (ssize_t)sizeof csalt) {
		snprintf(err, errn, "direct: cannot make the handshake");
		goto fail;
	}
	rp_dx_hello_encode(hello, id, csalt);
	if (send(t->wfd, hello, sizeof hello, MSG_NOSIGNAL) != (ssize_t)sizeof hello) {
		snprintf(err, errn, "direct: cannot send the handshake: %s", strerror(errno));
		goto fail;
	}
	r = base_read_all(t->rfd, ans, RP_DX_ANSWER_HEAD_BYTES + 1, deadline);
	len = r < 0 ? r : rp_dx_answer_len(ans, RP_DX_ANSWER_HEAD_BYTES + 1);
	if (len > RP_DX_ANSWER_HEAD_BYTES + 1)
		r = base_read_all(t->rfd, ans + RP_DX_ANSWER_HEAD_BYTES + 1,
				  (size_t)len - RP_DX_ANSWER_HEAD_BYTES - 1, deadline);
	if (r < 0) {
		snprintf(err, errn, "direct: no answer to the handshake from %s port %s: %s", host,
			 port, r == -ECONNRESET ? "the connection was closed" : strerror(-r));
		rp_transport_destroy(t);
		errno = -r;
		return NULL;
	}
	if (len < 0 || (r = rp_dx_answer_decode(ans, (size_t)len, ssalt, why, sizeof why)) < 0) {
		snprintf(err, errn, "direct: %s port %s does not answer as a telly daemon", host,
			 port);
		goto fail;
	}
	if (r > 0) {
		snprintf(err, errn, "direct: the host refused the secret: %s", why);
		rp_transport_destroy(t);
		errno = EACCES;
		return NULL;
	}
	/* The transport becomes a direct one: same socket, records from now. */
	x = dx_new(t->rfd);
	if (!x || rp_dx_keys(secret, csalt, ssalt, false, &x->send, &x->recv) < 0) {
		snprintf(err, errn, "direct: cannot make the connection's keys");
		if (x) {
			x->t.rfd = -1;
			dx_destroy(&x->t);
		}
		goto fail;
	}
	memcpy(x->id, id, sizeof id);
	x->have_id = true;
	x->state = DX_RECORDS;
	free(t); /* its socket is x's now */
	return &x->t;
fail:
	rp_transport_destroy(t);
	errno = EPROTO;
	return NULL;
}
