#!/bin/sh
# telly x of a program that ends at once prints its output and exits with
# its status, every time, as ssh -X does: `telly x -- echo hello` prints
# hello, `telly x -- true` nothing, with 0. telly x makes the session
# (OPEN) and its view then attaches by name; the OPEN says a view follows,
# so the host does not put the session down before that view attached
# (its output and status kept for it), 10 s at most from the OPEN's
# answer: a telly x whose view never came does not keep it longer, and
# telly new --x11 (no view follows) does not wait. Before, a program
# that ended before the view attached took the session with it: "telly
# x: 0: no session 0: it ended 0 s ago with status 0" and nothing else,
# exit 0, every time over ssh, now and then on this host.
# X_QUICK_SHORT=1 (the ASan run of test/run.sh): each way once, and not
# the wait of a view that never comes (10 s).
. test/integration/lib.sh "$1"
need_progs Xvfb strace
dirs="$T/remote"
start_sshd "$T/remote"
start_xvfb 1024x768
x_config "$XDG_CONFIG_HOME" "$T/remote.config"
far() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state "$TELLY" "$@"; }
# A desk slow to connect, as a loaded one is: each connect() 0.3 s late
# (the view's to the daemon among them).
# (LeakSanitizer cannot work under ptrace: an ASan build's telly x would
# exit 1 saying so; its other checks stay.)
slow() {
	ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
		strace -f -o /dev/null -e trace=connect -e inject=connect:delay_enter=300000 "$@"
}

# quick HOW RUNS EXPECTED_RC EXPECTED_OUT EXPECTED_ERR -- PROGRAM...:
# telly x of PROGRAM RUNS times, each run's stdout, stderr's lines but
# the end's notice, and status as expected.
quick() {
	how=$1 runs=$2 want_rc=$3 want_out=$4 want_err=$5
	shift 6
	[ -z "${X_QUICK_SHORT:-}" ] || runs=1
	i=1
	while [ "$i" -le "$runs" ]; do
		rc=0
		case $how in
		local) "$TELLY" x -- "$@" >"$T/o" 2>"$T/e" || rc=$? ;;
		slow) slow "$TELLY" x -- "$@" >"$T/o" 2>"$T/e" || rc=$? ;;
		ssh) "$TELLY" x --no-direct --ssh "$ssh_cmd" --server "$TELLY" "$dest" -- "$@" \
			>"$T/o" 2>"$T/e" || rc=$? ;;
		direct) "$TELLY" x --direct --ssh "$ssh_cmd" --server "$TELLY" "$dest" -- "$@" \
			>"$T/o" 2>"$T/e" || rc=$? ;;
		esac
		err=$(grep -v ' ended with status [0-9]*; what it printed is in ' "$T/e")
		[ "$(cat "$T/o")" = "$want_out" ] && [ "$err" = "$want_err" ] && [ "$rc" = "$want_rc" ] ||
			fail "telly x ($how) -- $*, run $i of $runs: exit $rc (not $want_rc), stdout '$(cat "$T/o")' (not '$want_out'), stderr '$(cat "$T/e")' (not '$want_err')"
		i=$((i + 1))
	done
}
quick local 20 0 hello "" -- echo hello
quick local 10 3 out err -- sh -c 'echo out; echo err >&2; exit 3'
quick local 10 0 "" "" -- true
quick slow 3 0 hello "" -- echo hello
quick slow 3 3 out err -- sh -c 'echo out; echo err >&2; exit 3'
quick ssh 10 0 hello "" -- echo hello
quick ssh 3 3 out err -- sh -c 'echo out; echo err >&2; exit 3'
quick ssh 3 0 "" "" -- true
quick direct 5 0 hello "" -- echo hello
quick direct 3 3 out err -- sh -c 'echo out; echo err >&2; exit 3'
# What is said of the end of a program with status 3 is said once.
[ "$(grep -c 'ended with status 3' "$T/e")" = 1 ] || fail "the end said: $(cat "$T/e")"

# A telly x whose view cannot come (its ssh refused the second time):
# the session waits for it, and is gone 10 s from the OPEN's answer.
if [ -z "${X_QUICK_SHORT:-}" ]; then
ssh_once "$T/ssh-once"
rc=0
"$TELLY" x --no-direct --ssh "$T/ssh-once" --server "$TELLY" "$dest" -s kx -- echo never-seen \
	>"$T/kx.out" 2>"$T/kx.err" || rc=$?
t0=$(date +%s%N)
[ "$rc" != 0 ] || fail "telly x whose view could not come exited 0: $(cat "$T/kx.err")"
grep -q never-seen "$T/kx.out" && fail "printed with no view: $(cat "$T/kx.out")"
kx_waits() { far ls 2>/dev/null | grep -q '^kx: X :[0-9]* (programs ended; it waits for its view)'; }
wait_until 5 kx_waits
kx_gone() { ! far ls 2>/dev/null | grep -q '^kx:'; }
wait_until 20 kx_gone
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 8000 ] || fail "the session went ${ms} ms after telly x did, not kept for its view: $(tail -n 5 "$T/remote/serve.log")"
[ "$ms" -le 13000 ] || fail "the session stayed ${ms} ms after telly x, past the 10 s bound"
grep -q "session kx: the view its OPEN said follows did not attach within 10 s" "$T/remote/serve.log" ||
	fail "serve.log does not say why kx waited: $(grep 'session kx' "$T/remote/serve.log")"
fi

# telly new --x11: no view follows, nothing waits.
"$TELLY" new --x11 -s nv -- true >/dev/null || fail "telly new --x11 -- true"
t0=$(date +%s%N)
nv_gone() { ! "$TELLY" ls 2>/dev/null | grep -q '^nv:'; }
wait_until 20 nv_gone
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -le 5000 ] || fail "telly new --x11 -- true was kept ${ms} ms"
echo "ok: telly x of a quick program prints its output and exits with its status, every time"
