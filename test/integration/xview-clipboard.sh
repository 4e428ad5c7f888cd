#!/bin/sh
# The clipboard both ways between a desk and an X session (xclip on each
# display), through telly view --seamless: what a host program copies is
# on the desk's CLIPBOARD; what the desk copied goes to the host when an
# X window takes the focus.
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
echo "the clipboard both ways: ok"
