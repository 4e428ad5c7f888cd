/* predict-bench: a typist at a remote program, as the person sees it.
 *
 *   predict-bench --record FILE [--ready TEXT] KEYS -- CMD...
 *   predict-bench --ref FILE [--gap MS] [--jitter MS] [--seed N]
 *                 [--secret CHARS] [--view] KEYS -- CMD...
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
 *   screens from the last one shown to the last key typed; an episode
 *   lasts while any cell is wrong. Episodes are of two kinds, counted
 *   apart: the program's own intermediate screens (every wrong cell holds
 *   a glyph the program itself put in that cell on its way between those
 *   references when it was recorded: less scrolling a page in pieces,
 *   which ssh shows as well) and wrong ones (some cell holds a glyph the
 *   program never put there: a prediction that was wrong). The span
 *   reaches back to the keys typed in the last SEEN_SPAN_MS (a key a
 *   prediction showed may still be being answered, in pieces). A glyph
 *   the record saw there only outside that span, or a character outside
 *   ASCII not in a reference, counts as wrong: a doubt is a wrong one;
 * - --secret: a wrong cell holding one of CHARS is a password character
 *   shown (the reference, a no-echo prompt, never shows them);
 * - at the end, once the output rests, whether the screen is the
 *   reference's last.
 *
 * Screens are judged as a terminal with synchronized output (DEC mode
 * 2026) shows them: none while the client holds the mode set (for at
 * most SYNC_MAX_MS); PREDICT_BENCH_NO_SYNC=1 judges every read.
 *
 * --view: CMD is telly view (--headless --key-fd 3 --paint-fd 4, with
 * a size whose one window, maximized, is 24x100): each key goes to its fd
 * 3 as a line (`type "c"`, `key BackSpace`, `key ctrl+a`, `key Left`
 * ...), entering the view as a person's key does, and the screen judged
 * is what the view reports on its fd 4 after each repaint: the focused
 * window's cells as the compositor drew them, predictions included and
 * an answer it holds back not. Every repaint is judged, at the time the
 * view painted it, and a key's time runs from when the view got it.
 *
 * KEYS: characters, with C escapes \e \r \t \\ \xHH; \e[X, \e[N~ and
 * \eOX are one key each; \p makes the typist wait before the next key
 * until the screen shows the last key's result (a prompt to be read).
 *
 * Prints one line of fields:
 *   keys=N counted=N within5=PCT p50=MS wrong=PER100 wrongms=MS mid=PER100 midms=MS
 *   pw=N final=right|WRONG
 * (wrong: episodes with a glyph the program never drew there; mid: the
 * program's own intermediate screens, as above.)
 * (PREDICT_BENCH_KEYS=1 prints each key's time on stderr.)
 *
 * The bench runs at a real-time priority (SCHED_FIFO) when it may: it is
 * the person's terminal and the typist, and on a loaded machine a niced
 * bench woken 4 to 17 ms late would time its own lateness, the same for
 * every client, not the client's. Only the bench: the clients and
 * programs it starts are reset to the ordinary policy (SCHED_RESET_ON_FORK)
 * and compete for the CPU as they would on the person's machine. Without
 * the permission (CAP_SYS_NICE or RLIMIT_RTPRIO) it says so on stderr,
 * unless PREDICT_BENCH_RT_TOLD is set (predict-bench.sh says it once),
 * and goes on at the ordinary policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>
#include <wchar.h>

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
#define SEEN_SPAN_MS 2000     /* a key's answer may come this long after it */
#define REF_MAGIC 0x70726632u /* "prf2" */
#define VIEW_KEY_FD 3	      /* --view: the fds CMD reads keys from, */
#define VIEW_PAINT_FD 4	      /* and writes its repaints to */
#define VIEW_REC_MAX (1 << 20) /* a record of the view's: at most this long */

struct key {
	char b[8];
	int n;
	bool pause; /* wait for the previous key's result before typing it */
};

struct snap {
	int32_t row, col; /* the cursor */
	uint32_t cell[ROWS * COLS];
};

/* The ASCII glyphs each cell held while the program answered one key, as
 * recorded: the program's own intermediate screens (bit c of cell i). */
struct seen {
	uint64_t bits[ROWS * COLS][2];
};

static void seen_add(struct seen *s, int i, uint32_t v)
{
	if (v < 0x80)
		s->bits[i][v >> 6] |= 1ull << (v & 63);
}

static bool seen_has(const struct seen *s, int i, uint32_t v)
{
	return v < 0x80 && (s->bits[i][v >> 6] >> (v & 63) & 1);
}

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
	/* --view: keys go to keys_w as lines; the view's records come on
	 * paint_r into rec (rec_n bytes); cur is the last screen painted,
	 * on_screen hears of every one, at the time it was painted. */
	bool view;
	int keys_w, paint_r;
	char *rec;
	size_t rec_n;
	struct snap cur;
	int grid_rows, grid_cols; /* the last record's (24x100 wanted) */
	double *key_t; /* when the view got each key (NULL: not asked yet) */
	int keys_got;
	void (*on_screen)(void *ctx, const struct snap *s, double t);
	void *ctx;
	struct seen *seen; /* --record: where each damaged cell's glyph goes */
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

	if (t->view) {
		*s = t->cur;
		return;
	}
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

/* One row of a paint record (UTF-8, a wide character's right half left
 * out) into the snapshot's cells. */
static void view_row(uint32_t *cell, const char *s, size_t n)
{
	mbstate_t st;
	int c = 0;

	memset(&st, 0, sizeof st);
	for (int i = 0; i < COLS; i++)
		cell[i] = ' ';
	while (n && c < COLS) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			wc = 0xfffd, k = 1;
			memset(&st, 0, sizeof st);
		}
		cell[c++] = (uint32_t)wc;
		if (wcwidth(wc) == 2 && c < COLS)
			cell[c++] = (uint32_t)-1;
		s += k, n -= k;
	}
}

/* The view's records in rec: each key's time, and each repaint's screen
 * to on_screen. Returns the bytes used (a record cut short waits for
 * the rest), -1 on a record that makes no sense. */
static long view_records(struct term *t)
{
	size_t off = 0;

	for (;;) {
		char *line = t->rec + off, *nl = memchr(line, '\n', t->rec_n - off);
		unsigned long long us;
		unsigned sym;
		int rows, cols, crow, ccol, shown;
		if (!nl)
			return (long)off;
		*nl = 0;
		if (sscanf(line, "key %llu %x", &us, &sym) == 2) {
			if (t->key_t && t->keys_got < MAX_KEYS)
				t->key_t[t->keys_got++] = (double)us / 1e3;
			off = (size_t)(nl + 1 - t->rec);
			continue;
		}
		if (sscanf(line, "paint %llu %d %d %d %d %d", &us, &rows, &cols, &crow, &ccol,
			   &shown) != 6 ||
		    rows < 1 || cols < 1 || rows > 1000 || cols > 1000) {
			fprintf(stderr, "predict-bench: the view wrote '%.80s'\n", line);
			return -1;
		}
		/* The rows: all of them, or wait for the rest. */
		char *r = nl + 1, *row_at[ROWS];
		size_t row_n[ROWS];
		int got = 0;
		for (; got < rows; got++) {
			char *e = memchr(r, '\n', t->rec_n - (size_t)(r - t->rec));
			if (!e)
				break;
			if (got < ROWS)
				row_at[got] = r, row_n[got] = (size_t)(e - r);
			r = e + 1;
		}
		if (got < rows) {
			*nl = '\n';
			return (long)off;
		}
		struct snap *s = &t->cur;
		for (int i = 0; i < ROWS; i++)
			if (i < rows)
				view_row(&s->cell[i * COLS], row_at[i], row_n[i]);
			else
				for (int c = 0; c < COLS; c++)
					s->cell[i * COLS + c] = ' ';
		s->row = crow, s->col = ccol;
		t->grid_rows = rows, t->grid_cols = cols;
		if (rows != ROWS || cols != COLS) /* never a reference's screen */
			s->row = -1;
		if (t->on_screen)
			t->on_screen(t->ctx, s, (double)us / 1e3);
		off = (size_t)(r - t->rec);
	}
}

/* --view: what the view wrote within wait_ms (its pty's output, error
 * messages, to stderr); false once it is gone. */
static bool pump_view(struct term *t, int wait_ms, bool *got)
{
	struct pollfd p[2] = {{.fd = t->paint_r, .events = POLLIN}, {.fd = t->master, .events = POLLIN}};
	char buf[4096];

	if (poll(p, 2, wait_ms < 0 ? 0 : wait_ms) <= 0)
		return true;
	if (p[1].revents) { /* the view's stdout: nothing, unless it says why it ends */
		ssize_t n = read(t->master, buf, sizeof buf);
		if (n <= 0 || write(2, buf, (size_t)n) < 0)
			return false;
	}
	if (!p[0].revents)
		return true;
	ssize_t n = read(t->paint_r, t->rec + t->rec_n, VIEW_REC_MAX - t->rec_n);
	if (n <= 0)
		return false;
	t->rec_n += (size_t)n;
	long used = view_records(t);
	if (used < 0 || (used == 0 && t->rec_n == VIEW_REC_MAX))
		return false;
	memmove(t->rec, t->rec + used, t->rec_n - (size_t)used);
	t->rec_n -= (size_t)used;
	if (got)
		*got = true;
	return true;
}

/* Read what the client printed within wait_ms; false once it is gone. */
static bool pump(struct term *t, int wait_ms, bool *got)
{
	struct pollfd p = {.fd = t->master, .events = POLLIN};
	char buf[65536];

	if (got)
		*got = false;
	if (t->view)
		return pump_view(t, wait_ms, got);
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

/* *fd moved to a number above VIEW_PAINT_FD. */
static bool above(int *fd)
{
	int n = fcntl(*fd, F_DUPFD_CLOEXEC, VIEW_PAINT_FD + 1);

	if (n < 0)
		return false;
	close(*fd);
	*fd = n;
	return true;
}

static pid_t start(struct term *t, char **argv, bool view)
{
	struct winsize ws = {.ws_row = ROWS, .ws_col = COLS};
	int kp[2] = {-1, -1}, pp[2] = {-1, -1};
	pid_t pid;

	memset(t, 0, sizeof *t);
	t->view = view;
	/* The child's ends above the fds it gets them at: dup2 never meets
	 * itself. */
	if (view && (pipe2(kp, O_CLOEXEC) < 0 || pipe2(pp, O_CLOEXEC) < 0 ||
		     !above(&kp[0]) || !above(&pp[1]) || !(t->rec = malloc(VIEW_REC_MAX)))) {
		perror("predict-bench: pipes for the view");
		exit(1);
	}
	setenv("TERM", "xterm-256color", 1);
	pid = forkpty(&t->master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		exit(1);
	}
	if (pid == 0) {
		if (view && (dup2(kp[0], VIEW_KEY_FD) < 0 || dup2(pp[1], VIEW_PAINT_FD) < 0))
			_exit(127);
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
	t->keys_w = kp[1];
	t->paint_r = pp[0];
	if (view) { /* the child's ends are the child's; the old numbers go */
		close(kp[0]);
		close(pp[1]);
		for (int i = 0; i < ROWS * COLS; i++)
			t->cur.cell[i] = ' ';
		t->cur.row = -1;
	}
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
	if (t->view) {
		close(t->keys_w);
		close(t->paint_r);
		free(t->rec);
	}
}

/* A key as a line of telly view's keyboard (--key-fd): what a person
 * presses to type those bytes. False for bytes no key types here. */
static bool key_line(const struct key *k, char *out, size_t n)
{
	static const char *const csi[] = {['A'] = "Up", ['B'] = "Down", ['C'] = "Right",
					  ['D'] = "Left", ['H'] = "Home", ['F'] = "End"};
	static const char *const tilde[] = {[1] = "Home", [2] = "Insert", [3] = "Delete",
					    [4] = "End", [5] = "Prior", [6] = "Next"};
	unsigned char c = (unsigned char)k->b[0];

	if (k->n == 1) {
		if (c == '"' || c == '\\')
			snprintf(out, n, "type \"\\%c\"\n", c);
		else if (c >= 0x20 && c < 0x7f)
			snprintf(out, n, "type \"%c\"\n", c);
		else if (c == 0x7f)
			snprintf(out, n, "key BackSpace\n");
		else if (c == '\r')
			snprintf(out, n, "key Return\n");
		else if (c == '\t')
			snprintf(out, n, "key Tab\n");
		else if (c == 0x1b)
			snprintf(out, n, "key Escape\n");
		else if (c >= 1 && c <= 26)
			snprintf(out, n, "key ctrl+%c\n", 'a' + c - 1);
		else
			return false;
		return true;
	}
	unsigned char f = (unsigned char)k->b[k->n - 1];
	if (k->n == 3 && (k->b[1] == '[' || k->b[1] == 'O') && f < 128 && f < sizeof csi / sizeof *csi &&
	    csi[f]) {
		snprintf(out, n, "key %s\n", csi[f]);
		return true;
	}
	if (k->n == 4 && k->b[1] == '[' && f == '~' && k->b[2] >= '1' && k->b[2] <= '6') {
		snprintf(out, n, "key %s\n", tilde[k->b[2] - '0']);
		return true;
	}
	return false;
}

/* Type one key: its bytes to the client's terminal, or its line to the
 * view's keyboard. */
static bool type_key(struct term *t, const struct key *k)
{
	char line[64];

	if (!t->view)
		return write(t->master, k->b, (size_t)k->n) == k->n;
	return key_line(k, line, sizeof line) && write(t->keys_w, line, strlen(line)) == (ssize_t)strlen(line);
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

/* --record: every cell the program changes, as it changes it (libvterm
 * says each cell's damage with the cell already written). */
static int on_damage(VTermRect r, void *user)
{
	struct term *t = user;

	if (!t->seen)
		return 1;
	for (int row = r.start_row; row < r.end_row && row < ROWS; row++)
		for (int col = r.start_col; col < r.end_col && col < COLS; col++) {
			VTermScreenCell cell;
			vterm_screen_get_cell(t->vs, (VTermPos){row, col}, &cell);
			seen_add(t->seen, row * COLS + col, cell.chars[0] ? cell.chars[0] : ' ');
		}
	return 1;
}

static const VTermScreenCallbacks record_cbs = {.damage = on_damage};

static int record(const char *file, const char *ready, struct key *keys, int nkeys, char **argv)
{
	struct snap *s = calloc((size_t)nkeys + 1, sizeof *s);
	struct seen *seen = calloc((size_t)nkeys, sizeof *seen);
	struct term t;
	pid_t pid;
	FILE *f;

	if (!s || !seen) {
		perror("predict-bench");
		return 1;
	}
	pid = start(&t, argv, false);
	vterm_screen_set_callbacks(t.vs, &record_cbs, &t);
	vterm_screen_set_damage_merge(t.vs, VTERM_DAMAGE_CELL);
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
		t.seen = &seen[k];
		if (write(t.master, keys[k].b, (size_t)keys[k].n) < 0 || !rest(&t, rest_ms)) {
			fprintf(stderr, "predict-bench: %s ended at key %d\n", argv[0], k);
			stop(&t, pid);
			return 1;
		}
		snap_take(&t, &s[k + 1]);
		t.seen = NULL;
	}
	stop(&t, pid);
	uint32_t head[4] = {REF_MAGIC, (uint32_t)nkeys, ROWS, COLS};
	f = fopen(file, "wb");
	if (!f || fwrite(head, sizeof head, 1, f) != 1 ||
	    fwrite(s, sizeof *s, (size_t)nkeys + 1, f) != (size_t)nkeys + 1 ||
	    fwrite(seen, sizeof *seen, (size_t)nkeys, f) != (size_t)nkeys || fclose(f)) {
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
	free(seen);
	return 0;
}

static struct snap *load(const char *file, int nkeys, struct seen **seen)
{
	uint32_t head[4];
	struct snap *s = calloc((size_t)nkeys + 1, sizeof *s);
	FILE *f = fopen(file, "rb");

	*seen = calloc((size_t)nkeys, sizeof **seen);
	if (!s || !*seen || !f || fread(head, sizeof head, 1, f) != 1 || head[0] != REF_MAGIC ||
	    head[1] != (uint32_t)nkeys || head[2] != ROWS || head[3] != COLS ||
	    fread(s, sizeof *s, (size_t)nkeys + 1, f) != (size_t)nkeys + 1 ||
	    fread(*seen, sizeof **seen, (size_t)nkeys, f) != (size_t)nkeys) {
		fprintf(stderr, "predict-bench: %s is not a reference for these %d keys\n", file,
			nkeys);
		exit(1);
	}
	fclose(f);
	return s;
}

/* Cells of the screen whose character no reference screen in [lo, hi]
 * has there; *secret: of them, ones holding a character of secret;
 * *foreign: of them, ones the program never put there on its way from
 * own_lo to hi as recorded (seen: the recorded keys' glyphs; own_lo <=
 * lo: a key already shown, by a prediction, may still be answered). */
static int wrong_cells(const struct snap *scr, const struct snap *ref, const struct seen *seen,
		       int own_lo, int lo, int hi, const char *secret, int *secret_n, int *foreign)
{
	int n = 0;

	*secret_n = *foreign = 0;
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
		bool own = false;
		for (int j = own_lo; j < hi && !own; j++)
			own = seen_has(&seen[j], i, v) || ref[j].cell[i] == v;
		if (!own)
			(*foreign)++;
	}
	return n;
}

/* The typist's progress and what the screens showed, screen by screen. */
struct judge {
	const struct snap *ref;
	const struct seen *seen;
	const struct key *keys;
	int nkeys, gap, typed, best, wrong_eps, mid_eps, leaked;
	/* The episode under way (wrong_since >= 0): whether a screen of it
	 * had a glyph the program never put there (else it is the program's
	 * own intermediate screens so far). */
	bool foreign;
	double wrong_ms, mid_ms, wrong_since, next;
	double t_key[MAX_KEYS], lat[MAX_KEYS];
	const char *secret;
};

/* The episode of wrong cells under way ends at t_now: one of glyphs the
 * program never drew there, or of its own intermediate screens. */
static void episode_end(struct judge *j, double t_now)
{
	if (j->foreign) {
		j->wrong_eps++;
		j->wrong_ms += t_now - j->wrong_since;
	} else {
		j->mid_eps++;
		j->mid_ms += t_now - j->wrong_since;
	}
	j->wrong_since = -1;
}

/* A screen the person saw at t_now. */
static void judge(void *ctx, const struct snap *scr, double t_now)
{
	struct judge *j = ctx;

	/* Progress: the earliest reference after the last shown that the
	 * screen equals, unless it still equals the last shown. */
	if (!snap_eq(scr, &j->ref[j->best]))
		for (int k = j->best + 1; k <= j->typed; k++)
			if (snap_eq(scr, &j->ref[k])) {
				for (int i = j->best; i < k; i++)
					if (j->lat[i] < 0)
						j->lat[i] = t_now - j->t_key[i];
				j->best = k;
				if (j->typed < j->nkeys && j->keys[j->typed].pause && j->best == j->typed)
					j->next = t_now + j->gap; /* read, then type */
				break;
			}
	/* The program's answers in flight: to the keys typed in the last
	 * SEEN_SPAN_MS, shown or not. */
	int own_lo = j->best;
	while (own_lo > 0 && j->t_key[own_lo - 1] >= t_now - SEEN_SPAN_MS)
		own_lo--;
	int sn, foreign, wrong = wrong_cells(scr, j->ref, j->seen, own_lo, j->best, j->typed,
					     j->secret, &sn, &foreign);
	if (sn > j->leaked)
		j->leaked = sn;
	if (wrong && j->wrong_since < 0) {
		j->wrong_since = t_now;
		j->foreign = false;
	}
	if (wrong && foreign && !j->foreign) {
		j->foreign = true;
		if (getenv("PREDICT_BENCH_KEYS")) {
			fprintf(stderr, "wrong glyphs after key %d (last shown %d):\n", j->typed, j->best);
			snap_dump("the client", scr);
		}
	}
	if (!wrong && j->wrong_since >= 0)
		episode_end(j, t_now);
}

static int measure(const char *file, struct key *keys, int nkeys, char **argv, int gap,
		   int jitter, unsigned seed, const char *secret, bool view)
{
	static struct judge j;
	static struct snap scr;
	static struct term t;
	struct seen *seen;
	struct snap *ref = load(file, nkeys, &seen);
	bool alive = true, counted[MAX_KEYS];
	pid_t pid = start(&t, argv, view);

	j = (struct judge){.ref = ref, .seen = seen, .keys = keys, .nkeys = nkeys, .gap = gap, .wrong_since = -1,
			   .secret = secret};
	for (int k = 0; k < nkeys; k++) {
		char line[64];
		j.lat[k] = -1;
		counted[k] = !snap_eq(&ref[k], &ref[k + 1]);
		if (view && !key_line(&keys[k], line, sizeof line)) {
			fprintf(stderr, "predict-bench: key %d (%02x...) is no key of the view's\n", k,
				(unsigned char)keys[k].b[0]);
			stop(&t, pid);
			return 1;
		}
	}
	double t0 = now_ms();
	for (;;) {
		snap_take(&t, &scr);
		if (snap_eq(&scr, &ref[0]))
			break;
		if (now_ms() - t0 > READY_TIMEOUT_MS || !pump(&t, 50, NULL)) {
			fprintf(stderr, "predict-bench: %s never showed the reference's first screen\n",
				argv[0]);
			if (view)
				fprintf(stderr, "predict-bench: the view's window is %dx%d (%dx%d wanted)\n",
					t.grid_cols, t.grid_rows, COLS, ROWS);
			snap_dump("the reference", &ref[0]);
			snap_dump("the client", &scr);
			stop(&t, pid);
			return 1;
		}
	}
	if (!rest(&t, REST_MS))
		alive = false;
	/* From now on every repaint of the view's is judged as it comes. */
	t.on_screen = judge;
	t.ctx = &j;
	t.key_t = j.t_key; /* typed first, then the view's record of it */
	t.keys_got = 0;
	srand(seed);
	j.next = now_ms();
	double settle_from = -1, last_out = now_ms();
	while (alive) {
		double t_now = now_ms();
		bool got;
		int typed = j.typed;
		if (typed < nkeys && t_now >= j.next) {
			if (keys[typed].pause && j.best < typed && t_now - j.next < PAUSE_TIMEOUT_MS) {
				/* the typist reads the prompt first */
			} else {
				j.t_key[typed] = t_now;
				if (!type_key(&t, &keys[typed]))
					break;
				j.typed = ++typed;
				j.next = t_now + gap + (jitter ? rand() % (2 * jitter + 1) - jitter : 0);
				if (typed < nkeys && keys[typed].pause)
					j.next = t_now; /* waits for the screen, then types */
			}
		}
		int wait = typed < nkeys ? (int)(j.next - now_ms()) : 20;
		if (typed < nkeys && keys[typed].pause && j.best < typed)
			wait = 5;
		alive = pump(&t, wait, &got);
		t_now = now_ms();
		if (got)
			last_out = t_now;
		if (!view) {
			if (!visible(&t))
				continue; /* held back by the terminal: nothing seen yet */
			snap_take(&t, &scr);
			judge(&j, &scr, t_now);
		}
		if (typed == nkeys) {
			if (settle_from < 0)
				settle_from = t_now;
			/* the last key shown and the output at rest: the end */
			if (j.best == nkeys && j.wrong_since < 0 && t_now - last_out >= REST_MS)
				break;
			if (t_now - settle_from > SETTLE_TIMEOUT_MS)
				break;
		}
	}
	if (j.wrong_since >= 0)
		episode_end(&j, now_ms());
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
		if (j.lat[k] >= 0 && j.lat[k] <= SHOWN_FAST_MS)
			fast++;
		sorted[n++] = j.lat[k] < 0 ? 1e9 : j.lat[k];
	}
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	if (getenv("PREDICT_BENCH_KEYS"))
		for (int k = 0; k < nkeys; k++)
			fprintf(stderr, "key %d %02x%s: %.1f ms\n", k,
				(unsigned char)keys[k].b[keys[k].n - 1], counted[k] ? "" : " (no change)",
				j.lat[k]);
	printf("keys=%d counted=%d within5=%.1f p50=%.0f wrong=%.1f wrongms=%.0f mid=%.1f midms=%.0f "
	       "pw=%d final=%s\n",
	       nkeys, n, n ? 100.0 * fast / n : 0.0, n ? sorted[n / 2] : 0.0,
	       100.0 * j.wrong_eps / nkeys, j.wrong_eps ? j.wrong_ms / j.wrong_eps : 0.0,
	       100.0 * j.mid_eps / nkeys, j.mid_eps ? j.mid_ms / j.mid_eps : 0.0, j.leaked,
	       final_ok ? "right" : "WRONG");
	free(ref);
	free(seen);
	return 0;
}

/* See the header: the apparatus must not be what a loaded sitting measures. */
static void realtime(void)
{
	struct sched_param sp = {.sched_priority = 1};

	if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp) < 0 &&
	    !getenv("PREDICT_BENCH_RT_TOLD"))
		fprintf(stderr,
			"predict-bench: no real-time priority (%s): under load the figures "
			"include this bench's own lateness\n",
			strerror(errno));
}

int main(int argc, char **argv)
{
	static struct key keys[MAX_KEYS];
	const char *rec = NULL, *ref = NULL, *secret = NULL, *ready = NULL;
	int gap = 150, jitter = 60, i = 1, nkeys;
	unsigned seed = 1;
	bool view = false;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--record") && i + 1 < argc)
			rec = argv[++i];
		else if (!strcmp(argv[i], "--ref") && i + 1 < argc)
			ref = argv[++i];
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--view"))
			view = true;
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
	    jitter >= gap || (view && rec)) {
		fprintf(stderr, "usage: predict-bench --record FILE [--ready TEXT] KEYS -- CMD...\n"
				"       predict-bench --ref FILE [--gap MS] [--jitter MS] [--seed N] "
				"[--secret CHARS] [--view] KEYS -- CMD...\n"
				"(0 <= JITTER < GAP)\n");
		return 2;
	}
	nkeys = parse_keys(argv[i], keys);
	if (nkeys < 1) {
		fprintf(stderr, "predict-bench: no keys\n");
		return 2;
	}
	realtime();
	if (rec)
		return record(rec, ready, keys, nkeys, argv + i + 2);
	setlocale(LC_CTYPE, ""); /* --view's records are UTF-8 (LANG=C.UTF-8) */
	return measure(ref, keys, nkeys, argv + i + 2, gap, jitter, seed, secret, view);
}
