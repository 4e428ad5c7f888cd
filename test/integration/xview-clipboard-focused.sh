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
# focus (it is not the host's to read).
. test/integration/lib.sh "$1"
. test/integration/clip.inc
seamless_desk xdotool

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
			fail "the host's $1 is '$(hostclip -selection "$1" -o 2>&1)', not the desk's copy '$2' made while its window had the focus"
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

# The focus elsewhere on the desk: a copy stays on the desk until a host
# window takes the focus again.
root=$(xwininfo -root | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')
xdotool windowfocus "$root" 2>/dev/null
blurred() { [ "$(xdotool getwindowfocus 2>/dev/null)" = "$(printf %d "$root")" ]; }
wait_until 10 blurred
printf 'not for the host' | xclip -selection clipboard -i -loops 4 &
pids="$pids $!"
desk_copied() { [ "$(deskclip -selection clipboard -o 2>/dev/null)" = "not for the host" ]; }
wait_until 10 desk_copied
# (What would carry it, the view's fetch and XCLIP, takes well under a
# second on this host: two seconds with it still away say it stays.)
end=$(($(date +%s) + 2))
while [ "$(date +%s)" -le "$end" ]; do
	on_host clipboard "not for the host" &&
		fail "a desk copy went to the host while none of its windows had the focus"
	sleep 0.2
done
xdotool windowfocus "$(deskwin xclip-test)" 2>/dev/null
host_gets clipboard "not for the host"
echo "desk copies while a host window has the focus: ok"
