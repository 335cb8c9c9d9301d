-- rule-points-subnormal (hostile case fixture): a bonus band of 5e-324 points
assessment { title = "tiny", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 100,
  indicator "i01" { points = 100, score = target("i01", 0.95) } }
bonus "extra" { score = bands("i11", { {100, 2}, {50, 5e-324} }) }
