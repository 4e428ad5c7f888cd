/* The bottom of the layering (base.h): clock, full writes and reads,
 * signals, the escaped log line, rotation, sizes. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base.h"

uint64_t base_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long base_now_ms(void)
{
	return (long)(base_now_ns() / 1000000u);
}

size_t base_write_all(int fd, const void *buf, size_t n, int stall_ms)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w > 0) {
			done += (size_t)w;
		} else if (w < 0 && errno == EINTR) {
			continue;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {.fd = fd, .events = POLLOUT};
			int r = poll(&pf, 1, stall_ms);

			if (r == 0)
				errno = ETIMEDOUT;
			if (r == 0 || (r < 0 && errno != EINTR))
				return done;
		} else {
			if (w == 0)
				errno = ENOSPC; /* a file that takes nothing is full */
			return done;
		}
	}
	return done;
}

int base_read_all(int fd, void *buf, size_t n, long deadline_ms)
{
	char *p = buf;
	size_t got = 0;

	while (got < n) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		long left = deadline_ms - base_now_ms();

		if (left <= 0)
			return -ETIMEDOUT;
		int r = poll(&pf, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		ssize_t k = read(fd, p + got, n - got);
		if (k == 0)
			return -ECONNRESET;
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		if (k > 0)
			got += (size_t)k;
	}
	return 0;
}

int base_signalfd(const int *sigs)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	for (const int *s = sigs; *s; s++)
		sigaddset(&mask, *s);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	/* Blocked, then at their default, whatever the starter left: an
	 * inherited "ignore" of SIGCHLD has the kernel reap every child
	 * before the owner's waitpid can see how it ended. */
	for (; *sigs; sigs++)
		signal(*sigs, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

pid_t base_fork_held(void)
{
	sigset_t all, old;
	pid_t pid;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid != 0) {
		int err = errno;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		errno = err;
	}
	return pid;
}

int base_thread_detached(void *(*fn)(void *), void *arg, size_t stack_bytes)
{
	pthread_attr_t at;
	pthread_t t;
	sigset_t all, old;
	int e;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, stack_bytes);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&t, &at, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&at);
	return e;
}

void base_child_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	sigset_t none;

	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &dfl, NULL); /* SIGKILL, SIGSTOP: EINVAL, harmless */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void base_log(const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_vlog(who, fmt, ap);
	va_end(ap);
}

/* The length of the well-formed UTF-8 sequence at p (2 to 4 bytes, no
 * overlong form, no surrogate, at most U+10FFFF) with its code point in
 * *cp, or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n, unsigned *cp)
{
	size_t len;
	unsigned c, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1fu, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0fu, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that are well-formed but move or hide text on a terminal or
 * in a viewer: C1 controls, line and paragraph separators, the marks and
 * overrides of bidirectional text, the byte order mark. */
static bool invisible(unsigned c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e ||
	       c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfeff;
}

size_t base_log_escape(const char *in, size_t n, bool quote, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)in;
	size_t o = 0, i = 0;

	if (!cap)
		return 0;
	while (i < n) {
		char unit[16];
		size_t ulen = 0, take = 1;
		unsigned cp;
		uint8_t b = p[i];

		if (b == '\\' || (quote && b == '"')) {
			unit[ulen++] = '\\';
			unit[ulen++] = (char)b;
		} else if (b >= 0x20 && b < 0x7f) {
			unit[ulen++] = (char)b;
		} else if (b == '\n' || b == '\r' || b == '\t') {
			unit[ulen++] = '\\';
			unit[ulen++] = b == '\n' ? 'n' : b == '\r' ? 'r' : 't';
		} else if (b >= 0x80 && (take = utf8_seq(p + i, n - i, &cp)) && !invisible(cp)) {
			memcpy(unit, p + i, take);
			ulen = take;
		} else {
			/* A control, DEL, a byte of no character or of an
			 * invisible one: each byte as \xHH. */
			take = take ? take : 1;
			for (size_t k = 0; k < take; k++) {
				unit[ulen++] = '\\';
				unit[ulen++] = 'x';
				unit[ulen++] = hex[p[i + k] >> 4];
				unit[ulen++] = hex[p[i + k] & 15];
			}
		}
		if (ulen > cap - 1 - o)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		i += take;
	}
	out[o] = 0;
	return o;
}

void base_vlog(const char *who, const char *fmt, va_list ap)
{
	time_t t = time(NULL);
	struct tm tm;
	char msg[2048], line[BASE_LOG_LINE_MAX];
	size_t o;
	int n;

	localtime_r(&t, &tm);
	o = strftime(line, sizeof line, "%Y-%m-%d %H:%M:%S ", &tm);
	o += base_log_escape(who, strlen(who), false, line + o, sizeof line - o);
	o += (size_t)snprintf(line + o, sizeof line - o, ": ");
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		n = 0;
	/* One escaped line, written at once: a message cannot end the line
	 * early or start another. */
	o += base_log_escape(msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1, false,
			    line + o, sizeof line - o - 8);
	if ((size_t)n >= sizeof msg)
		o += (size_t)snprintf(line + o, sizeof line - o, "[...]");
	line[o++] = '\n';
	if (write(STDERR_FILENO, line, o) < 0) {
		/* Nowhere to say it. */
	}
}

void base_log_rotate(const char *path, unsigned keep)
{
	char from[PATH_MAX], to[PATH_MAX];

	snprintf(to, sizeof to, "%s.%u", path, keep);
	unlink(keep ? to : path);
	for (unsigned i = keep; i > 0; i--) {
		if (i > 1)
			snprintf(from, sizeof from, "%s.%u", path, i - 1);
		else
			snprintf(from, sizeof from, "%s", path);
		snprintf(to, sizeof to, "%s.%u", path, i);
		rename(from, to);
	}
}

int base_parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	/* Bounded before the shift, which would wrap a huge number into range. */
	if (*end || v > (1ull << 40) >> shift || v << shift < 4096)
		return -EINVAL;
	*out = (size_t)(v << shift);
	return 0;
}


char **base_env_edit(char *const *env, const char *const *edits)
{
	size_t n = 0, k = 0, out = 0;
	char **e;

	while (env && env[n])
		n++;
	while (edits && edits[k])
		k++;
	if (!(e = malloc((n + k + 1) * sizeof *e)))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t len = strcspn(env[i], "=");
		bool edited = false;
		for (size_t j = 0; j < k && !edited; j++)
			edited = strncmp(edits[j], env[i], len) == 0 &&
				 (edits[j][len] == '=' || edits[j][len] == 0);
		if (!edited)
			e[out++] = env[i];
	}
	for (size_t j = 0; j < k; j++) {
		size_t len = strcspn(edits[j], "=");
		bool later = false; /* of the same name: it wins, as env's last word */
		for (size_t l = j + 1; l < k && !later; l++)
			later = strncmp(edits[l], edits[j], len) == 0 &&
				(edits[l][len] == '=' || edits[l][len] == 0);
		if (edits[j][len] == '=' && !later)
			e[out++] = (char *)edits[j];
	}
	e[out] = NULL;
	return e;
}

int base_fd_bound(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur > 1u << 20)
		return 1 << 20;
	return (int)rl.rlim_cur;
}

void base_child_stdio(const char *log)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd >= 0 && fd != 0) {
		dup2(fd, 0);
		close(fd);
	}
	fd = log && *log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

void base_child_closefrom(int low, int bound)
{
	if (syscall(SYS_close_range, (unsigned)low, ~0u, 0u) == 0)
		return;
	for (int fd = low; fd < bound; fd++)
		close(fd);
}

void base_child_say_failed(int fd, const char *what, int err)
{
	const char *why = strerrordesc_np(err);
	const char *parts[] = {"telly: cannot run ", what, ": ", why ? why : "unknown error", "\n"};

	for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
		ssize_t w = write(fd, parts[i], strlen(parts[i]));
		(void)w; /* nobody to tell if the log cannot take it */
	}
}
