#!/bin/sh
# Drag a title bar: the window moves and is drawn there. Drag its corner:
# the window resizes, the program gets SIGWINCH with the new size and
# redraws.
. test/integration/lib.sh "$1"

"$TELLY" new -s w -- sh -c 'trap "echo size \$(stty size)" WINCH; echo ready; while :; do sleep 0.1; done' || fail "new"
# One window at (0,0), 806x487 with a 10x19 font (the legend says). The
# pointer starts at (512,384); flat acceleration.
cat >"$T/in" <<EOT
wait "ready"
screenshot $T/0.png
move -400 -374
press
move 100 60
release
screenshot $T/1.png
EOT
"$TELLY" view --headless --accel flat --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
set -- $(sed -n '/0.png/,/1.png/p' "$T/legend" | awk '$1 == "window" { print $4, $5, $6, $7 }')
[ $# -ge 4 ] || fail "no legend"
x=$1 y=$2 w=$3 h=$4
set -- $(legend_win "$T/legend" w)
[ "$1" -eq $((x + 100)) ] && [ "$2" -eq $((y + 60)) ] || fail "moved to ($1,$2), not ($((x + 100)),$((y + 60)))"
[ "$3" -eq "$w" ] && [ "$4" -eq "$h" ] || fail "a move changed the size"
# The title bar is drawn at the new place; the old place is desktop now.
[ "$("$PROBE" "$T/1.png" rgb $(( $1 + 50 )) $(( $2 + 5 )))" = 3465a4 ] || fail "no title bar where the window went"
[ "$("$PROBE" "$T/1.png" rgb $((x + 5)) $((y + 5)))" = 2e3436 ] || fail "the old place was not repainted"

# A new view places the window where it was first. Resize it from the
# bottom-right corner by (-200, -100), then wait for the program's answer
# to SIGWINCH.
bx=$(( x + w - 1 )) by=$(( y + h - 1 ))
cat >"$T/in2" <<EOT
wait "ready"
move $(( bx - 512 )) $(( by - 384 ))
press
move -200 -100
release
wait "size "
screenshot $T/2.png
EOT
"$TELLY" view --headless --accel flat --input "$T/in2" >"$T/legend2" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend2"
set -- $(legend_win "$T/legend2" w)
cols=$7 rows=$8
[ "$cols" -lt 80 ] && [ "$rows" -lt 24 ] || fail "the grid did not shrink: ${cols}x$rows"
wait_until 10 grep -q "size $rows $cols" "$LOG_DIR/logs/w.log"
"$TELLY" ls | grep -q "${cols}x$rows" || fail "the host's pty is not ${cols}x$rows: $("$TELLY" ls)"
echo "move and resize: ok"
