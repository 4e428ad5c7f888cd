#!/bin/sh
# telly view --seamless under a desk window manager that frames windows
# (openbox: a border and a title bar): a window comes where the host has
# it, its own corner there, not its frame's, so a view killed and started
# again finds it at the same place, again and again (it crept down by a
# title bar at each view); one the host has too near the top for its
# title bar (3,5) is moved down far enough; windows the host has at its
# corner (0,0), where
# it puts those that ask for no place, are placed by the desk's window
# manager, as ssh -X's are (they were all at the screen's corner, one on
# another), and keep that place from then on; so is one the host has
# elsewhere whose program asked for no place (no USPosition nor PPosition
# in its WM_NORMAL_HINTS: before, any window not at 0,0 was kept there).
. test/integration/lib.sh "$1"
need_progs xterm xwininfo xprop openbox
start_xvfb 1280x1024
openbox --sm-disable >"$T/openbox.log" 2>&1 &
pids="$pids $!"
# openbox manages the screen before any window comes (else it adopts them
# where they are).
wm_up() { xprop -root _NET_SUPPORTING_WM_CHECK 2>/dev/null | grep -q 'window id'; }
wait_until 20 wm_up

deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }
deskpos() { # TITLE: "X Y" of the desk's window (its own corner)
	xwininfo -id "$(deskwin "$1")" | sed -n 's/^ *Absolute upper-left X: *\([-0-9]*\)/\1/p;
		s/^ *Absolute upper-left Y: *\([-0-9]*\)/\1/p' | paste -sd ' '
}
framepos() { # TITLE: "X Y" of the frame openbox put it in (its parent)
	fp_p=$(xwininfo -id "$(deskwin "$1")" -children | sed -n 's/^ *Parent window id: \(0x[0-9a-f]*\).*/\1/p')
	xwininfo -id "$fp_p" | sed -n 's/^ *Absolute upper-left X: *\([-0-9]*\)/\1/p;
		s/^ *Absolute upper-left Y: *\([-0-9]*\)/\1/p' | paste -sd ' '
}
hostpos() { # TITLE: "X Y" of the window on the host (telly ls)
	"$TELLY" ls | sed -n "s/^ *window 0x[0-9a-f]* [0-9]*x[0-9]*+\([-0-9]*\)+\([-0-9]*\) \"$1\".*/\1 \2/p" | head -n 1
}
corner_in() { # below the screen's top by its title bar, and the host told
	set -- $(deskpos corner)
	[ "${2:-0}" -gt 0 ] && settled corner "$1" "$2"
}
framed() { xwininfo -id "$(deskwin "$1")" -children | grep 'Parent window id' | grep -vq 'root window'; }
all_framed() {
	for af_t in placed corner free free2 loose; do
		[ -n "$(deskwin $af_t)" ] && framed $af_t || return 1
	done
}
settled() { # TITLE X Y: the desk and the host both have it there
	[ "$(deskpos "$1")" = "$2 $3" ] && [ "$(hostpos "$1")" = "$2 $3" ]
}

"$TELLY" new --x11 -s xs -- xterm -T placed -geometry 40x8+200+150 || fail "new --x11"
"$TELLY" run xs -- xterm -T corner -geometry 40x8+3+5 || fail "telly run"
"$TELLY" run xs -- xterm -T free -geometry 40x8 || fail "telly run"
"$TELLY" run xs -- xterm -T free2 -geometry 40x8 || fail "telly run"
"$TELLY" run xs -- "$B/test/xplace" loose 300 300 none || fail "telly run xplace"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q '\"corner\"' && \"$TELLY\" ls | grep -q '\"placed\"' && \"$TELLY\" ls | grep -q '\"free\"' && \"$TELLY\" ls | grep -q '\"free2\"' && \"$TELLY\" ls | grep -q '\"loose\"'"
[ "$(hostpos placed)" = "200 150" ] || fail "placed is at $(hostpos placed) on the host"

for round in 1 2 3; do
	"$TELLY" view --seamless "" xs >"$T/view$round.out" 2>&1 &
	view=$!
	pids="$pids $view"
	wait_until 20 all_framed
	# Where the host has it, its own corner, not its frame's.
	wait_until 10 settled placed 200 150
	# At 3,5 its title bar would be above the screen: moved in, and the
	# host told.
	wait_until 10 corner_in
	set -- $(framepos corner)
	[ "$1" -ge 0 ] && [ "$2" -ge 0 ] || fail "round $round: corner's frame at $1 $2, off the screen"
	set -- $(deskpos corner)
	[ "$round" = 1 ] && corner1="$1 $2"
	[ "$1 $2" = "$corner1" ] || fail "round $round: corner moved from $corner1 to $1 $2"
	# Two windows at the host's corner: the window manager put them
	# apart, and the host knows where.
	free_in() {
		set -- $(deskpos free2)
		settled free2 "$1" "$2" || return 1
		set -- $(deskpos free)
		[ "$1 $2" != "$(deskpos free2)" ] && settled free "$1" "$2"
	}
	wait_until 10 free_in
	[ "$round" = 1 ] && free1="$(deskpos free) $(deskpos free2)"
	[ "$(deskpos free) $(deskpos free2)" = "$free1" ] ||
		fail "round $round: free and free2 moved from $free1 to $(deskpos free) $(deskpos free2)"
	# Mapped at 300,300 asking for no place: where the window manager
	# put it, and the host told.
	loose_in() {
		set -- $(deskpos loose)
		[ -n "$1" ] && [ "$1 $2" != "300 300" ] && settled loose "$1" "$2"
	}
	wait_until 10 loose_in
	[ "$round" = 1 ] && loose1=$(deskpos loose)
	[ "$(deskpos loose)" = "$loose1" ] || fail "round $round: loose moved from $loose1 to $(deskpos loose)"
	echo "round $round: loose at $loose1"
	echo "round $round: placed at 200 150, corner at $corner1, free and free2 at $free1, on the desk and on the host"
	kill "$view"
	wait "$view" 2>/dev/null
	wait_until 10 sh -c "[ -z \"\$(xwininfo -root -tree | grep '\"placed\"')\" ]"
done
echo "framed by the desk's window manager, windows stay where they were view after view: ok"
