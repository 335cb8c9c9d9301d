-- rule-rank-points-hole (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = rank_points("i01", {5, nil, 0/0}) } }
