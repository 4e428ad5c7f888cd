/* The SSH front door: `ssh -p PORT vm1@host` reaches console vm1.
 *
 * Its processes, as OpenSSH's sshd keeps its privileges apart
 * (vmconsole/README.md has the picture):
 *
 *   listener  vmc_sshd_run, forked by the daemon: accepts, and counts the
 *             connections that have not logged in yet; past
 *             STARTUPS_MAX, a new one takes the place of the one that made
 *             the least progress (the oldest that has not finished key
 *             exchange), so a flood of silent connections cannot keep a
 *             person out.
 *   monitor   a fork of the listener per connection, which never parses the
 *             client's bytes: it reads the keys file and says which keys
 *             may log in, ends the connection when the login grace time
 *             runs out (key exchange included), connects to the daemon
 *             only once a key is accepted and the person asks for a
 *             console, opens that console with the rights the key has,
 *             and then passes on only that console's frames.
 *   session   session.c: a fresh exec of telly per connection, libssh in a
 *             seccomp sandbox, with the client's socket and the monitor's
 *             and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <libssh/libssh.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "desk.h"
#include "door.h"
#include "rp_io.h"
#include "vmc.h"

#define STARTUPS_MAX 64       /* connections that have not logged in */
#define CHILDREN_MAX 512      /* connections in all */
#define LOGIN_GRACE_DEFAULT_S 30 /* from accept to asking for a console */
#define LOGIN_GRACE_MAX_S 600
#define LOGIN_GRACE_ENV "TELLY_SSH_LOGIN_GRACE"
#define DROP_LOG_INTERVAL_MS 10000 /* dropped connections: one line at most this often */
#define ACCEPT_PAUSE_MS 100   /* after EMFILE and the like */
#define DAEMON_ANSWER_MS 5000
#define KEY_QUERIES_MAX 32    /* a session asking more is not libssh */
#define SESSION_LOG_LINES_MAX 200
#define RELAY_QUEUE_BYTES (256u << 10) /* queued one way before the other side is read */
#define PEER_MAX 80

extern char **environ;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	char who[32];

	snprintf(who, sizeof who, "telly sshd[%d]", (int)getpid());
	va_start(ap, fmt);
	base_vlog(who, fmt, ap);
	va_end(ap);
}

int vmc_sshd_listen(const char *addr_port, char *err, size_t errn)
{
	char why[300];
	/* Public-key logins only: any address may be served. */
	int fd = rp_tcp_listen(addr_port, false, why, sizeof why);

	if (fd < 0)
		snprintf(err, errn, "--ssh-listen %s", why);
	return fd < 0 ? -1 : fd;
}

static int mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

/* The key is written into a file created 0600 (O_EXCL: never one that
 * was there), then linked to its name, which never exists with other
 * bits or half written. */
static int write_key_file(const char *path, const char *pem, char *err, size_t errn)
{
	char tmp[VMC_PATH_MAX + 32];
	int fd, e = 0;

	snprintf(tmp, sizeof tmp, "%s.new.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errn, "host key %s: cannot create it: %s", tmp, strerror(errno));
		return -1;
	}
	if (base_write_all(fd, pem, strlen(pem), -1) != strlen(pem) || fsync(fd) < 0)
		e = errno ? errno : EIO;
	if (close(fd) < 0 && !e)
		e = errno;
	if (!e && link(tmp, path) < 0)
		e = errno;
	unlink(tmp);
	if (e && e != EEXIST) {
		snprintf(err, errn, "host key %s: cannot write it: %s", path, strerror(e));
		return -1;
	}
	return 0; /* EEXIST: another daemon made one meanwhile, which is as good */
}

int vmc_sshd_host_key(const char *path, char *err, size_t errn)
{
	ssh_key key = NULL;
	char dir[VMC_PATH_MAX + 1], *pem = NULL;
	int r;

	if (access(path, F_OK) < 0) {
		snprintf(dir, sizeof dir, "%s", path);
		if (mkdirs(dir) < 0) {
			snprintf(err, errn, "host key %s: cannot make its directory: %s", path,
				 strerror(errno));
			return -1;
		}
		if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
		    ssh_pki_export_privkey_base64(key, NULL, NULL, NULL, &pem) != SSH_OK) {
			snprintf(err, errn, "host key %s: cannot generate it", path);
			ssh_key_free(key);
			return -1;
		}
		ssh_key_free(key);
		key = NULL;
		r = write_key_file(path, pem, err, errn);
		explicit_bzero(pem, strlen(pem));
		ssh_string_free_char(pem);
		if (r < 0)
			return -1;
	}
	if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
		snprintf(err, errn, "host key %s: not a private key libssh can read", path);
		return -1;
	}
	ssh_key_free(key);
	return 0;
}

/* ---- the monitor: one per connection ---- */

struct mon {
	const struct vmc_sshd_opts *o;
	char peer[PEER_MAX];
	int progress_fd; /* to the listener; -1 once logged in */
	pid_t session_pid;
	struct rp_conn *sess, *daemon;
	/* the keys file, read at the first key offered */
	struct vmc_key *keys;
	int nkeys;
	bool keys_read;
	/* logged in */
	bool authed;
	struct vmc_key key;
	char user[VMC_NAME_MAX + 1], fp[80], who[200];
	/* attached */
	bool attached, readonly, detached;
	bool opened; /* an OPEN was asked: one a connection, whatever came of it */
	uint16_t chan;
	int queries, log_lines;
	uint8_t *frame; /* RP_MAX_FRAME bytes */
};

static void progress(struct mon *m, char what)
{
	if (m->progress_fd >= 0 && write(m->progress_fd, &what, 1) < 0) {
		/* The listener is gone; the daemon's EOF ends us soon. */
	}
}

static void fingerprint(ssh_key pub, char *out_fp, size_t n)
{
	unsigned char *hash = NULL;
	size_t hlen;
	char *fp;

	snprintf(out_fp, n, "?");
	if (ssh_get_publickey_hash(pub, SSH_PUBLICKEY_HASH_SHA256, &hash, &hlen) != 0)
		return;
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	if (fp)
		snprintf(out_fp, n, "%s", fp);
	ssh_string_free_char(fp);
	ssh_clean_pubkey_hash(&hash);
}

static void bad_key_line(void *ctx, const char *msg)
{
	struct mon *m = ctx;

	say("%s: %s (this line is left out; the other keys work)", m->peer, msg);
}

/* The keys file as it is now (read again for every connection, as sshd's
 * authorized_keys; a bad line costs only itself). */
static void read_keys(struct mon *m)
{
	size_t n;
	char err[300], *text;

	m->keys_read = true;
	text = vmc_read_file(m->o->keys_file, &n, err, sizeof err);
	if (!text) {
		say("%s: %s", m->peer, err);
		return;
	}
	m->nkeys = vmc_keys_parse_lenient(text, n, m->o->keys_file, &m->keys, bad_key_line, m, err,
					  sizeof err);
	free(text);
	if (m->nkeys < 0) {
		say("%s: %s (no key accepted until it is fixed)", m->peer, err);
		m->nkeys = 0;
	}
}

/* The first entry of the keys file for pub, or NULL. */
static const struct vmc_key *find_key(struct mon *m, ssh_key pub)
{
	if (!m->keys_read)
		read_keys(m);
	for (int i = 0; i < m->nkeys; i++) {
		ssh_key k = NULL;
		bool same;
		if (ssh_pki_import_pubkey_base64(m->keys[i].b64, ssh_key_type_from_name(m->keys[i].type),
						 &k) != SSH_OK)
			continue;
		same = ssh_key_cmp(k, pub, SSH_KEY_CMP_PUBLIC) == 0;
		ssh_key_free(k);
		if (same)
			return &m->keys[i];
	}
	return NULL;
}

static int send_frame(struct rp_conn *c, struct rp_enc *e)
{
	long n = rp_enc_end(e);

	return n < 0 || rp_conn_send(c, e->buf, (size_t)n) < 0 ? -1 : 0;
}

/* DOOR_KEY: u8 proven, then exactly three NUL-terminated strings. */
static int on_key(struct mon *m, const uint8_t *p, size_t n)
{
	const char *user, *type, *b64, *end = (const char *)p + n;
	const struct vmc_key *k = NULL;
	ssh_key pub = NULL;
	char fp[80] = "?";
	struct rp_enc e;
	bool proven, ok = false;

	if (n < 4 || p[n - 1] || ++m->queries > KEY_QUERIES_MAX || m->authed)
		return -1;
	proven = p[0];
	user = (const char *)p + 1;
	type = user + strlen(user) + 1;
	if (type >= end)
		return -1;
	b64 = type + strlen(type) + 1;
	if (b64 >= end || b64 + strlen(b64) + 1 != end)
		return -1;
	if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type), &pub) == SSH_OK) {
		fingerprint(pub, fp, sizeof fp);
		k = find_key(m, pub);
	}
	ssh_key_free(pub);
	if (!k) {
		if (!proven)
			say("%s: key %s (user %.64s) is not in %s: refused", m->peer, fp, user,
			    m->o->keys_file);
	} else if (!k->ngrants) {
		say("%s: key %s (%s) has no consoles=\"...\" option: refused", m->peer, fp, k->name);
	} else {
		ok = true;
	}
	if (ok && proven) {
		m->authed = true;
		m->key = *k;
		m->key.b64 = NULL;
		/* A name longer than any console's is no console. */
		snprintf(m->user, sizeof m->user, "%s", strlen(user) <= VMC_NAME_MAX ? user : "");
		snprintf(m->fp, sizeof m->fp, "%s", fp);
		snprintf(m->who, sizeof m->who, "ssh:%s (key %s, from %s)", k->name, fp, m->peer);
		say("%s: %s logged in as %.64s", m->peer, k->name, user);
		progress(m, 'a');
		close(m->progress_fd);
		m->progress_fd = -1;
	}
	rp_enc_begin(&e, m->frame, RP_MAX_FRAME, DOOR_KEY_OK, ok ? 1 : 0, 0);
	if (k)
		rp_put_bytes(&e, k->name, strlen(k->name));
	return send_frame(m->sess, &e);
}

static void on_log(struct mon *m, const uint8_t *p, size_t n)
{
	if (++m->log_lines > SESSION_LOG_LINES_MAX) {
		if (m->log_lines == SESSION_LOG_LINES_MAX + 1)
			say("%s: more lines from this connection are left out", m->peer);
		return;
	}
	if (n > DOOR_LOG_BYTES)
		n = DOOR_LOG_BYTES;
	if (m->authed)
		say("%s (%s): %.*s", m->peer, m->key.name, (int)n, (const char *)p);
	else
		say("%s: %.*s", m->peer, (int)n, (const char *)p);
}

static int send_text(struct mon *m, const char *text)
{
	struct rp_enc e;

	rp_enc_begin(&e, m->frame, RP_MAX_FRAME, DOOR_TEXT, 0, 0);
	rp_put_bytes(&e, text, strlen(text));
	return send_frame(m->sess, &e);
}

/* Not a console of this key: what it may use, by name and right only
 * (a backend's target, an exec: command line above all, is the host's
 * business). Unknown and forbidden look the same. The list comes first:
 * `ssh -p PORT host`, the documented way to ask for it, logs in as the
 * person's own name, and a complaint about that name is not the answer. */
static int send_listing(struct mon *m)
{
	const struct vmc_config *cfg = m->o->cfg;
	char *text = malloc(RP_MAX_PAYLOAD), user[4 * VMC_NAME_MAX + 1];
	size_t o = 0, cap = RP_MAX_PAYLOAD;
	unsigned shown = 0;
	int r;

	if (!text)
		return -1;
	base_log_escape(m->user, strlen(m->user), false, user, sizeof user);
	o += (size_t)snprintf(text + o, cap - o,
			      "telly: consoles for %s (ssh -p PORT NAME@HOST to attach):\r\n",
			      m->key.name);
	for (unsigned i = 0; i < cfg->n && o < cap - 128 - sizeof user - sizeof m->key.name; i++) {
		enum vmc_right right = vmc_access(&m->key, &cfg->specs[i]);
		if (right == VMC_NONE)
			continue;
		o += (size_t)snprintf(text + o, cap - o, "  %-20s %s\r\n", cfg->specs[i].name,
				      right == VMC_RW ? "rw" : "ro");
		shown++;
	}
	if (!shown)
		o += (size_t)snprintf(text + o, cap - o, "  (none)\r\n");
	snprintf(text + o, cap - o, "telly: '%s' is not a console of %s.\r\n", user, m->key.name);
	r = send_text(m, text);
	free(text);
	return r;
}

/* The session asks to attach (RP_OPEN: its term and size are taken, the
 * name and the rights are the monitor's). */
static int on_open(struct mon *m, const uint8_t *p, size_t n)
{
	const struct vmc_config *cfg = m->o->cfg;
	const struct vmc_spec *spec = NULL;
	enum vmc_right right = VMC_NONE;
	struct rp_transport *t;
	struct rp_open req;
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80};
	struct rp_hdr h;
	const uint8_t *a;
	char err[300], term[64];
	struct rp_enc e;
	long len;
	int r;

	if (!m->authed || m->attached || rp_open_decode(p, n, &req) < 0)
		return -1;
	/* session.c asks once and ends at the answer: another OPEN is not
	 * the person's, and must not make another daemon connection. */
	if (m->opened) {
		rp_conn_error(m->sess, 0, RP_E_PROTO, req.req, true, "one console a connection");
		return 0;
	}
	m->opened = true;
	vmc_winsize_bound(req.ws.ws_col, req.ws.ws_row, &ws.ws_col, &ws.ws_row);
	snprintf(term, sizeof term, "%.*s", (int)req.term.n, req.term.p);
	for (unsigned i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->specs[i].name, m->user))
			spec = &cfg->specs[i];
	if (spec)
		right = vmc_access(&m->key, spec);
	if (right == VMC_NONE)
		return send_listing(m);
	m->readonly = right != VMC_RW;
	/* Only now, with a key accepted and a console it may use, is the
	 * daemon reached. */
	t = rp_transport_unix_connect(m->o->daemon_sock);
	if (!t || !(m->daemon = rp_conn_create(t, 2048, 1u << 20))) {
		snprintf(err, sizeof err, "cannot reach the daemon: %s", strerror(errno));
		rp_transport_destroy(t);
		goto fail;
	}
	r = rp_desk_hello(m->daemon, RP_CAP_LINEMODE, "", m->who, DAEMON_ANSWER_MS, &h, &a, err,
			  sizeof err);
	if (r == -EREMOTEIO)
		goto refused;
	if (r < 0)
		goto fail;
	len = rp_open_frame(m->frame, RP_MAX_FRAME, 1,
			    RP_OPEN_ATTACH | (m->readonly ? RP_OPEN_READONLY : 0), spec->name, term, "",
			    &ws, NULL, 0);
	r = len < 0 ? (int)len
		    : rp_desk_call(m->daemon, m->frame, (size_t)len, 1, &h, &a, DAEMON_ANSWER_MS,
				   err, sizeof err);
	if (r == -EREMOTEIO)
		goto refused;
	if (r < 0)
		goto fail;
	m->attached = true;
	m->chan = h.chan;
	rp_enc_begin(&e, m->frame, RP_MAX_FRAME, DOOR_ATTACHED, m->readonly ? 1 : 0, m->chan);
	return send_frame(m->sess, &e);
refused:
	/* The daemon's ERROR goes to the person as it is. */
	rp_hdr_encode(m->frame, h.type, h.flags, h.chan, h.len);
	memcpy(m->frame + RP_HDR_SIZE, a, h.len);
	rp_conn_destroy(m->daemon); /* a is in its buffer: copied first */
	m->daemon = NULL;
	return rp_conn_send(m->sess, m->frame, RP_HDR_SIZE + h.len);
fail:
	say("%s (%s): %s: %s", m->peer, m->key.name, spec->name, err);
	rp_conn_error(m->sess, 0, RP_E_PROTO, 1, true, err);
	/* Not attached: its daemon connection (it said HELLO, so no
	 * deadline ends it there) goes now, not at our end. */
	rp_conn_destroy(m->daemon);
	m->daemon = NULL;
	return 0;
}

/* A frame from the session once attached: only this channel's, and only
 * what the key's right allows. */
static int relay_to_daemon(struct mon *m, const struct rp_hdr *h, const uint8_t *p)
{
	struct kpty_winsize ws;
	uint8_t buf[32];
	struct rp_enc e;

	if (h->type == DOOR_LOG) {
		on_log(m, p, h->len);
		return 0;
	}
	if (h->chan != m->chan)
		return -1;
	switch (h->type) {
	case RP_INPUT:
		if (h->len < 4)
			return -1;
		break;
	case RP_WINSIZE:
		if (rp_winsize_decode(p, h->len, &ws) < 0)
			return -1;
		if (m->readonly || !vmc_winsize_bound(ws.ws_col, ws.ws_row, &ws.ws_col, &ws.ws_row))
			return 0;
		rp_enc_begin(&e, buf, sizeof buf, RP_WINSIZE, 0, m->chan);
		rp_put_winsize(&e, &ws);
		return send_frame(m->daemon, &e);
	case RP_BREAK:
	case RP_TAKEOVER:
	case RP_DETACH:
		if (h->len)
			return -1;
		m->detached |= h->type == RP_DETACH;
		break;
	default:
		return -1;
	}
	if (m->readonly && h->type != RP_DETACH)
		return 0;
	rp_hdr_encode(m->frame, h->type, 0, m->chan, h->len);
	memcpy(m->frame + RP_HDR_SIZE, p, h->len);
	return rp_conn_send(m->daemon, m->frame, RP_HDR_SIZE + h->len);
}

static int relay_to_session(struct mon *m, const struct rp_hdr *h, const uint8_t *p)
{
	rp_hdr_encode(m->frame, h->type, h->flags, h->chan, h->len);
	memcpy(m->frame + RP_HDR_SIZE, p, h->len);
	return rp_conn_send(m->sess, m->frame, RP_HDR_SIZE + h->len);
}

/* A frame from the session before it is attached. */
static int pre_attach(struct mon *m, const struct rp_hdr *h, const uint8_t *p)
{
	switch (h->type) {
	case DOOR_KEX:
		progress(m, 'k');
		return 0;
	case DOOR_LOG:
		on_log(m, p, h->len);
		return 0;
	case DOOR_KEY:
		return on_key(m, p, h->len);
	case RP_OPEN:
		return on_open(m, p, h->len);
	default:
		return -1;
	}
}

/* Starts the session process: a fresh exec of this program, the client on
 * DOOR_SOCK_FD, its end of the socketpair on DOOR_MON_FD, nothing else. */
static pid_t start_session(struct mon *m, int client_fd, int pair_fd)
{
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	int c = fcntl(client_fd, F_DUPFD_CLOEXEC, 10), s = fcntl(pair_fd, F_DUPFD_CLOEXEC, 10);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	char *argv[] = {"telly", DOOR_SUBCOMMAND, (char *)m->o->host_key, NULL};

	/* It dies with its monitor (killed at the grace time, or dropped by
	 * the listener), wherever libssh is waiting. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent || c < 0 || s < 0 || null < 0)
		_exit(127);
	/* Its stderr is nobody's log: what it says goes through the monitor,
	 * escaped. */
	if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    dup2(c, DOOR_SOCK_FD) < 0 || dup2(s, DOOR_MON_FD) < 0)
		_exit(127);
	if (close_range(DOOR_MON_FD + 1, ~0u, 0) < 0)
		for (int fd = DOOR_MON_FD + 1; fd < 65536; fd++)
			close(fd);
	execve("/proc/self/exe", argv, environ);
	_exit(127);
}

static void monitor(const struct vmc_sshd_opts *o, int client_fd, int progress_fd,
		    const char *peer, int grace_ms)
{
	struct mon *m = calloc(1, sizeof *m);
	long deadline = base_now_ms() + grace_ms;
	struct rp_transport *t;
	int pair[2] = {-1, -1}, status;
	const char *why = NULL;

	if (!m || !(m->frame = malloc(RP_MAX_FRAME)) ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
		say("%s: %s", peer, strerror(errno));
		return;
	}
	m->o = o;
	m->progress_fd = progress_fd;
	snprintf(m->peer, sizeof m->peer, "%s", peer);
	ssh_init();
	m->session_pid = start_session(m, client_fd, pair[1]);
	close(client_fd);
	close(pair[1]);
	if (m->session_pid < 0 || !(t = rp_transport_socket(pair[0])) ||
	    !(m->sess = rp_conn_create(t, 2048, 1u << 20))) {
		say("%s: cannot start its session process: %s", peer, strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd pf[2] = {{.fd = rp_conn_fd(m->sess)}, {.fd = -1}};
		struct rp_hdr h;
		const uint8_t *p;
		int f, r = 0;
		long left = deadline - base_now_ms();

		/* Frames already read come first (the replay came with OK). */
		if (m->daemon) {
			while ((f = rp_conn_frame(m->daemon, &h, &p)) == 1 && r == 0)
				r = relay_to_session(m, &h, p);
			if (f < 0 || r < 0) {
				why = "the daemon sent a malformed frame";
				break;
			}
		}
		if (!m->attached && left <= 0) {
			why = m->authed ? "asked for no console within the login grace time"
					: "not logged in within the login grace time";
			break;
		}
		pf[0].events = (short)(rp_conn_wevents(m->sess) |
				       (!m->daemon || rp_conn_queued(m->daemon) < RELAY_QUEUE_BYTES ? POLLIN : 0));
		if (m->daemon) {
			pf[1].fd = rp_conn_fd(m->daemon);
			pf[1].events = (short)(rp_conn_wevents(m->daemon) |
					       (rp_conn_queued(m->sess) < RELAY_QUEUE_BYTES ? POLLIN : 0));
		}
		if (poll(pf, 2, m->attached ? -1 : (int)(left < 1000 ? left : 1000)) < 0 &&
		    errno != EINTR)
			break;
		if ((pf[0].revents & POLLOUT && rp_conn_flush(m->sess) < 0) ||
		    (pf[1].revents & POLLOUT && rp_conn_flush(m->daemon) < 0))
			break;
		if (pf[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t rr = rp_conn_read(m->daemon);
			if (rr == 0 || (rr < 0 && rr != -EAGAIN))
				break; /* the daemon went: the session says so at our EOF */
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t rr = rp_conn_read(m->sess);
			if (rr == 0 || (rr < 0 && rr != -EAGAIN))
				break; /* the connection ended */
			while ((f = rp_conn_frame(m->sess, &h, &p)) == 1 && r == 0)
				r = m->attached ? relay_to_daemon(m, &h, p) : pre_attach(m, &h, p);
			if (f < 0 || r < 0) {
				/* Not what session.c sends: whatever runs there
				 * now is not to be talked to. */
				why = "its session process broke the door's protocol";
				break;
			}
		}
		rp_conn_flush(m->sess);
		if (m->daemon)
			rp_conn_flush(m->daemon);
	}
	if (why)
		say("%s: %s: closed", peer, why);
	if (m->daemon && m->attached && !m->detached &&
	    rp_desk_send_empty(m->daemon, RP_DETACH, m->chan) == 0)
		rp_conn_flush_wait(m->daemon, 500);
	if (why)
		kill(m->session_pid, SIGKILL);
	else
		rp_conn_flush_wait(m->sess, 500);
out:
	rp_conn_destroy(m->daemon);
	rp_conn_destroy(m->sess); /* its EOF: the session closes the connection */
	if (m->session_pid > 0 && waitpid(m->session_pid, &status, 0) == m->session_pid) {
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
			say("%s: its session process made a call its sandbox forbids: killed", peer);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			say("%s: its session process did not start (exec of /proc/self/exe)", peer);
	}
	vmc_keys_free(m->keys, m->nkeys);
	free(m->frame);
	free(m);
}

/* ---- the listener ---- */

struct kid {
	pid_t pid;
	int progress_fd; /* its monitor's: 'k' key exchange done, 'a' logged in; -1 */
	int stage;       /* 0 connected, 1 key exchange done, 2 logged in or ending */
	long since_ms;
};

struct listener {
	const struct vmc_sshd_opts *o;
	int sigfd; /* SIGHUP: the consoles read again (o->reload), or -1 */
	struct kid kids[CHILDREN_MAX];
	int nkids, grace_ms;
	long pause_until_ms, drop_logged_ms;
	unsigned dropped, refused;
};

static int login_grace_ms(void)
{
	const char *v = getenv(LOGIN_GRACE_ENV);
	char *end;
	long s;

	if (!v || !*v)
		return LOGIN_GRACE_DEFAULT_S * 1000;
	s = strtol(v, &end, 10);
	if (*end || s < 1 || s > LOGIN_GRACE_MAX_S) {
		say("%s=%.20s: not 1 to %d seconds; %d it is", LOGIN_GRACE_ENV, v, LOGIN_GRACE_MAX_S,
		    LOGIN_GRACE_DEFAULT_S);
		return LOGIN_GRACE_DEFAULT_S * 1000;
	}
	return (int)s * 1000;
}

static void kid_done(struct kid *k)
{
	if (k->progress_fd >= 0)
		close(k->progress_fd);
	k->progress_fd = -1;
	k->stage = 2;
}

static void read_progress(struct kid *k)
{
	char buf[16];
	ssize_t n = read(k->progress_fd, buf, sizeof buf);

	if (n <= 0) {
		kid_done(k);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == 'k' && k->stage < 1)
			k->stage = 1;
		if (buf[i] == 'a')
			kid_done(k);
	}
}

/* Room for one more connection before login: the one that made the least
 * progress (not even key exchange), the oldest of those, makes it. */
static void make_room(struct listener *L)
{
	struct kid *victim = NULL;
	int waiting = 0;

	for (int i = 0; i < L->nkids; i++) {
		struct kid *k = &L->kids[i];
		if (k->stage == 2)
			continue;
		waiting++;
		if (!victim || k->stage < victim->stage ||
		    (k->stage == victim->stage && k->since_ms < victim->since_ms))
			victim = k;
	}
	if (waiting < STARTUPS_MAX || !victim)
		return;
	kill(victim->pid, SIGKILL); /* its session process goes with it */
	kid_done(victim);
	L->dropped++;
}

static void log_drops(struct listener *L, long now)
{
	if (!L->dropped && !L->refused)
		return;
	if (L->drop_logged_ms && now - L->drop_logged_ms < DROP_LOG_INTERVAL_MS)
		return;
	if (L->dropped)
		say("%u connection%s dropped before login: more than %d were waiting to log in "
		    "(the oldest that had not finished key exchange made room)",
		    L->dropped, L->dropped == 1 ? "" : "s", STARTUPS_MAX);
	if (L->refused)
		say("%u connection%s refused: %d already", L->refused, L->refused == 1 ? "" : "s",
		    CHILDREN_MAX);
	L->dropped = L->refused = 0;
	L->drop_logged_ms = now;
}

static void accept_one(struct listener *L, long now)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	char host[64] = "?", port[16] = "?", peer[PEER_MAX];
	int fd = accept4(L->o->listen_fd, (struct sockaddr *)&a, &al, SOCK_CLOEXEC), p[2];
	pid_t pid;

	if (fd < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			say("accept: %s: pausing %d ms", strerror(errno), ACCEPT_PAUSE_MS);
			L->pause_until_ms = now + ACCEPT_PAUSE_MS;
		}
		return;
	}
	make_room(L);
	if (L->nkids == CHILDREN_MAX) {
		L->refused++;
		close(fd);
		return;
	}
	getnameinfo((struct sockaddr *)&a, al, host, sizeof host, port, sizeof port,
		    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(peer, sizeof peer, "%s port %s", host, port);
	if (pipe2(p, O_CLOEXEC) < 0) {
		say("%s: pipe: %s", peer, strerror(errno));
		close(fd);
		return;
	}
	/* Signals held in the monitor until it has its own dispositions: it
	 * is a copy of the listener, which may ignore SIGTERM (inherited from
	 * whoever started the daemon; it leaves once the daemon is gone), and
	 * a SIGTERM the listener sends it then (its own end) would be lost,
	 * the monitor left holding its connection until the login grace. */
	pid = base_fork_held();
	if (pid == 0) {
		close(L->o->listen_fd);
		close(L->o->parent_fd);
		if (L->sigfd >= 0)
			close(L->sigfd);
		close(p[0]);
		for (int i = 0; i < L->nkids; i++)
			if (L->kids[i].progress_fd >= 0)
				close(L->kids[i].progress_fd);
		/* SIGPIPE ignored again before any write: a client gone is
		 * an error return. */
		base_child_signals();
		signal(SIGPIPE, SIG_IGN);
		monitor(L->o, fd, p[1], peer, L->grace_ms);
		_exit(0);
	}
	close(fd);
	close(p[1]);
	if (pid < 0) {
		say("%s: fork: %s", peer, strerror(errno));
		close(p[0]);
		return;
	}
	L->kids[L->nkids++] = (struct kid){.pid = pid, .progress_fd = p[0], .since_ms = now};
}

/* SIGHUP (the daemon reloaded its consoles): the consoles as they are now
 * for the connections that come from here on; on error the old ones stay. */
static void reload_consoles(struct listener *L, struct vmc_sshd_opts *mine,
			    struct vmc_config **reloaded)
{
	struct signalfd_siginfo si;
	struct vmc_config *cfg;
	char err[400] = "";

	while (read(L->sigfd, &si, sizeof si) == sizeof si)
		;
	if (!mine->reload || !(cfg = calloc(1, sizeof *cfg)))
		return;
	if (mine->reload(mine->reload_ctx, cfg, err, sizeof err) < 0) {
		say("consoles not read again: %s; the door keeps the %u it had", err, mine->cfg->n);
		vmc_config_finish(cfg);
		free(cfg);
		return;
	}
	if (*reloaded) {
		vmc_config_finish(*reloaded);
		free(*reloaded);
	}
	*reloaded = cfg;
	mine->cfg = cfg;
	say("consoles read again: %u", cfg->n);
}

int vmc_sshd_run(const struct vmc_sshd_opts *o)
{
	struct listener *L = calloc(1, sizeof *L);
	struct pollfd *pf = calloc(3 + CHILDREN_MAX, sizeof *pf);
	int *slot = calloc(3 + CHILDREN_MAX, sizeof *slot);
	struct vmc_sshd_opts mine = *o;
	struct vmc_config *reloaded = NULL;
	sigset_t hup;

	if (!L || !pf || !slot) {
		say("out of memory");
		free(L), free(pf), free(slot);
		return 1;
	}
	/* SIGHUP stays blocked from the fork (base_fork_held) to the
	 * signalfd: a reload that came meanwhile waits for it. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_SETMASK, &hup, NULL);
	L->o = &mine;
	L->sigfd = base_signalfd((const int[]){SIGHUP, 0});
	if (L->sigfd < 0)
		say("signalfd: %s: a SIGHUP would not read the consoles again", strerror(-L->sigfd));
	L->grace_ms = login_grace_ms();
	say("listening on %s (login grace %d s, key exchange included; at most %d connections "
	    "before login, %d in all)",
	    o->listen, L->grace_ms / 1000, STARTUPS_MAX, CHILDREN_MAX);
	for (;;) {
		long now = base_now_ms();
		int status, n = 3;
		pid_t pid;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (int i = 0; i < L->nkids; i++)
				if (L->kids[i].pid == pid) {
					kid_done(&L->kids[i]);
					L->kids[i] = L->kids[--L->nkids];
					break;
				}
		pf[0] = (struct pollfd){.fd = now < L->pause_until_ms ? -1 : o->listen_fd,
					.events = POLLIN};
		pf[1] = (struct pollfd){.fd = o->parent_fd, .events = POLLIN};
		pf[2] = (struct pollfd){.fd = L->sigfd, .events = POLLIN};
		for (int i = 0; i < L->nkids; i++)
			if (L->kids[i].progress_fd >= 0) {
				slot[n] = i;
				pf[n++] = (struct pollfd){.fd = L->kids[i].progress_fd, .events = POLLIN};
			}
		if (poll(pf, (nfds_t)n, now < L->pause_until_ms ? ACCEPT_PAUSE_MS : 1000) < 0 &&
		    errno != EINTR)
			break;
		if (pf[1].revents)
			break; /* the daemon is gone */
		if (pf[2].revents)
			reload_consoles(L, &mine, &reloaded);
		for (int i = 3; i < n; i++)
			if (pf[i].revents)
				read_progress(&L->kids[slot[i]]);
		now = base_now_ms();
		if (pf[0].revents & POLLIN)
			accept_one(L, now);
		log_drops(L, now);
	}
	for (int i = 0; i < L->nkids; i++)
		kill(L->kids[i].pid, SIGTERM);
	if (L->sigfd >= 0)
		close(L->sigfd);
	if (reloaded) {
		vmc_config_finish(reloaded);
		free(reloaded);
	}
	free(L);
	free(pf);
	free(slot);
	return 0;
}
