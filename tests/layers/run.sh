#!/usr/bin/env bash
# tests/layers/run.sh — the floors of docs/ARCHITECTURE.md, checked on the
# #include lines of core/ and include/: a file may include the headers of
# its own module and of modules on lower floors, never of its floor or
# above (so no circles); and only the files that speak Lua include <lua.h>,
# <lauxlib.h> or <lualib.h>.  Prints "N passed, N failed"; exits 1 on a
# failure.  Edit FLOORS here and in docs/ARCHITECTURE.md together.
set -u
cd "$(dirname "$0")/../.." || exit 2

# module -> floor (lower floors know nothing of higher ones)
declare -A FLOOR=(
	[err]=0 [num]=0 [date]=0 [near]=0
	[sb]=1 [enc]=1 [infile]=1 [outfile]=1
	[sandbox]=2 [table]=2 [csv]=2 [rw]=2 [result]=2
	[rules]=3 [xlsx]=3
	[rowq]=4 [data]=4 [criteria]=4 [rank]=4 [form]=4 [notice]=4
	[score]=5 [compare]=5 [robust]=5
	[store]=6 [ruletest]=6
	[report]=7
	[sheet]=8
	[cli]=9
)
# the files that may speak Lua: the sandbox, the rule compiler, the scoring
# bridge and the test runner
LUA_OK=" core/sandbox.c core/rules.c core/rules_use.c core/rules_int.h core/score_lua.c core/ruletest.c "

# the module a file belongs to, from its name
module_of() {
	local b
	b=$(basename "$1"); b=${b%.[ch]}
	case $b in
	cmd_*|cli_*|main) echo cli ;;
	report_*) echo report ;;
	score_lua|score_int) echo score ;;
	store_run|store_rows|store_int) echo store ;;
	sheet_*) echo sheet ;;
	rules_use|rules_int) echo rules ;;
	form_write) echo form ;;
	notice_docx|notice_int) echo notice ;;
	xlsx_*) echo xlsx ;;
	*) echo "$b" ;;
	esac
}

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL  $*"; }

for f in include/kaoping/*.h core/*.h core/*.c; do
	m=$(module_of "$f")
	if [ -z "${FLOOR[$m]+x}" ]; then
		fail "$f: module '$m' has no floor (add it to FLOOR and to docs/ARCHITECTURE.md)"
		continue
	fi
	ok=1
	while read -r inc; do
		[ -n "$inc" ] || continue
		im=$(module_of "$inc")
		[ "$im" = "$m" ] && continue
		if [ -z "${FLOOR[$im]+x}" ]; then
			fail "$f includes $inc: module '$im' has no floor"; ok=0
		elif [ "${FLOOR[$im]}" -ge "${FLOOR[$m]}" ]; then
			fail "$f (floor ${FLOOR[$m]}, $m) includes $inc (floor ${FLOOR[$im]}, $im): only lower floors"; ok=0
		fi
	done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
	if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(lua|lauxlib|lualib)\.h>' "$f"; then
		case $LUA_OK in
		*" $f "*) ;;
		*) fail "$f includes a Lua header: only$LUA_OK speak Lua"; ok=0 ;;
		esac
	fi
	[ $ok = 1 ] && passed=$((passed + 1))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
