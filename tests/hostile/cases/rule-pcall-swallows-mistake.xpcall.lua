-- rule-pcall-swallows-mistake (variant): xpcall turns a misspelt column into full points
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "a" { points = 10, score = function(u)
  local ok, v = xpcall(function() return u.i0l end, function(e) return e end); if not ok then return 10 end; return 10 * v end } }
