#!/bin/sh
# A malformed script must be refused with exit status 2 and a message that
# names the file and line. Each script's first line says what to expect:
#   # expect: LINE: TEXT
B=$1 f=$2
want=$(sed -n '1s/^# expect: //p' "$f")
line=${want%%:*}
text=${want#*: }
[ -n "$want" ] || { echo "$f: no '# expect:' line"; exit 1; }
err=$("$B/bin/kpty-script" "$f" 2>&1 >/dev/null)
rc=$?
echo "exit $rc: $err"
[ $rc -eq 2 ] || { echo "expected exit status 2"; exit 1; }
case "$err" in
*"$f:$line: "*"$text"*) exit 0 ;;
*) echo "expected '$f:$line: ...$text...'"; exit 1 ;;
esac
