#!/usr/bin/env python3
# mess.py SEED FILE...: rewrite each CSV as Excel/WPS might save it
import random, sys, subprocess, os
R = random.Random(int(sys.argv[1]) * 7919)
for fn in sys.argv[2:]:
    text = open(fn, encoding="utf-8").read()
    lines = text.splitlines()
    if "2021/" in fn and R.random() < .15 and len(lines) > 2:
        k2 = R.randint(1, len(lines) - 1)
        f = lines[k2].split(",")
        if '"' not in lines[k2] and len(f) > 3:
            f[R.randint(1, len(f) - 1)] = R.choice(["abc", "#DIV/0!", "(12)", "1e309", "—", "", "12%%", "150%", "0x1F", "N/A", "1,2", "-3"])
            lines[k2] = ",".join(f)
    if "2021/d" in fn and R.random() < .1:
        lines.append("ZZ9" + "," * lines[0].count(","))
    k = R.randint(0, 9)
    if k == 0:  # tab-separated (no quotes with commas in values)
        if not any('"' in l for l in lines):
            lines = [l.replace(",", "\t") for l in lines]
    elif k == 1:  # trailing empty column
        lines = [l + "," for l in lines]
    elif k == 2:  # blank rows
        out = []
        for l in lines:
            out.append(l)
            if R.random() < .3:
                out.append("," * l.count(","))
        lines = out
    eol = R.choice(["\n", "\r\n", "\r"])
    body = eol.join(lines) + (eol if R.random() < .8 else "")
    enc = R.randint(0, 5)
    if enc == 0:
        data = b"\xef\xbb\xbf" + body.encode("utf-8")
    elif enc == 1 and any(ord(c) > 0x4e00 for c in body):
        try:
            data = body.encode("gb18030")
        except Exception:
            data = body.encode("utf-8")
    else:
        data = body.encode("utf-8")
    open(fn, "wb").write(data)
    if R.random() < .15 and k != 0 and k != 2 and eol != "\r" and enc not in (0, 1):
        subprocess.run(["python3", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "workbooks", "mkxlsx.py"), "csv", fn, fn + ".x"], check=True)
        os.replace(fn + ".x", fn)
