/* The processes and files of a display: the cookie file, the X server
 * (struct xd_server_ops: Xvfb here, X.Org's in xorg.c) started with
 * -displayfd (it says its display number once it takes clients), xkbcomp
 * loading a desk's keymap. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base.h"
#include "xd.h"
#include "xd_int.h"

/* An Xauthority entry that fits any display: family FamilyWild, empty
 * address and number, so one file serves the server (-auth reads every
 * entry's cookie) and its clients (XAUTHORITY). */
static int write_cookie(const char *path, const uint8_t *cookie, char *err, size_t errn)
{
	static const char name[] = "MIT-MAGIC-COOKIE-1";
	uint8_t buf[64];
	size_t n = 0;
	int fd;

	buf[n++] = 0xff; /* FamilyWild */
	buf[n++] = 0xff;
	buf[n++] = 0; /* address: empty */
	buf[n++] = 0;
	buf[n++] = 0; /* number: empty */
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = sizeof name - 1;
	memcpy(buf + n, name, sizeof name - 1);
	n += sizeof name - 1;
	buf[n++] = 0;
	buf[n++] = XD_COOKIE_BYTES;
	memcpy(buf + n, cookie, XD_COOKIE_BYTES);
	n += XD_COOKIE_BYTES;
	/* A stale file of an earlier run goes; the new one is 0600 from its
	 * creation (O_EXCL: nobody slips another in between). */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errn, "cannot create the cookie file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (base_write_all(fd, buf, n, 1000) != n) {
		int e = errno ? errno : EIO;
		snprintf(err, errn, "cannot write the cookie file %s: %s", path, strerror(e));
		close(fd);
		unlink(path);
		return -e;
	}
	close(fd);
	return 0;
}

int xvfb_cookie_again(struct xd_proc *p, char *err, size_t errn)
{
	struct stat st;

	if (!p->auth[0] || lstat(p->auth, &st) == 0)
		return 0;
	if (errno != ENOENT) {
		int e = errno; /* snprintf may change it */
		snprintf(err, errn, "%s: %s", p->auth, strerror(e));
		return -e;
	}
	return write_cookie(p->auth, p->cookie, err, errn);
}

/* In a child forked with base_fork_held: default signals, then nothing
 * blocked (a SIGTERM that came since the fork acts then, even in a daemon
 * that inherited an "ignore" of it: unblocked first, it was dropped, and
 * the server ran until the SIGKILL after the grace), its own session,
 * output to the log. It ends with the daemon (parent), even one killed
 * with SIGKILL: a display nobody can reach is not left running, and its
 * programs lose it. */
static void child_setup(const char *log, pid_t parent)
{
	base_child_signals();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(127);
	setsid();
	base_child_stdio(log);
}

static int spawn(struct xd_proc *p, const struct xd_server_ops *srv, unsigned w, unsigned h,
		 char *err, size_t errn);

int xvfb_start(struct xd_proc *p, const struct xd_server_ops *srv, const char *dir,
	       const char *name, const char *log, unsigned w, unsigned h, char *err, size_t errn)
{
	int r;

	p->server = 0;
	p->server_kill_at = 0;
	p->ndying = 0;
	p->displayfd = -1;
	p->xkbcomp = 0;
	p->xkbcomp_killed = p->xkbcomp_stopped = false;
	p->display = -1;
	p->dlen = 0;
	p->conf_dir[0] = p->conf[0] = 0;
	snprintf(p->log, sizeof p->log, "%s", log ? log : "");
	if ((size_t)snprintf(p->auth, sizeof p->auth, "%s/x11-%s.auth", dir, name) >= sizeof p->auth ||
	    (size_t)snprintf(p->keymap, sizeof p->keymap, "%s/x11-%s.xkb", dir, name) >=
		    sizeof p->keymap ||
	    (size_t)snprintf(p->conf_dir, sizeof p->conf_dir, "%s/x11-%s.xorg", dir, name) >=
		    sizeof p->conf_dir) {
		snprintf(err, errn, "the runtime directory's path is too long");
		p->auth[0] = p->keymap[0] = p->conf_dir[0] = 0;
		return -ENAMETOOLONG;
	}
	if (getrandom(p->cookie, sizeof p->cookie, 0) != (ssize_t)sizeof p->cookie) {
		snprintf(err, errn, "no random bytes for the cookie: %s", strerror(errno));
		return -EIO;
	}
	if ((r = write_cookie(p->auth, p->cookie, err, errn)) < 0)
		return r;
	if ((r = spawn(p, srv, w, h, err, errn)) < 0)
		unlink(p->auth);
	return r;
}

/* The server srv started (what it needs prepared first), its output
 * appended to the log from log_at on. */
static int spawn(struct xd_proc *p, const struct xd_server_ops *srv, unsigned w, unsigned h,
		 char *err, size_t errn)
{
	int pipefd[2], r;
	char screen[64];
	struct stat st;
	pid_t pid;

	/* -displayfd: the server takes the first free display number, and
	 * says two lines of each one in use before it; the log says first
	 * what they are (its last words are from after it). */
	char note[200];
	int nlen = snprintf(note, sizeof note,
			    "telly: %s takes the first free display number; of each one in use it "
			    "says \"...SocketCreateListener() failed\" and \"server already "
			    "running\" (no error)\n",
			    srv->name);
	if (nlen < 0 || (size_t)nlen >= sizeof note)
		nlen = 0;
	p->srv = srv;
	p->log_at = p->log[0] && stat(p->log, &st) == 0 ? st.st_size + nlen : nlen;
	if (srv->prepare && (r = srv->prepare(p, err, errn)) < 0)
		return r;
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		r = -errno;
		snprintf(err, errn, "pipe: %s", strerror(errno));
		goto fail_prepare;
	}
	snprintf(screen, sizeof screen, "%ux%ux24", w, h);
	/* What the child needs, made here: it only makes system calls. */
	char what[64];
	int bound = base_fd_bound();
	snprintf(what, sizeof what, "the X server (%s)", srv->name);
	pid_t self = getpid();
	pid = base_fork_held();
	if (pid < 0) {
		r = -errno;
		snprintf(err, errn, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail_prepare;
	}
	if (pid == 0) {
		child_setup(p->log, self);
		if (nlen && p->log[0] && write(2, note, (size_t)nlen) < 0)
			_exit(127);
		/* The display number is written to descriptor 3 (dup2 drops
		 * close-on-exec); nothing else of the daemon's goes along. */
		if (dup2(pipefd[1], 3) < 0)
			_exit(127);
		base_child_closefrom(4, bound);
		srv->exec(p, screen);
		base_child_say_failed(2, what, errno);
		_exit(127);
	}
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	p->displayfd = pipefd[0];
	p->server = pid;
	return 0;
fail_prepare:
	if (srv->cleanup)
		srv->cleanup(p);
	return r;
}

/* A process the display no longer wants: SIGTERM (SIGCONT after: one
 * someone stopped ends all the same), SIGKILL after XD_STOP_GRACE_MS
 * (xvfb_stop_wait), reaped by xvfb_reap when it ends. Nothing waits for
 * it: a server that ignores SIGTERM, or whose end the kernel holds (in
 * uninterruptible sleep), holds no one else. */
static void put_down(struct xd_proc *p, pid_t pid)
{
	kill(pid, SIGTERM);
	kill(pid, SIGCONT);
	if (p->ndying == XD_DYING_MAX) { /* (a display puts down one, its Xorg) */
		kill(pid, SIGKILL);
		return;
	}
	p->dying[p->ndying].pid = pid;
	p->dying[p->ndying++].kill_at = base_now_ms() + XD_STOP_GRACE_MS;
}

int xvfb_restart(struct xd_proc *p, const struct xd_server_ops *srv, unsigned w, unsigned h,
		 char *err, size_t errn)
{
	/* The new server does not wait for the old one to be gone: it takes
	 * a display number of its own (-displayfd picks a free one), and the
	 * cookie file is the same. */
	if (p->server > 0)
		put_down(p, p->server);
	p->server = 0;
	p->server_kill_at = 0;
	if (p->displayfd >= 0)
		close(p->displayfd);
	p->displayfd = -1;
	p->dlen = 0;
	p->display = -1;
	if (p->srv && p->srv->cleanup)
		p->srv->cleanup(p);
	return spawn(p, srv, w, h, err, errn);
}

/* A line as the log may take it: controls as '?', no trailing blanks. */
static void clean_line(char *out, size_t n, const char *l, size_t len)
{
	size_t o = 0;

	while (len && (*l == ' ' || *l == '\t'))
		l++, len--;
	if (len >= 5 && !memcmp(l, "(EE) ", 5))
		l += 5, len -= 5;
	for (size_t i = 0; i < len && o + 1 < n; i++)
		out[o++] = (unsigned char)l[i] < 0x20 || l[i] == 0x7f ? '?' : l[i];
	while (o && (out[o - 1] == ' ' || out[o - 1] == '?'))
		o--;
	if (o >= 4 && !memcmp(out + o - 4, "(EE)", 4))
		o -= 4;
	while (o && out[o - 1] == ' ')
		o--;
	out[o] = 0;
}

void xvfb_last_words(const struct xd_proc *p, char *out, size_t n)
{
	char buf[XD_LAST_WORDS_BYTES + 1];
	struct stat st;
	off_t from;
	ssize_t got;
	int fd;

	out[0] = 0;
	if (!p->log[0] || (fd = open(p->log, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	from = fstat(fd, &st) == 0 && st.st_size - p->log_at > XD_LAST_WORDS_BYTES
		       ? st.st_size - XD_LAST_WORDS_BYTES
		       : p->log_at;
	got = pread(fd, buf, XD_LAST_WORDS_BYTES, from);
	close(fd);
	if (got <= 0)
		return;
	buf[got] = 0;
	/* X.Org's says why on the line after "Fatal server error:"; else
	 * the last line said (a server's, or ours: it could not be run). */
	const char *fatal = strstr(buf, "Fatal server error:");
	if (fatal && (fatal = strchr(fatal, '\n'))) {
		const char *end = strchr(++fatal, '\n');
		clean_line(out, n, fatal, end ? (size_t)(end - fatal) : strlen(fatal));
		if (out[0])
			return;
	}
	for (char *end = buf + got; end > buf && !out[0];) {
		char *e = end;
		while (e > buf && e[-1] == '\n')
			e--;
		char *b = e;
		while (b > buf && b[-1] != '\n')
			b--;
		clean_line(out, n, b, (size_t)(e - b));
		end = b;
	}
}

static void xvfb_exec(const struct xd_proc *p, const char *screen)
{
	/* -r: no key repeat of its own; the desk's repeat comes as keys.
	 * -dumbSched: XD_SERVER_SCHED. */
	execlp("Xvfb", "Xvfb", "-displayfd", "3", "-auth", p->auth, "-nolisten", "tcp", "-noreset",
	       "-r", XD_SERVER_SCHED, "-screen", "0", screen, "+extension", "COMPOSITE", "+extension", "DAMAGE",
	       "+extension", "XFIXES", "+extension", "XTEST", "+extension", "MIT-SHM", "+extension",
	       "RANDR", (char *)NULL);
}

/* Debian 12's Xvfb (21.1) has RANDR but one mode, and takes no other. */
const struct xd_server_ops xd_xvfb_ops = {
	.name = "Xvfb",
	.exec = xvfb_exec,
};

int xvfb_read_display(struct xd_proc *p, char *err, size_t errn)
{
	for (;;) {
		ssize_t n = read(p->displayfd, p->dbuf + p->dlen, sizeof p->dbuf - 1 - p->dlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0) {
			snprintf(err, errn, "the X server (%s) ended before it took clients%s%s",
				 p->srv->name, p->log[0] ? "; see " : "", p->log);
			return -EIO;
		}
		p->dlen += (size_t)n;
		p->dbuf[p->dlen] = 0;
		char *nl = strchr(p->dbuf, '\n');
		if (nl) {
			char *end;
			long d = strtol(p->dbuf, &end, 10);
			if (end == p->dbuf || end != nl || d < 0 || d > 65535) {
				snprintf(err, errn, "the X server said no display number");
				return -EPROTO;
			}
			p->display = (int)d;
			close(p->displayfd);
			p->displayfd = -1;
			return 1;
		}
		if (p->dlen >= sizeof p->dbuf - 1) {
			snprintf(err, errn, "the X server said no display number");
			return -EPROTO;
		}
	}
}

static void keymap_run(struct xd_proc *p);

/* SHA-256: a keymap's digest, to know it again without keeping it (a
 * keymap is up to XD_KEYMAP_MAX_BYTES). A digest a desk cannot collide
 * with: one that could make its keymap share another desk's digest (as
 * with FNV-1a's, found in minutes) would get that desk's keymap taken as
 * refused. false: no digest (out of memory), nothing remembered. */
static bool keymap_digest(const char *text, size_t n, uint8_t out[XD_KEYMAP_DIGEST_BYTES])
{
	return EVP_Digest(text, n, out, NULL, EVP_sha256(), NULL) == 1;
}

static bool keymap_was_refused(const struct xd_proc *p, const char *text, size_t n)
{
	uint8_t d[XD_KEYMAP_DIGEST_BYTES];
	bool digested = false;

	for (unsigned i = 0; i < p->nrefused; i++) {
		if (p->refused[i].len != n) /* (no digest to take) */
			continue;
		if (!digested && !(digested = keymap_digest(text, n, d)))
			return false;
		if (!memcmp(p->refused[i].digest, d, sizeof d))
			return true;
	}
	return false;
}

static void keymap_refused(struct xd_proc *p, const char *text, size_t n)
{
	uint8_t d[XD_KEYMAP_DIGEST_BYTES];

	if (!keymap_digest(text, n, d))
		return; /* tried again if asked: refused and said again */
	if (p->nrefused == XD_KEYMAPS_REFUSED_MAX) { /* the oldest goes */
		memmove(p->refused, p->refused + 1, (p->nrefused - 1) * sizeof p->refused[0]);
		p->nrefused--;
	}
	memcpy(p->refused[p->nrefused].digest, d, sizeof d);
	p->refused[p->nrefused++].len = n;
	p->keymap_gen++;
}

bool xvfb_reap(struct xd_proc *p)
{
	int status;

	if (p->xkbcomp > 0 && waitpid(p->xkbcomp, &status, WNOHANG) == p->xkbcomp) {
		if (p->xkbcomp_killed || !WIFEXITED(status) ||
		    (p->xkbcomp_stopped && WEXITSTATUS(status) != 0)) {
			/* Not the keymap's fault: tried again by the next key
			 * of its desk. Which keymap the display has is not
			 * known: a server that was grabbed or stopped may have
			 * taken requests of it before it ended. The next key of
			 * every desk loads its own first. */
			if (p->xkbcomp_stopped)
				base_log("xdisplay", "display :%d: xkbcomp stopped with its display "
						     "while it loaded a desk's keymap (%s %d%s)",
					 p->display,
					 p->xkbcomp_killed     ? "SIGKILL after a grace of"
					 : WIFEXITED(status) ? "exit status"
							     : "signal",
					 p->xkbcomp_killed     ? XD_STOP_GRACE_MS
					 : WIFEXITED(status) ? WEXITSTATUS(status)
							     : WTERMSIG(status),
					 p->xkbcomp_killed ? " ms" : "");
			else if (p->xkbcomp_killed)
				base_log("xdisplay", "display :%d: xkbcomp did not load a desk's "
						     "keymap within %d ms (the X server does not "
						     "answer): killed; the display's keymap is unknown",
					 p->display, XD_XKBCOMP_MS);
			else
				base_log("xdisplay", "display :%d: xkbcomp ended by signal %d while "
						     "it loaded a desk's keymap; the display's keymap "
						     "is unknown",
					 p->display, WTERMSIG(status));
			free(p->keymap_running);
			free(p->keymap_loaded);
			p->keymap_loaded = NULL;
			p->keymap_loaded_len = 0;
			p->keymap_unknown = true;
		} else if (WEXITSTATUS(status) != 0) {
			/* Remembered: asked again (each key of its desk, each
			 * turn of desks with other keymaps asks for it) it would
			 * only fail again. The display keeps the keymap it had. */
			base_log("xdisplay", "display :%d: xkbcomp did not load a desk's keymap "
					     "(status %d), which is not tried again: that desk's keys "
					     "go in with the display's keymap%s%s",
				 p->display,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				 p->log[0] ? "; see " : "", p->log);
			keymap_refused(p, p->keymap_running, p->keymap_running_len);
			free(p->keymap_running);
		} else {
			base_log("xdisplay", "display :%d: the desk's keymap is loaded", p->display);
			free(p->keymap_loaded);
			p->keymap_loaded = p->keymap_running;
			p->keymap_loaded_len = p->keymap_running_len;
			p->keymap_unknown = false;
		}
		p->keymap_running = NULL;
		p->xkbcomp = 0;
		p->xkbcomp_killed = p->xkbcomp_stopped = false;
		p->keymap_gen++;
		unlink(p->keymap);
		if (p->keymap_next && p->server)
			keymap_run(p);
	}
	if (p->server > 0 && waitpid(p->server, &status, WNOHANG) == p->server) {
		p->server = 0;
		p->server_kill_at = 0;
		p->server_status = status;
	}
	for (unsigned i = 0; i < p->ndying;) {
		if (waitpid(p->dying[i].pid, &status, WNOHANG) != p->dying[i].pid) {
			i++;
			continue;
		}
		base_log("xdisplay", "the X server put down (pid %d) ended (%s %d)",
			 (int)p->dying[i].pid, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		p->dying[i] = p->dying[--p->ndying];
	}
	return p->server == 0;
}

/* SIGCONT after: a server someone stopped (SIGSTOP) ends all the same.
 * xkbcomp, its client, goes too (past the same grace, as one that does
 * not load: xvfb_keymap_wait). */
void xvfb_stop(struct xd_proc *p)
{
	long by = base_now_ms() + XD_STOP_GRACE_MS;

	if (p->server > 0) {
		kill(p->server, SIGTERM);
		kill(p->server, SIGCONT);
		if (!p->server_kill_at)
			p->server_kill_at = by;
	}
	if (p->xkbcomp > 0 && !p->xkbcomp_killed) {
		p->xkbcomp_stopped = true;
		kill(p->xkbcomp, SIGTERM);
		if (p->xkbcomp_by > by)
			p->xkbcomp_by = by;
	}
}

long xvfb_stop_wait(struct xd_proc *p, long now)
{
	long w = -1;

	if (p->server > 0 && p->server_kill_at > 0) {
		if (now >= p->server_kill_at) {
			base_log("xdisplay", "the X server (%s, pid %d) did not end within %d ms "
					     "of SIGTERM: SIGKILL",
				 p->srv ? p->srv->name : "X", (int)p->server, XD_STOP_GRACE_MS);
			kill(p->server, SIGKILL);
			p->server_kill_at = -1; /* sent; reaped when the kernel lets it go */
		} else
			w = p->server_kill_at - now;
	}
	for (unsigned i = 0; i < p->ndying; i++) {
		long at = p->dying[i].kill_at;
		if (!at)
			continue;
		if (now >= at) {
			kill(p->dying[i].pid, SIGKILL);
			p->dying[i].kill_at = 0;
		} else if (w < 0 || at - now < w)
			w = at - now;
	}
	return w;
}

unsigned xvfb_processes(const struct xd_proc *p)
{
	return (p->server > 0) + (p->xkbcomp > 0) + p->ndying;
}

void xvfb_finish(struct xd_proc *p)
{
	/* The owner waits until xvfb_processes is 0 (the daemon does); one
	 * that does not leaves them SIGKILLed, never waited for here. */
	if (p->xkbcomp > 0)
		kill(p->xkbcomp, SIGKILL);
	p->xkbcomp = 0;
	if (p->server > 0)
		kill(p->server, SIGKILL);
	p->server = 0;
	for (unsigned i = 0; i < p->ndying; i++)
		kill(p->dying[i].pid, SIGKILL);
	p->ndying = 0;
	if (p->displayfd >= 0)
		close(p->displayfd);
	p->displayfd = -1;
	if (p->auth[0])
		unlink(p->auth);
	if (p->srv && p->srv->cleanup)
		p->srv->cleanup(p);
	if (p->keymap[0])
		unlink(p->keymap);
	free(p->keymap_next);
	p->keymap_next = NULL;
	free(p->keymap_running);
	p->keymap_running = NULL;
	free(p->keymap_loaded);
	p->keymap_loaded = NULL;
	p->keymap_gen++;
}

/* xkbcomp compiles the text and loads it into the display, as xpra does:
 * xcb-xkb has no request that takes a whole keymap in one piece. */
static void keymap_run(struct xd_proc *p)
{
	char dpy[32], xauth[600];
	char *text = p->keymap_next;
	size_t n = p->keymap_next_len;
	pid_t pid;
	int fd;

	p->keymap_next = NULL;
	p->keymap_gen++; /* next becomes running, or goes */
	unlink(p->keymap);
	fd = open(p->keymap, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || base_write_all(fd, text, n, 1000) != n) {
		base_log("xdisplay", "cannot write %s: %s", p->keymap, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(text);
		return;
	}
	close(fd);
	snprintf(dpy, sizeof dpy, ":%d", p->display);
	snprintf(xauth, sizeof xauth, "XAUTHORITY=%s", p->auth);
	/* argv and environment made here: the child only makes system calls. */
	const char *edits[] = {xauth, NULL};
	char *argv[] = {"xkbcomp", "-w", "0", p->keymap, dpy, NULL};
	char **envp = base_env_edit(environ, edits);
	int bound = base_fd_bound();
	pid_t self = getpid();
	pid = envp ? base_fork_held() : -1;
	if (pid < 0) {
		base_log("xdisplay", "fork for xkbcomp: %s", strerror(errno));
		free(envp);
		free(text);
		return;
	}
	if (pid == 0) {
		child_setup(p->log, self);
		base_child_closefrom(3, bound);
		execvpe(argv[0], argv, envp);
		base_child_say_failed(2, "xkbcomp", errno);
		_exit(127);
	}
	free(envp);
	p->xkbcomp = pid;
	p->xkbcomp_by = base_now_ms() + XD_XKBCOMP_MS;
	p->keymap_running = text;
	p->keymap_running_len = n;
}

long xvfb_keymap_wait(struct xd_proc *p, long now)
{
	if (p->xkbcomp <= 0 || p->xkbcomp_killed)
		return -1;
	if (now < p->xkbcomp_by)
		return p->xkbcomp_by - now;
	kill(p->xkbcomp, SIGKILL); /* reaped by xvfb_reap, which says so */
	p->xkbcomp_killed = true;
	return -1;
}

bool xvfb_keymap_is(const struct xd_proc *p, const char *text, size_t n)
{
	if (keymap_was_refused(p, text, n))
		return true; /* counts as had: it is not tried again */

	if (!p->keymap_next && !p->xkbcomp && p->keymap_unknown)
		return false; /* whichever it is: loaded again */

	const char *k = p->keymap_next	  ? p->keymap_next
			: p->xkbcomp	  ? p->keymap_running
					  : p->keymap_loaded;
	size_t kn = p->keymap_next ? p->keymap_next_len
		    : p->xkbcomp   ? p->keymap_running_len
				   : p->keymap_loaded_len;

	return k && kn == n && !memcmp(k, text, n);
}

int xvfb_keymap(struct xd_proc *p, const char *text, size_t n, char *err, size_t errn)
{
	char *copy;

	if (n == 0 || n > XD_KEYMAP_MAX_BYTES || memchr(text, 0, n)) {
		snprintf(err, errn, "a keymap is 1 to %u bytes of text", XD_KEYMAP_MAX_BYTES);
		return -EINVAL;
	}
	if (p->display < 0 || !p->server) {
		snprintf(err, errn, "the display is not running");
		return -EAGAIN;
	}
	/* The keymap the display has, or is about to have, or one xkbcomp
	 * refused: nothing to do (every desk that attaches sends its own;
	 * most are the same, and a load holds everyone's keys). */
	if (keymap_was_refused(p, text, n) || (!p->keymap_next && xvfb_keymap_is(p, text, n)))
		return 0;
	if (!(copy = malloc(n))) {
		snprintf(err, errn, "out of memory");
		return -ENOMEM;
	}
	memcpy(copy, text, n);
	/* One xkbcomp at a time; the newest keymap waits for it. */
	free(p->keymap_next);
	p->keymap_next = copy;
	p->keymap_next_len = n;
	p->keymap_gen++;
	if (!p->xkbcomp)
		keymap_run(p);
	return 0;
}
