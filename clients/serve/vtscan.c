/* The stream follower behind struct screen's plain-text path (see vtscan.h).
 *
 * The states are those of a VT500 parser collapsed to what matters here:
 * between sequences, after ESC, in a CSI, in a string (OSC, DCS and the
 * others, which end with BEL or ST). CAN and SUB cancel, ESC restarts from
 * anywhere, C0 controls inside a sequence act as they would outside.
 */
#include <string.h>

#include "vtscan.h"

enum { GROUND, ESC, CSI, STR, STR_ESC };

static void reset(struct vtscan *v)
{
	memset(v, 0, sizeof *v);
	memset(v->g, 'B', sizeof v->g); /* US ASCII everywhere */
	v->modes_changed = true;
}

void vtscan_init(struct vtscan *v)
{
	reset(v);
}

bool vtscan_plain(const struct vtscan *v)
{
	/* With ASCII in all four sets, which one is invoked (SI, SO, single
	 * shifts) does not matter, and is not followed. */
	return v->state == GROUND && !v->utf8_left && !memcmp(v->g, "BBBB", 4) && !v->irm;
}

static void csi_end(struct vtscan *v, uint8_t final)
{
	if (v->nparam < VTSCAN_PARAMS)
		v->nparam++; /* the argument being read when the final came */
	if (!v->leader && !v->inter && (final == 'h' || final == 'l')) {
		for (unsigned i = 0; i < v->nparam; i++) {
			if (v->param[i] == 4)
				v->irm = final == 'h';
			else if (v->param[i] == 20)
				v->lnm = final == 'h';
		}
	} else if (v->leader == '?' && (final == 'h' || final == 'l')) {
		v->modes_changed = true; /* DECAWM, DECLRMM, DECOM... */
		/* The mouse encoding, which libvterm keeps but does not tell: as
		 * there, the last one set wins and resetting any means X10. */
		for (unsigned i = 0; i < v->nparam; i++)
			if (v->param[i] == 1005 || v->param[i] == 1006 || v->param[i] == 1015)
				v->mouse_enc = final == 'h' ? (uint16_t)v->param[i] : 0;
	} else if (!v->leader && !v->inter && (final == 'r' || final == 's')) {
		v->modes_changed = true; /* DECSTBM, DECSLRM */
	} else if (v->inter == '!' && final == 'p') {
		/* DECSTR: libvterm (0.1.4) leaves IRM, LNM, DECSCA and the
		 * character sets as they were; the screen tests check it. */
		v->modes_changed = true;
	} else if (v->inter == '"' && final == 'q') {
		v->protect = v->param[0] == 1;
	} else if (final == 'g' || final == 'W') {
		v->tabs_set = true; /* TBC, CTC, DECST8C: whatever the arguments */
	}
	v->state = GROUND;
}

static void esc_end(struct vtscan *v, uint8_t final)
{
	v->state = GROUND;
	/* libvterm starts a CSI or a string on these whatever intermediates
	 * came before; taking a string for one is the safe mistake. */
	switch (final) {
	case '[':
		v->state = CSI;
		v->leader = v->inter = 0;
		v->nparam = 0;
		memset(v->param, 0, sizeof v->param);
		return;
	case ']':
	case 'P':
	case 'X':
	case '^':
	case '_':
		v->state = STR;
		return;
	default:
		break;
	}
	if (v->inter >= '(' && v->inter <= '+') {
		v->g[v->inter - '('] = final;
		return;
	}
	if (v->inter == '#') {
		v->modes_changed = true; /* double-width or -height lines */
		return;
	}
	if (v->inter)
		return;
	switch (final) {
	case 'c': { /* RIS; libvterm's UTF-8 decoder keeps what it holds */
		bool broken = v->utf8_broken || v->utf8_left;
		reset(v);
		v->utf8_broken = broken;
		break;
	}
	case 'H': /* HTS */
		v->tabs_set = true;
		break;
	default:
		break;
	}
}

static void esc_byte(struct vtscan *v, uint8_t c)
{
	if (c < 0x20)
		return; /* executed as outside a sequence: nothing followed here */
	if (c < 0x30)
		v->inter = v->inter ? v->inter : c;
	else if (c < 0x7f)
		esc_end(v, c);
}

void vtscan_feed(struct vtscan *v, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];

		/* A UTF-8 character cut by a control or a sequence stays
		 * half read (libvterm's decoder keeps it) until text comes. */
		if (c == 0x18 || c == 0x1a) { /* CAN, SUB */
			v->state = GROUND;
			continue;
		}
		if (c == 0x1b && v->state != STR) {
			v->state = ESC;
			v->inter = 0;
			continue;
		}
		switch (v->state) {
		case GROUND:
			if (c >= 0x20 && c < 0x7f) {
				v->utf8_broken |= v->utf8_left != 0;
				v->utf8_left = 0;
			} else if (c >= 0x80) {
				if ((c & 0xc0) == 0x80) {
					v->utf8_broken |= !v->utf8_left;
					if (v->utf8_left)
						v->utf8_left--;
				} else {
					v->utf8_broken |= v->utf8_left || c < 0xc2 || c > 0xf4;
					v->utf8_left = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
				}
			}
			break;
		case ESC:
			esc_byte(v, c);
			break;
		case CSI:
			if (c >= '0' && c <= '9') {
				if (v->nparam < VTSCAN_PARAMS && v->param[v->nparam] < 100000)
					v->param[v->nparam] = v->param[v->nparam] * 10 + (c - '0');
			} else if (c == ';' || c == ':') {
				if (v->nparam < VTSCAN_PARAMS)
					v->nparam++;
			} else if (c >= '<' && c <= '?') {
				v->leader = c;
			} else if (c >= 0x20 && c < 0x30) {
				v->inter = c;
			} else if (c >= 0x40 && c < 0x7f) {
				csi_end(v, c);
			}
			break;
		case STR:
			if (c == 0x07)
				v->state = GROUND;
			else if (c == 0x1b)
				v->state = STR_ESC;
			break;
		case STR_ESC:
			if (c == '\\') {
				v->state = GROUND;
			} else { /* the string ended; this ESC starts something else */
				v->state = ESC;
				v->inter = 0;
				esc_byte(v, c);
			}
			break;
		}
	}
}
