-- rule-points-never-given (hostile case fixture): done gives 15 when not done, clamped to the 10 of done
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = done("i20", 15) } }
