#!/bin/sh
# A predicted key is drawn before it goes to the host: on a loaded
# machine the person's terminal is then woken before the link's own
# processes (ssh) take the CPU with the key, and a round trip long
# enough to predict over makes the microseconds the key waits nothing.
# strace says in which order telly attach wrote them: the terminal's
# write with the key's prediction comes before the link's write that
# carries the key. (Over a link that predicts nothing, the key goes
# first: not looked at here.)
. test/integration/lib.sh "$1"
. test/integration/drawfirst.inc
need_progs strace
serve_delayed 150

tm_start w1 "exec strace -o $T/trace -e trace=write,writev,sendto,sendmsg -e signal=none -s 200 -xx $TELLY attach --predict=always --tcp 127.0.0.1:$pport --token-file $TELLY_DIR/token p1 -- env PS1='P> ' bash --norc --noprofile 2>$T/attach.err"
wait_for w1 'P>' 30

# bash's line editor proves itself: keys echoed as they would be.
for k in e c h o; do
	tm send-keys -t t:w1 "$k"
	wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q 'P> [echo]*$k'"
done
# The key: its prediction to the terminal (fd 1) before its INPUT to the
# link; no byte 0x5a ('Z') went anywhere before it.
tm send-keys -t t:w1 'Z'
wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q 'P> echoZ'"
drawn_first "$T/trace" 1
echo "a predicted key is drawn before it goes to the host: ok"
tm send-keys -t t:w1 Enter '~.'
echo "predict-attach-draw-first: ok"
