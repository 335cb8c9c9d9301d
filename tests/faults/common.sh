# tests/faults/common.sh — what the two fault suites (run.sh, verbs.sh)
# share, sourced after `cd` to the repository root: the binary ($KP,
# absolute), the counters and pass/fail, and the check that the tools they
# need are there.  faults_start NAME TOOL... skips (77) without a tool and
# fails without the binary.
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
ROOT=$PWD
KP_BIN=${KP_BIN:-./kaoping}
case $KP_BIN in /*) KP=$KP_BIN ;; *) KP=$ROOT/${KP_BIN#./} ;; esac
GEN="lua5.4 $ROOT/scripts/gen-units"

passed=0 failed=0
failures=()
pass() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "ok    $*"; return 0; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAIL  $*"; }

faults_start() { # NAME TOOL...
	local name=$1 c
	shift
	for c in "$@"; do
		if ! command -v "$c" >/dev/null 2>&1; then
			echo "SKIP $name: $c is not installed (scripts/deps.sh installs it)"
			exit 77
		fi
	done
	if [ ! -x "$KP" ]; then
		echo "$name: no binary at $KP (build with make, or set KP_BIN)"
		echo "0 passed, 1 failed"
		exit 1
	fi
}
