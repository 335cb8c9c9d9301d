-- rule-ctx-scope-typo (hostile case fixture): ctx:max(col, "ALL") was the category's maximum
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = function(u, ctx)
  return 10 * u.i11 / ctx:max("i11", "ALL") end } }
