#!/bin/sh
# Two desks of different sizes on one X session, a seamless view on a
# desk of 1280x1024 and a plain headless telly view of 800x600: the host
# display has the size of the desk in use (tmux's window-size latest),
# its maximized window too. The plain view attaching makes it 800x600;
# a click on the seamless desk makes it 1280x1024 again (before, it
# stayed at the plain view's size, and the seamless desk's maximized
# window at 800x600 in its corner); a key typed in the plain view,
# 800x600; the plain view gone, the seamless desk's size (before, the
# size of the desk that had gone).
. test/integration/lib.sh "$1"
need_progs xterm xdpyinfo xwininfo xdotool Xvfb
. test/integration/xhost.inc
sized() { # WxH: the host display and its maximized window tmax are WxH
	end=$(( $(date +%s) + 20 ))
	until is_dims ss "$1" && is_geom ss tmax "0 0 ${1%x*} ${1#*x}"; do
		[ "$(date +%s)" -le "$end" ] ||
			fail "$2: the host display is $(dims ss) and tmax $(geom ss tmax), not $1"
		sleep 0.05
	done
}
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
has_deskwin() { [ -n "$(deskwin "$1")" ]; }

"$TELLY" new --x11 -s ss -- xterm -T tmax -maximized || fail "telly new --x11"
wait_until 20 has_window tmax
start_xvfb 1280x1024
"$TELLY" view --seamless "" ss >"$T/seamless.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_deskwin tmax
sized 1280x1024 "the seamless view attached"

mkfifo "$T/keys"
exec 5<>"$T/keys"
printf 'wait-window "tmax" 20\nscreenshot %s\n' "$T/plain.png" >"$T/in"
"$TELLY" view --headless --size 800x600 --input "$T/in" --key-fd 5 --x11 ss >"$T/plain.out" 2>&1 &
plain=$!
pids="$pids $plain"
sized 800x600 "the plain view attached"
wait_until 20 grep -q plain.png "$T/plain.out"

xdotool mousemove --window "$(deskwin tmax)" 20 20 click 1
sized 1280x1024 "clicked on the seamless desk"
echo 'type "x"' >&5
sized 800x600 "typed in the plain view"
kill "$plain"
sized 1280x1024 "the plain view gone"
echo "the host display has the size of the desk in use: ok"
