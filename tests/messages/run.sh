#!/usr/bin/env bash
# tests/messages/run.sh — golden transcripts of what the official at the
# desk reads: each tests/messages/cases/<case>/cmd is a bash script run in
# a fresh folder holding a copy of samples/2021 (as 2021/) and the rule
# file (rules.lua); $KP is the binary.  Its whole output, stdout and stderr
# together (the script prints "exit N" after each command), is compared
# with the case's expected file, byte for byte, after three things that
# change from run to run are written as words: timestamps (TIME), the
# current calendar year (THISYEAR) and the work folder (DIR).
# Each case runs twice: in the default language (Chinese: LC_ALL=C.UTF-8,
# no KAOPING_LANG) against expected, and with KAOPING_LANG=en against
# expected.en, so every mistake is shown in both languages.
#   tests/messages/run.sh [CASE...]     from anywhere; all cases by default
#   KP_BIN=build/asan/kaoping           the binary (default ./kaoping)
#   KP_UPDATE_GOLDEN=1                  rewrite expected from the output
# Prints "N passed, N failed"; exits non-zero when a case failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$PWD
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$ROOT/${bin#./} ;; esac
[ -x "$bin" ] || { echo "messages: no binary at $bin (make)"; exit 2; }
export KP=$bin LC_ALL=C.UTF-8
unset KAOPING_LANG LC_MESSAGES LANG
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
year=$(date +%Y)

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=($(ls tests/messages/cases))
# run_case NAME LANG EXPECTED: one run of a case, compared
run_case() {
	local name=$1 lang=$2 want=$3 dir=tests/messages/cases/$1 work=$tmp/$1.$2
	mkdir -p "$work/2021"
	cp samples/2021/*.csv "$work/2021/"
	cp rules/2021-fazhi.lua "$work/rules.lua"
	if [ "$lang" = en ]; then
		(cd "$work" && KAOPING_LANG=en bash "$ROOT/$dir/cmd") > "$tmp/$name.raw" 2>&1
	else
		(cd "$work" && bash "$ROOT/$dir/cmd") > "$tmp/$name.raw" 2>&1
	fi
	sed -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/TIME                /g' \
	    -e "s|$work|DIR|g" -e "s/\\b$year\\b/THISYEAR/g" "$tmp/$name.raw" > "$tmp/$name.out"
	if [ "${KP_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/$name.out" "$want"
	fi
	if cmp -s "$tmp/$name.out" "$want"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL  $name ($lang)"
		diff "$want" "$tmp/$name.out" | head -30 | sed 's/^/      /'
	fi
}

for name in "${cases[@]}"; do
	run_case "$name" zh "tests/messages/cases/$name/expected"
	run_case "$name" en "tests/messages/cases/$name/expected.en"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
