/* The prediction engine's rules as plain calls (predict/predict.h): a
 * screen model, a fake host that answers keys the way a program would
 * (or would not), and what the overlay then shows. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vterm.h>

#include "predict.h"
#include "unit.h"

#define RAW_ECHOING (PRED_CTX_ISIG | PRED_CTX_IEXTEN | PRED_CTX_OPOST | PRED_CTX_ICRNL)
#define RAW_PASSWORD 0 /* tty.setraw(): everything off */
#define SLOW_RTT_MS 200
/* Keys prove() types: at least what a context needs to prove itself. */
#define PROVE_KEYS 3
_Static_assert(PROVE_KEYS >= PRED_PROVE_RIGHT, "prove() proves the context");

struct fx {
	struct pred *p;
	uint32_t seq;
	long now;
};

static void ctx_pg(struct fx *f, const char *comm, uint32_t flags, uint32_t pgid)
{
	struct pred_context c = {.flags = flags, .pgid = pgid};

	snprintf(c.comm, sizeof c.comm, "%s", comm);
	pred_context(f->p, f->seq, &c);
	pred_update(f->p, f->now);
}

/* The context of the shell's process group (42). */
static void ctx(struct fx *f, const char *comm, uint32_t flags)
{
	ctx_pg(f, comm, flags, 42);
}

/* A 5x40 screen showing a prompt "$ ", bash in readline's raw mode. */
static void setup(struct fx *f, enum pred_policy policy)
{
	memset(f, 0, sizeof *f);
	f->p = pred_create(5, 40, policy);
	f->now = 1000;
	pred_output(f->p, "$ ", 2);
	ctx(f, "bash", RAW_ECHOING);
}

/* The person types s (one INPUT). */
static void type(struct fx *f, const char *s)
{
	pred_keys(f->p, ++f->seq, s, strlen(s), f->now);
	pred_update(f->p, f->now);
}

/* The host answers the last INPUT with echo and says the program waits. */
static void answer(struct fx *f, const char *echo, bool consumed)
{
	f->now += SLOW_RTT_MS;
	pred_ack(f->p, f->seq, f->now);
	pred_output(f->p, echo, strlen(echo));
	if (consumed)
		pred_consumed(f->p, f->seq);
	pred_update(f->p, f->now);
}

/* The same for the INPUT before the last (the last still unanswered). */
static void answer_before_last(struct fx *f, const char *echo)
{
	f->now += SLOW_RTT_MS;
	pred_ack(f->p, f->seq - 1, f->now);
	pred_output(f->p, echo, strlen(echo));
	pred_consumed(f->p, f->seq - 1);
	pred_update(f->p, f->now);
}

static void teardown(struct fx *f)
{
	pred_destroy(f->p);
}

/* The context proves itself: three keys echoed as predicted. */
static void prove(struct fx *f)
{
	for (int i = 0; i < PROVE_KEYS; i++) {
		type(f, "a");
		answer(f, "a", true);
	}
	CHECK_EQ(pred_stats(f->p)->right, PROVE_KEYS);
}

/* What the person sees on the cursor's row with the overlay drawn over
 * the true screen, as "TEXT@COL" (trailing blanks cut; COL: the cursor),
 * or "" when nothing is drawn. */
static const char *shows(struct fx *f)
{
	static char out[256];
	char cells[64][8];
	const struct pred_overlay *o = pred_overlay(f->p);
	int rows, cols, end = 0;

	(void)rows;
	size_t n = 0;

	out[0] = 0;
	if (!o->cursor)
		return out;
	pred_size(f->p, &rows, &cols);
	for (int c = 0; c < cols && c < 64; c++) {
		VTermScreenCell cell;
		vterm_screen_get_cell(pred_screen(f->p), (VTermPos){o->row, c}, &cell);
		cells[c][0] = 0;
		if (cell.chars[0] == 0xffffffffu)
			continue;
		snprintf(cells[c], sizeof cells[c], "%c", cell.chars[0] ? (char)cell.chars[0] : ' ');
	}
	for (int i = 0; i < o->n; i++) {
		if (o->cells[i].row != o->row)
			continue; /* another row's (less's page) */
		snprintf(cells[o->cells[i].col], 8, "%s", o->cells[i].utf8);
		if (o->cells[i].width == 2)
			cells[o->cells[i].col + 1][0] = 0;
	}
	for (int c = 0; c < cols && c < 64; c++)
		if (cells[c][0] && strcmp(cells[c], " "))
			end = c + 1;
	for (int c = 0; c < end && n < sizeof out - 16; c++)
		n += (size_t)snprintf(out + n, sizeof out - n, "%s", cells[c]);
	snprintf(out + n, sizeof out - n, "@%d", o->col);
	return out;
}

#define SHOWS(f, want)                                                                     \
	do {                                                                               \
		const char *got_ = shows(f);                                               \
		if (strcmp(got_, want)) {                                                  \
			fprintf(stderr, "%s:%d: overlay \"%s\", expected \"%s\"\n", __FILE__, \
				__LINE__, got_, want);                                     \
			failures++;                                                        \
		}                                                                          \
	} while (0)

/* Each editing key, typed on a proven context after "$ aaa": the overlay
 * before the host answers. */
static void test_editing_keys(void)
{
	static const struct {
		const char *keys, *shows;
	} rows[] = {
		{"b", "$ aaab@6"},		 /* a character, at the cursor */
		{"bc", "$ aaabc@7"},		 /* two in one INPUT */
		{"\xe5\xad\x97", "$ aaa\xe5\xad\x97@7"}, /* a wide one: two columns */
		{"\xc3\xa9", "$ aaa\xc3\xa9@6"},	 /* a narrow non-ASCII one */
		{"\x7f", "$ aa@4"},	 /* backspace erases the last */
		{"\x08", "$ aa@4"},	 /* so does ^H */
		{"\x1b[D", "$ aaa@4"},	 /* left: the cursor only */
		{"\x1bOD", "$ aaa@4"},	 /* in cursor-key application mode too */
		{"\x1b[H", "$ aaa@2"},	 /* home: where the input began */
		{"\x1b[1~", "$ aaa@2"},
		{"\x1b[H\x1b[F", ""},	 /* and end: back where it was */
		{"\x1b[H\x1b[F\x7f", "$ aa@4"},
		{"\x1b[D\x1b[D\x1b[C", "$ aaa@4"}, /* right */
		{"\x1b[C", ""},		 /* right at the end: nothing moves */
		{"\x7f\x7f\x7f\x7f", "$@2"}, /* backspace stops at the input's start */
	};

	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct fx f;
		setup(&f, PRED_ALWAYS);
		prove(&f);
		type(&f, rows[i].keys);
		const char *got = shows(&f);
		if (strcmp(got, rows[i].shows)) {
			fprintf(stderr, "row %zu (%s): overlay \"%s\", expected \"%s\"\n", i,
				rows[i].keys, got, rows[i].shows);
			failures++;
		}
		teardown(&f);
	}
}

/* Keys after an unanswered Enter, ^C, Tab, up or another key nothing
 * predicts stay hidden; shown once the host says the program waits
 * (Escape: test_escape_distrusts_line). */
static void test_boundaries_hide_until_answered(void)
{
	static const char *const boundary[] = {"\r", "\x03", "\t", "\x1b[A", "\x04", "\x15"};

	for (size_t i = 0; i < sizeof boundary / sizeof boundary[0]; i++) {
		struct fx f;
		setup(&f, PRED_ALWAYS);
		prove(&f);
		type(&f, boundary[i]);
		type(&f, "x");
		if (strcmp(shows(&f), "")) {
			fprintf(stderr, "boundary %zu: \"%s\" shown before the answer\n", i,
				shows(&f));
			failures++;
		}
		/* The host answers the boundary key (a new prompt for Enter). */
		answer_before_last(&f, "\r\n$ ");
		SHOWS(&f, "$ x@3");
		teardown(&f);
	}
}

/* A context shows nothing until enough keys came out right. */
static void test_unproven_context_hidden(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	for (int i = 0; i < PRED_PROVE_RIGHT; i++) {
		type(&f, "a");
		SHOWS(&f, "");
		answer(&f, "a", true);
	}
	type(&f, "b");
	char want[64];
	snprintf(want, sizeof want, "$ %.*sb@%d", PRED_PROVE_RIGHT, "aaaaaaaaaaaaaaaa",
		 3 + PRED_PROVE_RIGHT);
	SHOWS(&f, want);
	teardown(&f);
}

/* One key that came back as predicted proves a context (mosh's rule: an
 * epoch shows once one of its predictions was confirmed); a no-echo
 * prompt never gets one. */
static void test_proved_by_one_right(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	type(&f, "a");
	SHOWS(&f, "");
	answer(&f, "a", true);
	type(&f, "b");
	SHOWS(&f, "$ ab@4");
	teardown(&f);
}

/* A wrong one (the program did not echo what was predicted) is rolled
 * back at once, demotes the context and holds what follows. */
static void test_wrong_rolls_back_and_demotes(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "b");
	SHOWS(&f, "$ aaab@6");
	answer(&f, "B", true); /* the program showed something else */
	SHOWS(&f, "");
	CHECK_EQ(pred_stats(f.p)->wrong, 1);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	for (int i = 0; i < PRED_PROVE_RIGHT; i++) {
		type(&f, "c");
		SHOWS(&f, ""); /* demoted: proves itself again first */
		answer(&f, "c", true);
	}
	type(&f, "d");
	CHECK(strcmp(shows(&f), "") != 0);
	teardown(&f);
}

/* Only what was wrong goes: keys of the line before it that were right
 * stay confirmed, and a later epoch's are not touched by it. */
static void test_rollback_exactly_the_wrong_keys(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "x");
	type(&f, "y");
	SHOWS(&f, "$ aaaxy@7");
	/* x echoed and consumed: right; y not yet answered: still shown. */
	answer_before_last(&f, "x");
	SHOWS(&f, "$ aaaxy@7");
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	answer(&f, "Y", true);
	SHOWS(&f, "");
	CHECK_EQ(pred_stats(f.p)->wrong, 1);
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 1);
	teardown(&f);
}

/* Exact, not by a timer: a slow program (answered, not yet consumed) is
 * not judged wrong however long it takes; its echo confirms it. */
static void test_slow_program_not_judged(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "b");
	answer(&f, "", false); /* written into the pty; the program is busy */
	f.now += 3000;
	pred_update(f.p, f.now);
	SHOWS(&f, "$ aaab@6");
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	pred_output(f.p, "b", 1);
	pred_update(f.p, f.now);
	SHOWS(&f, "");
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 1);
	teardown(&f);
}

/* A raw prompt that never echoes never shows a character, however long
 * the person types, even with --predict=always. */
static void test_raw_password_never_shown(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f); /* bash's line editor has proved itself */
	unsigned long shown = pred_stats(f.p)->shown;
	type(&f, "\r");
	answer(&f, "\r\nPassword: ", true);
	ctx(&f, "python3", RAW_PASSWORD);
	for (int i = 0; i < 50; i++) {
		type(&f, "s");
		SHOWS(&f, "");
		answer(&f, "", true);
	}
	CHECK_EQ(pred_stats(f.p)->shown, shown);
	teardown(&f);
}

/* The same program in another mode is another context: a no-echo prompt
 * of a program whose editor proved itself shows nothing. */
static void test_context_change_not_trusted(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\r");
	answer(&f, "\r\n", true);
	ctx(&f, "bash", RAW_ECHOING & ~PRED_CTX_ISIG);
	type(&f, "p");
	SHOWS(&f, "");
	teardown(&f);
}

/* Keys the old context echoed are judged in it when the context changes
 * right after (Enter runs a program): not dropped unjudged. */
static void test_judged_before_context_change(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "b");
	f.now += SLOW_RTT_MS;
	pred_ack(f.p, f.seq, f.now);
	pred_output(f.p, "b", 1);
	ctx(&f, "python3", RAW_PASSWORD);
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 1);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	teardown(&f);
}

/* Keys sent in one INPUT with an Enter after them (a paste, a fast
 * typist): the answer moves the cursor on, yet their cells confirm them. */
static void test_burst_with_enter_confirmed(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "ls\r");
	SHOWS(&f, "$ aaals@7");
	answer(&f, "ls\r\nout\r\n$ ", true);
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 2);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	teardown(&f);
}

/* A key typed in the middle of a line that the program did not echo at
 * all (vim's command mode: 'i' enters insert mode) says nothing of insert
 * or overwrite: the context learns insert from the keys that do echo. */
static void test_unechoed_key_not_overwrite(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	ctx(&f, "vim", RAW_ECHOING);
	pred_output(f.p, "abcdef\033[4D", 10); /* the cursor on c */
	type(&f, "i");
	answer(&f, "", true); /* insert mode: nothing on the row */
	type(&f, "x");
	answer(&f, "xcdef\033[4D", true); /* inserted, the tail redrawn */
	type(&f, "y");
	SHOWS(&f, "$ abxycdef@6");
	teardown(&f);
}

/* readline's ^A ^E: in a context whose cursor keys came back as
 * predicted (a line editor), taken as home and end, the first time a
 * guess shown as the cursor only (nothing past it), then learned; in a
 * context not known as a line editor, a boundary. */
static void test_readline_keys_learned(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\x01x");
	SHOWS(&f, ""); /* not a line editor yet: waits for the host */
	answer(&f, "\b\b\bxaaa\b\b\b", true);
	type(&f, "\x05");
	answer(&f, "\033[3C", true);
	type(&f, "\x1b[D");
	answer(&f, "\b", true); /* a cursor key came back: a line editor */
	type(&f, "\x01");
	type(&f, "y");
	SHOWS(&f, "$ xaaa@2"); /* the guess: the cursor only, nothing past it */
	answer_before_last(&f, "\b\b\b");
	answer(&f, "yxaaa\b\b\b\b", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	type(&f, "\x05");
	SHOWS(&f, "$ yxaaa@7"); /* ^E: a guess too */
	answer(&f, "\033[4C", true);
	type(&f, "\x01z");
	SHOWS(&f, "$ zyxaaa@3"); /* learned: ^A and what follows */
	teardown(&f);
}

/* Keys the host read together with a later Enter (they came in one
 * packet): the answer moves the cursor on, yet their cells confirm them. */
static void test_answered_with_later_enter_confirmed(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "l");
	type(&f, "s");
	type(&f, "\r");
	answer(&f, "ls\r\nout\r\n$ ", true);
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 2);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	type(&f, "b");
	SHOWS(&f, "$ b@3"); /* not demoted */
	teardown(&f);
}

/* In a proven context's bits and name, but another process group (a
 * script run by that name), the line waits for one of its keys to be
 * confirmed (a prompt may now be a no-echo one), then shows. */
static void test_back_in_proven_context_after_one(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	ctx_pg(&f, "vim", RAW_ECHOING, 43);
	ctx_pg(&f, "bash", RAW_ECHOING, 44);
	type(&f, "a");
	SHOWS(&f, "");
	answer(&f, "a", true);
	type(&f, "b");
	SHOWS(&f, "$ aaaab@7");
	teardown(&f);
}

/* The line typed ("b") is entered; a raw no-echo prompt of another
 * program (python's, group 45) takes a typed key and never shows it; then
 * bash's prompt again. */
static void password_prompt_between(struct fx *f)
{
	type(f, "\r");
	answer(f, "b\r\nPassword: ", true);
	ctx_pg(f, "python3", RAW_PASSWORD, 45);
	type(f, "s");
	SHOWS(f, "");
	answer(f, "", true);
	type(f, "\r");
	answer(f, "\r\n$ ", true);
	ctx(f, "bash", RAW_ECHOING);
}

/* Back in exactly the context a key was last confirmed in (the same
 * process group, bits and screen) after the shell ran a command: the
 * excursion did not change what its echo does, so the new line shows at
 * once, without waiting for a key of it to come back. */
static void test_back_in_trusted_context_trusted(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\r");
	ctx(&f, "bash", RAW_ECHOING | PRED_CTX_ICANON | PRED_CTX_ECHO); /* readline let go */
	ctx_pg(&f, "ls", RAW_ECHOING | PRED_CTX_ICANON | PRED_CTX_ECHO, 43);
	answer(&f, "\r\nout\r\n$ ", true);
	ctx(&f, "bash", RAW_ECHOING);
	type(&f, "b");
	SHOWS(&f, "$ b@3");
	/* A raw no-echo prompt of another program in between forgets nothing
	 * of bash and shows none of its own keys. */
	password_prompt_between(&f);
	type(&f, "c");
	SHOWS(&f, "$ c@3");
	teardown(&f);
}

/* Back in a context a key was confirmed in before another one was (the
 * shell after vim, whose own keys were confirmed since): its line shows
 * at once too. A context wrong since is not trusted back, and one that
 * never echoed (a raw password prompt) never is. */
static void test_back_in_earlier_trusted_context(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\r");
	ctx(&f, "bash", RAW_ECHOING | PRED_CTX_ICANON | PRED_CTX_ECHO); /* readline let go */
	ctx_pg(&f, "vim", RAW_ECHOING, 43);
	answer(&f, "\033[?1049h\033[H", true);
	for (int i = 0; i < PROVE_KEYS; i++) { /* vim's insert mode echoed: the */
		type(&f, "i");			/* context last trusted is vim's */
		answer(&f, "i", true);
	}
	CHECK_EQ(pred_stats(f.p)->right, 2 * PROVE_KEYS);
	type(&f, "\x1b");
	answer(&f, "", true);
	type(&f, "\r"); /* (its :q) */
	answer(&f, "\033[?1049l\r\n$ ", true);
	ctx(&f, "bash", RAW_ECHOING);
	type(&f, "b");
	SHOWS(&f, "$ b@3");
	/* A raw no-echo prompt of another program shows none of its keys. */
	password_prompt_between(&f);
	type(&f, "c");
	SHOWS(&f, "$ c@3");
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	/* bash wrong once: not trusted back after vim. */
	answer(&f, "C", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	type(&f, "\r");
	answer(&f, "\r\n", true);
	ctx_pg(&f, "vim", RAW_ECHOING, 43);
	answer(&f, "\033[?1049h\033[H", true);
	type(&f, "a");
	answer(&f, "a", true);
	answer(&f, "\033[?1049l$ ", true);
	ctx(&f, "bash", RAW_ECHOING);
	type(&f, "d");
	SHOWS(&f, "");
	teardown(&f);
}

/* pred_showing: the gate as pred_update applies it (attach draws a key
 * before sending it while it is on). */
static void test_showing(void)
{
	struct fx f;

	setup(&f, PRED_ADAPTIVE);
	CHECK(!pred_showing(f.p, f.now)); /* no round trip measured */
	type(&f, "a");
	f.now += 2;
	pred_ack(f.p, f.seq, f.now);
	pred_output(f.p, "a", 1);
	pred_update(f.p, f.now);
	CHECK(!pred_showing(f.p, f.now)); /* a 2 ms link */
	type(&f, "b"); /* a key that waits over PRED_GLITCH_MS turns them on */
	f.now += PRED_GLITCH_MS + 1;
	pred_update(f.p, f.now);
	CHECK(pred_showing(f.p, f.now));
	teardown(&f);

	setup(&f, PRED_ADAPTIVE);
	prove(&f); /* at SLOW_RTT_MS */
	CHECK(pred_showing(f.p, f.now));
	while (pred_srtt_ms(f.p) >= PRED_SHOW_OFF_MS) { /* the link turns fast */
		CHECK(pred_showing(f.p, f.now)); /* (on until it is under the off mark) */
		type(&f, "a");
		f.now += 2;
		pred_ack(f.p, f.seq, f.now);
		pred_output(f.p, "a", 1);
		pred_consumed(f.p, f.seq);
		pred_update(f.p, f.now);
	}
	CHECK(!pred_showing(f.p, f.now));
	teardown(&f);

	setup(&f, PRED_ALWAYS);
	CHECK(pred_showing(f.p, f.now));
	teardown(&f);
	setup(&f, PRED_NEVER);
	for (int i = 0; i < PROVE_KEYS; i++) {
		type(&f, "a");
		answer(&f, "a", true);
	}
	CHECK(!pred_showing(f.p, f.now));
	teardown(&f);
}

/* Escape (a modal editor's command mode follows): the keys after it are
 * worked out but hidden until one of them comes back as predicted; the
 * ones that do not are wrong without demoting the context (nothing wrong
 * was shown), so insert mode shows again after its first key. */
static void test_escape_distrusts_line(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	ctx(&f, "vim", RAW_ECHOING);
	prove(&f); /* insert mode echoed three keys */
	type(&f, "\x1b");
	answer(&f, "", true); /* normal mode */
	type(&f, "j");
	SHOWS(&f, ""); /* a motion, not a character */
	answer(&f, "", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 1);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	type(&f, "A"); /* append: insert mode again */
	SHOWS(&f, "");
	answer(&f, "", true);
	type(&f, "x");
	SHOWS(&f, "");
	answer(&f, "x", true);
	type(&f, "y");
	SHOWS(&f, "$ aaaxy@7");
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);
}

/* On the alternate screen (a full-screen program: less, vim), a key not
 * predicted (Enter ending less's search) may change what keys do: the
 * keys after it are hidden until one comes back as predicted. */
static void test_alt_screen_boundary_distrusts(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	pred_output(f.p, "\033[?1049h\033[H:", 11);
	ctx(&f, "pager", RAW_ECHOING);
	prove(&f); /* a search's text echoed */
	type(&f, "\r");
	answer(&f, "\r\033[K:", true); /* the search ran; less's prompt again */
	type(&f, "n");
	SHOWS(&f, ""); /* next match: a command, not a character */
	answer(&f, "", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);
}

/* Canonical mode: the desk's line discipline echoes; nothing predicted,
 * with or without ECHO. */
static void test_canonical_nothing(void)
{
	for (int echo = 0; echo < 2; echo++) {
		struct fx f;
		setup(&f, PRED_ALWAYS);
		prove(&f);
		ctx(&f, "bash", RAW_ECHOING | PRED_CTX_ICANON | (echo ? PRED_CTX_ECHO : 0));
		type(&f, "p");
		SHOWS(&f, "");
		CHECK_EQ(pred_stats(f.p)->keys, PROVE_KEYS);
		teardown(&f);
	}
}

/* Without the host's context (an older host), nothing. */
static void test_no_context_nothing(void)
{
	struct pred *p = pred_create(5, 40, PRED_ALWAYS);

	pred_keys(p, 1, "abc", 3, 0);
	pred_update(p, 0);
	CHECK(!pred_overlay(p)->cursor);
	CHECK_EQ(pred_stats(p)->keys, 0);
	pred_destroy(p);
}

/* What a program prints is untrusted: the sequences that hang libvterm
 * 0.1.4 (REP with nothing before it) or write past its buffers (16 colon
 * sub-parameters, a mark it counts wide on a wide character in a narrow
 * row) leave the model answering, with what follows on it. */
static void test_untrusted_output(void)
{
	static const char bad[] = "\033[b\033[::::::::::::::::2J\033[;;;;;;;;;;;;;;;;;;;;m"
				  "\xe4\xb8\x80\xe3\x80\xaa\xe3\x80\xab\xe3\x80\xac\xe3\x80\xad\r\nok";
	struct pred *p = pred_create(3, 2, PRED_ALWAYS);
	VTermScreenCell cell;

	CHECK(p != NULL);
	pred_output(p, bad, sizeof bad - 1);
	CHECK(vterm_screen_get_cell(pred_screen(p), (VTermPos){1, 0}, &cell));
	CHECK_EQ(cell.chars[0], 'o');
	pred_destroy(p);
}

/* In the middle of a line, insert or overwrite is learned from the
 * context. In a line editor (its cursor keys came back as predicted:
 * readline, python, zsh, vim's insert mode) the first guess is insert,
 * drawn at once with what follows it (bash's "wrold", a typo fixed two
 * keys to the left; failed before: nothing shown until the host's echo
 * of the first one). */
static void test_insert_learned(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f); /* "$ aaa" */
	type(&f, "\x1b[D\x1b[D");
	answer(&f, "\b\b", true);
	type(&f, "X");
	SHOWS(&f, "$ aXaa@4"); /* a line editor: insert, guessed */
	type(&f, "\x7f");
	SHOWS(&f, ""); /* its backspace in the middle too: the screen as it is */
	type(&f, "Y");
	SHOWS(&f, "$ aYaa@4");
	answer(&f, "\x1b[1@X\b\x1b[P\x1b[1@Y", true); /* readline inserts */
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	type(&f, "Z");
	SHOWS(&f, "$ aYZaa@5"); /* the tail moves right */
	teardown(&f);
}

/* In a context not known as a line editor (only characters came back,
 * the cursor put in the middle by the program), the first character in
 * the middle of a line is worked out but not drawn. */
static void test_insert_not_guessed_outside_editor(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f); /* "$ aaa" */
	pred_output(f.p, "\b\b", 2); /* the program moved the cursor itself */
	pred_update(f.p, f.now);
	type(&f, "X");
	SHOWS(&f, ""); /* insert or overwrite: not known yet */
	type(&f, "\x7f");
	SHOWS(&f, "");
	teardown(&f);
}

/* A line editor whose only text right of the cursor is past blanks (zsh's
 * right prompt, which stays put as the line grows): no insert guess is
 * drawn, for a character or a backspace; the first character's answer
 * teaches overwrite, and the prompt never moves on screen. (Failed with
 * the guess drawn wherever the row had text right of the cursor: the
 * right prompt moved a cell at each key.) */
static void test_insert_not_guessed_before_right_prompt(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f); /* "$ aaa" */
	type(&f, "\x7f");
	answer(&f, "\b \b", true); /* a line editor: backspace came back */
	const char *rprompt = "\0337\033[1;30H[ok]\0338"; /* a right prompt */
	pred_output(f.p, rprompt, strlen(rprompt));
	pred_update(f.p, f.now);
	type(&f, "X");
	SHOWS(&f, ""); /* not drawn: "[ok]" would move right */
	answer(&f, "X", true); /* zsh writes over the blank, the prompt stays */
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	type(&f, "Y");
	SHOWS(&f, "$ aaXY                       [ok]@6"); /* overwrite, learned */
	teardown(&f);
}

/* A line editor in overwrite mode: the insert guess drawn was wrong (a
 * wrong glyph, counted), the context is not demoted, and it overwrites
 * from then on. */
static void test_overwrite_learned(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\x1b[D\x1b[D");
	answer(&f, "\b\b", true);
	type(&f, "X");
	SHOWS(&f, "$ aXaa@4"); /* guessed insert */
	answer(&f, "X", true); /* an editor in overwrite mode */
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	type(&f, "\x1b[D");
	SHOWS(&f, "$ aXa@3"); /* still proven: shown at once */
	answer(&f, "\b", true);
	type(&f, "Y");
	SHOWS(&f, "$ aYa@4"); /* learned now: over the X, the tail stays */
	answer(&f, "Y", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	teardown(&f);
}

/* Never into the last column: where the line wraps is the program's. */
static void test_not_into_last_column(void)
{
	struct fx f;
	char line[64];

	setup(&f, PRED_ALWAYS);
	prove(&f);
	memset(line, 'z', 34);
	pred_output(f.p, line, 34); /* the cursor in the last column, 39 */
	pred_update(f.p, f.now);
	type(&f, "q");
	SHOWS(&f, "");
	teardown(&f);
}

/* adaptive: off on a fast link, on on a slow one or after a key waited. */
/* A short link: keys answered in 2 ms. */
static void fast_keys(struct fx *f, const char *s)
{
	for (; *s; s++) {
		type(f, (char[]){*s, 0});
		f->now += 2;
		pred_ack(f->p, f->seq, f->now);
		pred_output(f->p, s, 1);
		pred_consumed(f->p, f->seq);
		pred_update(f->p, f->now);
	}
}

/* A key the program read without a word (a no-echo prompt) on a short
 * link is not a glitch of the link: the host said it was consumed, so
 * adaptive does not turn predictions on for the keys after it. */
static void test_consumed_silently_no_glitch(void)
{
	struct fx f;

	setup(&f, PRED_ADAPTIVE);
	fast_keys(&f, "aaaaaa");
	ctx_pg(&f, "python3", RAW_PASSWORD, 43);
	type(&f, "s");
	f.now += 2;
	pred_consumed(f.p, f.seq); /* no OUTPUT: nothing to say */
	pred_update(f.p, f.now);
	f.now += PRED_GLITCH_MS + 1;
	pred_update(f.p, f.now);
	ctx(&f, "bash", RAW_ECHOING);
	type(&f, "b");
	SHOWS(&f, "");
	teardown(&f);
}

static void test_adaptive_rtt(void)
{
	struct fx f;

	setup(&f, PRED_ADAPTIVE);
	for (int i = 0; i < 6; i++) { /* a 2 ms link */
		type(&f, "a");
		f.now += 2;
		pred_ack(f.p, f.seq, f.now);
		pred_output(f.p, "a", 1);
		pred_consumed(f.p, f.seq);
		pred_update(f.p, f.now);
	}
	type(&f, "b");
	SHOWS(&f, "");
	/* A key that waited over PRED_GLITCH_MS turns them on. */
	f.now += PRED_GLITCH_MS + 1;
	pred_update(f.p, f.now);
	SHOWS(&f, "$ aaaaaab@9");
	teardown(&f);

	setup(&f, PRED_ADAPTIVE);
	prove(&f); /* at SLOW_RTT_MS */
	type(&f, "b");
	SHOWS(&f, "$ aaab@6");
	CHECK(pred_overlay(f.p)->underline); /* a round trip a person notices */
	teardown(&f);
}

static void test_never(void)
{
	struct fx f;

	setup(&f, PRED_NEVER);
	for (int i = 0; i < 5; i++) {
		type(&f, "a");
		answer(&f, "a", true);
	}
	type(&f, "b");
	SHOWS(&f, "");
	CHECK_EQ(pred_stats(f.p)->right, 0);
	teardown(&f);
}

static void test_policy_parse(void)
{
	enum pred_policy p;

	CHECK(pred_policy_parse("adaptive", &p) && p == PRED_ADAPTIVE);
	CHECK(pred_policy_parse("always", &p) && p == PRED_ALWAYS);
	CHECK(pred_policy_parse("never", &p) && p == PRED_NEVER);
	CHECK(!pred_policy_parse("sometimes", &p));
	CHECK(!pred_policy_parse("", &p));
}

/* Type-ahead: keys typed before the prompt came are shown on it. */
static void test_typeahead_after_enter(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\r");
	type(&f, "ls");
	SHOWS(&f, "");
	answer_before_last(&f, "\r\nout\r\n$ ");
	SHOWS(&f, "$ ls@4");
	answer(&f, "ls", true);
	SHOWS(&f, "");
	CHECK_EQ(pred_stats(f.p)->right, PROVE_KEYS + 2);
	teardown(&f);
}

/* A resize drops what was predicted (the row moved) until answered. */
static void test_resize_holds(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "b");
	SHOWS(&f, "$ aaab@6");
	pred_resize(f.p, 10, 60);
	pred_update(f.p, f.now);
	SHOWS(&f, "");
	teardown(&f);
}

/* ---- an answer shown whole (pred_hold) ---- */

#define HOLD_RTT_MS 100

/* A hold as in a context whose program the host has seen wait (a
 * CONSUMED of nothing outstanding). */
static void hold_init_seen(struct pred_hold *h)
{
	pred_hold_init(h);
	pred_hold_context(h, 100);
	CHECK(!pred_hold_consumed(h, 0));
}

/* less's page redrawn in three OUTPUTs: held from the first until the
 * host says less waits again, then shown at once. */
static void test_hold_answer_until_consumed(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	CHECK(pred_hold_output(&h, 1, HOLD_RTT_MS, 1000));
	CHECK(pred_hold_output(&h, 1, HOLD_RTT_MS, 1010));
	CHECK(pred_hold_output(&h, 1, HOLD_RTT_MS, 1030));
	CHECK(!pred_hold_due(&h, 1050));
	CHECK_EQ(pred_hold_wait_ms(&h, 1050), PRED_HOLD_MAX_MS - 50);
	CHECK(pred_hold_consumed(&h, 1));
	CHECK_EQ(pred_hold_wait_ms(&h, 1051), -1);
	/* After it, less's own output (none outstanding) flows. */
	CHECK(!pred_hold_output(&h, 1, HOLD_RTT_MS, 1060));
}

/* Output with no key outstanding flows: before any key, and after the
 * program consumed the last (top refreshing, a tail -f). */
static void test_hold_nothing_outstanding(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	CHECK(!pred_hold_output(&h, 0, HOLD_RTT_MS, 1000));
	CHECK(!pred_hold_consumed(&h, 3));
	CHECK(!pred_hold_output(&h, 3, HOLD_RTT_MS, 1010));
	CHECK(!pred_hold_output(&h, 2, HOLD_RTT_MS, 1020)); /* an older ack */
	CHECK_EQ(pred_hold_wait_ms(&h, 1020), -1);
}

/* At a short round trip nothing is held: the echo does not wait for
 * CONSUMED. Nor before the round trip is known. */
static void test_hold_not_at_short_rtt(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	CHECK(!pred_hold_output(&h, 1, 0, 1000));
	CHECK(!pred_hold_output(&h, 1, PRED_HOLD_MIN_RTT_MS - 1, 1000));
	CHECK(!pred_hold_output(&h, 1, -1, 1000));
	CHECK(pred_hold_output(&h, 1, PRED_HOLD_MIN_RTT_MS, 1000));
}

/* A program that never waits again (a build's output after Enter) is
 * held PRED_HOLD_MAX_MS from the first byte, then its answer flows. */
static void test_hold_capped(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	CHECK(pred_hold_output(&h, 4, HOLD_RTT_MS, 1000));
	CHECK(!pred_hold_due(&h, 1000 + PRED_HOLD_MAX_MS - 1));
	CHECK(pred_hold_output(&h, 4, HOLD_RTT_MS, 1000 + PRED_HOLD_MAX_MS - 1));
	CHECK(pred_hold_due(&h, 1000 + PRED_HOLD_MAX_MS));
	CHECK(!pred_hold_due(&h, 1000 + PRED_HOLD_MAX_MS + 1)); /* once */
	CHECK(!pred_hold_output(&h, 4, HOLD_RTT_MS, 1200));
	CHECK(!pred_hold_consumed(&h, 4));
	/* The next key's answer is held again. */
	CHECK(pred_hold_output(&h, 5, HOLD_RTT_MS, 1300));
	CHECK(pred_hold_consumed(&h, 5));
}

/* Keys typed while an answer is held: their answers join it, and it ends
 * once CONSUMED covers the latest of them. */
static void test_hold_later_key_joins(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	CHECK(pred_hold_output(&h, 7, HOLD_RTT_MS, 1000));
	CHECK(pred_hold_output(&h, 8, HOLD_RTT_MS, 1020));
	CHECK(!pred_hold_consumed(&h, 7));
	CHECK(pred_hold_output(&h, 8, HOLD_RTT_MS, 1030));
	CHECK(pred_hold_consumed(&h, 8));
}

/* The caller ends a hold (a key's prediction drawn, the link lost): the
 * rest of that key's answer flows, the next key's is held. */
static void test_hold_ended_by_caller(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	pred_hold_end(&h); /* none under way: nothing */
	CHECK(pred_hold_output(&h, 1, HOLD_RTT_MS, 1000));
	pred_hold_end(&h);
	CHECK(!pred_hold_output(&h, 1, HOLD_RTT_MS, 1010));
	CHECK(pred_hold_output(&h, 2, HOLD_RTT_MS, 1020));
}

/* A program the host never sees wait (its leader sleeps in a futex, as
 * Go's TUIs do: no CONSUMED ever) is not held: each answer would wait
 * the whole cap. A new foreground group must show it anew; the same
 * group's CONTEXT (a termios change) keeps what was seen. */
static void test_hold_only_where_waits_seen(void)
{
	struct pred_hold h;

	pred_hold_init(&h);
	pred_hold_context(&h, 100);
	CHECK(!pred_hold_output(&h, 1, HOLD_RTT_MS, 1000));
	CHECK(!pred_hold_output(&h, 2, HOLD_RTT_MS, 1010));
	CHECK(!pred_hold_consumed(&h, 2)); /* bash waits: seen */
	CHECK(pred_hold_output(&h, 3, HOLD_RTT_MS, 1020));
	CHECK(pred_hold_consumed(&h, 3));
	pred_hold_context(&h, 100); /* stty in the same group */
	CHECK(pred_hold_output(&h, 4, HOLD_RTT_MS, 1030));
	CHECK(pred_hold_consumed(&h, 4));
	pred_hold_context(&h, 200); /* fzf in the foreground */
	CHECK(!pred_hold_output(&h, 5, HOLD_RTT_MS, 1040));
	CHECK(!pred_hold_output(&h, 6, HOLD_RTT_MS, 1050));
	CHECK_EQ(pred_hold_wait_ms(&h, 1050), -1);
}

/* Seqs wrap. */
static void test_hold_seq_wraps(void)
{
	struct pred_hold h;

	hold_init_seen(&h);
	h.consumed = h.done = 0xfffffff0u; /* four billion keys later */
	CHECK(pred_hold_output(&h, 0xfffffffeu, HOLD_RTT_MS, 1000));
	CHECK(pred_hold_output(&h, 1, HOLD_RTT_MS, 1010));
	CHECK(!pred_hold_consumed(&h, 0xffffffffu));
	CHECK(pred_hold_consumed(&h, 1));
	CHECK(!pred_hold_output(&h, 0xffffffffu, HOLD_RTT_MS, 1020));
}


/* vi's command mode (after an Escape alone on the alternate screen): its
 * h l 0 x are predicted as what vi does with them, each learned as
 * readline's keys are (a motion guessed shows as the cursor only; x is
 * hidden until it came back so); keys that keep the mode and are not
 * predicted (j, w) wait for the host; a count or an operator makes the
 * next key its argument; any other key (i) ends the mode. */
static void test_vi_command_keys(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	pred_output(f.p, "\033[?1049h\033[H\033[2J", 15);
	ctx(&f, "vim", RAW_ECHOING);
	prove(&f); /* insert mode: "aaa" */
	type(&f, "\x1b");
	answer(&f, "\b", true); /* normal mode, on the last a */
	type(&f, "0");
	SHOWS(&f, "aaa@0"); /* a guess: the cursor only */
	answer(&f, "\r", true);
	type(&f, "l");
	SHOWS(&f, "aaa@1");
	type(&f, "l");
	SHOWS(&f, "aaa@1"); /* not past a guess */
	answer(&f, "\033[1;3H", true); /* both at once: not judged */
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	type(&f, "0");
	answer(&f, "\r", true);
	type(&f, "l");
	SHOWS(&f, "aaa@1");
	answer(&f, "\033[1;2H", true); /* learned */
	type(&f, "0");
	SHOWS(&f, "aaa@0");
	answer(&f, "\r", true);
	type(&f, "l");
	SHOWS(&f, "aaa@1"); /* learned */
	type(&f, "l");
	SHOWS(&f, "aaa@2");
	type(&f, "l");
	SHOWS(&f, "aaa@2"); /* never past the last character */
	answer(&f, "\033[1;3H", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	type(&f, "x");
	SHOWS(&f, ""); /* not learned yet: hidden */
	answer(&f, "\033[K\b", true);
	type(&f, "h");
	SHOWS(&f, "aa@0");
	answer(&f, "\b", true);
	type(&f, "x");
	SHOWS(&f, "a@0"); /* learned */
	answer(&f, "a\033[K\b", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	/* an operator's motion, a count: the command's, not predicted */
	type(&f, "d");
	type(&f, "l");
	SHOWS(&f, "");
	answer(&f, "\033[K", true);
	type(&f, "3");
	type(&f, "l");
	SHOWS(&f, "");
	answer(&f, "", true);
	/* a key that keeps the mode, not predicted: what follows waits */
	type(&f, "j");
	type(&f, "l");
	SHOWS(&f, "");
	answer(&f, "", true);
	/* i: insert mode, where h is a character */
	type(&f, "i");
	answer(&f, "", true);
	type(&f, "h");
	SHOWS(&f, "");
	answer(&f, "h", true);
	type(&f, "l");
	SHOWS(&f, "hl@2");
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);
}

/* A program that is not vi, whose h after an Escape did something else:
 * the guess was wrong without blame, and h is a boundary there from then
 * on. */
static void test_vi_key_not_vi(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	pred_output(f.p, "\033[?1049h\033[H\033[2J", 15);
	ctx(&f, "other", RAW_ECHOING);
	prove(&f);
	type(&f, "\x1b");
	answer(&f, "", true);
	type(&f, "h");
	SHOWS(&f, "aaa@2"); /* guessed */
	answer(&f, "\033[2J\033[HHelp", true);
	SHOWS(&f, "");
	type(&f, "\x1b");
	answer(&f, "\033[2J\033[H", true);
	type(&f, "h");
	SHOWS(&f, ""); /* not again */
	teardown(&f);
}

/* ---- less's search prompt ---- */

#define LESS_FLAGS (PRED_CTX_ISIG | PRED_CTX_OPOST) /* less: -icanon -echo */

/* less on the alternate screen of a 5x40 screen, its prompt ':' on the
 * last row. */
static void less_setup_policy(struct fx *f, enum pred_policy policy)
{
	static const char page[] = "\033[?1049h\033[H\033[2Jline 1\r\nline 2\r\nline 3\r\nline 4\r\n:";

	setup(f, policy);
	pred_output(f->p, page, strlen(page));
	ctx(f, "less", LESS_FLAGS);
}

static void less_setup(struct fx *f)
{
	less_setup_policy(f, PRED_ALWAYS);
}

/* '/' after a command less finishes at once ('j' here): the prompt line
 * becomes the search's at once, and what is typed on it shows, before
 * less answered and with the context not yet proven. */
static void test_less_search_prompt(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, "j");
	SHOWS(&f, ""); /* a move: less's to show */
	answer(&f, "\r\033[K:", true);
	type(&f, "/");
	SHOWS(&f, "/@1");
	type(&f, "g");
	SHOWS(&f, "/g@2");
	type(&f, "x");
	type(&f, "\x7f");
	SHOWS(&f, "/g@2");
	f.now += SLOW_RTT_MS;
	pred_ack(f.p, f.seq - 3, f.now); /* '/' answered */
	pred_output(f.p, "\r\033[K/", 6);
	pred_consumed(f.p, f.seq - 3);
	pred_update(f.p, f.now);
	SHOWS(&f, "/g@2");
	answer(&f, "gx\b\033[K", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	CHECK_EQ(pred_stats(f.p)->right, 4);
	teardown(&f);
}

/* Not after a prefix whose prompt looks the same (':' begins less's
 * colon commands), not in another program, and a backspace at the start
 * of the search's line (less leaves the search) waits for less. */
static void test_less_search_not_guessed(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, ":");
	answer(&f, "\r\033[K:", true);
	type(&f, "/");
	SHOWS(&f, "");
	answer(&f, "", true);
	teardown(&f);

	setup(&f, PRED_ALWAYS);
	pred_output(f.p, "\033[?1049h\033[H\033[2J\033[5;1H:", 21);
	ctx(&f, "vim", LESS_FLAGS);
	type(&f, "j");
	answer(&f, "", true);
	type(&f, "/");
	SHOWS(&f, "");
	teardown(&f);

	less_setup(&f);
	type(&f, "k");
	answer(&f, "\r\033[K:", true);
	type(&f, "/");
	type(&f, "\x7f");
	SHOWS(&f, "/@1");
	teardown(&f);
}

/* A search key answered otherwise (a prompt of less's own that looked
 * like it): rolled back, and not guessed again in that context. */
static void test_less_search_wrong_not_again(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, "j");
	answer(&f, "\r\033[K:", true);
	type(&f, "/");
	SHOWS(&f, "/@1");
	answer(&f, "\r\033[KMark: ", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	SHOWS(&f, "");
	answer(&f, "\r\033[K:", true);
	type(&f, "j");
	answer(&f, "\r\033[K:", true);
	type(&f, "/");
	SHOWS(&f, "");
	teardown(&f);
}

/* The host's ack and CONSUMED cover INPUT seq, with no output. */
static void covered_silently(struct fx *f, uint32_t seq)
{
	pred_ack(f->p, seq, f->now);
	pred_consumed(f->p, seq);
	pred_update(f->p, f->now);
}

/* A count typed at less's prompt after one of its whole commands: less
 * shows it after the ':' (":12"), and backspace takes a digit back:
 * known exactly, shown at once in a context not yet proven. The command
 * it counts is less's to show; after it, '/' is its search again. */
static void test_less_count(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, "j");
	answer(&f, "\r\033[K:", true);
	type(&f, "1");
	SHOWS(&f, ":1@2");
	type(&f, "2");
	SHOWS(&f, ":12@3");
	type(&f, "\x7f");
	SHOWS(&f, ":1@2");
	type(&f, "j");
	SHOWS(&f, ":1@2");
	answer_before_last(&f, "12\b\033[K");
	SHOWS(&f, ""); /* all answered but the 'j', hidden */
	answer(&f, "\r\033[K:", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	CHECK_EQ(pred_stats(f.p)->right, 3);
	type(&f, "/");
	SHOWS(&f, "/@1");
	teardown(&f);
}

/* Not after a prefix (':'), and a digit on a search's line is the
 * pattern's, not a count. */
static void test_less_count_not_guessed(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, ":");
	answer(&f, "\r\033[K:", true);
	type(&f, "5");
	SHOWS(&f, "");
	teardown(&f);

	less_setup(&f);
	type(&f, "k");
	answer(&f, "\r\033[K:", true);
	type(&f, "/a 4");
	SHOWS(&f, "/a 4@4");
	answer(&f, "\r\033[K/a 4", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);
}

/* Row r as the person sees it with the overlay drawn (trailing blanks
 * cut), ASCII only. */
static const char *row_shows(struct fx *f, int r)
{
	static char out[64];
	const struct pred_overlay *o = pred_overlay(f->p);
	int end = 0;

	for (int c = 0; c < 40 && c < (int)sizeof out - 1; c++) {
		VTermScreenCell cell;
		vterm_screen_get_cell(pred_screen(f->p), (VTermPos){r, c}, &cell);
		out[c] = cell.chars[0] ? (char)cell.chars[0] : ' ';
	}
	for (int i = 0; i < o->n; i++)
		if (o->cells[i].row == r && o->cells[i].col < 40)
			out[o->cells[i].col] = o->cells[i].utf8[0];
	for (int c = 0; c < 40; c++)
		if (out[c] != ' ')
			end = c + 1;
	out[end] = 0;
	return out;
}

#define ROW_SHOWS(f, r, want)                                                              \
	do {                                                                               \
		const char *got_ = row_shows(f, r);                                        \
		if (strcmp(got_, want)) {                                                  \
			fprintf(stderr, "%s:%d: row %d \"%s\", expected \"%s\"\n", __FILE__,     \
				__LINE__, r, got_, want);                                  \
			failures++;                                                        \
		}                                                                          \
	} while (0)

#define LESS_PAGE(top) "\033[H\033[2J" top "\r\n:"

/* less's 'k' after one of its whole commands, the row above its page
 * seen in a page before (kept as it rested): the page moves down a row
 * at once, its top row the one seen, the prompt where it was; before,
 * nothing showed until less answered. At the file's top (no row above
 * known), nothing is guessed. */
static void test_less_scroll_back(void)
{
	struct fx f;

	less_setup(&f); /* lines 1-4 */
	type(&f, "j");
	answer(&f, LESS_PAGE("line 2\r\nline 3\r\nline 4\r\nline 5"), true);
	type(&f, "k");
	ROW_SHOWS(&f, 0, "line 1");
	ROW_SHOWS(&f, 3, "line 4");
	SHOWS(&f, ":@1");
	answer(&f, LESS_PAGE("line 1\r\nline 2\r\nline 3\r\nline 4"), true);
	CHECK_EQ(pred_stats(f.p)->right, 1);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	SHOWS(&f, "");
	/* At the top: nothing above is known. */
	type(&f, "k");
	SHOWS(&f, "");
	answer(&f, "\r\033[K:", true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);

	/* Adaptive: the round trip is timed by less's commands' answers too
	 * (none of them carries a key predicted), so the first 'k' shows. */
	less_setup_policy(&f, PRED_ADAPTIVE);
	type(&f, "j");
	answer(&f, LESS_PAGE("line 2\r\nline 3\r\nline 4\r\nline 5"), true);
	CHECK_EQ(pred_srtt_ms(f.p), SLOW_RTT_MS);
	type(&f, "k");
	ROW_SHOWS(&f, 0, "line 1");
	teardown(&f);
}

/* Not after a count ("2k" goes back two), and a page less answers
 * otherwise (the file changed) is rolled back and not guessed again in
 * that context. */
static void test_less_scroll_back_wrong(void)
{
	struct fx f;

	less_setup(&f);
	type(&f, "j");
	answer(&f, LESS_PAGE("line 2\r\nline 3\r\nline 4\r\nline 5"), true);
	type(&f, "2k");
	ROW_SHOWS(&f, 0, "line 2");
	answer(&f, LESS_PAGE("line 0\r\nline 1\r\nline 2\r\nline 3"), true);
	type(&f, "j");
	answer(&f, LESS_PAGE("line 1\r\nline 2\r\nline 3\r\nline 4"), true);
	type(&f, "k");
	ROW_SHOWS(&f, 0, "line 0");
	answer(&f, LESS_PAGE("line X\r\nline 1\r\nline 2\r\nline 3"), true);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 1);
	type(&f, "j");
	answer(&f, LESS_PAGE("line 1\r\nline 2\r\nline 3\r\nline 4"), true);
	type(&f, "k");
	ROW_SHOWS(&f, 0, "line 1");
	teardown(&f);
}

/* The predicted cell at row, col of the overlay (NULL: none). */
static const struct pred_cell *cell_at(struct fx *f, int row, int col)
{
	const struct pred_overlay *o = pred_overlay(f->p);

	for (int i = 0; i < o->n; i++)
		if (o->cells[i].row == row && o->cells[i].col == col)
			return &o->cells[i];
	return NULL;
}

/* less's page comes back in the pen it was drawn in: a bold row bold (a
 * man page's headings), a red one red (less -R), and none of it a typed
 * character's to flag, though the round trip flags those (the overlay's
 * underline); before, the page came back plain, a cell whose character
 * was already there not drawn at all, and every cell underlined. */
static void test_less_scroll_back_pen(void)
{
	static const char page[] = "\033[?1049h\033[H\033[2J\033[1mline 1\033[m\r\n"
				   "\033[31mline 2\033[m\r\nline 3\r\nline 4\r\n:";
	const struct pred_cell *c;
	struct fx f;

	setup(&f, PRED_ALWAYS);
	pred_output(f.p, page, strlen(page));
	ctx(&f, "less", LESS_FLAGS);
	type(&f, "j");
	answer(&f, LESS_PAGE("\033[31mline 2\033[m\r\nline 3\r\nline 4\r\nline 5"), true);
	type(&f, "k");
	ROW_SHOWS(&f, 0, "line 1");
	CHECK(pred_overlay(f.p)->underline); /* SLOW_RTT_MS: typed characters flagged */
	c = cell_at(&f, 0, 0); /* 'l' over red 'l': its pen differs */
	CHECK(c != NULL);
	if (c) {
		CHECK(c->pen.page);
		CHECK_EQ(c->pen.attrs, PRED_BOLD);
		CHECK(VTERM_COLOR_IS_DEFAULT_FG(&c->pen.fg));
	}
	c = cell_at(&f, 1, 5); /* '2', red, over '3' */
	CHECK(c != NULL);
	if (c) {
		CHECK(c->pen.page);
		CHECK_EQ(c->pen.attrs, 0);
		CHECK(VTERM_COLOR_IS_INDEXED(&c->pen.fg) && c->pen.fg.indexed.idx == 1);
	}
	c = cell_at(&f, 3, 5); /* '4' over '5', both plain */
	CHECK(c != NULL);
	if (c)
		CHECK(c->pen.page && c->pen.attrs == 0 && VTERM_COLOR_IS_DEFAULT_FG(&c->pen.fg));
	answer(&f, LESS_PAGE("\033[1mline 1\033[m\r\n\033[31mline 2\033[m\r\nline 3\r\nline 4"),
	       true);
	CHECK_EQ(pred_stats(f.p)->right, 1);
	SHOWS(&f, "");
	teardown(&f);
}

/* less resting while its page streams (less +F: output, no key): the
 * page is read once after each CONSUMED, not at each batch of output;
 * before, every update read the whole page and kept it when it changed. */
static void test_less_page_kept_once_per_consumed(void)
{
	struct fx f;
	unsigned long reads;
	char b[64];

	less_setup(&f);
	type(&f, "j");
	answer(&f, LESS_PAGE("line 2\r\nline 3\r\nline 4\r\nline 5"), true);
	reads = pred_stats(f.p)->page_reads;
	for (int i = 0; i < 20; i++) {
		int n = snprintf(b, sizeof b, "\033[4;1Hline %d\033[K\r\n:", 6 + i);
		pred_output(f.p, b, (size_t)n);
		f.now += 10;
		pred_update(f.p, f.now);
	}
	CHECK_EQ(pred_stats(f.p)->page_reads, reads);
	/* less waits again (the follow ended): its page kept, once. */
	pred_consumed(f.p, f.seq);
	pred_update(f.p, f.now);
	pred_update(f.p, f.now);
	CHECK_EQ(pred_stats(f.p)->page_reads, reads + 1);
	teardown(&f);
}

/* Keys the host let go at a switch to canonical (python between lines:
 * a second Enter and the 'f' after it reached the host once the program
 * was canonical; the desk types them again, in a new INPUT): forgotten.
 * The CONSUMED that covers the let-go Enter answers nothing, so the 'f'
 * must not show after the prompt its first Enter brought (before, it
 * did: "$ f", rolled back as wrong once its own CONSUMED came). */
static void test_let_go_keys_forgotten(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	prove(&f);
	type(&f, "\r");
	type(&f, "\r");
	type(&f, "f");
	SHOWS(&f, "");
	/* The first Enter answered; the marked TERMIOS says the host had
	 * taken it and let go of what came after. */
	f.now += SLOW_RTT_MS;
	pred_ack(f.p, f.seq - 2, f.now);
	pred_output(f.p, "\r\n$ ", 4);
	pred_let_go(f.p, f.seq - 2, f.seq);
	pred_consumed(f.p, f.seq - 2);
	pred_update(f.p, f.now);
	SHOWS(&f, "");
	/* The let-go INPUTs covered, nothing written for them. */
	covered_silently(&f, f.seq - 1);
	SHOWS(&f, "");
	covered_silently(&f, f.seq);
	SHOWS(&f, "");
	/* Typed again: the Enter, then the 'f' after its answer. */
	type(&f, "\rf");
	SHOWS(&f, "");
	answer(&f, "\r\n$ f", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	/* A character let go alone (no line ended): typed again once, it
	 * is predicted once, the cursor one column on, not two. */
	type(&f, "g");
	SHOWS(&f, "$ fg@4");
	pred_let_go(f.p, f.seq - 1, f.seq);
	type(&f, "g");
	SHOWS(&f, "$ fg@4");
	answer(&f, "g", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	teardown(&f);
}

/* python after a line: its next line's first keys typed before the
 * prompt came and held (the context changed: canonical while the line
 * ran, raw again), answered before they were predicted. The line's start
 * is where the cursor was once the Enter was consumed (the prompt's end),
 * not where it is when the first key after them is replayed: Home goes
 * back there. */
static void test_line_start_keys_answered_first(void)
{
	struct fx f;
	struct pred_context raw = {.flags = RAW_ECHOING, .pgid = 42};

	setup(&f, PRED_ADAPTIVE);
	prove(&f);
	type(&f, "\r");
	f.now += SLOW_RTT_MS;
	pred_ack(f.p, f.seq, f.now);
	pred_output(f.p, "\r\n", 2);
	ctx(&f, "bash", RAW_ECHOING | PRED_CTX_ICANON | PRED_CTX_ECHO);
	type(&f, "pr");
	snprintf(raw.comm, sizeof raw.comm, "bash");
	pred_context(f.p, f.seq - 1, &raw);
	pred_output(f.p, "$ ", 2);
	pred_consumed(f.p, f.seq - 1);
	pred_update(f.p, f.now);
	answer(&f, "pr", true);
	type(&f, "i");
	type(&f, "\033[H");
	CHECK(!strcmp(shows(&f), "$ pri@2"));
	answer_before_last(&f, "i");
	answer(&f, "\b\b\b", true);
	CHECK_EQ(pred_stats(f.p)->wrong, 0);
	CHECK_EQ(pred_stats(f.p)->shown_wrong, 0);
	teardown(&f);
}

/* ---- a held answer's bytes, in order (pred_held) ---- */

/* What a pred_held's ops were told, in order: "a7" an ack, "[bytes]" bytes
 * shown, "|" a hold released; and the caller's own shows, "(bytes)". */
struct held_log {
	char s[512];
};

static void held_log(struct held_log *l, const char *fmt, const char *a, size_t n)
{
	size_t o = strlen(l->s);
	snprintf(l->s + o, sizeof l->s - o, fmt, (int)n, a);
}

static void held_ack(void *ctx, uint32_t seq)
{
	char b[16];
	int n = snprintf(b, sizeof b, "%u", (unsigned)seq);
	held_log(ctx, "a%.*s", b, (size_t)n);
}

static void held_show(void *ctx, const void *buf, size_t n)
{
	held_log(ctx, "[%.*s]", buf, n);
}

static void held_released(void *ctx)
{
	held_log(ctx, "|%.*s", "", 0);
}

static const struct pred_held_ops held_ops = {held_ack, held_show, held_released};

/* An OUTPUT as a desk handles it: its ack, then its bytes, shown by the
 * caller unless kept (the caller's show: "(bytes)", or "<bytes>" inside
 * the terminal's own hold). */
static void held_output(struct pred_held *h, struct held_log *l, uint32_t ack, const char *bytes,
			long now)
{
	if (pred_held_ack(h, ack, HOLD_RTT_MS, now))
		held_ack(l, ack);
	switch (pred_held_output(h, bytes, strlen(bytes), false)) {
	case PRED_HELD_SHOW:
		held_log(l, "(%.*s)", bytes, strlen(bytes));
		break;
	case PRED_HELD_THROUGH:
		held_log(l, "<%.*s>", bytes, strlen(bytes));
		break;
	case PRED_HELD_KEPT:
		break;
	}
}

static void held_init_seen(struct pred_held *h, struct held_log *l)
{
	memset(l, 0, sizeof *l);
	pred_held_init(h, &held_ops, l);
	pred_held_context(h, 100);
	pred_held_consumed(h, 0);
	CHECK(!strcmp(l->s, "")); /* nothing held: nothing released */
}

/* less's page in two OUTPUTs: kept with their ack until CONSUMED, then
 * the ack and the bytes in order; the next output flows. */
static void test_held_until_consumed(void)
{
	struct pred_held h;
	struct held_log l;

	held_init_seen(&h, &l);
	held_output(&h, &l, 1, "top", 1000);
	held_output(&h, &l, 1, "bottom", 1010);
	CHECK(pred_held_holding(&h));
	CHECK(!strcmp(l.s, ""));
	pred_held_consumed(&h, 1);
	CHECK(!strcmp(l.s, "a1[topbottom]|"));
	held_output(&h, &l, 1, "more", 1020);
	CHECK(!strcmp(l.s, "a1[topbottom]|a1(more)"));
	pred_held_finish(&h);
}

/* python's prompt kept, then the echo of a key typed before it came: on
 * release each ack is told just before its own bytes, so that the key is
 * still unanswered while the prompt reaches the screen (told with the
 * last ack ahead of all bytes, it was judged against a screen without
 * the prompt: wrong). More changes of ack than kept apart end the hold. */
static void test_held_acks_apart(void)
{
	struct pred_held h;
	struct held_log l;
	char want[64];

	held_init_seen(&h, &l);
	held_output(&h, &l, 1, "x\r\n", 1000);
	held_output(&h, &l, 1, ">>> ", 1005);
	held_output(&h, &l, 2, "p", 1010);
	held_output(&h, &l, 3, "", 1012);
	held_output(&h, &l, 4, "r", 1015);
	CHECK(!strcmp(l.s, ""));
	pred_held_consumed(&h, 4);
	CHECK(!strcmp(l.s, "a1[x\r\n>>> ]a2[p]a4[r]|"));
	pred_held_finish(&h);

	held_init_seen(&h, &l);
	for (unsigned i = 1; i <= PRED_HOLD_ACKS; i++)
		held_output(&h, &l, i, "k", 1000);
	CHECK(pred_held_holding(&h));
	CHECK(!strcmp(l.s, ""));
	held_output(&h, &l, PRED_HOLD_ACKS + 1, "z", 1001);
	CHECK(!pred_held_holding(&h));
	snprintf(want, sizeof want, "]a%u[k]|a%u(z)", PRED_HOLD_ACKS, PRED_HOLD_ACKS + 1);
	CHECK(strlen(l.s) > strlen(want) && !strcmp(l.s + strlen(l.s) - strlen(want), want));
	pred_held_finish(&h);
}

/* A key's echo, an answer too big to keep, the cap, the caller: each
 * lets what was kept out first. */
static void test_held_released_in_order(void)
{
	static char big[PRED_HOLD_BUFFER_BYTES + 1];
	struct pred_held h;
	struct held_log l;

	held_init_seen(&h, &l);
	held_output(&h, &l, 1, "ans", 1000);
	CHECK(pred_held_output(&h, "e", 1, true) == PRED_HELD_SHOW);
	CHECK(!strcmp(l.s, "a1[ans]|"));
	pred_held_finish(&h);

	held_init_seen(&h, &l);
	held_output(&h, &l, 2, "ans", 1000);
	memset(big, 'x', sizeof big - 1);
	CHECK(pred_held_ack(&h, 2, HOLD_RTT_MS, 1001) == false);
	CHECK(pred_held_output(&h, big, sizeof big - 1, false) == PRED_HELD_SHOW);
	CHECK(!strcmp(l.s, "a2[ans]|"));
	pred_held_finish(&h);

	held_init_seen(&h, &l);
	held_output(&h, &l, 3, "ans", 1000);
	CHECK_EQ(pred_held_wait_ms(&h, 1000), PRED_HOLD_MAX_MS);
	pred_held_due(&h, 1000 + PRED_HOLD_MAX_MS - 1);
	CHECK(!strcmp(l.s, ""));
	pred_held_due(&h, 1000 + PRED_HOLD_MAX_MS);
	CHECK(!strcmp(l.s, "a3[ans]|"));
	CHECK_EQ(pred_held_wait_ms(&h, 1000 + PRED_HOLD_MAX_MS), -1);
	pred_held_finish(&h);

	held_init_seen(&h, &l);
	held_output(&h, &l, 4, "ans", 1000);
	pred_held_release(&h);
	pred_held_release(&h); /* once */
	CHECK(!strcmp(l.s, "a4[ans]|"));
	pred_held_finish(&h);
}

/* On a terminal that holds updates itself (DEC 2026), the bytes go out at
 * once inside its hold and the ack is told at once; the end of the hold
 * is still said. */
static void test_held_through(void)
{
	struct pred_held h;
	struct held_log l;

	held_init_seen(&h, &l);
	pred_held_through(&h, true);
	held_output(&h, &l, 1, "top", 1000);
	held_output(&h, &l, 1, "bottom", 1010);
	pred_held_consumed(&h, 1);
	CHECK(!strcmp(l.s, "a1<top>a1<bottom>|"));
	pred_held_finish(&h);
}

/* The terminal's DEC 2026 answer comes after a hold began in the desk's
 * own buffer: what was kept goes out before the rest of the answer takes
 * the terminal's way, never after it. */
static void test_held_late_through_in_order(void)
{
	struct pred_held h;
	struct held_log l;

	held_init_seen(&h, &l);
	held_output(&h, &l, 1, "first", 1000);
	pred_held_through(&h, true);
	held_output(&h, &l, 1, "second", 1010);
	pred_held_consumed(&h, 1);
	CHECK(!strcmp(l.s, "a1[first]|a1(second)"));
	/* the next answer is held the terminal's way */
	held_output(&h, &l, 2, "third", 1100);
	pred_held_consumed(&h, 2);
	CHECK(!strcmp(l.s, "a1[first]|a1(second)a2<third>|"));
	pred_held_finish(&h);
}

/* ---- keys typed while a program is cooked for a moment (pred_cook) ---- */

/* What the ops were handed: the keys kept, each release in brackets.
 * With sender, they are sent as a caller sends them, a seq each. */
struct cook_log {
	char s[256];
	struct pred_cook *sender;
	uint32_t seq;
};

static void cook_log_keys(void *ctx, const void *buf, size_t n)
{
	struct cook_log *l = ctx;
	size_t o = strlen(l->s);

	snprintf(l->s + o, sizeof l->s - o, "[%.*s]", (int)n, (const char *)buf);
	if (l->sender)
		pred_cook_sent(l->sender, ++l->seq, buf, n, 5000);
}

static const struct pred_cook_ops cook_log_ops = {cook_log_keys};

/* A cook whose host said CONSUMED up to seq, the discipline raw. */
static void cook_setup(struct pred_cook *c, struct cook_log *l, uint32_t seq)
{
	memset(l, 0, sizeof *l);
	pred_cook_init(c, &cook_log_ops, l);
	pred_cook_mode(c, false, 0);
	pred_cook_sent(c, seq, "\r", 1, 0);
	pred_cook_consumed(c, seq);
}

/* python after Enter (INPUT 5): readline's newline, then canonical with
 * echo while the line runs, then raw again before the prompt. Keys typed
 * meanwhile wait (the desk would echo them before the prompt) and go, to
 * be sent raw, once the terminal is raw again. */
static void test_cook_python_between_lines(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 4);
	pred_cook_sent(&c, 5, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_waiting(&c));
	CHECK(pred_cook_keys(&c, "p", 1, 0));
	CHECK(pred_cook_keys(&c, "r", 1, 0));
	CHECK_EQ(pred_cook_wait_ms(&c, 1010), PRED_COOK_MAX_MS - 10);
	CHECK(!strcmp(l.s, ""));
	pred_cook_mode(&c, false, 1020); /* raw: the keys go */
	CHECK(!strcmp(l.s, "[pr]"));
	CHECK(!pred_cook_waiting(&c));
	CHECK_EQ(pred_cook_wait_ms(&c, 1020), -1);
	CHECK(!pred_cook_keys(&c, "i", 1, 0)); /* typed as they come */
	pred_cook_consumed(&c, 6);
	CHECK(!strcmp(l.s, "[pr]"));
}

/* bash running cat after "cat\r" (INPUT 7): canonical for good. Keys
 * typed before cat reads wait until the host says it waits with the
 * Enter read, then are edited and echoed on the desk. An older CONSUMED
 * does not end the wait. */
static void test_cook_canonical_read_after_consumed(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 6);
	pred_cook_sent(&c, 7, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_keys(&c, "hel", 3, 0));
	pred_cook_consumed(&c, 6);
	CHECK(pred_cook_waiting(&c));
	pred_cook_consumed(&c, 7);
	CHECK(!pred_cook_waiting(&c));
	CHECK(!strcmp(l.s, "[hel]"));
	CHECK(!pred_cook_keys(&c, "lo", 2, 0)); /* trusted: through the discipline */
	pred_cook_mode(&c, true, 1100);	     /* canonical still: nothing new */
	CHECK(!pred_cook_waiting(&c));
}

/* The Enter consumed before the switch (the program waited raw, then went
 * canonical by itself): the spell still waits for a CONSUMED after it (the
 * host says it again once the program waits), or for raw again. */
static void test_cook_consumed_before_switch_not_trusted(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 5);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_waiting(&c));
	CHECK(pred_cook_keys(&c, "x", 1, 0));
	pred_cook_consumed(&c, 5); /* said again after the TERMIOS */
	CHECK(!strcmp(l.s, "[x]"));
	pred_cook_mode(&c, false, 1100);
	pred_cook_mode(&c, true, 1200); /* a second spell proves itself again */
	CHECK(pred_cook_keys(&c, "y", 1, 0));
	pred_cook_mode(&c, false, 1201);
	CHECK(!strcmp(l.s, "[x][y]"));
}

/* bash's read x (INPUT 6 its Enter): canonical, proven by the host's
 * CONSUMED. The line typed there ends the read and bash goes raw again
 * before its prompt: keys typed after the line's end wait (the desk
 * would echo them before the prompt) and go raw. */
static void test_cook_read_x_then_raw(void)
{
	struct pred_cook c;
	struct cook_log l;
	const char *typed = "foo\rabc";

	cook_setup(&c, &l, 5);
	pred_cook_sent(&c, 6, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	pred_cook_consumed(&c, 6);
	CHECK(!pred_cook_waiting(&c));
	CHECK_EQ(pred_cook_piece(&c, typed, 7), 4); /* up to the Enter */
	CHECK(!pred_cook_keys(&c, typed, 4, 0));	    /* typed: the line goes */
	pred_cook_sent(&c, 7, typed, 4, 1100);
	CHECK(pred_cook_waiting(&c));
	CHECK_EQ(pred_cook_wait_ms(&c, 1100), PRED_COOK_MAX_MS);
	CHECK(pred_cook_keys(&c, typed + 4, 3, 0));
	pred_cook_consumed(&c, 6); /* older: the line not yet read */
	CHECK(pred_cook_waiting(&c));
	pred_cook_mode(&c, false, 1150);
	CHECK(!strcmp(l.s, "[abc]"));
	CHECK_EQ(pred_cook_piece(&c, typed, 7), 7); /* raw: as typed */
}

/* cat after "cat\r" (INPUT 7): a line of the spell read and the program
 * waiting canonically again makes it last: lines after it do not hold
 * the keys typed after them. An EOF still does (cat ends, bash goes raw). */
static void test_cook_lasting_canonical_read(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 6);
	pred_cook_sent(&c, 7, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	pred_cook_consumed(&c, 7);
	pred_cook_sent(&c, 8, "xyz\r", 4, 1100);
	CHECK(pred_cook_keys(&c, "a", 1, 0));
	pred_cook_consumed(&c, 8);
	CHECK(!strcmp(l.s, "[a]"));
	pred_cook_sent(&c, 9, "a\r", 2, 1200);
	CHECK(!pred_cook_waiting(&c));
	CHECK(!pred_cook_keys(&c, "b", 1, 0));
	pred_cook_sent(&c, 10, "\x04", 1, 1300);
	CHECK(pred_cook_waiting(&c));
	pred_cook_mode(&c, false, 1350);
	/* a program canonical from the start (dash, no raw moment before):
	 * its lines never hold keys */
	memset(&l, 0, sizeof l);
	pred_cook_init(&c, &cook_log_ops, &l);
	pred_cook_mode(&c, true, 0);
	pred_cook_consumed(&c, 0);
	pred_cook_sent(&c, 1, "ls\r", 3, 100);
	CHECK(!pred_cook_waiting(&c));
}

/* Typed fast from the start: the program never waited before its
 * canonical spell, so the desk first hears the host say CONSUMED inside
 * it (the read waits). The switch's keys were not kept, but the keys
 * after the read's line are: the spell began raw. */
static void test_cook_first_consumed_inside_spell(void)
{
	struct pred_cook c;
	struct cook_log l;

	memset(&l, 0, sizeof l);
	pred_cook_init(&c, &cook_log_ops, &l);
	pred_cook_mode(&c, false, 0);
	pred_cook_sent(&c, 21, "read x\r", 7, 0);
	pred_cook_mode(&c, true, 100);
	CHECK(!pred_cook_waiting(&c)); /* not known to say CONSUMED yet */
	pred_cook_consumed(&c, 21);
	pred_cook_sent(&c, 22, "foo\r", 4, 200);
	CHECK(pred_cook_waiting(&c));
	CHECK(pred_cook_keys(&c, "abc", 3, 0));
	pred_cook_mode(&c, false, 250);
	CHECK(!strcmp(l.s, "[abc]"));
}

/* Kept keys with a line's end in them go up to it; the rest waits again
 * for the program to read that line (it may go raw after it). */
static void test_cook_kept_line_waits_again(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 5);
	pred_cook_sent(&c, 6, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_keys(&c, "foo\rbar", 7, 0));
	l.sender = &c;
	l.seq = 6;
	pred_cook_consumed(&c, 6);
	CHECK(!strcmp(l.s, "[foo\r]"));
	CHECK(pred_cook_waiting(&c));
	pred_cook_consumed(&c, 7);
	CHECK(!strcmp(l.s, "[foo\r][bar]"));
	CHECK(!pred_cook_waiting(&c));
}

/* Keys sent raw before the switch that cannot end a read (no line end,
 * EOF or NUL) do not make the wait longer: the Enter's CONSUMED ends it.
 * One that can end it must be consumed too. */
static void test_cook_only_line_ends_waited_for(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 6);
	pred_cook_sent(&c, 7, "\r", 1, 0);
	pred_cook_sent(&c, 8, "ab\x7f\x1b[D", 6, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_keys(&c, "c", 1, 0));
	pred_cook_consumed(&c, 7);
	CHECK(!strcmp(l.s, "[c]"));
	pred_cook_mode(&c, false, 1100);
	pred_cook_sent(&c, 9, "x\r", 2, 0);
	pred_cook_sent(&c, 10, "y", 1, 0);
	pred_cook_mode(&c, true, 1200);
	CHECK(pred_cook_keys(&c, "z", 1, 0));
	pred_cook_consumed(&c, 8);
	CHECK(pred_cook_waiting(&c));
	pred_cook_consumed(&c, 9);
	CHECK(!strcmp(l.s, "[c][z]"));
}

/* Nothing waits with a host never heard to say CONSUMED or CONTEXT (an
 * older one, or none asked): the discipline echoes as before. */
static void test_cook_no_consumed_never_waits(void)
{
	struct pred_cook c;
	struct cook_log l;

	memset(&l, 0, sizeof l);
	pred_cook_init(&c, &cook_log_ops, &l);
	pred_cook_sent(&c, 3, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(!pred_cook_waiting(&c));
	CHECK(!pred_cook_keys(&c, "a", 1, 0));
	CHECK_EQ(pred_cook_wait_ms(&c, 1000), -1);
	/* a CONTEXT says the host says CONSUMED too: the next spell waits */
	pred_cook_mode(&c, false, 1100);
	pred_cook_context(&c, 0);
	pred_cook_mode(&c, true, 1200);
	CHECK(pred_cook_waiting(&c));
}

/* A signal key goes at once, after what was kept (a program that runs
 * long and reads nothing), and the keys after it wait for the shell to
 * be raw again; what no longer fits goes at once, and all of it when
 * the caller leaves. */
static void test_cook_signal_and_full_go_at_once(void)
{
	static char big[PRED_COOK_BUFFER_BYTES];
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 1);
	pred_cook_sent(&c, 2, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_keys(&c, "ab", 2, 1010));
	CHECK(!pred_cook_keys(&c, "\x03", 1, 1020));
	CHECK(!strcmp(l.s, "[ab]"));
	CHECK_EQ(pred_cook_wait_ms(&c, 1020), PRED_COOK_MAX_MS); /* a new wait */
	CHECK(pred_cook_keys(&c, "c", 1, 1030));
	pred_cook_mode(&c, false, 1100); /* raw again: "c" goes as typed */
	CHECK(!strcmp(l.s, "[ab][c]"));
	pred_cook_sent(&c, 3, "\r", 1, 0);
	pred_cook_mode(&c, true, 1200);
	CHECK(pred_cook_keys(&c, "d", 1, 0));
	memset(big, 'e', sizeof big);
	CHECK(!pred_cook_keys(&c, big, sizeof big, 0)); /* does not fit: "d" first */
	CHECK(!strcmp(l.s, "[ab][c][d]"));
	/* the caller leaves (end of input, detach): what was kept goes */
	pred_cook_mode(&c, false, 1300);
	pred_cook_mode(&c, true, 1400);
	CHECK(pred_cook_keys(&c, "f", 1, 0));
	pred_cook_release(&c);
	CHECK(!strcmp(l.s, "[ab][c][d][f]"));
	CHECK(!pred_cook_waiting(&c));
}

/* A signal key at a canonical read that lasts (cat) makes the keys after
 * it wait too, in the same read split after it; not in a program
 * canonical from the start (no raw moment seen: dash). */
static void test_cook_signal_in_lasting_read(void)
{
	struct pred_cook c;
	struct cook_log l;
	const char *typed = "\x03" "abc";

	cook_setup(&c, &l, 6);
	pred_cook_sent(&c, 7, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	pred_cook_consumed(&c, 7);
	CHECK(!pred_cook_waiting(&c));
	CHECK_EQ(pred_cook_piece(&c, typed, 4), 1);
	CHECK(!pred_cook_keys(&c, typed, 1, 1100)); /* ^C: typed now */
	CHECK(pred_cook_waiting(&c));
	CHECK(pred_cook_keys(&c, typed + 1, 3, 1100));
	pred_cook_mode(&c, false, 1150);
	CHECK(!strcmp(l.s, "[abc]"));
	memset(&l, 0, sizeof l);
	pred_cook_init(&c, &cook_log_ops, &l);
	pred_cook_mode(&c, true, 0);
	pred_cook_consumed(&c, 0);
	CHECK(!pred_cook_keys(&c, "\x03", 1, 100));
	CHECK(!pred_cook_waiting(&c));
}

/* A CONSUMED on its way when ^C was typed (it covers the line before, the
 * ^C's SIGNAL came later) lets nothing out: the keys after the ^C wait
 * for one that covers the empty INPUT sent after the SIGNAL (seq 9), or
 * for the discipline raw again. */
static void test_cook_consumed_before_signal(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 6);
	pred_cook_sent(&c, 7, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	pred_cook_consumed(&c, 7); /* cat reads on */
	pred_cook_sent(&c, 8, "two\r", 4, 1050);
	CHECK(!pred_cook_keys(&c, "\x03", 1, 1100));
	pred_cook_sent(&c, 9, "\x03", 1, 1100);
	CHECK(pred_cook_keys(&c, "abc", 3, 1100));
	pred_cook_consumed(&c, 8); /* sent before the host had the ^C */
	CHECK(pred_cook_waiting(&c));
	CHECK(!strcmp(l.s, ""));
	pred_cook_consumed(&c, 9);
	CHECK(!pred_cook_waiting(&c));
	CHECK(!strcmp(l.s, "[abc]"));
}

/* dash started by bash (group 100): its first line (INPUT 6) runs a job
 * of its own (group 300) and the keys typed meanwhile go once the host
 * says so, not after the cap: dash reads on when it ends. Python's
 * input() in a script (group 200) read, the script ending back in bash's
 * group: they wait for bash raw again. */
static void test_cook_reader_runs_a_job(void)
{
	struct pred_cook c;
	struct cook_log l;

	for (int job = 1; job >= 0; job--) {
		cook_setup(&c, &l, 4);
		pred_cook_context(&c, 100);
		pred_cook_sent(&c, 5, "\r", 1, 0);
		pred_cook_mode(&c, true, 1000);
		pred_cook_context(&c, 200); /* dash, or python */
		CHECK(pred_cook_waiting(&c));
		pred_cook_consumed(&c, 5);
		CHECK(!pred_cook_waiting(&c));
		CHECK(!pred_cook_keys(&c, "sleep 3\r", 8, 1100));
		pred_cook_sent(&c, 6, "sleep 3\r", 8, 1100);
		CHECK(pred_cook_waiting(&c));
		CHECK(pred_cook_keys(&c, "xy", 2, 1150));
		pred_cook_context(&c, job ? 300 : 100);
		CHECK_EQ(pred_cook_waiting(&c), !job);
		CHECK(!strcmp(l.s, job ? "[xy]" : ""));
		pred_cook_mode(&c, false, 1300);
		CHECK(!strcmp(l.s, "[xy]"));
	}
}

/* A cap set for a test (TELLY_COOK_MAX_MS) holds the keys that long,
 * kept within its bounds. */
static void test_cook_cap_set_clamped(void)
{
	static const long want[][2] = {
		{30000, 30000}, {5, PRED_COOK_MAX_MIN_MS}, {-1, PRED_COOK_MAX_MIN_MS},
		{10000000, PRED_COOK_MAX_MAX_MS},
	};
	struct pred_cook c;
	struct cook_log l;

	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cook_setup(&c, &l, 1);
		pred_cook_set_max_ms(&c, want[i][0]);
		pred_cook_sent(&c, 2, "\r", 1, 0);
		pred_cook_mode(&c, true, 1000);
		CHECK(pred_cook_keys(&c, "q", 1, 0));
		CHECK_EQ(pred_cook_wait_ms(&c, 1000), want[i][1]);
		pred_cook_due(&c, 1000 + want[i][1] - 1);
		CHECK(pred_cook_waiting(&c));
		pred_cook_due(&c, 1000 + want[i][1]);
		CHECK(!pred_cook_waiting(&c));
		CHECK(!strcmp(l.s, "[q]"));
	}
}

/* A host that never answers (the link down): the keys go at the cap, and
 * seqs compare across their wrap. */
static void test_cook_capped_and_wraps(void)
{
	struct pred_cook c;
	struct cook_log l;

	cook_setup(&c, &l, 0xfffffffeu);
	pred_cook_sent(&c, 1, "\r", 1, 0);
	pred_cook_mode(&c, true, 1000);
	CHECK(pred_cook_keys(&c, "q", 1, 0));
	pred_cook_due(&c, 1000 + PRED_COOK_MAX_MS - 1);
	CHECK(pred_cook_waiting(&c));
	pred_cook_due(&c, 1000 + PRED_COOK_MAX_MS);
	CHECK(!pred_cook_waiting(&c));
	CHECK(!strcmp(l.s, "[q]"));
	pred_cook_mode(&c, false, 3000);
	pred_cook_mode(&c, true, 3000);
	CHECK(pred_cook_keys(&c, "r", 1, 0));
	pred_cook_consumed(&c, 0xffffffffu); /* before the Enter (1) */
	CHECK(pred_cook_waiting(&c));
	pred_cook_consumed(&c, 1);
	CHECK(!strcmp(l.s, "[q][r]"));
}

/* A program sets a scroll margin and saves the cursor low on a 10-row
 * screen; the window shrinks to 2 rows; newlines and a restored cursor
 * then stay inside the desk's model (libvterm alone scrolled a region of
 * negative height and wrote past its line table), and typing is still
 * predicted on the right row. */
static void test_resize_under_margin(void)
{
	struct fx f;

	setup(&f, PRED_ALWAYS);
	pred_resize(f.p, 10, 40);
	const char *set = "\033[10;1H\0337\033[8;10r\033[9;1H";
	pred_output(f.p, set, strlen(set));
	pred_resize(f.p, 2, 40);
	const char *use = "\n\n\n\0338\n\n\033[?1049h\033[?1049l\r$ ";
	pred_output(f.p, use, strlen(use));
	prove(&f);
	CHECK_EQ(pred_overlay(f.p)->row, 1);
	type(&f, "b");
	SHOWS(&f, "$ aaab@6");
	teardown(&f);
}

int main(int argc, char **argv)
{
	static const struct unit_case cases[] = {
		{"editing-keys", test_editing_keys},
		{"readline-keys-learned", test_readline_keys_learned},
		{"untrusted-output", test_untrusted_output},
		{"boundaries-hide-until-answered", test_boundaries_hide_until_answered},
		{"unproven-context-hidden", test_unproven_context_hidden},
		{"proved-by-one-right", test_proved_by_one_right},
		{"wrong-rolls-back-and-demotes", test_wrong_rolls_back_and_demotes},
		{"rollback-exactly-the-wrong-keys", test_rollback_exactly_the_wrong_keys},
		{"slow-program-not-judged", test_slow_program_not_judged},
		{"raw-password-never-shown", test_raw_password_never_shown},
		{"context-change-not-trusted", test_context_change_not_trusted},
		{"back-in-proven-context-after-one", test_back_in_proven_context_after_one},
		{"back-in-trusted-context-trusted", test_back_in_trusted_context_trusted},
		{"back-in-earlier-trusted-context", test_back_in_earlier_trusted_context},
		{"showing", test_showing},
		{"escape-distrusts-line", test_escape_distrusts_line},
		{"alt-screen-boundary-distrusts", test_alt_screen_boundary_distrusts},
		{"judged-before-context-change", test_judged_before_context_change},
		{"burst-with-enter-confirmed", test_burst_with_enter_confirmed},
		{"answered-with-later-enter-confirmed", test_answered_with_later_enter_confirmed},
		{"canonical-nothing", test_canonical_nothing},
		{"resize-under-margin", test_resize_under_margin},
		{"no-context-nothing", test_no_context_nothing},
		{"insert-learned", test_insert_learned},
		{"overwrite-learned", test_overwrite_learned},
		{"insert-not-guessed-outside-editor", test_insert_not_guessed_outside_editor},
		{"insert-not-guessed-before-right-prompt", test_insert_not_guessed_before_right_prompt},
		{"unechoed-key-not-overwrite", test_unechoed_key_not_overwrite},
		{"not-into-last-column", test_not_into_last_column},
		{"adaptive-rtt", test_adaptive_rtt},
		{"consumed-silently-no-glitch", test_consumed_silently_no_glitch},
		{"never", test_never},
		{"policy-parse", test_policy_parse},
		{"typeahead-after-enter", test_typeahead_after_enter},
		{"resize-holds", test_resize_holds},
		{"hold-answer-until-consumed", test_hold_answer_until_consumed},
		{"hold-nothing-outstanding", test_hold_nothing_outstanding},
		{"hold-not-at-short-rtt", test_hold_not_at_short_rtt},
		{"hold-capped", test_hold_capped},
		{"hold-later-key-joins", test_hold_later_key_joins},
		{"hold-ended-by-caller", test_hold_ended_by_caller},
		{"hold-seq-wraps", test_hold_seq_wraps},
		{"hold-only-where-waits-seen", test_hold_only_where_waits_seen},
		{"vi-command-keys", test_vi_command_keys},
		{"vi-key-not-vi", test_vi_key_not_vi},
		{"let-go-keys-forgotten", test_let_go_keys_forgotten},
		{"less-search-prompt", test_less_search_prompt},
		{"less-count", test_less_count},
		{"less-scroll-back", test_less_scroll_back},
		{"less-scroll-back-wrong", test_less_scroll_back_wrong},
		{"less-scroll-back-pen", test_less_scroll_back_pen},
		{"less-page-kept-once-per-consumed", test_less_page_kept_once_per_consumed},
		{"less-count-not-guessed", test_less_count_not_guessed},
		{"less-search-not-guessed", test_less_search_not_guessed},
		{"less-search-wrong-not-again", test_less_search_wrong_not_again},
		{"line-start-keys-answered-first", test_line_start_keys_answered_first},
		{"held-until-consumed", test_held_until_consumed},
		{"held-acks-apart", test_held_acks_apart},
		{"held-released-in-order", test_held_released_in_order},
		{"held-through", test_held_through},
		{"held-late-through-in-order", test_held_late_through_in_order},
		{"cook-python-between-lines", test_cook_python_between_lines},
		{"cook-canonical-read-after-consumed", test_cook_canonical_read_after_consumed},
		{"cook-consumed-before-switch-not-trusted", test_cook_consumed_before_switch_not_trusted},
		{"cook-only-line-ends-waited-for", test_cook_only_line_ends_waited_for},
		{"cook-read-x-then-raw", test_cook_read_x_then_raw},
		{"cook-lasting-canonical-read", test_cook_lasting_canonical_read},
		{"cook-kept-line-waits-again", test_cook_kept_line_waits_again},
		{"cook-first-consumed-inside-spell", test_cook_first_consumed_inside_spell},
		{"cook-no-consumed-never-waits", test_cook_no_consumed_never_waits},
		{"cook-signal-full-and-leaving-go-at-once", test_cook_signal_and_full_go_at_once},
		{"cook-signal-in-lasting-read", test_cook_signal_in_lasting_read},
		{"cook-consumed-before-signal", test_cook_consumed_before_signal},
		{"cook-reader-runs-a-job", test_cook_reader_runs_a_job},
		{"cook-capped-and-wraps", test_cook_capped_and_wraps},
		{"cook-cap-set-clamped", test_cook_cap_set_clamped},
	};
	return unit_main(cases, sizeof cases / sizeof cases[0], argc, argv);
}
