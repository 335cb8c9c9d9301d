-- decl-changed-deduction-per (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function() return 5 end } }
local d = deduction "d" { per = 2, max = 10, count = "i19" }
d.per = -2
