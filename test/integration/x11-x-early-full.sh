#!/bin/sh
# What telly x's program prints before its view attaches is not lost: the
# host keeps 64 KiB of it for the view; past that, while the view its
# OPEN said follows is expected, the program's output is left in its
# pipe, so the program waits on its write as under ssh -X, and is read
# again once the view came. Before, `telly x -- seq 1 50000` printed some
# 12000 lines and "[225280 bytes of output dropped]". telly new --x11
# (no view follows) still reads it all at once: its program never waits.
. test/integration/lib.sh "$1"
need_progs Xvfb
dirs="$T/remote"
start_sshd "$T/remote"
start_xvfb 1024x768
x_config "$XDG_CONFIG_HOME" "$T/remote.config"

for run in 1 2 3; do
	rc=0
	"$TELLY" x -s s$run -- sh -c 'seq 1 50000' >"$T/o" 2>"$T/e" || rc=$?
	[ "$rc" = 0 ] || fail "run $run: telly x exited $rc: $(cat "$T/e")"
	seq 1 50000 | cmp -s - "$T/o" ||
		fail "run $run: not every line in order: $(wc -l <"$T/o") lines, $(grep dropped "$T/o" "$T/e")"
	grep -q dropped "$T/e" && fail "run $run: said dropped: $(cat "$T/e")"
done

# Over ssh, where the view comes on its own ssh connection, late.
rc=0
"$TELLY" x --no-direct --ssh "$ssh_cmd" --server "$TELLY" "$dest" -s r -- sh -c 'seq 1 50000' \
	>"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 0 ] || fail "over ssh: telly x exited $rc: $(cat "$T/e")"
seq 1 50000 | cmp -s - "$T/o" ||
	fail "over ssh: not every line in order: $(wc -l <"$T/o") lines, $(grep dropped "$T/o" "$T/e")"

# A program that ends with what it printed past the 64 KiB still in its
# pipe (20000 lines, 109 KiB): all of it, then its status.
rc=0
"$TELLY" x -s q -- sh -c 'seq 1 20000; exit 3' >"$T/o" 2>"$T/e" || rc=$?
[ "$rc" = 3 ] || fail "telly x of a program that exited 3 exited $rc: $(cat "$T/e")"
seq 1 20000 | cmp -s - "$T/o" ||
	fail "not every line of a program that ended: $(wc -l <"$T/o") lines, $(grep dropped "$T/o" "$T/e")"

# A view that never comes (its ssh refused the second time): the
# program waits on its write no longer than the view's wait (10 s), then
# its output is read (past 64 KiB let go) and it ends with the session.
ssh_once "$T/ssh-once"
"$TELLY" x --no-direct --ssh "$T/ssh-once" --server "$TELLY" "$dest" -s kx -- \
	sh -c "seq 1 50000; : >'$T/kx.done'" >/dev/null 2>&1 && fail "telly x whose view could not come exited 0"
kx_done() { [ -e "$T/kx.done" ]; }
wait_until 20 kx_done
kx_gone() { ! TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state "$TELLY" ls 2>/dev/null | grep -q '^kx:'; }
wait_until 10 kx_gone

# No view follows: the program is read as it prints, and ends.
"$TELLY" new --x11 -s nv -- sh -c "seq 1 50000; : >'$T/nv.done'" >/dev/null ||
	fail "telly new --x11"
nv_done() { [ -e "$T/nv.done" ]; }
wait_until 10 nv_done
echo "ok: telly x prints all its program printed before its view came"
