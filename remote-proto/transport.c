/* Transports (see rp_io.h): sockets, stdio pipes, a subprocess on a
 * socketpair. All file descriptors are non-blocking and close-on-exec. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "rp_io.h"

#define SPAWN_EXIT_GRACE_MS 1000

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void close_passed(struct rp_transport *t)
{
	while (t->npassed)
		close(t->passed[--t->npassed]);
}

/* recvmsg, so descriptors passed with the bytes are kept (at most two, the
 * rest closed) instead of left to leak or to fill the table. */
static ssize_t sock_read(struct rp_transport *t, void *buf, size_t n)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = n};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			   .msg_control = &ctl, .msg_controllen = sizeof ctl};
	ssize_t r = recvmsg(t->rfd, &m, MSG_CMSG_CLOEXEC);

	if (r < 0)
		return r;
	t->drained = (size_t)r < n;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		int fds[4], nfd = (int)((h->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		if (nfd > 4) /* cannot be: the control buffer holds four */
			nfd = 4;
		memcpy(fds, CMSG_DATA(h), (size_t)nfd * sizeof(int));
		for (int i = 0; i < nfd; i++) {
			if (t->npassed < 2)
				t->passed[t->npassed++] = fds[i];
			else
				close(fds[i]);
		}
	}
	return r;
}

static ssize_t sock_writev(struct rp_transport *t, const struct iovec *iov, int n)
{
	struct msghdr m = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};

	/* A peer gone mid-write is an error to handle, not SIGPIPE. */
	return sendmsg(t->wfd, &m, MSG_NOSIGNAL);
}

static void sock_destroy(struct rp_transport *t)
{
	close(t->rfd);
	close_passed(t);
	free(t);
}

static const struct rp_transport_impl sock_impl = {
	.name = "socket", .read = sock_read, .writev = sock_writev, .destroy = sock_destroy,
};

/* A pipe's read takes all it has up to n: less than n, and it was empty
 * (drained: the daemon's loop does not read again to find nothing, one
 * call less for each key over ssh, whose pipes `serve --stdio` handed
 * over). */
static ssize_t pipe_read(struct rp_transport *t, void *buf, size_t n)
{
	ssize_t r = read(t->rfd, buf, n);

	if (r >= 0)
		t->drained = (size_t)r < n;
	return r;
}

static ssize_t pipe_writev(struct rp_transport *t, const struct iovec *iov, int n)
{
	return writev(t->wfd, iov, n);
}

static void stdio_destroy(struct rp_transport *t)
{
	/* stdin and stdout stay open: they are the process's, not ours. */
	free(t);
}

static const struct rp_transport_impl stdio_impl = {
	.name = "stdio", .read = pipe_read, .writev = pipe_writev, .destroy = stdio_destroy,
};

static void fds_destroy(struct rp_transport *t)
{
	close(t->rfd);
	close(t->wfd);
	free(t);
}

static const struct rp_transport_impl fds_impl = {
	.name = "handed-over pipes", .read = pipe_read, .writev = pipe_writev,
	.destroy = fds_destroy,
};

static void spawn_destroy(struct rp_transport *t)
{
	int status;

	int pfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	struct pollfd p = {.fd = pfd, .events = POLLIN};

	close(t->rfd);
	/* Closing the socket ends ssh; a child that lingers past the grace
	 * period is told to go. */
	if (pfd < 0 || poll(&p, 1, SPAWN_EXIT_GRACE_MS) <= 0)
		kill(t->pid, SIGTERM);
	if (pfd >= 0)
		close(pfd);
	waitpid(t->pid, &status, 0);
	free(t);
}

static const struct rp_transport_impl spawn_impl = {
	.name = "subprocess", .read = sock_read, .writev = sock_writev, .destroy = spawn_destroy,
};

static struct rp_transport *transport_new(const struct rp_transport_impl *impl, int rfd, int wfd)
{
	struct rp_transport *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	t->impl = impl;
	t->rfd = rfd;
	t->wfd = wfd;
	return t;
}

struct rp_transport *rp_transport_socket(int fd)
{
	struct rp_transport *t;

	if (set_nonblock(fd) < 0 || !(t = transport_new(&sock_impl, fd, fd))) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	return t;
}

struct rp_transport *rp_transport_unix_connect(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof a.sun_path) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	return rp_transport_socket(fd);
}

/* connect(2) on fd within timeout_ms (<0: the kernel's own bound, minutes
 * for a port that drops SYNs). 0, or -1 with errno (ETIMEDOUT). */
static int connect_within(int fd, const struct sockaddr *a, socklen_t al, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	int e = 0, r;
	socklen_t el = sizeof e;

	if (timeout_ms < 0)
		return connect(fd, a, al);
	if (set_nonblock(fd) < 0)
		return -1;
	if (connect(fd, a, al) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r == 0)
		errno = ETIMEDOUT;
	if (r <= 0)
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) < 0)
		return -1;
	errno = e;
	return e ? -1 : 0;
}

struct rp_transport *rp_transport_tcp_connect_within(const char *host, const char *port,
						     int timeout_ms)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int fd = -1, one = 1, e = ECONNREFUSED;

	if (getaddrinfo(host, port, &hints, &res) != 0) {
		errno = EHOSTUNREACH;
		return NULL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect_within(fd, ai->ai_addr, ai->ai_addrlen, timeout_ms) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = e;
		return NULL;
	}
	/* Keystrokes are small frames: send each at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return rp_transport_socket(fd);
}

struct rp_transport *rp_transport_tcp_connect(const char *host, const char *port)
{
	return rp_transport_tcp_connect_within(host, port, -1);
}

static bool loopback(const struct sockaddr *a)
{
	if (a->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->sa_family == AF_INET6) {
		static const struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &lo, sizeof lo);
	}
	return false;
}

int rp_tcp_listen(const char *host_port, bool loopback_only, char *err, size_t errn)
{
	char host[256];
	const char *port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
	int fd, one = 1, e;

	if (rp_host_port(host_port, host, sizeof host, &port) < 0) {
		snprintf(err, errn, "wants HOST:PORT, got '%s'", host_port);
		return -EINVAL;
	}
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		snprintf(err, errn, "%s: cannot resolve", host_port);
		return -EHOSTUNREACH;
	}
	if (loopback_only && !loopback(res->ai_addr)) {
		snprintf(err, errn, "%s is not a loopback address", host_port);
		freeaddrinfo(res);
		return -EADDRNOTAVAIL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0) {
		e = errno;
		snprintf(err, errn, "%s: %s", host_port, strerror(e));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(res);
		return -e;
	}
	freeaddrinfo(res);
	return fd;
}

struct rp_transport *rp_transport_stdio(void)
{
	if (set_nonblock(0) < 0 || set_nonblock(1) < 0)
		return NULL;
	return transport_new(&stdio_impl, 0, 1);
}

struct rp_transport *rp_transport_fds(int rfd, int wfd)
{
	if (set_nonblock(rfd) < 0 || set_nonblock(wfd) < 0)
		return NULL;
	/* Close-on-exec already: sock_read takes them with MSG_CMSG_CLOEXEC. */
	return transport_new(&fds_impl, rfd, wfd);
}

int rp_transport_take_fds(struct rp_transport *t, int fds[2])
{
	int n = t->npassed;

	for (int i = 0; i < n; i++)
		fds[i] = t->passed[i];
	t->npassed = 0;
	return n;
}

int rp_transport_send_fds(struct rp_transport *t, const void *buf, size_t n, const int *fds,
			  int nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(2 * sizeof(int))];
	} ctl;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = n};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			   .msg_control = &ctl, .msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int))};
	struct cmsghdr *h;
	struct pollfd p = {.fd = t->wfd, .events = POLLOUT};

	if (nfds < 1 || nfds > 2)
		return -EINVAL;
	memset(&ctl, 0, sizeof ctl);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_RIGHTS;
	h->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
	memcpy(CMSG_DATA(h), fds, (size_t)nfds * sizeof(int));
	for (;;) {
		ssize_t w = sendmsg(t->wfd, &m, MSG_NOSIGNAL);
		if (w == (ssize_t)n)
			return 0;
		if (w >= 0)
			return -EIO; /* a fresh socket takes a few bytes whole */
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
	}
}

struct rp_transport *rp_transport_spawn(const char *cmd)
{
	return rp_transport_spawn_err(cmd, -1);
}

struct rp_transport *rp_transport_spawn_err(const char *cmd, int errfd)
{
	int sv[2];
	pid_t pid;
	struct rp_transport *t;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return NULL;
	pid = base_fork_held();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		errno = e;
		return NULL;
	}
	if (pid == 0) {
		/* Not the caller's mask: ssh keeps the one it is given, and with
		 * the SIGTERM of a desk's signalfd (or its redial thread's)
		 * blocked, the SIGTERM that ends it past its grace was held
		 * while it went on connecting (spawn_destroy waited for it). */
		base_child_signals();
		dup2(sv[1], 0);
		dup2(sv[1], 1);
		if (errfd >= 0)
			dup2(errfd, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(sv[1]);
	t = transport_new(&spawn_impl, sv[0], sv[0]);
	if (!t || set_nonblock(sv[0]) < 0) {
		close(sv[0]);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		free(t);
		return NULL;
	}
	t->pid = pid;
	return t;
}

void rp_transport_destroy(struct rp_transport *t)
{
	if (t)
		t->impl->destroy(t);
}
