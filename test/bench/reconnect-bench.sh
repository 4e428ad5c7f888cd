#!/bin/sh
# make bench, the link: how soon typing works again after a lost link
# returns (test/bench/reconnect-bench.c), through test/integration/cut-proxy
# and, for a round trip, test/bench/delay-proxy behind it: DROPS drops at
# each added round trip; through telly attach and telly view (headless,
# its keyboard on --key-fd, the key's echo awaited in its repaints on
# --paint-fd); over TCP, over ssh (a real sshd on 127.0.0.1, ssh run
# again in batch mode) and direct (ssh once for a secret, then TCP to the
# daemon's own listener, redialed without ssh: the proxies sit in front
# of that listener); with the program quiet but for its echo and with
# output flowing (FLOW 1: numbered lines, 50 a second: a key's echo
# stays on a view's 24 rows long enough to be painted). In ms and in
# round trips, against the bound the issue sets (4 round trips plus
# 300 ms). Each run also checks what the issue asks of the drops: the
# program got every key once, in order, and the desk every line of
# output once (the last, perhaps cut by the end, aside).
#
#   DROPS=100 RTTS="0 100" CLIENTS="attach view" VIA="tcp ssh direct" FLOW="0 1" \
#       sh test/bench/reconnect-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
DROPS=${DROPS:-100}
RTTS=${RTTS:-0 100}
CLIENTS=${CLIENTS:-attach view}
VIA=${VIA:-tcp ssh direct}
FLOW=${FLOW:-0 1}
cat >"$T/rb.sh" <<'PROG'
stty raw -echo
echo READY
if [ "$2" = 1 ]; then
	i=0
	while [ ! -e "$1.go" ]; do sleep 0.01; done
	while :; do
		printf 'line %d\r\n' $i # raw: no CR added, and a view's rows must not wrap a key
		i=$((i + 1))
		sleep 0.02
	done &
fi
# Each key kept in $1 as it comes; "got kN." said at once, in one write,
# for each key ending in "." (a view types a key a frame: echoed one by
# one, output could come between them).
exec perl -e '$| = 1; open(my $f, ">>", $ARGV[0]) or die; $f->autoflush(1); my $t = "";
	while (sysread(STDIN, my $b, 4096)) { print $f $b;
		for my $c (split //, $b) { $t .= $c; if ($c eq ".") { print "got $t\r\n"; $t = ""; } } }' "$1"
PROG
bad=0
n=0
# tl SUBCOMMAND ARGS...: telly SUBCOMMAND on the host $via reaches, not
# through the proxies.
tl() {
	tl_sub=$1
	shift
	if [ "$via" = tcp ]; then
		"$TELLY" "$tl_sub" --tcp 127.0.0.1:$port --token-file "$TELLY_DIR/token" "$@"
	else
		TELLY_DIR=$T/remote "$TELLY" "$tl_sub" "$@"
	fi
}
echo "reconnect: time from the link's return to a key typed meanwhile shown ($DROPS drops each)"
for via in $VIA; do
	if [ "$via" != tcp ]; then
		command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || { echo "$via: no sshd, skipped"; continue; }
		if [ -z "$dirs" ]; then
			dirs="$T/remote"
			start_sshd "$T/remote"
		fi
		target0=$ssh_port
		[ "$via" = direct ] && target0=$(free_port) # the daemon's direct listener
	else
		port=$(free_port)
		"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
		pids="$pids $!"
		wait_until 10 test -s "$TELLY_DIR/token"
		target0=$port
	fi
	for client in $CLIENTS; do
		for flow in $FLOW; do
			for rtt in $RTTS; do
				n=$((n + 1))
				target=$target0
				if [ "$rtt" != 0 ]; then
					target=$(free_port)
					"$B/bin/delay-proxy" tcp "$target" "$target0" $((rtt / 2)) &
					pids="$pids $!"
				fi
				pport=$(free_port)
				rm -f "$T/ctl"
				mkfifo "$T/ctl"
				"$B/test/cut-proxy" "$pport" "$target" "$T/ctl" >"$T/proxy$n.log" 2>&1 &
				pids="$pids $!"
				wait_until 10 grep -q '^ready' "$T/proxy$n.log"
				if [ "$via" = ssh ]; then
					set -- --no-direct --ssh "ssh $ssh_opts -p $pport" --server "$TELLY" "$dest"
				elif [ "$via" = direct ]; then
					set -- --ssh "$ssh_cmd" --server "$TELLY" --direct \
						--direct-bind "127.0.0.1:$target0" --direct-connect "127.0.0.1:$pport" "$dest"
				else
					set -- --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token"
				fi
				# This run's session made before the last one goes (the
				# daemon stays), and the only one a view shows.
				tl new -s "rb$n" -- sh "$T/rb.sh" "$T/keys$n" "$flow" >/dev/null || fail "telly new rb$n"
				if [ $n -gt 1 ]; then
					tl kill "rb$((n - 1))" >/dev/null 2>&1
					end=$(( $(date +%s) + 10 ))
					while tl ls 2>/dev/null | grep -q "^rb$((n - 1))\b" && [ "$(date +%s)" -le "$end" ]; do
						sleep 0.05
					done
				fi
				echo "-- $client over $via, $([ "$flow" = 1 ] && echo "output flowing" || echo "only the echo"):"
				rm -rf "$T/rec"
				mkdir "$T/rec"
				if [ "$client" = view ]; then
					"$B/bin/reconnect-bench" --go "$T/keys$n.go" --view "$T/ctl" "$T/proxy$n.log" "$DROPS" "$rtt" -- \
						"$TELLY" view --headless --predict=never --record "$T/rec" \
						--key-fd 0 --paint-fd 1 "$@" 2>"$T/client$n.err"
				else
					"$B/bin/reconnect-bench" --save "$T/rec/rb$n" --go "$T/keys$n.go" "$T/ctl" "$T/proxy$n.log" "$DROPS" "$rtt" -- \
						"$TELLY" attach -e none --predict=never "$@" "rb$n" 2>"$T/client$n.err"
				fi || { echo "   at $rtt ms: $(tail -n 3 "$T/client$n.err")"; bad=1; }
				# The program got every key once, in order (kept before
				# the answer the bench awaited; a moment to land).
				expect=$(seq 1 "$DROPS" | sed 's/.*/k&./' | tr -d '\n')
				end=$(( $(date +%s) + 5 ))
				until [ "$(cat "$T/keys$n" 2>/dev/null)" = "$expect" ] || [ "$(date +%s)" -gt "$end" ]; do
					sleep 0.1
				done
				if [ "$(cat "$T/keys$n" 2>/dev/null)" = "$expect" ]; then
					said="every key once (${#expect} bytes)"
				else
					said="KEYS LOST OR DOUBLED: $(cat "$T/keys$n" 2>/dev/null | wc -c) bytes of ${#expect}"
					bad=1
				fi
				# The desk got every line once, in order (the last, perhaps
				# cut by the end, aside; attach's status line taken out).
				if [ "$flow" = 1 ]; then
					cp "$T/rec/rb$n" "$T/out"
					out_clean | grep -ao 'line [0-9]*' | sed '$d' >"$T/lines"
					lines=$(wc -l <"$T/lines")
					if [ "$lines" -gt 0 ] && seq 0 $((lines - 1)) | sed 's/^/line /' | cmp -s - "$T/lines"; then
						said="$said, every line of output once ($lines)"
					else
						said="$said, OUTPUT LOST OR DOUBLED in $lines lines"
						bad=1
					fi
				fi
				echo "   $said"
			done
		done
	done
done
exit $bad
