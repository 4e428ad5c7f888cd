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

bool vmc_winsize_bound(long cols, long rows, uint16_t *out_cols, uint16_t *out_rows)
{
	if (cols <= 0 || rows <= 0)
		return false;
	*out_cols = (uint16_t)(cols < RP_MAX_COLS ? cols : RP_MAX_COLS);
	*out_rows = (uint16_t)(rows < RP_MAX_ROWS ? rows : RP_MAX_ROWS);
	return true;
}
