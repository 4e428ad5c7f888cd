#!/bin/sh
# An X session's program that cannot be forked (the user's process limit:
# fork's EAGAIN) fails its telly new --x11 at once with why, as one that
# cannot run does, and the session goes (its display with it). Before,
# the daemon answered that OPEN only when a child's end woke its reap:
# with no child of the program to reap, telly new --x11 waited for ever
# (the daemon had once answered it 5 s after the spawn).
. test/integration/lib.sh "$1"
need_progs Xvfb
mkdir -p -m 700 "$TELLY_DIR" "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"
# The daemon's forks: the first its X server's, the second the program's.
LD_PRELOAD="$B/test/fork-fails.so" TELLY_TEST_FORK_FAIL=2 "$TELLY" serve 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
rc=0
timeout 60 "$TELLY" new --x11 -s nf -- sleep 100 >"$T/nf.out" 2>"$T/nf.err" || rc=$?
# 127, as telly new of a terminal session and telly x say it (it was 1).
[ "$rc" = 127 ] || fail "telly new --x11 of a program that cannot be forked exited $rc: $(cat "$T/nf.out" "$T/nf.err")"
grep -qF "cannot start sleep: Resource temporarily unavailable" "$T/nf.err" ||
	fail "telly new --x11 did not say why: $(cat "$T/nf.err")"
[ -s "$T/nf.out" ] && fail "telly new --x11 said a name: $(cat "$T/nf.out")"
"$TELLY" ls >"$T/ls.out" 2>&1
grep -q "^nf:" "$T/ls.out" && fail "the session is still there: $(cat "$T/ls.out")"
# The daemon serves on: the next fork is the real one.
"$TELLY" new -s t -- sleep 100 >/dev/null || fail "telly new after it"
echo ok
