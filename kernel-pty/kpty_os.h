/* The OS adapter: real programs on real Linux ptys.
 *
 * kpty_os_spawn() starts a program on a new Linux pty: a new session with the
 * slave as its controlling terminal, a window size, and optionally packet
 * mode (TIOCPKT) and EXTPROC, in which the kernel leaves editing, echo and
 * signals to whoever holds the master (a kernel-pty discipline, typically on
 * the far side of a network) and reports every termios change as a
 * TIOCPKT_IOCTL packet. kpty_os_read() splits those packets.
 */
#ifndef KPTY_OS_H
#define KPTY_OS_H

#include <sys/types.h>

#include "kpty.h"

enum {
	KPTY_OS_PACKET = 1 << 0,  /* TIOCPKT on the master */
	KPTY_OS_EXTPROC = 1 << 1, /* EXTPROC on the slave (implies PACKET) */
	KPTY_OS_RAW = 1 << 2,	  /* the slave raw (cfmakeraw) before the program runs */
};

struct kpty_os_child {
	int master; /* non-blocking, close-on-exec */
	int slave;  /* kept open to watch the input queue; see kpty_os_input_queued */
	pid_t pid;
};

/* argv[0] is looked up in PATH. ws may be NULL. The pty has IUTF8 set
 * (an erase takes a whole UTF-8 character). Its modes are set before the
 * fork, so that a program that sets its own at its start keeps them.
 * Returns 0 once the child is forked (its exec is not waited for: one
 * that fails says "cannot run PROG: WHY" on the terminal and exits 127),
 * or -errno. */
int kpty_os_spawn(struct kpty_os_child *c, char *const argv[], const struct kpty_winsize *ws,
		  unsigned flags);

/* What kpty_os_spawn_prog runs: argv, argv[0] looked up in the PATH of
 * envp (NULL: the caller's environment), in the first of dirs (a NULL-
 * terminated list; NULL: the caller's folder) the child can chdir() to. */
struct kpty_os_prog {
	char *const *argv;
	char *const *envp;
	const char *const *dirs;
};

/* The same, and *exec_fd (if exec_fd is not NULL) the read end of a
 * close-on-exec pipe (non-blocking, close-on-exec) that the child writes
 * struct kpty_os_said records to: the folder it took if not dirs[0],
 * and why its exec failed (it then exits 127). Its end of file comes at
 * the exec (or that exit): the caller reads it when it is ready, never
 * waiting (a loop's fd manager; kpty_os_said_parse). -1 if no pipe was
 * asked. */
enum { KPTY_OS_SAID_DIR = 1, KPTY_OS_SAID_EXEC = 2 };
struct kpty_os_said {
	int what; /* KPTY_OS_SAID_* */
	int val;  /* DIR: its index in dirs; EXEC: the exec's errno */
};
int kpty_os_spawn_prog(struct kpty_os_child *c, const struct kpty_os_prog *p,
		       const struct kpty_winsize *ws, unsigned flags, int *exec_fd);
/* What the pipe held (n bytes) at its end of file: *dir the index of the
 * folder taken, *exec_err the exec's errno (0: it ran; EIO for a record
 * cut short). */
void kpty_os_said_parse(const void *buf, size_t n, int *dir, int *exec_err);

/* A read of the master in packet mode: returns the data bytes copied into
 * buf (0 for a status packet), *status gets the TIOCPKT status bits (0 for
 * data). -errno on error (-EAGAIN: nothing now, -EIO: the slave side is
 * gone). */
long kpty_os_read(int master, void *buf, size_t n, uint8_t *status);

/* A thread that reads a master as fast as the kernel gives (a pty holds
 * only about 20 KiB: an owner busy between its reads stops a program that
 * floods output), into a ring of `bytes`. kpty_os_pump_fd() turns
 * readable once the program pauses, a status comes, 64 KiB came or the ring
 * is full, and stays so until a read finds the ring empty; once the program
 * has been quiet a while, and while it prints little (echoes), as soon as
 * it prints: the owner then reads the master itself, without waiting for
 * the thread to wake;
 * kpty_os_pump_read() then answers as kpty_os_read() would have, in the
 * same order (-EAGAIN: nothing yet). After kpty_os_pump_stop() (the thread
 * ends) reads take the ring's rest, then read the master directly.
 * create: NULL and errno on failure; destroy stops it and takes NULL; the
 * master stays the caller's, to close after. */
struct kpty_os_pump;
struct kpty_os_pump *kpty_os_pump_create(int master, size_t bytes);
/* The same, and every data byte it hands out is given to tee(ctx, ...),
 * once and in order: on the pump's thread while it runs (outside its
 * lock, so a slow tee holds up only the pump), as soon as it reads it,
 * or, for what the owner read itself, once the owner's round is over
 * (kpty_os_pump_tee_due) or the pump stops; on the owner's in
 * kpty_os_pump_read() after it stopped. A log written there keeps what a
 * killed owner had not taken from the ring. */
typedef void kpty_os_pump_tee(void *ctx, const void *buf, size_t n);
struct kpty_os_pump *kpty_os_pump_create_tee(int master, size_t bytes, kpty_os_pump_tee *tee,
					     void *ctx);
int kpty_os_pump_fd(const struct kpty_os_pump *p);
long kpty_os_pump_read(struct kpty_os_pump *p, void *buf, size_t n, uint8_t *status);
/* The owner's own reads offered to the log before it sends them on: now()
 * takes them (true) at once, or says it cannot without a wait (false: the
 * thread tees them after the round, as without it). Set before the
 * owner's first read. */
typedef bool kpty_os_pump_tee_now(void *ctx, const void *buf, size_t n);
void kpty_os_pump_set_tee_now(struct kpty_os_pump *p, kpty_os_pump_tee_now *now);
/* The owner's round is over (what it read is sent on): the thread may tee
 * what the owner read from the master itself. Takes NULL. */
void kpty_os_pump_tee_due(struct kpty_os_pump *p);
void kpty_os_pump_stop(struct kpty_os_pump *p);
void kpty_os_pump_destroy(struct kpty_os_pump *p);

/* Bytes written to the master that the program has not read yet.
 *
 * Under EXTPROC, Linux does not end a canonical read at a line end: a
 * program that reads "cat\n" would also swallow the line typed next for cat.
 * Whoever writes finished lines into the master therefore writes the next
 * one only once this is 0, which gives the program one line per read, as
 * canonical mode does. Holding the slave open also means the master never
 * sees EIO: the owner learns of the end from the child's exit. */
int kpty_os_input_queued(const struct kpty_os_child *c);
/* Discard input the program has not read (TCIFLUSH on the slave). */
int kpty_os_flush_input(const struct kpty_os_child *c);
/* Reap the child if it exited: 1 and *status, 0 if still running. */
int kpty_os_reap(struct kpty_os_child *c, int *status);
void kpty_os_close(struct kpty_os_child *c);

/* Input on its way into a pty master, in the chunks it arrived in (one
 * finished line each, from a kpty_lm in canonical mode), each with the
 * owner's tag (who sent it, which sequence number). Bounded: a push that
 * does not fit is refused whole, and the owner holds it back. */
#define KPTY_OS_INQ_BYTES 65536
#define KPTY_OS_INQ_CHUNKS 1024

struct kpty_os_inq {
	uint8_t buf[KPTY_OS_INQ_BYTES];
	size_t len; /* bytes queued; the first chunk may be partly written */
	size_t written; /* of the first chunk */
	unsigned count;
	struct {
		size_t end; /* offset in buf just past the chunk */
		uint64_t tag;
	} chunk[KPTY_OS_INQ_CHUNKS];
};

bool kpty_os_inq_push(struct kpty_os_inq *q, const void *buf, size_t n, uint64_t tag);
/* A chunk of no bytes behind what is queued: done() gets its tag once all
 * before it is written. False (nothing queued) when the queue is empty
 * (with nothing before it, it is done now) or has no chunk left. */
bool kpty_os_inq_mark(struct kpty_os_inq *q, uint64_t tag);
void kpty_os_inq_clear(struct kpty_os_inq *q);
/* Write what may go now. Paced (the program reads in canonical mode under
 * EXTPROC): a chunk only once the program has read everything before it,
 * see kpty_os_input_queued. Otherwise as much as the master takes. done()
 * is called with the tag of each chunk once it is all written. Returns
 * 1 while input remains, 0 when the queue is empty, -errno on a write
 * error other than EAGAIN. */
int kpty_os_inq_feed(struct kpty_os_inq *q, const struct kpty_os_child *c, bool paced,
		     void (*done)(void *ctx, uint64_t tag), void *ctx);

/* The slave's termios, read through the master (Linux answers TCGETS on a
 * master with its slave's termios). */
int kpty_os_get_termios(int master, struct kpty_termios *t);
int kpty_os_set_termios(int master, const struct kpty_termios *t);
int kpty_os_set_winsize(int master, const struct kpty_winsize *ws);
int kpty_os_get_winsize(int fd, struct kpty_winsize *ws);
/* TIOCSIG: SIGINT, SIGQUIT or SIGTSTP to the slave's foreground group. */
int kpty_os_signal(int master, int sig);
/* In a child between fork and exec (async-signal-safe): every signal at
 * its default, then unblocked (base_child_signals). */
void kpty_os_child_signals(void);
/* fork(), every signal blocked in the child until its
 * kpty_os_child_signals() (base_fork_held): one sent to it meanwhile
 * waits, and then acts as on the program it will run. The child is named
 * KPTY_FORK_NAME until its exec names it after its program: whether a
 * child that died had reached its exec is read from that (its
 * /proc/PID/stat, which a zombie keeps), whatever the parent is called.
 * An exec names a process after the last part of a path, which never
 * holds a '/': no program's file can bear this name. */
#define KPTY_FORK_NAME "telly/forked"
pid_t kpty_os_fork(void);
/* sig to a child that makes its own session (kpty_os_spawn*, an X
 * session's programs): to its process group, as a hangup does, and to
 * the child itself, which has no group of its own until its setsid()
 * (one sent to the group then finds none, ESRCH, and is lost). */
void kpty_os_signal_session(pid_t pid, int sig);
/* In a child whose exec failed, before it says why on its exec pipe
 * (async-signal-safe): SIGPIPE ignored, so that a parent that closed
 * its end (past its bound) costs an EPIPE, not a death by signal 13
 * instead of status 127. Never before the exec: a program keeps it. */
void kpty_os_child_exec_failed(void);

#endif
