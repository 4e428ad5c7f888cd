#!/bin/sh
# telly view (headless): a key typed while the program is canonical for a
# moment between two raw reads (readline between two lines) is not echoed
# by the desk before the program's next prompt; it reaches the program
# once it is raw again, which echoes it after its prompt. What the
# window's terminal was given (--record) is checked: after "busy", the
# program's prompt, not the key.
. test/integration/lib.sh "$1"
. test/integration/cooked.inc
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
cooked_serve

# Raw: read a line, echoing it, each key's echo followed by a '+' once
# the program has waited for input a moment (the host says CONSUMED
# meanwhile; the script types the next key at the '+'); canonical with
# echo until the file named by its argument exists (the script's
# screenshot after it typed); raw again: a prompt, then a line read raw,
# in brackets.
cat >"$T/spell.py" <<'EOF'
import os, select, sys, termios, time, tty
cooked = termios.tcgetattr(0)
def line(prompt, echo):
    tty.setraw(0, termios.TCSADRAIN)
    os.write(1, prompt)
    s = b''
    while not s.endswith(b'\r') and not s.endswith(b'\n'):
        c = os.read(0, 1)
        s += c
        if echo:
            os.write(1, c)
            select.select([0], [], [], 0.3)
            os.write(1, b'+')
    return s[:-1]
line(b'R> ', True)
termios.tcsetattr(0, termios.TCSADRAIN, cooked)
os.write(1, b'\r\nbusy\r\n')
while not os.path.exists(sys.argv[1]):
    time.sleep(0.01)
s = line(b'N> ', False)
termios.tcsetattr(0, termios.TCSADRAIN, cooked)
os.write(1, b'[' + s + b']\r\ndone\r\n')
time.sleep(600)
EOF
"$TELLY" new -s c1 -- python3 "$T/spell.py" "$T/typed.png" || fail "new"
mkdir "$T/rec"
cat >"$T/in" <<EOT
wait "R>" 30
type "g"
wait "R> g+" 20
type "o"
wait "R> g+o+" 20
key Return
wait "busy" 20
type "x"
key Return
screenshot "$T/typed.png"
wait "done" 20
EOT
cooked_view --record "$T/rec" --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
after=$(tr -d '\033' <"$T/rec/c1" | sed -n 's/.*busy\r$//p; /busy/,$p' | tr -d '\r\n' | sed 's/.*busy//')
case "$after" in
N\>*'[x]'*) ;;
*) fail "after busy the window was given '$after', not the program's prompt then [x]" ;;
esac
echo "predict-view-cooked-spell: ok"
