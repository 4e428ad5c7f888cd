/* libFuzzer target for telly's config file (clients/config.c): the input
 * is the file's bytes, as telly_config_load hands them to
 * telly_config_parse.
 *
 * A refused file must say "config:LINE: why" with a line the file has,
 * and leave the config as init made it; an accepted one must hold only
 * what config.h allows, and written out again (telly_config_write) it
 * must read back the same. */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static void check_accepted(const struct telly_config *c)
{
	assert(c->escape == TELLY_CONFIG_ESCAPE_UNSET || c->escape == TELLY_CONFIG_ESCAPE_NONE ||
	       (c->escape >= 0 && c->escape < 0x80));
	assert(strnlen(c->ssh, sizeof c->ssh) <= TELLY_CONFIG_STR_MAX);
	assert(strnlen(c->server, sizeof c->server) <= TELLY_CONFIG_STR_MAX);
	assert(strnlen(c->font, sizeof c->font) <= TELLY_CONFIG_STR_MAX);
	assert(strnlen(c->log_dir, sizeof c->log_dir) <= TELLY_CONFIG_STR_MAX);
	assert(!c->log_dir[0] || c->log_dir[0] == '/');
	assert(!c->log_cap || (c->log_cap >= 4096 && c->log_cap <= (1ull << 40)));
	assert(c->compress >= -1 && c->compress <= 1);
	assert(c->direct >= -1 && c->direct <= 1);
	assert(c->ndirect_host <= TELLY_CONFIG_DIRECT_HOSTS_MAX);
	for (unsigned i = 0; i < c->ndirect_host; i++) {
		const char *h = c->direct_host[i].host;
		assert(h[0] && strnlen(h, sizeof c->direct_host[i].host) <= TELLY_CONFIG_HOST_MAX);
		assert(!strpbrk(h, " \t"));
		assert(c->direct_host[i].direct == 1 || c->direct_host[i].direct == -1);
		for (unsigned j = 0; j < i; j++)
			assert(strcmp(c->direct_host[j].host, h));
	}
	assert(c->osc52_write >= -1 && c->osc52_write <= 1);
	assert(!c->font_size || (c->font_size >= 4 && c->font_size <= 256));
	assert(c->nbind >= 1 && c->nbind <= WM_MAX_BINDINGS);
	for (unsigned i = 0; i < c->nbind; i++) {
		assert(c->bind[i].action < WM_BIND_N);
		assert(!(c->bind[i].mods & ~(uint32_t)(WM_MOD_CTRL | WM_MOD_SHIFT | WM_MOD_ALT |
							WM_MOD_SUPER)));
		assert(!(c->bind[i].keysym >= 'A' && c->bind[i].keysym <= 'Z'));
		for (unsigned j = 0; j < i; j++)
			assert(c->bind[j].mods != c->bind[i].mods ||
			       c->bind[j].keysym != c->bind[i].keysym);
	}
}

static bool same(const struct telly_config *a, const struct telly_config *b)
{
	return a->escape == b->escape && !strcmp(a->ssh, b->ssh) && !strcmp(a->server, b->server) &&
	       !strcmp(a->font, b->font) && !strcmp(a->log_dir, b->log_dir) &&
	       a->log_cap == b->log_cap && a->compress == b->compress && a->direct == b->direct &&
	       a->ndirect_host == b->ndirect_host &&
	       !memcmp(a->direct_host, b->direct_host, a->ndirect_host * sizeof a->direct_host[0]) &&
	       a->osc52_write == b->osc52_write && a->font_size == b->font_size &&
	       a->nbind == b->nbind && !memcmp(a->bind, b->bind, a->nbind * sizeof a->bind[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct telly_config c, init, back;
	char err[512] = "", *text;
	size_t n;
	int lines = 1;

	telly_config_init(&init);
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&c, 0xa5, sizeof c);
	telly_config_init(&c);
	if (telly_config_parse(&c, (const char *)data, size, "config", err, sizeof err) < 0) {
		int line = -1;
		if (sscanf(err, "config:%d: ", &line) != 1 || line < 0 || line > lines ||
		    !strstr(err, ": ") || !same(&c, &init)) {
			fprintf(stderr, "refusal '%s' (the file has %d lines)\n", err, lines);
			abort();
		}
		return 0;
	}
	check_accepted(&c);
	n = telly_config_write(&c, NULL, 0);
	text = malloc(n + 1);
	assert(text);
	assert(telly_config_write(&c, text, n + 1) == n);
	telly_config_init(&back);
	if (telly_config_parse(&back, text, n, "again", err, sizeof err) < 0 ||
	    !same(&back, &c)) {
		fprintf(stderr, "written out:\n%s\nread back: %s\n", text, err);
		abort();
	}
	free(text);
	return 0;
}
