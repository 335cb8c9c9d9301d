# xml-forbidden-chars.py — the checks of xml-forbidden-chars.case: every XML
# part of the notice, the report, the unit sheets and the forms parses, holds
# no U+FFFE or U+FFFF, and keeps the rest of each text.
import glob
import zipfile
import xml.dom.minidom

books = ["n.docx", "r.xlsx"] + glob.glob("out/*.xlsx") + glob.glob("forms/**/*.xlsx", recursive=True)
assert len(books) > 4, books
for f in books:
    z = zipfile.ZipFile(f)
    for n in z.namelist():
        if n.endswith((".xml", ".rels", ".vml")):
            t = z.read(n)
            if not n.endswith(".vml"):
                xml.dom.minidom.parseString(t)
            t = t.decode()
            assert "\ufffe" not in t and "\uffff" not in t, (f, n)
doc = zipfile.ZipFile("n.docx").read("word/document.xml").decode()
assert "noncharx" in doc and "ffffxy" in doc
sst = zipfile.ZipFile("r.xlsx").read("xl/sharedStrings.xml").decode()
assert "noncharx" in sst and "ffffxy" in sst and "考核标题" in sst
assert 'name="部门"' in zipfile.ZipFile("r.xlsx").read("xl/workbook.xml").decode()
sheets = "".join(zipfile.ZipFile(f).read("xl/sharedStrings.xml").decode() for f in glob.glob("out/*.xlsx"))
assert "noncharx" in sheets and "ffffxy" in sheets
forms = "".join(zipfile.ZipFile(f).read("xl/sharedStrings.xml").decode() for f in glob.glob("forms/**/*.xlsx", recursive=True))
assert "noncharx" in forms and "ffffxy" in forms and "部门" in forms
print("ok")
