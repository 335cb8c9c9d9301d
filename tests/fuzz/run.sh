#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS — build the libFuzzer harnesses (tests/fuzz/build.sh)
# and run each for SECONDS (default 60) from its committed seeds
# (tests/fuzz/corpus/NAME, never written to; new inputs go to
# build/fuzz/corpus/NAME, crashes to build/fuzz/artifacts/).  Prints each
# harness's executions; fails on any crash, leak, sanitizer report or hang.
#   tests/fuzz/run.sh 60                 every harness a minute
#   FUZZ_HARNESSES="num csv" tests/fuzz/run.sh 10
#   FUZZ_JOBS=1 tests/fuzz/run.sh 60      one at a time (default: one per core)
#   FUZZ_SEED=1 tests/fuzz/run.sh 60      libFuzzer's -seed (default: a fresh
#                                        one each run; .ci/run fixes it, so a
#                                        CI run repeats the mutations of the
#                                        last one until coverage differs)
#   build/fuzz/fuzz_rules FILE           re-run one input (a crash file)
set -u
cd "$(dirname "$0")/../.."
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
SECONDS_EACH=${1:-60}
HARNESSES=${FUZZ_HARNESSES:-csv num rules notice xlsx note blocks}
SEED=${FUZZ_SEED:-0} # 0: libFuzzer draws one
case $SEED in '' | *[!0-9]*) echo "fuzz: FUZZ_SEED must be a whole number" >&2; exit 2 ;; esac
OUT=build/fuzz

tests/fuzz/build.sh || { echo "fuzz: build failed"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
mkdir -p $OUT/artifacts
# one harness: its log, then a line for the summary in $OUT/fuzz_NAME.result
# ("ok EXECS" or "FAIL RC")
fuzz_one() {
	local h=$1 bin=$OUT/fuzz_$1 work=$OUT/corpus/$1 log=$OUT/fuzz_$1.log rc execs
	local -a dict=()
	mkdir -p "$work"
	[ -f tests/fuzz/$h.dict ] && dict=(-dict=tests/fuzz/$h.dict)
	# -timeout: one input may take 10 s at most; -rss_limit_mb: the rule
	# sandbox may hold 64M, libFuzzer and ASan the rest
	"$bin" "$work" "tests/fuzz/corpus/$h" "${dict[@]}" -max_total_time="$SECONDS_EACH" -seed="$SEED" -timeout=10 \
		-rss_limit_mb=2560 -max_len=8192 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$h-" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -ne 0 ] || grep -qE '^==[0-9]+==ERROR|runtime error:|^SUMMARY: |deadly signal|Timeout' "$log"; then
		echo "FAIL $rc" >"$OUT/fuzz_$h.result"
	else
		echo "ok ${execs:-?}" >"$OUT/fuzz_$h.result"
	fi
}

# The harnesses run FUZZ_JOBS at a time (default: one per core), each for
# SECONDS_EACH of its own: the same fuzzing in less wall time.
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
case $JOBS in '' | *[!0-9]* | 0) echo "fuzz: FUZZ_JOBS must be a whole number above 0" >&2; exit 2 ;; esac
running=0
for h in $HARNESSES; do
	rm -f "$OUT/fuzz_$h.result"
	echo "fuzz: $h for ${SECONDS_EACH}s"
	fuzz_one "$h" &
	running=$((running + 1))
	if [ $running -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
summary=()
for h in $HARNESSES; do
	log=$OUT/fuzz_$h.log
	read -r state detail <"$OUT/fuzz_$h.result" 2>/dev/null || state=FAIL detail="no result"
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" 2>/dev/null | tail -n 1)
	echo "fuzz_$h:"
	echo "  ${done_line:-no DONE line}"
	if [ "$state" = ok ]; then
		echo "  stat::number_of_executed_units: $detail"
		summary+=("fuzz_$h: $detail executions in ${SECONDS_EACH}s")
	else
		failed=$((failed + 1))
		echo "FAIL  fuzz_$h (exit $detail); from $log:"
		grep -E -A 25 '^==[0-9]+==ERROR|runtime error:|deadly signal|ALARM|broken promise' "$log" | head -n 60 | sed 's/^/      /'
		ls -1 $OUT/artifacts/$h-* 2>/dev/null | sed 's/^/      artifact: /'
		summary+=("fuzz_$h: FAILED")
	fi
done
echo
printf '%s\n' "${summary[@]}"
n=$(echo $HARNESSES | wc -w)
echo "$((n - failed)) passed, $failed failed"
[ $failed -eq 0 ]
