#!/bin/sh
# telly's test runner: one process per test, each under a timeout, so a test
# that hangs or crashes is one failure and the run goes on. Prints a line per
# test, the log of each failure, and ends with "N passed, N failed".
#
#   sh test/run.sh BUILD_DIR [PATTERN]   PATTERN: only tests whose name has it
#   SEED=N           seed of the random differential test (default 1)
#   KPTY_FUZZ_SECONDS=N  how long it runs (default 120)
#   FUZZ_SECONDS=N       how long each libFuzzer target runs after its
#                        committed inputs (default 10; test/fuzz/README.md)
B=${1:-build}
only=${2:-}
pass=0 fail=0 skip=0
logdir=$B/test-logs
rm -rf "$logdir"
mkdir -p "$logdir"

run() { # NAME TIMEOUT CMD...
	name=$1 limit=$2
	shift 2
	case "$name" in *"$only"*) ;; *) return ;; esac
	log="$logdir/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	timeout -k 5 "$limit" "$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		printf 'ok      %s (%ss)\n' "$name" "$secs"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		printf 'skipped %s: %s\n' "$name" "$(tail -n 1 "$log")"
	else
		fail=$((fail + 1))
		[ $rc -eq 124 ] && echo "(timed out after ${limit}s)" >>"$log"
		printf 'FAIL    %s (exit %s, %ss)\n' "$name" "$rc" "$secs"
		tail -n 40 "$log" | sed 's/^/        | /'
	fi
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
unit predict
unit overlay
unit resume
unit direct
# libvterm is not built with ASan: the random-stream screen tests also run
# under valgrind, which sees its reads and writes (it found libvterm
# 0.1.4 going outside its line table after a shrink).
for t in screen-matches-libvterm plain-path-matches-with-quirks batched-plain-matches-libvterm \
	text-matches-libvterm text-path-matches-with-quirks skipped-lines-keep-scrollback \
	wraps-match-libvterm; do
	run "unit-valgrind/screen/$t" 120 valgrind -q --error-exitcode=9 "$B/test/unit-screen" "$t"
done
for f in test/ttyscript/corpus/*.tty; do
	run "ttyscript/$(basename "$f" .tty)" 60 "$B/bin/kpty-fuzz" --check "$f"
done
run "ttyscript/corpus-under-asan" 120 sh test/ttyscript/asan-corpus.sh "$B"
for f in test/ttyscript/errors/*.tty; do
	run "ttyscript-error/$(basename "$f" .tty)" 10 sh test/ttyscript/expect-error.sh "$B" "$f"
done

run "kpty/random-differential" $(( ${KPTY_FUZZ_SECONDS:-60} + 120 )) \
	"$B/bin/kpty-fuzz" --seconds "${KPTY_FUZZ_SECONDS:-60}" --seed "${SEED:-1}"
run "demo/scripted-session" 60 sh test/demo.sh "$B"
run "demo/view-headless" 60 sh test/demo-view.sh "$B"
# Each libFuzzer target: its committed inputs (seeds, past findings), then
# a short run.
for f in test/fuzz/*.c; do
	n=$(basename "$f" .c)
	run "fuzz/$n" $(( ${FUZZ_SECONDS:-10} + 120 )) sh test/fuzz/fuzz.sh test "$B" "$n" "${FUZZ_SECONDS:-10}"
done
run "build/clang" 600 make --no-print-directory CC=clang BUILD="$B/clang" \
	"$B/clang/bin/telly" "$B/clang/bin/kpty-script" "$B/clang/test/unit-rp"
for f in test/integration/*.sh; do
	case "$f" in */lib.sh) continue ;; esac
	run "integration/$(basename "$f" .sh)" 180 sh "$f" "$B"
done
# The event loops (daemon, telly view, compositor at work) under ASan and
# UBSan too: telly built with them, then the view tests, which drive all.
san="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
run "build/asan-telly" 900 make --no-print-directory BUILD="$B/asan" CFLAGS="$san" \
	"$B/asan/bin/telly" "$B/asan/test/png-probe" "$B/asan/test/free-port" "$B/asan/test/xclose" \
	"$B/asan/test/xprobe"
for t in view-typing view-focus view-move-resize view-lifecycle view-x11 vmconsole door-privsep door-keys door-winsize xview-xterm xview-desk x11-session x11-flood; do
	[ -x "$B/asan/bin/telly" ] && run "integration-asan/$t" 300 sh "test/integration/$t.sh" "$B/asan"
done

if [ $skip -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ $fail -eq 0 ]
