-- sandbox-value-where-line (hostile case fixture): yes_no of a function that answers "maybe"
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "x" { points = 10, score = yes_no(function(u) return "maybe" end, 10) } }
