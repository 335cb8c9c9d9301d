-- rule-points-never-given (variant): a band of -2 points, clamped to 0
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = bands("i01", { {0.9, 10}, {0.5, -2} }) } }
