# writes a rule file of n indicators, each a function naming its own column,
# all of them listed by one data declaration (scale-decl-columns-many-functions)
BEGIN {
	print "assessment { title = \"t\", year = 2021, precision = 2,"
	print "  unit = { id = \"unit_id\", name = \"name\", category = \"category\" },"
	print "  categories = { {\"dept\", commend = 3}, {\"town\", commend = 1} } }"
	s = "data \"f\" { office = \"o\", columns = {"
	for (i = 1; i <= n; i++) s = s " \"c" i "\","
	print s " } }"
	print "section \"s\" { points = 100,"
	for (i = 1; i <= n; i++)
		print "  indicator \"k" i "\" { points = " 100 / n ", desc = \"d\", score = function(u) return 0 * (u[\"c" i "\"] or 0), \"x\" end },"
	print "}"
	print "grades { {\"A\", 90}, {\"D\", 0} }"
	print "commend {}"
}
