/* The desk side of the protocol lives in remote-proto (desk.h); what this
 * command adds is how this host's daemon is reached: its runtime
 * directory, and starting it under the lock (rundir.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clients.h"
#include "predict.h"

static struct rp_transport *local_daemon(void *ctx, bool start, char *err, size_t errn)
{
	(void)ctx;
	return telly_daemon_connect(start, NULL, err, errn);
}

struct rp_conn *telly_client_connect(const struct rp_dest *d, bool start, char *err,
				     size_t errn)
{
	struct rp_dest here = *d;

	here.connect_local = local_daemon;
	return rp_desk_connect(&here, start, err, errn);
}

void telly_client_dest(struct rp_dest *d)
{
	d->connect_local = local_daemon;
}

int telly_open_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req,
		    struct rp_hdr *h, const uint8_t **p, const char *cmd, char *const *argv,
		    int argc, bool x11, char *err, size_t errn)
{
	int r = rp_desk_call(c, frame, n, req, h, p, TELLY_OPEN_SAY_MS, err, errn);

	if (r != -ETIMEDOUT)
		return r;
	return telly_open_wait(c, req, h, p, cmd, argv, argc, x11, NULL, err, errn);
}

int telly_open_wait(struct rp_conn *c, uint32_t req, struct rp_hdr *h, const uint8_t **p,
		    const char *cmd, char *const *argv, int argc, bool x11, const char *starting,
		    char *err, size_t errn)
{
	int i = 0, r;
	char prog[120] = "", dpy[80] = "";

	if (starting)
		base_log_escape(starting, strlen(starting), false, dpy, sizeof dpy);
	while (i < argc && !x11 && strchr(argv[i], '='))
		i++;
	if (i < argc)
		base_log_escape(argv[i], strlen(argv[i]), false, prog, sizeof prog);
	if (x11)
		fprintf(stderr, "telly %s: still waiting for the X display to come up%s%s%s", cmd,
			prog[0] ? " and " : "", prog, prog[0] ? " to start" : "");
	else if (dpy[0])
		fprintf(stderr,
			"telly %s: still waiting for the X display of session %s to come up (it is "
			"starting; %s starts then)",
			cmd, dpy, prog[0] ? prog : "the program");
	else
		fprintf(stderr,
			"telly %s: still waiting for %s to start: its exec on the host has not "
			"returned (a path on a hung mount?)",
			cmd, prog[0] ? prog : "the shell");
	fprintf(stderr, "; ^C stops waiting, and the session then starts or fails on its own "
			"(telly ls)\n");
	while ((r = rp_desk_wait(c, req, h, p, 60000, err, errn)) == -ETIMEDOUT)
		;
	return r;
}

long telly_cook_max_ms(void)
{
	const char *s = getenv("TELLY_COOK_MAX_MS");
	char *end;
	long ms;

	if (!s || !*s)
		return PRED_COOK_MAX_MS;
	errno = 0;
	ms = strtol(s, &end, 10);
	if (errno || end == s || *end) {
		fprintf(stderr, "telly: TELLY_COOK_MAX_MS '%.20s' is not a number of ms: %d used\n",
			s, PRED_COOK_MAX_MS);
		return PRED_COOK_MAX_MS;
	}
	return ms;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

bool telly_screen_parse(const char *s, struct kpty_winsize *ws, char *err, size_t errn)
{
	char *end;
	unsigned long w, h;

	errno = 0;
	w = strtoul(s, &end, 10);
	if (end != s && (*end == 'x' || *end == 'X') && end[1] >= '0' && end[1] <= '9') {
		const char *hs = end + 1;
		h = strtoul(hs, &end, 10);
		if (!errno && !*end && w >= RP_X_SCREEN_MIN && w <= RP_X_SCREEN_MAX &&
		    h >= RP_X_SCREEN_MIN && h <= RP_X_SCREEN_MAX) {
			ws->ws_xpixel = (uint16_t)w;
			ws->ws_ypixel = (uint16_t)h;
			return true;
		}
	}
	snprintf(err, errn, "'%s' is not a display size: WIDTHxHEIGHT in pixels, each %d to %d", s,
		 RP_X_SCREEN_MIN, RP_X_SCREEN_MAX);
	return false;
}

void telly_sort_u64(uint64_t *s, size_t n)
{
	qsort(s, n, sizeof *s, cmp_u64);
}
