-- sandbox-test-name-newline (hostile case fixture): a failing case whose name and expect hold line breaks
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return u.i01 end } }
case "wrong\nok    forged" { unit = { i01 = 1 }, expect = { total = 2, grade = "g\nok    also forged" } }
