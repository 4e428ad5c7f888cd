#!/bin/sh
# An X session whose programs ended lasts while a client of theirs that
# showed a window (or holds a copy) remains, not for ever for one that
# shows nothing. A GTK program with no D-Bus session bus set starts one
# (GLib runs dbus-launch --autolaunch, which stays an X client of the
# display, a window never shown, to end the bus with it): zenity ended,
# dbus-launch and the accessibility bus it started were still clients,
# and telly x never returned (ssh -X's hang). Now they keep it 5 s at
# most. A clipboard holder (xclip -i: it forks and owns CLIPBOARD until
# something else is copied) keeps it, as a window does: the copy is
# pasted on the desk from it, and ending the session would lose it (telly
# x held it on the desk); copying something else on the desk ends it.
# serve.log says the display went with such clients left (it said "its
# last program and X client ended").
. test/integration/lib.sh "$1"
need_progs Xvfb zenity dbus-launch xclip
start_xvfb 1024x768
# (GLib autolaunches a bus only when none is set.)
unset DBUS_SESSION_BUS_ADDRESS

listed() { "$TELLY" ls 2>/dev/null | grep -q "^$1:"; }
said() { grep -q "session $1: $2" "$TELLY_DIR/serve.log"; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# 1. zenity --info ends (its own timeout: the OK a user clicks).
"$TELLY" x -s zz -- zenity --info --text hello --timeout 1 >"$T/zz.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 30 said zz "program pid [0-9]* ended" || fail "zenity did not end: $(cat "$T/zz.out")"
# What this is about: a dbus-launch of the session's was left.
dl=""
session_dbus() {
	for p in $(pgrep -x dbus-launch); do
		grep -qzF -- "=$T/" "/proc/$p/environ" 2>/dev/null && dl=$p
	done
	[ -n "$dl" ]
}
wait_until 10 session_dbus || fail "zenity started no dbus-launch of the session's"
wait_until 20 gone "$xpid" || fail "telly x did not return once zenity ended: $(cat "$T/zz.out")"
said zz "its programs ended; [0-9]* X clients\? of theirs that shows\? no window" ||
	fail "serve.log does not say what was waited for"
# and why the display went: not "its last program and X client ended"
wait_until 10 said zz "its programs ended; [0-9]* X clients\? of theirs that shows\? no window stayed 5 s: its X display was stopped" ||
	fail "serve.log does not say the display went with clients that show no window left: $(grep 'session zz' "$TELLY_DIR/serve.log" | tail -n 3)"
rc=0
wait "$xpid" || rc=$?
[ "$rc" = 5 ] || fail "telly x exited $rc, not zenity's 5 (timeout): $(cat "$T/zz.out")"
listed zz && fail "the session outlived zenity: $("$TELLY" ls 2>&1)"
# dbus-launch ends the bus with its display.
wait_until 20 gone "$dl" || fail "dbus-launch outlived the session's display"

# 2. xclip -i holds a copy: the desk has it, and the session stays past
# the 5 s that what shows no window gets, while telly x views it; closing
# the view (^C) ends it.
# (It copies once telly x's view is attached: a desk that attaches later
# is not handed the copy made before.)
"$TELLY" x -s clip -- sh -c "until [ -e '$T/go' ]; do sleep 0.05; done
	printf 'made there' | xclip -i -selection clipboard" >"$T/clip.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 grep -q "connection [0-9]*: attached to clip" "$TELLY_DIR/serve.log" ||
	fail "telly x did not attach"
touch "$T/go"
desk_has() { [ "$(xclip -o -selection clipboard 2>/dev/null)" = "$1" ]; }
wait_until 20 desk_has "made there" || fail "the desk does not have the copy: $(cat "$T/clip.out")"
wait_until 20 said clip "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say why the session stays: $(cat "$T/clip.out")"
wait_until 20 grep -q "holds a copy, yours to paste: the session lasts while it does and you view it" \
	"$T/clip.out" || fail "telly x does not say why it stays: $(cat "$T/clip.out")"
# The time under test: the 5 s what shows no window gets (nothing to await).
sleep 6
listed clip || fail "the session did not stay for the copy: $(cat "$T/clip.out")"
desk_has "made there" || fail "the desk lost the copy: $(cat "$T/clip.out")"
kill -INT "$xpid"
wait_until 20 gone "$xpid" || fail "telly x did not end on ^C: $(cat "$T/clip.out")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^clip:'" ||
	fail "the session outlived its last view with only a copy held: $("$TELLY" ls 2>&1)"
echo "ok: what shows no window keeps an X session 5 s; a copy held, while it is viewed"
