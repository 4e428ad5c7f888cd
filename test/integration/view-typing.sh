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
grep -q 'ANS42' "$LOG_DIR/logs/sh1.log" || fail "the answer is not in the session log"
# Every key of the line was echoed on the desk (canonical mode), and the
# line crossed the wire once.
n=$(sed -n 's/.*keystroke-to-pixel, \([0-9]*\) keys.*/\1/p' "$T/err")
[ "${n:-0}" -ge 17 ] || fail "--stats counted ${n:-no} keys, typed 17"

# A raw program: every key crosses the wire, and the host says (TIMING)
# where its part of the time went; --stats splits the remote stage.
"$TELLY" new -s raw -- sh -c 'stty raw -echo; echo raw-ready; exec cat' || fail "new raw"
printf 'wait "raw-ready"\ntype "abcdef"\nwait "abcdef"\n' >"$T/in2"
"$TELLY" view --headless --stats --input "$T/in2" >/dev/null 2>"$T/err2" || fail "view: $(cat "$T/err2")"
cat "$T/err2"
n=$(sed -n 's/.*split by the host.s clock for \([0-9]*\) keys.*/\1/p' "$T/err2")
[ "${n:-0}" -ge 1 ] || fail "no key's time was split by the host's TIMING"
grep -q 'pty+program' "$T/err2" || fail "no pty stage"
echo "typing and echo drawn: ok"
