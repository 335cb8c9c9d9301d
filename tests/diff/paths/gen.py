#!/usr/bin/env python3
# gen.py SEED OUTDIR: random small dataset + rule file, for run vs stored workflow
import random, sys, os, json

seed = int(sys.argv[1]); out = sys.argv[2]
import os as _o
HIPREC = bool(_o.environ.get('HIPREC'))
R = random.Random(seed)
os.makedirs(out, exist_ok=True)
os.makedirs(out + "/2020", exist_ok=True)
os.makedirs(out + "/2021", exist_ok=True)

cats = R.choice([["镇", "部门"], ["A"], ["town", "dept", "other"]])
n = R.randint(2, 14)
ids = []
while len(ids) < n:
    i = R.choice(["U%03d" % R.randint(0, 40), "%d" % R.randint(0, 99), "Z%02d" % R.randint(0, 30), "b%d" % R.randint(0, 9)])
    if i not in ids:
        ids.append(i)
names = {i: R.choice(["城关镇", "东风镇", "司法局", "Office", "X,Y", "名\"引\"号", "同名"]) + str(k) for k, i in enumerate(ids)}
ucat = {i: R.choice(cats) for i in ids}

TIES = R.random() < .3
NUMCOLS = ["c%d" % k for k in range(1, 7)]

def numtext(v, fancy):
    if not fancy:
        return repr(v) if isinstance(v, float) else str(v)
    f = R.randint(0, 9)
    if f == 0 and isinstance(v, int) and v >= 1000:
        return '"{:,}"'.format(v)
    if f == 1 and isinstance(v, int):
        return " %d " % v
    if f == 2 and isinstance(v, int):
        return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in str(v))
    return repr(v) if isinstance(v, float) else str(v)

def values(year):
    rows = {}
    for i in ids:
        r = {}
        for c in NUMCOLS:
            kind = R.randint(0, 5)
            if kind <= 1:
                v = R.randint(0, 20)
            elif kind == 2:
                v = round(R.random(), R.randint(1, 4))
            elif kind == 3:
                v = R.choice([0, 1, 2, 3, 5, 10])
            else:
                v = R.randint(0, 2000)
            if TIES: v = R.choice([1, 2, 2])
            r[c] = v if c != "c1" or v >= 1 else 1
        r["yn"] = R.choice(["是", "否", "1", "0", "有", "无", "yes"])
        r["lv"] = R.choice(["优秀", "良好", "合格"])
        r["ded"] = R.choice([0, 0, 0, 1, 2, 7])
        r["veto"] = R.choice([0] * 8 + [1])
        r["given"] = round(R.uniform(-2, 12), R.randint(0, 2))
        r["blank"] = R.choice(["", "", "3", "5", "N/A", "—"])
        rows[i] = r
    return rows

def write_year(y, fancy, drop_ids):
    rows = values(y)
    with open("%s/%d/units.csv" % (out, y), "w", encoding="utf-8", newline="") as f:
        f.write("id,name,cat\r\n" if R.random() < .5 else "id,name,cat\n")
        for i in ids:
            nm = names[i]
            if "," in nm or '"' in nm:
                nm = '"' + nm.replace('"', '""') + '"'
            f.write("%s,%s,%s\n" % (i, nm, ucat[i]))
    with open("%s/%d/d1.csv" % (out, y), "w", encoding="utf-8") as f:
        f.write("id," + ",".join(NUMCOLS) + ",yn,lv,ded,veto\n")
        for i in ids:
            r = rows[i]
            f.write(i + "," + ",".join(numtext(r[c], fancy) for c in NUMCOLS) + ",%s,%s,%s,%s\n" % (r["yn"], r["lv"], r["ded"], r["veto"]))
    with open("%s/%d/d2.csv" % (out, y), "w", encoding="utf-8") as f:
        f.write("id,given,blank\n")
        for i in ids:
            if i in drop_ids:
                continue
            r = rows[i]
            f.write("%s,%s,%s\n" % (i, r["given"], r["blank"]))
    with open("%s/%d/ev.csv" % (out, y), "w", encoding="utf-8") as f:
        f.write("uid,kind,score\n")
        for i in ids:
            for _ in range(R.randint(0 if i != ids[0] else 1, 5)):
                f.write("%s,%s,%s\n" % (i, R.choice(["a", "b"]), R.choice([R.randint(50, 100), round(R.uniform(0, 100), 2)])))
    return rows

drop = set(R.sample(ids, R.randint(0, min(2, len(ids) - 1)))) if R.random() < .3 else set()
write_year(2020, False, drop)
write_year(2021, R.random() < .5, drop)

# rules
prec = R.choice([0, 1, 2, 2, 3] + ([4, 5, 6, 6] if HIPREC else []))
L = []
a = 'assessment { title = "t%d", year = 2021, precision = %d, unit = { id = "id", name = "name", category = "cat" },\n' % (seed, prec)
a += '  categories = { %s },\n' % ", ".join('{"%s", commend = %d}' % (c, R.randint(0, 4)) for c in cats)
if R.random() < .4: a += '  round = "total",\n'
if R.random() < .3: a += '  max_total = %d,\n' % R.choice([90, 100, 101])
if R.random() < .3: a += '  bonus_max = %d,\n' % R.choice([1, 3])
if R.random() < .2: a += '  compare_precision = %d,\n' % max(prec, R.choice([prec, 6, 10, 15]))
a += "}\n"
L.append(a)
L.append('events "ev" { file = "ev.csv", unit = "uid" }\n')
miss = lambda: R.choice(["", ", default = 0", ', missing = "skip"'])

def scope():
    return R.choice(["", ', { scope = "all" }'])

def indicator(name, pts):
    h = R.randint(0, 17)
    c = R.choice(NUMCOLS)
    extra = ""
    if R.random() < .15 and len(cats) > 1:
        extra += ', categories = {"%s"}' % R.choice(cats)
    if h == 0: s = 'target("%s", %s)' % (c, R.choice(["10", "0.9", "1000", '"c1"']))
    elif h == 1: s = 'ratio_to_best("%s"%s)' % (c, scope())
    elif h == 2: s = 'min_max("%s"%s)' % (c, scope())
    elif h == 3: s = 'rank_points("%s", {%d, %d, 1}%s)' % (c, pts, max(pts - 2, 0), R.choice(["", ', {order="asc"}']))
    elif h == 4: s = 'bands("%s", { {gt = 10, %d}, {5, %d}, {0.5, 1} }, { otherwise = 0 })' % (c, pts, min(pts, 3))
    elif h == 5: s = 'yes_no("yn")'
    elif h == 6: s = 'lookup("lv", { ["优秀"] = %d, ["良好"] = %s }, { default = 0 })' % (pts, pts / 2)
    elif h == 7: s = 'per_item("%s", %s, %d)' % (c, R.choice(["0.5", "1", "0.25"]), pts)
    elif h == 8: s = 'given("given")'; extra += R.choice([", default = 0", ', missing = "skip"'])
    elif h == 9: s = 'blend { {given("given"), 0.5}, {"%s", 0.5} , scale = 10}' % c; extra += R.choice([", default = 0", ', missing = "skip"'])
    elif h == 10: s = 'target(agg.avg("ev", "score"), 100)'; extra += R.choice([", default = 0", ', missing = "skip"'])
    elif h == 11: s = 'ratio_to_best(agg.count("ev", { kind = "a" }))'
    elif h == 12: s = 'target(agg.trimmed_avg("ev", "score"), 90)'; extra += R.choice([", default = 0", ', missing = "skip"'])
    elif h == 13: s = 'target("blank", 5)'; extra += R.choice([", default = 0", ', missing = "skip"', ', missing = "skip"'])
    elif h == 14: s = 'function(u) return %s * (u.%s %% 7) / 7, "fn " .. tostring(u.%s) end' % (pts, c, c)
    elif h == 15:
        s = 'function(u) if u.last then return math.min(%s, u.last.total / 10), "last " .. u.last.total .. " " .. tostring(u.last.rank) .. " " .. tostring(u.last.grade) end return %s / 2, "no last" end' % (pts, pts)
    elif h == 16:
        s = None
        return 'indicator "%s" { points = %s, checklist = { {"x", %s, when = "yn", is = false}, {"y", 0.5, per = "%s", max = %s} }%s }' % (name, pts, pts, c, pts, extra)
    else: s = 'function(u, ctx) return %s * u.%s / math.max(ctx:max("%s"), 1), "ctx" end' % (pts, c, c)
    if R.random() < .1: extra += ", clamp = false"
    return 'indicator "%s" { points = %s, score = %s%s }' % (name, pts, s, extra)

nsec = R.randint(1, 4)
secnames = []
for sidx in range(nsec):
    sn = R.choice(["一、", "二、", "三、", "四、", "五、"])[:0] + ["一、甲", "二、乙", "三、丙", "四、丁"][sidx]
    secnames.append(sn)
    k = R.randint(1, 4)
    pts = [R.choice([2, 3, 5, 10, 2.5]) for _ in range(k)]
    inds = [indicator("i%d_%d" % (sidx, j), p) for j, p in enumerate(pts)]
    if R.random() < .25:
        inds.append('deduction "sd%d" { per = %s, max = %s, count = "ded" }' % (sidx, R.choice([1, 2, 0.5]), R.choice([1, 3, 100])))
    L.append('section "%s" { points = %s,\n  %s,\n}\n' % (sn, sum(pts), ",\n  ".join(inds)))
if R.random() < .5:
    L.append('deduction "dd" { per = %s, max = %s, count = "ded" }\n' % (R.choice([1, 2, 0.5]), R.choice([3, 10])))
if R.random() < .3:
    L.append('deduction "dfn" { points = function(u) return u.ded / 3, "fn ded" end, max = 2 }\n')
if R.random() < .5:
    L.append('bonus "bb" { max = 3, score = bands("c1", { {15, 3}, {10, 1} }) }\n')
if R.random() < .3:
    L.append('bonus "bl" { score = lookup("lv", { ["优秀"] = 2 }, { default = 0 }) }\n')
if R.random() < .5:
    L.append('veto "vv" { when = "veto", reason = "veto, \\"quoted\\"", default = false }\n')
if R.random() < .8:
    g = R.choice([
        'grades { {"优秀", 90, quota = 0.3}, {"良好", 70}, {"合格", 50}, {"不合格", 0} }',
        'grades { {"A", 8, count = 2}, {"B", 0} }',
        'grades { {"优秀", 60, quota = 0.5}, {"不合格", 0}, quota_ties = "none" }',
        'grades { {"一等", 20, count = 1, by_category = { ["%s"] = 10 } }, {"二等", 0} }' % cats[0],
    ])
    L.append(g + "\n")
    gname = g.split('"')[1]
else:
    gname = None
cm = []
if R.random() < .5:
    cm.append('tie_break = { %s }' % ", ".join(R.sample(['"deductions"', '"bonus"'] + ['"%s"' % s for s in secnames], R.randint(1, 2))))
if R.random() < .3: cm.append('veto_rank = "last"')
if R.random() < .3 and gname: cm.append('min_grade = "%s"' % gname)
if R.random() < .3: cm.append('min_score = %d' % R.choice([1, 5, 20]))
if R.random() < .3: cm.append('eligible = function(r) return r.deductions == 0 end')
L.append("commend { %s }\n" % ", ".join(cm))
open(out + "/rules.lua", "w").write("".join(L))
