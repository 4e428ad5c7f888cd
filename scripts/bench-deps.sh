#!/bin/sh
# Install what only the benchmarks need (make bench), idempotently: the
# X11 bench's peers, xpra, x11vnc and a VNC viewer, and a GTK program.
# make test never needs them; scripts/deps.sh installs what it does.
# As root: apt-get. Otherwise: print the exact command and fail.
#
#   scripts/bench-deps.sh            install what is missing
#   scripts/bench-deps.sh --check    only report; exit 1 if something is missing
set -eu

check_only=0
[ "${1:-}" = "--check" ] && check_only=1

missing=""
need() { # KIND WHAT PACKAGE
	case "$1" in
	prog) command -v "$2" >/dev/null 2>&1 && return 0 ;;
	file) [ -e "$2" ] && return 0 ;;
	deb)  dpkg-query -W -f '${Status}' "$2" 2>/dev/null | grep -q 'ok installed' && return 0 ;;
	esac
	case " $missing " in *" $3 "*) ;; *) missing="$missing $3" ;; esac
}

need prog xpra            xpra
# xpra's recommended packages that its default encodings and its client
# need (without them it falls back to zlib, or draws nothing).
need deb  python3-lz4      python3-lz4
need deb  python3-pil      python3-pil
need deb  python3-numpy    python3-numpy
need deb  python3-gi-cairo python3-gi-cairo
need prog x11vnc          x11vnc
need prog xtigervncviewer tigervnc-viewer
need prog zenity          zenity
need prog xauth           xauth

[ -z "$missing" ] && exit 0

if [ "$check_only" = 1 ]; then
	echo "telly bench: missing packages:$missing" >&2
	exit 1
fi

if [ "$(id -u)" != 0 ]; then
	echo "telly bench: missing packages. Install them as root with:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
	exit 1
fi

echo "telly bench: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >&2
