#!/bin/sh
# Logs that must outlive a reboot are not in the runtime directory (a
# tmpfs at /run/user/UID or /tmp): a session's and a console's log and the
# audit log go to the log folder, $XDG_STATE_HOME/telly (else
# ~/.local/state/telly; --log-dir DIR or the config file's log-dir
# instead), made 0700. A log folder someone else owns or may write to, or
# a symlink, is refused with a message naming it, by telly serve and by a
# client that would start the daemon.
. test/integration/lib.sh "$1"
uid=$(id -u)
mode() { stat -c %a "$1"; }

# ---- the default: $XDG_STATE_HOME/telly ----
"$TELLY" new -s s1 -- sh -c 'echo s1-output-$((6*7)); exec sleep 1000' >/dev/null || fail "telly new"
wait_until 10 grep -qs 's1-output-42' "$LOG_DIR/logs/s1.log"
[ "$(mode "$LOG_DIR")" = 700 ] || fail "$LOG_DIR is mode $(mode "$LOG_DIR"), not 700"
[ -e "$TELLY_DIR/logs" ] && fail "a logs folder in the runtime directory: $(ls "$TELLY_DIR/logs")"
grep -q "logs in $LOG_DIR/logs" "$TELLY_DIR/serve.log" || fail "serve.log does not say where the logs are"
echo "a session's log in \$XDG_STATE_HOME/telly/logs, 0700: ok"

# ---- no XDG_STATE_HOME: ~/.local/state/telly (made, with its parents) ----
mkdir -p "$T/home"
export TELLY_DIR=$T/run-home
dirs="$dirs $TELLY_DIR"
(unset XDG_STATE_HOME; HOME=$T/home "$TELLY" new -s h1 -- sh -c 'echo h1-output; exec sleep 1000') \
	>/dev/null || fail "telly new without XDG_STATE_HOME"
wait_until 10 grep -qs 'h1-output' "$T/home/.local/state/telly/logs/h1.log"
echo "without XDG_STATE_HOME: ~/.local/state/telly/logs: ok"

# ---- --log-dir: a console's log and the audit log ----
export TELLY_DIR=$T/run-console
dirs="$dirs $TELLY_DIR"
mkdir -m 700 "$TELLY_DIR"
"$TELLY" serve --log-dir "$T/mine" --console 'vm1=exec:echo guest-output-$((6*7)); exec cat' \
	2>>"$TELLY_DIR/serve.log" &
pids="$pids $!"
wait_until 10 grep -qs 'serving on' "$TELLY_DIR/serve.log"
wait_until 10 grep -qs 'guest-output-42' "$T/mine/logs/vm1.log"
tm_start a "$TELLY attach vm1"
wait_for a 'guest-output-42'
wait_until 10 grep -qs 'console=vm1 who=.* attach writing' "$T/mine/audit.log"
[ "$(mode "$T/mine")" = 700 ] || fail "--log-dir's folder is mode $(mode "$T/mine")"
[ -e "$TELLY_DIR/audit.log" ] && fail "an audit log in the runtime directory"
[ -e "$LOG_DIR/audit.log" ] && fail "--log-dir ignored: an audit log in $LOG_DIR"
tm kill-window -t t:a
"$TELLY" stop >/dev/null 2>&1
echo "--log-dir: the console's log and the audit log there: ok"

# ---- refused: group-writable, someone else's, a symlink ----
export TELLY_DIR=$T/run-bad
dirs="$dirs $TELLY_DIR"
refused() { # WHY DIR: telly serve --log-dir DIR and a client starting a daemon say so
	"$TELLY" serve --log-dir "$2" >"$T/out" 2>&1
	rc=$?
	[ $rc -ne 0 ] || fail "$1: telly serve --log-dir $2 exited 0"
	grep -qF "the log folder $2 must be a directory owned by you" "$T/out" ||
		fail "$1: telly serve said: $(cat "$T/out")"
	XDG_STATE_HOME=${2%/telly} "$TELLY" new -s x -- true >"$T/out" 2>&1 &&
		fail "$1: telly new started a daemon with the log folder $2"
	grep -qF "the log folder $2 must be" "$T/out" || fail "$1: telly new said: $(cat "$T/out")"
	echo "$1: refused, saying '$(cat "$T/out")': ok"
}
mkdir -p "$T/gw/telly" && chmod 770 "$T/gw/telly"
refused "a group-writable log folder" "$T/gw/telly"
mkdir -p "$T/ww/telly" && chmod 1777 "$T/ww/telly"
refused "a world-writable log folder" "$T/ww/telly"
mkdir -p "$T/ln" "$T/elsewhere" && chmod 700 "$T/elsewhere" && ln -s "$T/elsewhere" "$T/ln/telly"
refused "a symlink" "$T/ln/telly"
if [ "$uid" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$T/other/telly" && chmod 700 "$T/other/telly" && chown nobody "$T/other/telly"
	refused "someone else's log folder" "$T/other/telly"
fi
"$TELLY" serve --help | grep -q -- '--log-dir DIR' || fail "telly serve --help lacks --log-dir"
echo "the log folder: ok"
