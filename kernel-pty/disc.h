/* The N_TTY-compatible line discipline, internal to kernel-pty.
 *
 * The discipline sits on the slave side of the pair. It takes bytes the
 * master wrote (receive), gives the slave what it may read (read), and
 * processes what the slave writes (write). Everything it emits (echo,
 * processed output) goes to its driver through struct disc_drv, which is
 * the pty pair in pty.c: the split FreeBSD makes between ttydisc and
 * ttydevsw, and Linux between n_tty and the tty driver.
 */
#ifndef KPTY_DISC_H
#define KPTY_DISC_H

#include "kpty.h"

struct disc_drv {
	size_t (*write_room)(void *ctx);
	size_t (*write)(void *ctx, const uint8_t *buf, size_t n);
	void (*signal)(void *ctx, int sig);
	void (*flush_output)(void *ctx);   /* drop output the master has not taken */
	void (*pkt_flush_read)(void *ctx); /* input was flushed: TIOCPKT_FLUSHREAD */
	void (*stop)(void *ctx);           /* output stopped (IXON): TIOCPKT_STOP */
	void (*start)(void *ctx);
};

struct disc {
	const struct disc_drv *drv;
	void *ctx;
	const struct kpty_termios *t;

	size_t read_head, read_tail, commit_head, canon_head;
	size_t echo_head, echo_tail, echo_commit, echo_mark;
	unsigned column, canon_column;
	bool lnext, erasing, icanon, push;
	/* raw: no input processing at all; the receive side is a memcpy
	 * (FreeBSD's ttydisc_optimize bypass). */
	bool raw;
	bool stopped, tco_stopped;
	uint8_t char_map[32];
	uint8_t read_flags[KPTY_BUF_SIZE / 8];
	uint8_t read_buf[KPTY_BUF_SIZE];
	uint8_t echo_buf[KPTY_BUF_SIZE];
};

void disc_init(struct disc *d, const struct disc_drv *drv, void *ctx,
	       const struct kpty_termios *t);
/* Termios changed from old (already stored in *d->t). */
void disc_set_termios(struct disc *d, const struct kpty_termios *old);
/* Take input; returns how many bytes were taken (fewer when full). */
size_t disc_receive(struct disc *d, const uint8_t *buf, size_t n);
/* Copy what a read may return now. *eof_line is set when a canonical read
 * met an EOF (the read is complete even at 0 bytes). Returns bytes copied;
 * *done says the read has met its end condition (a line, an EOF). */
size_t disc_read(struct disc *d, uint8_t *buf, size_t n, bool *line_done);
bool disc_input_available(const struct disc *d, bool poll);
size_t disc_inq(const struct disc *d);
long disc_write(struct disc *d, const uint8_t *buf, size_t n);
void disc_write_processed(struct disc *d, const uint8_t *buf, size_t n);
/* Only the column tracking of disc_write_processed. */
void disc_note_output(struct disc *d, const uint8_t *buf, size_t n);
void disc_flush_input(struct disc *d);
void disc_process_echoes(struct disc *d);
void disc_stop(struct disc *d);
void disc_start(struct disc *d);

#endif
