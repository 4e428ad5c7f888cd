#!/bin/sh
# Keys a view pressed on the host are let go there when its desk window
# loses the focus (a seamless view's, the desktop view's), and when the
# window goes while one is held (seamless): the desk's release goes to
# the window the desk focuses next (Alt+F4 on a desk with a window
# manager left Alt down on the host, and the host's programs then typed
# with Alt). A modifier the desk still holds is pressed on the host again
# with the desk's next key, where that key goes (as ssh -X would have it
# held). xkeys (xkeys.c) reads the
# host's X server's keymap: what a program there sees.
. test/integration/lib.sh "$1"
need_progs xdotool xwininfo
start_xvfb 1024x768

hostdpy() { "$TELLY" ls | sed -n "/^$1:/,/^[^ ]/s/^ *display \(:[0-9]*\).*/\1/p" | head -n 1; }
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
hostkeys() { DISPLAY=$(hostdpy kf) XAUTHORITY="$TELLY_DIR/x11-kf.auth" "$B/test/xkeys"; }
down() { hostkeys | tr ' ' '\n' | grep -qx "$1"; }
none_down() { [ -z "$(hostkeys)" ]; }
within() { # SECONDS CHECK...: CHECK comes true within SECONDS
	w_end=$(( $(date +%s) + $1 )); shift
	until "$@"; do [ "$(date +%s)" -le "$w_end" ] || return 1; sleep 0.05; done
}

"$TELLY" new --x11 -s kf -- "$B/test/xpress" "$T/log1" one || fail "new --x11"
"$TELLY" run kf -- "$B/test/xpress" "$T/log2" two || fail "telly run"
"$TELLY" run kf -- "$B/test/xpress" "$T/log3" three || fail "telly run"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q '\"one\"' && \"$TELLY\" ls | grep -q '\"two\"' && \"$TELLY\" ls | grep -q '\"three\"'"
"$TELLY" view --seamless "" kf >"$T/view.out" 2>&1 &
view=$!
pids="$pids $view"
wait_until 20 sh -c '[ -n "$(xwininfo -root -tree | grep "\"one\"")" ] && [ -n "$(xwininfo -root -tree | grep "\"two\"")" ] && [ -n "$(xwininfo -root -tree | grep "\"three\"")" ]'
one=$(deskwin one)
two=$(deskwin two)
three=$(deskwin three)

# Alt (64) held in one; the focus goes to two: Alt is up on the host.
xdotool windowfocus --sync "$one" || fail "focus one"
xdotool keydown alt
wait_until 10 down 64
xdotool windowfocus --sync "$two" || fail "focus two"
within 10 none_down ||
	fail "the host still has keys down after the focus left the window: $(hostkeys)"
# Alt is still down on the desk: b (56) typed in two comes with it, and
# Alt's release on the desk lets it go there.
xdotool key b
xdotool keyup alt
wait_until 10 grep -q '^key-release 64 ' "$T/log2"
grep -q '^key-press 56 8$' "$T/log2" || fail "b was not typed with Alt held:
$(cat "$T/log2")"
within 10 none_down || fail "keys down on the host: $(hostkeys)"

# Ctrl (37) held in three, then three goes on the host: ctrl is let go.
xdotool windowfocus --sync "$three" || fail "focus three"
xdotool keydown ctrl
wait_until 10 down 37
pid3=$(pgrep -f "xpress $T/log3") || fail "no xpress three"
kill "$pid3"
gone3() { [ -z "$(deskwin three)" ]; }
wait_until 10 gone3
within 10 none_down ||
	fail "the host still has keys down after the window went: $(hostkeys)"
xdotool keyup ctrl

# The desktop view (one desk window, the X windows in it) the same: Alt
# held in it, then the desk focuses another of its windows.
kill "$view"
"$B/test/xpress" "$T/desklog" other &
pids="$pids $!"
"$TELLY" view --x11 kf >"$T/desk.out" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c '[ -n "$(xwininfo -root -tree | grep "\"other\"")" ] && [ -n "$(xwininfo -root -tree | grep "\"telly view\"")" ]'
xdotool windowfocus --sync "$(deskwin "telly view")" || fail "focus the view"
xdotool keydown alt
wait_until 10 down 64
xdotool windowfocus --sync "$(deskwin other)" || fail "focus other"
within 10 none_down ||
	fail "the host still has keys down after the focus left the desktop view: $(hostkeys)"
xdotool keyup alt
echo "keys a view held are let go on the host when its window loses the focus or goes: ok"
