#!/bin/sh
# The runtime directory survives the user's logout: it is not under
# $XDG_RUNTIME_DIR, which logind removes (/run/user/UID) at the last
# logout, but /tmp/telly-UID (here under $TELLY_TMPDIR, as tmux's
# TMUX_TMPDIR). And when the runtime directory itself is removed under a
# live daemon (a /tmp cleaner, rm -rf), the daemon makes it and its socket
# again: telly ls then lists the sessions that daemon kept, and serve.log
# says what happened.
. test/integration/lib.sh "$1"
uid=$(id -u)
export TELLY_DIR=  # empty: not set, for telly
export TELLY_TMPDIR=$T/tmp XDG_RUNTIME_DIR=$T/xdg
mkdir -m 700 "$TELLY_TMPDIR" "$XDG_RUNTIME_DIR"
R=$TELLY_TMPDIR/telly-$uid
dirs="$dirs $R"

"$TELLY" new -s kept -- sh -c 'echo kept-output; exec sleep 1000' >/dev/null || fail "telly new"
[ -S "$R/serve.sock" ] || fail "no socket at $R/serve.sock: $(ls -R "$T" | head -n 30)"
[ "$(stat -c %a "$R")" = 700 ] || fail "$R is mode $(stat -c %a "$R")"
pid=$(TELLY_DIR=$R daemon_pid)
[ -n "$pid" ] || fail "no daemon pid in $R/serve.log"

# logind at the last logout: /run/user/UID goes, with whatever is in it.
rm -rf "$XDG_RUNTIME_DIR"
"$TELLY" ls >"$T/ls" 2>&1 || fail "telly ls after \$XDG_RUNTIME_DIR was removed: $(cat "$T/ls")"
grep -q '^kept: ' "$T/ls" || fail "telly ls does not list the session: $(cat "$T/ls")"
echo "\$XDG_RUNTIME_DIR removed: the daemon is still reached: ok"

# The runtime directory itself removed: made again by the daemon.
rm -rf "$R"
wait_until 20 test -S "$R/serve.sock"
"$TELLY" ls >"$T/ls" 2>&1 || fail "telly ls after $R was removed: $(cat "$T/ls")"
grep -q '^kept: ' "$T/ls" || fail "telly ls does not list the kept session: $(cat "$T/ls")"
[ "$(stat -c %a "$R")" = 700 ] || fail "$R made again with mode $(stat -c %a "$R")"
grep -q "runtime directory $R was removed: made again" "$R/serve.log" ||
	fail "serve.log does not say the directory was made again: $(cat "$R/serve.log")"
[ "$(TELLY_DIR=$R daemon_pid)" = "$pid" ] || fail "another daemon answers now"
# Made again once, not over and over.
"$TELLY" new -s second -- sleep 1000 >/dev/null || fail "telly new after the directory was made again"
[ "$(grep -c 'was removed: made again' "$R/serve.log")" = 1 ] || fail "made again more than once"
echo "the runtime directory removed under a live daemon: made again, sessions kept: ok"

# A daemon serving a console, its runtime directory removed: the socket,
# the TCP token and the console's pty link are made again.
export TELLY_DIR=$T/run-c
dirs="$dirs $TELLY_DIR"
mkdir -m 700 "$TELLY_DIR"
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port --console 'c1=exec:echo c1-ready; exec cat' \
	2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 grep -qs 'serving on' "$TELLY_DIR/serve.log"
pty=$(readlink "$TELLY_DIR/consoles/c1") || fail "no pty link for c1"
token=$(cat "$TELLY_DIR/token")
rm -rf "$TELLY_DIR"
wait_until 20 test -S "$TELLY_DIR/serve.sock"
wait_until 10 test -L "$TELLY_DIR/consoles/c1"
[ "$(readlink "$TELLY_DIR/consoles/c1")" = "$pty" ] || fail "c1's link points elsewhere now"
[ "$(cat "$TELLY_DIR/token" 2>/dev/null)" = "$token" ] || fail "the TCP token was not written again"
"$TELLY" ls | grep -q '^c1: ' || fail "telly ls does not list the console"
grep -q 'was removed: made again' "$TELLY_DIR/serve.log" || fail "serve.log (standard error) does not say so"
echo "a console's daemon: socket, token and pty link made again: ok"
