/* X.Org's server with the dummy video driver, as a display that can
 * change its size: its RANDR takes new modes (Xvfb's does not), so the
 * display can take the size of the desk that views it, as xpra's does.
 *
 * It runs as the daemon's user: as root when the daemon runs as root
 * (then it opens /dev/vga_arbiter, binds a netlink uevent socket and
 * writes /var/lib/xkb/server-N.xkm, as any root Xorg does); it never
 * needs root, but nothing drops it. Its config is its own (in the
 * runtime directory, 0600): no input devices of its own (a
 * server that may open /dev/input would read the host's keyboards), no
 * VT switching; the dummy driver asks for no console, so the server
 * opens no VT. Told a VT number (vt63), it does not open /dev/tty0 to ask
 * which one is free either (as root it did, VT_OPENQRY): it touches no
 * /dev/tty* at all, as root or not.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "xd_int.h"

/* Where Debian (and Fedora) put the server itself, not the wrapper
 * /usr/bin/Xorg (Xorg.wrap, which wants a console user), and the driver. */
static const char *const xorg_bins[] = {"/usr/lib/xorg/Xorg", "/usr/libexec/Xorg", NULL};
static const char *const dummy_drivers[] = {"/usr/lib/xorg/modules/drivers/dummy_drv.so",
					    "/usr/lib64/xorg/modules/drivers/dummy_drv.so", NULL};

static const char *first_present(const char *const *paths, int mode)
{
	for (int i = 0; paths[i]; i++)
		if (access(paths[i], mode) == 0)
			return paths[i];
	return NULL;
}

/* The wrapper a distribution puts in PATH (a script, or Xorg.wrap, that
 * wants a console user): never run; the server it would run is. */
static const char *const xorg_wrappers[] = {"/usr/bin/Xorg", "/bin/Xorg", NULL};

/* The server to run: "Xorg" from PATH, as Xvfb and xkbcomp are found
 * (a test puts a fake one first), unless it is the distribution's
 * wrapper; else the distribution's own server. false: none. */
static bool xorg_bin(char *out, size_t n)
{
	const char *path = getenv("PATH"), *bin;
	char cand[PATH_MAX], real[PATH_MAX];

	while (path && *path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		if (len && (size_t)snprintf(cand, sizeof cand, "%.*s/Xorg", (int)len, path) <
				   sizeof cand &&
		    access(cand, X_OK) == 0 && realpath(cand, real)) {
			bool wrapper = false;
			for (int i = 0; xorg_wrappers[i]; i++) {
				char w[PATH_MAX];
				if (realpath(xorg_wrappers[i], w) && !strcmp(w, real))
					wrapper = true;
			}
			if (!wrapper)
				return (size_t)snprintf(out, n, "%s", cand) < n;
		}
		path = end ? end + 1 : NULL;
	}
	if (!(bin = first_present(xorg_bins, X_OK)))
		return false;
	return (size_t)snprintf(out, n, "%s", bin) < n;
}

bool xd_xorg_present(void)
{
	char bin[PATH_MAX];

	return xorg_bin(bin, sizeof bin) && first_present(dummy_drivers, R_OK);
}

/* The framebuffer is the largest screen a display may take
 * (XD_SCREEN_MAX a side at 4 bytes a pixel: VideoRam in KiB). The
 * server's memory is what the screen in use touches, not all of it.
 * The monitor takes any mode telly makes (RANDR modes without blanking). */
static const char xorg_conf[] =
	"# An X display of telly's: X.Org's server, dummy video driver.\n"
	"Section \"ServerFlags\"\n"
	"\tOption \"AutoAddDevices\" \"false\"\n"
	"\tOption \"AutoEnableDevices\" \"false\"\n"
	"\tOption \"AutoAddGPU\" \"false\"\n"
	"\tOption \"DontVTSwitch\" \"true\"\n"
	"\tOption \"DontZap\" \"true\"\n"
	"EndSection\n"
	"Section \"Device\"\n"
	"\tIdentifier \"telly\"\n"
	"\tDriver \"dummy\"\n"
	"\tVideoRam 262144\n"
	"EndSection\n"
	"Section \"Monitor\"\n"
	"\tIdentifier \"telly\"\n"
	"\tHorizSync 1.0-1000.0\n"
	"\tVertRefresh 1.0-200.0\n"
	"EndSection\n"
	"Section \"Screen\"\n"
	"\tIdentifier \"telly\"\n"
	"\tDevice \"telly\"\n"
	"\tMonitor \"telly\"\n"
	"\tDefaultDepth 24\n"
	"\tSubSection \"Display\"\n"
	"\t\tDepth 24\n"
	"\t\tVirtual 8192 8192\n"
	"\tEndSubSection\n"
	"EndSection\n";

static void xorg_cleanup(struct xd_proc *p)
{
	if (!p->conf_dir[0])
		return;
	if (p->conf[0])
		unlink(p->conf);
	rmdir(p->conf_dir);
}

/* DIR/x11-NAME.xorg/xorg.conf: the server reads the config folder it is
 * given (and the distribution's defaults, /usr/share/X11/xorg.conf.d),
 * and -config /dev/null keeps it from /etc/X11/xorg.conf, the host's
 * own. A folder of its own: every *.conf in it is read. */
static int xorg_prepare(struct xd_proc *p, char *err, size_t errn)
{
	size_t n = sizeof xorg_conf - 1;
	int fd, e;

	if (!xorg_bin(p->bin, sizeof p->bin)) {
		snprintf(err, errn, "no X.Org server (%s)", xorg_bins[0]);
		return -ENOENT;
	}
	/* The server reads its config paths as templates (%-escapes). */
	if (strchr(p->conf_dir, '%')) {
		snprintf(err, errn, "the X server's config folder %s has a '%%' in its path",
			 p->conf_dir);
		return -EINVAL;
	}
	snprintf(p->conf, sizeof p->conf, "%s/xorg.conf", p->conf_dir);
	/* A stale one of an earlier run goes; then made afresh, ours. */
	unlink(p->conf);
	rmdir(p->conf_dir);
	if (mkdir(p->conf_dir, 0700) < 0) {
		e = errno;
		snprintf(err, errn, "cannot make %s: %s", p->conf_dir, strerror(e));
		p->conf[0] = 0;
		return -e;
	}
	fd = open(p->conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || base_write_all(fd, xorg_conf, n, 1000) != n) {
		e = errno ? errno : EIO;
		snprintf(err, errn, "cannot write %s: %s", p->conf, strerror(e));
		if (fd >= 0)
			close(fd);
		xorg_cleanup(p);
		return -e;
	}
	close(fd);
	return 0;
}

static void xorg_exec(const struct xd_proc *p, const char *screen)
{
	const char *bin = p->bin; /* found by prepare, in the daemon */

	(void)screen; /* set through RANDR once it runs (xd.c's setup) */
	/* -r: no key repeat of its own (the desk's comes as keys), as Xvfb's.
	 * -logfile /dev/null: what it says goes to stderr, the session's
	 * log, as Xvfb's does (a log file of its own would be renamed to
	 * .old at each start, beside the daemon's logs). -dumbSched:
	 * XD_SERVER_SCHED. */
	execl(bin, bin, "-displayfd", "3", "-auth", p->auth, "-nolisten", "tcp", "-noreset", "-r",
	      XD_SERVER_SCHED, "-novtswitch", "vt63", "-config", "/dev/null", "-configdir", p->conf_dir, "-logfile",
	      "/dev/null", "+extension", "COMPOSITE", "+extension", "DAMAGE", "+extension", "XFIXES",
	      "+extension", "XTEST", "+extension", "MIT-SHM", "+extension", "RANDR", (char *)NULL);
}

const struct xd_server_ops xd_xorg_ops = {
	.name = "Xorg",
	.can_resize = true,
	.prepare = xorg_prepare,
	.exec = xorg_exec,
	.cleanup = xorg_cleanup,
};
