-- sandbox-case-row-changed (hostile case fixture): peers with a hole, rows past it
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return u.i01 end } }
case "hole" { unit = { i01 = 5 }, peers = { { i01 = 1 }, nil, 7, 8, 9 }, expect = { rank = 1 } }
