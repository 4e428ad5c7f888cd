#!/bin/sh
# A maximized window resizes its pty: `stty size` inside it says the grid
# the legend gives, headless; and on X, a window maximized with
# ctrl+shift+M follows the X window when that is resized, pty included.
. test/integration/lib.sh "$1"

"$TELLY" new -s m -- env PS1='m> ' sh || fail "new"
cat >"$T/in" <<EOT
wait "m>"
key ctrl+shift+m
type "stty size\n"
wait "m>" row 3
screenshot $T/1.png
EOT
"$TELLY" view --headless --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
set -- $(legend_win "$T/legend" m)
[ "$1 $2 $3 $4" = "0 0 1024 768" ] || fail "not maximized: $*"
cols=$7 rows=$8
grep -q "^$rows $cols" "$LOG_DIR/logs/m.log" || fail "stty size in the window is not $rows $cols: $(tail -n 3 "$LOG_DIR/logs/m.log")"

command -v xdotool >/dev/null || fail "no xdotool (make deps installs it)"
start_xvfb 1280x1024
"$TELLY" view >"$T/view.log" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c "xdotool search --name '^telly view$' >/dev/null"
wid=$(xdotool search --name '^telly view$' | head -n 1)
wait_until 20 sh -c "'$TELLY' ls | grep -q '1 viewer'"
xdotool windowfocus --sync "$wid" key ctrl+shift+m
# 1024x768: the same grid as headless.
wait_until 20 sh -c "'$TELLY' ls | grep -q '${cols}x$rows'"
# The X window grows (as a window manager's maximize does): the
# maximized window, and the pty, follow it.
xdotool windowsize --sync "$wid" 1280 1024
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
c2=$(( (1280 - 6) / cw )) r2=$(( (1024 - 6 - ch - 6) / ch ))
wait_until 20 sh -c "'$TELLY' ls | grep -q '${c2}x$r2'"
echo "maximize: ok"
