-- stale-events-across-units (hostile case fixture): the event list of one
-- unit, kept, read while the next unit is scored
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local list
events "e" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if list then return list:count() end
  list = u.events["e"]
  return 1 end } }
