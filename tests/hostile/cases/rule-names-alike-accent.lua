assessment { title = "alike", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 100,
  indicator "café" { points = 60, score = target("i01", 0.95) },
  indicator "café" { points = 40, score = ratio_to_best("i11") } }
