-- sandbox-forged-helper (hostile case fixture): a target copied by hand, its goal NaN
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local h = target("i01", 1)
local mark for k in next, h do if type(k) == "table" then mark = k end end
local forged = setmetatable({ [mark] = true, kind = "target", src = "i01", goal = 0/0 }, getmetatable(h))
section "s" { points = 10, indicator "x" { points = 10, score = forged } }
