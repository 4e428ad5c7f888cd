/* Console sessions: a VM's serial console (vmconsole's vmc_console: its
 * backend, retried when it goes, and its exposed pty) as a session. Its
 * line is raw, it keeps its own timestamped log, its screen is made when
 * first needed, and among its viewers one writes at a time: the others
 * watch until they take over. What people do to it goes to the audit
 * log.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "serve.h"
#include "vmc.h"

struct console {
	struct session s;
	struct vmc_console *con;
	struct chan *writer; /* the one writer, or NULL */
	/* Its descriptors as in the fd manager: [0] the backend, [1] the
	 * exposed pty (they change as the backend comes and goes). */
	int fd[2];
	short events[2];
	bool ending; /* the daemon stops: ended by the next round */
};

static struct console *cons(struct session *s)
{
	return (struct console *)s;
}

void console_audit(struct server *srv, const struct chan *v, const char *fmt, ...)
{
	char what[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	vmc_audit(srv->audit_fd, v->s->name, v->conn->who, "%s", what);
}

static size_t service(struct session *s, const struct pollfd *pf)
{
	uint8_t buf[PTY_FRAME_BYTES];
	size_t have;
	uint64_t before;

	if (!s->read_cap || s->read_cap > sizeof buf)
		s->read_cap = READ_CAP_START_BYTES;
	have = vmc_console_service(cons(s)->con, pf, base_now_ms(), buf, s->read_cap);
	if (have) {
		s->t_read = base_now_ns();
		before = session_work(s);
		session_show(s, buf, have, NULL, false);
		session_pace(s, have, session_work(s) - before);
	}
	return have;
}

static size_t console_read(struct session *s)
{
	return service(s, NULL);
}

static void on_console_fd(struct fdm *fdm, int fd, int events, void *data);

/* Called after anything that may change what the console waits for. */
static void console_register_fds(struct session *s, struct fdm *fdm)
{
	struct console *c = cons(s);
	struct pollfd pf[2];

	vmc_console_pollfds(c->con, pf);
	for (int i = 0; i < 2; i++) {
		if (c->fd[i] == pf[i].fd && c->events[i] == pf[i].events &&
		    (c->fd[i] < 0 || fdm_events(fdm, c->fd[i]) >= 0))
			continue;
		if (c->fd[i] >= 0 && c->fd[i] != pf[i].fd)
			fdm_del(fdm, c->fd[i]); /* gone if closed */
		c->fd[i] = pf[i].fd;
		c->events[i] = pf[i].events;
		if (pf[i].fd >= 0 && fdm_add(fdm, pf[i].fd, pf[i].events, on_console_fd, s) < 0) {
			serve_log("console %s: cannot watch descriptor %d: %s", s->name, pf[i].fd,
				  strerror(errno));
			c->fd[i] = -1;
		}
	}
}

static void on_console_fd(struct fdm *fdm, int fd, int events, void *data)
{
	struct session *s = data;
	struct console *c = cons(s);
	struct pollfd pf[2];

	vmc_console_pollfds(c->con, pf);
	pf[0].revents = pf[1].revents = 0;
	pf[fd == c->fd[1] && fd != c->fd[0]].revents = (short)events;
	service(s, pf);
	console_register_fds(s, fdm);
}

/* One writer at a time; the others watch until they take over. */
static void console_attached(struct session *s, struct chan *v)
{
	struct console *c = cons(s);
	struct server *srv = s->srv;

	if (v->readonly) {
		console_audit(srv, v, "attach read-only");
		chan_notice(v, "%s: read-only, you are watching", s->name);
	} else if (!c->writer) {
		c->writer = v;
		console_audit(srv, v, "attach writing");
		chan_notice(v, "%s: attached, you are writing (~? for help)", s->name);
	} else {
		console_audit(srv, v, "attach watching (%s writes)", c->writer->conn->name);
		chan_notice(v, "%s: %s is writing; you are watching (~f takes over)", s->name,
			    c->writer->conn->name);
	}
}

static void console_detached(struct session *s, struct chan *v)
{
	struct console *c = cons(s);

	console_audit(s->srv, v, "detach%s", c->writer == v ? " (was writing)" : "");
	if (c->writer == v)
		c->writer = NULL;
}

/* May v write now? Becomes the writer if nobody is. */
static bool may_write(struct session *s, struct chan *v)
{
	struct console *c = cons(s);

	if (c->writer == v)
		return true;
	if (!c->writer) {
		c->writer = v;
		console_audit(s->srv, v, "writing (nobody was)");
		return true;
	}
	if (!v->told_watching) {
		chan_notice(v, "%s: %s is writing; your keys are dropped (~f takes over)", s->name,
			    c->writer->conn->name);
		v->told_watching = true;
	}
	return false;
}

static int console_input(struct session *s, struct chan *v, const struct rp_data *d)
{
	int r;

	if (!may_write(s, v))
		return FRAME_DONE;
	r = vmc_console_write(cons(s)->con, d->p, d->n);
	console_register_fds(s, s->srv->fdm); /* it may wait to write now */
	if (r == -EAGAIN)
		return FRAME_STALL; /* the guest is slow: hold the rest back */
	if (r == -ENOTCONN) {
		char msg[120];
		snprintf(msg, sizeof msg, "%s is down: input dropped", s->name);
		rp_conn_error(v->conn->rc, v->id, RP_E_NOENT, 0, false, msg);
		return FRAME_DONE;
	}
	v->written_seq = d->seq;
	return FRAME_DONE;
}

static int console_signal(struct session *s, int sig, bool flush, char *err, size_t errn)
{
	(void)s;
	(void)sig;
	(void)flush;
	snprintf(err, errn, "a console takes no signals (its line is raw: keys go as typed)");
	return -ENOTSUP;
}

static int console_takeover(struct session *s, struct chan *v)
{
	struct console *c = cons(s);
	struct chan *was = c->writer;

	if (was == v)
		return 0;
	c->writer = v;
	v->told_watching = false;
	console_audit(s->srv, v, "takeover%s%s", was ? " from " : "", was ? was->conn->name : "");
	chan_notice(v, "%s: you are writing now", s->name);
	if (was) {
		was->told_watching = false;
		chan_notice(was, "%s: %s took over; you are watching (~f takes it back)", s->name,
			    v->conn->name);
	}
	return 0;
}

static int console_break(struct session *s, struct chan *v)
{
	int r;

	if (!may_write(s, v))
		return 0;
	r = vmc_console_break(cons(s)->con);
	console_audit(s->srv, v, "break%s", r < 0 ? " (not sent)" : "");
	if (r == -ENOTSUP)
		chan_notice(v, "%s: its backend cannot send a break (only pty: can)", s->name);
	else if (r < 0)
		chan_notice(v, "%s: break not sent: %s", s->name,
			    r == -ENOTCONN ? "it is down" : strerror(-r));
	else
		chan_notice(v, "%s: break sent", s->name);
	return 0;
}

/* Not on request: a console goes with the daemon. */
static int console_kill(struct session *s, bool stop, char *err, size_t errn)
{
	if (!stop) {
		snprintf(err, errn, "%s is a console: it goes with the daemon (telly stop)", s->name);
		return -EPERM;
	}
	cons(s)->ending = true; /* ended by the loop, which may remove it */
	return 0;
}

static void console_reap(struct session *s)
{
	vmc_console_reap(cons(s)->con); /* its exec command, if it ended */
	service(s, NULL);
	console_register_fds(s, s->srv->fdm);
}

static void console_describe(struct session *s, char *cmd, size_t n, pid_t *pid)
{
	vmc_console_describe(cons(s)->con, cmd, n);
	*pid = 0;
}

static long console_tick(struct session *s, long now)
{
	long t;

	if (cons(s)->ending) {
		session_end(s->srv, s, 0);
		return -1;
	}
	t = vmc_console_timeout_ms(cons(s)->con, now);
	if (t == 0) {
		service(s, NULL); /* a reconnect is due */
		console_register_fds(s, s->srv->fdm);
		return -1;
	}
	return t;
}

static void console_destroy(struct session *s, struct fdm *fdm)
{
	struct console *c = cons(s);

	fdm_del(fdm, c->fd[0]);
	fdm_del(fdm, c->fd[1]);
	vmc_console_destroy(c->con);
	free(c);
}

static const struct session_ops console_ops = {
	.kind = "console",
	.read = console_read,
	.input = console_input,
	.signal = console_signal,
	.brk = console_break,
	.takeover = console_takeover,
	.kill = console_kill,
	.reap = console_reap,
	.describe = console_describe,
	.register_fds = console_register_fds,
	.tick = console_tick,
	.attached = console_attached,
	.detached = console_detached,
	.destroy = console_destroy,
};

int console_create(struct server *srv, const struct vmc_spec *spec, char *err, size_t errn)
{
	struct session *s;
	struct console *c;
	char cmd[LIST_CMD_MAX + 1];

	if (!(s = session_alloc(srv, sizeof *c, &console_ops, spec->name, err, errn)))
		return -ENOMEM;
	c = cons(s);
	if (session_find(srv, spec->name, strlen(spec->name))) {
		snprintf(err, errn, "console %s: a session of that name exists", spec->name);
		free(c);
		return -EEXIST;
	}
	c->fd[0] = c->fd[1] = -1;
	s->sb_lines = CONSOLE_SB_LINES;
	s->sb_bytes = CONSOLE_SB_BYTES;
	/* A serial line is raw: desks pass keys straight through. */
	s->termios.c_cflag = KPTY_CS8 | KPTY_CREAD;
	if (!(c->con = vmc_console_create(spec, srv->dir, srv->o.log_dir, err, errn))) {
		free(c);
		return -ENOMEM;
	}
	/* NULL (no memory): session_screen() makes an eager one when needed. */
	s->screen = screen_create_lazy(s->ws.ws_row, s->ws.ws_col, CONSOLE_SB_LINES,
					  CONSOLE_SB_BYTES, CONSOLE_KEEP_BYTES);
	session_insert(srv, s);
	vmc_console_describe(c->con, cmd, sizeof cmd);
	serve_log("console %s: %s, pty %s", s->name, cmd, vmc_console_pty(c->con));
	return 0;
}

const struct vmc_spec *console_spec(struct session *s)
{
	return s->ops == &console_ops ? vmc_console_spec(cons(s)->con) : NULL;
}

int console_relink(struct session *s)
{
	return s->ops == &console_ops ? vmc_console_relink(cons(s)->con) : 0;
}

bool console_spec_same(const struct vmc_spec *a, const struct vmc_spec *b)
{
	return !strcmp(a->name, b->name) && a->kind == b->kind && !strcmp(a->target, b->target) &&
	       !strcmp(a->log, b->log) && a->log_cap == b->log_cap && a->log_keep == b->log_keep;
}
