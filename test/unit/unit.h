/* The unit-test harness: checks that count failures, and a main that lists
 * the cases or runs one (the runner gives each case its own process). */
#ifndef TELLY_UNIT_H
#define TELLY_UNIT_H

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (!(cond)) {                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,   \
				__LINE__, #cond);                                \
			failures++;                                              \
		}                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                           \
	do {                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);              \
		if (a_ != b_) {                                                  \
			fprintf(stderr, "%s:%d: %s == %lld, expected %lld\n",    \
				__FILE__, __LINE__, #a, a_, b_);                 \
			failures++;                                              \
		}                                                                \
	} while (0)

struct unit_case {
	const char *name;
	void (*fn)(void);
};

/*   PROG --list   names of the cases
 *   PROG NAME     run one case
 *   PROG          run them all */
static inline int unit_main(const struct unit_case *cases, size_t n, int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < n; i++)
			puts(cases[i].name);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		if (argc == 2 && strcmp(argv[1], cases[i].name))
			continue;
		cases[i].fn();
		if (argc == 2)
			return failures ? 1 : 0;
	}
	if (argc == 2) {
		fprintf(stderr, "unknown case '%s'\n", argv[1]);
		return 2;
	}
	return failures ? 1 : 0;
}

#endif
