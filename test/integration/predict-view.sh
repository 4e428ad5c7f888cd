#!/bin/sh
# Prediction in telly view (headless), through the delay proxy (1 s each
# way): once bash's line editor has proved itself, a typed character is
# drawn in its cell in the screenshot taken right after the key, before
# the host could have answered (its echo is not on the live screen yet:
# the script's next wait for it still has to wait).
. test/integration/lib.sh "$1"
DELAY_MS=${PREDICT_DELAY_MS:-1000}
serve_delayed "$DELAY_MS"
"$TELLY" new -s p1 -- env PS1='P> ' bash --norc --noprofile || fail "new"

cat >"$T/in" <<EOT
wait "P>" 30
type "e"
wait "P> e" 30
type "c"
wait "P> ec" 30
type "h"
wait "P> ech" 30
type "o"
wait "P> echo" 30
type "x"
screenshot $T/predicted.png
wait "P> echox" 30
screenshot $T/answered.png
EOT
"$TELLY" view --headless ${PREDICT_OPT:-} --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend" "$T/err"
set -- $(legend_cell "$T/legend"); cw=$1 ch=$2
set -- $(legend_win "$T/legend" p1); x0=$5 y0=$6
# "P> echo" is 7 cells: the x is the eighth, on row 0, and the cursor (a
# block: every pixel of its cell) the ninth. Before the answer, unpredicted,
# the cursor block would still be on the eighth.
cell() { "$PROBE" "$1" other $((x0 + $2 * cw)) "$y0" "$cw" "$ch" 1c1c1c; }
full=$((cw * ch))
[ "$(cell "$T/answered.png" 8)" -eq "$full" ] || fail "the cursor is not after the answered x"
x=$(cell "$T/predicted.png" 7)
[ "$x" -gt 0 ] && [ "$x" -lt "$full" ] || fail "no x drawn in its cell before the host answered ($x of $full pixels)"
[ "$(cell "$T/predicted.png" 8)" -eq "$full" ] ||
	fail "the cursor was not after the x before the host answered"
echo "predict-view: ok"
