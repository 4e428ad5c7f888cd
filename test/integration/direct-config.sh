#!/bin/sh
# The config file's direct setting: with no line telly view goes by the
# direct transport and telly ls (one request) over ssh, `direct no` keeps
# view on ssh and `direct yes` takes ls direct too, --direct and
# --no-direct override it, a host's own line wins over the default (a
# bare host for any user, a user@host for that one), and a wrong value
# stops telly naming the line. (Before the direct transport was the
# default, "no config" came over ssh.)
. test/integration/lib.sh "$1"

dirs="$T/remote"
start_sshd "$T/remote"
rlog="$T/remote/serve.log"
export XDG_CONFIG_HOME=$T/cfg
mkdir -p "$T/cfg/telly"
TELLY_DIR=$T/remote XDG_STATE_HOME=$T/remote.state "$TELLY" new -s far -- env PS1='far> ' sh ||
	fail "new on the remote side"
n=0
cat >"$T/in" <<EOT
wait "far>"
screenshot $T/shot.png
EOT
direct_count() { grep -c 'direct: a connection with the secret for port' "$rlog"; }
view() { # WHAT yes|no [OPTIONS...]: the view reaches far, by direct or not
	what=$1 want=$2
	shift 2
	"$TELLY" view --headless --ssh "$ssh_cmd" --server "$TELLY" --input "$T/in" "$@" "$dest" \
		>"$T/legend" 2>"$T/err" || fail "$what: view: $(cat "$T/err")"
	grep -q "^window far " "$T/legend" || fail "$what: far is not a window"
	m=$(direct_count)
	if [ "$want" = yes ]; then
		[ "$m" -gt "$n" ] || fail "$what: the view did not come by the direct transport"
	else
		[ "$m" = "$n" ] || fail "$what: the view came by the direct transport"
	fi
	n=$m
	echo "$what: direct $want: ok"
}
view "no config" yes
view "no config, --no-direct" no --no-direct
printf 'direct no\n' >"$T/cfg/telly/config"
view "direct no" no
printf 'direct yes\n' >"$T/cfg/telly/config"
view "direct yes" yes
view "direct yes, --no-direct" no --no-direct
printf 'direct no\ndirect yes other.example 127.0.0.1\n' >"$T/cfg/telly/config"
view "direct no, yes for the host" yes
printf 'direct no\n' >"$T/cfg/telly/config"
view "direct no, --direct" yes --direct
printf 'direct yes 127.0.0.1\ndirect no %s\n' "$dest" >"$T/cfg/telly/config"
view "yes for the host, no for user@host" no

# telly ls: one request, over ssh unless the config (or --direct) asks
# for the direct transport (a secret's round trips and a port opened for
# one answer would be all cost).
rm "$T/cfg/telly/config"
"$TELLY" ls --ssh "$ssh_cmd" --server "$TELLY" "$dest" >"$T/ls" 2>&1 || fail "ls: $(cat "$T/ls")"
grep -q far "$T/ls" || fail "ls did not list far: $(cat "$T/ls")"
[ "$(direct_count)" = "$n" ] || fail "ls, no config, came by the direct transport"
printf 'direct no %s\n' "$dest" >"$T/cfg/telly/config"
"$TELLY" ls --ssh "$ssh_cmd" --server "$TELLY" "$dest" >"$T/ls" 2>&1 || fail "ls: $(cat "$T/ls")"
grep -q far "$T/ls" || fail "ls did not list far: $(cat "$T/ls")"
[ "$(direct_count)" = "$n" ] || fail "ls with direct no for the host came by the direct transport"
echo "ls, no config and direct no: ok"
printf 'direct yes\n' >"$T/cfg/telly/config"
"$TELLY" ls --ssh "$ssh_cmd" --server "$TELLY" "$dest" >"$T/ls" 2>&1 || fail "ls: $(cat "$T/ls")"
grep -q far "$T/ls" || fail "ls did not list far: $(cat "$T/ls")"
[ "$(direct_count)" -gt "$n" ] || fail "ls did not come by the direct transport"
echo "ls with direct yes: ok"

printf '# mine\ndirect maybe\n' >"$T/cfg/telly/config"
"$TELLY" view --headless --input "$T/in" "$dest" >"$T/out" 2>&1 && fail "a wrong direct line was used"
grep -qF "$T/cfg/telly/config:2: direct wants yes or no" "$T/out" ||
	fail "a wrong direct line: $(cat "$T/out")"
printf 'direct yes\ndirect no\n' >"$T/cfg/telly/config"
"$TELLY" ls "$dest" >"$T/out" 2>&1 && fail "direct twice was used"
grep -qF "$T/cfg/telly/config:2: direct given twice" "$T/out" || fail "direct twice: $(cat "$T/out")"
echo "wrong direct lines refused: ok"
