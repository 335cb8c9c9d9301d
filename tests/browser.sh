#!/bin/sh
# browser.sh — the HTML report in a real browser: headless Chromium loads
# it (DOM checks), takes an A4-sized screenshot and prints it to PDF; the
# PDF must embed a CJK font and give back the Chinese title as text.
#
#   tests/browser.sh [REPORT.html]     (default: tests/golden/report/report.html)
#
# Writes build/browser/report.{png,pdf,dom.html}.  Exit 0 pass, 1 fail,
# 77 skip (no Chromium and it cannot be installed).
set -u

html=${1:-tests/golden/report/report.html}
out=${KP_BROWSER_OUT:-build/browser}
fail=0

say() { printf '%s\n' "$*"; }
bad() { say "FAIL: $*"; fail=1; }
ok() { say "ok: $*"; }

[ -r "$html" ] || { say "FAIL: $html: cannot read"; exit 1; }

find_chromium() {
	for c in chromium chromium-browser google-chrome-stable google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then
			printf '%s\n' "$c"
			return 0
		fi
	done
	return 1
}

browser=$(find_chromium)
if [ -z "$browser" ] || ! command -v pdffonts >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing chromium, fonts-noto-cjk, poppler-utils (once) ..."
		DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk poppler-utils \
			>/dev/null 2>&1 || true
	fi
	browser=$(find_chromium)
fi
if [ -z "$browser" ] || ! command -v pdffonts >/dev/null 2>&1; then
	say "SKIP: chromium not available"
	exit 77
fi

mkdir -p "$out" || exit 1
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$profile"' EXIT INT TERM
abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
url="file://$abs"

# The flags the brief asks for; --user-data-dir keeps runs independent.
run_browser() {
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>/dev/null
}

# ---- the DOM after Chromium parsed the page ----
dom=$out/report.dom.html
run_browser --dump-dom "$url" >"$dom"
[ -s "$dom" ] || bad "--dump-dom produced nothing"

count() { grep -o "$1" "$2" | wc -l | tr -d ' '; }

title=$(sed -n 's:.*<title>\([^<]*\)</title>.*:\1:p' "$html" | head -n 1)
if [ -n "$title" ] && grep -qF "<title>$title</title>" "$dom"; then
	ok "title: $title"
else
	bad "title missing from the DOM"
fi

ncat=$(count '<section class="category">' "$html")
ntab=$(count '<table class="ranking" data-category=' "$dom")
if [ "$ncat" -gt 0 ] && [ "$ntab" = "$ncat" ]; then
	ok "$ntab table.ranking, one per category"
else
	bad "table.ranking: $ntab in the DOM for $ncat categories"
fi

nsvg=$(count '<svg class="chart"' "$dom")
if grep -q 'class="notice"' "$dom"; then
	ok "large report: charts left out with a notice ($nsvg svg.chart)"
elif [ "$nsvg" -ge "$ncat" ]; then
	ok "$nsvg svg.chart"
else
	bad "svg.chart: $nsvg for $ncat categories"
fi

# commended names: the name cells of the rows marked commended
names=$(grep '^<tr class="commended">' "$html" |
	sed -n 's:^<tr class="commended"><td class="num">[0-9]*</td><td class="id">[^<]*</td><td class="name">\([^<]*\)</td>.*:\1:p' |
	sed "s/&quot;/\"/g; s/&#39;/'/g")
[ -n "$names" ] || bad "no commended units found in $html"
printf '%s\n' "$names" | while IFS= read -r n; do
	[ -n "$n" ] || continue
	if grep -qF "<td class=\"name\">$n</td>" "$dom"; then
		say "ok: commended: $n"
	else
		say "FAIL: commended unit missing from the DOM: $n"
		echo x >>"$out/.fail"
	fi
done
if [ -e "$out/.fail" ]; then
	rm -f "$out/.fail"
	fail=1
fi

# nothing the page escaped may come back as markup
if grep -q '<script' "$dom"; then
	bad "a <script> element appeared in the DOM"
else
	ok "no script elements"
fi

# ---- screenshot: one A4 page at 150 dpi ----
rm -f "$out/report.png"
run_browser --hide-scrollbars --screenshot="$out/report.png" --window-size=1240,1754 "$url" >/dev/null
if [ -s "$out/report.png" ]; then
	ok "screenshot $out/report.png"
else
	bad "no screenshot"
fi

# ---- PDF: fonts embedded, Chinese text extractable ----
rm -f "$out/report.pdf"
run_browser --no-pdf-header-footer --print-to-pdf="$out/report.pdf" "$url" >/dev/null
if [ -s "$out/report.pdf" ]; then
	ok "pdf $out/report.pdf ($(pdfinfo "$out/report.pdf" 2>/dev/null | sed -n 's/^Pages: *//p') pages," \
		"$(pdfinfo "$out/report.pdf" 2>/dev/null | sed -n 's/^Page size: *//p'))"
	# pdffonts names TrueType-based fonts; Chromium (Skia) embeds CFF-based
	# fonts such as Noto Sans CJK as Type 3 glyph procedures, which
	# pdffonts lists as [none] while their descriptors keep the name.
	cjk='CJK|WenQuanYi|WQY|YaHei|Hei|Song|Ming|Kai|Fallback'
	fonts=$(pdffonts "$out/report.pdf" 2>/dev/null)
	embedded=$(printf '%s\n' "$fonts" | awk 'NR > 2 { n = NF; if ($(n-4) == "yes") print }')
	named=$(printf '%s\n' "$embedded" | awk '{print $1}' | grep -Ei "$cjk" | sed 's/^[A-Z]*+//' | sort -u)
	if [ -z "$named" ] && [ -n "$embedded" ]; then
		named=$(grep -a -o -E '/(FontName /[^ /]+|FontFamily \([^)]*\))' "$out/report.pdf" |
			sed 's:^/FontName /[A-Z]*+::; s:^/FontFamily (\(.*\))$:\1:' | grep -Ei "$cjk" | sort -u)
	fi
	if [ -n "$named" ]; then
		ok "CJK font embedded: $(printf '%s\n' "$named" | tr '\n' ' ')"
	else
		bad "no embedded CJK font in the PDF"
		printf '%s\n' "$fonts" | head -n 12
	fi
	text=$(pdftotext -enc UTF-8 "$out/report.pdf" - 2>/dev/null)
	if [ -n "$title" ] && printf '%s\n' "$text" | tr -d ' \n' | grep -qF "$(printf '%s' "$title" | tr -d ' ')"; then
		ok "pdftotext gives back the title"
	else
		bad "the title does not come out of the PDF as text"
	fi
else
	bad "no PDF"
fi

[ "$fail" = 0 ] && say "PASS: browser" || say "FAIL: browser"
exit "$fail"
