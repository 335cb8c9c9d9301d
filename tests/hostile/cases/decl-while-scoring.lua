-- decl-while-scoring (hostile case fixture): declarations inside a score function and inside eligible
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u)
  if u.id == "U0000016" then
    section "late" { points = 90, indicator "late" { points = 90, score = function() return 90 end } }
  end
  return 1
end } }
commend { eligible = function(r)
  if r.unit_id == "U0000001" then deduction "late" { per = 100, count = "i01" } end
  return true
end }
