#!/bin/sh
# Keys typed into two terminal windows in turn while the link is down
# (the focus moved between them by title, as a person clicks): once the
# link is back, each key arrives once, in its own window, in order, and
# the view, told to keep going, is still there to see them answered. Over
# TCP through cut-proxy; the view headless, held at gates (FIFOs as
# screenshot files) while the link is cut and typed into.
. test/integration/lib.sh "$1"
. test/integration/viewlink.inc
serve "$T/serve.err"
link_proxy "$T/gate1" "$T/gate2"
fail() { view_fail "$@"; }
# Each window's program: raw, no echo; its title, "ready", then each key
# to FILE and "got K." once a "." ends one.
cat >"$T/two.sh" <<'PROG'
stty raw -echo
printf '\033]2;%s\007' "$1"
echo ready
exec perl -e 'open(my $f, ">", $ARGV[0]) or die; $| = 1; select((select($f), $| = 1)[0]);
	my $t = ""; while (sysread(STDIN, my $b, 1)) { print $f $b; $t .= $b;
	if ($b eq ".") { print "got $t\r\n"; $t = ""; } }' "$2"
PROG
for w in a b; do
	"$TELLY" new -s k$w -- sh "$T/two.sh" win$w "$T/typed$w" >/dev/null || fail "new k$w"
done
{
	printf '%s\n' 'wait-window "wina" 20' 'wait "ready" 20' 'wait-window "winb" 20' 'wait "ready" 20'
	printf 'screenshot %s\n' "$T/a.png" "$T/gate1"
	echo 'wait-window "link down" 30'
	for i in 1 2 3; do
		printf '%s\n' 'wait-window "wina" 10' "type \"a$i.\"" 'wait-window "winb" 10' "type \"b$i.\""
	done
	echo "screenshot $T/gate2"
	# The script's end closes the view (as a closed window does), so it
	# ends on what only the link back can bring: each window's answer to
	# its last key. A wait-window alone would not hold it: the title
	# marked "link down" still names its window, and the view would end
	# at once with the keys still queued.
	printf '%s\n' 'wait-window "wina" 60' 'wait "got a3." 60' 'wait-window "winb" 60' 'wait "got b3." 60'
} >"$T/in"
typed_while_down 30
ctl up
wait "$vpid" || fail "the view failed"
for w in a b; do
	got=$(cat "$T/typed$w")
	[ "$got" = "${w}1.${w}2.${w}3." ] || fail "window $w got '$got', not '${w}1.${w}2.${w}3.'"
done
echo "ok: keys typed into two windows in turn while down each arrived once, in its own"
