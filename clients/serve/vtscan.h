/* struct vtscan: follows a terminal output stream just far enough to tell
 * whether plain text (printable ASCII, HT, CR, LF) arriving next would be
 * drawn plainly: the parser is between sequences, no UTF-8 character is
 * half read, ASCII is designated in all four character sets, insert mode
 * is off. It
 * also says whether newline mode (LNM) and character protection (DECSCA)
 * are on, and whether a sequence went by that may have changed a mode
 * libvterm can be asked about (DECAWM, margins, scroll region).
 *
 * Pure logic, no I/O: struct screen runs it beside libvterm so that floods of
 * plain lines are drawn without libvterm's per-character work. Where
 * unsure it says "not plain", which only costs speed.
 */
#ifndef VTSCAN_H
#define VTSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VTSCAN_PARAMS 16 /* as libvterm: later CSI arguments are ignored */

struct vtscan {
	uint8_t state;	   /* enum in vtscan.c */
	uint8_t utf8_left; /* continuation bytes still expected */
	uint8_t g[4];	   /* designated character sets (final bytes) */
	bool irm, lnm, protect;
	bool tabs_set; /* tab stops may not be every 8 columns any more (HTS,
			* TBC, DECST8C, CTC); only RIS clears it */
	/* Malformed UTF-8 went by: libvterm 0.1.4's decoder may then hold a
	 * stale half character that turns up as U+FFFD before a later one,
	 * depending on how its writes were cut. Never cleared. */
	bool utf8_broken;
	bool modes_changed; /* set here, cleared by the user once it asked */
	uint16_t mouse_enc; /* 1005, 1006 or 1015 while set; 0: X10 */
	uint8_t inter, leader, nparam;
	unsigned param[VTSCAN_PARAMS];
};

void vtscan_init(struct vtscan *v);
void vtscan_feed(struct vtscan *v, const uint8_t *p, size_t n);
bool vtscan_plain(const struct vtscan *v);

#endif
