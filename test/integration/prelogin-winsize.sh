#!/bin/sh
# Window sizes are bounded: a desk of 2000x2000 cells, at attach (OPEN)
# or later (WINSIZE), leaves the program's pty at 500 rows by 1000
# columns and the daemon's memory modest.
. test/integration/lib.sh "$1"

tm_start w1 "exec $TELLY attach s1 -- env PS1='sh> ' sh"
wait_for w1 'sh>'
tm resize-window -t t:w1 -x 2000 -y 2000
# tmux resizes its pane's terminal in a later turn of its own: the keys
# typed go once the session has the size (else stty may say the old one).
sized() { "$TELLY" ls | grep -q "^$1: .*(pid [0-9]*, 1000x500"; }
wait_until 10 sized s1
tm send-keys -t t:w1 'clear; stty size' Enter
wait_for w1 '500 1000'

# A desk that is that large when it attaches.
tm_start w2 "exec $TELLY attach s2 -- env PS1='sh2> ' sh"
tm resize-window -t t:w2 -x 2000 -y 2000
wait_for w2 'sh2>'
wait_until 10 sized s2
tm send-keys -t t:w2 'clear; stty size' Enter
wait_for w2 '500 1000'

rss=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\) kB/\1/p' "/proc/$(daemon_pid)/status")
echo "daemon RSS ${rss} kB with two sessions of 2000x2000 desks"
[ "$rss" -lt 150000 ] || fail "daemon RSS ${rss} kB"
echo "window sizes clamped to 500x1000: ok"
