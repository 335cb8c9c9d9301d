assessment { title = "h", year = 1e15, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1e20}, {"town", commend = 1} }, max_total = -5 }
section "s" { points = 10, indicator "i" { points = 10, score = target("i01", 1) } }
