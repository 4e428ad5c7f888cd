/* The per-user runtime directory, its socket and its start lock (the
 * daemon itself is started by serve/main.c, which uses these).
 *
 * $TELLY_DIR, else $XDG_RUNTIME_DIR/telly, else /tmp/telly-UID: created
 * 0700 and refused if another user owns it or others may enter it (the
 * socket there is the key to every session). Claiming it is serialized
 * by a lock file, so two clients that find no daemon at once start one.
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

int telly_rundir(char *out, size_t n, char *err, size_t errn)
{
	const char *dir = getenv("TELLY_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int len;

	if (dir && *dir)
		len = snprintf(out, n, "%s", dir);
	else if (xdg && *xdg)
		len = snprintf(out, n, "%s/telly", xdg);
	else
		len = snprintf(out, n, "/tmp/telly-%u", (unsigned)getuid());
	if (len < 0 || (size_t)len >= n || (size_t)len > 80) {
		/* sun_path holds 108 bytes; leave room for the socket name */
		snprintf(err, errn, "runtime directory path too long: %s", out);
		return -ENAMETOOLONG;
	}
	if (mkdir(out, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errn, "cannot create %s: %s", out, strerror(errno));
		return -errno;
	}
	if (lstat(out, &st) < 0) {
		snprintf(err, errn, "%s: %s", out, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077)) {
		snprintf(err, errn,
			 "%s must be a directory owned by you with mode 0700 (it holds the socket "
			 "to your sessions)",
			 out);
		return -EPERM;
	}
	return 0;
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
	char sock[300], lock[300];
	int lfd, listen_fd = -1;

	*running = NULL;
	if (telly_rundir(dir, dirn, err, errn) < 0)
		return -1;
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
