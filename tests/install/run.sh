#!/usr/bin/env bash
# run.sh — what an office installs: the release number (scripts/version.sh
# and --version), make install / make uninstall into a temp root, the
# manual page written from --help (renders without warnings; every command
# of the table in it, a new one too), no developer's path in a shipped
# file, and make deb (its control fields, its files, the extracted binary
# runs the extracted samples).  Nothing is installed on this machine:
# DESTDIR and dpkg -x only.
#
#   tests/install/run.sh          KP_BIN (default ./kaoping) for --version
#
# Prints "N passed, N failed"; exits non-zero when a check fails.
set -u
cd "$(dirname "$0")/../.." || exit 2
repo=$PWD
bin=${KP_BIN:-./kaoping}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
export LANG=C.UTF-8 LC_ALL=C.UTF-8
# make as a person types it: not with the flags of a make asan around the
# suite (its BUILD and sanitizer flags would be taken for ./kaoping)
MAKE="env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make}"
passed=0 failed=0

ok() { echo "ok    $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/      /'; failed=$((failed + 1)); }
# expect NAME WANT GOT
expect() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "want: $2
got:  $3"; fi; }
# Paths of a developer's machine that must not ship.
DEV_PATHS='/(work|home|Users|root)/[A-Za-z0-9_.-]'

# ---- the release number ----

version_cases() {
	local d=$tmp/ver g
	g() { git -C "$d" -c user.name=t -c user.email=t@localhost -c commit.gpgsign=false -c tag.gpgsign=false "$@"; }
	mkdir -p "$d/scripts"
	cp scripts/version.sh "$d/scripts/" && echo 0.2.0 > "$d/VERSION"
	expect "version: no git: the file VERSION" "0.2.0" "$(GIT_CEILING_DIRECTORIES=$tmp "$d/scripts/version.sh")"
	g init -q && g add -A && g commit -qm one
	export GIT_CEILING_DIRECTORIES=$tmp
	expect "version: no tag: VERSION+gHASH" "0.2.0+g$(g rev-parse --short HEAD)" "$("$d/scripts/version.sh")"
	mkdir -p "$d/sub/scripts" && cp scripts/version.sh "$d/sub/scripts/" && echo 0.4.0 > "$d/sub/VERSION"
	expect "version: a copy inside another repository: its own VERSION" "0.4.0" "$("$d/sub/scripts/version.sh")"
	rm -rf "$d/sub"
	g tag -a v0.3.1 -m "release"
	expect "version: a tagged commit: the tag" "0.3.1" "$("$d/scripts/version.sh")"
	echo x > "$d/x" && g add x && g commit -qm two
	expect "version: after the tag: +N.gHASH" "0.3.1+1.g$(g rev-parse --short HEAD)" "$("$d/scripts/version.sh")"
	echo y > "$d/x"
	expect "version: uncommitted changes: .dirty" "0.3.1+1.g$(g rev-parse --short HEAD).dirty" "$("$d/scripts/version.sh")"
	if dpkg --compare-versions 0.3.1+1.gabc1234.dirty gt 0.3.1 && dpkg --compare-versions 0.3.1+1.gabc1234 lt 0.3.2 &&
		dpkg --compare-versions 0.2.0+gabc1234 gt 0.2.0 2>&1; then
		ok "version: every form sorts after its release, before the next (dpkg)"
	else
		fail "version: the forms do not sort as Debian versions"
	fi
	echo 'zero.two' > "$d/VERSION" && g tag -d v0.3.1 > /dev/null
	if "$d/scripts/version.sh" > /dev/null 2>&1; then fail "version: a VERSION that is no release number is taken"
	else ok "version: a VERSION that is no release number is refused"; fi
	unset GIT_CEILING_DIRECTORIES
}
version_cases
v=$(scripts/version.sh)
expect "VERSION holds 0.2.0" "0.2.0" "$(cat VERSION)"
got=$("$bin" --version)
if [[ $got =~ ^kaoping\ ([0-9]+\.[0-9]+\.[0-9]+[+.0-9A-Za-z]*)\ \(Lua\ 5\.4,\ SQLite\ 3\.[0-9.]+\)$ ]] &&
	[ "${BASH_REMATCH[1]}" = "$v" ]; then
	ok "--version: kaoping $v (Lua 5.4, SQLite …)"
else
	fail "--version prints the release number" "want: kaoping $v (Lua 5.4, SQLite 3.x)
got:  $got"
fi

# ---- make install, the manual page, make uninstall ----

root=$tmp/root
pre=$root/usr/local
if ! $MAKE -s install DESTDIR="$root" > "$tmp/install.log" 2>&1; then
	fail "make install DESTDIR=…" "$(cat "$tmp/install.log")"
	echo "$passed passed, $failed failed"
	exit 1
fi
{
	echo bin/kaoping
	echo share/man/man1/kaoping.1
	for f in rules/*.lua; do echo "share/kaoping/$f"; done
	for f in scripts/modules/*.lua; do echo "share/kaoping/modules/${f##*/}"; done
	echo share/kaoping/notice.md.tmpl
	find samples -type f | sed 's|^|share/kaoping/|'
	echo share/doc/kaoping/README.md
	echo share/doc/kaoping/docs/RULES.md
	echo share/doc/kaoping/docs/DESIGN.md
} | sort > "$tmp/want-files"
(cd "$pre" && find . -type f | sed 's|^\./||' | sort) > "$tmp/got-files"
if diff -u "$tmp/want-files" "$tmp/got-files" > "$tmp/d"; then
	ok "make install: the binary, kaoping.1, rules, modules, samples, README, RULES, DESIGN ($(wc -l < "$tmp/got-files") files)"
else
	fail "make install puts other files" "$(cat "$tmp/d")"
fi
if cmp -s samples/2021/renda_zhengxie.csv "$pre/share/kaoping/samples/2021/renda_zhengxie.csv" && [ -x "$pre/bin/kaoping" ]; then
	ok "make install: files copied as they are (the GB18030 sample byte for byte), the binary executable"
else
	fail "make install: a sample changed or the binary is not executable"
fi
expect "installed kaoping --version" "$(./kaoping --version)" "$("$pre/bin/kaoping" --version)"

man1=$pre/share/man/man1/kaoping.1
if warn=$(groff -man -Tutf8 -ww -z "$man1" 2>&1) && [ -z "$warn" ]; then
	ok "kaoping.1: groff -man -Tutf8 -ww renders it without a warning"
else
	fail "kaoping.1: groff warns" "$warn"
fi
if command -v man > /dev/null; then
	if warn=$(MANWIDTH=100 man --warnings -l "$man1" 2>&1 > /dev/null) && [ -z "$warn" ]; then
		ok "kaoping.1: man -l renders it without a warning"
	else
		fail "kaoping.1: man -l warns" "$warn"
	fi
fi
# (spaces squeezed: filled lines are justified)
page=$(groff -man -Tutf8 -rLL=200n -P-cbou "$man1" 2>/dev/null | tr -s ' ')
missing=
for c in $(./kaoping --help | sed -n 's/^  kaoping \([a-z][a-z0-9_-]*\) .*/\1/p'); do
	usage=$(./kaoping "$c" --help | sed -n '1s/^usage: //p' | tr -s ' ')
	text=$(./kaoping "$c" --help | sed -n '3p' | tr -s ' ')
	grep -q "^\.SS $c\$" "$man1" && grep -qF -- "$usage" <<< "$page" && grep -qF -- "$text" <<< "$page" ||
		missing="$missing $c"
done
if [ -z "$missing" ]; then ok "kaoping.1: every command of --help, with its usage line and its text"
else fail "kaoping.1 lacks commands or their text:$missing"; fi
if grep -qF '目标责任考核' <<< "$page" && grep -qF -- '--max-instructions N' <<< "$page" &&
	grep -qF '78 rule file error' <<< "$page" && grep -qF '/usr/local/share/kaoping/modules' <<< "$page"; then
	ok "kaoping.1: Chinese text, the common options, the exit status, the installed paths"
else
	fail "kaoping.1 lacks the Chinese text, the common options, the exit status or the paths"
fi

# A command added to the table appears with no edit of the generator: a
# stand-in binary whose --help lists one more.
cat > "$tmp/fake" <<'EOF'
#!/bin/sh
case "$1 ${2-}" in
"--version ") echo "kaoping 9.9.9 (Lua 5.4, SQLite 3.40.1)" ;;
"--help ") printf 'kaoping 9.9.9 — test\n\nusage:\n  kaoping frobnicate [--run N] UNIT\n  kaoping --help | kaoping COMMAND --help | kaoping --version\n\ncommon options:\n  --db FILE            the database\n\nexit status: 0 ok\n' ;;
"frobnicate --help") printf 'usage: kaoping frobnicate [--run N] UNIT\n\nFrobnicate one unit,\n.dangerous\\text.\n\n  kaoping frobnicate 城关镇\n\noptions:\n  --run N            a recorded run\n  --max-instructions N Lua instructions\n  --quiet, --verbose\n' ;;
*) exit 64 ;;
esac
EOF
chmod +x "$tmp/fake"
if scripts/manpage.sh "$tmp/fake" > "$tmp/fake.1" && grep -q '^\.SS frobnicate$' "$tmp/fake.1" &&
	fake=$(groff -man -Tutf8 -ww -P-cbou "$tmp/fake.1" 2>&1) && grep -qF 'Frobnicate one unit, .dangerous\text.' <<< "$fake" &&
	grep -qF 'kaoping frobnicate 城关镇' <<< "$fake" && ! grep -q 'warning' <<< "$fake" &&
	grep -qxF '\fB\-\-max\-instructions N\fR' "$tmp/fake.1" && grep -qxF 'Lua instructions' "$tmp/fake.1" &&
	grep -qxF '\fB\-\-quiet, \-\-verbose\fR' "$tmp/fake.1"; then
	ok "manpage.sh: a new command of the table appears (text escaped: a leading dot, a backslash; options told from their text)"
else
	fail "manpage.sh does not pick up a new command" "$(cat "$tmp/fake.1" 2>&1 | head -40)"
fi

if shipped=$(grep -rlE "$DEV_PATHS" "$pre/share"); then
	fail "installed files name a developer's machine" "$shipped"
else
	ok "no developer's path (/work/…, /home/…) in the installed docs, samples, rules, man page"
fi

$MAKE -s uninstall DESTDIR="$root" > "$tmp/uninstall.log" 2>&1
left=$(cd "$root" && find . -type f -o -type l)
if [ -z "$left" ] && [ ! -e "$pre/share/kaoping" ] && [ ! -e "$pre/share/doc/kaoping" ]; then
	ok "make uninstall removes every file install put, and kaoping's folders"
else
	fail "make uninstall leaves files" "$left"
fi

# ---- make deb ----

# the package's contents are what is checked here, not its speed: built
# without the profile-guided pass (PGO=0, through the environment: deb.sh
# runs make without the flags around it), which adds half a minute
if ! deb=$(PGO=0 $MAKE -s deb 2> "$tmp/deb.log" | tail -n 1) || [ ! -f "$deb" ]; then
	fail "make deb" "$(tail -20 "$tmp/deb.log")"
	echo "$passed passed, $failed failed"
	exit 1
fi
info=$(dpkg-deb --field "$deb")
field() { sed -n "s/^$1: //p" <<< "$info"; }
expect "deb: Package" kaoping "$(field Package)"
expect "deb: Version is the release number" "$v" "$(field Version)"
expect "deb: Architecture is dpkg's" "$(dpkg --print-architecture)" "$(field Architecture)"
expect "deb: file name" "build/deb/kaoping_${v}_$(dpkg --print-architecture).deb" "$deb"
deps=$(field Depends)
missing=
for p in libc6 liblua5.4-0 libsqlite3-0 libcsv3 libxlsxwriter libssl3; do
	grep -qE "(^|, )$p[0-9a-z.-]* \(>= [^)]+\)" <<< "$deps" || missing="$missing $p"
done
x=$tmp/x
dpkg-deb -x "$deb" "$x" && dpkg-deb -e "$deb" "$x/DEBIAN"
# every library the binary needs is in Depends (libzip4, libexpat1 and
# libfreexl1 too, once code links them)
for so in $(readelf -d "$x/usr/bin/kaoping" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
	path=$(ldd "$x/usr/bin/kaoping" | awk -v so="$so" '$1 == so { print $3 }')
	pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null)
	pkg=${pkg%%:*}
	grep -qE "(^|, )$pkg \(" <<< "$deps" || missing="$missing $so(${pkg:-?})"
done
if [ -z "$missing" ]; then ok "deb: Depends names the package of every library the binary needs, with a version ($deps)"
else fail "deb: Depends lacks$missing" "$deps"; fi
contents=$(dpkg-deb --contents "$deb" | awk '{ print $6 }')
missing=
for f in ./usr/bin/kaoping ./usr/share/man/man1/kaoping.1.gz ./usr/share/kaoping/rules/2021-fazhi.lua \
	./usr/share/kaoping/modules/longxian.lua ./usr/share/kaoping/samples/README.md \
	./usr/share/kaoping/samples/2021/units.csv ./usr/share/doc/kaoping/README.md ./usr/share/doc/kaoping/docs/RULES.md; do
	grep -qxF "$f" <<< "$contents" || missing="$missing $f"
done
outside=$(grep -v '^\./usr/' <<< "$contents" | grep -vx '\./')
if [ -z "$missing" ] && [ -z "$outside" ]; then ok "deb: contents under /usr: binary, man page, rules, modules, samples, docs"
else fail "deb: contents" "missing:$missing
outside /usr: $outside"; fi
if (cd "$x" && md5sum --quiet -c DEBIAN/md5sums > /dev/null 2>&1); then ok "deb: md5sums match"; else fail "deb: md5sums"; fi
expect "deb: the extracted kaoping --version" "kaoping $v (Lua 5.4, SQLite $(sed -n 's/.*SQLite \([0-9.]*\)).*/\1/p' <<< "$got"))" \
	"$("$x/usr/bin/kaoping" --version)"
if "$x/usr/bin/kaoping" --help | grep -qF '(default /usr/share/kaoping/modules)' &&
	zcat "$x/usr/share/man/man1/kaoping.1.gz" | grep -qF '/usr/share/kaoping/modules'; then
	ok "deb: built for /usr: the modules folder in --help and in the man page"
else
	fail "deb: the binary or man page does not look in /usr/share/kaoping/modules"
fi
s=$x/usr/share/kaoping
if out=$(cd "$tmp" && "$x/usr/bin/kaoping" run "$s/rules/2021-fazhi.lua" "$s"/samples/2021/*.csv --format csv 2>&1) &&
	grep -q '^镇,1,Z01,城关镇,.*101\.89' <<< "$out" && grep -q '^部门,1,B12,市场监督管理局,.*100\.39' <<< "$out"; then
	ok "deb: the extracted kaoping scores the extracted samples (城关镇 101.89, 市场监督管理局 100.39)"
else
	fail "deb: the extracted kaoping does not score the samples" "$(head -5 <<< "$out")"
fi
if shipped=$(grep -rlaE "$DEV_PATHS" "$x/usr"); then
	fail "deb: files name a developer's machine" "$shipped"
else
	ok "deb: no developer's path in any file, the binary included (stripped)"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
