-- rule-category-assessed-on-nothing (hostile case fixture): every indicator is for towns only,
-- so a department is assessed on nothing: its points cannot be rescaled (百分制折算 of nothing)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 50, indicator "a" { points = 50, categories = {"town"}, score = target("i01", 0.95) } }
section "t" { points = 50, indicator "b" { points = 50, categories = {"town"}, score = target("i02", 0.95) } }
