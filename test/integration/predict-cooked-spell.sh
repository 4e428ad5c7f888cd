#!/bin/sh
# A key typed while the program is canonical for a moment between two raw
# reads (readline between two lines: python, bash) is not echoed by the
# desk there, before the program's next prompt, where it would stay
# (python's "r>>> ..."): it reaches the program once the program is raw
# again, which echoes it after its prompt, as over ssh. The program holds
# its canonical moment open until the test has typed the key (attach
# shows its ~? help once it handled the keys before it).
# Twice: the first line typed a key at a time, the program waiting after
# each (the host says CONSUMED meanwhile), then typed at once from the
# start (the program never waits with its keys read before its moment,
# and the host has not said CONSUMED yet: its CONTEXT says it will).
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve

# Raw: read a line, echoing it (with "slow", each key's echo followed by
# a '+' once the program has waited for input a moment); canonical with
# echo until the file named by the first argument exists; raw again: a
# prompt, then a line read raw, shown in brackets.
cat >"$T/spell.py" <<'EOF'
import os, select, sys, termios, time, tty
cooked = termios.tcgetattr(0)
def line(prompt):
    tty.setraw(0, termios.TCSADRAIN)
    os.write(1, prompt)
    s = b''
    while not s.endswith(b'\r') and not s.endswith(b'\n'):
        c = os.read(0, 1)
        s += c
        if prompt == b'R> ':
            os.write(1, c)
            if sys.argv[2] == 'slow':
                select.select([0], [], [], 0.3)
                os.write(1, b'+')
    return s[:-1]
line(b'R> ')
termios.tcsetattr(0, termios.TCSADRAIN, cooked)
os.write(1, b'\r\nbusy\r\n')
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
s = line(b'N> ')
termios.tcsetattr(0, termios.TCSADRAIN, cooked)
os.write(1, b'[' + s + b']\r\ndone\r\n')
time.sleep(600)
EOF

# spell WINDOW slow|fast: attach to a new session running the program.
spell() {
	cooked_attach "$1" python3 "$T/spell.py" "$T/go-$1" "$2"
	wait_for "$1" 'R>' 30
}

# slow: keys read raw and echoed, the host saying CONSUMED after each.
spell w1 slow
tm send-keys -t t:w1 g
wait_for w1 'R> g+' 20
tm send-keys -t t:w1 o
wait_for w1 'R> g+o+' 20
tm send-keys -t t:w1 Enter
# fast: the line and its Enter at once.
spell w2 fast
tm send-keys -t t:w2 go Enter
for w in w1 w2; do
	wait_for $w busy 20
	# Typed in the canonical moment; attach's help says it handled them.
	tm send-keys -t t:$w x Enter '~?'
	wait_for $w 'Supported escape sequences' 20
	touch "$T/go-$w"
	wait_for $w done 20
	screen $w | grep -qx 'N> \[x\]' || { screen $w; fail "$w: the key did not reach the program once, after its prompt"; }
	screen $w | grep -q '^x' && { screen $w; fail "$w: the key was echoed on the desk before the program's prompt"; }
done
echo "predict-cooked-spell: ok"
