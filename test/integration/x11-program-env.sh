#!/bin/sh
# What an X session's program gets, now that its environment is made in
# the daemon before the fork (the daemon has threads: the child makes
# system calls only): DISPLAY, XAUTHORITY and TELLY_SESSION set,
# WAYLAND_DISPLAY gone, the rest as the daemon has it; a program that
# cannot run is said in the session's X log, and the daemon serves on.
. test/integration/lib.sh "$1"
need_progs Xvfb

WAYLAND_DISPLAY=wayland-test TELLY_ENV_KEPT=yes "$TELLY" new --x11 -s e -- \
	sh -c "env >'$T/env.tmp' && mv '$T/env.tmp' '$T/env' && exec sleep 600" >"$T/new.out" 2>&1 ||
	fail "telly new --x11: $(cat "$T/new.out")"
wait_until 20 test -s "$T/env"
dpy=$(sed -n 's/.*session e: X display \(:[0-9]*\) ready.*/\1/p' "$TELLY_DIR/serve.log")
grep -qx "DISPLAY=$dpy" "$T/env" || fail "DISPLAY is not $dpy: $(grep DISPLAY "$T/env")"
grep -qx "XAUTHORITY=$TELLY_DIR/x11-e.auth" "$T/env" || fail "XAUTHORITY: $(grep XAUTHORITY "$T/env")"
grep -qx "TELLY_SESSION=e" "$T/env" || fail "TELLY_SESSION: $(grep TELLY_SESSION "$T/env")"
grep -q "^WAYLAND_DISPLAY=" "$T/env" && fail "WAYLAND_DISPLAY reached the X program"
grep -qx "TELLY_ENV_KEPT=yes" "$T/env" || fail "the daemon's environment did not reach the program"
[ "$(grep -c '^DISPLAY=' "$T/env")" = 1 ] || fail "DISPLAY twice in the environment"

# There, but its interpreter is not: its exec fails.
printf '#!/nonexistent/interpreter\n' >"$T/bad"
chmod +x "$T/bad"
# telly run says so and fails; the program's log says it too.
"$TELLY" run e -- "$T/bad" >"$T/run.out" 2>&1 && fail "telly run succeeded: $(cat "$T/run.out")"
grep -qF "cannot run $T/bad: No such file or directory" "$T/run.out" ||
	fail "telly run did not say why: $(cat "$T/run.out")"
wait_until 20 grep -qF "telly: cannot run $T/bad: No such file or directory" \
	"$LOG_DIR/logs/e.x11.log"
"$TELLY" ls | grep -q '^e: ' || fail "the session went with the program that could not run"
echo ok
