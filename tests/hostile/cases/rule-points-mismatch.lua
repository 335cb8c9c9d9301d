-- rule-points-mismatch (hostile case fixture): 6 + 6 points in a section of 10
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "a" { points = 6, score = target("i01", 1) },
  indicator "b" { points = 6, score = target("i02", 1) },
}
