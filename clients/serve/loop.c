/* The daemon's loop: the server, its listeners (the unix socket, TCP),
 * the signalfd, reaping, the SSH front door's process, and when to exit.
 * Everything waits in the one fd manager (fdm.c); each component's hook
 * does its timed work and says how long the loop may sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "serve.h"
#include "slog.h"
#include "vmc.h"

void serve_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	base_vlog("telly serve", fmt, ap);
	va_end(ap);
}

static struct server *server_alloc(const char *dir, const struct telly_serve_opts *o)
{
	struct server *srv = calloc(1, sizeof *srv);

	if (!srv)
		return NULL;
	srv->o = *o;
	if (!srv->o.hello_ms)
		srv->o.hello_ms = HELLO_TIMEOUT_MS;
	if (!srv->o.frame_ms)
		srv->o.frame_ms = FRAME_TIMEOUT_MS;
	srv->listen_unix = srv->listen_tcp = srv->sigfd = -1;
	srv->audit_fd = srv->sshd_pipe = srv->notify_fd = -1;
	snprintf(srv->dir, sizeof srv->dir, "%s", dir);
	if (!srv->o.log_dir)
		srv->o.log_dir = srv->dir;
	snprintf(srv->sock_path, sizeof srv->sock_path, "%s/serve.sock", dir);
	srv->started_ms = srv->stranger_at = base_now_ms();
	return srv;
}

struct server *server_create(const char *dir, const struct telly_serve_opts *o)
{
	struct server *srv = server_alloc(dir, o);

	if (srv && !(srv->fdm = fdm_create())) {
		free(srv);
		return NULL;
	}
	return srv;
}

void server_destroy(struct server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		conn_destroy(srv, srv->conns);
	conns_closing_end(srv);
	direct_destroy(srv);
	while (srv->sessions) /* consoles made before one failed; the fuzzer's */
		session_end(srv, srv->sessions, 0);
	ended_chans_free(srv);
	fdm_destroy(srv->fdm);
	x11_looks_put(srv->x11_looks); /* (its stuck threads keep it) */
	if (srv->notify_fd >= 0)
		close(srv->notify_fd);
	if (srv->reloaded) {
		vmc_config_finish(srv->reloaded);
		free(srv->reloaded);
	}
	free(srv);
}

void server_stop(struct server *srv)
{
	if (!srv->stopping)
		serve_notify(srv, "STOPPING=1");
	srv->stopping = true;
	for (struct session *s = srv->sessions; s; s = s->next)
		session_kill(s, true, NULL, 0);
}

/* ---- systemd ---- */

/* sd_notify(3)'s protocol without libsystemd: a datagram to the socket
 * $NOTIFY_SOCKET names (a path, or '@' for an abstract one). Read once
 * and taken out of the environment: the sessions' programs and the front
 * door are not the service systemd waits for. */
static void notify_open(struct server *srv)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un *a = (struct sockaddr_un *)&srv->notify_addr;
	size_t n;

	if (!path)
		return;
	n = strlen(path);
	if (n < 2 || n >= sizeof a->sun_path || (path[0] != '/' && path[0] != '@')) {
		serve_log("NOTIFY_SOCKET '%.*s': not an absolute path or @abstract name of at most "
			  "%zu bytes; systemd is not told when the daemon is ready",
			  (int)(n < 120 ? n : 120), path, sizeof a->sun_path - 1);
		unsetenv("NOTIFY_SOCKET");
		return;
	}
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path, path, n);
	if (path[0] == '@')
		a->sun_path[0] = '\0';
	srv->notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
	srv->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (srv->notify_fd < 0)
		serve_log("NOTIFY_SOCKET: socket: %s", strerror(errno));
	unsetenv("NOTIFY_SOCKET");
}

void serve_notify(struct server *srv, const char *msg)
{
	if (srv->notify_fd < 0)
		return;
	/* Never blocked on systemd: a message it cannot take is logged. */
	if (sendto(srv->notify_fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		   (struct sockaddr *)&srv->notify_addr, srv->notify_len) < 0)
		serve_log("NOTIFY_SOCKET: cannot tell systemd %.40s: %s", msg, strerror(errno));
}

/* ---- listeners ---- */

/* Out of descriptors (or memory), accept fails and the listener stays
 * readable: polled on, the loop would spin. It rests a while instead,
 * and the log says so once until an accept works again. */
static void accept_failed(struct server *srv, bool tcp, int err)
{
	struct rlimit rl = {0};

	srv->rest_until[tcp] = base_now_ms() + ACCEPT_PAUSE_MS;
	fdm_event_del(srv->fdm, tcp ? srv->listen_tcp : srv->listen_unix, POLLIN);
	srv->accept_fails++;
	if (srv->accept_told)
		return;
	getrlimit(RLIMIT_NOFILE, &rl);
	serve_log("cannot accept connections: %s (%u connections, %u sessions, at most %lu "
		  "descriptors); trying again every %d ms",
		  strerror(err), srv->nconns, srv->nsessions, (unsigned long)rl.rlim_cur,
		  ACCEPT_PAUSE_MS);
	srv->accept_told = true;
}

static void on_listener(struct fdm *fdm, int lfd, int events, void *data)
{
	struct server *srv = data;
	bool tcp = lfd == srv->listen_tcp;

	(void)fdm;
	if (!(events & POLLIN))
		return;
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		struct sockaddr_storage a;
		socklen_t al = sizeof a;
		int fd = accept4(lfd, (struct sockaddr *)&a, &al, SOCK_CLOEXEC);
		if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
			continue;
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
				accept_failed(srv, tcp, errno);
			return;
		}
		if (srv->accept_told) {
			serve_log("accepting connections again (%lu tries failed)", srv->accept_fails);
			srv->accept_told = false;
		}
		srv->accept_fails = 0;
		conn_add(srv, fd, tcp, (struct sockaddr *)&a, al);
	}
}

/* A listener that rested (accept_failed) listens again when its rest is
 * over. */
static long listeners_hook(struct fdm *fdm, long now, void *data)
{
	struct server *srv = data;
	long wait = -1;

	for (int tcp = 0; tcp < 2; tcp++) {
		int fd = tcp ? srv->listen_tcp : srv->listen_unix;
		long rest = srv->rest_until[tcp] - now;
		if (fd < 0 || !srv->rest_until[tcp])
			continue;
		if (rest > 0) {
			if (wait < 0 || rest < wait)
				wait = rest;
			continue;
		}
		srv->rest_until[tcp] = 0;
		fdm_event_add(fdm, fd, POLLIN);
	}
	return wait;
}

/* The daemon takes nobody new: its socket file goes (if it is still ours)
 * and both listeners close. Before the connections at the exit, so that
 * a client that saw its connection end there (`telly stop`) and comes
 * again finds no socket and starts a new daemon, instead of reaching
 * this one's backlog as it closes (ECONNRESET). Safe to call twice. */
static bool sock_is_ours(const struct server *srv);
static void listeners_close(struct server *srv)
{
	if (srv->listen_unix >= 0) {
		if (srv->fdm)
			fdm_del(srv->fdm, srv->listen_unix);
		if (sock_is_ours(srv)) /* not another daemon's, made since ours went */
			unlink(srv->sock_path);
		close(srv->listen_unix);
		srv->listen_unix = -1;
	}
	if (srv->listen_tcp >= 0) {
		if (srv->fdm)
			fdm_del(srv->fdm, srv->listen_tcp);
		close(srv->listen_tcp);
		srv->listen_tcp = -1;
	}
}

static int tcp_listen(struct server *srv, char *err, size_t errn)
{
	char why[300];
	int fd = rp_tcp_listen(srv->o.listen, !srv->o.allow_remote, why, sizeof why);

	if (fd == -EADDRNOTAVAIL) {
		snprintf(err, errn,
			 "--listen %s; add --allow-remote to listen beyond this host (the token is "
			 "then all that guards your sessions)",
			 why);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errn, "--listen %s", why);
		return -1;
	}
	if (load_token(srv, err, errn) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- sessions, signals ---- */

static long sessions_hook(struct fdm *fdm, long now, void *data)
{
	struct server *srv = data;
	struct session *s, *next;
	long wait = -1;

	(void)fdm;
	for (s = srv->sessions; s; s = next) {
		long w;
		next = s->next; /* its tick may end it */
		w = session_tick(s, now);
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	return wait;
}

static void reap(struct server *srv)
{
	struct session *s, *next;
	int status;

	for (s = srv->sessions; s; s = next) {
		next = s->next;
		session_reap(s);
	}
	if (srv->sshd_pid > 0 && waitpid(srv->sshd_pid, &status, WNOHANG) == srv->sshd_pid) {
		serve_log("the SSH front door exited (status %d); consoles stay reachable here",
			  WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		srv->sshd_pid = 0;
	}
}

/* ---- reloading consoles ---- */

int serve_consoles_load(int argc, char **argv, bool files_only, struct vmc_config *cfg, char *err,
			size_t errn)
{
	/* The options that take a value, whose value is not an option. */
	static const char *const valued[] = {"--listen", "--ssh-listen", "--ssh-keys",
					     "--ssh-host-key", "--log-cap", "--hello-timeout",
					     "--frame-timeout", "--log-dir", "--x-server", NULL};
	bool any = false, file = false;

	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "--consoles")) {
			size_t n;
			char *text = vmc_read_file(argv[++i], &n, err, errn);
			int r = text ? vmc_config_parse(cfg, text, n, argv[i], err, errn) : -1;
			free(text);
			if (r < 0)
				return -1;
			any = file = true;
		} else if (!strcmp(argv[i], "--console")) {
			if (vmc_config_add_arg(cfg, argv[++i], err, errn) < 0)
				return -1;
			any = true;
		} else {
			for (int k = 0; valued[k]; k++)
				if (!strcmp(argv[i], valued[k])) {
					i++;
					break;
				}
		}
	}
	return files_only ? file : any;
}

/* SIGHUP: the consoles as the command line's files say now. Consoles
 * whose spec is the same keep running with their viewers; new ones are
 * made; those gone end (their viewers told); a changed one ends and is
 * made again. A file that does not parse changes nothing. */
static void reload(struct server *srv)
{
	struct vmc_config *cfg = calloc(1, sizeof *cfg);
	struct session *s, *next;
	char err[400] = "";
	unsigned made = 0, kept = 0, ended = 0, remade = 0;
	int r;

	if (!cfg) {
		serve_log("reload: out of memory; nothing changed");
		return;
	}
	r = serve_consoles_load(srv->argc, srv->argv, true, cfg, err, sizeof err);
	if (r <= 0) {
		if (r < 0)
			serve_log("reload: %s; nothing changed", err);
		else
			serve_log("signal %d: nothing to reload (no --consoles FILE)", SIGHUP);
		vmc_config_finish(cfg);
		free(cfg);
		return;
	}
	serve_notify(srv, "RELOADING=1");
	for (s = srv->sessions; s; s = next) {
		const struct vmc_spec *was = console_spec(s), *now = NULL;
		next = s->next;
		if (!was)
			continue;
		for (unsigned i = 0; i < cfg->n && !now; i++)
			if (!strcmp(cfg->specs[i].name, s->name))
				now = &cfg->specs[i];
		if (now && console_spec_same(was, now)) {
			kept++;
			continue;
		}
		for (struct chan *v = s->viewers; v; v = v->snext)
			chan_notice(v, "%s: %s", s->name,
				    now ? "its backend changed in the consoles file: made again, attach anew"
					: "removed from the consoles file: it ends");
		serve_log("reload: console %s %s", s->name,
			  now ? "changed: ending it to make it again" : "is gone from the file: ending it");
		if (now)
			remade++;
		else
			ended++;
		session_end(srv, s, 0);
	}
	for (unsigned i = 0; i < cfg->n; i++) {
		s = session_find(srv, cfg->specs[i].name, strlen(cfg->specs[i].name));
		if (s && console_spec(s))
			continue;
		if (console_create(srv, &cfg->specs[i], err, sizeof err) < 0) {
			serve_log("reload: %s", err);
			continue;
		}
		made++;
	}
	made = made > remade ? made - remade : 0; /* the new ones */
	serve_log("reload: %u console%s kept, %u new, %u ended, %u made again", kept,
		  kept == 1 ? "" : "s", made, ended, remade);
	if (srv->reloaded) {
		vmc_config_finish(srv->reloaded);
		free(srv->reloaded);
	}
	srv->reloaded = cfg;
	srv->o.consoles = cfg;
	/* Its list of consoles and their users= lines; its keys file it reads
	 * at each login anyway. */
	if (srv->sshd_pid > 0 && kill(srv->sshd_pid, SIGHUP) < 0)
		serve_log("reload: cannot tell the SSH front door: %s", strerror(errno));
	serve_notify(srv, "READY=1");
}

static void on_signal(struct fdm *fdm, int fd, int events, void *data)
{
	struct server *srv = data;
	struct signalfd_siginfo si;

	(void)fdm;
	if (!(events & POLLIN))
		return;
	while (read(fd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			serve_log("signal %d: stopping", (int)si.ssi_signo);
			server_stop(srv);
		} else if (si.ssi_signo == SIGHUP && !srv->stopping) {
			reload(srv);
		}
	}
	reap(srv);
}

/* ---- the runtime directory ---- */

/* Which socket file is ours, and whether standard error is the runtime
 * directory's serve.log (as for a daemon a client starts). */
static void rundir_note(struct server *srv)
{
	char log[320];
	struct stat st, err_st;

	if (stat(srv->sock_path, &st) == 0) {
		srv->sock_dev = st.st_dev;
		srv->sock_ino = st.st_ino;
	}
	snprintf(log, sizeof log, "%s/serve.log", srv->dir);
	srv->log_in_rundir = stat(log, &st) == 0 && fstat(STDERR_FILENO, &err_st) == 0 &&
			     st.st_dev == err_st.st_dev && st.st_ino == err_st.st_ino;
}

static bool sock_is_ours(const struct server *srv)
{
	struct stat st;

	return stat(srv->sock_path, &st) == 0 && st.st_dev == srv->sock_dev &&
	       st.st_ino == srv->sock_ino;
}

/* The socket is gone (the directory with it, say): made again as a
 * client would make it, under the start lock, unless another daemon
 * answers there now. The token (TCP) and serve.log are made again too. */
static void rundir_remake(struct server *srv)
{
	char err[400] = "", path[320];
	struct rp_transport *other;
	int fd;

	if ((fd = telly_private_dir(srv->dir, 077, "the runtime directory", err, sizeof err)) == 0)
		fd = telly_claim_in(srv->dir, &other, err, sizeof err);
	else
		other = NULL;
	if (other) {
		rp_transport_destroy(other);
		srv->rundir_lost = true;
		serve_log("another daemon serves %s now: this one's %u session%s can be reached "
			  "only by the desks attached to it now",
			  srv->sock_path, srv->nsessions, srv->nsessions == 1 ? "" : "s");
		return;
	}
	if (fd < 0) {
		if (!srv->rundir_told)
			serve_log("the runtime directory %s was removed and cannot be made again: %s "
				  "(trying every %d ms)",
				  srv->dir, err, RUNDIR_CHECK_MS);
		srv->rundir_told = true;
		return;
	}
	fdm_del(srv->fdm, srv->listen_unix);
	close(srv->listen_unix);
	srv->listen_unix = fd;
	srv->rest_until[0] = 0;
	if (fdm_add(srv->fdm, fd, POLLIN, on_listener, srv) < 0)
		serve_log("cannot watch %s: %s", srv->sock_path, strerror(errno));
	if (srv->listen_tcp >= 0) {
		int tfd;
		snprintf(path, sizeof path, "%s/token", srv->dir);
		tfd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (tfd < 0 || base_write_all(tfd, srv->token, 64, 1000) != 64)
			serve_log("cannot write %s: %s", path, strerror(errno));
		if (tfd >= 0)
			close(tfd);
	}
	if (srv->log_in_rundir) {
		int lfd;
		snprintf(path, sizeof path, "%s/serve.log", srv->dir);
		lfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (lfd >= 0) {
			dup2(lfd, STDERR_FILENO);
			close(lfd);
		}
	}
	for (struct session *s = srv->sessions; s; s = s->next) {
		int r = console_relink(s);
		if (r < 0)
			serve_log("console %s: cannot link its pty again: %s", s->name, strerror(-r));
		/* Its programs, and those telly run starts, reach the display
		 * through the cookie file. */
		if (x11_files_again(s, err, sizeof err) < 0)
			serve_log("session %s: %s", s->name, err);
	}
	rundir_note(srv);
	srv->rundir_told = false;
	/* "serving on ... (pid N)", as at the start: what scripts look for. */
	serve_log("the runtime directory %s was removed: made again, serving on %s again (pid %d)",
		  srv->dir, srv->sock_path, (int)getpid());
}

/* The socket looked at every RUNDIR_CHECK_MS (the loop wakes that often
 * anyway): logind's removal of /run/user/UID, a /tmp cleaner or a person
 * may take it, and a daemon nobody can reach is lost with its sessions. */
static long rundir_hook(struct fdm *fdm, long now, void *data)
{
	struct server *srv = data;

	(void)fdm;
	if (srv->rundir_lost || srv->stopping)
		return -1;
	if (now < srv->rundir_check_at)
		return srv->rundir_check_at - now;
	srv->rundir_check_at = now + RUNDIR_CHECK_MS;
	if (!sock_is_ours(srv)) {
		struct stat st;
		if (stat(srv->sock_path, &st) == 0) {
			srv->rundir_lost = true;
			serve_log("%s is not this daemon's socket any more: this one's %u session%s can "
				  "be reached only by the desks attached to it now",
				  srv->sock_path, srv->nsessions, srv->nsessions == 1 ? "" : "s");
			return -1;
		}
		rundir_remake(srv);
	}
	return RUNDIR_CHECK_MS;
}

static bool should_exit(struct server *srv, long now)
{
	if (srv->nsessions)
		return false;
	if (srv->stopping)
		return true;
	/* A direct secret handed out waits for its desk (a minute at most). */
	if (direct_waiting(srv))
		return false;
	/* A channel whose session ended while its link was down waits for
	 * its desk to come for the last output and the status (link.c). */
	if (srv->ended_chans)
		return false;
	const struct ended *last = &srv->ended[(srv->ended_next + ENDED_KEPT - 1) % ENDED_KEPT];
	if (srv->ended_next && now - last->at_ms < ENDED_LINGER_MS)
		return false;
	/* Like tmux's server: gone with its last session (once its clients
	 * have left), or if nobody came. */
	if (!srv->served)
		return now - srv->started_ms > FIRST_CLIENT_MS;
	return srv->nconns == 0;
}

static int run(struct server *srv)
{
	bool wait_told = false;

	srv->started_ms = srv->stranger_at = base_now_ms();
	srv->rundir_check_at = srv->started_ms + RUNDIR_CHECK_MS;
	if (fdm_add(srv->fdm, srv->sigfd, POLLIN, on_signal, srv) < 0 ||
	    fdm_add(srv->fdm, srv->listen_unix, POLLIN, on_listener, srv) < 0 ||
	    (srv->listen_tcp >= 0 && fdm_add(srv->fdm, srv->listen_tcp, POLLIN, on_listener, srv) < 0) ||
	    fdm_hook_add(srv->fdm, sessions_hook, srv) < 0 ||
	    fdm_hook_add(srv->fdm, conns_hook, srv) < 0 ||
	    fdm_hook_add(srv->fdm, listeners_hook, srv) < 0 ||
	    fdm_hook_add(srv->fdm, rundir_hook, srv) < 0) {
		serve_log("cannot watch the listeners: %s", strerror(errno));
		return 1;
	}
	for (;;) {
		long wait = fdm_hooks(srv->fdm, base_now_ms());
		int r;
		if (should_exit(srv, base_now_ms()))
			break;
		r = fdm_wait(srv->fdm, wait);
		conns_flush(srv);
		if (r < 0 && r != -EINTR) {
			if (!wait_told)
				serve_log("epoll_wait: %s", strerror(-r));
			wait_told = true;
			poll(NULL, 0, ACCEPT_PAUSE_MS); /* no spinning on it */
		}
	}
	if (srv->unsummed)
		strangers_summed(srv, base_now_ms());
	listeners_close(srv);
	/* Let the last frames (EXIT, OK to stop) reach their readers. */
	for (struct conn *c = srv->conns; c; c = c->next)
		rp_conn_flush_wait(c->rc, 500);
	while (srv->conns)
		conn_destroy(srv, srv->conns);
	return 0;
}

/* ---- starting ---- */

/* The front door's reload (in its own process, on the SIGHUP reload()
 * sends it): the command line's consoles, read as the daemon read them. */
static int sshd_reload(void *ctx, struct vmc_config *cfg, char *err, size_t errn)
{
	struct server *srv = ctx;

	return serve_consoles_load(srv->argc, srv->argv, false, cfg, err, errn) < 0 ? -1 : 0;
}

/* The SSH front door runs as a child process: libssh parses what strangers
 * send in its own address space, and each connection gets its own process
 * below it (vmc_sshd_run), as sshd does. */
static int start_sshd(struct server *srv)
{
	int p[2];
	pid_t pid;
	struct vmc_sshd_opts so = {
		.listen = srv->o.ssh_listen, .keys_file = srv->o.ssh_keys,
		.host_key = srv->o.ssh_host_key, .daemon_sock = srv->sock_path,
		.cfg = srv->o.consoles, .listen_fd = srv->o.ssh_fd,
		.reload = sshd_reload, .reload_ctx = srv,
	};

	if (pipe2(p, O_CLOEXEC) < 0) {
		serve_log("pipe: %s", strerror(errno));
		return -1;
	}
	/* Signals held until vmc_sshd_run has its signalfd: a reload's
	 * SIGHUP that came sooner killed it (default disposition). */
	pid = base_fork_held();
	if (pid < 0) {
		serve_log("fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[1]);
		close(srv->listen_unix);
		if (srv->notify_fd >= 0)
			close(srv->notify_fd); /* systemd's is the daemon's to tell */
		so.parent_fd = p[0];
		_exit(vmc_sshd_run(&so));
	}
	close(p[0]);
	close(srv->o.ssh_fd);
	srv->sshd_pipe = p[1];
	srv->sshd_pid = pid;
	return 0;
}

static int start_consoles(struct server *srv)
{
	char path[320], err[400];

	/* Beside logs/, not in it: no session or console name reaches it. */
	snprintf(path, sizeof path, "%s/audit.log", srv->o.log_dir);
	srv->audit_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (srv->audit_fd < 0)
		serve_log("audit log %s: %s", path, strerror(errno));
	for (unsigned i = 0; i < srv->o.consoles->n; i++) {
		if (console_create(srv, &srv->o.consoles->specs[i], err, sizeof err) < 0) {
			serve_log("%s", err);
			return -1;
		}
	}
	return 0;
}

/* Enough descriptors for every session and connection the limits let
 * in, if the hard limit allows (a default soft limit of 1024 does not). */
static void raise_fd_limit(void)
{
	const rlim_t need = FDS_SPARE + MAX_SESSIONS * FDS_PER_SESSION + MAX_CONNS * FDS_PER_CONN;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= need)
		return;
	rl.rlim_cur = rl.rlim_max < need ? rl.rlim_max : need;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < need)
		serve_log("at most %lu file descriptors (the hard limit): the limits of %d sessions "
			  "and %d connections need %lu",
			  (unsigned long)rl.rlim_cur, MAX_SESSIONS, MAX_CONNS, (unsigned long)need);
}

int serve_main(int listen_unix, const char *dir, const struct telly_serve_opts *o, int argc,
	       char **argv)
{
	struct server *srv = server_alloc(dir, o);
	char err[300] = "", logs[300];
	int rc = 1;

	if (!srv)
		return 1;
	srv->argc = argc;
	srv->argv = argv;
	notify_open(srv); /* before the front door forks, so it has none */
	raise_fd_limit();
	srv->listen_unix = listen_unix;
	rundir_note(srv);
	snprintf(logs, sizeof logs, "%s/logs", srv->o.log_dir);
	if (mkdir(logs, 0700) < 0 && errno != EEXIST)
		serve_log("cannot create %s: %s", logs, strerror(errno));
	{
		int dead = telly_slog_recover(logs);
		if (dead)
			serve_log("%d session%s ended when the daemon before died; marked in %s", dead,
				  dead == 1 ? "" : "s", logs);
	}
	serve_log("logs in %s (audit log: %s/audit.log)", logs, srv->o.log_dir);
	/* The front door first, so it holds none of the consoles' fds (nor
	 * the fd manager's). */
	if (o->ssh_listen && start_sshd(srv) < 0)
		goto out;
	if (!(srv->fdm = fdm_create())) {
		serve_log("epoll: %s", strerror(errno));
		goto out;
	}
	/* SIGXFSZ: a file size limit makes a log write fail (EFBIG), which
	 * the log reports, rather than kill the daemon. Blocked, not ignored,
	 * so the programs it starts get the default back (kpty_os_spawn). */
	srv->sigfd = base_signalfd((const int[]){SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGXFSZ, 0});
	if (srv->sigfd < 0) {
		serve_log("signalfd: %s", strerror(-srv->sigfd));
		goto out;
	}
	if (o->listen && (srv->listen_tcp = tcp_listen(srv, err, sizeof err)) < 0) {
		serve_log("%s", err);
		goto out_sig;
	}
	if (o->consoles && start_consoles(srv) < 0)
		goto out_consoles;
	serve_log("serving on %s%s%s%s%s (pid %d)", srv->sock_path, o->listen ? " and tcp " : "",
		  o->listen ? o->listen : "", o->ssh_listen ? ", ssh on " : "",
		  o->ssh_listen ? o->ssh_listen : "", (int)getpid());
	serve_notify(srv, "READY=1");
	rc = run(srv);
	serve_log("exiting");
out_consoles:
	while (srv->sessions) /* consoles that were made before one failed */
		session_end(srv, srv->sessions, 0);
	if (srv->audit_fd >= 0)
		close(srv->audit_fd);
out_sig:
	close(srv->sigfd);
out:
	if (srv->sshd_pipe >= 0)
		close(srv->sshd_pipe); /* the front door sees EOF and leaves */
	if (srv->sshd_pid > 0)
		waitpid(srv->sshd_pid, NULL, 0);
	listeners_close(srv);
	server_destroy(srv);
	return rc;
}

#ifdef TELLY_FUZZ_DISPATCH
/* ---- test/fuzz/dispatch.c: the loop's work, without waiting ---- */
#include <arpa/inet.h>
#include <netinet/in.h>

/* A daemon with no listeners, no signals, no consoles. */
struct server *telly_fuzz_server(void)
{
	const struct telly_serve_opts o = {.log_cap = TELLY_LOG_CAP_DEFAULT};
	struct server *srv = server_create("", &o);

	if (!srv)
		return NULL;
	snprintf(srv->token, sizeof srv->token, "%s",
		 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	return srv;
}

/* fd as accept() hands it over: the owner's (unix socket) or, with tcp, a
 * stranger's from 127.0.0.1 that must log in with the token. 0, or -1 if
 * refused (fd closed). */
int telly_fuzz_connect(struct server *srv, int fd, bool tcp)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(40000),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	unsigned before = srv->nconns;

	conn_add(srv, fd, tcp, (struct sockaddr *)&a, sizeof a);
	return srv->nconns > before ? 0 : -1;
}

/* One round of the loop's work as if every descriptor were ready: each
 * session's round (program_fuzz_round); each connection read, its frames
 * dispatched, its replies flushed. Returns the connections left. */
unsigned telly_fuzz_step(struct server *srv)
{
	struct conn *c, *cnext;

	for (struct session *s = srv->sessions; s; s = s->next)
		program_fuzz_round(s);
	for (c = srv->conns; c; c = cnext) {
		cnext = c->next;
		if (c->stalled) {
			c->stalled = false;
			conn_process(srv, c);
		}
		if (!c->stalled && !c->closing_at && !conn_readable(srv, c))
			continue;
		conn_writable(srv, c);
	}
	return srv->nconns;
}

void telly_fuzz_server_destroy(struct server *srv)
{
	server_destroy(srv);
}
#endif
