/* vmconsole: the consoles of VM guests as sessions of `telly serve`.
 *
 * Pure parts (no I/O, tested as plain functions): the consoles file and
 * `--console NAME=BACKEND` arguments, the SSH front door's keys file with
 * its per-key console grants, the escape scanner of ssh's `~.` kind, and
 * the timestamping of log lines.
 *
 * At the edge: struct vmc_console (a backend behind vmc_backend_ops, kept
 * connected with backoff; an exposed pty; the timestamped, rotated log),
 * and the SSH front door (vmc_sshd_run, libssh), which is a client of the
 * daemon like any other.
 */
#ifndef VMC_H
#define VMC_H

#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define VMC_NAME_MAX 64     /* as a session name (RP_MAX_NAME) */
#define VMC_TARGET_MAX 512  /* a path, HOST:PORT or command */
#define VMC_PATH_MAX 300
#define VMC_GRANTS_MAX 16
#define VMC_CONSOLES_MAX 256 /* as the daemon's sessions */
#define VMC_KEYS_MAX 1024
#define VMC_LINE_MAX 8192    /* a line of either file */
#define VMC_FILE_MAX (4u << 20)
#define VMC_LOG_CAP_DEFAULT (8u << 20)
#define VMC_LOG_KEEP_DEFAULT 3

enum vmc_kind { VMC_UNIX, VMC_PTY, VMC_TCP, VMC_EXEC };
enum vmc_right { VMC_NONE, VMC_RO, VMC_RW };

/* A glob (fnmatch) and the right it gives. */
struct vmc_grant {
	char pattern[VMC_NAME_MAX + 1];
	enum vmc_right right;
};

struct vmc_spec {
	char name[VMC_NAME_MAX + 1];
	enum vmc_kind kind;
	char target[VMC_TARGET_MAX + 1];
	char log[VMC_PATH_MAX + 1]; /* "": LOGDIR/logs/NAME.log */
	size_t log_cap;             /* rotate past this many bytes */
	unsigned log_keep;          /* older generations kept: NAME.log.1 .. .N */
	/* users = key names (globs) and rights; none: the keys decide alone. */
	unsigned nusers;
	struct vmc_grant users[VMC_GRANTS_MAX];
};

struct vmc_config {
	unsigned n;
	struct vmc_spec *specs;
};

/* The consoles file (see vmconsole/README.md). file names it in messages:
 * "FILE:LINE: what is wrong". Returns 0, or -EINVAL with err set. specs
 * already in *cfg (from --console) are kept; names must be unique. */
int vmc_config_parse(struct vmc_config *cfg, const char *text, size_t n, const char *file,
		     char *err, size_t errn);
/* One `NAME=unix:PATH` (pty:, tcp:HOST:PORT, exec:COMMAND) argument. */
int vmc_config_add_arg(struct vmc_config *cfg, const char *arg, char *err, size_t errn);
/* "unix:PATH" and the like into spec's kind and target. */
int vmc_backend_parse(struct vmc_spec *s, const char *v, char *err, size_t errn);
void vmc_config_finish(struct vmc_config *cfg);
const char *vmc_kind_name(enum vmc_kind k);

/* A line of the keys file: OpenSSH authorized_keys format, with the
 * option consoles="GLOB:rw,GLOB:ro". name is the comment (who, in the
 * audit log). */
struct vmc_key {
	char type[48]; /* sk-ecdsa-sha2-nistp256@openssh.com has 34 bytes */
	char *b64;
	char name[VMC_NAME_MAX + 1];
	unsigned ngrants;
	struct vmc_grant grants[VMC_GRANTS_MAX];
};
/* Returns the number of keys (*out malloc'd, free with vmc_keys_free), or
 * -EINVAL with "FILE:LINE: ..." in err. */
int vmc_keys_parse(const char *text, size_t n, const char *file, struct vmc_key **out,
		   char *err, size_t errn);
/* As vmc_keys_parse, but a bad line costs only itself: it is said through
 * bad(ctx, "FILE:LINE: what is wrong") and left out, and every other key
 * is kept (the front door reads the file at each login: one bad line
 * added while it runs must not lock every key out). -EINVAL only for the
 * file as a whole (larger than VMC_FILE_MAX, out of memory). */
int vmc_keys_parse_lenient(const char *text, size_t n, const char *file, struct vmc_key **out,
			   void (*bad)(void *ctx, const char *msg), void *ctx, char *err,
			   size_t errn);
void vmc_keys_free(struct vmc_key *k, int n);
/* The strongest right any grant matching name gives. */
enum vmc_right vmc_grants_right(const struct vmc_grant *g, unsigned n, const char *name);
/* What key k may do on console s: its grants, narrowed by the console's
 * users line when it has one. */
enum vmc_right vmc_access(const struct vmc_key *k, const struct vmc_spec *s);

/* Escapes typed after a newline, as ssh's: ESC then a command character.
 * ESC twice sends it once; ESC and any other character send both. */
struct vmc_esc {
	int ch; /* -1: no escapes */
	bool line_start, pending;
};
void vmc_esc_init(struct vmc_esc *e, int ch);
/* Scans in[0..n): the bytes to send go to out (room for n + 1), up to and
 * including the first escape command, which is returned (0: none). *used
 * says how much of in was taken; scan the rest again. */
int vmc_esc_scan(struct vmc_esc *e, const char *cmds, const uint8_t *in, size_t n, size_t *used,
		 uint8_t *out, size_t *nout);

/* Log lines carry a timestamp: "2026-11-22T06:30:01.123 " before the first
 * byte of each line (a line ends at \n); the milliseconds are bytes 20-22. */
#define VMC_STAMP_LEN 24
struct vmc_stamp {
	bool mid_line;
};
/* Copies in to out (cap bytes, more than VMC_STAMP_LEN) with stamp before
 * each line, as much as fits: *used says how much of in went. Returns the
 * bytes in out. */
size_t vmc_stamp_lines(struct vmc_stamp *st, const char stamp[VMC_STAMP_LEN], const uint8_t *in,
		       size_t n, uint8_t *out, size_t cap, size_t *used);
void vmc_stamp_format(char out[VMC_STAMP_LEN + 1], long long sec, long msec);
/* A window size a client asks for (an SSH pty-req or window-change): false
 * when it says none (a side of zero or less); else true with the size in
 * *cols, *rows, bounded to RP_MAX_COLS x RP_MAX_ROWS (a screen model costs
 * memory in proportion). */
bool vmc_winsize_bound(long cols, long rows, uint16_t *out_cols, uint16_t *out_rows);

/* ---- at the edge: one console ---- */

struct vmc_console;
/* Its pty linked at RUNDIR/consoles/NAME; its log s->log, else
 * LOGDIR/logs/NAME.log. */
struct vmc_console *vmc_console_create(const struct vmc_spec *s, const char *rundir,
				       const char *logdir, char *err, size_t errn);
void vmc_console_destroy(struct vmc_console *c); /* takes NULL */
/* Two slots: the backend, the exposed pty's master. */
void vmc_console_pollfds(const struct vmc_console *c, struct pollfd pf[2]);
/* ms until its next timer (a reconnect), or -1. */
long vmc_console_timeout_ms(const struct vmc_console *c, long now_ms);
/* After poll (pf: the slots as filled and polled; NULL for timers only):
 * reads the guest (at most cap bytes, into buf, already logged and written
 * to the exposed pty), passes pty keys to the guest, reconnects when due.
 * Notices about the backend ("gone", "back") are in buf too. Returns the
 * bytes in buf for the session's screen and viewers. */
size_t vmc_console_service(struct vmc_console *c, const struct pollfd *pf, long now_ms,
			   uint8_t *buf, size_t cap);
/* A child process (exec backend) may have ended: see to it. */
void vmc_console_reap(struct vmc_console *c);
/* Keys for the guest: n bytes taken, -EAGAIN when its queue is full (try
 * later), -ENOTCONN while the backend is down. */
int vmc_console_write(struct vmc_console *c, const void *buf, size_t n);
/* A serial break: 0, -ENOTSUP (the backend cannot), -ENOTCONN. */
int vmc_console_break(struct vmc_console *c);
bool vmc_console_up(const struct vmc_console *c);
const struct vmc_spec *vmc_console_spec(const struct vmc_console *c);
const char *vmc_console_pty(const struct vmc_console *c); /* the slave's path */
/* RUNDIR/consoles/NAME made again (the runtime directory was removed): 0
 * or -errno. */
int vmc_console_relink(struct vmc_console *c);
/* "unix:/run/vm1.sock (up)" and the like: "(down: WHY)" once said down,
 * "(resolving HOST)", "(connecting)". */
void vmc_console_describe(const struct vmc_console *c, char *out, size_t n);

/* The whole of a consoles or keys file, at most VMC_FILE_MAX bytes
 * (malloc'd; NULL with "PATH: why" in err). */
char *vmc_read_file(const char *path, size_t *n, char *err, size_t errn);
/* The audit log: one timestamped line per event, "console who event". */
void vmc_audit(int fd, const char *console, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- the SSH front door ---- */

struct vmc_sshd_opts {
	const char *listen;      /* ADDR:PORT */
	const char *keys_file;   /* authorized_keys with consoles= options */
	const char *host_key;    /* generated once if missing */
	const char *daemon_sock; /* the daemon's unix socket */
	const struct vmc_config *cfg;
	int parent_fd;           /* EOF on it: the daemon is gone */
	int listen_fd;           /* bound by vmc_sshd_listen */
	/* On SIGHUP (the daemon reloaded): the consoles as they are now, into
	 * an empty cfg; 0, or -1 with err. NULL: SIGHUP changes nothing. */
	int (*reload)(void *ctx, struct vmc_config *cfg, char *err, size_t errn);
	void *reload_ctx;
};
/* Bind ADDR:PORT (before the daemon forks the front door, so errors reach
 * the user). Returns the fd or -1 with err. */
int vmc_sshd_listen(const char *addr_port, char *err, size_t errn);
/* Make sure the host key exists (generating an ed25519 key once). */
int vmc_sshd_host_key(const char *path, char *err, size_t errn);
/* The front door's listener: accepts, and per connection a monitor process
 * and a session process (see sshd.c). Returns when the daemon is gone. */
int vmc_sshd_run(const struct vmc_sshd_opts *o);
/* A connection's session process (session.c): what the front door runs as
 * `telly sshd-session HOSTKEY`, with the client's socket on fd 3 and its
 * monitor's on fd 4. Does not return. */
int vmc_sshd_session(int argc, char **argv);

#endif
