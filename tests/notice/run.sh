#!/usr/bin/env bash
# tests/notice/run.sh — the commendation notice and the published criteria:
#   * kaoping notice on the 2021 samples as md and html, compared whole with
#     sample-notice.md and sample-notice.html (the built-in template);
#   * --template custom.tmpl (every placeholder and block) on origin.lua's
#     run, compared whole with custom.md and custom.html (escapes too);
#   * bad templates (unknown placeholder, unclosed block, a block closed out
#     of order, a placeholder outside its block, {{table}} inside a line,
#     "{{" without "}}", not UTF-8): 65 with FILE:LINE, nothing written;
#   * the rule file must be the run's (SHA-256), RULES or the recorded path;
#   * DOCX: every part parsed with python3's xml module, the text and the
#     Chinese fonts checked; read by pandoc and converted to PDF by
#     LibreOffice when they are installed (skipped visibly otherwise);
#   * criteria with 依据 and 考核科室 (origin.lua) as table and html, whole,
#     and not on rules without them; check's warning for an indicator a
#     function scores without desc.
#   KP_UPDATE_GOLDEN=1 rewrites the golden files.  Ends "N passed, N failed".
set -u
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
ROOT=$PWD
HERE=$ROOT/tests/notice
KP=${KP_BIN:-./kaoping}
case $KP in /*) ;; *) KP=$ROOT/$KP ;; esac
T=$(mktemp -d "${TMPDIR:-/tmp}/kp_notice.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok    $1"; }
no() { failed=$((failed + 1)); echo "FAIL  $1"; }

# golden NAME FILE: FILE equals $HERE/NAME byte for byte
golden() {
	[ -n "${KP_UPDATE_GOLDEN:-}" ] && cp "$2" "$HERE/$1" && echo "wrote $HERE/$1"
	if cmp -s "$2" "$HERE/$1"; then ok "$1 whole"
	else no "$1 differs:"; diff -u "$HERE/$1" "$2" | head -n 30 | sed 's/^/      /'; fi
}

# expect NAME CODE TEXT CMD...: CMD exits CODE and its stderr holds TEXT
expect() {
	local name=$1 code=$2 text=$3 rc
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq "$code" ] && grep -qF -- "$text" "$T/err"; then ok "$name"
	else no "$name: exit $rc, stderr: $(head -c 300 "$T/err")"; fi
}

# ---------- the samples, the built-in template ----------
DB=$T/s.db
"$KP" import --quiet --db "$DB" --year 2021 samples/2021/*.csv || no "import the 2021 samples"
"$KP" score --quiet --db "$DB" rules/2021-fazhi.lua >/dev/null || no "score the 2021 samples"
"$KP" notice --db "$DB" >"$T/n.md" 2>"$T/err" && ok "notice (md) exits 0" || no "notice: $(cat "$T/err")"
golden sample-notice.md "$T/n.md"
"$KP" notice --db "$DB" --quiet -o "$T/n.html" && golden sample-notice.html "$T/n.html" || no "notice -o x.html"
"$KP" notice --db "$DB" --format html >"$T/n2.html" && cmp -s "$T/n.html" "$T/n2.html" && ok "--format html = -o x.html" \
	|| no "--format html and -o x.html differ"
grep -q '对2021年度\|2个镇、9个部门' "$T/n.md" && ok "counts by category: 2个镇、9个部门" || no "counts by category"
"$KP" notice --help >"$T/out" && grep -q 'usage: kaoping notice' "$T/out" && ok "notice --help" || no "notice --help"

# ---------- the rule file must be the run's ----------
cp rules/2021-fazhi.lua "$T/changed.lua" && echo '-- changed' >>"$T/changed.lua"
expect "another rule file is refused" 65 "is not the rule file run 1 was scored with" "$KP" notice --db "$DB" "$T/changed.lua"
"$KP" notice --db "$DB" rules/2021-fazhi.lua >"$T/n3.md" && cmp -s "$T/n.md" "$T/n3.md" && ok "RULES given: the same notice" \
	|| no "RULES given: a different notice"
(cd "$T" && "$KP" notice --db s.db >/dev/null 2>err; echo $? >rc)
[ "$(cat "$T/rc")" = 66 ] && grep -q 'the rule file run 1 was scored with' "$T/err" && ok "recorded path gone: 66, says which file" \
	|| no "recorded path gone: exit $(cat "$T/rc"), $(cat "$T/err")"

# ---------- formats and names ----------
expect "--format pdf refused" 64 "md, html or docx" "$KP" notice --db "$DB" --format pdf
expect "-o x.pdf refused" 64 ".md, .html (.htm) or .docx" "$KP" notice --db "$DB" -o "$T/x.pdf"
[ ! -e "$T/x.pdf" ] && ok "-o x.pdf: nothing written" || no "-o x.pdf: a file was written"
expect "report --format docx still refused" 64 "is not one of" "$KP" report --db "$DB" --format docx
expect "--template of another command refused" 64 "does not take '--template'" "$KP" report --db "$DB" --template x

# ---------- a custom template ----------
ODB=$T/o.db
"$KP" run tests/notice/origin.lua tests/notice/units.csv --db "$ODB" --quiet >/dev/null || no "score origin.lua"
"$KP" notice --db "$ODB" --template tests/notice/custom.tmpl >"$T/c.md" && golden custom.md "$T/c.md" || no "custom template (md)"
"$KP" notice --db "$ODB" --template tests/notice/custom.tmpl --format html >"$T/c.html" && golden custom.html "$T/c.html" \
	|| no "custom template (html)"

# nobody commended (every unit vetoed): the built-in template says so
"$KP" run tests/notice/origin.lua tests/notice/units-vetoed.csv --db "$T/v.db" --quiet >/dev/null || no "score units-vetoed.csv"
"$KP" notice --db "$T/v.db" >"$T/v.md" && grep -qF '经综合考评，本年度没有单位达到表彰条件。' "$T/v.md" && ! grep -q '个单位予以通报表彰' "$T/v.md" \
	&& [ "$(grep -c '^| ' "$T/v.md")" = 2 ] && ok "nobody commended: said so, the table only its header" || no "nobody commended"

# the example of docs/RULES.md renders
sed -n '/^## The notice template/,$p' docs/RULES.md | sed -n '/^```text$/,/^```$/p' | sed '1d;$d' >"$T/doc.tmpl"
"$KP" notice --db "$DB" --template "$T/doc.tmpl" >"$T/doc.md" 2>"$T/err" && grep -qF '对2021年度工作成绩显著的2个镇、9个部门予以通报表彰' "$T/doc.md" \
	&& grep -qF '| 镇 | 1 | 城关镇 | 101.89 | 优秀 |' "$T/doc.md" && ok "the example of docs/RULES.md renders" \
	|| no "the example of docs/RULES.md: $(cat "$T/err")"
"$KP" notice --db "$DB" --format docx >"$T/p.docx" && cmp -s "$T/p.docx" <("$KP" notice --db "$DB" --format docx) \
	&& ok "docx to a pipe, the same bytes each time" || no "docx to a pipe"

# ---------- bad templates ----------
bad() { # bad NAME LINE-TEXT TEMPLATE-TEXT
	printf '%b' "$3" >"$T/bad.tmpl"
	expect "bad template: $1" 65 "$T/bad.tmpl:$2" "$KP" notice --db "$ODB" --template "$T/bad.tmpl" -o "$T/bad.md"
	[ ! -e "$T/bad.md" ] && ok "bad template: $1: nothing written" || no "bad template: $1: a file was written"
}
bad "unknown placeholder" "3: unknown placeholder {{titel}}" '# x\n\n{{titel}}\n'
bad "unclosed block" "2: {{#categories}} is not closed ({{/categories}})" '# x\n{{#categories}}\n{{category}}\n'
bad "closed out of order" "3: {{/categories}} closes {{#units}} of line 2" '{{#categories}}\n{{#units}}\n{{/categories}}\n{{/units}}\n'
bad "close without open" "1: {{/office}} closes no open block" '{{/office}}\n'
bad "unit outside units" "1: {{rank}} means something only inside {{#units}}" '{{rank}}\n'
bad "categories as a value" "1: {{categories}} is a block" 'x {{categories}}\n'
bad "categories in categories" "2: {{#categories}} inside {{#categories}}" '{{#categories}}\n{{#categories}}\n{{/categories}}\n{{/categories}}\n'
bad "table inside a line" "2: {{table}} stands alone on its line" '# x\nsee {{table}}\n'
bad "braces not closed" "2: '{{' is not closed by '}}'" '# x\n{{title\n'
bad "not UTF-8" "1: not UTF-8" '\xb9\xd8\xd3\xda {{title}}\n'
bad "a NUL byte" "2: a NUL byte" 'x\ny\x00z\n'
expect "a missing template: 66" 66 "$T/none.tmpl" "$KP" notice --db "$ODB" --template "$T/none.tmpl"
expect "-o onto the template refused" 64 "is the template" "$KP" notice --db "$ODB" --template "$T/bad.tmpl" --format md -o "$T/bad.tmpl"

# ---------- DOCX ----------
"$KP" notice --db "$DB" --quiet -o "$T/n.docx" && ok "notice -o x.docx exits 0" || no "notice -o x.docx"
if python3 - "$T/n.docx" <<'PY'
import sys, zipfile, xml.dom.minidom as m
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
need = ["[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels", "word/document.xml", "word/styles.xml"]
assert names == need, names
docs = {n: m.parseString(z.read(n)) for n in names}   # every part is well-formed XML
d = docs["word/document.xml"]
paras = ["".join(t.firstChild.data if t.firstChild else "" for t in p.getElementsByTagName("w:t"))
         for p in d.getElementsByTagName("w:p")]
assert paras[0] == "关于对陇县2021年度依法行政工作目标责任考核成绩显著单位予以通报表彰的通报", paras[0]
styles = [p.getElementsByTagName("w:pStyle")[0].getAttribute("w:val") if p.getElementsByTagName("w:pStyle") else ""
          for p in d.getElementsByTagName("w:p")]
assert styles[0] == "Title" and "Heading1" in styles
assert styles[paras.index("陇县司法局")] == "Right" and styles[paras.index("2021年  月  日")] == "Right"
assert any("2个镇、9个部门" in p for p in paras)
assert "部门（9个）：市场监督管理局、司法局、行政审批局、公安局、交通运输局、农业农村局、政府办、文旅局、林业局" in paras
tbl = d.getElementsByTagName("w:tbl")
assert len(tbl) == 1
rows = [["".join(t.firstChild.data for t in c.getElementsByTagName("w:t") if t.firstChild) for c in r.getElementsByTagName("w:tc")]
        for r in tbl[0].getElementsByTagName("w:tr")]
assert rows[0] == ["类别", "名次", "单位", "总分", "等次"], rows[0]
assert rows[1] == ["镇", "1", "城关镇", "101.89", "优秀"], rows[1]
assert len(rows) == 12, len(rows)
fonts = {f.getAttribute("w:eastAsia") for f in docs["word/styles.xml"].getElementsByTagName("w:rFonts")}
assert {"仿宋", "宋体", "黑体"} <= fonts, fonts
ct = docs["[Content_Types].xml"].getElementsByTagName("Override")
assert any(o.getAttribute("PartName") == "/word/document.xml" for o in ct)
PY
then ok "docx: every part parses, text, table and fonts as written"; else no "docx: the parts do not check"; fi
# escapes: origin.lua's title has < > & " in it
"$KP" notice --db "$ODB" --quiet -o "$T/o.docx" --template tests/notice/custom.tmpl && python3 - "$T/o.docx" <<'PY' \
	&& ok "docx: the title's < > & \" escaped and read back" || no "docx escapes"
import sys, zipfile, xml.dom.minidom as m
d = m.parseString(zipfile.ZipFile(sys.argv[1]).read("word/document.xml"))
t = "".join(x.firstChild.data for x in d.getElementsByTagName("w:t") if x.firstChild)
assert '某县2021年度<目标>责任考核 & "测试"（第1次评分）' in t, t[:200]
PY
# another reader: pandoc takes the Title style for the title, Heading1 for a heading, the table as one
if command -v pandoc >/dev/null 2>&1; then
	pandoc -s -f docx -t markdown "$T/n.docx" >"$T/pandoc.md" 2>"$T/err" \
		&& grep -qF 'title: 关于对陇县2021年度依法行政工作目标责任考核成绩显著单位予以通报表彰的通报' "$T/pandoc.md" \
		&& grep -q '^# 附件：受表彰单位名单' "$T/pandoc.md" && grep -qE '^ *部门 +10 +林业局 +87\.70 +良好' "$T/pandoc.md" \
		&& ok "docx: pandoc reads the title, the heading and the table" || no "docx: pandoc reads it otherwise: $(head -c 300 "$T/err")"
else
	skipped=$((skipped + 1)); echo "SKIP  docx read by pandoc: pandoc is not installed"
fi
if command -v soffice >/dev/null 2>&1; then
	(cd "$T" && timeout 120 soffice --headless --convert-to pdf n.docx >/dev/null 2>&1)
	[ -s "$T/n.pdf" ] && ok "docx: LibreOffice converts it to PDF" || no "docx: LibreOffice could not convert it"
else
	skipped=$((skipped + 1)); echo "SKIP  docx -> pdf: soffice (LibreOffice) is not installed"
fi

# ---------- criteria: 依据 and 考核科室; html ----------
"$KP" criteria tests/notice/origin.lua >"$T/cr.txt" && golden origin-criteria.txt "$T/cr.txt" || no "criteria origin.lua"
"$KP" criteria tests/notice/origin.lua -o "$T/cr.html" --quiet && golden origin-criteria.html "$T/cr.html" || no "criteria -o x.html"
"$KP" criteria tests/notice/origin.lua --format csv | head -n 1 | grep -q '评分标准,依据,考核科室' && ok "criteria csv: the two columns" \
	|| no "criteria csv: the two columns"
"$KP" criteria rules/2021-fazhi.lua | grep -q '依据\|考核科室' && no "criteria without basis/office shows the columns" \
	|| ok "criteria without basis/office: no such columns"
"$KP" criteria rules/2021-fazhi.lua --format html | grep -q '<th>评分标准</th></tr>' && ok "criteria html: five columns" \
	|| no "criteria html: five columns"

# ---------- check: a function without desc ----------
expect "check warns of 主动公开 (no desc)" 0 "warning: tests/notice/origin.lua:22: indicator '主动公开' is scored by a function and has no desc" \
	"$KP" check tests/notice/origin.lua
grep -q '依申请公开' "$T/err" && no "check warned of 依申请公开, which has desc" || ok "no warning for an indicator with desc"
grep -q '^ok$' "$T/out" && ok "check still says ok" || no "check still says ok"
"$KP" check rules/2021-fazhi.lua 2>&1 | grep -q warning && no "check warns on the samples" || ok "no warning on the samples"

echo "$passed passed, $failed failed${skipped:+, $skipped skipped}"
[ $failed -eq 0 ]
