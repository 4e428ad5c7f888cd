/* kpty-fuzz: differential testing of kernel-pty against the Linux kernel.
 *
 *   kpty-fuzz --check FILE...        run each script both ways; fail on any
 *                                    difference (the corpus test)
 *   kpty-fuzz --seconds N --seed S   generate random scripts for N seconds
 *                                    (0: until a failure or ^C)
 *   kpty-fuzz --scripts N --jobs J   the seed's first N scripts, J at once
 *
 * A difference is confirmed by running the Linux side again with a longer
 * quiet period (the kernel's input processing is asynchronous; a rerun
 * separates a real difference from a runner that read too early). A
 * confirmed difference from the generator is minimized by dropping
 * operations while the difference stays, then printed as a script.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"

#define QUIET_MS 4
#define CONFIRM_QUIET_MS 40
#define KPTY_FUZZ_JOBS_MAX 64

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	/* splitmix64: small, seedable, good enough for test generation */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(struct rng *r, unsigned n) { return (unsigned)(next(r) % n); }

struct text {
	char *buf;
	size_t len;
};

static int run_both(const struct ts_script *s, size_t nops, int quiet_ms, struct text *k,
		    struct text *l)
{
	FILE *fk = open_memstream(&k->buf, &k->len);
	FILE *fl = open_memstream(&l->buf, &l->len);
	int rc = 0;

	if (!fk || !fl)
		return -1;
	if (ts_run_kpty(s, nops, fk) < 0)
		rc = -1;
	if (ts_run_linux(s, nops, quiet_ms, fl) < 0)
		rc = -1;
	fclose(fk);
	fclose(fl);
	return rc;
}

static void text_free(struct text *t)
{
	free(t->buf);
	t->buf = NULL;
	t->len = 0;
}

/* 1: the two differ (confirmed), 0: same, -1: a runner failed. */
static int differs(const struct ts_script *s, size_t nops, struct text *k, struct text *l)
{
	int rc = run_both(s, nops, QUIET_MS, k, l);

	if (rc < 0)
		return -1;
	if (k->len == l->len && !memcmp(k->buf, l->buf, k->len))
		return 0;
	text_free(k);
	text_free(l);
	if (run_both(s, nops, CONFIRM_QUIET_MS, k, l) < 0)
		return -1;
	return !(k->len == l->len && !memcmp(k->buf, l->buf, k->len));
}

static void show(const struct text *k, const struct text *l)
{
	printf("--- kernel-pty\n%.*s--- linux\n%.*s", (int)k->len, k->buf, (int)l->len, l->buf);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			char *b = realloc(buf, cap = cap * 2 + 8192);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, 4096, f);
		n += got;
		if (got < 4096)
			break;
		if (n > (1u << 20)) {
			free(buf);
			fclose(f);
			return NULL;
		}
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int check(int argc, char **argv)
{
	int failed = 0;

	for (int i = 0; i < argc; i++) {
		struct ts_script s;
		struct text k = {0}, l = {0};
		size_t len;
		char *text = slurp(argv[i], &len);
		int d;

		if (!text) {
			fprintf(stderr, "kpty-fuzz: %s: %s\n", argv[i], strerror(errno));
			return 2;
		}
		if (ts_parse(&s, argv[i], text, len) < 0) {
			free(text);
			return 2;
		}
		free(text);
		d = differs(&s, s.nops, &k, &l);
		if (d) {
			printf("FAIL %s%s\n", argv[i], d < 0 ? " (runner failed)" : "");
			show(&k, &l);
			failed++;
		} else {
			printf("ok   %s\n", argv[i]);
		}
		text_free(&k);
		text_free(&l);
		ts_free(&s);
	}
	return failed ? 1 : 0;
}

/* ---- generation ---- */

static const char *const stty_words[] = {
	"icanon", "-icanon", "echo", "-echo", "echoe", "-echoe", "echok", "-echok",
	"echoke", "-echoke", "echoctl", "-echoctl", "echoprt", "-echoprt", "echonl",
	"-echonl", "isig", "-isig", "noflsh", "-noflsh", "iexten", "-iexten", "icrnl",
	"-icrnl", "inlcr", "-inlcr", "igncr", "-igncr", "istrip", "-istrip", "iuclc",
	"-iuclc", "ixon", "-ixon", "ixany", "-ixany", "iutf8", "-iutf8", "opost",
	"-opost", "onlcr", "-onlcr", "ocrnl", "-ocrnl", "onocr", "-onocr", "onlret",
	"-onlret", "olcuc", "-olcuc", "tab0", "tab3", "sane", "raw", "-raw", "cbreak",
	"-cbreak", "extproc", "-extproc", "parmrk", "-parmrk", "nl", "-nl",
};

static const char *const cc_words[] = {"erase", "kill", "werase", "eof", "eol", "eol2",
				       "intr", "quit", "susp", "rprnt", "lnext", "start",
				       "stop"};

static const char *const cc_values[] = {"^H", "^?", "^U", "^W", "^D", "^A", "^B", "undef",
					"#", "@", "^C", "^Z", "^R", "^V", "^Q", "^S", ";"};

static void gen_input(struct rng *r, unsigned char *b, size_t *len)
{
	static const char *const pieces[] = {
		"a", "b", "x", "Z", " ", "_", ".", "1", "\x7f", "\x08", "\x15", "\x17", "\x12",
		"\x16", "\x04", "\x03", "\x1c", "\x1a", "\x13", "\x11", "\r", "\n", "\t",
		"\x01", "\x02", "\x1b", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80",
		"\xff", "\x9b", "#", "@", ";", "%", "\xc9",
	};
	size_t n = 1 + below(r, 10);

	*len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[below(r, sizeof pieces / sizeof pieces[0])];
		size_t pl = strlen(p);
		memcpy(b + *len, p, pl);
		*len += pl;
	}
}

static void gen_output(struct rng *r, unsigned char *b, size_t *len)
{
	static const char *const pieces[] = {"a", "bc", "Hello", " ", "\n", "\r", "\t", "\b",
					     "\xc3\xa9", "\x01", "\xdf", "\xe9", "x\n"};
	size_t n = 1 + below(r, 8);

	*len = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[below(r, sizeof pieces / sizeof pieces[0])];
		size_t pl = strlen(p);
		memcpy(b + *len, p, pl);
		*len += pl;
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void generate(struct rng *r, struct ts_script *s)
{
	size_t nops = 8 + below(r, 32);
	unsigned char buf[256];

	memset(s, 0, sizeof *s);
	s->ops = calloc(nops + 2, sizeof *s->ops);
	if (!s->ops)
		abort();
	for (size_t i = 0; i < nops; i++) {
		struct ts_op *o = &s->ops[s->nops++];
		unsigned w = below(r, 100);

		o->line = (int)i + 1;
		if (w < 30) {
			o->kind = TS_MWRITE;
			gen_input(r, buf, &o->len);
		} else if (w < 40) {
			o->kind = TS_SWRITE;
			gen_output(r, buf, &o->len);
		} else if (w < 55) {
			o->kind = TS_SREAD;
			o->n[0] = below(r, 3) ? 4096 : 1 + below(r, 6);
		} else if (w < 70) {
			o->kind = TS_MREAD;
		} else if (w < 84) {
			int nw = 1 + (int)below(r, 3);
			o->kind = TS_STTY;
			o->argv = calloc(6, sizeof *o->argv);
			if (!o->argv)
				abort();
			for (int j = 0; j < nw; j++) {
				if (below(r, 4) == 0) {
					o->argv[o->argc++] = xstrdup(cc_words[below(r, 13)]);
					o->argv[o->argc++] = xstrdup(cc_values[below(r, 17)]);
				} else if (below(r, 8) == 0) {
					o->argv[o->argc++] = xstrdup("min");
					o->argv[o->argc++] = xstrdup(below(r, 2) ? "0" : "2");
				} else {
					o->argv[o->argc++] = xstrdup(
						stty_words[below(r, sizeof stty_words / sizeof stty_words[0])]);
				}
			}
		} else if (w < 89) {
			o->kind = TS_SIGS;
		} else if (w < 91) {
			o->kind = TS_WINSIZE;
			o->n[0] = below(r, 3) * 10;
			o->n[1] = below(r, 3) * 40;
		} else if (w < 94) {
			o->kind = TS_PACKET;
			o->n[0] = below(r, 2);
		} else if (w < 96) {
			o->kind = TS_MSIG;
			o->n[0] = (long[]){SIGINT, SIGQUIT, SIGTSTP}[below(r, 3)];
		} else if (w < 98) {
			o->kind = TS_SFLUSH;
			o->n[0] = below(r, 3);
		} else {
			o->kind = below(r, 2) ? TS_MCLOSE : TS_SCLOSE;
		}
		if (o->kind == TS_MWRITE || o->kind == TS_SWRITE) {
			o->str = malloc(o->len ? o->len : 1);
			if (!o->str)
				abort();
			memcpy(o->str, buf, o->len);
		}
	}
	/* End by observing everything. */
	s->ops[s->nops++] = (struct ts_op){.kind = TS_MREAD, .line = (int)nops + 1};
	s->ops[s->nops++] = (struct ts_op){.kind = TS_SIGS, .line = (int)nops + 2};
}

/* Drop ops one at a time (last first) while the difference stays. */
static void minimize(struct ts_script *s)
{
	for (size_t i = s->nops; i-- > 0;) {
		struct ts_op saved = s->ops[i];
		struct text k = {0}, l = {0};

		memmove(&s->ops[i], &s->ops[i + 1], (s->nops - i - 1) * sizeof *s->ops);
		s->nops--;
		int d = differs(s, s->nops, &k, &l);
		text_free(&k);
		text_free(&l);
		if (d == 1) {
			free(saved.str);
			for (int j = 0; j < saved.argc; j++)
				free(saved.argv[j]);
			free(saved.argv);
			continue;
		}
		memmove(&s->ops[i + 1], &s->ops[i], (s->nops - i) * sizeof *s->ops);
		s->ops[i] = saved;
		s->nops++;
	}
}

/* Scripts [first, ...) of the seed's sequence, every jobs-th one (the
 * generator runs for all, so script N is the same whatever the jobs),
 * until max scripts (0: no limit) or seconds (0: no limit) are reached or
 * one differs. Returns 1 on a difference, else 0; *ran counts the runs. */
static int random_part(double seconds, uint64_t seed, unsigned long max, unsigned first,
		       unsigned jobs, unsigned long *ran)
{
	struct timespec t0, t;
	struct rng r = {seed};
	unsigned long count = 0;

	*ran = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct ts_script s;
		struct text k = {0}, l = {0};
		int d;

		clock_gettime(CLOCK_MONOTONIC, &t);
		if (seconds > 0 && (double)(t.tv_sec - t0.tv_sec) +
					   (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
			break;
		if (max && count >= max)
			break;
		generate(&r, &s);
		count++;
		if ((count - 1) % jobs != first) {
			ts_free(&s);
			continue;
		}
		d = differs(&s, s.nops, &k, &l);
		(*ran)++;
		if (d) {
			printf("FAIL: script %lu of seed %llu %s\n", count, (unsigned long long)seed,
			       d < 0 ? "(runner failed)" : "differs");
			if (d > 0) {
				text_free(&k);
				text_free(&l);
				minimize(&s);
				printf("--- minimized script\n");
				ts_print(stdout, &s);
				differs(&s, s.nops, &k, &l);
			}
			show(&k, &l);
			text_free(&k);
			text_free(&l);
			ts_free(&s);
			return 1;
		}
		text_free(&k);
		text_free(&l);
		ts_free(&s);
	}
	return 0;
}

/* The Linux side mostly waits for its pty to be quiet, so scripts run in
 * jobs processes at once finish jobs times sooner for the same scripts. */
static int random_run(double seconds, uint64_t seed, unsigned long max, unsigned jobs)
{
	unsigned long count = 0, ran;
	int bad = 0;

	if (jobs <= 1) {
		bad = random_part(seconds, seed, max, 0, 1, &count);
	} else {
		pid_t pids[KPTY_FUZZ_JOBS_MAX];
		unsigned started = 0;
		int pipes[2];

		/* Each child writes its count of runs into the pipe at its end. */
		if (pipe(pipes) < 0) {
			perror("kpty-fuzz: pipe");
			return 1;
		}
		for (; started < jobs; started++) {
			pids[started] = fork();
			if (pids[started] < 0) {
				perror("kpty-fuzz: fork");
				bad = 1;
				break;
			}
			if (pids[started] == 0) {
				int rc = random_part(seconds, seed, max, started, jobs, &ran);

				close(pipes[0]);
				if (write(pipes[1], &ran, sizeof ran) != (ssize_t)sizeof ran)
					rc = 1;
				_exit(rc);
			}
		}
		close(pipes[1]);
		/* The first difference ends the others (without limits they
		 * would run on forever). */
		for (unsigned left = started; left > 0; left--) {
			int status;
			pid_t pid = wait(&status);

			if (pid < 0)
				break;
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				if (!bad)
					for (unsigned j = 0; j < started; j++)
						if (pids[j] != pid)
							kill(pids[j], SIGTERM);
				bad = 1;
			}
		}
		while (read(pipes[0], &ran, sizeof ran) == (ssize_t)sizeof ran)
			count += ran;
		close(pipes[0]);
	}
	if (bad)
		return 1;
	printf("kpty-fuzz: %lu random scripts from seed %llu agree with the Linux pty\n", count,
	       (unsigned long long)seed);
	return 0;
}

int main(int argc, char **argv)
{
	double seconds = 120;
	uint64_t seed = 0;
	unsigned long scripts = 0, jobs = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--check"))
		return check(argc - 2, argv + 2);
	for (int i = 1; i < argc; i++) {
		char *end = NULL;
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = strtod(argv[++i], &end);
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], &end, 0);
		} else if (!strcmp(argv[i], "--scripts") && i + 1 < argc) {
			scripts = strtoul(argv[++i], &end, 10);
		} else if (!strcmp(argv[i], "--jobs") && i + 1 < argc) {
			jobs = strtoul(argv[++i], &end, 10);
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("usage: kpty-fuzz --check FILE...\n"
			     "       kpty-fuzz [--seconds N] [--scripts N] [--seed S] [--jobs J]\n"
			     "Differential test of telly's kernel-pty against the Linux pty.\n"
			     "--seconds 0 runs until a difference is found; --scripts N\n"
			     "stops after the seed's first N scripts, run by J processes.");
			return 0;
		} else {
			fprintf(stderr, "kpty-fuzz: unknown argument '%s' (try --help)\n", argv[i]);
			return 2;
		}
		if (!end || *end || seconds < 0 || jobs < 1 || jobs > KPTY_FUZZ_JOBS_MAX) {
			fprintf(stderr, "kpty-fuzz: bad number for %s\n", argv[i - 1]);
			return 2;
		}
	}
	if (!seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec ^ (uint64_t)ts.tv_nsec;
	}
	return random_run(seconds, seed, scripts, (unsigned)jobs);
}
