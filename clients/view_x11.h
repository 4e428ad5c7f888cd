/* telly view's X side (view_x11.c): the X sessions of a host as windows
 * of the view's desktop.
 *
 * One channel per X session (OPEN + ATTACH); XWIN makes or moves a
 * window (framed: winmgr's, with the desk's decoration; override-redirect:
 * unframed, above the rest, placed relative to its parent), XGONE removes
 * it, XPIXELS go into its surface (shown when an update is whole), XACK
 * says an update was drawn. Keys go to the focused X window as keycodes
 * of the desk's keymap (sent first as XKEYMAP), the pointer as
 * window-relative XPOINTER, a desk resize or move as XCONFIGURE, a close
 * as XCLOSE.
 *
 * With the seamless backend (display-server/seamless.c) each X window is
 * a native window of the desk's display instead, and what the person does
 * to it comes from the backend's ops.
 *
 * winmgr and the compositor know X windows by multiples of VX_ID_BASE
 * (terminals use their channel numbers, below it): cut to a channel
 * number, an X window's id is 0, no channel's.
 */
#ifndef TELLY_VIEW_X11_H
#define TELLY_VIEW_X11_H

#include <stdbool.h>
#include <stdint.h>

#include "ds.h"
#include "rp.h"
#include "rp_io.h"

#define VX_ID_BASE 0x10000u
/* The most of a host's message (NOTICE, ERROR) the view says, cleaned. */
#define VX_HOST_WORDS_MAX 1024

struct vx_ctx {
	const char *prog; /* the command's name in its messages ("telly x") */
	struct rp_conn *c;
	struct ds_comp *comp;
	struct wm *wm;
	struct ds_backend *b;
	uint32_t *req; /* the view's request counter */
	bool readonly, stats;
	bool only_named; /* open only the X sessions vx_open is given, not the listed */
	/* The desk's selections (the view's; NULL or *NULL: none, headless):
	 * XCLIP from a host is set there; when an X window takes the focus,
	 * what they hold goes to its host. */
	struct ds_clip **clip;
};

struct vx;
struct vx *vx_create(const struct vx_ctx *ctx, char *err, size_t errn);
void vx_destroy(struct vx *x); /* takes NULL */

/* A read-only view's windows say so after their title (a frame's, a desk
 * window's): a person watching cannot tell otherwise that their keys go
 * nowhere. The host's title is kept as it is (vx_title, the legend). */
#define VX_READONLY_MARK " (read-only)"
/* A read-only view's first key or click (x NULL: none), said once on
 * stderr: the view only watches. Returns whether it is read-only. */
bool vx_watching(struct vx *x);
/* A read-only --seamless view whose person closed every window it showed
 * (each only hidden here; the host's programs run on): it ends. */
bool vx_all_hidden(const struct vx *x);

/* What the X session's first program printed (XOUTPUT), kept for a slow
 * reader of our stdout or stderr: at most VX_OUT_MAX bytes a stream; the
 * bytes past it are counted and "[N bytes of output dropped]" said once
 * the reader has taken the rest. vx_out_put keeps (pure), vx_out_flush
 * writes what fd takes now without waiting. */
#define VX_OUT_MAX (256u * 1024)
struct vx_out {
	uint8_t *buf;
	size_t off, n;
	uint64_t dropped; /* bytes not kept since the last marker */
	bool gone;	  /* the reader is gone: nothing more kept */
};
void vx_out_put(struct vx_out *o, const uint8_t *p, size_t n, uint64_t host_dropped);
bool vx_out_pending(const struct vx_out *o);
void vx_out_flush(struct vx_out *o, int fd);
void vx_out_finish(struct vx_out *o);
/* The view's loop waits on these (fds 1 and 2 for POLLOUT while some of
 * their output waits; else -1, which poll skips) and vx_tick writes what
 * they take: a slow reader (a stalled pipe, a terminal on ^S) holds none
 * of the view, and no timer comes round for it. */
struct pollfd;
void vx_out_poll(const struct vx *x, struct pollfd pf[2]);
/* At exit: what is kept written, the count of bytes dropped last said,
 * for as long as the readers take some at least every idle_ms (a pager,
 * a slow pipe get all of it; a reader that never reads does not hold
 * the exit). Returns the bytes not printed then (for readers not gone),
 * said by vx_out_unprinted (on stderr if it takes it now: it may be the
 * reader that does not read). */
#define VX_OUT_EXIT_IDLE_MS 2000
uint64_t vx_flush_output(struct vx *x, int idle_ms);
void vx_out_unprinted(const char *prog, const char *program, uint64_t n, int idle_ms);

/* The view's connection was lost: keys and pointer input for X windows
 * are held from now on (VX_HELD_MAX events), and sent in order once each
 * session is attached again (vx_relink). */
void vx_link_down(struct vx *x);
/* The view's connection was lost and c replaces it (its link): every X
 * session is attached again on c, its windows drawn anew. */
void vx_relink(struct vx *x, struct rp_conn *c);
/* A redial's first flight, before the connection is made: the RESUME of
 * each X session that resumes (*out, malloc'd; its length, or -errno;
 * *count of them), which vx_relink then does not send again; the one
 * with X window focus last. With first (the host said RP_CAP_XAHEAD: the
 * place of the first of them in the whole flight, counted from 1), each
 * names the number of its place and carries the input it kept right
 * behind it, after the keymaps it was typed with, as a terminal window's
 * does (rp_desk_chans_resume_flight), when that is at most
 * RP_DESK_AHEAD_BYTES and does not need the host's place to go right
 * (vx_needs_place; else it goes after RESUMED, which says it); first 0: plain RESUMEs, which the host
 * numbers. last: nothing follows them in the flight, so the last one's
 * input typed while it dials rides behind too (vx_ahead_push, and
 * vx_relink once the connection is there). */
long vx_resume_flight(struct vx *x, uint16_t first, uint32_t focus, bool last, uint8_t **out,
		      unsigned *count);
/* While such a flight's dial is under way: the input kept since it was
 * made for the last one, to push(ctx, frames, n) (rp_dialer_add); 0
 * from push: they went. */
void vx_ahead_push(struct vx *x, int (*push)(void *ctx, const void *p, size_t n), void *ctx);
/* The flight went on c, the connection just made: the input kept since
 * for the last one goes right behind it. Before anything else is sent on
 * c: the host's run behind that RESUME ends at the first other frame. */
void vx_flight_sent(struct vx *x, struct rp_conn *c);
/* Input kept since the flight was made for a session whose run in it is
 * over (another RESUME follows it): it waits for RESUMED unless the
 * flight is made anew before the dial writes it. */
bool vx_ahead_waits(const struct vx *x);
/* Whether an X channel's input kept needs the host's place (RESUMED's)
 * to be sent right: log, the XKEYs and XPOINTERs kept (at their seq);
 * kdown, each key's state after the last given a seq (non-zero: down);
 * sent_seq, the last written to a connection. The host's place is at
 * least before the oldest kept and at most sent_seq; a key is down there
 * when its first XKEY after it is a release, or it has none and is down
 * now, and is pressed again then, unless the frame right after the place
 * is its release (pressed again, it would be typed twice). So: whether
 * at some such place a key is down that is held while more is done (a
 * Shift) or is down still (pure). */
struct rp_inlog;
bool vx_needs_place(const struct rp_inlog *log, const uint32_t kdown[256], uint32_t sent_seq);
/* Input typed into X windows while the link is down, kept for a session
 * not resumed yet (or held for one being opened again), or resumed and
 * not sent yet (vx_send_backlog): an --input script that ends then waits
 * for it. */
bool vx_input_owed(const struct vx *x);
/* Whether an X session that resumes keeps input for the host (a redial's
 * flight would carry it, and its keymap). */
bool vx_input_kept(const struct vx *x);
/* The link's heartbeat: a PING went on the connection, and its PONG came
 * (everything sent before the PING was taken: kept X input and state
 * asked are let go). Whether any X session's channel can be resumed. */
/* Input to send again after a resume that the connection's queue had
 * no room for: as much as it has now (called as it drains). */
void vx_send_backlog(struct vx *x);
void vx_ping(struct vx *x);
void vx_pong(struct vx *x);
/* The link's smoothed round trip (µs), as a PONG measured it. */
void vx_set_rtt(struct vx *x, long rtt_us);
/* Whether the XACK of an update that came gap_ns after its window's
 * previous one may wait for the next (a sparse one: a key's answer): only
 * when it came at least VX_ACK_SPARSE_MS and two round trips after it
 * (100 ms while no round trip is measured). Within a stream (an
 * animation, a scroll, a drag) updates come closer than that, held by
 * the host's window of RP_XUNACKED_MAX at most a round trip apart, and
 * each is acknowledged at once: the host's window is never one short
 * while it has more to send. */
bool vx_ack_may_wait(uint64_t gap_ns, long rtt_us);
bool vx_resumable(const struct vx *x);
/* Whether an X session asked for again on the new connection (vx_relink:
 * RESUME, or OPEN after a refused one) still waits for its answer. */
bool vx_awaiting(const struct vx *x);
/* Attach to X session name (0, or -errno). */
int vx_open(struct vx *x, const char *name, size_t n);
/* LIST_REPLY's X part (from off, after the sessions): every X session
 * listed is opened. 0, or -EPROTO for a malformed part. */
int vx_list(struct vx *x, const uint8_t *p, size_t n, size_t off);
/* Is name an X session: ours (attached or being opened) or listed as one? */
bool vx_has(const struct vx *x, const char *name, size_t n);
/* Is name listed as an X session by the last LIST (not only opened
 * here)? 1 yes, 0 no, -1 not known (no X part came, or more X sessions
 * than the view keeps names of). */
int vx_listed(const struct vx *x, const char *name, size_t n);
/* X sessions attached and being opened. */
unsigned vx_sessions(const struct vx *x, unsigned *opening);
/* A frame from the host: 1 taken (an X channel's, or the answer to our
 * OPEN), 0 not ours, -EPROTO malformed (vx_why says what). */
int vx_frame(struct vx *x, const struct rp_hdr *h, const uint8_t *p);
const char *vx_why(const struct vx *x);
/* The status the last X session to end gave (EXIT); else 1 if a session
 * named could not be opened; else -1. */
int vx_last_exit(const struct vx *x);
/* The status a session of this view would end with when the view leaves,
 * as the host said (XLASTS: its programs ended, what they left holds a
 * copy, and this is its only view); -1: none ends with it. */
int vx_ends_with_view(const struct vx *x);
/* An X session this view was asked to open could not be (it said why). */
bool vx_refused(const struct vx *x);
/* The view leaves on purpose: each X session attached on a link that is
 * up is told (DETACH), so the host frees its channel at once rather than
 * keeping it an hour for a RESUME that will not come, and what the
 * session lasted for only this view ends now. Queued, not flushed. */
void vx_detach(struct vx *x);

/* winmgr said something about an X window (id >= VX_ID_BASE). key: the
 * event a WM_ACT_KEY came from. */
void vx_action(struct vx *x, const struct wm_action *a, const struct ds_event *key);
/* The desk's events read together are handled: the keys they sent go
 * out now, in one write (a press waits for the rest of its batch: a
 * release read with it goes in the same write). */
void vx_flush_input(struct vx *x);
/* A key released while an X window has the focus. */
void vx_key_release(struct vx *x, const struct ds_event *ev);
/* The desk's window lost the keyboard focus: the keys pressed into X
 * windows are released on their hosts now (the desk's releases go to
 * the window it focused, not here). Keys still down on the desk when
 * the focus comes back are not pressed again: a key is pressed on a
 * host by a press the view gets, only. A desk copy made from now on goes
 * to a host only once one of its windows takes the focus again. */
void vx_blur(struct vx *x);
/* telly's desktop took the desk's focus again: the X window it focuses
 * takes what the desk's selections hold, as a window that takes the
 * focus does (the person comes back to it; a click on it, already
 * focused there, is no focus change of the desktop's). */
void vx_focus_back(struct vx *x);
/* A desk program took selection sel (ds_clip_watch): while an X window
 * has the focus the person gave it, the text goes to its host now, as
 * it would when a window of it takes the focus (the person may paste
 * there without leaving it, as ssh -X's programs read the desk's). */
void vx_desk_copied(struct vx *x, enum ds_clip_sel sel);
/* A script's key-down / key-up: the keycodes that type keysym with mods
 * in the desk's keymap, pressed (modifiers first) or released (them
 * last), into X window wid, with nothing else around them. */
void vx_script_key(struct vx *x, uint32_t wid, uint32_t keysym, uint32_t mods, bool down);
/* The desk's layout changed (DS_EV_KEYMAP): every X session that has the
 * old keymap gets the new one (keys travel as keycodes of it). */
void vx_keymap_changed(struct vx *x);
/* The pointer moved (winmgr's position): an X window under it hears of it. */
void vx_pointer(struct vx *x);
/* A button: true if it was an X window's (sent there), false if it is
 * the desk's (decoration, terminals, the desktop). */
bool vx_button(struct vx *x, const struct ds_event *ev);

/* The desk's size changed (the view's desktop resized; seamless: the
 * backend tells the desk display's): once it rests VX_SCREEN_REST_MS,
 * vx_tick gives it to each X session's display (XSCREEN). vx_wait_ms:
 * ms until vx_tick has that to do, -1: nothing. */
void vx_desk_resized(struct vx *x);
long vx_wait_ms(const struct vx *x, long now_ms);
void vx_tick(struct vx *x, long now_ms);
/* An update that answers input is whole: repaint now (then clears). */
bool vx_take_paint_now(struct vx *x);
/* The compositor has drawn everything shown: XACK, keystroke samples. */
void vx_painted(struct vx *x);

/* Script: the winmgr id of a framed X window whose title contains text
 * and that has been drawn (0: none yet); has the focused X window (or its
 * menus) changed pixels since the last input? */
uint32_t vx_find(const struct vx *x, const char *text);
/* Every X session attached, with at least as many windows drawn as the
 * host's last list named (a --screenshot without a script waits for it). */
bool vx_drawn(const struct vx *x);
bool vx_updated(const struct vx *x);
/* A window titled text (as vx_find) that the host does not send (over
 * its bound of pixels held): true, and why says which and why. */
bool vx_not_shown(const struct vx *x, const char *text, char *why, size_t n);
/* The title of X window id (NULL: not an X window). */
const char *vx_title(const struct vx *x, uint32_t id);
/* --stats: keystroke-to-pixel for X windows, by stage. */
void vx_print_stats(struct vx *x);
/* --stats' split of a press by the host's clock: the press seq, sent at
 * t_sent, its answer received at t_recv (the desk's ns), and XTIMING h:
 * wire to host, host to injected, program to damage, capture, encode,
 * queued, wire back into out. false (nothing split) when h times another
 * input (a release, a later key: their times are not the press's) or its
 * instants do not fall inside the press's (another clock). */
#define VX_SPLIT_N 7
struct rp_xtiming;
bool vx_timing_split(uint32_t seq, uint64_t t_sent, uint64_t t_recv, const struct rp_xtiming *h,
		     uint64_t out[VX_SPLIT_N]);

#endif
