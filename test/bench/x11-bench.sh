#!/bin/sh
# make bench, X11 part: the same X program (xterm running cat, and a GTK
# text entry, zenity --entry) shown on a desk X display (Xvfb) by each
# peer, side by side in one run on this machine, through the same delay
# proxy at 0 and 50 ms round trip:
#   straight   the program drawn on the desk display itself (the floor)
#   ssh -X     OpenSSH's X11 forwarding (client and sshd on 127.0.0.1)
#   xpra       xpra start on a host Xvfb, xpra attach on the desk
#              (default encoding, and --encoding=rgb; mmap off, as between
#              two machines)
#   vnc        x11vnc on a host Xvfb, xtigervncviewer on the desk
#   telly      telly x through ssh: telly's X session on the host, its
#              windows native windows of the desk (telly view --seamless)
#   telly-desk the same session inside telly view's own desktop window
#   telly-direct, telly-desk-direct  the same two with --direct: ssh
#              only to fetch a one-time secret, then TCP straight to the
#              daemon in sealed records, through a delay proxy of its own
#   (both once this tree has X sessions)
# Keystroke-to-pixel (xkey2pixel: a key injected with XTEST on the desk,
# timed until the desk's pixels change, and until its whole answer is
# drawn) p50/p99 and the ratio to ssh -X, and "beyond": p50 less the
# round trip and the delay proxy's own lateness both ways (its p50s, from
# its COUNT_FILE.late; said under the table for each delay), what the
# peer adds to the link, which the issue's target at 50 ms is about;
# a scrolling xterm (ticker: 1000 lines/s): frames per second on the
# desk, bytes on the wire per second and per frame (counted by the
# proxy), CPU time per frame on each side, memory (RSS) per window.
# Everything listens on 127.0.0.1 and is stopped at the end.
#
# X11_ROUNDS=N: every row measured N times, the rounds interleaved (each
# round goes through every row once, so a spell of load on this shared
# machine falls on all peers alike); the tables give each row's median
# and its rounds' p50s. The load average is said at each round's start.
#
# X11_HOST_SERVER=auto|xorg|xvfb: the X server of telly's X sessions on
# the host (the daemon's x-server; default auto: Xorg with the dummy
# driver when installed), to compare them in one sitting.
#
# BASE_TELLY=PATH: each telly peer is measured with that telly binary
# too (a build of the tree before a change), in the same rounds, as the
# row "..., base"; the host daemon is stopped after each telly peer, so
# that each row runs its own binary's.
#
# X11_STAGES=1: telly's peers run with --stats (the host then times each
# update: XTIMING), and where their keys' time went, stage by stage, is
# printed after the table (the desk's view of it: telly view --stats).
#
#   X11_KEYS=100 X11_SCROLL_S=5 X11_DELAYS="0 50" X11_STAGES=0 X11_ROUNDS=1 X11_HOST_SERVER=auto \
#   X11_PEERS="straight ssh xpra xpra-rgb vnc telly telly-desk telly-direct telly-desk-direct" \
#   X11_PROGS="xterm entry" X11_SCROLL_PEERS="(the same as X11_PEERS)" \
#   sh test/bench/x11-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
dirs="$T/remote" # the host daemon, reached through ssh, that cleanup stops
sh scripts/deps.sh --bench || exit 1
KEYS=${X11_KEYS:-100}
SCROLL_S=${X11_SCROLL_S:-5}
DELAYS=${X11_DELAYS:-0 50}
PEERS=${X11_PEERS:-straight ssh xpra xpra-rgb vnc telly telly-desk telly-direct telly-desk-direct}
PROGS=${X11_PROGS:-xterm entry}
SCROLL_PEERS=${X11_SCROLL_PEERS:-$PEERS}
STAGES=${X11_STAGES:-0}
ROUNDS=${X11_ROUNDS:-1}
HOST_SERVER=${X11_HOST_SERVER:-auto}
BASE=${BASE_TELLY:-}
with_base() { for p in "$@"; do echo "$p"; case $p in telly*) [ -n "$BASE" ] && echo "$p@base" ;; esac; done; }
case $HOST_SERVER in auto | xorg | xvfb) ;; *) echo "X11_HOST_SERVER=$HOST_SERVER: auto, xorg or xvfb" >&2; exit 2 ;; esac
X2P=$B/bin/xkey2pixel
PROXY=$B/bin/delay-proxy
HOST_SCREEN=800x600
out=$B/bench
mkdir -p "$out"
rm -f "$out"/x11-stages-*.txt
export LANG=C.UTF-8
# The desk's ssh -X writes its cookies here, not in the user's
# ~/.Xauthority (sshd's side, which OpenSSH does not let us move, does).
export XAUTHORITY=$T/Xauthority
: >"$XAUTHORITY"

# Processes this script starts per run (killed by id at its end); the
# cleanup of lib.sh kills whatever is left (every command names $T).
run_pids=""
x11_cleanup() {
	for p in $run_pids; do kill -9 "$p" 2>/dev/null; done
	cleanup
}
trap x11_cleanup EXIT INT TERM

start_xvfb 1280x1024
desk=$DISPLAY
unset DISPLAY

# A GTK entry whose cursor does not blink (a blink would be a change no
# key made) and without the accessibility bus.
mkdir -p "$T/xdg/gtk-3.0"
printf '[Settings]\ngtk-cursor-blink=false\n' >"$T/xdg/gtk-3.0/settings.ini"
prog_cmd() { # KIND TITLE: the program's command line
	case $1 in
	xterm) echo "xterm -title $2 -geometry 80x24+0+0 -e cat" ;;
	entry) echo "env NO_AT_BRIDGE=1 XDG_CONFIG_HOME=$T/xdg zenity --entry --title=$2 --text=type --width=400" ;;
	scroll) echo "xterm -title $2 -geometry 80x24+0+0 -e $B/bin/ticker 1" ;;
	esac
}
keys_opts() { # KIND: how lines are kept from filling
	case $1 in
	xterm) echo "--reset return --reset-every 50" ;;
	entry) echo "--reset backspace --reset-every 30" ;;
	esac
}

# PID...: those and all their descendants.
tree() {
	ps -e -o pid= -o ppid= | awk -v roots="$*" '
		BEGIN { n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1 }
		{ par[$1] = $2 }
		END {
			do { more = 0; for (p in par) if (!(p in keep) && (par[p] in keep)) { keep[p] = 1; more = 1 } } while (more)
			for (p in keep) if (p in par) print p
		}'
}
# The program's processes among PIDs (by name), or the others (-v).
progs() { # [-v] PID...
	v=""; [ "$1" = -v ] && { v=-v; shift; }
	for p in "$@"; do
		c=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		echo "$c" | grep -q -x $v -E 'xterm|zenity|cat|ticker' && echo "$p"
	done
}
rss_mb() { # PID...: their resident memory together
	for p in "$@"; do awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null; done |
		awk '{ s += $1 } END { printf "%.1f", s / 1024 }'
}
csv() { echo "$*" | tr ' ' ','; }

# The sshd of lib.sh, with X11 forwarding (bound to 127.0.0.1 only); a
# SIGHUP makes it read its configuration again, keeping its pid.
start_sshd "$T/remote"
# The host daemon's config (lib.sh's sshd gives it XDG_CONFIG_HOME=$T/remote.config).
mkdir -p "$T/remote.config/telly"
echo "x-server $HOST_SERVER" >"$T/remote.config/telly/config"
sshd_pid=${pids##* }
printf 'X11Forwarding yes\nX11UseLocalhost yes\nAddressFamily inet\nXAuthLocation %s\n' \
	"$(command -v xauth)" >>"$T/ssh/sshd_config"
kill -HUP "$sshd_pid"
wait_until 10 sh -c "DISPLAY=$desk $ssh_cmd -X $dest 'test -n \"\$DISPLAY\"' 2>/dev/null"

host_xvfb() { # start a host X display for one run; sets hdpy, hx_pid
	rm -f "$T/hdpy"
	Xvfb -displayfd 3 -screen 0 ${HOST_SCREEN}x24 -nolisten tcp 3>"$T/hdpy" >/dev/null 2>&1 &
	hx_pid=$!
	run_pids="$run_pids $hx_pid"
	wait_until 20 grep -q '[0-9]' "$T/hdpy"
	hdpy=:$(cat "$T/hdpy")
}

# The delay proxy's lateness each way (its COUNT_FILE.late, over the
# proxy's life: the login too), p50 and p99 in µs: UP50 UP99 DOWN50 DOWN99
proxy_late() {
	awk '$1 == "up" { u50 = $3; u99 = $4 } $1 == "down" { d50 = $3; d99 = $4 }
		END { if (u50 != "" && d50 != "") print u50, u99, d50, d99 }' "$1.late" 2>/dev/null
}

start_proxy() { # ROUND_TRIP_MS TARGET_PORT: sets pport, count
	pport=$(free_port)
	count=$T/count.$pport
	"$PROXY" tcp "$pport" "$2" "$(($1 / 2))" "$count" &
	run_pids="$run_pids $!"
	wait_until 10 sh -c "ss -ltn | grep -q '127.0.0.1:$pport '"
}

# The host daemon's direct listener (--direct-bind), one for the run.
dxport=$(free_port)
direct_why=""
direct_ready() {
	"$TELLY" view --help 2>&1 | grep -q -- '--direct' && "$TELLY" x --help 2>&1 | grep -q -- '--direct' && return 0
	direct_why="this tree's telly x and telly view have no --direct"
	return 1
}

telly_why=""
telly_ready() {
	"$TELLY" x --help >/dev/null 2>&1 && "$TELLY" view --help 2>&1 | grep -q -- '--seamless' && return 0
	telly_why="this tree's telly has no X sessions yet (no 'telly new --x11' and 'telly view --seamless'; issue 18 is being built)"
	return 1
}

# peer_start PEER ROUND_TRIP_MS KIND TITLE: shows the program on the desk.
# Sets match (the desk window's title holds it), count (the proxy's count
# file, or none), desk_client (the desk's client process), host_roots
# (the host's processes: their trees less the program are the host side)
# and prog_roots.
peer_start() {
	peer=$1 rtt=$2 cmd=$(prog_cmd "$3" "$4") match=$4 count=/dev/null desk_client="" host_roots="" prog_roots=""
	tel=$TELLY
	case $peer in *@base) tel=$BASE ;; esac
	case ${peer%@base} in
	straight)
		DISPLAY=$desk $cmd >/dev/null 2>&1 &
		prog_roots=$!
		run_pids="$run_pids $!" ;;
	ssh)
		start_proxy "$rtt" "$ssh_port"
		DISPLAY=$desk ssh $ssh_opts -X -p "$pport" "$dest" "exec $cmd" >/dev/null 2>"$T/ssh.err" &
		desk_client=$!
		run_pids="$run_pids $!"
		host_roots=$sshd_pid ;;
	xpra | xpra-rgb)
		host_xvfb
		xport=$(free_port)
		mkdir -p "$T/xpra" && chmod 700 "$T/xpra"
		: >"$T/xpra/server.log"
		XDG_RUNTIME_DIR=$T/xpra xpra start "$hdpy" --use-display=yes --daemon=no \
			--bind=none --bind-tcp="127.0.0.1:$xport" --socket-dirs="$T/xpra" --log-dir="$T/xpra" \
			--mdns=no --html=off --notifications=no --pulseaudio=no --speaker=off --microphone=off \
			--webcam=no --printing=no --file-transfer=no --open-files=no --open-url=no \
			--systemd-run=no --dbus-launch= --dbus-control=no --dbus-proxy=no --clipboard=no \
			--tray=no --system-tray=no --mmap=no --start= --exit-with-children=yes \
			--start-child="$cmd" >"$T/xpra/server.log" 2>&1 &
		host_roots="$! $hx_pid"
		run_pids="$run_pids $!"
		wait_until 60 grep -q 'xpra is ready' "$T/xpra/server.log"
		start_proxy "$rtt" "$xport"
		enc=""; [ "$peer" = xpra-rgb ] && enc=--encoding=rgb
		DISPLAY=$desk XDG_RUNTIME_DIR=$T/xpra xpra attach "tcp://127.0.0.1:$pport/" $enc \
			--socket-dirs="$T/xpra" --mmap=no --opengl=no --notifications=no --tray=no \
			--system-tray=no --clipboard=no --speaker=off --microphone=off --webcam=no \
			--printing=no --file-transfer=no >"$T/xpra/client.log" 2>&1 &
		desk_client=$!
		run_pids="$run_pids $!" ;;
	vnc)
		host_xvfb
		DISPLAY=$hdpy $cmd >/dev/null 2>&1 &
		prog_roots=$!
		run_pids="$run_pids $!"
		# No window manager on the host display: the program is given
		# the focus, as a window manager would.
		DISPLAY=$hdpy timeout 30 xdotool search --sync --onlyvisible --name "$4" windowfocus >/dev/null 2>&1
		vport=$(free_port)
		x11vnc -display "$hdpy" -rfbport "$vport" -localhost -noipv6 -nopw -forever -shared \
			-desktop "vnc-$4" -quiet >"$T/x11vnc.log" 2>&1 &
		host_roots="$! $hx_pid"
		run_pids="$run_pids $!"
		wait_until 20 sh -c "ss -ltn | grep -q '127.0.0.1:$vport '"
		start_proxy "$rtt" "$vport"
		DISPLAY=$desk xtigervncviewer -SecurityTypes None "127.0.0.1::$pport" >"$T/viewer.log" 2>&1 &
		desk_client=$!
		run_pids="$run_pids $!"
		match="vnc-$4" ;;
	telly | telly-desk | telly-direct | telly-desk-direct)
		# The one-line form through ssh (telly x: a new X session on the
		# host, then telly view --seamless of it), or the session shown
		# inside telly view's own desktop window; with --direct, ssh
		# only for the secret and the pixels by a direct link with its
		# own delay proxy (whose bytes are the ones counted); without,
		# --no-direct (the direct transport is the default, and a
		# connection straight to the daemon would skip the delay).
		start_proxy "$rtt" "$ssh_port"
		sport=$pport
		tsess=xb$n
		stats=""
		[ "$STAGES" = 1 ] && [ "$3" != scroll ] && stats=--stats
		set -- --ssh "ssh $ssh_opts -p $sport" --server "$tel"
		case ${peer%@base} in *-direct)
			start_proxy "$rtt" "$dxport"
			set -- "$@" --direct --direct-bind "127.0.0.1:$dxport" --direct-connect "127.0.0.1:$pport" ;;
		*) set -- "$@" --no-direct ;;
		esac
		set -- "$@" "$dest"
		if [ "${peer%@base}" = telly ] || [ "${peer%@base}" = telly-direct ]; then
			DISPLAY=$desk "$tel" x $stats "$@" -s "$tsess" -- $cmd >"$T/telly-x.log" 2>&1 &
		else
			"$tel" new --x11 "$@" -s "$tsess" -- $cmd >"$T/telly-x.log" 2>&1 ||
				{ echo "(telly new --x11: $(cat "$T/telly-x.log"))"; return 1; }
			DISPLAY=$desk "$tel" view $stats "$@" "$tsess" >>"$T/telly-x.log" 2>&1 &
			match="telly view"
		fi
		desk_client=$!
		run_pids="$run_pids $!"
		# The session listed on the host; a telly x that ended first
		# (it could not start it) is not waited for, and says why.
		end=$(($(date +%s) + 60))
		until TELLY_DIR=$T/remote "$TELLY" ls 2>/dev/null | grep -q "$tsess"; do
			if [ "$(date +%s)" -gt "$end" ] || ! kill -0 "$desk_client" 2>/dev/null; then
				echo "(no session $tsess on the host: $(tail -n 3 "$T/telly-x.log" | tr '\n' ' '))"
				return 1
			fi
			sleep 0.05
		done
		host_roots="$sshd_pid $(TELLY_DIR=$T/remote daemon_pid)" ;;
	esac
	# The window is drawn on the desk: the program is up.
	DISPLAY=$desk "$X2P" wait --name "$match" --timeout 60 >/dev/null || return 1
}

peer_stop() {
	for p in $run_pids; do kill "$p" 2>/dev/null; done
	for p in $run_pids; do kill -0 "$p" 2>/dev/null && sleep 0.2 && kill -9 "$p" 2>/dev/null; done
	run_pids=""
	# The program under sshd dies with its forwarded display; wait for it.
	for p in $(progs $(tree "$sshd_pid")); do kill "$p" 2>/dev/null; done
	case $peer in telly*)
		TELLY_DIR=$T/remote "$TELLY" kill "$tsess" >/dev/null 2>&1
		[ -n "$BASE" ] && TELLY_DIR=$T/remote "$TELLY" stop >/dev/null 2>&1 ;;
	esac
}

host_set() { progs -v $(tree $host_roots) | grep -v -x "$sshd_pid"; }
prog_set() { progs $(tree $host_roots $prog_roots); }

label() {
	case $1 in *@base) echo "$(label "${1%@base}"), base"; return ;; esac
	case $1 in
	straight) echo "drawn straight on the desk" ;; ssh) echo "ssh -X" ;;
	xpra) echo "xpra (default)" ;; xpra-rgb) echo "xpra --encoding=rgb" ;;
	vnc) echo "x11vnc + xtigervncviewer" ;; telly) echo "telly x (seamless)" ;;
	telly-desk) echo "telly view (its desktop)" ;;
	telly-direct) echo "telly x --direct" ;; telly-desk-direct) echo "telly view --direct" ;;
	esac
}

results=$out/x11-keys.dat
scrolls=$out/x11-scroll.dat
lates=$out/x11-late.dat # KIND PEER DELAY UP50 UP99 DOWN50 DOWN99 (µs), a run each
: >"$lates"
: >"$results"
: >"$scrolls"
n=0
round=0
while [ $round -lt "$ROUNDS" ]; do
round=$((round + 1))
echo "(round $round of $ROUNDS: load average $(cut -d' ' -f1-3 /proc/loadavg))"
for kind in $PROGS; do
	for d in $DELAYS; do
		for peer in $(with_base $PEERS); do
			[ "$peer" = straight ] && [ "$d" != "${DELAYS%% *}" ] && continue
			case $peer in telly*) telly_ready || continue ;; esac
			case ${peer%@base} in *-direct) direct_ready || continue ;; esac
			n=$((n + 1))
			title=xbench-$kind-$peer-$n
			if ! peer_start "$peer" "$d" "$kind" "$title"; then
				echo "($(label "$peer") at $d ms: the window never showed; left out)"
				peer_stop
				continue
			fi
			samples=$out/x11-samples-$kind-$peer-$d-r$round.txt
			# shellcheck disable=SC2046
			if DISPLAY=$desk "$X2P" keys --name "$match" --count "$KEYS" $(keys_opts "$kind") >"$samples" 2>"$T/x2p.err"; then
				set -- $(sed -n 's/^keys //p' "$samples") $(sed -n 's/^whole //p' "$samples")
				hs=$(host_set) ps_=$(prog_set)
				echo "$kind $peer $d $1 $2 $(rss_mb $hs) $(rss_mb $desk_client) $(rss_mb $ps_) $4 $5" >>"$results"
				late=$(proxy_late "$count")
				[ -n "$late" ] && echo "$kind $peer $d $late" >>"$lates"
			else
				echo "($(label "$peer") at $d ms, $kind: $(cat "$T/x2p.err"); left out)"
			fi
			# --stats prints when the view ends: asked to, and awaited.
			case $STAGES$peer in 1telly*)
				kill "$desk_client" 2>/dev/null
				wait_until 10 sh -c "! kill -0 $desk_client 2>/dev/null"
				sed -n '/X keystroke-to-pixel/,$p' "$T/telly-x.log" >"$out/x11-stages-$kind-$peer-$d-r$round.txt" ;;
			esac
			peer_stop
		done
	done
done

for d in $DELAYS; do
	for peer in $(with_base $SCROLL_PEERS); do
		[ "$peer" = straight ] && [ "$d" != "${DELAYS%% *}" ] && continue
		case $peer in telly*) telly_ready || continue ;; esac
		case ${peer%@base} in *-direct) direct_ready || continue ;; esac
		n=$((n + 1))
		title=xbench-scroll-$peer-$n
		if ! peer_start "$peer" "$d" scroll "$title"; then
			echo "($(label "$peer") at $d ms: the scrolling window never showed; left out)"
			peer_stop
			continue
		fi
		hs=$(host_set) ps_=$(prog_set)
		r=$(DISPLAY=$desk "$X2P" scroll --name "$match" --seconds "$SCROLL_S" --bytes "$count" \
			--proc "host=$(csv $hs 0)" --proc "desk=$(csv $desk_client 0)" --proc "prog=$(csv $ps_ 0)" 2>"$T/x2p.err")
		if [ -n "$r" ]; then
			echo "$peer $d $r" >>"$scrolls"
		else
			echo "($(label "$peer") at $d ms, scrolling: $(cat "$T/x2p.err"); left out)"
		fi
		peer_stop
	done
done
done
echo "(load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"

# median FIELD KEYFIELDS...: per key (the KEYFIELDS joined, in the order
# first seen), the median of column FIELD over its lines (the rounds).
median() {
	awk -v f="$1" -v keys="$2" '
		{ n = split(keys, kf, " "); k = $kf[1]; for (i = 2; i <= n; i++) k = k " " $kf[i]
		  if (!(k in c)) order[++nk] = k
		  v[k, ++c[k]] = $f }
		END { for (j = 1; j <= nk; j++) { k = order[j]; m = c[k]
			for (a = 1; a <= m; a++) s[a] = v[k, a]
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (s[b] + 0 < s[a] + 0) { t = s[a]; s[a] = s[b]; s[b] = t }
			med = m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
			print k, med } }'
}
# The key table's rows, a row's median: KIND PEER DELAY p50 p99 RSSh RSSd RSSp ROUNDS ALL_P50S
# WHOLE_p50 WHOLE_p99
med_results() {
	for f in 4 5 6 7 8 9 10; do median $f "1 2 3" <"$results_raw" >"$T/med.$f"; done
	awk '{ k = $1 " " $2 " " $3; if (!(k in c)) order[++n] = k; c[k]++; all[k] = all[k] (c[k] > 1 ? "," : "") $4 }
		END { for (j = 1; j <= n; j++) print order[j], c[order[j]], all[order[j]] }' "$results_raw" >"$T/med.all"
	paste -d' ' "$T/med.4" "$T/med.5" "$T/med.6" "$T/med.7" "$T/med.8" "$T/med.9" "$T/med.10" "$T/med.all" |
		awk '{ print $1, $2, $3, $4, $8, $12, $16, $20, $32, $33, $24, $28 }'
}
results_raw=$results
results=$T/results.med
med_results >"$results"
# The proxy's lateness a row, the median of its runs: KIND PEER DELAY UP50 UP99 DOWN50 DOWN99
for f in 4 5 6 7; do median $f "1 2 3" <"$lates" >"$T/lmed.$f"; done
paste -d' ' "$T/lmed.4" "$T/lmed.5" "$T/lmed.6" "$T/lmed.7" | awk '{ print $1, $2, $3, $4, $8, $12, $16 }' >"$T/late.med"

echo "== X11: keystroke-to-pixel on the desk, $KEYS keys a run (xkey2pixel), ms; ratio of p50 to ssh -X's at the same delay;"
echo "   whole: until the key's answer is all drawn (its last change before the next key: xterm's cursor after the character);"
echo "   beyond: p50 less the round trip and the delay proxy's own lateness up and down (its p50s), what the"
echo "   peer itself adds (the issue's target at 50 ms: at most 1 ms); the proxy's lateness is under the table"
for kind in $PROGS; do
	case $kind in xterm) echo "xterm (cat echoing):" ;; entry) echo "GTK text entry (zenity --entry):" ;; esac
	printf '  %-28s %5s  %8s %8s %9s  %-15s %7s  %-26s %s\n' "" "rtt" "p50" "p99" "p50/ssh" "whole p50/p99" "beyond" "RSS MB host/desk/program" "rounds: p50s"
	awk -v k="$kind" '$1 == k' "$results" | while read -r _ peer d p50 p99 rh rd rp nr all w50 w99; do
		ssh50=$(awk -v k="$kind" -v d="$d" '$1 == k && $2 == "ssh" && $3 == d { print $4 }' "$results")
		ratio=$(awk -v a="$p50" -v b="${ssh50:-0}" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
		beyond=$(awk -v k="$kind" -v p="$peer" -v d="$d" -v p50="$p50" '$1 == k && $2 == p && $3 == d {
			printf "%.2f", p50 - d - ($4 + $6) / 1000 }' "$T/late.med")
		printf '  %-28s %2s ms  %8.2f %8.2f %9s  %6.2f/%-8.2f %7s  %-26s %s: %s\n' "$(label "$peer")" "$d" "$p50" "$p99" "$ratio" "${w50:-0}" "${w99:-0}" "${beyond:--}" "$rh/$rd/$rp" "$nr" "$all"
	done
	# The proxy's lateness at each delay: the median of its runs' p50s,
	# the highest of their p99s.
	median 4 "1 3" <"$lates" >"$T/dmed.up"
	median 6 "1 3" <"$lates" >"$T/dmed.down"
	paste -d' ' "$T/dmed.up" "$T/dmed.down" | awk -v k="$kind" '$1 == k { print $2, $3, $6 }' |
		while read -r d up down; do
			awk -v k="$kind" -v d="$d" -v up="$up" -v down="$down" '$1 == k && $3 == d {
				n++; if ($5 > u99) u99 = $5; if ($7 > d99) d99 = $7 }
				END { printf "  (the delay proxy at %s ms round trip, its lateness against each chunk'"'"'s due time, %d runs: p50 %s us up, %s us down; p99 at most %s / %s us)\n",
					d, n, up, down, u99, d99 }' "$lates"
		done
done
if [ "$STAGES" = 1 ]; then
	for f in "$out"/x11-stages-*.txt; do
		[ -s "$f" ] || continue
		echo
		echo "-- where telly's time went: $(basename "$f" .txt | sed 's/^x11-stages-//') (ms delay), telly view --stats:"
		cat "$f"
	done
fi
echo
echo "== X11: a scrolling xterm (1000 lines/s) for ${SCROLL_S} s, as the desk sees it"
printf '  %-28s %5s  %7s %9s %9s   %-21s %s\n' "" "rtt" "frames/s" "KB/s" "KB/frame" "CPU ms/frame h/d/p" "rounds: frames/s; KB/frame"
# A round's row: PEER DELAY frames/s KB/s KB/frame CPU-ms-per-frame host desk program
while read -r peer d _ _ frames _ secs _ bytes _ cpu; do
	set -- $(echo "$cpu" | tr '=' ' ')
	awk -v f="$frames" -v s="$secs" -v b="$bytes" -v h="$2" -v dk="$4" -v p="$6" -v peer="$peer" -v d="$d" 'BEGIN {
		fr = f > 0 ? f : 1
		printf "%s %s %.1f %.1f %.2f %.3f %.3f %.3f\n", peer, d, f / s, b / 1024 / s, b / 1024 / fr,
			1000 * h / fr, 1000 * dk / fr, 1000 * p / fr }'
done <"$scrolls" >"$T/scroll.rows"
for f in 3 4 5 6 7 8; do median $f "1 2" <"$T/scroll.rows" >"$T/smed.$f"; done
awk '{ k = $1 " " $2; if (!(k in c)) order[++n] = k; c[k]++
	fps[k] = fps[k] (c[k] > 1 ? "," : "") $3; kbf[k] = kbf[k] (c[k] > 1 ? "," : "") $5 }
	END { for (j = 1; j <= n; j++) print order[j], c[order[j]], fps[order[j]], kbf[order[j]] }' "$T/scroll.rows" >"$T/smed.all"
paste -d' ' "$T/smed.3" "$T/smed.4" "$T/smed.5" "$T/smed.6" "$T/smed.7" "$T/smed.8" "$T/smed.all" |
	awk '{ print $1, $2, $3, $6, $9, $12, $15, $18, $21, $22, $23 }' |
	while read -r peer d fps kbs kbf ch cd cp nr allf allk; do
		printf '  %-28s %2s ms  %8.1f %9.1f %9.2f   %-21s %s: %s; %s\n' "$(label "$peer")" "$d" "$fps" "$kbs" "$kbf" \
			"$ch/$cd/$cp" "$nr" "$allf" "$allk"
	done
if ! telly_ready; then
	echo
	echo "telly: not measured: $telly_why."
elif ! direct_ready; then
	echo
	echo "telly --direct: not measured: $direct_why."
fi
echo "(raw samples: $out/x11-samples-*.txt; the desk's CPU is its client's only: the desk's X server also serves the meter)"
