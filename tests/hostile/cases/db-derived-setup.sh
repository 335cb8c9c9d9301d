# db-derived-setup.sh — not a case: the setup of the db-derived-* cases.
# A database of one run whose items are derived again (50,001 units of the
# benchmark shape scored by rules/bench.lua: past the XLSX report's details),
# made once in $CACHE with $KPS and copied into the case's directory as
# kaoping.db.  Run by bash from a case's setup line.
set -e
if [ ! -f "$CACHE/derived.db" ]; then
	d=$(mktemp -d "$CACHE/derived.XXXXXX")
	$GEN 50001 21 >"$d/units.csv"
	(cd "$d" && $KPS import --quiet --db derived.db --year 2021 units.csv &&
		$KPS score --quiet --db derived.db "$ROOT/rules/bench.lua" >/dev/null)
	[ "$(sqlite3 "$d/derived.db" 'SELECT count(*) FROM run_derived')" = 1 ]
	mv "$d/derived.db" "$CACHE/derived.db"
	rm -rf "$d"
fi
cp "$CACHE/derived.db" kaoping.db
