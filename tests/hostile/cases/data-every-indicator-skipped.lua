-- data-every-indicator-skipped (hostile case fixture): the only indicators say missing = "skip"
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 60, indicator "a" { points = 60, missing = "skip", score = target("i01", 0.95) } }
section "t" { points = 40, indicator "b" { points = 40, missing = "skip", score = ratio_to_best("i11") } }
grades { {"优秀", 90}, {"合格", 0} }
commend {}
