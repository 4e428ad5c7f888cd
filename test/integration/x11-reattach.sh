#!/bin/sh
# A desk that attaches to an X session while a notice of damage is
# pending that the last read had already taken (its pixels went with that
# read): the new desk gets the window's picture, equal to its xwd dump,
# though nothing draws in the window any more. It used to wait for its
# first picture from the next read, which found nothing new, and got none
# while the window stayed still (a desk attached again after a drop, or
# a second desk, showed nothing).
#
# Made to happen every round: a desk (the mover) stops acknowledging, two
# updates go unacknowledged (two keys typed), the program is stopped
# (SIGSTOP), and the mover resizes the window: the display paints the new
# part, the daemon reads the window whole (a third update: the mover has
# the most it may have unacknowledged, so nobody takes more), and the
# notice of the paint comes after the read that has it. Then a new desk
# attaches.
#
# Last, keys typed while the window's damage waits to be read: the read's
# XTIMING answers the key before that damage, its stages in order (it
# named the last key typed, with a damage time from before that key).
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwd
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock
ROUNDS=6

# probe DIR [ENV=VALUE...]: a probe desk on session x, commands through
# DIR/cmd (fd 3).
probe() {
	pd=$1
	shift
	mkdir -p "$pd"
	mkfifo "$pd/cmd"
	env "$@" "$XPROBE" "$SOCK" x "$pd" <"$pd/cmd" >"$pd/out" 2>"$pd/err" &
	probe_pid=$!
	pids="$pids $probe_pid"
	exec 3>"$pd/cmd"
}
win_id() { grep -F " re" "$1/windows" 2>/dev/null | head -n 1 | cut -d' ' -f1; }
has_win() { [ -n "$(win_id "$1")" ]; }
at() { grep -q "^$2 $3 $4 $5 $6 " "$1/windows" 2>/dev/null; } # DIR ID X Y W H

"$TELLY" new --x11 -s x -- xterm -T re -e sh >"$T/new.out" 2>&1 || fail "telly new --x11: $(cat "$T/new.out")"
wait_until 20 sh -c "'$TELLY' ls | grep -q '^  display :'"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xauth=$TELLY_DIR/x11-x.auth


probe "$T/m" XPROBE_TIMING=1
exec 4>&3
wait_until 20 has_win "$T/m"
id=$(win_id "$T/m")
exec 5>&3
wait_until 20 same_as_xwd "$T/m" "$id"
echo keymap >&4
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
xterm_pid=$(sed -n 's/.*session x: started xterm (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
[ -n "$xterm_pid" ] || fail "serve.log names no xterm"
updates() { grep -F " re" "$1/windows" 2>/dev/null | head -n 1 | cut -d' ' -f7; }
drawn_past() { [ "$(updates "$1")" -ge "$2" ] 2>/dev/null; } # DIR N: N updates or more
i=0
while [ $i -lt $ROUNDS ]; do
	n=$(updates "$T/m")
	echo "acks off" >&4
	echo "type $id x" >&4
	wait_until 20 drawn_past "$T/m" $((n + 1))
	echo "type $id y" >&4
	wait_until 20 drawn_past "$T/m" $((n + 2))
	w=$(( 400 + (i % 2) * 120 )) h=$(( 300 + (i % 3) * 40 ))
	kill -STOP "$xterm_pid"
	echo "move $id 0 0 $w $h" >&4
	wait_until 20 sh -c "grep -q '^$id 0 0 $w $h ' '$T/m/windows' 2>/dev/null"
	wait_until 20 drawn_past "$T/m" $((n + 3))
	d=$T/p$i
	probe "$d"
	wait_until 20 sh -c "grep -q '^$id 0 0 $w $h ' '$d/windows' 2>/dev/null"
	wait_until 20 same_as_xwd "$d" "$id"
	echo "acks on" >&4
	kill -CONT "$xterm_pid"
	kill -9 "$probe_pid"
	# The program redraws; the mover has it before the next round.
	exec 3>&5
	wait_until 20 same_as_xwd "$T/m" "$id"
	i=$((i + 1))
done
echo "x11 reattach: $ROUNDS desks attached with damage pending, each drawn"

# Keys typed while the window's damage waits to be read (the mover has
# the most it may have unacknowledged): that damage answers the key
# before it, not these, and the XTIMING of the read says so, its stages
# in order (it named the last key, with a damage time before that key
# went in).
dump() { xenv xwd -silent -id "$id" >"$1"; }
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }
changed() { dump "$T/now.xwd" && ! cmp -s "$T/now.xwd" "$T/before.xwd"; }
type_seen() { # KEY: typed, and drawn on the host
	dump "$T/before.xwd" || fail "xwd"
	echo "type $id $1" >&4
	wait_until 20 changed
}
n=$(updates "$T/m")
echo "acks off" >&4
for k in a b c; do
	echo "type $id $k" >&4
	n=$((n + 1))
	wait_until 20 drawn_past "$T/m" $n
done
type_seen d
type_seen e
lines() { cat "$T/m/timing" 2>/dev/null | wc -l; }
l0=$(lines)
more_timing() { [ "$(lines)" -gt "$l0" ]; }
echo "acks on" >&4
wait_until 20 more_timing
awk '!($3 > 0 && $3 <= $4 && $4 <= $5 && $5 <= $6 && $6 <= $7 && $7 <= $8) { bad = bad $0 "; " }
     END { if (bad != "") { print bad; exit 1 } }' "$T/m/timing" >"$T/bad" ||
	fail "XTIMING out of order: $(cat "$T/bad")"
echo "XTIMING of keys typed while damage waited: in order"
