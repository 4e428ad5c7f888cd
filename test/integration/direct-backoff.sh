#!/bin/sh
# Wrong secrets on the direct listener back off per address, as wrong
# tokens do: a guesser that keeps sending handshakes with a made-up secret
# is soon refused as busy ("too many failed handshakes"), while the right
# secret from the same address still gets in at once.
. test/integration/lib.sh "$1"
"$TELLY" new -s s -- sh || fail "new"
dport=$(free_port)
"$TELLY" serve --direct-key --direct-bind "127.0.0.1:$dport" >"$T/key" || fail "serve --direct-key"
grep -q "^TELLY DIRECT 127.0.0.1 $dport " "$T/key" || fail "serve --direct-key said '$(cat "$T/key")'"

busy=""
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	"$B/test/direct-poke" wrong 127.0.0.1 "$dport" >"$T/ans" 2>&1 || fail "wrong: $(cat "$T/ans")"
	case $(cat "$T/ans") in
	*"refused the secret: no such secret"*) ;;
	*"refused the secret: too many failed handshakes from 127.0.0.1: try again in "*)
		busy=$i
		break
		;;
	*) fail "a wrong secret: $(cat "$T/ans")" ;;
	esac
done
[ -n "$busy" ] || fail "12 wrong secrets in a row from one address and no backoff"
[ "$busy" -gt 3 ] || fail "backed off after $((busy - 1)) wrong secrets, fewer than 3"
echo "wrong secrets back off (refused as busy at try $busy): ok"

# The right secret, from the same address: the handshake is taken and
# HELLO answered (replay then sends a record twice, which closes it).
"$B/test/direct-poke" replay 127.0.0.1 "$dport" <"$T/key" >"$T/right" 2>&1 ||
	fail "the right secret: $(cat "$T/right")"
grep -q '^HELLO' "$T/right" || fail "the right secret while backing off: $(cat "$T/right")"
grep -q 'direct: a connection with the secret for port' "$TELLY_DIR/serve.log" ||
	fail "the daemon did not take the right secret"
echo "the right secret gets in while its address backs off: ok"
