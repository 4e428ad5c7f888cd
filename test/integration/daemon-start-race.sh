#!/bin/sh
# A daemon a client starts stays for that client even when another client
# comes and goes first (x11-bench's `telly ls` polling while `telly x`
# starts the host's daemon, under load). The starting client is slowed at
# each connect (strace delays the call) so that `telly ls` gets in first.
# Before, the daemon, served once and with no connection left, exited and
# took its socket: the starter could not reach it ("cannot reach the new
# server ... No such file or directory") and its session never appeared.
. test/integration/lib.sh "$1"
need_progs strace

strace -o /dev/null -e trace=connect -e inject=connect:delay_enter=1500000 \
	"$TELLY" new -s first -- sleep 60 >/dev/null 2>"$T/new.err" &
np=$!
pids="$pids $np"
wait_until 20 grep -qs 'serving on' "$TELLY_DIR/serve.log"
"$TELLY" ls >/dev/null 2>&1 # in and out before the starter connects
wait "$np" || fail "telly new: $(cat "$T/new.err")"
"$TELLY" ls 2>&1 | grep -q first || fail "first is not listed: $("$TELLY" ls 2>&1)"
echo "daemon started for a client, another client first: ok"
