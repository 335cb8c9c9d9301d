-- Two units tie on the total and a section with a 600-byte name breaks
-- the tie: the tie note names it whole.
local S = string.rep("部", 199) .. "分"   -- 600 bytes
assessment { title = "long tie", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1}, {"town", commend = 1} } }
section(S) { points = 50,
  indicator "a" { points = 50, score = function(u) return u.unit_id == "U0000001" and 50 or 40 end },
}
section "other" { points = 50,
  indicator "b" { points = 50, score = function(u) return u.unit_id == "U0000001" and 40 or 50 end },
}
grades { {"优秀", 90}, {"不合格", 0} }
commend { tie_break = { S } }
