#!/usr/bin/env python3
"""mkxls.py OUT.xls [date SERIAL[,SERIAL] [1904]] — a small legacy .xls
(BIFF8 in an OLE2 compound file) written byte by byte, for the tests of the
.xls reader (core/xlsx_xls.c): one sheet "数据" with a header 单位代码, 名称,
次数, 比例 and two rows (shared strings, an integer and a float stored with
float noise).  With "date", 比例 is a date column instead: the serials
given (D2, D3) in built-in format 14, in the 1900 date system or 1904."""
import struct
import sys

ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def rec(kind, data=b''):
    return struct.pack('<HH', kind, len(data)) + data


def bof(dt):
    return rec(0x0809, struct.pack('<HHHHII', 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))


def xf(fmt=0):  # a cell XF: font 0, format fmt (0: General, 14: a date)
    return rec(0x00E0, struct.pack('<HHHBBBBIIH', 0, fmt, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))


def sst(strings):
    body = struct.pack('<II', len(strings), len(strings))
    for s in strings:
        body += struct.pack('<HB', len(s), 1) + s.encode('utf-16-le')
    return rec(0x00FC, body)


def font():
    name = 'Arial'
    return rec(0x0031, struct.pack('<HHHHHBBBB', 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0)
               + struct.pack('<BB', len(name), 0) + name.encode('latin-1'))


def workbook(dates=None, mode1904=False):
    strings = ['单位代码', '名称', '次数', '比例', 'B01', '城关镇', 'B02', '东风镇']
    rows = [[0, 1, 2, 3], [4, 5, 3, 0.30000000000000004], [6, 7, 12, 0.5]]
    if dates:
        rows[1][3], rows[2][3] = dates
    sheet = bof(0x0010) + rec(0x0200, struct.pack('<IIHHH', 0, len(rows), 0, 4, 0))
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if r == 0 or c < 2:
                sheet += rec(0x00FD, struct.pack('<HHHI', r, c, 15, v))
            else:
                sheet += rec(0x0203, struct.pack('<HHHd', r, c, 16 if dates and c == 3 else 15, float(v)))
    sheet += rec(0x000A)
    name = '数据'.encode('utf-16-le')
    glob = [bof(0x0005), rec(0x0042, struct.pack('<H', 0x04B0))] + [font()] * 5 + [xf()] * 16 + ([xf(14)] if dates else [])
    if mode1904:
        glob.insert(2, rec(0x0022, struct.pack('<H', 1)))  # DATEMODE
    bsheet_len = 4 + 4 + 2 + 2 + len(name)
    head = b''.join(glob)
    tail = sst(strings) + rec(0x000A)
    pos = len(head) + bsheet_len + len(tail)
    bsheet = rec(0x0085, struct.pack('<IHBB', pos, 0, 2, 1) + name)
    return head + bsheet + tail + sheet


def direntry(name, kind, child, start, size):
    n = (name + '\0').encode('utf-16-le') if name else b''
    return (n.ljust(64, b'\0') + struct.pack('<HBB', len(n), kind, 1)
            + struct.pack('<III', NOSTREAM, NOSTREAM, child) + b'\0' * 16 + struct.pack('<I', 0)
            + b'\0' * 16 + struct.pack('<III', start, size, 0))


def cfb(stream):
    stream = stream.ljust(max(4096, (len(stream) + 511) // 512 * 512), b'\0')
    nsec = len(stream) // 512
    fat = [FATSECT, ENDOFCHAIN] + [3 + i for i in range(nsec - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    header = (b'\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1' + b'\0' * 16 + struct.pack('<HHHHH', 0x3E, 3, 0xFFFE, 9, 6)
              + b'\0' * 6 + struct.pack('<IIIIIIIII', 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack('<I', 0) + struct.pack('<I', FREESECT) * 108)
    dirs = (direntry('Root Entry', 5, 1, ENDOFCHAIN, 0) + direntry('Workbook', 2, NOSTREAM, 2, len(stream))
            + direntry('', 0, NOSTREAM, 0, 0) * 2)
    return header + struct.pack('<128I', *fat) + dirs + stream


if __name__ == '__main__':
    if len(sys.argv) == 2:
        book = workbook()
    elif len(sys.argv) in (4, 5) and sys.argv[2] == 'date' and sys.argv[4:] in ([], ['1904']):
        serials = [float(v) for v in sys.argv[3].split(',')]
        book = workbook((serials + [45000.0])[:2], len(sys.argv) == 5)
    else:
        sys.exit(__doc__)
    open(sys.argv[1], 'wb').write(cfb(book))
