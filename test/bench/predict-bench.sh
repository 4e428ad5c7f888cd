#!/bin/sh
# make bench, prediction part: a typist at six remote programs, as the
# person sees it (test/bench/predict-bench.c), through telly attach
# (adaptive, over ssh), telly view (headless, adaptive, over ssh), mosh
# (adaptive and always) and ssh, behind the
# delay proxy at 0, 100 and 300 ms of round trip with jitter (each one-way
# delay give or take a fifth of it; mosh through the proxy's UDP twin).
#
# Traces (a key every 150 +- 60 ms; \p: the typist waits for a prompt):
#   bash     readline: typos, backspaces, cursor moves, ^A/^E, Enter
#   python   the python3 REPL: typos, cursor moves, home/end, a def block
#   vim      normal mode moves and edits, insert mode with typos, Esc
#   less     paging, line moves, a search typed with a typo, next match
#   pw-canon a canonical no-echo prompt (getpass) after a command at bash
#   pw-raw   a raw no-echo prompt after a command at bash
#
# Each trace is first recorded on a local pty one key at a time (the
# screen after each key once it rests: the reference); every client's
# screen is compared with it. Per trace, round trip and client: the
# share of keys (that change the screen) shown within 5 ms, the median
# time, wrong-glyph episodes per 100 keys and their mean length (wr: a
# glyph the program never drew in that cell, a wrong prediction; mid: the
# program's own intermediate screens, which ssh shows too: less's page
# half redrawn), password characters shown, and whether the final screen
# equals the reference;
# for telly and telly-view, how many keys their predictor drew before the
# host's answer (attach --stats, view --stats). The "local" rows (RTT -)
# run the program on a pty of its own with the typist's timing: the
# ceiling of this measure.
#
# telly-view: the program runs in a session of its own on the host
# (telly new; it starts once its terminal is 24x100), and telly view
# --headless shows it, its one window maximized to 24x100. Keys enter the
# view as a person's do, through its keyboard (--key-fd), and what is
# judged is what its compositor painted of the window after each repaint
# (--paint-fd: predictions drawn included, an answer held back not), a
# key's time from when the view got it to that repaint.
#
#   RTTS="0 100 300" CLIENTS="local telly telly-view mosh mosh-always ssh" \
#   TRACES="bash python vim less pw-canon pw-raw" sh test/bench/predict-bench.sh BUILD_DIR
#
# Screens are judged as a terminal with synchronized output (DEC 2026:
# kitty, foot, wezterm, iTerm2, Windows Terminal) shows them: nothing
# while the client holds it open (telly attach draws its overlay so);
# PREDICT_BENCH_NO_SYNC=1 judges every read, as xterm shows them.
# (PREDICT_BENCH_KEYS=1 makes predict-bench print each key's time.) The
# machine's load moves the figures: compare clients within one run.
# predict-bench (the person's terminal and the typist) runs at a real-time
# priority when it may (root, CAP_SYS_NICE or RLIMIT_RTPRIO), the clients
# and programs it starts at the ordinary one: under load (busy loops
# beside this niced bench) the rows timed by its own reads (local, telly,
# mosh, ssh) then measure the clients, not the bench woken 4 to 17 ms
# late as it is without it (it says so once).
. test/integration/lib.sh "$1"
RTTS=${RTTS:-0 100 300}
CLIENTS=${CLIENTS:-local telly telly-view mosh mosh-always ssh}
TRACES=${TRACES:-bash python vim less pw-canon pw-raw}
PB=$B/bin/predict-bench
PROXY=$B/bin/delay-proxy
out=$B/bench
mkdir -p "$out"
export LANG=C.UTF-8
SECRET=KQZ7XJ9V

# Every program starts on a cleared screen, in $T, with the same
# environment wherever it runs (local pty, ssh, mosh-server, telly).
ENV="env PATH=/usr/bin:/bin HOME=$T LANG=C.UTF-8 TERM=xterm-256color LESSHISTFILE=- LESS= PYTHONSTARTUP="
cat >"$T/bash.sh" <<EOF
cd $T; printf '\033[H\033[2J'
exec $ENV PS1='P> ' HISTFILE=/dev/null bash --norc --noprofile
EOF
cat >"$T/python.sh" <<EOF
cd $T; printf '\033[H\033[2J'
exec $ENV python3 -q
EOF
cat >"$T/vim.sh" <<EOF
cd $T; cp text.txt edit.txt; printf '\033[H\033[2J'
exec $ENV vim -u NONE -i NONE -N -n -c 'set ttimeout ttimeoutlen=10' edit.txt
EOF
cat >"$T/less.sh" <<EOF
cd $T; printf '\033[H\033[2J'
exec $ENV less lines.txt
EOF
cp "$T/bash.sh" "$T/pw-canon.sh"
cp "$T/bash.sh" "$T/pw-raw.sh"
cat >"$T/gp.py" <<'EOF'
import getpass
print('got', len(getpass.getpass()))
EOF
cat >"$T/rp.py" <<'EOF'
import os, sys, termios, tty
old = termios.tcgetattr(0)
tty.setraw(0)
os.write(1, b'Password: ')
s = b''
while not s.endswith(b'\r'):
    s += os.read(0, 1)
termios.tcsetattr(0, termios.TCSADRAIN, old)
print('\ngot', len(s) - 1)
EOF
cat >"$T/text.txt" <<'EOF'
The quick brown fox jumps over the lazy dog.
Pack my box with five dozen liquor jugs.
How vexingly quick daft zebras jump!
Sphinx of black quartz, judge my vow.
The five boxing wizards jump quickly.
EOF
i=1
while [ $i -le 300 ]; do
	echo "line $i: alpha beta gamma delta $((i * 7 % 101)) epsilon"
	i=$((i + 1))
done >"$T/lines.txt"

trace() {
	case $1 in
	bash) printf '%s' 'echo helo\x7flo wrold\x7f\x7f\x7f\x7f\x7fworld\e[D\e[D\e[D\e[Dxy\x7f\x7f\e[C\e[C\e[C\e[C!!\x7f\recho $((6*7)) donr\x7fe\r\pls /nonexist\x01# \x05 ok\r' ;;
	python) printf '%s' 'x = [i*i for i in rnage\x7f\x7f\x7f\x7fange(10)]\rprint(sum(x)\e[D\e[D\e[D\e[D\e[D\e[D\e[D\e[D\e[H#\e[F)\rdef f(a):\r    return a+1\r\rf(41)\r' ;;
	vim) printf '%s' 'jjwwi new\x7f\x7f\x7fold \ejjAend of liine\x7f\x7f\x7fne\e0xxjdwo typed a new lien\x7f\x7fne\ekkllllrXhhh' ;;
	less) printf '%s' ' jjjjbkk/gamma delta 4\x7f77\r\pnnkG\pg' ;;
	pw-canon) printf '%s' "python3 gp.py\\r\\p$SECRET\\r\\pecho done\\r" ;;
	pw-raw) printf '%s' "python3 rp.py\\r\\p$SECRET\\r\\pecho done\\r" ;;
	esac
}

dirs="$T/remote"
start_sshd "$T/remote"
ssh_via() { echo "ssh $ssh_opts -p $1"; }
# telly on the host, as sshd's sessions see it.
host_telly() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state XDG_CONFIG_HOME=$T/remote.config "$TELLY" "$@"; }

# telly-view: the view's size whose one window, maximized, is 24x100: a
# view of a session drawn once says its box and grid in cells.
cat >"$T/at100.sh" <<'EOF'
while [ "$(stty size)" != "24 100" ]; do sleep 0.02; done
exec "$@"
EOF
echo 'key ctrl+shift+m' >"$T/maximize"
view_size() {
	host_telly new -s pbsize -- sleep 600 >/dev/null || return 1
	"$TELLY" view --headless --screenshot "$T/size.png" --ssh "$ssh_cmd" --server "$TELLY" \
		"$dest" >"$T/size.legend" 2>&1
	host_telly kill pbsize >/dev/null 2>&1
	set -- $(legend_cell "$T/size.legend") $(legend_win "$T/size.legend" pbsize)
	[ $# = 10 ] || return 1
	echo "$(($5 - $9 * $1 + 100 * $1))x$(($6 - ${10} * $2 + 24 * $2))"
}
case " $CLIENTS " in *" telly-view "*)
	VIEW_SIZE=$(view_size) || { echo "predict-bench: no size for telly view: $(cat "$T/size.legend")"; CLIENTS=$(echo " $CLIENTS " | sed 's/ telly-view / /'); } ;;
esac

# Keys the predictor drew before the host's answer, as the client's
# --stats said at its end (attach's and view's lines alike).
predictor() { # FILE
	sed -n 's/.*predictions: [0-9]* keys, \([0-9]*\) shown.*, \([0-9]*\) right, \([0-9]*\) wrong (\([0-9]*\) of them shown), round trip \(.*\) ms.*/drawn=\1 judged-right=\2 judged-wrong=\3 drawn-wrong=\4 srtt=\5/p' "$1"
}

n=0
run() { # CLIENT RTT PROXYPORT TRACE
	c=$1 rtt=$2 port=$3 tr=$4
	prog="sh $T/$tr.sh"
	set -- --ref "$T/$tr.ref"
	case $tr in pw-*) set -- "$@" --secret "$SECRET" ;; esac
	set -- "$@" "$(trace "$tr")"
	n=$((n + 1))
	case $c in
	local)
		"$PB" "$@" -- $prog ;;
	telly)
		"$PB" "$@" -- sh -c "exec \"$TELLY\" attach --stats -e none --no-direct --ssh \"$(ssh_via "$port")\" \
			--server \"$TELLY\" $dest pb$n -- $prog 2>$T/stats.$n"
		host_telly kill "pb$n" >/dev/null 2>&1
		predictor "$T/stats.$n" ;;
	telly-view)
		host_telly new -s "pb$n" -- sh "$T/at100.sh" $prog >/dev/null
		"$PB" --view "$@" -- sh -c "exec \"$TELLY\" view --headless --size $VIEW_SIZE \
			--key-fd 3 --paint-fd 4 --input \"$T/maximize\" --stats --no-direct --ssh \"$(ssh_via "$port")\" \
			--server \"$TELLY\" $dest 2>$T/view.$n"
		host_telly kill "pb$n" >/dev/null 2>&1
		predictor "$T/view.$n" ;;
	ssh)
		"$PB" "$@" -- sh -c "exec $(ssh_via "$port") -tt $dest \"$prog\"" ;;
	mosh | mosh-always)
		mode=adaptive; [ "$c" = mosh-always ] && mode=always
		mport=$(free_port)
		conn=$(mosh-server new -s -l LANG=C.UTF-8 -- $prog 2>/dev/null |
			sed -n 's/^MOSH CONNECT \([0-9]*\) \(.*\)$/\1 \2/p')
		[ -n "$conn" ] || { echo "mosh-server did not start"; return; }
		sport=${conn%% *} key=${conn#* }
		"$PROXY" --jitter $((rtt / 10)) udp "$mport" "$sport" $((rtt / 2)) & ppid=$!
		MOSH_KEY=$key MOSH_PREDICTION_DISPLAY=$mode "$PB" "$@" -- mosh-client 127.0.0.1 "$mport"
		kill "$ppid" 2>/dev/null
		pid=$(pgrep -f "mosh-server new -s -l LANG=C.UTF-8 -- $prog" | head -n 1)
		[ -n "$pid" ] && kill "$pid" 2>/dev/null ;;
	esac
}

# One row: the fields predict-bench printed, in columns.
row() { # TRACE CLIENT RTT LINE...
	tr=$1 c=$2 at=$3; shift 3
	line=$(echo "$*" | tr '\n' ' ')
	get() { echo " $line" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	printf '%-9s %-12s %4s  %6s %7s %6s %7s %6s %7s %3s  %-6s %s\n' "$tr" "$c" "$at" \
		"$(get within5)" "$(get p50)" "$(get wrong)" "$(get wrongms)" "$(get mid)" \
		"$(get midms)" "$(get pw)" "$(get final)" "$(echo "$line" | grep -o 'drawn=.*')"
	[ -z "$(get final)" ] && echo "  ($line)"
	echo "$tr $c $at $line" >>"$out/predict.txt"
}

: >"$out/predict.txt"
for tr in $TRACES; do
	case $tr in vim | less)
		command -v $tr >/dev/null || { echo "predict-bench: no $tr (scripts/deps.sh): its trace left out"; TRACES=$(echo " $TRACES " | sed "s/ $tr / /"); continue; } ;;
	esac
	case $tr in
	python) ready='>>> ' ;;
	vim) ready='edit.txt' ;;
	less) ready='lines.txt' ;;
	*) ready='P> ' ;;
	esac
	"$PB" --record "$T/$tr.ref" --ready "$ready" "$(trace "$tr")" -- sh "$T/$tr.sh" ||
		echo "predict-bench: the $tr trace's reference failed"
	export PREDICT_BENCH_RT_TOLD=1 # the first run said whether it may
done
echo "a typist (a key every 150 +- 60 ms) at six programs; delay proxy with jitter (one-way +- a fifth)"
printf '%-9s %-12s %4s  %6s %7s %6s %7s %6s %7s %3s  %-6s %s\n' trace client rtt "<=5ms%" "p50ms" \
	"wr/100" "wr-ms" "mid/100" "mid-ms" "pw" final "telly's predictor"
for rtt in $RTTS; do
	pport=$(free_port)
	"$PROXY" --jitter $((rtt / 10)) tcp "$pport" "$ssh_port" $((rtt / 2)) & pids="$pids $!"
	wait_until 10 sh -c "$(ssh_via "$pport") $dest true 2>/dev/null"
	for tr in $TRACES; do
		for c in $CLIENTS; do
			case $c in mosh*) command -v mosh-server >/dev/null || continue ;; esac
			[ "$c" = local ] && [ "$rtt" != "${RTTS%% *}" ] && continue
			at=$rtt; [ "$c" = local ] && at=-
			row "$tr" "$c" "$at" "$(run "$c" "$rtt" "$pport" "$tr")"
		done
	done
done
