#!/bin/sh
# What the user sees on the desk is what the program receives, for every
# UTF-8 character: the session's pty has iutf8, so an erase takes back a
# whole character (é is two bytes), on the desk's discipline and on the
# host's alike. Typing abc, erase, Xé, erase, erase, Z gives abZ.
. test/integration/lib.sh "$1"
export LANG=C.UTF-8
prog="stty -a | grep -o '[-]*iutf8' | head -n 1 | sed 's/^/flag:/'; printf 'LINE> '; read l; printf 'got[%s]\n' \"\$l\"; exec cat"
tm_start w1 "exec $TELLY attach u1 -- sh -c '$(printf %s "$prog" | sed "s/'/'\\\\''/g")'"
wait_for w1 'LINE>'
screen w1 | grep -q '^flag:iutf8' || { screen w1; fail "the session's pty lacks iutf8"; }
tm send-keys -t t:w1 'abc' BSpace 'Xé' BSpace BSpace 'Z' Enter
wait_for w1 'got['
screen w1 | grep -qF 'got[abZ]' || { screen w1; fail "the program did not get abZ"; }
echo "erase takes whole UTF-8 characters: ok"
