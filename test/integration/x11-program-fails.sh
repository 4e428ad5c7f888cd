#!/bin/sh
# A program that cannot run, or ends badly, is told to the person who
# started it, as ssh -X tells it: `telly x -- PROG` says why PROG did
# not run and exits 127 (one PATH lacks, or a path that is not there or
# cannot be run, at once, as telly new and telly run say it: they exited
# 0, telly new --x11 of a path now and then), or exits with PROG's own status and says where
# its output went; a view open on the session is told of a `telly run`
# that failed, and the session serves on; a view that opens a session
# just after it ended is told how it ended (and with --exit-status,
# as telly x's view, exits with its status).
. test/integration/lib.sh "$1"
need_progs Xvfb xterm
start_xvfb 1024x768
# Programs whose exec fails though they are there: the interpreter is not.
for b in bad bad3; do
	printf '#!/nonexistent/interpreter\n' >"$T/$b"
	chmod +x "$T/$b"
done

# Its exec fails: the reason, and 127.
rc=0
timeout 60 "$TELLY" x -s nf -- "$T/bad" >"$T/nf.out" 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "telly x of a program that cannot run exited $rc: $(cat "$T/nf.out")"
grep -qF "cannot run $T/bad: No such file or directory" "$T/nf.out" ||
	fail "telly x did not say why the program did not run: $(cat "$T/nf.out")"

# A path that is not there, or cannot be run, fails as a name PATH
# lacks, said by its exec (the daemon's loop looks at no file), by telly
# new --x11 every time (it exited 0 when it saw the display come up
# before the session ended; then 1, where telly new, telly run and telly
# x exit 127), and telly x.
for i in 1 2 3; do
	rc=0
	"$TELLY" new --x11 -s nx -- /nonexistent/x >"$T/nx.out" 2>&1 || rc=$?
	[ "$rc" = 127 ] || fail "telly new --x11 of a path that is not there exited $rc: $(cat "$T/nx.out")"
	grep -qF "cannot run /nonexistent/x: No such file or directory" "$T/nx.out" ||
		fail "telly new --x11 did not say why: $(cat "$T/nx.out")"
done
# One there whose exec fails (its interpreter is not): telly new --x11
# fails every time with the reason (it exited 0 when it saw the display
# come up before the program's exec failed).
for i in 1 2 3; do
	printf '#!/nonexistent/interp\n' >"$T/noint$i"
	chmod +x "$T/noint$i"
	rc=0
	"$TELLY" new --x11 -s ni$i -- "$T/noint$i" >"$T/ni.out" 2>&1 || rc=$?
	[ "$rc" = 127 ] || fail "telly new --x11 of a script without its interpreter exited $rc: $(cat "$T/ni.out")"
	grep -qF "cannot run $T/noint$i: No such file or directory" "$T/ni.out" ||
		fail "telly new --x11 of a script without its interpreter did not say why: $(cat "$T/ni.out")"
done
rc=0
timeout 60 "$TELLY" x -s nx -- /nonexistent/x >"$T/nx-x.out" 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "telly x of a path that is not there exited $rc: $(cat "$T/nx-x.out")"
: >"$T/plain"
"$TELLY" new --x11 -s np -- "$T/plain" >"$T/plain.out" 2>&1 && fail "a file without x ran"
grep -qF "cannot run $T/plain: Permission denied" "$T/plain.out" || fail "$(cat "$T/plain.out")"

# One PATH does not have: its exec says so (no stat of PATH's folders in
# the daemon's loop), with the same words and 127 (telly new and telly
# run say it too, and fail).
rc=0
timeout 60 "$TELLY" x -s np -- telly-no-such-program >"$T/np.out" 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "telly x of a program not in PATH exited $rc: $(cat "$T/np.out")"
grep -qF "cannot run telly-no-such-program: No such file or directory" "$T/np.out" ||
	fail "telly x did not say why: $(cat "$T/np.out")"
"$TELLY" new -s np -- telly-no-such-program >"$T/np-new.out" 2>&1 &&
	fail "telly new of a program not in PATH succeeded: $(cat "$T/np-new.out")"
grep -qF "cannot run telly-no-such-program" "$T/np-new.out" || fail "telly new: $(cat "$T/np-new.out")"

# It runs and ends with status 3 after printing to stderr: 3, and where
# what it printed is.
rc=0
timeout 60 "$TELLY" x -s st -- sh -c 'sleep 1; echo "st-said-this" >&2; exit 3' \
	>"$T/st.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "telly x of a program that exits 3 exited $rc: $(cat "$T/st.out")"
# (on which machine: the desk may be another)
grep -q "sh (pid [0-9]*) ended with status 3; what it printed is in .*st.x11.log on $(hostname)\$" "$T/st.out" ||
	fail "telly x did not say how the program ended: $(cat "$T/st.out")"
grep -q "st-said-this" "$LOG_DIR/logs/st.x11.log" || fail "the program's stderr is not in its log"
# Said by the command the person typed (it said "telly view: ...").
grep -q "^telly x: .*ended with status 3" "$T/st.out" || fail "not said as telly x: $(cat "$T/st.out")"
grep -q "^telly view" "$T/st.out" && fail "telly x spoke as telly view: $(cat "$T/st.out")"

# A program ending with 0 is no news, and telly x exits 0.
timeout 60 "$TELLY" x -s ok -- sh -c 'sleep 1' >"$T/ok.out" 2>&1 ||
	fail "telly x of a program that exits 0 failed: $(cat "$T/ok.out")"
grep -q "ended with status" "$T/ok.out" && fail "a program's status 0 was told: $(cat "$T/ok.out")"
# Nothing at all, as ssh -X (it said "telly view: no sessions left").
[ -s "$T/ok.out" ] && fail "telly x of a program that exits 0 said: $(cat "$T/ok.out")"
# The daemon's log says the display was stopped, not that it broke.
wait_until 20 grep -q "session ok: its programs ended and left no X client: its X display was stopped" \
	"$TELLY_DIR/serve.log"
grep -q "session ok: the connection to the X server broke" "$TELLY_DIR/serve.log" &&
	fail "serve.log says the X server broke when telly stopped it"

# A view open on a session is told of a `telly run` that failed, as is
# the person who typed it; the session and its first program serve on.
"$TELLY" new --x11 -s keep -- xterm -T tkeep || fail "telly new --x11"
"$TELLY" view --headless --size 800x600 "" keep >"$T/view.out" 2>&1 &
pids="$pids $!"
wait_until 20 sh -c "'$TELLY' ls | grep -q '^keep: .*1 viewer'"
# One whose exec fails: telly run says why and fails, every time (it
# exited 0, and only the view heard).
for i in 1 2 3; do
	"$TELLY" run keep -- "$T/bad" >"$T/run.out" 2>&1 &&
		fail "telly run of a program that cannot run succeeded: $(cat "$T/run.out")"
	grep -qF "cannot run $T/bad: No such file or directory" "$T/run.out" ||
		fail "telly run did not say why: $(cat "$T/run.out")"
done
wait_until 20 grep -qF "keep: cannot run $T/bad: No such file or directory" "$T/view.out"
"$TELLY" run keep -- /nonexistent/two >"$T/run1.out" 2>&1 &&
	fail "telly run of a path that is not there succeeded: $(cat "$T/run1.out")"
grep -qF "cannot run /nonexistent/two: No such file or directory" "$T/run1.out" ||
	fail "telly run did not say why: $(cat "$T/run1.out")"
"$TELLY" run keep -- telly-no-such-program >"$T/run2.out" 2>&1 &&
	fail "telly run of a program not in PATH succeeded: $(cat "$T/run2.out")"
grep -qF "cannot run telly-no-such-program: No such file or directory" "$T/run2.out" ||
	fail "telly run did not say why: $(cat "$T/run2.out")"
"$TELLY" ls | grep -q '^keep: ' || fail "the session went with a program that could not run"

# Opened just after it ended (the daemon lingers for it): how it ended.
# (telly new waits for the display: it may see the session end, and
# then says why and fails.)
"$TELLY" new --x11 -s gone -- "$T/bad3" >"$T/gone-new.out" 2>&1 ||
	grep -qF "cannot run $T/bad3: No such file or directory" "$T/gone-new.out" ||
	fail "telly new --x11 gone: $(cat "$T/gone-new.out")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^gone:'"
# With --exit-status (telly x's view, when its program failed before the
# view came: a race a loaded machine loses), the view exits with the
# session's status; before, it exited 1.
rc=0
timeout 60 "$TELLY" view --seamless --exit-status "" gone >"$T/gone.out" 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "a view --exit-status of a session that had ended exited $rc: $(cat "$T/gone.out")"
# Without it, a view that could open nothing it was asked for exits 1, as
# `tmux attach -t` a session that is not there (it exited 0).
rc=0
timeout 60 "$TELLY" view --seamless "" gone >"$T/gone-plain.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a plain view of a session that had ended exited $rc: $(cat "$T/gone-plain.out")"
grep -qF "no session gone: it ended" "$T/gone.out" ||
	fail "the view was not told the session ended: $(cat "$T/gone.out")"
grep -qF "with status 127 (cannot run $T/bad3: No such file or directory)" "$T/gone.out" ||
	fail "the view was not told how the session ended: $(cat "$T/gone.out")"
echo ok
