-- decl-default-not-finite (variant): a bonus default = math.huge
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, score = target("i01", 0.95) } }
bonus "b" { max = 3, default = math.huge, score = yes_no("i20", 3) }
