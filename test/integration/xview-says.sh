#!/bin/sh
# What a person who comes from ssh -X is told on the way, and that it is
# right:
# - telly x left with ^C says that its program runs on and the commands
#   that show it again and end it (it said nothing), and the first one
#   brings the window back to the desk; it exits 130, as ssh -X's ^C, not
#   0 (it did, on purpose: the view had ended as asked; but its program
#   has given no status, and `a=$(telly x -- zenity --entry) && use "$a"`
#   went on with no answer); SIGTERM 143; its display closing its
#   connection (xkill) 1, saying the same (it exited 0 and said only
#   "the display closed the connection");
# - telly attach of an X session names the view that shows it, `telly
#   view --x11 NAME` (`telly view NAME`, as it read, takes NAME for a host);
# - telly view --seamless --x11 of a terminal session says it is none
#   and exits 1 (it waited for good, showing nothing);
# - telly view --seamless with no X session there says so and exits 1 (it
#   said "no sessions left" and exited 0); of a name that is not there it
#   says why once (it added "no sessions left"), naming it once (it said
#   "telly view: nosuch: no session nosuch");
# - telly view NAME of a session here, NAME taken for a host that ssh
#   cannot reach, names the command that shows the session;
# - telly x -s without a name says so (it said "unexpected '-s'"); with
#   the name of a session there, how to start a program in it or show it;
# - telly ls says that an X session's pid is its X server's.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo xkill
start_xvfb 1024x768

on_desk() { xwininfo -root -tree | grep -q '"xlogo"'; }

rc=0
timeout 20 "$TELLY" view --seamless >"$T/none.out" 2>&1 || rc=$?
cat "$T/none.out"
[ "$rc" = 1 ] || fail "telly view --seamless with no X session exited $rc"
grep -qF 'telly view: no X sessions on this host (`telly x -- PROGRAM` starts one)' "$T/none.out" ||
	fail "telly view --seamless with no X session did not say so"

# leave NAME RC WHAT HOW: telly x -s NAME -- xlogo left by the function
# HOW (its pid in $xpid) while xlogo runs: it exits RC, says that the
# program runs on and how to come back; its window goes, the session
# stays.
leave() {
	"$TELLY" x -s "$1" -- xlogo -geometry 120x120+30+30 >"$T/$1.out" 2>&1 &
	xpid=$!
	pids="$pids $xpid"
	wait_until 20 on_desk || fail "the window of telly x -s $1 is not on the desk: $(cat "$T/$1.out")"
	"$4"
	rc=0
	wait "$xpid" || rc=$?
	cat "$T/$1.out"
	[ "$rc" = "$2" ] || fail "telly x left by $3 exited $rc, not $2"
	grep -qF "telly x: $1 runs on: \`telly view --seamless --x11 $1\` shows it again, \`telly kill $1\` ends it" \
		"$T/$1.out" || fail "telly x left by $3 did not say how to come back"
	"$TELLY" ls | grep -q "^$1: " || fail "the session $1 did not run on"
	wait_until 20 sh -c '! xwininfo -root -tree | grep -q "\"xlogo\""' || fail "the window stayed on the desk"
}
interrupt() { kill -INT "$xpid"; }
leave xs 130 ^C interrupt
# The command it gave.
"$TELLY" view --seamless --x11 xs >"$T/view.out" 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 20 on_desk || fail "telly view --seamless --x11 xs did not show it: $(cat "$T/view.out")"
kill "$vpid"
wait_until 20 sh -c '! xwininfo -root -tree | grep -q "\"xlogo\""' || fail "the view's window stayed"

# Other ways out while the program runs: SIGTERM, and the display
# closing the connection (xkill of its window).
terminate() { kill -TERM "$xpid"; }
leave xt 143 SIGTERM terminate
xkill_it() {
	xkill -id "$(xwininfo -root -tree | sed -n 's/^ *\(0x[0-9a-f]*\) "xlogo".*/\1/p' | head -n 1)" \
		>/dev/null 2>&1 || fail "xkill failed"
}
leave xk 1 "its display closing its connection" xkill_it
"$TELLY" kill xt >/dev/null
"$TELLY" kill xk >/dev/null

# telly x -s of a session there: what to do instead (it said only that
# the session exists).
rc=0
"$TELLY" x -s xs -- xlogo >"$T/again.out" 2>&1 || rc=$?
cat "$T/again.out"
[ "$rc" = 1 ] || fail "telly x -s of a session there exited $rc"
grep -qF 'telly x: `telly run xs -- PROGRAM` starts PROGRAM in it, `telly view --seamless --x11 xs` shows it' \
	"$T/again.out" || fail "telly x -s of a session there did not say what to do"

# telly ls says whose pid an X session's line gives: its X server's (it
# said "pid", beside the program's name).
xs_pid=$("$TELLY" ls | sed -n 's/^xs: .*(X server pid \([0-9]*\), .*/\1/p')
[ -n "$xs_pid" ] || fail "telly ls does not say the X server's pid: $("$TELLY" ls)"
case $(cat "/proc/$xs_pid/comm") in
Xorg | Xvfb) ;;
*) fail "pid $xs_pid is not an X server: $(cat "/proc/$xs_pid/comm")" ;;
esac

# attach names the command that shows an X session.
"$TELLY" attach xs </dev/null >"$T/attach.out" 2>&1 && fail "telly attach of an X session did not fail"
grep -qF "session xs is an X display: telly view --x11 xs shows it" "$T/attach.out" ||
	fail "attach: $(cat "$T/attach.out")"

# A terminal session named to the X view.
"$TELLY" new -s term -- sleep 100 >/dev/null || fail "telly new"
rc=0
timeout 20 "$TELLY" view --seamless --x11 term >"$T/term.out" 2>&1 || rc=$?
cat "$T/term.out"
[ "$rc" = 1 ] || fail "telly view --seamless --x11 of a terminal session exited $rc (124: it waited)"
grep -qF "telly view: session term is not an X session: telly attach shows it" "$T/term.out" ||
	fail "telly view --seamless --x11 of a terminal session did not say why"

# A name that is not there: why, once.
rc=0
timeout 20 "$TELLY" view --seamless --x11 nosuch >"$T/nosuch.out" 2>&1 || rc=$?
cat "$T/nosuch.out"
[ "$rc" = 1 ] || fail "telly view --seamless --x11 nosuch exited $rc"
grep -qx "telly view: no session nosuch" "$T/nosuch.out" || fail "no reason said, the name once"
[ "$(wc -l <"$T/nosuch.out")" = 1 ] || fail "more than the reason said"

# A lone word is a host: telly view --seamless NAME of a session here
# goes to ssh, which cannot reach it (here: --ssh false), and the view
# then names the command that shows the session (it said only why ssh
# failed); a terminal session's too.
rc=0
timeout 20 "$TELLY" view --seamless --no-direct --ssh false xs >"$T/word.out" 2>&1 || rc=$?
cat "$T/word.out"
[ "$rc" = 1 ] || fail "telly view --seamless xs with ssh failing exited $rc"
grep -qF "telly view: xs was taken for a host (a lone word is one); this host's X session xs: \`telly view --seamless --x11 xs\` shows it" \
	"$T/word.out" || fail "telly view --seamless xs did not say how to show this host's X session xs"
rc=0
timeout 20 "$TELLY" view --headless --no-direct --ssh false term >"$T/word.out" 2>&1 || rc=$?
cat "$T/word.out"
grep -qF "telly view: term was taken for a host (a lone word is one); this host's session term: \`telly attach term\` shows it" \
	"$T/word.out" || fail "telly view term did not say how to show this host's session term"
rc=0
timeout 20 "$TELLY" view --headless --no-direct --ssh false nosuch >"$T/word.out" 2>&1 || rc=$?
cat "$T/word.out"
grep -q "was taken for a host" "$T/word.out" && fail "a host that names no session here was said to"

rc=0
"$TELLY" x -s >"$T/s.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "telly x -s exited $rc"
grep -qxF "telly x: -s needs a value (a session name)" "$T/s.out" || fail "telly x -s: $(cat "$T/s.out")"
echo ok
