#!/bin/sh
# telly view's X windows when the link drops: a line typed into an X
# window (xterm) while the link is down is held and typed into it once
# the X session is attached again, in order with what came before and
# after, once. Over TCP through cut-proxy, the view headless with a
# script; a terminal window's title says when the link is down.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 grep -q "serving on" "$T/serve.err"
pport=$(free_port)
mkfifo "$T/ctl"
"$B/test/cut-proxy" "$pport" "$port" "$T/ctl" >"$T/proxy.log" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q '^ready' "$T/proxy.log"
ctl() { echo "$1" >"$T/ctl"; }
tl() {
	sub=$1
	shift
	"$TELLY" "$sub" --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" "$@"
}
lib_fail() { echo "FAIL: $*"; tail -n 20 "$T/serve.err"; echo "--- view:"; tail -n 20 "$T/view.err"; exit 1; }
fail() { lib_fail "$@"; }

# A terminal whose title says when the link is down, and answers keys.
cat >"$T/keys.sh" <<'PROG'
stty raw -echo
printf '\033]2;keyswin\007'
echo ready
exec perl -e '$| = 1; my $t = ""; while (sysread(STDIN, my $b, 1)) { $t .= $b;
	if ($b eq ".") { print "got $t\r\n"; $t = ""; } }'
PROG
tl new -s keys -- sh "$T/keys.sh" >/dev/null || fail "new keys"
tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 \
	-e sh -c "while read l; do printf '%s\n' \"\$l\" >>$T/typed; done" || fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOF
wait-window "keyswin" 20
wait "ready" 20
wait-window "xtest" 30
type "before\n"
wait-update 30
screenshot $T/before-drawn.png
wait-window "] keyswin" 60
wait-window "xtest" 30
type "during\n"
screenshot $T/typed-down.png
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
wait_until 30 grep -qs before "$T/typed"
# the view has seen its answer drawn (else the cut could come between
# the key and its picture, and the view wait for a picture that the
# link, down, cannot bring)
wait_until 30 test -e "$T/before-drawn.png"
ctl down
wait_until 30 test -e "$T/typed-down.png" || fail "the line was not typed while the link was down"
ctl up
wait_until 60 grep -qs after "$T/typed"
wait "$vpid" || fail "the view failed: $(cat "$T/view.err")"
printf 'before\nduring\nafter\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || {
	echo "--- typed:"; cat "$T/typed"
	fail "the X window got other lines than before, during, after, once each"
}
echo "view's X window: the line typed while the link was down arrived once, in order"
