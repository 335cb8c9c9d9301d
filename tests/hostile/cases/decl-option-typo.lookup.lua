-- decl-option-typo (variant): lookup(…, {defualt = 2}) had no default
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = lookup("i20", { [0] = 10, [1] = 0 }, { defualt = 2 }) } }
