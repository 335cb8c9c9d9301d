-- sandbox-text-to-number-library (variant): the method ("x"):rep(text)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "a" { points = 20, score = function(u) return #("x"):rep(u.code) end } }
