/* predict: what a key will show on a remote program's screen, before the
 * program answers it.
 *
 * Pure logic, no I/O, no clock of its own (every call that needs the time
 * is given it). The desk keeps a screen model here (libvterm, the widths
 * the host's libvterm uses), fed with every byte it shows; the host says
 * what it knows of the context (termios bits, the foreground program) and
 * when the program has consumed input and waits again; the desk says which
 * keys it sent in which INPUT and which INPUT the host's output answers.
 * From that, pred_update() judges earlier predictions exactly (right: the
 * screen shows them once the input is answered; wrong: the program
 * consumed it and waits, and the screen shows something else) and works
 * out the overlay: the cells to draw over the true screen and where the
 * cursor goes.
 *
 * Rules (test/unit/test_predict.c has a row for each):
 * - printable characters of every width, backspace, left, right, home and
 *   end are predicted, on the cursor's row, never into the last column;
 *   in the middle of a line, insert or overwrite as the context has shown
 *   it does (a key not echoed at all shows neither); before it has, a line
 *   editor's (its cursor keys or backspace came back as predicted) is
 *   guessed insert and drawn, a character or a backspace, with the keys
 *   after it: answered otherwise once (a wrong glyph, counted), the
 *   context overwrites from then on, its echo still proven; in a context
 *   not known as a line editor, or with the row's text right of the
 *   cursor only past blanks (a right prompt, which stays put), the guess
 *   is not drawn;
 * - in a context whose cursor keys or backspace came back as predicted (a
 *   line editor), readline's ^A ^E ^B ^F are home, end, left and right:
 *   the first time a guess drawn as the cursor only, then learned, or a
 *   boundary in that context from the first that is answered otherwise;
 * - keys after an Enter, ^C, Tab, Escape (any key not above) stay hidden
 *   until the host says the program consumed it and waits again; keys
 *   the host read together with such a key count by their cells (the
 *   cursor has moved on);
 * - after an Escape, and after any key not predicted on the alternate
 *   screen (a full-screen program: vim's command mode, less's prompt after
 *   a search), keys are worked out but hidden until one of them comes
 *   back as predicted; the ones that do not are wrong without demoting
 *   the context (nothing wrong was shown);
 * - after an Escape alone on the alternate screen (vi's command mode, as
 *   far as the keys typed since tell: only ones that keep it), h l 0 x
 *   are predicted as vi's left, right, first column and delete, each
 *   learned as readline's keys are (a motion guessed is drawn as the
 *   cursor only; x hidden until one came back so; a boundary in that
 *   context once one did not); the keys that keep the mode otherwise
 *   (j k w ...) wait for the host, a count or an operator makes the next
 *   key its argument, and any other key, or a character echoed, ends it;
 * - less's search: '/' or '?' typed at less's prompt (a program named
 *   less, on the alternate screen, a lone ':' on the last row with the
 *   cursor after it, after one of less's whole commands: a move, a page,
 *   a search again; not after a count or a prefix such as ':') puts itself
 *   in the prompt's place, and the characters and backspaces typed on the
 *   search's line follow it: known exactly, shown at once even in a
 *   context not yet proven; a backspace at its start (less leaves the
 *   search) waits for less; answered otherwise once, it is not guessed
 *   again in that context;
 * - less's count: a digit typed at that prompt (after one of its whole
 *   commands, not on a search's line) goes after the ':' (":12"), and
 *   so do the digits and backspaces after it, known exactly as the
 *   search's line is; the key after them is the command they count,
 *   less's to show; answered otherwise once, not guessed again in that
 *   context. Keys of less's prompt line confirmed vouch for no other
 *   key: less's context stays unproven for the keys it does not echo;
 *   any other key typed at its prompt is a command, never echoed: what
 *   follows waits for it (a count's digits read with it are not blamed
 *   for the ':12' its answer erased);
 * - less's back one line ('k' or 'y' at that prompt, after a whole
 *   command, not a count's): the page moves down a row, its new top row
 *   the one above it in a page less showed before at rest (one of the
 *   last PRED_LESS_PAGES, whose rows lower down are the top half of this
 *   page or more, none blank, every such page saying the same row, no
 *   row reaching the last column: a line less wrapped moves by more than
 *   a row), the prompt where it was; known exactly, shown at once, each
 *   cell in the pen that page had there and never flagged; at the
 *   file's top nothing is known above, nothing guessed; answered
 *   otherwise once, not guessed again in that context; a page is kept
 *   once after each CONSUMED or change of context, not on output alone
 *   (less +F);
 * - a context (program name, termios bits, alternate screen) shows its
 *   predictions only once it has proved itself: PRED_PROVE_RIGHT right in
 *   a row and none wrong since (one, as mosh's epochs: a no-echo prompt
 *   never gets one); a wrong one demotes it and rolls back exactly what
 *   was not yet confirmed, and keys wait for the host again;
 * - after a change of context, a line's predictions show once one of its
 *   keys was confirmed (a no-echo prompt is a change of context), except
 *   back in exactly a context a key was confirmed in with its line
 *   trusted (the same process group, termios bits and screen: the shell
 *   after a command it ran, or after vim whose keys were confirmed since;
 *   the last PRED_MAX_TRUSTED, each forgotten once distrusted or wrong),
 *   where the line is trusted at once;
 * - nothing in canonical mode (the desk's line discipline echoes there,
 *   exactly), nothing without the host's context (an older host);
 * - adaptive: shown while the smoothed round trip is over PRED_SHOW_ON_MS
 *   or a key waited over PRED_GLITCH_MS for any answer (an OUTPUT's ack
 *   or the host saying the program consumed it); underlined while the
 *   round trip is over PRED_FLAG_ON_MS (mosh's figures).
 */
#ifndef PREDICT_H
#define PREDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vterm.h>

enum pred_policy { PRED_NEVER, PRED_ADAPTIVE, PRED_ALWAYS };

#define PRED_COMM_BYTES 64    /* a program's name, as /proc/PID/comm (16 on Linux) */
#define PRED_MAX_KEYS 64      /* keys predicted ahead of the host; later ones wait */
#define PRED_MAX_CONTEXTS 32  /* contexts remembered (the least used is forgotten) */
#define PRED_MAX_TRUSTED 8    /* contexts whose line is trusted at once, back in them */
#define PRED_PROVE_RIGHT 1    /* right in a row before a context's predictions show */
#define PRED_SHOW_ON_MS 20    /* adaptive: shown above this smoothed round trip */
#define PRED_SHOW_OFF_MS 10   /* ... until it falls below this */
#define PRED_GLITCH_MS 250    /* a key that waited this long turns them on ... */
#define PRED_GLITCH_HOLD_MS 5000 /* ... for this long */
#define PRED_FLAG_ON_MS 80    /* underlined above this round trip */
#define PRED_FLAG_OFF_MS 50   /* ... until it falls below this */
#define PRED_STALE_MS 5000    /* answered, neither right nor consumed: dropped, no blame */
#define PRED_LESS_PAGES 8     /* less's pages remembered (the rows 'k' brings back) */

/* Termios bits of the context (RP_CONTEXT's flags). */
#define PRED_CTX_ICANON 0x01
#define PRED_CTX_ECHO 0x02
#define PRED_CTX_ISIG 0x04
#define PRED_CTX_IEXTEN 0x08
#define PRED_CTX_OPOST 0x10
#define PRED_CTX_ICRNL 0x20

struct pred_context {
	uint32_t flags; /* PRED_CTX_* */
	uint32_t pgid;  /* the foreground process group; 0: unknown */
	char comm[PRED_COMM_BYTES + 1]; /* its program's name, NUL-terminated */
};

/* A predicted cell's pen. A typed character's has none (page false):
 * drawn plain, underlined while predictions are flagged. One of less's
 * page (page true) has the attributes and colours the kept page had
 * there, and is never flagged: a man page's bold stays bold, and no page
 * flashes underlined at each 'k'. Colours are libvterm's, the bytes
 * their kind does not use 0 (pens compare with memcmp). */
enum { PRED_BOLD = 1, PRED_UNDERLINE = 2, PRED_ITALIC = 4, PRED_BLINK = 8, PRED_REVERSE = 16,
       PRED_STRIKE = 32 };
struct pred_pen {
	VTermColor fg, bg;
	uint8_t attrs; /* PRED_BOLD ... */
	bool page;
	uint8_t pad_[2];
};

/* One predicted cell: a character (UTF-8, NUL-terminated) of width 1 or
 * 2, or a blank (" ") where a prediction erased one. */
struct pred_cell {
	int row, col, width;
	char utf8[8];
	struct pred_pen pen;
};

struct pred_overlay {
	int n;
	struct pred_cell *cells; /* n of them, owned by the pred: the cursor's row's,
				  * and a page's (less's, rows x cols at most) */
	bool cursor;		 /* move the cursor to row, col (else leave it) */
	int row, col;
	bool underline;		 /* flag typed characters' cells (never a page's) */
};

struct pred_stats {
	unsigned long keys;	 /* keys typed that could be predicted */
	unsigned long right, wrong; /* judged (shown or not) */
	unsigned long shown;	 /* keys whose prediction was drawn before the answer */
	unsigned long shown_wrong; /* of them, wrong (rolled back on screen) */
	unsigned long page_reads;  /* less's whole page read from the model */
};

struct pred;

/* A screen model of rows x cols. NULL if out of memory. */
struct pred *pred_create(int rows, int cols, enum pred_policy policy);
void pred_destroy(struct pred *p); /* takes NULL */
void pred_resize(struct pred *p, int rows, int cols);

/* Bytes the person's terminal was given (the host's output, the desk's
 * own echo): the model follows them. */
void pred_output(struct pred *p, const void *buf, size_t n);
/* The host's answer covers INPUT seq (OUTPUT's ack), said before the
 * bytes of that OUTPUT are given to pred_output. */
void pred_ack(struct pred *p, uint32_t seq, long now_ms);
/* The program consumed every input up to seq and waits for input again;
 * what it wrote before is already given to pred_output. */
void pred_consumed(struct pred *p, uint32_t seq);
/* The host's context changed after INPUT seq was written. */
void pred_context(struct pred *p, uint32_t seq, const struct pred_context *c);
/* Keys the person typed, sent to the host as INPUT seq (all in one). */
void pred_keys(struct pred *p, uint32_t seq, const void *buf, size_t n, long now_ms);
/* The host let go of the INPUTs after seq up to upto (PROTOCOL.md, "Keys
 * on the wire at a switch"): the program never read them, and their
 * keys are typed again, in other INPUTs, if at all. Their predictions
 * go: the OUTPUT acks and CONSUMED that cover them answer nothing. */
void pred_let_go(struct pred *p, uint32_t seq, uint32_t upto);

/* Judge what can be judged and work out the overlay. Call after a batch
 * of the calls above (the overlay is what the screen model shows now, so
 * call it after the output is given). Returns true if the overlay to
 * draw changed since the last call. */
bool pred_update(struct pred *p, long now_ms);
/* The overlay pred_update worked out (valid until the next call into p). */
const struct pred_overlay *pred_overlay(const struct pred *p);
/* ms until pred_update should run again for a timed rule (-1: none). */
long pred_wait_ms(const struct pred *p, long now_ms);

/* The model: the true screen, for repainting the cells under the overlay. */
struct VTermScreen;
struct VTermState;
struct VTermScreen *pred_screen(struct pred *p);
struct VTermState *pred_state(struct pred *p);
void pred_size(const struct pred *p, int *rows, int *cols);

const struct pred_stats *pred_stats(const struct pred *p);
/* Predictions are shown now (the policy, and in adaptive the smoothed
 * round trip or a key that waited long: the gate pred_update applies).
 * A key typed now is drawn before it goes to the host then: its drawing
 * wakes the person's terminal before the link's processes (ssh) take the
 * CPU, and a few microseconds more are nothing against the round trip. */
bool pred_showing(const struct pred *p, long now_ms);
/* The smoothed round trip (ms; -1: not measured yet). */
int pred_srtt_ms(const struct pred *p);

/* "adaptive", "always", "never" into *out; false for anything else. */
bool pred_policy_parse(const char *s, enum pred_policy *out);

/* ---- An answer shown whole ----
 *
 * A program's answer to a key (less redrawing a page) may reach the desk
 * in several OUTPUTs, and a terminal that shows each as it comes shows a
 * screen that is half the old page and half the new one. The host says
 * when the program consumed the input and waits again (CONSUMED): its
 * answer is then complete. So output that answers an outstanding key is
 * held, from its first byte, until CONSUMED covers it or PRED_HOLD_MAX_MS
 * pass (a program that never waits again is not held longer), and shown
 * at once then. Nothing is held:
 * - when no key is outstanding (the program's own output: top, a tail);
 * - while the round trip is under PRED_HOLD_MIN_RTT_MS (the pieces of an
 *   answer then come within a moment of each other, and the echo must
 *   not wait for the host's CONSUMED);
 * - twice for the same key: once its hold ended by the cap, the rest of
 *   its answer flows.
 * The caller ends a hold itself when something else must show at once
 * (a key's echo or prediction drawn, the link lost, a resize, leaving).
 * Plain state on the caller's memory, no clock of its own. */
#define PRED_HOLD_MAX_MS 100	 /* from an answer's first byte to its show, at most */
#define PRED_HOLD_MIN_RTT_MS 20 /* held only above this smoothed round trip */

struct pred_hold {
	bool holding;
	/* A CONSUMED came since the foreground process group became pgid:
	 * the host can tell when this program waits for input. One whose
	 * leader waits where the host does not look (a futex: Go's TUIs,
	 * a program reading the terminal from another thread) never gets
	 * one, and its answers would each wait the whole cap: not held. */
	bool waits_seen, pgid_known;
	uint32_t pgid;
	uint32_t seq;	   /* the latest INPUT the held output answers */
	uint32_t consumed; /* the host's last CONSUMED */
	uint32_t done;	   /* the latest INPUT whose hold ended */
	long until_ms;	   /* the cap of the hold under way */
};

void pred_hold_init(struct pred_hold *h);
/* An OUTPUT whose ack is seq (not the desk's own echo) comes, the round
 * trip smoothed to srtt_ms (-1: not measured). True: hold its bytes. */
bool pred_hold_output(struct pred_hold *h, uint32_t ack, int srtt_ms, long now_ms);
/* The host's CONTEXT: a new foreground process group must show that
 * the host sees it wait (a CONSUMED) before its answers are held. */
void pred_hold_context(struct pred_hold *h, uint32_t pgid);
/* The host's CONSUMED seq. True: the hold under way ends now. */
bool pred_hold_consumed(struct pred_hold *h, uint32_t seq);
/* True: the hold under way reached its cap and ends now. */
bool pred_hold_due(struct pred_hold *h, long now_ms);
/* ms until pred_hold_due ends the hold (-1: none under way). */
long pred_hold_wait_ms(const struct pred_hold *h, long now_ms);
/* The caller ends the hold under way (if any). */
void pred_hold_end(struct pred_hold *h);

/* ---- An answer held on the desk: its bytes, in order ----
 *
 * Where the desk keeps a held answer itself (a `telly view` window; `telly
 * attach` on a terminal without DEC 2026), its bytes wait here with the
 * acks of the OUTPUTs that brought them, each where its bytes begin; an
 * ack is told to the predictor just before its bytes, not before the
 * bytes that came ahead of it (a key judged against a screen that does
 * not have its answer yet would be judged wrong; and a key typed while
 * the answer before it was kept, python's next line typed before its
 * prompt came, would be judged against a screen without that prompt). A
 * change of ack past PRED_HOLD_ACKS ends the hold. A terminal
 * that holds an update itself (pred_held_through) gets the bytes at once,
 * inside one. Whatever happens, bytes go out in the order they came:
 * what is kept goes out before anything after it, a key's echo, an
 * answer too big to keep, and a change of way in the middle of a hold
 * (a terminal's DEC 2026 answer that comes late). An answer over
 * PRED_HOLD_BUFFER_BYTES is shown as it comes. The ops must not call
 * back into the pred_held. */
#define PRED_HOLD_BUFFER_BYTES 65536
#define PRED_HOLD_ACKS PRED_MAX_KEYS

struct pred_held_ops {
	void (*ack)(void *ctx, uint32_t seq);		     /* an ack kept, told now */
	void (*show)(void *ctx, const void *buf, size_t n); /* bytes kept, shown now */
	void (*released)(void *ctx);			     /* a hold ended */
};

struct pred_held {
	struct pred_hold hold;
	const struct pred_held_ops *ops;
	void *ctx;
	bool frame;   /* the OUTPUT being handled is held */
	bool through; /* held bytes go out at once (the terminal holds them) */
	uint8_t *buf; /* PRED_HOLD_BUFFER_BYTES, made at the first hold */
	size_t len;
	struct {
		uint32_t ack;
		size_t at; /* where its OUTPUT's bytes begin in buf */
	} acks[PRED_HOLD_ACKS];
	unsigned nacks;
};

/* How an OUTPUT's bytes go (pred_held_output). */
enum pred_held_way {
	PRED_HELD_SHOW,	   /* shown now, as any output */
	PRED_HELD_THROUGH, /* shown now, inside the terminal's own hold */
	PRED_HELD_KEPT,	   /* kept: shown when the hold ends */
};

void pred_held_init(struct pred_held *h, const struct pred_held_ops *ops, void *ctx);
void pred_held_finish(struct pred_held *h);
/* An OUTPUT's ack (pred_hold_output). True: tell it to the predictor
 * now; false: it is kept and told with the bytes. */
bool pred_held_ack(struct pred_held *h, uint32_t ack, int srtt_ms, long now_ms);
/* That OUTPUT's bytes (echo: the desk's own echo of a key, never held). */
enum pred_held_way pred_held_output(struct pred_held *h, const void *buf, size_t n, bool echo);
void pred_held_context(struct pred_held *h, uint32_t pgid);
void pred_held_consumed(struct pred_held *h, uint32_t seq);
/* The hold's cap reached: it ends. ms until then with _wait_ms (-1: none). */
void pred_held_due(struct pred_held *h, long now_ms);
long pred_held_wait_ms(const struct pred_held *h, long now_ms);
/* The terminal holds updates itself from now on (what is kept goes out
 * first). */
void pred_held_through(struct pred_held *h, bool on);
/* The caller ends the hold under way, if any (a key's prediction drawn,
 * the link lost, a resize, leaving). */
void pred_held_release(struct pred_held *h);
bool pred_held_holding(const struct pred_held *h);

/* ---- Keys typed while a program is cooked for a moment ----
 *
 * readline (bash, python) leaves raw mode once a line is entered and goes
 * back to it just before its next prompt: in between the terminal is
 * canonical with echo, so the desk's line discipline would echo a key
 * typed then at once, where the program's prompt is about to be printed
 * (python's ">>> " after it, the key never erased). Over the link such a
 * key reaches the host after that moment, raw, and the program echoes it
 * after its prompt, as over ssh. So a canonical spell is not trusted for
 * local echo until the host has said, after the switch (CONSUMED comes
 * in stream order with TERMIOS), that the program waits for input with
 * every key that could end a read (a line's end, EOF) consumed: then it
 * reads canonically and stays so until a line comes. A line finished on
 * the desk in a spell that began raw may end it too (bash's read x, then
 * readline raw before its prompt): keys typed after it wait the same
 * way, until the spell has lasted past one such line (cat reads on); an
 * EOF always makes them wait, and so does a signal key (^C at cat or at
 * sleep: the shell goes raw before its prompt; the CONSUMED awaited then
 * covers the INPUT sent with or after the signal, not one on its way
 * before it). Until then keys
 * wait on the desk (neither echoed nor sent) and go, through the caller's
 * ops, when that CONSUMED comes (into the discipline: edited and echoed
 * here), when the discipline turns raw again (sent as they are), when a
 * signal key is typed (it goes at once, after them), or after
 * PRED_COOK_MAX_MS (a host that never says: the link down, an older host
 * that does not say CONSUMED again after a TERMIOS). Keys sent before the
 * switch that cannot end a read do not make the wait longer (a program in
 * a canonical read is not woken by them on a tty). Nothing waits with a
 * host never heard to say CONSUMED or CONTEXT (it was not asked to, or
 * is older).
 * Plain state on the caller's memory, no clock of its own; the ops must
 * not call pred_cook_keys (they may call pred_cook_sent). */
#define PRED_COOK_MAX_MS 1000	 /* keys typed in such a moment wait at most this */
/* Bounds of a cap set for a test (pred_cook_set_max_ms): a loaded test
 * machine may take longer than the default between a key and the raw
 * TERMIOS after it. */
#define PRED_COOK_MAX_MIN_MS 100
#define PRED_COOK_MAX_MAX_MS 60000
#define PRED_COOK_BUFFER_BYTES 4096 /* keys kept meanwhile; more go at once, after them */

struct pred_cook_ops {
	void (*keys)(void *ctx, const void *buf, size_t n); /* kept keys: typed now */
};

struct pred_cook {
	const struct pred_cook_ops *ops;
	void *ctx;
	bool local;	   /* the discipline is canonical (as last told) */
	bool waiting;
	bool any_consumed; /* the host says CONSUMED (or CONTEXT, with it) */
	bool ender_sent;
	/* The canonical spell began raw (told: a TERMIOS came before): a
	 * line finished in it may end it, with a host that says CONSUMED (the
	 * wait after it is line_waited); it lasts once the program read one
	 * of its lines and waits canonically again. */
	bool told, spell, lasting, line_waited;
	uint32_t ender;	   /* the last INPUT sent that could end a read */
	/* Foreground process groups (CONTEXT; 0: unknown): the latest, the
	 * one when the spell began (raw before it), the line's reader's. */
	uint32_t pgid, raw_pgid, reader_pgid;
	long until_ms;
	long max_ms;	   /* the cap; PRED_COOK_MAX_MS unless set */
	size_t len;
	uint8_t buf[PRED_COOK_BUFFER_BYTES];
};

void pred_cook_init(struct pred_cook *c, const struct pred_cook_ops *ops, void *ctx);
/* The cap for the waits after this one, clamped to
 * PRED_COOK_MAX_MIN_MS..PRED_COOK_MAX_MAX_MS. */
void pred_cook_set_max_ms(struct pred_cook *c, long ms);
/* Keys typed for the session (a piece, pred_cook_piece). True: kept
 * (nothing else to do); false: the caller types them now (what was kept
 * went first, through the ops; a signal key's may begin a wait). */
bool pred_cook_keys(struct pred_cook *c, const void *buf, size_t n, long now_ms);
/* Keys typed for the session, whole: cut in pieces (pred_cook_piece),
 * each kept or typed now through the ops (what attach and view do with
 * every key, and with keys the host let go at a switch). */
void pred_cook_type(struct pred_cook *c, const void *buf, size_t n, long now_ms);
/* The keys buf went out, the last INPUT that carried them seq (raw keys,
 * a line the discipline finished, or the empty INPUT after a signal key's
 * SIGNAL). */
void pred_cook_sent(struct pred_cook *c, uint32_t seq, const void *buf, size_t n, long now_ms);
/* How much of buf to type (or give pred_cook_keys) before the rest: up to
 * a line's end or a signal key while the discipline edits here, as what
 * follows it may have to wait. */
size_t pred_cook_piece(const struct pred_cook *c, const void *buf, size_t n);
/* The host's TERMIOS, the line discipline already following it: local
 * is whether it edits and echoes here (canonical). */
void pred_cook_mode(struct pred_cook *c, bool local, long now_ms);
/* The host's CONTEXT (pgid: its foreground process group, 0 unknown): it
 * says CONSUMED too (one cap brings both), which a desk typing fast from
 * the start might otherwise not learn before a spell (the program never
 * waited with its keys read). While keys wait after a line of a spell,
 * a foreground group that is neither the line's reader's nor the one raw
 * before the spell is a job the reader started (a shell, dash, runs its
 * first command): it reads on once the job ends, so the spell lasts and
 * the keys go now, not after the cap; the reader going raw (bash after
 * `read x`) or its group ending back in the one raw before (python's
 * input() in a script) does not do that. */
void pred_cook_context(struct pred_cook *c, uint32_t pgid);
/* The host's CONSUMED. */
void pred_cook_consumed(struct pred_cook *c, uint32_t seq);
/* The wait's cap reached: the keys go. ms until then with _wait_ms (-1:
 * no wait under way). */
void pred_cook_due(struct pred_cook *c, long now_ms);
long pred_cook_wait_ms(const struct pred_cook *c, long now_ms);
bool pred_cook_waiting(const struct pred_cook *c);
/* The caller ends the wait (leaving): the keys kept go now. */
void pred_cook_release(struct pred_cook *c);

#endif
