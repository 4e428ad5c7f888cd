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
 *
 * A key's echo must not wait for a thread's wakeup on top of the owner's
 * (on a loaded machine each is a scheduler round): once the program has
 * printed a little (an echo, a prompt) and paused, or has been quiet for
 * QUIET_MS after more, the thread hands the master over and the owner
 * reads it itself, as long as what it reads is small. The owner's descriptor is an epoll set of the
 * eventfd and, then, the master: the kernel wakes the owner directly. A
 * big read (a flood begins) hands the master back to the thread. The
 * thread still writes the tee, from a queue the owner fills, once the
 * owner says its round is over (kpty_os_pump_tee_due): a slow log never
 * holds up the owner, nor the output it is about to send. With a tee_now
 * (kpty_os_pump_set_tee_now) the owner first offers its read to the log
 * itself, before it sends it on, so that an owner killed right after its
 * send has logged what it sent; the log takes it only when that costs no
 * wait (its lock free, one write), and nothing is queued ahead of it.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kpty_os.h"

#define READ_BYTES 4096 /* what Linux gives a pty read at most */
#define REC_HDR 4	/* u16 length, u8 status, u8 unused */
#define TELL_BYTES 65536 /* a flood wakes the owner once for this much */
#define QUIET_MS 10	 /* the program silent this long: the owner reads the master */
#define OWNER_READ_MAX_BYTES 1024 /* a read of more: a flood, the thread reads again */
#define TEE_QUEUE_BYTES 16384	  /* what the owner read, waiting for the tee */

struct kpty_os_pump {
	int master;
	int ready;	 /* eventfd: the owner has something to read */
	int wake;	 /* eventfd: the pump should look at `stop` */
	int owner_fd;	 /* epoll set: ready, and the master while the owner reads it */
	pthread_t thread;
	bool running;
	pthread_mutex_t mu;
	pthread_cond_t room; /* the owner took something */
	uint8_t *ring;
	size_t cap, head, tail; /* head, tail: bytes written and taken, ever */
	size_t part;		/* bytes of the record at tail already taken */
	size_t told;		/* head when the owner was last woken */
	bool owner_waits;	/* the owner found the ring empty */
	bool poked;		/* `ready` was written since the owner last read it */
	bool stop, ended;
	bool owner_reads; /* the program was quiet: the owner reads the master */
	bool heard;	  /* the thread read output (the thread's alone) */
	bool last_small;  /* and its last read was small (the thread's alone) */
	bool tee_due;	  /* the owner's round is over: tee what it read */
	uint8_t *teeq;	  /* TEE_QUEUE_BYTES: what the owner read, not teed yet */
	size_t teeq_len;
	long end; /* why reads ended (-errno), once ended */
	kpty_os_pump_tee *tee; /* set before the thread starts, then only read */
	void *tee_ctx;
	kpty_os_pump_tee_now *tee_now; /* the owner's alone */
	bool teeing;		       /* the thread is in tee_queue's tee */
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
		p->poked = true;
		poke(p->ready);
	}
}

/* Under the mutex: the master to the owner (QUIET_MS of silence), or
 * back to the thread. Level-triggered, so output that came before the
 * master joined the set wakes the owner all the same. */
static void hand_master(struct kpty_os_pump *p, bool to_owner)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = p->master};

	if (p->owner_reads == to_owner)
		return;
	if (epoll_ctl(p->owner_fd, to_owner ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, p->master, &ev) < 0)
		return; /* the thread goes on reading it, as before */
	p->owner_reads = to_owner;
	if (!to_owner)
		pthread_cond_signal(&p->room);
}

/* Tees what the owner read (all of it when stopping: nothing is left out
 * of the log), outside the mutex, which it takes and gives back. */
static void tee_queue(struct kpty_os_pump *p, uint8_t *buf)
{
	size_t n = p->teeq_len;

	memcpy(buf, p->teeq, n);
	p->teeq_len = 0;
	p->tee_due = false;
	p->teeing = true;
	pthread_mutex_unlock(&p->mu);
	p->tee(p->tee_ctx, buf, n);
	pthread_mutex_lock(&p->mu);
	p->teeing = false;
}

static void *pump_main(void *arg)
{
	struct kpty_os_pump *p = arg;
	uint8_t buf[READ_BYTES > TEE_QUEUE_BYTES ? READ_BYTES : TEE_QUEUE_BYTES];

	for (;;) {
		pthread_mutex_lock(&p->mu);
		for (;;) {
			/* What the owner read goes to the log before anything
			 * read after it. */
			if (p->teeq_len && (p->tee_due || p->stop || !p->owner_reads)) {
				tee_queue(p, buf);
				continue;
			}
			if (p->stop)
				break;
			if (p->owner_reads || p->ended) { /* the owner's to read */
				pthread_cond_wait(&p->room, &p->mu);
				continue;
			}
			if (p->cap - (p->head - p->tail) >= REC_HDR + READ_BYTES)
				break;
			tell(p); /* it never sleeps on data the owner was not told of */
			pthread_cond_wait(&p->room, &p->mu);
		}
		bool stop = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (stop)
			return NULL;

		uint8_t status = 0;
		long n = kpty_os_read(p->master, buf, READ_BYTES, &status);
		if (n == -EAGAIN || n == -EINTR) {
			/* The program paused: the owner gets what came, and
			 * the master too, at once after a small read (an
			 * echo), or once the program stays quiet after a big
			 * one (a flood that pauses is likely to go on). */
			pthread_mutex_lock(&p->mu);
			tell(p);
			pthread_mutex_unlock(&p->mu);
			struct pollfd pf[2] = {{.fd = p->master, .events = POLLIN},
					       {.fd = p->wake, .events = POLLIN}};
			if (p->last_small) {
				pthread_mutex_lock(&p->mu);
				hand_master(p, true);
				bool handed = p->owner_reads;
				pthread_mutex_unlock(&p->mu);
				if (handed)
					continue;
			}
			int r = poll(pf, 2, p->heard ? QUIET_MS : -1);
			if (r < 0 && errno != EINTR) {
				n = -errno;
			} else {
				if (r == 0) {
					pthread_mutex_lock(&p->mu);
					hand_master(p, true);
					pthread_mutex_unlock(&p->mu);
				}
				continue;
			}
		}
		if (n > 0 && p->tee)
			p->tee(p->tee_ctx, buf, (size_t)n);
		if (n > 0) {
			p->heard = true;
			p->last_small = n <= OWNER_READ_MAX_BYTES;
		}
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
	p->ready = p->wake = p->owner_fd = -1;
	if (!(p->ring = malloc(p->cap)))
		goto fail_p;
	if (tee && !(p->teeq = malloc(TEE_QUEUE_BYTES)))
		goto fail_fds;
	p->ready = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	p->owner_fd = epoll_create1(EPOLL_CLOEXEC);
	if (p->ready < 0 || p->wake < 0 || p->owner_fd < 0) {
		err = errno;
		goto fail_fds;
	}
	{
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = p->ready};
		if (epoll_ctl(p->owner_fd, EPOLL_CTL_ADD, p->ready, &ev) < 0) {
			err = errno;
			goto fail_fds;
		}
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
	if (p->owner_fd >= 0)
		close(p->owner_fd);
	free(p->teeq);
	free(p->ring);
fail_p:
	free(p);
fail:
	errno = err;
	return NULL;
}

int kpty_os_pump_fd(const struct kpty_os_pump *p)
{
	return p->owner_fd;
}

/* Under the mutex: the owner found nothing, and waits on its descriptor. */
static void owner_idle(struct kpty_os_pump *p)
{
	p->owner_waits = true;
	if (p->poked)
		unpoke(p->ready);
	p->poked = false;
}

/* Under the mutex, the ring empty, the master the owner's: one read of
 * it. A big one hands the master back to the thread (a flood begins);
 * so does a tee queue without room for a read (a slow log). */
static long owner_read(struct kpty_os_pump *p, void *buf, size_t n, uint8_t *status)
{
	long r;

	if (p->tee && TEE_QUEUE_BYTES - p->teeq_len < READ_BYTES) {
		hand_master(p, false);
		return -EAGAIN;
	}
	r = kpty_os_read(p->master, buf, n, status);
	/* In order: only when nothing read before it still waits for the
	 * thread. The thread tees its own reads before it hands the master
	 * over, and reads again only once it has it back. */
	if (r > 0 && p->tee &&
	    !(p->tee_now && !p->teeq_len && !p->teeing && p->tee_now(p->tee_ctx, buf, (size_t)r))) {
		memcpy(p->teeq + p->teeq_len, buf, (size_t)r);
		p->teeq_len += (size_t)r;
	}
	if (r > OWNER_READ_MAX_BYTES) {
		hand_master(p, false);
	} else if (r < 0 && r != -EAGAIN && r != -EINTR) {
		/* As the thread would have: the end is told once, then kept. */
		struct epoll_event ev = {0};
		epoll_ctl(p->owner_fd, EPOLL_CTL_DEL, p->master, &ev);
		p->owner_reads = false;
		p->ended = true;
		p->end = r;
	}
	return r == -EINTR ? -EAGAIN : r;
}

void kpty_os_pump_set_tee_now(struct kpty_os_pump *p, kpty_os_pump_tee_now *now)
{
	p->tee_now = now;
}

void kpty_os_pump_tee_due(struct kpty_os_pump *p)
{
	if (!p || !p->tee)
		return;
	pthread_mutex_lock(&p->mu);
	if (p->teeq_len && !p->tee_due) {
		p->tee_due = true;
		pthread_cond_signal(&p->room);
	}
	pthread_mutex_unlock(&p->mu);
}

long kpty_os_pump_read(struct kpty_os_pump *p, void *buf, size_t n, uint8_t *status)
{
	uint8_t h[REC_HDR];
	size_t len, take;
	bool was_full;

	pthread_mutex_lock(&p->mu);
	if (p->head == p->tail && p->owner_reads && p->running && !p->ended) {
		long r = owner_read(p, buf, n, status);
		if (r == -EAGAIN)
			owner_idle(p);
		pthread_mutex_unlock(&p->mu);
		return r;
	}
	if (p->head == p->tail) {
		long r = p->ended ? p->end : -EAGAIN;
		bool direct = !p->running && !p->ended;
		if (!direct)
			owner_idle(p);
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
	close(p->owner_fd);
	free(p->teeq);
	free(p->ring);
	free(p);
}
