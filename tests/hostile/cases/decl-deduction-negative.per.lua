-- decl-deduction-negative (variant): per = -2 took nothing)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 90, indicator "a" { points = 90, score = target("i01", 0.95) } }
deduction "d" { per = -2, count = "i19" }
