#!/bin/sh
# A view window whose session was gone when the link came back (the
# daemon restarted meanwhile: RESUME and OPEN both refused) says so and
# stays. A new session of that name started later is attached in that
# window: the name is not blocked while the gone one is shown. Over TCP
# through cut-proxy; the view headless, held at a gate (a FIFO as a
# screenshot file) until the new session is there.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
life_prog lifewin
fail() {
	echo "FAIL: $*"
	echo "--- view:"
	tail -n 20 "$T/view.err"
	echo "--- legend:"
	tail -n 20 "$T/legend"
	exit 1
}
serve "$T/s1.err"
link_proxy "$T/gate"
"$TELLY" new -s rt -- sh "$T/life.sh" first "$T/k1" >/dev/null || fail "new rt"
cat >"$T/in" <<EOF
wait-window "lifewin" 20
wait "first life" 20
screenshot $T/a.png
wait-window "is gone" 60
screenshot $T/gate
wait "third life" 30
EOF
view_start
wait_until 20 grep -q a.png "$T/legend" || fail "the first rt never showed"
ctl down
stop_daemon
serve "$T/s2.err"
ctl up
timeout 60 cat "$T/gate" >/dev/null || fail "the window never said its session was gone"
"$TELLY" new -s rt -- sh "$T/life.sh" third "$T/k3" >/dev/null || fail "new rt again"
wait "$vpid" || fail "the new rt never showed in the view"
grep -q 'rt attached anew' "$T/view.err" || fail "the view did not say rt was attached anew"
echo "ok: a gone window's name listed again is attached in place"
