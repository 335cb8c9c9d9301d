-- scale-rules-helper-entries (hostile case fixture): one blend of 1,000
-- parts used by 101 indicators, compiled once for each
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local P, I = 1000, 101
local parts = {}
for i = 1, P do parts[i] = {"i01", 1 / P} end
local h = blend(parts)
local items = { points = I }
for i = 1, I do items[i] = indicator ("x" .. i) { points = 1, score = h } end
section "s" (items)
