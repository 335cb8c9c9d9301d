#!/bin/sh
# demo.sh — what `make demo` shows: Longxian County's 2021 law-based
# administration assessment, from the offices' CSV files to the printed
# commendation list, with 2020 scored first so the reports show rank change.
set -eu
cd "$(dirname "$0")/.."
KP=${KP_BIN:-./kaoping}
DB=demo.db
OUT=build/demo
RULES=rules/2021-fazhi.lua

rm -f "$DB" "$DB-wal" "$DB-shm"
mkdir -p "$OUT"
echo "== 1. import the 2020 figures and score them (for the rank change)"
$KP import --db "$DB" --year 2020 samples/2020/*.csv
$KP score --db "$DB" --year 2020 "$RULES" --quiet > /dev/null
echo
echo "== 2. import the 2021 figures (renda_zhengxie.csv is GB18030, as WPS saves it)"
$KP import --db "$DB" --year 2021 samples/2021/*.csv
echo
echo "== 3. the rule file's own test cases"
$KP test "$RULES"
echo
echo "== 4. score 2021: the ranking per category and the commendation list"
$KP score --db "$DB" "$RULES"
echo
echo "== 5. every point of one unit"
$KP explain --db "$DB" 城关镇
echo
echo "== 6. the reports for the meeting"
$KP report --db "$DB" --format html -o "$OUT/2021-fazhi.html"
$KP report --db "$DB" --format xlsx -o "$OUT/2021-fazhi.xlsx"
$KP report --db "$DB" --format json -o "$OUT/2021-fazhi.json"
$KP criteria "$RULES" --format md -o "$OUT/criteria.md"
$KP criteria "$RULES" -o "$OUT/criteria.html"
echo
echo "== 7. the draft commendation notice (通报表彰)"
$KP notice --db "$DB" -o "$OUT/notice.docx" && $KP notice --db "$DB" -o "$OUT/notice.md"
echo
echo "Reports: $OUT/2021-fazhi.html (print it: A4), $OUT/2021-fazhi.xlsx, $OUT/2021-fazhi.json, $OUT/criteria.md, $OUT/criteria.html"
echo "Notice: $OUT/notice.docx, $OUT/notice.md"
echo "Database: $DB (open it with sqlite3 demo.db)"
