#!/bin/sh
# A desk that attaches while the host's X display is still starting (what
# telly x does: the session is made, its view attaches at once): the
# daemon watches the display's connection, and the desk gets the window's
# picture and a key's answer. The bug this guards: Xvfb's displayfd pipe
# was closed and the display's connection took its number; the session
# kept the number as registered while epoll had dropped it with the pipe,
# so the display was heard only when something else woke the daemon's
# loop (telly view's list every 500 ms, the loop's 1 s idle wake): about
# 1.4 s a key through telly x. A test does not time, so the daemon's
# epoll set is read (by the socket's inode, whatever number it took).
# The display is held from saying it is up until the desk has attached
# (an Xvfb at a gate, the daemon's X server by its PATH), so the case is
# this one every time, however fast the machine.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwd
. test/integration/xheld.inc
x_config "$XDG_CONFIG_HOME"
mkfifo "$T/gate"
held_xserver Xvfb "read go <'$T/gate'"
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock
P=$T/p
mkdir -p "$P"
mkfifo "$P/cmd"

# (telly new returns once the display is up: in the background, and the
# desk comes as soon as the session is there.)
PATH=$T/bin:$PATH "$TELLY" new --x11 -s x -- xterm -T early -e cat >"$T/new.out" 2>&1 &
newpid=$!
pids="$pids $newpid"
wait_until 20 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^x: '"
# At once, as telly x's view does: the desk holds a connection while the
# display starts.
"$XPROBE" "$SOCK" x "$P" <"$P/cmd" >"$P/out" 2>"$P/err" &
pids="$pids $!"
exec 3>"$P/cmd"
wait_until 20 grep -q -E "attached to x( |$)" "$TELLY_DIR/serve.log"
grep -q "X display :[0-9]* ready" "$TELLY_DIR/serve.log" &&
	fail "the display said it was up while held at the gate"
gate_open "$T/gate"
wait_until 20 grep -q "X display :[0-9]* ready" "$TELLY_DIR/serve.log"
dpy=$(sed -n 's/.*X display \(:[0-9]*\) ready.*/\1/p' "$TELLY_DIR/serve.log" | head -n 1)
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }

win_line() { grep -F " early" "$P/windows" 2>/dev/null | head -n 1; }
win_id() { win_line | cut -d' ' -f1; }
updates() { win_line | cut -d' ' -f7; }
drawn() { [ -n "$(updates)" ] && [ "$(updates)" -ge 1 ]; }
wait_until 20 drawn
id=$(win_id)
# telly new said the session's name and succeeded, as it does when no
# desk came early.
wait "$newpid" || fail "telly new --x11 failed: $(cat "$T/new.out")"
[ "$(cat "$T/new.out")" = x ] || fail "telly new --x11 printed: $(cat "$T/new.out")"

# The daemon's connection to its Xvfb (the socket whose peer is one of
# Xvfb's) is in the daemon's epoll set.
xvfb=$(sed -n 's/.*X display :[0-9]* ready (X[a-z]* pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log" | head -n 1)
d=$(daemon_pid)
socks() { for f in /proc/$1/fd/*; do readlink "$f"; done 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' '; }
# (the daemon's X server is the gate's script; the real Xvfb its child)
xin=" $(for xp in $(pgrep -P "$xvfb"); do socks "$xp"; done)" din=" $(socks "$d")"
# ss -xn: NETID STATE RECVQ SENDQ LOCAL INODE PEER PEER_INODE
conn=$(ss -xn | awk -v d="$din" -v x="$xin" 'index(d, " " $6 " ") && index(x, " " $8 " ") { print $6; exit }')
[ -n "$conn" ] || fail "no connection from the daemon ($d) to its Xvfb ($xvfb) found with ss"
ep=$(for f in /proc/$d/fd/*; do [ "$(readlink "$f")" = "anon_inode:[eventpoll]" ] && echo "${f##*/}"; done | head -n 1)
[ -n "$ep" ] || fail "the daemon has no epoll descriptor"
grep -q "ino:$(printf '%x' "$conn") " "/proc/$d/fdinfo/$ep" ||
	fail "the daemon does not watch its display's connection (socket $conn): $(grep tfd "/proc/$d/fdinfo/$ep")"
echo "the daemon watches its display's connection"

# The probe's picture is the window's own (xwd, from the host's X
# server), and that picture is not the one in $T/before.xwd.
same_new() {
	rm -f "$P/w.ppm"
	echo "dump $id $P/w.ppm" >&3
	i=0
	while [ ! -s "$P/w.ppm" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s "$P/w.ppm" ] || return 1
	xenv xwd -silent -id "$id" >"$T/now.xwd" || return 1
	[ ! -e "$T/before.xwd" ] || ! cmp -s "$T/now.xwd" "$T/before.xwd" || return 1
	"$XPROBE" --compare "$P/w.ppm" "$T/now.xwd" 2>"$P/cmp.err"
}
wait_until 20 same_new
cp "$T/now.xwd" "$T/before.xwd"
echo "the first picture: the window's own, with the desk attached before the display was up"

# A key (keycode 38, a on Xvfb's us layout; cat echoes it): the picture
# that answers it comes.
echo "key $id 38" >&3
wait_until 20 same_new
echo "x11 early desk: the key's answer came: ok"
