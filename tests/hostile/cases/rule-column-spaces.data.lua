-- a data declaration listing a column with a space before it
assessment { title = "h", year = 2021, unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "i" { points = 10, score = min_max(" i01") } }
data "d" { office = "办", columns = { " i01" } }
