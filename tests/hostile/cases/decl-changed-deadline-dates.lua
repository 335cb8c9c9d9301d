-- decl-changed-deadline-dates (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local h = deadline("i01", { {"2024-03-31", 10} })
section "s" { points = 10, indicator "x" { points = 10, score = h } }
h.dates[1] = 5
