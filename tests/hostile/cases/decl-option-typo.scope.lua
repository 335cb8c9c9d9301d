-- decl-option-typo (variant): ratio_to_best(…, {scoep = "all"}) scored within the category
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = ratio_to_best("i11", { scoep = "all" }) } }
