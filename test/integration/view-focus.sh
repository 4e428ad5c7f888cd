#!/bin/sh
# Click on the window behind to focus it; typed keys go to it and not to
# the one that was in front.
. test/integration/lib.sh "$1"

"$TELLY" new -s a -- env W=a PS1='a> ' sh || fail "new a"
"$TELLY" new -s b -- env W=b PS1='b> ' sh || fail "new b"
# a is at (0,0), b at (32,32) on top; a's title bar shows at y < 32.
# The pointer starts at the centre (512,384); flat acceleration, so a
# delta is exactly pixels.
cat >"$T/in" <<EOT
wait "b>"
move -500 -370
click
wait "a>"
type "echo \"\$W\" > $T/who\n"
screenshot $T/shot.png
EOT
"$TELLY" view --headless --accel flat --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
grep -q '^window a .* focused$' "$T/legend" || fail "a did not get the focus"
tail -n 1 "$T/legend" | grep -q '^window a ' || fail "a was not raised to the top"
wait_until 10 test -s "$T/who"
[ "$(cat "$T/who")" = a ] || fail "the keys went to '$(cat "$T/who")', not a"
echo "click to focus: ok"
