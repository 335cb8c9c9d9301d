-- rule-event-filter-boolean (hostile case fixture): a Lua-side filter {ok = false} matched no row
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
events "复议" { file = "reviews.csv", unit = "unit_id" }
section "s" { points = 10, indicator "a" { points = 10, score = function(u)
  return 10 - 2 * u.events["复议"]:count({ ["按期答复"] = false }) end } }
