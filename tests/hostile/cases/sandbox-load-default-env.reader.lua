-- sandbox-load-default-env.reader (hostile case fixture): load() given a reader function
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local parts = { string.char(27) .. "Lua", string.char(84, 0) .. string.rep("\0", 40) } local i = 0 local f, e = load(function() i = i + 1 return parts[i] end) if not f then error(e) end
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u)
    return 1
  end },
}
