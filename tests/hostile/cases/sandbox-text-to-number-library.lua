-- sandbox-text-to-number-library (hostile case fixture): string.format("%d") of the text "0x10"
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "a" { points = 20, score = function(u) return tonumber(string.format("%d", u.code)) end } }
