-- decl-changed-assessment-typo (hostile case fixture)
local a = { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
assessment(a)
section "s" { points = 10, indicator "x" { points = 10, score = function() return 5 end } }
a.max_totl = 5
