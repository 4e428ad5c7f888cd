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
# telly x left then (^C) says the session ends with it, not that it runs
# on (the host tells it, XLASTS), and exits with its program's status.
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
copier() { # NAME TEXT: telly x -s NAME (xpid) of a copy of TEXT made once $T/go-NAME is there
	"$TELLY" x -s "$1" -- sh -c "until [ -e '$T/go-$1' ]; do sleep 0.05; done
		printf '$2' | xclip -i -selection clipboard" >"$T/$1.out" 2>&1 &
	xpid=$!
	pids="$pids $xpid"
	wait_until 20 grep -q "connection [0-9]*: attached to $1\$" "$TELLY_DIR/serve.log" ||
		fail "telly x did not attach"
}
copier clip "made there"
touch "$T/go-clip"
desk_has() { [ "$(xclip -o -selection clipboard 2>/dev/null)" = "$1" ]; }
wait_until 20 desk_has "made there" || fail "the desk does not have the copy: $(cat "$T/clip.out")"
wait_until 20 said clip "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say why the session stays: $(cat "$T/clip.out")"
wait_until 20 grep -q "holds a copy, yours to paste: the session lasts while it does and you view it" \
	"$T/clip.out" || fail "telly x does not say why it stays: $(cat "$T/clip.out")"
# The time under test: the 5 s what shows no window gets, past which
# serve.log says the copy kept the session.
wait_until 20 said clip "its programs ended; the X client of theirs that holds a copy stayed past 5 s" ||
	fail "serve.log does not say the copy kept the session past 5 s"
listed clip || fail "the session did not stay for the copy: $(cat "$T/clip.out")"
desk_has "made there" || fail "the desk lost the copy: $(cat "$T/clip.out")"
# ^C: the session ends with this view, and telly x says so (not that it
# runs on) and exits with its program's status, as it would have at the
# end.
kill -INT "$xpid"
wait_until 20 gone "$xpid" || fail "telly x did not end on ^C: $(cat "$T/clip.out")"
rc=0
wait "$xpid" || rc=$?
grep -qx "telly x: clip ends with this view: its programs ended and left only a copy (CLIPBOARD or PRIMARY), which goes with it" \
	"$T/clip.out" || fail "telly x does not say the session ends with it: $(cat "$T/clip.out")"
grep -q "runs on" "$T/clip.out" && fail "telly x says the session runs on: $(cat "$T/clip.out")"
[ "$rc" = 0 ] || fail "telly x exited $rc, not its program's 0: $(cat "$T/clip.out")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^clip:'" ||
	fail "the session outlived its last view with only a copy held: $("$TELLY" ls 2>&1)"

# 3. The same with another view (read-only) beside telly x: ^C, and
# the session runs on for the other, as telly x says; it ends with that
# one.
copier clip2 "made again"
"$TELLY" view --seamless -r --x11 clip2 >"$T/ro.out" 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 20 sh -c "[ \$(grep -c 'connection [0-9]*: attached to clip2\( (read-only)\)\?\$' '$TELLY_DIR/serve.log') = 2 ]" ||
	fail "the read-only view did not attach: $(cat "$T/ro.out")"
touch "$T/go-clip2"
wait_until 20 said clip2 "its programs ended; an X client of theirs holds a copy" ||
	fail "serve.log does not say why the session stays: $(cat "$T/clip2.out")"
kill -INT "$xpid"
wait_until 20 gone "$xpid" || fail "telly x did not end on ^C: $(cat "$T/clip2.out")"
rc=0
wait "$xpid" || rc=$?
grep -q "telly x: clip2 runs on: " "$T/clip2.out" ||
	fail "telly x does not say the session runs on for the other view: $(cat "$T/clip2.out")"
grep -q "ends with this view" "$T/clip2.out" && fail "telly x says it ends with it: $(cat "$T/clip2.out")"
[ "$rc" = 130 ] || fail "telly x exited $rc, not 130: $(cat "$T/clip2.out")"
listed clip2 || fail "the session did not stay for the other view"
kill -INT "$vpid"
wait_until 20 gone "$vpid" || fail "the read-only view did not end on ^C: $(cat "$T/ro.out")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^clip2:'" ||
	fail "the session outlived its last view with only a copy held: $("$TELLY" ls 2>&1)"
echo "ok: what shows no window keeps an X session 5 s; a copy held, while it is viewed"
