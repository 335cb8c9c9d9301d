#!/usr/bin/env bash
# run.sh — every ```lua example in README.md and docs/RULES.md loads.
# Each block becomes a rule file and must pass `kaoping check`: a block
# without `assessment` gets one (units 单位代码/单位名称/类别, categories 镇
# and 部门) in front; a block without a section gets a one-indicator
# section "四、严格规范公正文明执法" after it (the section the examples'
# tie_break names); an event list the block uses but does not declare
# (agg.count("X"…), u.events["X"], events = { ["X"] …) is declared.
# Examples write elisions as Lua comments (--[[ … ]]) so they stay Lua.
# `use "name"` finds the shipped modules (--modules scripts/modules).
#
#   tests/docs/run.sh           KP_BIN=build/asan/kaoping (default ./kaoping)
#
# Prints "N passed, N failed"; exits non-zero when an example fails.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

HEAD='assessment { title = "例", year = 2021, unit = { id = "单位代码", name = "单位名称", category = "类别" },
  categories = { {"镇", commend = 2}, {"部门", commend = 9} } }'
TAIL='section "四、严格规范公正文明执法" { points = 1, indicator "文档示例" { points = 1, score = target("文档示例值", 1) } }'

# Each lua block of FILE as BLOCKDIR/<line>.lua (the line of its opening fence).
extract() {
	awk -v dir="$2" '
		/^```lua[ \t]*$/ { on = 1; start = NR + 1; out = dir "/" start ".lua"; printf "" > out; next }
		/^```/ && on { on = 0; close(out); next }
		on { print >> out }
	' "$1"
}

# The rule file for one block.
wrap() {
	local block=$1 ev
	grep -q '^[[:space:]]*assessment[[:space:]]*{' "$block" || echo "$HEAD"
	for ev in $(grep -o -e 'agg\.[a-z]*("[^"]*"' -e 'events\["[^"]*"\]' -e '\["[^"]*"\] = { {' "$block" |
		sed -e 's/^agg\.[a-z]*("//' -e 's/^events\["//' -e 's/^\["//' -e 's/".*//' | sort -u); do
		grep -q "^[[:space:]]*events \"$ev\"" "$block" || echo "events \"$ev\" { data = \"ev\", unit = \"单位代码\" }"
	done
	cat "$block"
	grep -q '^[[:space:]]*section ' "$block" || echo "$TAIL"
}

for doc in README.md docs/RULES.md; do
	dir=$tmp/${doc//\//_}
	mkdir -p "$dir"
	extract "$doc" "$dir"
	for block in "$dir"/*.lua; do
		[ -e "$block" ] || continue
		line=$(basename "$block" .lua)
		rules=$dir/rules-$line.lua
		wrap "$block" > "$rules"
		if out=$("$bin" check --quiet --modules "$PWD/scripts/modules" "$rules" 2>&1); then
			echo "ok    $doc:$line"
			passed=$((passed + 1))
		else
			echo "FAIL  $doc:$line: the example does not load:"
			echo "$out" | sed "s|$rules|$doc example at line $line (wrapped)|" | sed 's/^/      /'
			failed=$((failed + 1))
		fi
	done
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
