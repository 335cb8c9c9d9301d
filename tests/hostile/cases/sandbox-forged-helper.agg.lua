-- sandbox-forged-helper (hostile case fixture): an aggregate written by hand, of no kind
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "e" { file = "units.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10, score = target({ agg = "nope", event = "e", col = "i01" }, 1) } }
