# Shared by the integration tests: a private runtime directory and log
# folder ($LOG_DIR: session and console logs in $LOG_DIR/logs, the audit
# log in $LOG_DIR/audit.log), a private tmux server, conditions awaited by polling, and cleanup of everything a
# test started, even when it fails.
#
#   . test/integration/lib.sh BUILD_DIR
set -u
B=$(cd "$1" && pwd)
TELLY=$B/bin/telly
T=$(mktemp -d /tmp/telly-it.XXXXXX)
export TELLY_DIR=$T/run
# The daemon's log folder is $XDG_STATE_HOME/telly: the test's own, never
# the user's; the config file likewise.
export XDG_STATE_HOME=$T/state
LOG_DIR=$XDG_STATE_HOME/telly
export XDG_CONFIG_HOME=$T/config
export TERM=xterm-256color
TMUX_SOCK=telly-it-$$
# For test/run.sh, which stops what the test left if it is killed before
# its cleanup has run (test/reap.sh).
[ -z "${TELLY_TEST_DIRS:-}" ] || echo "$T $TMUX_SOCK" >>"$TELLY_TEST_DIRS"
unset TMUX
pids=""
dirs=""  # more runtime directories whose daemons cleanup stops

cleanup() {
	# First, at once, whatever the test started: its environment names $T
	# (a daemon a client forked, an X session's programs, a runtime
	# directory the test moved away from). The polite stops below can
	# wait on a stopped program, and the runner's KILL comes 5 s after
	# its TERM, which would leave them running.
	for p in $(grep -lszF -- "=$T/" /proc/[0-9]*/environ 2>/dev/null | sed 's#^/proc/\([0-9]*\)/.*#\1#'); do
		[ "$p" = "$$" ] || kill -9 "$p" 2>/dev/null
	done
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null
	"$TELLY" stop >/dev/null 2>&1
	for d in $dirs; do TELLY_DIR=$d "$TELLY" stop >/dev/null 2>&1; done
	for p in $pids $(daemon_pid) $(for d in $dirs; do TELLY_DIR=$d daemon_pid; done); do
		kill -9 "$p" 2>/dev/null
	done
	# Whatever else still names the test's directory (ssh clients, sshd),
	# or runs with a runtime directory in it (`telly serve --stdio` on
	# the ssh side).
	pkill -9 -f -- "$T" 2>/dev/null
	for p in $(pgrep -f 'telly serve'); do
		tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -q "^TELLY_DIR=$T/" && kill -9 "$p"
	done
	rm -rf "$T"
}
# A signal ends the test too, not only its cleanup (else it would go on
# with $T gone, as if it could still pass).
trap cleanup EXIT
trap 'trap - EXIT; cleanup; exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	# What the daemon said is most of the diagnosis when a wait times out.
	# (serve_delayed's and serve_cut's daemon logs on its stderr)
	for f_log in "$TELLY_DIR/serve.log" "$T/serve.err"; do
		[ -s "$f_log" ] || continue
		echo "--- last lines of $f_log:"
		tail -n 15 "$f_log"
	done
	exit 1
}

# start_xvfb [WxH]: a private X server (Xvfb picks a free display and
# says which once it is ready; no TCP); sets DISPLAY. make deps installs it.
# -noreset: without it the server resets whenever its last client leaves
# (a test's xwininfo, xdotool...), and refuses connections meanwhile.
start_xvfb() {
	command -v Xvfb >/dev/null || fail "no Xvfb (make deps installs xvfb)"
	# A second one's number is not read from the first's file, in the
	# moment before its redirection empties it.
	rm -f "$T/dpy"
	Xvfb -displayfd 3 -screen 0 "${1:-1024x768}x24" -nolisten tcp -noreset 3>"$T/dpy" >"$T/xvfb.log" 2>&1 &
	pids="$pids $!"
	wait_until 20 grep -q '[0-9]' "$T/dpy"
	DISPLAY=:$(cat "$T/dpy")
	export DISPLAY
}

# free_port: a port on 127.0.0.1 that nothing holds now (test/integration/free-port.c).
free_port() { "$B/test/free-port" || fail "no free port"; }

# serve_delayed DELAY_MS: the daemon on TCP 127.0.0.1:$port (its token in
# $TELLY_DIR/token), and the delay proxy in front of it on $pport, each
# way DELAY_MS later; the proxy's pid in $proxy.
serve_delayed() {
	port=$(free_port)
	pport=$(free_port)
	[ "$port" != "$pport" ] || pport=$(free_port)
	"$TELLY" serve --listen 127.0.0.1:$port 2>"$T/serve.err" &
	pids="$pids $!"
	wait_until 10 test -s "$TELLY_DIR/token"
	"$B/bin/delay-proxy" tcp "$pport" "$port" "$1" &
	proxy=$!
	pids="$pids $proxy"
}

daemon_pid() {
	sed -n 's/.*serving on .* (pid \([0-9]*\)).*/\1/p' "$TELLY_DIR/serve.log" 2>/dev/null | tail -n 1
}
daemon_gone() { ! kill -0 "$(daemon_pid)" 2>/dev/null; }

# tmux: one server per test; windows named by the caller.
tm() { tmux -L "$TMUX_SOCK" "$@"; }
tm_start() { # NAME CMD...: a new window (the first starts the server)
	name=$1; shift
	if tm has-session -t t 2>/dev/null; then
		tm new-window -d -t t -n "$name" "$*"
	else
		tm new-session -d -s t -n "$name" -x 100 -y 30 "$*"
		tm set -g remain-on-exit on
	fi
}
screen() { tm capture-pane -p -t "t:$1"; }
# shell_attached SESSION WINDOW [PATH]: a shell session (prompt 'sh> ')
# made, the daemon started with PATH if it is not running, and attached
# in a new tmux window.
shell_attached() {
	PATH=${3:-$PATH} "$TELLY" new -s "$1" -- env PS1='sh> ' sh || fail "telly new $1"
	tm_start "$2" "exec $TELLY attach $1"
	wait_for "$2" 'sh>'
}

# wait_for WINDOW TEXT [SECONDS [ROWS]]: until TEXT is on the window's
# screen (on ROWS rows of it: a line typed into cat is shown twice once
# the host has it, its echo and cat's answer; the desk echoes a canonical
# line itself at once, so the echo alone proves nothing of the link).
wait_for() {
	win=$1 text=$2 limit=${3:-10} rows=${4:-1}
	end=$(( $(date +%s) + limit ))
	while [ "$(date +%s)" -le "$end" ]; do
		[ "$(screen "$win" | grep -cF -- "$text")" -ge "$rows" ] && return 0
		sleep 0.05
	done
	echo "--- screen of $win:"; screen "$win"; echo "---"
	fail "'$text' did not appear on $rows row(s) of $win within ${limit}s"
}

# wait_until SECONDS CMD...: until CMD succeeds.
wait_until() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" && return 0
		sleep 0.05
	done
	fail "timed out after ${limit}s waiting for: $*"
}

# need_progs PROG...: the test is skipped (77) when one is not installed.
need_progs() {
	for np_p; do
		command -v "$np_p" >/dev/null || { echo "no $np_p (make deps installs it)"; exit 77; }
	done
}

# deskwin TITLE: the desk's window of that name (on $DISPLAY)
deskwin() {
	xwininfo -root -tree | sed -n "s/^ *\(0x[0-9a-f]*\) \"$1\".*/\1/p" | head -n 1
}

# typed_view SESSION TITLE MODE: X session SESSION runs an xterm titled
# TITLE whose cat writes the lines it reads to $T/typed; a view of it on
# the desk (MODE plain: telly's own desktop, one desk window; else
# seamless), its window focused once the desk's keymap is loaded. Sets
# view (its pid, in pids) and title (its desk window's). next_line
# reads the next line cat wrote into got.
typed_view() {
	"$TELLY" new --x11 -s "$1" -- env LC_ALL=C.UTF-8 xterm -u8 -T "$2" -geometry 40x8+10+10 \
		-e sh -c "exec cat >$T/typed" || fail "new --x11"
	wait_until 20 sh -c "\"$TELLY\" ls | grep -q 'window .*\"$2\"'"
	if [ "$3" = plain ]; then
		"$TELLY" view --x11 "$1" >"$T/view.out" 2>&1 &
		title="telly view"
	else
		"$TELLY" view --seamless "" "$1" >"$T/view.out" 2>&1 &
		title=$2
	fi
	view=$!
	pids="$pids $view"
	wait_until 20 typed_view_has_win
	kill -0 "$view" 2>/dev/null || fail "the view ended: $(cat "$T/view.out")"
	xdotool windowfocus --sync "$(deskwin "$title")" || fail "cannot focus the view's window"
	wait_until 20 grep -q "keymap is loaded" "$TELLY_DIR/serve.log"
	typed_n=0
}
typed_view_has_win() { [ -n "$(deskwin "$title")" ] || ! kill -0 "$view" 2>/dev/null; }
typed_lines() { [ "$(wc -l <"$T/typed")" -ge "$1" ]; }
next_line() {
	typed_n=$((typed_n + 1))
	wait_until 20 typed_lines $typed_n
	got=$(sed -n "${typed_n}p" "$T/typed")
}

# xprobe_start DIR SESSION [ENV=VALUE...]: the X probe desk
# (test/integration/xprobe.c) on X session SESSION, its state in DIR; it
# takes its commands from DIR/cmd, which the caller opens for writing
# (exec 3>DIR/cmd). Its pid: $xprobe_pid.
xprobe_start() {
	xp_dir=$1 xp_sess=$2
	shift 2
	mkdir -p "$xp_dir"
	rm -f "$xp_dir/cmd" "$xp_dir/windows"
	mkfifo "$xp_dir/cmd"
	env "$@" "$B/test/xprobe" "$TELLY_DIR/serve.sock" "$xp_sess" "$xp_dir" \
		<"$xp_dir/cmd" >"$xp_dir/out" 2>"$xp_dir/err" &
	xprobe_pid=$!
	pids="$pids $xprobe_pid"
}

# gate_open FIFO: lets go the program held reading FIFO (a test's fake
# xkbcomp, say) and takes the gate away, so that one started after it
# does not wait there: FIFO is removed while it is open for writing,
# before the held one reads its end. (Echo, then rm: a second one that
# started between the two found the gate and waited for good.)
gate_open() {
	exec 9>"$1"
	rm -f "$1"
	exec 9>&-
}

# await_file FILE: until it is there and not empty, 10 s at most; its own
# deadline, so it can run inside a wait_until (whose variables it keeps).
await_file() {
	af_end=$(( $(date +%s) + 10 ))
	while [ ! -s "$1" ]; do
		[ "$(date +%s)" -le "$af_end" ] || return 1
		sleep 0.05
	done
}

# same_as_xwd DIR ID [FD]: the X probe's picture of window ID (asked for on
# descriptor FD, 3 unless said) equals the window's own xwd dump, pixel
# for pixel; the display is $dpy, its cookie $xauth. For wait_until.
same_as_xwd() {
	rm -f "$1/w.ppm"
	echo "dump $2 $1/w.ppm" >&"${3:-3}"
	await_file "$1/w.ppm" || return 1
	DISPLAY=$dpy XAUTHORITY=$xauth xwd -silent -id "$2" >"$1/w.xwd" || return 1
	"$B/test/xprobe" --compare "$1/w.ppm" "$1/w.xwd" 2>"$1/cmp.err"
}

count_on_screen() { # WINDOW TEXT: lines showing TEXT
	screen "$1" | grep -cF -- "$2"
}

# start_sshd REMOTE_TELLY_DIR: a real sshd on 127.0.0.1 with generated keys,
# logging in as this user by key only; sessions it starts see
# TELLY_DIR=REMOTE_TELLY_DIR, XDG_STATE_HOME=REMOTE_TELLY_DIR.state (its
# logs in REMOTE_TELLY_DIR.state/telly/logs), XDG_CONFIG_HOME likewise (and SHLVL=1, so bash, run by sshd, does not
# read the user's ~/.bashrc, whatever that does). Sets ssh_port, ssh_cmd (a full ssh command
# line) and dest (user@127.0.0.1).
start_sshd() {
	SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$SSHD" ] || fail "sshd not installed (scripts/deps.sh installs openssh-server)"
	mkdir -p "$T/ssh" && chmod 700 "$T/ssh"
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" || fail "ssh-keygen"
	ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/user" || fail "ssh-keygen"
	cp "$T/ssh/user.pub" "$T/ssh/authorized_keys"
	[ "$(id -u)" = 0 ] && mkdir -p /run/sshd
	ssh_port=$(free_port)
	cat >"$T/ssh/sshd_config" <<CFG
ListenAddress 127.0.0.1
Port $ssh_port
HostKey $T/ssh/host
AuthorizedKeysFile $T/ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $T/ssh/sshd.pid
PermitRootLogin prohibit-password
SetEnv TELLY_DIR=$1 XDG_STATE_HOME=$1.state XDG_CONFIG_HOME=$1.config LANG=C.UTF-8 SHLVL=1
CFG
	"$SSHD" -D -e -f "$T/ssh/sshd_config" 2>"$T/ssh/sshd.log" &
	pids="$pids $!"
	ssh_opts="-F none -i $T/ssh/user -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
	ssh_cmd="ssh $ssh_opts -p $ssh_port"
	dest="$(id -un)@127.0.0.1"
	wait_until 10 sh -c "$ssh_cmd $dest true 2>/dev/null"
}

# ssh_once FILE: an ssh command at FILE that connects ($ssh_cmd) the
# first time only and is refused after: telly x whose view's own ssh
# cannot come.
ssh_once() {
	cat >"$1" <<SSH
#!/bin/sh
[ -e "$1.used" ] && { echo "ssh: connect to host: Connection refused" >&2; exit 255; }
: >"$1.used"
exec $ssh_cmd "\$@"
SSH
	chmod +x "$1"
}

# x_config DIR...: each config dir DIR's telly runs its X sessions on Xvfb.
x_config() {
	for xc_d; do
		mkdir -p "$xc_d/telly"
		echo "x-server xvfb" >"$xc_d/telly/config"
	done
}

# telly view --headless prints a legend with each screenshot:
#   screenshot FILE WxH cell CWxCH
#   window NAME box X Y W H cells X0 Y0 grid COLS ROWS title "TITLE" [focused]
# (TITLE as its title bar shows it, with \" and \\ for " and \)
PROBE=$B/test/png-probe
legend_cell() { # LEGEND: "CW CH"
	sed -n 's/^screenshot .* cell \([0-9]*\)x\([0-9]*\)$/\1 \2/p' "$1" | tail -n 1
}
legend_win() { # LEGEND NAME: "X Y W H X0 Y0 COLS ROWS" from the last screenshot
	awk -v n="$2" '$1 == "window" && $2 == n { v = $4" "$5" "$6" "$7" "$9" "$10" "$12" "$13 } END { print v }' "$1"
}

# The SSH front door with consoles that need no VM (vmconsole.sh has the
# QEMU guest). The test writes $T/consoles.conf first.
#   door_keys NAME:GRANTS...  a key per NAME (its comment NAME) in $K, and
#                             $K/authorized giving it consoles="GRANTS"
#   door_start [ARGS...]      telly serve with them, SSH on 127.0.0.1:$door_port
#                             (again after a stop: waits for its own start;
#                             run under $door_wrap if set, strace say)
#   door_ssh KEY [ARGS...]    the OpenSSH client with $K/KEY on that port
#                             ($door_ssh_cmd -i $K/KEY ... in a tmux window)
K=$T/keys
door_wrap=""
door_port=$(free_port)
door_keys() {
	mkdir -p "$K"
	: >"$K/authorized"
	for door_kg in "$@"; do
		ssh-keygen -q -t ed25519 -N '' -C "${door_kg%%:*}" -f "$K/${door_kg%%:*}" || fail "ssh-keygen"
		echo "consoles=\"${door_kg#*:}\" $(cat "$K/${door_kg%%:*}.pub")" >>"$K/authorized"
	done
}
door_start() {
	mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
	door_n=$(grep -c 'serving on' "$TELLY_DIR/serve.log" 2>/dev/null)
	$door_wrap "$TELLY" serve --consoles "$T/consoles.conf" --ssh-listen "127.0.0.1:$door_port" \
		--ssh-keys "$K/authorized" --ssh-host-key "$T/hostkey" "$@" 2>>"$TELLY_DIR/serve.log" &
	pids="$pids $!"
	wait_until 10 sh -c "[ \$(grep -c 'serving on' '$TELLY_DIR/serve.log') -gt ${door_n:-0} ]"
}
door_ssh_cmd="ssh -F none -e none -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no \
-o IdentitiesOnly=yes -o BatchMode=yes -o LogLevel=ERROR -p $door_port"
door_ssh() {
	door_key=$1; shift
	$door_ssh_cmd -i "$K/$door_key" "$@"
}
