-- sandbox-pairs-view-order (hostile case fixture): the first name pairs gives of a library and of ctx
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local names = {}
for k in pairs(string) do names[#names + 1] = k end
print(table.concat(names, ","))
section "s" { points = 10, indicator "x" { points = 10, score = function(u, ctx)
  local first = next({}) -- nil
  for k in pairs(ctx) do first = k break end
  return first == "avg" and 10 or 0 end } }
