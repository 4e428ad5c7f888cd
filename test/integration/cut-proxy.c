/* cut-proxy: a TCP relay on 127.0.0.1 whose link a test cuts on command.
 *
 *   cut-proxy LISTEN_PORT TARGET_PORT CONTROL_FIFO
 *
 * Lines written to CONTROL_FIFO:
 *   cut    every connection reset at once (both ends; SO_LINGER 0)
 *   down   the same, and new connections refused (the listener closed)
 *   up     listening again
 *   stall  the connections open stop carrying bytes (a link that went
 *          silent: only a heartbeat notices); new ones work
 *   hold   the same, and new connections refused: no redial gets
 *          through, so only the far end's own heartbeat ends them
 *   mute   the same as stall, and new connections carry the first frame
 *          each way (HELLOs) and then nothing: a daemon that
 *          greets and then hangs ("up" ends it for new connections)
 *   quit   exit
 * On stdout, one line each: "ready", "accepted N" (N in all), "cut",
 * "down", "up", "stall", "hold", "mute", so a test awaits what it caused. Ends on SIGTERM
 * too, closing everything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 64
#define RELAY_BYTES 65536
#define CTL_BYTES 256

struct pair {
	int a, b; /* -1: free */
	bool stalled;
	bool mute; /* stalls once the target's first frame went through */
	bool greeted; /* mute: the desk's first frame went through, the rest is dropped */
};

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	s.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return s;
}

static int listen_on(int port)
{
	struct sockaddr_in s = lo(port);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&s, sizeof s) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Close with a reset, as a link that broke: the peer reads an error or
 * the end at once. */
static void reset(int fd)
{
	struct linger l = {1, 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

/* Close as the side that ended did: the end of the stream, not a reset,
 * which a close with bytes unread would make of it (the daemon would take
 * a desk that left after its EXIT, a PING come since, for a lost link). */
static void end(int fd)
{
	unsigned char buf[4096];

	for (int i = 0; i < 16 && recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0; i++)
		;
	close(fd);
}

static void cut_all(struct pair *p)
{
	for (int i = 0; i < MAX_PAIRS; i++) {
		if (p[i].a < 0)
			continue;
		reset(p[i].a);
		reset(p[i].b);
		p[i].a = p[i].b = -1;
	}
}

static void say(const char *what, unsigned n)
{
	if (n)
		printf("%s %u\n", what, n);
	else
		printf("%s\n", what);
	fflush(stdout);
}

/* Everything readable on from goes to to; false at its end or an error. */
/* One read from from written whole to to; hello: only its first frame
 * (a protocol frame's 8-byte header says its length; the rest is
 * dropped), as a daemon that greets and then hangs would send and take,
 * even when the desk's first flight asked more of it than HELLO (its
 * RESUME and keys). drop: none of it. */
static bool relay(int from, int to, bool hello, bool drop)
{
	unsigned char buf[RELAY_BYTES];
	ssize_t n = read(from, buf, sizeof buf);

	if (n <= 0)
		return false;
	if (drop)
		return true;
	if (hello && n >= 8) {
		size_t len = 8 + ((size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7]);
		if ((size_t)n > len)
			n = (ssize_t)len;
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct pair p[MAX_PAIRS];
	int lport, tport, lfd, ctl;
	unsigned accepted = 0;
	bool muting = false;
	char cbuf[CTL_BYTES];
	size_t clen = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: cut-proxy LISTEN_PORT TARGET_PORT CONTROL_FIFO\n");
		return 2;
	}
	lport = atoi(argv[1]);
	tport = atoi(argv[2]);
	signal(SIGPIPE, SIG_IGN);
	ctl = open(argv[3], O_RDWR | O_CLOEXEC); /* RDWR: never an end of file */
	lfd = listen_on(lport);
	if (ctl < 0 || lfd < 0) {
		perror("cut-proxy");
		return 1;
	}
	for (int i = 0; i < MAX_PAIRS; i++)
		p[i] = (struct pair){-1, -1, false, false, false};
	say("ready", 0);
	for (;;) {
		struct pollfd f[2 + 2 * MAX_PAIRS];
		int map[2 * MAX_PAIRS], nf = 0;

		f[nf++] = (struct pollfd){.fd = ctl, .events = POLLIN};
		f[nf++] = (struct pollfd){.fd = lfd, .events = POLLIN};
		for (int i = 0; i < MAX_PAIRS; i++) {
			if (p[i].a < 0 || p[i].stalled)
				continue;
			map[nf - 2] = i;
			f[nf++] = (struct pollfd){.fd = p[i].a, .events = POLLIN};
			map[nf - 2] = i;
			f[nf++] = (struct pollfd){.fd = p[i].b, .events = POLLIN};
		}
		if (poll(f, (nfds_t)nf, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (f[0].revents & POLLIN) {
			ssize_t n = read(ctl, cbuf + clen, sizeof cbuf - 1 - clen);
			if (n > 0)
				clen += (size_t)n;
			char *nl;
			while ((nl = memchr(cbuf, '\n', clen))) {
				*nl = 0;
				if (!strcmp(cbuf, "cut") || !strcmp(cbuf, "down")) {
					cut_all(p);
					if (cbuf[0] == 'd' && lfd >= 0) {
						close(lfd);
						lfd = -1;
					}
					say(cbuf, 0);
				} else if (!strcmp(cbuf, "up")) {
					muting = false;
					if (lfd < 0)
						lfd = listen_on(lport);
					say(lfd < 0 ? "up failed" : "up", 0);
				} else if (!strcmp(cbuf, "stall") || !strcmp(cbuf, "hold") ||
					   !strcmp(cbuf, "mute")) {
					muting = cbuf[0] == 'm';
					for (int i = 0; i < MAX_PAIRS; i++)
						p[i].stalled = p[i].a >= 0;
					if (cbuf[0] == 'h' && lfd >= 0) {
						close(lfd);
						lfd = -1;
					}
					say(cbuf, 0);
				} else if (!strcmp(cbuf, "quit")) {
					cut_all(p);
					return 0;
				}
				clen -= (size_t)(nl + 1 - cbuf);
				memmove(cbuf, nl + 1, clen);
			}
			if (clen == sizeof cbuf - 1)
				clen = 0; /* a line too long: dropped */
		}
		if (lfd >= 0 && (f[1].revents & POLLIN)) {
			int a = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), b, i;
			struct sockaddr_in t = lo(tport);
			for (i = 0; i < MAX_PAIRS && p[i].a >= 0; i++)
				;
			if (a >= 0 && i < MAX_PAIRS) {
				b = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
				if (b >= 0 && connect(b, (struct sockaddr *)&t, sizeof t) == 0) {
					int one = 1; /* small writes (a key) go at once, as on a link */
					setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					setsockopt(b, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					p[i] = (struct pair){a, b, false, muting, false};
					say("accepted", ++accepted);
				} else {
					if (b >= 0)
						close(b);
					reset(a);
				}
			} else if (a >= 0) {
				reset(a);
			}
		}
		for (int k = 2; k < nf; k++) {
			int i = map[k - 2];
			if (!f[k].revents || p[i].a < 0)
				continue;
			int from = f[k].fd, to = from == p[i].a ? p[i].b : p[i].a;
			bool desk = from == p[i].a;
			if (!relay(from, to, p[i].mute, p[i].mute && desk && p[i].greeted)) {
				end(p[i].a);
				end(p[i].b);
				p[i].a = p[i].b = -1;
			} else if (p[i].mute && desk) {
				p[i].greeted = true;
			} else if (p[i].mute) {
				p[i].stalled = true;
			}
		}
	}
}
