/* A session's log (see slog.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "rp.h"
#include "slog.h"
#include "vmc.h"

#define MARK_BYTES 600
#define PATH_BYTES 320

struct telly_slog {
	pthread_mutex_t mu;
	char name[RP_MAX_NAME + 1];
	char path[PATH_BYTES], run_path[PATH_BYTES];
	size_t cap, bytes;
	int fd;		 /* -1 while failed */
	dev_t dev;	 /* of the file fd is, to notice it was moved away */
	ino_t ino;
	bool line_start; /* the file ends with a newline, or is empty */
	bool failed, fail_told;
	int err;			/* the last failure's errno */
	unsigned long long lost;	/* bytes missed since the failure */
	unsigned long long lost_told;	/* of the failure that ended */
	char fail_stamp[VMC_STAMP_LEN + 1];
	long retry_at, check_at, told_at; /* ms, monotonic; told_at 0: never */
	unsigned events;
};

/* "2026-11-22T06:30:01.123", as a console's log lines are stamped. */
static void stamp(char out[VMC_STAMP_LEN + 1])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	vmc_stamp_format(out, (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	out[VMC_STAMP_LEN - 1] = 0; /* its trailing space */
}

/* (Re)opens the file at path to append; 0 or -errno. */
static int open_log(struct telly_slog *l, bool trunc)
{
	struct stat st;
	char last = '\n';
	/* Read too: its last byte says whether a mark needs a newline first. */
	int fd = open(l->path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | (trunc ? O_TRUNC : 0),
		      0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->bytes = (size_t)st.st_size;
	if (st.st_size > 0 && pread(fd, &last, 1, st.st_size - 1) != 1)
		last = '\n';
	l->line_start = last == '\n';
	return 0;
}

/* Writes stop working: the file is closed, and opened again at the next
 * write past retry_at. */
static void fail(struct telly_slog *l, int err, unsigned long long missed, long now)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	l->retry_at = now + TELLY_SLOG_RETRY_MS;
	if (l->failed) {
		l->lost += missed;
		return;
	}
	l->failed = true;
	l->err = err;
	l->lost = missed;
	stamp(l->fail_stamp);
	l->fail_told = !l->told_at || now - l->told_at >= TELLY_SLOG_QUIET_MS;
	if (l->fail_told) {
		l->events |= TELLY_SLOG_FAILED;
		l->told_at = now;
	}
}

/* Bytes into a working file, rotated first if they would pass the cap. */
static void put(struct telly_slog *l, const void *buf, size_t n, long now)
{
	size_t w;

	if (l->bytes && l->bytes + n > l->cap) {
		/* One older generation is kept beside it. */
		int r;
		base_log_rotate(l->path, 1);
		if ((r = open_log(l, true)) < 0) {
			fail(l, -r, n, now);
			return;
		}
	}
	w = base_write_all(l->fd, buf, n, -1);
	l->bytes += w;
	if (w)
		l->line_start = ((const char *)buf)[w - 1] == '\n';
	if (w < n)
		fail(l, errno, n - w, now);
}

/* Under the mutex: true when the file takes writes, after opening it
 * again if writes failed and it is time to retry, or if it was deleted
 * or moved away. */
static bool ready(struct telly_slog *l, long now)
{
	char m[MARK_BYTES], at[VMC_STAMP_LEN + 1];
	int r, n;

	if (l->failed) {
		if (now < l->retry_at)
			return false;
		l->retry_at = now + TELLY_SLOG_RETRY_MS;
		if ((r = open_log(l, false)) < 0) {
			l->err = -r;
			return false;
		}
		stamp(at);
		n = snprintf(m, sizeof m,
			     "%s--- telly: session %s: %llu bytes of output were not logged "
			     "(%s, from %s to %s)\n",
			     l->line_start ? "" : "\n", l->name, l->lost, strerror(l->err),
			     l->fail_stamp, at);
		size_t w = base_write_all(l->fd, m, (size_t)n, -1);
		l->bytes += w;
		if (w < (size_t)n) {
			l->err = errno;
			close(l->fd);
			l->fd = -1;
			return false;
		}
		l->line_start = true;
		l->failed = false;
		l->check_at = now + TELLY_SLOG_CHECK_MS;
		if (l->fail_told) {
			l->events |= TELLY_SLOG_RECOVERED;
			l->lost_told = l->lost;
		}
		l->lost = 0;
		return true;
	}
	if (now >= l->check_at) {
		struct stat fst, pst;
		l->check_at = now + TELLY_SLOG_CHECK_MS;
		if (fstat(l->fd, &fst) == 0 && fst.st_nlink > 0 && stat(l->path, &pst) == 0 &&
		    pst.st_dev == l->dev && pst.st_ino == l->ino)
			return true;
		/* Gone, or another file is at its path now: writing on would
		 * keep the space of a file nobody sees. */
		if ((r = open_log(l, false)) < 0) {
			fail(l, -r, 0, now);
			return false;
		}
		stamp(at);
		n = snprintf(m, sizeof m, "--- telly: session %s: its log was deleted or moved; it goes on here, %s\n",
			     l->name, at);
		l->events |= TELLY_SLOG_REMADE;
		put(l, m, (size_t)n, now);
		return !l->failed;
	}
	return true;
}

static void write_locked(struct telly_slog *l, const void *buf, size_t n)
{
	long now = base_now_ms();

	if (ready(l, now))
		put(l, buf, n, now);
	else
		l->lost += n;
}

static void mark(struct telly_slog *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void mark(struct telly_slog *l, const char *fmt, ...)
{
	char m[MARK_BYTES];
	va_list ap;
	int n;

	pthread_mutex_lock(&l->mu);
	n = snprintf(m, sizeof m, "%s--- telly: session %s ", l->line_start ? "" : "\n", l->name);
	va_start(ap, fmt);
	n += vsnprintf(m + n, sizeof m - (size_t)n, fmt, ap);
	va_end(ap);
	if ((size_t)n >= sizeof m - 1)
		n = (int)sizeof m - 2;
	m[n++] = '\n';
	write_locked(l, m, (size_t)n);
	pthread_mutex_unlock(&l->mu);
}

/* What the file of a run never ended says ("STAMP PID": when it started,
 * which daemon ran it), as the rest of a mark; 0 if there is none. */
static int dead_run(const char *run_path, char *out, size_t n)
{
	char text[128] = "";
	char when[VMC_STAMP_LEN + 1] = "?";
	long pid = 0;
	int fd = open(run_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	ssize_t r = read(fd, text, sizeof text - 1);
	close(fd);
	text[r > 0 ? r : 0] = 0;
	sscanf(text, "%23s %ld", when, &pid);
	return snprintf(out, n, "started %s ended without an end mark: its daemon (pid %ld) died",
			when, pid);
}

struct telly_slog *telly_slog_start(const char *dir, const char *name, size_t cap,
				    const char *what)
{
	struct telly_slog *l = calloc(1, sizeof *l);
	char dead[200], at[VMC_STAMP_LEN + 1];
	int r, fd;

	if (!l)
		return NULL;
	if (pthread_mutex_init(&l->mu, NULL)) {
		free(l);
		return NULL;
	}
	snprintf(l->name, sizeof l->name, "%s", name);
	snprintf(l->path, sizeof l->path, "%s/%s.log", dir, name);
	snprintf(l->run_path, sizeof l->run_path, "%s/.%s.running", dir, name);
	l->cap = cap;
	l->fd = -1;
	l->line_start = true;
	if ((r = open_log(l, false)) < 0)
		fail(l, -r, 0, base_now_ms());
	l->check_at = base_now_ms() + TELLY_SLOG_CHECK_MS;
	if (dead_run(l->run_path, dead, sizeof dead))
		mark(l, "%s", dead);
	stamp(at);
	mark(l, "started %s: %s", at, what);
	/* Removed by the end mark: still here at a daemon's start, it tells
	 * of a run that daemon's death ended. */
	fd = open(l->run_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s %ld\n", at, (long)getpid());
		close(fd);
	}
	return l;
}

void telly_slog_write(struct telly_slog *l, const void *buf, size_t n)
{
	if (!n)
		return;
	pthread_mutex_lock(&l->mu);
	write_locked(l, buf, n);
	pthread_mutex_unlock(&l->mu);
}

bool telly_slog_write_now(struct telly_slog *l, const void *buf, size_t n)
{
	long now = base_now_ms();
	bool plain;

	if (pthread_mutex_trylock(&l->mu))
		return false;
	plain = !l->failed && now < l->check_at && !(l->bytes && l->bytes + n > l->cap);
	if (plain)
		put(l, buf, n, now);
	pthread_mutex_unlock(&l->mu);
	return plain;
}

void telly_slog_end(struct telly_slog *l, const char *why)
{
	char at[VMC_STAMP_LEN + 1];

	stamp(at);
	mark(l, "ended, %s, %s", why, at);
	unlink(l->run_path);
}

void telly_slog_destroy(struct telly_slog *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

unsigned telly_slog_events(struct telly_slog *l, int *err, unsigned long long *lost)
{
	unsigned ev;

	/* The pump's thread holds the lock across the log's file calls: on a
	 * slow or hung file system the loop every session shares must not
	 * wait for it. Busy: nothing to tell now, the events keep. */
	if (pthread_mutex_trylock(&l->mu))
		return 0;
	ev = l->events;
	l->events = 0;
	*err = l->err;
	*lost = l->lost_told;
	pthread_mutex_unlock(&l->mu);
	return ev;
}

const char *telly_slog_path(const struct telly_slog *l)
{
	return l->path;
}

int telly_slog_recover(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int count = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char run_path[PATH_BYTES], name[RP_MAX_NAME + 1], dead[200];
		if (e->d_name[0] != '.' || len < 10 || strcmp(e->d_name + len - 8, ".running") ||
		    len - 9 > RP_MAX_NAME)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(len - 9), e->d_name + 1);
		if (!rp_name_valid(name, strlen(name)))
			continue;
		snprintf(run_path, sizeof run_path, "%s/%s", dir, e->d_name);
		if (!dead_run(run_path, dead, sizeof dead))
			continue;
		/* Its log, as a session would open it, for the one mark. */
		struct telly_slog l = {.fd = -1, .cap = (size_t)-1, .line_start = true};
		snprintf(l.name, sizeof l.name, "%s", name);
		snprintf(l.path, sizeof l.path, "%s/%s.log", dir, name);
		if (open_log(&l, false) == 0) {
			char m[MARK_BYTES];
			int n = snprintf(m, sizeof m, "%s--- telly: session %s %s\n",
					 l.line_start ? "" : "\n", name, dead);
			base_write_all(l.fd, m, (size_t)n, -1);
			close(l.fd);
		}
		unlink(run_path);
		count++;
	}
	closedir(d);
	return count;
}
