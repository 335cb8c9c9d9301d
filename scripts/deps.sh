#!/bin/sh
# deps.sh — install the Debian packages kaoping builds and tests with.
#   scripts/deps.sh          install what is missing (apt-get; as root or via sudo)
#   scripts/deps.sh --check  exit 0 when everything needed to build is present
# Build: liblua5.4-dev libsqlite3-dev libcsv-dev libxlsxwriter-dev libssl-dev
#        libzip-dev libexpat1-dev libfreexl-dev pkg-config; tests: check sqlite3 lua5.4 valgrind unzip python3 (workbook fixtures) clang (fuzzers,
#        sanitizer runtime), groff-base (the man page test); bench: time; --browser: chromium fonts-noto-cjk
#        poppler-utils for the HTML report's browser test.
set -eu

BUILD_PKGS="build-essential pkg-config liblua5.4-dev libsqlite3-dev libcsv-dev libxlsxwriter-dev libssl-dev libzip-dev libexpat1-dev libfreexl-dev check"
TEST_PKGS="sqlite3 lua5.4 unzip clang libclang-rt-14-dev time groff-base python3"

have_build() {
	pkg-config --exists lua5.4 sqlite3 xlsxwriter libcrypto libzip expat freexl check 2>/dev/null &&
		[ -f /usr/include/csv.h ] && command -v cc >/dev/null 2>&1
}
have_test() {
	for c in sqlite3 lua5.4 unzip clang groff python3; do command -v "$c" >/dev/null 2>&1 || return 1; done
	[ -x /usr/bin/time ]
}

if [ "${1:-}" = "--check" ]; then
	have_build
	exit $?
fi
BROWSER_PKGS="chromium fonts-noto-cjk poppler-utils"
if [ "${1:-}" = "--browser" ]; then
	command -v chromium >/dev/null 2>&1 && command -v pdffonts >/dev/null 2>&1 &&
		fc-list 2>/dev/null | grep -qi "cjk\|wenquanyi" && exit 0
	[ "$(id -u)" = 0 ] || exit 1
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $BROWSER_PKGS >/dev/null
	exit $?
fi
if [ "${1:-}" = "--check-test" ]; then
	have_test
	exit $?
fi

if have_build && have_test; then
	exit 0
fi
SUDO=
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps.sh: missing packages and not root (no sudo): install as root:" >&2
		echo "  apt-get install $BUILD_PKGS $TEST_PKGS" >&2
		exit 1
	fi
fi
echo "deps.sh: installing Debian packages: $BUILD_PKGS $TEST_PKGS" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $BUILD_PKGS $TEST_PKGS >/dev/null
