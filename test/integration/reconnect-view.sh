#!/bin/sh
# The link of telly view over TCP: the link cut (resets, refusals, a
# silent link) while keys are typed into one window and output flows in
# another. The view keeps running and its windows, says the link is down
# in the titles, keeps keys typed meanwhile, and resumes both channels
# each time: no key and no byte of output lost or doubled (each window's
# bytes as received: --record). reconnect-view-ssh.sh runs it over ssh
# (RV_VIA=ssh), without the X part.
. test/integration/lib.sh "$1"
command -v perl >/dev/null || { echo "no perl"; exit 77; }
via=${RV_VIA:-tcp}
if [ "$via" = ssh ]; then
	drops=${RECONNECT_VIEW_DROPS:-12}
	dirs="$T/remote"
	start_sshd "$T/remote"
	port=$ssh_port
	rlog=$T/remote/serve.log
else
	drops=${RECONNECT_VIEW_DROPS:-20}
	port=$(free_port)
	"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
	pids="$pids $!"
	wait_until 10 test -s "$TELLY_DIR/token"
	rlog=$T/serve.err
fi
pport=$(free_port)
mkfifo "$T/ctl"
"$B/test/cut-proxy" "$pport" "$port" "$T/ctl" >"$T/proxy.log" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q '^ready' "$T/proxy.log"
ctl() { echo "$1" >"$T/ctl"; }
resumed() { grep -c 'resumed its channel on .* (exact' "$rlog"; }
resumed_both() { [ "$(resumed)" -ge $(($1 + 2)) ]; }
resumed_or_gone() { resumed_both "$1" || ! kill -0 $vpid 2>/dev/null; }
keys_have() { grep -q -- "$1" "$T/keys" 2>/dev/null; }
# What the view said is the rest of the diagnosis when a wait times out.
lib_fail() { echo "FAIL: $*"; tail -n 20 "$rlog"; echo "--- view:"; tail -n 20 "$T/view.err"; exit 1; }
fail() { lib_fail "$@"; }
# telly SUBCOMMAND ARGS... through the proxy, by TCP or ssh.
tl() {
	sub=$1
	shift
	if [ "$via" = ssh ]; then
		"$TELLY" "$sub" --no-direct --ssh "ssh $ssh_opts -p $pport" --server "$TELLY" "$dest" "$@"
	else
		"$TELLY" "$sub" --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" "$@"
	fi
}

# Keys in raw mode, no echo, kept in a file as they come; each key ending
# in "." answered on the screen ("got k1.") for the script to wait for.
cat >"$T/keys.sh" <<'PROG'
stty raw -echo
printf '\033]2;keyswin\007'
echo ready
exec perl -e '$| = 1; open(my $f, ">>", $ARGV[0]) or die; $f->autoflush(1); my $t = "";
	while (sysread(STDIN, my $b, 4096)) { print $f $b;
		for my $c (split //, $b) { $t .= $c; if ($c eq ".") { print "got $t\r\n"; $t = ""; } } }' "$1/keys"
PROG
# Numbered lines until told to stop, then their count.
cat >"$T/out.sh" <<'PROG'
printf '\033]2;outwin\007'
while [ ! -e "$1/go" ]; do sleep 0.01; done
i=0
while [ ! -e "$1/stop" ]; do
	echo "line $i"
	i=$((i + 1))
	[ $((i % 20)) = 0 ] && sleep 0.005
done
echo "output done $i"
exec sleep 3600
PROG
tl new -s keys -- sh "$T/keys.sh" "$T" || fail "new keys"
tl new -s out -- sh "$T/out.sh" "$T" || fail "new out"
# An X session too, where xterm is: attached again after each drop, it
# takes keys at the end.
xpart=
if [ "$via" = tcp ] && command -v xterm >/dev/null; then
	xpart=1
	tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 \
		-e sh -c "while read l; do printf '%s\n' \"\$l\" >>$T/typed; done" || fail "new --x11"
	wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"
else
	echo "the X part is left out (over ssh, or no xterm)"
fi

# The view's script: a round per drop. Each fourth drop the link stays
# down (refused) until a key was typed while the title said so.
is_down() { [ $(($1 % 4)) = 0 ]; }
is_stall() { [ "$1" = 6 ] || [ "$1" = 15 ]; }
{
	echo 'wait-window "keyswin" 20'
	echo 'wait "ready" 20'
	i=0
	while [ $i -lt "$drops" ]; do
		i=$((i + 1))
		echo "type \"k$i.\""
		echo "wait \"got k$i.\" 30"
		if is_down $i; then
			echo 'wait-window "] keyswin" 30'
			echo "type \"d$i.\""
			echo "screenshot $T/shot$i.png"
			echo "wait \"got d$i.\" 30"
		else
			echo "type \"c$i.\""
			echo "wait \"got c$i.\" 30"
		fi
	done
	echo 'type "end."'
	echo 'wait "got end." 30'
	echo 'wait-window "outwin" 30'
	echo 'wait "output done" 60'
	if [ -n "$xpart" ]; then
		echo 'wait-window "xtest" 30'
		printf '%s\n' 'type "after-drops\n"'
		echo 'wait-update 30'
	fi
} >"$T/in"
mkdir "$T/rec"
tl view --headless --record "$T/rec" --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
rec_ready() { grep -q ready "$T/rec/keys" 2>/dev/null; }
wait_until 20 rec_ready
: >"$T/go"

expect=""
i=0
while [ $i -lt "$drops" ]; do
	i=$((i + 1))
	wait_until 30 keys_have "k$i\\." || fail "k$i. never arrived: $(cat "$T/view.err")"
	n=$(resumed)
	if is_down $i; then
		ctl down
		# The view typed d$i. while its title said the link is down.
		wait_until 30 test -e "$T/shot$i.png" || fail "no key typed while down ($i)"
		ctl up
		expect="${expect}k$i.d$i."
	elif is_stall $i; then
		ctl stall # only the heartbeat can tell
		expect="${expect}k$i.c$i."
	else
		ctl cut
		expect="${expect}k$i.c$i."
	fi
	wait_until 30 resumed_or_gone "$n"
	kill -0 $vpid 2>/dev/null || fail "the view ended after drop $i: $(cat "$T/view.err")"
done
expect="${expect}end."
wait_until 30 keys_have "end\\." || fail "end. never arrived"
: >"$T/stop"
wait "$vpid"
rc=$?
[ "$rc" = 0 ] || fail "the view failed ($rc): $(cat "$T/view.err")"
[ "$(cat "$T/keys")" = "$expect" ] || fail "keys: got '$(cat "$T/keys")', expected '$expect'"
# Keys typed while the link was down went behind their window's RESUME,
# in the redial's first flight (the host's log counts them).
grep -q ': [1-9][0-9]* frames came behind the RESUME of channel' "$rlog" ||
	fail "no key typed while the link was down went behind its RESUME"
grep -q 'the link is down (no answer from the server)' "$T/view.err" ||
	fail "the heartbeat never noticed a silent link"
count=$(sed -n 's/.*output done \([0-9]*\).*/\1/p' "$T/rec/out" | tail -n 1)
[ -n "$count" ] && [ "$count" -gt 0 ] || fail "no line count in what the out window received"
grep -ao 'line [0-9]*' "$T/rec/out" >"$T/lines"
seq 0 $((count - 1)) | sed 's/^/line /' >"$T/lines.want"
cmp -s "$T/lines" "$T/lines.want" || {
	diff "$T/lines.want" "$T/lines" | head -n 20
	fail "output lost or doubled: $(wc -l <"$T/lines") lines of $count"
}
grep -q 'resumed its channel on .* (redrawn' "$rlog" && fail "a resume was redrawn"
if [ -n "$xpart" ]; then
	wait_until 20 grep -q after-drops "$T/typed"
	n=$(grep -cE 'attached to xs|resumed its channel on X session xs' "$T/serve.err")
	[ "$n" -gt "$drops" ] || fail "the X session was attached $n times for $drops drops"
fi
echo "view over $via, $drops drops: $(printf %s "$expect" | wc -c) key bytes and $count lines, each once"
