-- stale-unit-across-cases (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local saved
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if saved then return saved.i01 end
  saved = u return 1 end } }
case "a" { unit = { unit_id = "A", name = "a", category = "dept", i01 = 1 }, expect = { x = 1 } }
case "b" { unit = { unit_id = "B", name = "b", category = "dept", i01 = 1 }, expect = { x = 1 } }
