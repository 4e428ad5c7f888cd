#!/bin/sh
# Keys on the wire when a program goes canonical, through the delay
# proxy: typed after bash ran `cat` (canonical from then on) and before
# the desk heard of it, they left the desk raw and reach the host after
# the switch. The host lets them go and the desk types them again into
# its line discipline: every key is echoed once, in order, and edits
# typed across the switch (a backspace, ^U) act as the kernel's would;
# cat gets the lines so edited. Without it cat read the raw keys as they
# came, unechoed, and the desk echoed only the later ones ("hoe lwlorld").
# The reverse: a line typed while python's readline is canonical for a
# moment reaches it once, echoed after its prompt, not twice.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
DELAY_MS=${SWITCH_DELAY_MS:-300}
cooked_serve "$DELAY_MS"
cooked_bash w1

# switched WORD: bash runs `touch WORD; cat`; the file is there once bash
# went canonical for the command: the keys typed from then on reach the
# host after the switch, and leave the desk before it hears (a one-way
# delay later).
switched() {
	tm send-keys -t t:w1 "touch $T/$1; cat" Enter
	wait_until 20 test -e "$T/$1"
}

# Typed at once: a key, a backspace, more keys, the line's end.
switched go1
tm send-keys -t t:w1 hellx BSpace o Enter
wait_until 20 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -cx hello) -eq 2 ]"
# An edit across the switch: the keys before it typed raw, ^U after the
# desk edits (the line they began is erased), then a line.
tm send-keys -t t:w1 junk
wait_line w1 junk
tm send-keys -t t:w1 C-u ok Enter
wait_until 20 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -cx ok) -eq 2 ]"
screen w1 | grep -q junk && { screen w1; fail "^U typed after the switch did not erase the keys typed before it"; }
tm send-keys -t t:w1 C-d
wait_for w1 'P3 >' 20

# Every key in order, typed one at a time across the switch.
switched go2
for k in a b c d e f g h; do tm send-keys -t t:w1 "$k"; done
tm send-keys -t t:w1 Enter
wait_until 20 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -cx abcdefgh) -eq 2 ]"
tm send-keys -t t:w1 C-d
wait_for w1 'P4 >' 20
screen w1 | grep -v '^P[0-9] >' | grep -v '^$' | grep -vx 'hello\|ok\|abcdefgh' && { screen w1; fail "a line shown garbled"; }
# The reverse, a canonical moment between raw reads (python's readline,
# held canonical by a sleep): a line typed while it lasts reaches the
# host inside it, is let go and typed again on the desk, kept there (the
# program does not read) and sent raw once python is raw again: it echoes
# it once, after its prompt.
command -v python3 >/dev/null || { echo "no python3: the rest skipped"; exit 0; }
tm send-keys -t t:w1 "python3 -q" Enter
wait_for w1 '>>>' 30
tm send-keys -t t:w1 "import time; time.sleep(2); print('sl''ept')" Enter
sleep "$(echo "$DELAY_MS" | awk '{print $1 * 2 / 1000}')"
tm send-keys -t t:w1 "6*7" Enter
wait_for w1 42 20
wait_for w1 '>>> 6*7' 20
screen w1 | grep -q '^6\*7' && { screen w1; fail "a line typed in python's cooked moment was echoed before its prompt"; }
[ "$(screen w1 | grep -c '6\*7')" -eq 1 ] || { screen w1; fail "a line typed in python's cooked moment was not shown once"; }
echo "predict-cooked-switch: ok"
