/* The desk terminal's modes, followed through what is written to it (see
 * termmodes.h). The scanner is ECMA-48's shape, cut down to what changes a
 * mode: ESC, CSI with its parameters, and strings (OSC, DCS, SOS, PM, APC)
 * skipped to their end. */
#include <stdio.h>
#include <string.h>

#include "termmodes.h"

enum { GROUND, ESC, ESC_INTER, CSI, STRING, STRING_ESC };

#define KITTY_MAX 32 /* pushes counted; a program pushing more is not believed */

/* DEC private modes worth undoing, and what a terminal starts with. */
static const struct {
	uint16_t mode;
	bool on_by_default;
} dec_modes[] = {
	{1, false},    /* DECCKM: application cursor keys */
	{5, false},    /* DECSCNM: reverse video screen */
	{6, false},    /* DECOM: origin mode */
	{7, true},     /* DECAWM: autowrap */
	{25, true},    /* DECTCEM: cursor shown */
	{66, false},   /* DECNKM: application keypad */
	{9, false},    /* mouse: X10 */
	{1000, false}, /* mouse: clicks */
	{1001, false}, /* mouse: highlight */
	{1002, false}, /* mouse: drags */
	{1003, false}, /* mouse: all motion */
	{1004, false}, /* focus in/out reports */
	{1005, false}, /* mouse: UTF-8 coordinates */
	{1006, false}, /* mouse: SGR coordinates */
	{1015, false}, /* mouse: urxvt coordinates */
	{1016, false}, /* mouse: SGR pixel coordinates */
	{2004, false}, /* bracketed paste */
	{2026, false}, /* synchronized output: a terminal left in it stops drawing */
};
_Static_assert(sizeof dec_modes / sizeof dec_modes[0] <= 32, "one bit each in dec");

/* The bit of a mode in m->dec (every mode asked for is in the table). */
static uint32_t dec_bit(unsigned mode)
{
	for (unsigned i = 0; i < sizeof dec_modes / sizeof dec_modes[0]; i++)
		if (dec_modes[i].mode == mode)
			return 1u << i;
	return 0;
}

void telly_modes_init(struct telly_modes *m)
{
	memset(m, 0, sizeof *m);
}

/* RIS (ESC c): the terminal is back at its defaults. */
static void hard_reset(struct telly_modes *m)
{
	m->dec = 0;
	m->alt = 0;
	m->keypad = m->sgr = m->region = m->cursor_style = false;
	m->g0_special = m->shifted = m->modify_keys = false;
	m->kitty = 0;
}

/* DECSTR (CSI ! p): what a soft reset puts back. */
static void soft_reset(struct telly_modes *m)
{
	m->dec &= ~(dec_bit(1) | dec_bit(6) | dec_bit(25));
	m->keypad = m->sgr = m->region = m->g0_special = m->shifted = false;
}

static void set_dec(struct telly_modes *m, unsigned long mode, bool on)
{
	if (mode == 47 || mode == 1047 || mode == 1049) {
		m->alt = on ? (uint16_t)mode : 0;
		return;
	}
	for (unsigned i = 0; i < sizeof dec_modes / sizeof dec_modes[0]; i++) {
		if (dec_modes[i].mode != mode)
			continue;
		if (on != dec_modes[i].on_by_default)
			m->dec |= 1u << i;
		else
			m->dec &= ~(1u << i);
	}
}

/* The i-th parameter (0 when empty or absent); a sub-parameter after ':'
 * is part of its parameter. *more: whether there was one. */
static unsigned long param(const struct telly_modes *m, unsigned i, bool *more)
{
	const char *p = m->params, *end = m->params + m->len;
	unsigned long v = 0;

	for (; i && p < end; p++)
		if (*p == ';')
			i--;
	if (more)
		*more = !i && p < end;
	if (i)
		return 0;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		v = v > 100000 ? v : v * 10 + (unsigned long)(*p - '0');
	return v;
}

static unsigned nparams(const struct telly_modes *m)
{
	unsigned n = 1;

	for (unsigned i = 0; i < m->len; i++)
		n += m->params[i] == ';';
	return n;
}

static void sgr(struct telly_modes *m)
{
	unsigned n = nparams(m);

	for (unsigned i = 0; i < n; i++) {
		unsigned long v = param(m, i, NULL);
		if (v == 0) {
			m->sgr = false;
		} else if (v == 38 || v == 48 || v == 58) {
			/* a colour's own numbers follow: 5;N or 2;R;G;B */
			unsigned long kind = param(m, i + 1, NULL);
			i += kind == 5 ? 2 : kind == 2 ? 4 : 0;
			m->sgr = true;
		} else {
			m->sgr = true;
		}
	}
}

static void csi_dispatch(struct telly_modes *m, char final)
{
	unsigned n = nparams(m);

	if (m->overflow)
		return;
	if (m->prefix == '?' && !m->inter && (final == 'h' || final == 'l')) {
		for (unsigned i = 0; i < n; i++)
			set_dec(m, param(m, i, NULL), final == 'h');
	} else if (!m->prefix && !m->inter && final == 'm') {
		sgr(m);
	} else if (m->prefix == '>' && !m->inter && final == 'm') {
		if (param(m, 0, NULL) == 4)
			m->modify_keys = param(m, 1, NULL) != 0;
	} else if (!m->prefix && !m->inter && final == 'r') {
		m->region = m->len != 0;
	} else if (!m->prefix && m->inter == '!' && final == 'p') {
		soft_reset(m);
	} else if (!m->prefix && m->inter == ' ' && final == 'q') {
		m->cursor_style = param(m, 0, NULL) != 0;
	} else if (m->prefix == '>' && !m->inter && final == 'u') {
		if (m->kitty < KITTY_MAX)
			m->kitty++;
	} else if (m->prefix == '<' && !m->inter && final == 'u') {
		unsigned long k = param(m, 0, NULL);
		k = k ? k : 1;
		m->kitty = k >= m->kitty ? 0 : (uint8_t)(m->kitty - k);
	}
}

static void esc_dispatch(struct telly_modes *m, uint8_t c)
{
	switch (c) {
	case '[':
		m->state = CSI;
		m->prefix = m->inter = 0;
		m->len = 0;
		m->overflow = false;
		return;
	case ']': case 'P': case 'X': case '^': case '_':
		m->state = STRING;
		return;
	case '=':
		m->keypad = true;
		break;
	case '>':
		m->keypad = false;
		break;
	case 'c':
		hard_reset(m);
		break;
	}
	m->state = GROUND;
}

static void step(struct telly_modes *m, uint8_t c)
{
	if (c == 0x18 || c == 0x1a) { /* CAN, SUB: any sequence ends */
		m->state = GROUND;
		return;
	}
	switch (m->state) {
	case GROUND:
		if (c == 0x1b)
			m->state = ESC;
		else if (c == 0x0e)
			m->shifted = true;
		else if (c == 0x0f)
			m->shifted = false;
		return;
	case ESC:
		if (c == 0x1b)
			return;
		if (c >= 0x20 && c <= 0x2f) {
			m->inter = (char)c;
			m->state = ESC_INTER;
			return;
		}
		esc_dispatch(m, c);
		return;
	case ESC_INTER:
		if (c == 0x1b) {
			m->state = ESC;
		} else if (c >= 0x30 && c <= 0x7e) {
			if (m->inter == '(')
				m->g0_special = c == '0';
			m->state = GROUND;
		} else if (c >= 0x20 && c <= 0x2f) {
			m->inter = 0; /* two intermediates: none of ours */
		}
		return;
	case CSI:
		if (c == 0x1b) {
			m->state = ESC;
		} else if (c >= 0x40 && c <= 0x7e) {
			csi_dispatch(m, (char)c);
			m->state = GROUND;
		} else if (c >= 0x20 && c <= 0x2f) {
			m->inter = (char)c;
		} else if (c >= 0x3c && c <= 0x3f && !m->len && !m->prefix && !m->inter) {
			m->prefix = (char)c;
		} else if (c >= 0x30 && c <= 0x3f) {
			if (m->inter || m->len >= sizeof m->params)
				m->overflow = true; /* not a sequence of ours, or too long */
			else
				m->params[m->len++] = (char)c;
		}
		/* C0 controls inside a CSI act and leave it going */
		return;
	case STRING:
		if (c == 0x07)
			m->state = GROUND;
		else if (c == 0x1b)
			m->state = STRING_ESC;
		return;
	case STRING_ESC:
		if (c == '\\') {
			m->state = GROUND;
		} else { /* ESC ends the string and starts a sequence */
			m->state = ESC;
			step(m, c);
		}
		return;
	}
}

void telly_modes_feed(struct telly_modes *m, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		step(m, p[i]);
}

bool telly_modes_any(const struct telly_modes *m)
{
	return m->dec || m->alt || m->keypad || m->sgr || m->region || m->cursor_style ||
	       m->g0_special || m->shifted || m->modify_keys || m->kitty;
}

#define PUT(...) (o += (size_t)snprintf(out + o, o < cap ? cap - o : 0, __VA_ARGS__))

size_t telly_modes_reset(const struct telly_modes *m, char *out, size_t cap)
{
	size_t o = 0;
	const uint32_t origin = dec_bit(6), sync = dec_bit(2026);

	if (!cap)
		return 0;
	out[0] = 0;
	if (!telly_modes_any(m))
		return 0;
	/* Output held back by a terminal in synchronized mode is shown. */
	if (m->dec & sync)
		PUT("\033[?2026l");
	/* Scroll region and origin mode move the cursor home: on the
	 * alternate screen that is lost with it; on the primary one the
	 * cursor is saved around the region's reset. */
	if (m->alt) {
		if (m->dec & origin)
			PUT("\033[?6l");
		if (m->region)
			PUT("\033[r");
		PUT("\033[?%ul", (unsigned)m->alt);
	} else {
		if (m->dec & origin)
			PUT("\033[?6l");
		if (m->region)
			PUT("\0337\033[r\0338");
	}
	if (m->sgr)
		PUT("\033[m");
	if (m->g0_special)
		PUT("\033(B");
	if (m->shifted)
		PUT("\017");
	for (unsigned i = 0; i < sizeof dec_modes / sizeof dec_modes[0]; i++)
		if ((m->dec & ~(origin | sync)) & (1u << i))
			PUT("\033[?%u%c", dec_modes[i].mode, dec_modes[i].on_by_default ? 'h' : 'l');
	if (m->keypad)
		PUT("\033>");
	if (m->modify_keys)
		PUT("\033[>4m");
	if (m->kitty)
		PUT("\033[<%uu", (unsigned)m->kitty);
	if (m->cursor_style)
		PUT("\033[0 q");
	return o < cap ? o : cap - 1;
}

/* ---- the terminal's DECRQM 2026 answer, taken out of the keys ---- */

#define SYNC_PREFIX "\033[?2026;"
#define SYNC_PREFIX_BYTES (sizeof SYNC_PREFIX - 1)
#define SYNC_DIGITS_MAX 2
/* ESC [ ? comes from no key: kept as a partial answer at any time. */
#define SYNC_SURE_BYTES 3

enum { MATCH_NO = 0, MATCH_PARTIAL = -1 };

/* An answer at p: its length (>0) with its Ps in *v, MATCH_PARTIAL if the
 * n bytes are the start of one, else MATCH_NO. */
static int sync_match(const uint8_t *p, size_t n, unsigned *v)
{
	size_t i = 0, digits = 0;

	for (; i < SYNC_PREFIX_BYTES; i++) {
		if (i == n)
			return MATCH_PARTIAL;
		if (p[i] != (uint8_t)SYNC_PREFIX[i])
			return MATCH_NO;
	}
	*v = 0;
	for (; i < n && digits < SYNC_DIGITS_MAX && p[i] >= '0' && p[i] <= '9'; i++, digits++)
		*v = *v * 10 + (unsigned)(p[i] - '0');
	if (i == n)
		return MATCH_PARTIAL;
	if (!digits || p[i] != '$')
		return MATCH_NO;
	if (++i == n)
		return MATCH_PARTIAL;
	return p[i] == 'y' ? (int)i + 1 : MATCH_NO;
}

void telly_sync_init(struct telly_sync *s)
{
	memset(s, 0, sizeof *s);
}

void telly_sync_asked(struct telly_sync *s, long now_ms)
{
	s->await_until_ms = now_ms + TELLY_SYNC_AWAIT_MS;
}

size_t telly_sync_due(struct telly_sync *s, uint8_t *out, long now_ms)
{
	size_t n = s->nkept;

	if (!n || now_ms - s->kept_ms < TELLY_SYNC_PARTIAL_MS)
		return 0;
	memcpy(out, s->kept, n);
	s->nkept = 0;
	return n;
}

long telly_sync_wait_ms(const struct telly_sync *s, long now_ms)
{
	long left;

	if (!s->nkept)
		return -1;
	left = s->kept_ms + TELLY_SYNC_PARTIAL_MS - now_ms;
	return left > 0 ? left : 0;
}

size_t telly_sync_keys(struct telly_sync *s, const uint8_t *in, size_t n, uint8_t *out,
		       long now_ms)
{
	/* What the partial kept before goes on with: scanned as one. */
	uint8_t buf[TELLY_SYNC_ANSWER_BYTES];
	size_t o = telly_sync_due(s, out, now_ms), nb = s->nkept, i = 0;

	memcpy(buf, s->kept, nb);
	s->nkept = 0;
	while (i < nb + n) {
		/* The byte at i of kept-then-in, and the run from it. */
		const uint8_t *p;
		uint8_t run[TELLY_SYNC_ANSWER_BYTES];
		size_t avail = nb + n - i, take = avail < sizeof run ? avail : sizeof run;
		unsigned v = 0;
		int m;

		for (size_t k = 0; k < take; k++)
			run[k] = i + k < nb ? buf[i + k] : in[i + k - nb];
		p = run;
		if (p[0] != 0x1b) {
			out[o++] = p[0];
			i++;
			continue;
		}
		m = sync_match(p, take, &v);
		if (m > 0) {
			s->has |= v == 1 || v == 2;
			i += (size_t)m;
			continue;
		}
		/* A partial answer ends the read (take < sizeof run: it can
		 * only be partial for want of bytes). */
		if (m == MATCH_PARTIAL && take == avail &&
		    (take >= SYNC_SURE_BYTES || now_ms < s->await_until_ms)) {
			memcpy(s->kept, p, take);
			s->nkept = (uint8_t)take;
			s->kept_ms = now_ms;
			break;
		}
		out[o++] = p[0];
		i++;
	}
	return o;
}
