-- rule-empty-category (hostile case fixture): 'village' is declared, no unit has it
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1}, {"village", commend = 2} } }
section "s" { points = 10,
  indicator "a" { points = 10, score = target("i01", 1) },
}
