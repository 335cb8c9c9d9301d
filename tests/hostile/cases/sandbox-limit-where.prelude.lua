-- sandbox-limit-where (hostile case fixture): grades, line 8, walks a million entries in the prelude
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
local t = {1}
for i = 1, 20 do table.move(t, 1, #t, #t + 1) end
grades(t)
