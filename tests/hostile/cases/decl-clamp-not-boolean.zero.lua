-- decl-clamp-not-boolean (variant): clamp = 0
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, clamp = 0, score = function(u) return 150 * u.i01 end } }
