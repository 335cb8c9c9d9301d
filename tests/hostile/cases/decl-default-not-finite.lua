-- decl-default-not-finite (hostile case fixture): default = 0/0 for a blank cell scored full points
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 100, indicator "a" { points = 100, default = 0/0, score = target("i01", 0.95) } }
