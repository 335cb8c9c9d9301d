#!/usr/bin/env bash
# run.sh — the golden end-to-end tests.  Each tests/golden/e2e/<case>/ holds
# rules.lua, its CSV files and expected.json: the whole output of
#     kaoping run rules.lua *.csv --format json
# run inside the case's folder, compared byte for byte.  ARITHMETIC.md
# beside them works every unit out by hand; the rows of its "## Summary"
# table (unit, total, rank, grade, commended) are checked against
# expected.json as well, so an expected file rewritten from the program's
# output must still agree with the hand arithmetic.
#
#   tests/golden/run.sh [CASE...]     from anywhere; all cases by default
#   KP_BIN=build/asan/kaoping         the binary under test (default ./kaoping)
#   KP_UPDATE_GOLDEN=1                rewrite expected.json from the output
#
# A case may also hold explain-<UNIT>.txt: the whole output of
#     kaoping explain UNIT
# (in the case's folder, so the run's rules.lua is found) after the same run recorded in a database, compared byte for byte (the
# items of one unit and their sums; KP_UPDATE_GOLDEN=1 rewrites them too),
# and criteria.txt: the whole output of `kaoping criteria rules.lua` (the
# criteria in words).
#
# Prints "N passed, N failed"; exits non-zero when a case failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
export LC_ALL=C # the order of *.csv, and nothing else, depends on it
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "run.sh: no binary at $bin (build it with make, or set KP_BIN)" >&2
	exit 2
fi
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

fail() {
	echo "FAIL  $1: $2"
	failed=$((failed + 1))
}

# The JSON line of a unit, from a file in report --format json's layout
# (one unit per line).
unit_line() {
	grep -F "\"unit_id\":\"$2\"," "$1"
}

# Check each row of ARITHMETIC.md's summary against the expected file.
check_arithmetic() {
	local dir=$1 expected=$2 bad=0 rows=0 unit total rank grade commended line want
	[ -f "$dir/ARITHMETIC.md" ] || { echo "      no ARITHMETIC.md"; return 1; }
	while IFS='|' read -r _ unit total rank grade commended _; do
		unit=$(echo $unit) total=$(echo $total) rank=$(echo $rank)
		grade=$(echo $grade) commended=$(echo $commended)
		case $unit in '' | unit | ---*) continue ;; esac
		rows=$((rows + 1))
		[ "$commended" = yes ] && commended=true || commended=false
		line=$(unit_line "$expected" "$unit")
		for want in "\"rank\":$rank," "\"total\":$total," "\"grade\":\"$grade\"," "\"commended\":$commended,"; do
			case $line in
			*"$want"*) ;;
			*) echo "      $unit: the hand arithmetic says $want"; bad=1 ;;
			esac
		done
	done < <(sed -n '/^## Summary/,$p' "$dir/ARITHMETIC.md" | grep '^|')
	if [ $rows -eq 0 ]; then
		echo "      ARITHMETIC.md has no summary rows"
		return 1
	fi
	[ $rows -eq "$(grep -c '"unit_id":' "$expected")" ] || { echo "      the summary does not list every unit"; bad=1; }
	return $bad
}

# Compare each explain-<UNIT>.txt of the case with kaoping explain UNIT.
check_explain() {
	local dir=$1 name=$2 f unit db=$tmp/$2.db bad=0
	compgen -G "$dir/explain-*.txt" >/dev/null || return 0
	(cd "$dir" && "$bin" run rules.lua *.csv --db "$db" --quiet) >/dev/null 2>"$tmp/$name.err" || {
		sed 's/^/      /' "$tmp/$name.err"
		return 1
	}
	for f in "$dir"/explain-*.txt; do
		unit=${f##*/explain-} unit=${unit%.txt}
		# in the case's folder, where the run's rules.lua is (basis, office)
		(cd "$dir" && "$bin" explain --db "$db" "$unit") >"$tmp/$name.explain" 2>&1
		[ -n "${KP_UPDATE_GOLDEN:-}" ] && cp "$tmp/$name.explain" "$f" && echo "wrote $f"
		if ! cmp -s "$tmp/$name.explain" "$f"; then
			diff -u "$f" "$tmp/$name.explain" | head -n 30 | sed 's/^/      /'
			bad=1
		fi
	done
	return $bad
}

# Compare the case's criteria.txt, if any, with kaoping criteria rules.lua.
check_criteria() {
	local dir=$1 name=$2
	[ -f "$dir/criteria.txt" ] || return 0
	(cd "$dir" && "$bin" criteria rules.lua) >"$tmp/$name.criteria" 2>&1
	[ -n "${KP_UPDATE_GOLDEN:-}" ] && cp "$tmp/$name.criteria" "$dir/criteria.txt" && echo "wrote $dir/criteria.txt"
	cmp -s "$tmp/$name.criteria" "$dir/criteria.txt" && return 0
	diff -u "$dir/criteria.txt" "$tmp/$name.criteria" | head -n 30 | sed 's/^/      /'
	return 1
}

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
	for d in tests/golden/e2e/*/; do
		cases+=("$(basename "$d")")
	done
fi

for name in "${cases[@]}"; do
	dir=tests/golden/e2e/$name
	out=$tmp/$name.json
	if [ ! -f "$dir/rules.lua" ]; then
		fail "$name" "no $dir/rules.lua"
		continue
	fi
	(cd "$dir" && "$bin" run rules.lua *.csv --format json) >"$out" 2>"$tmp/$name.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "$name" "kaoping run exited $rc"
		sed 's/^/      /' "$tmp/$name.err"
		continue
	fi
	if [ -n "${KP_UPDATE_GOLDEN:-}" ]; then
		cp "$out" "$dir/expected.json"
		echo "wrote $dir/expected.json"
	fi
	if [ ! -f "$dir/expected.json" ]; then
		fail "$name" "no expected.json (KP_UPDATE_GOLDEN=1 writes it)"
		continue
	fi
	if ! cmp -s "$out" "$dir/expected.json"; then
		fail "$name" "the output differs from expected.json"
		diff -u "$dir/expected.json" "$out" | head -n 40 | sed 's/^/      /'
		continue
	fi
	if ! check_arithmetic "$dir" "$dir/expected.json"; then
		fail "$name" "expected.json disagrees with ARITHMETIC.md"
		continue
	fi
	if ! check_explain "$dir" "$name"; then
		fail "$name" "an explain output differs"
		continue
	fi
	if ! check_criteria "$dir" "$name"; then
		fail "$name" "the criteria words differ"
		continue
	fi
	echo "ok    $name"
	passed=$((passed + 1))
done

echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
