/* telly ls, new, kill, stop: one request each to a daemon. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "clients.h"
#include "config.h"
#include "kpty_os.h"
#include "xd.h"
#include "xwin.h"

#define CALL_TIMEOUT_MS 30000

/* The end of each command's usage: how DEST is reached. */
#define DEST_USAGE                                                                  \
	"  --ssh CMD, --server CMD, --tcp HOST:PORT, --token-file F, --compress,\n"  \
	"  --no-compress, --direct, --no-direct, --direct-bind ADDR[:PORT],\n"         \
	"  --direct-connect HOST[:PORT]: as telly attach (one request: over plain\n"   \
	"  ssh unless --direct or the config file's direct asks)\n"

struct ctl {
	const char *cmd; /* for messages */
	struct rp_dest dest;
	const char *name;
	char **argv; /* -- CMD... */
	int argc;
	char hostbuf[256];
	bool x11;	     /* new --x11: an X session */
	bool run;	     /* telly run: NAME -- CMD... */
	bool opens;	     /* new, run: an OPEN that starts a program */
	const char *display; /* new --display NAME: a terminal of that X session */
	struct kpty_winsize screen; /* new --x11 --screen WxH: the display's size */
	struct telly_config cfg; /* the config file: dest's ssh, server, compress */
};

/* Parse [options] [DEST] [NAME] [-- CMD...]. want_name: 0 none, 1 optional
 * (-s NAME), 2 required. Returns 0, or the exit status (help, usage). */
static int parse(struct ctl *c, int argc, char **argv, int want_name, const char *usage)
{
	char *pos[3], cfg_err[600] = "";
	int npos = 0;

	/* The config file's ssh, server and compress, under the command line's
	 * options; wrong, it is said after the options (--help still helps). */
	if (telly_config_load(&c->cfg, cfg_err, sizeof cfg_err) == 0)
		telly_config_dest(&c->cfg, &c->dest);
	else if (!cfg_err[0])
		snprintf(cfg_err, sizeof cfg_err, "cannot read the config file");
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
		} else if (want_name == 1 && !strcmp(argv[i], "--x11")) {
			c->x11 = true;
		} else if (want_name == 1 && !strcmp(argv[i], "--screen")) {
			char err[160];
			if (i + 1 >= argc) {
				fprintf(stderr, "telly %s: --screen needs a value (WIDTHxHEIGHT)\n%s",
					c->cmd, usage);
				return 2;
			}
			if (!telly_screen_parse(argv[++i], &c->screen, err, sizeof err)) {
				fprintf(stderr, "telly %s: --screen: %s\n", c->cmd, err);
				return 2;
			}
		} else if (want_name == 1 && !strcmp(argv[i], "--display")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "telly %s: --display needs a value (an X session)\n%s",
					c->cmd, usage);
				return 2;
			}
			c->display = argv[++i];
		} else if ((want_name == 1 || c->run) && !strcmp(argv[i], "--")) {
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
	if (cfg_err[0]) {
		fprintf(stderr, "telly %s: %s\n", c->cmd, cfg_err);
		return 2;
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
	telly_config_direct(&c->cfg, &c->dest);
	/* One request and its answer: plain ssh costs fewer round trips than
	 * fetching a secret first and opens no port on the host; the direct
	 * transport pays where a connection lives on (attach, view, x). So
	 * it is used here only where --direct or the config asks for it. */
	if (c->dest.direct_default)
		c->dest.direct = c->dest.direct_default = false;
	if (c->screen.ws_xpixel && !c->x11) {
		fprintf(stderr, "telly %s: --screen is for X sessions (with --x11)\n", c->cmd);
		return 2;
	}
	if (c->display && (c->x11 || !rp_name_valid(c->display, strlen(c->display)))) {
		fprintf(stderr, "telly %s: %s\n", c->cmd,
			c->x11 ? "--display is for terminal sessions, not with --x11"
			       : "bad X session name after --display");
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

static int run_open_call(struct ctl *c, struct rp_conn *conn, const uint8_t *frame, size_t n,
			 struct rp_hdr *h, const uint8_t **p, char *err, size_t errn);

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
	/* new and run are answered once their program's exec says (new
	 * --x11's display up first, or why not; run's display may be
	 * starting): as long as that takes. */
	int r;
	if (c->run)
		r = run_open_call(c, *conn, frame, (size_t)n, h, p, err, sizeof err);
	else if (c->opens)
		r = telly_open_call(*conn, frame, (size_t)n, 1, h, p, c->cmd, c->argv, c->argc,
				    c->x11, err, sizeof err);
	else
		r = rp_desk_call(*conn, frame, (size_t)n, 1, h, p, CALL_TIMEOUT_MS, err,
				 sizeof err);
	if (r < 0) {
		struct rp_error e;
		fprintf(stderr, "telly %s: %s\n", c->cmd, err);
		/* A program that cannot run (telly new, with --x11 too, telly
		 * run): 127, as ssh's shell and telly x say it (an X display
		 * that could not start is another code: 1). */
		r = r == -EREMOTEIO && h->type == RP_ERROR && rp_error_decode(*p, h->len, &e) == 0 &&
				    e.code == RP_E_SPAWN
			    ? 127
			    : 1;
		rp_conn_destroy(*conn);
		return r;
	}
	return 0;
}

/* Walks the X part of a LIST reply (from off; rp_list_x_decode) to
 * session name: its display number + 1 (0 while it starts) in *dpy, and
 * its display and windows printed when print (each window's flags read
 * when both sides said RP_CAP_XBOUND). false when it is not there (not an
 * X session, or it ended; a reply without the part, an older daemon's, or
 * a malformed one). */
static bool ls_x11_walk(const uint8_t *p, size_t n, size_t off, const struct rp_str *name,
			bool print, bool flags, uint32_t *dpy)
{
	uint16_t nx;

	if (off >= n || rp_list_x_decode(p, n, &off, &nx) < 0)
		return false;
	for (unsigned i = 0; i < nx; i++) {
		struct rp_list_xsess s;
		if (rp_list_xsess_decode(p, n, &off, &s) < 0)
			return false;
		bool mine = s.name.n && s.name.n == name->n && !memcmp(s.name.p, name->p, name->n);
		if (mine && print) {
			if (s.dpy)
				printf("  display :%u, %u window%s\n", s.dpy - 1, s.nwin,
				       s.nwin == 1 ? "" : "s");
			else
				printf("  display starting\n");
		}
		for (unsigned k = 0; k < s.nwin; k++) {
			struct rp_list_xwin w;
			if (rp_list_xwin_decode(p, n, &off, flags, &w) < 0)
				return mine;
			if (!mine || !print)
				continue;
			printf("  window 0x%x %ux%u%+d%+d \"", w.id, w.w, w.h, w.x, w.y);
			for (unsigned j = 0; j < w.title.n; j++) /* the program's title: no controls */
				putchar((unsigned char)w.title.p[j] < 0x20 || w.title.p[j] == 0x7f
						? '?'
						: w.title.p[j]);
			printf("\"%s\n", w.flags & RP_XWIN_OVER_BOUND ? " not shown: too large for the "
									   "host's pixel budget"
									 : "");
		}
		if (mine) {
			*dpy = s.dpy;
			return true;
		}
	}
	return false;
}

/* A LIST_REPLY's count of entries, where they start (*first) and where
 * its X part does (*xoff): 0, or -1 if it is malformed. */
static int list_parts(const struct rp_hdr *h, const uint8_t *p, uint16_t *count, size_t *first,
		      size_t *xoff)
{
	uint32_t req;

	if (h->type != RP_LIST_REPLY || rp_list_reply_decode(p, h->len, &req, count, first) < 0)
		return -1;
	*xoff = *first;
	for (unsigned i = 0; i < *count; i++) {
		struct rp_session_info s;
		if (rp_list_entry_decode(p, h->len, xoff, &s) < 0)
			return -1;
	}
	return 0;
}

/* Asked on c while its OPEN req waits (telly run's): whether X session
 * name's display is up. The LIST goes with the OPEN's req, and the OPEN's
 * own answer may come first: then 2, that answer in *h and *p (as
 * rp_desk_wait leaves it; -EREMOTEIO for an ERROR). 0: listed as
 * starting; 1: up, or not known (not listed, a malformed answer); <0 as
 * rp_desk_wait. The LIST's answer may come after the OPEN's: for a
 * caller that makes no other call with req on c (telly run). */
static int x11_display_up(struct rp_conn *c, uint32_t req, const char *name, struct rp_hdr *h,
			  const uint8_t **p, char *err, size_t errn)
{
	const struct rp_str want = {name, (uint16_t)strlen(name)};
	uint8_t buf[64];
	struct rp_enc e;
	uint16_t count;
	size_t first, xoff;
	uint32_t dpy = 0;
	int r;

	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, req);
	r = rp_desk_call(c, buf, (size_t)rp_enc_end(&e), req, h, p, CALL_TIMEOUT_MS, err, errn);
	if (r < 0)
		return r;
	if (h->type != RP_LIST_REPLY)
		return 2;
	if (list_parts(h, *p, &count, &first, &xoff) < 0)
		return 1; /* not known: the OPEN's answer tells the rest */
	return ls_x11_walk(*p, h->len, xoff, &want, false, false, &dpy) && !dpy ? 0 : 1;
}

/* telly run's OPEN (req 1), as telly_open_call, but what it says it waits
 * for is the X session's display while the host lists it as starting (the
 * program's exec comes only after it). */
static int run_open_call(struct ctl *c, struct rp_conn *conn, const uint8_t *frame, size_t n,
			 struct rp_hdr *h, const uint8_t **p, char *err, size_t errn)
{
	int r = rp_desk_call(conn, frame, n, 1, h, p, TELLY_OPEN_SAY_MS, err, errn);

	if (r != -ETIMEDOUT)
		return r;
	r = x11_display_up(conn, 1, c->name, h, p, err, errn);
	if (r == 2) /* the OPEN's answer came first */
		return 0;
	if (r < 0 && r != -ETIMEDOUT)
		return r;
	return telly_open_wait(conn, 1, h, p, c->cmd, c->argv, c->argc, false,
			       r == 0 ? c->name : NULL, err, errn);
}

/* Session name's display and windows, from the X part of a LIST reply
 * (from off); nothing when it is not there. */
static void ls_x11(const uint8_t *p, size_t n, size_t off, const struct rp_str *name, bool flags)
{
	uint32_t dpy;

	ls_x11_walk(p, n, off, name, true, flags, &dpy);
}

int telly_ls(int argc, char **argv)
{
	static const char usage[] = "usage: telly ls [DEST]\n"
				    "List the sessions on this host or on DEST ([user@]host).\n" DEST_USAGE;
	struct ctl c = {.cmd = "ls"};
	uint8_t buf[64];
	struct rp_enc e;
	struct rp_conn *conn;
	struct rp_hdr h;
	const uint8_t *p;
	uint16_t count;
	size_t off, xoff;
	int r = parse(&c, argc, argv, 0, usage);

	if (r)
		return r < 0 ? 0 : r;
	c.dest.caps |= RP_CAP_XBOUND; /* each window's flags: whether it is shown */
	rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
	rp_put_u32(&e, 1);
	if ((r = call(&c, false, buf, rp_enc_end(&e), &conn, &h, &p)) != 0)
		return r;
	if (list_parts(&h, p, &count, &off, &xoff) < 0)
		goto bad;
	for (unsigned i = 0; i < count; i++) {
		struct rp_session_info s;
		if (rp_list_entry_decode(p, h.len, &off, &s) < 0)
			goto bad;
		if (!s.rows && !s.cols) /* an X session: no text size; its pid is its X server's */
			printf("%.*s: %.*s (X server pid %u, %u viewer%s)\n", (int)s.name.n, s.name.p,
			       (int)s.cmd.n, s.cmd.p, s.pid, s.viewers, s.viewers == 1 ? "" : "s");
		else
			printf("%.*s: %.*s (pid %u, %ux%u, %u viewer%s)\n", (int)s.name.n, s.name.p,
			       (int)s.cmd.n, s.cmd.p, s.pid, s.cols, s.rows, s.viewers,
			       s.viewers == 1 ? "" : "s");
		ls_x11(p, h.len, xoff, &s.name, rp_conn_peer_caps(conn) & RP_CAP_XBOUND);
	}
	rp_conn_destroy(conn);
	return 0;
bad:
	fprintf(stderr, "telly ls: malformed answer from the server\n");
	rp_conn_destroy(conn);
	return 1;
}

/* OPEN with RP_OPEN_DISPLAY: the X session's name after argv. */
static long open_add_display(uint8_t *buf, size_t cap, long n, const char *display)
{
	size_t dn = strlen(display);
	uint8_t len[2] = {(uint8_t)(dn >> 8), (uint8_t)dn};

	if (dn > RP_MAX_STR)
		return -EMSGSIZE;
	n = rp_open_append(buf, cap, n, len, sizeof len);
	return rp_open_append(buf, cap, n, display, dn);
}

int telly_run(int argc, char **argv)
{
	static const char usage[] =
		"usage: telly run [DEST] NAME -- PROGRAM [ARGS...]\n"
		"Start PROGRAM in X session NAME (made by telly new --x11): its windows\n"
		"show wherever that session is viewed.\n" DEST_USAGE;
	struct ctl c = {.cmd = "run", .run = true, .opens = true};
	uint8_t *buf;
	struct rp_conn *conn;
	struct rp_hdr h;
	const uint8_t *p;
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	int r = parse(&c, argc, argv, 2, usage);

	if (r)
		return r < 0 ? 0 : r;
	if (!c.argc) {
		fprintf(stderr, "telly run: which program? (after --)\n%s", usage);
		return 2;
	}
	if (!(buf = malloc(RP_MAX_FRAME)))
		return 1;
	r = call(&c, false, buf,
		 rp_desk_open_frame(buf, RP_MAX_FRAME, 1, RP_OPEN_RUN, c.name, getenv("TERM"),
				    c.dest.host ? "" : NULL, &ws, c.argv, c.argc),
		 &conn, &h, &p);
	free(buf);
	if (r)
		return r;
	rp_conn_destroy(conn);
	return 0;
}

/* A host whose HELLO lacks STARTED (the previous version) answered the
 * OPEN of telly new --x11 at once, its display not up yet: this asks LIST
 * until it is, as the client of that version did, so that what comes
 * next finds it (telly new --display: its number is known only then).
 * That host bounds the display's start (XD_START_MS a server, Xorg then
 * Xvfb): a session no longer listed did not come up (an OPEN of its name
 * says why), and the wait is longer than that bound. */
#define X11_OLD_HOST_POLL_MS 50
#define X11_OLD_HOST_WAIT_MS (4 * XD_START_MS + 5000)
static int new_x11_wait(struct rp_conn *conn, const char *name)
{
	long until = base_now_ms() + X11_OLD_HOST_WAIT_MS;
	const struct rp_str want = {name, (uint16_t)strlen(name)};
	const struct kpty_winsize none = {0};

	for (uint32_t req = 2;; req++) {
		uint8_t buf[RP_HDR_SIZE + 600];
		struct rp_enc e;
		struct rp_hdr h;
		const uint8_t *p;
		uint16_t count;
		size_t first, xoff;
		uint32_t dpy;
		char err[300];

		rp_enc_begin(&e, buf, sizeof buf, RP_LIST, 0, 0);
		rp_put_u32(&e, req);
		if (rp_desk_call(conn, buf, (size_t)rp_enc_end(&e), req, &h, &p, CALL_TIMEOUT_MS, err,
				 sizeof err) < 0) {
			fprintf(stderr, "telly new: %s\n", err);
			return 1;
		}
		if (list_parts(&h, p, &count, &first, &xoff) < 0) {
			fprintf(stderr, "telly new: malformed answer from the server\n");
			return 1;
		}
		bool listed = ls_x11_walk(p, h.len, xoff, &want, false, false, &dpy);
		if (listed && dpy)
			return 0;
		if (!listed) {
			long n = rp_desk_open_frame(buf, sizeof buf, ++req, 0, name, NULL, "", &none,
						    NULL, 0);
			if (n > 0 && rp_desk_call(conn, buf, (size_t)n, req, &h, &p, CALL_TIMEOUT_MS,
						  err, sizeof err) < 0)
				fprintf(stderr, "telly new: %s\n", err);
			else
				fprintf(stderr, "telly new: X session %s ended at its start\n", name);
			return 1;
		}
		if (base_now_ms() >= until) {
			fprintf(stderr,
				"telly new: the display of X session %s has not come up after %d s "
				"(telly ls says when it has)\n",
				name, X11_OLD_HOST_WAIT_MS / 1000);
			return 1;
		}
		poll(NULL, 0, X11_OLD_HOST_POLL_MS);
	}
}

int telly_new(int argc, char **argv)
{
	static const char usage[] =
		"usage: telly new [DEST] [-s NAME] [--display XNAME] [-- CMD...]\n"
		"       telly new --x11 [DEST] [-s NAME] [--screen WxH] [-- PROGRAM ARGS...]\n"
		"Start a session running CMD (default: your shell) without attaching to it,\n"
		"and print its name. NAME defaults to the lowest free number.\n"
		"  --x11            an X session: a private X display (X.Org's dummy driver,\n"
		"                   else Xvfb) running PROGRAM, up when telly new returns;\n"
		"                   telly view shows its windows, telly run starts more\n"
		"  --screen WxH     the X display's size in pixels (default 4096x2160): what\n"
		"                   a maximized or centred window is sized and placed by\n"
		"  --display XNAME  CMD gets DISPLAY and XAUTHORITY of X session XNAME\n" DEST_USAGE;
	struct ctl c = {.cmd = "new", .opens = true};
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
	if (c.screen.ws_xpixel) {
		ws.ws_xpixel = c.screen.ws_xpixel;
		ws.ws_ypixel = c.screen.ws_ypixel;
	}
	/* A far host does not have this directory. */
	uint8_t flags = RP_OPEN_CREATE | RP_OPEN_EXCL | (c.x11 ? RP_OPEN_X11 : 0) |
			(c.display ? RP_OPEN_DISPLAY : 0) |
			(c.screen.ws_xpixel ? RP_OPEN_SCREEN : 0);
	long n = rp_desk_open_frame(buf, RP_MAX_FRAME, 1, flags, c.name ? c.name : "",
				    getenv("TERM"), c.dest.host ? "" : NULL, &ws, c.argv, c.argc);
	if (c.display)
		n = open_add_display(buf, RP_MAX_FRAME, n, c.display);
	r = call(&c, true, buf, n, &conn, &h, &p);
	free(buf);
	if (r)
		return r;
	if (rp_req_str_decode(p, h.len, &req, &name) < 0) {
		fprintf(stderr, "telly new: malformed answer from the server\n");
		rp_conn_destroy(conn);
		return 1;
	}
	char made[RP_MAX_NAME + 1];
	snprintf(made, sizeof made, "%.*s", (int)name.n, name.p);
	if (c.x11 && !(rp_conn_peer_caps(conn) & RP_CAP_STARTED) &&
	    (r = new_x11_wait(conn, made)) != 0) {
		rp_conn_destroy(conn);
		return r;
	}
	printf("%s\n", made);
	rp_conn_destroy(conn);
	return 0;
}

/* The daemon ends once its sessions have (their programs get SIGHUP, and
 * SIGKILL 2 s later): until then it refuses new sessions, so
 * `telly stop; telly new` would fail. stop returns once the daemon closed
 * the connection on exiting, or STOP_WAIT_MS passed (then it says so). */
#define STOP_WAIT_MS 5000
static int stop_wait(struct rp_conn *conn)
{
	long until = base_now_ms() + STOP_WAIT_MS;

	for (;;) {
		struct rp_hdr h;
		const uint8_t *p;
		long left = until - base_now_ms();
		struct pollfd pf = {.fd = rp_conn_fd(conn), .events = POLLIN};
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pf, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		if (!pf.revents)
			continue;
		ssize_t r = rp_conn_read(conn);
		if (r == 0 || (r < 0 && r != -EAGAIN && r != -EINTR))
			return 0; /* gone */
		while (rp_conn_frame(conn, &h, &p) > 0)
			; /* nothing more is asked of it */
	}
}

/* One request and its OK; for RP_STOP, then the daemon's end. */
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
	if (type == RP_STOP && stop_wait(conn) < 0)
		fprintf(stderr, "telly stop: the daemon has not ended after %d s; it goes once its "
				"sessions' programs have\n",
			STOP_WAIT_MS / 1000);
	rp_conn_destroy(conn);
	return 0;
}

int telly_kill(int argc, char **argv)
{
	return simple(argc, argv, "kill", RP_KILL, 2,
		      "usage: telly kill [DEST] NAME\n"
		      "End session NAME: its programs get SIGHUP (SIGKILL 2 s later).\n" DEST_USAGE);
}

int telly_stop(int argc, char **argv)
{
	return simple(argc, argv, "stop", RP_STOP, 0,
		      "usage: telly stop [DEST]\n"
		      "End the daemon and every session it holds; returns once it has ended\n"
		      "(its programs get SIGHUP, and SIGKILL 2 s later).\n" DEST_USAGE);
}
