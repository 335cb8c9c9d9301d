#!/usr/bin/env bash
# run.sh — the ranking table on a terminal (README, "The table on a
# terminal"): the 2021 Longxian sample at 80, 120 and 200 columns (--width),
# with --columns and in English, each compared whole with w*.txt here; every
# line no wider than asked (Chinese characters count 2); a pipe without
# --width still gets the full table; and, under script(1) for a terminal,
# the pager when the table is too wide, colour unless NO_COLOR.
#
#   tests/golden/term/run.sh          KP_BIN: the binary (default ./kaoping)
#   KP_UPDATE_GOLDEN=1                rewrite the w*.txt files from the output
set -u
cd "$(dirname "$0")/../../.." || exit 2
export KAOPING_LANG=${KAOPING_LANG:-en} # English messages (the default is Chinese)
export LC_ALL=C.UTF-8
bin=${KP_BIN:-./kaoping}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
dir=tests/golden/term
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
ok() { echo "ok    $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; failed=$((failed + 1)); }
sample() { "$bin" run rules/2021-fazhi.lua samples/2021/*.csv --quiet "$@"; }

# the widest line in display columns (East Asian wide and full-width: 2)
widest() {
	python3 -c 'import sys, unicodedata as u
print(max((sum(2 if u.east_asian_width(c) in "WF" else 1 for c in l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")), default=0))' "$1"
}

golden() { # NAME WIDTH ARGS...
	local name=$1 width=$2 w
	shift 2
	sample "$@" >"$tmp/$name.txt" 2>"$tmp/$name.err" || { fail "$name: exit $? $(cat "$tmp/$name.err")"; return; }
	[ -n "${KP_UPDATE_GOLDEN:-}" ] && cp "$tmp/$name.txt" "$dir/$name.txt" && echo "wrote $dir/$name.txt"
	if ! cmp -s "$tmp/$name.txt" "$dir/$name.txt"; then
		fail "$name: differs from $dir/$name.txt"
		diff -u "$dir/$name.txt" "$tmp/$name.txt" | head -n 30 | sed 's/^/      /'
		return
	fi
	w=$(widest "$tmp/$name.txt")
	[ "$w" -le "$width" ] || { fail "$name: a line is $w columns wide, more than $width"; return; }
	ok "$name ($w of $width columns)"
}

golden w80 80 --width 80
golden w120 120 --width 120
golden w200 200 --width 200
golden w80-columns 80 --width 80 --columns 排名,单位名称,四,总分,等次,一票否决
golden w80-en 80 --width 80 --lang en

# the legend names every section with its points; veto reasons are footnotes
grep -q '四 严格规范公正文明执法（30分）' "$dir/w80.txt" && grep -q '^注1 自然资源局：发生重大行政执法过错，被追究责任$' "$dir/w80.txt" &&
	grep -q '未显示的列：单位代码' "$dir/w80.txt" && ok "w80: legend, footnote, the columns left out" || fail "w80: legend or footnote"
# nothing left out at 120 and 200
! grep -q '未显示的列' "$dir/w120.txt" "$dir/w200.txt" && ok "w120, w200: every column" || fail "w120/w200 left a column out"

# a pipe without --width: the full table, as before
sample >"$tmp/pipe.txt" && sample --wide >"$tmp/wide.txt" && cmp -s "$tmp/pipe.txt" "$tmp/wide.txt" &&
	grep -q '^排名  单位代码  单位名称  一、履行第一责任人职责' "$tmp/pipe.txt" && ! grep -q $'\033' "$tmp/pipe.txt" &&
	ok "pipe: the full table, no colour" || fail "pipe: not the full table"

# --columns with a name no column has: usage error 64
sample --columns 排名,无此列 >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 64 ] && grep -q "no column is called '无此列'" "$tmp/bad.err" && ok "--columns: unknown name, 64" || fail "--columns unknown: exit $rc"

# a terminal (script(1) gives a pty; COLUMNS is its width then)
if command -v script >/dev/null 2>&1; then
	cmd="$bin run rules/2021-fazhi.lua samples/2021/*.csv --quiet"
	out=$(COLUMNS=60 PAGER='echo PAGED; cat >/dev/null' script -qec "$cmd" /dev/null </dev/null)
	[[ $out == PAGED* ]] && ok "tty, 60 columns: through \$PAGER" || fail "tty, 60 columns: no pager"
	out=$(COLUMNS=200 PAGER='echo PAGED; cat >/dev/null' script -qec "$cmd" /dev/null </dev/null)
	[[ $out != *PAGED* && $out == *$'\033[1m'* && $out == *'一/15'* ]] && ok "tty, 200 columns: fitted, bold, no pager" ||
		fail "tty, 200 columns"
	out=$(NO_COLOR=1 COLUMNS=200 script -qec "$cmd" /dev/null </dev/null)
	[[ $out != *$'\033'* ]] && ok "tty with NO_COLOR: no colour" || fail "NO_COLOR ignored"
	out=$(COLUMNS=200 PAGER='echo PAGED; cat >/dev/null' script -qec "$cmd --wide" /dev/null </dev/null)
	[[ $out == PAGED* ]] && ok "tty, --wide: the full table through \$PAGER" || fail "tty --wide: no pager"
	# a pager that fails without reading (PAGER=false) left the table unshown, exit 0
	out=$(COLUMNS=60 PAGER=false KAOPING_LANG=en script -qec "$cmd" /dev/null </dev/null)
	[[ $out == *"the pager 'false' (PAGER) exited with status 1"* && $out == *'排名'* ]] &&
		ok "tty, PAGER=false: said, and the table without it" || fail "tty, PAGER=false: the table not shown"
else
	echo "skip  no script(1): the terminal checks"
fi

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
