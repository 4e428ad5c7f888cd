#!/bin/sh
# The config file ($XDG_CONFIG_HOME/telly/config, else
# ~/.config/telly/config): a wrong one stops attach and view with the
# file, the line and what is wrong; a right one sets attach's escape
# character and view's bindings, font size and OSC 52 writes, and the
# command line still overrides it.
. test/integration/lib.sh "$1"

cfgdir=$T/cfg/telly
mkdir -p "$cfgdir" "$T/home/.config/telly"
export XDG_CONFIG_HOME=$T/cfg
"$TELLY" new -s s -- env PS1='s> ' sh || fail "new"

refused() { # WHAT EXPECTED: attach and view say EXPECTED, exit 2, start nothing
	for cmd in "attach s" "view --headless"; do
		# shellcheck disable=SC2086
		"$TELLY" $cmd >"$T/out" 2>&1 </dev/null
		rc=$?
		[ $rc -eq 2 ] || fail "$1: telly $cmd exited $rc, not 2: $(cat "$T/out")"
		grep -qF -- "$2" "$T/out" || fail "$1: telly $cmd said '$(cat "$T/out")', not '$2'"
	done
	echo "$1: refused with '$2': ok"
}
printf '# mine\nescape ^]\nbogus 1\n' >"$cfgdir/config"
refused "an unknown setting" "$cfgdir/config:3: unknown setting 'bogus'"
printf 'escape ~~\n' >"$cfgdir/config"
refused "a bad escape" "$cfgdir/config:1: escape wants one ASCII character"
printf 'compress no\ncompress yes\n' >"$cfgdir/config"
refused "a setting twice" "$cfgdir/config:2: compress given twice"
printf 'font-size 3\n' >"$cfgdir/config"
refused "a font too small" "$cfgdir/config:1: font-size wants pixels from 4 to 256"
printf 'bind ctrl+shift+q quit\n' >"$cfgdir/config"
refused "an unknown action" "$cfgdir/config:1: bind: unknown action 'quit'"
printf 'bind ctrl+nokey copy\n' >"$cfgdir/config"
refused "an unknown key" "$cfgdir/config:1: bind: 'ctrl+nokey' is not a key"
printf 'ssh ssh\nfont a\000b\n' >"$cfgdir/config"
refused "a NUL byte" "$cfgdir/config:2: control character 0x00"
awk 'BEGIN { printf "font "; for (i = 0; i < 1100; i++) printf "x"; print "" }' >"$cfgdir/config"
refused "a long line" "$cfgdir/config:1: line longer than 1024 bytes"
head -c 70000 /dev/zero | tr '\0' '#' >"$cfgdir/config"
refused "a big file" "longer than 65536 bytes"
# Without XDG_CONFIG_HOME, the one in ~/.config.
printf 'bogus\n' >"$T/home/.config/telly/config"
(unset XDG_CONFIG_HOME; HOME=$T/home "$TELLY" attach s </dev/null >"$T/out" 2>&1)
grep -qF "$T/home/.config/telly/config:1: bogus wants a value" "$T/out" ||
	fail "~/.config/telly/config not read: $(cat "$T/out")"
echo "~/.config/telly/config without XDG_CONFIG_HOME: ok"

# The escape character: ^] detaches, ~. is typed.
printf '# escape as telnet has it\nescape ^]\n' >"$cfgdir/config"
tm_start a "XDG_CONFIG_HOME=$T/cfg $TELLY attach s"
wait_for a 's>'
tm send-keys -t t:a Enter '~.' Enter
wait_for a 'not found'
tm send-keys -t t:a Enter C-] .
wait_for a '[detached from s]'
echo "escape ^] from the file: ok"
tm_start b "XDG_CONFIG_HOME=$T/cfg $TELLY attach -e '~' s"
wait_for b 's>'
tm send-keys -t t:b Enter '~.'
wait_for b '[detached from s]'
echo "-e overrides the file: ok"

# telly view: a binding added (ctrl+shift+n), one removed (ctrl+shift+Return
# goes to the program), the font size, OSC 52 writes; a paste headless
# comes from the view's own clipboard.
cat >"$cfgdir/config" <<EOF
font-size 24
osc52-write yes
bind ctrl+shift+n new-terminal
bind ctrl+shift+Return none
EOF
"$TELLY" kill s >/dev/null 2>&1
cat >"$T/p" <<EOP
echo P-READY
read go
printf '\033]52;c;%s\a' "\$(printf from-osc | base64)"
echo OSC-SENT
while read l; do echo "LINE<\$l>"; done
EOP
"$TELLY" new -s p -- sh "$T/p" || fail "new p"
cat >"$T/in" <<EOT
wait "P-READY"
type "go\n"
wait "OSC-SENT"
key ctrl+shift+v
wait "from-osc"
type "\n"
wait "LINE<from-osc>"
key ctrl+shift+Return
key ctrl+shift+n
screenshot $T/1.png
EOT
"$TELLY" view --headless --input "$T/in" >"$T/legend" 2>"$T/err" || fail "view: $(cat "$T/err")"
cat "$T/legend"
set -- $(legend_cell "$T/legend")
[ "${2:-0}" -gt 24 ] || fail "cells ${1}x${2}: not the file's 24 px font"
# ctrl+shift+n made a session; ctrl+shift+Return, sent before it, did not.
wait_until 20 sh -c "[ \$('$TELLY' ls | wc -l) -ge 2 ]"
[ "$("$TELLY" ls | wc -l)" -eq 2 ] || fail "ctrl+shift+Return still made a terminal: $("$TELLY" ls)"
echo "view: bindings, font size, OSC 52 from the file: ok"
"$TELLY" view --headless --font-size 12 --screenshot "$T/3.png" >"$T/legend3" 2>"$T/err" ||
	fail "view: $(cat "$T/err")"
set -- $(legend_cell "$T/legend3")
[ "$2" -lt 24 ] || fail "--font-size 12 did not override the file (cells ${1}x${2})"
echo "--font-size overrides the file: ok"

# ---- every command takes the file: ls, new, kill, stop, x, serve ----
# A wrong file stops them too, with the file, the line and the setting.
printf 'escape ^]\nlog-cap 12\n' >"$cfgdir/config"
for cmd in "ls" "new -s n0 -- true" "kill s" "stop" "x -- true" "serve"; do
	# shellcheck disable=SC2086
	DISPLAY=${DISPLAY:-:0} "$TELLY" $cmd >"$T/out" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "a bad log-cap: telly $cmd exited $rc, not 2: $(cat "$T/out")"
	grep -qF "$cfgdir/config:2: log-cap wants a size of at least 4096 bytes" "$T/out" ||
		fail "a bad log-cap: telly $cmd said '$(cat "$T/out")'"
done
printf 'log-dir\n' >"$cfgdir/config"
"$TELLY" serve >"$T/out" 2>&1
grep -qF "$cfgdir/config:1: log-dir wants a value" "$T/out" || fail "serve said '$(cat "$T/out")'"
printf '\nlog-dir logs\n' >"$cfgdir/config"
"$TELLY" serve >"$T/out" 2>&1
grep -qF "$cfgdir/config:2: log-dir wants an absolute path, not 'logs'" "$T/out" ||
	fail "serve said '$(cat "$T/out")'"
echo "ls, new, kill, stop, x, serve refuse a wrong file, naming file:line and setting: ok"

# ssh and server from the file, for every command that reaches a host:
# this "ssh" notes the host it was given and runs the command here (it
# knows no -G: telly x's look at the host's ProxyJump finds none).
cat >"$T/fake-ssh" <<EOS
#!/bin/sh
[ "\$1" = -G ] && exit 255
echo "\$1" >>"$T/ssh-hosts"
[ "\$1" = nohost ] && exit 255
shift
exec sh -c "\$*"
EOS
chmod +x "$T/fake-ssh"
printf 'ssh %s\nserver %s\n' "$T/fake-ssh" "$TELLY" >"$cfgdir/config"
"$TELLY" new far-one -s n1 -- sleep 1000 >/dev/null || fail "telly new far-one: the file's ssh not used"
"$TELLY" ls far-two >"$T/out" || fail "telly ls far-two: $(cat "$T/out")"
grep -q '^n1: ' "$T/out" || fail "telly ls far-two did not list n1: $(cat "$T/out")"
"$TELLY" kill far-three n1 || fail "telly kill far-three n1"
# (telly x opens the desk's display before it reaches the host)
[ -n "${DISPLAY:-}" ] || start_xvfb
"$TELLY" x nohost -- true >/dev/null 2>&1
"$TELLY" stop far-four >/dev/null || fail "telly stop far-four"
[ "$(cat "$T/ssh-hosts" | tr '\n' ' ')" = "far-one far-two far-three nohost far-four " ] ||
	fail "the file's ssh reached: $(cat "$T/ssh-hosts" | tr '\n' ' ')"
echo "new, ls, kill, x, stop take ssh and server from the file: ok"

# log-dir and log-cap from the file, for a daemon a client starts.
export TELLY_DIR=$T/run-cfg
dirs="$dirs $TELLY_DIR"
printf 'log-dir %s\nlog-cap 4K\n' "$T/cfglogs" >"$cfgdir/config"
"$TELLY" new -s big -- sh -c 'i=0; while [ $i -lt 300 ]; do echo "line $i of a log past its cap"; i=$((i+1)); done; echo BIG-DONE; exec sleep 1000' \
	>/dev/null || fail "telly new big"
wait_until 10 grep -qs BIG-DONE "$T/cfglogs/logs/big.log"
[ -s "$T/cfglogs/logs/big.log.1" ] || fail "log-cap 4K from the file: the log did not rotate: $(ls -l "$T/cfglogs/logs")"
[ -e "$LOG_DIR/logs/big.log" ] && fail "the file's log-dir was not used"
echo "log-dir and log-cap from the file, for a daemon a client starts: ok"
