#!/bin/sh
# A headless view's script that ends while the link is down, right after
# typing: the keys it typed are not dropped with the view. It waits for
# the link, and ends once their window is resumed (the keys the host's).
# Before, the script's end closed the view at once, exit 0, and the keys
# kept for the host were lost. Over TCP through cut-proxy, the view held
# at gates (FIFOs as screenshot files) while the link is cut.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate1" "$T/gate2"
fail() { view_fail "$@"; }
# Raw, no echo: its title, "ready", then each key to FILE.
cat >"$T/one.sh" <<'PROG'
stty raw -echo
printf '\033]2;%s\007' "$1"
echo ready
exec cat >"$2"
PROG
"$TELLY" new -s ka -- sh "$T/one.sh" wina "$T/typed" >/dev/null || fail "new ka"
{
	printf '%s\n' 'wait-window "wina" 20' 'wait "ready" 20'
	printf 'screenshot %s\n' "$T/a.png" "$T/gate1"
	printf '%s\n' 'wait-window "link down" 30' 'type "a1."'
	# The script's last step: its end comes with the link still down.
	echo "screenshot $T/gate2"
} >"$T/in"
typed_while_down 30
ctl up
wait "$vpid" || fail "the view failed"
wait_until 20 sh -c "[ \"\$(cat '$T/typed')\" = a1. ]" || fail "the window got '$(cat "$T/typed")', not 'a1.'"
echo "ok: keys typed while down by a script that ended then reached the host"
