/* old-host: a daemon of the previous version, as far as `telly new --x11`
 * meets it: its HELLO has no caps bit STARTED, it answers an OPEN that
 * makes an X session OK at once (the display not up yet), and its LIST
 * lists that session's display as starting (0) for the first UP_AFTER
 * LISTs, then as :7.
 *
 *   old-host SOCKET UP_AFTER
 *
 * Serves one connection at a time until killed or told STOP; prints
 * "open NAME" and "list N" (N: LISTs answered so far) a line each as it
 * answers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "rp_io.h"

static char session[RP_MAX_NAME + 1] = "x";

static void answer(struct rp_conn *c, struct rp_enc *e)
{
	long n = rp_enc_end(e);

	if (n > 0)
		rp_conn_send(c, e->buf, (size_t)n);
}

static void serve(struct rp_conn *c, unsigned up_after, unsigned *lists)
{
	static uint8_t buf[RP_MAX_FRAME];
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_enc e;

	while (rp_conn_next_frame(c, &h, &p, 60000) > 0) {
		if (h.type == RP_HELLO) {
			long n = rp_hello_frame(buf, sizeof buf,
						RP_CAP_LINEMODE | RP_CAP_RESUME | RP_CAP_RETYPE |
							RP_CAP_AHEAD,
						"", RP_HELLO_HOST_PREFIX "old");
			if (n > 0)
				rp_conn_send(c, buf, (size_t)n);
		} else if (h.type == RP_OPEN) {
			static struct rp_open m;
			if (rp_open_decode(p, h.len, &m) < 0)
				return;
			if (m.name.n)
				snprintf(session, sizeof session, "%.*s", (int)m.name.n, m.name.p);
			printf("open %s\n", session);
			rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, 0);
			rp_put_u32(&e, m.req);
			rp_put_str(&e, session, strlen(session));
			answer(c, &e);
		} else if (h.type == RP_STOP) { /* the test's cleanup */
			uint32_t req = 0;
			rp_req_decode(p, h.len, &req);
			rp_enc_begin(&e, buf, sizeof buf, RP_OK, 0, 0);
			rp_put_u32(&e, req);
			rp_put_str(&e, "", 0);
			answer(c, &e);
			rp_conn_flush_wait(c, 5000);
			exit(0);
		} else if (h.type == RP_LIST) {
			uint32_t req;
			if (rp_req_decode(p, h.len, &req) < 0)
				return;
			++*lists;
			printf("list %u\n", *lists);
			rp_enc_begin(&e, buf, sizeof buf, RP_LIST_REPLY, 0, 0);
			rp_put_u32(&e, req);
			rp_put_u16(&e, 1);
			rp_put_str(&e, session, strlen(session));
			rp_put_str(&e, "X (starting)", 12);
			rp_put_u32(&e, 4242);
			rp_put_u16(&e, 24);
			rp_put_u16(&e, 80);
			rp_put_u16(&e, 0);
			rp_put_u16(&e, 1); /* the X part: one display, no windows */
			rp_put_str(&e, session, strlen(session));
			rp_put_u32(&e, *lists > up_after ? 7 + 1 : 0);
			rp_put_u16(&e, 0);
			answer(c, &e);
		}
		fflush(stdout);
		if (rp_conn_flush_wait(c, 5000) < 0)
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	unsigned lists = 0;
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "usage: old-host SOCKET UP_AFTER\n");
		return 2;
	}
	snprintf(a.sun_path, sizeof a.sun_path, "%s", argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 4) < 0) {
		fprintf(stderr, "old-host: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		int s = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		struct rp_transport *t = s >= 0 ? rp_transport_socket(s) : NULL;
		struct rp_conn *c = t ? rp_conn_create(t, 64, 1 << 20) : NULL;
		if (!c) {
			if (t)
				rp_transport_destroy(t);
			else if (s >= 0)
				close(s);
			continue;
		}
		serve(c, (unsigned)atoi(argv[2]), &lists);
		rp_conn_destroy(c);
	}
}
