-- rule-points-overflow (hostile case fixture): two sections of 1e308 points, finite each, infinite together
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 1e308, indicator "x" { points = 1e308, score = target("i01", 0.95) } }
section "t" { points = 1e308, indicator "y" { points = 1e308, score = target("i02", 0.95) } }
