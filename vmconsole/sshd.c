/* The SSH front door: `ssh -p PORT vm1@host` reaches console vm1.
 *
 * Built on libssh's server callbacks. One process listens (forked by the
 * daemon, so libssh parses strangers' bytes outside the daemon); each
 * accepted connection gets a process of its own, as with sshd, so a slow
 * or hostile client holds up nobody else. That process authenticates by
 * public key only (the keys file, read again for every connection), offers
 * nothing but a session channel with a pty and a shell (exec, subsystems,
 * forwarding and agents are refused), and then is a client of the daemon
 * like `telly attach`: HELLO with who it is, OPEN the console, and relay.
 * The daemon does the rest (one writer, the audit log, the replay).
 *
 * Keys typed go through an ssh-style escape scanner: ~. ~B ~f ~? after a
 * newline.
 */
#include <errno.h>
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rp_io.h"
#include "vmc.h"

#define LOGIN_GRACE_MS 30000 /* to authenticate and ask for a shell */
#define AUTH_TRIES_MAX 6
#define DAEMON_ANSWER_MS 5000
#define CHILDREN_MAX 512
#define CLOSE_WAIT_MS 2000   /* for the client's close after ours */

struct door {
	const struct vmc_sshd_opts *o;
	ssh_session session;
	ssh_event event;
	ssh_channel chan;
	struct ssh_channel_callbacks_struct ccb;
	char user[VMC_NAME_MAX + 1], peer[80], who[200], fingerprint[80], term[64];
	struct vmc_key key; /* the one that got in */
	bool authed, shell, pty, closed, done;
	int tries;
	int cols, rows;
	/* attached */
	struct rp_conn *rc;
	uint16_t rchan;
	uint32_t seq;
	bool readonly, told_readonly;
	struct vmc_esc esc;
	int exit_code;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	char who[32];

	snprintf(who, sizeof who, "telly sshd[%d]", (int)getpid());
	va_start(ap, fmt);
	vmc_vlog(who, fmt, ap);
	va_end(ap);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

int vmc_sshd_host_key(const char *path, char *err, size_t errn)
{
	ssh_key key = NULL;
	char dir[VMC_PATH_MAX + 1];

	if (access(path, F_OK) == 0) {
		if (ssh_pki_import_privkey_file(path, NULL, NULL, NULL, &key) != SSH_OK) {
			snprintf(err, errn, "host key %s: not a private key libssh can read", path);
			return -1;
		}
		ssh_key_free(key);
		return 0;
	}
	snprintf(dir, sizeof dir, "%s", path);
	if (mkdirs(dir) < 0) {
		snprintf(err, errn, "host key %s: cannot make its directory: %s", path, strerror(errno));
		return -1;
	}
	if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &key) != SSH_OK ||
	    ssh_pki_export_privkey_file(key, NULL, NULL, NULL, path) != SSH_OK) {
		snprintf(err, errn, "host key %s: cannot generate or write it", path);
		ssh_key_free(key);
		return -1;
	}
	ssh_key_free(key);
	chmod(path, 0600);
	return 0;
}

/* ---- talking to the person ---- */

static void out(struct door *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out(struct door *d, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof msg - 1)
		n = (int)sizeof msg - 1;
	if (d->chan && n > 0)
		ssh_channel_write(d->chan, msg, (uint32_t)n);
}

static void finish(struct door *d, int code)
{
	if (d->done)
		return;
	d->done = true;
	d->exit_code = code;
}

/* ---- the keys ---- */

/* The keys file's entry for this public key: 0, or -1. */
static int find_key(struct door *d, ssh_key pub, struct vmc_key *found)
{
	size_t n;
	char err[300], *text = vmc_read_file(d->o->keys_file, &n, err, sizeof err);
	struct vmc_key *keys;
	int count, r = -1;

	if (!text) {
		say("%s: %s", d->peer, err);
		return -1;
	}
	count = vmc_keys_parse(text, n, d->o->keys_file, &keys, err, sizeof err);
	free(text);
	if (count < 0) {
		say("%s: %s (no key accepted until it is fixed)", d->peer, err);
		return -1;
	}
	for (int i = 0; i < count && r < 0; i++) {
		ssh_key k = NULL;
		if (ssh_pki_import_pubkey_base64(keys[i].b64, ssh_key_type_from_name(keys[i].type),
						 &k) != SSH_OK)
			continue;
		if (ssh_key_cmp(k, pub, SSH_KEY_CMP_PUBLIC) == 0) {
			*found = keys[i];
			found->b64 = NULL;
			r = 0;
		}
		ssh_key_free(k);
	}
	vmc_keys_free(keys, count);
	return r;
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

static int auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *pub, char state,
		       void *ud)
{
	struct door *d = ud;
	struct vmc_key k;
	char fp[80];

	(void)s;
	fingerprint(pub, fp, sizeof fp);
	if (++d->tries > AUTH_TRIES_MAX) {
		finish(d, 255);
		return SSH_AUTH_DENIED;
	}
	if (find_key(d, pub, &k) < 0) {
		if (state == SSH_PUBLICKEY_STATE_NONE)
			say("%s: key %s (user %.64s) is not in %s: refused", d->peer, fp, user,
			    d->o->keys_file);
		return SSH_AUTH_DENIED;
	}
	if (!k.ngrants) {
		say("%s: key %s (%s) has no consoles=\"...\" option: refused", d->peer, fp, k.name);
		return SSH_AUTH_DENIED;
	}
	if (state == SSH_PUBLICKEY_STATE_NONE)
		return SSH_AUTH_SUCCESS; /* a probe: this key would do */
	if (state != SSH_PUBLICKEY_STATE_VALID)
		return SSH_AUTH_DENIED;
	d->key = k;
	d->authed = true;
	snprintf(d->user, sizeof d->user, "%s", user);
	snprintf(d->fingerprint, sizeof d->fingerprint, "%s", fp);
	snprintf(d->who, sizeof d->who, "ssh:%s (key %s, from %s)", k.name, fp, d->peer);
	say("%s: %s logged in as %s", d->peer, k.name, user);
	return SSH_AUTH_SUCCESS;
}

/* ---- the daemon ---- */

static int send_bytes(struct door *d, const void *frame, long n)
{
	if (n < 0 || rp_conn_send(d->rc, frame, (size_t)n) < 0)
		return -1;
	return rp_conn_flush_wait(d->rc, DAEMON_ANSWER_MS) < 0 ? -1 : 0;
}

static int send_frame(struct door *d, struct rp_enc *e)
{
	return send_bytes(d, e->buf, rp_enc_end(e));
}

/* An answer to a request: 0, or -1 with the daemon's message in err. */
static int answer(struct door *d, uint8_t want, struct rp_hdr *h, const uint8_t **p, char *err,
		  size_t errn)
{
	int r = rp_conn_next_frame(d->rc, h, p, DAEMON_ANSWER_MS);

	if (r < 0) {
		snprintf(err, errn, "the daemon did not answer: %s", strerror(-r));
		return -1;
	}
	if (h->type == RP_ERROR) {
		struct rp_error m;
		if (rp_error_decode(*p, h->len, &m) == 0)
			snprintf(err, errn, "%.*s", (int)m.msg.n, m.msg.p);
		else
			snprintf(err, errn, "a malformed error from the daemon");
		return -1;
	}
	if (h->type != want) {
		snprintf(err, errn, "the daemon answered %s", rp_type_name(h->type));
		return -1;
	}
	return 0;
}

static int daemon_connect(struct door *d, char *err, size_t errn)
{
	struct rp_transport *t = rp_transport_unix_connect(d->o->daemon_sock);
	uint8_t buf[512];
	struct rp_hdr h;
	const uint8_t *p;
	long n;

	if (!t || !(d->rc = rp_conn_create(t, 2048, 1u << 20))) {
		snprintf(err, errn, "cannot reach the daemon: %s", strerror(errno));
		rp_transport_destroy(t);
		return -1;
	}
	n = rp_hello_frame(buf, sizeof buf, RP_CAP_LINEMODE, "", d->who);
	if (send_bytes(d, buf, n) < 0 || answer(d, RP_HELLO, &h, &p, err, errn) < 0)
		return -1;
	return 0;
}

/* ---- listing ---- */

static void list_consoles(struct door *d)
{
	const struct vmc_config *cfg = d->o->cfg;
	unsigned shown = 0;

	out(d, "telly: consoles for %s (ssh -p PORT NAME@HOST to attach):\r\n", d->key.name);
	for (unsigned i = 0; i < cfg->n; i++) {
		enum vmc_right r = vmc_access(&d->key, &cfg->specs[i]);
		if (r == VMC_NONE)
			continue;
		out(d, "  %-20s %s  %s:%s\r\n", cfg->specs[i].name, r == VMC_RW ? "rw" : "ro",
		    vmc_kind_name(cfg->specs[i].kind), cfg->specs[i].target);
		shown++;
	}
	if (!shown)
		out(d, "  (none)\r\n");
}

/* ---- attached: relaying ---- */

static void help(struct door *d)
{
	out(d, "\r\nSupported escape sequences (after a newline):\r\n"
	       " ~.  detach from %s (the console goes on)\r\n"
	       " ~B  send a serial break\r\n"
	       " ~f  take over writing (the writer before you is told)\r\n"
	       " ~?  this message\r\n"
	       " ~~  send ~ itself\r\n",
	    d->user);
}

static void send_empty(struct door *d, uint8_t type)
{
	uint8_t hdr[RP_HDR_SIZE];

	rp_hdr_encode(hdr, type, 0, d->rchan, 0);
	if (send_bytes(d, hdr, sizeof hdr) < 0)
		finish(d, 255);
}

static void send_keys(struct door *d, const uint8_t *p, size_t n)
{
	while (n && !d->done) {
		uint8_t buf[RP_HDR_SIZE + 4 + 4096];
		size_t take = n < 4096 ? n : 4096;
		struct rp_enc e;
		if (d->readonly) {
			if (!d->told_readonly)
				out(d, "\r\n[telly: %s: read-only, your keys go nowhere (~. detaches)]\r\n",
				    d->user);
			d->told_readonly = true;
			return;
		}
		rp_enc_begin(&e, buf, sizeof buf, RP_INPUT, 0, d->rchan);
		rp_put_u32(&e, ++d->seq);
		rp_put_bytes(&e, p, take);
		if (send_frame(d, &e) < 0)
			finish(d, 255);
		p += take;
		n -= take;
	}
}

static int on_data(ssh_session s, ssh_channel c, void *data, uint32_t len, int is_stderr, void *ud)
{
	struct door *d = ud;
	const uint8_t *in = data;
	size_t n = len;

	(void)s;
	(void)c;
	(void)is_stderr;
	if (!d->rc)
		return (int)len; /* before attaching: nothing to type into */
	while (n && !d->done) {
		uint8_t keys[4096 + 1];
		size_t take = n < 4096 ? n : 4096, used, nout;
		int cmd = vmc_esc_scan(&d->esc, ".?Bf", in, take, &used, keys, &nout);
		send_keys(d, keys, nout);
		in += used;
		n -= used;
		switch (cmd) {
		case '.':
			out(d, "\r\n[detached from %s]\r\n", d->user);
			finish(d, 0);
			break;
		case '?':
			help(d);
			break;
		case 'B':
		case 'f':
			if (d->readonly)
				out(d, "\r\n[telly: %s: read-only: no break or takeover]\r\n", d->user);
			else
				send_empty(d, cmd == 'B' ? RP_BREAK : RP_TAKEOVER);
			break;
		}
	}
	return (int)len;
}

static void send_winsize(struct door *d)
{
	uint8_t buf[32];
	struct rp_enc e;
	struct kpty_winsize ws = {.ws_row = (uint16_t)d->rows, .ws_col = (uint16_t)d->cols};

	if (!d->rc || d->readonly || !d->rows || !d->cols)
		return;
	rp_enc_begin(&e, buf, sizeof buf, RP_WINSIZE, 0, d->rchan);
	rp_put_winsize(&e, &ws);
	send_frame(d, &e);
}

static void on_daemon_frame(struct door *d, const struct rp_hdr *h, const uint8_t *p)
{
	struct rp_data data;
	struct rp_error err;
	struct rp_str text;
	int32_t status;

	switch (h->type) {
	case RP_OUTPUT:
		if (rp_data_decode(p, h->len, &data) == 0 && data.n)
			ssh_channel_write(d->chan, data.p, data.n);
		break;
	case RP_NOTICE:
		if (rp_notice_decode(p, h->len, &text) == 0)
			out(d, "\r\n[telly: %.*s]\r\n", (int)text.n, text.p);
		break;
	case RP_ERROR:
		if (rp_error_decode(p, h->len, &err) < 0)
			break;
		out(d, "\r\n[telly: %.*s]\r\n", (int)err.msg.n, err.msg.p);
		if (h->flags & RP_F_FATAL)
			finish(d, 255);
		break;
	case RP_EXIT:
		rp_exit_decode(p, h->len, &status);
		out(d, "\r\n[telly: console %s is gone (the daemon stopped)]\r\n", d->user);
		finish(d, 0);
		break;
	default:
		break; /* TERMIOS, SNAPSHOT: a console's are always the same */
	}
}

static int on_daemon(socket_t fd, int revents, void *ud)
{
	struct door *d = ud;
	struct rp_hdr h;
	const uint8_t *p;
	ssize_t r;
	int f;

	(void)fd;
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	r = rp_conn_read(d->rc);
	if (r == 0 || (r < 0 && r != -EAGAIN)) {
		out(d, "\r\n[telly: the daemon went away]\r\n");
		finish(d, 255);
		return 0;
	}
	while (!d->done && (f = rp_conn_frame(d->rc, &h, &p)) == 1)
		on_daemon_frame(d, &h, p);
	if (!d->done && f < 0)
		finish(d, 255);
	return 0;
}

static void attach(struct door *d)
{
	const struct vmc_config *cfg = d->o->cfg;
	const struct vmc_spec *spec = NULL;
	enum vmc_right right = VMC_NONE;
	uint8_t buf[1024];
	struct rp_hdr h;
	const uint8_t *p;
	char err[300];
	struct kpty_winsize ws = {.ws_row = (uint16_t)d->rows, .ws_col = (uint16_t)d->cols};
	long n;

	for (unsigned i = 0; i < cfg->n; i++)
		if (!strcmp(cfg->specs[i].name, d->user))
			spec = &cfg->specs[i];
	if (spec)
		right = vmc_access(&d->key, spec);
	if (right == VMC_NONE) {
		/* A user name that is not one of this key's consoles asks for the
		 * list (`ssh -p PORT host`); unknown and forbidden look the same,
		 * so names are not given away. */
		out(d, "telly: '%s' is not a console of %s.\r\n", d->user, d->key.name);
		list_consoles(d);
		finish(d, 0);
		return;
	}
	d->readonly = right != VMC_RW;
	if (daemon_connect(d, err, sizeof err) < 0) {
		out(d, "telly: %s\r\n", err);
		finish(d, 255);
		return;
	}
	n = rp_open_frame(buf, sizeof buf, 1, RP_OPEN_ATTACH | (d->readonly ? RP_OPEN_READONLY : 0),
			  spec->name, d->term, "", &ws, NULL, 0);
	if (send_bytes(d, buf, n) < 0 || answer(d, RP_OK, &h, &p, err, sizeof err) < 0) {
		out(d, "telly: %s: %s\r\n", spec->name, err);
		finish(d, 255);
		return;
	}
	d->rchan = h.chan;
	vmc_esc_init(&d->esc, '~');
	/* The daemon says how it went (writing, watching), after the replay. */
	ssh_event_add_fd(d->event, d->rc->t->rfd, POLLIN, on_daemon, d);
	/* Frames that came with the OK (the replay) are already buffered. */
	on_daemon(d->rc->t->rfd, POLLIN, d);
}

/* ---- the session channel ---- */

static int on_pty(ssh_session s, ssh_channel c, const char *term, int w, int h, int pw, int ph,
		  void *ud)
{
	struct door *d = ud;

	(void)s, (void)c, (void)pw, (void)ph;
	snprintf(d->term, sizeof d->term, "%s", term);
	d->cols = w > 0 && w < 10000 ? w : 80;
	d->rows = h > 0 && h < 10000 ? h : 24;
	d->pty = true;
	return 0;
}

static int on_winch(ssh_session s, ssh_channel c, int w, int h, int pw, int ph, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c, (void)pw, (void)ph;
	if (w > 0 && w < 10000 && h > 0 && h < 10000) {
		d->cols = w;
		d->rows = h;
		send_winsize(d);
	}
	return 0;
}

static int on_shell(ssh_session s, ssh_channel c, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c;
	if (d->shell)
		return SSH_ERROR;
	d->shell = true;
	return 0;
}

static int on_exec(ssh_session s, ssh_channel c, const char *cmd, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c;
	say("%s: %s asked to run '%.80s': refused (consoles only)", d->peer, d->who, cmd);
	return SSH_ERROR;
}

static int on_subsystem(ssh_session s, ssh_channel c, const char *sub, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c;
	say("%s: %s asked for subsystem '%.40s': refused", d->peer, d->who, sub);
	return SSH_ERROR;
}

static void on_close(ssh_session s, ssh_channel c, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c;
	d->closed = true;
	finish(d, 0);
}

static void on_eof(ssh_session s, ssh_channel c, void *ud)
{
	/* Nothing more will be typed (`ssh host </dev/null`, a pipe that
	 * ended); output still goes out until the client closes. */
	(void)s, (void)c, (void)ud;
}

static ssh_channel on_channel_open(ssh_session s, void *ud)
{
	struct door *d = ud;

	if (d->chan || !d->authed)
		return NULL; /* one session channel per connection */
	d->chan = ssh_channel_new(s);
	if (!d->chan)
		return NULL;
	memset(&d->ccb, 0, sizeof d->ccb);
	d->ccb.userdata = d;
	d->ccb.channel_data_function = on_data;
	d->ccb.channel_pty_request_function = on_pty;
	d->ccb.channel_pty_window_change_function = on_winch;
	d->ccb.channel_shell_request_function = on_shell;
	d->ccb.channel_exec_request_function = on_exec;
	d->ccb.channel_subsystem_request_function = on_subsystem;
	d->ccb.channel_close_function = on_close;
	d->ccb.channel_eof_function = on_eof;
	ssh_callbacks_init(&d->ccb);
	ssh_set_channel_callbacks(d->chan, &d->ccb);
	return d->chan;
}

static void peer_name(int fd, char *out_peer, size_t n)
{
	struct sockaddr_storage a;
	socklen_t al = sizeof a;
	char host[64] = "?", port[16] = "?";

	if (getpeername(fd, (struct sockaddr *)&a, &al) == 0)
		getnameinfo((struct sockaddr *)&a, al, host, sizeof host, port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out_peer, n, "%s port %s", host, port);
}

/* One connection, in its own process. */
static int serve_one(const struct vmc_sshd_opts *o, ssh_bind bind, int fd)
{
	struct door *d = calloc(1, sizeof *d);
	struct ssh_server_callbacks_struct scb = {0};
	long deadline = now_ms() + LOGIN_GRACE_MS;
	int code = 255;

	if (!d)
		return 255;
	d->o = o;
	peer_name(fd, d->peer, sizeof d->peer);
	snprintf(d->who, sizeof d->who, "ssh:? (from %s)", d->peer);
	snprintf(d->term, sizeof d->term, "xterm-256color");
	d->session = ssh_new();
	if (!d->session || ssh_bind_accept_fd(bind, d->session, fd) != SSH_OK) {
		say("%s: %s", d->peer, d->session ? ssh_get_error(bind) : "out of memory");
		goto out;
	}
	scb.userdata = d;
	scb.auth_pubkey_function = auth_pubkey;
	scb.channel_open_request_session_function = on_channel_open;
	ssh_callbacks_init(&scb);
	ssh_set_server_callbacks(d->session, &scb);
	ssh_set_auth_methods(d->session, SSH_AUTH_METHOD_PUBLICKEY);
	if (ssh_handle_key_exchange(d->session) != SSH_OK) {
		say("%s: key exchange: %s", d->peer, ssh_get_error(d->session));
		goto out;
	}
	d->event = ssh_event_new();
	if (!d->event || ssh_event_add_session(d->event, d->session) != SSH_OK)
		goto out;
	/* Until there is something to attach: a shell on a session channel. */
	while (!d->done && !(d->authed && d->chan && d->shell)) {
		if (now_ms() > deadline) {
			say("%s: no shell request within %d s: closed", d->peer, LOGIN_GRACE_MS / 1000);
			goto out;
		}
		if (ssh_event_dopoll(d->event, 200) == SSH_ERROR ||
		    ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			goto out;
	}
	if (!d->done)
		attach(d);
	while (!d->done) {
		if (ssh_event_dopoll(d->event, 1000) == SSH_ERROR ||
		    ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			break;
	}
	code = d->exit_code;
	if (d->chan && !d->closed) {
		/* The status, then our close; the client closes too, and only
		 * then is it sure to have had everything. */
		long until = now_ms() + CLOSE_WAIT_MS;
		ssh_channel_request_send_exit_status(d->chan, code);
		ssh_channel_send_eof(d->chan);
		ssh_channel_close(d->chan);
		while (!d->closed && now_ms() < until &&
		       ssh_event_dopoll(d->event, 100) != SSH_ERROR &&
		       !(ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR)))
			;
	}
	if (d->rc)
		ssh_event_remove_fd(d->event, d->rc->t->rfd);
out:
	if (d->rc) {
		send_empty(d, RP_DETACH);
		rp_conn_destroy(d->rc);
	}
	if (d->event)
		ssh_event_free(d->event);
	if (d->chan)
		ssh_channel_free(d->chan);
	if (d->session) {
		ssh_disconnect(d->session);
		ssh_free(d->session);
	}
	free(d);
	return code;
}

int vmc_sshd_run(const struct vmc_sshd_opts *o)
{
	ssh_bind bind;
	pid_t kids[CHILDREN_MAX];
	int nkids = 0;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	ssh_init();
	bind = ssh_bind_new();
	if (!bind || ssh_bind_options_set(bind, SSH_BIND_OPTIONS_HOSTKEY, o->host_key) != SSH_OK) {
		say("cannot set up the SSH server: %s", bind ? ssh_get_error(bind) : "out of memory");
		return 1;
	}
	ssh_bind_set_fd(bind, o->listen_fd);
	if (ssh_bind_listen(bind) != SSH_OK) {
		say("host key %s: %s", o->host_key, ssh_get_error(bind));
		ssh_bind_free(bind);
		return 1;
	}
	say("listening on %s", o->listen);
	for (;;) {
		struct pollfd pf[2] = {{.fd = o->listen_fd, .events = POLLIN},
				       {.fd = o->parent_fd, .events = POLLIN}};
		int status;
		pid_t pid;

		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (int i = 0; i < nkids; i++)
				if (kids[i] == pid)
					kids[i] = kids[--nkids];
		if (poll(pf, 2, 1000) < 0 && errno != EINTR)
			break;
		if (pf[1].revents)
			break; /* the daemon is gone */
		if (!(pf[0].revents & POLLIN))
			continue;
		int fd = accept4(o->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (nkids == CHILDREN_MAX) {
			say("refusing a connection: %d already", CHILDREN_MAX);
			close(fd);
			continue;
		}
		pid = fork();
		if (pid == 0) {
			close(o->listen_fd);
			close(o->parent_fd);
			_exit(serve_one(o, bind, fd));
		}
		close(fd);
		if (pid > 0)
			kids[nkids++] = pid;
	}
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGTERM);
	ssh_bind_free(bind);
	ssh_finalize();
	return 0;
}
