-- rule-note-too-long (hostile case fixture): a note of 30 MB for every
-- unit would be kept once per unit (score, --items): refused at 16 KiB
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local big = string.rep("很长的说明", 2000000)
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u) return 1, big end },
}
