-- rule-fn-text-nul (hostile case fixture): texts with a NUL byte returned by rule functions
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
veto "v" { when = function(u) if u.id == "U0000003" then return "否\0是" end return false end }
