#!/usr/bin/env bash
# tests/faults/run.sh — faults around the database: an import and a score killed with
# SIGKILL at 50 points of its run, two imports and a score at once on one
# database, and a full disk during an import, a score and a report.  Run from
# the repository root (tests/run.sh does); KP_BIN names the binary (default
# ./kaoping); KEEP=1 keeps the work directory.  Needs sqlite3 and lua5.4.
# Ends with "N passed, N failed"; exits 1 when a check failed.
#
#   KILL_POINTS=50   how many kill points (at least 50 for the record)
#   FAULTS_DISK=ulimit  fill the disk with a file size limit even where a
#                    small tmpfs could be mounted (the fallback when not root)
#   SCORE_UNITS=40000, SCORE_POINTS=20  the score that is killed, and where
#   DERIVED_POINTS=8   where the score of 60,000 units (items derived) is killed
#   KILL_UNITS=200000  units in the import that is killed (fewer when one
#                    import takes more than 1.5 s; KILL_UNITS_FIXED=1 keeps them)
set -u
cd "$(dirname "$0")/../.."
. tests/faults/common.sh
faults_start faults sqlite3 lua5.4
KILL_POINTS=${KILL_POINTS:-50}
KILL_UNITS=${KILL_UNITS:-200000}
RULES=$ROOT/rules/bench.lua

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kp-faults.XXXXXX")
MNT=
cleanup() {
	[ -n "$MNT" ] && umount "$MNT" 2>/dev/null
	if [ -n "${KEEP:-}" ]; then
		echo "faults: kept $WORK"
	else
		rm -rf "$WORK"
	fi
}
trap cleanup EXIT
cd "$WORK" || exit 1
T0=$SECONDS

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The state of a database: a hash of every table's schema and rows.
state() { sqlite3 "$1" .sha3sum; }
integrity() { sqlite3 "$1" 'PRAGMA integrity_check' 2>&1 | tr '\n' ' ' | sed 's/ $//'; }

# ---------------------------------------------------------------------------
# (a) SIGKILL during a large import, at KILL_POINTS moments spread over it.
echo "faults: (a) kill -9 during an import of $KILL_UNITS units, at $KILL_POINTS points"
$GEN 2000 11 >earlier.csv
$GEN "$KILL_UNITS" 12 >big.csv
"$KP" import --quiet --db base.db --year 2020 earlier.csv &&
	"$KP" score --quiet "$RULES" --db base.db --year 2020 --format json >base-report.json
if [ $? -ne 0 ] || [ -e base.db-wal ]; then
	fail "kill/setup" "could not build the database with the earlier import"
else
	base_state=$(state base.db)
	base_imports=$(sqlite3 base.db 'SELECT count(*) FROM imports')
	# how long one complete import takes (the faster of two runs); a slow
	# binary (sanitizers) gets a smaller file, to keep the suite short
	measure() {
		local best=0 k t0 t
		for k in 1 2; do
			rm -f done.db*; cp base.db done.db
			t0=$(now_ms)
			"$KP" import --quiet --db done.db --year 2021 big.csv || fail "kill/setup" "the import itself fails"
			t=$(($(now_ms) - t0))
			[ $best = 0 ] || [ $t -lt $best ] && best=$t
		done
		rm -f done.db*
		dur_ms=$best
	}
	measure
	if [ $dur_ms -gt 1500 ] && [ "${KILL_UNITS_FIXED:-}" = "" ]; then
		KILL_UNITS=$((KILL_UNITS * 1200 / dur_ms))
		[ $KILL_UNITS -lt 20000 ] && KILL_UNITS=20000
		echo "faults: the import of 200000 units takes $dur_ms ms here; killing one of $KILL_UNITS units"
		$GEN "$KILL_UNITS" 12 >big.csv
		measure
	fi
	echo "faults: one import takes ${dur_ms} ms; killing at $((dur_ms / KILL_POINTS)) ms steps"
	killed=0 finished=0 before=0 after=0
	for ((i = 0; i < KILL_POINTS; i++)); do
		# spread over the run: from just after the start to just before the end
		delay_us=$(((dur_ms * 1000 * (2 * i + 1)) / (2 * KILL_POINTS)))
		rm -f kill.db kill.db-wal kill.db-shm; cp base.db kill.db
		"$KP" import --quiet --db kill.db --year 2021 big.csv 2>/dev/null &
		pid=$!
		sleep "$(printf '%d.%06d' $((delay_us / 1000000)) $((delay_us % 1000000)))"
		if kill -KILL $pid 2>/dev/null; then
			wait $pid 2>/dev/null
			killed=$((killed + 1))
		else
			wait $pid
			rc=$?
			finished=$((finished + 1))
			[ $rc -eq 0 ] || fail "kill/$i" "the import ended by itself with status $rc"
		fi
		# opening the database recovers it from its WAL, as any reader would
		ic=$(integrity kill.db)
		if [ "$ic" != ok ]; then
			fail "kill/$i" "after kill at ${delay_us} us: integrity_check says: $ic"
			cp kill.db "bad-kill-$i.db"
			continue
		fi
		n=$(sqlite3 kill.db 'SELECT count(*) FROM imports')
		if [ "$n" = "$base_imports" ]; then
			# the import did not happen: every table exactly as before
			if [ "$(state kill.db)" != "$base_state" ]; then
				fail "kill/$i" "after kill at ${delay_us} us the database differs from before the import"
				cp kill.db "bad-kill-$i.db"
				continue
			fi
			before=$((before + 1))
		else
			# the import committed before the kill: all of it is there
			t=$(sqlite3 kill.db "SELECT data_table FROM imports WHERE year = 2021 AND rows = $KILL_UNITS AND replaced_at IS NULL")
			c=$([ -n "$t" ] && sqlite3 kill.db "SELECT count(*) FROM \"$t\"")
			if [ "$n" != $((base_imports + 1)) ] || [ "${c:-}" != "$KILL_UNITS" ]; then
				fail "kill/$i" "after kill at ${delay_us} us: $n imports, ${c:-no} rows in the new one"
				cp kill.db "bad-kill-$i.db"
				continue
			fi
			after=$((after + 1))
		fi
		# and kaoping itself opens it and still reports the earlier run
		if ! "$KP" report --db kill.db --format json >kill-report.json 2>kill.err; then
			fail "kill/$i" "kaoping cannot open the database after the kill: $(head -n 1 kill.err)"
		elif ! cmp -s kill-report.json base-report.json; then
			fail "kill/$i" "the earlier run reads back differently after the kill"
		else
			pass "kill/$i at ${delay_us} us"
		fi
	done
	echo "faults: $killed imports killed, $finished finished first; database as before $before times, as after $after times"
	if [ $killed -lt $((KILL_POINTS * 3 / 5)) ]; then
		fail "kill/spread" "only $killed of $KILL_POINTS kills landed while the import ran"
	else
		pass "kill/spread"
	fi
	if [ $before -eq 0 ]; then
		fail "kill/spread" "no kill left the database before the import: the kill points missed the import"
	fi
fi

# ---------------------------------------------------------------------------
# (a2) SIGKILL during `score` of a large run (SCORE_UNITS, SCORE_POINTS) (its items written as scored,
# then the results, the commit and the checkpoint): kaoping itself opens
# the database afterwards and finds the whole run or none of it; (a3) the
# same for a run of 60,000 units, whose items are derived again (its
# run_derived row with the results, explain scoring a unit from it).
SCORE_POINTS=${SCORE_POINTS:-20}
SCORE_UNITS=${SCORE_UNITS:-40000}
# The run's items, whole: written as scored (unit_items), or, for a run
# whose items are derived again (past 50,000 units of the benchmark
# rules), none written and its row of run_derived there.
items_whole() { # DB UNITS
	if [ "$(sqlite3 "$1" "SELECT count(*) FROM sqlite_schema WHERE name = 'run_derived'")" = 1 ] &&
		[ "$(sqlite3 "$1" "SELECT count(*) FROM run_derived WHERE run_id = 2")" = 1 ]; then
		[ "$(sqlite3 "$1" "SELECT count(*) FROM unit_items WHERE run_id = 2")" = 0 ] &&
			"$KP" explain --db "$1" U0000001 >/dev/null 2>&1
	else
		[ "$(sqlite3 "$1" "SELECT count(*) FROM unit_items WHERE run_id = 2")" = "$2" ]
	fi
}
# The units of run 2 stored: its rows of results, or of a large derived
# run, the units of its blocks (result_blocks).
units_stored() { # DB
	local blocks=0
	[ "$(sqlite3 "$1" "SELECT count(*) FROM sqlite_schema WHERE name = 'result_blocks'")" = 1 ] &&
		blocks=$(sqlite3 "$1" "SELECT coalesce(sum(json_array_length(units)), 0) FROM result_blocks WHERE run_id = 2")
	echo $(($(sqlite3 "$1" "SELECT count(*) FROM results WHERE run_id = 2") + blocks))
}
score_kill() { # UNITS POINTS NAME
	local units=$1 points=$2 name=$3
	echo "faults: ($name) kill -9 during score of $units units, at $points points"
	T1=$SECONDS
	$GEN "$units" 13 >score.csv
	rm -f sbase.db*; cp base.db sbase.db
	"$KP" import --quiet --db sbase.db --year 2021 score.csv || fail "$name/setup" "import failed"
	sbase_state=$(state sbase.db)
	best=0
	for k in 1 2; do
		rm -f sdone.db*; cp sbase.db sdone.db
		t0=$(now_ms)
		"$KP" score --quiet "$RULES" --db sdone.db --year 2021 >/dev/null || fail "$name/setup" "score fails"
		t=$(($(now_ms) - t0))
		{ [ $best = 0 ] || [ $t -lt $best ]; } && best=$t
	done
	rm -f sdone.db*
	echo "faults: one score takes ${best} ms; killing at $((best / points)) ms steps"
	none=0 whole=0
	for ((i = 0; i < points; i++)); do
		delay_us=$(((best * 1000 * (2 * i + 1)) / (2 * points)))
		rm -f kill.db kill.db-wal kill.db-shm; cp sbase.db kill.db
		"$KP" score --quiet "$RULES" --db kill.db --year 2021 >/dev/null 2>&1 &
		pid=$!
		sleep "$(printf '%d.%06d' $((delay_us / 1000000)) $((delay_us % 1000000)))"
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		# kaoping opens it first (a sqlite3 shell would merge any log)
		if ! "$KP" report --db kill.db --run 1 --format json >kill-report.json 2>kill.err; then
			fail "$name/$i" "after kill at ${delay_us} us kaoping cannot open it: $(head -n 1 kill.err)"
			cp kill.db "bad-$name-$i.db"; continue
		fi
		cmp -s kill-report.json base-report.json || { fail "$name/$i" "the earlier run reads back differently"; continue; }
		ic=$(integrity kill.db)
		[ "$ic" = ok ] || { fail "$name/$i" "integrity_check: $ic"; continue; }
		runs=$(sqlite3 kill.db 'SELECT count(*) FROM runs')
		if [ "$runs" = 1 ]; then
			[ "$(state kill.db)" = "$sbase_state" ] || { fail "$name/$i" "no run, but the database changed"; continue; }
			none=$((none + 1))
		elif [ "$runs" = 2 ] &&
			[ "$(sqlite3 kill.db "SELECT units FROM runs WHERE id = 2")|$(units_stored kill.db)" = "$units|$units" ] &&
			items_whole kill.db "$units" && "$KP" report --db kill.db --format csv >/dev/null 2>&1; then
			whole=$((whole + 1))
		else
			fail "$name/$i" "after kill at ${delay_us} us: $runs runs, not the whole new run"
			cp kill.db "bad-$name-$i.db"; continue
		fi
		pass "$name/$i at ${delay_us} us"
	done
	echo "faults: score killed $points times: no run $none times, the whole run $whole times"
	[ $none -gt 0 ] || fail "$name/spread" "no kill landed before the commit"
	rm -f sbase.db* kill.db* score.csv
	echo "faults: ($name) took $((SECONDS - T1)) s"
}
if [ -e base.db ]; then
	score_kill "$SCORE_UNITS" "$SCORE_POINTS" score-kill
	# (a3) the same for a run whose items are derived again
	score_kill 60000 "${DERIVED_POINTS:-8}" score-kill-derived
else
	fail "score-kill/setup" "no base database from (a)"
fi

# ---------------------------------------------------------------------------
# (b) Two imports and a score at once on one database: all finish (busy
# timeout), nothing is lost.
echo "faults: (a) took $((SECONDS - T0)) s"
T1=$SECONDS
echo "faults: (b) two imports and a score at once, 3 rounds"
$GEN 60000 21 >a.csv
$GEN 60000 22 >b.csv
rows_of() { sqlite3 conc.db "SELECT rows FROM imports WHERE year = $1 AND replaced_at IS NULL"; }
count_of() {
	local t
	t=$(sqlite3 conc.db "SELECT data_table FROM imports WHERE year = $1 AND replaced_at IS NULL")
	[ -n "$t" ] && sqlite3 conc.db "SELECT count(*) FROM \"$t\""
}
for round in 1 2 3; do
	rm -f conc.db conc.db-wal conc.db-shm
	if ! "$KP" import --quiet --db conc.db --year 2020 earlier.csv; then
		fail "concurrent/$round" "setup import failed"
		continue
	fi
	pids=()
	case $round in
	1) order="a b s" ;;
	2) order="s a b" ;;
	3) order="b s a" ;;
	esac
	for job in $order; do
		case $job in
		a) "$KP" import --quiet --db conc.db --year 2021 a.csv 2>"a$round.err" & ;;
		b) "$KP" import --quiet --db conc.db --year 2022 b.csv 2>"b$round.err" & ;;
		s) "$KP" score --quiet "$RULES" --db conc.db --year 2020 --format json >"s$round.json" 2>"s$round.err" & ;;
		esac
		pids+=("$job:$!")
	done
	ok=1
	for p in "${pids[@]}"; do
		wait "${p#*:}"
		rc=$?
		if [ $rc -ne 0 ]; then
			fail "concurrent/$round" "job ${p%%:*} exited $rc: $(head -n 1 "${p%%:*}$round.err")"
			ok=0
		fi
	done
	ic=$(integrity conc.db)
	[ "$ic" = ok ] || { fail "concurrent/$round" "integrity_check: $ic"; ok=0; }
	for y in 2021 2022; do
		r=$(rows_of $y) c=$(count_of $y)
		if [ "$r" != 60000 ] || [ "$c" != 60000 ]; then
			fail "concurrent/$round" "the $y import holds rows=$r count=$c, not 60000"
			ok=0
		fi
	done
	runs=$(sqlite3 conc.db "SELECT count(*) FROM runs WHERE units = 2000")
	res=$(sqlite3 conc.db "SELECT count(*) FROM results")
	if [ "$runs" != 1 ] || [ "$res" != 2000 ]; then
		fail "concurrent/$round" "the score recorded runs=$runs results=$res, not 1 and 2000"
		ok=0
	fi
	if [ "$(grep -o '"unit_id"' "s$round.json" | wc -l)" != 2000 ]; then
		fail "concurrent/$round" "the score's report does not list 2000 units"
		ok=0
	fi
	[ $ok = 1 ] && pass "concurrent/$round ($order)"
done

# ---------------------------------------------------------------------------
# (c) A full disk during an import, a score and a report: a clear error
# (73/74), nothing half-written, the database unchanged.
echo "faults: (b) took $((SECONDS - T1)) s"
T1=$SECONDS
echo "faults: (c) a full disk"
mkdir -p disk
how=
if [ "${FAULTS_DISK:-}" != ulimit ] && [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=32m kp-faults disk 2>/dev/null; then
	MNT=$WORK/disk
	how=tmpfs
else
	how=ulimit
fi
echo "faults: full disk by $how"
DB=disk/full.db
# FLUSH_DB: a score large enough that its pages go to the log while its
# report is written (KP_STORE_FLUSH_UNITS, 20,000), where the disk fills
FLUSH_DB=disk/flush.db
$GEN 20000 41 >flush.csv
"$KP" import --quiet --db $DB --year 2020 earlier.csv &&
	"$KP" score --quiet "$RULES" --db $DB --year 2020 >/dev/null &&
	"$KP" import --quiet --db $FLUSH_DB --year 2021 flush.csv
if [ $? -ne 0 ]; then
	fail "disk/setup" "could not build the database"
else
	full_state=$(state $DB)
	flush_state=$(state $FLUSH_DB)
	listing() { (cd disk && find . -mindepth 1 -printf '%p %s\n' | grep -v -e '-shm ' -e '-wal 0$' | LC_ALL=C sort); }
	if [ $how = tmpfs ]; then
		# leave about 256 KB free
		free_kb=$(df -k --output=avail disk | tail -n 1 | tr -d ' ')
		head -c $(((free_kb - 256) * 1024)) /dev/zero >disk/filler 2>/dev/null
		limited() { "$@"; }
	else
		# a file size limit of 1 MB: the database (5 MB) is only read, its
		# WAL cannot grow past 1 MB; SIGXFSZ ignored so that the write fails
		# with EFBIG instead of killing the process
		limited() { (trap '' XFSZ; ulimit -f 1024; exec "$@"); }
	fi
	before_list=$(listing)
	check_full() { # name rc err-file [database state]
		local name=$1 rc=$2 err=$3 db=${4:-$DB} want=${5:-$full_state}
		local ok=1
		if [ $rc -ne 73 ] && [ $rc -ne 74 ]; then
			fail "disk/$name" "exit $rc, expected 73 or 74: $(head -n 1 "$err")"
			ok=0
		elif ! grep -q '^kaoping: \(disk/\|standard output\)' "$err"; then
			fail "disk/$name" "the message does not name the file: $(head -n 1 "$err")"
			ok=0
		fi
		local ic
		ic=$(integrity "$db")
		[ "$ic" = ok ] || { fail "disk/$name" "integrity_check: $ic"; ok=0; }
		[ "$(state "$db")" = "$want" ] || { fail "disk/$name" "the database changed"; ok=0; }
		local now
		now=$(listing)
		if [ "$now" != "$before_list" ]; then
			fail "disk/$name" "files changed on the full disk: $(diff <(echo "$before_list") <(echo "$now") | grep '^[<>]' | tr '\n' ';')"
			ok=0
		fi
		[ $ok = 1 ] && pass "disk/$name"
	}
	limited "$KP" import --db $DB --year 2021 a.csv >/dev/null 2>import.err
	check_full import $? import.err
	limited "$KP" score "$RULES" --db $DB --year 2020 --format json >/dev/null 2>score.err
	check_full score $? score.err
	limited "$KP" score "$RULES" --db $FLUSH_DB --year 2021 --format json >/dev/null 2>score.err
	check_full score-flushed $? score.err $FLUSH_DB "$flush_state"
	# reports of 10000 units: the database elsewhere, the report file on
	# the full disk
	$GEN 10000 31 >report.csv
	"$KP" import --quiet --db report.db --year 2021 report.csv &&
		"$KP" score --quiet "$RULES" --db report.db --year 2021 >/dev/null ||
		fail "disk/setup" "could not build the database for the reports"
	report_state=$(state report.db)
	if [ $how = ulimit ]; then
		limited() { (trap '' XFSZ; ulimit -f 40; exec "$@"); }
	else
		free_kb=$(df -k --output=avail disk | tail -n 1 | tr -d ' ')
		[ "$free_kb" -gt 16 ] && head -c $(((free_kb - 16) * 1024)) /dev/zero >disk/filler2 2>/dev/null
	fi
	before_list=$(listing)
	# xlsx too: under a file size limit libxlsxwriter's own temporary
	# files fail as well, and it zips a shortened part without saying so;
	# kaoping reads every workbook back before it is put in place (xlsxw.c)
	for f in html csv json xlsx md; do
		limited "$KP" report --db report.db --format $f -o disk/report.$f 2>report.err
		check_full report-$f $? report.err report.db "$report_state"
	done
fi

echo "faults: (c) took $((SECONDS - T1)) s"
echo
echo "faults: $((SECONDS - T0)) s in all"
[ ${#failures[@]} -gt 0 ] && echo "failed: $(printf '%s\n' "${failures[@]}" | sort -u | tr '\n' ' ')"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
