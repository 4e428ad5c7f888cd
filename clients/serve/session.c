/* Sessions: the table, and what every kind does alike (the screen, the
 * log's events, pacing output by what it costs to draw, the end). A
 * kind's own work is behind struct session_ops (serve.h); the calls into
 * the host's copy of the screen (screen_*) are all here.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "serve.h"
#include "slog.h"

struct session *session_find(struct server *srv, const char *p, size_t n)
{
	for (struct session *s = srv->sessions; s; s = s->next)
		if (strlen(s->name) == n && !memcmp(s->name, p, n))
			return s;
	return NULL;
}

void session_pick_name(struct server *srv, char *out, size_t n)
{
	for (unsigned i = 0;; i++) {
		snprintf(out, n, "%u", i);
		if (!session_find(srv, out, strlen(out)))
			return;
	}
}

struct session *session_alloc(struct server *srv, size_t size, const struct session_ops *ops,
			      const char *name, char *err, size_t errn)
{
	struct session *s = calloc(1, size);

	if (!s) {
		snprintf(err, errn, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	s->ops = ops;
	s->srv = srv;
	snprintf(s->name, sizeof s->name, "%s", name);
	s->ws = (struct kpty_winsize){.ws_row = 24, .ws_col = 80};
	return s;
}

void session_insert(struct server *srv, struct session *s)
{
	s->next = srv->sessions;
	srv->sessions = s;
	srv->nsessions++;
	session_register_fds(s, srv->fdm);
}

struct screen *session_screen(struct session *s)
{
	if (!s->screen)
		s->screen = screen_create(s->ws.ws_row, s->ws.ws_col, s->sb_lines, s->sb_bytes);
	return s->screen;
}

bool session_snapshot(struct session *s, struct screen_bytes *snap)
{
	if (!session_screen(s))
		return false;
	screen_snapshot(s->screen, SNAPSHOT_SB_LINES, snap);
	return true;
}

uint64_t session_work(const struct session *s)
{
	return s->screen ? screen_work(s->screen) : 0;
}

/* What happened to the session's log since the last look, told once: in
 * the daemon's log and to the people watching. */
void session_log_events(struct session *s)
{
	int err;
	unsigned long long lost;
	unsigned ev = s->log ? telly_slog_events(s->log, &err, &lost) : 0;
	const char *path = ev ? telly_slog_path(s->log) : "";

	if (ev & TELLY_SLOG_FAILED) {
		serve_log("session %s: log %s: %s; its output is not logged, tried again every %d s",
			  s->name, path, strerror(err), TELLY_SLOG_RETRY_MS / 1000);
		for (struct chan *v = s->viewers; v; v = v->snext)
			chan_notice(v, "%s: its log stopped: %s (tried again every %d s)", s->name,
				    strerror(err), TELLY_SLOG_RETRY_MS / 1000);
	}
	if (ev & TELLY_SLOG_RECOVERED) {
		serve_log("session %s: log %s works again; %llu bytes were not logged", s->name,
			  path, lost);
		for (struct chan *v = s->viewers; v; v = v->snext)
			chan_notice(v, "%s: its log works again (%llu bytes were not logged)", s->name,
				    lost);
	}
	if (ev & TELLY_SLOG_REMADE)
		serve_log("session %s: log %s was deleted or moved: made again", s->name, path);
}

void session_skipped_told(struct session *s)
{
	if (s->screen && screen_skipped(s->screen) >= s->skipped_told + SKIPPED_TELL_BYTES) {
		s->skipped_told = screen_skipped(s->screen);
		serve_log("session %s: output too costly to draw at once; the host's copy of its "
			  "screen skipped %llu bytes so far (viewers and the log have them all)",
			  s->name, (unsigned long long)s->skipped_told);
	}
}

void session_show(struct session *s, const void *buf, size_t n, struct chan *from, bool logged)
{
	struct rp_buf *b = rp_buf_create(n), *z = NULL;
	bool packed = false;

	/* The viewers first, and sent now: a key's echo does not wait for
	 * the host's screen and log to take it, nor for the loop's round to
	 * end (a viewer that cannot take it all now gets the rest when its
	 * link drains, as before; an error is the loop's to see). */
	if (b) {
		memcpy(b->data, buf, n);
		for (struct chan *v = s->viewers; v; v = v->snext) {
			if (v == from)
				continue;
			if (v->conn->lz4 && !packed) {
				z = lz4_body(b);
				packed = true;
			}
			chan_output(v, b, z);
		}
		for (struct chan *v = s->viewers; v; v = v->snext)
			if (v != from)
				rp_conn_flush(v->conn->rc);
		rp_buf_unref(z);
		rp_buf_unref(b);
	}
	if (session_screen(s))
		screen_feed(s->screen, buf, n);
	s->settle_at = base_now_ms() + SETTLE_MS;
	if (s->log && !logged)
		telly_slog_write(s->log, buf, n);
	orphans_show(s, buf, n);
}

/* Output is paced by what it costs to draw, not by its bytes: a byte
 * can cost a whole screen (three bytes of insert-line at the top of a
 * 500x1000 screen move half a million cells), and the screen is drawn
 * on the loop every session shares. Bytes that cost much are shown a
 * few at a time, and a session stops being read for the round once it
 * used its share; what it printed waits in the pump (and then the pty),
 * so the program is slowed, not the daemon, and nothing is lost. */
void session_pace(struct session *s, size_t n, uint64_t cost)
{
	if (cost > WORK_PER_SHOW_CELLS) {
		size_t fit = (size_t)((uint64_t)n * WORK_PER_SHOW_CELLS / cost);
		s->read_cap = fit < READ_CAP_MIN_BYTES ? READ_CAP_MIN_BYTES : fit;
	} else if (cost < WORK_PER_SHOW_CELLS / 4 && n >= s->read_cap) {
		s->read_cap = s->read_cap > PTY_FRAME_BYTES / 2 ? PTY_FRAME_BYTES : s->read_cap * 2;
	}
}

void session_termios_changed(struct session *s)
{
	for (struct chan *v = s->viewers; v; v = v->snext)
		if (!v->snapshot_due)
			chan_termios(v);
}

/* A window larger than telly sets is clamped: a screen model costs memory
 * in proportion to its cells. */
void session_clamp_winsize(struct kpty_winsize *ws)
{
	if (ws->ws_row > RP_MAX_ROWS)
		ws->ws_row = RP_MAX_ROWS;
	if (ws->ws_col > RP_MAX_COLS)
		ws->ws_col = RP_MAX_COLS;
}

void session_set_winsize(struct session *s, const struct kpty_winsize *asked)
{
	struct kpty_winsize ws = *asked;

	if (ws.ws_row == 0 || ws.ws_col == 0)
		return;
	session_clamp_winsize(&ws);
	s->ws = ws;
	if (s->ops->resize)
		s->ops->resize(s, &ws);
	if (s->screen)
		screen_resize(s->screen, ws.ws_row, ws.ws_col);
}

long session_tick(struct session *s, long now)
{
	long wait = -1;

	if (s->settle_at && now >= s->settle_at) {
		if (s->screen)
			screen_settle(s->screen);
		s->settle_at = 0;
	} else if (s->settle_at) {
		wait = s->settle_at - now;
	}
	{
		long w = orphans_tick(s, now);
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	/* Last: the kind's work may end the session. */
	{
		long w = session_kind_tick(s, now);
		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	return wait;
}

uint16_t session_no_such(struct server *srv, const struct conn *c, const char *name, size_t n,
			 char *msg, size_t msgn)
{
	const struct ended *last = NULL;
	long now = base_now_ms();

	for (unsigned i = 0; i < ENDED_KEPT; i++) {
		const struct ended *e = &srv->ended[i];
		if (e->name[0] && strlen(e->name) == n && !memcmp(e->name, name, n) &&
		    now - e->at_ms <= ENDED_KEPT_MS && (!last || e->at_ms >= last->at_ms))
			last = e;
	}
	if (!last) {
		snprintf(msg, msgn, "no session %.*s", (int)n, name);
		return RP_E_NOENT;
	}
	snprintf(msg, msgn, "no session %.*s: it ended %ld s ago with status %d%s%s%s", (int)n, name,
		 (now - last->at_ms) / 1000, last->code, last->why[0] ? " (" : "", last->why,
		 last->why[0] ? ")" : "");
	return c && c->ended ? (uint16_t)(RP_E_ENDED + (last->code & 0xff)) : RP_E_NOENT;
}

void session_end(struct server *srv, struct session *s, int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	/* What it printed last (a bound, since a program's children may
	 * print on). */
	for (int i = 0; i < SESSION_END_READS && session_read(s); i++)
		;
	serve_log("session %s ended (status %d)", s->name, code);
	struct ended *e = &srv->ended[srv->ended_next++ % ENDED_KEPT];
	snprintf(e->name, sizeof e->name, "%s", s->name);
	e->at_ms = base_now_ms();
	e->code = code;
	snprintf(e->why, sizeof e->why, "%s", s->end_why);
	if (s->log) {
		char why[64];
		if (WIFSIGNALED(status))
			snprintf(why, sizeof why, "killed by signal %d (status %d)", WTERMSIG(status),
				 code);
		else
			snprintf(why, sizeof why, "status %d", code);
		telly_slog_end(s->log, why);
		session_log_events(s);
	}
	while (s->viewers) {
		struct chan *v = s->viewers;
		chan_exit(v, code);
		if (!chan_keep_ended(srv, v, code))
			chan_remove(srv, v);
	}
	orphans_end(srv, s, code);
	for (struct session **pp = &srv->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	srv->nsessions--;
	screen_destroy(s->screen);
	s->screen = NULL;
	s->ops->destroy(s, srv->fdm); /* the kind frees its log after what writes it */
}

/* ---- a program's start, as its exec says (serve.h) ---- */

static void on_exec_pipe(struct fdm *fdm, int fd, int events, void *data)
{
	(void)fdm;
	(void)fd;
	(void)events;
	exec_watch_take(data);
}

int exec_watch_add(struct server *srv, struct exec_watch *w, int fd, exec_done_fn *done,
		   void *ctx)
{
	int r;

	w->srv = srv;
	w->fd = fd;
	w->nsaid = 0;
	w->done = done;
	w->ctx = ctx;
	if (fd < 0)
		return -EBADF;
	if ((r = fdm_add(srv->fdm, fd, POLLIN, on_exec_pipe, w)) < 0) {
		close(fd);
		w->fd = -1;
	}
	return r;
}

void exec_watch_take(struct exec_watch *w)
{
	if (w->fd < 0)
		return;
	for (;;) {
		char b[64];
		size_t room = sizeof w->said - w->nsaid;
		ssize_t n = read(w->fd, room ? w->said + w->nsaid : b, room ? room : sizeof b);
		if (n > 0) {
			w->nsaid += room ? (size_t)n : 0; /* more than the bound: dropped */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		break; /* its end (or an error, taken as one) */
	}
	exec_watch_drop(w);
	w->done(w, w->ctx);
}

void exec_watch_drop(struct exec_watch *w)
{
	if (w->fd < 0)
		return;
	fdm_del(w->srv->fdm, w->fd);
	close(w->fd);
	w->fd = -1;
}

/* PF_EXITING of /proc/PID/stat's flags: set before exit closes files. */
#define PROC_PF_EXITING 0x4u
bool exec_child_died_in_exec(pid_t pid)
{
	char st[1024], path[64], state = 0;
	const char *lp, *rp;
	unsigned long flags = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (pid <= 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, st, sizeof st - 1);
	close(fd);
	st[n > 0 ? n : 0] = 0;
	/* "PID (COMM) S ppid pgrp session tty_nr tpgid flags ...": COMM may
	 * hold anything, its last ")" ends it */
	if (!(lp = strchr(st, '(')) || !(rp = strrchr(st, ')')) || rp < lp ||
	    sscanf(rp + 1, " %c %*d %*d %*d %*d %*d %lu", &state, &flags) != 2)
		return false;
	if (state != 'Z' && state != 'X' && !(flags & PROC_PF_EXITING))
		return false;
	/* An exec names the process after its program's file; until then it
	 * bears the name its fork gave it, which holds a '/' no file name can. */
	return (size_t)(rp - lp - 1) == strlen(KPTY_FORK_NAME) &&
	       !memcmp(lp + 1, KPTY_FORK_NAME, strlen(KPTY_FORK_NAME));
}

bool exec_child_dead_in_exec(pid_t pid)
{
	siginfo_t si = {0};

	return pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == pid && exec_child_died_in_exec(pid);
}

void open_ask_hold(struct open_ask *a, struct conn *c, const struct rp_open *m)
{
	*a = (struct open_ask){.conn = c ? c->id : 0, .req = m->req, .flags = m->flags,
			       .ws = m->ws};
	int i = c && (m->flags & RP_OPEN_ATTACH) ? conn_slot_free(c) : -1;

	if (i < 0)
		return;
	c->held |= 1u << i;
	a->slot = (uint8_t)(i + 1);
}
