#!/bin/sh
# telly view's X session when the host no longer has its channel: the
# daemon is stopped and started again while the link is down, with an X
# session of the same name there again. The refused RESUME becomes a new
# attach: the new session's window is drawn, the view says how many X
# input events it did not send again (their fate is not known), and keys
# typed from then on reach the new program once; the old program got
# what it got before, once. Over TCP through cut-proxy.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
fail() { view_fail "$@"; }
refused_first
refused_in >"$T/in"
view_start
one_drawn

# The daemon goes, and its X session with it; the link is refused meanwhile.
ctl down
refused_second
[ "$(cat "$T/typed1" 2>/dev/null)" = one ] || fail "the first xterm got '$(cat "$T/typed1")'"
grep -q 'xs attached anew, [0-9]* X input events not resent: its channel was gone' "$T/view.err" ||
	fail "the view did not say the X session was attached anew"
echo "refused X resume: attached anew, keys from then on arrive once"
