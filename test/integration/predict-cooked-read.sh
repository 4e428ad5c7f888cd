#!/bin/sh
# bash's `read x` (a canonical read of a line, then readline raw again
# before the prompt): keys typed right after the line's Enter are not
# echoed by the desk before bash's next prompt, where they would stay
# ("abcP3 > abc"); they wait until bash is raw again and it echoes them
# after its prompt, as over ssh. Then `cat`, a canonical read that
# lasts: once it has read a line and waits again, keys typed after a
# line's Enter are echoed by the desk at once, not held for the cap; and
# the same where a script's command reads (the script waits for it).
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
cooked_serve
cooked_attach w1 bash --rcfile "$T/rc" -i
wait_for w1 'P1 >' 30
# A first command: the host has said the shell waits (CONSUMED).
tm send-keys -t t:w1 true Enter
wait_for w1 'P2 >' 20
# "ready" comes after the canonical TERMIOS (bash went cooked before
# running the line): keys typed from then on go through the desk.
tm send-keys -t t:w1 'echo ready; read x' Enter
wait_line w1 ready
# Echoed once the host says bash waits in its read (held before).
tm send-keys -t t:w1 foo
wait_line w1 foo
tm send-keys -t t:w1 Enter abc
wait_for w1 'P3 > abc' 20
screen w1 | grep -q '^abc' && { screen w1; fail "keys typed after read's line were echoed on the desk before the prompt"; }

# cat: its first line read, the next keys typed after an Enter show at
# once (well before the 30 s cap).
tm send-keys -t t:w1 C-u 'echo steady; cat' Enter
wait_line w1 steady
tm send-keys -t t:w1 one
wait_line w1 one
tm send-keys -t t:w1 Enter
wait_until 20 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -cx one) -ge 2 ]"
tm send-keys -t t:w1 two Enter xyz
wait_for w1 xyz 10

# A script's command reading (sh waits for cat, which reads): the host
# looks past the waiting script, so keys typed in the read show at once
# here too, not after the 30 s cap.
tm send-keys -t t:w1 C-u C-d
wait_for w1 'P4 >' 20
tm send-keys -t t:w1 "echo go''ne; sh -c 'cat; echo end'" Enter
wait_line w1 gone
tm send-keys -t t:w1 typed
wait_for w1 typed 10
echo "predict-cooked-read: ok"
