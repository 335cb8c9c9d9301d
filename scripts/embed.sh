#!/bin/sh
# embed.sh NAME FILE — print FILE as a C array `NAME` and its length, so the
# Lua helper library ships inside the binary (loaded as text).
set -eu
name=$1 file=$2
printf '/* generated from %s by scripts/embed.sh; do not edit */\n' "$file"
printf '#include <stddef.h>\nconst char %s[] = {\n' "$name"
od -An -v -tx1 "$file" | sed 's/ \([0-9a-f][0-9a-f]\)/0x\1,/g'
printf '0x00};\nconst size_t %s_len = sizeof %s - 1;\n' "$name" "$name"
