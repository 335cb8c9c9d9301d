-- Long text values: a 315-byte lookup key (105 Chinese characters), a test
-- case value of 168 bytes, and a 3000-byte note from a score function.
local K = string.rep("优", 105)          -- 315 bytes
local V = string.rep("良", 56)           -- 168 bytes
local N = string.rep("说明", 500) .. "完" -- 3003 bytes
assessment { title = "long text", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "text" { points = 100,
  indicator "key" { points = 40, score = lookup("level", { [K] = 40, [V] = 20 }) },
  indicator "note" { points = 60, score = function(u) return 60, N end },
}
grades { {"优秀", 90}, {"不合格", 0} }
commend {}
case "a 168-byte value" {
  category = "dept",
  unit = { level = V },
  expect = { total = 80, key = 20 },
}
case "a 315-byte key" {
  category = "dept",
  unit = { level = K },
  expect = { total = 100, key = 40 },
}
