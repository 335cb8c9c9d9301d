assessment { title = "forms", year = 2021, precision = 2,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3} } }
data "Extra" { columns = { "a1" } }
data "extra" { columns = { "a2" } }
section "s" { points = 100,
  indicator "i1" { points = 50, score = target("a1", 1) },
  indicator "i2" { points = 50, score = target("a2", 1) },
}
commend {}
