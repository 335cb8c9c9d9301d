-- rule-lookup-same-value (variant): 0 and "0.0" are one number
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = lookup("i20", { [0] = 10, ["0.0"] = 2, [1] = 0 }) } }
