#!/bin/sh
# A desk that leaves on purpose tells the host (DETACH), so the host frees
# its channels at once: telly view (the desktop and --seamless, its
# terminal and X channels) and telly x on SIGTERM, SIGHUP or SIGINT, and
# telly attach on SIGTERM, SIGHUP and SIGINT. Before, the views left with
# no word (attach, killed by SIGINT), and over TCP or ssh the host kept
# each channel an hour for a RESUME that no process would send (serve.log: "lost; its channel on NAME waits 3600 s
# for its desk"), at most 64 of them, and an X session that lasted only
# for the view (a copy its programs left, held on the desk) outlived
# telly x's "ends with this view" by up to 5 s. It now ends at once. Of
# two views of such a session that leave at once, the second to be
# heard says it ends with it.
. test/integration/lib.sh "$1"
need_progs Xvfb xclip
start_xvfb 1024x768
port=$(free_port)
"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
pids="$pids $!"
wait_until 10 grep -q "serving on" "$T/serve.err"
fail() { echo "FAIL: $*"; tail -n 20 "$T/serve.err"; exit 1; }
tl() { # (run with &: its pid is telly's)
	sub=$1
	shift
	exec "$TELLY" "$sub" --tcp 127.0.0.1:$port --token-file "$TELLY_DIR/token" "$@"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
count() { grep -c "$1" "$T/serve.err"; }
more() { [ "$(count "$1")" -gt "$2" ]; }
# LEFT PID SIG NAME...: PID, sent SIG, ends and each NAME's channel is
# detached, none left waiting for its desk.
left() {
	lpid=$1
	sig=$2
	shift 2
	lost=$(count "lost; its channel on")
	for n in "$@"; do eval "was_$n=\$(count 'detached from $n\$')"; done
	kill -"$sig" "$lpid"
	wait_until 20 gone "$lpid" || fail "$sig did not end pid $lpid"
	for n in "$@"; do
		eval "w=\$was_$n"
		wait_until 10 more "detached from $n\$" "$w" ||
			fail "$sig: the host was not told the desk left $n"
	done
	[ "$(count "lost; its channel on")" = "$lost" ] ||
		fail "$sig: a channel waits for a desk that left: $(grep 'lost; its channel on' "$T/serve.err" | tail -n 2)"
}

"$TELLY" new -s term -- sleep 3600 >/dev/null || fail "new term"
"$TELLY" new --x11 -s xs -- sleep 3600 || fail "new --x11"

# telly view, the desktop: a terminal and an X session; TERM, then HUP.
for sig in TERM HUP; do
	ta=$(count "attached to term\( \|\$\)")
	xa=$(count "attached to xs\( \|\$\)")
	tl view >"$T/view-$sig.out" 2>&1 &
	vpid=$!
	pids="$pids $vpid"
	wait_until 20 more "attached to term\( \|\$\)" "$ta" || fail "the view did not attach to term"
	wait_until 20 more "attached to xs\( \|\$\)" "$xa" || fail "the view did not attach to xs"
	left "$vpid" "$sig" term xs
	echo "telly view left on $sig: its terminal and X channels detached"
done

# telly view --seamless of the X session: INT.
xa=$(count "attached to xs")
tl view --seamless --x11 xs >"$T/seamless.out" 2>&1 &
vpid=$!
pids="$pids $vpid"
wait_until 20 more "attached to xs" "$xa" || fail "the seamless view did not attach"
left "$vpid" INT xs
echo "telly view --seamless left on INT: detached"

# telly attach: TERM, HUP, INT (its ~. and end of input detached
# already; INT, from a shell's ^C when its input is not a terminal, or
# kill, ended it with no word).
for sig in TERM HUP INT; do
	mkfifo "$T/in-$sig"
	ta=$(count "attached to term\( \|\$\)")
	tl attach term <"$T/in-$sig" >"$T/attach-$sig.out" 2>&1 &
	apid=$!
	pids="$pids $apid"
	exec 3>"$T/in-$sig"
	wait_until 20 more "attached to term\( \|\$\)" "$ta" || fail "attach did not attach"
	left "$apid" "$sig" term
	exec 3>&-
	echo "telly attach left on $sig: detached"
done

# telly x whose program left only a copy (xclip holds PRIMARY): TERM,
# and the session ends with the view at once, as telly x says.
tl x -s clip -- sh -c "printf 'made there' | xclip -i -selection clipboard" >"$T/x.out" 2>&1 &
xpid=$!
pids="$pids $xpid"
wait_until 20 grep -q "session clip: its programs ended; an X client of theirs holds a copy" "$T/serve.err" ||
	fail "serve.log does not say the copy keeps the session: $(cat "$T/x.out")"
left "$xpid" TERM clip
grep -qx "telly x: clip ends with this view: its programs ended and left only a copy (CLIPBOARD or PRIMARY), which goes with it" \
	"$T/x.out" || fail "telly x does not say the session ends with it: $(cat "$T/x.out")"
grep -q "session clip: its programs ended; the X client of theirs that holds a copy kept it for its views, and the last one left: its X display was stopped" "$T/serve.err" ||
	fail "serve.log does not say the session ended with its last view: $(grep 'session clip' "$T/serve.err" | tail -n 3)"
wait_until 10 grep -q "session clip ended" "$T/serve.err" || fail "the session did not end"
echo "telly x left on TERM: detached, and the session that lasted for it ended then"

# Two views of such a session leave at once (telly x and a view that
# says its status as telly x does): the host took one's DETACH first and
# told the other it was left the only view, before that one's DETACH:
# that one says the session ends with it and exits with the program's
# status, the first says it runs on (it did, when it left). Before, each
# left without hearing it, and both said the session runs on.
for r in 1 2 3; do
	tl x -s both$r -- sh -c "until [ -e '$T/go-both$r' ]; do sleep 0.05; done
		printf 'made there' | xclip -i -selection clipboard" >"$T/x$r.out" 2>&1 &
	xpid=$!
	pids="$pids $xpid"
	wait_until 20 grep -q "attached to both$r\\( \\|\$\\)" "$T/serve.err" || fail "telly x did not attach"
	tl view --seamless --exit-status --x11 both$r >"$T/v$r.out" 2>&1 &
	vpid=$!
	pids="$pids $vpid"
	wait_until 20 sh -c "[ \$(grep -c 'attached to both$r\\( \\|\$\\)' '$T/serve.err') = 2 ]" ||
		fail "the second view did not attach"
	touch "$T/go-both$r"
	wait_until 20 grep -q "session both$r: its programs ended; an X client of theirs holds a copy" "$T/serve.err" ||
		fail "serve.log does not say the copy keeps the session"
	kill -TERM "$xpid" "$vpid"
	wait_until 20 gone "$xpid" || fail "telly x did not end"
	wait_until 20 gone "$vpid" || fail "the view did not end"
	rx=0 rv=0
	wait "$xpid" || rx=$?
	wait "$vpid" || rv=$?
	ends=$(cat "$T/x$r.out" "$T/v$r.out" | grep -c "both$r ends with this view")
	runs=$(cat "$T/x$r.out" "$T/v$r.out" | grep -c "both$r runs on: ")
	[ "$ends" = 1 ] && [ "$runs" = 1 ] ||
		fail "round $r: not one view saying the session ends with it and one that it runs on: telly x: $(cat "$T/x$r.out"); the view: $(cat "$T/v$r.out")"
	# (143: SIGTERM, the program running on; 0: the program's status.)
	[ "$rx.$rv" = "143.0" ] || [ "$rx.$rv" = "0.143" ] || fail "round $r: exits $rx and $rv"
	wait_until 10 grep -q "session both$r: its programs ended; the X client of theirs that holds a copy kept it for its views, and the last one left" "$T/serve.err" ||
		fail "round $r: the session did not end with its last view"
	grep -q "both$r ends with this view" "$T/x$r.out" && echo "round $r: telly x's DETACH came second" ||
		echo "round $r: the view's DETACH came second"
done
echo "two views of a copy's session left at once: the second says it ends, the first that it runs on"
