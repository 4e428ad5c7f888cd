#!/bin/sh
# make bench, display part: keystroke-to-pixel through telly view
# (headless, this host, 200 keys, each typed once the last one's echo is
# on the framebuffer), split by stage; and draining dense full-screen
# output: telly view (headless, and x11 on Xvfb) against xterm on the same
# Xvfb, same bytes, same run, interleaved rounds, medians. All draw with
# freetype from the same font (xterm -fa), all 80x24.
#
#   KEYS=200 VIEW_DRAIN_MB=20 VIEW_ROUNDS=3 sh test/bench/view-bench.sh BUILD_DIR
. test/integration/lib.sh "$1"
KEYS=${KEYS:-200}
MB=${VIEW_DRAIN_MB:-20}
ROUNDS=${VIEW_ROUNDS:-3}
export LANG=C.UTF-8

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

keys() { # LABEL PROGRAM
	"$TELLY" new -s k -- sh -c "$2" || fail "new"
	"$TELLY" view --headless --bench-keys "$KEYS" >/dev/null 2>"$T/k.err" || fail "view: $(cat "$T/k.err")"
	"$TELLY" kill k >/dev/null 2>&1
	wait_until 10 sh -c "! \"$TELLY\" ls 2>/dev/null | grep -q '^k:'"
	echo "$1:"
	sed -n '/keystroke-to-pixel/,$p' "$T/k.err"
}
echo "== keystroke-to-pixel, telly view --headless, $KEYS keys, this host"
keys "canonical (cat; echo drawn on the desk)" "exec cat"
keys "raw (stty raw -echo; cat echoes each key)" "stty raw -echo; exec cat"

echo
echo "== draining $MB MB of dense output (80-column lines, full screen scrolling)"
base64 -w 79 /dev/urandom | head -c $((MB * 1024 * 1024)) >"$T/dense" || fail "no data"
start_xvfb
dpy=$DISPLAY; unset DISPLAY # only the x11 rounds draw there

drain_view() { # FILE [VIEW OPTIONS]
	f=$1
	shift
	"$TELLY" new -s d -- sh -c "read go; cat '$T/dense'; echo DRAIN-DONE; exec sleep 600" || fail "new"
	printf 'type "\\n"\nwait "DRAIN-DONE" 600\n' >"$T/in"
	t0=$(now_ms)
	"$TELLY" view "$@" --stats --input "$T/in" >/dev/null 2>"$T/d.err" || fail "view: $(cat "$T/d.err")"
	t1=$(now_ms)
	"$TELLY" kill d >/dev/null 2>&1
	wait_until 10 sh -c "! \"$TELLY\" ls 2>/dev/null | grep -q '^d:'"
	echo $((t1 - t0)) >>"$T/$f.ms"
	sed -n 's/.* \([0-9]*\) frames in .*/\1/p' "$T/d.err" >>"$T/$f.frames"
}
drain_xterm() {
	t0=$(now_ms)
	DISPLAY=$dpy xterm -fa 'DejaVu Sans Mono' -fs 12 -geometry 80x24 -e cat "$T/dense" || fail "xterm"
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$T/xterm.ms"
}
for r in $(seq "$ROUNDS"); do
	drain_view headless --headless
	DISPLAY=$dpy drain_view x11
	drain_xterm
done
hm=$(median <"$T/headless.ms") hf=$(median <"$T/headless.frames")
vm=$(median <"$T/x11.ms") vf=$(median <"$T/x11.frames") xm=$(median <"$T/xterm.ms")
awk -v mb="$MB" -v hm="$hm" -v hf="$hf" -v vm="$vm" -v vf="$vf" -v xm="$xm" -v r="$ROUNDS" 'BEGIN {
	printf "(median of %d rounds)         MB/s       ms   frames/s\n", r
	printf "telly view --headless    %7.1f  %7.0f  %9.0f\n", mb / (hm / 1000), hm, hf / (hm / 1000)
	printf "telly view, x11 on Xvfb  %7.1f  %7.0f  %9.0f\n", mb / (vm / 1000), vm, vf / (vm / 1000)
	printf "xterm on Xvfb            %7.1f  %7.0f\n", mb / (xm / 1000), xm
	printf "telly view x11 / xterm   %7.2fx\n", xm / vm
}'
