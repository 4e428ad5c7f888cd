#!/bin/sh
# The host keeps an X channel's keymap while the channel waits for its
# desk (cap XKEPT): a view that resumes with the keymap the host is
# proven to have does not send it again (before, every resume sent it,
# some 64 KiB, ahead of the keys kept); its keys are read in it all the
# same ("zy" typed on a us desk reads "zy"). A keymap changed while the
# link is down is still sent and used: switched to de, z y read "zy"
# (in the us keymap they would read "yz"). The desk is the x11 backend
# on its own Xvfb, keys from xdotool, over TCP through cut-proxy.
. test/integration/lib.sh "$1"
need_progs xterm xdotool setxkbmap xkbcomp
. test/integration/viewlink.inc
fail() { view_fail "$@"; }
desk_link_view 80x8+10+10 us --stats
sent() { grep -c "a desk sent its keymap" "$T/serve.err"; }
resumed() { grep -c 'X session resumed' "$T/view.err"; }
# The host is proven to have the keymap by the PONG to a PING sent after
# it (a heartbeat each RP_LINK_PING_MS, 1 s), which the view says with
# --stats when the host keeps it (cap XKEPT).
wait_until 10 grep -q "the host has the desk's keymap" "$T/view.err" ||
	fail "the view never said the host keeps its keymap"
n=$(sent)
[ "$n" -ge 1 ] || fail "the view never sent its keymap"
outage() { # $1: what is done while the link is down
	r=$(resumed)
	ctl down
	wait_until 10 grep -q '^down' "$T/proxy.log" || fail "no down"
	wait_until 20 sh -c "[ \$(grep -c 'the link is down' '$T/view.err') -gt $r ]" ||
		fail "the view did not see the link go"
	eval "$1"
	xdotool type --delay 0 zy || fail "xdotool type"
	xdotool key Return
	ctl up
	wait_until 10 sh -c "[ \$(grep -c '^up' '$T/proxy.log') -gt $r ]" || fail "no up"
	wait_until 60 sh -c "[ \$(grep -c 'X session resumed' '$T/view.err') -gt $r ]" ||
		fail "no resume"
	wait_until 30 sh -c "[ \$(grep -c '^zy$' '$T/typed') -gt $r ]" ||
		fail "z y typed while the link was down did not read zy: $(tail -n 1 "$T/typed")"
}
outage :
grep -q "a desk resumed with the keymap it had" "$T/serve.err" ||
	fail "the host did not say that it kept the desk's keymap"
[ "$(sent)" -eq "$n" ] || fail "the view sent its keymap again: $(sent) times, before $n"
outage "setxkbmap -layout de || fail 'setxkbmap de'"
[ "$(sent)" -eq $((n + 1)) ] || fail "the view did not send its new keymap once: $(sent), before $n"
echo "ok: a resume with the same keymap sends it not again; a new one goes and is used"
