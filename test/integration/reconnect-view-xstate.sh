#!/bin/sh
# telly view's X windows across a link that goes silent: a window resized
# on the desk (maximized) after the link has died but before the view has
# noticed is resized on the host once the X session is resumed, and desk
# and host end with the same size. The latest place and size asked are
# kept until the host is known to have them and sent again after RESUMED.
# Over TCP through cut-proxy ("stall"); the view headless with a script,
# held at a gate (a FIFO as its screenshot file) until the link is
# stalled.
. test/integration/lib.sh "$1"
command -v xterm >/dev/null || { echo "no xterm"; exit 77; }
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate"
fail() { view_fail "$@"; }

# A terminal whose title says when the link is down, and answers keys.
keys_session
xterm_session 40x8+100+80
host_size() { "$TELLY" ls | sed -n 's/^ *window 0x[0-9a-f]* \([0-9]*x[0-9]*\)[-+].*"xtest".*/\1/p'; }
size0=$(host_size)
[ -n "$size0" ] || fail "no size for xtest in telly ls"

cat >"$T/in" <<EOF
$(keys_ready_in)
wait-window "xtest" 30
wait-update 30
$(gate_in)
key ctrl+shift+m
screenshot $T/maxed.png
$(keys_resumed_in)
wait-window "xtest" 60
EOF
view_start
stall_at_gate
wait "$vpid" || fail "the view failed"
# The desk's size of xtest once maximized (its client box).
want=$(awk '$1 == "screenshot" { on = index($2, "maxed.png") > 0; next }
	on && $1 == "xwindow" && /"xtest"/ { print $11 "x" $12 }' "$T/legend")
[ -n "$want" ] || fail "no xtest in the legend after maximizing"
[ "$want" != "$size0" ] || fail "maximizing did not change the desk's size ($want)"
host_is() { [ "$(host_size)" = "$1" ]; }
wait_until 30 host_is "$want" ||
	fail "the host's xtest is $(host_size) (was $size0), the desk asked for $want while the link was dead"
echo "a resize asked while the link was dead reached the host: $size0 -> $want"
