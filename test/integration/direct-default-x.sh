#!/bin/sh
# telly x DEST -- PROGRAM when the host's direct port cannot be reached:
# its own connection (the new X session) falls back to ssh, saying so
# once, and the view it then runs goes over ssh without trying again
# (one secret asked for, not two; the note not said twice); the
# program's window is on the desk. (Before the default changed, telly x
# came over ssh and said nothing.)
. test/integration/lib.sh "$1"
need_progs Xvfb xkbcomp xterm xwininfo
dirs="$T/remote"
start_sshd "$T/remote"
start_xvfb 1024x768
cat >"$T/ssh-wrap" <<SSH
#!/bin/sh
echo "\$*" >>"$T/ssh-runs"
exec $ssh_cmd "\$@"
SSH
chmod +x "$T/ssh-wrap"
cport=$(free_port)
"$TELLY" x --ssh "$T/ssh-wrap" --server "$TELLY" --direct-connect "127.0.0.1:$cport" "$dest" \
	-s xf -- xterm -T xfall -geometry 40x8+40+50 >"$T/x.out" 2>&1 &
pids="$pids $!"
xpid=$!
has_window() {
	kill -0 "$xpid" 2>/dev/null || fail "telly x ended: $(cat "$T/x.out")"
	xwininfo -root -tree | grep -q '"xfall"'
}
wait_until 30 has_window
[ "$(grep -c 'going over ssh' "$T/x.out")" = 1 ] || fail "not said once: $(cat "$T/x.out")"
grep -q "^telly x: no direct connection (.*Connection refused); going over ssh$" "$T/x.out" ||
	fail "why is not said: $(cat "$T/x.out")"
[ "$(grep -c 'serve --direct-key' "$T/ssh-runs")" = 1 ] ||
	fail "secrets asked for: $(grep -c 'serve --direct-key' "$T/ssh-runs")"
[ "$(grep -c 'serve --stdio' "$T/ssh-runs")" = 2 ] || fail "ssh runs: $(cat "$T/ssh-runs")"
echo "telly x falls back once, the view over ssh: ok"
