#!/bin/sh
# Keys held down in an X window when the link goes. (1) A view over TCP
# holds shift in an xterm and is killed: the host releases the keys of a
# channel whose link is gone, so keys typed from another view are not
# shifted. (2) A view holds shift, the link goes silent, and more is typed
# with shift held and after it is let go, before the view notices: once
# resumed, the view presses again what was down at the place the host
# took, then sends the rest, so the xterm gets exactly the right case.
# Over TCP through cut-proxy; the views headless with scripts, held at a
# gate (a FIFO as a screenshot file) where the test acts.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate1" "$T/gate2"
fail() { view_fail "$@"; }
tl new --x11 -s xs -- xterm -T xtest -geometry 40x8+100+80 -e sh -c "exec cat >$T/typed" ||
	fail "new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

# (1) Shift held by a view that is killed.
cat >"$T/in1" <<EOF
wait-window "xtest" 30
key-down Shift_L
type "q"
wait-update 30
screenshot $T/held.png
screenshot $T/gate1
EOF
tl view --headless --x11 xs --input "$T/in1" >"$T/legend1" 2>"$T/view.err" &
v1=$!
pids="$pids $v1"
wait_until 30 grep -q "held.png" "$T/legend1" || fail "the first view never held shift"
kill -9 $v1
wait_until 20 grep -q "lost; its channel on xs waits" "$T/serve.err"
cat >"$T/in2" <<EOF
wait-window "xtest" 30
type "abc\n"
wait-update 30
EOF
"$TELLY" view --headless --x11 xs --input "$T/in2" >/dev/null 2>"$T/view.err" ||
	fail "the second view failed"
wait_until 20 grep -qis abc "$T/typed" || fail "abc never reached the xterm: $(cat "$T/typed")"
[ "$(cat "$T/typed")" = Qabc ] ||
	fail "the xterm got '$(cat "$T/typed")', not 'Qabc': a killed view's shift stayed down"
echo "a killed view's held shift was released"

# (2) Shift held across a link that goes silent.
cat >"$T/in3" <<EOF
wait-window "xtest" 30
key-down Shift_L
type "q"
wait-update 30
screenshot $T/q.png
screenshot $T/gate2
type "x"
key-up Shift_L
type "y\n"
wait-update 60
EOF
tl view --headless --x11 xs --input "$T/in3" >"$T/legend3" 2>"$T/view.err" &
v3=$!
pids="$pids $v3"
# The view reaches its gate once Q is drawn; then the link goes silent.
wait_until 30 grep -q "q.png" "$T/legend3" || fail "the view never drew Q"
ctl stall
wait_until 10 grep -q '^stall' "$T/proxy.log"
timeout 60 cat "$T/gate2" >/dev/null || fail "the view never reached its gate"
wait_until 60 grep -qs 'y$' "$T/typed" || fail "y never reached the xterm: $(cat "$T/typed")"
wait "$v3" || fail "the view failed"
printf 'Qabc\nQXy\n' >"$T/want"
cmp -s "$T/typed" "$T/want" || {
	echo "--- typed:"
	cat "$T/typed"
	fail "the xterm did not get QXy: shift was not down again where it was when resumed"
}
echo "shift held across a resume: the keys after it took it, and its release, once"
