#!/usr/bin/env bash
# tests/messages/run.sh — golden transcripts of what the official at the
# desk reads: each tests/messages/cases/<case>/cmd is a bash script run in
# a fresh folder holding a copy of samples/2021 (as 2021/) and the rule
# file (rules.lua); $KP is the binary.  Its whole output, stdout and stderr
# together (the script prints "exit N" after each command), is compared
# with the case's expected file, byte for byte, after three things that
# change from run to run are written as words: timestamps (TIME), the
# current calendar year (THISYEAR) and the work folder (DIR).
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
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
year=$(date +%Y)

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=($(ls tests/messages/cases))
for name in "${cases[@]}"; do
	dir=tests/messages/cases/$name work=$tmp/$name
	mkdir -p "$work/2021"
	cp samples/2021/*.csv "$work/2021/"
	cp rules/2021-fazhi.lua "$work/rules.lua"
	(cd "$work" && bash "$ROOT/$dir/cmd") > "$tmp/$name.raw" 2>&1
	sed -e 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z/TIME                /g' \
	    -e "s|$work|DIR|g" -e "s/\\b$year\\b/THISYEAR/g" "$tmp/$name.raw" > "$tmp/$name.out"
	if [ "${KP_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/$name.out" "$dir/expected"
	fi
	if cmp -s "$tmp/$name.out" "$dir/expected"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL  $name"
		diff "$dir/expected" "$tmp/$name.out" | head -30 | sed 's/^/      /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
