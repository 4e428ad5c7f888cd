#!/bin/sh
# ^C typed at `cat` right after a line, through the delay proxy: the
# host's CONSUMED for that line (cat read it and waits again) is on its
# way when the ^C goes, and says nothing of the ^C. The keys typed after
# the ^C wait until the host has handled it (bash raw again before its
# prompt), and bash echoes them after its prompt; they are not let out
# by that CONSUMED into the desk's echo before the prompt ("abc", then
# "P3 > abc").
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
DELAY_MS=${SIGNAL_DELAY_MS:-150}
cooked_serve "$DELAY_MS"
cooked_bash w1
tm send-keys -t t:w1 "echo go''ne; cat" Enter
wait_line w1 gone
# cat has read a line and waits again: its spell lasts.
tm send-keys -t t:w1 one Enter
wait_until 20 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -cx one) -eq 2 ]"
# A line, and ^C and keys once it reached the host (one way later) and
# before the host's CONSUMED for it is back: that CONSUMED is on its way.
tm send-keys -t t:w1 two Enter
sleep "$(echo "$DELAY_MS" | awk '{print $1 * 1.4 / 1000}')"
tm send-keys -t t:w1 C-c abc
wait_for w1 'P3 > abc' 20
screen w1 | grep -q '^abc\|\^Cabc\|\^C.*abc$' && { screen w1; fail "keys typed after the ^C were echoed on the desk before the prompt"; }
echo "predict-cooked-signal-late: ok"
