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
	[msg]=0
	[err]=1 [par]=1 [num]=1 [date]=1 [near]=1
	[sb]=2 [note]=3 [enc]=2 [infile]=2 [outfile]=2
	[sandbox]=3 [table]=3 [csv]=3 [rw]=3
	[rules]=4 [xlsx]=4 [xlsxw]=4 [result]=4
	[rowq]=5 [data]=5 [criteria]=5 [rank]=5 [form]=5 [notice]=5
	[score]=6 [compare]=6 [robust]=6
	[store]=7 [ruletest]=7
	[report]=8 [derive]=8
	[sheet]=9
	[cli]=10
)
# the files that may speak Lua: the sandbox, the rule compiler, the scoring
# bridge and the test runner
LUA_OK=" core/sandbox.c core/rules.c core/rules_use.c core/rules_int.h core/score_lua.c core/ruletest.c "

# the module a file belongs to, from its name
module_of() {
	local b
	b=$(basename "$1"); b=${b%.[ch]}
	case $b in
	*.def|kp_msg_en) echo msg ;;
	cmd_*|cli_*|main) echo cli ;;
	report_*) echo report ;;
	score_lua|score_int) echo score ;;
	store_run|store_blocks|store_load|store_rows|store_int) echo store ;;
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

for f in include/kaoping/*.h include/kaoping/msg/*.def core/*.h core/*.c; do
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
