-- rule-unknown-column (hostile case fixture): reads a column no file has
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "a" { points = 10, score = target("i99", 1) },
}
