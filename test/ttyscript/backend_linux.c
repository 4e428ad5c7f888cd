/* ttyscript backend: the Linux kernel's own pty.
 *
 * The script runs in a child that is a session leader with the slave as its
 * controlling terminal and in the foreground, so ISIG signals reach it; all
 * signals are blocked and read back with sigpending(). Input reaches the
 * kernel's line discipline from a work queue, so before every operation the
 * runner waits until the pty has been quiet (no change in what either side
 * could read, nor in pending signals) for quiet_ms. A poll() on an empty
 * side also makes the kernel finish its pending work on that side.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "backends.h"

_Static_assert(ICANON == KPTY_ICANON && EXTPROC == KPTY_EXTPROC && IUTF8 == KPTY_IUTF8 &&
	       VEOL2 == KPTY_VEOL2 && TIOCPKT_IOCTL == KPTY_PKT_IOCTL,
	       "kpty flag values are Linux's");

#define CHILD_TIMEOUT_S 120
#define BREAD_GUARD_MS 1500

struct lb {
	int m, s;
	int quiet_ms;
};

struct snap {
	int min, sin;
	short mrev, srev;
	unsigned long sigs;
};

static unsigned long pending_mask(void)
{
	sigset_t set;
	unsigned long m = 0;

	sigpending(&set);
	for (int sig = 1; sig < 32; sig++)
		if (sigismember(&set, sig))
			m |= 1ul << sig;
	return m;
}

static void take(const struct lb *l, struct snap *s)
{
	struct pollfd p[2] = {{.fd = l->m, .events = POLLIN | POLLPRI | POLLOUT},
			      {.fd = l->s, .events = POLLIN | POLLOUT}};

	memset(s, 0, sizeof *s);
	poll(p, 2, 0);
	s->mrev = p[0].revents;
	s->srev = p[1].revents;
	if (l->m >= 0)
		ioctl(l->m, FIONREAD, &s->min);
	if (l->s >= 0)
		ioctl(l->s, FIONREAD, &s->sin);
	s->sigs = pending_mask();
}

static void lb_settle(void *ctx)
{
	const struct lb *l = ctx;
	const struct timespec tick = {0, 500000};
	struct snap prev, cur;
	int quiet_ticks = 0;

	take(l, &prev);
	while (quiet_ticks < l->quiet_ms * 2) {
		nanosleep(&tick, NULL);
		take(l, &cur);
		if (memcmp(&cur, &prev, sizeof cur)) {
			prev = cur;
			quiet_ticks = 0;
		} else {
			quiet_ticks++;
		}
	}
}

static long ret(long r) { return r < 0 ? -errno : r; }

static long lb_mwrite(void *c, const void *b, size_t n) { return ret(write(((struct lb *)c)->m, b, n)); }
static long lb_swrite(void *c, const void *b, size_t n) { return ret(write(((struct lb *)c)->s, b, n)); }
static long lb_mread(void *c, void *b, size_t n) { return ret(read(((struct lb *)c)->m, b, n)); }

static void on_alarm(int sig) { (void)sig; }

static long lb_sread(void *c, void *b, size_t n, bool blocking)
{
	struct lb *l = c;
	struct itimerval guard = {.it_value = {BREAD_GUARD_MS / 1000, (BREAD_GUARD_MS % 1000) * 1000}};
	struct itimerval off = {0};
	sigset_t alrm;
	long r;
	int fl;

	if (!blocking || l->s < 0)
		return ret(read(l->s, b, n));
	fl = fcntl(l->s, F_GETFL);
	fcntl(l->s, F_SETFL, fl & ~O_NONBLOCK);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	setitimer(ITIMER_REAL, &guard, NULL);
	sigprocmask(SIG_UNBLOCK, &alrm, NULL);
	r = ret(read(l->s, b, n));
	sigprocmask(SIG_BLOCK, &alrm, NULL);
	setitimer(ITIMER_REAL, &off, NULL);
	fcntl(l->s, F_SETFL, fl);
	return r;
}

static int lb_winsize(void *c, unsigned rows, unsigned cols)
{
	struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
	return (int)ret(ioctl(((struct lb *)c)->m, TIOCSWINSZ, &ws));
}

static int lb_getattr(void *c, struct kpty_termios *t)
{
	struct termios lt;

	if (tcgetattr(((struct lb *)c)->s, &lt) < 0)
		return -errno;
	t->c_iflag = lt.c_iflag;
	t->c_oflag = lt.c_oflag;
	t->c_cflag = lt.c_cflag;
	t->c_lflag = lt.c_lflag;
	memcpy(t->c_cc, lt.c_cc, KPTY_NCCS);
	return 0;
}

static int lb_setattr(void *c, const struct kpty_termios *t)
{
	struct termios lt;
	int s = ((struct lb *)c)->s;

	if (tcgetattr(s, &lt) < 0)
		return -errno;
	lt.c_iflag = t->c_iflag;
	lt.c_oflag = t->c_oflag;
	lt.c_cflag = t->c_cflag;
	lt.c_lflag = t->c_lflag;
	memcpy(lt.c_cc, t->c_cc, KPTY_NCCS);
	return tcsetattr(s, TCSADRAIN, &lt) < 0 ? -errno : 0;
}

static unsigned long lb_sigs(void *c)
{
	const struct timespec zero = {0, 0};
	unsigned long m = pending_mask();
	sigset_t set;

	(void)c;
	sigemptyset(&set);
	for (int sig = 1; sig < 32; sig++)
		if (m & (1ul << sig))
			sigaddset(&set, sig);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	return m;
}

static int lb_close(int *fd)
{
	int r = close(*fd);
	if (r < 0)
		return -errno;
	*fd = -1;
	return 0;
}

static int lb_mclose(void *c) { return lb_close(&((struct lb *)c)->m); }
static int lb_sclose(void *c) { return lb_close(&((struct lb *)c)->s); }

static int lb_packet(void *c, bool on)
{
	int v = on;
	return (int)ret(ioctl(((struct lb *)c)->m, TIOCPKT, &v));
}

static int lb_msig(void *c, int sig) { return (int)ret(ioctl(((struct lb *)c)->m, TIOCSIG, sig)); }

static int lb_sflush(void *c, int q)
{
	static const int qs[] = {TCIFLUSH, TCOFLUSH, TCIOFLUSH};
	return (int)ret(tcflush(((struct lb *)c)->s, qs[q]));
}

static int child(const struct ts_script *s, size_t nops, int quiet_ms, int outfd)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	struct lb l = {.m = -1, .s = -1, .quiet_ms = quiet_ms};
	sigset_t all;
	FILE *out;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	sigaction(SIGALRM, &sa, NULL);
	if (setsid() < 0)
		return 3;
	l.m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
	if (l.m < 0 || grantpt(l.m) < 0 || unlockpt(l.m) < 0)
		return 3;
	l.s = open(ptsname(l.m), O_RDWR | O_NONBLOCK);
	if (l.s < 0 || ioctl(l.s, TIOCSCTTY, 0) < 0)
		return 3;
	out = fdopen(outfd, "w");
	if (!out)
		return 3;
	struct ts_backend be = {
		.ctx = &l, .mwrite = lb_mwrite, .swrite = lb_swrite, .sread = lb_sread,
		.mread = lb_mread, .winsize = lb_winsize, .getattr = lb_getattr,
		.setattr = lb_setattr, .sigs = lb_sigs, .mclose = lb_mclose,
		.sclose = lb_sclose, .packet = lb_packet, .msig = lb_msig,
		.sflush = lb_sflush, .settle = lb_settle,
	};
	int rc = ts_run(s, nops, &be, out);
	fclose(out);
	return rc ? 2 : 0;
}

int ts_run_linux(const struct ts_script *s, size_t nops, int quiet_ms, FILE *out)
{
	char buf[4096];
	int p[2], status;
	pid_t pid;
	ssize_t n;
	time_t start = time(NULL);

	fflush(out);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		_exit(child(s, nops, quiet_ms, p[1]));
	}
	close(p[1]);
	/* The child cannot hang on the pty (it is non-blocking and every
	 * blocking read has a guard alarm), but bound it anyway. */
	for (;;) {
		struct pollfd pf = {.fd = p[0], .events = POLLIN};
		if (poll(&pf, 1, 1000) > 0) {
			n = read(p[0], buf, sizeof buf);
			if (n <= 0)
				break;
			fwrite(buf, 1, (size_t)n, out);
		}
		if (time(NULL) - start > CHILD_TIMEOUT_S) {
			kill(pid, SIGKILL);
			fprintf(out, "# linux runner timed out\n");
			break;
		}
	}
	close(p[0]);
	waitpid(pid, &status, 0);
	fflush(out);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
