#!/usr/bin/env python3
"""mkxlsx.py — small .xlsx workbooks written by hand with zipfile, for the
e2e and hostile tests of the workbook reader (core/xlsx.c).

  mkxlsx.py csv IN.csv OUT.xlsx       a CSV file as a workbook: numbers as
                                      number cells, ISO dates as date
                                      serials with a date format, the rest
                                      as shared strings
  mkxlsx.py KIND OUT.xlsx             a hostile or special workbook (KINDS)
"""
import csv
import datetime
import io
import sys
import warnings
import zipfile

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets><sheet name="数据" sheetId="1" '
      'r:id="rId1"/></sheets></workbook>' % (NS, RNS))
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'styles" Target="styles.xml"/></Relationships>')
STYLES = ('<?xml version="1.0" encoding="UTF-8"?><styleSheet %s><numFmts count="1"><numFmt numFmtId="164" '
          'formatCode="yyyy\\-mm\\-dd"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/>'
          '</cellXfs></styleSheet>' % NS)


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;').replace('"', '&quot;')


def col(i):
    s = ''
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def sheet(rows_xml, extra=''):
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet %s %s><sheetData>%s</sheetData>%s</worksheet>'
            % (NS, RNS, rows_xml, extra))


def sst(strings):
    return ('<?xml version="1.0" encoding="UTF-8"?><sst %s count="%d" uniqueCount="%d">%s</sst>'
            % (NS, len(strings), len(strings), ''.join('<si><t xml:space="preserve">%s</t></si>' % esc(s)
                                                        for s in strings)))


def write(out, parts, declared=None):
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def book(out, sheet_xml, strings=(), **more):
    parts = {'[Content_Types].xml': CT, 'xl/workbook.xml': WB, 'xl/_rels/workbook.xml.rels': RELS,
             'xl/styles.xml': STYLES, 'xl/sharedStrings.xml': sst(list(strings)),
             'xl/worksheets/sheet1.xml': sheet_xml}
    parts.update(more)
    for k in [k for k, v in parts.items() if v is None]:
        del parts[k]
    write(out, parts)


def cell_xml(ref, text, strings, index):
    try:
        if format(float(text), '.15g') == text:
            return '<c r="%s"><v>%s</v></c>' % (ref, repr(float(text)))
    except ValueError:
        pass
    try:
        d = datetime.date.fromisoformat(text)
        if len(text) == 10:
            return '<c r="%s" s="1"><v>%d</v></c>' % (ref, (d - datetime.date(1899, 12, 30)).days)
    except ValueError:
        pass
    if text not in index:
        index[text] = len(strings)
        strings.append(text)
    return '<c r="%s" t="s"><v>%d</v></c>' % (ref, index[text])


def from_csv(src, out):
    strings, index, rows = [], {}, []
    raw = open(src, 'rb').read()
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError:  # the samples hold one GB18030 file, as offices send them
        text = raw.decode('gb18030')
    if True:
        for r, rec in enumerate(csv.reader(io.StringIO(text, newline='')), 1):
            cells = ''.join(cell_xml('%s%d' % (col(c), r), t, strings, index) for c, t in enumerate(rec) if t)
            rows.append('<row r="%d">%s</row>' % (r, cells))
    book(out, sheet(''.join(rows)), strings)


def row(r, *cells):
    return '<row r="%d">%s</row>' % (r, ''.join(cells))


HEADER = row(1, '<c r="A1" t="inlineStr"><is><t>id</t></is></c>', '<c r="B1" t="inlineStr"><is><t>n</t></is></c>')


def data(r, idv, n):
    return row(r, '<c r="A%d" t="inlineStr"><is><t>%s</t></is></c>' % (r, idv), '<c r="B%d"><v>%s</v></c>' % (r, n))


def lie(out, name):
    """Set the uncompressed size of the member name to 100 bytes in its
    local header and its central directory entry."""
    b = bytearray(open(out, 'rb').read())
    for sig, off, nl in ((b'PK\x03\x04', 22, 30), (b'PK\x01\x02', 24, 46)):
        i = b.find(sig)
        while i >= 0:
            if b[i + nl:i + nl + len(name)] == name:
                b[i + off:i + off + 4] = (100).to_bytes(4, 'little')
            i = b.find(sig, i + 4)
    open(out, 'wb').write(bytes(b))


def hostile(kind, out):
    ok = HEADER + data(2, 'u1', '1')
    if kind in ('zip-bomb', 'zip-bomb-lie'):  # a part of 520 MiB of spaces: 500 KiB packed
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, d in (('[Content_Types].xml', CT), ('xl/workbook.xml', WB),
                            ('xl/_rels/workbook.xml.rels', RELS), ('xl/styles.xml', STYLES)):
                z.writestr(name, d)
            with z.open('xl/worksheets/sheet1.xml', 'w') as f:
                f.write(sheet(ok).encode()[:-len('</worksheet>')])
                block = b' ' * (1 << 20)
                for _ in range(520):
                    f.write(block)
                f.write(b'</worksheet>')
        if kind == 'zip-bomb-lie':  # and its headers say 100 bytes
            lie(out, b'xl/worksheets/sheet1.xml')
    elif kind in ('dense-markup', 'dense-markup-lie'):  # 500 MiB of empty elements: 500 KiB packed
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
            for name, d in (('[Content_Types].xml', CT), ('xl/workbook.xml', WB),
                            ('xl/_rels/workbook.xml.rels', RELS), ('xl/styles.xml', STYLES)):
                z.writestr(name, d)
            with z.open('xl/worksheets/sheet1.xml', 'w') as f:
                f.write(sheet(ok).encode()[:-len('</worksheet>')])
                block = b'<x/>' * (1 << 18)
                for _ in range(500):
                    f.write(block)
                f.write(b'</worksheet>')
        if kind == 'dense-markup-lie':
            lie(out, b'xl/worksheets/sheet1.xml')
    elif kind == 'size-lie':      # the directory says a small size, the data unpacks larger
        book(out, sheet(ok + ''.join(data(r, 'u%d' % r, r) for r in range(3, 2000))))
        lie(out, b'xl/worksheets/sheet1.xml')
    elif kind == 'many-strings':  # more shared strings than the cap (4194304)
        body = '<si><t/></si>' * ((1 << 22) + 1)
        book(out, sheet(ok), (), **{'xl/sharedStrings.xml': '<sst %s>%s</sst>' % (NS, body)})
    elif kind == 'ref-past-sheet':
        book(out, sheet(HEADER + row(2, '<c r="XFD1048577"><v>1</v></c>')))
    elif kind == 'rows-out-of-order':
        book(out, sheet(HEADER + data(5, 'u1', '1') + data(3, 'u2', '2')))
    elif kind == 'billion-laughs':
        dtd = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               + ''.join('<!ENTITY lol%d "%s">' % (i, ('&lol%s;' % (i - 1 if i > 1 else '')) * 10)
                         for i in range(1, 10)) + ']>')
        book(out, dtd + sheet(HEADER + data(2, '&lol9;', '1'))[len('<?xml version="1.0" encoding="UTF-8"?>'):])
    elif kind == 'external-entity':
        book(out, '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
             + sheet(HEADER + data(2, '&e;', '1'))[len('<?xml version="1.0" encoding="UTF-8"?>'):])
    elif kind == 'malformed':
        book(out, sheet(ok)[:-40])
    elif kind == 'no-sheet-part':
        book(out, sheet(ok), **{'xl/worksheets/sheet1.xml': None})
    elif kind == 'not-a-workbook':
        write(out, {'word/document.xml': '<w/>'})
    elif kind == 'million-empty-cells':
        empty = ''.join('<row r="%d">%s</row>' % (r, ''.join('<c r="%s%d"/>' % (col(c), r) for c in range(10)))
                        for r in range(3, 100003))
        book(out, sheet(HEADER + data(2, 'u1', '1') + empty + data(100003, 'u2', '2')))
    elif kind == 'merged-header':
        book(out, sheet(row(1, '<c r="A1" t="inlineStr"><is><t>id</t></is></c>',
                            '<c r="B1" t="inlineStr"><is><t>得分</t></is></c>') + data(2, 'u1', '1'),
                        '<mergeCells count="1"><mergeCell ref="B1:C1"/></mergeCells>'))
    elif kind == 'error-cell':
        book(out, sheet(HEADER + data(2, 'u1', '1') + row(3, '<c r="A3" t="inlineStr"><is><t>u2</t></is></c>',
                                                           '<c r="B3" t="e"><f>VLOOKUP(A3,X!A:B,2,0)</f>'
                                                           '<v>#N/A</v></c>')))
    elif kind in ('hidden-first-sheet', 'all-sheets-hidden'):
        # last year's figures in a very hidden first sheet, the form in a
        # visible second one (or hidden as well)
        second = ' state="hidden"' if kind == 'all-sheets-hidden' else ''
        wb = ('<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets><sheet name="去年" sheetId="1" '
              'state="veryHidden" r:id="rId1"/><sheet name="数据" sheetId="2"%s r:id="rId4"/></sheets></workbook>'
              % (NS, RNS, second))
        rels = RELS.replace('</Relationships>', '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/'
                            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>'
                            '</Relationships>')
        book(out, sheet(HEADER + data(2, 'old1', '99') + data(3, 'old2', '98')), **{
            'xl/workbook.xml': wb, 'xl/_rels/workbook.xml.rels': rels,
            'xl/worksheets/sheet2.xml': sheet(HEADER + data(2, 'u1', '1'))})
    elif kind == 'duplicate-part':  # the sheet twice: libzip finds the first copy, zipfile the last
        book(out, sheet(HEADER + data(2, 'u1', '1')))
        with warnings.catch_warnings(), zipfile.ZipFile(out, 'a') as z:
            warnings.simplefilter('ignore')  # "Duplicate name": what this kind is for
            z.writestr('xl/worksheets/sheet1.xml', sheet(HEADER + data(2, 'u1', '99')))
    elif kind == 'hex-number':    # strtod reads C99 hex floats; a number cell holds a decimal
        book(out, sheet(HEADER + data(2, 'u1', '1') + data(3, 'u2', '0x10')))
    elif kind == 'underflow-number':  # a nonzero decimal that strtod makes 0
        book(out, sheet(HEADER + data(2, 'u1', '0e5') + data(3, 'u2', '-0') + data(4, 'u3', '1e-400')))
    elif kind == 'escapes':  # ST_Xstring's _xHHHH_, as Excel writes them, shared and inline
        names = ['城关镇_x000D_\n(乡)', '_x005F_x000D_ kept', 'a_x4E2D_b_x00e9_', '_xD83D__xDE00_ _xD800_ _x0000_ _x12_']
        cells = [row(1, '<c r="A1" t="inlineStr"><is><t>id</t></is></c>', '<c r="B1" t="s"><v>4</v></c>')]
        for r, _ in enumerate(names, 2):
            b = ('<c r="B%d" t="s"><v>%d</v></c>' % (r, r - 2) if r % 2 else
                 '<c r="B%d" t="inlineStr"><is><t>%s</t></is></c>' % (r, esc(names[r - 2])))
            cells.append(row(r, '<c r="A%d" t="inlineStr"><is><t>u%d</t></is></c>' % (r, r), b))
        book(out, sheet(''.join(cells)), names + ['na_x006D_e'])
    else:
        sys.exit('mkxlsx.py: unknown kind ' + kind)


if __name__ == '__main__':
    if len(sys.argv) == 4 and sys.argv[1] == 'csv':
        from_csv(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3:
        hostile(sys.argv[1], sys.argv[2])
    else:
        sys.exit(__doc__)
