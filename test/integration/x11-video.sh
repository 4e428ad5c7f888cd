#!/bin/sh
# Video in an X window: while a region changes like video the host sends
# it lossy (JPEG) to a desk that takes it, and once it stops the desk's
# picture becomes the window's exactly (xwd), nothing left blurred; the
# text around a video is never lossy (unit xwin/encoder-video-lossy).
. test/integration/lib.sh "$1"
need_progs Xvfb xwd

"$TELLY" new --x11 -s v -- "$B/test/xanim" "$T/stop" >/dev/null || fail "telly new --x11"
xprobe_start "$T/p" v XPROBE_LOSSY=1
exec 3>"$T/p/cmd"
wait_until 20 grep -q " anim playing$" "$T/p/windows"
id=$(sed -n 's/^\(0x[0-9a-f]*\) .* anim playing$/\1/p' "$T/p/windows")
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xauth=$TELLY_DIR/x11-v.auth

wait_until 30 grep -q "window $id: a region changes like video: sent lossy" "$TELLY_DIR/serve.log"
echo "playing: sent lossy"

touch "$T/stop"
wait_until 20 grep -q " anim still$" "$T/p/windows"
wait_until 20 same_as_xwd "$T/p" "$id"
echo "still: the desk's picture is the window's, pixel for pixel"
echo "x11 video: ok"
