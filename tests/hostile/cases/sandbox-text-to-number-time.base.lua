-- sandbox-text-to-number-time (hostile case fixture): tonumber's base read from the text "0x10"
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "a" { points = 20, score = function(u) return tonumber("10", u.code) end } }
