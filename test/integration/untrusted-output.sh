#!/bin/sh
# What a program prints cannot stop the daemon or a desk: REP with
# nothing before it (libvterm 0.1.4 loops forever) and a CSI with 16
# sub-parameters (it writes past its array) printed in one session leave
# the daemon answering, every other session running, the session itself
# showing what came after, and telly view's terminal drawing it too.
. test/integration/lib.sh "$1"

"$TELLY" new -s bystander -- sh -c 'echo bystander-up; exec cat' >/dev/null || fail "new bystander"
"$TELLY" new -s rep -- sh -c "printf 'x\\033[b\\033[b'; echo; echo after-rep; exec sleep 600" >/dev/null ||
	fail "new rep"
"$TELLY" new -s colons -- sh -c "printf '\\033[::::::::::::::::2J\\033[;;;;;;;;;;;;;;;;;;;;m'; echo after-colons; exec sleep 600" \
	>/dev/null || fail "new colons"
pid=$(daemon_pid)
# The daemon draws a session's screen once its output pauses: give it
# the time to, by waiting for the output in the session's log.
wait_until 10 grep -q after-rep "$LOG_DIR/logs/rep.log"
wait_until 10 grep -q after-colons "$LOG_DIR/logs/colons.log"
for i in 1 2 3; do
	out=$(timeout 5 "$TELLY" ls 2>&1) || fail "telly ls did not answer ($out)"
done
kill -0 "$pid" 2>/dev/null || fail "the daemon died"
for s in bystander rep colons; do
	echo "$out" | grep -q "^$s:" || fail "session $s is gone: $out"
done

# Each session's screen shows what came after the bad bytes.
tm_start rep "exec $TELLY attach rep"
wait_for rep after-rep
tm_start colons "exec $TELLY attach colons"
wait_for colons after-colons
tm_start by "exec $TELLY attach bystander"
wait_for by bystander-up
tm send-keys -t t:by 'still-typing' Enter
wait_for by still-typing
kill -0 "$pid" 2>/dev/null || fail "the daemon died"

# Output that costs a whole screen a few bytes (insert-line at the top
# of a 500x1000 screen moves half a million cells) is paced by its cost:
# the session is slowed, the daemon and every other session are not.
cat >"$T/il.sh" <<'EOF2'
while [ "$(stty size)" != "500 1000" ]; do sleep 0.1; done
yes "$(printf '\033[L')" | tr -d '\n'
EOF2
tm_start il "exec $TELLY attach il -- sh $T/il.sh"
tm resize-window -t t:il -x 1000 -y 500
wait_until 10 sh -c "'$TELLY' ls | grep -q '^il:'"
# The flood under way: 30000 bytes are 10000 insert-lines at the top of
# a 500x1000 screen (a daemon that drew them unpaced would be stuck). How
# fast they come is how fast the daemon and attach's own screen model
# draw them, each a core's worth: 200 KB (the bound before) took 1 to
# 16 s on two cores shared with other people, 16 to 28 s beside other
# tests and two busy loops, against a wait of 30 s. The wait is for
# what proves the flood is there, with room for a slow machine.
wait_until 60 sh -c "test \$(stat -c %s '$LOG_DIR/logs/il.log') -gt 30000"
for i in 1 2 3; do
	out=$(timeout 10 "$TELLY" ls 2>&1) || fail "telly ls did not answer during the insert-line flood ($out)"
done
tm send-keys -t t:by 'typed-during-flood' Enter
wait_for by typed-during-flood
tm kill-window -t t:il
"$TELLY" kill il >/dev/null 2>&1

# A desk's terminal surface is given the same bytes as they come: telly
# view (one session, so that it has the focus) draws what follows them.
for s in bystander rep colons; do "$TELLY" kill "$s" || fail "kill $s"; done
"$TELLY" new -s late -- sh -c "echo ready; read x; printf 'y\\033[b\\033[::::::::::::::::2J'; echo after-late; exec sleep 600" \
	>/dev/null || fail "new late"
wait_until 10 sh -c "'$TELLY' ls | grep -q '^late:' && ! '$TELLY' ls | grep -q '^rep:'"
printf 'wait "ready" 20\nkey Return\nwait "after-late" 20\n' >"$T/script"
timeout 60 "$TELLY" view --headless --input "$T/script" >"$T/view.out" 2>&1 ||
	fail "telly view: $(cat "$T/view.out")"
kill -0 "$pid" 2>/dev/null || fail "the daemon died"
echo "untrusted output: ok"
