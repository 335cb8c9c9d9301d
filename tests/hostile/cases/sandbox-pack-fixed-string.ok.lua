-- sandbox-pack-fixed-string (hostile case fixture): a fixed-size string then a number, as Lua packs them
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "x" { points = 20, score = function(u)
  return #string.pack("c3i4", "abc", 5) end } }
