-- decl-expect-tostring-raises (hostile case fixture)
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1 end } }
case "a" { unit = { unit_id = "A", name = "a", category = "dept" }, expect = setmetatable({ x = 2 }, { __tostring = function() error("boom") end }) }
case "b" { unit = { unit_id = "A", name = "a", category = "dept" }, expect = { grade = setmetatable({}, { __tostring = function() error("boom") end, __eq = function() error("boom") end }) } }
