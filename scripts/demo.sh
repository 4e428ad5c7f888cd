#!/bin/sh
# make demo: a private `telly serve` with two terminal sessions (a shell,
# and top redrawing) and an X session (xterm on the host's private
# display), shown by `telly view`: in an X window when $DISPLAY is set,
# otherwise headless with scripted typing, saving screenshots.
#
#   sh scripts/demo.sh BUILD_DIR
set -u
B=$(cd "${1:-build}" && pwd)
TELLY=$B/bin/telly
out=$B/demo
mkdir -p "$out"
export TELLY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/telly-demo.XXXXXX")
trap '"$TELLY" stop >/dev/null 2>&1; rm -rf "$TELLY_DIR"' EXIT INT TERM
# The demo's session logs go with it, not into the user's log folder.
export XDG_STATE_HOME=$TELLY_DIR/state

if command -v top >/dev/null 2>&1; then
	busy="top -d 0.5"
else
	busy="sh -c 'while :; do date; sleep 0.5; done'"
fi
"$TELLY" new -s top -- sh -c "exec $busy" || exit 1
"$TELLY" new -s shell -- env PS1='demo$ ' sh || exit 1
# An X program on the host's private display, its window beside the
# terminals (make deps installs Xvfb and xterm; without them, no window).
xsession=
if command -v Xvfb >/dev/null 2>&1 && command -v xterm >/dev/null 2>&1 &&
	"$TELLY" new --x11 -s gui -- xterm -T "xterm on the host" -geometry 60x12 \
		-e env PS1='x$ ' sh; then
	xsession=gui
fi

if [ -n "${DISPLAY:-}" ]; then
	echo "telly view on $DISPLAY: click a window to focus it, drag title bars and"
	echo "borders; ctrl+shift+Return opens a terminal, ctrl+shift+J/K cycles,"
	echo "ctrl+shift+W closes, ctrl+shift+M maximizes. Close the window to end."
	# Not exec: when the window goes, the trap stops the daemon and its
	# sessions.
	"$TELLY" view
	exit $?
fi

# Every window is on the desktop before the steps start: a window that
# comes later takes the focus (as a new window does), and the keys after
# it would go there.
if [ -n "$xsession" ]; then
	first='wait-window "xterm on the host" 20
wait-window "PS1=demo" 20'
else
	first='wait-window "PS1=demo" 20'
fi
cat >"$out/input" <<EOT
# The demo's scripted input (telly view --help lists the steps).
$first
wait "demo\$"
type "echo hello from telly view; uname -sr\n"
# The desk echoes the typed line itself at once: wait for what the
# commands print (uname's "Linux" comes after the echo's line).
wait "Linux"
screenshot $out/1-typed.png
key ctrl+shift+j
wait "load average"
screenshot $out/2-top-focused.png
key ctrl+shift+m
# top redrawn at the new size: its last row has a process's TIME+ (or
# the clock's time) on it.
wait ":" row -1
screenshot $out/3-top-maximized.png
EOT
[ -n "$xsession" ] && cat >>"$out/input" <<EOT
# The X program: its window raised and focused, keys typed into it.
wait-window "xterm on the host" 20
type "echo hello from an X program\n"
wait-update 10
EOT
echo "no \$DISPLAY: telly view --headless, typing from $out/input"
"$TELLY" view --headless --size 1024x768 --input "$out/input" >"$out/legend" || exit 1
if [ -n "$xsession" ]; then
	# A fresh view shows the X window as it is now, the typed line
	# answered (the last view stopped at the first pixels that changed).
	printf 'wait-window "xterm on the host" 20\nscreenshot %s\n' "$out/4-xterm.png" >"$out/input2"
	"$TELLY" view --headless --size 1024x768 --input "$out/input2" >>"$out/legend" || exit 1
fi
echo "screenshots:"
sed -n 's/^screenshot \([^ ]*\) .*/  \1/p' "$out/legend"
