#!/usr/bin/env bash
# tests/template/run.sh — kaoping template (the forms for the reporting
# offices) on the sample rules:
#   - the CSV forms and their 说明.txt, compared whole with golden/csv/;
#   - the XLSX forms: the data sheet, the 说明 sheet, the shared strings and
#     the header comments of two forms, compared whole with golden/xlsx/;
#   - the round trip: each blank CSV form filled by tests/template/fill.lua
#     from samples/2021 (as an office would), imported, scored: the report
#     is the one the sample CSV files give;
#   - --db prefills the unit rows; an existing form is refused unless
#     --replace; a rule file without data declarations keeps every column
#     on the unit form; the declarations' errors name their line.
# KP_UPDATE_GOLDEN=1 rewrites the golden files.  Prints "N passed, N
# failed"; exits 1 when a check failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
export LC_ALL=C
ROOT=$PWD
KP=${KP_BIN:-./kaoping}
case $KP in /*) ;; *) KP=$ROOT/$KP ;; esac
RULES=$ROOT/rules/2021-fazhi.lua
G=$ROOT/tests/template/golden
D=$(mktemp -d) || exit 2
trap 'rm -rf "$D"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
bad() { failed=$((failed + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && echo "$2" | head -20 | sed 's/^/      /'; }
t_eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:      $2
expected: $3"; fi; }
t_true() { local n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }

# ---- CSV forms, golden whole ----
"$KP" template "$RULES" -o "$D/csv" --format csv 2>"$D/err"
t_eq "csv: exit 0" "$?" 0
t_eq "csv: says what it wrote" "$(cat "$D/err")" "kaoping: 14 forms for $RULES written under $D/csv/ (csv, each with its 说明.txt)"
if [ "${KP_UPDATE_GOLDEN:-}" = 1 ]; then rm -rf "$G/csv" && mkdir -p "$G" && cp -r "$D/csv" "$G/csv"; fi
t_true "csv: forms and notes as golden/csv (whole)" diff -r "$G/csv" "$D/csv"
t_eq "csv: a folder per office, the file stem the dataset" "$(cd "$D/csv" && find . -name '*.csv' | sort | tr '\n' ' ')" \
	"./县司法局公共法律服务股/falv_guwen.csv ./县司法局执法监督股/case_reviews.csv ./县司法局行政复议股/reconsiderations.csv ./县司法局行政应诉股/lawsuits.csv ./县司法局行政执法协调监督股/zhifa_jiandu.csv ./县委依法治县办/yifazhixian_ban.csv ./县委网信办/xinmeiti.csv ./县审计局/shenji.csv ./县市场监督管理局/shuangsuiji.csv ./县政府办公室/zhengwu_gongkai.csv ./县政府督查室/renda_zhengxie.csv ./县目标责任考核办/kaohe_ban.csv ./县目标责任考核办/units.csv ./县行政审批服务局/xingzheng_shenpi.csv "
t_eq "csv: a blank form is its header only" "$(wc -l <"$D/csv/县司法局行政应诉股/lawsuits.csv" | tr -d ' ')" 1

# ---- XLSX forms: sheets and comments ----
"$KP" template "$RULES" -o "$D/xlsx" --quiet
t_eq "xlsx: exit 0 (the default format)" "$?" 0
t_eq "xlsx: 14 workbooks" "$(find "$D/xlsx" -name '*.xlsx' | wc -l | tr -d ' ')" 14
for form in 县目标责任考核办/units 县司法局行政应诉股/lawsuits; do
	stem=${form#*/}
	for part in worksheets/sheet1.xml worksheets/sheet2.xml sharedStrings.xml comments1.xml workbook.xml; do
		name=$stem.${part##*/}
		unzip -p "$D/xlsx/$form.xlsx" "xl/$part" >"$D/$name"
		[ "${KP_UPDATE_GOLDEN:-}" = 1 ] && mkdir -p "$G/xlsx" && cp "$D/$name" "$G/xlsx/$name"
		t_true "xlsx: $stem $part as golden" cmp -s "$G/xlsx/$name" "$D/$name"
	done
done
t_true "xlsx: the data sheet is first, named 填报, then 说明" grep -q '<sheet name="填报" sheetId="1" r:id="rId1"/><sheet name="说明" sheetId="2"' "$D/units.workbook.xml"
t_eq "xlsx: a comment on each header cell of units" "$(grep -o '<comment ref="[A-Z]*1"' "$D/units.comments1.xml" | wc -l | tr -d ' ')" 7
t_true "xlsx: the events' data sheet holds only the header (the example is on 说明)" \
	sh -c "! grep -q '<row r=\"2\"' '$D/lawsuits.sheet1.xml' && grep -q '示例行' '$D/lawsuits.sharedStrings.xml'"

# ---- round trip: fill the blank CSV forms from the samples, import, score ----
mkdir "$D/s" "$D/filled"
for f in "$ROOT"/samples/2021/*.csv; do
	if iconv -f utf-8 -t utf-8 "$f" >/dev/null 2>&1; then cp "$f" "$D/s/"; else iconv -f gb18030 -t utf-8 "$f" >"$D/s/${f##*/}"; fi
done
fill_ok=1
while read -r f; do
	lua5.4 "$ROOT/tests/template/fill.lua" "$f" "$D/s" >"$D/filled/${f##*/}" || fill_ok=0
done < <(find "$D/csv" -name '*.csv')
t_eq "round trip: every form filled" "$fill_ok" 1
(cd "$D" && "$KP" import --db k.db --year 2021 --quiet filled/*.csv)
t_eq "round trip: the filled forms import as they are" "$?" 0
(cd "$D" && "$KP" score "$RULES" --db k.db --format csv --quiet >from-forms.csv)
t_eq "round trip: score exits 0" "$?" 0
"$KP" run "$RULES" "$ROOT"/samples/2021/*.csv --format csv >"$D/from-samples.csv"
t_true "round trip: the report equals the one from the sample CSV files" cmp "$D/from-samples.csv" "$D/from-forms.csv"
t_eq "round trip: 38 units ranked" "$(wc -l <"$D/from-forms.csv" | tr -d ' ')" 39
(cd "$D" && "$KP" report --db k.db --format json --quiet >forms.json)
"$KP" run "$RULES" "$ROOT"/samples/2021/*.csv --format json --items >"$D/samples.json"
(cd "$D" && "$KP" score "$RULES" --db k.db --format json --items --quiet >forms-items.json)
t_true "round trip: every item's points and notes equal (json --items)" cmp "$D/samples.json" "$D/forms-items.json"

# ---- --db: the unit rows prefilled ----
(cd "$D" && "$KP" import --db u.db --year 2021 --quiet "$ROOT/samples/2021/units.csv")
"$KP" template "$RULES" --db "$D/u.db" -o "$D/pre" --format csv --quiet
t_eq "prefill: exit 0" "$?" 0
t_eq "prefill: the unit form has 38 units after its header" "$(sed -n '2p;39p' "$D/pre/县目标责任考核办/units.csv" | tr '\r\n' '| ')" \
	"Z01,城关镇,镇,,,,| B28,工信局,部门,,,,| "
t_eq "prefill: a data form the ids only" "$(sed -n 2p "$D/pre/县审计局/shenji.csv" | tr -d '\r')" "Z01,,"
t_eq "prefill: an events form no rows" "$(wc -l <"$D/pre/县司法局执法监督股/case_reviews.csv" | tr -d ' ')" 1
"$KP" template "$RULES" --db "$D/u.db" --year 2020 -o "$D/pre20" --format csv 2>"$D/err"
t_eq "prefill: a year with no imports is 65" "$?" 65
t_true "prefill: nothing written for it" test ! -e "$D/pre20"
"$KP" template "$RULES" --db "$D/u.db" -o "$D/pre" --format xlsx --quiet
unzip -p "$D/pre/县目标责任考核办/units.xlsx" xl/sharedStrings.xml >"$D/pre.ss"
t_true "prefill xlsx: unit names in the workbook" grep -q "工信局" "$D/pre.ss"

# ---- the round trip as workbooks (issue 13 point 2) ----
# The prefilled .xlsx form, as template writes it (comments on the header,
# a 说明 sheet after the data), imports as it is, with the rows of the CSV form.
(cd "$D" && "$KP" import --db px.db --year 2021 --quiet "pre/县目标责任考核办/units.xlsx")
t_eq "xlsx round trip: the prefilled .xlsx form imports as it is" "$?" 0
"$KP" template "$RULES" --db "$D/u.db" -o "$D/prec" --format csv --quiet
(cd "$D" && "$KP" import --db pc.db --year 2021 --quiet "prec/县目标责任考核办/units.csv")
t_eq "xlsx round trip: 38 unit rows from the .xlsx form" "$(sqlite3 "$D/px.db" 'SELECT count(*) FROM "2021/units"')" 38
t_eq "xlsx round trip: the .xlsx form gives the CSV form's rows" \
	"$(sqlite3 "$D/px.db" "SELECT * FROM \"2021/units\" ORDER BY 1" | md5sum)" \
	"$(sqlite3 "$D/pc.db" "SELECT * FROM \"2021/units\" ORDER BY 1" | md5sum)"
# The filled forms saved as workbooks (one .xlsx each) import and score as
# the filled CSV forms do.
mkdir "$D/filled-xlsx"
for f in "$D"/filled/*.csv; do
	python3 "$ROOT/tests/workbooks/mkxlsx.py" csv "$f" "$D/filled-xlsx/$(basename "$f" .csv).xlsx" || fill_ok=0
done
(cd "$D" && "$KP" import --db kx.db --year 2021 --quiet filled-xlsx/*.xlsx &&
	"$KP" score "$RULES" --db kx.db --format csv --quiet >from-xlsx-forms.csv)
t_eq "xlsx round trip: the filled forms as workbooks import and score" "$?" 0
t_true "xlsx round trip: the report equals the one from the sample CSV files" cmp "$D/from-samples.csv" "$D/from-xlsx-forms.csv"

# ---- an existing form: refused, --replace writes over it ----
printf 'filled\n' >"$D/csv/县审计局/shenji.csv"
"$KP" template "$RULES" -o "$D/csv" --format csv 2>"$D/err"
t_eq "existing: refused with 73" "$?" 73
t_eq "existing: the filled form kept" "$(cat "$D/csv/县审计局/shenji.csv")" filled
"$KP" template "$RULES" -o "$D/csv" --format csv --replace --quiet
t_eq "existing: --replace exits 0" "$?" 0
t_true "existing: --replace wrote the blank form again" diff -r "$G/csv" "$D/csv"

# ---- a rule file without data declarations: every column on the unit form ----
"$KP" template "$ROOT/rules/2024-koufen.lua" -o "$D/kf" --format csv 2>"$D/err"
t_eq "no declarations: exit 0" "$?" 0
t_eq "no declarations: one form, the unit table" "$(cd "$D/kf" && ls | tr '\n' ' ')" "units.csv units.说明.txt "
t_eq "no declarations: every column a helper reads on the unit form" "$(head -1 "$D/kf/units.csv" | tr -d '\r')" \
	"$(printf '\357\273\277')单位代码,单位名称,类别,有年度工作方案,方案已报备,主要负责人述法,信息迟报次数,信息漏报次数,未审核文件件数,逾期报备件数,开展文件清理,建立决策目录,未审查决策件数,落实普法责任制,学法考试参考率,执法过错件数,不合格案卷数,复议纠错件数,诉讼败诉件数,未按期公示次数,未持证人数,投诉逾期件数,上级表彰,经验被推广,发生重大执法过错"
t_true "no declarations: a note that rule functions' columns are not known" grep -q "rule functions read columns the forms cannot know" "$D/err"

# ---- usage ----
"$KP" template "$RULES" --format html -o "$D/h" 2>"$D/err"
t_eq "usage: --format html is 64" "$?" 64
t_true "usage: --help answers" sh -c "'$KP' template --help | grep -q 'kaoping template RULES'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
