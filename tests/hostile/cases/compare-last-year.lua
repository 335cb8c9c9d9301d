-- a bonus for a unit that was not first last year (进步奖): it reads u.last
assessment { title = "last year", year = 2021, precision = 2,
  unit = { id = "id", name = "name", category = "cat" },
  categories = { {"dept", commend = 1} } }
section "S1" { points = 100, indicator "a" { points = 100, score = target("a", 100) } }
bonus "progress" { max = 10, score = function(u)
  if u.last and u.last.rank > 1 then return 10, "not first last year" end
  return 0 end }
commend {}
