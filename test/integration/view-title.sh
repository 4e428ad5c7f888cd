#!/bin/sh
# Window titles: a program's OSC 2 title is on its title bar and in the
# legend, cleaned (no controls, valid UTF-8) and cut to 256 bytes; before
# any OSC a window is named after what runs there (the session's command),
# a new terminal too.
. test/integration/lib.sh "$1"

# \001 and \033[1m-less controls in the title, a stray byte (\377): the
# title keeps the text, the controls go, the byte becomes U+FFFD.
cat >"$T/prog" <<'EOP'
printf '\033]2;job \04242\042 \342\202\254\001\377 done\007READY\n'
read line
printf '\033]0;'; i=0; while [ $i -lt 300 ]; do printf x; i=$((i + 1)); done; printf '\007'
echo LONG
exec sleep 1000
EOP
# A new terminal runs the daemon's $SHELL; its prompt says it is there.
printf "PS1='new> '\n" >"$T/shrc"
export SHELL=/bin/sh ENV="$T/shrc"
"$TELLY" new -s t -- sh "$T/prog" || fail "new t"
"$TELLY" new -s n -- sh -c 'echo N-READY; exec sleep 1000' || fail "new n"
cat >"$T/in" <<EOT
wait "N-READY"
key ctrl+shift+k
wait "READY"
screenshot $T/1.png
type "go\n"
wait "LONG"
key ctrl+shift+Return
wait "new>"
screenshot $T/2.png
EOT
"$TELLY" view --headless --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
euro=$(printf '\342\202\254') bad=$(printf '\357\277\275')
sed -n '/1.png/,/2.png/p' "$T/legend" | grep -qF "window t box " || fail "no t in the legend"
sed -n '/1.png/,/2.png/p' "$T/legend" | grep "^window t " | grep -qF " title \"job \\\"42\\\" $euro$bad done\" focused" ||
	fail "t's title is not the program's, cleaned"
grep "^window n " "$T/legend" | tail -n 1 | grep -qF ' title "sh -c echo N-READY; exec sleep 1000"' ||
	fail "n is not named after its command"
# The long title: cut to 256 bytes.
long=$(grep "^window t " "$T/legend" | tail -n 1 | sed 's/.* title "\([^"]*\)".*/\1/')
[ "$long" = "$(printf '%0256d' 0 | tr 0 x)" ] || fail "the long title is not 256 x's: '$long'"
# The new terminal is named after its command as the host lists it.
new=$(awk '$1 == "window" && $2 != "t" && $2 != "n" { print $2 }' "$T/legend" | tail -n 1)
[ -n "$new" ] || fail "no new terminal in the legend"
cmd=$("$TELLY" ls | sed -n "s/^$new: \(.*\) (pid .*/\1/p")
[ -n "$cmd" ] || fail "telly ls does not list $new"
grep "^window $new " "$T/legend" | tail -n 1 | grep -qF " title \"$cmd\"" ||
	fail "the new terminal is not named after '$cmd'"
# Drawn: the title bar of t (first shot) has text well past where its
# name alone would end.
set -- $(sed -n '1,/2.png/p' "$T/legend" | legend_win /dev/stdin t)
[ $# -ge 4 ] || fail "no geometry for t"
set -- $(legend_cell "$T/legend"); cw=$1
x=$(sed -n '/1.png/,/2.png/p' "$T/legend" | awk '$2 == "t" { print $4 }')
y=$(sed -n '/1.png/,/2.png/p' "$T/legend" | awk '$2 == "t" { print $5 }')
[ "$("$PROBE" "$T/1.png" other $((x + 4 + 3 * cw)) $((y + 3)) $((10 * cw)) 14 3465a4)" -gt 10 ] ||
	fail "the title bar does not show the title"
echo "titles: ok"
