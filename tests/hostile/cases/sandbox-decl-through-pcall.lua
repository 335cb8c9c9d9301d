-- sandbox-decl-through-pcall (hostile case fixture): indicator "x" declared through pcall
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local _, x = pcall(indicator, "x")
section "s" { points = 10, x { points = 10, score = function(u) return "ten" end } }
