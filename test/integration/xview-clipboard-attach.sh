#!/bin/sh
# A desk that attaches to an X session is offered the host's selections,
# and the newest copy wins: copied on the host while no view was
# attached, the desk has it as soon as telly view --seamless shows the
# session (before, it kept its own older one, and a click into an X
# window then gave that to the host over the host's newer copy); copied
# on the desk after the host's copy (by a program that says when, as
# toolkits do: test/integration/xown.c), the desk keeps its own and the
# host gets it; copied on the desk by xclip, which does not say when,
# while no view ran, the desk's counts as copied when the last view
# left (the view notes what it knew of the desk's selections as it
# goes): newer than a host copy made before, older than one made after.
# A desk's copy reaches the host's other desks too.
. test/integration/lib.sh "$1"
. test/integration/clip.inc
xs_session xdotool
desk_copy() { # SEL TEXT: xclip owns the desk's SEL with TEXT (20 reads)
	printf '%s' "$2" | xclip -selection "$1" -i -loops 20 &
	pids="$pids $!"
	wait_until 10 desk_is "$1" "$2"
}
view_leaves() {
	kill "$view"
	wait_until 10 sh -c '! xwininfo -root -tree | grep -q "\"xclip-test\""'
}

# The desk's copy first (xclip: it does not say when), then the host's,
# read by the host (xclip -loops 1 ends once read), no view attached.
desk_copy clipboard 'desk older'
printf 'host newer' | hostclip -selection clipboard -i -loops 1 &
wait $! || fail "the host's copy was not read"
seamless_view
clip_await 20 desk clipboard 'host newer'
# An X window focused on the desk: the host's copy is not replaced by the
# desk's older one (the desk's PRIMARY goes with it: once the host has
# that, the CLIPBOARD went too; the host's xclip has ended, so the host
# has none unless the desk gave it one).
desk_copy primary 'sync one'
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
wait_until 20 host_is primary 'sync one'
! host_is clipboard 'desk older' || fail "the host's newer copy was replaced by the desk's older one"

# The host's copy first (on the desk once read), then, with no view, the
# desk's: the desk's wins, and goes to the host once the view attaches.
printf 'host older' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
clip_await 20 desk clipboard 'host older'
view_leaves
"$B/test/xown" 'desk newer' >"$T/own.out" &
pids="$pids $!"
wait_until 10 grep -q owned "$T/own.out"
seamless_view
clip_await 20 host clipboard 'desk newer'
clip_await 0 desk clipboard 'desk newer'

# The same with xclip, which does not say when it copied: the view that
# left noted the desk's selections (ds_clip_note_save), so one that
# xclip took since counts as copied when that view left, after the
# host's: the desk's wins.
printf 'host older 2' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
clip_await 20 desk clipboard 'host older 2'
view_leaves
desk_copy clipboard 'desk newer 2'
seamless_view
clip_await 20 host clipboard 'desk newer 2'
clip_await 0 desk clipboard 'desk newer 2'
# And a host copy made after it, with no view: the host's wins.
view_leaves
desk_copy clipboard 'desk older 3'
printf 'host newer 3' | hostclip -selection clipboard -i -loops 1 &
wait $! || fail "the host's copy was not read"
seamless_view
clip_await 20 desk clipboard 'host newer 3'
# A note whose server clock and wall clock parted since (a desk X
# server that restarted) is not taken: the desk's xclip copy counts as
# older again.
printf 'host older 4' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
clip_await 20 desk clipboard 'host older 4'
view_leaves
note=$TELLY_DIR/desk-selections-$(echo "$DISPLAY" | tr -c 'A-Za-z0-9.\n-' _)
[ -s "$note" ] || fail "the view left no note of the desk's selections: $(ls "$TELLY_DIR")"
awk '{ $4 -= 60000; print }' "$note" >"$T/note" && mv "$T/note" "$note"
desk_copy clipboard 'desk newer 4'
seamless_view
clip_await 20 desk clipboard 'host older 4'
# Nor is a corrupt one (a wall clock far out of range), and a note that
# is not a file (a FIFO: open would wait for a writer) holds up no view.
view_leaves
awk '{ $4 = "-9223372036854775808"; print }' "$note" >"$T/note" && mv "$T/note" "$note"
desk_copy clipboard 'desk newer 5'
seamless_view
clip_await 20 desk clipboard 'host older 4'
view_leaves
rm -f "$note" && mkfifo "$note"
seamless_view
clip_await 20 desk clipboard 'host older 4'

# A second desk attached (read-only: the display keeps its size) gets a
# copy the first desk gives the host.
desk1=$DISPLAY
start_xvfb
desk2=$DISPLAY
"$TELLY" view --seamless -r "" xs >"$T/view2.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_deskwin 'xclip-test (read-only)'
clip_await 20 desk clipboard 'host older 4'
DISPLAY=$desk1
desk_copy clipboard 'one to two'
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
wait_until 20 host_is clipboard 'one to two'
DISPLAY=$desk2
clip_await 20 desk clipboard 'one to two'
echo "a desk that attaches has the newest copy, and a desk's copy reaches the others: ok"
