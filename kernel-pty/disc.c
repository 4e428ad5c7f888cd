/* N_TTY-compatible line discipline.
 *
 * This follows the structure of Linux's drivers/tty/n_tty.c closely on
 * purpose: telly is held byte for byte to the kernel's pty by a differential
 * test, and the kernel's behaviour at the edges (the 4095-byte line, echo
 * ops that are interpreted only when output has room, tab erase by column,
 * echoes discarded by a signal in the same input batch) falls out of that
 * structure. Indices into the rings are free-running and masked on use.
 *
 * Echo bytes are not written at once: they are queued in echo_buf as a small
 * op language (ECHO_OP_*) and turned into output by process_echoes(), which
 * tracks the output column; that is how erasing a tab knows how far to go
 * back, and why echo waits while output is stopped.
 */
#include "disc.h"
#include "shim.h"

#include <string.h>

#define MASK(x) ((x) & (KPTY_BUF_SIZE - 1))

#define ECHO_OP_START 0xff
#define ECHO_OP_MOVE_BACK_COL 0x80
#define ECHO_OP_SET_CANON_COL 0x81
#define ECHO_OP_ERASE_TAB 0x82
#define ECHO_COMMIT_WATERMARK 256
#define ECHO_BLOCK 256
#define ECHO_DISCARD_WATERMARK (KPTY_BUF_SIZE - (ECHO_BLOCK + 32))

#define DISABLED_CHAR 0 /* _POSIX_VDISABLE on Linux */

#define I(d, f) (((d)->t->c_iflag & KPTY_##f) != 0)
#define O(d, f) (((d)->t->c_oflag & KPTY_##f) != 0)
#define L(d, f) (((d)->t->c_lflag & KPTY_##f) != 0)
#define CC(d, c) ((d)->t->c_cc[KPTY_V##c])

/* The kernel's ctype (lib/ctype.c): Latin-1 letters count, 128-159 are not
 * control characters. Using libc's would differ from Linux. */
static bool k_iscntrl(uint8_t c) { return c < 32 || c == 127; }
static bool k_isupper(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 192 && c <= 222 && c != 215);
}
static bool k_islower(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 223 && c != 247);
}
static bool k_isalnum(uint8_t c)
{
	return k_isupper(c) || k_islower(c) || (c >= '0' && c <= '9');
}
static uint8_t k_tolower(uint8_t c) { return k_isupper(c) ? c + 32 : c; }
static uint8_t k_toupper(uint8_t c) { return k_islower(c) ? c - 32 : c; }

static bool is_continuation(const struct disc *d, uint8_t c)
{
	return I(d, IUTF8) && (c & 0xc0) == 0x80;
}

static bool test_bit(const uint8_t *map, size_t bit)
{
	return map[bit >> 3] & (1u << (bit & 7));
}
static void set_bit(uint8_t *map, size_t bit) { map[bit >> 3] |= 1u << (bit & 7); }
static void clear_bit(uint8_t *map, size_t bit)
{
	map[bit >> 3] &= (uint8_t)~(1u << (bit & 7));
}

static size_t read_cnt(const struct disc *d) { return d->read_head - d->read_tail; }
static uint8_t read_buf(const struct disc *d, size_t i) { return d->read_buf[MASK(i)]; }
static uint8_t echo_buf(const struct disc *d, size_t i) { return d->echo_buf[MASK(i)]; }

static void put_tty_queue(struct disc *d, uint8_t c)
{
	d->read_buf[MASK(d->read_head)] = c;
	d->read_head++;
}

static size_t write_room(struct disc *d)
{
	return d->stopped ? 0 : d->drv->write_room(d->ctx);
}

static size_t drv_write(struct disc *d, const uint8_t *buf, size_t n)
{
	return d->stopped ? 0 : d->drv->write(d->ctx, buf, n);
}

static void put_char(struct disc *d, uint8_t c) { drv_write(d, &c, 1); }

static void reset_buffer_flags(struct disc *d)
{
	d->read_head = d->canon_head = d->read_tail = 0;
	d->commit_head = 0;
	d->lnext = false;
	d->erasing = false;
	kpty_memset(d->read_flags, 0, sizeof d->read_flags);
	d->push = false;
}

void disc_init(struct disc *d, const struct disc_drv *drv, void *ctx,
	       const struct kpty_termios *t)
{
	kpty_memset(d, 0, sizeof *d);
	d->drv = drv;
	d->ctx = ctx;
	d->t = t;
	disc_set_termios(d, NULL);
}

/* ---- output processing (OPOST) ---- */

/* One character with full OPOST handling; returns bytes of room used, or
 * -1 when there is not enough room (nothing written). */
static int do_output_char(struct disc *d, uint8_t c, size_t space)
{
	if (!space)
		return -1;
	switch (c) {
	case '\n':
		if (O(d, ONLRET))
			d->column = 0;
		if (O(d, ONLCR)) {
			if (space < 2)
				return -1;
			d->canon_column = d->column = 0;
			drv_write(d, (const uint8_t *)"\r\n", 2);
			return 2;
		}
		d->canon_column = d->column;
		break;
	case '\r':
		if (O(d, ONOCR) && d->column == 0)
			return 0;
		if (O(d, OCRNL)) {
			c = '\n';
			if (O(d, ONLRET))
				d->canon_column = d->column = 0;
			break;
		}
		d->canon_column = d->column = 0;
		break;
	case '\t': {
		unsigned spaces = 8 - (d->column & 7);
		if ((d->t->c_oflag & KPTY_TABDLY) == KPTY_XTABS) {
			if (space < spaces)
				return -1;
			d->column += spaces;
			drv_write(d, (const uint8_t *)"        ", spaces);
			return (int)spaces;
		}
		d->column += spaces;
		break;
	}
	case '\b':
		if (d->column > 0)
			d->column--;
		break;
	default:
		if (!k_iscntrl(c)) {
			if (O(d, OLCUC))
				c = k_toupper(c);
			if (!is_continuation(d, c))
				d->column++;
		}
		break;
	}
	put_char(d, c);
	return 1;
}

/* The longest run that needs no translation goes out in one write. */
static size_t process_output_block(struct disc *d, const uint8_t *buf, size_t nr)
{
	size_t space = write_room(d), i;

	if (!space)
		return 0;
	if (nr > space)
		nr = space;
	for (i = 0; i < nr; i++) {
		uint8_t c = buf[i];
		switch (c) {
		case '\n':
			if (O(d, ONLRET))
				d->column = 0;
			if (O(d, ONLCR))
				goto out;
			d->canon_column = d->column;
			break;
		case '\r':
			if (O(d, ONOCR) && d->column == 0)
				goto out;
			if (O(d, OCRNL))
				goto out;
			d->canon_column = d->column = 0;
			break;
		case '\t':
			goto out;
		case '\b':
			if (d->column > 0)
				d->column--;
			break;
		default:
			if (!k_iscntrl(c)) {
				if (O(d, OLCUC))
					goto out;
				if (!is_continuation(d, c))
					d->column++;
			}
			break;
		}
	}
out:
	return drv_write(d, buf, i);
}

long disc_write(struct disc *d, const uint8_t *buf, size_t nr)
{
	const uint8_t *b = buf;

	disc_process_echoes(d);
	if (O(d, OPOST)) {
		while (nr > 0) {
			size_t num = process_output_block(d, b, nr);
			b += num;
			nr -= num;
			if (nr == 0)
				break;
			if (do_output_char(d, *b, write_room(d)) < 0)
				break;
			b++;
			nr--;
		}
	} else {
		/* Bypass: no output processing, straight to the driver. */
		while (nr > 0) {
			size_t num = drv_write(d, b, nr);
			if (!num)
				break;
			b += num;
			nr -= num;
		}
	}
	if (b == buf && nr)
		return -KPTY_EAGAIN;
	return b - buf;
}

static void note_column(struct disc *d, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = buf[i];
		if (c == '\n') {
			if (O(d, ONLRET) || O(d, ONLCR))
				d->column = 0;
			d->canon_column = d->column;
		} else if (c == '\r') {
			d->canon_column = d->column = 0;
		} else if (c == '\t') {
			d->column += 8 - (d->column & 7);
		} else if (c == '\b') {
			if (d->column > 0)
				d->column--;
		} else if (!k_iscntrl(c) && !is_continuation(d, c)) {
			d->column++;
		}
	}
}

/* Track the column as process_output_block would for text that needed no
 * translation. A carriage return, or a newline that returns the carriage,
 * sets both columns to 0 whatever came before it, so only the text after
 * the last of them is looked at: output is mostly whole lines. */
void disc_note_output(struct disc *d, const uint8_t *buf, size_t n)
{
	const uint8_t *cr = memrchr(buf, '\r', n), *lf = memrchr(buf, '\n', n);
	size_t after_cr = cr ? (size_t)(cr - buf) + 1 : 0;
	size_t after_lf = lf && (O(d, ONLRET) || O(d, ONLCR)) ? (size_t)(lf - buf) + 1 : 0;
	size_t from = after_cr > after_lf ? after_cr : after_lf;

	if (lf && (size_t)(lf - buf) + 1 > from) { /* a newline that keeps the column */
		note_column(d, buf, n);
		return;
	}
	if (from)
		d->canon_column = d->column = 0;
	note_column(d, buf + from, n - from);
}

void disc_write_processed(struct disc *d, const uint8_t *buf, size_t n)
{
	disc_note_output(d, buf, n);
	while (n > 0) {
		size_t num = drv_write(d, buf, n);
		if (!num)
			break;
		buf += num;
		n -= num;
	}
}

/* ---- echo ---- */

static void add_echo_byte(struct disc *d, uint8_t c)
{
	d->echo_buf[MASK(d->echo_head)] = c;
	d->echo_head++;
}

static void echo_move_back_col(struct disc *d)
{
	add_echo_byte(d, ECHO_OP_START);
	add_echo_byte(d, ECHO_OP_MOVE_BACK_COL);
}

static void echo_set_canon_col(struct disc *d)
{
	add_echo_byte(d, ECHO_OP_START);
	add_echo_byte(d, ECHO_OP_SET_CANON_COL);
}

static void echo_erase_tab(struct disc *d, unsigned num_chars, bool after_tab)
{
	add_echo_byte(d, ECHO_OP_START);
	add_echo_byte(d, ECHO_OP_ERASE_TAB);
	num_chars &= 7;
	if (after_tab)
		num_chars |= 0x80;
	add_echo_byte(d, (uint8_t)num_chars);
}

static void echo_char_raw(struct disc *d, uint8_t c)
{
	if (c == ECHO_OP_START)
		add_echo_byte(d, ECHO_OP_START);
	add_echo_byte(d, c);
}

static void echo_char(struct disc *d, uint8_t c)
{
	if (c == ECHO_OP_START) {
		add_echo_byte(d, ECHO_OP_START);
		add_echo_byte(d, ECHO_OP_START);
	} else {
		if (L(d, ECHOCTL) && k_iscntrl(c) && c != '\t')
			add_echo_byte(d, ECHO_OP_START);
		add_echo_byte(d, c);
	}
}

static void finish_erasing(struct disc *d)
{
	if (d->erasing) {
		echo_char_raw(d, '/');
		d->erasing = false;
	}
}

/* Turn committed echo ops into output, as far as output room allows. */
static size_t process_echoes_locked(struct disc *d)
{
	size_t space = write_room(d), old_space = space;
	size_t tail = d->echo_tail;

	while (MASK(d->echo_commit) != MASK(tail)) {
		uint8_t c = echo_buf(d, tail);
		if (c == ECHO_OP_START) {
			bool space_left = true;
			if (MASK(d->echo_commit) == MASK(tail + 1))
				goto not_yet_stored;
			uint8_t op = echo_buf(d, tail + 1);
			switch (op) {
			case ECHO_OP_ERASE_TAB: {
				if (MASK(d->echo_commit) == MASK(tail + 2))
					goto not_yet_stored;
				unsigned num_chars = echo_buf(d, tail + 2);
				if (!(num_chars & 0x80))
					num_chars += d->canon_column;
				unsigned num_bs = 8 - (num_chars & 7);
				if (num_bs > space) {
					space_left = false;
					break;
				}
				space -= num_bs;
				while (num_bs--) {
					put_char(d, '\b');
					if (d->column > 0)
						d->column--;
				}
				tail += 3;
				break;
			}
			case ECHO_OP_SET_CANON_COL:
				d->canon_column = d->column;
				tail += 2;
				break;
			case ECHO_OP_MOVE_BACK_COL:
				if (d->column > 0)
					d->column--;
				tail += 2;
				break;
			case ECHO_OP_START:
				if (!space) {
					space_left = false;
					break;
				}
				put_char(d, ECHO_OP_START);
				d->column++;
				space--;
				tail += 2;
				break;
			default:
				/* A control character echoed as ^X, whole or
				 * not at all. */
				if (space < 2) {
					space_left = false;
					break;
				}
				put_char(d, '^');
				put_char(d, op ^ 0100);
				d->column += 2;
				space -= 2;
				tail += 2;
			}
			if (!space_left)
				break;
		} else {
			if (O(d, OPOST)) {
				int r = do_output_char(d, c, space);
				if (r < 0)
					break;
				space -= (size_t)r;
			} else {
				if (!space)
					break;
				put_char(d, c);
				space -= 1;
			}
			tail += 1;
		}
	}

	/* If output cannot keep up, drop the oldest whole ops rather than
	 * let the ring overrun itself. */
	while (d->echo_commit > tail && d->echo_commit - tail >= ECHO_DISCARD_WATERMARK) {
		if (echo_buf(d, tail) == ECHO_OP_START) {
			if (echo_buf(d, tail + 1) == ECHO_OP_ERASE_TAB)
				tail += 3;
			else
				tail += 2;
		} else {
			tail++;
		}
	}
not_yet_stored:
	d->echo_tail = tail;
	return old_space - space;
}

static void commit_echoes(struct disc *d)
{
	size_t head = d->echo_head;
	size_t old = d->echo_commit - d->echo_tail;
	size_t nr;

	d->echo_mark = head;
	/* Echo goes out in blocks during one input batch; the rest at the
	 * end of the batch (flush_echoes). */
	nr = head - d->echo_tail;
	if (nr < ECHO_COMMIT_WATERMARK || (nr % ECHO_BLOCK > old % ECHO_BLOCK))
		return;
	d->echo_commit = head;
	process_echoes_locked(d);
}

void disc_process_echoes(struct disc *d)
{
	if (d->echo_mark == d->echo_tail)
		return;
	d->echo_commit = d->echo_mark;
	process_echoes_locked(d);
}

static void flush_echoes(struct disc *d)
{
	if ((!L(d, ECHO) && !L(d, ECHONL)) || d->echo_commit == d->echo_head)
		return;
	d->echo_commit = d->echo_head;
	process_echoes_locked(d);
}

/* ---- flow control ---- */

void disc_stop(struct disc *d)
{
	if (d->stopped)
		return;
	d->stopped = true;
	if (d->drv->stop)
		d->drv->stop(d->ctx);
}

void disc_start(struct disc *d)
{
	if (!d->stopped || d->tco_stopped)
		return;
	d->stopped = false;
	if (d->drv->start)
		d->drv->start(d->ctx);
}

/* ---- input ---- */

void disc_flush_input(struct disc *d)
{
	reset_buffer_flags(d);
	if (d->drv->pkt_flush_read)
		d->drv->pkt_flush_read(d->ctx);
}

static void isig(struct disc *d, int sig)
{
	if (L(d, NOFLSH)) {
		d->drv->signal(d->ctx, sig);
		return;
	}
	d->drv->signal(d->ctx, sig);
	/* Pending echo, output the master has not taken, and all input go. */
	d->echo_head = d->echo_tail = 0;
	d->echo_mark = d->echo_commit = 0;
	d->drv->flush_output(d->ctx);
	disc_flush_input(d);
}

static void receive_signal_char(struct disc *d, int sig, uint8_t c)
{
	isig(d, sig);
	if (I(d, IXON))
		disc_start(d);
	if (L(d, ECHO)) {
		echo_char(d, c);
		commit_echoes(d);
	} else {
		disc_process_echoes(d);
	}
}

static void eraser(struct disc *d, uint8_t c)
{
	enum { ERASE, WERASE, KILL } kill_type;
	int seen_alnums = 0;

	if (d->read_head == d->canon_head)
		return;
	if (c == CC(d, ERASE)) {
		kill_type = ERASE;
	} else if (c == CC(d, WERASE)) {
		kill_type = WERASE;
	} else {
		if (!L(d, ECHO)) {
			d->read_head = d->canon_head;
			return;
		}
		if (!L(d, ECHOK) || !L(d, ECHOKE) || !L(d, ECHOE)) {
			d->read_head = d->canon_head;
			finish_erasing(d);
			echo_char(d, CC(d, KILL));
			if (L(d, ECHOK))
				echo_char_raw(d, '\n');
			return;
		}
		kill_type = KILL;
	}

	while (MASK(d->read_head) != MASK(d->canon_head)) {
		size_t head = d->read_head, cnt;

		/* One character, all the bytes of it under IUTF8. */
		do {
			head--;
			c = read_buf(d, head);
		} while (is_continuation(d, c) && MASK(head) != MASK(d->canon_head));
		if (is_continuation(d, c))
			break;

		if (kill_type == WERASE) {
			if (k_isalnum(c) || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		cnt = d->read_head - head;
		d->read_head = head;
		if (L(d, ECHO)) {
			if (L(d, ECHOPRT)) {
				if (!d->erasing) {
					echo_char_raw(d, '\\');
					d->erasing = true;
				}
				echo_char(d, c);
				while (--cnt > 0) {
					head++;
					echo_char_raw(d, read_buf(d, head));
					echo_move_back_col(d);
				}
			} else if (kill_type == ERASE && !L(d, ECHOE)) {
				echo_char(d, CC(d, ERASE));
			} else if (c == '\t') {
				unsigned num_chars = 0;
				bool after_tab = false;
				size_t tail = d->read_head;

				/* Columns used since the line began or since the
				 * previous tab decide how far back to go. */
				while (MASK(tail) != MASK(d->canon_head)) {
					tail--;
					c = read_buf(d, tail);
					if (c == '\t') {
						after_tab = true;
						break;
					} else if (k_iscntrl(c)) {
						if (L(d, ECHOCTL))
							num_chars += 2;
					} else if (!is_continuation(d, c)) {
						num_chars++;
					}
				}
				echo_erase_tab(d, num_chars, after_tab);
			} else {
				if (k_iscntrl(c) && L(d, ECHOCTL)) {
					echo_char_raw(d, '\b');
					echo_char_raw(d, ' ');
					echo_char_raw(d, '\b');
				}
				if (!k_iscntrl(c) || L(d, ECHOCTL)) {
					echo_char_raw(d, '\b');
					echo_char_raw(d, ' ');
					echo_char_raw(d, '\b');
				}
			}
		}
		if (kill_type == ERASE)
			break;
	}
	if (d->read_head == d->canon_head && L(d, ECHO))
		finish_erasing(d);
}

static void handle_newline(struct disc *d, uint8_t c)
{
	set_bit(d->read_flags, MASK(d->read_head));
	put_tty_queue(d, c);
	d->canon_head = d->read_head;
}

static bool receive_char_canon(struct disc *d, uint8_t c)
{
	if (c == CC(d, ERASE) || c == CC(d, KILL) || (c == CC(d, WERASE) && L(d, IEXTEN))) {
		eraser(d, c);
		commit_echoes(d);
		return true;
	}
	if (c == CC(d, LNEXT) && L(d, IEXTEN)) {
		d->lnext = true;
		if (L(d, ECHO)) {
			finish_erasing(d);
			if (L(d, ECHOCTL)) {
				echo_char_raw(d, '^');
				echo_char_raw(d, '\b');
				commit_echoes(d);
			}
		}
		return true;
	}
	if (c == CC(d, REPRINT) && L(d, ECHO) && L(d, IEXTEN)) {
		size_t tail = d->canon_head;
		finish_erasing(d);
		echo_char(d, c);
		echo_char_raw(d, '\n');
		while (MASK(tail) != MASK(d->read_head)) {
			echo_char(d, read_buf(d, tail));
			tail++;
		}
		commit_echoes(d);
		return true;
	}
	if (c == '\n') {
		if (L(d, ECHO) || L(d, ECHONL)) {
			echo_char_raw(d, '\n');
			commit_echoes(d);
		}
		handle_newline(d, c);
		return true;
	}
	if (c == CC(d, EOF)) {
		handle_newline(d, DISABLED_CHAR);
		return true;
	}
	if (c == CC(d, EOL) || (c == CC(d, EOL2) && L(d, IEXTEN))) {
		if (L(d, ECHO)) {
			if (d->canon_head == d->read_head)
				echo_set_canon_col(d);
			echo_char(d, c);
			commit_echoes(d);
		}
		if (c == 0377 && I(d, PARMRK))
			put_tty_queue(d, c);
		handle_newline(d, c);
		return true;
	}
	return false;
}

/* IXANY: any character restarts output stopped by STOP. */
static void ixany_restart(struct disc *d)
{
	if (d->stopped && !d->tco_stopped && I(d, IXON) && I(d, IXANY)) {
		disc_start(d);
		disc_process_echoes(d);
	}
}

/* Echo an input character, noting where the line began on screen. */
static void echo_input(struct disc *d, uint8_t c)
{
	finish_erasing(d);
	if (d->canon_head == d->read_head)
		echo_set_canon_col(d);
	echo_char(d, c);
}

/* PARMRK doubles a real 0377 so it cannot be taken for a mark. */
static void queue_char(struct disc *d, uint8_t c)
{
	if (c == 0377 && I(d, PARMRK))
		put_tty_queue(d, c);
	put_tty_queue(d, c);
}

static void receive_char(struct disc *d, uint8_t c)
{
	ixany_restart(d);
	if (L(d, ECHO)) {
		echo_input(d, c);
		commit_echoes(d);
	}
	queue_char(d, c);
}

static void receive_char_special(struct disc *d, uint8_t c)
{
	if (I(d, IXON) && (c == CC(d, START) || c == CC(d, STOP))) {
		if (c == CC(d, START)) {
			disc_start(d);
			disc_process_echoes(d);
		} else {
			disc_stop(d);
		}
		return;
	}
	if (L(d, ISIG)) {
		if (c == CC(d, INTR)) {
			receive_signal_char(d, KPTY_SIGINT, c);
			return;
		} else if (c == CC(d, QUIT)) {
			receive_signal_char(d, KPTY_SIGQUIT, c);
			return;
		} else if (c == CC(d, SUSP)) {
			receive_signal_char(d, KPTY_SIGTSTP, c);
			return;
		}
	}
	ixany_restart(d);
	if (c == '\r') {
		if (I(d, IGNCR))
			return;
		if (I(d, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(d, INLCR)) {
		c = '\r';
	}
	if (d->icanon && receive_char_canon(d, c))
		return;
	if (L(d, ECHO)) {
		if (c == '\n') {
			finish_erasing(d);
			echo_char_raw(d, '\n');
		} else {
			echo_input(d, c);
		}
		commit_echoes(d);
	}
	queue_char(d, c);
}

static uint8_t preop(const struct disc *d, uint8_t c)
{
	if (I(d, ISTRIP))
		c &= 0x7f;
	if (I(d, IUCLC) && L(d, IEXTEN))
		c = k_tolower(c);
	return c;
}

static void receive_buf_standard(struct disc *d, const uint8_t *cp, size_t count)
{
	while (count--) {
		uint8_t c = *cp++;
		if (d->lnext) {
			d->lnext = false;
			receive_char(d, preop(d, c));
			continue;
		}
		c = preop(d, c);
		if (L(d, EXTPROC)) {
			put_tty_queue(d, c);
			continue;
		}
		if (test_bit(d->char_map, c))
			receive_char_special(d, c);
		else
			receive_char(d, c);
	}
}

static void receive_buf_raw(struct disc *d, const uint8_t *cp, size_t count)
{
	size_t head = MASK(d->read_head);
	size_t n = KPTY_BUF_SIZE - head < count ? KPTY_BUF_SIZE - head : count;

	kpty_memcpy(d->read_buf + head, cp, n);
	d->read_head += n;
	cp += n;
	count -= n;
	kpty_memcpy(d->read_buf, cp, count);
	d->read_head += count;
}

static void receive_batch(struct disc *d, const uint8_t *cp, size_t count)
{
	bool preops = I(d, ISTRIP) || (I(d, IUCLC) && L(d, IEXTEN));

	if (d->raw || (L(d, EXTPROC) && !preops)) {
		receive_buf_raw(d, cp, count);
	} else {
		receive_buf_standard(d, cp, count);
		flush_echoes(d);
	}
	if (d->icanon && !L(d, EXTPROC))
		return;
	d->commit_head = d->read_head;
}

size_t disc_receive(struct disc *d, const uint8_t *cp, size_t count)
{
	size_t rcvd = 0;

	for (;;) {
		/* In canonical mode with no complete line, input is taken
		 * even when the buffer is full, overwriting the last byte,
		 * so that ERASE and newline still work (n_tty's overflow). */
		long room = (long)KPTY_BUF_SIZE - (long)read_cnt(d);
		long overflow;
		size_t n;

		if (I(d, PARMRK))
			room = (room + 2) / 3;
		room--;
		if (room <= 0) {
			overflow = d->icanon && d->canon_head == d->read_tail;
			if (overflow && room < 0)
				d->read_head--;
			room = overflow;
		} else {
			overflow = 0;
		}
		n = count < (size_t)room ? count : (size_t)room;
		if (!n)
			break;
		receive_batch(d, cp, n);
		cp += n;
		count -= n;
		rcvd += n;
	}
	return rcvd;
}

void disc_set_termios(struct disc *d, const struct kpty_termios *old)
{
	const struct kpty_termios *t = d->t;

	if (!old || ((old->c_lflag ^ t->c_lflag) & (KPTY_ICANON | KPTY_EXTPROC))) {
		kpty_memset(d->read_flags, 0, sizeof d->read_flags);
		if (!L(d, ICANON) || !read_cnt(d)) {
			d->canon_head = d->read_tail;
			d->push = false;
		} else {
			set_bit(d->read_flags, MASK(d->read_head - 1));
			d->canon_head = d->read_head;
			d->push = true;
		}
		d->commit_head = d->read_head;
		d->erasing = false;
		d->lnext = false;
	}
	d->icanon = L(d, ICANON);

	if (I(d, ISTRIP) || I(d, IUCLC) || I(d, IGNCR) || I(d, ICRNL) || I(d, INLCR) ||
	    L(d, ICANON) || I(d, IXON) || L(d, ISIG) || L(d, ECHO) || I(d, PARMRK)) {
		kpty_memset(d->char_map, 0, sizeof d->char_map);
		if (I(d, IGNCR) || I(d, ICRNL))
			set_bit(d->char_map, '\r');
		if (I(d, INLCR))
			set_bit(d->char_map, '\n');
		if (L(d, ICANON)) {
			set_bit(d->char_map, CC(d, ERASE));
			set_bit(d->char_map, CC(d, KILL));
			set_bit(d->char_map, CC(d, EOF));
			set_bit(d->char_map, '\n');
			set_bit(d->char_map, CC(d, EOL));
			if (L(d, IEXTEN)) {
				set_bit(d->char_map, CC(d, WERASE));
				set_bit(d->char_map, CC(d, LNEXT));
				set_bit(d->char_map, CC(d, EOL2));
				if (L(d, ECHO))
					set_bit(d->char_map, CC(d, REPRINT));
			}
		}
		if (I(d, IXON)) {
			set_bit(d->char_map, CC(d, START));
			set_bit(d->char_map, CC(d, STOP));
		}
		if (L(d, ISIG)) {
			set_bit(d->char_map, CC(d, INTR));
			set_bit(d->char_map, CC(d, QUIT));
			set_bit(d->char_map, CC(d, SUSP));
		}
		clear_bit(d->char_map, DISABLED_CHAR);
		d->raw = false;
	} else {
		d->raw = true;
	}
	/* Output stopped by STOP must not stay stopped once IXON is off. */
	if (!I(d, IXON) && old && (old->c_iflag & KPTY_IXON) && !d->tco_stopped) {
		disc_start(d);
		disc_process_echoes(d);
	}
}

/* ---- reading ---- */

bool disc_input_available(const struct disc *d, bool poll)
{
	size_t amt = poll && !CC(d, TIME) && CC(d, MIN) ? CC(d, MIN) : 1;

	if (d->icanon && !L(d, EXTPROC))
		return d->canon_head != d->read_tail;
	return d->commit_head - d->read_tail >= amt;
}

size_t disc_inq(const struct disc *d)
{
	if (d->icanon && !L(d, EXTPROC)) {
		/* Bytes up to the last complete line, less EOF markers. */
		size_t n = d->canon_head - d->read_tail, i, nr = n;
		for (i = d->read_tail; i != d->canon_head; i++)
			if (test_bit(d->read_flags, MASK(i)) && read_buf(d, i) == DISABLED_CHAR)
				nr--;
		return nr;
	}
	return d->commit_head - d->read_tail;
}

/* n bytes of the read ring from index i, in at most two pieces. */
static void copy_out(const struct disc *d, uint8_t *dst, size_t i, size_t n)
{
	size_t off = MASK(i), first = KPTY_BUF_SIZE - off < n ? KPTY_BUF_SIZE - off : n;

	kpty_memcpy(dst, d->read_buf + off, first);
	kpty_memcpy(dst + first, d->read_buf, n - first);
}

/* If a read ended exactly at an EOF marker, the marker is eaten with it. */
static void canon_skip_eof(struct disc *d)
{
	size_t tail = d->read_tail;

	if (tail == d->canon_head)
		return;
	if (!test_bit(d->read_flags, MASK(tail)) || read_buf(d, tail) != DISABLED_CHAR)
		return;
	clear_bit(d->read_flags, MASK(tail));
	d->read_tail++;
}

size_t disc_read(struct disc *d, uint8_t *kb, size_t nr, bool *line_done)
{
	size_t copied = 0;

	*line_done = false;
	if (d->icanon && !L(d, EXTPROC)) {
		size_t n = d->canon_head - d->read_tail, i;
		bool found = false;

		if (n > nr)
			n = nr;
		/* Up to and including the first line end within n bytes. */
		for (i = 0; i < n; i++) {
			if (test_bit(d->read_flags, MASK(d->read_tail + i))) {
				found = true;
				break;
			}
		}
		size_t c = i + found; /* consumed */
		size_t take = (found && read_buf(d, d->read_tail + i) == DISABLED_CHAR) ? i : c;
		copy_out(d, kb, d->read_tail, take);
		if (found)
			clear_bit(d->read_flags, MASK(d->read_tail + i));
		d->read_tail += c;
		copied = take;
		if (found) {
			d->push = false;
			*line_done = true;
		} else if (copied == nr) {
			canon_skip_eof(d);
			*line_done = true;
		}
		return copied;
	}

	size_t n = d->commit_head - d->read_tail;
	if (n > nr)
		n = nr;
	if (!n)
		return 0;
	bool is_eof = n == 1 && read_buf(d, d->read_tail) == CC(d, EOF);
	copy_out(d, kb, d->read_tail, n);
	d->read_tail += n;
	/* Under EXTPROC a lone EOF reads as end of file (a zero-length read),
	 * as the far side asked for it. */
	if (L(d, EXTPROC) && d->icanon && is_eof && d->commit_head == d->read_tail) {
		*line_done = true;
		return 0;
	}
	return n;
}
