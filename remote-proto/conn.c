/* Framed connections (see rp_io.h). */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "base.h"
#include "rp_io.h"

#define IOV_MAX_PER_WRITE 64

struct rp_conn {
	struct rp_transport *t;
	uint8_t *rx;
	size_t rx_len, rx_off;
	struct rp_queue q;
	bool eof;
	bool lost; /* a read or write failed, or the owner said so (rp_conn_lost) */
	bool shut; /* our end of the stream sent (rp_conn_shut) */
	char host_name[RP_HOST_NAME_MAX + 1]; /* the peer's HELLO said it; "": not */
	uint32_t peer_caps;		      /* its HELLO's capabilities */
};

struct rp_conn *rp_conn_create(struct rp_transport *t, unsigned queue_entries, size_t queue_limit)
{
	struct rp_conn *c = calloc(1, sizeof *c);

	if (!c)
		return NULL;
	c->rx = malloc(RP_RX_SIZE);
	if (!c->rx)
		goto fail_rx;
	if (rp_queue_init(&c->q, queue_entries, queue_limit) < 0)
		goto fail_q;
	c->t = t;
	return c;
fail_q:
	free(c->rx);
fail_rx:
	free(c);
	return NULL;
}

/* What the peer sent that nobody will read goes before the close: a
 * socket closed with unread bytes resets its connection (a unix socket's
 * peer reads ECONNRESET, a TCP one gets a RST), and the peer takes that
 * for a lost link where the end of the stream was meant (a desk leaving
 * after its session's EXIT, with the host's heartbeat PING come since:
 * the host kept the ended channel for its RESUME, and itself, an hour).
 * Bounded, without waiting; a pipe (ssh's) has no such reset. 0: the
 * peer's end of the stream (or an error: nothing more will come). */
#define DRAIN_READS 16

int rp_conn_drop_input(struct rp_conn *c)
{
	uint8_t buf[4096];

	for (int i = 0; c->t && i < DRAIN_READS; i++) {
		ssize_t n = recv(c->t->rfd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			c->eof = true;
			return 0;
		}
		if (n < 0)
			break;
	}
	return -EAGAIN;
}

int rp_conn_shut(struct rp_conn *c)
{
	if (c->eof || c->lost || c->shut || !c->t)
		return -ENOTCONN;
	if (shutdown(c->t->wfd, SHUT_WR) < 0)
		return -errno; /* a pipe (ssh's, stdio): ENOTSOCK */
	c->shut = true;
	return 0;
}

void rp_conn_lost(struct rp_conn *c)
{
	c->lost = true;
}

bool rp_conn_ended(const struct rp_conn *c)
{
	return c->eof || c->lost;
}

void rp_conn_destroy(struct rp_conn *c)
{
	if (!c)
		return;
	/* The orderly close: our end of the stream, then what the peer
	 * sends until its own (a PING on its way as we shut) read and
	 * dropped, so that the close resets nothing; at most
	 * RP_CLOSE_WAIT_MS, and not at all on a link known lost or a
	 * stream the peer has ended. One shut already (the daemon's,
	 * rp_conn_shut) has had its wait. */
	if (rp_conn_shut(c) == 0) {
		long end = base_now_ms() + RP_CLOSE_WAIT_MS;
		while (rp_conn_drop_input(c) < 0) {
			struct pollfd p = {.fd = c->t->rfd, .events = POLLIN};
			long left = end - base_now_ms();
			if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
				break;
		}
	} else {
		rp_conn_drop_input(c);
	}
	rp_transport_destroy(c->t);
	rp_queue_finish(&c->q);
	free(c->rx);
	free(c);
}

static ssize_t conn_read(struct rp_conn *c, bool by_record)
{
	ssize_t n;

	/* Frames already handed out are gone: move the rest to the front. */
	if (c->rx_off) {
		memmove(c->rx, c->rx + c->rx_off, c->rx_len - c->rx_off);
		c->rx_len -= c->rx_off;
		c->rx_off = 0;
	}
	if (c->rx_len == RP_RX_SIZE)
		return -ENOBUFS; /* the owner did not take the frames it has */
	c->t->drained = false;
	c->t->by_record = by_record;
	n = c->t->impl->read(c->t, c->rx + c->rx_len, RP_RX_SIZE - c->rx_len);
	c->t->by_record = false;
	if (n < 0 && errno != EWOULDBLOCK && errno != EINTR)
		c->lost = true;
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		c->eof = true;
	c->rx_len += (size_t)n;
	return n;
}

ssize_t rp_conn_read(struct rp_conn *c)
{
	return conn_read(c, false);
}

ssize_t rp_conn_read_record(struct rp_conn *c)
{
	return conn_read(c, true);
}

bool rp_conn_buffered(const struct rp_conn *c)
{
	return c->t->impl->buffered && c->t->impl->buffered(c->t);
}

bool rp_conn_drained(const struct rp_conn *c)
{
	return c->t->drained;
}

int rp_conn_frame(struct rp_conn *c, struct rp_hdr *h, const uint8_t **payload)
{
	size_t avail = c->rx_len - c->rx_off;
	int r = rp_hdr_decode(c->rx + c->rx_off, avail, h);

	if (r != 0)
		return r == 1 ? 0 : r;
	if (avail < RP_HDR_SIZE + (size_t)h->len)
		return 0;
	*payload = c->rx + c->rx_off + RP_HDR_SIZE;
	c->rx_off += RP_HDR_SIZE + h->len;
	return 1;
}

void rp_conn_unread(struct rp_conn *c, const struct rp_hdr *h)
{
	c->rx_off -= RP_HDR_SIZE + h->len;
}

int rp_conn_send(struct rp_conn *c, const void *frame, size_t n)
{
	struct rp_buf *b;
	int r;

	if (n < RP_HDR_SIZE)
		return -EINVAL;
	b = rp_buf_create(n - RP_HDR_SIZE);
	if (!b)
		return -ENOMEM;
	memcpy(b->data, (const uint8_t *)frame + RP_HDR_SIZE, n - RP_HDR_SIZE);
	r = rp_queue_push(&c->q, frame, RP_HDR_SIZE, b, false);
	rp_buf_unref(b);
	return r;
}

int rp_conn_error(struct rp_conn *c, uint16_t chan, uint16_t code, uint32_t req, bool fatal,
		  const char *msg)
{
	uint8_t buf[RP_HDR_SIZE + 8 + 512];
	struct rp_enc e;
	size_t n = strlen(msg);
	long len;

	rp_enc_begin(&e, buf, sizeof buf, RP_ERROR, fatal ? RP_F_FATAL : 0, chan);
	rp_put_u16(&e, code);
	rp_put_u32(&e, req);
	rp_put_str(&e, msg, n > 500 ? 500 : n);
	len = rp_enc_end(&e);
	return len < 0 ? (int)len : rp_conn_send(c, buf, (size_t)len);
}

/* What the transport took but has not written yet (0 for most). */
static size_t pending(const struct rp_conn *c)
{
	return c->t->impl->pending ? c->t->impl->pending(c->t) : 0;
}

int rp_conn_flush(struct rp_conn *c)
{
	struct iovec iov[IOV_MAX_PER_WRITE];

	while (c->q.count) {
		int n = rp_queue_iov(&c->q, iov, IOV_MAX_PER_WRITE);
		ssize_t w = c->t->impl->writev(c->t, iov, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EWOULDBLOCK)
				c->lost = true;
			return errno == EWOULDBLOCK ? 1 : -errno;
		}
		rp_queue_consume(&c->q, (size_t)w);
	}
	return pending(c) ? 1 : 0;
}

int rp_conn_flush_wait(struct rp_conn *c, int timeout_ms)
{
	long end = base_now_ms() + timeout_ms;
	int r;

	while ((r = rp_conn_flush(c)) == 1) {
		struct pollfd p = {.fd = c->t->wfd, .events = POLLOUT};
		long left = end - base_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
	}
	return r;
}

int rp_conn_next_frame(struct rp_conn *c, struct rp_hdr *h, const uint8_t **p, int timeout_ms)
{
	return rp_conn_next_frame_or(c, h, p, timeout_ms, NULL, NULL);
}

int rp_conn_next_frame_or(struct rp_conn *c, struct rp_hdr *h, const uint8_t **p, int timeout_ms,
			  const struct rp_conn_side *side, void *ctx)
{
	long deadline = base_now_ms() + timeout_ms;

	for (;;) {
		int r = rp_conn_frame(c, h, p);
		if (r != 0)
			return r;
		if (rp_conn_flush(c) < 0)
			return -EPIPE;
		struct pollfd pf[2] = {
			{.fd = c->t->rfd, .events = (short)(POLLIN | rp_conn_wevents(c))},
			{.fd = side ? side->fd : -1, .events = POLLIN},
		};
		long left = deadline - base_now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(pf, 2, (int)left) < 0 && errno != EINTR)
			return -errno;
		if ((pf[1].revents & (POLLIN | POLLHUP | POLLERR)) && (r = side->fn(ctx, c)) < 0)
			return r;
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = rp_conn_read(c);
			if (n == 0)
				return -ECONNRESET;
			if (n < 0 && n != -EAGAIN)
				return (int)n;
		}
	}
}

short rp_conn_wevents(const struct rp_conn *c)
{
	return c->q.count || pending(c) ? POLLOUT : 0;
}

int rp_conn_fd(const struct rp_conn *c)
{
	return c->t->rfd;
}

size_t rp_conn_queued(const struct rp_conn *c)
{
	return c->q.bytes + pending(c);
}

uint64_t rp_conn_mark(const struct rp_conn *c)
{
	return c->q.pushed;
}

bool rp_conn_went(const struct rp_conn *c, uint64_t mark)
{
	/* By entry, not by bytes: a drop (the desk fell behind) takes
	 * entries from before the mark and after it alike. */
	return rp_queue_gone(&c->q, mark) && !pending(c);
}

unsigned rp_conn_queued_frames(const struct rp_conn *c)
{
	return c->q.count;
}

void rp_conn_set_host_name(struct rp_conn *c, const char *p, size_t n)
{
	c->host_name[0] = 0;
	if (!n || n > RP_HOST_NAME_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~') /* a name, not a line or a control */
			return;
	memcpy(c->host_name, p, n);
	c->host_name[n] = 0;
}

const char *rp_conn_host_name(const struct rp_conn *c)
{
	return c->host_name;
}

void rp_conn_set_peer_caps(struct rp_conn *c, uint32_t caps)
{
	c->peer_caps = caps;
}

uint32_t rp_conn_peer_caps(const struct rp_conn *c)
{
	return c->peer_caps;
}

const char *rp_conn_why(const struct rp_conn *c)
{
	return c->t->impl->why ? c->t->impl->why(c->t) : "";
}

bool rp_conn_direct_id(const struct rp_conn *c, uint8_t id[16])
{
	return c->t->impl->direct_id && c->t->impl->direct_id(c->t, id);
}

/* ---- for the daemon ---- */

void rp_conn_fds(const struct rp_conn *c, int *rfd, int *wfd)
{
	*rfd = c->t->rfd;
	*wfd = c->t->wfd;
}

size_t rp_conn_rx_partial(const struct rp_conn *c)
{
	return c->rx_len - c->rx_off;
}

int rp_conn_push(struct rp_conn *c, const void *hdr, size_t hdr_len, struct rp_buf *b,
		 bool droppable)
{
	return rp_queue_push(&c->q, hdr, hdr_len, b, droppable);
}

void rp_conn_drop_queued(struct rp_conn *c)
{
	rp_queue_drop(&c->q);
}

int rp_conn_take_fds(struct rp_conn *c, int fds[2])
{
	return rp_transport_take_fds(c->t, fds);
}

struct rp_transport *rp_conn_swap_transport(struct rp_conn *c, struct rp_transport *t)
{
	struct rp_transport *old = c->t;

	c->t = t;
	return old;
}

ssize_t rp_conn_send_now(struct rp_conn *c, const void *buf, size_t n)
{
	ssize_t w = send(c->t->wfd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (w < 0)
		return -errno;
	return (size_t)w == n ? w : -EAGAIN;
}

int rp_transport_read_fd(const struct rp_transport *t)
{
	return t->rfd;
}
