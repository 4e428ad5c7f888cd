#!/bin/sh
# Mouse reporting: a program that asks for it (xterm 1002 + SGR 1006) gets
# a click, a drag, its release and the wheel as SGR sequences at the cell
# under the pointer (1-based); shift+click is the desk's and sends nothing.
# A program that did not ask gets nothing from a click: it focuses the
# window, and the next key is the first thing the program reads.
. test/integration/lib.sh "$1"

# Reads byte by byte until a 'z' (typed last), then says so. The modes
# are set once the view is attached (after "go"): the host's snapshot for
# a view attaching later restores 1002 but not the SGR encoding (1006).
cat >"$T/m" <<EOP
echo M-WAIT
read go
printf '\033[?1002h\033[?1006h'
stty raw -echo
printf 'M-READY\r\n'
while :; do
	dd bs=1 count=1 2>/dev/null >>"$T/mgot"
	[ "\$(tail -c 1 "$T/mgot")" = z ] && break
done
printf 'M-DONE\r\n'
exec sleep 1000
EOP
cat >"$T/p" <<EOP
stty raw -echo
printf 'P-READY\r\n'
dd bs=1 count=1 of="$T/pgot" 2>/dev/null
printf 'P-DONE\r\n'
exec sleep 1000
EOP
: >"$T/mgot"
# p is placed at (0,0), m at (32,32) on top with the focus.
"$TELLY" new -s p -- sh "$T/p" || fail "new p"
"$TELLY" new -s m -- sh "$T/m" || fail "new m"

# The pointer starts at the centre (512,384); flat acceleration, so a
# delta is exactly pixels. The cell size comes from a first run's legend.
printf 'wait "M-WAIT"\nscreenshot %s\n' "$T/0.png" >"$T/in0"
"$TELLY" view --headless --accel flat --input "$T/in0" >"$T/legend0" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
cw=$(sed -n 's/^screenshot .* cell \([0-9]*\)x\([0-9]*\)$/\1/p' "$T/legend0")
[ -n "$cw" ] || fail "no cell size in the legend: $(cat "$T/legend0")"

cat >"$T/in" <<EOT
wait "M-WAIT"
type "go\n"
wait "M-READY"
move -312 -184
press 1
move $((2 * cw)) 0
release 1
click 4
click 5
click shift+1
type "z"
wait "M-DONE"
screenshot $T/1.png
move -$((190 + 2 * cw)) 0
click
wait "P-READY"
click
type "x"
wait "P-DONE"
screenshot $T/2.png
EOT
"$TELLY" view --headless --accel flat --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"

# The cell under (200,200) in m, 1-based.
set -- $(sed -n 's/^screenshot .* cell \([0-9]*\)x\([0-9]*\)$/\1 \2/p' "$T/legend0") \
	$(sed -n '/1.png/,/2.png/s/^window m box [-0-9 ]* cells \([-0-9]*\) \([-0-9]*\) .*/\1 \2/p' "$T/legend")
[ $# -eq 4 ] || fail "no cell size or m's cells in the legend"
col=$(((200 - $3) / $1 + 1)) row=$(((200 - $4) / $2 + 1))
want=$(printf '\033[<0;%d;%dM\033[<32;%d;%dM\033[<0;%d;%dm\033[<64;%d;%dM\033[<65;%d;%dMz' \
	"$col" "$row" $((col + 2)) "$row" $((col + 2)) "$row" $((col + 2)) "$row" $((col + 2)) "$row")
got=$(cat "$T/mgot")
[ "$got" = "$want" ] ||
	fail "m read $(od -An -c "$T/mgot" | tr -s ' \n' ' '), not $(printf '%s' "$want" | od -An -c | tr -s ' \n' ' ')"
echo "press, drag, release, wheel as SGR at row $row col $col; shift+click kept: ok"

sed -n '/2.png/,$p' "$T/legend" | grep -q '^window p .* focused$' || fail "the click did not focus p"
[ "$(cat "$T/pgot")" = x ] || fail "p read '$(od -An -c "$T/pgot")' before the typed x"
echo "no mode: a click focuses and sends nothing: ok"
