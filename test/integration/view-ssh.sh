#!/bin/sh
# telly view user@host through the real OpenSSH client to a real sshd:
# the host's sessions (in the ssh side's runtime directory) are the
# windows; typing reaches them; a new terminal (ctrl+shift+Return) is
# created on that host; a session ended there leaves the view.
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
# The daemon starts here, so a new terminal runs this $SHELL with this PS1.
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state SHELL=/bin/sh PS1='new> ' "$TELLY" new -s far -- env PS1='far> ' sh ||
	fail "new on the remote side"
cat >"$T/in" <<EOT
wait "far>"
type "echo \$TELLY_DIR; echo X\$((20+22))\n"
wait "X42"
key ctrl+shift+Return
wait "new>"
screenshot $T/shot.png
EOT
"$TELLY" view --headless --ssh "$ssh_cmd" --server "$TELLY" --input "$T/in" "$dest" \
	>"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
grep -q "^window far " "$T/legend" || fail "far is not a window"
[ "$(grep -c '^window ' "$T/legend")" -eq 2 ] || fail "the new terminal is not a second window"
grep -q "$T/remote" "$T/remote.state/telly/logs/far.log" || fail "the keys did not reach the ssh side's session"
[ "$(TELLY_DIR=$T/remote "$TELLY" ls | wc -l)" -eq 2 ] || fail "no new session on the ssh side"
"$TELLY" ls 2>/dev/null | grep -q . && fail "sessions on the local daemon"
echo "view over ssh: ok"
