#!/bin/sh
# A program on the host that pastes the desk's copy through MULTIPLE
# (ICCCM 2.6.2: one request, several (target, property) pairs, as some
# toolkits ask): xpaste asks UTF8_STRING, TARGETS and a target nobody
# gives; the first two are answered, the third refused in the pairs
# written back, and the text comes whole when small and in INCR pieces
# (at most 256 KiB) when it is 2 MiB. Before, MULTIPLE was refused whole.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
probe_desk

printf 'small caf\303\251' >"$T/small.txt"
desk_copies "$T/small.txt"
wait_until 20 pasted "$T/small.txt"
xenv "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple: $(cat "$T/xpaste.err")"
[ "$(cat "$T/xpaste.err")" = "multiple ok
whole" ] || fail "MULTIPLE of a small copy: $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/small.txt" || fail "MULTIPLE pasted $(cat "$T/xpaste.txt"), not the desk's text"
echo "MULTIPLE, small: answered pairs, the text whole"

big_text desk "$T/desk.txt"
desk_copies "$T/desk.txt"
wait_until 60 pasted "$T/desk.txt"
xenv "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple (2 MiB): $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/desk.txt" || fail "MULTIPLE got $(wc -c <"$T/xpaste.txt") bytes, not the desk's text"
{ read -r ok; read -r how pieces largest; } <"$T/xpaste.err"
[ "$ok" = "multiple ok" ] && [ "$how" = incr ] && [ "$largest" -le 262144 ] ||
	fail "MULTIPLE of 2 MiB: $(cat "$T/xpaste.err")"
echo "MULTIPLE, 2 MiB: INCR, $pieces pieces of at most $largest bytes: ok"
