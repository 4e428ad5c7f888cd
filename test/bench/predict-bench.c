/* predict-bench: a typist at a remote program, as the person sees it.
 *
 *   predict-bench --record FILE [--ready TEXT] KEYS -- CMD...
 *   predict-bench --ref FILE [--gap MS] [--jitter MS] [--seed N]
 *                 [--secret CHARS] KEYS -- CMD...
 *
 * --record runs CMD (the program itself) on a pty of 24x100, waits until
 * TEXT is on its screen (a prompt: a program slow to start must not get
 * keys before it reads them) and its output rests, then types KEYS one at a time, each once the screen
 * rests again, and writes the screen after each key (every cell's
 * character and the cursor) to FILE: the reference.
 *
 * --ref runs CMD (telly attach, mosh-client, ssh -tt, or the program
 * itself) on such a pty as the person's terminal, waits until its screen
 * equals the reference's first screen, then types KEYS GAP ms apart give
 * or take JITTER (a typist's timing, the same for every client with the
 * same seed), feeds all the client prints into libvterm and compares each
 * screen with the reference:
 *
 * - a key is shown when the whole screen and the cursor equal the
 *   reference after it (or after a later key typed); its time is from the
 *   key to that screen. Keys that change nothing in the reference are not
 *   counted. A screen that equals two candidates is taken as the earlier
 *   one (a typo and its backspace restore the screen before the typo:
 *   that is not the typo shown);
 * - a wrong glyph is a cell whose character is in none of the reference
 *   screens from the last one shown to the last key typed (a program's own
 *   redraw in two writes shows each cell's old or new glyph, never a
 *   third); an episode lasts while any cell is wrong;
 * - --secret: a wrong cell holding one of CHARS is a password character
 *   shown (the reference, a no-echo prompt, never shows them);
 * - at the end, once the output rests, whether the screen is the
 *   reference's last.
 *
 * Screens are judged as a terminal with synchronized output (DEC mode
 * 2026) shows them: none while the client holds the mode set (for at
 * most SYNC_MAX_MS); PREDICT_BENCH_NO_SYNC=1 judges every read.
 *
 * KEYS: characters, with C escapes \e \r \t \\ \xHH; \e[X, \e[N~ and
 * \eOX are one key each; \p makes the typist wait before the next key
 * until the screen shows the last key's result (a prompt to be read).
 *
 * Prints one line of fields:
 *   keys=N counted=N within5=PCT p50=MS wrong=PER100 wrongms=MS pw=N final=right|WRONG
 * (PREDICT_BENCH_KEYS=1 prints each key's time on stderr.)
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

#define ROWS 24
#define COLS 100
#define MAX_KEYS 512
#define READY_TIMEOUT_MS 30000
#define REST_MS 300	      /* no output this long: the screen rests */
#define PROMPT_REST_MS 2000   /* ... before a \p: a program starting (python under load) */
#define REST_MAX_MS 5000      /* a screen that never rests is taken as it is */
#define PAUSE_TIMEOUT_MS 15000 /* \p: the longest a typist waits for a prompt */
#define SETTLE_TIMEOUT_MS 15000
#define SHOWN_FAST_MS 5.0
#define REF_MAGIC 0x70726631u /* "prf1" */

struct key {
	char b[8];
	int n;
	bool pause; /* wait for the previous key's result before typing it */
};

struct snap {
	int32_t row, col; /* the cursor */
	uint32_t cell[ROWS * COLS];
};

struct term {
	VTerm *vt;
	VTermScreen *vs;
	int master;
	/* Synchronized output (DEC mode 2026) open: a terminal that has it
	 * (kitty, foot, wezterm, iTerm2, Windows Terminal) shows nothing of
	 * what comes until it is closed, so no screen is judged meanwhile
	 * (PREDICT_BENCH_NO_SYNC=1 judges every read, as xterm shows it). */
	bool sync, honor_sync;
	double sync_since;
	char tail[8]; /* the last bytes read: a mode split across reads */
};

#define SYNC_MAX_MS 1000 /* a terminal draws anyway after this long */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_keys(const char *s, struct key *k)
{
	int n = 0;
	bool pause = false;

	while (*s && n < MAX_KEYS) {
		char c = *s++;
		if (c == '\\' && *s == 'p') {
			pause = true, s++;
			continue;
		} else if (c == '\\' && *s == 'e') {
			c = 0x1b, s++;
		} else if (c == '\\' && *s == 'r') {
			c = '\r', s++;
		} else if (c == '\\' && *s == 't') {
			c = '\t', s++;
		} else if (c == '\\' && *s == '\\') {
			s++;
		} else if (c == '\\' && *s == 'x' && s[1] && s[2]) {
			char hex[3] = {s[1], s[2], 0};
			c = (char)strtol(hex, NULL, 16), s += 3;
		}
		memset(&k[n], 0, sizeof k[n]);
		k[n].pause = pause;
		pause = false;
		k[n].b[0] = c, k[n].n = 1;
		if (c == 0x1b && (s[0] == '[' || s[0] == 'O') && s[1]) {
			/* a cursor or function key: one keystroke */
			k[n].b[k[n].n++] = *s++;
			while (*s && k[n].n < 6 && *s >= 0x20 && *s < 0x40)
				k[n].b[k[n].n++] = *s++;
			if (*s)
				k[n].b[k[n].n++] = *s++;
		}
		n++;
	}
	return n;
}

static void answer(const char *s, size_t len, void *user)
{
	struct term *t = user;

	if (write(t->master, s, len) < 0) {
		/* the client went: the loop sees it */
	}
}

static void snap_take(struct term *t, struct snap *s)
{
	VTermPos p;

	vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &p);
	s->row = p.row, s->col = p.col;
	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c < COLS; c++) {
			VTermScreenCell cell;
			vterm_screen_get_cell(t->vs, (VTermPos){r, c}, &cell);
			s->cell[r * COLS + c] = cell.chars[0] ? cell.chars[0] : ' ';
		}
}

static bool snap_eq(const struct snap *a, const struct snap *b)
{
	return a->row == b->row && a->col == b->col && !memcmp(a->cell, b->cell, sizeof a->cell);
}

static void snap_dump(const char *what, const struct snap *s)
{
	fprintf(stderr, "%s (cursor %d,%d):\n", what, s->row, s->col);
	for (int r = 0; r < ROWS; r++) {
		char line[COLS + 1];
		int e = 0;
		for (int c = 0; c < COLS; c++) {
			uint32_t v = s->cell[r * COLS + c];
			line[c] = v >= 0x20 && v < 0x7f ? (char)v : v == (uint32_t)-1 ? ' ' : '?';
			if (line[c] != ' ')
				e = c + 1;
		}
		line[e] = 0;
		fprintf(stderr, "  |%s\n", line);
	}
}

/* Read what the client printed within wait_ms; false once it is gone. */
static bool pump(struct term *t, int wait_ms, bool *got)
{
	struct pollfd p = {.fd = t->master, .events = POLLIN};
	char buf[65536];

	if (got)
		*got = false;
	if (poll(&p, 1, wait_ms < 0 ? 0 : wait_ms) <= 0)
		return true;
	ssize_t n = read(t->master, buf, sizeof buf);
	if (n <= 0)
		return false;
	vterm_input_write(t->vt, buf, (size_t)n);
	if (got)
		*got = true;
	if (t->honor_sync) {
		/* The last of ESC[?2026h and ESC[?2026l in what was read says. */
		char scan[sizeof t->tail + sizeof buf];
		size_t tl = strlen(t->tail), m = tl + (size_t)n;
		memcpy(scan, t->tail, tl);
		memcpy(scan + tl, buf, (size_t)n);
		for (size_t i = 0; i + 8 <= m; i++)
			if (!memcmp(scan + i, "\033[?2026", 7) && (scan[i + 7] == 'h' || scan[i + 7] == 'l')) {
				bool open = scan[i + 7] == 'h';
				if (open && !t->sync)
					t->sync_since = now_ms();
				t->sync = open;
			}
		/* Asked whether it has the mode (DECRQM), it says it has. */
		for (size_t i = 0; i + 9 <= m; i++)
			if (!memcmp(scan + i, "\033[?2026$p", 9) && i + 9 > tl) {
				static const char yes[] = "\033[?2026;2$y";
				if (write(t->master, yes, sizeof yes - 1) < 0)
					return false;
			}
		size_t keep = m < sizeof t->tail - 1 ? m : sizeof t->tail - 1;
		memcpy(t->tail, scan + m - keep, keep);
		t->tail[keep] = 0;
		for (size_t i = 0; i < keep; i++)
			if (!t->tail[i])
				t->tail[i] = ' '; /* a NUL read: not the end of the tail */
	}
	return true;
}

/* The screen as the person sees it now: not while synchronized output
 * holds it back. */
static bool visible(const struct term *t)
{
	return !t->sync || now_ms() - t->sync_since > SYNC_MAX_MS;
}

/* Pump until nothing came for rest_ms; false once the client is gone. */
static bool rest(struct term *t, int rest_ms)
{
	double start = now_ms(), last = start;

	while (now_ms() - last < rest_ms && now_ms() - start < REST_MAX_MS + rest_ms) {
		bool got;
		if (!pump(t, 20, &got))
			return false;
		if (got)
			last = now_ms();
	}
	return true;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static pid_t start(struct term *t, char **argv)
{
	struct winsize ws = {.ws_row = ROWS, .ws_col = COLS};
	pid_t pid;

	setenv("TERM", "xterm-256color", 1);
	pid = forkpty(&t->master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		exit(1);
	}
	if (pid == 0) {
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	t->vt = vterm_new(ROWS, COLS);
	vterm_set_utf8(t->vt, 1);
	vterm_output_set_callback(t->vt, answer, t);
	t->vs = vterm_obtain_screen(t->vt);
	vterm_screen_enable_altscreen(t->vs, 1);
	vterm_screen_reset(t->vs, 1);
	t->sync = false;
	t->tail[0] = 0;
	t->honor_sync = !getenv("PREDICT_BENCH_NO_SYNC");
	return pid;
}

static void stop(struct term *t, pid_t pid)
{
	kill(pid, SIGHUP);
	/* a client that ignores the hangup gets the end a while later */
	for (int i = 0; i < 100 && waitpid(pid, NULL, WNOHANG) == 0; i++)
		usleep(20000);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	vterm_free(t->vt);
	close(t->master);
}

static bool has_text(const struct snap *s, const char *text)
{
	size_t n = strlen(text);

	for (int r = 0; r < ROWS; r++)
		for (int c = 0; c + (int)n <= COLS; c++) {
			size_t i = 0;
			while (i < n && s->cell[r * COLS + c + (int)i] == (uint8_t)text[i])
				i++;
			if (i == n)
				return true;
		}
	return false;
}

static int record(const char *file, const char *ready, struct key *keys, int nkeys, char **argv)
{
	struct snap *s = calloc((size_t)nkeys + 1, sizeof *s);
	struct term t;
	pid_t pid;
	FILE *f;

	if (!s) {
		perror("predict-bench");
		return 1;
	}
	pid = start(&t, argv);
	double t0 = now_ms();
	bool got = false, alive = true;
	for (;;) {
		snap_take(&t, &s[0]);
		if (got && (!ready || has_text(&s[0], ready)))
			break;
		if (now_ms() - t0 > READY_TIMEOUT_MS || !(alive = pump(&t, 50, &got)))
			break;
	}
	if (!alive || now_ms() - t0 > READY_TIMEOUT_MS || !rest(&t, REST_MS)) {
		fprintf(stderr, "predict-bench: %s never showed '%s'\n", argv[0],
			ready ? ready : "anything");
		stop(&t, pid);
		return 1;
	}
	snap_take(&t, &s[0]);
	for (int k = 0; k < nkeys; k++) {
		/* A prompt the typist waits for may come from a program still
		 * starting: a longer rest before it is taken. */
		int rest_ms = k + 1 < nkeys && keys[k + 1].pause ? PROMPT_REST_MS : REST_MS;
		if (write(t.master, keys[k].b, (size_t)keys[k].n) < 0 || !rest(&t, rest_ms)) {
			fprintf(stderr, "predict-bench: %s ended at key %d\n", argv[0], k);
			stop(&t, pid);
			return 1;
		}
		snap_take(&t, &s[k + 1]);
	}
	stop(&t, pid);
	uint32_t head[4] = {REF_MAGIC, (uint32_t)nkeys, ROWS, COLS};
	f = fopen(file, "wb");
	if (!f || fwrite(head, sizeof head, 1, f) != 1 ||
	    fwrite(s, sizeof *s, (size_t)nkeys + 1, f) != (size_t)nkeys + 1 || fclose(f)) {
		fprintf(stderr, "predict-bench: cannot write %s\n", file);
		return 1;
	}
	if (getenv("PREDICT_BENCH_KEYS"))
		for (int k = 0; k <= nkeys; k++) {
			char what[32];
			snprintf(what, sizeof what, "after key %d", k);
			snap_dump(what, &s[k]);
		}
	free(s);
	return 0;
}

static struct snap *load(const char *file, int nkeys)
{
	uint32_t head[4];
	struct snap *s = calloc((size_t)nkeys + 1, sizeof *s);
	FILE *f = fopen(file, "rb");

	if (!s || !f || fread(head, sizeof head, 1, f) != 1 || head[0] != REF_MAGIC ||
	    head[1] != (uint32_t)nkeys || head[2] != ROWS || head[3] != COLS ||
	    fread(s, sizeof *s, (size_t)nkeys + 1, f) != (size_t)nkeys + 1) {
		fprintf(stderr, "predict-bench: %s is not a reference for these %d keys\n", file,
			nkeys);
		exit(1);
	}
	fclose(f);
	return s;
}

/* Cells of the screen whose character no reference screen in [lo, hi]
 * has there; *secret: of them, ones holding a character of secret. */
static int wrong_cells(const struct snap *scr, const struct snap *ref, int lo, int hi,
		       const char *secret, int *secret_n)
{
	int n = 0;

	*secret_n = 0;
	for (int i = 0; i < ROWS * COLS; i++) {
		uint32_t v = scr->cell[i];
		bool ok = false;
		for (int j = lo; j <= hi && !ok; j++)
			ok = ref[j].cell[i] == v;
		if (ok)
			continue;
		n++;
		if (secret && v < 0x80 && v > ' ' && strchr(secret, (int)v))
			(*secret_n)++;
	}
	return n;
}

static int measure(const char *file, struct key *keys, int nkeys, char **argv, int gap,
		   int jitter, unsigned seed, const char *secret)
{
	static double t_key[MAX_KEYS], lat[MAX_KEYS];
	static struct snap scr;
	struct snap *ref = load(file, nkeys);
	int typed = 0, best = 0, wrong_eps = 0, leaked = 0;
	double wrong_ms = 0, wrong_since = -1, next;
	bool alive = true, counted[MAX_KEYS];
	struct term t;
	pid_t pid = start(&t, argv);

	for (int k = 0; k < nkeys; k++) {
		lat[k] = -1;
		counted[k] = !snap_eq(&ref[k], &ref[k + 1]);
	}
	double t0 = now_ms();
	for (;;) {
		snap_take(&t, &scr);
		if (snap_eq(&scr, &ref[0]))
			break;
		if (now_ms() - t0 > READY_TIMEOUT_MS || !pump(&t, 50, NULL)) {
			fprintf(stderr, "predict-bench: %s never showed the reference's first screen\n",
				argv[0]);
			snap_dump("the reference", &ref[0]);
			snap_dump("the client", &scr);
			stop(&t, pid);
			return 1;
		}
	}
	if (!rest(&t, REST_MS))
		alive = false;
	srand(seed);
	next = now_ms();
	double settle_from = -1, last_out = now_ms();
	while (alive) {
		double t_now = now_ms();
		bool got;
		if (typed < nkeys && t_now >= next) {
			if (keys[typed].pause && best < typed && t_now - next < PAUSE_TIMEOUT_MS) {
				/* the typist reads the prompt first */
			} else {
				t_key[typed] = t_now;
				if (write(t.master, keys[typed].b, (size_t)keys[typed].n) < 0)
					break;
				typed++;
				next = t_now + gap + (jitter ? rand() % (2 * jitter + 1) - jitter : 0);
				if (typed < nkeys && keys[typed].pause)
					next = t_now; /* waits for the screen, then types */
			}
		}
		int wait = typed < nkeys ? (int)(next - now_ms()) : 20;
		if (typed < nkeys && keys[typed].pause && best < typed)
			wait = 5;
		alive = pump(&t, wait, &got);
		t_now = now_ms();
		if (got)
			last_out = t_now;
		if (!visible(&t))
			continue; /* held back by the terminal: nothing seen yet */
		snap_take(&t, &scr);
		/* Progress: the earliest reference after the last shown that the
		 * screen equals, unless it still equals the last shown. */
		if (!snap_eq(&scr, &ref[best]))
			for (int j = best + 1; j <= typed; j++)
				if (snap_eq(&scr, &ref[j])) {
					for (int k = best; k < j; k++)
						if (lat[k] < 0)
							lat[k] = t_now - t_key[k];
					best = j;
					if (typed < nkeys && keys[typed].pause && best == typed)
						next = t_now + gap; /* read, then type */
					break;
				}
		int sn, wrong = wrong_cells(&scr, ref, best, typed, secret, &sn);
		if (sn > leaked)
			leaked = sn;
		if (wrong && wrong_since < 0) {
			wrong_since = t_now;
			wrong_eps++;
			if (getenv("PREDICT_BENCH_KEYS")) {
				fprintf(stderr, "wrong glyphs after key %d (last shown %d):\n", typed, best);
				snap_dump("the client", &scr);
			}
		} else if (!wrong && wrong_since >= 0) {
			wrong_ms += t_now - wrong_since;
			wrong_since = -1;
		}
		if (typed == nkeys) {
			if (settle_from < 0)
				settle_from = t_now;
			/* the last key shown and the output at rest: the end */
			if (best == nkeys && !wrong && t_now - last_out >= REST_MS)
				break;
			if (t_now - settle_from > SETTLE_TIMEOUT_MS)
				break;
		}
	}
	if (wrong_since >= 0)
		wrong_ms += now_ms() - wrong_since;
	snap_take(&t, &scr);
	bool final_ok = snap_eq(&scr, &ref[nkeys]);
	if (!final_ok && getenv("PREDICT_BENCH_KEYS")) {
		snap_dump("the reference's last screen", &ref[nkeys]);
		snap_dump("the client's last screen", &scr);
	}
	stop(&t, pid);
	int fast = 0, n = 0;
	static double sorted[MAX_KEYS];
	for (int k = 0; k < nkeys; k++) {
		if (!counted[k])
			continue;
		if (lat[k] >= 0 && lat[k] <= SHOWN_FAST_MS)
			fast++;
		sorted[n++] = lat[k] < 0 ? 1e9 : lat[k];
	}
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	if (getenv("PREDICT_BENCH_KEYS"))
		for (int k = 0; k < nkeys; k++)
			fprintf(stderr, "key %d %02x%s: %.1f ms\n", k,
				(unsigned char)keys[k].b[keys[k].n - 1], counted[k] ? "" : " (no change)",
				lat[k]);
	printf("keys=%d counted=%d within5=%.1f p50=%.0f wrong=%.1f wrongms=%.0f pw=%d final=%s\n",
	       nkeys, n, n ? 100.0 * fast / n : 0.0, n ? sorted[n / 2] : 0.0,
	       100.0 * wrong_eps / nkeys, wrong_eps ? wrong_ms / wrong_eps : 0.0, leaked,
	       final_ok ? "right" : "WRONG");
	free(ref);
	return 0;
}

int main(int argc, char **argv)
{
	static struct key keys[MAX_KEYS];
	const char *rec = NULL, *ref = NULL, *secret = NULL, *ready = NULL;
	int gap = 150, jitter = 60, i = 1, nkeys;
	unsigned seed = 1;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--record") && i + 1 < argc)
			rec = argv[++i];
		else if (!strcmp(argv[i], "--ref") && i + 1 < argc)
			ref = argv[++i];
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--secret") && i + 1 < argc)
			secret = argv[++i];
		else if (!strcmp(argv[i], "--gap") && i + 1 < argc)
			gap = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--jitter") && i + 1 < argc)
			jitter = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (unsigned)atoi(argv[++i]);
		else
			break;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--") || !rec == !ref || gap < 1 || jitter < 0 ||
	    jitter >= gap) {
		fprintf(stderr, "usage: predict-bench --record FILE [--ready TEXT] KEYS -- CMD...\n"
				"       predict-bench --ref FILE [--gap MS] [--jitter MS] [--seed N] "
				"[--secret CHARS] KEYS -- CMD...\n"
				"(0 <= JITTER < GAP)\n");
		return 2;
	}
	nkeys = parse_keys(argv[i], keys);
	if (nkeys < 1) {
		fprintf(stderr, "predict-bench: no keys\n");
		return 2;
	}
	if (rec)
		return record(rec, ready, keys, nkeys, argv + i + 2);
	return measure(ref, keys, nkeys, argv + i + 2, gap, jitter, seed, secret);
}
