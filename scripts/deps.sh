#!/bin/sh
# Install what telly needs on Debian 12, idempotently.
#
# Every need is a check (a pkg-config module, a program, or a file) and the
# Debian package that satisfies it. Only the packages whose check fails are
# installed, so a machine that has everything costs a few pkg-config calls.
# As root: apt-get. Otherwise: print the exact command and fail.
#
#   scripts/deps.sh            install what is missing
#   scripts/deps.sh --check    only report; exit 1 if something is missing
#   scripts/deps.sh --bench    what only the benchmarks need (make bench):
#                              the X11 bench's peers, xpra, x11vnc and a VNC
#                              viewer; make test never needs them
set -eu

check_only=0
set_name=test
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	--bench) set_name=bench ;;
	*) echo "deps.sh: unknown option '$a' (--check, --bench)" >&2; exit 2 ;;
	esac
done

missing=""
need() { # KIND WHAT PACKAGE
	case "$1" in
	pc)   pkg-config --exists "$2" 2>/dev/null && return 0 ;;
	prog) command -v "$2" >/dev/null 2>&1 && return 0 ;;
	file) [ -e "$2" ] && return 0 ;;
	deb)  dpkg-query -W -f '${Status}' "$2" 2>/dev/null | grep -q 'ok installed' && return 0 ;;
	esac
	case " $missing " in *" $3 "*) ;; *) missing="$missing $3" ;; esac
}

bench_needs() {
	need prog xpra            xpra
	# xpra's recommended packages that its default encodings and its
	# client need (without them it falls back to zlib, or draws nothing).
	need deb  python3-lz4      python3-lz4
	need deb  python3-pil      python3-pil
	need deb  python3-numpy    python3-numpy
	need deb  python3-gi-cairo python3-gi-cairo
	need prog x11vnc          x11vnc
	need prog xtigervncviewer tigervnc-viewer
	need prog zenity          zenity
	need prog xauth           xauth
}

test_needs() {
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"

# Build tools.
need prog cc        gcc
need prog clang     clang
need prog make      make
need file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a libclang-rt-14-dev

# Libraries of the whole design (DESIGN.md, "Folders").
need pc libssh           libssh-dev
need pc xcb              libxcb1-dev
need pc xcb-shm          libxcb-shm0-dev
need pc xcb-xkb          libxcb-xkb-dev
need pc xcb-composite    libxcb-composite0-dev
need pc xcb-damage       libxcb-damage0-dev
# X-Resource: how many clients an X session's display has (xdisplay/xd.c).
need pc xcb-res          libxcb-res0-dev
need pc xcb-xtest        libxcb-xtest0-dev
need pc xcb-xfixes       libxcb-xfixes0-dev
need pc xcb-randr        libxcb-randr0-dev
need pc xcb-shape        libxcb-shape0-dev
need pc xcb-image        libxcb-image0-dev
need pc xcb-render       libxcb-render0-dev
need pc x11              libx11-dev
need pc x11-xcb          libx11-xcb-dev
need pc pixman-1         libpixman-1-dev
need pc vterm            libvterm-dev
need pc freetype2        libfreetype-dev
need pc fontconfig       libfontconfig-dev
need pc libzstd          libzstd-dev
need pc liblz4           liblz4-dev
need pc libturbojpeg     libturbojpeg0-dev
need pc libcrypto        libssl-dev
need pc libsodium        libsodium-dev
need pc xkbcommon        libxkbcommon-dev
need pc xkbcommon-x11    libxkbcommon-x11-dev
need pc libpng           libpng-dev
need file /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf fonts-dejavu-core
need file /usr/share/fonts/truetype/wqy/wqy-microhei.ttc fonts-wqy-microhei
need file /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf fonts-noto-color-emoji

# Programs the tests, the demo and the benchmarks drive.
need prog Xvfb               xvfb
# X sessions' display that takes the desk's size (xdisplay/xorg.c).
need file /usr/lib/xorg/Xorg  xserver-xorg-core
need file /usr/lib/xorg/modules/drivers/dummy_drv.so xserver-xorg-video-dummy
# The X core fonts xterm asks an X session's server for (else its one
# built-in font: nothing past Latin-1); the package recommends it too.
need file /usr/share/fonts/X11/misc/fonts.dir xfonts-base
need prog xdotool            xdotool
need prog xclip              xclip
need prog xwd                x11-apps
need prog qemu-system-x86_64 qemu-system-x86
need prog xterm              xterm
need prog zenity             zenity
# A program that draws with GLX (integration/x11-gtk-no-gl).
need prog glxgears           mesa-utils
# A GTK program's D-Bus bus when none is set (GLib's autolaunch), an X
# client that shows no window: what must not keep an X session
# (integration/x11-background-unshown).
need prog dbus-launch        dbus-x11
need prog xwininfo           x11-utils
need prog xset               x11-xserver-utils
need prog openbox            openbox
# A program's EWMH request (the full screen) sent to an X session's
# window manager (integration/x11-x-fullscreen).
need prog wmctrl             wmctrl
need prog xkbcomp            x11-xkb-utils
need file /bin/busybox       busybox-static
need prog ssh                openssh-client
need prog sshd               openssh-server
need file /usr/sbin/sshd     openssh-server
need prog tmux               tmux
need prog mosh               mosh
need prog vim                vim       # make bench's typist (predict-bench.sh)
need prog less               less
need prog gnuplot            gnuplot-nox
need prog picocom            picocom
need prog conserver          conserver-server
need prog console            conserver-client
need prog stty               coreutils
need prog valgrind           valgrind
need prog strace             strace
need prog ss                 iproute2
need prog prlimit            util-linux
need prog dpkg-query         dpkg
# The Debian packages (make deb) and their test.
need prog dpkg-buildpackage  dpkg-dev
need prog dh                 debhelper
need prog lintian            lintian
need prog zsh                zsh
}

"${set_name}_needs"

[ -z "$missing" ] && exit 0

if [ "$check_only" = 1 ]; then
	echo "telly ($set_name): missing packages:$missing" >&2
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "telly ($set_name): missing packages. Install them as root with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

echo "telly ($set_name): installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
