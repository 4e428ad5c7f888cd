/* The pty pair: master side, queues, packet mode, window size, hangup.
 *
 * Data from the master waits in inq until the discipline has room for it
 * (Linux keeps it in the slave's flip buffers); output from the slave waits
 * in outq until the master reads it. Linux moves up to 4095 bytes of that
 * output into the master's own read buffer soon after it is written (from a
 * work queue), and only what has not moved yet can be flushed by a signal or
 * TCOFLUSH. outq keeps that distinction with out_rcvd: bytes before it have
 * "moved". It advances when a call into the pair returns, which is when
 * Linux's work queue would have run; output written during the call (echo
 * in the same input batch as INTR, say) is still flushable.
 *
 * This file is the discipline's driver (struct disc_drv), as pts.c is
 * FreeBSD's ttydevsw for its tty layer.
 */
#include "disc.h"
#include "shim.h"

/* Output the master has already taken into its read buffer (Linux: its
 * N_TTY buffer, 4095 bytes) is not discarded by a flush. */
#define MASTER_RECEIVED (KPTY_BUF_SIZE - 1)

struct ring {
	size_t head, tail; /* free-running */
};

struct kpty {
	const struct kpty_devsw *sw;
	void *ctx;
	struct kpty_termios termios;
	struct kpty_winsize ws;
	bool packet, master_closed, slave_closed;
	uint8_t pktstatus;
	struct ring in, out;
	size_t out_rcvd; /* free-running index into outq, tail <= out_rcvd <= head */
	struct disc disc;
	uint8_t inq[KPTY_INQ_SIZE];
	uint8_t outq[KPTY_OUTQ_SIZE];
};

static size_t ring_used(const struct ring *r) { return r->head - r->tail; }

/* Append up to n bytes to a power-of-two ring of size cap. */
static size_t ring_put(struct ring *r, uint8_t *mem, size_t cap, const uint8_t *buf, size_t n)
{
	size_t room = cap - ring_used(r), first;

	if (n > room)
		n = room;
	first = cap - (r->head & (cap - 1));
	if (first > n)
		first = n;
	kpty_memcpy(mem + (r->head & (cap - 1)), buf, first);
	kpty_memcpy(mem, buf + first, n - first);
	r->head += n;
	return n;
}

static size_t ring_get(struct ring *r, const uint8_t *mem, size_t cap, uint8_t *buf, size_t n)
{
	size_t used = ring_used(r), first;

	if (n > used)
		n = used;
	first = cap - (r->tail & (cap - 1));
	if (first > n)
		first = n;
	kpty_memcpy(buf, mem + (r->tail & (cap - 1)), first);
	kpty_memcpy(buf + first, mem, n - first);
	r->tail += n;
	return n;
}

/* A call into the pair is returning: output written so far has reached
 * the master's read buffer, as far as that buffer has room. */
static void settle(struct kpty *k)
{
	size_t used = ring_used(&k->out);

	k->out_rcvd = k->out.tail + (used < MASTER_RECEIVED ? used : MASTER_RECEIVED);
}

static void wake(struct kpty *k, unsigned ev)
{
	if (k->sw && k->sw->wakeup)
		k->sw->wakeup(k->ctx, ev);
}

static void raise_sig(struct kpty *k, int sig)
{
	if (k->sw && k->sw->signal)
		k->sw->signal(k->ctx, sig);
}

/* ---- the discipline's driver ---- */

static size_t drv_write_room(void *ctx)
{
	struct kpty *k = ctx;
	return KPTY_OUTQ_SIZE - ring_used(&k->out);
}

static size_t drv_write(void *ctx, const uint8_t *buf, size_t n)
{
	struct kpty *k = ctx;
	return ring_put(&k->out, k->outq, KPTY_OUTQ_SIZE, buf, n);
}

static void drv_signal(void *ctx, int sig) { raise_sig(ctx, sig); }

static void drv_flush_output(void *ctx)
{
	struct kpty *k = ctx;

	k->out.head = k->out_rcvd;
	if (k->packet) {
		k->pktstatus |= KPTY_PKT_FLUSHWRITE;
		wake(k, KPTY_WAKE_MASTER_READ);
	}
}

static void drv_pkt_flush_read(void *ctx)
{
	struct kpty *k = ctx;

	if (k->packet) {
		k->pktstatus |= KPTY_PKT_FLUSHREAD;
		wake(k, KPTY_WAKE_MASTER_READ);
	}
}

static void drv_stop(void *ctx)
{
	struct kpty *k = ctx;

	if (k->packet) {
		k->pktstatus &= ~KPTY_PKT_START;
		k->pktstatus |= KPTY_PKT_STOP;
		wake(k, KPTY_WAKE_MASTER_READ);
	}
}

static void drv_start(void *ctx)
{
	struct kpty *k = ctx;

	if (k->packet) {
		k->pktstatus &= ~KPTY_PKT_STOP;
		k->pktstatus |= KPTY_PKT_START;
		wake(k, KPTY_WAKE_MASTER_READ);
	}
	wake(k, KPTY_WAKE_SLAVE_WRITE);
}

static const struct disc_drv pty_drv = {
	.write_room = drv_write_room,
	.write = drv_write,
	.signal = drv_signal,
	.flush_output = drv_flush_output,
	.pkt_flush_read = drv_pkt_flush_read,
	.stop = drv_stop,
	.start = drv_start,
};

/* ---- life cycle ---- */

void kpty_termios_default(struct kpty_termios *t)
{
	static const uint8_t cc[KPTY_NCCS] = {
		[KPTY_VINTR] = 003, [KPTY_VQUIT] = 034, [KPTY_VERASE] = 0177,
		[KPTY_VKILL] = 025, [KPTY_VEOF] = 004, [KPTY_VTIME] = 0,
		[KPTY_VMIN] = 1, [KPTY_VSWTC] = 0, [KPTY_VSTART] = 021,
		[KPTY_VSTOP] = 023, [KPTY_VSUSP] = 032, [KPTY_VEOL] = 0,
		[KPTY_VREPRINT] = 022, [KPTY_VDISCARD] = 017,
		[KPTY_VWERASE] = 027, [KPTY_VLNEXT] = 026, [KPTY_VEOL2] = 0,
	};

	kpty_memset(t, 0, sizeof *t);
	t->c_iflag = KPTY_ICRNL | KPTY_IXON;
	t->c_oflag = KPTY_OPOST | KPTY_ONLCR;
	t->c_cflag = KPTY_B38400 | KPTY_CS8 | KPTY_CREAD;
	t->c_lflag = KPTY_ISIG | KPTY_ICANON | KPTY_ECHO | KPTY_ECHOE | KPTY_ECHOK |
		     KPTY_ECHOCTL | KPTY_ECHOKE | KPTY_IEXTEN;
	kpty_memcpy(t->c_cc, cc, sizeof cc);
}

struct kpty *kpty_create(const struct kpty_devsw *sw, void *ctx)
{
	struct kpty *k = kpty_zalloc(sizeof *k);

	if (!k)
		return NULL;
	k->sw = sw;
	k->ctx = ctx;
	kpty_termios_default(&k->termios);
	disc_init(&k->disc, &pty_drv, k, &k->termios);
	return k;
}

void kpty_destroy(struct kpty *k)
{
	kpty_free(k);
}

/* Move waiting input into the discipline as far as it has room (Linux's
 * flush_to_ldisc, run at once rather than from a work queue). */
static void push_input(struct kpty *k)
{
	while (ring_used(&k->in)) {
		size_t off = k->in.tail & (KPTY_INQ_SIZE - 1);
		size_t chunk = KPTY_INQ_SIZE - off, got;

		if (chunk > ring_used(&k->in))
			chunk = ring_used(&k->in);
		got = disc_receive(&k->disc, k->inq + off, chunk);
		k->in.tail += got;
		if (got < chunk)
			break;
	}
}

/* ---- master side ---- */

long kpty_master_write(struct kpty *k, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;

	/* After the slave closes, Linux still runs its discipline: input
	 * is taken and echoed, and the master reads the echo. */
	if (k->master_closed)
		return -KPTY_EBADF;
	if (!ring_used(&k->in))
		done = disc_receive(&k->disc, b, n);
	done += ring_put(&k->in, k->inq, KPTY_INQ_SIZE, b + done, n - done);
	push_input(k);
	settle(k);
	wake(k, KPTY_WAKE_SLAVE_READ | KPTY_WAKE_MASTER_READ);
	if (!done && n)
		return -KPTY_EAGAIN;
	return (long)done;
}

long kpty_master_read(struct kpty *k, void *buf, size_t n)
{
	uint8_t *b = buf;
	size_t got;

	if (k->master_closed)
		return -KPTY_EBADF;
	if (!n)
		return 0;
	if (k->packet && k->pktstatus) {
		b[0] = k->pktstatus;
		k->pktstatus = 0;
		return 1;
	}
	if (!ring_used(&k->out))
		return k->slave_closed ? -KPTY_EIO : -KPTY_EAGAIN;
	if (k->packet) {
		*b++ = KPTY_PKT_DATA;
		n--;
	}
	got = ring_get(&k->out, k->outq, KPTY_OUTQ_SIZE, b, n);
	/* Room for output again: pending echo may go out now. */
	disc_process_echoes(&k->disc);
	settle(k);
	wake(k, KPTY_WAKE_SLAVE_WRITE);
	return (long)(got + k->packet);
}

size_t kpty_master_readable(const struct kpty *k)
{
	if (k->packet && k->pktstatus)
		return 1;
	return ring_used(&k->out);
}

int kpty_master_close(struct kpty *k)
{
	if (k->master_closed)
		return -KPTY_EBADF;
	k->master_closed = true;
	/* The slave stays the session's controlling terminal after its last
	 * close, so the session leader is told even then. */
	if (k->sw && k->sw->hangup)
		k->sw->hangup(k->ctx);
	wake(k, KPTY_WAKE_SLAVE_READ | KPTY_WAKE_SLAVE_WRITE);
	return 0;
}

int kpty_set_packet(struct kpty *k, bool on)
{
	if (k->master_closed)
		return -KPTY_EBADF;
	if (on && !k->packet)
		k->pktstatus = 0;
	k->packet = on;
	return 0;
}

int kpty_master_signal(struct kpty *k, int sig)
{
	if (k->master_closed)
		return -KPTY_EBADF;
	if (sig != KPTY_SIGINT && sig != KPTY_SIGQUIT && sig != KPTY_SIGTSTP)
		return -KPTY_EINVAL;
	raise_sig(k, sig);
	return 0;
}

int kpty_set_winsize(struct kpty *k, const struct kpty_winsize *ws)
{
	if (k->master_closed)
		return -KPTY_EBADF;
	if (k->ws.ws_row == ws->ws_row && k->ws.ws_col == ws->ws_col &&
	    k->ws.ws_xpixel == ws->ws_xpixel && k->ws.ws_ypixel == ws->ws_ypixel)
		return 0;
	k->ws = *ws;
	raise_sig(k, KPTY_SIGWINCH);
	return 0;
}

void kpty_get_winsize(const struct kpty *k, struct kpty_winsize *ws)
{
	*ws = k->ws;
}

/* ---- slave side ---- */

static int slave_usable(const struct kpty *k)
{
	if (k->slave_closed)
		return -KPTY_EBADF;
	if (k->master_closed)
		return -KPTY_EIO; /* hung up */
	return 0;
}

long kpty_slave_read(struct kpty *k, void *buf, size_t n, bool nonblock,
		     struct kpty_read *st)
{
	struct disc *d = &k->disc;
	const uint8_t *cc = k->termios.c_cc;
	uint64_t time_ns = 0;
	size_t minimum = 0;
	bool zero_timeout = false;
	long ret = 0;

	if (k->slave_closed)
		return -KPTY_EBADF;
	if (k->master_closed)
		return 0; /* a hung-up terminal reads end of file */
	if (!d->icanon) {
		minimum = cc[KPTY_VMIN];
		if (minimum) {
			time_ns = cc[KPTY_VTIME] * 100000000ull;
		} else {
			zero_timeout = cc[KPTY_VTIME] == 0;
			minimum = 1;
		}
	}
	if (!st->started) {
		st->started = true;
		st->got = 0;
		st->deadline_ns = 0;
		/* MIN 0, TIME > 0: the timer runs from the start of the read. */
		if (!d->icanon && !cc[KPTY_VMIN] && cc[KPTY_VTIME] && k->sw && k->sw->now_ns)
			st->deadline_ns = k->sw->now_ns(k->ctx) + cc[KPTY_VTIME] * 100000000ull;
	}

	while (st->got < n) {
		bool line_done = false;
		size_t c;

		if (!disc_input_available(d, false)) {
			push_input(k);
			if (!disc_input_available(d, false)) {
				if (zero_timeout)
					break;
				if (st->deadline_ns && k->sw && k->sw->now_ns &&
				    k->sw->now_ns(k->ctx) >= st->deadline_ns)
					break;
				ret = -KPTY_EAGAIN;
				break;
			}
		}
		c = disc_read(d, (uint8_t *)buf + st->got, n - st->got, &line_done);
		st->got += c;
		push_input(k);
		if ((d->icanon && !(k->termios.c_lflag & KPTY_EXTPROC)) || line_done)
			break;
		if (st->got >= minimum)
			break;
		/* MIN > 0, TIME > 0: an inter-byte timer, restarted per byte. */
		if (time_ns && k->sw && k->sw->now_ns)
			st->deadline_ns = k->sw->now_ns(k->ctx) + time_ns;
	}
	settle(k);
	wake(k, KPTY_WAKE_MASTER_WRITE);
	if (ret == -KPTY_EAGAIN && !nonblock)
		return ret; /* the caller waits and calls again */
	if (st->got) {
		ret = (long)st->got;
	}
	st->started = false;
	return ret;
}

long kpty_slave_write(struct kpty *k, const void *buf, size_t n)
{
	int err = slave_usable(k);
	long r;

	if (err)
		return err;
	r = disc_write(&k->disc, buf, n);
	settle(k);
	wake(k, KPTY_WAKE_MASTER_READ);
	return r;
}

long kpty_slave_write_processed(struct kpty *k, const void *buf, size_t n)
{
	int err = slave_usable(k);

	if (err)
		return err;
	disc_write_processed(&k->disc, buf, n);
	settle(k);
	wake(k, KPTY_WAKE_MASTER_READ);
	return (long)n;
}

long kpty_slave_note_output(struct kpty *k, const void *buf, size_t n)
{
	int err = slave_usable(k);

	if (err)
		return err;
	if (k->out.head != k->out.tail)
		return -KPTY_EAGAIN;
	disc_note_output(&k->disc, buf, n);
	return (long)n;
}

int kpty_slave_close(struct kpty *k)
{
	if (k->slave_closed)
		return -KPTY_EBADF;
	k->slave_closed = true;
	wake(k, KPTY_WAKE_MASTER_READ | KPTY_WAKE_MASTER_WRITE);
	return 0;
}

int kpty_tcgetattr(const struct kpty *k, struct kpty_termios *t)
{
	int err = slave_usable(k);

	if (err)
		return err;
	*t = k->termios;
	return 0;
}

int kpty_tcsetattr(struct kpty *k, const struct kpty_termios *t)
{
	struct kpty_termios old = k->termios;
	int err = slave_usable(k);

	if (err)
		return err;
	k->termios = *t;
	/* What Linux's pty_set_termios reports to a master in packet mode. */
	if (k->packet) {
		bool extproc = ((old.c_lflag | t->c_lflag) & KPTY_EXTPROC) != 0;
		bool old_flow = (old.c_iflag & KPTY_IXON) && old.c_cc[KPTY_VSTOP] == 023 &&
				old.c_cc[KPTY_VSTART] == 021;
		bool new_flow = (t->c_iflag & KPTY_IXON) && t->c_cc[KPTY_VSTOP] == 023 &&
				t->c_cc[KPTY_VSTART] == 021;
		if (old_flow != new_flow) {
			k->pktstatus &= ~(KPTY_PKT_DOSTOP | KPTY_PKT_NOSTOP);
			k->pktstatus |= new_flow ? KPTY_PKT_DOSTOP : KPTY_PKT_NOSTOP;
		}
		if (extproc)
			k->pktstatus |= KPTY_PKT_IOCTL;
		if (old_flow != new_flow || extproc)
			wake(k, KPTY_WAKE_MASTER_READ);
	}
	/* A pty has no parity and always receives. */
	k->termios.c_cflag &= ~(KPTY_CSIZE | KPTY_PARENB);
	k->termios.c_cflag |= KPTY_CS8 | KPTY_CREAD;
	disc_set_termios(&k->disc, &old);
	push_input(k);
	settle(k);
	if (k->sw && k->sw->param)
		k->sw->param(k->ctx, &old, &k->termios);
	wake(k, KPTY_WAKE_SLAVE_READ | KPTY_WAKE_SLAVE_WRITE);
	return 0;
}

int kpty_tcflush(struct kpty *k, int queue)
{
	int err = slave_usable(k);

	if (err)
		return err;
	if (queue < 0 || queue > 2)
		return -KPTY_EINVAL;
	if (queue == 0 || queue == 2) {
		k->in.tail = k->in.head;
		disc_flush_input(&k->disc);
	}
	if (queue == 1 || queue == 2)
		drv_flush_output(k);
	return 0;
}

size_t kpty_slave_inq(const struct kpty *k)
{
	return disc_inq(&k->disc);
}
