#!/usr/bin/env python3
"""pandas.py FILE.csv

The benchmark rule set of DESIGN.md section 7 done with pandas, the way an
analyst who knows pandas would do it without kaoping: read the CSV into a
DataFrame, compute the columns, sort, rank, print.  `make bench` times it
against `kaoping run --format json` (issue 11: kaoping must use at most a
fifth of its CPU time at 1M units) and checks that it prints exactly what
scripts/bench/plain.lua prints:
  category,rank,unit_id,total,grade,commended,veto
ordered by category (dept, then town), rank, unit_id (byte order); total
with exactly 2 decimals; commended/veto as yes/no.

Arithmetic follows plain.lua operation by operation (same order, double
precision, element-wise numpy operations), so the unrounded totals are the
same doubles:
  * numbers are parsed with float_precision="round_trip" (correctly rounded,
    like strtod and Lua's tonumber; pandas' default parser is not);
  * rates: 6 * min(v / 0.95, 1) added column by column from 0;
  * counts: 4 * v / max (max over all units; a column whose max is 0 adds 0).
Rounding (DESIGN section 2): the %.15g decimal form of the total, rounded
half-up at 2 decimals with decimal.Decimal (exact on the decimal text).

Needs pandas (Debian: python3-pandas).  Exit 65 on data the benchmark does
not have (a category other than dept/town, a value that is not a number).
"""
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

# this file is called pandas.py: its own folder must not shadow the library
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
try:
    import numpy as np
    import pandas as pd
except ImportError:
    sys.stderr.write("pandas.py: pandas is not installed (apt-get install python3-pandas)\n")
    sys.exit(69)

NUMS = ["i%02d" % i for i in range(1, 21)]
QUOTA = {"dept": 9, "town": 2}
CENT = Decimal("0.01")
PERCENT = re.compile(r"^([0-9]+\.?[0-9]*)%$")
THOUSANDS = re.compile(r"^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


def fail(code, msg):
    sys.stderr.write("pandas.py: %s\n" % msg)
    sys.exit(code)


def number(s):
    """DESIGN section 5: a number may carry % or thousands separators as Excel
    exports them: "97.5%" is the decimal 97.5e-2 (float() is correctly
    rounded, like strtod), at most 100%; "1,234" is 1234 (groups of three)."""
    m = PERCENT.match(s)
    if m:
        v = float(m.group(1) + "e-2")
        if v > 1:
            raise ValueError("more than 100%%: '%s'" % s)
        return v
    if THOUSANDS.match(s):
        s = s.replace(",", "")
    return float(s)


def read(path):
    dtype = {"unit_id": str, "category": str}
    dtype.update({c: np.float64 for c in NUMS})
    args = dict(encoding="utf-8-sig", usecols=["unit_id", "category"] + NUMS, keep_default_na=False)
    try:
        try:
            df = pd.read_csv(path, dtype=dtype, na_values={c: [""] for c in NUMS},
                             float_precision="round_trip", **args)
        except ValueError:
            # a cell that is no plain number: read the numbers as text and
            # convert them one by one (slow, and only for such files)
            df = pd.read_csv(path, dtype=str, **args)
            for c in NUMS:
                df[c] = np.array([number(x) for x in df[c]], dtype=np.float64)
    except (ValueError, KeyError) as e:
        fail(65, "%s: %s" % (path, e))
    except OSError as e:
        fail(66, "%s: %s" % (path, e))
    bad = ~df["category"].isin(QUOTA.keys())
    if bad.any():
        fail(65, "%s: category must be dept or town, not '%s'" % (path, df["category"][bad].iloc[0]))
    if df[NUMS].isna().any().any():
        fail(65, "%s: an empty number" % path)
    return df


def cents_of(totals):
    """Hundredths, rounded half-up from the %.15g decimal form."""
    return np.fromiter((int((Decimal("%.15g" % t) * 100).quantize(Decimal(1), ROUND_HALF_UP)) for t in totals),
                       dtype=np.int64, count=len(totals))


def score(df):
    rates = np.zeros(len(df))
    for c in NUMS[:10]:
        rates = rates + 6 * np.minimum(df[c].to_numpy() / 0.95, 1)
    counts = np.zeros(len(df))
    for c in NUMS[10:18]:
        v = df[c].to_numpy()
        m = max(v.max(initial=0.0), 0.0)
        if m != 0:
            counts = counts + 4 * v / m
    deduction = np.minimum(2 * df["i19"].to_numpy(), 10)
    t = np.maximum((rates + counts) - deduction, 0)
    bonus = np.where(df["i11"].to_numpy() >= 400, 3, 0)
    t = np.minimum(t + bonus, 100)
    out = pd.DataFrame({"category": df["category"], "unit_id": df["unit_id"]})
    out["cents"] = cents_of(t)
    out["veto"] = df["i20"].to_numpy() == 1
    c = out["cents"]
    out["grade"] = np.select([out["veto"], c >= 9000, c >= 8000, c >= 6000], ["不合格", "优秀", "良好", "合格"],
                             default="不合格")
    return out


def rank(out):
    out["order"] = out["category"].map({"dept": 1, "town": 2})
    # unit ids in byte order: code points order UTF-8 the same way
    out = out.sort_values(["order", "cents", "unit_id"], ascending=[True, False, True], kind="mergesort")
    out["rank"] = out.groupby("category")["cents"].rank(method="min", ascending=False).astype(np.int64)
    ok = out[~out["veto"]]
    rank_ok = ok.groupby("category")["cents"].rank(method="min", ascending=False)
    out["commended"] = False
    out.loc[ok.index, "commended"] = rank_ok <= ok["category"].map(QUOTA)
    return out


def csvfield(s):
    if any(ch in s for ch in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write(out):
    cents = out["cents"].to_numpy()
    yes = np.array(["no", "yes"])
    lines = (out["category"] + "," + out["rank"].astype(str) + "," + out["unit_id"].map(csvfield) + "," +
             pd.Series(cents // 100, index=out.index).astype(str) + "." +
             pd.Series(cents % 100, index=out.index).map("{:02d}".format) + "," + out["grade"] + "," +
             yes[out["commended"].to_numpy().astype(int)] + "," + yes[out["veto"].to_numpy().astype(int)])
    w = sys.stdout
    w.write("category,rank,unit_id,total,grade,commended,veto\n")
    w.write("\n".join(lines.tolist()))
    if len(lines):
        w.write("\n")


def main():
    if len(sys.argv) != 2:
        fail(64, "usage: python3 pandas.py FILE.csv")
    sys.stdout.reconfigure(encoding="utf-8", newline="\n")
    write(rank(score(read(sys.argv[1]))))


if __name__ == "__main__":
    main()
