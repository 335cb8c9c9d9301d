-- rule-event-filter-number (variant): in a function, the row's own 是/否 as the answer
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "复议" { file = "reviews.csv", unit = "unit_id" }
section "s" { points = 10, indicator "a" { points = 10, score = function(u)
  return 10 - 2 * u.events["复议"]:count(function(r) return r["按期答复"] end) end } }
