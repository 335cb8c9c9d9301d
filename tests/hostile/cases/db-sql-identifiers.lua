-- db-sql-identifiers (hostile case fixture): column names that are SQL
assessment { title = "identifiers", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 1}, {"town", commend = 1} } }
section "s" { points = 20,
  indicator "a" { points = 10, score = target('a"b', 10) },
  indicator "b" { points = 10, score = function(u)
    return u['x"); DROP TABLE imports; --'] + u["[y]"] + u["'z'"] end },
}
