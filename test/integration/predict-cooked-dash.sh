#!/bin/sh
# dash started from bash reads its lines canonically from the first; its
# first line runs a job of its own (sleep): the keys typed meanwhile are
# echoed at once, as a terminal echoes them, not kept until the wait's
# cap (30 s here, 1 s by default) as after bash's `read x`, which goes
# raw right after its line. Through the delay proxy.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v dash >/dev/null || { echo "no dash: skipped"; exit 77; }
cooked_serve 50
cooked_bash w1
tm send-keys -t t:w1 "PS1='D> ' dash" Enter
# dash's prompt on a row of its own: 'D>' alone is in the line typed,
# shown before bash has even read it, and a key typed then may reach the
# host while bash is still raw, where no terminal echoes it (dash reads
# it later, unechoed, as from any pty).
wait_line w1 'D>' 30
tm send-keys -t t:w1 "sleep 20" Enter
wait_for w1 'D> sleep 20' 20
tm send-keys -t t:w1 xy
wait_for w1 xy 10
tm send-keys -t t:w1 C-c
echo "predict-cooked-dash: ok"
