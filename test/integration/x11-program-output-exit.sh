#!/bin/sh
# telly x's exit does not drop what its reader takes: a slow reader (16
# KiB each quarter second) of a program that printed 300000 bytes and
# ended gets every byte, though that takes longer than 2 s, and telly x
# exits 0. A reader that takes nothing for 2 s does not hold the exit,
# and what it did not get is said on stderr, telly x exiting 1 for a
# program that exited 0. Before, what was left after 2 s was dropped
# without a word, and telly x exited 0.
. test/integration/lib.sh "$1"
need_progs Xvfb perl
start_xvfb 1024x768
# The program prints once its view is attached (else what comes first is
# kept for it only up to 64 KiB).
# (Its pattern does not match its own command line, which the log says.)
attached() { echo "until grep -q 'connection [0-9]*: attached to $1\$' '$TELLY_DIR/serve.log'; do sleep 0.05; done"; }

{ "$TELLY" x -s ex1 -- sh -c "$(attached ex1); yes | head -c 300000" 2>"$T/x.err"; echo $? >"$T/rc1"; } |
	perl -e 'while (sysread(STDIN, $b, 16384)) { print $b; select(undef, undef, undef, 0.25) }' \
		>"$T/x.out" &
pids="$pids $!"
: >"$T/x.out"
got() { [ "$(wc -c <"$T/x.out")" -ge 300000 ]; }
wait_until 30 got || fail "the slow reader got $(wc -c <"$T/x.out") bytes of 300000: $(cat "$T/x.err")"
wait_until 10 test -s "$T/rc1" || fail "telly x did not exit"
[ "$(cat "$T/rc1")" = 0 ] || fail "telly x exited $(cat "$T/rc1"): $(cat "$T/x.err")"
[ "$(wc -c <"$T/x.out")" = 300000 ] || fail "$(wc -c <"$T/x.out") bytes, not 300000"
[ -s "$T/x.err" ] && fail "telly x said: $(cat "$T/x.err")"

# A reader that never reads (stopped): telly x exits, and says so.
mkfifo "$T/f"
exec 3<>"$T/f"
sh -c 'kill -STOP $$; exec cat' <"$T/f" >/dev/null 3>&- &
reader=$!
pids="$pids $reader"
rc=0
"$TELLY" x -s ex2 -- sh -c "$(attached ex2); yes | head -c 300000" >"$T/f" 2>"$T/y.err" 3>&- || rc=$?
[ "$rc" = 1 ] || fail "telly x exited $rc, not 1, with output not printed: $(cat "$T/y.err")"
grep -q "^telly x: [0-9]* bytes of sh's output not printed: its reader took none for 2 s$" "$T/y.err" ||
	fail "telly x did not say what it did not print: $(cat "$T/y.err")"
kill -CONT "$reader" 2>/dev/null
echo "ok: telly x's exit waits for a reader that reads, and says what one that does not missed"
