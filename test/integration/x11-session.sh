#!/bin/sh
# An X session as a user meets it, with the probe desk (xprobe) in place of
# telly view: telly new --x11 -- xterm; the probe's picture of the window
# equals the window's own xwd dump, pixel for pixel; keys typed through
# XKEY (after the desk's keymap, loaded with xkbcomp) reach the shell in
# xterm; telly run opens a second window and XCLOSE closes it (XWIN,
# XGONE); a window moved by the desk is where it was for a probe killed
# and started again; telly ls shows the display and the windows; a
# terminal session made with --display runs its programs there; telly
# kill ends the programs and the X server.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwd xkbcomp
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock

# probe DIR: a probe desk on session x, commands through DIR/cmd (fd 3).
probe() {
	mkdir -p "$1"
	rm -f "$1/cmd" "$1/windows"
	mkfifo "$1/cmd"
	"$XPROBE" "$SOCK" x "$1" <"$1/cmd" >"$1/out" 2>"$1/err" &
	probe_pid=$!
	pids="$pids $probe_pid"
	exec 3>"$1/cmd"
}
win_line() { grep -F " $2" "$1/windows" 2>/dev/null | head -n 1; } # DIR TITLE
win_id() { win_line "$1" "$2" | cut -d' ' -f1; }
updates() { win_line "$1" "$2" | cut -d' ' -f7; }
has_win() { [ -n "$(win_id "$1" "$2")" ]; }
no_win() { [ -z "$(win_id "$1" "$2")" ]; }

"$TELLY" new --x11 -s x -- xterm -T first -e sh >"$T/new.out" 2>&1 || fail "telly new --x11: $(cat "$T/new.out")"
[ "$(cat "$T/new.out")" = x ] || fail "telly new --x11 printed $(cat "$T/new.out")"
# The display and the cookie: 0600, in the runtime directory.
wait_until 20 sh -c "'$TELLY' ls | grep -q '^  display :'"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
auth=$TELLY_DIR/x11-x.auth
[ "$(stat -c %a "$auth")" = 600 ] || fail "the cookie file is $(stat -c %a "$auth"), not 600"
xpid=$("$TELLY" ls | sed -n 's/^x: .*(X server pid \([0-9]*\).*/\1/p')
tr '\0' ' ' <"/proc/$xpid/cmdline" | grep -q -- "-nolisten tcp" || fail "Xvfb listens on TCP"
xenv() { DISPLAY=$dpy XAUTHORITY=$auth "$@"; }
xauth=$auth
# Without the cookie the display refuses.
XAUTHORITY=/dev/null DISPLAY=$dpy xwd -root -silent >/dev/null 2>&1 && fail "the display took a client without the cookie"

XPROBE_TIMING=1 probe "$T/p1"
wait_until 20 has_win "$T/p1" first
id=$(win_id "$T/p1" first)
drawn() { [ "$(updates "$1" "$2")" -ge 1 ] 2>/dev/null; } # DIR TITLE: an update drawn
wait_until 20 drawn "$T/p1" first

wait_until 20 same_as_xwd "$T/p1" "$id"
echo "picture: equal to xwd's"
# The pointer's shape (XFixes), told on attach.
wait_until 20 grep -q '^[0-9]* [0-9]*x[0-9]*$' "$T/p1/cursor"

# Keys: the desk's keymap first (xkbcomp), then typing into the shell.
echo keymap >&3
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
# (printf: the shell's echo would turn the probe's \n into a newline)
printf 'type %s echo typed-$((6*7)) > %s\\n\n' "$id" "$T/typed" >&3
wait_until 20 grep -q '^typed-42$' "$T/typed"
wait_until 20 same_as_xwd "$T/p1" "$id"
echo "typing: reached xterm, picture still equal"
# TIMING asked: keys that changed the window are answered with XTIMING,
# its stages in order (input, injected, damage, read, encoded, queued).
in_order() {
	awk '$3 > 0 && $3 <= $4 && $4 <= $5 && $5 <= $6 && $6 <= $7 && $7 <= $8 { ok++ }
	     END { exit !(ok > 0) }' "$T/p1/timing" 2>/dev/null
}
wait_until 20 in_order
grep -q "^[0-9]* $id " "$T/p1/timing" || fail "XTIMING names another window: $(head -n 3 "$T/p1/timing")"
echo "XTIMING: the stages of a key, in order"

# A second window (telly run) appears; closed politely, it goes.
"$TELLY" run x -- xterm -T second || fail "telly run"
wait_until 20 has_win "$T/p1" second
id2=$(win_id "$T/p1" second)
"$TELLY" ls >"$T/ls"
grep -q "^x: X $dpy xterm -T first -e sh (X server pid $xpid, 1 viewer)" "$T/ls" || fail "ls: $(cat "$T/ls")"
grep -q "^  window $id .*\"first\"" "$T/ls" || fail "ls shows no first window: $(cat "$T/ls")"
grep -q "^  window $id2 .*\"second\"" "$T/ls" || fail "ls shows no second window: $(cat "$T/ls")"
grep -q "^  display $dpy, 2 windows" "$T/ls" || fail "ls: $(cat "$T/ls")"
echo "close $id2" >&3
wait_until 20 no_win "$T/p1" second
has_win "$T/p1" first || fail "the first window went with the second"
echo "second window: appeared (telly run), went (XCLOSE)"

# The desk moves and resizes the first window; a probe started after this
# one is killed finds it there, drawn.
echo "move $id 40 30 500 340" >&3
wait_until 20 sh -c "grep -q '^$id 40 30 500 340 ' '$T/p1/windows'"
kill -9 "$probe_pid"
exec 3>&-
probe "$T/p2"
wait_until 20 sh -c "grep -q '^$id 40 30 500 340 ' '$T/p2/windows'" || fail "p2: $(cat $T/p2/windows $T/p2/err)"
wait_until 20 same_as_xwd "$T/p2" "$id"
echo "a new probe: the window where it was, at its size, drawn"

# A terminal session of that display.
"$TELLY" new -s term --display x -- sh -c 'xwininfo -root >"$0" 2>&1; echo "$DISPLAY" >"$0.dpy"' "$T/term" ||
	fail "telly new --display"
wait_until 20 test -s "$T/term.dpy"
[ "$(cat "$T/term.dpy")" = "$dpy" ] || fail "--display gave DISPLAY=$(cat "$T/term.dpy"), not $dpy"
if command -v xwininfo >/dev/null; then
	wait_until 20 grep -q "Width: 4096" "$T/term"
fi
echo "--display: the terminal's programs use the X session"

# telly kill: the programs and the X server are gone, and so is the cookie.
xterm_pids=$(sed -n 's/.*session x: started xterm (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
[ -n "$xterm_pids" ] || fail "serve.log names no xterm"
"$TELLY" kill x || fail "telly kill"
gone() { ! kill -0 "$xpid" 2>/dev/null && for p in $xterm_pids; do ! kill -0 "$p" 2>/dev/null || return 1; done; }
wait_until 20 gone
wait_until 20 sh -c "! '$TELLY' ls | grep -q '^x: '"
[ ! -e "$auth" ] || fail "the cookie file stayed"
wait_until 20 grep -q "the session ended" "$T/p2/err"
echo "x11 session: ok"
