-- decl-metatable-index (variant): an indicator's categories through __index and __len
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local towns = setmetatable({}, { __index = function(t, k) if k == 1 then return "town" end end, __len = function() return 1 end })
section "s" { points = 100, indicator "a" { points = 50, categories = towns, score = target("i01", 0.95) },
  indicator "b" { points = 50, score = target("i02", 0.95) } }
