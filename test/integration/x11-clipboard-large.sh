#!/bin/sh
# Large selections both ways between a desk (the probe) and an X session:
# a program that offers 2 MiB of text in pieces (xclip uses INCR past
# about 1 MiB) reaches the desk whole; 2 MiB the desk copies is what a
# program there pastes; an owner whose pieces never end is given up.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
probe_desk

# Over 2 MiB of lines, each numbered, with a non-ASCII character.
big_text line "$T/big.txt"

# Host to desk.
xenv xclip -selection clipboard -i "$T/big.txt" || fail "xclip -i"
wait_until 60 cmp -s "$T/p/clip-0" "$T/big.txt"
echo "host to desk: 2 MiB in pieces"

# Over the limit (4 MiB): drained, said in the log, not passed on; the
# next copy goes through.
cat "$T/big.txt" "$T/big.txt" "$T/big.txt" >"$T/huge.txt"
xenv xclip -selection clipboard -i "$T/huge.txt" || fail "xclip -i huge"
wait_until 60 grep -q 'selection sent in pieces (INCR) is over' "$TELLY_DIR/serve.log"
printf 'small after huge' | xenv xclip -selection clipboard -i || fail "xclip -i small"
wait_until 20 sh -c "[ \"\$(cat '$T/p/clip-0')\" = 'small after huge' ]"
echo "host to desk: over 4 MiB refused, the next copy passed"

# An owner whose pieces never end (test/integration/xincr.c): drained up
# to 16 MiB past the limit (a piece or so more: those read and the one
# sent after), then no longer read (it waits in vain); the
# next copy goes through. Before, it was read for ever.
xenv "$B/test/xincr" 200000 "$T/incr.out" &
pids="$pids $!"
wait_until 60 test -s "$T/incr.out"
set -- $(cat "$T/incr.out")
[ "$3" -le $((20 * 1048576 + 4 * 200000)) ] || fail "read on past the bound: $(cat "$T/incr.out")"
grep -q 'goes on past 16777216 bytes: no longer read' "$TELLY_DIR/serve.log" || fail "not said in the log"
printf 'small after endless' | xenv xclip -selection clipboard -i || fail "xclip -i small"
wait_until 20 sh -c "[ \"\$(cat '$T/p/clip-0')\" = 'small after endless' ]"
echo "host to desk: pieces that never end, given up, the next copy passed"

# Desk to host.
sed 's/line/desk/' "$T/big.txt" >"$T/desk.txt"
desk_copies "$T/desk.txt"
wait_until 60 pasted "$T/desk.txt"
echo "desk to host: 2 MiB"
echo "x11 large clipboard: ok"
