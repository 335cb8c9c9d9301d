#!/usr/bin/env bash
# tests/faults/verbs.sh — faults around every verb that writes, beyond the
# import and score of tests/faults/run.sh: drop, import --replace, run --db
# (an import committed with the run), a writer on a schema-1 database (the
# upgrade commits with the verb's work), explain --all -o DIR, template,
# notice -o, report -o, compare -o and robust -o in each format.  For each:
#   (a) SIGKILL, (b) SIGTERM and SIGINT at points spread over its run: the
#       database passes integrity_check and holds exactly the old state or
#       exactly the new one (every table, times of day aside), the next
#       command on it works, an output is absent or whole (explain --all:
#       whole sheets only), no temporary file is left, and after TERM/INT
#       no folder it made stays empty; the exit status is 128+signal;
#   (c) a file size limit: 73/74 with a message naming the file, nothing
#       half-written, the database unchanged;
#   (d) two verbs at once on one database: each succeeds or fails with 75
#       and the lock message, the database whole and consistent.
# Run from the repository root (tests/run.sh does); KP_BIN names the binary
# (default ./kaoping); KEEP=1 keeps the work directory; VERBOSE=1 lists
# every check.  Needs sqlite3 and lua5.4.
#
#   VERB_POINTS=6    signal points per database verb (KILL, TERM, INT in turn)
#   OUT_POINTS=3     signal points per output verb and format (the same)
#   VERB_LIMITS="8 4096"  file size limits (KB) of (c) (by hand: "8 256 4096")
#   VERB_ROUNDS=1    rounds of the pairs of (d)
#   (by hand, e.g. VERB_POINTS=60 OUT_POINTS=30 VERB_ROUNDS=10)
#   VERB_CASES="drop run ..."  only these cases (names below)
#   VERB_UNITS=20000 units in the imports that drop/replace/run work on
set -u
cd "$(dirname "$0")/../.."
. tests/faults/common.sh
faults_start faults/verbs sqlite3 lua5.4 python3
VERB_POINTS=${VERB_POINTS:-6}
OUT_POINTS=${OUT_POINTS:-3}
VERB_LIMITS=${VERB_LIMITS:-8 4096}
VERB_ROUNDS=${VERB_ROUNDS:-1}
VERB_UNITS=${VERB_UNITS:-20000}
RULES=$ROOT/rules/bench.lua
FAZHI=$ROOT/rules/2021-fazhi.lua

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kp-verbs.XXXXXX")
cleanup() {
	if [ -n "${KEEP:-}" ]; then echo "faults/verbs: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
cd "$WORK" || exit 1
T0=$SECONDS
now_ms() { echo $(($(date +%s%N) / 1000000)); }
sleep_us() { sleep "$(printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)))"; }

# Exactly the same database: every table's schema and rows.
state() { sqlite3 "$1" .sha3sum; }
# The same but for the times of day an import, a run or a drop records:
# what a finished verb leaves, compared with another finish of it.
norm() { sqlite3 "$1" .dump | sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z/T/g' | sha1sum; }
integrity() { sqlite3 "$1" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ' | sed 's/ $//'; }
# Temporary files of kaoping's atomic outputs (.NAME.XXXXXX, .kaoping-out.XXXXXX)
# and SQLite's leftovers other than the -wal/-shm of a database.
temps() { find "$1" -name '.*.??????' -o -name '*-journal' 2>/dev/null | LC_ALL=C sort | tr '\n' ' '; }

# ---------------------------------------------------------------------------
# The databases.
$GEN 2000 11 >units.csv
$GEN "$VERB_UNITS" 12 >big.csv
$GEN "$VERB_UNITS" 13 >big2.csv
cp -r "$ROOT/samples/2021" s2021
setup_ok=1
{
	# base.db: 2020 (2000 units, scored twice), 2021 (VERB_UNITS, scored)
	"$KP" import --quiet --db base.db --year 2020 --as units units.csv &&
		"$KP" score --quiet "$RULES" --db base.db --year 2020 >/dev/null &&
		"$KP" score --quiet "$RULES" --db base.db --year 2020 >/dev/null &&
		"$KP" import --quiet --db base.db --year 2021 --as units big.csv &&
		"$KP" score --quiet "$RULES" --db base.db --year 2021 >/dev/null &&
		# run.db: 2020 only, for run --db importing 2021 with its run
		"$KP" import --quiet --db run.db --year 2020 --as units units.csv &&
		"$KP" score --quiet "$RULES" --db run.db --year 2020 >/dev/null &&
		# sample.db: the 2021 sample, for notice and template
		"$KP" import --quiet --db sample.db --year 2021 s2021/*.csv &&
		"$KP" score --quiet "$FAZHI" --db sample.db >/dev/null &&
		cp "$ROOT/tests/data/store-v1/v1.db" v1.db
} 2>setup.err || setup_ok=0
if [ $setup_ok = 0 ] || [ -e base.db-wal ]; then
	fail setup "could not build the databases: $(head -n 1 setup.err)"
	echo "$passed passed, $failed failed"
	exit 1
fi

# ---------------------------------------------------------------------------
# One case: NAME, the database it starts from (or -), then the command
# (words; @DB stands for the database, @OUT for the output path).
# A reference run gives the new state and the whole output.
declare -A C_DB C_OUT C_CMD C_KIND
case_add() { # name db out kind cmd...
	local n=$1; C_DB[$n]=$2 C_OUT[$n]=$3 C_KIND[$n]=$4; shift 4; C_CMD[$n]="$*"
}
# database verbs
case_add drop base.db - db drop --db @DB --year 2021 units
case_add replace base.db - db import --quiet --db @DB --year 2021 --replace --as units "$WORK/big2.csv"
case_add run run.db out/run.json db run "$RULES" "$WORK/big2.csv" --db @DB --quiet --format json -o @OUT
case_add v1-import v1.db - db import --quiet --db @DB --year 2022 --as units "$WORK/big.csv"
case_add v1-score v1.db - db score --quiet "$FAZHI" --db @DB --year 2021 --format json -o out/v1.json
case_add v1-drop v1.db - db drop --db @DB --year 2020 case_reviews
# outputs (the database only read)
case_add explain base.db out/sheets dir explain --all --quiet --db @DB --run 1 -o @OUT
case_add explain-xlsx sample.db out/sheets dir explain --all --quiet --db @DB --format xlsx -o @OUT
case_add template-xlsx sample.db out/forms dir template "$FAZHI" --quiet --format xlsx -o @OUT
case_add template-csv sample.db out/forms dir template "$FAZHI" --quiet --format csv --db @DB --year 2021 -o @OUT
for f in md html docx; do
	case_add notice-$f sample.db out/notice.$f file notice "$FAZHI" --quiet --db @DB -o @OUT
done
for f in html csv json xlsx md; do
	case_add report-$f base.db out/report.$f file report --quiet --db @DB --run 1 -o @OUT
	case_add compare-$f base.db out/compare.$f file compare --quiet --db @DB --run 1 --run 2 -o @OUT
done
for f in md csv json; do
	case_add robust-$f base.db out/robust.$f file robust "$RULES" --quiet --db @DB --year 2020 --draws 300 -o @OUT
done
CASES="drop replace run v1-import v1-score v1-drop explain explain-xlsx template-xlsx template-csv
	notice-md notice-html notice-docx report-html report-csv report-json report-xlsx report-md
	compare-html compare-csv compare-json compare-xlsx compare-md robust-md robust-csv robust-json"
[ -n "${VERB_CASES:-}" ] && CASES=$VERB_CASES

# The command of case n on database $2, output path $3, as an array.
cmd_of() {
	local w out=()
	for w in ${C_CMD[$1]}; do
		case $w in @DB) out+=("$2") ;; @OUT) out+=("$3") ;; *) out+=("$w") ;; esac
	done
	CMD=("$KP" "${out[@]}")
}
# A fresh place for case n: the database copied, no output.
fresh() { # name dir
	rm -rf "$2"; mkdir -p "$2/out"
	[ "${C_DB[$1]}" != - ] && cp "${C_DB[$1]}" "$2/k.db"
	return 0
}
# The files under a folder with their sizes and sums (the database's
# -wal and -shm aside: checked through the database).
# The files under a folder, each with its sum ("./path sum", sorted); a
# workbook or a document (a zip) by its parts, the time it was made
# (docProps/core.xml) aside, "BAD" when it is no whole zip.
tree_of() {
	(cd "$1" && {
		find . -type f ! -name 'k.db*' ! -name '*.xlsx' ! -name '*.docx' -print0 | xargs -0r sha1sum |
			sed -E 's/^([0-9a-f]{12})[0-9a-f]*  (.*)$/\2 \1/'
		find . -type f \( -name '*.xlsx' -o -name '*.docx' \) -print0 | xargs -0r python3 -c '
import sys, zipfile, hashlib
for f in sys.argv[1:]:
    h = hashlib.sha1()
    try:
        z = zipfile.ZipFile(f)
        for i in sorted(z.infolist(), key=lambda i: i.filename):
            if i.filename != "docProps/core.xml":
                h.update(i.filename.encode() + b"\0" + z.read(i.filename))
        print(f, h.hexdigest()[:12])
    except Exception:
        print(f, "BAD")'
	} | LC_ALL=C sort)
}

# Reference: each case once, whole; its time, the new state, its files.
declare -A R_MS R_NORM R_STATE R_TREE
echo "faults/verbs: reference runs"
for n in $CASES; do
	best=0
	for k in 1; do
		fresh "$n" "ref-$n"
		cmd_of "$n" k.db "${C_OUT[$n]}"
		t0=$(now_ms)
		(cd "ref-$n" && "${CMD[@]}" >/dev/null 2>../ref-$n.err)
		rc=$?
		t=$(($(now_ms) - t0))
		{ [ $best = 0 ] || [ $t -lt $best ]; } && best=$t
	done
	if [ $rc -ne 0 ]; then
		fail "$n/ref" "the command fails by itself ($rc): $(head -n 1 ref-$n.err)"
		CASES_BAD="${CASES_BAD:-} $n"
		continue
	fi
	R_MS[$n]=$best
	if [ "${C_DB[$n]}" != - ]; then
		R_STATE[$n]=$(state "${C_DB[$n]}")
		R_NORM[$n]=$(norm "ref-$n/k.db")
	fi
	R_TREE[$n]=$(tree_of "ref-$n")
	[ -n "${VERBOSE:-}" ] && echo "      $n takes $best ms"
done

# After a fault in case n, in folder d: the database old or new, the next
# command works, the files whole.  sig: KILL, TERM, INT or "" (no signal);
# what: the label.  Sets OUTCOME to old/new.
check_after() { # n d sig what
	local n=$1 d=$2 sig=$3 what=$4 ic st tr ref dirs
	OUTCOME=old
	if [ "${C_DB[$n]}" != - ]; then
		# kaoping opens it first (a sqlite3 shell would merge any log it left)
		if ! "$KP" runs --db "$d/k.db" >/dev/null 2>"$d.next.err" ||
			! "$KP" imports --db "$d/k.db" >/dev/null 2>>"$d.next.err"; then
			fail "$what" "the next command fails on the database: $(head -n 1 "$d.next.err")"
			cp -r "$d" "bad-${what//\//-}"; return 1
		fi
		ic=$(integrity "$d/k.db")
		if [ "$ic" != ok ]; then
			fail "$what" "integrity_check: $ic"; cp -r "$d" "bad-${what//\//-}"; return 1
		fi
		st=$(state "$d/k.db")
		if [ "$st" = "${R_STATE[$n]}" ]; then
			OUTCOME=old
		elif [ "$(norm "$d/k.db")" = "${R_NORM[$n]}" ]; then
			OUTCOME=new
		else
			fail "$what" "the database is neither as before nor as after the command"
			cp -r "$d" "bad-${what//\//-}"; return 1
		fi
	fi
	tr=$(temps "$d")
	if [ -n "$tr" ]; then
		fail "$what" "temporary files left: $tr"; return 1
	fi
	# every file there is one the whole command writes, byte for byte
	ref=${R_TREE[$n]}
	local line missing=0 extra
	extra=$(comm -13 <(echo "$ref") <(tree_of "$d"))
	# libxlsxwriter makes each temporary file of its own by name in the
	# workbook's folder (tmp.XXXXXXXXXX) and removes the name at once: a
	# SIGKILL in between leaves it, empty; nothing kaoping runs can
	# defer a SIGKILL.  Counted, not failed.
	if [ "$sig" = KILL ] && [ -n "$extra" ]; then
		local lx
		lx=$(echo "$extra" | grep -cE '/tmp\.[A-Za-z0-9]{10} da39a3ee5e6b$')
		LX_LEFT=$((LX_LEFT + lx))
		extra=$(echo "$extra" | grep -vE '/tmp\.[A-Za-z0-9]{10} da39a3ee5e6b$')
	fi
	if [ -n "$extra" ]; then
		fail "$what" "files that are not whole: $(echo "$extra" | head -n 3 | tr '\n' ';')"
		cp -r "$d" "bad-${what//\//-}"; return 1
	fi
	missing=$(comm -23 <(echo "$ref") <(tree_of "$d") | wc -l)
	case ${C_KIND[$n]} in
	db | file)
		# a database verb's output goes with its transaction: all or none
		if [ "${C_DB[$n]}" != - ] && [ ${C_KIND[$n]} = db ] && [ "${C_OUT[$n]}" != - ] &&
			[ $OUTCOME = old ] && [ -e "$d/${C_OUT[$n]}" ]; then
			fail "$what" "the output is there but the run is not in the database"; return 1
		fi
		;;
	dir)
		# explain --all keeps whole batches of 64 sheets; template all forms
		# or none
		local total have
		total=$(echo "$ref" | grep -c .)
		have=$((total - missing))
		# (a SIGKILL while the forms, or a batch of sheets, are renamed into
		# place, a window of a few system calls, can leave some new: nothing
		# can defer it; CI's run once caught explain at 58 of 64)
		if [ "$n" = "${n#explain}" ] && [ $have -ne 0 ] && [ $have -ne $total ] && [ "$sig" != KILL ]; then
			fail "$what" "$have of $total forms in place"; return 1
		elif [ "$n" != "${n#explain}" ] && [ $have -ne $total ] && [ $((have % 64)) -ne 0 ] && [ "$sig" != KILL ]; then
			fail "$what" "$have of $total sheets in place: not whole batches"; return 1
		fi
		;;
	esac
	# a signal the command catches: no folder it made left empty
	if [ "$sig" = TERM ] || [ "$sig" = INT ] || [ -z "$sig" ]; then
		dirs=$(cd "$d" && find . -mindepth 1 -type d -empty ! -path ./out | LC_ALL=C sort | tr '\n' ' ')
		if [ -n "$dirs" ]; then
			fail "$what" "empty folders left: $dirs"; return 1
		fi
	fi
	return 0
}

# ---------------------------------------------------------------------------
# (a, b) signals at points spread over each case's run.
echo "faults/verbs: (a, b) KILL, TERM and INT at points spread over each verb"
T1=$SECONDS
LX_LEFT=0
for n in $CASES; do
	case " ${CASES_BAD:-} " in *" $n "*) continue ;; esac
	dur=${R_MS[$n]}
	points=$VERB_POINTS
	[ "${C_KIND[$n]}" = db ] || points=$OUT_POINTS
	landed=0 old=0 new=0
	for ((i = 0; i < points; i++)); do
		case $((i % 3)) in 0) sig=KILL ;; 1) sig=TERM ;; 2) sig=INT ;; esac
		{
			d=k-$n
			fresh "$n" "$d"
			cmd_of "$n" k.db "${C_OUT[$n]}"
			delay_us=$(((dur * 1000 * (2 * i + 1)) / (2 * points)))
			(cd "$d" && exec "${CMD[@]}" >/dev/null 2>../k.err) &
			pid=$!
			sleep_us $delay_us
			kill -$sig $pid 2>/dev/null
			wait $pid
			rc=$?
			what="$n/$sig/$i"
			want=$((128 + $(kill -l $sig)))
			if [ $rc -eq $want ]; then
				landed=$((landed + 1))
			elif [ $rc -ne 0 ]; then
				fail "$what" "after SIG$sig at ${delay_us} us: exit $rc, not $want: $(head -n 1 k.err)"
				continue
			fi
			check_after "$n" "$d" "$sig" "$what at ${delay_us} us" || continue
			[ $OUTCOME = old ] && old=$((old + 1)) || new=$((new + 1))
			pass "$what"
		}
	done
	[ -n "${VERBOSE:-}" ] && echo "      $n: $landed of $points signals landed; database old $old, new $new"
done
[ $LX_LEFT -gt 0 ] && echo "faults/verbs: note: $LX_LEFT empty libxlsxwriter temporary file(s) left by SIGKILL (known)"
echo "faults/verbs: (a, b) took $((SECONDS - T1)) s"

# ---------------------------------------------------------------------------
# (c) a file size limit (SIGXFSZ ignored, as kaoping does: the write fails
# with EFBIG): 73 or 74, the file named, the database as it was, no
# temporary and no output.
echo "faults/verbs: (c) a file size limit"
T1=$SECONDS
# A limit the command stays under may let it finish: then all of its work
# is there.
for n in $CASES; do
	case " ${CASES_BAD:-} " in *" $n "*) continue ;; esac
	for lim in $VERB_LIMITS; do
	d=x-$n
	fresh "$n" "$d"
	cmd_of "$n" k.db "${C_OUT[$n]}"
	(cd "$d" && trap '' XFSZ && ulimit -f $lim && exec "${CMD[@]}" >/dev/null 2>../x.err)
	rc=$?
	what="$n/limit-$lim"
	if [ $rc -eq 0 ]; then
		check_after "$n" "$d" "" "$what" || continue
		if [ "${C_DB[$n]}" != - ] && [ "${C_KIND[$n]}" = db ] && [ $OUTCOME != new ]; then
			fail "$what" "exit 0 but the database does not hold the command's work"
		elif [ "$(tree_of "$d")" != "${R_TREE[$n]}" ]; then
			fail "$what" "exit 0 but the output is not whole"
		else
			pass "$what (finished)"
		fi
		continue
	fi
	if [ $rc -ne 73 ] && [ $rc -ne 74 ]; then
		fail "$what" "exit $rc under a ${lim} KB file size limit, expected 73 or 74: $(head -n 1 x.err)"
		continue
	fi
	if ! grep -q "^kaoping: .*\(k\.db\|out/\|File too large\)" x.err; then
		fail "$what" "the message does not name the file: $(head -n 1 x.err)"
		continue
	fi
	check_after "$n" "$d" "" "$what" || continue
	if [ $OUTCOME != old ]; then
		fail "$what" "exit $rc but the database holds the command's work"
		continue
	fi
	if [ "${C_KIND[$n]}" != dir ] && [ "${C_OUT[$n]}" != - ] && [ -e "$d/${C_OUT[$n]}" ]; then
		fail "$what" "exit $rc but ${C_OUT[$n]} is there"
		continue
	fi
	pass "$what"
	done
done
echo "faults/verbs: (c) took $((SECONDS - T1)) s"

# ---------------------------------------------------------------------------
# (d) two verbs at once on one database: each ends 0, or 75 with the lock
# message; the database whole, its state one that the two in some order
# give (checked by what each left: counts that go together).
echo "faults/verbs: (d) two verbs at once on one database"
T1=$SECONDS
pair() { # label, then two commands separated by --
	local label=$1 a=() b=() rc1 rc2 ok=1 ic
	shift
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	b=("$@")
	(cd p && exec "$KP" "${a[@]}" >/dev/null 2>../p1.err) &
	local p1=$!
	sleep_us 20000
	(cd p && exec "$KP" "${b[@]}" >/dev/null 2>../p2.err) &
	local p2=$!
	wait $p1; rc1=$?
	wait $p2; rc2=$?
	for x in "1 $rc1" "2 $rc2"; do
		set -- $x
		# 75 with the lock message, or (a score) with the one that the other
		# changed the data it read; 65 when the other one dropped the data first
		if [ $2 -ne 0 ] && { [ $2 -ne 75 ] || ! grep -qE 'locked|changed while this command read it' p$1.err; } &&
			{ [ $2 -ne 65 ] || ! grep -q 'nothing is imported' p$1.err; }; then
			fail "pair/$label" "command $1 exited $2: $(head -n 1 p$1.err)"
			ok=0
		fi
	done
	ic=$(integrity p/k.db)
	[ "$ic" = ok ] || { fail "pair/$label" "integrity_check: $ic"; ok=0; }
	local tr
	tr=$(temps p)
	[ -z "$tr" ] || { fail "pair/$label" "temporary files left: $tr"; ok=0; }
	PAIR_RC="$rc1 $rc2"
	return $((1 - ok))
}
consistent() { # every import in use has its data table with its rows; every run its results;
	# a drop names every run that used what it dropped (a run recorded after the drop, on data
	# read before it, was not: the score now refuses that with 75)
	local bad
	bad=$(sqlite3 p/k.db "SELECT name FROM imports WHERE replaced_at IS NULL AND (data_table IS NULL OR data_table NOT IN (SELECT name FROM sqlite_master))
		UNION ALL SELECT 'run ' || id FROM runs WHERE units != (SELECT count(*) FROM results WHERE run_id = runs.id)
		UNION ALL SELECT 'two ' || year || '/' || name FROM imports WHERE replaced_at IS NULL GROUP BY year, name HAVING count(*) > 1")
	[ -z "$(sqlite3 p/k.db "SELECT 1 FROM sqlite_master WHERE name = 'import_drops'")" ] ||
		bad+=$(sqlite3 p/k.db "SELECT 'unnamed run ' || ri.run_id || ' of dropped import ' || d.import_id FROM run_imports ri
			JOIN import_drops d ON d.import_id = ri.import_id WHERE ', ' || coalesce(d.used_by, '') || ',' NOT LIKE '%, ' || ri.run_id || ',%'")
	[ -z "$bad" ] || { fail "pair/$1" "inconsistent: $bad"; return 1; }
	local t
	for t in $(sqlite3 p/k.db "SELECT data_table || '=' || rows FROM imports WHERE replaced_at IS NULL AND data_table IS NOT NULL" | sed 's/ /%20/g'); do
		local tab=${t%=*} rows=${t##*=}
		tab=${tab//%20/ }
		[ "$(sqlite3 p/k.db "SELECT count(*) FROM \"$tab\"")" = "$rows" ] || { fail "pair/$1" "$tab does not hold its $rows rows"; return 1; }
	done
	return 0
}
for ((round = 1; round <= VERB_ROUNDS; round++)); do
	rm -rf p; mkdir -p p; cp base.db p/k.db
	pair "drop+score/$round" drop --db k.db --year 2021 units -- score --quiet "$RULES" --db k.db --year 2021 --format json -o s.json &&
		consistent "drop+score/$round" && {
		# the score ran before the drop (then it holds a run of VERB_UNITS) or failed for want of data
		pass "pair/drop+score/$round ($PAIR_RC)"
	}
	rm -rf p; mkdir -p p; cp base.db p/k.db
	pair "score+drop/$round" score --quiet "$RULES" --db k.db --year 2021 --format json -o s.json -- drop --db k.db --year 2021 units &&
		consistent "score+drop/$round" && pass "pair/score+drop/$round ($PAIR_RC)"
	rm -rf p; mkdir -p p; cp base.db p/k.db
	pair "explain+replace/$round" explain --all --quiet --db k.db --run 1 -o sheets -- import --quiet --db k.db --year 2020 --replace --as units ../big2.csv &&
		consistent "explain+replace/$round" && {
		# every sheet written is a sheet of the run as it was
		n=$(ls p/sheets 2>/dev/null | wc -l)
		if [ "${PAIR_RC%% *}" = 0 ] && [ "$n" != 2000 ]; then
			fail "pair/explain+replace/$round" "explain succeeded with $n sheets, not 2000"
		else
			pass "pair/explain+replace/$round ($PAIR_RC)"
		fi
	}
	rm -rf p; mkdir -p p; cp run.db p/k.db
	pair "run+drop/$round" run "$RULES" ../big2.csv --db k.db --quiet --format json -o r.json -- drop --db k.db --year 2020 units &&
		consistent "run+drop/$round" && pass "pair/run+drop/$round ($PAIR_RC)"
	rm -rf p; mkdir -p p; cp base.db p/k.db
	pair "replace+replace/$round" import --quiet --db k.db --year 2021 --replace --as units ../big2.csv -- import --quiet --db k.db --year 2021 --replace --as units ../big.csv &&
		consistent "replace+replace/$round" && pass "pair/replace+replace/$round ($PAIR_RC)"
	rm -rf p; mkdir -p p; cp v1.db p/k.db
	pair "v1-import+drop/$round" import --quiet --db k.db --year 2022 --as units ../big.csv -- drop --db k.db --year 2020 case_reviews &&
		consistent "v1-import+drop/$round" && {
		v=$(sqlite3 p/k.db 'PRAGMA user_version')
		[ "$v" = 2 ] && pass "pair/v1-import+drop/$round ($PAIR_RC)" || fail "pair/v1-import+drop/$round" "schema $v after two writers"
	}
done
echo "faults/verbs: (d) took $((SECONDS - T1)) s"

echo
echo "faults/verbs: $((SECONDS - T0)) s in all"
[ ${#failures[@]} -gt 0 ] && echo "failed: $(printf '%s\n' "${failures[@]}" | sed 's/ at .*//; s,/[0-9]*$,,' | sort | uniq -c | tr '\n' ';')"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
