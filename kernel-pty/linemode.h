/* kpty_lm: the line discipline run on the near side of an EXTPROC link.
 *
 * The far side's pty is in EXTPROC mode: its kernel does no editing, echo
 * or signals, and reports every termios change. kpty_lm mirrors those
 * termios into a kernel-pty pair of its own and puts it in front of the
 * keyboard: while the far program reads in canonical mode, keys are edited
 * and echoed here at once and only finished lines cross; otherwise keys pass
 * straight through. Signals become requests (TIOCSIG on the far master).
 * Pure: no I/O; the owner moves bytes through the ops.
 */
#ifndef KPTY_LINEMODE_H
#define KPTY_LINEMODE_H

#include "kpty.h"

struct kpty_lm_ops {
	/* Bytes for the far side's master (what the program will read). */
	void (*to_far)(void *ctx, const void *buf, size_t n);
	/* Bytes for the user's terminal (echo and the program's output). */
	void (*to_screen)(void *ctx, const void *buf, size_t n);
	/* Ask the far side to signal its foreground group. With flush (no
	 * NOFLSH), input not yet read by the far program is discarded first,
	 * including anything still queued for it, as Linux's ISIG does. */
	void (*signal)(void *ctx, int sig, bool flush);
};

struct kpty_lm;

struct kpty_lm *kpty_lm_create(const struct kpty_lm_ops *ops, void *ctx);
void kpty_lm_destroy(struct kpty_lm *lm);
/* Keys typed by the user. Returns bytes taken (all, unless the far side
 * stopped reading and the queues are full). */
size_t kpty_lm_keys(struct kpty_lm *lm, const void *buf, size_t n);
/* Output of the far program, already processed by its own OPOST. */
void kpty_lm_output(struct kpty_lm *lm, const void *buf, size_t n);
/* The far side's termios, as reported (TIOCPKT_IOCTL) or read. Without
 * EXTPROC in them the far kernel does its own discipline, and kpty_lm
 * passes everything through untouched. */
void kpty_lm_set_termios(struct kpty_lm *lm, const struct kpty_termios *far);
/* True while keys are edited and echoed here (canonical mode). */
bool kpty_lm_local(const struct kpty_lm *lm);

#endif
