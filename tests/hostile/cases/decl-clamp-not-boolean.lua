-- decl-clamp-not-boolean (hostile case fixture): clamp = "false" is true to Lua, so the rule was clamped
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, clamp = "false", score = function(u) return 150 * u.i01 end } }
