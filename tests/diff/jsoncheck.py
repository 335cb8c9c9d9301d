#!/usr/bin/env python3
"""tests/diff/jsoncheck.py — the JSON side of the differential test.

  jsoncheck.py plain REPORT.json
      checks the contract of `report --format json` (DESIGN section 4: an
      array of objects with category, rank, unit_id, name, total, grade,
      commended, veto, sections; total a number with at most the declared 2
      decimals; commended and veto booleans) and prints the ranking in
      scripts/bench/plain.lua's format, in the array's order, so that it can
      be compared byte for byte with plain.lua's output.
  jsoncheck.py explain REPORT.json EXPLAIN.json
      `explain UNIT --format json` must agree with the report's object of the
      same unit on every field both have (exactly: numbers are compared as
      the decimals written), its total must be its raw score rounded by the
      rounding rule of DESIGN section 2 (%.15g, then half-up at 2 decimals),
      and each section's points must be the sum of its items' points.
Exit 0 when all holds, 1 with the reasons on stderr.
"""
import json
import sys
from decimal import Decimal, ROUND_HALF_UP

NEED = ["category", "rank", "unit_id", "name", "total", "grade", "commended", "veto", "sections"]


def load(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"), parse_float=Decimal, parse_int=Decimal)


def die(msg):
    sys.stderr.write("jsoncheck: %s\n" % msg)
    sys.exit(1)


def csvfield(s):
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def plain(path):
    data = load(path)
    if not isinstance(data, list):
        die("%s: not an array" % path)
    out = ["category,rank,unit_id,total,grade,commended,veto"]
    for k, u in enumerate(data):
        if not isinstance(u, dict):
            die("%s: element %d is not an object" % (path, k))
        for key in NEED:
            if key not in u:
                die("%s: unit %s has no '%s'" % (path, u.get("unit_id"), key))
        for key in ("commended", "veto"):
            if not isinstance(u[key], bool):
                die("%s: unit %s: '%s' is %r, not a boolean" % (path, u["unit_id"], key, u[key]))
        t = u["total"]
        if not isinstance(t, Decimal) or t.as_tuple().exponent < -2:
            die("%s: unit %s: total %r is not a number with at most 2 decimals" % (path, u["unit_id"], t))
        if not isinstance(u["sections"], dict):
            die("%s: unit %s: sections is not an object" % (path, u["unit_id"]))
        if not isinstance(u["rank"], Decimal) or u["rank"] != int(u["rank"]):
            die("%s: unit %s: rank %r is not an integer" % (path, u["unit_id"], u["rank"]))
        out.append("%s,%d,%s,%s,%s,%s,%s" % (
            u["category"], int(u["rank"]), csvfield(u["unit_id"]), t.quantize(Decimal("0.01")),
            u["grade"], "yes" if u["commended"] else "no", "yes" if u["veto"] else "no"))
    sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8"))


def round_rule(x):
    """DESIGN section 2: the %.15g decimal of the double, half-up at 2 places."""
    return Decimal("%.15g" % float(x)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def explain(report_path, explain_path):
    rep = load(report_path)
    ex = load(explain_path)
    uid = ex.get("unit_id")
    mine = [u for u in rep if u["unit_id"] == uid]
    if len(mine) != 1:
        die("explain's unit %r is in the report %d times" % (uid, len(mine)))
    u = mine[0]
    bad = []
    common = sorted(set(u) & set(ex))
    for key in NEED:
        if key not in ex:
            bad.append("explain has no '%s'" % key)
    for key in common:
        if u[key] != ex[key] or type(u[key]) is not type(ex[key]):
            bad.append("%s: report %r, explain %r" % (key, u[key], ex[key]))
    if "raw" in ex and ex["raw"] is not None:
        want = round_rule(ex["raw"])
        if want != ex["total"]:
            bad.append("total %s is not its raw score %s rounded by the rule (%s)" % (ex["total"], ex["raw"], want))
    sums = {}
    for it in ex.get("items") or []:
        if it.get("kind") == "indicator" and it.get("section") is not None:
            sums[it["section"]] = sums.get(it["section"], 0.0) + float(it["points"])
    for sec, pts in (ex.get("sections") or {}).items():
        if sec in sums and abs(sums[sec] - float(pts)) > 1e-9:
            bad.append("section %s: %s points, its items add up to %r" % (sec, pts, sums[sec]))
    if bad:
        die("explain %s disagrees with the report:\n  " % uid + "\n  ".join(bad))


def main():
    a = sys.argv[1:]
    if len(a) == 2 and a[0] == "plain":
        plain(a[1])
    elif len(a) == 3 and a[0] == "explain":
        explain(a[1], a[2])
    else:
        die("usage: jsoncheck.py plain REPORT.json | explain REPORT.json EXPLAIN.json")


if __name__ == "__main__":
    main()
