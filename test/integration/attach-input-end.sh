#!/bin/sh
# telly attach ends on the end of its input (it is not a terminal), after
# sending what came before it, with exit status 4, instead of spinning on
# the pipe's end for ever; a signal ends it with 128+N, never 0.
. test/integration/lib.sh "$1"

"$TELLY" new -s main -- sh -c 'while read l; do echo "got[$l]"; done' >/dev/null || fail "telly new"
# `timeout` stands for the person who would wait: it returns 124 when
# attach runs on.
true | timeout 20 "$TELLY" attach main >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 4 ] || fail "true | telly attach main: exit status $rc, want 4 (end of input); $(cat "$T/err")"
grep -qF '[end of input: detached from main]' "$T/err" || fail "no last line: $(cat "$T/err")"
printf 'line-one\nline-two\n' | timeout 20 "$TELLY" attach main >/dev/null 2>&1
[ $? = 4 ] || fail "printf | telly attach main"
wait_until 10 grep -q 'got\[line-two\]' "$LOG_DIR/logs/main.log"
grep -q 'got\[line-one\]' "$LOG_DIR/logs/main.log" || fail "input before the end was lost"
"$TELLY" ls | grep -q '^main: .*0 viewers' || fail "attach did not detach: $("$TELLY" ls)"

# SIGTERM and SIGHUP: 128+N, and the terminal told.
cat >"$T/wrap.sh" <<EOW
echo \$\$ >"$T/pid.\$1"
exec "$TELLY" attach main
EOW
for sig in TERM HUP; do
	tm_start "w$sig" "sh $T/wrap.sh $sig; echo attach-rc=\$?; sleep 600"
	wait_until 10 test -s "$T/pid.$sig"
	wait_until 10 sh -c "'$TELLY' ls | grep -q '^main: .*1 viewer'"
	kill -"$sig" "$(cat "$T/pid.$sig")"
	case $sig in TERM) want=143 ;; HUP) want=129 ;; esac
	wait_for "w$sig" "attach-rc=$want"
	wait_for "w$sig" "detached from main]"
	wait_until 10 sh -c "'$TELLY' ls | grep -q '^main: .*0 viewers'"
done
echo "attach ends on end of input and signals: ok"
