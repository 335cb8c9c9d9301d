-- sandbox-test-id-is-name (hostile case fixture): the unit's name column is its id column
assessment { title = "hostile", year = 2021,
  unit = { id = "name", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return u.i01 end } }
case "alone" { unit = { i01 = 5 }, expect = { total = 5 } }
case "second" { category = "town", unit = { i01 = 5 }, peers = { { i01 = 7 } }, expect = { total = 5, rank = 2 } }
