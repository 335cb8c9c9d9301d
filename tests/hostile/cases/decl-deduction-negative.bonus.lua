-- decl-deduction-negative (variant): a bonus of max = -5 took 5 points from every unit)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 90, indicator "a" { points = 90, score = target("i01", 0.95) } }
bonus "b" { max = -5, score = function(u) return 3 end }
