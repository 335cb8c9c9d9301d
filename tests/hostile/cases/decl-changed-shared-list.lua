-- decl-changed-shared-list (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local cats = {"dept"}
local a = indicator "a" { points = 5, score = function() return 5 end, categories = cats }
cats[1] = "town"
local b = indicator "b" { points = 5, score = function() return 5 end, categories = cats }
section "s" { points = 10, a, b }
