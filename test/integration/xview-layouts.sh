#!/bin/sh
# The desk's layout types on the host as it does on the desk, key by key
# as a user presses them (XTEST on the desk, the window focused; xdotool
# presses the key that types each keysym in the desk's layout): a
# seamless view into the host's xterm, the desk's layout changed with
# setxkbmap while the view runs. Each row of the table: the layout and
# options, the keys pressed (xdotool's names), and the line the host's
# program must read: AltGr, dead keys, Cyrillic, compose, two layouts
# switched with Alt+Shift. Then a key held on the desk repeats at the
# desk's rate, and only that: with the desk's first repeat after 1 s,
# the host's own autorepeat (660 ms, 25 a second) would add some 9
# between them (6 at most leaves room for a slow xdotool under load).
. test/integration/lib.sh "$1"
need_progs xterm xdotool xwininfo setxkbmap xkbcomp xset
start_xvfb 1024x768
setxkbmap -layout us || fail "setxkbmap us"

# LAYOUT_VIEW=plain: telly's own desktop (one desk window, the host's
# window inside it) instead.
typed_view lay laytest "${LAYOUT_VIEW:-seamless}"

hold() { # KEY SECONDS: held on the desk that long, then Return
	xdotool keydown "$1"
	sleep "$2"
	xdotool keyup "$1"
	xdotool key Return
	next_line
}
# layout and options | keys | the line typed
while IFS='|' read -r lay keys want; do
	[ -n "$lay" ] || continue
	# shellcheck disable=SC2086 # words: setxkbmap's arguments, xdotool's keys
	setxkbmap $lay || fail "setxkbmap $lay"
	# shellcheck disable=SC2086
	xdotool key --delay 20 $keys Return
	next_line
	[ "$got" = "$want" ] || fail "$lay: $keys typed '$got' on the host, not '$want'"
	echo "$lay: $keys: $got"
done <<'TABLE'
-layout fr|a q w z m|aqwzm
-layout fr|ISO_Level3_Shift+agrave|@
-layout fr|dead_circumflex e dead_diaeresis i|êï
-layout de|z y ssharp adiaeresis|zyßä
-layout de|ISO_Level3_Shift+q|@
-layout de|dead_acute e dead_grave a|éà
-layout us -variant intl|dead_acute e dead_diaeresis u dead_tilde n|éüñ
-layout ru|Cyrillic_ef Cyrillic_ya Cyrillic_BE|фяБ
-layout gb|sterling numbersign at|£#@
-layout us -option compose:ralt|Multi_key apostrophe e Multi_key o c|é©
TABLE

# Two layouts on the desk, switched while the window has the focus: the
# host follows (the switch travels as the desk's keys).
setxkbmap -layout us,ru -option -option grp:alt_shift_toggle || fail "setxkbmap us,ru"
xdotool key --delay 20 a
xdotool keydown Alt_L keydown Shift_L keyup Shift_L keyup Alt_L
xdotool key --delay 20 Cyrillic_ef
xdotool keydown Alt_L keydown Shift_L keyup Shift_L keyup Alt_L
xdotool key --delay 20 a Return
next_line
[ "$got" = "aфa" ] || fail "us,ru switched with Alt+Shift typed '$got' on the host, not 'aфa'"
echo "us,ru switched: $got"

# A held key: the desk's repeat, not doubled by the host's.
setxkbmap -layout us -option || fail "setxkbmap us"
xset r rate 1000 2
hold y 1.6
case "$got" in y | yy | yyy | yyyy | yyyyy | yyyyyy) ;; *) fail "y held 1.6 s with the desk's repeat after 1 s at 2 a second typed '$got'" ;; esac
echo "y held, slow desk repeat: $got"
# The desk's rate changed: followed.
xset r rate 200 25
hold y 1
[ "${#got}" -ge 8 ] || fail "y held 1 s with the desk's repeat after 0.2 s at 25 a second typed only '$got'"
echo "y held, fast desk repeat: ${#got} of them"
