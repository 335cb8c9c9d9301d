assessment { title = "alike", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 100,
  indicator "i01" { points = 100, score = target("i01", 0.95) } }
grades { {"Ａ", 90}, {"A", 60}, {"c", 0} }
