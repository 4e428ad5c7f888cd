#!/bin/sh
# An X session's runtime directory removed under its live daemon (a /tmp
# cleaner, rm -rf): the daemon makes the directory and its socket again
# (rundir-removed.sh), and with them the display's cookie file, so that
# `telly run NAME -- PROGRAM` (and a terminal session's DISPLAY) still
# reach the display: the program's window appears; the cookie file is
# 0600 again and its keymap loads (a view's typing reaches the program).
. test/integration/lib.sh "$1"
need_progs Xvfb xkbcomp
uid=$(id -u)
export TELLY_DIR=  # empty: not set, for telly
export TELLY_TMPDIR=$T/tmp
mkdir -m 700 "$TELLY_TMPDIR"
R=$TELLY_TMPDIR/telly-$uid
dirs="$dirs $R"

"$TELLY" new --x11 -s xs -- "$B/test/xpress" "$T/log" >/dev/null || fail "telly new --x11"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"xpress\"'"
[ -s "$R/x11-xs.auth" ] || fail "no cookie file at $R/x11-xs.auth: $(ls "$R")"

rm -rf "$R"
wait_until 20 test -S "$R/serve.sock"
wait_until 10 test -s "$R/x11-xs.auth"
[ "$(stat -c %a "$R/x11-xs.auth")" = 600 ] || fail "the cookie file is $(stat -c %a "$R/x11-xs.auth")"

"$TELLY" run xs -- "$B/test/xpress" "$T/log2" again >"$T/run.out" 2>&1 ||
	fail "telly run: $(cat "$T/run.out")"
wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"again\"'"

# A view's keymap goes through a file in the directory too: typing works.
cat >"$T/in" <<EOT
wait-window "again" 20
key b
wait-update 10
EOT
"$TELLY" view --headless --x11 xs --input "$T/in" >"$T/l" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
wait_until 10 grep -q '^key-release 56 ' "$T/log2"
echo "the runtime directory removed under an X session: its cookie made again, telly run reaches the display: ok"
