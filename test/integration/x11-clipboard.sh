#!/bin/sh
# The clipboard both ways between a desk (the probe) and an X session:
# what a program there copies (xclip, CLIPBOARD and PRIMARY) reaches the
# desk as XCLIP, UTF-8, newlines kept; what the desk copies (XCLIP) is
# what a program there pastes.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xclip

"$TELLY" new --x11 -s x -- xterm -T keep -e sh >/dev/null || fail "telly new --x11"
xprobe_start "$T/p" x
exec 3>"$T/p/cmd"
wait_until 20 grep -q " keep$" "$T/p/windows"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xenv() { DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth "$@"; }

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
pasted() { [ "$(xenv xclip -selection clipboard -o 2>/dev/null)" = "$(printf 'copied on the desk\nline two')" ]; }
wait_until 20 pasted
printf '%s\n' 'clip 1 desk primary' >&3
wait_until 20 sh -c "[ \"\$(DISPLAY=$dpy XAUTHORITY=$TELLY_DIR/x11-x.auth xclip -selection primary -o 2>/dev/null)\" = 'desk primary' ]"
echo "desk to host: CLIPBOARD and PRIMARY"
echo "x11 clipboard: ok"
