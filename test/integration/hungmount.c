/* A folder on a mount whose server hung, as a network file system's
 * can: `hungmount DIR` mounts a FUSE file system on DIR that answers the
 * kernel's INIT and nothing after it, so that any look inside DIR (stat,
 * access, exec) waits. Prints "mounted" once it is; on SIGTERM it
 * unmounts DIR lazily and exits, and what waited gets ENOTCONN. Mounting needs root (CAP_SYS_ADMIN): without it, says why
 * and exits 77, the test runner's "skipped". (program-cannot-run.sh) */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static const char *dir;

static void stop(int sig)
{
	(void)sig;
	umount2(dir, MNT_DETACH);
	_exit(0);
}

int main(int argc, char **argv)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];
	char opts[128];
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: hungmount DIR\n");
		return 2;
	}
	dir = argv[1];
	if ((fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		printf("cannot open /dev/fuse: %s\n", strerror(errno));
		return 77;
	}
	snprintf(opts, sizeof opts, "fd=%d,rootmode=40000,user_id=%d,group_id=%d", fd,
		 (int)getuid(), (int)getgid());
	if (mount("telly-hung", dir, "fuse.telly-hung", MS_NOSUID | MS_NODEV, opts) < 0) {
		printf("cannot mount a FUSE file system on %s: %s\n", dir, strerror(errno));
		return 77;
	}
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	printf("mounted\n");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != ENOENT) /* ENOENT: a request taken back */
			break;
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			continue;
		struct fuse_in_header in;
		memcpy(&in, buf, sizeof in);
		if (in.opcode != FUSE_INIT)
			continue; /* never answered: whoever asked waits */
		struct fuse_init_in init;
		memcpy(&init, buf + sizeof in, sizeof init);
		struct {
			struct fuse_out_header h;
			struct fuse_init_out o;
		} out = {.h = {.len = sizeof out, .unique = in.unique},
			 .o = {.major = FUSE_KERNEL_VERSION,
			       .minor = init.minor < FUSE_KERNEL_MINOR_VERSION ? init.minor
									: FUSE_KERNEL_MINOR_VERSION,
			       .max_readahead = init.max_readahead,
			       .max_write = 4096}};
		if (write(fd, &out, sizeof out) < 0)
			break;
	}
	stop(0);
	return 0;
}
