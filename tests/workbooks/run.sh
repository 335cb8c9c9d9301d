#!/usr/bin/env bash
# tests/workbooks/run.sh — workbooks end to end: the 2021 Longxian samples
# written as .xlsx (tests/workbooks/mkxlsx.py: numbers as number cells, dates
# as date serials, text as shared strings) must give the CSV files' run,
# import, score, report (every format) and explain byte for byte; the
# import records the workbook's SHA-256 and kind; a workbook named .csv is
# read as a workbook; --sheet picks a sheet; every golden case gives its
# expected.json from workbooks; a legacy .xls is read too.
#   tests/workbooks/run.sh    (KP_BIN names the binary, default ./kaoping)
# Ends with "N passed, N failed"; exits 1 when anything failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
ROOT=$PWD
KP=${KP_BIN:-./kaoping}
case $KP in /*) ;; *) KP=$ROOT/$KP ;; esac
RULES=$ROOT/rules/2021-fazhi.lua
for tool in python3 sqlite3 sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/kp_xlsx.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
passed=0 failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL  $*"; }
same() { if cmp -s "$2" "$3"; then ok; else bad "$1: $2 and $3 differ"; diff "$2" "$3" | head -5; fi; }

mkdir -p "$T/csv" "$T/xlsx"
cp samples/2021/*.csv "$T/csv/"
for f in samples/2021/*.csv; do
	python3 tests/workbooks/mkxlsx.py csv "$f" "$T/xlsx/$(basename "$f" .csv).xlsx" || { bad "mkxlsx $f"; exit 1; }
done

# run: every format, without a database
for fmt in table csv json md html; do
	(cd "$T/csv" && "$KP" run "$RULES" ./*.csv --format $fmt >"$T/run-csv.$fmt" 2>"$T/err")
	(cd "$T/xlsx" && "$KP" run "$RULES" ./*.xlsx --format $fmt >"$T/run-xlsx.$fmt" 2>"$T/err") || bad "run $fmt: $(cat "$T/err")"
	same "run --format $fmt" "$T/run-csv.$fmt" "$T/run-xlsx.$fmt"
done

# run with --db imports the workbooks into it: the same ranking
(cd "$T/xlsx" && "$KP" run --db ../run-xlsx.db "$RULES" ./*.xlsx >"$T/rundb-xlsx.txt" 2>"$T/err") || bad "run --db: $(cat "$T/err")"
same "run --db" "$T/run-csv.table" "$T/rundb-xlsx.txt"
n=$(sqlite3 "$T/run-xlsx.db" "SELECT count(*) FROM imports WHERE encoding = 'xlsx'")
[ "$n" = "$(ls "$T"/xlsx/*.xlsx | wc -l)" ] && ok || bad "run --db recorded $n workbook imports"

# import, score, report and explain through a database each
for kind in csv xlsx; do
	(cd "$T/$kind" && "$KP" import --db ../$kind.db --year 2021 ./*.$kind >"$T/import-$kind.out" 2>&1) || bad "import $kind: $(cat "$T/import-$kind.out")"
	(cd "$T/$kind" && "$KP" score --db ../$kind.db "$RULES" --format csv >"$T/score-$kind.csv" 2>/dev/null) || bad "score $kind"
	for fmt in table csv json md html; do
		(cd "$T/$kind" && "$KP" report --db ../$kind.db --format $fmt >"$T/report-$kind.$fmt" 2>/dev/null) || bad "report $kind $fmt"
	done
	(cd "$T/$kind" && "$KP" explain --db ../$kind.db 城关镇 >"$T/explain-$kind.txt" 2>/dev/null) || bad "explain $kind"
done
same "score" "$T/score-csv.csv" "$T/score-xlsx.csv"
for fmt in table csv json md html; do
	same "report --format $fmt" "$T/report-csv.$fmt" "$T/report-xlsx.$fmt"
done
same "explain" "$T/explain-csv.txt" "$T/explain-xlsx.txt"

# every golden case (tests/golden/e2e) with its CSV files as workbooks
# gives its expected.json: dates (date serials), categories, events...
export LC_ALL=C
for dir in tests/golden/e2e/*/; do
	case=$(basename "$dir")
	rm -rf "$T/g" && mkdir -p "$T/g" && cp -rL "$dir". "$T/g/" && rm -f "$T"/g/*.csv
	for f in "$dir"*.csv; do python3 tests/workbooks/mkxlsx.py csv "$f" "$T/g/$(basename "$f" .csv).xlsx"; done
	(cd "$T/g" && "$KP" run rules.lua ./*.xlsx --format json >"$T/golden.json" 2>"$T/err")
	same "golden $case" "$dir/expected.json" "$T/golden.json"
done

# messages about a workbook's cell name it as Excel does too (C7)
rm -rf "$T/g" && mkdir -p "$T/g" && cp -rL tests/golden/e2e/dates/. "$T/g/" && rm -f "$T"/g/*.csv
sed 's|2024-02-10,2024/2/10|2024-02-10,2024-02-30|' tests/golden/e2e/dates/monthly.csv >"$T/monthly.csv"
python3 tests/workbooks/mkxlsx.py csv "$T/monthly.csv" "$T/g/monthly.xlsx"
python3 tests/workbooks/mkxlsx.py csv tests/golden/e2e/dates/units.csv "$T/g/units.xlsx"
out=$(cd "$T/g" && "$KP" run rules.lua ./*.xlsx 2>&1)
[ $? = 65 ] && grep -qF "kaoping: ./monthly.xlsx:3:4: column '实报日期' (D3): '2024-02-30' is not a date" <<<"$out" &&
	ok || bad "a bad date in a workbook: $out"
awk -F, -v OFS=, 'NR == 6 { $14 = "abc" } { print }' tests/hostile/fixtures/units.csv >"$T/bad.csv"
python3 tests/workbooks/mkxlsx.py csv "$T/bad.csv" "$T/units.xlsx"
out=$("$KP" run tests/hostile/fixtures/mini.lua "$T/units.xlsx" 2>&1)
[ $? = 65 ] && grep -qF "units.xlsx:6:14: unit 'U0000005' (陇县信访局), column 'i11' (N6): not a number: 'abc'" <<<"$out" && ok || bad "a bad number: $out"
"$KP" import --db "$T/bad.db" --year 2021 "$T/units.xlsx" >/dev/null 2>&1 || bad "import of units.xlsx"
out=$("$KP" score --db "$T/bad.db" tests/hostile/fixtures/mini.lua 2>&1)
[ $? = 65 ] && grep -qF "units.xlsx:6:14: unit 'U0000005' (陇县信访局), column 'i11' (N6): not a number: 'abc'" <<<"$out" && ok || bad "a bad number, stored: $out"

# what the import says and records: the kind and the workbook's own SHA-256
grep -qF "imported ./units.xlsx as 'units' for 2021: " "$T/import-xlsx.out" && grep -qF "(xlsx)" "$T/import-xlsx.out" &&
	ok || bad "import message: $(head -2 "$T/import-xlsx.out")"
want=$(sha256sum <"$T/xlsx/units.xlsx" | cut -d' ' -f1)
got=$(sqlite3 "$T/xlsx.db" "SELECT sha256 || ' ' || encoding FROM imports WHERE name = 'units'")
[ "$got" = "$want xlsx" ] && ok || bad "recorded sha256/encoding: '$got', want '$want xlsx'"

# a workbook saved under a .csv name is read by its bytes
cp "$T/xlsx/units.xlsx" "$T/units-really.csv"
out=$("$KP" import --db "$T/named.db" --year 2021 "$T/units-really.csv" 2>&1)
rc=$?
[ $rc = 0 ] && ! grep -q GB18030 <<<"$out" && ok || bad "a workbook named .csv: exit $rc: $out"

# --sheet: a missing sheet is named with the ones there are
out=$("$KP" import --db "$T/s.db" --sheet 汇总 "$T/xlsx/units.xlsx" 2>&1)
rc=$?
[ $rc = 64 ] && grep -qF "no sheet named '汇总' (the sheets: '数据')" <<<"$out" && ok || bad "--sheet missing: exit $rc: $out"
"$KP" import --db "$T/s.db" --sheet 数据 "$T/xlsx/units.xlsx" >/dev/null 2>&1 && ok || bad "--sheet 数据"
"$KP" score --help | grep -q -- --sheet && bad "score takes no --sheet" || ok

# legacy .xls (tests/workbooks/mkxls.py writes BIFF8 by hand): text, an
# integer, a float stored with noise; the kind and SHA-256 recorded
python3 tests/workbooks/mkxls.py "$T/form.xls" || bad "mkxls"
out=$("$KP" import --db "$T/xls.db" --year 2021 "$T/form.xls" 2>&1) || bad "import .xls: $out"
grep -qF "as 'form' for 2021: 2 rows, 4 columns (xls)" <<<"$out" && ok || bad "import .xls said: $out"
got=$(sqlite3 -separator '|' "$T/xls.db" 'SELECT * FROM "2021/form"' | tr '\n' ';')
[ "$got" = "2|B01|城关镇|3|0.3;3|B02|东风镇|12|0.5;" ] && ok || bad ".xls rows: $got"
got=$(sqlite3 "$T/xls.db" "SELECT sha256 || ' ' || encoding FROM imports")
[ "$got" = "$(sha256sum <"$T/form.xls" | cut -d' ' -f1) xls" ] && ok || bad ".xls sha256/encoding: $got"
out=$("$KP" import --db "$T/xls2.db" --sheet 汇总 "$T/form.xls" 2>&1)
[ $? = 64 ] && grep -qF "form.xls: no sheet named '汇总'" <<<"$out" && ok || bad ".xls --sheet missing: $out"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
