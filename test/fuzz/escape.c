/* libFuzzer target for vmconsole/escape.c's two scanners of outside bytes:
 * the escape scanner (keys typed by a desk or an SSH user: ~. ~B ~f ~?
 * ~~) and the stamping of log lines (what a guest prints).
 *
 * Input: byte 0 the escape character (0xff: none, as `-e none`), byte 1
 * the largest piece the stream is cut into (1 + byte 1), byte 2 the room
 * the log stamper gets (VMC_STAMP_LEN + 1 + byte 2), the rest the stream.
 *
 * The stream is scanned as the callers do (scan, act on the command, scan
 * the rest), whole, a byte at a time and in pseudo-random pieces, each
 * piece and its output room ending where their allocation ends (ASan sees
 * a byte more). Each way
 * must make progress and give the same bytes and commands, which must be
 * what the README says (the model below), and account for every byte:
 * sent + 2 a command + 1 a doubled escape + 1 pending at the end. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmc.h"

#define CMDS ".?Bf" /* what telly attach and the SSH front door ask for */

struct result {
	uint8_t *sent, *cmds;
	size_t nsent, ncmds;
	size_t *cmd_at; /* the stream offset after each command */
	bool pending;
};

static void result_init(struct result *r, size_t n)
{
	r->sent = malloc(n + 1);
	r->cmds = malloc(n + 1);
	r->cmd_at = malloc((n + 1) * sizeof *r->cmd_at);
	assert(r->sent && r->cmds && r->cmd_at);
	r->nsent = r->ncmds = 0;
	r->pending = false;
}

static void result_free(struct result *r)
{
	free(r->sent);
	free(r->cmds);
	free(r->cmd_at);
}

static uint32_t next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Scans in pieces of 1..maxpiece bytes (0: all at once); seed 0: pieces
 * of exactly maxpiece. */
static void scan(int ch, const uint8_t *in, size_t n, size_t maxpiece, uint32_t seed,
		 struct result *r)
{
	struct vmc_esc e;
	size_t off = 0, room = maxpiece && maxpiece < n ? maxpiece : n;
	/* Each piece is placed at the end of these, so that its bytes and the
	 * room vmc.h promises end where the allocation does: a byte more is
	 * an ASan finding. */
	uint8_t *chunk = malloc(room + 1), *out = malloc(room + 1);

	assert(chunk && out);
	vmc_esc_init(&e, ch);
	while (off < n) {
		size_t piece = n - off;
		if (maxpiece && piece > maxpiece)
			piece = maxpiece;
		if (maxpiece && seed)
			piece = 1 + next(&seed) % piece;
		while (piece) {
			uint8_t *src = chunk + room + 1 - piece, *dst = out + room - piece;
			size_t used = (size_t)-1, nout = (size_t)-1;
			int cmd;
			memcpy(src, in + off, piece);
			cmd = vmc_esc_scan(&e, CMDS, src, piece, &used, dst, &nout);
			assert(used >= 1 && used <= piece); /* else the callers' loops spin */
			assert(nout <= piece + 1);
			assert(cmd == 0 || (cmd < 256 && strchr(CMDS, cmd)));
			assert(cmd || used == piece);
			memcpy(r->sent + r->nsent, dst, nout);
			r->nsent += nout;
			assert(r->nsent <= off + used);
			off += used;
			piece -= used;
			if (cmd) {
				r->cmd_at[r->ncmds] = off;
				r->cmds[r->ncmds++] = (uint8_t)cmd;
			}
		}
	}
	r->pending = e.pending;
	free(chunk);
	free(out);
}

/* What the README says, a byte at a time: after a newline (or first),
 * the escape character and a command character is that command; the
 * escape character twice sends it once; with anything else both go. A
 * command or a doubled escape ends the line start. Counts the doubled
 * escapes. */
static size_t model(int ch, const uint8_t *in, size_t n, struct result *r)
{
	bool start = true, pending = false;
	size_t doubled = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];
		if (pending) {
			pending = false;
			if (b != ch && b && strchr(CMDS, b)) {
				r->cmd_at[r->ncmds] = i + 1;
				r->cmds[r->ncmds++] = b;
				start = false;
				continue;
			}
			r->sent[r->nsent++] = (uint8_t)ch;
			if (b == ch) {
				doubled++;
				start = false;
				continue;
			}
		}
		if (start && ch >= 0 && b == ch) {
			pending = true;
			continue;
		}
		r->sent[r->nsent++] = b;
		start = b == '\r' || b == '\n';
	}
	r->pending = pending;
	return doubled;
}

static void same(const struct result *a, const struct result *b, const char *how)
{
	if (a->nsent != b->nsent || memcmp(a->sent, b->sent, a->nsent) || a->ncmds != b->ncmds ||
	    memcmp(a->cmds, b->cmds, a->ncmds) ||
	    memcmp(a->cmd_at, b->cmd_at, a->ncmds * sizeof *a->cmd_at) || a->pending != b->pending) {
		fprintf(stderr, "escapes scanned %s differ: sent %zu/%zu, commands %zu/%zu\n", how,
			a->nsent, b->nsent, a->ncmds, b->ncmds);
		abort();
	}
}

static void escapes(int ch, const uint8_t *in, size_t n, size_t maxpiece, uint32_t seed)
{
	struct result whole, bytes, pieces, want;
	size_t doubled;

	result_init(&whole, n);
	result_init(&bytes, n);
	result_init(&pieces, n);
	result_init(&want, n);
	scan(ch, in, n, 0, 0, &whole);
	scan(ch, in, n, 1, 0, &bytes);
	scan(ch, in, n, maxpiece, seed, &pieces);
	doubled = model(ch, in, n, &want);
	assert(want.nsent + 2 * want.ncmds + doubled + want.pending == n);
	same(&whole, &want, "whole and as the README says");
	same(&bytes, &want, "a byte at a time");
	same(&pieces, &want, "in pieces");
	result_free(&whole);
	result_free(&bytes);
	result_free(&pieces);
	result_free(&want);
}

/* Log stamps: a stamp before the first byte of each line, whatever the
 * pieces and however little room; nothing lost, nothing doubled. */
static void stamps(const uint8_t *in, size_t n, size_t maxpiece, uint32_t seed, size_t cap)
{
	static const char stamp[VMC_STAMP_LEN + 1] = "2026-11-22T06:30:01.123 ";
	struct vmc_stamp st = {0};
	size_t lines = 0, got = 0, off = 0, room;
	uint8_t *want, *all, *chunk, *out;

	for (size_t i = 0; i < n; i++)
		lines += i == 0 || in[i - 1] == '\n';
	want = malloc(n + lines * VMC_STAMP_LEN + 1);
	all = malloc(n + lines * VMC_STAMP_LEN + 1);
	assert(want && all);
	for (size_t i = 0, o = 0; i < n; i++) {
		if (i == 0 || in[i - 1] == '\n') {
			memcpy(want + o, stamp, VMC_STAMP_LEN);
			o += VMC_STAMP_LEN;
		}
		want[o++] = in[i];
	}
	room = maxpiece < n ? maxpiece : n;
	chunk = malloc(room + 1); /* pieces end where it does, as above */
	out = malloc(cap);
	assert(chunk && out);
	while (off < n) {
		size_t piece = n - off < maxpiece ? n - off : maxpiece;
		piece = 1 + next(&seed) % piece;
		while (piece) {
			uint8_t *src = chunk + room + 1 - piece;
			size_t used = (size_t)-1, o;
			memcpy(src, in + off, piece);
			o = vmc_stamp_lines(&st, stamp, src, piece, out, cap, &used);
			assert(used >= 1 && used <= piece && o <= cap);
			assert(got + o <= n + lines * VMC_STAMP_LEN);
			memcpy(all + got, out, o);
			got += o;
			off += used;
			piece -= used;
		}
	}
	free(chunk);
	free(out);
	if (got != n + lines * VMC_STAMP_LEN || memcmp(all, want, got)) {
		fprintf(stderr, "stamped log differs: %zu bytes, expected %zu\n", got,
			n + lines * VMC_STAMP_LEN);
		abort();
	}
	free(want);
	free(all);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int ch;
	size_t maxpiece, cap;
	uint32_t seed;

	if (size < 3)
		return 0;
	ch = data[0] == 0xff ? -1 : data[0];
	maxpiece = 1 + (size_t)data[1];
	cap = VMC_STAMP_LEN + 1 + (size_t)data[2];
	seed = 0x9e3779b9u ^ (uint32_t)size ^ ((uint32_t)data[1] << 8) ^ ((uint32_t)data[2] << 16);
	escapes(ch, data + 3, size - 3, maxpiece, seed);
	stamps(data + 3, size - 3, maxpiece, seed, cap);
	return 0;
}
