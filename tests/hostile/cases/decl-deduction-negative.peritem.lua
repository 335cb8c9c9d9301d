-- decl-deduction-negative (variant): per_item with a negative amount per item gave full points)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 90, indicator "a" { points = 90, score = target("i01", 0.95) } }
section "t" { points = 10, indicator "x" { points = 10, score = per_item("i19", -2, 5) } }
