/* The X connection: telly as the display's window manager and
 * compositor (xd.h says what and why). Replies are never waited for,
 * from the start on: each request that has one is remembered in a ring
 * with what to do with its answer, and xd_dispatch takes the answers in
 * order as they come (a program that grabs the server, or a server that
 * is stopped, stalls its display, not the daemon).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xcb/bigreq.h>
#include <xcb/composite.h>
#include <xcb/damage.h>
#include <xcb/randr.h>
#include <xcb/res.h>
#include <xcb/shape.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>
#include <xcb/xcbext.h>
#include <xcb/xfixes.h>
#include <xcb/xkb.h>
#include <xcb/xtest.h>

#include "base.h"
#include "xd.h"
#include "xd_int.h"
#include "xd_prop.h"

#define XD_PENDING_MAX 4096	   /* requests awaiting their reply */
#define XD_EVENTS_PER_DISPATCH 256 /* then the loop gets its turn */
#define XD_DISPATCH_ROUNDS 8	   /* of events, answers and flushes in one dispatch */
/* Bytes of answers one dispatch takes, then the loop gets its turn: a
 * program that reshapes many windows at once (up to 128 KiB an answer)
 * or copies large texts in a loop has its display's answers taken a
 * piece at a time, between the daemon's other work. */
#define XD_ANSWER_BYTES_PER_DISPATCH (1u << 20)
#define XD_HELD_BATCH 64	   /* held inputs written at once: at most 5.4 KiB, one write */
#define XD_HELD_POLL_MS 100	   /* held input waiting for the server to read: tried this often */
#define XD_RECTS_MAX 32		   /* damage in more pieces is read as its bounding box */
#define XD_PROP_MAX_WORDS 1024	   /* a property read is at most 4 KiB */
#define XD_PROTOCOLS_MAX XD_PROP_PROTOCOLS_MAX
#define XD_PROPS_ASKED 10 /* the properties a window's mapping asks for */
_Static_assert(2 * XD_PROP_PAIRS_MAX >= XD_PROP_MAX_WORDS, "MULTIPLE's pairs as read");
#define XD_SHM_MIN_ROWS 64	   /* the pixel segment holds this many rows of the widest window */
#define XD_SCREEN_DPI 96	   /* the size in millimetres RANDR is told */
#define XD_RR_OUTPUTS_MAX 16	   /* outputs looked at for the one that makes the screen */
/* What xd sends is afforded from a budget of the socket's memory (afford):
 * a request's bytes count twice (a write's memory is up to twice what it
 * carries), and each write XD_WRITE_COST more. The most each thing xd
 * does sends: */
#define XD_WRITE_COST 1024
#define XD_EVENT_COST 512   /* an event's answer (a mapping's: 8 reads, a damage, a pixmap) */
#define XD_KEY_COST 64	    /* a key and the focus */
#define XD_POINTER_COST 128 /* a motion, a button, the focus */
#define XD_ASK_COST 64	    /* a focus, a configure, a close, a selection's owner, a read */
#define XD_CAPTURE_COST ((XD_RECTS_MAX + 2) * 40) /* a subtract and a batch of reads */
#define XD_RR_COST 512	    /* a step of a size's change */
#define XD_OWED_COST (257 * 36) /* every release owed */
#define XD_FREE_IDS (2 * XD_MAX_WINDOWS + 16) /* ids of ours freed, used again */
/* Room for windows again after some were not tracked: the root's top
 * children looked at, at most this many, and of those not tracked at
 * most XD_TREE_ASKS asked whether they are mapped (a program may have
 * made a hundred thousand). */
#define XD_TREE_SCAN (4 * XD_MAX_WINDOWS)
#define XD_TREE_ASKS XD_MAX_WINDOWS
/* The windows' pictures xd keeps (and its owner's copy of each) take at
 * most this many screens' worth of pixels, a screen counted at least
 * half a 4K screen (3840x2160 / 2, 4147200 pixels) and at its largest so
 * far; windows larger than the screen at most half of that, so that they
 * never keep the others from being read: past it a window is not read
 * until others go or shrink. A program that maps windows of 8192x8192 in
 * a loop took 280 MB of the daemon's memory for each, until it was killed
 * for want of memory, and every session with it. The least screen is
 * half a 4K one so that a window of 4K, larger than any smaller screen,
 * fits in that half with room for its menus beside it: counted at
 * 1920x1080, a 3840x2160 window was never shown on a smaller desk, even
 * alone, where ssh -X shows it. */
#define XD_PIXELS_SCREENS 4
#define XD_PIXELS_SCREEN_MIN (3840u * 2160u / 2)
/* The _NET_WM_STATE states kept (xwin's state, bit n: atom
 * A_NET_WM_STATE_FULLSCREEN + n) */
#define XD_STATE_FULLSCREEN 1
#define XD_STATE_MAXIMIZED 6 /* vertically (2) and horizontally (4) */
#define XD_STATES 3

enum {
	A_WM_NAME,
	A_NET_WM_NAME,
	A_WM_ICON_NAME,
	A_NET_WM_ICON_NAME,
	A_WM_CLASS,
	A_WM_NORMAL_HINTS,
	A_WM_TRANSIENT_FOR,
	A_NET_WM_STATE,
	A_MOTIF_WM_HINTS,
	A_WM_PROTOCOLS,
	A_WM_DELETE_WINDOW,
	A_WM_STATE,
	A_UTF8_STRING,
	A_CLIPBOARD,
	A_PRIMARY,
	A_TARGETS,
	A_TEXT,
	A_INCR,
	A_TELLY_SEL,
	A_MULTIPLE,
	A_ATOM_PAIR,
	A_COMPOUND_TEXT,
	A_GDK_VISUALS,
	A_NET_WM_STATE_FULLSCREEN, /* the states kept: XD_STATE_* in this order */
	A_NET_WM_STATE_MAXIMIZED_VERT,
	A_NET_WM_STATE_MAXIMIZED_HORZ,
	A_NET_SUPPORTED,
	A_NET_SUPPORTING_WM_CHECK,
	A_NET_WM_MOVERESIZE,
	A_COUNT
};
_Static_assert(A_WM_DELETE_WINDOW <= 16, "a window's properties owed fit props_owed");
static const char *const atom_names[A_COUNT] = {
	"WM_NAME",	   "_NET_WM_NAME",	"WM_ICON_NAME", "_NET_WM_ICON_NAME",
	"WM_CLASS",	   "WM_NORMAL_HINTS", "WM_TRANSIENT_FOR", "_NET_WM_STATE", "_MOTIF_WM_HINTS", "WM_PROTOCOLS",
	"WM_DELETE_WINDOW", "WM_STATE",	"UTF8_STRING", "CLIPBOARD", "PRIMARY",
	"TARGETS", "TEXT", "INCR", "_TELLY_SELECTION", "MULTIPLE", "ATOM_PAIR", "COMPOUND_TEXT",
	"GDK_VISUALS",
	"_NET_WM_STATE_FULLSCREEN", "_NET_WM_STATE_MAXIMIZED_VERT", "_NET_WM_STATE_MAXIMIZED_HORZ",
	"_NET_SUPPORTED", "_NET_SUPPORTING_WM_CHECK", "_NET_WM_MOVERESIZE",
};

enum pkind {
	PK_PROP,
	PK_SHM,
	PK_CURSOR,
	PK_SEL,
	PK_MULTI,
	PK_RR_RES,
	PK_RR_MODE,
	PK_RR_CRTC,
	PK_START, /* atom: the start's step that the answer ends */
	PK_GEOM,  /* a window's geometry: one reparented to the root, or mapped untracked */
	PK_TREE,  /* the root's children, looked at when there is room again */
	PK_ATTR,  /* win: one of them not tracked (atom: its place in found): mapped? */
	PK_XRES_CLIENTS, /* X-Resource's QueryClients (xd_clients_ask) */
	PK_SHAPE, /* win's shape (atom: XD_SHAPE_*) as rectangles */
};

struct pending {
	unsigned seq;
	uint8_t kind;
	uint32_t win, atom; /* PK_SHM: atom, the read's cap.gen */
	struct xd_rect r; /* PK_SHM: the piece read, in pixmap coordinates; PK_RR_*: w, h the size */
	uint32_t off;	  /* PK_SHM: where in the segment */
	/* PK_MULTI (win: the requestor, atom: its property of pairs): the
	 * request's selection (its index) and time, answered on the reply. */
	uint8_t sel;
	uint32_t time;
};

struct xwin {
	struct xwin *below, *above; /* the stacking order of the root's children */
	uint32_t id;
	int16_t x, y;
	uint16_t w, h, bw;
	bool mapped, override, reported;
	bool shown; /* mapped once: its client shows a window (xd_clients_ask) */
	/* Its geometry asked (the request, widened; 0: none): a window
	 * reparented to the root comes with its place but not its size. A
	 * ConfigureNotify past the request is newer than its answer. */
	uint64_t geom_seq;
	/* Mapped, its properties asked and not all in: not told until they
	 * are, so that its first report has its names, its size hints and
	 * whether it asked for its place (the desk places it by that). */
	bool props_wait;
	/* Properties (bit A_*) whose question found the ring full: asked
	 * once it has room (xprops_owed), so a title set then still comes. */
	uint16_t props_owed;
	uint32_t damage, pixmap;
	uint16_t pm_w, pm_h; /* the named pixmap's size (border included) */
	uint32_t *pix;	     /* the last picture read, pm_w x pm_h */
	uint16_t pix_w, pix_h;
	bool starved; /* wanted, but its picture would pass the pixels' bound */
	bool want, want_whole, capturing, damaged_again;
	uint64_t sub_seq; /* the request that last emptied its damage (a read's) */
	/* Where it was drawn since the last read (the damage's delta
	 * rectangles, window coordinates; past XD_RECTS_MAX their bounding
	 * box), and what that read covered (pixmap coordinates). */
	struct xd_rect dmg[XD_RECTS_MAX], read[XD_RECTS_MAX];
	size_t ndmg, nread;
	char title[XD_TITLE_MAX_BYTES + 1], net_title[XD_TITLE_MAX_BYTES + 1];
	char icon[XD_TITLE_MAX_BYTES + 1], net_icon[XD_TITLE_MAX_BYTES + 1];
	char wm_class[XD_TITLE_MAX_BYTES + 1];
	uint32_t transient_for;
	bool can_close, hints;
	bool positioned; /* WM_NORMAL_HINTS' USPosition or PPosition */
	/* The states its _NET_WM_STATE has of those kept (bit n: atom
	 * A_NET_WM_STATE_FULLSCREEN + n). Full screen, or maximized both
	 * ways, it spans the screen, and goes back to fs_x, fs_y, fs_w x fs_h
	 * (its place and outer size before) once it has neither. */
	uint8_t state;
	bool undecorated; /* _MOTIF_WM_HINTS asks for no decorations */
	int16_t fs_x, fs_y;
	uint16_t fs_w, fs_h;
	/* Moved since it was mapped, by a desk (xd_configure) or by its
	 * program (a ConfigureRequest with a place): where it is was chosen,
	 * and a desk that comes later keeps it there. */
	bool placed;
	struct xd_hints size;
	/* The place and outer size a change of the screen's size asked of it,
	 * and that request: until an event past it comes, the window is
	 * taken as asked (the next change may come first). */
	uint64_t fit_seq;
	int16_t fit_x, fit_y;
	uint16_t fit_w, fit_h;
	/* A configure (what: 1 move, 2 outer size, 4 raise) and a close asked
	 * while the socket had no room: sent once it has, in the order last
	 * asked (cfg_at), the latest place and size of each. */
	uint8_t cfg_what;
	bool close_owed;
	int16_t cfg_x, cfg_y;
	uint16_t cfg_w, cfg_h;
	uint64_t cfg_at;
	/* Its shapes (bounding, input; X SHAPE) as xshape_ask asks them: one
	 * question a kind at a time (shape_seq: its request), and a change
	 * told meanwhile (or not asked: the ring was full) asked again once
	 * it is answered, as the cursor's. Told shaped: its unshaping is
	 * told too (a window never shaped is told nothing). */
	bool shape_asked[2], shape_again[2], shape_told[2];
	unsigned shape_seq[2];
};

/* An input held while a keymap loads: a key (kind -1) or the pointer
 * (kind 0 motion, 1 press, 2 release, at root position x, y; 3 a
 * release where the pointer is). */
struct xd_held {
	uint32_t id;
	int8_t kind;
	uint8_t detail; /* the keycode or the button */
	bool pressed;
	int16_t x, y;
	int locks; /* a key's: the desk's locks (xd_key_locks), or -1 */
};

/* A program's selection on its way to xd (ICCCM): asked for, then, if
 * the owner answers INCR, read piece by piece, each piece's property
 * deleted to ask for the next, until an empty one. */
struct selin {
	enum { SEL_IDLE, SEL_ASKED, SEL_INCR } state;
	/* A piece's PropertyNotify can be handled before the reply that
	 * says INCR (events and replies are taken in separate rounds). */
	bool piece_early;
	bool too_big; /* over XD_SEL_MAX_BYTES or not text: drained, not passed on */
	enum xd_sel_kind kind; /* an INCR transfer's pieces' (its first piece's) */
	size_t drained;	       /* bytes of pieces read once too_big */
	char *buf;
	size_t len;
};

/* The desk's text on its way to a program in pieces (ICCCM INCR): a
 * text over xd->sel_chunk (at most XD_SEL_CHUNK_BYTES) is announced with an INCR property, then
 * written a piece at a time, each once the program deleted the last, and
 * ended by an empty piece. A transfer that stalls XD_INCR_STALL_MS gives
 * its slot to the next. */
#define XD_SEL_CHUNK_BYTES (256u << 10)
#define XD_INCR_MAX 4
#define XD_SEL_DRAIN_BYTES (4 * XD_SEL_MAX_BYTES) /* a text too large, read to drain it */
#define XD_INCR_STALL_MS 10000
struct selout {
	xcb_window_t win; /* the program's window; 0: slot free */
	xcb_atom_t prop, type;
	char *text; /* a copy: the desk may copy anew meanwhile */
	size_t len, off;
	long at_ms;   /* the last piece asked for */
	bool managed; /* xd's own mask on it stays */
};

/* The start, step by step; the display is ready at ST_READY. */
enum start_step {
	ST_NAMING,     /* the server is to say its display on -displayfd */
	ST_CONNECTING, /* the handshake's thread runs */
	ST_EXT,	       /* the extensions and atoms asked */
	ST_CHECK,      /* the window manager's and Composite's requests sent, checked here */
	ST_RR_RES,     /* the shared memory attached; RANDR's resources asked */
	ST_RR_OUT,     /* its outputs asked */
	ST_SIZE,       /* the size asked through RANDR (rr_busy) */
	ST_GEOM,       /* the screen's size read */
	ST_READY,
};

/* What the start asked whose answers a later step reads. */
struct start {
	enum start_step step;
	/* ST_CONNECTING: xcb's handshake (xcb_connect_to_fd reads the
	 * server's setup reply until it has it: it cannot be asked not to
	 * wait) runs in a thread, on a copy of the socket; the loop hears of
	 * its end on done_fd, and the start's deadline ends it by shutting
	 * the socket down under it. */
	pthread_t thread;
	bool thread_on;
	int sock, xfd, done_fd;
	xcb_auth_info_t auth;
	xcb_connection_t *made; /* the thread's */
	xcb_intern_atom_cookie_t atoms[A_COUNT];
	xcb_shm_query_version_cookie_t shm_ver;
	xcb_void_cookie_t wm, redirect, shm_attach;
	bool rr_asked, rr_res_asked;
	xcb_randr_query_version_cookie_t rr_ver;
	xcb_randr_get_screen_resources_current_cookie_t rr_res;
	xcb_randr_output_t outs[XD_RR_OUTPUTS_MAX];
	xcb_randr_get_output_info_cookie_t out_info[XD_RR_OUTPUTS_MAX];
	unsigned nouts;
};

struct capture {
	struct xwin *w;
	struct xd_rect rects[XD_RECTS_MAX]; /* what changed, pixmap coordinates */
	size_t nrects;
	size_t next;	  /* the rect whose pieces are being read */
	int32_t next_row; /* its row where the next piece starts */
	uint32_t shm_used;
	unsigned inflight;
	/* Which read (xd->reads_begun): an answer of another's is not this
	 * one's, even for a window of the same id (destroyed, and its id
	 * given to a new one while its read was under way). */
	uint32_t gen;
};

struct xd {
	const struct xd_ops *ops;
	void *ctx;
	struct xd_proc proc;
	long start_by;
	struct start st;
	unsigned fd_gen; /* xd_fd's: counts each change of the descriptor */
	bool ready;	 /* the start is done: programs may come */
	/* x-server auto chose Xorg: if it does not start, Xvfb once. */
	bool may_fall_back;
	char fell_why[600]; /* Xvfb from the first: why, to be told */
	/* xd_stop asked: the server's end is the session's, not a failed
	 * start, so nothing takes its place. */
	bool stopping;
	xcb_connection_t *c;
	xcb_window_t root;
	int fd;
	bool lost;
	/* What the server has not read of what xd sent (backlogged): its
	 * socket's send buffer, since when a desk's input waits for it (0:
	 * none does), and whether that, and dropping it, were said. */
	size_t sndbuf;
	long backlog_since;
	bool told_backlog, told_dropping;
	/* What xd may still send before it measures the socket again
	 * (afford), and whether it sent since its last flush. Paused: the
	 * socket had no room; no event nor answer is taken (their answers
	 * would be requests), xd_fd is none, and it is measured again every
	 * XD_HELD_POLL_MS. */
	size_t budget;
	bool sent, paused;
	/* Afforded since the last flush (in xcb's buffer, or written by it),
	 * and whether a large write was made since the socket was last
	 * measured: then nothing is flushed before it is measured again (xcb
	 * would wait for the server to read the large one). */
	size_t queued_cost;
	bool unmeasured;
	/* Paused: when to measure again, and how long the last wait was (1 ms
	 * first, doubled up to XD_HELD_POLL_MS: a server that reads takes a
	 * large write in well under a millisecond; one that does not is
	 * looked at ten times a second). */
	long retry_at, retry_ms;
	size_t sel_chunk; /* an INCR piece, or a text in one property: at most this */
	/* Asked while paused, sent once there is room: the latest focus, the
	 * selections xd is to own (bits), windows with a configure or close
	 * owed (their cfg_*), in order. */
	uint32_t focus_owed;
	uint8_t owner_owed;
	unsigned nowed_cfg;
	uint64_t cfg_clock;
	/* Ids of ours (pixmaps, damages) freed: used again, so that xcb never
	 * runs out of them (it then asks the server for more, and waits). */
	uint32_t free_ids[XD_FREE_IDS];
	unsigned nfree_ids;
	/* Input injected since xcb's output was last flushed: a desk's frames
	 * read together go in one write (the owner's xd_dispatch), but never
	 * more than XD_INPUT_BATCH events, so that what the socket check
	 * (backlogged) does not see stays little. */
	unsigned unflushed;
	/* Releases that came while the socket had no room: taken, and sent
	 * first once it has (a key or button left down would stay down in
	 * the display). At most every key and button: bounded. */
	uint8_t owed_keys[32];
	uint16_t owed_buttons;
	bool owed;
	xcb_atom_t atoms[A_COUNT];
	uint8_t damage_ev, xfixes_ev;
	/* X SHAPE (the display's, if it has it: else every window is a
	 * rectangle), its first event; shapes owed a question (the ring was
	 * full); a shape of too many rectangles said. */
	bool shape_ok, shapes_owed, told_shape_many;
	uint8_t shape_ev;
	bool xkb_ok; /* the display has XKB: a desk's locks are set (xd_key_locks) */
	xcb_shm_seg_t seg;
	uint8_t *shm;
	size_t shm_bytes;
	struct xwin *bottom, *top;
	unsigned nwins;
	/* Windows not tracked (past XD_MAX_WINDOWS) since it was said, once:
	 * a program that makes windows in a loop writes one line, not one a
	 * window. Said again, with how many, once there is room. */
	unsigned untracked;
	/* Windows went untracked since the root's children were last looked
	 * at, and that look is under way (its answer due): one mapped
	 * meanwhile, already mapped when there is room again, is found by
	 * that look, or it stayed unshown until its program mapped it again.
	 * Again: a look was cut short for want of room to send (the socket's,
	 * the ring's), looked again once there is (look_again), from below
	 * the last child it asked about (tree_resume; 0: from the top). */
	bool tree_owed, tree_asked, tree_again;
	uint32_t tree_resume;
	/* What that look found: the root's children not tracked, the top
	 * first, whether each is mapped (asked: found_left answers due); then
	 * those below ntrack are still to be tracked (once there is room to
	 * send: track_found). */
	struct found {
		uint32_t id;
		/* Its place among the root's children, and the tracked
		 * window right below it then (0: none) and that one's. */
		int at, below_at;
		uint32_t below;
		bool mapped, override;
		bool gone; /* unmapped or destroyed since it was asked (found_gone) */
	} found[XD_TREE_ASKS];
	unsigned nfound, found_left, ntrack;
	/* The last of them tracked (lowest first): the nearest below the
	 * next, if above its tracked one. */
	uint32_t track_last;
	int track_last_at;
	uint32_t focus;
	/* X-Resource's major opcode (0: not known yet, -1: the server has
	 * none) and whether its clients are asked. */
	int xres_major;
	bool xres_asked;
	/* The clients that showed no window at the last count (holding a
	 * copy or not), by base (in order), with when each was first counted
	 * (ms): a count tells the newest. A client whose slot another took between two counts keeps
	 * the first one's time. */
	struct seen {
		uint32_t base;
		long at;
	} seen[XD_CLIENTS_MAX];
	unsigned nseen;
	/* What owns CLIPBOARD and PRIMARY (the owner's window; 0: none, or
	 * its owner went), for the count: a client holding a copy. */
	xcb_window_t sel_owner[2];
	struct pending ring[XD_PENDING_MAX];
	unsigned head, count;
	unsigned ring_max; /* of the ring, used at most (xd_config's ring_max) */
	struct capture cap; /* cap.w: the read under way, NULL: none */
	uint32_t reads_begun; /* reads started (cap.gen) */
	uint64_t ev_seq;    /* the last event's sequence number, widened to 64 bits */
	unsigned screen_w, screen_h;
	/* RANDR (xd_screen_size): the output and CRTC that make the screen,
	 * a change under way (its answers in the ring) and the size asked
	 * meanwhile (0: none), the screen's size now (the root's). */
	bool rr_ok, rr_busy, rr_told;
	xcb_randr_output_t rr_output;
	xcb_randr_crtc_t rr_crtc;
	xcb_timestamp_t rr_cfg_ts;
	/* The mode xd made that the CRTC has (0: the server's own), and the
	 * one being set (made by xd: rr_setting_ours): one of ours that is
	 * left is deleted, else each size would stay a mode for good. */
	xcb_randr_mode_t rr_mode_ours, rr_setting;
	bool rr_setting_ours;
	unsigned rr_want_w, rr_want_h, cur_w, cur_h;
	uint64_t cur_seq; /* the request the start's size was read with */
	/* Selections: xd's own window owns the desk's; a window per
	 * selection reads a program's, its property there. An owner sending
	 * INCR pieces may take any PropertyDelete on its requestor's window
	 * for "the next piece" (xclip does), so with one window for both
	 * reads, deleting one selection's property made the other's owner
	 * skip a piece (as the desk's reader did, display-server/clip.c). */
	xcb_window_t selwin, selrd[2];
	char *seltext[2]; /* the desk's, while xd owns it */
	size_t sellen[2];
	struct selin selin[2]; /* a program's text coming to xd */
	struct selout selout[XD_INCR_MAX]; /* the desk's text going to programs */
	size_t max_request_bytes;
	/* An event xcb read while writing (the descriptor will not say so),
	 * taken out at the end of a dispatch to be handled by the next. */
	xcb_generic_event_t *stash;
	/* The answer first in the ring, taken from xcb, whose own answer waits
	 * for room (take_replies). */
	void *rstash;
	xcb_generic_error_t *rstash_err;
	bool rstash_in;
	/* Bytes of answers this dispatch took (take_replies). */
	size_t answer_bytes;
	/* input while a keymap loads, in order */
	struct xd_held held[XD_HELD_KEYS_MAX + XD_HELD_RELEASE_ROOM];
	unsigned nheld, held_lost;
	struct xd_counts counts;
	/* The pointer's shape is asked (its answer due), and it changed
	 * since it was asked (or was not asked: the ring was full). */
	bool cursor_asked, cursor_again, told_cursor_bad;
	bool props_owed; /* some window's props_owed is set */
	/* Pixels in the windows' pictures (pix), the windows not read for
	 * the bound (XD_PIXELS_SCREENS), and whether that was said. */
	size_t pix_px, scr_px; /* (scr_px: the screen's largest so far) */
	unsigned nstarved;
	bool told_starved;
	/* Taking a batch of events: a read asked meanwhile starts after it,
	 * with every rectangle the batch told (an xterm's key is a glyph
	 * and a cursor: two events, one read). */
	bool in_events;
};

/* ---- what programs hand xd (xd_prop.c reads it) ---- */

static struct xd_prop_atoms prop_atoms(const struct xd *xd)
{
	return (struct xd_prop_atoms){
		.utf8_string = xd->atoms[A_UTF8_STRING],
		.compound_text = xd->atoms[A_COMPOUND_TEXT],
		.text = xd->atoms[A_TEXT],
		.incr = xd->atoms[A_INCR],
		.atom_pair = xd->atoms[A_ATOM_PAIR],
	};
}

/* A GetProperty answer as xd_prop reads it (none: no property). */
static struct xd_prop prop_of(const xcb_get_property_reply_t *r)
{
	int len = r ? xcb_get_property_value_length((xcb_get_property_reply_t *)r) : 0;

	if (!r || len < 0 || (r->format != 8 && r->format != 16 && r->format != 32))
		return (struct xd_prop){0};
	return (struct xd_prop){.type = r->type,
				.format = r->format,
				.value = xcb_get_property_value((xcb_get_property_reply_t *)r),
				.len = (size_t)len,
				.truncated = r->bytes_after != 0};
}

/* ---- windows ---- */

static struct xwin *find(struct xd *xd, uint32_t id)
{
	for (struct xwin *w = xd->top; w; w = w->below)
		if (w->id == id)
			return w;
	return NULL;
}

static void unlink_win(struct xd *xd, struct xwin *w)
{
	if (w->below)
		w->below->above = w->above;
	else
		xd->bottom = w->above;
	if (w->above)
		w->above->below = w->below;
	else
		xd->top = w->below;
	w->above = w->below = NULL;
}

/* Put w right above sib (NULL: at the bottom). */
static void place_above(struct xd *xd, struct xwin *w, struct xwin *sib)
{
	w->below = sib;
	w->above = sib ? sib->above : xd->bottom;
	if (w->above)
		w->above->below = w;
	else
		xd->top = w;
	if (sib)
		sib->above = w;
	else
		xd->bottom = w;
}

/* The first mapped window above w (NULL: none). */
/* Mapped and told (or about to be): what the desk has. */
static bool shown(const struct xwin *w)
{
	return w->mapped && !w->props_wait;
}

static struct xwin *mapped_above(struct xwin *w)
{
	struct xwin *u;

	for (u = w->above; u && !shown(u); u = u->above)
		;
	return u;
}

static void report(struct xd *xd, struct xwin *w);

/* w was mapped, unmapped or restacked: the mapped window right above
 * its place (old, or new) has another one below it now, and is told
 * again (after w), so every XWIN's above is current: a desk attaching
 * gets them as they stack. */
static void report_above(struct xd *xd, struct xwin *w, struct xwin *old_up)
{
	struct xwin *up = mapped_above(w);

	if (old_up && old_up != w && shown(old_up))
		report(xd, old_up);
	if (up && up != old_up)
		report(xd, up);
}

static uint16_t clamp_dim(int v)
{
	return v < 1 ? 1 : v > XD_MAX_DIM ? XD_MAX_DIM : (uint16_t)v;
}

static void report(struct xd *xd, struct xwin *w)
{
	struct xd_window r = {0};
	struct xwin *b;

	if (!shown(w) || !xd->ops->window)
		return;
	for (b = w->below; b && !shown(b); b = b->below)
		;
	r.id = w->id;
	r.transient_for = w->transient_for;
	r.above = b ? b->id : 0;
	r.x = w->x;
	r.y = w->y;
	r.w = clamp_dim(w->w + 2 * w->bw);
	r.h = clamp_dim(w->h + 2 * w->bw);
	r.override_redirect = w->override;
	r.can_close = w->can_close;
	r.focused = xd->focus == w->id;
	r.hints = w->hints;
	r.positioned = w->positioned || w->placed;
	r.fullscreen = w->state & XD_STATE_FULLSCREEN;
	r.maximized = (w->state & XD_STATE_MAXIMIZED) == XD_STATE_MAXIMIZED;
	r.undecorated = w->undecorated;
	r.size = w->size;
	r.title = w->net_title[0] ? w->net_title : w->title;
	r.icon_name = w->net_icon[0] ? w->net_icon : w->icon;
	r.wm_class = w->wm_class;
	w->reported = true;
	xd->ops->window(xd->ctx, &r);
}

static bool pend(struct xd *xd, unsigned seq, enum pkind kind, uint32_t win, uint32_t atom,
		 struct pending **out)
{
	struct pending *p;

	if (xd->count >= xd->ring_max)
		return false; /* cannot happen with the bounds above; the answer is ignored */
	p = &xd->ring[(xd->head + xd->count++) % XD_PENDING_MAX];
	memset(p, 0, sizeof *p);
	p->seq = seq;
	p->kind = (uint8_t)kind;
	p->win = win;
	p->atom = atom;
	if (out)
		*out = p;
	return true;
}

/* ---- the socket's room ----
 *
 * A server that does not read (stopped, or grabbed by a program) lets its
 * socket fill, and xcb then waits to write, holding the owner's loop: it
 * polls for POLLOUT before each write (for a unix socket: while what the
 * server has not read takes at most a quarter of the send buffer, each
 * piece's memory counted) and writes until all is written. So nothing is
 * sent that the socket cannot take at once: what xd sends is afforded
 * from a budget, the room below that quarter as last measured (SIOCOUTQ),
 * and the socket is measured again only when the budget runs out (not at
 * each key). Past an eighth of the buffer it has no room: xd pauses. */

static void pay_owed(struct xd *xd);
static bool refill(struct xd *xd);

/* Flushed: a write (what it carries was afforded). After a large write,
 * only once the socket is measured with room (else paused: it is
 * measured again, and flushed, once there is). */
static void flush(struct xd *xd)
{
	if (xd->unmeasured) {
		refill(xd);
		return;
	}
	xd->sent = false;
	xd->queued_cost = 0;
	xcb_flush(xd->c);
}

static void set_paused(struct xd *xd, bool on)
{
	if (xd->paused == on)
		return;
	xd->paused = on;
	xd->fd_gen++; /* xd_fd is none while paused */
}

/* The socket has no room (queued: bytes of its memory the server has not
 * read): said once, and past XD_BACKLOG_WAIT_MS desks' input is dropped. */
static void no_room(struct xd *xd, int queued)
{
	long now = base_now_ms();

	set_paused(xd, true);
	xd->budget = 0;
	xd->retry_ms = xd->retry_ms ? xd->retry_ms * 2 : 1;
	if (xd->retry_ms > XD_HELD_POLL_MS)
		xd->retry_ms = XD_HELD_POLL_MS;
	xd->retry_at = now + xd->retry_ms;
	if (!xd->backlog_since)
		xd->backlog_since = now;
	/* A burst of xd's own (held input going in) fills it for a moment:
	 * said once it lasts. */
	if (!xd->told_backlog && now - xd->backlog_since >= XD_HELD_POLL_MS)
		base_log("xdisplay", "display :%d does not read what it is sent (%d KiB wait in its "
				     "socket: its server is stopped, or a program grabbed it): desks' input "
				     "to it waits, and what telly asks of it",
			 xd->proc.display, queued / 1024);
	xd->told_backlog |= now - xd->backlog_since >= XD_HELD_POLL_MS;
	if (now - xd->backlog_since >= XD_BACKLOG_WAIT_MS && !xd->told_dropping)
		base_log("xdisplay", "display :%d has not read for %d ms: desks' input to it is "
				     "dropped until it reads again",
			 xd->proc.display, XD_BACKLOG_WAIT_MS);
	xd->told_dropping |= now - xd->backlog_since >= XD_BACKLOG_WAIT_MS;
}

/* Measures the socket: true if it has room, and then what was afforded
 * is written and the rest of the room is the budget (what is owed paid,
 * the backlog over). What was afforded waits in xcb otherwise: it is
 * written only while the socket is at most an eighth full (xcb then
 * writes it at once, whole). */
static bool refill(struct xd *xd)
{
	int queued = 0;
	size_t room, pending = xd->queued_cost;

	if (ioctl(xd->fd, SIOCOUTQ, &queued) < 0 || queued < 0)
		queued = 0;
	if ((size_t)queued > xd->sndbuf / 8) {
		no_room(xd, queued);
		return false;
	}
	xd->unmeasured = false;
	flush(xd);
	room = xd->sndbuf / 4 - (size_t)queued;
	xd->budget = room > pending ? room - pending : 0;
	xd->retry_ms = 0;
	set_paused(xd, false);
	if (xd->told_backlog)
		base_log("xdisplay", "display :%d reads what it is sent again%s", xd->proc.display,
			 xd->told_dropping ? " (desks' input to it was dropped meanwhile)" : "");
	xd->backlog_since = 0;
	xd->told_backlog = xd->told_dropping = false;
	pay_owed(xd);
	return true;
}

/* May xd send requests of `bytes` more? Taken from the budget, which the
 * socket is measured for when it runs out; false: no room (paused, or
 * the room now is less than asked: measured again later). */
static bool afford(struct xd *xd, size_t bytes)
{
	size_t need = 2 * bytes + (xd->sent ? 0 : XD_WRITE_COST);

	if (xd->budget < need) {
		if (!refill(xd))
			return false;
		need = 2 * bytes + XD_WRITE_COST;
		if (xd->budget < need) {
			set_paused(xd, true);
			xd->retry_ms = 1;
			xd->retry_at = base_now_ms() + 1;
			return false;
		}
	}
	xd->budget -= need;
	xd->queued_cost += need;
	xd->sent = true;
	return true;
}

/* A large request (a selection's piece): sent only right after the socket
 * was measured with room, as the last write before it is measured again
 * (the budget is spent). Then xcb's one write of it finds the socket
 * writable (at most a quarter full) and takes it all (the socket holds its
 * whole buffer): bytes at most xd->sel_chunk and a little more. */
static bool afford_large(struct xd *xd, size_t bytes)
{
	if (!refill(xd))
		return false;
	if (xd->sent) { /* releases owed went with the measure: measured again */
		flush(xd);
		if (!refill(xd))
			return false;
	}
	xd->budget = 0;
	xd->queued_cost += 2 * bytes + XD_WRITE_COST;
	xd->sent = xd->unmeasured = true;
	return true;
}

static void ask_prop(struct xd *xd, struct xwin *w, int a)
{
	xcb_get_property_cookie_t ck;

	if (xd->count >= xd->ring_max) {
		w->props_owed |= (uint16_t)(1u << a);
		xd->props_owed = true;
		return;
	}
	ck = xcb_get_property(xd->c, 0, w->id, xd->atoms[a], XCB_GET_PROPERTY_TYPE_ANY, 0,
			      XD_PROP_MAX_WORDS);
	if (pend(xd, ck.sequence, PK_PROP, w->id, (uint32_t)a, NULL))
		w->props_owed &= (uint16_t)~(1u << a);
}

/* Properties owed a question, asked once the ring has room: the top
 * window's first (the one a user looks at). */
static void xprops_owed(struct xd *xd)
{
	if (!xd->c || !xd->ready || !xd->props_owed)
		return;
	xd->props_owed = false;
	for (struct xwin *w = xd->top; w && !xd->props_owed; w = w->below)
		for (int a = 0; a < A_WM_DELETE_WINDOW && w->props_owed && !xd->props_owed; a++)
			if (w->props_owed & (1u << a)) {
				if (!afford(xd, XD_ASK_COST)) {
					xd->props_owed = true;
					break;
				}
				ask_prop(xd, w, a); /* (owed again while still full) */
			}
}

static void ask_props(struct xd *xd, struct xwin *w)
{
	/* (WM_PROTOCOLS last: its answer says they are all in.) */
	static const int all[XD_PROPS_ASKED] = {A_WM_NAME,	     A_NET_WM_NAME,	 A_WM_ICON_NAME,
						A_NET_WM_ICON_NAME, A_WM_CLASS,	 A_WM_NORMAL_HINTS,
						A_WM_TRANSIENT_FOR, A_NET_WM_STATE, A_MOTIF_WM_HINTS,
						A_WM_PROTOCOLS};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		ask_prop(xd, w, all[i]);
}

static uint64_t widen_seq(uint64_t last, uint32_t seq);

/* w's place and size asked: a window reparented to the root (or mapped
 * before xd tracked it) is told no size by its event. */
static void ask_geometry(struct xd *xd, struct xwin *w)
{
	xcb_get_geometry_cookie_t ck;

	if (xd->count >= xd->ring_max)
		return;
	ck = xcb_get_geometry(xd->c, w->id);
	if (pend(xd, ck.sequence, PK_GEOM, w->id, 0, NULL))
		w->geom_seq = widen_seq(xd->ev_seq, ck.sequence);
}

/* An id for a pixmap or a damage: one freed before (the server took its
 * free first: requests are done in order), else a new one. */
static uint32_t id_new(struct xd *xd)
{
	return xd->nfree_ids ? xd->free_ids[--xd->nfree_ids] : xcb_generate_id(xd->c);
}

static void id_free(struct xd *xd, uint32_t id)
{
	if (id && xd->nfree_ids < XD_FREE_IDS)
		xd->free_ids[xd->nfree_ids++] = id;
}

static void name_pixmap(struct xd *xd, struct xwin *w)
{
	if (w->pixmap) {
		xcb_free_pixmap(xd->c, w->pixmap);
		id_free(xd, w->pixmap);
	}
	w->pixmap = id_new(xd);
	xcb_composite_name_window_pixmap(xd->c, w->id, w->pixmap);
	w->pm_w = clamp_dim(w->w + 2 * w->bw);
	w->pm_h = clamp_dim(w->h + 2 * w->bw);
	w->want_whole = true;
}

static void add_win(struct xd *xd, uint32_t id, int16_t x, int16_t y, uint16_t wd, uint16_t ht,
		    uint16_t bw, bool override)
{
	struct xwin *w;
	uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;

	if (find(xd, id))
		return;
	if (xd->nwins >= XD_MAX_WINDOWS) {
		xd->tree_owed = true;
		if (!xd->untracked++)
			base_log("xdisplay", "display :%d: over %d windows: window 0x%x and those made "
					     "after it are not shown while there are (said once)",
				 xd->proc.display, XD_MAX_WINDOWS, id);
		return;
	}
	if (!(w = calloc(1, sizeof *w)))
		return;
	if (xd->untracked) {
		base_log("xdisplay", "display :%d: under %d windows again (%u were not shown; one "
				     "mapped now is)",
			 xd->proc.display, XD_MAX_WINDOWS, xd->untracked);
		xd->untracked = 0;
	}
	w->id = id;
	w->x = x;
	w->y = y;
	w->w = wd;
	w->h = ht;
	w->bw = bw;
	w->override = override;
	place_above(xd, w, xd->top); /* a new window is on top */
	xd->nwins++;
	xcb_change_window_attributes(xd->c, id, XCB_CW_EVENT_MASK, &mask);
}

/* w's picture freed (its pixels off the bound), and its waiting for room. */
static void pix_release(struct xd *xd, struct xwin *w)
{
	xd->pix_px -= (size_t)w->pix_w * w->pix_h;
	free(w->pix);
	w->pix = NULL;
	w->pix_w = w->pix_h = 0;
	if (w->starved && !--xd->nstarved)
		xd->told_starved = false; /* (the next one is said again) */
	w->starved = false;
}

static void unmapped(struct xd *xd, struct xwin *w)
{
	bool was = w->mapped && w->reported;

	w->mapped = false;
	w->reported = false;
	w->props_wait = false;
	if (w->damage && xd->c)
		xcb_damage_destroy(xd->c, w->damage);
	if (w->pixmap && xd->c)
		xcb_free_pixmap(xd->c, w->pixmap);
	id_free(xd, w->damage);
	id_free(xd, w->pixmap);
	w->damage = w->pixmap = 0;
	w->want = false;
	w->ndmg = w->nread = 0;
	/* The desk forgets its shapes with it (an answer still due finds it
	 * unmapped). */
	w->shape_told[0] = w->shape_told[1] = false;
	w->shape_again[0] = w->shape_again[1] = false;
	if (!w->capturing) /* (else once its read is done: capture_done) */
		pix_release(xd, w);
	if (xd->focus == w->id)
		xd->focus = 0;
	if (was && xd->ops->gone)
		xd->ops->gone(xd->ctx, w->id);
	if (was)
		report_above(xd, w, NULL);
}

static void del_win(struct xd *xd, struct xwin *w)
{
	if (w->cfg_what || w->close_owed)
		xd->nowed_cfg--;
	if (w->mapped)
		unmapped(xd, w);
	if (xd->cap.w == w)
		xd->cap.w = NULL; /* its answers still come; they find no window */
	unlink_win(xd, w);
	xd->nwins--;
	pix_release(xd, w);
	free(w);
}

static void set_focus(struct xd *xd, struct xwin *w)
{
	struct xwin *old = xd->focus ? find(xd, xd->focus) : NULL;

	if (!w || w->override || !w->mapped || xd->focus == w->id)
		return;
	xcb_set_input_focus(xd->c, XCB_INPUT_FOCUS_POINTER_ROOT, w->id, XCB_CURRENT_TIME);
	xd->focus = w->id;
	if (old)
		report(xd, old);
	report(xd, w);
}

/* A mapped window told for the first time: where it stands, and that
 * its pixels are wanted. */
static void xshape_ask(struct xd *xd, struct xwin *w, int k);

static void show(struct xd *xd, struct xwin *w)
{
	report(xd, w);
	report_above(xd, w, NULL);
	for (int k = 0; k < 2; k++)
		if (w->shape_again[k])
			xshape_ask(xd, w, k); /* (its answer came before it was told) */
	if (xd->ops->damaged)
		xd->ops->damaged(xd->ctx, w->id);
}

static void mapped(struct xd *xd, struct xwin *w, bool override)
{
	if (w->mapped)
		return;
	w->mapped = true;
	w->shown = true;
	w->override = override;
	w->damage = id_new(xd);
	/* Each event says where (what was drawn outside the damage already
	 * told): a read knows its rectangles without asking, and its
	 * subtract and its pixels go in one trip. */
	xcb_damage_create(xd->c, w->damage, w->id, XCB_DAMAGE_REPORT_LEVEL_DELTA_RECTANGLES);
	w->ndmg = w->nread = 0;
	name_pixmap(xd, w);
	/* Told once its properties are in (on_reply), when they can all be
	 * asked; else now, as it is. */
	w->props_wait = xd->count + XD_PROPS_ASKED <= xd->ring_max;
	ask_props(xd, w);
	/* Its shapes, after its properties: their answers find it told. */
	if (xd->shape_ok) {
		xcb_shape_select_input(xd->c, w->id, 1);
		xshape_ask(xd, w, XD_SHAPE_BOUNDING);
		xshape_ask(xd, w, XD_SHAPE_INPUT);
	}
	if (!override)
		set_focus(xd, w);
	if (!w->props_wait)
		show(xd, w);
}

/* Window id is mapped: tracked now if it was not (there was no room when
 * it was made) and there is room, its place and size asked; stacked on
 * top (it was just mapped), or, found by a look, above below (NULL: at
 * the bottom). */
static void track_mapped(struct xd *xd, uint32_t id, bool override, bool found,
			 struct xwin *below)
{
	struct xwin *w = find(xd, id);

	if (!w) {
		add_win(xd, id, 0, 0, 1, 1, 0, override);
		if ((w = find(xd, id)))
			ask_geometry(xd, w);
		if (w && found) {
			unlink_win(xd, w);
			place_above(xd, w, below);
		}
	}
	if (w)
		mapped(xd, w, override);
}

/* A window went (there is room): if some were not tracked, the root's
 * children are looked at for those mapped meanwhile (on_tree). */
static void room_again(struct xd *xd)
{
	xcb_query_tree_cookie_t ck;

	if (!xd->tree_owed || xd->tree_asked || xd->ntrack || xd->nwins >= XD_MAX_WINDOWS ||
	    xd->count >= xd->ring_max || !afford(xd, XD_ASK_COST))
		return;
	ck = xcb_query_tree(xd->c, xd->root);
	xd->tree_asked = pend(xd, ck.sequence, PK_TREE, 0, 0, NULL);
	xd->tree_owed = false; /* (set again by one not tracked from now on) */
}

/* A look's found windows from placed on: tracked window id, the root's
 * child at, is right below them. */
static unsigned found_below(struct xd *xd, unsigned placed, uint32_t id, int at)
{
	for (; placed < xd->nfound; placed++) {
		xd->found[placed].below = id;
		xd->found[placed].below_at = at;
	}
	return placed;
}

/* The root's children (bottom first): of the top XD_TREE_SCAN, those not
 * tracked (at most XD_TREE_ASKS, the top first; after a look cut short,
 * from below where it stopped) are asked whether they are mapped
 * (on_attr). What is not asked is looked at again: when the next window
 * goes (too many), or once there is room to send (from below the last
 * one asked: a look always gets further). */
static void on_tree(struct xd *xd, xcb_query_tree_reply_t *r)
{
	int n = r ? xcb_query_tree_children_length(r) : 0;
	const xcb_window_t *kids = r ? xcb_query_tree_children(r) : NULL;
	int low = n > XD_TREE_SCAN ? n - XD_TREE_SCAN : 0, top = n - 1;

	for (int i = top; xd->tree_resume && i >= low; i--)
		if (kids[i] == xd->tree_resume) {
			top = i - 1; /* (gone: from the top) */
			break;
		}
	xd->tree_resume = 0;
	xd->nfound = xd->found_left = xd->ntrack = 0;
	xd->track_last = 0;
	xd->tree_owed |= low > 0;
	unsigned placed = 0; /* those before it have their tracked one below */
	int i;
	for (i = top; i >= low; i--) {
		if (find(xd, kids[i])) {
			placed = found_below(xd, placed, kids[i], i);
			continue;
		}
		if (xd->nfound == XD_TREE_ASKS) {
			xd->tree_owed = true;
			break;
		}
		if (xd->count >= xd->ring_max || !afford(xd, XD_ASK_COST)) {
			xd->tree_again = true;
			xd->tree_resume = xd->nfound ? xd->found[xd->nfound - 1].id : 0;
			break;
		}
		xcb_get_window_attributes_cookie_t ck = xcb_get_window_attributes(xd->c, kids[i]);
		if (!pend(xd, ck.sequence, PK_ATTR, kids[i], xd->nfound, NULL))
			break;
		xd->found[xd->nfound++] = (struct found){.id = kids[i], .at = i, .below_at = -1};
	}
	/* (the last ones' tracked one may be further down) */
	for (; i >= 0 && placed < xd->nfound; i--)
		if (find(xd, kids[i]))
			placed = found_below(xd, placed, kids[i], i);
	xd->found_left = xd->nfound;
	xd->tree_asked = xd->found_left > 0; /* (until they are all in) */
}

/* The mapped windows a look found, below ntrack, tracked the lowest
 * first (each goes on top: they stack as they do), as far as there is
 * room to send; the rest once there is (look_again). */
static void track_found(struct xd *xd)
{
	while (xd->ntrack) {
		const struct found *f = &xd->found[xd->ntrack - 1];
		if (f->mapped && !f->gone && !find(xd, f->id)) {
			if (xd->nwins >= XD_MAX_WINDOWS) {
				xd->ntrack = 0; /* (the room was taken meanwhile) */
				xd->tree_owed = true;
				return;
			}
			if (xd->count + XD_PROPS_ASKED + 1 > xd->ring_max ||
			    !afford(xd, XD_EVENT_COST))
				return;
			/* Where the look found it: above the nearest below it,
			 * tracked then or by this look. */
			struct xwin *below = f->below ? find(xd, f->below) : NULL;
			struct xwin *last = xd->track_last ? find(xd, xd->track_last) : NULL;
			if (last && (xd->track_last_at > f->below_at || !below))
				below = last;
			track_mapped(xd, f->id, f->override, true, below);
			xd->track_last = f->id;
			xd->track_last_at = f->at;
		}
		xd->ntrack--;
	}
}

/* Whether a window the look found is mapped. Once all are in, the
 * topmost mapped ones, as many as there is room for, are tracked; more
 * than that are looked for again when the next window goes. */
static void on_attr(struct xd *xd, const struct pending *p, const xcb_get_window_attributes_reply_t *a)
{
	unsigned take = 0, room = XD_MAX_WINDOWS - xd->nwins, i;

	if (p->atom >= xd->nfound || xd->found[p->atom].id != p->win || !xd->found_left)
		return;
	xd->found[p->atom].mapped =
		a && a->map_state != XCB_MAP_STATE_UNMAPPED && !xd->found[p->atom].gone;
	xd->found[p->atom].override = a && a->override_redirect;
	if (--xd->found_left)
		return;
	xd->tree_asked = false;
	for (i = 0; i < xd->nfound; i++) {
		/* (Tracked meanwhile: its own MapNotify, or its CreateNotify.) */
		if (!xd->found[i].mapped || find(xd, xd->found[i].id))
			xd->found[i].mapped = false;
		else if (take < room)
			take++;
		else
			break;
	}
	xd->tree_owed |= i < xd->nfound;
	xd->ntrack = i;
	track_found(xd);
}

/* An untracked window unmapped or destroyed while the look asks about
 * it, or waits to be tracked: an answer that says mapped may be older
 * than that (events are taken before answers read with them). Mapped
 * again, its MapNotify tracks it if there is room. */
static void found_gone(struct xd *xd, uint32_t id)
{
	for (unsigned i = 0; (xd->found_left || xd->ntrack) && i < xd->nfound; i++)
		if (xd->found[i].id == id) {
			xd->found[i].gone = true;
			xd->found[i].mapped = false;
		}
}

/* What a look found and could not track yet, tracked; a look cut short,
 * made again (from below where it stopped): once there is room to send. */
static void look_again(struct xd *xd)
{
	if (!xd->c || !xd->ready || xd->paused)
		return;
	track_found(xd);
	if (xd->ntrack || !xd->tree_again)
		return;
	xd->tree_owed = true;
	room_again(xd);
	xd->tree_again = xd->tree_owed; /* (not asked: no room yet) */
}

/* w's place, size and border as the server has them now: a new size is
 * a new picture (read whole). */
static void set_geometry(struct xd *xd, struct xwin *w, int16_t x, int16_t y, uint16_t wd,
			 uint16_t ht, uint16_t bw)
{
	bool resized = wd != w->w || ht != w->h || bw != w->bw;

	w->x = x;
	w->y = y;
	w->w = wd;
	w->h = ht;
	w->bw = bw;
	if (resized && w->mapped) {
		name_pixmap(xd, w);
		if (xd->ops->damaged)
			xd->ops->damaged(xd->ctx, w->id);
	}
}

/* ---- what waits for room (owed) ---- */

/* The desk (or a change of the screen's size) asks window w for a place
 * (what & 1: x, y), an outer size (2: ow, oh) or to be raised (4): it
 * waits for room with what was asked before, the latest place and size
 * winning, and goes after the others asked before it. */
static void owe_configure(struct xd *xd, struct xwin *w, unsigned what, int x, int y,
			  unsigned ow, unsigned oh)
{
	if (!w->cfg_what && !w->close_owed)
		xd->nowed_cfg++;
	if (what & 1) {
		w->cfg_x = (int16_t)(x < -32768 ? -32768 : x > 32767 ? 32767 : x);
		w->cfg_y = (int16_t)(y < -32768 ? -32768 : y > 32767 ? 32767 : y);
	}
	if (what & 2) {
		w->cfg_w = clamp_dim((int)ow);
		w->cfg_h = clamp_dim((int)oh);
	}
	w->cfg_what |= (uint8_t)what;
	w->cfg_at = ++xd->cfg_clock;
}

/* w's configure and close, sent (afforded by the caller). A place or size
 * sent is taken as the window's until an event past it comes (a change of
 * the screen's size fits the window from there). */
static void send_configure(struct xd *xd, struct xwin *w)
{
	uint32_t v[5];
	uint16_t mask = 0;
	int n = 0, bw2 = 2 * w->bw;
	unsigned what = w->cfg_what;

	if (what & 1) {
		mask |= XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y;
		v[n++] = (uint32_t)(int32_t)w->cfg_x;
		v[n++] = (uint32_t)(int32_t)w->cfg_y;
	}
	if (what & 2) {
		/* The border is the program's; the desk said the outer size. */
		mask |= XCB_CONFIG_WINDOW_WIDTH | XCB_CONFIG_WINDOW_HEIGHT;
		v[n++] = clamp_dim((int)w->cfg_w - bw2);
		v[n++] = clamp_dim((int)w->cfg_h - bw2);
	}
	if (what & 4) {
		mask |= XCB_CONFIG_WINDOW_STACK_MODE;
		v[n++] = XCB_STACK_MODE_ABOVE;
	}
	if (what & 3) {
		bool asked = w->fit_seq > xd->ev_seq;
		xcb_void_cookie_t ck = xcb_configure_window(xd->c, w->id, mask, v);
		w->fit_x = what & 1 ? w->cfg_x : asked ? w->fit_x : w->x;
		w->fit_y = what & 1 ? w->cfg_y : asked ? w->fit_y : w->y;
		w->fit_w = what & 2 ? (uint16_t)(v[n - (what & 4 ? 3 : 2)] + bw2)
			   : asked  ? w->fit_w
				    : (uint16_t)(w->w + bw2);
		w->fit_h = what & 2 ? (uint16_t)(v[n - (what & 4 ? 2 : 1)] + bw2)
			   : asked  ? w->fit_h
				    : (uint16_t)(w->h + bw2);
		w->fit_seq = widen_seq(xd->ev_seq, ck.sequence);
	} else if (mask) {
		xcb_configure_window(xd->c, w->id, mask, v);
	}
	if (w->close_owed && w->can_close) {
		xcb_client_message_event_t ev = {0};
		ev.response_type = XCB_CLIENT_MESSAGE;
		ev.format = 32;
		ev.window = w->id;
		ev.type = xd->atoms[A_WM_PROTOCOLS];
		ev.data.data32[0] = xd->atoms[A_WM_DELETE_WINDOW];
		ev.data.data32[1] = XCB_CURRENT_TIME;
		xcb_send_event(xd->c, 0, w->id, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev);
	} else if (w->close_owed) {
		xcb_kill_client(xd->c, w->id);
	}
	w->cfg_what = 0;
	w->close_owed = false;
	xd->nowed_cfg--;
}

static void rr_next(struct xd *xd);

/* What waits for room, sent as far as there is: the selections xd is to
 * own, the latest focus, the windows' configures and closes in the order
 * asked, a size. The caller flushes. */
static void send_owed(struct xd *xd)
{
	for (int i = 0; i < 2; i++) {
		if (!(xd->owner_owed & (1u << i)))
			continue;
		if (!afford(xd, XD_ASK_COST))
			return;
		xd->owner_owed &= (uint8_t)~(1u << i);
		xcb_set_selection_owner(xd->c, xd->selwin, xd->atoms[i ? A_PRIMARY : A_CLIPBOARD],
					XCB_CURRENT_TIME);
	}
	if (xd->focus_owed) {
		struct xwin *w = find(xd, xd->focus_owed);
		if (w && w->mapped && !afford(xd, XD_ASK_COST))
			return;
		xd->focus_owed = 0;
		set_focus(xd, w);
	}
	while (xd->nowed_cfg) {
		struct xwin *first = NULL;
		for (struct xwin *w = xd->top; w; w = w->below)
			if ((w->cfg_what || w->close_owed) && (!first || w->cfg_at < first->cfg_at))
				first = w;
		if (!first) {
			xd->nowed_cfg = 0; /* (cannot be: counted as owed) */
			break;
		}
		if (!afford(xd, XD_ASK_COST))
			return;
		send_configure(xd, first);
	}
	rr_next(xd);
}

/* ---- replies ---- */

/* Whether the chain of WM_TRANSIENT_FOR from window from reaches id (from
 * itself included). No chain has a loop (each link is checked so as it
 * is made), so it ends within as many steps as there are windows. */
static bool leads_to(struct xd *xd, uint32_t from, uint32_t id)
{
	for (unsigned n = 0; from && n <= xd->nwins; n++) {
		const struct xwin *u;
		if (from == id)
			return true;
		u = find(xd, from);
		from = u ? u->transient_for : 0;
	}
	return from != 0; /* (cannot be: a loop, taken as one) */
}

/* Whether a window of these states spans the screen. */
static bool state_spans(uint8_t st)
{
	return (st & XD_STATE_FULLSCREEN) || (st & XD_STATE_MAXIMIZED) == XD_STATE_MAXIMIZED;
}

/* w's program asked for the full screen or to be maximized, or no longer
 * (st: the states it has now): it spans the screen (its place and size
 * kept), or goes back to them, as the desk's window manager would make it
 * under ssh -X; told to the desks (XWIN's FULLSCREEN, MAXIMIZED), whose
 * window manager does the same on their screen. A change of the screen's
 * size keeps it spanning (screen_changed). */
static void state_set(struct xd *xd, struct xwin *w, uint8_t st)
{
	bool was = state_spans(w->state), spans = state_spans(st);
	int x = spans ? 0 : w->fs_x, y = spans ? 0 : w->fs_y;
	unsigned ow = spans ? xd->cur_w : w->fs_w, oh = spans ? xd->cur_h : w->fs_h;

	if (w->state == st || w->override || !w->mapped)
		return; /* (unmapped: asked again at its mapping) */
	w->state = st;
	if (spans && !was) {
		w->fs_x = w->x;
		w->fs_y = w->y;
		w->fs_w = clamp_dim(w->w + 2 * w->bw);
		w->fs_h = clamp_dim(w->h + 2 * w->bw);
	}
	/* Told with its new size, by the ConfigureNotify: told before it,
	 * at its old one, a desk that left the full screen and was given
	 * that size after took it (openbox: a window of the screen's size). */
	if (spans == was || (x == w->x && y == w->y && ow == clamp_dim(w->w + 2 * w->bw) &&
			     oh == clamp_dim(w->h + 2 * w->bw))) {
		report(xd, w);
		return;
	}
	owe_configure(xd, w, 1 | 2 | (spans ? 4 : 0), x, y, ow, oh);
	send_owed(xd);
}

static void on_prop(struct xd *xd, struct xwin *w, int a, xcb_get_property_reply_t *r)
{
	const struct xd_prop p = prop_of(r);
	const struct xd_prop_atoms at = prop_atoms(xd);
	struct xd_size_hints h;
	uint32_t t;

	switch (a) {
	case A_WM_NAME:
		xd_prop_name(w->title, sizeof w->title, &p, &at, false);
		break;
	case A_NET_WM_NAME:
		xd_prop_name(w->net_title, sizeof w->net_title, &p, &at, true);
		break;
	case A_WM_ICON_NAME:
		xd_prop_name(w->icon, sizeof w->icon, &p, &at, false);
		break;
	case A_NET_WM_ICON_NAME:
		xd_prop_name(w->net_icon, sizeof w->net_icon, &p, &at, true);
		break;
	case A_WM_CLASS:
		xd_prop_class(w->wm_class, sizeof w->wm_class, &p);
		break;
	case A_WM_NORMAL_HINTS:
		xd_prop_size_hints(&p, XD_MAX_DIM, &h);
		w->hints = h.sizes;
		w->positioned = h.positioned;
		w->size = h.size;
		break;
	case A_WM_TRANSIENT_FOR:
		/* Only a window we know, and not one transient for w itself
		 * (A for B and B for A): a desk that follows the chain to
		 * the window a menu stands on would follow it for ever. */
		t = xd_prop_window(&p);
		w->transient_for = find(xd, t) && !leads_to(xd, t, w->id) ? t : 0;
		break;
	case A_NET_WM_STATE: {
		uint8_t st = 0;
		for (int i = 0; i < XD_STATES; i++)
			if (xd_prop_has_atom(&p, xd->atoms[A_NET_WM_STATE_FULLSCREEN + i],
					     XD_PROP_MAX_WORDS))
				st |= (uint8_t)(1u << i);
		state_set(xd, w, st);
		break;
	}
	case A_MOTIF_WM_HINTS:
		w->undecorated = xd_prop_undecorated(&p);
		break;
	case A_WM_PROTOCOLS:
		w->can_close = xd_prop_has_atom(&p, xd->atoms[A_WM_DELETE_WINDOW], XD_PROTOCOLS_MAX);
		break;
	}
}

static void capture_next(struct xd *xd);

static void capture_done(struct xd *xd)
{
	struct capture *cap = &xd->cap;
	struct xwin *w = cap->w;

	cap->w = NULL;
	if (w) {
		w->capturing = false;
		if (!w->mapped)
			pix_release(xd, w);
		if (w->mapped && xd->ops->pixels && cap->nrects)
			xd->ops->pixels(xd->ctx, w->id, w->pix, w->pix_w, w->pix_h,
					(size_t)w->pix_w * 4, cap->rects, cap->nrects);
		if (w->damaged_again && w->mapped) {
			w->damaged_again = false;
			if (xd->ops->damaged)
				xd->ops->damaged(xd->ctx, w->id);
		}
	}
	capture_next(xd);
}

/* Reads go out as pieces of the damaged rects, as many as the segment
 * holds; the next batch once they are in. */
static void capture_issue(struct xd *xd)
{
	struct capture *cap = &xd->cap;
	struct xwin *w = cap->w;
	bool sent = false;

	while (w && cap->next < cap->nrects && xd->count < xd->ring_max) {
		struct xd_rect *r = &cap->rects[cap->next];
		size_t row_bytes = (size_t)r->w * 4;
		size_t room = (xd->shm_bytes - cap->shm_used) / row_bytes;
		int32_t rows = r->h - cap->next_row;
		if (room == 0)
			break;
		if ((size_t)rows > room)
			rows = (int32_t)room;
		xcb_shm_get_image_cookie_t ck =
			xcb_shm_get_image(xd->c, w->pixmap, (int16_t)r->x, (int16_t)(r->y + cap->next_row),
					  (uint16_t)r->w, (uint16_t)rows, ~0u, XCB_IMAGE_FORMAT_Z_PIXMAP,
					  xd->seg, cap->shm_used);
		struct pending *p = NULL;
		if (!pend(xd, ck.sequence, PK_SHM, w->id, cap->gen, &p))
			break;
		p->r = (struct xd_rect){r->x, r->y + cap->next_row, r->w, rows};
		p->off = cap->shm_used;
		cap->shm_used += (uint32_t)(row_bytes * (size_t)rows);
		cap->inflight++;
		sent = true;
		cap->next_row += rows;
		if (cap->next_row >= r->h) {
			cap->next++;
			cap->next_row = 0;
		}
	}
	xd->counts.read_trips += sent;
	if (w && !cap->inflight && cap->next >= cap->nrects)
		capture_done(xd);
}

static void clip_add(struct capture *cap, int32_t x, int32_t y, int32_t w, int32_t h, int32_t mw,
		     int32_t mh)
{
	if (x < 0) {
		w += x;
		x = 0;
	}
	if (y < 0) {
		h += y;
		y = 0;
	}
	if (x + w > mw)
		w = mw - x;
	if (y + h > mh)
		h = mh - y;
	if (w <= 0 || h <= 0 || cap->nrects >= XD_RECTS_MAX)
		return;
	cap->rects[cap->nrects++] = (struct xd_rect){x, y, w, h};
}

static void on_shm(struct xd *xd, const struct pending *p, xcb_shm_get_image_reply_t *r)
{
	struct capture *cap = &xd->cap;
	struct xwin *w = cap->w;

	if (!w || p->atom != cap->gen)
		return; /* a read that ended (its window gone): not this one's */
	cap->inflight--;
	if (r && r->size == (uint32_t)p->r.w * (uint32_t)p->r.h * 4 &&
	    p->off + (size_t)r->size <= xd->shm_bytes && p->r.x + p->r.w <= w->pix_w &&
	    p->r.y + p->r.h <= w->pix_h) {
		for (int32_t row = 0; row < p->r.h; row++)
			memcpy(w->pix + (size_t)(p->r.y + row) * w->pix_w + p->r.x,
			       xd->shm + p->off + (size_t)row * (size_t)p->r.w * 4, (size_t)p->r.w * 4);
	}
	if (!cap->inflight) {
		cap->shm_used = 0;
		capture_issue(xd);
	}
}

/* The pointer's shape asked for: one question at a time, and a change
 * told meanwhile asks again once it is answered (the shape then). A
 * program that changes its cursor in a loop had a question (and an image
 * of up to 256 KiB) for each change, hundreds in one turn of the owner's
 * loop: every session of the daemon waited a second. */
static void ask_cursor(struct xd *xd)
{
	xcb_xfixes_get_cursor_image_cookie_t ck;

	/* Asked, or the ring is full: asked (again) once it is answered, or
	 * has room (ask_cursor_owed). */
	xd->cursor_again = true;
	if (xd->cursor_asked || xd->count >= xd->ring_max)
		return;
	ck = xcb_xfixes_get_cursor_image(xd->c);
	xd->cursor_asked = pend(xd, ck.sequence, PK_CURSOR, 0, 0, NULL);
	xd->cursor_again = false;
	xd->counts.cursor_reads += xd->cursor_asked;
}

/* A change told while the ring was full, asked once it has room: only
 * the shape then, the changes between are not wanted. Before, it was
 * lost, and the desk showed the shape before it until the program
 * changed it again. */
static void ask_cursor_owed(struct xd *xd)
{
	if (xd->c && xd->ready && xd->cursor_again && !xd->cursor_asked &&
	    xd->count < xd->ring_max && afford(xd, XD_ASK_COST))
		ask_cursor(xd);
}

static void on_cursor(struct xd *xd, xcb_xfixes_get_cursor_image_reply_t *r)
{
	struct xd_prop_cursor pc;
	struct xd_cursor cur;
	int n;

	xd->cursor_asked = false;
	if (xd->cursor_again)
		ask_cursor(xd); /* (this one is told: a shape that never rests is too) */
	if (!r || !xd->ops->cursor)
		return;
	n = xcb_xfixes_get_cursor_image_cursor_image_length(r);
	if (n < 0 || !xd_prop_cursor(r->width, r->height, r->xhot, r->yhot, (size_t)n,
				     XD_CURSOR_MAX_DIM, &pc)) {
		if (!xd->told_cursor_bad)
			base_log("xdisplay",
				 "display :%d: a pointer shape of %ux%u (hot spot %u,%u, %d pixels) is "
				 "past %d a side or malformed: its desks keep the shape before (said "
				 "once)",
				 xd->proc.display, r->width, r->height, r->xhot, r->yhot, n,
				 XD_CURSOR_MAX_DIM);
		xd->told_cursor_bad = true;
		return;
	}
	cur.serial = r->cursor_serial;
	cur.w = pc.w;
	cur.h = pc.h;
	cur.xhot = pc.xhot;
	cur.yhot = pc.yhot;
	cur.argb = xcb_xfixes_get_cursor_image_cursor_image(r);
	xd->ops->cursor(xd->ctx, &cur);
}

static void on_sel_text(struct xd *xd, int i, xcb_get_property_reply_t *r);

/* ---- shapes (X SHAPE) ---- */

/* Shape k of w asked, one question at a time: a change told while one is
 * asked (or while the ring is full: xshape_owed) asks again once it is
 * answered; only the latest shape matters. */
static void xshape_ask(struct xd *xd, struct xwin *w, int k)
{
	xcb_shape_get_rectangles_cookie_t ck;

	w->shape_again[k] = true;
	if (!xd->shape_ok || w->shape_asked[k])
		return;
	if (xd->count >= xd->ring_max) {
		xd->shapes_owed = true;
		return;
	}
	ck = xcb_shape_get_rectangles(xd->c, w->id,
				      k == XD_SHAPE_INPUT ? XCB_SHAPE_SK_INPUT : XCB_SHAPE_SK_BOUNDING);
	if (!pend(xd, ck.sequence, PK_SHAPE, w->id, (uint32_t)k, NULL))
		return;
	w->shape_asked[k] = true;
	w->shape_seq[k] = ck.sequence;
	w->shape_again[k] = false;
}

/* Shapes owed a question, asked once the ring has room. */
static void xshape_owed(struct xd *xd)
{
	if (!xd->c || !xd->ready || !xd->shapes_owed)
		return;
	xd->shapes_owed = false;
	for (struct xwin *w = xd->top; w && !xd->shapes_owed; w = w->below)
		for (int k = 0; k < 2 && w->mapped; k++)
			if (w->shape_again[k] && !w->shape_asked[k]) {
				if (!afford(xd, XD_ASK_COST)) {
					xd->shapes_owed = true;
					break;
				}
				xshape_ask(xd, w, k);
			}
}

/* The rectangles of a shape (window coordinates, which start inside the
 * border) as rectangles of the outer window w x h, clipped to it, empty
 * ones left out, into out (room for XD_SHAPE_MAX_RECTS): how many, or
 * -1 for more than that (*box: their bounding box). */
static long xshape_clip(const xcb_rectangle_t *in, int n, int bw, int ow, int oh,
			struct xd_rect *out, struct xd_rect *box)
{
	long m = 0;
	int x0 = ow, y0 = oh, x1 = 0, y1 = 0;

	for (int i = 0; i < n; i++) {
		int x = in[i].x + bw, y = in[i].y + bw;
		int r = x + in[i].width, b = y + in[i].height;
		x = x < 0 ? 0 : x;
		y = y < 0 ? 0 : y;
		r = r > ow ? ow : r;
		b = b > oh ? oh : b;
		if (r <= x || b <= y)
			continue;
		x0 = x < x0 ? x : x0;
		y0 = y < y0 ? y : y0;
		x1 = r > x1 ? r : x1;
		y1 = b > y1 ? b : y1;
		if (m < XD_SHAPE_MAX_RECTS)
			out[m] = (struct xd_rect){x, y, r - x, b - y};
		m++;
	}
	*box = (struct xd_rect){x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0};
	return m > XD_SHAPE_MAX_RECTS ? -1 : m;
}

static void on_shape(struct xd *xd, const struct pending *p, xcb_shape_get_rectangles_reply_t *r)
{
	struct xwin *w = find(xd, p->win);
	int k = p->atom == XD_SHAPE_INPUT ? XD_SHAPE_INPUT : XD_SHAPE_BOUNDING;
	struct xd_rect *rects = NULL, box;
	struct xd_shape s = {.id = p->win, .kind = k};
	long n = 0;

	/* (Another window of the same id asked its own.) */
	if (!w || !w->shape_asked[k] || w->shape_seq[k] != p->seq)
		return;
	w->shape_asked[k] = false;
	if (w->shape_again[k])
		xshape_ask(xd, w, k); /* (this one is told: a shape that never rests is too) */
	if (!w->mapped)
		return;
	if (!shown(w)) {
		w->shape_again[k] = true; /* asked again when it is (show) */
		return;
	}
	s.w = clamp_dim(w->w + 2 * w->bw);
	s.h = clamp_dim(w->h + 2 * w->bw);
	if (r && (rects = malloc(XD_SHAPE_MAX_RECTS * sizeof *rects))) {
		n = xshape_clip(xcb_shape_get_rectangles_rectangles(r),
				xcb_shape_get_rectangles_rectangles_length(r), w->bw, s.w, s.h, rects,
				&box);
		if (n < 0) {
			if (!xd->told_shape_many)
				base_log("xdisplay", "display :%d: window 0x%x has a shape of more than "
					 "%d rectangles: its desks get its bounding box (said once)",
					 xd->proc.display, w->id, XD_SHAPE_MAX_RECTS);
			xd->told_shape_many = true;
			rects[0] = box;
			n = 1;
		}
		/* The whole window: not shaped. */
		s.shaped = !(n == 1 && rects[0].x == 0 && rects[0].y == 0 && rects[0].w == s.w &&
			     rects[0].h == s.h);
	} else if (r) {
		n = 0; /* (no memory: taken as a rectangle) */
	}
	/* An error (the window went), or no memory: a rectangle. */
	s.rects = rects;
	s.n = s.shaped ? (size_t)n : 0;
	if ((s.shaped || w->shape_told[k]) && xd->ops->shape)
		xd->ops->shape(xd->ctx, &s);
	w->shape_told[k] = s.shaped;
	free(rects);
}

static void on_multiple(struct xd *xd, const struct pending *p, xcb_get_property_reply_t *r);

static void rr_reply(struct xd *xd, const struct pending *p, void *reply);

static void start_on(struct xd *xd, const struct pending *p, void *reply);

static void start_sized(struct xd *xd);

static void on_xres(struct xd *xd, const void *reply);

static void on_reply(struct xd *xd, const struct pending *p, void *reply)
{
	struct xwin *w = p->win ? find(xd, p->win) : NULL;

	switch (p->kind) {
	case PK_PROP:
		if (w) {
			/* Told only when it changed: a window's names come in
			 * eight answers at its mapping. */
			const size_t at = offsetof(struct xwin, title);
			char before[sizeof *w - offsetof(struct xwin, title)];
			memcpy(before, (char *)w + at, sizeof before);
			on_prop(xd, w, (int)p->atom, reply);
			if (w->props_wait && p->atom == A_WM_PROTOCOLS) {
				w->props_wait = false; /* the last asked at its mapping */
				show(xd, w);
			} else if (memcmp(before, (char *)w + at, sizeof before)) {
				report(xd, w);
			}
		}
		break;
	case PK_SHM:
		on_shm(xd, p, reply);
		break;
	case PK_CURSOR:
		on_cursor(xd, reply);
		break;
	case PK_SEL:
		on_sel_text(xd, (int)p->atom, reply);
		break;
	case PK_MULTI:
		on_multiple(xd, p, reply);
		break;
	case PK_RR_RES:
	case PK_RR_MODE:
	case PK_RR_CRTC:
		rr_reply(xd, p, reply);
		break;
	case PK_START:
		start_on(xd, p, reply);
		break;
	case PK_TREE:
		on_tree(xd, reply);
		break;
	case PK_ATTR:
		on_attr(xd, p, reply);
		break;
	case PK_XRES_CLIENTS:
		on_xres(xd, reply);
		break;
	case PK_SHAPE:
		on_shape(xd, p, reply);
		break;
	case PK_GEOM:
		/* Unless an event told a newer one meanwhile. */
		if (w && reply && w->geom_seq && (uint32_t)w->geom_seq == p->seq) {
			xcb_get_geometry_reply_t *g = reply;
			w->geom_seq = 0;
			set_geometry(xd, w, g->x, g->y, g->width, g->height, g->border_width);
			report(xd, w);
		}
		break;
	}
}

/* ---- capture ---- */

/* A 32-bit sequence number as the 64-bit one at or after last (events
 * come in order; a request is asked after every event taken so far). */
static uint64_t widen_seq(uint64_t last, uint32_t seq)
{
	uint64_t v = (last & ~(uint64_t)UINT32_MAX) | seq;

	return v < last ? v + ((uint64_t)1 << 32) : v;
}

static void capture_start(struct xd *xd, struct xwin *w)
{
	struct capture *cap = &xd->cap;
	bool whole = w->want_whole || !w->pix || w->pix_w != w->pm_w || w->pix_h != w->pm_h;

	memset(cap, 0, sizeof *cap);
	cap->gen = ++xd->reads_begun;
	w->want = false;
	if (w->pix_w != w->pm_w || w->pix_h != w->pm_h || !w->pix) {
		uint32_t *pix = calloc((size_t)w->pm_w * w->pm_h, 4);
		if (!pix)
			return;
		xd->pix_px -= (size_t)w->pix_w * w->pix_h;
		free(w->pix);
		w->pix = pix;
		w->pix_w = w->pm_w;
		w->pix_h = w->pm_h;
		xd->pix_px += (size_t)w->pix_w * w->pix_h;
	}
	cap->w = w;
	xd->counts.reads++;
	w->capturing = true;
	w->damaged_again = false;
	/* The damage is emptied and the pixels read right after, in one
	 * flush: what was drawn before the subtract is in the read. */
	w->sub_seq = widen_seq(xd->ev_seq,
			       xcb_damage_subtract(xd->c, w->damage, XCB_NONE, XCB_NONE).sequence);
	if (whole) {
		w->want_whole = false;
		cap->rects[0] = (struct xd_rect){0, 0, w->pm_w, w->pm_h};
		cap->nrects = 1;
	} else {
		/* Damage is in window coordinates; the pixmap has the border too. */
		for (size_t i = 0; i < w->ndmg; i++)
			clip_add(cap, w->dmg[i].x + w->bw, w->dmg[i].y + w->bw, w->dmg[i].w,
				 w->dmg[i].h, w->pm_w, w->pm_h);
	}
	w->ndmg = 0;
	memcpy(w->read, cap->rects, cap->nrects * sizeof cap->rects[0]);
	w->nread = cap->nrects;
	if (!cap->nrects) {
		capture_done(xd);
		return;
	}
	capture_issue(xd);
}

/* Whether w's picture, at the size it is now, stays within the pixels'
 * bound (XD_PIXELS_SCREENS); if not it waits, wanted, and serve.log says
 * so once, until every window is read again. */
static bool pix_room(struct xd *xd, struct xwin *w)
{
	size_t now = (size_t)w->pix_w * w->pix_h, need = (size_t)w->pm_w * w->pm_h, bound;

	if (xd->scr_px < (size_t)xd->cur_w * xd->cur_h)
		xd->scr_px = (size_t)xd->cur_w * xd->cur_h;
	bound = XD_PIXELS_SCREENS *
		(xd->scr_px > XD_PIXELS_SCREEN_MIN ? xd->scr_px : XD_PIXELS_SCREEN_MIN);
	/* Back at the size of its last picture fits too, and ends its wait:
	 * its mark kept, the next window past the bound was never said. */
	if ((w->pix && need == now) ||
	    xd->pix_px - now + need <= (need > xd->scr_px ? bound / 2 : bound)) {
		if (w->starved && !--xd->nstarved && xd->told_starved) {
			base_log("xdisplay", "display :%d: every window is read again", xd->proc.display);
			xd->told_starved = false;
		}
		if (w->starved && xd->ops->over_bound)
			xd->ops->over_bound(xd->ctx, w->id, false);
		w->starved = false;
		return true;
	}
	if (!w->starved) {
		w->starved = true;
		xd->nstarved++;
		if (xd->ops->over_bound)
			xd->ops->over_bound(xd->ctx, w->id, true);
	}
	if (!xd->told_starved)
		base_log("xdisplay", "display :%d: its windows' pictures would take over %zu MiB "
				     "(%d screens' worth): window 0x%x (%ux%u) is not shown until others "
				     "close or shrink",
			 xd->proc.display, bound * 4 >> 20, XD_PIXELS_SCREENS, w->id, w->pm_w, w->pm_h);
	xd->told_starved = true;
	return false;
}

static void capture_next(struct xd *xd)
{
	if (xd->cap.w || xd->paused)
		return;
	/* Bottom first: a dialog over its parent comes after it. */
	for (struct xwin *w = xd->bottom; w; w = w->above)
		if (w->want && w->mapped && w->pixmap && pix_room(xd, w)) {
			if (!afford(xd, XD_CAPTURE_COST))
				return; /* wanted still: read once there is room */
			capture_start(xd, w);
			if (xd->cap.w)
				return;
		}
}

bool xd_capture(struct xd *xd, uint32_t id, bool whole)
{
	struct xwin *w = xd && xd->ready ? find(xd, id) : NULL;

	if (!w || !w->mapped)
		return false;
	if (w->capturing) {
		w->damaged_again = true;
		if (whole)
			w->want_whole = true;
		return false;
	}
	w->want = true;
	if (whole)
		w->want_whole = true;
	if (xd->in_events)
		return true;
	capture_next(xd);
	flush(xd);
	return true;
}

bool xd_busy(const struct xd *xd, uint32_t id)
{
	return xd && xd->cap.w && xd->cap.w->id == id;
}

void xd_counts(const struct xd *xd, struct xd_counts *out)
{
	*out = xd ? xd->counts : (struct xd_counts){0};
}

/* ---- selections ---- */

static int sel_index(const struct xd *xd, xcb_atom_t a)
{
	return a == xd->atoms[A_CLIPBOARD] ? 0 : a == xd->atoms[A_PRIMARY] ? 1 : -1;
}

static void selin_reset(struct selin *in)
{
	free(in->buf);
	*in = (struct selin){0};
}

/* The property named after selection i on its reading window, read and deleted
 * (the deletion is what asks an INCR owner for the next piece). */
static void sel_read(struct xd *xd, int i)
{
	if (xd->count >= xd->ring_max) {
		selin_reset(&xd->selin[i]);
		return;
	}
	xcb_get_property_cookie_t ck =
		xcb_get_property(xd->c, 1, xd->selrd[i], xd->atoms[i ? A_PRIMARY : A_CLIPBOARD],
				 XCB_GET_PROPERTY_TYPE_ANY, 0, XD_SEL_MAX_BYTES / 4);
	pend(xd, ck.sequence, PK_SEL, 0, (uint32_t)i, NULL);
}

/* The owner wrote a property on a reading window: in an INCR transfer, the
 * next piece. */
static void on_sel_property(struct xd *xd, const xcb_property_notify_event_t *e)
{
	int i = sel_index(xd, e->atom);

	if (i < 0 || e->window != xd->selrd[i] || e->state != XCB_PROPERTY_NEW_VALUE)
		return;
	if (xd->selin[i].state == SEL_INCR)
		sel_read(xd, i);
	else if (xd->selin[i].state == SEL_ASKED)
		xd->selin[i].piece_early = true;
}

static void sel_deliver(struct xd *xd, int i, const uint8_t *s, size_t len, enum xd_sel_kind kind)
{
	size_t n;
	char *text = xd_prop_sel_text(s, len, kind, &n);

	if (!text)
		return;
	xd->ops->selection(xd->ctx, i, text, n);
	free(text);
}

/* Selection i's text is over the bound: the desks are told (a copy that
 * silently does not arrive reads as a broken clipboard). */
static void sel_too_big(struct xd *xd, int i)
{
	if (xd->ops->selection_too_big)
		xd->ops->selection_too_big(xd->ctx, i);
}

/* A piece of an INCR transfer: appended; the empty one ends it. */
static void on_sel_piece(struct xd *xd, int i, xcb_get_property_reply_t *r)
{
	struct selin *in = &xd->selin[i];
	const struct xd_prop p = prop_of(r);
	const struct xd_prop_atoms at = prop_atoms(xd);
	enum xd_sel_kind kind = xd_prop_sel_kind(&p, &at);

	if (r->type == XCB_NONE)
		return; /* not written yet: its PropertyNotify will come */
	if (p.len == 0) {
		if (!in->too_big)
			sel_deliver(xd, i, (const uint8_t *)in->buf, in->len, in->kind);
		selin_reset(in);
		return;
	}
	if (in->too_big) {
		/* Drained so that its owner ends well; an owner whose pieces
		 * do not end (hostile, or broken) is not read for ever: past
		 * XD_SEL_DRAIN_BYTES it is left waiting. */
		in->drained += p.len;
		if (in->drained > XD_SEL_DRAIN_BYTES) {
			base_log("xdisplay", "display :%d: a selection sent in pieces (INCR) goes on "
					     "past %u bytes: no longer read", xd->proc.display,
				 XD_SEL_DRAIN_BYTES);
			selin_reset(in);
		}
		return;
	}
	/* Every piece text of the first piece's kind, the whole at most
	 * XD_SEL_MAX_BYTES. */
	bool big = p.truncated || p.len > XD_SEL_MAX_BYTES - in->len;
	if (kind == XD_SEL_REFUSED || kind == XD_SEL_INCR || (in->len && kind != in->kind) || big) {
		base_log("xdisplay", "display :%d: a selection sent in pieces (INCR) is over %u bytes "
				     "or not text: not passed on", xd->proc.display, XD_SEL_MAX_BYTES);
		if (big)
			sel_too_big(xd, i);
		in->too_big = true;
		free(in->buf);
		in->buf = NULL;
		in->len = 0;
		return;
	}
	char *buf = realloc(in->buf, in->len + p.len);
	if (!buf) {
		in->too_big = true;
		return;
	}
	memcpy(buf + in->len, p.value, p.len);
	in->buf = buf;
	in->len += p.len;
	in->kind = kind;
}

/* A program took a selection: its text is asked for (into a property of
 * the selection's reading window named after the selection). */
static void on_sel_owner(struct xd *xd, const xcb_xfixes_selection_notify_event_t *e)
{
	int i = sel_index(xd, e->selection);

	if (i >= 0)
		xd->sel_owner[i] = e->owner; /* (the count's: xd_clients_ask) */
	if (i < 0 || e->owner == XCB_NONE || e->owner == xd->selwin)
		return;
	free(xd->seltext[i]);
	xd->seltext[i] = NULL;
	selin_reset(&xd->selin[i]);
	xd->selin[i].state = SEL_ASKED;
	xcb_convert_selection(xd->c, xd->selrd[i], e->selection, xd->atoms[A_UTF8_STRING],
			      e->selection, e->selection_timestamp);
}

static void on_sel_notify(struct xd *xd, const xcb_selection_notify_event_t *e)
{
	int i = sel_index(xd, e->selection);

	if (i < 0 || e->requestor != xd->selrd[i])
		return;
	if (e->property == XCB_NONE) {
		selin_reset(&xd->selin[i]);
		return;
	}
	xd->selin[i].piece_early = false;
	sel_read(xd, i);
}

static void on_sel_text(struct xd *xd, int i, xcb_get_property_reply_t *r)
{
	struct selin *in = &xd->selin[i];
	const struct xd_prop p = prop_of(r);
	const struct xd_prop_atoms at = prop_atoms(xd);
	enum xd_sel_kind kind = xd_prop_sel_kind(&p, &at);

	if (!r || xcb_get_property_value_length(r) < 0 || !xd->ops->selection) {
		selin_reset(in);
		return;
	}
	if (in->state == SEL_INCR) {
		on_sel_piece(xd, i, r);
		return;
	}
	if (kind == XD_SEL_INCR) {
		/* Reading deleted the property: the owner writes the first
		 * piece next (or already has). */
		in->state = SEL_INCR;
		if (in->piece_early)
			sel_read(xd, i);
		return;
	}
	selin_reset(in);
	if (p.truncated) {
		base_log("xdisplay", "display :%d: a selection over %u bytes is not passed on",
			 xd->proc.display, XD_SEL_MAX_BYTES);
		sel_too_big(xd, i);
		return;
	}
	if (kind != XD_SEL_REFUSED)
		sel_deliver(xd, i, p.value, p.len, kind);
}

static void selout_end(struct xd *xd, struct selout *o)
{
	bool shared = false; /* another transfer to that window goes on */

	for (int k = 0; k < XD_INCR_MAX; k++)
		shared |= &xd->selout[k] != o && xd->selout[k].win == o->win;
	if (!o->managed && !shared && xd->c) {
		const uint32_t none = 0;
		xcb_change_window_attributes(xd->c, o->win, XCB_CW_EVENT_MASK, &none);
	}
	free(o->text);
	*o = (struct selout){0};
}

/* Starts an INCR transfer of selection i to a request: false when none
 * can start (all slots busy and none stalled, no memory). */
static bool selout_start(struct xd *xd, int i, const xcb_selection_request_event_t *e,
			 xcb_atom_t prop, xcb_atom_t type)
{
	long now = base_now_ms();
	struct selout *o = NULL;
	uint32_t len32 = (uint32_t)xd->sellen[i];

	if (e->requestor == xd->root || e->requestor == xd->selwin || e->requestor == xd->selrd[0] ||
	    e->requestor == xd->selrd[1])
		return false;
	for (int k = 0; k < XD_INCR_MAX && !o; k++)
		if (!xd->selout[k].win)
			o = &xd->selout[k];
	for (int k = 0; k < XD_INCR_MAX && !o; k++)
		if (now - xd->selout[k].at_ms >= XD_INCR_STALL_MS) {
			selout_end(xd, &xd->selout[k]);
			o = &xd->selout[k];
		}
	if (!o || !(o->text = malloc(xd->sellen[i] ? xd->sellen[i] : 1)))
		return false;
	memcpy(o->text, xd->seltext[i], xd->sellen[i]);
	o->win = e->requestor;
	o->prop = prop;
	o->type = type;
	o->len = xd->sellen[i];
	o->off = 0;
	o->at_ms = now;
	/* Its deletions of the property are what ask for each piece. */
	o->managed = find(xd, e->requestor) != NULL;
	if (!o->managed) {
		const uint32_t mask = XCB_EVENT_MASK_PROPERTY_CHANGE;
		xcb_change_window_attributes(xd->c, o->win, XCB_CW_EVENT_MASK, &mask);
	}
	xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, o->win, prop, xd->atoms[A_INCR], 32, 1,
			    &len32);
	return true;
}

/* The INCR transfer whose property e says was deleted, if any. */
static struct selout *selout_of(struct xd *xd, const xcb_property_notify_event_t *e)
{
	if (e->state != XCB_PROPERTY_DELETE)
		return NULL;
	for (int k = 0; k < XD_INCR_MAX; k++)
		if (xd->selout[k].win && xd->selout[k].win == e->window &&
		    xd->selout[k].prop == e->atom)
			return &xd->selout[k];
	return NULL;
}

/* A program deleted a property: if it is an INCR transfer's, the next
 * piece (the empty one last, which ends it). */
static bool selout_next(struct xd *xd, const xcb_property_notify_event_t *e)
{
	size_t chunk = xd->sel_chunk;
	struct selout *o = selout_of(xd, e);

	if (!o)
		return false;
	if (xd->max_request_bytes > 64 && chunk > xd->max_request_bytes - 64)
		chunk = xd->max_request_bytes - 64;
	if (chunk > o->len - o->off)
		chunk = o->len - o->off;
	xcb_change_property(xd->c, XCB_PROP_MODE_APPEND, o->win, o->prop, o->type, 8,
			    (uint32_t)chunk, o->text + o->off);
	o->off += chunk;
	o->at_ms = base_now_ms();
	if (!chunk)
		selout_end(xd, o);
	return true;
}

static void sel_notify(struct xd *xd, xcb_window_t requestor, xcb_atom_t selection,
		       xcb_atom_t target, xcb_atom_t prop, uint32_t time)
{
	xcb_selection_notify_event_t ev = {0};

	ev.response_type = XCB_SELECTION_NOTIFY;
	ev.time = time;
	ev.requestor = requestor;
	ev.selection = selection;
	ev.target = target;
	ev.property = prop;
	xcb_send_event(xd->c, 0, requestor, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev);
}

/* Selection i's text as target into prop of e's requestor: false when
 * it is not a target xd gives (or an INCR transfer cannot start). What is
 * written in one property comes out of *left (at most sel_chunk for one
 * request, MULTIPLE's pairs together): a larger text goes in pieces. */
static bool sel_convert(struct xd *xd, int i, const xcb_selection_request_event_t *e,
			xcb_atom_t target, xcb_atom_t prop, size_t *left)
{
	bool text = target == xd->atoms[A_UTF8_STRING] || target == xd->atoms[A_TEXT] ||
		    target == XCB_ATOM_STRING;
	xcb_atom_t type = target == XCB_ATOM_STRING ? XCB_ATOM_STRING : xd->atoms[A_UTF8_STRING];

	if (target == xd->atoms[A_TARGETS]) {
		const uint32_t targets[5] = {xd->atoms[A_TARGETS], xd->atoms[A_MULTIPLE],
					     xd->atoms[A_UTF8_STRING], xd->atoms[A_TEXT],
					     XCB_ATOM_STRING};
		if (*left < 64)
			return false;
		*left -= 64;
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, e->requestor, prop,
				    XCB_ATOM_ATOM, 32, 5, targets);
		return true;
	}
	if (text && xd->sellen[i] + 64 <= *left && xd->sellen[i] + 64 <= xd->max_request_bytes) {
		/* One request. */
		*left -= xd->sellen[i] + 64;
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, e->requestor, prop, type, 8,
				    (uint32_t)xd->sellen[i], xd->seltext[i]);
		return true;
	}
	return text && selout_start(xd, i, e, prop, type); /* larger: in pieces */
}

/* A program pastes what the desk copied. MULTIPLE (ICCCM 2.6.2): the
 * requestor's property holds (target, property) pairs, read first (the
 * answer goes when the read does, on_multiple). */
static void on_sel_request(struct xd *xd, const xcb_selection_request_event_t *e)
{
	int i = sel_index(xd, e->selection);
	xcb_atom_t prop = e->property ? e->property : e->target;
	struct pending *p;
	size_t left = xd->sel_chunk;

	if (i >= 0 && xd->seltext[i] && e->target == xd->atoms[A_MULTIPLE]) {
		if (e->property && xd->count < xd->ring_max) {
			xcb_get_property_cookie_t ck =
				xcb_get_property(xd->c, 0, e->requestor, e->property,
						 XCB_GET_PROPERTY_TYPE_ANY, 0, XD_PROP_MAX_WORDS);
			if (pend(xd, ck.sequence, PK_MULTI, e->requestor, e->property, &p)) {
				p->sel = (uint8_t)i;
				p->time = e->time;
				return;
			}
		}
		prop = XCB_NONE;
	} else if (i < 0 || !xd->seltext[i] || !sel_convert(xd, i, e, e->target, prop, &left)) {
		prop = XCB_NONE;
	}
	sel_notify(xd, e->requestor, e->selection, e->target, prop, e->time);
}

/* MULTIPLE's pairs read: each converted, those that cannot be have their
 * property set to None in the pairs written back (ICCCM); a list that is
 * not pairs of atoms refuses the whole request. */
static void on_multiple(struct xd *xd, const struct pending *p, xcb_get_property_reply_t *r)
{
	xcb_atom_t selection = xd->atoms[p->sel ? A_PRIMARY : A_CLIPBOARD];
	xcb_selection_request_event_t e = {.requestor = p->win, .selection = selection,
					   .target = xd->atoms[A_MULTIPLE], .property = p->atom,
					   .time = p->time};
	xcb_atom_t answer = XCB_NONE;
	size_t left = xd->sel_chunk;

	const struct xd_prop pr = prop_of(r);
	const struct xd_prop_atoms at = prop_atoms(xd);
	uint32_t pairs[2 * XD_PROP_PAIRS_MAX];
	size_t n = xd->seltext[p->sel] ? xd_prop_pairs(&pr, &at, pairs) : 0;

	if (n) {
		for (size_t k = 0; k < n; k += 2)
			if (!pairs[k + 1] || pairs[k] == xd->atoms[A_MULTIPLE] ||
			    !sel_convert(xd, p->sel, &e, pairs[k], pairs[k + 1], &left))
				pairs[k + 1] = XCB_NONE;
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, p->win, p->atom,
				    xd->atoms[A_ATOM_PAIR], 32, (uint32_t)n, pairs);
		answer = p->atom;
	}
	sel_notify(xd, p->win, selection, xd->atoms[A_MULTIPLE], answer, p->time);
}

int xd_selection_set(struct xd *xd, int sel, const char *utf8, size_t n)
{
	char *copy;

	if (!xd->ready)
		return -EAGAIN;
	if (sel < 0 || sel > 1 || n > XD_SEL_MAX_BYTES)
		return -EINVAL;
	/* A desk's text, said to be UTF-8: given to programs as UTF8_STRING
	 * only as valid UTF-8 (a bad byte '?', up to a NUL). */
	if (!(copy = xd_prop_sel_text((const uint8_t *)utf8, n, XD_SEL_UTF8, &n)))
		return -ENOMEM;
	free(xd->seltext[sel]);
	xd->seltext[sel] = copy;
	xd->sellen[sel] = n;
	xd->owner_owed |= (uint8_t)(1u << sel); /* (no room: it waits, the text kept) */
	send_owed(xd);
	flush(xd);
	return 0;
}

/* ---- events ---- */

/* Drawn at r (window coordinates): the next read takes it. */
static void dmg_add(struct xwin *w, struct xd_rect r)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	if (w->ndmg < XD_RECTS_MAX) {
		w->dmg[w->ndmg++] = r;
		return;
	}
	/* Too many pieces: their bounding box, as one. */
	int32_t x0 = r.x, y0 = r.y, x1 = r.x + r.w, y1 = r.y + r.h;
	for (size_t i = 0; i < w->ndmg; i++) {
		const struct xd_rect *d = &w->dmg[i];
		x0 = d->x < x0 ? d->x : x0;
		y0 = d->y < y0 ? d->y : y0;
		x1 = d->x + d->w > x1 ? d->x + d->w : x1;
		y1 = d->y + d->h > y1 ? d->y + d->h : y1;
	}
	w->dmg[0] = (struct xd_rect){x0, y0, x1 - x0, y1 - y0};
	w->ndmg = 1;
}

/* The last read covered r (window coordinates) or what of it is in the
 * pixmap. */
static bool read_has(const struct xwin *w, struct xd_rect r)
{
	int32_t x0 = r.x + w->bw, y0 = r.y + w->bw, x1 = x0 + r.w, y1 = y0 + r.h;

	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > w->pm_w ? w->pm_w : x1;
	y1 = y1 > w->pm_h ? w->pm_h : y1;
	if (x1 <= x0 || y1 <= y0)
		return true;
	for (size_t i = 0; i < w->nread; i++) {
		const struct xd_rect *d = &w->read[i];
		if (x0 >= d->x && y0 >= d->y && x1 <= d->x + d->w && y1 <= d->y + d->h)
			return true;
	}
	return false;
}

static void screen_changed(struct xd *xd, unsigned w, unsigned h);

static void on_event(struct xd *xd, xcb_generic_event_t *ev)
{
	uint8_t type = ev->response_type & 0x7f;
	struct xwin *w;

	xd->ev_seq = widen_seq(xd->ev_seq, ev->full_sequence);
	if (type == 0)
		return; /* an error: a window went away under a request; nothing to undo */
	if (type == xd->damage_ev + XCB_DAMAGE_NOTIFY) {
		xcb_damage_notify_event_t *e = (void *)ev;
		if ((w = find(xd, e->drawable)) && w->mapped && e->damage == w->damage) {
			struct xd_rect r = {e->area.x, e->area.y, e->area.width, e->area.height};
			/* Damage done before a read emptied the window's damage
			 * (the event's number is that of the last request the
			 * server had done then), told only after: that read has
			 * it if it read there. Taken as new, it made a read that
			 * found nothing, and whoever waited on that read waited
			 * for the next change, which an idle window never makes.
			 * Where the read did not look, the subtract forgot it:
			 * the next read takes it. */
			if (xd->ev_seq < w->sub_seq && read_has(w, r))
				return;
			dmg_add(w, r);
			if (w->capturing)
				w->damaged_again = true;
			else if (xd->ops->damaged)
				xd->ops->damaged(xd->ctx, w->id);
		}
		return;
	}
	if (type == xd->xfixes_ev + XCB_XFIXES_SELECTION_NOTIFY) {
		on_sel_owner(xd, (void *)ev);
		return;
	}
	if (type == xd->xfixes_ev + XCB_XFIXES_CURSOR_NOTIFY) {
		ask_cursor(xd);
		return;
	}
	if (xd->shape_ok && type == xd->shape_ev + XCB_SHAPE_NOTIFY) {
		xcb_shape_notify_event_t *e = (void *)ev;
		/* (ShapeClip is no program's doing worth a desk's.) */
		if (e->shape_kind != XCB_SHAPE_SK_CLIP && (w = find(xd, e->affected_window)) &&
		    w->mapped)
			xshape_ask(xd, w, e->shape_kind == XCB_SHAPE_SK_INPUT ? XD_SHAPE_INPUT
									    : XD_SHAPE_BOUNDING);
		return;
	}
	switch (type) {
	case XCB_CREATE_NOTIFY: {
		xcb_create_notify_event_t *e = (void *)ev;
		if (e->parent == xd->root)
			add_win(xd, e->window, e->x, e->y, e->width, e->height, e->border_width,
				e->override_redirect);
		break;
	}
	case XCB_DESTROY_NOTIFY: {
		xcb_destroy_notify_event_t *e = (void *)ev;
		if (e->event == xd->root && (w = find(xd, e->window))) {
			del_win(xd, w);
			room_again(xd);
		} else if (e->event == xd->root) {
			found_gone(xd, e->window);
		}
		break;
	}
	case XCB_REPARENT_NOTIFY: {
		xcb_reparent_notify_event_t *e = (void *)ev;
		if (e->event != xd->root)
			break;
		if (e->parent == xd->root) {
			add_win(xd, e->window, e->x, e->y, 1, 1, 0, e->override_redirect);
			if ((w = find(xd, e->window)))
				ask_geometry(xd, w); /* (its size: the event has none) */
		} else if ((w = find(xd, e->window))) {
			del_win(xd, w);
			room_again(xd);
		}
		break;
	}
	case XCB_MAP_REQUEST: {
		xcb_map_request_event_t *e = (void *)ev;
		/* Granted, with no border: the desk draws the frame. */
		uint32_t bw = 0;
		static const uint32_t state[2] = {1, 0}; /* WM_STATE NormalState */
		xcb_configure_window(xd->c, e->window, XCB_CONFIG_WINDOW_BORDER_WIDTH, &bw);
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, e->window, xd->atoms[A_WM_STATE],
				    xd->atoms[A_WM_STATE], 32, 2, state);
		xcb_map_window(xd->c, e->window);
		break;
	}
	case XCB_MAP_NOTIFY: {
		xcb_map_notify_event_t *e = (void *)ev;
		if (e->event != xd->root)
			break;
		/* One made while there were too many to track: tracked now
		 * if there is room. */
		track_mapped(xd, e->window, e->override_redirect, false, NULL);
		break;
	}
	case XCB_UNMAP_NOTIFY: {
		xcb_unmap_notify_event_t *e = (void *)ev;
		if (e->event == xd->root && (w = find(xd, e->window)) && w->mapped)
			unmapped(xd, w);
		else if (e->event == xd->root && !w)
			found_gone(xd, e->window);
		break;
	}
	case XCB_CONFIGURE_REQUEST: {
		xcb_configure_request_event_t *e = (void *)ev;
		const struct xd_cfg_req req = {.mask = e->value_mask, .x = e->x, .y = e->y,
					       .w = e->width, .h = e->height, .bw = e->border_width,
					       .sibling = e->sibling, .stack_mode = e->stack_mode};
		uint32_t v[7];
		uint16_t mask = xd_prop_configure(&req, XD_MAX_DIM, v);
		if ((mask & (XCB_CONFIG_WINDOW_X | XCB_CONFIG_WINDOW_Y)) && (w = find(xd, e->window)) &&
		    w->mapped)
			w->placed = true;
		if (mask)
			xcb_configure_window(xd->c, e->window, mask, v);
		break;
	}
	case XCB_CONFIGURE_NOTIFY: {
		xcb_configure_notify_event_t *e = (void *)ev;
		if (e->window == xd->root) {
			/* (One from the start's change, read before it is told,
			 * is older than the size read then.) */
			if (xd->ev_seq > xd->cur_seq)
				screen_changed(xd, e->width, e->height);
			break;
		}
		if (e->event != xd->root || !(w = find(xd, e->window)))
			break;
		if (w->geom_seq && xd->ev_seq >= w->geom_seq)
			w->geom_seq = 0; /* newer than the geometry asked */
		set_geometry(xd, w, e->x, e->y, e->width, e->height, e->border_width);
		w->override = e->override_redirect;
		struct xwin *sib = e->above_sibling ? find(xd, e->above_sibling) : NULL;
		struct xwin *old_up = NULL;
		bool restacked = sib != w && w->below != sib;
		if (restacked) {
			old_up = mapped_above(w);
			unlink_win(xd, w);
			place_above(xd, w, sib);
		}
		report(xd, w);
		if (restacked && w->mapped)
			report_above(xd, w, old_up);
		break;
	}
	case XCB_CIRCULATE_NOTIFY: {
		xcb_circulate_notify_event_t *e = (void *)ev;
		if (e->event != xd->root || !(w = find(xd, e->window)))
			break;
		struct xwin *old_up = mapped_above(w);
		unlink_win(xd, w);
		place_above(xd, w, e->place == XCB_PLACE_ON_TOP ? xd->top : NULL);
		report(xd, w);
		if (w->mapped)
			report_above(xd, w, old_up);
		break;
	}
	case XCB_CLIENT_MESSAGE: {
		/* A window's _NET_WM_STATE change (EWMH: the window
		 * manager's to make) of the states kept: remove (0), add (1) or
		 * toggle (2) the one or two named. The property is written and
		 * read back as a program's own before its mapping (on_prop),
		 * one way for both. */
		xcb_client_message_event_t *e = (void *)ev;
		uint32_t act = e->data.data32[0], atoms[XD_STATES];
		uint8_t st, named = 0;
		uint32_t n = 0;
		/* A drag of its own window (a GTK header bar's): the desk's
		 * window manager's to do, where the person's pointer is.
		 * Said to support it, else GTK moves the window itself here,
		 * which no desk follows (and twice as far: the pointer goes in
		 * relative to the window), its menus then kept on this screen
		 * away from the pointer. */
		if (e->type == xd->atoms[A_NET_WM_MOVERESIZE] && e->format == 32 &&
		    e->data.data32[2] <= 10 && e->data.data32[3] >= 1 && e->data.data32[3] <= 5 &&
		    (w = find(xd, e->window)) && w->mapped && !w->override) {
			if (xd->ops->moveresize)
				xd->ops->moveresize(xd->ctx, w->id, (int)e->data.data32[2],
						    (int)e->data.data32[3]);
			break;
		}
		if (e->type != xd->atoms[A_NET_WM_STATE] || e->format != 32 || act > 2 ||
		    !(w = find(xd, e->window)) || w->override)
			break; /* (one asked as its mapping is under way counts: xterm's) */
		for (int i = 0; i < XD_STATES; i++)
			if (e->data.data32[1] == xd->atoms[A_NET_WM_STATE_FULLSCREEN + i] ||
			    e->data.data32[2] == xd->atoms[A_NET_WM_STATE_FULLSCREEN + i])
				named |= (uint8_t)(1u << i);
		if (!named)
			break;
		st = act == 0 ? w->state & ~named : act == 1 ? w->state | named : w->state ^ named;
		for (int i = 0; i < XD_STATES; i++)
			if (st & (1u << i))
				atoms[n++] = xd->atoms[A_NET_WM_STATE_FULLSCREEN + i];
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, w->id, xd->atoms[A_NET_WM_STATE],
				    XCB_ATOM_ATOM, 32, n, atoms);
		break;
	}
	case XCB_CIRCULATE_REQUEST: {
		xcb_circulate_request_event_t *e = (void *)ev;
		xcb_circulate_window(xd->c,
				     e->place == XCB_PLACE_ON_TOP ? XCB_CIRCULATE_RAISE_LOWEST
								  : XCB_CIRCULATE_LOWER_HIGHEST,
				     e->window);
		break;
	}
	case XCB_SELECTION_NOTIFY:
		on_sel_notify(xd, (void *)ev);
		break;
	case XCB_SELECTION_REQUEST:
		on_sel_request(xd, (void *)ev);
		break;
	case XCB_SELECTION_CLEAR: {
		xcb_selection_clear_event_t *e = (void *)ev;
		int i = sel_index(xd, e->selection);
		if (i >= 0) {
			free(xd->seltext[i]);
			xd->seltext[i] = NULL;
		}
		break;
	}
	case XCB_PROPERTY_NOTIFY: {
		xcb_property_notify_event_t *e = (void *)ev;
		if (selout_next(xd, e))
			break;
		if (e->window == xd->selrd[0] || e->window == xd->selrd[1]) {
			on_sel_property(xd, e);
			break;
		}
		if (!(w = find(xd, e->window)))
			break;
		for (int a = 0; a < A_WM_DELETE_WINDOW; a++)
			if (e->atom == xd->atoms[a])
				ask_prop(xd, w, a);
		break;
	}
	default:
		break;
	}
}

static void lose(struct xd *xd, const char *why)
{
	if (xd->lost)
		return;
	xd->lost = true;
	xd->fd_gen++; /* xd_fd is none now */
	if (xd->ops->lost)
		xd->ops->lost(xd->ctx, why);
}

/* ---- the screen's size (RANDR) ---- */

/* The next size asked, if any: the screen's resources first (the modes
 * it has, and the configuration's time the CRTC request must name). */
static void rr_next(struct xd *xd)
{
	unsigned w = xd->rr_want_w, h = xd->rr_want_h;
	xcb_randr_get_screen_resources_current_cookie_t ck;

	if (xd->rr_busy || !w || xd->count >= xd->ring_max || !afford(xd, XD_RR_COST))
		return;
	xd->rr_want_w = xd->rr_want_h = 0;
	if (w == xd->cur_w && h == xd->cur_h)
		return;
	ck = xcb_randr_get_screen_resources_current(xd->c, xd->root);
	struct pending *p = NULL;
	if (pend(xd, ck.sequence, PK_RR_RES, 0, 0, &p)) {
		p->r = (struct xd_rect){0, 0, (int32_t)w, (int32_t)h};
		xd->rr_busy = true;
	}
}

/* A mode xd made, which nothing uses now, off the output and gone. */
static void rr_drop_mode(struct xd *xd, xcb_randr_mode_t mode)
{
	xcb_randr_delete_output_mode(xd->c, xd->rr_output, mode);
	xcb_randr_destroy_mode(xd->c, mode);
}

static void rr_failed(struct xd *xd, unsigned w, unsigned h, const char *why)
{
	base_log("xdisplay", "display :%d: the X server (%s) did not take the size %ux%u: %s",
		 xd->proc.display, xd->proc.srv->name, w, h, why);
	if (xd->rr_setting_ours && xd->rr_setting != xd->rr_mode_ours)
		rr_drop_mode(xd, xd->rr_setting);
	xd->rr_setting = 0;
	xd->rr_setting_ours = false;
	xd->rr_busy = false;
	rr_next(xd);
	start_sized(xd);
}

static uint32_t rr_mm(unsigned px)
{
	return (uint32_t)((px * 254u + XD_SCREEN_DPI * 5u) / (XD_SCREEN_DPI * 10u));
}

/* The mode on the output and the CRTC, the screen sized around it: first
 * large enough for both the old CRTC and the new one, last to the new
 * size (a screen smaller than a CRTC on it is refused). The root's
 * ConfigureNotify says when it has it (screen_changed). */
static void rr_apply(struct xd *xd, xcb_randr_mode_t mode, bool ours, unsigned w, unsigned h)
{
	unsigned bw = w > xd->cur_w ? w : xd->cur_w, bh = h > xd->cur_h ? h : xd->cur_h;
	xcb_randr_set_crtc_config_cookie_t ck;
	struct pending *p = NULL;

	xd->rr_setting = mode;
	xd->rr_setting_ours = ours || mode == xd->rr_mode_ours;

	xcb_randr_add_output_mode(xd->c, xd->rr_output, mode); /* none if it has it */
	if (bw != xd->cur_w || bh != xd->cur_h)
		xcb_randr_set_screen_size(xd->c, xd->root, (uint16_t)bw, (uint16_t)bh, rr_mm(bw),
					  rr_mm(bh));
	ck = xcb_randr_set_crtc_config(xd->c, xd->rr_crtc, XCB_CURRENT_TIME, xd->rr_cfg_ts, 0, 0,
				       mode, XCB_RANDR_ROTATION_ROTATE_0, 1, &xd->rr_output);
	xcb_randr_set_screen_size(xd->c, xd->root, (uint16_t)w, (uint16_t)h, rr_mm(w), rr_mm(h));
	if (!pend(xd, ck.sequence, PK_RR_CRTC, 0, 0, &p)) {
		xd->rr_busy = false;
		start_sized(xd);
		return;
	}
	p->r = (struct xd_rect){0, 0, (int32_t)w, (int32_t)h};
}

static void rr_reply(struct xd *xd, const struct pending *p, void *reply)
{
	unsigned w = (unsigned)p->r.w, h = (unsigned)p->r.h;

	if (!reply) {
		rr_failed(xd, w, h, "the X server refused the request");
		return;
	}
	if (p->kind == PK_RR_RES) {
		xcb_randr_get_screen_resources_current_reply_t *r = reply;
		const xcb_randr_mode_info_t *m = xcb_randr_get_screen_resources_current_modes(r);
		int n = xcb_randr_get_screen_resources_current_modes_length(r);
		xd->rr_cfg_ts = r->config_timestamp;
		for (int i = 0; i < n; i++)
			if (m[i].width == w && m[i].height == h &&
			    !(m[i].mode_flags & (XCB_RANDR_MODE_FLAG_INTERLACE |
						 XCB_RANDR_MODE_FLAG_DOUBLE_SCAN))) {
				rr_apply(xd, m[i].id, false, w, h);
				return;
			}
		/* None of that size: one made, without blanking (the dummy
		 * driver shows nothing; a clock of 60 frames a second). A mode
		 * named so exists only with that size, found above, unless
		 * interlaced: the name says which. */
		char name[32];
		int len = snprintf(name, sizeof name, "%ux%u-telly", w, h);
		xcb_randr_mode_info_t mi = {
			.width = (uint16_t)w,
			.height = (uint16_t)h,
			.dot_clock = w * h * 60,
			.hsync_start = (uint16_t)w,
			.hsync_end = (uint16_t)w,
			.htotal = (uint16_t)w,
			.vsync_start = (uint16_t)h,
			.vsync_end = (uint16_t)h,
			.vtotal = (uint16_t)h,
			.name_len = (uint16_t)len,
		};
		xcb_randr_create_mode_cookie_t ck = xcb_randr_create_mode(xd->c, xd->root, mi, (uint32_t)len, name);
		struct pending *q = NULL;
		if (!pend(xd, ck.sequence, PK_RR_MODE, 0, 0, &q)) {
			xd->rr_busy = false;
			start_sized(xd);
			return;
		}
		q->r = p->r;
		return;
	}
	if (p->kind == PK_RR_MODE) {
		rr_apply(xd, ((xcb_randr_create_mode_reply_t *)reply)->mode, true, w, h);
		return;
	}
	xcb_randr_set_crtc_config_reply_t *c = reply;
	if (c->status != XCB_RANDR_SET_CONFIG_SUCCESS) {
		char why[64];
		snprintf(why, sizeof why, "its CRTC said %u", (unsigned)c->status);
		rr_failed(xd, w, h, why);
		return;
	}
	/* The CRTC has the new mode: the one of ours it had is unused. */
	if (xd->rr_mode_ours && xd->rr_mode_ours != xd->rr_setting)
		rr_drop_mode(xd, xd->rr_mode_ours);
	xd->rr_mode_ours = xd->rr_setting_ours ? xd->rr_setting : 0;
	xd->rr_setting = 0;
	xd->rr_setting_ours = false;
	xd->rr_busy = false;
	rr_next(xd);
	start_sized(xd);
}

/* ---- the start: connected and set up, nothing waited for ----
 *
 * A server may say its display and then answer slowly, or never (it was
 * stopped, or it is stuck): the owner's loop serves everyone else
 * meanwhile, and the start's deadline (XD_START_MS from the display's
 * naming) ends it. The handshake runs in a thread (struct start); each
 * later step sends its requests and then one more with an answer
 * (start_mark), in the ring: once that answer is in, the step's are too,
 * and reading them waits for nothing. Only then is the display ready
 * (ops->ready): programs come once telly manages it. */

static void start_fail(struct xd *xd, const char *why);

/* A socket to display :N, as xcb's own connect makes it (the abstract
 * name first, then the file). Not blocking: a server whose queue of
 * connections is full refuses, it does not hold the loop. */
static int x_socket(int display, char *err, size_t errn)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd, n, e = ECONNREFUSED;

	for (int abstract = 1; abstract >= 0; abstract--) {
		n = snprintf(a.sun_path + abstract, sizeof a.sun_path - (size_t)abstract,
			     "/tmp/.X11-unix/X%d", display);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)abstract +
				  (size_t)n + (size_t)!abstract);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0) {
			e = errno;
			break;
		}
		if (connect(fd, (struct sockaddr *)&a, len) == 0)
			return fd;
		e = errno;
		close(fd);
		memset(a.sun_path, 0, sizeof a.sun_path);
	}
	snprintf(err, errn, "cannot connect to the X server :%d: %s", display, strerror(e));
	return -e;
}

static void *handshake(void *arg)
{
	struct start *st = arg;
	uint64_t one = 1;

	st->made = xcb_connect_to_fd(st->xfd, &st->auth); /* takes xfd, even on failure */
	if (write(st->done_fd, &one, sizeof one) < 0) {
		/* (an eventfd far from full: cannot fail) */
	}
	return NULL;
}

/* The display is named: the handshake starts, in its thread. */
static int start_connect(struct xd *xd, char *err, size_t errn)
{
	struct start *st = &xd->st;
	int r;

	st->sock = x_socket(xd->proc.display, err, errn);
	if (st->sock < 0)
		return st->sock;
	st->xfd = fcntl(st->sock, F_DUPFD_CLOEXEC, 3);
	st->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	st->auth = (xcb_auth_info_t){.namelen = 18,
				     .name = (char *)"MIT-MAGIC-COOKIE-1",
				     .datalen = XD_COOKIE_BYTES,
				     .data = (char *)xd->proc.cookie};
	if (st->xfd < 0 || st->done_fd < 0) {
		r = -errno;
		snprintf(err, errn, "cannot connect to the X server: %s", strerror(errno));
		goto fail;
	}
	if ((r = pthread_create(&st->thread, NULL, handshake, st)) != 0) {
		snprintf(err, errn, "cannot connect to the X server: %s", strerror(r));
		r = -r;
		goto fail;
	}
	st->thread_on = true;
	st->step = ST_CONNECTING;
	xd->fd_gen++;
	return 0;
fail:
	if (st->xfd >= 0)
		close(st->xfd);
	if (st->done_fd >= 0)
		close(st->done_fd);
	close(st->sock);
	st->sock = st->xfd = st->done_fd = -1;
	return r;
}

/* The handshake's thread ended (or is ended: cut, the socket shut down
 * under it); what it made is returned (NULL: none). */
static xcb_connection_t *start_join(struct xd *xd, bool cut)
{
	struct start *st = &xd->st;
	xcb_connection_t *c;

	if (!st->thread_on)
		return NULL;
	if (cut)
		shutdown(st->sock, SHUT_RDWR);
	pthread_join(st->thread, NULL);
	st->thread_on = false;
	close(st->done_fd);
	close(st->sock); /* xcb has its own copy */
	st->sock = st->done_fd = st->xfd = -1;
	c = st->made;
	st->made = NULL;
	if (c && (cut || xcb_connection_has_error(c))) {
		xcb_disconnect(c);
		c = NULL;
	}
	xd->fd_gen++;
	return c;
}

/* Asks for an answer that comes after those of the requests just sent:
 * the step next reads them once it is in. */
static void start_mark(struct xd *xd, enum start_step next)
{
	xcb_get_input_focus_cookie_t ck = xcb_get_input_focus(xd->c);

	pend(xd, ck.sequence, PK_START, 0, (uint32_t)next, NULL);
	xd->st.step = next;
	flush(xd);
}

static const struct {
	xcb_extension_t *ext;
	const char *name;
} need_ext[] = {{&xcb_composite_id, "Composite"}, {&xcb_damage_id, "DAMAGE"},
		{&xcb_xfixes_id, "XFIXES"},	  {&xcb_shm_id, "MIT-SHM"},
		{&xcb_test_id, "XTEST"}};

/* Connected: the extensions and atoms asked. */
static void start_connected(struct xd *xd)
{
	xcb_screen_t *scr = xcb_setup_roots_iterator(xcb_get_setup(xd->c)).data;

	xd->fd = xcb_get_file_descriptor(xd->c);
	int sndbuf = 0;
	socklen_t sl = sizeof sndbuf;
	xd->sndbuf = getsockopt(xd->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl) == 0 && sndbuf > 0
			     ? (size_t)sndbuf
			     : 212992;
	/* A piece (or a text in one property) is the last write before the
	 * socket is measured again (afford_large): one the socket takes
	 * whole, twice its bytes counted, from an eighth full. */
	xd->sel_chunk = (xd->sndbuf - xd->sndbuf / 8 - (16u << 10)) / 2 / 4096 * 4096;
	if (xd->sndbuf < (64u << 10) || xd->sel_chunk < 4096)
		xd->sel_chunk = 4096;
	if (xd->sel_chunk > XD_SEL_CHUNK_BYTES)
		xd->sel_chunk = XD_SEL_CHUNK_BYTES;
	xd->root = scr->root;
	xd->cur_w = scr->width_in_pixels;
	xd->cur_h = scr->height_in_pixels;
	/* A ConfigureNotify of the root before the size is read is older. */
	xd->cur_seq = UINT64_MAX;
	for (size_t i = 0; i < sizeof need_ext / sizeof need_ext[0]; i++)
		xcb_prefetch_extension_data(xd->c, need_ext[i].ext);
	xcb_prefetch_extension_data(xd->c, &xcb_randr_id);
	xcb_prefetch_extension_data(xd->c, &xcb_shape_id);
	xcb_prefetch_extension_data(xd->c, &xcb_big_requests_id);
	xcb_prefetch_extension_data(xd->c, &xcb_res_id); /* (xd_clients_ask) */
	xcb_prefetch_extension_data(xd->c, &xcb_xkb_id); /* (a desk's locks) */
	for (int i = 0; i < A_COUNT; i++)
		xd->st.atoms[i] = xcb_intern_atom(xd->c, 0, (uint16_t)strlen(atom_names[i]),
						  atom_names[i]);
	start_mark(xd, ST_EXT);
}

/* GTK 3 programs take their visuals from the root's GDK_VISUALS (the
 * default one, then one with alpha) when it is there; otherwise each
 * initialises GLX at its start to choose them (and caches its choice
 * there), loading Mesa's swrast_dri.so and LLVM: 50 MB more in every
 * program that comes first to a display, and telly's displays are new
 * with each session. The visuals it names are those GTK takes on a
 * display without GLX; GLX stays, for programs that draw with it (and
 * a GTK program that makes a GL context initialises it then). */
static void gdk_visuals(struct xd *xd)
{
	const xcb_screen_t *scr = xcb_setup_roots_iterator(xcb_get_setup(xd->c)).data;
	uint32_t ids[2] = {scr->root_visual, 0};

	for (xcb_depth_iterator_t d = xcb_screen_allowed_depths_iterator(scr); d.rem && !ids[1];
	     xcb_depth_next(&d)) {
		if (d.data->depth != 32)
			continue;
		for (xcb_visualtype_iterator_t v = xcb_depth_visuals_iterator(d.data); v.rem;
		     xcb_visualtype_next(&v))
			if (v.data->_class == XCB_VISUAL_CLASS_TRUE_COLOR &&
			    v.data->red_mask == 0xff0000 && v.data->green_mask == 0xff00 &&
			    v.data->blue_mask == 0xff) {
				ids[1] = v.data->visual_id;
				break;
			}
	}
	/* None with alpha (a server without Composite): GTK chooses. */
	if (ids[1] && xd->atoms[A_GDK_VISUALS] != XCB_NONE)
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, xd->root, xd->atoms[A_GDK_VISUALS],
				    XCB_ATOM_INTEGER, 32, 2, ids);
}

/* The extensions are known: the versions told (each extension's first
 * request), the root taken as window manager, windows redirected. */
static void start_ext(struct xd *xd)
{
	const xcb_query_extension_reply_t *ext;
	struct start *st = &xd->st;
	char why[160];

	for (int i = 0; i < A_COUNT; i++) {
		xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(xd->c, st->atoms[i], NULL);
		xd->atoms[i] = r ? r->atom : XCB_NONE;
		free(r);
	}
	gdk_visuals(xd);
	for (size_t i = 0; i < sizeof need_ext / sizeof need_ext[0]; i++) {
		ext = xcb_get_extension_data(xd->c, need_ext[i].ext);
		if (!ext || !ext->present) {
			/* A server that died meanwhile answers nothing: not
			 * the extension's lack, said as the loop says it. */
			if (xcb_connection_has_error(xd->c))
				snprintf(why, sizeof why, "the connection to the X server (%s) of "
					 "display :%d broke before it was set up",
					 xd->proc.srv->name, xd->proc.display);
			else
				snprintf(why, sizeof why, "the X server has no %s extension",
					 need_ext[i].name);
			start_fail(xd, why);
			return;
		}
		if (need_ext[i].ext == &xcb_damage_id)
			xd->damage_ev = ext->first_event;
		if (need_ext[i].ext == &xcb_xfixes_id)
			xd->xfixes_ev = ext->first_event;
	}
	/* SHAPE 1.1 (input shapes) if the server has it: else windows are
	 * rectangles. Xvfb and Xorg have it unless told not to. */
	ext = xcb_get_extension_data(xd->c, &xcb_shape_id);
	xd->shape_ok = ext && ext->present;
	xd->shape_ev = xd->shape_ok ? ext->first_event : 0;
	if (xd->shape_ok)
		xcb_discard_reply(xd->c, xcb_shape_query_version(xd->c).sequence);
	/* XKB, for a desk's locks (xd_key_locks): a server takes no XKB
	 * request before UseExtension; one without it keeps its own. */
	ext = xcb_get_extension_data(xd->c, &xcb_xkb_id);
	xd->xkb_ok = ext && ext->present;
	if (xd->xkb_ok)
		xcb_discard_reply(xd->c, xcb_xkb_use_extension(xd->c, XCB_XKB_MAJOR_VERSION,
							      XCB_XKB_MINOR_VERSION).sequence);
	/* Their answers matter not: the server takes the version asked. */
	xcb_discard_reply(xd->c, xcb_composite_query_version(xd->c, 0, 4).sequence);
	xcb_discard_reply(xd->c, xcb_damage_query_version(xd->c, 1, 1).sequence);
	xcb_discard_reply(xd->c, xcb_xfixes_query_version(xd->c, 5, 0).sequence);
	st->shm_ver = xcb_shm_query_version(xd->c);
	xcb_prefetch_maximum_request_length(xd->c);
	/* StructureNotify: the root's ConfigureNotify says the screen's size. */
	uint32_t mask = XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT | XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY |
			XCB_EVENT_MASK_STRUCTURE_NOTIFY;
	st->wm = xcb_change_window_attributes_checked(xd->c, xd->root, XCB_CW_EVENT_MASK, &mask);
	st->redirect = xcb_composite_redirect_subwindows_checked(xd->c, xd->root,
								 XCB_COMPOSITE_REDIRECT_MANUAL);
	xcb_xfixes_select_cursor_input(xd->c, xd->root, XCB_XFIXES_CURSOR_NOTIFY_MASK_DISPLAY_CURSOR);
	/* The selections: xd's own windows (never mapped), one owns the
	 * desk's text, one per selection asks for a program's. */
	xd->selwin = xcb_generate_id(xd->c);
	xd->selrd[0] = xcb_generate_id(xd->c);
	xd->selrd[1] = xcb_generate_id(xd->c);
	for (int k = 0; k < 3; k++) {
		const uint32_t selmask = k ? XCB_EVENT_MASK_PROPERTY_CHANGE : 0; /* INCR pieces */
		xcb_create_window(xd->c, 0, k ? xd->selrd[k - 1] : xd->selwin, xd->root, -1, -1, 1,
				  1, 0, XCB_WINDOW_CLASS_INPUT_ONLY, XCB_COPY_FROM_PARENT,
				  XCB_CW_EVENT_MASK, &selmask);
	}
	/* A window manager that keeps _NET_WM_STATE's full screen and
	 * maximized (EWMH): programs (xterm -fullscreen, -maximized, GTK,
	 * Qt) ask for them only of one that says so; the check window is
	 * xd's own. */
	const uint32_t supported[] = {xd->atoms[A_NET_SUPPORTED],
				      xd->atoms[A_NET_SUPPORTING_WM_CHECK],
				      xd->atoms[A_NET_WM_STATE],
				      xd->atoms[A_NET_WM_STATE_FULLSCREEN],
				      xd->atoms[A_NET_WM_STATE_MAXIMIZED_VERT],
				      xd->atoms[A_NET_WM_STATE_MAXIMIZED_HORZ],
				      xd->atoms[A_NET_WM_MOVERESIZE]};
	xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, xd->root, xd->atoms[A_NET_SUPPORTED],
			    XCB_ATOM_ATOM, 32, sizeof supported / sizeof supported[0], supported);
	for (int k = 0; k < 2; k++)
		xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, k ? xd->selwin : xd->root,
				    xd->atoms[A_NET_SUPPORTING_WM_CHECK], XCB_ATOM_WINDOW, 32, 1,
				    &xd->selwin);
	xcb_change_property(xd->c, XCB_PROP_MODE_REPLACE, xd->selwin, xd->atoms[A_NET_WM_NAME],
			    xd->atoms[A_UTF8_STRING], 8, 5, "telly");
	for (int a = A_CLIPBOARD; a <= A_PRIMARY; a++)
		xcb_xfixes_select_selection_input(
			xd->c, xd->selwin, xd->atoms[a],
			XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER |
				/* (an owner gone: sel_owner none again) */
				XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_WINDOW_DESTROY |
				XCB_XFIXES_SELECTION_EVENT_MASK_SELECTION_CLIENT_CLOSE);
	/* RANDR: only a server that can change its size is asked. */
	ext = xd->proc.srv->can_resize ? xcb_get_extension_data(xd->c, &xcb_randr_id) : NULL;
	st->rr_asked = ext && ext->present;
	if (st->rr_asked)
		st->rr_ver = xcb_randr_query_version(xd->c, 1, 5);
	else if (xd->proc.srv->can_resize)
		base_log("xdisplay", "display :%d: the X server (%s) has no RANDR 1.2: it keeps its size",
			 xd->proc.display, xd->proc.srv->name);
	start_mark(xd, ST_CHECK);
}

/* A checked request's answer (in: a later one came): it was taken. */
static bool request_ok(struct xd *xd, xcb_void_cookie_t ck)
{
	xcb_generic_error_t *e = xcb_request_check(xd->c, ck);

	if (!e)
		return true;
	free(e);
	return false;
}

/* The window manager's place taken? Then the segment pixels are read
 * into, and RANDR's resources. */
static void start_check(struct xd *xd)
{
	struct start *st = &xd->st;
	char why[120];
	int memfd;

	xcb_shm_query_version_reply_t *sv = xcb_shm_query_version_reply(xd->c, st->shm_ver, NULL);
	bool fds = sv && (sv->major_version > 1 || (sv->major_version == 1 && sv->minor_version >= 2));
	free(sv);
	bool wm_ok = request_ok(xd, st->wm), redirect_ok = request_ok(xd, st->redirect);
	bool rr_asked = st->rr_asked;
	xcb_randr_query_version_reply_t *ver =
		rr_asked ? xcb_randr_query_version_reply(xd->c, st->rr_ver, NULL) : NULL;
	bool rr12 = ver && (ver->major_version > 1 || ver->minor_version >= 2);
	free(ver);
	st->rr_asked = false;
	if (!wm_ok || !redirect_ok || !fds) {
		snprintf(why, sizeof why,
			 !wm_ok	       ? "another window manager runs on :%d"
			 : !redirect_ok ? "cannot redirect the windows of :%d (Composite)"
					: "the X server's MIT-SHM cannot take a descriptor (1.2) (:%d)",
			 xd->proc.display);
		start_fail(xd, why);
		return;
	}
	xd->max_request_bytes = (size_t)xcb_get_maximum_request_length(xd->c) * 4;
	/* The segment pixels are read into: a screen's worth of address
	 * space (only what reads touch is memory); xcb hands the descriptor
	 * to the server and closes it. */
	xd->shm_bytes = (size_t)xd->screen_w * xd->screen_h * 4;
	/* A display made smaller still reads a window its width's rows at a
	 * time: at least XD_SHM_MIN_ROWS rows of the widest. */
	if (xd->shm_bytes < (size_t)XD_MAX_DIM * 4 * XD_SHM_MIN_ROWS)
		xd->shm_bytes = (size_t)XD_MAX_DIM * 4 * XD_SHM_MIN_ROWS;
	memfd = memfd_create("telly-xshm", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)xd->shm_bytes) < 0) {
		snprintf(why, sizeof why, "no shared memory for pixels: %s", strerror(errno));
		if (memfd >= 0)
			close(memfd);
		start_fail(xd, why);
		return;
	}
	xd->shm = mmap(NULL, xd->shm_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (xd->shm == MAP_FAILED) {
		xd->shm = NULL;
		snprintf(why, sizeof why, "no shared memory for pixels: %s", strerror(errno));
		close(memfd);
		start_fail(xd, why);
		return;
	}
	xd->seg = xcb_generate_id(xd->c);
	st->shm_attach = xcb_shm_attach_fd_checked(xd->c, xd->seg, memfd, 0);
	st->rr_res_asked = rr12;
	if (rr12)
		st->rr_res = xcb_randr_get_screen_resources_current(xd->c, xd->root);
	else if (rr_asked)
		base_log("xdisplay", "display :%d: the X server (%s) has no RANDR 1.2: it keeps its size",
			 xd->proc.display, xd->proc.srv->name);
	start_mark(xd, ST_RR_RES);
}

static void start_size(struct xd *xd);

/* The segment attached? Then the outputs that may make the screen. */
static void start_rr_res(struct xd *xd)
{
	struct start *st = &xd->st;

	if (!request_ok(xd, st->shm_attach)) {
		start_fail(xd, "the X server did not take the shared memory");
		return;
	}
	if (!st->rr_res_asked) {
		start_size(xd);
		return;
	}
	st->rr_res_asked = false;
	xcb_randr_get_screen_resources_current_reply_t *res =
		xcb_randr_get_screen_resources_current_reply(xd->c, st->rr_res, NULL);
	if (!res) {
		base_log("xdisplay", "display :%d: the X server (%s) cannot change its size: its "
				     "screen resources cannot be read",
			 xd->proc.display, xd->proc.srv->name);
		start_size(xd);
		return;
	}
	const xcb_randr_output_t *outs = xcb_randr_get_screen_resources_current_outputs(res);
	int n = xcb_randr_get_screen_resources_current_outputs_length(res);
	st->nouts = 0;
	for (int i = 0; i < n && st->nouts < XD_RR_OUTPUTS_MAX; i++) {
		st->outs[st->nouts] = outs[i];
		st->out_info[st->nouts++] = xcb_randr_get_output_info(xd->c, outs[i],
									res->config_timestamp);
	}
	free(res);
	start_mark(xd, ST_RR_OUT);
}

/* The first connected output, and its CRTC (or the first it may use). */
static void start_rr_out(struct xd *xd)
{
	struct start *st = &xd->st;

	for (unsigned i = 0; i < st->nouts; i++) {
		xcb_randr_get_output_info_reply_t *oi =
			xcb_randr_get_output_info_reply(xd->c, st->out_info[i], NULL);
		if (!xd->rr_ok && oi && oi->connection == XCB_RANDR_CONNECTION_CONNECTED &&
		    (oi->crtc || xcb_randr_get_output_info_crtcs_length(oi) > 0)) {
			xd->rr_output = st->outs[i];
			xd->rr_crtc = oi->crtc ? oi->crtc : xcb_randr_get_output_info_crtcs(oi)[0];
			xd->rr_ok = true;
		}
		free(oi);
	}
	st->nouts = 0;
	if (!xd->rr_ok)
		base_log("xdisplay", "display :%d: the X server (%s) cannot change its size: it has "
				     "no connected output",
			 xd->proc.display, xd->proc.srv->name);
	start_size(xd);
}

/* The size asked, before any program sees the display (Xorg starts at a
 * size of its own choosing); its answers go through the ring as any
 * later size's, and start_sized goes on once they are in. */
static void start_size(struct xd *xd)
{
	xd->st.step = ST_SIZE;
	if (xd->rr_ok && (xd->cur_w != xd->screen_w || xd->cur_h != xd->screen_h)) {
		xd->rr_want_w = xd->screen_w;
		xd->rr_want_h = xd->screen_h;
		rr_next(xd);
		flush(xd);
	}
	start_sized(xd);
}

/* The start's size is taken, or refused (logged): the screen's size
 * read, past the last request. */
static void start_sized(struct xd *xd)
{
	if (xd->st.step != ST_SIZE || xd->rr_busy)
		return;
	xcb_get_geometry_cookie_t gc = xcb_get_geometry(xd->c, xd->root);
	pend(xd, gc.sequence, PK_START, 0, ST_GEOM, NULL);
	xd->st.step = ST_GEOM;
	flush(xd);
}

/* The screen's size is known: the display is ready. */
static void start_geom(struct xd *xd, const xcb_get_geometry_reply_t *g, unsigned seq)
{
	xd->cur_seq = widen_seq(xd->ev_seq, seq);
	if (g) {
		xd->cur_w = g->width;
		xd->cur_h = g->height;
	}
	/* The shape the pointer has now; XFixes tells each change after. */
	ask_cursor(xd);
	flush(xd);
	xd->st.step = ST_READY;
	xd->ready = true;
	if (xd->ops->ready)
		xd->ops->ready(xd->ctx, xd->proc.display);
}

static void start_on(struct xd *xd, const struct pending *p, void *reply)
{
	if (xd->lost || xd->st.step != (enum start_step)p->atom)
		return;
	switch (p->atom) {
	case ST_EXT:
		start_ext(xd);
		break;
	case ST_CHECK:
		start_check(xd);
		break;
	case ST_RR_RES:
		start_rr_res(xd);
		break;
	case ST_RR_OUT:
		start_rr_out(xd);
		break;
	case ST_GEOM:
		start_geom(xd, reply, p->seq);
		break;
	default:
		break;
	}
}

/* The root's size changed (RANDR): windows that spanned the old screen
 * (maximized, or the full width or height) span the new one; the others
 * keep their place, moved inside if they would stand off the screen. */
static void screen_changed(struct xd *xd, unsigned nw, unsigned nh)
{
	unsigned ow = xd->cur_w, oh = xd->cur_h;

	if (nw == ow && nh == oh)
		return;
	xd->cur_w = nw;
	xd->cur_h = nh;
	base_log("xdisplay", "display :%d is now %ux%u (was %ux%u)", xd->proc.display, nw, nh, ow,
		 oh);
	for (struct xwin *w = xd->bottom; w; w = w->above) {
		if (!w->mapped || w->override)
			continue;
		/* Where it is, or was last asked to be (sent, or waiting for
		 * room: owe_configure). */
		bool asked = w->fit_seq > xd->ev_seq;
		int x0 = w->cfg_what & 1 ? w->cfg_x : asked ? w->fit_x : w->x;
		int y0 = w->cfg_what & 1 ? w->cfg_y : asked ? w->fit_y : w->y;
		int ww = w->cfg_what & 2 ? w->cfg_w : asked ? w->fit_w : w->w + 2 * w->bw;
		int wh = w->cfg_what & 2 ? w->cfg_h : asked ? w->fit_h : w->h + 2 * w->bw;
		int x = x0, y = y0;
		int fw = x == 0 && ww == (int)ow ? (int)nw : ww;
		int fh = y == 0 && wh == (int)oh ? (int)nh : wh;
		if (x + fw > (int)nw)
			x = (int)nw - fw;
		if (y + fh > (int)nh)
			y = (int)nh - fh;
		if (x < 0)
			x = 0;
		if (y < 0)
			y = 0;
		if (x == x0 && y == y0 && fw == ww && fh == wh)
			continue;
		owe_configure(xd, w, 1 | 2, x, y, (unsigned)fw, (unsigned)fh);
	}
	send_owed(xd); /* as far as there is room; the rest once there is */
}

int xd_screen_size(struct xd *xd, unsigned w, unsigned h)
{
	if (!xd || !xd->ready)
		return -EAGAIN;
	if (w < XD_SCREEN_MIN || w > XD_SCREEN_MAX || h < XD_SCREEN_MIN || h > XD_SCREEN_MAX)
		return -EINVAL;
	if (!xd->rr_ok) {
		if (!xd->rr_told)
			base_log("xdisplay", "display :%d keeps its size %ux%u (a desk of %ux%u views "
					     "it): the X server (%s) cannot change its size%s",
				 xd->proc.display, xd->cur_w, xd->cur_h, w, h, xd->proc.srv->name,
				 xd->proc.srv->can_resize ? "" : " (its RANDR takes no new mode)");
		xd->rr_told = true;
		return -ENOTSUP;
	}
	xd->rr_want_w = w;
	xd->rr_want_h = h;
	rr_next(xd); /* (no room: later, send_owed) */
	flush(xd);
	return 0;
}

void xd_screen(const struct xd *xd, unsigned *w, unsigned *h)
{
	*w = xd->ready ? xd->cur_w : xd->screen_w;
	*h = xd->ready ? xd->cur_h : xd->screen_h;
}

const char *xd_server_name(const struct xd *xd)
{
	return xd->proc.srv ? xd->proc.srv->name : "X";
}

/* ---- the public face ---- */

int xd_create(const struct xd_config *cfg, const struct xd_ops *ops, void *ctx, struct xd **out,
	      char *err, size_t errn)
{
	struct xd *xd = calloc(1, sizeof *xd);
	int r;

	if (!xd) {
		snprintf(err, errn, "out of memory");
		return -ENOMEM;
	}
	xd->ops = ops;
	xd->ctx = ctx;
	xd->fd = -1;
	xd->st.sock = xd->st.xfd = xd->st.done_fd = -1;
	xd->ring_max = cfg->ring_max && cfg->ring_max < XD_PENDING_MAX ? cfg->ring_max
								       : XD_PENDING_MAX;
	xd->screen_w = cfg->width ? cfg->width : XD_SCREEN_W;
	xd->screen_h = cfg->height ? cfg->height : XD_SCREEN_H;
	/* The X.Org server can change its size; Xvfb cannot (xd_screen_size). */
	const struct xd_server_ops *srv = cfg->server == XD_SERVER_XVFB   ? &xd_xvfb_ops
					  : cfg->server == XD_SERVER_XORG ? &xd_xorg_ops
					  : xd_xorg_present()		  ? &xd_xorg_ops
									  : &xd_xvfb_ops;
	r = xvfb_start(&xd->proc, srv, cfg->dir, cfg->name, cfg->log, xd->screen_w, xd->screen_h,
		       err, errn);
	xd->may_fall_back = cfg->server == XD_SERVER_AUTO && srv == &xd_xorg_ops;
	if (r < 0 && xd->may_fall_back) {
		/* Xorg could not even be run (its config not written): Xvfb,
		 * the owner told once its loop runs (xd_wait_time). */
		snprintf(xd->fell_why, sizeof xd->fell_why,
			 "the X server (Xorg) did not start: %s: Xvfb instead, which keeps its "
			 "first size",
			 err);
		xd->may_fall_back = false;
		r = xvfb_start(&xd->proc, &xd_xvfb_ops, cfg->dir, cfg->name, cfg->log, xd->screen_w,
			       xd->screen_h, err, errn);
	}
	if (r < 0) {
		free(xd);
		return r;
	}
	xd->start_by = base_now_ms() + XD_START_MS;
	*out = xd;
	return 0;
}

void xd_destroy(struct xd *xd)
{
	if (!xd)
		return;
	free(xd->stash);
	free(xd->rstash);
	free(xd->rstash_err);
	/* Closed first: the windows' pixmaps and damages go with the
	 * connection, and nothing is written to a server that may not read. */
	start_join(xd, true);
	if (xd->c)
		xcb_disconnect(xd->c);
	xd->c = NULL;
	while (xd->top)
		del_win(xd, xd->top);
	if (xd->shm)
		munmap(xd->shm, xd->shm_bytes);
	free(xd->seltext[0]);
	free(xd->seltext[1]);
	selin_reset(&xd->selin[0]);
	selin_reset(&xd->selin[1]);
	for (int k = 0; k < XD_INCR_MAX; k++)
		free(xd->selout[k].text);
	xvfb_finish(&xd->proc);
	free(xd);
}

int xd_fd(const struct xd *xd)
{
	/* Lost: nothing reads it (xd_dispatch says -EIO), and a connection
	 * the server still writes to would wake the owner's loop for ever. */
	if (xd->lost || xd->paused)
		return -1;
	return xd->c ? xd->fd : xd->st.thread_on ? xd->st.done_fd : xd->proc.displayfd;
}

int xd_socket(const struct xd *xd)
{
	return xd->c ? xd->fd : -1;
}

unsigned xd_fd_gen(const struct xd *xd)
{
	return xd->fd_gen;
}

int xd_display(const struct xd *xd)
{
	return xd->ready ? xd->proc.display : -1;
}

const char *xd_auth_path(const struct xd *xd)
{
	return xd->proc.auth;
}

int xd_files_again(struct xd *xd, char *err, size_t errn)
{
	return xvfb_cookie_again(&xd->proc, err, errn);
}

pid_t xd_server_pid(const struct xd *xd)
{
	return xd->proc.server;
}

unsigned xd_processes(const struct xd *xd)
{
	return xvfb_processes(&xd->proc);
}

static bool keymap_loading(const struct xd *xd)
{
	return xd->proc.xkbcomp > 0 || xd->proc.keymap_next;
}

static void inject_key(struct xd *xd, uint32_t id, uint8_t keycode, bool pressed, int locks)
{
	struct xwin *w;

	if (pressed && (w = find(xd, id)))
		set_focus(xd, w);
	/* The display's locks are its own, changed by the lock keys that
	 * reach it; a press is typed with the desk's. Set before each press
	 * that says them, not compared: the display's may have changed by
	 * any key put in since (or a program's), the request has no answer
	 * and the server changes nothing when they are the same. XTEST's
	 * keys are processed as they come, so the order holds.
	 * Only CapsLock and NumLock (Mod2) are the desk's to say (its key
	 * event's state shows no other lock); a lock on another modifier
	 * stays the display's. */
	if (pressed && locks >= 0 && xd->xkb_ok)
		xcb_xkb_latch_lock_state(xd->c, XCB_XKB_ID_USE_CORE_KBD,
					 XCB_MOD_MASK_LOCK | XCB_MOD_MASK_2, (uint8_t)locks,
					 1, (uint8_t)(locks >> 8), 0, 0, 0);
	xcb_test_fake_input(xd->c, pressed ? XCB_KEY_PRESS : XCB_KEY_RELEASE, keycode,
			    XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
}

static void inject_pointer(struct xd *xd, uint32_t id, int16_t rx, int16_t ry, int kind,
			   uint8_t button)
{
	struct xwin *w = find(xd, id);

	if (kind == 3) { /* xd_button_up: let go where the pointer is */
		xcb_test_fake_input(xd->c, XCB_BUTTON_RELEASE, button, XCB_CURRENT_TIME, XCB_NONE,
				    0, 0, 0);
		return;
	}
	xcb_test_fake_input(xd->c, XCB_MOTION_NOTIFY, 0, XCB_CURRENT_TIME, xd->root, rx, ry, 0);
	if (kind == 1 || kind == 2) {
		if (kind == 1 && w && !w->override)
			set_focus(xd, w);
		xcb_test_fake_input(xd->c, kind == 1 ? XCB_BUTTON_PRESS : XCB_BUTTON_RELEASE, button,
				    XCB_CURRENT_TIME, XCB_NONE, 0, 0, 0);
	}
}

/* Input while a keymap loads waits for it, keys and the pointer alike
 * (a click after a key comes after it). 1: held; 0: not loading, inject
 * it; -EBUSY: the hold is full, offer it again later (a release has
 * room of its own, and only past that is it lost). */
static int hold(struct xd *xd, struct xd_held h)
{
	bool release = (h.kind < 0 && !h.pressed) || h.kind == 3;

	if (!keymap_loading(xd) && !xd->nheld)
		return 0;
	if (xd->nheld < XD_HELD_KEYS_MAX ||
	    (release && xd->nheld < XD_HELD_KEYS_MAX + XD_HELD_RELEASE_ROOM)) {
		xd->held[xd->nheld++] = h;
		return 1;
	}
	if (!release)
		return -EBUSY;
	xd->held_lost++;
	return 1;
}

/* Releases owed go once the server reads again, with no input to wait
 * for; the backlog, and the pause, are over then too. */
static void pay_owed_if_room(struct xd *xd)
{
	if (xd->c && (xd->owed || xd->told_backlog || xd->paused || xd->unmeasured) && refill(xd))
		flush(xd);
}

/* The keymap is in: the input held meanwhile goes, in order, as far as
 * the server reads it. A full hold is up to 110 KiB of requests, more
 * than a socket that is not read takes before xcb waits to write (a
 * quarter of its buffer): it goes XD_HELD_BATCH at a time, each only
 * while the socket is at most an eighth full, as a desk's input; the
 * rest stays held (taken: never dropped) and xd_dispatch goes on with
 * it once the server reads (xd_wait_time asks to be called). */
static void release_held(struct xd *xd)
{
	unsigned i = 0;

	if (!xd->ready || keymap_loading(xd) || !xd->nheld)
		return;
	while (i < xd->nheld && afford(xd, XD_HELD_BATCH * XD_POINTER_COST)) { /* (owed first: refill) */
		for (unsigned end = i + XD_HELD_BATCH; i < xd->nheld && i < end; i++) {
			const struct xd_held *h = &xd->held[i];
			if (h->kind < 0)
				inject_key(xd, h->id, h->detail, h->pressed, h->locks);
			else
				inject_pointer(xd, h->id, h->x, h->y, h->kind, h->detail);
		}
		flush(xd);
	}
	if (!i)
		return;
	memmove(xd->held, xd->held + i, (xd->nheld - i) * sizeof xd->held[0]);
	xd->nheld -= i;
	if (xd->nheld)
		return;
	if (xd->held_lost)
		base_log("xdisplay", "display :%d: %u releases while the keymap loaded were "
				     "past %d held and lost",
			 xd->proc.display, xd->held_lost, XD_HELD_KEYS_MAX + XD_HELD_RELEASE_ROOM);
	xd->held_lost = 0;
}

/* What a start that did not finish made of the connection, undone (no
 * program saw the display, xd told nothing of it): another server starts
 * afresh. */
static void start_undo(struct xd *xd)
{
	start_join(xd, true);
	if (xd->c) {
		xcb_disconnect(xd->c);
		xd->c = NULL;
	}
	xd->fd = -1;
	if (xd->shm)
		munmap(xd->shm, xd->shm_bytes);
	xd->shm = NULL;
	xd->head = xd->count = 0;
	free(xd->rstash);
	free(xd->rstash_err);
	xd->rstash = NULL;
	xd->rstash_err = NULL;
	xd->rstash_in = false;
	xd->paused = xd->sent = xd->unmeasured = false;
	xd->budget = xd->queued_cost = 0;
	xd->rr_ok = xd->rr_busy = false;
	xd->rr_want_w = xd->rr_want_h = 0;
	xd->rr_mode_ours = xd->rr_setting = 0;
	xd->rr_setting_ours = false;
	xd->ev_seq = 0;
	xd->st.step = ST_NAMING;
	xd->fd_gen++;
}

/* x-server auto's Xorg did not start, or ended before its display was
 * ready (why): Xvfb in its place, once, and the owner told why. false: no
 * fallback (not auto, or done, or programs already came). */
/* why, and what the server said last (or that it could not be run). */
static void with_last_words(struct xd *xd, const char *why, char *msg, size_t n)
{
	char words[200];

	xvfb_last_words(&xd->proc, words, sizeof words);
	snprintf(msg, n, "%s%s%s%s", why, words[0] ? " (it said: " : "", words,
		 words[0] ? ")" : "");
}

static bool fall_back(struct xd *xd, const char *why)
{
	char msg[600], err[300];

	if (!xd->may_fall_back || xd->stopping || xd->ready || xd->lost)
		return false;
	xd->may_fall_back = false;
	start_undo(xd);
	with_last_words(xd, why, msg, sizeof msg);
	snprintf(msg + strlen(msg), sizeof msg - strlen(msg),
		 ": Xvfb instead, which keeps its first size");
	if (xvfb_restart(&xd->proc, &xd_xvfb_ops, xd->screen_w, xd->screen_h, err,
			 sizeof err) < 0) {
		snprintf(msg + strlen(msg), sizeof msg - strlen(msg), "; Xvfb did not start: %s",
			 err);
		lose(xd, msg);
		return true;
	}
	xd->start_by = base_now_ms() + XD_START_MS;
	if (xd->ops->fell_back)
		xd->ops->fell_back(xd->ctx, msg);
	else
		base_log("xdisplay", "%s", msg);
	return true;
}

/* The start failed (why): Xvfb in Xorg's place when it may, else the
 * display is lost. */
static void start_fail(struct xd *xd, const char *why)
{
	char msg[600];

	start_join(xd, true);
	if (fall_back(xd, why))
		return;
	with_last_words(xd, why, msg, sizeof msg);
	lose(xd, msg);
}

/* The display repeats no key of its own (-r): a key held on the desk
 * comes as the desk's repeated presses. A keymap load may turn its
 * repeat on again (xkbcomp sets the keyboard's controls with a keymap
 * whose count of layouts differs, us,ru), and a held key would then
 * repeat on both sides; off again, before the keys held for the load go
 * in. */
static void repeat_off(struct xd *xd)
{
	if (!xd->c)
		return;
	xcb_change_keyboard_control(xd->c, XCB_KB_AUTO_REPEAT_MODE,
				    (const uint32_t[]){XCB_AUTO_REPEAT_MODE_OFF});
	flush(xd);
}

bool xd_reap(struct xd *xd, int *status)
{
	unsigned long gen = xd->proc.keymap_gen;
	bool gone = xvfb_reap(&xd->proc);

	if (!gone && gen != xd->proc.keymap_gen)
		repeat_off(xd);

	if (gone && !xd->ready) {
		char why[160], dpy[32] = "";
		int st = xd->proc.server_status;
		if (xd->proc.display >= 0)
			snprintf(dpy, sizeof dpy, " of display :%d", xd->proc.display);
		snprintf(why, sizeof why, "the X server (%s)%s ended (%s %d) before %s",
			 xd->proc.srv->name, dpy, WIFEXITED(st) ? "exit status" : "signal",
			 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
			 dpy[0] ? "it was set up" : "it said its display");
		if (fall_back(xd, why))
			return xd->lost && !xd->proc.server;
	}

	if (!gone)
		release_held(xd);

	if (gone && status)
		*status = xd->proc.server_status;
	return gone;
}

/* ---- the display's other clients (X-Resource) ----
 *
 * Its extension data was prefetched at the start, so asking for it once
 * xd is ready waits for nothing; QueryVersion goes first, as the protocol
 * asks, its answer not needed (QueryClients is in every version). */
static void xres_clients(struct xd *xd)
{
	xcb_res_query_clients_cookie_t ck = xcb_res_query_clients(xd->c);

	xd->xres_asked = ck.sequence && pend(xd, ck.sequence, PK_XRES_CLIENTS, 0, 0, NULL);
}

void xd_clients_ask(struct xd *xd)
{
	if (!xd->c || !xd->ready || xd->lost || xd->xres_asked || xd->xres_major < 0 ||
	    xd->count + 1 >= xd->ring_max || !afford(xd, XD_ASK_COST))
		return; /* asked again later (the owner's timer) */
	if (xd->xres_major == 0) {
		const xcb_query_extension_reply_t *e = xcb_get_extension_data(xd->c, &xcb_res_id);
		if (!e)
			return; /* the connection broke: xd->lost says so soon */
		xd->xres_major = e->present ? e->major_opcode : -1;
		if (xd->xres_major < 0) {
			if (xd->ops->clients)
				xd->ops->clients(xd->ctx, NULL);
			return;
		}
		xcb_discard_reply(xd->c, xcb_res_query_version(xd->c, 1, 2).sequence);
	}
	xres_clients(xd);
}

/* The clients X-Resource listed (c, sorted by base; n of all of them,
 * nc in c), told apart by whether they showed a window or hold a copy;
 * when the others were first counted (xd->seen, made again from them). */
static struct xd_clients clients_of(struct xd *xd, const struct xd_xres_client *c, unsigned nc,
				    unsigned n)
{
	struct xd_clients out = {.unshown = (int)(n - nc)};
	struct seen was[XD_CLIENTS_MAX];
	unsigned nwas = xd->nseen, k = 0;
	long now = base_now_ms();

	memcpy(was, xd->seen, nwas * sizeof *was);
	xd->nseen = 0;
	for (unsigned i = 0; i < nc; i++) {
		if (c[i].shown) {
			out.shown++;
			continue;
		}
		while (k < nwas && was[k].base < c[i].base)
			k++;
		long at = k < nwas && was[k].base == c[i].base ? was[k].at : now;
		xd->seen[xd->nseen++] = (struct seen){c[i].base, at};
		out.holding += c[i].holds;
		out.unshown += !c[i].holds;
		if (at > out.unshown_since)
			out.unshown_since = at;
	}
	return out;
}

static void on_xres(struct xd *xd, const void *reply)
{
	struct xd_xres_client c[XD_CLIENTS_MAX];
	int at;

	xd->xres_asked = false;
	if (!reply)
		return; /* an error: asked again later */
	unsigned n = xd_prop_xres_clients(reply, xcb_get_setup(xd->c)->resource_id_base, c,
					  XD_CLIENTS_MAX);
	unsigned nc = n < XD_CLIENTS_MAX ? n : XD_CLIENTS_MAX;
	xd_prop_xres_sort(c, nc);
	for (struct xwin *w = xd->bottom; w; w = w->above)
		if (w->shown && (at = xd_prop_xres_maker(c, nc, w->id)) >= 0)
			c[at].shown = true;
	for (int i = 0; i < 2; i++)
		if (xd->sel_owner[i] && (at = xd_prop_xres_maker(c, nc, xd->sel_owner[i])) >= 0)
			c[at].holds = true;
	struct xd_clients cl = clients_of(xd, c, nc, n);
	if (xd->ops->clients)
		xd->ops->clients(xd->ctx, &cl);
}

void xd_stop(struct xd *xd)
{
	xd->may_fall_back = false;
	xd->stopping = true;
	xvfb_stop(&xd->proc);
}

/* The start's deadline (and a fallback's news): ms until it, or -1. */
static long start_wait(struct xd *xd, long now)
{
	char err[300];

	if (xd->fell_why[0]) {
		if (xd->ops->fell_back)
			xd->ops->fell_back(xd->ctx, xd->fell_why);
		else
			base_log("xdisplay", "%s", xd->fell_why);
		xd->fell_why[0] = 0;
	}
	if (xd->ready || xd->lost)
		return -1;
	if (now >= xd->start_by) {
		if (xd->proc.display < 0)
			snprintf(err, sizeof err, "the X server (%s) did not start within %d ms",
				 xd->proc.srv->name, XD_START_MS);
		else
			snprintf(err, sizeof err, "the X server (%s) of display :%d did not answer "
						  "within %d ms%s",
				 xd->proc.srv->name, xd->proc.display, XD_START_MS,
				 xd->st.thread_on ? " (not even the connection's handshake)" : "");
		start_fail(xd, err);
		return xd->lost ? -1 : xd->start_by - now;
	}
	return xd->start_by - now;
}

long xd_wait_time(struct xd *xd, long now)
{
	long kw = xvfb_keymap_wait(&xd->proc, now), sw = start_wait(xd, now);
	long w = kw < 0 ? sw : sw < 0 || kw < sw ? kw : sw;
	long dw = xvfb_stop_wait(&xd->proc, now); /* after the start's: a fallback puts one down */

	if (dw >= 0 && (w < 0 || dw < w))
		w = dw;

	/* Held input (or a release owed, or all: paused) waits for a server
	 * that does not read: its reading again shows on no descriptor of
	 * ours. */
	if (((xd->ready && xd->nheld && !keymap_loading(xd)) || xd->owed) &&
	    (w < 0 || w > XD_HELD_POLL_MS))
		w = XD_HELD_POLL_MS;
	if (xd->paused) {
		long p = xd->retry_at > now ? xd->retry_at - now : 0;
		if (w < 0 || p < w)
			w = p;
	}
	return w;
}

/* What the answer to an event sends at most (SIZE_MAX: a selection's
 * text, afford_large): it is taken only when the socket has room for it. */
static size_t event_cost(struct xd *xd, const xcb_generic_event_t *ev)
{
	uint8_t type = ev->response_type & 0x7f;

	if (type == 0 || type == xd->damage_ev + XCB_DAMAGE_NOTIFY)
		return 0;
	if (type == XCB_SELECTION_REQUEST ||
	    (type == XCB_PROPERTY_NOTIFY && selout_of(xd, (const void *)ev)))
		return SIZE_MAX;
	return XD_EVENT_COST; /* (a change of the screen's size: its fits wait for room) */
}

/* The same for an answer to a request of xd's. */
static size_t reply_cost(const struct pending *p)
{
	switch (p->kind) {
	case PK_SHM:
		return XD_CAPTURE_COST; /* the read's next batch */
	case PK_SEL:
	case PK_CURSOR:
	case PK_SHAPE:
		return XD_ASK_COST; /* the next piece asked; the shape asked again */
	case PK_MULTI:
		return SIZE_MAX;
	case PK_RR_RES:
	case PK_RR_MODE:
	case PK_RR_CRTC:
		return XD_RR_COST;
	case PK_GEOM:
	case PK_ATTR:
		return XD_EVENT_COST; /* a new pixmap named, the window told; one mapped */
	case PK_TREE:
		return XD_ASK_COST; /* (each window asked about is afforded as it is) */
	default:
		/* A property, a cursor: nothing. The start's steps each send
		 * less than 1 KiB once the server has answered all before. */
		return 0;
	}
}

static bool afford_for(struct xd *xd, size_t cost)
{
	return cost == SIZE_MAX ? afford_large(xd, xd->sel_chunk) : !cost || afford(xd, cost);
}

static unsigned take_replies(struct xd *xd)
{
	unsigned n = 0;

	while (xd->c && xd->count && !xd->paused &&
	       xd->answer_bytes < XD_ANSWER_BYTES_PER_DISPATCH) {
		struct pending *p = &xd->ring[xd->head];
		if (!xd->rstash_in) {
			xd->rstash = NULL;
			xd->rstash_err = NULL;
			if (!xcb_poll_for_reply(xd->c, p->seq, &xd->rstash, &xd->rstash_err))
				break;
			xd->rstash_in = true;
		}
		/* In: its answer is sent only when the socket has room for it;
		 * until then it waits here, and the answers after it too. */
		if (!afford_for(xd, reply_cost(p)))
			break;
		struct pending q = *p;
		void *reply = xd->rstash;
		xd->rstash_in = false;
		xd->head = (xd->head + 1) % XD_PENDING_MAX;
		xd->count--;
		on_reply(xd, &q, reply);
		/* (an error: 32 bytes) */
		xd->answer_bytes += reply ? 32 + 4 * (size_t)((xcb_generic_reply_t *)reply)->length : 32;
		if (xd->answer_bytes > xd->counts.dispatch_answer_bytes_max)
			xd->counts.dispatch_answer_bytes_max = xd->answer_bytes;
		free(reply);
		free(xd->rstash_err);
		xd->rstash = NULL;
		xd->rstash_err = NULL;
		n++;
	}
	return n;
}

int xd_dispatch(struct xd *xd)
{
	char err[300];
	int r, n = 0;

	if (xd->lost)
		return -EIO;
	xd->answer_bytes = 0;
	if (!xd->c && xd->st.thread_on) {
		uint64_t v;
		if (read(xd->st.done_fd, &v, sizeof v) < 0)
			return 0; /* not yet */
		if (!(xd->c = start_join(xd, false))) {
			snprintf(err, sizeof err, "cannot connect to the X server :%d",
				 xd->proc.display);
			start_fail(xd, err);
			return xd->lost ? -EIO : 0;
		}
		start_connected(xd);
	} else if (!xd->c) {
		r = xvfb_read_display(&xd->proc, err, sizeof err);
		if (r == 0)
			return 0;
		if (r > 0) {
			xd->fd_gen++;
			/* The connection's own bound: a loaded machine may
			 * take a while to name the display. */
			xd->start_by = base_now_ms() + XD_START_MS;
			r = start_connect(xd, err, sizeof err);
		}
		if (r < 0)
			start_fail(xd, err);
		return xd->lost ? -EIO : 0;
	}
	/* Until xcb holds nothing the descriptor will not tell of: every
	 * flush may read answers and events in (xcb reads while it writes),
	 * and an answer left in xcb's queue wakes nobody: the capture it
	 * belongs to would wait for the next event from the display, which
	 * for an idle window never comes. */
	pay_owed_if_room(xd); /* measured again if paused: it may read now */
	if (xd->paused)
		return 0; /* nothing taken; xd_wait_time says when to look again */
	release_held(xd); /* held for a server that did not read, which may now */
	if (xd->ready)
		send_owed(xd);
	for (int round = 0;; round++) {
		unsigned took = 0;
		xd->in_events = true;
		/* Until the start is done, events wait in xcb: windows are
		 * told once the display is ready, as before it. An event whose
		 * answer the socket has no room for waits (stash), and the
		 * ones after it: xd stops taking them (a grabbed or stopped
		 * server reads none of the answers). */
		while (xd->ready && n < XD_EVENTS_PER_DISPATCH && !xd->paused) {
			xcb_generic_event_t *ev = xd->stash ? xd->stash : xcb_poll_for_event(xd->c);
			xd->stash = NULL;
			if (!ev)
				break;
			if (!afford_for(xd, event_cost(xd, ev))) {
				xd->stash = ev;
				break;
			}
			on_event(xd, ev);
			free(ev);
			n++;
		}
		xd->in_events = false;
		capture_next(xd);
		/* Answers in the order asked; what they ask next goes out. */
		for (unsigned t; xd->c && (t = take_replies(xd)); took += t)
			if (xd->c)
				flush(xd);
		if (xd->lost || !xd->c)
			return xd->lost ? -EIO : 0; /* the start failed (or Xvfb starts instead) */
		ask_cursor_owed(xd); /* (answers taken: the ring may have room) */
		xshape_owed(xd);
		xprops_owed(xd);
		look_again(xd);
		flush(xd);
		xd->unflushed = 0;
		if (xcb_connection_has_error(xd->c)) {
			char why[120];
			if (xd->ready) {
				lose(xd, "the connection to the X server broke");
				return -EIO;
			}
			snprintf(why, sizeof why, "the connection to the X server (%s) of display :%d "
						  "broke before it was set up",
				 xd->proc.srv->name, xd->proc.display);
			start_fail(xd, why);
			return xd->lost ? -EIO : 0;
		}
		if (xd->paused)
			return 0; /* what waits is taken once there is room */
		/* The last flush may have read more in; take_replies reads
		 * what the socket has too. Events are kept for the next round
		 * (or the next call, past the budget). */
		took += take_replies(xd);
		if (xd->ready && !xd->stash)
			xd->stash = xcb_poll_for_queued_event(xd->c);
		if (xd->paused)
			return 0;
		/* Past the answers' budget, those xcb holds wake nobody: the
		 * owner calls again. */
		bool spent = xd->answer_bytes >= XD_ANSWER_BYTES_PER_DISPATCH;
		if (!took && !xd->stash && !spent)
			return 0; /* all written, nothing held: the descriptor tells of the rest */
		if (spent || n >= XD_EVENTS_PER_DISPATCH || round + 1 >= XD_DISPATCH_ROUNDS)
			break;
	}
	/* The loop's turn: the owner calls again at once. */
	flush(xd);
	return 1;
}

void xd_windows(struct xd *xd)
{
	for (struct xwin *w = xd->bottom; w; w = w->above)
		if (w->mapped)
			report(xd, w);
}

/* The releases owed (backlogged), written (the caller flushes): at most
 * 257 requests, 9 KiB, one write. */
static void pay_owed(struct xd *xd)
{
	if (!xd->owed)
		return;
	/* (refill's budget, a quarter of the buffer less an eighth, takes it) */
	xd->budget = xd->budget > 2 * XD_OWED_COST ? xd->budget - 2 * XD_OWED_COST : 0;
	xd->queued_cost += 2 * XD_OWED_COST;
	xd->sent = true;
	for (unsigned k = 8; k < 256; k++)
		if (xd->owed_keys[k / 8] & (1u << (k % 8)))
			xcb_test_fake_input(xd->c, XCB_KEY_RELEASE, (uint8_t)k, XCB_CURRENT_TIME,
					    XCB_NONE, 0, 0, 0);
	for (unsigned b = 1; b <= 9; b++)
		if (xd->owed_buttons & (1u << b))
			xcb_test_fake_input(xd->c, XCB_BUTTON_RELEASE, (uint8_t)b, XCB_CURRENT_TIME,
					    XCB_NONE, 0, 0, 0);
	memset(xd->owed_keys, 0, sizeof xd->owed_keys);
	xd->owed_buttons = 0;
	xd->owed = false;
}

/* A desk's input may be written (cost: what it sends)? A server that does
 * not read what it is sent (stopped, or a program grabbed it) fills its
 * socket (afford says no room): the input waits (-ENOBUFS: offered again,
 * as for a keymap's hold) for XD_BACKLOG_WAIT_MS, then is dropped (1)
 * until the server reads again; a release (key_up, button_up: which) is
 * owed instead (1: taken, it goes first once there is room), so that a
 * desk never leaves a key or button down in the display. 0: write it
 * (xcb's output is flushed by the owner's dispatch, or after
 * XD_INPUT_BATCH events), after what is owed. */
static int backlogged(struct xd *xd, uint8_t key_up, uint8_t button_up, size_t cost)
{
	if (afford(xd, cost))
		return 0;
	if (key_up)
		xd->owed_keys[key_up / 8] |= (uint8_t)(1u << (key_up % 8));
	if (button_up)
		xd->owed_buttons |= (uint16_t)(1u << button_up);
	xd->owed |= key_up || button_up;
	if (key_up || button_up)
		return 1;
	return xd->told_dropping ? 1 : -ENOBUFS;
}

/* An event injected: flushed once XD_INPUT_BATCH wait, else by the
 * owner's xd_dispatch. */
static void injected(struct xd *xd)
{
	if (++xd->unflushed < XD_INPUT_BATCH)
		return;
	flush(xd);
	xd->unflushed = 0;
}

int xd_backlog(const struct xd *xd)
{
	return xd->told_dropping ? 2 : xd->told_backlog ? 1 : 0;
}

int xd_key(struct xd *xd, uint32_t id, uint8_t keycode, bool pressed)
{
	return xd_key_locks(xd, id, keycode, pressed, -1);
}

int xd_key_locks(struct xd *xd, uint32_t id, uint8_t keycode, bool pressed, int locks)
{
	if (!xd->ready)
		return -EAGAIN;
	if (keycode < 8 || locks > 0x3ff)
		return -EINVAL;
	int r = hold(xd, (struct xd_held){id, -1, keycode, pressed, 0, 0, locks});

	if (r || (r = backlogged(xd, pressed ? 0 : keycode, 0, XD_KEY_COST)))
		return r < 0 ? r : 0;
	inject_key(xd, id, keycode, pressed, locks);
	injected(xd);
	return 0;
}

int xd_pointer(struct xd *xd, uint32_t id, int x, int y, int kind, int button)
{
	struct xwin *w;
	int rx, ry;

	if (!xd->ready)
		return -EAGAIN;
	if (!(w = find(xd, id)) || !w->mapped)
		return -ENOENT;
	/* Relative to where the window is when the server takes the motion:
	 * a move sent before it (a desk's, placing a new window) and not
	 * yet told by an event is done by then. */
	bool asked = w->fit_seq > xd->ev_seq;
	rx = (asked ? w->fit_x : w->x) + x;
	ry = (asked ? w->fit_y : w->y) + y;
	if (rx < 0)
		rx = 0;
	if (ry < 0)
		ry = 0;
	if (rx > 32767)
		rx = 32767;
	if (ry > 32767)
		ry = 32767;
	if ((kind == 1 || kind == 2) && (button < 1 || button > 9))
		return -EINVAL;
	int r = hold(xd, (struct xd_held){id, (int8_t)kind, (uint8_t)button, kind == 1,
					  (int16_t)rx, (int16_t)ry, -1});
	if (r || (r = backlogged(xd, 0, kind == 2 ? (uint8_t)button : 0, XD_POINTER_COST)))
		return r < 0 ? r : 0;
	inject_pointer(xd, id, (int16_t)rx, (int16_t)ry, kind, (uint8_t)button);
	injected(xd);
	return 0;
}

int xd_button_up(struct xd *xd, int button)
{
	if (!xd->ready)
		return -EAGAIN;
	if (button < 1 || button > 9)
		return -EINVAL;
	if (hold(xd, (struct xd_held){0, 3, (uint8_t)button, false, 0, 0, -1}))
		return 0; /* a release: held, or (past its room) lost and counted */
	int r = backlogged(xd, 0, (uint8_t)button, XD_POINTER_COST);
	if (r)
		return r < 0 ? r : 0;
	inject_pointer(xd, 0, 0, 0, 3, (uint8_t)button);
	injected(xd);
	return 0;
}

int xd_focus(struct xd *xd, uint32_t id)
{
	struct xwin *w;

	if (!xd->ready)
		return -EAGAIN;
	if (!(w = find(xd, id)) || !w->mapped)
		return -ENOENT;
	xd->focus_owed = id; /* the latest wins */
	send_owed(xd);
	flush(xd);
	return 0;
}

int xd_configure(struct xd *xd, uint32_t id, unsigned what, int x, int y, unsigned wd,
		 unsigned ht)
{
	struct xwin *w;

	if (!xd->ready)
		return -EAGAIN;
	if (!(w = find(xd, id)) || !w->mapped)
		return -ENOENT;
	/* Full screen, it spans the screen while its program asks: a desk's
	 * place or size then is one it took before it knew (its window
	 * manager's first frame, on its way), and taken, the window stood
	 * off the screen's corner (1 run in 8), its program's menus kept on
	 * the screen away from where the desk shows them. */
	if (w->state & XD_STATE_FULLSCREEN)
		what &= ~3u;
	if (!(what & 7))
		return 0;
	if (what & 1)
		w->placed = true; /* (told with the move's ConfigureNotify) */
	owe_configure(xd, w, what & 7, x, y, wd, ht);
	send_owed(xd);
	flush(xd);
	return 0;
}

int xd_close(struct xd *xd, uint32_t id)
{
	struct xwin *w;

	if (!xd->ready)
		return -EAGAIN;
	if (!(w = find(xd, id)))
		return -ENOENT;
	owe_configure(xd, w, 0, 0, 0, 0, 0);
	w->close_owed = true;
	send_owed(xd);
	flush(xd);
	return 0;
}

bool xd_keymap_is(const struct xd *xd, const char *text, size_t n)
{
	return xvfb_keymap_is(&xd->proc, text, n);
}

unsigned long xd_keymap_gen(const struct xd *xd)
{
	return xd->proc.keymap_gen;
}

bool xd_keymap_busy(const struct xd *xd)
{
	return keymap_loading(xd) || xd->nheld;
}

bool xd_keymap_loads(const struct xd *xd)
{
	return keymap_loading(xd);
}

int xd_keymap(struct xd *xd, const char *text, size_t n, char *err, size_t errn)
{
	/* Not while it starts: the server may yet be another (Xvfb for Xorg). */
	if (!xd->ready) {
		snprintf(err, errn, "the display is not running");
		return -EAGAIN;
	}
	return xvfb_keymap(&xd->proc, text, n, err, errn);
}
