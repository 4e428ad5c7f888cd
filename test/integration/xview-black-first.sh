#!/bin/sh
# An X window whose first picture is all black (xlogo, black on black)
# reaches the desks like any other: the encoder's picture of a new window
# starts black, and its first read, equal to it, sent nothing, so a view
# attached when it mapped never drew it (wait-window waited until its
# timeout). Now its first picture always goes:
# - to a headless view and the probe desk attached before it maps
#   (wait-window finds it, the probe's picture is the window's);
# - after a resize (the probe's picture at the new size);
# - to a view that attaches later;
# - to a seamless view on a desk Xvfb, attached before it maps (the desk
#   window black, at the host window's size);
# - to the probe desk again once its link drops and it attaches anew;
# - to a view over TCP whose link dropped while the window mapped, once
#   its X session resumes (through cut-proxy).
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xdotool xwd xwininfo
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 grep -q "serving on" "$T/serve.err"
"$TELLY" new --x11 --screen 1024x768 -s k -- sleep 1000000 >/dev/null || fail "telly new --x11"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xauth=$TELLY_DIR/x11-k.auth
viewers() { "$TELLY" ls | grep -q "^k: .* $1 viewers*)"; }
win() { sed -n "s/^\(0x[0-9a-f]*\) .* $1\$/\1/p" "$T/p/windows"; } # TITLE: its id
drawn() { grep -q "^[^ ]* [-0-9]* [-0-9]* [0-9]* [0-9]* [0-9]* [1-9][0-9]* $1\$" "$T/p/windows"; }
black() { # PNG X Y W H: every pixel of the box black
	[ "$("$PROBE" "$1" other "$2" "$3" "$4" "$5" 000000)" -eq 0 ]
}

xprobe_start "$T/p" k
exec 3>"$T/p/cmd"
wait_until 20 test -e "$T/p/windows"
cat >"$T/in-a" <<EOF
wait-window "blackwin" 20
screenshot $T/a.png
EOF
"$TELLY" view --headless --x11 k --input "$T/in-a" >"$T/legend-a" 2>"$T/view-a.err" &
va=$!
pids="$pids $va"
wait_until 20 viewers 2
"$TELLY" run k -- xlogo -bg black -fg black -bd black -geometry 160x120+40+40 -title blackwin ||
	fail "telly run xlogo"
wait "$va" || fail "the view attached before it mapped never drew the black window: $(cat "$T/view-a.err")"
grep -q 'title "blackwin"' "$T/legend-a" || fail "no blackwin in the view: $(cat "$T/legend-a")"
set -- $(sed -n 's/^xwindow .* client \([0-9]*\) \([0-9]*\) \([0-9]*\) \([0-9]*\) title "blackwin".*/\1 \2 \3 \4/p' "$T/legend-a")
black "$T/a.png" "$1" "$2" 160 120 || fail "the window is not black on the view"
wait_until 20 drawn blackwin
id=$(win blackwin)
wait_until 20 same_as_xwd "$T/p" "$id"
echo "an all-black window, first mapped: drawn by the views attached before it: ok"

DISPLAY=$dpy XAUTHORITY=$xauth xdotool windowsize "$id" 300 220
wait_until 20 same_as_xwd "$T/p" "$id"
echo "an all-black window resized: the desk's picture at its new size: ok"

cat >"$T/in-b" <<EOF
wait-window "blackwin" 20
screenshot $T/b.png
EOF
timeout -k 5 40 "$TELLY" view --headless --x11 k --input "$T/in-b" >"$T/legend-b" 2>"$T/view-b.err" ||
	fail "a view attached later did not draw the black window: $(cat "$T/view-b.err")"
echo "an all-black window: drawn by a view that attaches later: ok"

# Seamless, attached before the window maps.
start_xvfb 1280x1024
"$TELLY" view --seamless --stats "" k >"$T/view-s.out" 2>&1 &
vs=$!
pids="$pids $vs"
wait_until 20 viewers 2
"$TELLY" run k -- xlogo -bg black -fg black -bd black -geometry 180x130+60+60 -title blackseam ||
	fail "telly run xlogo"
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
has_win() { [ -n "$(deskwin blackseam)" ] || ! kill -0 "$vs" 2>/dev/null; }
wait_until 20 has_win
kill -0 "$vs" 2>/dev/null || fail "the seamless view ended: $(cat "$T/view-s.out")"
w=$(deskwin blackseam)
xwininfo -id "$w" | grep -q 'Width: 180' || fail "the desk window is not 180 wide: $(xwininfo -id "$w")"
xwd -silent -id "$w" >"$T/s.xwd" || fail "xwd of the desk window"
[ "$("$PROBE" "$T/s.xwd" other 0 0 180 130 000000)" -eq 0 ] || fail "the desk window is not black"
kill -INT "$vs"
wait "$vs"
echo "an all-black window: a seamless view attached before it maps shows it: ok"

# The probe desk's link drops: attached anew, it gets the black window's
# picture (a keyframe) again.
kill "$xprobe_pid"
exec 3>&-
xprobe_start "$T/p" k
exec 3>"$T/p/cmd"
wait_until 20 test -e "$T/p/windows"
wait_until 20 drawn blackseam
wait_until 20 same_as_xwd "$T/p" "$(win blackseam)"
echo "an all-black window: drawn again by a desk that attaches anew: ok"

# A view over TCP (it resumes its channels): the link goes down, the
# window maps meanwhile, and once the link is back its X session resumes
# and the window is drawn. A terminal's title says when the link is down.
pport=$(free_port)
mkfifo "$T/ctl"
"$B/test/cut-proxy" "$pport" "$port" "$T/ctl" >"$T/proxy.log" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q '^ready' "$T/proxy.log"
"$TELLY" new -s keys -- sh -c 'printf "\033]2;keyswin\007"; exec sleep 1000000' >/dev/null ||
	fail "new keys"
cat >"$T/in-r" <<EOF
wait-window "keyswin" 20
screenshot $T/up.png
wait-window "] keyswin" 60
screenshot $T/down.png
wait-window "blackdown" 60
EOF
"$TELLY" view --headless --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--input "$T/in-r" >"$T/legend-r" 2>"$T/view-r.err" &
vr=$!
pids="$pids $vr"
wait_until 30 test -e "$T/up.png"
echo down >"$T/ctl"
wait_until 30 test -e "$T/down.png"
"$TELLY" run k -- xlogo -bg black -fg black -bd black -geometry 150x100+80+80 -title blackdown ||
	fail "telly run xlogo"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"blackdown\"'"
echo up >"$T/ctl"
wait "$vr" || fail "the resumed view did not draw the black window: $(cat "$T/view-r.err")"
echo "an all-black window mapped while a view's link was down: drawn once it resumes: ok"
