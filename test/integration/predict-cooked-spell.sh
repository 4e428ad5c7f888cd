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

spell_program

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
