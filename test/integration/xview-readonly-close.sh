#!/bin/sh
# A read-only --seamless view's window closed with the desk's window
# manager is hidden in that view only: the watcher's "stop showing me
# this". The host's program is not asked (it keeps its window, a
# writable view still shows it), the view says so once, and once every
# window it showed is closed it ends, exit 0, saying how to watch again.
# Before, the close did nothing: the window stayed and only ^C ended
# the view. A modifier pressed alone in it says nothing.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo xwininfo xdotool
start_xvfb 1024x768
titled() { xwininfo -root -tree | grep -q "\"$1\""; }
untitled() { ! titled "$1"; }
deskwin() { xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1; }

"$TELLY" new --x11 -s rc -- sh -c 'xlogo -title one -geometry 200x150+40+40 & exec xlogo -title two -geometry 200x150+300+40' >/dev/null ||
	fail "telly new --x11"
"$TELLY" view --seamless -r --x11 rc >"$T/ro.out" 2>&1 &
ro=$!
pids="$pids $ro"
wait_until 20 titled "one (read-only)" || fail "no window one in the read-only view"
wait_until 20 titled "two (read-only)" || fail "no window two in the read-only view"

# Modifiers alone (Alt of the desk's Alt+F4, Shift, Ctrl, Super) type
# nothing: not said to go nowhere (before, Alt said it, then the close
# its hide). The close comes after them on the desk's display.
w=$(deskwin "one (read-only)")
xdotool windowraise "$w" mousemove --window "$w" 50 50 key Alt_L Shift_L Control_L Super_L \
	getmouselocation >/dev/null || fail "xdotool"
"$B/test/xclose" "$w" || fail "xclose one"
wait_until 10 untitled "one (read-only)" || fail "closed in the read-only view, window one is still on the desk"
grep -q "only watches" "$T/ro.out" && fail "a modifier alone said the view only watches: $(cat "$T/ro.out")"
grep -qx "telly view: read-only (-r): a window closed here is hidden in this view only; its program runs on" "$T/ro.out" ||
	fail "the hide was not said: $(cat "$T/ro.out")"
"$TELLY" ls | grep -q '^rc' || fail "the session went: $("$TELLY" ls)"
# The host still has it: a writable view shows it.
"$TELLY" view --seamless --x11 rc >"$T/rw.out" 2>&1 &
rw=$!
pids="$pids $rw"
wait_until 20 titled "one" || fail "the host's window one went with the read-only close"
kill "$rw"
wait "$rw" 2>/dev/null
kill -0 "$ro" 2>/dev/null || fail "the read-only view ended with a window still shown: $(cat "$T/ro.out")"
echo "one window closed: hidden in the read-only view only, said: ok"

"$B/test/xclose" "$(deskwin "two (read-only)")" || fail "xclose two"
wait_until 10 sh -c "! kill -0 $ro 2>/dev/null" || fail "every window closed, the read-only view runs on"
wait "$ro"
rc=$?
[ "$rc" = 0 ] || fail "the view exited $rc, not 0: $(cat "$T/ro.out")"
grep -qx 'telly view: every window closed in this read-only view; `telly view --seamless -r --x11 rc` shows them again, `telly kill rc` ends the session' "$T/ro.out" ||
	fail "not said how to watch again: $(cat "$T/ro.out")"
[ "$(grep -c "hidden in this view" "$T/ro.out")" = 1 ] || fail "the hide said more than once: $(cat "$T/ro.out")"
"$TELLY" ls | grep -q '^rc' || fail "the session went: $("$TELLY" ls)"
echo "every window closed: the view ends 0 and says how to watch again: ok"
"$TELLY" kill rc >/dev/null
