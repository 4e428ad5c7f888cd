#!/bin/sh
# A seamless view over TCP whose link drops while its shaped window
# (test/integration/xshape.c) unshapes: once the X session resumes, the
# desk's window is the rectangle again; shaped again while the link is
# down, it is shaped once it resumes (the host sends each window's shapes
# after RESUMED; the view makes its desk windows anew then).
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
for p in xwininfo xdotool; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
start_xvfb 800x600
serve_cut
tl() {
	sub=$1
	shift
	"$TELLY" "$sub" --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" "$@"
}

mkfifo "$T/fifo"
tl new --x11 -s sh -- "$B/test/xshape" "$T/presses" "$T/fifo" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xshape\"'"
exec 4<>"$T/fifo"
tl view --seamless --x11 sh >"$T/view.out" 2>&1 &
pids="$pids $!"
deskwin() { xwininfo -name xshape 2>/dev/null | sed -n 's/.*Window id: \(0x[0-9a-f]*\).*/\1/p'; }
shaped() { w=$(deskwin) && [ -n "$w" ] && xwininfo -shape -id "$w" | grep -q 'Window shape extents'; }
unshaped() { w=$(deskwin) && [ -n "$w" ] && xwininfo -shape -id "$w" | grep -q 'No window shape defined'; }
wait_until 20 shaped || fail "not shaped: $(cat "$T/view.out")"

# Down, unshaped meanwhile, up: the rectangle again.
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log"
echo unshape >&4
ctl up
wait_until 30 unshaped || fail "the desk's window kept its shape after the resume: $(cat "$T/view.out")"
# And shaped again while down: shaped once it resumes.
ctl down
wait_until 10 grep -q '^down$' "$T/proxy.log"
echo shape >&4
ctl up
wait_until 30 shaped || fail "the desk's window is not shaped after the resume: $(cat "$T/view.out")"
grep -q malformed "$T/serve.err" && fail "malformed: $(grep malformed "$T/serve.err")"
echo "a shape changed while the link was down: on the desk once it resumed: ok"
