-- rule-text-not-utf8 (hostile case fixture): a section name with bytes that spell no character
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s\255\254" { points = 10, indicator "x" { points = 10, score = target("i01", 0.95) } }
