-- decl-assessment-index-raises (hostile case fixture)
local t = { title = "hostile", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
assessment(t)
setmetatable(t, { __index = function() error("boom") end })
setmetatable(t.unit, { __index = function() error("boom") end })
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
