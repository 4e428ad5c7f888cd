#!/bin/sh
# An X server without X-Resource cannot count its clients: an X session
# there keeps today's rule, ending with its programs (a launcher's
# backgrounded window goes with it), and serve.log says why, once.
. test/integration/lib.sh "$1"
need_progs Xvfb xlogo
real_xvfb=$(command -v Xvfb)
mkdir -p "$T/bin" "$XDG_CONFIG_HOME/telly"
printf '#!/bin/sh\nexec "%s" "$@" -extension X-Resource\n' "$real_xvfb" >"$T/bin/Xvfb"
chmod +x "$T/bin/Xvfb"
echo "x-server xvfb" >"$XDG_CONFIG_HOME/telly/config"

# The daemon telly new starts has this PATH.
PATH=$T/bin:$PATH "$TELLY" new --x11 -s nr -- sh -c "xlogo & echo \$! >'$T/nr.pid'; exit 0" \
	>"$T/new.out" 2>&1 || fail "telly new --x11 failed: $(cat "$T/new.out")"
wait_until 20 sh -c "! '$TELLY' ls 2>/dev/null | grep -q '^nr:'" ||
	fail "the session outlived its programs on a server that cannot count clients"
n=$(grep -c "cannot count its clients (no X-Resource extension)" "$TELLY_DIR/serve.log")
[ "$n" = 1 ] || fail "serve.log said $n times that the server cannot count its clients"
lpid=$(cat "$T/nr.pid")
wait_until 20 sh -c "! kill -0 $lpid 2>/dev/null" || { kill "$lpid"; fail "xlogo outlived its session"; }
echo "ok: no X-Resource: the session ends with its programs, said once"
