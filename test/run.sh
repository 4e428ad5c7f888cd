#!/bin/sh
# telly's test runner: one process per test, each under a timeout, so a test
# that hangs or crashes is one failure and the run goes on. Prints a line per
# test, the log of each failure, and ends with "N passed, N failed".
#
#   sh test/run.sh BUILD_DIR [PATTERN]   PATTERN: only tests whose name has it
#   JOBS=N           tests run at once (default: the number of CPUs; 1: one
#                    after the other, in the order below)
#   SEED=N           seed of the random differential test (default 1)
#   KPTY_FUZZ_SCRIPTS=N  how many of the seed's random scripts it runs (default 600)
#   KPTY_FUZZ_SECONDS=N  or: how long it runs
#   FUZZ_SECONDS=N       how long each libFuzzer target runs after its
#                        committed inputs (default 10; test/fuzz/README.md)
#
# Tests run side by side: each has its own temporary directory, free
# ports and sockets (test/integration/lib.sh). A test's line is printed
# when it ends, so lines come in the order tests end, not the order below.
B=${1:-build}
only=${2:-}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 1)}
[ "$jobs" -ge 1 ] 2>/dev/null || { echo "JOBS=$jobs: not a number of tests at once"; exit 2; }
logdir=$B/test-logs
rm -rf "$logdir"
mkdir -p "$logdir"
: >"$logdir/results"
# A slot for each test that may run at once: a line in a pipe, taken
# (read) before a test starts and given back when it ends.
mkfifo "$logdir/slots"
exec 9<>"$logdir/slots"
rm -f "$logdir/slots"
i=0
while [ $i -lt "$jobs" ]; do echo >&9; i=$((i + 1)); done

run_one() { # NAME TIMEOUT CMD...: one test, its line and log printed whole at its end
	name=$1 limit=$2
	shift 2
	file=$(echo "$name" | tr '/ ' '__')
	log="$logdir/$file.log" report="$logdir/$file.report"
	dirs="$logdir/$file.dirs"
	start=$(date +%s%N)
	TELLY_TEST_DIRS=$dirs timeout -k 5 "$limit" "$@" >"$log" 2>&1 </dev/null 9>&-
	rc=$?
	# An integration test killed before its cleanup ran: what it left.
	sh test/reap.sh "$dirs" >>"$log" 2>&1
	rm -f "$dirs"
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	secs=$(( ms / 1000 ))
	# Each test's time in ms, for finding where a run's time goes:
	# sort -rn BUILD/test-logs/times | head
	echo "$ms $rc $name" >>"$logdir/times"
	if [ $rc -eq 0 ]; then
		echo pass >>"$logdir/results"
		printf 'ok      %s (%ss)\n' "$name" "$secs" >"$report"
	elif [ $rc -eq 77 ]; then
		echo skip >>"$logdir/results"
		printf 'skipped %s: %s\n' "$name" "$(tail -n 1 "$log")" >"$report"
	else
		echo fail >>"$logdir/results"
		[ $rc -eq 124 ] && echo "(timed out after ${limit}s)" >>"$log"
		{
			printf 'FAIL    %s (exit %s, %ss)\n' "$name" "$rc" "$secs"
			tail -n 40 "$log" | sed 's/^/        | /'
		} >"$report"
	fi
	# One report at a time on the output, never two interleaved.
	flock "$logdir/results" cat "$report"
	rm -f "$report"
}

run() { # NAME TIMEOUT CMD...: starts the test once a slot is free; its pid in $last
	last=""
	case "$1" in *"$only"*) ;; *) return ;; esac
	read -r _ <&9
	{
		run_one "$@"
		echo >&9
	} &
	last=$!
}

unit() { # PART: each case of build/test/unit-PART, plain and under ASan+UBSan
	for t in $("$B/test/unit-$1" --list); do
		run "unit/$1/$t" 30 "$B/test/unit-$1" "$t"
		run "unit-asan/$1/$t" 60 "$B/test/unit-$1-asan" "$t"
	done
}
unit kpty
unit pump
# The pty reader thread's locking, under ThreadSanitizer too.
for t in $("$B/test/unit-pump" --list); do
	run "unit-tsan/pump/$t" 60 "$B/test/unit-pump-tsan" "$t"
done
unit rp
unit wm
unit ds
unit vmc
unit door
unit vtfilter
unit slog
unit serve
unit screen
unit desk
unit termmodes
unit xdesk
unit xd
unit xwin
unit xdprop
unit predict
unit overlay
unit resume
unit direct
# libvterm is not built with ASan: the random-stream screen tests also run
# under valgrind, which sees its reads and writes (it found libvterm
# 0.1.4 going outside its line table after a shrink). 25 s alone; with
# another test beside it on a busy machine one took over 120 s.
for t in screen-matches-libvterm plain-path-matches-with-quirks batched-plain-matches-libvterm \
	text-matches-libvterm text-path-matches-with-quirks skipped-lines-keep-scrollback \
	wraps-match-libvterm; do
	run "unit-valgrind/screen/$t" 300 valgrind -q --error-exitcode=9 "$B/test/unit-screen" "$t"
done
for f in test/ttyscript/corpus/*.tty; do
	run "ttyscript/$(basename "$f" .tty)" 60 "$B/bin/kpty-fuzz" --check "$f"
done
run "ttyscript/corpus-under-asan" 120 sh test/ttyscript/asan-corpus.sh "$B"
for f in test/ttyscript/errors/*.tty; do
	run "ttyscript-error/$(basename "$f" .tty)" 10 sh test/ttyscript/expect-error.sh "$B" "$f"
done

# The seed's first 600 random scripts, 8 at once (their Linux side mostly
# waits for its pty to go quiet): the same scripts at every run, more than
# the 60 s this took one at a time ran. KPTY_FUZZ_SECONDS=N runs for N s
# instead; make fuzz-kpty until a difference.
kf_limit="--scripts ${KPTY_FUZZ_SCRIPTS:-600}"
[ -n "${KPTY_FUZZ_SECONDS:-}" ] && kf_limit="--seconds $KPTY_FUZZ_SECONDS"
run "kpty/random-differential" $(( ${KPTY_FUZZ_SECONDS:-60} + 120 )) \
	"$B/bin/kpty-fuzz" --seconds 0 $kf_limit --jobs 8 --seed "${SEED:-1}"
run "demo/scripted-session" 60 sh test/demo.sh "$B"
run "demo/view-headless" 60 sh test/demo-view.sh "$B"
# Each libFuzzer target: its committed inputs (seeds, past findings), then
# a short run.
for f in test/fuzz/*.c; do
	n=$(basename "$f" .c)
	run "fuzz/$n" $(( ${FUZZ_SECONDS:-10} + 120 )) sh test/fuzz/fuzz.sh test "$B" "$n" "${FUZZ_SECONDS:-10}"
done
run "build/clang" 600 make --no-print-directory -j"$jobs" CC=clang BUILD="$B/clang" \
	"$B/clang/bin/telly" "$B/clang/bin/kpty-script" "$B/clang/test/unit-rp"
# The event loops (daemon, telly view, compositor at work) under ASan and
# UBSan too: telly built with them, then the view tests, which drive all.
san="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
run "build/asan-telly" 900 make --no-print-directory -j"$jobs" BUILD="$B/asan" CFLAGS="$san" \
	"$B/asan/bin/telly" "$B/asan/test/png-probe" "$B/asan/test/free-port" "$B/asan/test/xclose" \
	"$B/asan/test/xprobe" "$B/asan/test/rp-poke" "$B/asan/test/xgrab" "$B/asan/test/xhostile" \
	"$B/asan/test/xshape" "$B/asan/test/xpress" "$B/asan/bin/delay-proxy" "$B/asan/test/cut-proxy" \
	"$B/asan/test/xown" "$B/asan/test/xplace" "$B/asan/test/xanim"
# (built while the tests below run; the ASan runs wait for it)
asan_build=$last
for f in test/integration/*.sh; do
	case "$f" in */lib.sh) continue ;; esac
	run "integration/$(basename "$f" .sh)" 180 sh "$f" "$B"
done
[ -z "$asan_build" ] || wait "$asan_build"
# The test guest is built once (test/guest/build.sh locks its folder).
[ -e "$B/asan/guest" ] || { mkdir -p "$B/guest" "$B/asan" && ln -s ../guest "$B/asan/guest"; }
for t in view-typing view-focus view-move-resize view-lifecycle view-paint-fd view-x11 vmconsole console-dns door-privsep door-keys door-winsize xview-xterm xview-desk x11-session x11-flood x11-resize x11-screen-follow x11-stopped-server x11-grab x11-hostile x11-pixel-bound xview-shape xview-shape-change xview-clipboard-attach xview-clipboard-start reconnect-view-xclip xview-screen-in-use reconnect-view-xscreen xview-seamless-dialog xview-seamless-stale-size \
	x11-background-detached x11-program-output-exit xview-clipboard-focused xview-readonly reconnect-view-xended \
	x11-server-log-numbers x11-pixel-bound-override reconnect-view-xcopy-kept leave-detach xview-screen-said-again; do
	[ -x "$B/asan/bin/telly" ] && run "integration-asan/$t" 300 sh "test/integration/$t.sh" "$B/asan"
done
# telly x of programs that end at once, each way (this host, a slow
# connect, ssh, --direct) once, 11 s under ASan: the whole test (its 20
# runs of some, its 10 s wait) takes a minute, and runs plain above.
[ -x "$B/asan/bin/telly" ] && run "integration-asan/x11-x-quick-short" 300 \
	env X_QUICK_SHORT=1 sh test/integration/x11-x-quick.sh "$B/asan"

wait
pass=$(grep -c '^pass$' "$logdir/results")
fail=$(grep -c '^fail$' "$logdir/results")
skip=$(grep -c '^skip$' "$logdir/results")
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
