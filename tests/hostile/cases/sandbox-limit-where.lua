-- sandbox-limit-where (hostile case fixture): the loop is in a function called from line 7
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local function spin() while true do end end
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  spin() return 1 end } }
