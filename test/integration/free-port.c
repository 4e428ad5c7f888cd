/* free-port: print a TCP port on 127.0.0.1 that nothing holds now.
 *
 * Tests used to derive ports from their pid, which collides with whatever
 * the machine has bound (the pid-derived ranges overlap the ephemeral
 * range that every outgoing connection takes ports from), and a daemon
 * that cannot bind looks like one that never started. The kernel picks a
 * port free this instant; the test binds it a moment later. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		perror("free-port");
		return 1;
	}
	printf("%u\n", ntohs(a.sin_port));
	close(fd);
	return 0;
}
