/* Subcommands of the telly command, and what they share. */
#ifndef TELLY_CLIENTS_H
#define TELLY_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "rp_io.h"

struct vmc_config;

int telly_demo(int argc, char **argv);
int telly_serve(int argc, char **argv);
int telly_attach(int argc, char **argv);
int telly_ls(int argc, char **argv);
int telly_new(int argc, char **argv);
int telly_kill(int argc, char **argv);
int telly_stop(int argc, char **argv);
int telly_view(int argc, char **argv);

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
};

/* rundir.c */
int telly_rundir(char *out, size_t n, char *err, size_t errn);
int telly_unix_listen(const char *path, char *err, size_t errn);
/* Become the one to start the daemon: under the runtime directory's lock,
 * either a daemon already answers (*running set, -1 returned) or the
 * socket is bound and its listening fd returned (-1 and err on failure). */
int telly_daemon_claim(char *dir, size_t dirn, struct rp_transport **running, char *err,
		       size_t errn);
/* Connect to this user's daemon; with start, start it if none runs. err
 * must start empty. */
struct rp_transport *telly_daemon_connect(bool start, const struct telly_serve_opts *o,
					  char *err, size_t errn);

/* serve.c: run a daemon in the background on an already listening socket. */
int telly_serve_spawn(int listen_fd, const char *dir, const struct telly_serve_opts *o,
		      char *err, size_t errn);

/* client.c: a connection to a daemon, here or through ssh. */
struct telly_dest {
	const char *host;    /* NULL: this host */
	const char *ssh;     /* --ssh command line (default "ssh") */
	const char *server;  /* --server: the host's telly (default "telly") */
	const char *tcp;     /* HOST:PORT of a --listen daemon, or NULL */
	const char *token_file;
	uint32_t caps; /* HELLO capabilities beyond LINEMODE */
	int compress;  /* lz4 output: 1 --compress, -1 --no-compress, 0 over ssh and TCP */
};
struct rp_conn *telly_client_connect(const struct telly_dest *d, bool start, char *err,
				     size_t errn);
/* Options and arguments every client command takes to reach a
 * daemon (see `telly attach --help`). */
int telly_dest_option(int argc, char **argv, int *i, struct telly_dest *d);
int telly_dest_args(int npos, char **pos, struct telly_dest *d, const char **name,
		    char *hostbuf, size_t hostn);

/* Send a frame and wait (up to timeout_ms) for the frame that answers
 * request req: OK, ERROR or LIST_REPLY. For requests made before a channel
 * is attached, so every frame that arrives answers one. An ERROR becomes
 * its message in err and -EREMOTEIO. */
int telly_client_call(struct rp_conn *c, const void *frame, size_t n, uint32_t req,
		      struct rp_hdr *h, const uint8_t **payload, int timeout_ms, char *err,
		      size_t errn);

/* Frames a client sends on a channel. INPUT takes the next of *seq;
 * data longer than a frame goes in several. -1 if the queue is full. */
int telly_send_data(struct rp_conn *c, uint8_t type, uint16_t chan, uint32_t *seq,
		    const void *buf, size_t n);
void telly_send_signal(struct rp_conn *c, uint16_t chan, int sig, bool flush);
void telly_send_winsize(struct rp_conn *c, uint16_t chan, const struct kpty_winsize *ws);
/* An OPEN frame (cwd NULL: this process's; "": the host's default); its
 * length, or -EMSGSIZE (also for more than RP_MAX_ARGS words). */
long telly_open_frame(uint8_t *frame, size_t cap, uint32_t req, uint8_t flags, const char *name,
		      const char *term, const char *cwd, const struct kpty_winsize *ws, char **cmd,
		      int ncmd);

/* Latency samples: sorted in place, then read at quantile q (0..1). */
void telly_sort_u64(uint64_t *s, size_t n);
static inline double telly_pct_us(const uint64_t *sorted, size_t n, double q)
{
	return (double)sorted[(size_t)((double)(n - 1) * q)] / 1e3;
}

static inline uint64_t telly_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
