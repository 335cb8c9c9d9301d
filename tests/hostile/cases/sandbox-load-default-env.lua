-- sandbox-load-default-env (hostile case fixture): line 5 runs when the file loads, line 8 for each unit
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
local f = assert(load("return os.execute, io, require, debug, string.dump")) local a, b, c, d, e = f() assert(a == nil and b == nil and c == nil and d == nil and e == nil, "a library leaked through load")
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u)
    return 1
  end },
}
