#!/bin/sh
# Keys typed through --input reach the focused session's shell and the
# answer is drawn; in canonical mode the echo is the desk's own.
. test/integration/lib.sh "$1"

"$TELLY" new -s sh1 -- env PS1='sh1> ' sh || fail "new"
cat >"$T/in" <<EOT
wait "sh1>"
screenshot $T/before.png
type "echo ANS\$((6*7))\n"
wait "ANS42"
screenshot $T/after.png
EOT
"$TELLY" view --headless --stats --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend" "$T/err"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" sh1); x0=$5 y0=$6
# Row 0 holds the command line, row 1 the answer: not there before, drawn after.
before=$("$PROBE" "$T/before.png" other "$x0" $((y0 + ch)) $((5 * cw)) "$ch" 1c1c1c)
after=$("$PROBE" "$T/after.png" other "$x0" $((y0 + ch)) $((5 * cw)) "$ch" 1c1c1c)
[ "$before" -eq 0 ] || fail "row 1 was not blank before typing ($before pixels)"
[ "$after" -gt $((cw * ch / 2)) ] || fail "the answer is not drawn on row 1 ($after pixels)"
cmd=$("$PROBE" "$T/after.png" other $((x0 + 2 * cw)) "$y0" $((10 * cw)) "$ch" 1c1c1c)
[ "$cmd" -gt "$cw" ] || fail "the typed command is not drawn"
grep -q 'ANS42' "$TELLY_DIR/logs/sh1.log" || fail "the answer is not in the session log"
# Every key of the line was echoed on the desk (canonical mode), and the
# line crossed the wire once.
n=$(sed -n 's/.*keystroke-to-pixel, \([0-9]*\) keys.*/\1/p' "$T/err")
[ "${n:-0}" -ge 17 ] || fail "--stats counted ${n:-no} keys, typed 17"
echo "typing and echo drawn: ok"
