#!/bin/sh
# make demo without a terminal: the scripted session must show a real shell
# driven through kernel-pty: local echo and erase, the shell's answers, the
# EXTPROC flag on the shell's pty, ^C ending a job, ^D ending cat.
B=$1
out=$("$B/bin/telly" demo </dev/null 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "telly demo exited $rc"; exit 1; }
cr=$(printf '\r')
bs=$(printf '\b')
for want in \
	"telly-demo\$ echo hello from a real shell$cr" \
	"hello from a real shell$cr" \
	"echo typo$bs $bs$bs $bs$bs $bs$bs ${bs}edited on this side$cr" \
	"extproc$cr" \
	"^C$cr" \
	"a line for cat$cr" \
	"telly demo: done"; do
	case "$out" in
	*"$want"*) ;;
	*) echo "missing from the demo's output: $want" | cat -A; exit 1 ;;
	esac
done
