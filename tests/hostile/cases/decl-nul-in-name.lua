-- decl-nul-in-name (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x\0y" { points = 5, score = function(u) return 1 end },
  indicator "x\0z" { points = 5, score = function(u) return 2 end } }
