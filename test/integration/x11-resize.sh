#!/bin/sh
# The host display takes the screen size of the desk that views it (as
# xpra's does, and as tmux's window-size latest): a session started at
# 1000x700, viewed from a desk of 1200x800, is 1200x800 (xdpyinfo on the
# host display); a window maximized to the old size gets the new one, and
# on a smaller desk a window that would stand off the screen is moved
# inside. A read-only view changes nothing. With Xvfb (x-server xvfb in
# the config file) the session works at its first size, and serve.log
# says why it cannot change.
. test/integration/lib.sh "$1"
need_progs xterm xdpyinfo xwininfo xdotool Xvfb
. test/integration/xhost.inc
# view ARGS...: a headless view that draws tmax (a screenshot's legend
# lists the windows in $T/legend), then ends.
view() {
	printf 'wait-window "%s" 20\nscreenshot %s\n' "${VIEW_WAIT:-tmax}" "$T/shot.png" >"$T/in"
	"$TELLY" view --headless --x11 "$@" --input "$T/in" >"$T/legend" 2>"$T/err" ||
		fail "view $*: $(cat "$T/err")"
}

"$TELLY" new --x11 --screen 1000x700 -s rs -- xterm -T tmax || fail "telly new --x11"
"$TELLY" run rs -- xterm -T tside -geometry 20x3+700+550 || fail "telly run"
wait_until 20 has_window tmax
wait_until 20 has_window tside
grep -q "session rs started: an X display (Xorg pid [0-9]*) of 1000x700" "$TELLY_DIR/serve.log" ||
	fail "not an Xorg display: $(grep 'session rs' "$TELLY_DIR/serve.log")"
[ "$(dims rs)" = 1000x700 ] || fail "--screen 1000x700 made a display of $(dims rs)"
# What xd needs of any server, and no key repeat of its own (the desk's
# comes as keys).
has_exts() {
	onhost "$1" xdpyinfo >"$T/xdpyinfo" || fail "xdpyinfo on $1's display"
	for e in Composite DAMAGE XFIXES XTEST MIT-SHM RANDR; do
		grep -q "^ *$e\$" "$T/xdpyinfo" || fail "$1's X server has no $e"
	done
	onhost "$1" xset q | grep -q "auto repeat: *off" || fail "$1's X server repeats keys itself"
}
has_exts rs
# Its config: in the runtime directory, the folder 0700, the file 0600.
[ "$(stat -c %a "$TELLY_DIR/x11-rs.xorg")" = 700 ] && [ "$(stat -c %a "$TELLY_DIR/x11-rs.xorg/xorg.conf")" = 600 ] ||
	fail "the Xorg config: $(ls -la "$TELLY_DIR/x11-rs.xorg")"
# tmax maximized, as a program does by the screen's size.
onhost rs xdotool search --name '^tmax$' windowmove 0 0 windowsize 1000 700
wait_until 10 is_geom rs tmax "0 0 1000 700"
set -- $(geom rs tside)
side_x=$1 side_y=$2 side_w=$3 side_h=$4

# Read-only: the display keeps its size. A resize it caused could come
# late, so its desk's size is one the writer below never asks: the first
# resize serve.log tells must be the writer's.
view rs --size 1300x900 -r
"$TELLY" ls >/dev/null
[ "$(dims rs)" = 1000x700 ] || fail "a read-only view made the display $(dims rs)"
if grep -q "display :[0-9]* is now" "$TELLY_DIR/serve.log"; then fail "a read-only view resized it"; fi

# A desk of 1200x800: the display, and the maximized window, take its size;
# the other window stays where it was.
view rs --size 1200x800
wait_until 10 is_dims rs 1200x800
wait_until 10 is_geom rs tmax "0 0 1200 800"
is_geom rs tside "$side_x $side_y $side_w $side_h" ||
	fail "tside moved from $side_x $side_y $side_w $side_h to $(geom rs tside)"
first=$(grep -m1 "display :[0-9]* is now" "$TELLY_DIR/serve.log")
case "$first" in
*"is now 1200x800 (was 1000x700)") ;;
*) fail "the first resize serve.log tells is not the writer's 1200x800: $first" ;;
esac

# A desk of 800x600: tside would stand off the screen and is moved inside.
view rs --size 800x600
wait_until 10 is_dims rs 800x600
wait_until 10 is_geom rs tmax "0 0 800 600"
inside() {
	set -- $(geom rs tside)
	[ "$3" -eq "$side_w" ] && [ "$4" -eq "$side_h" ] &&
		[ "$1" -ge 0 ] && [ "$2" -ge 0 ] && [ $(($1 + $3)) -le 800 ] && [ $(($2 + $4)) -le 600 ]
}
wait_until 10 inside
# The host checks the size, whoever asks: OPEN ATTACH|SCREEN of 9000x600.
out=$("$B/test/rp-poke" "$TELLY_DIR/serve.sock" hello frame 6 \
	0000000184000272730000000000000000232802580000)
case "$out" in
*"code=9"*"a desk screen of 9000x600 pixels: each side must be 64 to 8192"*) ;;
*) fail "the host took a desk screen of 9000x600: $out" ;;
esac
[ "$(dims rs)" = 800x600 ] || fail "a refused size changed the display: $(dims rs)"
echo "Xorg: the display takes the desk's size, maximized windows follow, others kept inside: ok"

# Xvfb, forced: it works at its first size and says why it stays so.
"$TELLY" stop >/dev/null 2>&1
wait_until 20 daemon_gone
[ ! -e "$TELLY_DIR/x11-rs.xorg" ] || fail "the Xorg config outlived its display"
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"
"$TELLY" new --x11 --screen 1000x700 -s vs -- xterm -T tvfb || fail "telly new --x11 (Xvfb)"
wait_until 20 has_window tvfb
grep -q "session vs started: an X display (Xvfb pid [0-9]*) of 1000x700" "$TELLY_DIR/serve.log" ||
	fail "x-server xvfb did not start Xvfb: $(grep 'session vs' "$TELLY_DIR/serve.log")"
VIEW_WAIT=tvfb view vs --size 1200x800
grep -q 'xwindow .*title "tvfb"' "$T/legend" || fail "the view did not draw the Xvfb session's window: $(cat "$T/legend" "$T/err")"
wait_until 10 grep -q "keeps its size 1000x700 (a desk of 1200x800 views it): the X server (Xvfb) cannot change its size" \
	"$TELLY_DIR/serve.log"
[ "$(dims vs)" = 1000x700 ] || fail "Xvfb's display is $(dims vs)"
has_exts vs
# Said once, however many desks come.
VIEW_WAIT=tvfb view vs --size 1100x750
[ "$(grep -c 'cannot change its size' "$TELLY_DIR/serve.log")" -eq 1 ] || fail "said more than once"
echo "Xvfb: the session works at its first size, the log says why: ok"

# A wrong value is refused with the file, the line and what it takes.
"$TELLY" stop >/dev/null 2>&1
printf 'x-server wayland\n' >"$XDG_CONFIG_HOME/telly/config"
if "$TELLY" ls >"$T/out" 2>&1; then fail "x-server wayland was taken"; fi
grep -qF "$XDG_CONFIG_HOME/telly/config:1: x-server wants auto, xorg or xvfb, not 'wayland'" "$T/out" ||
	fail "x-server wayland: $(cat "$T/out")"
rm "$XDG_CONFIG_HOME/telly/config"
if "$TELLY" serve --x-server wayland >"$T/out" 2>&1; then fail "--x-server wayland was taken"; fi
grep -qF "x-server wants auto, xorg or xvfb, got 'wayland'" "$T/out" || fail "--x-server wayland: $(cat "$T/out")"
echo "x-server and --x-server take auto, xorg or xvfb: ok"
