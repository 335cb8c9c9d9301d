-- sandbox-test-limit-next-case (hostile case fixture): case "loops" trips the limits, the others are right
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if u.i01 == 1 then while true do end end
  if u.i01 == 2 then local t = {} while true do t[#t + 1] = ("x"):rep(4096, tostring(#t)) end end
  return u.i01 end } }
case "loops" { unit = { i01 = 1 }, expect = { total = 1 } }
case "after a loop" { unit = { i01 = 5 }, expect = { total = 5 } }
case "eats memory" { unit = { i01 = 2 }, expect = { total = 2 } }
case "after memory" { unit = { i01 = 6 }, expect = { total = 6 } }
