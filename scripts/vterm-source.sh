#!/bin/sh
# Builds the libvterm that telly runs on (Debian's source package of the
# version installed) for the fuzzers, instrumented like the code around
# it: libFuzzer sees into libvterm's parser and state, and ASan and UBSan
# catch what a byte sequence does to them. The Debian 12 binary package
# is neither.
#
#   scripts/vterm-source.sh OUT_DIR 'CC FLAGS...'
#
# Leaves OUT_DIR/libvterm.a and OUT_DIR/link (what to link: that archive)
# and says so. Fetching needs Debian's mirror (a private apt state in
# OUT_DIR, no root, nothing changed on the machine); without it, or
# without apt, OUT_DIR/link says -lvterm, the uninstrumented library, and
# the fuzzers still find crashes and hangs, only blind inside libvterm.
set -u
out=$1 cc=$2
mkdir -p "$out"
[ -f "$out/libvterm.a" ] && [ -f "$out/link" ] && exit 0

fallback() {
	echo "vterm-source: $1; fuzzing against the system's libvterm (not instrumented)" >&2
	echo "-lvterm" >"$out/link"
	exit 0
}

ver=$(dpkg-query -W -f '${source:Version}' libvterm-dev 2>/dev/null) || fallback "libvterm-dev is not installed"
up=${ver%-*}
up=${up#*:}
src=$out/libvterm-$up
if [ ! -d "$src/src" ]; then
	command -v apt-get >/dev/null || fallback "no apt-get"
	. /etc/os-release
	mirror=$(sed -n 's/^URIs: *//p; s/^deb \(http[^ ]*\) .*/\1/p' /etc/apt/sources.list.d/*.sources \
		/etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
	apt=$out/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
	echo "deb-src ${mirror:-http://deb.debian.org/debian} ${VERSION_CODENAME:-bookworm} main" >"$apt/sources.list"
	set -- -o Dir::Etc::SourceList="$(cd "$apt" && pwd)/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$(cd "$apt" && pwd)/lists" -o Dir::Cache="$(cd "$apt" && pwd)/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)" -qq
	apt-get "$@" update >"$apt/log" 2>&1 || fallback "apt-get update failed (see $apt/log)"
	(cd "$apt" && apt-get "$@" source --download-only "libvterm=$ver") >>"$apt/log" 2>&1 ||
		fallback "apt-get source libvterm=$ver failed (see $apt/log)"
	tar -xzf "$apt/libvterm_$up.orig.tar.gz" -C "$out" || fallback "libvterm_$up.orig.tar.gz would not unpack"
	[ -d "$src/src" ] || fallback "no $src/src in the source package"
fi
rm -f "$out"/*.o
for c in "$src"/src/*.c; do
	o=$out/$(basename "$c" .c).o
	# The screen layer's cell loops compare with sizes at every cell:
	# tracing those comparisons was a third of the terminal fuzzers'
	# time and guides little (the parser and state before it keep it).
	extra=
	[ "$(basename "$c")" = screen.c ] && extra=-fno-sanitize-coverage=trace-cmp
	# libvterm's own warnings are not telly's to fix
	$cc -w $extra -I"$src/include" -I"$src/src" -c "$c" -o "$o" || fallback "$c did not compile"
done
ar rcs "$out/libvterm.a" "$out"/*.o || fallback "ar failed"
echo "$(cd "$out" && pwd)/libvterm.a" >"$out/link"
echo "vterm-source: libvterm $ver built for the fuzzers in $out/libvterm.a"
