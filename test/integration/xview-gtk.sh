#!/bin/sh
# A GTK program's popup (an override-redirect window) is drawn unframed at
# its place relative to its window, pixel for pixel as on the host, stays
# open when a view comes and goes, and a click on one of its items acts.
. test/integration/lib.sh "$1"
command -v zenity >/dev/null || fail "no zenity (make deps installs it)"
command -v xwd >/dev/null || fail "no xwd (make deps installs x11-apps)"

xlegend() { # LEGEND TITLE: "X Y W H" of the X window's client area
	sed -n "s/^xwindow [0-9]* box [-0-9 ]* client \([-0-9]*\) \([-0-9]*\) \([0-9]*\) \([0-9]*\) title \"$2\".*/\1 \2 \3 \4/p" "$1" | tail -n 1
}
hostwin() { # TITLE: "ID W H X Y" of the host's window, from telly ls
	"$TELLY" ls | sed -n "s/^ *window \(0x[0-9a-f]*\) \([0-9]*\)x\([0-9]*\)+\([-0-9]*\)+\([-0-9]*\) \"$1\".*/\1 \2 \3 \4 \5/p" | head -n 1
}
hostdpy() { "$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p' | head -n 1; }
view() { # SCRIPT LEGEND: a headless view of the session, 400x300
	"$TELLY" view --headless --size 400x300 --x11 gt --input "$1" >"$2" 2>>"$T/err" ||
		fail "view: $(cat "$T/err")"
}

"$TELLY" new --x11 -s gt -- sh -c "zenity --forms --title=ztest --add-combo=Pick \
	--combo-values='alpha|beta|gamma' >$T/out" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"ztest\"'"

# Open the combo's popup: a click on the combo (40 px from the dialog's
# right edge, 54 down: zenity's form with one combo).
printf 'wait-window "ztest" 20\nscreenshot %s\n' "$T/a.png" >"$T/in1"
view "$T/in1" "$T/l1"
set -- $(xlegend "$T/l1" ztest); [ $# -eq 4 ] || fail "no ztest window drawn"
cw=$3
printf 'wait-window "ztest" 20\nclick-window %d 54\nwait-update 10\n' $((cw - 90)) >"$T/in2"
view "$T/in2" "$T/l2"
# The popup is a window of its own on the host (zenity's 'zenity').
wait_until 10 sh -c "\"$TELLY\" ls | grep -q 'window .*\"zenity\"'"
popup() { "$TELLY" ls | sed -n 's/^ *window \(0x[0-9a-f]*\) \([0-9]*\)x\([0-9]*\)+\([0-9]*\)+\([0-9]*\) "zenity".*/\1 \2 \3 \4 \5/p' | head -n 1; }
wait_until 10 sh -c "[ -n \"\$(\"$TELLY\" ls | grep 'window .*+[0-9]*+[0-9]* \"zenity\"')\" ]"
set -- $(popup); pid=$1 pw=$2 ph=$3 px=$4 py=$5
set -- $(hostwin ztest); wx=$4 wy=$5
echo "popup $pid ${pw}x$ph+$px+$py, its window at $wx,$wy"

# Drawn where it belongs: at the dialog's client corner on the desk plus
# its offset from the dialog on the host; its pixels those of the host's
# window (a fresh view's picture, after which the dump is taken).
printf 'wait-window "ztest" 20\nscreenshot %s\n' "$T/p.png" >"$T/in3"
same() {
	view "$T/in3" "$T/l3"
	set -- $(xlegend "$T/l3" ztest)
	DISPLAY=$(hostdpy) XAUTHORITY="$TELLY_DIR/x11-gt.auth" xwd -silent -id "$pid" -out "$T/pop.xwd" ||
		return 1
	n=$("$PROBE" "$T/p.png" diff $(($1 + px - wx)) $(($2 + py - wy)) "$pw" "$ph" "$T/pop.xwd" 0 0)
	echo "popup pixels that differ: $n"
	[ "$n" -eq 0 ]
}
wait_until 30 same
# A view came and went, and the popup is still open.
"$TELLY" ls | grep -q 'window .*"zenity"' || fail "a view's coming closed the popup"

# Its middle item (beta) clicked: the combo takes it and the popup goes;
# then OK. (OK is clicked once the popup is gone: a click while the menu
# still holds its grab goes to the menu, which only closes.)
printf 'wait-window "ztest" 20\nclick-window %d %d\nwait-update 10\n' \
	$((px - wx + pw / 2)) $((py - wy + ph / 2)) >"$T/in4"
"$TELLY" view --headless --size 400x300 --x11 gt --input "$T/in4" >"$T/l4" 2>>"$T/err"
popup_gone() { ! "$TELLY" ls | grep -q 'window .*"zenity"'; }
wait_until 10 popup_gone
printf 'wait-window "ztest" 20\nclick-window %d 96\n' $((cw - 50)) >"$T/in5"
"$TELLY" view --headless --size 400x300 --x11 gt --input "$T/in5" >"$T/l5" 2>>"$T/err"
wait_until 20 grep -qx beta "$T/out"
echo "popup placed and drawn exactly, its item clicked: ok"
