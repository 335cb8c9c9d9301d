-- decl-default-not-finite (variant): desc = 5 was dropped from the criteria
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, desc = 5, score = target("i01", 0.95) } }
