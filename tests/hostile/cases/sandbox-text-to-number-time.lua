-- sandbox-text-to-number-time (hostile case fixture): os.time reads the text "0x7e8" as the year 2024
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 20, indicator "a" { points = 20, score = function(u) return os.time{year = u.code, month = 1, day = 1} > 0 and 20 or 0 end } }
