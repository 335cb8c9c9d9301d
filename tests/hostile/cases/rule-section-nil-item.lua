-- rule-section-nil-item (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local extra = nil
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 2 end }, extra,
  deduction "d" { per = 5, count = "i19", max = 5 } }
