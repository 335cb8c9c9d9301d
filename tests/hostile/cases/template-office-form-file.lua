-- data "d" is sent by an office named like the unit form's file, which
-- sits in the top folder beside the office's folder
assessment { title = "t", year = 2021, precision = 2,
  unit = { id = "id", name = "name", category = "cat" },
  categories = { {"dept", commend = 1} } }
data "d" { office = "units.xlsx", columns = { "a" } }
section "S1" { points = 100,
  indicator "a" { points = 50, score = target("a", 100) },
  indicator "b" { points = 50, score = target("b", 100) } }
