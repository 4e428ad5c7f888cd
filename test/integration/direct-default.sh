#!/bin/sh
# telly attach DEST with neither --direct nor --no-direct (and no config
# line): the direct transport, ssh only to start. When it cannot be had,
# plain ssh instead, said once on stderr with why, the session working:
# the host's direct port refuses; it drops the connect (a full accept
# queue: the first try gives up within seconds, not minutes); the host's
# telly is an older one without --direct-key (its complaint is not
# shown). Redials of a connection that fell back stay on ssh. A host ssh
# reaches through a ProxyCommand goes over ssh at once. An ssh that
# cannot log in says so once, and nothing is tried after it. (Before
# the default changed, attach came over ssh and said nothing.)
. test/integration/lib.sh "$1"
command -v perl >/dev/null || { echo "no perl"; exit 77; }
dirs="$T/remote"
start_sshd "$T/remote"
rlog=$T/remote/serve.log
# ssh, each run's arguments noted; the pid of one that carries a session.
cat >"$T/ssh-wrap" <<SSH
#!/bin/sh
echo "\$*" >>"$T/ssh-runs"
case "\$*" in *"serve --stdio"*) echo \$\$ >"$T/stdio.pid" ;; esac
exec $ssh_cmd "\$@"
SSH
chmod +x "$T/ssh-wrap"
direct_count() { grep -c 'direct: a connection with the secret for port' "$rlog"; }
stdio_runs() { grep -c 'serve --stdio' "$T/ssh-runs"; }
key_runs() { grep -c 'serve --direct-key' "$T/ssh-runs"; }

# The default: direct, and nothing said about it.
tm_start a "$TELLY attach --ssh '$T/ssh-wrap' --server $TELLY $dest d1 -- sh -c 'echo d1-up; exec cat' 2>$T/a.err; echo attach-exit=\$?; sleep 600"
wait_for a d1-up 20
tm send-keys -t t:a 'typed by default' Enter
wait_for a 'typed by default' 10 2
[ "$(direct_count)" = 1 ] || fail "the default attach did not come by the direct transport"
[ "$(stdio_runs)" = 0 ] || fail "the default attach ran serve --stdio"
[ -s "$T/a.err" ] && fail "the default attach said: $(cat "$T/a.err")"
echo "default is direct: ok"

# fallback NAME WHY [OPTIONS...]: attach to session NAME falls back to
# ssh, saying WHY once, and works; the daemon saw no direct connection.
fallback() {
	fb=$1 why=$2
	shift 2
	n=$(direct_count) s=$(stdio_runs)
	tm_start "$fb" "$TELLY attach --ssh '$T/ssh-wrap' --server $TELLY $* $dest $fb -- sh -c 'echo $fb-up; exec cat' 2>$T/$fb.err; echo attach-exit=\$?; sleep 600"
	wait_for "$fb" "$fb-up" 30
	tm send-keys -t "t:$fb" "typed after $fb" Enter
	wait_for "$fb" "typed after $fb" 10 2
	[ "$(grep -c 'going over ssh' "$T/$fb.err")" = 1 ] || fail "$fb: not said once: $(cat "$T/$fb.err")"
	grep -q "^telly attach: no direct connection (.*$why.*); going over ssh$" "$T/$fb.err" ||
		fail "$fb: why is not said: $(cat "$T/$fb.err")"
	[ "$(direct_count)" = "$n" ] || fail "$fb: a direct connection was made"
	[ "$(stdio_runs)" = $((s + 1)) ] || fail "$fb: not one serve --stdio"
	echo "fallback, $fb: ok"
}
# Nothing listens on the port connected to.
cport=$(free_port)
fallback refused 'Connection refused' --direct-connect "127.0.0.1:$cport"

# A port that drops the connect: a listener whose accept queue is full.
fport=$(free_port)
perl -MSocket -e '$| = 1; my $a = sockaddr_in($ARGV[0], inet_aton("127.0.0.1"));
	socket(S, PF_INET, SOCK_STREAM, 0) or die; bind(S, $a) or die "bind: $!"; listen(S, 0) or die;
	socket(C, PF_INET, SOCK_STREAM, 0) or die; connect(C, $a) or die;
	print "ready\n"; sleep 600' "$fport" >"$T/full.out" 2>&1 &
pids="$pids $!"
wait_until 10 grep -q ready "$T/full.out"
start=$(date +%s)
fallback dropped 'timed out' --direct-connect "127.0.0.1:$fport"
took=$(( $(date +%s) - start ))
# (a generous bound: the kernel's own gives up after about two minutes)
[ "$took" -lt 30 ] || fail "a dropped connect held the first attach ${took}s"

# Its redial stays on ssh: the ssh carrying the session ends, attach
# runs ssh again for serve --stdio, not for another secret.
k=$(key_runs) s=$(stdio_runs)
kill "$(cat "$T/stdio.pid")"
wait_until 30 sh -c "[ \$(grep -c 'serve --stdio' '$T/ssh-runs') -gt $s ]"
tm send-keys -t t:dropped 'typed after the redial' Enter
wait_for dropped 'typed after the redial' 30 2
[ "$(key_runs)" = "$k" ] || fail "the redial asked for a secret again"
[ "$(grep -c 'going over ssh' "$T/dropped.err")" = 1 ] || fail "said again: $(cat "$T/dropped.err")"
echo "a redial after falling back stays on ssh: ok"

# The host's telly is older: it does not know --direct-key.
cat >"$T/old-telly" <<OLD
#!/bin/sh
if [ "\$1 \$2" = "serve --direct-key" ]; then
	echo "telly serve: unknown option '--direct-key'" >&2
	echo "usage: telly serve [--stdio]" >&2
	exit 2
fi
exec $TELLY "\$@"
OLD
chmod +x "$T/old-telly"
fallback older 'ended with status 2 at --direct-key' --server "$T/old-telly"
grep -q 'unknown option' "$T/older.err" && fail "the older telly's complaint was shown: $(cat "$T/older.err")"

# --no-direct: ssh, nothing said.
n=$(direct_count) k=$(key_runs)
tm_start nd "$TELLY attach --no-direct --ssh '$T/ssh-wrap' --server $TELLY $dest nd -- sh -c 'echo nd-up; exec cat' 2>$T/nd.err; echo attach-exit=\$?; sleep 600"
wait_for nd nd-up 20
[ "$(direct_count)" = "$n" ] && [ "$(key_runs)" = "$k" ] || fail "--no-direct tried the direct transport"
[ -s "$T/nd.err" ] && fail "--no-direct said: $(cat "$T/nd.err")"
echo "--no-direct: ok"

# A host ssh reaches through a ProxyCommand (a bastion's way): ssh at
# once, nothing said, no secret asked (before, the direct port was tried
# and, behind a real bastion, a connect's time and a second login lost).
cat >"$T/connect" <<'CONNECT'
#!/bin/bash
exec 3<>"/dev/tcp/$1/$2" || exit 1
cat <&3 &
exec cat >&3
CONNECT
chmod +x "$T/connect"
cat >"$T/ssh-proxied" <<SSH
#!/bin/sh
exec "$T/ssh-wrap" -o "ProxyCommand=$T/connect %h %p" "\$@"
SSH
chmod +x "$T/ssh-proxied"
n=$(direct_count) k=$(key_runs) s=$(stdio_runs)
tm_start px "$TELLY attach --ssh '$T/ssh-proxied' --server $TELLY $dest px -- sh -c 'echo px-up; exec cat' 2>$T/px.err; echo attach-exit=\$?; sleep 600"
wait_for px px-up 20
tm send-keys -t t:px 'typed through the proxy' Enter
wait_for px 'typed through the proxy' 10 2
[ "$(key_runs)" = "$k" ] || fail "a proxied host was asked for a secret"
[ "$(direct_count)" = "$n" ] || fail "a proxied host came by the direct transport"
[ "$(stdio_runs)" = $((s + 1)) ] || fail "a proxied host: not one serve --stdio"
[ -s "$T/px.err" ] && fail "a proxied host: attach said: $(cat "$T/px.err")"
echo "a host behind a ProxyCommand: ssh at once: ok"

# An ssh that cannot log in: said once, by ssh and by telly, no fallback.
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/stranger" || fail "ssh-keygen"
out=$(timeout 60 "$TELLY" attach --ssh "ssh -F none -i $T/ssh/stranger -o IdentitiesOnly=yes \
-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \
-p $ssh_port" --server "$TELLY" "$dest:x" </dev/null 2>&1)
rc=$?
[ $rc = 1 ] || fail "no login: exit status $rc ($out)"
[ "$(echo "$out" | grep -c 'Permission denied')" = 1 ] || fail "no login: ssh's message not once: $out"
[ "$(echo "$out" | grep -c "ssh could not reach or log in to $dest")" = 1 ] || fail "no login: $out"
echo "$out" | grep -q 'going over ssh' && fail "no login: fell back: $out"
echo "no login, said once: ok"
screen a | grep -q attach-exit && fail "attach ended: $(cat "$T/a.err")"
echo "direct by default: ok"
