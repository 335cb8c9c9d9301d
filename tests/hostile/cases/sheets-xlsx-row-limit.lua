assessment { title = "ev", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
events "ev" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 100,
  indicator "n" { points = 100, score = given(agg.sum("ev", "v")), clamp = true },
}
commend {}
