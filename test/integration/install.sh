#!/bin/sh
# `make install PREFIX=/usr/local DESTDIR=...` puts the binary, telly(1),
# bash and zsh completion and the systemd units where those go; the
# installed telly says VERSION's version; bash completes commands,
# options and session names (from `telly ls`); the man page has no roff
# warnings; zsh completes a command and a session name; `make uninstall`
# with the same variables leaves no file.
. test/integration/lib.sh "$1"

V=$(cat VERSION)
D=$T/dest
# -o: BUILD's telly as `make` built it (this test does not build).
mk() { make --no-print-directory BUILD="$B" -o "$B/bin/telly" PREFIX=/usr/local DESTDIR="$D" "$@"; }
mk install >"$T/install.log" 2>&1 || { cat "$T/install.log"; fail "make install failed"; }
want="usr/local/bin/telly
usr/local/lib/systemd/system/telly-consoles.service
usr/local/lib/systemd/user/telly.service
usr/local/share/bash-completion/completions/telly
usr/local/share/man/man1/telly.1
usr/local/share/zsh/site-functions/_telly"
got=$(cd "$D" && find . ! -type d | sed 's|^\./||' | sort)
[ "$got" = "$want" ] || fail "installed:
$got
expected:
$want"
[ -x "$D/usr/local/bin/telly" ] || fail "the binary is not executable"

TELLY=$D/usr/local/bin/telly
[ "$("$TELLY" --version)" = "telly $V" ] || fail "telly --version: $("$TELLY" --version)"
[ "$("$TELLY" -V)" = "telly $V" ] || fail "telly -V: $("$TELLY" -V 2>&1)"
"$TELLY" --help | grep -q -- '--version' || fail "telly --help does not mention --version"
for u in system/telly-consoles.service user/telly.service; do
	grep -q '^ExecStart=/usr/local/bin/telly serve' "$D/usr/local/lib/systemd/$u" ||
		fail "$u does not run /usr/local/bin/telly"
	grep -q '@BINDIR@' "$D/usr/local/lib/systemd/$u" && fail "$u has a placeholder left"
done
if command -v man >/dev/null 2>&1; then
	warn=$(man --warnings -l "$D/usr/local/share/man/man1/telly.1" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "the man page has warnings: $warn"
	page=$(MANWIDTH=200 man -l "$D/usr/local/share/man/man1/telly.1" 2>/dev/null)
	echo "$page" | tail -n 1 | grep -qF "telly $V" || fail "the man page is not of telly $V"
	for w in 'telly attach' 'telly view' 'telly serve' '~?' '~~' 'TELLY_DIR' 'audit.log' \
		'--ssh-host-key' '--bench-keys' '--version'; do
		echo "$page" | grep -qF -- "$w" || fail "the man page does not mention $w"
	done
fi

# bash completion, with the installed telly first in PATH and a session
# named compl-one on this host.
mkdir -p "$TELLY_DIR" && chmod 700 "$TELLY_DIR"
"$TELLY" new -s compl-one -- sleep 60 >/dev/null || fail "telly new failed"
complete_words() { # WORDS...: what bash offers for the last one
	PATH="$D/usr/local/bin:$PATH" bash -c '
		. "$0"
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_telly
		printf "%s\n" "${COMPREPLY[@]}"' "$D/usr/local/share/bash-completion/completions/telly" "$@"
}
complete_words telly at | grep -qx attach || fail "bash does not complete 'telly at' to attach"
complete_words telly view --head | grep -qx -- --headless || fail "bash does not complete view's --headless"
complete_words telly serve --ssh-h | grep -qx -- --ssh-host-key || fail "bash does not complete serve's --ssh-host-key"
complete_words telly attach --cr | grep -qx -- --create || fail "bash does not complete attach's --create"
complete_words telly attach co | grep -qx compl-one || fail "bash does not complete a session name"
complete_words telly kill "" | grep -qx compl-one || fail "bash does not offer session names to kill"

# zsh completion, typed into a zsh in tmux: a command, then a session name.
if command -v zsh >/dev/null 2>&1; then
	tm_start z "env PATH=$D/usr/local/bin:\$PATH zsh -f"
	tm send-keys -t t:z "fpath=($D/usr/local/share/zsh/site-functions \$fpath); autoload -Uz compinit; compinit -u; echo zsh- ready" Enter
	wait_for z 'zsh- ready'
	tm send-keys -t t:z 'telly at' Tab
	wait_for z 'telly attach'
	tm send-keys -t t:z ' co' Tab
	wait_for z 'telly attach compl-one'
else
	echo "zsh is not installed: its completion was not tried"
fi

mk uninstall >"$T/uninstall.log" 2>&1 || { cat "$T/uninstall.log"; fail "make uninstall failed"; }
left=$(find "$D" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"
echo "install: ok"
