#!/bin/sh
# Runs one libFuzzer target of test/fuzz (see README.md there), the same
# way for `make fuzz-NAME` and for test/run.sh:
#
#   sh test/fuzz/fuzz.sh regress BUILD NAME          each committed input once
#   sh test/fuzz/fuzz.sh run BUILD NAME SECONDS      fuzz (0: until a finding or ^C)
#   sh test/fuzz/fuzz.sh test BUILD NAME SECONDS     regress, then run (make test)
#
# Committed inputs: test/fuzz/corpus/NAME/ (seeds and every past finding).
# The working corpus grows in BUILD/fuzz-corpus/NAME/, findings (crash-*,
# timeout-*, leak-*, oom-*) land in BUILD/fuzz-findings/NAME/.
# FUZZ_TIMEOUT=N: an input that runs longer than N s is a hang (default 5).
# Extra libFuzzer flags for a target: test/fuzz/NAME.options (one a line,
# # comments); a dictionary: test/fuzz/NAME.dict.
mode=$1 B=$2 name=$3 secs=${4:-0}
bin=$B/test/fuzz-$name
seeds=test/fuzz/corpus/$name
work=$B/fuzz-corpus/$name
found=$B/fuzz-findings/$name

[ -x "$bin" ] || { echo "$bin: not built (make BUILD=$B $bin)"; exit 1; }
# ASan keeps 256 MiB of freed memory poisoned by default: a target that
# frees a screen or two per input then gets fresh pages for most of its
# allocations (page faults, munmap: half the terminal fuzzers' time).
# 16 MiB is still many inputs' worth, so a use after free within an
# input, or from one to the next, is still caught. Nor is freed memory
# handed back to the system every few seconds, to be faulted in again
# (a tenth of the time, in madvise). ASAN_OPTIONS given come after, and
# win.
export ASAN_OPTIONS="quarantine_size_mb=16:allocator_release_to_os_interval_ms=-1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
mkdir -p "$work" "$found"
# libFuzzer's own exit status for a finding is 77, which test/run.sh takes
# for "skipped": say 1 for a crash or leak, 2 for a hang.
opts="-timeout=${FUZZ_TIMEOUT:-5} -error_exitcode=1 -timeout_exitcode=2"
opts="$opts -artifact_prefix=$found/ -print_final_stats=1"
[ -f "test/fuzz/$name.options" ] && opts="$opts $(sed 's/#.*//' "test/fuzz/$name.options")"
[ -f "test/fuzz/$name.dict" ] && opts="$opts -dict=test/fuzz/$name.dict"

finding() {
	echo "$name: a finding, in $found/: reproduce with $bin FILE;"
	echo "minimize with $bin -minimize_crash=1 -runs=100000 FILE,"
	echo "fix, and commit the minimized input to $seeds/"
}

case $mode in
regress)
	set -- "$seeds"/*
	[ -f "$1" ] || { echo "$seeds: no committed inputs"; exit 1; }
	echo "$name: $# committed inputs of $seeds"
	# Files (not a directory) are run whole, each once, not mutated.
	"$bin" $opts "$@" || { finding; exit 1; }
	;;
run)
	"$bin" $opts -max_total_time="$secs" "$work" "$seeds" || { finding; exit 1; }
	;;
test)
	sh "$0" regress "$B" "$name" && sh "$0" run "$B" "$name" "$secs"
	;;
*)
	echo "usage: fuzz.sh regress|run|test BUILD NAME [SECONDS]"
	exit 2
	;;
esac
