-- run-db-fails-keeps-nothing (hostile case fixture): the rule fails at the 13th unit
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if u.id == "U0000013" then error("late") end return 1
end } }
