#!/bin/sh
# x-server auto with an Xorg that does not start falls back to Xvfb once:
# the daemon finds Xorg in its PATH as it finds Xvfb (a fake one first),
# here a script that says why and exits 1, then one that never answers
# (the start deadline, XD_START_MS), one that says its display and dies,
# and the real one whose config cannot be written. Each time the session
# starts on Xvfb all the same, a view draws its window, and serve.log
# says that Xorg did not start, why, and what it said.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm
if [ ! -e /usr/lib/xorg/modules/drivers/dummy_drv.so ]; then
	echo "no dummy video driver: auto would not choose Xorg (make deps installs it)"
	exit 77
fi
has_window() { "$TELLY" ls | grep -q "window .*\"$1\""; }
drawn() { # SESSION TITLE: a headless view draws the window
	printf 'wait-window "%s" 20\nscreenshot %s\n' "$2" "$T/shot.png" >"$T/in"
	"$TELLY" view --headless --x11 "$1" --input "$T/in" >"$T/legend" 2>"$T/err" ||
		fail "view $1: $(cat "$T/err")"
	grep -q "xwindow .*title \"$2\"" "$T/legend" || fail "the view did not draw $2: $(cat "$T/legend")"
}

mkdir "$T/bin"
cat >"$T/bin/Xorg" <<'EOF'
#!/bin/sh
echo "fake Xorg: no screens found" >&2
exit 1
EOF
chmod +x "$T/bin/Xorg"
# The daemon that telly new starts has this PATH.
PATH=$T/bin:$PATH "$TELLY" new --x11 -s fb -- xterm -T tfb || fail "telly new --x11"
wait_until 30 has_window tfb
grep -q "session fb: the X server (Xorg) ended .*before it .*(it said: fake Xorg: no screens found): Xvfb instead" \
	"$TELLY_DIR/serve.log" || fail "serve.log does not say why: $(grep 'session fb' "$TELLY_DIR/serve.log")"
grep -q "session fb: X display :[0-9]* ready (Xvfb pid" "$TELLY_DIR/serve.log" || fail "not on Xvfb"
drawn fb tfb
echo "an Xorg that exits: Xvfb instead, said why: ok"

# One that never says its display: after the start deadline.
"$TELLY" stop >/dev/null 2>&1
wait_until 20 daemon_gone
cat >"$T/bin/Xorg" <<'EOF'
#!/bin/sh
echo "fake Xorg: stuck" >&2
exec sleep 120
EOF
PATH=$T/bin:$PATH "$TELLY" new --x11 -s fh -- xterm -T tfh || fail "telly new --x11"
wait_until 40 has_window tfh
grep -q "session fh: the X server (Xorg) did not start within [0-9]* ms (it said: fake Xorg: stuck): Xvfb instead" \
	"$TELLY_DIR/serve.log" || fail "serve.log does not say why: $(grep 'session fh' "$TELLY_DIR/serve.log")"
drawn fh tfh
echo "an Xorg that does not answer: Xvfb instead, said why: ok"

# One that says its display and dies (nothing answers on it): Xvfb all
# the same (before, the session ended: it could not connect).
dn=$((4000 + $$ % 1000))
cat >"$T/bin/Xorg" <<SCRIPT
#!/bin/sh
echo "fake Xorg: lost its screen" >&2
echo $dn >&3
exec sleep 2
SCRIPT
"$TELLY" new --x11 -s fn -- xterm -T tfn || fail "telly new --x11"
wait_until 40 has_window tfn
grep -q "session fn: cannot connect to the X server :$dn: .*(it said: fake Xorg: lost its screen): Xvfb instead" \
	"$TELLY_DIR/serve.log" || fail "serve.log does not say why: $(grep 'session fn' "$TELLY_DIR/serve.log")"
drawn fn tfn
echo "an Xorg that says its display and dies: Xvfb instead, said why: ok"

# The real Xorg, whose config cannot be written (a file where its folder
# goes): Xvfb (before, the session was refused).
rm "$T/bin/Xorg"
: >"$TELLY_DIR/x11-fc.xorg"
"$TELLY" new --x11 -s fc -- xterm -T tfc || fail "telly new --x11 with Xorg's config unwritable"
wait_until 40 has_window tfc
grep -q "session fc: the X server (Xorg) did not start: cannot make .*/x11-fc.xorg: File exists: Xvfb instead" \
	"$TELLY_DIR/serve.log" || fail "serve.log does not say why: $(grep 'session fc' "$TELLY_DIR/serve.log")"
grep -q "session fc: X display :[0-9]* ready (Xvfb pid" "$TELLY_DIR/serve.log" || fail "fc not on Xvfb"
drawn fc tfc
[ -f "$TELLY_DIR/x11-fc.xorg" ] || fail "the file in the way of Xorg's config was touched"
echo "an Xorg whose config cannot be written: Xvfb instead, said why: ok"
