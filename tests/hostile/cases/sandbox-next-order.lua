-- sandbox-next-order (hostile case fixture): next walks in pairs' order
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local t = { zeta = 1, alpha = 2, mid = 3, [5] = 4, [1] = 5, [true] = 6, beta = 7, gamma = 8 }
W = 3
local function walk(tbl)
  local o = {}
  for k in next, tbl do o[#o + 1] = tostring(k) end
  return table.concat(o, ",")
end
local at_load = walk(t)
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  local c = { b = 1, a = 2, c = 3 }
  local k1 = next(c)
  c[k1] = nil -- a key cleared while walking is passed over
  local rest = {}
  for k in next, c do rest[#rest + 1] = k end
  return 1, "walk=" .. walk(t) .. " load=" .. at_load .. " first=" .. tostring(next(t)) ..
    " cleared=" .. table.concat(rest, ",") .. " empty=" .. tostring(next({})) ..
    " G=" .. tostring(next(_G) ~= nil) end } }
