/* The per-user runtime directory, its socket and its start lock (the
 * daemon itself is started by serve/main.c, which uses these), and the
 * daemon's log folder.
 *
 * Runtime directory: $TELLY_DIR, else ${TELLY_TMPDIR:-/tmp}/telly-UID,
 * created 0700 and refused if another user owns it or others may enter
 * it (the socket there is the key to every session). Not
 * $XDG_RUNTIME_DIR: logind removes /run/user/UID at the user's last
 * logout (without lingering), and the daemon, whose sessions outlive the
 * login, would lose its socket with it; tmux keeps its socket under /tmp
 * for the same reason. Claiming it is serialized by a lock file, so two
 * clients that find no daemon at once start one.
 *
 * Log folder: what must outlive a reboot (session and console logs, the
 * audit log) does not belong in a runtime directory (a tmpfs):
 * --log-dir or the config file's log-dir, else $XDG_STATE_HOME/telly,
 * else ~/.local/state/telly; created 0700, refused if another user owns
 * it or others may write to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "clients.h"

/* sun_path holds 108 bytes; leave room for "/serve.sock". */
#define RUNDIR_PATH_MAX 80

/* mkdir -p: the missing folders above path made 0700 (XDG's rule for
 * the base folders it names). */
static void make_parents(const char *path)
{
	char p[TELLY_LOG_DIR_MAX + 1];
	size_t n = strlen(path);

	if (n >= sizeof p)
		return;
	memcpy(p, path, n + 1);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return;
		*q = '/';
	}
}

int telly_private_dir(const char *path, mode_t refuse, const char *what, char *err, size_t errn)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(err, errn, "cannot create %s %s: %s", what, path, strerror(e));
		return -e;
	}
	if (lstat(path, &st) < 0) {
		int e = errno;
		snprintf(err, errn, "%s %s: %s", what, path, strerror(e));
		return -e;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & refuse)) {
		snprintf(err, errn,
			 "%s %s must be a directory owned by you (uid %u) that %s (it is %s, owner "
			 "uid %u, mode %04o)",
			 what, path, (unsigned)getuid(),
			 refuse & 050 ? "nobody else may enter, mode 0700"
				      : "nobody else may write to",
			 S_ISDIR(st.st_mode) ? "a directory" : S_ISLNK(st.st_mode) ? "a symlink" : "not a directory",
			 (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int telly_rundir(char *out, size_t n, char *err, size_t errn)
{
	const char *dir = getenv("TELLY_DIR");
	const char *tmp = getenv("TELLY_TMPDIR");
	int len;

	if (dir && *dir)
		len = snprintf(out, n, "%s", dir);
	else
		len = snprintf(out, n, "%s/telly-%u", tmp && tmp[0] == '/' ? tmp : "/tmp",
			       (unsigned)getuid());
	if (len < 0 || (size_t)len >= n || len > RUNDIR_PATH_MAX) {
		snprintf(err, errn, "runtime directory path too long (over %d bytes): %s",
			 RUNDIR_PATH_MAX, out);
		return -ENAMETOOLONG;
	}
	return telly_private_dir(out, 077, "the runtime directory", err, errn);
}

int telly_logdir(const char *want, char *out, size_t n, char *err, size_t errn)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char cwd[TELLY_LOG_DIR_MAX + 1];
	int len;

	if (want && *want && want[0] != '/') {
		if (!getcwd(cwd, sizeof cwd)) {
			snprintf(err, errn, "log folder %s: cannot tell the current folder: %s", want,
				 strerror(errno));
			return -ENAMETOOLONG;
		}
		len = snprintf(out, n, "%s/%s", cwd, want);
	} else if (want && *want) {
		len = snprintf(out, n, "%s", want);
	} else if (state && state[0] == '/') { /* XDG: a relative one is ignored */
		len = snprintf(out, n, "%s/telly", state);
	} else if (home && home[0] == '/') {
		len = snprintf(out, n, "%s/.local/state/telly", home);
	} else {
		snprintf(err, errn, "no log folder: neither XDG_STATE_HOME nor HOME is set "
				    "(give one with --log-dir DIR)");
		return -ENOENT;
	}
	if (len < 0 || (size_t)len >= n || len > TELLY_LOG_DIR_MAX) {
		snprintf(err, errn, "log folder path too long (over %d bytes): %.*s",
			 TELLY_LOG_DIR_MAX, 100, out);
		return -ENAMETOOLONG;
	}
	while (len > 1 && out[len - 1] == '/')
		out[--len] = 0;
	make_parents(out);
	return telly_private_dir(out, 022, "the log folder", err, errn);
}

int telly_unix_listen(const char *path, char *err, size_t errn)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;
	mode_t old;

	if (strlen(path) >= sizeof a.sun_path) {
		snprintf(err, errn, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	unlink(path); /* stale: the caller holds the start lock and found no daemon */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		umask(old);
		goto fail;
	}
	umask(old);
	if (listen(fd, 64) < 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errn, "cannot listen on %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

int telly_daemon_claim(char *dir, size_t dirn, struct rp_transport **running, char *err,
		       size_t errn)
{
	*running = NULL;
	if (telly_rundir(dir, dirn, err, errn) < 0)
		return -1;
	return telly_claim_in(dir, running, err, errn);
}

int telly_claim_in(const char *dir, struct rp_transport **running, char *err, size_t errn)
{
	char sock[300], lock[300];
	int lfd, listen_fd = -1;

	*running = NULL;
	snprintf(sock, sizeof sock, "%s/serve.sock", dir);
	snprintf(lock, sizeof lock, "%s/serve.lock", dir);
	lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		snprintf(err, errn, "cannot lock %s: %s", lock, strerror(errno));
		if (lfd >= 0)
			close(lfd);
		return -1;
	}
	/* Under the lock: a daemon started meanwhile is found, not doubled. */
	*running = rp_transport_unix_connect(sock);
	if (!*running)
		listen_fd = telly_unix_listen(sock, err, errn);
	close(lfd);
	return listen_fd;
}
