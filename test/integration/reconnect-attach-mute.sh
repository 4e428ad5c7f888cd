#!/bin/sh
# telly attach, after a redial that reaches a daemon which greets (HELLO)
# and then answers nothing: its RESUME gets no answer. Attach gives that
# answer the deadline telly view gives it (rp_link_answer_ms: a few round
# trips measured before the drop, at least 2 s; 10 s only when none was
# measured), says on its status line how long it waited, takes the link
# for lost and redials; keys typed meanwhile reach the program once each
# and in order once the daemon answers again. Over TCP through cut-proxy
# ("mute": the open connection stalls, and new ones carry the daemon's
# HELLO and then nothing).
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
serve_cut

cat >"$T/keys.sh" <<'PROG'
stty raw -echo
exec 3<&0
cat <&3 >"$1/keys" &
echo ready
exec sleep 3600
PROG
mkfifo "$T/in"
"$TELLY" attach --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" --create am -- \
	sh "$T/keys.sh" "$T" <"$T/in" >"$T/out" 2>"$T/attach.err" &
apid=$!
pids="$pids $apid"
exec 3>"$T/in"
wait_until 30 grep -q ready "$T/out" || fail "the program never said ready"
# The RESUME's deadline is made of the round trips attach has measured,
# so there must be one before the mute: attach's ~? help says the last
# one. Asked again, once answered, until it does; the newline before
# each ~? reaches the program, and the keys are compared without them.
asked=0
rtt_said() {
	grep -aq 'the link: round trip [0-9]' "$T/out" && return 0
	[ "$(grep -ac 'the link: ' "$T/out")" -ge "$asked" ] || return 1
	asked=$((asked + 1))
	printf '\r~?' >&3
	return 1
}
wait_until 30 rtt_said || fail "attach's ~? never said a measured round trip"
keys_are() { [ "$(tr -d '\r' <"$T/keys")" = "$1" ]; }
printf 'before.' >&3
wait_until 20 keys_are "before." || fail "'before.' never reached the program"

n0=$(accepted)
ctl mute
wait_until 10 grep -q '^mute' "$T/proxy.log"
printf 'during.' >&3
# The heartbeat drops the stalled connection; each redial after it gets
# a HELLO and no answer to RESUME. Two of them given up: attach goes on
# redialing rather than waiting.
gaveup() { grep -ao 'no answer to RESUME in [0-9]* ms' "$T/out" | sort -u; }
wait_until 60 sh -c "[ \$(grep -c '^accepted' '$T/proxy.log') -ge $((n0 + 3)) ]" ||
	fail "attach did not redial twice after RESUMEs with no answer"
wait_until 20 sh -c "grep -aq 'no answer to RESUME in' '$T/out'" ||
	fail "attach's status line never said its RESUME got no answer: $(tail -c 300 "$T/out" | cat -v)"
for ms in $(gaveup | sed 's/.* in \([0-9]*\) ms/\1/'); do
	[ "$ms" -ge 2000 ] || fail "a RESUME was given up after $ms ms, before the 2 s floor"
	[ "$ms" -lt 10000 ] ||
		fail "a RESUME was given up after $ms ms: the fixed 10 s, not the measured round trips' deadline"
done
grep -qs during "$T/keys" && fail "'during.' reached the program through a muted link"
kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"

ctl up
wait_until 10 grep -q '^up' "$T/proxy.log"
wait_until 60 keys_are "before.during." ||
	fail "the keys typed while muted did not arrive once, in order: '$(cat "$T/keys")'"
printf 'after.' >&3
wait_until 20 keys_are "before.during.after." || fail "'after.' never reached the program"
kill -0 $apid 2>/dev/null || fail "attach ended: $(cat "$T/attach.err")"
echo "attach gave up unanswered RESUMEs after $(gaveup | sed 's/.* in //' | tr '\n' ' ')and redialed; the keys arrived once, in order"
