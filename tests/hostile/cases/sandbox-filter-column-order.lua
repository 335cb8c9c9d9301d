-- sandbox-filter-column-order (hostile case fixture): an events filter of five columns
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "e" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10,
  score = target(agg.count("e", { kind_e = "v", kind_b = "y", kind_d = "w", kind_a = "x", kind_c = "z" }), 1) } }
