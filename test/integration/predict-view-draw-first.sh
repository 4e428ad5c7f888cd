#!/bin/sh
# telly view paints a predicted key before the key goes to the host, as
# telly attach draws it first (predict-attach-draw-first): on a loaded
# machine the screen is then not left waiting behind the link's own
# processes (ssh) taking the CPU with the key. strace says in which order
# the view wrote them: the repaint with the key's prediction (its
# --paint-fd record, fd 4) comes before the link's write that carries
# the key.
. test/integration/lib.sh "$1"
. test/integration/drawfirst.inc
need_progs strace
serve_delayed 150
"$TELLY" new -s p1 -- env PS1='P> ' HISTFILE=/dev/null bash --norc --noprofile || fail "new"

mkfifo "$T/keys"
# The keyboard's end (the shell's fd 7, closed when it exits) closes the
# view, even one strace let go.
strace -o "$T/trace" -e trace=write,writev,sendto,sendmsg -e signal=none -s 200 -xx \
	"$TELLY" view --headless --predict=always --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--key-fd 3 --paint-fd 4 3<"$T/keys" 4>"$T/paint" 2>"$T/err" &
view=$!
exec 7>"$T/keys"

painted() { grep -qxF -- "$1" "$T/paint"; }
wait_until 30 painted "P>"
# bash's line editor proves itself: keys echoed as they would be.
line="P> "
for c in e c h o; do
	echo "type \"$c\"" >&7
	line="$line$c"
	wait_until 20 painted "$line"
done
# The key: its prediction in a repaint (fd 4) before its INPUT to the
# link; no byte 0x5a ('Z') went anywhere before it.
echo 'type "Z"' >&7
wait_until 20 painted "P> echoZ"
drawn_first "$T/trace" 4
echo "a predicted key is painted before it goes to the host: ok"
exec 7>&-
wait_until 10 sh -c "! kill -0 $view 2>/dev/null"
echo "predict-view-draw-first: ok"
