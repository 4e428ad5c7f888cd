/* kpty_os_pump on real Linux ptys: every byte the program printed comes
 * out once and in order however slowly the owner reads and however small
 * the ring; the owner's descriptor is readable exactly while there is
 * something to read; termios reports get through; the thread stops when
 * told, whether it is waiting for the program or for room. Also built
 * with ThreadSanitizer. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "kpty_os.h"
#include "unit.h"

#define WAIT_MS 10000

static int spawn(struct kpty_os_child *c, const char *script)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};

	return kpty_os_spawn(c, argv, &ws, KPTY_OS_EXTPROC);
}

static bool readable(int fd, int ms)
{
	struct pollfd pf = {.fd = fd, .events = POLLIN};

	return poll(&pf, 1, ms) == 1;
}

/* What `seq 1 N` prints through a pty (ONLCR). */
static char *seq_text(int n, size_t *len)
{
	char *t = malloc((size_t)n * 9 + 1);
	size_t o = 0;

	for (int i = 1; t && i <= n; i++)
		o += (size_t)sprintf(t + o, "%d\r\n", i);
	*len = o;
	return t;
}

struct got {
	char *p;
	size_t len, cap;
	int ioctls; /* termios reports */
};

/* One read of the pump into g: what kpty_os_pump_read said. */
static long take(struct kpty_os_pump *p, struct got *g, size_t most)
{
	uint8_t status = 0;
	if (g->cap - g->len < most) {
		g->cap = (g->cap + most) * 2;
		g->p = realloc(g->p, g->cap);
	}
	long n = kpty_os_pump_read(p, g->p + g->len, most, &status);
	if (n > 0)
		g->len += (size_t)n;
	else if (n == 0 && (status & KPTY_PKT_IOCTL))
		g->ioctls++;
	return n;
}

static void reap(struct kpty_os_child *c)
{
	int status = 0;
	struct timespec t = {0, 1000000};

	for (int i = 0; i < WAIT_MS && !kpty_os_reap(c, &status); i++)
		nanosleep(&t, NULL);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A ring of two reads, an owner that takes odd amounts and dawdles: the
 * program is held back, nothing is lost or doubled. */
static void pump_keeps_every_byte(void)
{
	struct kpty_os_child c;
	struct got g = {0};
	size_t want_len;
	char *want = seq_text(60000, &want_len);

	CHECK_EQ(spawn(&c, "seq 1 30000; stty -echo; seq 30001 60000"), 0);
	struct kpty_os_pump *p = kpty_os_pump_create(c.master, 1);
	CHECK(p != NULL);
	if (!p)
		return;
	unsigned seed = 7;
	while (g.len < want_len) {
		if (!readable(kpty_os_pump_fd(p), WAIT_MS))
			break;
		seed = seed * 1103515245 + 12345;
		long n;
		while ((n = take(p, &g, 1 + (seed >> 8) % 5000)) >= 0)
			;
		CHECK_EQ(n, -EAGAIN);
		if (seed & 0x10000) {
			struct timespec t = {0, 200000};
			nanosleep(&t, NULL);
		}
	}
	reap(&c);
	kpty_os_pump_stop(p);
	while (take(p, &g, 4096) >= 0)
		;
	CHECK_EQ(g.len, want_len);
	CHECK(g.len == want_len && !memcmp(g.p, want, want_len));
	CHECK(g.ioctls >= 1); /* stty -echo */
	kpty_os_pump_destroy(p);
	kpty_os_close(&c);
	free(want);
	free(g.p);
}

/* Reads what the pump has each time its descriptor says so, until text
 * shows up after `from`. */
static bool read_until(struct kpty_os_pump *p, struct got *g, size_t from, const char *text)
{
	while (!g->p || !memmem(g->p + from, g->len - from, text, strlen(text))) {
		if (!readable(kpty_os_pump_fd(p), WAIT_MS))
			return false;
		while (take(p, g, 4096) >= 0)
			;
	}
	return true;
}

/* Readable while something is unread, and only then; what the program
 * prints after the owner found the ring empty wakes it. */
static void pump_fd_says_when(void)
{
	struct kpty_os_child c;
	struct got g = {0};

	CHECK_EQ(spawn(&c, "stty -echo; echo ready; read x; echo \"got $x\"; read y"), 0);
	struct kpty_os_pump *p = kpty_os_pump_create(c.master, 65536);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(read_until(p, &g, 0, "ready\r\n"));
	CHECK(!readable(kpty_os_pump_fd(p), 0));
	CHECK_EQ(take(p, &g, 4096), -EAGAIN);
	CHECK(write(c.master, "hi\n", 3) == 3);
	CHECK(read_until(p, &g, g.len, "got hi\r\n"));
	CHECK(!readable(kpty_os_pump_fd(p), 0));
	CHECK(write(c.master, "bye\n", 4) == 4);
	reap(&c);
	kpty_os_pump_destroy(p);
	kpty_os_close(&c);
	free(g.p);
}

/* Waits until pid sleeps (for `yes`: only in a write to a full pty). */
static bool sleeping(pid_t pid)
{
	char path[64], st[256];
	struct timespec t = {0, 1000000};

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	for (int i = 0; i < WAIT_MS; i++, nanosleep(&t, NULL)) {
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(st, 1, sizeof st - 1, f) : 0;
		if (f)
			fclose(f);
		st[n] = 0;
		const char *end = strrchr(st, ')'); /* after the command's name */
		if (end && end[1] == ' ' && end[2] == 'S')
			return true;
	}
	return false;
}

/* Destroy returns whether the thread waits for output (a silent program)
 * or for room (a full ring nobody reads), and a stopped pump reads the
 * pty itself. */
static void pump_stops_when_told(void)
{
	struct kpty_os_child c;
	struct got g = {0};

	CHECK_EQ(spawn(&c, "exec sleep 100"), 0);
	struct kpty_os_pump *p = kpty_os_pump_create(c.master, 65536);
	CHECK(p != NULL);
	kpty_os_pump_destroy(p);
	kill(c.pid, SIGKILL);
	kpty_os_close(&c);

	CHECK_EQ(spawn(&c, "exec yes telly"), 0);
	p = kpty_os_pump_create(c.master, 1);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(readable(kpty_os_pump_fd(p), WAIT_MS));
	/* The ring fills (two reads' worth), the pty behind it too, and
	 * `yes` sleeps in its write. */
	CHECK(sleeping(c.pid));
	kpty_os_pump_stop(p);
	kpty_os_pump_stop(p); /* twice is once */
	/* The ring's two reads, then the pty itself (the program runs on),
	 * which the owner now waits on. */
	while (g.len < 200000) {
		long r = take(p, &g, 4096);
		if (r == -EAGAIN && !readable(c.master, WAIT_MS))
			break;
		if (r < 0 && r != -EAGAIN)
			break;
	}
	CHECK(g.len >= 200000);
	for (size_t i = 0; i + 7 <= g.len; i += 7)
		if (memcmp(g.p + i, "telly\r\n", 7)) {
			CHECK(!"the stream of lines is whole");
			break;
		}
	kpty_os_pump_destroy(p);
	kpty_os_pump_destroy(NULL);
	kill(c.pid, SIGKILL);
	kpty_os_close(&c);
	free(g.p);
}

/* What a tee was given (on the pump's thread, then on the owner's). */
static void tee_into(void *ctx, const void *buf, size_t n)
{
	struct got *t = ctx;

	if (t->cap - t->len < n) {
		t->cap = (t->cap + n) * 2;
		t->p = realloc(t->p, t->cap);
	}
	memcpy(t->p + t->len, buf, n);
	t->len += n;
}

/* The tee gets every byte the owner does, once and in order, and gets it
 * whether or not the owner ever takes it from the ring: here the owner
 * stops the pump before taking anything and reads it all afterwards, the
 * ring's and then the pty's. */
static void pump_tees_every_byte(void)
{
	struct kpty_os_child c;
	struct got g = {0}, t = {0};
	size_t want_len;
	char *want = seq_text(40000, &want_len);

	CHECK_EQ(spawn(&c, "seq 1 20000; stty -echo; seq 20001 40000"), 0);
	struct kpty_os_pump *p = kpty_os_pump_create_tee(c.master, 1, tee_into, &t);
	CHECK(p != NULL);
	if (!p)
		return;
	/* The ring holds what the thread read; the owner has taken none of
	 * it. Stopping joins the thread, so t is still afterwards. */
	CHECK(readable(kpty_os_pump_fd(p), WAIT_MS));
	kpty_os_pump_stop(p);
	/* Teed as the thread read it, not as the owner takes it (a daemon
	 * killed then would lose it): the tee already has more than the
	 * owner got. */
	CHECK_EQ(g.len, 0);
	CHECK(t.len > g.len);
	while (g.len < want_len) {
		long r = take(p, &g, 4096);
		if (r == -EAGAIN && !readable(c.master, WAIT_MS))
			break;
		if (r < 0 && r != -EAGAIN)
			break;
	}
	reap(&c);
	CHECK_EQ(g.len, want_len);
	CHECK_EQ(t.len, want_len);
	CHECK(g.len == want_len && !memcmp(g.p, want, want_len));
	CHECK(t.len == want_len && !memcmp(t.p, want, want_len));
	kpty_os_pump_destroy(p);
	kpty_os_close(&c);
	free(want);
	free(g.p);
	free(t.p);
}

/* A tee the test reads while the pump's thread writes it. */
struct locked_got {
	pthread_mutex_t mu;
	struct got g;
};

static void tee_locked(void *ctx, const void *buf, size_t n)
{
	struct locked_got *t = ctx;

	pthread_mutex_lock(&t->mu);
	tee_into(&t->g, buf, n);
	pthread_mutex_unlock(&t->mu);
}

static size_t teed(struct locked_got *t)
{
	pthread_mutex_lock(&t->mu);
	size_t n = t->g.len;
	pthread_mutex_unlock(&t->mu);
	return n;
}

/* Once the program is quiet, its echo reaches the owner without the
 * thread: the owner reads the pty itself, and is handed more than the tee
 * has until its round is over (kpty_os_pump_tee_due), when the thread tees
 * it. The tee still gets every byte once and in order, and so does the
 * owner, when a flood then hands the pty back to the thread. */
static void pump_owner_reads_echoes(void)
{
	struct kpty_os_child c;
	struct got g = {0};
	struct locked_got t = {.mu = PTHREAD_MUTEX_INITIALIZER};
	bool direct = false;

	CHECK_EQ(spawn(&c, "stty -echo; echo ready; while read x; do echo \"got $x\"; "
			   "[ $x = flood ] && seq 1 20000; done"),
		 0);
	struct kpty_os_pump *p = kpty_os_pump_create_tee(c.master, 65536, tee_locked, &t);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(read_until(p, &g, 0, "ready\r\n"));
	/* Keys, a quiet spell apart, until one's echo came past the thread. */
	for (int i = 0; i < 100 && !direct; i++) {
		size_t from = g.len;
		CHECK(!readable(kpty_os_pump_fd(p), 20)); /* quiet */
		CHECK(write(c.master, "k\n", 2) == 2);
		CHECK(read_until(p, &g, from, "got k\r\n"));
		direct = teed(&t) < g.len;
		kpty_os_pump_tee_due(p);
	}
	CHECK(direct);
	for (int i = 0; i < WAIT_MS / 10 && teed(&t) < g.len; i++)
		readable(-1, 10);
	CHECK_EQ(teed(&t), g.len);
	/* A flood: the thread reads it (and tees it as it reads). */
	size_t from = g.len;
	CHECK(write(c.master, "flood\n", 6) == 6);
	CHECK(read_until(p, &g, from, "\r\n20000\r\n"));
	kpty_os_pump_stop(p); /* the rest of what the owner read is teed */
	CHECK_EQ(t.g.len, g.len);
	CHECK(t.g.len == g.len && !memcmp(t.g.p, g.p, g.len));
	size_t want_len;
	char *want = seq_text(20000, &want_len);
	CHECK(g.len >= want_len && !memcmp(g.p + g.len - want_len, want, want_len));
	free(want);
	kpty_os_pump_destroy(p);
	kill(c.pid, SIGKILL);
	kpty_os_close(&c);
	free(g.p);
	free(t.g.p);
}

static bool tee_now_locked(void *ctx, const void *buf, size_t n)
{
	tee_locked(ctx, buf, n);
	return true;
}

/* With a tee_now, an echo the owner reads itself is teed before the read
 * returns it, before the owner could send it on: the tee has every byte the
 * owner has, without waiting for its round to end; and still every byte
 * once and in order when a flood goes through the thread after it. */
static void pump_tees_echoes_first(void)
{
	struct kpty_os_child c;
	struct got g = {0};
	struct locked_got t = {.mu = PTHREAD_MUTEX_INITIALIZER};

	CHECK_EQ(spawn(&c, "stty -echo; echo ready; while read x; do echo \"got $x\"; "
			   "[ $x = flood ] && seq 1 20000; done"),
		 0);
	struct kpty_os_pump *p = kpty_os_pump_create_tee(c.master, 65536, tee_locked, &t);
	CHECK(p != NULL);
	if (!p)
		return;
	kpty_os_pump_set_tee_now(p, tee_now_locked);
	CHECK(read_until(p, &g, 0, "ready\r\n"));
	/* Every echo: the tee has it as soon as the owner does, whoever
	 * read it (the thread tees before it puts a read in the ring). */
	for (int i = 0; i < 20; i++) {
		size_t from = g.len;
		CHECK(!readable(kpty_os_pump_fd(p), 20)); /* quiet */
		CHECK(write(c.master, "k\n", 2) == 2);
		CHECK(read_until(p, &g, from, "got k\r\n"));
		CHECK_EQ(teed(&t), g.len);
	}
	size_t from = g.len;
	CHECK(write(c.master, "flood\n", 6) == 6);
	CHECK(read_until(p, &g, from, "\r\n20000\r\n"));
	kpty_os_pump_stop(p);
	CHECK(t.g.len == g.len && !memcmp(t.g.p, g.p, g.len));
	kpty_os_pump_destroy(p);
	kill(c.pid, SIGKILL);
	kpty_os_close(&c);
	free(g.p);
	free(t.g.p);
}

/* A program started by a parent that ignores SIGINT and SIGQUIT (a
 * daemon started with `&` from a script) and blocks SIGTERM has every
 * signal at its default and none blocked: ^C stops it. */
static void spawn_signals_default(void)
{
	struct kpty_os_child c;
	sigset_t term, old;
	struct sigaction ign = {.sa_handler = SIG_IGN}, oi, oq;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &oi);
	sigaction(SIGQUIT, &ign, &oq);
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	int r = spawn(&c, "stty -echo; grep -E '^Sig(Ign|Blk)' /proc/self/status");
	sigaction(SIGINT, &oi, NULL);
	sigaction(SIGQUIT, &oq, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	CHECK_EQ(r, 0);
	if (r)
		return;
	char out[4096];
	size_t len = 0;
	out[0] = 0;
	/* SigIgn comes after SigBlk: read until its line is whole. */
	while (len < sizeof out - 1 && !(strstr(out, "SigIgn:") && strchr(strstr(out, "SigIgn:"), '\n')) &&
	       readable(c.master, WAIT_MS)) {
		uint8_t st;
		long n = kpty_os_read(c.master, out + len, sizeof out - 1 - len, &st);
		if (n < 0)
			break;
		len += (size_t)n;
		out[len] = 0;
	}
	/* Signals 1 to 31 (bits 0 to 30): glibc keeps 32 and 33 for itself
	 * and refuses to change them, and a test runner may start us with
	 * them ignored. */
	const char *ig = strstr(out, "SigIgn:"), *bl = strstr(out, "SigBlk:");
	unsigned long long ign_v = ig ? strtoull(ig + 7, NULL, 16) : ~0ull;
	unsigned long long blk_v = bl ? strtoull(bl + 7, NULL, 16) : ~0ull;
	if ((ign_v & 0x7fffffffull) || (blk_v & 0x7fffffffull)) {
		fprintf(stderr, "the program's signals: %s\n", out);
		failures++;
	}
	reap(&c);
	kpty_os_close(&c);
}

/* KPTY_OS_RAW: the pty is raw when the program starts (not made raw
 * after, which undid the modes a quick program set itself: a console
 * command's stty icrnl, its read of a line never ended), and what it
 * sets then stays. */
static void spawn_raw_first(void)
{
	char *argv[] = {"sh", "-c", "stty -g; stty icrnl; echo done", NULL};
	struct kpty_os_child c;
	struct termios t;
	char out[512];
	size_t len = 0;
	unsigned iflag = 0, oflag, cflag, lflag = 0;

	CHECK_EQ(kpty_os_spawn(&c, argv, NULL, KPTY_OS_RAW), 0);
	out[0] = 0;
	while (len < sizeof out - 1 && !strstr(out, "done") && readable(c.master, WAIT_MS)) {
		ssize_t n = read(c.master, out + len, sizeof out - 1 - len); /* not packet mode */
		if (n <= 0)
			break;
		len += (size_t)n;
		out[len] = 0;
	}
	CHECK_EQ(sscanf(out, "%x:%x:%x:%x", &iflag, &oflag, &cflag, &lflag), 4);
	CHECK_EQ(lflag & (ICANON | ECHO | ISIG), 0u);
	CHECK_EQ(iflag & ICRNL, 0u);
	CHECK(iflag & IUTF8);
	reap(&c);
	CHECK_EQ(tcgetattr(c.slave, &t), 0);
	CHECK(t.c_iflag & ICRNL);
	CHECK_EQ(t.c_lflag & (ICANON | ECHO), 0u);
	kpty_os_close(&c);
}

/* The exec pipe of kpty_os_spawn_prog, read to its end: what it held
 * parsed. Its end comes at the exec, or at the child's exit. */
static void said_of(int fd, int *dir, int *exec_err)
{
	char buf[256];
	size_t n = 0;

	for (;;) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		CHECK(poll(&pf, 1, WAIT_MS) == 1);
		ssize_t r = read(fd, buf + n, sizeof buf - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	kpty_os_said_parse(buf, n, dir, exec_err);
}

/* kpty_os_spawn_prog returns once the child is forked (before, it waited up to
 * 2 s for the exec); the child says on its exec pipe the folder it could
 * enter and why its exec failed, looking the program up in the PATH of
 * the environment it was given; one that runs says nothing. */
static void spawn_says_exec(void)
{
	char *env[] = {"PATH=/telly-test-no-such-dir", NULL};
	char *sh[] = {"sh", "-c", "exit 0", NULL};
	const char *dirs[] = {"/telly-test-no-such-dir", "/", NULL};
	struct kpty_os_prog p = {.argv = sh, .envp = env, .dirs = dirs};
	struct kpty_os_child c;
	int fd, dir, err, status;

	CHECK_EQ(kpty_os_spawn_prog(&c, &p, NULL, 0, &fd), 0);
	CHECK(fd >= 0);
	said_of(fd, &dir, &err);
	CHECK_EQ(dir, 1);
	CHECK_EQ(err, ENOENT);
	CHECK_EQ(waitpid(c.pid, &status, 0), c.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127);
	kpty_os_close(&c);

	char *path[] = {"PATH=/bin:/usr/bin", NULL};
	p.envp = path;
	dirs[0] = "/";
	CHECK_EQ(kpty_os_spawn_prog(&c, &p, NULL, 0, &fd), 0);
	said_of(fd, &dir, &err);
	CHECK_EQ(dir, 0);
	CHECK_EQ(err, 0);
	CHECK_EQ(waitpid(c.pid, &status, 0), c.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kpty_os_close(&c);
}

/* A child whose exec failed after the parent closed its exec pipe (past
 * the daemon's bound) exits 127, the words on its terminal; it died of
 * SIGPIPE (status 13) before. Its PATH of many folders makes the exec's
 * search outlast the parent's close. */
static void spawn_pipe_closed(void)
{
	enum { DIRS = 3000 };
	size_t room = 16 + DIRS * 24;
	char *path = malloc(room), *env[] = {path, NULL};
	char *prog[] = {"telly-test-no-such-program", NULL};
	struct kpty_os_prog p = {.argv = prog, .envp = env};
	struct kpty_os_child c;
	int fd, status;
	size_t o;

	CHECK(path != NULL);
	o = (size_t)snprintf(path, room, "PATH=");
	for (int i = 0; i < DIRS; i++)
		o += (size_t)snprintf(path + o, room - o, "%s/telly-no-dir-%d", i ? ":" : "", i);
	CHECK_EQ(kpty_os_spawn_prog(&c, &p, NULL, 0, &fd), 0);
	close(fd);
	CHECK_EQ(waitpid(c.pid, &status, 0), c.pid);
	CHECK(!WIFSIGNALED(status));
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 127);
	kpty_os_close(&c);
	free(path);
}

/* A descriptor the spawner holds open across exec (a daemon started in
 * the foreground with one it never made) is not the program's. */
static void spawn_closes_fds(void)
{
	char *sh[] = {"sh", "-c", "[ -e /proc/$$/fd/9 ] && exit 1; exit 0", NULL};
	struct kpty_os_prog p = {.argv = sh};
	struct kpty_os_child c;
	int fd, status, dir, err, nul = open("/dev/null", O_RDONLY);

	CHECK(nul >= 0);
	CHECK_EQ(dup2(nul, 9), 9); /* not close-on-exec */
	CHECK_EQ(kpty_os_spawn_prog(&c, &p, NULL, 0, &fd), 0);
	said_of(fd, &dir, &err);
	CHECK_EQ(err, 0);
	CHECK_EQ(waitpid(c.pid, &status, 0), c.pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	kpty_os_close(&c);
	close(9);
	close(nul);
}

/* A hangup sent the moment the child is forked, by a caller that ignores
 * it itself: the program it will run dies of it all the same. The child
 * has neither its own group (setsid) nor its own dispositions yet: the
 * hangup goes to it as well as to its group, and waits, blocked, until
 * its dispositions are reset. Before, a hangup to the group alone was
 * lost (ESRCH), and one that came before the reset was dropped (ignored,
 * as in the caller): the program ran its 10 s. */
static void spawn_hangup_at_once(void)
{
	char *sh[] = {"sleep", "10", NULL};
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;

	sigemptyset(&ign.sa_mask);
	sigaction(SIGHUP, &ign, &old);
	for (int i = 0; i < 20; i++) {
		struct kpty_os_child c;
		int status;

		if (kpty_os_spawn(&c, sh, NULL, 0) < 0) {
			CHECK(!"spawn");
			break;
		}
		kpty_os_signal_session(c.pid, SIGHUP);
		CHECK_EQ(waitpid(c.pid, &status, 0), c.pid);
		kpty_os_close(&c);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGHUP) {
			fprintf(stderr, "round %d: status %#x, not a death by SIGHUP\n", i, status);
			failures++;
			break;
		}
	}
	sigaction(SIGHUP, &old, NULL);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"pump-keeps-every-byte", pump_keeps_every_byte},
		{"spawn-signals-default", spawn_signals_default},
		{"spawn-hangup-at-once", spawn_hangup_at_once},
		{"spawn-raw-first", spawn_raw_first},
		{"spawn-says-exec", spawn_says_exec},
		{"spawn-pipe-closed", spawn_pipe_closed},
		{"spawn-closes-fds", spawn_closes_fds},
		{"pump-fd-says-when", pump_fd_says_when},
		{"pump-stops-when-told", pump_stops_when_told},
		{"pump-tees-every-byte", pump_tees_every_byte},
		{"pump-owner-reads-echoes", pump_owner_reads_echoes},
		{"pump-tees-echoes-first", pump_tees_echoes_first},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
