-- rule-fn-text-not-utf8 (hostile case fixture): a note of bytes that spell no character
assessment { title = "hostile", year = 2021,
  unit = { id = "unit_id", name = "name", category = "category" },
  categories = { {"dept", commend = 3}, {"town", commend = 1} } }
section "s" { points = 10, indicator "x" { points = 10, score = function(u) return 1, "note \255" end } }
