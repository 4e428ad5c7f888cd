#!/bin/sh
# telly attach with no name creates main; a name that does not exist is an
# error (exit status 3) that lists the sessions there and creates nothing,
# so a name typed wrong does not quietly become a new session; --create,
# or a command to run, creates it.
. test/integration/lib.sh "$1"

# (standard input ends at once: each attach detaches as soon as it is in)
timeout 20 "$TELLY" attach </dev/null >/dev/null 2>&1
[ $? = 4 ] || fail "telly attach with no name did not attach"
"$TELLY" ls | grep -q '^main:' || fail "telly attach with no name did not create main: $("$TELLY" ls)"
"$TELLY" new -s other -- sleep 600 >/dev/null || fail "telly new"

out=$(timeout 20 "$TELLY" attach mian </dev/null 2>&1 >/dev/null)
rc=$?
[ $rc = 3 ] || fail "attach to a missing session: exit status $rc, want 3 ($out)"
echo "$out" | grep -q "no session mian on this host" || fail "message: $out"
echo "$out" | grep -q "its sessions:.* main" || fail "the sessions there are not listed: $out"
echo "$out" | grep -q "other" || fail "the sessions there are not listed: $out"
echo "$out" | grep -q -- "--create mian" || fail "no hint to --create: $out"
"$TELLY" ls | grep -q '^mian:' && fail "a missing session was created: $("$TELLY" ls)"

# Read-only does not create either.
timeout 20 "$TELLY" attach -r mian </dev/null >/dev/null 2>&1
[ $? = 3 ] || fail "attach -r to a missing session"

timeout 20 "$TELLY" attach --create mian </dev/null >/dev/null 2>&1
[ $? = 4 ] || fail "attach --create"
"$TELLY" ls | grep -q '^mian:' || fail "--create did not create it: $("$TELLY" ls)"
timeout 20 "$TELLY" attach cmd1 -- sleep 600 </dev/null >/dev/null 2>&1
[ $? = 4 ] || fail "attach NAME -- CMD"
"$TELLY" ls | grep -q '^cmd1: sleep 600' || fail "a command did not create its session: $("$TELLY" ls)"
echo "attach creates only when asked: ok"
