/* predict-bench: a typist at a remote line editor, as the person sees it.
 *
 *   predict-bench [--password] [--gap MS] [--jitter MS] [--ready TEXT] [--seed N]
 *                 KEYS -- CMD...
 *
 * Runs CMD (telly attach, mosh-client, ssh -tt) on a pty of 24x100 as
 * the person's terminal, waits until TEXT is on its screen (default
 * "P> "), then types KEYS (C escapes: \e, \x7f, \r) one key at a time,
 * GAP ms apart give or take JITTER (a typist's timing, the same for every
 * client with the same seed), and feeds all the client prints into
 * libvterm. What a key should show is worked out from KEYS with the rules
 * of a line editor (characters inserted at the cursor, backspace, left,
 * right; the prompt is the text before the cursor when typing starts),
 * which is what the program's own echo on a local pty shows.
 *
 * For each key: the time from the key to the first screen whose cursor
 * row (after the prompt) and cursor equal what it should show, or show a
 * later key's result. A wrong screen is one that equals no key's result
 * so far (an episode starts when the screen becomes wrong and ends when
 * it is right again). At the end: whether the last screen is right.
 *
 * --password: KEYS are typed at a no-echo prompt; any typed character on
 * the prompt's row counts as shown.
 *
 * Prints one line: keys, share within 5 ms, p50, wrong episodes per 100
 * keys and their time, final right or WRONG (or: password characters
 * shown).
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdbool.h>
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
#define LINE_MAX_CHARS 200
#define READY_TIMEOUT_MS 30000
#define SETTLE_TIMEOUT_MS 10000
#define SHOWN_FAST_MS 5.0

struct key {
	char b[8];
	int n;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int parse_keys(const char *s, struct key *k)
{
	int n = 0;

	while (*s && n < MAX_KEYS) {
		char c = *s++;
		if (c == '\\' && *s == 'e') {
			c = 0x1b, s++;
		} else if (c == '\\' && *s == 'r') {
			c = '\r', s++;
		} else if (c == '\\' && *s == 'x' && s[1] && s[2]) {
			char hex[3] = {s[1], s[2], 0};
			c = (char)strtol(hex, NULL, 16), s += 3;
		}
		if (c == 0x1b && s[0] == '[' && s[1]) { /* a CSI key: one keystroke */
			k[n].b[0] = c, k[n].b[1] = '[', k[n].b[2] = s[1], k[n].n = 3;
			s += 2;
		} else {
			k[n].b[0] = c, k[n].n = 1;
		}
		n++;
	}
	return n;
}

/* What the line shows after each key, by the rules of a line editor. */
struct state {
	char line[LINE_MAX_CHARS + 1];
	int cur;
};

static void apply(struct state *s, const struct key *k)
{
	int len = (int)strlen(s->line);

	if (k->n == 3 && k->b[2] == 'D') {
		if (s->cur > 0)
			s->cur--;
	} else if (k->n == 3 && k->b[2] == 'C') {
		if (s->cur < len)
			s->cur++;
	} else if (k->b[0] == 0x7f) {
		if (s->cur > 0) {
			memmove(s->line + s->cur - 1, s->line + s->cur, (size_t)(len - s->cur + 1));
			s->cur--;
		}
	} else if (k->b[0] >= 0x20 && k->b[0] < 0x7f && len < LINE_MAX_CHARS) {
		memmove(s->line + s->cur + 1, s->line + s->cur, (size_t)(len - s->cur + 1));
		s->line[s->cur++] = k->b[0];
	}
}

struct term {
	VTerm *vt;
	VTermScreen *vs;
	int master;
};

static void answer(const char *s, size_t len, void *user)
{
	struct term *t = user;

	if (write(t->master, s, len) < 0) {
		/* the client went: the loop sees it */
	}
}

static void row_text(struct term *t, int row, char *out, int n)
{
	int o = 0;

	for (int c = 0; c < COLS && o < n - 1; c++) {
		VTermScreenCell cell;
		vterm_screen_get_cell(t->vs, (VTermPos){row, c}, &cell);
		if (cell.chars[0] == (uint32_t)-1)
			continue;
		out[o++] = cell.chars[0] && cell.chars[0] < 0x80 ? (char)cell.chars[0]
				    : cell.chars[0] ? '?'
						    : ' ';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = 0;
}

static VTermPos cursor(struct term *t)
{
	VTermPos p;

	vterm_state_get_cursorpos(vterm_obtain_state(t->vt), &p);
	return p;
}

static bool has_text(struct term *t, const char *text)
{
	char row[COLS + 1], want[COLS + 1];
	int n = snprintf(want, sizeof want, "%s", text);

	while (n > 0 && want[n - 1] == ' ')
		want[--n] = 0; /* rows are read without their trailing blanks */
	text = want;

	for (int r = 0; r < ROWS; r++) {
		row_text(t, r, row, sizeof row);
		if (strstr(row, text))
			return true;
	}
	return false;
}

/* Read what the client printed within wait_ms; false once it is gone. */
static bool pump(struct term *t, int wait_ms)
{
	struct pollfd p = {.fd = t->master, .events = POLLIN};
	char buf[65536];

	if (poll(&p, 1, wait_ms < 0 ? 0 : wait_ms) <= 0)
		return true;
	ssize_t n = read(t->master, buf, sizeof buf);
	if (n <= 0)
		return false;
	vterm_input_write(t->vt, buf, (size_t)n);
	return true;
}

/* The screen shows state s: the prompt row from col0 and the cursor. */
static bool shows(struct term *t, int row, int col0, const struct state *s)
{
	char text[COLS + 1];
	VTermPos c = cursor(t);

	char line[LINE_MAX_CHARS + 1];
	int n = snprintf(line, sizeof line, "%s", s->line);

	while (n > 0 && line[n - 1] == ' ')
		line[--n] = 0; /* rows are read without trailing blanks; the cursor says where */
	row_text(t, row, text, sizeof text);
	if (c.row != row || c.col != col0 + s->cur)
		return false;
	return (int)strlen(text) >= col0 ? !strcmp(text + col0, line) : !line[0];
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static struct key keys[MAX_KEYS];
	static struct state want[MAX_KEYS + 1];
	static double t_key[MAX_KEYS], lat[MAX_KEYS];
	const char *ready = "P> ";
	bool password = false;
	int gap = 150, jitter = 60, i = 1, nkeys, row, col0, done = -1, typed = 0;
	unsigned seed = 1;
	struct winsize ws = {.ws_row = ROWS, .ws_col = COLS};
	struct term t;
	pid_t pid;

	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--password"))
			password = true;
		else if (!strcmp(argv[i], "--gap") && i + 1 < argc)
			gap = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--jitter") && i + 1 < argc)
			jitter = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ready") && i + 1 < argc)
			ready = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = (unsigned)atoi(argv[++i]);
		else
			break;
	}
	if (i + 2 >= argc || strcmp(argv[i + 1], "--")) {
		fprintf(stderr, "usage: predict-bench [--password] [--gap MS] [--jitter MS] "
				"[--ready TEXT] [--seed N] KEYS -- CMD...\n");
		return 2;
	}
	nkeys = parse_keys(argv[i], keys);
	setenv("TERM", "xterm-256color", 1);
	pid = forkpty(&t.master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[i + 2], argv + i + 2);
		perror(argv[i + 2]);
		_exit(127);
	}
	t.vt = vterm_new(ROWS, COLS);
	vterm_set_utf8(t.vt, 1);
	vterm_output_set_callback(t.vt, answer, &t);
	t.vs = vterm_obtain_screen(t.vt);
	vterm_screen_enable_altscreen(t.vs, 1);
	vterm_screen_reset(t.vs, 1);

	double start = now_ms();
	while (!has_text(&t, ready)) {
		if (now_ms() - start > READY_TIMEOUT_MS || !pump(&t, 50)) {
			fprintf(stderr, "predict-bench: '%s' never showed\n", ready);
			kill(pid, SIGTERM);
			return 1;
		}
	}
	/* Let the prompt's output finish, then it is where typing starts. */
	for (double s = now_ms(); now_ms() - s < 300;)
		pump(&t, 20);
	row = cursor(&t).row;
	col0 = cursor(&t).col;
	want[0].line[0] = 0;
	for (int k = 0; k < nkeys; k++) {
		want[k + 1] = want[k];
		apply(&want[k + 1], &keys[k]);
		lat[k] = -1;
	}

	int wrong_eps = 0, leaked = 0;
	double wrong_ms = 0, wrong_since = -1;
	bool alive = true;
	srand(seed);
	double next = now_ms();
	while (alive) {
		double t_now = now_ms();
		if (typed < nkeys && t_now >= next) {
			t_key[typed] = t_now;
			if (write(t.master, keys[typed].b, (size_t)keys[typed].n) < 0)
				break;
			typed++;
			next = t_now + gap + (jitter ? rand() % (2 * jitter + 1) - jitter : 0);
		}
		if (typed == nkeys && done < 0)
			done = 0;
		alive = pump(&t, typed < nkeys ? (int)(next - now_ms()) : 20);
		t_now = now_ms();
		if (password) {
			char text[COLS + 1];
			row_text(&t, row, text, sizeof text);
			for (int c = col0; text[0] && c < (int)strlen(text); c++)
				if (text[c] != ' ')
					leaked++;
		} else {
			/* The latest key whose result is on screen. */
			int shown = -1;
			for (int k = typed; k >= 0 && shown < 0; k--)
				if (shows(&t, row, col0, &want[k]))
					shown = k;
			for (int k = 0; k < shown; k++)
				if (lat[k] < 0)
					lat[k] = t_now - t_key[k];
			if (shown < 0 && wrong_since < 0) {
				wrong_since = t_now;
				wrong_eps++;
			} else if (shown >= 0 && wrong_since >= 0) {
				wrong_ms += t_now - wrong_since;
				wrong_since = -1;
			}
			if (typed == nkeys && shown == nkeys)
				break;
		}
		if (typed == nkeys && now_ms() - t_key[nkeys - 1] > (password ? 2000 : SETTLE_TIMEOUT_MS))
			break;
	}
	kill(pid, SIGHUP);
	waitpid(pid, NULL, 0);
	if (password) {
		printf("password: %d keys, typed characters shown: %s\n", nkeys,
		       leaked ? "YES" : "none");
		return 0;
	}
	int fast = 0, n = 0;
	static double sorted[MAX_KEYS];
	for (int k = 0; k < nkeys; k++) {
		if (lat[k] >= 0 && lat[k] <= SHOWN_FAST_MS)
			fast++;
		sorted[n++] = lat[k] < 0 ? 1e9 : lat[k];
	}
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	if (getenv("PREDICT_BENCH_KEYS"))
		for (int k = 0; k < nkeys; k++)
			fprintf(stderr, "key %d %02x: %.1f ms, then \"%s\" at %d\n", k, (unsigned char)keys[k].b[keys[k].n - 1], lat[k], want[k + 1].line, want[k + 1].cur);
	bool final_ok = shows(&t, row, col0, &want[nkeys]);
	printf("%d keys, shown within 5 ms %5.1f %%, p50 %7.1f ms, wrong %5.1f per 100 keys "
	       "(%.0f ms in all), final %s\n",
	       nkeys, 100.0 * fast / nkeys, sorted[n / 2], 100.0 * wrong_eps / nkeys, wrong_ms,
	       final_ok ? "right" : "WRONG");
	vterm_free(t.vt);
	return 0;
}
