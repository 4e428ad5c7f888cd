/* reconnect-bench: how soon typing works again once a lost link returns.
 *
 *   reconnect-bench [--save FILE] [--go FILE] [--view] CTL_FIFO PROXY_LOG DROPS RTT_MS -- CMD...
 *
 * CMD (telly attach through test/integration/cut-proxy, whose control
 * fifo is CTL_FIFO and whose output is PROXY_LOG: each command is done
 * once the proxy says so there) runs with its standard input and output on pipes
 * here; its program prints READY and answers each key itself (raw mode).
 * DROPS times: half of them the link is refused ("down") for a random
 * 0-1 s while a key is typed, then returns ("up"); the other half it is
 * reset and back at once ("cut"), a key typed just after. The keys of
 * drop N are "kN." (each drop's its own, so one lost or doubled shows in
 * what the program got: the caller compares). Each sample is
 * the time from the link's return to the key's echo on the desk: the
 * redial's wait, connecting, HELLO, RESUME and the key's round trip.
 * Prints p50, p90, p99 and the worst in ms, p50 and p99 in round trips
 * too (RTT_MS, the proxies' added round trip), and how many were within the issue's
 * bound, 4 round trips plus 300 ms. --save: everything CMD printed goes
 * to FILE too (for the caller to check the output, none lost or doubled).
 * --go: FILE is made once CMD showed READY (its program may start its
 * output then, so that the desk gets all of it from its first line).
 * --view: CMD is telly view --headless --key-fd 0 --paint-fd 1: each key
 * goes as a `type "kN."` line, its echo is awaited in the rows painted,
 * and a refused link is not awaited on the screen (the title says it).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 30000	   /* for READY, a status line, an echo */
#define TAIL_BYTES 4096	   /* output kept to look for what is awaited */
#define DOWN_MAX_MS 1000   /* a refused link lasts up to this */
#define BOUND_SLACK_MS 300 /* the bound: 4 round trips plus this */

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int out_fd, in_fd, ctl_fd;
static char tail[TAIL_BYTES + 1];
static size_t tail_len;
static FILE *save; /* --save */
static bool view;  /* --view */

/* Drop i's keys typed. */
static bool type_key(const char *key)
{
	char line[64];
	int n = view ? snprintf(line, sizeof line, "type \"%s\"\n", key)
		     : snprintf(line, sizeof line, "%s", key);

	return write(in_fd, line, (size_t)n) == n;
}

/* Reads CMD's output until it shows what (after what was read so far);
 * false after WAIT_MS or at its end. */
static bool await(const char *what)
{
	double end = now_ms() + WAIT_MS;

	tail_len = 0;
	for (;;) {
		tail[tail_len] = 0;
		if (memmem(tail, tail_len, what, strlen(what)))
			return true;
		double left = end - now_ms();
		struct pollfd p = {.fd = out_fd, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return false;
		if (tail_len > TAIL_BYTES / 2) { /* keep the last half */
			memmove(tail, tail + tail_len - TAIL_BYTES / 4, TAIL_BYTES / 4);
			tail_len = TAIL_BYTES / 4;
		}
		ssize_t n = read(out_fd, tail + tail_len, TAIL_BYTES - tail_len);
		if (n <= 0)
			return false;
		if (save)
			fwrite(tail + tail_len, 1, (size_t)n, save);
		tail_len += (size_t)n;
	}
}

static const char *proxy_log;

static int log_count(const char *word)
{
	FILE *f = fopen(proxy_log, "r");
	char line[128];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		n += !strncmp(line, word, strlen(word));
	fclose(f);
	return n;
}

/* A command to the proxy ("down\n"), done when its log says so. */
static void ctl(const char *cmd)
{
	char word[16];
	int before;

	snprintf(word, sizeof word, "%.*s", (int)strcspn(cmd, "\n"), cmd);
	before = log_count(word);
	if (write(ctl_fd, cmd, strlen(cmd)) < 0)
		perror("reconnect-bench: control fifo");
	for (double end = now_ms() + WAIT_MS; log_count(word) <= before && now_ms() < end;) {
		struct timespec ts = {0, 200000};
		nanosleep(&ts, NULL);
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void report(const char *label, double *s, int n, double rtt)
{
	int within = 0;

	if (!n)
		return;
	qsort(s, (size_t)n, sizeof *s, cmp);
	for (int i = 0; i < n; i++)
		within += s[i] <= 4 * rtt + BOUND_SLACK_MS;
	printf("%-34s %4.0f ms RTT  p50 %7.1f ms", label, rtt, s[n / 2]);
	if (rtt > 0)
		printf(" (%4.1f RTT)", s[n / 2] / rtt);
	printf("  p90 %7.1f ms  p99 %7.1f ms", s[n * 9 / 10], s[n * 99 / 100]);
	if (rtt > 0)
		printf(" (%4.1f RTT)", s[n * 99 / 100] / rtt);
	printf("  max %7.1f ms  within 4 RTT + 300 ms: %d/%d\n", s[n - 1], within, n);
}

int main(int argc, char **argv)
{
	int drops, to[2], from[2];
	double rtt, *down, *cut;
	int nd = 0, nc = 0;
	unsigned seed = 1;
	pid_t pid;
	const char *go = NULL;

	if (argc > 2 && !strcmp(argv[1], "--save")) {
		if (!(save = fopen(argv[2], "w"))) {
			perror(argv[2]);
			return 1;
		}
		argc -= 2, argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "--go")) {
		go = argv[2];
		argc -= 2, argv += 2;
	}
	if (argc > 1 && !strcmp(argv[1], "--view")) {
		view = true;
		argc--, argv++;
	}
	if (argc < 7 || strcmp(argv[5], "--")) {
		fprintf(stderr, "usage: reconnect-bench [--save FILE] [--go FILE] [--view] CTL_FIFO PROXY_LOG DROPS RTT_MS -- CMD...\n");
		return 2;
	}
	proxy_log = argv[2];
	drops = atoi(argv[3]);
	rtt = atof(argv[4]);
	signal(SIGPIPE, SIG_IGN);
	if ((ctl_fd = open(argv[1], O_WRONLY | O_CLOEXEC)) < 0 || pipe2(to, O_CLOEXEC) < 0 ||
	    pipe2(from, O_CLOEXEC) < 0) {
		perror("reconnect-bench");
		return 1;
	}
	if ((pid = fork()) == 0) {
		dup2(to[0], 0);
		dup2(from[1], 1);
		execvp(argv[6], argv + 6);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	in_fd = to[1];
	out_fd = from[0];
	down = calloc((size_t)drops + 1, sizeof *down);
	cut = calloc((size_t)drops + 1, sizeof *cut);
	if (!down || !cut || !await("READY")) {
		fprintf(stderr, "reconnect-bench: the program did not start\n");
		return 1;
	}
	if (go) {
		int fd = open(go, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			perror(go);
			return 1;
		}
		close(fd);
	}
	for (int i = 0; i < drops; i++) {
		char key[16];
		double t0;
		snprintf(key, sizeof key, "k%d.", i + 1);
		if (i % 2 == 0) {
			ctl("down\n");
			if (!view && !await("link down"))
				break;
			if (!type_key(key))
				break;
			sleep_ms(rand_r(&seed) % DOWN_MAX_MS);
			tail_len = 0;
			t0 = now_ms();
			ctl("up\n");
			if (!await(key))
				break;
			down[nd++] = now_ms() - t0;
		} else {
			ctl("cut\n");
			t0 = now_ms(); /* the link is back at once */
			if (!type_key(key) || !await(key))
				break;
			cut[nc++] = now_ms() - t0;
		}
		sleep_ms(50); /* the heartbeat's first round trip on the new link */
	}
	if (nd + nc < drops)
		fprintf(stderr, "reconnect-bench: only %d of %d drops resumed\n", nd + nc, drops);
	report("refused 0-1 s, then back: key shown", down, nd, rtt);
	report("reset, back at once: key shown", cut, nc, rtt);
	close(in_fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (save)
		fclose(save);
	return nd + nc == drops ? 0 : 1;
}
