#!/usr/bin/env python3
"""tests/layers/words.py — every sentence a person reads comes from the
message catalogue (include/kaoping/msg/*.def), never from a string written
into the code.  Scans core/*.c for the calls that put text before a person
(errors, notes, help, progress) and fails on a format string holding words:
letters outside its printf conversions and terminal escapes.  Formats that
only place values ("%s: %s", "%s:%zu: ") pass.
  tests/layers/words.py [FILE...]     default core/*.c
A call whose text is not for a person (SQL, XML, a file name pattern) says
so with the comment  /* not words */  on the line where the call starts.
Prints each offence as file:line: call "format", then "N passed, N failed"."""
import glob, re, sys

CALLS = ("kp_err_set", "kp_err_prefix", "fprintf", "printf", "fputs", "puts", "vfprintf",
         "kp_cli_info", "kp_cli_out", "kp_cli_phase", "snprintf")
CALL = re.compile(r"\b(" + "|".join(CALLS) + r")\s*\(")
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
CONV = re.compile(r"%[-+ #0-9.*']*[hlLqjzt]*[a-zA-Z%]")
ESC = re.compile(r"\\033\[[0-9;]*[A-Za-z]|\\[nrtabfv0\\\"']|\\x[0-9a-fA-F]+")


def words(fmt):
    rest = ESC.sub("", CONV.sub("", fmt))
    return re.search(r"[A-Za-z]{2,}", rest)


def first_format(src, pos):
    """The string literals (adjacent ones joined) of the call at pos that
    come first among its arguments, or None when the format is not a literal."""
    depth, i, parts = 0, pos, []
    while i < len(src):
        c = src[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                break
        elif c == '"':
            m = LIT.match(src, i)
            if not m:
                return None
            parts.append(m.group(1))
            i = m.end()
            # adjacent literals continue the same argument
            while True:
                j = i
                while j < len(src) and src[j] in " \t\n":
                    j += 1
                m2 = LIT.match(src, j)
                if not m2:
                    break
                parts.append(m2.group(1))
                i = m2.end()
            return "".join(parts)
        elif c == "'":
            i += 3 if src[i + 1] != "\\" else 4
            continue
        i += 1
    return None


def main(files):
    passed = failed = 0
    for f in files:
        src = open(f, encoding="utf-8").read()
        exempt = {i + 1 for i, l in enumerate(src.split("\n")) if "/* not words */" in l}
        # comments out, line breaks kept
        src = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), src, flags=re.S)
        bad = 0
        for m in CALL.finditer(src):
            fmt = first_format(src, m.end() - 1)
            line = src.count("\n", 0, m.start()) + 1
            if fmt is not None and words(fmt) and line not in exempt:
                print(f'{f}:{line}: {m.group(1)} "{fmt[:70]}"')
                bad += 1
        if bad:
            failed += 1
        else:
            passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or sorted(glob.glob("core/*.c"))))
