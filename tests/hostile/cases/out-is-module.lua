-- out-is-module.lua — a rule file that uses a module (out-is-module-mod.lua,
-- which the cases copy to mod.lua beside it).
local m = use "mod"
assessment { title = "t", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "rates" { points = 30, indicator "i01" { points = m.pts, score = target("i01", 0.95) } }
grades { {"A", 90}, {"B", 0} }
commend {}
