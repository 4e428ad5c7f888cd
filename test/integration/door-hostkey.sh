#!/bin/sh
# The SSH front door's host key is created 0600 from the start (issue 16):
# under umask 000, the file is made by an open with O_CREAT|O_EXCL and mode
# 0600 (seen with strace), no open ever gives it or its temporary wider
# bits, nothing chmods it afterwards, it ends 0600 in a 0700 directory, and
# it is the key the front door shows (ssh-keyscan).
. "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || { echo "strace is not installed"; exit 77; }
cat >"$T/consoles.conf" <<EOF2
[vm1]
backend = exec:cat
EOF2
door_keys "alice:vm1:rw"
KEY=$T/keydir/sub/host_ed25519
umask 000
door_wrap="strace -f -o $T/trace -e trace=open,openat,creat,chmod,fchmod,fchmodat,link,linkat,rename,renameat,renameat2"
door_start --ssh-host-key "$KEY"
umask 077
[ -f "$KEY" ] || fail "no host key at $KEY"
grep "$T/keydir" "$T/trace" >"$T/key-calls"
grep -q 'O_CREAT' "$T/key-calls" || { cat "$T/trace"; fail "strace saw no file created in $T/keydir"; }
grep 'O_CREAT' "$T/key-calls" | grep -v 'O_EXCL.*, 0600)' &&
	fail "a file in the key's directory was created without O_EXCL and mode 0600"
grep -E 'chmod|fchmod' "$T/key-calls" && fail "the key's mode was changed after it was made"
grep -E "^[0-9]+ +(open|openat)\(.*\"$KEY\", [^)]*O_CREAT" "$T/key-calls" &&
	fail "the key's own name was opened to create it (it could be there half written)"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "the key is $(stat -c %a "$KEY"), not 600"
[ "$(stat -c %a "$T/keydir")" = 700 ] || fail "its directory is $(stat -c %a "$T/keydir")"
ls "$T/keydir/sub" | grep -v '^host_ed25519$' && fail "a temporary file was left behind"
shown=$(ssh-keyscan -p "$door_port" -t ed25519 127.0.0.1 2>/dev/null | awk '{ print $3 }')
[ -n "$shown" ] && [ "$(ssh-keygen -y -f "$KEY" | awk '{ print $2 }')" = "$shown" ] ||
	fail "the front door shows another key ($shown)"
out=$(door_ssh alice 127.0.0.1 </dev/null 2>&1) || fail "no login with the new key: $out"
echo "ok"
