#!/bin/sh
# make demo without a display: telly view headless over two sessions, the
# scripted typing answered, top focused and maximized, screenshots saved.
B=$(cd "$1" && pwd)
rm -rf "$B/demo"
out=$(env -u DISPLAY sh scripts/demo.sh "$B" 2>&1)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "the demo exited $rc"; exit 1; }
for f in 1-typed 2-top-focused 3-top-maximized; do
	[ -s "$B/demo/$f.png" ] || { echo "no $f.png"; exit 1; }
	printf '%s\n' "$out" | grep -q "$B/demo/$f.png" || { echo "$f.png not printed"; exit 1; }
done
grep -q '^window top box 0 0 1024 768 .* focused$' "$B/demo/legend" || { echo "top was not maximized"; exit 1; }
ls /tmp | grep -q "^telly-demo\." && { echo "the demo left its runtime directory"; exit 1; }
echo "demo: ok"
