#!/bin/sh
# sqlite.sh FILE.csv
#
# The benchmark rule set of DESIGN.md section 7 done by the sqlite3 shell
# alone: `.import --csv` into an in-memory database, then one SQL query with
# window functions. `make bench` times it against kaoping, and checks that it
# prints exactly what scripts/bench/plain.lua prints:
#   category,rank,unit_id,total,grade,commended,veto
# ordered by category (dept, then town), rank, unit_id (byte order).
#
# Arithmetic follows plain.lua operation by operation (same order, double
# precision), so the unrounded totals are the same doubles:
#   * the rate columns are parsed by CAST(.. AS REAL); for the 4-decimal
#     values of the benchmark this gives the correctly rounded double (checked
#     for all 10001 values 0.0000..1.0000 against k/10000.0), and the literal
#     0.95 is the same double as 19.0/20.0;
#   * counts are REAL too, so 4*v/max is a floating division (integer
#     columns would make it an integer division).
#
# Rounding (DESIGN section 2): printf('%.15g', t) gives the shortest decimal
# form at 15 significant digits; that decimal string is then rounded half-up
# at 2 decimals by hand: integer part * 100 + the first two fraction digits,
# plus 1 when the third fraction digit is >= '5'. This is exact integer
# arithmetic on the digits. SQLite's round(x, 2) is not used: it rounds the
# binary double through SQLite's own printf, which is not the contract rule.
# SQLite 3.40's printf is its own implementation (long double), not glibc's:
# on 2.7M doubles built to sit at or next to 15-digit half points it printed
# 39 differently from glibc in the 15th digit, and none of them changed a
# value rounded to 2 decimals (among them 700k doubles within 3 ulps of
# xx.xx5); on the generated benchmark data it agrees with plain.lua.
# A total below 1e-4 prints with an exponent ("4e-05"): its cents are 0.
#
# Numbers are not validated here (CAST turns text into 0, an empty cell too):
# the data is generated; a category other than dept/town stops with an error.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: scripts/bench/sqlite.sh FILE.csv" >&2
  exit 64
fi
file=$1
if [ ! -r "$file" ]; then
  echo "sqlite.sh: $file: cannot read" >&2
  exit 66
fi
case $file in
  *"'"*) echo "sqlite.sh: $file: a file name with a single quote is not supported" >&2; exit 64 ;;
esac

# A number cell as REAL. DESIGN section 5: numbers may carry thousands
# separators ("1,234") and % ("97.5%" is 0.975, as a decimal); the separators
# are dropped, a % divides by 100. (kaoping and plain.lua read "97.5%" as the
# decimal 97.5e-2; x / 100 is the same double when x is exact in binary, as
# the halves of tests/diff/gen.py are; "66.6%" could differ in the last bit.)
# Only a file with a cell that looks like such a number (a false match only
# costs time) pays for that: the generated benchmark data has none, so the
# timing of make bench is the plain CAST's, as before.
if LC_ALL=C grep -qE '(^|,)"?[-+]?[0-9.]+%"?(,|\r?$)|(^|,)"[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?%?"(,|\r?$)' "$file"; then
  num() {
    printf "CAST(rtrim(replace(%s, ',', ''), '%%') AS REAL) / (CASE WHEN substr(%s, -1) = '%%' THEN 100.0 ELSE 1.0 END)" "$1" "$1"
  }
else
  num() { printf "CAST(%s AS REAL)" "$1"; }
fi

exec sqlite3 -batch -bail :memory: <<SQL
.import --csv '$file' units

-- a category other than dept/town stops the script (-bail) with this message
CREATE TEMP TABLE bad_category(unit_id, category);
CREATE TEMP TRIGGER bad_category BEFORE INSERT ON bad_category BEGIN
  SELECT RAISE(ABORT, 'sqlite.sh: a unit has a category other than dept or town');
END;
INSERT INTO bad_category SELECT unit_id, category FROM units
 WHERE category NOT IN ('dept', 'town') LIMIT 1;

.mode list
.separator ,
.headers on
WITH
v AS (
  SELECT unit_id, category,
    $(num i01) AS r01, $(num i02) AS r02, $(num i03) AS r03,
    $(num i04) AS r04, $(num i05) AS r05, $(num i06) AS r06,
    $(num i07) AS r07, $(num i08) AS r08, $(num i09) AS r09,
    $(num i10) AS r10,
    $(num i11) AS c11, $(num i12) AS c12, $(num i13) AS c13,
    $(num i14) AS c14, $(num i15) AS c15, $(num i16) AS c16,
    $(num i17) AS c17, $(num i18) AS c18,
    $(num i19) AS viol, $(num i20) = 1 AS veto
  FROM units
),
-- the maximum of each count column over ALL units: one row. (MAX(..) OVER ()
-- gives the same numbers but buffers every row with all its columns first.)
mx AS MATERIALIZED (
  SELECT max(c11) AS m11, max(c12) AS m12, max(c13) AS m13, max(c14) AS m14,
         max(c15) AS m15, max(c16) AS m16, max(c17) AS m17, max(c18) AS m18
  FROM v
),
-- MATERIALIZED matters: without it SQLite inlines this CTE into every later
-- use of s, evaluates the whole expression several times per row and takes
-- 3x as long.
total AS MATERIALIZED (
  SELECT unit_id, category, veto,
    printf('%.15g', min(max((
        6 * min(r01 / 0.95, 1.0) + 6 * min(r02 / 0.95, 1.0) + 6 * min(r03 / 0.95, 1.0)
      + 6 * min(r04 / 0.95, 1.0) + 6 * min(r05 / 0.95, 1.0) + 6 * min(r06 / 0.95, 1.0)
      + 6 * min(r07 / 0.95, 1.0) + 6 * min(r08 / 0.95, 1.0) + 6 * min(r09 / 0.95, 1.0)
      + 6 * min(r10 / 0.95, 1.0)
    ) + (
        (CASE WHEN m11 = 0 THEN 0.0 ELSE 4 * c11 / m11 END)
      + (CASE WHEN m12 = 0 THEN 0.0 ELSE 4 * c12 / m12 END)
      + (CASE WHEN m13 = 0 THEN 0.0 ELSE 4 * c13 / m13 END)
      + (CASE WHEN m14 = 0 THEN 0.0 ELSE 4 * c14 / m14 END)
      + (CASE WHEN m15 = 0 THEN 0.0 ELSE 4 * c15 / m15 END)
      + (CASE WHEN m16 = 0 THEN 0.0 ELSE 4 * c16 / m16 END)
      + (CASE WHEN m17 = 0 THEN 0.0 ELSE 4 * c17 / m17 END)
      + (CASE WHEN m18 = 0 THEN 0.0 ELSE 4 * c18 / m18 END)
    ) - min(2 * viol, 10), 0.0)                       -- deduction, floor at 0
      + (CASE WHEN c11 >= 400 THEN 3 ELSE 0 END), 100)  -- bonus, cap at 100
    ) AS s
  FROM v, mx
),
-- s split at the decimal point: f = the fraction digits padded with zeros
digits AS (
  SELECT unit_id, category, veto, s,
    CASE WHEN instr(s, '.') > 0 THEN substr(s, instr(s, '.') + 1) ELSE '' END
      || '000' AS f
  FROM total
),
cents AS MATERIALIZED (
  SELECT unit_id, category, veto,
    CASE WHEN instr(s, 'e') > 0 THEN 0        -- below 1e-4: rounds to 0.00
    ELSE CAST(s AS INTEGER) * 100 + CAST(substr(f, 1, 2) AS INTEGER)
         + (substr(f, 3, 1) >= '5') END AS cents
  FROM digits
),
-- rank: competition ranking over all units of the category; rank_ok: the
-- same ranking among the units without veto (1 + the number of such units
-- with a higher total), which the commendation quota counts. One window,
-- so one sort.
ranked AS (
  SELECT unit_id, category, veto, cents,
    RANK() OVER w AS rnk,
    1 + coalesce(SUM(NOT veto) OVER (w GROUPS BETWEEN UNBOUNDED PRECEDING
                                       AND 1 PRECEDING), 0) AS rank_ok
  FROM cents
  WINDOW w AS (PARTITION BY category ORDER BY cents DESC)
)
SELECT category,
  rnk AS "rank",
  CASE WHEN unit_id GLOB '*[,"]*' OR instr(unit_id, char(10)) OR instr(unit_id, char(13))
       THEN '"' || replace(unit_id, '"', '""') || '"' ELSE unit_id END AS unit_id,
  printf('%d.%02d', cents / 100, cents % 100) AS total,
  CASE WHEN veto THEN '不合格'
       WHEN cents >= 9000 THEN '优秀'
       WHEN cents >= 8000 THEN '良好'
       WHEN cents >= 6000 THEN '合格'
       ELSE '不合格' END AS grade,
  CASE WHEN NOT veto
        AND rank_ok <= (CASE category WHEN 'town' THEN 2 ELSE 9 END)
       THEN 'yes' ELSE 'no' END AS commended,
  CASE WHEN veto THEN 'yes' ELSE 'no' END AS veto
FROM ranked
-- ranked.unit_id: the id itself; a bare unit_id would be the output column,
-- the id quoted for CSV ('"2,x"' sorts before '-4', '2,x' after)
ORDER BY CASE category WHEN 'dept' THEN 0 ELSE 1 END, rnk, ranked.unit_id;
SQL
