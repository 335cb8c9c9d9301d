-- sandbox-gc-allocates (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
setmetatable({}, {__gc = function() local t = {} for i = 1, 1e8 do t[i] = ("x"):rep(1000) .. i end end})
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
