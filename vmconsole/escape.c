/* Small byte scanners, pure: ssh-style escapes in typed keys and
 * timestamps at the start of log lines (both keep their state across
 * calls, so a sequence split between two reads is handled the same as one
 * that arrives whole); the escaping of what goes into a log line; the
 * bound on a window size a client asks for. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rp.h"
#include "vmc.h"

void vmc_esc_init(struct vmc_esc *e, int ch)
{
	e->ch = ch;
	e->line_start = true; /* as ssh: an escape works as the first thing typed */
	e->pending = false;
}

int vmc_esc_scan(struct vmc_esc *e, const char *cmds, const uint8_t *in, size_t n, size_t *used,
		 uint8_t *out, size_t *nout)
{
	size_t o = 0, i;

	for (i = 0; i < n; i++) {
		uint8_t b = in[i];
		if (e->pending) {
			e->pending = false;
			if (b != e->ch && b && strchr(cmds, b)) {
				e->line_start = false;
				*used = i + 1;
				*nout = o;
				return b;
			}
			/* Not a command: the escape character goes as typed (once
			 * for a doubled one, as ssh does). */
			out[o++] = (uint8_t)e->ch;
			if (b == e->ch) {
				e->line_start = false;
				continue;
			}
		}
		if (e->line_start && e->ch >= 0 && b == e->ch) {
			e->pending = true;
			continue;
		}
		out[o++] = b;
		e->line_start = b == '\r' || b == '\n';
	}
	*used = n;
	*nout = o;
	return 0;
}

void vmc_stamp_format(char out[VMC_STAMP_LEN + 1], long long sec, long msec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	char day[32];

	localtime_r(&t, &tm);
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, VMC_STAMP_LEN + 1, "%.19s.%03ld ", day, msec % 1000);
}

size_t vmc_stamp_lines(struct vmc_stamp *st, const char stamp[VMC_STAMP_LEN], const uint8_t *in,
		       size_t n, uint8_t *out, size_t cap, size_t *used)
{
	size_t o = 0, i = 0;

	while (i < n) {
		const uint8_t *nl;
		size_t len;
		if (!st->mid_line) {
			if (cap - o <= VMC_STAMP_LEN)
				break;
			memcpy(out + o, stamp, VMC_STAMP_LEN);
			o += VMC_STAMP_LEN;
			st->mid_line = true;
		}
		if (o == cap)
			break;
		nl = memchr(in + i, '\n', n - i);
		len = nl ? (size_t)(nl - (in + i)) + 1 : n - i;
		if (len > cap - o) {
			len = cap - o;
			nl = NULL;
		}
		memcpy(out + o, in + i, len);
		o += len;
		i += len;
		if (nl)
			st->mid_line = false;
	}
	*used = i;
	return o;
}

/* The length of the well-formed UTF-8 sequence at p (2 to 4 bytes, no
 * overlong form, no surrogate, at most U+10FFFF) with its code point in
 * *cp, or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n, unsigned *cp)
{
	size_t len;
	unsigned c, min;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, c = p[0] & 0x1fu, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, c = p[0] & 0x0fu, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, c = p[0] & 0x07u, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that are well-formed but move or hide text on a terminal or
 * in a viewer: C1 controls, line and paragraph separators, the marks and
 * overrides of bidirectional text, the byte order mark. */
static bool invisible(unsigned c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0x2028 || c == 0x2029 || c == 0x061c || c == 0x200e ||
	       c == 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	       c == 0xfeff;
}

size_t vmc_log_escape(const char *in, size_t n, bool quote, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *p = (const uint8_t *)in;
	size_t o = 0, i = 0;

	if (!cap)
		return 0;
	while (i < n) {
		char unit[16];
		size_t ulen = 0, take = 1;
		unsigned cp;
		uint8_t b = p[i];

		if (b == '\\' || (quote && b == '"')) {
			unit[ulen++] = '\\';
			unit[ulen++] = (char)b;
		} else if (b >= 0x20 && b < 0x7f) {
			unit[ulen++] = (char)b;
		} else if (b == '\n' || b == '\r' || b == '\t') {
			unit[ulen++] = '\\';
			unit[ulen++] = b == '\n' ? 'n' : b == '\r' ? 'r' : 't';
		} else if (b >= 0x80 && (take = utf8_seq(p + i, n - i, &cp)) && !invisible(cp)) {
			memcpy(unit, p + i, take);
			ulen = take;
		} else {
			/* A control, DEL, a byte of no character or of an
			 * invisible one: each byte as \xHH. */
			take = take ? take : 1;
			for (size_t k = 0; k < take; k++) {
				unit[ulen++] = '\\';
				unit[ulen++] = 'x';
				unit[ulen++] = hex[p[i + k] >> 4];
				unit[ulen++] = hex[p[i + k] & 15];
			}
		}
		if (ulen > cap - 1 - o)
			break;
		memcpy(out + o, unit, ulen);
		o += ulen;
		i += take;
	}
	out[o] = 0;
	return o;
}

bool vmc_winsize_bound(long cols, long rows, uint16_t *out_cols, uint16_t *out_rows)
{
	if (cols <= 0 || rows <= 0)
		return false;
	*out_cols = (uint16_t)(cols < RP_MAX_COLS ? cols : RP_MAX_COLS);
	*out_rows = (uint16_t)(rows < RP_MAX_ROWS ? rows : RP_MAX_ROWS);
	return true;
}
