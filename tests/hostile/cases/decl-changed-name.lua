-- decl-changed-name (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local i = indicator "x" { points = 10, score = function() return 5 end }
section "s" { points = 10, i }
i.name = {}
