/* A session's log: what its program printed, appended to DIR/NAME.log as
 * it is read (by the pty's reader thread, so a daemon killed with -9 loses
 * only what the kernel's pty held), capped and rotated (one older
 * generation, NAME.log.1), each run marked where it starts and where it
 * ends. A write that fails (a full disk) is counted, not retried byte by
 * byte: the log is reopened every TELLY_SLOG_RETRY_MS while output comes,
 * and says how much it missed once it works again. A log deleted or moved
 * away is made again at its path. The owner learns of each of these from
 * telly_slog_events(), to tell people.
 *
 * Thread-safe: one mutex, held for one write. The marks go to the same
 * file as the program's bytes, which may print lines that look like them;
 * a run that a dead daemon never ended is known by a file of its own
 * (DIR/.NAME.running: no session name starts with a dot).
 */
#ifndef TELLY_SLOG_H
#define TELLY_SLOG_H

#include <stdbool.h>
#include <stddef.h>

#define TELLY_SLOG_RETRY_MS 2000    /* a failed log is tried again this often */
#define TELLY_SLOG_CHECK_MS 1000    /* a written log is checked for deletion this often */
#define TELLY_SLOG_QUIET_MS 60000   /* a failure is told at most once this long */

enum {
	TELLY_SLOG_FAILED = 1 << 0,    /* writes fail now (err says why) */
	TELLY_SLOG_RECOVERED = 1 << 1, /* they work again (lost: bytes missed) */
	TELLY_SLOG_REMADE = 1 << 2,    /* the file was gone: made again */
};

struct telly_slog;

/* Opens DIR/NAME.log to append (never truncated) and marks the start:
 * "--- telly: session NAME started STAMP: WHAT". A run before it that was
 * never marked ended (its daemon died) is said to have ended first. NULL
 * only when out of memory: a log that cannot be opened is retried as a
 * failed write is. */
struct telly_slog *telly_slog_start(const char *dir, const char *name, size_t cap,
				    const char *what);
/* The program's bytes. From any thread. */
void telly_slog_write(struct telly_slog *l, const void *buf, size_t n);
/* The same when it costs one write(2) and no wait (the lock free, the
 * file neither due a check nor a rotation, nor failed): true, written;
 * false, nothing done (give it to telly_slog_write on another thread). */
bool telly_slog_write_now(struct telly_slog *l, const void *buf, size_t n);
/* The end mark, "--- telly: session NAME ended, WHY STAMP", after which
 * the run counts as ended. */
void telly_slog_end(struct telly_slog *l, const char *why);
void telly_slog_destroy(struct telly_slog *l); /* takes NULL; no end mark */

/* What happened since the last call (TELLY_SLOG_* bits; 0: nothing to
 * tell), the last failure's errno and the bytes missed in the failure
 * that ended. A failure is told at most once in TELLY_SLOG_QUIET_MS, and
 * a recovery only when its failure was. Never waits: while the log's
 * writer is inside a file call, 0 now and the events at a later call. */
unsigned telly_slog_events(struct telly_slog *l, int *err, unsigned long long *lost);
const char *telly_slog_path(const struct telly_slog *l);

/* At a daemon's start: each run in DIR that a dead daemon never ended
 * gets its mark at the end of its log. Returns how many. */
int telly_slog_recover(const char *dir);

#endif
