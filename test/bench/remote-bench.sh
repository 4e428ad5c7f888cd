#!/bin/sh
# make bench, remote part: keystroke-to-echo (typometer, 200 keys to `cat`)
# through telly attach, ssh and mosh with a user-space delay proxy adding
# 0 ms and 100 ms of round trip, and the time to drain `cat` of a 100 MB
# file through telly attach, ssh and tmux. Prints a table; draws
# build/bench/remote.png with gnuplot.
#
# The echo rows run ECHO_ROUNDS times, interleaved (this machine is shared
# and noisy): each row prints the median of its rounds' p50 and of their
# p99, and its ratio to ssh's at the same delay and mode; "kernel pty" is
# the program on typometer's own pty, no client at all (the floor).
# BASE_TELLY=PATH adds raw rows of another telly binary (a build before
# a change), interleaved with the rest: its attach over ssh to a daemon of
# its own (its own runtime directory on the ssh side, started by its own
# `serve --stdio`), so a change to either end shows.
#
# The rows "(over ssh)" are telly attach --no-direct DEST: the key goes
# through ssh and sshd, as with ssh -tt. "telly attach raw (direct,
# default)" is telly attach DEST as a person types it (ssh once for a
# secret, then sealed TCP to the daemon), told only where to bind and
# connect (--direct-bind, --direct-connect) so that it crosses its own
# delay proxy: a connection straight to the daemon's port would skip the
# delay. "telly attach raw (tcp, plaintext)" reaches the same daemon
# with --tcp and its token, behind its own delay proxy too.
#
# ECHO_ROWS=raw runs only the raw rows (over ssh: telly's, ssh's and the
# base's; direct, the default; on this host: telly's and the base's,
# attach and a daemon with no ssh between them): an A/B of a change to
# the keystroke path in a few minutes.
#
#   KEYS=200 ECHO_ROUNDS=5 DELAYS="0 100" DRAIN_MB=100 PARTS="echo drain" \
#   ECHO_ROWS=all sh test/bench/remote-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
KEYS=${KEYS:-200}
ECHO_ROUNDS=${ECHO_ROUNDS:-5}
DELAYS=${DELAYS:-0 100}
PARTS=${PARTS:-echo drain}
ECHO_ROWS=${ECHO_ROWS:-all}
want() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
DRAIN_MB=${DRAIN_MB:-100}
TYPO=$B/bin/typometer
PROXY=$B/bin/delay-proxy
out=$B/bench
mkdir -p "$out"
export LANG=C.UTF-8

dirs="$T/remote $T/base $T/base-local"
start_sshd "$T/remote"
tport=$((ssh_port + 1))
"$PROXY" tcp $tport $ssh_port 0 & pids="$pids $!"
# The 100 ms proxies say how late they sent each chunk (COUNT_FILE.late;
# not the 0 ms ones, which the drains cross: 1-2 µs there).
"$PROXY" tcp $((tport + 1)) $ssh_port 50 "$T/proxy-ssh" & pids="$pids $!"
ssh_via() { echo "ssh $ssh_opts -p $1"; }   # through a proxy port
wait_until 10 sh -c "$(ssh_via $tport) $dest true 2>/dev/null"
# The same daemon also on TCP (plaintext, a token) and on a fixed port for
# --direct (sealed), each behind its own delay proxies: telly's rows with
# as many processes as ssh's (desk -> daemon, as ssh -> sshd).
lport=$(free_port) dxport=$(free_port)
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config \
	"$TELLY" serve --listen 127.0.0.1:$lport 2>"$T/remote-serve.log" & pids="$pids $!"
wait_until 10 test -s "$T/remote/token"
# A session that stays, so the daemon (and its TCP listener) outlives the
# rows' sessions.
TELLY_DIR=$T/remote "$TELLY" new -s keep -- sleep 86400 >/dev/null || fail "the daemon's lasting session"
lp0=$(free_port) lp50=$(free_port)
"$PROXY" tcp $lp0 $lport 0 & pids="$pids $!"
"$PROXY" tcp $lp50 $lport 50 "$T/proxy-tcp" & pids="$pids $!"
dp0=$(free_port) dp50=$(free_port)
"$PROXY" tcp $dp0 $dxport 0 & pids="$pids $!"
"$PROXY" tcp $dp50 $dxport 50 "$T/proxy-direct" & pids="$pids $!"

# --no-direct for a telly that knows it (a base from before it may not:
# it went over ssh anyway).
no_direct() { "$1" attach --help 2>&1 | grep -q -- --no-direct && echo --no-direct; }
cat_prog="echo READY-FOR-KEYS; exec cat"
# Raw mode, the program echoing each key itself (an editor's case): here
# every key must cross the wire and back, for telly as for ssh.
raw_prog="stty raw -echo; echo READY-FOR-KEYS; exec dd bs=1 2>/dev/null"
# One round's figures of a row, kept for the medians (LABEL DELAY RESULT).
row() {
	set -- "$1" "$2" $3
	printf '%s|%s|%s|%s\n' "$1" "$2" "$4" "$5" >>"$rounds"
}

n=0
echo_telly() { # DELAY PROXYPORT [PROGRAM LABEL [TELLY]]
	n=$((n + 1))
	tb=${5:-$TELLY} rd=$T/remote
	# Another binary: on the ssh side, its own daemon (sshd's SetEnv
	# names $T/remote; the command's own words come after it).
	[ -n "${5:-}" ] && rd=$T/base
	srv="TELLY_DIR=$rd XDG_STATE_HOME=$rd.state XDG_CONFIG_HOME=$rd.config $tb"
	r=$("$TYPO" echo "$KEYS" -- "$tb" attach -e none $(no_direct "$tb") --ssh "$(ssh_via "$2")" \
		--server "$srv" "$dest" "echo$n" -- sh -c "${3:-$cat_prog}") || fail "telly at $1 ms"
	TELLY_DIR=$rd "$tb" kill "echo$n" >/dev/null 2>&1
	row "telly attach${4:-} (over ssh)" "$1" "$r"
}
echo_tcp() { # DELAY PROXYPORT: raw, plaintext TCP with the token
	n=$((n + 1))
	r=$("$TYPO" echo "$KEYS" -- "$TELLY" attach -e none --tcp 127.0.0.1:$2 \
		--token-file "$T/remote/token" "echo$n" -- sh -c "$raw_prog") || fail "telly tcp at $1 ms: $(tail -n 3 "$T/remote-serve.log")"
	TELLY_DIR=$T/remote "$TELLY" kill "echo$n" >/dev/null 2>&1
	row "telly attach raw (tcp, plaintext)" "$1" "$r"
}
direct_conns() { grep -c 'direct: a connection with the secret for port' "$T/remote-serve.log"; }
echo_direct() { # DELAY SSHPROXYPORT DIRECTPROXYPORT: raw, the default (direct, sealed)
	n=$((n + 1)) dn=$(direct_conns)
	r=$("$TYPO" echo "$KEYS" -- "$TELLY" attach -e none --ssh "$(ssh_via "$2")" --server "$TELLY" \
		--direct-bind 127.0.0.1:$dxport --direct-connect 127.0.0.1:$3 \
		"$dest" "echo$n" -- sh -c "$raw_prog") || fail "telly direct at $1 ms"
	# A fallback to ssh would measure another row under this name.
	[ "$(direct_conns)" -gt "$dn" ] || fail "telly direct at $1 ms went over ssh"
	TELLY_DIR=$T/remote "$TELLY" kill "echo$n" >/dev/null 2>&1
	row "telly attach raw (direct, default)" "$1" "$r"
}
echo_ssh() { # DELAY PROXYPORT [PROGRAM LABEL]
	r=$("$TYPO" echo "$KEYS" -- sh -c "exec $(ssh_via "$2") -tt $dest '${3:-$cat_prog}'") || fail "ssh at $1 ms"
	row "ssh${4:-}" "$1" "$r"
}
echo_mosh() { # DELAY: mosh-client through a UDP delay proxy to mosh-server
	mport=$((ssh_port + 10 + ${1%%.*} / 10))
	conn=$(mosh-server new -s -l LANG=C.UTF-8 -p $((mport + 1)) -- sh -c "$cat_prog" 2>/dev/null |
		sed -n 's/^MOSH CONNECT \([0-9]*\) \(.*\)$/\1 \2/p')
	[ -n "$conn" ] || fail "mosh-server did not start"
	set -- "$1" $conn
	"$PROXY" udp "$mport" "$2" $(( $1 / 2 )) & ppid=$!
	r=$(MOSH_KEY=$3 "$TYPO" echo "$KEYS" -- mosh-client 127.0.0.1 "$mport") || fail "mosh at $1 ms"
	kill "$ppid" 2>/dev/null
	pkill -f "mosh-server new -s -l LANG=C.UTF-8 -p $2" 2>/dev/null
	row "mosh" "$1" "$r"
}
echo_local() { # LABEL [TELLY]: raw, this host's daemon (no ssh: attach and the daemon alone)
	n=$((n + 1))
	tb=${2:-$TELLY} rd=$TELLY_DIR
	[ -n "${2:-}" ] && rd=$T/base-local
	r=$(TELLY_DIR=$rd "$TYPO" echo "$KEYS" -- "$tb" attach -e none "echo$n" -- sh -c "$raw_prog") ||
		fail "telly raw on this host"
	TELLY_DIR=$rd "$tb" kill "echo$n" >/dev/null 2>&1
	row "telly attach raw$1 (this host)" 0 "$r"
}
echo_pty() { # PROGRAM LABEL: on typometer's own pty, no client
	r=$("$TYPO" echo "$KEYS" -- sh -c "$1") || fail "kernel pty$2"
	row "kernel pty$2" 0 "$r"
}

results=$out/remote.dat
drates=$out/drain.dat
if want echo; then
: >"$results"
rounds=$out/echo-rounds.txt.$$
: >"$rounds"
echo "keystroke-to-echo, $KEYS keys to cat (typometer), delay proxy round trip;"
echo "median of $ECHO_ROUNDS interleaved rounds' p50 and p99:"
for i in $(seq "$ECHO_ROUNDS"); do
	if [ "$ECHO_ROWS" = all ]; then
		echo_pty "$cat_prog" ""
		echo_pty "$raw_prog" " raw"
		r=$("$TYPO" echo "$KEYS" -- "$TELLY" attach -e none local$i -- sh -c "$cat_prog") || fail "telly local"
		"$TELLY" kill local$i >/dev/null 2>&1
		row "telly attach (this host)" 0 "$r"
	fi
	echo_local ""
	if [ -n "${BASE_TELLY:-}" ]; then echo_local ", base" "$BASE_TELLY"; fi
	for d in $DELAYS; do
		port=$tport; [ $d = 100 ] && port=$((tport + 1))
		if [ "$ECHO_ROWS" = all ]; then
			echo_telly $d $port
			echo_ssh $d $port
			if command -v mosh-server >/dev/null; then echo_mosh $d; fi
		fi
		# The base first in odd rounds, last in even ones: neither
		# always follows the same row.
		if [ -n "${BASE_TELLY:-}" ] && [ $((i % 2)) = 1 ]; then
			echo_telly $d $port "$raw_prog" " raw, base" "$BASE_TELLY"
		fi
		echo_telly $d $port "$raw_prog" " raw"
		echo_ssh $d $port "$raw_prog" " raw"
		if [ -n "${BASE_TELLY:-}" ] && [ $((i % 2)) = 0 ]; then
			echo_telly $d $port "$raw_prog" " raw, base" "$BASE_TELLY"
		fi
		if [ $d = 100 ]; then echo_direct $d $port $dp50; else echo_direct $d $port $dp0; fi
		[ "$ECHO_ROWS" = all ] || continue
		if [ $d = 100 ]; then echo_tcp $d $lp50; else echo_tcp $d $lp0; fi
	done
done
# LABEL|DELAY|P50|P99 per round: each row's medians, in the order first run.
med() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
col() { awk -F'|' -v k="$1" -v c="$2" '$1 "|" $2 == k {print $c}' "$rounds"; }
awk -F'|' '!seen[$1 "|" $2]++ {print $1 "|" $2}' "$rounds" >"$rounds.keys"
while IFS= read -r k; do
	label=${k%|*} d=${k##*|}
	p50=$(col "$k" 3 | med) p99=$(col "$k" 4 | med) cnt=$(col "$k" 3 | wc -l)
	case $label in *" raw"*) ssh="ssh raw|$d" ;; *) ssh="ssh|$d" ;; esac
	s50=$(col "$ssh" 3 | med)
	ratio=$([ -n "$s50" ] && echo "$p50 $s50" | awk '$2 > 0 {printf "%5.2fx ssh", $1 / $2}')
	printf '%-34s %5s ms   p50 %9.1f us   p99 %9.1f us   %s (%d rounds)\n' "$label" "$d" "$p50" "$p99" \
		"$ratio" "$cnt"
	echo "\"$label\" $d $p50 $p99" >>"$results"
done <"$rounds.keys"
rm -f "$rounds.keys"
rm -f "$rounds"
# What the 100 ms rows' round trip held beyond 100 ms of the proxy's own
# (mosh's UDP proxy does not say).
for via in ssh tcp direct; do
	[ -f "$T/proxy-$via.late" ] && awk -v via="$via" '$2 > 0 { s = s sprintf("%s%s %d / %d", s == "" ? "" : ", ", $1, $3, $4) }
		END { if (s != "") printf "(the delay proxy of the 100 ms %s rows, its lateness against each chunk'"'"'s due time, p50 / p99 us: %s)\n", via, s }' \
		"$T/proxy-$via.late"
done
fi

if want drain; then
echo
echo "draining cat of a ${DRAIN_MB} MB file (80x24 terminal):"
big=$T/big.txt
# Text like a terminal's: C headers (source, varied line lengths, tabs),
# repeated to the size. lz4 shrinks it to about a third (a single
# repeated line would shrink to nothing and flatter compression).
find /usr/include -name '*.h' -type f | LC_ALL=C sort | head -n 3000 | xargs cat >"$T/corpus.txt"
[ -s "$T/corpus.txt" ] || fail "no C headers under /usr/include for the drain text"
: >"$big"
while [ "$(wc -c <"$big")" -lt $((DRAIN_MB * 1048576)) ]; do cat "$T/corpus.txt" >>"$big"; done
truncate -s $((DRAIN_MB * 1048576)) "$big"
# The program stays after the marker: tmux would close the pane before
# drawing its last screen.
drain_prog="echo READY-FOR-KEYS; read x; cat $big; echo END-OF-DRAIN; exec sleep 600"
: >"$drates"
# Each drain DRAIN_ROUNDS times, interleaved (this machine is shared and
# noisy): the median of each, and its ratio to ssh's.
DRAIN_ROUNDS=${DRAIN_ROUNDS:-5}
drain_once() { # KIND: prints seconds and the bytes the desk got
	case $1 in
	telly-ssh)
		r=$("$TYPO" drain -- "$TELLY" attach -e none --no-direct --ssh "$(ssh_via $tport)" \
			--server "$TELLY" "$dest" drain1 -- sh -c "$drain_prog") || fail "telly drain"
		TELLY_DIR=$T/remote "$TELLY" kill drain1 >/dev/null 2>&1 ;;
	telly-local)
		r=$("$TYPO" drain -- "$TELLY" attach -e none drain2 -- sh -c "$drain_prog") || fail "telly drain local"
		"$TELLY" kill drain2 >/dev/null 2>&1 ;;
	ssh)
		r=$("$TYPO" drain -- sh -c "exec $(ssh_via $tport) -tt $dest '$drain_prog'") || fail "ssh drain" ;;
	tmux)
		r=$("$TYPO" drain -- tmux -L "bench-$$" -f /dev/null new-session sh -c "$drain_prog") || fail "tmux drain"
		tmux -L "bench-$$" kill-server 2>/dev/null ;;
	esac
	set -- $r
	echo "$2 $3"
}
kinds="telly-ssh telly-local ssh tmux"
for i in $(seq "$DRAIN_ROUNDS"); do
	for k in $kinds; do
		# A round that failed (said on stderr) is left out of the median.
		if sec=$(drain_once $k) && [ -n "$sec" ]; then
			echo "$k $sec" >>"$out/drain-rounds.txt.$$"
		else
			echo "(round $i of $k failed; left out)"
		fi
	done
done
median() { awk -v k="$1" '$1 == k {print $2}' "$out/drain-rounds.txt.$$" | sort -n |
	awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
ssh_s=$(median ssh)
# The bytes each desk got, against ssh's (every byte): a telly desk that
# falls 1 MiB behind gets the screen instead of the backlog; tmux's client
# gets redraws, not the program's bytes.
all_bytes=$(awk '$1 == "ssh" && $3 > m {m = $3} END {print m + 0}' "$out/drain-rounds.txt.$$")
for k in $kinds; do
	sec=$(median $k)
	case $k in
	telly-ssh) label="telly attach (over ssh)" ;; telly-local) label="telly attach (this host)" ;;
	*) label=$k ;;
	esac
	mbs=$(echo "$DRAIN_MB $sec" | awk '{printf "%.1f", $1 / $2}')
	spread=$(awk -v k="$k" '$1 == k {print $2}' "$out/drain-rounds.txt.$$" | sort -n |
		awk '{a[NR] = $1} END {printf "median of %d, %.2f-%.2f s", NR, a[1], a[NR]}')
	case $k in
	tmux) got="" ;;
	*) got=$(awk -v k="$k" -v all="$all_bytes" '$1 == k && (n == 0 || $3 < m) {m = $3; n++}
		END {if (all > 0 && m >= all) print ", every byte"; else if (all > 0) printf ", %.0f%% of the bytes at least", 100 * m / all}' \
		"$out/drain-rounds.txt.$$") ;;
	esac
	printf '%-28s %7.2f s   %7s MB/s   %5.2fx ssh  (%s%s)\n' "$label" "$sec" "$mbs" \
		"$(echo "$ssh_s $sec" | awk '{print $1 / $2}')" "$spread" "$got"
	echo "\"$label\" $mbs" >>"$drates"
done
rm -f "$out/drain-rounds.txt.$$"
fi

if command -v gnuplot >/dev/null; then
	gnuplot <<GP 2>/dev/null && echo && echo "chart: $out/remote.png"
set terminal png size 1000,450
set output "$out/remote.png"
set multiplot layout 1,2 title "telly remote bench ($(date -u +%Y-%m-%d))"
set style data histogram
set style fill solid border -1
set logscale y
set ylabel "keystroke-to-echo p50 (us, log)"
set xtics rotate by -40 font ",8"
set bmargin 9
plot "$results" using 3:xtic(sprintf("%s, %d ms", strcol(1), \$2)) title "p50", \
     "" using 4 title "p99"
unset logscale y
set yrange [0:*]
set ylabel "drain MB/s"
plot "$drates" using 2:xtic(1) title "100 MB cat"
unset multiplot
GP
fi
