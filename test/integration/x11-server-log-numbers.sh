#!/bin/sh
# The X server looks for a free display number (-displayfd) and says two
# lines in the session's X log for each one in use ("..._XSERVTrans...
# SocketCreateListener() failed", "... server already running"), which
# read as errors. The log now says first what they are. Before, they
# came alone. (A display in use is made first, so that there are some.)
. test/integration/lib.sh "$1"
need_progs Xvfb
start_xvfb
"$TELLY" new --x11 -s n -- sleep 600 >"$T/new.out" 2>&1 || fail "telly new --x11: $(cat "$T/new.out")"
wait_until 20 grep -q 'session n: X display :[0-9]* ready' "$TELLY_DIR/serve.log"
log=$LOG_DIR/logs/n.x11.log
note='takes the first free display number; of each one in use it says "...SocketCreateListener() failed" and "server already running" (no error)'
awk -v note="$note" '
	index($0, note) { said = NR }
	/_XSERVTrans/ && !first { first = NR }
	END { exit !(said && (!first || said < first)) }' "$log" ||
	fail "the log does not say what the display number lines are: $(head -n 5 "$log")"
echo "$(grep -c _XSERVTrans "$log") lines of display numbers in use, said first what they are: ok"
"$TELLY" kill n >/dev/null 2>&1
