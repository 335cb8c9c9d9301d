-- sandbox-global-set-while-scoring (hostile case fixture): a global set at load, changed while scoring
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
counter = 0
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  counter = counter + 1 return math.min(counter, 10)
end } }
