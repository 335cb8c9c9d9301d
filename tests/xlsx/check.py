#!/usr/bin/env python3
"""check.py WORKBOOK.xlsx REPORT.json — read a kaoping workbook back and
check each sheet as it prints: landscape A4 one page wide, the title and
header rows repeated (print titles), the title row naming the assessment
and the year, section heads "一、…（15分）" wrapped, panes frozen at the unit
name, numbers as numbers (rank change too, shown ↑/↓ by its format),
deductions negative in every sheet, the autofilter exactly over the data,
the title and page numbers in the page header and footer.  The JSON report
of the same run gives the expected values.  Prints "N passed, N failed"."""
import json, re, sys, zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
        print("ok    " + what)
    else:
        failed += 1
        print("FAIL  " + what)


def col_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def col_name(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


z = zipfile.ZipFile(sys.argv[1])
units = json.load(open(sys.argv[2], encoding="utf-8"))
strings = ["".join(t.text or "" for t in si.iter("{%s}t" % NS["m"]))
           for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS)]
styles = ET.fromstring(z.read("xl/styles.xml"))
numfmts = {n.get("numFmtId"): n.get("formatCode") for n in styles.iter("{%s}numFmt" % NS["m"])}
xfs = styles.find("m:cellXfs", NS).findall("m:xf", NS)
wb = ET.fromstring(z.read("xl/workbook.xml"))
sheets = [s.get("name") for s in wb.find("m:sheets", NS)]
defined = {(d.get("name"), d.get("localSheetId")): d.text for d in wb.iter("{%s}definedName" % NS["m"])}
title = "陇县2021年度依法行政工作目标责任考核"
check(sheets == ["镇", "部门", "拟表彰名单", "得分明细"], "sheets: %s" % sheets)


def cells(root):
    """{(row, col): (type, value, style)} and the merged ranges."""
    out = {}
    for c in root.iter("{%s}c" % NS["m"]):
        ref = c.get("r")
        row = int(re.search(r"\d+", ref).group(0))
        v = c.find("m:v", NS)
        val = v.text if v is not None else None
        if c.get("t") == "s" and val is not None:
            val = strings[int(val)]
        out[(row, col_index(ref))] = (c.get("t") or "n", val, int(c.get("s") or 0))
    return out


def fmt_of(style):
    xf = xfs[style]
    return numfmts.get(xf.get("numFmtId"), xf.get("numFmtId")), xf.get("applyAlignment"), xf.find("m:alignment", NS)


for i, name in enumerate(sheets):
    root = ET.fromstring(z.read("xl/worksheets/sheet%d.xml" % (i + 1)))
    c = cells(root)
    ps = root.find("m:pageSetup", NS)
    check(ps is not None and ps.get("orientation") == "landscape" and ps.get("paperSize") == "9"
          and ps.get("fitToWidth", "1") == "1" and ps.get("fitToHeight") == "0", name + ": landscape A4, one page wide")
    check(root.find("m:sheetPr/m:pageSetUpPr", NS).get("fitToPage") == "1", name + ": fit to page on")
    check(defined.get(("_xlnm.Print_Titles", str(i))) == "'%s'!$1:$2" % name, name + ": print titles rows 1-2")
    hf = root.find("m:headerFooter", NS)
    check(hf is not None and hf.find("m:oddHeader", NS).text == "&C" + title
          and "&P" in hf.find("m:oddFooter", NS).text and "&N" in hf.find("m:oddFooter", NS).text,
          name + ": page header has the title, footer &P of &N")
    pane = root.find("m:sheetViews/m:sheetView/m:pane", NS)
    want_x = "4" if name == "拟表彰名单" else "3"
    check(pane is not None and pane.get("ySplit") == "2" and pane.get("xSplit") == want_x and pane.get("state") == "frozen",
          name + ": panes frozen below the header, right of the unit name")
    head = {col: v for (row, col), (t, v, s) in c.items() if row == 2}
    ncols = max(head) + 1
    check(sorted(head) == list(range(ncols)), name + ": %d header cells, none empty" % ncols)
    check(all(fmt_of(c[(2, j)][2])[2] is not None and fmt_of(c[(2, j)][2])[2].get("wrapText") == "1" for j in head),
          name + ": header wrapped")
    merge = root.find("m:mergeCells/m:mergeCell", NS)
    check(merge is not None and merge.get("ref") == "A1:%s1" % col_name(ncols - 1)
          and title in c[(1, 0)][1] and "2021年度" in c[(1, 0)][1] and name in c[(1, 0)][1],
          name + ": title row A1:%s1 names the assessment, the year and the sheet" % col_name(ncols - 1))
    last = max(row for (row, col) in c if row >= 3 and col == (1 if name != "拟表彰名单" else 2) and c[(row, col)][1])
    af = root.find("m:autoFilter", NS).get("ref")
    check(af == "A2:%s%d" % (col_name(ncols - 1), last), name + ": autofilter %s over the data (A2:%s%d)" % (af, col_name(ncols - 1), last))
    check(not any(col >= ncols for (row, col) in c), name + ": no cell right of the header")
    if name in ("镇", "部门"):
        cat = [u for u in units if u["category"] == name]
        secs = [head[j] for j in range(3, 9)]
        check(all(re.fullmatch(r"[一二三四五六]、.+（\d+分）", s) for s in secs), name + ": section heads with points: " + " ".join(secs))
        check(head[9] == "扣分" and head[15] == "名次变化", name + ": 扣分 and 名次变化 columns")
        rows = range(3, 3 + len(cat))
        check(all(c[(r, 0)][0] == "n" and int(float(c[(r, 0)][1])) == u["rank"] for r, u in zip(rows, cat)), name + ": rank numbers")
        check(all(c[(r, 11)][0] == "n" and abs(float(c[(r, 11)][1]) - u["total"]) < 1e-9 for r, u in zip(rows, cat)), name + ": totals as numbers")
        check(all(abs(float(c[(r, 9)][1]) + u["deductions"]) < 1e-9 and float(c[(r, 9)][1]) <= 0 for r, u in zip(rows, cat)),
              name + ": deductions negative (as in 得分明细)")
        chg = [c.get((r, 15)) for r in rows]
        nums = [x for x in chg if x and x[0] == "n"]
        check(len(nums) >= len(cat) - 2 and all(fmt_of(x[2])[0] == '"↑"0;"↓"0;"–"' for x in nums),
              name + ": rank change numbers with the ↑/↓ format (%d of %d)" % (len(nums), len(cat)))
        check(all(x is None or x[0] == "n" or x[1] == "新" for x in chg), name + ": rank change otherwise 新")
        check(all(float(x[1]) == u["rank_change"] for x, u in zip(chg, cat) if x and x[0] == "n"),
              name + ": rank change is the JSON rank_change (places up)")
    if name == "得分明细":
        kinds = [(c[(r, 3)][1], c.get((r, 6))) for (r, col) in c if col == 3 and r >= 3]
        ded = [p for k, p in kinds if k in ("扣分", "分项扣分") and p]
        check(ded and all(float(p[1]) <= 0 for p in ded), name + ": deductions negative (%d)" % len(ded))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
