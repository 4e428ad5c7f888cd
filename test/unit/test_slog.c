/* The session log (clients/slog.c) as its owner, the daemon's loop, sees
 * it: asking what happened to a log never waits for the log's writer,
 * even when that writer is stuck in a file call (a slow or hung file
 * system), since every session shares the loop. */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "slog.h"
#include "unit.h"

#define ANSWER_WAIT_S 10 /* far more than an answer takes; a hang fails */

static pid_t writer_tid;

static void *write_much(void *arg)
{
	static char buf[1 << 18];

	__atomic_store_n(&writer_tid, gettid(), __ATOMIC_SEQ_CST);
	memset(buf, 'x', sizeof buf);
	telly_slog_write(arg, buf, sizeof buf); /* more than a pipe holds */
	return NULL;
}

static void *ask(void *arg)
{
	int err = 0;
	unsigned long long lost = 0;

	for (int i = 0; i < 100; i++)
		(void)telly_slog_events(arg, &err, &lost);
	return NULL;
}

static void events_never_wait(void)
{
	char dir[] = "/tmp/telly-slog.XXXXXX", path[64], sink[4096];
	struct telly_slog *l;
	struct timespec until;
	pthread_t writer, asker;
	int rd, queued = 0;
	bool stuck = false;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof path, "%s/s.log", dir);
	/* The log is a pipe that nobody reads until the end. */
	CHECK(mkfifo(path, 0600) == 0);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	l = rd >= 0 ? telly_slog_start(dir, "s", 1u << 30, "test") : NULL;
	if (!l) {
		CHECK(!"a log on a pipe");
		return;
	}
	CHECK(pthread_create(&writer, NULL, write_much, l) == 0);
	/* Until the writer sleeps in write() on the full pipe. */
	for (int i = 0; i < 10000 && !stuck; i++) {
		char wchan[64] = "";
		FILE *w;
		snprintf(path, sizeof path, "/proc/self/task/%d/wchan",
			 (int)__atomic_load_n(&writer_tid, __ATOMIC_SEQ_CST));
		if ((w = fopen(path, "r"))) {
			stuck = fgets(wchan, sizeof wchan, w) && strstr(wchan, "pipe_write");
			fclose(w);
		}
		if (!stuck)
			usleep(1000);
	}
	CHECK(stuck);
	CHECK(ioctl(rd, FIONREAD, &queued) == 0 && queued > 0);
	/* The owner still gets its answers. */
	CHECK(pthread_create(&asker, NULL, ask, l) == 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ANSWER_WAIT_S;
	if (pthread_timedjoin_np(asker, NULL, &until)) {
		CHECK(!"telly_slog_events waited for the log's writer");
		_exit(1); /* the asker is stuck: nothing to clean up safely */
	}
	/* Now let the writer finish. */
	while (pthread_tryjoin_np(writer, NULL))
		if (read(rd, sink, sizeof sink) <= 0)
			usleep(1000);
	snprintf(path, sizeof path, "%s/s.log", dir);
	telly_slog_destroy(l);
	close(rd);
	unlink(path);
	snprintf(path, sizeof path, "%s/.s.running", dir);
	unlink(path);
	rmdir(dir);
}

static const struct unit_case cases[] = {
	{"events-never-wait", events_never_wait},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
