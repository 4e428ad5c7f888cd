#!/bin/sh
# A program on the host that pastes the desk's copy through MULTIPLE
# (ICCCM 2.6.2: one request, several (target, property) pairs, as some
# toolkits ask): xpaste asks UTF8_STRING, TARGETS and a target nobody
# gives; the first two are answered, the third refused in the pairs
# written back, and the text comes whole when small and in INCR pieces
# (at most 256 KiB) when it is 2 MiB. Before, MULTIPLE was refused whole.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xclip

"$TELLY" new --x11 -s x -- xterm -T keep -e sh >/dev/null || fail "telly new --x11"
xprobe_start "$T/p" x
exec 3>"$T/p/cmd"
wait_until 20 grep -q " keep$" "$T/p/windows"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }

printf 'small caf\303\251' >"$T/small.txt"
printf 'clipfile 0 %s\n' "$T/small.txt" >&3
pasted() { xenv xclip -selection clipboard -o >"$T/pasted.txt" 2>/dev/null && cmp -s "$T/pasted.txt" "$1"; }
wait_until 20 pasted "$T/small.txt"
xenv "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple: $(cat "$T/xpaste.err")"
[ "$(cat "$T/xpaste.err")" = "multiple ok
whole" ] || fail "MULTIPLE of a small copy: $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/small.txt" || fail "MULTIPLE pasted $(cat "$T/xpaste.txt"), not the desk's text"
echo "MULTIPLE, small: answered pairs, the text whole"

awk 'BEGIN { for (i = 0; i < 44000; i++) printf "desk %06d of a long selection caf\303\251 ........ %s\n", i, (i % 7 ? "x" : "y") }' \
	>"$T/desk.txt"
printf 'clipfile 0 %s\n' "$T/desk.txt" >&3
wait_until 60 pasted "$T/desk.txt"
xenv "$B/test/xpaste" multiple >"$T/xpaste.txt" 2>"$T/xpaste.err" ||
	fail "xpaste multiple (2 MiB): $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/desk.txt" || fail "MULTIPLE got $(wc -c <"$T/xpaste.txt") bytes, not the desk's text"
{ read -r ok; read -r how pieces largest; } <"$T/xpaste.err"
[ "$ok" = "multiple ok" ] && [ "$how" = incr ] && [ "$largest" -le 262144 ] ||
	fail "MULTIPLE of 2 MiB: $(cat "$T/xpaste.err")"
echo "MULTIPLE, 2 MiB: INCR, $pieces pieces of at most $largest bytes: ok"
