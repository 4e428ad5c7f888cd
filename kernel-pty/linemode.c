/* Near-side line discipline for an EXTPROC far side (see linemode.h). */
#include "linemode.h"
#include "shim.h"

struct kpty_lm {
	const struct kpty_lm_ops *ops;
	void *ctx;
	struct kpty *k;
	uint8_t veof; /* the far side's EOF character */
};

static void lm_signal(void *ctx, int sig)
{
	struct kpty_lm *lm = ctx;

	struct kpty_termios t;

	kpty_tcgetattr(lm->k, &t);
	if (lm->ops->signal)
		lm->ops->signal(lm->ctx, sig, !(t.c_lflag & KPTY_NOFLSH));
}

static const struct kpty_devsw lm_sw = {.signal = lm_signal};

struct kpty_lm *kpty_lm_create(const struct kpty_lm_ops *ops, void *ctx)
{
	struct kpty_lm *lm = kpty_zalloc(sizeof *lm);

	if (!lm)
		return NULL;
	lm->ops = ops;
	lm->ctx = ctx;
	lm->veof = 004;
	lm->k = kpty_create(&lm_sw, lm);
	if (!lm->k) {
		kpty_free(lm);
		return NULL;
	}
	return lm;
}

void kpty_lm_destroy(struct kpty_lm *lm)
{
	if (!lm)
		return;
	kpty_destroy(lm->k);
	kpty_free(lm);
}

/* Move what the pair produced to the screen and to the far side. */
static void pump(struct kpty_lm *lm)
{
	uint8_t buf[1024];
	struct kpty_read st = {0};
	struct kpty_termios t;
	long n;

	while ((n = kpty_master_read(lm->k, buf, sizeof buf)) > 0)
		lm->ops->to_screen(lm->ctx, buf, (size_t)n);
	kpty_tcgetattr(lm->k, &t);
	for (;;) {
		n = kpty_slave_read(lm->k, buf, sizeof buf, true, &st);
		if (n > 0) {
			lm->ops->to_far(lm->ctx, buf, (size_t)n);
		} else if (n == 0 && (t.c_lflag & KPTY_ICANON)) {
			/* An EOF typed at the start of a line: the far side
			 * turns a lone EOF character into a zero-length read
			 * under EXTPROC. */
			lm->ops->to_far(lm->ctx, &lm->veof, 1);
		} else {
			break;
		}
	}
}

size_t kpty_lm_keys(struct kpty_lm *lm, const void *buf, size_t n)
{
	const uint8_t *b = buf;
	size_t done = 0;

	while (done < n) {
		long r = kpty_master_write(lm->k, b + done, n - done);
		pump(lm);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

void kpty_lm_output(struct kpty_lm *lm, const void *buf, size_t n)
{
	const uint8_t *b = buf;

	/* The usual case: nothing of ours waits to be shown, so the output
	 * goes to the screen in one piece, without a copy through the pair. */
	pump(lm);
	if (kpty_slave_note_output(lm->k, buf, n) >= 0) {
		lm->ops->to_screen(lm->ctx, buf, n);
		return;
	}
	while (n) {
		size_t chunk = n < 4096 ? n : 4096;
		kpty_slave_write_processed(lm->k, b, chunk);
		pump(lm);
		b += chunk;
		n -= chunk;
	}
}

void kpty_lm_set_termios(struct kpty_lm *lm, const struct kpty_termios *far)
{
	struct kpty_termios t = *far;

	if (far->c_lflag & KPTY_EXTPROC) {
		/* Here the discipline does the work the far side left to us. */
		t.c_lflag &= ~KPTY_EXTPROC;
	} else {
		/* The far kernel edits and echoes itself (the program cleared
		 * EXTPROC, `stty sane` does): pass everything through. */
		t.c_iflag = 0;
		t.c_oflag = 0;
		t.c_lflag = 0;
		t.c_cc[KPTY_VMIN] = 1;
		t.c_cc[KPTY_VTIME] = 0;
	}
	lm->veof = far->c_cc[KPTY_VEOF];
	kpty_tcsetattr(lm->k, &t);
	pump(lm);
}

bool kpty_lm_local(const struct kpty_lm *lm)
{
	struct kpty_termios t;

	kpty_tcgetattr(lm->k, &t);
	return (t.c_lflag & KPTY_ICANON) != 0;
}
