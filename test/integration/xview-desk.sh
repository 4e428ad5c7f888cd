#!/bin/sh
# An X window as a window of the desk: resized on the desk, it is resized
# on the host (xwininfo); a view killed and started again finds it where
# it was, at its size; two views at once, one read-only: the read-only one
# watches what the other types, and its own keys go nowhere; two windows
# come back stacked as they were.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || fail "no xterm (make deps installs it)"
command -v xwininfo >/dev/null || fail "no xwininfo (make deps installs x11-utils)"

xlegend() { # LEGEND TITLE: "BX BY BW BH CX CY CW CH" of the X window in the last legend
	sed -n "s/^xwindow [0-9]* box \([-0-9]*\) \([-0-9]*\) \([0-9]*\) \([0-9]*\) client \([-0-9]*\) \([-0-9]*\) \([0-9]*\) \([0-9]*\) title \"$2\".*/\1 \2 \3 \4 \5 \6 \7 \8/p" "$1" | tail -n 1
}
hostid() { "$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) .* \"$1\".*/\1/p" | head -n 1; }
attached() { grep -c 'attached to xs' "$TELLY_DIR/serve.log"; }
more_attached() { [ "$(attached)" -gt "$1" ]; }
hostdpy() { "$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1; }
hostsize() { # ID: "W H" by xwininfo on the host's display
	DISPLAY=$(hostdpy) XAUTHORITY="$TELLY_DIR/x11-xs.auth" xwininfo -id "$1" |
		sed -n 's/^ *Width: \([0-9]*\)/\1/p; s/^ *Height: \([0-9]*\)/\1/p' | tr '\n' ' '
}

"$TELLY" new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 \
	-e sh -c "while read l; do printf '%s\n' \"\$l\" >>$T/typed; done" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"
id=$(hostid xtest)
set -- $(hostsize "$id"); w0=$1 h0=$2
echo "host window $id ${w0}x$h0"

# Resize on the desk: a click on the bottom right corner of the frame
# puts the pointer there, then a drag 100 right and 50 down.
cat >"$T/in1" <<EOT
wait-window "xtest" 20
click-window $((w0 + 1)) $((h0 + 1))
press 1
move 100 50
release 1
wait-update 10
screenshot $T/r.png
EOT
"$TELLY" view --headless --accel flat --x11 xs --input "$T/in1" >"$T/l1" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
cat "$T/l1"
set -- $(xlegend "$T/l1" xtest); [ $# -eq 8 ] || fail "no xtest window drawn"
box="$1 $2 $3 $4"
[ "$7" -eq $((w0 + 100)) ] && [ "$8" -eq $((h0 + 50)) ] ||
	fail "the desk's client area is $7x$8, not $((w0 + 100))x$((h0 + 50))"
sized() { set -- $(hostsize "$id"); [ "$1" -eq $((w0 + 100)) ] && [ "$2" -eq $((h0 + 50)) ]; }
wait_until 10 sized

# Killed and started again: the window where it was, at its size.
printf 'wait-window "xtest" 20\nwait-update 120\n' >"$T/in2"
n=$(attached)
"$TELLY" view --headless --x11 xs --input "$T/in2" >/dev/null 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 10 more_attached "$n"
kill -9 "$vpid"
printf 'wait-window "xtest" 20\nscreenshot %s\n' "$T/again.png" >"$T/in3"
"$TELLY" view --headless --x11 xs --input "$T/in3" >"$T/l3" 2>>"$T/err" || fail "view again"
set -- $(xlegend "$T/l3" xtest)
[ "$1 $2 $3 $4" = "$box" ] || fail "the window came back at $1 $2 $3 $4, was at $box"

# Two views: a read-only one watching, the other typing. The watcher
# ends when it sees the window change (its wait counts any change after
# its own keys: it sent nothing); what it typed itself went nowhere. It
# is held at a gate (a FIFO as its screenshot file) once it has typed,
# and the typist starts only then: a change that came before the
# watcher's keys would not count, and it would wait for one more.
mkfifo "$T/rogate"
printf 'wait-window "xtest" 20\ntype "from-watcher\\n"\nscreenshot %s\nwait-update 60\n' "$T/rogate" >"$T/ro"
"$TELLY" view --headless -r --x11 xs --input "$T/ro" >/dev/null 2>"$T/ro.err" &
ro=$!
pids="$pids $ro"
timeout 30 cat "$T/rogate" >/dev/null || fail "the watcher never typed: $(cat "$T/ro.err")"
printf 'wait-window "xtest" 20\ntype "from-typist\\n"\nwait-update 20\n' >"$T/rw"
"$TELLY" view --headless --x11 xs --input "$T/rw" >/dev/null 2>>"$T/err" || fail "typing view"
wait_until 10 grep -qx from-typist "$T/typed"
wait "$ro" || fail "the read-only view did not see the change: $(cat "$T/ro.err")"
! grep -q from-watcher "$T/typed" || fail "the read-only view's keys reached the program"

# A second program's window appears in the view; ctrl+shift+W closes it
# (XCLOSE: WM_DELETE_WINDOW to xterm), and it goes from host and desk.
"$TELLY" run xs -- xterm -T second -geometry 20x5+400+300 || fail "telly run"
printf 'wait-window "second" 20\nscreenshot %s\nwait-window "xtest" 20\n' "$T/two.png" >"$T/in5"
"$TELLY" view --headless --x11 xs --input "$T/in5" >"$T/l5" 2>>"$T/err" || fail "view: $(cat "$T/err")"
grep -q 'title "second" focused' "$T/l5" || fail "the second window is not drawn and focused"
grep -q 'title "xtest"' "$T/l5" || fail "the first window went"
# The older window was raised on the desk (the host too): a view started
# again stacks them so, though the host names them oldest first. The
# legend goes bottom to top.
printf 'screenshot %s\n' "$T/stack.png" >"$T/in7"
"$TELLY" view --headless --x11 xs --input "$T/in7" >"$T/l7" 2>>"$T/err" || fail "view: $(cat "$T/err")"
order=$(sed -n 's/^xwindow .* title "\([a-z]*\)".*/\1/p' "$T/l7" | tr '\n' ' ')
[ "$order" = "second xtest " ] || fail "stacked bottom to top: $order, not second xtest"
grep -q 'title "xtest" focused' "$T/l7" || fail "the top window has not the focus: $(cat "$T/l7")"
printf 'wait-window "second" 20\nkey ctrl+shift+w\n' >"$T/in8"
"$TELLY" view --headless --x11 xs --input "$T/in8" >/dev/null 2>>"$T/err" || fail "view: $(cat "$T/err")"
second_gone() { ! "$TELLY" ls | grep -q '"second"'; }
wait_until 20 second_gone
printf 'wait-window "xtest" 20\nscreenshot %s\n' "$T/one.png" >"$T/in6"
"$TELLY" view --headless --x11 xs --input "$T/in6" >"$T/l6" 2>>"$T/err" || fail "view: $(cat "$T/err")"
! grep -q '"second"' "$T/l6" || fail "the closed window is still on the desk"
echo "resized on the host, back where it was, a watcher and a typist, a window comes and goes: ok"
