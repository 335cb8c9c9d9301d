-- sandbox-text-to-number-library (variant): select(text, ...)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "a" { points = 20, score = function(u) return select(u.code, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17) end } }
