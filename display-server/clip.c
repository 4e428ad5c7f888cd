/* The desk's X selections (PRIMARY, CLIPBOARD) as UTF-8 text in and out.
 *
 * A connection of its own to the display and unmapped windows of its own
 * (one owns, one reads each selection), so that any part of the desk (terminal windows, X windows shown
 * from a host) can use it without sharing a backend's event queue. It
 * follows ICCCM: an owner answers SelectionRequest for TARGETS,
 * UTF8_STRING, STRING, TEXT (text over DS_CLIP_CHUNK_BYTES goes INCR, one
 * chunk each time the requestor deletes the property); a reader converts
 * to UTF8_STRING into a property of its reading window and reads it, INCR
 * included. Everything it holds is bounded: the text (DS_CLIP_MAX_BYTES),
 * the transfers in flight (DS_CLIP_TRANSFERS), and a requestor or owner
 * that stops answering is given up after DS_CLIP_TIMEOUT_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>
#include <xcb/xfixes.h>

#include "base.h"
#include "ds.h"

/* A refcounted text: an INCR transfer keeps what it sends while the
 * selection changes hands. */
struct text {
	unsigned refs;
	size_t n;
	char data[];
};

/* An INCR transfer to a requestor. */
struct transfer {
	xcb_window_t win;
	xcb_atom_t prop, type;
	struct text *t;
	size_t off;
	uint64_t due_ms; /* given up if the requestor has not taken a chunk by then */
};

/* A conversion in flight, and the ds_clip_gets waiting for it (nw 0:
 * none in flight). */
struct fetch {
	struct {
		ds_clip_text_fn fn;
		void *ctx;
	} w[DS_CLIP_WAITERS];
	unsigned nw;
	bool incr, utf8_tried_string;
	char *buf;
	size_t n;
	uint64_t due_ms;
};

/* An ask for when a selection was copied (its owner's TIMESTAMP). */
struct age_ask {
	ds_clip_age_fn fn; /* NULL: none in flight */
	void *ctx;
	uint64_t due_ms;
};

enum { A_CLIPBOARD, A_UTF8, A_TARGETS, A_INCR, A_TEXT, A_TIMESTAMP, A_PROP_PRIMARY,
       A_PROP_CLIPBOARD, A_MULTIPLE, A_ATOM_PAIR, A_AGE_PRIMARY, A_AGE_CLIPBOARD, A_N };
static const char *const atom_names[A_N] = {
	"CLIPBOARD", "UTF8_STRING", "TARGETS", "INCR", "TEXT", "TIMESTAMP",
	"TELLY_SEL_PRIMARY", "TELLY_SEL_CLIPBOARD", "MULTIPLE", "ATOM_PAIR",
	"TELLY_AGE_PRIMARY", "TELLY_AGE_CLIPBOARD",
};
/* MULTIPLE's (target, property) pairs read at most (ICCCM 2.6.2). */
#define DS_CLIP_MULTIPLE_PAIRS 256

struct ds_clip {
	xcb_connection_t *conn;
	xcb_window_t win, root;
	/* A window per selection read, its property there: an owner sending
	 * INCR pieces may take any PropertyDelete on its requestor's window
	 * for "the next piece" (xclip does), so the other selection's read,
	 * deleting its own property on a shared window, made it skip one
	 * (a desk's 3 MB CLIPBOARD came as 2 of its 1 MiB pieces when PRIMARY
	 * was read at the same time). */
	xcb_window_t reader[2];
	/* Where owners put their TIMESTAMP (a window of its own: a reader's
	 * property deleted there would be an INCR owner's "next piece"). */
	xcb_window_t aged;
	struct age_ask age[2];
	xcb_atom_t atom[A_N];
	struct text *own[2];	/* what we own, per selection */
	xcb_timestamp_t own_time[2];
	struct transfer xfer[DS_CLIP_TRANSFERS];
	unsigned nxfer;
	struct fetch fetch[2];
	ds_clip_owner_fn watch;
	void *watch_ctx;
	/* XFixes' first event, if the display has it (0: none): every change
	 * of a selection's owner is told, not only the loss of ours. */
	uint8_t xfixes_ev;
	/* Each selection's owner as last seen and since when (the server's
	 * time; 0: not known): told by XFixes while we run, or, from the
	 * note of the last run (ds_clip_note_load), one that took it while
	 * nothing watched counts from when that run ended. The age of an
	 * owner's copy that does not say it (xclip) is taken from it. */
	xcb_window_t seen_owner[2];
	xcb_timestamp_t seen_since[2];
};

static uint64_t now_ms(void)
{
	return (uint64_t)base_now_ms();
}

static xcb_atom_t sel_atom(const struct ds_clip *c, enum ds_clip_sel s)
{
	return s == DS_CLIP_PRIMARY ? XCB_ATOM_PRIMARY : c->atom[A_CLIPBOARD];
}

static void text_unref(struct text *t)
{
	if (t && !--t->refs)
		free(t);
}

/* Changes of the selections' owners told by XFixes, when the display has
 * it (its version asked first, as the extension requires): a desk program
 * that copies while we do not own the selection is heard too. */
static void watch_owners(struct ds_clip *c)
{
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(c->conn, &xcb_xfixes_id);
	xcb_xfixes_query_version_reply_t *v;

	if (!ext || !ext->present)
		return;
	v = xcb_xfixes_query_version_reply(c->conn, xcb_xfixes_query_version(c->conn, 1, 0), NULL);
	if (!v)
		return;
	free(v);
	for (int s = 0; s < 2; s++)
		xcb_xfixes_select_selection_input(c->conn, c->win, sel_atom(c, (enum ds_clip_sel)s),
						  XCB_XFIXES_SELECTION_EVENT_MASK_SET_SELECTION_OWNER);
	c->xfixes_ev = ext->first_event;
}

struct ds_clip *ds_clip_create(const char *display, char *err, size_t errn)
{
	struct ds_clip *c = calloc(1, sizeof *c);
	xcb_intern_atom_cookie_t ck[A_N];
	const xcb_setup_t *setup;
	xcb_screen_iterator_t it;
	int scr = 0;

	if (!c) {
		snprintf(err, errn, "out of memory");
		return NULL;
	}
	c->conn = xcb_connect(display, &scr);
	if (xcb_connection_has_error(c->conn)) {
		snprintf(err, errn, "cannot open display %s for the clipboard",
			 display ? display : getenv("DISPLAY") ? getenv("DISPLAY") : "(unset)");
		goto fail;
	}
	setup = xcb_get_setup(c->conn);
	it = xcb_setup_roots_iterator(setup);
	for (int i = 0; i < scr && it.rem; i++)
		xcb_screen_next(&it);
	if (!it.rem) {
		snprintf(err, errn, "no screen %d on the display", scr);
		goto fail;
	}
	c->root = it.data->root;
	for (int i = 0; i < A_N; i++)
		ck[i] = xcb_intern_atom(c->conn, 0, (uint16_t)strlen(atom_names[i]), atom_names[i]);
	for (int i = 0; i < A_N; i++) {
		xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c->conn, ck[i], NULL);
		c->atom[i] = r ? r->atom : XCB_NONE;
		free(r);
		if (!c->atom[i]) {
			snprintf(err, errn, "cannot intern the atom %s", atom_names[i]);
			goto fail;
		}
	}
	c->win = xcb_generate_id(c->conn);
	c->reader[0] = xcb_generate_id(c->conn);
	c->reader[1] = xcb_generate_id(c->conn);
	c->aged = xcb_generate_id(c->conn);
	for (int i = 0; i < 4; i++)
		xcb_create_window(c->conn, XCB_COPY_FROM_PARENT,
				  i == 3 ? c->aged : i ? c->reader[i - 1] : c->win,
				  c->root, -1, -1, 1, 1, 0, XCB_WINDOW_CLASS_INPUT_ONLY,
				  XCB_COPY_FROM_PARENT, XCB_CW_EVENT_MASK,
				  (uint32_t[]){XCB_EVENT_MASK_PROPERTY_CHANGE});
	watch_owners(c);
	xcb_flush(c->conn);
	return c;
fail:
	ds_clip_destroy(c);
	return NULL;
}

void ds_clip_destroy(struct ds_clip *c)
{
	if (!c)
		return;
	for (int s = 0; s < 2; s++) {
		text_unref(c->own[s]);
		free(c->fetch[s].buf);
	}
	for (unsigned i = 0; i < c->nxfer; i++)
		text_unref(c->xfer[i].t);
	if (c->conn)
		xcb_disconnect(c->conn);
	free(c);
}

int ds_clip_fd(const struct ds_clip *c)
{
	return xcb_get_file_descriptor(c->conn);
}

void ds_clip_watch(struct ds_clip *c, ds_clip_owner_fn fn, void *ctx)
{
	c->watch = fn;
	c->watch_ctx = ctx;
}

static void handle(struct ds_clip *c, xcb_generic_event_t *e);

/* The server's time now: a property change on our window comes back with
 * it (ICCCM: owning with CurrentTime races other owners). Events read
 * while waiting are handled as they come. */
static xcb_timestamp_t server_time(struct ds_clip *c)
{
	xcb_generic_event_t *e;
	xcb_timestamp_t t = XCB_CURRENT_TIME;
	uint64_t end = now_ms() + DS_CLIP_TIMEOUT_MS;

	xcb_change_property(c->conn, XCB_PROP_MODE_APPEND, c->win, c->atom[A_TIMESTAMP],
			    XCB_ATOM_INTEGER, 32, 0, NULL);
	xcb_flush(c->conn);
	while (now_ms() < end && (e = xcb_wait_for_event(c->conn))) {
		if ((e->response_type & 0x7f) == XCB_PROPERTY_NOTIFY &&
		    ((xcb_property_notify_event_t *)e)->window == c->win &&
		    ((xcb_property_notify_event_t *)e)->atom == c->atom[A_TIMESTAMP]) {
			t = ((xcb_property_notify_event_t *)e)->time;
			free(e);
			break;
		}
		handle(c, e); /* a request for what we own still, an answer */
		free(e);
	}
	return t;
}

int ds_clip_set(struct ds_clip *c, enum ds_clip_sel sel, const char *text, size_t n)
{
	struct text *t;
	xcb_get_selection_owner_reply_t *r;
	bool ok;

	if (n > DS_CLIP_MAX_BYTES)
		n = DS_CLIP_MAX_BYTES;
	if (!(t = malloc(sizeof *t + n + 1)))
		return -ENOMEM;
	t->refs = 1;
	t->n = n;
	memcpy(t->data, text, n);
	t->data[n] = 0;
	c->own_time[sel] = server_time(c);
	xcb_set_selection_owner(c->conn, c->win, sel_atom(c, sel), c->own_time[sel]);
	r = xcb_get_selection_owner_reply(c->conn, xcb_get_selection_owner(c->conn, sel_atom(c, sel)),
					  NULL);
	ok = r && r->owner == c->win;
	free(r);
	text_unref(c->own[sel]);
	c->own[sel] = ok ? t : NULL;
	if (!ok) {
		text_unref(t);
		return -EBUSY;
	}
	return 0;
}

const char *ds_clip_owned(const struct ds_clip *c, enum ds_clip_sel sel, size_t *n)
{
	if (!c->own[sel])
		return NULL;
	*n = c->own[sel]->n;
	return c->own[sel]->data;
}

static void fetch_done(struct ds_clip *c, enum ds_clip_sel sel, bool ok)
{
	struct fetch f = c->fetch[sel];

	c->fetch[sel] = (struct fetch){0};
	for (unsigned i = 0; i < f.nw; i++)
		f.w[i].fn(f.w[i].ctx, ok ? (f.buf ? f.buf : "") : NULL, ok ? f.n : 0);
	free(f.buf);
}

void ds_clip_get(struct ds_clip *c, enum ds_clip_sel sel, ds_clip_text_fn fn, void *ctx)
{
	struct fetch *f = &c->fetch[sel];

	if (c->own[sel]) { /* ours: no round trip through the server */
		fn(ctx, c->own[sel]->data, c->own[sel]->n);
		return;
	}
	if (f->nw) { /* one in flight: its answer is this one's too */
		if (f->nw == DS_CLIP_WAITERS) {
			fn(ctx, NULL, 0);
			return;
		}
		f->w[f->nw].fn = fn;
		f->w[f->nw++].ctx = ctx;
		return;
	}
	*f = (struct fetch){.nw = 1, .due_ms = now_ms() + DS_CLIP_TIMEOUT_MS};
	f->w[0].fn = fn;
	f->w[0].ctx = ctx;
	xcb_delete_property(c->conn, c->reader[sel], c->atom[A_PROP_PRIMARY + sel]);
	xcb_convert_selection(c->conn, c->reader[sel], sel_atom(c, sel), c->atom[A_UTF8],
			      c->atom[A_PROP_PRIMARY + sel], XCB_CURRENT_TIME);
	xcb_flush(c->conn);
}

/* Append what the property holds to the fetch (deleting it: the owner's
 * next INCR chunk waits for that). false: nothing more comes. */
static bool fetch_read(struct ds_clip *c, enum ds_clip_sel sel, xcb_atom_t *type, size_t *got)
{
	struct fetch *f = &c->fetch[sel];
	xcb_get_property_reply_t *r = xcb_get_property_reply(
		c->conn,
		xcb_get_property(c->conn, 1, c->reader[sel], c->atom[A_PROP_PRIMARY + sel],
				 XCB_GET_PROPERTY_TYPE_ANY,
				 0, (DS_CLIP_MAX_BYTES + 3) / 4),
		NULL);
	size_t n;

	*got = 0;
	if (!r)
		return false;
	*type = r->type;
	n = r->format == 8 ? (size_t)xcb_get_property_value_length(r) : 0;
	if (*type == c->atom[A_INCR]) {
		free(r);
		return true;
	}
	/* Text only (any program owns the desk's selections): what is not
	 * 8-bit UTF8_STRING, STRING or TEXT is refused, not read as text. */
	if (xcb_get_property_value_length(r) &&
	    (r->format != 8 || (*type != c->atom[A_UTF8] && *type != XCB_ATOM_STRING &&
				*type != c->atom[A_TEXT]))) {
		free(r);
		return false;
	}
	if (f->n + n > DS_CLIP_MAX_BYTES)
		n = DS_CLIP_MAX_BYTES - f->n; /* the rest is cut */
	if (n) {
		char *nb = realloc(f->buf, f->n + n + 1);
		if (!nb) {
			free(r);
			return false;
		}
		f->buf = nb;
		memcpy(f->buf + f->n, xcb_get_property_value(r), n);
		f->n += n;
		f->buf[f->n] = 0;
	}
	*got = n ? n : (size_t)xcb_get_property_value_length(r);
	free(r);
	return true;
}

static xcb_window_t owner_of(struct ds_clip *c, enum ds_clip_sel sel)
{
	xcb_get_selection_owner_reply_t *r = xcb_get_selection_owner_reply(
		c->conn, xcb_get_selection_owner(c->conn, sel_atom(c, sel)), NULL);
	xcb_window_t w = r ? r->owner : XCB_NONE;

	free(r);
	return w;
}

/* When sel's owner took it, as we saw it (XCB_CURRENT_TIME: not known):
 * for an owner that does not say. */
static xcb_timestamp_t seen_since(struct ds_clip *c, enum ds_clip_sel sel)
{
	if (!c->seen_since[sel] || owner_of(c, sel) != c->seen_owner[sel])
		return XCB_CURRENT_TIME;
	return c->seen_since[sel];
}

static void age_done(struct ds_clip *c, enum ds_clip_sel sel, long age_ms)
{
	struct age_ask a = c->age[sel];

	c->age[sel] = (struct age_ask){0};
	if (a.fn)
		a.fn(a.ctx, sel, age_ms);
}

/* The server's time now less t, the time a selection was taken (-1: not
 * known, or after now: not a time of this server's). */
static long age_since(struct ds_clip *c, xcb_timestamp_t t)
{
	xcb_timestamp_t now = server_time(c);

	if (t == XCB_CURRENT_TIME || now == XCB_CURRENT_TIME || (int32_t)(now - t) < 0)
		return -1;
	return (long)(uint32_t)(now - t);
}

void ds_clip_age(struct ds_clip *c, enum ds_clip_sel sel, ds_clip_age_fn fn, void *ctx)
{
	struct age_ask *a = &c->age[sel];
	bool asked = a->fn;

	if (c->own[sel]) { /* ours: we know when we took it */
		*a = (struct age_ask){0}; /* (one in flight asked an owner gone) */
		fn(ctx, sel, age_since(c, c->own_time[sel]));
		return;
	}
	*a = (struct age_ask){.fn = fn, .ctx = ctx, .due_ms = now_ms() + DS_CLIP_TIMEOUT_MS};
	if (asked)
		return;
	xcb_delete_property(c->conn, c->aged, c->atom[A_AGE_PRIMARY + sel]);
	xcb_convert_selection(c->conn, c->aged, sel_atom(c, sel), c->atom[A_TIMESTAMP],
			      c->atom[A_AGE_PRIMARY + sel], XCB_CURRENT_TIME);
	xcb_flush(c->conn);
}

/* An owner's answer to ds_clip_age: its TIMESTAMP (INTEGER or TIMESTAMP,
 * 32 bits), or None. */
static void on_age(struct ds_clip *c, enum ds_clip_sel sel, xcb_selection_notify_event_t *e)
{
	xcb_get_property_reply_t *r;
	xcb_timestamp_t t = XCB_CURRENT_TIME;

	if (!c->age[sel].fn)
		return;
	if (e->property != XCB_NONE &&
	    (r = xcb_get_property_reply(c->conn,
					xcb_get_property(c->conn, 1, c->aged, e->property,
							 XCB_GET_PROPERTY_TYPE_ANY, 0, 1),
					NULL))) {
		/* (xclip answers every target with its text: not a time) */
		if (r->format == 32 && xcb_get_property_value_length(r) >= 4)
			memcpy(&t, xcb_get_property_value(r), 4);
		free(r);
	}
	if (t == XCB_CURRENT_TIME)
		t = seen_since(c, sel);
	age_done(c, sel, age_since(c, t));
}

static void on_notify(struct ds_clip *c, xcb_selection_notify_event_t *e)
{
	enum ds_clip_sel sel = e->selection == XCB_ATOM_PRIMARY ? DS_CLIP_PRIMARY : DS_CLIP_CLIPBOARD;
	struct fetch *f = &c->fetch[sel];
	xcb_atom_t type = XCB_NONE;
	size_t got;

	if (e->requestor == c->aged) {
		on_age(c, sel, e);
		return;
	}
	if (e->requestor != c->reader[sel] || !f->nw)
		return;
	if (e->property == XCB_NONE) {
		/* No UTF8_STRING from an old owner: STRING (Latin-1 for
		 * ICCCM, often UTF-8 in practice) once. */
		if (e->target == c->atom[A_UTF8] && !f->utf8_tried_string) {
			f->utf8_tried_string = true;
			xcb_convert_selection(c->conn, c->reader[sel], e->selection, XCB_ATOM_STRING,
					      c->atom[A_PROP_PRIMARY + sel], XCB_CURRENT_TIME);
			xcb_flush(c->conn);
			return;
		}
		fetch_done(c, sel, false);
		return;
	}
	if (!fetch_read(c, sel, &type, &got)) {
		fetch_done(c, sel, false);
		return;
	}
	if (type == c->atom[A_INCR]) {
		f->incr = true; /* chunks follow as PropertyNotify NewValue */
		f->due_ms = now_ms() + DS_CLIP_TIMEOUT_MS;
		xcb_flush(c->conn);
		return;
	}
	fetch_done(c, sel, true);
}

static void send_notify(struct ds_clip *c, const xcb_selection_request_event_t *r, xcb_atom_t prop)
{
	xcb_selection_notify_event_t n = {
		.response_type = XCB_SELECTION_NOTIFY, .time = r->time, .requestor = r->requestor,
		.selection = r->selection, .target = r->target, .property = prop,
	};

	xcb_send_event(c->conn, 0, r->requestor, XCB_EVENT_MASK_NO_EVENT, (const char *)&n);
}

/* Text t (selection sel) as target into prop of r's requestor: false
 * when it is not a target given (or too many INCR transfers at once). */
static bool convert(struct ds_clip *c, const xcb_selection_request_event_t *r, struct text *t,
		    enum ds_clip_sel sel, xcb_atom_t target, xcb_atom_t prop)
{
	if (target == c->atom[A_TARGETS]) {
		xcb_atom_t targets[] = {c->atom[A_TARGETS], c->atom[A_MULTIPLE], c->atom[A_UTF8],
					XCB_ATOM_STRING,    c->atom[A_TEXT],	  c->atom[A_TIMESTAMP]};
		xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, r->requestor, prop, XCB_ATOM_ATOM,
				    32, sizeof targets / sizeof targets[0], targets);
		return true;
	}
	if (target == c->atom[A_TIMESTAMP]) {
		xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, r->requestor, prop,
				    XCB_ATOM_INTEGER, 32, 1, &c->own_time[sel]);
		return true;
	}
	if (target != c->atom[A_UTF8] && target != XCB_ATOM_STRING && target != c->atom[A_TEXT])
		return false;
	xcb_atom_t type = target == XCB_ATOM_STRING ? XCB_ATOM_STRING : c->atom[A_UTF8];
	if (t->n <= DS_CLIP_CHUNK_BYTES) {
		xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, r->requestor, prop, type, 8,
				    (uint32_t)t->n, t->data);
		return true;
	}
	if (c->nxfer == DS_CLIP_TRANSFERS)
		return false; /* too many at once */
	/* INCR: the size, then a chunk each time the requestor deletes the
	 * property, then an empty one. */
	uint32_t size = (uint32_t)t->n;
	xcb_change_window_attributes(c->conn, r->requestor, XCB_CW_EVENT_MASK,
				     (uint32_t[]){XCB_EVENT_MASK_PROPERTY_CHANGE});
	xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, r->requestor, prop, c->atom[A_INCR], 32,
			    1, &size);
	t->refs++;
	c->xfer[c->nxfer++] =
		(struct transfer){r->requestor, prop, type, t, 0, now_ms() + DS_CLIP_TIMEOUT_MS};
	return true;
}

/* MULTIPLE (ICCCM 2.6.2): the requestor's property holds (target,
 * property) pairs; each converted as its own request would be, and the
 * pairs written back with None for those not given. False: not a list
 * of pairs (the request refused). */
static bool convert_multiple(struct ds_clip *c, const xcb_selection_request_event_t *r,
			     struct text *t, enum ds_clip_sel sel)
{
	uint32_t pairs[2 * DS_CLIP_MULTIPLE_PAIRS];
	xcb_get_property_reply_t *p;
	uint32_t n = 0;

	if (!r->property)
		return false;
	p = xcb_get_property_reply(c->conn,
				   xcb_get_property(c->conn, 0, r->requestor, r->property,
						    XCB_GET_PROPERTY_TYPE_ANY, 0, 2 * DS_CLIP_MULTIPLE_PAIRS),
				   NULL);
	if (p && p->format == 32 && !p->bytes_after &&
	    (p->type == c->atom[A_ATOM_PAIR] || p->type == XCB_ATOM_ATOM)) {
		n = (uint32_t)xcb_get_property_value_length(p) / 4;
		if (n % 2 || n > 2 * DS_CLIP_MULTIPLE_PAIRS)
			n = 0;
		memcpy(pairs, xcb_get_property_value(p), n * 4);
	}
	free(p);
	if (!n)
		return false;
	for (uint32_t k = 0; k < n; k += 2)
		if (!pairs[k + 1] || pairs[k] == c->atom[A_MULTIPLE] ||
		    !convert(c, r, t, sel, pairs[k], pairs[k + 1]))
			pairs[k + 1] = XCB_NONE;
	xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, r->requestor, r->property,
			    c->atom[A_ATOM_PAIR], 32, n, pairs);
	return true;
}

static void on_request(struct ds_clip *c, const xcb_selection_request_event_t *r)
{
	enum ds_clip_sel sel = r->selection == XCB_ATOM_PRIMARY ? DS_CLIP_PRIMARY : DS_CLIP_CLIPBOARD;
	struct text *t = c->own[sel];
	/* ICCCM: a property of None is an obsolete client's; use the target. */
	xcb_atom_t prop = r->property ? r->property : r->target;
	bool done;

	if (!t || (r->selection != XCB_ATOM_PRIMARY && r->selection != c->atom[A_CLIPBOARD]) ||
	    (r->time != XCB_CURRENT_TIME && r->time < c->own_time[sel]))
		done = false;
	else if (r->target == c->atom[A_MULTIPLE])
		done = convert_multiple(c, r, t, sel);
	else
		done = convert(c, r, t, sel, r->target, prop);
	send_notify(c, r, done ? prop : XCB_NONE);
	xcb_flush(c->conn);
}

static void xfer_end(struct ds_clip *c, unsigned i)
{
	text_unref(c->xfer[i].t);
	c->xfer[i] = c->xfer[--c->nxfer];
}

static void on_property(struct ds_clip *c, const xcb_property_notify_event_t *e)
{
	if (e->state == XCB_PROPERTY_NEW_VALUE) {
		for (int s = 0; s < 2; s++) {
			struct fetch *f = &c->fetch[s];
			xcb_atom_t type;
			size_t got;
			if (!f->nw || !f->incr || e->window != c->reader[s] ||
			    e->atom != c->atom[A_PROP_PRIMARY + s])
				continue;
			f->due_ms = now_ms() + DS_CLIP_TIMEOUT_MS;
			if (!fetch_read(c, (enum ds_clip_sel)s, &type, &got))
				fetch_done(c, (enum ds_clip_sel)s, false);
			else if (!got || f->n >= DS_CLIP_MAX_BYTES)
				/* the empty chunk: the end; or all that is kept
				 * (an owner whose chunks never end is not read on
				 * for ever: it is left waiting) */
				fetch_done(c, (enum ds_clip_sel)s, true);
			xcb_flush(c->conn);
		}
		return;
	}
	if (e->state != XCB_PROPERTY_DELETE)
		return;
	for (unsigned i = 0; i < c->nxfer; i++) {
		struct transfer *x = &c->xfer[i];
		size_t n;
		if (x->win != e->window || x->prop != e->atom)
			continue;
		n = x->t->n - x->off < DS_CLIP_CHUNK_BYTES ? x->t->n - x->off : DS_CLIP_CHUNK_BYTES;
		xcb_change_property(c->conn, XCB_PROP_MODE_REPLACE, x->win, x->prop, x->type, 8,
				    (uint32_t)n, x->t->data + x->off);
		x->due_ms = now_ms() + DS_CLIP_TIMEOUT_MS;
		if (!n) {
			xcb_change_window_attributes(c->conn, x->win, XCB_CW_EVENT_MASK,
						     (uint32_t[]){XCB_EVENT_MASK_NO_EVENT});
			xfer_end(c, i);
		} else {
			x->off += n;
		}
		xcb_flush(c->conn);
		return;
	}
}

static void handle(struct ds_clip *c, xcb_generic_event_t *e)
{
	if (c->xfixes_ev && (e->response_type & 0x7f) == c->xfixes_ev + XCB_XFIXES_SELECTION_NOTIFY) {
		xcb_xfixes_selection_notify_event_t *n = (xcb_xfixes_selection_notify_event_t *)e;
		int k = n->selection == XCB_ATOM_PRIMARY ? DS_CLIP_PRIMARY : DS_CLIP_CLIPBOARD;
		c->seen_owner[k] = n->owner;
		c->seen_since[k] = n->selection_timestamp ? n->selection_timestamp : n->timestamp;
		/* (Taken from us: SelectionClear does the rest.) */
		if (n->owner != c->win && n->owner != XCB_NONE && c->watch)
			c->watch(c->watch_ctx, n->selection == XCB_ATOM_PRIMARY ? DS_CLIP_PRIMARY
										 : DS_CLIP_CLIPBOARD);
		return;
	}
	switch (e->response_type & 0x7f) {
	case XCB_SELECTION_REQUEST:
		on_request(c, (xcb_selection_request_event_t *)e);
		break;
	case XCB_SELECTION_CLEAR: {
		xcb_selection_clear_event_t *sc = (xcb_selection_clear_event_t *)e;
		enum ds_clip_sel sel = sc->selection == XCB_ATOM_PRIMARY ? DS_CLIP_PRIMARY
									 : DS_CLIP_CLIPBOARD;
		if (sc->owner == c->win && c->own[sel]) {
			text_unref(c->own[sel]);
			c->own[sel] = NULL;
			if (c->watch && !c->xfixes_ev) /* (else told by XFixes) */
				c->watch(c->watch_ctx, sel);
		}
		break;
	}
	case XCB_SELECTION_NOTIFY:
		on_notify(c, (xcb_selection_notify_event_t *)e);
		break;
	case XCB_PROPERTY_NOTIFY:
		on_property(c, (xcb_property_notify_event_t *)e);
		break;
	}
}

int ds_clip_dispatch(struct ds_clip *c)
{
	xcb_generic_event_t *e;
	uint64_t now;

	while ((e = xcb_poll_for_event(c->conn))) {
		handle(c, e);
		free(e);
	}
	now = now_ms();
	for (unsigned i = 0; i < c->nxfer;) {
		if (now >= c->xfer[i].due_ms)
			xfer_end(c, i);
		else
			i++;
	}
	for (int s = 0; s < 2; s++)
		if (c->fetch[s].nw && now >= c->fetch[s].due_ms)
			fetch_done(c, (enum ds_clip_sel)s, false);
	for (int s = 0; s < 2; s++)
		if (c->age[s].fn && now >= c->age[s].due_ms)
			age_done(c, (enum ds_clip_sel)s,
				 age_since(c, seen_since(c, (enum ds_clip_sel)s)));
	return xcb_connection_has_error(c->conn) ? -EPIPE : 0;
}

/* ---- the note kept between runs -------------------------------------- */

#define NOTE_MAGIC "telly-desk-selections 1"
/* The server's clock and the wall clock may part by this much between
 * two runs and still be taken for the same server's (else it restarted,
 * or it is another: the note says nothing of it). */
#define NOTE_CLOCKS_MS 5000

static int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ds_clip_note_save(struct ds_clip *c, const char *path)
{
	char line[200], tmp[4096];
	xcb_window_t o[2];
	xcb_timestamp_t since[2];
	int fd, len, r = 0;

	for (int k = 0; k < 2; k++) {
		o[k] = owner_of(c, (enum ds_clip_sel)k);
		/* Ours goes with us: nobody owns it after. */
		if (o[k] == c->win)
			o[k] = XCB_NONE;
		since[k] = o[k] && o[k] == c->seen_owner[k] ? c->seen_since[k] : 0;
	}
	xcb_timestamp_t now = server_time(c);
	if (now == XCB_CURRENT_TIME)
		return -ETIMEDOUT;
	len = snprintf(line, sizeof line, NOTE_MAGIC " %" PRIu32 " %" PRId64 " %" PRIu32 " %" PRIu32
			" %" PRIu32 " %" PRIu32 "\n", now, wall_ms(), o[0], since[0], o[1], since[1]);
	if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -errno;
	if (base_write_all(fd, line, (size_t)len, -1) != (size_t)len)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, path) < 0)
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

void ds_clip_note_load(struct ds_clip *c, const char *path)
{
	char buf[256];
	uint32_t then, o[2], since[2];
	int64_t wall_then;
	ssize_t n;
	struct stat st;
	/* (Not waiting: a FIFO there would hold up the view's start.) */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);

	if (fd < 0)
		return;
	n = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, buf, sizeof buf - 1) : -1;
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	if (strncmp(buf, NOTE_MAGIC " ", sizeof NOTE_MAGIC) ||
	    sscanf(buf + sizeof NOTE_MAGIC, "%" SCNu32 " %" SCNd64 " %" SCNu32 " %" SCNu32 " %" SCNu32
		   " %" SCNu32, &then, &wall_then, &o[0], &since[0], &o[1], &since[1]) != 6)
		return;
	xcb_timestamp_t now = server_time(c);
	int64_t wall_now = wall_ms();
	/* (A wall clock in the note past now or before 1970 is none: a
	 * corrupt one's difference would overflow.) */
	if (wall_then < 0 || wall_then > wall_now)
		return;
	int64_t walked = wall_now - wall_then, ticked = (int64_t)(uint32_t)(now - then);
	if (now == XCB_CURRENT_TIME || ticked - walked > NOTE_CLOCKS_MS ||
	    walked - ticked > NOTE_CLOCKS_MS)
		return; /* another server's, or one that restarted */
	for (int k = 0; k < 2; k++) {
		xcb_window_t w = owner_of(c, (enum ds_clip_sel)k);
		if (!w || c->seen_owner[k]) /* (none, or XFixes told already) */
			continue;
		c->seen_owner[k] = w;
		/* The same owner: what the last run knew; another took it
		 * while nothing watched: not before that run ended. */
		c->seen_since[k] = w == o[k] ? since[k] : then;
	}
}
