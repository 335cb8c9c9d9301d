-- sandbox-test-lines-order (hostile case fixture): a case that gets five names wrong
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return u.i01 end } }
case "wrong" { unit = { i01 = 5 }, expect = { total = 1, x = 2, s = 3, e = 4, a = 5 } }
