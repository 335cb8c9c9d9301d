#!/usr/bin/env bash
# sheets.sh — the unit sheets of `kaoping explain --all` (一单位一表) as
# golden tests.  On the 2021 samples (2020 scored first, for rank change),
# run from the repository root as make demo does:
#   - the file names of all 38 sheets (tests/golden/sheets/samples/names.txt),
#     the same in every format;
#   - md, html and json sheets of Z01 城关镇 (commended, rank change, bonus,
#     a rescaling remark), B07 自然资源局 (vetoed) and Z10 新集川镇 (a
#     deduction), compared whole with tests/golden/sheets/samples/;
#   - the xlsx sheet of Z01 unzipped: A4, fit to one page, its title, unit,
#     total as a number and a data row's file;
#   - the html sheet of B02 printed by headless Chromium (when there): one
#     A4 page, its text extractable;
# on the golden case basis (tests/golden/e2e/basis, run in its folder):
#   - every sheet in md, html and json compared whole with
#     tests/golden/sheets/basis/ (the items' basis and office, the
#     assessment's office, event rows on several lines);
# and the behaviour around them: sheets already there are not written over
# (73, nothing changed) unless --replace, --run and --lang are followed,
# formats other than md, html,
# json and xlsx are refused (64), a UNIT with --all is refused (64), -o
# naming a file is 73, and a run whose rule file is gone still gets every
# sheet, with a note, without basis, office or data rows.
#
#   KP_BIN=...               the binary under test (default ./kaoping)
#   KP_UPDATE_GOLDEN=1       rewrite the golden files from the output
# Prints "N passed, N failed"; exits non-zero when a check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
export LC_ALL=C
root=$PWD
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
gold=tests/golden/sheets
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok    $1"; }
no() { fail=$((fail + 1)); echo "FAIL  $1"; }

# same FILE GOT: compare whole (or rewrite the golden file)
same() {
	if [ -n "${KP_UPDATE_GOLDEN:-}" ]; then
		mkdir -p "$(dirname "$1")" && cp "$2" "$1" && echo "wrote $1"
	fi
	if cmp -s "$1" "$2"; then
		ok "$1"
	else
		no "$1 differs:"
		diff -u "$1" "$2" | head -n 20 | sed 's/^/      /'
	fi
}

db=$tmp/d.db
{ "$bin" import --quiet --db "$db" --year 2020 samples/2020/*.csv &&
	"$bin" score --quiet --db "$db" --year 2020 rules/2021-fazhi.lua >/dev/null &&
	"$bin" import --quiet --db "$db" --year 2021 samples/2021/*.csv &&
	"$bin" score --quiet --db "$db" rules/2021-fazhi.lua >/dev/null; } || { no "the sample runs"; exit 1; }

# ---------- the samples ----------
for f in md html json xlsx; do
	"$bin" explain --all --db "$db" -o "$tmp/s-$f" --format "$f" --quiet || no "explain --all --format $f: exit $?"
done
ls "$tmp/s-md" >"$tmp/names.txt"
same $gold/samples/names.txt "$tmp/names.txt"
for f in html json xlsx; do
	if [ "$(ls "$tmp/s-$f" | sed "s/\.$f\$//")" = "$(sed 's/\.md$//' "$tmp/names.txt")" ]; then
		ok "the $f sheets have the names of the md sheets"
	else
		no "the $f sheets are named otherwise than the md sheets"
	fi
done
for u in Z01-城关镇 B07-自然资源局 Z10-新集川镇; do
	for f in md html json; do
		same "$gold/samples/$u.$f" "$tmp/s-$f/$u.$f"
	done
done
x=$tmp/s-xlsx/Z01-城关镇.xlsx
sheet=$(unzip -p "$x" xl/worksheets/sheet1.xml 2>/dev/null)
strings=$(unzip -p "$x" xl/sharedStrings.xml 2>/dev/null)
case $sheet in *'<pageSetUpPr fitToPage="1"/>'*'paperSize="9"'*) ok "xlsx: A4, fit to one page" ;; *) no "xlsx: page setup" ;; esac
case $sheet in *'<v>101.89</v>'*) ok "xlsx: the total is a number" ;; *) no "xlsx: the total 101.89 as a number" ;; esac
for want in 陇县2021年度依法行政工作目标责任考核 城关镇 考核得分表 会前学法 samples/2021/yifazhixian_ban.csv 数据来源; do
	case $strings in *"$want"*) ok "xlsx: has '$want'" ;; *) no "xlsx: lacks '$want'" ;; esac
done
[ "$(ls "$tmp/s-json" | wc -l)" = 38 ] && ok "38 sheets, no temporary file left" || no "not 38 files in the folder"

# the HTML sheet in a browser (when Chromium and poppler are there): A4,
# one page for a unit whose data fits (B02), its text extractable
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ] && command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null; then
	pdf=$tmp/B02.pdf
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync --user-data-dir="$tmp/profile" --no-pdf-header-footer \
		--print-to-pdf="$pdf" "file://$tmp/s-html/B02-林业局.html" >/dev/null 2>&1
	info=$(pdfinfo "$pdf" 2>/dev/null)
	case $info in *"Pages:           1"*"(A4)"*) ok "html: B02's sheet prints on one A4 page" ;;
	*) no "html: B02's sheet is not one A4 page: $(echo "$info" | grep -E 'Pages|size' | tr '\n' ' ')" ;; esac
	text=$(pdftotext -enc UTF-8 "$pdf" - 2>/dev/null)
	case $text in *林业局*考核得分表*数据来源*) ok "html: the printed sheet's text" ;; *) no "html: the printed sheet's text" ;; esac
else
	echo "skip  html in a browser: no chromium or poppler-utils here"
fi

# ---------- the basis case ----------
case_dir=tests/golden/e2e/basis
(cd $case_dir && "$bin" run rules.lua *.csv --db "$tmp/b.db" --quiet >/dev/null) || no "basis: run"
for f in md html json; do
	(cd $case_dir && "$bin" explain --all --db "$tmp/b.db" -o "$tmp/b-$f" --format "$f" --quiet) || no "basis: explain --all --format $f"
	for s in "$tmp/b-$f"/*; do
		same "$gold/basis/${s##*/}" "$s"
	done
done

# ---------- behaviour ----------
out=$tmp/s-md
before=$(cd "$out" && sha256sum * | sha256sum)
"$bin" explain --all --db "$db" -o "$out" --format md >/dev/null 2>"$tmp/err"
rc=$?
after=$(cd "$out" && sha256sum * | sha256sum)
[ $rc = 73 ] && grep -qF 'is there already' "$tmp/err" && [ "$before" = "$after" ] &&
	[ "$(ls -A "$out" | wc -l)" = 38 ] && ok "sheets already there: 73, nothing written" || no "sheets already there (exit $rc)"
"$bin" explain --all --db "$db" -o "$out" --format md --replace --quiet && ok "--replace writes over them" || no "--replace"
"$bin" explain --all --db "$db" --format csv -o "$tmp/x" 2>/dev/null; rc=$?
[ $rc = 64 ] && [ ! -e "$tmp/x" ] && ok "--format csv: 64" || no "--format csv: exit $rc"
"$bin" explain --all --db "$db" Z01 -o "$tmp/x" 2>/dev/null; rc=$?
[ $rc = 64 ] && ok "a UNIT with --all: 64" || no "a UNIT with --all: exit $rc"
: >"$tmp/afile"
"$bin" explain --all --db "$db" -o "$tmp/afile" 2>/dev/null; rc=$?
[ $rc = 73 ] && ok "-o naming a file: 73" || no "-o naming a file: exit $rc"
(cd "$tmp" && "$bin" explain --all --db d.db -o gone --format json) 2>"$tmp/err"; rc=$?
if [ $rc = 0 ] && grep -qF "rules/2021-fazhi.lua: No such file or directory: each item's basis and office" "$tmp/err" &&
	[ "$(ls "$tmp/gone" | wc -l)" = 38 ] && grep -qF '"sources":null' "$tmp/gone/Z01-城关镇.json"; then
	ok "the rule file gone: every sheet, a note, no data rows"
else
	no "the rule file gone (exit $rc)"; sed 's/^/      /' "$tmp/err"
fi
"$bin" explain --all --db "$db" --run 1 --lang en -o "$tmp/r1" --format md --quiet &&
	grep -qx '# 陇县2021年度依法行政工作目标责任考核 year 2020' "$tmp/r1/Z01-城关镇.md" &&
	grep -qF -- '- **Rank**: ' "$tmp/r1/Z01-城关镇.md" && ok "--run 1 --lang en: the 2020 run, English labels" || no "--run 1 --lang en"
"$bin" explain --db "$db" Z01 --format json >"$tmp/one.json" 2>/dev/null &&
	grep -qF '"unit_id":"Z01"' "$tmp/one.json" && ok "explain UNIT still works beside --all" || no "explain UNIT"

# a dataset the run used replaced (import --replace) and another dropped:
# every sheet says their rows are no longer in the database, rather than
# leave them out silently, and nothing of the new import is shown
mkdir -p "$tmp/fix/2021" && sed 's/^Z01,8,/Z01,1,/' samples/2021/yifazhixian_ban.csv > "$tmp/fix/2021/yifazhixian_ban.csv"
"$bin" import --quiet --db "$db" --replace "$tmp/fix/2021/yifazhixian_ban.csv" &&
	"$bin" drop --db "$db" --year 2021 shenji 2>/dev/null || no "replace and drop"
"$bin" explain --all --db "$db" --lang en -o "$tmp/g-md" --format md 2>"$tmp/err" &&
	"$bin" explain --all --db "$db" -o "$tmp/g-json" --format json --quiet || no "explain --all after replace and drop"
rep='The rows of dataset yifazhixian\_ban (file samples/2021/yifazhixian\_ban.csv) that this run used are no longer in the database: it was replaced on '
drp='The rows of dataset shenji (file samples/2021/shenji.csv) that this run used are no longer in the database: it was dropped on '
[ "$(grep -lF "$rep" "$tmp"/g-md/*.md | wc -l)" = 38 ] && [ "$(grep -lF "$drp" "$tmp"/g-md/*.md | wc -l)" = 38 ] &&
	ok "replaced and dropped: every md sheet says so" || no "replaced and dropped: md sheets"
grep -qF "note: samples/2021/yifazhixian_ban.csv: dataset 'yifazhixian_ban', used by run 2, was replaced on " "$tmp/err" &&
	grep -qF "note: samples/2021/shenji.csv: dataset 'shenji', used by run 2, was dropped on " "$tmp/err" &&
	ok "replaced and dropped: a note on stderr for each" || { no "replaced and dropped: the notes"; sed 's/^/      /' "$tmp/err"; }
z=$tmp/g-json/Z01-城关镇.json
if grep -qF '{"dataset":"shenji","file":"samples/2021/shenji.csv","how":"dropped","when":"' "$z" &&
	grep -qF '{"dataset":"yifazhixian_ban","file":"samples/2021/yifazhixian_ban.csv","how":"replaced","when":"' "$z" &&
	[ "$(grep -c '"dataset":"yifazhixian_ban"' "$z")" = 1 ] && grep -qF '"sources":[' "$z"; then
	ok "replaced and dropped: json sources_gone, no row of the new import"
else
	no "replaced and dropped: json"; grep -F 'sources_gone' -A3 "$z" | sed 's/^/      /'
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
