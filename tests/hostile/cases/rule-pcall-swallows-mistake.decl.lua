-- rule-pcall-swallows-mistake (variant): pcall drops a refused declaration
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, score = target("i01", 0.95) } }
pcall(function() deduction "d" { per = 2, max = 0 / 0, count = "i19" } end)
