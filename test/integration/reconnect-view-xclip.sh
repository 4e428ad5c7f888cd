#!/bin/sh
# A seamless view over TCP whose link is down while a host program copies:
# once the X session resumes, the desk has the copy (the host offers a
# desk that resumes the selections it missed, the latest of each; before,
# a copy made while the desk's channel waited for it was never sent);
# one the desk made after it with xclip, which does not say when, wins,
# since the view saw when it was made.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
. test/integration/clip.inc
serve_cut
xs_session
seamless_view "$TELLY" view --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --seamless --x11 xs
printf 'before the outage' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
clip_await 20 desk clipboard 'before the outage'

ctl down
wait_until 10 grep -q '^down' "$T/proxy.log"
wait_until 10 grep -q 'lost; its channel on xs waits' "$T/serve.err"
printf 'during the outage' | hostclip -selection clipboard -i -loops 1 &
wait $! || fail "the host's copy was not read"
ctl up
wait_until 30 grep -q 'resumed its channel on X session xs' "$T/serve.err"
clip_await 20 desk clipboard 'during the outage'
echo "a host copy made while the link was down: on the desk once it resumed: ok"

# Down again: the host copies, then the desk, with xclip, which does
# not say when: the view saw it take the selection (XFixes), so the
# desk's is the newer and wins once the link is back (before, an owner
# that said no time counted as older, and the desk's copy was lost).
ctl down
wait_until 10 sh -c "[ \$(grep -c '^down' '$T/proxy.log') = 2 ]"
wait_until 10 sh -c "[ \$(grep -c 'lost; its channel on xs waits' '$T/serve.err') = 2 ]"
printf 'host first' | hostclip -selection clipboard -i -loops 1 &
wait $! || fail "the host's copy was not read"
# (The host dates its copy when it has the text, a few ms after xclip
# ends: the desk's comes later than that by more than the clocks' ms.)
sleep 0.2
printf 'desk after' | xclip -selection clipboard -i -loops 20 &
pids="$pids $!"
wait_until 10 desk_is clipboard 'desk after'
ctl up
wait_until 30 sh -c "[ \$(grep -c 'resumed its channel on X session xs' '$T/serve.err') = 2 ]"
clip_await 20 host clipboard 'desk after'
clip_await 0 desk clipboard 'desk after'
echo "a desk copy by xclip after the host's while the link was down: the desk's wins: ok"
