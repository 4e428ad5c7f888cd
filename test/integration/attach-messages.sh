#!/bin/sh
# Messages that blame the right thing: `telly new -s` without its value;
# a host name that does not resolve is ssh's failure (its exit status 255),
# not telly missing there; telly missing there (the remote shell's 127)
# says so.
. test/integration/lib.sh "$1"

out=$("$TELLY" new -s 2>&1)
rc=$?
[ $rc = 2 ] || fail "telly new -s: exit status $rc"
echo "$out" | grep -q -- "-s needs a value" || fail "telly new -s: $out"
echo "$out" | grep -q "unknown option" && fail "telly new -s: $out"

out=$(timeout 60 "$TELLY" attach --ssh "ssh -F none -o BatchMode=yes" nosuchhost.invalid:x </dev/null 2>&1)
rc=$?
[ $rc = 1 ] || fail "an unknown host: exit status $rc ($out)"
echo "$out" | grep -q "ssh could not reach or log in to nosuchhost.invalid" || fail "an unknown host: $out"
echo "$out" | grep -qi "installed" && fail "an unknown host is blamed on telly: $out"

dirs="$T/remote"
start_sshd "$T/remote"
out=$(timeout 60 "$TELLY" attach --ssh "$ssh_cmd" --server "$T/no/telly" "$dest:x" </dev/null 2>&1)
rc=$?
[ $rc = 1 ] || fail "no telly there: exit status $rc ($out)"
echo "$out" | grep -qF "'$T/no/telly' was not found on $dest (exit status 127)" || fail "no telly there: $out"
echo "messages: ok"
