#!/bin/sh
# A terminal session's program that cannot run fails as ssh's shell says
# a command that cannot run: `telly new -- PROG` says "cannot run PROG:
# WHY" (the exec's own errno), exits 127, and leaves no session behind.
# Before, a program that is there but whose exec fails (its interpreter
# is not, it is no program) was answered with a session's name and 0,
# and the session ended at its start (env said why in a screen nobody
# saw); a name PATH lacks was looked for with stat()s in the daemon's
# loop. The NAME=VALUE words before the program are its environment, as
# env's (PATH=DIR among them says where it is).
. test/integration/lib.sh "$1"
mkdir "$T/bin" "$T/dir"
printf '#!/nonexistent/sh\necho ran\n' >"$T/noint"
chmod +x "$T/noint"
: >"$T/plain" # not executable
printf '#!/bin/sh\nexec sleep 600\n' >"$T/bin/telly-test-only-here"
chmod +x "$T/bin/telly-test-only-here"

# new_fails NAME WHY PROG...: telly new -s NAME -- PROG... exits 127 with
# "cannot run WHY", and NAME is not listed just after.
new_fails() {
	name=$1 why=$2
	shift 2
	rc=0
	"$TELLY" new -s "$name" -- "$@" >"$T/$name.out" 2>&1 || rc=$?
	[ "$rc" = 127 ] || fail "telly new -- $* exited $rc: $(cat "$T/$name.out")"
	grep -qF "telly new: cannot run $why" "$T/$name.out" ||
		fail "telly new -- $* did not say why: $(cat "$T/$name.out")"
	"$TELLY" ls 2>/dev/null | grep -q "^$name:" &&
		fail "telly new -- $* left a session: $("$TELLY" ls)"
	return 0
}

# Every time (a script's exec, not a look at the file, says it).
for i in 1 2 3; do
	new_fails ni$i "$T/noint: No such file or directory" "$T/noint"
done
new_fails np "$T/plain: Permission denied" "$T/plain"
new_fails nd "$T/dir: Permission denied" "$T/dir"
new_fails nx "/nonexistent/x: No such file or directory" /nonexistent/x arg
new_fails nn "telly-no-such-program: No such file or directory" telly-no-such-program
# Relative to the folder it starts in (-c), as the exec finds it.
(cd "$T" && new_fails nr "./noint: No such file or directory" ./noint)
# After NAME=VALUE words: they were the environment's, and the program
# after them was not looked for (telly new said 0, env said why).
new_fails ne "telly-no-such-program: No such file or directory" LANG=C telly-no-such-program

# Programs that run still do: one found in the PATH its words give, with
# the environment they say.
"$TELLY" new -s here -- LANG=C PATH="$T/bin:/usr/bin:/bin" telly-test-only-here >"$T/here.out" 2>&1 ||
	fail "telly new of a program in PATH=DIR: $(cat "$T/here.out")"
[ "$(cat "$T/here.out")" = here ] || fail "telly new printed: $(cat "$T/here.out")"
"$TELLY" ls | grep -q "^here: .*telly-test-only-here" || fail "not listed: $("$TELLY" ls)"
pid=$("$TELLY" ls | sed -n 's/^here: .*pid \([0-9]*\).*/\1/p')
[ -n "$pid" ] || pid=$(pgrep -f "telly-test-only-here" | head -n 1)
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "LANG=C" || fail "LANG=C is not in its environment"
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "TELLY_SESSION=here" || fail "TELLY_SESSION not set"
tr '\0' '\n' <"/proc/$pid/environ" | grep -q "^TERM=" || fail "TERM not set"
# A TERM word of its own is the one it gets (env's: the last word wins).
"$TELLY" new -s term -- TERM=dumb sh -c 'echo "term[$TERM]"; exec sleep 600' >/dev/null ||
	fail "telly new -- TERM=dumb"
timeout 10 "$TELLY" attach term </dev/null >"$T/term.out" 2>&1
grep -q "term\[dumb\]" "$T/term.out" || fail "TERM=dumb was not its TERM: $(cat "$T/term.out")"

# telly attach of a program that cannot run says why too, and exits
# 127 as telly new does (it exited 1).
rc=0
timeout 20 "$TELLY" attach -c "$T" na -- ./noint </dev/null >"$T/na.out" 2>&1 || rc=$?
[ "$rc" = 127 ] || fail "telly attach of a program that cannot run exited $rc: $(cat "$T/na.out")"
grep -qF "cannot run ./noint: No such file or directory" "$T/na.out" ||
	fail "telly attach did not say why: $(cat "$T/na.out")"
"$TELLY" ls 2>/dev/null | grep -q "^na:" && fail "telly attach left a session: $("$TELLY" ls)"

# The daemon serves on.
"$TELLY" ls | grep -q "^here:" || fail "the daemon lost a session: $("$TELLY" ls)"
echo ok
