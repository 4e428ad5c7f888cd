#!/bin/sh
# Large selections both ways between a desk (the probe) and an X session:
# a program that offers 2 MiB of text in pieces (xclip uses INCR past
# about 1 MiB) reaches the desk whole; 2 MiB the desk copies is what a
# program there pastes.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xclip

"$TELLY" new --x11 -s x -- xterm -T keep -e sh >/dev/null || fail "telly new --x11"
xprobe_start "$T/p" x
exec 3>"$T/p/cmd"
wait_until 20 grep -q " keep$" "$T/p/windows"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }

# Over 2 MiB of lines, each numbered, with a non-ASCII character.
awk 'BEGIN { for (i = 0; i < 44000; i++) printf "line %06d of a long selection caf\303\251 ........ %s\n", i, (i % 7 ? "x" : "y") }' \
	>"$T/big.txt"
[ "$(wc -c <"$T/big.txt")" -gt 2097152 ] || fail "test text is not over 2 MiB"

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

# Desk to host.
sed 's/line/desk/' "$T/big.txt" >"$T/desk.txt"
printf 'clipfile 0 %s\n' "$T/desk.txt" >&3
pasted() { xenv xclip -selection clipboard -o >"$T/pasted.txt" 2>/dev/null && cmp -s "$T/pasted.txt" "$T/desk.txt"; }
wait_until 60 pasted
echo "desk to host: 2 MiB"
echo "x11 large clipboard: ok"
