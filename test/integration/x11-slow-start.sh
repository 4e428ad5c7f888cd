#!/bin/sh
# telly new --x11 waits as long as the daemon may take to start a display:
# under x-server auto, X.Org's server and then Xvfb each have XD_START_MS
# (10 s) to say their display and as long again to answer, 40 s in all.
# Here both say it after 8 s and then never answer (stopped): the daemon
# gives up at about 37 s and says why. Before, telly new gave up at 30 s
# ("has not come up after 30 s"), while the display could still come up
# (a loaded machine): the person was told it failed, and a session was
# left starting. Now it says the daemon's reason, and nothing is left.
. test/integration/lib.sh "$1"
need_progs Xvfb
[ -e /usr/lib/xorg/modules/drivers/dummy_drv.so ] ||
	[ -e /usr/lib64/xorg/modules/drivers/dummy_drv.so ] || { echo "no X.Org dummy driver"; exit 77; }
. test/integration/xheld.inc

# A server (Xorg or Xvfb, by the name it is run as) that says its display
# 8 s after the real Xvfb did and never answers (SIGSTOP).
for name in Xorg Xvfb; do
	# (the fake Xorg runs a real Xvfb of its own: Xorg's arguments are not Xvfb's)
	args=
	[ $name = Xvfb ] || args='-displayfd 3 -nolisten tcp -noreset'
	held_xserver $name "kill -STOP \$x; echo \$x >'$T/$name.pid'; sleep 8 & wait \$!" "$args"
done

start=$(date +%s)
rc=0
PATH=$T/bin:$PATH "$TELLY" new --x11 -s slow >"$T/new.out" 2>"$T/new.err" || rc=$?
took=$(( $(date +%s) - start ))
echo "telly new --x11 exited $rc after ${took} s: $(cat "$T/new.err")"
[ "$rc" = 1 ] || fail "telly new --x11 exited $rc: $(cat "$T/new.out" "$T/new.err")"
grep -q "has not come up" "$T/new.err" && fail "telly new gave up before the daemon did"
grep -q "the X server (Xvfb) of display :[0-9]* did not answer within" "$T/new.err" ||
	fail "telly new did not say the daemon's reason: $(cat "$T/new.err")"
grep -q "session slow: the X server (Xorg) .*Xvfb instead" "$TELLY_DIR/serve.log" ||
	fail "the display did not start on Xorg first: $(grep 'session slow' "$TELLY_DIR/serve.log")"
"$TELLY" ls | grep -q '^slow:' && fail "the session is left: $("$TELLY" ls)"
for name in Xorg Xvfb; do
	p=$(cat "$T/$name.pid")
	wait_until 10 sh -c "! kill -0 $p 2>/dev/null"
done
echo "an X display that does not come up within the daemon's bounds: said, nothing left: ok"
