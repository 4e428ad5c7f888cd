#!/bin/sh
# telly view (headless), through the delay proxy: keys typed when the
# program has gone canonical and before the desk heard of it (it says
# "now1" while raw, once the window has attached and typed a key, then
# goes canonical 300 ms later and reads a line) reach the host after the
# switch; the host lets them go and the window's
# desk types them again into its line discipline: echoed once, a
# backspace typed with them erases, and the program reads the line as
# edited. On main the keys reached it raw and unechoed, and its read never
# ended (the Enter a raw CR).
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve 300
late_program
"$TELLY" new -s c1 -- python3 "$T/late.py" 1 || fail "new"
mkdir "$T/rec"
cat >"$T/in" <<EOT
wait "ready1" 30
type "g"
wait "now1" 30
type "hellx"
key BackSpace
type "o"
key Return
wait "[hello]" 20
EOT
cooked_view --record "$T/rec" --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err"; tr -d '\033' <"$T/rec/c1" | tail -c 300)"
# "hell" twice: its echo, and the program's answer "[hello]".
n=$(grep -o hell "$T/rec/c1" | wc -l)
[ "$n" -eq 2 ] || fail "the window was given the keys $n times, not once and the answer: $(tr -d '\033\r' <"$T/rec/c1" | tr '\n' '|')"
echo "predict-view-cooked-switch: ok"
