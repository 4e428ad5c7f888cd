#!/bin/sh
# The display keeps the size of the desk in use while that desk's link is
# down (it comes back at its size): a seamless view over TCP on a desk of
# 1280x1024 and a headless view of 800x600 on the host's socket; the
# seamless view, attached last, is in use; its link down, then up: the
# display stays 1280x1024 throughout (before, it went to 800x600 when the
# link went, and back when it resumed: maximized windows twice resized
# for a blip). A key typed in the plain view meanwhile would make it its.
. test/integration/lib.sh "$1"
need_progs xterm xdpyinfo xwininfo Xvfb
. test/integration/xhost.inc
. test/integration/reconnect.inc
serve_cut
"$TELLY" new --x11 -s ss -- xterm -T tmax -maximized || fail "telly new --x11"
wait_until 20 has_window tmax
printf 'wait-window "tmax" 20\nscreenshot %s\n' "$T/plain.png" >"$T/in"
mkfifo "$T/keys"
exec 5<>"$T/keys"
"$TELLY" view --headless --size 800x600 --input "$T/in" --key-fd 5 --x11 ss >"$T/plain.out" 2>&1 &
pids="$pids $!"
wait_until 20 is_dims ss 800x600
echo "the plain view attached: 800x600"
wait_until 20 grep -q plain.png "$T/plain.out" # (tmax focused there: keys go to it)
start_xvfb 1280x1024
"$TELLY" view --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --seamless --x11 ss \
	>"$T/seamless.out" 2>&1 &
pids="$pids $!"
wait_until 20 is_dims ss 1280x1024
echo "the seamless view attached: 1280x1024"

ctl down
wait_until 10 grep -q 'lost; its channel on ss waits' "$T/serve.err"
ctl up
wait_until 30 grep -q 'resumed its channel on X session ss' "$T/serve.err"
wait_until 20 is_dims ss 1280x1024
sed -n '/lost; its channel on ss waits/,$p' "$T/serve.err" | grep -q 'is now 800x600' &&
	fail "the display went to the other desk's size while the link was down: $(grep 'is now' "$T/serve.err" | tr '\n' ' ')"
echo "its link down and back: still 1280x1024"
echo 'type "x"' >&5
wait_until 20 is_dims ss 800x600
echo "the display keeps the size of the desk in use while its link is down: ok"
