#!/bin/sh
# The line discipline moves between desk and host with the program's mode:
# canonical keys are edited and echoed on the desk; when the program goes
# raw (like vim) keys pass straight through, unechoed; keys typed around
# either switch are neither lost nor doubled.
. test/integration/lib.sh "$1"

go=$T/go
prog="printf 'CANON> '; read l; echo \"line[\$l]\";
while [ ! -e $go ]; do sleep 0.02; done;
stty -icanon -echo; printf 'RAW> '; k=\$(dd bs=1 count=3 2>/dev/null); printf 'got[%s]\n' \"\$k\";
stty icanon echo; printf 'BACK> '; read l; echo \"back[\$l]\"; exec cat"
tm_start w1 "exec $TELLY attach m1 -- sh -c '$(printf %s "$prog" | sed "s/'/'\\\\''/g")'"
wait_for w1 'CANON>'

# Canonical: edited on the desk (the backspaces never reach the host).
tm send-keys -t t:w1 'helxo' BSpace BSpace 'lo' Enter
wait_for w1 'line[hello]'
grep -q 'helxo' "$LOG_DIR/logs/m1.log" || fail "the desk's echo did not reach the host's log"

# Typed while still canonical, then the program goes raw: the held keys
# reach it once it reads raw, once.
tm send-keys -t t:w1 'ab'
wait_for w1 'ab'
touch "$go"
wait_for w1 'RAW>'
tm send-keys -t t:w1 'c'
wait_for w1 'got[abc]'
screen w1 | grep -q 'RAW> *c' && fail "a raw-mode key was echoed on the desk"

# Typed while raw, read after the switch back: not lost, not doubled.
tm send-keys -t t:w1 'xyz'
wait_for w1 'BACK>'
tm send-keys -t t:w1 Enter
wait_for w1 'back[xyz]'
screen w1 | grep -qF 'back[xyzxyz]' && fail "keys doubled"
tm send-keys -t t:w1 'cat line' Enter
wait_for w1 'cat line'
[ "$(count_on_screen w1 'cat line')" -eq 2 ] || fail "cat's echo and answer: want 2 lines"
echo "line discipline across mode switches: ok"
