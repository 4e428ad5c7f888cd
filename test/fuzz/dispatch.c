/* libFuzzer target for the daemon's frame dispatch: clients/serve/ itself,
 * built with TELLY_FUZZ_DISPATCH (its hooks at the end of serve/loop.c and
 * serve/session_pty.c), gets the input as a peer's byte stream on a
 * socketpair and runs its loop's work (read, cut frames, dispatch_frame,
 * flush the replies, the sessions' ptys) until the stream is consumed and
 * the connection gone or idle; then
 * everything is torn down, so a leak is a finding.
 *
 * Input: one byte of flags, then the stream.
 *   bit 0: the peer came over TCP (it must log in with the token,
 *          0123456789abcdef x4) rather than the owner's unix socket
 *   bit 1: another desk is connected first and watches session "0"
 *          (HELLO, OPEN "0" create+attach, read-only), so what the peer
 *          does to a session reaches a second viewer
 *
 * A session's "program" is a pty with no process on it (the fuzz build
 * forks nothing); the fuzzer reads its slave as a program would.
 *
 * TELLY_DISPATCH_SEEDS=DIR fuzz-dispatch writes the seeds of
 * corpus/dispatch/ (conversations built with the codec's encoders, the
 * malformed frames of test/integration/bad-frames.sh) into DIR and exits. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rp.h"

struct server;
struct server *telly_fuzz_server(void);
int telly_fuzz_connect(struct server *srv, int fd, bool tcp);
unsigned telly_fuzz_step(struct server *srv);
void telly_fuzz_server_destroy(struct server *srv);

#define FLAG_TCP 0x01
#define FLAG_WATCHER 0x02
#define IDLE_ROUNDS 3 /* rounds that move no byte: the daemon waits on nothing we do */
#define TOKEN "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* ---- frames, by the codec's encoders ---- */

struct out {
	uint8_t buf[1 << 17];
	size_t len;
};

static void add(struct out *o, long n)
{
	if (n < 0) {
		fprintf(stderr, "dispatch seeds: a frame did not encode\n");
		exit(1);
	}
	o->len += (size_t)n;
}

static struct rp_enc *begin(struct out *o, struct rp_enc *e, uint8_t type, uint16_t chan)
{
	rp_enc_begin(e, o->buf + o->len, sizeof o->buf - o->len, type, 0, chan);
	return e;
}

static void hello(struct out *o, uint32_t caps, const char *token)
{
	add(o, rp_hello_frame(o->buf + o->len, sizeof o->buf - o->len, caps, token, "fuzz"));
}

static void req(struct out *o, uint8_t type, uint32_t r)
{
	struct rp_enc e;

	rp_put_u32(begin(o, &e, type, 0), r);
	add(o, rp_enc_end(&e));
}

static void open_(struct out *o, uint32_t r, uint8_t flags, const char *name, uint16_t rows,
		  uint16_t cols)
{
	struct kpty_winsize ws = {.ws_row = rows, .ws_col = cols};
	char *argv[] = {"sh", "-c", "cat"};

	add(o, rp_open_frame(o->buf + o->len, sizeof o->buf - o->len, r, flags, name, "xterm", "/",
			     &ws, argv, 3));
}

static void kill_(struct out *o, uint32_t r, const char *name)
{
	struct rp_enc e;

	rp_put_u32(begin(o, &e, RP_KILL, 0), r);
	rp_put_str(&e, name, strlen(name));
	add(o, rp_enc_end(&e));
}

static void data(struct out *o, uint8_t type, uint16_t chan, uint32_t seq, const char *s,
		 size_t n)
{
	struct rp_enc e;

	begin(o, &e, type, chan);
	if (type == RP_INPUT)
		rp_put_u32(&e, seq);
	rp_put_bytes(&e, s, n);
	add(o, rp_enc_end(&e));
}

static void winsize(struct out *o, uint16_t chan, uint16_t rows, uint16_t cols)
{
	struct kpty_winsize ws = {.ws_row = rows, .ws_col = cols};
	struct rp_enc e;

	rp_put_winsize(begin(o, &e, RP_WINSIZE, chan), &ws);
	add(o, rp_enc_end(&e));
}

static void sig(struct out *o, uint16_t chan, uint8_t s, uint8_t flush)
{
	struct rp_enc e;

	rp_put_u8(begin(o, &e, RP_SIGNAL, chan), s);
	rp_put_u8(&e, flush);
	add(o, rp_enc_end(&e));
}

static void seen(struct out *o, uint16_t chan, uint32_t mark)
{
	struct rp_enc e;

	rp_put_u32(begin(o, &e, RP_TERMIOS_SEEN, chan), mark);
	add(o, rp_enc_end(&e));
}

static void empty(struct out *o, uint8_t type, uint16_t chan)
{
	struct rp_enc e;

	add(o, rp_enc_end(begin(o, &e, type, chan)));
}

/* A frame of rp-poke's: type, payload in hex, channel 0. */
static void raw(struct out *o, uint8_t type, const char *hex)
{
	size_t n = strlen(hex) / 2;

	rp_hdr_encode(o->buf + o->len, type, 0, 0, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		o->buf[o->len + RP_HDR_SIZE + i] = (uint8_t)v;
	}
	o->len += RP_HDR_SIZE + n;
}

static void bytes(struct out *o, const char *hex)
{
	for (size_t i = 0; hex[2 * i]; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		o->buf[o->len++] = (uint8_t)v;
	}
}

static void start(struct out *o, uint8_t flags)
{
	o->len = 0;
	o->buf[o->len++] = flags;
}

static void save(const char *dir, const char *name, const struct out *o)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(o->buf, 1, o->len, f) != o->len || fclose(f) != 0) {
		fprintf(stderr, "dispatch seeds: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* A program's session: what attach and view say to it. */
static void session_talk(struct out *o, uint16_t chan)
{
	data(o, RP_INPUT, chan, 1, "echo hi\n", 8);
	winsize(o, chan, 2000, 2000);
	data(o, RP_ECHO, chan, 0, "", 0);
	data(o, RP_ECHO, chan, 0, "ls\r\n\033[1mbold\033[m", 15);
	sig(o, chan, SIGINT, 1);
	sig(o, chan, SIGKILL, 0);
	data(o, RP_INPUT, chan, 2, "\003\004", 2);
	winsize(o, chan, 0, 0);
	winsize(o, chan, 3, 2);
	empty(o, RP_BREAK, chan);
	empty(o, RP_TAKEOVER, chan);
}

static void write_seeds(const char *dir)
{
	static struct out o;

	start(&o, 0);
	hello(&o, RP_CAP_LINEMODE, "");
	req(&o, RP_LIST, 1);
	open_(&o, 2, RP_OPEN_CREATE | RP_OPEN_ATTACH, "s1", 24, 80);
	req(&o, RP_LIST, 3);
	session_talk(&o, 1);
	kill_(&o, 4, "s1");
	req(&o, RP_STOP, 5);
	save(dir, "talk", &o);

	start(&o, FLAG_WATCHER);
	hello(&o, RP_CAP_LINEMODE | RP_CAP_TIMING | RP_CAP_LZ4, "");
	open_(&o, 1, RP_OPEN_ATTACH, "0", 50, 132);
	session_talk(&o, 1);
	data(&o, RP_INPUT, 1, 3, "yes | head -c 3000\n", 19);
	empty(&o, RP_DETACH, 1);
	empty(&o, RP_DETACH, 1);
	req(&o, RP_LIST, 2);
	save(dir, "watched", &o);

	/* A desk that types again what a switch to canonical let go: its
	 * INPUT before TERMIOS_SEEN of the attach's canonical TERMIOS (mark
	 * 1) is let go, then written; marks never sent, or 0, refused; an
	 * empty INPUT after a signal. */
	start(&o, 0);
	hello(&o, RP_CAP_LINEMODE | RP_CAP_CONTEXT | RP_CAP_RETYPE, "");
	open_(&o, 1, RP_OPEN_CREATE | RP_OPEN_ATTACH, "s1", 24, 80);
	data(&o, RP_INPUT, 1, 1, "typed raw", 9);
	seen(&o, 1, 7);
	seen(&o, 1, 0);
	seen(&o, 1, 1);
	data(&o, RP_INPUT, 1, 2, "a line\n", 7);
	sig(&o, 1, SIGINT, 1);
	data(&o, RP_INPUT, 1, 3, "", 0); /* after a signal: done in its turn */
	seen(&o, 1, 1);
	raw(&o, RP_TERMIOS_SEEN, "0001");
	save(dir, "retype", &o);

	start(&o, FLAG_TCP);
	hello(&o, RP_CAP_LINEMODE, TOKEN);
	open_(&o, 1, RP_OPEN_CREATE | RP_OPEN_EXCL, "", 0, 0);
	open_(&o, 2, RP_OPEN_CREATE | RP_OPEN_EXCL, "0", 24, 80);
	open_(&o, 3, RP_OPEN_ATTACH | RP_OPEN_READONLY, "0", 24, 80);
	data(&o, RP_INPUT, 1, 1, "x", 1);
	winsize(&o, 1, 30, 90);
	open_(&o, 4, 0, "nosuch", 24, 80);
	open_(&o, 5, RP_OPEN_ATTACH, "", 24, 80);
	req(&o, RP_LIST, 6);
	save(dir, "tcp-token", &o);

	start(&o, FLAG_TCP);
	hello(&o, RP_CAP_LINEMODE, "wrong");
	req(&o, RP_LIST, 1);
	save(dir, "tcp-wrong-token", &o);

	/* The session and channel limits. */
	start(&o, 0);
	hello(&o, 0, "");
	for (unsigned i = 0; i < 10; i++) {
		char name[8];
		snprintf(name, sizeof name, "n%u", i);
		open_(&o, i, RP_OPEN_CREATE, name, 24, 80);
	}
	for (unsigned i = 0; i < 34; i++)
		open_(&o, 100 + i, RP_OPEN_ATTACH | (i & 1 ? RP_OPEN_READONLY : 0), "n0", 24, 80);
	data(&o, RP_INPUT, 33, 1, "x", 1);
	data(&o, RP_INPUT, 2, 1, "x", 1);
	kill_(&o, 200, "n1");
	kill_(&o, 201, "zz");
	save(dir, "limits", &o);

	/* test/integration/bad-frames.sh, each to a connection of its own. */
	static const struct {
		const char *name;
		bool hello;
		int type; /* -1: hex is raw bytes */
		const char *hex;
	} bad[] = {
		{"bad-header-type0", false, -1, "0000000000000000"},
		{"bad-header-huge", false, -1, "01000000ffffffff"},
		{"bad-list-first", false, RP_LIST, "00000007"},
		{"bad-hello", false, RP_HELLO, "54454c4c59"},
		{"bad-hello-version", false, RP_HELLO, "54454c4c5900090000000000000000"},
		{"bad-open-short", true, RP_OPEN, "000000"},
		{"bad-open-string", true, RP_OPEN, "0000000105ffff41"},
		{"bad-kill-name", true, RP_KILL, "00000001000b2e2e2f2e2e2f6574632f"},
		{"bad-handoff", false, RP_HANDOFF, ""},
		{"bad-handoff-late", true, RP_HANDOFF, ""},
		{"bad-unknown-type", true, 99, ""},
		{"bad-input-unattached", true, RP_INPUT, "0000000141"},
		{"bad-hello-twice", true, RP_HELLO, "54454c4c5900010000000000000000"},
		{"bad-xscreen-short", true, RP_XSCREEN, "0780"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		start(&o, 0);
		if (bad[i].hello)
			hello(&o, 0, "");
		if (bad[i].type < 0)
			bytes(&o, bad[i].hex);
		else
			raw(&o, (uint8_t)bad[i].type, bad[i].hex);
		req(&o, RP_LIST, 7);
		save(dir, bad[i].name, &o);
	}
	/* A frame cut short: the stream ends mid-frame. */
	start(&o, 0);
	hello(&o, 0, "");
	bytes(&o, "0400000000000004000000");
	save(dir, "bad-cut", &o);
}

/* ---- the target ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TELLY_DISPATCH_SEEDS");

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	if (dir) {
		write_seeds(dir);
		exit(0);
	}
	return 0;
}

/* Reads what the daemon sent; true if anything came (or the end). */
static bool drain(int fd)
{
	uint8_t buf[65536];
	bool moved = false;
	ssize_t r;

	while (fd >= 0 && (r = recv(fd, buf, sizeof buf, 0)) > 0)
		moved = true;
	return moved;
}

static int pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
}

/* The watcher's conversation: HELLO, OPEN "0" create+attach read-only. */
static size_t watcher_says(uint8_t *buf, size_t cap)
{
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	long a = rp_hello_frame(buf, cap, RP_CAP_LINEMODE | RP_CAP_LZ4, "", "watcher");
	long b = a < 0 ? -1
		       : rp_open_frame(buf + a, cap - (size_t)a, 1,
				       RP_OPEN_CREATE | RP_OPEN_ATTACH | RP_OPEN_READONLY, "0", "",
				       "", &ws, NULL, 0);

	return b < 0 ? 0 : (size_t)(a + b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server *srv;
	int peer[2], watch[2] = {-1, -1};
	size_t off = 0;
	bool shut = false;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (!(srv = telly_fuzz_server()) || pair(peer) < 0)
		abort();
	if (flags & FLAG_WATCHER) {
		uint8_t says[256];
		size_t n = watcher_says(says, sizeof says);
		if (pair(watch) < 0 || telly_fuzz_connect(srv, watch[0], false) < 0 ||
		    send(watch[1], says, n, 0) != (ssize_t)n)
			abort();
		for (int i = 0; i < IDLE_ROUNDS; i++) /* its frames first: session "0" is there */
			telly_fuzz_step(srv);
		drain(watch[1]);
	}
	if (telly_fuzz_connect(srv, peer[0], flags & FLAG_TCP) < 0)
		abort();
	for (int idle = 0; idle < IDLE_ROUNDS;) {
		bool moved = false;
		if (off < size) {
			ssize_t w = send(peer[1], data + off, size - off, MSG_NOSIGNAL);
			if (w > 0) {
				off += (size_t)w;
				moved = true;
			}
		} else if (!shut) {
			shutdown(peer[1], SHUT_WR); /* the peer is done: EOF */
			shut = moved = true;
		}
		unsigned left = telly_fuzz_step(srv);
		moved |= drain(peer[1]);
		moved |= drain(watch[1]);
		if (!left)
			break;
		idle = moved ? 0 : idle + 1;
	}
	/* The desks end their streams, as they would leaving: the daemon's
	 * orderly close of each waits for that (at most RP_CLOSE_WAIT_MS). */
	shutdown(peer[1], SHUT_WR);
	if (watch[1] >= 0)
		shutdown(watch[1], SHUT_WR);
	telly_fuzz_server_destroy(srv);
	close(peer[1]);
	if (watch[1] >= 0)
		close(watch[1]);
	return 0;
}
