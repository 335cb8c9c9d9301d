assessment { title = "alike", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 60,
  indicator "i01" { points = 60, score = target("i01", 0.95) } }
section "ra‍tes" { points = 40,
  indicator "i11" { points = 40, score = ratio_to_best("i11") } }
