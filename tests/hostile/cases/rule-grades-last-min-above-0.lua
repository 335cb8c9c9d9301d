-- rule-grades-last-min-above-0 (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 10 * u.i01 end } }
grades { {"优秀", 9}, {"合格", 6} }
commend { min_grade = "合格" }
