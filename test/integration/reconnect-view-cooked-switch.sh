#!/bin/sh
# reconnect-cooked-switch.sh for telly view (headless, its keyboard on
# --key-fd, its repaints on --paint-fd): the link lost in the middle of
# a switch to canonical mode, through
#   view -> cut-proxy A -> delay-proxy (300 ms each way) -> cut-proxy B -> daemon.
# A program goes canonical 300 ms after it says "now" and reads a line,
# twice. Keys typed once "now" shows leave the desk raw and reach the
# host after the switch; the host lets them go.
#  1. The link is cut at A while the marked TERMIOS is on its way to the
#     desk: once resumed, the keys are typed again, echoed once, and the
#     program reads "hello" (a backspace typed with them erasing).
#  2. The link is cut at B once the desk echoed the keys (it had the
#     TERMIOS): its TERMIOS_SEEN and echo are lost on their way; the
#     line's end is typed while the link is down; the program reads
#     "world" once.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve
bport=$(free_port)
dport=$(free_port)
aport=$(free_port)
cut_start() { # NAME LISTEN TARGET: cut-proxy NAME, its control fifo $T/ctl.NAME
	mkfifo "$T/ctl.$1"
	"$B/test/cut-proxy" "$2" "$3" "$T/ctl.$1" >"$T/proxy.$1" 2>&1 &
	pids="$pids $!"
	wait_until 10 grep -q '^ready' "$T/proxy.$1"
}
cut_at() { # NAME: the links through NAME reset (done once it says so)
	cn=$(grep -c '^cut' "$T/proxy.$1")
	echo cut >"$T/ctl.$1"
	wait_until 10 sh -c "[ \$(grep -c '^cut' $T/proxy.$1) -gt $cn ]"
}
cut_start B "$bport" "$port"
"$B/bin/delay-proxy" tcp "$dport" "$bport" 300 "$T/count" &
pids="$pids $!"
cut_start A "$aport" "$dport"
late_program
"$TELLY" new -s c1 -- python3 "$T/late.py" 2 >/dev/null || fail "new"
mkdir "$T/rec"
mkfifo "$T/keys"
TELLY_COOK_MAX_MS=30000 "$TELLY" view --headless --tcp 127.0.0.1:$aport --token-file "$TELLY_DIR/token" \
	--record "$T/rec" --key-fd 3 --paint-fd 4 3<"$T/keys" 4>"$T/paint" 2>"$T/err" &
view=$!
pids="$pids $view"
exec 7>"$T/keys"
painted() { grep -qxF -- "$1" "$T/paint"; }
key() { echo "$1" >&7; }
show() { echo "--- repaints:"; tail -n 30 "$T/paint"; cat "$T/err"; }
resumed() { grep -c 'resumed its channel on c1 (exact' "$T/serve.err"; }
more_resumed() { [ "$(resumed)" -gt "$1" ]; }
up() { cut -d' ' -f1 "$T/count" 2>/dev/null || echo 0; }
grew() { [ "$(up)" -gt "$1" ]; }
# await SECONDS WHAT CMD...: until CMD succeeds, else the repaints shown and WHAT said.
await() {
	aw_end=$(( $(date +%s) + $1 )); aw_what=$2; shift 2
	until "$@"; do
		[ "$(date +%s)" -le "$aw_end" ] || { show; fail "$aw_what"; }
		sleep 0.02
	done
}
# given WORD: the window was given WORD's keys once, and the program's
# answer: WORD twice in what it received ("hell": the echo of hellx, a
# backspace and o has no "hello" in it).
given() { [ "$(grep -ao "$1" "$T/rec/c1" | wc -l)" -eq 2 ]; }

# 1.
await 30 "no ready1" painted ready1
key 'type "g"'
await 30 "no now1" painted now1
n=$(resumed)
u=$(up)
key 'type "hellx"'
key 'key BackSpace'
key 'type "o"'
key 'key Return'
await 10 "the keys did not leave" grew "$u"
cut_at A
await 30 "no resume" more_resumed "$n"
await 30 "the program did not read [hello]" painted "[hello]"
await 10 "hello not given once and answered: $(grep -ao hell "$T/rec/c1" | wc -l)" given hell

# 2.
await 30 "no ready2" painted ready2
key 'type "g"'
await 30 "no now2" painted now2
n=$(resumed)
key 'type "world"'
await 30 "world not echoed" painted world
cut_at B
key 'key Return'
await 30 "no resume" more_resumed "$n"
await 30 "the program did not read [world]" painted "[world]"
await 10 "world not given once and answered: $(grep -ao world "$T/rec/c1" | wc -l)" given world
kill -0 $view 2>/dev/null || fail "view ended: $(cat "$T/err")"
echo "reconnect-view-cooked-switch: ok"
