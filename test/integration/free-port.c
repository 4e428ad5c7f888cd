/* free-port: print a TCP port on 127.0.0.1 that nothing holds now, and
 * that no other free-port on this machine handed out lately.
 *
 * Tests used to derive ports from their pid, which collides with whatever
 * the machine has bound (the pid-derived ranges overlap the ephemeral
 * range that every outgoing connection takes ports from), and a daemon
 * that cannot bind looks like one that never started. The kernel picks a
 * port free this instant; the test binds it a moment later (seconds, on
 * a loaded machine). Tests run side by side (test/run.sh), and in that
 * moment another test's free-port may be given the same free port by the
 * kernel: the port is then claimed in a shared folder (a file per port,
 * made with O_EXCL), and one claimed within PORT_HELD_S is passed over
 * for another. Its socket stays open meanwhile, so the kernel picks a
 * different one next. A folder that cannot be used leaves the kernel's
 * word alone (the port as before, not an error). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PORT_HELD_S 600 /* longer than any test's wait to bind its port */
#define TRIES 64

/* 1: PORT is ours now; 0: another free-port's, lately; -1: no folder. */
static int claim(const char *dir, unsigned port)
{
	char path[4096];
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "%s/%u", dir, port);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		return close(fd), 1;
	if (errno != EEXIST || stat(path, &st) < 0)
		return -1;
	if (time(NULL) - st.st_mtime < PORT_HELD_S)
		return 0;
	/* An old claim: its test is long over. Renewed, not made anew, so
	 * two that find it old the same moment both may take it; rare
	 * enough (the kernel gave both the same port) to leave. */
	return utimensat(AT_FDCWD, path, NULL, 0) < 0 ? -1 : 1;
}

int main(void)
{
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	int fds[TRIES], n = 0, rc = 1;
	unsigned port = 0;

	snprintf(dir, sizeof dir, "%s/telly-free-ports.%u", tmp && *tmp ? tmp : "/tmp", (unsigned)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		dir[0] = 0;
	while (n < TRIES) {
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t len = sizeof a;
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
		    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
			perror("free-port");
			goto out;
		}
		fds[n++] = fd;
		port = ntohs(a.sin_port);
		if (!dir[0] || claim(dir, port) != 0)
			break;
	}
	if (n == TRIES) {
		fprintf(stderr, "free-port: %d ports in a row were handed out lately (%s)\n", TRIES, dir);
		goto out;
	}
	printf("%u\n", port);
	rc = 0;
out:
	while (n > 0)
		close(fds[--n]);
	return rc;
}
