-- decl-changed-target-goal (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local h = target("i01", 0.95)
section "s" { points = 10, indicator "x" { points = 10, score = h } }
h.goal = 0
