#!/bin/sh
# An X session killed while its xkbcomp loads a desk's keymap, an xkbcomp
# that takes no SIGTERM: it is SIGKILLed at the stop's grace (2 s), and
# serve.log says it stopped with its display (before, it said it "did not
# load a desk's keymap within 10000 ms (the X server does not answer)",
# which is not what happened).
. test/integration/lib.sh "$1"
need_progs xterm
mkdir "$T/bin"
cat >"$T/bin/xkbcomp" <<SCRIPT
#!/bin/sh
trap '' TERM
[ -p "$T/xkbgate" ] && cat "$T/xkbgate" >/dev/null
exit 0
SCRIPT
chmod +x "$T/bin/xkbcomp"
PATH=$T/bin:$PATH "$TELLY" new --x11 -s k -- xterm -T kt >/dev/null || fail "telly new --x11"
xprobe_start "$T/a" k
exec 3>"$T/a/cmd"
wait_until 20 grep -q " kt$" "$T/a/windows"
mkfifo "$T/xkbgate"
echo keymap >&3
wait_until 20 grep -q "loading a desk's keymap" "$TELLY_DIR/serve.log"
"$TELLY" kill k >/dev/null 2>&1 || fail "telly kill k"
wait_until 10 grep -q "xkbcomp stopped with its display while it loaded a desk's keymap (SIGKILL after a grace of 2000 ms)" \
	"$TELLY_DIR/serve.log"
grep "xkbcomp did not load" "$TELLY_DIR/serve.log" && fail "the stop was logged as a keymap that did not load"
echo go >"$T/xkbgate" & # the killed xkbcomp's cat, if it still waits
gate=$!
pids="$pids $gate"
wait_until 10 sh -c "! \"$TELLY\" ls 2>/dev/null | grep -q '^k:'"
echo "xkbcomp stopped with its display: said so: ok"
