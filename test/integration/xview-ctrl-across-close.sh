#!/bin/sh
# Ctrl held on the desk across an X window's close: Ctrl+W closes the
# first window, W typed again (Ctrl still held) reaches the next window
# as Ctrl+W, as under ssh -X, in the desktop view and in a seamless one.
# The view lets a gone window's keys go on the host (the desk's release
# may go elsewhere); the desk's next key, whose state says Ctrl is still
# down, must press it there again. Each window: an xterm whose program
# reads one raw byte and ends (the closer), or writes it to a file.
. test/integration/lib.sh "$1"
need_progs xterm xdotool xwininfo
start_xvfb 1024x768

deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
listed() { "$TELLY" ls | grep -q "window .*\"$1\""; }
one_byte() { # SESSION TITLE GEOMETRY FILE: an xterm that reads one raw byte into FILE
	"$TELLY" run "$1" -- xterm -T "$2" -geometry "$3" \
		-e sh -c "stty raw -echo; dd bs=1 count=1 of=$4 2>/dev/null" || fail "telly run $2"
}
typed_is() { [ "$(od -An -tx1 "$1" 2>/dev/null | tr -d ' ')" = "$2" ]; }
check_next() { # FILE MODE: the next window got Ctrl+W (0x17)
	wait_until 10 sh -c "[ -s '$1' ]" || fail "$2: nothing reached the next window"
	typed_is "$1" 17 || fail "$2: the next window got $(od -An -c "$1") after Ctrl+W closed the first, not ^W (Ctrl held on the desk)"
}

# The desktop view: one desk window, the X windows in it.
"$TELLY" new --x11 -s dk -- sleep 600 || fail "new dk"
one_byte dk closer1 40x8+10+10 "$T/closer1"
one_byte dk next1 40x8+10+300 "$T/next1"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q '\"closer1\"' && \"$TELLY\" ls | grep -q '\"next1\"'" ||
	fail "no windows in dk"
"$TELLY" view --x11 dk >"$T/view1.out" 2>&1 &
view1=$!
pids="$pids $view1"
wait_until 20 sh -c '[ -n "$(xwininfo -root -tree | grep "\"telly view\"")" ]' || fail "no desktop view"
vwin=$(deskwin "telly view")
xdotool windowfocus --sync "$vwin" mousemove --window "$vwin" 120 80 click 1 || fail "focus closer1"
xdotool keydown Control_L
xdotool key w
wait_until 20 sh -c "! \"$TELLY\" ls | grep -q '\"closer1\"'" || fail "desktop: Ctrl+W did not close closer1"
typed_is "$T/closer1" 17 || fail "desktop: closer1 got $(od -An -c "$T/closer1"), not ^W"
xdotool mousemove --window "$vwin" 120 380 click 1 key w
xdotool keyup Control_L
check_next "$T/next1" desktop
kill "$view1"

# Seamless: each X window a desk window, the desk's focus moved by hand.
"$TELLY" new --x11 -s sl -- sleep 600 || fail "new sl"
one_byte sl closer2 40x8+10+10 "$T/closer2"
one_byte sl next2 40x8+10+300 "$T/next2"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q '\"closer2\"' && \"$TELLY\" ls | grep -q '\"next2\"'" ||
	fail "no windows in sl"
"$TELLY" view --seamless "" sl >"$T/view2.out" 2>&1 &
pids="$pids $!"
both_shown() { [ -n "$(deskwin closer2)" ] && [ -n "$(deskwin next2)" ]; }
wait_until 20 both_shown ||
	fail "seamless: no desk windows"
next2=$(deskwin next2)
xdotool windowfocus --sync "$(deskwin closer2)" || fail "focus closer2"
xdotool keydown Control_L
xdotool key w
closer_gone() { [ -z "$(deskwin closer2)" ]; }
wait_until 20 closer_gone || fail "seamless: Ctrl+W did not close closer2"
typed_is "$T/closer2" 17 || fail "seamless: closer2 got $(od -An -c "$T/closer2"), not ^W"
xdotool windowfocus --sync "$next2" key w || fail "focus next2"
xdotool keyup Control_L
check_next "$T/next2" seamless
echo "Ctrl held across a window's close reaches the next window: ok"
