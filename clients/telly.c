/* telly: the one command. Subcommands arrive with the parts they drive;
 * today: demo. */
#include <stdio.h>
#include <string.h>

#include "clients.h"

static void usage(FILE *f)
{
	fputs("usage: telly COMMAND [ARGS]\n"
	      "\n"
	      "commands:\n"
	      "  demo     run /bin/sh on a Linux pty with telly's line discipline in\n"
	      "           front of it (EXTPROC), in this terminal; without a terminal,\n"
	      "           a short scripted session printed to standard output\n"
	      "\n"
	      "  telly COMMAND --help    help for one command\n",
	      f);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("telly 0.1");
		return 0;
	}
	if (!strcmp(argv[1], "demo"))
		return telly_demo(argc - 1, argv + 1);
	fprintf(stderr, "telly: unknown command '%s' (see telly --help)\n", argv[1]);
	return 2;
}
