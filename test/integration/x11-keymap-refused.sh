#!/bin/sh
# Desks take turns typing into one X session (each key is read in the
# keymap of the desk that typed it), one of them with a keymap the host's
# xkbcomp refuses: it is refused once, said once, and never loaded again;
# the desk that has the other keymap does not load its own again either
# (before, each turn loaded the other desk's keymap: the refused one
# failed and was logged at every turn, holding everyone's keys while
# xkbcomp ran). Then a desk types while a third desk's keymap loads: the
# log says that its key waits for the other desk's keymap (before, "1024
# inputs wait for the desk's keymap to load", when none was held). The
# desks are probes (us, de, fr); the daemon's xkbcomp refuses a keymap
# with a u diaeresis (de's) and waits at a gate (a FIFO) while there is one.
. test/integration/lib.sh "$1"
need_progs Xvfb xterm xkbcomp
real_xkbcomp=$(command -v xkbcomp)
mkdir "$T/bin"
cat >"$T/bin/xkbcomp" <<SCRIPT
#!/bin/sh
for a; do case \$a in *.xkb) f=\$a ;; esac; done
[ -p "$T/xkbgate" ] && cat "$T/xkbgate" >/dev/null
if grep -q udiaeresis "\$f"; then
	echo "xkbcomp (test): this keymap is refused" >&2
	exit 1
fi
exec "$real_xkbcomp" "\$@"
SCRIPT
chmod +x "$T/bin/xkbcomp"
logs() { grep -c "$1" "$TELLY_DIR/serve.log"; }
loads() { [ "$(logs "loading a desk's keymap")" -ge "$1" ]; }
lines() { [ "$(grep -c '' "$T/typed" 2>/dev/null)" -ge "$1" ]; }

PATH=$T/bin:$PATH "$TELLY" new --x11 -s k -- xterm -T kt -e sh -c "exec cat >$T/typed" >/dev/null ||
	fail "telly new --x11"
# probe DIR FD [LAYOUT]: a desk on k, its commands on FD, its keymap sent.
probe() {
	xprobe_start "$T/$1" k XPROBE_LAYOUT="${3:-us}"
	eval "exec $2>\"$T/$1/cmd\""
	wait_until 20 grep -q " kt$" "$T/$1/windows"
	echo keymap >&"$2"
}
probe a 3
wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
id=$(sed -n 's/^\(0x[0-9a-f]*\) .* kt$/\1/p' "$T/a/windows")
probe b 4 de
wait_until 20 grep -q "xkbcomp did not load" "$TELLY_DIR/serve.log"
n=0
for turn in b1 a1 b2 a2 b3 a3; do
	case $turn in a*) fd=3 ;; *) fd=4 ;; esac
	printf 'type %s %s\\n\n' "$id" "$turn" >&"$fd"
	n=$((n + 1))
	wait_until 20 lines $n
done
[ "$(sed -n '1,6p' "$T/typed" | paste -sd ' ')" = "b1 a1 b2 a2 b3 a3" ] ||
	fail "typed: $(cat "$T/typed")"
[ "$(logs "xkbcomp did not load")" = 1 ] ||
	fail "the refused keymap was tried again: $(grep keymap "$TELLY_DIR/serve.log")"
[ "$(logs "loading a desk's keymap")" = 2 ] ||
	fail "keymaps loaded again at each turn: $(grep keymap "$TELLY_DIR/serve.log")"
echo "a refused keymap: refused once, said once, desks take turns without loads: ok"

# A third desk's keymap loads (held at the gate) while desk a types.
mkfifo "$T/xkbgate"
probe c 5 fr
wait_until 20 loads 3
printf 'type %s a4\\n\n' "$id" >&3
wait_until 20 grep -q "connection [0-9]*'s key waits (and the connection with it) until the display has loaded another desk's keymap" \
	"$TELLY_DIR/serve.log"
gate_open "$T/xkbgate"
wait_until 20 lines 7
[ "$(sed -n 7p "$T/typed")" = a4 ] || fail "typed after the wait: $(sed -n '7,$p' "$T/typed")"
if grep -q "inputs wait for the desk's keymap" "$TELLY_DIR/serve.log"; then
	fail "the log says inputs wait, none did: $(grep 'wait' "$TELLY_DIR/serve.log")"
fi
echo "a key that waits for another desk's keymap: said so: ok"
