#!/bin/sh
# Prediction in telly attach, through the delay proxy (1 s each way, so
# that "before the host answered" is a wide window on a busy machine):
# once bash's line editor has proved itself, a typed character is on the
# person's screen while the host has not yet seen it (its session log,
# written as the host reads the program's output, does not have the echo
# yet); the line typed ends up right; and a raw prompt that never echoes
# (python in raw mode) and a canonical one (read -s) never show a typed
# character.
. test/integration/lib.sh "$1"
DELAY_MS=${PREDICT_DELAY_MS:-1000}
command -v python3 >/dev/null || { echo "no python3: skipped"; exit 77; }
serve_delayed "$DELAY_MS"
LOG=$LOG_DIR/logs/p1.log

tm_start w1 "exec $TELLY attach --stats ${PREDICT_OPT:-} --tcp 127.0.0.1:$pport --token-file $TELLY_DIR/token p1 -- env PS1='P> ' bash --norc --noprofile 2>$T/attach.err"
wait_for w1 'P>' 30

# The prompt's line as the person sees it.
prompt_line() { screen w1 | grep 'P>' | tail -n 1; }
# What bash printed after its last prompt, as the host's log has it.
log_tail() { tr -d '\r' <"$LOG" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' | tail -n 1; }

# bash's line editor proves itself: keys echoed as they would be.
for k in e c h o; do
	tm send-keys -t t:w1 "$k"
	wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q 'P> [echo]*$k'"
done
wait_until 20 sh -c "tr -d '\r' <'$LOG' | grep -q 'echo'"

# Now a key shows at once: on screen before the host has echoed it.
tm send-keys -t t:w1 ' '
tm send-keys -t t:w1 'x'
wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q 'P> echo x'"
tail=$(log_tail)
case "$tail" in
*'echo x'*) fail "the host had echoed 'x' before it was on screen (log: $tail): nothing was predicted" ;;
esac
wait_until 20 sh -c "tr -d '\r' <'$LOG' | grep -q 'echo x'"
tm send-keys -t t:w1 Enter
wait_until 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -qx x"
echo "a typed character shows before the host echoes it: ok"

# A raw prompt that never echoes: nothing typed ever shows.
screen_has_secret() { screen w1 | grep -q '^Password: .*[swordfih]'; }
# (The prompt is awaited: keys typed before python turns echo off are
# echoed as a cooked terminal echoes typeahead.)
tm send-keys -t t:w1 "python3 -c \"import tty,sys,termios; a=termios.tcgetattr(0); tty.setraw(0); sys.stdout.write('Password: '); sys.stdout.flush(); s=sys.stdin.read(9); termios.tcsetattr(0, termios.TCSADRAIN, a); print(); print('got', len(s))\"" Enter
wait_until 30 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q '^Password:'"
for k in s w o r d f i s h; do
	tm send-keys -t t:w1 "$k"
	for i in 1 2 3 4 5 6; do
		screen_has_secret && fail "a typed password character is on screen: $(screen w1 | grep Password)"
		sleep 0.05
	done
done
wait_for w1 'got 9' 30
screen_has_secret && fail "a typed password character is on screen: $(screen w1 | grep Password)"
echo "a raw no-echo prompt never shows a typed character: ok"

# A canonical one (read -s): the desk's line discipline does not echo it.
tm send-keys -t t:w1 "read -s -p 'Secret: ' v; echo \"len \${#v}\"" Enter
wait_until 30 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t:w1 | grep -q '^Secret:'"
for k in t o p s e c r e t; do
	tm send-keys -t t:w1 "$k"
	screen w1 | grep -q "^Secret: .*[topsecr]" && fail "a secret character is on screen: $(screen w1 | grep -A3 "^Secret")"
done
tm send-keys -t t:w1 Enter
wait_for w1 'len 9' 30
# (No echo: bash's answer follows the prompt on its line.)
screen w1 | grep '^Secret:' | grep -qv '^Secret: *\(len 9\)\{0,1\} *$' &&
	fail "a secret character is on screen: $(screen w1 | grep '^Secret')"
echo "read -s never shows a typed character: ok"

tm send-keys -t t:w1 Enter '~.'
wait_until 20 grep -q 'predictions:' "$T/attach.err"
grep 'predictions:' "$T/attach.err"
# Nothing cut the link: a round trip of 2 s is slow, not dead (the desk
# gave it up before its first PONG, every 3 s, and each key waited for
# a redial: an echo came in 6 s, not 2).
grep 'lost; its channel' "$T/serve.err" && fail "the desk gave up a slow link that nothing cut"
echo "predict-attach: ok"
