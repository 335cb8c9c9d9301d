-- sandbox-helper-arg-metatable (hostile case fixture): a blend part whose
-- weight reads 1 for the checks and 50 after them
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local reads = 0
local part = setmetatable({}, { __index = function(t, k)
  if k == 1 then return "i01" end
  if k == 2 then reads = reads + 1 if reads <= 4 then return 1 end return 50 end
end })
section "s" { points = 10, indicator "x" { points = 10, score = blend { part } } }
