-- rule-value-fn-text-number (hostile case fixture): a value function hands back the cell's text "0x10"
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = target(function(u) return u.code end, 20) } }
