#!/bin/sh
# telly view (telly's desktop, not --seamless) started on an X session
# gives the host the desk's copy without a focus change: its desktop
# window has the desk's focus before the session's window comes, and that
# window is then focused by the desktop as it maps, not by the person, who
# types and pastes into it at once. Before, the copy went only once the
# person focused something else and came back (and a copy made while it
# kept the focus did not go either). The newest copy still wins (the
# attach rule): a window that comes as the view resumes, after a host copy
# newer than the desk's, does not bring the desk's older copy over it.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
. test/integration/clip.inc
for p in xterm xclip xwininfo xdotool; do
	command -v $p >/dev/null || fail "no $p (make deps installs it)"
done
serve_cut
start_xvfb
# The session's windows come when told: after the desktop has the focus.
cat >"$T/windows.sh" <<'EOF'
while [ ! -e "$1/go" ]; do sleep 0.05; done
xterm -T xclip-test &
while [ ! -e "$1/go2" ]; do sleep 0.05; done
exec xterm -T second
EOF
"$TELLY" new --x11 -s xs -- sh "$T/windows.sh" "$T" || fail "new --x11"
has_hostwin() { "$TELLY" ls | grep -q "window .*\"$1\""; }

# The desk's copy (xclip: it does not say when; the host has none).
printf 'desk copy' | xclip -selection clipboard -i -loops 40 &
pids="$pids $!"
wait_until 10 desk_is clipboard 'desk copy'
"$TELLY" view --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --size 800x600 \
	--x11 xs >"$T/view.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_deskwin "telly view"
wait_until 20 grep -q 'attached to xs' "$T/serve.err"
desk=$(deskwin "telly view")
xdotool windowfocus "$desk" 2>/dev/null
focused() { [ "$(xdotool getwindowfocus 2>/dev/null)" = "$(printf %d "$desk")" ]; }
wait_until 10 focused
touch "$T/go"
wait_until 20 has_hostwin xclip-test
clip_await 20 host clipboard 'desk copy'
# A copy made while the window keeps the focus goes at once.
printf 'at once' | xclip -selection clipboard -i -loops 40 &
pids="$pids $!"
clip_await 20 host clipboard 'at once'
echo "the desk's copy reached the window focused as it came: ok"

# The link down: the desk copies, then the host (newer); a window comes.
ctl down
wait_until 10 grep -q '^down' "$T/proxy.log"
wait_until 10 grep -q 'lost; its channel on xs waits' "$T/serve.err"
printf 'desk older' | xclip -selection clipboard -i -loops 40 &
pids="$pids $!"
wait_until 10 desk_is clipboard 'desk older'
printf 'host newer' | hostclip -selection clipboard -i -loops 1 &
wait $! || fail "the host's copy was not read"
touch "$T/go2"
wait_until 20 has_hostwin second
ctl up
wait_until 30 grep -q 'resumed its channel on X session xs' "$T/serve.err"
clip_await 20 desk clipboard 'host newer'
# (The desk's PRIMARY goes with a CLIPBOARD it would send: once the host
# has it, an older CLIPBOARD would have gone too; the host's xclip has
# ended, so the host has none unless the desk gave it one.)
printf 'sync' | xclip -selection primary -i -loops 40 &
pids="$pids $!"
clip_await 20 host primary 'sync'
! host_is clipboard 'desk older' || fail "the host's newer copy was replaced by the desk's older one"
clip_await 0 desk clipboard 'host newer'
echo "a window that came as the view resumed brought no older copy: ok"
