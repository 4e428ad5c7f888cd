#!/bin/sh
# An X session over --direct: `telly view --direct --headless --x11 NAME
# user@host` (a real sshd only for the secret) draws the host's xterm and
# a line typed into it through the sealed TCP link reaches its program.
. test/integration/lib.sh "$1"
need_progs Xvfb xkbcomp xterm

dirs="$T/remote"
start_sshd "$T/remote"
rlog="$T/remote/serve.log"
far() { TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state "$TELLY" "$@"; }
far new --x11 -s xs -- xterm -T xtest -geometry 40x8+40+50 \
	-e sh -c "printf 'ready> '; read line; printf '%s\n' \"\$line\" >$T/typed; exec sleep 600" ||
	fail "new --x11 on the remote side"
wait_until 20 sh -c "TELLY_DIR=$T/remote \"$TELLY\" ls | grep -q 'window .*\"xtest\"'"

cat >"$T/in" <<EOT
wait-window "xtest" 20
screenshot $T/shot.png
type "over direct\n"
wait-update 10
EOT
"$TELLY" view --headless --ssh "$ssh_cmd" --server "$TELLY" --direct --x11 xs --input "$T/in" \
	"$dest" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
grep -q '^xwindow .* title "xtest"' "$T/legend" || fail "no xtest window in the legend: $(cat "$T/legend")"
wait_until 10 grep -qx 'over direct' "$T/typed"
grep -q 'direct: a connection with the secret for port [0-9]* (its first' "$rlog" ||
	fail "the view did not come by the direct transport"
echo "X session over direct: drawn, typing reached the xterm's program: ok"
