/* libFuzzer target for the consoles file (vmconsole/config.c): the input
 * is the file's bytes, as vmc_read_file hands them to vmc_config_parse
 * (no NUL after them). Lines at its start of the form "--console ARG" are
 * first given to vmc_config_add_arg, as serve does with its arguments.
 *
 * A refused file must say "consoles:LINE: why" and keep nothing of
 * itself; an accepted one must hold only what the README allows, and
 * written out again it must read back the same. The first line also goes
 * to base_parse_size, checked against a sum that cannot overflow. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"
#include "vmc.h"

#define ARG_PREFIX "--console "
#define ARGS_MAX 4

/* The sizes the README allows: digits, then K, M or G, 4096 to 1 TiB. */
static int size_ref(const char *s, size_t *out)
{
	unsigned __int128 v = 0;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((v = v * 10 + (unsigned)(*s - '0')) > ((unsigned __int128)1 << 41))
			v = ((unsigned __int128)1 << 41) + 1; /* too big whatever follows */
	if (*s == 'K' || *s == 'k')
		v <<= 10, s++;
	else if (*s == 'M' || *s == 'm')
		v <<= 20, s++;
	else if (*s == 'G' || *s == 'g')
		v <<= 30, s++;
	if (*s || v < 4096 || v > ((unsigned __int128)1 << 40))
		return -EINVAL;
	*out = (size_t)v;
	return 0;
}

static void check_size(const uint8_t *data, size_t size)
{
	char s[64];
	size_t n = 0, got = 0, want = 0;
	int r, rr;

	while (n < size && n < sizeof s - 1 && data[n] && data[n] != '\n')
		n++;
	memcpy(s, data, n);
	s[n] = 0;
	r = base_parse_size(s, &got);
	rr = size_ref(s, &want);
	if (r != rr || (r == 0 && got != want)) {
		fprintf(stderr, "base_parse_size(\"%s\"): %d %zu, expected %d %zu\n", s, r, got, rr, want);
		abort();
	}
}

static void check_grants(const struct vmc_grant *g, unsigned n)
{
	assert(n <= VMC_GRANTS_MAX);
	for (unsigned i = 0; i < n; i++) {
		size_t len = strnlen(g[i].pattern, sizeof g[i].pattern);
		assert(len >= 1 && len <= VMC_NAME_MAX);
		assert(!strpbrk(g[i].pattern, ", \t:"));
		assert(g[i].right == VMC_RO || g[i].right == VMC_RW);
	}
	/* fnmatch on what the file gave, as at every login. */
	(void)vmc_grants_right(g, n, "alice");
	(void)vmc_grants_right(g, n, "ops-1");
}

static void check_spec(const struct vmc_spec *s)
{
	size_t tl = strnlen(s->target, sizeof s->target);

	assert(rp_name_valid(s->name, strnlen(s->name, sizeof s->name)));
	assert(s->kind == VMC_UNIX || s->kind == VMC_PTY || s->kind == VMC_TCP ||
	       s->kind == VMC_EXEC);
	assert(tl >= 1 && tl <= VMC_TARGET_MAX);
	if (s->kind == VMC_UNIX || s->kind == VMC_PTY)
		assert(s->target[0] == '/');
	if (s->kind == VMC_UNIX)
		assert(tl < 108);
	if (s->kind == VMC_TCP) {
		const char *pc = strrchr(s->target, ':');
		assert(pc && pc != s->target && atol(pc + 1) >= 1 && atol(pc + 1) <= 65535);
	}
	assert(!s->log[0] || (s->log[0] == '/' && strnlen(s->log, sizeof s->log) <= VMC_PATH_MAX - 3));
	assert(s->log_cap >= 4096 && s->log_cap <= (1ull << 40));
	assert(s->log_keep <= 99);
	check_grants(s->users, s->nusers);
}

static bool same_spec(const struct vmc_spec *a, const struct vmc_spec *b)
{
	if (strcmp(a->name, b->name) || a->kind != b->kind || strcmp(a->target, b->target) ||
	    strcmp(a->log, b->log) || a->log_cap != b->log_cap || a->log_keep != b->log_keep ||
	    a->nusers != b->nusers)
		return false;
	for (unsigned i = 0; i < a->nusers; i++)
		if (strcmp(a->users[i].pattern, b->users[i].pattern) ||
		    a->users[i].right != b->users[i].right)
			return false;
	return true;
}

/* The --console arguments at the input's start; returns how many bytes
 * they took. */
static size_t add_args(struct vmc_config *cfg, const uint8_t *data, size_t size)
{
	size_t off = 0;
	char arg[VMC_TARGET_MAX + VMC_NAME_MAX + 16], err[400];

	for (int i = 0; i < ARGS_MAX; i++) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : 0;
		if (!nl || len < sizeof ARG_PREFIX - 1 ||
		    memcmp(data + off, ARG_PREFIX, sizeof ARG_PREFIX - 1))
			break;
		len -= sizeof ARG_PREFIX - 1;
		if (len >= sizeof arg)
			len = sizeof arg - 1;
		memcpy(arg, data + off + sizeof ARG_PREFIX - 1, len);
		arg[len] = 0;
		err[0] = 0;
		if (vmc_config_add_arg(cfg, arg, err, sizeof err) < 0)
			assert(err[0]);
		off = (size_t)(nl - data) + 1;
	}
	return off;
}

static char *write_back(const struct vmc_config *cfg, unsigned first, size_t *n)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, n);

	assert(f);
	for (unsigned i = first; i < cfg->n; i++) {
		const struct vmc_spec *s = &cfg->specs[i];
		fprintf(f, "[%s]\nbackend = %s:%s\n", s->name, vmc_kind_name(s->kind), s->target);
		if (s->log[0])
			fprintf(f, "log = %s\n", s->log);
		fprintf(f, "log-cap = %zu\nlog-keep = %u\n", s->log_cap, s->log_keep);
		if (s->nusers) {
			fputs("users =", f);
			for (unsigned j = 0; j < s->nusers; j++)
				fprintf(f, " %s:%s", s->users[j].pattern,
					s->users[j].right == VMC_RW ? "rw" : "ro");
			fputc('\n', f);
		}
	}
	assert(fclose(f) == 0);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_config cfg = {0}, again = {0};
	char err[400];
	size_t off = add_args(&cfg, data, size), n;
	unsigned first = cfg.n;
	char *text;
	int r;

	check_size(data, size);
	for (unsigned i = 0; i < cfg.n; i++)
		check_spec(&cfg.specs[i]);
	err[0] = 0;
	r = vmc_config_parse(&cfg, (const char *)data + off, size - off, "consoles", err, sizeof err);
	if (r < 0) {
		/* Refused: a message naming the line, and the arguments' consoles
		 * alone are kept. */
		assert(r == -EINVAL);
		assert(!strncmp(err, "consoles:", 9) && err[9] >= '1' && err[9] <= '9');
		assert(memchr(err, 0, sizeof err));
		assert(cfg.n == first);
		vmc_config_finish(&cfg);
		return 0;
	}
	assert(r == 0 && cfg.n >= first && cfg.n <= VMC_CONSOLES_MAX);
	for (unsigned i = 0; i < cfg.n; i++) {
		check_spec(&cfg.specs[i]);
		for (unsigned j = 0; j < i; j++)
			assert(strcmp(cfg.specs[i].name, cfg.specs[j].name));
	}
	/* What was read, written out again, reads back the same. */
	text = write_back(&cfg, first, &n);
	add_args(&again, data, size);
	r = vmc_config_parse(&again, text, n, "again", err, sizeof err);
	if (r < 0 || again.n != cfg.n) {
		fprintf(stderr, "written back, refused: %s\n%s", err, text);
		abort();
	}
	for (unsigned i = first; i < cfg.n; i++)
		if (!same_spec(&cfg.specs[i], &again.specs[i])) {
			fprintf(stderr, "written back, console %u differs:\n%s", i, text);
			abort();
		}
	free(text);
	vmc_config_finish(&again);
	vmc_config_finish(&cfg);
	return 0;
}
