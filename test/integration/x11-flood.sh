#!/bin/sh
# A program that floods updates while one of its two desks has stopped
# reading (a probe stopped with SIGSTOP): the daemon's memory stays
# bounded (nothing piles up for the stopped desk: at most a few updates
# go unacknowledged, then it is skipped), the other desk is drawn all
# along, and once the stopped desk reads again it gets the window as it
# is now (a keyframe), not a backlog: both pictures equal the window's own
# xwd dump.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwd
XPROBE=$B/test/xprobe
SOCK=$TELLY_DIR/serve.sock
RSS_GROWTH_MAX_KB=65536

# (the gate first: the program opens it as it starts, and telly new
# returns once its display is up)
mkfifo "$T/go"
"$TELLY" new --x11 -s x -- xterm -T flood -geometry 160x50 -e sh -c \
	"read go <'$T/go'; i=0; while [ \$i -lt 100000 ]; do echo \"flood line \$i of many words\"; i=\$((i+1)); done; echo done >'$T/done'; exec sleep 1000" \
	>/dev/null || fail "telly new --x11"
mkdir -p "$T/p"
mkfifo "$T/p/cmd"
"$XPROBE" "$SOCK" x "$T/p" <"$T/p/cmd" >"$T/p/out" 2>"$T/p/err" &
probe_pid=$!
pids="$pids $probe_pid"
exec 3>"$T/p/cmd"
# The desk that keeps reading.
mkdir -p "$T/q"
mkfifo "$T/q/cmd"
"$XPROBE" "$SOCK" x "$T/q" <"$T/q/cmd" >"$T/q/out" 2>"$T/q/err" &
pids="$pids $!"
exec 4>"$T/q/cmd"
has_win() { grep -q " flood$" "$T/p/windows" 2>/dev/null; }
wait_until 20 has_win
id=$(grep " flood$" "$T/p/windows" | cut -d' ' -f1)
updates() { grep " flood$" "$T/p/windows" | cut -d' ' -f7; }
drawn() { [ "$(updates)" -ge 1 ] 2>/dev/null; } # (counted anew at each try)
wait_until 20 drawn

dpid=$(daemon_pid)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$dpid/status"; }
before=$(rss)
kill -STOP "$probe_pid"
echo go >"$T/go"
max=$before
end=$(( $(date +%s) + 120 ))
while [ ! -e "$T/done" ]; do
	[ "$(date +%s)" -le "$end" ] || fail "the flood did not end within 120 s"
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
	kill -0 "$dpid" 2>/dev/null || fail "the daemon died"
	sleep 0.1
done
r=$(rss)
[ "$r" -gt "$max" ] && max=$r
echo "daemon RSS: $before kB before, at most $max kB during the flood"
[ $((max - before)) -le $RSS_GROWTH_MAX_KB ] ||
	fail "the daemon grew by $((max - before)) kB (more than $RSS_GROWTH_MAX_KB) for a stopped desk"

# Reading again: the picture as it is now.
kill -CONT "$probe_pid"
dpy=$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\).*/\1/p')
xauth=$TELLY_DIR/x11-x.auth
q_updates=$(grep " flood$" "$T/q/windows" | cut -d' ' -f7)
[ "$q_updates" -gt 5 ] || fail "the desk that kept reading got $q_updates updates during the flood"
wait_until 30 same_as_xwd "$T/p" "$id" 3
wait_until 30 same_as_xwd "$T/q" "$id" 4
echo "x11 flood: ok"
