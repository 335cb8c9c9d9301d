-- decl-metatable-index (hostile case fixture): commend reads min_score through __index
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, score = target("i01", 0.95) } }
commend (setmetatable({}, { __index = { min_score = 101 } }))
