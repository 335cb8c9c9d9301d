-- rule-error-nul-byte (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  error(setmetatable({}, {__tostring = function() return "E\0 the rest of the message" end})) end } }
