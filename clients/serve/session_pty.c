/* Program sessions: a program on a real Linux pty in EXTPROC packet mode,
 * so the desk runs the line discipline and the host learns every termios
 * change. A thread per session (kpty_os_pump) only reads the pty ahead of
 * the loop and writes the log as it reads; keys wait in a paced input
 * queue (kpty_os_inq) while the program does not read them.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "serve.h"
#include "slog.h"

#ifdef TELLY_FUZZ_DISPATCH
static int fuzz_pty(struct kpty_os_child *c, const struct kpty_winsize *ws);
#define kpty_os_spawn_prog(c, prog, ws, flags, exec_fd) \
	((void)(prog), (void)(flags), *(exec_fd) = -1, fuzz_pty(c, ws))
#define kpty_os_pump_create_tee(m, n, tee, ctx) \
	((void)(m), (void)(n), (void)(tee), (void)(ctx), errno = ENOSYS, (struct kpty_os_pump *)NULL)
#define telly_slog_start(dir, name, cap, what) \
	((void)(dir), (void)(name), (void)(cap), (void)(what), (struct telly_slog *)NULL)
#endif

struct program {
	struct session s;
	char cmd[LIST_CMD_MAX + 1];
	struct kpty_os_child child;
	struct kpty_os_pump *pump; /* drains child.master; NULL: read directly */
	int fd;			   /* what the loop polls: the pump's, or the master */
	struct kpty_os_inq inq;	   /* keys the program has not read yet */
	long sigkill_at; /* ms: SIGKILL then, if it still runs; 0: not killed */
	/* For desks that predict (cap CONTEXT): the context they were told,
	 * and whether input went in since the program was last seen waiting
	 * for more (then CONSUMED is due, looked for at consumed_at). */
	bool ctx_known, consumed_due;
	/* The termios changed or a signal was sent since: CONSUMED is said
	 * again once the program waits, even with no new input (a desk trusts
	 * its echo in a canonical spell only once told the program waits in
	 * it). */
	bool consumed_again;
	uint32_t ctx_flags;
	pid_t ctx_pgid;
	char ctx_comm[RP_MAX_COMM + 1];
	long consumed_at, consumed_poll_ms;
	char notice[400]; /* for the first viewer: why it started elsewhere */
	/* Its exec, watched; the OPEN that made it answered when it says. */
	struct exec_watch exec;
	int exec_err; /* why its exec failed (0: it ran, or not known yet) */
	/* Its exec pipe ended as it died (program_started): whether that was
	 * its exec is the reap's to say; start_sig, the signal that killed
	 * it before its exec returned (0: none). */
	bool start_unsure;
	int start_sig;
	char argv0[200]; /* the program as asked, for what is said */
	char cwd[256];	 /* the folder asked, printable, if it may not be here */
	const char *dirs[4]; /* where it may start: the folder asked, the home, / */
	bool cwd_tried;	     /* dirs[0] is the folder asked */
	char home[4096];
};

static struct program *prog(struct session *s)
{
	return (struct program *)s;
}

/* ---- what desks that predict are told (RP_CONTEXT, RP_CONSUMED) ---- */

#define CONSUMED_POLL_MIN_MS 1  /* after input or output, look this soon ... */
#define CONSUMED_POLL_MAX_MS 64 /* ... doubling up to this while the program is busy */

static uint32_t ctx_flags_of(const struct kpty_termios *t)
{
	return (t->c_lflag & KPTY_ICANON ? RP_CTX_ICANON : 0) | (t->c_lflag & KPTY_ECHO ? RP_CTX_ECHO : 0) |
	       (t->c_lflag & KPTY_ISIG ? RP_CTX_ISIG : 0) | (t->c_lflag & KPTY_IEXTEN ? RP_CTX_IEXTEN : 0) |
	       (t->c_oflag & KPTY_OPOST ? RP_CTX_OPOST : 0) | (t->c_iflag & KPTY_ICRNL ? RP_CTX_ICRNL : 0);
}

/* A small /proc file of process pid, NUL-terminated; its length or -1. */
static ssize_t read_proc(pid_t pid, const char *what, char *buf, size_t n)
{
	char path[64];
	ssize_t r;
	int fd;

	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, what);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	r = read(fd, buf, n - 1);
	close(fd);
	buf[r > 0 ? r : 0] = 0;
	return r;
}

static bool predicting(const struct chan *v)
{
	return v->conn->context && !v->snapshot_due && !v->conn->closing_at;
}

static void send_context(struct program *p, struct chan *v)
{
	uint8_t buf[128];
	long n = rp_context_frame(buf, sizeof buf, v->id, v->written_seq, p->ctx_flags,
				  (uint32_t)p->ctx_pgid, p->ctx_comm, strlen(p->ctx_comm));

	if (n > 0)
		rp_conn_send(v->conn->rc, buf, (size_t)n);
}

/* The termios bits that matter and the foreground program: desks that
 * predict are told each change (an epoch for their predictions). */
static void context_check(struct program *p)
{
	struct session *s = &p->s;
	uint32_t flags = ctx_flags_of(&s->termios);
	pid_t pgid = tcgetpgrp(p->child.master);
	bool any = false;

	for (struct chan *v = s->viewers; v && !any; v = v->snext)
		any = predicting(v);
	if (!any)
		return;
	if (pgid < 0)
		pgid = 0;
	if (p->ctx_known && flags == p->ctx_flags && pgid == p->ctx_pgid)
		return;
	p->ctx_known = true;
	p->ctx_flags = flags;
	p->ctx_pgid = pgid;
	if (pgid <= 0 || read_proc(pgid, "comm", p->ctx_comm, sizeof p->ctx_comm) <= 0)
		p->ctx_comm[0] = 0;
	p->ctx_comm[strcspn(p->ctx_comm, "\n")] = 0;
	for (struct chan *v = s->viewers; v; v = v->snext)
		if (predicting(v))
			send_context(p, v);
}

/* Calls a process sleeps in when it waits for input ... */
static const long input_waits[] = {
#ifdef SYS_read
	SYS_read,
#endif
#ifdef SYS_poll
	SYS_poll,
#endif
#ifdef SYS_select
	SYS_select,
#endif
#ifdef SYS_pselect6
	SYS_pselect6,
#endif
#ifdef SYS_ppoll
	SYS_ppoll,
#endif
#ifdef SYS_epoll_wait
	SYS_epoll_wait,
#endif
#ifdef SYS_epoll_pwait
	SYS_epoll_pwait,
#endif
};
/* ... and when it waits for its children (a script running a command). */
static const long child_waits[] = {
#ifdef SYS_wait4
	SYS_wait4,
#endif
#ifdef SYS_waitid
	SYS_waitid,
#endif
};
#define WAITS_DEPTH_MAX 4 /* a script's command's command ... looked into */

static bool call_in(long call, const long *calls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (call == calls[i])
			return true;
	return false;
}

/* A process's state letter and process group, from /proc/PID/stat. */
static bool proc_state(pid_t pid, char *state, pid_t *pgrp)
{
	char buf[512], *st;
	int ppid, pg;

	if (read_proc(pid, "stat", buf, sizeof buf) <= 0 || !(st = strrchr(buf, ')')) ||
	    sscanf(st + 1, " %c %d %d", state, &ppid, &pg) != 3)
		return false;
	*pgrp = pg;
	return true;
}

/* Whether a process in read(2) reads the terminal tty (/proc/PID/syscall
 * gives the call's first argument, the descriptor): not a pipe, as in a
 * script's $(...) while it starts. */
static bool reads_tty(pid_t pid, const char *syscall, dev_t tty)
{
	char what[32];
	struct stat st;
	char *end;
	long fd;

	strtol(syscall, &end, 10);
	fd = strtol(end, NULL, 16);
	if (fd < 0 || fd > 65535)
		return false;
	snprintf(what, sizeof what, "/proc/%d/fd/%ld", (int)pid, fd);
	return stat(what, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == tty;
}

/* Whether process pid (of the foreground group pgid) sleeps waiting for
 * input: in a call that waits for input (where /proc says; else sleeping
 * will do; a read(2) must be of the terminal), or waiting for its
 * children, every one of them in the group waiting so (a shell script's
 * command reads the terminal while the script, the group's leader,
 * waits for it). */
static bool proc_waits(pid_t pid, pid_t pgid, dev_t tty, int depth)
{
	char buf[512], what[48], state, *s, *end;
	bool any = false;
	pid_t pgrp;
	ssize_t n;
	long call;

	if (!proc_state(pid, &state, &pgrp) || state != 'S')
		return false;
	if (read_proc(pid, "syscall", buf, sizeof buf) <= 0)
		return true; /* not ours to read: sleeping it is */
	if (!strncmp(buf, "running", 7))
		return false;
	call = strtol(buf, NULL, 10);
#ifdef SYS_read
	if (call == SYS_read)
		return reads_tty(pid, buf, tty);
#endif
	if (call_in(call, input_waits, sizeof input_waits / sizeof input_waits[0]))
		return true;
	if (!call_in(call, child_waits, sizeof child_waits / sizeof child_waits[0]) ||
	    depth >= WAITS_DEPTH_MAX)
		return false;
	snprintf(what, sizeof what, "task/%d/children", (int)pid);
	n = read_proc(pid, what, buf, sizeof buf);
	if (n <= 0 || (size_t)n >= sizeof buf - 1)
		return false; /* none, or more than are looked at */
	for (s = buf;; s = end) {
		long c = strtol(s, &end, 10);
		if (end == s)
			break;
		if (c <= 0 || !proc_state((pid_t)c, &state, &pgrp))
			return false;
		if (pgrp != pgid)
			continue; /* a job of its own (in the background) */
		if (!proc_waits((pid_t)c, pgid, tty, depth + 1))
			return false;
		any = true;
	}
	return any;
}

/* Whether the program has read all its input and waits for more: the
 * input queue and the slave's are empty, nothing it wrote is still to be
 * read from the master, and the foreground group's leader waits for
 * input (proc_waits). */
static bool program_waits(struct program *p)
{
	struct pollfd pf[2] = {{.fd = p->child.master, .events = POLLIN},
			       {.fd = p->fd, .events = POLLIN}};
	struct stat st;

	if (p->inq.count || kpty_os_input_queued(&p->child) != 0 || p->ctx_pgid <= 0)
		return false;
	/* Output not yet shown: it goes first (and the program is busy). */
	if (poll(pf, p->fd != p->child.master ? 2 : 1, 0) > 0 || fstat(p->child.slave, &st) < 0)
		return false;
	return proc_waits(p->ctx_pgid, p->ctx_pgid, st.st_rdev, 0);
}

/* Input went in or output came out: look for the program waiting soon. */
static void consumed_soon(struct program *p, bool input)
{
	if (!input && !p->consumed_due)
		return;
	p->consumed_due = true;
	p->consumed_poll_ms = CONSUMED_POLL_MIN_MS;
	/* + 1: the clock's millisecond may end at once, and a look that
	 * soon finds the program still at the key, on its echo's way. */
	p->consumed_at = base_now_ms() + CONSUMED_POLL_MIN_MS + 1;
}

/* Due: desks that predict learn that their input up to now was read and
 * the program waits again, after the output it wrote before. */
static void consumed_check(struct program *p, long now)
{
	context_check(p);
	if (!program_waits(p)) {
		p->consumed_poll_ms *= 2;
		if (p->consumed_poll_ms > CONSUMED_POLL_MAX_MS)
			p->consumed_poll_ms = CONSUMED_POLL_MAX_MS;
		p->consumed_at = now + p->consumed_poll_ms;
		return;
	}
	p->consumed_due = false;
	for (struct chan *v = p->s.viewers; v; v = v->snext) {
		uint8_t buf[16];
		struct rp_enc e;
		if (!predicting(v) ||
		    (v->written_seq == v->consumed_sent && !(p->consumed_again && v->written_seq)))
			continue;
		v->consumed_sent = v->written_seq;
		rp_enc_begin(&e, buf, sizeof buf, RP_CONSUMED, 0, v->id);
		rp_put_u32(&e, v->written_seq);
		conn_send(v->conn, &e);
	}
	p->consumed_again = false;
}

static bool termios_same(const struct kpty_termios *a, const struct kpty_termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag && a->c_cflag == b->c_cflag &&
	       a->c_lflag == b->c_lflag && !memcmp(a->c_cc, b->c_cc, sizeof a->c_cc);
}

/* The program changed its termios (t): desks are told, unless they were
 * already (termios_now saw it first), and CONSUMED is said again once it
 * waits. */
static void termios_changed(struct program *p, const struct kpty_termios *t)
{
	if (!termios_same(t, &p->s.termios)) {
		p->s.termios = *t;
		session_termios_changed(&p->s);
	}
	p->consumed_again = true;
	consumed_soon(p, true);
}

/* Reads until the pty (its pump's ring, if it has one) is empty, a frame
 * is full or the wakeup's budget is spent, and shows what it read as one
 * frame: Linux hands out at most 4 KiB a read, and every frame costs a
 * write on each hop to the viewer. Returns the bytes shown. */
static size_t program_read(struct session *s)
{
	_Static_assert(PTY_FRAME_BYTES <= RP_MAX_PAYLOAD - 4, "one frame");
	struct program *p = prog(s);
	uint8_t buf[PTY_FRAME_BYTES];
	size_t have = 0, shown = 0;
	uint64_t spent = 0, before;

	if (!s->read_cap || s->read_cap > sizeof buf)
		s->read_cap = READ_CAP_START_BYTES;
	for (int i = 0; i < PTY_READS_PER_WAKEUP && spent < WORK_PER_WAKEUP_CELLS; i++) {
		uint8_t status;
		size_t cap = s->read_cap;
		long n = p->pump ? kpty_os_pump_read(p->pump, buf + have, cap - have, &status)
				 : kpty_os_read(p->child.master, buf + have, cap - have, &status);
		if (n > 0 && !have)
			s->t_read = base_now_ns();
		if (n > 0)
			have += (size_t)n;
		if (have && (n <= 0 || cap - have < (cap < PTY_READ_BYTES ? 1 : PTY_READ_BYTES))) {
			before = session_work(s);
			session_show(s, buf, have, NULL, p->pump != NULL);
			spent += session_work(s) - before;
			session_pace(s, have, session_work(s) - before);
			shown += have;
			have = 0;
		}
		if (n == 0 && (status & KPTY_PKT_IOCTL)) {
			struct kpty_termios t;
			if (kpty_os_get_termios(p->child.master, &t) == 0)
				termios_changed(p, &t);
		} else if (n < 0) {
			break;
		}
	}
	if (have)
		session_show(s, buf, have, NULL, p->pump != NULL);
	session_log_events(s);
	session_skipped_told(s);
	context_check(p);
	if (shown + have)
		consumed_soon(p, false);
	return shown + have;
}

static void on_pty(struct fdm *fdm, int fd, int events, void *data)
{
	(void)fdm;
	(void)fd;
	if (events)
		program_read(data);
}

static bool paced(const struct session *s)
{
	return (s->termios.c_lflag & (KPTY_EXTPROC | KPTY_ICANON)) ==
	       (KPTY_EXTPROC | KPTY_ICANON);
}

static void input_written(void *ctx, uint64_t tag)
{
	struct session *s = ctx;

	for (struct chan *v = s->viewers; v; v = v->snext) {
		if (v->serial != (uint32_t)(tag >> 32))
			continue;
		v->written_seq = (uint32_t)tag;
		if (v->timing_seq == (uint32_t)tag)
			v->t_written = base_now_ns();
	}
}

static void feed(struct program *p)
{
	int r = kpty_os_inq_feed(&p->inq, &p->child, paced(&p->s), input_written, &p->s);

	if (r < 0 && r != -EIO)
		serve_log("session %s: writing input: %s", p->s.name, strerror(-r));
}

/* The pty's termios, if the program changed it since the pump last said:
 * a desk that types keys again is told before its raw keys are written
 * for a program that now reads lines (the window left is the one a
 * terminal has between a program's switch and a key). */
static void termios_now(struct program *p)
{
	struct kpty_termios t;

	if (kpty_os_get_termios(p->child.master, &t) < 0 || termios_same(&t, &p->s.termios))
		return;
	/* What the pump read before goes first (the change itself, if it
	 * has it: then in its place). */
	program_read(&p->s);
	if (!termios_same(&t, &p->s.termios))
		termios_changed(p, &t);
}

/* INPUT typed raw that came after a switch to canonical: not written (the
 * desk types it again, canonically), but done with, in order with the
 * input before it: acks and CONSUMED cover it. */
static int input_let_go(struct program *p, struct chan *v, uint32_t seq)
{
	uint64_t tag = (uint64_t)v->serial << 32 | seq;

	if (!p->inq.count)
		input_written(&p->s, tag);
	else if (!kpty_os_inq_mark(&p->inq, tag))
		return FRAME_STALL; /* the queue is full: offered again */
	consumed_soon(p, true);
	return FRAME_DONE;
}

static int program_input(struct session *s, struct chan *v, const struct rp_data *d)
{
	struct program *p = prog(s);

	if (v->conn->retype && !paced(s))
		termios_now(p);
	/* Let go, or no bytes (a desk learning when what came before it,
	 * a signal, was handled): done with in its turn. */
	if (!d->n || chan_letting_go(v))
		return input_let_go(p, v, d->seq);
	if (!kpty_os_inq_push(&p->inq, d->p, d->n, (uint64_t)v->serial << 32 | d->seq))
		return FRAME_STALL; /* the program is not reading: hold the rest back */
	if (v->conn->timing) {
		v->timing_seq = d->seq;
		v->t_input = base_now_ns();
		v->t_written = 0;
	}
	feed(p);
	consumed_soon(p, true);
	return FRAME_DONE;
}

static int program_signal(struct session *s, int sig, bool flush, char *err, size_t errn)
{
	struct program *p = prog(s);

	if (sig != SIGINT && sig != SIGQUIT && sig != SIGTSTP) {
		snprintf(err, errn, "only SIGINT, SIGQUIT and SIGTSTP can be sent");
		return -EINVAL;
	}
	if (flush) {
		kpty_os_inq_clear(&p->inq);
		kpty_os_flush_input(&p->child);
	}
	kpty_os_signal(p->child.master, sig);
	/* Said again once the program waits, if it lives on reading: a desk
	 * keeps the keys typed after a signal key until it hears. */
	p->consumed_again = true;
	consumed_soon(p, true);
	return 0;
}

static void program_resize(struct session *s, const struct kpty_winsize *ws)
{
	kpty_os_set_winsize(prog(s)->child.master, ws); /* SIGWINCH only on change */
}

static int program_kill(struct session *s, bool stop, char *err, size_t errn)
{
	struct program *p = prog(s);

	(void)stop;
	(void)err;
	(void)errn;
	if (p->child.pid <= 0 || p->sigkill_at)
		return 0;
	/* As a hangup does: the whole session's process group (and the
	 * child, which may not have made it yet). */
	kpty_os_signal_session(p->child.pid, SIGHUP);
	kpty_os_signal_session(p->child.pid, SIGCONT);
	p->sigkill_at = base_now_ms() + KILL_GRACE_MS;
	return 0;
}

/* It died of start_sig before its exec returned: why its session ends,
 * told to the OPEN once it is out of the table (program_destroy). */
static void killed_at_start(struct program *p)
{
	snprintf(p->s.end_why, sizeof p->s.end_why, "%s ended at its start: killed by signal %d",
		 p->argv0, p->start_sig);
	serve_log("session %s: %s", p->s.name, p->s.end_why);
}

static void program_reap(struct session *s)
{
	struct program *p = prog(s);
	int status;

	/* Dead with its exec not said yet: whether that was in its exec
	 * (its name tells, gone once it is reaped), or after (a program
	 * that ran and died at once started). */
	bool in_exec = exec_watch_waiting(&p->exec) && exec_child_dead_in_exec(p->child.pid);

	if (!kpty_os_reap(&p->child, &status))
		return;
	/* Killed while its exec had not returned (telly kill of one whose
	 * path is on a hung mount): that end of file is no exec. */
	if ((in_exec || p->start_unsure) && WIFSIGNALED(status))
		p->start_sig = WTERMSIG(status);
	/* Its exec's word is whole now (the child is gone): taken first, so
	 * the OPEN waiting hears it ran (then sees it end) or why not. */
	exec_watch_take(&p->exec);
	if (p->start_unsure && p->start_sig)
		killed_at_start(p);
	else if (p->start_unsure)
		open_answer(s->srv, &p->exec.ask, s, NULL); /* it ran, and ended at once */
	/* What it printed last: the pump's ring and what the pty holds. */
	kpty_os_pump_stop(p->pump);
	session_end(s->srv, s, status);
}

static void program_describe(struct session *s, char *cmd, size_t n, pid_t *pid)
{
	/* Its exec has not returned (a path on a hung mount): not running
	 * yet, and its OPEN not answered. */
	const char *tag = exec_watch_waiting(&prog(s)->exec) ? " (starting)" : "";
	int room = (int)(n - 1 - strlen(tag)); /* the tag kept whole */

	snprintf(cmd, n, "%.*s%s", room, prog(s)->cmd, tag);
	*pid = prog(s)->child.pid;
}

static void program_register_fds(struct session *s, struct fdm *fdm)
{
	struct program *p = prog(s);
	int r = fdm_add(fdm, p->fd, POLLIN, on_pty, s);

	if (r < 0)
		serve_log("session %s: cannot watch its pty: %s", s->name, strerror(-r));
}

static long program_tick(struct session *s, long now)
{
	struct program *p = prog(s);
	long wait = -1;

	if (p->sigkill_at && now >= p->sigkill_at) {
		kpty_os_signal_session(p->child.pid, SIGKILL);
		p->sigkill_at = now + KILL_GRACE_MS;
	}
	if (p->sigkill_at)
		wait = p->sigkill_at - now;
	if (p->inq.count) {
		feed(p);
		if (p->inq.count)
			wait = PACE_POLL_MS;
	}
	/* Between the loop's rounds, its writes done: the log's turn for
	 * what the loop read from the pty itself. */
	kpty_os_pump_tee_due(p->pump);
	if (p->consumed_due && now >= p->consumed_at)
		consumed_check(p, now);
	if (p->consumed_due && (wait < 0 || p->consumed_at - now < wait))
		wait = p->consumed_at > now ? p->consumed_at - now : 0;
	return wait;
}

static void program_destroy(struct session *s, struct fdm *fdm)
{
	struct program *p = prog(s);

	fdm_del(fdm, p->fd);
	exec_watch_drop(&p->exec);
	/* Out of the table now: the OPEN still waiting learns why (one
	 * killed at its start did not run: no program missing, 127, either). */
	if (p->start_sig)
		open_answer_code(s->srv, &p->exec.ask, NULL, RP_E_NOENT, s->end_why);
	else
		open_answer(s->srv, &p->exec.ask, NULL, p->exec_err ? s->end_why : NULL);
	kpty_os_pump_destroy(p->pump);
	kpty_os_close(&p->child);
	telly_slog_destroy(s->log); /* after the pump, which writes it */
	free(p);
}

/* The directory asked for did not exist: the first viewer is told. */
static void program_attached(struct session *s, struct chan *v)
{
	struct program *p = prog(s);

	if (p->notice[0])
		chan_notice(v, "%s", p->notice);
	p->notice[0] = 0;
	p->ctx_known = false; /* told again, to the new viewer too */
	context_check(p);
	/* And CONSUMED, once the program waits: a resumed desk may have
	 * lost the one sent (its keys typed again at a switch wait for it). */
	p->consumed_again = true;
	consumed_soon(p, true);
}

static const struct session_ops program_ops = {
	.kind = "program",
	.attached = program_attached,
	.read = program_read,
	.input = program_input,
	.signal = program_signal,
	.resize = program_resize,
	.kill = program_kill,
	.reap = program_reap,
	.describe = program_describe,
	.register_fds = program_register_fds,
	.tick = program_tick,
	.destroy = program_destroy,
};

/* The pump's thread logs each read as it makes it. */
static void log_tee(void *ctx, const void *buf, size_t n)
{
	telly_slog_write(ctx, buf, n);
}

/* The loop's own small reads (echoes), logged before they are sent. */
static bool log_tee_now(void *ctx, const void *buf, size_t n)
{
	return telly_slog_write_now(ctx, buf, n);
}

/* Where the program may start, in order: the folder OPEN names (a
 * relative one from the home), the home, /. The child takes the first it
 * can enter and says which (KPTY_OS_SAID_DIR): none is looked at here,
 * where a folder on a hung mount would hold the loop. */
static void start_dirs(struct program *p, const struct rp_open *m, char *asked, size_t n)
{
	const char *home = getenv("HOME");
	const struct passwd *pw = home && *home ? NULL : getpwuid(getuid());
	int nd = 0, len = -1;

	if (pw)
		home = pw->pw_dir;
	snprintf(p->home, sizeof p->home, "%s", home && *home ? home : "/");
	if (m->cwd.n) {
		base_log_escape(m->cwd.p, m->cwd.n, false, p->cwd, sizeof p->cwd);
		if (memchr(m->cwd.p, 0, m->cwd.n))
			; /* not a path */
		else if (m->cwd.p[0] == '/')
			len = snprintf(asked, n, "%.*s", (int)m->cwd.n, m->cwd.p);
		else
			len = snprintf(asked, n, "%s/%.*s", p->home, (int)m->cwd.n, m->cwd.p);
		if (len >= 0 && (size_t)len < n) {
			p->dirs[nd++] = asked;
			p->cwd_tried = true;
		}
	}
	p->dirs[nd++] = p->home;
	if (strcmp(p->home, "/"))
		p->dirs[nd++] = "/";
	p->dirs[nd] = NULL;
}

/* Its exec said (the pipe's end of file): where it started, and whether
 * it runs. The OPEN that made it is answered OK now; one whose program
 * could not run, once it is reaped and out of the table (program_reap,
 * program_destroy), so that it is never listed after the answer. */
static void program_started(struct exec_watch *w, void *ctx)
{
	struct program *p = ctx;
	struct session *s = &p->s;
	int dir, err, nd = 0;

	kpty_os_said_parse(w->said, w->nsaid, &dir, &err);
	while (p->dirs[nd])
		nd++;
	if (p->cwd[0] && dir < nd && (dir > 0 || !p->cwd_tried)) {
		snprintf(p->notice, sizeof p->notice, "%s: no directory %s here: started in %s",
			 s->name, p->cwd, p->dirs[dir]);
		serve_log("session %s: no directory %s here: started in %s", s->name, p->cwd,
			  p->dirs[dir]);
		for (struct chan *v = s->viewers; v; v = v->snext)
			chan_notice(v, "%s", p->notice);
		if (s->viewers)
			p->notice[0] = 0;
	}
	if (err) {
		p->exec_err = err;
		snprintf(s->end_why, sizeof s->end_why, "cannot run %s: %s", p->argv0, strerror(err));
		serve_log("session %s: %s", s->name, s->end_why);
		for (struct chan *v = s->viewers; v; v = v->snext)
			chan_notice(v, "%s: %s", s->name, s->end_why);
		return;
	}
	/* The pipe's end comes with the child's death too: one that is dying
	 * (its exit closes its files after it is marked exiting, before it is
	 * a zombie) still under the name its fork gave it died in its exec, and is
	 * judged by its reap. Killed while its exec hung (telly kill of one
	 * on a hung mount), it never started: told once it is out of the
	 * table, as a failed exec is, not OK. */
	if (!p->start_sig && !p->start_unsure && exec_child_died_in_exec(p->child.pid)) {
		p->start_unsure = true;
		return;
	}
	if (p->start_sig) {
		killed_at_start(p);
		return;
	}
	open_answer(s->srv, &w->ask, s, NULL);
}

/* OPEN's words for the program: env's, as it ran it before (NAME=VALUE
 * words first are its environment, after TERM and TELLY_SESSION, so that
 * PATH=DIR among them says where it is found), or the user's shell. */
int program_create(struct server *srv, const struct rp_open *m, const char *name,
		   struct conn *c, char *err, size_t errn)
{
	struct program *p;
	struct session *s;
	char *argv[RP_MAX_ARGS + 2];
	const char *edits[RP_MAX_ARGS + 8];
	char *strs[RP_MAX_ARGS + 1];
	int argc = 0, nedit = 0, nstr = 0, r, exec_fd = -1;
	unsigned i = 0;
	const char *shell = getenv("SHELL");
	char asked[4096], term[80], sess[100], dpy[40], xauth[600];
	char **envp = NULL;

	if (srv->nsessions >= MAX_SESSIONS) {
		snprintf(err, errn, "too many sessions (at most %d)", MAX_SESSIONS);
		return RP_E_LIMIT;
	}
	if (!(s = session_alloc(srv, sizeof *p, &program_ops, name, err, errn)))
		return RP_E_LIMIT;
	p = prog(s);
	p->fd = -1;
	p->exec.fd = -1;
	s->sb_lines = SB_LINES;
	s->sb_bytes = SB_BYTES;
	if (m->ws.ws_row && m->ws.ws_col)
		s->ws = m->ws;
	session_clamp_winsize(&s->ws);
	if (!session_screen(s))
		goto nomem;

	snprintf(term, sizeof term, "TERM=%.*s", m->term.n ? (int)m->term.n : 14,
		 m->term.n ? m->term.p : "xterm-256color");
	snprintf(sess, sizeof sess, "TELLY_SESSION=%s", name);
	edits[nedit++] = term;
	edits[nedit++] = sess;
	if (m->flags & RP_OPEN_DISPLAY) { /* --display: a terminal of an X session */
		r = x11_env(srv, m->display.p, m->display.n, dpy, sizeof dpy, xauth, sizeof xauth, err,
			    errn);
		if (r) {
			screen_destroy(s->screen);
			free(p);
			return r;
		}
		edits[nedit++] = dpy;
		edits[nedit++] = xauth;
	}
	for (i = 0; i < m->argc; i++) {
		if (!(strs[nstr] = strndup(m->argv[i].p, m->argv[i].n)))
			goto nomem;
		char *word = strs[nstr++];
		if (argc == 0 && strchr(word, '='))
			edits[nedit++] = word;
		else
			argv[argc++] = word;
	}
	if (argc == 0) /* none, or only NAME=VALUE words: the shell, with them */
		argv[argc++] = (char *)(shell && *shell ? shell : "/bin/sh");
	argv[argc] = NULL;
	edits[nedit] = NULL;
	if (!(envp = base_env_edit(environ, edits)))
		goto nomem;
	{
		size_t o = 0;
		for (unsigned k = 0; k < m->argc && o < sizeof p->cmd - 1; k++)
			o += (size_t)snprintf(p->cmd + o, sizeof p->cmd - o, "%s%s", k ? " " : "",
					      strs[k]);
		if (!m->argc)
			snprintf(p->cmd, sizeof p->cmd, "%s", argv[0]);
	}
	base_log_escape(argv[0], strlen(argv[0]), false, p->argv0, sizeof p->argv0);
	start_dirs(p, m, asked, sizeof asked);
	const struct kpty_os_prog what = {.argv = argv, .envp = envp, .dirs = p->dirs};
	r = kpty_os_spawn_prog(&p->child, &what, &s->ws, KPTY_OS_EXTPROC, &exec_fd);
	for (int k = 0; k < nstr; k++)
		free(strs[k]);
	free(envp);
	if (p->cwd_tried) /* said from now on as asked (asked is gone) */
		p->dirs[0] = p->cwd;
	if (r < 0) {
		snprintf(err, errn, "cannot start %s: %s", p->cmd, strerror(-r));
		screen_destroy(s->screen);
		free(p);
		return RP_E_SPAWN;
	}
	kpty_os_get_termios(p->child.master, &s->termios);
	{
		char logs[300], what[LIST_CMD_MAX + 40];
		snprintf(logs, sizeof logs, "%s/logs", srv->o.log_dir);
		snprintf(what, sizeof what, "%s (pid %d)", p->cmd, (int)p->child.pid);
		/* Appended to, never truncated: a run before this one, even one
		 * that a crash ended, stays on record above it. */
		s->log = telly_slog_start(logs, s->name, srv->o.log_cap, what);
	}
	if (!(p->pump = kpty_os_pump_create_tee(p->child.master, PUMP_BYTES, s->log ? log_tee : NULL,
						s->log)))
		serve_log("session %s: no pty reader thread (%s): reading in the loop", name,
			  strerror(errno));
	if (p->pump && s->log)
		kpty_os_pump_set_tee_now(p->pump, log_tee_now);
	p->fd = p->pump ? kpty_os_pump_fd(p->pump) : p->child.master;
	session_log_events(s);
	session_insert(srv, s);
	serve_log("session %s started: %s (pid %d)", s->name, p->cmd, (int)p->child.pid);
	open_ask_hold(&p->exec.ask, c, m);
	/* No pipe to say (none could be made or watched): started, as far
	 * as anyone will know; its failure is its end, status 127. */
	if (exec_watch_add(srv, &p->exec, exec_fd, program_started, p) < 0)
		open_answer(srv, &p->exec.ask, s, NULL);
	return 0;
nomem:
	for (int k = 0; k < nstr; k++)
		free(strs[k]);
	if (s->screen)
		screen_destroy(s->screen);
	free(p);
	snprintf(err, errn, "out of memory");
	return RP_E_LIMIT;
}

#ifdef TELLY_FUZZ_DISPATCH
#include <sys/ioctl.h>
#include <termios.h>

/* What kpty_os_spawn() makes, less the child: packet mode, EXTPROC. */
static int fuzz_pty(struct kpty_os_child *c, const struct kpty_winsize *ws)
{
	struct termios t;
	int on = 1, err;

	c->pid = 0; /* nothing to signal or wait for (program_kill leaves it) */
	c->slave = -1;
	c->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->master < 0)
		return -errno;
	if (grantpt(c->master) < 0 || unlockpt(c->master) < 0 ||
	    (c->slave = open(ptsname(c->master), O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)) < 0 ||
	    fcntl(c->master, F_SETFL, O_NONBLOCK) < 0 || kpty_os_set_winsize(c->master, ws) < 0 ||
	    tcgetattr(c->slave, &t) < 0)
		goto fail;
	t.c_lflag |= EXTPROC;
	if (tcsetattr(c->slave, TCSANOW, &t) < 0 || ioctl(c->master, TIOCPKT, &on) < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	kpty_os_close(c);
	return -err;
}

/* The fuzzer's round for one session, as if its pty were ready: the
 * "program" reads its input (the slave drained), its output shown, the
 * screen drawn, input written. */
void program_fuzz_round(struct session *s)
{
	struct program *p = prog(s);
	char sink[4096];
	struct pollfd pf = {.fd = p->child.slave, .events = POLLIN};

	poll(&pf, 1, 0); /* runs the pty's pending work: see kpty_os_input_queued */
	while (read(p->child.slave, sink, sizeof sink) > 0)
		;
	program_read(s);
	if (s->settle_at)
		session_tick(s, s->settle_at);
	s->settle_at = 0;
	if (p->inq.count)
		feed(p);
}
#endif
