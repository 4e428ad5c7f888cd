#!/bin/sh
# While an X display is slow to start (here held until the test opens a
# gate, past the daemon's 5 s bound for a program's exec), the programs
# asked for wait for it: `telly run` of one that cannot run is answered
# with why once its exec failed (it was answered OK 5 s after the
# request, while the display still started, and exited 0), one that
# runs is answered OK; `telly new --x11` of a first program that cannot
# run fails with why and 127, as telly run (it exited 1); and the display that came up is listed as up
# while telly run's program keeps the session (it was listed as
# "display starting" for good, since the first program never ran).
# Each telly run says, once it has waited 3 s, that it waits for the
# display (it said its program's exec had not returned, on a hung mount?).
. test/integration/lib.sh "$1"
need_progs Xvfb
. test/integration/xheld.inc
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"
mkfifo "$T/gate"
# An Xvfb that says its display once the gate opens.
held_xserver Xvfb "read go <'$T/gate'"
for b in noint1 noint2; do
	printf '#!/nonexistent/interpreter\n' >"$T/$b"
	chmod +x "$T/$b"
done

# The daemon telly new starts has this PATH.
PATH=$T/bin:$PATH "$TELLY" new --x11 -s fw -- "$T/noint1" >"$T/new.out" 2>&1 &
newpid=$!
pids="$pids $newpid"
wait_until 20 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^  display starting'"
"$TELLY" run fw -- "$T/noint2" >"$T/run-bad.out" 2>&1 &
badpid=$!
"$TELLY" run fw -- sleep 100 >"$T/run-ok.out" 2>&1 &
okpid=$!
pids="$pids $badpid $okpid"
# Past the 5 s a daemon once gave an exec (OPEN_ANSWER_MS), counted from the
# request before: nothing to await here but the time.
sleep 6
# Each telly run said, after 3 s, that it waits for the display (it blamed
# its program's exec, not yet tried, before).
for f in run-bad run-ok; do
	grep -q "still waiting for the X display of session fw to come up" "$T/$f.out" ||
		fail "telly run did not say it waits for the display: $(cat "$T/$f.out")"
	grep -q "exec" "$T/$f.out" && fail "telly run blamed an exec: $(cat "$T/$f.out")"
done
echo go >"$T/gate"

rc=0
wait $badpid || rc=$?
[ "$rc" = 127 ] || fail "telly run of a program that cannot run, during the start, exited $rc: $(cat "$T/run-bad.out")"
grep -qF "cannot run $T/noint2: No such file or directory" "$T/run-bad.out" ||
	fail "telly run did not say why: $(cat "$T/run-bad.out")"
wait $okpid || fail "telly run of sleep during the start failed: $(cat "$T/run-ok.out")"
rc=0
wait $newpid || rc=$?
[ "$rc" = 127 ] || fail "telly new --x11 of a program that cannot run exited $rc (telly run's 127): $(cat "$T/new.out")"
grep -qF "cannot run $T/noint1: No such file or directory" "$T/new.out" ||
	fail "telly new --x11 did not say why: $(cat "$T/new.out")"
# The display is up, and listed so.
"$TELLY" ls >"$T/ls.out" 2>&1
grep -q '^fw: ' "$T/ls.out" || fail "the session went with telly run's program in it: $(cat "$T/ls.out")"
grep -q '^  display :[0-9]*, ' "$T/ls.out" || fail "the display that is up is not listed so: $(cat "$T/ls.out")"
echo ok
