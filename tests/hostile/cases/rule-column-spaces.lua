-- a helper reading a column named with a space at its end
assessment { title = "h", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "i" { points = 10, score = min_max("i01 ") } }
