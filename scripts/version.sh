#!/bin/sh
# version.sh — the release number kaoping is built as, printed on stdout
# (the Makefile's VERSION: `kaoping --version`, the .deb's Version).
#   a commit tagged vX.Y.Z            X.Y.Z
#   N commits after the tag vX.Y.Z    X.Y.Z+N.gHASH
#   no such tag (or no git at all)    the file VERSION, +gHASH inside git
# with ".dirty" after a +… part (or "+dirty") when the work tree has
# uncommitted changes.  Every form is a valid Debian version that sorts
# after the release it starts from.
#   scripts/version.sh [DIR]          (default: the repository of this script)
set -u
dir=${1:-$(dirname "$0")/..}
cd "$dir" || exit 1
base=$(sed -n '1{s/[[:space:]]//g;p;}' VERSION 2>/dev/null)
case $base in
'' | *[!0-9A-Za-z.~+]* | [!0-9]*) echo "version.sh: VERSION must hold a release number like 0.2.0" >&2; exit 1 ;;
esac
# git only when this folder is the top of its work tree (not a release
# tarball unpacked inside some other repository)
top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$(pwd -P)" ] || { echo "$base"; exit 0; }
dirty=
git diff --quiet HEAD -- 2>/dev/null || dirty=dirty
if desc=$(git describe --tags --match 'v[0-9]*' --long 2>/dev/null); then
	# vX.Y.Z-N-gHASH
	hash=${desc##*-}
	rest=${desc%-*}
	n=${rest##*-}
	tag=${rest%-*}
	ver=${tag#v}
	[ "$n" = 0 ] || ver=$ver+$n.$hash
else
	ver=$base+g$(git rev-parse --short HEAD)
fi
if [ -n "$dirty" ]; then
	case $ver in *+*) ver=$ver.dirty ;; *) ver=$ver+dirty ;; esac
fi
echo "$ver"
