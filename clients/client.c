/* Reaching a daemon from the desk: here (its unix socket), through ssh
 * (`ssh HOST telly serve --stdio`), or over TCP with a token; then HELLO,
 * and requests answered in order. */
#include <errno.h>
#include <pwd.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"

#define CLIENT_QUEUE_ENTRIES 4096
#define CLIENT_QUEUE_BYTES (8u << 20)
#define HELLO_TIMEOUT_MS 30000 /* ssh may ask for a passphrase */

/* Quote s for /bin/sh in single quotes. */
static void shell_quote(char *out, size_t n, const char *s)
{
	size_t o = 0;

	if (o < n - 1)
		out[o++] = '\'';
	for (; *s && o < n - 5; s++) {
		if (*s == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else {
			out[o++] = *s;
		}
	}
	if (o < n - 1)
		out[o++] = '\'';
	out[o] = 0;
}

/* The next frame, waiting up to the deadline. 1, or -errno. */
static int read_token(const char *path, char *out, size_t n, char *err, size_t errn)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		snprintf(err, errn, "token file %s: %s", path, strerror(errno));
		return -1;
	}
	if (!fgets(out, (int)n, f)) {
		snprintf(err, errn, "token file %s is empty", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = 0;
	return 0;
}

struct rp_conn *telly_client_connect(const struct telly_dest *d, bool start, char *err,
				     size_t errn)
{
	struct rp_transport *t = NULL;
	struct rp_conn *c;
	char token[128] = "";
	uint8_t buf[256];
	struct rp_hdr h;
	const uint8_t *p;
	long n;
	int r;

	if (d->tcp) {
		char host[256];
		const char *port;
		if (rp_host_port(d->tcp, host, sizeof host, &port) < 0 || !d->token_file) {
			snprintf(err, errn, "tcp needs HOST:PORT and --token-file");
			return NULL;
		}
		if (read_token(d->token_file, token, sizeof token, err, errn) < 0)
			return NULL;
		t = rp_transport_tcp_connect(host, port);
		if (!t)
			snprintf(err, errn, "cannot connect to %s: %s", d->tcp, strerror(errno));
	} else if (d->host) {
		char cmd[2048], qhost[600];
		shell_quote(qhost, sizeof qhost, d->host);
		snprintf(cmd, sizeof cmd, "%s %s %s serve --stdio", d->ssh ? d->ssh : "ssh", qhost,
			 d->server ? d->server : "telly");
		t = rp_transport_spawn(cmd);
		if (!t)
			snprintf(err, errn, "cannot run %s: %s", cmd, strerror(errno));
	} else {
		t = telly_daemon_connect(start, NULL, err, errn);
	}
	if (!t)
		return NULL;
	c = rp_conn_create(t, CLIENT_QUEUE_ENTRIES, CLIENT_QUEUE_BYTES);
	if (!c) {
		rp_transport_destroy(t);
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	{
		/* Who, for a console's notices and audit log ("telly:alice"). */
		const char *user = getenv("USER");
		const struct passwd *pw = user && *user ? NULL : getpwuid(getuid());
		char me[80];
		if (pw)
			user = pw->pw_name;
		snprintf(me, sizeof me, "telly:%s", user && *user ? user : "?");
		/* Output compressed where the bytes cross ssh or a network; on
		 * this host the copy through the socket costs less than lz4. */
		bool lz4 = d->compress > 0 || (!d->compress && (d->host || d->tcp));
		n = rp_hello_frame(buf, sizeof buf, RP_CAP_LINEMODE | d->caps | (lz4 ? RP_CAP_LZ4 : 0),
				   token, me);
	}
	if (n < 0 || rp_conn_send(c, buf, (size_t)n) < 0)
		goto fail_proto;
	r = rp_conn_next_frame(c, &h, &p, HELLO_TIMEOUT_MS);
	if (r < 0) {
		if (d->host)
			snprintf(err, errn,
				 "no answer from %s through ssh (%s); is telly installed there? "
				 "(see --server)",
				 d->host, strerror(-r));
		else
			snprintf(err, errn, "no answer from the server: %s", strerror(-r));
		goto fail;
	}
	if (h.type == RP_ERROR) {
		struct rp_error m;
		if (rp_error_decode(p, h.len, &m) < 0)
			goto fail_proto;
		snprintf(err, errn, "server: %.*s", (int)m.msg.n, m.msg.p);
		goto fail;
	}
	struct rp_hello hello;
	if (h.type != RP_HELLO || rp_hello_decode(p, h.len, &hello) < 0)
		goto fail_proto;
	if (hello.version != RP_VERSION) {
		snprintf(err, errn, "server speaks protocol version %u, this is %u", hello.version,
			 RP_VERSION);
		goto fail;
	}
	return c;
fail_proto:
	snprintf(err, errn, "the server's HELLO was malformed");
fail:
	rp_conn_destroy(c);
	return NULL;
}

int telly_client_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req,
		      struct rp_hdr *h, const uint8_t **payload, int timeout_ms, char *err,
		      size_t errn)
{
	long deadline = base_now_ms() + timeout_ms;
	int r;

	if (rp_conn_send(c, frame, n) < 0) {
		snprintf(err, errn, "cannot queue the request");
		return -ENOBUFS;
	}
	for (;;) {
		r = rp_conn_next_frame(c, h, payload, (int)(deadline - base_now_ms()));
		if (r < 0) {
			snprintf(err, errn, "no answer from the server: %s", strerror(-r));
			return r;
		}
		if (h->type == RP_ERROR) {
			struct rp_error m;
			if (rp_error_decode(*payload, h->len, &m) < 0) {
				snprintf(err, errn, "malformed ERROR from the server");
				return -EPROTO;
			}
			if (m.req != req && !(h->flags & RP_F_FATAL))
				continue;
			snprintf(err, errn, "%.*s", (int)m.msg.n, m.msg.p);
			return -EREMOTEIO;
		}
		uint32_t got;
		struct rp_str name;
		uint16_t count;
		size_t off;
		if ((h->type == RP_OK && rp_req_str_decode(*payload, h->len, &got, &name) == 0) ||
		    (h->type == RP_LIST_REPLY &&
		     rp_list_reply_decode(*payload, h->len, &got, &count, &off) == 0)) {
			if (got == req)
				return 0;
		}
	}
}

/* Options every client command takes to reach a daemon. Returns 1 if
 * argv[*i] was one (consuming its value), 0 if not, -1 on a missing value. */
int telly_dest_option(int argc, char **argv, int *i, struct telly_dest *d)
{
	const char *o = argv[*i];

	if (!strcmp(o, "--compress") || !strcmp(o, "--no-compress")) {
		d->compress = o[2] == 'c' ? 1 : -1;
		return 1;
	}
	const char **slot = !strcmp(o, "--ssh")          ? &d->ssh
			    : !strcmp(o, "--server")     ? &d->server
			    : !strcmp(o, "--tcp")        ? &d->tcp
			    : !strcmp(o, "--token-file") ? &d->token_file
							 : NULL;

	if (!slot)
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*slot = argv[++*i];
	return 1;
}

/* DEST and NAME from the positional arguments (see `telly attach --help`). */
int telly_dest_args(int npos, char **pos, struct telly_dest *d, const char **name,
		    char *hostbuf, size_t hostn)
{
	if (npos > 2)
		return -1;
	if (npos == 2) {
		d->host = pos[0];
		*name = pos[1];
	} else if (npos == 1) {
		const char *colon = strchr(pos[0], ':');
		if (colon) {
			snprintf(hostbuf, hostn, "%.*s", (int)(colon - pos[0]), pos[0]);
			d->host = hostbuf;
			if (colon[1])
				*name = colon + 1;
		} else if (strchr(pos[0], '@')) {
			d->host = pos[0];
		} else {
			*name = pos[0];
		}
	}
	return 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

void telly_sort_u64(uint64_t *s, size_t n)
{
	qsort(s, n, sizeof *s, cmp_u64);
}

int telly_send_data(struct rp_conn *c, uint8_t type, uint16_t chan, uint32_t *seq,
		    const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n) {
		uint8_t frame[RP_MAX_FRAME];
		size_t chunk = n > RP_MAX_PAYLOAD - 4 ? RP_MAX_PAYLOAD - 4 : n;
		struct rp_enc e;
		long len;

		rp_enc_begin(&e, frame, sizeof frame, type, 0, chan);
		if (type == RP_INPUT)
			rp_put_u32(&e, ++*seq);
		rp_put_bytes(&e, p, chunk);
		len = rp_enc_end(&e);
		if (len < 0 || rp_conn_send(c, frame, (size_t)len) < 0)
			return -1;
		p += chunk;
		n -= chunk;
	}
	return 0;
}

void telly_send_signal(struct rp_conn *c, uint16_t chan, int sig, bool flush)
{
	uint8_t buf[16];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_SIGNAL, 0, chan);
	rp_put_u8(&e, (uint8_t)sig);
	rp_put_u8(&e, flush);
	n = rp_enc_end(&e);
	if (n > 0)
		rp_conn_send(c, buf, (size_t)n);
}

void telly_send_winsize(struct rp_conn *c, uint16_t chan, const struct kpty_winsize *ws)
{
	uint8_t buf[32];
	struct rp_enc e;
	long n;

	rp_enc_begin(&e, buf, sizeof buf, RP_WINSIZE, 0, chan);
	rp_put_winsize(&e, ws);
	n = rp_enc_end(&e);
	if (n > 0)
		rp_conn_send(c, buf, (size_t)n);
}

long telly_open_frame(uint8_t *frame, size_t cap, uint32_t req, uint8_t flags, const char *name,
		      const char *term, const char *cwd, const struct kpty_winsize *ws, char **cmd,
		      int ncmd)
{
	char here[1024] = "";

	if (!cwd)
		cwd = getcwd(here, sizeof here) ? here : "";
	return rp_open_frame(frame, cap, req, flags, name, term, cwd, ws, cmd, ncmd);
}
