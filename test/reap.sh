#!/bin/sh
# What a test run by test/run.sh left when it ended: its timeout's TERM
# reaches the test's shell, which runs its cleanup (lib.sh's trap) only
# once the command it waits on has ended (a `timeout ... telly view`
# of its own, in a process group of its own, the TERM never reaches), and
# the KILL 5 s later ends the shell before that: the daemon it started,
# the X servers, sshd, tmux ran on and its directory stayed. Every
# process that names one of the test's directories (in its environment,
# as lib.sh's cleanup looks, or its command line) is killed, and the
# directory removed, each said on stdout (the test's log).
#   sh test/reap.sh NOTE   NOTE: lines "DIR TMUX_SOCKET" that
#                                      lib.sh wrote (TELLY_TEST_DIRS)
[ -s "$1" ] || exit 0
while read -r dir sock; do
	case "$dir" in /tmp/telly-it.?*) ;; *) continue ;; esac
	for p in $(grep -lszF -- "$dir/" /proc/[0-9]*/environ /proc/[0-9]*/cmdline 2>/dev/null |
		sed 's#^/proc/\([0-9]*\)/.*#\1#' | sort -u); do
		[ "$p" = "$$" ] && continue
		what=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | cut -c1-120)
		kill -9 "$p" 2>/dev/null && echo "(left running after the test: $p $what; killed)"
	done
	[ -z "$sock" ] || rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	[ ! -d "$dir" ] || { rm -rf "$dir" && echo "(left after the test: $dir; removed)"; }
done <"$1"
