#!/bin/sh
# Flow control: a viewer that stops reading (its terminal stopped) while
# the program floods output costs the daemon bounded memory and does not
# slow another viewer; when it reads again it gets the current screen,
# also when the program has gone quiet meanwhile (nothing more to send
# would otherwise wake the connection up).
. test/integration/lib.sh "$1"

"$TELLY" new -s flood -- sh -c 'i=0; while [ ! -e '"$T"'/quiet ]; do i=$((i+1)); echo "n=$i ................................................................"; done; echo FLOOD-DONE; exec sleep 600' >/dev/null
tm_start slow "exec $TELLY attach flood"
tm_start fast "exec $TELLY attach flood"
wait_for slow 'n='
wait_for fast 'n='
slow_pid=$(tm list-panes -t t:slow -F '#{pane_pid}')
kill -STOP "$slow_pid"

last() { screen "$1" | sed -n 's/^n=\([0-9]*\) .*/\1/p' | tail -n 1; }
# Enough output that an unbounded queue would hold far more than the bound.
a=$(last fast)
wait_until 60 sh -c "[ \$(tmux -L $TMUX_SOCK capture-pane -p -t t:fast | sed -n 's/^n=\([0-9]*\) .*/\1/p' | tail -n 1) -gt $((a + 200000)) ]"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$(daemon_pid)/status")
echo "daemon RSS with a stopped viewer after 200000 lines (~14 MB): ${rss} kB"
[ "$rss" -lt 40000 ] || fail "daemon RSS ${rss} kB: the stopped viewer's backlog is not bounded"

touch "$T/quiet"
wait_for fast FLOOD-DONE
kill -CONT "$slow_pid"
wait_for slow FLOOD-DONE
echo "slow viewer: bounded, others unaffected, caught up by snapshot after the program went quiet: ok"
