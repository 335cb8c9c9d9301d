#!/usr/bin/env python3
"""tests/hostile/dbfuzz.py -- randomized database-mutation fuzzer for kaoping.

A kaoping database travels between offices and must be treated as hostile:
every command that reads one must either work or fail with a clear message
and a non-zero exit (65 for a bad database), never crash, hang, trip
AddressSanitizer/UBSan or silently print garbage.  This script builds three
seed databases (the 2020+2021 samples scored with rules/2021-fazhi.lua; 300
generated units scored twice with rules/bench.lua; the schema-1 fixture
tests/data/store-v1/v1.db, which every command migrates), then loops: copy a
seed, apply one to three random mutations with Python's sqlite3 (cells set
to NULL / extreme numbers / odd text / invalid UTF-8 / blobs, JSON columns
truncated, nested, retyped, indexes out of range, note templates broken,
rows deleted, duplicated or swapped, schema objects added or dropped,
PRAGMA user_version / application_id changed, rarely raw bytes flipped) and
run every reading command on a fresh copy of the result, each with a 20 s
timeout.

Usage (from anywhere; the repository root is found from this file):

    python3 tests/hostile/dbfuzz.py [--minutes 40] [--seed N] [--cases N]
        [--bin build/asan/kaoping] [--plain ./kaoping]
        [--out /tmp/dbfuzz-findings] [--weights 60,20,20] [--verbose]

(--weights: how often the fazhi, bench and v1 seeds are drawn.)

The binary should be the AddressSanitizer+UBSan build (see the Makefile
line in the project notes:
  make -s BUILD=build/asan OPT="-O1 -g -fno-omit-frame-pointer" \
    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
    EXTRA_LDFLAGS="-fsanitize=address,undefined" KP_PROG=build/asan/kaoping \
    build/asan/kaoping
); the plain ./kaoping only builds the seeds.  One case runs at a time.

A finding: a death by signal (exit >= 128 or negative), "ERROR:
AddressSanitizer" / "runtime error:" / "LeakSanitizer" in stderr, a timeout,
or exit 70 (EX_SOFTWARE, kept in its own class).  Findings are
deduplicated (sanitizer: error kind + top project frames; otherwise command
+ message) and the first reproducer of each is kept in OUT as NNN-slug.db
with NNN-slug.txt beside it (command, exit status, mutations, the first 40
lines of stderr); a finding already in OUT is not saved again.
OUT/summary-SEED.txt counts every class and exit status, shows the first
case of each status other than 0 and 65, and lists exit-0 outputs that
look like garbage ("(null)", nan, inf) and odd statuses as leads rather
than findings.  Exits 1 when a crash, sanitizer report or timeout was
found.  Only standard-library modules.
"""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV = dict(os.environ)
ENV.update({
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    "KAOPING_LANG": "en",
    "NO_COLOR": "1",
})
ENV.pop("PAGER", None)
TIMEOUT = 20

# ------------------------------------------------------------------ seeds


def sh(cmd, **kw):
    r = subprocess.run(cmd, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        sys.exit("seed command failed: %s\n%s" % (" ".join(cmd), r.stderr.decode(errors="replace")))
    return r


def build_seeds(plain, tmp):
    import glob
    fz = os.path.join(tmp, "fazhi.db")
    for y in ("2020", "2021"):
        csvs = sorted(glob.glob(os.path.join(ROOT, "samples", y, "*.csv")))
        sh([plain, "import", "--db", fz, "--year", y] + [os.path.relpath(c, ROOT) for c in csvs])
        sh([plain, "score", "--db", fz, "--year", y, "rules/2021-fazhi.lua"])
    bn = os.path.join(tmp, "bench.db")
    units = os.path.join(tmp, "units.csv")
    with open(units, "wb") as f:
        f.write(sh(["lua5.4", "scripts/gen-units", "300", "1"]).stdout)
    sh([plain, "import", "--db", bn, "--year", "2021", units])
    sh([plain, "score", "--db", bn, "--year", "2021", "rules/bench.lua"])
    sh([plain, "score", "--db", bn, "--year", "2021", "rules/bench.lua"])
    v1 = os.path.join(tmp, "v1.db")
    shutil.copyfile(os.path.join(ROOT, "tests/data/store-v1/v1.db"), v1)
    seeds = []
    for path, rules in ((fz, "rules/2021-fazhi.lua"), (bn, "rules/bench.lua"), (v1, "rules/2021-fazhi.lua")):
        c = sqlite3.connect(path)
        unit = c.execute("SELECT unit_id FROM results WHERE run_id = (SELECT max(id) FROM runs) "
                         "ORDER BY position, unit_id LIMIT 1").fetchone()[0]
        c.close()
        seeds.append({"name": os.path.basename(path)[:-3], "path": path, "rules": rules, "unit": unit})
    return seeds


def commands(seed, unit, out):
    """(label, argv without --db) for one case; out is a scratch directory."""
    return [
        ("runs", ["runs"]),
        ("imports", ["imports"]),
        ("report-json", ["report", "--format", "json"]),
        ("report-csv", ["report", "--format", "csv"]),
        ("report-table", ["report"]),
        ("report-html", ["report", "--format", "html", "-o", os.path.join(out, "r.html")]),
        ("report-xlsx", ["report", "--format", "xlsx", "-o", os.path.join(out, "r.xlsx")]),
        ("explain", ["explain", unit]),
        ("explain-all", ["explain", "--all", "-o", os.path.join(out, "sheets")]),
        ("compare", ["compare", "--run", "1", "--run", "2"]),
        ("notice", ["notice", "--run", "2", "--format", "md"]),
        ("score", ["score", seed["rules"], "--year", "2021"]),
    ]

# ------------------------------------------------------------------ values

BIG_TEXT = "x" * (1 << 20)


def rand_value(rng):
    """(sql expression, params, description)"""
    k = rng.randrange(9)
    if k == 0:
        return "?", [None], "NULL"
    if k == 1:
        v = rng.choice([0, -1, 1, 2, 2 ** 31, 2 ** 31 - 1, 2 ** 32, 2 ** 63 - 1, -2 ** 63, 999999, -7])
        return "?", [v], "int %d" % v
    if k == 2:
        v = rng.choice([1e308, -0.0, 1e-320, -1e308, 0.5, 1.7976931348623157e308, float("inf"),
                        float("-inf"), 123456.789, -0.001])
        return "?", [v], "real %r" % v
    if k == 3:
        v = rng.choice(["NaN", "nan", "inf", "-inf", "Infinity", "", "1e999", "12abc", " 7 ", "0x10",
                        "\uff10", "%s%n%d", "<script>x</script>", "\"q\",\n,", "{}", "{{", "}",
                        "\u202e\u0301", "-", "1,5", "00", "+3", ".", "1e-400"])
        return "?", [v], "text %r" % v
    if k == 4:
        n = rng.choice([1 << 20, 65536, 4096])
        return "?", [BIG_TEXT[:n]], "text 'x'*%d" % n
    if k == 5:
        v = rng.choice([b"\xff\xfe", b"\x80abc", b"\xed\xa0\x80", b"\xc3(", b"a\xf0\x28\x8c\x28", b"\xe4\xb8"])
        if rng.random() < 0.5:
            return "CAST(? AS TEXT)", [v], "invalid-utf8 text x'%s'" % v.hex()
        return "?", [v], "invalid-utf8 blob x'%s'" % v.hex()
    if k == 6:
        v = rng.choice([b"\x00", b"a\x00b", b"Z01\x00", b"\x00\x00\x00\x00"])
        if rng.random() < 0.5:
            return "CAST(? AS TEXT)", [v], "NUL text x'%s'" % v.hex()
        return "?", [v], "NUL blob x'%s'" % v.hex()
    if k == 7:
        v = os.urandom(rng.choice([1, 8, 100, 5000]))
        return "?", [v], "random blob of %d bytes" % len(v)
    v = rng.choice(["1", "2", "Z01", "镇", "优秀", "indicator", "bonus", "veto", "deduction", "2021/units"])
    return "?", [v], "text %r" % v


# ------------------------------------------------------------------ helpers

def tables(c, data=None):
    names = [r[0] for r in c.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
    if data is None:
        return names
    return [n for n in names if ("/" in n) == data]


def columns(c, t):
    return [r[1] for r in c.execute('PRAGMA table_info("%s")' % t.replace('"', '""'))]


def q(name):
    return '"%s"' % name.replace('"', '""')


def pick_rowid(rng, c, t, latest_bias=True):
    cols = columns(c, t)
    where = ""
    if latest_bias and "run_id" in cols and rng.random() < 0.6:
        where = " WHERE run_id = (SELECT max(id) FROM runs)"
    r = c.execute("SELECT rowid FROM %s%s ORDER BY random() LIMIT 1" % (q(t), where)).fetchone()
    if r is None and where:
        r = c.execute("SELECT rowid FROM %s ORDER BY random() LIMIT 1" % q(t)).fetchone()
    return None if r is None else r[0]


class Ctx:
    def __init__(self, c, rng):
        self.c, self.rng = c, rng
        self.units = []  # unit ids of results rows touched (for explain)

    def touch(self, t, rowid):
        if t == "results":
            r = self.c.execute("SELECT unit_id FROM results WHERE rowid = ?", (rowid,)).fetchone()
        elif t == "unit_items":
            r = self.c.execute("SELECT r.unit_id FROM results r JOIN unit_items u ON u.run_id = r.run_id "
                               "AND u.scored = r.scored WHERE u.rowid = ?", (rowid,)).fetchone()
        else:
            return
        if r and isinstance(r[0], str) and r[0] and "\x00" not in r[0] and len(r[0]) < 200:
            self.units.append(r[0])


CORE_TABLES = ["imports", "import_columns", "runs", "run_imports", "run_sections", "run_grades",
               "run_categories", "results", "results", "results", "unit_items", "run_items", "run_notes",
               "points", "section_points"]  # the last two: schema 1 only

# ------------------------------------------------------------------ mutations
# Each returns a description or raises (sqlite3.Error / LookupError) when it
# could not be applied; the caller then draws another.


def m_cell(x):
    rng, c = x.rng, x.c
    t = rng.choice(CORE_TABLES + tables(c, data=True)[:3] * 1)
    if rng.random() < 0.15:
        t = rng.choice(tables(c, data=True))
    rid = pick_rowid(rng, c, t)
    if rid is None:
        raise LookupError("empty " + t)
    col = rng.choice(columns(c, t))
    expr, params, desc = rand_value(rng)
    x.touch(t, rid)
    c.execute("UPDATE %s SET %s = %s WHERE rowid = ?" % (q(t), q(col), expr), params + [rid])
    return "cell %s.%s (rowid %d) := %s" % (t, col, rid, desc)


def deep(n, close=True):
    return "[" * n + ("]" * n if close else "")


def mutate_json_value(rng, v, kind):
    """Structurally mutate a parsed JSON value; returns (new text, desc)."""
    if not isinstance(v, list):
        v = []
    ops = ["append", "remove", "empty", "numstr", "huge", "elem-nonarray", "dup", "shuffle",
           "deepen-elem"]
    if kind == "items":
        ops += ["item-idx", "item-idx", "note-id", "note-id", "values-many", "values-few",
                "values-junk", "skipped", "points", "extra-field", "short-elem"]
    else:
        ops += ["numstr", "huge", "null-elem"]
    op = rng.choice(ops)
    v = json.loads(json.dumps(v))
    i = rng.randrange(len(v)) if v else None
    e = v[i] if i is not None and isinstance(v[i], list) else None
    if op == "append":
        v.append(rng.choice([1, 1e308, "x", None, [], {}, [999, 1, 1, "1"], [1, 2, 3, "4 5", 1],
                             -1, 2 ** 63, [[[]]]]))
    elif op == "remove" and v:
        del v[i]
    elif op == "empty":
        v = []
    elif op == "numstr":
        if kind == "items" and e:
            j = rng.randrange(len(e))
            e[j] = str(e[j])
        elif v:
            v[i] = str(v[i])
    elif op == "huge":
        big = rng.choice(["1e400", "-1e400", "123456789012345678901234567890", "1e308", "-0",
                          "9223372036854775808", "-9223372036854775809", "4.9e-324"])
        if kind == "items" and e:
            j = rng.randrange(min(3, len(e)))
            e[j] = "@@BIG@@"
        elif v:
            v[i] = "@@BIG@@"
        txt = json.dumps(v, ensure_ascii=False).replace('"@@BIG@@"', big)
        return txt, "json %s %s" % (op, big)
    elif op == "elem-nonarray" and v:
        v[i] = rng.choice([5, "x", None, {"a": 1}, True])
    elif op == "dup" and v:
        v.insert(i, v[i])
    elif op == "shuffle":
        rng.shuffle(v)
    elif op == "deepen-elem" and v:
        v[i] = [[[[v[i]]]]]
    elif op == "null-elem" and v:
        v[i] = None
    elif op == "item-idx" and e:
        e[0] = rng.choice([0, -1, 999, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 1.5, 28, 99, None, "1"])
    elif op == "note-id" and e and len(e) > 2:
        e[2] = rng.choice([0, -1, 99999, 2 ** 31, 2 ** 63 - 1, None, "1", 1.5, 159, 158])
    elif op == "values-many" and e and len(e) > 3:
        e[3] = " ".join(str(rng.randrange(100)) for _ in range(rng.choice([10, 100, 10000])))
    elif op == "values-few" and e and len(e) > 3:
        e[3] = rng.choice(["", "1", " ", "  "])
    elif op == "values-junk" and e and len(e) > 3:
        e[3] = rng.choice(["a b c", "1e999 2", "nan inf", "1\t2", "1  2", "-", "{} {}", "{{",
                           "\u0000", "\x01\x02\x03", "x" * 100000, "1,2,3", "%s %n"])
    elif op == "skipped" and e:
        while len(e) < 5:
            e.append("")
        e[4] = rng.choice([0, 1, 2, -1, "x", None, 1.5, 2 ** 63 - 1])
    elif op == "points" and e and len(e) > 1:
        e[1] = rng.choice([None, "3", -1e308, 1e308, -0.0, 2 ** 63 - 1, [], {}, True])
    elif op == "extra-field" and e:
        e.extend([1, 2, 3])
    elif op == "short-elem" and e:
        del e[rng.randrange(1, len(e) + 1):]
    else:
        v.append(None)
        op = "append-null"
    return json.dumps(v, ensure_ascii=False), "json " + op


def m_json(x):
    rng, c = x.rng, x.c
    t, col = rng.choice([("results", "sections"), ("unit_items", "items"), ("unit_items", "items")])
    rid = pick_rowid(rng, c, t)
    if rid is None:
        raise LookupError("empty " + t)
    x.touch(t, rid)
    (old,) = c.execute("SELECT %s FROM %s WHERE rowid = ?" % (col, t), (rid,)).fetchone()
    old = old if isinstance(old, str) else ""
    r = rng.random()
    if r < 0.15:
        n = rng.randrange(len(old) + 1)
        new, desc = old[:n], "json truncated at %d of %d" % (n, len(old))
    elif r < 0.25:
        n = rng.choice([100000, 1000, 2000, 200])
        close = rng.random() < 0.5
        new = deep(n, close)
        if rng.random() < 0.5 and old.startswith("["):
            new = "[" + new + "," + old[1:]
        desc = "json nested %d '[' (%s)" % (n, "closed" if close else "unclosed")
    elif r < 0.32:
        new = rng.choice(["{}", '"x"', "5", "null", " ", "", "[1,]", "['a']", "[NaN]", "[Infinity]",
                          "[1e400]", '["\\u0000"]', '["\\ud800"]', "[" + "1," * 100000 + "1]",
                          "[[1,2,3,\"\\ud800\"]]", "[[]]", "[[1]]", "[[1,2]]", "[[1,2,3]]"])
        desc = "json replaced by %r" % new[:40]
    else:
        try:
            v = json.loads(old)
        except ValueError:
            v = []
        new, desc = mutate_json_value(rng, v, col)
    c.execute("UPDATE %s SET %s = ? WHERE rowid = ?" % (t, col), (new, rid))
    return "%s.%s (rowid %d): %s" % (t, col, rid, desc)


def m_template(x):
    rng, c = x.rng, x.c
    rid = pick_rowid(rng, c, "run_notes")
    if rid is None:
        raise LookupError("no notes")
    (old,) = c.execute("SELECT template FROM run_notes WHERE rowid = ?", (rid,)).fetchone()
    old = old if isinstance(old, str) else ""
    pos = rng.randrange(len(old) + 1)
    ops = {
        "open-brace": lambda: old[:pos] + "{" + old[pos:],
        "close-brace": lambda: old[:pos] + "}" + old[pos:],
        "double-open": lambda: old[:pos] + "{{" + old[pos:],
        "double-close": lambda: old[:pos] + "}}" + old[pos:],
        "many-slots": lambda: old[:pos] + "{}" * rng.choice([50, 1000, 100000]) + old[pos:],
        "no-slots": lambda: old.replace("{}", ""),
        "empty": lambda: "",
        "truncate": lambda: old[:pos],
        "strip-ctl": lambda: re.sub("[\x01\x02\x03]", "", old),
        "drop-one-ctl": lambda: old.replace(rng.choice("\x01\x02\x03"), "", 1),
        "extra-ctl": lambda: old[:pos] + rng.choice("\x01\x02\x03") + old[pos:],
        "nested": lambda: old[:-1] + old + "\x03" if old else "\x01\x01",
        "unknown-key": lambda: re.sub("^\x01[^\x02\x03]*", "\x01NOTE_BOGUS", old),
        "long-key": lambda: re.sub("^\x01[^\x02\x03]*", "\x01" + "K" * 100000, old),
        "plain": lambda: rng.choice(["{}", "{", "}", "{{}}", "{x}", "{0}", "{%s}", "{}{}{}{}{}{}{}{}",
                                     "\x01\x03", "\x01", "\x02{}\x02", "%n%s{}"]),
        "NUL": lambda: old[:pos] + "\x00" + old[pos:],
        "slot-in-arg": lambda: old.replace("\x02", "\x02{}", 1),
        "swap-slot-ctl": lambda: old.replace("{}", "\x02", 1),
    }
    op = rng.choice(sorted(ops))
    new = ops[op]()
    if op == "NUL" or rng.random() < 0.1:
        c.execute("UPDATE run_notes SET template = CAST(? AS TEXT) WHERE rowid = ?",
                  (new.encode("utf-8", "surrogatepass"), rid))
    else:
        c.execute("UPDATE run_notes SET template = ? WHERE rowid = ?", (new, rid))
    return "run_notes.template (rowid %d): %s" % (rid, op)


def m_delete(x):
    rng, c = x.rng, x.c
    t = rng.choice(["results", "results", "unit_items", "unit_items", "run_sections", "run_items",
                    "run_notes", "imports", "run_grades", "run_categories", "run_imports",
                    "import_columns", "runs", "data"])
    if t == "data":
        t = rng.choice(tables(c, data=True))
    rid = pick_rowid(rng, c, t)
    if rid is None:
        raise LookupError("empty " + t)
    x.touch(t, rid)
    c.execute("DELETE FROM %s WHERE rowid = ?" % q(t), (rid,))
    return "delete %s rowid %d" % (t, rid)


def copy_row(c, t, rid, changes):
    cols = columns(c, t)
    sel = []
    params = []
    for col in cols:
        if col in changes:
            sel.append("?")
            params.append(changes[col])
        else:
            sel.append(q(col))
    c.execute("INSERT INTO %s(%s) SELECT %s FROM %s WHERE rowid = ?" %
              (q(t), ",".join(q(k) for k in cols), ",".join(sel), q(t)), params + [rid])


def m_duplicate(x):
    rng, c = x.rng, x.c
    t = rng.choice(["results", "unit_items", "run_sections", "run_items", "run_notes", "runs",
                    "imports", "run_imports", "run_grades", "run_categories", "import_columns", "data"])
    if t == "data":
        t = rng.choice(tables(c, data=True))
        rid = pick_rowid(rng, c, t)
        if rid is None:
            raise LookupError("empty")
        copy_row(c, t, rid, {})
        return "duplicate data row %s rowid %d" % (t, rid)
    rid = pick_rowid(rng, c, t)
    if rid is None:
        raise LookupError("empty " + t)
    row = dict(zip(columns(c, t), c.execute("SELECT * FROM %s WHERE rowid = ?" % t, (rid,)).fetchone()))
    run = row.get("run_id")
    ch = {}
    if t == "results":
        mp = c.execute("SELECT max(position) FROM results WHERE run_id = ?", (run,)).fetchone()[0]
        ch["position"] = rng.choice([mp + 1, 0, -1, 2 ** 31, mp + 100])
        uid = row["unit_id"] if isinstance(row["unit_id"], str) else "U"
        ch["unit_id"] = rng.choice([uid + " ", uid.lower(), uid + "X", " " + uid, uid + "\u200b"])
        if rng.random() < 0.5:
            ch["scored"] = rng.choice([row["scored"], 10 ** 6, -1])
    elif t == "unit_items":
        ms = c.execute("SELECT max(scored) FROM unit_items WHERE run_id = ?", (run,)).fetchone()[0]
        ch["scored"] = rng.choice([ms + 1, -1, 2 ** 31])
        if rng.random() < 0.3:
            ch["run_id"] = rng.choice([1, 2, 3, 99])
    elif t in ("run_sections", "run_items", "run_grades", "run_categories"):
        mp = c.execute("SELECT max(position) FROM %s WHERE run_id = ?" % t, (run,)).fetchone()[0]
        ch["position"] = rng.choice([mp + 1, 0, -1, mp + 50, 2 ** 31])
        if t == "run_items" and rng.random() < 0.5:
            ch["section"] = rng.choice([0, -1, 99, None])
        if t == "run_categories" and rng.random() < 0.5:
            ch["name"] = row["name"]
    elif t == "run_notes":
        mi = c.execute("SELECT max(id) FROM run_notes WHERE run_id = ?", (run,)).fetchone()[0]
        ch["id"] = rng.choice([mi + 1, 0, -1, 2 ** 31, 2 ** 63 - 1])
    elif t == "runs":
        mi = c.execute("SELECT max(id) FROM runs").fetchone()[0]
        ch["id"] = rng.choice([mi + 1, 0, -1, 2 ** 31, 2 ** 63 - 1])
        if rng.random() < 0.5:
            ch["last_year"] = rng.choice([2021, 2020, 2019, None, -1])
    elif t == "imports":
        mi = c.execute("SELECT max(id) FROM imports").fetchone()[0]
        ch["id"] = mi + 1
        ch["replaced_at"] = rng.choice([None, "2021-01-01T00:00:00Z"])
        if ch["replaced_at"] is None:
            ch["name"] = (row["name"] or "") + rng.choice(["2", "_dup", ""])
    elif t == "run_imports":
        ch["import_id"] = rng.choice([9999, -1, 0])
    elif t == "import_columns":
        mp = c.execute("SELECT max(position) FROM import_columns WHERE import_id = ?",
                       (row["import_id"],)).fetchone()[0]
        ch["position"] = rng.choice([mp + 1, 0, -1, mp + 10])
    copy_row(c, t, rid, ch)
    return "duplicate %s rowid %d with %s" % (t, rid, {k: (v if not isinstance(v, str) else repr(v))
                                                       for k, v in ch.items()})


SWAP_COLS = {"results": ["position", "rank", "scored", "unit_id", "total", "sections", "category", "grade",
                         "commended", "last_rank", "name"],
             "unit_items": ["scored", "items"],
             "run_sections": ["position", "name", "points"],
             "run_items": ["position", "section", "kind", "name"],
             "run_notes": ["id", "template"],
             "run_categories": ["position", "name", "quota"],
             "run_grades": ["position", "name"],
             "import_columns": ["position", "name"],
             "imports": ["id", "data_table", "name", "year"],
             "runs": ["id", "year", "last_year"]}


def m_swap(x):
    rng, c = x.rng, x.c
    t = rng.choice(sorted(SWAP_COLS))
    col = rng.choice(SWAP_COLS[t])
    cols = columns(c, t)
    if "run_id" in cols and rng.random() < 0.8:
        run = c.execute("SELECT max(id) FROM runs").fetchone()[0]
        rows = [r[0] for r in c.execute("SELECT rowid FROM %s WHERE run_id = ? ORDER BY random() LIMIT 2" % t,
                                        (run,))]
    else:
        rows = [r[0] for r in c.execute("SELECT rowid FROM %s ORDER BY random() LIMIT 2" % t)]
    if len(rows) < 2:
        raise LookupError("too few rows")
    a, b = rows
    x.touch(t, a)
    x.touch(t, b)
    va = c.execute("SELECT %s FROM %s WHERE rowid = ?" % (col, t), (a,)).fetchone()[0]
    vb = c.execute("SELECT %s FROM %s WHERE rowid = ?" % (col, t), (b,)).fetchone()[0]
    tmp = -987654321 if isinstance(va, int) else "__swap_tmp__"
    c.execute("UPDATE %s SET %s = ? WHERE rowid = ?" % (t, col), (tmp, a))
    c.execute("UPDATE %s SET %s = ? WHERE rowid = ?" % (t, col), (va, b))
    c.execute("UPDATE %s SET %s = ? WHERE rowid = ?" % (t, col), (vb, a))
    return "swap %s.%s between rowids %d and %d" % (t, col, a, b)


def m_units(x):
    rng, c = x.rng, x.c
    run = rng.choice([r[0] for r in c.execute("SELECT id FROM runs")])
    n = c.execute("SELECT count(*) FROM results WHERE run_id = ?", (run,)).fetchone()[0]
    v = rng.choice([0, -1, n + 1, n - 1, 2 ** 31, 2 ** 63 - 1, None, 1, n * 1000])
    c.execute("UPDATE runs SET units = ? WHERE id = ?", (v, run))
    return "runs.units of run %d := %r (has %d)" % (run, v, n)


def m_run_meta(x):
    rng, c = x.rng, x.c
    run = rng.choice([r[0] for r in c.execute("SELECT id FROM runs")])
    col, v = rng.choice([
        ("precision", rng.choice([-1, 0, 1, 17, 20, 100, 2 ** 31, -2 ** 63, 2 ** 63 - 1])),
        ("year", rng.choice([0, -1, 2 ** 31, 2 ** 63 - 1, 99999, 2020, 2021, 2022])),
        ("last_year", rng.choice([0, -1, 2021, 2020, 2019, 2 ** 63 - 1, -2 ** 63])),
        ("rules_file", rng.choice(["", "/dev/zero", "/nonexistent.lua", "rules/bench.lua", "/",
                                   "rules/2021-fazhi.lua", "/dev/stdin", "x" * 5000])),
        ("rules_sha256", rng.choice(["", "00", "z" * 64, "0" * 64])),
        ("scored_at", rng.choice(["", "garbage", "9999-99-99T99:99:99Z", "x" * 10000])),
        ("title", rng.choice(["", "{}", "%s%n", "x" * 100000, "\u202e"])),
    ])
    c.execute("UPDATE runs SET %s = ? WHERE id = ?" % col, (v, run))
    return "runs.%s of run %d := %r" % (col, run, v if not isinstance(v, str) else v[:40])


def m_schema(x):
    rng, c = x.rng, x.c
    ops = [
        ("drop index imports_active", "DROP INDEX imports_active"),
        ("drop index results_unit", "DROP INDEX results_unit"),
        ("add trigger", "CREATE TRIGGER t_evil AFTER INSERT ON runs BEGIN DELETE FROM results; END"),
        ("add view", "CREATE VIEW v_evil AS SELECT 1"),
        ("drop view points", "DROP VIEW points"),
        ("drop view section_points", "DROP VIEW section_points"),
        ("add table", "CREATE TABLE extra(x)"),
        ("add index", "CREATE INDEX results_total ON results(total)"),
        ("add column", "ALTER TABLE results ADD COLUMN evil TEXT"),
        ("add data-table column", None),
        ("drop data table", None),
        ("rename data table", None),
        ("user_version", None),
        ("application_id", None),
        ("temp-like table", 'CREATE TABLE "2021/evil"("_line" INTEGER, x)'),
    ]
    name, sql = rng.choice(ops)
    if name == "add data-table column":
        t = rng.choice(tables(c, data=True))
        sql = 'ALTER TABLE %s ADD COLUMN "evil"' % q(t)
    elif name == "drop data table":
        sql = "DROP TABLE %s" % q(rng.choice(tables(c, data=True)))
    elif name == "rename data table":
        t = rng.choice(tables(c, data=True))
        sql = "ALTER TABLE %s RENAME TO %s" % (q(t), q(t + "x"))
    elif name == "user_version":
        sql = "PRAGMA user_version = %d" % rng.choice([0, 1, 3, -1, 2 ** 31 - 1, 99])
    elif name == "application_id":
        sql = "PRAGMA application_id = %d" % rng.choice([0, 1, -1, 123456])
    c.execute(sql)
    return "schema: %s (%s)" % (name, sql)


def m_v1(x):
    """Schema-1 tables (the fixture tests/data/store-v1/v1.db): notes as text,
    section points as rows; every command migrates them to schema 2."""
    rng, c = x.rng, x.c
    if "points" not in tables(c):
        raise LookupError("not schema 1")
    t = rng.choice(["points", "points", "points", "section_points", "results"])
    rid = pick_rowid(rng, c, t)
    if rid is None:
        raise LookupError("empty")
    if t == "points" and rng.random() < 0.6:
        col = "note"
        (old,) = c.execute("SELECT note FROM points WHERE rowid = ?", (rid,)).fetchone()
        old = old if isinstance(old, str) else ""
        pos = rng.randrange(len(old) + 1)
        new = rng.choice([
            old[:pos] + "{" + old[pos:], old[:pos] + "}" + old[pos:], old[:pos] + "{{}}" + old[pos:],
            old[:pos] + "{}" + old[pos:], " ".join(str(i) for i in range(rng.choice([100, 10000]))),
            "9" * rng.choice([30, 400, 100000]), "1." * 5000, "0.000000000000000000001",
            old[:pos] + "\x01" + old[pos:], old[:pos] + "\x02{}\x03" + old[pos:], "", "{}" * 5000,
            old + " " + old, re.sub(r"\d", "", old), re.sub(r"\d+", "1e999", old), old[:pos],
            "1 2 3 4 5 6 7 8 9 10", "a1 1a 1.2.3 .5 5. -3", old.replace(" ", "  "),
        ])
        c.execute("UPDATE points SET note = ? WHERE rowid = ?", (new, rid))
        return "v1 points.note (rowid %d) := %r" % (rid, new[:60])
    if t == "points" and rng.random() < 0.5:
        col, v = rng.choice([("seq", rng.choice([0, -1, 999, 2 ** 31, 2 ** 63 - 1])),
                             ("kind", rng.choice(["", "bogus", "Indicator", None])),
                             ("section", rng.choice(["", "nope", None, "二、推进依法科学民主决策"])),
                             ("item", rng.choice(["", "x" * 100000, "不存在的指标"])),
                             ("skipped", rng.choice([2, -1, "x", 1.5])),
                             ("points", rng.choice([1e308, -1e308, float("inf"), "3"]))])
        c.execute("UPDATE points SET %s = ? WHERE rowid = ?" % col, (v, rid))
        return "v1 points.%s (rowid %d) := %r" % (col, rid, v if not isinstance(v, str) else v[:40])
    if t == "section_points":
        col, v = rng.choice([("section", rng.choice(["", "nope", None, "一、履行第一责任人职责"])),
                             ("points", rng.choice([1e308, float("inf"), "x", None])),
                             ("unit_id", rng.choice(["nobody", "", "Z01"]))])
        c.execute("UPDATE section_points SET %s = ? WHERE rowid = ?" % col, (v, rid))
        return "v1 section_points.%s (rowid %d) := %r" % (col, rid, v)
    return m_cell(x)


MUTATIONS = [(m_v1, 25), (m_cell, 30), (m_json, 22), (m_template, 10), (m_delete, 10), (m_duplicate, 8), (m_swap, 8),
             (m_units, 3), (m_run_meta, 5), (m_schema, 3)]


def flip_bytes(rng, path):
    size = os.path.getsize(path)
    page = 16384
    with open(path, "r+b") as f:
        descs = []
        for _ in range(rng.choice([1, 4, 16])):
            off = rng.randrange(page, size) if size > page else rng.randrange(100, size)
            f.seek(off)
            f.write(bytes([rng.randrange(256)]))
            descs.append(off)
    return "flip bytes at %s" % descs


def mutate(rng, path):
    """Apply 1-3 mutations; returns (descriptions, units touched)."""
    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA foreign_keys = OFF")
    x = Ctx(c, rng)
    want = rng.choice([1, 1, 2, 2, 3])
    done = []
    tries = 0
    fns, weights = zip(*MUTATIONS)
    while len(done) < want and tries < 30:
        tries += 1
        fn = rng.choices(fns, weights)[0]
        try:
            c.execute("SAVEPOINT m")
            done.append(fn(x))
            c.execute("RELEASE m")
        except (sqlite3.Error, LookupError, ValueError, TypeError, IndexError, OverflowError):
            try:
                c.execute("ROLLBACK TO m")
                c.execute("RELEASE m")
            except sqlite3.Error:
                pass
    c.close()
    if rng.random() < 0.03:
        done.append(flip_bytes(rng, path))
    return done, x.units

# ------------------------------------------------------------------ running

SAN_RE = re.compile(r"ERROR: AddressSanitizer|runtime error:|LeakSanitizer|ERROR: UndefinedBehaviorSanitizer")
FRAME_RE = re.compile(r"^\s*#\d+ 0x[0-9a-f]+ in (\S+) (\S+)")
SKIP_FN = re.compile(r"^(__asan|__interceptor|__sanitizer|__ubsan|__lsan|_?_?GI_|abort|raise|__libc|"
                     r"malloc|calloc|realloc|free|strdup|memcpy|memmove|memset|strlen|_start|main$)")


def run(argv, db, out):
    cmd = argv[:1] + argv[1:] + ["--db", db]
    t0 = time.time()
    p = subprocess.Popen(cmd, cwd=ROOT, env=ENV, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        so, se = p.communicate(timeout=TIMEOUT)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        so, se = p.communicate()
        rc = "timeout"
    return rc, so, se.decode("utf-8", "replace"), time.time() - t0


def san_key(stderr):
    m = re.search(r"(ERROR: AddressSanitizer: [\w-]+|ERROR: LeakSanitizer: [\w ]+|"
                  r"(\S+): runtime error: [^\n]{0,60})", stderr)
    kind = m.group(0) if m else "sanitizer"
    kind = re.sub(r"0x[0-9a-f]+|\d{3,}", "N", kind)
    frames = []
    for line in stderr.splitlines():
        f = FRAME_RE.match(line)
        if not f:
            continue
        fn, loc = f.groups()
        if SKIP_FN.match(fn) or "sanitizer" in loc or "libc" in loc:
            continue
        frames.append(fn)
        if len(frames) == 3:
            break
    return "%s | %s" % (kind, " < ".join(frames))


def classify(label, rc, stderr):
    """(class, dedup key) or None."""
    if rc == "timeout":
        return "timeout", "timeout | %s" % label
    if SAN_RE.search(stderr):
        return "sanitizer", san_key(stderr)
    if rc < 0 or rc >= 128:
        return "signal", "signal %s | %s" % (rc, label)
    if rc == 70:
        first = next((l for l in stderr.splitlines() if l.strip()), "")
        first = re.sub(r"/tmp/\S+", "DB", first)
        first = re.sub(r"\d+", "N", first)
        return "ex_software", "70 | %s | %s" % (label, first[:160])
    return None


GARBAGE_RE = re.compile(rb"\(null\)|\b-?nan\b|\b-?inf\b|\x00", re.I)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=40)
    ap.add_argument("--cases", type=int, default=0, help="stop after N cases (0: by time)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/asan/kaoping"))
    ap.add_argument("--plain", default=os.path.join(ROOT, "kaoping"))
    ap.add_argument("--out", default="/tmp/dbfuzz-findings")
    ap.add_argument("--weights", default="60,20,20",
                    help="how often each seed is drawn: fazhi, bench, v1 (schema 1, migrated on open)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    a.weights = [float(w) for w in a.weights.split(",")]
    kp = os.path.abspath(a.bin)
    if not os.access(kp, os.X_OK):
        sys.exit("no binary at %s (build the asan binary first)" % kp)
    plain = a.plain if os.access(a.plain, os.X_OK) else kp
    base_seed = a.seed if a.seed is not None else int(time.time())
    os.makedirs(a.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="dbfuzz-")
    deadline = time.time() + a.minutes * 60
    print("dbfuzz: seed %d, binary %s, work %s, findings %s" % (base_seed, kp, tmp, a.out), flush=True)
    seeds = build_seeds(plain, tmp)

    # the unmutated seeds must pass every command
    for s in seeds:
        for label, argv in commands(s, s["unit"], os.path.join(tmp, "base-" + s["name"])):
            shutil.rmtree(os.path.join(tmp, "base-" + s["name"]), ignore_errors=True)
            os.makedirs(os.path.join(tmp, "base-" + s["name"]))
            w = os.path.join(tmp, "base.db")
            shutil.copyfile(s["path"], w)
            rc, so, se, _ = run([kp] + argv, w, None)
            if rc != 0:
                print("dbfuzz: baseline %s %s exit %s: %s" % (s["name"], label, rc, se[:300]), flush=True)

    findings = {}   # key -> {"class", "count", "file"}
    old_keys = set()  # keys of reproducers an earlier run left in OUT
    for fn in os.listdir(a.out):
        if fn.endswith(".txt") and not fn.startswith("summary"):
            with open(os.path.join(a.out, fn), errors="replace") as fh:
                for line in fh:
                    if line.startswith("key: "):
                        old_keys.add(line[5:].rstrip("\n"))
    leads = []      # exit-0 garbage, odd statuses, silent failures
    exits = {}
    examples = {}   # "command:status" -> the first case that gave it (statuses other than 0 and 65)
    nfind = len([f for f in os.listdir(a.out) if f.endswith(".db")])
    cases = runs = 0
    stop = []  # SIGTERM / SIGINT: finish the current command, write the summary, stop
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while time.time() < deadline and (not a.cases or cases < a.cases) and not stop:
        cseed = base_seed * 100000 + cases
        rng = random.Random(cseed)
        s = rng.choices(seeds, a.weights)[0]
        cdir = os.path.join(tmp, "case")
        shutil.rmtree(cdir, ignore_errors=True)
        os.makedirs(cdir)
        mdb = os.path.join(cdir, "m.db")
        shutil.copyfile(s["path"], mdb)
        muts, touched = mutate(rng, mdb)
        cases += 1
        unit = touched[0] if touched and rng.random() < 0.7 else s["unit"]
        for label, argv in commands(s, unit, os.path.join(cdir, "out")):
            if time.time() > deadline + 60 or stop:
                break
            odir = os.path.join(cdir, "out")
            shutil.rmtree(odir, ignore_errors=True)
            os.makedirs(odir)
            w = os.path.join(cdir, "w.db")
            for ext in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(w + ext):
                    os.remove(w + ext)
            shutil.copyfile(mdb, w)
            rc, so, se, dt = run([kp] + argv, w, odir)
            runs += 1
            ek = "%s:%s" % (label, rc)
            exits[ek] = exits.get(ek, 0) + 1
            if rc not in (0, 65) and ek not in examples:
                first = next((l for l in se.splitlines() if l.strip()), "")
                examples[ek] = "%s [%s] %s :: %s" % (ek, s["name"], "; ".join(muts)[:200], first[:200])
            cl = classify(label, rc, se)
            desc = "; ".join(muts)
            if a.verbose:
                print("case %d %s %s exit %s (%.2fs) %s" % (cases, s["name"], label, rc, dt, desc[:150]))
            if cl:
                cls, key = cl
                f = findings.get(key)
                if f:
                    f["count"] += 1
                    continue
                if key in old_keys:
                    findings[key] = {"class": cls, "count": 1, "file": "(earlier run)", "cmd": label}
                    continue
                nfind += 1
                slug = re.sub(r"[^A-Za-z0-9]+", "-", "%s-%s" % (cls, label))[:60]
                base = os.path.join(a.out, "%03d-%s" % (nfind, slug))
                shutil.copyfile(mdb, base + ".db")
                shown = [("build/asan/kaoping" if x == kp else x) for x in argv]
                shown = [x.replace(cdir + "/out", "OUT") for x in shown]
                with open(base + ".txt", "w") as fh:
                    fh.write("class: %s\nkey: %s\nseed db: %s (case seed %d)\n" % (cls, key, s["name"], cseed))
                    fh.write("command (from %s, on a copy of the .db; OUT a fresh directory):\n" % ROOT)
                    fh.write("  env ASAN_OPTIONS=%s UBSAN_OPTIONS=%s KAOPING_LANG=en %s --db COPY.db\n" %
                             (ENV["ASAN_OPTIONS"], ENV["UBSAN_OPTIONS"], " ".join(shown)))
                    fh.write("exit status: %s (%.2fs)\nmutations:\n" % (rc, dt))
                    for m in muts:
                        fh.write("  - %s\n" % m[:300])
                    fh.write("stderr (first 40 lines):\n")
                    for line in se.splitlines()[:40]:
                        fh.write("  " + line[:400] + "\n")
                findings[key] = {"class": cls, "count": 1, "file": base + ".db", "cmd": label}
                print("dbfuzz: NEW %s: %s -> %s" % (cls, key, base + ".db"), flush=True)
            elif rc == 0 and label not in ("runs", "imports") and GARBAGE_RE.search(so) and len(leads) < 300:
                m = GARBAGE_RE.search(so)
                ctx = so[max(0, m.start() - 80):m.end() + 40].decode("utf-8", "replace")
                leads.append("exit-0 garbage? %s [%s] %s :: %r" % (label, s["name"], desc[:200], ctx))
            elif rc != 0 and not se.strip() and len(leads) < 300:
                leads.append("silent failure: %s exit %s [%s] %s" % (label, rc, s["name"], desc[:200]))
            elif rc not in (0, 65, 66, 74, 75, 78) and len(leads) < 300:
                leads.append("odd exit %s: %s [%s] %s :: %s" % (rc, label, s["name"], desc[:200],
                                                              se.strip().splitlines()[0][:200] if se.strip() else ""))
        if cases % 100 == 0:
            print("dbfuzz: %d cases, %d runs, %d distinct findings, %.0f min left" %
                  (cases, runs, len(findings), (deadline - time.time()) / 60), flush=True)
            write_summary(a.out, base_seed, cases, runs, findings, leads, exits, examples)
    write_summary(a.out, base_seed, cases, runs, findings, leads, exits, examples)
    shutil.rmtree(tmp, ignore_errors=True)
    print("dbfuzz: done: %d cases, %d command runs, %d distinct findings (%s.txt)" %
          (cases, runs, len(findings), os.path.join(a.out, "summary-%d" % base_seed)), flush=True)
    return 1 if any(f["class"] != "ex_software" for f in findings.values()) else 0


def write_summary(out, seed, cases, runs, findings, leads, exits, examples):
    with open(os.path.join(out, "summary-%d.txt" % seed), "w") as fh:
        fh.write("seed %d: %d cases, %d command runs\n\nfindings:\n" % (seed, cases, runs))
        for k, f in sorted(findings.items(), key=lambda kv: kv[1]["file"]):
            fh.write("  [%s] x%d %s\n      %s\n" % (f["class"], f["count"], os.path.basename(f["file"]), k))
        fh.write("\nexit statuses (command:status count):\n")
        for k in sorted(exits):
            fh.write("  %s %d\n" % (k, exits[k]))
        fh.write("\nfirst case of each status other than 0 and 65:\n")
        for k in sorted(examples):
            fh.write("  %s\n" % examples[k])
        fh.write("\nleads (not findings):\n")
        for l in leads:
            fh.write("  " + l + "\n")


if __name__ == "__main__":
    sys.exit(main())
