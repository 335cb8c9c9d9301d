-- stale-rows-across-units (hostile case fixture): an event row of one
-- unit, kept, read while the next unit is scored
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local row
events "e" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if row then return row.i01 end
  for r in u.events["e"]:rows() do row = r end
  return 1 end } }
