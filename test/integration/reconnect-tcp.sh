#!/bin/sh
# The link over TCP: 100 forced drops (resets, refusals, a silent link)
# while keys are typed and output flows: attach keeps running, resumes
# each time, and no key or byte of output is lost or doubled.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v perl >/dev/null || { echo "no perl"; exit 77; }
serve_cut
reconnect_run "${RECONNECT_DROPS:-100}" --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token"
n=$(grep -c 'resumed its channel on rc (exact' "$T/serve.err")
[ "$n" -ge "${RECONNECT_DROPS:-100}" ] || fail "only $n exact resumes in the daemon's log"
grep -q "resumed its channel on rc (redrawn" "$T/serve.err" && fail "a resume was redrawn"
echo "reconnect over tcp: ok"
