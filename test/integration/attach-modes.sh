#!/bin/sh
# Leaving a session undoes the modes its program set in the desk's
# terminal, as tmux, screen and mosh do: the alternate screen, application
# cursor keys and keypad, mouse reporting, bracketed paste, a hidden cursor,
# colours, line drawing, a scroll region and origin mode. Each way of
# leaving: ~., the session's end, the link lost. The last line is then on
# the primary screen, under what the program printed there, and the shell after it
# gets plain keys (arrows as CSI, a paste without brackets).
. test/integration/lib.sh "$1"

# The program: waits for its go file, sets everything, and stays (m1, m3)
# or ends once told (m2) without undoing any of it.
cat >"$T/prog.sh" <<'EOF'
echo on-the-primary-screen
while [ ! -e "$1.go" ]; do sleep 0.02; done
printf '\033[?1049h\033[?1h\033=\033[?1002h\033[?1006h\033[?2004h\033[?25l\033[1;31m\033[3;10r\033[?6h\033(0'
printf 'ALT-SCREEN-UP'
while [ ! -e "$1.end" ]; do sleep 0.02; done
EOF
# The desk's shell around telly attach: its status, then cat -v shows the
# keys the terminal sends.
cat >"$T/wrap.sh" <<EOF
"$TELLY" attach "\$@"
echo "attach-rc=\$?"
exec cat -v
EOF

flags='#{alternate_on} #{cursor_flag} #{keypad_cursor_flag} #{keypad_flag} #{mouse_any_flag} #{mouse_sgr_flag} #{origin_flag} #{scroll_region_upper} #{scroll_region_lower}'
flags_of() { tm display-message -p -t "t:$1" "$flags"; }
set_modes() { # WINDOW SESSION: start its program's modes, see them reach tmux
	touch "$T/$2.go"
	wait_for "$1" 'ALT-SCREEN-UP'
	[ "$(flags_of "$1")" = "1 0 1 1 1 1 1 2 9" ] || fail "$1: the modes did not reach the terminal: $(flags_of "$1")"
}
check_undone() { # WINDOW LAST-LINE RC
	wait_for "$1" "attach-rc=$3"
	got=$(flags_of "$1")
	[ "$got" = "0 1 0 0 0 0 0 0 29" ] ||
		fail "$1: modes left set after leaving (alternate cursor-shown keypad-cursor keypad mouse sgr-mouse origin region): $got"
	screen "$1" | grep -q 'on-the-primary-screen' && ! screen "$1" | grep -q 'ALT-SCREEN-UP' ||
		fail "$1: not back on the primary screen: $(screen "$1")"
	screen "$1" | grep -qF "$2" || fail "$1: no '$2': $(screen "$1")"
	# Colours and line drawing are off: the status line is plain text.
	tm capture-pane -e -p -t "t:$1" | grep "attach-rc=" | grep -q "$(printf '\033')" &&
		fail "$1: the line after leaving still has attributes: $(tm capture-pane -e -p -t "t:$1" | grep attach-rc | cat -v)"
	# Arrow keys as CSI (no DECCKM), a paste without brackets (no 2004).
	tm set-buffer -b p pasted-text
	tm send-keys -t "t:$1" Up
	tm paste-buffer -p -b p -t "t:$1"
	tm send-keys -t "t:$1" Enter
	wait_for "$1" 'pasted-text'
	screen "$1" | grep -qF '^[[Apasted-text' ||
		fail "$1: keys after leaving are not plain (cursor keys or bracketed paste still on): $(screen "$1" | grep pasted)"
}

# ~.
tm_start w1 "sh $T/wrap.sh m1 -- sh $T/prog.sh $T/m1"
wait_until 10 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^m1:'"
set_modes w1 m1
tm send-keys -t t:w1 Enter '~.'
check_undone w1 '[detached from m1]' 0

# The session ends.
tm_start w2 "sh $T/wrap.sh m2 -- sh $T/prog.sh $T/m2"
wait_until 10 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^m2:'"
set_modes w2 m2
touch "$T/m2.end"
check_undone w2 '[m2 exited with status 0]' 0

# The link is lost (the daemon killed).
tm_start w3 "sh $T/wrap.sh m3 -- sh $T/prog.sh $T/m3"
wait_until 10 sh -c "'$TELLY' ls 2>/dev/null | grep -q '^m3:'"
set_modes w3 m3
kill -9 "$(daemon_pid)"
check_undone w3 '[lost the connection to the server]' 1
echo "modes undone on leaving: ok"
