/* rp-poke: send hand-made frames to a telly daemon and print what comes
 * back, one line a frame. For the tests of bad input.
 *
 *   rp-poke SOCKET [--until TYPE] STEP...
 *   STEP: hello            a valid HELLO
 *         list             a valid LIST
 *         raw HEX          bytes as given
 *         frame TYPE HEX   a frame of type TYPE (number) with payload HEX
 *
 * Prints "ERROR code=N fatal=0|1 msg=TEXT" or the frame's type name, and
 * "EOF" when the daemon closes. Stops at EOF, at a frame of type TYPE
 * (--until), or after 5 s.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rp_io.h"

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (s[0] && s[1] && n < cap) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

static void put(struct rp_conn *c, const void *buf, size_t n)
{
	struct rp_buf *b = rp_buf_create(n);
	uint8_t none[1];

	memcpy(b->data, buf, n);
	/* A raw push: the header slot gets the first byte so the queue takes
	 * bytes that are not a valid frame. */
	none[0] = n ? b->data[0] : 0;
	if (n) {
		memmove(b->data, b->data + 1, n - 1);
		b->len = (uint32_t)(n - 1);
		rp_conn_push(c, none, 1, b, false);
	}
	rp_buf_unref(b);
}

int main(int argc, char **argv)
{
	static uint8_t buf[RP_MAX_FRAME + 16];
	int until = -1, i = 2;
	struct rp_transport *t;
	struct rp_conn *c;

	if (argc < 3) {
		fprintf(stderr, "usage: rp-poke SOCKET [--until TYPE] STEP...\n");
		return 2;
	}
	t = rp_transport_unix_connect(argv[1]);
	if (!t) {
		fprintf(stderr, "rp-poke: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	c = rp_conn_create(t, 64, 1 << 20);
	if (i + 1 < argc && !strcmp(argv[i], "--until")) {
		until = atoi(argv[i + 1]);
		i += 2;
	}
	for (; i < argc; i++) {
		struct rp_enc e;
		if (!strcmp(argv[i], "hello")) {
			rp_enc_begin(&e, buf, sizeof buf, RP_HELLO, 0, 0);
			rp_put_bytes(&e, "TELLY", 5);
			rp_put_u16(&e, RP_VERSION);
			rp_put_u32(&e, 0);
			rp_put_str(&e, "", 0);
			rp_put_str(&e, "rp-poke", 7);
			put(c, buf, (size_t)rp_enc_end(&e));
		} else if (!strcmp(argv[i], "list")) {
			rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
			rp_put_u32(&e, 7);
			put(c, buf, (size_t)rp_enc_end(&e));
		} else if (!strcmp(argv[i], "raw") && i + 1 < argc) {
			put(c, buf, unhex(argv[++i], buf, sizeof buf));
		} else if (!strcmp(argv[i], "frame") && i + 2 < argc) {
			size_t n = unhex(argv[i + 2], buf + RP_HDR_SIZE, RP_MAX_PAYLOAD);
			rp_hdr_encode(buf, (uint8_t)atoi(argv[i + 1]), 0, 0, (uint32_t)n);
			put(c, buf, RP_HDR_SIZE + n);
			i += 2;
		} else {
			fprintf(stderr, "rp-poke: bad step '%s'\n", argv[i]);
			return 2;
		}
	}
	if (rp_conn_flush_wait(c, 5000) < 0) {
		puts("EOF");
		return 0;
	}
	for (;;) {
		struct pollfd p = {.fd = t->rfd, .events = POLLIN};
		struct rp_hdr h;
		const uint8_t *pl;
		int r;

		if (poll(&p, 1, 5000) <= 0) {
			puts("TIMEOUT");
			return 0;
		}
		ssize_t n = rp_conn_read(c);
		if (n == 0 || (n < 0 && n != -EAGAIN)) {
			puts("EOF");
			return 0;
		}
		while ((r = rp_conn_frame(c, &h, &pl)) == 1) {
			struct rp_error m;
			if (h.type == RP_ERROR && rp_error_decode(pl, h.len, &m) == 0)
				printf("ERROR code=%u fatal=%d msg=%.*s\n", m.code,
				       (h.flags & RP_F_FATAL) != 0, (int)m.msg.n, m.msg.p);
			else
				printf("%s\n", rp_type_name(h.type));
			fflush(stdout);
			if (h.type == until)
				return 0;
		}
		if (r < 0) {
			puts("BADFRAME");
			return 1;
		}
	}
}
