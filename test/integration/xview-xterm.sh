#!/bin/sh
# An xterm in an X session, drawn by `telly view --headless`: its pixels on
# the desk equal the host window's own dump (xwd: nothing lossy), and
# typing through --input reaches its program as keycodes of the desk's
# keymap.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || fail "no xterm (make deps installs it)"
command -v xwd >/dev/null || fail "no xwd (make deps installs x11-apps)"

# xlegend LEGEND TITLE: "X Y W H" of the client area of the X window
# whose title is TITLE in the view's last legend.
xlegend() {
	sed -n "s/^xwindow [0-9]* box [-0-9 ]* client \([-0-9]*\) \([-0-9]*\) \([0-9]*\) \([0-9]*\) title \"$2\".*/\1 \2 \3 \4/p" "$1" | tail -n 1
}
# The host's window of TITLE: "ID W H X Y" from telly ls.
hostwin() {
	"$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) \([0-9]*\)x\([0-9]*\)+\([-0-9]*\)+\([-0-9]*\) \"$1\".*/\1 \2 \3 \4 \5/p" | head -n 1
}
hostdpy() { "$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1; }

"$TELLY" new --x11 -s xs -- xterm -T xtest -geometry 40x8+40+50 \
	-e sh -c "printf 'ready> '; read line; printf '%s\n' \"\$line\" >$T/typed; echo got-it; exec sleep 600" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOT
wait-window "xtest" 20
screenshot $T/before.png
type "hello telly\n"
wait-update 10
EOT
"$TELLY" view --headless --stats --x11 xs --input "$T/in" >"$T/legend" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
cat "$T/legend" "$T/err"
set -- $(xlegend "$T/legend" xtest)
[ $# -eq 4 ] || fail "no xtest window in the legend"
# The frame stands where the host has the window: its client area a
# border and a title bar lower.
set -- $(hostwin xtest) ; [ $# -eq 5 ] || fail "telly ls does not list the window"
id=$1 w=$2 h=$3
set -- $(xlegend "$T/legend" xtest); cx=$1 cy=$2
[ "$3" -eq "$w" ] && [ "$4" -eq "$h" ] || fail "client area $3x$4, the host's window ${w}x$h"

# Typed: the program read the line.
wait_until 10 grep -qx 'hello telly' "$T/typed"
grep -q 'X keystroke-to-pixel' "$T/err" || fail "--stats said nothing of the X window's keys"

# Drawn exactly: a view's picture of the window and the host's own dump
# agree pixel for pixel once the program is idle (a fresh view gets the
# picture as it is now; the dump is taken after it).
printf 'wait-window "xtest" 20\nscreenshot %s\n' "$T/now.png" >"$T/in2"
same() {
	"$TELLY" view --headless --x11 xs --input "$T/in2" >"$T/legend2" 2>>"$T/err2" || return 1
	DISPLAY=$(hostdpy) XAUTHORITY="$TELLY_DIR/x11-xs.auth" xwd -silent -id "$id" -out "$T/host.xwd" ||
		return 1
	set -- $(xlegend "$T/legend2" xtest)
	n=$("$PROBE" "$T/now.png" diff "$1" "$2" "$w" "$h" "$T/host.xwd" 0 0)
	echo "pixels that differ: $n"
	[ "$n" -eq 0 ]
}
wait_until 30 same
# And the typed line is among them: the picture changed where it is.
n=$("$PROBE" "$T/now.png" diff "$cx" "$cy" "$w" "$h" "$T/before.png" "$cx" "$cy")
[ "$n" -gt 50 ] || fail "the window did not change after typing ($n pixels)"
echo "xterm drawn pixel-exact, typing reached it: ok"
