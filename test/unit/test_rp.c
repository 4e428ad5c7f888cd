/* Unit tests of remote-proto's pure parts: the codec (round trips and a
 * table of malformed payloads each decoder must refuse), the shared-buffer
 * queues (partial writes, the byte bound, drops that keep a frame whole,
 * reference counts), and screen snapshots (a snapshot fed to a fresh
 * screen reproduces the text, colours and cursor). The host's screen is
 * checked against libvterm's own screen layer, and its plain-text path
 * against its libvterm path, on random streams of text and sequences.
 */
#include <errno.h>
#include <stdlib.h>
#include <vterm.h>

#include "queue.h"
#include "rp.h"
#include "screen.h"
#include "vtfilter.h"
#include "unit.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	unsigned v;

	while (s[0] && s[1] && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void header_bounds(void)
{
	uint8_t b[RP_HDR_SIZE];
	struct rp_hdr h;

	rp_hdr_encode(b, RP_OUTPUT, RP_F_FATAL, 0x1234, 65536);
	CHECK_EQ(rp_hdr_decode(b, sizeof b, &h), 0);
	CHECK_EQ(h.type, RP_OUTPUT);
	CHECK_EQ(h.flags, RP_F_FATAL);
	CHECK_EQ(h.chan, 0x1234);
	CHECK_EQ(h.len, 65536);
	CHECK_EQ(b[2], 0x12); /* big-endian on the wire */
	CHECK_EQ(rp_hdr_decode(b, 7, &h), 1);
	rp_hdr_encode(b, RP_OUTPUT, 0, 0, 65537);
	CHECK_EQ(rp_hdr_decode(b, sizeof b, &h), -EMSGSIZE);
	rp_hdr_encode(b, 0, 0, 0, 0);
	CHECK_EQ(rp_hdr_decode(b, sizeof b, &h), -EPROTO);
}

static void open_round_trip(void)
{
	uint8_t buf[1024];
	struct rp_enc e;
	struct rp_open m;
	struct kpty_winsize ws = {.ws_row = 50, .ws_col = 132, .ws_xpixel = 1, .ws_ypixel = 2};
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_OPEN, 0, 0);
	rp_put_u32(&e, 77);
	rp_put_u8(&e, RP_OPEN_CREATE | RP_OPEN_ATTACH);
	rp_put_str(&e, "web-1", 5);
	rp_put_str(&e, "xterm", 5);
	rp_put_str(&e, "/tmp", 4);
	rp_put_winsize(&e, &ws);
	rp_put_u16(&e, 2);
	rp_put_str(&e, "vim", 3);
	rp_put_str(&e, "a b", 3);
	n = rp_enc_end(&e);
	CHECK(n > RP_HDR_SIZE);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &m), 0);
	CHECK_EQ(m.req, 77);
	CHECK_EQ(m.flags, RP_OPEN_CREATE | RP_OPEN_ATTACH);
	CHECK(m.name.n == 5 && !memcmp(m.name.p, "web-1", 5));
	CHECK(m.cwd.n == 4 && !memcmp(m.cwd.p, "/tmp", 4));
	CHECK_EQ(m.ws.ws_row, 50);
	CHECK_EQ(m.ws.ws_col, 132);
	CHECK_EQ(m.argc, 2);
	CHECK(m.argv[1].n == 3 && !memcmp(m.argv[1].p, "a b", 3));
	/* every truncation of a valid frame is refused */
	for (long cut = 0; cut < n - RP_HDR_SIZE; cut++)
		CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, (size_t)cut, &m), -EPROTO);
}

static void termios_round_trip(void)
{
	uint8_t buf[64];
	struct rp_enc e;
	struct kpty_termios t, u;
	long n;

	memset(&t, 0, sizeof t); /* padding too: compared with memcmp */
	memset(&u, 0, sizeof u);
	kpty_termios_default(&t);
	t.c_lflag |= KPTY_EXTPROC;
	t.c_cc[KPTY_VERASE] = 8;
	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, 1);
	rp_put_termios(&e, &t);
	n = rp_enc_end(&e);
	CHECK_EQ(rp_termios_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &u), 0);
	CHECK(!memcmp(&t, &u, sizeof t));
	buf[RP_HDR_SIZE + 16] = KPTY_NCCS + 1; /* a different c_cc count */
	CHECK_EQ(rp_termios_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &u), -EPROTO);
}

/* Payloads each decoder must refuse. */
static void malformed_table(void)
{
	static const struct {
		uint8_t type;
		const char *hex;
	} bad[] = {
		{RP_HELLO, ""},
		{RP_HELLO, "54454c4c58000100000000000000000000"},     /* TELLX */
		{RP_HELLO, "54454c4c590001000000000000000000"},       /* short name length */
		{RP_HELLO, "54454c4c5900010000000000000000000000ff"}, /* trailing byte */
		{RP_HELLO, "54454c4c590001000000001001"},             /* string of 4097 */
		{RP_LIST, "000000"},
		{RP_LIST, "0000000100"},
		{RP_KILL, "0000000100022e61"},               /* ".a" */
		{RP_KILL, "0000000100022f61"},               /* "/a" */
		{RP_KILL, "000000010000"},                   /* empty name */
		{RP_OPEN, "000000010100000000000000000000000000000041"}, /* argc 65 */
		{RP_OPEN, "00000001010000000000000000000000000000000100026100"}, /* NUL */
		{RP_SIGNAL, "02"},
		{RP_SIGNAL, "020000"},
		{RP_WINSIZE, "00180050000000"},
		{RP_INPUT, "000000"},
		{RP_EXIT, "0000"},
		{RP_TIMING, "00000001"},
		{RP_TIMING, "0000000100000000000000010000000000000002000000000000000300000000000000"},
		{RP_TIMING, "000000010000000000000001000000000000000200000000000000030000000000000004ff"},
		{RP_NOTICE, ""},
		{RP_NOTICE, "0004616263"},   /* length past the end */
		{RP_NOTICE, "000161ff"},     /* trailing byte */
		{RP_OUTPUT_LZ4, "00000001"},                 /* no length */
		{RP_OUTPUT_LZ4, "0000000100000000"},         /* length 0 */
		{RP_OUTPUT_LZ4, "000000010000ffff00"},       /* over RP_MAX_OUTPUT */
		{RP_OUTPUT_LZ4, "0000000100000003306162"},   /* block as long as its bytes */
		{RP_OUTPUT_LZ4, "000000010000000a1f61"},     /* block cut short */
		{RP_OUTPUT_LZ4, "000000010000000a10610200"}, /* a match before the start */
		{RP_OUTPUT_LZ4, "000000010000000a10610000"}, /* offset 0 */
	};
	uint8_t p[256];

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		size_t n = unhex(bad[i].hex, p);
		struct rp_hello hello;
		struct rp_open open;
		struct rp_str s;
		struct rp_data d;
		struct kpty_winsize ws;
		uint32_t req;
		uint8_t sig;
		bool flush;
		int32_t st;
		int r = 0;

		switch (bad[i].type) {
		case RP_HELLO: r = rp_hello_decode(p, n, &hello); break;
		case RP_LIST: r = rp_req_decode(p, n, &req); break;
		case RP_KILL: r = rp_kill_decode(p, n, &req, &s); break;
		case RP_OPEN: r = rp_open_decode(p, n, &open); break;
		case RP_SIGNAL: r = rp_signal_decode(p, n, &sig, &flush); break;
		case RP_WINSIZE: r = rp_winsize_decode(p, n, &ws); break;
		case RP_INPUT: r = rp_data_decode(p, n, &d); break;
		case RP_OUTPUT_LZ4: {
			static uint8_t out[RP_MAX_OUTPUT];
			r = rp_output_decode(RP_OUTPUT_LZ4, p, n, &d, out);
			break;
		}
		case RP_EXIT: r = rp_exit_decode(p, n, &st); break;
		case RP_TIMING: {
			struct rp_timing t;
			r = rp_timing_decode(p, n, &t);
			break;
		}
		case RP_NOTICE: r = rp_notice_decode(p, n, &s); break;
		}
		if (r != -EPROTO) {
			fprintf(stderr, "case %zu (%s %s) accepted\n", i, rp_type_name(bad[i].type),
				bad[i].hex);
			failures++;
		}
	}
}

/* HOST:PORT as --listen, --tcp and tcp: backends take it. */
static void host_port(void)
{
	static const struct {
		const char *in, *host, *port; /* host NULL: refused */
	} t[] = {
		{"127.0.0.1:2222", "127.0.0.1", "2222"},
		{"[::1]:22", "::1", "22"},
		{"localhost:ssh", "localhost", "ssh"},
		{"::1:22", "::1", "22"}, /* the last colon splits */
		{"host", NULL, NULL},
		{":22", NULL, NULL},
		{"host:", NULL, NULL},
		{"[]:22", NULL, NULL},
		{"aaaaaaaaaaaaaaaa:1", NULL, NULL}, /* longer than the buffer */
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		char host[16] = "";
		const char *port = NULL;
		int r = rp_host_port(t[i].in, host, sizeof host, &port);
		if (t[i].host ? (r != 0 || strcmp(host, t[i].host) || strcmp(port, t[i].port))
			      : r != -EINVAL) {
			fprintf(stderr, "case %zu (%s): %d '%s' '%s'\n", i, t[i].in, r, host,
				port ? port : "");
			failures++;
		}
	}
}

/* The whole-frame encoders decode to what they were given. */
static void frames_round_trip(void)
{
	uint8_t buf[512];
	struct rp_hdr h;
	struct rp_hello hello;
	struct rp_open open;
	struct kpty_winsize ws = {.ws_row = 30, .ws_col = 100};
	char *argv[] = {"sh", "-c", "true"};
	long n = rp_hello_frame(buf, sizeof buf, 3, "tok", "ssh:alice");

	CHECK(n > 0);
	CHECK_EQ(rp_hdr_decode(buf, (size_t)n, &h), 0);
	CHECK_EQ(h.type, RP_HELLO);
	CHECK_EQ(rp_hello_decode(buf + RP_HDR_SIZE, h.len, &hello), 0);
	CHECK_EQ(hello.caps, 3);
	CHECK(hello.token.n == 3 && !memcmp(hello.token.p, "tok", 3));
	CHECK(hello.name.n == 9 && !memcmp(hello.name.p, "ssh:alice", 9));
	n = rp_open_frame(buf, sizeof buf, 7, RP_OPEN_ATTACH, "vm1", NULL, "/tmp", &ws, argv, 3);
	CHECK(n > 0);
	CHECK_EQ(rp_hdr_decode(buf, (size_t)n, &h), 0);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, h.len, &open), 0);
	CHECK_EQ(open.req, 7);
	CHECK_EQ(open.flags, RP_OPEN_ATTACH);
	CHECK(open.name.n == 3 && !memcmp(open.name.p, "vm1", 3));
	CHECK_EQ(open.term.n, 0);
	CHECK(open.cwd.n == 4 && !memcmp(open.cwd.p, "/tmp", 4));
	CHECK_EQ(open.ws.ws_col, 100);
	CHECK_EQ(open.argc, 3);
	CHECK(open.argv[2].n == 4 && !memcmp(open.argv[2].p, "true", 4));
	CHECK_EQ(rp_open_frame(buf, sizeof buf, 1, 0, "x", NULL, "", &ws, argv, RP_MAX_ARGS + 1),
		 -EMSGSIZE);
	CHECK_EQ(rp_open_frame(buf, 20, 1, 0, "x", NULL, "", &ws, argv, 3), -EMSGSIZE);
}

static void timing_round_trip(void)
{
	struct rp_timing t = {.seq = 0xfedcba98, .t_input = 1,
			      .t_written = 0x123456789abcdef0ull, .t_read = UINT64_MAX,
			      .t_sent = 1ull << 32}, u;
	uint8_t buf[64];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_TIMING, 0, 3);
	rp_put_timing(&e, &t);
	n = rp_enc_end(&e);
	CHECK_EQ(n, RP_HDR_SIZE + 36);
	CHECK_EQ(rp_timing_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &u), 0);
	CHECK(u.seq == t.seq && u.t_input == t.t_input && u.t_written == t.t_written &&
	      u.t_read == t.t_read && u.t_sent == t.t_sent);
}

/* OUTPUT_LZ4 as the daemon makes it and a desk reads it: the same bytes
 * and ack; what does not shrink (noise, a few bytes) is not packed (it
 * goes as OUTPUT); a length that is not the block's is refused. */
static void lz4_round_trip(void)
{
	static uint8_t src[RP_MAX_OUTPUT], out[RP_MAX_OUTPUT];
	uint8_t *z = malloc(4 + rp_lz4_bound(RP_MAX_OUTPUT));
	struct rp_data d;

	for (size_t i = 0; i < sizeof src; i++) /* lines of text: compressible */
		src[i] = (uint8_t)(i % 61 == 60 ? '\n' : 'a' + (i * 7 + i / 61) % 26);
	for (size_t n = 1; n <= sizeof src; n = n * 3 + 1) {
		size_t len = rp_lz4_pack(src, n, z + 4);
		if (n < 1000 && !len)
			continue; /* too short to pay */
		CHECK(len > 4 && len < n);
		memcpy(z, "\x12\x34\x56\x78", 4);
		CHECK_EQ(rp_output_decode(RP_OUTPUT_LZ4, z, 4 + len, &d, out), 0);
		CHECK_EQ(d.seq, 0x12345678);
		CHECK(d.n == n && d.p == out && !memcmp(out, src, n));
		for (int delta = -1; delta <= 1; delta += 2) { /* the length field is wrong */
			uint32_t bad = (uint32_t)n + (uint32_t)delta;
			uint8_t save[4];
			memcpy(save, z + 4, 4);
			z[4] = (uint8_t)(bad >> 24), z[5] = (uint8_t)(bad >> 16);
			z[6] = (uint8_t)(bad >> 8), z[7] = (uint8_t)bad;
			CHECK(rp_output_decode(RP_OUTPUT_LZ4, z, 4 + len, &d, out) < 0);
			memcpy(z + 4, save, 4);
		}
	}
	for (uint32_t i = 0, x = 1; i < 4096; i++) { /* noise does not shrink */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		src[i] = (uint8_t)(x >> 24);
	}
	CHECK_EQ(rp_lz4_pack(src, 4096, z + 4), 0);
	free(z);
}

static void names(void)
{
	CHECK(rp_name_valid("main", 4));
	CHECK(rp_name_valid("a.b_c-9", 7));
	CHECK(!rp_name_valid("", 0));
	CHECK(!rp_name_valid(".hidden", 7));
	CHECK(!rp_name_valid("a/b", 3));
	CHECK(!rp_name_valid("a b", 3));
	CHECK(!rp_name_valid("a\0b", 3));
	char big[RP_MAX_NAME + 1];
	memset(big, 'x', sizeof big);
	CHECK(rp_name_valid(big, RP_MAX_NAME));
	CHECK(!rp_name_valid(big, RP_MAX_NAME + 1));
}

static void encoder_overflow(void)
{
	uint8_t small[16];
	struct rp_enc e;

	rp_enc_begin(&e, small, sizeof small, RP_INPUT, 0, 1);
	rp_put_u32(&e, 1);
	rp_put_bytes(&e, "12345", 5);
	CHECK_EQ(rp_enc_end(&e), -EMSGSIZE);
	rp_enc_begin(&e, small, sizeof small, RP_INPUT, 0, 1);
	rp_put_u32(&e, 1);
	rp_put_bytes(&e, "1234", 4);
	CHECK_EQ(rp_enc_end(&e), 16);
}

static void list_entries(void)
{
	uint8_t buf[512];
	struct rp_enc e;
	uint32_t req;
	uint16_t count;
	size_t off;
	struct rp_session_info s;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_LIST_REPLY, 0, 0);
	rp_put_u32(&e, 9);
	rp_put_u16(&e, 2);
	for (int i = 0; i < 2; i++) {
		rp_put_str(&e, i ? "b" : "a", 1);
		rp_put_str(&e, "sh", 2);
		rp_put_u32(&e, 100u + (unsigned)i);
		rp_put_u16(&e, 24);
		rp_put_u16(&e, 80);
		rp_put_u16(&e, (uint16_t)i);
	}
	n = rp_enc_end(&e) - RP_HDR_SIZE;
	CHECK_EQ(rp_list_reply_decode(buf + RP_HDR_SIZE, (size_t)n, &req, &count, &off), 0);
	CHECK_EQ(count, 2);
	CHECK_EQ(rp_list_entry_decode(buf + RP_HDR_SIZE, (size_t)n, &off, &s), 0);
	CHECK_EQ(s.pid, 100);
	CHECK_EQ(rp_list_entry_decode(buf + RP_HDR_SIZE, (size_t)n, &off, &s), 0);
	CHECK_EQ(s.viewers, 1);
	CHECK_EQ(rp_list_entry_decode(buf + RP_HDR_SIZE, (size_t)n, &off, &s), -EPROTO);
}

static void queue_partial_and_shared(void)
{
	struct rp_queue a, b;
	struct rp_buf *buf = rp_buf_create(10);
	struct iovec iov[8];
	uint8_t h[RP_HDR_SIZE];

	memcpy(buf->data, "0123456789", 10);
	rp_hdr_encode(h, RP_OUTPUT, 0, 1, 10);
	CHECK_EQ(rp_queue_init(&a, 8, 100), 0);
	CHECK_EQ(rp_queue_init(&b, 8, 100), 0);
	CHECK_EQ(rp_queue_push(&a, h, sizeof h, buf, true), 0);
	CHECK_EQ(rp_queue_push(&b, h, sizeof h, buf, true), 0);
	CHECK_EQ(buf->refs, 3); /* shared, not copied */
	rp_buf_unref(buf);
	CHECK_EQ(rp_queue_iov(&a, iov, 8), 2);
	CHECK_EQ(iov[0].iov_len + iov[1].iov_len, 18);
	rp_queue_consume(&a, 11); /* the header and 3 bytes went */
	CHECK_EQ(rp_queue_iov(&a, iov, 8), 1);
	CHECK_EQ(iov[0].iov_len, 7);
	CHECK(!memcmp(iov[0].iov_base, "3456789", 7));
	CHECK_EQ(a.bytes, 7);
	/* a drop keeps the entry that started to go, so the frame stays whole */
	rp_queue_drop(&a);
	CHECK_EQ(a.count, 1);
	rp_queue_consume(&a, 7);
	CHECK_EQ(a.count, 0);
	CHECK_EQ(b.ring[b.head].buf->refs, 1);
	rp_queue_finish(&a);
	rp_queue_finish(&b); /* frees the buffer: ASan says if not */
}

static void queue_bounds(void)
{
	struct rp_queue q;
	struct rp_buf *big = rp_buf_create(60);
	uint8_t h[RP_HDR_SIZE] = {RP_OUTPUT};

	CHECK_EQ(rp_queue_init(&q, 8, 100), 0);
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, big, true), 0);
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, big, true), -ENOBUFS); /* 136 > 100 */
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, big, false), 0);       /* control passes */
	rp_queue_drop(&q);
	CHECK_EQ(q.count, 1); /* only the non-droppable one is left */
	CHECK_EQ(q.bytes, 68);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(rp_queue_push(&q, h, sizeof h, NULL, false), 0);
	/* the last quarter of the ring is for control frames */
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, NULL, true), -ENOBUFS);
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, NULL, false), 0);
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, NULL, false), 0);
	CHECK_EQ(rp_queue_push(&q, h, sizeof h, NULL, false), -ENOBUFS); /* ring full */
	rp_buf_unref(big);
	rp_queue_finish(&q);
}

static void snapshot_reproduces_screen(void)
{
	struct rp_screen *a = rp_screen_create(5, 20, 100, 1 << 16);
	struct rp_screen *b = rp_screen_create(5, 20, 100, 1 << 16);
	struct rp_bytes snap = {0};
	const char *out = "old 1\r\nold 2\r\nold 3\r\n\033[1;31mred\033[0m plain "
			  "\033[38;2;1;2;3mrgb\033[0m\r\n\xe2\x82\xac\xe6\x97\xa5 wide\r\nlast\033[2;3H";
	char ta[64], tb[64];

	rp_screen_feed(a, out, strlen(out));
	rp_screen_snapshot(a, 100, &snap);
	CHECK_EQ(snap.err, 0);
	rp_screen_feed(b, snap.p, snap.len);
	for (int y = 0; y < 5; y++) {
		rp_screen_row_text(a, y, ta, sizeof ta);
		rp_screen_row_text(b, y, tb, sizeof tb);
		if (strcmp(ta, tb)) {
			fprintf(stderr, "row %d: '%s' became '%s'\n", y, ta, tb);
			failures++;
		}
	}
	rp_screen_row_text(b, 0, tb, sizeof tb);
	CHECK(!strcmp(tb, "old 2"));
	rp_screen_row_text(b, 2, tb, sizeof tb);
	CHECK(!strcmp(tb, "red plain rgb"));
	/* attributes come along: SGR 1;31 and the truecolour are in it */
	CHECK(memmem(snap.p, snap.len, "\033[0;1;38;5;1mred", 16) != NULL);
	CHECK(memmem(snap.p, snap.len, ";38;2;1;2;3m", 12) != NULL);
	/* the lines scrolled off are printed first, for the terminal's history */
	CHECK(memmem(snap.p, snap.len, "old 1", 5) != NULL);
	/* and the cursor ends where it was */
	CHECK(memmem(snap.p, snap.len, "\033[2;3H\033[?25h", 12) != NULL);
	rp_bytes_finish(&snap);
	rp_screen_destroy(a);
	rp_screen_destroy(b);
	rp_screen_destroy(NULL);
}

static void scrollback_bounded(void)
{
	struct rp_screen *s = rp_screen_create(3, 10, 4, 1 << 16);
	struct rp_bytes snap = {0};
	char line[32];

	for (int i = 0; i < 50; i++) {
		int n = snprintf(line, sizeof line, "L%d\r\n", i);
		rp_screen_feed(s, line, (size_t)n);
	}
	rp_screen_snapshot(s, 100, &snap);
	/* 4 lines of scrollback kept: L44..L47 (L48, L49 and a blank on screen) */
	CHECK(memmem(snap.p, snap.len, "L43", 3) == NULL);
	CHECK(memmem(snap.p, snap.len, "L44", 3) != NULL);
	rp_bytes_finish(&snap);
	rp_screen_destroy(s);
}

/* A byte can cost a whole screen (insert-line at the top moves every
 * row): whatever is fed, one call draws a bounded amount, skips and
 * counts the rest, and the screen goes on drawing what comes after. */
static void costly_output_bounded(void)
{
	struct rp_screen *s = rp_screen_create(500, 1000, 10, 1 << 20);
	static char flood[3 * 20000];
	char row[64];

	for (size_t i = 0; i < sizeof flood; i += 3)
		memcpy(flood + i, "\033[L", 3);
	for (int round = 0; round < 3; round++) {
		uint64_t before = rp_screen_work(s);
		rp_screen_feed(s, flood, sizeof flood);
		rp_screen_settle(s);
		/* 20000 insert-lines would move 10^10 cells */
		CHECK(rp_screen_work(s) - before < (uint64_t)200 << 20);
	}
	CHECK(rp_screen_skipped(s) > 0);
	rp_screen_feed(s, "\033[Hafter", 8);
	rp_screen_row_text(s, 0, row, sizeof row);
	CHECK(!strcmp(row, "after"));
	rp_screen_destroy(s);
}

/* Pieces of terminal output: plain lines and text, the sequences that
 * change how plain text is drawn, and others. */
static const char *const pieces[] = {
	"\r\n", "\n", "\r", "\t", "\b", "hello", "a longer line of plain text that wraps",
	"\033[1;31m", "\033[0m", "\033[38;5;200m", "\033[48;2;1;2;3m", "\033[4m\033[7m",
	"\033[5;10H", "\033[H", "\033[3;6r", "\033[r", "\033[4h", "\033[4l", "\033[20h",
	"\033[20l", "\033(B", "\016", "\017", "\033[?7l", "\033[?7h", "\0337",
	"\0338", "\033]2;a title\007", "\033P+q544e\033\\", "\xc3\xa9", "e\xcc\x81",
	"\xe4\xb8\xad", "\033[2J", "\033[K", "\033[1\"q", "\033[0\"q", "\033[?2J",
	"\033#6", "\033#5", "\033[?1049h", "\033[?1049l", "\033[?69h\033[3;9s", "\033[?69l",
	"\033[2L", "\033[3M", "\033[2@", "\033[P", "\033[S", "\033[T", "\033M", "\033[!p",
	"\033[31", "\033", "\033]0;x", "\030",
	/* Last, left out of the streams compared with libvterm's screen,
	 * where libvterm's result depends on how its writes were cut: a
	 * UTF-8 character cut short, and DEC graphics (which libvterm does
	 * not apply to ASCII written in the same write as a UTF-8 character). */
	"\033(0", "\xe4",
};

/* Text streams: source code and logs (plain lines with tabs and UTF-8:
 * the ends of the ranges the plain path draws itself, a line separator),
 * with what changes how they are drawn: tab stops, colours, cursor moves,
 * a reset; and, with quirks, a character cut short. Combining marks and
 * wide characters just past the ranges are left to
 * characters-match-libvterm. */
static const char *const utf8_samples[] = {
	"\u00a0", "\u00e9", "\u02ff", "\u0370", "\u0482", "\u048a", "\u052f", "\u2010",
	"\u2027", "\u2028", "\u2030", "\u205e", "\u2190", "\u22ff", "\u2500", "\u259f",
};
static const char *const text_pieces[] = {
	"\r\n", "\t", "\033H", "\033[3g", "\033[g", "\033[1;31m", "\033[0m", "\033[5;10H",
	"\033[H", "\033[2J", "\033[K", "\u00e9", "\n", "\r", "\033c", "\xe4",
};

static void random_stream(unsigned seed, bool quirks, int plain_pct, bool text,
			  struct rp_bytes *out)
{
	size_t npieces = sizeof pieces / sizeof pieces[0] - (quirks ? 0 : 2);

	if (text)
		npieces = sizeof text_pieces / sizeof text_pieces[0] - (quirks ? 0 : 1);
	srand(seed);
	for (int i = 0; i < 3000; i++) {
		int r = rand() % 100;
		if (r < plain_pct && text) {
			char line[256];
			int n = rand() % 60, len = 0;
			for (int k = 0; k < n; k++) {
				int x = rand() % 30;
				const char *u = utf8_samples[(size_t)rand() % (sizeof utf8_samples /
									  sizeof utf8_samples[0])];
				if (x == 0) {
					line[len++] = '\t';
				} else if (x == 1) {
					memcpy(line + len, u, strlen(u));
					len += (int)strlen(u);
				} else {
					line[len++] = (char)(' ' + rand() % 95);
				}
			}
			rp_bytes_put(out, line, (size_t)len);
			rp_bytes_put(out, "\r\n", 2);
		} else if (r < plain_pct) { /* plain lines dominate real output */
			char line[128];
			int n = rand() % 60;
			for (int k = 0; k < n; k++)
				line[k] = (char)(' ' + rand() % 95);
			rp_bytes_put(out, line, (size_t)n);
			rp_bytes_put(out, "\r\n", 2);
		} else if (r == 99 && rand() % 8 == 0) {
			rp_bytes_put(out, "\033c", 2);
		} else {
			const char *p = text ? text_pieces[(size_t)rand() % npieces]
					     : pieces[(size_t)rand() % npieces];
			rp_bytes_put(out, p, strlen(p));
		}
	}
}

static void text_of(VTermScreen *vs, int y, int cols, char *buf, size_t n)
{
	VTermRect r = {.start_row = y, .end_row = y + 1, .start_col = 0, .end_col = cols};
	size_t len = vterm_screen_get_text(vs, buf, n - 1, r);

	while (len && buf[len - 1] == ' ')
		len--;
	buf[len] = 0;
}

/* How many bytes at the end of p[0..n) start a UTF-8 character that is
 * not complete: libvterm's own screen is only given whole characters
 * (it mangles one cut between two writes; rp_screen holds it back). */
static size_t cut_utf8(const char *p, size_t n)
{
	for (size_t i = 1; i <= 3 && i <= n; i++) {
		unsigned char c = (unsigned char)p[n - i];
		if ((c & 0xc0) == 0x80)
			continue;
		return c >= 0xc0 && (c >= 0xf0 ? 4u : c >= 0xe0 ? 3u : 2u) > i ? i : 0;
	}
	return 0;
}

static void to_vterm(void *ctx, const void *p, size_t n)
{
	vterm_input_write(ctx, p, n);
}

/* The same stream, cut into random chunks (some of a byte or two),
 * through our screen with the plain-text path and without it: the two
 * must give the same snapshot byte for byte (attributes, scrollback,
 * cursor, modes) and the same rows all along. Without quirks (below) the
 * rows must also be those of libvterm's own screen layer; with them, the
 * stream has what libvterm renders differently depending on where its
 * writes were cut, and resizes (where libvterm 0.1.4's own screen layer
 * can overrun its buffer). Batched: mostly plain lines in large chunks,
 * looked at only now and then, so the screen draws batches longer than
 * its ring (where the plain path skips what would scroll out of it). */
static void compare_screens(bool quirks, bool batched, bool text)
{
	for (unsigned seed = 1; seed <= 40; seed++) {
		struct rp_bytes in = {0}, sa = {0}, sb = {0};
		int rows = 6 + (int)seed % 5, cols = 12 + (int)seed % 30;
		struct rp_screen *a = rp_screen_create(rows, cols, 30, 1 << 20);
		struct rp_screen *b = rp_screen_create(rows, cols, 30, 1 << 20);
		VTerm *vt = quirks ? NULL : vterm_new(rows, cols);
		VTermScreen *vs = vt ? vterm_obtain_screen(vt) : NULL;
		struct rp_vtfilter ref; /* libvterm is given what rp_screen lets through */
		size_t ref_off = 0;
		int bad = 0;

		if (vt) {
			CHECK(rp_vtfilter_init(&ref, to_vterm, vt));
			rp_vtfilter_set_cols(&ref, cols);
			vterm_set_utf8(vt, 1);
			vterm_screen_enable_altscreen(vs, 1);
			vterm_screen_reset(vs, 1);
		}
		rp_screen_set_fast(b, false);
		random_stream(seed, quirks, batched ? (text ? 99 : 97) : 40, text, &in);
		for (size_t off = 0; off < in.len && !bad;) {
			size_t k = rand() % 4 ? 1 + (size_t)rand() % (batched ? 20000 : 300)
					      : 1 + (size_t)rand() % 3;
			if (k > in.len - off)
				k = in.len - off;
			rp_screen_feed(a, in.p + off, k);
			rp_screen_feed(b, in.p + off, k);
			off += k;
			if (vt) {
				k = off - cut_utf8(in.p, off) - ref_off;
				rp_vtfilter_feed(&ref, in.p + ref_off, k);
				ref_off += k;
			} else if (rand() % 40 == 0) {
				rows = 4 + rand() % 8, cols = 10 + rand() % 40;
				rp_screen_resize(a, rows, cols);
				rp_screen_resize(b, rows, cols);
			}
			if (batched && rand() % 8)
				continue;
			if (batched) { /* scrollback too: what the plain path skipped */
				rp_screen_snapshot(a, 100, &sa);
				rp_screen_snapshot(b, 100, &sb);
				if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
					fprintf(stderr, "seed %u, %zu bytes in: snapshots differ\n", seed, off);
					bad = 1;
				}
				rp_bytes_finish(&sa);
				rp_bytes_finish(&sb);
			}
			for (int y = 0; y < rows; y++) {
				char ta[512], tb[512], tv[512] = "";
				rp_screen_row_text(a, y, ta, sizeof ta);
				rp_screen_row_text(b, y, tb, sizeof tb);
				if (vt)
					text_of(vs, y, cols, tv, sizeof tv);
				if (strcmp(ta, tb) || (vt && strcmp(tb, tv))) {
					fprintf(stderr, "seed %u, %zu bytes in, row %d:\n plain path '%s'\n"
						" libvterm path '%s'\n libvterm's screen '%s'\n",
						seed, off, y, ta, tb, tv);
					bad = 1;
					break;
				}
			}
		}
		rp_screen_snapshot(a, 100, &sa);
		rp_screen_snapshot(b, 100, &sb);
		if (!bad && (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len))) {
			fprintf(stderr, "seed %u: snapshots differ\n", seed);
			bad = 1;
		}
		failures += bad;
		rp_bytes_finish(&in);
		rp_bytes_finish(&sa);
		rp_bytes_finish(&sb);
		rp_screen_destroy(a);
		rp_screen_destroy(b);
		if (vt) {
			vterm_free(vt);
			rp_vtfilter_finish(&ref);
		}
	}
}

static void screen_matches_libvterm(void)
{
	compare_screens(false, false, false);
}

static void text_matches_libvterm(void)
{
	compare_screens(false, false, true);
	compare_screens(false, true, true);
}

static void text_path_matches_with_quirks(void)
{
	compare_screens(true, false, true);
}

/* Every character from U+00A0 to U+25FF, sixteen to a line, each after a
 * space (for the combining marks), as libvterm draws them: the plain path
 * takes those it knows to be narrow. */
static void characters_match_libvterm(void)
{
	struct rp_screen *a = rp_screen_create(4, 60, 10, 1 << 16);
	struct rp_screen *b = rp_screen_create(4, 60, 10, 1 << 16);
	VTerm *vt = vterm_new(4, 60);
	VTermScreen *vs = vterm_obtain_screen(vt);

	rp_screen_set_fast(b, false);
	vterm_set_utf8(vt, 1);
	vterm_screen_reset(vs, 1);
	for (uint32_t c = 0xa0; c < 0x2600; c += 16) {
		char line[96], ta[256], tv[256];
		size_t n = 0;
		for (uint32_t k = c; k < c + 16; k++) {
			if (k >= 0xd800 && k < 0xe000)
				continue;
			n += k < 0x800 ? (size_t)sprintf(line + n, " %c%c", 0xc0 | k >> 6, 0x80 | (k & 63))
				       : (size_t)sprintf(line + n, " %c%c%c", 0xe0 | k >> 12,
							 0x80 | ((k >> 6) & 63), 0x80 | (k & 63));
		}
		n += (size_t)sprintf(line + n, "x\r\n");
		struct rp_bytes sa = {0}, sb = {0};
		/* then a bar at column 50 on that line: the blanks before it
		 * say how many cells the characters took */
		static const char bar[] = "\033[A\033[50G|\r\n";
		rp_screen_feed(a, line, n);
		rp_screen_feed(b, line, n);
		vterm_input_write(vt, line, n);
		rp_screen_feed(a, bar, sizeof bar - 1);
		rp_screen_feed(b, bar, sizeof bar - 1);
		vterm_input_write(vt, bar, sizeof bar - 1);
		rp_screen_row_text(a, 2, ta, sizeof ta);
		text_of(vs, 2, 60, tv, sizeof tv);
		rp_screen_snapshot(a, 0, &sa);
		rp_screen_snapshot(b, 0, &sb);
		bool same = sa.len == sb.len && !memcmp(sa.p, sb.p, sa.len);
		rp_bytes_finish(&sa);
		rp_bytes_finish(&sb);
		if (strcmp(ta, tv) || !same) {
			fprintf(stderr, "U+%04X..: '%s', libvterm '%s'%s\n", (unsigned)c, ta, tv,
				same ? "" : ", snapshots differ");
			failures++;
			break;
		}
	}
	rp_screen_destroy(a);
	rp_screen_destroy(b);
	vterm_free(vt);
}

/* Where a line that fills its row leaves a pending wrap, and what ends
 * it, as libvterm has it: a line feed that scrolls keeps it (the next
 * character starts a new row), one that moves the cursor down cancels it,
 * as do CR and a line feed in newline mode; a tab at the last column keeps
 * it. Each stream's first line (through libvterm) puts the cursor in
 * column 0; the rest is plain text. */
static void wraps_match_libvterm(void)
{
	static const char *const streams[] = {
		"\033[1;1H\n123456789\nab\r\n",	 "\033[3;1H\n123456789\nab\r\n",
		"\033[20h\033[1;1H\n123456789\nab\r\n", "\033[20h\033[3;1H\n123456789\nab\r\n",
		"\033[3;1H\n1234567\t\nab\r\n",	 "\033[3;1H\n123456789\tab\r\n",
		"\033[3;1H\n123456789\rab\r\n",	 "\033[1;1H\n123456789\n\nab\r\n",
	};
	for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
		struct rp_screen *a = rp_screen_create(4, 9, 10, 1 << 16);
		struct rp_screen *b = rp_screen_create(4, 9, 10, 1 << 16);
		VTerm *vt = vterm_new(4, 9);
		VTermScreen *vs = vterm_obtain_screen(vt);
		struct rp_bytes sa = {0}, sb = {0};
		size_t n = strlen(streams[i]);

		rp_screen_set_fast(b, false);
		vterm_set_utf8(vt, 1);
		vterm_screen_reset(vs, 1);
		rp_screen_feed(a, streams[i], n);
		rp_screen_feed(b, streams[i], n);
		vterm_input_write(vt, streams[i], n);
		for (int y = 0; y < 4; y++) {
			char ta[64], tv[64];
			rp_screen_row_text(a, y, ta, sizeof ta);
			text_of(vs, y, 9, tv, sizeof tv);
			if (strcmp(ta, tv)) {
				fprintf(stderr, "stream %zu, row %d: '%s', libvterm '%s'\n", i, y, ta, tv);
				failures++;
			}
		}
		rp_screen_snapshot(a, 100, &sa);
		rp_screen_snapshot(b, 100, &sb);
		if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
			fprintf(stderr, "stream %zu: snapshots differ\n", i);
			failures++;
		}
		rp_bytes_finish(&sa);
		rp_bytes_finish(&sb);
		rp_screen_destroy(a);
		rp_screen_destroy(b);
		vterm_free(vt);
	}
}

/* Lines much longer than the ring, drawn with the plain path (which drops
 * the lines that would scroll out of the ring as they come, and skips
 * them when it draws) and by libvterm: the same screen and scrollback,
 * whatever the lines (tabs, UTF-8, wraps, FF; bold and wide characters,
 * which the plain path leaves to libvterm), however the output is cut
 * into feeds, and with a bare line feed (the next line starts where it
 * left the column) or a form feed at each distance from the end. */
static void skipped_lines_keep_scrollback(void)
{
	static const char *const forms[] = {
		"L%03d\r\n", "L%03d\t\t\txy\r\n", "L%03d \u00e9\u2500\tx\r\n",
		"L%03d abcdefghijklmnopqrstuvwxyz0123456789\r\n", "L%03d\t\u00e9\t\u00e9\t\u00e9\r\n",
		"L%03d\fx\r\n", "L%03d \033[1mbold\033[m\r\n", "L%03d \u4e2d\r\n",
	};
	for (int cols = 9; cols <= 33; cols += 4) {
		for (unsigned mix = 0; mix < 6 * 16; mix++) {
			struct rp_screen *a = rp_screen_create(3, cols, 5, 1 << 20);
			struct rp_screen *b = rp_screen_create(3, cols, 5, 1 << 20);
			struct rp_bytes in = {0}, sa = {0}, sb = {0};
			int at = (int)mix / 6; /* a bare LF or an FF this far from the end */
			char row[128];
			rp_screen_set_fast(b, false);
			rp_screen_feed(a, "\033[3;1H", 6); /* the bottom row */
			rp_screen_feed(b, "\033[3;1H", 6);
			rp_screen_row_text(a, 0, row, sizeof row);
			rp_screen_row_text(b, 0, row, sizeof row);
			for (int i = 0; i < 200; i++) {
				char line[80];
				unsigned f = (i * 7 + mix % 6 * (unsigned)i / 3) % 5;
				if (mix % 6 > 2 && i % (int)(mix % 6 * 11) == 0) /* now and then */
					f = 5 + (unsigned)i % 3;
				if (at && i == 200 - at && mix % 3 == 1)
					f = 5;
				int n = snprintf(line, sizeof line, forms[f], i);
				if (at && i == 200 - at && mix % 3 == 0)
					line[n - 2] = '\n', n--;
				rp_bytes_put(&in, line, (size_t)n);
			}
			/* in feeds of 1 to 300 bytes, or all at once */
			for (size_t off = 0, k; off < in.len; off += k) {
				k = mix % 2 ? in.len : 1 + (off * 7 + mix) % 300;
				if (k > in.len - off)
					k = in.len - off;
				rp_screen_feed(a, in.p + off, k);
				rp_screen_feed(b, in.p + off, k);
			}
			rp_screen_snapshot(a, 100, &sa);
			rp_screen_snapshot(b, 100, &sb);
			if (sa.len != sb.len || memcmp(sa.p, sb.p, sa.len)) {
				fprintf(stderr, "%d columns, mix %u, %d lines from the end: "
					"snapshots differ\n", cols, mix % 6, at);
				failures++;
			}
			rp_bytes_finish(&in);
			rp_bytes_finish(&sa);
			rp_bytes_finish(&sb);
			rp_screen_destroy(a);
			rp_screen_destroy(b);
		}
	}
}

static void batched_plain_matches_libvterm(void)
{
	compare_screens(false, true, false);
}

static void plain_path_matches_with_quirks(void)
{
	compare_screens(true, false, false);
}

/* Feeds out to an eager and a lazy screen in the same random pieces, with
 * the same size changes, and compares their snapshots now and then: the
 * lazy one, built from the output it kept, must give the same bytes. */
static void lazy_against_eager(const struct rp_bytes *out, size_t keep, unsigned seed,
			       int resizes)
{
	struct rp_screen *e = rp_screen_create(24, 80, 24, 1 << 20);
	struct rp_screen *l = rp_screen_create_lazy(24, 80, 24, 1 << 20, keep);
	int compared = 0;

	srand(seed);
	for (size_t off = 0; off < out->len;) {
		size_t n = 1 + (size_t)rand() % 3000;
		int r = rand() % 100;
		if (n > out->len - off)
			n = out->len - off;
		rp_screen_feed(e, out->p + off, n);
		rp_screen_feed(l, out->p + off, n);
		off += n;
		if (r < 10)
			rp_screen_settle(e);
		if (r >= 90 && resizes) {
			int rows = 5 + rand() % 40, cols = 10 + rand() % 150;
			rp_screen_resize(e, rows, cols);
			rp_screen_resize(l, rows, cols);
		}
		if (r % 7 == 0 || off == out->len) {
			struct rp_bytes a = {0}, b = {0};
			rp_screen_snapshot(e, 1000, &a);
			rp_screen_snapshot(l, 1000, &b);
			if (a.len != b.len || memcmp(a.p, b.p, a.len)) {
				size_t i = 0;
				while (i < a.len && i < b.len && a.p[i] == b.p[i])
					i++;
				fprintf(stderr, "seed %u, at %zu of %zu: snapshots differ from byte %zu "
					"(%zu and %zu bytes)\n", seed, off, out->len, i, a.len, b.len);
				failures++;
				off = out->len;
			}
			compared++;
			rp_bytes_finish(&a);
			rp_bytes_finish(&b);
		}
	}
	CHECK(compared > 0);
	rp_screen_destroy(e);
	rp_screen_destroy(l);
}

/* Everything kept: whatever the output and the size changes, a lazy
 * screen's snapshot is an eager one's. */
static void lazy_screen_matches_eager(void)
{
	for (unsigned seed = 1; seed <= 6; seed++) {
		struct rp_bytes out = {0};
		random_stream(seed, seed > 3, 60, seed % 2, &out);
		lazy_against_eager(&out, out.len + 1, seed, seed % 3);
		rp_bytes_finish(&out);
	}
}

/* A console's boot: coloured lines (more than the lazy screen keeps) and
 * a prompt, with the window changing size now and then: the lines kept
 * fill the screen and its scrollback, so the snapshot is the eager one's. */
static void lazy_screen_keeps_recent_lines(void)
{
	static const char *const tags[] = {"\033[0;32m  OK  \033[0m", "\033[0;1;31mFAILED\033[0m",
					   "\033[0;1;39mDEPEND\033[0m"};
	for (unsigned seed = 1; seed <= 4; seed++) {
		struct rp_bytes out = {0};
		char line[160];
		srand(seed);
		for (int i = 0; i < 2000; i++) {
			int n = snprintf(line, sizeof line, "[%s] Started unit number %d of the %s.\r\n",
					 tags[rand() % 3], i, seed % 2 ? "boot" : "b\u00f6\u00f6t\tlog");
			rp_bytes_put(&out, line, (size_t)n);
			if (rand() % 300 == 0)
				rp_bytes_put(&out, "\033[H\033[2J", 7);
		}
		rp_bytes_put(&out, "\r\nhost login: ", 14);
		lazy_against_eager(&out, 8192 * seed, seed, 1);
		rp_bytes_finish(&out);
	}
}

/* The output kept starts at a line: the oldest line a lazy screen shows
 * is whole, not the end of one cut in the middle. And size changes past
 * what it keeps a record of let go of the output before them, not of
 * the sizes: with the lines since then on screen, the snapshot is still
 * the eager one's. */
static void lazy_screen_replays_whole_lines(void)
{
	struct rp_screen *l = rp_screen_create_lazy(24, 80, 24, 1 << 20, 800);
	struct rp_screen *e = rp_screen_create(24, 80, 24, 1 << 20);
	struct rp_screen *m = rp_screen_create_lazy(24, 80, 24, 1 << 20, 1 << 20);
	struct rp_bytes a = {0}, b = {0};
	char line[64], row[128];

	srand(7);
	for (int i = 0; i < 100; i++) {
		int n = snprintf(line, sizeof line, "line %03d, 36 bytes and its CR LF: 38\r\n", i);
		for (int off = 0; off < n;) {
			int k = 1 + rand() % 17;
			k = k < n - off ? k : n - off;
			rp_screen_feed(l, line + off, (size_t)k);
			off += k;
		}
	}
	/* 800 bytes: 21 lines of 38 bytes and the end of one, left out */
	rp_screen_row_text(l, 0, row, sizeof row);
	CHECK(!strcmp(row, "line 079, 36 bytes and its CR LF: 38"));
	rp_screen_row_text(l, 20, row, sizeof row);
	CHECK(!strcmp(row, "line 099, 36 bytes and its CR LF: 38"));
	/* A feed longer than the room left, cut right after a line: that
	 * line's successor is the first kept, whatever came before. */
	{
		struct rp_screen *k = rp_screen_create_lazy(24, 80, 24, 1 << 20, 64);
		char feed[104 + 1];
		memset(feed, 'x', 38);
		snprintf(feed + 38, sizeof feed - 38, "\r\nfirst kept\r\n%s",
			 "second line 0123456\r\nthird line 0123456\r\nfourth 89\r\n");
		CHECK_EQ(strlen(feed), 104);
		rp_screen_feed(k, "abc", 3);
		rp_screen_feed(k, feed, 104);
		rp_screen_row_text(k, 0, row, sizeof row);
		CHECK(!strcmp(row, "first kept"));
		rp_screen_destroy(k);
	}
	for (int seg = 0; seg < 12; seg++) {
		rp_screen_resize(e, seg % 2 ? 30 : 24, seg % 2 ? 100 : 80);
		rp_screen_resize(m, seg % 2 ? 30 : 24, seg % 2 ? 100 : 80);
		for (int i = 0; i < 60; i++) {
			int n = snprintf(line, sizeof line, "segment %d line %d\r\n", seg, i);
			rp_screen_feed(e, line, (size_t)n);
			rp_screen_feed(m, line, (size_t)n);
		}
	}
	rp_screen_snapshot(e, 1000, &a);
	rp_screen_snapshot(m, 1000, &b);
	CHECK(a.len == b.len && !memcmp(a.p, b.p, a.len));
	CHECK(memmem(b.p, b.len, "segment 11 line 59", 18) != NULL);
	rp_bytes_finish(&a);
	rp_bytes_finish(&b);
	rp_screen_destroy(l);
	rp_screen_destroy(e);
	rp_screen_destroy(m);
}

static const struct unit_case cases[] = {
	{"header-bounds", header_bounds},
	{"open-round-trip", open_round_trip},
	{"termios-round-trip", termios_round_trip},
	{"malformed-table", malformed_table},
	{"names", names},
	{"timing-round-trip", timing_round_trip},
	{"lz4-round-trip", lz4_round_trip},
	{"host-port", host_port},
	{"frames-round-trip", frames_round_trip},
	{"encoder-overflow", encoder_overflow},
	{"list-entries", list_entries},
	{"queue-partial-and-shared", queue_partial_and_shared},
	{"queue-bounds", queue_bounds},
	{"snapshot-reproduces-screen", snapshot_reproduces_screen},
	{"scrollback-bounded", scrollback_bounded},
	{"costly-output-bounded", costly_output_bounded},
	{"screen-matches-libvterm", screen_matches_libvterm},
	{"plain-path-matches-with-quirks", plain_path_matches_with_quirks},
	{"batched-plain-matches-libvterm", batched_plain_matches_libvterm},
	{"characters-match-libvterm", characters_match_libvterm},
	{"wraps-match-libvterm", wraps_match_libvterm},
	{"skipped-lines-keep-scrollback", skipped_lines_keep_scrollback},
	{"text-matches-libvterm", text_matches_libvterm},
	{"text-path-matches-with-quirks", text_path_matches_with_quirks},
	{"lazy-screen-matches-eager", lazy_screen_matches_eager},
	{"lazy-screen-keeps-recent-lines", lazy_screen_keeps_recent_lines},
	{"lazy-screen-replays-whole-lines", lazy_screen_replays_whole_lines},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
