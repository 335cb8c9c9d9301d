#!/usr/bin/env bash
# demo.sh — the demo's job as a golden test: import 2020 and score it,
# import 2021 and score it, and compare the JSON report whole with
# tests/samples/demo-2021.json (KP_UPDATE_GOLDEN=1 rewrites it).  The
# expected scores were checked against an independent re-implementation of
# the rule file when the samples were made (samples/README.md).
set -u
cd "$(dirname "$0")/../.."
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
KP=${KP_BIN:-./kaoping}
KP=$(cd "$(dirname "$KP")" && pwd)/$(basename "$KP")
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; }

cd "$tmp"
"$KP" import --quiet --db d.db --year 2020 "$root"/samples/2020/*.csv || no "import 2020"
"$KP" score --quiet --db d.db --year 2020 "$root/rules/2021-fazhi.lua" > /dev/null || no "score 2020"
"$KP" import --quiet --db d.db --year 2021 "$root"/samples/2021/*.csv || no "import 2021"
out=$("$KP" score --db d.db "$root/rules/2021-fazhi.lua" 2>&1) || no "score 2021"
"$KP" report --db d.db --format json > got.json || no "report json"
if [ "${KP_UPDATE_GOLDEN:-}" = 1 ]; then
	cp got.json "$root/tests/samples/demo-2021.json"
fi
if cmp -s got.json "$root/tests/samples/demo-2021.json"; then ok "2021 JSON report equals the golden file"
else no "2021 JSON report differs:"; diff "$root/tests/samples/demo-2021.json" got.json | head -20; fi
# the commended units are printed (2 towns, 9 departments, DESIGN §1)
for u in 城关镇 曹家湾镇 市场监督管理局 司法局 行政审批局 公安局 交通运输局 农业农村局 政府办 文旅局 林业局; do
	grep -q "$u" <<<"$(sed -n '/拟表彰名单/,$p' <<<"$out")" && ok "commended: $u" || no "commended: $u"
done
n=$(grep -o '"commended":true' got.json | wc -l)
[ "$n" = 11 ] && ok "11 units commended" || no "11 units commended (got $n)"
grep -q '"unit_id":"B07".*"veto":true' got.json && ok "自然资源局 vetoed" || no "自然资源局 vetoed"
grep -q '"unit_id":"B11".*"rank_change":25' got.json && ok "行政审批局 rank change +25" || no "行政审批局 rank change +25"
# kaoping run (in memory) gives the same ranking as score, without the rank change
"$KP" run "$root/rules/2021-fazhi.lua" "$root"/samples/2021/*.csv --format json > run.json || no "run"
sed 's/"rank_change":[^,]*,"last_total":[^}]*}/X}/' got.json > a.json
sed 's/"rank_change":[^,]*,"last_total":[^}]*}/X}/' run.json > b.json
cmp -s a.json b.json && ok "run and score agree" || no "run and score agree"
ls "$tmp" | grep -qv -e '^d.db' -e json$ && no "run wrote files" || ok "run wrote nothing"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
