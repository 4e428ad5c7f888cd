/* libFuzzer target for the remote-proto decoder: the input is a byte
 * stream as a peer would send it, cut into frames by the header decoder
 * and each payload handed to its type's decoder, as the daemon does.
 * Every decoded string and byte range must lie inside the input; ASan
 * and UBSan check that, and the asserts check the decoders' promises. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "rp.h"

static void in_range(const uint8_t *base, size_t n, const void *p, size_t len)
{
	const uint8_t *q = p;

	assert(len == 0 || (q >= base && q + len <= base + n));
}

static void list_x(const uint8_t *p, size_t n, size_t off, bool flags)
{
	uint16_t nx;

	if (rp_list_x_decode(p, n, &off, &nx) < 0)
		return;
	assert(off <= n);
	for (unsigned i = 0; i < nx; i++) {
		struct rp_list_xsess s;
		if (rp_list_xsess_decode(p, n, &off, &s) < 0)
			return;
		assert(off <= n && s.name.n <= RP_MAX_NAME);
		in_range(p, n, s.name.p, s.name.n);
		for (unsigned k = 0; k < s.nwin; k++) {
			struct rp_list_xwin w;
			if (rp_list_xwin_decode(p, n, &off, flags, &w) < 0)
				return;
			assert(off <= n && w.title.n <= RP_MAX_STR && (flags || !w.flags));
			in_range(p, n, w.title.p, w.title.n);
		}
	}
}

static void payload(uint8_t type, const uint8_t *p, size_t n)
{
	struct rp_hello hello;
	struct rp_error err;
	struct rp_open open;
	struct rp_data d;
	struct rp_str s;
	struct kpty_termios t;
	struct kpty_winsize ws;
	struct rp_session_info e;
	uint32_t req;
	uint16_t count;
	uint8_t sig;
	bool flush;
	int32_t st;
	size_t off;

	switch (type) {
	case RP_HELLO:
		if (rp_hello_decode(p, n, &hello) == 0) {
			in_range(p, n, hello.token.p, hello.token.n);
			in_range(p, n, hello.name.p, hello.name.n);
		}
		break;
	case RP_ERROR:
		if (rp_error_decode(p, n, &err) == 0)
			in_range(p, n, err.msg.p, err.msg.n);
		break;
	case RP_OK:
		if (rp_req_str_decode(p, n, &req, &s) == 0)
			in_range(p, n, s.p, s.n);
		break;
	case RP_LIST:
	case RP_STOP:
		rp_req_decode(p, n, &req);
		break;
	case RP_LIST_REPLY:
		if (rp_list_reply_decode(p, n, &req, &count, &off) == 0) {
			unsigned i;
			for (i = 0; i < count; i++) {
				if (rp_list_entry_decode(p, n, &off, &e) < 0)
					break;
				in_range(p, n, e.name.p, e.name.n);
				assert(off <= n);
			}
			/* the X part after the entries, with and without
			 * each window's flags (telly view's and telly ls's
			 * reading of it) */
			if (i == count)
				for (int flags = 0; flags < 2; flags++)
					list_x(p, n, off, flags);
		}
		break;
	case RP_OPEN:
		if (rp_open_decode(p, n, &open) == 0) {
			assert(open.argc <= RP_MAX_ARGS);
			assert(open.name.n == 0 || rp_name_valid(open.name.p, open.name.n));
			for (unsigned i = 0; i < open.argc; i++) {
				in_range(p, n, open.argv[i].p, open.argv[i].n);
				assert(!memchr(open.argv[i].p, 0, open.argv[i].n));
			}
		}
		break;
	case RP_KILL:
		if (rp_kill_decode(p, n, &req, &s) == 0)
			assert(rp_name_valid(s.p, s.n));
		break;
	case RP_INPUT:
		if (rp_data_decode(p, n, &d) == 0)
			in_range(p, n, d.p, d.n);
		break;
	case RP_OUTPUT:
	case RP_OUTPUT_LZ4: {
		static uint8_t out[RP_MAX_OUTPUT];
		if (rp_output_decode(type, p, n, &d, out) == 0)
			assert(type == RP_OUTPUT ? (in_range(p, n, d.p, d.n), 1)
						 : d.p == out && d.n > 0 && d.n <= RP_MAX_OUTPUT);
		break;
	}
	case RP_TERMIOS: {
		struct rp_termios_at at;
		int r = rp_termios_decode(p, n, &t);
		/* The long form (RP_CAP_RETYPE) takes the short one too. */
		if (rp_termios_at_decode(p, n, &t, &at) == 0)
			assert(at.has || (r == 0 && !at.seq && !at.mark));
		else
			assert(r < 0);
		break;
	}
	case RP_TERMIOS_SEEN:
		rp_termios_seen_decode(p, n, &req);
		break;
	case RP_WINSIZE:
		rp_winsize_decode(p, n, &ws);
		break;
	case RP_SIGNAL:
		rp_signal_decode(p, n, &sig, &flush);
		break;
	case RP_EXIT:
		rp_exit_decode(p, n, &st);
		break;
	case RP_TIMING: {
		struct rp_timing t;
		rp_timing_decode(p, n, &t);
		break;
	}
	case RP_NOTICE: {
		struct rp_str text;
		if (rp_notice_decode(p, n, &text) == 0)
			in_range(p, n, (const uint8_t *)text.p, text.n);
		break;
	}
	case RP_CONTEXT: {
		struct rp_context c;
		if (rp_context_decode(p, n, &c) == 0) {
			in_range(p, n, c.comm.p, c.comm.n);
			assert(c.comm.n <= RP_MAX_COMM && !(c.flags & ~(uint32_t)RP_CTX_ALL));
			for (unsigned i = 0; i < c.comm.n; i++)
				assert(c.comm.p[i] >= 0x20 && c.comm.p[i] <= 0x7e);
		}
		break;
	}
	case RP_CONSUMED:
		rp_consumed_decode(p, n, &req);
		break;
	case RP_PING:
	case RP_PONG:
	case RP_SYNC: {
		uint64_t v;
		rp_u64_decode(p, n, &v);
		break;
	}
	case RP_TOKEN: {
		const uint8_t *tok;
		if (rp_token_decode(p, n, &tok) == 0)
			in_range(p, n, tok, RP_TOKEN_BYTES);
		break;
	}
	case RP_RESUME: {
		struct rp_resume m;
		if (rp_resume_decode(p, n, &m) == 0) {
			in_range(p, n, m.token, RP_TOKEN_BYTES);
			in_range(p, n, m.name.p, m.name.n);
			assert(rp_name_valid(m.name.p, m.name.n));
		}
		break;
	}
	case RP_RESUMED: {
		struct rp_resumed m;
		rp_resumed_decode(p, n, &m);
		break;
	}
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	struct rp_hdr h;

	while (rp_hdr_decode(data + off, size - off, &h) == 0) {
		assert(h.len <= RP_MAX_PAYLOAD);
		if (size - off - RP_HDR_SIZE < h.len)
			break;
		payload(h.type, data + off + RP_HDR_SIZE, h.len);
		off += RP_HDR_SIZE + h.len;
	}
	return 0;
}
