/* xdisplay, inside: what X programs hand a window manager and a
 * clipboard (window properties, selection data, cursor images, configure
 * requests), read as plain functions: no connection, no I/O. xd.c (the
 * host's window manager) and the desk's X view (clients/view_x11.c) call
 * them; test/unit/test_xd_prop.c tests them with tables and
 * test/fuzz/xprop.c fuzzes them. Every value here comes from a program
 * that may be hostile or broken: a length, format, type, count or size is
 * checked before it is used, and what is handed on is bounded. */
#ifndef XD_PROP_H
#define XD_PROP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xcb/res.h>

/* The predefined atoms these read (X11 protocol, Appendix B). */
#define XD_ATOM_ATOM 4u
#define XD_ATOM_CARDINAL 6u
#define XD_ATOM_INTEGER 19u
#define XD_ATOM_STRING 31u
#define XD_ATOM_WINDOW 33u
#define XD_ATOM_WM_SIZE_HINTS 41u

#define XD_PROP_PROTOCOLS_MAX 64 /* WM_PROTOCOLS' atoms looked at */
#define XD_PROP_PAIRS_MAX 512	 /* MULTIPLE's (target, property) pairs */

/* WM_SIZE_HINTS' flags (ICCCM 4.1.2.3). */
#define XD_US_POSITION 1u
#define XD_US_SIZE 2u
#define XD_P_POSITION 4u
#define XD_P_SIZE 8u
#define XD_P_MIN_SIZE 16u
#define XD_P_MAX_SIZE 32u
#define XD_P_RESIZE_INC 64u
#define XD_P_ASPECT 128u
#define XD_P_BASE_SIZE 256u
#define XD_P_WIN_GRAVITY 512u

/* A property as GetProperty answered it: value holds len bytes (a format
 * 16 or 32 value is in the host's order, as xcb hands it); truncated:
 * the program's property is longer than what was read (bytes_after). A
 * type of 0 (None): the property does not exist. */
struct xd_prop {
	uint32_t type;
	uint8_t format;
	const void *value;
	size_t len;
	bool truncated;
};

/* The atoms interned on the display these need (0: not interned). */
struct xd_prop_atoms {
	uint32_t utf8_string, compound_text, text, incr, atom_pair;
};

/* Text flags. */
#define XD_TEXT_LATIN1 1u   /* the bytes are Latin-1 (ICCCM's STRING), not UTF-8 */
#define XD_TEXT_KEEP_CTL 2u /* keep control characters (a clipboard's newlines, tabs) */
#define XD_TEXT_CUT 4u	    /* the input may end inside a character: that one is dropped */

/* s (n bytes) as valid UTF-8 into dst (at most cap - 1 bytes and a NUL,
 * never a character cut): a byte that does not start a valid UTF-8
 * sequence (overlong, a surrogate, past U+10FFFF, truncated) becomes '?';
 * controls (C0, DEL, C1) become ' ' unless XD_TEXT_KEEP_CTL. A NUL ends
 * the text (an X text has none). Returns the bytes written; cap >= 1. */
size_t xd_prop_text(char *dst, size_t cap, const uint8_t *s, size_t n, unsigned flags);
/* Whether s (n bytes) is valid UTF-8 with no NUL. */
bool xd_prop_utf8_valid(const uint8_t *s, size_t n);

/* A window's name (WM_NAME, WM_ICON_NAME): 8-bit text, UTF-8 when its
 * type is UTF8_STRING, else Latin-1 (STRING; COMPOUND_TEXT read as its
 * Latin-1 part); net: _NET_WM_NAME, _NET_WM_ICON_NAME, only UTF8_STRING.
 * Anything else (another format, a non-text type) is no name: dst "". */
size_t xd_prop_name(char *dst, size_t cap, const struct xd_prop *p, const struct xd_prop_atoms *a,
		    bool net);
/* WM_CLASS ("instance\0class\0", STRING): the class, else the instance. */
size_t xd_prop_class(char *dst, size_t cap, const struct xd_prop *p);

/* WM_NORMAL_HINTS as telly uses them: sizes 0..max_dim (0: not set; a
 * negative one is not set), a maximum below the minimum raised to it,
 * and whether the program asked for its place. */
struct xd_hints {
	uint16_t min_w, min_h, max_w, max_h, inc_w, inc_h, base_w, base_h;
};
struct xd_size_hints {
	bool sizes;	 /* any of min, max, inc, base is set */
	bool positioned; /* USPosition or PPosition: the program placed it */
	struct xd_hints size;
};
/* False (h zeroed) when p is not WM_SIZE_HINTS: another format, fewer
 * than the 15 words of the pre-ICCCM layout. Base size only with 18
 * words' room for it (17 read). */
bool xd_prop_size_hints(const struct xd_prop *p, uint16_t max_dim, struct xd_size_hints *h);

/* WM_TRANSIENT_FOR: the window it names (WINDOW, format 32), else 0. */
uint32_t xd_prop_window(const struct xd_prop *p);
/* Whether a list of atoms (ATOM, format 32: WM_PROTOCOLS) names atom
 * among its first max. */
bool xd_prop_has_atom(const struct xd_prop *p, uint32_t atom, size_t max);
/* _MOTIF_WM_HINTS (format 32, of its own type, at least 3 words): whether
 * it asks for no decorations (flags' bit 1 set, decorations 0), as a
 * window that draws its own title bar (GTK's header bar) or none does. */
bool xd_prop_undecorated(const struct xd_prop *p);

/* MULTIPLE's (target, property) pairs (ATOM_PAIR or ATOM, format 32,
 * whole) into pairs (room for 2 * XD_PROP_PAIRS_MAX): the number of
 * atoms (even, > 0), or 0 when it is not such a list. */
size_t xd_prop_pairs(const struct xd_prop *p, const struct xd_prop_atoms *a, uint32_t *pairs);

/* What a selection's owner wrote where it was asked to. */
enum xd_sel_kind {
	XD_SEL_REFUSED, /* not text (another format or type): not passed on */
	XD_SEL_INCR,	/* INCR: the text comes in pieces */
	XD_SEL_UTF8,	/* UTF8_STRING */
	XD_SEL_LATIN1,	/* STRING, TEXT, COMPOUND_TEXT (its Latin-1 part) */
};
enum xd_sel_kind xd_prop_sel_kind(const struct xd_prop *p, const struct xd_prop_atoms *a);
/* A selection's text (n bytes, kind's) as valid UTF-8 with its controls:
 * malloc'd, NUL-ended, its length in *out_n; NULL when out of memory. */
char *xd_prop_sel_text(const uint8_t *s, size_t n, enum xd_sel_kind kind, size_t *out_n);
/* A desk program's text (any bytes; UTF-8 asked, STRING's Latin-1 from
 * an old one): as it is when it is valid UTF-8, else read as Latin-1. */
char *xd_prop_desk_text(const uint8_t *s, size_t n, size_t *out_n);

/* A cursor image (XFixes GetCursorImage): w x h pixels, n of them in the
 * answer, hot spot. Kept only when 1..max_dim a side and n == w * h; a
 * hot spot outside the image is put at its corner. */
struct xd_prop_cursor {
	uint16_t w, h, xhot, yhot;
};
bool xd_prop_cursor(uint32_t w, uint32_t h, uint32_t xhot, uint32_t yhot, size_t n,
		    uint16_t max_dim, struct xd_prop_cursor *out);
/* A cursor image c (its argb, c->w x c->h, premultiplied) of more than
 * max_px pixels made smaller, its shape kept, to at most max_px (>= 1)
 * into dst (room for max_px): each pixel the average of those it stands
 * for, the hot spot where it was. c is changed to the new size; false
 * (nothing done) when it already fits. */
bool xd_prop_cursor_fit(struct xd_prop_cursor *c, const uint32_t *argb, size_t max_px,
			uint32_t *dst);

/* A ConfigureRequest's values (X11: x, y, width, height, border width,
 * sibling, stack mode, as value_mask says), as the window manager grants
 * them: sizes 1..max_dim, no border (the desk draws the frame), a sibling
 * only with a stack mode, a stack mode only 0..4 (Above .. Opposite).
 * The granted mask and its values in order into v (7 room). */
struct xd_cfg_req {
	uint16_t mask;
	int16_t x, y;
	uint16_t w, h, bw;
	uint32_t sibling;
	uint8_t stack_mode;
};
uint16_t xd_prop_configure(const struct xd_cfg_req *r, uint16_t max_dim, uint32_t v[7]);

/* A client X-Resource lists: its resource ids are those whose bits
 * outside mask are base; what xd found of it (shown: a window of its was
 * shown; holds: it owns CLIPBOARD or PRIMARY). */
struct xd_xres_client {
	uint32_t base, mask;
	bool shown, holds;
};
/* X-Resource's QueryClients reply as xcb hands it (32 bytes and 4 a unit
 * of its length): how many clients it lists other than the server (base
 * 0) and own (the asking connection's base), the first max of them put in
 * out (NULL: only counted). A count past what the reply holds is cut to
 * it. */
unsigned xd_prop_xres_clients(const xcb_res_query_clients_reply_t *r, uint32_t own,
			      struct xd_xres_client *out, unsigned max);
/* c sorted by base, for xd_prop_xres_maker. */
void xd_prop_xres_sort(struct xd_xres_client *c, unsigned n);
/* Which of the n clients c (sorted) made resource id (a window): its
 * index, or -1 (none of them: the server's, xd's, or a client's gone). */
int xd_prop_xres_maker(const struct xd_xres_client *c, unsigned n, uint32_t id);

#endif
