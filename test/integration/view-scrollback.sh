#!/bin/sh
# Scrollback in a telly view window: shift+PgUp/PgDn and the wheel show
# the session's history (what the host's snapshot carried when the view
# attached, and what scrolled off since), the program hears none of it,
# and a typed key brings the live screen back. A program that asked for
# the mouse still gets the wheel (view-mouse.sh); shift+wheel scrolls.
. test/integration/lib.sh "$1"

# 300 lines before the view attaches; after "g" 100 more; then every
# byte read is kept until a 'z'.
cat >"$T/p" <<EOP
i=1; while [ \$i -le 300 ]; do echo "line-\$i."; i=\$((i + 1)); done
echo READY
stty raw -echo
dd bs=1 count=1 2>/dev/null >/dev/null
i=301; while [ \$i -le 400 ]; do printf 'line-%d.\r\n' \$i; i=\$((i + 1)); done
printf 'MORE\r\n'
while :; do
	dd bs=1 count=1 2>/dev/null >>"$T/got"
	[ "\$(tail -c 1 "$T/got")" = z ] && break
done
printf 'DONE\r\n'
exec sleep 1000
EOP
: >"$T/got"
"$TELLY" new -s p -- sh "$T/p" || fail "new"
wait_until 20 grep -q READY "$LOG_DIR/logs/p.log"

# The window is 24 rows: the live screen ends with READY and the cursor's
# empty row, so its top row is line-279; a page is 23 rows; the wheel 3.
cat >"$T/in" <<EOT
wait "READY" 20 row -2
wait "line-279." 20 row 1
key shift+Prior
wait "line-256." 5 row 1
key shift+Prior
wait "line-233." 5 row 1
key Shift_L
wait "line-233." 5 row 1
key shift+Next
wait "line-256." 5 row 1
click 4
wait "line-253." 5 row 1
click 5
click 5
wait "line-259." 5 row 1
screenshot $T/back.png
type "g"
wait "MORE" 20 row -2
wait "line-379." 5 row 1
click 4
click 4
wait "line-373." 5 row 1
key shift+Prior
wait "line-350." 5 row 1
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
key shift+Prior
wait "line-1." 5 row 1
key shift+Prior
wait "line-1." 5 row 1
key shift+Next
wait "line-24." 5 row 1
type "z"
wait "DONE" 20 row -2
wait "MORE" 5 row -3
screenshot $T/live.png
EOT
"$TELLY" view --headless --accel flat --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
[ "$(cat "$T/got")" = z ] ||
	fail "the program read $(od -An -c "$T/got" | tr -s ' \n' ' '), not just the z typed last"
echo "history from the snapshot and from live output, pages and wheel, nothing sent: ok"

# The picture says so too: scrolled back, the bottom row shows a history
# line (text), not READY's empty cursor row (the cursor block is hidden).
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" p); x0=$5 y0=$6 rows=$8
last=$((y0 + (rows - 1) * ch))
[ "$("$PROBE" "$T/back.png" other "$x0" "$last" $((8 * cw)) "$ch" 1c1c1c)" -gt 0 ] ||
	fail "the last row is blank while scrolled back"
echo "drawn: ok"
