/* libFuzzer target for the SSH front door's keys file (vmconsole/config.c):
 * the input is the file's bytes, as vmc_read_file hands them to
 * vmc_keys_parse (no NUL after them) at every login.
 *
 * A refused file must say "keys:LINE: why" and hand back nothing; every
 * key kept must have a type the server knows, a base64 key, a name for the
 * audit log and grants the README allows; written out again, the keys
 * must read back the same. The lenient reader (at a login) must keep the
 * same keys when the strict one takes the file, and otherwise say at
 * least one bad line, each as "keys:LINE:", lines in order. */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmc.h"

static const char *const types[] = {
	"ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
	"ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
};

static bool known_type(const char *t)
{
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (!strcmp(types[i], t))
			return true;
	return false;
}

static void check_key(const struct vmc_key *k)
{
	size_t nl = strnlen(k->name, sizeof k->name);

	if (!known_type(k->type)) {
		fprintf(stderr, "key type '%s' is not one the server knows\n", k->type);
		abort();
	}
	assert(k->b64 && k->b64[0]);
	assert(strspn(k->b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
	       strlen(k->b64));
	assert(nl >= 1 && nl <= VMC_NAME_MAX);
	assert(!strpbrk(k->name, " \t") || !strcmp(k->name, "(no name)"));
	assert(k->ngrants <= VMC_GRANTS_MAX);
	for (unsigned i = 0; i < k->ngrants; i++) {
		size_t len = strnlen(k->grants[i].pattern, sizeof k->grants[i].pattern);
		assert(len >= 1 && len <= VMC_NAME_MAX);
		assert(!strpbrk(k->grants[i].pattern, ", \t:"));
		assert(k->grants[i].right == VMC_RO || k->grants[i].right == VMC_RW);
	}
}

static bool same_key(const struct vmc_key *a, const struct vmc_key *b)
{
	if (strcmp(a->type, b->type) || strcmp(a->b64, b->b64) || strcmp(a->name, b->name) ||
	    a->ngrants != b->ngrants)
		return false;
	for (unsigned i = 0; i < a->ngrants; i++)
		if (strcmp(a->grants[i].pattern, b->grants[i].pattern) ||
		    a->grants[i].right != b->grants[i].right)
			return false;
	return true;
}

static char *write_back(const struct vmc_key *keys, int count, size_t *n)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, n);

	assert(f);
	for (int i = 0; i < count; i++) {
		const struct vmc_key *k = &keys[i];
		if (k->ngrants) {
			fputs("consoles=\"", f);
			for (unsigned j = 0; j < k->ngrants; j++) {
				for (const char *c = k->grants[j].pattern; *c; c++)
					fputs(*c == '"' ? "\\\"" : (char[]){*c, 0}, f);
				fprintf(f, ":%s%s", k->grants[j].right == VMC_RW ? "rw" : "ro",
					j + 1 < k->ngrants ? "," : "\" ");
			}
		}
		fprintf(f, "%s %s", k->type, k->b64);
		/* A word after the name keeps a name ending in \r (the end of a
		 * line is trimmed) what it was. */
		if (strcmp(k->name, "(no name)"))
			fprintf(f, " %s more words", k->name);
		fputc('\n', f);
	}
	assert(fclose(f) == 0);
	return text;
}

struct bad_lines {
	unsigned n, last;
};

static void note_bad(void *ctx, const char *msg)
{
	struct bad_lines *b = ctx;
	unsigned line;

	assert(sscanf(msg, "keys:%u: ", &line) == 1 && line >= 1 && line >= b->last);
	b->last = line;
	b->n++;
}

/* Checks the lenient reader against the strict one's count (or -EINVAL). */
static void lenient(const uint8_t *data, size_t size, const struct vmc_key *strict, int nstrict)
{
	struct bad_lines bad = {0};
	struct vmc_key *keys;
	char err[400];
	int count = vmc_keys_parse_lenient((const char *)data, size, "keys", &keys, note_bad, &bad,
					   err, sizeof err);

	assert(count >= 0 && count <= VMC_KEYS_MAX);
	if (nstrict >= 0) {
		assert(count == nstrict && bad.n == 0);
		for (int i = 0; i < count; i++)
			assert(same_key(&keys[i], &strict[i]));
	} else {
		assert(bad.n >= 1);
	}
	for (int i = 0; i < count; i++)
		check_key(&keys[i]);
	vmc_keys_free(keys, count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vmc_key *keys = (struct vmc_key *)1, *again;
	char err[400], *text;
	size_t n;
	int count, r;

	err[0] = 0;
	count = vmc_keys_parse((const char *)data, size, "keys", &keys, err, sizeof err);
	if (count < 0) {
		assert(count == -EINVAL && !keys);
		assert(!strncmp(err, "keys:", 5) && err[5] >= '1' && err[5] <= '9');
		assert(memchr(err, 0, sizeof err));
		lenient(data, size, NULL, count);
		return 0;
	}
	lenient(data, size, keys, count);
	assert(count <= VMC_KEYS_MAX && (count == 0 || keys));
	for (int i = 0; i < count; i++) {
		struct vmc_spec s = {.name = "vm1", .nusers = 1, .users = {{"*", VMC_RO}}};
		check_key(&keys[i]);
		/* fnmatch on what the file gave, as at every login; a users line
		 * only narrows. */
		assert(vmc_access(&keys[i], &s) <= VMC_RO);
		s.nusers = 0;
		(void)vmc_access(&keys[i], &s);
	}
	text = write_back(keys, count, &n);
	r = vmc_keys_parse(text, n, "again", &again, err, sizeof err);
	if (r != count) {
		fprintf(stderr, "written back, %d keys of %d (%s):\n%s", r, count, err, text);
		abort();
	}
	for (int i = 0; i < count; i++)
		if (!same_key(&keys[i], &again[i])) {
			fprintf(stderr, "written back, key %d differs:\n%s", i, text);
			abort();
		}
	free(text);
	vmc_keys_free(again, r);
	vmc_keys_free(keys, count);
	return 0;
}
