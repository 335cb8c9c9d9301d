#!/usr/bin/env bash
# tests/diff/paths/run.sh SEED... — by hand, not part of make test: the same
# random rules and data (gen.py; MESS=1: the 2021 files rewritten as Excel or
# WPS save them, mess.py; HIPREC=1: precision up to 6) through `run` in
# memory, `run --db`, and import + score + report (json with items, csv, md,
# table, html, xlsx) + explain of every unit, and check's exit code; prints
# a line for every difference (nothing when all agree).  K names the binary
# (default ./kaoping); work directories under ${KP_PATHS_DIR:-/tmp/kp-paths}/SEED.
#   MESS=1 tests/diff/paths/run.sh $(seq 1 200)
HERE=$(cd "$(dirname "$0")" && pwd)
K=${K:-$HERE/../../../kaoping}
W=${KP_PATHS_DIR:-/tmp/kp-paths}
export KAOPING_LANG=en
export ASAN_OPTIONS=detect_leaks=1
for s in "$@"; do
	D=$W/$s
	rm -rf "$D"; mkdir -p "$D"; cd "$D" || exit 2
	python3 "$HERE/gen.py" "$s" "$D" || { echo "seed $s: gen failed"; continue; }
	[ -n "$MESS" ] && python3 "$HERE/mess.py" $s 2021/*.csv 2020/*.csv
	F21="2021/units.csv 2021/d1.csv 2021/d2.csv 2021/ev.csv"
	F20="2020/units.csv 2020/d1.csv 2020/d2.csv 2020/ev.csv"
	# base db with last year scored
	$K import --quiet --db base.db --year 2020 $F20 2>e0 || { echo "seed $s: import 2020 failed: $(head -c 300 e0)"; continue; }
	$K score --quiet --db base.db --year 2020 rules.lua --format json >/dev/null 2>e0
	r0=$?
	$K run rules.lua $F21 --format json --items >mem.json 2>emem; rmem=$?
	cp base.db a.db; cp base.db b.db
	$K check rules.lua $F21 >/dev/null 2>echk; rchk=$?
	$K run --db a.db rules.lua $F21 --format json --items >run.json 2>erun0; rrun=$?; grep -v ': imported \|is as it was\|: note: ' erun0 >erun
	$K import --quiet --db b.db --year 2021 $F21 2>eimp; rimp=$?
	$K score --db b.db rules.lua --format json --items >score.json 2>escore; rscore=$?
	[ $rimp = 0 ] || { echo "seed $s: import failed $rimp: $(head -c 200 eimp)"; continue; }
	[ $rchk = $rmem ] || echo "seed $s: check exit $rchk vs run(mem) $rmem: $(head -c 200 echk)"
	if [ $rrun != $rscore ]; then echo "seed $s: run exit $rrun vs score exit $rscore (2020 score $r0)"; head -3 erun escore; continue; fi
	if [ $rrun != 0 ]; then
		grep -q '^kaoping: ' erun || echo "seed $s: odd stderr"
		[ $rrun = 65 ] || [ $rrun = 78 ] || echo "seed $s: exit $rrun: $(head -c 300 erun)"
		grep -qi 'internal' erun escore && echo "seed $s: INTERNAL $(cat erun)"
		cmp -s <(grep -v 'recorded\|^kaoping: importing\|imported' erun) <(grep -v 'recorded\|imported' escore) || { echo "seed $s: error msgs differ"; diff erun escore | head -6; }
		echo "seed $s: both fail $rrun ($(head -c 150 erun))"
		continue
	fi
	grep -qi 'sanitizer\|runtime error' erun escore eimp e0 emem && echo "seed $s: SANITIZER"
	cmp -s run.json score.json || { echo "seed $s: run.json != score.json"; diff run.json score.json | head -6; }
	$K report --db b.db --format json --items >report.json 2>erep || echo "seed $s: report failed $(cat erep)"
	cmp -s run.json report.json || { echo "seed $s: run.json != report.json"; diff run.json report.json | head -6; }
	$K report --db a.db --format json --items >reporta.json 2>erep || echo "seed $s: report a failed $(cat erep)"
	cmp -s run.json reporta.json || { echo "seed $s: run.json != report(a).json"; diff run.json reporta.json | head -6; }
	for f in csv md table; do
		$K run --db a.db rules.lua $F21 --format $f >/dev/null 2>&1 # nothing
		$K report --db b.db --format $f >rep.$f 2>erep || echo "seed $s: report $f failed $(cat erep)"
		$K report --db a.db --format $f >repa.$f 2>erep
		cmp -s rep.$f repa.$f || { echo "seed $s: report $f differs a/b"; diff rep.$f repa.$f | head -6; }
	done
	cp base.db h.db; L=$([ $((s % 2)) = 0 ] && echo "--lang en"); $K run --quiet --db h.db rules.lua $F21 $L -o run.html 2>/dev/null && $K report $L --quiet --db h.db -o rep.html && { cmp -s run.html rep.html || echo "seed $s: html differs"; }
	cp base.db h2.db; $K run --quiet --db h2.db rules.lua $F21 -o run.xlsx 2>/dev/null && $K report --quiet --db h2.db -o rep.xlsx && { rm -rf xr xp; mkdir xr xp; (cd xr && unzip -q ../run.xlsx); (cd xp && unzip -q ../rep.xlsx); diff -rq -x core.xml xr xp >/dev/null || echo "seed $s: xlsx differs"; }
	# run without db: csv vs report csv of a fresh db without last year
	$K run rules.lua $F21 --format csv >mem.csv 2>/dev/null
	$K import --quiet --db c.db --year 2021 $F21 2>/dev/null && $K score --quiet --db c.db rules.lua --format csv >scorec.csv 2>escc
	$K report --db c.db --format csv >repc.csv 2>/dev/null
	cmp -s mem.csv repc.csv || { echo "seed $s: mem csv != report c csv"; diff mem.csv repc.csv | head -6; }
	cmp -s mem.csv scorec.csv || { echo "seed $s: mem csv != score c csv"; diff mem.csv scorec.csv | head -6; }
	$K report --db c.db --format json --items >repc.json 2>/dev/null
	cmp -s mem.json repc.json || { echo "seed $s: mem json != report c json"; diff mem.json repc.json | head -6; }
	# explain every unit vs report items
	python3 - report.json b.db "$K" <<-'PY'
	import json, subprocess, sys
	rep = json.load(open(sys.argv[1]))
	for u in rep:
	    p = subprocess.run([sys.argv[3], "explain", "--db", sys.argv[2], "--format", "json", "--", u["unit_id"]], capture_output=True)
	    if p.returncode != 0:
	        print("explain %r failed %d %s" % (u["unit_id"], p.returncode, p.stderr.decode()[:300])); continue
	    e = json.loads(p.stdout)
	    for k in ("total", "rank", "grade", "commended", "veto", "deductions", "bonus", "category", "name"):
	        if k in e and k in u and e[k] != u[k]:
	            print("explain %r: %s %r vs report %r" % (u["unit_id"], k, e[k], u[k]))
	    ei = e.get("items"); ri = u.get("items")
	    if ei is not None and ri is not None:
	        def norm(lst): return [(i.get("kind"), i.get("name"), i.get("points"), i.get("max"), i.get("note")) for i in lst]
	        if norm(ei) != norm(ri):
	            print("explain %r items differ:\n  %s\n  %s" % (u["unit_id"], norm(ei)[:4], norm(ri)[:4]))
	PY
done
