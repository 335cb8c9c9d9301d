#!/usr/bin/env python3
"""tests/diff/gen.py SEED [--meta FILE] > units.csv

Adversarial data of the benchmark shape (DESIGN.md section 7:
unit_id,name,category,i01..i20) for the differential test tests/diff/run.sh.
Python 3 standard library only; the output depends only on SEED (random.Random
with an integer seed gives the same stream on every Python 3).

Where gen-units draws benign random units, this draws the edges of the
contract, a different mix for every seed:
  * totals on rounding half-way points at 2 decimals: rates 0.000475*m give
    6*r/0.95 = 0.003*m points, counts c of a column whose maximum is 800 give
    c/200 points, so totals are decimals with 3 places; for many units one rate
    is moved so that the exact decimal total ends in 5 (x.xx5): the %.15g rule
    rounds it up where the raw double, a hair below, would round down;
  * half-way points exact in binary too (counts c of a column whose maximum is
    32 give c/8: 60.125, 60.375, ...: round-half-even would go down);
  * ties: copies of one unit under other ids, at the top of a category (the
    commendation boundary, 9 dept / 2 town) and inside it, with and without
    veto; near-ties (one rate off by 0.0001: raw totals differ, rounded may
    not), so the rounded total, not the raw one, must rank;
  * vetoes (none, a few, most, all of a category), veto on a tied unit;
  * zeros: count columns that are 0 for every unit (max 0: 0 points);
    units with every value 0; a category with one unit, or none;
    every unit equal;
  * large counts (up to 10^15), counts with thousands separators ("1,234"),
    rates as percentages ("97.5%"; mantissas exact in binary, so x/100 and
    strtod("x e-2") are the same double), "1", "0", "1.0" spellings;
    deductions at and past the cap (i19 = 5, 6, 100), the bonus boundary
    (i11 = 399, 400, 401);
  * ids that sort differently as text and as numbers (9 < 10 as numbers,
    "10" < "9" as bytes), leading zeros, UTF-8 ids, ids with commas or quotes;
  * UTF-8 names (CJK, 4-byte characters, combining marks, full-width forms)
    with commas, quotes, newlines, formula starts (= + - @), long names;
  * units in random order, LF or CRLF, a BOM or none, a last line without
    a newline, the columns in another order, an extra column;
  * some files are wrong on purpose: an empty or "N/A" cell (DESIGN section 2,
    缺项: an error naming unit, column and file, exit 65).
--meta FILE writes "expect=ok" or "expect=65", "mode=..." and, for a file
with a missing value, "missing_unit=ID" lines there.
"""
import random
import sys
from fractions import Fraction

RATE_COLS = ["i%02d" % i for i in range(1, 11)]
COUNT_COLS = ["i%02d" % i for i in range(11, 19)]
ALL_COLS = ["unit_id", "name", "category"] + ["i%02d" % i for i in range(1, 21)]

PLACES = ["城关", "东风", "温水", "天成", "曹家湾", "固关", "堎底下", "火烧寨", "咸宜", "马鞍山",
          "𠀋村", "龍泉", "青龙", "白土", "乌鲁木齐", "Ürümqi", "Ōsaka"]
OFFICES = ["人民政府", "司法所", "综治中心", "派出所", "财政所", "便民服务中心", "卫生院"]
DEPTS = ["公安局", "林业局", "卫健局", "水利局", "交通运输局", "市场监督管理局", "司法局",
         "财政局", "教育局", "民政局", "统计局", "医保局", "审计局", "退役军人事务局"]
QUIRKS = [",第一分队", "\"五星\"站所", "（\"法治\"示范,先进）", "\n第二行", "\r\n窗口",
          "🏛️政务", "é́ 组合", "ＡＢＣ１２３", "  前后空格  ", "'单引号'", "\\反斜杠\\",
          "<b>&amp;</b>", "\t制表"]
FORMULA = ["=SUM(A1)", "+86", "-负", "@提及", "=1+1"]


def csvfield(s):
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.modes = []

    def chance(self, p):
        return self.r.random() < p

    # ------------------------------------------------------------ ids, names
    def ids(self, n):
        r = self.r
        style = r.choice(["padded", "digits", "digits", "prefix", "mixed", "utf8", "zeros"])
        self.modes.append("ids=" + style)
        if style == "padded":
            out = ["U%07d" % k for k in range(1, n + 1)]
        elif style == "digits":      # 9 < 10 as numbers, "10" < "9" as text
            out = [str(k) for k in range(1, n + 1)]
        elif style == "prefix":
            out = ["%s%d" % (r.choice("DT"), k) for k in range(1, n + 1)]
        elif style == "zeros":       # "007" and "7": two different ids
            out = []
            for k in range(1, n + 1):
                out.append(("0" * r.randint(0, 3)) + str(k) if k % 2 else str(k))
        elif style == "utf8":
            out = ["%s%d" % (r.choice(["单位", "Ünit", "𠀋", "ａ", "Z"]), k) for k in range(1, n + 1)]
        else:
            pool = ["%d" % k for k in range(1, n + 1)]
            out = []
            for k, p in enumerate(pool):
                c = r.randrange(8)
                if c == 0:
                    out.append("A" + p)
                elif c == 1:
                    out.append("a" + p)
                elif c == 2:
                    out.append(p + ",x")     # needs quoting
                elif c == 3:
                    out.append("\"" + p + "\"q")
                elif c == 4:
                    out.append("-" + p)      # looks negative, is text
                else:
                    out.append(p)
            out = list(dict.fromkeys(out))
            while len(out) < n:
                out.append("X%d" % len(out))
        r.shuffle(out)
        return out

    def name(self, cat):
        r = self.r
        if cat == "town":
            s = r.choice(PLACES) + "镇" + r.choice(OFFICES)
        else:
            s = r.choice(["县", "陇县", ""]) + r.choice(DEPTS)
        c = r.randrange(40)
        if c < 6:
            s += r.choice(QUIRKS)
        elif c == 6:
            s = r.choice(FORMULA) + s
        elif c == 7:
            s = s * r.randint(10, 40)         # long
        return s

    # ------------------------------------------------------------ values
    def rate_text(self, style):
        """(text, exact value as Fraction)"""
        r = self.r
        if style == "half":
            m = r.randint(0, 2000)
            v = Fraction(475 * m, 10 ** 6)
            return fmt_dec(v, 6), v
        if style == "edge":
            t = r.choice(["1", "0", "1.0", "0.95", "0.9500", "1.0000", "0.0000", "0.9499", "0.9501",
                          "0.5", "0.475", "0.0001", "0.999999"])
            return t, Fraction(t)
        if style == "percent":
            m = Fraction(r.randint(0, 200), 2)       # 0% .. 100% in halves: exact in binary
            t = (fmt_dec(m, 1).rstrip("0").rstrip(".") if m.denominator != 1 else str(m.numerator)) + "%"
            return t, m / 100
        k = r.randint(0, 10000)
        if r.random() < 0.3:
            k = r.randint(9400, 10000)
        v = Fraction(k, 10000)
        return fmt_dec(v, 4), v

    def count_text(self, v, seps):
        if seps and v >= 1000 and self.chance(0.5):
            return "{:,}".format(v)
        return str(v)


def fmt_dec(v, places):
    """A Fraction with a terminating expansion as a decimal with `places` places."""
    q = v * 10 ** places
    assert q.denominator == 1, (v, places)
    q = q.numerator
    return "%d.%0*d" % (q // 10 ** places, places, q % 10 ** places)


def exact_total(rates, counts, maxes, viol):
    """The total in exact arithmetic (the decimal the double stands for)."""
    t = Fraction(0)
    for v in rates:
        t += 6 * min(v / Fraction(95, 100), Fraction(1))
    for v, m in zip(counts, maxes):
        if m:
            t += Fraction(4 * v, m)
    t = max(t - min(2 * viol, 10), Fraction(0))
    t = min(t + (3 if counts[0] >= 400 else 0), Fraction(100))
    return t


def generate(seed):
    g = Gen(seed)
    r = g.r
    # size: mostly small (ties and boundaries matter), sometimes large
    c = r.random()
    if c < 0.05:
        n = r.randint(1, 3)
    elif c < 0.40:
        n = r.randint(4, 20)
    elif c < 0.85:
        n = r.randint(21, 80)
    elif c < 0.97:
        n = r.randint(100, 400)
    else:
        n = r.randint(1000, 3000)
    g.modes.append("n=%d" % n)

    # categories
    cm = r.choice(["mixed", "mixed", "mixed", "dept-only", "town-only", "one-town", "one-dept"])
    g.modes.append("cats=" + cm)
    cats = []
    for k in range(n):
        if cm == "dept-only":
            cats.append("dept")
        elif cm == "town-only":
            cats.append("town")
        else:
            cats.append("town" if r.random() < 0.3 else "dept")
    if cm == "one-town":
        cats = ["dept"] * n
        cats[r.randrange(n)] = "town"
    elif cm == "one-dept" and n > 1:
        cats = ["town"] * n
        cats[r.randrange(n)] = "dept"

    # value styles of this file
    rate_style = r.choice(["half", "half", "half", "dec4", "edge", "percent", "mix"])
    g.modes.append("rates=" + rate_style)
    seps = g.chance(0.2)
    veto_p = r.choice([0.0, 0.03, 0.03, 0.1, 0.5, 0.9, 1.0])
    g.modes.append("veto=%g" % veto_p)
    viol_style = r.choice(["none", "some", "cap"])
    # count columns: each its own kind of maximum
    col_kinds = []
    for _ in COUNT_COLS:
        col_kinds.append(r.choice(["m800", "m800", "m32", "zero", "big", "small", "rand"]))
    g.modes.append("counts=" + ",".join(col_kinds))

    def draw_rate():
        st = rate_style
        if st == "mix":
            st = r.choice(["half", "dec4", "edge", "percent"])
        return g.rate_text(st)

    def draw_count(kind, col):
        if kind == "zero":
            return 0
        if kind == "m800":
            v = r.randint(0, 800)
        elif kind == "m32":
            v = r.randint(0, 32)
        elif kind == "big":       # 4*v/max down to 4e-15: totals below 1e-4 print with an exponent
            v = r.randint(0, 10 ** 15) if r.random() < 0.8 else r.randint(0, 9)
        elif kind == "small":
            v = r.randint(0, 1)
        else:
            v = r.randint(0, 5000)
        if col == 0 and g.chance(0.2):
            v = r.choice([399, 400, 401, 0, 500])
        return v

    rows = []
    for k in range(n):
        rates = [draw_rate() for _ in RATE_COLS]
        counts = [draw_count(kind, j) for j, kind in enumerate(col_kinds)]
        if viol_style == "none":
            viol = 0
        elif viol_style == "some":
            viol = 0 if r.random() < 0.8 else r.randint(1, 7)
        else:
            viol = r.choice([0, 4, 5, 6, 100])
        veto = 1 if r.random() < veto_p else 0
        rows.append({"rates": rates, "counts": counts, "viol": viol, "veto": veto})

    # the maximum of each count column is fixed for the half-way arithmetic:
    # a column of kind m800 / m32 gets one unit at exactly 800 / 32
    if n:
        for j, kind in enumerate(col_kinds):
            if kind in ("m800", "m32"):
                rows[r.randrange(n)]["counts"][j] = 800 if kind == "m800" else 32

    # ties and near-ties: copies of one unit (made before the half-way
    # adjustment so that copies stay copies)
    tie = r.choice(["none", "top", "top", "inside", "all-equal", "near", "boundary", "boundary"])
    g.modes.append("ties=" + tie)
    if n >= 2 and tie != "none":
        if tie == "boundary":
            # the commendation boundary of one category: quota-1 units above
            # it, all different (one rate a little below 0.95 each), then a
            # group tied at the boundary (a violation: 2 points less), with
            # vetoes drawn as for the rest: rank_ok counts only the others
            cat = r.choice(["dept", "town"])
            quota = 9 if cat == "dept" else 2
            top = [("1", Fraction(1))] * 10
            full = [800 if kind == "m800" else 32 if kind == "m32" else 0 if kind == "zero" else 1
                    for kind in col_kinds]
            group = r.sample(range(n), min(n, quota - 1 + r.randint(1, 5)))
            for idx, dst in enumerate(group):
                cats[dst] = cat
                rates = list(top)
                viol = 1
                if idx < quota - 1:
                    v = Fraction(9499 - 7 * idx, 10000)
                    rates[9] = (fmt_dec(v, 4), v)
                    viol = 0
                rows[dst] = {"rates": rates, "counts": list(full), "viol": viol,
                             "veto": 1 if r.random() < veto_p else 0}
        elif tie == "all-equal":
            for k in range(1, n):
                rows[k] = dict(rows[0], rates=list(rows[0]["rates"]), counts=list(rows[0]["counts"]))
        else:
            src = r.randrange(n)
            k = min(n - 1, r.choice([1, 2, 3, 8, 9, 10, 12]))
            for dst in r.sample(range(n), k):
                if dst == src:
                    continue
                row = dict(rows[src], rates=list(rows[src]["rates"]), counts=list(rows[src]["counts"]))
                row["veto"] = 1 if r.random() < veto_p else 0
                if tie == "top":                   # the same category, at the top
                    cats[dst] = cats[src]
                    row["rates"] = [("1", Fraction(1))] * 10
                if tie == "near":
                    j = r.randrange(10)
                    t, v = row["rates"][j]
                    if v >= Fraction(1, 10000) and "%" not in t:
                        v2 = v - Fraction(1, 10000)
                        row["rates"][j] = (fmt_dec(v2, 6), v2)
                rows[dst] = row
            if tie == "top":
                rows[src]["rates"] = [("1", Fraction(1))] * 10

    # force x.xx5 totals: move one "half" rate so that the exact total's third
    # decimal is 5 (0.003*d points: 3d = 5 - digit mod 10 has a solution)
    maxes = [max((row["counts"][j] for row in rows), default=0) for j in range(8)]
    if rate_style in ("half", "mix"):
        for row in rows:
            if r.random() < 0.6:
                t = exact_total([v for _, v in row["rates"]], row["counts"], maxes, row["viol"])
                if t.denominator not in (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 125, 200, 250, 500, 1000):
                    continue
                digit = int(t * 1000) % 10
                d = next(d for d in range(10) if (3 * d) % 10 == (5 - digit) % 10)
                for j in r.sample(range(10), 10):
                    txt, v = row["rates"][j]
                    m = v * 10 ** 6 / 475
                    if m.denominator == 1 and "%" not in txt:
                        m2 = m.numerator + d
                        if m2 > 2000:
                            m2 -= 10          # same residue mod 10
                        if 0 <= m2 <= 2000:
                            v2 = Fraction(475 * m2, 10 ** 6)
                            row["rates"][j] = (fmt_dec(v2, 6), v2)
                            break

    ids = g.ids(n)
    names = [g.name(cats[k]) for k in range(n)]
    if n and g.chance(0.05):
        names[r.randrange(n)] = ""        # an empty name

    # columns: usual order, or shuffled, or with an extra column
    cols = list(ALL_COLS)
    layout = r.choice(["plain"] * 6 + ["shuffled", "extra"])
    g.modes.append("layout=" + layout)
    if layout == "shuffled":
        r.shuffle(cols)
    elif layout == "extra":
        cols.insert(r.randrange(len(cols) + 1), "备注")

    # a file that is wrong on purpose: a missing value
    expect = "ok"
    bad = None
    if n and g.chance(0.04):
        bad = (r.randrange(n), r.choice(["i%02d" % i for i in range(1, 21)]), r.choice(["", "N/A", " "]))
        expect = "65"
        g.modes.append("missing=%s@%d" % (bad[1], bad[0]))

    recs = [[csvfield(c) for c in cols]]
    for k, row in enumerate(rows):
        vals = {"unit_id": ids[k], "name": names[k], "category": cats[k], "备注": r.choice(["", "无", "见附件,第3页"])}
        for j, col in enumerate(RATE_COLS):
            vals[col] = row["rates"][j][0]
        for j, col in enumerate(COUNT_COLS):
            vals[col] = g.count_text(row["counts"][j], seps)
        vals["i19"] = str(row["viol"])
        vals["i20"] = str(row["veto"]) if r.random() < 0.95 else ("1.0" if row["veto"] else "0.0")
        if bad and bad[0] == k:
            vals[bad[1]] = bad[2]
        recs.append([csvfield(vals[c]) for c in cols])
    # units in random order
    body = recs[1:]
    r.shuffle(body)
    eol = "\r\n" if g.chance(0.2) else "\n"
    text = eol.join(",".join(rec) for rec in [recs[0]] + body)
    if g.chance(0.9):
        text += eol
    if g.chance(0.15):
        text = "\ufeff" + text
    g.modes.append("eol=%s" % ("crlf" if eol == "\r\n" else "lf"))
    return text, expect, g.modes, (ids[bad[0]] if bad else None)


def main():
    args = sys.argv[1:]
    meta = None
    if "--meta" in args:
        i = args.index("--meta")
        meta = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1 or not args[0].lstrip("-").isdigit():
        sys.stderr.write("usage: tests/diff/gen.py SEED [--meta FILE] > units.csv\n")
        sys.exit(64)
    text, expect, modes, bad_unit = generate(int(args[0]))
    sys.stdout.buffer.write(text.encode("utf-8"))
    if meta:
        with open(meta, "w") as f:
            f.write("expect=%s\nmode=%s\n" % (expect, " ".join(modes)))
            if bad_unit is not None:
                f.write("missing_unit=%s\n" % bad_unit.replace("\n", " "))


if __name__ == "__main__":
    main()
