#!/bin/sh
# telly view (headless): bash's `read x`, then readline raw again before
# the prompt. Keys typed right after the line's Enter are not given to
# the window by the desk's echo before bash's next prompt; bash echoes
# them after it. What the window's terminal was given (--record) is
# checked: after the line, the prompt, then the keys. The read is the
# first thing typed, at once after the prompt shows, so the host may not
# have said CONSUMED yet (bash never waited with its keys read): its
# CONTEXT says it will.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
cooked_serve
"$TELLY" new -s c1 -- bash --rcfile "$T/rc" -i || fail "new"
mkdir "$T/rec"
# "r''eady" is on screen as "ready" only once bash runs the line, after
# its canonical TERMIOS: keys typed from then on go through the desk.
cat >"$T/in" <<EOT
wait "P1 >" 30
type "echo r''eady; read x"
key Return
wait "ready" 20
type "foo"
wait "foo" 20
key Return
type "abc"
wait "P2 > abc" 20
EOT
cooked_view --record "$T/rec" --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
after=$(tr -d '\033\r\n' <"$T/rec/c1" | sed 's/.*foo//')
case "$after" in
*abc*P2*) fail "after the read's line the window was given '$after': the keys before the prompt" ;;
*P2*abc*) ;;
*) fail "after the read's line the window was given '$after', not the prompt then the keys" ;;
esac
echo "predict-view-cooked-read: ok"
