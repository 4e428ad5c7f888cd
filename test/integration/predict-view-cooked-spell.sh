#!/bin/sh
# telly view (headless): a key typed while the program is canonical for a
# moment between two raw reads (readline between two lines) is not echoed
# by the desk before the program's next prompt; it reaches the program
# once it is raw again, which echoes it after its prompt. What the
# window's terminal was given (--record) is checked: after "busy", the
# program's prompt, not the key.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve

# The program echoes each key of its first line followed by a '+' once
# it has waited for input a moment ("slow": the host says CONSUMED
# meanwhile; the script types the next key at the '+'), then is canonical
# until the script's screenshot after it typed exists.
spell_program
"$TELLY" new -s c1 -- python3 "$T/spell.py" "$T/typed.png" slow || fail "new"
mkdir "$T/rec"
cat >"$T/in" <<EOT
wait "R>" 30
type "g"
wait "R> g+" 20
type "o"
wait "R> g+o+" 20
key Return
wait "busy" 20
type "x"
key Return
screenshot "$T/typed.png"
wait "done" 20
EOT
cooked_view --record "$T/rec" --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
after=$(tr -d '\033' <"$T/rec/c1" | sed -n 's/.*busy\r$//p; /busy/,$p' | tr -d '\r\n' | sed 's/.*busy//')
case "$after" in
N\>*'[x]'*) ;;
*) fail "after busy the window was given '$after', not the program's prompt then [x]" ;;
esac
echo "predict-view-cooked-spell: ok"
