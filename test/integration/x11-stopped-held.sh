#!/bin/sh
# A desk types more than the host holds while its keymap loads (1024
# events, XD_HELD_KEYS_MAX), and the X server stops reading (SIGSTOP)
# before the keymap is in: the held keys go in only as far as the
# server's socket takes them, the desk's further keys are held behind
# them until the hold is full again, and serve.log then says the input
# waits for the display to read it (before, it said it waited for the
# desk's keymap to load, which was loaded). Once the server goes on,
# every character arrives, in order. The daemon's xkbcomp waits at a
# gate (a FIFO) and then takes the keymap as loaded without loading it
# (the server is stopped by then).
. test/integration/lib.sh "$1"
need_progs xterm
mkdir "$T/bin"
cat >"$T/bin/xkbcomp" <<SCRIPT
#!/bin/sh
[ -p "$T/xkbgate" ] && cat "$T/xkbgate" >/dev/null
exit 0
SCRIPT
chmod +x "$T/bin/xkbcomp"
N=900 # characters a line (the probe's lines are at most 1 KiB)
LINES=4
PATH=$T/bin:$PATH "$TELLY" new --x11 -s k -- xterm -T kt -e sh -c "exec cat >$T/typed" >/dev/null ||
	fail "telly new --x11"
xpid=$(sed -n "s/.*session k started: an X display ([A-Za-z]* pid \([0-9]*\)).*/\1/p" "$TELLY_DIR/serve.log")
[ -n "$xpid" ] || fail "no X server pid in serve.log"
xprobe_start "$T/a" k
exec 3>"$T/a/cmd"
wait_until 20 grep -q " kt$" "$T/a/windows"
id=$(sed -n 's/^\(0x[0-9a-f]*\) .* kt$/\1/p' "$T/a/windows")
mkfifo "$T/xkbgate"
echo keymap >&3
wait_until 20 grep -q "loading a desk's keymap" "$TELLY_DIR/serve.log"
line=$(head -c "$N" /dev/zero | tr '\0' 'k')
i=0
while [ $i -lt $LINES ]; do
	printf 'type %s %s\\n\n' "$id" "$line" >&3
	i=$((i + 1))
done
wait_until 20 grep -q "inputs wait for the desk's keymap to load" "$TELLY_DIR/serve.log"
kill -STOP "$xpid"
gate_open "$T/xkbgate"
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
# (a failure's cleanup kills the stopped server: it names $T)
wait_until 20 grep -q "inputs wait for the display to read them" "$TELLY_DIR/serve.log"
[ "$(grep -c "inputs wait for the desk's keymap to load" "$TELLY_DIR/serve.log")" = 1 ] ||
	fail "the log says the input waits for a keymap that is loaded: $(grep 'wait' "$TELLY_DIR/serve.log")"
echo "input held behind a display that does not read: said so: ok"
kill -CONT "$xpid"
all() { [ "$(grep -c "^$line\$" "$T/typed" 2>/dev/null)" -ge $LINES ]; }
wait_until 30 all || fail "typed: $(grep -c "^$line\$" "$T/typed") lines of $LINES, $(wc -c <"$T/typed") bytes"
[ "$(wc -c <"$T/typed")" -eq $(((N + 1) * LINES)) ] || fail "typed $(wc -c <"$T/typed") bytes, not $(((N + 1) * LINES))"
echo "once the server reads again, every character arrives: ok"
