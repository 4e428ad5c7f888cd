#!/bin/sh
# The desk's 2 MiB copy pasted by programs on the host: sent in pieces of
# at most 256 KiB (ICCCM INCR), as programs expect of a large selection,
# not in one 2 MiB property; xclip and an X program that counts the
# pieces (xpaste) both get the whole text. A small copy still goes whole.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
probe_desk

big_text desk "$T/desk.txt"
desk_copies "$T/desk.txt"
wait_until 60 pasted "$T/desk.txt"
echo "xclip: 2 MiB whole"
xenv "$B/test/xpaste" >"$T/xpaste.txt" 2>"$T/xpaste.err" || fail "xpaste: $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/desk.txt" || fail "xpaste got $(wc -c <"$T/xpaste.txt") bytes, not the desk's text"
read -r how pieces largest <"$T/xpaste.err"
[ "$how" = incr ] || fail "2 MiB went as one property ($how), not in INCR pieces"
[ "$pieces" -ge 8 ] && [ "$largest" -le 262144 ] ||
	fail "$pieces pieces, the largest $largest bytes (want pieces of at most 256 KiB)"
echo "xpaste: INCR, $pieces pieces of at most $largest bytes"

printf 'small' >"$T/small.txt"
desk_copies "$T/small.txt"
wait_until 20 pasted "$T/small.txt"
xenv "$B/test/xpaste" >"$T/xpaste.txt" 2>"$T/xpaste.err" || fail "xpaste small"
[ "$(cat "$T/xpaste.err")" = whole ] || fail "a small copy went as $(cat "$T/xpaste.err")"
echo "x11 clipboard INCR to programs: ok"
