-- rule-event-filter-number (hostile case fixture): a filter function answering 1 or 0
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "复议" { file = "reviews.csv", unit = "unit_id" }
section "s" { points = 10, indicator "a" { points = 10, default = 0,
  score = per_item(agg.count("复议", function(r) return r["按期答复"] == "否" and 1 or 0 end), 2) } }
