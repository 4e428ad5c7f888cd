#!/bin/sh
# A malformed --input script is refused before anything starts, with the
# file and line named; a wait that never comes true fails with its line.
. test/integration/lib.sh "$1"

printf 'type "ok"\n# a comment\n\njump 3 4\n' >"$T/bad"
"$TELLY" view --headless --input "$T/bad" >"$T/out" 2>&1 && fail "a bad script was accepted"
grep -q "$T/bad:4: unknown step 'jump'" "$T/out" || fail "message: $(cat "$T/out")"
printf 'key ctrl+nosuchkey\n' >"$T/bad2"
"$TELLY" view --headless --input "$T/bad2" >"$T/out" 2>&1 && fail "a bad key was accepted"
grep -q "bad2:1: unknown key name 'nosuchkey'" "$T/out" || fail "message: $(cat "$T/out")"
printf 'type "unterminated\n' >"$T/bad3"
"$TELLY" view --headless --input "$T/bad3" >"$T/out" 2>&1 && fail "an open string was accepted"
grep -q "bad3:1: string has no closing quote" "$T/out" || fail "message: $(cat "$T/out")"
daemon_gone || fail "a refused script started a daemon"

"$TELLY" new -s s -- sh -c 'echo here; exec sleep 600' || fail "new"
printf 'wait "here"\nwait "never there" 0.5\n' >"$T/w"
"$TELLY" view --headless --input "$T/w" >"$T/out" 2>&1 && fail "a failed wait exited 0"
grep -q 'input line 2: "never there" not on the focused window after 0.5 s' "$T/out" ||
	fail "message: $(cat "$T/out")"
"$TELLY" view --size 10x10 --headless --screenshot "$T/x.png" >"$T/out" 2>&1 && fail "a tiny size was accepted"
grep -q 'out of range' "$T/out" || fail "message: $(cat "$T/out")"
echo "bad input scripts: ok"
