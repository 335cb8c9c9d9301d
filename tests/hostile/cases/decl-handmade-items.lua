-- decl-handmade-items (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  { type = "indicator", name = "a", points = 5, score = function() return 1 end },
  { type = "indicator", name = "b", points = 5, score = function() return 1 end } }
