#!/bin/sh
# telly view --headless --key-fd --paint-fd: keys typed through the view's
# keyboard, and what its compositor painted of the focused window after
# each repaint, as a person sees it. Through the delay proxy (100 ms each
# way), at bash: once its line editor has proved itself, the proxy is
# stopped (nothing passes either way: the key cannot reach the host, nor
# its echo come back) and the next keys still show in the painted grid:
# the prediction drawn. A password typed at a no-echo prompt (read -s)
# is in no repaint. The keyboard's end closes the view, whose --stats
# count the keys drawn before the answer.
. test/integration/lib.sh "$1"
SECRET=KQZ7XJ9V
serve_delayed 100
"$TELLY" new -s p1 -- env PS1='P> ' HISTFILE=/dev/null bash --norc --noprofile || fail "new"

mkfifo "$T/keys"
"$TELLY" view --headless --tcp 127.0.0.1:$pport --token-file "$TELLY_DIR/token" \
	--stats --key-fd 3 --paint-fd 4 3<"$T/keys" 4>"$T/paint" 2>"$T/err" &
view=$!
pids="$pids $view"
exec 7>"$T/keys"

# painted TEXT: a row of some repaint is TEXT (trailing blanks are not written).
painted() { grep -qxF -- "$1" "$T/paint"; }
key() { echo "$1" >&7; }
show() { echo "--- repaints:"; tail -n 60 "$T/paint"; cat "$T/err"; }
# await SECONDS CMD...: until CMD succeeds; false (the caller says what) after.
await() {
	aw_end=$(( $(date +%s) + $1 )); shift
	until "$@"; do
		[ "$(date +%s)" -le "$aw_end" ] || return 1
		sleep 0.02
	done
}

await 20 painted "P>" || { show; fail "no prompt painted"; }
# A repaint's head: the time, the grid, the cursor.
grep -q '^paint [0-9]* 24 80 0 3 1$' "$T/paint" || { show; fail "no record of the 80x24 window with its cursor after the prompt"; }
line="P> "
for c in e c h o; do
	key "type \"$c\""
	line="$line$c"
	await 20 painted "$line" || { show; fail "'$line' not painted"; }
done
grep -q "^key [0-9]* 65$" "$T/paint" || fail "the view did not say when it got the key e (keysym 65)"

# Nothing passes now: what shows is what the view drew itself.
kill -STOP "$proxy"
key 'type " "'
key 'type "o"'
if ! await 10 painted "P> echo o"; then
	kill -CONT "$proxy"
	show
	fail "with the host out of reach, the keys typed were not painted (no prediction drawn)"
fi
kill -CONT "$proxy"
key 'type "k"'
key 'key Return'
await 20 painted "ok" || { show; fail "echo ok's output not painted"; }

key 'type "read -s -p Pw: pw; echo got ${#pw}"'
key 'key Return'
await 20 painted "Pw:" || { show; fail "no password prompt"; }
key "type \"$SECRET\""
key 'key Return'
await 20 grep -q "got ${#SECRET}" "$T/paint" || { show; fail "the password's length not painted"; }
# The prompt's row as painted: "Pw:", then what echo printed after it;
# a letter of the password there would be a prediction of it.
rows=$(grep '^Pw:' "$T/paint" | sort -u | tr '\n' '|')
[ "$rows" = "Pw:|Pw:got ${#SECRET}|" ] || { show; fail "the prompt's row was painted as: $rows"; }
grep -q "$SECRET" "$T/paint" && { show; fail "the password was painted"; }

# The keyboard's end: the view closes, as when its window is closed.
exec 7>&-
wait_until 10 sh -c "! kill -0 $view 2>/dev/null"
wait "$view" || fail "view ended with $?: $(cat "$T/err")"
# Its --stats count the keys drawn before the answer: the two at least.
shown=$(sed -n 's/^telly view: p1: predictions: [0-9]* keys, \([0-9]*\) shown .*/\1/p' "$T/err")
[ "${shown:-0}" -ge 2 ] || fail "view --stats says ${shown:-no} keys shown before the answer: $(cat "$T/err")"
echo "view-paint-fd: ok"
