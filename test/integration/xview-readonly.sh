#!/bin/sh
# A read-only view (-r) says so where the person watching looks: each of
# its --seamless windows' titles ends " (read-only)" while a writable
# view's shows the host's title as it is; telly's desktop says it in its
# own window's title and in each X window's frame; the first key or
# click says once on stderr that the view only watches (before: the
# windows looked like a writable view's, and typing went nowhere
# without a word).
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo xdotool
start_xvfb 1024x768
titled() { xwininfo -root -tree | grep -q "\"$1\""; }
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }

"$TELLY" new --x11 -s ro -- xlogo -geometry 200x150+40+40 >/dev/null || fail "telly new --x11"
"$TELLY" view --seamless -r --x11 ro >"$T/ro.out" 2>&1 &
pids="$pids $!"
"$TELLY" view --seamless --x11 ro >"$T/rw.out" 2>&1 &
pids="$pids $!"
wait_until 20 titled "xlogo (read-only)" || fail "no read-only window titled so: $(xwininfo -root -tree | grep xlogo)"
wait_until 20 titled "xlogo" || fail "the writable view's window is not titled as the host has it"
echo "--seamless -r: the title says it, the writable view's does not: ok"

w=$(deskwin "xlogo (read-only)")
xdotool windowraise "$w" mousemove --window "$w" 50 50 click 1 key a click 1 key b
wait_until 10 grep -q "only watches" "$T/ro.out" || fail "the read-only view said nothing of a click: $(cat "$T/ro.out")"
grep -qx "telly view: read-only (-r): this view only watches; your keys and clicks go nowhere" "$T/ro.out" ||
	fail "not said so: $(cat "$T/ro.out")"
[ "$(grep -c "only watches" "$T/ro.out")" = 1 ] || fail "said more than once: $(cat "$T/ro.out")"
grep -q "only watches" "$T/rw.out" && fail "the writable view said it: $(cat "$T/rw.out")"
echo "the first click or key says once that it only watches: ok"

# telly's desktop: its window's title, and the X window's frame (the
# same place drawn by a writable view and a read-only one: the read-only
# one's title bar has more text).
"$TELLY" view -r --x11 ro >"$T/dro.out" 2>&1 &
pids="$pids $!"
wait_until 20 titled "telly view (read-only)" || fail "telly's desktop window does not say read-only"
printf 'wait-window "xlogo" 20\nscreenshot %s\n' "$T/rw.png" >"$T/in-rw"
printf 'wait-window "xlogo" 20\nscreenshot %s\n' "$T/ro.png" >"$T/in-ro"
"$TELLY" view --headless --x11 ro --input "$T/in-rw" >"$T/l-rw" 2>"$T/e-rw" || fail "view: $(cat "$T/e-rw")"
"$TELLY" view --headless -r --x11 ro --input "$T/in-ro" >"$T/l-ro" 2>"$T/e-ro" || fail "view -r: $(cat "$T/e-ro")"
bar() { sed -n 's/^xwindow .* box \([-0-9]*\) \([-0-9]*\) \([0-9]*\) [0-9]* client [-0-9]* \([-0-9]*\) .*title "xlogo".*/\1 \2 \3 \4/p' "$1"; }
set -- $(bar "$T/l-rw")
[ $# -eq 4 ] || fail "no xlogo in the legend: $(cat "$T/l-rw")"
grep -q 'title "xlogo"' "$T/l-ro" || fail "the legend of a read-only view does not keep the host's title: $(cat "$T/l-ro")"
[ "$(bar "$T/l-ro")" = "$*" ] || fail "the frames differ in place: $(bar "$T/l-ro") and $*"
# (each title bar's own colour, taken at its right end)
drawn() { "$PROBE" "$1" other "$2" "$3" "$4" $(($5 - $3)) "$("$PROBE" "$1" rgb $(($2 + $4 - 4)) $(($3 + 2)))"; }
nrw=$(drawn "$T/rw.png" "$@")
nro=$(drawn "$T/ro.png" "$@")
echo "title bar: $nrw pixels drawn writable, $nro read-only"
[ "$nro" -gt $((nrw + 20)) ] || fail "the read-only frame's title says no more ($nro pixels, $nrw writable)"
echo "telly's desktop: its window's and the frame's titles say it: ok"
"$TELLY" kill ro >/dev/null
