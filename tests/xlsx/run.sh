#!/usr/bin/env bash
# run.sh — the workbook as it prints (README, "Reports"): the 2021 Longxian
# sample with 2020 scored first (so it has a rank change), written as .xlsx
# and read back with check.py: every sheet's XML (page setup, print titles,
# frozen panes, the title row, wrapped section heads with their points,
# cell types and number formats, one sign for deductions, the autofilter
# exactly over the data, the page header and footer).
#   tests/xlsx/run.sh            KP_BIN: the binary (default ./kaoping)
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
db=$tmp/k.db
kp() { "$bin" "$@" --db "$db" --quiet >/dev/null 2>>"$tmp/err"; }
kp import --year 2020 samples/2020/*.csv && kp score --year 2020 rules/2021-fazhi.lua &&
	kp import --year 2021 samples/2021/*.csv && kp score rules/2021-fazhi.lua &&
	kp report -o "$tmp/r.xlsx" && kp report --format json -o "$tmp/r.json" ||
	{ echo "FAIL: kaoping: $(cat "$tmp/err")"; exit 1; }
exec python3 tests/xlsx/check.py "$tmp/r.xlsx" "$tmp/r.json"
