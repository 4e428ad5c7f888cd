/* telly x [DEST] [-s NAME] -- PROGRAM [ARGS]: a graphical program on this
 * host or on [user@]host, its windows on this desk: a new X session
 * running PROGRAM (as `telly new --x11`), then `telly view --seamless`
 * of it. The one-line form of what people type `ssh -X host PROGRAM`
 * for; unlike it, the program outlives the view: `telly view --seamless
 * DEST NAME` (or `telly view`) finds its windows again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "config.h"
#include "ds.h"

#define X_VIEW_ARGS_MAX 24

static const char x_usage[] =
	"usage: telly x [options] [DEST] [-s NAME] -- PROGRAM [ARGS...]\n"
	"\n"
	"Run PROGRAM in a new X session on this host, or on [user@]host through\n"
	"ssh, and show its windows as windows of this desk ($DISPLAY), managed by\n"
	"its window manager (telly view --seamless). Closing a window asks\n"
	"PROGRAM to close it, as under ssh -X. Exits with PROGRAM's status once\n"
	"it ends and the windows it left are gone (127: it cannot run); what\n"
	"shows no window keeps it 5 s at most (telly(1), new --x11). Left before\n"
	"(^C, SIGTERM, SIGHUP, or the display closing its connection), it says\n"
	"that PROGRAM runs on (telly view --seamless [DEST] --x11 NAME shows it\n"
	"again, telly kill [DEST] NAME ends it) and exits 128+signal (130: ^C),\n"
	"or 1 (the display went).\n"
	"\n"
	"  -s NAME             the session's name (default: the host picks one)\n"
	"  --screen WxH        the host display's size in pixels (default: this\n"
	"                      desk's screen, so maximized windows fit it)\n"
	"  -r                  watch only (the windows' titles end \"(read-only)\")\n"
	"  --stats             keystroke-to-pixel at exit, as telly view --stats, and\n"
	"                      the bytes of the program's output that came (and again)\n"
	"  --lossless          never JPEG, even for video (as telly view --lossless)\n"
	"  --ssh CMD, --server CMD, --tcp HOST:PORT, --token-file F,\n"
	"  --compress, --no-compress, --direct, --no-direct, --direct-bind ADDR[:PORT],\n"
	"  --direct-connect HOST[:PORT]: as telly attach (the view gets them too)\n";

int telly_x(int argc, char **argv)
{
	struct rp_dest dest = {0};
	struct rp_direct dx = {0};
	const char *name = "", *host = NULL;
	char **prog = NULL, err[300] = "", got[RP_MAX_NAME + 1];
	struct kpty_winsize screen = {0};
	int nprog = 0, nview = 0, r;
	char *view[X_VIEW_ARGS_MAX + 4];
	uint8_t *frame;
	struct rp_conn *c;
	struct rp_hdr h;
	const uint8_t *p;
	uint32_t req;
	struct rp_str nm;
	long len;

	struct telly_config cfg;
	char cfg_err[600] = "";

	/* The config file's ssh, server and compress for this connection (the
	 * view reads the file itself), under the command line's. */
	if (telly_config_load(&cfg, cfg_err, sizeof cfg_err) == 0)
		telly_config_dest(&cfg, &dest);
	else if (!cfg_err[0])
		snprintf(cfg_err, sizeof cfg_err, "cannot read the config file");
	view[nview++] = "x"; /* its messages say "telly x" */
	view[nview++] = "--seamless";
	view[nview++] = "--exit-status"; /* the program's, as ssh -X gives */
	for (int i = 1; i < argc; i++) {
		int at = i;
		r = rp_dest_option(argc, argv, &i, &dest);
		if (r < 0) {
			fprintf(stderr, "telly x: %s needs a value\n", argv[at]);
			return 2;
		}
		if (r) {
			/* The view reaches the host the same way. */
			for (int k = at; k <= i && nview < X_VIEW_ARGS_MAX; k++)
				view[nview++] = argv[k];
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(x_usage, stdout);
			return 0;
		} else if (!strcmp(argv[i], "-s")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "telly x: -s needs a value (a session name)\n");
				return 2;
			}
			name = argv[++i];
		} else if (!strcmp(argv[i], "--screen")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "telly x: --screen needs a value (WIDTHxHEIGHT)\n");
				return 2;
			}
			if (!telly_screen_parse(argv[++i], &screen, err, sizeof err)) {
				fprintf(stderr, "telly x: --screen: %s\n", err);
				return 2;
			}
		} else if ((!strcmp(argv[i], "-r") || !strcmp(argv[i], "--stats") ||
			    !strcmp(argv[i], "--lossless")) &&
			   nview < X_VIEW_ARGS_MAX) {
			view[nview++] = argv[i];
		} else if (!strcmp(argv[i], "--")) {
			prog = argv + i + 1;
			nprog = argc - i - 1;
			break;
		} else if (argv[i][0] == '-' || host) {
			fprintf(stderr, "telly x: unexpected '%s'\n%s", argv[i], x_usage);
			return 2;
		} else {
			host = argv[i];
		}
	}
	if (cfg_err[0]) {
		fprintf(stderr, "telly x: %s\n", cfg_err);
		return 2;
	}
	if (!nprog) {
		fprintf(stderr, "telly x: which program? (telly x [DEST] -- PROGRAM)\n%s", x_usage);
		return 2;
	}
	if (name[0] && !rp_name_valid(name, strlen(name))) {
		fprintf(stderr, "telly x: bad session name '%s'\n", name);
		return 2;
	}
	if (!getenv("DISPLAY")) {
		fprintf(stderr, "telly x: no $DISPLAY to show the windows on\n");
		return 2;
	}
	{
		unsigned w, h;
		/* The desk's screen, within what a host display may be; a
		 * display that cannot be reached is said before the program
		 * starts there (it ran on, in a session nobody saw). */
		if (!ds_seamless_screen_size(NULL, &w, &h)) {
			fprintf(stderr, "telly x: cannot open X display '%s'\n", getenv("DISPLAY"));
			return 1;
		}
		if (!screen.ws_xpixel) {
			screen.ws_xpixel = (uint16_t)(w < RP_X_SCREEN_MIN   ? RP_X_SCREEN_MIN
						      : w > RP_X_SCREEN_MAX ? RP_X_SCREEN_MAX
									    : w);
			screen.ws_ypixel = (uint16_t)(h < RP_X_SCREEN_MIN   ? RP_X_SCREEN_MIN
						      : h > RP_X_SCREEN_MAX ? RP_X_SCREEN_MAX
									    : h);
		}
	}
	dest.prog = "telly x";
	/* What its output is said to be of when some is not printed. */
	if (nview + 2 <= X_VIEW_ARGS_MAX) {
		const char *slash = strrchr(prog[0], '/');
		view[nview++] = "--program";
		view[nview++] = slash && slash[1] ? (char *)slash + 1 : prog[0];
	}
	dest.host = host;
	dest.dx = &dx;
	telly_config_direct(&cfg, &dest);
	c = telly_client_connect(&dest, true, err, sizeof err);
	if (!c) {
		fprintf(stderr, "telly x: %s\n", err);
		return 1;
	}
	/* No direct connection to be had (said once): the view goes over
	 * ssh without trying again. */
	if (dx.over_ssh && nview < X_VIEW_ARGS_MAX)
		view[nview++] = "--no-direct";
	explicit_bzero(&dx, sizeof dx);
	frame = malloc(RP_MAX_FRAME);
	if (!frame) {
		rp_conn_destroy(c);
		return 1;
	}
	len = rp_desk_open_frame(frame, RP_MAX_FRAME, 1,
				 RP_OPEN_CREATE | RP_OPEN_EXCL | RP_OPEN_X11 |
					 (screen.ws_xpixel ? RP_OPEN_SCREEN : 0),
				 name, "", host ? "" : NULL, &screen, prog, nprog);
	/* The view follows: the host keeps the session, and what the
	 * program printed, for it, however quick the program. */
	if (rp_conn_peer_caps(c) & RP_CAP_OPENMORE)
		len = rp_open_append(frame, RP_MAX_FRAME, len, &(uint8_t){RP_OPEN_MORE_VIEW}, 1);
	r = len < 0 ? (int)len
		    : telly_open_call(c, frame, (size_t)len, 1, &h, &p, "x", prog, nprog, true, err,
				      sizeof err);
	free(frame);
	if (r < 0 || rp_req_str_decode(p, h.len, &req, &nm) < 0 || nm.n > RP_MAX_NAME) {
		struct rp_error e;
		bool is_err = r == -EREMOTEIO && h.type == RP_ERROR && rp_error_decode(p, h.len, &e) == 0;
		fprintf(stderr, "telly x: %s\n",
			r < 0 ? (err[0] ? err : "the program was not started")
			      : "malformed answer from the server");
		/* -s NAME of a session there: what to do with it instead. */
		if (is_err && e.code == RP_E_EXIST)
			fprintf(stderr,
				"telly x: `telly run %s%s%s -- PROGRAM` starts PROGRAM in it, "
				"`telly view --seamless %s%s--x11 %s` shows it\n",
				host ? host : "", host ? " " : "", name, host ? host : "",
				host ? " " : "", name);
		/* A program the host cannot find: 127, as ssh's shell. */
		r = is_err && e.code == RP_E_SPAWN ? 127 : 1;
		rp_conn_destroy(c);
		return r;
	}
	snprintf(got, sizeof got, "%.*s", (int)nm.n, nm.p);
	rp_conn_destroy(c);
	view[nview++] = host ? (char *)host : "";
	view[nview++] = got;
	view[nview] = NULL;
	return telly_view(nview, view);
}
