-- stale-rows-in-eligible (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local list, row
events "e" { file = "ev.csv", unit = "unit_id" }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  list = u.events["e"]
  for r in list:rows() do row = r end
  return 1 end } }
commend { eligible = function(r) return row.i01 ~= nil and list:count() > 0 end }
