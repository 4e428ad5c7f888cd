#!/bin/sh
# Two desks on one X session disagree on where a window is once another
# desk moved it: the seamless desk keeps it where it was (its own place),
# and the host has it where the other desk put it. A dialog the window's
# program then opens by it (at the host's place of it, plus 50,50) comes
# by the window where the seamless desk shows it (before: at the host's
# coordinates, far from it).
. test/integration/lib.sh "$1"
need_progs xwininfo Xvfb
"$TELLY" new --x11 -s sd -- "$B/test/xplace" main 100 100 us || fail "telly new --x11"
listed() { "$TELLY" ls | grep -q "window .* $1 \"$2\""; }
wait_until 20 listed 200x100+100+100 main
main=$("$TELLY" ls | sed -n 's/^ *window \(0x[0-9a-f]*\) .*"main"$/\1/p')
start_xvfb 1280x1024
"$TELLY" view --seamless "" sd >"$T/seamless.out" 2>&1 &
pids="$pids $!"
at() { # TITLE X Y: the desk's window TITLE is at X,Y
	xwininfo -name "$1" 2>/dev/null >"$T/wi" || return 1
	[ "$(sed -n 's/^ *Absolute upper-left X: *//p' "$T/wi") $(sed -n 's/^ *Absolute upper-left Y: *//p' "$T/wi")" = "$2 $3" ]
}
wait_until 20 at main 100 100

# Another desk (the probe) moves it on the host.
xprobe_start "$T/p" sd
exec 3>"$T/p/cmd"
wait_until 20 grep -q " main$" "$T/p/windows"
echo "move $main 400 300 200 100" >&3
wait_until 20 listed 200x100+400+300 main
at main 100 100 || fail "the seamless desk's window moved: $(cat "$T/wi")"

# Its program opens a dialog by it.
DISPLAY=$("$TELLY" ls | sed -n 's/^ *display \(:[0-9]*\).*/\1/p') XAUTHORITY="$TELLY_DIR/x11-sd.auth" \
	"$B/test/xplace" dialog 450 350 us "$main" &
pids="$pids $!"
wait_until 20 listed 200x100+450+350 dialog
end=$(( $(date +%s) + 20 ))
until at dialog 150 150; do
	[ "$(date +%s)" -le "$end" ] || fail "the dialog is not by its window on the seamless desk (100,100 + 50,50): $(grep Absolute "$T/wi" | tr -s ' \n' ' ')"
	sleep 0.05
done
echo "a dialog comes by its window where the seamless desk shows it: ok"
