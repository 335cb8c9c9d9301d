#!/bin/sh
# manpage.sh — kaoping(1), written from what the built binary prints for
# `kaoping --help` and `kaoping COMMAND --help`, so the manual page and the
# help never drift apart.  The commands are the usage lines of --help (the
# command table in core/cli.c): a command added to the table appears in the
# page with its usage, its text, its examples and its options, no edit here.
#
#   scripts/manpage.sh ./kaoping > build/kaoping.1
#
# The page is plain man(7) in ASCII: Chinese text is written \[uXXXX], so
# groff needs no preconv and man -l, groff -man -Tutf8 show it the same.
set -eu
# the page is English: the help in English whatever the locale (kaoping
# speaks Chinese by default; KAOPING_LANG comes before every locale variable)
export KAOPING_LANG=en
bin=${1:?usage: scripts/manpage.sh KAOPING_BINARY}
command -v perl > /dev/null || { echo "manpage.sh: perl is needed (Debian: perl-base)" >&2; exit 1; }

main=$("$bin" --help)
version=$("$bin" --version | sed -n '1s/^kaoping \([^ ]*\).*/\1/p')
commands=$(printf '%s\n' "$main" | sed -n 's/^  kaoping \([a-z][a-z0-9_-]*\)\( .*\)\{0,1\}$/\1/p')
[ -n "$commands" ] || { echo "manpage.sh: $bin --help lists no commands" >&2; exit 1; }
modules=$(printf '%s\n' "$main" | sed -n 's/^ *(default \(\/[^)]*\/share\/kaoping\/modules\))$/\1/p')
prefix=${modules%/share/kaoping/modules}
[ -n "$prefix" ] || prefix=/usr/local

# roff text: \ as \e, a leading . or ' guarded, - in option names as \-
# (so a pasted option works), then every non-ASCII character as \[uXXXX].
roff_ascii() {
	perl -CSD -pe 's/([^\x00-\x7f])/sprintf("\\[u%04X]", ord($1))/ge'
}

# One help text (of --help or COMMAND --help) as roff.  Blocks are told
# apart as --help writes them: "usage:" lines, "NAME:" headings ending
# in a colon, option lines "  -x, --long ARG   what" (continued by deeper
# indented lines), examples (indented lines in the text), prose.
say() { printf '%s\n' "$@"; }

helptext() {
	awk -v mode="$1" '
	function esc(s) { gsub(/\\/, "\\e", s); gsub(/-/, "\\-", s); return s }
	function line(s) { s = esc(s); if (s ~ /^[.\047]/) s = "\\&" s; print s }
	function close_ex() { if (ex) { print ".fi"; print ".RE"; ex = 0 } }
	function blank() { close_ex(); para = 1 }
	/^usage:/ { if (mode == "command") next; inusage = 1; print ".nf"; next }
	inusage && /^  / { sub(/^  /, ""); line($0); next }
	inusage { print ".fi"; inusage = 0 }
	/^$/ { blank(); opts = 0; next }
	/^[A-Za-z][A-Za-z ]*:$/ { close_ex(); sub(/:$/, ""); print ".PP"; print "\\fB" $0 ":\\fR"; opts = 1; para = 0; next }
	/^[A-Za-z][A-Za-z ]*: / { close_ex(); if (para) print ".PP"; para = 0; line($0); next }
	opts && /^  -/ {
		s = substr($0, 3)
		# the text starts after two spaces, or after "--name ARG " when
		# the name fills its column ("--quiet, --verbose" has no text)
		tag = s; what = ""
		if (match(s, /  +/)) {
			tag = substr(s, 1, RSTART - 1); what = substr(s, RSTART + RLENGTH)
		} else if (match(s, /^-[^ ]+( [A-Z][A-Za-z|]*)? /) && substr(s, RLENGTH + 1) !~ /^-/) {
			tag = substr(s, 1, RLENGTH - 1); what = substr(s, RLENGTH + 1)
		}
		print ".TP"; print "\\fB" esc(tag) "\\fR"
		if (what != "") line(what)
		next
	}
	opts && /^    / { sub(/^ +/, ""); line($0); next }
	/^  / { if (!ex) { print ".sp"; print ".RS"; print ".nf"; ex = 1 }; sub(/^  /, ""); line($0); next }
	{ close_ex(); if (para) print ".PP"; para = 0; line($0) }
	END { close_ex(); if (inusage) print ".fi" }
	'
}

{
	say '.\" kaoping.1 - written by scripts/manpage.sh from kaoping --help and'
	say '.\" kaoping COMMAND --help (the command table in core/cli.c); do not edit.'
	printf '.TH KAOPING 1 "" "kaoping %s" "User Commands"\n' "$version"
	say '.SH NAME'
	printf '%s\n' "$main" | sed -n '1s/^kaoping [^ ]* — /kaoping \\- /p'
	say '.SH SYNOPSIS'
	printf '%s\n' "$main" | sed -n '/^usage:/,/^$/p' | helptext main
	say '.SH DESCRIPTION'
	say 'kaoping scores a target-responsibility assessment (目标责任考核): the'
	say 'criteria are a Lua rule file, the data CSV files the offices send; it'
	say 'ranks every unit within its category, picks the commendation list and'
	say 'explains every point.  Each command below is as'
	say '.B kaoping'
	say '.I COMMAND'
	say '.B \-\-help'
	say 'prints it.'
	say '.SH COMMANDS'
	for c in $commands; do
		printf '.SS %s\n' "$c"
		out=$("$bin" "$c" --help)
		say '.nf'
		printf '%s\n' "$out" | sed -n '1s/^usage: //p' | helptext command
		say '.fi'
		printf '%s\n' "$out" | sed 1d | helptext command
	done
	say '.SH OPTIONS'
	printf '%s\n' "$main" | sed -n '/^common options:$/,/^$/p' | helptext main | sed '1,2d'
	say '.SH EXIT STATUS'
	printf '%s\n' "$main" | sed -n '/^exit status:/,$p' | sed 's/^exit status: //; s/^  //' | helptext main
	say '.SH FILES'
	say '.TP'
	say '.I kaoping.db'
	say 'the database in the current folder, unless \fB\-\-db\fR'
	say '.TP'
	printf '.I %s\n' "$prefix/share/kaoping/modules"
	say 'the shared rule modules \fBuse "name"\fR finds'
	say '.TP'
	printf '.I %s\n' "$prefix/share/kaoping/rules"
	say 'the sample rule files (2021-fazhi.lua and its tests)'
	say '.TP'
	printf '.I %s\n' "$prefix/share/kaoping/samples"
	say 'the sample data of Longxian County, 2020 and 2021'
	say '.SH SEE ALSO'
	printf '.I %s\n' "$prefix/share/doc/kaoping/docs/RULES.md"
	say '(the rule language),'
	printf '.I %s\n' "$prefix/share/doc/kaoping/README.md"
	say '(the walkthrough, formats, limits and the database).'
} | roff_ascii
