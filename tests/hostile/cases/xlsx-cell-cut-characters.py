# The longest runs of each name's character in the workbooks written:
# 20000 kept whole, 40000 cut to 32766 and "…" (32767 in all), 20000 emoji
# to 16383 and "…" (in a score sheet, the one unit's own name): a cut is
# marked, a whole name is not.
import glob
import re
import zipfile

WANT = {"名": 20000, "长": 32766, "\U0001F600": 16383}
CUT = {"名": False, "长": True, "\U0001F600": True}
sheets = {"名": "sheets/U0000001-*.xlsx", "长": "sheets/U0000002-*.xlsx", "\U0001F600": "sheets/U0000003-*.xlsx"}


def runs(f, c):
    t = zipfile.ZipFile(f).read("xl/sharedStrings.xml").decode()
    return max([len(m) for m in re.findall(c + "+", t)] or [0])


def marked(f, c):
    return (c + "\u2026") in zipfile.ZipFile(f).read("xl/sharedStrings.xml").decode()


for c, n in WANT.items():
    for f in ["r.xlsx", "c.xlsx"] + glob.glob(sheets[c]):
        assert runs(f, c) == n, (f, c, runs(f, c), n)
        assert marked(f, c) == CUT[c], (f, c, "marked" if CUT[c] else "not marked")
print("ok")
