/* telly: the one command; each subcommand is a function in clients/. */
#include <stdio.h>
#include <string.h>

#include "clients.h"
#include "vmc.h"

/* The one version of telly: the VERSION file at the top, passed by the
 * Makefile (the Debian package's version is checked against it). */
#ifndef TELLY_VERSION
#define TELLY_VERSION "unknown (built without the Makefile)"
#endif

static void usage(FILE *f)
{
	fputs("usage: telly COMMAND [ARGS]\n"
	      "       telly --version | -V | --help\n"
	      "\n"
	      "commands:\n"
	      "  attach   attach this terminal to a session here or on [user@]host,\n"
	      "           creating it if needed (detach with ~.); to a host, ssh only\n"
	      "           to start, then encrypted TCP straight to its daemon\n"
	      "           (--no-direct: plain ssh)\n"
	      "  view     every session here or on [user@]host as a window (X11, or\n"
	      "           --headless with scripted input and PNG screenshots)\n"
	      "  x        run an X program here or on [user@]host, its windows on this\n"
	      "           desk (telly x host -- firefox); it outlives the view\n"
	      "  new      start a session without attaching (--x11: an X display)\n"
	      "  run      start a program in an X session\n"
	      "  ls       list sessions\n"
	      "  kill     end a session\n"
	      "  stop     end the daemon and all its sessions\n"
	      "  serve    run the host daemon (started by the others when needed)\n"
	      "  demo     run /bin/sh on a Linux pty with telly's line discipline in\n"
	      "           front of it (EXTPROC), in this terminal; without a terminal,\n"
	      "           a short scripted session printed to standard output\n"
	      "\n"
	      "  telly COMMAND --help    help for one command\n"
	      "  telly --version, -V     print telly's version\n"
	      "\n"
	      "Manual: man telly. telly " TELLY_VERSION "\n",
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
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		puts("telly " TELLY_VERSION);
		return 0;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"demo", telly_demo}, {"serve", telly_serve}, {"attach", telly_attach},
		{"a", telly_attach},  {"ls", telly_ls},       {"new", telly_new},
		{"kill", telly_kill}, {"stop", telly_stop},   {"view", telly_view},
		{"run", telly_run},
		{"x", telly_x},
		/* not for people: the SSH front door runs it per connection */
		{"sshd-session", vmc_sshd_session},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "telly: unknown command '%s' (see telly --help)\n", argv[1]);
	return 2;
}
