-- an event filter on a column named with a tab before it
assessment { title = "h", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "ev" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10,
  indicator "i" { points = 10, score = per_item(agg.count("ev", { ["\t级别"] = "重大" }), 2, 10) } }
