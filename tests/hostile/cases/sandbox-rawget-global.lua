-- sandbox-rawget-global (hostile case fixture): a global set at load, read with rawget while scoring
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
WEIGHT = 7
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  return rawget(_G, "WEIGHT") or 0 end } }
