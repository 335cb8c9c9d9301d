-- decl-option-typo (hostile case fixture): {"dept", comend = 3} commended no department
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", comend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = target("i01", 0.95) } }
