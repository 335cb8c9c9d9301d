-- rule-points-subnormal (hostile case fixture): an indicator of 1e-310 points
assessment { title = "tiny", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { "dept", "town" } }
section "rates" { points = 100,
  indicator "i01" { points = 100 - 1e-310, score = target("i01", 0.95) },
  indicator "i02" { points = 1e-310, score = function(u) return 1e-310 end } }
