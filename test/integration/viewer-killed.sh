#!/bin/sh
# A viewer killed in the middle of heavy output: the session and the
# daemon live on, and a new viewer sees the output still coming.
. test/integration/lib.sh "$1"

"$TELLY" new -s flood -- sh -c 'i=0; while :; do i=$((i+1)); echo "n=$i"; done' >/dev/null
tm_start w1 "exec $TELLY attach flood"
wait_for w1 'n='
kill -9 "$(tm list-panes -t t:w1 -F '#{pane_pid}')"
"$TELLY" ls | grep -q '^flood: ' || fail "the session is gone: $("$TELLY" ls)"
kill -0 "$(daemon_pid)" || fail "the daemon died"

last() { screen w2 | sed -n 's/^n=\([0-9]*\)$/\1/p' | tail -n 1; }
tm_start w2 "exec $TELLY attach flood"
wait_for w2 'n='
a=$(last)
wait_until 10 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:w2 | sed -n 's/^n=\([0-9]*\)\$/\1/p' | tail -n 1) -gt ${a:-0} ]"
echo "viewer killed mid-output, session lives: ok"
