-- sandbox-value-where-line (hostile case fixture): a target whose goal a function makes -1
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "x" { points = 10, score = target("i01", function(u) return -1 end) } }
