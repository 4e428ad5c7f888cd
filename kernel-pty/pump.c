/* A pty master drained by a thread of its own.
 *
 * A Linux pty holds only about 20 KiB between the program and whoever
 * reads the master (4 KiB in N_TTY's read buffer, the rest in the flip
 * buffers); once that is full, the program's write sleeps. An owner that
 * does other work between reads (a screen to keep, a log to write, viewers
 * to feed) therefore stops a program that floods output whenever it works:
 * `cat` of a big file ran at the speed of the owner's pauses, not of the
 * pty. The pump reads the master as fast as the kernel hands out data,
 * into a ring of its own, and the owner takes it from there in its own
 * loop, in the order the kernel gave it: data and packet-mode status
 * alike, and the error that ended the reads last.
 *
 * The owner waits on an eventfd. The pump writes it only after the owner
 * found the ring empty, and only once the program pauses (a read finds
 * nothing), a status comes, 64 KiB came or the ring is full: a flood then
 * costs the owner one wakeup per 64 KiB, as its own reads until EAGAIN
 * did, and a key's echo is handed over at once. The pump never sleeps
 * on data it has not told of. Everything else is under one mutex, held
 * for a copy of at most one read.
 *
 * A tee, if given, gets each read's bytes right after the read, outside
 * the mutex: what the owner keeps of the output (a log) is then written
 * before it sits in the ring, where a killed owner would lose it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kpty_os.h"

#define READ_BYTES 4096 /* what Linux gives a pty read at most */
#define REC_HDR 4	/* u16 length, u8 status, u8 unused */
#define TELL_BYTES 65536 /* a flood wakes the owner once for this much */

struct kpty_os_pump {
	int master;
	int ready;	 /* eventfd: the owner has something to read */
	int wake;	 /* eventfd: the pump should look at `stop` */
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t room; /* the owner took something */
	uint8_t *ring;
	size_t cap, head, tail; /* head, tail: bytes written and taken, ever */
	size_t part;		/* bytes of the record at tail already taken */
	size_t told;		/* head when the owner was last woken */
	bool owner_waits;	/* the owner found the ring empty */
	bool stop, ended;
	long end; /* why reads ended (-errno), once ended */
	kpty_os_pump_tee *tee; /* set before the thread starts, then only read */
	void *tee_ctx;
};

static void ring_put(struct kpty_os_pump *p, const void *src, size_t n)
{
	size_t at = p->head % p->cap, first = p->cap - at < n ? p->cap - at : n;

	memcpy(p->ring + at, src, first);
	memcpy(p->ring, (const uint8_t *)src + first, n - first);
	p->head += n;
}

static void ring_get(const struct kpty_os_pump *p, size_t from, void *dst, size_t n)
{
	size_t at = from % p->cap, first = p->cap - at < n ? p->cap - at : n;

	memcpy(dst, p->ring + at, first);
	memcpy((uint8_t *)dst + first, p->ring, n - first);
}

static void poke(int fd)
{
	uint64_t one = 1;

	while (write(fd, &one, sizeof one) < 0 && errno == EINTR)
		;
}

static void unpoke(int fd)
{
	uint64_t v;

	while (read(fd, &v, sizeof v) < 0 && errno == EINTR)
		;
}

/* Under the mutex: wakes the owner if it waits and there is something
 * new for it. */
static void tell(struct kpty_os_pump *p)
{
	if (p->owner_waits && (p->head != p->tail || p->ended)) {
		p->owner_waits = false;
		p->told = p->head;
		poke(p->ready);
	}
}

static void *pump_main(void *arg)
{
	struct kpty_os_pump *p = arg;
	uint8_t buf[READ_BYTES];

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (!p->stop && p->cap - (p->head - p->tail) < REC_HDR + READ_BYTES) {
			tell(p); /* it never sleeps on data the owner was not told of */
			pthread_cond_wait(&p->room, &p->mu);
		}
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			return NULL;

		uint8_t status = 0;
		long n = kpty_os_read(p->master, buf, sizeof buf, &status);
		if (n == -EAGAIN || n == -EINTR) {
			/* The program paused: the owner gets what came. */
			pthread_mutex_lock(&p->mu);
			tell(p);
			pthread_mutex_unlock(&p->mu);
			struct pollfd pf[2] = {{.fd = p->master, .events = POLLIN},
					       {.fd = p->wake, .events = POLLIN}};
			if (poll(pf, 2, -1) < 0 && errno != EINTR)
				n = -errno;
			else
				continue;
		}
		if (n > 0 && p->tee)
			p->tee(p->tee_ctx, buf, (size_t)n);
		pthread_mutex_lock(&p->mu);
		if (n >= 0) {
			uint8_t h[REC_HDR] = {(uint8_t)(n >> 8), (uint8_t)n, status, 0};
			ring_put(p, h, sizeof h);
			ring_put(p, buf, (size_t)n);
			/* A flood is handed over a batch at a time; so is a
			 * status, which is rare and which the owner acts on. */
			if (status || p->head - p->told >= TELL_BYTES)
				tell(p);
		} else {
			p->ended = true;
			p->end = n;
			tell(p);
		}
		pthread_mutex_unlock(&p->mu);
		if (n < 0)
			return NULL;
	}
}

struct kpty_os_pump *kpty_os_pump_create(int master, size_t bytes)
{
	return kpty_os_pump_create_tee(master, bytes, NULL, NULL);
}

struct kpty_os_pump *kpty_os_pump_create_tee(int master, size_t bytes, kpty_os_pump_tee *tee,
					     void *ctx)
{
	struct kpty_os_pump *p = calloc(1, sizeof *p);
	sigset_t all, old;
	int err = ENOMEM;

	if (!p)
		goto fail;
	p->master = master;
	p->tee = tee;
	p->tee_ctx = ctx;
	p->cap = bytes < 2 * (REC_HDR + READ_BYTES) ? 2 * (REC_HDR + READ_BYTES) : bytes;
	p->owner_waits = true;
	p->ready = p->wake = -1;
	if (!(p->ring = malloc(p->cap)))
		goto fail_p;
	p->ready = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->ready < 0 || p->wake < 0) {
		err = errno;
		goto fail_fds;
	}
	if ((err = pthread_mutex_init(&p->mu, NULL)))
		goto fail_fds;
	if ((err = pthread_cond_init(&p->room, NULL)))
		goto fail_mu;
	/* Signals stay with the owner's thread (a signalfd, say). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&p->thread, NULL, pump_main, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto fail_cond;
	p->running = true;
	return p;
fail_cond:
	pthread_cond_destroy(&p->room);
fail_mu:
	pthread_mutex_destroy(&p->mu);
fail_fds:
	if (p->ready >= 0)
		close(p->ready);
	if (p->wake >= 0)
		close(p->wake);
	free(p->ring);
fail_p:
	free(p);
fail:
	errno = err;
	return NULL;
}

int kpty_os_pump_fd(const struct kpty_os_pump *p)
{
	return p->ready;
}

long kpty_os_pump_read(struct kpty_os_pump *p, void *buf, size_t n, uint8_t *status)
{
	uint8_t h[REC_HDR];
	size_t len, take;
	bool was_full;

	pthread_mutex_lock(&p->mu);
	if (p->head == p->tail) {
		long r = p->ended ? p->end : -EAGAIN;
		bool direct = !p->running && !p->ended;
		if (!direct) {
			p->owner_waits = true;
			unpoke(p->ready);
		}
		pthread_mutex_unlock(&p->mu);
		if (!direct)
			return r;
		/* Stopped: the rest is still in the pty. */
		r = kpty_os_read(p->master, buf, n, status);
		if (r > 0 && p->tee)
			p->tee(p->tee_ctx, buf, (size_t)r);
		return r;
	}
	ring_get(p, p->tail, h, sizeof h);
	len = (size_t)h[0] << 8 | h[1];
	*status = h[2];
	take = len - p->part < n ? len - p->part : n;
	ring_get(p, p->tail + REC_HDR + p->part, buf, take);
	was_full = p->cap - (p->head - p->tail) < REC_HDR + READ_BYTES;
	p->part += take;
	if (p->part == len) {
		p->tail += REC_HDR + len;
		p->part = 0;
	}
	if (was_full)
		pthread_cond_signal(&p->room);
	pthread_mutex_unlock(&p->mu);
	return (long)take;
}

void kpty_os_pump_stop(struct kpty_os_pump *p)
{
	if (!p || !p->running)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_signal(&p->room);
	pthread_mutex_unlock(&p->mu);
	poke(p->wake);
	pthread_join(p->thread, NULL);
	p->running = false;
}

void kpty_os_pump_destroy(struct kpty_os_pump *p)
{
	if (!p)
		return;
	kpty_os_pump_stop(p);
	pthread_cond_destroy(&p->room);
	pthread_mutex_destroy(&p->mu);
	close(p->ready);
	close(p->wake);
	free(p->ring);
	free(p);
}
