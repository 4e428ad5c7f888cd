#!/bin/sh
# A seamless view over TCP whose link is down while a host program copies:
# once the X session resumes, the desk has the copy (the host offers a
# desk that resumes the selections it missed, the latest of each; before,
# a copy made while the desk's channel waited for it was never sent).
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
