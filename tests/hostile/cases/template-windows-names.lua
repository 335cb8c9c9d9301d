-- a form name (data set) or office folder: each hostile variant is made
-- by the case from the placeholders NAME and OFFICE
assessment { title = "forms", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1} } }
data "NAME" { office = "OFFICE", columns = { "a1" } }
section "s" { points = 100,
  indicator "i1" { points = 100, score = target("a1", 1) },
}
commend {}
