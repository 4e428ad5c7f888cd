/* Unit tests of remote-proto's pure parts: the codec (round trips and a
 * table of malformed payloads each decoder must refuse) and the
 * shared-buffer queues (partial writes, the byte bound, drops that keep a
 * frame whole, reference counts).
 */
#include <errno.h>
#include <stdlib.h>

#include "queue.h"
#include "rp.h"
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

/* OPEN's more flags: none without the byte (an older desk's frame), the
 * byte after argv, or after DISPLAY's str; two bytes more are refused. */
static void open_more(void)
{
	uint8_t buf[256], view = RP_OPEN_MORE_VIEW, two[2] = {1, 1};
	uint8_t dpy[] = {0, 2, 'x', '1'};
	struct kpty_winsize ws = {0};
	char *argv[] = {"echo", "hi"};
	struct rp_open m;
	struct rp_hdr h;
	long n = rp_open_frame(buf, sizeof buf, 5, RP_OPEN_CREATE | RP_OPEN_X11, "", "", "", &ws,
			       argv, 2);

	CHECK(n > 0);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &m), 0);
	CHECK_EQ(m.more, 0);
	long with = rp_open_append(buf, sizeof buf, n, &view, 1);
	CHECK_EQ(with, n + 1);
	CHECK_EQ(rp_hdr_decode(buf, (size_t)with, &h), 0);
	CHECK_EQ(h.len, (uint32_t)(with - RP_HDR_SIZE));
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, h.len, &m), 0);
	CHECK_EQ(m.more, RP_OPEN_MORE_VIEW);
	CHECK_EQ(m.argc, 2);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, h.len + 1, &m), -EPROTO);
	/* after the display's name */
	n = rp_open_frame(buf, sizeof buf, 5, RP_OPEN_CREATE | RP_OPEN_DISPLAY, "", "", "", &ws,
			  argv, 2);
	n = rp_open_append(buf, sizeof buf, n, dpy, sizeof dpy);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &m), 0);
	CHECK(m.display.n == 2 && !memcmp(m.display.p, "x1", 2) && m.more == 0);
	CHECK_EQ(rp_open_append(buf, sizeof buf, n, two, 2), n + 2);
	CHECK_EQ(rp_open_decode(buf + RP_HDR_SIZE, (size_t)n + 2 - RP_HDR_SIZE, &m), -EPROTO);
	/* bounds: the buffer, and a length passed on */
	CHECK_EQ(rp_open_append(buf, (size_t)n, n, &view, 1), -EMSGSIZE);
	CHECK_EQ(rp_open_append(buf, sizeof buf, -EMSGSIZE, &view, 1), -EMSGSIZE);
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

/* TERMIOS's long form (RP_CAP_RETYPE: seq and mark after the termios)
 * and the short one both decode; any other length is refused. */
static void termios_at_both_forms(void)
{
	uint8_t buf[64];
	struct rp_enc e;
	struct kpty_termios t, u;
	struct rp_termios_at at;
	long n;

	kpty_termios_default(&t);
	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, 1);
	rp_put_termios(&e, &t);
	n = rp_enc_end(&e) - RP_HDR_SIZE;
	CHECK_EQ(rp_termios_at_decode(buf + RP_HDR_SIZE, (size_t)n, &u, &at), 0);
	CHECK(!at.has && !at.seq && !at.mark);
	CHECK_EQ(u.c_lflag, t.c_lflag);
	rp_enc_begin(&e, buf, sizeof buf, RP_TERMIOS, 0, 1);
	rp_put_termios(&e, &t);
	rp_put_u32(&e, 0x01020304);
	rp_put_u32(&e, 7);
	n = rp_enc_end(&e) - RP_HDR_SIZE;
	CHECK_EQ(n, 44);
	CHECK_EQ(rp_termios_at_decode(buf + RP_HDR_SIZE, (size_t)n, &u, &at), 0);
	CHECK(at.has);
	CHECK_EQ(at.seq, 0x01020304);
	CHECK_EQ(at.mark, 7);
	CHECK_EQ(u.c_iflag, t.c_iflag);
	CHECK(!memcmp(u.c_cc, t.c_cc, sizeof t.c_cc));
	/* The short decoder refuses the long form; every other length is
	 * refused by both. */
	CHECK_EQ(rp_termios_decode(buf + RP_HDR_SIZE, (size_t)n, &u), -EPROTO);
	for (long cut = 0; cut < n; cut++)
		if (cut != 36)
			CHECK_EQ(rp_termios_at_decode(buf + RP_HDR_SIZE, (size_t)cut, &u, &at), -EPROTO);
	buf[RP_HDR_SIZE + 16] = KPTY_NCCS + 1;
	CHECK_EQ(rp_termios_at_decode(buf + RP_HDR_SIZE, (size_t)n, &u, &at), -EPROTO);
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
		{RP_CONTEXT, ""},
		{RP_CONTEXT, "000000010000000000000001"},             /* no comm */
		{RP_CONTEXT, "00000001000000400000000100016100"},     /* unknown flag; trailing */
		{RP_CONTEXT, "0000000100000000000000010002610a"},     /* a control in comm */
		{RP_CONTEXT, "00000001000000000000000100020061"},     /* NUL in comm */
		{RP_CONTEXT, "00000001000000000000000100416161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161"}, /* comm of 65 */
		{RP_CONSUMED, "000001"},
		{RP_CONSUMED, "0000000100"},
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
		case RP_CONTEXT: {
			struct rp_context c;
			r = rp_context_decode(p, n, &c);
			break;
		}
		case RP_CONSUMED: r = rp_consumed_decode(p, n, &req); break;
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

/* CONTEXT as the host makes it reads back; a name with controls or
 * longer than RP_MAX_COMM goes cleaned and cut. */
static void context_round_trip(void)
{
	uint8_t buf[256];
	char longname[100];
	struct rp_hdr h;
	struct rp_context c;
	uint32_t seq;
	long n = rp_context_frame(buf, sizeof buf, 3, 77, RP_CTX_ISIG | RP_CTX_ECHO | 0x100, 4242,
				  "py\033x", 4);

	CHECK(n > 0);
	CHECK_EQ(rp_hdr_decode(buf, (size_t)n, &h), 0);
	CHECK_EQ(h.type, RP_CONTEXT);
	CHECK_EQ(h.chan, 3);
	CHECK_EQ(rp_context_decode(buf + RP_HDR_SIZE, h.len, &c), 0);
	CHECK_EQ(c.seq, 77);
	CHECK_EQ(c.flags, RP_CTX_ISIG | RP_CTX_ECHO);
	CHECK_EQ(c.pgid, 4242);
	CHECK(c.comm.n == 4 && !memcmp(c.comm.p, "py?x", 4));
	memset(longname, 'a', sizeof longname);
	n = rp_context_frame(buf, sizeof buf, 1, 1, 0, 1, longname, sizeof longname);
	CHECK_EQ(rp_context_decode(buf + RP_HDR_SIZE, (size_t)n - RP_HDR_SIZE, &c), 0);
	CHECK_EQ(c.comm.n, RP_MAX_COMM);
	CHECK_EQ(rp_consumed_decode((const uint8_t *)"\x80\0\0\x01", 4, &seq), 0);
	CHECK_EQ(seq, 0x80000001u);
	CHECK(!strcmp(rp_type_name(RP_CONTEXT), "CONTEXT"));
	CHECK(!strcmp(rp_type_name(RP_CONSUMED), "CONSUMED"));
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


static const struct unit_case cases[] = {
	{"header-bounds", header_bounds},
	{"open-round-trip", open_round_trip},
	{"open-more", open_more},
	{"termios-round-trip", termios_round_trip},
	{"termios-at-both-forms", termios_at_both_forms},
	{"malformed-table", malformed_table},
	{"names", names},
	{"timing-round-trip", timing_round_trip},
	{"context-round-trip", context_round_trip},
	{"lz4-round-trip", lz4_round_trip},
	{"host-port", host_port},
	{"frames-round-trip", frames_round_trip},
	{"encoder-overflow", encoder_overflow},
	{"list-entries", list_entries},
	{"queue-partial-and-shared", queue_partial_and_shared},
	{"queue-bounds", queue_bounds},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
