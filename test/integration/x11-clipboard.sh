#!/bin/sh
# The clipboard both ways between a desk (the probe) and an X session:
# what a program there copies (xclip, CLIPBOARD and PRIMARY) reaches the
# desk as XCLIP, UTF-8, newlines kept; what the desk copies (XCLIP) is
# what a program there pastes.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
probe_desk

# Host to desk.
printf 'copied on the host\nsecond line: caf\303\251' >"$T/host.txt"
xenv xclip -selection clipboard -i "$T/host.txt" || fail "xclip -i"
wait_until 20 cmp -s "$T/p/clip-0" "$T/host.txt"
printf 'primary text' | xenv xclip -selection primary -i || fail "xclip -i primary"
wait_until 20 sh -c "[ \"\$(cat '$T/p/clip-1' 2>/dev/null)\" = 'primary text' ]"
echo "host to desk: CLIPBOARD and PRIMARY"

# Desk to host.
# (printf: the shell's echo would make the probe's \n a newline)
printf '%s\n' 'clip 0 copied on the desk\nline two' >&3
desk_pasted() { [ "$(xenv xclip -selection clipboard -o 2>/dev/null)" = "$(printf 'copied on the desk\nline two')" ]; }
wait_until 20 desk_pasted
printf '%s\n' 'clip 1 desk primary' >&3
wait_until 20 sh -c "[ \"\$(DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth xclip -selection primary -o 2>/dev/null)\" = 'desk primary' ]"
echo "desk to host: CLIPBOARD and PRIMARY"

# Bytes that are not UTF-8 either way: a program pastes the desk's as
# valid UTF-8 (a bad byte '?'; before, as they came, as UTF8_STRING), and
# a program's UTF8_STRING that is not UTF-8, or STRING (Latin-1), reaches
# the desk as valid UTF-8.
printf 'caf\351 \377\376 ok' >"$T/bad.txt"
desk_copies "$T/bad.txt"
printf 'caf? ?? ok' >"$T/bad-fixed.txt"
wait_until 20 pasted "$T/bad-fixed.txt"
printf 'host \351\377' | xenv xclip -selection clipboard -t UTF8_STRING -i || fail "xclip -i bad"
printf 'host ??' >"$T/host-bad.txt"
wait_until 20 cmp -s "$T/p/clip-0" "$T/host-bad.txt"
printf 'latin \351' | xenv xclip -selection clipboard -t STRING -i || fail "xclip -i STRING"
printf 'latin \303\251' >"$T/host-latin.txt"
wait_until 20 cmp -s "$T/p/clip-0" "$T/host-latin.txt"
echo "text that is not UTF-8: made valid both ways"
echo "x11 clipboard: ok"
