/* rp-storm: many connections, wrong tokens and floods against a telly
 * daemon, for the tests of its limits. Every loop is bounded in count and
 * time, and every address is on this machine.
 *
 *   rp-storm hold TARGET N [--from K] [--partial M] [--hello] [--seconds S]
 *       N connections to TARGET (a unix socket path, or 127.0.0.1:PORT);
 *       with --from, their source addresses spread over 127.0.0.2 to
 *       127.0.0.(K+1); with --hello each sends a valid HELLO (no token)
 *       first, else nothing; then M of them stall mid-frame (half a
 *       header, or a header and part of its payload). Prints "open N" once
 *       connected and "closed C" whenever the count of connections the
 *       daemon closed changes; ends when all are closed or after S
 *       seconds (default 120).
 *   rp-storm tokens 127.0.0.1:PORT N TOKEN
 *       N tries one after the other, each a new connection with a HELLO
 *       carrying TOKEN, each waiting for the answer; prints
 *       "wrong=W refused=R ok=O eof=E timeout=T" (refused: an ERROR
 *       other than the wrong token's).
 *   rp-storm fill SOCKET PID K
 *       connections with a HELLO each, until the daemon stops taking
 *       them (a connect waits 200 ms for room in the listen queue and
 *       gives up; 5 in a row given up: it takes no more, it is not just
 *       slow); then K more, each given up the same way, while the
 *       CPU time of process PID (utime + stime, in clock ticks) is read
 *       before the first and after the last. Prints "filled N", then
 *       "window refused R ticks X", and holds the connections until
 *       killed (at most 120 s).
 *   rp-storm stall 127.0.0.1:PORT TOKEN PID TIMEOUT_MS MS FIFO
 *       two connections: one accepted (the listen queue in /proc/net/tcp
 *       is empty) that has sent nothing, one logged in whose first 3
 *       bytes of a LIST the daemon read (its receive queue is empty);
 *       fills FIFO (a session's log about to be made) and prints "ready";
 *       once the daemon PID's loop blocks writing to it (its wchan), sends
 *       the HELLO and the rest of the LIST, waits MS ms, empties FIFO (the
 *       daemon goes on) and prints "hello served" or "hello closed: WHY",
 *       then "frame served" or "frame closed: WHY". Both deadlines
 *       (TIMEOUT_MS, the daemon's --hello-timeout and --frame-timeout)
 *       must start before the stall and end in it: when the loop blocked
 *       too late for that (a slow machine), it still lets the daemon go
 *       on, prints "too slow: ..." and exits 3 (the round proves nothing).
 *   rp-storm flood [--insert-line] COUNTFILE [BYTES]
 *       to be run as a session's program: writes lines "%09d\n" to its
 *       stdout (the pty) as fast as it takes them, with SIGHUP ignored,
 *       until a write fails or BYTES (default 256 MiB) went; then writes
 *       the count of bytes written into COUNTFILE. With --insert-line
 *       each line starts with ESC [ L (insert a line: a screen model moves
 *       every row below the cursor, so it reads slower than the pty).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "rp.h"

#define ANSWER_MS 5000
#define CONNECT_WAIT_MS 200
#define FULL_AFTER 5 /* connects given up in a row: the daemon takes no more */
#define MAX_CONNS 4096

/* A blocking connection to TARGET; src_host: bind there first (TCP).
 * wait_ms > 0: a unix connect gives up after that long (listen queue
 * full). -1 with errno on failure. */
static int dial(const char *target, const char *src_host, int wait_ms)
{
	const char *colon = strrchr(target, ':');
	int fd;

	if (strchr(target, '/') || !colon) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		snprintf(a.sun_path, sizeof a.sun_path, "%s", target);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -1;
		if (wait_ms > 0) {
			struct timeval tv = {wait_ms / 1000, (wait_ms % 1000) * 1000};
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		}
		if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		return fd;
	}
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	char host[64];
	snprintf(host, sizeof host, "%.*s", (int)(colon - target), target);
	if (inet_pton(AF_INET, host, &a.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (src_host) {
		struct sockaddr_in s = {.sin_family = AF_INET};
		inet_pton(AF_INET, src_host, &s.sin_addr);
		if (bind(fd, (struct sockaddr *)&s, sizeof s) < 0)
			goto fail;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		goto fail;
	return fd;
fail: {
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}
}

static size_t hello(uint8_t *buf, size_t cap, const char *token)
{
	long n = rp_hello_frame(buf, cap, 0, token, "rp-storm");

	return n > 0 ? (size_t)n : 0;
}

static void send_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w <= 0)
			return;
		p = (const uint8_t *)p + w;
		n -= (size_t)w;
	}
}

/* ---- hold ---- */

static int cmd_hold(int argc, char **argv)
{
	static struct pollfd pf[MAX_CONNS];
	int n = atoi(argv[3]), from = 0, partial = 0, seconds = 120;
	bool with_hello = false;
	uint8_t h[128];
	size_t hn = hello(h, sizeof h, "");
	int open = 0, closed = 0, shown = -1;

	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--from") && i + 1 < argc)
			from = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--partial") && i + 1 < argc)
			partial = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--hello"))
			with_hello = true;
		else
			return fprintf(stderr, "rp-storm hold: bad option %s\n", argv[i]), 2;
	}
	if (n < 1 || n > MAX_CONNS)
		return fprintf(stderr, "rp-storm hold: 1 to %d connections\n", MAX_CONNS), 2;
	for (int i = 0; i < n; i++) {
		char src[32];
		if (from > 0)
			snprintf(src, sizeof src, "127.0.0.%d", 2 + i % from);
		int fd = dial(argv[2], from > 0 ? src : NULL, 0);
		if (fd < 0) {
			fprintf(stderr, "rp-storm hold: connection %d: %s\n", i, strerror(errno));
			pf[i] = (struct pollfd){.fd = -1};
			closed++;
			continue;
		}
		if (with_hello)
			send_all(fd, h, hn);
		if (i < partial && i % 2 == 0)
			send_all(fd, h, 5); /* half a header */
		else if (i < partial)
			send_all(fd, h, RP_HDR_SIZE + 3); /* a header, part of its payload */
		pf[i] = (struct pollfd){.fd = fd, .events = POLLIN};
		open++;
	}
	printf("open %d\n", open);
	fflush(stdout);
	for (long end = base_now_ms() + seconds * 1000L; closed < n && base_now_ms() < end;) {
		if (closed != shown) {
			printf("closed %d\n", closed);
			fflush(stdout);
			shown = closed;
		}
		if (poll(pf, (nfds_t)n, 1000) <= 0)
			continue;
		for (int i = 0; i < n; i++) {
			char sink[4096];
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			ssize_t r = recv(pf[i].fd, sink, sizeof sink, MSG_DONTWAIT);
			if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
				close(pf[i].fd);
				pf[i].fd = -1;
				closed++;
			}
		}
	}
	printf("closed %d\n", closed);
	return 0;
}

/* ---- tokens ---- */

enum { WRONG, REFUSED, OK, END, TIMEOUT };

/* One try: the daemon's first answer to a HELLO with token. */
static int try_token(const char *target, const char *token)
{
	uint8_t buf[1024];
	size_t got = 0, hn = hello(buf, sizeof buf, token);
	int fd = dial(target, NULL, 0);
	long end = base_now_ms() + ANSWER_MS;

	if (fd < 0)
		return END;
	send_all(fd, buf, hn);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct rp_hdr h;
		long left = end - base_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			close(fd);
			return TIMEOUT;
		}
		ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
		if (r <= 0) {
			close(fd);
			return END;
		}
		got += (size_t)r;
		if (rp_hdr_decode(buf, got, &h) != 0 || got < RP_HDR_SIZE + h.len) {
			if (got == sizeof buf) {
				close(fd);
				return END;
			}
			continue;
		}
		close(fd);
		if (h.type == RP_HELLO)
			return OK;
		struct rp_error e;
		if (h.type == RP_ERROR && rp_error_decode(buf + RP_HDR_SIZE, h.len, &e) == 0)
			return e.code == RP_E_AUTH && memmem(e.msg.p, e.msg.n, "wrong token", 11)
				       ? WRONG
				       : REFUSED;
		return END;
	}
}

static int cmd_tokens(char **argv)
{
	int n = atoi(argv[3]), count[5] = {0};

	if (n < 1 || n > 100000)
		return fprintf(stderr, "rp-storm tokens: 1 to 100000 tries\n"), 2;
	for (int i = 0; i < n; i++)
		count[try_token(argv[2], argv[4])]++;
	printf("wrong=%d refused=%d ok=%d eof=%d timeout=%d\n", count[WRONG], count[REFUSED],
	       count[OK], count[END], count[TIMEOUT]);
	return 0;
}

/* ---- fill ---- */

static long cpu_ticks(const char *pid)
{
	char path[64], st[1024];
	long utime = -1, stime = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	size_t n = fread(st, 1, sizeof st - 1, f);
	fclose(f);
	st[n] = 0;
	const char *p = strrchr(st, ')'); /* fields 14 and 15 after the name */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime,
			 &stime) != 2)
		return -1;
	return utime + stime;
}

static int cmd_fill(char **argv)
{
	uint8_t h[128];
	size_t hn = hello(h, sizeof h, "");
	int k = atoi(argv[4]), n = 0, refused = 0;
	long before, after;

	for (int given_up = 0; given_up < FULL_AFTER;) {
		if (n == MAX_CONNS)
			return fprintf(stderr, "rp-storm fill: the daemon took %d\n", n), 1;
		int fd = dial(argv[2], NULL, CONNECT_WAIT_MS);
		if (fd < 0 && (errno == EAGAIN || errno == EINPROGRESS)) {
			given_up++; /* its listen queue is full */
			continue;
		}
		if (fd < 0)
			return fprintf(stderr, "rp-storm fill: %s\n", strerror(errno)), 1;
		send_all(fd, h, hn);
		n++;
		given_up = 0;
	}
	printf("filled %d\n", n);
	fflush(stdout);
	before = cpu_ticks(argv[3]);
	for (int i = 0; i < k; i++) {
		int fd = dial(argv[2], NULL, CONNECT_WAIT_MS);
		if (fd < 0)
			refused++;
		else
			send_all(fd, h, hn); /* kept open, like the rest */
	}
	after = cpu_ticks(argv[3]);
	printf("window refused %d ticks %ld\n", refused, before < 0 || after < 0 ? -1 : after - before);
	fflush(stdout);
	struct timespec t = {120, 0};
	nanosleep(&t, NULL);
	return 0;
}

/* ---- stall ---- */

/* The receive queue /proc/net/tcp shows for the socket on local port
 * lport (and remote port rport, 0: the listener, whose queue is its
 * connections not accepted yet); -1: not found. */
static long tcp_rx_queue(unsigned lport, unsigned rport)
{
	char line[512];
	long q = -1;
	FILE *f = fopen("/proc/net/tcp", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned lp, rp, st;
		unsigned long tx, rx;
		if (sscanf(line, " %*d: %*x:%x %*x:%x %x %lx:%lx", &lp, &rp, &st, &tx, &rx) != 5)
			continue;
		if (lp == lport && (rport ? rp == rport && st == 0x01 : st == 0x0A)) {
			q = (long)rx;
			break;
		}
	}
	fclose(f);
	return q;
}

/* Until the queue is empty (the daemon took it), at most 10 s. */
static bool queue_drained(unsigned lport, unsigned rport)
{
	for (long end = base_now_ms() + 10000; base_now_ms() < end;) {
		if (tcp_rx_queue(lport, rport) == 0)
			return true;
		poll(NULL, 0, 5);
	}
	return false;
}

/* The daemon's first answer: 1 the type wanted, 0 anything else (why
 * says what), -1 nothing within ANSWER_MS. */
static int answer(int fd, uint8_t type, char *why, size_t cap)
{
	uint8_t buf[65536];
	size_t got = 0;

	for (long end = base_now_ms() + ANSWER_MS;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct rp_hdr h;
		long left = end - base_now_ms();
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return snprintf(why, cap, "no answer"), -1;
		ssize_t r = recv(fd, buf + got, sizeof buf - got, 0);
		if (r <= 0)
			return snprintf(why, cap, "connection closed"), 0;
		got += (size_t)r;
		if (rp_hdr_decode(buf, got, &h) != 0 || got < RP_HDR_SIZE + h.len)
			continue;
		if (h.type == type)
			return 1;
		struct rp_error e;
		if (h.type == RP_ERROR && rp_error_decode(buf + RP_HDR_SIZE, h.len, &e) == 0)
			snprintf(why, cap, "%.*s", (int)e.msg.n, e.msg.p);
		else
			snprintf(why, cap, "frame of type %u", h.type);
		return 0;
	}
}

/* Until the daemon's loop blocks writing to a pipe, at most 20 s. */
static bool blocked_in_pipe(const char *pid)
{
	char path[64], w[128];

	snprintf(path, sizeof path, "/proc/%s/wchan", pid);
	for (long end = base_now_ms() + 20000; base_now_ms() < end;) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(w, 1, sizeof w - 1, f) : 0;
		if (f)
			fclose(f);
		w[n] = 0;
		if (strstr(w, "pipe_write"))
			return true;
		poll(NULL, 0, 5);
	}
	return false;
}

/* Of the deadlines, the part the stall's setup may not use: the daemon
 * starts them on a clock read after our dial, so a round that blocked it
 * within TIMEOUT_MS would do; the margin keeps clear of the edge. */
#define STALL_MARGIN_MS 500

static int cmd_stall(char **argv)
{
	const char *target = argv[2], *colon = strrchr(target, ':');
	int timeout_ms = atoi(argv[5]), ms = atoi(argv[6]);
	uint8_t h[1024], list[64], sink[4096];
	size_t hn = hello(h, sizeof h, argv[3]);
	unsigned port = colon ? (unsigned)atoi(colon + 1) : 0;
	struct sockaddr_in me;
	socklen_t ml = sizeof me;
	char why[300];
	struct rp_enc e;
	int a, b, fifo, r;

	if (!port || timeout_ms < 1 || ms <= timeout_ms || ms > 60000 || !hn)
		return fprintf(stderr, "rp-storm stall: 127.0.0.1:PORT TOKEN PID TIMEOUT_MS MS FIFO "
				       "(MS > TIMEOUT_MS)\n"), 2;
	rp_enc_begin(&e, list, sizeof list, RP_LIST, 0, 0);
	rp_put_u32(&e, 7);
	size_t ln = (size_t)rp_enc_end(&e);

	b = dial(target, NULL, 0);
	if (b < 0 || getsockname(b, (struct sockaddr *)&me, &ml) < 0)
		return fprintf(stderr, "rp-storm stall: %s\n", strerror(errno)), 1;
	send_all(b, h, hn);
	if (answer(b, RP_HELLO, why, sizeof why) != 1)
		return fprintf(stderr, "rp-storm stall: HELLO: %s\n", why), 1;
	/* Both deadlines start after this (a's at its accept, b's at the
	 * read of its frame's first bytes): the login above is not in it. */
	long start = base_now_ms();
	a = dial(target, NULL, 0);
	if (a < 0 || !queue_drained(port, 0))
		return fprintf(stderr, "rp-storm stall: not accepted\n"), 1;
	send_all(b, list, 3);
	if (!queue_drained(port, ntohs(me.sin_port)))
		return fprintf(stderr, "rp-storm stall: the frame's first bytes were not read\n"), 1;

	fifo = open(argv[7], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return fprintf(stderr, "rp-storm stall: %s: %s\n", argv[7], strerror(errno)), 1;
	memset(sink, 'x', sizeof sink);
	while (write(fifo, sink, sizeof sink) > 0)
		;
	printf("ready\n");
	fflush(stdout);
	if (!blocked_in_pipe(argv[4]))
		return fprintf(stderr, "rp-storm stall: the daemon never blocked on the log\n"), 1;
	/* A deadline that ended before the loop blocked was judged then, on
	 * nothing sent: a slow machine's round, not the daemon's fault. */
	long took = base_now_ms() - start;
	if (took > timeout_ms - STALL_MARGIN_MS) {
		while (read(fifo, sink, sizeof sink) > 0)
			;
		printf("too slow: the loop blocked %ld ms after the deadlines started, not within "
		       "%d ms\n", took, timeout_ms - STALL_MARGIN_MS);
		return 3;
	}
	send_all(a, h, hn);
	send_all(b, list + 3, ln - 3);
	poll(NULL, 0, ms); /* the stall itself: time has to pass */
	while (read(fifo, sink, sizeof sink) > 0)
		;
	r = answer(a, RP_HELLO, why, sizeof why);
	printf(r == 1 ? "hello served\n" : "hello closed: %s\n", why);
	r = answer(b, RP_LIST_REPLY, why, sizeof why);
	printf(r == 1 ? "frame served\n" : "frame closed: %s\n", why);
	close(a);
	close(b);
	close(fifo);
	return 0;
}

/* ---- flood ---- */

static int cmd_flood(int argc, char **argv)
{
	static char buf[40000];
	bool il = argc > 2 && !strcmp(argv[2], "--insert-line");
	const char *count = argv[2 + il];
	unsigned long long most = argc > 3 + il ? strtoull(argv[3 + il], NULL, 10) : 256ull << 20;
	unsigned long long sent = 0;
	unsigned line = 0;
	size_t line_len = il ? 13 : 10;
	char tmp[512];
	FILE *f;

	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	while (sent < most) {
		size_t len = 0;
		while (len + line_len <= sizeof buf)
			len += (size_t)snprintf(buf + len, line_len + 1, "%s%09u\n", il ? "\033[L" : "",
						++line);
		size_t off = 0;
		while (off < len) {
			ssize_t w = write(1, buf + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				goto done;
			off += (size_t)w;
			sent += (unsigned long long)w;
		}
	}
done:
	snprintf(tmp, sizeof tmp, "%s.tmp", count);
	f = fopen(tmp, "w");
	if (!f)
		return 1;
	fprintf(f, "%llu\n", sent);
	fclose(f);
	return rename(tmp, count) < 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "hold"))
		return cmd_hold(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "tokens"))
		return cmd_tokens(argv);
	if (argc == 5 && !strcmp(argv[1], "fill"))
		return cmd_fill(argv);
	if (argc == 8 && !strcmp(argv[1], "stall"))
		return cmd_stall(argv);
	if (argc >= 3 && !strcmp(argv[1], "flood"))
		return cmd_flood(argc, argv);
	fprintf(stderr, "usage: rp-storm hold|tokens|fill|stall|flood ... (see the source's head)\n");
	return 2;
}
