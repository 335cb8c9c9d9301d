#!/usr/bin/env bash
# walkthrough.sh — README's walkthrough works when pasted in order in an
# empty folder, and prints what README shows.  The walkthrough is the
# ```console walkthrough blocks of README.md, in order: a line "$ CMD" is a
# command, the lines after it (to the next "$ " or the block's end) are what
# it prints, stdout and stderr as a terminal shows them (line-buffered),
# compared whole.  Every command must also succeed.
#
# kaoping is installed first (make install DESTDIR=TMP, the default PREFIX
# /usr/local), and a path under /usr/local/ in a command is read under
# TMP; the commands run in an empty folder with the installed kaoping first
# on PATH (with KP_BIN set, that binary instead: make asan tests its own).
#
#   tests/docs/walkthrough.sh
#   KP_UPDATE_GOLDEN=1 tests/docs/walkthrough.sh   write what each command
#        prints into README.md as its shown output (read the diff after)
#
# Prints "N passed, N failed"; exits non-zero when a command fails or
# prints something else.
set -u
cd "$(dirname "$0")/../.." || exit 2
repo=$PWD
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
export LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC
unset KAOPING_LANG LC_MESSAGES # what a person sees by default: Chinese
# stdbuf preloads a library: let ASan run after it
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0

root=$tmp/root
# (make as a person types it, not with the flags of a make asan around us)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -s -C "$repo" install DESTDIR="$root" > "$tmp/install.log" 2>&1 ||
	{ echo "FAIL  make install DESTDIR=$root:"; sed 's/^/      /' "$tmp/install.log"; exit 1; }
mkdir -p "$tmp/bin" "$tmp/work"
if [ -n "${KP_BIN:-}" ] && [ "$KP_BIN" != ./kaoping ]; then
	case $KP_BIN in /*) ln -s "$KP_BIN" "$tmp/bin/kaoping" ;; *) ln -s "$repo/$KP_BIN" "$tmp/bin/kaoping" ;; esac
else
	ln -s "$root/usr/local/bin/kaoping" "$tmp/bin/kaoping"
fi
export PATH=$tmp/bin:$PATH

# The walkthrough as records: "C<line>\t<command>" then "O<text>" lines.
awk '
	/^```console walkthrough[ \t]*$/ { on = 1; next }
	/^```/ && on { on = 0; next }
	on && /^\$ / { printf "C%d\t%s\n", NR, substr($0, 3); next }
	on { print "O" $0 }
' README.md > "$tmp/steps"
grep -q '^C' "$tmp/steps" || { echo "FAIL  README.md has no \`\`\`console walkthrough block"; exit 1; }

# Run one command; compare with what README shows.
check() {
	local line=$1 cmd=$2 want=$3 rc
	(cd "$tmp/work" && stdbuf -oL -eL bash -c "${cmd//\/usr\/local\//$root/usr/local/}") > "$tmp/got" 2>&1
	rc=$?
	if [ "${KP_UPDATE_GOLDEN:-}" = 1 ] && [ $rc -eq 0 ]; then
		cp "$tmp/got" "$tmp/got.$line"
		cp "$tmp/got" "$want"
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL  README.md:$line: \$ $cmd: exit $rc"
		sed 's/^/      /' "$tmp/got"
		failed=$((failed + 1))
	elif ! diff -u --label "README.md:$line" --label "what it prints" "$want" "$tmp/got" > "$tmp/diff"; then
		echo "FAIL  README.md:$line: \$ $cmd: prints something else:"
		sed 's/^/      /' "$tmp/diff"
		failed=$((failed + 1))
	else
		echo "ok    README.md:$line: \$ $cmd"
		passed=$((passed + 1))
	fi
}

line= cmd=
: > "$tmp/want"
while IFS= read -r rec; do
	case $rec in
	C*)
		[ -n "$line" ] && check "$line" "$cmd" "$tmp/want"
		rec=${rec#C}
		line=${rec%%$'\t'*} cmd=${rec#*$'\t'}
		: > "$tmp/want"
		;;
	O*) printf '%s\n' "${rec#O}" >> "$tmp/want" ;;
	esac
done < "$tmp/steps"
check "$line" "$cmd" "$tmp/want"
if [ "${KP_UPDATE_GOLDEN:-}" = 1 ]; then
	# each command's lines after it, to the next command or the block's end,
	# become what it printed
	python3 - "$tmp" README.md <<'PY'
import os, sys
tmp, path = sys.argv[1], sys.argv[2]
lines = open(path, encoding="utf-8").read().split("\n")
out, i, on = [], 0, False
while i < len(lines):
    l = lines[i]
    out.append(l)
    n = i + 1
    if l.startswith("```console walkthrough"):
        on = True
    elif on and l.startswith("```"):
        on = False
    elif on and l.startswith("$ ") and os.path.exists(f"{tmp}/got.{n}"):
        got = open(f"{tmp}/got.{n}", encoding="utf-8").read()
        out.extend(got.split("\n")[:-1] if got.endswith("\n") else got.split("\n") if got else [])
        i += 1
        while i < len(lines) and not lines[i].startswith("$ ") and not lines[i].startswith("```"):
            i += 1
        continue
    i += 1
open(path, "w", encoding="utf-8").write("\n".join(out))
PY
fi
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
