/* ttyscript backend: telly's kernel-pty, with a fake clock and a model of
 * the POSIX signal rules the kernel applies to a blocked, pending set. */
#include <signal.h>
#include <stdlib.h>

#include "backends.h"

struct kb {
	struct kpty *k;
	unsigned long pending;
	uint64_t now_ns;
};

static void kb_signal(void *ctx, int sig)
{
	struct kb *b = ctx;
	const unsigned long stops = 1ul << SIGTSTP | 1ul << SIGTTIN | 1ul << SIGTTOU | 1ul << SIGSTOP;

	/* SIGCONT discards pending stop signals and a stop signal discards a
	 * pending SIGCONT (the kernel's prepare_signal()). */
	if (sig == SIGCONT)
		b->pending &= ~stops;
	else if (stops & (1ul << sig))
		b->pending &= ~(1ul << SIGCONT);
	b->pending |= 1ul << sig;
}

static void kb_hangup(void *ctx)
{
	kb_signal(ctx, SIGHUP);
	kb_signal(ctx, SIGCONT);
}

static uint64_t kb_now(void *ctx) { return ((struct kb *)ctx)->now_ns; }

static const struct kpty_devsw kb_sw = {
	.signal = kb_signal, .hangup = kb_hangup, .now_ns = kb_now,
};

static long kb_mwrite(void *c, const void *b, size_t n) { return kpty_master_write(((struct kb *)c)->k, b, n); }
static long kb_swrite(void *c, const void *b, size_t n) { return kpty_slave_write(((struct kb *)c)->k, b, n); }
static long kb_mread(void *c, void *b, size_t n) { return kpty_master_read(((struct kb *)c)->k, b, n); }

static long kb_sread(void *c, void *buf, size_t n, bool blocking)
{
	struct kb *b = c;
	struct kpty_read st = {0};

	for (;;) {
		long r = kpty_slave_read(b->k, buf, n, !blocking, &st);
		if (r != -KPTY_EAGAIN || !blocking)
			return r;
		/* Would block: let time pass to the read's own deadline, or
		 * (none set: it would wait for input forever) end it as the
		 * Linux runner's guard alarm does. */
		if (!st.deadline_ns)
			return st.got ? (long)st.got : -KPTY_EINTR;
		if (b->now_ns < st.deadline_ns)
			b->now_ns = st.deadline_ns;
	}
}

static int kb_winsize(void *c, unsigned rows, unsigned cols)
{
	struct kpty_winsize ws = {.ws_row = (uint16_t)rows, .ws_col = (uint16_t)cols};
	return kpty_set_winsize(((struct kb *)c)->k, &ws);
}

static int kb_getattr(void *c, struct kpty_termios *t) { return kpty_tcgetattr(((struct kb *)c)->k, t); }
static int kb_setattr(void *c, const struct kpty_termios *t) { return kpty_tcsetattr(((struct kb *)c)->k, t); }

static unsigned long kb_sigs(void *c)
{
	struct kb *b = c;
	unsigned long s = b->pending;
	b->pending = 0;
	return s;
}

static int kb_mclose(void *c) { return kpty_master_close(((struct kb *)c)->k); }
static int kb_sclose(void *c) { return kpty_slave_close(((struct kb *)c)->k); }
static int kb_packet(void *c, bool on) { return kpty_set_packet(((struct kb *)c)->k, on); }
static int kb_msig(void *c, int sig) { return kpty_master_signal(((struct kb *)c)->k, sig); }
static int kb_sflush(void *c, int q) { return kpty_tcflush(((struct kb *)c)->k, q); }
static void kb_settle(void *c) { (void)c; }

int ts_run_kpty(const struct ts_script *s, size_t nops, FILE *out)
{
	struct kb b = {.now_ns = 1000000000ull};
	int rc;

	b.k = kpty_create(&kb_sw, &b);
	if (!b.k)
		return -1;
	struct ts_backend be = {
		.ctx = &b, .mwrite = kb_mwrite, .swrite = kb_swrite, .sread = kb_sread,
		.mread = kb_mread, .winsize = kb_winsize, .getattr = kb_getattr,
		.setattr = kb_setattr, .sigs = kb_sigs, .mclose = kb_mclose,
		.sclose = kb_sclose, .packet = kb_packet, .msig = kb_msig,
		.sflush = kb_sflush, .settle = kb_settle,
	};
	rc = ts_run(s, nops, &be, out);
	kpty_destroy(b.k);
	return rc;
}
