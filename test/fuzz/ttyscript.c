/* libFuzzer target for the ttyscript parser (test/ttyscript/script.c):
 * the input is a script's bytes, as kpty-script and kpty-fuzz read a file
 * (they put a NUL after them, which the parser must not need: here the
 * input ends where its allocation does). Parse only: nothing runs against
 * a pty.
 *
 * A refused script is freed whole (LeakSanitizer); an accepted one,
 * printed with ts_print (how kpty-fuzz prints a minimized script), must
 * parse again to the same operations. The parser says why it refuses on
 * stderr, once an input: that goes to /dev/null, this file's own words and
 * the sanitizers' reports to the real stderr. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static FILE *report;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	report = stderr;
	stderr = fopen("/dev/null", "w");
	return stderr ? 0 : -1;
}

static bool same_op(const struct ts_op *a, const struct ts_op *b)
{
	if (a->kind != b->kind || a->len != b->len || a->n[0] != b->n[0] || a->n[1] != b->n[1] ||
	    a->argc != b->argc)
		return false;
	if (a->len && memcmp(a->str, b->str, a->len))
		return false;
	for (int i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *printed = NULL;
	struct ts_script s, again;
	size_t n;
	FILE *f;

	if (ts_parse(&s, "fuzz", (const char *)data, size) < 0) {
		assert(!s.ops && !s.nops);
		return 0;
	}
	for (size_t i = 0; i < s.nops; i++) {
		const struct ts_op *o = &s.ops[i];
		assert(o->line >= 1);
		assert((o->kind != TS_MWRITE && o->kind != TS_SWRITE) || o->str);
		assert(o->kind != TS_STTY || (o->argc >= 1 && o->argv));
	}
	f = open_memstream(&printed, &n);
	assert(f);
	ts_print(f, &s);
	assert(fclose(f) == 0);
	if (ts_parse(&again, "printed", printed, n) < 0 || again.nops != s.nops) {
		fprintf(report, "printed script refused or shorter:\n%s", printed);
		abort();
	}
	for (size_t i = 0; i < s.nops; i++)
		if (!same_op(&s.ops[i], &again.ops[i])) {
			fprintf(report, "printed script differs at op %zu:\n%s", i, printed);
			abort();
		}
	ts_free(&again);
	ts_free(&s);
	free(printed);
	return 0;
}
