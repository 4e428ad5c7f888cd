#!/bin/sh
# The clipboard of telly view on an X desk (Xvfb), checked with xclip
# from the other side: ctrl+shift+v pastes the desk's CLIPBOARD (5 MB of
# it too, which xclip hands over by INCR; a paste is cut to 64 KiB),
# bracketed when the program asked; 30000 lines of it into a canonical
# read (paced: the view's queue never fills); a double click selects a word and a
# drag a range, either becomes PRIMARY, ctrl+shift+c copies to CLIPBOARD,
# a middle click pastes PRIMARY; a selection of 1500 lines across the
# history goes to xclip by INCR; OSC 52 writes only with --osc52-write,
# and a read is never answered.
. test/integration/lib.sh "$1"
command -v xclip >/dev/null || fail "no xclip (make deps installs it)"
start_xvfb

# The session: commands, one a line (canonical mode: the desk edits and
# echoes; a paste comes once the selection's owner answered, so a script
# waits for its echo before it types on).
cat >"$T/c" <<EOP
printf 'alpha beta-gamma.delta zeta\n'
echo C-READY
xx=\$(printf '%074d' 0 | tr 0 x)
while read cmd; do
	case "\$cmd" in
	p) echo "GOT<\$(xclip -o -selection primary)>" ;;
	c) echo "GOT<\$(xclip -o -selection clipboard)>" ;;
	raw)
		stty raw -echo; printf '\033[?2004hRAW-READY\r\n'
		head -c 17 >"$T/bracketed"
		printf '\033[?2004l'; stty sane; echo RAW-DONE ;;
	setbig)
		xclip -selection clipboard -i "$T/big"
		until [ "\$(xclip -o -selection clipboard | head -c 3)" = yyy ]; do :; done
		echo BIG-SET ;;
	raw2)
		stty raw -echo; printf 'RAW2-READY\r\n'
		head -c 65536 >"$T/bigpaste"
		stty sane; echo "RAW2<\$(wc -c <"$T/bigpaste")>" ;;
	setmany)
		xclip -selection clipboard -i "$T/many"
		until [ "\$(xclip -o -selection clipboard | wc -l)" = 30000 ]; do :; done
		echo MANY-SET ;;
	readmany)
		echo READING
		head -n 30000 >"$T/manygot"
		echo "MANY<\$(grep -cx a "$T/manygot")>" ;;
	lines)
		i=1; while [ \$i -le 1500 ]; do printf 'L%04d-%s\n' \$i "\$xx"; i=\$((i + 1)); done
		echo LINES-DONE ;;
	n) echo "COUNT<\$(xclip -o -selection primary | grep -c '^L[0-9]*-x*\$')>" ;;
	osc) printf '\033]52;c;%s\a' "\$(printf osc-text | base64)"; echo OSC-SENT ;;
	ask)
		stty raw -echo
		printf '\033]52;c;?\a\033[c'
		dd bs=1 count=3 2>/dev/null >"$T/answer"
		stty sane; echo ASKED ;;
	*) echo "LINE<\$cmd>" ;;
	esac
done
EOP
printf from-desk >"$T/small"
head -c 5000000 /dev/zero | tr '\0' y >"$T/big"
yes a | head -n 30000 >"$T/many"
xclip -selection clipboard -i "$T/small" || fail "xclip -i"
"$TELLY" new -s c -- env DISPLAY="$DISPLAY" sh "$T/c" || fail "new"

# The cell geometry from a first headless run.
printf 'wait "C-READY"\nscreenshot %s\n' "$T/0.png" >"$T/in0"
"$TELLY" view --headless --input "$T/in0" >"$T/legend0" 2>"$T/err" || fail "view: $(cat "$T/err")"
set -- $(legend_cell "$T/legend0"); cw=$1 ch=$2
set -- $(legend_win "$T/legend0" c); x0=$5 y0=$6
cell() { # COL ROW: a move from (0,0) to the middle of that cell
	printf "%s\n" "move -3000 -3000"
	printf "%s\n" "move $((x0 + $1 * cw + cw / 2)) $((y0 + $2 * ch + ch / 2))"
}

{
	printf '%s\n' 'wait "C-READY"'
	# The desk's CLIPBOARD (xclip's) typed into the program.
	printf '%s\n' 'key ctrl+shift+v'
	printf '%s\n' 'wait "from-desk"'
	printf '%s\n' 'type "\n"'
	printf '%s\n' 'wait "LINE<from-desk>"'
	# A double click on a word: PRIMARY; a middle click pastes it.
	cell 10 0
	printf '%s\n' 'click'
	printf '%s\n' 'click'
	printf '%s\n' 'type "p\n"'
	printf '%s\n' 'wait "GOT<beta-gamma.delta>"'
	printf '%s\n' 'click 2'
	printf '%s\n' 'type "\n"'
	printf '%s\n' 'wait "LINE<beta-gamma.delta>"'
	# A drag over "alpha", then copied to CLIPBOARD.
	cell 0 0
	printf '%s\n' 'press 1'
	printf "%s\n" "move $((4 * cw)) 0"
	printf '%s\n' 'release 1'
	printf '%s\n' 'key ctrl+shift+c'
	printf '%s\n' 'type "c\n"'
	printf '%s\n' 'wait "GOT<alpha>"'
	# Bracketed paste for a program that asked (2004).
	printf '%s\n' 'type "raw\n"'
	printf '%s\n' 'wait "RAW-READY"'
	printf '%s\n' 'key ctrl+shift+v'
	printf '%s\n' 'wait "RAW-DONE"'
	# 5 MB on the desk's CLIPBOARD (INCR from xclip): 64 KiB pasted.
	printf '%s\n' 'type "setbig\n"'
	printf '%s\n' 'wait "BIG-SET" 60'
	printf '%s\n' 'type "raw2\n"'
	printf '%s\n' 'wait "RAW2-READY"'
	printf '%s\n' 'key ctrl+shift+v'
	printf '%s\n' 'wait "RAW2<65536>" 30'
	# 30000 short lines pasted into a canonical read: 30000 frames
	# and their echo, paced so the connection's queue never fills.
	printf '%s\n' 'type "setmany\n"'
	printf '%s\n' 'wait "MANY-SET" 60'
	printf '%s\n' 'type "readmany\n"'
	printf '%s\n' 'wait "READING"'
	printf '%s\n' 'key ctrl+shift+v'
	printf '%s\n' 'wait "MANY<30000>" 120'
	# 1500 lines selected from the top of the history to the live
	# screen: xclip reads them by INCR.
	printf '%s\n' 'type "lines\n"'
	printf '%s\n' 'wait "LINES-DONE" 30'
	i=0; while [ $i -lt 80 ]; do echo 'key shift+Prior'; i=$((i + 1)); done
	cell 0 0
	printf '%s\n' 'press 1'
	i=0; while [ $i -lt 80 ]; do echo 'key shift+Next'; i=$((i + 1)); done
	cell 79 23
	printf '%s\n' 'release 1'
	printf '%s\n' 'type "n\n"'
	printf '%s\n' 'wait "COUNT<1500>" 30'
	# OSC 52: a write (allowed here), a read (never answered: the
	# terminal's answer to DA comes first).
	printf '%s\n' 'type "osc\n"'
	printf '%s\n' 'wait "OSC-SENT"'
	printf '%s\n' 'type "c\n"'
	printf '%s\n' 'wait "GOT<osc-text>"'
	printf '%s\n' 'type "ask\n"'
	printf '%s\n' 'wait "ASKED"'
} >"$T/in"
"$TELLY" view --accel flat --osc52-write --input "$T/in" >"$T/legend" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
echo "paste, selections, copy, INCR both ways, OSC 52 write: ok"

printf '\033[200~alpha\033[201~' >"$T/want"
cmp -s "$T/want" "$T/bracketed" ||
	fail "bracketed paste read $(od -An -c "$T/bracketed" | tr -s ' \n' ' ')"
[ "$(head -c 65536 "$T/big")" = "$(cat "$T/bigpaste")" ] || fail "the big paste is not the clipboard's start"
[ "$(head -c 3 "$T/answer")" = "$(printf '\033[?')" ] ||
	fail "OSC 52 read answered: $(od -An -c "$T/answer" | tr -s ' \n' ' ')"
echo "bracketed, the big paste's bytes, no answer to a read: ok"

# Without --osc52-write a program cannot set the clipboard: it stays
# xclip's.
xclip -selection clipboard -i "$T/small" || fail "xclip -i"
printf 'wait "ASKED"\ntype "osc\\n"\nwait "OSC-SENT"\ntype "c\\n"\nwait "GOT<from-desk>"\n' >"$T/in2"
"$TELLY" view --input "$T/in2" >/dev/null 2>"$T/err" || fail "view: $(cat "$T/err")"
echo "OSC 52 write off by default: ok"
