#!/usr/bin/env bash
# browser-report.sh — the sample HTML report in a real browser (issue 4):
# render build/demo's report with headless Chromium and check it.
set -u
cd "$(dirname "$0")/.."
KP=${KP_BIN:-./kaoping}
dir=build/browser
mkdir -p "$dir"
$KP run rules/2021-fazhi.lua samples/2021/*.csv --format html -o "$dir/sample.html" --quiet || exit 1
exec tests/browser.sh "$dir/sample.html"
