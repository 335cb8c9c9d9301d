#!/usr/bin/env bash
# tests/fuzz/build.sh — build the libFuzzer harnesses into build/fuzz/:
# the core (core/*.c but the command line: cli.c, cli_*.c, cmd_*.c, main.c, the embedded Lua helper
# library and GB2312's table) compiled with clang, coverage for libFuzzer, ASan and UBSan, then
# one binary per harness (fuzz_csv, fuzz_num, fuzz_rules, fuzz_notice, fuzz_xlsx, fuzz_note,
# fuzz_blocks).  Objects are
# rebuilt when their source or a header is newer.  FUZZ_CC overrides clang.
set -eu
cd "$(dirname "$0")/../.."
OUT=build/fuzz
CC=${FUZZ_CC:-clang}
PKGS="lua5.4 sqlite3 xlsxwriter libcrypto libzip expat freexl"
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC is not installed (scripts/deps.sh installs clang)" >&2; exit 1; }
# float-cast-overflow: GCC's "undefined" leaves it out, clang's has it; named so
# both builds see a double out of an integer's range converted (C11 6.3.1.4)
SAN="-fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Iinclude -I$OUT $(pkg-config --cflags $PKGS)"
# fuzz_blocks reads the store's private header (core/store_int.h)
HFLAGS="-Icore"
LIBS="$(pkg-config --libs $PKGS) -lcsv -lpthread -lm"

mkdir -p $OUT/core
scripts/embed.sh kp_prelude_lua core/prelude.lua >$OUT/core/prelude.c.new
if cmp -s $OUT/core/prelude.c.new $OUT/core/prelude.c; then
	rm $OUT/core/prelude.c.new
else
	mv $OUT/core/prelude.c.new $OUT/core/prelude.c
fi

# GB2312's hanzi (kp_gb2312_hanzi, read by enc.c)
[ -e $OUT/core/gb2312.c ] && [ ! scripts/gb2312.sh -nt $OUT/core/gb2312.c ] ||
	{ scripts/gb2312.sh >$OUT/core/gb2312.c.tmp && mv $OUT/core/gb2312.c.tmp $OUT/core/gb2312.c; }

# the catalogue's KP_M_* macros (include/kaoping/msg.h)
scripts/msgids.sh "$CC" include >$OUT/kp_msg_en.h.new
if cmp -s $OUT/kp_msg_en.h.new $OUT/kp_msg_en.h; then
	rm $OUT/kp_msg_en.h.new
else
	mv $OUT/kp_msg_en.h.new $OUT/kp_msg_en.h
fi

newest_header=$(ls -t include/kaoping/*.h include/kaoping/msg/*.def core/*.h $OUT/kp_msg_en.h 2>/dev/null | head -n 1)
objs=()
jobs=()
for src in core/*.c $OUT/core/prelude.c $OUT/core/gb2312.c; do
	base=$(basename "$src" .c)
	case $base in cli | cli_* | main | cmd_*) continue ;; esac
	obj=$OUT/core/$base.o
	objs+=("$obj")
	if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || [ "$newest_header" -nt "$obj" ]; then
		jobs+=("$src")
	fi
done
if [ ${#jobs[@]} -gt 0 ]; then
	echo "fuzz: compiling ${#jobs[@]} core files with $CC and the sanitizers"
	printf '%s\n' "${jobs[@]}" | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c \
		'o='"$OUT"'/core/$(basename {} .c).o; '"$CC $CFLAGS $SAN"' -fsanitize=fuzzer-no-link -c {} -o $o.tmp && mv $o.tmp $o'
fi
for h in csv num rules notice xlsx note blocks; do
	bin=$OUT/fuzz_$h
	if [ ! -e "$bin" ] || [ tests/fuzz/fuzz_$h.c -nt "$bin" ] || [ ${#jobs[@]} -gt 0 ]; then
		$CC $CFLAGS $HFLAGS $SAN -fsanitize=fuzzer tests/fuzz/fuzz_$h.c "${objs[@]}" $LIBS -o "$bin"
	fi
done
echo "fuzz: built $OUT/fuzz_csv $OUT/fuzz_num $OUT/fuzz_rules $OUT/fuzz_notice $OUT/fuzz_xlsx $OUT/fuzz_note $OUT/fuzz_blocks"
