#!/bin/sh
# telly new --x11 returns once the display is up: on a host without an X
# server it fails and says why (it printed a name and exited 0, and the
# session was gone a moment later, unsaid), telly x says it too (it said
# only "status 127"); and `telly new --display` right after `telly new
# --x11` finds the display (it said "the X session gui is still
# starting"); telly x whose own display cannot be opened starts nothing.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm
start_xvfb 1024x768

# A PATH with every program but Xvfb, for the daemon the client starts;
# Xvfb forced (auto would find X.Org's server by its own path).
mkdir "$T/bin" "$XDG_CONFIG_HOME" "$XDG_CONFIG_HOME/telly"
for f in /usr/local/bin/* /usr/bin/* /bin/*; do
	case $f in */Xvfb) continue ;; esac
	[ -e "$T/bin/${f##*/}" ] || ln -s "$f" "$T/bin/${f##*/}"
done
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"
PATH=$T/bin command -v Xvfb >/dev/null && fail "Xvfb still in the test's PATH"

rc=0
PATH=$T/bin "$TELLY" new --x11 -s a -- xterm >"$T/new.out" 2>"$T/new.err" || rc=$?
[ "$rc" = 1 ] || fail "telly new --x11 without an X server exited $rc: $(cat "$T/new.out" "$T/new.err")"
grep -q "cannot run the X server (Xvfb): No such file or directory" "$T/new.err" ||
	fail "telly new --x11 did not say why: $(cat "$T/new.err")"
echo "telly new --x11 without an X server: $(cat "$T/new.err")"

rc=0
PATH=$T/bin timeout 60 "$TELLY" x -s b -- xterm >"$T/x.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || fail "telly x without an X server exited 0"
grep -q "cannot run the X server (Xvfb): No such file or directory" "$T/x.out" ||
	fail "telly x did not say why: $(cat "$T/x.out")"
echo "telly x without an X server: ok"

"$TELLY" stop >/dev/null 2>&1
wait_until 20 daemon_gone

# With one: the display is up when telly new --x11 returns.
"$TELLY" new --x11 -s gui -- xterm -T gui >"$T/gui.out" 2>&1 || fail "telly new --x11: $(cat "$T/gui.out")"
"$TELLY" ls | grep -q '^  display :[0-9]*, ' || fail "the display is not up after telly new --x11: $("$TELLY" ls)"
"$TELLY" new --display gui -s term -- sh -c "echo \"\$DISPLAY\" >$T/dpy.txt; exec sleep 60" \
	>"$T/term.out" 2>&1 || fail "telly new --display right after telly new --x11: $(cat "$T/term.out")"
wait_until 10 test -s "$T/dpy.txt"
[ "$(cat "$T/dpy.txt")" = "$("$TELLY" ls | sed -n 's/^  display \(:[0-9]*\),.*/\1/p')" ] ||
	fail "the terminal's DISPLAY is $(cat "$T/dpy.txt"), not the X session's"
echo "telly new --display right after telly new --x11: ok"

# A desk display that cannot be opened: telly x says so before it starts
# anything on the host (the program ran on in a session nobody saw).
rc=0
DISPLAY=:987 timeout 60 "$TELLY" x -s nodesk -- xterm >"$T/nodesk.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "telly x with a display it cannot open exited $rc: $(cat "$T/nodesk.out")"
grep -qF "cannot open X display ':987'" "$T/nodesk.out" || fail "telly x: $(cat "$T/nodesk.out")"
"$TELLY" ls | grep -q '^nodesk:' && fail "telly x started the session all the same: $("$TELLY" ls)"
echo "telly x with a display it cannot open: started nothing: ok"
