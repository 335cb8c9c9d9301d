#!/usr/bin/env bash
# browser-report.sh — the sample HTML report in a real browser (issue 4):
# render the 2021 sample's report with headless Chromium and check it
# (tests/browser.sh), then check the printed pages: the page count within
# the bound measured for the sample, no page with fewer than MIN_LINES
# lines unless a section ends on it, the title, the issuing office and the
# date of the run on the first page, the commendation list numbered; and
# the --summary page (commendation list, grades, rankings) in a few pages.
set -u
cd "$(dirname "$0")/.."
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
KP=${KP_BIN:-./kaoping}
dir=build/browser
MAX_PAGES=44   # measured: 42 (Chromium, Noto Sans CJK): 4 pages of lists and rankings, one per unit
SUMMARY_PAGES=4 # measured: 3
MIN_LINES=10
mkdir -p "$dir"
$KP run rules/2021-fazhi.lua samples/2021/*.csv --format html -o "$dir/sample.html" --quiet || exit 1
tests/browser.sh "$dir/sample.html"
rc=$?
[ $rc -eq 0 ] || exit $rc
pdf=$dir/report.pdf
fail=0
bad() { echo "FAIL: $*"; fail=1; }
ok() { echo "ok: $*"; }

# the lines of page p of a PDF, blank lines left out
page_lines() { pdftotext -f "$2" -l "$2" -layout "$1" - 2>/dev/null | grep -c '[^[:space:]]'; }
page_first() { pdftotext -f "$2" -l "$2" -layout "$1" - 2>/dev/null | grep -m1 '[^[:space:]]' | sed 's/^[[:space:]]*//'; }
pages() { pdfinfo "$1" 2>/dev/null | sed -n 's/^Pages: *//p'; }

n=$(pages "$pdf")
[ -n "$n" ] && [ "$n" -le $MAX_PAGES ] && ok "$n pages (at most $MAX_PAGES)" || bad "$n pages, more than $MAX_PAGES"

# the h2 headings, as text without spaces: where a section begins
heads=$(grep '<h2>' "$dir/sample.html" | sed 's/<[^>]*>//g; s/&amp;/\&/g; s/[[:space:]]//g')
short=0
for p in $(seq 1 "$n"); do
	lines=$(page_lines "$pdf" "$p")
	[ "$lines" -ge $MIN_LINES ] && continue
	[ "$p" -eq "$n" ] && continue
	next=$(page_first "$pdf" $((p + 1)) | tr -d '[:space:]')
	if printf '%s\n' "$heads" | grep -qxF -- "$next"; then
		continue # a section ends here: the next page starts one
	fi
	bad "page $p has $lines lines and the next page goes on with '$next'"
	short=1
done
[ $short -eq 0 ] && ok "no page under $MIN_LINES lines except where a section ends"

text=$(pdftotext -f 1 -l 1 "$pdf" - 2>/dev/null | tr -d ' ')
today=$(date +%Y年%-m月%-d日)
title=陇县2021年度依法行政工作目标责任考核
case $text in *"$title"*) ok "page 1: the title" ;; *) bad "page 1: no title" ;; esac
case $text in *"发文单位：陇县司法局"*) ok "page 1: the issuing office" ;; *) bad "page 1: no issuing office" ;; esac
case $text in *"评分日期：$today"*) ok "page 1: the date of the run ($today)" ;; *) bad "page 1: no date $today" ;; esac
case $text in *序号*排名*) ok "page 1: the commendation list numbered, the rank in its own column" ;; *) bad "page 1: no 序号" ;; esac
all=$(pdftotext "$pdf" - 2>/dev/null | tr -d ' \n')
case $all in *"SHA-256"*) ok "the rule file's hash in the footer" ;; *) bad "no SHA-256 footer" ;; esac
dom=$dir/report.dom.html
grep -q '<th class="wrap over">一、履行第一责任人职责（15分）</th>' "$dom" && grep -q '<th class="wrap">四、严格规范公正文明执法（30分）</th>' "$dom" &&
	grep -q '<td class="num over">16.67</td>' "$dom" && case $all in *得分高于该项满分*) true ;; *) false ;; esac &&
	ok "section heads with full points; a rescaled section (16.67 of 15) marked ※ and the note printed" ||
	bad "section heads without points or no rescaling note"

# --summary: the lists and rankings only
$KP run rules/2021-fazhi.lua samples/2021/*.csv --format html --summary -o "$dir/summary.html" --quiet || exit 1
timeout 120 "$(command -v chromium || command -v chromium-browser)" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$(mktemp -d)" --no-pdf-header-footer --print-to-pdf="$dir/summary.pdf" \
	"file://$PWD/$dir/summary.html" >/dev/null 2>&1
sn=$(pages "$dir/summary.pdf")
[ -n "$sn" ] && [ "$sn" -le $SUMMARY_PAGES ] && ok "--summary: $sn pages (at most $SUMMARY_PAGES)" || bad "--summary: $sn pages"
grep -q 'class="details"\|<svg' "$dir/summary.html" && bad "--summary has details or charts" || ok "--summary: no details, no charts"
grep -q '<table class="commend">' "$dir/summary.html" && grep -q '<table class="grades">' "$dir/summary.html" &&
	[ "$(grep -c '<table class="ranking"' "$dir/summary.html")" = 2 ] && ok "--summary: commendation list, grades, two rankings" ||
	bad "--summary: a part missing"

[ $fail -eq 0 ] && echo "PASS: browser report" || echo "FAIL: browser report"
exit $fail
