#!/bin/sh
# Malformed and misplaced X frames: the desk that sent them is told what
# was wrong (a malformed one closes its connection, as for every
# message); the X session, another desk on it and a terminal session go
# on. Also refused with a clear error: an X session attached by a desk
# that does not draw X windows, --display naming no X session, telly run
# on a terminal session.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock

probe() { # DIR: a probe desk on session x; its commands on fd 3 (or 4 for a second)
	mkdir -p "$1"
	rm -f "$1/cmd" "$1/windows"
	mkfifo "$1/cmd"
	"$XPROBE" "$SOCK" x "$1" <"$1/cmd" >"$1/out" 2>"$1/err" &
	probe_pid=$!
	pids="$pids $probe_pid"
}
win_id() { grep -F " $2" "$1/windows" 2>/dev/null | head -n 1 | cut -d' ' -f1; }
has_win() { [ -n "$(win_id "$1" "$2")" ]; }

"$TELLY" new --x11 -s x -- xterm -T first -e sh >/dev/null || fail "telly new --x11"
"$TELLY" new -s t -- sh -c 'while :; do read l && echo "got $l"; done' >/dev/null || fail "telly new"

probe "$T/good"
exec 4>"$T/good/cmd"
wait_until 20 has_win "$T/good" first
probe "$T/bad"
bad_pid=$probe_pid
exec 3>"$T/bad/cmd"
wait_until 20 has_win "$T/bad" first
id=$(win_id "$T/good" first)

# XKEY with 3 bytes of payload: malformed, this desk is closed, told why.
echo "raw 45 000001" >&3
wait_until 20 grep -q "malformed XKEY frame (3 bytes of payload)" "$T/bad/err"
wait_until 20 sh -c "! kill -0 $bad_pid 2>/dev/null"
exec 3>&-
echo "malformed XKEY: told, closed"

# A keymap chunk that does not start at 0: told, not closed.
probe "$T/bad2"
exec 3>"$T/bad2/cmd"
wait_until 20 has_win "$T/bad2" first
echo "raw 49 0000000010000000084141" >&3 # sel 0, total 16, off 8, "AA"
wait_until 20 grep -q "XKEYMAP: a chunk out of order" "$T/bad2/err"
# A button that does not exist: refused (the probe may be closed after).
echo "click $id 5 5 12" >&3
wait_until 20 grep -qi "XPOINTER.*button\|malformed XPOINTER" "$T/bad2/err"
exec 3>&-

# The other desk still draws the window and types into it.
echo "keymap" >&4
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
printf 'type %s echo still-here > %s\\n\n' "$id" "$T/typed" >&4
wait_until 20 grep -q '^still-here$' "$T/typed"
# The terminal session goes on.
"$TELLY" ls | grep -q '^t: ' || fail "the terminal session is gone"
echo "the other desk and the terminal session went on"

# X frames on a terminal session's channel: told, not acted on.
# An X session attached by a desk that does not draw X windows.
"$TELLY" attach x </dev/null >"$T/attach.out" 2>&1 && fail "telly attach on an X session did not fail"
grep -q "session x is an X display: telly view --x11 x shows it" "$T/attach.out" ||
	fail "attach: $(cat "$T/attach.out")"
# --display naming no X session, telly run on a terminal session.
"$TELLY" new -s t2 --display t -- true >"$T/new.out" 2>&1 && fail "--display t did not fail"
grep -q "no X session t" "$T/new.out" || fail "--display: $(cat "$T/new.out")"
"$TELLY" run t -- xterm >"$T/run.out" 2>&1 && fail "telly run on a terminal session did not fail"
grep -q "session t is not an X session" "$T/run.out" || fail "run: $(cat "$T/run.out")"
"$TELLY" run nosuch -- xterm >"$T/run2.out" 2>&1 && fail "telly run nosuch did not fail"
grep -q "no session nosuch" "$T/run2.out" || fail "run: $(cat "$T/run2.out")"
echo "x11 bad frames: ok"
