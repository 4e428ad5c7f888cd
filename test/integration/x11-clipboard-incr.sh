#!/bin/sh
# The desk's 2 MiB copy pasted by programs on the host: sent in pieces of
# at most 256 KiB (ICCCM INCR), as programs expect of a large selection,
# not in one 2 MiB property; xclip and an X program that counts the
# pieces (xpaste) both get the whole text. A small copy still goes whole.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xclip

"$TELLY" new --x11 -s x -- xterm -T keep -e sh >/dev/null || fail "telly new --x11"
xprobe_start "$T/p" x
exec 3>"$T/p/cmd"
wait_until 20 grep -q " keep$" "$T/p/windows"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }

awk 'BEGIN { for (i = 0; i < 44000; i++) printf "desk %06d of a long selection caf\303\251 ........ %s\n", i, (i % 7 ? "x" : "y") }' \
	>"$T/desk.txt"
[ "$(wc -c <"$T/desk.txt")" -gt 2097152 ] || fail "test text is not over 2 MiB"
printf 'clipfile 0 %s\n' "$T/desk.txt" >&3
pasted() { xenv xclip -selection clipboard -o >"$T/pasted.txt" 2>/dev/null && cmp -s "$T/pasted.txt" "$T/desk.txt"; }
wait_until 60 pasted
echo "xclip: 2 MiB whole"
xenv "$B/test/xpaste" >"$T/xpaste.txt" 2>"$T/xpaste.err" || fail "xpaste: $(cat "$T/xpaste.err")"
cmp -s "$T/xpaste.txt" "$T/desk.txt" || fail "xpaste got $(wc -c <"$T/xpaste.txt") bytes, not the desk's text"
read -r how pieces largest <"$T/xpaste.err"
[ "$how" = incr ] || fail "2 MiB went as one property ($how), not in INCR pieces"
[ "$pieces" -ge 8 ] && [ "$largest" -le 262144 ] ||
	fail "$pieces pieces, the largest $largest bytes (want pieces of at most 256 KiB)"
echo "xpaste: INCR, $pieces pieces of at most $largest bytes"

printf 'small' >"$T/small.txt"
printf 'clipfile 0 %s\n' "$T/small.txt" >&3
wait_until 20 sh -c "[ \"\$(DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth xclip -selection clipboard -o 2>/dev/null)\" = small ]"
xenv "$B/test/xpaste" >"$T/xpaste.txt" 2>"$T/xpaste.err" || fail "xpaste small"
[ "$(cat "$T/xpaste.err")" = whole ] || fail "a small copy went as $(cat "$T/xpaste.err")"
echo "x11 clipboard INCR to programs: ok"
