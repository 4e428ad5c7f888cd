#!/bin/sh
# The audit log is out of reach of session and console names: a console
# named `audit` does not write guest output into it, and a session named
# `audit` does not truncate it. It holds audit lines only.
. test/integration/lib.sh "$1"
mkdir -p -m 700 "$TELLY_DIR"
A=$LOG_DIR/audit.log

"$TELLY" serve --console 'audit=exec:echo guest-output-$((6*7)); exec sleep 1000' \
	--console 'vm1=exec:exec cat' 2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 test -S "$TELLY_DIR/serve.sock"
tm_start w1 "$TELLY attach vm1"
wait_for w1 'vm1: attached, you are writing'
# The console named audit printed; its log has it.
wait_until 10 grep -rqs 'guest-output-42' "$LOG_DIR/logs"

audit_lines_only() { # every file with an audit line holds audit lines only
	for f in $(grep -rl 'console=vm1 who=' "$TELLY_DIR"); do
		bad=$(grep -cv '^[0-9-]*T[0-9:.]* console=[^ ]* who="' "$f")
		[ "$bad" = 0 ] || { cat "$f"; fail "$f mixes $bad other lines with audit lines"; }
	done
}
wait_until 10 grep -qs 'console=vm1 who=.* attach writing' "$A"
audit_lines_only
grep -q 'guest-output' "$A" && fail "guest output in the audit log"

tm send-keys -t t:w1 Enter '~.'
"$TELLY" stop >/dev/null || fail "telly stop"
wait_until 10 daemon_gone

# A session named audit, on a daemon started as usual.
"$TELLY" new -s audit -- sh -c 'echo session-output-$((6*7))' >/dev/null || fail "telly new audit"
wait_until 10 grep -qs 'session-output-42' "$LOG_DIR/logs/audit.log"
grep -q 'console=vm1 who=.* attach writing' "$A" || fail "the audit log lost its lines"
grep -q 'session-output' "$A" && fail "session output in the audit log"
audit_lines_only
echo "the audit log: audit lines only, whatever sessions and consoles are named: ok"
