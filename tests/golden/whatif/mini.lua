-- mini.lua — a tiny rule file for the compare golden test: two sections
-- read from the unit table, a quota of 2 in 甲 and 1 in 乙.
assessment { title = "比较用小例", precision = 2,
  unit = { id = "id", name = "name", category = "cat" },
  categories = { {"甲", commend = 2}, {"乙", commend = 1} } }
section "S1" { points = 60, indicator "I1" { points = 60, score = target("s1", 1) } }
section "S2" { points = 40, indicator "I2" { points = 40, score = target("s2", 1) } }
grades { {"优秀", 90}, {"良好", 80}, {"合格", 0} }
commend {}
