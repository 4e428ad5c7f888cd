/* A console that prints: one 80-byte line every PERIOD_MS, numbered, with
 * no process started per line (a shell loop's `sleep` would cost more CPU
 * than the consoles being measured). Stands in for a guest's serial
 * output in the vmconsole benchmark.
 *
 *   ticker PERIOD_MS [COUNT]   (PERIOD_MS 0: idle forever, printing nothing;
 *                               after COUNT lines: idle, as a booted guest)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long ms = argc > 1 ? atol(argv[1]) : 100;
	struct timespec next;
	unsigned long n = 0, count = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;

	if (ms <= 0)
		for (;;)
			pause();
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		if (count && n == count)
			for (;;)
				pause();
		/* 80 bytes: "line NNNNNNNN " + 65 x's + "\n" */
		printf("line %08lu xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", ++n);
		fflush(stdout);
		next.tv_nsec += ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}
