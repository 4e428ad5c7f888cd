/* Subcommands of the telly command, and what they share. */
#ifndef TELLY_CLIENTS_H
#define TELLY_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "desk.h"
#include "base.h"
#include "rp_io.h"

struct vmc_config;

int telly_demo(int argc, char **argv);
int telly_serve(int argc, char **argv);
int telly_attach(int argc, char **argv);
int telly_ls(int argc, char **argv);
int telly_new(int argc, char **argv);
int telly_run(int argc, char **argv); /* ctl.c: a program in an X session */
int telly_kill(int argc, char **argv);
int telly_stop(int argc, char **argv);
int telly_view(int argc, char **argv);
int telly_x(int argc, char **argv); /* x.c: an X program, its windows here */

#define TELLY_LOG_CAP_DEFAULT (8u << 20)

struct telly_serve_opts {
	size_t log_cap;          /* bytes per session log before it rotates */
	const char *listen;      /* "HOST:PORT" for TCP, or NULL */
	bool allow_remote;       /* let --listen bind beyond loopback */
	/* Consoles (vmconsole) and their SSH front door; foreground only. */
	const struct vmc_config *consoles;
	const char *ssh_listen, *ssh_keys, *ssh_host_key;
	int ssh_fd; /* the front door's bound socket, or -1 */
	/* A connection says HELLO within hello_ms of connecting, and a frame
	 * begun is whole within frame_ms (0: the defaults, 10 s and 30 s). */
	long hello_ms, frame_ms;
	/* The log folder (telly_logdir's answer): session and console logs
	 * in its logs/, the audit log beside them. NULL: the runtime
	 * directory (the unit tests' servers). */
	const char *log_dir;
	/* The X server of X sessions: TELLY_X_SERVER_*; 0: not given (the
	 * config file's x-server, else auto). */
	int x_server;
};
#define TELLY_X_SERVER_AUTO 1 /* Xorg with the dummy driver if installed, else Xvfb */
#define TELLY_X_SERVER_XORG 2
#define TELLY_X_SERVER_XVFB 3

/* rundir.c */
#define TELLY_LOG_DIR_MAX 200 /* bytes; room below it for logs/NAME.log.1 */
int telly_rundir(char *out, size_t n, char *err, size_t errn);
/* The daemon's log folder: want (--log-dir, the config's log-dir; relative
 * to the current folder), else $XDG_STATE_HOME/telly, else
 * $HOME/.local/state/telly; made (0700, with missing parents) and checked
 * (yours, nobody else may write). 0, or -errno with err said. */
int telly_logdir(const char *want, char *out, size_t n, char *err, size_t errn);
/* mkdir path 0700 if missing, then refuse it (-EPERM, err said) unless it
 * is a directory (not a symlink) of this user without a mode bit of
 * refuse (077: nobody else may enter; 022: nobody else may write). what
 * names it in messages ("the runtime directory"). */
int telly_private_dir(const char *path, mode_t refuse, const char *what, char *err, size_t errn);
int telly_unix_listen(const char *path, char *err, size_t errn);
/* Become the one to start the daemon: under the runtime directory's lock,
 * either a daemon already answers (*running set, -1 returned) or the
 * socket is bound and its listening fd returned (-1 and err on failure). */
int telly_daemon_claim(char *dir, size_t dirn, struct rp_transport **running, char *err,
		       size_t errn);
/* The same in dir, made and checked already (the daemon that finds its
 * socket gone binds it again this way). */
int telly_claim_in(const char *dir, struct rp_transport **running, char *err, size_t errn);

/* serve/main.c: connect to this user's daemon; with start, start it in
 * the background if none runs. err must start empty. */
struct rp_transport *telly_daemon_connect(bool start, const struct telly_serve_opts *o,
					  char *err, size_t errn);
/* Run a daemon in the background on an already listening socket;
 * starter_fd (the starter's own connection to it, -1: none) is closed in
 * the daemon, which would otherwise hold the starter's end open. */
int telly_serve_spawn(int listen_fd, int starter_fd, const char *dir,
		      const struct telly_serve_opts *o, char *err, size_t errn);

/* client.c: the desk side of the protocol is remote-proto's (desk.h); here
 * only what binds it to this command: this host's daemon is reached
 * through the runtime directory (rundir.c), started if start and none runs. */
struct rp_conn *telly_client_connect(const struct rp_dest *d, bool start, char *err,
				     size_t errn);
/* d, reaching this host's daemon the way telly_client_connect does (for a
 * redial: rp_dialer_start). */
void telly_client_dest(struct rp_dest *d);
/* Send OPEN frame (request req), which starts a program (the first of
 * argv's argc words that is not NAME=VALUE; none: the host's shell) or,
 * with x11, an X display (and that program in it, if any), and wait for
 * its answer as long as it takes, as ssh waits for its command: the host
 * answers once the program's exec says, and an exec on a hung mount may
 * not return for long. After TELLY_OPEN_SAY_MS this says once on stderr
 * ("telly CMD: ...") that it still waits, and that ^C stops waiting (the
 * session then starts or fails on its own). rp_desk_call's returns. */
#define TELLY_OPEN_SAY_MS 3000
int telly_open_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req,
		    struct rp_hdr *h, const uint8_t **p, const char *cmd, char *const *argv,
		    int argc, bool x11, char *err, size_t errn);
/* Its second half, once TELLY_OPEN_SAY_MS went by unanswered: says what
 * it waits for (with x11, the display and the program; with starting,
 * the display of that X session, which the host says is starting (telly
 * run); else the program's exec), then waits as long as it takes. */
int telly_open_wait(struct rp_conn *c, uint32_t req, struct rp_hdr *h, const uint8_t **p,
		    const char *cmd, char *const *argv, int argc, bool x11, const char *starting,
		    char *err, size_t errn);
/* The cap of a key's wait while the program is cooked for a moment
 * (pred_cook): TELLY_COOK_MAX_MS for a test on a loaded machine (the
 * setter clamps it), else PRED_COOK_MAX_MS; a value that is not a number
 * is said on stderr and ignored. Read once, when attach or view starts. */
long telly_cook_max_ms(void);

/* "WxH", an X display's size in pixels (RP_X_SCREEN_MIN..MAX each), into
 * ws's pixel fields. false, with err said, when it is not one. */
bool telly_screen_parse(const char *s, struct kpty_winsize *ws, char *err, size_t errn);

/* Latency samples: sorted in place, then read at quantile q (0..1). */
void telly_sort_u64(uint64_t *s, size_t n);
static inline double telly_pct_us(const uint64_t *sorted, size_t n, double q)
{
	return (double)sorted[(size_t)((double)(n - 1) * q)] / 1e3;
}

#endif
