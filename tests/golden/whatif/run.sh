#!/usr/bin/env bash
# run.sh — golden tests of the decisions weighed before next year's
# criteria, on the 2021 Longxian samples imported into a database:
#   compare  the sample rules against rules/2021-fazhi-variant.lua: the
#            whole output as text (compare.txt), JSON (compare.json) and CSV
#            (compare.csv), compared byte for byte; the same two rule sets
#            recorded as runs and compared with --run N --run M give the
#            same rows (only the "run" of each side differs); two years of
#            a tiny data set (mini.lua, units-YEAR.csv) where one unit left
#            and one came: compare-years.txt, .json, -en.md; and where
#            one moved from 甲 (3rd) to 乙 (1st, units-2021-moved.csv): no
#            rank change for it in the report (report-moved.txt, .json),
#            its HTML row, CSV cell and score sheet, as compare says;
#   robust   with a fixed seed, two runs byte-identical, and the whole
#            output (robust.txt, robust.json) as expected; with --spread 0
#            every unit's rank range is exactly its rank in `kaoping score`.
#   tests/golden/whatif/run.sh         (from anywhere; KP_BIN: the binary)
#   KP_UPDATE_GOLDEN=1                 rewrite the expected files
# Prints "N passed, N failed"; exits non-zero when a check failed.
set -u
cd "$(dirname "$0")/../../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
export LC_ALL=C
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
[ -x "$bin" ] || { echo "run.sh: no binary at $bin (make)" >&2; exit 2; }
dir=tests/golden/whatif
A=rules/2021-fazhi.lua B=rules/2021-fazhi-variant.lua
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
db=$tmp/w.db
passed=0 failed=0

fail() { echo "FAIL  $1"; failed=$((failed + 1)); }
ok() { passed=$((passed + 1)); }

# golden NAME FILE: FILE is the expected NAME, whole.
golden() {
	if [ -n "${KP_UPDATE_GOLDEN:-}" ]; then
		cp "$2" "$dir/$1"
	fi
	if cmp -s "$2" "$dir/$1"; then ok; else
		fail "$1 differs from the expected output:"
		diff "$dir/$1" "$2" | head -20 | sed 's/^/      /'
	fi
}

"$bin" import --db "$db" --year 2021 samples/2021/*.csv --quiet || { echo "import failed"; exit 1; }

# ---- compare ----
"$bin" compare "$A" "$B" --db "$db" > "$tmp/compare.txt" && golden compare.txt "$tmp/compare.txt" || fail "compare (text) exited $?"
# the rule files' SHA-256 is masked: the golden outlives edits to the sample rules' comments
"$bin" compare "$A" "$B" --db "$db" --format json > "$tmp/compare.json" &&
	sed -e '1s/"rules_sha256":"[0-9a-f]*"/"rules_sha256":"(masked)"/' "$tmp/compare.json" > "$tmp/compare-masked.json" &&
	golden compare.json "$tmp/compare-masked.json" || fail "compare --format json"
"$bin" compare "$A" "$B" --db "$db" --format csv > "$tmp/compare.csv" && golden compare.csv "$tmp/compare.csv" || fail "compare --format csv"
# -o picks the format by its extension, written whole
"$bin" compare "$A" "$B" --db "$db" -o "$tmp/o.json" --quiet && cmp -s "$tmp/o.json" "$tmp/compare.json" && ok || fail "compare -o FILE.json"
"$bin" compare "$A" "$B" --db "$db" -o "$tmp/o.xlsx" --quiet && unzip -p "$tmp/o.xlsx" xl/sharedStrings.xml | grep -q "林业局" && ok \
	|| fail "compare -o FILE.xlsx: a workbook with the units"
"$bin" compare "$A" "$B" --db "$db" --format html > "$tmp/o.html" && grep -q '<tr class="lost"><td>B02</td>' "$tmp/o.html" && ok \
	|| fail "compare --format html: the lost commendation marked"

# B declares another year: it scores A's year (the same data), the same rows
sed 's/year = 2021,/year = 2022,/' "$B" > "$tmp/v2022.lua"
"$bin" compare "$A" "$tmp/v2022.lua" --db "$db" --format json | sed 2d > "$tmp/v2022.json"
sed 2d "$tmp/compare.json" | cmp -s - "$tmp/v2022.json" && ok || fail "compare with a rule file of another year"

# recorded runs: the same rows, only the sides' run numbers added
"$bin" score "$A" --db "$db" --quiet > /dev/null && "$bin" score "$B" --db "$db" --quiet > /dev/null || fail "score"
"$bin" compare --run 1 --run 2 --db "$db" --format json > "$tmp/runs.json" || fail "compare --run 1 --run 2"
sed -e '1,2s/,"run_id":[0-9]*}/,"run_id":null}/' -e '1,2s/"rules_sha256":"[0-9a-f]*"/"rules_sha256":null/' "$tmp/runs.json" > "$tmp/runs-plain.json"
sed -e '1,2s/"rules_sha256":"[0-9a-f]*"/"rules_sha256":null/' "$tmp/compare.json" > "$tmp/rules-plain.json"
cmp -s "$tmp/runs-plain.json" "$tmp/rules-plain.json" && ok || { fail "compare --run 1 --run 2 differs from compare A B:"; diff "$tmp/rules-plain.json" "$tmp/runs-plain.json" | head -10; }

# units on one side only: two years of a tiny data set (a left, d came),
# recorded runs compared, text and JSON whole
mdb=$tmp/mini.db
for y in 2020 2021; do
	"$bin" import --db "$mdb" --year $y --as units $dir/units-$y.csv --quiet &&
		"$bin" score --db "$mdb" --year $y $dir/mini.lua --quiet > /dev/null || fail "mini $y"
done
"$bin" compare --db "$mdb" --run 1 --run 2 > "$tmp/years.txt" && golden compare-years.txt "$tmp/years.txt" || fail "compare years"
"$bin" compare --db "$mdb" --run 1 --run 2 --format json > "$tmp/years.json" && golden compare-years.json "$tmp/years.json" || fail "compare years json"
"$bin" compare --db "$mdb" --run 1 --run 2 --lang en --format md > "$tmp/years.md" && golden compare-years-en.md "$tmp/years.md" || fail "compare years md en"

# a unit that changed category (c: 甲 in 2020, 乙 in 2021) has last year's
# total but no rank change, in every report and in its sheet
cdb=$tmp/moved.db
"$bin" import --db "$cdb" --year 2020 --as units $dir/units-2020.csv --quiet &&
	"$bin" score --db "$cdb" --year 2020 $dir/mini.lua --quiet > /dev/null &&
	"$bin" import --db "$cdb" --year 2021 --as units $dir/units-2021-moved.csv --quiet &&
	"$bin" score --db "$cdb" --year 2021 $dir/mini.lua --quiet > /dev/null || fail "moved: import and score"
"$bin" report --db "$cdb" --run 2 > "$tmp/moved.txt" && golden report-moved.txt "$tmp/moved.txt" || fail "moved: report"
"$bin" report --db "$cdb" --run 2 --format json > "$tmp/moved.json" && golden report-moved.json "$tmp/moved.json" || fail "moved: report json"
"$bin" report --db "$cdb" --run 2 --format csv | tr -d '\r' | grep -qx '乙,1,c,甲三,51.00,40.00,0.00,0.00,91.00,优秀,是,否,,' && ok || fail "moved: csv cell not blank"
"$bin" report --db "$cdb" --run 2 --format html | grep -q 'class="c up"' && fail "moved: html shows a rank gain" || ok
"$bin" explain --db "$cdb" --run 2 --all --format json -o "$tmp/moved-sheets" --quiet &&
	grep -q '"rank_change":null,"last_total":80' "$tmp/moved-sheets/c-甲三.json" && ok || fail "moved: the sheet's rank_change"
"$bin" compare --db "$cdb" --run 1 --run 2 --format json | grep -q '"unit_id":"c",.*"rank_change":null' && ok || fail "moved: compare"

# ---- robust ----
"$bin" robust "$A" --db "$db" --seed 7 > "$tmp/r1.txt" && "$bin" robust "$A" --db "$db" --seed 7 > "$tmp/r2.txt" || fail "robust"
cmp -s "$tmp/r1.txt" "$tmp/r2.txt" && ok || fail "robust --seed 7: two runs differ"
golden robust.txt "$tmp/r1.txt"
"$bin" robust "$A" --db "$db" --seed 7 --by indicator --draws 500 --format json > "$tmp/r1.json" &&
	"$bin" robust "$A" --db "$db" --seed 7 --by indicator --draws 500 --format json > "$tmp/r2.json" || fail "robust --format json"
cmp -s "$tmp/r1.json" "$tmp/r2.json" && ok || fail "robust --by indicator --format json: two runs differ"
golden robust.json "$tmp/r1.json"
"$bin" robust "$A" --db "$db" --seed 8 --format json > "$tmp/r3.json"
cmp -s "$tmp/r3.json" "$tmp/r1.json" && fail "another seed, the same output" || ok

# --spread 0: every unit's rank range is its rank in the real run
"$bin" report --db "$db" --run 1 --format json | sed -n 's/.*"rank":\([0-9]*\),"unit_id":"\([^"]*\)".*/\2 \1 \1 \1/p' | sort > "$tmp/ranks.run"
"$bin" robust "$A" --db "$db" --spread 0 --format json |
	sed -n 's/.*"unit_id":"\([^"]*\)".*"rank_p5":\([0-9]*\),"rank_median":\([0-9]*\),"rank_p95":\([0-9]*\).*/\1 \2 \3 \4/p' | sort > "$tmp/ranks.robust"
if [ -s "$tmp/ranks.run" ] && [ "$(wc -l < "$tmp/ranks.run")" -eq 38 ] && cmp -s "$tmp/ranks.run" "$tmp/ranks.robust"; then ok; else
	fail "robust --spread 0: rank ranges are not the run's ranks"
	diff "$tmp/ranks.run" "$tmp/ranks.robust" | head -10
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
