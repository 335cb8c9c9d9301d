-- run-db-timeout-new-db (hostile case fixture): line 5 runs when the file loads, line 8 for each unit
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
-- nothing at load
section "s" { points = 10,
  indicator "x" { points = 10, score = function(u)
    if u.id == "U0000002" then local p = ("a"):rep(5000):find(".-.-.-b") end return 1
  end },
}
