#!/bin/sh
# Sessions started while telly view runs appear as windows (and take the
# focus); sessions that end leave it; when the last one ends, the view
# ends too.
. test/integration/lib.sh "$1"

"$TELLY" new -s a -- env PS1='a> ' sh || fail "new a"
"$TELLY" new -s b -- sh -c 'echo b-here; exec sleep 600' || fail "new b"
cat >"$T/in" <<EOT
wait "b-here"
key ctrl+shift+k
wait "a>"
type "$TELLY kill b; $TELLY new -s c -- sh -c 'echo c-\$((1))-ready; exec sleep 600'\n"
wait "c-1-ready"
screenshot $T/shot.png
EOT
"$TELLY" view --headless --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
grep -q '^window c .* focused$' "$T/legend" || fail "c did not appear with the focus"
grep -q '^window a ' "$T/legend" || fail "a is gone"
grep -q '^window b ' "$T/legend" && fail "b ended but is still a window"

# The view without a script runs until its sessions are gone.
"$TELLY" view --headless >"$T/out2" 2>&1 &
vp=$!
pids="$pids $vp"
wait_until 10 sh -c "\"$TELLY\" ls | grep -q '^a: .* 1 viewer)'"
"$TELLY" kill a && "$TELLY" kill c || fail "kill"
wait_until 10 sh -c "! kill -0 $vp 2>/dev/null"
wait $vp || fail "the view exited $? when its last session ended: $(cat "$T/out2")"
echo "sessions come and go: ok"
