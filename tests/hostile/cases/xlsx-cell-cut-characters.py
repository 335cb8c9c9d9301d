# The longest runs of each name's character in the workbooks written:
# 20000 kept whole, 40000 cut to 32767, 20000 emoji to 16383 (in a score
# sheet, the one unit's own name).
import glob
import re
import zipfile

WANT = {"名": 20000, "长": 32767, "\U0001F600": 16383}
sheets = {"名": "sheets/U0000001-*.xlsx", "长": "sheets/U0000002-*.xlsx", "\U0001F600": "sheets/U0000003-*.xlsx"}


def runs(f, c):
    t = zipfile.ZipFile(f).read("xl/sharedStrings.xml").decode()
    return max([len(m) for m in re.findall(c + "+", t)] or [0])


for c, n in WANT.items():
    for f in ["r.xlsx", "c.xlsx"] + glob.glob(sheets[c]):
        assert runs(f, c) == n, (f, c, runs(f, c), n)
print("ok")
