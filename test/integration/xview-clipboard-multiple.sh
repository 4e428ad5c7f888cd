#!/bin/sh
# A desk program that pastes the host's copy through MULTIPLE (ICCCM
# 2.6.2: one request, several (target, property) pairs): telly view owns
# the desk's CLIPBOARD for the host (--seamless on a desk Xvfb); xpaste
# asks UTF8_STRING, TARGETS and a target nobody gives, and gets the first
# two, the third refused in the pairs written back, the text whole when
# small and in INCR pieces when it is 300 KiB. Before, MULTIPLE was
# refused whole.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk

on_desk() { timeout 5 xclip -selection clipboard -o >"$T/desk.txt" 2>/dev/null && cmp -s "$T/desk.txt" "$1"; }
printf 'from the host \303\244' >"$T/small.txt"
hostclip -selection clipboard -i -loops 1 "$T/small.txt" &
pids="$pids $!"
wait_until 20 on_desk "$T/small.txt"
timeout 20 "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple: $(cat "$T/xpaste.err")"
[ "$(cat "$T/xpaste.err")" = "multiple ok
whole" ] || fail "MULTIPLE of a small copy: $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/small.txt" || fail "MULTIPLE pasted $(cat "$T/xpaste.txt"), not the host's text"
echo "MULTIPLE, small: answered pairs, the text whole"

awk 'BEGIN { for (i = 0; i < 6000; i++) printf "host %06d of a long selection caf\303\251 ........ %s\n", i, (i % 7 ? "x" : "y") }' \
	>"$T/large.txt"
hostclip -selection clipboard -i -loops 1 "$T/large.txt" &
pids="$pids $!"
wait_until 30 on_desk "$T/large.txt"
timeout 20 "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple (large): $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/large.txt" || fail "MULTIPLE got $(wc -c <"$T/xpaste.txt") bytes, not the host's text"
{ read -r ok; read -r how pieces largest; } <"$T/xpaste.err"
[ "$ok" = "multiple ok" ] && [ "$how" = incr ] || fail "MULTIPLE of a large copy: $(cat "$T/xpaste.err")"
echo "MULTIPLE, $(wc -c <"$T/large.txt") bytes: INCR, $pieces pieces of at most $largest bytes: ok"
