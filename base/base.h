/* What every part of telly needs, in one place at the bottom of the
 * layering: the clock, full writes and reads, signal setup, the log line
 * (escaped, so what a stranger sends cannot forge a line), log rotation
 * and size parsing. libc only; depends on no other part, and every part
 * may use it.
 */
#ifndef BASE_H
#define BASE_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC, the one clock of telly: milliseconds for deadlines and
 * timers, nanoseconds for latency samples and TIMING. */
long base_now_ms(void);
uint64_t base_now_ns(void);

/* Writes all n bytes to fd, through EINTR and short writes, waiting (poll)
 * while a non-blocking fd is full, up to stall_ms each time (-1: as long as
 * it takes). Returns the bytes written: n, or fewer with errno set when a
 * write failed (ETIMEDOUT: the reader took nothing for stall_ms). */
size_t base_write_all(int fd, const void *buf, size_t n, int stall_ms);

/* Reads exactly n bytes from fd (a socket or pipe, blocking or not),
 * through EINTR and short reads, by deadline_ms (base_now_ms's clock): 0,
 * -ETIMEDOUT, -ECONNRESET when the stream ended first, or another
 * -errno. What came before a failure is in buf but not counted. */
int base_read_all(int fd, void *buf, size_t n, long deadline_ms);

/* Blocks the signals named in sigs (0-terminated), sets them to their
 * default (an "ignore" the process inherited, of SIGCHLD say, is not
 * kept), and returns a non-blocking, close-on-exec signalfd that reads
 * them, or -errno. SIGPIPE is ignored as well: a peer that goes away is
 * an error return, never a signal. Programs started later get the
 * default mask and dispositions back (base_child_signals). */
int base_signalfd(const int *sigs);

/* Log lines "YYYY-MM-DD HH:MM:SS WHO: message" on stderr: the daemon's and
 * the SSH front door's logs. The message is escaped (base_log_escape): what
 * a stranger sends (a user name, a command) cannot start a line of its own
 * or hide one. */
#define BASE_LOG_LINE_MAX 8448 /* a line, escaped (a 2 KiB message at most 4x) */
void base_vlog(const char *who, const char *fmt, va_list ap);
void base_log(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* in[0..n) for a log line, as OpenSSH's logs: printable ASCII as it is,
 * \ as \\, newline, CR and tab as \n \r \t, well-formed UTF-8 as it is
 * unless it is a C1 control, a line separator or a bidirectional
 * override, every other byte as \xHH; with quote, " as \" too. Whole
 * units, as many as fit in cap - 1 bytes; out is NUL-terminated. Returns
 * the bytes in out. */
size_t base_log_escape(const char *in, size_t n, bool quote, char *out, size_t cap);

/* Moves PATH to PATH.1, PATH.1 to PATH.2 and so on, keeping `keep`
 * generations (0: PATH is removed). No rename replaces a file: ext4 writes
 * a file renamed over another (or truncated) to disk at once, and a flood
 * of output rotating its log would become a flood of disk writes. */
void base_log_rotate(const char *path, unsigned keep);

/* "4096", "64K", "8M", "1G" (suffix K, M or G, either case) into *out:
 * 0, or -EINVAL for anything else, below 4096 or above 1 TiB. */
int base_parse_size(const char *s, size_t *out);

/* Between fork() and exec in a daemon with threads only async-signal-safe
 * calls may run: a lock another thread held at the fork (malloc's, stdio's,
 * the environment's) is held for ever in the child. So what a child needs
 * is made in the parent, and the child only calls these. */

/* The environment `env` with the changes in `edits` (NULL-terminated):
 * "NAME=value" replaces NAME or is added, "NAME" removes it; of two
 * edits of one name the later wins (env's words). One malloc'd
 * array of pointers into env and edits (free() it; the strings stay
 * theirs), or NULL when out of memory. */
char **base_env_edit(char *const *env, const char *const *edits);

/* A bound on descriptor numbers (the soft RLIMIT_NOFILE, capped), to take
 * in the parent for base_child_closefrom. */
int base_fd_bound(void);

/* In a child: closes every descriptor from `low` on, with close_range(2)
 * (Linux 5.9), else one close() per number below `bound` (never a reading
 * of /proc/self/fd, which opendir would malloc for). */
void base_child_closefrom(int low, int bound);

/* fork(), every signal blocked in the child (the caller's mask kept in
 * the parent) until its base_child_signals(): one sent to the child
 * before it has reset its dispositions waits, and then acts as on the
 * program it will run, never as on the caller it was a copy of (a
 * handler run in the copy, or an "ignore" that drops it: a blocked
 * signal is held even when ignored, an unblocked one is not). */
pid_t base_fork_held(void);

/* A detached thread running fn(arg), with a stack of stack_bytes, that
 * takes no signal (they are the loop's: SIGCHLD, SIGTERM): 0 or an
 * errno value (pthread_create's). */
int base_thread_detached(void *(*fn)(void *), void *arg, size_t stack_bytes);

/* In a child between fork and exec (or one that runs on as a process of
 * its own, which then sets what it needs apart): every signal at its
 * default, then none blocked (in that order: one held meanwhile acts by
 * its default).
 * A disposition of "ignore" outlives exec: a daemon started with `&`
 * from a script has SIGINT and SIGQUIT ignored, one whose starter
 * ignored SIGTERM has that too, and neither may pass to its children. */
void base_child_signals(void);

/* In a child before its exec: stdin from /dev/null, stdout and stderr
 * appended to log (0600 if new; NULL or "": /dev/null). System calls only. */
void base_child_stdio(const char *log);

/* In a child whose exec failed: "telly: cannot run WHAT: REASON\n" to fd
 * with write(2) alone (the reason from glibc's constant table of errno
 * texts, untranslated: no locale, no lock, no malloc). */
void base_child_say_failed(int fd, const char *what, int err);

/* c (at most U+10FFFF) as UTF-8 into o (4 bytes of room); its length.
 * Inline: the parts that encode (the line discipline's filter, the
 * terminal's selection, X properties) link no more than they did. */
static inline size_t base_utf8_encode(uint32_t c, uint8_t *o)
{
	if (c < 0x80) {
		o[0] = (uint8_t)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (uint8_t)(0xc0 | c >> 6);
		o[1] = (uint8_t)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (uint8_t)(0xe0 | c >> 12);
		o[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
		o[2] = (uint8_t)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (uint8_t)(0xf0 | c >> 18);
	o[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
	o[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
	o[3] = (uint8_t)(0x80 | (c & 0x3f));
	return 4;
}

#endif
