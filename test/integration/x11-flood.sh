#!/bin/sh
# A program that floods updates while one of its two desks has stopped
# reading (a probe stopped with SIGSTOP): the daemon's memory stays
# bounded (nothing piles up for the stopped desk: at most a few updates
# go unacknowledged, then it is skipped), the other desk is drawn all
# along, and once the stopped desk reads again it gets the window as it
# is now (a keyframe), not a backlog: both pictures equal the window's own
# xwd dump. Then the same with pixels that barely compress (video, 96 MiB
# of it sent to the desk that reads): the daemon grows by a sixth of that
# at most (with the stopped desk's bounds taken out, it grew by 58 MiB).
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xwd
# Under ASan the daemon keeps what it freed for a while (its quarantine,
# 256 MiB): its RSS would count every update it sent and let go.
export ASAN_OPTIONS="quarantine_size_mb=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
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
# watch_rss DONE WHY: the daemon's RSS sampled from $before until DONE
# holds (within 120 s, else fail WHY); the most in max.
watch_rss() {
	max=$before
	end=$(( $(date +%s) + 120 ))
	until "$1"; do
		[ "$(date +%s)" -le "$end" ] || fail "$2"
		r=$(rss)
		[ "$r" -gt "$max" ] && max=$r
		kill -0 "$dpid" 2>/dev/null || fail "the daemon died"
		sleep 0.1
	done
	r=$(rss)
	[ "$r" -gt "$max" ] && max=$r
}
flood_done() { [ -e "$T/done" ]; }
before=$(rss)
kill -STOP "$probe_pid"
echo go >"$T/go"
watch_rss flood_done "the flood did not end within 120 s"
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
echo "a terminal's flood: ok"

# Pixels that barely compress: a window playing "video" (xanim, lossless
# here) while one desk is stopped, until the desk that reads has been
# sent PIXEL_BYTES of it. Were the stopped desk's updates kept for it,
# the daemon would grow by about as much; it grows by less than a
# sixth of it. (The terminal's flood above is 2-3 s of jump scrolling:
# a few hundred kB a desk, which no bound is needed to keep under
# RSS_GROWTH_MAX_KB.)
PIXEL_BYTES=$((96 << 20))
"$TELLY" new --x11 -s v -- "$B/test/xanim" "$T/stop" >/dev/null || fail "telly new --x11 (xanim)"
xprobe_start "$T/vs" v
vs_pid=$xprobe_pid
exec 5>"$T/vs/cmd"
xprobe_start "$T/vr" v
exec 6>"$T/vr/cmd"
wait_until 20 grep -q " anim playing$" "$T/vs/windows"
wait_until 20 grep -q " anim playing$" "$T/vr/windows"
sent() { cat "$T/vr/pixel-bytes" 2>/dev/null || echo 0; }
video_sent() { [ $(( $(sent) - start )) -ge $PIXEL_BYTES ]; }
before=$(rss)
kill -STOP "$vs_pid"
start=$(sent)
watch_rss video_sent "the reading desk was not sent $PIXEL_BYTES bytes of video within 120 s"
kill -CONT "$vs_pid"
touch "$T/stop"
got_kb=$(( ($(sent) - start) >> 10 ))
echo "daemon RSS: $before kB before, at most $max kB while the reading desk got $got_kb kB of video"
[ $((max - before)) -le $((got_kb / 6)) ] ||
	fail "the daemon grew by $((max - before)) kB for a stopped desk while another got $got_kb kB"
wait_until 20 grep -q " anim still$" "$T/vs/windows"
vid=$(sed -n 's/^\(0x[0-9a-f]*\) .* anim still$/\1/p' "$T/vs/windows")
dpy=$("$TELLY" ls | awk '$1 == "v:" {v = 1; next} v && /^  display :/ {print substr($2, 1, length($2) - 1); exit}')
xauth=$TELLY_DIR/x11-v.auth
wait_until 30 same_as_xwd "$T/vs" "$vid" 5
echo "video's flood: ok"
echo "x11 flood: ok"
