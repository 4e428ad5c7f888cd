#!/bin/sh
# A desk copy made while an X window of telly view --seamless has the
# focus reaches its host at once, as ssh -X's programs read the desk's
# selections: the person copies with a desk tool (a password manager's
# hot key, xclip in a script) and pastes in the host window without
# leaving it. Before, the host got it only when one of its windows took
# the focus again, and meanwhile pasted what it had before: the host's
# own last copy, or nothing. Both ways of it: the view owned the desk's
# CLIPBOARD (a host copy), and another desk program owned it. A desk
# copy made while the focus is elsewhere on the desk still waits for the
# focus (it is not the host's to read). On telly's desktop (telly view,
# not seamless) the same, and its window given the focus back brings
# the desk's copy to the X window it focuses: before, that needed a
# focus change inside it (a click on the window it focused already
# brought nothing, so a view of one X window never sent the desk's).
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk xdotool
seamless_pid=${pids##* }

xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null

# The host copies: the view owns the desk's CLIPBOARD.
printf 'from the host' | hostclip -selection clipboard -i -loops 1 &
pids="$pids $!"
on_desk() { [ "$(deskclip -selection clipboard -o 2>/dev/null)" = "from the host" ]; }
wait_until 20 on_desk

on_host() { [ "$(hostclip -selection "$1" -o 2>/dev/null)" = "$2" ]; }
# host_gets SEL TEXT: the host's SEL is TEXT within 20 s
host_gets() {
	end=$(($(date +%s) + 20))
	until on_host "$1" "$2"; do
		[ "$(date +%s)" -le "$end" ] ||
			fail "the host's $1 is '$(hostclip -selection "$1" -o 2>&1)', not the desk's copy '$2'"
		sleep 0.1
	done
}

# A desk program takes it, the host window keeping the focus.
printf 'taken from the view' | xclip -selection clipboard -i -loops 4 &
pids="$pids $!"
host_gets clipboard "taken from the view"
# Another desk program takes it from that one.
printf 'taken from another' | xclip -selection clipboard -i -loops 4 &
pids="$pids $!"
host_gets clipboard "taken from another"
# PRIMARY too (a selection made in a desk program).
printf 'primary on the desk' | xclip -selection primary -i -loops 4 &
pids="$pids $!"
host_gets primary "primary on the desk"

# away TEXT: the focus goes to the desk's root, the desk copies TEXT, and
# it stays on the desk until a host window takes the focus again.
root=$(xwininfo -root | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')
away() {
	xdotool windowfocus "$root" 2>/dev/null
	blurred() { [ "$(xdotool getwindowfocus 2>/dev/null)" = "$(printf %d "$root")" ]; }
	wait_until 10 blurred
	printf '%s' "$1" | xclip -selection clipboard -i -loops 4 &
	pids="$pids $!"
	desk_copied() { [ "$(deskclip -selection clipboard -o 2>/dev/null)" = "$1" ]; }
	wait_until 10 desk_copied "$1"
	# (What would carry it, the view's fetch and XCLIP, takes well
	# under a second on this host: two seconds away say it stays.)
	end=$(($(date +%s) + 2))
	while [ "$(date +%s)" -le "$end" ]; do
		on_host clipboard "$1" &&
			fail "a desk copy went to the host while none of its windows had the focus"
		sleep 0.2
	done
}
away "not for the host"
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
host_gets clipboard "not for the host"
echo "seamless: ok"

# telly's desktop, its X window focused there as the only window.
kill "$seamless_pid"
wait_until 10 sh -c '[ -z "$(deskwin xclip-test)" ]'
"$TELLY" view --size 800x600 "" xs >"$T/desktop.out" 2>&1 &
pids="$pids $!"
wait_until 20 has_deskwin "telly view"
away "the desktop was away"
xdotool windowfocus "$(deskwin "telly view")" 2>/dev/null
host_gets clipboard "the desktop was away"
printf 'copied on the desktop' | xclip -selection clipboard -i -loops 4 &
pids="$pids $!"
host_gets clipboard "copied on the desktop"
echo "desktop: ok"
