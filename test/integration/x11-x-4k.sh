#!/bin/sh
# A window of 4K (3840x2160) on a host display smaller than it, as a desk
# of 1920x1080 gives it: telly x shows it, drawn as the program draws it
# straight on the desk, as ssh -X does. Before, its picture would pass
# the pixels held for windows larger than the screen (half of 4 screens
# counted at least 1920x1080: 4147200 pixels) and it was never shown,
# even alone: "not shown: too large for the host's pixel budget (until
# its other windows close or shrink)", an empty desk window titled so.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo xwd xdotool
x_config "$XDG_CONFIG_HOME"
# The desk holds the whole window, so that xwd reads every pixel of it.
start_xvfb 3840x2200
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
on_desk() { [ -n "$(deskwin "$1")" ]; }
# pixels FILE: the bytes of an xwd dump's pixels (3840x2160, 4 bytes each)
pixels() { tail -c $((3840 * 2160 * 4)) "$1"; }

# The floor: xlogo drawn straight on the desk.
xlogo -bw 0 -geometry 3840x2160+0+0 &
lpid=$!
pids="$pids $lpid"
wait_until 20 on_desk xlogo || fail "xlogo is not on the desk"
drawn_once() { xwd -silent -id "$(deskwin xlogo)" >"$T/floor.xwd" && [ -s "$T/floor.xwd" ]; }
wait_until 20 drawn_once || fail "no xwd of xlogo"
kill "$lpid"
wait "$lpid" 2>/dev/null
wait_until 20 sh -c '! xwininfo -root -tree | grep -q "\"xlogo\""'

"$TELLY" x --screen 1920x1080 -s k4 -- xlogo -bw 0 -geometry 3840x2160+0+0 >"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 sh -c "xwininfo -root -tree | grep -q '\"xlogo'" || fail "no desk window: $(cat "$T/x.out")"
"$TELLY" ls | grep -q "window .* 3840x2160+.* \"xlogo\"$" || fail "telly ls: $("$TELLY" ls)"
same() {
	on_desk xlogo || return 1
	xwd -silent -id "$(deskwin xlogo)" >"$T/desk.xwd" || return 1
	pixels "$T/desk.xwd" | cmp -s - "$T/floor.pixels"
}
pixels "$T/floor.xwd" >"$T/floor.pixels"
wait_until 20 same || fail "the 4K window is not drawn as on the desk: $(xwininfo -root -tree | grep xlogo; cat "$T/x.out"; "$TELLY" ls)"
grep -q "not shown" "$T/x.out" && fail "telly x said: $(cat "$T/x.out")"
echo "a window of 3840x2160 on a host display of 1920x1080: shown, drawn as on the desk: ok"

xdotool windowclose "$(deskwin xlogo)"
wait_until 20 sh -c "! kill -0 $xpid 2>/dev/null" || fail "telly x runs on: $(cat "$T/x.out")"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 0 ] || fail "telly x exited $rc: $(cat "$T/x.out")"
