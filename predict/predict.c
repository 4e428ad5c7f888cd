/* The prediction engine (see predict.h).
 *
 * Keys are kept in order as they were typed, each with the INPUT seq that
 * carried it and the hold point before it (the seq of the last key whose
 * answer must be waited for: an Enter, a ^C, a wrong prediction, a change
 * of context). The overlay is never patched: each update replays the keys
 * not yet confirmed over the true screen as it is now, so what the host
 * already did is never predicted twice and a rollback is only a key list
 * cut short. A key's expectation is the cursor's row from the first key
 * replayed to it (cumulative) and the cursor after it; the screen that
 * shows the expectation of key K once the host answered K confirms every
 * key up to K at once. A key the program consumed (it waits for input
 * again) whose expectation is not on screen was wrong.
 */
#include <stdlib.h>
#include <string.h>
#include <vterm.h>

#include "predict.h"
#include "vtfilter.h"

#define BLANK ' '
#define CONT 0xffffffffu /* the right half of a wide character (libvterm's mark) */

struct wc {
	uint32_t cp;
	int8_t width; /* 1, 2, or 0 for CONT */
	uint8_t attrs; /* PRED_BOLD ... (drawn for less's page only) */
	VTermColor fg, bg; /* as pred_pen's */
};

enum kind {
	K_CHAR, K_BS, K_LEFT, K_RIGHT, K_HOME, K_END,
	/* a modal editor's command mode (vi's h l 0 x): */
	K_VLEFT, K_VRIGHT, K_VZERO, K_VDEL,
	/* less's search ('/' or '?' at its prompt): the prompt line becomes
	 * the search's, the key at its start */
	K_SEARCH,
	/* less's back one line ('k' at its prompt): the page moves down a
	 * row, the row above it known from a page seen before */
	K_SCROLL,
};

struct key {
	uint32_t seq, hold; /* its INPUT; the answer to wait for before it shows */
	uint32_t line;	    /* the line it was typed on (keys that end one count them) */
	uint8_t kind;
	uint32_t cp;
	int width;
	long t_ms;
	bool acked; /* its round trip was sampled */
	bool expect; /* an expectation was worked out (below) */
	bool learning; /* predicted in the middle of a line with the mode unknown */
	/* ... with text at the cursor (a line's tail, not a right prompt
	 * past blanks): the insert guess may be drawn */
	bool near;
	bool shown;    /* drawn before its answer */
	/* Keys after it in the same INPUT were not predicted: its answer
	 * moves the cursor on past what it expects, so only its cells count. */
	bool tail_held;
	uint8_t ctl; /* typed as this control byte (readline's ^A ^E ^B ^F) */
	bool less_num; /* a digit or backspace of a count typed at less's prompt */
	bool page;     /* its expectation holds the page's rows too (exp_h) */
	bool exact;    /* replayed as a key known exactly (less's prompt line) */
	uint8_t vi;  /* typed as this command key (vi's h l 0 x) */
	int row, col;  /* the cursor after it */
	int lo, hi;    /* the row's cells it and the keys replayed before it touched */
};

struct ctx {
	char comm[PRED_COMM_BYTES + 1];
	uint32_t flags;
	bool alt, used;
	unsigned right; /* in a row, since the last wrong */
	int insert;	/* 0 unknown, 1 insert, 2 overwrite (in the middle of a line) */
	/* A line editor: a cursor key or backspace came back as predicted.
	 * Its ^A ^E ^B ^F are then taken as readline's home, end, left,
	 * right: a guess until one comes back so (ctl_known), a boundary
	 * once one did not (ctl_never). Bits: 1 << the control byte. */
	bool editor;
	uint32_t ctl_known, ctl_never;
	/* vi's command keys h l 0 x (bits: vi_bit): learned as readline's
	 * keys are, motions guessed as the cursor only, x hidden until one
	 * came back so; a boundary once one did not. */
	uint32_t vi_known, vi_never;
	bool search_never; /* a K_SEARCH came back otherwise: not again */
	bool count_never;  /* a count's key came back otherwise: not again */
	bool scroll_never; /* a K_SCROLL came back otherwise: not again */
	long used_at;
};

struct pred {
	VTerm *vt, *wvt; /* the model; a scratch one that measures widths */
	/* What the program prints reaches the model through the output
	 * filter, as on every other screen: libvterm 0.1.4 hangs or writes
	 * past its buffers on some sequences (kernel-pty/vtfilter.h). */
	struct kpty_vtfilter filter;
	bool filter_ok;
	VTermScreen *vs;
	int rows, cols;
	enum pred_policy policy;
	bool alt; /* the model is on the alternate screen */
	bool have_ctx;
	struct pred_context hc; /* the host's */
	struct ctx ctxs[PRED_MAX_CONTEXTS];
	struct ctx *cur;
	/* Keys typed after distrust_seq show only once one of them was
	 * confirmed: after a change of context (a prompt may now be a
	 * no-echo one), after an Escape (a modal editor's command mode) and
	 * after any key not predicted on the alternate screen (a full-screen
	 * program's Enter or Tab may change what keys do there). */
	bool distrust;
	uint32_t distrust_seq;
	/* A modal editor's command mode, as far as keys tell: since an
	 * Escape alone on the alternate screen, only keys that keep vi's
	 * command mode typed (motions, x, and commands whose argument, a
	 * count or a motion, vi_arg makes the next key's). Its h l 0 x are
	 * predicted (K_V*); any other key ends it, and so does a character
	 * echoed as predicted (insert mode). */
	bool vi_cmd, vi_arg;
	/* The last byte typed in this context (0: none yet): less's search
	 * key and a count are predicted only after a command it finishes. */
	uint8_t prev_key;
	/* What less's prompt line holds, as far as keys tell: a search's
	 * pattern being typed, or a count (digits). */
	enum { LESS_PROMPT, LESS_SEARCH, LESS_COUNT } less_line;
	/* The replay under way: on the screen's last row; in a run of keys
	 * known exactly (less's search prompt and what is typed on it, or a
	 * count typed at its prompt: replay_count). */
	bool replay_last_row, replay_exact, replay_count;
	/* The line of less's prompt whose last key confirmed was known
	 * exactly (a search's, a count's): the keys after it on that line
	 * are too, replayed after it is gone from the list. */
	bool exact_line_set, exact_count;
	uint32_t exact_line;
	/* The contexts a key was confirmed in with their line trusted
	 * (PRED_MAX_TRUSTED, the least recent forgotten): back in one
	 * unchanged (the same process group, termios bits and screen) after
	 * other contexts, its line is trusted again: an excursion elsewhere
	 * (a command the shell ran, vim, a REPL) does not change what its
	 * echo does. Each is forgotten when it is distrusted or wrong. */
	struct trusted {
		struct pred_context c;
		bool alt;
		long at;
	} trusted[PRED_MAX_TRUSTED];
	int ntrusted;
	uint32_t acked, consumed, last_seq, hold;
	bool any_acked, any_consumed;
	struct key keys[PRED_MAX_KEYS];
	struct wc *exp;	/* PRED_MAX_KEYS rows of cols: each key's expected row */
	unsigned head, n;
	/* Where the input of the line began: the cursor's column once the
	 * key that ended the line before was consumed, else when its first
	 * key was replayed (a prompt's end), for home, left and
	 * backspace. A line ends with Enter, ^C or ^D, or when the cursor
	 * is on another row. */
	uint32_t line, start_line;
	uint32_t line_after; /* the key that ended the last line (line_after_set) */
	bool line_after_set;
	int start_col, start_row; /* -1: not known */
	int srtt_ms; /* -1: none yet */
	/* An INPUT whose answer samples the round trip though it carries no
	 * key predicted (less's commands are all boundaries): the first
	 * sent after the last sample. */
	bool probe;
	uint32_t probe_seq;
	long probe_ms;
	long now_ms; /* the latest time a caller gave */
	bool showing, flagging;
	/* A page to keep at rest: set by CONSUMED (less waits again, its
	 * answer whole) and a new context, not by output, so that a page
	 * streaming (less +F) is not read at every batch. */
	bool page_due;
	long glitch_until;
	struct wc *work, *truth; /* a row each */
	/* less's pages (rows but the last, the prompt's), as they rested
	 * with no key outstanding: PRED_LESS_PAGES of them, rows x cols
	 * each, and each row's hash; where the row above a page is found. */
	struct wc *pages;
	uint64_t *pages_h;
	int npages, page_at;
	/* The replay's page (vpage: moved from the true one, which page and
	 * page_h hold): a row each, pointing into page or pages. */
	bool vpage;
	struct wc *page;
	uint64_t *page_h, *vh;
	const struct wc **vrow;
	uint64_t *exp_h; /* PRED_MAX_KEYS pages of row hashes: a key's expected page */
	struct pred_cell *cells;
	struct pred_overlay ov, prev;
	struct pred_stats st;
};

/* ---- the model ---- */

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
	struct pred *p = user;

	if (prop == VTERM_PROP_ALTSCREEN)
		p->alt = val->boolean;
	return 1;
}

static const VTermScreenCallbacks model_cbs = {.settermprop = on_prop};

static void discard(const char *s, size_t len, void *user)
{
	(void)s, (void)len, (void)user; /* answers to queries: the host's program gets the terminal's */
}

static void free_rows(struct pred *p)
{
	free(p->exp), free(p->work), free(p->truth), free(p->cells), free(p->prev.cells);
	free(p->pages), free(p->pages_h), free(p->page), free(p->page_h), free(p->vh);
	free(p->vrow), free(p->exp_h);
}

static bool alloc_rows(struct pred *p, int rows, int cols)
{
	size_t rc = (size_t)rows * (size_t)cols;
	struct pred q = {
		.exp = calloc((size_t)PRED_MAX_KEYS * (size_t)cols, sizeof *q.exp),
		.work = calloc((size_t)cols, sizeof *q.work),
		.truth = calloc((size_t)cols, sizeof *q.truth),
		.cells = calloc(rc, sizeof *q.cells),
		.prev.cells = calloc(rc, sizeof *q.prev.cells),
		.pages = calloc((size_t)PRED_LESS_PAGES * rc, sizeof *q.pages),
		.pages_h = calloc((size_t)PRED_LESS_PAGES * (size_t)rows, sizeof *q.pages_h),
		.page = calloc(rc, sizeof *q.page),
		.page_h = calloc((size_t)rows, sizeof *q.page_h),
		.vh = calloc((size_t)rows, sizeof *q.vh),
		.vrow = calloc((size_t)rows, sizeof *q.vrow),
		.exp_h = calloc((size_t)PRED_MAX_KEYS * (size_t)rows, sizeof *q.exp_h),
	};

	if (!q.exp || !q.work || !q.truth || !q.cells || !q.prev.cells || !q.pages || !q.pages_h ||
	    !q.page || !q.page_h || !q.vh || !q.vrow || !q.exp_h) {
		free_rows(&q);
		return false;
	}
	free_rows(p);
	p->exp = q.exp, p->work = q.work, p->truth = q.truth, p->cells = q.cells;
	p->prev.cells = q.prev.cells, p->pages = q.pages, p->pages_h = q.pages_h, p->page = q.page;
	p->page_h = q.page_h, p->vh = q.vh, p->vrow = q.vrow, p->exp_h = q.exp_h;
	p->ov.cells = q.cells;
	p->npages = p->page_at = 0;
	p->page_due = true;
	return true;
}

static void to_model(void *ctx, const void *buf, size_t n)
{
	struct pred *p = ctx;

	vterm_input_write(p->vt, buf, n);
}

struct pred *pred_create(int rows, int cols, enum pred_policy policy)
{
	struct pred *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	if (rows < 1)
		rows = 1;
	if (cols < 2)
		cols = 2;
	p->rows = rows, p->cols = cols;
	p->policy = policy;
	p->srtt_ms = -1;
	p->start_col = p->start_row = -1;
	p->vt = vterm_new(rows, cols);
	p->wvt = vterm_new(1, 8);
	if (!p->vt || !p->wvt || !alloc_rows(p, rows, cols))
		goto fail;
	p->filter_ok = kpty_vtfilter_init(&p->filter, to_model, p);
	if (!p->filter_ok)
		goto fail;
	kpty_vtfilter_set_cols(&p->filter, cols);
	vterm_set_utf8(p->vt, 1);
	vterm_set_utf8(p->wvt, 1);
	vterm_output_set_callback(p->vt, discard, NULL);
	vterm_output_set_callback(p->wvt, discard, NULL);
	p->vs = vterm_obtain_screen(p->vt);
	vterm_screen_set_callbacks(p->vs, &model_cbs, p);
	vterm_screen_enable_altscreen(p->vs, 1);
	vterm_screen_reset(p->vs, 1);
	vterm_input_write(p->vt, KPTY_VTFILTER_START, strlen(KPTY_VTFILTER_START));
	vterm_screen_reset(vterm_obtain_screen(p->wvt), 1);
	return p;
fail:
	pred_destroy(p);
	return NULL;
}

void pred_destroy(struct pred *p)
{
	if (!p)
		return;
	if (p->filter_ok)
		kpty_vtfilter_finish(&p->filter);
	if (p->vt)
		vterm_free(p->vt);
	if (p->wvt)
		vterm_free(p->wvt);
	free_rows(p);
	free(p);
}

static void clear_keys(struct pred *p)
{
	p->n = 0;
	p->head = 0;
}

/* Nothing typed so far can be trusted to be where it was: wait for the
 * host to have consumed all of it. */
static void hold_all(struct pred *p)
{
	if ((int32_t)(p->last_seq - p->hold) > 0)
		p->hold = p->last_seq;
	clear_keys(p);
	p->exact_line_set = false;
}

void pred_resize(struct pred *p, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 2)
		cols = 2;
	if (rows == p->rows && cols == p->cols)
		return;
	if (!alloc_rows(p, rows, cols))
		return; /* out of memory: the old size, and nothing predicted */
	vterm_set_size(p->vt, rows, cols);
	kpty_vtfilter_set_cols(&p->filter, cols);
	{
		VTermPos cur;
		char fix[KPTY_VTFILTER_RESIZE_FIX];
		vterm_state_get_cursorpos(vterm_obtain_state(p->vt), &cur);
		vterm_input_write(p->vt, fix, kpty_vtfilter_resize_fix(fix, rows, cols, cur.row, cur.col));
	}
	p->rows = rows, p->cols = cols;
	p->ov.n = p->prev.n = 0;
	p->ov.cursor = p->prev.cursor = false;
	hold_all(p);
}

void pred_output(struct pred *p, const void *buf, size_t n)
{
	if (n)
		kpty_vtfilter_feed(&p->filter, buf, n);
}

struct VTermScreen *pred_screen(struct pred *p)
{
	return p->vs;
}

struct VTermState *pred_state(struct pred *p)
{
	return vterm_obtain_state(p->vt);
}

void pred_size(const struct pred *p, int *rows, int *cols)
{
	*rows = p->rows;
	*cols = p->cols;
}

const struct pred_stats *pred_stats(const struct pred *p)
{
	return &p->st;
}

int pred_srtt_ms(const struct pred *p)
{
	return p->srtt_ms;
}

bool pred_policy_parse(const char *s, enum pred_policy *out)
{
	static const char *const names[] = {[PRED_NEVER] = "never", [PRED_ADAPTIVE] = "adaptive",
					    [PRED_ALWAYS] = "always"};

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*out = (enum pred_policy)i;
			return true;
		}
	return false;
}

/* Columns libvterm gives cp: the model's own widths (0: combining). */
static int width_of(struct pred *p, uint32_t cp)
{
	char b[8];
	int n = 0;
	VTermPos pos;

	if (cp < 0x80) {
		return 1;
	} else if (cp < 0x800) {
		b[n++] = (char)(0xc0 | cp >> 6);
	} else if (cp < 0x10000) {
		b[n++] = (char)(0xe0 | cp >> 12);
		b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
	} else {
		b[n++] = (char)(0xf0 | cp >> 18);
		b[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
	}
	b[n++] = (char)(0x80 | (cp & 0x3f));
	vterm_input_write(p->wvt, "\033[H\033[2K", 7);
	vterm_input_write(p->wvt, "a", 1);
	vterm_input_write(p->wvt, b, (size_t)n);
	vterm_state_get_cursorpos(vterm_obtain_state(p->wvt), &pos);
	return pos.col - 1;
}

static void put_utf8(uint32_t cp, char out[8])
{
	int n = 0;

	if (cp < 0x80) {
		out[n++] = (char)cp;
	} else if (cp < 0x800) {
		out[n++] = (char)(0xc0 | cp >> 6);
		out[n++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		out[n++] = (char)(0xe0 | cp >> 12);
		out[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[n++] = (char)(0x80 | (cp & 0x3f));
	} else {
		out[n++] = (char)(0xf0 | cp >> 18);
		out[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
		out[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[n++] = (char)(0x80 | (cp & 0x3f));
	}
	out[n] = 0;
}

/* A colour with the bytes its kind does not use 0 (pens compare whole). */
static VTermColor color_of(const VTermColor *c)
{
	VTermColor o;

	memset(&o, 0, sizeof o);
	o.type = c->type;
	if (VTERM_COLOR_IS_INDEXED(c))
		o.indexed.idx = c->indexed.idx;
	else
		o.rgb.red = c->rgb.red, o.rgb.green = c->rgb.green, o.rgb.blue = c->rgb.blue;
	return o;
}

static void read_row(struct pred *p, int row, struct wc *out)
{
	for (int c = 0; c < p->cols; c++) {
		VTermScreenCell cell;
		vterm_screen_get_cell(p->vs, (VTermPos){row, c}, &cell);
		if (cell.chars[0] == CONT) {
			out[c] = (struct wc){.cp = CONT, .width = 0};
			continue;
		}
		out[c] = (struct wc){
			.cp = cell.chars[0] ? cell.chars[0] : BLANK,
			.width = (int8_t)(cell.width == 2 ? 2 : 1),
			.attrs = (uint8_t)((cell.attrs.bold ? PRED_BOLD : 0) |
					   (cell.attrs.underline ? PRED_UNDERLINE : 0) |
					   (cell.attrs.italic ? PRED_ITALIC : 0) |
					   (cell.attrs.blink ? PRED_BLINK : 0) |
					   (cell.attrs.reverse ? PRED_REVERSE : 0) |
					   (cell.attrs.strike ? PRED_STRIKE : 0)),
			.fg = color_of(&cell.fg),
			.bg = color_of(&cell.bg),
		};
	}
}

static bool same(struct wc a, struct wc b)
{
	return a.cp == b.cp && a.width == b.width;
}

/* Same character and pen (less's page, drawn in its own pen). */
static bool same_pen(const struct wc *a, const struct wc *b)
{
	return same(*a, *b) && a->attrs == b->attrs && !memcmp(&a->fg, &b->fg, sizeof a->fg) &&
	       !memcmp(&a->bg, &b->bg, sizeof a->bg);
}

/* ---- contexts ---- */

static struct ctx *find_ctx(struct pred *p, long now_ms)
{
	struct ctx *free_c = NULL, *old = NULL;

	for (int i = 0; i < PRED_MAX_CONTEXTS; i++) {
		struct ctx *c = &p->ctxs[i];
		if (!c->used) {
			free_c = free_c ? free_c : c;
			continue;
		}
		if (c->flags == p->hc.flags && c->alt == p->alt && !strcmp(c->comm, p->hc.comm)) {
			c->used_at = now_ms;
			return c;
		}
		if (!old || c->used_at < old->used_at)
			old = c;
	}
	struct ctx *c = free_c ? free_c : old;
	memset(c, 0, sizeof *c);
	c->used = true;
	c->flags = p->hc.flags;
	c->alt = p->alt;
	c->used_at = now_ms;
	memcpy(c->comm, p->hc.comm, sizeof c->comm);
	return c;
}

static void judge(struct pred *p, long now_ms, const VTermPos *cur);
static bool in_trusted(const struct pred *p);

void pred_context(struct pred *p, uint32_t seq, const struct pred_context *c)
{
	bool changed = !p->have_ctx || p->hc.flags != c->flags || p->hc.pgid != c->pgid ||
		       strcmp(p->hc.comm, c->comm);
	VTermPos cur;

	(void)seq; /* keys typed since may have gone to either: all wait */
	if (changed && p->have_ctx && p->cur && p->n) {
		/* The keys the old context answered are on screen now (this
		 * comes after that output): judged in it before they go. */
		vterm_state_get_cursorpos(vterm_obtain_state(p->vt), &cur);
		judge(p, p->now_ms, &cur);
	}
	if (p->have_ctx && p->hc.pgid != c->pgid)
		p->npages = 0; /* another program's pages (less on another file) */
	if (changed)
		p->page_due = true; /* less may have come: its first page */
	p->hc = *c;
	p->hc.comm[PRED_COMM_BYTES] = 0;
	p->have_ctx = true;
	if (changed) {
		p->distrust = !in_trusted(p);
		p->distrust_seq = p->last_seq;
		p->vi_cmd = p->vi_arg = false;
		p->prev_key = 0;
		p->less_line = LESS_PROMPT;
		hold_all(p);
	}
}

/* The context now is one trusted: its index, or -1. */
static int trusted_at(const struct pred *p)
{
	for (int i = 0; i < p->ntrusted; i++) {
		const struct trusted *t = &p->trusted[i];
		if (t->c.flags == p->hc.flags && t->c.pgid == p->hc.pgid && t->alt == p->alt &&
		    !strcmp(t->c.comm, p->hc.comm))
			return i;
	}
	return -1;
}

static bool in_trusted(const struct pred *p)
{
	return trusted_at(p) >= 0;
}

/* The context now is no longer trusted (distrusted, or wrong). */
static void untrust(struct pred *p)
{
	int i = trusted_at(p);

	if (i >= 0)
		p->trusted[i] = p->trusted[--p->ntrusted];
}

/* A key confirmed with its line trusted: the context now is trusted. */
static void trust(struct pred *p, long now_ms)
{
	int i = trusted_at(p);

	if (i < 0 && p->ntrusted < PRED_MAX_TRUSTED) {
		i = p->ntrusted++;
	} else if (i < 0) {
		i = 0;
		for (int j = 1; j < p->ntrusted; j++)
			if (p->trusted[j].at < p->trusted[i].at)
				i = j;
	}
	p->trusted[i] = (struct trusted){.c = p->hc, .alt = p->alt, .at = now_ms};
}

/* Keys typed after seq show only once one of them was confirmed. */
static void distrust_after(struct pred *p, uint32_t seq)
{
	p->distrust = true;
	p->distrust_seq = seq;
	untrust(p);
}

static bool distrusted(const struct pred *p, uint32_t seq)
{
	return p->distrust && (int32_t)(seq - p->distrust_seq) > 0;
}

/* ---- keys ---- */

static struct key *add_key(struct pred *p, uint32_t seq, enum kind kind, uint32_t cp,
			   int width, long now_ms)
{
	struct key *k;

	p->st.keys++;
	if (p->n == PRED_MAX_KEYS) {
		/* Too far ahead of the host: this one waits, and so does all. */
		p->hold = seq;
		return NULL;
	}
	k = &p->keys[(p->head + p->n++) % PRED_MAX_KEYS];
	memset(k, 0, sizeof *k);
	k->seq = seq;
	k->hold = p->hold;
	k->kind = (uint8_t)kind;
	k->cp = cp;
	k->width = width;
	k->t_ms = now_ms;
	k->line = p->line;
	return k;
}

/* What readline's control key c does, in a context that proved to be a
 * line editor and did not answer c otherwise: a motion, else -1. */
static int ctl_kind(struct pred *p, uint8_t c, long now_ms)
{
	struct ctx *x = find_ctx(p, now_ms);
	int kind = c == 0x01 ? K_HOME : c == 0x05 ? K_END : c == 0x02 ? K_LEFT : c == 0x06 ? K_RIGHT : -1;

	if (kind < 0 || !x->editor || (x->ctl_never & 1u << c))
		return -1;
	return kind;
}

/* A key nothing predicts: what follows waits for its answer. The keys
 * before it not yet answered may be answered with it (sent in one INPUT,
 * or in INPUTs the host read together): the cursor is then past them,
 * so only their cells count. */
static void boundary(struct pred *p, uint32_t seq)
{
	p->hold = seq;
	for (unsigned i = 0; i < p->n; i++)
		p->keys[(p->head + i) % PRED_MAX_KEYS].tail_held = true;
}

static int vi_bit(uint8_t c)
{
	return c == 'h' ? 0 : c == 'l' ? 1 : c == '0' ? 2 : 3;
}

/* Commands that keep vi's command mode, not predicted (another row, a
 * word, a page, a change elsewhere); and those whose next key is their
 * argument (a count, an operator's motion, a character to find or put). */
#define VI_KEEP "jkwbeWBE$^GHLMnNuJpP~;,%{}()+-_"
#define VI_ARG "123456789dyg<>zZftFTmr'`\"@q"

/* Key c typed in vi's command mode: 1 taken (a K_V* key, or a boundary
 * that keeps the mode); 0 it ends the mode, and is a key as any other. */
static bool vi_cmd_key(struct pred *p, uint32_t seq, uint8_t c, long now_ms)
{
	struct ctx *x = find_ctx(p, now_ms);
	bool arg = p->vi_arg;

	p->vi_arg = false;
	if (arg && c >= 0x20 && c < 0x7f) { /* an argument: the command's own */
		boundary(p, seq);
		p->vi_arg = c >= '0' && c <= '9'; /* a count goes on */
		return true;
	}
	if (!arg && (c == 'h' || c == 'l' || c == '0' || c == 'x') &&
	    !(x->vi_never & 1u << vi_bit(c))) {
		struct key *k = add_key(p, seq,
					c == 'h' ? K_VLEFT : c == 'l' ? K_VRIGHT : c == '0' ? K_VZERO : K_VDEL,
					0, 0, now_ms);
		if (k)
			k->vi = c;
		return true;
	}
	if (c && strchr(VI_KEEP, c)) {
		boundary(p, seq);
		return true;
	}
	if (c && strchr(VI_ARG, c)) {
		boundary(p, seq);
		p->vi_arg = true;
		return true;
	}
	p->vi_cmd = false;
	return false;
}

/* An escape sequence at b[0] (ESC): its length and kind, or -1 kind. */
static size_t escape(const uint8_t *b, size_t n, int *kind)
{
	*kind = -1;
	if (n < 2 || (b[1] != '[' && b[1] != 'O'))
		return 1; /* Escape alone (or Alt+key): a boundary */
	size_t i = 2;
	while (i < n && b[i] >= 0x20 && b[i] < 0x40)
		i++; /* parameters, intermediates */
	if (i >= n)
		return n;
	uint8_t f = b[i];
	size_t len = i + 1;
	bool plain = i == 2; /* no parameters */
	if (plain && (f == 'D'))
		*kind = K_LEFT;
	else if (plain && f == 'C')
		*kind = K_RIGHT;
	else if (plain && f == 'H')
		*kind = K_HOME;
	else if (plain && f == 'F')
		*kind = K_END;
	else if (b[1] == '[' && f == '~' && i == 3 && (b[2] == '1' || b[2] == '7'))
		*kind = K_HOME;
	else if (b[1] == '[' && f == '~' && i == 3 && (b[2] == '4' || b[2] == '8'))
		*kind = K_END;
	return len;
}

/* The UTF-8 character at b: its length and code point, 0 if malformed. */
static size_t utf8(const uint8_t *b, size_t n, uint32_t *cp)
{
	size_t len = b[0] < 0xc2 ? 0 : b[0] < 0xe0 ? 2 : b[0] < 0xf0 ? 3 : b[0] < 0xf5 ? 4 : 0;
	uint32_t v;

	if (!len || len > n)
		return 0;
	v = b[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((b[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (b[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) || v > 0x10ffff ||
	    (v >= 0xd800 && v < 0xe000))
		return 0;
	*cp = v;
	return len;
}

/* less's commands that are whole at their own key (moves, pages, a
 * search again): after one it is back at its prompt, where '/' and '?'
 * begin a search. Not after a count or a prefix (':', '-', ESC, m, ' ...),
 * whose prompt may look the same and which would take it otherwise. */
#define LESS_DONE " jkbfdugGnNeywz\r"

/* c is less's search key, at its prompt as far as the keys tell (the
 * screen is looked at when it is replayed). */
static bool less_search_key(struct pred *p, uint8_t c, long now_ms)
{
	return (c == '/' || c == '?') && p->alt && !strcmp(p->hc.comm, "less") && p->prev_key &&
	       p->less_line == LESS_PROMPT && strchr(LESS_DONE, p->prev_key) &&
	       !find_ctx(p, now_ms)->search_never;
}

/* A key typed now is one of less's commands (at its prompt, not on a
 * search's line or a count). */
static bool less_command(const struct pred *p)
{
	return p->alt && p->less_line == LESS_PROMPT && !strcmp(p->hc.comm, "less");
}

/* c is less's back one line, at its prompt after one of its whole
 * commands (not a count's: "5k" goes back five). */
static bool less_scroll_key(struct pred *p, uint8_t c, long now_ms)
{
	return (c == 'k' || c == 'y') && p->alt && !strcmp(p->hc.comm, "less") && p->prev_key &&
	       p->less_line == LESS_PROMPT && strchr(LESS_DONE, p->prev_key) &&
	       !find_ctx(p, now_ms)->scroll_never;
}

/* c goes on a count at less's prompt: a digit after one of its whole
 * commands (less shows ":5" and waits for the command it counts) or
 * after the count's digits, or a backspace in the count. */
static bool less_count_key(struct pred *p, uint8_t c, long now_ms)
{
	if (!p->alt || strcmp(p->hc.comm, "less") || find_ctx(p, now_ms)->count_never)
		return false;
	if (p->less_line == LESS_COUNT)
		return (c >= '0' && c <= '9') || c == 0x7f || c == 0x08;
	return c >= '1' && c <= '9' && p->less_line == LESS_PROMPT && p->prev_key &&
	       strchr(LESS_DONE, p->prev_key);
}

void pred_keys(struct pred *p, uint32_t seq, const void *buf, size_t n, long now_ms)
{
	const uint8_t *b = buf;

	if (!n)
		return;
	p->now_ms = now_ms;
	p->last_seq = seq;
	if (!p->probe) {
		p->probe = true;
		p->probe_seq = seq;
		p->probe_ms = now_ms;
	}
	if (p->policy == PRED_NEVER || !p->have_ctx || (p->hc.flags & PRED_CTX_ICANON)) {
		/* Nothing predicted; if the context turns out otherwise, these
		 * must have been answered first. */
		boundary(p, seq);
		p->prev_key = b[n - 1];
		return;
	}
	for (size_t i = 0; i < n;) {
		uint8_t c = b[i];
		uint32_t cp;
		size_t len;
		int kind;

		bool counted = p->less_line == LESS_COUNT && !less_count_key(p, c, now_ms);
		if (counted)
			p->less_line = LESS_PROMPT; /* the command the count is for */
		if (p->vi_cmd && p->alt && c != 0x1b && vi_cmd_key(p, seq, c, now_ms)) {
			i++;
		} else if (less_count_key(p, c, now_ms)) {
			struct key *k;
			if (p->less_line != LESS_COUNT) {
				p->less_line = LESS_COUNT;
				p->line++; /* the count's line starts after the ':' */
				p->line_after_set = false;
			}
			k = add_key(p, seq, c >= '0' && c <= '9' ? K_CHAR : K_BS, c, 1, now_ms);
			if (k)
				k->less_num = true;
			i++;
		} else if (c == 0x7f || c == 0x08) {
			add_key(p, seq, K_BS, 0, 0, now_ms);
			i++;
		} else if (c == 0x1b) {
			len = escape(b + i, n - i, &kind);
			if (kind < 0) {
				boundary(p, seq);
				p->less_line = LESS_PROMPT; /* less leaves a search */
			}
			if (kind < 0 && (len == 1 || p->alt))
				distrust_after(p, seq); /* a modal editor's command mode */
			if (len == 1 && p->alt) {
				p->vi_cmd = true;
				p->vi_arg = false;
			}
			if (kind >= 0)
				add_key(p, seq, (enum kind)kind, 0, 0, now_ms);
			i += len;
		} else if (less_scroll_key(p, c, now_ms)) {
			add_key(p, seq, K_SCROLL, c, 1, now_ms);
			i++;
		} else if (less_search_key(p, c, now_ms)) {
			p->less_line = LESS_SEARCH;
			add_key(p, seq, K_SEARCH, c, 1, now_ms);
			p->line++; /* what is typed on the search's line starts after it */
			p->line_after_set = false; /* its start: its first key's */
			i++;
		} else if (c >= 0x20 && c < 0x7f && (counted || less_command(p))) {
			/* less never echoes a command: its answer is its own,
			 * and the keys before it count by their cells */
			boundary(p, seq);
			distrust_after(p, seq);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			add_key(p, seq, K_CHAR, c, 1, now_ms);
			i++;
		} else if ((kind = ctl_kind(p, c, now_ms)) >= 0) {
			struct key *k = add_key(p, seq, (enum kind)kind, 0, 0, now_ms);
			if (k)
				k->ctl = c;
			i++;
		} else if (c >= 0xc2 && (len = utf8(b + i, n - i, &cp)) && cp >= 0xa0) {
			int w = width_of(p, cp);
			if (w == 1 || w == 2)
				add_key(p, seq, K_CHAR, cp, w, now_ms);
			else
				boundary(p, seq); /* combining: libvterm joins it to what is there */
			i += len;
		} else {
			/* Enter, ^C, Tab, ^D, other controls, malformed UTF-8;
			 * Enter, ^C and ^D end the line too. */
			boundary(p, seq);
			p->less_line = LESS_PROMPT;
			if (p->alt)
				distrust_after(p, seq);
			if (c == '\r' || c == '\n' || c == 0x03 || c == 0x04) {
				p->line++;
				p->line_after = seq;
				p->line_after_set = true;
			}
			i++;
		}
		p->prev_key = b[i - 1];
	}
}

void pred_let_go(struct pred *p, uint32_t seq, uint32_t upto)
{
	/* Keys are kept in the order sent: the ones let go are the last. */
	while (p->n) {
		struct key *k = &p->keys[(p->head + p->n - 1) % PRED_MAX_KEYS];
		if ((int32_t)(k->seq - seq) <= 0 || (int32_t)(k->seq - upto) > 0)
			break;
		p->n--;
	}
	/* A line ended by a key let go: its end is the one typed again. */
	if (p->line_after_set && (int32_t)(p->line_after - seq) > 0 &&
	    (int32_t)(p->line_after - upto) <= 0)
		p->line_after_set = false;
}

/* ---- acks and answers ---- */

static int rtt_sample(struct pred *p, int ms)
{
	if (ms < 0)
		ms = 0;
	p->srtt_ms = p->srtt_ms < 0 ? ms : (7 * p->srtt_ms + ms) / 8;
	return ms;
}

void pred_ack(struct pred *p, uint32_t seq, long now_ms)
{
	p->now_ms = now_ms;
	if (p->any_acked && (int32_t)(seq - p->acked) <= 0)
		return;
	p->acked = seq;
	p->any_acked = true;
	if (p->probe && (int32_t)(seq - p->probe_seq) >= 0) {
		p->probe = false;
		if (rtt_sample(p, (int)(now_ms - p->probe_ms)) > PRED_GLITCH_MS)
			p->glitch_until = now_ms + PRED_GLITCH_HOLD_MS;
	}
	for (unsigned i = 0; i < p->n; i++) {
		struct key *k = &p->keys[(p->head + i) % PRED_MAX_KEYS];
		if ((int32_t)(k->seq - seq) > 0)
			break;
		if (!k->acked) {
			k->acked = true;
			if (rtt_sample(p, (int)(now_ms - k->t_ms)) > PRED_GLITCH_MS)
				p->glitch_until = now_ms + PRED_GLITCH_HOLD_MS;
		}
	}
}

void pred_consumed(struct pred *p, uint32_t seq)
{
	if (!p->any_consumed || (int32_t)(seq - p->consumed) > 0)
		p->consumed = seq;
	p->any_consumed = true;
	p->page_due = true; /* less waits again: its page is whole */
	if (p->probe && (int32_t)(seq - p->probe_seq) >= 0)
		p->probe = false; /* read, nothing said: no answer to time */
	/* Keys the program read and said nothing to (a no-echo prompt) got
	 * their answer too: no glitch of the link, and no round trip
	 * sampled from the next OUTPUT, which may come much later. */
	for (unsigned i = 0; i < p->n; i++) {
		struct key *k = &p->keys[(p->head + i) % PRED_MAX_KEYS];
		if ((int32_t)(k->seq - seq) > 0)
			break;
		k->acked = true;
	}
}

static bool covers(uint32_t upto, bool any, uint32_t seq)
{
	return any && (int32_t)(upto - seq) >= 0;
}

/* ---- replay ---- */

/* k was replayed: whether the run of keys known exactly goes on (less's
 * search prompt, then characters and backspaces typed on it). */
static void exact_run(struct pred *p, const struct key *k)
{
	if (k->kind == K_SEARCH) {
		p->replay_exact = true;
		p->replay_count = false;
	} else if (k->less_num || k->kind == K_SCROLL) {
		/* (after a scroll, as after a count, a character is a command) */
		p->replay_exact = p->replay_count = true;
	} else if ((k->kind != K_CHAR && k->kind != K_BS) || p->replay_count) {
		/* the key after a count is the command it counts */
		p->replay_exact = p->replay_count = false;
	}
}

static bool blank(struct wc c)
{
	return c.cp == BLANK && c.width == 1;
}

/* The column just after the row's last character. */
static int text_end(const struct wc *w, int cols)
{
	int e = cols;

	while (e > 0 && blank(w[e - 1]))
		e--;
	return e;
}

static struct key *key_at(struct pred *p, unsigned i)
{
	return &p->keys[(p->head + i) % PRED_MAX_KEYS];
}

/* A replay begins known exactly on the line of less's prompt whose keys
 * were confirmed so. */
static void replay_start(struct pred *p)
{
	p->vpage = false;
	p->replay_exact = p->exact_line_set && p->n && key_at(p, 0)->line == p->exact_line;
	p->replay_count = p->replay_exact && p->exact_count;
}

/* less's prompt line with a count typed on it: a ':' and digits, the
 * cursor after them. */
static bool count_row(const struct pred *p, const struct wc *w, int c)
{
	if (!p->replay_last_row || c < 1 || w[0].cp != ':' || text_end(w, p->cols) != c)
		return false;
	for (int i = 1; i < c; i++)
		if (w[i].cp < '0' || w[i].cp > '9')
			return false;
	return true;
}

/* ---- less's pages ---- */

static uint64_t row_hash(const struct wc *w, int cols)
{
	uint64_t h = 14695981039346656037ull;

	for (int c = 0; c < cols; c++)
		h = (h ^ (w[c].cp * 4u + (uint32_t)w[c].width)) * 1099511628211ull;
	return h;
}

/* The true page (every row but the last) into page and page_h. */
static void read_page(struct pred *p)
{
	p->st.page_reads++;
	for (int r = 0; r < p->rows - 1; r++) {
		struct wc *w = p->page + (size_t)r * (size_t)p->cols;
		read_row(p, r, w);
		p->page_h[r] = row_hash(w, p->cols);
	}
}

/* less at rest at its prompt, no key outstanding, once after each
 * CONSUMED (or a new context): its page kept, unless it is the one kept
 * last. Output alone (less +F streaming a file) reads nothing. */
static void keep_page(struct pred *p, const VTermPos *cur)
{
	int rows = p->rows - 1;
	size_t rc = (size_t)p->rows * (size_t)p->cols;

	if (!p->page_due || rows < 2 || !p->alt || strcmp(p->hc.comm, "less") ||
	    cur->row != p->rows - 1 || p->n ||
	    (p->last_seq && !covers(p->consumed, p->any_consumed, p->last_seq)))
		return;
	p->page_due = false;
	read_page(p);
	if (p->npages) {
		int last = (p->page_at + PRED_LESS_PAGES - 1) % PRED_LESS_PAGES;
		if (!memcmp(p->pages_h + (size_t)last * (size_t)p->rows, p->page_h,
			    (size_t)rows * sizeof *p->page_h))
			return;
	}
	memcpy(p->pages + (size_t)p->page_at * rc, p->page, rc * sizeof *p->page);
	memcpy(p->pages_h + (size_t)p->page_at * (size_t)p->rows, p->page_h,
	       (size_t)p->rows * sizeof *p->page_h);
	p->page_at = (p->page_at + 1) % PRED_LESS_PAGES;
	if (p->npages < PRED_LESS_PAGES)
		p->npages++;
}

/* The row above the replay's page, from a page kept whose rows lower
 * down are the top half of it or more (none blank, none reaching the
 * last column: a line less wrapped moves by more than a row), every
 * such page saying the same; NULL if none says or they differ. */
static const struct wc *row_above(struct pred *p)
{
	int rows = p->rows - 1, cols = p->cols;
	const struct wc *found = NULL;
	uint64_t found_h = 0;

	for (int i = 0; i < rows; i++)
		if (text_end(p->vrow[i], cols) >= cols)
			return NULL;
	for (int s = 0; s < p->npages; s++) {
		const uint64_t *h = p->pages_h + (size_t)s * (size_t)p->rows;
		const struct wc *pg = p->pages + (size_t)s * (size_t)p->rows * (size_t)cols;
		for (int d = 1; rows - d >= (rows + 1) / 2 && rows - d >= 2; d++) {
			bool same = true;
			for (int i = 0; i < rows - d && same; i++)
				same = h[d + i] == p->vh[i] && text_end(p->vrow[i], cols) > 0;
			if (!same)
				continue;
			const struct wc *w = pg + (size_t)(d - 1) * (size_t)cols;
			int e = text_end(w, cols);
			if (e >= cols || e == 0 || (found && found_h != h[d - 1]))
				return NULL;
			found = w, found_h = h[d - 1];
		}
	}
	return found;
}

/* less's back one line on the replay's page: false if the row above is
 * not known. */
static bool scroll_back(struct pred *p)
{
	int rows = p->rows - 1;
	const struct wc *up;

	if (rows < 2)
		return false;
	if (!p->vpage) {
		read_page(p);
		for (int i = 0; i < rows; i++) {
			p->vrow[i] = p->page + (size_t)i * (size_t)p->cols;
			p->vh[i] = p->page_h[i];
		}
	}
	up = row_above(p);
	if (!up)
		return false;
	memmove(p->vrow + 1, p->vrow, (size_t)(rows - 1) * sizeof *p->vrow);
	memmove(p->vh + 1, p->vh, (size_t)(rows - 1) * sizeof *p->vh);
	p->vrow[0] = up;
	p->vh[0] = row_hash(up, p->cols);
	p->vpage = true;
	return true;
}

/* A key typed in the middle of a line while the context has not shown
 * insert or overwrite, in a line editor (its cursor keys or backspace
 * came back as predicted): readline, python's REPL, zsh, fish and vim's
 * insert mode all insert unless told otherwise, so the guess is insert,
 * drawn at once, and what follows it on the line too. Answered otherwise
 * once, the context overwrites from then on. (In a context not known as a
 * line editor, or with the text right of the cursor only past blanks, the
 * guess is worked out but not drawn.) */
static bool insert_guess(const struct pred *p, const struct key *k)
{
	return k->learning && k->near && !k->ctl && !k->vi &&
	       (k->kind == K_CHAR || k->kind == K_BS) && p->cur->editor;
}

/* Text at the cursor c, on it or just after it: the line's own tail. A
 * tail only past blanks is more likely a right prompt (zsh's RPROMPT),
 * which stays where it is as the line grows: not guessed insert. */
static bool tail_near(const struct wc *w, int c, int end)
{
	return !blank(w[c]) || (c + 1 < end && !blank(w[c + 1]));
}

/* Apply k to the row w with the cursor at *col; false if it cannot be
 * predicted (the keys from it on wait for the host). */
static bool apply(struct pred *p, struct key *k, struct wc *w, int *col, int *lo, int *hi)
{
	int c = *col, n = p->cols, s0 = p->start_col;
	int end = text_end(w, n);

	if (c < 0 || c >= n || w[c].width == 0)
		return false;
	k->learning = k->ctl && !(p->cur->ctl_known & 1u << k->ctl);
	k->near = false;
	if (k->vi)
		k->learning = !(p->cur->vi_known & 1u << vi_bit(k->vi));
	if (k->less_num && !count_row(p, w, c))
		return false; /* not at less's prompt, as far as the screen tells */
	switch (k->kind) {
	case K_CHAR: {
		int wd = k->width;
		bool mid = end > c;
		bool insert = true;
		if (c + wd >= n) /* never into the last column: the wrap is the program's */
			return false;
		if (mid) {
			insert = p->cur->insert != 2;
			k->learning = p->cur->insert == 0;
			k->near = tail_near(w, c, end);
		}
		if (insert && mid) {
			if (end + wd >= n)
				return false; /* the tail would wrap */
			memmove(w + c + wd, w + c, (size_t)(end - c) * sizeof *w);
			if (end + wd > *hi)
				*hi = end + wd;
		} else {
			/* Overwrite: a wide character half covered is not predicted. */
			if (w[c + wd - 1].width == 2 || (c + wd < n && w[c + wd].width == 0))
				return false;
			/* The tail stays: that is what tells it from an insert. */
			if (end > *hi)
				*hi = end;
		}
		w[c] = (struct wc){.cp = k->cp, .width = (int8_t)wd};
		if (wd == 2)
			w[c + 1] = (struct wc){.cp = CONT, .width = 0};
		if (c < *lo)
			*lo = c;
		if (c + wd > *hi)
			*hi = c + wd;
		*col = c + wd;
		return true;
	}
	case K_BS: {
		if (s0 < 0)
			return false;
		if (c <= s0) /* at the start of the input: nothing to erase */
			return !p->replay_exact; /* (less's search: it ends) */
		int wd = c >= 2 && w[c - 1].width == 0 ? 2 : 1;
		bool mid = end > c;
		if (mid && (p->cur->insert == 2 ||
			    (!p->cur->insert && (!p->cur->editor || !tail_near(w, c, end)))))
			return false; /* what overwrite mode does with it is the program's */
		if (mid && !p->cur->insert)
			k->learning = k->near = true; /* a line editor's: insert, guessed */
		memmove(w + c - wd, w + c, (size_t)(n - c) * sizeof *w);
		for (int i = n - wd; i < n; i++)
			w[i] = (struct wc){.cp = BLANK, .width = 1};
		if (c - wd < *lo)
			*lo = c - wd;
		if ((mid ? end : c) > *hi)
			*hi = mid ? end : c;
		*col = c - wd;
		return true;
	}
	case K_LEFT:
		if (s0 < 0)
			return false;
		if (c > s0)
			*col = c >= 2 && w[c - 1].width == 0 ? c - 2 : c - 1;
		return true;
	case K_RIGHT:
		if (c < end)
			*col = c + w[c].width;
		return *col < n;
	case K_HOME:
		if (s0 < 0)
			return false;
		*col = s0;
		return true;
	case K_END:
		if (s0 < 0)
			return false;
		*col = end > s0 ? end : s0;
		return *col < n;
	/* vi's command mode: the cursor is on a character, never past the
	 * line's last one. */
	case K_VLEFT:
		if (c > 0)
			*col = c >= 2 && w[c - 1].width == 0 ? c - 2 : c - 1;
		return true;
	case K_VRIGHT:
		if (c + w[c].width < end)
			*col = c + w[c].width;
		return true;
	case K_VZERO:
		*col = 0;
		return true;
	case K_SCROLL:
		/* less's prompt, as for its search: the page moves down a row
		 * (the row above it known), the prompt stays */
		if (!p->replay_last_row || c != 1 || w[0].cp != ':' || text_end(w, n) != 1)
			return false;
		return scroll_back(p);
	case K_SEARCH:
		/* less's prompt, a lone ':' on the last row with the cursor
		 * after it: the search's prompt takes its place. */
		if (!p->replay_last_row || c != 1 || w[0].cp != ':' || text_end(w, n) != 1)
			return false;
		w[0] = (struct wc){.cp = k->cp, .width = 1};
		if (0 < *lo)
			*lo = 0;
		if (1 > *hi)
			*hi = 1;
		return true;
	case K_VDEL: {
		int wd = w[c].width;
		if (c >= end)
			return true; /* nothing under the cursor */
		memmove(w + c, w + c + wd, (size_t)(n - c - wd) * sizeof *w);
		for (int i = n - wd; i < n; i++)
			w[i] = (struct wc){.cp = BLANK, .width = 1};
		if (c < *lo)
			*lo = c;
		if (end > *hi)
			*hi = end;
		if (c >= end - wd && c > 0) /* the last one went: onto the one before */
			*col = c >= 2 && w[c - 1].width == 0 ? c - 2 : c - 1;
		return true;
	}
	}
	return false;
}

static uint64_t *exp_page(struct pred *p, unsigned i)
{
	return p->exp_h + (size_t)((p->head + i) % PRED_MAX_KEYS) * (size_t)p->rows;
}

static struct wc *exp_row(struct pred *p, unsigned i)
{
	return p->exp + (size_t)((p->head + i) % PRED_MAX_KEYS) * (size_t)p->cols;
}

static void drop_front(struct pred *p, unsigned m)
{
	p->head = (p->head + m) % PRED_MAX_KEYS;
	p->n -= m;
}

static bool matches(struct pred *p, unsigned i, const VTermPos *cur)
{
	struct key *k = key_at(p, i);
	struct wc *e = exp_row(p, i);

	if (!k->expect || (!k->tail_held && (cur->row != k->row || cur->col != k->col)))
		return false;
	if (k->page) {
		read_page(p);
		if (memcmp(p->page_h, exp_page(p, i), (size_t)(p->rows - 1) * sizeof *p->page_h))
			return false;
	}
	read_row(p, k->row, p->truth);
	for (int c = k->lo; c < k->hi; c++)
		if (!same(e[c], p->truth[c]))
			return false;
	return true;
}

/* The screen shows k's character written over what was under the
 * cursor, the cursor after it: the program overwrites. (A key it did not
 * echo at all, vim's 'i' in command mode, says nothing of that.) */
static bool overwrote(struct pred *p, const struct key *k, const VTermPos *cur)
{
	int c = k->col - k->width;

	if (k->kind != K_CHAR || cur->row != k->row || cur->col != k->col || c < 0)
		return false;
	read_row(p, k->row, p->truth);
	return p->truth[c].cp == k->cp;
}

/* Judge the keys the host answered. */
static void judge(struct pred *p, long now_ms, const VTermPos *cur)
{
	int best = -1;

	for (unsigned i = 0; i < p->n; i++) {
		struct key *k = key_at(p, i);
		if (!covers(p->acked, p->any_acked, k->seq))
			break;
		if (k->expect && matches(p, i, cur))
			best = (int)i;
	}
	for (int i = 0; i <= best; i++) {
		struct key *k = key_at(p, (unsigned)i);
		p->cur->right++;
		p->st.right++;
		if (k->exact) {
			/* less's own prompt line: it vouches for no other key,
			 * and what follows on it is known as it was (not after
			 * a scroll: a command comes next) */
			p->exact_line_set = k->kind != K_SCROLL;
			p->exact_line = k->kind == K_SEARCH ? k->line + 1 : k->line;
			p->exact_count = k->less_num;
			continue;
		}
		if (k->vi) {
			/* vi's command mode goes on: its line stays distrusted */
			if (k->learning)
				p->cur->vi_known |= 1u << vi_bit(k->vi);
			continue;
		}
		if (k->learning && k->ctl)
			p->cur->ctl_known |= 1u << k->ctl;
		else if (k->learning)
			p->cur->insert = p->cur->insert ? p->cur->insert : 1;
		if (k->kind != K_CHAR && k->kind != K_SEARCH)
			p->cur->editor = true;
		if (k->kind == K_CHAR)
			p->vi_cmd = false; /* echoed: insert mode */
		if (distrusted(p, k->seq))
			p->distrust = false;
		if (!p->distrust)
			trust(p, now_ms);
	}
	if (best >= 0)
		drop_front(p, (unsigned)best + 1);
	/* What is left and answered: wrong once consumed, else in flight. */
	while (p->n) {
		struct key *k = key_at(p, 0);
		if (!covers(p->acked, p->any_acked, k->seq))
			break;
		if (!k->expect) {
			/* Answered before it was predicted: what it did is the
			 * host's to show; what follows waits for it. */
			if ((int32_t)(k->seq - p->hold) > 0)
				p->hold = k->seq;
			drop_front(p, 1);
			continue;
		}
		if (covers(p->consumed, p->any_consumed, k->seq) && k->exact && k->tail_held &&
		    k->kind != K_SCROLL) {
			/* less's prompt line read with the command after it (a
			 * count and what it counts): its echo is gone, no blame */
			hold_all(p);
			return;
		}
		if (covers(p->consumed, p->any_consumed, k->seq)) {
			if (k->kind == K_SEARCH) /* not less's prompt after all */
				p->cur->search_never = true;
			if (k->less_num) /* nor a count there */
				p->cur->count_never = true;
			if (k->kind == K_SCROLL) /* nor less's page as kept */
				p->cur->scroll_never = true;
			if (k->learning && (k->ctl || k->vi) && p->n > 1 &&
			    covers(p->acked, p->any_acked, key_at(p, 1)->seq)) {
				/* A guess answered together with the keys after
				 * it: not judged alone, nothing learned. */
			} else if (k->learning && k->ctl) {
				/* Not readline's: a boundary here from now on. */
				p->cur->ctl_never |= 1u << k->ctl;
			} else if (k->learning && k->vi) {
				/* Not vi's: the same. */
				p->cur->vi_never |= 1u << vi_bit(k->vi);
				p->vi_cmd = false;
			} else if (k->learning && overwrote(p, k, cur)) {
				/* The guess at insert was wrong: overwrite. The
				 * context's echo is as proven as it was (no
				 * demotion), but a guess drawn was a wrong glyph. */
				p->cur->insert = 2;
				if (k->shown) {
					p->st.wrong++;
					p->st.shown_wrong++;
				}
			} else if (!k->shown && distrusted(p, k->seq) &&
				   p->cur->right >= PRED_PROVE_RIGHT) {
				/* Hidden while its line was not trusted (a modal
				 * editor's command mode): nothing wrong was shown,
				 * and the context keeps what it proved. */
				p->st.wrong++;
			} else {
				untrust(p);
				p->cur->right = 0;
				p->st.wrong++;
				if (k->shown)
					p->st.shown_wrong++;
			}
			hold_all(p);
			return;
		}
		if (now_ms - k->t_ms > PRED_STALE_MS) {
			hold_all(p); /* a program that answers nothing: no blame */
			return;
		}
		break;
	}
}

/* A switch with two thresholds (mosh's rule of thumb): on above on_ms, off
 * below off_ms, as it was between them and while no round trip is known. */
static bool hysteresis(bool was, int rtt_ms, int on_ms, int off_ms)
{
	if (rtt_ms < 0)
		return was;
	if (rtt_ms > on_ms)
		return true;
	if (rtt_ms < off_ms)
		return false;
	return was;
}

static bool gate_on(struct pred *p, long now_ms)
{
	p->showing = hysteresis(p->showing, p->srtt_ms, PRED_SHOW_ON_MS, PRED_SHOW_OFF_MS);
	p->flagging = hysteresis(p->flagging, p->srtt_ms, PRED_FLAG_ON_MS, PRED_FLAG_OFF_MS);
	if (p->policy == PRED_ALWAYS)
		return true;
	return p->showing || now_ms < p->glitch_until;
}

bool pred_showing(const struct pred *p, long now_ms)
{
	if (p->policy != PRED_ADAPTIVE)
		return p->policy == PRED_ALWAYS;
	return now_ms < p->glitch_until ||
	       hysteresis(p->showing, p->srtt_ms, PRED_SHOW_ON_MS, PRED_SHOW_OFF_MS);
}

static bool overlay_same(const struct pred_overlay *a, const struct pred_overlay *b)
{
	if (a->n != b->n || a->cursor != b->cursor || a->underline != b->underline)
		return false;
	if (a->cursor && (a->row != b->row || a->col != b->col))
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->cells[i].col != b->cells[i].col || a->cells[i].row != b->cells[i].row ||
		    a->cells[i].width != b->cells[i].width || strcmp(a->cells[i].utf8, b->cells[i].utf8) ||
		    memcmp(&a->cells[i].pen, &b->cells[i].pen, sizeof a->cells[i].pen))
			return false;
	return true;
}

bool pred_update(struct pred *p, long now_ms)
{
	VTermPos cur;
	int col, lo, hi, shown_upto = 0, exact_upto = 0;
	bool show, hide = false;

	/* The last overlay, kept to tell whether this one differs. */
	p->prev.n = p->ov.n;
	memcpy(p->prev.cells, p->ov.cells, (size_t)p->ov.n * sizeof *p->ov.cells);
	p->prev.cursor = p->ov.cursor, p->prev.row = p->ov.row, p->prev.col = p->ov.col;
	p->prev.underline = p->ov.underline;
	p->ov.n = 0;
	p->ov.cursor = false;
	p->ov.underline = false;
	p->now_ms = now_ms;

	vterm_state_get_cursorpos(vterm_obtain_state(p->vt), &cur);
	/* A line's start is where the cursor is once the key that ended the
	 * line before is consumed (the program waits at its prompt), whether
	 * a key of it is replayed then or not: its first keys may be answered
	 * before they are (typed while the program was canonical, or held),
	 * and the cursor is then past them. */
	if (p->line_after_set && covers(p->consumed, p->any_consumed, p->line_after) &&
	    p->start_line != p->line) {
		p->start_line = p->line;
		p->start_row = cur.row;
		p->start_col = cur.col;
	}
	if (!p->have_ctx || (p->hc.flags & PRED_CTX_ICANON) || p->policy == PRED_NEVER) {
		clear_keys(p);
		goto out;
	}
	p->cur = find_ctx(p, now_ms);
	judge(p, now_ms, &cur);
	keep_page(p, &cur);
	if (p->n && !key_at(p, 0)->acked && now_ms - key_at(p, 0)->t_ms > PRED_GLITCH_MS)
		p->glitch_until = now_ms + PRED_GLITCH_HOLD_MS;
	if (!p->n)
		goto out;

	/* Replay what is not confirmed over the true row. */
	read_row(p, cur.row, p->work);
	col = cur.col;
	lo = p->cols, hi = 0;
	p->replay_last_row = cur.row == p->rows - 1;
	replay_start(p);
	for (unsigned i = 0; i < p->n; i++) {
		struct key *k = key_at(p, i);
		bool answered = covers(p->acked, p->any_acked, k->seq);
		if (!covers(p->consumed, p->any_consumed, k->hold) && k->hold)
			break; /* waits for the host */
		if (p->start_col < 0 || p->start_line != k->line || p->start_row != cur.row) {
			p->start_line = k->line;
			p->start_row = cur.row;
			p->start_col = cur.col;
		}
		if (!apply(p, k, p->work, &col, &lo, &hi)) {
			/* Unpredictable: it and what follows wait for the host. */
			if ((int32_t)(k->seq - p->hold) > 0)
				p->hold = k->seq;
			for (unsigned j = i; j < p->n; j++)
				key_at(p, j)->hold = key_at(p, j)->seq;
			for (unsigned j = 0; j < i; j++)
				if (key_at(p, j)->seq == k->seq)
					key_at(p, j)->tail_held = true;
			break;
		}
		exact_run(p, k);
		k->exact = p->replay_exact;
		if (!answered) {
			k->expect = true;
			k->row = cur.row;
			k->col = col;
			k->lo = lo;
			k->hi = hi;
			memcpy(exp_row(p, i), p->work, (size_t)p->cols * sizeof *p->work);
			k->page = p->vpage;
			if (p->vpage)
				memcpy(exp_page(p, i), p->vh, (size_t)(p->rows - 1) * sizeof *p->vh);
		}
		if (k->learning && !insert_guess(p, k)) {
			/* Not shown past a guess; a motion guessed is shown
			 * itself: the cursor only, no glyph to be wrong. */
			if ((k->ctl || (k->vi && k->kind != K_VDEL)) && !hide)
				shown_upto = (int)i + 1;
			break;
		}
		/* worked out, to be judged, not shown; but vi's command keys
		 * are what its command mode is known to do, and less's search
		 * line what less does */
		if (distrusted(p, k->seq) && !k->vi && !p->replay_exact)
			hide = true;
		if (p->replay_exact && exact_upto == (int)i)
			exact_upto = (int)i + 1;
		if (!hide)
			shown_upto = (int)i + 1;
	}

	/* A context proves itself first, unless all that is shown is known
	 * exactly. */
	show = gate_on(p, now_ms) && (p->cur->right >= PRED_PROVE_RIGHT || shown_upto <= exact_upto) &&
	       cur.col < p->cols - 1 && shown_upto > 0;
	if (!show)
		goto out;
	/* The overlay: the replay up to the last key shown. */
	read_row(p, cur.row, p->work);
	col = cur.col;
	lo = p->cols, hi = 0;
	replay_start(p);
	for (int i = 0; i < shown_upto; i++) {
		struct key *k = key_at(p, (unsigned)i);
		apply(p, k, p->work, &col, &lo, &hi);
		exact_run(p, k);
		if (!covers(p->acked, p->any_acked, k->seq) && !k->shown) {
			k->shown = true;
			p->st.shown++;
		}
	}
	read_row(p, cur.row, p->truth);
	for (int c = lo; c < hi; c++) {
		struct wc w = p->work[c];
		if (w.width == 0 || same(w, p->truth[c]))
			continue;
		struct pred_cell *pc = &p->cells[p->ov.n++];
		pc->row = cur.row;
		pc->col = c;
		pc->width = w.width;
		put_utf8(w.cp, pc->utf8);
		memset(&pc->pen, 0, sizeof pc->pen); /* a typed character's: plain */
	}
	/* less's page moved: its rows that differ, cell by cell. */
	for (int r = 0; p->vpage && r < p->rows - 1; r++) {
		const struct wc *v = p->vrow[r];
		read_row(p, r, p->truth);
		for (int c = 0; c < p->cols; c++) {
			if (v[c].width == 0 || same_pen(&v[c], &p->truth[c]))
				continue;
			struct pred_cell *pc = &p->cells[p->ov.n++];
			pc->row = r;
			pc->col = c;
			pc->width = v[c].width;
			put_utf8(v[c].cp, pc->utf8);
			pc->pen = (struct pred_pen){.fg = v[c].fg, .bg = v[c].bg, .attrs = v[c].attrs,
						    .page = true};
		}
	}
	p->ov.cursor = p->ov.n || col != cur.col; /* else nothing to draw */
	p->ov.row = cur.row;
	p->ov.col = col;
	p->ov.underline = p->flagging || now_ms < p->glitch_until;
out:
	return !overlay_same(&p->ov, &p->prev);
}

const struct pred_overlay *pred_overlay(const struct pred *p)
{
	return &p->ov;
}

long pred_wait_ms(const struct pred *p, long now_ms)
{
	long wait = -1;

	if (p->n) {
		const struct key *k = &p->keys[p->head];
		long t = k->acked ? k->t_ms + PRED_STALE_MS : k->t_ms + PRED_GLITCH_MS;
		wait = t > now_ms ? t - now_ms : 0;
	}
	if (p->glitch_until > now_ms && (wait < 0 || p->glitch_until - now_ms < wait))
		wait = p->glitch_until - now_ms;
	return wait;
}

/* ---- an answer shown whole (predict.h) ---- */

void pred_hold_init(struct pred_hold *h)
{
	memset(h, 0, sizeof *h);
}

bool pred_hold_output(struct pred_hold *h, uint32_t ack, int srtt_ms, long now_ms)
{
	if (h->holding) {
		if ((int32_t)(ack - h->seq) > 0) /* a later key's answer joins it */
			h->seq = ack;
		return true;
	}
	/* Seqs wrap: compared as differences. */
	if (!h->waits_seen || (int32_t)(ack - h->consumed) <= 0 || (int32_t)(ack - h->done) <= 0 ||
	    srtt_ms < PRED_HOLD_MIN_RTT_MS)
		return false;
	h->holding = true;
	h->seq = ack;
	h->until_ms = now_ms + PRED_HOLD_MAX_MS;
	return true;
}

void pred_hold_context(struct pred_hold *h, uint32_t pgid)
{
	if (h->pgid_known && h->pgid == pgid)
		return;
	h->pgid_known = true;
	h->pgid = pgid;
	h->waits_seen = false;
}

bool pred_hold_consumed(struct pred_hold *h, uint32_t seq)
{
	h->waits_seen = true;
	if ((int32_t)(seq - h->consumed) > 0)
		h->consumed = seq;
	if (!h->holding || (int32_t)(seq - h->seq) < 0)
		return false;
	pred_hold_end(h);
	return true;
}

bool pred_hold_due(struct pred_hold *h, long now_ms)
{
	if (!h->holding || now_ms < h->until_ms)
		return false;
	pred_hold_end(h);
	return true;
}

long pred_hold_wait_ms(const struct pred_hold *h, long now_ms)
{
	if (!h->holding)
		return -1;
	return h->until_ms > now_ms ? h->until_ms - now_ms : 0;
}

void pred_hold_end(struct pred_hold *h)
{
	if (!h->holding)
		return;
	h->holding = false;
	if ((int32_t)(h->seq - h->done) > 0)
		h->done = h->seq;
}

/* ---- pred_held: a held answer's bytes, in order ---- */

void pred_held_init(struct pred_held *h, const struct pred_held_ops *ops, void *ctx)
{
	memset(h, 0, sizeof *h);
	pred_hold_init(&h->hold);
	h->ops = ops;
	h->ctx = ctx;
}

void pred_held_finish(struct pred_held *h)
{
	free(h->buf);
	h->buf = NULL;
	h->len = 0;
}

/* The hold is over (pred_hold ended it, or the caller): what was kept
 * goes out as it came, each OUTPUT's ack before its bytes. */
static void held_out(struct pred_held *h)
{
	size_t n = h->len, from = 0;
	unsigned nacks = h->nacks;

	pred_hold_end(&h->hold);
	h->frame = false;
	h->len = 0;
	h->nacks = 0;
	for (unsigned i = 0; i <= nacks; i++) {
		size_t to = i < nacks ? h->acks[i].at : n;
		if (to > from)
			h->ops->show(h->ctx, h->buf + from, to - from);
		from = to;
		if (i < nacks)
			h->ops->ack(h->ctx, h->acks[i].ack);
	}
	h->ops->released(h->ctx);
}

bool pred_held_ack(struct pred_held *h, uint32_t ack, int srtt_ms, long now_ms)
{
	h->frame = pred_hold_output(&h->hold, ack, srtt_ms, now_ms);
	if (!h->frame || h->through)
		return true;
	if (h->nacks && h->acks[h->nacks - 1].ack == ack)
		return false; /* the same key's answer goes on */
	if (h->nacks && h->acks[h->nacks - 1].at == h->len) {
		h->acks[h->nacks - 1].ack = ack; /* no bytes came with the last */
		return false;
	}
	if (h->nacks == PRED_HOLD_ACKS) {
		held_out(h); /* too many answers to keep apart: shown as they come */
		return true;
	}
	h->acks[h->nacks].ack = ack;
	h->acks[h->nacks++].at = h->len;
	return false;
}

/* Room for n more bytes kept. */
static bool held_keep(struct pred_held *h, const void *buf, size_t n)
{
	if (!h->buf && !(h->buf = malloc(PRED_HOLD_BUFFER_BYTES)))
		return false;
	if (n > PRED_HOLD_BUFFER_BYTES - h->len)
		return false;
	memcpy(h->buf + h->len, buf, n);
	h->len += n;
	return true;
}

enum pred_held_way pred_held_output(struct pred_held *h, const void *buf, size_t n, bool echo)
{
	if (!h->hold.holding)
		return PRED_HELD_SHOW;
	if (echo || !h->frame) { /* a key's echo shows at once, after the answer */
		held_out(h);
		return PRED_HELD_SHOW;
	}
	if (h->through)
		return PRED_HELD_THROUGH;
	if (held_keep(h, buf, n))
		return PRED_HELD_KEPT;
	held_out(h); /* too big to keep: shown as it comes */
	return PRED_HELD_SHOW;
}

void pred_held_context(struct pred_held *h, uint32_t pgid)
{
	pred_hold_context(&h->hold, pgid);
}

void pred_held_consumed(struct pred_held *h, uint32_t seq)
{
	if (pred_hold_consumed(&h->hold, seq)) /* the answer is whole */
		held_out(h);
}

void pred_held_due(struct pred_held *h, long now_ms)
{
	if (pred_hold_due(&h->hold, now_ms)) /* the program did not wait again */
		held_out(h);
}

long pred_held_wait_ms(const struct pred_held *h, long now_ms)
{
	return pred_hold_wait_ms(&h->hold, now_ms);
}

void pred_held_through(struct pred_held *h, bool on)
{
	if (on == h->through)
		return;
	/* A late answer from the terminal: what is kept goes out before any
	 * output takes the new way. */
	if (h->hold.holding)
		held_out(h);
	h->through = on;
}

void pred_held_release(struct pred_held *h)
{
	if (h->hold.holding)
		held_out(h);
}

bool pred_held_holding(const struct pred_held *h)
{
	return h->hold.holding;
}

/* ---- keys typed while a program is cooked for a moment (predict.h) ---- */

void pred_cook_init(struct pred_cook *c, const struct pred_cook_ops *ops, void *ctx)
{
	memset(c, 0, offsetof(struct pred_cook, buf));
	c->ops = ops;
	c->ctx = ctx;
	c->max_ms = PRED_COOK_MAX_MS;
}

void pred_cook_set_max_ms(struct pred_cook *c, long ms)
{
	c->max_ms = ms < PRED_COOK_MAX_MIN_MS	? PRED_COOK_MAX_MIN_MS
		    : ms > PRED_COOK_MAX_MAX_MS ? PRED_COOK_MAX_MAX_MS
						: ms;
}

/* Keys that end a canonical read on a tty: a line's end (CR becomes one
 * under ICRNL), EOF, and NUL (VEOL's default where it is not disabled).
 * Any other key waits in the line until one of them comes. */
static bool ends_read(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] == '\r' || b[i] == '\n' || b[i] == 0x04 || b[i] == 0)
			return true;
	return false;
}

/* ^C, ^\ and ^Z go at once: a program that runs long and reads nothing
 * is stopped by them, not after the cap. */
static bool signal_key(const uint8_t *b, size_t n)
{
	return memchr(b, 0x03, n) || memchr(b, 0x1c, n) || memchr(b, 0x1a, n);
}

/* Up to and with the first key that can end a read or is a signal's,
 * while the discipline edits here: what comes after it may have to wait. */
static size_t cook_piece(const struct pred_cook *c, const uint8_t *b, size_t n)
{
	if (!c->local)
		return n;
	for (size_t i = 0; i < n; i++)
		if (ends_read(b + i, 1) || signal_key(b + i, 1))
			return i + 1;
	return n;
}

size_t pred_cook_piece(const struct pred_cook *c, const void *buf, size_t n)
{
	return cook_piece(c, buf, n);
}

/* The wait is over: what was kept goes, in the mode the discipline is in
 * now. A line's end let out may begin another wait (pred_cook_sent, from
 * the ops): the rest stays kept then, unless all must go (a signal key
 * after them, the caller leaving). */
static void cook_out(struct pred_cook *c, bool all)
{
	c->waiting = false;
	c->line_waited = false;
	while (c->len && (all || !c->waiting)) {
		size_t k = all ? c->len : cook_piece(c, c->buf, c->len);
		c->ops->keys(c->ctx, c->buf, k);
		memmove(c->buf, c->buf + k, c->len - k);
		c->len -= k;
	}
	if (all)
		c->waiting = c->line_waited = false;
}

/* A wait begins: keys typed from now on are kept. */
static void cook_wait(struct pred_cook *c, long now_ms)
{
	c->waiting = true;
	c->until_ms = now_ms + c->max_ms;
}

void pred_cook_type(struct pred_cook *c, const void *buf, size_t n, long now_ms)
{
	const uint8_t *b = buf;

	while (n) { /* a line's end typed may begin a wait for the rest */
		size_t k = pred_cook_piece(c, b, n);
		if (!pred_cook_keys(c, b, k, now_ms))
			c->ops->keys(c->ctx, b, k);
		b += k;
		n -= k;
	}
}

bool pred_cook_keys(struct pred_cook *c, const void *buf, size_t n, long now_ms)
{
	bool sig = signal_key(buf, n);

	if (c->waiting && !sig && n <= sizeof c->buf - c->len) {
		memcpy(c->buf + c->len, buf, n);
		c->len += n;
		return true;
	}
	if (c->waiting)
		cook_out(c, true);
	/* A signal key typed in a spell that began raw most often ends the
	 * program or its read, and the shell goes raw again before its
	 * prompt (^C at cat, at sleep): the keys after it wait as after a
	 * line's end. It goes now, typed by the caller. */
	if (sig && c->local && c->spell && c->any_consumed)
		cook_wait(c, now_ms);
	return false;
}

void pred_cook_sent(struct pred_cook *c, uint32_t seq, const void *buf, size_t n, long now_ms)
{
	/* A signal key's INPUT (an empty one after its SIGNAL, from a host
	 * that writes one in its turn) is covered only by a CONSUMED sent
	 * after the signal: one on its way before says nothing of it. */
	if (signal_key(buf, n)) {
		c->ender = seq;
		c->ender_sent = true;
	}
	if (!ends_read(buf, n))
		return;
	c->ender = seq;
	c->ender_sent = true;
	/* A line finished on the desk in a spell that began raw may end
	 * the read (bash's read x, then readline raw before its prompt):
	 * what is typed next waits again, unless the spell has lasted past
	 * a line already (cat). An EOF ends most such reads for good. */
	if (c->local && c->spell && c->any_consumed && !c->waiting &&
	    (!c->lasting || memchr(buf, 0x04, n))) {
		c->line_waited = true;
		c->reader_pgid = c->pgid;
		cook_wait(c, now_ms);
	}
}

void pred_cook_mode(struct pred_cook *c, bool local, long now_ms)
{
	bool from_raw = c->told && !c->local;

	c->told = true;
	if (local == c->local)
		return;
	c->local = local;
	c->lasting = c->line_waited = false;
	c->spell = from_raw;
	c->raw_pgid = c->pgid;
	if (!local) {
		cook_out(c, true); /* raw again: the keys go as they are */
		return;
	}
	/* The spell proves itself with a CONSUMED after it, which a host
	 * never heard to say one will not send. */
	if (!c->any_consumed)
		return;
	cook_wait(c, now_ms);
}

void pred_cook_context(struct pred_cook *c, uint32_t pgid)
{
	c->any_consumed = true;
	c->pgid = pgid;
	if (c->waiting && c->line_waited && pgid && c->reader_pgid && pgid != c->reader_pgid &&
	    pgid != c->raw_pgid) {
		c->lasting = true;
		cook_out(c, false);
	}
}

void pred_cook_consumed(struct pred_cook *c, uint32_t seq)
{
	c->any_consumed = true;
	/* A canonical read with nothing on its way that could end it: the
	 * keys are edited and echoed here now. After a line of the spell's
	 * own, the program read it and reads on canonically: it lasts. */
	if (c->waiting && (!c->ender_sent || (int32_t)(seq - c->ender) >= 0)) {
		if (c->line_waited)
			c->lasting = true;
		cook_out(c, false);
	}
}

void pred_cook_due(struct pred_cook *c, long now_ms)
{
	if (c->waiting && now_ms >= c->until_ms)
		cook_out(c, false);
}

long pred_cook_wait_ms(const struct pred_cook *c, long now_ms)
{
	if (!c->waiting)
		return -1;
	return c->until_ms > now_ms ? c->until_ms - now_ms : 0;
}

bool pred_cook_waiting(const struct pred_cook *c)
{
	return c->waiting;
}

void pred_cook_release(struct pred_cook *c)
{
	if (c->waiting)
		cook_out(c, true);
}
