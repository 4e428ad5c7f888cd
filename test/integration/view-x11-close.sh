#!/bin/sh
# telly view ends, with status 0, when its X window goes: destroyed
# (xdotool windowclose), its client killed (xkill), or closed through the
# window manager's WM_DELETE_WINDOW (ds x11 handled that before; no
# window manager runs here to send it); the sessions it showed run on.
. test/integration/lib.sh "$1"
command -v Xvfb >/dev/null && command -v xdotool >/dev/null || { echo "no Xvfb/xdotool"; exit 77; }

start_xvfb
"$TELLY" new -s keep -- sh -c 'echo KEEP; exec sleep 1000' || fail "new"

# view_then HOW CMD...: start a view, wait for its window, close it with
# CMD (%W is the window), and expect the view to end with status 0.
view_then() {
	how=$1; shift
	n=$(grep -c "attached to keep" "$TELLY_DIR/serve.log")
	"$TELLY" view >"$T/view.log" 2>&1 &
	vp=$!
	pids="$pids $vp"
	shown() {
		ps -o stat= -p "$vp" | grep -q '^[^Z]' || fail "$how: telly view ended early: $(cat "$T/view.log")"
		xdotool search --name '^telly view$' >/dev/null
	}
	wait_until 20 shown
	wid=$(xdotool search --name '^telly view$' | head -n 1)
	# Shown: the daemon logs one more attach.
	wait_until 20 sh -c "[ \$(grep -c 'attached to keep' '$TELLY_DIR/serve.log') -gt $n ]"
	set -- $(echo "$@" | sed "s/%W/$wid/g")
	"$@" >"$T/close.log" 2>&1 || fail "$how: $* failed: $(cat "$T/close.log")"
	# Ended: a zombie until waited for.
	wait_until 20 sh -c "! ps -o stat= -p $vp | grep -q '^[^Z]'"
	wait "$vp"
	rc=$?
	[ $rc -eq 0 ] || fail "$how: telly view exited $rc: $(cat "$T/view.log")"
	"$TELLY" ls | grep -q '^keep: ' || fail "$how: the session did not run on"
	echo "$how: view ended 0, session kept"
}
view_then destroyed xdotool windowclose %W
view_then killed xkill -id %W
echo "x11 close: ok"
