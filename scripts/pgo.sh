#!/bin/sh
# pgo.sh — ./kaoping built with gcc's profile-guided optimisation (PGO).
#
#   scripts/pgo.sh --wanted PGO CC   prints 1 when make should build with it:
#                                    PGO=1, or PGO=auto with gcc and lua5.4
#                                    (the training data's generator); else 0
#   scripts/pgo.sh DIR OUT [VAR=value ...]
#                                    builds DIR/kaoping twice and copies it to
#                                    OUT (MAKE, OPT and EXTRA_CFLAGS from the
#                                    environment; the VAR=value pairs go to
#                                    both makes)
#
# The first build counts what the code does (-fprofile-generate); a training
# run does what users do, at the scale where speed matters (scripts/gen-units
# 60,000 units: run in JSON and CSV, import, score, report, explain; the
# sample rules on the sample data); the second build is laid out and inlined
# by those counts (-fprofile-use).  Code the training never ran stays
# optimised as in a plain build (-fprofile-partial-training), and the whole
# program is optimised as one at the link (-flto: the CSV reader's calls
# into num.c and table.c, the scorer's into table.c and data.c, inlined
# across files), when the compiler has its archiver for it (CC-ar, or
# gcc-ar-N for gcc N, as cc is on Debian: the library's objects are GIMPLE
# then).  Measured on the
# benchmark's 1M units (README): about a tenth less CPU for run from the
# profile, about 6% more from the link, the same bytes out.  Both builds
# live in DIR (the counts are found beside the objects they belong to); the
# training's files in DIR/train, removed after.
#
# Warnings stay errors in the plain build (make test builds it for the unit
# tests, and the clang check): here they are only printed, since what gcc
# warns of can change with the counts (a "may be used uninitialized" that
# the plain build does not see), and a release build must not depend on it.
set -eu

if [ "${1:-}" = "--wanted" ]; then
	case ${2:-auto} in
	0 | no | off) echo 0 ;;
	1 | yes | on) echo 1 ;;
	*)
		if "${3:-cc}" -v 2>&1 | grep -q '^gcc version' && command -v lua5.4 >/dev/null 2>&1; then
			echo 1
		else
			echo 0
		fi
		;;
	esac
	exit 0
fi

[ $# -ge 2 ] || { echo "usage: scripts/pgo.sh DIR OUT [VAR=value ...]" >&2; exit 64; }
dir=$1 out=$2
shift 2
make=${MAKE:-make}
opt=${OPT:--O2 -g}
extra="${EXTRA_CFLAGS:-} -Wno-error"
train=$dir/train
log=$dir/pgo.log
# the link-time pass needs the compiler's own archiver (its plugin reads
# GIMPLE objects); without one, the profile alone
cc=cc
for a in "$@"; do
	case $a in CC=*) cc=${a#CC=} ;; esac
done
lto_ar=
for ar in "$cc-ar" "gcc-ar-$("$cc" -dumpversion 2>/dev/null | cut -d. -f1)"; do
	if command -v "$ar" >/dev/null 2>&1; then
		lto_ar=$ar
		break
	fi
done

say() { printf '  PGO %s\n' "$*"; }

# objects of the other pass (or of a build before this one) go; counts too,
# before the first pass: they must be this source's
clean() {
	rm -f "$dir"/core/*.o "$dir"/libkaoping.a "$dir"/kaoping
	[ "$1" = counts ] && rm -f "$dir"/core/*.gcda
	return 0
}

# one pass: FLAGS [VAR=value ...]; its lines go to a log, shown when the
# pass fails (all of it) or warns (the warnings)
build() {
	flags=$1
	shift
	mkdir -p "$dir"
	if ! $make -s BUILD="$dir" OPT="$opt $flags" "$@" EXTRA_CFLAGS="$extra" "$dir/kaoping" > "$log" 2>&1; then
		cat "$log" >&2
		exit 1
	fi
	grep -A3 'warning:' "$log" >&2 || :
}

clean counts
say "instrumented build"
build "-fprofile-generate -fprofile-update=atomic" "$@"

say "training run"
rm -rf "$train" && mkdir -p "$train"
k=$dir/kaoping
lua5.4 scripts/gen-units 60000 1 > "$train/units.csv"
# every step must succeed: a failure here is kaoping's, and says so
step() {
	"$@" > /dev/null 2> "$train/err" && return 0
	cat "$train/err" >&2
	echo "pgo.sh: the instrumented kaoping failed its training run at: $*" >&2
	echo "pgo.sh: make PGO=0 builds without profile-guided optimisation" >&2
	exit 1
}
export KAOPING_LANG=en
step "$k" run rules/bench.lua "$train/units.csv" --format json
step "$k" run rules/bench.lua "$train/units.csv" --format csv
step "$k" import --db "$train/t.db" --year 2021 "$train/units.csv"
step "$k" score --quiet --db "$train/t.db" --year 2021 rules/bench.lua --format csv
step "$k" report --db "$train/t.db" --format json
step "$k" report --db "$train/t.db" --format csv
step "$k" explain --db "$train/t.db" U0030000
step "$k" run rules/2021-fazhi.lua samples/2021/*.csv
rm -rf "$train"

clean objects
if [ -n "$lto_ar" ]; then
	say "optimised build, and at the link"
	build "-fprofile-use -fprofile-partial-training -flto=auto" AR="$lto_ar" "$@"
else
	say "optimised build"
	build "-fprofile-use -fprofile-partial-training" "$@"
fi
rm -f "$log"
cp "$dir/kaoping" "$out"
