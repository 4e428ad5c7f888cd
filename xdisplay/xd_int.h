/* xdisplay, inside: what xd.c (the X connection) and xvfb.c (the
 * processes and files) share. Not a public header. */
#ifndef XD_INT_H
#define XD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define XD_COOKIE_BYTES 16
#define XD_KEYMAP_MAX_BYTES (1u << 20)
#define XD_LAST_WORDS_BYTES 4096 /* of a server's output read for why it failed */
#define XD_KEYMAPS_REFUSED_MAX 16 /* keymaps remembered as refused by xkbcomp */
#define XD_KEYMAP_DIGEST_BYTES 32 /* SHA-256 */
/* The server's scheduling (both servers): round robin, ten requests a
 * client at a turn, not the smart scheduler, which arms a 5 ms interval
 * timer at every wakeup and disarms it before every sleep (two
 * setitimer calls a wakeup, a SIGALRM in longer turns): a key typed
 * wakes the display four times or so (the key, the program's drawing,
 * the read or two), and telly is the only one who types. It also runs
 * Xorg's input in its main thread (no device of its own is read). */
#define XD_SERVER_SCHED "-dumbSched"
#define XD_DYING_MAX 4		  /* processes put down and not reaped yet (a fallback's) */

struct xd_proc;

/* One kind of X server, behind the same start, reap and stop: Xvfb
 * (xvfb.c), or X.Org's server with the dummy video driver (xorg.c),
 * whose RANDR takes new modes, so the display can change its size. */
struct xd_server_ops {
	const char *name; /* as messages name it: "Xvfb", "Xorg" */
	bool can_resize;  /* RANDR takes a mode of any size (xd_screen_size) */
	/* What it needs before it starts (its config), 0 or -errno, err said. */
	int (*prepare)(struct xd_proc *p, char *err, size_t errn);
	/* In the child, -displayfd on descriptor 3: runs it; back on failure. */
	void (*exec)(const struct xd_proc *p, const char *screen);
	void (*cleanup)(struct xd_proc *p); /* what prepare made, removed */
};
extern const struct xd_server_ops xd_xvfb_ops, xd_xorg_ops;
/* X.Org's server and its dummy driver are installed (xorg.c). */
bool xd_xorg_present(void);

/* The processes and files of one display (xvfb.c). */
struct xd_proc {
	const struct xd_server_ops *srv;
	char conf_dir[512]; /* the X.Org server's config folder ("": none) */
	char conf[540];	    /* its config file in it */
	char auth[512];	    /* the cookie file */
	char keymap[512];   /* xkbcomp's input file */
	char log[512];	    /* where their output goes ("": /dev/null) */
	off_t log_at;	    /* its size when the server started */
	char bin[512];	    /* the X.Org server's binary (xorg.c's prepare) */
	uint8_t cookie[XD_COOKIE_BYTES];
	pid_t server;	    /* the X server, 0 once reaped */
	int server_status;
	long server_kill_at; /* put down (xvfb_stop): SIGKILL then; 0: not yet */
	/* Processes put down that the display no longer wants (an Xorg that
	 * gave way to Xvfb): SIGTERM sent, SIGKILL at kill_at (0: sent),
	 * reaped by xvfb_reap whenever they end. Nothing waits for them. */
	struct {
		pid_t pid;
		long kill_at;
	} dying[XD_DYING_MAX];
	unsigned ndying;
	int displayfd;	    /* the read end of -displayfd, -1 once read */
	char dbuf[16];
	size_t dlen;
	pid_t xkbcomp;	    /* 0: none runs */
	long xkbcomp_by;    /* when it is killed: the display does not answer it */
	bool xkbcomp_killed;
	bool xkbcomp_stopped; /* put down with its display (xvfb_stop), not late */
	char *keymap_next;  /* a keymap that came while one was loading */
	size_t keymap_next_len;
	char *keymap_running; /* the one xkbcomp loads */
	size_t keymap_running_len;
	char *keymap_loaded; /* the one the display has (NULL: its own) */
	size_t keymap_loaded_len;
	/* An xkbcomp was killed (or ended by a signal) and may have loaded
	 * its keymap all the same: no keymap counts as the display's until
	 * one is loaded. */
	bool keymap_unknown;
	/* Keymaps xkbcomp refused (their digests, the newest last): each is
	 * refused once and logged once, never tried again (desks that take
	 * turns would load theirs at each turn). */
	struct {
		uint8_t digest[XD_KEYMAP_DIGEST_BYTES]; /* SHA-256 */
		size_t len;
	} refused[XD_KEYMAPS_REFUSED_MAX];
	unsigned nrefused;
	/* Moves at every change of the keymaps above (next, running,
	 * loaded, unknown, refused): what xvfb_keymap_is answers for a
	 * text holds while it stands still. */
	unsigned long keymap_gen;
	int display;	    /* -1 until known */
};

/* Writes the cookie file (0600 from creation) and starts the server srv. */
int xvfb_start(struct xd_proc *p, const struct xd_server_ops *srv, const char *dir,
	       const char *name, const char *log, unsigned w, unsigned h, char *err, size_t errn);
/* Reads what the server said on -displayfd: 1 with p->display set, 0 for
 * more to come, -errno (err said) when it failed. */
int xvfb_read_display(struct xd_proc *p, char *err, size_t errn);
/* The server (never connected to) put down and srv started in its place
 * at once, with the same cookie (the old one is reaped when it ends; the
 * new one picks a display number of its own): 0 or -errno, err said. */
int xvfb_restart(struct xd_proc *p, const struct xd_server_ops *srv, unsigned w, unsigned h,
		 char *err, size_t errn);
/* What the server last said in the log, since it started (X.Org's fatal
 * error, else its last line), cleaned for a log line; "" if nothing. */
void xvfb_last_words(const struct xd_proc *p, char *out, size_t n);
/* Reaps (WNOHANG) what ended: the server, xkbcomp, those put down. true
 * when the server exited (reaped). */
bool xvfb_reap(struct xd_proc *p);
/* SIGTERM (and SIGCONT) to the server and xkbcomp, SIGKILL once
 * XD_STOP_GRACE_MS is over (xvfb_stop_wait); never waits. */
void xvfb_stop(struct xd_proc *p);
/* SIGKILL to what was put down and is past its grace: ms until the next
 * one is, or -1. */
long xvfb_stop_wait(struct xd_proc *p, long now);
/* How many of its processes are not reaped yet. */
unsigned xvfb_processes(const struct xd_proc *p);
/* Removes the files; waits for nothing: a process still running is sent
 * SIGKILL and left to be reaped by whoever reaps the owner's children. */
void xvfb_finish(struct xd_proc *p);
/* The cookie file written again, with the same cookie, if it is gone
 * (its directory was removed): 0 or -errno, err said. */
int xvfb_cookie_again(struct xd_proc *p, char *err, size_t errn);
int xvfb_keymap(struct xd_proc *p, const char *text, size_t n, char *err, size_t errn);
bool xvfb_keymap_is(const struct xd_proc *p, const char *text, size_t n);
/* xkbcomp past XD_XKBCOMP_MS is killed (xvfb_reap says so): ms until it
 * would be, or -1. */
long xvfb_keymap_wait(struct xd_proc *p, long now);

#endif
