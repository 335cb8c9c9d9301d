-- a data set Windows cannot store as a file (CON.xlsx is the console
-- device there), and an office folder with a colon and a trailing dot
assessment { title = "forms", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
data "CON" { columns = { "a1" } }
data "ok" { office = "县局:审计.", columns = { "a2" } }
section "s" { points = 100,
  indicator "i1" { points = 50, score = target("a1", 1) },
  indicator "i2" { points = 50, score = target("a2", 1) },
}
commend {}
