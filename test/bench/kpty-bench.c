/* kpty-bench: kernel-pty against the Linux kernel's pty, in one run.
 *
 *  - keystroke-to-echo: one byte written on the master side until its echo
 *    is read back there (canonical mode, ECHO), p50 and p99 over many keys;
 *  - throughput: the slave writes, the master reads, in raw mode (no output
 *    processing: kernel-pty's bypass) and with OPOST|ONLCR on text.
 *
 * The Linux side runs a reader thread against a writer, both blocking, as a
 * terminal emulator and a program would. Medians of several rounds are
 * printed; the machine is shared, so only ratios in one run mean much.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kpty.h"

#define ECHO_KEYS 20000
#define LINE_KEYS 64          /* keys typed before a newline ends the line */
#define THROUGHPUT_BYTES (256u << 20)
#define LINUX_THROUGHPUT_BYTES (64u << 20)
#define CHUNK 4096
#define ROUNDS 5

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct(uint64_t *v, size_t n, double p)
{
	qsort(v, n, sizeof *v, cmp_u64);
	return (double)v[(size_t)(p * (double)(n - 1))];
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_d);
	return v[n / 2];
}

/* ---- kernel-pty ---- */

static void kpty_echo(uint64_t *lat)
{
	struct kpty *k = kpty_create(NULL, NULL);
	char buf[4096];
	struct kpty_read st = {0};

	for (int i = 0; i < ECHO_KEYS; i++) {
		uint64_t t0 = now_ns();
		kpty_master_write(k, "a", 1);
		long n = kpty_master_read(k, buf, sizeof buf);
		lat[i] = now_ns() - t0;
		if (n != 1) {
			fprintf(stderr, "kpty-bench: echo read %ld bytes\n", n);
			exit(1);
		}
		if (i % LINE_KEYS == LINE_KEYS - 1) {
			kpty_master_write(k, "\r", 1);
			kpty_master_read(k, buf, sizeof buf);
			kpty_slave_read(k, buf, sizeof buf, true, &st);
		}
	}
	kpty_destroy(k);
}

static void fill_text(char *buf, size_t n, bool lines)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = lines && i % 64 == 63 ? '\n' : (char)('a' + i % 26);
}

static double kpty_throughput(bool onlcr)
{
	struct kpty *k = kpty_create(NULL, NULL);
	struct kpty_termios t;
	static char in[CHUNK], out[2 * CHUNK];
	size_t moved = 0;
	uint64_t t0;

	kpty_tcgetattr(k, &t);
	t.c_lflag &= ~(KPTY_ICANON | KPTY_ECHO | KPTY_ISIG | KPTY_IEXTEN);
	t.c_iflag = 0;
	if (onlcr)
		t.c_oflag = KPTY_OPOST | KPTY_ONLCR;
	else
		t.c_oflag = 0;
	kpty_tcsetattr(k, &t);
	fill_text(in, sizeof in, true);
	t0 = now_ns();
	while (moved < THROUGHPUT_BYTES) {
		long w = kpty_slave_write(k, in, sizeof in);
		long r;
		while ((r = kpty_master_read(k, out, sizeof out)) > 0)
			;
		if (w <= 0) {
			fprintf(stderr, "kpty-bench: slave write %ld\n", w);
			exit(1);
		}
		moved += (size_t)w;
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	kpty_destroy(k);
	return (double)moved / secs / 1e6;
}

/* ---- the Linux pty ---- */

static void linux_echo(uint64_t *lat)
{
	int m, s;
	char buf[4096];

	if (openpty(&m, &s, NULL, NULL, NULL) < 0) {
		perror("openpty");
		exit(1);
	}
	fcntl(s, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < ECHO_KEYS; i++) {
		uint64_t t0 = now_ns();
		if (write(m, "a", 1) != 1 || read(m, buf, sizeof buf) != 1) {
			perror("kpty-bench: linux echo");
			exit(1);
		}
		lat[i] = now_ns() - t0;
		if (i % LINE_KEYS == LINE_KEYS - 1) {
			struct pollfd p = {.fd = s, .events = POLLIN};
			if (write(m, "\r", 1) != 1 || read(m, buf, sizeof buf) < 0)
				exit(1);
			poll(&p, 1, 1000);
			if (read(s, buf, sizeof buf) < 0)
				exit(1);
		}
	}
	close(m);
	close(s);
}

struct writer {
	int fd;
	size_t bytes;
};

static void *write_side(void *arg)
{
	struct writer *w = arg;
	static char in[CHUNK];
	size_t done = 0;

	fill_text(in, sizeof in, true);
	while (done < w->bytes) {
		ssize_t n = write(w->fd, in, sizeof in);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return NULL;
}

static double linux_throughput(bool onlcr)
{
	int m, s;
	struct termios t;
	static char out[65536];
	struct writer w;
	pthread_t th;
	size_t got = 0, want = LINUX_THROUGHPUT_BYTES;
	uint64_t t0;

	if (openpty(&m, &s, NULL, NULL, NULL) < 0)
		exit(1);
	tcgetattr(s, &t);
	cfmakeraw(&t);
	if (onlcr)
		t.c_oflag |= OPOST | ONLCR;
	tcsetattr(s, TCSANOW, &t);
	w = (struct writer){s, want};
	t0 = now_ns();
	pthread_create(&th, NULL, write_side, &w);
	/* With ONLCR every 64-byte line grows by one byte on the way. */
	size_t expect = onlcr ? want + want / 64 : want;
	while (got < expect) {
		ssize_t n = read(m, out, sizeof out);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	pthread_join(th, NULL);
	close(m);
	close(s);
	return (double)want / secs / 1e6;
}

int main(int argc, char **argv)
{
	static uint64_t lat[ECHO_KEYS];
	double kp50[ROUNDS], kp99[ROUNDS], lp50[ROUNDS], lp99[ROUNDS];
	double kraw[ROUNDS], lraw[ROUNDS], konl[ROUNDS], lonl[ROUNDS];

	if (argc > 1) {
		puts("usage: kpty-bench\n"
		     "Keystroke-to-echo latency and throughput of telly's kernel-pty against\n"
		     "the Linux kernel's pty, measured in one run.");
		return strcmp(argv[1], "--help") && strcmp(argv[1], "-h") ? 2 : 0;
	}
	for (int r = 0; r < ROUNDS; r++) {
		kpty_echo(lat);
		kp50[r] = pct(lat, ECHO_KEYS, 0.50);
		kp99[r] = pct(lat, ECHO_KEYS, 0.99);
		linux_echo(lat);
		lp50[r] = pct(lat, ECHO_KEYS, 0.50);
		lp99[r] = pct(lat, ECHO_KEYS, 0.99);
		kraw[r] = kpty_throughput(false);
		lraw[r] = linux_throughput(false);
		konl[r] = kpty_throughput(true);
		lonl[r] = linux_throughput(true);
	}
	double a = median(kp50, ROUNDS), b = median(lp50, ROUNDS);
	double c = median(kp99, ROUNDS), d = median(lp99, ROUNDS);
	double e = median(kraw, ROUNDS), f = median(lraw, ROUNDS);
	double g = median(konl, ROUNDS), h = median(lonl, ROUNDS);

	printf("kernel-pty vs the Linux pty (median of %d rounds; %d keys a round)\n\n", ROUNDS,
	       ECHO_KEYS);
	printf("%-32s %14s %14s %10s %s\n", "", "kernel-pty", "linux pty", "ratio", "target");
	printf("%-32s %14.0f %14.0f %9.1fx %s\n", "keystroke-to-echo p50 (ns)", a, b, b / a,
	       a < 1000 ? "< 1 us: met" : "< 1 us: MISSED");
	printf("%-32s %14.0f %14.0f %9.1fx\n", "keystroke-to-echo p99 (ns)", c, d, d / c);
	printf("%-32s %14.0f %14.0f %9.1fx %s\n", "raw throughput (MB/s)", e, f, e / f,
	       e >= 5 * f ? ">= 5x: met" : ">= 5x: MISSED");
	printf("%-32s %14.0f %14.0f %9.1fx %s\n", "OPOST|ONLCR throughput (MB/s)", g, h, g / h,
	       g >= 2 * h ? ">= 2x: met" : ">= 2x: MISSED");
	return 0;
}
