#!/usr/bin/env bash
# tests/e2e/run.sh — the built binary end to end: exit codes (<sysexits.h>)
# and messages ("kaoping: FILE:LINE: ..."), what import leaves in the
# database (read back with the sqlite3 shell), all-or-nothing imports,
# re-import and --replace, GB18030 detection, score / report in every
# format / explain on the 2021 Longxian samples, run on a generated unit
# table, check / criteria / test, atomic report files.
#   tests/e2e/run.sh            (from anywhere; KP_BIN names the binary,
#                                default ./kaoping relative to the repo root)
# Ends with "N passed, N failed"; exits 1 when anything failed.
# Needs: sqlite3 (its JSON functions read the JSON reports), lua5.4, unzip.
set -u
export TZ=UTC # the HTML page prints the date of a run in local time
cd "$(dirname "$0")/../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
ROOT=$PWD
KP=${KP_BIN:-./kaoping}
case $KP in /*) ;; *) KP=$ROOT/$KP ;; esac
RULES=$ROOT/rules/2021-fazhi.lua
BENCH=$ROOT/rules/bench.lua
S21=$ROOT/samples/2021

for tool in sqlite3 lua5.4 unzip; do
	command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
[ -x "$KP" ] || { echo "e2e: $KP is not built (make)"; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/kp_e2e.XXXXXX") || exit 2
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
OUT=$T/stdout ERR=$T/stderr
passed=0 failed=0 RC=0 CMD=

# ---------- helpers ----------

# kp ARGS...: run the binary; stdout in $OUT, stderr in $ERR, status in $RC.
kp() {
	CMD="kaoping $*"
	"$KP" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL  $1"
	shift
	[ $# -gt 0 ] && printf '      %s\n' "$@"
	echo "      after: $CMD (exit $RC)"
	sed -n '1,4s/^/      stderr: /p' "$ERR"
}

# t_rc NAME WANT: the last command's exit status.
t_rc() { if [ "$RC" = "$2" ]; then pass; else fail "$1" "exit $RC, want $2"; fi; }
# t_out NAME TEXT / t_err NAME TEXT: a fixed string in stdout / stderr.
t_out() { if grep -qF -- "$2" "$OUT"; then pass; else fail "$1" "stdout lacks: $2"; fi; }
t_err() { if grep -qF -- "$2" "$ERR"; then pass; else fail "$1" "stderr lacks: $2"; fi; }
# t_err_line NAME LINE: stderr has exactly this line.
t_err_line() { if grep -qxF -- "$2" "$ERR"; then pass; else fail "$1" "stderr has no line: $2"; fi; }
t_no_out() { if [ ! -s "$OUT" ]; then pass; else fail "$1" "stdout is not empty: $(head -c 200 "$OUT")"; fi; }
t_no_err() { if [ ! -s "$ERR" ]; then pass; else fail "$1" "stderr is not empty"; fi; }
# t_eq NAME GOT WANT
t_eq() { if [ "$2" = "$3" ]; then pass; else fail "$1" "got:  $2" "want: $3"; fi; }
# t_true NAME CMD...: a condition.
t_true() { local n=$1; shift; if "$@"; then pass; else fail "$n" "not true: $*"; fi; }

# sql DB QUERY: rows of a query, '|' between columns.
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# jsql FILE QUERY: a query over a JSON array file; its elements are the
# rows of table j (columns key, value).
jsql() { sqlite3 -batch -noheader :memory: "WITH j AS (SELECT key, value FROM json_each(readfile('$1'))) $2"; }
# fingerprint DB: hashes of the database file and its -wal (if any).
fingerprint() { for f in "$1" "$1-wal"; do [ -f "$f" ] && sha256sum <"$f" || echo "no $f"; done; }
# listing DIR: the names in a folder (hidden ones too).
listing() { (cd "$1" && ls -A); }

# ---------- help, version, usage errors ----------

kp --help
t_rc "--help exits 0" 0
t_out "--help prints usage on stdout" "usage:"
t_out "--help lists import" "kaoping import [--year Y]"
t_out "--help lists the exit codes" "64 usage, 65 bad data, 66 missing input"
t_no_err "--help writes nothing on stderr"

kp --version
t_rc "--version exits 0" 0
if grep -qE '^kaoping [^ ]+ \(Lua 5\.4, SQLite 3\.[0-9]+\.[0-9]+\)$' "$OUT"; then pass; else fail "--version line" "$(cat "$OUT")"; fi
t_no_err "--version writes nothing on stderr"

for verb in run import score report explain check criteria test notice; do
	kp "$verb" --help
	t_rc "$verb --help exits 0" 0
	if head -n 1 "$OUT" | grep -q "^usage: kaoping $verb"; then pass; else fail "$verb --help starts with its usage" "$(head -n 1 "$OUT")"; fi
	t_no_err "$verb --help writes nothing on stderr"
done
kp import --help
t_out "import --help documents --replace" "--replace"
t_out "import --help documents --as" "--as NAME"

kp
t_rc "no command: 64" 64
t_no_out "no command: nothing on stdout"
t_err "no command: usage on stderr" "usage:"

kp frobnicate
t_rc "unknown command: 64" 64
t_err_line "unknown command: message" "kaoping: unknown command 'frobnicate' (kaoping --help lists the commands)"
t_no_out "unknown command: nothing on stdout"

kp --frob
t_rc "unknown top-level option: 64" 64
t_err "unknown top-level option: message" "kaoping: unknown command '--frob'"

kp import --frob x.csv
t_rc "unknown option: 64" 64
t_err_line "unknown option: message" "kaoping: import: unknown option '--frob' (kaoping import --help lists them)"

kp report --formt json
t_rc "misspelt option: 64" 64

kp import
t_rc "import without files: 64" 64
t_err "import without files: usage" "kaoping: usage: kaoping import"
kp score
t_rc "score without rules: 64" 64
kp explain
t_rc "explain without a unit: 64" 64
kp check
t_rc "check without rules: 64" 64
kp import --year abc x.csv
t_rc "--year abc: 64" 64
t_err_line "--year abc: message" "kaoping: --year: 'abc' is not a year"
kp report --format pdf
t_rc "--format pdf: 64" 64
t_err "--format pdf: message" "--format: 'pdf' is not one of"
kp import --encoding latin1 x.csv
t_rc "--encoding latin1: 64" 64
kp import --as x a.csv b.csv
t_rc "--as with two files: 64" 64
t_err "--as with two files: message" "--as names one file"

# ---------- import: good files ----------

D=$T/import && mkdir -p "$D" && cd "$D" || exit 2
printf 'unit_id,name,category\nU1,城关镇,town\nU2,"县公安局,\n治安大队",dept\nU3,"say ""hi""",dept\n' >units.csv
printf 'unit_id,score\r\nU1,96.4%%\r\nU2,"1,102"\r\nU3,\r\n' >scores.csv

kp import --db k.db --year 2021 units.csv scores.csv
t_rc "import: exit 0" 0
t_err_line "import: message for units" "kaoping: imported units.csv as 'units' for 2021: 3 rows, 3 columns (UTF-8)"
t_err_line "import: message for scores" "kaoping: imported scores.csv as 'scores' for 2021: 3 rows, 2 columns (UTF-8)"
t_eq "import: imports table" "$(sql k.db "SELECT id, year, name, file, encoding, rows, data_table, replaced_at IS NULL, length(sha256) FROM imports ORDER BY id")" \
"1|2021|units|units.csv|UTF-8|3|2021/units|1|64
2|2021|scores|scores.csv|UTF-8|3|2021/scores|1|64"
t_eq "import: sha256 is the file's" "$(sql k.db "SELECT sha256 FROM imports WHERE name = 'units'")" "$(sha256sum <units.csv | cut -d' ' -f1)"
t_eq "import: imported_at is an ISO time" "$(sql k.db "SELECT count(*) FROM imports WHERE imported_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*Z'")" "2"
t_eq "import: data rows and _line" "$(sql k.db "SELECT _line, unit_id, replace(name, char(10), '/'), category FROM \"2021/units\" ORDER BY rowid")" \
'2|U1|城关镇|town
3|U2|县公安局,/治安大队|dept
5|U3|say "hi"|dept'
t_eq "import: CRLF file, cells as text" "$(sql k.db "SELECT _line, unit_id, score FROM \"2021/scores\" ORDER BY rowid")" \
"2|U1|96.4%
3|U2|1,102
4|U3|"
t_eq "import: columns" "$(sql k.db "SELECT group_concat(name, ',') FROM (SELECT name FROM import_columns WHERE import_id = 1 ORDER BY position)")" "unit_id,name,category"
t_eq "import: the database is WAL, schema 2" "$(sql k.db "PRAGMA journal_mode; PRAGMA user_version")" "wal
2"

kp import --db k.db --year 2021 units.csv
t_rc "re-import refused: 65" 65
t_err "re-import refused: names the file" "kaoping: units.csv: "
t_err "re-import refused: says so" "already imported"
t_err "re-import refused: suggests --replace" "--replace"
t_eq "re-import refused: nothing changed" "$(sql k.db "SELECT count(*) FROM imports")" "2"

printf 'unit_id,name,category\nU1,城关镇,town\nU9,新单位,dept\n' >units.csv
kp import --db k.db --year 2021 units.csv
t_rc "same name, new contents, refused: 65" 65
kp import --db k.db --year 2021 --replace units.csv
t_rc "--replace: exit 0" 0
t_err "--replace: message" "kaoping: replaced with units.csv as 'units' for 2021: 2 rows, 3 columns (UTF-8)"
t_eq "--replace: old import retired, new one active" "$(sql k.db "SELECT id, name, rows, replaced_at IS NOT NULL, coalesce(data_table, '-') FROM imports ORDER BY id")" \
"1|units|3|1|-
2|scores|3|0|2021/scores
3|units|2|0|2021/units"
t_eq "--replace: the new data" "$(sql k.db "SELECT _line, unit_id, name FROM \"2021/units\" ORDER BY rowid")" "2|U1|城关镇
3|U9|新单位"

kp import --db k.db --year 2020 units.csv
t_rc "same file for another year: 0" 0
t_eq "another year: its own table" "$(sql k.db "SELECT count(*) FROM \"2020/units\"")" "2"

printf 'unit_id,score\nU1,90\n' >2021-export.csv
kp import --db k.db --year 2021 --as 评分 2021-export.csv
t_rc "--as: exit 0" 0
t_err "--as: message" "as '评分' for 2021"
t_eq "--as: dataset name" "$(sql k.db "SELECT name, data_table FROM imports WHERE file = '2021-export.csv'")" "评分|2021/评分"

kp import --db k.db --year 2021 "$S21/renda_zhengxie.csv"
t_rc "GB18030 sample: exit 0" 0
t_err "GB18030 sample: detected" "as 'renda_zhengxie' for 2021: 38 rows, 6 columns (GB18030)"
t_eq "GB18030 sample: encoding recorded" "$(sql k.db "SELECT encoding, rows FROM imports WHERE name = 'renda_zhengxie'")" "GB18030|38"
t_eq "GB18030 sample: stored as UTF-8" "$(sql k.db "SELECT 单位代码, 建议提案办理评价 FROM \"2021/renda_zhengxie\" WHERE _line = 2")" "Z01|满意"
t_eq "GB18030 sample: CRLF lines" "$(sql k.db "SELECT min(_line), max(_line) FROM \"2021/renda_zhengxie\"")" "2|39"

kp import --db k.db --year 2021 --as twin "$ROOT/tests/data/gb18030.csv"
t_rc "GB18030 fixture: exit 0" 0
kp import --db k.db --year 2021 --as twin8 "$ROOT/tests/data/gb18030_utf8.csv"
t_rc "its UTF-8 twin: exit 0" 0
t_eq "GB18030 and UTF-8 twins store the same rows" "$(sql k.db "SELECT * FROM \"2021/twin\" EXCEPT SELECT * FROM \"2021/twin8\"")" ""
t_eq "twins: both complete" "$(sql k.db "SELECT (SELECT count(*) FROM \"2021/twin\"), (SELECT count(*) FROM \"2021/twin8\"), (SELECT group_concat(_line) FROM \"2021/twin\")")" "4|4|2,3,5,6"

kp import --db q.db --quiet --year 2021 --encoding gb18030 "$S21/renda_zhengxie.csv"
t_rc "--quiet --encoding gb18030: exit 0" 0
t_no_err "--quiet: no message"
t_eq "--encoding gb18030: recorded" "$(sql q.db "SELECT encoding, rows FROM imports")" "GB18030|38"

kp import --db k.db --year 2021 --encoding utf-8 --as forced "$S21/renda_zhengxie.csv"
t_rc "GB18030 read as UTF-8: 65" 65
t_err "GB18030 read as UTF-8: position and advice" "renda_zhengxie.csv:1:1: header name 1 is not valid UTF-8"

# ---------- import: bad files ----------

printf 'a,b\n1,2\n3\n' >short.csv
printf 'a,b\n1,2,3\n' >long.csv
printf 'a,b\n1,2\n3,"4\n5,6\n' >open.csv
printf 'a,b\n1,2"x\n' >quote.csv
printf 'a,b\n1,\xff\n' >latin.csv
printf '\xff\xfea\0,\0b\0\n\0001\0,\0002\0\n\0' >utf16.csv
printf 'a,a\n1,2\n' >dup.csv
printf 'a,b\n' >header.csv
: >empty.csv
printf 'a,b\n1,x\0y\n' >nul.csv

kp import --db new.db short.csv
t_rc "short row: 65" 65
t_err_line "short row: message" "kaoping: short.csv:3: 1 field where the header has 2"
t_true "a failed import into a new database creates no file" test ! -e new.db
kp import --db new.db long.csv
t_rc "long row: 65" 65
t_err_line "long row: message" "kaoping: long.csv:2: 3 fields where the header has 2"
kp import --db new.db open.csv
t_rc "unterminated quote: 65" 65
t_err "unterminated quote: message" "kaoping: open.csv:3: a quoted field is not closed"
kp import --db new.db quote.csv
t_rc "stray quote: 65" 65
t_err "stray quote: message" "kaoping: quote.csv:2: malformed quoting"
kp import --db new.db --encoding utf-8 latin.csv
t_rc "invalid UTF-8: 65" 65
t_err "invalid UTF-8: message" "kaoping: latin.csv:2:2: column 'b' is not valid UTF-8"
kp import --db new.db latin.csv
t_rc "neither UTF-8 nor GB18030: 65" 65
t_err "neither UTF-8 nor GB18030: message" "kaoping: latin.csv"
kp import --db new.db utf16.csv
t_rc "UTF-16: 65" 65
t_err "UTF-16: message" "kaoping: utf16.csv:1: the file is UTF-16"
kp import --db new.db dup.csv
t_rc "repeated header: 65" 65
t_err "repeated header: message" "kaoping: dup.csv:1:2: header name 'a' appears twice"
# a header and no rows: an events list with no events, or a file that lost
# its rows; import knows no rules, so it takes the file (0 rows, a note) and
# score, which reads it for the rules, refuses it as any other dataset
kp import --db header.db --year 2021 header.csv
t_rc "header only: imported: 0" 0
t_err "header only: note" "kaoping: note: header.csv: a header and no rows: as the file of an events list it is a list of no events; as any other dataset it is refused when scored"
t_eq "header only: 0 rows" "$(sql header.db "SELECT rows FROM imports WHERE name = 'header'")" "0"
kp score --db header.db --year 2021 "$BENCH"
t_rc "header only: score refuses it: 65" 65
t_err_line "header only: message" "kaoping: header.csv: the file has a header but no rows"
kp import --db new.db empty.csv
t_rc "empty file: 65" 65
t_err "empty file: message" "kaoping: empty.csv: the file is empty"
kp import --db new.db nul.csv
t_rc "NUL byte: 65" 65
t_err "NUL byte: message" "kaoping: nul.csv:2:2: column 'b' holds a NUL byte"
kp import --db new.db nope.csv
t_rc "missing file: 66" 66
t_err_line "missing file: message" "kaoping: nope.csv: cannot open: No such file or directory"
mkdir -p adir
kp import --db new.db adir
t_rc "a folder as CSV: 66" 66
t_true "no database after failed imports" test ! -e new.db

kp import --db no/such/dir/k.db units.csv
t_rc "database in a missing folder: 73" 73
printf 'just some text, not a database at all, but long enough to have a header\n%.0s' 1 2 3 >notes.db
kp import --db notes.db units.csv
t_rc "database that is not SQLite: 65" 65
t_err "database that is not SQLite: names it" "notes.db"

# all or nothing: one bad file among good ones leaves the database as it was
printf 'unit_id,x\nU1,1\n' >good.csv
sqlite3 k.db .dump >dump.before
fp_before=$(fingerprint k.db)
kp import --db k.db --year 2021 good.csv short.csv
t_rc "good + bad: 65" 65
t_err_line "good + bad: names the bad file" "kaoping: short.csv:3: 1 field where the header has 2"
t_eq "good + bad: database file unchanged" "$(fingerprint k.db)" "$fp_before"
sqlite3 k.db .dump >dump.after
t_true "good + bad: database content unchanged" cmp -s dump.before dump.after
t_eq "good + bad: the good file is not there" "$(sql k.db "SELECT count(*) FROM imports WHERE name = 'good'")" "0"
kp import --db k.db --year 2021 good.csv nope.csv
t_rc "good + missing: 66" 66
t_eq "good + missing: database file unchanged" "$(fingerprint k.db)" "$fp_before"
kp import --db k.db --year 2021 good.csv
t_rc "the good file alone: 0" 0

# ---------- score, report, explain on the 2021 samples ----------

D=$T/score && mkdir -p "$D" && cd "$D" || exit 2
kp import --year 2021 "$S21"/*.csv
t_rc "import samples/2021: exit 0" 0
t_eq "import samples/2021: 14 datasets in kaoping.db" "$(sql kaoping.db "SELECT count(*), sum(rows) FROM imports WHERE year = 2021")" "14|482"
t_eq "import samples/2021: only renda_zhengxie is GB18030" "$(sql kaoping.db "SELECT name FROM imports WHERE encoding = 'GB18030'")" "renda_zhengxie"

kp score "$RULES" --year 2019
t_rc "score for a year with no imports: 65" 65
t_err "score for a year with no imports: names the years there are" "nothing is imported for 2019 (it holds imports for 2021; kaoping import --year 2019 FILE.csv ...)"
kp score "$RULES" --year 2021 -o nodir/r.json
t_rc "score -o into a missing folder: 73" 73
t_err "score -o into a missing folder: says so" "nodir/r.json: cannot create"
t_eq "score -o into a missing folder: no run recorded" "$(sql kaoping.db "SELECT count(*) FROM runs")" "0"
kp score "$RULES" --db nothing.db
t_rc "score on a missing database: 66" 66
t_true "score on a missing database: creates nothing" test ! -e nothing.db
cp kaoping.db order.db
kp score "$RULES" --db order.db --year 2021 -o order.csv
t_rc "score -o: exit 0" 0
# the report is put in place after the run is committed: it says so then
t_eq "score -o: 'wrote' after 'recorded', once the file is there" "$(cat "$ERR")" \
	"kaoping: run 1 recorded in order.db
kaoping: wrote order.csv"
rm -f order.db order.csv
kp score "$RULES" --year 2021 --format json
t_rc "score: exit 0" 0
t_err "score: run recorded" "kaoping: run 1 recorded in kaoping.db"
cp "$OUT" score.json
t_eq "score: one run in the database" "$(sql kaoping.db "SELECT count(*), max(units) FROM runs")" "1|38"
t_eq "score json: 38 units" "$(jsql score.json "SELECT count(*) FROM j")" "38"
t_eq "score json: every contract field" \
	"$(jsql score.json "SELECT count(*) FROM j WHERE json_type(value, '$.category') = 'text' AND json_type(value, '$.rank') = 'integer' AND json_type(value, '$.unit_id') = 'text' AND json_type(value, '$.name') = 'text' AND json_type(value, '$.total') IN ('real', 'integer') AND json_type(value, '$.grade') = 'text' AND json_type(value, '$.commended') IN ('true', 'false') AND json_type(value, '$.veto') IN ('true', 'false') AND json_type(value, '$.sections') = 'object'")" "38"
t_eq "score json: six sections each" "$(jsql score.json "SELECT DISTINCT (SELECT count(*) FROM json_each(o.value, '$.sections')) FROM j AS o")" "6"
t_eq "score json: towns first, then departments, ranks in order" \
	"$(jsql score.json "SELECT json_extract(value, '$.category'), count(*), min(json_extract(value, '$.rank')), max(json_extract(value, '$.rank')), min(key), max(key) FROM j GROUP BY 1 ORDER BY min(key)")" \
	"镇|10|1|10|0|9
部门|28|1|28|10|37"
t_eq "score json: ranks never go down" "$(jsql score.json "SELECT count(*) FROM j a JOIN j b ON b.key = a.key + 1 WHERE json_extract(a.value, '$.category') = json_extract(b.value, '$.category') AND json_extract(b.value, '$.rank') < json_extract(a.value, '$.rank')")" "0"
t_eq "score json: 城关镇 first, 101.89, 优秀, commended" \
	"$(jsql score.json "SELECT json_extract(value, '$.rank'), json_extract(value, '$.unit_id'), json_extract(value, '$.total'), json_extract(value, '$.grade'), json_type(value, '$.commended'), json_type(value, '$.veto') FROM j WHERE json_extract(value, '$.name') = '城关镇'")" \
	"1|Z01|101.89|优秀|true|false"
t_eq "score json: the commended towns" "$(jsql score.json "SELECT group_concat(json_extract(value, '$.name'), ',') FROM j WHERE json_extract(value, '$.category') = '镇' AND json_extract(value, '$.commended')")" "城关镇,曹家湾镇"
t_eq "score json: 9 departments commended" "$(jsql score.json "SELECT count(*) FROM j WHERE json_extract(value, '$.category') = '部门' AND json_extract(value, '$.commended')")" "9"
t_eq "score json: grade quota drops 东风镇 to 良好" "$(jsql score.json "SELECT json_extract(value, '$.total') || ' ' || json_extract(value, '$.grade') FROM j WHERE json_extract(value, '$.name') = '东风镇'")" "95.34 良好"
t_eq "score json: tie 86.92 broken by section four" "$(jsql score.json "SELECT group_concat(json_extract(value, '$.name') || ':' || json_extract(value, '$.rank'), ',') FROM j WHERE json_extract(value, '$.total') = 86.92")" "固关镇:5,温水镇:6"
t_eq "score json: 市场监督管理局 100.39 (bonus capped at 5)" "$(jsql score.json "SELECT json_extract(value, '$.total') || ' ' || json_extract(value, '$.bonus') FROM j WHERE json_extract(value, '$.name') = '市场监督管理局'")" "100.39 5"
t_eq "score json: 自然资源局 vetoed, 不合格, not commended" \
	"$(jsql score.json "SELECT json_extract(value, '$.total'), json_extract(value, '$.grade'), json_type(value, '$.veto'), json_type(value, '$.commended') FROM j WHERE json_extract(value, '$.name') = '自然资源局'")" \
	"88.63|不合格|true|false"
t_eq "score json: no vetoed unit is commended" "$(jsql score.json "SELECT count(*) FROM j WHERE json_extract(value, '$.veto') AND json_extract(value, '$.commended')")" "0"
t_eq "score json: totals have at most 2 decimals" "$(jsql score.json "SELECT count(*) FROM j WHERE round(json_extract(value, '$.total'), 2) <> json_extract(value, '$.total')")" "0"

kp report --format json -o r.json
t_rc "report json: exit 0" 0
t_err_line "report json: message" "kaoping: wrote r.json"
t_no_out "report json -o: nothing on stdout"
t_eq "report json: the recorded run, as scored" "$(jsql r.json "SELECT group_concat(json_extract(value, '$.unit_id') || '=' || json_extract(value, '$.total'), ',') FROM j")" \
	"$(jsql score.json "SELECT group_concat(json_extract(value, '$.unit_id') || '=' || json_extract(value, '$.total'), ',') FROM j")"
kp report -o r2.json
t_rc "report -o x.json: exit 0" 0
t_eq "report -o x.json: JSON by the extension" "$(jsql r2.json "SELECT count(*) FROM j")" "38"

kp report --format csv -o r.csv
t_rc "report csv: exit 0" 0
t_eq "report csv: UTF-8 BOM" "$(head -c 3 r.csv | od -An -tx1 | tr -d ' ')" "efbbbf"
t_eq "report csv: header and 38 rows" "$(wc -l <r.csv | tr -d ' ')" "39"
t_true "report csv: the first unit" grep -q '^镇,1,Z01,城关镇,.*,101.89,优秀,是,否' r.csv
t_true "report csv: the vetoed unit" grep -q '^部门,[0-9]*,B07,自然资源局,.*,88.63,不合格,否,是' r.csv

kp report --format md -o r.md
t_rc "report md: exit 0" 0
t_eq "report md: title" "$(head -n 1 r.md)" "# 陇县2021年度依法行政工作目标责任考核"
t_true "report md: a table row for 城关镇" grep -q '^|.*城关镇.*101\.89' r.md

kp report --format html -o r.html
t_rc "report html: exit 0" 0
t_true "report html: a document" grep -q '<!DOCTYPE html>' r.html
t_true "report html: the title" grep -q '<title>陇县2021年度依法行政工作目标责任考核</title>' r.html
t_true "report html: inline SVG charts" grep -q '<svg' r.html
t_true "report html: units" grep -q '城关镇' r.html
t_true "report html: the issuing office, from the run's unchanged rule file" grep -q '发文单位：陇县司法局' r.html
t_true "report html: no note while the rule file is as scored" sh -c "! grep -q 'note:' '$ERR'"
# the issuing office is not stored with a run: with the rule file changed
# since, it is left out, and said
cp "$RULES" changed.lua
kp run changed.lua "$S21"/*.csv --db changed.db --quiet --format csv -o changed.csv
printf -- '-- edited\n' >> changed.lua
kp report --db changed.db --format html -o changed.html
t_rc "report html, rule file changed: exit 0" 0
t_err_line "report html, rule file changed: says so" "kaoping: note: changed.lua: changed since run 1 was scored: the issuing office is left out"
t_true "report html, rule file changed: no office" sh -c "! grep -q '发文单位' changed.html"
rm -f changed.lua changed.db changed.html changed.csv

kp report --format xlsx -o r.xlsx
t_rc "report xlsx: exit 0" 0
t_true "report xlsx: a zip with a workbook" sh -c 'unzip -l r.xlsx | grep -q "xl/workbook.xml"'
t_eq "report xlsx: sheets" "$(unzip -p r.xlsx xl/workbook.xml | grep -o '<sheet name="[^"]*"' | sed 's/<sheet name="//; s/"$//' | tr '\n' ' ')" "镇 部门 拟表彰名单 得分明细 "
t_true "report xlsx: unit names" sh -c 'unzip -p r.xlsx xl/sharedStrings.xml | grep -q 城关镇'

kp report
t_rc "report to stdout: exit 0" 0
t_out "report table: title" "陇县2021年度依法行政工作目标责任考核"
t_out "report table: 城关镇" "城关镇"

before=$(listing .)
kp report --format json -o missing/dir/r.json
t_rc "report into a missing folder: 73" 73
t_err_line "report into a missing folder: message" "kaoping: missing/dir/r.json: cannot create: No such file or directory"
t_true "report into a missing folder: no folder made" test ! -e missing
t_eq "report into a missing folder: no file left behind" "$(listing .)" "$before"
kp report --format html -o missing/r.html
t_rc "html report into a missing folder: 73" 73
kp report --format xlsx -o missing/r.xlsx
t_rc "xlsx report into a missing folder: 73" 73
t_eq "failed reports leave nothing" "$(listing .)" "$before"

kp report --run 99
t_rc "report --run 99: 65" 65
t_err "report --run 99: message" "there is no run 99"

kp explain Z01
t_rc "explain Z01: exit 0" 0
t_out "explain Z01: heading" "Z01 城关镇"
t_out "explain Z01: total" "总分：101.89"
t_out "explain Z01: rank" "排名：1"
t_out "explain Z01: commended" "拟表彰：是"
t_out "explain Z01: an indicator with its note" "会前学法"
kp explain 自然资源局
t_rc "explain by name: exit 0" 0
t_out "explain by name: the unit" "B07 自然资源局"
t_out "explain by name: the veto and its reason" "一票否决：发生重大行政执法过错"
t_out "explain by name: not commended" "拟表彰：否"
kp explain Z01 --lang en
t_rc "explain --lang en: exit 0" 0
t_out "explain --lang en: labels" "Total: 101.89"
kp explain NOPE
t_rc "explain an unknown unit: 65" 65
t_err "explain an unknown unit: message" "has no unit 'NOPE'"

kp explain Z01 --format json
t_rc "explain --format json: exit 0" 0
t_eq "explain --format json: fields" "$(sqlite3 -batch :memory: "SELECT json_extract(readfile('$OUT'), '$.unit_id'), json_extract(readfile('$OUT'), '$.total'), json_type(readfile('$OUT'), '$.commended'), json_type(readfile('$OUT'), '$.sections')")" "Z01|101.89|true|object"
kp explain Z01 --format md
t_rc "explain --format md: exit 0" 0
t_out "explain --format md: heading" "# Z01 城关镇"
kp explain Z01 --format csv
t_rc "explain --format csv: 64" 64
t_err "explain --format csv: says which formats" "(table, md, json)"

D=$T/nodb && mkdir -p "$D" && cd "$D" || exit 2
kp report
t_rc "report without a database: 66" 66
t_err "report without a database: message" "kaoping.db: no such database"
t_eq "report without a database: creates none" "$(listing .)" ""
kp explain Z01
t_rc "explain without a database: 66" 66

# ---------- run: one shot, in memory ----------

D=$T/data && mkdir -p "$D" || exit 2
lua5.4 "$ROOT/scripts/gen-units" 200 7 >"$D/units.csv"
W=$T/run && mkdir -p "$W" && cd "$W" || exit 2
kp run "$BENCH" "$D/units.csv" --format json
t_rc "run bench: exit 0" 0
t_eq "run bench: nothing written in the current folder" "$(listing .)" ""
cp "$OUT" "$D/bench.json"
J=$D/bench.json
t_eq "run bench: 200 units" "$(jsql "$J" "SELECT count(*) FROM j")" "200"
t_eq "run bench: dept first, then town" "$(jsql "$J" "SELECT json_extract(value, '$.category'), min(key), max(key) FROM j GROUP BY 1 ORDER BY min(key)")" \
	"dept|0|157
town|158|199"
t_eq "run bench: ids in order within a rank" "$(jsql "$J" "SELECT count(*) FROM j a JOIN j b ON b.key = a.key + 1 WHERE json_extract(a.value, '$.category') = json_extract(b.value, '$.category') AND (json_extract(b.value, '$.rank') < json_extract(a.value, '$.rank') OR (json_extract(b.value, '$.rank') = json_extract(a.value, '$.rank') AND json_extract(b.value, '$.unit_id') < json_extract(a.value, '$.unit_id')))")" "0"
t_eq "run bench: competition ranking (rank = 1 + units scoring more)" "$(jsql "$J" "SELECT count(*) FROM j a WHERE json_extract(a.value, '$.rank') <> 1 + (SELECT count(*) FROM j b WHERE json_extract(b.value, '$.category') = json_extract(a.value, '$.category') AND json_extract(b.value, '$.total') > json_extract(a.value, '$.total'))")" "0"
t_eq "run bench: vetoed units are 不合格 and not commended" "$(jsql "$J" "SELECT count(*) FROM j WHERE json_extract(value, '$.veto') AND (json_extract(value, '$.grade') <> '不合格' OR json_extract(value, '$.commended'))")" "0"
t_eq "run bench: grades follow the totals" "$(jsql "$J" "SELECT count(*) FROM j WHERE NOT json_extract(value, '$.veto') AND json_extract(value, '$.grade') <> CASE WHEN json_extract(value, '$.total') >= 90 THEN '优秀' WHEN json_extract(value, '$.total') >= 80 THEN '良好' WHEN json_extract(value, '$.total') >= 60 THEN '合格' ELSE '不合格' END")" "0"
t_eq "run bench: totals within [0, 100]" "$(jsql "$J" "SELECT count(*) FROM j WHERE json_extract(value, '$.total') < 0 OR json_extract(value, '$.total') > 100")" "0"
# commended: non-veto units whose rank among the category's non-veto units is <= 9 (dept) / 2 (town)
t_eq "run bench: commended as the rule set says" "$(jsql "$J" "SELECT count(*) FROM j a WHERE json_extract(a.value, '$.commended') <> (NOT json_extract(a.value, '$.veto') AND 1 + (SELECT count(*) FROM j b WHERE json_extract(b.value, '$.category') = json_extract(a.value, '$.category') AND NOT json_extract(b.value, '$.veto') AND json_extract(b.value, '$.total') > json_extract(a.value, '$.total')) <= CASE json_extract(a.value, '$.category') WHEN 'town' THEN 2 ELSE 9 END)")" "0"
t_true "run bench: some units vetoed" test "$(jsql "$J" "SELECT count(*) FROM j WHERE json_extract(value, '$.veto')")" -gt 0

# the same run twice gives the same bytes
kp run "$BENCH" "$D/units.csv" --format json
t_true "run bench: deterministic" cmp -s "$OUT" "$J"

# one unit by hand: U0000001's total from the rule set of DESIGN §7
lua5.4 - "$D/units.csv" "$J" >"$T/hand" 2>&1 <<'LUA'
local f = assert(io.open(arg[1]))
local hdr = f:read("l")
local rows, max = {}, {}
for line in f:lines() do
  -- names may hold quoted commas: take the id first and the 20 numbers last
  local id = line:match("^([^,]+),")
  local nums = {}
  for v in line:gmatch("[^,]+") do nums[#nums + 1] = v end
  local t = {}
  for i = #nums - 19, #nums do t[#t + 1] = tonumber(nums[i]) end
  rows[id] = t
  for k = 11, 18 do max[k] = math.max(max[k] or 0, t[k]) end
end
local u = rows["U0000001"]
local s = 0
for k = 1, 10 do s = s + 6 * math.min(u[k] / 0.95, 1) end
for k = 11, 18 do s = s + (max[k] > 0 and 4 * u[k] / max[k] or 0) end
s = s - math.min(2 * u[19], 10)
if s < 0 then s = 0 end
if u[11] >= 400 then s = s + 3 end
if s > 100 then s = 100 end
-- the rounding rule: %.15g, then half-up at 2 decimals
local d = string.format("%.15g", s)
local ip, fp = d:match("^(%d+)%.?(%d*)$")
fp = fp .. "000"
local cents = tonumber(ip) * 100 + tonumber(fp:sub(1, 2)) + (tonumber(fp:sub(3, 3)) >= 5 and 1 or 0)
print(string.format("%d.%02d", cents // 100, cents % 100))
LUA
t_eq "run bench: U0000001 total as computed by hand" \
	"$(jsql "$J" "SELECT printf('%.2f', json_extract(value, '$.total')) FROM j WHERE json_extract(value, '$.unit_id') = 'U0000001'")" "$(cat "$T/hand")"

kp run "$BENCH" "$D/units.csv" --format csv -o "$D/bench.csv"
t_rc "run -o csv: exit 0" 0
t_eq "run -o csv: 200 rows and a header" "$(wc -l <"$D/bench.csv" | tr -d ' ')" "201"
t_eq "run -o elsewhere: still nothing here" "$(listing .)" ""

kp run "$BENCH" "$D/units.csv" --format json -o nowhere/x.json
t_rc "run -o into a missing folder: 73" 73
t_eq "run -o into a missing folder: nothing written" "$(listing .)" ""

kp run "$BENCH" "$D/units.csv" --db run.db --format json
t_rc "run --db: exit 0" 0
t_eq "run --db: the import and the run are stored" "$(sql run.db "SELECT (SELECT count(*) FROM imports), (SELECT rows FROM imports), (SELECT count(*) FROM runs), (SELECT count(*) FROM results)")" "1|200|1|200"
rm -f run.db run.db-wal run.db-shm

printf 'unit_id,name,category\nU1,a,dept\n' >"$D/thin.csv"
kp run "$BENCH" "$D/thin.csv"
t_rc "run with a column missing: 65" 65
t_err "run with a column missing: says which" "i01"
t_eq "run with bad data: nothing written" "$(listing .)" ""

kp run "$RULES" "$S21"/*.csv --format json
t_rc "run samples/2021: exit 0" 0
cp "$OUT" "$D/run21.json"
t_eq "run samples/2021: the same totals as score" \
	"$(jsql "$D/run21.json" "SELECT group_concat(json_extract(value, '$.unit_id') || '=' || json_extract(value, '$.total') || json_extract(value, '$.commended'), ',') FROM j")" \
	"$(jsql "$T/score/score.json" "SELECT group_concat(json_extract(value, '$.unit_id') || '=' || json_extract(value, '$.total') || json_extract(value, '$.commended'), ',') FROM j")"
t_eq "run samples/2021: nothing written" "$(listing .)" ""

# ---------- reports of many units ----------
# Above 50,000 units (KP_REPORT_XLSX_DETAILS) the workbook has no sheet of
# items and its commendation list says so, and above 200,000 rows it is
# written row by row: the options had been given positionally, which set
# use_zip64 instead, and a workbook of 1M units held 1.35 GB.  The HTML
# page and the workbook asked, for each unit's row, whether any unit knew
# last year: 31 s and 44 s at 100k units, hours at 1M.  Speed and memory
# are measured by make bench (report html / xlsx); here, what they show.
lua5.4 "$ROOT/scripts/gen-units" 200001 3 >"$D/many.csv"
kp run "$BENCH" "$D/many.csv" --format xlsx -o "$D/many.xlsx"
t_rc "run xlsx of 200,001 units: exit 0" 0
t_eq "run xlsx of 200,001 units: no sheet of items" \
	"$(unzip -p "$D/many.xlsx" xl/workbook.xml | grep -o '<sheet name="[^"]*"' | sed 's/<sheet name="//; s/"$//' | tr '\n' ' ')" \
	"dept town 拟表彰名单 "
t_true "run xlsx of 200,001 units: the list says the items are left out" \
	sh -c "unzip -p '$D/many.xlsx' | grep -q '单位数超过50000个：略去逐单位得分明细'"
# each category sheet: a title row and a header row above its units
t_eq "run xlsx of 200,001 units: every unit in its category's sheet" \
	"$(for n in 1 2; do unzip -p "$D/many.xlsx" xl/worksheets/sheet$n.xml | grep -o '<dimension ref="A1:[A-Z]*[0-9]*"' | grep -o '[0-9]*"$' | tr -d '"'; done | awk '{ s += $1 - 2 } END { print s }')" \
	"200001"
kp run "$BENCH" "$D/many.csv" --format html -o "$D/many.html"
t_rc "run html of 200,001 units: exit 0" 0
t_eq "run html of 200,001 units: every unit" "$(grep -o 'U[0-9]\{7\}' "$D/many.html" | sort -u | wc -l)" "200001"
t_true "run html of 200,001 units: says the breakdown is left out" grep -q '单位数超过5000个' "$D/many.html"
t_true "run html of 200,001 units: and leaves it out" sh -c "! grep -q 'class=\"details\"' '$D/many.html'"
rm -f "$D/many.csv" "$D/many.xlsx" "$D/many.html"

# ---------- a run whose items are derived again ----------
# Past 50,000 units (the XLSX report's details), rules whose items follow
# from each unit's row and the run's statistics store no items: explain
# scores the unit again (core/derive.c).  The same rules made underivable
# by an empty module store them as before; every unit explained, and every
# item of the JSON report, must be the same from both databases.
PREV=$PWD DV=$T/derived && mkdir -p "$DV" && cd "$DV" || exit 2
lua5.4 "$ROOT/scripts/gen-units" 50001 11 >units.csv
{ echo 'use "nothing"'; cat "$BENCH"; } >stored.lua
: >nothing.lua
for db in derived stored; do
	kp import --quiet --db $db.db --year 2021 units.csv
	t_rc "derived: import into $db.db" 0
done
kp score --quiet --db derived.db "$BENCH" --format csv -o derived.csv
t_rc "derived: score" 0
kp score --quiet --db stored.db stored.lua --format csv -o stored.csv
t_rc "derived: score with a module (items stored)" 0
t_eq "derived: the same ranking" "$(cmp derived.csv stored.csv && echo same)" "same"
t_eq "derived: no items stored, the rule text and statistics kept" \
	"$(sql derived.db "SELECT (SELECT count(*) FROM unit_items), (SELECT count(*) FROM run_derived WHERE run_id = 1 AND import_id = 1 AND rules_text = readfile('$BENCH') AND length(stats) = 8 * 8 * 6)")" "0|1"
t_eq "derived: the other keeps its items, and no run_derived" \
	"$(sql stored.db "SELECT (SELECT count(*) FROM unit_items), (SELECT count(*) FROM sqlite_schema WHERE name = 'run_derived')")" "50001|0"
t_true "derived: the database is the smaller" test "$(stat -c %s derived.db)" -lt "$(stat -c %s stored.db)"
t_eq "derived: its units in blocks of 256, its ids in buckets, no rows of results" \
	"$(sql derived.db "SELECT (SELECT count(*) FROM results), (SELECT count(*) FROM result_blocks WHERE run_id = 1), (SELECT sum(json_array_length(ids)) FROM result_ids WHERE run_id = 1)")" "0|196|50001"
t_eq "derived: the view block_results shows the rows results has for the same run" \
	"$(sql derived.db "SELECT position, unit_id, name, category, rank, total, raw_total, grade, commended, sections FROM block_results WHERE run_id = 1 ORDER BY position" | md5sum)" \
	"$(sql stored.db "SELECT position, unit_id, name, category, rank, total, raw_total, grade, commended, sections FROM results WHERE run_id = 1 ORDER BY position" | md5sum)"
kp explain --db derived.db "$(sql stored.db "SELECT name FROM results WHERE run_id = 1 GROUP BY name HAVING count(*) = 1 LIMIT 1 OFFSET 7")" >a.out
t_rc "derived: explain by a unit's name (every block read)" 0
ok=1
for u in $(sql stored.db "SELECT unit_id FROM results WHERE position % 5000 = 1 OR veto = 1 LIMIT 14"); do
	for f in table json; do
		"$KP" explain --db derived.db --format $f "$u" >a.out 2>a.err || { ok=0; fail "derived: explain $u ($f)" "$(cat a.err)"; }
		"$KP" explain --db stored.db --format $f "$u" >b.out 2>&1
		cmp -s a.out b.out || { ok=0; fail "derived: explain $u ($f) as stored" "$(diff a.out b.out | head -5)"; }
	done
done
[ $ok = 1 ] && pass
kp report --db derived.db --format json --items -o derived.json
t_rc "derived: report json --items scores the import again" 0
"$KP" report --db stored.db --format json --items -o stored.json 2>/dev/null
t_eq "derived: every item and note as stored" "$(cmp derived.json stored.json && echo same)" "same"
# a derived run kept as rows of results (as 2b8dad8 wrote one, before the
# blocks) reads as the same run: moved there through the view
cp derived.db rows.db
sql rows.db "INSERT INTO results SELECT run_id, position, unit_id, name, category, rank, total, raw_total, base, deductions, bonus, grade, veto, veto_reason, eligible, elig_rank, commended, boundary_tie, quota_dropped, tie_note, last_rank, last_total, sections, scored FROM block_results; DELETE FROM result_blocks; DELETE FROM result_ids" >/dev/null
kp report --db rows.db --format json --items -o rows.json
t_rc "derived as rows: report json --items" 0
t_eq "derived as rows: the same report, items and all" "$(cmp rows.json derived.json && echo same)" "same"
ok=1
for u in $(sql rows.db "SELECT unit_id FROM results WHERE position % 5000 = 1 LIMIT 11"); do
	"$KP" explain --db rows.db "$u" >a.out 2>a.err || { ok=0; fail "derived as rows: explain $u" "$(cat a.err)"; }
	"$KP" explain --db derived.db "$u" >b.out 2>&1
	cmp -s a.out b.out || { ok=0; fail "derived as rows: explain $u as from blocks" "$(diff a.out b.out | head -5)"; }
done
[ $ok = 1 ] && pass
# the import dropped: the totals and ranks stay, the items cannot be shown
kp drop --db derived.db --year 2021 units
t_rc "derived: drop the import" 0
t_err "derived: the drop says what explain loses" "explain can no longer show the items and notes of 1 recorded run(s), the newest run 1"
kp explain --db derived.db U0000001
t_rc "derived: explain after the drop: 65" 65
t_err "derived: explain says why" "derived again from the rows of import 1, which the database no longer holds"
kp report --db derived.db --format csv -o after.csv
t_rc "derived: report after the drop: exit 0" 0
t_eq "derived: the ranking stays" "$(cmp after.csv derived.csv && echo same)" "same"
sed 's/^U0000001,/U0000001,x/' units.csv >other.csv
kp import --replace --db stored.db --year 2021 --as units other.csv
t_rc "derived: replace under a run that keeps its items" 0
t_true "derived: says nothing of derived runs" sh -c "! grep -q 'explain can no longer' '$ERR'"
kp import --db derived.db --year 2021 units.csv
kp score --quiet --db derived.db "$BENCH" --format csv
kp import --replace --db derived.db --year 2021 --as units other.csv
t_rc "derived: replace the import of a derived run" 0
t_err "derived: the replace says what explain loses" "explain can no longer show the items and notes of 1 recorded run(s), the newest run 2"
cd "$PREV" || exit 2
rm -rf "$DV"

# ---------- check, criteria, test ----------

kp check "$RULES"
t_rc "check: exit 0" 0
t_out "check: summary" "6 sections, 23 indicators, 100 points"
if tail -n 1 "$OUT" | grep -qx ok; then pass; else fail "check: ends with ok" "$(tail -n 1 "$OUT")"; fi
kp check "$RULES" "$S21"/*.csv
t_rc "check with data: exit 0" 0
t_out "check with data: the data scores" "data: 38 units in 14 files score without errors"
kp check "$RULES" "$T/import/short.csv"
t_rc "check with bad data: 65" 65
t_err "check with bad data: position" "short.csv:3: 1 field where the header has 2"

kp criteria "$RULES"
t_rc "criteria: exit 0" 0
t_out "criteria: title and points" "陇县2021年度依法行政工作目标责任考核  (100分)"
t_out "criteria: a section" "一、履行第一责任人职责"
t_out "criteria: an indicator in words" "学法次数 ÷ 目标6 × 4分"
kp criteria "$RULES" --lang en
t_rc "criteria --lang en: exit 0" 0
t_out "criteria --lang en: the title's points in English" "陇县2021年度依法行政工作目标责任考核  (100 points)"
kp criteria "$RULES" --format csv
t_rc "criteria csv: exit 0" 0
t_eq "criteria csv: header" "$(head -n 1 "$OUT" | tr -d '\r' | sed 's/^\xef\xbb\xbf//')" "一级指标,分值,二级指标,分值,评分标准"
kp criteria "$RULES" --format md
t_rc "criteria md: exit 0" 0
t_out "criteria md: a table" "| 一级指标 | 分值 | 二级指标 | 分值 | 评分标准 |"

kp criteria "$RULES" --format md -o "$D/criteria.md"
t_rc "criteria -o: exit 0" 0
t_true "criteria -o: the file" grep -q '会前学法' "$D/criteria.md"
kp criteria "$RULES" --format csv -o nowhere/c.csv
t_rc "criteria -o into a missing folder: 73" 73
kp criteria "$RULES" --format json
t_rc "criteria --format json: 64" 64
t_err "criteria --format json: says which formats" "criteria prints table, csv, md or html"

kp test "$RULES"
t_rc "test: exit 0" 0
if tail -n 1 "$OUT" | grep -qx '6 passed, 0 failed'; then pass; else fail "test: 6 cases pass" "$(tail -n 1 "$OUT")"; fi

# the example written from a 扣分标准 table: checklists and base-score blocks
kp test "$ROOT/rules/2024-koufen.lua"
t_rc "test 2024-koufen: exit 0" 0
if tail -n 1 "$OUT" | grep -qx '4 passed, 0 failed'; then pass; else fail "test 2024-koufen: 4 cases pass" "$(tail -n 1 "$OUT")"; fi
kp check "$ROOT/rules/2024-koufen.lua"
t_rc "check 2024-koufen: exit 0" 0
kp criteria "$ROOT/rules/2024-koufen.lua"
t_true "criteria 2024-koufen: the base-score block" grep -q '以40分为基础, 按下列扣分标准扣分, 扣完为止' "$OUT"
t_true "criteria 2024-koufen: a checklist" grep -q '满分4分, 扣完为止: 迟报每次扣0.5分; 漏报每次扣1分, 最多扣2分' "$OUT"

# what a case may expect (issue 15.11): 0 for a deduction or bonus that did not fire, rank; a
# column with a declared default need not be listed; a grade moved down by a quota says so
kp test "$ROOT/tests/rules/testrunner.lua"
t_rc "test: a failing case exits 1" 1
t_out "test: rank, 0 for a deduction and a bonus that did not fire, defaults unlisted" "ok    b"
t_out "test: the quota named" "grade: expected 优秀, got 合格 (its total reaches a higher grade; the grade's quota moved it down)"
t_true "test: only the grade failed in case a" test "$(grep -c '^  ' "$OUT")" = 1
t_out "test: the counts" "1 passed, 1 failed"
printf 'unit_id,name,category,i01,事故数,有方案,示范\nA,a,dept,1,2,是,否\n' >"$D/tr.csv"
kp run --db "$D/tr.db" "$ROOT/tests/rules/testrunner.lua" "$D/tr.csv"
kp explain --db "$D/tr.db" A
t_out "deduction: its unit word from the declaration" "事故数2起, 每起扣2分, 扣4分"
kp check "$RULES" "$S21"/*.csv
t_true "check: one note a file for columns no helper reads" test "$(grep -c '^note: .*case_reviews.csv' "$OUT")" = 1
t_out "check: the columns of a file in one note" "case_reviews.csv: 3 columns no helper reads (a function rule may read them): 案卷编号, 发现问题数, 主要问题"
printf 'assessment { title = "x", year = 2021, unit = { id = "a", name = "b", category = "c" }, categories = {{"t"}} }\nsection "s" { points = 10, indicator "i" { points = 10, score = bands("v", {{0.9, 12}, {0.8, 8}}) } }\n' >"$D/bands.lua"
kp check "$D/bands.lua"
t_rc "band points above the item's: 78" 78
t_err "band points above the item's: says which" "indicator 'i' has 10 points, but its scoring gives up to 12"

# criteria: the same text every time (lookup entries came in Lua's table order, which changes
# from run to run), promising nothing scoring does not do (no "其余0分" for a lookup without a
# default: scoring another value is an error), a deduction in its own unit word
for i in 1 2 3 4 5 6; do "$KP" criteria "$RULES" --format csv | sha256sum; done | sort -u >"$D/crit.sums"
t_eq "criteria: byte-identical over 6 runs" "$(wc -l <"$D/crit.sums")" 1
kp criteria "$RULES" --format csv
t_out "criteria: ranks with the same points in one" "按法治信息采用条数从高到低排名: 第1—3名各3分; 第4—6名各2分; 第7—10名各1分; 其余0分"
t_out "criteria: lookup entries by points" "按三项制度评估等次: 优秀 6分; 良好 5分; 合格 3分; 不合格 0分"
t_true "criteria: a lookup without a default promises nothing else" test "$(grep -c '不合格 0分; 其余' "$OUT")" = 0
t_out "criteria: who may be commended" "表彰条件,,,,无一票否决; 等次为良好以上"
t_out "criteria: the tie-break order" "表彰条件,,并列,,总分相同时依次比较: 四、严格规范公正文明执法得分(高者在前); 扣分(少者在前)"
kp criteria "$ROOT/tests/rules/testrunner.lua" --format csv
t_out "criteria: a deduction's unit word" "每起扣2分, 最多扣6分"

# --items: the JSON report carries every item's points (issue 15.11), in run and from the store
kp run --db "$D/items.db" "$RULES" "$S21"/*.csv --format json --items
t_rc "json --items: exit 0" 0
cp "$OUT" "$D/items-run.json"
t_eq "json --items: every unit has its items" "$(jsql "$D/items-run.json" "SELECT count(*) FROM j WHERE json_array_length(json_extract(value, '$.items')) >= 23")" 38
t_eq "json --items: an indicator's points" "$(jsql "$D/items-run.json" "SELECT json_extract(i.value, '$.points') FROM j, json_each(json_extract(j.value, '$.items')) i WHERE json_extract(j.value, '$.unit_id') = 'Z01' AND json_extract(i.value, '$.name') = '会前学法'")" 4
kp report --db "$D/items.db" --format json --items
t_true "json --items: report from the store prints the same" cmp -s "$OUT" "$D/items-run.json"
kp report --db "$D/items.db" --format json
t_true "json without --items: no items (the contract's fields)" test "$(grep -c '"items"' "$OUT")" = 0

printf 'assessment {\n  title = "x",\n' >"$D/syntax.lua"
kp check "$D/syntax.lua"
t_rc "rule syntax error: 78" 78
t_err "rule syntax error: file and line" "kaoping: $D/syntax.lua:3:"
printf 'assessment { title = "x", year = 2021, unit = { id = "a", name = "b", category = "c" }, categories = {{"t"}} }\nindicatr "x" {}\n' >"$D/typo.lua"
kp check "$D/typo.lua"
t_rc "rule typo: 78" 78
t_err "rule typo: file, line and name" "kaoping: $D/typo.lua:2: unknown name 'indicatr'"
kp test "$D/typo.lua"
t_rc "test on a broken file: 78" 78
kp check "$D/nope.lua"
t_rc "missing rule file: 66" 66
t_err "missing rule file: message" "nope.lua: cannot open"
t_eq "rule errors write nothing" "$(listing .)" ""

# ---------- schema 1 to 2: a database made by an older kaoping ----------

D=$T/migrate && mkdir -p "$D" && cd "$D" || exit 2
V1=$ROOT/tests/data/store-v1
cp "$V1/v1.db" old.db
kp report --db old.db --run 1 --format json
t_rc "schema 1: report reads it (upgraded in memory): exit 0" 0
t_eq "schema 1: a reading command leaves the file as it was" "$(sha256sum <old.db)" "$(sha256sum <"$V1/v1.db")"
for r in 1 2; do
	for f in json html; do
		kp report --db old.db --run $r --format $f
		if cmp -s "$OUT" "$V1/report-$r.$f"; then pass; else fail "schema 1: run $r as $f reads as before" "$(diff "$OUT" "$V1/report-$r.$f" | head -5)"; fi
	done
	: >explain.txt; : >explain.json
	for u in $(sql "$V1/v1.db" "SELECT unit_id FROM results WHERE run_id = $r ORDER BY position"); do
		"$KP" explain --db old.db --run $r "$u" >>explain.txt
		"$KP" explain --db old.db --run $r --format json "$u" >>explain.json
	done
	if cmp -s explain.txt "$V1/explain-$r.txt"; then pass; else fail "schema 1: run $r explains every unit as before" "$(diff explain.txt "$V1/explain-$r.txt" | head -5)"; fi
	if cmp -s explain.json "$V1/explain-$r.json"; then pass; else fail "schema 1: run $r explains every unit as before (json)" "$(diff explain.json "$V1/explain-$r.json" | head -5)"; fi
done
kp score --db old.db --year 2021 "$RULES" --format json
t_rc "schema 1: a new run on the upgraded database" 0
t_eq "schema 1: a writing command upgraded it to schema 2, intact" "$(sql old.db "PRAGMA user_version; PRAGMA integrity_check")" "2
ok"
t_eq "schema 1: the schema-1 tables are gone, the views show the same rows" \
	"$(sql old.db "SELECT (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('points', 'section_points')), (SELECT count(*) FROM points WHERE run_id <= 2), (SELECT count(*) FROM section_points WHERE run_id <= 2)")" \
	"0|$(sql "$V1/v1.db" "SELECT count(*) FROM points")|$(sql "$V1/v1.db" "SELECT count(*) FROM section_points")"
if cmp -s "$OUT" "$V1/report-2.json"; then pass; else fail "schema 1: the new run scores as the old one (last year read back)" "$(diff "$OUT" "$V1/report-2.json" | head -5)"; fi
rm -f old.db*

cd "$ROOT" || exit 2
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
