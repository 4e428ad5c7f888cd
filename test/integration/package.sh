#!/bin/sh
# The Debian packages built from this tree (`make deb`, packaging the
# telly this BUILD has), lintian-clean, unpacked into an empty root and
# run from there: its version is VERSION's and the changelog's, a session
# started by it shows its program's output, and a console it serves is a
# session and is reached through its SSH front door (the installed
# binary runs its own session process). Only telly-consoles makes a user.
. test/integration/lib.sh "$1"

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null 2>&1 && continue
	sh scripts/deps.sh >/dev/null 2>&1
	command -v "$tool" >/dev/null 2>&1 || { echo "skipped: $tool is missing and scripts/deps.sh cannot install it"; exit 77; }
done

V=$(cat VERSION)
D=$T/deb
# Building the binary again would not fit this test's time on a busy
# machine: the package takes BUILD's (debian/rules, TELLY_PREBUILT). The
# tools were checked above (-o deps: not every need of scripts/deps.sh).
make --no-print-directory -o deps BUILD="$B" DEB_DIR="$D" DEB_PREBUILT="$B" deb >"$T/deb.log" 2>&1 ||
	{ tail -n 30 "$T/deb.log"; fail "make deb failed (lintian's tags above, if it got that far)"; }
grep -E '^[EW]: ' "$T/deb.log" && fail "lintian has errors or warnings"
deb=$D/telly_${V}_$(dpkg --print-architecture).deb
cdeb=$D/telly-consoles_${V}_all.deb
[ -f "$deb" ] && [ -f "$cdeb" ] || { ls -l "$D"; fail "no telly_$V or telly-consoles_$V package"; }
[ "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$V" ] || fail "debian/changelog's version is not VERSION's ($V)"
[ "$(dpkg-deb -f "$deb" Version)" = "$V" ] || fail "the package's version is not $V"

# Who makes the system user: telly-consoles, which has the system unit.
dpkg-deb -e "$deb" "$T/ctl"
dpkg-deb -e "$cdeb" "$T/cctl"
grep -q 'adduser --system' "$T/cctl/postinst" || fail "telly-consoles makes no system user"
grep -qs adduser "$T/ctl/postinst" && fail "telly alone makes a user"

R=$T/root
mkdir -p "$R"
dpkg -x "$deb" "$R" && dpkg -x "$cdeb" "$R" || fail "dpkg -x"
for f in usr/bin/telly usr/share/man/man1/telly.1.gz usr/share/bash-completion/completions/telly \
	usr/share/zsh/vendor-completions/_telly usr/lib/systemd/user/telly.service \
	lib/systemd/system/telly-consoles.service; do
	[ -f "$R/$f" ] || fail "the packages lack /$f"
done
grep -q '^ExecStart=/usr/bin/telly serve' "$R/lib/systemd/system/telly-consoles.service" ||
	fail "the system unit does not run /usr/bin/telly"
grep -q '^User=telly' "$R/lib/systemd/system/telly-consoles.service" || fail "the system unit's user is not telly"

TELLY=$R/usr/bin/telly
out=$("$TELLY" --version) || fail "telly --version failed"
[ "$out" = "telly $V" ] || fail "telly --version says '$out', not 'telly $V'"
[ "$("$TELLY" -V)" = "telly $V" ] || fail "telly -V differs from --version"
if command -v man >/dev/null 2>&1; then
	warn=$(man --warnings -l "$R/usr/share/man/man1/telly.1.gz" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "the installed man page has warnings: $warn"
fi

# A session, from the installed binary (its daemon is that binary too).
mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
"$TELLY" new -s pkg -- sh -c 'echo hello-from-the-package; exec cat' >/dev/null ||
	fail "telly new failed"
tm_start s "exec $TELLY attach -r pkg"
wait_for s 'hello-from-the-package'
"$TELLY" ls | grep -q '^pkg:' || fail "telly ls does not list the session"

# A console, in a daemon of its own, reached through the SSH front door.
cat >"$T/consoles.conf" <<EOF2
[con1]
backend = exec:echo console-from-the-package; exec cat
EOF2
door_keys alice:con1:rw
export TELLY_DIR=$T/run2
dirs="$dirs $TELLY_DIR"
door_start
"$TELLY" ls | grep -q '^con1:' || fail "the console is not a session"
wait_until 10 grep -q console-from-the-package "$LOG_DIR/logs/con1.log"
tm_start c "$door_ssh_cmd -tt -i $K/alice con1@127.0.0.1"
wait_for c 'console-from-the-package'
tm send-keys -t t:c 'typed-through-the-door' Enter
wait_until 10 grep -q typed-through-the-door "$LOG_DIR/logs/con1.log"
echo "package: ok"
