#!/bin/sh
# Keys and buttons a view leaves down are let go on the host when it goes:
# a script that ends between key-down and key-up (and between press and
# release), and a view killed while it holds a key. xpress (xpress.c) logs
# every press and release with the modifier state: the program hears the
# releases, and the next view's typing comes without shift or ctrl. A key
# held is pressed once: repeat is the desk's, not the host's X server's.
. test/integration/lib.sh "$1"
need_progs xset

"$TELLY" new --x11 -s xr -- "$B/test/xpress" "$T/log" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"

# Shift (50) and a (38) held, button 1 pressed; the script ends there.
cat >"$T/in1" <<EOT
wait-window "xpress" 20
click-window 50 40
wait-update 10
key-down shift+a
wait-update 10
press 1
wait-update 10
EOT
"$TELLY" view --headless --x11 xr --input "$T/in1" >"$T/l1" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
# up KIND N: the last press or release of key or button N the program
# heard is a release (a held key may repeat meanwhile).
up() { grep -E "^$1-(press|release) $2 " "$T/log" | tail -n 1 | grep -q "^$1-release"; }
released() { up key 38 && up key 50 && up button 1; }
heard() { # CHECK WHAT: CHECK within 10 s, else fail with the program's log
	end=$(( $(date +%s) + 10 ))
	until "$1"; do
		[ "$(date +%s)" -le "$end" ] || fail "the program did not hear $2; it heard:
$(cat "$T/log")"
		sleep 0.05
	done
}
heard released "shift, a and button 1 let go"
# Key repeat is the desk's: the host's X server repeats nothing (its own
# repeat typed a held key again and again, with the desk's keymap loaded too).
hostdpy=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1)
DISPLAY=$hostdpy XAUTHORITY="$TELLY_DIR/x11-xr.auth" xset q >"$T/xset" ||
	fail "xset q on the host's display"
grep -q 'auto repeat: *off' "$T/xset" || fail "the host's X server repeats keys: $(grep -i 'auto repeat' "$T/xset")"

# The next view types b (56) into it: no shift, no button in its state.
: >"$T/log"
cat >"$T/in2" <<EOT
wait-window "xpress" 20
key b
wait-update 10
EOT
"$TELLY" view --headless --x11 xr --input "$T/in2" >"$T/l2" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
typed() { grep -q '^key-release 56 ' "$T/log"; }
heard typed "b"
grep -q '^key-press 56 0$' "$T/log" || fail "b was typed with a modifier held:
$(cat "$T/log")"

# A view killed while it holds ctrl (37) and c (54): the program hears ctrl let go.
: >"$T/log"
cat >"$T/in3" <<EOT
wait-window "xpress" 20
key-down ctrl+c
wait-update 10
wait-window "never-there" 120
EOT
"$TELLY" view --headless --x11 xr --input "$T/in3" >"$T/l3" 2>"$T/err" &
view=$!
pids="$pids $view"
held() { grep -q '^key-press 37 ' "$T/log"; }
wait_until 20 held
kill -9 "$view"
ctrl_up() { up key 54 && up key 37; }
heard ctrl_up "ctrl and c let go"
echo "keys and a button left down by a view that ended or was killed are let go: ok"
