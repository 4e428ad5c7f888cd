#!/bin/sh
# Build the small test guest: Debian's own kernel and a busybox initramfs
# whose init prints a boot banner and runs a shell on the serial console.
#
#   test/guest/build.sh OUTDIR     -> OUTDIR/vmlinuz, OUTDIR/initrd.img
#
# The kernel comes from the linux-image package apt would install (fetched
# with `apt-get download`, unpacked with dpkg-deb, never installed), so
# this works as any user on a Debian 12 machine with apt's lists. Nothing is
# rebuilt when both files exist.
set -eu
out=${1:?usage: build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# Two tests that need it at once (test/run.sh runs tests side by side)
# build it once: the second waits here, then finds it there.
exec 8>"$out/.lock"
flock 8
[ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -s "$out/vmlinuz" ]; then
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)$/\1/p' | head -1)
	[ -n "$pkg" ] || { echo "build.sh: apt knows no linux-image-amd64 (run apt-get update)" >&2; exit 1; }
	(cd "$work" && apt-get download -q "$pkg" >/dev/null 2>&1) ||
		{ echo "build.sh: apt-get download $pkg failed" >&2; exit 1; }
	dpkg-deb -x "$work"/linux-image-*.deb "$work/k"
	cp "$work"/k/boot/vmlinuz-* "$out/vmlinuz.tmp"
	mv "$out/vmlinuz.tmp" "$out/vmlinuz"
fi

root=$work/root
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for a in sh mount echo cat ls sleep uname poweroff reboot stty setsid cttyhack; do
	ln -s busybox "$root/bin/$a"
done
# The banner carries the boot's own number so a test can tell boots apart.
cat >"$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
read -r boot_id </proc/sys/kernel/random/boot_id
echo "telly-guest up: boot $boot_id"
while :; do
	setsid cttyhack sh -i
done
INIT
chmod 755 "$root/init"
(cd "$root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1 >"$out/initrd.img.tmp")
mv "$out/initrd.img.tmp" "$out/initrd.img"
