#!/bin/sh
# A folder in the daemon's PATH on a mount whose server hung (a FUSE file
# system that never answers: test/integration/hungmount.c) holds nobody
# but the program looked for there: while a `telly new` of a name waits
# for its exec, other commands are served at once, and that telly new
# is answered (the program taken as started) within the daemon's bound.
# Before, the daemon looked the name up with stat() in PATH's folders in
# its loop, and that stat held every session until the mount came back.
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

# The daemon starts with the hung folder first in its PATH (this shell's
# PATH does not have it: its own lookups would wait). Its programs are
# named by their paths.
PATH="$T/hung:$PATH" "$TELLY" new -s ok -- /bin/sleep 600 >/dev/null || fail "telly new ok"
start=$(date +%s)
"$TELLY" new -s looked -- telly-no-such-program >"$T/looked.out" 2>&1 &
looked=$!
pids="$pids $looked"
# Served at once meanwhile (the loop waits for nothing).
wait_until 5 grep -q "session looked started" "$TELLY_DIR/serve.log"
timeout 20 "$TELLY" ls >"$T/ls.out" 2>&1 || fail "telly ls was not answered while an OPEN waited: $(cat "$T/ls.out")"
grep -q "^ok: " "$T/ls.out" || fail "telly ls: $(cat "$T/ls.out")"
timeout 20 "$TELLY" new -s two -- /bin/sleep 600 >/dev/null 2>&1 ||
	fail "telly new was not answered while another OPEN waited"
# The waiting one is answered once the daemon's bound (5 s) has passed,
# not held until the mount answers (a wide margin: a loaded machine).
wait_until 30 sh -c "! kill -0 $looked 2>/dev/null"
wait "$looked"
took=$(( $(date +%s) - start ))
echo "telly new of a program looked for on the hung mount answered after ${took}s"
# The mount back (gone): the exec goes on, fails, and the session ends.
hung_stop
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^looked:'"
"$TELLY" ls | grep -q "^two: " || fail "$("$TELLY" ls)"
echo ok
