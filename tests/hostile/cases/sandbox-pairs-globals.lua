-- sandbox-pairs-globals (hostile case fixture): weights set as globals, summed with pairs(_G) while scoring
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
W_a = 5
W_b = 3
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  local n = 0
  for k, v in pairs(_G) do if type(k) == "string" and k:sub(1, 2) == "W_" then n = n + v end end
  return n end } }
