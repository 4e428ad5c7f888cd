/* The daemon's one fd manager, in the manner of foot's fdm: every
 * descriptor (listeners, the signalfd, sessions' ptys and consoles'
 * backends, connections) is in one epoll set with its handler; hooks do
 * the timed work once an iteration and say how long the wait may be.
 *
 * Level-triggered, as poll() was: a handler that leaves work (a session
 * over its share of a round) is called again on the next iteration.
 * Slots are indexed by descriptor and carry a generation, so that events
 * already taken for a descriptor deleted (or deleted and reused) by an
 * earlier handler of the same batch are not delivered.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "serve.h"

#define FDM_EVENTS_PER_WAIT 64
#define FDM_MAX_HOOKS 8

_Static_assert(POLLIN == EPOLLIN && POLLOUT == EPOLLOUT && POLLERR == EPOLLERR &&
		       POLLHUP == EPOLLHUP,
	       "poll's bits are epoll's");

struct fdm_slot {
	fdm_handler_fn handler; /* NULL: free */
	void *data;
	int events;
	uint32_t gen;
};

struct fdm_hook {
	fdm_hook_fn fn;
	void *data;
};

struct fdm {
	int epfd;
	struct fdm_slot *slots;
	int nslots;
	uint32_t gen;
	struct fdm_hook hooks[FDM_MAX_HOOKS];
	int nhooks;
};

struct fdm *fdm_create(void)
{
	struct fdm *fdm = calloc(1, sizeof *fdm);

	if (!fdm)
		return NULL;
	fdm->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (fdm->epfd < 0) {
		free(fdm);
		return NULL;
	}
	return fdm;
}

void fdm_destroy(struct fdm *fdm)
{
	if (!fdm)
		return;
	close(fdm->epfd);
	free(fdm->slots);
	free(fdm);
}

static struct fdm_slot *slot_of(const struct fdm *fdm, int fd)
{
	if (fd < 0 || fd >= fdm->nslots || !fdm->slots[fd].handler)
		return NULL;
	return &fdm->slots[fd];
}

static int ctl(struct fdm *fdm, int op, int fd, struct fdm_slot *sl)
{
	struct epoll_event ev = {.events = (uint32_t)sl->events,
				 .data.u64 = (uint64_t)sl->gen << 32 | (uint32_t)fd};

	return epoll_ctl(fdm->epfd, op, fd, &ev) < 0 ? -errno : 0;
}

int fdm_add(struct fdm *fdm, int fd, int events, fdm_handler_fn h, void *data)
{
	struct fdm_slot *sl;
	int r;

	if (fd < 0 || !h)
		return -EINVAL;
	if (fd >= fdm->nslots) {
		int n = fdm->nslots ? fdm->nslots : 64;
		while (n <= fd)
			n *= 2;
		sl = realloc(fdm->slots, (size_t)n * sizeof *sl);
		if (!sl)
			return -ENOMEM;
		memset(sl + fdm->nslots, 0, (size_t)(n - fdm->nslots) * sizeof *sl);
		fdm->slots = sl;
		fdm->nslots = n;
	}
	sl = &fdm->slots[fd];
	/* A slot still held is a descriptor closed without fdm_del (the
	 * kernel dropped it from the set when it closed) and now reused. */
	if (sl->handler)
		epoll_ctl(fdm->epfd, EPOLL_CTL_DEL, fd, NULL);
	*sl = (struct fdm_slot){.handler = h, .data = data, .events = events, .gen = ++fdm->gen};
	r = ctl(fdm, EPOLL_CTL_ADD, fd, sl);
	if (r == -EEXIST)
		r = ctl(fdm, EPOLL_CTL_MOD, fd, sl);
	if (r < 0)
		sl->handler = NULL;
	return r;
}

void fdm_del(struct fdm *fdm, int fd)
{
	struct fdm_slot *sl = slot_of(fdm, fd);

	if (!sl)
		return;
	epoll_ctl(fdm->epfd, EPOLL_CTL_DEL, fd, NULL); /* already gone if it was closed */
	sl->handler = NULL;
	sl->data = NULL;
}

void fdm_del_if(struct fdm *fdm, int fd, fdm_handler_fn h, void *data)
{
	struct fdm_slot *sl = slot_of(fdm, fd);

	if (sl && sl->handler == h && sl->data == data)
		fdm_del(fdm, fd);
}

static int set_events(struct fdm *fdm, int fd, int events)
{
	struct fdm_slot *sl = slot_of(fdm, fd);

	if (!sl)
		return -ENOENT;
	if (sl->events == events)
		return 0;
	sl->events = events;
	return ctl(fdm, EPOLL_CTL_MOD, fd, sl);
}

int fdm_event_add(struct fdm *fdm, int fd, int events)
{
	int now = fdm_events(fdm, fd);

	return now < 0 ? -ENOENT : set_events(fdm, fd, now | events);
}

int fdm_event_del(struct fdm *fdm, int fd, int events)
{
	int now = fdm_events(fdm, fd);

	return now < 0 ? -ENOENT : set_events(fdm, fd, now & ~events);
}

int fdm_events(const struct fdm *fdm, int fd)
{
	const struct fdm_slot *sl = slot_of(fdm, fd);

	return sl ? sl->events : -1;
}

int fdm_hook_add(struct fdm *fdm, fdm_hook_fn h, void *data)
{
	if (fdm->nhooks == FDM_MAX_HOOKS)
		return -ENOSPC;
	fdm->hooks[fdm->nhooks++] = (struct fdm_hook){h, data};
	return 0;
}

long fdm_hooks(struct fdm *fdm, long now_ms)
{
	long wait = IDLE_WAIT_MS;

	for (int i = 0; i < fdm->nhooks; i++) {
		long w = fdm->hooks[i].fn(fdm, now_ms, fdm->hooks[i].data);
		if (w >= 0 && w < wait)
			wait = w;
	}
	return wait;
}

int fdm_wait(struct fdm *fdm, long timeout_ms)
{
	struct epoll_event evs[FDM_EVENTS_PER_WAIT];
	int n = epoll_wait(fdm->epfd, evs, FDM_EVENTS_PER_WAIT, (int)(timeout_ms > 0 ? timeout_ms : 0));

	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		int fd = (int)(uint32_t)evs[i].data.u64;
		struct fdm_slot *sl = slot_of(fdm, fd);
		if (!sl || sl->gen != (uint32_t)(evs[i].data.u64 >> 32))
			continue; /* deleted by a handler before it */
		sl->handler(fdm, fd, (int)evs[i].events, sl->data);
	}
	return n;
}
