#!/bin/sh
# telly view when the host no longer has a terminal window's channel: its
# daemon is stopped and started again while the link is down. With a
# session of the same name there again, the refused RESUME becomes a new
# attach into the same window: it keeps its place, size, stacking and
# focus, its title says it was attached anew and how many key bytes were
# not sent again, the new program's screen is drawn in it and keys typed
# from then on reach the new program once. With no such session any
# more, the window stays and its title says the session is gone. Over
# TCP through cut-proxy, the view headless with a script.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }

# A program that names itself in its title and on screen, then writes
# the keys it gets to a file.
life_prog lifewin
fail() { view_fail "$@"; }
serve "$T/serve1.err"
link_proxy
"$TELLY" new -s side -- sh -c 'printf "\033]2;sidewin\007"; exec cat' >/dev/null ||
	fail "cannot start side"
"$TELLY" new -s rt -- sh "$T/life.sh" first "$T/keys1" >/dev/null || fail "cannot start rt"

cat >"$T/in" <<EOF
wait-window "sidewin" 20
wait-window "lifewin" 20
wait "first life" 20
type "a1."
screenshot $T/before.png
wait "second life" 90
screenshot $T/after.png
wait-window "rt attached anew, " 10
type "c1."
wait-window "is gone" 60
screenshot $T/gone.png
EOF
view_start
wait_until 20 grep -qs 'a1\.' "$T/keys1" || fail "a1. never reached the first session"
wait_until 10 grep -q "before.png" "$T/legend"

# The daemon goes, and its sessions with it; the link is refused meanwhile.
ctl down
stop_daemon
serve "$T/serve2.err"
"$TELLY" new -s side -- sh -c 'printf "\033]2;sidewin\007"; exec cat' >/dev/null ||
	fail "cannot start side again"
"$TELLY" new -s rt -- sh "$T/life.sh" second "$T/keys2" >/dev/null ||
	fail "cannot start the second rt"
ctl up

wait_until 60 grep -qs 'c1\.' "$T/keys2" || fail "c1. never reached the second session"
[ "$(cat "$T/keys2")" = "c1." ] || fail "the second session got '$(cat "$T/keys2")', not 'c1.'"
[ "$(cat "$T/keys1")" = "a1." ] || fail "the first session got '$(cat "$T/keys1")'"
grep -q 'rt attached anew.*: its channel was gone' "$T/view.err" ||
	fail "the view did not say rt was attached anew"
# In place: the windows' boxes, stacking (the legend's order) and focus
# as before (nothing in the script moved the focus in between).
windows() { # PNG: the legend's window lines after that screenshot, less titles
	awk -v f="$1" '$1 == "screenshot" { on = index($2, f) > 0; next }
		on && $1 == "window" { focused = / focused$/; sub(/ title ".*/, "");
			print $0 (focused ? " focused" : "") }' \
		"$T/legend"
}
focus_of() { awk -v f="$1" '$1 == "screenshot" { on = index($2, f) > 0; next }
	on && $1 == "window" && / focused$/ { print $2 }' "$T/legend"; }
windows before.png >"$T/w.before"
windows after.png >"$T/w.after"
[ -s "$T/w.before" ] || fail "no windows in the legend"
cmp -s "$T/w.before" "$T/w.after" || {
	echo "--- before:"; cat "$T/w.before"; echo "--- after:"; cat "$T/w.after"
	fail "the windows moved, changed size or stacking when rt was attached anew"
}
[ "$(focus_of before.png)" = rt ] && [ "$(focus_of after.png)" = rt ] ||
	fail "the focus was not kept on rt ($(focus_of before.png) -> $(focus_of after.png))"
echo "refused resume: rt attached anew in place, its title said so, c1. arrived once"

# The session is gone this time: the window says so and stays.
ctl down
stop_daemon
serve "$T/serve3.err"
ctl up
wait "$vpid" || fail "the view failed: $(cat "$T/view.err")"
grep -q 'session rt is gone' "$T/view.err" || fail "no word that rt is gone"
awk '$1 == "screenshot" { on = index($2, "gone.png") > 0; next } on && $1 == "window" { print $2 }' \
	"$T/legend" | grep -qx rt || fail "rt's window went when its session was gone"
echo "session gone: the window stays and says so"
