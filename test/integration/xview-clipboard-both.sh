#!/bin/sh
# Both desk selections large (INCR) and read at once when an X window
# takes the focus: each reaches the host whole. The desk's xclip sends its
# 1 MiB pieces on any PropertyDelete on the reader's window; with one
# window for both reads, PRIMARY's read made CLIPBOARD's owner skip a
# piece, and the host got 1,048,575 bytes of 3,000,000, nothing said.
# A host copy over the bound is said in the view, as a desk copy over it
# is.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk xdotool

copy_both xclip
wait_until 10 desk_has clipboard
wait_until 10 desk_has primary
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
both_whole "the host" hostclip

# A host program's copy over the bound (4 MiB) stays on the host, and the
# desk is told (before, only the host's serve.log said it).
head -c 5000000 /dev/zero | tr '\0' h | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
told() { grep -q 'XCLIP: a text over 4194304 bytes copied on the host (CLIPBOARD) is not passed on' "$T/view.out"; }
wait_until 20 told
echo "both desk selections, 3 MB each, reach the host whole; a host copy over 4 MiB is said on the desk: ok"
