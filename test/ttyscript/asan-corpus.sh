#!/bin/sh
# Every corpus script through kernel-pty built with ASan and UBSan: any
# sanitizer report fails the run (the build aborts on the first one).
B=$1
for f in test/ttyscript/corpus/*.tty; do
	"$B/test/kpty-script-asan" "$f" >/dev/null || { echo "FAIL: $f"; exit 1; }
done
echo "corpus clean under ASan+UBSan"
