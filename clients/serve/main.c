/* telly serve: the command. Its options, the `--stdio` side (hand the
 * daemon ssh's pipes, or relay them to an older daemon), starting the
 * daemon in the background for a client (telly_daemon_connect), and the
 * foreground daemon (serve_main, loop.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "config.h"
#include "desk.h"
#include "serve.h"
#include "vmc.h"

/* The daemon a client started becomes `telly serve` again, with what it
 * was told as options and its socket as --daemon-fd: ps and `pkill -f`
 * then see the daemon, not the client that started it (`telly x --
 * xterm`), as tmux's server and mosh-server show as themselves. Returns
 * only if the exec failed (the binary replaced since, say): the fork
 * serves then, as it is. */
static void serve_exec(int listen_fd, const struct telly_serve_opts *o)
{
	static const char *const x_servers[] = {[TELLY_X_SERVER_AUTO] = "auto",
						[TELLY_X_SERVER_XORG] = "xorg",
						[TELLY_X_SERVER_XVFB] = "xvfb"};
	char exe[PATH_MAX], fd_s[16], cap_s[24], hello_s[24], frame_s[24];
	const char *argv[20];
	int n = 0, fl;
	/* Its own path, not /proc/self/exe, which would name it "exe". */
	ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);

	if (len <= 0 || (fl = fcntl(listen_fd, F_GETFD)) < 0 ||
	    fcntl(listen_fd, F_SETFD, fl & ~FD_CLOEXEC) < 0)
		return;
	exe[len] = 0;
	snprintf(fd_s, sizeof fd_s, "%d", listen_fd);
	snprintf(cap_s, sizeof cap_s, "%zu", o->log_cap);
	argv[n++] = "telly";
	argv[n++] = "serve";
	argv[n++] = "--daemon-fd";
	argv[n++] = fd_s;
	argv[n++] = "--log-cap";
	argv[n++] = cap_s;
	if (o->log_dir) {
		argv[n++] = "--log-dir";
		argv[n++] = o->log_dir;
	}
	if (o->x_server >= TELLY_X_SERVER_AUTO && o->x_server <= TELLY_X_SERVER_XVFB) {
		argv[n++] = "--x-server";
		argv[n++] = x_servers[o->x_server];
	}
	if (o->listen) {
		argv[n++] = "--listen";
		argv[n++] = o->listen;
	}
	if (o->allow_remote)
		argv[n++] = "--allow-remote";
	if (o->hello_ms) {
		snprintf(hello_s, sizeof hello_s, "%ld", o->hello_ms);
		argv[n++] = "--hello-timeout";
		argv[n++] = hello_s;
	}
	if (o->frame_ms) {
		snprintf(frame_s, sizeof frame_s, "%ld", o->frame_ms);
		argv[n++] = "--frame-timeout";
		argv[n++] = frame_s;
	}
	argv[n] = NULL;
	execv(exe, (char *const *)argv);
	fcntl(listen_fd, F_SETFD, fl);
}

int telly_serve_spawn(int listen_fd, int starter_fd, const char *dir,
		      const struct telly_serve_opts *o, char *err, size_t errn)
{
	int bound = base_fd_bound(), status;
	pid_t pid = fork();

	if (pid < 0) {
		snprintf(err, errn, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char log[300];
		int fd;
		/* Detach from the starter's session and terminal. */
		setsid();
		if (starter_fd >= 0)
			close(starter_fd);
		if (fork() != 0)
			_exit(0);
		snprintf(log, sizeof log, "%s/serve.log", dir);
		/* The socket above 2 first: a client run with stdin or stdout
		 * closed had it there, where /dev/null goes. */
		if (listen_fd < 3) {
			if ((fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 3)) < 0)
				_exit(1);
			close(listen_fd);
			listen_fd = fd;
		}
		/* Not close-on-exec: one that lands on 0, 1 or 2 itself (that
		 * one closed in the client) is what the daemon keeps there. */
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			if (fd > 2)
				close(fd);
		}
		/* Nothing else of the client's: a descriptor it had open (a
		 * lock held by a script that ran `telly new`, a pipe its
		 * caller waits to see closed) would stay open in the daemon
		 * and every program it starts, until `telly stop`. */
		if (listen_fd != 3) {
			if (dup2(listen_fd, 3) < 0)
				_exit(1);
			close(listen_fd);
			listen_fd = 3;
		}
		fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
		base_child_closefrom(4, bound);
		if (chdir("/") < 0)
			_exit(1);
		/* Started by a client: systemd's socket, if the client had one,
		 * is not this daemon's to tell (nor its sessions'). */
		unsetenv("NOTIFY_SOCKET");
		serve_exec(listen_fd, o);
		_exit(serve_main(listen_fd, dir, o, 0, NULL));
	}
	waitpid(pid, &status, 0);
	close(listen_fd);
	return 0;
}

/* `telly serve --stdio` when the daemon does not take stdin/stdout
 * (hand_over): carry the protocol between them and the daemon's socket. */
static int relay(struct rp_transport *t)
{
	char up[65536], down[65536];
	size_t up_len = 0, down_len = 0;
	bool in_eof = false, sock_eof = false;

	signal(SIGPIPE, SIG_IGN);
	while (!(sock_eof && down_len == 0) && !(in_eof && up_len == 0)) {
		struct pollfd p[3] = {
			{.fd = 0, .events = (!in_eof && up_len == 0) ? POLLIN : 0},
			{.fd = rp_transport_read_fd(t),
			 .events = (short)((!sock_eof && down_len == 0 ? POLLIN : 0) |
					   (up_len ? POLLOUT : 0))},
			{.fd = 1, .events = down_len ? POLLOUT : 0},
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (p[0].revents) {
			ssize_t r = read(0, up, sizeof up);
			if (r > 0)
				up_len = (size_t)r;
			else if (r == 0 || errno != EAGAIN)
				in_eof = true;
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR) && down_len == 0 && !sock_eof) {
			ssize_t r = recv(rp_transport_read_fd(t), down, sizeof down, 0);
			if (r > 0)
				down_len = (size_t)r;
			else if (r == 0 || errno != EAGAIN)
				sock_eof = true;
		}
		if (up_len && (p[1].revents & POLLOUT)) {
			ssize_t w = send(rp_transport_read_fd(t), up, up_len, MSG_NOSIGNAL);
			if (w < 0 && errno != EAGAIN)
				return 1;
			if (w > 0) {
				memmove(up, up + w, up_len - (size_t)w);
				up_len -= (size_t)w;
			}
		}
		if (down_len && (p[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
			ssize_t w = write(1, down, down_len);
			if (w < 0 && errno != EAGAIN)
				return 1;
			if (w > 0) {
				memmove(down, down + w, down_len - (size_t)w);
				down_len -= (size_t)w;
			}
		}
		if (in_eof && up_len == 0)
			shutdown(rp_transport_read_fd(t), SHUT_WR);
	}
	return 0;
}

/* `telly serve --stdio`, first choice: give the daemon our stdin and
 * stdout (ssh's pipes) and wait until it is done with them, as tmux's
 * client gives its server the terminal. Returns -1 if the daemon did not
 * take them (nothing was read from stdin: relay() can still take over). */
static int hand_over(struct rp_transport *t, char *why, size_t whyn)
{
	const int fds[2] = {STDIN_FILENO, STDOUT_FILENO};
	uint8_t hdr[RP_HDR_SIZE];
	struct rp_hdr h;
	struct pollfd p = {.fd = rp_transport_read_fd(t), .events = POLLIN};
	size_t got = 0;
	uint8_t flags = 0;

	rp_hdr_encode(hdr, RP_HANDOFF, 0, 0, 0);
	if (rp_transport_send_fds(t, hdr, sizeof hdr, fds, 2) < 0) {
		snprintf(why, whyn, "passing them failed: %s", strerror(errno));
		return -1;
	}
	while (got < sizeof hdr) {
		ssize_t r;
		if (poll(&p, 1, HANDOFF_ANSWER_MS) <= 0) {
			snprintf(why, whyn, "no answer within %d ms", HANDOFF_ANSWER_MS);
			return -1;
		}
		r = recv(rp_transport_read_fd(t), hdr + got, sizeof hdr - got, 0);
		if (r <= 0 && !(r < 0 && (errno == EAGAIN || errno == EINTR))) {
			snprintf(why, whyn, "it closed the connection");
			return -1;
		}
		got += r > 0 ? (size_t)r : 0;
	}
	if (rp_hdr_decode(hdr, sizeof hdr, &h) != 0) {
		snprintf(why, whyn, "its answer was malformed");
		return -1;
	}
	if (h.type != RP_HANDOFF) {
		/* An ERROR says why (an older daemon: it does not know them). */
		uint8_t msg[HANDOFF_ERROR_BYTES];
		struct rp_error e;
		got = 0;
		while (h.type == RP_ERROR && h.len <= sizeof msg && got < h.len &&
		       poll(&p, 1, HANDOFF_ANSWER_MS) > 0) {
			ssize_t r = recv(rp_transport_read_fd(t), msg + got, h.len - got, 0);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		if (h.type == RP_ERROR && got == h.len && rp_error_decode(msg, got, &e) == 0) {
			char text[HANDOFF_ERROR_BYTES];
			base_log_escape(e.msg.p, e.msg.n, false, text, sizeof text);
			snprintf(why, whyn, "it said: %s", text);
		} else
			snprintf(why, whyn, "it answered %s", rp_type_name(h.type));
		return -1;
	}
	/* Ours to keep open no longer; the daemon closes the socket when the
	 * connection ends, and ssh sees this process exit. What comes first
	 * is the answer's payload (its flags byte, none from an older
	 * daemon), then the end mark (HANDOFF_MARKS_END). */
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	got = 0;
	for (;;) {
		uint8_t sink[64];
		ssize_t r;
		p.revents = 0;
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return 1;
		r = recv(rp_transport_read_fd(t), sink, sizeof sink, 0);
		if (r > 0) {
			if (got == 0 && h.len > 0)
				flags = sink[0];
			got += (size_t)r;
			continue;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break;
	}
	if ((flags & HANDOFF_MARKS_END) && got < h.len + RP_HDR_SIZE) {
		/* ssh's exit status says so too. */
		fprintf(stderr, "telly serve --stdio: the daemon went without ending the "
				"connection (killed or crashed)\n");
		return 1;
	}
	return 0;
}

/* The address sshd was reached on (SSH_CONNECTION's third word): what a
 * desk that reached this host by ssh can reach it on. NULL if not under
 * ssh or not a plain address. */
static const char *ssh_server_address(char *buf, size_t n)
{
	const char *e = getenv("SSH_CONNECTION");
	char a[4][80];

	if (!e || sscanf(e, "%79s %79s %79s %79s", a[0], a[1], a[2], a[3]) != 4 ||
	    strspn(a[2], "0123456789abcdefABCDEF.:") != strlen(a[2]))
		return NULL;
	snprintf(buf, n, "%s", a[2]);
	return buf;
}

/* `telly serve --direct-key`: ask the daemon (started if none runs) for a
 * one-time secret and the port it listens on for it, and print them on
 * stdout as `TELLY DIRECT ADDR PORT SECRET` for the desk that ran this
 * through ssh (`telly attach --direct`), as mosh-server prints MOSH
 * CONNECT. The secret goes to stdout only. */
static int direct_key(struct rp_transport *t, const char *bind)
{
	uint8_t frame[RP_HDR_SIZE + 8 + 256];
	struct rp_enc e;
	struct rp_hdr h;
	const uint8_t *p;
	uint32_t req;
	struct rp_str text;
	char err[300];
	struct rp_conn *c = rp_conn_create(t, 16, 1 << 16);
	long n;
	int rc = 1;

	if (!c) {
		rp_transport_destroy(t);
		fprintf(stderr, "telly serve: out of memory\n");
		return 1;
	}
	if (rp_desk_hello(c, 0, "", "telly serve --direct-key", DIRECT_KEY_WAIT_MS, NULL, NULL,
			  err, sizeof err) < 0)
		goto out;
	rp_enc_begin(&e, frame, sizeof frame, RP_DIRECT, 0, 0);
	rp_put_u32(&e, 1);
	rp_put_str(&e, bind, strlen(bind));
	n = rp_enc_end(&e);
	if (n < 0) {
		snprintf(err, sizeof err, "--direct-bind '%s' is too long", bind);
		goto out;
	}
	if (rp_desk_call(c, frame, (size_t)n, 1, &h, &p, DIRECT_KEY_WAIT_MS, err, sizeof err) < 0)
		goto out;
	if (h.type != RP_OK || rp_req_str_decode(p, h.len, &req, &text) < 0) {
		snprintf(err, sizeof err, "the daemon's answer to DIRECT was malformed");
		goto out;
	}
	printf("TELLY DIRECT %.*s\n", (int)text.n, text.p);
	rc = fflush(stdout) == 0 ? 0 : 1;
	explicit_bzero((void *)(uintptr_t)text.p, text.n);
	err[0] = 0;
out:
	if (err[0])
		fprintf(stderr, "telly serve --direct-key: %s\n", err);
	rp_conn_destroy(c);
	return rc;
}

static void serve_usage(FILE *f)
{
	fputs("usage: telly serve [--stdio | --direct-key [--direct-bind ADDR[:PORT]]]\n"
	      "                   [--listen HOST:PORT [--allow-remote]]\n"
	      "                   [--log-dir DIR] [--log-cap BYTES] [--x-server KIND]\n"
	      "                   [--hello-timeout MS] [--frame-timeout MS]\n"
	      "                   [--consoles FILE] [--console NAME=BACKEND]...\n"
	      "                   [--ssh-listen ADDR:PORT --ssh-keys FILE [--ssh-host-key FILE]]\n"
	      "\n"
	      "Run this user's telly daemon in the foreground. It holds the sessions\n"
	      "(programs on ptys), their screens and logs, and listens on a unix socket\n"
	      "in the runtime directory ($TELLY_DIR, else /tmp/telly-UID: not under\n"
	      "$XDG_RUNTIME_DIR, which logind removes at logout; made again if it is\n"
	      "removed while the daemon runs), where its own messages go too\n"
	      "(serve.log). Clients start it by themselves when needed; it exits with\n"
	      "its last session.\n"
	      "\n"
	      "  --stdio            speak the protocol on stdin/stdout, joining the\n"
	      "                     running daemon or starting it (what `telly attach\n"
	      "                     user@host` runs through ssh)\n"
	      "  --direct-key       print `TELLY DIRECT ADDR PORT SECRET`: a one-time\n"
	      "                     secret from the daemon (joined or started) and the\n"
	      "                     TCP port it listens on for it (what `telly attach\n"
	      "                     --direct` runs through ssh; the secret is forgotten\n"
	      "                     if unused for 60 s). It listens on --direct-bind,\n"
	      "                     else the address sshd was reached on\n"
	      "                     ($SSH_CONNECTION), else 127.0.0.1; any free port\n"
	      "                     unless ADDR:PORT names one\n"
	      "  --listen HOST:PORT also listen on TCP; clients must present the token\n"
	      "                     kept in the runtime directory's 'token' file (0600).\n"
	      "                     Only loopback addresses unless --allow-remote\n"
	      "  --log-dir DIR      the log folder, kept across reboots: DIR/logs/NAME.log\n"
	      "                     for each session and console, DIR/audit.log (default:\n"
	      "                     the config file's log-dir, else $XDG_STATE_HOME/telly,\n"
	      "                     else ~/.local/state/telly; made 0700, refused if\n"
	      "                     someone else owns it or may write to it)\n"
	      "  --log-cap BYTES    rotate a session's log past this size (default: the\n"
	      "                     config file's log-cap, else 8M)\n"
	      "  --x-server auto|xorg|xvfb  the X server of X sessions: X.Org's with\n"
	      "                     the dummy driver, which takes the size of the desk\n"
	      "                     that views it; Xvfb, which keeps its first size;\n"
	      "                     auto: Xorg if installed, else Xvfb (default: the\n"
	      "                     config file's x-server, else auto)\n"
	      "  --hello-timeout MS close a connection that has not said HELLO (logged\n"
	      "                     in) this long after connecting (default 10000)\n"
	      "  --frame-timeout MS close a connection whose frame, once begun, is not\n"
	      "                     whole this long after (default 30000)\n"
	      "\n"
	      "Consoles (VM serial consoles and the like; see vmconsole/README.md):\n"
	      "  --consoles FILE    the consoles to serve, one [NAME] section each\n"
	      "  --console NAME=BACKEND  one more: unix:PATH (a QEMU socket chardev),\n"
	      "                     pty:PATH, tcp:HOST:PORT or exec:COMMAND\n"
	      "  --ssh-listen ADDR:PORT  an SSH server for them: `ssh -p PORT NAME@HOST`\n"
	      "                     attaches to console NAME, `ssh -p PORT HOST` lists\n"
	      "  --ssh-keys FILE    authorized_keys whose lines say consoles=\"GLOB:rw,...\"\n"
	      "  --ssh-host-key FILE  kept here, made once (default\n"
	      "                     $XDG_STATE_HOME/telly/ssh_host_ed25519_key)\n"
	      "Each console is a session (telly attach NAME, telly view), a pty linked\n"
	      "at RUNDIR/consoles/NAME (for picocom or screen), and a timestamped log\n"
	      "in LOGDIR/logs/NAME.log; who attached, took over or sent a break is in\n"
	      "LOGDIR/audit.log (LOGDIR: --log-dir's folder).\n"
	      "\n"
	      "The config file ($XDG_CONFIG_HOME/telly/config, else\n"
	      "~/.config/telly/config) gives log-dir, log-cap and x-server defaults,\n"
	      "also to a daemon that a client starts; the command line overrides them.\n",
	      f);
}

static int load_consoles(struct vmc_config *cfg, const char *path, char *err, size_t errn)
{
	size_t n;
	char *text = vmc_read_file(path, &n, err, errn);
	int r;

	if (!text)
		return -1;
	r = vmc_config_parse(cfg, text, n, path, err, errn);
	free(text);
	return r;
}

/* The keys file is read again for each connection (edits apply without a
 * restart, as sshd's authorized_keys); here it is only checked. */
static int check_keys(const char *path, char *err, size_t errn)
{
	size_t n;
	char *text = vmc_read_file(path, &n, err, errn);
	struct vmc_key *keys;
	int r;

	if (!text)
		return -1;
	r = vmc_keys_parse(text, n, path, &keys, err, errn);
	free(text);
	if (r >= 0)
		vmc_keys_free(keys, r);
	return r < 0 ? -1 : 0;
}

static void default_host_key(char *out, size_t n)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state && *state)
		snprintf(out, n, "%s/telly/ssh_host_ed25519_key", state);
	else
		snprintf(out, n, "%s/.local/state/telly/ssh_host_ed25519_key",
			 home && *home ? home : "/tmp");
}

/* What the config file says for the daemon, under what the command line
 * said: the log folder (log_dir NULL: not given) and, unless cap_given,
 * the log cap. o->log_dir ends up pointing into buf. 0; -2 for a config
 * file in error, -1 for a log folder refused (err says). */
static int serve_defaults(struct telly_serve_opts *o, const char *log_dir, bool cap_given,
			  char *buf, size_t n, char *err, size_t errn)
{
	struct telly_config cfg;

	if (telly_config_load(&cfg, err, errn) < 0)
		return -2;
	if (!cap_given && cfg.log_cap)
		o->log_cap = cfg.log_cap;
	if (!o->x_server)
		o->x_server = cfg.x_server;
	if (!log_dir && cfg.log_dir[0])
		log_dir = cfg.log_dir;
	if (telly_logdir(log_dir, buf, n, err, errn) < 0)
		return -1;
	o->log_dir = buf;
	return 0;
}

int telly_serve(int argc, char **argv)
{
	struct telly_serve_opts o = {.log_cap = TELLY_LOG_CAP_DEFAULT, .ssh_fd = -1};
	struct vmc_config cfg = {0};
	bool stdio = false, cap_given = false, direct = false;
	int daemon_fd = -1;
	const char *log_dir = NULL, *direct_bind = NULL;
	char ssh_addr[80];
	char dir[256], err[400] = "", host_key[300], log_buf[TELLY_LOG_DIR_MAX + 1];
	int listen_fd, rc;
	struct rp_transport *t;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--stdio")) {
			stdio = true;
		} else if (!strcmp(argv[i], "--daemon-fd") && i + 1 < argc) {
			/* Not for people: a daemon a client started (serve_exec). */
			char *end;
			long fd = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i] || fd < 3 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0) {
				fprintf(stderr, "telly serve: --daemon-fd wants a listening socket, got '%s'\n",
					argv[i]);
				return 2;
			}
			daemon_fd = (int)fd;
		} else if (!strcmp(argv[i], "--direct-key")) {
			direct = true;
		} else if (!strcmp(argv[i], "--direct-bind") && i + 1 < argc) {
			direct_bind = argv[++i];
		} else if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			o.listen = argv[++i];
		} else if (!strcmp(argv[i], "--allow-remote")) {
			o.allow_remote = true;
		} else if (!strcmp(argv[i], "--consoles") && i + 1 < argc) {
			if (load_consoles(&cfg, argv[++i], err, sizeof err) < 0)
				goto bad_consoles;
			o.consoles = &cfg;
		} else if (!strcmp(argv[i], "--console") && i + 1 < argc) {
			if (vmc_config_add_arg(&cfg, argv[++i], err, sizeof err) < 0)
				goto bad_consoles;
			o.consoles = &cfg;
		} else if (!strcmp(argv[i], "--ssh-listen") && i + 1 < argc) {
			o.ssh_listen = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-keys") && i + 1 < argc) {
			o.ssh_keys = argv[++i];
		} else if (!strcmp(argv[i], "--ssh-host-key") && i + 1 < argc) {
			o.ssh_host_key = argv[++i];
		} else if (!strcmp(argv[i], "--log-dir") && i + 1 < argc) {
			log_dir = argv[++i];
		} else if (!strcmp(argv[i], "--x-server") && i + 1 < argc) {
			if (!(o.x_server = telly_x_server_parse(argv[++i]))) {
				fprintf(stderr, "telly serve: --x-server wants auto, xorg or xvfb, got '%s'\n",
					argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--log-cap") && i + 1 < argc) {
			cap_given = true;
			if (base_parse_size(argv[++i], &o.log_cap) < 0) {
				fprintf(stderr, "telly serve: --log-cap wants a size of at least 4096 "
						"bytes (suffix K, M or G), got '%s'\n",
					argv[i]);
				return 2;
			}
		} else if ((!strcmp(argv[i], "--hello-timeout") || !strcmp(argv[i], "--frame-timeout")) &&
			   i + 1 < argc) {
			char *end;
			long ms = strtol(argv[i + 1], &end, 10);
			if (*end || end == argv[i + 1] || ms < 1 || ms > TIMEOUT_MAX_MS) {
				fprintf(stderr, "telly serve: %s wants milliseconds from 1 to %d, got '%s'\n",
					argv[i], TIMEOUT_MAX_MS, argv[i + 1]);
				return 2;
			}
			*(argv[i][2] == 'h' ? &o.hello_ms : &o.frame_ms) = ms;
			i++;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			serve_usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "telly serve: unknown option '%s'\n", argv[i]);
			serve_usage(stderr);
			return 2;
		}
	}
	if ((o.ssh_listen || o.ssh_keys) && !(o.ssh_listen && o.ssh_keys && o.consoles)) {
		fprintf(stderr, "telly serve: the SSH front door wants --ssh-listen ADDR:PORT, "
				"--ssh-keys FILE and consoles (--consoles FILE or --console)\n");
		vmc_config_finish(&cfg);
		return 2;
	}
	if (stdio && o.consoles) {
		fprintf(stderr, "telly serve: consoles are served by a daemon run in the foreground "
				"(telly serve --consoles FILE), not with --stdio\n");
		vmc_config_finish(&cfg);
		return 2;
	}
	if (o.ssh_listen) {
		if (!o.ssh_host_key) {
			default_host_key(host_key, sizeof host_key);
			o.ssh_host_key = host_key;
		}
		if (check_keys(o.ssh_keys, err, sizeof err) < 0 ||
		    vmc_sshd_host_key(o.ssh_host_key, err, sizeof err) < 0) {
			fprintf(stderr, "telly serve: %s\n", err);
			vmc_config_finish(&cfg);
			return 2;
		}
	}
	if (direct && (stdio || o.consoles || o.listen)) {
		fprintf(stderr, "telly serve: --direct-key asks the daemon for a secret and "
				"exits; it takes no --stdio, --listen or consoles\n");
		vmc_config_finish(&cfg);
		return 2;
	}
	if (direct || stdio) {
		/* The log folder and the config file matter only to a daemon
		 * to start: one that runs is joined whatever they say. */
		t = telly_daemon_connect(false, &o, err, sizeof err);
		if (!t && (rc = serve_defaults(&o, log_dir, cap_given, log_buf, sizeof log_buf, err,
					       sizeof err)) < 0)
			goto bad_defaults;
		if (!t)
			t = telly_daemon_connect(true, &o, err, sizeof err);
		if (!t) {
			fprintf(stderr, "telly serve: %s\n", err);
			return 1;
		}
	}
	if (direct) {
		if (!direct_bind)
			direct_bind = ssh_server_address(ssh_addr, sizeof ssh_addr);
		return direct_key(t, direct_bind ? direct_bind : "127.0.0.1");
	}
	if (stdio) {
		char why[HANDOFF_ERROR_BYTES + 32] = "";
		rc = hand_over(t, why, sizeof why);
		if (rc < 0) { /* a daemon that does not take them: copy */
			/* Said, since every byte now costs a copy and two
			 * wakeups more each way; ssh shows it on the desk. */
			fprintf(stderr, "telly serve --stdio: the daemon did not take ssh's pipes (%s); "
					"relaying them instead\n", why);
			rp_transport_destroy(t);
			if (!o.log_dir && (rc = serve_defaults(&o, log_dir, cap_given, log_buf,
							      sizeof log_buf, err, sizeof err)) < 0)
				goto bad_defaults;
			t = telly_daemon_connect(true, &o, err, sizeof err);
			if (!t) {
				fprintf(stderr, "telly serve: %s\n", err);
				return 1;
			}
			rc = relay(t);
		}
		rp_transport_destroy(t);
		return rc;
	}
	rc = serve_defaults(&o, log_dir, cap_given, log_buf, sizeof log_buf, err, sizeof err);
	if (rc < 0)
		goto bad_defaults;
	if (daemon_fd >= 0) {
		fcntl(daemon_fd, F_SETFD, FD_CLOEXEC);
		if (telly_rundir(dir, sizeof dir, err, sizeof err) < 0) {
			fprintf(stderr, "telly serve: %s\n", err);
			return 1;
		}
		return serve_main(daemon_fd, dir, &o, 0, NULL);
	}
	listen_fd = telly_daemon_claim(dir, sizeof dir, &t, err, sizeof err);
	if (t) {
		rp_transport_destroy(t);
		fprintf(stderr, "telly serve: a server is already running in %s\n", dir);
		return 1;
	}
	if (listen_fd < 0) {
		fprintf(stderr, "telly serve: %s\n", err);
		vmc_config_finish(&cfg);
		return 1;
	}
	if (o.ssh_listen && (o.ssh_fd = vmc_sshd_listen(o.ssh_listen, err, sizeof err)) < 0) {
		fprintf(stderr, "telly serve: %s\n", err);
		close(listen_fd);
		vmc_config_finish(&cfg);
		return 1;
	}
	rc = serve_main(listen_fd, dir, &o, argc, argv);
	vmc_config_finish(&cfg);
	return rc;
bad_consoles:
	fprintf(stderr, "telly serve: %s\n", err);
	vmc_config_finish(&cfg);
	return 2;
bad_defaults: /* the config file (2) or the log folder (1) */
	fprintf(stderr, "telly serve: %s\n", err);
	vmc_config_finish(&cfg);
	return rc == -2 ? 2 : 1;
}


struct rp_transport *telly_daemon_connect(bool start, const struct telly_serve_opts *o,
					  char *err, size_t errn)
{
	char dir[256], sock[300], log_buf[TELLY_LOG_DIR_MAX + 1];
	struct rp_transport *t;
	int listen_fd;
	struct telly_serve_opts def = {.log_cap = TELLY_LOG_CAP_DEFAULT};

	if (!o)
		o = &def;
	if (telly_rundir(dir, sizeof dir, err, errn) < 0)
		return NULL;
	snprintf(sock, sizeof sock, "%s/serve.sock", dir);
	t = rp_transport_unix_connect(sock);
	if (t || !start) {
		if (!t)
			snprintf(err, errn, "no server running on %s", sock);
		return t;
	}
	/* A daemon to start: its log folder and cap as `telly serve` would
	 * have them (the config file's, else the defaults), said to whoever
	 * wanted it if they are wrong. */
	if (!o->log_dir) {
		if (o != &def)
			def = *o;
		if (serve_defaults(&def, NULL, o != &def, log_buf, sizeof log_buf, err, errn) < 0)
			return NULL;
		o = &def;
	}
	listen_fd = telly_daemon_claim(dir, sizeof dir, &t, err, errn);
	if (t || listen_fd < 0)
		return t;
	/* Connected before the daemon runs (the socket listens already):
	 * first in its queue, so it never sees another client come and go
	 * first and, with nobody left, exit before this one reached it. */
	t = rp_transport_unix_connect(sock);
	if (!t) {
		snprintf(err, errn, "cannot reach the new server on %s: %s", sock, strerror(errno));
		close(listen_fd);
		return NULL;
	}
	if (telly_serve_spawn(listen_fd, rp_transport_read_fd(t), dir, o, err, errn) < 0) {
		rp_transport_destroy(t);
		close(listen_fd);
		return NULL;
	}
	return t;
}
