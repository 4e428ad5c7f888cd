/* notify-sink PATH: systemd's side of sd_notify for the tests. Binds a
 * datagram socket at PATH (made afresh) and writes each message it gets
 * to standard output as one line (newlines inside shown as ';'), until
 * killed. Messages longer than MSG_MAX_BYTES are cut.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MSG_MAX_BYTES 4096

int main(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char msg[MSG_MAX_BYTES + 1];
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof a.sun_path) {
		fprintf(stderr, "usage: notify-sink PATH (at most %zu bytes)\n",
			sizeof a.sun_path - 1);
		return 2;
	}
	memcpy(a.sun_path, argv[1], strlen(argv[1]));
	unlink(argv[1]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		fprintf(stderr, "notify-sink: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, msg, MSG_MAX_BYTES, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "notify-sink: recv: %s\n", strerror(errno));
			return 1;
		}
		for (ssize_t i = 0; i < n; i++)
			if (msg[i] == '\n' || msg[i] == '\0')
				msg[i] = ';';
		msg[n] = '\0';
		printf("%s\n", msg);
		fflush(stdout);
	}
}
