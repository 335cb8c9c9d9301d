#!/usr/bin/env bash
# tests/hostile/run.sh — hostile inputs: broken CSV, rule files that attack
# the sandbox or never stop, bad command lines and databases.  Run from the
# repository root (tests/run.sh does); KP_BIN names the binary (default
# ./kaoping).  `tests/hostile/run.sh NAME...` runs only those cases; KEEP=1
# keeps the work directory; HOSTILE_CASES=DIR runs the cases of another
# directory.  Ends with "N passed, N failed"; exits 1 when a case failed.
#
# One case per file, tests/hostile/cases/NAME.case, lines of "key: value"
# ('#' starts a comment line):
#   setup:   bash run in the case's fresh directory before the command (repeatable)
#   run:     the command, run by bash in that directory
#   run+:    more of it (appended to run on the same logical line)
#   exit:    the exact exit status expected
#   stderr:  text stderr must contain (fixed string; repeatable)
#   stderr~: an extended regular expression a line of stderr must match
#   stdout:  text stdout must contain (repeatable)
#   writes:  files the command is asked to write (may appear or change)
#   maxtime: seconds the command may take (default 15; times KP_TIME_SCALE,
#            a whole number, 1 by default: make asan sets 3, for a
#            sanitized binary is that much slower)
#   needs:   unprivileged (a user whom chmod stops: as root, setpriv to nobody),
#            devfull (/dev/full)
# The directory starts with fixtures/* (units.csv: 16 units of the benchmark
# shape; mini.lua: a small valid rule file) and the case's own files
# cases/NAME.* (without .case).  setup and run see $KP (the binary, an
# absolute path), $ROOT, $FIX (the fixtures), $GEN (scripts/gen-units),
# $CACHE (a directory shared by the cases, for big generated files),
# $KPS (a binary for heavy setup work: the plain ./kaoping when KP is
# another build, e.g. the sanitized one of make asan, else $KP),
# $AS_USER and $KPU (run "$AS_USER $KPU ..." for the binary as an unprivileged
# user; AS_USER is empty when not root).
#
# Every case checks: the exact exit status (so no death by signal, no hang:
# a case is killed after maxtime + 5 s); with a non-zero status, a message on
# stderr; every stderr line starts with "kaoping: "; the texts expected; and
# the directory afterwards holds exactly what it held before (names, types,
# modes, sizes, SHA-256 of every file — so a database is byte-identical) apart
# from the files listed in writes.  SQLite's -shm and an empty -wal beside a
# WAL database are tolerated (a read-only connection cannot remove them);
# a -wal with content is not.
set -u
cd "$(dirname "$0")/../.."
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
ROOT=$PWD
KP_BIN=${KP_BIN:-./kaoping}
case $KP_BIN in /*) KP=$KP_BIN ;; *) KP=$ROOT/${KP_BIN#./} ;; esac
FIX=$ROOT/tests/hostile/fixtures
CASES=${HOSTILE_CASES:-$ROOT/tests/hostile/cases}
case $CASES in /*) ;; *) CASES=$ROOT/$CASES ;; esac
GEN="lua5.4 $ROOT/scripts/gen-units"
TIME_SCALE=${KP_TIME_SCALE:-1}
case $TIME_SCALE in '' | *[!0-9]* | 0) echo "hostile: KP_TIME_SCALE must be a whole number above 0" >&2; exit 2 ;; esac
# heavy setups (a million rows imported) need not run sanitized: what a
# case checks is its run line, with $KP
KPS=$KP
if [ -x "$ROOT/kaoping" ]; then KPS=$ROOT/kaoping; fi
export KP KPS ROOT FIX GEN

if [ ! -x "$KP" ]; then
	echo "hostile: no binary at $KP (build with make, or set KP_BIN)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kp-hostile.XXXXXX")
chmod 755 "$WORK"
CACHE=$WORK/cache
mkdir "$CACHE"
export CACHE
cleanup() {
	if [ -n "${KEEP:-}" ]; then
		echo "hostile: kept $WORK"
		return
	fi
	chmod -R u+rwX "$WORK" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

# An unprivileged user for the cases where permissions must bite.  As root
# (CI), chmod 000 does not stop reading: run those commands as nobody.
AS_USER=
KPU=$KP
UNPRIV_OK=1
UNPRIV_WHY=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
		# the binary must be reachable by that user: copy it when it is not
		if ! $AS_USER "$KPU" --version >/dev/null 2>&1; then
			mkdir -p "$WORK/bin" && cp "$KP" "$WORK/bin/kaoping" && chmod 755 "$WORK/bin" "$WORK/bin/kaoping"
			KPU=$WORK/bin/kaoping
			if ! $AS_USER "$KPU" --version >/dev/null 2>&1; then
				UNPRIV_OK=0 UNPRIV_WHY="running as root, and user nobody cannot run a copy of $KP"
			fi
		fi
	else
		UNPRIV_OK=0 UNPRIV_WHY="running as root without setpriv: chmod cannot make a file unreadable"
	fi
fi
export AS_USER KPU

passed=0 failed=0 skipped=0 sidecars=0
failures=() sidecar_cases=()

# The state of a directory: every entry with its type and mode, files with
# their size and SHA-256 (size only above 64 MB).
snapshot() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 \( -type f -printf 'f %p %m %s\n' \) -o \( ! -type f -printf '%y %p %m\n' \) | LC_ALL=C sort
		find . -type f -readable -size -64M -exec sha256sum {} + 2>/dev/null | awk '{print "sha", $2, $1}' | LC_ALL=C sort
	)
}

# Drop the entries of the listed paths (and SQLite sidecars) from a snapshot.
filter_snapshot() {
	local skip=$1
	awk -v skip="$skip" '
		BEGIN { n = split(skip, s, " "); for (i = 1; i <= n; i++) drop["./" s[i]] = 1 }
		{ p = $2; if (p in drop) next; if (p ~ /-(wal|shm)$/) next; print }'
}

run_case() {
	local file=$1 name
	name=$(basename "$file" .case)
	local setup="" cmd="" want_exit="" maxtime=15 writes="" needs=""
	local -a want_err=() want_re=() want_out=()
	local key val line
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in '' | '#'*) continue ;; esac
		key=${line%%:*}
		val=${line#*:}
		val=${val# }
		case $key in
		setup) setup+="$val"$'\n' ;;
		run) # a second run: line would replace the first without a word
			if [ -n "$cmd" ]; then
				echo "FAIL  $name: a second 'run:' line in $file (more of the command is 'run+:')"
				failed=$((failed + 1)); failures+=("$name"); return
			fi
			cmd=$val ;;
		run+) cmd+=" $val" ;;
		exit) want_exit=$val ;;
		stderr) want_err+=("$val") ;;
		'stderr~') want_re+=("$val") ;;
		stdout) want_out+=("$val") ;;
		writes) writes+=" $val" ;;
		maxtime) maxtime=$val ;;
		needs) needs+=" $val" ;;
		*) echo "FAIL  $name: unknown key '$key' in $file"; failed=$((failed + 1)); failures+=("$name"); return ;;
		esac
	done <"$file"
	if [ -z "$cmd" ] || [ -z "$want_exit" ]; then
		echo "FAIL  $name: the case needs run: and exit:"
		failed=$((failed + 1)); failures+=("$name"); return
	fi
	local n
	for n in $needs; do
		case $n in
		unprivileged)
			if [ $UNPRIV_OK = 0 ]; then
				echo "SKIP  $name: $UNPRIV_WHY"; skipped=$((skipped + 1)); return
			fi ;;
		devfull)
			if [ ! -c /dev/full ]; then
				echo "SKIP  $name: no /dev/full here"; skipped=$((skipped + 1)); return
			fi ;;
		*) echo "FAIL  $name: unknown need '$n'"; failed=$((failed + 1)); failures+=("$name"); return ;;
		esac
	done

	local dir=$WORK/$name out=$WORK/$name.stdout err=$WORK/$name.stderr
	mkdir "$dir" && chmod 755 "$dir"
	cp "$FIX"/* "$dir"/
	local f
	for f in "$CASES/$name".*; do
		[ "$f" = "$file" ] || cp "$f" "$dir"/
	done
	if [ -n "$setup" ] && ! (cd "$dir" && bash -e -c "$setup") >"$WORK/$name.setup" 2>&1; then
		echo "FAIL  $name: setup failed:"
		sed 's/^/      /' "$WORK/$name.setup" | tail -n 10
		failed=$((failed + 1)); failures+=("$name"); return
	fi
	local before after t0 t1 rc
	before=$(snapshot "$dir")
	t0=$(date +%s%N)
	maxtime=$((maxtime * TIME_SCALE))
	(cd "$dir" && exec timeout -s KILL $((maxtime + 5)) bash -c "$cmd") >"$out" 2>"$err" </dev/null
	rc=$?
	t1=$(date +%s%N)
	after=$(snapshot "$dir")

	local -a why=()
	local ms=$(((t1 - t0) / 1000000))
	if [ $rc -ge 128 ]; then
		why+=("died by signal $((rc - 128)) (exit $rc)")
	elif [ "$rc" != "$want_exit" ]; then
		why+=("exit $rc, expected $want_exit")
	fi
	if [ $ms -gt $((maxtime * 1000)) ]; then
		why+=("took ${ms} ms, more than ${maxtime} s")
	fi
	if [ "$want_exit" != 0 ] && [ ! -s "$err" ]; then
		why+=("no message on stderr")
	fi
	if grep -qv '^kaoping: ' "$err"; then
		why+=("stderr line not starting with 'kaoping: ': $(grep -v '^kaoping: ' "$err" | head -n 1 | cut -c1-120)")
	fi
	local w
	for w in "${want_err[@]}"; do
		grep -qF -- "$w" "$err" || why+=("stderr lacks '$w'")
	done
	for w in "${want_re[@]}"; do
		grep -qE -- "$w" "$err" || why+=("stderr matches no /$w/")
	done
	for w in "${want_out[@]}"; do
		grep -qF -- "$w" "$out" || why+=("stdout lacks '$w'")
	done
	local d
	d=$(diff <(printf '%s\n' "$before" | filter_snapshot "$writes") <(printf '%s\n' "$after" | filter_snapshot "$writes"))
	if [ -n "$d" ]; then
		why+=("the directory changed: $(printf '%s\n' "$d" | grep '^[<>]' | head -n 6 | tr '\n' ';')")
	fi
	# sidecars: a -shm, or an empty -wal, of a database that was there before
	local side
	side=$(printf '%s\n' "$after" | awk '$1 == "f" && $2 ~ /-(wal|shm)$/ { print $2, $4 }')
	if [ -n "$side" ]; then
		local p sz
		while read -r p sz; do
			case " $writes " in *" ${p#./} "*) continue ;; esac
			if printf '%s\n' "$before" | grep -q "^f ${p%-*} "; then
				if [ "${p##*-}" = wal ] && [ "$sz" != 0 ] && ! printf '%s\n' "$before" | grep -q "^f $p "; then
					why+=("left $p with $sz bytes (an unfinished transaction?)")
				fi
				if ! printf '%s\n' "$before" | grep -q "^f $p "; then
					sidecars=$((sidecars + 1))
					case " ${sidecar_cases[*]} " in *" $name "*) ;; *) sidecar_cases+=("$name") ;; esac
				fi
			else
				why+=("left $p beside no database")
			fi
		done <<<"$side"
	fi

	if [ ${#why[@]} -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok    %-44s exit %-3s %5d ms\n' "$name" "$rc" "$ms"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL  %s (%s)\n' "$name" "$file"
		for w in "${why[@]}"; do printf '      - %s\n' "$w"; done
		printf '      command: %s\n' "$cmd"
		sed 's/^/      stderr: /' "$err" | head -n 5
	fi
}

if [ $# -gt 0 ]; then
	files=()
	for a in "$@"; do files+=("$CASES/${a%.case}.case"); done
else
	files=("$CASES"/*.case)
fi
for f in "${files[@]}"; do
	if [ ! -f "$f" ]; then
		echo "FAIL  $(basename "$f"): no such case"; failed=$((failed + 1)); continue
	fi
	run_case "$f"
done

echo
[ $sidecars -gt 0 ] && echo "note: $sidecars database sidecar file(s) (-shm, empty -wal) were left, by: ${sidecar_cases[*]}"
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
[ $skipped -gt 0 ] && echo "skipped: $skipped (see SKIP lines above)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
