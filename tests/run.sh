#!/usr/bin/env bash
# run.sh — the whole test suite, as `make test` and `make asan` run it.
#   tests/run.sh build/tests/check_*     (Check unit tests given as arguments)
# then the shell suites below.  KP_BIN names the binary under test
# (default ./kaoping).  Ends with "N passed, N failed" and exits non-zero
# when anything failed; a suite that exits 77 is skipped, visibly.
set -u
cd "$(dirname "$0")/.."
export KP_BIN=${KP_BIN:-./kaoping}
# the suites check English messages (kaoping speaks Chinese by default);
# tests/messages and the README walkthrough check the default themselves
export KAOPING_LANG=${KAOPING_LANG:-en}
passed=0 failed=0 skipped=0
failures=()

run_suite() {
	local name=$1; shift
	local log=build/test-logs/${name//\//_}.log
	mkdir -p build/test-logs
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1)); printf 'PASS  %-34s %3ds  %s\n' "$name" $((SECONDS - t0)) "$(tail -n 1 "$log")"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1)); printf 'SKIP  %-34s %s\n' "$name" "$(grep -m1 SKIP "$log" || tail -n 1 "$log")"
	else
		failed=$((failed + 1)); failures+=("$name")
		printf 'FAIL  %-34s (exit %d) — last lines of %s:\n' "$name" $rc "$log"
		tail -n 25 "$log" | sed 's/^/      /'
	fi
}

for bin in "$@"; do
	run_suite "$(basename "$bin")" "$bin"
done
# one suite a line (merges stay simple)
for suite in \
	tests/layers/run.sh \
	tests/layers/words.py \
	tests/e2e/run.sh \
	tests/golden/run.sh \
	tests/golden/term/run.sh \
	tests/golden/whatif/run.sh \
	tests/golden/sheets.sh \
	tests/messages/run.sh \
	tests/xlsx/run.sh \
	tests/workbooks/run.sh \
	tests/docs/run.sh \
	tests/docs/walkthrough.sh \
	tests/install/run.sh \
	tests/template/run.sh \
	tests/notice/run.sh \
	tests/hostile/run.sh \
	tests/diff/run.sh \
	tests/faults/run.sh \
	tests/faults/verbs.sh \
	tests/samples/totals.sh \
	tests/samples/demo.sh \
	tests/browser-report.sh; do
	[ -x "$suite" ] && run_suite "${suite#tests/}" "$suite"
done

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
[ $skipped -gt 0 ] && echo "skipped: $skipped (see SKIP lines above)"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
