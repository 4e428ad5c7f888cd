/* telly demo: /bin/sh on a real Linux pty in EXTPROC mode, with kernel-pty's
 * line discipline (kpty_lm) doing the editing, echo and signals in front of
 * it, the way `telly attach` will across a network.
 *
 * With a terminal on standard input the user types; without one, a short
 * scripted session runs and everything the user would have seen is printed.
 * One event loop: the pty master, the keyboard, SIGWINCH (signalfd).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "kpty_os.h"
#include "linemode.h"

#define READS_PER_WAKEUP 16
#define STEP_TIMEOUT_MS 15000
/* While finished lines wait for the program to read the previous one, the
 * loop looks again this often (there is no event for "input consumed"). */
#define PACE_POLL_MS 1
#define DROP_STALL_MS 1000 /* a terminal that takes nothing this long: its output is dropped */
#define PROMPT "telly-demo$ "

struct demo {
	struct kpty_os_child child;
	struct kpty_lm *lm;
	bool gone;     /* the shell exited */
	/* Input for the shell, waiting to be paced in. */
	struct kpty_os_inq inq;
	char seen[16384]; /* recent screen output, for the scripted waits */
	size_t seen_len;
};

static void to_far(void *ctx, const void *buf, size_t n)
{
	struct demo *d = ctx;

	if (!kpty_os_inq_push(&d->inq, buf, n, 0))
		fprintf(stderr, "\r\ntelly demo: the shell is not reading; input dropped\r\n");
}

/* Write queued input into the pty: a finished line only once the shell has
 * read everything before it (see kpty_os_input_queued), raw keys at once. */
static void feed(struct demo *d)
{
	kpty_os_inq_feed(&d->inq, &d->child, kpty_lm_local(d->lm), NULL, NULL);
}

static void to_screen(void *ctx, const void *buf, size_t n)
{
	struct demo *d = ctx;

	base_write_all(STDOUT_FILENO, buf, n, DROP_STALL_MS);
	if (n >= sizeof d->seen) {
		buf = (const char *)buf + n - sizeof d->seen;
		n = sizeof d->seen;
	}
	if (d->seen_len + n > sizeof d->seen) {
		size_t drop = d->seen_len + n - sizeof d->seen;
		memmove(d->seen, d->seen + drop, d->seen_len - drop);
		d->seen_len -= drop;
	}
	memcpy(d->seen + d->seen_len, buf, n);
	d->seen_len += n;
}

static void to_signal(void *ctx, int sig, bool flush)
{
	struct demo *d = ctx;

	if (flush) {
		kpty_os_inq_clear(&d->inq);
		kpty_os_flush_input(&d->child);
	}
	kpty_os_signal(d->child.master, sig);
}

static const struct kpty_lm_ops demo_ops = {
	.to_far = to_far, .to_screen = to_screen, .signal = to_signal,
};

static void on_master(struct demo *d)
{
	char buf[4096];

	for (int i = 0; i < READS_PER_WAKEUP; i++) {
		uint8_t status;
		long n = kpty_os_read(d->child.master, buf, sizeof buf, &status);
		if (n > 0) {
			kpty_lm_output(d->lm, buf, (size_t)n);
		} else if (n == 0) {
			struct kpty_termios t;
			if ((status & KPTY_PKT_IOCTL) && kpty_os_get_termios(d->child.master, &t) == 0)
				kpty_lm_set_termios(d->lm, &t);
		} else {
			return;
		}
	}
}

/* Wait for events for at most timeout_ms; handle them. */
static void step(struct demo *d, int keyboard, int sigfd, int timeout_ms)
{
	struct pollfd p[3] = {{.fd = d->child.master, .events = POLLIN},
			      {.fd = sigfd, .events = POLLIN},
			      {.fd = keyboard, .events = POLLIN}};
	int n;

	feed(d);
	if (d->inq.count && (timeout_ms < 0 || timeout_ms > PACE_POLL_MS))
		timeout_ms = PACE_POLL_MS;
	n = poll(p, keyboard >= 0 ? 3 : 2, timeout_ms);
	if (n <= 0)
		return;
	if (p[0].revents)
		on_master(d);
	if (p[1].revents & POLLIN) {
		struct signalfd_siginfo si;
		struct kpty_winsize ws;
		int status;
		while (read(sigfd, &si, sizeof si) == sizeof si) {
			if (si.ssi_signo == SIGWINCH && keyboard >= 0 &&
			    kpty_os_get_winsize(keyboard, &ws) == 0)
				kpty_os_set_winsize(d->child.master, &ws);
		}
		if (kpty_os_reap(&d->child, &status)) {
			on_master(d); /* what it printed last */
			d->gone = true;
		}
	}
	if (keyboard >= 0 && (p[2].revents & (POLLIN | POLLHUP))) {
		char buf[4096];
		ssize_t r = read(keyboard, buf, sizeof buf);
		if (r > 0)
			kpty_lm_keys(d->lm, buf, (size_t)r);
		else if (r == 0)
			d->gone = true;
	}
}

static bool seen_since(const struct demo *d, size_t mark, const char *text)
{
	size_t tl = strlen(text);

	if (mark > d->seen_len)
		mark = 0;
	for (size_t i = mark; i + tl <= d->seen_len; i++)
		if (!memcmp(d->seen + i, text, tl))
			return true;
	return false;
}

static const struct {
	const char *keys, *until;
} script[] = {
	{"", PROMPT},
	{"echo hello from a real shell\r", "\r\nhello from a real shell\r\n" PROMPT},
	{"echo typo\x7f\x7f\x7f\x7f" "edited on this side\r", "\r\nedited on this side\r\n" PROMPT},
	{"stty -a | tr ' ;' '\\n\\n' | grep extproc\r", "\r\nextproc\r\n" PROMPT},
	/* The marker comes from the job itself, so ^C finds it in the
	 * foreground (a builtin echo would print before the job starts). */
	{"sh -c 'echo started; exec sleep 30'\r", "\r\nstarted\r\n"},
	{"\x03", PROMPT},
	{"cat\r", "cat\r\n"},
	{"a line for cat\r", "a line for cat\r\na line for cat\r\n"},
	{"\x04", PROMPT},
	{"exit\r", NULL},
};

static int run_script(struct demo *d, int sigfd)
{
	printf("telly demo: no terminal on standard input, so a scripted session.\n"
	       "/bin/sh runs on a Linux pty in EXTPROC mode; kernel-pty edits and echoes.\n"
	       "---\n");
	fflush(stdout);
	for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
		long t0 = base_now_ms();
		size_t mark = d->seen_len;

		kpty_lm_keys(d->lm, script[i].keys, strlen(script[i].keys));
		for (;;) {
			if (script[i].until && seen_since(d, mark, script[i].until))
				break;
			if (d->gone) {
				if (script[i].until) {
					fprintf(stderr, "\ntelly demo: the shell ended early\n");
					return 1;
				}
				break;
			}
			long left = STEP_TIMEOUT_MS - (base_now_ms() - t0);
			if (left <= 0) {
				fprintf(stderr, "\ntelly demo: step %zu: no '%s' on the screen after %d ms\n",
					i, script[i].until ? script[i].until : "(exit)", STEP_TIMEOUT_MS);
				return 1;
			}
			step(d, -1, sigfd, (int)left);
		}
	}
	printf("\n---\ntelly demo: done\n");
	return 0;
}

static int run_interactive(struct demo *d, int sigfd)
{
	struct termios saved, raw;

	if (tcgetattr(STDIN_FILENO, &saved) < 0) {
		perror("telly demo: tcgetattr");
		return 1;
	}
	printf("telly demo: /bin/sh on a Linux pty in EXTPROC mode; telly's kernel-pty does\r\n"
	       "the line editing and echo on this side. Leave with 'exit' or ^D.\r\n");
	fflush(stdout);
	raw = saved;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
	while (!d->gone)
		step(d, STDIN_FILENO, sigfd, -1);
	tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	printf("\r\ntelly demo: the shell ended\n");
	return 0;
}

int telly_demo(int argc, char **argv)
{
	char *sh_argv[] = {"/bin/sh", NULL};
	struct kpty_winsize ws = {24, 80, 0, 0};
	struct demo *d;
	int sigfd, rc, status = 0;
	bool tty = isatty(STDIN_FILENO);

	if (argc > 1) {
		if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			puts("usage: telly demo\n"
			     "Runs /bin/sh on a Linux pty in EXTPROC mode with telly's kernel-pty\n"
			     "line discipline in front of it. With no terminal on standard input,\n"
			     "runs a short scripted session and prints what it shows.");
			return 0;
		}
		fprintf(stderr, "telly demo: unexpected argument '%s'\n", argv[1]);
		return 2;
	}
	d = calloc(1, sizeof *d);
	if (!d)
		return 1;
	if (tty)
		kpty_os_get_winsize(STDIN_FILENO, &ws);
	setenv("PS1", PROMPT, 1);
	/* Before the shell starts, so its end is never missed. */
	sigfd = base_signalfd((const int[]){SIGWINCH, SIGCHLD, 0});
	rc = kpty_os_spawn(&d->child, sh_argv, &ws, KPTY_OS_EXTPROC);
	if (rc < 0) {
		fprintf(stderr, "telly demo: cannot start /bin/sh on a pty: %s\n", strerror(-rc));
		free(d);
		return 1;
	}
	d->lm = kpty_lm_create(&demo_ops, d);
	if (!d->lm || sigfd < 0) {
		fprintf(stderr, "telly demo: out of resources\n");
		rc = 1;
	} else {
		struct kpty_termios t;
		if (kpty_os_get_termios(d->child.master, &t) == 0)
			kpty_lm_set_termios(d->lm, &t);
		rc = tty ? run_interactive(d, sigfd) : run_script(d, sigfd);
	}
	if (d->child.pid > 0) {
		kill(d->child.pid, SIGKILL);
		waitpid(d->child.pid, &status, 0);
	}
	kpty_os_close(&d->child);
	if (sigfd >= 0)
		close(sigfd);
	kpty_lm_destroy(d->lm);
	free(d);
	return rc;
}
