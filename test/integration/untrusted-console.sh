#!/bin/sh
# A VM guest's console that prints REP with nothing before it and a CSI
# with 16 sub-parameters (libvterm 0.1.4 loops forever on the one and
# writes past its array on the other) leaves the console daemon
# answering, the console's screen showing what came after, and a viewer
# attached through it drawing on.
. test/integration/lib.sh "$1"

mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
cat >"$T/consoles.conf" <<EOF2
[guest]
backend = exec:printf 'x\\033[b\\033[::::::::::::::::2J'; i=0; while :; do i=\$((i+1)); printf '\\033[b after-bad %s\\r\\n' \$i; sleep 0.05; done
EOF2
"$TELLY" serve --consoles "$T/consoles.conf" 2>"$T/serve.err" &
pid=$!
pids="$pids $pid"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
wait_until 10 grep -q 'after-bad 3' "$LOG_DIR/logs/guest.log"
for i in 1 2 3; do
	out=$(timeout 5 "$TELLY" ls 2>&1) || fail "telly ls did not answer ($out)"
done
echo "$out" | grep -q '^guest:' || fail "the console is gone: $out"
tm_start g "exec $TELLY attach -r guest"
wait_for g 'after-bad'
n=$(screen g | sed -n 's/.*after-bad \([0-9]*\).*/\1/p' | tail -n 1)
wait_until 10 sh -c "screen_now=\$(tmux -L '$TMUX_SOCK' capture-pane -p -t t:g); echo \"\$screen_now\" | grep -q 'after-bad $((n + 5))'"
kill -0 "$pid" 2>/dev/null || fail "the daemon died"
echo "untrusted console output: ok"
