-- rule-lookup-same-value (hostile case fixture): [1] and ["1"] are one entry to the scorer
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = lookup("i20", { [1] = 10, ["1"] = 0, [0] = 0 }) } }
