assessment { title = "fuzz", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 2}, {"town", commend = 1} } }
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u)
    local t = {} while true do t[#t + 1] = ("y"):rep(1000) end
  end },
}
