/* remote-proto, X windows (see xwin.h and PROTOCOL.md "X windows"): the
 * messages of an X session's channel, and the pixel codec: the desk's
 * rp_xpix_apply and the host's encoder of one window (rp_xenc).
 *
 * Every field on the wire is big-endian as in the rest of the protocol;
 * pixels (in lz4/zstd/raw ops and a cursor's image) are 32-bit
 * little-endian words, so on the usual little-endian machines a block
 * decompresses straight into the picture's format.
 */
#include <errno.h>
#include <lz4.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <zstd.h>

#include "rd.h"
#include "xwin.h"

/* Fields are read with rd.h's cursor, as codec.c's. */

static bool dim_ok(uint32_t v)
{
	return v >= 1 && v <= RP_XWIN_MAX_DIM;
}

static void put_u64(struct rp_enc *e, uint64_t v)
{
	rp_put_u32(e, (uint32_t)(v >> 32));
	rp_put_u32(e, (uint32_t)v);
}

static void put_rstr(struct rp_enc *e, struct rp_str s)
{
	rp_put_str(e, s.p ? s.p : "", s.p ? s.n : 0);
}

/* ---- messages ---- */

int rp_xwin_decode(const uint8_t *p, size_t n, struct rp_xwin *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->id = get_u32(&r);
	m->transient_for = get_u32(&r);
	m->above = get_u32(&r);
	m->x = (int16_t)get_u16(&r);
	m->y = (int16_t)get_u16(&r);
	m->w = get_u16(&r);
	m->h = get_u16(&r);
	m->flags = get_u16(&r);
	m->size.min_w = get_u16(&r);
	m->size.min_h = get_u16(&r);
	m->size.max_w = get_u16(&r);
	m->size.max_h = get_u16(&r);
	m->size.inc_w = get_u16(&r);
	m->size.inc_h = get_u16(&r);
	m->size.base_w = get_u16(&r);
	m->size.base_h = get_u16(&r);
	m->title = get_str(&r);
	m->wm_class = get_str(&r);
	m->icon_name = get_str(&r);
	if (r.bad || !m->id || !dim_ok(m->w) || !dim_ok(m->h) || m->transient_for == m->id ||
	    m->above == m->id)
		return -EPROTO;
	return done(&r);
}

long rp_xwin_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xwin *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XWIN, 0, chan);
	rp_put_u32(&e, m->id);
	rp_put_u32(&e, m->transient_for);
	rp_put_u32(&e, m->above);
	rp_put_u16(&e, (uint16_t)m->x);
	rp_put_u16(&e, (uint16_t)m->y);
	rp_put_u16(&e, m->w);
	rp_put_u16(&e, m->h);
	rp_put_u16(&e, m->flags);
	rp_put_u16(&e, m->size.min_w);
	rp_put_u16(&e, m->size.min_h);
	rp_put_u16(&e, m->size.max_w);
	rp_put_u16(&e, m->size.max_h);
	rp_put_u16(&e, m->size.inc_w);
	rp_put_u16(&e, m->size.inc_h);
	rp_put_u16(&e, m->size.base_w);
	rp_put_u16(&e, m->size.base_h);
	put_rstr(&e, m->title);
	put_rstr(&e, m->wm_class);
	put_rstr(&e, m->icon_name);
	return rp_enc_end(&e);
}

int rp_xid_decode(const uint8_t *p, size_t n, uint32_t *id)
{
	struct rd r;

	rd_init(&r, p, n);
	*id = get_u32(&r);
	if (!r.bad && !*id)
		return -EPROTO;
	return done(&r);
}

long rp_xid_frame(uint8_t *buf, size_t cap, uint8_t type, uint16_t chan, uint32_t id)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, type, 0, chan);
	rp_put_u32(&e, id);
	return rp_enc_end(&e);
}

#define XPIX_HEAD_BYTES 17 /* id, frame, ack, w, h, flags */

int rp_xpix_decode(const uint8_t *p, size_t n, struct rp_xpix *m, size_t *ops_off)
{
	struct rd r;

	rd_init(&r, p, n);
	m->id = get_u32(&r);
	m->frame = get_u32(&r);
	m->ack = get_u32(&r);
	m->w = get_u16(&r);
	m->h = get_u16(&r);
	m->flags = get_u8(&r);
	if (r.bad || !m->id || !dim_ok(m->w) || !dim_ok(m->h) || (m->flags & ~RP_XPIX_LAST))
		return -EPROTO;
	*ops_off = r.off;
	return 0;
}

int rp_xkey_decode(const uint8_t *p, size_t n, struct rp_xkey *m)
{
	struct rd r;
	uint8_t pressed;

	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	m->id = get_u32(&r);
	m->keycode = get_u8(&r);
	pressed = get_u8(&r);
	m->pressed = pressed == 1;
	/* Two lengths: without the locks (a desk without RP_CAP_XLOCKS) and
	 * with them; the locks' bytes are there whole or not at all. */
	m->locks = !r.bad && r.n - r.off == 2;
	m->locked_mods = m->locks ? get_u8(&r) : 0;
	m->locked_group = m->locks ? get_u8(&r) : 0;
	/* X keycodes are 8..255 */
	if (r.bad || !m->id || m->keycode < 8 || pressed > 1 ||
	    m->locked_group > RP_XKEY_GROUP_MAX)
		return -EPROTO;
	return done(&r);
}

long rp_xkey_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xkey *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XKEY, 0, chan);
	rp_put_u32(&e, m->seq);
	rp_put_u32(&e, m->id);
	rp_put_u8(&e, m->keycode);
	rp_put_u8(&e, m->pressed ? 1 : 0);
	if (m->locks) {
		rp_put_u8(&e, m->locked_mods);
		rp_put_u8(&e, m->locked_group);
	}
	return rp_enc_end(&e);
}

int rp_xpointer_decode(const uint8_t *p, size_t n, struct rp_xpointer *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	m->id = get_u32(&r);
	m->x = (int16_t)get_u16(&r);
	m->y = (int16_t)get_u16(&r);
	m->kind = get_u8(&r);
	m->button = get_u8(&r);
	if (r.bad || !m->id || m->kind > RP_XPTR_RELEASE)
		return -EPROTO;
	if (m->kind == RP_XPTR_MOTION ? m->button != 0 : (m->button < 1 || m->button > 9))
		return -EPROTO;
	return done(&r);
}

long rp_xpointer_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xpointer *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XPOINTER, 0, chan);
	rp_put_u32(&e, m->seq);
	rp_put_u32(&e, m->id);
	rp_put_u16(&e, (uint16_t)m->x);
	rp_put_u16(&e, (uint16_t)m->y);
	rp_put_u8(&e, m->kind);
	rp_put_u8(&e, m->button);
	return rp_enc_end(&e);
}

#define XCONF_ALL (RP_XCONF_MOVE | RP_XCONF_SIZE | RP_XCONF_RAISE)

int rp_xconfigure_decode(const uint8_t *p, size_t n, struct rp_xconfigure *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->id = get_u32(&r);
	m->what = get_u8(&r);
	m->x = (int16_t)get_u16(&r);
	m->y = (int16_t)get_u16(&r);
	m->w = get_u16(&r);
	m->h = get_u16(&r);
	if (r.bad || !m->id || !m->what || (m->what & ~XCONF_ALL))
		return -EPROTO;
	if ((m->what & RP_XCONF_SIZE) && (!dim_ok(m->w) || !dim_ok(m->h)))
		return -EPROTO;
	return done(&r);
}

long rp_xconfigure_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xconfigure *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XCONFIGURE, 0, chan);
	rp_put_u32(&e, m->id);
	rp_put_u8(&e, m->what);
	rp_put_u16(&e, (uint16_t)m->x);
	rp_put_u16(&e, (uint16_t)m->y);
	rp_put_u16(&e, m->w);
	rp_put_u16(&e, m->h);
	return rp_enc_end(&e);
}

int rp_xcursor_decode(const uint8_t *p, size_t n, struct rp_xcursor *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->serial = get_u32(&r);
	m->w = get_u16(&r);
	m->h = get_u16(&r);
	m->xhot = get_u16(&r);
	m->yhot = get_u16(&r);
	if (r.bad || m->w < 1 || m->w > RP_XCURSOR_MAX_DIM || m->h < 1 ||
	    m->h > RP_XCURSOR_MAX_DIM || m->xhot >= m->w || m->yhot >= m->h)
		return -EPROTO;
	m->argb = take(&r, (size_t)m->w * m->h * 4);
	return done(&r);
}

long rp_xcursor_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xcursor *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XCURSOR, 0, chan);
	rp_put_u32(&e, m->serial);
	rp_put_u16(&e, m->w);
	rp_put_u16(&e, m->h);
	rp_put_u16(&e, m->xhot);
	rp_put_u16(&e, m->yhot);
	rp_put_bytes(&e, m->argb, (size_t)m->w * m->h * 4);
	return rp_enc_end(&e);
}

#define XCHUNK_HEAD_BYTES 9 /* sel, total, off */

int rp_xchunk_decode(const uint8_t *p, size_t n, uint32_t max_total, struct rp_xchunk *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->sel = get_u8(&r);
	m->total = get_u32(&r);
	m->off = get_u32(&r);
	if (r.bad || m->sel > RP_XSEL_PRIMARY || m->total > max_total || m->off > m->total)
		return -EPROTO;
	m->p = p + r.off;
	m->n = (uint32_t)(n - r.off);
	/* Every chunk moves the text on, but for the one of an empty text. */
	if (m->n > m->total - m->off || (m->n == 0 && m->total != 0))
		return -EPROTO;
	return 0;
}

int rp_xchunks_send(uint8_t type, uint16_t chan, uint8_t sel, const void *text, uint32_t n,
		    int (*send)(void *ctx, const uint8_t *frame, size_t len), void *ctx)
{
	const uint32_t max = type == RP_XCLIP ? RP_XCLIP_MAX_BYTES : RP_XKEYMAP_MAX_BYTES;
	const size_t per = RP_MAX_PAYLOAD - XCHUNK_HEAD_BYTES;
	uint8_t *buf;
	uint32_t off = 0;
	int rc = 0;

	if ((type != RP_XCLIP && type != RP_XKEYMAP) || sel > RP_XSEL_PRIMARY)
		return -EINVAL;
	if (n > max)
		return -EMSGSIZE;
	buf = malloc(RP_MAX_FRAME);
	if (!buf)
		return -ENOMEM;
	do {
		uint32_t k = n - off < per ? n - off : (uint32_t)per;
		struct rp_enc e;
		long len;

		rp_enc_begin(&e, buf, RP_MAX_FRAME, type, 0, chan);
		rp_put_u8(&e, sel);
		rp_put_u32(&e, n);
		rp_put_u32(&e, off);
		rp_put_bytes(&e, (const uint8_t *)text + off, k);
		len = rp_enc_end(&e);
		if (len < 0) {
			rc = (int)len;
			break;
		}
		rc = send(ctx, buf, (size_t)len);
		off += k;
	} while (rc >= 0 && off < n);
	free(buf);
	return rc < 0 ? rc : 0;
}

int rp_xtext_add(struct rp_xtext *t, const struct rp_xchunk *c)
{
	if (t->buf ? c->off != t->got || c->total != t->total || c->sel != t->sel : c->off != 0) {
		rp_xtext_finish(t);
		return -EPROTO;
	}
	if (!t->buf) {
		/* Grown as bytes arrive: a peer's total alone does not make
		 * this side allocate it. */
		uint32_t cap = c->n + 1;
		t->buf = malloc(cap);
		if (!t->buf)
			return -ENOMEM;
		t->total = c->total;
		t->sel = c->sel;
		t->got = 0;
	} else {
		uint8_t *nb = realloc(t->buf, (size_t)t->got + c->n + 1);
		if (!nb) {
			rp_xtext_finish(t);
			return -ENOMEM;
		}
		t->buf = nb;
	}
	if (c->n)
		memcpy(t->buf + t->got, c->p, c->n);
	t->got += c->n;
	t->buf[t->got] = 0;
	return t->got == t->total ? 1 : 0;
}

void rp_xtext_finish(struct rp_xtext *t)
{
	free(t->buf);
	memset(t, 0, sizeof *t);
}

int rp_xack_decode(const uint8_t *p, size_t n, uint32_t *id, uint32_t *frame)
{
	struct rd r;

	rd_init(&r, p, n);
	*id = get_u32(&r);
	*frame = get_u32(&r);
	if (!r.bad && !*id)
		return -EPROTO;
	return done(&r);
}

long rp_xack_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t id, uint32_t frame)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XACK, 0, chan);
	rp_put_u32(&e, id);
	rp_put_u32(&e, frame);
	return rp_enc_end(&e);
}

int rp_xscreen_decode(const uint8_t *p, size_t n, uint16_t *w, uint16_t *h)
{
	struct rd r;

	rd_init(&r, p, n);
	*w = get_u16(&r);
	*h = get_u16(&r);
	return done(&r);
}

int rp_xclipage_decode(const uint8_t *p, size_t n, uint8_t *sel, uint32_t *age_ms)
{
	struct rd r;

	rd_init(&r, p, n);
	*sel = get_u8(&r);
	*age_ms = get_u32(&r);
	if (*sel > RP_XSEL_PRIMARY)
		return -EPROTO;
	return done(&r);
}

long rp_xclipage_frame(uint8_t *buf, size_t cap, uint16_t chan, uint8_t sel, uint32_t age_ms)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XCLIPAGE, 0, chan);
	rp_put_u8(&e, sel);
	rp_put_u32(&e, age_ms);
	return rp_enc_end(&e);
}

int rp_xlasts_decode(const uint8_t *p, size_t n, bool *ends, int32_t *status)
{
	struct rd r;
	uint8_t e;

	rd_init(&r, p, n);
	e = get_u8(&r);
	*status = (int32_t)get_u32(&r);
	*ends = e == 1;
	if (e > 1 || (!e && *status))
		return -EPROTO;
	return done(&r);
}

long rp_xlasts_frame(uint8_t *buf, size_t cap, uint16_t chan, bool ends, int32_t status)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XLASTS, 0, chan);
	rp_put_u8(&e, ends);
	rp_put_u32(&e, ends ? (uint32_t)status : 0);
	return rp_enc_end(&e);
}

int rp_xmoveresize_decode(const uint8_t *p, size_t n, uint32_t *id, uint8_t *dir, uint8_t *button)
{
	struct rd r;

	rd_init(&r, p, n);
	*id = get_u32(&r);
	*dir = get_u8(&r);
	*button = get_u8(&r);
	if (!*id || *dir > RP_XMOVERESIZE_MAX_DIR || *button < 1 || *button > 5)
		return -EPROTO;
	return done(&r);
}

long rp_xmoveresize_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t id, uint8_t dir,
			  uint8_t button)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XMOVERESIZE, 0, chan);
	rp_put_u32(&e, id);
	rp_put_u8(&e, dir);
	rp_put_u8(&e, button);
	return rp_enc_end(&e);
}

long rp_xscreen_frame(uint8_t *buf, size_t cap, uint16_t chan, uint16_t w, uint16_t h)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XSCREEN, 0, chan);
	rp_put_u16(&e, w);
	rp_put_u16(&e, h);
	return rp_enc_end(&e);
}

#define XSHAPE_RECT_BYTES 8

static bool xshape_rect_ok(struct rp_xshape_rect r, uint16_t w, uint16_t h)
{
	return r.w >= 1 && r.h >= 1 && (uint32_t)r.x + r.w <= w && (uint32_t)r.y + r.h <= h;
}

struct rp_xshape_rect rp_xshape_rect_at(const struct rp_xshape *m, uint16_t i)
{
	struct rd r;
	struct rp_xshape_rect out;

	rd_init(&r, m->wire + (size_t)i * XSHAPE_RECT_BYTES, XSHAPE_RECT_BYTES);
	out.x = get_u16(&r);
	out.y = get_u16(&r);
	out.w = get_u16(&r);
	out.h = get_u16(&r);
	return out;
}

int rp_xshape_decode(const uint8_t *p, size_t n, struct rp_xshape *m)
{
	struct rd r;
	uint8_t shaped;

	rd_init(&r, p, n);
	m->id = get_u32(&r);
	m->kind = get_u8(&r);
	shaped = get_u8(&r);
	m->w = get_u16(&r);
	m->h = get_u16(&r);
	m->n = get_u16(&r);
	m->shaped = shaped == 1;
	m->rects = NULL;
	if (r.bad || !m->id || m->kind > RP_XSHAPE_INPUT || shaped > 1 || !dim_ok(m->w) ||
	    !dim_ok(m->h) || m->n > RP_XSHAPE_MAX_RECTS || (!m->shaped && m->n))
		return -EPROTO;
	m->wire = take(&r, (size_t)m->n * XSHAPE_RECT_BYTES);
	if (r.bad)
		return -EPROTO;
	for (uint16_t i = 0; i < m->n; i++)
		if (!xshape_rect_ok(rp_xshape_rect_at(m, i), m->w, m->h))
			return -EPROTO;
	return done(&r);
}

long rp_xshape_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xshape *m)
{
	struct rp_enc e;

	if (!m->id || m->kind > RP_XSHAPE_INPUT || !dim_ok(m->w) || !dim_ok(m->h) ||
	    m->n > RP_XSHAPE_MAX_RECTS || (!m->shaped && m->n))
		return -EINVAL;
	for (uint16_t i = 0; i < m->n; i++)
		if (!xshape_rect_ok(m->rects[i], m->w, m->h))
			return -EINVAL;
	rp_enc_begin(&e, buf, cap, RP_XSHAPE, 0, chan);
	rp_put_u32(&e, m->id);
	rp_put_u8(&e, m->kind);
	rp_put_u8(&e, m->shaped ? 1 : 0);
	rp_put_u16(&e, m->w);
	rp_put_u16(&e, m->h);
	rp_put_u16(&e, m->n);
	for (uint16_t i = 0; i < m->n; i++) {
		rp_put_u16(&e, m->rects[i].x);
		rp_put_u16(&e, m->rects[i].y);
		rp_put_u16(&e, m->rects[i].w);
		rp_put_u16(&e, m->rects[i].h);
	}
	return rp_enc_end(&e);
}

int rp_xtiming_decode(const uint8_t *p, size_t n, struct rp_xtiming *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	m->id = get_u32(&r);
	m->t_input = get_u64(&r);
	m->t_injected = get_u64(&r);
	m->t_damage = get_u64(&r);
	m->t_read = get_u64(&r);
	m->t_encoded = get_u64(&r);
	m->t_sent = get_u64(&r);
	if (!r.bad && !m->id)
		return -EPROTO;
	return done(&r);
}

long rp_xtiming_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xtiming *m)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_XTIMING, 0, chan);
	rp_put_u32(&e, m->seq);
	rp_put_u32(&e, m->id);
	put_u64(&e, m->t_input);
	put_u64(&e, m->t_injected);
	put_u64(&e, m->t_damage);
	put_u64(&e, m->t_read);
	put_u64(&e, m->t_encoded);
	put_u64(&e, m->t_sent);
	return rp_enc_end(&e);
}

int rp_xoutput_decode(const uint8_t *p, size_t n, struct rp_xoutput *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->stream = get_u8(&r);
	m->offset = get_u64(&r);
	if (r.bad || (m->stream != RP_XOUT_STDOUT && m->stream != RP_XOUT_STDERR) ||
	    n - r.off > RP_XOUTPUT_MAX)
		return -EPROTO;
	m->p = p + r.off;
	m->n = (uint32_t)(n - r.off);
	return 0;
}

long rp_xoutput_frame(uint8_t *buf, size_t cap, uint16_t chan, const struct rp_xoutput *m)
{
	struct rp_enc e;

	if ((m->stream != RP_XOUT_STDOUT && m->stream != RP_XOUT_STDERR) || m->n > RP_XOUTPUT_MAX)
		return -EINVAL;
	rp_enc_begin(&e, buf, cap, RP_XOUTPUT, 0, chan);
	rp_put_u8(&e, m->stream);
	put_u64(&e, m->offset);
	rp_put_bytes(&e, m->p, m->n);
	return rp_enc_end(&e);
}

uint32_t rp_xoutput_place(uint64_t *got, const struct rp_xoutput *m, uint64_t *gap)
{
	uint64_t end = m->offset + m->n;

	*gap = m->offset > *got ? m->offset - *got : 0;
	if (end <= *got) /* (an offset near its wrap is no more than garbage) */
		return m->n;
	uint32_t skip = m->offset < *got ? (uint32_t)(*got - m->offset) : 0;
	*got = end;
	return skip;
}

/* ---- pixels on the wire: 32-bit little-endian words ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define XPIX_SWAP 1
#else
#define XPIX_SWAP 0
#endif

/* n pixels from wire order to the picture's (or back: the same swap). */
static void pix_copy(uint32_t *dst, const void *src, size_t n)
{
	memcpy(dst, src, n * 4);
	if (XPIX_SWAP)
		for (size_t i = 0; i < n; i++)
			dst[i] = __builtin_bswap32(dst[i]);
}

/* ---- the desk: applying ops ---- */

static const char *const op_names[] = {"?", "COPY", "FILL", "LZ4", "ZSTD", "RAW", "JPEG",
					"PALETTE"};

struct rp_xdec {
	uint8_t *scratch; /* a decompressed block: the largest yet */
	size_t scratch_cap;
	ZSTD_DCtx *zd;
	tjhandle tj;
};

struct apply {
	uint32_t *px;
	uint16_t w, h;
	size_t stride; /* in pixels */
	struct rp_xdec *d;
	char *err;
	size_t errn;
};

struct rp_xdec *rp_xdec_create(void)
{
	return calloc(1, sizeof(struct rp_xdec));
}

void rp_xdec_destroy(struct rp_xdec *d)
{
	if (!d)
		return;
	free(d->scratch);
	ZSTD_freeDCtx(d->zd);
	if (d->tj)
		tjDestroy(d->tj);
	free(d);
}

static int apply_fail(struct apply *a, size_t at, unsigned op, const char *fmt, ...)
{
	if (a->err && a->errn) {
		char what[160];
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(what, sizeof what, fmt, ap);
		va_end(ap);
		snprintf(a->err, a->errn, "XPIXELS op %s at byte %zu: %s",
			 op < sizeof op_names / sizeof op_names[0] ? op_names[op] : "?", at, what);
	}
	return -EPROTO;
}

/* A rectangle inside the window and not empty. */
static bool rect_in(const struct apply *a, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	return w && h && x + w <= a->w && y + h <= a->h;
}

static void put_rows(struct apply *a, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		     const uint8_t *src)
{
	for (uint32_t j = 0; j < h; j++)
		pix_copy(a->px + (size_t)(y + j) * a->stride + x, src + (size_t)j * w * 4, w);
}

static void copy_rect(struct apply *a, uint32_t sx, uint32_t sy, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h)
{
	/* Rows overlap when the copy moves down: go bottom up then; within a
	 * row memmove takes care of a move sideways. */
	for (uint32_t k = 0; k < h; k++) {
		uint32_t j = y > sy ? h - 1 - k : k;
		memmove(a->px + (size_t)(y + j) * a->stride + x,
			a->px + (size_t)(sy + j) * a->stride + sx, (size_t)w * 4);
	}
}

static void fill_rect(struct apply *a, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t v)
{
	for (uint32_t j = 0; j < h; j++) {
		uint32_t *row = a->px + (size_t)(y + j) * a->stride + x;
		for (uint32_t i = 0; i < w; i++)
			row[i] = v;
	}
}

/* The decoders' output buffer, at least want bytes. */
static bool scratch_grow(struct apply *a, size_t want)
{
	struct rp_xdec *d = a->d;

	if (want <= d->scratch_cap)
		return true;
	free(d->scratch);
	d->scratch_cap = 0;
	d->scratch = malloc(want);
	if (!d->scratch)
		return false;
	d->scratch_cap = want;
	return true;
}

/* zstd's decoder, made when first needed and kept. */
static ZSTD_DCtx *zstd_dctx(struct apply *a)
{
	if (!a->d->zd)
		a->d->zd = ZSTD_createDCtx();
	return a->d->zd;
}

/* A compressed op's u32 length and block, for a rectangle checked
 * against the per-op pixel bound before anything is decoded. */
static const uint8_t *take_block(struct apply *a, struct rd *r, size_t at, unsigned op,
				 uint32_t w, uint32_t h, uint32_t *len)
{
	const uint8_t *src;

	*len = get_u32(r);
	if (r->bad) {
		apply_fail(a, at, op, "cut short");
		return NULL;
	}
	if ((size_t)w * h > RP_XPIX_MAX_OP_PIXELS) {
		apply_fail(a, at, op, "%ux%u is more than %u pixels", w, h,
			   RP_XPIX_MAX_OP_PIXELS);
		return NULL;
	}
	src = take(r, *len);
	if (!src || !*len)
		apply_fail(a, at, op,
			   *len ? "a block of %u bytes does not fit the frame" : "an empty block",
			   *len);
	return *len ? src : NULL;
}

static int apply_block(struct apply *a, size_t at, unsigned op, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h, const uint8_t *src, uint32_t len)
{
	size_t want = (size_t)w * h * 4;

	if (!scratch_grow(a, want))
		return apply_fail(a, at, op, "out of memory");
	if (op == RP_XOP_LZ4) {
		int got = LZ4_decompress_safe((const char *)src, (char *)a->d->scratch, (int)len,
					      (int)want);
		if (got < 0 || (size_t)got != want)
			return apply_fail(a, at, op, "the block does not decompress to %ux%u pixels",
					  w, h);
	} else if (op == RP_XOP_JPEG) {
		int jw, jh, sub, space;

		if (!a->d->tj && !(a->d->tj = tjInitDecompress()))
			return apply_fail(a, at, op, "out of memory");
		/* The size is checked before a pixel is decoded; progressive
		 * files with many scans (a decoder's time sink) are refused. */
		if (tjDecompressHeader3(a->d->tj, src, len, &jw, &jh, &sub, &space) < 0 ||
		    (uint32_t)jw != w || (uint32_t)jh != h ||
		    tjDecompress2(a->d->tj, src, len, a->d->scratch, (int)w, (int)w * 4, (int)h,
				  TJPF_BGRX, TJFLAG_LIMITSCANS | TJFLAG_STOPONWARNING) < 0)
			return apply_fail(a, at, op, "the block is not a %ux%u JPEG", w, h);
	} else {
		size_t got;

		if (!zstd_dctx(a))
			return apply_fail(a, at, op, "out of memory");
		got = ZSTD_decompressDCtx(a->d->zd, a->d->scratch, want, src, len);
		if (ZSTD_isError(got) || got != want)
			return apply_fail(a, at, op, "the block does not decompress to %ux%u pixels",
					  w, h);
	}
	put_rows(a, x, y, w, h, a->d->scratch);
	return 0;
}

/* Bits an index takes in a PALETTE op of n colours. */
static unsigned palette_bits(uint32_t n)
{
	return n <= 2 ? 1 : n <= 4 ? 2 : n <= 16 ? 4 : 8;
}

/* A PALETTE op's block: indices (checked against n before a pixel is
 * written) into pal's n big-endian colours. */
static int apply_palette(struct apply *a, size_t at, uint32_t x, uint32_t y, uint32_t w,
			 uint32_t h, const uint8_t *pal, uint32_t n, const uint8_t *src, uint32_t len)
{
	unsigned bits = palette_bits(n), per = 8 / bits, mask = (1u << bits) - 1;
	size_t rowb = ((size_t)w * bits + 7) / 8, want = rowb * h, got;
	uint32_t col[256];

	if (!scratch_grow(a, want))
		return apply_fail(a, at, RP_XOP_PALETTE, "out of memory");
	if (!zstd_dctx(a))
		return apply_fail(a, at, RP_XOP_PALETTE, "out of memory");
	got = ZSTD_decompressDCtx(a->d->zd, a->d->scratch, want, src, len);
	if (ZSTD_isError(got) || got != want)
		return apply_fail(a, at, RP_XOP_PALETTE,
				  "the block does not decompress to %ux%u indices of %u bits", w, h,
				  bits);
	if (n < (1u << bits))
		for (size_t j = 0; j < h; j++) {
			const uint8_t *row = a->d->scratch + j * rowb;
			for (uint32_t i = 0; i < w; i++) {
				unsigned v = row[i / per] >> (8 - bits - (i % per) * bits) & mask;
				if (v >= n)
					return apply_fail(a, at, RP_XOP_PALETTE,
							  "index %u of %u colours", v, n);
			}
		}
	for (uint32_t k = 0; k < n; k++)
		col[k] = (uint32_t)pal[4 * k] << 24 | (uint32_t)pal[4 * k + 1] << 16 |
			 (uint32_t)pal[4 * k + 2] << 8 | pal[4 * k + 3];
	for (uint32_t j = 0; j < h; j++) {
		const uint8_t *row = a->d->scratch + (size_t)j * rowb;
		uint32_t *out = a->px + (size_t)(y + j) * a->stride + x;
		if (bits == 8)
			for (uint32_t i = 0; i < w; i++)
				out[i] = col[row[i]];
		else
			for (uint32_t i = 0; i < w; i++)
				out[i] = col[row[i / per] >> (8 - bits - (i % per) * bits) & mask];
	}
	return 0;
}

static int apply_ops(struct apply *a, const uint8_t *ops, size_t n)
{
	struct rd r;

	rd_init(&r, ops, n);
	while (r.off < n) {
		size_t at = r.off;
		unsigned op = get_u8(&r);
		uint32_t sx = 0, sy = 0, x, y, w, h, v, len;
		const uint8_t *src;

		if (op == RP_XOP_COPY) {
			sx = get_u16(&r);
			sy = get_u16(&r);
		} else if (op < RP_XOP_FILL || op > RP_XOP_PALETTE) {
			return apply_fail(a, at, op, "unknown op %u", op);
		}
		x = get_u16(&r);
		y = get_u16(&r);
		w = get_u16(&r);
		h = get_u16(&r);
		if (r.bad)
			return apply_fail(a, at, op, "cut short");
		if (!rect_in(a, x, y, w, h) || (op == RP_XOP_COPY && !rect_in(a, sx, sy, w, h)))
			return apply_fail(a, at, op,
					  "rectangle %u,%u %ux%u (from %u,%u) empty or outside "
					  "the %ux%u window",
					  x, y, w, h, sx, sy, a->w, a->h);
		switch (op) {
		case RP_XOP_COPY:
			copy_rect(a, sx, sy, x, y, w, h);
			break;
		case RP_XOP_FILL:
			v = get_u32(&r);
			if (r.bad)
				return apply_fail(a, at, op, "cut short");
			fill_rect(a, x, y, w, h, v);
			break;
		case RP_XOP_RAW:
			src = take(&r, (size_t)w * h * 4);
			if (!src)
				return apply_fail(a, at, op, "%ux%u pixels do not fit the frame", w, h);
			put_rows(a, x, y, w, h, src);
			break;
		case RP_XOP_PALETTE: {
			uint32_t ncol = (uint32_t)get_u8(&r) + 1;
			const uint8_t *pal = take(&r, (size_t)ncol * 4);
			if (!pal)
				return apply_fail(a, at, op, "cut short");
			if (!(src = take_block(a, &r, at, op, w, h, &len)))
				return -EPROTO;
			if (apply_palette(a, at, x, y, w, h, pal, ncol, src, len) < 0)
				return -EPROTO;
			break;
		}
		default: /* LZ4, ZSTD, JPEG */
			if (!(src = take_block(a, &r, at, op, w, h, &len)))
				return -EPROTO;
			if (apply_block(a, at, op, x, y, w, h, src, len) < 0)
				return -EPROTO;
			break;
		}
	}
	return 0;
}

int rp_xpix_apply_with(struct rp_xdec *d, const uint8_t *ops, size_t n, uint32_t *pixels,
		       uint16_t w, uint16_t h, size_t stride, char *err, size_t errn)
{
	struct rp_xdec once = {0};
	struct apply a = {.px = pixels, .w = w, .h = h, .stride = stride / 4, .d = d ? d : &once,
			  .err = err, .errn = errn};
	int rc;

	if (err && errn)
		err[0] = 0;
	if (!dim_ok(w) || !dim_ok(h) || stride % 4 || stride / 4 < w) {
		if (err && errn)
			snprintf(err, errn, "XPIXELS: a %ux%u window with stride %zu", w, h, stride);
		return -EPROTO;
	}
	rc = apply_ops(&a, ops, n);
	if (!d) {
		free(once.scratch);
		ZSTD_freeDCtx(once.zd);
		if (once.tj)
			tjDestroy(once.tj);
	}
	return rc;
}

int rp_xpix_apply(const uint8_t *ops, size_t n, uint32_t *pixels, uint16_t w, uint16_t h,
		  size_t stride, char *err, size_t errn)
{
	return rp_xpix_apply_with(NULL, ops, n, pixels, w, h, stride, err, errn);
}

/* ---- the host: the encoder of one window ---- */

#define XENC_TILE 64		/* a tile's side in pixels */
#define XENC_RUN_TILES 16	/* tiles in one zstd op: 16 * 64 * 64 = RP_XPIX_MAX_OP_PIXELS */
#define XENC_ZSTD_MIN_TILES 3	/* a run of fewer changed tiles goes lz4, tile by tile */
#define XENC_ZSTD_LEVEL 1
/* A rectangle of at most XENC_PALETTE_MAX colours (text, flat UI) goes
 * as indices into them, zstd at XENC_PALETTE_LEVEL: a quarter of the
 * bytes or less before compression, so a higher level is cheap. */
#define XENC_PALETTE_MAX 256
#define XENC_PALETTE_LEVEL 3
#define XENC_PALETTE_SLOTS 1024 /* the colour table's hash slots */
#define XENC_SCROLL_MIN_ROWS 16 /* damage lower than this is not searched for a scroll */
/* An update damaging at most this many pixels (a typed character and
 * the cursor) is compared and sent where it was damaged, not by tiles
 * (send_small); its boxes of at least XENC_SMALL_PALETTE_MIN_PIXELS go as
 * PALETTE where the desks take it, smaller ones lz4 or raw. */
#define XENC_SMALL_PIXELS 4096
#define XENC_SMALL_PALETTE_MIN_PIXELS 1024
#define XENC_SCROLL_MIN_MOVED 4 /* rows a COPY must put right to be worth sending */
#define XENC_SCROLL_MAX_TWINS 8 /* a row the shadow has more often than this does not vote */
#define XENC_OP_HEAD_BYTES 13	/* op, x, y, w, h, len */
#define XENC_PIXEL_MASK 0x00ffffffu /* x8r8g8b8: the top byte is nobody's */
/* Video: a tile that changed XENC_VIDEO_STREAK times in a row, each
 * within XENC_VIDEO_GAP_MS of the last (10 a second or more), and looks
 * like a picture (more than XENC_VIDEO_COLOURS colours among
 * XENC_VIDEO_SAMPLES of its pixels; text has a few shades) goes lossy
 * when lossy is allowed. Once it has been still for XENC_REFRESH_MS it
 * goes again losslessly, so nothing stays blurred. */
#define XENC_VIDEO_GAP_MS 100
#define XENC_VIDEO_STREAK 6
#define XENC_VIDEO_COLOURS 48
#define XENC_VIDEO_SAMPLES 256
#define XENC_REFRESH_MS 200

/* tile flags */
#define T_VALID 0x01  /* hash[] is the shadow tile's */
#define T_CAND 0x02   /* may have changed: compare */
#define T_DIRTY 0x04  /* differs: send */
#define T_SOLID 0x08  /* one colour: color[] */
#define T_COPIED 0x10 /* under this update's COPY */
#define T_INSIDE 0x20 /* wholly under it: its rows' hashes said it is right */
#define T_VIDEO 0x40  /* changes like video: JPEG */

struct row_hash {
	uint64_t h;
	int32_t row;
};

struct rp_xenc {
	uint32_t id, frame;
	/* An update went: the desks have a picture. Until then the first
	 * update goes even when it equals the shadow as it starts (all
	 * black): a window whose first picture is black is drawn too. */
	bool sent;
	uint16_t w, h, tw, th; /* pixels; tiles across and down */
	uint32_t *shadow;      /* w*h, stride w: what every desk has */
	uint64_t *hash;
	uint32_t *color;
	uint8_t *tflags;
	uint64_t *rows_new, *rows_old; /* scroll search, h each */
	/* The hashes of the shadow's whole rows, kept from the last update
	 * when its scroll search hashed them: most updates of a terminal
	 * damage whole rows, and so the shadow is not read for them again. */
	uint64_t *row_cache;
	uint8_t *row_ok;
	uint32_t zstd_permille; /* zstd's output for its input lately: sizes the next ops */
	int32_t *votes;
	struct row_hash *index; /* the shadow's row hashes sorted, h */
	uint32_t *raw; /* one op's pixels, RP_XPIX_MAX_OP_PIXELS, in wire order */
	uint8_t *comp;
	size_t comp_cap;
	ZSTD_CCtx *zc;
	uint8_t *payload; /* RP_MAX_PAYLOAD */
	/* Lossy (rp_xenc_lossy): per tile, its changes in a row, when it
	 * last changed, and whether the desks have it lossy (the shadow
	 * always has the exact pixels; a refresh sends them). */
	int jpeg_quality; /* 0: never lossy */
	bool palette;	  /* PALETTE ops allowed (rp_xenc_palette) */
	uint32_t now_ms;
	uint8_t *streak;
	uint32_t *changed_at;
	uint8_t *lossy;
	uint32_t nlossy;
	/* The oldest changed_at among lossy tiles (the next refresh is due
	 * XENC_REFRESH_MS after it) and how many lossy tiles have it; stale
	 * once they all went while others are still lossy. */
	uint32_t due_at, due_n;
	bool due_stale;
	tjhandle tj;
	struct rp_xenc_stats st;
};

/* A frame being filled: the head, then ops until the next does not fit. */
struct fw {
	struct rp_xenc *e;
	uint32_t frame, ack;
	uint16_t w, h;
	size_t len;
	bool any; /* an op was written in this update */
	int frames, rc;
	rp_xenc_emit_fn emit;
	void *ctx;
};

static uint8_t *be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static void fw_head(struct fw *f)
{
	uint8_t *p = f->e->payload;

	p = be32(p, f->e->id);
	p = be32(p, f->frame);
	p = be32(p, f->ack);
	p = be16(p, f->w);
	p = be16(p, f->h);
	*p = 0;
	f->len = XPIX_HEAD_BYTES;
}

static void fw_flush(struct fw *f, bool last)
{
	int rc;

	if (f->rc < 0)
		return;
	f->e->payload[XPIX_HEAD_BYTES - 1] = last ? RP_XPIX_LAST : 0;
	rc = f->emit(f->ctx, f->e->payload, f->len);
	if (rc < 0) {
		f->rc = rc;
		return;
	}
	f->frames++;
	f->e->st.frames++;
	f->e->st.bytes += f->len;
	fw_head(f);
}

/* Room for an op of need bytes (at most a frame's after the head). */
static uint8_t *fw_op(struct fw *f, unsigned op, size_t need)
{
	if (f->rc < 0)
		return NULL;
	if (f->len + need > RP_MAX_PAYLOAD)
		fw_flush(f, false);
	if (f->rc < 0)
		return NULL;
	uint8_t *p = f->e->payload + f->len;
	f->e->st.bytes_op[op] += need;
	f->len += need;
	f->any = true;
	return p;
}

static uint8_t *op_rect(uint8_t *p, unsigned op, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	*p++ = (uint8_t)op;
	p = be16(p, x);
	p = be16(p, y);
	p = be16(p, w);
	return be16(p, h);
}

static void op_copy(struct fw *f, uint32_t sx, uint32_t sy, uint32_t x, uint32_t y, uint32_t w,
		    uint32_t h)
{
	uint8_t *p = fw_op(f, RP_XOP_COPY, 13);

	if (p) {
		*p++ = RP_XOP_COPY;
		p = be16(p, sx);
		p = be16(p, sy);
		p = be16(p, x);
		p = be16(p, y);
		p = be16(p, w);
		be16(p, h);
	}
}

static void op_fill(struct fw *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t v)
{
	uint8_t *p = fw_op(f, RP_XOP_FILL, 13);

	if (p)
		be32(op_rect(p, RP_XOP_FILL, x, y, w, h), v);
}

static void op_block(struct fw *f, unsigned op, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		     const void *data, size_t len)
{
	bool raw = op == RP_XOP_RAW;
	uint8_t *p = fw_op(f, op, (raw ? 9 : XENC_OP_HEAD_BYTES) + len);

	if (!p)
		return;
	p = op_rect(p, op, x, y, w, h);
	if (!raw)
		p = be32(p, (uint32_t)len);
	memcpy(p, data, len);
}

static inline uint64_t rotl64(uint64_t v, int r)
{
	return v << r | v >> (64 - r);
}

#define H_P1 0x9E3779B185EBCA87ull
#define H_P2 0xC2B2AE3D27D4EB4Full
#define H_P3 0x165667B19E3779F9ull
#define H_MASK2 0x00ffffff00ffffffull

static inline uint64_t h_round(uint64_t acc, uint64_t v)
{
	acc += v * H_P2;
	return rotl64(acc, 31) * H_P1;
}

static inline uint64_t load64(const uint32_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* The hash of a rectangle's pixels without their top byte (four lanes of
 * xxh64's round, for speed), and whether they are all one colour. */
static uint64_t rect_hash(const uint32_t *px, size_t stride, uint32_t x, uint32_t y, uint32_t w,
			  uint32_t h, bool *solid)
{
	uint64_t a = H_P1 + H_P2, b = H_P2, c = 0, d = H_P1 * 3;
	uint32_t first = px[(size_t)y * stride + x] & XENC_PIXEL_MASK;
	uint64_t s2 = (uint64_t)first << 32 | first, diff = 0;

	for (uint32_t j = 0; j < h; j++) {
		const uint32_t *p = px + (size_t)(y + j) * stride + x;
		uint32_t i = 0;
		for (; i + 8 <= w; i += 8) {
			uint64_t v0 = load64(p + i) & H_MASK2, v1 = load64(p + i + 2) & H_MASK2;
			uint64_t v2 = load64(p + i + 4) & H_MASK2, v3 = load64(p + i + 6) & H_MASK2;
			diff |= (v0 ^ s2) | (v1 ^ s2) | (v2 ^ s2) | (v3 ^ s2);
			a = h_round(a, v0);
			b = h_round(b, v1);
			c = h_round(c, v2);
			d = h_round(d, v3);
		}
		for (; i < w; i++) {
			uint64_t v = p[i] & XENC_PIXEL_MASK;
			diff |= v ^ first;
			a = h_round(a, v | (uint64_t)i << 32);
		}
	}
	*solid = diff == 0;
	uint64_t r = rotl64(a, 1) + rotl64(b, 7) + rotl64(c, 12) + rotl64(d, 18);
	r ^= ((uint64_t)w << 32 | h) * H_P3;
	r ^= r >> 33;
	r *= H_P2;
	r ^= r >> 29;
	return r;
}

/* Masked equality of a rectangle of the new picture and the shadow. */
static bool rect_same(const struct rp_xenc *e, const uint32_t *px, size_t stride, uint32_t x,
		      uint32_t y, uint32_t w, uint32_t h)
{
	for (uint32_t j = 0; j < h; j++) {
		const uint32_t *p = px + (size_t)(y + j) * stride + x;
		const uint32_t *s = e->shadow + (size_t)(y + j) * e->w + x;
		uint32_t diff = 0;
		for (uint32_t i = 0; i < w; i++)
			diff |= (p[i] ^ s[i]) & XENC_PIXEL_MASK;
		if (diff)
			return false;
	}
	return true;
}

static void tile_rect(const struct rp_xenc *e, uint32_t tx, uint32_t ty, uint32_t *x, uint32_t *y,
		      uint32_t *w, uint32_t *h)
{
	*x = tx * XENC_TILE;
	*y = ty * XENC_TILE;
	*w = e->w - *x < XENC_TILE ? e->w - *x : XENC_TILE;
	*h = e->h - *y < XENC_TILE ? e->h - *y : XENC_TILE;
}

/* Whether any tile under a rectangle is lossy on the desks. */
static bool rect_lossy(const struct rp_xenc *e, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	for (uint32_t ty = y / XENC_TILE; ty <= (y + h - 1) / XENC_TILE; ty++)
		for (uint32_t tx = x / XENC_TILE; tx <= (x + w - 1) / XENC_TILE; tx++)
			if (e->lossy[(size_t)ty * e->tw + tx])
				return true;
	return false;
}

/* Tile t, lossy, is about to change or to be sent losslessly: out of the
 * oldest group if it is in it. */
static void due_leave(struct rp_xenc *e, size_t t)
{
	if (e->lossy[t] && !e->due_stale && e->due_n && e->changed_at[t] == e->due_at &&
	    --e->due_n == 0)
		e->due_stale = true;
}

/* Tile t is lossy, changed at changed_at[t]: the oldest group is it, or
 * it joins it (a tile joins at the encoder's now, never before). */
static void due_join(struct rp_xenc *e, size_t t)
{
	if (e->due_stale)
		return;
	if (!e->due_n || (int32_t)(e->changed_at[t] - e->due_at) < 0) {
		e->due_at = e->changed_at[t];
		e->due_n = 1;
	} else if (e->changed_at[t] == e->due_at) {
		e->due_n++;
	}
}

static void mark_lossy(struct rp_xenc *e, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	for (uint32_t ty = y / XENC_TILE; ty <= (y + h - 1) / XENC_TILE; ty++)
		for (uint32_t tx = x / XENC_TILE; tx <= (x + w - 1) / XENC_TILE; tx++) {
			size_t t = (size_t)ty * e->tw + tx;
			uint8_t *l = &e->lossy[t];
			due_leave(e, t);
			e->nlossy += !*l;
			*l = 1;
			/* still for the refresh's clock from now */
			e->changed_at[t] = e->now_ms;
			due_join(e, t);
		}
}

/* Pixels of a rectangle of src into e->raw (wire order, top byte 0). */
static void extract(struct rp_xenc *e, const uint32_t *src, size_t stride, uint32_t x, uint32_t y,
		    uint32_t w, uint32_t h)
{
	uint32_t *o = e->raw;

	for (uint32_t j = 0; j < h; j++, o += w) {
		const uint32_t *p = src + (size_t)(y + j) * stride + x;
		for (uint32_t i = 0; i < w; i++)
			o[i] = p[i] & XENC_PIXEL_MASK;
		if (XPIX_SWAP)
			for (uint32_t i = 0; i < w; i++)
				o[i] = __builtin_bswap32(o[i]);
	}
}

/* A rectangle sent: the shadow has it now (unless it is the source). */
static void commit(struct rp_xenc *e, const uint32_t *src, size_t stride, uint32_t x, uint32_t y,
		   uint32_t w, uint32_t h)
{
	if (src == e->shadow)
		return;
	for (uint32_t j = 0; j < h; j++) {
		const uint32_t *p = src + (size_t)(y + j) * stride + x;
		uint32_t *s = e->shadow + (size_t)(y + j) * e->w + x;
		for (uint32_t i = 0; i < w; i++)
			s[i] = p[i] & XENC_PIXEL_MASK;
	}
}

/* One tile, already in e->raw: lz4, or raw when that does not pay. */
static void send_lz4(struct fw *f, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct rp_xenc *e = f->e;
	int raw = (int)(w * h * 4);
	int z = LZ4_compress_default((const char *)e->raw, (char *)e->comp, raw, (int)e->comp_cap);

	if (z > 0 && z < raw) {
		op_block(f, RP_XOP_LZ4, x, y, w, h, e->comp, (size_t)z);
		e->st.tiles_lz4++;
	} else {
		op_block(f, RP_XOP_RAW, x, y, w, h, e->raw, (size_t)raw);
		e->st.tiles_raw++;
	}
}

/* A rectangle of the new picture cut down to the box of its pixels that
 * differ from the shadow (a typed character changes a few hundred of a
 * tile's 4096); false when none do. The keyframe's source is the shadow
 * itself: all of it goes. */
static bool shrink(const struct rp_xenc *e, const uint32_t *src, size_t stride, uint32_t *x,
		   uint32_t *y, uint32_t *w, uint32_t *h)
{
	uint32_t x0 = UINT32_MAX, x1 = 0, y0 = UINT32_MAX, y1 = 0;

	/* A lossy tile goes whole: the desks' pixels differ from the
	 * shadow's where the new picture does not. */
	if (src == e->shadow || (e->nlossy && rect_lossy(e, *x, *y, *w, *h)))
		return true;
	for (uint32_t j = 0; j < *h; j++) {
		const uint32_t *p = src + (size_t)(*y + j) * stride + *x;
		const uint32_t *s = e->shadow + (size_t)(*y + j) * e->w + *x;
		uint32_t i = 0, k = *w;
		while (i < k && !((p[i] ^ s[i]) & XENC_PIXEL_MASK))
			i++;
		if (i == k)
			continue;
		while (k > i && !((p[k - 1] ^ s[k - 1]) & XENC_PIXEL_MASK))
			k--;
		x0 = i < x0 ? i : x0;
		x1 = k > x1 ? k : x1;
		y0 = j < y0 ? j : y0;
		y1 = j + 1;
	}
	if (y0 == UINT32_MAX)
		return false;
	*x += x0;
	*y += y0;
	*w = x1 - x0;
	*h = y1 - y0;
	return true;
}

static void send_tiles_lz4(struct fw *f, const uint32_t *src, size_t stride, uint32_t tx0,
			   uint32_t tx1, uint32_t ty)
{
	for (uint32_t tx = tx0; tx < tx1; tx++) {
		uint32_t x, y, w, h;
		tile_rect(f->e, tx, ty, &x, &y, &w, &h);
		if (!shrink(f->e, src, stride, &x, &y, &w, &h))
			continue;
		if (f->rc >= 0) { /* after a failed send, the shadow still follows */
			extract(f->e, src, stride, x, y, w, h);
			send_lz4(f, x, y, w, h);
		}
		commit(f->e, src, stride, x, y, w, h);
	}
}

/* Tiles tx0..tx1 of row ty (at most XENC_RUN_TILES) as one zstd op; in
 * halves when the block would not fit a frame, tile by tile when it
 * does not compress. */
static void send_zstd(struct fw *f, const uint32_t *src, size_t stride, uint32_t tx0, uint32_t tx1,
		      uint32_t ty)
{
	struct rp_xenc *e = f->e;
	uint32_t x, y, w, h, x1, y1, w1, h1;
	size_t raw, z;

	if (tx1 - tx0 == 1) {
		send_tiles_lz4(f, src, stride, tx0, tx1, ty);
		return;
	}
	tile_rect(e, tx0, ty, &x, &y, &w, &h);
	tile_rect(e, tx1 - 1, ty, &x1, &y1, &w1, &h1);
	w = x1 + w1 - x;
	if (!shrink(e, src, stride, &x, &y, &w, &h))
		return;
	if (f->rc < 0) {
		commit(e, src, stride, x, y, w, h);
		return;
	}
	extract(e, src, stride, x, y, w, h);
	raw = (size_t)w * h * 4;
	/* made when first needed: small windows never are */
	if (!e->zc)
		e->zc = ZSTD_createCCtx();
	z = e->zc ? ZSTD_compressCCtx(e->zc, e->comp, e->comp_cap, e->raw, raw, XENC_ZSTD_LEVEL)
		  : raw;
	if (ZSTD_isError(z) || z >= raw - raw / 8) {
		/* Noise: lz4 would not do better; tile by tile, raw or lz4. */
		e->zstd_permille = 1000;
		send_tiles_lz4(f, src, stride, tx0, tx1, ty);
		return;
	}
	if (z + XENC_OP_HEAD_BYTES > RP_MAX_PAYLOAD - XPIX_HEAD_BYTES) {
		uint32_t mid = tx0 + (tx1 - tx0) / 2;
		e->zstd_permille = (uint32_t)(z * 1000 / raw);
		send_zstd(f, src, stride, tx0, mid, ty);
		send_zstd(f, src, stride, mid, tx1, ty);
		return;
	}
	e->zstd_permille = (uint32_t)(z * 1000 / raw);
	op_block(f, RP_XOP_ZSTD, x, y, w, h, e->comp, z);
	commit(e, src, stride, x, y, w, h);
	e->st.tiles_zstd += tx1 - tx0;
}

static void set_lossy(struct rp_xenc *e, uint32_t tx0, uint32_t tx1, uint32_t ty, bool on)
{
	for (uint32_t tx = tx0; tx < tx1; tx++) {
		size_t t = (size_t)ty * e->tw + tx;
		uint8_t *l = &e->lossy[t];
		if (*l && !on) {
			due_leave(e, t);
			e->nlossy--;
		} else if (!*l && on) {
			e->nlossy++;
		}
		bool joins = !*l && on;
		*l = on;
		if (joins)
			due_join(e, t);
	}
	if (!e->nlossy) {
		e->due_n = 0;
		e->due_stale = false;
	}
}

/* Tiles tx0..tx1 of row ty (video) as one JPEG op; losslessly when JPEG
 * cannot (no library handle, a size it cannot take in one buffer). */
static void send_jpeg(struct fw *f, const uint32_t *src, size_t stride, uint32_t tx0,
		      uint32_t tx1, uint32_t ty)
{
	struct rp_xenc *e = f->e;
	uint32_t x, y, w, h, x1, y1, w1, h1;
	unsigned char *out = e->comp;
	unsigned long len = 0;

	tile_rect(e, tx0, ty, &x, &y, &w, &h);
	tile_rect(e, tx1 - 1, ty, &x1, &y1, &w1, &h1);
	w = x1 + w1 - x;
	if (!e->tj)
		e->tj = tjInitCompress();
	if (!e->tj || tjBufSize((int)w, (int)h, TJSAMP_420) > e->comp_cap) {
		send_zstd(f, src, stride, tx0, tx1, ty);
		return;
	}
	if (f->rc >= 0) {
		/* e->raw is in wire order: B, G, R, X bytes on every host */
		extract(e, src, stride, x, y, w, h);
		if (tjCompress2(e->tj, (const unsigned char *)e->raw, (int)w, (int)w * 4, (int)h,
				TJPF_BGRX, &out, &len, TJSAMP_420, e->jpeg_quality,
				TJFLAG_NOREALLOC | TJFLAG_FASTDCT) < 0) {
			send_zstd(f, src, stride, tx0, tx1, ty);
			return;
		}
		op_block(f, RP_XOP_JPEG, x, y, w, h, e->comp, len);
		e->st.tiles_jpeg += tx1 - tx0;
	}
	commit(e, src, stride, x, y, w, h);
	set_lossy(e, tx0, tx1, ty, true);
}

/* A picture (many colours), not text or flat UI (a few shades). */
static bool picture_like(const uint32_t *px, size_t stride, uint32_t x, uint32_t y, uint32_t w,
			 uint32_t h)
{
	uint32_t seen[XENC_VIDEO_COLOURS + 1], n = 0;
	uint32_t step = (w * h) / XENC_VIDEO_SAMPLES;

	step = step ? step : 1;
	for (uint32_t k = 0; k < w * h && n <= XENC_VIDEO_COLOURS; k += step) {
		uint32_t v = px[(size_t)(y + k / w) * stride + x + k % w] & XENC_PIXEL_MASK;
		uint32_t i = 0;
		while (i < n && seen[i] != v)
			i++;
		if (i == n)
			seen[n++] = v;
	}
	return n > XENC_VIDEO_COLOURS;
}

/* A tile that differs: one more change in its streak, or a new streak;
 * video when lossy is allowed, the streak long and the tile a picture. */
static bool tile_video(struct rp_xenc *e, size_t t, const uint32_t *px, size_t stride,
		       uint32_t x, uint32_t y, uint32_t w, uint32_t h, bool solid)
{
	bool recent = e->streak[t] && e->now_ms - e->changed_at[t] <= XENC_VIDEO_GAP_MS;

	e->streak[t] = recent ? (uint8_t)(e->streak[t] < 255 ? e->streak[t] + 1 : 255) : 1;
	due_leave(e, t);
	e->changed_at[t] = e->now_ms;
	if (e->lossy[t])
		due_join(e, t);
	return e->jpeg_quality && !solid && e->streak[t] >= XENC_VIDEO_STREAK &&
	       picture_like(px, stride, x, y, w, h);
}

static void fill_shadow(struct rp_xenc *e, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			uint32_t v)
{
	for (uint32_t j = 0; j < h; j++) {
		uint32_t *row = e->shadow + (size_t)(y + j) * e->w + x;
		for (uint32_t i = 0; i < w; i++)
			row[i] = v;
	}
}

/* The rectangle as one PALETTE op, when it has at most
 * XENC_PALETTE_MAX colours and the op fits a frame; false when it was
 * not sent (the caller sends it another way). */
static bool send_palette(struct fw *f, const uint32_t *src, size_t stride, uint32_t x, uint32_t y,
			 uint32_t w, uint32_t h)
{
	struct rp_xenc *e = f->e;
	uint32_t key[XENC_PALETTE_SLOTS], pal[XENC_PALETTE_MAX], n = 0, last = 0, last_i = 0;
	uint16_t slot[XENC_PALETTE_SLOTS]; /* index + 1; 0: free */
	uint8_t *ix = (uint8_t *)e->raw, *p;
	unsigned bits, per;
	size_t rowb, z;

	memset(slot, 0, sizeof slot);
	for (uint32_t j = 0; j < h; j++) {
		const uint32_t *row = src + (size_t)(y + j) * stride + x;
		uint8_t *o = ix + (size_t)j * w;
		for (uint32_t i = 0; i < w; i++) {
			uint32_t v = row[i] & XENC_PIXEL_MASK, s;
			if (n && v == last) {
				o[i] = (uint8_t)last_i;
				continue;
			}
			s = (v * 0x9E3779B1u) >> 22; /* 10 bits: XENC_PALETTE_SLOTS */
			while (slot[s] && key[s] != v)
				s = (s + 1) & (XENC_PALETTE_SLOTS - 1);
			if (!slot[s]) {
				if (n == XENC_PALETTE_MAX)
					return false;
				key[s] = v;
				pal[n++] = v;
				slot[s] = (uint16_t)n;
			}
			last = v;
			last_i = slot[s] - 1u;
			o[i] = (uint8_t)last_i;
		}
	}
	bits = palette_bits(n);
	per = 8 / bits;
	rowb = ((size_t)w * bits + 7) / 8;
	if (bits < 8) /* packed in place: a row's bytes never pass its indices */
		for (uint32_t j = 0; j < h; j++) {
			const uint8_t *in = ix + (size_t)j * w;
			uint8_t *out = ix + (size_t)j * rowb;
			for (size_t b = 0; b < rowb; b++) {
				unsigned v = 0;
				for (unsigned k = 0; k < per; k++) {
					size_t i = b * per + k;
					v = v << bits | (i < w ? in[i] : 0u);
				}
				out[b] = (uint8_t)v;
			}
		}
	if (!e->zc)
		e->zc = ZSTD_createCCtx();
	if (!e->zc)
		return false;
	z = ZSTD_compressCCtx(e->zc, e->comp, e->comp_cap, ix, rowb * h, XENC_PALETTE_LEVEL);
	if (ZSTD_isError(z) || 1 + 8 + 1 + 4 * n + 4 + z > RP_MAX_PAYLOAD - XPIX_HEAD_BYTES)
		return false;
	p = fw_op(f, RP_XOP_PALETTE, 1 + 8 + 1 + 4 * (size_t)n + 4 + z);
	if (!p)
		return true; /* a send failed: the caller commits all the same */
	p = op_rect(p, RP_XOP_PALETTE, x, y, w, h);
	*p++ = (uint8_t)(n - 1);
	for (uint32_t k = 0; k < n; k++)
		p = be32(p, pal[k]);
	p = be32(p, (uint32_t)z);
	memcpy(p, e->comp, z);
	return true;
}

/* How many tiles of row ty one zstd op takes: as many as fit a frame
 * at the ratio zstd had lately, so a block is compressed once; at most
 * XENC_RUN_TILES (RP_XPIX_MAX_OP_PIXELS). */
static uint32_t zstd_tiles(const struct rp_xenc *e, uint32_t ty)
{
	uint32_t th = e->h - ty * XENC_TILE < XENC_TILE ? e->h - ty * XENC_TILE : XENC_TILE;
	uint64_t tile_out = (uint64_t)XENC_TILE * th * 4 * (e->zstd_permille + 1) / 1000 + 1;
	uint64_t k = (RP_MAX_PAYLOAD - XPIX_HEAD_BYTES) * 3 / 4 / tile_out;

	return k < 2 ? 2 : k > XENC_RUN_TILES ? XENC_RUN_TILES : (uint32_t)k;
}

/* Whether tiles tx0..tx1 of row ty all differ and are neither solid
 * nor video. */
static bool plain_dirty(const struct rp_xenc *e, uint32_t tx0, uint32_t tx1, uint32_t ty)
{
	const uint8_t *fl = e->tflags + (size_t)ty * e->tw;

	for (uint32_t tx = tx0; tx < tx1; tx++)
		if ((fl[tx] & (T_DIRTY | T_SOLID | T_VIDEO)) != T_DIRTY)
			return false;
	return true;
}

/* Tiles tx0..tx1 of row ty (at most XENC_RUN_TILES) that differ, with
 * the same tiles of the rows below while they all differ too (at most
 * XENC_RUN_TILES in all): one PALETTE op when they have few colours
 * (text: the lines of a column compress together); else row ty alone,
 * zstd (a long run) or lz4 tile by tile, and the rows below later. */
static void send_run(struct fw *f, const uint32_t *src, size_t stride, uint32_t tx0, uint32_t tx1,
		     uint32_t ty)
{
	struct rp_xenc *e = f->e;
	uint32_t n = tx1 - tx0, ty1 = ty + 1, x, y, w, h, x1, y1, w1, h1;

	while (ty1 < e->th && (ty1 - ty + 1) * n <= XENC_RUN_TILES && plain_dirty(e, tx0, tx1, ty1))
		ty1++;
	tile_rect(e, tx0, ty, &x, &y, &w, &h);
	tile_rect(e, tx1 - 1, ty1 - 1, &x1, &y1, &w1, &h1);
	w = x1 + w1 - x;
	h = y1 + h1 - y;
	bool changed = shrink(e, src, stride, &x, &y, &w, &h), sent = false;
	if (!changed || f->rc < 0 ||
	    (e->palette && (sent = send_palette(f, src, stride, x, y, w, h)))) {
		if (changed)
			commit(e, src, stride, x, y, w, h);
		for (uint32_t t = ty; t < ty1; t++) {
			for (uint32_t tx = tx0; tx < tx1; tx++)
				e->tflags[(size_t)t * e->tw + tx] &= (uint8_t)~T_DIRTY;
			if (e->nlossy)
				set_lossy(e, tx0, tx1, t, false);
		}
		if (sent && f->rc >= 0)
			e->st.tiles_palette += (uint64_t)n * (ty1 - ty);
		return;
	}
	if (n < XENC_ZSTD_MIN_TILES) {
		send_tiles_lz4(f, src, stride, tx0, tx1, ty);
	} else {
		for (uint32_t a = tx0, k; a < tx1; a += k) {
			k = zstd_tiles(e, ty);
			send_zstd(f, src, stride, a, tx1 - a > k ? a + k : tx1, ty);
		}
	}
}

/* Every T_DIRTY tile, from src: solid runs as one FILL, other runs zstd
 * (long) or lz4 (short). */
static void send_dirty(struct fw *f, const uint32_t *src, size_t stride)
{
	struct rp_xenc *e = f->e;

	for (uint32_t ty = 0; ty < e->th; ty++) {
		uint8_t *fl = e->tflags + (size_t)ty * e->tw;
		const uint32_t *col = e->color + (size_t)ty * e->tw;
		uint32_t tx = 0;

		while (tx < e->tw) {
			uint32_t end = tx + 1, x, y, w, h, x1, y1, w1, h1;

			if (!(fl[tx] & T_DIRTY)) {
				tx++;
				continue;
			}
			if (fl[tx] & T_SOLID) {
				while (end < e->tw && (fl[end] & (T_DIRTY | T_SOLID)) ==
							      (T_DIRTY | T_SOLID) &&
				       col[end] == col[tx])
					end++;
				tile_rect(e, tx, ty, &x, &y, &w, &h);
				tile_rect(e, end - 1, ty, &x1, &y1, &w1, &h1);
				w = x1 + w1 - x;
				/* the same run in the rows below goes with it */
				for (uint32_t ty2 = ty + 1; ty2 < e->th; ty2++) {
					uint8_t *fl2 = e->tflags + (size_t)ty2 * e->tw;
					const uint32_t *col2 = e->color + (size_t)ty2 * e->tw;
					uint32_t k = tx;
					while (k < end &&
					       (fl2[k] & (T_DIRTY | T_SOLID)) == (T_DIRTY | T_SOLID) &&
					       col2[k] == col[tx])
						k++;
					if (k < end)
						break;
					for (k = tx; k < end; k++)
						fl2[k] &= (uint8_t)~T_DIRTY;
					if (e->nlossy)
						set_lossy(e, tx, end, ty2, false);
					tile_rect(e, tx, ty2, &x1, &y1, &w1, &h1);
					h = y1 + h1 - y;
					e->st.tiles_fill += end - tx;
				}
				op_fill(f, x, y, w, h, col[tx]);
				if (src != e->shadow)
					fill_shadow(e, x, y, w, h, col[tx]);
				e->st.tiles_fill += end - tx;
			} else if (fl[tx] & T_VIDEO) {
				const uint8_t kind = T_DIRTY | T_VIDEO;
				while (end < e->tw && end - tx < XENC_RUN_TILES &&
				       (fl[end] & (T_DIRTY | T_SOLID | T_VIDEO)) == kind)
					end++;
				send_jpeg(f, src, stride, tx, end, ty);
				tx = end;
				continue;
			} else {
				while (end < e->tw &&
				       (fl[end] & (T_DIRTY | T_SOLID | T_VIDEO)) == T_DIRTY)
					end++;
				for (uint32_t a = tx, b; a < end; a = b) {
					b = end - a > XENC_RUN_TILES ? a + XENC_RUN_TILES : end;
					send_run(f, src, stride, a, b, ty);
				}
			}
			if (e->nlossy)
				set_lossy(e, tx, end, ty, false);
			tx = end;
		}
	}
}

static void xenc_free_tiles(struct rp_xenc *e)
{
	free(e->streak);
	free(e->changed_at);
	free(e->lossy);
	free(e->shadow);
	free(e->hash);
	free(e->color);
	free(e->tflags);
	free(e->rows_new);
	free(e->rows_old);
	free(e->row_cache);
	free(e->row_ok);
	free(e->votes);
	free(e->index);
	free(e->raw);
	free(e->comp);
}

/* The shadow at a new size: kept pixels at the top left, the rest black,
 * as the desk does with its buffer. */
static int xenc_resize(struct rp_xenc *e, uint16_t w, uint16_t h)
{
	uint16_t tw = (uint16_t)((w + XENC_TILE - 1) / XENC_TILE);
	uint16_t th = (uint16_t)((h + XENC_TILE - 1) / XENC_TILE);
	size_t nt = (size_t)tw * th;
	struct rp_xenc n = *e;

	n.shadow = calloc((size_t)w * h, 4);
	n.hash = calloc(nt, sizeof *n.hash);
	n.color = calloc(nt, sizeof *n.color);
	n.tflags = calloc(nt, 1);
	n.rows_new = calloc(h, sizeof *n.rows_new);
	n.rows_old = calloc(h, sizeof *n.rows_old);
	n.row_cache = calloc(h, sizeof *n.row_cache);
	n.row_ok = calloc(h, 1);
	n.votes = calloc((size_t)h * XENC_SCROLL_MAX_TWINS, sizeof *n.votes);
	n.index = calloc(h, sizeof *n.index);
	n.streak = calloc(nt, 1);
	n.changed_at = calloc(nt, sizeof *n.changed_at);
	n.lossy = calloc(nt, 1);
	/* one op's pixels at most, and no more than the window has: a menu's
	 * encoder is small */
	size_t op = (size_t)w * h < RP_XPIX_MAX_OP_PIXELS ? (size_t)w * h : RP_XPIX_MAX_OP_PIXELS;
	n.comp_cap = ZSTD_compressBound(op * 4);
	if ((size_t)LZ4_compressBound((int)op * 4) > n.comp_cap)
		n.comp_cap = (size_t)LZ4_compressBound((int)op * 4);
	/* a JPEG op: a run of XENC_RUN_TILES tiles of one tile row, at most */
	uint32_t jw = w < XENC_RUN_TILES * XENC_TILE ? w : XENC_RUN_TILES * XENC_TILE;
	uint32_t jh = h < XENC_TILE ? h : XENC_TILE;
	if (tjBufSize((int)jw, (int)jh, TJSAMP_420) > n.comp_cap)
		n.comp_cap = tjBufSize((int)jw, (int)jh, TJSAMP_420);
	n.raw = malloc(op * 4);
	n.comp = malloc(n.comp_cap);
	if (!n.shadow || !n.hash || !n.color || !n.tflags || !n.rows_new || !n.rows_old ||
	    !n.votes || !n.index || !n.row_cache || !n.row_ok || !n.raw || !n.comp || !n.streak ||
	    !n.changed_at || !n.lossy) {
		xenc_free_tiles(&n);
		return -ENOMEM;
	}
	if (e->shadow) {
		uint16_t kw = w < e->w ? w : e->w, kh = h < e->h ? h : e->h;
		for (uint32_t j = 0; j < kh; j++)
			memcpy(n.shadow + (size_t)j * w, e->shadow + (size_t)j * e->w,
			       (size_t)kw * 4);
		/* the desks keep their lossy pixels at the top left too */
		n.nlossy = 0;
		for (uint32_t ty = 0; ty < th && ty < e->th; ty++)
			for (uint32_t tx = 0; tx < tw && tx < e->tw; tx++)
				if (e->lossy[(size_t)ty * e->tw + tx]) {
					n.lossy[(size_t)ty * tw + tx] = 1;
					n.changed_at[(size_t)ty * tw + tx] =
						e->changed_at[(size_t)ty * e->tw + tx];
					n.nlossy++;
				}
		n.due_n = 0;
		n.due_stale = n.nlossy > 0; /* found again when asked */
	}
	xenc_free_tiles(e);
	n.w = w;
	n.h = h;
	n.tw = tw;
	n.th = th;
	*e = n;
	return 0;
}

struct rp_xenc *rp_xenc_create(uint32_t id, uint16_t w, uint16_t h)
{
	struct rp_xenc *e;

	if (!id || !dim_ok(w) || !dim_ok(h))
		return NULL;
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->id = id;
	e->zstd_permille = 250;
	e->payload = malloc(RP_MAX_PAYLOAD);
	if (!e->payload || xenc_resize(e, w, h) < 0) {
		rp_xenc_destroy(e);
		return NULL;
	}
	return e;
}

void rp_xenc_destroy(struct rp_xenc *e)
{
	if (!e)
		return;
	xenc_free_tiles(e);
	free(e->payload);
	ZSTD_freeCCtx(e->zc);
	if (e->tj)
		tjDestroy(e->tj);
	free(e);
}

void rp_xenc_stats(const struct rp_xenc *e, struct rp_xenc_stats *out)
{
	*out = e->st;
}

static void mark_rect(struct rp_xenc *e, uint32_t x, uint32_t y, uint32_t w, uint32_t h,
		      uint8_t set, uint8_t clear)
{
	uint32_t tx1 = (x + w - 1) / XENC_TILE, ty1 = (y + h - 1) / XENC_TILE;

	for (uint32_t ty = y / XENC_TILE; ty <= ty1; ty++)
		for (uint32_t tx = x / XENC_TILE; tx <= tx1; tx++) {
			uint8_t *fl = &e->tflags[(size_t)ty * e->tw + tx];
			*fl = (uint8_t)((*fl | set) & ~clear);
		}
}

static int cmp_row_hash(const void *a, const void *b)
{
	const struct row_hash *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->row > y->row) - (x->row < y->row);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* The first of the shadow rows with hash v in the sorted index, and how
 * many there are. */
static uint32_t rows_with(const struct row_hash *idx, uint32_t n, uint64_t v, uint32_t *count)
{
	uint32_t lo = 0, hi = n, k;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (idx[mid].h < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < n && idx[k].h == v; k++)
		;
	*count = k - lo;
	return lo;
}

static void shadow_copy(struct rp_xenc *e, uint32_t sx, uint32_t sy, uint32_t x, uint32_t y,
			uint32_t w, uint32_t h)
{
	struct apply a = {.px = e->shadow, .w = e->w, .h = e->h, .stride = e->w};
	copy_rect(&a, sx, sy, x, y, w, h);
}

/* A vertical scroll inside the damaged box x0,y0 w x h: rows of the new
 * picture that the shadow has dy rows higher or lower. Found by row
 * hashes: each changed row votes for its offset to every row of the
 * shadow with its hash (unless there are many: blank rows); the offset
 * with most votes is checked for its longest run of matching rows, which
 * is sent as COPY and done to the shadow. Tiles wholly under it are right
 * by their rows' hashes (trusted as the tiles' own are); those it covers
 * in part are compared again. True when rows_new has the new picture's
 * row hashes. */
static bool find_scroll(struct fw *f, const uint32_t *px, size_t stride, uint32_t x0, uint32_t y0,
			uint32_t w, uint32_t h)
{
	struct rp_xenc *e = f->e;
	uint64_t *hn = e->rows_new, *ho = e->rows_old;
	int32_t *votes = e->votes, best = 0;
	uint32_t nv = 0, changed = 0, best_n = 0, run_a = 0, run_n = 0, moved = 0;
	struct row_hash *idx = e->index;
	bool solid, whole = x0 == 0 && w == e->w;

	if (h < XENC_SCROLL_MIN_ROWS)
		return false;
	for (uint32_t j = 0; j < h; j++) {
		hn[j] = rect_hash(px, stride, x0, y0 + j, w, 1, &solid);
		if (whole && e->row_ok[y0 + j])
			ho[j] = e->row_cache[y0 + j];
		else
			ho[j] = rect_hash(e->shadow, e->w, x0, y0 + j, w, 1, &solid);
		changed += hn[j] != ho[j];
	}
	if (changed < XENC_SCROLL_MIN_MOVED)
		return true;
	for (uint32_t j = 0; j < h; j++)
		idx[j] = (struct row_hash){ho[j], (int32_t)j};
	qsort(idx, h, sizeof *idx, cmp_row_hash);
	for (uint32_t j = 0; j < h; j++) {
		uint32_t first, count;
		if (hn[j] == ho[j])
			continue;
		first = rows_with(idx, h, hn[j], &count);
		/* a row the shadow has many times (blank ones) says nothing */
		for (uint32_t k = 0; k < count && count <= XENC_SCROLL_MAX_TWINS; k++)
			votes[nv++] = (int32_t)j - idx[first + k].row;
	}
	if (!nv)
		return true;
	qsort(votes, nv, sizeof *votes, cmp_i32);
	for (uint32_t i = 0, k; i < nv; i = k) {
		for (k = i; k < nv && votes[k] == votes[i]; k++)
			;
		if (k - i > best_n) {
			best_n = k - i;
			best = votes[i];
		}
	}
	/* The longest run of rows j with new[j] == old[j - best]. */
	uint32_t lo = best > 0 ? (uint32_t)best : 0, hi = best < 0 ? h - (uint32_t)-best : h;
	for (uint32_t j = lo; j < hi;) {
		uint32_t k = j, m = 0;
		while (k < hi && hn[k] == ho[k - best]) {
			m += hn[k] != ho[k];
			k++;
		}
		if (k - j > run_n) {
			run_a = j;
			run_n = k - j;
			moved = m;
		}
		j = k > j ? k : j + 1;
	}
	if (moved < XENC_SCROLL_MIN_MOVED)
		return true;
	uint32_t dy = y0 + run_a, sy = (uint32_t)((int32_t)dy - best);
	op_copy(f, x0, sy, x0, dy, w, run_n);
	shadow_copy(e, x0, sy, x0, dy, w, run_n);
	mark_rect(e, x0, dy, w, run_n, T_CAND | T_COPIED, T_VALID);
	if (e->nlossy && rect_lossy(e, x0, sy, w, run_n))
		mark_lossy(e, x0, dy, w, run_n); /* the desks moved lossy pixels there */
	for (uint32_t ty = dy / XENC_TILE; ty <= (dy + run_n - 1) / XENC_TILE; ty++)
		for (uint32_t tx = x0 / XENC_TILE; tx <= (x0 + w - 1) / XENC_TILE; tx++) {
			uint32_t x, y, tw, th;
			tile_rect(e, tx, ty, &x, &y, &tw, &th);
			if (x >= x0 && x + tw <= x0 + w && y >= dy && y + th <= dy + run_n)
				e->tflags[(size_t)ty * e->tw + tx] |= T_INSIDE;
		}
	return true;
}

/* Clip a damage box to the window; false when nothing is left. */
static bool clip(const struct rp_xenc *e, const struct rp_xrect *r, uint32_t *x, uint32_t *y,
		 uint32_t *w, uint32_t *h)
{
	int64_t x0 = r->x, y0 = r->y, x1 = x0 + r->w, y1 = y0 + r->h;

	if (r->w <= 0 || r->h <= 0)
		return false;
	x0 = x0 < 0 ? 0 : x0;
	y0 = y0 < 0 ? 0 : y0;
	x1 = x1 > e->w ? e->w : x1;
	y1 = y1 > e->h ? e->h : y1;
	if (x0 >= x1 || y0 >= y1)
		return false;
	*x = (uint32_t)x0;
	*y = (uint32_t)y0;
	*w = (uint32_t)(x1 - x0);
	*h = (uint32_t)(y1 - y0);
	return true;
}

static void fw_init(struct fw *f, struct rp_xenc *e, uint32_t frame, uint32_t ack,
		    rp_xenc_emit_fn emit, void *ctx)
{
	memset(f, 0, sizeof *f);
	f->e = e;
	f->frame = frame;
	f->ack = ack;
	f->w = e->w;
	f->h = e->h;
	f->emit = emit;
	f->ctx = ctx;
	fw_head(f);
}

/* A small update (a typed character, a cursor, a blinking caret): at
 * most XENC_SMALL_PIXELS damaged, no lossy tile, none about to change
 * like video. */
static bool small_update(const struct rp_xenc *e, const struct rp_xrect *damage, size_t nrects)
{
	uint64_t area = 0;

	if (e->nlossy)
		return false;
	for (size_t i = 0; i < nrects; i++) {
		uint32_t x, y, w, h;
		if (!clip(e, &damage[i], &x, &y, &w, &h))
			continue;
		area += (uint64_t)w * h;
		if (area > XENC_SMALL_PIXELS)
			return false;
		if (!e->jpeg_quality)
			continue;
		for (uint32_t ty = y / XENC_TILE; ty <= (y + h - 1) / XENC_TILE; ty++)
			for (uint32_t tx = x / XENC_TILE; tx <= (x + w - 1) / XENC_TILE; tx++) {
				size_t t = (size_t)ty * e->tw + tx;
				if (e->streak[t] + 1 >= XENC_VIDEO_STREAK &&
				    e->now_ms - e->changed_at[t] <= XENC_VIDEO_GAP_MS)
					return false;
			}
	}
	return true;
}

/* A small update, rectangle by rectangle: each compared with the shadow
 * where it lies and the box that differs sent as it is. Nothing else of
 * its tiles is read: hashing or comparing a whole 64x64 tile for a glyph
 * of a few hundred pixels cost far more than the glyph (memory nobody
 * touched since the last key). A tile it changed has no hash until it
 * is next compared whole (rect_same, then hashed). */
static void send_small(struct fw *f, const uint32_t *px, size_t sp, const struct rp_xrect *damage,
		       size_t nrects)
{
	struct rp_xenc *e = f->e;

	for (size_t i = 0; i < nrects; i++) {
		uint32_t x, y, w, h;
		if (!clip(e, &damage[i], &x, &y, &w, &h))
			continue;
		if (!shrink(e, px, sp, &x, &y, &w, &h)) {
			e->st.tiles_same++;
			continue;
		}
		for (uint32_t ty = y / XENC_TILE; ty <= (y + h - 1) / XENC_TILE; ty++)
			for (uint32_t tx = x / XENC_TILE; tx <= (x + w - 1) / XENC_TILE; tx++) {
				size_t t = (size_t)ty * e->tw + tx;
				/* its change counted once an update, as a tile's */
				if (!(e->tflags[t] & T_DIRTY))
					tile_video(e, t, px, sp, 0, 0, 0, 0, true);
				e->tflags[t] = T_DIRTY; /* no hash now; cleared at the next update */
			}
		if (f->rc >= 0 && !(e->palette && (size_t)w * h >= XENC_SMALL_PALETTE_MIN_PIXELS &&
				    send_palette(f, px, sp, x, y, w, h))) {
			extract(e, px, sp, x, y, w, h);
			send_lz4(f, x, y, w, h);
		} else if (f->rc >= 0) {
			e->st.tiles_palette++;
		}
		commit(e, px, sp, x, y, w, h);
		memset(e->row_ok + y, 0, h);
	}
}

int rp_xenc_update(struct rp_xenc *e, const uint32_t *pixels, uint16_t w, uint16_t h,
		   size_t stride, const struct rp_xrect *damage, size_t nrects, uint32_t ack,
		   rp_xenc_emit_fn emit, void *ctx)
{
	size_t sp = stride / 4, nt;
	bool resized = w != e->w || h != e->h, any = false, hashed = false, small = false;
	bool first = !e->sent;
	uint32_t bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;
	struct fw f;

	if (!pixels || !dim_ok(w) || !dim_ok(h) || stride % 4 || sp < w)
		return -EINVAL;
	if (resized && xenc_resize(e, w, h) < 0)
		return -ENOMEM;
	nt = (size_t)e->tw * e->th;
	for (size_t t = 0; t < nt; t++)
		e->tflags[t] &= T_VALID;
	if (!damage || resized) {
		for (size_t t = 0; t < nt; t++)
			e->tflags[t] |= T_CAND;
		bx0 = by0 = 0;
		bx1 = w;
		by1 = h;
		any = true;
	} else {
		for (size_t i = 0; i < nrects; i++) {
			uint32_t x, y, rw, rh;
			if (!clip(e, &damage[i], &x, &y, &rw, &rh))
				continue;
			mark_rect(e, x, y, rw, rh, T_CAND, 0);
			bx0 = x < bx0 ? x : bx0;
			by0 = y < by0 ? y : by0;
			bx1 = x + rw > bx1 ? x + rw : bx1;
			by1 = y + rh > by1 ? y + rh : by1;
			any = true;
		}
	}
	if (!any)
		return 0;
	fw_init(&f, e, e->frame + 1, ack, emit, ctx);
	if (damage && !resized && small_update(e, damage, nrects)) {
		small = true;
		send_small(&f, pixels, sp, damage, nrects);
		if (f.rc >= 0 && (f.any || first))
			fw_flush(&f, true);
		goto sent;
	}
	if (!resized)
		hashed = find_scroll(&f, pixels, sp, bx0, by0, bx1 - bx0, by1 - by0);
	for (uint32_t ty = 0; ty < e->th; ty++)
		for (uint32_t tx = 0; tx < e->tw; tx++) {
			uint8_t *fl = &e->tflags[(size_t)ty * e->tw + tx];
			uint32_t x, y, tw, th;
			uint64_t hv;
			bool solid, same;

			if (!(*fl & T_CAND))
				continue;
			if (*fl & T_INSIDE) {
				/* right by its rows; its hash is left to be
				 * taken when it is compared next (the next
				 * scroll moves it again anyway) */
				e->st.tiles_copy++;
				continue;
			}
			tile_rect(e, tx, ty, &x, &y, &tw, &th);
			hv = rect_hash(pixels, sp, x, y, tw, th, &solid);
			if (*fl & T_VALID)
				same = e->hash[(size_t)ty * e->tw + tx] == hv;
			else
				same = rect_same(e, pixels, sp, x, y, tw, th);
			e->hash[(size_t)ty * e->tw + tx] = hv;
			*fl |= T_VALID;
			if (same) {
				if (*fl & T_COPIED)
					e->st.tiles_copy++;
				else
					e->st.tiles_same++;
				continue;
			}
			*fl |= T_DIRTY | (solid ? T_SOLID : 0);
			if (tile_video(e, (size_t)ty * e->tw + tx, pixels, sp, x, y, tw, th, solid))
				*fl |= T_VIDEO;
			e->color[(size_t)ty * e->tw + tx] = pixels[y * sp + x] & XENC_PIXEL_MASK;
		}
	send_dirty(&f, pixels, sp);
	if (f.rc >= 0 && (f.any || resized || first))
		fw_flush(&f, true);
sent:
	if (f.rc < 0) {
		/* What the desks have is not known now (the shadow has all of
		 * the update, they have part): the caller sends keyframes. A
		 * number that went out is not used again. */
		memset(e->row_ok, 0, e->h);
		if (f.frames)
			e->frame++;
		return f.rc;
	}
	/* The shadow's rows in the box are the new picture's now, if all of
	 * the box was compared (with several boxes, the gaps were not). */
	hashed = hashed && bx0 == 0 && bx1 == e->w && (!damage || resized || nrects == 1);
	for (uint32_t j = by0; j < by1 && hashed; j++) {
		e->row_ok[j] = true;
		e->row_cache[j] = e->rows_new[j - by0];
	}
	for (uint32_t j = by0; j < by1 && !hashed && !small; j++)
		e->row_ok[j] = false;
	if (f.frames) {
		e->frame++;
		e->st.updates++;
		e->sent = true;
	}
	return f.frames;
}

int rp_xenc_keyframe(struct rp_xenc *e, uint32_t ack, rp_xenc_emit_fn emit, void *ctx)
{
	struct fw f;

	fw_init(&f, e, e->frame, ack, emit, ctx);
	for (uint32_t ty = 0; ty < e->th; ty++)
		for (uint32_t tx = 0; tx < e->tw; tx++) {
			size_t t = (size_t)ty * e->tw + tx;
			uint32_t x, y, tw, th;
			bool solid;

			tile_rect(e, tx, ty, &x, &y, &tw, &th);
			e->hash[t] = rect_hash(e->shadow, e->w, x, y, tw, th, &solid);
			e->tflags[t] = T_VALID | T_DIRTY | (solid ? T_SOLID : 0);
			e->color[t] = e->shadow[(size_t)y * e->w + x];
		}
	send_dirty(&f, e->shadow, e->w);
	fw_flush(&f, true);
	return f.rc < 0 ? f.rc : f.frames;
}

void rp_xenc_lossy(struct rp_xenc *e, int quality)
{
	e->jpeg_quality = quality < 0 ? 0 : quality > 100 ? 100 : quality;
}

void rp_xenc_palette(struct rp_xenc *e, bool on)
{
	e->palette = on;
}

void rp_xenc_clock(struct rp_xenc *e, uint32_t now_ms)
{
	e->now_ms = now_ms;
}

long rp_xenc_refresh_in(struct rp_xenc *e, uint32_t now_ms)
{
	if (!e->nlossy)
		return -1;
	if (e->due_stale) {
		size_t nt = (size_t)e->tw * e->th;
		e->due_stale = false;
		e->due_n = 0;
		for (size_t t = 0; t < nt; t++)
			if (e->lossy[t])
				due_join(e, t);
		e->st.due_scans++;
	}
	uint32_t still = now_ms - e->due_at;
	return still >= XENC_REFRESH_MS ? 0 : (long)(XENC_REFRESH_MS - still);
}

long rp_xenc_refresh_in_scan(const struct rp_xenc *e, uint32_t now_ms)
{
	long soonest = -1;

	if (!e->nlossy)
		return -1;
	for (size_t t = 0; t < (size_t)e->tw * e->th; t++)
		if (e->lossy[t]) {
			uint32_t still = now_ms - e->changed_at[t];
			long in = still >= XENC_REFRESH_MS ? 0 : (long)(XENC_REFRESH_MS - still);
			if (soonest < 0 || in < soonest)
				soonest = in;
		}
	return soonest;
}

int rp_xenc_refresh(struct rp_xenc *e, uint32_t now_ms, uint32_t ack, rp_xenc_emit_fn emit,
		    void *ctx)
{
	size_t nt = (size_t)e->tw * e->th;
	struct fw f;

	if (!e->nlossy)
		return 0;
	for (size_t t = 0; t < nt; t++) {
		e->tflags[t] &= T_VALID;
		if (e->lossy[t] && now_ms - e->changed_at[t] >= XENC_REFRESH_MS)
			e->tflags[t] |= T_DIRTY;
	}
	fw_init(&f, e, e->frame + 1, ack, emit, ctx);
	/* from the shadow, which has the exact pixels; lossless sends clear
	 * the tiles' lossy marks */
	send_dirty(&f, e->shadow, e->w);
	if (f.rc >= 0 && f.any)
		fw_flush(&f, true);
	if (f.frames) {
		e->frame++;
		e->st.updates++;
		e->st.refreshes++;
	}
	return f.rc < 0 ? f.rc : f.frames;
}
