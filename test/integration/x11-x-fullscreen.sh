#!/bin/sh
# A program that asks for the full screen (_NET_WM_STATE_FULLSCREEN:
# xterm -fullscreen, a player's F, a browser's F11) has it on the desk,
# as under ssh -X, where the desk's window manager gives it: telly x's
# host spans its screen with the window and the seamless desk asks its
# own window manager (openbox) for the same. Asked while the window is
# shown (wmctrl on the host, as a program does: a message to the root),
# it comes and goes, and the window is back at its size after; as does
# maximized, asked the same way (GTK's maximize button). Before,
# the host's window manager (telly) did not say it kept the full screen,
# so xterm did not ask, and a message asking was let go: a framed
# 484x316 window on the desk.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm openbox wmctrl xwininfo xprop
x_config "$XDG_CONFIG_HOME"
start_xvfb 1024x768
openbox --sm-disable >"$T/openbox.log" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c 'xprop -root _NET_SUPPORTING_WM_CHECK | grep -q "window id"'
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
# desk_is TITLE WxH+X+Y: the desk window's size and place on the root
desk_is() {
	w=$(deskwin "$1")
	[ -n "$w" ] && xwininfo -id "$w" >"$T/wi" || return 1
	set -- "$2" "$(sed -n 's/^ *Width: //p' "$T/wi")x$(sed -n 's/^ *Height: //p' "$T/wi")"
	set -- "$1" "$2+$(sed -n 's/^ *Absolute upper-left X: *//p' "$T/wi")+$(sed -n 's/^ *Absolute upper-left Y: *//p' "$T/wi")"
	[ "$1" = "$2" ]
}
full() { w=$(deskwin "$1") && [ -n "$w" ] && xprop -id "$w" _NET_WM_STATE | grep -q _NET_WM_STATE_FULLSCREEN; }
host_size() { "$TELLY" ls | grep -q "^  window .* $2+[-0-9]*+[-0-9]* \"$1\"$"; }

"$TELLY" x -s fs -- xterm -fullscreen -title fsx -e sleep 1000000 >"$T/x.out" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c "[ -n \"\$(xwininfo -root -tree | grep '\"fsx\"')\" ]" || fail "no desk window: $(cat "$T/x.out")"
wait_until 20 desk_is fsx 1024x768+0+0 ||
	fail "xterm -fullscreen is not full screen on the desk: $(cat "$T/wi"; "$TELLY" ls)"
full fsx || fail "the desk's window manager was not asked: $(xprop -id "$(deskwin fsx)")"
wait_until 20 host_size fsx 1024x768 || fail "the host's window does not span its screen: $("$TELLY" ls)"
# At the screen's corner, whatever the desk said of its first frame (a
# place off the screen, 1 run in 8, before).
"$TELLY" ls | grep -q "^  window .* 1024x768+0+0 \"fsx\"$" ||
	fail "the host's window is not at the screen's corner: $("$TELLY" ls)"
echo "xterm -fullscreen: full screen on the desk and the host: ok"

# Asked while it is shown, and given up.
"$TELLY" run fs -- xterm -title two -geometry 40x10 -e sleep 1000000 >/dev/null || fail "telly run"
wait_until 20 full fsx
wait_until 20 sh -c "[ -n \"\$(xwininfo -root -tree | grep '\"two\"')\" ]" || fail "no second window"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q ' \"two\"$'"
id=$("$TELLY" ls | sed -n 's/^ *window \(0x[0-9a-f]*\) .*"two"$/\1/p')
size=$("$TELLY" ls | sed -n 's/^ *window 0x[0-9a-f]* \([0-9]*x[0-9]*\)+.*"two"$/\1/p')
full two && fail "the second window is full screen before it asked"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
onhost() { DISPLAY=$dpy XAUTHORITY="$TELLY_DIR/x11-fs.auth" "$@"; }
onhost wmctrl -i -r "$id" -b add,fullscreen || fail "wmctrl"
wait_until 20 full two || fail "not asked of the desk: $(xprop -id "$(deskwin two)" _NET_WM_STATE)"
wait_until 20 desk_is two 1024x768+0+0 || fail "not full screen on the desk: $(cat "$T/wi")"
wait_until 20 host_size two 1024x768 || fail "not full screen on the host: $("$TELLY" ls)"
onhost xprop -id "$id" _NET_WM_STATE | grep -q _NET_WM_STATE_FULLSCREEN ||
	fail "the host's window does not say it: $(onhost xprop -id "$id" _NET_WM_STATE)"
onhost wmctrl -i -r "$id" -b remove,fullscreen || fail "wmctrl"
wait_until 20 sh -c "! xprop -id $(deskwin two) _NET_WM_STATE | grep -q FULLSCREEN" ||
	fail "still full screen on the desk"
wait_until 20 host_size two "$size" || fail "not back at $size on the host: $("$TELLY" ls; xwininfo -id "$(deskwin two)")"
desk_wh() { desk_is "$1" "$2+$(sed -n 's/^ *Absolute upper-left X: *//p' "$T/wi")+$(sed -n 's/^ *Absolute upper-left Y: *//p' "$T/wi")"; }
wait_until 20 desk_wh two "$size" || fail "not back at $size on the desk: $(cat "$T/wi"; "$TELLY" ls)"
echo "asked while shown, then given up: on the desk and the host, back at $size: ok"

# Maximized (a program's request, as GTK's maximize button sends it):
# the desk's window manager maximizes it, the host takes the desk's size.
maxed() { w=$(deskwin "$1") && [ -n "$w" ] && xprop -id "$w" _NET_WM_STATE >"$T/st" &&
	grep -q _NET_WM_STATE_MAXIMIZED_VERT "$T/st" && grep -q _NET_WM_STATE_MAXIMIZED_HORZ "$T/st"; }
desk_size() { xwininfo -id "$(deskwin "$1")" | sed -n 's/^ *Width: //p; s/^ *Height: //p' | paste -sd x; }
onhost wmctrl -i -r "$id" -b add,maximized_vert,maximized_horz || fail "wmctrl"
wait_until 20 maxed two || fail "not asked of the desk: $(cat "$T/st")"
big() { s=$(desk_size two); [ "${s%x*}" -ge 1000 ] && [ "${s#*x}" -ge 700 ] && host_size two "$s"; }
wait_until 20 big || fail "not maximized on the desk and the host: $(desk_size two) $("$TELLY" ls)"
onhost xprop -id "$id" _NET_WM_STATE | grep -q _NET_WM_STATE_MAXIMIZED_HORZ ||
	fail "the host's window does not say it: $(onhost xprop -id "$id" _NET_WM_STATE)"
onhost wmctrl -i -r "$id" -b remove,maximized_vert,maximized_horz || fail "wmctrl"
wait_until 20 sh -c "! xprop -id $(deskwin two) _NET_WM_STATE | grep -q MAXIMIZED" ||
	fail "still maximized on the desk"
wait_until 20 host_size two "$size"
wait_until 20 desk_wh two "$size"
echo "maximized, then not: on the desk and the host, back at $size: ok"
"$TELLY" ls | grep -q "^  window .* 1024x768+0+0 \"fsx\"$" ||
	fail "the host's full-screen window left the screen's corner: $("$TELLY" ls)"
