#!/bin/sh
# A program that grabs its X server does not freeze the daemon. While the
# grab holds, the server reads none of the daemon's requests; the program
# maps windows and sets titles meanwhile (each a request the daemon, the
# window manager, makes in answer), a headless view attaches, types and
# clicks, and the probe desk types, clicks, focuses, moves and resizes
# the xterm and copies a 2 MiB text. Before, the daemon's answers filled
# the server's socket and xcb waited to write, for good: every session of
# the daemon froze, the shell's echo through attach too. Now the shell
# echoes throughout, the desk is told the display does not read, the
# daemon's memory stays bounded, and once the grab ends the display
# catches up: the xterm stands where the desk last put it, takes what is
# typed then, draws (the view sees it), and pastes what the desk copied
# during the grab.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
probe_desk
rss() { sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$(daemon_pid)/status"; }
geom() { # TITLE: "X Y W H" on the host display
	xenv xwininfo -name "$1" | sed -n 's/^ *Absolute upper-left X: *\(-*[0-9]*\)/\1/p;
		s/^ *Absolute upper-left Y: *\(-*[0-9]*\)/\1/p; s/^ *Width: \([0-9]*\)/\1/p;
		s/^ *Height: \([0-9]*\)/\1/p' | paste -sd ' '
}
is_geom() { [ "$(geom "$1")" = "$2" ]; }

"$TELLY" new -s term -- env PS1='sh> ' sh || fail "telly new"
tm_start w1 "exec $TELLY attach term"
wait_for w1 'sh>'
id=$(sed -n 's/^\(0x[0-9a-f]*\) .* keep$/\1/p' "$T/p/windows")
[ -n "$id" ] || fail "no keep window: $(cat "$T/p/windows")"
big_text desk "$T/desk.txt"
echo keymap >&3
printf 'type %s true\\n\n' "$id" >&3
rss0=$(rss)

"$TELLY" run x -- "$B/test/xgrab" "$T/grabbed" "$T/release" 400 || fail "telly run xgrab"
wait_until 20 test -e "$T/grabbed"
echo "the server is grabbed, 400 windows mapped and titled 8 times each meanwhile"
tm send-keys -t t:w1 'echo $((6*7))' Enter
# (A daemon frozen by the grab stays so until the test lets it go, so
# any bound tells it: 20 s leaves a loaded machine its time.)
wait_for w1 42 20
# A view comes meanwhile (its size and keymap asked of the display) and
# types and clicks into the xterm, then waits for it to draw.
cat >"$T/in" <<EOF
wait-window "keep" 20
click-window 20 20
type "echo typed by the view"
key Return
click-window 40 30
wait-update 60
screenshot $T/shot.png
EOF
"$TELLY" view --headless --x11 x --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
# The probe desk goes on meanwhile: keys, clicks, focus, moves and sizes (the
# last wins), and a large copy.
i=0
while [ $i -lt 200 ]; do
	printf 'type %s lost\\n\n' "$id"
	echo "click $id 10 10"
	echo "focus $id"
	echo "move $id $((i % 50)) $((i % 40)) $((300 + i)) $((200 + i))"
	i=$((i + 1))
done >&3
desk_copies "$T/desk.txt"
echo "move $id 31 27 420 310" >&3
tm send-keys -t t:w1 'echo $((7*8))' Enter
wait_for w1 56 20
wait_until 20 grep -q "display :[0-9]* does not read what it is sent" "$TELLY_DIR/serve.log"
wait_until 20 grep -q "notice: display :[0-9]* does not read what it is sent" "$T/p/err"
tm send-keys -t t:w1 'echo $((8*9))' Enter
wait_for w1 72 20
"$TELLY" ls >/dev/null || fail "telly ls: the daemon does not answer"
rss1=$(rss)
echo "daemon VmRSS ${rss0} kB before the grab, ${rss1} kB during it"
[ "$rss1" -lt $((rss0 + 98304)) ] || fail "the daemon grew by $((rss1 - rss0)) kB during the grab"
test -e "$T/release" && fail "released early"
echo "during the grab: the shell echoes, the desk is told, memory bounded: ok"

touch "$T/release"
wait_until 20 grep -q "display :[0-9]* reads what it is sent again" "$TELLY_DIR/serve.log"
wait_until 20 grep -q "notice: display :[0-9]* reads what it is sent again" "$T/p/err"
wait_until 20 is_geom keep "31 27 420 310"
wait_until 60 pasted "$T/desk.txt"
# (a line of what was typed before the keys were dropped ended first)
printf 'type %s \\necho $((5*9)) >%s\\n\n' "$id" "$T/typed" >&3
wait_until 20 sh -c "[ \"\$(cat '$T/typed' 2>/dev/null)\" = 45 ]"
# Drawn: its picture is the xterm's own.
xauth=$TELLY_DIR/x11-x.auth
wait_until 20 same_as_xwd "$T/p" "$id"
wait "$vpid" || fail "the view: $(cat "$T/view.err")"
grep -q 'xwindow .*title "keep"' "$T/legend" || fail "the view did not draw keep: $(cat "$T/legend")"
tm send-keys -t t:w1 'echo $((9*9))' Enter
wait_for w1 81 20
echo "after the grab: the last place and size, what is typed, the copy, the pixels: ok"
