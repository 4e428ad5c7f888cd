#!/bin/sh
# The link lost in the middle of a switch to canonical mode, in telly
# attach: keys typed after bash ran a command (canonical from then on)
# and before the desk heard of it left the desk raw; the host lets them
# go, and the desk types them again once it has the marked TERMIOS. Here
# the link drops while that is under way, through a chain of real parts:
#   attach -> cut-proxy A -> delay-proxy (300 ms each way) -> cut-proxy B -> daemon
# A cut at A loses what is on its way to the desk (the marked TERMIOS),
# and what is on its way to the host still reaches it (the keys, let go);
# a cut at B loses what is on its way to the host (TERMIOS_SEEN and the
# line typed again) and delivers what is on its way to the desk.
# Each time attach resumes and every key is echoed once and read once:
#  1. the TERMIOS on its way when the link is cut: cat reads "hello";
#  2. the TERMIOS just handled (the keys echoed here) when the link is
#     cut, the line ended while it is down: cat reads "world" once;
#  3. the program canonical for a moment and raw again while the link is
#     down (bash's `sleep`, then readline): the keys typed in that moment
#     reach readline once, and keys typed after the resume are taken.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
DELAY_MS=${SWITCH_DELAY_MS:-300}
cooked_serve
bport=$(free_port)
dport=$(free_port)
aport=$(free_port)
# cut_start NAME LISTEN TARGET: cut-proxy NAME, its control fifo $T/ctl.NAME.
cut_start() {
	mkfifo "$T/ctl.$1"
	"$B/test/cut-proxy" "$2" "$3" "$T/ctl.$1" >"$T/proxy.$1" 2>&1 &
	pids="$pids $!"
	wait_until 10 grep -q '^ready' "$T/proxy.$1"
}
# cut_at NAME: the links through NAME reset (done once it says so).
cut_at() {
	cn=$(grep -c '^cut' "$T/proxy.$1")
	echo cut >"$T/ctl.$1"
	wait_until 10 sh -c "[ \$(grep -c '^cut' $T/proxy.$1) -gt $cn ]"
}
cut_start B "$bport" "$port"
"$B/bin/delay-proxy" tcp "$dport" "$bport" "$DELAY_MS" "$T/count" &
pids="$pids $!"
cut_start A "$aport" "$dport"
attach_port=$aport
cooked_bash w1
resumed() { grep -c 'resumed its channel on w1 (exact' "$T/serve.err"; }
more_resumed() { [ "$(resumed)" -gt "$1" ]; }
# The bytes the delay proxy carried to the host so far.
up() { cut -d' ' -f1 "$T/count" 2>/dev/null || echo 0; }
grew() { [ "$(up)" -gt "$1" ]; }
lines() { screen w1 | grep -cxF -- "$1"; }
twice() { [ "$(lines "$1")" -eq 2 ]; }
# switched N CMD: bash runs `touch goN; CMD`, canonical once the file is
# there; n: the resumes so far, u: the bytes carried to the host so far.
switched() {
	tm send-keys -t t:w1 "touch $T/go$1; $2" Enter
	wait_until 20 test -e "$T/go$1"
	n=$(resumed)
	u=$(up)
}
# cat_read WORD PROMPT: after the cut, attach resumed, WORD on two rows
# (its echo and cat's line), and still so once cat ended at PROMPT.
cat_read() {
	wait_until 30 more_resumed "$n"
	end=$(( $(date +%s) + 20 ))
	until twice "$1"; do
		[ "$(date +%s)" -le "$end" ] || { screen w1; fail "$1 shown $(lines "$1") times, not its echo and cat's once each"; }
		sleep 0.05
	done
	tm send-keys -t t:w1 C-d
	wait_for w1 "$2" 20
	twice "$1" || { screen w1; fail "$1 shown $(lines "$1") times after cat ended"; }
}

# 1. Keys typed at cat leave the desk raw; the link is cut at A once
# they passed it, while the TERMIOS that marks the switch is on its way
# back.
switched 1 cat
tm send-keys -t t:w1 hellx BSpace o Enter
wait_until 10 grew "$u"
cut_at A
cat_read hello 'P3 >'

# 2. Keys typed at cat, echoed here once the desk had the marked
# TERMIOS, and the link cut at B at once: the desk's TERMIOS_SEEN and
# its echo, on their way to the host, are lost. The line's end typed
# while the link is down.
switched 2 cat
tm send-keys -t t:w1 world
wait_line w1 world
cut_at B
tm send-keys -t t:w1 Enter
cat_read world 'P4 >'

# 3. Canonical for a moment (sleep), raw again (readline) before the
# link is back: the TERMIOS of both switches lost at A, the keys typed
# in that moment let go by the host. They reach readline once the link
# is back, and the keys typed after it are not let go for good.
switched 3 "sleep 0.2"
tm send-keys -t t:w1 "echo ty" "ped" Enter
wait_until 10 grew "$u"
cut_at A
wait_until 30 more_resumed "$n"
wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -qx typed" ||
	{ screen w1; fail "keys typed in a canonical moment across the drop never reached bash"; }
wait_for w1 'P6 >' 20
tm send-keys -t t:w1 "echo fi" "n" Enter
wait_line w1 fin
[ "$(lines typed)" -eq 1 ] || { screen w1; fail "typed shown $(lines typed) times"; }
screen w1 | grep -v '^P[0-9] >' | grep -v '^$' | grep -vx 'hello\|world\|typed\|fin' &&
	{ screen w1; fail "a line shown garbled"; }
kill -0 "$(tm list-panes -t t:w1 -F '#{pane_pid}')" 2>/dev/null || fail "attach ended: $(cat "$T/attach-w1.err")"
echo "reconnect-cooked-switch: ok"
