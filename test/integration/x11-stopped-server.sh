#!/bin/sh
# An X server that stops answering does not stop the daemon: whatever one
# display does, the other sessions are served. Xvfb is stopped (SIGSTOP)
# right after it says its display, before the daemon is connected (the
# daemon blocked in the X handshake, then waited for the replies of its
# start: every session froze, for good): a shell session in the same
# daemon still echoes what is typed, at once, and after the start's bound
# (XD_START_MS) serve.log says that display did not answer, the session
# ends and its server is gone.
# Then an X.Org display that runs is stopped, a desk clicks on and on
# (before, the daemon's writes filled the server's socket and the next
# one waited for good), and a desk of another size views it: the shell
# still echoes, the log says the display does not read (the clicks wait,
# then are dropped, and the desk clicking is told so), and once the
# server goes on, it reads again (the desk told) and takes the desk's size.
# Meanwhile the desk also moves, resizes and focuses the window on and on
# and copies 2 MiB (before, those were refused, then dropped): once the
# server goes on, the window stands where the desk last put it, and a
# program there pastes the copy.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
need_progs Xvfb xterm xdpyinfo xclip xwininfo
. test/integration/xheld.inc
stopped() { grep -q '^State:.*(stopped)' "/proc/$1/status" 2>/dev/null; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# An Xvfb that stops once it has said its display (to this script, on a
# FIFO), then says it to the daemon; its pid in $T/xpid.
held_xserver Xvfb "kill -STOP \$x; echo \$x >'$T/xpid'"
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"

# The daemon (its PATH finds that Xvfb) with a shell, typed into.
shell_attached term w1 "$T/bin:$PATH"
"$TELLY" new --x11 -s xs -- xterm -T txs >"$T/new.out" 2>&1 &
pids="$pids $!"
wait_until 20 test -s "$T/xpid"
xpid=$(cat "$T/xpid")
# (SIGSTOP takes hold when the server next runs: awaited, not assumed)
wait_until 10 stopped "$xpid"
tm send-keys -t t:w1 'echo $((6*7))' Enter
# (A daemon frozen by a stopped server stays so until the test lets it
# go on, so any bound tells it: 20 s leaves a loaded machine its time.)
wait_for w1 42 20
"$TELLY" ls >"$T/ls" || fail "telly ls: the daemon does not answer"
grep -q '^xs: X (starting)' "$T/ls" || fail "xs is not starting: $(cat "$T/ls")"
stopped "$xpid" || fail "the X server went on before the shell was answered"
echo "a stopped X server at the start: the shell echoes: ok"

wait_until 30 grep -q "session xs: the X server (Xvfb) of display :[0-9]* did not answer within [0-9]* ms" \
	"$TELLY_DIR/serve.log"
wait_until 20 sh -c "! '$TELLY' ls | grep -q '^xs:'"
wait_until 20 gone "$xpid"
[ ! -e "$TELLY_DIR/x11-xs.auth" ] || fail "the stuck display's cookie file is left"
tm send-keys -t t:w1 'echo $((7*8))' Enter
wait_for w1 56 20
echo "the stuck display ended, said why, its server gone: ok"

# X.Org's server (if installed), stopped while it runs: a desk clicks on
# and on, then a view of another size comes (the daemon asks the display
# for its size, the window's pixels, and loads the view's keymap). A
# daemon of its own: x-server auto, the real Xvfb (for the fallback).
. test/integration/xhost.inc
"$TELLY" stop >/dev/null 2>&1
wait_until 20 daemon_gone
rm "$XDG_CONFIG_HOME/telly/config"
"$TELLY" new -s term -- env PS1='sh> ' sh || fail "telly new"
tm_start w2 "exec $TELLY attach term"
wait_for w2 'sh>'
"$TELLY" new --x11 --screen 1000x700 -s rs -- xterm -T trs || fail "telly new --x11"
wait_until 20 has_window trs
rpid=$(sed -n 's/.*session rs started: an X display (Xorg pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log")
[ -n "$rpid" ] || fail "rs is not on Xorg: $(grep 'session rs' "$TELLY_DIR/serve.log")"
xprobe_start "$T/p" rs
exec 3>"$T/p/cmd"
wait_until 20 grep -q " trs$" "$T/p/windows"
id=$(sed -n 's/^\(0x[0-9a-f]*\) .* trs$/\1/p' "$T/p/windows")
kill -STOP "$rpid"
# A desk clicks on and on (before, the daemon's writes to the stopped
# server filled its socket, and the next one waited for it for good).
i=0
while [ $i -lt 2000 ]; do echo "click $id 10 10"; i=$((i + 1)); done >&3
# It moves, sizes, focuses (the last of each wins) and copies meanwhile.
i=0
while [ $i -lt 300 ]; do
	echo "focus $id"
	echo "move $id $((i % 50)) $((i % 40)) $((300 + i)) $((200 + i))"
	i=$((i + 1))
done >&3
big_text desk "$T/desk.txt"
desk_copies "$T/desk.txt"
echo "move $id 33 29 430 320" >&3
wait_until 20 grep -q "display :[0-9]* does not read what it is sent" "$TELLY_DIR/serve.log"
# Past XD_BACKLOG_WAIT_MS the clicks are dropped, and the desk is told
# (before, only serve.log said it: the person saw clicks vanish).
wait_until 20 grep -q "notice: display :[0-9]* does not read .*your input to it is dropped" \
	"$T/p/err"
tm send-keys -t t:w2 'echo $((8*9))' Enter
wait_for w2 72 20
# A desk of another size comes.
printf 'wait-window "trs" 40\nscreenshot %s\n' "$T/shot.png" >"$T/in"
"$TELLY" view --headless --x11 rs --size 1200x800 --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 10 sh -c "[ \$(grep -c 'attached to rs' '$TELLY_DIR/serve.log') -ge 2 ]"
tm send-keys -t t:w2 'echo $((9*9))' Enter
wait_for w2 81 20
"$TELLY" ls >/dev/null || fail "telly ls: the daemon does not answer"
stopped "$rpid" || fail "the X server went on before the shell was answered"
kill -CONT "$rpid"
echo "click $id 10 10" >&3
wait_until 20 grep -q "display :[0-9]* reads what it is sent again" "$TELLY_DIR/serve.log"
wait_until 10 grep -q "notice: display :[0-9]* reads what it is sent again: your input goes in" \
	"$T/p/err"
wait "$vpid" || fail "the view: $(cat "$T/view.err")"
grep -q 'xwindow .*title "trs"' "$T/legend" || fail "the view did not draw trs: $(cat "$T/legend")"
wait_until 10 is_dims rs 1200x800
wait_until 20 is_geom rs trs "33 29 430 320"
pasted_rs() { onhost rs xclip -selection clipboard -o >"$T/pasted.txt" 2>/dev/null && cmp -s "$T/pasted.txt" "$1"; }
wait_until 60 pasted_rs "$T/desk.txt"
echo "a stopped X.Org display, a desk of another size and a desk clicking, moving, focusing and copying: the shell echoes, then it takes the size, the place and the copy: ok"
