-- sandbox-pairs-order (hostile case fixture): the points are the value of the first key pairs gives
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local bands = { kilo = 9, alpha = 1, zulu = 8, echo = 7, mike = 6, golf = 5, bravo = 4, xray = 3,
  hotel = 2, delta = 9, yankee = 8, [3] = 10, [1.5] = 10, [true] = 10 }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  local order = {}
  for k in pairs(bands) do order[#order + 1] = tostring(k) end
  if table.concat(order, " ") ~= "1.5 3 alpha bravo delta echo golf hotel kilo mike xray yankee zulu true" then
    error("order: " .. table.concat(order, " "), 0)
  end
  local k, v = next({}) -- next is Lua's own
  return math.random(10)
end } }
