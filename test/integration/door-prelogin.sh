#!/bin/sh
# The SSH front door before login (issue 16, "Pre-login limits"): the login
# grace time counts from the connection, key exchange included, and
# connections that never log in cannot keep a person out.
#
# With a grace time of 2 s (TELLY_SSH_LOGIN_GRACE): a TCP connection that
# never sends a byte and one that stops inside key exchange (its banner
# sent, nothing after) are both closed by the front door, and the log says
# why. With the default grace time: 512 connections that send nothing are
# held open, then the real OpenSSH client logs in and lists its consoles;
# the log says connections were dropped to make room.
. "$(dirname "$0")/lib.sh"
command -v bash >/dev/null || { echo "bash (for /dev/tcp) is not installed"; exit 77; }
cat >"$T/consoles.conf" <<EOF
[vm1]
backend = exec:cat
EOF
door_keys "alice:vm1:rw"
LOG=$TELLY_DIR/serve.log

# ---- the grace time covers key exchange ----
export TELLY_SSH_LOGIN_GRACE=2
door_start
bash -c '
	exec 3<>"/dev/tcp/127.0.0.1/$1" 4<>"/dev/tcp/127.0.0.1/$1" || exit 1
	printf "SSH-2.0-stalled\r\n" >&4
	cat <&3 >"$2/silent.out" & a=$!
	cat <&4 >"$2/stalled.out" & b=$!
	wait $a $b
	echo closed >"$2/closed"' closer "$door_port" "$T" &
pids="$pids $!"
wait_until 30 test -f "$T/closed"
grep -q "^SSH-2.0-" "$T/silent.out" || fail "the silent connection got no banner before its close"
grep -q "^SSH-2.0-" "$T/stalled.out" || fail "the stalled connection got no banner before its close"
[ "$(grep -c "not logged in within the login grace time: closed" "$LOG")" -ge 2 ] ||
	{ cat "$LOG"; fail "the log does not say why both were closed"; }
grep -q "login grace 2 s" "$LOG" || fail "the grace time is not the one asked for"
"$TELLY" stop >/dev/null || fail "telly stop"
wait_until 10 daemon_gone

# ---- 512 silent connections, then a login ----
unset TELLY_SSH_LOGIN_GRACE
door_start
bash -c '
	i=0
	while [ $i -lt 512 ]; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1
		i=$((i + 1))
	done
	echo "$i" >"$2/flood"
	exec sleep 600' flood "$door_port" "$T" &
flood=$!
pids="$pids $flood"
wait_until 120 test -s "$T/flood"
kill -0 "$flood" 2>/dev/null || fail "the flood did not hold its connections"
out=$(door_ssh alice 127.0.0.1 </dev/null 2>&1) || { tail -5 "$LOG"; fail "no login past the flood: $out"; }
echo "$out" | grep -q "consoles for alice" || fail "login past the flood: $out"
kill -0 "$flood" 2>/dev/null || fail "the flood ended before the login"
grep -q "dropped before login: more than 64 were waiting" "$LOG" ||
	{ tail -5 "$LOG"; fail "the log does not say connections were dropped"; }
grep -q "login grace 30 s" "$LOG" || fail "the default grace time is not 30 s"
echo "ok"
