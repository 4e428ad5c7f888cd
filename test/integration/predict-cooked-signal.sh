#!/bin/sh
# ^C at a program's canonical read (run by bash, which goes raw again
# before its next prompt): keys typed with the ^C are not echoed by the
# desk after it, before bash's prompt ("x^Cabc", then "P2 > abc"); they
# wait until bash is raw and it echoes them after its prompt, as over
# ssh. The program ends on SIGINT by its own handler (a daemon started in
# the background of a script passes SIGINT ignored to its sessions).
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve
cat >"$T/read.py" <<'EOF'
import os, signal, sys
signal.signal(signal.SIGINT, lambda *a: os._exit(1))
sys.stdin.readline()
EOF
# The interpreter itself: python3 may be a version manager's wrapper.
py=$(python3 -c 'import sys; print(sys.executable)')

# sigint WINDOW COMMAND: COMMAND at bash; x typed in its read; then ^C
# and abc at once.
sigint() {
	cooked_attach "$1" bash --rcfile "$T/rc" -i
	wait_for "$1" 'P1 >' 30
	# "gone" comes after bash's canonical TERMIOS; the x is echoed once
	# the host says the program waits in its read.
	tm send-keys -t "t:$1" "echo go''ne; $2" Enter
	wait_line "$1" gone
	tm send-keys -t "t:$1" x
	wait_line "$1" x
	tm send-keys -t "t:$1" C-c abc
	wait_for "$1" 'P2 > abc' 20
	screen "$1" | grep -q 'abc.*P2' && { screen "$1"; fail "$1: keys typed with the ^C were echoed on the desk before the prompt"; }
	screen "$1" | grep -q '^x^Cabc' && { screen "$1"; fail "$1: keys typed with the ^C were echoed on the desk before the prompt"; }
}
sigint w1 "$py $T/read.py"
echo "predict-cooked-signal: ok"
