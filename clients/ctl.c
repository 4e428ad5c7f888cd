/* telly ls, new, kill, stop: one request each to a daemon. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clients.h"
#include "kpty_os.h"

#define CALL_TIMEOUT_MS 30000

struct ctl {
	const char *cmd; /* for messages */
	struct rp_dest dest;
	const char *name;
	char **argv; /* -- CMD... */
	int argc;
	char hostbuf[256];
};

/* Parse [options] [DEST] [NAME] [-- CMD...]. want_name: 0 none, 1 optional
 * (-s NAME), 2 required. Returns 0, or the exit status (help, usage). */
static int parse(struct ctl *c, int argc, char **argv, int want_name, const char *usage)
{
	char *pos[3];
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		int r = rp_dest_option(argc, argv, &i, &c->dest);
		if (r < 0) {
			fprintf(stderr, "telly %s: %s needs a value\n", c->cmd, argv[i]);
			return 2;
		}
		if (r)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return -1;
		}
		if (want_name == 1 && !strcmp(argv[i], "-s")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "telly %s: -s needs a value (a session name)\n%s",
					c->cmd, usage);
				return 2;
			}
			c->name = argv[++i];
		} else if (want_name == 1 && !strcmp(argv[i], "--")) {
			c->argv = argv + i + 1;
			c->argc = argc - i - 1;
			break;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "telly %s: unknown option '%s'\n%s", c->cmd, argv[i], usage);
			return 2;
		} else if (npos < 2) {
			pos[npos++] = argv[i];
		} else {
			fprintf(stderr, "telly %s: too many arguments\n%s", c->cmd, usage);
			return 2;
		}
	}
	if (want_name == 2) {
		if (npos == 0) {
			fprintf(stderr, "telly %s: which session?\n%s", c->cmd, usage);
			return 2;
		}
		rp_dest_args(npos, pos, &c->dest, &c->name, c->hostbuf, sizeof c->hostbuf);
	} else if (npos == 1) {
		c->dest.host = pos[0];
	} else if (npos > 1) {
		fprintf(stderr, "telly %s: too many arguments\n%s", c->cmd, usage);
		return 2;
	}
	if (c->name && !rp_name_valid(c->name, strlen(c->name))) {
		fprintf(stderr,
			"telly %s: bad session name '%s' (1-%d of A-Z a-z 0-9 . _ -, not starting "
			"with a dot)\n",
			c->cmd, c->name, RP_MAX_NAME);
		return 2;
	}
	return 0;
}

/* Connect, send one request frame, wait for its answer. */
static int call(struct ctl *c, bool start, const uint8_t *frame, long n, struct rp_conn **conn,
		struct rp_hdr *h, const uint8_t **p)
{
	char err[300] = "";

	if (n < 0) {
		fprintf(stderr, "telly %s: the request is too long\n", c->cmd);
		return 2;
	}
	*conn = telly_client_connect(&c->dest, start, err, sizeof err);
	if (!*conn) {
		fprintf(stderr, "telly %s: %s\n", c->cmd, err);
		return 1;
	}
	if (rp_desk_call(*conn, frame, (size_t)n, 1, h, p, CALL_TIMEOUT_MS, err, sizeof err) <
	    0) {
		fprintf(stderr, "telly %s: %s\n", c->cmd, err);
		rp_conn_destroy(*conn);
		return 1;
	}
	return 0;
}

int telly_ls(int argc, char **argv)
{
	static const char usage[] = "usage: telly ls [DEST]\n"
				    "List the sessions on this host or on DEST ([user@]host).\n";
	struct ctl c = {.cmd = "ls"};
	uint8_t buf[64];
	struct rp_enc e;
	struct rp_conn *conn;
	struct rp_hdr h;
	const uint8_t *p;
	uint32_t req;
	uint16_t count;
	size_t off;
	int r = parse(&c, argc, argv, 0, usage);

	if (r)
		return r < 0 ? 0 : r;
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, 1);
	if ((r = call(&c, false, buf, rp_enc_end(&e), &conn, &h, &p)) != 0)
		return r;
	if (h.type != RP_LIST_REPLY || rp_list_reply_decode(p, h.len, &req, &count, &off) < 0)
		goto bad;
	for (unsigned i = 0; i < count; i++) {
		struct rp_session_info s;
		if (rp_list_entry_decode(p, h.len, &off, &s) < 0)
			goto bad;
		printf("%.*s: %.*s (pid %u, %ux%u, %u viewer%s)\n", (int)s.name.n, s.name.p,
		       (int)s.cmd.n, s.cmd.p, s.pid, s.cols, s.rows, s.viewers,
		       s.viewers == 1 ? "" : "s");
	}
	rp_conn_destroy(conn);
	return 0;
bad:
	fprintf(stderr, "telly ls: malformed answer from the server\n");
	rp_conn_destroy(conn);
	return 1;
}

int telly_new(int argc, char **argv)
{
	static const char usage[] =
		"usage: telly new [DEST] [-s NAME] [-- CMD...]\n"
		"Start a session running CMD (default: your shell) without attaching to it,\n"
		"and print its name. NAME defaults to the lowest free number.\n";
	struct ctl c = {.cmd = "new"};
	uint8_t *buf;
	struct rp_conn *conn;
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_str name;
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	uint32_t req;
	int r = parse(&c, argc, argv, 1, usage);

	if (r)
		return r < 0 ? 0 : r;
	buf = malloc(RP_MAX_FRAME);
	if (!buf)
		return 1;
	kpty_os_get_winsize(STDOUT_FILENO, &ws);
	/* A far host does not have this directory. */
	r = call(&c, true, buf,
		 rp_desk_open_frame(buf, RP_MAX_FRAME, 1, RP_OPEN_CREATE | RP_OPEN_EXCL,
				  c.name ? c.name : "", getenv("TERM"), c.dest.host ? "" : NULL, &ws,
				  c.argv, c.argc),
		 &conn, &h, &p);
	free(buf);
	if (r)
		return r;
	if (rp_req_str_decode(p, h.len, &req, &name) < 0) {
		fprintf(stderr, "telly new: malformed answer from the server\n");
		rp_conn_destroy(conn);
		return 1;
	}
	printf("%.*s\n", (int)name.n, name.p);
	rp_conn_destroy(conn);
	return 0;
}

static int simple(int argc, char **argv, const char *cmd, uint8_t type, int want_name,
		  const char *usage)
{
	struct ctl c = {.cmd = cmd};
	uint8_t buf[128];
	struct rp_enc e;
	struct rp_conn *conn;
	struct rp_hdr h;
	const uint8_t *p;
	int r = parse(&c, argc, argv, want_name, usage);

	if (r)
		return r < 0 ? 0 : r;
	rp_enc_begin(&e, buf, sizeof buf, type, 0, 0);
	rp_put_u32(&e, 1);
	if (want_name)
		rp_put_str(&e, c.name, strlen(c.name));
	if ((r = call(&c, false, buf, rp_enc_end(&e), &conn, &h, &p)) != 0)
		return r;
	rp_conn_destroy(conn);
	return 0;
}

int telly_kill(int argc, char **argv)
{
	return simple(argc, argv, "kill", RP_KILL, 2,
		      "usage: telly kill [DEST] NAME\n"
		      "End session NAME: its programs get SIGHUP (SIGKILL 2 s later).\n");
}

int telly_stop(int argc, char **argv)
{
	return simple(argc, argv, "stop", RP_STOP, 0,
		      "usage: telly stop [DEST]\n"
		      "End the daemon and every session it holds.\n");
}
