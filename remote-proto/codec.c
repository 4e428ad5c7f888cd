/* The remote-proto codec (see rp.h and PROTOCOL.md). A reader cursor turns
 * every overrun into a sticky error, so each decoder reads its fields in
 * order and checks once at the end that nothing overran and nothing is left.
 */
#include <errno.h>
#include <lz4.h>
#include <string.h>

#include "rd.h"
#include "rp.h"

int rp_hdr_decode(const uint8_t *buf, size_t n, struct rp_hdr *h)
{
	if (n < RP_HDR_SIZE)
		return 1;
	h->type = buf[0];
	h->flags = buf[1];
	h->chan = (uint16_t)(buf[2] << 8 | buf[3]);
	h->len = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	if (h->type == 0)
		return -EPROTO;
	if (h->len > RP_MAX_PAYLOAD)
		return -EMSGSIZE;
	return 0;
}

void rp_hdr_encode(uint8_t out[RP_HDR_SIZE], uint8_t type, uint8_t flags, uint16_t chan,
		   uint32_t len)
{
	out[0] = type;
	out[1] = flags;
	out[2] = (uint8_t)(chan >> 8);
	out[3] = (uint8_t)chan;
	out[4] = (uint8_t)(len >> 24);
	out[5] = (uint8_t)(len >> 16);
	out[6] = (uint8_t)(len >> 8);
	out[7] = (uint8_t)len;
}

int rp_hello_decode(const uint8_t *p, size_t n, struct rp_hello *m)
{
	struct rd r;
	const uint8_t *magic;

	rd_init(&r, p, n);
	magic = take(&r, 5);
	if (!magic || memcmp(magic, "TELLY", 5))
		return -EPROTO;
	m->version = get_u16(&r);
	m->caps = get_u32(&r);
	m->token = get_str(&r);
	m->name = get_str(&r);
	return done(&r);
}

int rp_error_decode(const uint8_t *p, size_t n, struct rp_error *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->code = get_u16(&r);
	m->req = get_u32(&r);
	m->msg = get_str(&r);
	return done(&r);
}

int rp_req_decode(const uint8_t *p, size_t n, uint32_t *req)
{
	struct rd r;

	rd_init(&r, p, n);
	*req = get_u32(&r);
	return done(&r);
}

int rp_req_str_decode(const uint8_t *p, size_t n, uint32_t *req, struct rp_str *str)
{
	struct rd r;

	rd_init(&r, p, n);
	*req = get_u32(&r);
	*str = get_str(&r);
	return done(&r);
}

int rp_notice_decode(const uint8_t *p, size_t n, struct rp_str *text)
{
	struct rd r;

	rd_init(&r, p, n);
	*text = get_str(&r);
	return done(&r);
}

int rp_kill_decode(const uint8_t *p, size_t n, uint32_t *req, struct rp_str *name)
{
	int r = rp_req_str_decode(p, n, req, name);

	if (r == 0 && !rp_name_valid(name->p, name->n))
		return -EPROTO;
	return r;
}

static void get_winsize(struct rd *r, struct kpty_winsize *ws)
{
	ws->ws_row = get_u16(r);
	ws->ws_col = get_u16(r);
	ws->ws_xpixel = get_u16(r);
	ws->ws_ypixel = get_u16(r);
}

int rp_open_decode(const uint8_t *p, size_t n, struct rp_open *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->req = get_u32(&r);
	m->flags = get_u8(&r);
	m->name = get_str(&r);
	m->term = get_str(&r);
	m->cwd = get_str(&r);
	get_winsize(&r, &m->ws);
	m->argc = get_u16(&r);
	if (r.bad || m->argc > RP_MAX_ARGS)
		return -EPROTO;
	for (unsigned i = 0; i < m->argc; i++) {
		m->argv[i] = get_str(&r);
		/* argv strings become C strings on the host */
		if (!r.bad && memchr(m->argv[i].p, 0, m->argv[i].n))
			return -EPROTO;
	}
	m->display = (struct rp_str){"", 0};
	if (m->flags & RP_OPEN_DISPLAY) {
		m->display = get_str(&r);
		if (!r.bad && !rp_name_valid(m->display.p, m->display.n))
			return -EPROTO;
	}
	/* More flags, from a desk that knows the host reads them. */
	m->more = !r.bad && r.off < n ? get_u8(&r) : 0;
	/* An empty name asks the host to choose one. */
	if (!r.bad && m->name.n && !rp_name_valid(m->name.p, m->name.n))
		return -EPROTO;
	if (!r.bad && (memchr(m->term.p, 0, m->term.n) || memchr(m->cwd.p, 0, m->cwd.n)))
		return -EPROTO;
	return done(&r);
}

int rp_data_decode(const uint8_t *p, size_t n, struct rp_data *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	if (r.bad)
		return -EPROTO;
	m->p = p + r.off;
	m->n = (uint32_t)(n - r.off);
	return 0;
}

int rp_output_decode(uint8_t type, const uint8_t *p, size_t n, struct rp_data *m, uint8_t *out)
{
	struct rd r;
	uint32_t len;

	if (type == RP_OUTPUT)
		return rp_data_decode(p, n, m);
	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	len = get_u32(&r);
	/* The block must be shorter than what it stands for: a sender only
	 * compresses when that pays, and a bound on the work a frame asks. */
	if (r.bad || type != RP_OUTPUT_LZ4 || !len || len > RP_MAX_OUTPUT || n - r.off >= len ||
	    LZ4_decompress_safe((const char *)p + r.off, (char *)out, (int)(n - r.off), (int)len) !=
		    (int)len)
		return -EPROTO;
	m->p = out;
	m->n = len;
	return 0;
}

size_t rp_lz4_bound(size_t n)
{
	return 4 + (size_t)LZ4_compressBound((int)n);
}

size_t rp_lz4_pack(const uint8_t *src, size_t n, uint8_t *out)
{
	int z;

	if (!n || n > RP_MAX_OUTPUT)
		return 0;
	z = LZ4_compress_default((const char *)src, (char *)out + 4, (int)n, LZ4_compressBound((int)n));
	if (z <= 0 || (size_t)z + 4 >= n)
		return 0;
	out[0] = (uint8_t)(n >> 24);
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	return (size_t)z + 4;
}

int rp_termios_decode(const uint8_t *p, size_t n, struct kpty_termios *t)
{
	struct rd r;
	const uint8_t *cc;

	rd_init(&r, p, n);
	t->c_iflag = get_u32(&r);
	t->c_oflag = get_u32(&r);
	t->c_cflag = get_u32(&r);
	t->c_lflag = get_u32(&r);
	if (get_u8(&r) != KPTY_NCCS)
		return -EPROTO;
	cc = take(&r, KPTY_NCCS);
	if (cc)
		memcpy(t->c_cc, cc, KPTY_NCCS);
	return done(&r);
}

int rp_termios_at_decode(const uint8_t *p, size_t n, struct kpty_termios *t,
			 struct rp_termios_at *at)
{
	enum { TERMIOS_BYTES = 4 * 4 + 1 + KPTY_NCCS };
	struct rd r;

	*at = (struct rp_termios_at){0};
	if (n != TERMIOS_BYTES + 8)
		return rp_termios_decode(p, n, t);
	if (rp_termios_decode(p, TERMIOS_BYTES, t) < 0)
		return -EPROTO;
	rd_init(&r, p + TERMIOS_BYTES, 8);
	at->has = true;
	at->seq = get_u32(&r);
	at->mark = get_u32(&r);
	return done(&r);
}

int rp_winsize_decode(const uint8_t *p, size_t n, struct kpty_winsize *ws)
{
	struct rd r;

	rd_init(&r, p, n);
	get_winsize(&r, ws);
	return done(&r);
}

int rp_signal_decode(const uint8_t *p, size_t n, uint8_t *sig, bool *flush)
{
	struct rd r;

	rd_init(&r, p, n);
	*sig = get_u8(&r);
	*flush = get_u8(&r) != 0;
	return done(&r);
}

int rp_exit_decode(const uint8_t *p, size_t n, int32_t *status)
{
	struct rd r;

	rd_init(&r, p, n);
	*status = (int32_t)get_u32(&r);
	return done(&r);
}

int rp_timing_decode(const uint8_t *p, size_t n, struct rp_timing *t)
{
	struct rd r;

	rd_init(&r, p, n);
	t->seq = get_u32(&r);
	t->t_input = get_u64(&r);
	t->t_written = get_u64(&r);
	t->t_read = get_u64(&r);
	t->t_sent = get_u64(&r);
	return done(&r);
}

int rp_context_decode(const uint8_t *p, size_t n, struct rp_context *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->seq = get_u32(&r);
	m->flags = get_u32(&r);
	m->pgid = get_u32(&r);
	m->comm = get_str(&r);
	if (r.bad || (m->flags & ~(uint32_t)RP_CTX_ALL) || m->comm.n > RP_MAX_COMM)
		return -EPROTO;
	for (unsigned i = 0; i < m->comm.n; i++)
		if (m->comm.p[i] < 0x20 || m->comm.p[i] > 0x7e)
			return -EPROTO; /* shown to the person, and a context's key */
	return done(&r);
}

long rp_context_frame(uint8_t *buf, size_t cap, uint16_t chan, uint32_t seq, uint32_t flags,
		      uint32_t pgid, const char *comm, size_t n)
{
	char safe[RP_MAX_COMM];
	struct rp_enc e;

	if (n > RP_MAX_COMM)
		n = RP_MAX_COMM;
	for (size_t i = 0; i < n; i++)
		safe[i] = comm[i] >= 0x20 && comm[i] <= 0x7e ? comm[i] : '?';
	rp_enc_begin(&e, buf, cap, RP_CONTEXT, 0, chan);
	rp_put_u32(&e, seq);
	rp_put_u32(&e, flags & RP_CTX_ALL);
	rp_put_u32(&e, pgid);
	rp_put_str(&e, safe, n);
	return rp_enc_end(&e);
}

int rp_consumed_decode(const uint8_t *p, size_t n, uint32_t *seq)
{
	struct rd r;

	rd_init(&r, p, n);
	*seq = get_u32(&r);
	return done(&r);
}

int rp_termios_seen_decode(const uint8_t *p, size_t n, uint32_t *mark)
{
	return rp_consumed_decode(p, n, mark);
}

int rp_u64_decode(const uint8_t *p, size_t n, uint64_t *v)
{
	struct rd r;

	rd_init(&r, p, n);
	*v = get_u64(&r);
	return done(&r);
}

int rp_token_decode(const uint8_t *p, size_t n, const uint8_t **token)
{
	struct rd r;

	rd_init(&r, p, n);
	*token = take(&r, RP_TOKEN_BYTES);
	return done(&r);
}

int rp_resume_decode(const uint8_t *p, size_t n, struct rp_resume *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->req = get_u32(&r);
	m->name = get_str(&r);
	m->token = take(&r, RP_TOKEN_BYTES);
	m->offset = get_u64(&r);
	m->seq = get_u32(&r);
	m->ahead = 0;
	m->first_seq = m->first_after = 0;
	if (!r.bad && r.n - r.off > 0) { /* RP_CAP_AHEAD's fields, all or none */
		m->ahead = get_u16(&r);
		m->first_seq = get_u32(&r);
		m->first_after = get_u32(&r);
		if (!r.bad && m->ahead == 0)
			return -EPROTO;
	}
	if (!r.bad && !rp_name_valid(m->name.p, m->name.n))
		return -EPROTO;
	return done(&r);
}

int rp_resumed_decode(const uint8_t *p, size_t n, struct rp_resumed *m)
{
	struct rd r;

	rd_init(&r, p, n);
	m->req = get_u32(&r);
	m->seq = get_u32(&r);
	m->after = get_u32(&r);
	m->offset = get_u64(&r);
	return done(&r);
}

int rp_list_reply_decode(const uint8_t *p, size_t n, uint32_t *req, uint16_t *count,
			 size_t *off)
{
	struct rd r;

	rd_init(&r, p, n);
	*req = get_u32(&r);
	*count = get_u16(&r);
	*off = r.off;
	return r.bad ? -EPROTO : 0;
}

/* A reader of p from off (a part of a payload read piece by piece). */
static void rd_from(struct rd *r, const uint8_t *p, size_t n, size_t off)
{
	rd_init(r, p, n);
	r->off = off > n ? n : off;
}

int rp_list_entry_decode(const uint8_t *p, size_t n, size_t *off, struct rp_session_info *e)
{
	struct rd r;

	rd_from(&r, p, n, *off);
	e->name = get_str(&r);
	e->cmd = get_str(&r);
	e->pid = get_u32(&r);
	e->rows = get_u16(&r);
	e->cols = get_u16(&r);
	e->viewers = get_u16(&r);
	*off = r.off;
	return r.bad ? -EPROTO : 0;
}

int rp_list_x_decode(const uint8_t *p, size_t n, size_t *off, uint16_t *count)
{
	struct rd r;

	rd_from(&r, p, n, *off);
	*count = get_u16(&r);
	*off = r.off;
	return r.bad ? -EPROTO : 0;
}

int rp_list_xsess_decode(const uint8_t *p, size_t n, size_t *off, struct rp_list_xsess *s)
{
	struct rd r;

	rd_from(&r, p, n, *off);
	s->name = get_str(&r);
	s->dpy = get_u32(&r);
	s->nwin = get_u16(&r);
	*off = r.off;
	return r.bad || s->name.n > RP_MAX_NAME ? -EPROTO : 0;
}

int rp_list_xwin_decode(const uint8_t *p, size_t n, size_t *off, bool flags,
			struct rp_list_xwin *w)
{
	struct rd r;

	rd_from(&r, p, n, *off);
	w->id = get_u32(&r);
	w->x = (int16_t)get_u16(&r);
	w->y = (int16_t)get_u16(&r);
	w->w = get_u16(&r);
	w->h = get_u16(&r);
	w->title = get_str(&r);
	w->flags = flags ? get_u16(&r) : 0;
	*off = r.off;
	return r.bad ? -EPROTO : 0;
}

bool rp_name_valid(const char *p, size_t n)
{
	if (!p || n == 0 || n > RP_MAX_NAME || p[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

void rp_enc_begin(struct rp_enc *e, void *buf, size_t cap, uint8_t type, uint8_t flags,
		  uint16_t chan)
{
	e->buf = buf;
	e->cap = cap;
	e->len = RP_HDR_SIZE;
	e->over = cap < RP_HDR_SIZE;
	e->type = type;
	e->flags = flags;
	e->chan = chan;
}

static uint8_t *room(struct rp_enc *e, size_t n)
{
	if (e->over || n > e->cap - e->len || e->len + n > RP_MAX_FRAME) {
		e->over = true;
		return NULL;
	}
	uint8_t *p = e->buf + e->len;
	e->len += n;
	return p;
}

void rp_put_u8(struct rp_enc *e, uint8_t v)
{
	uint8_t *p = room(e, 1);
	if (p)
		p[0] = v;
}

void rp_put_u16(struct rp_enc *e, uint16_t v)
{
	uint8_t *p = room(e, 2);
	if (p) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

void rp_put_u32(struct rp_enc *e, uint32_t v)
{
	uint8_t *p = room(e, 4);
	if (p) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void rp_put_bytes(struct rp_enc *e, const void *src, size_t n)
{
	uint8_t *p = room(e, n);
	if (p && n)
		memcpy(p, src, n);
}

void rp_put_str(struct rp_enc *e, const char *s, size_t n)
{
	if (n > RP_MAX_STR) {
		e->over = true;
		return;
	}
	rp_put_u16(e, (uint16_t)n);
	rp_put_bytes(e, s, n);
}

void rp_put_termios(struct rp_enc *e, const struct kpty_termios *t)
{
	rp_put_u32(e, t->c_iflag);
	rp_put_u32(e, t->c_oflag);
	rp_put_u32(e, t->c_cflag);
	rp_put_u32(e, t->c_lflag);
	rp_put_u8(e, KPTY_NCCS);
	rp_put_bytes(e, t->c_cc, KPTY_NCCS);
}

void rp_put_winsize(struct rp_enc *e, const struct kpty_winsize *ws)
{
	rp_put_u16(e, ws->ws_row);
	rp_put_u16(e, ws->ws_col);
	rp_put_u16(e, ws->ws_xpixel);
	rp_put_u16(e, ws->ws_ypixel);
}

long rp_enc_end(struct rp_enc *e)
{
	if (e->over)
		return -EMSGSIZE;
	rp_hdr_encode(e->buf, e->type, e->flags, e->chan, (uint32_t)(e->len - RP_HDR_SIZE));
	return (long)e->len;
}

void rp_put_u64(struct rp_enc *e, uint64_t v)
{
	rp_put_u32(e, (uint32_t)(v >> 32));
	rp_put_u32(e, (uint32_t)v);
}

void rp_put_timing(struct rp_enc *e, const struct rp_timing *t)
{
	const uint64_t v[4] = {t->t_input, t->t_written, t->t_read, t->t_sent};

	rp_put_u32(e, t->seq);
	for (int i = 0; i < 4; i++) {
		rp_put_u32(e, (uint32_t)(v[i] >> 32));
		rp_put_u32(e, (uint32_t)v[i]);
	}
}

long rp_hello_frame(uint8_t *buf, size_t cap, uint32_t caps, const char *token, const char *name)
{
	struct rp_enc e;

	rp_enc_begin(&e, buf, cap, RP_HELLO, 0, 0);
	rp_put_bytes(&e, "TELLY", 5);
	rp_put_u16(&e, RP_VERSION);
	rp_put_u32(&e, caps);
	rp_put_str(&e, token, strlen(token));
	rp_put_str(&e, name, strlen(name));
	return rp_enc_end(&e);
}

long rp_open_frame(uint8_t *buf, size_t cap, uint32_t req, uint8_t flags, const char *name,
		   const char *term, const char *cwd, const struct kpty_winsize *ws, char *const *argv,
		   int argc)
{
	struct rp_enc e;

	if (argc > RP_MAX_ARGS)
		return -EMSGSIZE;
	rp_enc_begin(&e, buf, cap, RP_OPEN, 0, 0);
	rp_put_u32(&e, req);
	rp_put_u8(&e, flags);
	rp_put_str(&e, name, strlen(name));
	rp_put_str(&e, term ? term : "", term ? strlen(term) : 0);
	rp_put_str(&e, cwd, strlen(cwd));
	rp_put_winsize(&e, ws);
	rp_put_u16(&e, (uint16_t)argc);
	for (int i = 0; i < argc; i++)
		rp_put_str(&e, argv[i], strlen(argv[i]));
	return rp_enc_end(&e);
}

long rp_open_append(uint8_t *buf, size_t cap, long n, const void *p, size_t len)
{
	if (n < RP_HDR_SIZE)
		return n < 0 ? n : -EMSGSIZE;
	if ((size_t)n + len > cap || (size_t)n - RP_HDR_SIZE + len > RP_MAX_PAYLOAD)
		return -EMSGSIZE;
	memcpy(buf + n, p, len);
	n += (long)len;
	rp_hdr_encode(buf, RP_OPEN, 0, 0, (uint32_t)(n - RP_HDR_SIZE));
	return n;
}

int rp_host_port(const char *s, char *host, size_t hn, const char **port)
{
	const char *colon = strrchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : 0;

	if (!colon || !len || !colon[1])
		return -EINVAL;
	if (s[0] == '[' && len >= 2 && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	if (!len || len >= hn)
		return -EINVAL;
	memcpy(host, s, len);
	host[len] = 0;
	*port = colon + 1;
	return 0;
}

const char *rp_type_name(uint8_t type)
{
	static const char *const names[] = {
		[RP_HELLO] = "HELLO",     [RP_ERROR] = "ERROR",     [RP_OK] = "OK",
		[RP_LIST] = "LIST",       [RP_LIST_REPLY] = "LIST_REPLY",
		[RP_OPEN] = "OPEN",       [RP_KILL] = "KILL",       [RP_STOP] = "STOP",
		[RP_INPUT] = "INPUT",     [RP_OUTPUT] = "OUTPUT",   [RP_TERMIOS] = "TERMIOS",
		[RP_WINSIZE] = "WINSIZE", [RP_SIGNAL] = "SIGNAL",   [RP_ECHO] = "ECHO",
		[RP_SNAPSHOT] = "SNAPSHOT", [RP_EXIT] = "EXIT",     [RP_DETACH] = "DETACH",
		[RP_HANDOFF] = "HANDOFF", [RP_TIMING] = "TIMING",   [RP_BREAK] = "BREAK",
		[RP_TAKEOVER] = "TAKEOVER", [RP_NOTICE] = "NOTICE",     [RP_OUTPUT_LZ4] = "OUTPUT_LZ4",
		[RP_CONTEXT] = "CONTEXT", [RP_CONSUMED] = "CONSUMED",
		[RP_DIRECT] = "DIRECT",
		[RP_XWIN] = "XWIN",       [RP_XGONE] = "XGONE",     [RP_XPIXELS] = "XPIXELS",
		[RP_XCURSOR] = "XCURSOR", [RP_XCLIP] = "XCLIP",     [RP_XKEY] = "XKEY",
		[RP_XPOINTER] = "XPOINTER", [RP_XCONFIGURE] = "XCONFIGURE", [RP_XCLOSE] = "XCLOSE",
		[RP_XKEYMAP] = "XKEYMAP", [RP_XACK] = "XACK",     [RP_XTIMING] = "XTIMING",
		[RP_XFOCUS] = "XFOCUS",
		[RP_XSCREEN] = "XSCREEN", [RP_TERMIOS_SEEN] = "TERMIOS_SEEN",
		[RP_XSHAPE] = "XSHAPE",
		[RP_XOUTPUT] = "XOUTPUT", [RP_XCLIPAGE] = "XCLIPAGE",
		[RP_XLASTS] = "XLASTS", [RP_XMOVERESIZE] = "XMOVERESIZE",
		[RP_PING] = "PING",       [RP_PONG] = "PONG",       [RP_TOKEN] = "TOKEN",
		[RP_RESUME] = "RESUME",   [RP_RESUMED] = "RESUMED", [RP_SYNC] = "SYNC",
	};
	if (type < sizeof names / sizeof names[0] && names[type])
		return names[type];
	return "unknown";
}

void rp_output_hdr_encode(uint8_t out[RP_HDR_SIZE + 4], bool lz4, uint16_t chan, uint32_t ack,
			  uint32_t body_len)
{
	rp_hdr_encode(out, lz4 ? RP_OUTPUT_LZ4 : RP_OUTPUT, 0, chan, 4 + body_len);
	out[8] = (uint8_t)(ack >> 24);
	out[9] = (uint8_t)(ack >> 16);
	out[10] = (uint8_t)(ack >> 8);
	out[11] = (uint8_t)ack;
}
