-- stale-unit-across-units (hostile case fixture): the unit record of the
-- call before, kept in an upvalue, read while the next unit is scored
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local saved
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  local prev = saved
  saved = u
  if prev then return 10 * prev.i01, "scored from " .. prev.unit_id end
  return 10 * u.i01 end } }
