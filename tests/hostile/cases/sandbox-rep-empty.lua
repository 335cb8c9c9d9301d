-- sandbox-rep-empty (hostile case fixture): the empty text repeated 10^18 times, per unit
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  return #string.rep("", 1e18) + #(""):rep(2^62, "") + 1 end } }
