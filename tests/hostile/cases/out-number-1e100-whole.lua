-- A total of 1e100 (an unclamped indicator): every format prints it whole.
assessment { title = "big", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "rates" { points = 60,
  indicator "i01" { points = 60, clamp = false, score = function(u) return 1e100, "huge" end },
}
grades { {"优秀", 90}, {"不合格", 0} }
commend {}
