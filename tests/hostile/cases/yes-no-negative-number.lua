-- yes-no-negative-number.lua — a yes_no() indicator over the column i20.
assessment { title = "yn", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "i20yn" { points = 10, score = yes_no("i20") } }
grades { {"A", 90}, {"B", 0} }
commend {}
