#!/bin/sh
# The host types with the desk's CapsLock, NumLock and layout group,
# which the host's display keeps on its own otherwise (changed only by
# the lock keys that reach it): CapsLock on at the desk when the view
# starts, CapsLock pressed in another desk window, the desk on its second
# layout at attach. A seamless view into the host's xterm, keys pressed
# on the desk as a user does (XTEST, the window focused).
. test/integration/lib.sh "$1"
need_progs xterm xdotool xwininfo setxkbmap xkbcomp xlogo
start_xvfb 1024x768
# The desk's CapsLock on, its second layout (ru) in use, before the view.
setxkbmap -layout us,ru -option -option grp:alt_shift_toggle || fail "setxkbmap us,ru"
xdotool keydown Alt_L keydown Shift_L keyup Shift_L keyup Alt_L
xdotool key Caps_Lock

xlogo -geometry 100x100+600+400 -title otherwin &
pids="$pids $!"
wait_until 20 sh -c "xwininfo -name otherwin >/dev/null 2>&1"
typed_view lk locktest "${LOCKS_VIEW:-seamless}"

caps_elsewhere() { # CapsLock pressed in the other desk window
	xdotool windowfocus --sync "$(deskwin otherwin)" || fail "cannot focus the other window"
	xdotool key Caps_Lock
	xdotool windowfocus --sync "$(deskwin "$title")" || fail "cannot focus the view's window"
}
bad="" # each check's failure, all said at the end
check() { # WANT WHAT: the line typed is WANT
	[ "$got" = "$1" ] || bad="$bad
$2: typed '$got' on the host, not '$1'"
	echo "$2: $got"
}
# The key of a (Cyrillic ef on ru), with CapsLock on: capital ef.
xdotool key --delay 20 Cyrillic_ef Return
next_line
check Ф "CapsLock on and ru at the desk when the view started"

# Back to us (the switch's keys go to the view), CapsLock still on.
xdotool keydown Alt_L keydown Shift_L keyup Shift_L keyup Alt_L
xdotool key --delay 20 a Return
next_line
check A "CapsLock on, back to us"
# CapsLock off in another desk window: the host's follows.
caps_elsewhere
xdotool key --delay 20 b Return
next_line
check b "CapsLock turned off in another desk window"
# ... and on again there.
caps_elsewhere
xdotool key --delay 20 c Return
next_line
check C "CapsLock turned on in another desk window"
[ -z "$bad" ] || fail "$bad"
