-- an office that would climb out of the forms' folder
assessment { title = "h", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "i" { points = 10, score = min_max("i01") } }
data "d" { office = "../../escaped", columns = { "i01" } }
