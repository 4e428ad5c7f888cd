/* Unit tests of the kernel-pty core as plain function calls: what the
 * differential corpus cannot reach (VMIN/VTIME timers on an injected clock,
 * the bounded queues, the termios report to an owner, the stty parser's
 * errors, the column tracking of already-processed output).
 *
 *   unit-kpty --list      names of the cases
 *   unit-kpty NAME        run one case (the runner gives each a process)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disc.h"
#include "kpty.h"
#include "linemode.h"
#include "stty.h"
#include "unit.h"

struct env {
	uint64_t now;
	unsigned long sigs;
	int params;
	struct kpty_termios last_old, last_new;
};

static void e_signal(void *c, int sig) { ((struct env *)c)->sigs |= 1ul << sig; }
static uint64_t e_now(void *c) { return ((struct env *)c)->now; }
static void e_param(void *c, const struct kpty_termios *o, const struct kpty_termios *n)
{
	struct env *e = c;
	e->params++;
	e->last_old = *o;
	e->last_new = *n;
}

static const struct kpty_devsw sw = {.signal = e_signal, .now_ns = e_now, .param = e_param};

static struct kpty *mk(struct env *e)
{
	memset(e, 0, sizeof *e);
	e->now = 5000000000ull;
	struct kpty *k = kpty_create(&sw, e);
	if (!k)
		abort();
	return k;
}

static void stty(struct kpty *k, const char *words)
{
	char buf[256], *argv[16], err[128];
	int argc = 0;
	struct kpty_termios t;

	snprintf(buf, sizeof buf, "%s", words);
	for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	kpty_tcgetattr(k, &t);
	if (kpty_stty(&t, argc, argv, err, sizeof err) < 0) {
		fprintf(stderr, "stty %s: %s\n", words, err);
		abort();
	}
	kpty_tcsetattr(k, &t);
}

static const uint64_t DS = 100000000ull; /* one VTIME unit, in ns */

static void vmin_vtime_inter_byte(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	struct kpty_read st = {0};
	char buf[16];

	stty(k, "-icanon min 4 time 3");
	/* No byte yet: no timer, wait for input. */
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	CHECK_EQ(st.deadline_ns, 0);
	kpty_master_write(k, "ab", 2);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	CHECK_EQ(st.got, 2);
	CHECK_EQ(st.deadline_ns, e.now + 3 * DS);
	/* Another byte restarts the timer. */
	e.now += 2 * DS;
	kpty_master_write(k, "c", 1);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	CHECK_EQ(st.deadline_ns, e.now + 3 * DS);
	e.now += 3 * DS;
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 3);
	CHECK(!memcmp(buf, "abc", 3));
	/* MIN reached: at once, no timer. */
	kpty_master_write(k, "wxyz", 4);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 4);
	kpty_destroy(k);
}

static void vmin_zero_vtime_timeout(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	struct kpty_read st = {0};
	char buf[16];

	stty(k, "-icanon min 0 time 5");
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	CHECK_EQ(st.deadline_ns, e.now + 5 * DS);
	e.now += 4 * DS;
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	e.now += 1 * DS;
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 0); /* timed out */
	/* Data before the deadline returns at once. */
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	kpty_master_write(k, "q", 1);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 1);
	/* MIN 0 TIME 0: never waits. */
	stty(k, "min 0 time 0");
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 0);
	kpty_destroy(k);
}

static void vmin_blocking_canonical(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	struct kpty_read st = {0};
	char buf[16];

	kpty_master_write(k, "ab", 2);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), -KPTY_EAGAIN);
	CHECK_EQ(st.deadline_ns, 0);
	kpty_master_write(k, "\r", 1);
	CHECK_EQ(kpty_slave_read(k, buf, sizeof buf, false, &st), 3);
	CHECK(!memcmp(buf, "ab\n", 3));
	kpty_destroy(k);
}

static void queues_bounded(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	static char big[100000];
	long total = 0, r;

	memset(big, 'x', sizeof big);
	stty(k, "raw -echo");
	/* The master's writes are taken until the discipline and the input
	 * queue are full, then refused, never grown. */
	while ((r = kpty_master_write(k, big, sizeof big)) > 0)
		total += r;
	CHECK_EQ(r, -KPTY_EAGAIN);
	CHECK_EQ(total, KPTY_BUF_SIZE - 1 + KPTY_INQ_SIZE);
	/* Reading drains it all, in order, and makes room again. */
	long got = 0;
	char buf[3000];
	struct kpty_read st = {0};
	while ((r = kpty_slave_read(k, buf, sizeof buf, true, &st)) > 0)
		got += r;
	CHECK_EQ(got, total);
	CHECK(kpty_master_write(k, big, 10) == 10);
	/* Output the master does not read is bounded the same way. */
	total = 0;
	while ((r = kpty_slave_write(k, big, sizeof big)) > 0)
		total += r;
	CHECK_EQ(r, -KPTY_EAGAIN);
	CHECK_EQ(total, KPTY_OUTQ_SIZE);
	kpty_destroy(k);
}

static void raw_bypass_is_transparent(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	unsigned char all[256], out[512];
	struct kpty_read st = {0};

	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	stty(k, "raw -echo");
	CHECK_EQ(kpty_master_write(k, all, 256), 256);
	CHECK_EQ(kpty_slave_read(k, out, sizeof out, true, &st), 256);
	CHECK(!memcmp(all, out, 256));
	CHECK_EQ(e.sigs, 0);
	CHECK_EQ(kpty_slave_write(k, all, 256), 256);
	CHECK_EQ(kpty_master_read(k, out, sizeof out), 256);
	CHECK(!memcmp(all, out, 256));
	kpty_destroy(k);
}

static void winsize_signals_on_change_only(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	struct kpty_winsize ws = {.ws_row = 24, .ws_col = 80}, got;

	CHECK_EQ(kpty_set_winsize(k, &ws), 0);
	CHECK_EQ(e.sigs, 1ul << KPTY_SIGWINCH);
	e.sigs = 0;
	CHECK_EQ(kpty_set_winsize(k, &ws), 0);
	CHECK_EQ(e.sigs, 0);
	kpty_get_winsize(k, &got);
	CHECK_EQ(got.ws_col, 80);
	kpty_destroy(k);
}

static void param_reports_termios(void)
{
	struct env e;
	struct kpty *k = mk(&e);

	stty(k, "extproc -icanon");
	CHECK_EQ(e.params, 1);
	CHECK(e.last_old.c_lflag & KPTY_ICANON);
	CHECK(!(e.last_new.c_lflag & KPTY_ICANON));
	CHECK(e.last_new.c_lflag & KPTY_EXTPROC);
	kpty_destroy(k);
}

static void processed_output_tracks_column(void)
{
	struct env e;
	struct kpty *k = mk(&e);
	char buf[64];
	long n;

	/* A prompt printed by the far side sets where input starts: erasing
	 * a tab typed after "$ " goes back 6 columns, not 8. */
	kpty_slave_write_processed(k, "$ ", 2);
	kpty_master_read(k, buf, sizeof buf);
	kpty_master_write(k, "\t\x7f", 2);
	n = kpty_master_read(k, buf, sizeof buf);
	CHECK_EQ(n, 7);
	CHECK(!memcmp(buf, "\t\b\b\b\b\b\b", 7));
	/* ... and is passed on untouched (no second ONLCR). */
	kpty_slave_write_processed(k, "a\r\n", 3);
	n = kpty_master_read(k, buf, sizeof buf);
	CHECK_EQ(n, 3);
	kpty_destroy(k);
}

/* The columns n_tty's process_output_block leaves after text that needed
 * no translation, byte by byte: the oracle for disc_note_output. */
static void column_oracle(const struct kpty_termios *t, const uint8_t *p, size_t n,
			  unsigned *col, unsigned *canon)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (t->c_oflag & (KPTY_ONLRET | KPTY_ONLCR))
				*col = 0;
			*canon = *col;
		} else if (p[i] == '\r') {
			*canon = *col = 0;
		} else if (p[i] == '\t') {
			*col += 8 - (*col & 7);
		} else if (p[i] == '\b') {
			*col -= *col > 0;
		} else if (p[i] >= 32 && p[i] != 127 &&
			   !((t->c_iflag & KPTY_IUTF8) && (p[i] & 0xc0) == 0x80)) {
			(*col)++;
		}
	}
}

/* disc_note_output looks only past the last carriage return: it must
 * track the columns the whole text gives. */
static void output_column_from_tail(void)
{
	static const char alphabet[] = "ab\t\b\r\n\x80\xc3\x1b ";
	struct kpty_termios t = {0};
	struct disc *all = calloc(1, sizeof *all);
	uint8_t buf[64];
	unsigned col, canon;
	unsigned seed = 7;

	for (int round = 0; round < 4000; round++) {
		size_t n = (size_t)(rand_r(&seed) % sizeof buf);
		t.c_oflag = (round & 1 ? KPTY_ONLCR : 0) | (round & 2 ? KPTY_ONLRET : 0) | KPTY_OPOST;
		t.c_iflag = round & 4 ? KPTY_IUTF8 : 0;
		disc_init(all, NULL, NULL, &t);
		col = all->column = (unsigned)(round % 13);
		canon = all->canon_column = (unsigned)(round % 5);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
		column_oracle(&t, buf, n, &col, &canon);
		disc_note_output(all, buf, n);
		CHECK_EQ(all->column, col);
		CHECK_EQ(all->canon_column, canon);
	}
	free(all);
}

static void stty_parser_errors(void)
{
	struct kpty_termios t;
	char err[128];
	char *bad1[] = {"frob"}, *bad2[] = {"erase"}, *bad3[] = {"min", "256"},
	     *bad4[] = {"-sane"}, *bad5[] = {"-cs8"};

	kpty_termios_default(&t);
	CHECK_EQ(kpty_stty(&t, 1, bad1, err, sizeof err), -1);
	CHECK(strstr(err, "'frob'"));
	CHECK_EQ(kpty_stty(&t, 1, bad2, err, sizeof err), -1);
	CHECK(strstr(err, "missing argument"));
	CHECK_EQ(kpty_stty(&t, 2, bad3, err, sizeof err), -1);
	CHECK_EQ(kpty_stty(&t, 1, bad4, err, sizeof err), -1);
	CHECK_EQ(kpty_stty(&t, 1, bad5, err, sizeof err), -1);
}

static void stty_words_apply(void)
{
	struct kpty_termios t, d;
	char err[128];
	char *raw[] = {"raw"}, *sane[] = {"sane"}, *cc[] = {"erase", "^H", "kill", "undef",
							   "intr", "0x18", "eof", "^?"};

	kpty_termios_default(&d);
	t = d;
	CHECK_EQ(kpty_stty(&t, 1, raw, err, sizeof err), 0);
	CHECK_EQ(t.c_iflag, 0);
	CHECK(!(t.c_lflag & (KPTY_ICANON | KPTY_ISIG)));
	CHECK(!(t.c_oflag & KPTY_OPOST));
	CHECK_EQ(kpty_stty(&t, 1, sane, err, sizeof err), 0);
	CHECK(t.c_lflag & KPTY_ICANON);
	CHECK(t.c_iflag & KPTY_ICRNL);
	CHECK_EQ(kpty_stty(&t, 8, cc, err, sizeof err), 0);
	CHECK_EQ(t.c_cc[KPTY_VERASE], 8);
	CHECK_EQ(t.c_cc[KPTY_VKILL], 0);
	CHECK_EQ(t.c_cc[KPTY_VINTR], 0x18);
	CHECK_EQ(t.c_cc[KPTY_VEOF], 127);
}


/* ---- kpty_lm: the near-side discipline ---- */

struct lmrec {
	char far[512], screen[512];
	size_t nfar, nscreen, chunks;
	int sig;
	bool flush;
};

static void r_far(void *c, const void *b, size_t n)
{
	struct lmrec *r = c;
	memcpy(r->far + r->nfar, b, n);
	r->nfar += n;
	r->chunks++;
}

static void r_screen(void *c, const void *b, size_t n)
{
	struct lmrec *r = c;
	memcpy(r->screen + r->nscreen, b, n);
	r->nscreen += n;
}

static void r_sig(void *c, int sig, bool flush)
{
	struct lmrec *r = c;
	r->sig = sig;
	r->flush = flush;
}

static const struct kpty_lm_ops rops = {.to_far = r_far, .to_screen = r_screen, .signal = r_sig};

static struct kpty_lm *lm_with(struct lmrec *r, const char *stty_words)
{
	struct kpty_lm *lm = kpty_lm_create(&rops, r);
	struct kpty_termios t;
	char buf[256], *argv[16], err[128];
	int argc = 0;

	memset(r, 0, sizeof *r);
	kpty_termios_default(&t);
	snprintf(buf, sizeof buf, "%s", stty_words);
	for (char *w = strtok(buf, " "); w && argc < 16; w = strtok(NULL, " "))
		argv[argc++] = w;
	if (kpty_stty(&t, argc, argv, err, sizeof err) < 0)
		abort();
	kpty_lm_set_termios(lm, &t);
	return lm;
}

static void lm_canonical_edits_locally(void)
{
	struct lmrec r;
	struct kpty_lm *lm = lm_with(&r, "extproc");

	CHECK(kpty_lm_local(lm));
	kpty_lm_keys(lm, "lx\x7fs", 4);
	CHECK_EQ(r.nfar, 0); /* nothing crosses until the line is finished */
	CHECK_EQ(r.nscreen, 6);
	CHECK(!memcmp(r.screen, "lx\b \bs", 6));
	kpty_lm_keys(lm, "\r", 1);
	CHECK_EQ(r.nfar, 3);
	CHECK(!memcmp(r.far, "ls\n", 3));
	/* A lone EOF becomes the far side's EOF character. */
	kpty_lm_keys(lm, "\x04", 1);
	CHECK_EQ(r.nfar, 4);
	CHECK_EQ(r.far[3], 4);
	kpty_lm_destroy(lm);
}

static void lm_mode_switch_keeps_keys(void)
{
	struct lmrec r;
	struct kpty_lm *lm = lm_with(&r, "extproc");
	struct kpty_termios t;

	/* Typed in canonical mode, then the program goes raw: the partial
	 * line crosses once, and later keys pass at once. "ab" was echoed
	 * when typed, as Linux echoes typeahead: a program that goes raw
	 * before reading it (readline between two lines) echoes it again.
	 * The discipline mirrors the kernel; the desks keep keys from it
	 * while such a canonical spell is not proven (predict.h, pred_cook). */
	kpty_lm_keys(lm, "ab", 2);
	kpty_termios_default(&t);
	t.c_lflag = (t.c_lflag & ~(KPTY_ICANON | KPTY_ECHO)) | KPTY_EXTPROC;
	kpty_lm_set_termios(lm, &t);
	CHECK(!kpty_lm_local(lm));
	CHECK_EQ(r.nfar, 2);
	kpty_lm_keys(lm, "c", 1);
	CHECK_EQ(r.nfar, 3);
	CHECK(!memcmp(r.far, "abc", 3));
	CHECK_EQ(r.nscreen, 2); /* "ab" echoed while canonical, "c" not */
	kpty_lm_destroy(lm);
}

static void lm_without_extproc_is_transparent(void)
{
	struct lmrec r;
	struct kpty_lm *lm = lm_with(&r, "sane");

	CHECK(!kpty_lm_local(lm));
	kpty_lm_keys(lm, "a\x7f\x03\r", 4);
	CHECK_EQ(r.nfar, 4);
	CHECK(!memcmp(r.far, "a\x7f\x03\r", 4));
	CHECK_EQ(r.nscreen, 0);
	CHECK_EQ(r.sig, 0);
	kpty_lm_output(lm, "out\n", 4);
	CHECK_EQ(r.nscreen, 4);
	kpty_lm_destroy(lm);
}

static void lm_signal_flush(void)
{
	struct lmrec r;
	struct kpty_lm *lm = lm_with(&r, "extproc");

	kpty_lm_keys(lm, "half\x03", 5);
	CHECK_EQ(r.sig, KPTY_SIGINT);
	CHECK(r.flush);
	CHECK_EQ(r.nfar, 0); /* the half line is gone, as on Linux */
	kpty_lm_destroy(lm);
	lm = lm_with(&r, "extproc noflsh");
	kpty_lm_keys(lm, "\x1c", 1);
	CHECK_EQ(r.sig, KPTY_SIGQUIT);
	CHECK(!r.flush);
	kpty_lm_destroy(lm);
}

static void destroy_null(void)
{
	kpty_destroy(NULL);
	kpty_lm_destroy(NULL);
	CHECK(1);
}

static const struct unit_case cases[] = {
	{"vmin-vtime-inter-byte", vmin_vtime_inter_byte},
	{"vmin-zero-vtime-timeout", vmin_zero_vtime_timeout},
	{"blocking-canonical-read", vmin_blocking_canonical},
	{"queues-bounded", queues_bounded},
	{"raw-bypass-transparent", raw_bypass_is_transparent},
	{"winsize-signals-on-change", winsize_signals_on_change_only},
	{"param-reports-termios", param_reports_termios},
	{"processed-output-column", processed_output_tracks_column},
	{"output-column-from-tail", output_column_from_tail},
	{"stty-parser-errors", stty_parser_errors},
	{"stty-words-apply", stty_words_apply},
	{"lm-canonical-edits-locally", lm_canonical_edits_locally},
	{"lm-mode-switch-keeps-keys", lm_mode_switch_keeps_keys},
	{"lm-without-extproc-transparent", lm_without_extproc_is_transparent},
	{"lm-signal-flush", lm_signal_flush},
	{"destroy-null", destroy_null},
};

int main(int argc, char **argv)
{
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
