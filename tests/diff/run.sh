#!/usr/bin/env bash
# tests/diff/run.sh — differential test of the benchmark rule set (DESIGN.md
# section 7) on adversarial data from tests/diff/gen.py.
#   tests/diff/run.sh              the kept cases tests/diff/cases/*.csv (data
#                                  of seeds that once failed, kept as files so
#                                  that a change to gen.py keeps them) and
#                                  seeds 1..DIFF_SEEDS (default 12, ~20 s)
#   DIFF_SEEDS=5000 DIFF_FIRST=1 tests/diff/run.sh   (by hand, nice'd)
#   tests/diff/run.sh SEED|FILE... just these seeds or files (the reproducer)
# For each seed it generates a file and checks, byte for byte:
#   1. `kaoping run rules/bench.lua F --format csv --lang en`, its columns
#      extracted by scripts/bench/extract.lua as scripts/bench/run.sh does,
#      against scripts/bench/plain.lua, scripts/bench/sqlite.sh and, when
#      python3 has pandas, scripts/bench/pandas.py (skipped visibly if not);
#   2. `run --format json` (its contract fields, read by jsoncheck.py, in
#      its order) against plain.lua too;
#   3. the stored workflow: `import` + `score` into a fresh database; `score`'s
#      own CSV, `report --format csv` and `report --format json` must equal
#      `run --format csv/json`; `explain UNIT --format json` of three units
#      must agree with the JSON report on every shared field, its total must
#      be its raw score rounded by the rule, its items must add up to its
#      sections.
# A file the generator makes wrong on purpose (a missing value) must give
# exit 65 from kaoping (stderr: "kaoping: ", naming the file, the column and
# the unit: DESIGN section 2, 缺项) and from plain.lua (sqlite.sh does not
# validate: not asked).
# On a mismatch: the seed, the first differing lines, the file kept in
# build/diff/, and a reproducer command. Ends with "N passed, N failed";
# exits 1 when a seed failed. Needs python3, lua5.4, sqlite3.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en}
ROOT=$PWD
KP=${KP_BIN:-./kaoping}
case $KP in /*) ;; *) KP=$ROOT/$KP ;; esac
RULES=rules/bench.lua
GEN=tests/diff/gen.py
JC=tests/diff/jsoncheck.py
EXTRACT=scripts/bench/extract.lua
KEEP=build/diff

for tool in python3 lua5.4 sqlite3; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
# the interpreter itself, not a version manager's shim (pyenv's costs 0.1 s a call)
PY=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null) || PY=python3
[ -x "$PY" ] || PY=python3
[ -x "$KP" ] || { echo "diff: $KP is not built (make)"; exit 2; }

PANDAS_PY=
for py in python3 /usr/bin/python3; do
	if command -v "$py" >/dev/null && "$py" -c 'import pandas' 2>/dev/null; then PANDAS_PY=$py; break; fi
done
[ -n "$PANDAS_PY" ] || echo "SKIP (part): pandas is not installed: scripts/bench/pandas.py is not compared"

if [ $# -gt 0 ]; then
	SEEDS="$*"
else
	N=${DIFF_SEEDS:-12} FIRST=${DIFF_FIRST:-1}
	case $N$FIRST in *[!0-9]*) echo "diff: DIFF_SEEDS and DIFF_FIRST are integers"; exit 2 ;; esac
	SEEDS="$(echo tests/diff/cases/*.csv) $(seq "$FIRST" $((FIRST + N - 1)) | tr '\n' ' ')"
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/kp_diff.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
F=$T/units.csv
passed=0 failed=0 why=

# mismatch WHAT FILE1 FILE2: note the first differing lines
mismatch() {
	why="$1"
	why+=$'\n'"$(diff "$2" "$3" | head -n 12 | sed 's/^/      /')"
	return 1
}
# same WHAT FILE1 FILE2
same() { cmp -s "$2" "$3" || mismatch "$@"; }
# ok WHAT STATUS
ok() { [ "$2" = 0 ] || { why="$1 (exit $2): $(head -c 600 "$T/err")"; return 1; }; }

# one_seed SEED, or one_seed FILE: a kept case (tests/diff/cases/*.csv;
# one that must fail says so in its name: NAME.missing-COLUMN.csv)
one_seed() {
	local seed=$1 expect mode rc uid
	if [ -f "$seed" ]; then
		cp "$seed" "$F"
		expect=ok mode="case $seed"
		case $seed in *.missing-*.csv) expect=65 mode="missing=${seed##*.missing-}" mode=${mode%.csv} ;; esac
		printf 'mode=%s\n' "$mode" >"$T/meta"
		seed=${#seed}
	else
		"$PY" "$GEN" "$seed" --meta "$T/meta" >"$F" || { why="gen.py failed"; return 1; }
		expect=$(sed -n 's/^expect=//p' "$T/meta")
		mode=$(sed -n 's/^mode=//p' "$T/meta")
	fi
	rm -f "$T"/db*

	if [ "$expect" = 65 ]; then
		"$KP" run "$RULES" "$F" --format csv --lang en >"$T/out" 2>"$T/err"
		rc=$?
		[ $rc = 65 ] || { why="kaoping run on a file with a missing value: exit $rc, want 65: $(head -c 300 "$T/err")"; return 1; }
		head -n 1 "$T/err" | grep -q '^kaoping: ' || { why="kaoping's message does not start with 'kaoping: ': $(head -n 1 "$T/err")"; return 1; }
		local col=${mode##*missing=}
		col=${col%%@*}
		grep -qF -- "$col" "$T/err" || { why="kaoping's message does not name the column $col: $(head -c 300 "$T/err")"; return 1; }
		grep -qF -- "units.csv" "$T/err" || { why="kaoping's message does not name the file: $(head -c 300 "$T/err")"; return 1; }
		uid=$(sed -n 's/^missing_unit=//p' "$T/meta")
		[ -z "$uid" ] || grep -qF -- "$uid" "$T/err" || { why="kaoping's message does not name the unit $uid: $(head -c 300 "$T/err")"; return 1; }
		lua5.4 scripts/bench/plain.lua "$F" >/dev/null 2>"$T/err"
		rc=$?
		[ $rc = 65 ] || { why="plain.lua on a file with a missing value: exit $rc, want 65"; return 1; }
		return 0
	fi

	# 1. run --format csv against the independent implementations
	"$KP" run "$RULES" "$F" --format csv --lang en >"$T/run.csv" 2>"$T/err"
	ok "kaoping run --format csv" $? || return 1
	lua5.4 "$EXTRACT" "$T/run.csv" >"$T/kaoping.csv" 2>"$T/err"
	ok "extract.lua" $? || return 1
	lua5.4 scripts/bench/plain.lua "$F" >"$T/plain.csv" 2>"$T/err"
	ok "plain.lua" $? || return 1
	scripts/bench/sqlite.sh "$F" >"$T/sqlite.csv" 2>"$T/err"
	ok "sqlite.sh" $? || return 1
	same "plain.lua vs sqlite.sh" "$T/plain.csv" "$T/sqlite.csv" || return 1
	same "plain.lua vs kaoping run --format csv (columns extracted)" "$T/plain.csv" "$T/kaoping.csv" || return 1
	if [ -n "$PANDAS_PY" ]; then
		"$PANDAS_PY" scripts/bench/pandas.py "$F" >"$T/pandas.csv" 2>"$T/err"
		ok "pandas.py" $? || return 1
		same "plain.lua vs pandas.py" "$T/plain.csv" "$T/pandas.csv" || return 1
	fi

	# 2. run --format json: the contract's fields, in ranking order
	"$KP" run "$RULES" "$F" --format json >"$T/run.json" 2>"$T/err"
	ok "kaoping run --format json" $? || return 1
	"$PY" "$JC" plain "$T/run.json" >"$T/json.csv" 2>"$T/err"
	ok "jsoncheck.py plain (the JSON contract)" $? || return 1
	same "plain.lua vs kaoping run --format json" "$T/plain.csv" "$T/json.csv" || return 1

	# 3. the stored workflow against run
	"$KP" import --quiet --db "$T/db" --year 2021 "$F" >"$T/out" 2>"$T/err"
	ok "kaoping import" $? || return 1
	"$KP" score --quiet --db "$T/db" --year 2021 "$RULES" --format csv --lang en >"$T/score.csv" 2>"$T/err"
	ok "kaoping score" $? || return 1
	same "kaoping score --format csv vs run --format csv" "$T/run.csv" "$T/score.csv" || return 1
	"$KP" report --db "$T/db" --format csv --lang en >"$T/report.csv" 2>"$T/err"
	ok "kaoping report --format csv" $? || return 1
	same "kaoping report --format csv vs run --format csv" "$T/run.csv" "$T/report.csv" || return 1
	"$KP" report --db "$T/db" --format json >"$T/report.json" 2>"$T/err"
	ok "kaoping report --format json" $? || return 1
	same "kaoping report --format json vs run --format json" "$T/run.json" "$T/report.json" || return 1

	# explain: the first, the last and one unit picked by the seed
	"$PY" - "$T/report.json" "$seed" >"$T/ids" <<-'PY' || { why="cannot list the units"; return 1; }
	import json, random, sys
	ids = [u["unit_id"] for u in json.load(open(sys.argv[1], encoding="utf-8"))]
	pick = list(dict.fromkeys([ids[0], ids[-1], random.Random(int(sys.argv[2])).choice(ids)])) if ids else []
	sys.stdout.write("".join(i + "\0" for i in pick))
	PY
	while IFS= read -r -d '' uid; do
		"$KP" explain --db "$T/db" --format json -- "$uid" >"$T/explain.json" 2>"$T/err"
		ok "kaoping explain -- '$uid'" $? || return 1
		"$PY" "$JC" explain "$T/report.json" "$T/explain.json" 2>"$T/err" || {
			why="explain '$uid' vs report --format json: $(cat "$T/err")"
			return 1
		}
	done <"$T/ids"
	return 0
}

count=0
for seed in $SEEDS; do
	why=
	count=$((count + 1))
	[ $((count % 200)) -ne 0 ] || echo "... $count files, at seed $seed: $passed passed, $failed failed" >&2
	if one_seed "$seed"; then
		passed=$((passed + 1))
	elif [ -f "$seed" ]; then
		failed=$((failed + 1))
		echo "FAIL  case $seed: $why"
		echo "      reproduce: tests/diff/run.sh $seed"
	else
		failed=$((failed + 1))
		mkdir -p "$KEEP"
		cp "$F" "$KEEP/seed-$seed.csv"
		echo "FAIL  seed $seed ($(sed -n 's/^mode=//p' "$T/meta")): $why"
		echo "      data kept in $KEEP/seed-$seed.csv; reproduce: tests/diff/run.sh $seed"
		echo "      (or: python3 $GEN $seed > units.csv && kaoping run $RULES units.csv --format csv --lang en)"
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
