#!/bin/sh
# An SSH user's window size is bounded (issue 16: a 5000x5000 pty took the
# daemon to 1.18 GB, kept after logout). The real OpenSSH client in a tmux
# pane whose tty says 5000x5000 asks for a pty that size: the console's
# session is 1000x500 (RP_MAX_COLS x RP_MAX_ROWS). The pane then changes
# to 100x30 (the console follows: window-change works) and to 7000x6000
# (bounded again). The daemon's RSS is printed, not asserted.
. "$(dirname "$0")/lib.sh"
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
EOF2
door_keys "alice:vm1:rw"
door_start
rss() { awk '/^VmRSS/ { print $2 " kB" }' "/proc/$(daemon_pid)/status"; }
size_is() { "$TELLY" ls | grep -q "^vm1: .*, $1, "; }
echo "daemon RSS before: $(rss)"
tm_start w "stty rows 5000 cols 5000; $door_ssh_cmd -tt -i $K/alice vm1@127.0.0.1"
wait_until 20 sh -c "'$TELLY' ls | grep -q '1 viewer'"
size_is 1000x500 || fail "a 5000x5000 pty: $("$TELLY" ls)"
echo "daemon RSS after a 5000x5000 pty-req: $(rss)"
tty=$(tm display -p -t t:w '#{pane_tty}')
stty -F "$tty" rows 30 cols 100
wait_until 10 size_is 100x30
stty -F "$tty" rows 6000 cols 7000
wait_until 10 size_is 1000x500
echo "daemon RSS after a 7000x6000 window-change: $(rss)"
echo "ok"
