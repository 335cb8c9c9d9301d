-- rule-quota-exceeds-category (hostile case fixture): 50 towns to commend, 4 towns
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 50} } }
section "s" { points = 10,
  indicator "a" { points = 10, score = target("i01", 1) },
}
