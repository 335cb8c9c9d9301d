-- rule-points-subnormal (hostile case fixture): a deduction of 1e-310 per item
assessment { title = "tiny", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 100,
  indicator "i01" { points = 100, score = target("i01", 0.95) } }
deduction "violations" { per = 1e-310, count = "i19" }
