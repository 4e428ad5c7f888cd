#!/bin/sh
# Against a daemon of the previous version (test/integration/old-host.c:
# its HELLO without caps bit STARTED, an X session's OPEN answered at
# once, its display listed as starting for the first 3 LISTs), telly new
# --x11 returns once the display is up, as it does against this one: it
# asks LIST until the display is listed. Before, it returned at that OK,
# the display not up yet (a `telly new --display` right after found none).
. test/integration/lib.sh "$1"
mkdir -p -m 700 "$TELLY_DIR"
"$B/test/old-host" "$TELLY_DIR/serve.sock" 3 >"$T/old.out" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q "^listening" "$T/old.out"
"$TELLY" new --x11 -s gui -- xterm >"$T/new.out" 2>"$T/new.err" ||
	fail "telly new --x11: $(cat "$T/new.err")"
grep -qx gui "$T/new.out" || fail "telly new --x11 said: $(cat "$T/new.out" "$T/new.err")"
grep -qx "list 4" "$T/old.out" ||
	fail "telly new --x11 returned before the display was listed as up: $(cat "$T/old.out")"
echo ok
