/* The SSH front door's processes as a test drives them without a client:
 *
 * - door-open-once: the real listener and monitor (vmc_sshd_run), a fake
 *   daemon on a unix socket that refuses every OPEN, and in place of the
 *   session process this program itself (the monitor runs /proc/self/exe
 *   as `telly sshd-session`): a session gone bad that logs in and asks
 *   for its console again and again. The daemon must not be left holding
 *   a connection for each refusal.
 * - sandbox-stat: a child under the session's seccomp filter: stat of a
 *   path fails with EACCES, fstat of a descriptor works.
 */
#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "door.h"
#include "rp_io.h"
#include "unit.h"
#include "vmc.h"

#define OPENS_ASKED 20
#define WAIT_MS 20000
#define ENV_KEY "DOOR_TEST_KEY"
#define ENV_DONE "DOOR_TEST_DONE"

/* ---- the session gone bad (exec'd by the monitor) ---- */

static int rogue_session(void)
{
	const char *b64 = getenv(ENV_KEY), *done = getenv(ENV_DONE);
	struct rp_transport *t = rp_transport_socket(DOOR_MON_FD);
	struct rp_conn *c = t ? rp_conn_create(t, 64, 1u << 20) : NULL;
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	static uint8_t buf[RP_MAX_FRAME];
	struct rp_enc e;
	struct rp_hdr h;
	const uint8_t *p;
	int answers = 0, fd;
	long n;

	if (!c || !b64 || !done)
		return 3;
	rp_enc_begin(&e, buf, sizeof buf, DOOR_KEY, 0, 0);
	rp_put_u8(&e, 1);
	rp_put_bytes(&e, "vm1", 4);
	rp_put_bytes(&e, "ssh-ed25519", 12);
	rp_put_bytes(&e, b64, strlen(b64) + 1);
	n = rp_enc_end(&e);
	if (n < 0 || rp_conn_send(c, buf, (size_t)n) < 0 || rp_conn_flush_wait(c, 5000) < 0 ||
	    rp_conn_next_frame(c, &h, &p, 5000) != 1 || h.type != DOOR_KEY_OK || !(h.flags & 1))
		return 4;
	for (int i = 0; i < OPENS_ASKED; i++) {
		n = rp_open_frame(buf, sizeof buf, (uint32_t)i + 1, RP_OPEN_ATTACH, "", "xterm", "", &ws,
				  NULL, 0);
		if (n < 0 || rp_conn_send(c, buf, (size_t)n) < 0 || rp_conn_flush_wait(c, 5000) < 0 ||
		    rp_conn_next_frame(c, &h, &p, 5000) != 1)
			break;
		answers++;
	}
	/* Written whole, then renamed: the test's side reads it as soon as
	 * it exists (a clean-clone run read it between the open and the
	 * write, and found no number). */
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.part", done);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "%d\n", answers);
		close(fd);
		rename(tmp, done);
	}
	/* Stays connected, as a session would, until the monitor goes. */
	for (;;) {
		struct pollfd pf = {.fd = DOOR_MON_FD, .events = POLLIN};
		ssize_t r;
		if (poll(&pf, 1, -1) < 0 && errno != EINTR)
			break;
		r = rp_conn_read(c);
		if (r == 0 || (r < 0 && r != -EAGAIN))
			break;
		while (rp_conn_frame(c, &h, &p) == 1)
			;
	}
	return 0;
}

/* ---- the fake daemon ---- */

struct fake_conn {
	struct rp_conn *c;
	bool open;
};

static void fake_serve(struct fake_conn *f, int *opens)
{
	static uint8_t buf[RP_MAX_FRAME];
	struct rp_hdr h;
	const uint8_t *p;
	struct rp_open req;
	ssize_t r = rp_conn_read(f->c);
	long n;

	if (r == 0 || (r < 0 && r != -EAGAIN)) {
		f->open = false;
		rp_conn_destroy(f->c);
		f->c = NULL;
		return;
	}
	while (rp_conn_frame(f->c, &h, &p) == 1) {
		if (h.type == RP_HELLO) {
			n = rp_hello_frame(buf, sizeof buf, 0, "", "fake");
			if (n > 0)
				rp_conn_send(f->c, buf, (size_t)n);
		} else if (h.type == RP_OPEN && rp_open_decode(p, h.len, &req) == 0) {
			(*opens)++;
			rp_conn_error(f->c, 0, RP_E_NOENT, req.req, false, "no session vm1");
		}
	}
	rp_conn_flush(f->c);
}

static int unix_listen(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0)
		return -1;
	return fd;
}

static int count_open(const struct fake_conn *f, int n)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += f[i].open;
	return k;
}

static void door_open_once(void)
{
	char dir[] = "/tmp/door-test.XXXXXX", keys[300], sock[300], done[300], err[300];
	struct fake_conn conns[OPENS_ASKED + 4] = {{0}};
	struct vmc_config cfg = {0};
	const char *consoles = "[vm1]\nbackend = exec:cat\n";
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	ssh_key key = NULL;
	char *b64 = NULL;
	int nconns = 0, opens = 0, lfd, dfd, parent[2], client, answers = -1, status;
	long until, after_done = 0;
	FILE *f;
	pid_t listener;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(keys, sizeof keys, "%s/keys", dir);
	snprintf(sock, sizeof sock, "%s/serve.sock", dir);
	snprintf(done, sizeof done, "%s/done", dir);
	CHECK_EQ(ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key), SSH_OK);
	CHECK_EQ(ssh_pki_export_pubkey_base64(key, &b64), SSH_OK);
	ssh_key_free(key);
	if (!b64)
		return;
	f = fopen(keys, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	fprintf(f, "consoles=\"vm1:rw\" ssh-ed25519 %s alice\n", b64);
	fclose(f);
	setenv(ENV_KEY, b64, 1);
	setenv(ENV_DONE, done, 1);
	ssh_string_free_char(b64);
	CHECK_EQ(vmc_config_parse(&cfg, consoles, strlen(consoles), "c.conf", err, sizeof err), 0);
	dfd = unix_listen(sock);
	lfd = vmc_sshd_listen("127.0.0.1:0", err, sizeof err);
	CHECK(dfd >= 0);
	CHECK(lfd >= 0);
	CHECK_EQ(pipe2(parent, O_CLOEXEC), 0);
	CHECK_EQ(getsockname(lfd, (struct sockaddr *)&a, &al), 0);
	listener = fork();
	if (listener == 0) {
		struct vmc_sshd_opts o = {.listen = "test", .keys_file = keys, .host_key = "/nonexistent",
					  .daemon_sock = sock, .cfg = &cfg, .parent_fd = parent[0],
					  .listen_fd = lfd};
		close(parent[1]);
		close(dfd);
		_exit(vmc_sshd_run(&o));
	}
	close(parent[0]);
	close(lfd);
	client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_EQ(connect(client, (struct sockaddr *)&a, sizeof a), 0);

	/* The daemon's side until the session has had all its answers, then
	 * until the monitor has let go of what it no longer uses. */
	until = base_now_ms() + WAIT_MS;
	while (base_now_ms() < until) {
		struct pollfd pf[1 + OPENS_ASKED + 4];
		int n = 1;

		if (!after_done && access(done, F_OK) == 0)
			after_done = base_now_ms();
		if (after_done && count_open(conns, nconns) == 0)
			break;
		pf[0] = (struct pollfd){.fd = nconns < OPENS_ASKED + 4 ? dfd : -1, .events = POLLIN};
		for (int i = 0; i < nconns; i++)
			pf[n++] = (struct pollfd){.fd = conns[i].open ? rp_conn_fd(conns[i].c) : -1,
						  .events = POLLIN};
		if (poll(pf, (nfds_t)n, 100) <= 0)
			continue;
		if (pf[0].revents & POLLIN) {
			int cfd = accept4(dfd, NULL, NULL, SOCK_CLOEXEC);
			struct rp_transport *t = cfd >= 0 ? rp_transport_socket(cfd) : NULL;
			if (t) {
				conns[nconns].c = rp_conn_create(t, 64, 1u << 20);
				conns[nconns].open = conns[nconns].c != NULL;
				nconns++;
			}
		}
		for (int i = 1; i < n; i++)
			if (pf[i].revents)
				fake_serve(&conns[i - 1], &opens);
	}
	f = fopen(done, "r");
	if (f) {
		if (fscanf(f, "%d", &answers) != 1)
			answers = -1;
		fclose(f);
	}
	fprintf(stderr, "answers %d, OPENs reached the daemon %d, daemon connections %d, open %d\n",
		answers, opens, nconns, count_open(conns, nconns));
	CHECK_EQ(answers, OPENS_ASKED); /* every OPEN was answered */
	CHECK(opens >= 1);              /* the test is not blind: one reached the daemon */
	CHECK_EQ(count_open(conns, nconns), 0);
	CHECK(nconns <= 1);             /* a refused OPEN is not asked again */

	close(client);
	close(parent[1]); /* the listener ends, and its monitors */
	CHECK_EQ(waitpid(listener, &status, 0), listener);
	for (int i = 0; i < nconns; i++)
		rp_conn_destroy(conns[i].c);
	close(dfd);
	vmc_config_finish(&cfg);
	unlink(keys);
	unlink(sock);
	unlink(done);
	rmdir(dir);
}

/* ---- the filter ---- */

static void sandbox_stat(void)
{
	char err[200];
	int status, fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC);
	pid_t pid;

	CHECK(fd >= 0);
	pid = fork();
	if (pid == 0) {
		struct stat st;
		int bad = 0;
		if (vmc_sandbox_enter(err, sizeof err) < 0)
			_exit(100);
		/* the raw calls: what libc's stat, lstat and fstat make */
		if (syscall(__NR_newfstatat, AT_FDCWD, "/etc/passwd", &st, 0) == 0 || errno != EACCES)
			bad |= 1;
		if (syscall(__NR_newfstatat, AT_FDCWD, "/etc/passwd", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
		    errno != EACCES)
			bad |= 2;
		if (syscall(__NR_newfstatat, fd, "", &st, AT_EMPTY_PATH) != 0 || !S_ISREG(st.st_mode))
			bad |= 4;
		if (stat("/etc/passwd", &st) == 0 || errno != EACCES)
			bad |= 8;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
			bad |= 16;
		syscall(__NR_exit_group, bad);
	}
	CHECK(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	if (WIFSIGNALED(status))
		fprintf(stderr, "killed by signal %d\n", WTERMSIG(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	close(fd);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"door-open-once", door_open_once},
		{"sandbox-stat", sandbox_stat},
	};

	if (argc >= 2 && !strcmp(argv[1], DOOR_SUBCOMMAND))
		_exit(rogue_session());
	return unit_main(cases, sizeof cases / sizeof *cases, argc, argv);
}
