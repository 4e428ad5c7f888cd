/* The output filter in front of libvterm (see vtfilter.h).
 *
 * A state machine in the shape of libvterm 0.1.4's own parser (the same
 * bytes start, end and cancel a sequence, C0 controls run where they
 * stand), so that nothing the filter lets through is read differently
 * by libvterm. Sequences are held until their final byte and then
 * written out again from what was parsed, never copied: a sequence that
 * breaks a bound is dropped whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "base.h"
#include "vtfilter.h"

enum {
	GROUND,
	ESC,
	CSI_LEADER,
	CSI_PARAM,
	CSI_INTER,
	STR,	   /* OSC or DCS: str_kind is ']' or 'P' */
	STR_ESC,   /* an ESC inside one: ST, or a new sequence */
	IGN,	   /* SOS, PM, APC: read and dropped */
	IGN_ESC,
};

static const uint8_t replacement[] = {0xef, 0xbf, 0xbd}; /* U+FFFD */

static void flush(struct kpty_vtfilter *f)
{
	if (f->out_len)
		f->out(f->ctx, f->obuf, f->out_len);
	f->out_len = 0;
}

/* Stages n bytes (n <= KPTY_VTFILTER_CHUNK) that must stay together. */
static void put(struct kpty_vtfilter *f, const void *p, size_t n)
{
	if (f->out_len + n > sizeof f->obuf)
		flush(f);
	memcpy(f->obuf + f->out_len, p, n);
	f->out_len += n;
}

/* Room for n bytes (n <= KPTY_VTFILTER_CHUNK) in one piece. */
static void reserve(struct kpty_vtfilter *f, size_t n)
{
	if (f->out_len + n > sizeof f->obuf)
		flush(f);
}

static void put_byte(struct kpty_vtfilter *f, uint8_t c)
{
	put(f, &c, 1);
}

/* Whether c is drawn on the character before it (a combining mark or a
 * zero-width format character), by the C library's Unicode tables, and
 * the few characters libvterm 0.1.4's older table also merges (Arabic
 * and Syriac prepended marks, a Hanunoo sign and two Hangul tone marks
 * that later Unicode made spacing); the unit tests hold the two against
 * each other over every code point. */
static bool is_mark(struct kpty_vtfilter *f, uint32_t c)
{
	static const uint32_t also[] = {0x0600, 0x0601, 0x0602, 0x0603, 0x06dd,
					0x06de, 0x070f, 0x1734, 0x302e, 0x302f};
	locale_t was;
	int w;

	/* Most text: nothing combines below U+0300, nor among the CJK
	 * ideographs and the Hangul syllables. */
	if (c < 0x300 || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7a3))
		return false;
	uint32_t *slot = &f->mark_cache[c % KPTY_VTFILTER_MARK_CACHE];

	if ((*slot & 0x7fffffffu) == c)
		return *slot >> 31;
	for (size_t i = 0; i < sizeof also / sizeof also[0]; i++)
		if (c == also[i])
			return true;
	was = uselocale(f->utf8);
	w = wcwidth((wchar_t)c);
	uselocale(was);
	*slot = c | (uint32_t)(w == 0) << 31;
	return w == 0;
}

/* libvterm 0.1.4 gives a mark its East Asian width when it lies in a
 * wide block (U+302A-U+302F, U+3099-U+309A: width 2, merged all the
 * same) and adds it to the glyph's: a character with a few such marks is
 * wider than a narrow row, and libvterm's screen writes past the row's
 * end. Those marks are dropped; the ranges are its mk_wcwidth's. */
static bool wide_in_libvterm(uint32_t c)
{
	return (c >= 0x1100 && c <= 0x115f) || c == 0x2329 || c == 0x232a ||
	       (c >= 0x2e80 && c <= 0xa4cf && c != 0x303f) || (c >= 0xac00 && c <= 0xd7a3) ||
	       (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe6f) ||
	       (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ||
	       (c >= 0x20000 && c <= 0x2fffd) || (c >= 0x30000 && c <= 0x3fffd);
}

static void put_char(struct kpty_vtfilter *f, uint32_t c)
{
	uint8_t u[4];
	size_t n = base_utf8_encode(c, u);

	if (c >= 0x80 && c < 0xa0) { /* C1: libvterm's width -1 */
		f->refused++;
		return;
	}
	if (c >= 0x80 && is_mark(f, c)) {
		/* Only on a character just printed, and only a few: libvterm
		 * keeps every mark of a run and redraws them all for each. */
		if (!f->last_ok || f->marks >= KPTY_VTFILTER_MARKS || wide_in_libvterm(c)) {
			f->refused++;
			return;
		}
		memcpy(f->last + f->last_len, u, n);
		f->last_len = (uint8_t)(f->last_len + n);
		f->marks++;
		put(f, u, n);
		return;
	}
	memcpy(f->last, u, n);
	f->last_len = (uint8_t)n;
	f->marks = 0;
	f->last_ok = true;
	put(f, u, n);
}

static void bad_utf8(struct kpty_vtfilter *f)
{
	f->utf8_left = 0;
	f->last_ok = true;
	memcpy(f->last, replacement, sizeof replacement);
	f->last_len = sizeof replacement;
	f->marks = 0;
	put(f, replacement, sizeof replacement);
}

static void utf8_byte(struct kpty_vtfilter *f, uint8_t c)
{
	if ((c & 0xc0) == 0x80) {
		if (!f->utf8_left) {
			bad_utf8(f);
			return;
		}
		f->cp = f->cp << 6 | (c & 0x3f);
		if (--f->utf8_left)
			return;
		if (f->cp < f->cp_min || f->cp > 0x10ffff || (f->cp >= 0xd800 && f->cp < 0xe000))
			bad_utf8(f);
		else
			put_char(f, f->cp);
		return;
	}
	if (f->utf8_left) /* a character cut short */
		bad_utf8(f);
	if (c >= 0xc2 && c <= 0xdf) {
		f->cp = c & 0x1f;
		f->cp_min = 0x80;
		f->utf8_left = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		f->cp = c & 0x0f;
		f->cp_min = 0x800;
		f->utf8_left = 2;
	} else if (c >= 0xf0 && c <= 0xf4) {
		f->cp = c & 0x07;
		f->cp_min = 0x10000;
		f->utf8_left = 3;
	} else {
		bad_utf8(f);
	}
}

/* A sequence dropped whole; REP has nothing to repeat after it. */
static void refuse(struct kpty_vtfilter *f)
{
	f->refused++;
	f->last_ok = false;
}

/* Anything but text ends what REP may repeat and any half character. */
static void not_text(struct kpty_vtfilter *f)
{
	if (f->utf8_left)
		bad_utf8(f);
	f->last_ok = false;
}

static void begin_seq(struct kpty_vtfilter *f, uint8_t state)
{
	f->state = state;
	f->leader = 0;
	f->ninter = 0;
	f->bad = false;
	f->nparam = 0;
	f->str_len = 0;
}

/* libvterm 0.1.4 keeps the saved cursor as it was saved, past the edge
 * of a screen made smaller since, and restores it so (DECRC, leaving the
 * alternate screen with 1048 or 1049): the next text or sequence then
 * reads and writes outside its line table. A DSR of 0 (a report, not a
 * request: nothing answered, nothing changed) straight after such a
 * restore brings the cursor inside, as the end of every CSI does; the
 * saved cursor itself stays, for a screen large again. */
static const uint8_t bound_cursor[] = {0x1b, '[', '0', 'n'};

/* REP: the last character again, as xterm does it (wrapping as printed
 * text wraps), at most a row's width of times. */
static void rep(struct kpty_vtfilter *f)
{
	unsigned n = f->nparam && f->param_set[0] && f->param[0] ? f->param[0] : 1;

	if (!f->last_ok || f->nparam > 1) {
		f->refused++;
		return;
	}
	if (n > f->rep_max)
		n = f->rep_max;
	for (unsigned i = 0; i < n; i++)
		put(f, f->last, f->last_len);
}

static void csi_done(struct kpty_vtfilter *f, uint8_t final)
{
	uint8_t seq[8 + KPTY_VTFILTER_PARAMS * 7];
	size_t n = 0;

	f->state = GROUND;
	if (f->bad) {
		refuse(f);
		return;
	}
	if (final == 'b' && !f->leader && !f->ninter) {
		rep(f);
		return;
	}
	f->last_ok = false;
	seq[n++] = 0x1b;
	seq[n++] = '[';
	if (f->leader)
		seq[n++] = f->leader;
	for (unsigned i = 0; i < f->nparam; i++) {
		if (f->param_set[i]) {
			char d[8];
			int k = 0;
			uint32_t v = f->param[i];
			do
				d[k++] = (char)('0' + v % 10);
			while ((v /= 10));
			while (k)
				seq[n++] = (uint8_t)d[--k];
		}
		if (i + 1 < f->nparam)
			seq[n++] = f->sep[i];
	}
	for (unsigned i = 0; i < f->ninter; i++)
		seq[n++] = f->inter[i];
	seq[n++] = final;
	/* libvterm's DEC modes act on the first argument only */
	if (f->leader == '?' && !f->ninter && final == 'l' && f->nparam && f->param_set[0] &&
	    (f->param[0] == 1048 || f->param[0] == 1049)) {
		memcpy(seq + n, bound_cursor, sizeof bound_cursor);
		n += sizeof bound_cursor;
	}
	put(f, seq, n);
}

static void esc_done(struct kpty_vtfilter *f, uint8_t final)
{
	uint8_t seq[4 + sizeof bound_cursor] = {0x1b};
	size_t n = 1;

	f->state = GROUND;
	if (f->bad) {
		refuse(f);
		return;
	}
	if (!f->ninter) {
		switch (final) {
		case '[':
			begin_seq(f, CSI_LEADER);
			return;
		case ']':
		case 'P':
			begin_seq(f, STR);
			f->str_kind = final;
			return;
		case 'X':
		case '^':
		case '_':
			begin_seq(f, IGN);
			return;
		}
	}
	/* libvterm starts a CSI, OSC or DCS at these whatever came between
	 * (xterm ends the escape there, as here): not passed. */
	if (final == '[' || final == ']' || final == 'P') {
		refuse(f);
		return;
	}
	for (unsigned i = 0; i < f->ninter; i++)
		seq[n++] = f->inter[i];
	seq[n++] = final;
	if (!f->ninter && final == '8') { /* DECRC */
		memcpy(seq + n, bound_cursor, sizeof bound_cursor);
		n += sizeof bound_cursor;
	}
	f->last_ok = false;
	put(f, seq, n);
}

/* libvterm 0.1.4 answers only these DCS (DECRQSS of SGR, the margins,
 * the cursor shape, protection), and an unknown DECRQSS crashes it (a
 * "%.s" in its answer reads an int as a string). */
static bool dcs_known(const struct kpty_vtfilter *f)
{
	static const char *const ok[] = {"$qm", "$qr", "$qs", "$q q", "$q\"q"};

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (f->str_len == strlen(ok[i]) && !memcmp(f->str, ok[i], f->str_len))
			return true;
	return false;
}

static void str_done(struct kpty_vtfilter *f)
{
	static const uint8_t st[] = {0x1b, '\\'};
	uint8_t intro[2] = {0x1b, f->str_kind};

	f->state = GROUND;
	f->last_ok = false;
	if (f->bad || (f->str_kind == 'P' && !dcs_known(f))) {
		f->refused++;
		return;
	}
	reserve(f, sizeof intro + f->str_len + sizeof st); /* in one piece */
	put(f, intro, sizeof intro);
	put(f, f->str, f->str_len);
	put(f, st, sizeof st);
}

static void csi_byte(struct kpty_vtfilter *f, uint8_t c)
{
	switch (f->state) {
	case CSI_LEADER:
		if (c >= 0x3c && c <= 0x3f) {
			if (f->leader)
				f->bad = true;
			f->leader = c;
			return;
		}
		f->state = CSI_PARAM;
		/* fall through */
	case CSI_PARAM:
		if (c >= '0' && c <= '9') {
			unsigned i = f->nparam ? f->nparam - 1u : 0;
			if (!f->nparam) {
				f->nparam = 1;
				f->param_set[0] = false;
				f->param[0] = 0;
			}
			f->param[i] = f->param[i] * 10 + (uint32_t)(c - '0');
			if (f->param[i] > KPTY_VTFILTER_PARAM_MAX)
				f->param[i] = KPTY_VTFILTER_PARAM_MAX;
			f->param_set[i] = true;
			return;
		}
		if (c == ';' || c == ':') {
			if (!f->nparam) {
				f->nparam = 1;
				f->param_set[0] = false;
				f->param[0] = 0;
			}
			if (f->nparam >= KPTY_VTFILTER_PARAMS) {
				f->bad = true;
				return;
			}
			f->sep[f->nparam - 1] = c;
			f->param_set[f->nparam] = false;
			f->param[f->nparam] = 0;
			f->nparam++;
			return;
		}
		f->state = CSI_INTER;
		/* fall through */
	case CSI_INTER:
		if (c >= 0x20 && c <= 0x2f) {
			if (f->ninter >= sizeof f->inter)
				f->bad = true;
			else
				f->inter[f->ninter++] = c;
			return;
		}
		if (c >= 0x40 && c <= 0x7e) {
			csi_done(f, c);
			return;
		}
		/* libvterm ends a CSI here and drops the byte too. */
		refuse(f);
		f->state = GROUND;
		return;
	}
}

static void byte(struct kpty_vtfilter *f, uint8_t c)
{
	if (c == 0x00 || c == 0x7f)
		return;
	if (c == 0x18 || c == 0x1a) { /* CAN, SUB: the sequence is cancelled */
		if (f->state != GROUND)
			refuse(f);
		not_text(f);
		f->state = GROUND;
		return;
	}
	if (c == 0x1b) {
		if (f->state == STR) {
			f->state = STR_ESC;
			return;
		}
		if (f->state == IGN) {
			f->state = IGN_ESC;
			return;
		}
		if (f->state != GROUND && f->state != ESC)
			refuse(f);
		if (f->utf8_left) /* a character cut short */
			bad_utf8(f);
		begin_seq(f, ESC);
		return;
	}
	if (c == 0x07 && (f->state == STR || f->state == IGN)) {
		if (f->state == STR)
			str_done(f);
		f->state = GROUND;
		f->last_ok = false;
		return;
	}
	if (c < 0x20) { /* run where it stands, as libvterm does */
		not_text(f);
		put_byte(f, c);
		return;
	}
	switch (f->state) {
	case GROUND:
		if (c < 0x80) {
			if (f->utf8_left)
				bad_utf8(f);
			put_char(f, c);
		} else {
			utf8_byte(f, c);
		}
		return;
	case STR_ESC:
		if (c == '\\') {
			str_done(f);
			return;
		}
		refuse(f); /* an ESC ended the string unfinished */
		begin_seq(f, ESC);
		break;
	case IGN_ESC:
		f->last_ok = false;
		if (c == '\\') {
			f->state = GROUND;
			return;
		}
		begin_seq(f, ESC);
		break;
	case IGN:
		return;
	case STR:
		if (f->str_len < sizeof f->str)
			f->str[f->str_len++] = c;
		else
			f->bad = true;
		return;
	case ESC:
		break;
	default:
		csi_byte(f, c);
		return;
	}
	/* ESC */
	if (c >= 0x20 && c <= 0x2f) {
		if (f->ninter >= sizeof f->inter)
			f->bad = true;
		else
			f->inter[f->ninter++] = c;
	} else if (c >= 0x30 && c <= 0x7e) {
		esc_done(f, c);
	} else { /* not a sequence after all: the byte is text */
		refuse(f);
		f->state = GROUND;
		utf8_byte(f, c);
	}
}

/* Printable ASCII and the C0 controls a program prints most (no ESC,
 * CAN, SUB, NUL): passed on as they are. Eight bytes at a time while
 * they are all printable ASCII (no byte below 0x20, none above 0x7e:
 * the word tests of "Bit Twiddling Hacks"). */
static size_t plain_run(const uint8_t *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
	size_t i = 0;

	while (i < n) {
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			/* a byte < 0x20, > 0x7e (w + 1 reaches 0x80), or >= 0x80 */
			if (((w - ones * 0x20) | (w + ones) | w) & highs)
				break;
			i += 8;
		}
		if (i == n)
			break;
		uint8_t c = p[i];
		if (c >= 0x20 ? c == 0x7f || c >= 0x80 : (c == 0 || c == 0x18 || c == 0x1a || c == 0x1b))
			break;
		i++;
	}
	return i;
}

void kpty_vtfilter_feed(struct kpty_vtfilter *f, const void *bytes, size_t n)
{
	const uint8_t *p = bytes;

	while (n) {
		size_t k = f->state == GROUND && !f->utf8_left ? plain_run(p, n) : 0;

		if (k) {
			uint8_t lastc = p[k - 1];
			if (f->out_len + k <= sizeof f->obuf) {
				memcpy(f->obuf + f->out_len, p, k);
				f->out_len += k;
			} else { /* long runs go out from where they are */
				flush(f);
				for (size_t done = 0; done < k; done += KPTY_VTFILTER_CHUNK)
					f->out(f->ctx, p + done,
					       k - done < KPTY_VTFILTER_CHUNK ? k - done : KPTY_VTFILTER_CHUNK);
			}
			if (lastc >= 0x20) {
				f->last[0] = lastc;
				f->last_len = 1;
				f->marks = 0;
				f->last_ok = true;
			} else {
				f->last_ok = false;
			}
		} else {
			byte(f, *p);
			k = 1;
		}
		p += k;
		n -= k;
	}
	flush(f);
}

bool kpty_vtfilter_init(struct kpty_vtfilter *f, kpty_vtfilter_out_fn out, void *ctx)
{
	memset(f, 0, sizeof *f);
	f->utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (!f->utf8)
		return false;
	f->out = out;
	f->ctx = ctx;
	f->state = GROUND;
	f->rep_max = 80;
	return true;
}

void kpty_vtfilter_finish(struct kpty_vtfilter *f)
{
	if (f->utf8)
		freelocale(f->utf8);
	f->utf8 = (locale_t)0;
}

void kpty_vtfilter_set_cols(struct kpty_vtfilter *f, int cols)
{
	f->rep_max = cols < 1 ? 1 : (unsigned)cols;
}

size_t kpty_vtfilter_resize_fix(char *out, int rows, int cols, int cur_row, int cur_col)
{
	/* libvterm 0.1.4 takes CSI s for DECSLRM whether DECLRMM is set or
	 * not (it never saves the cursor). Both reset their margins and
	 * home the cursor: CUP puts it back. */
	int n = snprintf(out, KPTY_VTFILTER_RESIZE_FIX, "\033[r\033[s\033[%d;%dH",
			 (cur_row < 0 ? 0 : cur_row < rows ? cur_row : rows - 1) + 1,
			 (cur_col < 0 ? 0 : cur_col < cols ? cur_col : cols - 1) + 1);
	return n < 0 ? 0 : (size_t)n;
}
