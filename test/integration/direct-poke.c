/* A misbehaving direct-transport peer for the integration tests:
 *
 *   direct-poke wrong  HOST PORT   a made-up secret: prints the host's refusal
 *   direct-poke tamper HOST PORT   the right secret (the `TELLY DIRECT` line on
 *                                  stdin), then a HELLO record with one byte
 *                                  changed
 *   direct-poke replay HOST PORT   ... a HELLO record, then the same record again
 *
 * For tamper and replay it prints what the daemon answered before it
 * closed: each frame it could open ("HELLO", "ERROR <message>"), then
 * "closed". Exit 0 if it ran to the end, 1 if something else went wrong. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base.h"
#include "direct.h"
#include "rp_io.h"

#define WAIT_MS 10000

int main(int argc, char **argv)
{
	uint8_t secret[32], id[16], cs[32], ss[32], hello[RP_DX_HELLO_BYTES];
	uint8_t ans[RP_DX_ANSWER_MAX_BYTES];
	char why[RP_DX_WHY_MAX_BYTES + 1], err[300];
	struct rp_dx_dir send_d, recv_d;

	if (argc != 4) {
		fprintf(stderr, "usage: direct-poke wrong|tamper|replay HOST PORT\n");
		return 2;
	}
	const char *mode = argv[1];
	if (!strcmp(mode, "wrong")) {
		if (getrandom(secret, 32, 0) != 32)
			return 1;
		struct rp_transport *t =
			rp_transport_direct_connect(argv[2], argv[3], secret, WAIT_MS, err, sizeof err);
		if (t) {
			printf("accepted a made-up secret\n");
			return 1;
		}
		printf("%s\n", err);
		return 0;
	}
	char line[512];
	if (!fgets(line, sizeof line, stdin)) {
		fprintf(stderr, "direct-poke: no TELLY DIRECT line on stdin\n");
		return 1;
	}
	char hex[80];
	if (sscanf(line, "TELLY DIRECT %*s %*s %70s", hex) != 1 || strlen(hex) != 64)
		return 1;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		secret[i] = (uint8_t)v;
	}
	struct rp_transport *t = rp_transport_tcp_connect(argv[2], argv[3]);
	if (!t) {
		perror("direct-poke: connect");
		return 1;
	}
	int fd = t->rfd;
	rp_dx_id(secret, id);
	if (getrandom(cs, 32, 0) != 32)
		return 1;
	rp_dx_hello_encode(hello, id, cs);
	if (send(fd, hello, sizeof hello, MSG_NOSIGNAL) != (ssize_t)sizeof hello ||
	    base_read_all(fd, ans, RP_DX_ANSWER_HEAD_BYTES + RP_DX_SALT_BYTES,
			  base_now_ms() + WAIT_MS) < 0 ||
	    rp_dx_answer_decode(ans, RP_DX_ANSWER_HEAD_BYTES + RP_DX_SALT_BYTES, ss, why,
				sizeof why) != 0) {
		fprintf(stderr, "direct-poke: the handshake failed\n");
		return 1;
	}
	rp_dx_keys(secret, cs, ss, false, &send_d, &recv_d);
	uint8_t frame[256], rec[512];
	long fn = rp_hello_frame(frame, sizeof frame, RP_CAP_LINEMODE, "", "direct-poke");
	long rn = rp_dx_seal(&send_d, frame, (size_t)fn, rec);
	if (!strcmp(mode, "tamper")) {
		rec[RP_DX_HDR_BYTES + 3] ^= 0x01; /* a byte of the ciphertext */
		send(fd, rec, (size_t)rn, MSG_NOSIGNAL);
	} else {
		send(fd, rec, (size_t)rn, MSG_NOSIGNAL);
		send(fd, rec, (size_t)rn, MSG_NOSIGNAL); /* the same record again */
	}
	/* What comes back, record by record, until the daemon closes. */
	for (;;) {
		uint8_t in[RP_DX_MAX_RECORD];
		static uint8_t plain[RP_DX_MAX_PLAIN];
		long end = base_now_ms() + WAIT_MS;
		if (base_read_all(fd, in, RP_DX_HDR_BYTES, end) < 0)
			break;
		long len = rp_dx_record_len(in);
		if (len < 0 ||
		    base_read_all(fd, in + RP_DX_HDR_BYTES, (size_t)len - RP_DX_HDR_BYTES, end) < 0)
			break;
		long pn = rp_dx_open(&recv_d, in, (size_t)len, plain);
		if (pn < 0) {
			printf("a record from the daemon did not open\n");
			rp_transport_destroy(t);
			return 1;
		}
		struct rp_hdr h;
		for (long off = 0; off + RP_HDR_SIZE <= pn; off += RP_HDR_SIZE + h.len) {
			if (rp_hdr_decode(plain + off, (size_t)(pn - off), &h) != 0)
				break;
			if (h.type == RP_ERROR) {
				struct rp_error e;
				if (rp_error_decode(plain + off + RP_HDR_SIZE, h.len, &e) == 0)
					printf("ERROR %.*s\n", (int)e.msg.n, e.msg.p);
			} else {
				printf("%s\n", rp_type_name(h.type));
			}
		}
	}
	printf("closed\n");
	rp_dx_dir_finish(&send_d);
	rp_dx_dir_finish(&recv_d);
	rp_transport_destroy(t);
	return 0;
}
