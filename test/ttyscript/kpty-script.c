/* kpty-script: run a ttyscript against telly's kernel-pty, or with --linux
 * against the Linux kernel's pty, and print the transcript.
 * Exit status: 0 ran, 1 the runner failed, 2 a malformed script. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends.h"

#define MAX_SCRIPT (1 << 20)

static void usage(FILE *f)
{
	fputs("usage: kpty-script [--linux] [--quiet-ms N] FILE\n"
	      "Runs a ttyscript (see ../shared/ttyscript.md and test/ttyscript/README.md)\n"
	      "against telly's kernel-pty, or with --linux against the Linux kernel's pty,\n"
	      "and prints the transcript. FILE may be - for standard input.\n"
	      "  --quiet-ms N  with --linux: how long the pty must stay unchanged before\n"
	      "                each operation (default 5)\n",
	      f);
}

/* Read a whole file, at most MAX_SCRIPT bytes. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	char *buf;
	size_t n;

	if (!f) {
		fprintf(stderr, "kpty-script: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(MAX_SCRIPT + 1);
	if (!buf) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, MAX_SCRIPT + 1, f);
	if (f != stdin)
		fclose(f);
	if (n > MAX_SCRIPT) {
		fprintf(stderr, "kpty-script: %s: larger than %d bytes\n", path, MAX_SCRIPT);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool linux_pty = false;
	int quiet_ms = 5, rc;
	struct ts_script s;
	char *text;
	size_t len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--linux")) {
			linux_pty = true;
		} else if (!strcmp(argv[i], "--quiet-ms") && i + 1 < argc) {
			char *end;
			long v = strtol(argv[++i], &end, 10);
			if (*end || v < 1 || v > 1000) {
				fprintf(stderr, "kpty-script: --quiet-ms takes 1 to 1000\n");
				return 2;
			}
			quiet_ms = (int)v;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "kpty-script: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		} else if (!path) {
			path = argv[i];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (!path) {
		usage(stderr);
		return 2;
	}
	text = slurp(path, &len);
	if (!text)
		return 2;
	rc = ts_parse(&s, path, text, len);
	free(text);
	if (rc < 0)
		return 2;
	rc = linux_pty ? ts_run_linux(&s, s.nops, quiet_ms, stdout) : ts_run_kpty(&s, s.nops, stdout);
	ts_free(&s);
	return rc < 0 ? 1 : 0;
}
