#!/bin/sh
# telly view's X input across a link that goes silent: keys typed into an
# X window (xterm running cat) after the link has died but before the view
# has noticed (its heartbeat needs about 2 s) reach the program exactly
# once and in order, with what came before and after. The host says in
# RESUMED which X input it took; the view sends exactly the rest again.
# Over TCP through cut-proxy ("stall": the connection open, carrying
# nothing); the view headless with a script, held at a gate (a FIFO as
# its screenshot file) until the link is stalled, so that its keys go
# into the dead connection.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate"
fail() { view_fail "$@"; }

# A terminal whose title says when the link is down, and answers keys.
cat >"$T/keys.sh" <<'PROG'
stty raw -echo
printf '\033]2;keyswin\007'
echo ready
exec perl -e '$| = 1; my $t = ""; while (sysread(STDIN, my $b, 1)) { $t .= $b;
	if ($b eq ".") { print "got $t\r\n"; $t = ""; } }'
PROG
tl new -s keys -- sh "$T/keys.sh" >/dev/null || fail "new keys"
tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 -e sh -c "exec cat >$T/typed" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOF
wait-window "keyswin" 20
wait "ready" 20
wait-window "xtest" 30
type "before\n"
wait-update 30
screenshot $T/gate
type "during one\n"
type "during two, three four five\n"
wait-window "] keyswin" 60
wait-window "keyswin" 30
type "k."
wait "got k." 60
wait-window "xtest" 60
type "after\n"
wait-update 30
EOF
tl view --headless --input "$T/in" >"$T/legend" 2>"$T/view.err" &
vpid=$!
pids="$pids $vpid"
wait_until 30 grep -qs before "$T/typed" || fail "'before' never reached the xterm"
# The link goes silent, then the view goes on past its gate: the keys of
# 'during' go into the connection that carries nothing.
ctl stall
wait_until 10 grep -q '^stall' "$T/proxy.log"
timeout 60 cat "$T/gate" >/dev/null || fail "the view never reached its gate"
wait_until 60 grep -qs after "$T/typed" || fail "'after' never reached the xterm"
wait "$vpid" || fail "the view failed"
printf 'before\nduring one\nduring two, three four five\nafter\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || {
	echo "--- typed:"
	cat "$T/typed"
	fail "the X window did not get every line once, in order"
}
grep -q "X session resumed" "$T/view.err" || fail "the view did not say the X session resumed"
echo "X keys typed into a link that went silent arrived once each, in order"
