#!/bin/sh
# Tests run side by side, each taking its ports from free_port some time
# before its daemon binds them: two tests must never be handed the same
# one in the meantime. Before free-port claimed its ports, 300 of them in
# a row held 3 or 4 twice (the kernel's pick is random, the range ~14000).
. test/integration/lib.sh "$1"
i=0
while [ $i -lt 300 ]; do
	free_port
	i=$((i + 1))
done >"$T/ports"
[ "$(wc -l <"$T/ports")" = 300 ] || fail "not 300 ports: $(wc -l <"$T/ports")"
d=$(sort "$T/ports" | uniq -d | tr '\n' ' ')
[ -z "$d" ] || fail "handed out twice: $d"
echo "300 ports, all different: ok"
