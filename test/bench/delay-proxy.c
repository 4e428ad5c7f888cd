/* delay-proxy: adds a fixed one-way delay to every byte between a client
 * and a server on loopback, in both directions (there is no netem here).
 *
 *   delay-proxy [--jitter MS] tcp|udp LISTEN_PORT TARGET_PORT DELAY_MS [COUNT_FILE]
 *
 * --jitter MS: each chunk's delay is DELAY_MS give or take up to MS
 * (uniformly), never less than 0 and never before the chunk ahead of it
 * (a queue, as a link with varying delay keeps TCP's and mosh's order).
 * With COUNT_FILE (tcp), the bytes it carried so far, "UP DOWN" (client to
 * server, server to client), are written there at most COUNT_EVERY_MS
 * after they change: a bench reads it before and after what it measures.
 * A round trip through it costs 2 × DELAY_MS more. Order is kept; each
 * chunk read is sent whole once its time has come. Listens on 127.0.0.1.
 *
 * How late it was: each chunk's first write against its due time, in µs,
 * is counted, and with COUNT_FILE, COUNT_FILE.late says so (written with
 * the counts, and after chunks went out), a line a direction:
 *   up|down CHUNKS P50_US P99_US MAX_US
 * A bench's round trip through the proxy is 2 × DELAY_MS plus the up and
 * the down lateness: what it measures beyond that is the peers'.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAIRS 16
#define CHUNK 65536
#define COUNT_EVERY_MS 10
#define LATE_MAX_US 10000 /* the last bucket holds all later than this */

struct chunk {
	struct chunk *next;
	double due;
	size_t len, off;
	bool timed; /* its lateness counted */
	char data[];
};

struct dir { /* bytes from one fd on their way to another */
	int from, to;
	struct chunk *head, *tail;
	bool eof;
};

/* Each chunk's lateness, a bucket a µs (a chunk is late by its first
 * write's start against its due time). */
struct late {
	unsigned long n, at[LATE_MAX_US + 1];
	double max_us;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Poll until a chunk is due, to the microsecond: a poll() rounded up to
 * the next ms sent each chunk up to 1 ms late (2 ms on a round trip at
 * 50 ms, more than the X bench's target allows). Even with a timer slack
 * of 1 µs this VM wakes a sleeper 40-70 µs after its time (p50, at the
 * proxy's real-time priority too), so the last SPIN_US before a chunk's
 * due time are spent polling without sleep: CPU of at most SPIN_US a
 * chunk sent after a wait (a key and its answer: two), for lateness p50
 * 70 -> 2 µs each way. Not for the count file's wakeups (SPIN false). */
#define SPIN_US 100

static struct timespec ms_ts(double ms)
{
	if (ms < 0)
		ms = 0;
	return (struct timespec){.tv_sec = (time_t)(ms / 1000),
				 .tv_nsec = (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6)};
}

static void wait_due(struct pollfd *p, nfds_t n, double ms, bool spin)
{
	double until = now_ms() + ms;
	struct timespec ts = ms_ts(spin ? ms - SPIN_US / 1e3 : ms), zero = {0, 0};

	if (ppoll(p, n, &ts, NULL) != 0 || !spin)
		return;
	while (now_ms() < until)
		if (ppoll(p, n, &zero, NULL) != 0)
			return; /* bytes came meanwhile: read them, then on */
}

static void late_add(struct late *l, double due, double t)
{
	double us = (t - due) * 1e3;

	if (us < 0)
		us = 0;
	if (us > l->max_us)
		l->max_us = us;
	l->at[us >= LATE_MAX_US ? LATE_MAX_US : (size_t)us]++;
	l->n++;
}

/* The µs below which a share q of the chunks were late (the bucket's top). */
static unsigned long late_quantile(const struct late *l, double q)
{
	unsigned long want = (unsigned long)(q * (double)l->n + 0.999999), seen = 0;

	for (unsigned long us = 0; us <= LATE_MAX_US; us++) {
		seen += l->at[us];
		if (seen >= want && seen > 0)
			return us + 1;
	}
	return 0;
}

static struct sockaddr_in lo(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* The time a chunk read now is due: the delay give or take the jitter,
 * not before the chunk ahead of it. */
static double due_at(const struct dir *d, double delay, double jitter)
{
	double due = now_ms() + delay;

	if (jitter > 0)
		due += jitter * (2.0 * rand() / RAND_MAX - 1.0);
	if (due < now_ms())
		due = now_ms();
	if (d->tail && due < d->tail->due)
		due = d->tail->due;
	return due;
}

static void enqueue(struct dir *d, const char *buf, size_t n, double due)
{
	struct chunk *c = malloc(sizeof *c + n);
	if (!c)
		exit(1);
	c->next = NULL;
	c->due = due;
	c->len = n;
	c->off = 0;
	c->timed = false;
	memcpy(c->data, buf, n);
	if (d->tail)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
}

static void pop(struct dir *d)
{
	struct chunk *c = d->head;
	d->head = c->next;
	if (!d->head)
		d->tail = NULL;
	free(c);
}

static int run_udp(int lport, int tport, double delay, double jitter)
{
	struct sockaddr_in la = lo(lport), ta = lo(tport), client = {0};
	socklen_t cl = sizeof client;
	int ls = socket(AF_INET, SOCK_DGRAM, 0), ts = socket(AF_INET, SOCK_DGRAM, 0);
	struct dir up = {0}, down = {0};
	char buf[CHUNK];

	if (bind(ls, (struct sockaddr *)&la, sizeof la) < 0 ||
	    connect(ts, (struct sockaddr *)&ta, sizeof ta) < 0) {
		perror("delay-proxy udp");
		return 1;
	}
	for (;;) {
		double t = now_ms(), next = 1000;
		if (up.head && up.head->due - t < next)
			next = up.head->due - t;
		if (down.head && down.head->due - t < next)
			next = down.head->due - t;
		struct pollfd p[2] = {{.fd = ls, .events = POLLIN}, {.fd = ts, .events = POLLIN}};
		wait_due(p, 2, next, next < 1000);
		if (p[0].revents & POLLIN) {
			cl = sizeof client;
			ssize_t n = recvfrom(ls, buf, sizeof buf, 0, (struct sockaddr *)&client, &cl);
			if (n > 0)
				enqueue(&up, buf, (size_t)n, due_at(&up, delay, jitter));
		}
		if (p[1].revents & POLLIN) {
			ssize_t n = recv(ts, buf, sizeof buf, 0);
			if (n > 0)
				enqueue(&down, buf, (size_t)n, due_at(&down, delay, jitter));
		}
		t = now_ms();
		while (up.head && up.head->due <= t) {
			send(ts, up.head->data, up.head->len, 0);
			pop(&up);
		}
		while (down.head && down.head->due <= t) {
			sendto(ls, down.head->data, down.head->len, 0, (struct sockaddr *)&client, cl);
			pop(&down);
		}
	}
}

/* Rewrites FILE in place with LINE (the reader takes whole lines; the
 * new text is never shorter than the old). */
static void rewrite(const char *file, const char *line)
{
	FILE *f = fopen(file, "r+");

	if (!f && !(f = fopen(file, "w")))
		return;
	fputs(line, f);
	fclose(f);
}

/* The counts in COUNT_FILE, the lateness of each direction in COUNT_FILE.late. */
static void write_counts(const char *file, const double *bytes, const struct late *late)
{
	char line[160], late_file[4096];

	snprintf(line, sizeof line, "%.0f %.0f\n", bytes[0], bytes[1]);
	rewrite(file, line);
	if (snprintf(late_file, sizeof late_file, "%s.late", file) >= (int)sizeof late_file)
		return;
	/* Fixed widths: a figure that falls leaves no digit behind. */
	snprintf(line, sizeof line, "up   %10lu %8lu %8lu %8.0f\ndown %10lu %8lu %8lu %8.0f\n",
		 late[0].n, late_quantile(&late[0], 0.5), late_quantile(&late[0], 0.99), late[0].max_us,
		 late[1].n, late_quantile(&late[1], 0.5), late_quantile(&late[1], 0.99), late[1].max_us);
	rewrite(late_file, line);
}

/* Something the files say changed: they are written COUNT_EVERY_MS
 * after the first change they lack (in a wakeup of their own, below). */
static void count_due(const char *count_file, bool *unwritten, double *count_at)
{
	if (count_file && !*unwritten)
		*count_at = now_ms() + COUNT_EVERY_MS;
	*unwritten = count_file != NULL;
}

static int run_tcp(int lport, int tport, double delay, double jitter, const char *count_file)
{
	/* up, down; the file is written at count_at (0: at once) */
	double bytes[2] = {0, 0}, count_at = 0;
	bool unwritten = count_file != NULL;
	struct late *late = calloc(2, sizeof *late); /* up, down: 160 KB */
	struct sockaddr_in la = lo(lport);
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct dir d[2 * MAX_PAIRS];
	int nd = 0;
	char buf[CHUNK];

	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (!late || bind(ls, (struct sockaddr *)&la, sizeof la) < 0 || listen(ls, 16) < 0) {
		perror("delay-proxy tcp");
		return 1;
	}
	memset(d, 0, sizeof d);
	for (;;) {
		struct pollfd p[1 + 2 * MAX_PAIRS];
		double t = now_ms(), next = 1000;
		bool spin = false; /* the wakeup is a chunk's */
		/* The listener is not polled while every slot is taken (its
		 * POLLIN would wake the loop at once, for ever). */
		p[0] = (struct pollfd){.fd = nd + 2 <= 2 * MAX_PAIRS ? ls : -1, .events = POLLIN};
		for (int i = 0; i < nd; i++) {
			p[1 + i] = (struct pollfd){.fd = d[i].eof ? -1 : d[i].from, .events = POLLIN};
			if (d[i].head && d[i].head->due - t < next) {
				next = d[i].head->due - t;
				spin = true;
			}
		}
		if (unwritten && count_at - t < next) {
			next = count_at - t;
			spin = false;
		}
		wait_due(p, (nfds_t)(1 + nd), next, spin);
		int polled = nd; /* a connection accepted now has no poll result yet */
		if ((p[0].revents & POLLIN) && nd + 2 <= 2 * MAX_PAIRS) {
			int c = accept(ls, NULL, NULL), s = socket(AF_INET, SOCK_STREAM, 0);
			struct sockaddr_in ta = lo(tport);
			if (c >= 0 && connect(s, (struct sockaddr *)&ta, sizeof ta) == 0) {
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
				d[nd++] = (struct dir){.from = c, .to = s};
				d[nd++] = (struct dir){.from = s, .to = c};
			} else {
				close(c);
				close(s);
			}
		}
		for (int i = 0; i < polled; i++) {
			if (!(p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(d[i].from, buf, sizeof buf);
			if (n > 0) {
				enqueue(&d[i], buf, (size_t)n, due_at(&d[i], delay, jitter));
				bytes[i % 2] += (double)n; /* even: client to server */
				count_due(count_file, &unwritten, &count_at);
			} else
				d[i].eof = true;
		}
		t = now_ms();
		for (int i = 0; i < nd; i++) {
			while (d[i].head && d[i].head->due <= t) {
				struct chunk *c = d[i].head;
				if (c->off == 0 && !c->timed) {
					late_add(&late[i % 2], c->due, now_ms());
					c->timed = true;
					count_due(count_file, &unwritten, &count_at);
				}
				ssize_t w = write(d[i].to, c->data + c->off, c->len - c->off);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					/* Blocking socket: an error only, its peer gone
					 * (a link cut on the far side of it, as
					 * cut-proxy does): what was on its way there is
					 * lost, as on a link, and the direction is done,
					 * so the pair is closed and its slot reused. */
					while (d[i].head)
						pop(&d[i]);
					d[i].eof = true;
					break;
				}
				c->off += (size_t)w;
				if (c->off == c->len)
					pop(&d[i]);
			}
			if (d[i].eof && !d[i].head && d[i].to >= 0) {
				shutdown(d[i].to, SHUT_WR);
				d[i].to = -1;
			}
		}
		/* The counts in a wakeup of their own, COUNT_EVERY_MS after the
		 * first byte they do not have: written at once after the bytes
		 * that changed them, the file's open, write and close were on
		 * the path of every key after a quiet spell (a key's way in is
		 * the first to pass; the receiver woken does not always run
		 * before the proxy sleeps again: half the keys of an X bench
		 * run waited for it, 20 to 60 us on a loaded machine). */
		if (unwritten && now_ms() >= count_at) {
			write_counts(count_file, bytes, late);
			unwritten = false;
		}
		/* A connection both of whose directions are done is closed and
		 * its slots reused (a bench makes more than MAX_PAIRS). */
		for (int i = 0; i + 1 < nd;) {
			if (d[i].to >= 0 || d[i + 1].to >= 0) {
				i += 2;
				continue;
			}
			close(d[i].from);
			close(d[i + 1].from);
			d[i] = d[nd - 2];
			d[i + 1] = d[nd - 1];
			nd -= 2;
		}
	}
}

int main(int argc, char **argv)
{
	double jitter = 0;

	if (argc > 2 && !strcmp(argv[1], "--jitter")) {
		char *end;
		jitter = strtod(argv[2], &end);
		if (*end || jitter < 0) {
			fprintf(stderr, "delay-proxy: --jitter wants a number of ms >= 0, not '%s'\n", argv[2]);
			return 2;
		}
		argc -= 2, argv += 2;
	}
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: delay-proxy [--jitter MS] tcp|udp LISTEN_PORT TARGET_PORT DELAY_MS [COUNT_FILE]\n");
		return 2;
	}
	int lp = atoi(argv[2]), tp = atoi(argv[3]);
	double delay = atof(argv[4]);
	signal(SIGPIPE, SIG_IGN); /* a peer reset mid-write (reconnect-bench) is an error, not an end */
	prctl(PR_SET_TIMERSLACK, 1UL); /* wake when a chunk is due, not 50 us after */
	/* A link's delay does not wait for a CPU: at the lowest real-time
	 * priority a chunk goes out when due on a loaded machine too (its
	 * lateness p99, at load 2-5 on this 2-core VM: 2-4 ms -> 0.1 ms).
	 * Where that is not allowed (neither root nor CAP_SYS_NICE), as
	 * before, at the ordinary priority. */
	struct sched_param rt = {.sched_priority = 1};
	sched_setscheduler(0, SCHED_FIFO, &rt);
	srand((unsigned)getpid());
	return !strcmp(argv[1], "udp") ? run_udp(lp, tp, delay, jitter)
				       : run_tcp(lp, tp, delay, jitter, argc == 6 ? argv[5] : NULL);
}
