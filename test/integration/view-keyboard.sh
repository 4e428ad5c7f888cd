#!/bin/sh
# The desk's keyboard in telly view (Xvfb, xdotool, setxkbmap): a layout
# changed while the view runs is followed (setxkbmap de: the key xdotool
# presses for z is us y's, and z is what the program reads), dead keys and
# compose sequences (xkbcommon's compose tables) type their character.
. test/integration/lib.sh "$1"
command -v setxkbmap >/dev/null || fail "no setxkbmap (x11-xkb-utils)"
start_xvfb
setxkbmap -display "$DISPLAY" us || fail "setxkbmap us"

# Every byte the program reads, until a '.'.
cat >"$T/k" <<EOP
stty raw -echo
printf '\033[31mK-READY\033[0m\r\n'
while :; do
	dd bs=1 count=1 2>/dev/null >>"$T/got"
	[ "\$(tail -c 1 "$T/got")" = . ] && break
done
printf 'K-DONE\r\n'
exec sleep 1000
EOP
: >"$T/got"
"$TELLY" new -s k -- sh "$T/k" || fail "new"
"$TELLY" view --headless --screenshot "$T/h.png" >"$T/legend" 2>&1 || fail "headless: $(cat "$T/legend")"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" k); x0=$5 y0=$6

LANG=C.UTF-8 "$TELLY" view >"$T/view.log" 2>&1 &
pids="$pids $!"
wait_until 20 xdotool search --name '^telly view$'
wid=$(xdotool search --name '^telly view$' | head -n 1)
drawn() { xwd -silent -id "$wid" >"$T/s.xwd" && [ "$("$PROBE" "$T/s.xwd" reddish "$x0" "$y0" $((7 * cw)) "$ch")" -gt "$cw" ]; }
wait_until 20 drawn
xdotool windowfocus --sync "$wid" mousemove --window "$wid" 400 300

xdotool type --delay 20 'zy'
setxkbmap -display "$DISPLAY" de -option compose:ralt || fail "setxkbmap de"
xdotool type --delay 20 'zy'
xdotool key --delay 20 dead_acute e dead_circumflex a Multi_key o c Multi_key e equal
xdotool type --delay 20 '.'
wait_until 60 grep -q . "$T/got"
wait_until 60 sh -c "tail -c 1 '$T/got' | grep -q '[.]'"
want=$(printf 'zyzy\303\251\303\242\302\251\342\202\254.')
[ "$(cat "$T/got")" = "$want" ] ||
	fail "the program read $(od -An -c "$T/got" | tr -s ' \n' ' '), not $(printf '%s' "$want" | od -An -c | tr -s ' \n' ' ')"
echo "layout followed (us, then de: z and y), dead keys and compose (é â © €): ok"
