/* The SSH front door's session process: one per connection, a fresh exec
 * of telly (`telly sshd-session HOSTKEY`, started by the connection's
 * monitor in sshd.c), so every connection gets its own address layout.
 *
 * It loads the host key, then enters the seccomp filter (sandbox.c)
 * before it reads a byte of the client: from then on it has the client's
 * socket and its monitor's, and nothing else: no daemon socket, no file,
 * no way to open one. libssh runs here: key exchange and public-key
 * authentication (the monitor says whether a key is in the keys file;
 * this process only checks that the client holds it), one session channel
 * with a pty and a shell (exec, subsystems, forwarding and agents are
 * refused). Then it asks the monitor to attach, and relays: keys typed
 * (through an ssh-style escape scanner: ~. ~B ~f ~? after a newline) go to
 * the monitor as INPUT frames, the console's output comes back as OUTPUT.
 * What it logs goes to the monitor, which escapes it and writes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libssh/callbacks.h>
#include <libssh/libssh.h>
#include <libssh/server.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base.h"
#include "desk.h"
#include "door.h"
#include "rp_io.h"
#include "vmc.h"

#define AUTH_TRIES_MAX 6
#define MONITOR_ANSWER_MS 5000
#define CLOSE_WAIT_MS 2000 /* for the client's close after ours */
#define USER_SENT_MAX 256  /* of a user name, to the monitor (longer is no console anyway) */
#define KEYS_CHUNK_BYTES 4096
/* Keys queued to the monitor past this, and the client is held back:
 * what it sent stays in libssh, whose window then closes (a paste into a
 * slow console waits; it does not end the connection). */
#define MON_QUEUE_HIGH_BYTES (64u << 10)

struct door {
	ssh_session session;
	ssh_event event;
	ssh_channel chan;
	struct ssh_channel_callbacks_struct ccb;
	char user[VMC_NAME_MAX + 1], key_name[VMC_NAME_MAX + 1], term[64];
	bool authed, shell, pty, closed, done;
	int tries;
	uint16_t cols, rows;
	/* the monitor: before login it answers about keys; attached, it is
	 * the console */
	struct rp_conn *mon;
	bool attached;
	struct rp_desk_chan *rch; /* the console's channel, once attached */
	bool readonly, told_readonly;
	bool held;       /* libssh keeps keys we did not take: offer them again */
	short mon_events; /* what the event loop polls the monitor's fd for */
	struct vmc_esc esc;
	int exit_code;
};

static void say(struct door *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct door *d, const char *fmt, ...)
{
	char msg[DOOR_LOG_BYTES];
	uint8_t buf[RP_HDR_SIZE + DOOR_LOG_BYTES];
	struct rp_enc e;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof msg)
		n = (int)sizeof msg - 1;
	rp_enc_begin(&e, buf, sizeof buf, DOOR_LOG, 0, 0);
	rp_put_bytes(&e, msg, (size_t)n);
	if (rp_enc_end(&e) > 0 && rp_conn_send(d->mon, buf, e.len) == 0)
		rp_conn_flush(d->mon);
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

/* ---- the monitor ---- */

static int send_bytes(struct door *d, const void *frame, long n)
{
	if (n < 0 || rp_conn_send(d->mon, frame, (size_t)n) < 0)
		return -1;
	return rp_conn_flush_wait(d->mon, MONITOR_ANSWER_MS) < 0 ? -1 : 0;
}

static int send_frame(struct door *d, struct rp_enc *e)
{
	return send_bytes(d, e->buf, rp_enc_end(e));
}

/* Attached: what the channel queued is written as the monitor takes it,
 * never waited for (the event loop polls for POLLOUT while something is
 * queued). r: what queueing it gave. */
static void queued(struct door *d, int r)
{
	if (r < 0 || rp_conn_flush(d->mon) < 0)
		finish(d, 255);
}

static bool mon_full(const struct door *d)
{
	return rp_conn_queued(d->mon) >= MON_QUEUE_HIGH_BYTES;
}

/* Is this key in the keys file, with consoles? The monitor reads the file;
 * here the client has proven it holds the key (proven) or only offers it.
 * 1 with its name, 0, or -1 when the monitor did not answer. */
static int key_allowed(struct door *d, bool proven, const char *user, ssh_key pub, char *name,
		       size_t namen)
{
	uint8_t *buf = NULL;
	char *b64 = NULL;
	const char *type = ssh_key_type_to_char(ssh_key_type(pub));
	size_t ulen = strnlen(user, USER_SENT_MAX);
	struct rp_enc e;
	struct rp_hdr h;
	const uint8_t *p;
	int r = -1;

	if (!type || ssh_pki_export_pubkey_base64(pub, &b64) != SSH_OK)
		return 0;
	buf = malloc(RP_MAX_FRAME);
	if (!buf)
		goto out;
	rp_enc_begin(&e, buf, RP_MAX_FRAME, DOOR_KEY, 0, 0);
	rp_put_u8(&e, proven);
	rp_put_bytes(&e, user, ulen);
	rp_put_u8(&e, 0);
	rp_put_bytes(&e, type, strlen(type) + 1);
	rp_put_bytes(&e, b64, strlen(b64) + 1);
	if (send_frame(d, &e) < 0 ||
	    rp_conn_next_frame(d->mon, &h, &p, MONITOR_ANSWER_MS) != 1 || h.type != DOOR_KEY_OK)
		goto out;
	r = h.flags & 1;
	snprintf(name, namen, "%.*s", (int)(h.len < namen ? h.len : namen - 1), (const char *)p);
out:
	free(buf);
	ssh_string_free_char(b64);
	return r;
}

/* ---- authentication ---- */

static int auth_pubkey(ssh_session s, const char *user, struct ssh_key_struct *pub, char state,
		       void *ud)
{
	struct door *d = ud;
	char name[VMC_NAME_MAX + 1];
	int r;

	(void)s;
	if (++d->tries > AUTH_TRIES_MAX) {
		finish(d, 255);
		return SSH_AUTH_DENIED;
	}
	if (state != SSH_PUBLICKEY_STATE_NONE && state != SSH_PUBLICKEY_STATE_VALID)
		return SSH_AUTH_DENIED;
	r = key_allowed(d, state == SSH_PUBLICKEY_STATE_VALID, user, pub, name, sizeof name);
	if (r < 0)
		finish(d, 255);
	if (r <= 0)
		return SSH_AUTH_DENIED;
	if (state == SSH_PUBLICKEY_STATE_NONE)
		return SSH_AUTH_SUCCESS; /* a probe: this key would do */
	d->authed = true;
	snprintf(d->user, sizeof d->user, "%s", strlen(user) <= VMC_NAME_MAX ? user : "");
	snprintf(d->key_name, sizeof d->key_name, "%s", name);
	return SSH_AUTH_SUCCESS;
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

static void send_keys(struct door *d, const uint8_t *p, size_t n)
{
	int r;

	if (!n || d->done)
		return;
	r = rp_desk_chan_keys(d->rch, p, n);
	if (r == -EROFS) {
		if (!d->told_readonly)
			out(d, "\r\n[telly: %s: read-only, your keys go nowhere (~. detaches)]\r\n",
			    d->user);
		d->told_readonly = true;
		return;
	}
	queued(d, r);
}

/* What the person typed: in[0..n) scanned for escapes and queued to the
 * monitor, while the queue is below its mark (all of it with all).
 * Returns the bytes taken. */
static size_t type_keys(struct door *d, const uint8_t *in, size_t n, bool all)
{
	size_t len = n;

	while (n && !d->done && (all || !mon_full(d))) {
		uint8_t keys[KEYS_CHUNK_BYTES + 1];
		size_t take = n < KEYS_CHUNK_BYTES ? n : KEYS_CHUNK_BYTES, used, nout;
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
				queued(d, rp_desk_chan_send_empty(d->rch, cmd == 'B' ? RP_BREAK
											: RP_TAKEOVER));
			break;
		}
	}
	return d->done ? len : len - n;
}

static int on_data(ssh_session s, ssh_channel c, void *data, uint32_t len, int is_stderr, void *ud)
{
	struct door *d = ud;
	size_t took;

	(void)s;
	(void)c;
	(void)is_stderr;
	if (!d->attached)
		return (int)len; /* before attaching: nothing to type into */
	/* The rest stays in libssh (offered again first): see held. */
	took = type_keys(d, data, len, false);
	d->held |= took < len;
	return (int)took;
}

/* libssh calls on_data only when more arrives, and the client sends no
 * more once the window is closed: what it keeps is taken here, once the
 * monitor has taken enough of the queue. */
static void take_held(struct door *d)
{
	uint8_t buf[KEYS_CHUNK_BYTES];

	while (d->held && !d->done && !mon_full(d)) {
		int n = ssh_channel_read_nonblocking(d->chan, buf, sizeof buf, 0);
		if (n == SSH_ERROR) {
			finish(d, 255);
			return;
		}
		if (n <= 0) {
			d->held = false;
			return;
		}
		type_keys(d, buf, (size_t)n, true);
	}
}

static void send_winsize(struct door *d)
{
	struct kpty_winsize ws = {.ws_row = d->rows, .ws_col = d->cols};

	if (d->attached)
		queued(d, rp_desk_chan_winsize(d->rch, &ws));
}

/* ---- what the console's channel hands us (TERMIOS, SNAPSHOT: a
 * console's are always the same, and nothing here needs them) ---- */

static void con_output(void *ctx, const void *buf, size_t n, bool echo)
{
	struct door *d = ctx;

	(void)echo; /* no discipline here: the guest echoes */
	ssh_channel_write(d->chan, buf, (uint32_t)n);
}

static void con_notice(void *ctx, const char *text, size_t n)
{
	out(ctx, "\r\n[telly: %.*s]\r\n", (int)n, text);
}

static void con_error(void *ctx, const struct rp_error *err, bool fatal)
{
	struct door *d = ctx;

	out(d, "\r\n[telly: %.*s]\r\n", (int)err->msg.n, err->msg.p);
	if (fatal)
		finish(d, 255);
}

static void con_exit(void *ctx, int32_t status)
{
	struct door *d = ctx;

	(void)status;
	out(d, "\r\n[telly: console %s is gone (the daemon stopped)]\r\n", d->user);
	finish(d, 0);
}

static const struct rp_desk_chan_ops con_ops = {
	.output = con_output, .notice = con_notice, .error = con_error, .exit = con_exit,
};

static void on_monitor_frame(struct door *d, const struct rp_hdr *h, const uint8_t *p)
{
	if (rp_desk_chan_frame(d->rch, h, p) >= 0)
		return;
	out(d, "\r\n[telly: a malformed %s frame from the daemon]\r\n", rp_type_name(h->type));
	finish(d, 255);
}

static int on_monitor(socket_t fd, int revents, void *ud)
{
	struct door *d = ud;
	struct rp_hdr h;
	const uint8_t *p;
	ssize_t r;
	int f;

	(void)fd;
	if (revents & POLLOUT && rp_conn_flush(d->mon) < 0) {
		finish(d, 255);
		return 0;
	}
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return 0;
	r = rp_conn_read(d->mon);
	if (r == 0 || (r < 0 && r != -EAGAIN)) {
		out(d, "\r\n[telly: the daemon went away]\r\n");
		finish(d, 255);
		return 0;
	}
	while (!d->done && (f = rp_conn_frame(d->mon, &h, &p)) == 1)
		on_monitor_frame(d, &h, p);
	if (!d->done && f < 0)
		finish(d, 255);
	return 0;
}

/* The monitor decides what the name is and what this key may do there: it
 * answers DOOR_ATTACHED (the replay follows), the daemon's ERROR, or a
 * text (not a console of this key: the list). */
static void attach(struct door *d)
{
	uint8_t buf[1024];
	struct rp_hdr h;
	const uint8_t *p;
	struct kpty_winsize ws = {.ws_row = d->rows, .ws_col = d->cols};
	struct rp_error err;
	long n;
	int r;

	n = rp_open_frame(buf, sizeof buf, 1, RP_OPEN_ATTACH, "", d->term, "", &ws, NULL, 0);
	if (send_bytes(d, buf, n) < 0 ||
	    (r = rp_conn_next_frame(d->mon, &h, &p, MONITOR_ANSWER_MS + 1000)) != 1) {
		out(d, "telly: the daemon did not answer\r\n");
		finish(d, 255);
		return;
	}
	if (h.type == DOOR_TEXT) {
		out(d, "%.*s", (int)h.len, (const char *)p);
		finish(d, 0);
		return;
	}
	if (h.type == RP_ERROR) {
		if (rp_error_decode(p, h.len, &err) == 0)
			out(d, "telly: %s: %.*s\r\n", d->user, (int)err.msg.n, err.msg.p);
		finish(d, 255);
		return;
	}
	if (h.type != DOOR_ATTACHED) {
		out(d, "telly: %s: the daemon answered %s\r\n", d->user, rp_type_name(h.type));
		finish(d, 255);
		return;
	}
	d->readonly = h.flags & 1;
	d->rch = rp_desk_chan_create(d->mon, h.chan,
				     RP_DESK_CONN_ERRORS | (d->readonly ? RP_DESK_READONLY : 0),
				     &con_ops, d);
	if (!d->rch) {
		out(d, "telly: %s: out of memory\r\n", d->user);
		finish(d, 255);
		return;
	}
	d->attached = true;
	vmc_esc_init(&d->esc, '~');
	/* The daemon says how it went (writing, watching), after the replay. */
	d->mon_events = POLLIN;
	ssh_event_add_fd(d->event, rp_conn_fd(d->mon), POLLIN, on_monitor, d);
	/* Frames that came with the OK (the replay) are already buffered. */
	on_monitor(rp_conn_fd(d->mon), POLLIN, d);
}

/* ---- the session channel ---- */

static int on_pty(ssh_session s, ssh_channel c, const char *term, int w, int h, int pw, int ph,
		  void *ud)
{
	struct door *d = ud;

	(void)s, (void)c, (void)pw, (void)ph;
	snprintf(d->term, sizeof d->term, "%s", term);
	if (!vmc_winsize_bound(w, h, &d->cols, &d->rows)) {
		d->cols = 80;
		d->rows = 24;
	}
	d->pty = true;
	return 0;
}

static int on_winch(ssh_session s, ssh_channel c, int w, int h, int pw, int ph, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c, (void)pw, (void)ph;
	if (vmc_winsize_bound(w, h, &d->cols, &d->rows))
		send_winsize(d);
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
	say(d, "asked to run '%.80s': refused (consoles only)", cmd);
	return SSH_ERROR;
}

static int on_subsystem(ssh_session s, ssh_channel c, const char *sub, void *ud)
{
	struct door *d = ud;

	(void)s, (void)c;
	say(d, "asked for subsystem '%.40s': refused", sub);
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

static bool is_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The crypto library reads its configuration (openssl.cnf: which
 * algorithms the system allows) when first used: use it once here, before
 * the sandbox, where the file can still be read. */
static void warm_crypto(ssh_key key)
{
	unsigned char *hash = NULL;
	size_t n;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &n) == 0)
		ssh_clean_pubkey_hash(&hash);
}

/* One connection: the client on DOOR_SOCK_FD, the monitor on DOOR_MON_FD. */
static int serve(struct door *d, ssh_bind bind)
{
	struct ssh_server_callbacks_struct scb = {0};
	char err[200];

	if (vmc_sandbox_enter(err, sizeof err) < 0) {
		say(d, "%s: closed (no sandbox, no connection)", err);
		return 255;
	}
	d->session = ssh_new();
	if (!d->session || ssh_bind_accept_fd(bind, d->session, DOOR_SOCK_FD) != SSH_OK) {
		say(d, "%s", d->session ? ssh_get_error(bind) : "out of memory");
		return 255;
	}
	scb.userdata = d;
	scb.auth_pubkey_function = auth_pubkey;
	scb.channel_open_request_session_function = on_channel_open;
	ssh_callbacks_init(&scb);
	ssh_set_server_callbacks(d->session, &scb);
	ssh_set_auth_methods(d->session, SSH_AUTH_METHOD_PUBLICKEY);
	if (ssh_handle_key_exchange(d->session) != SSH_OK) {
		say(d, "key exchange: %s", ssh_get_error(d->session));
		return 255;
	}
	{
		uint8_t hdr[RP_HDR_SIZE];
		rp_hdr_encode(hdr, DOOR_KEX, 0, 0, 0);
		if (send_bytes(d, hdr, sizeof hdr) < 0)
			return 255;
	}
	d->event = ssh_event_new();
	if (!d->event || ssh_event_add_session(d->event, d->session) != SSH_OK)
		return 255;
	/* Until there is something to attach: a shell on a session channel.
	 * The monitor holds the login grace time: it ends this process. */
	while (!d->done && !(d->authed && d->chan && d->shell)) {
		if (ssh_event_dopoll(d->event, 1000) == SSH_ERROR ||
		    ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			return 255;
	}
	if (!d->done)
		attach(d);
	while (!d->done) {
		short want;
		take_held(d);
		want = (short)(POLLIN | rp_conn_wevents(d->mon));
		if (d->attached && want != d->mon_events) {
			ssh_event_remove_fd(d->event, rp_conn_fd(d->mon));
			ssh_event_add_fd(d->event, rp_conn_fd(d->mon), want, on_monitor, d);
			d->mon_events = want;
		}
		if (d->done)
			break;
		if (ssh_event_dopoll(d->event, 1000) == SSH_ERROR ||
		    ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR))
			break;
	}
	if (d->chan && !d->closed) {
		/* The status, then our close; the client closes too, and only
		 * then is it sure to have had everything. */
		long until = base_now_ms() + CLOSE_WAIT_MS;
		ssh_channel_request_send_exit_status(d->chan, d->exit_code);
		ssh_channel_send_eof(d->chan);
		ssh_channel_close(d->chan);
		while (!d->closed && base_now_ms() < until &&
		       ssh_event_dopoll(d->event, 100) != SSH_ERROR &&
		       !(ssh_get_status(d->session) & (SSH_CLOSED | SSH_CLOSED_ERROR)))
			;
	}
	if (d->attached) {
		ssh_event_remove_fd(d->event, rp_conn_fd(d->mon));
		queued(d, rp_desk_chan_send_empty(d->rch, RP_DETACH));
	}
	return d->exit_code;
}

int vmc_sshd_session(int argc, char **argv)
{
	struct door *d;
	ssh_bind bind = NULL;
	ssh_key key = NULL;
	struct rp_transport *t;
	int code = 255;

	if (argc != 2 || !is_socket(DOOR_SOCK_FD) || !is_socket(DOOR_MON_FD)) {
		fprintf(stderr, "telly %s: the SSH front door starts this for each connection\n",
			DOOR_SUBCOMMAND);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	d = calloc(1, sizeof *d);
	t = rp_transport_socket(DOOR_MON_FD);
	if (!d || !t || !(d->mon = rp_conn_create(t, 256, 1u << 20))) {
		rp_transport_destroy(t);
		free(d);
		return 255;
	}
	snprintf(d->term, sizeof d->term, "xterm-256color");
	d->cols = 80;
	d->rows = 24;
	/* Everything that reads a file happens before the sandbox: the host
	 * key, libssh's server configuration, the crypto library's own. */
	ssh_init();
	bind = ssh_bind_new();
	if (!bind || ssh_pki_import_privkey_file(argv[1], NULL, NULL, NULL, &key) != SSH_OK) {
		say(d, "host key %s: not a private key libssh can read", argv[1]);
		goto out;
	}
	if (ssh_bind_options_set(bind, SSH_BIND_OPTIONS_IMPORT_KEY, key) != SSH_OK) {
		say(d, "host key %s: %s", argv[1], ssh_get_error(bind));
		ssh_key_free(key);
		goto out;
	}
	ssh_bind_options_parse_config(bind, NULL);
	warm_crypto(key);
	code = serve(d, bind);
out:
	if (d->event)
		ssh_event_free(d->event);
	if (d->chan)
		ssh_channel_free(d->chan);
	if (d->session) {
		ssh_disconnect(d->session);
		ssh_free(d->session);
	}
	ssh_bind_free(bind);
	rp_conn_flush_wait(d->mon, MONITOR_ANSWER_MS);
	rp_desk_chan_destroy(d->rch);
	rp_conn_destroy(d->mon);
	free(d);
	/* No exit handlers: they are not what the sandbox allows (a leak
	 * checker's, for one), and there is nothing left to do. */
	_exit(code);
}
