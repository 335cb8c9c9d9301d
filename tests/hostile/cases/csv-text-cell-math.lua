-- csv-text-cell-math (hostile case fixture): a function computing with an undeclared column through math
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return math.min(math.abs(u.x), 10) end } }
