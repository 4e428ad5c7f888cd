/* The desk's side of the link at the edge (see desk.h): the heartbeat
 * frame, the clocks that tell a sleep, and redialing in a thread of its
 * own, so that a dial that takes seconds (ssh, a host that does not
 * answer) never stops the person's typing and local editing. The timers
 * and the bookkeeping are resume.c's, pure. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "desk.h"

/* ssh on a redial: never a prompt (nobody may be there to answer it:
 * the terminal is raw and the keys are the session's), a bounded
 * connect, and its complaints kept off the person's screen (the status
 * line says what went wrong). */
#define REDIAL_SSH_OPTS "-o BatchMode=yes -o ConnectTimeout=10"

static int send_stamp(struct rp_conn *c, uint8_t type, uint64_t stamp)
{
	uint8_t buf[RP_HDR_SIZE + 8];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, type, 0, 0);
	rp_put_u64(&e, stamp);
	n = rp_enc_end(&e);
	return n < 0 ? (int)n : rp_conn_send(c, buf, (size_t)n);
}

int rp_desk_send_ping(struct rp_conn *c, uint64_t stamp)
{
	return send_stamp(c, RP_PING, stamp);
}

int rp_desk_answer_ping(struct rp_conn *c, const struct rp_hdr *h, const uint8_t *p)
{
	uint64_t stamp;

	if (h->type != RP_PING || h->chan != 0)
		return 0;
	if (rp_u64_decode(p, h->len, &stamp) < 0)
		return -EPROTO;
	return c && send_stamp(c, RP_PONG, stamp) < 0 ? -ENOBUFS : 1;
}

long rp_desk_sleep_gap_ms(void)
{
	struct timespec b, m;

	clock_gettime(CLOCK_BOOTTIME, &b);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (b.tv_sec - m.tv_sec) * 1000L + (b.tv_nsec - m.tv_nsec) / 1000000L;
}

struct rp_dialer {
	struct rp_dest d;
	char ssh[1024];
	pthread_t thread;
	int pipe[2];
	uint8_t *first; /* sent behind HELLO (take_first), the dialer's copy */
	size_t first_n;
	bool taken; /* the dial wrote it: it no longer changes */
	/* More behind it, added by the caller's thread until HELLO's answer
	 * came (closed), sent by the dial's as they come (wake). */
	pthread_mutex_t lock;
	uint8_t *more;
	size_t more_n;
	bool closed;
	int wake[2];
	struct rp_conn *c;
	char err[300];
};

/* What was added, queued on c (if any) right behind what went (the wake
 * drained first: an add after it wakes the wait again); close: no more
 * is taken after it. Under the lock: the caller's thread adds. */
static int send_more(struct rp_dialer *dl, struct rp_conn *c, bool close)
{
	char b[64];
	int r = 0;

	while (read(dl->wake[0], b, sizeof b) > 0)
		;
	pthread_mutex_lock(&dl->lock);
	if (c && dl->more_n && rp_conn_send(c, dl->more, dl->more_n) < 0)
		r = -ENOBUFS;
	dl->more_n = 0;
	dl->closed |= close;
	pthread_mutex_unlock(&dl->lock);
	return r;
}

static int more_cb(void *ctx, struct rp_conn *c)
{
	return send_more(ctx, c, false);
}

static const uint8_t *take_first(void *ctx, size_t *n)
{
	struct rp_dialer *dl = ctx;
	const uint8_t *p;

	pthread_mutex_lock(&dl->lock);
	dl->taken = true;
	p = dl->first;
	*n = dl->first_n;
	pthread_mutex_unlock(&dl->lock);
	return p;
}

int rp_dialer_remake_first(struct rp_dialer *dl, long (*make)(void *ctx, uint8_t **out),
			   void *ctx)
{
	uint8_t *p = NULL;
	long n;
	int r = 0;

	pthread_mutex_lock(&dl->lock);
	if (dl->taken) {
		r = -EALREADY;
	} else if ((n = make(ctx, &p)) < 0) {
		r = (int)n;
	} else {
		free(dl->first);
		dl->first = p;
		dl->first_n = (size_t)n;
		dl->more_n = 0; /* the new first frames have them */
	}
	pthread_mutex_unlock(&dl->lock);
	return r;
}

static void *dial(void *arg)
{
	struct rp_dialer *dl = arg;
	char one = 1;

	dl->c = rp_desk_connect(&dl->d, false, dl->err, sizeof dl->err);
	/* What came after the last wake goes too, then no more. */
	if (send_more(dl, dl->c, true) < 0) {
		rp_conn_destroy(dl->c);
		dl->c = NULL;
		snprintf(dl->err, sizeof dl->err, "cannot queue the keys typed meanwhile");
	}
	ssize_t w = write(dl->pipe[1], &one, 1); /* a pipe of its own: it cannot be full */

	(void)w;
	return NULL;
}

static void dialer_free(struct rp_dialer *dl)
{
	for (int i = 0; i < 2; i++) {
		if (dl->pipe[i] >= 0)
			close(dl->pipe[i]);
		if (dl->wake[i] >= 0)
			close(dl->wake[i]);
	}
	pthread_mutex_destroy(&dl->lock);
	free(dl->first);
	free(dl->more);
	free(dl);
}

struct rp_dialer *rp_dialer_start(const struct rp_dest *d)
{
	return rp_dialer_start_first(d, NULL, 0);
}

struct rp_dialer *rp_dialer_start_first(const struct rp_dest *d, const void *first, size_t n)
{
	struct rp_dialer *dl = calloc(1, sizeof *dl);
	int e = ENOMEM;

	if (!dl)
		return NULL;
	dl->pipe[0] = dl->pipe[1] = dl->wake[0] = dl->wake[1] = -1;
	pthread_mutex_init(&dl->lock, NULL);
	dl->d = *d;
	dl->d.first = NULL;
	dl->d.first_n = 0;
	dl->d.take_first = take_first;
	if (n) {
		if (!(dl->first = malloc(n)))
			goto fail;
		memcpy(dl->first, first, n);
		dl->first_n = n;
	}
	if (d->host) {
		snprintf(dl->ssh, sizeof dl->ssh, "%s " REDIAL_SSH_OPTS " 2>/dev/null",
			 d->ssh ? d->ssh : "ssh");
		dl->d.ssh = dl->ssh;
	}
	if (pipe2(dl->pipe, O_CLOEXEC) < 0 || pipe2(dl->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		e = errno;
		goto fail;
	}
	dl->d.more = (struct rp_conn_side){dl->wake[0], more_cb};
	dl->d.more_ctx = dl;
	if ((e = pthread_create(&dl->thread, NULL, dial, dl)) != 0)
		goto fail;
	return dl;
fail:
	dialer_free(dl);
	errno = e;
	return NULL;
}

int rp_dialer_fd(const struct rp_dialer *dl)
{
	return dl->pipe[0];
}

struct rp_conn *rp_dialer_finish(struct rp_dialer *dl, char *err, size_t errn)
{
	struct rp_conn *c;

	pthread_join(dl->thread, NULL);
	c = dl->c;
	if (!c)
		snprintf(err, errn, "%s", dl->err[0] ? dl->err : "cannot reach the server");
	dialer_free(dl);
	return c;
}

int rp_dialer_add(struct rp_dialer *dl, const void *p, size_t n)
{
	int r = 0;

	pthread_mutex_lock(&dl->lock);
	if (dl->closed) {
		r = -EALREADY;
	} else if (dl->more_n + n > RP_DESK_AHEAD_BYTES) {
		r = -ENOSPC;
	} else {
		uint8_t *b = realloc(dl->more, dl->more_n + n);
		if (b) {
			memcpy(b + dl->more_n, p, n);
			dl->more = b;
			dl->more_n += n;
		}
		r = b ? 0 : -ENOMEM;
	}
	pthread_mutex_unlock(&dl->lock);
	if (r == 0) {
		char one = 1;
		ssize_t w = write(dl->wake[1], &one, 1); /* full: a wake is due anyway */
		(void)w;
	}
	return r;
}

/* ---- the network coming back ---- */

int rp_netwatch_open(void)
{
	struct sockaddr_nl a = {.nl_family = AF_NETLINK,
				.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR |
					     RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool rp_netwatch_news(const void *buf, size_t n)
{
	/* Walked by hand (NLMSG_OK's int and unsigned mix): each header
	 * whole and within n, its length at least a header's. */
	for (size_t off = 0; off + sizeof(struct nlmsghdr) <= n;) {
		struct nlmsghdr h;
		memcpy(&h, (const uint8_t *)buf + off, sizeof h);
		if (h.nlmsg_len < sizeof h || h.nlmsg_len > n - off)
			return false;
		if (h.nlmsg_type == RTM_NEWADDR || h.nlmsg_type == RTM_NEWROUTE)
			return true;
		if (h.nlmsg_type == RTM_NEWLINK && h.nlmsg_len >= NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
			struct ifinfomsg i;
			memcpy(&i, (const uint8_t *)buf + off + NLMSG_HDRLEN, sizeof i);
			if ((i.ifi_flags & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING))
				return true;
		}
		off += NLMSG_ALIGN(h.nlmsg_len);
	}
	return false;
}

bool rp_netwatch_read(int fd)
{
	uint8_t buf[8192];
	bool news = false;
	ssize_t n;

	/* Bounded: what one wakeup finds, a few reads at most. An overrun
	 * (ENOBUFS) means news was missed: taken as news. */
	for (int i = 0; i < 16; i++) {
		n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == ENOBUFS) {
			news = true;
			continue;
		}
		if (n <= 0)
			break;
		news |= rp_netwatch_news(buf, (size_t)n);
	}
	return news;
}
