#!/bin/sh
# The clipboard both ways between a desk and an X session (xclip on each
# display), through telly view --seamless: what a host program copies is
# on the desk's CLIPBOARD; what the desk copied goes to the host when an
# X window takes the focus; text that is not UTF-8 goes as valid UTF-8;
# an owner whose pieces never end is given up.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk xdotool

# Host to desk: a program there takes the CLIPBOARD.
printf 'from the host \303\244' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
on_desk() { [ "$(timeout 5 xclip -selection clipboard -o 2>/dev/null)" = "from the host ä" ]; }
wait_until 20 on_desk

# Desk to host: copied on the desk, then an X window gets the focus.
printf 'from the desk' | xclip -selection clipboard -i -loops 4 &
pids="$pids $!"
desk_copied() { [ "$(timeout 5 xclip -selection clipboard -o 2>/dev/null)" = "from the desk" ]; }
wait_until 10 desk_copied
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
on_host() { [ "$(hostclip -selection clipboard -o 2>/dev/null)" = "from the desk" ]; }
wait_until 20 on_host

# A desk program's bytes that are not UTF-8, as UTF8_STRING: the host
# gets them as valid UTF-8 (read as Latin-1, STRING's; before, as they
# came, given to host programs as UTF8_STRING).
printf 'caf\351 latin' | xclip -selection clipboard -t UTF8_STRING -i -loops 4 &
pids="$pids $!"
desk_latin() { [ "$(timeout 5 xclip -selection clipboard -o 2>/dev/null | od -An -c | tr -d ' \n')" = 'caf351latin' ]; }
wait_until 10 desk_latin
root=$(xwininfo -root | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')
xdotool windowfocus "$root" 2>/dev/null
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
on_host_latin() { [ "$(hostclip -selection clipboard -o 2>/dev/null)" = "$(printf 'caf\303\251 latin')" ]; }
wait_until 20 on_host_latin

# A desk program whose pieces (INCR) never end: read up to what the desk
# keeps (16 MiB), then left waiting. Before, it was read for ever.
"$B/test/xincr" 200000 "$T/incr.out" &
pids="$pids $!"
xdotool windowfocus "$root" 2>/dev/null
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
wait_until 60 test -s "$T/incr.out"
set -- $(cat "$T/incr.out")
[ "$3" -le $((16 * 1048576 + 4 * 200000)) ] || fail "read on past the bound: $(cat "$T/incr.out")"
# The view goes on: a host copy reaches the desk.
printf 'after endless' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
after_endless() { [ "$(timeout 5 xclip -selection clipboard -o 2>/dev/null)" = "after endless" ]; }
wait_until 20 after_endless
echo "the clipboard both ways: ok"
