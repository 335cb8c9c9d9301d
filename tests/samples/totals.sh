#!/usr/bin/env bash
# tests/samples/totals.sh — the sample data must agree with the seed report.
#
# Sums the CSVs under samples/2021 with awk (GB18030 files through iconv,
# Excel number formats such as "1,234" and "96.4%" normalised) and checks
# every county-level figure that 陇县2021年法治政府建设工作总结 gives.
# Run from the repository root:  bash tests/samples/totals.sh
# Prints one line per check and "N passed, N failed"; exits 1 on any failure.

set -u
export LC_ALL=C
Y=${SAMPLES_2021:-samples/2021}
P=${SAMPLES_2020:-samples/2020}
pass=0
fail=0
TMP=$(mktemp -d) || exit 2
trap 'rm -rf "$TMP"' EXIT

# ---- CSV → UTF-8 TSV ---------------------------------------------------------
# decode (UTF-8, else GB18030), drop a BOM and CRs, parse RFC 4180 quoting.
CSV_AWK='
function flush() { out = out (nf ? "\t" : "") f; nf++; f = "" }
{
  rec = (pending ? rec "\n" $0 : $0)
  # a record is complete when it holds an even number of quotes
  tmp = rec; nq = gsub(/"/, "", tmp)
  if (nq % 2) { pending = 1; next }
  pending = 0
  out = ""; nf = 0; f = ""; inq = 0
  n = length(rec)
  for (i = 1; i <= n; i++) {
    c = substr(rec, i, 1)
    if (inq) {
      if (c == "\"") {
        if (substr(rec, i + 1, 1) == "\"") { f = f "\""; i++ } else inq = 0
      } else f = f (c == "\t" ? " " : c)
    } else if (c == "\"") inq = 1
    else if (c == ",") flush()
    else f = f c
  }
  flush()
  print out
}'

decode() {
	if iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1; then
		cat "$1"
	else
		iconv -f GB18030 -t UTF-8 "$1"
	fi
}

tsv() {    # tsv FILE → path of the converted TSV (cached)
	local out="$TMP/$(echo "$1" | tr '/' '_').tsv"
	if [ ! -f "$out" ]; then
		decode "$1" | sed '1s/^\xEF\xBB\xBF//' | tr -d '\r' | awk "$CSV_AWK" >"$out"
	fi
	printf '%s\n' "$out"
}

# Column arithmetic. A number cell may be "1,234" or "96.4%" (→ 96.4).
NUM_AWK='
function num(s) { gsub(/^[ ]+|[ ]+$/, "", s); gsub(/,/, "", s); sub(/%$/, "", s); return s + 0 }
function colidx(name,   i) { for (i = 1; i <= NF; i++) if ($i == name) return i
                             print "no column " name > "/dev/stderr"; exit 3 }'

# sum FILE COL [CAT]: sum of a column (optionally only units of category CAT)
sum() {
	local f cat_f
	f=$(tsv "$1")
	cat_f=$(tsv "$Y/units.csv")
	awk -F'\t' -v col="$2" -v cat="${3:-}" "$NUM_AWK"'
		FNR == 1 { if (NR == 1) { ci = colidx("类别"); ii = colidx("单位代码") } else { c = colidx(col); k = colidx("单位代码") } ; next }
		NR == FNR { category[$ii] = $ci; next }
		cat == "" || category[$k] == cat { s += num($c) }
		END { printf "%.10g\n", s }' "$cat_f" "$f"
}

# count FILE COL VALUE: rows whose COL equals VALUE ("*" = every row, "+" = positive number)
count() {
	awk -F'\t' -v col="$2" -v want="$3" "$NUM_AWK"'
		NR == 1 { c = colidx(col); next }
		want == "*" || (want == "+" && num($c) > 0) || $c == want { n++ }
		END { print n + 0 }' "$(tsv "$1")"
}

# distinct FILE COL: number of distinct values
distinct() {
	awk -F'\t' -v col="$2" "$NUM_AWK"'
		NR == 1 { c = colidx(col); next }
		!seen[$c]++ { n++ }
		END { print n + 0 }' "$(tsv "$1")"
}

# cell FILE NAME COL: the COL of the unit called NAME (looked up in units.csv)
cell() {
	awk -F'\t' -v name="$2" -v col="$3" "$NUM_AWK"'
		FNR == 1 { if (NR == 1) { ni = colidx("单位名称"); ii = colidx("单位代码") } else { c = colidx(col); k = colidx("单位代码") }; next }
		NR == FNR { if ($ni == name) id = $ii; next }
		$k == id { print $c }' "$(tsv "$Y/units.csv")" "$(tsv "$1")"
}

# max FILE COL
max() {
	awk -F'\t' -v col="$2" "$NUM_AWK"'
		NR == 1 { c = colidx(col); next }
		NR == 2 || num($c) > m { m = num($c) }
		END { print m }' "$(tsv "$1")"
}

check() {    # check DESCRIPTION EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		pass=$((pass + 1))
		printf 'ok     %s = %s\n' "$1" "$3"
	else
		fail=$((fail + 1))
		printf 'FAIL   %s: expected %s, got %s\n' "$1" "$2" "$3"
	fi
}

# ---- units -------------------------------------------------------------------
check "镇的个数" 10 "$(count "$Y/units.csv" 类别 镇)"
check "十个镇的名称" "城关镇 东风镇 八渡镇 温水镇 天成镇 曹家湾镇 固关镇 东南镇 河北镇 新集川镇" \
	"$(awk -F'\t' 'NR > 1 && $3 == "镇" { printf "%s%s", sep, $2; sep = " " }' "$(tsv "$Y/units.csv")")"
check "部门不少于25个" yes "$([ "$(count "$Y/units.csv" 类别 部门)" -ge 25 ] && echo yes || echo no)"
missing=""
for d in 公安局 林业局 卫健局 水利局 畜产局 农业农村局 自然资源局 交通运输局 总工会 供销联社 \
	行政审批局 市场监督管理局 文旅局 发改局 司法局 财政局 政府办; do
	[ "$(count "$Y/units.csv" 单位名称 "$d")" = 1 ] || missing="$missing $d"
done
check "总结点名的部门都在单位表中" "" "$missing"
check "单位代码按字节排序即为自然顺序" "$(awk -F'\t' 'NR > 1 { print $1 }' "$(tsv "$Y/units.csv")" | sort | tr '\n' ' ')" \
	"$(awk -F'\t' 'NR > 1 && $3 == "部门" { print $1 }' "$(tsv "$Y/units.csv")" | tr '\n' ' ')$(awk -F'\t' 'NR > 1 && $3 == "镇" { print $1 }' "$(tsv "$Y/units.csv")" | tr '\n' ' ')"
bad=""
for f in "$Y"/*.csv; do
	case $(basename "$f") in units.csv | case_reviews.csv | reconsiderations.csv | lawsuits.csv) continue ;; esac
	[ "$(count "$f" 单位代码 '*')" = "$(count "$Y/units.csv" 单位代码 '*')" ] || bad="$bad $(basename "$f")"
	[ "$(distinct "$f" 单位代码)" = "$(count "$Y/units.csv" 单位代码 '*')" ] || bad="$bad $(basename "$f")(dup)"
done
check "每张指标表每个单位一行" "" "$bad"

# ---- 一、第一责任人职责 --------------------------------------------------------
check "县政府常务会前学法次数（政府办）" 6 "$(cell "$Y/yifazhixian_ban.csv" 政府办 学法次数)"

# ---- 二、依法科学民主决策 ------------------------------------------------------
check "县政府法律顾问组人数" 6 "$(cell "$Y/falv_guwen.csv" 政府办 法律顾问人数)"
check "镇所辖村（社区）数" 104 "$(sum "$Y/falv_guwen.csv" 村社区数 镇)"
check "配备法律顾问的村（社区）数" 104 "$(sum "$Y/falv_guwen.csv" 配备法律顾问村数 镇)"
check "未配备法律顾问的单位数（三级全覆盖）" 0 "$(count "$Y/falv_guwen.csv" 配备法律顾问 否)"
check "另聘专职律师的部门数" 10 "$(count "$Y/falv_guwen.csv" 另聘律师 是)"
hired=""
for d in 公安局 林业局 卫健局 水利局 畜产局 农业农村局 自然资源局 交通运输局 总工会 供销联社; do
	[ "$(cell "$Y/falv_guwen.csv" "$d" 另聘律师)" = 是 ] || hired="$hired $d"
done
check "总结点名另聘律师的部门" "" "$hired"

# ---- 三、规范性文件 ------------------------------------------------------------
check "审核规范性文件件数" 6 "$(sum "$Y/yifazhixian_ban.csv" 规范性文件送审件数)"
check "规范性文件报备件数" 2 "$(sum "$Y/yifazhixian_ban.csv" 规范性文件报备件数)"
check "审核县政府合同件数" 14 "$(sum "$Y/yifazhixian_ban.csv" 合同审核件数)"
check "审核涉法文件件数" 10 "$(sum "$Y/yifazhixian_ban.csv" 涉法文件审核件数)"
check "专项清理次数" 3 "$(max "$Y/yifazhixian_ban.csv" 专项清理次数)"

# ---- 四、执法 ------------------------------------------------------------------
check "名录库企业户数" 2096 "$(sum "$Y/shuangsuiji.csv" 名录库企业户数)"
check "名录库农民专业合作社户数" 498 "$(sum "$Y/shuangsuiji.csv" 名录库合作社户数)"
check "名录库个体工商户户数" 8710 "$(sum "$Y/shuangsuiji.csv" 名录库个体户数)"
check "名录库在册市场主体合计" 11304 "$(($(sum "$Y/shuangsuiji.csv" 名录库企业户数) + $(sum "$Y/shuangsuiji.csv" 名录库合作社户数) + $(sum "$Y/shuangsuiji.csv" 名录库个体户数)))"
check "录入执法人员数" 140 "$(sum "$Y/shuangsuiji.csv" 录入执法人员数)"
check "参加双随机抽查的部门数" 15 "$(count "$Y/shuangsuiji.csv" 检查对象户数 +)"
check "随机抽取执法人员人次" 40 "$(sum "$Y/shuangsuiji.csv" 抽取执法人员人次)"
check "检查对象户数" 67 "$(sum "$Y/shuangsuiji.csv" 检查对象户数)"
check "抽查结果公示率%" 100 "$(awk "BEGIN { printf \"%d\", 100 * $(sum "$Y/shuangsuiji.csv" 结果公示户数) / $(sum "$Y/shuangsuiji.csv" 检查对象户数) }")"
check "县级政务服务事项数" 1334 "$(sum "$Y/xingzheng_shenpi.csv" 政务服务事项数 部门)"
check "政务服务事项网上可办率%" 92 "$(awk "BEGIN { printf \"%.0f\", 100 * $(sum "$Y/xingzheng_shenpi.csv" 网上可办事项数 部门) / $(sum "$Y/xingzheng_shenpi.csv" 政务服务事项数 部门) }")"
check "政务服务事项全程网办率%" 80 "$(awk "BEGIN { printf \"%.0f\", 100 * $(sum "$Y/xingzheng_shenpi.csv" 全程网办事项数 部门) / $(sum "$Y/xingzheng_shenpi.csv" 政务服务事项数 部门) }")"
check "告知承诺制证明事项" 23 "$(sum "$Y/xingzheng_shenpi.csv" 告知承诺证明事项数)"
check "案卷评查宗数" 47 "$(count "$Y/case_reviews.csv" 单位代码 '*')"
check "被评查的部门数" 10 "$(distinct "$Y/case_reviews.csv" 单位代码)"
check "被评查单位都是部门" 0 "$(awk -F'\t' 'FNR == 1 { next } NR == FNR { cat[$1] = $3; next } cat[$1] != "部门" { n++ } END { print n + 0 }' "$(tsv "$Y/units.csv")" "$(tsv "$Y/case_reviews.csv")")"
check "评查得分在0—100之间" 0 "$(awk -F'\t' "$NUM_AWK"' NR == 1 { c = colidx("评查得分"); next } num($c) < 0 || num($c) > 100 || $c == "" { n++ } END { print n + 0 }' "$(tsv "$Y/case_reviews.csv")")"
check "换发执法证件数" 275 "$(sum "$Y/zhifa_jiandu.csv" 换发证件数)"
check "参加执法培训考试人数" 306 "$(sum "$Y/zhifa_jiandu.csv" 待培训考试人数)"
check "持证率与持证人数/执法人员数一致（误差≤0.05个百分点）的行数" "$(count "$Y/zhifa_jiandu.csv" 执法人员数 +)" \
	"$(awk -F'\t' "$NUM_AWK"'
		NR == 1 { a = colidx("执法人员数"); b = colidx("持证人数"); r = colidx("持证率"); next }
		num($a) > 0 { d = num($r) - 100 * num($b) / num($a); if (d < 0) d = -d; if (d <= 0.05 && $r ~ /%$/) n++ }
		END { print n + 0 }' "$(tsv "$Y/zhifa_jiandu.csv")")"

# ---- 五、接受监督 ---------------------------------------------------------------
check "人大代表建议件数（GB18030文件）" 27 "$(sum "$Y/renda_zhengxie.csv" 人大代表建议件数)"
check "人大代表建议办结件数" 27 "$(sum "$Y/renda_zhengxie.csv" 建议办结件数)"
check "政协委员提案件数（GB18030文件）" 51 "$(sum "$Y/renda_zhengxie.csv" 政协委员提案件数)"
check "政协委员提案办结件数" 51 "$(sum "$Y/renda_zhengxie.csv" 提案办结件数)"
check "renda_zhengxie.csv 确为GB18030编码（非UTF-8）" no \
	"$(iconv -f UTF-8 -t UTF-8 "$Y/renda_zhengxie.csv" >/dev/null 2>&1 && echo yes || echo no)"
check "审计项目件数" 34 "$(sum "$Y/shenji.csv" 审计项目数)"
check "行政复议申请件数" 9 "$(count "$Y/reconsiderations.csv" 单位代码 '*')"
check "行政复议结案件数（维持+纠错）" 7 "$(($(count "$Y/reconsiderations.csv" 结果 维持) + $(count "$Y/reconsiderations.csv" 结果 纠错)))"
check "行政复议不予受理件数" 1 "$(count "$Y/reconsiderations.csv" 结果 不予受理)"
check "行政复议正在办理件数" 1 "$(count "$Y/reconsiderations.csv" 结果 办理中)"
check "行政诉讼案件数" 8 "$(count "$Y/lawsuits.csv" 单位代码 '*')"
check "行政诉讼办结件数" 3 "$(count "$Y/lawsuits.csv" 状态 办结)"
check "行政诉讼在办件数" 5 "$(count "$Y/lawsuits.csv" 状态 在办)"

# ---- 六、政务公开 ---------------------------------------------------------------
web=$(sum "$Y/zhengwu_gongkai.csv" 网站公开信息条数)
check "政府网站公开信息6900余条" yes "$([ "$web" -ge 6900 ] && [ "$web" -lt 7000 ] && echo yes || echo "no ($web)")"
check "重点领域信息条数" 916 "$(sum "$Y/zhengwu_gongkai.csv" 重点领域信息条数)"
check "文字新闻条数" 1268 "$(sum "$Y/zhengwu_gongkai.csv" 文字新闻条数)"
check "文件个数" 55 "$(sum "$Y/zhengwu_gongkai.csv" 文件条数)"
check "工作动态条数" 826 "$(sum "$Y/zhengwu_gongkai.csv" 工作动态条数)"
check "通知公告条数" 23 "$(sum "$Y/zhengwu_gongkai.csv" 通知公告条数)"
check "规划、重点项目、人事、应急等其他信息条数" 138 "$(sum "$Y/zhengwu_gongkai.csv" 其他信息条数)"
check "依申请公开受理件数" 8 "$(sum "$Y/zhengwu_gongkai.csv" 依申请公开受理数)"
check "依申请公开答复件数" 8 "$(sum "$Y/zhengwu_gongkai.csv" 依申请公开答复数)"
check "县长信箱网民留言条数" 325 "$(sum "$Y/zhengwu_gongkai.csv" 信箱留言数)"
check "县长信箱受理答复条数" 321 "$(sum "$Y/zhengwu_gongkai.csv" 信箱答复数)"
check "保留政务新媒体个数" 15 "$(($(sum "$Y/xinmeiti.csv" 保留微博数) + $(sum "$Y/xinmeiti.csv" 保留微信公众号数) + $(sum "$Y/xinmeiti.csv" 保留抖音号数)))"
check "保留微博个数" 3 "$(sum "$Y/xinmeiti.csv" 保留微博数)"
check "保留微信公众号个数" 11 "$(sum "$Y/xinmeiti.csv" 保留微信公众号数)"
check "保留抖音号个数" 1 "$(sum "$Y/xinmeiti.csv" 保留抖音号数)"
check "注销关停政务新媒体个数" 8 "$(sum "$Y/xinmeiti.csv" 关停注销数)"
check "政务新媒体发布信息条数" 3593 "$(sum "$Y/xinmeiti.csv" 新媒体发布信息条数)"

# ---- 2020 data: same files, same columns --------------------------------------
shape=""
for f in "$Y"/*.csv; do
	g="$P/$(basename "$f")"
	if [ ! -f "$g" ]; then shape="$shape $(basename "$f")(missing)"; continue; fi
	[ "$(head -1 "$(tsv "$f")")" = "$(head -1 "$(tsv "$g")")" ] || shape="$shape $(basename "$f")(header)"
done
check "2020年数据与2021年同样的文件和列" "" "$shape"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
