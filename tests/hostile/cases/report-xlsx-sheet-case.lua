assessment { title = "cats", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"Ä", commend = 1}, {"ä", commend = 1}, {"Ａ", commend = 1}, {"ａ", commend = 1} } }
section "rates" { points = 100,
  indicator "i01" { points = 100, score = target("i01", 0.95) },
}
commend {}
