/* The output filter's cost a byte (kpty_vtfilter, in front of every
 * libvterm): C headers as a program's output (ASCII with tabs and line
 * feeds), and mixed UTF-8 text with wide characters and combining marks;
 * fed in pty-sized reads, median and p99 of the rounds; beside it, in
 * the same run, what libvterm's parser and state layer (the host's
 * screen without telly's cells) take for the same bytes, and the ratio.
 *
 *   vtfilter-bench [ROUNDS]   (default 15) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vterm.h>

#include "vtfilter.h"

static size_t total;

static void sink(void *ctx, const void *p, size_t n)
{
	(void)ctx, (void)p;
	total += n;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void to_vterm(void *ctx, const void *p, size_t n)
{
	vterm_input_write(ctx, p, n);
}

/* median ns a byte; with vt: through libvterm alone */
static double bench(const char *what, const char *buf, size_t n, int rounds, VTerm *vt)
{
	struct kpty_vtfilter f;
	double *ns = calloc((size_t)rounds, sizeof *ns), med;

	if (!ns || !kpty_vtfilter_init(&f, sink, NULL)) {
		fprintf(stderr, "vtfilter-bench: no memory or no UTF-8 locale\n");
		exit(1);
	}
	for (int r = 0; r < rounds; r++) {
		double t0 = now_s();
		for (size_t off = 0; off < n; off += 4096) {
			size_t k = n - off < 4096 ? n - off : 4096;
			if (vt)
				to_vterm(vt, buf + off, k);
			else
				kpty_vtfilter_feed(&f, buf + off, k);
		}
		ns[r] = (now_s() - t0) * 1e9 / (double)n;
	}
	qsort(ns, (size_t)rounds, sizeof *ns, cmp);
	med = ns[rounds / 2];
	printf("%-30s %6.2f ns/byte median, %6.2f p99 (%d rounds of %zu MB)\n", what, med,
	       ns[rounds - 1 - rounds / 100], rounds, n >> 20);
	kpty_vtfilter_finish(&f);
	free(ns);
	return med;
}

static void pair(const char *what, const char *buf, size_t n, int rounds)
{
	VTerm *vt = vterm_new(24, 80);
	char label[64];
	double a, b;

	vterm_set_utf8(vt, 1);
	vterm_state_reset(vterm_obtain_state(vt), 1);
	snprintf(label, sizeof label, "%s, filter", what);
	a = bench(label, buf, n, rounds, NULL);
	snprintf(label, sizeof label, "%s, libvterm state", what);
	b = bench(label, buf, n, rounds, vt);
	printf("%-30s %6.2fx libvterm's own cost\n", "  filter:", a / b);
	vterm_free(vt);
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 15;
	size_t cap = 16u << 20, n = 0;
	char *buf = malloc(cap);
	FILE *src = popen("cat /usr/include/*.h 2>/dev/null", "r");
	static const char mixed[] = "Grüße, 中文字符 e\xcc\x81 \xf0\x9f\x98\x80 naïve\r\n";

	if (!buf || !src || rounds < 1)
		return 1;
	while (n < cap) {
		size_t k = fread(buf + n, 1, cap - n, src);
		if (!k)
			break;
		n += k;
	}
	pclose(src);
	pair("C headers", buf, n, rounds);
	for (size_t i = 0; i + sizeof mixed - 1 <= n; i += sizeof mixed - 1)
		memcpy(buf + i, mixed, sizeof mixed - 1);
	pair("mixed UTF-8", buf, n - n % (sizeof mixed - 1), rounds);
	free(buf);
	return total ? 0 : 1;
}
