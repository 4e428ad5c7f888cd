#!/bin/sh
# The daemon never waits for an X session's processes to be gone: each is
# put down (SIGTERM, SIGKILL after a grace) and reaped by the loop when it
# ends, while a shell session of the same daemon echoes at once. The
# processes here are run by xheld (test/integration/xheld.c): SIGTERM is
# lost on them, and once killed their end is held (as the kernel holds a
# process in uninterruptible sleep) until the test lets go.
# 1. telly kill of a display whose Xvfb ignores SIGTERM and whose end is
#    held: the server gets SIGKILL after the grace (before, never: the
#    session stayed for good), the shell echoes while it is not reaped,
#    and once it is, the session is gone from telly ls.
# 2. telly kill of a display whose program's end is held: the shell
#    echoes once the display's server is gone while the program is not
#    reaped (before, the daemon waited in waitpid for it, every session
#    frozen), then the session goes once it is.
# 3. x-server auto with an Xorg that never says its display, ignores
#    SIGTERM and whose end is held: Xvfb starts in its place at once, the
#    xterm in it shows its window and the shell echoes while the old Xorg
#    is not reaped (before, the daemon waited for it in waitpid), and it
#    is reaped in the end.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm
real_xvfb=$(command -v Xvfb)
XHELD=$B/test/xheld
[ -x "$XHELD" ] || fail "no $XHELD (make builds it)"
exists() { [ -e "/proc/$1" ]; }
zombie() { grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
listed() { "$TELLY" ls | grep -q "^$1:"; }
echoes() { # N: the shell answers $((N*N)) at once (a daemon waiting for
	# a held process waits until the test lets it go: any bound tells it,
	# and 20 s leaves a loaded machine its time)
	tm send-keys -t t:w1 "echo \$(($1*$1))" Enter
	wait_for w1 "$(($1 * $1))" 20
}

mkdir "$T/bin"
cat >"$T/bin/Xvfb" <<SCRIPT
#!/bin/sh
exec "$XHELD" "$T/release1" "$T/xpid" "$real_xvfb" "\$@"
SCRIPT
chmod +x "$T/bin/Xvfb"
mkdir -p "$XDG_CONFIG_HOME/telly"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"

shell_attached term w1 "$T/bin:$PATH"

# 1. The server ignores SIGTERM; its end is held.
"$TELLY" new --x11 -s xs -- xterm -T txs || fail "telly new --x11"
wait_until 20 sh -c "'$TELLY' ls | grep -q 'window .*\"txs\"'"
xpid=$(cat "$T/xpid")
"$TELLY" kill xs || fail "telly kill xs"
wait_until 20 zombie "$xpid" # SIGKILL came after the grace
echoes 6
exists "$xpid" || fail "the X server was reaped before the shell was answered"
listed xs || fail "xs is not listed while its server is not reaped"
touch "$T/release1"
wait_until 10 sh -c "! [ -e /proc/$xpid ]"
wait_until 10 sh -c "! '$TELLY' ls | grep -q '^xs:'"
grep -q "did not end within [0-9]* ms of SIGTERM: SIGKILL" "$TELLY_DIR/serve.log" ||
	fail "serve.log does not say the server got SIGKILL"
echo "a server that ignores SIGTERM is killed after the grace and reaped by the loop: ok"

# 2. A program of the display whose end is held.
cat >"$T/bin/Xvfb" <<SCRIPT
#!/bin/sh
exec "$real_xvfb" "\$@"
SCRIPT
"$TELLY" new --x11 -s xp -- "$XHELD" "$T/release2" "$T/ppid" xterm -T txp ||
	fail "telly new --x11"
wait_until 20 sh -c "'$TELLY' ls | grep -q 'window .*\"txp\"'"
ppid=$(cat "$T/ppid")
spid=$("$TELLY" ls | sed -n 's/^xp: .*pid \([0-9]*\).*/\1/p')
[ -n "$spid" ] || fail "no server pid for xp: $("$TELLY" ls)"
"$TELLY" kill xp || fail "telly kill xp"
wait_until 20 zombie "$ppid"
wait_until 20 sh -c "! [ -e /proc/$spid ]" # its server is gone and reaped
echoes 7
exists "$ppid" || fail "the program was reaped before the shell was answered"
touch "$T/release2"
wait_until 10 sh -c "! [ -e /proc/$ppid ]"
wait_until 10 sh -c "! '$TELLY' ls | grep -q '^xp:'"
echo "a program whose end is held: the shell echoes, the session goes once it is reaped: ok"

# 3. Xorg under auto that never says its display: Xvfb instead, at once.
if [ ! -e /usr/lib/xorg/modules/drivers/dummy_drv.so ]; then
	echo "no dummy video driver: auto would not choose Xorg; the fallback is not tried"
	exit 0
fi
echo "x-server auto" >"$XDG_CONFIG_HOME/telly/config"
"$TELLY" stop >/dev/null 2>&1
wait_until 20 daemon_gone
rm -f "$T/bin/Xvfb"
cat >"$T/bin/Xorg" <<SCRIPT
#!/bin/sh
exec "$XHELD" "$T/release3" "$T/opid" sleep 120
SCRIPT
chmod +x "$T/bin/Xorg"
tm kill-window -t t:w1
shell_attached term w1 "$T/bin:$PATH"
PATH=$T/bin:$PATH "$TELLY" new --x11 -s fb -- xterm -T tfb || fail "telly new --x11"
wait_until 20 test -s "$T/opid"
opid=$(cat "$T/opid")
# After the start's bound (10 s) Xorg is put down and Xvfb starts.
wait_until 40 sh -c "'$TELLY' ls | grep -q 'window .*\"tfb\"'"
echoes 8
exists "$opid" || fail "the old Xorg was reaped before Xvfb's window and the shell's answer"
grep -q "session fb: the X server (Xorg) did not start within [0-9]* ms.*: Xvfb instead" \
	"$TELLY_DIR/serve.log" || fail "serve.log does not say why"
wait_until 20 zombie "$opid" # SIGKILL after the grace
touch "$T/release3"
wait_until 10 sh -c "! [ -e /proc/$opid ]"
grep -q "the X server put down (pid $opid) ended" "$TELLY_DIR/serve.log" ||
	fail "serve.log does not say the old Xorg was reaped"
echoes 9
echo "an Xorg put down for Xvfb: Xvfb at once, the old one reaped when it ends: ok"
