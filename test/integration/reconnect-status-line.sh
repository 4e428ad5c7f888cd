#!/bin/sh
# The link's status line in telly attach is drawn over the terminal's last
# row; once the link is back that row shows the program's own text again
# (repainted from the desk's screen model), with predictions off and on.
# Two attaches in tmux over TCP through cut-proxy, the link refused for a
# while; tmux's capture-pane is what the person sees.
. test/integration/lib.sh "$1"
. test/integration/reconnect.inc
command -v tmux >/dev/null || { echo "no tmux"; exit 77; }
serve_cut

# Every row of the 30-row window written, the last one too, then quiet.
cat >"$T/rows.sh" <<'PROG'
stty raw -echo
i=1
while [ $i -lt 30 ]; do printf 'row %s of %s\r\n' $i "$1"; i=$((i + 1)); done
printf 'LAST ROW of %s: the bottom line' "$1"
exec cat >/dev/null
PROG
for p in never adaptive; do
	tm_start "$p" "exec $TELLY attach --predict=$p --tcp 127.0.0.1:$pport --token-file $TELLY_DIR/token --create $p -- sh $T/rows.sh $p 2>$T/$p.err"
	wait_for "$p" "LAST ROW of $p: the bottom line" 20
done

ctl down
for p in never adaptive; do
	wait_for "$p" "link down" 20
	screen "$p" | tail -n 1 | grep -q "link down" || { screen "$p" | cat -A | tail -n 4; fail "$p: the status line is not on the last row"; }
done
ctl up
wait_until 30 sh -c "[ \$(grep -c 'resumed its channel on' '$T/serve.err') -ge 2 ]"

for p in never adaptive; do
	last_is_back() { [ "$(screen "$p" | tail -n 1 | sed 's/ *$//')" = "LAST ROW of $p: the bottom line" ]; }
	end=$(( $(date +%s) + 20 ))
	until last_is_back; do
		[ "$(date +%s)" -le "$end" ] || {
			echo "--- screen of $p:"; screen "$p"; echo "---"
			fail "$p: the last row is '$(screen "$p" | tail -n 1)', not the program's text"
		}
		sleep 0.05
	done
	screen "$p" | grep -q 'link down' && fail "$p: the status line is still there"
	[ "$(screen "$p" | grep -c "^row [0-9]* of $p\$")" = 29 ] || fail "$p: the other rows changed"
done
echo "status line: the last row is the program's again after the link came back (predict never and adaptive)"
