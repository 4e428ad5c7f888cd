/* typometer: a terminal client's keystroke-to-echo latency and output
 * drain rate, measured from the user's side of a real pty.
 *
 *   typometer echo N -- CMD...   type N keys into CMD, one at a time, and
 *                                time each until its echo comes back
 *   typometer drain -- CMD...    press Enter once, time until "END-OF-DRAIN"
 *
 * CMD (telly attach, ssh -tt, mosh-client, tmux) runs on a new pty as this
 * benchmark's "terminal"; it must print READY-FOR-KEYS when the far program
 * (cat, or a shell script that waits for Enter) is ready. Prints one line:
 * "echo p50_us p99_us n" or "drain seconds bytes".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define READY "READY-FOR-KEYS"
#define END "END-OF-DRAIN"
#define KEY_TIMEOUT_MS 5000
#define READY_TIMEOUT_MS 30000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* What is read from the terminal: the last few bytes of earlier reads are
 * kept in front of each new read, so a marker split between reads is
 * found too. */
#define KEEP 63
struct scan {
	char buf[KEEP + 65536];
	size_t kept;
};

/* Read until `want` (at most KEEP + 1 bytes) appears in the output or the
 * time is up. Returns the bytes read, or -1 on a timeout. */
static long wait_for(struct scan *sc, int fd, const char *want, int timeout_ms)
{
	size_t wl = strlen(want);
	double end = now_us() + timeout_ms * 1e3;
	long total = 0;

	for (;;) {
		double left = end - now_us();
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)(left / 1e3) + 1) <= 0)
			return -1;
		ssize_t n = read(fd, sc->buf + sc->kept, sizeof sc->buf - sc->kept);
		if (n <= 0)
			return -1;
		total += n;
		size_t len = sc->kept + (size_t)n;
		if (memmem(sc->buf, len, want, wl)) {
			sc->kept = 0;
			return total;
		}
		sc->kept = len < KEEP ? len : KEEP;
		memmove(sc->buf, sc->buf + len - sc->kept, sc->kept);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int master, i = 1, keys = 0;
	bool drain;
	pid_t pid;
	struct scan *sc = calloc(1, sizeof *sc);

	if (argc < 4 || !sc) {
		fprintf(stderr, "usage: typometer echo N -- CMD... | typometer drain -- CMD...\n");
		return 2;
	}
	drain = !strcmp(argv[1], "drain");
	if (!drain)
		keys = atoi(argv[++i]);
	if (strcmp(argv[++i], "--"))
		return 2;
	i++;
	pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[i], argv + i);
		perror(argv[i]);
		_exit(127);
	}
	if (wait_for(sc, master, READY, READY_TIMEOUT_MS) < 0) {
		fprintf(stderr, "typometer: %s never printed %s\n", argv[i], READY);
		goto fail;
	}
	if (drain) {
		double t0 = now_us();
		long total = 0, n;
		if (write(master, "\r", 1) != 1)
			goto fail;
		while ((n = wait_for(sc, master, END, 600000)) >= 0) {
			total += n;
			break;
		}
		if (n < 0) {
			fprintf(stderr, "typometer: no %s\n", END);
			goto fail;
		}
		printf("drain %.3f %ld\n", (now_us() - t0) / 1e6, total);
	} else {
		double *lat = calloc((size_t)keys, sizeof *lat);
		for (int k = 0; k < keys; k++) {
			char key[2] = {(char)('a' + k % 26), 0};
			double t0 = now_us();
			if (write(master, key, 1) != 1 || wait_for(sc, master, key, KEY_TIMEOUT_MS) < 0) {
				fprintf(stderr, "typometer: no echo for key %d\n", k);
				goto fail;
			}
			lat[k] = now_us() - t0;
		}
		qsort(lat, (size_t)keys, sizeof *lat, cmp);
		printf("echo %.1f %.1f %d\n", lat[keys / 2], lat[(size_t)((keys - 1) * 0.99)], keys);
		free(lat);
	}
	kill(pid, SIGHUP);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return 0;
fail:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return 1;
}
