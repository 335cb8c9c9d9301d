#!/bin/sh
# deb.sh — what `make deb` does: a Debian package of kaoping, with
# dpkg-deb alone (no debhelper).  Builds apart in build/deb with
# PREFIX=/usr (the modules directory compiled in is /usr/share/kaoping/
# modules), installs into build/deb/root, strips the binary, compresses the
# manual page, and writes DEBIAN/control and md5sums.  Depends is found as
# dpkg-shlibdeps finds it: each library the binary NEEDs, the package that
# holds it (dpkg -S), and that package's shlibs line for it (else the
# package at its installed upstream version or later).
#
#   MAKE=make scripts/deb.sh        prints the path of the .deb
set -eu
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
out=build/deb
root=$out/root
maint=${DEB_MAINTAINER:-kaoping maintainers <kaoping@localhost>}

for tool in dpkg-deb dpkg-query readelf strip gzip md5sum; do
	command -v $tool > /dev/null || { echo "deb.sh: $tool is needed" >&2; exit 1; }
done
version=$(scripts/version.sh)
arch=$(dpkg --print-architecture)
rm -rf "$root"
# the package is built as released: not with the flags of a make around
# this one (make asan's sanitizers, a BUILD of its own); the binary by the
# rule of ./kaoping (profile-guided with gcc), under a name that is not
# $out/kaoping (the plain link of a BUILD's objects)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u EXTRA_CFLAGS -u EXTRA_LDFLAGS -u OPT -u CFLAGS -u LDFLAGS $MAKE -s BUILD=$out KP_PROG=$out/kaoping-release PREFIX=/usr DESTDIR="$PWD/$root" install > /dev/null
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/kaoping"
gzip -9n "$root/usr/share/man/man1/kaoping.1"

# The package (without :arch) that holds the library at path, or nothing.
# dpkg knows the path it installed: /lib/… or /usr/lib/… (merged /usr).
owner() {
	for p in "$1" "$(readlink -f "$1")" "/usr$1" "${1#/usr}"; do
		[ -n "$p" ] || continue
		pkg=$(dpkg -S "$p" 2>/dev/null | sed -n '1s/:.*//p') || true
		[ -n "$pkg" ] && { echo "$pkg"; return; }
	done
}

# The dependency for one NEEDED soname, e.g. libsqlite3.so.0.
depend() {
	path=$(ldd "$root/usr/bin/kaoping" | awk -v so="$1" '$1 == so { print $3 }')
	[ -n "$path" ] || { echo "deb.sh: ldd does not find $1" >&2; exit 1; }
	pkg=$(owner "$path")
	[ -n "$pkg" ] || { echo "deb.sh: no package holds $path ($1)" >&2; exit 1; }
	# libfoo.so.3 -> "libfoo 3"; libfoo-1.2.so -> "libfoo-1.2" with no number
	name=${1%%.so*} num=${1#*.so.}
	[ "$num" = "$1" ] && num=
	dep=$(dpkg-query --control-show "$pkg" shlibs 2>/dev/null |
		awk -v n="$name" -v v="$num" '$1 == n && $2 == v { $1 = ""; $2 = ""; sub(/^ +/, ""); print; exit }') || true
	if [ -z "$dep" ]; then
		ver=$(dpkg-query -W -f '${Version}' "$pkg" | sed 's/^[0-9]*://; s/-[^-]*$//')
		dep="$pkg (>= $ver)"
	fi
	echo "$dep"
}

list=
for so in $(readelf -d "$root/usr/bin/kaoping" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	dep=$(depend "$so") || exit 1
	list="$list$dep
"
done
depends=$(printf '%s' "$list" | sort -u | paste -sd, - | sed 's/,/, /g')
[ -n "$depends" ] || { echo "deb.sh: no libraries found" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<EOF
Package: kaoping
Version: $version
Architecture: $arch
Maintainer: $maint
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Section: utils
Priority: optional
Description: score a county's target-responsibility assessment (目标责任考核)
 kaoping reads the year's criteria as a Lua rule file and the CSV files
 each office sends in, scores every town and department, ranks them, picks
 the commendation list and explains every point.  Runs are kept in one
 SQLite file; reports are text, CSV, JSON, HTML (print-ready) and XLSX.
 .
 The Longxian County samples are in /usr/share/kaoping/samples, the rule
 language in /usr/share/doc/kaoping/docs/RULES.md, and man kaoping.
EOF
(cd "$root" && find usr -type f -exec md5sum {} + | sort -k2) > "$root/DEBIAN/md5sums"
deb=$out/kaoping_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" > /dev/null
echo "$deb"
