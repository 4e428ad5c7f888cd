#!/bin/sh
# A folder in the daemon's PATH on a mount whose server hung (a FUSE file
# system that never answers: test/integration/hungmount.c) holds nobody
# but the program looked for there: while a `telly new` of a name waits
# for its exec, other commands are served at once. That telly new (and a
# telly attach --create) waits as long as the exec does, as ssh waits for
# its command, and says so on stderr; the session is listed as starting; a client that goes (^C)
# leaves a session that starts or fails on its own, and can be killed;
# one killed while its telly new waits is no start either.
# Before, the daemon took the program as started 5 s after its spawn:
# telly new printed the name and exited 0 for a program that never ran
# (and earlier still, it looked the name up with stat() in PATH's folders
# in its loop, and that stat held every session until the mount came
# back).
# Needs root to mount (skipped otherwise).
# In a mount namespace of its own where unshare can make one: the hung
# mount is then seen by nothing outside the test, and goes with the
# test's last process even if it is killed before it unmounts.
if [ -z "${TELLY_IT_MNTNS:-}" ] && unshare -m --propagation private true 2>/dev/null; then
	TELLY_IT_MNTNS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. test/integration/lib.sh "$1"
mkdir "$T/hung"
hung_pid=""
hung_stop() {
	[ -n "$hung_pid" ] && kill "$hung_pid" 2>/dev/null && wait "$hung_pid" 2>/dev/null
	hung_pid=""
	umount -l "$T/hung" 2>/dev/null
	return 0
}
# Unmounted before lib.sh's cleanup removes $T (which would wait on it).
trap 'hung_stop; cleanup' EXIT
trap 'trap - EXIT; hung_stop; cleanup; exit 1' INT TERM
"$B/test/hungmount" "$T/hung" >"$T/hung.out" 2>&1 &
hung_pid=$!
wait_until 10 grep -q . "$T/hung.out"
grep -q "^mounted" "$T/hung.out" || { cat "$T/hung.out"; hung_pid=""; exit 77; }

# An X session's program, by its path on the mount, from a daemon of its
# own (one with the hung folder in its PATH would not find Xvfb either).
has_xvfb=""
command -v Xvfb >/dev/null 2>&1 && has_xvfb=1
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"

# The daemon starts with the hung folder first in its PATH (this shell's
# PATH does not have it: its own lookups would wait). Its programs are
# named by their paths.
PATH="$T/hung:$PATH" "$TELLY" new -s ok -- /bin/sleep 600 >/dev/null || fail "telly new ok"
"$TELLY" new -s looked -- telly-no-such-program >"$T/looked.out" 2>"$T/looked.err" &
looked=$!
pids="$pids $looked"
# Served at once meanwhile (the loop waits for nothing).
wait_until 5 grep -q "session looked started" "$TELLY_DIR/serve.log"
timeout 20 "$TELLY" ls >"$T/ls.out" 2>&1 || fail "telly ls was not answered while an OPEN waited: $(cat "$T/ls.out")"
grep -q "^ok: " "$T/ls.out" || fail "telly ls: $(cat "$T/ls.out")"
grep -q "^looked: telly-no-such-program (starting)" "$T/ls.out" ||
	fail "a session whose exec has not returned is not listed as starting: $(cat "$T/ls.out")"
timeout 20 "$TELLY" new -s two -- /bin/sleep 600 >/dev/null 2>&1 ||
	fail "telly new was not answered while another OPEN waited"
# telly attach --create waits as telly new does (standard input ends at
# once: it would detach as soon as it is in).
"$TELLY" attach --create ac -- telly-no-such-program </dev/null >/dev/null 2>"$T/ac.err" &
ac=$!
pids="$pids $ac"
# The waiting one says it waits, and keeps waiting past the 5 s the
# daemon used to give an exec: no session name, no status yet.
wait_until 20 grep -q "still waiting for telly-no-such-program to start" "$T/looked.err"
wait_until 20 grep -q "^telly attach: still waiting for telly-no-such-program to start" "$T/ac.err"
sleep 3 # the message came 3 s after the OPEN: now past the old bound
kill -0 "$looked" 2>/dev/null || fail "telly new returned while the exec hung: $(cat "$T/looked.out" "$T/looked.err")"
[ -s "$T/looked.out" ] && fail "telly new said a name for a program that has not started: $(cat "$T/looked.out")"

# A client that goes (^C) leaves its session to start or fail on its own:
# listed as starting. It is killed as any (its process waits in the
# kernel for the mount, which no signal ends, as on a hung NFS mount: it
# goes once the mount does).
"$TELLY" new -s left -- telly-no-such-program >/dev/null 2>&1 &
left=$!
pids="$pids $left"
wait_until 5 grep -q "session left started" "$TELLY_DIR/serve.log"
kill -TERM "$left" # as ^C would (a background job of sh ignores SIGINT)
wait "$left"
"$TELLY" ls | grep -q "^left: telly-no-such-program (starting)" || fail "$("$TELLY" ls)"
"$TELLY" kill left || fail "telly kill of a session whose exec hangs"
# One killed while its telly new waits: no start either.
"$TELLY" new -s killed -- telly-no-such-program >"$T/killed.out" 2>"$T/killed.err" &
killed=$!
pids="$pids $killed"
wait_until 5 grep -q "session killed started" "$TELLY_DIR/serve.log"
"$TELLY" kill killed || fail "telly kill of a session whose exec hangs"
# And an X session's first program.
if [ -n "$has_xvfb" ]; then
	dirs="$dirs $T/run2"
	TELLY_DIR=$T/run2 "$TELLY" new --x11 -s xk -- "$T/hung/telly-no-such-program" \
		>"$T/xk.out" 2>"$T/xk.err" &
	xk=$!
	pids="$pids $xk"
	wait_until 30 grep -q "session xk: started $T/hung/telly-no-such-program" "$T/run2/serve.log"
	# Listed as starting, as a terminal's (it was listed as running).
	TELLY_DIR=$T/run2 "$TELLY" ls >"$T/xls.out" 2>&1
	grep -q "^xk: X :[0-9]* .*telly-no-such-program (starting)" "$T/xls.out" ||
		fail "an X session whose program's exec has not returned is not listed as starting: $(cat "$T/xls.out")"
	TELLY_DIR=$T/run2 "$TELLY" kill xk || fail "telly kill of an X session whose program's exec hangs"
	# telly x, whose exit tells a program that cannot run (127) from one
	# that did not start (1): it exited 127 for this one (the host said
	# SPAWN for an X session's first program killed at its start).
	start_xvfb
	TELLY_DIR=$T/run2 "$TELLY" x -s xx -- "$T/hung/telly-no-such-program" \
		>"$T/xx.out" 2>"$T/xx.err" &
	xx=$!
	pids="$pids $xx"
	wait_until 30 grep -q "session xx: started $T/hung/telly-no-such-program" "$T/run2/serve.log"
	TELLY_DIR=$T/run2 "$TELLY" kill xx || fail "telly kill of telly x's session whose program's exec hangs"
fi
kill -0 "$looked" 2>/dev/null || fail "telly new of looked returned meanwhile"

# The mount back (gone): the exec goes on and fails; telly new says why,
# 127 as a shell's, and the sessions are gone.
hung_stop
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^left:'"
# A telly new or telly x (pid $1, its output in $T/$2.out and .err) whose
# program was killed at its start: exit 1, why, and no name.
killed_at_start() {
	st=0
	wait "$1" || st=$?
	[ "$st" = 1 ] || fail "$2: a program killed at its start: exit $st: $(cat "$T/$2.out" "$T/$2.err")"
	grep -q "telly-no-such-program ended at its start: killed by signal" "$T/$2.err" ||
		fail "$2: $(cat "$T/$2.err")"
	[ -s "$T/$2.out" ] && fail "$2: telly new said a name: $(cat "$T/$2.out")"
	return 0
}
killed_at_start "$killed" killed
if [ -n "$has_xvfb" ]; then
	killed_at_start "$xk" xk
	killed_at_start "$xx" xx
fi
st=0
wait "$ac" || st=$?
[ "$st" = 127 ] || fail "telly attach --create exited $st: $(cat "$T/ac.err")"
grep -q "cannot run telly-no-such-program" "$T/ac.err" || fail "$(cat "$T/ac.err")"
wait_until 20 sh -c "! kill -0 $looked 2>/dev/null"
st=0
wait "$looked" || st=$?
[ "$st" = 127 ] || fail "telly new exited $st: $(cat "$T/looked.out" "$T/looked.err")"
grep -q "cannot run telly-no-such-program" "$T/looked.err" || fail "$(cat "$T/looked.err")"
[ -s "$T/looked.out" ] && fail "telly new said a name: $(cat "$T/looked.out")"
"$TELLY" ls >"$T/ls.out"
grep -q '^looked:' "$T/ls.out" && fail "$(cat "$T/ls.out")"
grep -q "^two: " "$T/ls.out" || fail "$(cat "$T/ls.out")"
echo ok
