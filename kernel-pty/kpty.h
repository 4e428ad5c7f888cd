/* kpty: a pseudo-terminal pair and N_TTY-compatible line discipline.
 *
 * The core does no I/O and allocates nothing after kpty_create(): every
 * buffer is a fixed ring inside struct kpty. What it needs from the world
 * (a clock, signal delivery to the foreground group, wakeups) comes through
 * struct kpty_devsw, the way FreeBSD's tty layer talks to its driver through
 * ttydevsw. Flag values and c_cc indices are Linux's, so a kpty_termios and a
 * Linux struct termios convert field by field.
 */
#ifndef KPTY_H
#define KPTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* c_cc indices (Linux) */
enum {
	KPTY_VINTR = 0, KPTY_VQUIT = 1, KPTY_VERASE = 2, KPTY_VKILL = 3,
	KPTY_VEOF = 4, KPTY_VTIME = 5, KPTY_VMIN = 6, KPTY_VSWTC = 7,
	KPTY_VSTART = 8, KPTY_VSTOP = 9, KPTY_VSUSP = 10, KPTY_VEOL = 11,
	KPTY_VREPRINT = 12, KPTY_VDISCARD = 13, KPTY_VWERASE = 14,
	KPTY_VLNEXT = 15, KPTY_VEOL2 = 16, KPTY_NCCS = 19,
};

/* c_iflag */
#define KPTY_IGNBRK  0000001u
#define KPTY_BRKINT  0000002u
#define KPTY_IGNPAR  0000004u
#define KPTY_PARMRK  0000010u
#define KPTY_INPCK   0000020u
#define KPTY_ISTRIP  0000040u
#define KPTY_INLCR   0000100u
#define KPTY_IGNCR   0000200u
#define KPTY_ICRNL   0000400u
#define KPTY_IUCLC   0001000u
#define KPTY_IXON    0002000u
#define KPTY_IXANY   0004000u
#define KPTY_IXOFF   0010000u
#define KPTY_IMAXBEL 0020000u
#define KPTY_IUTF8   0040000u
/* c_oflag */
#define KPTY_OPOST   0000001u
#define KPTY_OLCUC   0000002u
#define KPTY_ONLCR   0000004u
#define KPTY_OCRNL   0000010u
#define KPTY_ONOCR   0000020u
#define KPTY_ONLRET  0000040u
#define KPTY_OFILL   0000100u
#define KPTY_OFDEL   0000200u
#define KPTY_NLDLY   0000400u
#define KPTY_CRDLY   0003000u
#define KPTY_TABDLY  0014000u
#define KPTY_XTABS   0014000u
#define KPTY_BSDLY   0020000u
#define KPTY_VTDLY   0040000u
#define KPTY_FFDLY   0100000u
/* c_cflag */
#define KPTY_CBAUD   0010017u
#define KPTY_B38400  0000017u
#define KPTY_CSIZE   0000060u
#define KPTY_CS5     0000000u
#define KPTY_CS6     0000020u
#define KPTY_CS7     0000040u
#define KPTY_CS8     0000060u
#define KPTY_CSTOPB  0000100u
#define KPTY_CREAD   0000200u
#define KPTY_PARENB  0000400u
#define KPTY_PARODD  0001000u
#define KPTY_HUPCL   0002000u
#define KPTY_CLOCAL  0004000u
#define KPTY_CMSPAR  010000000000u
#define KPTY_CRTSCTS 020000000000u
/* c_lflag */
#define KPTY_ISIG    0000001u
#define KPTY_ICANON  0000002u
#define KPTY_XCASE   0000004u
#define KPTY_ECHO    0000010u
#define KPTY_ECHOE   0000020u
#define KPTY_ECHOK   0000040u
#define KPTY_ECHONL  0000100u
#define KPTY_NOFLSH  0000200u
#define KPTY_TOSTOP  0000400u
#define KPTY_ECHOCTL 0001000u
#define KPTY_ECHOPRT 0002000u
#define KPTY_ECHOKE  0004000u
#define KPTY_FLUSHO  0010000u
#define KPTY_PENDIN  0040000u
#define KPTY_IEXTEN  0100000u
#define KPTY_EXTPROC 0200000u

/* TIOCPKT status bits (Linux values) */
#define KPTY_PKT_DATA       0x00
#define KPTY_PKT_FLUSHREAD  0x01
#define KPTY_PKT_FLUSHWRITE 0x02
#define KPTY_PKT_STOP       0x04
#define KPTY_PKT_START      0x08
#define KPTY_PKT_NOSTOP     0x10
#define KPTY_PKT_DOSTOP     0x20
#define KPTY_PKT_IOCTL      0x40

/* Signal numbers the core raises (Linux x86 values). */
#define KPTY_SIGHUP   1
#define KPTY_SIGINT   2
#define KPTY_SIGQUIT  3
#define KPTY_SIGCONT  18
#define KPTY_SIGTSTP  20
#define KPTY_SIGWINCH 28

/* Error values (negated on return), Linux's errno numbers. */
#define KPTY_EINTR  4
#define KPTY_EIO    5
#define KPTY_EBADF  9
#define KPTY_EAGAIN 11
#define KPTY_EINVAL 22

/* Linux's N_TTY_BUF_SIZE: the read buffer, and with it the line limit. */
#define KPTY_BUF_SIZE 4096u
/* Bytes accepted from the master but not yet taken by the discipline, and
 * bytes the master has not read yet. Linux lets these grow to 640 KiB of
 * tty_buffers; telly keeps them fixed so memory per pty is known. */
#define KPTY_INQ_SIZE  8192u
#define KPTY_OUTQ_SIZE 16384u

struct kpty_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_cc[KPTY_NCCS];
};

struct kpty_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* Events for kpty_devsw.wakeup. */
enum {
	KPTY_WAKE_MASTER_READ = 1 << 0,  /* master has something to read */
	KPTY_WAKE_SLAVE_READ = 1 << 1,   /* slave read may now complete */
	KPTY_WAKE_SLAVE_WRITE = 1 << 2,  /* slave write room grew */
	KPTY_WAKE_MASTER_WRITE = 1 << 3, /* master write room grew */
};

/* What the core needs from its owner. Every member may be NULL. */
struct kpty_devsw {
	/* Deliver SIG to the slave's foreground process group. */
	void (*signal)(void *ctx, int sig);
	/* The master closed: the session leader is sent SIGHUP and SIGCONT. */
	void (*hangup)(void *ctx);
	/* The slave's termios changed (old, new); lets an owner mirror it. */
	void (*param)(void *ctx, const struct kpty_termios *old,
		      const struct kpty_termios *new_);
	void (*wakeup)(void *ctx, unsigned events);
	/* CLOCK_MONOTONIC-like nanoseconds, for VTIME. */
	uint64_t (*now_ns)(void *ctx);
};

struct kpty;

struct kpty *kpty_create(const struct kpty_devsw *sw, void *ctx);
void kpty_destroy(struct kpty *k);

/* The termios of a freshly opened Linux pty slave. */
void kpty_termios_default(struct kpty_termios *t);

/* Master side. Return bytes moved, or a negative KPTY_E* value. */
long kpty_master_write(struct kpty *k, const void *buf, size_t n);
long kpty_master_read(struct kpty *k, void *buf, size_t n);
int kpty_master_close(struct kpty *k);
int kpty_set_packet(struct kpty *k, bool on);                  /* TIOCPKT */
int kpty_master_signal(struct kpty *k, int sig);               /* TIOCSIG */
size_t kpty_master_readable(const struct kpty *k);

/* TIOCSWINSZ on the master: SIGWINCH only when the size changes. */
int kpty_set_winsize(struct kpty *k, const struct kpty_winsize *ws);
void kpty_get_winsize(const struct kpty *k, struct kpty_winsize *ws);

/* Slave side. A read is a small state machine so that VMIN/VTIME can be
 * served without blocking inside the core: a blocking read that cannot
 * finish yet returns -KPTY_EAGAIN with st->deadline_ns set (0: no timer;
 * wait for input). Call again with the same st after input arrives or the
 * deadline passes. Non-blocking reads ignore st's timer. */
struct kpty_read {
	size_t got;          /* bytes copied so far in this read */
	uint64_t deadline_ns;
	bool started;
};
long kpty_slave_read(struct kpty *k, void *buf, size_t n, bool nonblock,
		     struct kpty_read *st);
long kpty_slave_write(struct kpty *k, const void *buf, size_t n);
int kpty_slave_close(struct kpty *k);
int kpty_tcgetattr(const struct kpty *k, struct kpty_termios *t);
int kpty_tcsetattr(struct kpty *k, const struct kpty_termios *t);
/* queue: 0 TCIFLUSH, 1 TCOFLUSH, 2 TCIOFLUSH (Linux values). */
int kpty_tcflush(struct kpty *k, int queue);
/* Bytes a read on the slave could return now (TIOCINQ). */
size_t kpty_slave_inq(const struct kpty *k);

/* Output that an application already wrote through its own terminal's
 * OPOST (the far side of an EXTPROC link): shown as is, but the discipline
 * tracks the column so that erasing a tab echoes the right backspaces. */
long kpty_slave_write_processed(struct kpty *k, const void *buf, size_t n);
/* The same for an owner that shows the bytes itself: only the column is
 * tracked. Refused (-KPTY_EAGAIN) while the master has output unread, which
 * must be shown first. */
long kpty_slave_note_output(struct kpty *k, const void *buf, size_t n);

#endif
